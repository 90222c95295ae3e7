//! A response held against a setup is checked with the setup's metadata certificates, so what
//! is wrong with those certificates is said beside it — as `check-metadata` says it about the
//! same file — and a response signed with a certificate that has expired is named.

use time::{Date, OffsetDateTime};

use super::{Decoded, Finding, Level, finding};
use cognito_entra_entra::metadata::{self, EXPIRY_WARNING_DAYS, SignatureCheck, short};

/// The errors and warnings `check-metadata` finds in the setup's metadata file, named as the
/// setup's. The advice to prefer a URL is left out: it is about the choice of a file, not
/// about this response.
pub fn from_metadata_file(file: &str, report: &metadata::Report) -> Vec<Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.level != Level::Info && f.message != metadata::FILE_NEVER_REFRESHED)
        .map(|f| {
            finding(
                f.level,
                format!("the setup's metadata ({file}): {}", f.message),
            )
        })
        .collect()
}

/// A signing certificate as the setup knows it: its thumbprint and when it expires.
#[derive(Debug, Clone)]
pub struct Known {
    pub thumbprint: String,
    pub not_after: Date,
}

/// What the certificates the last metadata check recorded say today (for a setup whose
/// metadata is a URL, which decode-saml does not fetch): none valid, expired, expiring soon.
pub fn from_records(certificates: &[Known], now: OffsetDateTime, from_url: bool) -> Vec<Finding> {
    let today = now.date();
    let renew = if from_url {
        "in Entra, Single sign-on › SAML Certificates › add a new certificate and make it active; Cognito reads it from the metadata URL"
    } else {
        "in Entra, Single sign-on › SAML Certificates › add a new certificate and make it active, then upload the metadata again"
    };
    let recorded = "as the last metadata check recorded; run check-metadata for today's";
    let mut out = Vec::new();
    let valid = certificates.iter().filter(|c| c.not_after >= today).count();
    if valid == 0 && !certificates.is_empty() {
        let dates: Vec<String> = certificates
            .iter()
            .map(|c| format!("{} expired {}", short(&c.thumbprint), c.not_after))
            .collect();
        out.push(finding(
            Level::Error,
            format!(
                "no signing certificate of the setup's metadata is valid today ({}; {recorded}): Cognito refuses such metadata — {renew}",
                dates.join("; ")
            ),
        ));
        return out;
    }
    for c in certificates {
        let left = (c.not_after - today).whole_days();
        if c.not_after < today {
            out.push(finding(
                Level::Warning,
                format!(
                    "the setup's metadata certificate {} expired {} ({recorded}); another one is valid — Cognito uses that one",
                    short(&c.thumbprint),
                    c.not_after
                ),
            ));
        } else if left < EXPIRY_WARNING_DAYS {
            out.push(finding(
                Level::Warning,
                format!(
                    "the setup's metadata certificate {} expires on {} (in {left} day{}; {recorded}): {renew}",
                    short(&c.thumbprint),
                    c.not_after,
                    if left == 1 { "" } else { "s" }
                ),
            ));
        }
    }
    out
}

/// A signature that verifies with a certificate that has expired, said by when: Entra still
/// signing with it, or a capture older than the expiry.
pub fn signed_with_expired(
    d: &Decoded,
    certificates: &[Known],
    now: OffsetDateTime,
) -> Vec<Finding> {
    let today = now.date();
    let issued = d
        .issue_instant
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .map(|t| t.date());
    let fix = "in Entra, Single sign-on › SAML Certificates › add a new certificate, make it active, and give Cognito the new metadata";
    d.signed
        .checks
        .iter()
        .filter_map(|(what, check)| {
            let SignatureCheck::Verified { thumbprint, .. } = check else {
                return None;
            };
            let c = certificates
                .iter()
                .find(|c| &c.thumbprint == thumbprint && c.not_after < today)?;
            let ago = (today - c.not_after).whole_days();
            let when = match issued {
                Some(day) if day > c.not_after => format!(
                    "Entra signed it on {day}, after the certificate expired: Entra still signs with it"
                ),
                Some(day) => format!(
                    "this capture ({day}) is older than the expiry, so Entra signs today's sign-ins with another certificate or with this expired one"
                ),
                None => "Entra may still sign with it".to_string(),
            };
            Some(finding(
                Level::Warning,
                format!(
                    "the {what} is signed with the metadata certificate {}, which expired {} ({ago} day{} ago); {when} — {fix}",
                    short(thumbprint),
                    c.not_after,
                    if ago == 1 { "" } else { "s" }
                ),
            ))
        })
        .collect()
}

/// Adds findings about the setup to a judged response, errors first as always.
pub fn add(d: &mut Decoded, more: Vec<Finding>) {
    d.findings.extend(more);
    d.findings.sort_by_key(|f| f.level);
}
