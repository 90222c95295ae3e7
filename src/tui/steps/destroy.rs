//! Taking a saved setup down: the plan of what would be removed, asked once, then its
//! progress, each removal recorded as it is done.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::engine;
use cognito_entra::teardown::Teardown;

use crate::tui::app::{Cmd, Model};

/// The destroy screen's own state. Whether a removal is under way is `Model::applying` (the
/// flag every write shares: Esc does nothing while it is set).
#[derive(Debug, Clone, Default)]
pub struct Destroy {
    /// What taking the setup down would remove, once read.
    pub teardown: Option<Teardown>,
    /// How many of its removals are done.
    pub removed: usize,
}

impl Destroy {
    /// The plan is shown and not yet confirmed: Enter removes, Esc keeps the setup.
    pub fn asks(&self) -> bool {
        self.removed == 0
            && self
                .teardown
                .as_ref()
                .is_some_and(|t| !t.removals.is_empty())
    }
}

/// The destroy screen: Enter removes exactly the plan shown, Esc leaves the setup as it is.
pub fn destroy_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => vec![Cmd::Release],
        KeyCode::Enter => match m
            .destroy
            .as_ref()
            .filter(|d| d.asks())
            .and_then(|d| d.teardown.clone())
        {
            Some(t) => {
                m.busy = Some("Removing…".into());
                m.applying = true;
                vec![Cmd::Teardown(t)]
            }
            None => vec![Cmd::Release],
        },
        _ => Vec::new(),
    }
}

/// What taking the setup down would remove (awaited), or why it could not be read.
pub fn planned(m: &mut Model, planned: Result<Teardown, engine::Error>) -> Vec<Cmd> {
    match planned {
        Ok(t) => {
            if let Some(destroy) = m.destroy.as_mut() {
                destroy.teardown = Some(t);
            }
        }
        Err(e) => m.message = e.to_string().lines().map(str::to_string).collect(),
    }
    Vec::new()
}

/// One removal done: recorded at once, so an interrupted teardown knows where it stopped.
pub fn removed(m: &mut Model, i: usize, id: String) -> Vec<Cmd> {
    if let Some(destroy) = m.destroy.as_mut() {
        destroy.removed = i + 1;
    }
    if let Some(state) = m.state.as_mut() {
        state.record_applied(id);
    }
    m.busy = Some("Removing…".into());
    vec![Cmd::Save]
}

/// The teardown ended: all removed, stale (nothing removed; the plan now), or stopped.
pub fn torn_down(m: &mut Model, result: Result<(), engine::TeardownStopped>) -> Vec<Cmd> {
    m.applying = false;
    match result {
        Ok(()) => {
            if let Some(state) = m.state.as_mut() {
                cognito_entra::teardown::record_torn_down(state);
            }
            m.message = vec![
                "✓ Taken down. Its answers are kept: choose it in the list to set it up again."
                    .into(),
            ];
        }
        Err(engine::TeardownStopped::Stale(now)) => {
            if let Some(destroy) = m.destroy.as_mut() {
                destroy.removed = 0;
                destroy.teardown = Some(now);
            }
            m.message = vec![
                "! The account changed since this plan was read: nothing was removed. This is what destroy would do now."
                    .into(),
            ];
        }
        Err(engine::TeardownStopped::Failed(e)) => {
            m.message = e.to_string().lines().map(str::to_string).collect();
        }
    }
    vec![Cmd::Save]
}
