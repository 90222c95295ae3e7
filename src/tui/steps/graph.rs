//! "Do it for me" through Microsoft Graph: the question before the sign-in, the sign-in's
//! news on the busy line, the plan shown for confirmation, the making, and Cognito's
//! certificates handed over after its side is applied.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::engine;
use cognito_entra::entra_graph;
use cognito_entra::journey::Step;
use cognito_entra::journey::questions;
use cognito_entra::results;
use cognito_entra::state::GraphRecord;

use super::{advance, scrolled};
use crate::tui::app::{Cmd, Model, Screen};

/// The Graph sessions of this setup's run, all in memory only: gone with the setup when the
/// admin goes back to the list.
#[derive(Default)]
pub struct GraphSessions {
    /// Signed in, the plan shown for confirmation (Enter makes it, Esc lets it go).
    pub planned: Option<entra_graph::Session>,
    /// Entra changes waiting for certificates Cognito makes when its side is applied.
    pub waiting: Option<Box<entra_graph::Session>>,
    /// The sign-in, kept for every later "do it for me" of this setup.
    pub signed_in: Option<Box<entra_graph::Session>>,
}

/// The question before "do it for me" signs in: Enter keeps the answer and signs in.
pub fn assign_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let Some(edit) = m.editing.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => m.editing = None,
        KeyCode::Enter => {
            let answer = edit.value("assign");
            let kept = match m.state.as_mut() {
                Some(state) => questions::commit_assign(&mut state.answers, &answer),
                None => Ok(()),
            };
            match kept {
                Err(problem) => {
                    if let Some(f) = m.editing.as_mut().and_then(|e| e.fields.first_mut()) {
                        f.error = Some(problem);
                    }
                }
                Ok(()) => {
                    m.editing = None;
                    m.busy = Some("Signing in to Entra…".into());
                    return vec![Cmd::Save, Cmd::EntraSignIn];
                }
            }
        }
        _ => {
            if edit.handle_key(key)
                && let Some(f) = edit.fields.first_mut()
            {
                f.error = None;
            }
        }
    }
    Vec::new()
}

/// The Entra step's "do it for me": the plan shown, Enter makes it, Esc lets it go.
pub fn plan_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if scrolled(m, key.code) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Enter => match m.graph.planned.take() {
            Some(session) => make_entra(m, session),
            None => Vec::new(),
        },
        KeyCode::Esc => {
            m.graph.planned = None;
            m.notice = Some("Cancelled: nothing was made in Entra".into());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Makes exactly the plan shown; a write, so Esc does not leave it.
fn make_entra(m: &mut Model, session: entra_graph::Session) -> Vec<Cmd> {
    m.busy = Some("Making the Entra application through Microsoft Graph…".into());
    m.writing = true;
    vec![Cmd::EntraMake(Box::new(session))]
}

/// What Graph made, in the answers as the admin would have typed it: the app's metadata URL
/// (SAML) or its tenant, client ID and secret (OIDC); the portal's checklist is done.
fn entra_made(m: &mut Model, made: entra_graph::Made) -> Vec<Cmd> {
    let nothing_made = made.changes_made == 0;
    m.graph.waiting = made.waiting.clone();
    let Some(state) = m.state.as_mut() else {
        return Vec::new();
    };
    if let Some(secret) = results::entra_made(state, made, &m.authority) {
        m.secret = Some(secret);
        m.secret_from_graph = true;
        m.reveal = false;
    }
    // Step 11, after a resume: only Cognito's certificates were left to hand over.
    if matches!(m.screen, Screen::Step(Step::FinishInEntra)) {
        m.notice = Some(CERTIFICATES_HANDED_OVER.into());
        return vec![Cmd::Save];
    }
    // What was typed there before is replaced by what Entra gave.
    m.drafts.remove(&Step::BackFromEntra);
    let cmds = advance(m, Step::EntraPortal);
    m.notice = Some(if nothing_made {
        "✓ Entra already holds it: check what it gives".into()
    } else {
        "✓ Made in Entra: check what came back".into()
    });
    cmds
}

/// Said when Cognito's certificates went to Entra through Graph (after the apply, or from
/// step 11).
const CERTIFICATES_HANDED_OVER: &str = "✓ Entra holds Cognito's certificates now";

/// The device code to sign in with, shown on the busy line: the admin signs in meanwhile, in
/// any browser (the code is copied too; one not used in time ends the wait with what to do).
pub fn device_code(m: &mut Model, uri: &str, code: String) -> Vec<Cmd> {
    let at = uri.trim_start_matches("https://");
    m.busy = Some(format!("Sign in at {at}, code {code}"));
    vec![Cmd::Copy {
        what: "Sign-in code".into(),
        value: code,
    }]
}

/// The browser sign-in under way. Nothing is printed over the screen: the wait is said on the
/// busy line (one short row), and the long address goes to the clipboard (its toast says
/// whether it got there); the browser must be on this machine (it comes back to localhost).
pub fn browser_sign_in(m: &mut Model, url: String, opened: bool) -> Vec<Cmd> {
    m.busy = Some(
        if opened {
            "Sign in in the browser that opened"
        } else {
            "No browser could start: open the sign-in address here"
        }
        .to_string(),
    );
    vec![Cmd::Copy {
        what: "Sign-in address".into(),
        value: url,
    }]
}

/// An Entra object exists now: recorded at once, so an interrupted making finds it again.
pub fn object_made(m: &mut Model, record: GraphRecord) -> Vec<Cmd> {
    if let Some(state) = m.state.as_mut() {
        state.entra.graph = Some(record);
    }
    vec![Cmd::Save]
}

/// Signed in and planned (awaited): the plan shown for confirmation, or made at once when
/// there is nothing to change.
pub fn planned(m: &mut Model, planned: Result<entra_graph::Session, engine::Error>) -> Vec<Cmd> {
    // The sign-in is kept for every later "do it for me" of this setup (memory only).
    if let Ok(session) = planned.as_ref() {
        m.graph.signed_in = Some(Box::new(session.clone()));
    }
    match planned {
        Err(e) => {
            m.message = e.to_string().lines().map(|l| format!("✗ {l}")).collect();
            Vec::new()
        }
        // Nothing to change in Entra: what it gives Cognito is read at once.
        Ok(session) if session.changes.is_empty() => make_entra(m, session),
        Ok(session) => {
            m.message.clear();
            m.notice = None;
            m.scroll = 0;
            m.graph.planned = Some(session);
            Vec::new()
        }
    }
}

/// The making ended: its answers put in, or what failed (what was made is recorded).
pub fn made(m: &mut Model, made: Result<entra_graph::Made, engine::Error>) -> Vec<Cmd> {
    match made {
        Err(e) => {
            m.message = e.to_string().lines().map(|l| format!("✗ {l}")).collect();
            m.message
                .push("What was made is recorded: press g to finish it.".into());
            Vec::new()
        }
        Ok(made) => entra_made(m, made),
    }
}

/// Cognito's certificates handed to Entra after its side was applied, or what to do instead.
pub fn finished(
    m: &mut Model,
    finished: Result<Vec<cognito_entra::entra_app::EntraChange>, engine::Error>,
) -> Vec<Cmd> {
    m.writing = false;
    match finished {
        Ok(_) => {
            if let Some(state) = m.state.as_mut() {
                results::entra_finished(state);
            }
            m.notice = Some(CERTIFICATES_HANDED_OVER.into());
            vec![Cmd::Save]
        }
        Err(e) => {
            m.message = e.to_string().lines().map(|l| format!("✗ {l}")).collect();
            m.message.push(
                "Cognito's side is applied. Do the certificate steps below in the portal, or press g on the Entra step later.".into(),
            );
            Vec::new()
        }
    }
}
