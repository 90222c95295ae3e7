//! The wizard's model, messages and `update`: The Elm Architecture. `update` is the state
//! machine over the core's journey; it never does I/O. What needs the outside world (saving,
//! copying, AWS, HTTP) comes back as `Cmd`s for the runtime, whose answers return as `Msg`s.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use cognito_entra::cognito::apply::Ids;
use cognito_entra::cognito::certs::ForEntra;
use cognito_entra::engine;
use cognito_entra::entra::discovery;
use cognito_entra::entra::metadata;
use cognito_entra::entra_graph;
use cognito_entra::journey::Step;
use cognito_entra::journey::questions::{AccountRead, Found, PoolRead, commit};
use cognito_entra::plan::Plan;
use cognito_entra::resolve::{self, Chosen};
use cognito_entra::results;
use cognito_entra::saml_response::Decoded;
use cognito_entra::setup::{Protocol, Setup, Values, derive};
use cognito_entra::state::{GraphRecord, State};
use cognito_entra::teardown::Teardown;

use super::form::Form;
use super::steps::{
    self, answers, back_from_entra, destroy, domain, graph, handover, provider, review, welcome,
};
use destroy::Destroy;
use domain::DomainProbe;
use graph::GraphSessions;
use review::Review;

/// A saved setup on the welcome screen.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub protocol: Option<Protocol>,
    pub progress: String,
    pub when: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Welcome,
    Naming(Protocol),
    Step(Step),
    /// Taking a saved setup down: its plan, asked once, then its progress.
    Destroy,
    /// Importing the account's Entra federations made by hand (`tui::import`).
    Import,
    /// Renewing a saved setup's client secret or signing certificate (`tui::rotate`).
    Rotate,
    /// A setup handed to its customer's Entra admin: their reply pasted (`tui::customer_reply`).
    CustomerReply,
    /// The customer's admin, working from a kit by hand (`tui::kit_walk`).
    KitWalk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `q`: saved, resume later.
    Saved,
    /// Ctrl-C.
    Interrupted,
    /// The journey is over.
    Done,
}

/// What slow work sends back.
#[derive(Debug)]
pub enum TaskDone {
    Pools(Result<AccountRead, engine::Error>),
    Pool(Result<PoolRead, engine::Error>),
    /// The pool that holds the prefix (`None`: free), or why the check failed.
    Domain(String, Result<Option<String>, engine::Error>),
    /// What the Provider step would create now (shown, then confirmed).
    PreparePlanned(Result<Plan, engine::Error>),
    Prepared(Result<engine::Prepared, engine::Error>),
    /// The account changed since the creation was confirmed: nothing was made; the plan now.
    PrepareStale(Plan),
    Metadata(Box<metadata::Report>),
    Tenant(Box<discovery::Report>),
    Planned(Result<Plan, engine::Error>),
    ApplyStep(usize, Ids),
    Applied(Result<Vec<ForEntra>, engine::Error>),
    /// The account changed since the review: nothing was written; the plan now.
    Stale(Plan),
    /// What taking the setup down would remove now.
    TeardownPlanned(Result<Teardown, engine::Error>),
    /// One removal done (recorded, then shown).
    Removed(usize, String),
    /// The teardown ended: all removed, stale (nothing removed; the plan now), or stopped.
    TornDown(Result<(), engine::TeardownStopped>),
    /// A pasted SAML response, decoded and judged against the setup.
    SamlChecked(Box<Result<Decoded, String>>),
    /// The device code to sign in to Entra with (the sign-in goes on).
    DeviceCode {
        uri: String,
        code: String,
    },
    /// The browser sign-in's address (the browser opened on it, or not; the sign-in goes on).
    BrowserSignIn {
        url: String,
        opened: bool,
    },
    /// Signed in to Entra, the application planned (shown, then confirmed).
    EntraPlanned(Box<Result<entra_graph::Session, engine::Error>>),
    /// An Entra object exists now: recorded at once (the making goes on).
    EntraObject(GraphRecord),
    /// A wait on Entra longer than a second, and why (shown on the busy line).
    Waiting(String),
    /// The Entra application made as planned: what it gives Cognito.
    EntraMade(Box<Result<entra_graph::Made, engine::Error>>),
    /// Cognito's certificates handed to Entra after Cognito's side was applied.
    EntraFinished(Box<Result<Vec<cognito_entra::entra_app::EntraChange>, engine::Error>>),
    /// The account read for Entra federations (import): the report and the setups found.
    ImportRead(
        Box<
            Result<
                (
                    cognito_entra::import::Report,
                    Vec<cognito_entra::import::Candidate>,
                ),
                String,
            >,
        >,
    ),
    /// The ticked federations saved as setups (their names), or why not.
    ImportSaved(Result<Vec<String>, String>),
    /// A rotation's plan (a dry run, nothing written), in the engine's words, or why not.
    RotatePlanned(Result<String, String>),
    /// A rotation made (what it did) or stopped (why, and where sign-in stands).
    Rotated(Result<String, String>),
    /// A customer's pasted reply, checked against Entra (nothing recorded yet), or why not.
    ReplyChecked(Box<Result<cognito_entra::handoff::Accepted, String>>),
    /// The customer's own answer (working from a kit), checked against the kit and Entra:
    /// the reply to write and what was noted, or why not.
    KitAnswerChecked(Box<Result<(cognito_entra::kit::Reply, Vec<String>), String>>),
    /// The reply file written, or why not.
    ReplyWritten(Result<(), String>),
    /// The work stopped with a bug (a panic in its task); the screen stays usable.
    Crashed(String),
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// The terminal's size (at start and on every resize): where a scroll ends.
    Resize(u16, u16),
    Paste(String),
    Tick,
    /// The answer to `Cmd::Lock`: the state to continue from, or why not.
    Locked(Result<Box<State>, String>),
    /// The outcome of a copy, in the admin's words.
    Copied(String),
    /// The live availability answer for a typed prefix: background work, so it ends no wait.
    DomainProbed(String, Result<Option<String>, engine::Error>),
    /// The saved setups again, after the admin left one for the welcome screen.
    Rows(Result<Vec<Row>, String>),
    Task(TaskDone),
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Take the setup's lock and load (or start) its state.
    Lock {
        name: String,
        protocol: Option<Protocol>,
    },
    Save,
    /// Let go of the setup (its lock) and list the saved setups again.
    Release,
    /// Read what taking the locked setup down would remove.
    PlanTeardown,
    /// Remove exactly this (confirmed) teardown.
    Teardown(Teardown),
    Copy {
        what: String,
        value: String,
    },
    LoadPools,
    LoadPool(String),
    /// Read the account for Entra federations made by hand (nothing written).
    ImportRead,
    /// Save these federations as adopted setups.
    ImportSave(Vec<cognito_entra::import::Candidate>),
    /// Plan the rotation of this saved setup's credential (writes nothing).
    RotatePlan(String),
    /// Rotate this saved setup's credential (the plan was shown).
    Rotate(String),
    /// Check a customer's reply (pasted) against Entra, for the locked setup.
    CheckReply(Box<cognito_entra::kit::Reply>),
    /// Check the customer's own answer against their kit and Entra.
    CheckKitAnswer(Box<cognito_entra::kit::Kit>, Box<cognito_entra::kit::Reply>),
    /// Write the reply file (its text holds no secret).
    WriteReply {
        path: std::path::PathBuf,
        text: String,
    },
    CheckDomain(String),
    /// Whether a prefix is free, while the admin is still on the domain step.
    ProbeDomain(String),
    /// Read what exists and plan what the Provider step creates.
    PlanPrepare,
    /// Create exactly this (confirmed) plan.
    Prepare(Plan),
    CheckMetadata {
        source: String,
    },
    CheckTenant(String),
    Plan,
    Apply,
    Open(String),
    /// Decode and judge what the admin pasted on the test step.
    CheckSamlResponse(String),
    /// Sign in to Entra and plan the application through Graph ("do it for me").
    EntraSignIn,
    /// Make exactly this (confirmed) Entra plan.
    EntraMake(Box<entra_graph::Session>),
    /// Hand Entra the certificates Cognito made since (the rest of this session's plan).
    EntraFinish(Box<entra_graph::Session>),
}

/// The wizard's one model: what every screen shares first, then each step's own state.
pub struct Model {
    pub screen: Screen,
    /// The welcome screen's saved setups, and the one under the cursor.
    pub rows: Vec<Row>,
    pub selected: usize,
    /// The open setup's state (its answers and progress), once its lock is taken.
    pub state: Option<State>,
    /// The step's form of the journey's questions.
    pub form: Form,
    /// A one-question form over the step (an edit, a paste, the question before signing in).
    pub editing: Option<Form>,
    /// What was typed on a step and not confirmed, kept when the admin goes back (Esc) and
    /// put back on arrival.
    pub drafts: std::collections::HashMap<Step, Form>,
    /// The row under the cursor in a step's list (a checklist, the mapping).
    pub list_selected: usize,
    /// How far a long text (the plan, a checklist, a check's findings) is scrolled.
    pub scroll: u16,
    /// Slow work under way, in the admin's words (the busy line): keys wait meanwhile, but
    /// Esc leaves a wait on a read.
    pub busy: Option<String>,
    /// A write is under way (applying the plan, removing a setup): it is waited for, and Esc
    /// does nothing meanwhile.
    pub applying: bool,
    /// Creating the pool, domain and client, or writing to Entra: no Esc out of it.
    pub writing: bool,
    pub tick: usize,
    /// A toast: it stays while the admin stays on the view it was raised on.
    pub notice: Option<String>,
    /// Advice or problems under the step.
    pub message: Vec<String>,
    /// What the journey's questions offer: profiles, pools, clients, the pool's domain.
    pub found: Found,
    /// The OIDC client secret: memory only, never saved.
    pub secret: Option<String>,
    /// The secret in memory was made by Graph: never revealed.
    pub secret_from_graph: bool,
    /// The secret is shown as typed (Ctrl-R on Back from Entra).
    pub reveal: bool,
    pub help: bool,
    pub exit: Option<Exit>,
    pub color: bool,
    pub authority: String,
    /// The terminal's columns and rows (0×0 until the runtime says).
    pub size: (u16, u16),

    // Each step's own state (`steps/`, `import`).
    /// The domain step's live check of the prefix.
    pub domain_probe: DomainProbe,
    /// What the Provider step will create, shown for confirmation.
    pub prepare_plan: Option<Plan>,
    /// "Do it for me" through Microsoft Graph: the sign-in and its plans (memory only).
    pub graph: GraphSessions,
    /// What the check of the Entra answers (back from Entra) found, and whether they are
    /// usable; cleared on arrival and by any edit of them.
    pub entra_check: results::EntraChecked,
    /// The review step's plan, choice and apply.
    pub review: Review,
    /// The last pasted SAML response, as decode-saml would report it.
    pub saml_check: Option<Result<Decoded, String>>,
    /// The setup is being opened to be destroyed, not resumed (from `d` on the list): what
    /// destroying it would remove, and the removals done so far.
    pub destroy: Option<Destroy>,
    /// The import screen's own state, while it is open.
    pub import: Option<super::import::ImportScreen>,
    /// The rotate screen's own state, while it is open.
    pub rotate: Option<super::rotate::RotateScreen>,
    /// The customer's reply screen's own state, while it is open.
    pub customer_reply: Option<super::customer_reply::CustomerReplyScreen>,
    /// A kit walked by hand (`entra-side --entra manual`): the whole session's state.
    pub kit_walk: Option<super::kit_walk::KitWalkScreen>,
}

impl Model {
    pub fn new(rows: Vec<Row>, authority: &str) -> Model {
        Model {
            screen: Screen::Welcome,
            rows,
            selected: 0,
            state: None,
            form: Form::default(),
            busy: None,
            tick: 0,
            notice: None,
            message: Vec::new(),
            found: Found::new(
                Vec::new(),
                Chosen {
                    value: resolve::DEFAULT_PROFILE.into(),
                    from: resolve::Source::Default,
                },
                Chosen {
                    value: resolve::DEFAULT_REGION.into(),
                    from: resolve::Source::Default,
                },
            ),
            domain_probe: DomainProbe::Idle,
            entra_check: results::EntraChecked::default(),
            review: Review::default(),
            scroll: 0,
            applying: false,
            prepare_plan: None,
            graph: GraphSessions::default(),
            secret_from_graph: false,
            import: None,
            rotate: None,
            customer_reply: None,
            kit_walk: None,
            destroy: None,
            writing: false,
            saml_check: None,
            secret: None,
            reveal: false,
            list_selected: 0,
            drafts: std::collections::HashMap::new(),
            editing: None,
            help: false,
            exit: None,
            color: true,
            authority: authority.to_string(),
            size: (0, 0),
        }
    }

    pub fn setup(&self) -> Option<&Setup> {
        self.state.as_ref().map(|s| &s.answers)
    }

    pub fn setup_mut(&mut self) -> Option<&mut Setup> {
        self.state.as_mut().map(|s| &mut s.answers)
    }

    pub fn protocol(&self) -> Protocol {
        match self.screen {
            Screen::Naming(p) => p,
            _ => self.setup().map_or(Protocol::Saml, |s| s.protocol),
        }
    }

    /// The values Entra needs, from the answers and the IDs apply recorded.
    pub fn values(&self) -> Option<Values> {
        let state = self.state.as_ref()?;
        Some(derive(&state.answers, &state.known(), &self.authority))
    }

    pub fn done(&self, step: Step) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| s.progress.steps_done.contains(&step))
    }

    /// Entries of the welcome list: saved setups, then the two new ones.
    pub fn welcome_len(&self) -> usize {
        self.rows.len() + 2
    }

    /// Whether the focused field takes typed characters (then `q` and `?` are text).
    fn typing(&self) -> bool {
        if self.editing.is_some()
            || matches!(self.screen, Screen::Naming(_) | Screen::CustomerReply)
            || self
                .kit_walk
                .as_ref()
                .is_some_and(|k| k.on_answer() && !k.written)
        {
            return true;
        }
        matches!(self.screen, Screen::Step(_))
            && self
                .form
                .focused()
                .is_some_and(|f| f.takes_typing() && !f.hidden)
    }

    /// What the admin is looking at: the screen and the panel open on it (a toast belongs to
    /// one of these).
    fn view_key(&self) -> (Screen, bool, bool, bool, bool, Option<usize>) {
        (
            self.screen,
            self.editing.is_some(),
            self.saml_check.is_some(),
            self.graph.planned.is_some(),
            self.prepare_plan.is_some(),
            // A kit's pages are views of their own.
            self.kit_walk.as_ref().map(|k| k.page),
        )
    }
}

/// The state machine. A toast (`notice`) belongs to the view it was raised on: when a
/// message moves the admin to another screen (or opens or closes a panel on it), the toast
/// goes, unless that message raised it about the view it leads to.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    let view_before = m.view_key();
    let toast = m.notice.take();
    let cmds = dispatch(m, msg);
    if m.notice.is_none() && m.view_key() == view_before {
        m.notice = toast;
    }
    cmds
}

fn dispatch(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Resize(width, height) => {
            m.size = (width, height);
            steps::clamp_scroll(m);
            Vec::new()
        }
        Msg::Tick => {
            m.tick = m.tick.wrapping_add(1);
            domain::probe_when_due(m)
        }
        Msg::Copied(text) => {
            m.notice = Some(text);
            Vec::new()
        }
        Msg::Locked(result) => welcome::locked(m, result),
        Msg::Rows(rows) => {
            match rows {
                Ok(rows) => welcome::back_to_welcome(m, rows),
                Err(why) => {
                    welcome::back_to_welcome(m, Vec::new());
                    m.message = vec![why];
                }
            }
            Vec::new()
        }
        Msg::Task(done) => task(m, done),
        Msg::DomainProbed(prefix, result) => {
            domain::domain_probed(m, prefix, result);
            Vec::new()
        }
        Msg::Paste(text) => {
            if let Some(edit) = m.editing.as_mut() {
                if edit.paste(&text)
                    && let Some(f) = edit.fields.first_mut()
                {
                    f.error = None;
                }
            } else if matches!(m.screen, Screen::Naming(_) | Screen::Step(_)) && m.form.paste(&text)
            {
                steps::on_edit(m);
            } else if m.screen == Screen::CustomerReply && m.form.paste(&text) {
                super::customer_reply::edited(m);
            } else if m.kit_walk.as_ref().is_some_and(|k| k.on_answer()) && m.form.paste(&text) {
                super::kit_walk::edited(m);
            }
            Vec::new()
        }
        Msg::Key(key) => on_key(m, key),
    }
}

/// Quitting keeps what was typed on the step when it passes the rules as typed (a resumed
/// session shows it again); nothing runs, and the step is not marked done.
fn keep_typed_answers(m: &mut Model) {
    let Screen::Step(step) = m.screen else { return };
    if m.form.fields.is_empty() || m.busy.is_some() {
        return;
    }
    steps::judge_fields(&mut m.form, step, false);
    if m.form.has_errors() {
        return;
    }
    if let Some(state) = m.state.as_mut() {
        let _ = commit(step, &m.form, &mut m.found, state, &mut m.secret);
    }
}

fn on_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // Anywhere: Ctrl-C stops (saved), Ctrl-Q saves and quits.
    if ctrl && key.code == KeyCode::Char('c') {
        keep_typed_answers(m);
        m.exit = Some(Exit::Interrupted);
        return vec![Cmd::Save];
    }
    if (ctrl && key.code == KeyCode::Char('q')) || (key.code == KeyCode::Char('q') && !m.typing()) {
        keep_typed_answers(m);
        m.exit = Some(if m.screen == Screen::Step(Step::TestHandOver) {
            Exit::Done
        } else {
            Exit::Saved
        });
        if m.screen == Screen::Step(Step::TestHandOver)
            && let Some(s) = m.state.as_mut()
        {
            s.mark_done(&[Step::TestHandOver]);
        }
        return vec![Cmd::Save];
    }
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && !m.typing()) {
        m.help = !m.help;
        return Vec::new();
    }
    // Help open: Esc or ? closes it, and no key reaches the field behind it.
    if m.help {
        if matches!(key.code, KeyCode::Esc | KeyCode::Char('?')) {
            m.help = false;
        }
        return Vec::new();
    }
    if m.busy.is_some() {
        // Esc leaves a wait on a read (listing, reading, checking, planning): its late answer
        // is kept as data and moves nothing. Writes are waited for.
        if key.code == KeyCode::Esc && !m.applying && !m.writing {
            m.busy = None;
        } else {
            return Vec::new();
        }
    }
    match m.screen {
        Screen::Welcome => welcome::welcome_key(m, key),
        Screen::Destroy => destroy::destroy_key(m, key),
        Screen::Import => super::import::key(m, key),
        Screen::Rotate => super::rotate::key(m, key),
        Screen::CustomerReply => super::customer_reply::key(m, key),
        Screen::KitWalk => super::kit_walk::key(m, key),
        Screen::Naming(protocol) => welcome::naming_key(m, protocol, key),
        Screen::Step(step) => steps::key(m, step, key),
    }
}

/// Routes what slow work sent back to the step it belongs to.
fn task(m: &mut Model, done: TaskDone) -> Vec<Cmd> {
    // News from work still going on: the wait goes on.
    let done = match done {
        TaskDone::DeviceCode { uri, code } => return graph::device_code(m, &uri, code),
        TaskDone::BrowserSignIn { url, opened } => return graph::browser_sign_in(m, url, opened),
        TaskDone::EntraObject(record) => return graph::object_made(m, record),
        TaskDone::Waiting(text) => {
            // The work's own words stay; the wait is told after them.
            if let Some(busy) = m.busy.as_mut() {
                let work = busy.split(" — ").next().unwrap_or_default().to_string();
                *busy = format!("{work} — {text}");
            }
            return Vec::new();
        }
        other => other,
    };
    // Whether the screen still waits for this answer: after Esc it does not, and the answer
    // is kept as data without moving the admin anywhere.
    let awaited = m.busy.take().is_some();
    m.writing = false;
    match done {
        TaskDone::Pools(listed) => answers::pools_listed(m, listed, awaited),
        TaskDone::Pool(read) => answers::pool_read(m, read, awaited),
        TaskDone::Domain(prefix, owner) if awaited => domain::checked(m, &prefix, &owner),
        TaskDone::PreparePlanned(planned) if awaited => provider::planned(m, planned),
        TaskDone::PrepareStale(now) => provider::stale(m, now),
        TaskDone::Prepared(prepared) => provider::prepared(m, prepared),
        TaskDone::Metadata(report) => back_from_entra::metadata_checked(m, &report, awaited),
        TaskDone::Tenant(report) => back_from_entra::tenant_checked(m, &report, awaited),
        TaskDone::EntraPlanned(planned) if awaited => graph::planned(m, *planned),
        TaskDone::EntraMade(made) => graph::made(m, *made),
        TaskDone::EntraFinished(finished) => graph::finished(m, *finished),
        TaskDone::Planned(planned) if awaited => review::planned(m, planned),
        TaskDone::ApplyStep(i, ids) => review::step_applied(m, i, &ids),
        TaskDone::Stale(now) => review::stale(m, now),
        TaskDone::Applied(applied) => review::applied(m, applied),
        TaskDone::TeardownPlanned(planned) if awaited => destroy::planned(m, planned),
        TaskDone::Removed(i, id) => destroy::removed(m, i, id),
        TaskDone::TornDown(result) => destroy::torn_down(m, result),
        TaskDone::ImportRead(result) if awaited => super::import::read(m, *result),
        TaskDone::ImportSaved(result) if awaited => super::import::saved(m, result),
        TaskDone::RotatePlanned(result) if awaited => super::rotate::planned(m, result),
        // A rotation's outcome is shown whether or not it was waited for: it wrote.
        TaskDone::Rotated(result) => super::rotate::done(m, result),
        TaskDone::ReplyChecked(result) => super::customer_reply::checked(m, *result, awaited),
        TaskDone::KitAnswerChecked(result) => super::kit_walk::checked(m, *result, awaited),
        TaskDone::ReplyWritten(result) => super::kit_walk::written(m, result),
        TaskDone::SamlChecked(result) => handover::saml_checked(m, *result),
        TaskDone::Crashed(advice) => {
            m.message = advice.lines().map(str::to_string).collect();
            Vec::new()
        }
        // A late answer to a wait the admin left (Esc): the review plans again on arrival,
        // and the others are asked again by the key that asked them.
        TaskDone::Domain(..)
        | TaskDone::PreparePlanned(_)
        | TaskDone::EntraPlanned(_)
        | TaskDone::Planned(_)
        | TaskDone::TeardownPlanned(_)
        | TaskDone::ImportRead(_)
        | TaskDone::ImportSaved(_)
        | TaskDone::RotatePlanned(_) => Vec::new(),
        // The news was handled above.
        TaskDone::DeviceCode { .. }
        | TaskDone::BrowserSignIn { .. }
        | TaskDone::EntraObject(_)
        | TaskDone::Waiting(_) => Vec::new(),
    }
}
