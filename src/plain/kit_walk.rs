//! Plain mode's walk through a kit, for the customer's Entra admin working by hand
//! (`entra-side --entra manual --plain`): the journey's kit pages as prompts, then their
//! answer, checked, written as the reply.

use std::io::IsTerminal;

use inquire::{Select, Text};

use cognito_entra::clipboard::Clipboard;
use cognito_entra::journey::customer_reply;
use cognito_entra::journey::questions::Given;
use cognito_entra::kit::{Kit, Reply, Who};

use super::{Flow, Stop, hint, validator};
use crate::commands::{CommandResult, Context, EXIT_INTERRUPTED, EXIT_OK, Failure};

/// The customer's admin works from a kit by hand (`entra-side --entra manual --plain`): each
/// portal page with its values (copied on request), then their answer, checked against the
/// kit and against Entra, written as the reply. Nothing of AWS is read.
pub fn kit_walk(
    ctx: &Context,
    kit: &cognito_entra::kit::Kit,
    reply_path: &std::path::Path,
) -> CommandResult {
    match walk_kit(ctx, kit, reply_path) {
        Ok(()) => Ok(EXIT_OK),
        Err(Stop::Saved) => {
            outln!("\nStopped: no reply was written. Run the same command again to start over.");
            Ok(EXIT_OK)
        }
        Err(Stop::Interrupted) => {
            outln!("\nStopped: no reply was written.");
            Ok(EXIT_INTERRUPTED)
        }
        Err(Stop::Failed(m)) => Err(Failure::Failed(m)),
    }
}

fn walk_kit(
    ctx: &Context,
    kit: &cognito_entra::kit::Kit,
    reply_path: &std::path::Path,
) -> Flow<()> {
    use cognito_entra::journey::kit_walk;
    if !std::io::stdin().is_terminal() {
        return Err(Stop::Failed(
            "error: the prompts need a terminal to read answers from\n  fix: open the kit's page (NAME.html) and write the reply from its template, or run `cognito-entra entra-side --kit FILE` to do it through Microsoft Graph".into(),
        ));
    }
    let mut clipboard = Clipboard::new(ctx.clipboard_mode(), true);
    let pages = kit_walk::pages(kit);
    let count = pages.len() + 1;
    // Page by page; "Back a page" goes back, as Esc does in the full screens.
    let mut i = 0;
    while let Some(page) = pages.get(i) {
        outln!(
            "\n== {}/{count} · {}\n{}",
            i + 1,
            page.title,
            cognito_entra::journey::plain_text(&page.text)
        );
        for v in &page.values {
            outln!("\n{}:\n  {}", v.label, v.value.replace('\n', "\n  "));
        }
        let mut cursor = 0;
        let back = loop {
            let mut options: Vec<String> = page
                .values
                .iter()
                .map(|v| format!("Copy {}", v.label))
                .collect();
            if i > 0 {
                options.push("Back a page".into());
            }
            options.push("Done here: go on".into());
            let choice = Select::new("Copy a value for the portal, or go on:", options)
                .with_starting_cursor(cursor)
                .raw_prompt()?;
            cursor = choice.index;
            match page.values.get(choice.index) {
                Some(v) => outln!("{}", clipboard.copy(&v.value).message(&v.label)),
                // "Back a page" comes before "Done here" (which stays last).
                None => break i > 0 && choice.index == page.values.len(),
            }
        };
        i = if back { i - 1 } else { i + 1 };
    }
    outln!(
        "\n== {count}/{count} · What to send back\n{}",
        cognito_entra::journey::plain_text(&kit_walk::send_back(kit))
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Stop::Failed(format!("error: cannot start the async runtime: {e}")))?;
    loop {
        let reply = ask_reply(kit, Who::CustomerAdmin)?;
        outln!("Checking it against Entra…");
        match runtime.block_on(cognito_entra::handoff::check_own_answer(
            kit,
            &reply,
            &ctx.global.authority,
        )) {
            Ok(notes) => {
                for note in notes {
                    outln!("{note}");
                }
                let reply = reply.with_tenant_spelled_out();
                cognito_entra::files::replace(reply_path, reply.to_toml().as_bytes(), 0o644)
                    .map_err(|e| Stop::Failed(format!("error: {e}")))?;
                outln!(
                    "\n✓ Wrote the reply: {}\nSend it back to the SaaS admin. It holds no secret.",
                    reply_path.display()
                );
                return Ok(());
            }
            Err(stopped) => {
                outln!("{stopped}");
                outln!("Paste the values again (Esc stops; nothing is written).");
            }
        }
    }
}

/// The reply's questions as prompts, each answer judged as the journey judges it (worded for
/// `who`), and the reply they make. Shared with the SaaS admin's paste of a customer's reply.
pub(super) fn ask_reply(kit: &Kit, who: Who) -> Flow<Reply> {
    let questions = customer_reply::questions(kit, who);
    let mut given = Given::from_questions(&questions);
    for q in &questions {
        let check = {
            let (snapshot, kit, key) = (given.clone(), kit.clone(), q.key);
            validator(move |v: &str| {
                let mut answers = snapshot.clone();
                answers.set_text(key, v);
                customer_reply::judged(&kit, who, key, &answers, true)
            })
        };
        let answer = Text::new(&format!("{}:", q.label))
            .with_help_message(&hint(&q.hint))
            .with_validator(check)
            .prompt()?;
        given.set_text(q.key, &answer);
    }
    Ok(customer_reply::reply(kit, &given))
}
