//! The customer's reply screen: a setup whose Entra side was handed to its customer's admin
//! (`handoff`) is opened from the list, and what they sent back is pasted here. The journey's
//! questions and checks (`journey::customer_reply`) judge it against the kit as it is typed;
//! Enter has the engine check it against Entra itself, then it is recorded under the setup's
//! lock and the journey goes on. Its state is its own.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::handoff::Accepted;
use cognito_entra::journey::customer_reply;
use cognito_entra::journey::{Step, next_step};
use cognito_entra::kit::{Kit, Reply};

use super::app::{Cmd, Model, Screen};
use super::form::Form;

#[derive(Debug, Clone)]
pub struct CustomerReplyScreen {
    pub kit: Kit,
    /// Whose reply this is, and what it must be (the journey's words).
    pub intro: String,
    /// Entra's check under way.
    pub checking: bool,
    /// Why Entra's check refused it, as the engine said (cleared by an edit).
    pub refused: Vec<String>,
}

/// A setup handed to its customer (locked): their reply is asked for instead of the
/// journey's Entra steps, which were the customer's admin's to do — from the list while it
/// waits, and in place of step 8 once taken (new values go through the same checks, never
/// straight into the setup).
pub fn open(m: &mut Model) -> Vec<Cmd> {
    let Some(state) = m.state.as_ref() else {
        return Vec::new();
    };
    let Some(handoff) = state.handoff.as_ref() else {
        return Vec::new();
    };
    let kit = handoff.kit.clone();
    m.customer_reply = Some(CustomerReplyScreen {
        intro: customer_reply::intro(&state.answers.name, handoff),
        kit: kit.clone(),
        checking: false,
        refused: Vec::new(),
    });
    let mut form = Form::asking(customer_reply::questions(
        &kit,
        cognito_entra::kit::Who::SaasAdmin,
    ));
    // Taken already: what the setup holds, to keep (Enter checks it again) or replace.
    if handoff.accepted.is_some() {
        for (key, value) in [
            ("metadata_url", state.answers.saml().metadata_url),
            ("tenant_id", state.answers.oidc().tenant_id),
            ("client_id", state.answers.oidc().client_id),
        ] {
            if let (Some(field), Some(value)) = (form.get_mut(key), value) {
                field.text = value;
            }
        }
    }
    m.form = form;
    m.screen = Screen::CustomerReply;
    m.message.clear();
    m.scroll = 0;
    Vec::new()
}

/// Each answer judged against the kit as it is typed; `confirming`: every question must be
/// answered now.
fn judge(m: &mut Model, confirming: bool) {
    let Some(screen) = m.customer_reply.as_ref() else {
        return;
    };
    let errors: Vec<Option<String>> = m
        .form
        .fields
        .iter()
        .map(|f| {
            if f.value().is_empty() {
                return confirming.then(|| format!("{}: paste it from their reply", f.label));
            }
            customer_reply::problem(
                &screen.kit,
                cognito_entra::kit::Who::SaasAdmin,
                Some(f.key),
                &m.form,
            )
        })
        .collect();
    for (f, error) in m.form.fields.iter_mut().zip(errors) {
        f.error = error;
    }
}

pub fn key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let Some(screen) = m.customer_reply.as_mut() else {
        return back(m);
    };
    if screen.checking {
        // Entra's answer is waited for; Esc stops waiting (its late answer is dropped) and
        // the answers stay to be checked again.
        if key.code == KeyCode::Esc {
            screen.checking = false;
            m.busy = None;
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc => back(m),
        KeyCode::PageDown => {
            m.scroll = m.scroll.saturating_add(5);
            Vec::new()
        }
        KeyCode::PageUp => {
            m.scroll = m.scroll.saturating_sub(5);
            Vec::new()
        }
        KeyCode::Enter => {
            judge(m, true);
            if m.form.has_errors() {
                return Vec::new();
            }
            let Some(screen) = m.customer_reply.as_mut() else {
                return Vec::new();
            };
            let reply: Reply = customer_reply::reply(&screen.kit, &m.form);
            screen.checking = true;
            screen.refused.clear();
            m.busy = Some("Checking their answer against Entra…".into());
            vec![Cmd::CheckReply(Box::new(reply))]
        }
        _ => {
            if m.form.handle_key(key) {
                edited(m);
            }
            Vec::new()
        }
    }
}

/// An edit (typed or pasted): judged again, and Entra's last refusal no longer stands.
pub fn edited(m: &mut Model) {
    if let Some(screen) = m.customer_reply.as_mut() {
        screen.refused.clear();
    }
    judge(m, false);
}

/// Entra's check: accepted (recorded, and on to the journey's next step), or why not.
pub fn checked(m: &mut Model, result: Result<Accepted, String>, awaited: bool) -> Vec<Cmd> {
    let Some(screen) = m.customer_reply.as_mut() else {
        return Vec::new();
    };
    screen.checking = false;
    if !awaited {
        return Vec::new();
    }
    match result {
        Err(why) => {
            screen.refused = why.lines().map(str::to_string).collect();
            Vec::new()
        }
        Ok(accepted) => {
            let Some(state) = m.state.as_mut() else {
                return Vec::new();
            };
            customer_reply::record(state, &accepted.given);
            // Applied before: the new values reach Cognito through the review; else the
            // journey goes on where it stands.
            let step = if state.progress.steps_done.contains(&Step::ReviewApply) {
                Step::ReviewApply
            } else {
                next_step(&state.progress.steps_done).unwrap_or(Step::TestHandOver)
            };
            m.customer_reply = None;
            // The toast fits the step's status line at 80 columns; the message says the rest.
            let said = "✓ Their answer is recorded; apply makes the provider".to_string();
            let mut message = vec![format!(
                "✓ Their answer is recorded (tenant {}); review and apply make the provider.",
                accepted.given.tenant()
            )];
            message.extend(accepted.notes);
            let mut cmds = vec![Cmd::Save];
            cmds.extend(super::steps::enter(m, step));
            m.message = message;
            m.notice = Some(said);
            cmds
        }
    }
}

/// The keys the screen offers now, and what Esc does.
pub fn keys(
    screen: &CustomerReplyScreen,
) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
    if screen.checking {
        return (Vec::new(), Some("stop waiting"));
    }
    let mut keys = vec![("Enter", "check")];
    // A refusal can be longer than the screen: it scrolls.
    if !screen.refused.is_empty() {
        keys.push(("PgDn", "more"));
    }
    (keys, Some("back to the list"))
}

fn back(m: &mut Model) -> Vec<Cmd> {
    m.customer_reply = None;
    m.busy = None;
    m.screen = Screen::Welcome;
    vec![Cmd::Release]
}
