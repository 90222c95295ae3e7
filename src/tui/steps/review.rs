//! Review and apply: the plan read on arrival, apply / edit / save-and-quit, then each change
//! shown as it is written, and what happened when the account changed or a write failed.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::cognito::apply::Ids;
use cognito_entra::cognito::certs::ForEntra;
use cognito_entra::engine;
use cognito_entra::journey::Step;
use cognito_entra::plan::Plan;
use cognito_entra::results;

use super::{advance, capitalize, enter, scrolled};
use crate::tui::app::{Cmd, Exit, Model};

/// The review step's own state, new on each arrival (the plan is read again then).
#[derive(Default)]
pub struct Review {
    /// The plan read on arrival: exactly what Apply writes.
    pub plan: Option<Plan>,
    /// The choice under the cursor: apply, edit the answers, save and quit.
    pub choice: usize,
    /// While and after applying: each change and how far it is.
    pub progress: Vec<(String, LineState)>,
    /// The apply stopped on this (r retries).
    pub apply_error: Option<engine::Error>,
}

/// How far one change of the apply is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineState {
    Pending,
    Running,
    Done,
    Failed,
}

/// A key on the review: scroll the plan, choose apply / edit / save and quit, confirm; after
/// a failed apply, `r` retries. Keys wait while the apply runs.
pub fn review_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if m.applying {
        return Vec::new();
    }
    if m.review.apply_error.is_some() {
        if key.code == KeyCode::Char('r') {
            return start_apply(m);
        }
        return Vec::new();
    }
    if scrolled(m, key.code) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Left => m.review.choice = (m.review.choice + 2) % 3,
        KeyCode::Right | KeyCode::Tab => m.review.choice = (m.review.choice + 1) % 3,
        KeyCode::Enter => match m.review.choice {
            0 if m.review.plan.is_some() => return start_apply(m),
            1 => {
                let mut cmds = vec![Cmd::Save];
                cmds.extend(enter(m, Step::AttributeMapping));
                return cmds;
            }
            2 => {
                m.exit = Some(Exit::Saved);
                return vec![Cmd::Save];
            }
            _ => {}
        },
        _ => {}
    }
    Vec::new()
}

/// Writes the reviewed plan: each change shown pending, the first running.
fn start_apply(m: &mut Model) -> Vec<Cmd> {
    let Some(plan) = &m.review.plan else {
        return Vec::new();
    };
    m.review.progress = plan
        .changes
        .iter()
        .map(|c| (c.describe(), LineState::Pending))
        .collect();
    if let Some(first) = m.review.progress.first_mut() {
        first.1 = LineState::Running;
    }
    m.review.apply_error = None;
    m.applying = true;
    m.busy = Some(
        plan.changes
            .first()
            .map_or("Writing the certificates…".to_string(), |c| {
                format!("{}…", capitalize(&c.describe()))
            }),
    );
    vec![Cmd::Apply]
}

/// The plan read on arrival (awaited), or why it could not be.
pub fn planned(m: &mut Model, planned: Result<Plan, engine::Error>) -> Vec<Cmd> {
    match planned {
        Ok(plan) => {
            m.message.clear();
            m.review.plan = Some(plan);
        }
        Err(engine::Error::SecretNeeded(why)) => {
            m.message = vec![
                format!("{why}."),
                "Go back to step 8, Back from Entra (Esc twice), and paste the Client secret Value there."
                    .into(),
            ]
        }
        Err(why) => m.message = why.to_string().lines().map(str::to_string).collect(),
    }
    Vec::new()
}

/// One change written: recorded at once, and the next one shown running.
pub fn step_applied(m: &mut Model, i: usize, ids: &Ids) -> Vec<Cmd> {
    if let Some(line) = m.review.progress.get_mut(i) {
        line.1 = LineState::Done;
    }
    if let Some(next) = m.review.progress.get_mut(i + 1) {
        next.1 = LineState::Running;
        m.busy = Some(format!("{}…", capitalize(&next.0)));
    } else {
        m.busy = Some("Writing the certificates…".into());
    }
    if let (Some(state), Some(change)) = (
        m.state.as_mut(),
        m.review.plan.as_ref().and_then(|p| p.changes.get(i)),
    ) {
        results::change_applied(state, change, ids, m.secret_from_graph);
    }
    vec![Cmd::Save]
}

/// The account changed since the review: nothing was written; the plan now, to review again.
pub fn stale(m: &mut Model, now: Plan) -> Vec<Cmd> {
    m.applying = false;
    m.review.progress.clear();
    m.review.plan = Some(now);
    m.message = vec![
        "! The account changed since you reviewed the plan: nothing was written.".into(),
        "  The plan below is what applying would do now; review it and apply again.".into(),
    ];
    Vec::new()
}

/// The apply ended: on to finishing in Entra (Cognito's new certificates handed to Entra
/// when Graph is signed in), or the failed change marked and the advice shown.
pub fn applied(m: &mut Model, applied: Result<Vec<ForEntra>, engine::Error>) -> Vec<Cmd> {
    m.applying = false;
    match applied {
        Ok(certs) => {
            if let Some(state) = m.state.as_mut() {
                state.aws.certificates = certs.into_iter().map(|c| c.record).collect();
            }
            let applied = m.review.progress.len();
            let mut cmds = advance(m, Step::ReviewApply);
            m.notice = Some(match applied {
                0 => "✓ Nothing to change: Cognito already matched".into(),
                1 => "✓ 1 change applied".into(),
                n => format!("✓ {n} changes applied"),
            });
            // Through Graph, Cognito's certificates made just now go to Entra; after a
            // resume the session is gone, and step 11 offers a new sign-in for them.
            if m.graph.waiting.is_none()
                && m.state
                    .as_ref()
                    .is_some_and(cognito_entra::journey::certificates_left_for_graph)
            {
                m.notice = m
                    .state
                    .as_ref()
                    .and_then(cognito_entra::journey::certificates_left_notice);
            }
            if let Some(session) = m.graph.waiting.take() {
                m.busy =
                    Some("Handing Entra Cognito's certificates through Microsoft Graph…".into());
                m.writing = true;
                cmds.push(Cmd::EntraFinish(session));
            }
            cmds
        }
        Err(advice) => {
            if let Some(line) = m
                .review
                .progress
                .iter_mut()
                .find(|l| l.1 == LineState::Running)
            {
                line.1 = LineState::Failed;
            }
            m.review.apply_error = Some(advice);
            vec![Cmd::Save]
        }
    }
}
