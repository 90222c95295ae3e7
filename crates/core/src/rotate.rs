//! A renewal planned (`cognito-entra rotate`): the steps, in the one order that never breaks
//! sign-in, from what the setup's state recorded and what Entra holds now. Pure: the engine
//! reads both clouds, hands what it read here, shows the steps and makes them.
//!
//! OIDC: a new client secret, Cognito's provider moved to it (and read back), then the old
//! one removed. The state records each step (key IDs, never a secret), so a stopped run is
//! finished by the next: a secret made but never handed over cannot be read again (Graph
//! shows a secret's value once), so it is removed, after Cognito holds the next one.
//! SAML: a new signing certificate, made active, and Cognito's provider refreshed at once;
//! before it, Cognito's own certificates handed to Entra where Entra holds an old one.

use crate::entra_app::{EntraChange, SecretSeen};
use crate::state::GraphRecord;

/// What rotating does, for the faces' help.
pub const ABOUT: &str = "Rotate renews the setup's credential in the one order that never breaks sign-in. OIDC through Graph: a new client secret, Cognito's provider moved to it and read back, then the old secret removed (the new one is never saved). SAML through Graph: a new signing certificate, made active, and Cognito's provider refreshed at once; the old certificate stays until it expires. Cognito's own certificates (its yearly signing certificate, a provider's encryption certificate) that Entra was not given yet are handed over first. Done in the portal: the steps to take there, then the new metadata (or the secret, from COGNITO_ENTRA_CLIENT_SECRET) handed to Cognito. The plan is shown first and nothing is written until you press Enter; every step is recorded, so a rotation that stopped is finished by rotating again.";

/// How long a client secret the tool makes lasts (Entra allows at most two years; Microsoft
/// recommends less than twelve months).
pub const SECRET_DAYS: i64 = 180;

/// Why a client secret is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRemoval {
    /// The one Cognito held until this rotation.
    Old,
    /// Cognito moved off it in an earlier rotation that stopped before removing it.
    Retired,
    /// Made by an earlier run that stopped before Cognito had it: nobody holds it, and its
    /// value cannot be read again.
    Orphan,
}

/// One step of a renewal, in the order it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// `addPassword`: a new client secret, ending on this date (YYYY-MM-DD).
    AddSecret { ends: String },
    /// Cognito's provider gets the new client secret (every other detail kept).
    GiveSecret { provider: String },
    /// `removePassword`.
    RemoveSecret {
        key_id: String,
        why: SecretRemoval,
        ends: String,
    },
    /// `addTokenSigningCertificate`, waited for, then made active.
    AddSigningCertificate,
    /// A signing certificate an earlier rotation made, made active now.
    ActivateSigningCertificate { thumbprint: String },
    /// Cognito's provider re-reads Entra's metadata (the same MetadataURL, or the new
    /// document as its MetadataFile).
    RefreshMetadata { provider: String, from_file: bool },
    /// An old signing certificate removed (`--remove-old`).
    RemoveSigningCertificate { thumbprint: String, ends: String },
    /// One of Cognito's own certificates Entra does not hold yet, handed over (Cognito issues
    /// a new signing certificate every year; a new encryption certificate with a provider
    /// made again): made first, since until then Entra refuses what Cognito signs, or
    /// encrypts to a key Cognito no longer uses.
    HandOver(EntraChange),
}

impl Rotation {
    /// One line of the plan: `+` made, `~` changed, `-` removed, and in which cloud.
    pub fn describe(&self) -> String {
        match self {
            Rotation::AddSecret { ends } => {
                format!("+ Entra: new client secret (expires {ends})")
            }
            Rotation::GiveSecret { provider } => format!(
                "~ Cognito: provider {provider} client_secret -> the new one (every other detail and the attribute mapping kept), read back to check"
            ),
            Rotation::RemoveSecret { key_id, why, ends } => {
                let ends = if ends.is_empty() {
                    String::new()
                } else {
                    format!(", expires {}", ends.get(..10).unwrap_or(ends))
                };
                match why {
                    SecretRemoval::Old => format!("- Entra: old client secret {key_id}{ends}"),
                    SecretRemoval::Retired => format!(
                        "- Entra: old client secret {key_id}{ends} (Cognito moved off it in an earlier rotation)"
                    ),
                    SecretRemoval::Orphan => format!(
                        "- Entra: client secret {key_id}{ends} (made by an earlier run that stopped before Cognito had it; Graph never shows its value again)"
                    ),
                }
            }
            Rotation::AddSigningCertificate => {
                "+ Entra: new SAML signing certificate (valid three years), made the active one"
                    .into()
            }
            Rotation::ActivateSigningCertificate { thumbprint } => format!(
                "~ Entra: signing certificate {thumbprint} (made by an earlier rotation that stopped) made the active one"
            ),
            Rotation::RefreshMetadata {
                provider,
                from_file,
            } => {
                if *from_file {
                    format!(
                        "~ Cognito: provider {provider} gets the new metadata document (MetadataFile), at once"
                    )
                } else {
                    format!("~ Cognito: provider {provider} re-reads its MetadataURL, at once")
                }
            }
            Rotation::RemoveSigningCertificate { thumbprint, ends } => {
                format!("- Entra: old signing certificate {thumbprint} (valid until {ends})")
            }
            Rotation::HandOver(change) => {
                // The application's own wording, said as this plan says Entra's steps.
                let text = change.describe();
                let (sign, rest) = text.split_at(text.find(' ').unwrap_or(0));
                format!("{sign} Entra: {}", rest.trim_start())
            }
        }
    }
}

/// The steps of an OIDC secret rotation through Graph. `on_app`: the application's secrets
/// as Graph lists them now; `ends`: the new secret's end date as planned.
///
/// An earlier rotation that moved Cognito already (`retiring_secrets` recorded) is finished:
/// its old secrets removed, no new one made. Otherwise a new secret, Cognito moved to it, then
/// the one it held and any nobody holds removed — removals last, so that sign-in never
/// breaks whatever state an earlier stop left (a secret recorded as unclaimed may be the one
/// Cognito got just before the stop).
pub fn plan_secret(
    record: &GraphRecord,
    on_app: &[SecretSeen],
    provider: &str,
    ends: &str,
) -> Vec<Rotation> {
    let listed = |key: &str| on_app.iter().find(|s| s.key_id == key);
    let removal = |key: &String, why: SecretRemoval| {
        listed(key).map(|s| Rotation::RemoveSecret {
            key_id: key.clone(),
            why,
            ends: s.ends.clone(),
        })
    };
    let orphans = record
        .unclaimed_secrets
        .iter()
        .filter_map(|k| removal(k, SecretRemoval::Orphan));
    if !record.retiring_secrets().is_empty() {
        return record
            .retiring_secrets()
            .iter()
            .filter_map(|k| removal(k, SecretRemoval::Retired))
            .chain(orphans)
            .collect();
    }
    let mut steps = vec![
        Rotation::AddSecret {
            ends: ends.to_string(),
        },
        Rotation::GiveSecret {
            provider: provider.to_string(),
        },
    ];
    steps.extend(
        record
            .held_secret
            .iter()
            .filter_map(|k| removal(k, SecretRemoval::Old)),
    );
    steps.extend(orphans);
    steps
}

/// The application's signing certificates as read: the active one's thumbprint and each
/// certificate's thumbprint and end date (YYYY-MM-DD).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningSeen {
    pub active: Option<String>,
    pub certificates: Vec<(String, String)>,
}

/// The steps of a SAML signing certificate rotation through Graph. A certificate an earlier
/// rotation made and recorded is used (made active if it is not yet) rather than another
/// made; `remove_old`: every other certificate goes once Cognito has the new one.
pub fn plan_certificate(
    record: &GraphRecord,
    seen: &SigningSeen,
    provider: &str,
    from_file: bool,
    remove_old: bool,
) -> Vec<Rotation> {
    let pending = record
        .new_signing_certificate()
        .map(str::to_string)
        .filter(|t| seen.certificates.iter().any(|(c, _)| c == t));
    let mut steps = Vec::new();
    match &pending {
        Some(t) if seen.active.as_ref() == Some(t) => {}
        Some(t) => steps.push(Rotation::ActivateSigningCertificate {
            thumbprint: t.clone(),
        }),
        None => steps.push(Rotation::AddSigningCertificate),
    }
    steps.push(Rotation::RefreshMetadata {
        provider: provider.to_string(),
        from_file,
    });
    if remove_old {
        steps.extend(
            seen.certificates
                .iter()
                .filter(|(t, _)| Some(t) != pending.as_ref())
                .map(|(t, ends)| Rotation::RemoveSigningCertificate {
                    thumbprint: t.clone(),
                    ends: ends.clone(),
                }),
        );
    }
    steps
}

/// The plan as shown: one line a step.
pub fn render(steps: &[Rotation]) -> String {
    steps
        .iter()
        .map(|s| format!("  {}\n", s.describe()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(key: &str) -> SecretSeen {
        SecretSeen {
            key_id: key.into(),
            display_name: String::new(),
            ends: "2027-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_fresh_rotation_adds_moves_then_removes_the_held_and_orphans_last() {
        let record = GraphRecord {
            held_secret: Some("old".into()),
            unclaimed_secrets: vec!["lost".into(), "gone".into()],
            ..GraphRecord::default()
        };
        let steps = plan_secret(
            &record,
            &[secret("old"), secret("lost")],
            "entra",
            "2027-06-01",
        );
        let kinds: Vec<String> = steps.iter().map(Rotation::describe).collect();
        assert!(kinds[0].starts_with("+ Entra: new client secret (expires 2027-06-01)"));
        assert!(kinds[1].starts_with("~ Cognito: provider entra"));
        assert!(kinds[2].starts_with("- Entra: old client secret old"));
        assert!(kinds[3].contains("lost") && kinds[3].contains("stopped before Cognito"));
        assert_eq!(
            steps.len(),
            4,
            "a secret Entra no longer lists is not removed"
        );
    }

    #[test]
    fn a_rotation_that_moved_cognito_is_finished_without_a_new_secret() {
        let mut record = GraphRecord {
            held_secret: Some("new".into()),
            ..GraphRecord::default()
        };
        record.rotation(|r| r.retiring_secrets = vec!["old".into()]);
        let steps = plan_secret(&record, &[secret("old"), secret("new")], "entra", "x");
        assert_eq!(steps.len(), 1);
        assert!(matches!(
            &steps[0],
            Rotation::RemoveSecret { key_id, why: SecretRemoval::Retired, .. } if key_id == "old"
        ));
        // Removed already (its answer lost): nothing left to do.
        assert!(plan_secret(&record, &[secret("new")], "entra", "x").is_empty());
    }

    #[test]
    fn a_recorded_new_certificate_is_activated_not_made_again() {
        let seen = SigningSeen {
            active: Some("A".into()),
            certificates: vec![("A".into(), "2027".into()), ("B".into(), "2029".into())],
        };
        let mut record = GraphRecord::default();
        record.rotation(|r| r.new_signing_certificate = Some("B".into()));
        let steps = plan_certificate(&record, &seen, "EntraID", false, true);
        assert_eq!(
            steps,
            vec![
                Rotation::ActivateSigningCertificate {
                    thumbprint: "B".into()
                },
                Rotation::RefreshMetadata {
                    provider: "EntraID".into(),
                    from_file: false
                },
                Rotation::RemoveSigningCertificate {
                    thumbprint: "A".into(),
                    ends: "2027".into()
                },
            ]
        );
        let fresh = plan_certificate(&GraphRecord::default(), &seen, "EntraID", true, false);
        assert_eq!(fresh[0], Rotation::AddSigningCertificate);
        assert_eq!(
            fresh.len(),
            2,
            "the old certificates stay without --remove-old"
        );
    }
}
