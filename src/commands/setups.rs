//! `cognito-entra setups`: the saved setups and where each stands.

use cognito_entra::humanize::ago;
use cognito_entra::journey::progress_label;
use time::OffsetDateTime;

use super::{CommandResult, Context, EXIT_OK};

pub fn run(ctx: &Context) -> CommandResult {
    let store = ctx.store()?;
    let list = store.list()?;
    if list.is_empty() {
        outln!(
            "No saved setups in {}.\nStart one with `cognito-entra` (the wizard) or `cognito-entra apply --config FILE`.",
            store.dir().display()
        );
        return Ok(EXIT_OK);
    }
    let now = OffsetDateTime::now_utc();
    let width = list.iter().map(|s| s.name.len()).max().unwrap_or(4).max(4);
    outln!(
        "{:<width$}  {:<9}{:<36}LAST CHANGE",
        "NAME",
        "PROTOCOL",
        "PROGRESS"
    );
    for summary in &list {
        match &summary.state {
            Ok(state) => {
                outln!(
                    "{:<width$}  {:<9}{:<36}{}",
                    summary.name,
                    state.answers.protocol.label(),
                    progress_label(state),
                    ago(&state.updated, now)
                );
                // What `destroy` would take down, and what it would leave.
                let (created, adopted) = cognito_entra::teardown::ownership(state);
                if !created.is_empty() {
                    outln!("{:<width$}  created: {}", "", created.join(", "));
                }
                if !adopted.is_empty() {
                    outln!("{:<width$}  adopted: {}", "", adopted.join(", "));
                }
            }
            Err(e) => {
                let first = e.to_string();
                let first = first.lines().next().unwrap_or_default().to_string();
                outln!("{:<width$}  unreadable: {first}", summary.name);
            }
        }
    }
    outln!("\n(in {})", store.dir().display());
    Ok(EXIT_OK)
}
