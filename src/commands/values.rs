//! `cognito-entra values`: every value Entra needs, as a table, as JSON, or on the clipboard.

use cognito_entra::clipboard::Clipboard;
use cognito_entra::setup::derive::{VALUE_KEYS, absent_reason};
use cognito_entra::setup::{Stage, derive, nearest};

use super::source::resolve;
use super::{CommandResult, Context, EXIT_OK, Failure, print_warnings};
use crate::cli::Source;

pub fn run(ctx: &Context, source: &Source, json: bool, copy: Option<&str>) -> CommandResult {
    let resolved = resolve(ctx, source, Stage::Values)?;
    print_warnings(&resolved.warnings);
    let values = derive(
        &resolved.setup,
        &resolved.known,
        &resolved.context.global.authority,
    );
    let entries = values.entries();

    // Check the key before printing anything, so a typo is a usage error with the choices.
    let to_copy = match copy {
        None => None,
        Some(key) => match values.get(key) {
            Some(Some(v)) => Some((key, v.to_string())),
            Some(None) => {
                let why = values
                    .pending
                    .iter()
                    .find(|p| p.key == key)
                    .map_or(String::new(), |p| p.waits_for.clone());
                return Err(Failure::Failed(format!(
                    "error: {key} is not known yet: it waits for {why}\n  fix: run `cognito-entra apply` first, then copy it"
                )));
            }
            None => {
                let keys: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
                let problem = absent_reason(&resolved.setup, key).unwrap_or_else(|| {
                    let nearest = nearest(VALUE_KEYS, key, 0.8)
                        .map_or(String::new(), |k| format!(" (did you mean {k}?)"));
                    format!("{key:?} is not one of the values{nearest}")
                });
                return Err(Failure::Usage(format!(
                    "error: --copy {key}: {problem}\n  fix: use one of {}",
                    keys.join(", ")
                )));
            }
        },
    };

    if json {
        let mut map = serde_json::Map::new();
        for (key, value) in &entries {
            map.insert(
                (*key).to_string(),
                value.map_or(serde_json::Value::Null, |v| {
                    serde_json::Value::String(v.into())
                }),
            );
        }
        if !values.pending.is_empty() {
            map.insert(
                "pending".into(),
                serde_json::to_value(&values.pending).unwrap_or_default(),
            );
        }
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_default()
        );
    } else {
        let width = entries.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (key, value) in &entries {
            outln!("{key:<width$}  {}", value.unwrap_or("(pending)"));
        }
        for p in &values.pending {
            errln!("pending: {} waits for {}", p.key, p.waits_for);
        }
    }

    if let Some((key, value)) = to_copy {
        let mut clipboard = Clipboard::new(ctx.clipboard_mode(), true);
        let outcome = clipboard.copy(&value);
        errln!("{}", outcome.message(key));
        if matches!(outcome, cognito_entra::clipboard::Outcome::Failed(_)) {
            return Ok(super::EXIT_FAILURE);
        }
    }
    Ok(EXIT_OK)
}
