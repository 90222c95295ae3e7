//! The Graph sign-in as the commands show it (on stderr: stdout may hold a plan or JSON),
//! for doctor, destroy and import, and `--entra` read as who does the Entra side. The order
//! of a `plan` or `apply` through Graph is the engine's (`cognito_entra::run`).

use cognito_entra::entra_graph;
use cognito_entra::setup::model::EntraMode;

use super::{Context, Failure};
use crate::cli::EntraArg;

pub fn mode(flag: Option<EntraArg>) -> Option<EntraMode> {
    flag.map(|f| match f {
        EntraArg::Manual => EntraMode::Manual,
        EntraArg::Graph => EntraMode::Graph,
    })
}

/// The device code or the browser's address, where the commands show them: on stderr
/// (stdout may be a plan or JSON).
pub fn show_sign_in(prompt: cognito_entra::entra::graph::SignInPrompt<'_>) {
    use cognito_entra::entra::graph::SignInPrompt;
    match prompt {
        SignInPrompt::DeviceCode(code) => errln!(
            "To sign in, open {} and enter the code {} (it expires in {} min).",
            code.verification_uri,
            code.user_code,
            code.expires_in / 60
        ),
        SignInPrompt::Browser(page) => {
            match &page.opened_with {
                Some(program) => errln!("Sign in in the browser ({program} opened it), or open:"),
                None => errln!("No browser could be started; to sign in, open in a browser:"),
            }
            errln!("  {}", page.url);
            errln!(
                "The browser comes back to http://localhost:{} on this machine (from another machine, forward that port first, e.g. ssh -L {0}:localhost:{0}); the sign-in waits {} s for it.",
                page.port,
                cognito_entra::entra::graph::browser::IDLE_LIMIT.as_secs()
            );
        }
    }
}

/// Signs in to Entra for Graph on the command line: to the tenant the setup requires, else
/// the one it recorded, if any.
pub async fn sign_in(
    ctx: &Context,
    setup: &cognito_entra::setup::Setup,
    recorded_tenant: Option<&str>,
    needs: cognito_entra::entra::graph::signin::Needs,
) -> Result<cognito_entra::entra::graph::Graph, Failure> {
    errln!("Signing in to Entra for Microsoft Graph…");
    let options = entra_graph::GraphOptions {
        needs,
        ..ctx.for_setup(setup).graph_options()
    };
    let tenant = entra_graph::TenantChoice::for_setup(&options, setup, recorded_tenant);
    entra_graph::sign_in(&options, &tenant, show_sign_in)
        .await
        .map_err(|e| Failure::Failed(format!("error: {e}")))
}

/// `import --entra graph`: signs in (to --entra-tenant, else the admin's own tenant) and
/// records each found federation's Entra application.
pub fn find_applications(
    ctx: &Context,
    report: &mut cognito_entra::import::Report,
    candidates: &mut [cognito_entra::import::Candidate],
) -> Result<(), Failure> {
    let Some(first) = candidates.first() else {
        return Ok(());
    };
    let setup = first.found.setup.clone();
    super::block_on(async {
        let graph = sign_in(
            ctx,
            &setup,
            None,
            cognito_entra::entra::graph::signin::Needs::default(),
        )
        .await?;
        cognito_entra::import::find_applications(&graph, report, candidates)
            .await
            .map_err(|e| Failure::Failed(format!("error: {e}\nNothing was saved.")))
    })?
}
