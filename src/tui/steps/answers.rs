//! The steps that are a form of the journey's questions (profile and region, pool, domain,
//! provider answers, back from Entra): Enter judges the answers, commits them and starts the
//! work they need; the pool list and the pool read come back here.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use cognito_entra::engine;
use cognito_entra::journey::Step;
use cognito_entra::journey::questions::{AccountRead, PoolRead, Work, commit};
use cognito_entra::results;

use super::domain::DomainProbe;
use super::{advance, enter, judge_fields, on_edit};
use crate::tui::app::{Cmd, Model, Screen};

/// A key on a form step: typing edits the answers (judged as typed); Enter judges them as
/// confirmed, commits them and starts the work they need, or moves on.
pub fn form_step_key(m: &mut Model, step: Step, key: KeyEvent) -> Vec<Cmd> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if step == Step::BackFromEntra && ctrl && key.code == KeyCode::Char('r') {
        // A secret Graph made goes to Cognito unseen, as its plan said.
        if m.secret_from_graph {
            m.notice = Some("! the secret Graph made is never shown".into());
        } else {
            m.reveal = !m.reveal;
        }
        return Vec::new();
    }
    if key.code != KeyCode::Enter {
        if m.form.handle_key(key) {
            on_edit(m);
        }
        return Vec::new();
    }
    // Checked Entra answers, unchanged since: Enter goes on.
    if step == Step::BackFromEntra && m.entra_check.usable {
        return advance(m, step);
    }
    judge_fields(&mut m.form, step, true);
    if m.form.has_errors() {
        // The cursor goes where the problem is said: under the first field marked ✗.
        m.form.focus_first_error();
        m.message = vec!["Fix the fields marked ✗ first.".into()];
        return Vec::new();
    }
    m.message.clear();
    let Some(state) = m.state.as_mut() else {
        return Vec::new();
    };
    m.drafts.remove(&step);
    let work = commit(step, &m.form, &mut m.found, state, &mut m.secret);
    match work {
        Work::Done => advance(m, step),
        // The live probe already found this prefix usable: no second question to Cognito.
        Work::CheckDomain(prefix)
            if m.domain_probe
                == (DomainProbe::Known {
                    prefix: prefix.clone(),
                    usable: true,
                }) =>
        {
            advance(m, step)
        }
        work => {
            m.busy = Some(work.busy_text());
            m.writing = false;
            let cmd = match work {
                Work::ListPools => Cmd::LoadPools,
                Work::ReadPool(id) => Cmd::LoadPool(id),
                Work::CheckDomain(prefix) => Cmd::CheckDomain(prefix),
                Work::Prepare => Cmd::PlanPrepare,
                Work::CheckMetadata(source) => Cmd::CheckMetadata { source },
                Work::CheckTenant(tenant) => Cmd::CheckTenant(tenant),
                Work::Done => return advance(m, step),
            };
            vec![Cmd::Save, cmd]
        }
    }
}

/// The account's pools listed (for the pool step), or why not. A late answer (the admin left
/// the wait with Esc) is kept as data and moves nothing.
pub fn pools_listed(
    m: &mut Model,
    listed: Result<AccountRead, engine::Error>,
    awaited: bool,
) -> Vec<Cmd> {
    match listed {
        Ok(pools) => {
            results::pools_listed(&mut m.found, pools);
            if !awaited {
                return Vec::new();
            }
            match m.screen {
                Screen::Step(Step::AwsAccount) => advance(m, Step::AwsAccount),
                Screen::Step(Step::UserPool) => enter(m, Step::UserPool),
                _ => Vec::new(),
            }
        }
        Err(_) if !awaited => Vec::new(),
        Err(e) => {
            m.message = e.to_string().lines().map(str::to_string).collect();
            Vec::new()
        }
    }
}

/// The chosen pool read (its clients, its domain), or why not; a late answer moves nothing.
pub fn pool_read(m: &mut Model, read: Result<PoolRead, engine::Error>, awaited: bool) -> Vec<Cmd> {
    match read {
        Ok(read) => {
            if let Some(state) = m.state.as_mut() {
                results::pool_read(state, &mut m.found, read);
            }
            if !awaited {
                return Vec::new();
            }
            match m.screen {
                Screen::Step(Step::UserPool) => advance(m, Step::UserPool),
                Screen::Step(step) => enter(m, step),
                _ => Vec::new(),
            }
        }
        Err(_) if !awaited => Vec::new(),
        Err(e) => {
            m.message = e.to_string().lines().map(str::to_string).collect();
            Vec::new()
        }
    }
}
