//! `plan` and `apply` when the tool does the Entra side through Microsoft Graph: signed in
//! once, then in order — Cognito's pool, domain and client (Entra's values name them), the
//! Entra application, and Cognito's provider and client from what Entra gave. The first two
//! are shown together with what follows before anything is written, and asked once.

use cognito_entra::engine::{self, NotApplied};
use cognito_entra::entra_app::EntraChange;
use cognito_entra::entra_graph;
use cognito_entra::setup::Stage;
use cognito_entra::setup::model::EntraMode;
use cognito_entra::state::{GraphRecord, SetupLock, State};

use super::source::{Resolved, resolve_for};
use super::{Context, Failure, print_warnings};
use crate::cli::{EntraArg, Source};

/// What the Entra side gave Cognito. Its Debug never shows the secret.
#[derive(Clone)]
pub struct EntraGiven {
    pub tenant: String,
    pub app_id: String,
    /// A client secret Graph made this run (OIDC), memory only.
    pub secret: Option<String>,
    /// The Entra changes planned (for `plan --json`).
    pub planned: Vec<EntraChange>,
    /// The signed-in session, when changes wait for Cognito's certificates (`finish`).
    pub waiting: Option<Box<entra_graph::Session>>,
    /// What this run changed already, in both clouds ("Cognito: create user pool …",
    /// "Entra: …"), so a later stop says what it left rather than "nothing was changed".
    pub done: Vec<String>,
}

impl std::fmt::Debug for EntraGiven {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntraGiven")
            .field("tenant", &self.tenant)
            .field("app_id", &self.app_id)
            .field("secret", &self.secret.as_ref().map(|_| "(hidden)"))
            .field("planned", &self.planned)
            .field("waiting", &self.waiting.is_some())
            .field("done", &self.done)
            .finish()
    }
}

pub fn mode(flag: Option<EntraArg>) -> Option<EntraMode> {
    flag.map(|f| match f {
        EntraArg::Manual => EntraMode::Manual,
        EntraArg::Graph => EntraMode::Graph,
    })
}

fn failed(e: engine::Error) -> Failure {
    Failure::Failed(format!("error: {e}"))
}

/// Changes the saved state of the setup under the run's lock (recorded the moment it
/// happens).
fn record(
    ctx: &Context,
    lock: &SetupLock,
    resolved: &Resolved,
    change: impl FnOnce(&mut State),
) -> Result<(), Failure> {
    let store = ctx.store()?;
    let mut state = store
        .load(lock.name())?
        .unwrap_or_else(|| State::new(resolved.setup.clone()));
    change(&mut state);
    lock.save(&mut state)?;
    Ok(())
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

fn render(changes: &[EntraChange]) -> String {
    if changes.is_empty() {
        return "  No changes: the application holds what Cognito needs.\n".into();
    }
    changes
        .iter()
        .map(|c| format!("  {}\n", c.describe()))
        .collect()
}

/// Where the Entra side stands for a `plan` or `apply`.
pub enum EntraPhase {
    /// The admin does it in the portal: the setup carries what Entra gave.
    Manual,
    /// Through Graph, planned only: the application does not exist yet, so what Cognito
    /// gets from it is not known (`plan`).
    Pending,
    /// Through Graph: what the application gives Cognito.
    Given(EntraGiven),
}

impl EntraPhase {
    pub fn given(&self) -> Option<&EntraGiven> {
        match self {
            EntraPhase::Given(given) => Some(given),
            _ => None,
        }
    }
}

/// The Entra side for `plan` (`write` false: reads only) and `apply`.
pub async fn entra_phase(
    ctx: &Context,
    source: &Source,
    flag: Option<EntraArg>,
    plan_options: cognito_entra::plan::Options,
    yes: bool,
    // The run's lock on the setup when it writes (`apply`), taken before anything is read
    // or written on either side; `None` for a plan.
    lock: Option<&SetupLock>,
    json: bool,
) -> Result<EntraPhase, Failure> {
    let write = lock.is_some();
    let resolved = resolve_for(ctx, source, Stage::Values, mode(flag))?;
    if resolved.setup.entra.mode != EntraMode::Graph {
        return Ok(EntraPhase::Manual);
    }
    print_warnings(&resolved.warnings);
    let options = resolved.context.graph_options();
    let setup = resolved.setup.clone();
    let mut job = super::source::job_for(ctx, &resolved);
    // Whatever Cognito would refuse is said before the sign-in, and so before any write.
    engine::preflight(&job, plan_options).await.map_err(|e| {
        Failure::Failed(format!(
            "{}: cannot plan; nothing was changed in Cognito or Entra:\n{e}",
            setup.name
        ))
    })?;
    let tenant_hint = resolved
        .state
        .as_ref()
        .and_then(|s| s.entra.tenant_id.clone());
    errln!("Signing in to Entra for Microsoft Graph…");
    let recorded = resolved.state.as_ref().and_then(|s| s.entra.graph.clone());
    let session = entra_graph::sign_in_and_plan(
        &options,
        &job,
        recorded.as_ref(),
        tenant_hint.as_deref(),
        show_sign_in,
    )
    .await
    .map_err(failed)?;
    let tenant = session.tenant.clone();
    errln!("Signed in to tenant {tenant}.");

    // Cognito first: Entra's Identifier and Reply URL name the pool and its domain.
    let prepare = engine::prepare_plan(&job).await.map_err(failed)?;
    let changes = session.changes.clone();

    let then = format!(
        "Cognito's identity provider and app client, from the application's {}",
        if setup.protocol == cognito_entra::setup::Protocol::Saml {
            "federation metadata"
        } else {
            "tenant, client ID and secret"
        }
    );
    let mut shown = String::from("Cognito first (Entra's values name the pool and its domain):\n");
    if prepare.is_empty() {
        shown.push_str("  No changes: the user pool, domain and app client exist.\n");
    } else {
        shown.push_str(&prepare.render());
    }
    shown.push_str(&format!(
        "\nEntra, through Microsoft Graph (tenant {tenant}):\n{}\nThen {then}.\n",
        render(&changes)
    ));
    // With --json, stdout holds one JSON object; the plan in words goes to stderr.
    if json {
        errln!("{shown}");
    } else {
        outln!("{shown}");
    }
    // What Graph does not do here: said before anything is written, with where to do it.
    for note in cognito_entra::journey::graph_notes(&setup, &session.desired, &session.seen) {
        errln!("note: {note}");
    }
    let not_held = cognito_entra::entra_app::secrets_not_held(&session.desired, &session.seen);
    if !not_held.is_empty() {
        errln!(
            "note: the application has client secrets this setup does not hold: {}; if nothing else uses them, remove them in Entra (App registrations › {} › Certificates & secrets) — each is a live credential",
            not_held.join(", "),
            session.desired.display_name
        );
    }
    if !write {
        let given = session.seen.app.as_ref().map(|app| EntraGiven {
            tenant: tenant.clone(),
            app_id: app.app_id.clone(),
            secret: None,
            planned: changes.clone(),
            waiting: None,
            done: Vec::new(),
        });
        if given.is_none() && json {
            // Nothing of Cognito's provider can be planned before the application exists.
            outln!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "cognito_first": prepare.to_json(),
                    "entra_changes": changes,
                    "then": then,
                }))
                .unwrap_or_default()
            );
        }
        return Ok(given.map_or(EntraPhase::Pending, EntraPhase::Given));
    }
    let Some(lock) = lock else {
        return Err(Failure::Failed(
            "error: the Entra side cannot be written without the setup's lock".into(),
        ));
    };
    let nothing_to_do = prepare.is_empty() && changes.is_empty();
    if !yes && !nothing_to_do {
        super::confirm(
            "apply",
            "Make these changes in Cognito and Entra?",
            "Nothing was changed.",
        )?;
    }
    let mut session = session;
    let mut done = Vec::new();
    if !prepare.is_empty() {
        let prepared = match engine::prepare_reviewed(&job, &prepare).await {
            Ok(prepared) => prepared,
            Err(NotApplied::Stale(now)) => {
                return Err(Failure::Failed(format!(
                    "The account changed while the plan was read: nothing was written. This is what apply would do now:\n{}",
                    now.render()
                )));
            }
            Err(NotApplied::Failed(e)) => return Err(failed(e)),
        };
        record(ctx, lock, &resolved, |state| {
            cognito_entra::results::prepared(state, &prepared);
        })?;
        done.extend(
            prepare
                .changes
                .iter()
                .map(|c| format!("Cognito: {}", c.describe())),
        );
        let ids = prepared.ids;
        job.known.user_pool_id = ids.user_pool_id.clone();
        job.known.client_id = ids.client_id.clone();
        outln!("✓ Cognito: user pool, domain and app client ready.");
        // Planned again with the pool's own values (a new pool's ID is known only now).
        session = entra_graph::replan(session, &job, recorded.as_ref())
            .await
            .map_err(failed)?;
    }
    let mut record_failed = None;
    let made = entra_graph::make(&session, &job, recorded.as_ref(), |object: &GraphRecord| {
        if let Err(e) = record(ctx, lock, &resolved, |state| {
            state.entra.graph = Some(object.clone());
        }) {
            record_failed = Some(e);
        }
    })
    .await
    .map_err(failed)?;
    if let Some(e) = record_failed {
        return Err(e);
    }
    let expires = made.secret.as_ref().map(|(_, end)| end.clone());
    record(ctx, lock, &resolved, |state| {
        state.entra.graph = Some(made.record.clone());
        state.entra.tenant_id = Some(tenant.clone());
        if expires.is_some() {
            state.entra.client_secret_expires.clone_from(&expires);
        }
    })?;
    for change in session.changes.iter().take(made.changes_made) {
        outln!("{}", change.done());
        done.push(format!("Entra: {}", change.describe()));
    }
    if made.waiting.is_some() {
        outln!("  Entra: Cognito's certificates follow, once Cognito has made them.");
    }
    let (calls, writes) = session.round_trips();
    errln!("Graph: {calls} requests, {writes} writes.");
    Ok(EntraPhase::Given(EntraGiven {
        tenant,
        app_id: made.record.app_id,
        secret: made.secret.map(|(value, _)| value),
        planned: session.changes.clone(),
        waiting: made.waiting,
        done,
    }))
}

/// After Cognito's side is applied: the certificates Cognito made in this run handed to
/// Entra (they were shown waiting in the plan).
pub async fn finish(
    session: &entra_graph::Session,
    job: &cognito_entra::engine::Job,
    recorded: Option<&GraphRecord>,
) -> Result<(), Failure> {
    let made = entra_graph::finish(session, job, recorded)
        .await
        .map_err(|e| {
            Failure::Failed(format!(
                "error: {e}\nThe Cognito side is applied; run `cognito-entra apply --entra graph` again to hand Entra Cognito's certificates."
            ))
        })?;
    for change in &made {
        outln!("{}", change.done());
    }
    let (calls, writes) = session.round_trips();
    errln!("Graph: {calls} requests, {writes} writes in all.");
    Ok(())
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
