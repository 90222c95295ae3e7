//! `rotate`: a setup's Entra credential renewed without a gap in sign-in, for every face. The
//! plan first (both clouds, `core::rotate`), asked once, then each step made and recorded
//! in the setup's state the moment it is done — key IDs and thumbprints, never a secret — so
//! that a run stopped between two steps is finished by running it again.
//!
//! - OIDC through Graph: `addPassword`, Cognito's provider moved to the new secret and read
//!   back, then the old secret removed (`removePassword`).
//! - SAML through Graph: `addTokenSigningCertificate` (waited for), made active, and Cognito's
//!   provider refreshed at once; the seconds between the two writes are shown.
//! - Manual: the portal's steps said, then what the admin gives (the new secret; the metadata
//!   with its new certificate) checked and handed to Cognito, the plan shown first.

pub use cognito_entra_core::rotate::ABOUT;
use std::path::Path;
use std::time::Instant;

use cognito_entra_cognito::api::CognitoApi;
use cognito_entra_cognito::sdk::SdkCognito;
use cognito_entra_entra::graph::client::replication_budget;
use cognito_entra_entra::graph::{Graph, rotate as graph_rotate};

use crate::account::ProviderInfo;
use crate::engine::{self, Job};
use crate::entra_facts::Metadata;
use crate::entra_graph::{self, TenantChoice};
use crate::run::{Face, Run, Stopped, record};
use crate::setup::Protocol;
use crate::state::{GraphRecord, SetupLock, State, StateStore};
pub use cognito_entra_core::rotate::{
    Rotation, SECRET_DAYS, SecretRemoval, plan_certificate, plan_secret, render,
};

/// How the command line asked for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    /// The plan is the one reviewed: no question.
    pub yes: bool,
    /// Show the plan only; nothing is written anywhere.
    pub dry_run: bool,
    /// SAML: the old signing certificates go once Cognito has the new one.
    pub remove_old: bool,
    /// OIDC by hand: the new secret's expiry, as the portal showed it.
    pub secret_expires: Option<time::Date>,
}

/// What a rotation did, for the face's last words.
#[derive(Debug, Clone, Default)]
pub struct Rotated {
    /// Steps made (none: a dry run, or nothing was left to do).
    pub steps: usize,
    /// SAML: the seconds between Entra's switch to the new certificate and Cognito's refresh.
    pub gap_seconds: Option<f64>,
    /// The plan, one line a step, as shown (`+` made, `~` changed, `-` removed; by hand,
    /// `portal:` for what the admin does there).
    pub plan: Vec<String>,
    /// What was done, one line a step, in order.
    pub done: Vec<String>,
}

fn failed(e: impl std::fmt::Display) -> Stopped {
    Stopped::Failed(format!("error: {e}"))
}

/// What a stop says it left: the steps made before it, where sign-in stands (`now`, true in
/// whatever state the failed step may have left), and that running again finishes.
fn stopped_after(done: &[String], now: &str, e: impl std::fmt::Display) -> Stopped {
    let before = if done.is_empty() {
        "Nothing was done before it".to_string()
    } else {
        format!("Done before it, and recorded: {}", done.join("; "))
    };
    Stopped::Failed(format!(
        "error: {e}\n{before}. {now}\n  fix: run `cognito-entra rotate` again to finish (it starts from what is recorded)."
    ))
}

/// Where sign-in stands when a step of an OIDC rotation failed before Cognito was seen to
/// hold the new secret: Entra holds both, whichever Cognito has.
const BOTH_SECRETS_LIVE: &str = "Entra still holds the old client secret and any new one, so sign-in works whichever Cognito has.";
/// ... and once Cognito was seen to hold the new one.
const NEW_SECRET_HELD: &str = "Cognito holds the new client secret (read back), so sign-in works; an old secret left in Entra stays live until a run removes it.";

/// A test build stops here when told to (`COGNITO_ENTRA_TEST_PAUSE_AT=STEP`), so a test can
/// kill the process between two steps.
async fn failpoint(step: &str) {
    if crate::test_switches::pause_at(step) {
        eprintln!("cognito-entra: test failpoint: paused at {step}");
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    }
}

/// The setup's provider as Cognito holds it now; a setup not applied yet has nothing to
/// rotate.
async fn provider_now(
    job: &Job,
    state: &State,
) -> Result<(SdkCognito, String, ProviderInfo), Stopped> {
    let name = &job.setup.name;
    let Some(pool) = state.pool_id().map(str::to_string) else {
        return Err(Stopped::Failed(format!(
            "error: setup {name} has no user pool yet, so there is nothing to rotate; nothing was changed\n  fix: cognito-entra apply --setup {name}"
        )));
    };
    let cognito = engine::api(job).await.map_err(failed)?;
    let provider_name = job.setup.provider_name();
    let provider = cognito
        .describe_identity_provider(&pool, provider_name)
        .await
        .map_err(|e| failed(engine::say(&e, &job.aws)))?
        .ok_or_else(|| {
            Stopped::Failed(format!(
                "error: the user pool {pool} has no identity provider {provider_name:?}, so there is nothing to rotate; nothing was changed\n  fix: cognito-entra apply --setup {name} makes it"
            ))
        })?;
    Ok((cognito, pool, provider))
}

/// Asks once, unless `--yes`; a dry run stops here.
fn ask(flags: Flags, face: &mut impl Face, steps: &[Rotation]) -> Result<bool, Stopped> {
    if flags.dry_run {
        face.show("\nDry run: nothing was changed in Cognito or Entra.\n");
        return Ok(false);
    }
    if steps.is_empty() {
        return Ok(false);
    }
    if !flags.yes {
        face.confirm(
            "Make these changes in Cognito and Entra?",
            "Nothing was changed.",
        )
        .map_err(Stopped::Failed)?;
    }
    Ok(true)
}

/// Changes the setup's Graph record under the lock, saved at once.
fn record_graph(
    store: &StateStore,
    lock: &SetupLock,
    run: &Run,
    change: impl FnOnce(&mut GraphRecord),
) -> Result<(), Stopped> {
    record(store, lock, &run.job.setup, |state| {
        if let Some(graph) = state.entra.graph.as_mut() {
            change(graph);
        }
    })
}

/// `rotate`: the setup's OIDC client secret or SAML signing certificate renewed (see the
/// module's words).
pub async fn rotate(
    run: Run,
    store: &StateStore,
    flags: Flags,
    face: &mut impl Face,
) -> Result<Rotated, Stopped> {
    let name = run.job.setup.name.clone();
    if flags.secret_expires.is_some()
        && (run.job.setup.protocol != Protocol::Oidc || run.graph.is_some())
    {
        return Err(Stopped::Usage(format!(
            "error: --secret-expires: is the expiry of a client secret made in the portal (an OIDC setup, --entra manual); {name} is {}, so there is no such date to record; nothing was changed\n  fix: drop --secret-expires{}",
            if run.job.setup.protocol != Protocol::Oidc {
                "SAML".to_string()
            } else {
                "rotated through Graph".to_string()
            },
            if run.job.setup.protocol == Protocol::Oidc {
                " (through Graph the tool sets the expiry itself and records it)"
            } else {
                ""
            }
        )));
    }
    let Some(state) = run.state.clone() else {
        return Err(Stopped::Failed(format!(
            "error: {name} has no saved state, so there is nothing to rotate; nothing was changed\n  fix: rotate works on a saved setup that was applied: cognito-entra apply, then cognito-entra rotate --setup NAME"
        )));
    };
    // A customer's setup waiting for their reply has no provider, nor a credential, yet.
    if let Some(why) = crate::journey::customer_reply::waiting_refusal(&state) {
        return Err(Stopped::Failed(why));
    }
    // The lock first, before anything is read: two rotations at once would each make a
    // secret. A dry run writes nothing, not even a lock.
    let lock = if flags.dry_run {
        None
    } else {
        Some(store.lock(&name)?)
    };
    // Read again under the lock: another run may have finished meanwhile.
    let state = match &lock {
        Some(_) => store.load(&name)?.unwrap_or(state),
        None => state,
    };
    let (cognito, pool, provider) = provider_now(&run.job, &state).await?;
    match (&run.graph, state.entra.graph.clone()) {
        (Some(options), Some(graph_record)) => {
            let options = entra_graph::GraphOptions {
                needs: Default::default(),
                ..options.clone()
            };
            face.note("Signing in to Entra for Microsoft Graph…");
            let tenant =
                TenantChoice::for_setup(&options, &run.job.setup, state.entra.tenant_id.as_deref());
            let graph = entra_graph::sign_in(&options, &tenant, |p| face.sign_in(p))
                .await
                .map_err(failed)?;
            let through = Through {
                run: &run,
                store,
                lock: lock.as_ref(),
                cognito: &cognito,
                pool: &pool,
                graph: &graph,
                record: graph_record,
            };
            match run.job.setup.protocol {
                Protocol::Oidc => through.secret(provider, flags, face).await,
                Protocol::Saml => through.certificate(provider, &state, flags, face).await,
            }
        }
        (Some(_), None) => Err(Stopped::Failed(format!(
            "error: {name}'s state records no Entra application made or adopted through Graph ([entra.graph]), so Graph cannot renew its credential; nothing was changed\n  fix: run `cognito-entra apply --setup {name} --entra graph` first (it adopts the application), or rotate in the portal: `cognito-entra rotate --setup {name} --entra manual`"
        ))),
        (None, _) => {
            let manual = Manual {
                run: &run,
                store,
                lock: lock.as_ref(),
                cognito: &cognito,
                pool: &pool,
            };
            match run.job.setup.protocol {
                Protocol::Oidc => manual.secret(provider, flags, face).await,
                Protocol::Saml => manual.certificate(provider, &state, flags, face).await,
            }
        }
    }
}

/// One of Cognito's certificates that is not the one Entra was given (recorded).
struct Stale {
    kind: &'static str,
    thumbprint: String,
    place: &'static str,
}

/// Cognito's certificates that changed since Entra was given them, as the state recorded
/// the hand-over (what doctor warns about). One never recorded (a setup imported, or made
/// before the tool recorded them) is not judged: nothing says what Entra holds.
async fn stale_certificates(
    cognito: &SdkCognito,
    pool: &str,
    provider: &ProviderInfo,
    state: &State,
    job: &Job,
) -> Result<Vec<Stale>, Stopped> {
    let setup = &job.setup;
    let recorded = |kind: &str| state.aws.certificates.iter().any(|c| c.kind == kind);
    let mut out = Vec::new();
    // Cognito's certificate now, when it is not the one Entra was given.
    let another =
        |kind: &str, text: &str| match crate::entra_app::CognitoCertificate::from_cognito(text) {
            Ok(crate::entra_app::CognitoCertificate::Known { thumbprint, .. }) => state
                .entra_given_another(kind, &thumbprint)
                .map(|_| thumbprint),
            _ => None,
        };
    if let Some(place) = cognito_entra_cognito::certs::entra_place(setup, "signing")
        && recorded("signing")
    {
        let text = cognito
            .get_signing_certificate(pool)
            .await
            .map_err(|e| failed(engine::say(&e, &job.aws)))?;
        if let Some(now) = another("signing", &text) {
            out.push(Stale {
                kind: "signing",
                thumbprint: now,
                place,
            });
        }
    }
    if let (Some(place), Some(text)) = (
        cognito_entra_cognito::certs::entra_place(setup, "encryption")
            .filter(|_| setup.saml().encrypted_responses),
        provider.details.get("ActiveEncryptionCertificate"),
    ) && let Some(now) = another("encryption", text)
    {
        out.push(Stale {
            kind: "encryption",
            thumbprint: now,
            place,
        });
    }
    Ok(out)
}

/// Where the setup's certificates for Entra are kept: the folder of those written before,
/// else beside its state (as `apply` writes them).
fn certificate_folder(store: &StateStore, state: &State, name: &str) -> std::path::PathBuf {
    state
        .aws
        .certificates
        .iter()
        .find_map(|c| c.file.as_deref().and_then(|f| Path::new(f).parent()))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| store.dir().join(name))
}

fn certificate_error(e: cognito_entra_cognito::certs::CertError, job: &Job) -> String {
    match e {
        cognito_entra_cognito::certs::CertError::Api(e) => engine::say(&e, &job.aws),
        cognito_entra_cognito::certs::CertError::File(why)
        | cognito_entra_cognito::certs::CertError::NotYet(why) => why,
    }
}

/// Cognito's certificates as they are now, written again where the setup keeps them (the
/// folder of those written before, else beside its state) and recorded as the ones Entra
/// has: doctor compares Cognito's with these.
async fn record_certificates(
    cognito: &SdkCognito,
    store: &StateStore,
    lock: &SetupLock,
    run: &Run,
    pool: &str,
    state: &State,
) -> Result<Vec<crate::state::CertificateRecord>, String> {
    let dir = certificate_folder(store, state, &run.job.setup.name);
    let written =
        cognito_entra_cognito::certs::write_for_entra(cognito, &run.job.setup, pool, &dir, None)
            .await
            .map_err(|e| certificate_error(e, &run.job))?;
    let records: Vec<_> = written.into_iter().map(|c| c.record).collect();
    record(store, lock, &run.job.setup, |state| {
        state.aws.certificates.clone_from(&records);
        for r in &records {
            if let Some(item) = crate::journey::certificate_action(&r.kind)
                && !state.progress.checklist.iter().any(|c| c == item)
            {
                state.progress.checklist.push(item.to_string());
            }
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(records)
}

/// Where SAML sign-in stands when a rotation's step failed: before the switch, …
const OLD_CERTIFICATE_ACTIVE: &str =
    "Entra still signs with the certificate Cognito knows, so sign-in works.";
/// … when the switch itself may or may not have landed, …
const MAYBE_SWITCHED: &str = "If Entra made the new certificate active before the error, sign-ins fail until Cognito re-reads the metadata: run rotate again now.";
/// … after it, …
const SWITCHED: &str = "Entra signs with the new certificate and Cognito may not have re-read the metadata: sign-ins can fail until it does, so run rotate again now (it refreshes Cognito first).";
/// … and once Cognito has it.
const REFRESHED: &str =
    "Cognito has re-read the metadata with the new certificate, so sign-in works.";

/// A rotation through Graph, signed in.
struct Through<'a> {
    run: &'a Run,
    store: &'a StateStore,
    lock: Option<&'a SetupLock>,
    cognito: &'a SdkCognito,
    pool: &'a str,
    graph: &'a Graph,
    record: GraphRecord,
}

impl Through<'_> {
    fn lock(&self) -> Result<&SetupLock, Stopped> {
        self.lock
            .ok_or_else(|| Stopped::Failed("error: a dry run writes nothing".into()))
    }

    fn header(&self, what: &str) -> String {
        format!(
            "Rotate {} — {what}, through Microsoft Graph (application {}):\n",
            self.run.job.setup.name, self.record.app_id
        )
    }

    async fn secret(
        &self,
        provider: ProviderInfo,
        flags: Flags,
        face: &mut impl Face,
    ) -> Result<Rotated, Stopped> {
        let app = &self.record.application_id;
        let on_app = graph_rotate::secrets(self.graph, app)
            .await
            .map_err(failed)?;
        let planned_end = (time::OffsetDateTime::now_utc() + time::Duration::days(SECRET_DAYS))
            .date()
            .to_string();
        let steps = plan_secret(&self.record, &on_app, &provider.name, &planned_end);
        let plan: Vec<String> = steps.iter().map(Rotation::describe).collect();
        let mut shown = self.header("the OIDC client secret");
        if steps.is_empty() {
            shown.push_str("  Nothing left to do: the earlier rotation is finished (its old secrets are gone from Entra). Run rotate again to rotate anew.\n");
        } else {
            shown.push_str(&render(&steps));
        }
        if self.record.held_secret.is_none() && self.record.retiring_secrets().is_empty() {
            shown.push_str("  (The secret Cognito holds now was not made by this tool: remove it in Entra yourself once nothing else uses it — App registrations › the app › Certificates & secrets.)\n");
        }
        face.show(&shown);
        if !ask(flags, face, &steps)? {
            if steps.is_empty() && !flags.dry_run {
                record_graph(self.store, self.lock()?, self.run, |g| {
                    g.rotation(|r| r.retiring_secrets.clear());
                    g.unclaimed_secrets.clear();
                })?;
            }
            return Ok(Rotated {
                plan,
                ..Rotated::default()
            });
        }
        let lock = self.lock()?;
        let mut done: Vec<String> = Vec::new();
        for step in &steps {
            match step {
                Rotation::AddSecret { .. } => {
                    let new = graph_rotate::add_secret(self.graph, app, SECRET_DAYS)
                        .await
                        .map_err(|e| stopped_after(&done, BOTH_SECRETS_LIVE, e))?;
                    // Recorded before Cognito gets it: a stop now leaves a live secret nobody
                    // holds, which the next run removes.
                    record_graph(self.store, lock, self.run, |g| {
                        g.unclaimed_secrets.push(new.key_id.clone());
                    })?;
                    done.push(format!("Entra: new client secret {}", new.key_id));
                    face.show(&format!(
                        "✓ Entra: new client secret {} (expires {})\n",
                        new.key_id, new.ends
                    ));
                    failpoint("added").await;
                    self.give_secret(&provider, &new, &mut done, face).await?;
                }
                Rotation::GiveSecret { .. } => {}
                Rotation::RemoveSecret { key_id, .. } => {
                    graph_rotate::remove_secret(self.graph, app, key_id)
                        .await
                        .map_err(|e| stopped_after(&done, NEW_SECRET_HELD, e))?;
                    record_graph(self.store, lock, self.run, |g| {
                        g.rotation(|r| r.retiring_secrets.retain(|k| k != key_id));
                        g.unclaimed_secrets.retain(|k| k != key_id);
                    })?;
                    done.push(format!("Entra: client secret {key_id} removed"));
                    face.show(&format!("✓ Entra: client secret {key_id} removed\n"));
                }
                other => return Err(failed(format!("not an OIDC step: {}", other.describe()))),
            }
        }
        // Every secret to remove is gone: what is still listed is not in Entra any more.
        record_graph(self.store, lock, self.run, |g| {
            g.rotation(|r| r.retiring_secrets.clear());
            g.unclaimed_secrets.clear();
        })?;
        Ok(Rotated {
            steps: steps.len(),
            gap_seconds: None,
            plan,
            done,
        })
    }

    /// Cognito's provider moved to the new secret, read back, and the secret recorded as
    /// held (the one held before, and any nobody holds, then go).
    async fn give_secret(
        &self,
        provider: &ProviderInfo,
        new: &graph_rotate::NewSecret,
        done: &mut Vec<String>,
        face: &mut impl Face,
    ) -> Result<(), Stopped> {
        let lock = self.lock()?;
        give_cognito_secret(self.cognito, self.pool, provider, &new.value, &self.run.job)
            .await
            .map_err(|e| {
                stopped_after(
                    done,
                    BOTH_SECRETS_LIVE,
                    format!(
                        "{e}\nThe new secret ({}) is recorded as one Cognito was not seen to hold: the next run makes another, hands it over, then removes this one and the old",
                        new.key_id
                    ),
                )
            })?;
        record(self.store, lock, &self.run.job.setup, |state| {
            if let Some(g) = state.entra.graph.as_mut() {
                let old = g.held_secret.clone();
                let nobody: Vec<String> = g
                    .unclaimed_secrets
                    .iter()
                    .filter(|k| **k != new.key_id)
                    .cloned()
                    .collect();
                g.secret_held(&new.key_id);
                g.unclaimed_secrets.clear();
                g.rotation(|r| {
                    for key in old.into_iter().chain(nobody) {
                        if key != new.key_id && !r.retiring_secrets.contains(&key) {
                            r.retiring_secrets.push(key);
                        }
                    }
                });
            }
            state.entra.client_secret_expires = Some(new.ends.clone());
        })?;
        done.push(format!(
            "Cognito: provider {} on the new secret",
            provider.name
        ));
        face.show(&format!(
            "✓ Cognito: provider {} holds the new secret (read back)\n",
            provider.name
        ));
        failpoint("held").await;
        Ok(())
    }

    async fn certificate(
        &self,
        provider: ProviderInfo,
        state: &State,
        flags: Flags,
        face: &mut impl Face,
    ) -> Result<Rotated, Stopped> {
        let seen = graph_rotate::signing(self.graph, &self.record)
            .await
            .map_err(failed)?;
        let from_file = !provider.details.contains_key("MetadataURL")
            && provider.details.contains_key("MetadataFile");
        // Cognito's own certificates first, where Entra holds an old one.
        let mut job = self.run.job.clone();
        job.known.user_pool_id = Some(self.pool.to_string());
        let (desired, app_seen, hand_over) =
            entra_graph::certificate_hand_over(self.graph, &job, &self.record)
                .await
                .map_err(failed)?;
        let mut steps: Vec<Rotation> = hand_over.iter().cloned().map(Rotation::HandOver).collect();
        steps.extend(plan_certificate(
            &self.record,
            &seen,
            &provider.name,
            from_file,
            flags.remove_old,
        ));
        let plan: Vec<String> = steps.iter().map(Rotation::describe).collect();
        let mut shown = self.header("the SAML signing certificate");
        shown.push_str(&render(&steps));
        if !flags.remove_old {
            for (t, ends) in &seen.certificates {
                shown.push_str(&format!(
                    "  (Entra keeps signing certificate {t} until it expires on {ends}; --remove-old removes it once Cognito has the new one.)\n"
                ));
            }
        }
        face.show(&shown);
        if !ask(flags, face, &steps)? {
            return Ok(Rotated {
                plan,
                ..Rotated::default()
            });
        }
        let lock = self.lock()?;
        let display = self
            .run
            .job
            .setup
            .entra
            .display_name
            .clone()
            .unwrap_or_else(|| self.run.job.setup.name.clone());
        let mut done: Vec<String> = Vec::new();
        if !hand_over.is_empty() {
            entra_graph::apply(self.graph, &desired, &app_seen, &hand_over, |_| {})
                .await
                .map_err(|e| stopped_after(&done, OLD_CERTIFICATE_ACTIVE, e))?;
            for change in &hand_over {
                done.push(change.done().trim_start_matches("✓ ").to_string());
                face.show(&format!("{}\n", change.done()));
            }
            record_certificates(self.cognito, self.store, lock, self.run, self.pool, state)
                .await
                .map_err(|e| stopped_after(&done, OLD_CERTIFICATE_ACTIVE, e))?;
        }
        let mut new_thumbprint = self.record.new_signing_certificate().map(str::to_string);
        let mut switched_at = None;
        let mut gap = None;
        for step in &steps {
            match step {
                Rotation::AddSigningCertificate | Rotation::ActivateSigningCertificate { .. } => {
                    let thumbprint = match step {
                        Rotation::ActivateSigningCertificate { thumbprint } => thumbprint.clone(),
                        _ => {
                            let (thumbprint, ends) = graph_rotate::add_signing_certificate(
                                self.graph,
                                &self.record,
                                &display,
                            )
                            .await
                            .map_err(|e| stopped_after(&done, OLD_CERTIFICATE_ACTIVE, e))?;
                            record_graph(self.store, lock, self.run, |g| {
                                g.rotation(|r| {
                                    r.new_signing_certificate = Some(thumbprint.clone())
                                });
                            })?;
                            done.push(format!("Entra: new signing certificate {thumbprint}"));
                            face.show(&format!(
                                "✓ Entra: new signing certificate {thumbprint} (valid until {ends})\n"
                            ));
                            failpoint("added").await;
                            thumbprint
                        }
                    };
                    graph_rotate::activate(self.graph, &self.record, &thumbprint)
                        .await
                        .map_err(|e| stopped_after(&done, MAYBE_SWITCHED, e))?;
                    switched_at = Some(Instant::now());
                    done.push(format!("Entra: signing certificate {thumbprint} active"));
                    face.show(&format!(
                        "✓ Entra: signing certificate {thumbprint} is the active one\n"
                    ));
                    failpoint("activated").await;
                    new_thumbprint = Some(thumbprint);
                }
                Rotation::RefreshMetadata { .. } => {
                    let wanted = new_thumbprint.clone().or_else(|| seen.active.clone());
                    let metadata = self
                        .refresh(&provider, state, wanted.as_deref())
                        .await
                        .map_err(|e| stopped_after(&done, SWITCHED, e))?;
                    gap = switched_at.map(|t| t.elapsed().as_secs_f64());
                    record(self.store, lock, &self.run.job.setup, |state| {
                        state.record_entra(None, Some(&metadata));
                        if let Some(g) = state.entra.graph.as_mut() {
                            g.rotation(|r| r.new_signing_certificate = None);
                        }
                    })?;
                    done.push(format!("Cognito: provider {} refreshed", provider.name));
                    face.show(&format!(
                        "✓ Cognito: provider {} re-read Entra's metadata{}\n",
                        provider.name,
                        match gap {
                            Some(s) => format!(
                                " {s:.1} s after Entra switched certificates (the only window in which Cognito did not yet trust what Entra signs with)"
                            ),
                            None => String::new(),
                        }
                    ));
                }
                Rotation::RemoveSigningCertificate { thumbprint, .. } => {
                    graph_rotate::remove_signing_certificate(self.graph, &self.record, thumbprint)
                        .await
                        .map_err(|e| stopped_after(&done, REFRESHED, e))?;
                    done.push(format!("Entra: signing certificate {thumbprint} removed"));
                    face.show(&format!(
                        "✓ Entra: old signing certificate {thumbprint} removed\n"
                    ));
                }
                // Made above, before Entra's own certificate.
                Rotation::HandOver(_) => {}
                other => return Err(failed(format!("not a SAML step: {}", other.describe()))),
            }
        }
        Ok(Rotated {
            steps: steps.len(),
            gap_seconds: gap,
            plan,
            done,
        })
    }

    /// Cognito's provider refreshed from the application's metadata once it carries
    /// `thumbprint` (Entra may take a moment to serve it): the same MetadataURL sent again
    /// (Cognito re-reads it), or the new document as its MetadataFile.
    async fn refresh(
        &self,
        provider: &ProviderInfo,
        state: &State,
        thumbprint: Option<&str>,
    ) -> Result<Metadata, String> {
        let url = provider
            .details
            .get("MetadataURL")
            .cloned()
            .unwrap_or_else(|| {
                crate::entra_app::metadata_url(
                    &self.run.job.authority,
                    state.entra.tenant_id.as_deref().unwrap_or_default(),
                    &self.record.app_id,
                )
            });
        let budget = replication_budget();
        let started = Instant::now();
        let (document, metadata) = loop {
            let (document, metadata) = read_metadata(&url, &self.run.job.base_dir).await?;
            let carries = thumbprint.is_none_or(|t| {
                metadata
                    .certificates
                    .iter()
                    .any(|c| c.thumbprint.eq_ignore_ascii_case(t))
            });
            if carries {
                break (document, metadata);
            }
            if started.elapsed() >= budget {
                return Err(format!(
                    "Entra's metadata ({url}) still does not carry the new signing certificate {} after {} s, so Cognito was not refreshed\n  fix: run `cognito-entra rotate` again in a few minutes; it refreshes Cognito once Entra serves the certificate",
                    thumbprint.unwrap_or_default(),
                    budget.as_secs()
                ));
            }
            self.graph
                .pause(
                    std::time::Duration::from_millis(500),
                    "for Entra's metadata to carry the new signing certificate",
                )
                .await;
        };
        let mut refreshed = provider.clone();
        if !provider.details.contains_key("MetadataURL") {
            refreshed.details.insert("MetadataFile".into(), document);
        }
        self.cognito
            .update_identity_provider(self.pool, &refreshed)
            .await
            .map_err(|e| engine::say(&e, &self.run.job.aws))?;
        Ok(metadata)
    }
}

/// Reads Entra's metadata (a URL or a file) and checks it as the first setup does: its errors
/// stop the rotation before Cognito is changed. Returns the document and what it says.
async fn read_metadata(source: &str, base_dir: &Path) -> Result<(String, Metadata), String> {
    let body = if source.contains("://") {
        let fetcher = cognito_entra_entra::fetch::Fetcher::new(
            cognito_entra_entra::fetch::Limits::from_env(),
        )
        .map_err(|e| e.to_string())?;
        fetcher
            .get(source)
            .await
            .and_then(|f| f.success())
            .map_err(|e| format!("reading Entra's metadata: {e}"))?
            .body
    } else {
        let path = base_dir.join(source);
        // Read within the metadata cap: a FIFO or a huge file is refused, not waited on.
        cognito_entra_core::bounded::read_file(&path, cognito_entra_core::bounded::METADATA)
            .map_err(|e| {
                format!(
                    "saml.metadata_file: {}\n  fix: download Federation Metadata XML again (Single sign-on › SAML Certificates) to that path",
                    e.about(&path.display().to_string())
                )
            })?
    };
    let report = cognito_entra_entra::metadata::check_document(
        source,
        &body,
        time::OffsetDateTime::now_utc(),
    );
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.level == cognito_entra_entra::Level::Error)
        .map(|f| f.message.clone())
        .collect();
    match report.metadata {
        Some(m) if errors.is_empty() => Ok((String::from_utf8_lossy(&body).into_owned(), m)),
        _ => Err(format!(
            "Entra's metadata ({source}) is not usable, so Cognito was not changed: {}",
            errors.join("; ")
        )),
    }
}

/// Cognito's provider given `secret` (every other detail and the mapping as read), then read
/// back: the rotation goes on only when Cognito holds it.
async fn give_cognito_secret(
    cognito: &SdkCognito,
    pool: &str,
    provider: &ProviderInfo,
    secret: &str,
    job: &Job,
) -> Result<(), String> {
    let mut changed = provider.clone();
    changed
        .details
        .insert("client_secret".into(), secret.to_string());
    cognito
        .update_identity_provider(pool, &changed)
        .await
        .map_err(|e| engine::say(&e, &job.aws))?;
    let back = cognito
        .describe_identity_provider(pool, &provider.name)
        .await
        .map_err(|e| engine::say(&e, &job.aws))?;
    match back {
        Some(p) if p.details.get("client_secret").map(String::as_str) == Some(secret) => Ok(()),
        Some(_) => Err(format!(
            "Cognito's provider {} was updated, but reading it back does not show the new secret",
            provider.name
        )),
        None => Err(format!(
            "Cognito's provider {} is gone (removed while the rotation ran)",
            provider.name
        )),
    }
}

/// A rotation by the admin in the portal, guided.
struct Manual<'a> {
    run: &'a Run,
    store: &'a StateStore,
    lock: Option<&'a SetupLock>,
    cognito: &'a SdkCognito,
    pool: &'a str,
}

impl Manual<'_> {
    /// The application as the portal's lists find it. The tool names an application after
    /// its setup when it guides its making; one made by hand before an import has a name of
    /// its own that Cognito does not hold, so it is named by its Application (client) ID,
    /// which the portal's search takes.
    fn app_name(&self) -> String {
        let setup = &self.run.job.setup;
        if let Some(name) = &setup.entra.display_name {
            return name.clone();
        }
        let imported = self
            .run
            .state
            .as_ref()
            .is_some_and(|s| s.imported.is_some());
        if !imported {
            return setup.name.clone();
        }
        let app_id = match setup.protocol {
            Protocol::Saml => setup
                .saml()
                .metadata_url
                .as_deref()
                .and_then(crate::kit::metadata_app_id),
            Protocol::Oidc => setup.oidc().client_id,
        };
        match app_id {
            Some(id) => format!("the application whose Application ID is {id} (search for it)"),
            None => {
                "the application this provider federates with (made before the import)".to_string()
            }
        }
    }

    async fn secret(
        &self,
        provider: ProviderInfo,
        flags: Flags,
        face: &mut impl Face,
    ) -> Result<Rotated, Stopped> {
        let app = self.app_name();
        let plan = vec![
            format!(
                "portal: new client secret (App registrations › {app} › Certificates & secrets)"
            ),
            format!(
                "~ Cognito: provider {} client_secret -> the new one you give",
                provider.name
            ),
            "portal: delete the old client secret".to_string(),
        ];
        face.show(&format!(
            "Rotate {} — the OIDC client secret, in the Entra portal:\n  1. App registrations › {app} › Certificates & secrets › Client secrets › New client secret; choose its expiry (at most 24 months), Add.\n  2. Copy its Value at once (the portal shows it only now), and give it here: in COGNITO_ENTRA_CLIENT_SECRET, or typed when asked (hidden). Its Expires date goes in --secret-expires.\n  3. Once Cognito holds it (below), delete the old secret on the same page.\n\nThen:\n  ~ Cognito: provider {} client_secret -> the new one you give (every other detail and the attribute mapping kept), read back to check\n",
            self.run.job.setup.name, provider.name
        ));
        if flags.dry_run {
            face.show("\nDry run: nothing was changed in Cognito or Entra.\n");
            return Ok(Rotated {
                plan,
                ..Rotated::default()
            });
        }
        let secret = match crate::secrets::client_secret_from_environment() {
            Some(s) => s,
            None => face.secret().map_err(Stopped::Failed)?.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).ok_or_else(|| {
                Stopped::Failed("error: client secret: none was given, so Cognito was not changed; nothing was changed\n  fix: set COGNITO_ENTRA_CLIENT_SECRET to the new secret's Value (Certificates & secrets), or run rotate in a terminal to be asked".into())
            })?,
        };
        crate::secrets::register(&secret);
        let day = |d: time::Date| {
            d.format(time::macros::format_description!("[year]-[month]-[day]"))
                .unwrap_or_default()
        };
        if provider.details.get("client_secret") == Some(&secret)
            && let (Some(expires), Some(lock)) = (flags.secret_expires, self.lock)
        {
            // The secret is in place already: only its expiry is recorded.
            record(self.store, lock, &self.run.job.setup, |state| {
                state.entra.client_secret_expires = Some(day(expires));
            })?;
            face.show(&format!(
                "Cognito holds this secret already; nothing was changed in Cognito or Entra.\n✓ Recorded: it expires on {} (doctor warns {} days before).\n",
                day(expires),
                crate::doctor::DEFAULT_WITHIN_DAYS
            ));
            return Ok(Rotated {
                steps: 1,
                gap_seconds: None,
                plan: Vec::new(),
                done: vec![format!(
                    "recorded: the client secret expires on {}",
                    day(expires)
                )],
            });
        }
        if provider.details.get("client_secret") == Some(&secret) {
            return Err(Stopped::Failed(
                "error: client secret: the one given is the one Cognito holds already; nothing was changed\n  fix: make a new client secret in Entra (step 1) and give its Value".into(),
            ));
        }
        if !flags.yes {
            face.confirm("Give Cognito the new secret?", "Nothing was changed.")
                .map_err(Stopped::Failed)?;
        }
        give_cognito_secret(self.cognito, self.pool, &provider, &secret, &self.run.job)
            .await
            .map_err(|e| {
                Stopped::Failed(format!(
                    "error: {e}\nCognito still holds its old secret: do not delete it in Entra yet."
                ))
            })?;
        face.show(&format!(
            "✓ Cognito: provider {} holds the new secret (read back)\nNow delete the old secret in Entra (App registrations › {app} › Certificates & secrets).\n",
            provider.name
        ));
        // The date recorded was the old secret's: it goes, whatever replaces it.
        if let Some(lock) = self.lock {
            record(self.store, lock, &self.run.job.setup, |state| {
                state.entra.client_secret_expires = flags.secret_expires.map(day);
            })?;
        }
        match flags.secret_expires {
            Some(expires) => face.show(&format!(
                "✓ Recorded: the new secret expires on {} (doctor warns {} days before).\n",
                day(expires),
                crate::doctor::DEFAULT_WITHIN_DAYS
            )),
            None => face.show(&format!(
                "Its expiry is not recorded (the date recorded was the old secret's), so doctor warns until it is: run `cognito-entra rotate --setup {} --entra manual --secret-expires YYYY-MM-DD` with the same secret (the Expires column in Certificates & secrets); it records the date and changes nothing else.\n",
                self.run.job.setup.name
            )),
        }
        let mut done = vec![format!(
            "Cognito: provider {} holds the new client secret (read back)",
            provider.name
        )];
        if let Some(expires) = flags.secret_expires {
            done.push(format!(
                "recorded: the new client secret expires on {}",
                day(expires)
            ));
        }
        Ok(Rotated {
            steps: 1,
            gap_seconds: None,
            plan,
            done,
        })
    }

    async fn certificate(
        &self,
        provider: ProviderInfo,
        state: &State,
        flags: Flags,
        face: &mut impl Face,
    ) -> Result<Rotated, Stopped> {
        let setup = &self.run.job.setup;
        let app = self.app_name();
        let source = match (
            provider.details.get("MetadataURL"),
            setup.saml().metadata_file,
        ) {
            (Some(url), _) => url.clone(),
            (None, Some(file)) => file,
            (None, None) => {
                return Err(Stopped::Failed(format!(
                    "error: saml.metadata_file: Cognito's provider {} holds a metadata document and the setup names no file to read the new one from; nothing was changed\n  fix: download Federation Metadata XML (Single sign-on › SAML Certificates) after step 2 below, and set metadata_file under [saml] to its path",
                    provider.name
                )));
            }
        };
        let from_file = !provider.details.contains_key("MetadataURL");
        // Cognito's own certificates that changed since Entra was given them: uploaded first.
        let stale =
            stale_certificates(self.cognito, self.pool, &provider, state, &self.run.job).await?;
        let folder = certificate_folder(self.store, state, &setup.name);
        if !stale.is_empty() {
            let mut text = format!(
                "Rotate {} — first, Cognito has a new certificate of its own that Entra was not given yet{}:\n",
                setup.name,
                if stale.len() == 1 { "" } else { " (two)" }
            );
            for (i, c) in stale.iter().enumerate() {
                text.push_str(&format!(
                    "  {}. Cognito's {} certificate is now {}. {}: {}\n",
                    (b'a' + i as u8) as char,
                    c.kind,
                    c.thumbprint,
                    c.place,
                    folder
                        .join(format!("{}-{}.cer", setup.name, c.kind))
                        .display()
                ));
            }
            if flags.dry_run {
                text.push_str("  (rotate writes the file(s) there when it runs)\n");
            }
            text.push('\n');
            face.show(&text);
            if !flags.dry_run {
                cognito_entra_cognito::certs::write_for_entra(
                    self.cognito,
                    setup,
                    self.pool,
                    &folder,
                    None,
                )
                .await
                .map_err(|e| failed(certificate_error(e, &self.run.job)))?;
            }
        }
        let mut plan: Vec<String> = stale
            .iter()
            .map(|c| {
                format!(
                    "portal: upload Cognito's {} certificate {} ({})",
                    c.kind, c.thumbprint, c.place
                )
            })
            .collect();
        plan.push(format!(
            "portal: new SAML signing certificate, made active (Enterprise applications › {app} › Single sign-on)"
        ));
        plan.push(format!(
            "~ Cognito: provider {} {}",
            provider.name,
            if from_file {
                "gets the new metadata document (MetadataFile)"
            } else {
                "re-reads its MetadataURL"
            }
        ));
        face.show(&format!(
            "Rotate {} — the SAML signing certificate, in the Entra portal:\n  1. Enterprise applications › {app} › Single sign-on › SAML Certificates › Edit › New Certificate › Save.\n  2. On the new certificate: ⋯ › Make certificate active › Yes.{}\n\nThen, at once (Entra signs with the new certificate from now on):\n  ~ Cognito: provider {} {}, once the metadata is checked\n",
            setup.name,
            if from_file {
                format!("\n  3. Download Federation Metadata XML again, to {source}.")
            } else {
                String::new()
            },
            provider.name,
            if from_file {
                "gets the new metadata document (MetadataFile)"
            } else {
                "re-reads its MetadataURL"
            }
        ));
        if flags.dry_run {
            face.show("\nDry run: nothing was changed in Cognito or Entra.\n");
            return Ok(Rotated {
                plan,
                ..Rotated::default()
            });
        }
        if !flags.yes {
            face.confirm(
                "Done in the portal? Refresh Cognito now?",
                "Nothing was changed in Cognito.",
            )
            .map_err(Stopped::Failed)?;
        }
        let (document, metadata) = read_metadata(&source, &self.run.job.base_dir)
            .await
            .map_err(|e| Stopped::Failed(format!("error: {e}")))?;
        let known = state.entra_thumbprints();
        let new: Vec<&crate::entra_facts::Certificate> = metadata
            .certificates
            .iter()
            .filter(|c| !known.iter().any(|k| k.eq_ignore_ascii_case(&c.thumbprint)))
            .collect();
        if new.is_empty() && !known.is_empty() {
            return Err(Stopped::Failed(format!(
                "error: Entra's metadata ({source}) still offers only the certificate(s) Cognito had ({}); nothing was changed\n  fix: make the new certificate active in the portal (step 2{}), then run rotate again",
                known.join(", "),
                if from_file {
                    ", and download the metadata again"
                } else {
                    ""
                }
            )));
        }
        let mut refreshed = provider.clone();
        if from_file {
            refreshed.details.insert("MetadataFile".into(), document);
        }
        self.cognito
            .update_identity_provider(self.pool, &refreshed)
            .await
            .map_err(|e| failed(engine::say(&e, &self.run.job.aws)))?;
        if let Some(lock) = self.lock {
            record(self.store, lock, setup, |state| {
                state.record_entra(None, Some(&metadata));
            })?;
            if !stale.is_empty() {
                record_certificates(self.cognito, self.store, lock, self.run, self.pool, state)
                    .await
                    .map_err(failed)?;
                for c in &stale {
                    face.show(&format!(
                        "✓ Recorded: Entra has Cognito's {} certificate {} (doctor checks it from now on)\n",
                        c.kind, c.thumbprint
                    ));
                }
            }
        }
        for c in &new {
            face.show(&format!(
                "✓ Cognito: provider {} now trusts Entra's signing certificate {} (valid until {})\n",
                provider.name,
                c.thumbprint,
                crate::entra_facts::date(c.not_after)
            ));
        }
        let mut done: Vec<String> = stale
            .iter()
            .map(|c| {
                format!(
                    "recorded: Entra has Cognito's {} certificate {}",
                    c.kind, c.thumbprint
                )
            })
            .collect();
        done.extend(new.iter().map(|c| {
            format!(
                "Cognito: provider {} trusts Entra's signing certificate {}",
                provider.name, c.thumbprint
            )
        }));
        Ok(Rotated {
            steps: 1,
            gap_seconds: None,
            plan,
            done,
        })
    }
}
