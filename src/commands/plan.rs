//! `cognito-entra plan`: what apply would change, like `terraform plan`. Reads only; with
//! `--out FILE` the plan is also saved for `apply --plan FILE`.

use std::path::Path;

use super::run_face::{CommandFace, run_for};
use super::{CommandResult, Context, EXIT_OK, Failure, block_on};
use crate::cli::{EntraArg, Source};
use cognito_entra::plan_file::Origin;
use cognito_entra::run::EntraPhase;

pub fn run(
    ctx: &Context,
    source: &Source,
    json: bool,
    out: Option<&Path>,
    remove_other_providers: bool,
    entra: Option<EntraArg>,
) -> CommandResult {
    block_on(run_async(
        ctx,
        source,
        json,
        out,
        remove_other_providers,
        entra,
    ))?
}

async fn run_async(
    ctx: &Context,
    source: &Source,
    json: bool,
    out: Option<&Path>,
    remove_other_providers: bool,
    entra: Option<EntraArg>,
) -> CommandResult {
    if source.setup.is_none() && source.config.is_none() {
        return Err(Failure::Usage(
            "error: give --setup NAME (a saved setup), --config FILE (a setup file) or --all (every saved setup)".into(),
        ));
    }
    let options = cognito_entra::plan::Options {
        remove_other_providers,
        ..Default::default()
    };
    let (run, resolved) = run_for(ctx, source, entra, options)?;
    let store = ctx.store()?;
    let mut face = CommandFace {
        command: "plan",
        json,
    };
    // Reads only: no lock is taken, nothing is written on either side.
    let phase = cognito_entra::run::entra_side(&run, &store, None, false, &mut face).await?;
    if let EntraPhase::Pending {
        cognito_first,
        entra_changes,
        then,
    } = &phase
    {
        // The application does not exist yet: what Cognito gets from it is planned by apply,
        // once it does.
        if json {
            outln!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "cognito_first": cognito_first.to_json(),
                    "entra_changes": entra_changes,
                    "then": then,
                }))
                .unwrap_or_default()
            );
        }
        return Ok(EXIT_OK);
    }
    let graph = phase.given();
    let prepared = cognito_entra::run::plan_cognito(&run, graph, false, &mut face)
        .await?
        .planned;
    if let Some(path) = out {
        let from = if source.setup.is_some() {
            Origin::Setup
        } else {
            Origin::Config
        };
        let text = cognito_entra::plan_file::save(
            &super::source::answers_to_keep(&resolved),
            from,
            &prepared.plan,
            &cognito_entra::state::now_rfc3339(),
        );
        write_plan(path, &text)?;
        // The command that applies it, with the flags it was planned with.
        let mut command = format!(
            "cognito-entra apply --plan {}",
            shell_word(&path.display().to_string())
        );
        if remove_other_providers {
            command.push_str(" --remove-other-providers");
        }
        if let Some(EntraArg::Graph) = entra {
            command.push_str(" --entra graph");
        }
        errln!(
            "Plan saved to {} ({} change{}); `{command}` applies exactly it.",
            path.display(),
            prepared.plan.changes.len(),
            if prepared.plan.changes.len() == 1 {
                ""
            } else {
                "s"
            },
        );
    }
    if json {
        let mut shown = prepared.plan.to_json();
        if let Some(given) = graph {
            shown["entra_changes"] = serde_json::json!(given.planned);
        }
        outln!(
            "{}",
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        );
    } else {
        out!("{}", prepared.plan.render());
    }
    Ok(EXIT_OK)
}

/// Written the one safe way (`files::replace`): never through a symbolic link; readable by
/// its owner only (it names the account's resources).
fn write_plan(path: &Path, text: &str) -> Result<(), Failure> {
    cognito_entra::files::replace(path, text.as_bytes(), 0o600)
        .map(|_| ())
        .map_err(|e| {
            Failure::Failed(format!(
                "error: cannot save the plan: {e}\n  fix: choose a file in a folder you can write to"
            ))
        })
}

/// A path as a shell reads it back: quoted when it holds anything but plain characters.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
