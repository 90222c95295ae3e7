//! Step 10: the plan exactly as `plan` prints it, the consequences, and then the apply, live.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{SPINNER, Theme};
use crate::tui::app::Model;
use crate::tui::steps::review::LineState;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    if !m.review.progress.is_empty() {
        let mut lines = Vec::new();
        for (text, state) in &m.review.progress {
            let (mark, style) = match state {
                LineState::Pending => ("·".to_string(), t.dim()),
                LineState::Running => (SPINNER[m.tick % SPINNER.len()].to_string(), t.focus()),
                LineState::Done => ("✓".to_string(), t.ok()),
                LineState::Failed => ("✗".to_string(), t.bad()),
            };
            lines.push(Line::from(Span::styled(format!("{mark} {text}"), style)));
        }
        if let Some(e) = &m.review.apply_error {
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
    let pane = plan_pane(m, &t, area);
    let [plan_area, warn_area, summary, buttons] = pane.areas;
    let last_start = pane.last_start();
    frame.render_widget(
        Paragraph::new(pane.consequences).wrap(Wrap { trim: false }),
        warn_area,
    );
    let scroll = m.scroll.min(last_start);
    let mut total = pane.total;
    frame.render_widget(
        Paragraph::new(pane.lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        plan_area,
    );
    if scroll < last_start {
        total.push_str("   ↓ more below");
    } else if scroll > 0 {
        total.push_str("   (end; ↑ scrolls back)");
    }
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(total, t.title()))),
        summary,
    );
    let labels = ["Apply", "Back", "Save & quit"];
    let mut spans = vec![Span::raw("        ")];
    for (i, label) in labels.iter().enumerate() {
        let style = if i == m.review.choice {
            t.focus()
        } else {
            Default::default()
        };
        let text = if i == m.review.choice {
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

/// The plan as the review lays it out in `area`: the scrolling plan, the consequences kept
/// in view, the totals, the buttons.
struct PlanPane {
    areas: [Rect; 4],
    consequences: Vec<Line<'static>>,
    lines: Vec<Line<'static>>,
    total: String,
}

impl PlanPane {
    /// The scroll that shows the plan's last row at the bottom of its area: the scroll's end.
    fn last_start(&self) -> u16 {
        let width = self.areas[0].width.max(1) as usize;
        let rows: usize = self
            .lines
            .iter()
            .map(|l| l.width().div_ceil(width).max(1))
            .sum();
        rows.saturating_sub(self.areas[0].height as usize) as u16
    }
}

/// Where the review's scroll ends in `area` (the step's content area).
pub fn last_scroll(m: &Model, area: Rect) -> u16 {
    plan_pane(m, &Theme::of(m), area).last_start()
}

fn plan_pane(m: &Model, t: &Theme, area: Rect) -> PlanPane {
    let width = area.width.max(1) as usize;
    // What the admin must know stays in view, however long the plan.
    let consequences: Vec<Line> = m
        .review
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
    let mut lines: Vec<Line> = Vec::new();
    let mut total = String::new();
    match &m.review.plan {
        Some(plan) => {
            if let Some(in_place) = m.state.as_ref().and_then(|s| s.in_place()) {
                for row in wrap_hanging(&in_place, width) {
                    lines.push(Line::from(Span::styled(row, t.dim())));
                }
                lines.push(Line::default());
            }
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
                // Wrapped here, under the field they belong to (not back at column 0), so
                // that a row on screen is a row counted for scrolling.
                for row in wrap_hanging(l, width) {
                    lines.push(Line::from(Span::styled(row, style)));
                }
            }
        }
        None => {
            for msg in &m.message {
                lines.push(Line::from(Span::styled(msg.clone(), t.bad())));
            }
        }
    }
    PlanPane {
        areas: [plan_area, warn_area, summary, buttons],
        consequences,
        lines,
        total,
    }
}

/// A plan line wrapped to `width` columns, its continuation rows indented under the line's
/// own text (four more than its indent), broken at spaces where it can; a long value (a URL)
/// moves to a row of its own first, and is broken only where no row holds it.
pub fn wrap_hanging(line: &str, width: usize) -> Vec<String> {
    let indent = line.chars().take_while(|c| *c == ' ').count();
    cognito_entra::wrap::hanging(line, width, "", &" ".repeat(indent + 4))
}

#[cfg(test)]
mod tests {
    use super::wrap_hanging;

    #[test]
    fn long_values_wrap_under_their_field_and_every_row_fits() {
        let line = "      callback_urls = [\"https://app.example.com/a-very-long/callback/path/that-goes-on\", \"https://other.example.com/callback\"]";
        let rows = wrap_hanging(line, 40);
        assert!(rows.len() > 2, "{rows:?}");
        for row in &rows {
            assert!(row.chars().count() <= 40, "{row:?}");
        }
        for row in &rows[1..] {
            assert!(
                row.starts_with("          "),
                "indented under the field: {row:?}"
            );
        }
        // Nothing is lost: the same characters, spaces aside.
        let text = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
        assert_eq!(text(&rows.concat()), text(line));
        assert_eq!(wrap_hanging("short", 40), vec!["short".to_string()]);
    }
}
