//! A form of fields for the answer steps: text with a default shown in [brackets] (Enter keeps
//! it), hidden secrets, toggles and choices; errors shown under the field as the admin types.

use cognito_entra::journey::questions::{Answers, Question};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// How a field is answered: the journey's input kinds.
pub use cognito_entra::journey::questions::Input as Kind;

/// The outcome of a live check of a field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Checking(String),
    Good(String),
    Bad(String),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: &'static str,
    pub label: String,
    /// One line on what it means (and what it costs).
    pub help: String,
    pub kind: Kind,
    pub text: String,
    pub default: String,
    pub on: bool,
    pub choice: usize,
    /// Typed into a choice field: narrows the options (an account may have many pools).
    pub filter: String,
    pub error: Option<String>,
    /// What a live check found about the value (e.g. a domain prefix is free), under it.
    pub note: Option<Note>,
    /// Not shown (and not validated) in the current state of the form.
    pub hidden: bool,
    /// Must be answered on confirm: why (the journey's words).
    pub required: Option<String>,
}

impl Field {
    fn new(key: &'static str, label: &str, help: &str, kind: Kind) -> Field {
        Field {
            key,
            label: label.to_string(),
            help: help.to_string(),
            kind,
            text: String::new(),
            default: String::new(),
            on: false,
            choice: 0,
            filter: String::new(),
            error: None,
            note: None,
            hidden: false,
            required: None,
        }
    }

    #[cfg(test)]
    pub fn text(key: &'static str, label: &str, help: &str, value: &str, default: &str) -> Field {
        Field {
            text: value.to_string(),
            default: default.to_string(),
            ..Field::new(key, label, help, Kind::Text)
        }
    }

    #[cfg(test)]
    pub fn toggle(key: &'static str, label: &str, help: &str, on: bool) -> Field {
        Field {
            on,
            ..Field::new(key, label, help, Kind::Toggle)
        }
    }

    #[cfg(test)]
    pub fn choice(
        key: &'static str,
        label: &str,
        help: &str,
        options: Vec<String>,
        choice: usize,
    ) -> Field {
        Field {
            choice: choice.min(options.len().saturating_sub(1)),
            ..Field::new(key, label, help, Kind::Choice(options))
        }
    }

    /// The field that renders one of the journey's questions.
    pub fn ask(q: Question) -> Field {
        Field {
            text: q.text,
            default: q.default,
            on: q.on,
            choice: q.choice,
            required: q.required,
            ..Field::new(q.key, &q.label, &q.hint, q.input)
        }
    }

    /// The value: what was typed, or the default when nothing was.
    pub fn value(&self) -> String {
        let typed = self.text.trim();
        if typed.is_empty() {
            self.default.clone()
        } else {
            typed.to_string()
        }
    }

    pub fn is_editable_text(&self) -> bool {
        matches!(self.kind, Kind::Text | Kind::Secret)
    }

    /// Whether typed characters go into this field (text, or a choice's filter).
    pub fn takes_typing(&self) -> bool {
        matches!(self.kind, Kind::Text | Kind::Secret | Kind::Choice(_))
    }

    /// The indexes of the options the filter lets through (all of them without a filter).
    pub fn matches(&self) -> Vec<usize> {
        let Kind::Choice(options) = &self.kind else {
            return Vec::new();
        };
        let needle = self.filter.to_lowercase();
        options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    /// A choice narrowed by a filter that matches none of its options: nothing is chosen.
    pub fn no_match(&self) -> bool {
        matches!(self.kind, Kind::Choice(_)) && !self.filter.is_empty() && self.matches().is_empty()
    }

    /// After the filter changed: the first match, unless the current choice still matches.
    fn follow_filter(&mut self) {
        let matches = self.matches();
        if !matches.contains(&self.choice)
            && let Some(first) = matches.first()
        {
            self.choice = *first;
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        let mut f = Form { fields, focus: 0 };
        f.focus_first_visible();
        f
    }

    pub fn get(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    pub fn value(&self, key: &str) -> String {
        self.get(key).map(Field::value).unwrap_or_default()
    }

    pub fn on(&self, key: &str) -> bool {
        self.get(key).is_some_and(|f| f.on)
    }

    pub fn choice(&self, key: &str) -> usize {
        self.get(key).map_or(0, |f| f.choice)
    }

    /// The form of a step's questions.
    pub fn asking(questions: Vec<Question>) -> Form {
        Form::new(questions.into_iter().map(Field::ask).collect())
    }

    /// Puts back what was typed in `draft` (the same step's form, left with Esc): each field's
    /// text, toggle and choice where the field is still asked the same way.
    pub fn keep_typed(&mut self, draft: &Form) {
        for field in self.fields.iter_mut() {
            if let Some(old) = draft.get(field.key).filter(|old| old.kind == field.kind) {
                field.text.clone_from(&old.text);
                field.on = old.on;
                field.choice = old.choice;
            }
        }
        self.focus = draft.focus.min(self.fields.len().saturating_sub(1));
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Puts the cursor on the first shown field with a problem, where its ✗ is said.
    pub fn focus_first_error(&mut self) {
        if let Some(i) = self
            .fields
            .iter()
            .position(|f| Form::focusable(f) && f.error.is_some())
        {
            self.focus = i;
        }
    }

    pub fn has_errors(&self) -> bool {
        self.fields.iter().any(|f| !f.hidden && f.error.is_some())
    }

    /// A field the cursor can rest on: shown, and answerable (not a shown-only value).
    fn focusable(f: &Field) -> bool {
        !f.hidden && f.kind != Kind::Shown
    }

    fn focus_first_visible(&mut self) {
        if let Some(i) = self.fields.iter().position(Form::focusable) {
            self.focus = i;
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        if n == 0 {
            return;
        }
        let mut i = self.focus;
        for _ in 0..n {
            i = if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            if Form::focusable(&self.fields[i]) {
                self.focus = i;
                return;
            }
        }
    }

    /// Handles a key; returns whether the form used it (Enter and Esc never are).
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        if self
            .fields
            .get(self.focus)
            .is_none_or(|f| !Form::focusable(f))
        {
            self.focus_first_visible();
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.move_focus(true),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(false),
            KeyCode::Char(' ') if field.kind == Kind::Toggle => field.on = !field.on,
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ')
                if matches!(field.kind, Kind::Choice(_)) =>
            {
                // Move among the options the filter lets through.
                let matches = field.matches();
                if !matches.is_empty() {
                    let n = matches.len();
                    let at = matches.iter().position(|i| *i == field.choice).unwrap_or(0);
                    let next = if key.code == KeyCode::Left {
                        (at + n - 1) % n
                    } else {
                        (at + 1) % n
                    };
                    field.choice = matches[next];
                }
            }
            KeyCode::Char(c) if !ctrl && matches!(field.kind, Kind::Choice(_)) => {
                field.filter.push(c);
                field.follow_filter();
            }
            KeyCode::Backspace if matches!(field.kind, Kind::Choice(_)) => {
                field.filter.pop();
                field.follow_filter();
            }
            KeyCode::Char('u') if ctrl && matches!(field.kind, Kind::Choice(_)) => {
                field.filter.clear();
            }
            KeyCode::Char('u') if ctrl && field.is_editable_text() => field.text.clear(),
            KeyCode::Char(c) if !ctrl && field.is_editable_text() => field.text.push(c),
            KeyCode::Backspace if field.is_editable_text() => {
                field.text.pop();
            }
            _ => return false,
        }
        true
    }

    /// Bracketed paste goes into the focused text field, newlines dropped.
    pub fn paste(&mut self, text: &str) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if !field.is_editable_text() {
            return false;
        }
        field.text.push_str(text.replace(['\r', '\n'], "").trim());
        true
    }
}

/// What the form holds, for the journey's rules and commit.
impl Answers for Form {
    fn text(&self, key: &str) -> String {
        self.value(key)
    }
    fn on(&self, key: &str) -> bool {
        Form::on(self, key)
    }
    fn choice(&self, key: &str) -> usize {
        Form::choice(self, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn defaults_typing_toggles_and_choices() {
        let mut form = Form::new(vec![
            Field::text("name", "Name", "", "", "web"),
            Field::toggle("secret", "Secret", "", false),
            Field::choice("method", "Method", "", vec!["GET".into(), "POST".into()], 0),
        ]);
        assert_eq!(form.value("name"), "web", "Enter keeps the default");
        form.handle_key(key(KeyCode::Char('a')));
        form.handle_key(key(KeyCode::Char('b')));
        form.handle_key(key(KeyCode::Backspace));
        assert_eq!(form.value("name"), "a");
        form.handle_key(key(KeyCode::Tab));
        form.handle_key(key(KeyCode::Char(' ')));
        assert!(form.on("secret"));
        form.handle_key(key(KeyCode::Tab));
        form.handle_key(key(KeyCode::Right));
        assert_eq!(form.choice("method"), 1);
        // Typing narrows a choice; ←→ then move among the matches only.
        let mut pools = Form::new(vec![Field::choice(
            "pool",
            "Pool",
            "",
            vec![
                "Create a new pool".into(),
                "corp-users (eu_1)".into(),
                "staging (eu_2)".into(),
                "corp-admins (eu_3)".into(),
            ],
            0,
        )]);
        pools.handle_key(key(KeyCode::Char('c')));
        pools.handle_key(key(KeyCode::Char('o')));
        pools.handle_key(key(KeyCode::Char('r')));
        pools.handle_key(key(KeyCode::Char('p')));
        assert_eq!(pools.choice("pool"), 1);
        pools.handle_key(key(KeyCode::Right));
        assert_eq!(pools.choice("pool"), 3, "staging does not match");
        pools.handle_key(key(KeyCode::Right));
        assert_eq!(pools.choice("pool"), 1, "wraps among matches");
        // A filter that matches nothing chooses nothing.
        assert!(!pools.get("pool").is_some_and(Field::no_match));
        pools.handle_key(key(KeyCode::Char('x')));
        assert!(pools.get("pool").is_some_and(Field::no_match));
        pools.handle_key(key(KeyCode::Backspace));
        for _ in 0..4 {
            pools.handle_key(key(KeyCode::Backspace));
        }
        assert_eq!(pools.get("pool").map(|f| f.matches().len()), Some(4));
        form.handle_key(key(KeyCode::Tab));
        assert_eq!(form.focus, 0, "focus wraps");
        assert!(form.paste("https://x\n"));
        assert_eq!(form.value("name"), "ahttps://x");
        assert!(!form.handle_key(key(KeyCode::Enter)));
    }
}
