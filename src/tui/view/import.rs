//! The import screen: what the account holds that federates with Entra, each with its
//! verdict and the setup it becomes; the ticked ones are saved.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Theme, status_line};
use crate::tui::app::Model;
use crate::tui::import::Phase;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Import from the account ", t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [content, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let mut lines = Vec::new();
    let Some(screen) = &m.import else {
        return;
    };
    match &screen.phase {
        Phase::Reading => lines.push(Line::from(format!(
            "Reading every user pool in {} for identity providers that federate with Entra ID. Nothing in AWS or Entra is changed.",
            screen.regions
        ))),
        Phase::Found {
            report,
            candidates,
            ticked,
            cursor,
        } => {
            lines.push(Line::from(format!(
                "{} user pool{} read in {}.",
                report.pools,
                if report.pools == 1 { "" } else { "s" },
                report.regions.join(", ")
            )));
            lines.push(Line::default());
            if candidates.is_empty() {
                lines.push(Line::from(Span::styled(
                    "Nothing new to import.",
                    t.title(),
                )));
            } else {
                lines.push(Line::from(Span::styled(
                    "Ticked ones become saved setups, recorded as adopted:",
                    t.title(),
                )));
            }
            for (i, c) in candidates.iter().enumerate() {
                let here = i == *cursor;
                let style = if here { t.focus() } else { Default::default() };
                let mark = if ticked.get(i).copied().unwrap_or(false) {
                    "[x]"
                } else {
                    "[ ]"
                };
                lines.push(Line::from(Span::styled(
                    format!(
                        "{}{mark} {} in {} ({}) → {}",
                        if here { "▸ " } else { "  " },
                        c.row.provider,
                        c.row.pool_name,
                        c.row.protocol,
                        c.found.setup.name
                    ),
                    style,
                )));
                let verdict_style = if c.row.verdict.starts_with("working") {
                    t.ok()
                } else {
                    t.bad()
                };
                lines.push(Line::from(vec![
                    Span::raw("      "),
                    Span::styled(c.row.verdict.clone(), verdict_style),
                    Span::styled(format!(" · tenant {}", c.row.tenant), t.dim()),
                ]));
                if here {
                    for note in &c.row.notes {
                        lines.push(Line::from(Span::styled(format!("      note: {note}"), t.dim())));
                    }
                }
            }
            let others: Vec<_> = report
                .rows
                .iter()
                .filter(|r| r.outcome != "would import")
                .chain(report.gone.iter())
                .collect();
            if !others.is_empty() {
                lines.push(Line::default());
                for r in others {
                    lines.push(Line::from(Span::styled(
                        format!(
                            "  {} in {}: {}{}",
                            r.provider,
                            if r.pool_name.is_empty() {
                                r.pool_id.clone()
                            } else {
                                r.pool_name.clone()
                            },
                            r.outcome,
                            r.setup
                                .as_deref()
                                .map(|s| format!(" ({s})"))
                                .unwrap_or_default()
                        ),
                        t.dim(),
                    )));
                }
            }
            let mut left = Vec::new();
            if report.other_providers > 0 {
                left.push(format!(
                    "{} provider{} not Entra's (Google, Okta, another IdP…)",
                    report.other_providers,
                    if report.other_providers == 1 { "" } else { "s" }
                ));
            }
            if report.pools_without_entra > 0 {
                left.push(format!(
                    "{} pool{} with no Entra federation",
                    report.pools_without_entra,
                    if report.pools_without_entra == 1 { "" } else { "s" }
                ));
            }
            if !left.is_empty() {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    format!("Left alone: {}.", left.join("; ")),
                    t.dim(),
                )));
            }
        }
        Phase::Saving => lines.push(Line::from("Saving the setups…")),
        Phase::Saved(names) => {
            lines.push(Line::from(Span::styled(
                format!("✓ Saved {} setup(s): {}", names.len(), names.join(", ")),
                t.ok(),
            )));
            lines.push(Line::from(
                "Each is recorded as adopted: nothing in AWS or Entra was changed, and destroy takes nothing down. Resume one from the list to see its values; `cognito-entra doctor --setup NAME` checks it from the command line.",
            ));
        }
        Phase::Failed(why) => {
            for line in why.lines() {
                lines.push(Line::from(Span::styled(line.to_string(), t.bad())));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), content);
    status_line(frame, status, m);
}
