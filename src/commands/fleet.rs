//! `plan --all` and `apply --all`: every saved setup through the engine's fleet operation
//! (`fleet`), shown through the same face as one setup's run; the summary last. Exit 1 when
//! any setup could not be planned or applied.

use cognito_entra::fleet::{self, Member};

use super::run_face::{CommandFace, run_for};
use super::{CommandResult, Context, EXIT_FAILURE, EXIT_OK, block_on};
use crate::cli::{EntraArg, Source};

/// Every saved setup, resolved as `--setup NAME` would be; one that cannot be carries why.
fn members(
    ctx: &Context,
    remove_other_providers: bool,
    entra: Option<EntraArg>,
) -> Result<Vec<Member>, super::Failure> {
    let store = ctx.store()?;
    let list = store.list()?;
    if list.is_empty() {
        return Err(super::Failure::Failed(format!(
            "error: --all: no saved setups in {}\n  fix: save one with `cognito-entra` (the wizard) or `cognito-entra apply --config FILE`",
            store.dir().display()
        )));
    }
    let options = cognito_entra::plan::Options {
        remove_other_providers,
        ..Default::default()
    };
    Ok(list
        .into_iter()
        .map(|summary| {
            let run = match summary.state {
                Err(e) => Err(format!("error: {e}")),
                Ok(_) => {
                    let source = Source {
                        setup: Some(summary.name.clone()),
                        config: None,
                        answers: None,
                    };
                    run_for(ctx, &source, entra, options)
                        .map(|(run, _)| run)
                        .map_err(|f| f.to_string())
                }
            };
            Member {
                name: summary.name,
                run,
            }
        })
        .collect())
}

pub fn plan(
    ctx: &Context,
    json: bool,
    remove_other_providers: bool,
    entra: Option<EntraArg>,
) -> CommandResult {
    let members = members(ctx, remove_other_providers, entra)?;
    let store = ctx.store()?;
    // With --json, stdout holds the one object; each setup's text goes to stderr.
    let mut face = CommandFace {
        command: "plan",
        json,
    };
    let summary = block_on(fleet::plan(members, &store, &mut face))?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&summary.to_json()).unwrap_or_default()
        );
    } else {
        out!("{}", summary.render());
    }
    Ok(if summary.any_failed() {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}

pub fn apply(
    ctx: &Context,
    yes: bool,
    remove_other_providers: bool,
    entra: Option<EntraArg>,
) -> CommandResult {
    let members = members(ctx, remove_other_providers, entra)?;
    let store = ctx.store()?;
    let mut face = CommandFace {
        command: "apply",
        json: false,
    };
    let summary = block_on(fleet::apply(members, &store, yes, &mut face))??;
    out!("{}", summary.render());
    Ok(if summary.any_failed() {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}
