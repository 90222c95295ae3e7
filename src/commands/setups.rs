//! `cognito-entra setups`: the saved setups and where each stands.

use std::collections::BTreeMap;

use cognito_entra::humanize::ago;
use cognito_entra::journey::progress_label;
use cognito_entra::state::State;
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
    // The progress column as wide as its longest label, and a gap after it.
    let progress = list
        .iter()
        .filter_map(|s| s.state.as_ref().ok())
        .map(|s| progress_label(s).chars().count() + 2)
        .max()
        .unwrap_or(0)
        .max(36);
    outln!(
        "{:<width$}  {:<9}{:<progress$}LAST CHANGE",
        "NAME",
        "PROTOCOL",
        "PROGRESS"
    );
    for summary in &list {
        match &summary.state {
            Ok(state) => {
                outln!(
                    "{:<width$}  {:<9}{:<progress$}{}",
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
    show_by_pool(&list);
    outln!("\n(in {})", store.dir().display());
    Ok(EXIT_OK)
}

/// Customers on a shared pool (#24): the setups that work on one pool, under a heading that
/// names the pool, its region and the app client they share, each with its provider and the
/// identifiers (e-mail domains) it routes. Only pools two or more setups share.
fn show_by_pool(list: &[cognito_entra::state::Summary]) {
    let mut pools: BTreeMap<(String, String), Vec<&State>> = BTreeMap::new();
    for state in list.iter().filter_map(|s| s.state.as_ref().ok()) {
        if let Some(pool) = state.pool_id() {
            pools
                .entry((pool.to_string(), state.answers.region.clone()))
                .or_default()
                .push(state);
        }
    }
    for ((pool, region), states) in pools.iter().filter(|(_, s)| s.len() > 1) {
        let mut clients: Vec<&str> = states.iter().filter_map(|s| s.client_id()).collect();
        clients.sort_unstable();
        clients.dedup();
        let client = match clients.as_slice() {
            [] => "no app client yet".to_string(),
            [one] if states.iter().all(|s| s.client_id() == Some(one)) => {
                format!("shared app client {one}")
            }
            many => format!("app clients {}", many.join(", ")),
        };
        outln!(
            "\nPool {pool} ({region}), {client}: {} setups",
            states.len()
        );
        let width = states
            .iter()
            .map(|s| s.answers.name.len())
            .max()
            .unwrap_or(4);
        for state in states {
            let identifiers = match &state.answers.provider.identifiers {
                Some(ids) if !ids.is_empty() => ids.join(", "),
                _ => "(none)".into(),
            };
            outln!(
                "  {:<width$}  provider {}  identifiers {identifiers}",
                state.answers.name,
                state.answers.provider_name()
            );
        }
    }
}
