//! The checklists of the Entra portal (step 7) and of finishing in Entra (step 11): ticked
//! items, the values to copy, and `g` for "do it for me" through Graph.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::journey::questions;
use cognito_entra::journey::{Step, entra_checklist, finish_checklist, portal_values};

use super::{advance, scrolled};
use crate::tui::app::{Cmd, Model};
use crate::tui::form::Form;

/// A key on a checklist: move, tick (saved at once), copy a portal value, `g` for Graph,
/// Enter on.
pub fn checklist_key(m: &mut Model, key: KeyEvent, step: Step) -> Vec<Cmd> {
    let Some(setup) = m.setup().cloned() else {
        return Vec::new();
    };
    let items = if step == Step::EntraPortal {
        entra_checklist(&setup)
    } else {
        finish_checklist(&setup)
    };
    match key.code {
        KeyCode::Up => m.list_selected = m.list_selected.saturating_sub(1),
        KeyCode::PageDown | KeyCode::PageUp => {
            scrolled(m, key.code);
        }
        KeyCode::Down | KeyCode::Tab => {
            m.list_selected = (m.list_selected + 1).min(items.len().saturating_sub(1))
        }
        KeyCode::Char(' ') => {
            if let (Some(item), Some(state)) = (items.get(m.list_selected), m.state.as_mut()) {
                let list = &mut state.progress.checklist;
                match list.iter().position(|i| i == item.id) {
                    Some(pos) => {
                        list.remove(pos);
                    }
                    None => list.push(item.id.to_string()),
                }
                return vec![Cmd::Save];
            }
        }
        KeyCode::Char(c @ '1'..='9') if step == Step::EntraPortal => {
            let index = (c as usize) - ('1' as usize);
            let values = m
                .values()
                .map(|v| portal_values(&setup, &v))
                .unwrap_or_default();
            if let Some(pv) = values.get(index) {
                return match &pv.value {
                    Some(value) => vec![Cmd::Copy {
                        // "Reply URL", not the whole portal label: the notice has one line.
                        what: pv
                            .entra_field
                            .split(" (")
                            .next()
                            .unwrap_or(pv.entra_field)
                            .to_string(),
                        value: value.clone(),
                    }],
                    None => {
                        m.notice = Some(format!("! {} is not known yet", pv.entra_field));
                        Vec::new()
                    }
                };
            }
        }
        // Step 11 after a resume: the certificates Graph could not hand over then.
        KeyCode::Char('g')
            if step == Step::FinishInEntra
                && m.busy.is_none()
                && m.state
                    .as_ref()
                    .is_some_and(cognito_entra::journey::certificates_left_for_graph) =>
        {
            m.message.clear();
            m.busy = Some("Signing in to Entra…".into());
            return vec![Cmd::EntraSignIn];
        }
        KeyCode::Char('g')
            if step == Step::EntraPortal
                && m.busy.is_none()
                && m.state
                    .as_ref()
                    .is_some_and(cognito_entra::journey::graph_offered) =>
        {
            m.message.clear();
            // What the journey asks first (the sign-in asks for what the answer needs).
            if let Some(q) = questions::before_graph_sign_in(&setup) {
                m.notice = None;
                m.editing = Some(Form::asking(vec![q]));
                return Vec::new();
            }
            m.busy = Some("Signing in to Entra…".into());
            return vec![Cmd::EntraSignIn];
        }
        KeyCode::Enter => return advance(m, step),
        _ => {}
    }
    Vec::new()
}
