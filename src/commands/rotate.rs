//! `cognito-entra rotate --setup NAME`: the engine's rotation (`cognito_entra::rotate`)
//! rendered on the command line — the plan and each step on stdout, notes and the sign-in on
//! stderr, the one question and a typed secret on the terminal.

use cognito_entra::plan::Options;
use cognito_entra::rotate::{Flags, rotate};
use cognito_entra::run::Run;
use cognito_entra::setup::Stage;
use cognito_entra::setup::model::EntraMode;

use super::run_face::CommandFace;
use super::source::{answers_to_keep, job_for, resolve};
use super::{CommandResult, Context, EXIT_OK, block_on, print_warnings};
use crate::cli::{EntraArg, Source};

/// A saved setup as a rotation runs it: its saved answers read as they are (a setup Graph
/// made holds no tenant or client ID of its own, whoever rotates it), Graph when `--entra`
/// or the setup says so. Shared by the command and plain mode.
pub fn run_for(
    ctx: &Context,
    setup: &str,
    entra: Option<EntraArg>,
) -> Result<(Run, Vec<cognito_entra::setup::Problem>), crate::commands::Failure> {
    let source = Source {
        setup: Some(setup.to_string()),
        config: None,
        answers: None,
    };
    let resolved = resolve(ctx, &source, Stage::Values)?;
    let mode = super::graph::mode(entra).unwrap_or(resolved.setup.entra.mode);
    let run = Run {
        job: job_for(ctx, &resolved),
        answers: answers_to_keep(&resolved),
        state: resolved.state.clone(),
        graph: (mode == EntraMode::Graph).then(|| resolved.context.graph_options()),
        options: Options::default(),
    };
    Ok((run, resolved.warnings))
}

pub fn run(
    ctx: &Context,
    setup: &str,
    entra: Option<EntraArg>,
    json: bool,
    flags: Flags,
) -> CommandResult {
    let store = ctx.store()?;
    // A rotation renews what the provider in Cognito and the application in Entra hold.
    let (run, warnings) = run_for(ctx, setup, entra)?;
    print_warnings(&warnings);
    let protocol = run.job.setup.protocol;
    let through = if run.graph.is_some() {
        "graph"
    } else {
        "manual"
    };
    let mut face = CommandFace {
        command: "rotate",
        json,
    };
    let result = block_on(rotate(run, &store, flags, &mut face))?;
    if json {
        // One object on stdout whatever happened; what stopped it is its `error`.
        let mut v = serde_json::json!({
            "setup": setup,
            "protocol": protocol.label(),
            "through": through,
            "dry_run": flags.dry_run,
        });
        match &result {
            Ok(rotated) => {
                v["plan"] = serde_json::json!(rotated.plan);
                v["done"] = serde_json::json!(rotated.done);
                v["gap_seconds"] = serde_json::json!(rotated.gap_seconds);
            }
            Err(stopped) => v["error"] = serde_json::json!(stopped.to_string()),
        }
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    let rotated = result?;
    if rotated.steps > 0 && !json {
        outln!("\nRotated: {} step(s) done and recorded.", rotated.steps);
    }
    Ok(EXIT_OK)
}
