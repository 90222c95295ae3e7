//! The answer to a kit being typed — Entra's values for it, pasted by the SaaS admin from the
//! customer's reply (`customer_reply`) or by the customer's admin from their own portal
//! (`kit_walk`): each question judged as typed by the journey's rules, worded for who types,
//! then checked against Entra on Enter by the engine. Each of the two screens owns one.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::journey::customer_reply;
use cognito_entra::kit::{Kit, Reply, Who};

use super::app::Model;
use super::form::Form;

#[derive(Debug, Clone)]
pub struct ReplyAnswer {
    pub kit: Kit,
    pub who: Who,
    /// Entra's check under way.
    pub checking: bool,
    /// Why the last check refused it, as the engine said (cleared by an edit).
    pub refused: Vec<String>,
}

/// What a key on the answer leads to.
pub enum Outcome {
    /// Handled here (typed, judged, a wait left).
    Handled,
    /// Esc: the screen goes back.
    Back,
    /// Enter on answers the kit takes: this reply goes to Entra's check.
    Check(Reply),
}

impl ReplyAnswer {
    pub fn new(kit: Kit, who: Who) -> ReplyAnswer {
        ReplyAnswer {
            kit,
            who,
            checking: false,
            refused: Vec::new(),
        }
    }

    /// The questions, as a form.
    pub fn form(&self) -> Form {
        Form::asking(customer_reply::questions(&self.kit, self.who))
    }

    /// Each question's problem under it; `confirming`: every question must be answered now.
    fn judge(&self, form: &mut Form, confirming: bool) {
        let errors: Vec<Option<String>> = form
            .fields
            .iter()
            .map(|f| customer_reply::judged(&self.kit, self.who, f.key, form, confirming))
            .collect();
        for (f, error) in form.fields.iter_mut().zip(errors) {
            f.error = error;
        }
    }

    /// An edit (typed or pasted): judged again; the last refusal no longer stands.
    pub fn edited(&mut self, form: &mut Form) {
        self.refused.clear();
        self.judge(form, false);
    }

    pub fn key(&mut self, form: &mut Form, busy: &mut Option<String>, key: KeyEvent) -> Outcome {
        if self.checking {
            // Entra's answer is waited for; Esc stops waiting (its late answer is dropped)
            // and the answers stay, to be checked again.
            if key.code == KeyCode::Esc {
                self.checking = false;
                *busy = None;
            }
            return Outcome::Handled;
        }
        match key.code {
            KeyCode::Esc => Outcome::Back,
            KeyCode::Enter => {
                self.judge(form, true);
                if form.has_errors() {
                    return Outcome::Handled;
                }
                self.checking = true;
                self.refused.clear();
                *busy = Some("Checking against Entra…".into());
                Outcome::Check(customer_reply::reply(&self.kit, form))
            }
            _ => {
                if form.handle_key(key) {
                    self.edited(form);
                }
                Outcome::Handled
            }
        }
    }

    /// Entra's check came back: what it gives when it took the answer and the screen still
    /// waited for it; a refusal is said under the form; a late answer (the wait was left) is
    /// dropped.
    pub fn taken<T>(&mut self, result: Result<T, String>, awaited: bool) -> Option<T> {
        self.checking = false;
        match result {
            _ if !awaited => None,
            Err(why) => {
                self.refused = why.lines().map(str::to_string).collect();
                None
            }
            Ok(value) => Some(value),
        }
    }

    /// The keys while it is typed: Enter (`what` it does) and, with a long refusal, PgDn;
    /// `None` while Entra's check is waited for.
    pub fn keys(&self, what: &'static str) -> Option<Vec<(&'static str, &'static str)>> {
        if self.checking {
            return None;
        }
        let mut keys = vec![("Enter", what)];
        if !self.refused.is_empty() {
            keys.push(("PgDn", "more"));
        }
        Some(keys)
    }
}

/// PgUp and PgDn scroll a long screen (a refusal, a page); whether the key was one of them.
pub fn scroll_key(m: &mut Model, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::PageDown => m.scroll = m.scroll.saturating_add(5),
        KeyCode::PageUp => m.scroll = m.scroll.saturating_sub(5),
        _ => return false,
    }
    true
}
