//! The answer steps (a form each) and the attribute mapping table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use cognito_entra::journey::Step;

use ratatui::style::Style;

use super::{Theme, after, finding_line, instructions, markdown, wrapped};
use crate::tui::app::Model;
use crate::tui::form::{Field, Form, Kind, Note};
use crate::tui::steps::mapping::mapping_rows;

/// Lines for a form, wrapped to `width`: one line per field (a long value continues under
/// it), the focused field's help under it, errors under every field that has one; what wraps
/// keeps its indent.
pub fn form_lines(form: &Form, t: &Theme, reveal: bool, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        if f.hidden {
            continue;
        }
        let focused = i == form.focus;
        lines.extend(field_lines(f, focused, t, reveal, width));
        // A shown-only value never has the cursor: its line of explanation is always there.
        if (focused || f.kind == Kind::Shown) && !f.help.is_empty() {
            lines.extend(wrapped(&f.help, width, HINT, HINT, t.dim()));
        }
        if let Some(e) = &f.error {
            lines.extend(wrapped(&format!("✗ {e}"), width, "  ", "    ", t.bad()));
        } else if let Some(note) = &f.note {
            let (text, style) = match note {
                Note::Checking(text) => (format!("… {text}"), t.dim()),
                Note::Good(text) => (format!("✓ {text}"), t.ok()),
                Note::Bad(text) => (format!("✗ {text}"), t.bad()),
            };
            lines.extend(wrapped(&text, width, "  ", "    ", style));
        }
    }
    lines
}

/// Where a field's hint starts, and where its wrapped rows continue.
const HINT: &str = "    ";

fn field_lines(
    f: &Field,
    focused: bool,
    t: &Theme,
    reveal: bool,
    width: usize,
) -> Vec<Line<'static>> {
    let mark = if focused { "▸ " } else { "  " };
    let label_style = if focused { t.focus() } else { t.title() };
    let mut spans = vec![Span::styled(mark, label_style)];
    match &f.kind {
        Kind::Toggle => {
            spans.push(Span::raw(if f.on { "[x] " } else { "[ ] " }));
            spans.push(Span::styled(f.label.clone(), label_style));
            if !focused && !f.help.is_empty() {
                // The hint beside the label, its wrapped rows under the hint's indent.
                spans.push(Span::raw("  "));
                return after(spans, &f.help, width, HINT, t.dim());
            }
        }
        Kind::Choice(options) => {
            spans.push(Span::styled(format!("{}: ", f.label), label_style));
            // A filter that matches nothing chooses nothing: no option is shown as chosen.
            let option = if f.no_match() {
                "—".to_string()
            } else {
                options.get(f.choice).cloned().unwrap_or_default()
            };
            spans.push(Span::styled(format!("‹ {option} ›"), t.value()));
            let mut extras = Vec::new();
            let matches = f.matches();
            if options.len() > 1 {
                let at = matches
                    .iter()
                    .position(|i| *i == f.choice)
                    .map_or(0, |p| p + 1);
                extras.push(Span::styled(format!("  {at}/{}", matches.len()), t.dim()));
            }
            if !f.filter.is_empty() {
                let note = if matches.is_empty() {
                    " (no match)"
                } else {
                    ""
                };
                extras.push(Span::styled(
                    format!("  filter: {}{note}", f.filter),
                    t.focus(),
                ));
            } else if focused && options.len() > 3 {
                extras.push(Span::styled("  type to filter", t.dim()));
            }
            if Line::from(spans.clone()).width() + Line::from(extras.clone()).width() > width {
                // What follows the option goes under it, not back at column 0.
                if let Some(first) = extras.first_mut() {
                    first.content = first.content.trim_start().to_string().into();
                }
                extras.insert(0, Span::raw(HINT));
                return vec![Line::from(spans), Line::from(extras)];
            }
            spans.extend(extras);
        }
        Kind::Text | Kind::Secret | Kind::Shown => {
            spans.push(Span::styled(format!("{}: ", f.label), label_style));
            let cursor = if focused { "▏" } else { "" };
            let (value, style) = if f.text.is_empty() {
                if f.default.is_empty() {
                    (cursor.to_string(), Style::default())
                } else {
                    (format!("[{}]{cursor}", f.default), t.dim())
                }
            } else if f.kind == Kind::Secret && !reveal {
                (
                    format!("{}{cursor}", "•".repeat(f.text.chars().count().min(24))),
                    t.value(),
                )
            } else {
                (format!("{}{cursor}", f.text), t.value())
            };
            let label_width = Line::from(spans.clone()).width();
            if label_width + value.chars().count() > width {
                // A long value continues under the label, never back at column 0; a URL
                // moves to a row of its own first.
                return after(spans, &value, width, HINT, style);
            }
            spans.push(Span::styled(value, style));
        }
    }
    vec![Line::from(spans)]
}

pub fn view(frame: &mut Frame, area: Rect, m: &Model, step: Step) {
    let t = Theme::of(m);
    let protocol = m.protocol();
    let width = area.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let intro = step.intro(protocol);
    if step == Step::BackFromEntra {
        // Once checked, the findings need the room more than the instructions (? has them).
        if m.entra_check.findings.is_empty() && m.entra_check.facts.is_empty() {
            lines.extend(markdown(&instructions(Step::BackFromEntra, m), &t, width));
        } else {
            lines.push(Line::from(Span::styled(
                "Checked. F1 shows where each value is in Entra.",
                t.dim(),
            )));
        }
    } else {
        lines.push(Line::from(intro));
    }
    lines.push(Line::default());
    if let (Step::Provider, Some(plan)) = (step, &m.prepare_plan) {
        // What Enter creates, asked once before anything is made.
        lines.push(Line::from(cognito_entra::journey::prepare_why(protocol)));
        lines.push(Line::default());
        for change in &plan.changes {
            lines.push(Line::from(Span::styled(
                format!("  + {}", change.describe()),
                t.ok(),
            )));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "{} Enter creates them · Esc goes back to the answers",
                cognito_entra::journey::PREPARE_ASK
            ),
            t.title(),
        )));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    lines.extend(form_lines(&m.form, &t, m.reveal, width));
    if !m.entra_check.findings.is_empty() || !m.entra_check.facts.is_empty() {
        lines.push(Line::default());
        lines.extend(m.entra_check.findings.iter().map(|f| finding_line(f, &t)));
        for fact in &m.entra_check.facts {
            let style = match fact.level {
                Some(cognito_entra::entra::Level::Error) => t.bad(),
                Some(cognito_entra::entra::Level::Warning) => t.warn(),
                _ => t.ok(),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{} {:<13}", fact.mark(), fact.label), style),
                Span::raw(fact.value.clone()),
            ]));
        }
    }
    if !m.message.is_empty() {
        lines.push(Line::default());
        for msg in &m.message {
            let style = if msg.starts_with('✓') {
                t.ok()
            } else {
                t.bad()
            };
            lines.push(Line::from(Span::styled(msg.clone(), style)));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

pub fn mapping(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let rows = mapping_rows(m);
    let required = |attr: &String| {
        m.state
            .as_ref()
            .is_some_and(|s| s.required_attributes().contains(attr))
    };
    let mut lines = vec![Line::from(
        "Cognito attribute ← the Entra claim that fills it.",
    )];
    // The legend only where a row carries the mark.
    if rows.iter().any(|(attr, _)| required(attr)) {
        lines.push(Line::from(Span::styled(
            "* required by the pool: must be mapped",
            t.dim(),
        )));
    }
    lines.push(Line::default());
    for (i, (attr, claim)) in rows.iter().enumerate() {
        let selected = i == m.list_selected && m.editing.is_none();
        let required = if required(attr) { "*" } else { " " };
        let mark = if selected { "▸" } else { " " };
        let style = if selected { t.focus() } else { t.title() };
        let claim = match claim {
            Some(c) => Span::styled(c.clone(), t.value()),
            None => Span::styled("(not mapped: sign-in fails)", t.bad()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{required}{attr:<13}"), style),
            Span::raw("← "),
            claim,
        ]));
    }
    if let Some(edit) = &m.editing {
        lines.push(Line::default());
        lines.extend(form_lines(edit, &t, false, area.width as usize));
    }
    for msg in &m.message {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(msg.clone(), t.bad())));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
