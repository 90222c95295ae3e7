//! A run of `plan` or `apply`, in its one order, for every face that runs one: the setup's
//! lock (taken here, before anything is read or written on either side), the Entra side
//! through Graph when the tool does it (Cognito's pool, domain and client first: Entra's
//! values name them), Cognito's plan from what Entra gave, reviewed and applied exactly,
//! Cognito's new certificates handed to Entra, and the hand-over recorded. Each finished
//! change is recorded before it is said.
//!
//! The face only shows and asks (`Face`); what comes when, what is recorded, and what each
//! stop says is decided here.

use std::path::{Path, PathBuf};

use cognito_entra_cognito::api::WRITE_OPERATIONS;
use cognito_entra_cognito::apply::{Event, Ids};
use cognito_entra_cognito::certs::ForEntra;
use cognito_entra_entra::graph::SignInPrompt;
use cognito_entra_entra::input::Checked;
use cognito_entra_entra::{Finding, Level};

use crate::engine::{self, ApplyFailure, Job, NotApplied, PlanError, Planned, plan_live};
use crate::entra_app::EntraChange;
use crate::entra_graph::{self, GraphOptions};
use crate::journey::Step;
use crate::plan::{Options, Plan, Refusal};
use crate::plan_file::SavedPlan;
use crate::setup::Setup;
use crate::state::{GraphRecord, SetupLock, State, StateStore};

/// What a face does for a run: it shows and it asks. Lines go to `show` (the plan, each
/// change as it is made) or `note` (warnings and notes beside them).
pub trait Face {
    /// The Graph sign-in's prompt (a device code, a browser's address).
    fn sign_in(&self, prompt: SignInPrompt<'_>);
    /// Text for the admin, as it comes (no newline added).
    fn show(&mut self, text: &str);
    /// A note or warning beside it (one line each).
    fn note(&mut self, text: &str);
    /// Asks `question` before anything is written; `Err` (with `nothing` said) stops the run.
    fn confirm(&mut self, question: &str, nothing: &str) -> Result<(), String>;
    /// The OIDC client secret, asked of a person (hidden) when one is there; `None` when
    /// nobody can be asked or nothing was typed.
    fn secret(&mut self) -> Result<Option<String>, String>;
}

/// Why a run stopped: the text says what was changed before (if anything) and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    Failed(String),
    /// The command line is wrong (a flag that disagrees with the setup).
    Usage(String),
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::Failed(m) | Stopped::Usage(m) => f.write_str(m.trim_end()),
        }
    }
}

impl From<crate::state::StateError> for Stopped {
    fn from(e: crate::state::StateError) -> Self {
        Stopped::Failed(format!("error: {e}"))
    }
}

fn failed(e: engine::Error) -> Stopped {
    Stopped::Failed(format!("error: {e}"))
}

/// A setup, resolved by the face (from a saved setup, a setup file or a saved plan), and
/// how it runs.
#[derive(Debug, Clone)]
pub struct Run {
    /// The engine's job: the checked answers, what AWS knows, where and as whom.
    pub job: Job,
    /// The answers as they are kept (a metadata file's path made absolute).
    pub answers: Setup,
    /// The setup's saved state as resolved (the Entra objects it recorded, its tenant).
    pub state: Option<State>,
    /// Set when the tool does the Entra side through Graph: how to reach it.
    pub graph: Option<GraphOptions>,
    pub options: Options,
}

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

/// Where the Entra side stands for a `plan` or `apply`.
pub enum EntraPhase {
    /// The admin does it in the portal: the setup carries what Entra gave.
    Manual,
    /// Through Graph, planned only: the application does not exist yet, so what Cognito
    /// gets from it is not known (`plan`). What would come first, for `plan --json`.
    Pending {
        cognito_first: Box<Plan>,
        entra_changes: Vec<EntraChange>,
        then: String,
    },
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

/// Changes the saved state of the setup under the run's lock (recorded the moment it
/// happens).
pub(crate) fn record(
    store: &StateStore,
    lock: &SetupLock,
    setup: &Setup,
    change: impl FnOnce(&mut State),
) -> Result<(), Stopped> {
    let mut state = store
        .load(lock.name())?
        .unwrap_or_else(|| State::new(setup.clone()));
    change(&mut state);
    lock.save(&mut state)?;
    Ok(())
}

pub(crate) fn render_entra(changes: &[EntraChange]) -> String {
    if changes.is_empty() {
        return "  No changes: the application holds what Cognito needs.\n".into();
    }
    changes
        .iter()
        .map(|c| format!("  {}\n", c.describe()))
        .collect()
}

/// The Entra side, through Graph when the run says so (`Manual` otherwise). With `lock`
/// (`apply`) it writes — Cognito's pool, domain and client, then the application — once the
/// admin said yes to both; without (`plan`) it reads only.
pub async fn entra_side(
    run: &Run,
    store: &StateStore,
    lock: Option<&SetupLock>,
    yes: bool,
    face: &mut impl Face,
) -> Result<EntraPhase, Stopped> {
    let Some(options) = &run.graph else {
        return Ok(EntraPhase::Manual);
    };
    let setup = &run.job.setup;
    let mut job = run.job.clone();
    // Whatever Cognito would refuse is said before the sign-in, and so before any write.
    engine::preflight(&job, run.options).await.map_err(|e| {
        Stopped::Failed(format!(
            "{}: cannot plan; nothing was changed in Cognito or Entra:\n{e}",
            setup.name
        ))
    })?;
    let tenant_hint = run.state.as_ref().and_then(|s| s.entra.tenant_id.clone());
    face.note("Signing in to Entra for Microsoft Graph…");
    let recorded = run.state.as_ref().and_then(|s| s.entra.graph.clone());
    let session = entra_graph::sign_in_and_plan(
        options,
        &job,
        recorded.as_ref(),
        tenant_hint.as_deref(),
        |prompt| face.sign_in(prompt),
    )
    .await
    .map_err(failed)?;
    let tenant = session.tenant.clone();
    face.note(&format!("Signed in to tenant {tenant}."));

    // Cognito first: Entra's Identifier and Reply URL name the pool and its domain.
    let prepare = engine::prepare_plan(&job).await.map_err(failed)?;
    let changes = session.changes.clone();
    let then = format!(
        "Cognito's identity provider and app client, from the application's {}",
        if setup.protocol == crate::setup::Protocol::Saml {
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
        render_entra(&changes)
    ));
    face.show(&format!("{shown}\n"));
    // What Graph does not do here: said before anything is written, with where to do it.
    for note in crate::journey::graph_notes(setup, &session.desired, &session.seen) {
        face.note(&format!("note: {note}"));
    }
    let not_held = crate::entra_app::secrets_not_held(&session.desired, &session.seen);
    if !not_held.is_empty() {
        face.note(&format!(
            "note: the application has client secrets this setup does not hold: {}; if nothing else uses them, remove them in Entra (App registrations › {} › Certificates & secrets) — each is a live credential",
            not_held.join(", "),
            session.desired.display_name
        ));
    }
    let Some(lock) = lock else {
        // A plan: what the application gives, when it exists already.
        let given = session.seen.app.as_ref().map(|app| EntraGiven {
            tenant: tenant.clone(),
            app_id: app.app_id.clone(),
            secret: None,
            planned: changes.clone(),
            waiting: None,
            done: Vec::new(),
        });
        return Ok(match given {
            Some(given) => EntraPhase::Given(given),
            None => EntraPhase::Pending {
                cognito_first: Box::new(prepare),
                entra_changes: changes,
                then,
            },
        });
    };
    let nothing_to_do = prepare.is_empty() && changes.is_empty();
    if !yes && !nothing_to_do {
        face.confirm(
            "Make these changes in Cognito and Entra?",
            "Nothing was changed.",
        )
        .map_err(Stopped::Failed)?;
    }
    let mut session = session;
    let mut done = Vec::new();
    if !prepare.is_empty() {
        let prepared = match engine::prepare_reviewed(&job, &prepare).await {
            Ok(prepared) => prepared,
            Err(NotApplied::Stale(now)) => {
                return Err(Stopped::Failed(format!(
                    "The account changed while the plan was read: nothing was written. This is what apply would do now:\n{}",
                    now.render()
                )));
            }
            Err(NotApplied::Failed(e)) => return Err(failed(e)),
        };
        record(store, lock, setup, |state| {
            crate::results::prepared(state, &prepared);
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
        face.show("✓ Cognito: user pool, domain and app client ready.\n");
        // Planned again with the pool's own values (a new pool's ID is known only now).
        session = entra_graph::replan(session, &job, recorded.as_ref())
            .await
            .map_err(failed)?;
    }
    let mut record_failed = None;
    let made = entra_graph::make(&session, &job, recorded.as_ref(), |object: &GraphRecord| {
        if let Err(e) = record(store, lock, setup, |state| {
            state.entra.graph = Some(object.clone().keep_rotation(state.entra.graph.as_ref()));
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
    record(store, lock, setup, |state| {
        state.entra.graph = Some(
            made.record
                .clone()
                .keep_rotation(state.entra.graph.as_ref()),
        );
        state.entra.tenant_id = Some(tenant.clone());
        if expires.is_some() {
            state.entra.client_secret_expires.clone_from(&expires);
        }
    })?;
    for change in session.changes.iter().take(made.changes_made) {
        face.show(&format!("{}\n", change.done()));
        done.push(format!("Entra: {}", change.describe()));
    }
    if made.waiting.is_some() {
        face.show("  Entra: Cognito's certificates follow, once Cognito has made them.\n");
    }
    let (calls, writes) = session.round_trips();
    face.note(&format!("Graph: {calls} requests, {writes} writes."));
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
async fn finish_entra(
    session: &entra_graph::Session,
    job: &Job,
    recorded: Option<&GraphRecord>,
    face: &mut impl Face,
) -> Result<(), Stopped> {
    let made = entra_graph::finish(session, job, recorded)
        .await
        .map_err(|e| {
            Stopped::Failed(format!(
                "error: {e}\nThe Cognito side is applied; run `cognito-entra apply --entra graph` again to hand Entra Cognito's certificates."
            ))
        })?;
    for change in &made {
        face.show(&format!("{}\n", change.done()));
    }
    let (calls, writes) = session.round_trips();
    face.note(&format!("Graph: {calls} requests, {writes} writes in all."));
    Ok(())
}

/// Cognito's plan against the live account, from the answers and what the Entra side gave;
/// a new OIDC provider's secret asked of a person when one is there (`may_ask`).
pub struct CognitoPlanned {
    pub planned: Planned,
    /// The job planned with (the secret given or typed, in memory only): a re-read before
    /// applying plans with the same.
    pub job: Job,
    pub entra: Checked,
}

pub async fn plan_cognito(
    run: &Run,
    given: Option<&EntraGiven>,
    may_ask: bool,
    face: &mut impl Face,
) -> Result<CognitoPlanned, Stopped> {
    let mut job = run.job.clone();
    // What the Entra side gave through Graph goes where the admin's answers would.
    if let Some(given) = given {
        entra_graph::give_to_cognito(&mut job.setup, &job.authority, &given.tenant, &given.app_id);
        job.secret = given.secret.clone();
    }
    let mut result = plan_live(&job, run.options).await;
    // A new OIDC provider needs the secret: ask for it (hidden) when a person is there.
    if result.as_ref().err().is_some_and(PlanError::wants_secret)
        && may_ask
        && let Some(secret) = face.secret().map_err(Stopped::Failed)?
        && !secret.trim().is_empty()
    {
        job.secret = Some(secret.trim().to_string());
        result = plan_live(&job, run.options).await;
    }
    let done = given.map(|g| g.done.as_slice()).unwrap_or_default();
    let planned = match result {
        Ok(p) => p,
        Err(PlanError::Entra(u)) => {
            let mut text = format!(
                "{} is not usable; {}:\n",
                u.what,
                what_changed(done, "nothing was changed in AWS")
            );
            for f in u.findings.iter().filter(|f| f.level == Level::Error) {
                text.push_str(&format!("error: {}\n", f.message));
            }
            return Err(Stopped::Failed(text));
        }
        Err(PlanError::Refused(r)) => {
            return Err(refusals_failure(&job.setup.name, &r, done));
        }
        Err(e) => return Err(Stopped::Failed(format!("error: {}", e.text(&job.aws)))),
    };
    for f in planned
        .entra
        .findings
        .iter()
        .filter(|f| f.level != Level::Error)
    {
        face.note(&finding_note(f));
    }
    let entra = planned.entra.clone();
    Ok(CognitoPlanned {
        planned,
        job,
        entra,
    })
}

fn finding_note(f: &Finding) -> String {
    let label = if f.level == Level::Warning {
        "warning"
    } else {
        "note"
    };
    format!("{label}: {}", f.message)
}

fn refusals_failure(source: &str, refusals: &[Refusal], done: &[String]) -> Stopped {
    let mut text = format!(
        "{source}: cannot plan; {}:\n",
        what_changed(done, "nothing was changed")
    );
    for r in refusals {
        text.push_str(&format!("{r}\n"));
    }
    Stopped::Failed(text)
}

/// `nothing` ("nothing was changed"), or what this run changed before it stopped (both
/// clouds).
fn what_changed(done: &[String], nothing: &str) -> String {
    if done.is_empty() {
        nothing.into()
    } else {
        format!(
            "this run changed, before stopping: {} — nothing else was changed",
            done.join("; ")
        )
    }
}

/// A saved plan (`plan --out`) to apply exactly: where it was read from, and it.
pub struct Reviewed {
    pub shown: String,
    pub saved: SavedPlan,
}

/// What an apply did, for the face's last words.
pub struct Applied {
    pub changes: usize,
    pub calls: usize,
    pub writes: usize,
    pub state_file: PathBuf,
}

/// `apply`: the whole run, in its order (see the module's words). `yes`: the plan shown is
/// the one reviewed (no question); `reviewed`: a saved plan, applied only when the plan now
/// is the same; `out`: where the certificates go (else beside the setup's state).
pub async fn apply(
    run: Run,
    store: &StateStore,
    yes: bool,
    reviewed: Option<Reviewed>,
    out: Option<&Path>,
    face: &mut impl Face,
) -> Result<Applied, Stopped> {
    // The setup's lock first, before anything is read or written on either side: two runs
    // at once would otherwise both make an Entra application (#21 item 10).
    let name = run.job.setup.name.clone();
    let lock = store.lock(&name)?;
    // The Entra side through Graph first (with the Cognito resources its values name), when
    // the tool does it; asked for once, together with what follows.
    let phase = entra_side(&run, store, Some(&lock), yes, face).await?;
    let given = phase.given();
    // The Graph phase asked already, for both sides at once.
    let yes = yes || given.is_some();
    let CognitoPlanned {
        mut planned,
        job,
        entra,
    } = plan_cognito(&run, given, true, face).await?;
    // A saved plan is the review: applied as it is, or refused when it is stale.
    let yes = match &reviewed {
        Some(reviewed) => {
            check_saved_plan(reviewed, &run.answers, &planned.plan)?;
            true
        }
        None => yes,
    };
    let setup = job.setup.clone();
    // Read again under the lock: another run may have finished meanwhile.
    let mut state = store
        .load(&setup.name)?
        .unwrap_or_else(|| State::new(setup.clone()));
    state.answers = run.answers.clone();

    face.show(&planned.plan.render());
    // Asked, then read again before the first write: what runs is what was reviewed. (With
    // --yes nothing was waited for, and the plan just made is the one reviewed.)
    while !planned.plan.is_empty() && !yes {
        face.confirm("Apply these changes?", "Nothing was changed.")
            .map_err(Stopped::Failed)?;
        let now = plan_live(&job, run.options)
            .await
            .map_err(|e| Stopped::Failed(format!("error: {}", e.text(&job.aws))))?;
        let same = now.plan.changes == planned.plan.changes;
        if !same {
            face.show(
                "\nThe account changed while the plan was read: nothing was written. This is what apply would do now:\n",
            );
            face.show(&now.plan.render());
        }
        planned = now;
        if same {
            break;
        }
    }
    // Observation adopted whatever exists (by ID or by name); apply starts from those IDs.
    let mut ids: Ids = planned.ids.clone();
    state.record_ids(&ids);
    state.aws.required_attributes = Some(planned.required_attributes.clone().unwrap_or_default());
    state.record_entra(entra.tenant_id.clone(), entra.metadata.as_ref());

    let total = planned.plan.changes.len();
    // The client secret Cognito gets is the one Graph made this run (OIDC).
    let graph_secret = given.is_some_and(|g| g.secret.is_some());
    // The certificates go where the admin says, else beside the setup's state.
    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| store.dir().join(&setup.name));
    let result = {
        let face = &mut *face;
        let state = &mut state;
        let lock = &lock;
        let on_event = |event: Event<'_>| match event {
            Event::Started(i, change) => {
                face.show(&format!("[{}/{total}] {}… ", i + 1, change.describe()));
                Ok(())
            }
            Event::Finished(_, change, ids) => {
                // Recorded before it is said: a closed or full stdout cannot lose it.
                crate::results::change_applied(state, change, ids, graph_secret);
                lock.save(state).map_err(|e| e.to_string())?;
                face.show("✓\n");
                Ok(())
            }
        };
        engine::apply_planned(
            &planned.api,
            &planned.plan,
            &setup,
            &mut ids,
            &out_dir,
            on_event,
        )
        .await
    };
    let written = match result {
        Ok(written) => written,
        Err(e @ ApplyFailure::Change(_)) => {
            face.show("✗\n");
            let _ = lock.save(&mut state);
            return Err(Stopped::Failed(format!(
                "error: {}\nThe changes before this one are applied and recorded; run `cognito-entra apply` again to continue.",
                e.text(&job.aws)
            )));
        }
        Err(e @ ApplyFailure::Certificates(_)) => {
            return Err(Stopped::Failed(format!(
                "error: {}\nThe Cognito side is applied; run `cognito-entra apply` again to write the certificates.",
                e.text(&job.aws)
            )));
        }
    };
    show_certificates(&written, given.is_some(), &setup, face);
    if !written.is_empty() {
        state.aws.certificates = written.into_iter().map(|c| c.record).collect();
    }
    // Through Graph, Cognito's certificates made in this run go to Entra now.
    if let Some(session) = given.and_then(|g| g.waiting.as_deref()) {
        let mut job = job.clone();
        job.known.user_pool_id = ids.user_pool_id.clone();
        job.known.client_id = ids.client_id.clone();
        let recorded = state.entra.graph.clone();
        lock.save(&mut state)?;
        finish_entra(session, &job, recorded.as_ref(), face).await?;
    }
    state.mark_done(&Step::ALL[..Step::ReviewApply.number()]);
    lock.save(&mut state)?;
    drop(lock);

    let calls = planned.api.calls();
    crate::verbose_log::write(
        "note",
        &format!("apply {}: AWS calls: {}", setup.name, calls.join(", ")),
    );
    let writes = calls
        .iter()
        .filter(|c| WRITE_OPERATIONS.contains(c))
        .count();
    Ok(Applied {
        changes: total,
        calls: calls.len(),
        writes,
        state_file: store.path(&setup.name),
    })
}

/// The certificates written for Entra, and where each goes.
fn show_certificates(
    written: &[ForEntra],
    through_graph: bool,
    setup: &Setup,
    face: &mut impl Face,
) {
    for cert in written {
        let r = &cert.record;
        face.show(&format!(
            "\nCognito {} certificate: {} (thumbprint {}, valid until {})\n",
            r.kind,
            r.file.as_deref().unwrap_or_default(),
            r.thumbprint,
            r.not_after
        ));
        if let Some(place) = cert.entra_place {
            if through_graph {
                face.show("  → Entra gets it through Microsoft Graph\n");
            } else {
                face.show(&format!("  → {place}\n"));
            }
        }
    }
    if written.is_empty()
        && let Some(none) = crate::journey::no_certificate_needed(setup)
    {
        face.show(&format!("\n{none}\n"));
    }
}

/// The saved plan held against the plan made now: the same changes for the same answers, or
/// a refusal that says what changed and shows the plan now.
fn check_saved_plan(reviewed: &Reviewed, answers: &Setup, now: &Plan) -> Result<(), Stopped> {
    crate::plan_file::check(&reviewed.saved, answers, now).map_err(|stale| {
        let mut text = format!(
            "error: --plan: {} is out of date; nothing was changed:\n",
            reviewed.shown
        );
        for reason in &stale.reasons {
            text.push_str(&format!("  - {reason}\n"));
        }
        text.push_str("This is what apply would do now:\n");
        text.push_str(&now.render());
        text.push_str("  fix: review it, then save it again with `cognito-entra plan --out FILE` and apply that");
        Stopped::Failed(text)
    })
}
