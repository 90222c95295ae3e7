//! `cognito-entra plan`: what apply would change, like `terraform plan`. Reads only; with
//! `--out FILE` the plan is also saved for `apply --plan FILE`.

use std::path::Path;

use super::prepare::prepare;
use super::{CommandResult, Context, EXIT_OK, Failure, block_on};
use crate::cli::Source;

pub fn run(
    ctx: &Context,
    source: &Source,
    json: bool,
    out: Option<&Path>,
    remove_other_providers: bool,
) -> CommandResult {
    let prepared = block_on(prepare(ctx, source, remove_other_providers, false))??;
    if let Some(path) = out {
        let text = cognito_entra::plan_file::save(
            &prepared.resolved.setup,
            &prepared.plan,
            &cognito_entra::state::now_rfc3339(),
        );
        write_plan(path, &text)?;
        errln!(
            "Plan saved to {} ({} change{}); `cognito-entra apply --plan {}` applies exactly it.",
            path.display(),
            prepared.plan.changes.len(),
            if prepared.plan.changes.len() == 1 {
                ""
            } else {
                "s"
            },
            path.display()
        );
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&prepared.plan.to_json()).unwrap_or_default()
        );
    } else {
        out!("{}", prepared.plan.render());
    }
    Ok(EXIT_OK)
}

/// Written beside its place and renamed over it: never through a symbolic link.
fn write_plan(path: &Path, text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let fail = |e: &dyn std::fmt::Display| {
        Failure::Failed(format!(
            "error: cannot write the plan to {}: {e}\n  fix: choose a file in a folder you can write to",
            path.display()
        ))
    };
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(fail(&"it is a symbolic link"));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".plan-")
        .tempfile_in(dir)
        .map_err(|e| fail(&e))?;
    tmp.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}
