//! The journey's steps, one module per step or close group, each with its keys and the
//! answers of its slow work (`Msg::Task`). This module holds what every step shares: arriving
//! at a step, moving on, going back, judging the form as it is typed, scrolling.

pub mod answers;
pub mod back_from_entra;
pub mod checklist;
pub mod destroy;
pub mod domain;
pub mod graph;
pub mod handover;
pub mod mapping;
pub mod provider;
pub mod review;
pub mod welcome;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::journey::Step;
use cognito_entra::journey::questions::{
    self, Work, problem, problem_on_confirm, setup_name_problem, shown,
};

use super::app::{Cmd, Model, Screen};
use super::form::Form;
use domain::DomainProbe;

/// A key on a journey step: an open panel takes it first (the Provider step's plan, the Graph
/// plan, the question before the sign-in), then Esc goes back a step, then the step's own keys.
pub fn key(m: &mut Model, step: Step, key: KeyEvent) -> Vec<Cmd> {
    if step == Step::Provider && m.prepare_plan.is_some() {
        return provider::prepare_key(m, key);
    }
    if matches!(step, Step::EntraPortal | Step::FinishInEntra) && m.graph.planned.is_some() {
        return graph::plan_key(m, key);
    }
    if step == Step::EntraPortal && m.editing.is_some() {
        return graph::assign_key(m, key);
    }
    if step == Step::EntraPortal && m.busy.is_some() && key.code == KeyCode::Esc {
        // Waiting for the sign-in: Esc stops waiting (its answer is then ignored); while
        // Graph makes the application, the step stays until it is done.
        if !m.writing {
            m.busy = None;
            m.notice = Some("Sign-in cancelled: nothing was made in Entra".into());
        }
        return Vec::new();
    }
    if key.code == KeyCode::Esc && m.editing.is_none() {
        // Back a step, answers kept; from the first step, back to the list of setups.
        if m.applying {
            return Vec::new();
        }
        if m.saml_check.take().is_some() {
            m.scroll = 0;
            return Vec::new();
        }
        if !m.form.fields.is_empty() {
            m.drafts.insert(step, m.form.clone());
        }
        return match previous(step) {
            Some(p) => {
                let mut cmds = vec![Cmd::Save];
                cmds.extend(enter(m, p));
                cmds
            }
            None => vec![Cmd::Save, Cmd::Release],
        };
    }
    match step {
        Step::EntraPortal => checklist::checklist_key(m, key, step),
        Step::FinishInEntra => checklist::checklist_key(m, key, step),
        Step::AttributeMapping => mapping::mapping_key(m, key),
        Step::ReviewApply => review::review_key(m, key),
        Step::TestHandOver => handover::handover_key(m, key),
        _ => answers::form_step_key(m, step, key),
    }
}

/// Shows and hides the step's fields as the journey says, and puts each shown field's
/// problem under it (`confirming`: the step is being confirmed, so what may stay empty while
/// typing must be given now).
pub fn judge_fields(form: &mut Form, step: Step, confirming: bool) {
    let judged: Vec<(bool, Option<String>)> = form
        .fields
        .iter()
        .map(|f| {
            let visible = shown(step, f.key, form);
            let error = if !visible || (!confirming && f.value().is_empty()) {
                // An empty field is not wrong until the step is confirmed.
                None
            } else if confirming {
                problem_on_confirm(step, f.key, f.required.as_deref(), form)
            } else {
                problem(step, f.key, form)
            };
            (visible, error)
        })
        .collect();
    for (f, (visible, error)) in form.fields.iter_mut().zip(judged) {
        f.hidden = !visible;
        f.error = error;
        // A choice whose filter matches nothing has no answer: Enter takes nothing.
        if visible && confirming && f.no_match() {
            f.error = Some(questions::no_match(&f.label, &f.filter));
        }
    }
}

/// Marks the current step done, moves on and says what to do on arrival.
pub fn advance(m: &mut Model, step: Step) -> Vec<Cmd> {
    if let Some(state) = m.state.as_mut() {
        state.mark_done(&[step]);
    }
    let next = Step::ALL
        .iter()
        .copied()
        .find(|s| s.number() == step.number() + 1)
        .unwrap_or(Step::TestHandOver);
    let mut cmds = vec![Cmd::Save];
    cmds.extend(enter(m, next));
    cmds
}

/// Arrives at a step: builds its form from the answers, and asks for what it needs.
pub fn enter(m: &mut Model, step: Step) -> Vec<Cmd> {
    // A customer's values come in their reply, checked as a reply is: never typed over.
    if step == Step::BackFromEntra && m.state.as_ref().is_some_and(|s| s.handoff.is_some()) {
        m.message.clear();
        m.notice = None;
        m.scroll = 0;
        return crate::tui::customer_reply::open(m);
    }
    m.screen = Screen::Step(step);
    m.message.clear();
    m.notice = None;
    m.list_selected = 0;
    m.editing = None;
    m.help = false;
    m.domain_probe = DomainProbe::Idle;
    m.saml_check = None;
    m.prepare_plan = None;
    m.scroll = 0;
    let Some(state) = m.state.as_ref() else {
        return Vec::new();
    };
    {
        m.form = Form::asking(questions::questions(
            step,
            state,
            &m.found,
            m.secret.as_deref(),
        ));
    }
    if step == Step::Protocol {
        m.screen = Screen::Step(Step::AwsAccount);
    }
    if let Some(draft) = m.drafts.get(&step) {
        m.form.keep_typed(draft);
    }
    if step == Step::BackFromEntra {
        m.entra_check = Default::default();
    }
    validate_form(m);
    let before = m
        .state
        .as_ref()
        .and_then(|state| questions::work_before(step, state, &m.found));
    match (step, before) {
        (_, Some(work)) => {
            m.busy = Some(work.busy_text());
            match work {
                Work::ListPools => vec![Cmd::LoadPools],
                Work::ReadPool(id) => vec![Cmd::LoadPool(id)],
                _ => Vec::new(),
            }
        }
        (Step::ReviewApply, None) => {
            m.review = review::Review::default();
            m.scroll = 0;
            m.busy = Some("Planning: reading the account and checking Entra…".into());
            vec![Cmd::Plan]
        }
        _ => Vec::new(),
    }
}

/// Checks the form as the admin types; errors appear under their fields. The rules are the
/// journey's, one per question.
fn validate_form(m: &mut Model) {
    let Screen::Step(step) = m.screen else { return };
    judge_fields(&mut m.form, step, false);
    if step == Step::Domain {
        domain::schedule_domain_probe(m);
    }
}

/// After the form changed: what was said about the old answers goes, and the new ones are
/// judged.
pub fn on_edit(m: &mut Model) {
    // What Enter said ("fix the fields marked ✗") is about the answers before this edit.
    if matches!(m.screen, Screen::Step(_)) {
        m.message.clear();
    }
    if matches!(m.screen, Screen::Step(Step::BackFromEntra)) {
        // What the check said is about the answer before this edit: it goes with it.
        m.entra_check = Default::default();
        m.message.clear();
    }
    if let Screen::Naming(_) = m.screen {
        let taken: Vec<String> = m.rows.iter().map(|r| r.name.clone()).collect();
        let name = m.form.value("name");
        if let Some(f) = m.form.get_mut("name") {
            f.error = setup_name_problem(&name, &taken);
        }
    } else {
        validate_form(m);
    }
}

/// The step Esc goes back to (the protocol, chosen when the setup was named, is not one).
fn previous(step: Step) -> Option<Step> {
    Step::ALL
        .iter()
        .copied()
        .rev()
        .find(|s| s.number() < step.number() && *s != Step::Protocol)
}

/// Scrolls a long text (↑↓ a line, PgUp/PgDn a screenful); whether the key did.
pub fn scrolled(m: &mut Model, code: KeyCode) -> bool {
    match code {
        KeyCode::Up => m.scroll = m.scroll.saturating_sub(1),
        KeyCode::Down => m.scroll = m.scroll.saturating_add(1),
        KeyCode::PageUp => m.scroll = m.scroll.saturating_sub(10),
        KeyCode::PageDown => m.scroll = m.scroll.saturating_add(10),
        _ => return false,
    }
    clamp_scroll(m);
    true
}

/// A scroll ends at the last row: past it, ↑ would first have to climb back unseen rows.
/// Where the screen's rows are known (the same layout the view draws), the scroll stops there.
pub fn clamp_scroll(m: &mut Model) {
    if let Some(last) = super::view::last_scroll(m) {
        m.scroll = m.scroll.min(last);
    }
}

/// The first letter upper-cased, for a change's description used as a sentence.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
