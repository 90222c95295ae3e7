//! The customer's reply screen: a setup whose Entra side was handed to its customer's admin
//! (`handoff`) is opened from the list, and what they sent back is pasted here. The journey's
//! questions and checks (`journey::customer_reply`) judge it against the kit as it is typed;
//! Enter has the engine check it against Entra itself, then it is recorded under the setup's
//! lock and the journey goes on. Its state is its own.

use ratatui::crossterm::event::KeyEvent;

use cognito_entra::handoff::Accepted;
use cognito_entra::journey::customer_reply;
use cognito_entra::journey::{Step, next_step};
use cognito_entra::kit::Who;

use super::app::{Cmd, Model, Screen};
use super::form::Form;
use super::reply_answer::{Outcome, ReplyAnswer, scroll_key};

#[derive(Debug, Clone)]
pub struct CustomerReplyScreen {
    /// The customer's values being pasted.
    pub answer: ReplyAnswer,
    /// Whose reply this is, and what it must be (the journey's words).
    pub intro: String,
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
    let answer = ReplyAnswer::new(handoff.kit.clone(), Who::SaasAdmin);
    let intro = customer_reply::intro(&state.answers.name, handoff);
    m.form = Form::asking(customer_reply::questions_for(state, &handoff.kit));
    m.customer_reply = Some(CustomerReplyScreen { answer, intro });
    m.screen = Screen::CustomerReply;
    m.message.clear();
    m.scroll = 0;
    Vec::new()
}

pub fn key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if scroll_key(m, &key) {
        return Vec::new();
    }
    let Some(screen) = m.customer_reply.as_mut() else {
        return back(m);
    };
    match screen.answer.key(&mut m.form, &mut m.busy, key) {
        Outcome::Handled => Vec::new(),
        Outcome::Back => back(m),
        Outcome::Check(reply) => vec![Cmd::CheckReply(Box::new(reply))],
    }
}

/// An edit (typed or pasted): judged again, and Entra's last refusal no longer stands.
pub fn edited(m: &mut Model) {
    if let Some(screen) = m.customer_reply.as_mut() {
        screen.answer.edited(&mut m.form);
    }
}

/// Entra's check: accepted (recorded, and on to the journey's next step), or why not.
pub fn checked(m: &mut Model, result: Result<Accepted, String>, awaited: bool) -> Vec<Cmd> {
    let Some(screen) = m.customer_reply.as_mut() else {
        return Vec::new();
    };
    match screen.answer.taken(result, awaited) {
        None => Vec::new(),
        Some(accepted) => {
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
    match screen.answer.keys("check") {
        Some(keys) => (keys, Some("back to the list")),
        None => (Vec::new(), Some("stop waiting")),
    }
}

fn back(m: &mut Model) -> Vec<Cmd> {
    m.customer_reply = None;
    m.busy = None;
    m.screen = Screen::Welcome;
    vec![Cmd::Release]
}
