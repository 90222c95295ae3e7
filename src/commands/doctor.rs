//! `cognito-entra doctor`: read the live setup (Cognito and Entra) and judge it against the
//! saved answers, check by check, with the fix for each problem.

use cognito_entra::doctor::{Status, assess};
use cognito_entra::engine::{Job, read_live};
use cognito_entra::setup::derive;
use serde_json::json;

use super::source::saved_setup_name;
use cognito_entra::doctor::Check;
use cognito_entra::setup::Values;
use cognito_entra::state::State;

/// The Entra application read through Graph (after a sign-in on stderr), judged.
async fn entra_checks(
    ctx: &Context,
    state: &State,
    values: &Values,
    live: &cognito_entra::doctor::Live,
    job: &Job,
    now: time::OffsetDateTime,
) -> Result<Vec<Check>, Failure> {
    use cognito_entra::entra_graph;
    let graph = super::graph::sign_in(
        ctx,
        &state.answers,
        state.entra.tenant_id.as_deref(),
        entra_graph::needs(&state.answers),
    )
    .await?;
    let mut desired = entra_graph::desired(&state.answers, job, false);
    // A setup done in the portal is found by its client ID (OIDC) when nothing is recorded.
    if state.entra.graph.is_none() {
        desired.app_id = state
            .answers
            .oidc
            .as_ref()
            .and_then(|o| o.client_id.clone());
    }
    let seen = entra_graph::observe(&graph, &desired, state.entra.graph.as_ref())
        .await
        .map_err(|e| Failure::Failed(format!("error: {e}")))?;
    Ok(cognito_entra::doctor::assess_entra(
        state, values, live, &seen, now,
    ))
}
use super::{CommandResult, Context, EXIT_FAILURE, EXIT_OK, Failure, block_on};

pub fn run(ctx: &Context, setup: Option<&str>, json_out: bool, graph: bool) -> CommandResult {
    let store = ctx.store()?;
    let name = saved_setup_name(&store, setup)?;
    let state = store.load_existing(&name)?;
    let s = &state.answers;
    let ctx = &ctx.for_setup(s);
    let values = derive(s, &state.known(), &ctx.global.authority);
    let now = time::OffsetDateTime::now_utc();
    let job = Job::from_state(&state, &ctx.given(), &ctx.global.authority, None);
    let live =
        block_on(read_live(&job, &values))?.map_err(|e| Failure::Failed(format!("error: {e}")))?;
    let mut checks = assess(&state, &values, &live, now);
    if graph {
        checks.extend(block_on(entra_checks(
            ctx, &state, &values, &live, &job, now,
        ))??);
    }
    let count = |st: Status| checks.iter().filter(|c| c.status == st).count();
    let (pass, warn, fail) = (
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
    );
    if json_out {
        let out = json!({"setup": name, "checks": checks, "summary": {"pass": pass, "warn": warn, "fail": fail}});
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        outln!("{name} ({} · {})", s.protocol.label(), s.region);
        // One column for every check's name, as wide as the longest (names are ours, short).
        let width = checks
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0)
            .max(20);
        for c in &checks {
            let mark = match c.status {
                Status::Pass => "✓ pass",
                Status::Warn => "! warn",
                Status::Fail => "✗ fail",
            };
            outln!("{mark}  {:<width$} {}", c.name, c.detail);
            if !c.fix.is_empty() && c.status != Status::Pass {
                outln!("        fix: {}", c.fix);
            }
        }
        outln!(
            "\n{pass} passed, {warn} warning{}, {fail} failed.",
            if warn == 1 { "" } else { "s" }
        );
    }
    Ok(if fail > 0 { EXIT_FAILURE } else { EXIT_OK })
}
