//! Step 7: the Entra portal, with each value one key from the clipboard, and a checklist.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use cognito_entra::journey::{ChecklistItem, entra_checklist, portal_values};

use super::{Theme, instructions, markdown, wrapped};
use crate::tui::app::Model;

pub fn checklist_lines(m: &Model, items: &[ChecklistItem], t: &Theme) -> Vec<Line<'static>> {
    let done = |id: &str| {
        m.state
            .as_ref()
            .is_some_and(|s| s.progress.checklist.iter().any(|c| c == id))
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let selected = i == m.list_selected;
            let mark = if selected { "▸" } else { " " };
            let tick = if done(item.id) { "[x]" } else { "[ ]" };
            let style = if selected {
                t.focus()
            } else {
                Default::default()
            };
            Line::from(Span::styled(format!("{mark}{tick} {}", item.label), style))
        })
        .collect()
}

/// The instructions' rows kept in view however long the values are: at 80×24 with three
/// values, the start of the portal path and the note that F1 has the rest.
const INSTRUCTION_ROWS: u16 = 3;

pub fn portal(frame: &mut Frame, area: Rect, m: &Model) {
    let (Some(setup), Some(values)) = (m.setup(), m.values()) else {
        return;
    };
    if let Some(session) = &m.graph.planned {
        graph_plan(frame, area, m, session);
        return;
    }
    portal_screens(frame, area, m, setup, &values);
}

/// "Do it for me": what Graph will make, asked once before anything is written (step 7, or
/// step 11 for certificates left after a resume).
pub fn graph_plan(
    frame: &mut Frame,
    area: Rect,
    m: &Model,
    session: &cognito_entra::entra_graph::Session,
) {
    let t = Theme::of(m);
    let Some(setup) = m.setup() else { return };
    {
        let mut lines = vec![
            Line::from(Span::styled(
                format!(
                    "Entra, through Microsoft Graph (tenant {}):",
                    session.tenant
                ),
                t.title(),
            )),
            Line::default(),
        ];
        for change in &session.changes {
            for (i, row) in change.describe().lines().enumerate() {
                let style = if i == 0 { t.ok() } else { t.value() };
                lines.push(Line::from(Span::styled(format!("  {row}"), style)));
            }
        }
        lines.push(Line::default());
        for note in cognito_entra::journey::graph_notes(setup, &session.desired, &session.seen) {
            lines.push(Line::from(Span::styled(format!("! {note}"), t.warn())));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            if session.changes.len() == 1 {
                "Enter makes this change · Esc cancels (nothing is written until then)"
            } else {
                "Enter makes these changes · Esc cancels (nothing is written until then)"
            },
            t.title(),
        )));
        // A long plan scrolls (↑↓) rather than being cut at the bottom of a small terminal.
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((m.scroll, 0)),
            area,
        );
    }
}

fn portal_screens(
    frame: &mut Frame,
    area: Rect,
    m: &Model,
    setup: &cognito_entra::setup::Setup,
    values: &cognito_entra::setup::Values,
) {
    let t = Theme::of(m);
    if let Some(edit) = &m.editing {
        // "Do it for me", SAML: who may sign in, before the sign-in.
        let mut lines = vec![
            Line::from(Span::styled(
                "Do it for me: the tool signs in to Entra and makes the application.",
                t.title(),
            )),
            Line::default(),
        ];
        lines.extend(super::answers::form_lines(
            edit,
            &t,
            false,
            area.width as usize,
        ));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Enter signs in (nothing is written before you confirm the plan) · Esc cancels",
            t.dim(),
        )));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let width = area.width.max(1) as usize;
    let mut value_lines: Vec<Line> = vec![Line::default()];
    let portal = portal_values(setup, values);
    for (i, pv) in portal.iter().enumerate() {
        value_lines.push(Line::from(vec![
            Span::styled(format!("{} ", i + 1), t.focus()),
            Span::styled(pv.entra_field, t.title()),
        ]));
        // Values wrap rather than truncate (a mouse selection gets all of each), under
        // their own indent, a URL broken only where it fits no row.
        match &pv.value {
            Some(v) => value_lines.extend(wrapped(v, width, "  ", "  ", t.value())),
            None => value_lines.push(Line::from(Span::styled(
                "  (pending: apply creates it)",
                t.warn(),
            ))),
        }
    }
    let items = entra_checklist(setup);
    let checks = checklist_lines(m, &items, &t);
    let [text, vals, list] = Layout::vertical([
        Constraint::Min(INSTRUCTION_ROWS),
        Constraint::Length(value_lines.len() as u16),
        Constraint::Length(checks.len() as u16 + 2),
    ])
    .areas(area);
    let mut intro = markdown(
        &instructions(cognito_entra::journey::Step::EntraPortal, m),
        &t,
        width,
    );
    // What went wrong with "do it for me" comes first, where it is seen.
    if !m.message.is_empty() {
        let mut said: Vec<Line> = m
            .message
            .iter()
            .flat_map(|l| wrapped(l, width, "", "  ", t.bad()))
            .collect();
        said.push(Line::default());
        said.extend(intro);
        intro = said;
    }
    // Keep the rows that fit (the lines are wrapped already), and say where the rest is.
    if intro.len() > text.height as usize {
        intro.truncate((text.height as usize).saturating_sub(1));
        intro.push(Line::from(Span::styled(
            "… more: F1 shows every step",
            t.dim(),
        )));
    }
    frame.render_widget(Paragraph::new(intro), text);
    frame.render_widget(Paragraph::new(value_lines).wrap(Wrap { trim: false }), vals);
    let mut list_lines = vec![Line::default()];
    list_lines.extend(checks);
    let known = m
        .state
        .as_ref()
        .and_then(cognito_entra::journey::graph_app_line);
    let offered = m
        .state
        .as_ref()
        .is_some_and(cognito_entra::journey::graph_offered);
    match known {
        Some(line) => list_lines.push(Line::from(vec![
            Span::styled(" ✓ ", t.ok()),
            Span::styled(line, t.dim()),
        ])),
        None if offered => list_lines.push(Line::from(vec![
            Span::styled(" g ", t.focus()),
            Span::styled(cognito_entra::journey::GRAPH_OFFER, t.dim()),
        ])),
        None => {}
    }
    frame.render_widget(Paragraph::new(list_lines), list);
}
