//! The kit walked by hand: a portal page (what to do, then its values, each with the key
//! that copies it), the answer's questions, and the reply once written.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::customer_reply::answer_lines;
use super::{Theme, framed, markdown, status_line, wrapped};
use crate::tui::app::Model;

pub fn view(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let Some(screen) = &m.kit_walk else {
        return;
    };
    let (n, title) = if screen.written {
        (screen.count(), "The reply".to_string())
    } else if screen.on_answer() {
        (screen.count(), "What to send back".to_string())
    } else {
        (screen.page + 1, screen.pages[screen.page].title.clone())
    };
    let (content, status) = framed(
        frame,
        area,
        &t,
        &format!(
            "{} · {n}/{} · {title}",
            screen.answer.kit.display_name,
            screen.count()
        ),
    );
    let width = usize::from(content.width.max(20));
    let mut lines: Vec<Line> = Vec::new();
    // Where the selected value starts, so that moving to it brings it into view.
    let mut selected_at = 0usize;
    if screen.written {
        lines.extend(wrapped(
            &format!("✓ Wrote the reply: {}", screen.reply_path.display()),
            width,
            "",
            "  ",
            t.ok(),
        ));
        lines.extend(wrapped(
            "Send it back to the SaaS admin. It holds no secret.",
            width,
            "",
            "",
            Default::default(),
        ));
        for note in &screen.notes {
            lines.extend(wrapped(note, width, "", "  ", t.dim()));
        }
    } else if screen.on_answer() {
        lines.extend(markdown(
            &cognito_entra::journey::kit_walk::send_back(&screen.answer.kit),
            &t,
            width,
        ));
        lines.push(Line::default());
        lines.extend(answer_lines(m, &t, &screen.answer.refused, width));
    } else {
        let page = &screen.pages[screen.page];
        lines.extend(markdown(&page.text, &t, width));
        for (i, v) in page.values.iter().enumerate() {
            lines.push(Line::default());
            let here = i == screen.value;
            if here {
                selected_at = lines.len();
            }
            let key = if i < 9 {
                format!("[{}]", i + 1)
            } else {
                "[c]".to_string()
            };
            lines.push(Line::from(Span::styled(
                format!("{}{key} {}", if here { "▸ " } else { "  " }, v.label),
                if here { t.focus() } else { t.title() },
            )));
            for l in v.value.lines() {
                lines.extend(wrapped(l, width, "    ", "    ", Default::default()));
            }
        }
    }
    let height = usize::from(content.height);
    let follow = (selected_at + 3).saturating_sub(height);
    let last = lines.len().saturating_sub(1);
    let scroll = usize::from(m.scroll).max(follow).min(last);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), content);
    status_line(frame, status, m);
}
