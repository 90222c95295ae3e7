//! `cognito-entra apply`: show the plan, ask once, make each change in order while recording
//! it in the state file, then write the certificates Entra wants.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use cognito_entra::cognito::advice::advice;
use cognito_entra::cognito::api::CognitoApi;
use cognito_entra::cognito::apply::{ApplyError, Event, Ids, apply};
use cognito_entra::cognito::certs::write_certificate;
use cognito_entra::cognito::fake::WRITE_OPERATIONS;
use cognito_entra::journey::Step;
use cognito_entra::setup::Protocol;
use cognito_entra::state::{CertificateRecord, State};

use super::prepare::{Prepared, prepare};
use super::{CommandResult, Context, EXIT_OK, Failure, block_on};
use crate::cli::Source;

pub fn run(
    ctx: &Context,
    source: &Source,
    yes: bool,
    remove_other_providers: bool,
    out: Option<&Path>,
) -> CommandResult {
    block_on(run_async(ctx, source, yes, remove_other_providers, out))?
}

async fn run_async(
    ctx: &Context,
    source: &Source,
    yes: bool,
    remove_other_providers: bool,
    out: Option<&Path>,
) -> CommandResult {
    let prepared = prepare(ctx, source, remove_other_providers, true).await?;
    let setup = prepared.resolved.setup.clone();
    let store = ctx.store()?;
    let lock = store.lock(&setup.name)?;
    // Re-read under the lock: another run may have finished meanwhile.
    let mut state = store
        .load(&setup.name)?
        .unwrap_or_else(|| State::new(setup.clone()));
    state.answers = setup.clone();
    // Saved answers outlive the setup file's folder: keep the metadata file's full path.
    if let Some(saml) = state.answers.saml.as_mut()
        && let Some(file) = saml.metadata_file.as_mut()
    {
        let full = prepared.resolved.base_dir.join(&*file);
        *file = std::fs::canonicalize(&full)
            .unwrap_or(full)
            .display()
            .to_string();
    }

    print!("{}", prepared.plan.render());
    if !prepared.plan.is_empty() && !yes {
        confirm()?;
    }
    // Observation adopted whatever exists (by ID or by name); apply starts from those IDs.
    let mut ids = Ids {
        user_pool_id: prepared.pool_id.clone(),
        client_id: prepared.client_id.clone(),
    };
    record_ids(&mut state, &ids);
    record_entra(&mut state, &prepared);

    let total = prepared.plan.changes.len();
    let result = apply(
        &prepared.api,
        &prepared.plan,
        &mut ids,
        |event| match event {
            Event::Started(i, change) => {
                print!("[{}/{total}] {}… ", i + 1, change.describe());
                let _ = std::io::stdout().flush();
                Ok(())
            }
            Event::Finished(_, change, ids) => {
                println!("✓");
                record_ids(&mut state, ids);
                let id = change.id();
                if !state.progress.applied.contains(&id) {
                    state.progress.applied.push(id);
                }
                lock.save(&mut state).map_err(|e| e.to_string())
            }
        },
    )
    .await;
    if let Err(e) = result {
        println!("✗");
        let _ = lock.save(&mut state);
        let message = match e {
            ApplyError::Api { error, .. } => advice(
                &error,
                prepared.aws.profile.as_deref(),
                &prepared.aws.region,
            ),
            ApplyError::Record(why) => {
                format!("the change was made, but the state file could not be saved: {why}")
            }
        };
        return Err(Failure::Failed(format!(
            "error: {message}\nThe changes before this one are applied and recorded; run `cognito-entra apply` again to continue."
        )));
    }

    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    write_certificates(&prepared, &ids, &out_dir, &mut state).await?;
    mark_done(&mut state);
    lock.save(&mut state)?;
    drop(lock);

    let calls = prepared.api.calls();
    let writes = calls
        .iter()
        .filter(|c| WRITE_OPERATIONS.contains(c))
        .count();
    println!(
        "\n{} change{} applied ({} AWS calls, {writes} writes). State saved in {}.",
        total,
        if total == 1 { "" } else { "s" },
        calls.len(),
        store.path(&setup.name).display()
    );
    println!(
        "Next: `cognito-entra values --setup {}` shows the values for Entra again.",
        setup.name
    );
    Ok(EXIT_OK)
}

fn confirm() -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "error: apply needs a yes before changing AWS, and there is no terminal to ask in\n  fix: review the plan above, then run again with --yes".into(),
        ));
    }
    print!("\nApply these changes? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::Failed(format!("error: cannot read the answer: {e}")))?;
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::Failed("Nothing was changed.".into()))
    }
}

fn record_ids(state: &mut State, ids: &Ids) {
    if ids.user_pool_id.is_some() {
        state.aws.user_pool_id = ids.user_pool_id.clone();
    }
    if ids.client_id.is_some() {
        state.aws.client_id = ids.client_id.clone();
    }
    state.aws.domain = cognito_entra::setup::derive::domain_host(&state.answers);
}

fn record_entra(state: &mut State, p: &Prepared) {
    state.entra.tenant_id = p.tenant_id.clone();
    if let Some(m) = &p.metadata {
        state.entra.certificates = m
            .certificates
            .iter()
            .map(|c| CertificateRecord {
                kind: "entra-signing".into(),
                thumbprint: c.thumbprint.clone(),
                not_after: cognito_entra::entra::metadata::date(c.not_after),
                file: None,
            })
            .collect();
    }
}

fn mark_done(state: &mut State) {
    let done = [
        Step::Protocol,
        Step::AwsAccount,
        Step::UserPool,
        Step::Domain,
        Step::AppClient,
        Step::Provider,
        Step::EntraPortal,
        Step::BackFromEntra,
        Step::AttributeMapping,
        Step::ReviewApply,
    ];
    for s in done {
        if !state.progress.steps_done.contains(&s) {
            state.progress.steps_done.push(s);
        }
    }
}

async fn write_certificates(
    p: &Prepared,
    ids: &Ids,
    dir: &Path,
    state: &mut State,
) -> Result<(), Failure> {
    let Some(pool_id) = &ids.user_pool_id else {
        return Ok(());
    };
    let setup = &p.resolved.setup;
    let fail = |e: String| {
        Failure::Failed(format!(
            "error: {e}\nThe Cognito side is applied; run `cognito-entra apply` again to write the certificates."
        ))
    };
    let api_fail = |e| fail(advice(&e, p.aws.profile.as_deref(), &p.aws.region));
    let mut records = Vec::new();
    let signing = p
        .api
        .get_signing_certificate(pool_id)
        .await
        .map_err(api_fail)?;
    let written =
        write_certificate(dir, &format!("{}-signing.cer", setup.name), &signing).map_err(fail)?;
    let saml = setup.saml();
    let needed = setup.protocol == Protocol::Saml && (saml.sign_requests || saml.idp_signout);
    println!(
        "\nCognito signing certificate: {} (thumbprint {}, valid until {}){}",
        written.path.display(),
        written.thumbprint,
        written.not_after,
        if needed {
            "\n  → Entra: Single sign-on › Verification certificates › Require verification certificates › Upload this file"
        } else {
            ""
        }
    );
    records.push(CertificateRecord {
        kind: "signing".into(),
        thumbprint: written.thumbprint,
        not_after: written.not_after,
        file: Some(written.path.display().to_string()),
    });
    if setup.protocol == Protocol::Saml && saml.encrypted_responses {
        let provider = p
            .api
            .describe_identity_provider(pool_id, setup.provider_name())
            .await
            .map_err(api_fail)?;
        match provider.and_then(|pr| pr.details.get("ActiveEncryptionCertificate").cloned()) {
            Some(cert) => {
                let written =
                    write_certificate(dir, &format!("{}-encryption.cer", setup.name), &cert)
                        .map_err(fail)?;
                println!(
                    "Cognito encryption certificate: {} (thumbprint {}, valid until {})\n  → Entra: Single sign-on › Token encryption › Import certificate › this file, then right-click it › Activate",
                    written.path.display(),
                    written.thumbprint,
                    written.not_after
                );
                records.push(CertificateRecord {
                    kind: "encryption".into(),
                    thumbprint: written.thumbprint,
                    not_after: written.not_after,
                    file: Some(written.path.display().to_string()),
                });
            }
            None => eprintln!(
                "warning: Cognito returned no encryption certificate for {}; run apply again in a minute",
                setup.provider_name()
            ),
        }
    }
    state.aws.certificates = records;
    Ok(())
}
