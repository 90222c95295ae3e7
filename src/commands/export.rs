//! `cognito-entra export`: the setup as CloudFormation, Terraform, .env or JSON.

use cognito_entra::export::{Format, export};
use cognito_entra::setup::Protocol;
use cognito_entra::setup::{Stage, derive};

use super::source::resolve;
use super::{CommandResult, Context, EXIT_OK, Failure, block_on, print_warnings};
use crate::cli::Source;

pub fn run(ctx: &Context, source: &Source, format: &str) -> CommandResult {
    let format: Format = format
        .parse()
        .map_err(|e| Failure::Usage(format!("error: --format: {e}")))?;
    let mut resolved = resolve(ctx, source, Stage::Values)?;
    print_warnings(&resolved.warnings);
    // Done through Graph: the application's tenant and IDs stand in for the answers.
    resolved.setup = cognito_entra::entra_graph::with_what_graph_gave(
        &resolved.setup,
        &resolved.known,
        &resolved.context.global.authority,
    );
    let values = derive(
        &resolved.setup,
        &resolved.known,
        &resolved.context.global.authority,
    );
    for p in &values.pending {
        errln!(
            "note: {} is not known yet (it waits for {}); the export refers to the resource instead",
            p.key,
            p.waits_for
        );
    }
    let metadata_file = resolved
        .setup
        .saml
        .as_ref()
        .and_then(|s| s.metadata_file.as_ref())
        .map(|f| resolved.base_dir.join(f))
        .map(|path| {
            cognito_entra::bounded::read_text(&path, cognito_entra::bounded::METADATA).map_err(
                |e| {
                    Failure::Failed(format!(
                        "error: saml.metadata_file: cannot use {}: {e}\n  fix: name the Federation Metadata XML downloaded from Entra (a few kilobytes)",
                        path.display()
                    ))
                },
            )
        })
        .transpose()?;
    // OIDC endpoints come from the tenant's discovery document, as plan and doctor take them
    // (each cloud has its own hosts).
    let discovery = match (&resolved.setup.protocol, resolved.setup.oidc.as_ref()) {
        (Protocol::Oidc, Some(oidc)) if oidc.tenant_id.is_some() => {
            let tenant = oidc.tenant_id.clone().unwrap_or_default();
            let report = block_on(cognito_entra::engine::check_tenant(
                &tenant,
                &resolved.context.global.authority,
            ))?;
            let Some(found) = report.discovery else {
                let why: Vec<String> = report.findings.iter().map(|f| f.message.clone()).collect();
                return Err(Failure::Failed(format!(
                    "error: oidc.tenant_id: the tenant's discovery document could not be read, and the export takes the OIDC endpoints from it: {}\n  fix: check the tenant ID and the network (or --authority for another cloud), then export again",
                    why.join("; ")
                )));
            };
            Some(found)
        }
        _ => None,
    };
    out!(
        "{}",
        export(
            &resolved.setup,
            &values,
            format,
            metadata_file.as_deref(),
            discovery.as_ref()
        )
    );
    Ok(EXIT_OK)
}
