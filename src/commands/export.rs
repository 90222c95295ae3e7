//! `cognito-entra export`: the setup as CloudFormation, Terraform, .env or JSON.

use cognito_entra::export::{Format, export};
use cognito_entra::setup::{Stage, derive};

use super::source::resolve;
use super::{CommandResult, Context, EXIT_OK, Failure, print_warnings};
use crate::cli::Source;

pub fn run(ctx: &Context, source: &Source, format: &str) -> CommandResult {
    let format: Format = format
        .parse()
        .map_err(|e| Failure::Usage(format!("error: --format: {e}")))?;
    let resolved = resolve(ctx, source, Stage::Values)?;
    print_warnings(&resolved.warnings);
    let values = derive(&resolved.setup, &resolved.known, &ctx.global.authority);
    for p in &values.pending {
        errln!(
            "note: {} is not known yet ({}); the export refers to the resource instead",
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
    out!(
        "{}",
        export(&resolved.setup, &values, format, metadata_file.as_deref())
    );
    Ok(EXIT_OK)
}
