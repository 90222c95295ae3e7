//! `cognito-entra apply`: show the plan, ask once, make each change in order while recording
//! it in the state file, then write the certificates Entra wants.

use std::io::Write;
use std::path::Path;

use cognito_entra::cognito::api::WRITE_OPERATIONS;
use cognito_entra::cognito::apply::{Event, Ids};
use cognito_entra::engine::{ApplyFailure, apply_planned, plan_live};
use cognito_entra::journey::Step;
use cognito_entra::plan_file::{self, SavedPlan};
use cognito_entra::setup::Stage;
use cognito_entra::state::State;

use super::prepare::prepare;
use super::{CommandResult, Context, EXIT_OK, Failure, block_on};
use crate::cli::{EntraArg, Source};

pub fn run(
    ctx: &Context,
    source: &Source,
    yes: bool,
    entra: Option<EntraArg>,
    remove_other_providers: bool,
    out: Option<&Path>,
    saved_plan: Option<&Path>,
) -> CommandResult {
    block_on(run_async(
        ctx,
        source,
        yes,
        entra,
        remove_other_providers,
        out,
        saved_plan,
    ))?
}

/// A saved plan (`plan --out`), read before anything else: it names its setup and carries
/// its answers, so it needs no --setup or --config; given beside it, they must be its own.
fn read_saved_plan(path: &Path, source: &Source) -> Result<(SavedPlan, Source), Failure> {
    let shown = path.display().to_string();
    let bytes = cognito_entra::bounded::read_file(path, plan_file::MAX_BYTES).map_err(|e| {
        Failure::Failed(format!(
            "error: --plan: {}\n  fix: give the file `cognito-entra plan --out FILE` wrote",
            e.about(&shown)
        ))
    })?;
    let saved = plan_file::load(&shown, &bytes)
        .map_err(|e| Failure::Failed(format!("error: --plan: {e}")))?;
    if let Some(name) = source.setup.as_deref()
        && name != saved.setup
    {
        return Err(Failure::Failed(format!(
            "error: --plan: {shown} is a plan for the setup {:?}, not {name:?}; nothing was changed\n  fix: drop --setup (the plan names its setup), or make a plan for {name:?} with `cognito-entra plan --setup {name} --out FILE`",
            saved.setup
        )));
    }
    let source = if source.setup.is_some() || source.config.is_some() {
        source.clone()
    } else if saved.from == plan_file::Origin::Setup {
        // Made from a saved setup: applied to that setup as it is now, so answers changed
        // since (in the wizard, or by another run) make the plan stale.
        Source {
            setup: Some(saved.setup.clone()),
            config: None,
            answers: None,
        }
    } else {
        Source {
            setup: None,
            config: None,
            answers: Some(Box::new(saved.answers.clone())),
        }
    };
    Ok((saved, source))
}

/// The saved plan held against the plan made now: the same changes for the same answers, or
/// a refusal that says what changed and shows the plan now.
fn check_saved_plan(
    path: &Path,
    saved: &SavedPlan,
    prepared: &super::prepare::Prepared,
) -> Result<(), Failure> {
    let shown = path.display().to_string();
    let answers = super::source::answers_to_keep(&prepared.resolved);
    plan_file::check(saved, &answers, &prepared.plan).map_err(|stale| {
        let mut text = format!(
            "error: --plan: {shown} is out of date; nothing was changed:\n"
        );
        for reason in &stale.reasons {
            text.push_str(&format!("  - {reason}\n"));
        }
        text.push_str("This is what apply would do now:\n");
        text.push_str(&prepared.plan.render());
        text.push_str("  fix: review it, then save it again with `cognito-entra plan --out FILE` and apply that");
        Failure::Failed(text)
    })
}

async fn run_async(
    ctx: &Context,
    source: &Source,
    yes: bool,
    entra: Option<EntraArg>,
    remove_other_providers: bool,
    out: Option<&Path>,
    saved_plan: Option<&Path>,
) -> CommandResult {
    let saved = match saved_plan {
        Some(path) => Some(read_saved_plan(path, source)?),
        None => None,
    };
    let source = saved.as_ref().map_or(source, |(_, s)| s);
    if source.setup.is_none() && source.config.is_none() && source.answers.is_none() {
        return Err(Failure::Usage(
            "error: give --setup NAME (a saved setup), --config FILE (a setup file) or --plan FILE (a plan saved by `plan --out`)".into(),
        ));
    }
    // The setup's lock first, before anything is read or written on either side: two runs
    // at once would otherwise both make an Entra application (#21 item 10).
    let store = ctx.store()?;
    let name = super::source::resolve_for(ctx, source, Stage::Values, super::graph::mode(entra))?
        .setup
        .name;
    let lock = store.lock(&name)?;
    // The Entra side through Graph first (with the Cognito resources its values name), when
    // the tool does it; asked for once, together with what follows.
    let options = cognito_entra::plan::Options {
        remove_other_providers,
        ..Default::default()
    };
    let phase =
        super::graph::entra_phase(ctx, source, entra, options, yes, Some(&lock), false).await?;
    let given = phase.given();
    // The Graph phase asked already, for both sides at once.
    let yes = yes || given.is_some();
    let prepared = prepare(
        ctx,
        source,
        remove_other_providers,
        true,
        super::graph::mode(entra),
        given,
    )
    .await?;
    // A saved plan is the review: applied as it is, or refused when it is stale.
    let yes = match (saved_plan, &saved) {
        (Some(path), Some((saved, _))) => {
            check_saved_plan(path, saved, &prepared)?;
            true
        }
        _ => yes,
    };
    let setup = prepared.resolved.setup.clone();
    // Re-read under the lock: another run may have finished meanwhile.
    let mut state = store
        .load(&setup.name)?
        .unwrap_or_else(|| State::new(setup.clone()));
    state.answers = super::source::answers_to_keep(&prepared.resolved);

    out!("{}", prepared.plan.render());
    let mut prepared = prepared;
    // Asked, then read again before the first write: what runs is what was reviewed. (With
    // --yes nothing was waited for, and the plan just made is the one reviewed.)
    while !prepared.plan.is_empty() && !yes {
        confirm()?;
        let now = plan_live(&prepared.job, prepared.options)
            .await
            .map_err(|e| Failure::Failed(format!("error: {}", e.text(&prepared.aws))))?;
        let reviewed = now.plan.changes == prepared.plan.changes;
        if !reviewed {
            outln!(
                "\nThe account changed while the plan was read: nothing was written. This is what apply would do now:"
            );
            out!("{}", now.plan.render());
        }
        prepared.take(now);
        if reviewed {
            break;
        }
    }
    // Observation adopted whatever exists (by ID or by name); apply starts from those IDs.
    let mut ids = Ids {
        user_pool_id: prepared.pool_id.clone(),
        client_id: prepared.client_id.clone(),
    };
    state.record_ids(&ids);
    state.aws.required_attributes = Some(prepared.required_attributes.clone());
    state.record_entra(
        prepared.entra.tenant_id.clone(),
        prepared.entra.metadata.as_ref(),
    );

    let total = prepared.plan.changes.len();
    // The client secret Cognito gets is the one Graph made this run (OIDC).
    let graph_secret = given.is_some_and(|g| g.secret.is_some());
    // The certificates go where the admin says, else beside the setup's state.
    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| store.dir().join(&setup.name));
    let on_event = |event: Event<'_>| match event {
        Event::Started(i, change) => {
            out!("[{}/{total}] {}… ", i + 1, change.describe());
            let _ = std::io::stdout().flush();
            Ok(())
        }
        Event::Finished(_, change, ids) => {
            // Recorded before it is printed: a closed or full stdout cannot lose it.
            cognito_entra::results::change_applied(&mut state, change, ids, graph_secret);
            lock.save(&mut state).map_err(|e| e.to_string())?;
            outln!("✓");
            Ok(())
        }
    };
    let result = apply_planned(
        &prepared.api,
        &prepared.plan,
        &setup,
        &mut ids,
        &out_dir,
        on_event,
    )
    .await;
    let written = match result {
        Ok(written) => written,
        Err(e @ ApplyFailure::Change(_)) => {
            outln!("✗");
            let _ = lock.save(&mut state);
            return Err(Failure::Failed(format!(
                "error: {}\nThe changes before this one are applied and recorded; run `cognito-entra apply` again to continue.",
                e.text(&prepared.aws)
            )));
        }
        Err(e @ ApplyFailure::Certificates(_)) => {
            return Err(Failure::Failed(format!(
                "error: {}\nThe Cognito side is applied; run `cognito-entra apply` again to write the certificates.",
                e.text(&prepared.aws)
            )));
        }
    };
    for cert in &written {
        let r = &cert.record;
        outln!(
            "\nCognito {} certificate: {} (thumbprint {}, valid until {})",
            r.kind,
            r.file.as_deref().unwrap_or_default(),
            r.thumbprint,
            r.not_after
        );
        if let Some(place) = cert.entra_place {
            if given.is_some() {
                outln!("  → Entra gets it through Microsoft Graph");
            } else {
                outln!("  → {place}");
            }
        }
    }
    if written.is_empty()
        && let Some(none) = cognito_entra::journey::no_certificate_needed(&setup)
    {
        outln!("\n{none}");
    }
    if !written.is_empty() {
        state.aws.certificates = written.into_iter().map(|c| c.record).collect();
    }
    // Through Graph, Cognito's certificates made in this run go to Entra now.
    if let Some(session) = given.and_then(|g| g.waiting.as_deref()) {
        let mut job = prepared.job.clone();
        job.known.user_pool_id = ids.user_pool_id.clone();
        job.known.client_id = ids.client_id.clone();
        let recorded = state.entra.graph.clone();
        lock.save(&mut state)?;
        super::graph::finish(session, &job, recorded.as_ref()).await?;
    }
    state.mark_done(&Step::ALL[..Step::ReviewApply.number()]);
    lock.save(&mut state)?;
    drop(lock);

    let calls = prepared.api.calls();
    cognito_entra::verbose_log::write(
        "note",
        &format!("apply {}: AWS calls: {}", setup.name, calls.join(", ")),
    );
    let writes = calls
        .iter()
        .filter(|c| WRITE_OPERATIONS.contains(c))
        .count();
    outln!(
        "\n{} change{} applied ({} AWS calls, {writes} writes). State saved in {}.",
        total,
        if total == 1 { "" } else { "s" },
        calls.len(),
        store.path(&setup.name).display()
    );
    outln!(
        "Next: `cognito-entra values --setup {}` shows the values for Entra again.",
        setup.name
    );
    Ok(EXIT_OK)
}

fn confirm() -> Result<(), Failure> {
    super::confirm("apply", "Apply these changes?", "Nothing was changed.")
}
