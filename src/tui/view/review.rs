//! Step 10: the plan exactly as `plan` prints it, the consequences, and then the apply, live.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{SPINNER, Theme};
use crate::tui::app::{LineState, Model};

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    if !m.apply_lines.is_empty() {
        let mut lines = Vec::new();
        for (text, state) in &m.apply_lines {
            let (mark, style) = match state {
                LineState::Pending => ("·".to_string(), t.dim()),
                LineState::Running => (SPINNER[m.tick % SPINNER.len()].to_string(), t.focus()),
                LineState::Done => ("✓".to_string(), t.ok()),
                LineState::Failed => ("✗".to_string(), t.bad()),
            };
            lines.push(Line::from(Span::styled(format!("{mark} {text}"), style)));
        }
        if let Some(e) = &m.apply_error {
            lines.push(Line::default());
            for l in e.to_string().lines() {
                lines.push(Line::from(Span::styled(l.to_string(), t.bad())));
            }
            // A passing fault is retried as it is; a refusal needs the fix named above first.
            let next = if e.may_pass() {
                "press r to retry"
            } else {
                "fix what is named above, then press r to retry (Esc changes answers)"
            };
            lines.push(Line::from(Span::styled(next, t.title())));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let width = area.width.max(1) as usize;
    // What the admin must know stays in view, however long the plan.
    let consequences: Vec<Line> = m
        .plan
        .iter()
        .flat_map(|p| p.consequences.iter())
        .map(|c| Line::from(Span::styled(format!("! {c}"), t.warn())))
        .collect();
    let consequence_rows: usize = consequences
        .iter()
        .map(|l| l.width().div_ceil(width).max(1))
        .sum();
    let [plan_area, warn_area, summary, buttons] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(consequence_rows as u16),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(consequences).wrap(Wrap { trim: false }),
        warn_area,
    );
    let mut lines: Vec<Line> = Vec::new();
    let mut total = String::new();
    match &m.plan {
        Some(plan) => {
            for l in plan.render().lines() {
                // The totals stay in view below the scrolling plan.
                if l.starts_with("Plan:") || l.starts_with("No changes") {
                    total = l.to_string();
                    continue;
                }
                if l.starts_with('!')
                    || (l.is_empty()
                        && total.is_empty()
                        && lines.last().is_some_and(|x: &Line| x.width() == 0))
                {
                    continue;
                }
                let style = if l.trim_start().starts_with('+') {
                    t.ok()
                } else if l.trim_start().starts_with('~') || l.starts_with('!') {
                    t.warn()
                } else {
                    Default::default()
                };
                lines.push(Line::from(Span::styled(l.to_string(), style)));
            }
        }
        None => {
            for msg in &m.message {
                lines.push(Line::from(Span::styled(msg.clone(), t.bad())));
            }
        }
    }
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let overflow = rows > plan_area.height as usize;
    let scroll = m
        .scroll
        .min(rows.saturating_sub(plan_area.height as usize) as u16);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        plan_area,
    );
    if overflow {
        total.push_str("   (↑↓ scroll)");
    }
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(total, t.title()))),
        summary,
    );
    let labels = ["Apply", "Back", "Save & quit"];
    let mut spans = vec![Span::raw("        ")];
    for (i, label) in labels.iter().enumerate() {
        let style = if i == m.review_choice {
            t.focus()
        } else {
            Default::default()
        };
        let text = if i == m.review_choice {
            format!("[ {label} ]")
        } else {
            format!("  {label}  ")
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("   "));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::default(), Line::from(spans)]),
        buttons,
    );
}
