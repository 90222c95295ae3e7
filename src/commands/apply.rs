//! `cognito-entra apply`: show the plan, ask once, make each change in order while recording
//! it in the state file, then write the certificates Entra wants.

use std::path::Path;

use cognito_entra::plan_file::{self, SavedPlan};
use cognito_entra::run::Reviewed;

use super::run_face::{CommandFace, run_for};
use super::{CommandResult, Context, EXIT_OK, Failure, block_on};
use crate::cli::{EntraArg, Source};

pub fn run(
    ctx: &Context,
    source: &Source,
    yes: bool,
    entra: Option<EntraArg>,
    remove_other_providers: bool,
    out: Option<&Path>,
    saved_plan: Option<&Path>,
) -> CommandResult {
    block_on(run_async(
        ctx,
        source,
        yes,
        entra,
        remove_other_providers,
        out,
        saved_plan,
    ))?
}

/// A saved plan (`plan --out`), read before anything else: it names its setup and carries
/// its answers, so it needs no --setup or --config; given beside it, they must be its own.
fn read_saved_plan(path: &Path, source: &Source) -> Result<(SavedPlan, Source), Failure> {
    let shown = path.display().to_string();
    let bytes = cognito_entra::bounded::read_file(path, plan_file::MAX_BYTES).map_err(|e| {
        Failure::Failed(format!(
            "error: --plan: {}\n  fix: give the file `cognito-entra plan --out FILE` wrote",
            e.about(&shown)
        ))
    })?;
    let saved = plan_file::load(&shown, &bytes)
        .map_err(|e| Failure::Failed(format!("error: --plan: {e}")))?;
    if let Some(name) = source.setup.as_deref()
        && name != saved.setup
    {
        return Err(Failure::Failed(format!(
            "error: --plan: {shown} is a plan for the setup {:?}, not {name:?}; nothing was changed\n  fix: drop --setup (the plan names its setup), or make a plan for {name:?} with `cognito-entra plan --setup {name} --out FILE`",
            saved.setup
        )));
    }
    let source = if source.setup.is_some() || source.config.is_some() {
        source.clone()
    } else if saved.from == plan_file::Origin::Setup {
        // Made from a saved setup: applied to that setup as it is now, so answers changed
        // since (in the wizard, or by another run) make the plan stale.
        Source {
            setup: Some(saved.setup.clone()),
            config: None,
            answers: None,
        }
    } else {
        Source {
            setup: None,
            config: None,
            answers: Some(Box::new(saved.answers.clone())),
        }
    };
    Ok((saved, source))
}

async fn run_async(
    ctx: &Context,
    source: &Source,
    yes: bool,
    entra: Option<EntraArg>,
    remove_other_providers: bool,
    out: Option<&Path>,
    saved_plan: Option<&Path>,
) -> CommandResult {
    let saved = match saved_plan {
        Some(path) => Some(read_saved_plan(path, source)?),
        None => None,
    };
    let source = saved.as_ref().map_or(source, |(_, s)| s);
    if source.setup.is_none() && source.config.is_none() && source.answers.is_none() {
        return Err(Failure::Usage(
            "error: give --setup NAME (a saved setup), --config FILE (a setup file), --plan FILE (a plan saved by `plan --out`) or --all (every saved setup)".into(),
        ));
    }
    let store = ctx.store()?;
    let options = cognito_entra::plan::Options {
        remove_other_providers,
        ..Default::default()
    };
    let (run, _) = run_for(ctx, source, entra, options)?;
    let name = run.job.setup.name.clone();
    let customers = run.state.as_ref().is_some_and(|s| s.handoff.is_some());
    let reviewed = match (saved_plan, saved) {
        (Some(path), Some((saved, _))) => Some(Reviewed {
            shown: path.display().to_string(),
            saved,
        }),
        _ => None,
    };
    let mut face = CommandFace {
        command: "apply",
        json: false,
    };
    // The engine's one order: the lock, the Entra side, Cognito's plan reviewed and
    // applied, the hand-over.
    let applied = cognito_entra::run::apply(run, &store, yes, reviewed, out, &mut face).await?;
    let total = applied.changes;
    outln!(
        "\n{} change{} applied ({} AWS calls, {} writes). State saved in {}.",
        total,
        if total == 1 { "" } else { "s" },
        applied.calls,
        applied.writes,
        applied.state_file.display()
    );
    if customers {
        // The Entra side is in the customer's tenant: their admin has its values in the kit.
        outln!(
            "Next: test a sign-in with an address of the customer's domains; `cognito-entra doctor --setup {name}` checks the federation."
        );
    } else {
        outln!("Next: `cognito-entra values --setup {name}` shows the values for Entra again.");
    }
    Ok(EXIT_OK)
}
