//! The wizard's screens. `view` is a pure function of the model: no I/O, no state changes.

mod answers;
mod customer_reply;
mod entra;
mod finish;
mod handover;
mod import;
mod kit_walk;
mod review;
mod rotate;
mod welcome;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use cognito_entra::journey::{self, Step};
use cognito_entra::setup::Protocol;

use super::app::{Model, Screen};

pub const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// Styles that disappear under NO_COLOR.
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn of(m: &Model) -> Theme {
        Theme { color: m.color }
    }
    fn pick(&self, s: Style) -> Style {
        if self.color { s } else { Style::default() }
    }
    pub fn title(&self) -> Style {
        self.pick(Style::default().add_modifier(Modifier::BOLD))
    }
    pub fn dim(&self) -> Style {
        self.pick(Style::default().fg(Color::DarkGray))
    }
    pub fn ok(&self) -> Style {
        self.pick(Style::default().fg(Color::Green))
    }
    pub fn bad(&self) -> Style {
        self.pick(Style::default().fg(Color::Red))
    }
    pub fn warn(&self) -> Style {
        self.pick(Style::default().fg(Color::Yellow))
    }
    pub fn focus(&self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        )
    }
    pub fn value(&self) -> Style {
        self.pick(Style::default().fg(Color::Cyan))
    }
}

/// One finding as a line: ✗ error, ! warning, · note.
pub fn finding_line(f: &cognito_entra::entra::Finding, t: &Theme) -> Line<'static> {
    let style = match f.level {
        cognito_entra::entra::Level::Error => t.bad(),
        cognito_entra::entra::Level::Warning => t.warn(),
        cognito_entra::entra::Level::Info => t.dim(),
    };
    Line::from(Span::styled(
        format!("{} {}", f.level.mark(), f.message),
        style,
    ))
}

/// Below this the sidebar and a step's values no longer fit side by side.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The whole screen.
pub fn view(frame: &mut Frame, m: &Model) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "This terminal is {}×{}; the wizard needs at least {MIN_WIDTH}×{MIN_HEIGHT}. Make the window larger (the screen redraws at once), or quit with Ctrl-Q (everything is saved) and run `cognito-entra wizard --plain`.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [main, keys] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    match m.screen {
        Screen::Welcome | Screen::Naming(_) => welcome::view(frame, main, m),
        Screen::Destroy => destroy(frame, main, m),
        Screen::Import => import::view(frame, main, m),
        Screen::Rotate => rotate::view(frame, main, m),
        Screen::CustomerReply => customer_reply::view(frame, main, m),
        Screen::KitWalk => kit_walk::view(frame, main, m),
        Screen::Step(step) => {
            let [side, body, content, status] = step_areas(main);
            sidebar(frame, side, m, step);
            let protocol = m.protocol();
            let title = format!(" {} · {} ", step.number(), step.title(protocol));
            let block = Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, Theme::of(m).title()));
            frame.render_widget(block, body);
            match step {
                Step::EntraPortal => entra::portal(frame, content, m),
                Step::AttributeMapping => answers::mapping(frame, content, m),
                Step::ReviewApply => review::view(frame, content, m),
                Step::FinishInEntra => finish::view(frame, content, m),
                Step::TestHandOver => handover::view(frame, content, m),
                _ => answers::view(frame, content, m, step),
            }
            status_line(frame, status, m);
        }
    }
    key_bar(frame, keys, m);
    if m.help {
        help(frame, m);
    }
}

/// A step's screen above the key bar: the sidebar, the step's bordered pane, the content
/// inside it and its status row.
fn step_areas(main: Rect) -> [Rect; 4] {
    let [side, body] =
        Layout::horizontal([Constraint::Length(20), Constraint::Min(20)]).areas(main);
    let inner = Block::default().borders(Borders::ALL).inner(body);
    let [content, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    [side, body, content, status]
}

/// Where the current screen's scroll ends, for the terminal size the runtime reported (the
/// layout `view` draws); `None` where that is not known, and the view stops it instead.
pub fn last_scroll(m: &Model) -> Option<u16> {
    let (width, height) = m.size;
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        return None;
    }
    let main = Rect::new(0, 0, width, height - 1);
    let [_, _, content, _] = step_areas(main);
    match m.screen {
        Screen::Step(Step::ReviewApply) if m.review.progress.is_empty() => {
            Some(review::last_scroll(m, content))
        }
        Screen::Step(Step::TestHandOver) if m.editing.is_none() && m.saml_check.is_none() => {
            Some(handover::last_scroll(m, content))
        }
        _ => None,
    }
}

fn sidebar(frame: &mut Frame, area: Rect, m: &Model, current: Step) {
    let t = Theme::of(m);
    let protocol = m.protocol();
    // Steps left with portal actions not ticked (the journey's rule); the last step says which.
    let open: Vec<Step> = m
        .state
        .as_ref()
        .map(|s| {
            journey::unticked(s)
                .into_iter()
                .map(|(step, _)| step)
                .collect()
        })
        .unwrap_or_default();
    let lines: Vec<Line> = Step::ALL
        .iter()
        .map(|&step| {
            let attention = open.contains(&step);
            let (mark, style) = if step == current {
                ("▸", t.focus())
            } else if attention {
                ("!", t.warn())
            } else if m.done(step) {
                ("✓", t.ok())
            } else {
                ("·", t.dim())
            };
            Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::raw(Step::short_title(step, protocol)),
            ])
        })
        .collect();
    let mut lines = lines;
    if !open.is_empty() {
        // What the ! means, where it is seen.
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("! left unticked:", t.warn())));
        lines.push(Line::from(Span::styled("  done in Entra?", t.warn())));
    }
    let block = Block::default().borders(Borders::ALL).title(" Steps ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A bordered screen titled `title`: its content area and its status line.
pub fn framed(frame: &mut Frame, area: Rect, t: &Theme, title: &str) -> (Rect, Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [content, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    (content, status)
}

pub(super) fn status_line(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let line = if let Some(busy) = &m.busy {
        Line::from(vec![
            Span::styled(format!("{} ", SPINNER[m.tick % SPINNER.len()]), t.focus()),
            Span::raw(busy.clone()),
        ])
    } else if let Some(notice) = &m.notice {
        let style = if notice.starts_with('!') {
            t.warn()
        } else {
            t.ok()
        };
        Line::from(Span::styled(notice.clone(), style)).right_aligned()
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The keys that fit the width, whole: when space is short the screen's own keys give way
/// first (Enter last of them), the way back, help and quit stay (a key cut in half, "q save
/// &", helps nobody).
pub fn fitting_keys(
    mut keys: Vec<(&'static str, &'static str)>,
    width: usize,
) -> Vec<(&'static str, &'static str)> {
    let used = |keys: &[(&str, &str)]| -> usize {
        keys.iter()
            .map(|(k, w)| k.chars().count() + w.chars().count() + 4)
            .sum()
    };
    const KEPT: usize = 3;
    // The screen's own keys go last first, Enter (what moves on) never before the others.
    while used(&keys) > width {
        let Some(i) = (0..keys.len().saturating_sub(KEPT))
            .rev()
            .find(|&i| keys[i].0 != "Enter")
        else {
            break;
        };
        keys.remove(i);
    }
    while used(&keys) > width && !keys.is_empty() {
        keys.remove(0);
    }
    keys
}

fn key_bar(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let mut spans = Vec::new();
    for (key, what) in fitting_keys(m.keys(), area.width as usize) {
        spans.push(Span::styled(format!(" {key}"), t.title()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Taking a setup down: the plan (what goes, what stays), then its progress.
fn destroy(frame: &mut Frame, area: Rect, m: &Model) {
    let t = Theme::of(m);
    let name = m.setup().map(|s| s.name.clone()).unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" Destroy {name} "), t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [content, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let mut lines = Vec::new();
    if let Some(destroy) = &m.destroy
        && let Some(plan) = &destroy.teardown
    {
        for (i, row) in plan.render().lines().enumerate() {
            let style = if i > 0 && i <= destroy.removed {
                t.ok()
            } else if row.trim_start().starts_with('=') {
                t.dim()
            } else {
                Default::default()
            };
            let row = if i > 0 && i <= destroy.removed {
                row.replacen("  - ", "  ✓ ", 1)
            } else {
                row.to_string()
            };
            lines.push(Line::from(Span::styled(row, style)));
        }
        if destroy.asks() && !m.applying {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                "Remove these? Enter removes them · Esc keeps the setup as it is",
                t.title(),
            )));
        }
    }
    lines.push(Line::default());
    for msg in &m.message {
        lines.push(Line::from(msg.clone()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), content);
    status_line(frame, status, m);
}

/// The help for the screen: what it is for, and the full portal steps where there are some.
fn help(frame: &mut Frame, m: &Model) {
    let area = frame.area();
    let w = area.width.saturating_sub(8).min(76);
    let h = area.height.saturating_sub(4);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 2, w, h);
    let text = help_text(m);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Help — Esc or F1 closes ");
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
        popup,
    );
}

/// How the wizard's forms are worked (the keys are the face's own).
const FORM_KEYS: &str = "Tab moves between fields, Space toggles, ←→ chooses; ↑↓ scroll a plan; on a failed apply, r retries from the change that failed.";

pub fn help_text(m: &Model) -> String {
    let general = "Esc goes back a step without losing answers. Everything is saved after each step: Ctrl-Q quits (q too, where no field takes typing); run cognito-entra again to land here. F1 opens and closes this help (? too, where no field takes typing). Ctrl-C stops at once; answers so far are saved.";
    let specific = match m.screen {
        Screen::Welcome | Screen::Naming(_) => format!(
            "SAML: {}.\nOIDC: {}.\n{}",
            journey::protocol_summary(Protocol::Saml),
            journey::protocol_summary(Protocol::Oidc),
            journey::MULTI_TENANT
        ),
        Screen::Step(step @ (Step::EntraPortal | Step::BackFromEntra | Step::FinishInEntra)) => {
            instructions(step, m)
        }
        Screen::Step(step) => format!("{}\n\n{}", step.about(), FORM_KEYS),
        Screen::Destroy => cognito_entra::teardown::ABOUT.to_string(),
        Screen::Import => cognito_entra::import::ABOUT.to_string(),
        Screen::Rotate => cognito_entra::rotate::ABOUT.to_string(),
        // These screens keep nothing between runs but what they record, so the general words
        // (saved after each step, Esc back a step) are not theirs.
        Screen::KitWalk => {
            return format!(
                "{}\n\nPgUp/PgDn scroll a long page. Ctrl-Q (q on a page) quits: nothing is written until the last page writes the reply, and running the command again starts from the first page. F1 opens and closes this help. Ctrl-C stops at once.",
                cognito_entra::journey::kit_walk::ABOUT
            );
        }
        Screen::CustomerReply => {
            return format!(
                "{}\n\nPaste with your terminal's paste (Ctrl-U clears the field), Tab moves between fields, Enter checks. Esc goes back to the list of setups; nothing is recorded until Entra's check takes the values. PgUp/PgDn scroll a long message. Ctrl-Q quits, Ctrl-C stops at once.",
                cognito_entra::journey::customer_reply::ABOUT
            );
        }
    };
    format!("{specific}\n\n{general}")
}

/// The instruction text for a portal step (assets/, rendered plain: no Markdown marks).
/// A step's instructions from the journey, as plain text ("" for a step without).
pub fn instructions(step: Step, m: &Model) -> String {
    m.state
        .as_ref()
        .and_then(|s| cognito_entra::journey::instructions_now(step, s))
        .map(|t| cognito_entra::journey::plain_text(&t))
        .unwrap_or_default()
}

/// Renders Markdown-light text (paragraphs, numbered and bulleted lines) with **bold** kept,
/// wrapped to `width`: a bullet's or number's continuation rows sit under its text.
pub fn markdown(text: &str, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in text.lines() {
        // The line's characters, each with whether it is bold (the marks themselves gone).
        let mut chars: Vec<(char, bool)> = Vec::new();
        for (i, part) in line.split("**").enumerate() {
            chars.extend(part.chars().filter(|c| *c != '`').map(|c| (c, i % 2 == 1)));
        }
        let plain: String = chars.iter().map(|(c, _)| c).collect();
        let rows =
            cognito_entra::wrap::hanging(&plain, width, "", &" ".repeat(list_indent(&plain)));
        // Each row's text is the next run of the line's characters, the spaces at a break
        // and the row's indent aside.
        let mut at = 0;
        for row in rows {
            let body = row.trim_start_matches(' ');
            let indent = row.len() - body.len();
            while chars.get(at).is_some_and(|(c, _)| *c == ' ') {
                at += 1;
            }
            let mut spans = vec![Span::raw(" ".repeat(indent))];
            for c in body.chars() {
                let bold = chars.get(at).is_some_and(|(_, b)| *b);
                at += 1;
                let style = if bold { t.title() } else { Style::default() };
                match spans.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), style)),
                }
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// How far a list line's continuation rows are indented: under the text after "- " or "1. ".
fn list_indent(line: &str) -> usize {
    let lead = line.len() - line.trim_start().len();
    let body = line.trim_start();
    if body.starts_with("- ") || body.starts_with("* ") {
        return lead + 2;
    }
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && body[digits..].starts_with(". ") {
        return lead + digits + 2;
    }
    lead
}

/// `text` as dim/styled lines wrapped to `width`, the first row after `first`, the others
/// after `rest` (a hint under its field, an error under its field).
pub fn wrapped(
    text: &str,
    width: usize,
    first: &str,
    rest: &str,
    style: Style,
) -> Vec<Line<'static>> {
    cognito_entra::wrap::hanging(text, width, first, rest)
        .into_iter()
        .map(|row| Line::from(Span::styled(row, style)))
        .collect()
}

/// `head` (styled spans) with `text` after it on the same row, the text's wrapped rows under
/// `rest`; when the head leaves less than half the row, the text starts under it.
pub fn after(
    head: Vec<Span<'static>>,
    text: &str,
    width: usize,
    rest: &str,
    style: Style,
) -> Vec<Line<'static>> {
    let head_width = Line::from(head.clone()).width();
    if head_width > width / 2 {
        let mut lines = vec![Line::from(head)];
        lines.extend(wrapped(text, width, rest, rest, style));
        return lines;
    }
    let mut rows =
        cognito_entra::wrap::hanging(text, width, &" ".repeat(head_width), rest).into_iter();
    let first: String = rows
        .next()
        .unwrap_or_default()
        .chars()
        .skip(head_width)
        .collect();
    let mut spans = head;
    if !first.is_empty() {
        spans.push(Span::styled(first, style));
    }
    let mut lines = vec![Line::from(spans)];
    lines.extend(rows.map(|r| Line::from(Span::styled(r, style))));
    lines
}
