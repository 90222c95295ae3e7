//! The full-screen wizard (ratatui + crossterm), in The Elm Architecture: `app` holds the
//! model, messages and `update`, which hands each key and each answer of slow work to its
//! step in `steps` (or `import`); `view` draws; `effects` runs what `update` asks for. This
//! module owns the terminal: it is restored on every way out (q, Ctrl-C, SIGTERM, SIGHUP, a
//! panic).

pub mod app;
pub mod customer_reply;
mod effects;
pub mod form;
pub mod import;
mod key_bar;
pub mod kit_walk;
mod reply_answer;
pub mod rotate;
mod steps;
pub mod view;

use std::io::IsTerminal;
use std::time::Duration;

use ratatui::crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind,
};
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::crossterm::{execute, queue};
use tokio::sync::mpsc;

use cognito_entra::clipboard::Clipboard;
use cognito_entra::humanize::ago;
use cognito_entra::journey::progress_label;
use cognito_entra::state::StateError;

use crate::commands::{CommandResult, Context, EXIT_INTERRUPTED, EXIT_OK, Failure};
use app::{Cmd, Exit, Model, Msg, Row};
use effects::Runtime;

/// The rows of the welcome screen.
fn rows(store: &cognito_entra::state::StateStore) -> Result<Vec<Row>, StateError> {
    let now = time::OffsetDateTime::now_utc();
    Ok(store
        .list()?
        .into_iter()
        .map(|s| match s.state {
            Ok(state) => Row {
                name: s.name,
                protocol: Some(state.answers.protocol),
                progress: progress_label(&state),
                when: ago(&state.updated, now),
            },
            Err(e) => Row {
                name: s.name,
                protocol: None,
                progress: format!(
                    "unreadable: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ),
                when: String::new(),
            },
        })
        .collect())
}

pub fn run(ctx: &Context, setup: Option<&str>) -> CommandResult {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Failure::Failed(
            "error: the wizard needs a terminal, and stdin or stdout is not one\n  fix: in scripts and pipelines, describe the setup in a file and run `cognito-entra plan --config FILE` then `cognito-entra apply --config FILE` (or `cognito-entra wizard --plain` for line prompts)".into(),
        ));
    }
    let mut model = Model::new(rows(&ctx.store()?)?, &ctx.global.authority);
    model.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Read once, here: flags and environment; the saved setup comes in at each step.
    model.found = cognito_entra::engine::found(&ctx.given());
    let runtime = runtime()?;
    let store = ctx.store()?;
    let exit = runtime.block_on(event_loop(ctx, store, model, setup.map(str::to_string)))?;
    // Leave at once: the thread reading the terminal is blocked in a read.
    runtime.shutdown_background();
    Ok(exit)
}

/// A kit walked by hand by the customer's Entra admin (`entra-side --entra manual`): the
/// kit's pages, then their answer, written as the reply. No saved setup is opened.
pub fn run_kit(
    ctx: &Context,
    kit: cognito_entra::kit::Kit,
    reply_path: std::path::PathBuf,
) -> CommandResult {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Failure::Failed(
            "error: the kit's screens need a terminal, and stdin or stdout is not one\n  fix: open the kit's page (NAME.html) and write the reply from its template, or run `cognito-entra entra-side --kit FILE` to do it through Microsoft Graph".into(),
        ));
    }
    let mut model = Model::new(Vec::new(), &ctx.global.authority);
    model.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    kit_walk::open(&mut model, kit, reply_path);
    let runtime = runtime()?;
    let store = ctx.store()?;
    let exit = runtime.block_on(event_loop(ctx, store, model, None))?;
    runtime.shutdown_background();
    Ok(exit)
}

/// The wizard's runtime: two workers for its slow work beside the screen.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("error: cannot start the async runtime: {e}")))
}

async fn event_loop(
    ctx: &Context,
    store: cognito_entra::state::StateStore,
    mut model: Model,
    setup: Option<String>,
) -> CommandResult {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut terminal = ratatui::init();
    // ratatui's hook restores the terminal on any panic, then prints it. A panic in a worker
    // (it becomes TaskDone::Crashed) must do neither: the wizard goes on drawing, and a
    // message printed over the full-screen frame would garble it. Only the main thread's
    // panic, which ends the wizard, restores and prints.
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            ratatui_hook(info);
        }
    }));
    let _ = execute!(std::io::stdout(), EnableBracketedPaste);

    // Keys, pastes and resizes, read on a thread of their own.
    let keys_tx = tx.clone();
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            let msg = match ev {
                Event::Key(k) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Event::Paste(text) => Msg::Paste(text),
                Event::Resize(width, height) => Msg::Resize(width, height),
                _ => continue,
            };
            if keys_tx.send(msg).is_err() {
                break;
            }
        }
    });
    // A wait on Entra (replication, throttling) is shown on the busy line as it happens.
    let waits_tx = tx.clone();
    cognito_entra::entra::graph::client::set_wait_hook(Some(std::sync::Arc::new(
        move |text: &str| {
            let _ = waits_tx.send(Msg::Task(app::TaskDone::Waiting(text.to_string())));
        },
    )));
    let mut rt = Runtime {
        store,
        lock: None,
        clipboard: Clipboard::new(ctx.clipboard_mode(), false),
        tx: tx.clone(),
        given: ctx.given(),
        ctx: ctx.clone(),
    };
    if let Some(name) = setup {
        rt.execute(
            &mut model,
            vec![Cmd::Lock {
                name,
                protocol: None,
            }],
        );
        if model.state.is_none() {
            model.screen = app::Screen::Welcome;
        }
    }
    if let Ok(size) = terminal.size() {
        let _ = app::update(&mut model, Msg::Resize(size.width, size.height));
    }
    let mut ticker = tokio::time::interval(Duration::from_millis(120));
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let panic_on_f12 = cognito_entra::test_switches::panic_on_f12();
    let code = loop {
        // One frame appears at once on terminals that support synchronized output, instead of
        // row by row over a slow link; others ignore the two sequences.
        let _ = queue!(std::io::stdout(), BeginSynchronizedUpdate);
        let drawn = terminal.draw(|f| view::view(f, &model));
        let _ = execute!(std::io::stdout(), EndSynchronizedUpdate);
        if let Err(e) = drawn {
            break Err(Failure::Failed(format!("error: cannot draw: {e}")));
        }
        let msg = tokio::select! {
            m = rx.recv() => m,
            _ = ticker.tick() => Some(Msg::Tick),
            _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {
                model.exit = Some(Exit::Saved);
                rt.execute(&mut model, vec![Cmd::Save]);
                break Ok(143);
            }
            _ = async { match hup.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {
                model.exit = Some(Exit::Saved);
                rt.execute(&mut model, vec![Cmd::Save]);
                break Ok(129);
            }
        };
        let Some(msg) = msg else { break Ok(EXIT_OK) };
        if panic_on_f12 && matches!(&msg, Msg::Key(k) if k.code == event::KeyCode::F(12)) {
            panic!("test-only panic (a test switch)");
        }
        let cmds = app::update(&mut model, msg);
        rt.execute(&mut model, cmds);
        match model.exit {
            Some(Exit::Interrupted) => break Ok(EXIT_INTERRUPTED),
            Some(_) => break Ok(EXIT_OK),
            None => {}
        }
    };
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    if let Some(walk) = &model.kit_walk {
        if walk.written {
            outln!(
                "Wrote the reply: {}\nSend it back to the SaaS admin. It holds no secret.",
                walk.reply_path.display()
            );
            if walk.answer.kit.protocol == cognito_entra::setup::Protocol::Oidc {
                outln!(
                    "The client secret is not in it. Make one in Entra (App registrations › {} › Certificates & secrets › New client secret) and hand it over the way you agreed with the SaaS admin — never in the reply or a mail.",
                    walk.answer.kit.display_name
                );
            }
        } else {
            outln!("Stopped: no reply was written. Run the same command again to go on.");
        }
        return code;
    }
    match (model.exit, model.setup()) {
        (Some(Exit::Done), Some(s)) => {
            match model
                .state
                .as_ref()
                .and_then(cognito_entra::journey::unticked_text)
            {
                Some(open) => outln!(
                    "Setup {} is applied. {open} Run cognito-entra again to tick them once done.",
                    s.name
                ),
                None => outln!("Setup {} is complete.", s.name),
            }
            outln!(
                "`cognito-entra values --setup {}` shows the values again.",
                s.name
            );
        }
        (Some(_), Some(s)) => {
            outln!(
                "Saved — run cognito-entra again to resume {} where you left off.",
                s.name
            );
            // A typed secret is memory-only: say so, or the admin expects it back.
            if model.secret.is_some()
                && !model
                    .state
                    .as_ref()
                    .is_some_and(cognito_entra::journey::questions::provider_in_cognito)
            {
                outln!(
                    "{}",
                    if model.secret_from_graph {
                        "The client secret Graph made is not kept (never written anywhere): the next session makes a new one (g on the Entra step)."
                    } else {
                        "The client secret you typed is not kept (never written anywhere): the next session asks for it again."
                    }
                );
            }
        }
        _ => {}
    }
    code
}

#[cfg(test)]
mod tests;
