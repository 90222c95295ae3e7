//! `cognito-entra entra-side`: the customer's Entra admin runs the kit in their own tenant.
//! It signs in to Entra only: nothing here reads AWS settings or credentials, or reaches
//! AWS (the engine's customer run has no AWS in it).

use std::path::{Path, PathBuf};

use cognito_entra::kit::Kit;

use super::run_face::CommandFace;
use super::{CommandResult, Context, EXIT_OK, Failure, block_on};

/// The largest kit read: a few kilobytes in practice (a certificate at most).
const KIT_CAP: usize = 256 * 1024;

/// How the customer's admin does it: through Graph (the default), or by hand in the portal
/// (full screens, or `plain` prompts).
#[derive(Debug, Clone, Copy)]
pub struct How {
    pub by_hand: bool,
    pub plain: bool,
}

pub fn run(
    ctx: &Context,
    kit_path: &Path,
    out: Option<&Path>,
    assign: &[String],
    yes: bool,
    how: How,
) -> CommandResult {
    if how.plain && !how.by_hand {
        return Err(Failure::Usage(
            "error: --plain: is for the portal walk-through (--entra manual); through Graph nothing is asked but the one question\n  fix: add --entra manual, or drop --plain".into(),
        ));
    }
    if how.by_hand && !assign.is_empty() {
        return Err(Failure::Usage(
            "error: --assign: the tool assigns users only through Graph; by hand, assign them in the portal (Users and groups), as the kit's pages say\n  fix: drop --assign, or drop --entra manual".into(),
        ));
    }
    let shown = kit_path.display().to_string();
    let text = cognito_entra::bounded::read_text(kit_path, KIT_CAP).map_err(|e| {
        Failure::Failed(format!(
            "error: --kit: {}\n  fix: give the NAME.kit.toml file the SaaS admin sent",
            e.about(&shown)
        ))
    })?;
    let kit = Kit::parse(&text).map_err(|r| Failure::Failed(format!("error: {shown}: {r}")))?;
    // The kit's cloud is the customer's: sign-in and Graph go there unless --cloud says.
    let ctx = &ctx.for_setup(&kit.as_setup());
    let reply_path: PathBuf = out.map(Path::to_path_buf).unwrap_or_else(|| {
        kit_path
            .parent()
            .unwrap_or(Path::new("."))
            .join(format!("{}.reply.toml", kit.setup))
    });
    // The reply's folder is made now, before any work that would be lost if it could not be.
    if let Some(folder) = reply_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| {
            Failure::Failed(format!(
                "error: --out: cannot make the folder {}: {e}; nothing was done\n  fix: give --out a file in a folder you can write to",
                folder.display()
            ))
        })?;
    }
    if how.by_hand {
        return if how.plain {
            crate::plain::kit_walk(ctx, &kit, &reply_path)
        } else {
            crate::tui::run_kit(ctx, kit, reply_path)
        };
    }
    let options = ctx.graph_options();
    let mut face = CommandFace {
        command: "entra-side",
        json: false,
    };
    let done = block_on(cognito_entra::handoff::entra_side(
        &options, &kit, assign, yes, &mut face,
    ))??;
    cognito_entra::files::replace(&reply_path, done.reply.to_toml().as_bytes(), 0o644).map_err(
        |e| {
            Failure::Failed(format!(
                "error: {e}\nThe application is made; run entra-side again with --out FILE to write the reply elsewhere (it changes nothing in Entra)."
            ))
        },
    )?;
    if done.changes == 0 {
        outln!("No changes: the application holds what the kit asks for.");
    }
    outln!(
        "Wrote the reply: {}\nSend it back to the SaaS admin. It holds no secret.",
        reply_path.display()
    );
    if kit.protocol == cognito_entra::setup::Protocol::Oidc {
        outln!(
            "The client secret is not in it, and the tool made none. Make one in Entra (App registrations › {} › Certificates & secrets › New client secret), copy its Value, and hand it over the way you agreed with the SaaS admin (a password manager's share, or read out on a call) — never in the reply or a mail.",
            kit.display_name
        );
    }
    Ok(EXIT_OK)
}
