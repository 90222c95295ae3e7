//! `cognito-entra status`: where one saved setup stands, for people or as JSON.

use cognito_entra::humanize::ago;
use cognito_entra::journey::{
    next_step, progress_label, unticked, unticked_optional, unticked_text,
};
use serde_json::json;
use time::OffsetDateTime;

use super::{CommandResult, Context, EXIT_OK};

pub fn run(ctx: &Context, setup: Option<&str>, json_out: bool) -> CommandResult {
    let store = ctx.store()?;
    let name = super::source::saved_setup_name(&store, setup)?;
    let state = store.load_existing(&name)?;
    let protocol = state.answers.protocol;
    let next = next_step(&state.progress.steps_done);
    if json_out {
        let out = json!({
            "name": name,
            "protocol": protocol,
            "region": state.answers.region,
            "progress": progress_label(&state),
            "next_step": next,
            "steps_done": state.progress.steps_done,
            "checklist": state.progress.checklist,
            "entra_to_do": unticked(&state)
                .iter()
                .flat_map(|(_, labels)| labels.clone())
                .collect::<Vec<_>>(),
            "entra_optional": unticked_optional(&state),
            "applied": state.progress.applied,
            "aws": state.aws,
            "entra": state.entra,
            "created": state.created,
            "updated": state.updated,
            "file": store.path(&name),
        });
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(EXIT_OK);
    }
    let now = OffsetDateTime::now_utc();
    outln!("{name}  ({} · {})", protocol.label(), state.answers.region);
    outln!("  progress     {}", progress_label(&state));
    outln!("  last change  {}", ago(&state.updated, now));
    let aws = &state.aws;
    for (label, value) in [
        ("user pool", &aws.user_pool_id),
        ("app client", &aws.client_id),
        ("domain", &aws.domain),
        ("tenant", &state.entra.tenant_id),
    ] {
        if let Some(v) = value {
            outln!("  {label:<11}  {v}");
        }
    }
    if !state.progress.applied.is_empty() {
        outln!("  applied      {}", state.progress.applied.join(", "));
    }
    for cert in aws.certificates.iter().chain(&state.entra.certificates) {
        outln!(
            "  certificate  {} {} valid until {}{}",
            cert.kind,
            cert.thumbprint,
            cert.not_after,
            cert.file
                .as_ref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        );
    }
    // A customer's Entra side: their reply, then apply, come before any wizard step.
    let handoff = state.handoff.as_ref().filter(|_| {
        !state
            .progress
            .steps_done
            .contains(&cognito_entra::journey::Step::ReviewApply)
    });
    match next {
        Some(_) if handoff.is_some_and(|h| h.accepted.is_none()) => outln!(
            "\nNext: {}.",
            cognito_entra::journey::next_step_advice(&state)
        ),
        Some(_) if handoff.is_some() => outln!(
            "\nNext: the customer's reply is accepted — run `cognito-entra apply --setup {name}` to make the provider."
        ),
        Some(step) => outln!(
            "\nNext: {} — run `cognito-entra wizard --setup {name}` to continue.",
            step.title(protocol)
        ),
        None => {
            // Done only when the work in Entra is ticked too; optional work is named so.
            let open = unticked(&state);
            for (step, labels) in &open {
                for label in labels {
                    outln!("  to do        step {}: {label}", step.number());
                }
            }
            for label in unticked_optional(&state) {
                outln!("  optional     {label}");
            }
            match unticked_text(&state) {
                Some(text) => outln!(
                    "\nApplied in AWS. {text} Tick it with `cognito-entra wizard --setup {name}` once done."
                ),
                None => outln!(
                    "\nSetup complete. `cognito-entra values --setup {name}` shows the values again."
                ),
            }
        }
    }
    Ok(EXIT_OK)
}
