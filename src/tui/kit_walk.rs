//! The customer's Entra admin works from a kit by hand (`entra-side --entra manual`): the
//! kit's portal pages (`journey::kit_walk`), each value copied by a key, then their answer —
//! judged against the kit as typed, checked against Entra on Enter (the engine) — written as
//! the reply to send back. No saved setup and nothing of AWS: the kit is all there is.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use cognito_entra::journey::kit_walk::{self, KitPage};
use cognito_entra::kit::{Kit, Reply, Who};

use super::app::{Cmd, Exit, Model, Screen};
use super::reply_answer::{Outcome, ReplyAnswer, scroll_key};

#[derive(Debug, Clone)]
pub struct KitWalkScreen {
    /// The answer to the kit (it holds the kit), asked on the last page.
    pub answer: ReplyAnswer,
    pub pages: Vec<KitPage>,
    /// The page shown: a portal page, or `pages.len()`, the answer.
    pub page: usize,
    /// The value the cursor is on (its page's), for `c`.
    pub value: usize,
    /// Where the reply goes.
    pub reply_path: PathBuf,
    /// What the check noted beside an answer it took.
    pub notes: Vec<String>,
    /// The reply, once written.
    pub written: bool,
}

impl KitWalkScreen {
    pub fn on_answer(&self) -> bool {
        self.page >= self.pages.len()
    }

    /// The pages and the answer, counted as the title shows them.
    pub fn count(&self) -> usize {
        self.pages.len() + 1
    }
}

/// The model for a kit walked by hand: its first page.
pub fn open(m: &mut Model, kit: Kit, reply_path: PathBuf) {
    m.kit_walk = Some(KitWalkScreen {
        pages: kit_walk::pages(&kit),
        answer: ReplyAnswer::new(kit, Who::CustomerAdmin),
        page: 0,
        value: 0,
        reply_path,
        notes: Vec::new(),
        written: false,
    });
    m.screen = Screen::KitWalk;
}

/// To a page (the answer's questions are asked afresh on arriving there).
fn go(m: &mut Model, page: usize) {
    let Some(screen) = m.kit_walk.as_mut() else {
        return;
    };
    screen.page = page;
    screen.value = 0;
    m.scroll = 0;
    m.notice = None;
    if screen.on_answer() {
        m.form = screen.answer.form();
    }
}

pub fn key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let Some(screen) = m.kit_walk.as_mut() else {
        return Vec::new();
    };
    if screen.written {
        if matches!(key.code, KeyCode::Enter | KeyCode::Esc) {
            m.exit = Some(Exit::Done);
        }
        return Vec::new();
    }
    if scroll_key(m, &key) {
        return Vec::new();
    }
    let Some(screen) = m.kit_walk.as_mut() else {
        return Vec::new();
    };
    if !screen.on_answer() {
        let values = &screen.pages[screen.page].values;
        let copy = |i: usize| {
            values.get(i).map(|v| Cmd::Copy {
                what: v.label.clone(),
                value: v.value.clone(),
            })
        };
        return match key.code {
            KeyCode::Char(c @ '1'..='9') => {
                let i = (c as usize) - ('1' as usize);
                screen.value = i.min(values.len().saturating_sub(1));
                copy(i).into_iter().collect()
            }
            KeyCode::Char('c') => copy(screen.value).into_iter().collect(),
            KeyCode::Down | KeyCode::Tab if !values.is_empty() => {
                screen.value = (screen.value + 1) % values.len();
                m.scroll = 0;
                Vec::new()
            }
            KeyCode::Up | KeyCode::BackTab if !values.is_empty() => {
                screen.value = (screen.value + values.len() - 1) % values.len();
                m.scroll = 0;
                Vec::new()
            }
            KeyCode::Enter | KeyCode::Right => {
                let next = screen.page + 1;
                go(m, next);
                Vec::new()
            }
            KeyCode::Esc | KeyCode::Left if screen.page > 0 => {
                let back = screen.page - 1;
                go(m, back);
                Vec::new()
            }
            _ => Vec::new(),
        };
    }
    match screen.answer.key(&mut m.form, &mut m.busy, key) {
        Outcome::Handled => Vec::new(),
        Outcome::Back => {
            let back = screen.page.saturating_sub(1);
            go(m, back);
            Vec::new()
        }
        Outcome::Check(reply) => vec![Cmd::CheckKitAnswer(
            Box::new(screen.answer.kit.clone()),
            Box::new(reply),
        )],
    }
}

/// An edit (typed or pasted): judged again; the last refusal no longer stands.
pub fn edited(m: &mut Model) {
    if let Some(screen) = m.kit_walk.as_mut() {
        screen.answer.edited(&mut m.form);
    }
}

/// Entra's check of the answer: taken (the reply is written next), or why not.
pub fn checked(
    m: &mut Model,
    result: Result<(Reply, Vec<String>), String>,
    awaited: bool,
) -> Vec<Cmd> {
    let Some(screen) = m.kit_walk.as_mut() else {
        return Vec::new();
    };
    match screen.answer.taken(result, awaited) {
        None => Vec::new(),
        Some((reply, notes)) => {
            screen.notes = notes;
            vec![Cmd::WriteReply {
                path: screen.reply_path.clone(),
                text: reply.with_tenant_spelled_out().to_toml(),
            }]
        }
    }
}

/// The reply file written, or why not (the answer stays, to try again).
pub fn written(m: &mut Model, result: Result<(), String>) -> Vec<Cmd> {
    if let Some(screen) = m.kit_walk.as_mut() {
        match result {
            Ok(()) => screen.written = true,
            Err(why) => screen.answer.refused = vec![why],
        }
    }
    Vec::new()
}

/// The keys the screen offers now, and what Esc does.
pub fn keys(screen: &KitWalkScreen) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
    if screen.written {
        return (vec![("Enter", "done")], Some("done"));
    }
    if screen.on_answer() {
        return match screen.answer.keys("check & write") {
            Some(keys) => (keys, Some("back a page")),
            None => (Vec::new(), Some("stop waiting")),
        };
    }
    let mut keys = Vec::new();
    // The number keys the page's values answer to.
    const COPY_KEYS: [&str; 9] = ["1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "1-8", "1-9"];
    let values = screen.pages[screen.page].values.len();
    if values > 0 {
        keys.push((COPY_KEYS[values.min(9) - 1], "copy"));
    }
    keys.push(("Enter", "next page"));
    (keys, (screen.page > 0).then_some("back a page"))
}
