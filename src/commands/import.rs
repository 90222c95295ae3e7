//! `cognito-entra import`: every Entra federation in the account made a saved setup, recorded
//! as adopted. The engine reads and judges (`cognito_entra::import`); this face prints the
//! report, asks before saving, and saves what was shown.

use cognito_entra::import::{Report, Scope, import, save_all};
use serde_json::json;

use super::{CommandResult, Context, EXIT_OK, Failure, block_on};

pub fn run(
    ctx: &Context,
    regions: &[String],
    pool: Option<&str>,
    graph: bool,
    yes: bool,
    json_out: bool,
) -> CommandResult {
    let store = ctx.store()?;
    let scope = Scope::new(&ctx.given(), regions, pool, &ctx.global.authority);
    if let Some((problem, fix)) = scope.pool_elsewhere() {
        return Err(Failure::Usage(format!("error: {problem}\n  fix: {fix}")));
    }
    let regions = scope.region_names();
    if !json_out {
        errln!(
            "Reading {} in {} (nothing is changed)…",
            pool.map(|p| format!("the pool {p}"))
                .unwrap_or_else(|| "every user pool".into()),
            regions.join(", ")
        );
    }
    let (mut report, mut candidates) =
        block_on(import(&scope, &store))?.map_err(|e| Failure::Failed(format!("error: {e}")))?;
    if graph && !candidates.is_empty() {
        super::graph::find_applications(ctx, &mut report, &mut candidates)?;
    }
    if !json_out {
        print_report(&report);
    }
    if !candidates.is_empty() {
        if !yes {
            super::confirm(
                "import",
                &format!(
                    "Save {} as saved setup{}?",
                    if candidates.len() == 1 {
                        "this federation".to_string()
                    } else {
                        format!("these {} federations", candidates.len())
                    },
                    if candidates.len() == 1 { "" } else { "s" }
                ),
                "Nothing was saved.",
            )?;
        }
        save_all(&store, &mut report, &candidates)
            .map_err(|e| Failure::Failed(format!("error: {e}")))?;
    }
    if json_out {
        outln!("{}", json!(report));
    } else {
        print_outcome(&report, &store);
    }
    Ok(EXIT_OK)
}

fn print_report(report: &Report) {
    outln!(
        "\n{} pool{} read in {} ({} reads).",
        report.pools,
        if report.pools == 1 { "" } else { "s" },
        report.regions.join(", "),
        report.reads
    );
    if report.rows.is_empty() && report.gone.is_empty() {
        outln!("No identity provider federates with Entra ID here.");
    }
    let rows: Vec<_> = report.rows.iter().chain(report.gone.iter()).collect();
    if !rows.is_empty() {
        let head = [
            "PROVIDER", "POOL", "PROTOCOL", "TENANT", "CLIENTS", "VERDICT", "SETUP",
        ];
        let cells: Vec<[String; 7]> = rows
            .iter()
            .map(|r| {
                [
                    r.provider.clone(),
                    r.pool_id.clone(),
                    r.protocol.clone(),
                    r.tenant.clone(),
                    if r.clients.is_empty() {
                        "-".into()
                    } else {
                        r.clients.join(", ")
                    },
                    r.verdict.clone(),
                    match (&r.setup, r.outcome.as_str()) {
                        (Some(s), "already managed") => format!("{s} (already managed)"),
                        (Some(s), "gone") => format!("{s} (provider gone)"),
                        (Some(s), _) => s.clone(),
                        (None, outcome) => format!("({outcome})"),
                    },
                ]
            })
            .collect();
        let width = |i: usize| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([head[i].len()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..7).map(width).collect();
        let line = |cols: &[String]| {
            cols.iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 6 {
                        c.clone()
                    } else {
                        format!("{c:<w$}", w = widths[i])
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        outln!();
        outln!("{}", line(&head.map(str::to_string)));
        for (r, c) in rows.iter().zip(&cells) {
            outln!("{}", line(c));
            for note in &r.notes {
                outln!("    note: {note}");
            }
        }
    }
    outln!(
        "\nLeft alone: {} other provider{} (not Entra's), {} pool{} with no Entra federation.",
        report.other_providers,
        if report.other_providers == 1 { "" } else { "s" },
        report.pools_without_entra,
        if report.pools_without_entra == 1 {
            ""
        } else {
            "s"
        }
    );
}

fn print_outcome(report: &Report, store: &cognito_entra::state::StateStore) {
    let saved: Vec<&str> = report
        .rows
        .iter()
        .filter(|r| r.outcome == "imported")
        .filter_map(|r| r.setup.as_deref())
        .collect();
    if saved.is_empty() {
        outln!("Nothing new to import; nothing was saved.");
        return;
    }
    outln!(
        "\nSaved {} setup{} in {}: {}.",
        saved.len(),
        if saved.len() == 1 { "" } else { "s" },
        store.dir().display(),
        saved.join(", ")
    );
    outln!(
        "Each is recorded as adopted: nothing in AWS or Entra was changed, and `destroy` of one takes nothing down.\nNext: `cognito-entra plan --setup {0}` (No changes, unless a note above names what a setup cannot say), `cognito-entra doctor --setup {0}`.",
        saved[0]
    );
}
