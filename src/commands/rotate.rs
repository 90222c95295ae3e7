//! `cognito-entra rotate --setup NAME`: the engine's rotation (`cognito_entra::rotate`)
//! rendered on the command line — the plan and each step on stdout, notes and the sign-in on
//! stderr, the one question and a typed secret on the terminal.

use cognito_entra::plan::Options;
use cognito_entra::rotate::{Flags, rotate};

use super::run_face::{CommandFace, run_for};
use super::{CommandResult, Context, EXIT_OK, block_on};
use crate::cli::{EntraArg, Source};

pub fn run(ctx: &Context, setup: &str, entra: Option<EntraArg>, flags: Flags) -> CommandResult {
    let store = ctx.store()?;
    let source = Source {
        setup: Some(setup.to_string()),
        config: None,
        answers: None,
    };
    let (run, _) = run_for(ctx, &source, entra, Options::default())?;
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
