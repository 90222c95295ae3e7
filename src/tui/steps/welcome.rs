//! The welcome screen (the saved setups, and the two new ones), naming a new setup, and
//! opening one: its lock taken and its state loaded, then the step it stopped at (or the
//! destroy screen); and back to the list, with nothing of the setup left in memory.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::journey::questions::{Found, setup_name_question};
use cognito_entra::journey::{Step, next_step};
use cognito_entra::setup::Protocol;
use cognito_entra::state::State;

use super::destroy::Destroy;
use super::{enter, on_edit};
use crate::tui::app::{Cmd, Model, Row, Screen};
use crate::tui::form::Form;

/// A key on the list of setups: resume, destroy (`d`), rotate (`r`), import (`i`), or start
/// a new one.
pub fn welcome_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let n = m.welcome_len();
    match key.code {
        KeyCode::Char('i') => return crate::tui::import::open(m),
        KeyCode::Char('r') if m.selected < m.rows.len() => {
            let name = m.rows[m.selected].name.clone();
            return crate::tui::rotate::open(m, name);
        }
        KeyCode::Char('d') if m.selected < m.rows.len() => {
            m.destroy = Some(Destroy::default());
            return vec![Cmd::Lock {
                name: m.rows[m.selected].name.clone(),
                protocol: None,
            }];
        }
        KeyCode::Up => m.selected = (m.selected + n - 1) % n,
        KeyCode::Down | KeyCode::Tab => m.selected = (m.selected + 1) % n,
        KeyCode::Enter => {
            if m.selected < m.rows.len() {
                return vec![Cmd::Lock {
                    name: m.rows[m.selected].name.clone(),
                    protocol: None,
                }];
            }
            let protocol = if m.selected == m.rows.len() {
                Protocol::Saml
            } else {
                Protocol::Oidc
            };
            let taken: Vec<String> = m.rows.iter().map(|r| r.name.clone()).collect();
            m.screen = Screen::Naming(protocol);
            m.form = Form::asking(vec![setup_name_question(protocol, &taken)]);
            m.message.clear();
        }
        _ => {}
    }
    Vec::new()
}

/// Naming a new setup: Enter takes its lock (a new state), Esc goes back to the list.
pub fn naming_key(m: &mut Model, protocol: Protocol, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => {
            m.screen = Screen::Welcome;
            Vec::new()
        }
        KeyCode::Enter => {
            on_edit(m);
            if m.form.has_errors() {
                return Vec::new();
            }
            vec![Cmd::Lock {
                name: m.form.value("name"),
                protocol: Some(protocol),
            }]
        }
        _ => {
            if m.form.handle_key(key) {
                on_edit(m);
            }
            Vec::new()
        }
    }
}

/// The setup's lock taken (or not): on to the step it stopped at, or to the destroy screen.
pub fn locked(m: &mut Model, result: Result<Box<State>, String>) -> Vec<Cmd> {
    match result {
        Err(why) => {
            // Not opened, so not being destroyed either: Enter on a setup afterwards resumes it.
            m.destroy = None;
            m.screen = Screen::Welcome;
            m.message = vec![why];
            Vec::new()
        }
        Ok(state) if m.destroy.is_some() => {
            m.state = Some(*state);
            m.screen = Screen::Destroy;
            m.destroy = Some(Destroy::default());
            m.message.clear();
            m.busy = Some("Reading what this setup has in Cognito…".into());
            vec![Cmd::PlanTeardown]
        }
        Ok(state) if cognito_entra::journey::customer_reply::waiting(&state).is_some() => {
            // The journey's portal steps were the customer's admin's: their reply is next.
            m.state = Some(*state);
            crate::tui::customer_reply::open(m)
        }
        Ok(state) => {
            let step = next_step(&state.progress.steps_done).unwrap_or(Step::TestHandOver);
            m.state = Some(*state);
            let mut cmds = vec![Cmd::Save];
            cmds.extend(enter(m, step));
            cmds
        }
    }
}

/// The welcome screen again, with the setup just left selected; nothing of it stays in memory
/// (its secret included) but the admin's terminal settings.
pub fn back_to_welcome(m: &mut Model, rows: Vec<Row>) {
    let left = m.setup().map(|s| s.name.clone());
    let mut fresh = Model::new(rows, &m.authority);
    fresh.color = m.color;
    fresh.found = Found::new(
        std::mem::take(&mut m.found.profiles),
        m.found.profile.clone(),
        m.found.region.clone(),
    );
    fresh.tick = m.tick;
    fresh.size = m.size;
    if let Some(i) = left.and_then(|name| fresh.rows.iter().position(|r| r.name == name)) {
        fresh.selected = i;
    }
    *m = fresh;
}
