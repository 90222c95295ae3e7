//! The wizard's rotate screen (`r` on a saved setup in the list): the engine's rotation of
//! the setup's client secret or signing certificate, its plan shown first (a dry run: nothing
//! written), then made when the admin presses Enter. Its state is its own.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::app::{Cmd, Model, Screen};

/// Where the rotation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The plan is being made (a dry run).
    Planning,
    /// The plan, in the engine's words; Enter makes it.
    Planned(String),
    /// Being made.
    Rotating,
    /// Made (what it did), or stopped (why, and where sign-in stands).
    Done(Result<String, String>),
}

#[derive(Debug, Clone)]
pub struct RotateScreen {
    pub setup: String,
    pub phase: Phase,
}

/// From the list: the rotate screen for this setup, its plan being made.
pub fn open(m: &mut Model, setup: String) -> Vec<Cmd> {
    m.screen = Screen::Rotate;
    m.message.clear();
    m.busy = Some(format!("Reading what {setup} holds in Cognito and Entra…"));
    m.rotate = Some(RotateScreen {
        setup: setup.clone(),
        phase: Phase::Planning,
    });
    vec![Cmd::RotatePlan(setup)]
}

/// The engine's plan (a dry run) or why there is none.
pub fn planned(m: &mut Model, result: Result<String, String>) -> Vec<Cmd> {
    if let Some(screen) = m.rotate.as_mut() {
        screen.phase = match result {
            Ok(plan) => Phase::Planned(plan),
            Err(why) => Phase::Done(Err(why)),
        };
    }
    Vec::new()
}

/// The rotation made, or stopped.
pub fn done(m: &mut Model, result: Result<String, String>) -> Vec<Cmd> {
    if let Some(screen) = m.rotate.as_mut() {
        screen.phase = Phase::Done(result);
    }
    Vec::new()
}

pub fn key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let Some(screen) = m.rotate.as_mut() else {
        return back(m);
    };
    match (&screen.phase, key.code) {
        // A rotation under way is waited for: its steps must all be recorded.
        (Phase::Rotating, _) => Vec::new(),
        (Phase::Planned(_), KeyCode::Enter) => {
            let setup = screen.setup.clone();
            screen.phase = Phase::Rotating;
            m.busy = Some(format!("Rotating {setup}…"));
            vec![Cmd::Rotate(setup)]
        }
        (_, KeyCode::Esc) | (Phase::Done(_), KeyCode::Enter) => back(m),
        _ => Vec::new(),
    }
}

/// The keys the screen offers now, and what Esc does.
pub fn keys(screen: &RotateScreen) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
    match &screen.phase {
        Phase::Planning => (Vec::new(), Some("back to the list")),
        Phase::Planned(_) => (vec![("Enter", "rotate")], Some("change nothing")),
        Phase::Rotating => (Vec::new(), None),
        Phase::Done(_) => (
            vec![("Enter", "back to the list")],
            Some("back to the list"),
        ),
    }
}

fn back(m: &mut Model) -> Vec<Cmd> {
    m.rotate = None;
    m.busy = None;
    m.screen = Screen::Welcome;
    vec![Cmd::Release]
}
