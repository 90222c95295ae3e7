//! The welcome screen: resume a saved setup, or start one by SAML or OIDC.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::Theme;
use crate::tui::app::{Model, Screen};
use cognito_entra::journey;
use cognito_entra::setup::Protocol;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let mut lines = vec![
        Line::from(Span::styled(
            "Federate an Amazon Cognito user pool with Microsoft Entra ID",
            t.title(),
        )),
        Line::default(),
    ];
    if !m.rows.is_empty() {
        lines.push(Line::from(Span::styled("Resume", t.title())));
        for (i, row) in m.rows.iter().enumerate() {
            let mark = if m.selected == i && m.screen == Screen::Welcome {
                "▸ "
            } else {
                "  "
            };
            let protocol = row.protocol.map_or("?", |p| p.label());
            let style = if m.selected == i {
                t.focus()
            } else {
                Default::default()
            };
            lines.push(Line::from(vec![
                Span::styled(mark, style),
                Span::styled(
                    format!(
                        "{:<14} {:<5} {:<36} {}",
                        row.name, protocol, row.progress, row.when
                    ),
                    style,
                ),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled("New setup", t.title())));
    for (k, protocol) in [Protocol::Saml, Protocol::Oidc].into_iter().enumerate() {
        let (label, what) = (protocol.label(), journey::protocol_summary(protocol));
        let index = m.rows.len() + k;
        let selected = m.selected == index;
        let mark = if selected { "▸ " } else { "  " };
        let style = if selected {
            t.focus()
        } else {
            Default::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{label:<6}"), style),
            Span::raw(what),
        ]));
    }
    lines.push(Line::default());
    if let Screen::Naming(protocol) = m.screen {
        let field = m.form.get("name");
        lines.push(Line::from(Span::styled(
            format!(
                "New {} setup — {}",
                protocol.label(),
                field.map_or("", |f| f.label.as_str())
            ),
            t.title(),
        )));
        if let Some(f) = field {
            let shown = if f.text.is_empty() {
                Span::styled(format!("[{}]", f.default), t.dim())
            } else {
                Span::styled(format!("{}▏", f.text), t.value())
            };
            lines.push(Line::from(vec![Span::raw("> "), shown]));
            if let Some(e) = &f.error {
                lines.push(Line::from(Span::styled(format!("✗ {e}"), t.bad())));
            }
        }
    } else {
        lines.push(Line::from(Span::styled(
            format!("{} ? explains the options.", journey::MULTI_TENANT_SHORT),
            t.dim(),
        )));
    }
    for msg in &m.message {
        lines.push(Line::from(Span::styled(msg.clone(), t.bad())));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" cognito-entra ", t.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
