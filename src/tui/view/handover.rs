//! Step 12: the sign-in URL to test, and what the app developer needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Theme;
use crate::tui::app::Model;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let (Some(setup), Some(values)) = (m.setup(), m.values()) else {
        return;
    };
    let callback = setup
        .app_client
        .callback_urls
        .first()
        .cloned()
        .unwrap_or_else(|| "your callback URL".into());
    let mut lines = vec![
        Line::from(vec![
            Span::styled("1 ", t.focus()),
            Span::styled("Sign-in URL", t.title()),
        ]),
        Line::from(Span::styled(
            format!(
                "  Open it: Entra asks you to sign in, then your app receives ?code=… at {callback}"
            ),
            t.dim(),
        )),
        Line::from(Span::styled(
            format!("  {}", values.sign_in_url.clone().unwrap_or_default()),
            t.value(),
        )),
        Line::default(),
        Line::from(vec![
            Span::styled("2 ", t.focus()),
            Span::styled("For your app (one block)   ", t.title()),
            Span::styled("3 ", t.focus()),
            Span::styled("As .env", t.title()),
        ]),
    ];
    for l in cognito_entra::handover::block(setup, &values)
        .lines()
        .filter(|l| !l.starts_with("Sign-in URL"))
    {
        lines.push(Line::from(format!("  {l}")));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!(
            "Setup complete. cognito-entra values --setup {} shows these again.",
            setup.name
        ),
        t.ok(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
