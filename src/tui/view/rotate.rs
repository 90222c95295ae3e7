//! The rotate screen: the rotation's plan (nothing written yet), then what it did or where it
//! stopped, in the engine's words.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Theme, status_line};
use crate::tui::app::Model;
use crate::tui::rotate::Phase;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let Some(screen) = &m.rotate else {
        return;
    };
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" Rotate {} ", screen.setup),
        t.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [content, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let mut lines: Vec<Line> = Vec::new();
    match &screen.phase {
        Phase::Planning => lines.push(Line::from(
            "Reading what the setup holds; nothing is written until you press Enter on the plan.",
        )),
        Phase::Planned(plan) => {
            lines.extend(plan.lines().map(|l| Line::from(l.to_string())));
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                "Nothing is written yet. Enter rotates · Esc changes nothing",
                t.title(),
            )));
        }
        Phase::Rotating => lines.push(Line::from("Rotating…")),
        Phase::Done(Ok(text)) => {
            lines.extend(text.lines().map(|l| Line::from(l.to_string())));
        }
        Phase::Done(Err(why)) => {
            lines.extend(
                why.lines()
                    .map(|l| Line::from(Span::styled(l.to_string(), t.bad()))),
            );
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), content);
    status_line(frame, status, m);
}
