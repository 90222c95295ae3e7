//! Resolving `--setup NAME | --config FILE` to a checked setup and what AWS already knows.

use std::path::PathBuf;

use cognito_entra::setup::load::{self, Loaded};
use cognito_entra::setup::model::EntraMode;
use cognito_entra::setup::{Known, Problem, Setup, SetupError, Stage};
use cognito_entra::state::State;

use super::{Context, Failure};
use crate::cli::Source;

pub struct Resolved {
    pub setup: Setup,
    pub known: Known,
    pub warnings: Vec<Problem>,
    /// The saved state of a setup of this name, if any.
    pub state: Option<State>,
    /// Where relative paths in the setup (metadata_file) start from.
    pub base_dir: PathBuf,
    /// The options this setup runs with: the global ones, its `[entra] cloud` applied (the
    /// authority, Graph and scopes' cloud chosen for it).
    pub context: Context,
}

pub fn resolve(ctx: &Context, source: &Source, stage: Stage) -> Result<Resolved, Failure> {
    resolve_for(ctx, source, stage, None)
}

/// `resolve`, with who does the Entra side decided by a flag (`--entra`) rather than the
/// setup: the setup is judged as it will be used.
pub fn resolve_for(
    ctx: &Context,
    source: &Source,
    stage: Stage,
    entra: Option<EntraMode>,
) -> Result<Resolved, Failure> {
    let Some(mode) = entra else {
        return resolve_as_given(ctx, source, stage);
    };
    let mut resolved = resolve_as_given(ctx, source, Stage::Values)?;
    resolved.setup.entra.mode = mode;
    // A setup whose application Graph made (the wizard's "do it for me") holds what Graph
    // gave; through Graph again, Graph gives it anew rather than it being "given".
    if mode == EntraMode::Graph
        && resolved
            .state
            .as_ref()
            .is_some_and(|s| s.entra.graph.is_some())
    {
        cognito_entra::entra_graph::take_back_from_cognito(&mut resolved.setup);
    }
    let checked = load::check(resolved.setup.clone(), stage, resolved.base_dir.clone()).map_err(
        |problems| SetupError {
            source: format!("setup {:?} with --entra", resolved.setup.name),
            problems,
        },
    )?;
    resolved.setup = checked.setup;
    Ok(resolved)
}

/// A customer's setup waiting for their reply is not planned or applied: its provider needs
/// what the reply carries (said so, rather than as a missing metadata URL).
fn refuse_waiting(stage: Stage, state: Option<&State>) -> Result<(), Failure> {
    match state.filter(|_| stage == Stage::Apply) {
        Some(state) => match cognito_entra::journey::customer_reply::waiting_refusal(state) {
            Some(why) => Err(Failure::Failed(why)),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

fn resolve_as_given(ctx: &Context, source: &Source, stage: Stage) -> Result<Resolved, Failure> {
    let store = ctx.store()?;
    let (loaded, state) = match (&source.setup, &source.config) {
        (Some(name), _) => {
            let state = store.load_existing(name)?;
            refuse_waiting(stage, Some(&state))?;
            let loaded =
                check_saved(state.answers.clone(), stage, Some(&state)).map_err(|problems| {
                    SetupError {
                        source: format!("saved setup {name:?} ({})", store.path(name).display()),
                        problems,
                    }
                })?;
            (loaded, Some(state))
        }
        (None, Some(file)) => {
            // Read once (it may be a pipe); the file's setup may be a customer's, handed over
            // and waiting for their reply.
            let (setup, base_dir) = load::read_file(file)?;
            let state = store.load(&setup.name)?;
            refuse_waiting(stage, state.as_ref())?;
            let loaded = load::check(setup, stage, base_dir).map_err(|problems| SetupError {
                source: file.display().to_string(),
                problems,
            })?;
            (loaded, state)
        }
        (None, None) => match &source.answers {
            // A saved plan's answers: their metadata file's path is absolute already.
            Some(answers) => {
                let state = store.load(&answers.name)?;
                let loaded = check_saved((**answers).clone(), stage, state.as_ref()).map_err(
                    |problems| SetupError {
                        source: format!("the answers of the saved plan for {:?}", answers.name),
                        problems,
                    },
                )?;
                (loaded, state)
            }
            None => {
                return Err(Failure::Usage(
                    "error: give --setup NAME (a saved setup) or --config FILE (a setup file)"
                        .into(),
                ));
            }
        },
    };
    let Loaded {
        setup,
        mut warnings,
        base_dir,
    } = loaded;
    // A setup whose Entra side the wizard made through Graph keeps its assign list (and
    // display name) without mode = "graph": they are not stray, so not warned of.
    if state.as_ref().is_some_and(|s| s.entra.graph.is_some()) {
        warnings.retain(|w| w.field != "entra.mode");
    }
    let known = state.as_ref().map(State::known).unwrap_or_default();
    Ok(Resolved {
        context: ctx.for_setup(&setup),
        setup,
        known,
        warnings,
        state,
        base_dir,
    })
}

/// Checks saved answers. Those of a setup whose application Graph made (`[entra] mode =
/// "graph"`, as the wizard saves it) hold what Graph gave — the app's metadata URL, or its
/// tenant and client ID — where the next step shows it: given by Graph, not by the admin, so
/// they are checked as a setup without them (and kept).
fn check_saved(
    answers: Setup,
    stage: Stage,
    state: Option<&State>,
) -> Result<Loaded, Vec<Problem>> {
    let graph_made = state.is_some_and(|s| s.entra.graph.is_some());
    if answers.entra.mode != EntraMode::Graph || !graph_made {
        return load::check(answers, stage, PathBuf::from("."));
    }
    let mut bare = answers.clone();
    cognito_entra::entra_graph::take_back_from_cognito(&mut bare);
    let checked = load::check(bare, stage, PathBuf::from("."))?;
    Ok(Loaded {
        setup: answers,
        ..checked
    })
}

/// The answers as they are kept (in the state file and a saved plan): a metadata file's path
/// made absolute, since they outlive the setup file's folder.
pub fn answers_to_keep(resolved: &Resolved) -> Setup {
    let mut answers = resolved.setup.clone();
    if let Some(saml) = answers.saml.as_mut()
        && let Some(file) = saml.metadata_file.as_mut()
    {
        let full = resolved.base_dir.join(&*file);
        *file = std::fs::canonicalize(&full)
            .unwrap_or(full)
            .display()
            .to_string();
    }
    answers
}

/// The engine's job for a resolved setup: its answers, what AWS already knows, the AWS
/// options (a flag or AWS_PROFILE first, then the saved setup's profile).
pub fn job_for(ctx: &Context, resolved: &Resolved) -> cognito_entra::engine::Job {
    cognito_entra::engine::Job {
        setup: resolved.setup.clone(),
        known: resolved.known.clone(),
        aws: cognito_entra::resolve::aws_options(
            &ctx.given(),
            resolved
                .state
                .as_ref()
                .and_then(|s| s.aws.profile.as_deref()),
            &resolved.setup.region,
        ),
        authority: resolved.context.global.authority.clone(),
        secret: None,
        out_dir: PathBuf::from("."),
        base_dir: resolved.base_dir.clone(),
        others: ctx
            .store()
            .map(|store| store.others(&resolved.setup.name))
            .unwrap_or_default(),
    }
}

/// The saved setup a command works on: the one named, or the only one there is.
pub fn saved_setup_name(
    store: &cognito_entra::state::StateStore,
    setup: Option<&str>,
) -> Result<String, Failure> {
    if let Some(n) = setup {
        return Ok(n.to_string());
    }
    let list = store.list()?;
    match list.as_slice() {
        [only] => Ok(only.name.clone()),
        [] => Err(Failure::Failed(format!(
            "error: no saved setups in {}\n  fix: start one with `cognito-entra` or `cognito-entra apply --config FILE`",
            store.dir().display()
        ))),
        many => {
            let names: Vec<&str> = many.iter().map(|s| s.name.as_str()).collect();
            Err(Failure::Usage(format!(
                "error: there are {} saved setups; say which with --setup NAME ({})",
                many.len(),
                names.join(", ")
            )))
        }
    }
}
