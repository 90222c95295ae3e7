//! What `plan` and `apply` share: the setup resolved once (a saved setup, a setup file or a
//! saved plan's answers), and the face the engine's run shows and asks through (stdout for
//! what the admin reviews, stderr for notes, the terminal for questions and the secret).

use std::io::IsTerminal;

use cognito_entra::entra::graph::SignInPrompt;
use cognito_entra::run::{Face, Run, Stopped};
use cognito_entra::setup::Stage;

use super::source::{Resolved, answers_to_keep, job_for, resolve_for};
use super::{Context, Failure, print_warnings};
use crate::cli::{EntraArg, Source};
use cognito_entra::setup::model::EntraMode;

/// The command line's face: the plan and each change on stdout (stderr with --json, where
/// stdout holds one JSON object), notes on stderr, questions and the secret on the terminal.
pub struct CommandFace {
    pub command: &'static str,
    pub json: bool,
}

impl Face for CommandFace {
    fn sign_in(&self, prompt: SignInPrompt<'_>) {
        super::graph::show_sign_in(prompt);
    }

    fn show(&mut self, text: &str) {
        if self.json {
            crate::out::stderr(format_args!("{text}"));
        } else {
            out!("{text}");
        }
    }

    fn note(&mut self, text: &str) {
        errln!("{text}");
    }

    fn confirm(&mut self, question: &str, nothing: &str) -> Result<(), String> {
        super::confirm(self.command, question, nothing).map_err(|f| f.to_string())
    }

    fn secret(&mut self) -> Result<Option<String>, String> {
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
        rpassword::prompt_password(
            "Client secret Value from Entra (Certificates & secrets; typing is hidden): ",
        )
        .map(Some)
        .map_err(|e| format!("error: cannot read the secret: {e}"))
    }
}

impl From<Stopped> for Failure {
    fn from(s: Stopped) -> Self {
        match s {
            Stopped::Failed(m) => Failure::Failed(m),
            Stopped::Usage(m) => Failure::Usage(m),
        }
    }
}

/// The setup resolved once, checked for applying, as the engine runs it: its answers, its
/// state, who does the Entra side (`--entra` over the setup) and how Graph is reached.
pub fn run_for(
    ctx: &Context,
    source: &Source,
    entra: Option<EntraArg>,
    options: cognito_entra::plan::Options,
) -> Result<(Run, Resolved), Failure> {
    let resolved = resolve_for(ctx, source, Stage::Apply, super::graph::mode(entra))?;
    print_warnings(&resolved.warnings);
    let setup = &resolved.setup;
    if let Some(region) = ctx.global.region.as_deref().filter(|r| *r != setup.region) {
        return Err(Failure::Usage(format!(
            "error: --region {region} disagrees with the setup's region {:?}\n  fix: drop --region (the setup decides), or change region in the setup",
            setup.region
        )));
    }
    let run = Run {
        job: job_for(ctx, &resolved),
        answers: answers_to_keep(&resolved),
        state: resolved.state.clone(),
        graph: (setup.entra.mode == EntraMode::Graph).then(|| resolved.context.graph_options()),
        options,
    };
    Ok((run, resolved))
}
