//! The customer's reply screen: whose reply it is, the questions (judged against the kit as
//! typed), and what Entra's check refused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::answers::form_lines;
use super::{Theme, framed, status_line, wrapped};
use crate::tui::app::Model;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let Some(screen) = &m.customer_reply else {
        return;
    };
    let name = m.setup().map(|s| s.name.clone()).unwrap_or_default();
    let (content, status) = framed(frame, area, &t, &format!("{name}: the customer's reply"));
    let width = usize::from(content.width.max(20));
    let mut lines: Vec<Line> = wrapped(&screen.intro, width, "", "", t.dim());
    lines.push(Line::default());
    lines.extend(answer_lines(m, &t, &screen.answer.refused, width));
    let last = u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines).scroll((m.scroll.min(last), 0)),
        content,
    );
    status_line(frame, status, m);
}

/// The reply's questions (the form) and what Entra's check refused, as both reply screens
/// show them.
pub fn answer_lines(m: &Model, t: &Theme, refused: &[String], width: usize) -> Vec<Line<'static>> {
    let mut lines = form_lines(&m.form, t, false, width);
    if !refused.is_empty() {
        lines.push(Line::default());
        for l in refused {
            lines.extend(wrapped(l, width, "", "  ", t.bad()));
        }
    }
    lines
}
