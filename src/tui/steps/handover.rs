//! Test and hand over (the last step): the values for the admin's app to copy, the sign-in
//! page to open, and a pasted SAML response decoded and judged against the setup.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::journey::questions;
use cognito_entra::saml_response::Decoded;
use cognito_entra::setup::Protocol;

use super::scrolled;
use crate::tui::app::{Cmd, Model};
use crate::tui::form::Form;

/// A key on the last step: copy the values, open the sign-in page, or paste a SAML response
/// to check (its own one-field form).
pub fn handover_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if let Some(edit) = m.editing.as_mut() {
        match key.code {
            KeyCode::Esc => m.editing = None,
            KeyCode::Enter => {
                let pasted = edit.value("response");
                if pasted.is_empty() {
                    if let Some(f) = edit.fields.first_mut() {
                        f.error = Some(
                            "paste the SAMLResponse value first (bracketed paste, or type it)"
                                .into(),
                        );
                    }
                    return Vec::new();
                }
                m.editing = None;
                m.busy = Some("Reading the SAML response…".into());
                return vec![Cmd::CheckSamlResponse(pasted)];
            }
            _ => {
                if edit.handle_key(key)
                    && let Some(f) = edit.fields.first_mut()
                {
                    f.error = None;
                }
            }
        }
        return Vec::new();
    }
    let (Some(setup), Some(values)) = (m.setup().cloned(), m.values()) else {
        return Vec::new();
    };
    if scrolled(m, key.code) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('s') if setup.protocol == Protocol::Saml => {
            m.saml_check = None;
            m.scroll = 0;
            m.editing = Some(Form::asking(vec![questions::saml_response_question()]));
            Vec::new()
        }
        KeyCode::Char('1') => values.sign_in_url.clone().map_or(Vec::new(), |v| {
            vec![Cmd::Copy {
                what: "Sign-in URL".into(),
                value: v,
            }]
        }),
        KeyCode::Char('2') => vec![Cmd::Copy {
            what: "the values for your app".into(),
            value: cognito_entra::handover::block(&setup, &values),
        }],
        KeyCode::Char('3') => vec![Cmd::Copy {
            what: "the .env snippet".into(),
            value: cognito_entra::handover::env_snippet(&setup, &values),
        }],
        KeyCode::Char('o') => values
            .sign_in_url
            .map_or(Vec::new(), |u| vec![Cmd::Open(u)]),
        _ => Vec::new(),
    }
}

/// A pasted SAML response decoded and judged: shown from its top.
pub fn saml_checked(m: &mut Model, result: Result<Decoded, String>) -> Vec<Cmd> {
    m.saml_check = Some(result);
    m.scroll = 0;
    Vec::new()
}
