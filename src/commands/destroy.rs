//! `cognito-entra destroy --setup NAME`: take down what a setup created in Cognito (never
//! what it adopted), after showing the plan and asking once. Each removal is recorded before
//! it is printed; an interrupted destroy finishes when run again, a finished one is a no-op.

use cognito_entra::engine::{Job, TeardownStopped, teardown_plan, teardown_reviewed};
use cognito_entra::teardown::record_torn_down;

use cognito_entra::setup::Stage;

use super::source::{resolve, saved_setup_name};
use super::{CommandResult, Context, EXIT_OK, Failure, block_on};
use crate::cli::Source;

pub fn run(ctx: &Context, source: &Source, yes: bool) -> CommandResult {
    let store = ctx.store()?;
    // What was created is in the state of the setup's name; a setup file gives the name.
    let name = match (&source.setup, &source.config) {
        (_, Some(_)) => resolve(ctx, source, Stage::Values)?.setup.name,
        (setup, None) => saved_setup_name(&store, setup.as_deref())?,
    };
    let lock = store.lock(&name)?;
    let mut state = store.load_existing(&name)?;
    let ctx = &ctx.for_setup(&state.answers);
    let job = Job::from_state(&state, &ctx.given(), &ctx.global.authority, None);
    let mut reviewed = block_on(teardown_plan(&job, &state))?
        .map_err(|e| Failure::Failed(format!("error: {e}")))?;
    loop {
        outln!(
            "{name} ({} · {})",
            state.answers.protocol.label(),
            state.answers.region
        );
        out!("{}", reviewed.render());
        // The Entra application: removed when this setup made it through Graph, kept when
        // it was adopted.
        let remove_app = state.entra.graph.clone().filter(|g| g.created);
        if reviewed.removals.is_empty() {
            if let Some(app) = &remove_app {
                if !yes {
                    confirm()?;
                }
                block_on(remove_entra_app(ctx, app, &state.answers))??;
                state.entra.graph = None;
                lock.save(&mut state)?;
                outln!("  ✓ Entra application {} removed", app.app_id);
            }
            if !state.progress.applied.is_empty() || state.aws.user_pool_id.is_some() {
                record_torn_down(&mut state);
                lock.save(&mut state)?;
            }
            return Ok(EXIT_OK);
        }
        if !yes {
            confirm()?;
        }
        let total = reviewed.removals.len();
        let mut saved = Ok(());
        let outcome = block_on(teardown_reviewed(
            &job,
            &state.clone(),
            &reviewed,
            |i, r| {
                // Recorded, then said.
                state.record_applied(r.id());
                if saved.is_ok() {
                    saved = lock.save(&mut state);
                }
                outln!("  ✓ {}/{total} {}", i + 1, r.describe());
            },
        ))?;
        saved?;
        match outcome {
            Ok(()) => {
                if let Some(app) = &remove_app {
                    block_on(remove_entra_app(ctx, app, &state.answers))??;
                    state.entra.graph = None;
                    lock.save(&mut state)?;
                    outln!("  ✓ Entra application {} removed", app.app_id);
                }
                record_torn_down(&mut state);
                lock.save(&mut state)?;
                outln!(
                    "\n{name} is taken down; its answers are kept (`cognito-entra wizard` sets it up again)."
                );
                return Ok(EXIT_OK);
            }
            Err(TeardownStopped::Stale(now)) => {
                outln!(
                    "! The account changed since this plan was made: nothing was removed. This is what destroy would do now:"
                );
                reviewed = now;
            }
            Err(TeardownStopped::Failed(e)) => {
                return Err(Failure::Failed(format!("error: {e}")));
            }
        }
    }
}

/// Signs in to Graph and deletes the application this setup made (its service principal
/// goes with it). One already gone is fine.
async fn remove_entra_app(
    ctx: &Context,
    app: &cognito_entra::state::GraphRecord,
    setup: &cognito_entra::setup::Setup,
) -> Result<(), Failure> {
    let needs = cognito_entra::entra_graph::needs(setup);
    let graph = super::graph::sign_in(ctx, setup, None, needs).await?;
    // The tool's claims-mapping policy goes with the application it was made for.
    let policy = needs.claims.then(|| {
        cognito_entra::entra_app::claims_policy_name(
            setup.entra.display_name.as_deref().unwrap_or(&setup.name),
        )
    });
    cognito_entra::entra_graph::remove_application(&graph, &app.application_id, policy.as_deref())
        .await
        .map_err(|e| {
            Failure::Failed(format!(
                "error: {e}\nWhat finished is saved; run destroy again."
            ))
        })
}

fn confirm() -> Result<(), Failure> {
    super::confirm("destroy", "Remove these?", "Nothing was removed.")
}
