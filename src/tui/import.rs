//! The wizard's "Import from the account" screen: the engine reads the account for Entra
//! federations made by hand, the screen lists each with its verdict, the admin unticks what
//! to leave, and the ticked ones are saved as adopted setups. Its state is its own (not the
//! Model's flat fields); `update` hands it keys and the engine's answers.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::import::{Candidate, Report};

use super::app::{Cmd, Model, Screen};

/// Where the import stands.
#[derive(Debug, Clone)]
pub enum Phase {
    /// The account is being read.
    Reading,
    /// Read: what was found, each candidate ticked or not, the one under the cursor.
    Found {
        report: Box<Report>,
        candidates: Vec<Candidate>,
        ticked: Vec<bool>,
        cursor: usize,
    },
    /// The ticked ones are being saved.
    Saving,
    /// Saved: the setups' names.
    Saved(Vec<String>),
    /// The account could not be read, or a setup could not be saved: the engine's words.
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct ImportScreen {
    pub phase: Phase,
    /// The regions read, for the screen's words.
    pub regions: String,
}

/// From the list: the import screen, reading.
pub fn open(m: &mut Model) -> Vec<Cmd> {
    m.screen = Screen::Import;
    m.message.clear();
    let regions = m.found.region.value.clone();
    m.busy = Some(format!(
        "Reading every user pool in {regions} (nothing is changed)…"
    ));
    m.import = Some(ImportScreen {
        phase: Phase::Reading,
        regions,
    });
    vec![Cmd::ImportRead]
}

/// The engine's reading.
pub fn read(m: &mut Model, result: Result<(Report, Vec<Candidate>), String>) -> Vec<Cmd> {
    let Some(screen) = m.import.as_mut() else {
        return Vec::new();
    };
    screen.phase = match result {
        Ok((report, candidates)) => Phase::Found {
            report: Box::new(report),
            ticked: vec![true; candidates.len()],
            candidates,
            cursor: 0,
        },
        Err(why) => Phase::Failed(why),
    };
    Vec::new()
}

/// The engine's saving.
pub fn saved(m: &mut Model, result: Result<Vec<String>, String>) -> Vec<Cmd> {
    if let Some(screen) = m.import.as_mut() {
        screen.phase = match result {
            Ok(names) => Phase::Saved(names),
            Err(why) => Phase::Failed(why),
        };
    }
    Vec::new()
}

/// A key on the import screen.
pub fn key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let Some(screen) = m.import.as_mut() else {
        return back(m);
    };
    match &mut screen.phase {
        Phase::Reading | Phase::Saving => match key.code {
            // Reading is only reading: leaving drops the answer when it comes.
            KeyCode::Esc if matches!(screen.phase, Phase::Reading) => back(m),
            _ => Vec::new(),
        },
        Phase::Found {
            candidates,
            ticked,
            cursor,
            ..
        } => match key.code {
            KeyCode::Esc => back(m),
            KeyCode::Up if !candidates.is_empty() => {
                *cursor = (*cursor + candidates.len() - 1) % candidates.len();
                Vec::new()
            }
            KeyCode::Down | KeyCode::Tab if !candidates.is_empty() => {
                *cursor = (*cursor + 1) % candidates.len();
                Vec::new()
            }
            KeyCode::Char(' ') if !candidates.is_empty() => {
                if let Some(t) = ticked.get_mut(*cursor) {
                    *t = !*t;
                }
                Vec::new()
            }
            KeyCode::Enter => {
                let chosen: Vec<Candidate> = candidates
                    .iter()
                    .zip(ticked.iter())
                    .filter(|(_, t)| **t)
                    .map(|(c, _)| c.clone())
                    .collect();
                if chosen.is_empty() {
                    return back(m);
                }
                screen.phase = Phase::Saving;
                m.busy = Some("Saving the setups…".into());
                vec![Cmd::ImportSave(chosen)]
            }
            _ => Vec::new(),
        },
        Phase::Saved(_) | Phase::Failed(_) => match key.code {
            KeyCode::Enter | KeyCode::Esc => back(m),
            _ => Vec::new(),
        },
    }
}

/// The keys the screen offers now, and what Esc does.
pub fn keys(screen: &ImportScreen) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
    match &screen.phase {
        Phase::Reading => (Vec::new(), Some("back to the list")),
        Phase::Saving => (Vec::new(), None),
        Phase::Found { candidates, .. } if candidates.is_empty() => (
            vec![("Enter", "back to the list")],
            Some("back to the list"),
        ),
        Phase::Found { ticked, .. } if ticked.iter().any(|t| *t) => (
            vec![("↑↓", "move"), ("Space", "untick"), ("Enter", "save")],
            Some("back"),
        ),
        // Nothing ticked: Enter goes back too, but the room on the bar is for Space.
        Phase::Found { .. } => (vec![("↑↓", "move"), ("Space", "tick")], Some("back")),
        Phase::Saved(_) | Phase::Failed(_) => (
            vec![("Enter", "back to the list")],
            Some("back to the list"),
        ),
    }
}

/// Back to the setup list, read again (the saved ones are on it).
fn back(m: &mut Model) -> Vec<Cmd> {
    m.import = None;
    m.busy = None;
    m.screen = Screen::Welcome;
    vec![Cmd::Release]
}
