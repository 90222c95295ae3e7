//! Step 11: the certificate files and where each goes in Entra, users and groups.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use cognito_entra::cognito::certs::entra_place_now;
use cognito_entra::journey::{Step, finish_checklist};

use super::entra::checklist_lines;
use super::{Theme, markdown, wrapped};
use crate::tui::app::Model;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let Some(setup) = m.setup() else { return };
    // Certificates left after a resume, handed over through Graph: its plan first.
    if let Some(session) = &m.graph.planned {
        super::entra::graph_plan(frame, area, m, session);
        return;
    }
    let width = area.width.max(1) as usize;
    let mut lines = Vec::new();
    // The records apply saved; where each goes follows from the setup's options.
    let certs: Vec<_> = m
        .state
        .as_ref()
        .map(|s| {
            s.aws
                .certificates
                .iter()
                .map(|r| (r.clone(), entra_place_now(s, &r.kind)))
                .collect()
        })
        .unwrap_or_default();
    // What Graph did first, where it is seen.
    if let Some(done) = m
        .state
        .as_ref()
        .and_then(|s| cognito_entra::journey::graph_done_note(Step::FinishInEntra, s))
    {
        lines.extend(markdown(done, &t, width));
    }
    if !certs.is_empty() {
        lines.push(Line::from(Span::styled(
            "Cognito's certificates, for Entra",
            t.title(),
        )));
    }
    for (record, place) in &certs {
        lines.push(Line::from(vec![
            Span::styled(format!("{} certificate ", record.kind), t.title()),
            Span::styled(record.file.clone().unwrap_or_default(), t.value()),
        ]));
        lines.extend(wrapped(
            &format!(
                "thumbprint {} · valid until {}",
                record.thumbprint, record.not_after
            ),
            width,
            "  ",
            "    ",
            t.dim(),
        ));
        if let Some(place) = place {
            lines.extend(wrapped(
                &format!("→ {place}"),
                width,
                "  ",
                "    ",
                Style::default(),
            ));
        }
    }
    if let Some(none) = cognito_entra::journey::no_certificate_needed(setup) {
        lines.push(Line::from(Span::styled(none, t.dim())));
    }
    if setup.idp_initiated()
        && let Some(relay) = m.values().and_then(|v| v.relay_state)
    {
        lines.push(Line::from(Span::styled(
            "Relay State (Basic SAML Configuration)",
            t.title(),
        )));
        lines.extend(wrapped(&relay, width, "  ", "  ", t.value()));
    }
    lines.push(Line::default());
    lines.extend(markdown(
        &cognito_entra::journey::instructions(Step::FinishInEntra, setup)
            .map(|t| cognito_entra::journey::plain_text(&t))
            .unwrap_or_default(),
        &t,
        width,
    ));
    // The checklist stays in sight at the bottom; the text above it scrolls (PgUp/PgDn).
    let checks = checklist_lines(m, &finish_checklist(setup), &t);
    // Each item as the rows it wraps onto, so that none is cut at the bottom.
    let rows: usize = checks
        .iter()
        .map(|l| l.width().div_ceil(width).max(1))
        .sum();
    let [text, list] =
        Layout::vertical([Constraint::Min(2), Constraint::Length(rows as u16 + 1)]).areas(area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((m.scroll, 0)),
        text,
    );
    let mut list_lines = vec![Line::default()];
    list_lines.extend(checks);
    frame.render_widget(Paragraph::new(list_lines).wrap(Wrap { trim: false }), list);
}
