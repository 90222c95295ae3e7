//! `plan --all` and `apply --all`: every saved setup — a SaaS product's customers, each with
//! its own provider on one shared pool and client (#24) — planned and shown together
//! (grouped by setup), asked once, then applied setup by setup through the one run order
//! (`run::apply`). A setup that cannot be planned or applied stops only itself; the summary
//! says which were applied, which were not, and why.
//!
//! Each setup is planned again right before it is applied (and that plan is shown): on a
//! shared app client, the setups applied before it have changed what it adds. Calls to
//! Cognito are paced under its request-rate quotas for the whole run (`rate`, one pacer per
//! process), so many customers on one pool are not throttled half-way.

use cognito_entra_entra::graph::SignInPrompt;

use crate::plan::Plan;
use crate::run::{self, Applied, EntraPhase, Face, Run, Stopped};
use crate::state::StateStore;

/// The face of one setup within the run: its notes and warnings name it (they come on
/// their own stream, away from the heading the plan is shown under).
struct Named<'a, F: Face> {
    name: &'a str,
    face: &'a mut F,
}

impl<F: Face> Face for Named<'_, F> {
    fn sign_in(&self, prompt: SignInPrompt<'_>) {
        self.face.sign_in(prompt);
    }
    fn show(&mut self, text: &str) {
        self.face.show(text);
    }
    fn note(&mut self, text: &str) {
        self.face.note(&format!("{}: {text}", self.name));
    }
    fn confirm(&mut self, question: &str, nothing: &str) -> Result<(), String> {
        self.face.confirm(question, nothing)
    }
    fn secret(&mut self) -> Result<Option<String>, String> {
        self.face.secret()
    }
}

/// A saved setup as the face resolved it: ready to run, or why it cannot be (an unreadable
/// state file, a setup that no longer passes its checks).
pub struct Member {
    pub name: String,
    pub run: Result<Run, String>,
}

/// What the plan of one setup came to.
pub enum Planned {
    /// Cognito's changes (empty: nothing to do).
    Cognito(Plan),
    /// Through Graph, the Entra application is still to be made: Cognito's part is planned
    /// by apply once it exists.
    EntraFirst,
}

/// How each setup ended, in the order they ran.
pub enum Outcome {
    Applied(Applied),
    /// Nothing to change: the setup holds already.
    Unchanged,
    /// Planned only (`plan --all`), with the number of changes (`None`: after the Entra side).
    Planned(Option<usize>),
    NotApplied(String),
}

pub struct Summary {
    pub outcomes: Vec<(String, Outcome)>,
    /// Whether this was `apply` (else `plan`).
    pub applied: bool,
    /// `plan --all`: each planned setup's changes, for `--json`.
    pub plans: std::collections::BTreeMap<String, Plan>,
}

impl Summary {
    /// Whether any setup could not be planned or applied (the command exits 1).
    pub fn any_failed(&self) -> bool {
        self.outcomes
            .iter()
            .any(|(_, o)| matches!(o, Outcome::NotApplied(_)))
    }

    /// `plan --all --json`: one object, each setup's outcome and changes (`plan --json`'s
    /// shape), then the counts.
    pub fn to_json(&self) -> serde_json::Value {
        let setups: Vec<serde_json::Value> = self
            .outcomes
            .iter()
            .map(|(name, outcome)| {
                let mut entry = serde_json::json!({ "setup": name });
                let (word, error) = match outcome {
                    Outcome::Applied(_) => ("applied", None),
                    Outcome::Unchanged => ("unchanged", None),
                    Outcome::Planned(Some(_)) => ("planned", None),
                    Outcome::Planned(None) => ("entra_first", None),
                    Outcome::NotApplied(why) => (
                        if self.applied {
                            "not_applied"
                        } else {
                            "not_planned"
                        },
                        Some(why.trim_end().to_string()),
                    ),
                };
                entry["outcome"] = serde_json::json!(word);
                if let Some(plan) = self.plans.get(name) {
                    entry["plan"] = plan.to_json();
                }
                if let Some(error) = error {
                    entry["error"] = serde_json::json!(error);
                }
                entry
            })
            .collect();
        let failed = self
            .outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::NotApplied(_)))
            .count();
        serde_json::json!({
            "setups": setups,
            "summary": {
                "total": self.outcomes.len(),
                "failed": failed,
                "ok": self.outcomes.len() - failed,
            }
        })
    }

    pub fn render(&self) -> String {
        let mut out = String::from("\nSummary:\n");
        let (mut good, mut bad) = (0, 0);
        for (name, outcome) in &self.outcomes {
            let line = match outcome {
                Outcome::Applied(a) => {
                    good += 1;
                    format!(
                        "  ✓ {name}: applied ({} change{})",
                        a.changes,
                        if a.changes == 1 { "" } else { "s" }
                    )
                }
                Outcome::Unchanged => {
                    good += 1;
                    format!("  ✓ {name}: no changes needed")
                }
                Outcome::Planned(Some(n)) => {
                    good += 1;
                    format!(
                        "  ✓ {name}: planned ({n} change{})",
                        if *n == 1 { "" } else { "s" }
                    )
                }
                Outcome::Planned(None) => {
                    good += 1;
                    format!("  ✓ {name}: planned (the Entra side first, then Cognito's)")
                }
                Outcome::NotApplied(why) => {
                    bad += 1;
                    let verb = if self.applied { "applied" } else { "planned" };
                    let why = why.trim_end().replace('\n', "\n      ");
                    format!("  ✗ {name}: not {verb}:\n      {why}")
                }
            };
            out.push_str(&line);
            out.push('\n');
        }
        let total = self.outcomes.len();
        let verb = if self.applied { "applied" } else { "planned" };
        let setups = if total == 1 { "setup" } else { "setups" };
        out.push_str(&format!("{good} of {total} {setups} {verb}"));
        if bad > 0 {
            out.push_str(&format!("; {bad} not {verb}"));
        }
        out.push_str(".\n");
        out
    }
}

fn heading(name: &str, run: &Run) -> String {
    let pool = match (pool_of(run), &run.job.setup.user_pool.name) {
        (Some(id), _) => id,
        (None, Some(name)) => format!("the user pool named {name:?}"),
        (None, None) => "a user pool".into(),
    };
    format!(
        "\n── {name} ── (provider {}, {pool} in {})\n",
        run.job.setup.provider_name(),
        run.job.setup.region
    )
}

/// The pool a setup works on, when known before it is applied.
fn pool_of(run: &Run) -> Option<String> {
    run.job
        .setup
        .user_pool
        .id
        .clone()
        .or_else(|| run.job.known.user_pool_id.clone())
}

/// Identifiers two setups of this run ask for on the same pool: the live pool cannot show
/// them yet (neither provider exists), and Cognito gives each to one provider only. The
/// later setup (in name order) is refused.
fn claimed_within(members: &[Member]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let Ok(run) = &member.run else { continue };
        let (Some(pool), Some(ids)) = (pool_of(run), &run.job.setup.provider.identifiers) else {
            continue;
        };
        for earlier in &members[..i] {
            let Ok(other) = &earlier.run else { continue };
            if pool_of(other).as_deref() != Some(pool.as_str())
                || other.job.setup.provider_name() == run.job.setup.provider_name()
            {
                continue;
            }
            let theirs = other
                .job
                .setup
                .provider
                .identifiers
                .clone()
                .unwrap_or_default();
            if let Some(clash) = ids
                .iter()
                .find(|id| theirs.iter().any(|t| t.to_lowercase() == id.to_lowercase()))
            {
                out.push((
                    i,
                    format!(
                        "error: provider.identifiers: {clash} is also asked for by setup {:?} on the same pool in this run: Cognito sends each identifier to one provider only; nothing was changed for this setup\n  fix: take {clash} out of one of the two setups' identifiers (cognito-entra wizard --setup {})",
                        earlier.name, member.name
                    ),
                ));
                break;
            }
        }
    }
    out
}

/// Plans every setup (reads only), each shown under its heading. The result keeps the order
/// of `members`; a setup that cannot be planned carries why.
pub async fn plan_all(
    members: &[Member],
    store: &StateStore,
    face: &mut impl Face,
) -> Vec<Result<Planned, String>> {
    let clashes = claimed_within(members);
    let mut out = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let run = match &member.run {
            Ok(run) => run,
            Err(why) => {
                face.show(&format!(
                    "\n── {} ──\n  cannot be planned (below)\n",
                    member.name
                ));
                out.push(Err(why.clone()));
                continue;
            }
        };
        face.show(&heading(&member.name, run));
        if let Some((_, why)) = clashes.iter().find(|(at, _)| *at == i) {
            face.show("  cannot be planned (below)\n");
            out.push(Err(why.clone()));
            continue;
        }
        let mut named = Named {
            name: &member.name,
            face: &mut *face,
        };
        out.push(
            plan_one(run, store, &mut named)
                .await
                .map_err(|s| s.to_string()),
        );
    }
    out
}

async fn plan_one(run: &Run, store: &StateStore, face: &mut impl Face) -> Result<Planned, Stopped> {
    let phase = run::entra_side(run, store, None, false, face).await?;
    if let EntraPhase::Pending { .. } = phase {
        return Ok(Planned::EntraFirst);
    }
    let planned = run::plan_cognito(run, phase.given(), false, face).await?;
    face.show(&planned.planned.plan.render());
    Ok(Planned::Cognito(planned.planned.plan))
}

/// `plan --all`: every setup's plan, and the summary.
pub async fn plan(members: Vec<Member>, store: &StateStore, face: &mut impl Face) -> Summary {
    let plans = plan_all(&members, store, face).await;
    let mut kept = std::collections::BTreeMap::new();
    let outcomes = members
        .into_iter()
        .zip(plans)
        .map(|(m, p)| {
            let outcome = match p {
                Ok(Planned::Cognito(plan)) => {
                    let outcome = if plan.is_empty() {
                        Outcome::Unchanged
                    } else {
                        Outcome::Planned(Some(plan.changes.len()))
                    };
                    kept.insert(m.name.clone(), plan);
                    outcome
                }
                Ok(Planned::EntraFirst) => Outcome::Planned(None),
                Err(why) => Outcome::NotApplied(why),
            };
            (m.name, outcome)
        })
        .collect();
    Summary {
        outcomes,
        applied: false,
        plans: kept,
    }
}

/// `apply --all`: every setup planned and shown, asked once (unless `yes`), then each
/// applied in turn through `run::apply`. `Err` only when the admin said no (nothing was
/// changed).
pub async fn apply(
    members: Vec<Member>,
    store: &StateStore,
    yes: bool,
    face: &mut impl Face,
) -> Result<Summary, Stopped> {
    let plans = plan_all(&members, store, face).await;
    let to_apply = plans
        .iter()
        .filter(|p| match p {
            Ok(Planned::Cognito(plan)) => !plan.is_empty(),
            Ok(Planned::EntraFirst) => true,
            Err(_) => false,
        })
        .count();
    let unplanned = plans.iter().filter(|p| p.is_err()).count();
    if unplanned > 0 {
        face.note(&format!(
            "{unplanned} setup{} cannot be planned and will not be applied (the summary says why).",
            if unplanned == 1 { "" } else { "s" }
        ));
    }
    if to_apply > 0 && !yes {
        face.confirm(
            &format!(
                "Apply these changes to {to_apply} setup{}?",
                if to_apply == 1 { "" } else { "s" }
            ),
            "Nothing was changed.",
        )
        .map_err(Stopped::Failed)?;
    }
    let mut outcomes = Vec::new();
    for (member, planned) in members.into_iter().zip(plans) {
        let outcome = match (member.run, planned) {
            (_, Err(why)) | (Err(why), _) => Outcome::NotApplied(why),
            (Ok(_), Ok(Planned::Cognito(plan))) if plan.is_empty() => Outcome::Unchanged,
            (Ok(run), Ok(_)) => {
                face.show(&format!("\n── {} ── applying\n", member.name));
                // Asked once above, for every setup: each run goes without asking again.
                let mut named = Named {
                    name: &member.name,
                    face: &mut *face,
                };
                match run::apply(run, store, true, None, None, &mut named).await {
                    Ok(applied) => Outcome::Applied(applied),
                    Err(stopped) => Outcome::NotApplied(stopped.to_string()),
                }
            }
        };
        outcomes.push((member.name, outcome));
    }
    Ok(Summary {
        outcomes,
        applied: true,
        plans: Default::default(),
    })
}
