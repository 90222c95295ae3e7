//! The domain step's prefix: checked live while the admin types (after a pause, once per
//! prefix), and again on Enter unless the live check already found it usable.

use cognito_entra::engine;
use cognito_entra::journey::Step;
use cognito_entra::results;
use cognito_entra::state::State;

use super::advance;
use crate::tui::app::{Cmd, Model, Screen};
use crate::tui::form::Note;

/// The live availability check of the domain prefix: it waits for typing to pause, then asks
/// Cognito once per prefix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DomainProbe {
    #[default]
    Idle,
    /// Asks at tick `due` unless the prefix changes first.
    Waiting {
        prefix: String,
        due: usize,
    },
    Checking(String),
    /// Cognito's answer for this prefix: free (or this pool's own), or why not.
    Known {
        prefix: String,
        usable: bool,
    },
}

/// Ticks (of 120 ms) of no typing before the prefix is checked.
const PROBE_PAUSE_TICKS: usize = 3;

/// After the prefix changed: forget what was known of the old one and wait for a pause.
pub fn schedule_domain_probe(m: &mut Model) {
    let Some(field) = m.form.get("prefix").filter(|f| !f.hidden) else {
        return;
    };
    let prefix = field.value();
    let valid = field.error.is_none() && !prefix.is_empty();
    let same = match &m.domain_probe {
        DomainProbe::Idle => false,
        DomainProbe::Waiting { prefix: p, .. }
        | DomainProbe::Checking(p)
        | DomainProbe::Known { prefix: p, .. } => *p == prefix,
    };
    if same {
        return;
    }
    if let Some(f) = m.form.get_mut("prefix") {
        f.note = None;
    }
    m.domain_probe = if valid {
        DomainProbe::Waiting {
            prefix,
            due: m.tick + PROBE_PAUSE_TICKS,
        }
    } else {
        DomainProbe::Idle
    };
}

/// On a tick: asks Cognito about the prefix once typing has paused long enough.
pub fn probe_when_due(m: &mut Model) -> Vec<Cmd> {
    let DomainProbe::Waiting { prefix, due } = &m.domain_probe else {
        return Vec::new();
    };
    if m.tick < *due || m.screen != Screen::Step(Step::Domain) || m.busy.is_some() {
        return Vec::new();
    }
    let prefix = prefix.clone();
    if let Some(f) = m.form.get_mut("prefix") {
        f.note = Some(Note::Checking(format!(
            "checking whether {prefix} is free…"
        )));
    }
    m.domain_probe = DomainProbe::Checking(prefix.clone());
    vec![Cmd::ProbeDomain(prefix)]
}

/// The live check's answer, shown under the prefix while it is still the prefix typed.
pub fn domain_probed(m: &mut Model, prefix: String, result: Result<Option<String>, engine::Error>) {
    if m.domain_probe != DomainProbe::Checking(prefix.clone()) {
        // The admin typed on meanwhile: this answer is about a prefix no longer there.
        return;
    }
    let (usable, said) = domain_verdict(m, &prefix, &result);
    if let Some(f) = m.form.get_mut("prefix") {
        f.note = Some(if usable {
            Note::Good(said)
        } else {
            Note::Bad(said)
        });
    }
    // Enter skips its own check only when this one found the prefix usable.
    m.domain_probe = DomainProbe::Known { prefix, usable };
}

/// The journey's verdict on a domain check, for this setup's pool and region.
fn domain_verdict(
    m: &Model,
    prefix: &str,
    owner: &Result<Option<String>, engine::Error>,
) -> (bool, String) {
    let pool_id = m.state.as_ref().and_then(State::pool_id);
    let region = m.setup().map(|s| s.region.clone()).unwrap_or_default();
    results::domain_verdict(
        prefix,
        &region,
        pool_id,
        owner.as_ref().map(Option::as_deref),
    )
}

/// Enter's own check of the prefix (awaited): usable goes on, taken says why.
pub fn checked(
    m: &mut Model,
    prefix: &str,
    owner: &Result<Option<String>, engine::Error>,
) -> Vec<Cmd> {
    let (usable, said) = domain_verdict(m, prefix, owner);
    if usable {
        advance(m, Step::Domain)
    } else {
        m.message = vec![format!("{said}.")];
        Vec::new()
    }
}
