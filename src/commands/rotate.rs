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

pub fn run(ctx: &Context, setup: &str, entra: Option<EntraArg>, flags: Flags) -> CommandResult {
    let store = ctx.store()?;
    let source = Source {
        setup: Some(setup.to_string()),
        config: None,
        answers: None,
    };
    // A rotation renews what the provider in Cognito and the application in Entra hold: the
    // saved answers are read as they are (a setup Graph made holds no tenant or client ID of
    // its own, whoever rotates it).
    let resolved = resolve(ctx, &source, Stage::Values)?;
    print_warnings(&resolved.warnings);
    let mode = super::graph::mode(entra).unwrap_or(resolved.setup.entra.mode);
    let run = Run {
        job: job_for(ctx, &resolved),
        answers: answers_to_keep(&resolved),
        state: resolved.state.clone(),
        graph: (mode == EntraMode::Graph).then(|| resolved.context.graph_options()),
        options: Options::default(),
    };
    let mut face = CommandFace {
        command: "rotate",
        json: false,
    };
    let rotated = block_on(rotate(run, &store, flags, &mut face))??;
    if rotated.steps > 0 {
        outln!("\nRotated: {} step(s) done and recorded.", rotated.steps);
    }
    Ok(EXIT_OK)
}
