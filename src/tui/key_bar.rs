//! The key bar: the keys that work on each screen, in one rule (the screen's own keys, then
//! Esc where it works, then help and quit, which work everywhere). Kept apart from `update`
//! because it only reads the model; it must agree with what the step modules do with a key.

use cognito_entra::journey::{Step, portal_values};
use cognito_entra::setup::Protocol;

use super::app::{Model, Screen};
use super::steps::destroy::Destroy;

impl Model {
    /// The keys that work on this screen, for the key bar. One rule on every screen: it ends
    /// with Esc where Esc works, then F1 help and Ctrl-Q quit, which work everywhere (`?` and
    /// `q` work too where no field takes typing, as the help says, but the bar shows the
    /// keys that always work).
    pub fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let (mut keys, esc) = self.screen_keys();
        if let Some(esc) = esc {
            keys.push(("Esc", esc));
        }
        keys.push(HELP_KEY);
        keys.push(QUIT_KEY);
        keys
    }

    /// The screen's own keys, and what Esc does there (`None`: nothing).
    fn screen_keys(&self) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
        match self.screen {
            // The list's own keys fill 80 columns: the arrows (the ▸ shows the list moves)
            // give way to the four that do something.
            Screen::Welcome if self.selected < self.rows.len() => (
                vec![
                    ("Enter", "resume"),
                    ("d", "destroy"),
                    ("r", "rotate"),
                    ("i", "import"),
                ],
                None,
            ),
            Screen::Welcome => (
                vec![("↑↓", "move"), ("Enter", "choose"), ("i", "import")],
                None,
            ),
            Screen::Import => match &self.import {
                Some(screen) => super::import::keys(screen),
                None => (Vec::new(), None),
            },
            Screen::Rotate => match &self.rotate {
                Some(screen) => super::rotate::keys(screen),
                None => (Vec::new(), None),
            },
            Screen::KitWalk => match &self.kit_walk {
                Some(screen) => super::kit_walk::keys(screen),
                None => (Vec::new(), None),
            },
            Screen::CustomerReply => match &self.customer_reply {
                Some(screen) => super::customer_reply::keys(screen),
                None => (Vec::new(), None),
            },
            Screen::Naming(_) => (vec![("Enter", "start")], Some("back")),
            Screen::Destroy if self.destroy.as_ref().is_some_and(Destroy::asks) => {
                (vec![("Enter", "remove")], Some("keep it"))
            }
            // Removing is waited for: Esc does nothing then.
            Screen::Destroy if self.applying => (Vec::new(), None),
            Screen::Destroy => (
                vec![("Enter", "back to the list")],
                Some("back to the list"),
            ),
            Screen::Step(step) => self.step_keys(step),
        }
    }

    fn step_keys(&self, step: Step) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
        if step == Step::Provider && self.prepare_plan.is_some() {
            return (vec![("Enter", "create")], Some("back to answers"));
        }
        if matches!(step, Step::EntraPortal | Step::FinishInEntra) && self.graph.planned.is_some() {
            return (vec![("↑↓", "scroll"), ("Enter", "make")], Some("cancel"));
        }
        if matches!(step, Step::EntraPortal | Step::FinishInEntra)
            && self.busy.is_some()
            && !self.writing
        {
            return (Vec::new(), Some("cancel the sign-in"));
        }
        let mut keys = Vec::new();
        match step {
            Step::EntraPortal if self.editing.is_some() => {
                return (vec![("Enter", "sign in")], Some("cancel"));
            }
            Step::EntraPortal => {
                let values = match (self.setup(), self.values()) {
                    (Some(setup), Some(values)) => portal_values(setup, &values).len(),
                    _ => 0,
                };
                if let Some(range) = copy_range(values) {
                    keys.push((range, "copy"));
                }
                keys.push(("↑↓ Space", "tick"));
                keys.push(("Enter", "next"));
            }
            Step::AttributeMapping if self.editing.is_some() => {
                return (vec![("Enter", "keep")], Some("cancel"));
            }
            Step::AttributeMapping => {
                keys.push(("↑↓", "move"));
                keys.push(("e", "edit"));
                keys.push(("a", "add"));
                keys.push(("d", "delete"));
                keys.push(("Enter", "next"));
            }
            Step::ReviewApply if self.review.apply_error.is_some() => {
                keys.push(("r", "retry"));
            }
            Step::ReviewApply => {
                keys.push(("↑↓", "scroll"));
                keys.push(("←→", "choose"));
                keys.push(("Enter", "confirm"));
            }
            Step::FinishInEntra => {
                if self
                    .state
                    .as_ref()
                    .is_some_and(cognito_entra::journey::certificates_left_for_graph)
                {
                    keys.push(("g", "hand over by Graph"));
                }
                keys.push(("↑↓ Space", "tick"));
                keys.push(("PgUp/PgDn", "scroll"));
                keys.push(("Enter", "next"));
            }
            Step::TestHandOver if self.editing.is_some() => {
                return (vec![("Enter", "check")], Some("cancel"));
            }
            Step::TestHandOver if self.saml_check.is_some() => {
                return (
                    vec![("↑↓", "scroll"), ("s", "check another")],
                    Some("close"),
                );
            }
            Step::TestHandOver => {
                keys.push(("1-3", "copy"));
                keys.push(("o", "open"));
                if self.protocol() == Protocol::Saml {
                    keys.push(("s", "check SAML"));
                }
                keys.push(("↑↓", "scroll"));
            }
            Step::BackFromEntra if self.protocol() == Protocol::Saml => {
                keys.push((
                    "Enter",
                    if self.entra_check.usable {
                        "next"
                    } else {
                        "check"
                    },
                ));
            }
            Step::BackFromEntra => {
                keys.push((
                    "Enter",
                    if self.entra_check.usable {
                        "next"
                    } else {
                        "check"
                    },
                ));
                if !self.secret_from_graph {
                    keys.push(("Ctrl-R", "reveal secret"));
                }
            }
            _ => {
                keys.push(("Tab", "field"));
                keys.push(("Enter", "next"));
            }
        }
        // A write under way (apply, creating) is waited for: Esc does nothing then.
        let esc = (!self.applying && !self.writing).then_some("back");
        (keys, esc)
    }
}

/// Help, on every screen (F1 works in a text field too, where `?` is a character).
pub const HELP_KEY: (&str, &str) = ("F1", "help");

/// Quit, on every screen (Ctrl-Q works in a text field too, where `q` is a letter); what
/// was done is saved already, so "quit" says all.
pub const QUIT_KEY: (&str, &str) = ("Ctrl-Q", "quit");

/// The number keys that copy `n` values: "1-2" for two ("1-9" would promise seven more).
fn copy_range(n: usize) -> Option<&'static str> {
    const RANGES: [&str; 9] = ["1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "1-8", "1-9"];
    n.checked_sub(1).and_then(|i| RANGES.get(i)).copied()
}
