//! `cognito-entra handoff`: a customer's Entra side handed to their admin as a kit (its data
//! and one page), the setup saved as waiting for them; `cognito-entra accept`: their reply
//! taken back, checked on the spot and recorded. The engine decides; this face writes the
//! files and says where they are.

use std::path::Path;

use cognito_entra::setup::Stage;

use super::source::{answers_to_keep, job_for, resolve};
use super::{CommandResult, Context, EXIT_OK, Failure, block_on, print_warnings};
use crate::cli::Source;

/// The largest reply read: a few hundred bytes in practice.
const REPLY_CAP: usize = 64 * 1024;

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    cognito_entra::files::replace(path, text.as_bytes(), 0o644)
        .map(|_| ())
        .map_err(|e| Failure::Failed(format!("error: {e}\n  fix: choose another --out folder")))
}

pub fn run(ctx: &Context, source: &Source, out: &Path) -> CommandResult {
    let resolved = resolve(ctx, source, Stage::Values)?;
    print_warnings(&resolved.warnings);
    // A folder that does not exist yet is made (as `mkdir -p` would); a file is not one.
    if out.exists() && !out.is_dir() {
        return Err(Failure::Failed(format!(
            "error: --out: {} is a file, not a folder; nothing was written\n  fix: give a folder (it is made when it does not exist)",
            out.display()
        )));
    }
    let job = job_for(ctx, &resolved);
    let (kit, ids) = block_on(cognito_entra::handoff::make_kit(&job))?.map_err(|e| {
        Failure::Failed(format!(
            "error: {}: no kit was written:\n{e}",
            resolved.setup.name
        ))
    })?;
    std::fs::create_dir_all(out).map_err(|e| {
        Failure::Failed(format!(
            "error: --out: cannot make the folder {}: {e}; nothing was written\n  fix: give a folder you can write to",
            out.display()
        ))
    })?;
    let store = ctx.store()?;
    let kept =
        cognito_entra::handoff::record_handoff(&store, &answers_to_keep(&resolved), &kit, &ids)?;
    let kit_path = out.join(format!("{}.kit.toml", kit.setup));
    let page_path = out.join(format!("{}.html", kit.setup));
    write(&kit_path, &kit.to_toml())?;
    write(&page_path, &cognito_entra::kit_page::render(&kit))?;
    outln!(
        "Wrote the kit for {:?}'s Entra admin:\n  {}  (the page: every value, the portal steps, what to send back)\n  {}  (the same values, for `cognito-entra entra-side --kit FILE` on their side)",
        kit.setup,
        page_path.display(),
        kit_path.display()
    );
    match kept {
        // The same kit as before, answered already: nothing is asked of the customer again.
        Some(at) => outln!(
            "It is the kit their reply of {} answered, and the setup keeps that reply: nothing more is needed from the customer.",
            at.get(..10).unwrap_or(&at)
        ),
        None => outln!(
            "No secret is in either. Send both; when their reply comes, run:\n  cognito-entra accept --setup {} --reply FILE\n(or, when they mail the values instead, open the setup in the wizard and paste them)",
            kit.setup
        ),
    }
    Ok(EXIT_OK)
}

pub fn accept(ctx: &Context, name: &str, reply: &Path) -> CommandResult {
    let store = ctx.store()?;
    let state = store.load_existing(name)?;
    let shown = reply.display().to_string();
    let text = cognito_entra::bounded::read_text(reply, REPLY_CAP).map_err(|e| {
        Failure::Failed(format!(
            "error: --reply: {}\n  fix: give the reply file the customer's admin sent",
            e.about(&shown)
        ))
    })?;
    let authority = ctx.for_setup(&state.answers).global.authority;
    let accepted = block_on(cognito_entra::handoff::accept(
        &store, name, &text, &authority,
    ))??;
    for note in &accepted.notes {
        errln!("{note}");
    }
    outln!(
        "Accepted the reply for {name:?} (tenant {}). Checked: {}.",
        accepted.given.tenant(),
        match &accepted.given {
            cognito_entra::kit::Given::Saml { .. } =>
                "the application's federation metadata, fetched from Entra",
            cognito_entra::kit::Given::Oidc { .. } => "the tenant's OpenID configuration",
        }
    );
    match &accepted.given {
        cognito_entra::kit::Given::Saml { .. } => {
            outln!("Next: cognito-entra apply --setup {name}  (makes the provider on the client)")
        }
        cognito_entra::kit::Given::Oidc { .. } => outln!(
            "Next: cognito-entra apply --setup {name}  (makes the provider; the client secret the customer handed over out of band is typed at its hidden prompt, or given in {})",
            cognito_entra::entra::input::SECRET_ENV
        ),
    }
    Ok(EXIT_OK)
}
