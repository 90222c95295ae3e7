//! The attribute mapping step: a list of Cognito attributes and the claims mapped to them,
//! edited one row at a time.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::journey::Step;
use cognito_entra::journey::questions::{
    self, commit_mapping, mapping_problem, mapping_questions, mapping_unfinished,
};

use super::{advance, capitalize};
use crate::tui::app::{Cmd, Model};
use crate::tui::form::Form;

/// The mapping's rows: the answers' mapping plus required attributes not mapped yet.
pub fn mapping_rows(m: &Model) -> Vec<(String, Option<String>)> {
    m.state
        .as_ref()
        .map(questions::mapping_rows)
        .unwrap_or_default()
}

/// A key on the mapping: move, edit, add or delete a row (each saved at once), Enter on
/// once every required attribute is mapped.
pub fn mapping_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let rows = mapping_rows(m);
    if let Some(edit) = m.editing.as_mut() {
        match key.code {
            KeyCode::Esc => m.editing = None,
            KeyCode::Enter => {
                if let Some(problem) = mapping_problem(edit) {
                    if let Some(f) = edit.fields.last_mut() {
                        f.error = Some(problem);
                    }
                    return Vec::new();
                }
                if let Some(state) = m.state.as_mut() {
                    commit_mapping(edit, state);
                }
                m.editing = None;
                return vec![Cmd::Save];
            }
            _ => {
                edit.handle_key(key);
            }
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Up => m.list_selected = m.list_selected.saturating_sub(1),
        KeyCode::Down => m.list_selected = (m.list_selected + 1).min(rows.len().saturating_sub(1)),
        KeyCode::Char('e') => {
            if let Some((attr, claim)) = rows.get(m.list_selected) {
                let mut form = Form::asking(mapping_questions(Some(attr), claim.as_deref()));
                if let Some(f) = form.get_mut("attribute") {
                    f.hidden = true;
                }
                form.focus = 1;
                m.editing = Some(form);
            }
        }
        KeyCode::Char('a') => {
            m.editing = Some(Form::asking(mapping_questions(None, None)));
        }
        KeyCode::Char('d') => {
            if let Some((attr, Some(_))) = rows.get(m.list_selected).cloned()
                && let Some(setup) = m.setup_mut()
            {
                let mut mapping = setup.attribute_mapping();
                mapping.remove(&attr);
                setup.provider.attribute_mapping = mapping;
                m.list_selected = m.list_selected.saturating_sub(1);
                return vec![Cmd::Save];
            }
        }
        KeyCode::Enter => {
            if let Some(why) = m.state.as_ref().and_then(mapping_unfinished) {
                m.message = vec![format!("{}. Press e on each to map it.", capitalize(&why))];
                return Vec::new();
            }
            return advance(m, Step::AttributeMapping);
        }
        _ => {}
    }
    Vec::new()
}
