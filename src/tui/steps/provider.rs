//! The Provider step's creation of the pool, domain and app client: planned, shown, then made
//! exactly as confirmed (or planned again when the account changed meanwhile).

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::engine;
use cognito_entra::journey::Step;
use cognito_entra::journey::questions::Work;
use cognito_entra::plan::Plan;
use cognito_entra::results;

use super::advance;
use crate::tui::app::{Cmd, Model};

/// The Provider step's confirmation: Enter creates exactly what is shown, Esc goes back to
/// the answers (nothing created).
pub fn prepare_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Enter => match m.prepare_plan.take() {
            Some(plan) => create_prepared(m, plan),
            None => Vec::new(),
        },
        KeyCode::Esc => {
            m.prepare_plan = None;
            m.message.clear();
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Creates exactly this plan; a write, so Esc does not leave it.
fn create_prepared(m: &mut Model, plan: Plan) -> Vec<Cmd> {
    m.busy = Some(Work::Prepare.busy_text());
    m.writing = true;
    vec![Cmd::Prepare(plan)]
}

/// What the Provider step would create (awaited): shown for confirmation, or made at once
/// when all of it exists.
pub fn planned(m: &mut Model, planned: Result<Plan, engine::Error>) -> Vec<Cmd> {
    match planned {
        Err(e) => {
            m.message = e.to_string().lines().map(str::to_string).collect();
            Vec::new()
        }
        // Nothing to create (all of it exists): on at once.
        Ok(plan) if plan.changes.is_empty() => create_prepared(m, plan),
        Ok(plan) => {
            m.prepare_plan = Some(plan);
            Vec::new()
        }
    }
}

/// The account changed since the creation was confirmed: nothing was made; the plan now.
pub fn stale(m: &mut Model, now: Plan) -> Vec<Cmd> {
    m.message = vec![
        "! The account changed since you confirmed: nothing was created. This is what would be created now."
            .into(),
    ];
    if now.changes.is_empty() {
        return create_prepared(m, now);
    }
    m.prepare_plan = Some(now);
    Vec::new()
}

/// The pool, domain and client made (recorded, then on to the next step), or why not.
pub fn prepared(m: &mut Model, prepared: Result<engine::Prepared, engine::Error>) -> Vec<Cmd> {
    match prepared {
        Ok(prepared) => {
            if let Some(state) = m.state.as_mut() {
                results::prepared(state, &prepared);
            }
            let cmds = advance(m, Step::Provider);
            m.notice = Some("✓ The pool, domain and app client are in place".into());
            cmds
        }
        Err(e) => {
            m.message = e.to_string().lines().map(str::to_string).collect();
            Vec::new()
        }
    }
}
