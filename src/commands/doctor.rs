//! `cognito-entra doctor`: read the live setup (Cognito and Entra) and judge it against the
//! saved answers, check by check, with the fix for each problem.

use cognito_entra::doctor::Status;
use cognito_entra::doctor_all::{Reach, Report, Summary, check, check_all};
use cognito_entra::engine::Job;
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

/// How the command line reaches each setup: the flags and environment, the setup's own
/// `[entra] cloud` laid over them.
struct CommandReach<'a> {
    ctx: &'a Context,
}

impl Reach for CommandReach<'_> {
    fn job(&self, state: &State) -> Job {
        let here = self.ctx.for_setup(&state.answers);
        Job::from_state(state, &self.ctx.given(), &here.global.authority, None)
    }

    fn authority(&self, setup: &cognito_entra::setup::Setup) -> String {
        self.ctx.for_setup(setup).global.authority
    }
}

pub fn run(
    ctx: &Context,
    setup: Option<&str>,
    json_out: bool,
    graph: bool,
    within: i64,
) -> CommandResult {
    let store = ctx.store()?;
    let name = saved_setup_name(&store, setup)?;
    let state = store.load_existing(&name)?;
    let ctx = &ctx.for_setup(&state.answers);
    let reach = CommandReach { ctx };
    let (mut report, live) = block_on(check(&state, &reach, within))?
        .map_err(|e| Failure::Failed(format!("error: {e}")))?;
    if graph {
        let values = derive(&state.answers, &state.known(), &ctx.global.authority);
        let job = reach.job(&state);
        let now = time::OffsetDateTime::now_utc();
        let mut checks = report.checks.clone();
        checks.extend(block_on(entra_checks(
            ctx, &state, &values, &live, &job, now,
        ))??);
        report = Report::with_checks(report, checks);
    }
    let fail = report.summary.fail;
    if json_out {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print_report(&state, &report);
    }
    Ok(if fail > 0 { EXIT_FAILURE } else { EXIT_OK })
}

fn print_report(state: &State, report: &Report) {
    let s = &state.answers;
    outln!("{} ({} · {})", report.setup, s.protocol.label(), s.region);
    // One column for every check's name, as wide as the longest (names are ours, short).
    let width = report
        .checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    for c in &report.checks {
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
    let Summary { pass, warn, fail } = report.summary;
    outln!(
        "\n{pass} passed, {warn} warning{}, {fail} failed.",
        if warn == 1 { "" } else { "s" }
    );
}

/// `doctor --all`: every saved setup at once; a table (or one JSON object), exit 1 when any
/// setup fails. `quiet`: only the setups that fail.
pub fn run_all(ctx: &Context, json_out: bool, within: i64, quiet: bool) -> CommandResult {
    let store = ctx.store()?;
    let reach = CommandReach { ctx };
    let reports = block_on(check_all(&store, &reach, within))?;
    let failing = reports.iter().filter(|r| r.summary.fail > 0).count();
    let warning = reports
        .iter()
        .filter(|r| r.summary.fail == 0 && r.summary.warn > 0)
        .count();
    if json_out {
        let out = json!({
            "setups": reports,
            "summary": {
                "setups": reports.len(),
                "failing": failing,
                "warning": warning,
                "passing": reports.len() - failing - warning,
                "within_days": within,
            },
        });
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else if reports.is_empty() {
        outln!(
            "No saved setups in {}; nothing to check.",
            store.dir().display()
        );
    } else {
        let rows: Vec<[String; 5]> = reports
            .iter()
            .filter(|r| !quiet || r.summary.fail > 0)
            .map(|r| {
                let verdict = match r.worst() {
                    Status::Pass => "pass".to_string(),
                    Status::Warn => format!("warn ({})", r.summary.warn),
                    Status::Fail => format!("FAIL ({})", r.summary.fail),
                };
                let next = r
                    .expiries
                    .iter()
                    .find(|e| e.days >= 0)
                    .or(r.expiries.first())
                    .map(|e| format!("{} {} ({})", e.date, e.what, days_text(e.days)))
                    .unwrap_or_else(|| "-".into());
                let step = if r.next_step.is_empty() {
                    "-".to_string()
                } else {
                    r.next_step.clone()
                };
                [
                    r.setup.clone(),
                    r.protocol.map_or("?", |p| p.label()).to_string(),
                    verdict,
                    next,
                    step,
                ]
            })
            .collect();
        let head = ["SETUP", "PROTOCOL", "VERDICT", "NEXT EXPIRY", "NEXT STEP"];
        let width = |i: usize| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([head[i].len()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..4).map(width).collect();
        let line = |cols: &[String]| {
            let mut text = String::new();
            for (i, c) in cols.iter().enumerate() {
                if i < 4 {
                    text.push_str(&format!("{c:<w$}  ", w = widths[i]));
                } else {
                    text.push_str(c);
                }
            }
            text
        };
        if !rows.is_empty() {
            outln!("{}", line(&head.map(str::to_string)));
            for r in &rows {
                outln!("{}", line(r));
            }
            outln!();
        }
        outln!(
            "{} setup{} checked: {failing} failing, {warning} with warnings, {} passing (expiries are warned of {within} days ahead).",
            reports.len(),
            if reports.len() == 1 { "" } else { "s" },
            reports.len() - failing - warning
        );
    }
    Ok(if failing > 0 { EXIT_FAILURE } else { EXIT_OK })
}

fn days_text(days: i64) -> String {
    match days {
        d if d < 0 => format!("{} days ago", -d),
        0 => "today".into(),
        1 => "in 1 day".into(),
        d => format!("in {d} days"),
    }
}
