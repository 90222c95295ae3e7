//! Step 12: the sign-in URL to test, and what the app developer needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use cognito_entra::setup::Protocol;

use super::{Theme, after, finding_line, wrapped};
use crate::tui::app::Model;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    if m.editing.is_some() || m.saml_check.is_some() {
        // The check takes the whole pane: its findings are long.
        frame.render_widget(
            Paragraph::new(saml_check_lines(m, &t, area.width.max(1) as usize))
                .wrap(Wrap { trim: false })
                .scroll((m.scroll, 0)),
            area,
        );
        return;
    }
    let lines = hand_over_lines(m, &t, area.width.max(1) as usize);
    // The scroll ends with the last row at the bottom (the lines are wrapped already).
    let last = lines.len().saturating_sub(area.height as usize) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((m.scroll.min(last), 0)), area);
}

/// Where the hand-over's scroll ends in `area` (the step's content area).
pub fn last_scroll(m: &Model, area: Rect) -> u16 {
    let lines = hand_over_lines(m, &Theme::of(m), area.width.max(1) as usize);
    lines.len().saturating_sub(area.height as usize) as u16
}

/// The hand-over, wrapped to `width`: a row is a line.
fn hand_over_lines(m: &Model, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let (Some(setup), Some(values)) = (m.setup(), m.values()) else {
        return Vec::new();
    };
    let callback = setup
        .app_client
        .callback_urls
        .first()
        .cloned()
        .unwrap_or_else(|| "your callback URL".into());
    // What matters most first: the screen is full at 80×24.
    let open = m
        .state
        .as_ref()
        .and_then(cognito_entra::journey::unticked_text);
    let mut lines = match open {
        Some(open) => wrapped(
            &format!("! {open} Esc goes back to tick them."),
            width,
            "",
            "  ",
            t.warn(),
        ),
        None => wrapped(
            &format!(
                "✓ Setup complete. `cognito-entra values --setup {}` shows all this again.",
                setup.name
            ),
            width,
            "",
            "  ",
            t.ok(),
        ),
    };
    lines.extend(after(
        vec![
            Span::styled("1 ", t.focus()),
            Span::styled("Sign-in URL", t.title()),
        ],
        &format!(": open it, sign in at Entra, and your app gets ?code=… at {callback}"),
        width,
        "  ",
        t.dim(),
    ));
    lines.extend(wrapped(
        &values.sign_in_url.clone().unwrap_or_default(),
        width,
        "  ",
        "  ",
        t.value(),
    ));
    if setup.protocol == Protocol::Saml {
        lines.extend(wrapped(
            "Failed at Cognito? Press s to check the SAMLResponse.",
            width,
            "  ",
            "  ",
            t.dim(),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("2 ", t.focus()),
        Span::styled("For your app (one block)   ", t.title()),
        Span::styled("3 ", t.focus()),
        Span::styled("As .env", t.title()),
    ]));
    for l in cognito_entra::handover::block(setup, &values)
        .lines()
        .filter(|l| !l.starts_with("Sign-in URL"))
    {
        // A value's wrapped rows under the value column, not under the label.
        let column = l
            .find("  ")
            .map_or(0, |i| i + l[i..].len() - l[i..].trim_start().len());
        lines.extend(wrapped(
            l,
            width,
            "  ",
            &" ".repeat(2 + column),
            Style::default(),
        ));
    }
    lines
}

/// The check of a pasted SAML response: where to find it, then what decode-saml would say.
fn saml_check_lines(m: &Model, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled("Check a SAML response", t.title()))];
    if let Some(edit) = &m.editing {
        lines.extend(wrapped(
            "Browser developer tools › Network › the POST to …/saml2/idpresponse › Payload: copy the SAMLResponse value, paste it here, Enter.",
            width,
            "  ",
            "  ",
            t.dim(),
        ));
        let pasted = edit.value("response");
        let shown = if pasted.is_empty() {
            Span::styled("(paste here)", t.dim())
        } else {
            let head: String = pasted.chars().take(32).collect();
            Span::styled(
                format!("{head}… ({} characters)", pasted.chars().count()),
                t.value(),
            )
        };
        lines.push(Line::from(vec![
            Span::styled("▸ SAMLResponse: ", t.focus()),
            shown,
        ]));
        if let Some(e) = edit.fields.first().and_then(|f| f.error.clone()) {
            lines.extend(wrapped(&format!("✗ {e}"), width, "  ", "    ", t.bad()));
        }
        return lines;
    }
    match &m.saml_check {
        Some(Err(why)) => lines.push(Line::from(Span::styled(format!("✗ {why}"), t.bad()))),
        Some(Ok(d)) => {
            if d.only_notes() {
                lines.push(Line::from(Span::styled(
                    "✓ Nothing in this response stops Cognito.",
                    t.ok(),
                )));
            }
            lines.extend(d.findings.iter().map(|f| finding_line(f, t)));
            let fact = |k: &str, v: Option<&String>| {
                Line::from(vec![
                    Span::styled(format!("  {k:<9}"), t.dim()),
                    Span::raw(v.cloned().unwrap_or_else(|| "(none)".into())),
                ])
            };
            lines.push(fact("NameID", d.name_id.as_ref()));
            lines.push(fact("Audience", d.audience.as_ref()));
            let claims: Vec<String> = d
                .attributes
                .keys()
                .map(|k| k.rsplit('/').next().unwrap_or(k).to_string())
                .collect();
            lines.push(fact("Claims", Some(&claims.join(", "))));
        }
        None => {}
    }
    lines
}
