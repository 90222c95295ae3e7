//! The wizard's model, messages and `update`: The Elm Architecture. `update` is the state
//! machine over the core's journey; it never does I/O. What needs the outside world (saving,
//! copying, AWS, HTTP) comes back as `Cmd`s for the runtime, whose answers return as `Msg`s.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use cognito_entra::cognito::apply::Ids;
use cognito_entra::cognito::certs::ForEntra;
use cognito_entra::engine;
use cognito_entra::entra::Finding;
use cognito_entra::entra::discovery;
use cognito_entra::entra::metadata;
use cognito_entra::entra_graph;
use cognito_entra::journey::questions::PoolRead;
use cognito_entra::journey::questions::{
    self, AccountRead, Found, Work, commit, commit_mapping, mapping_problem, mapping_questions,
    mapping_unfinished, problem, problem_on_confirm, setup_name_problem, setup_name_question,
    shown,
};
use cognito_entra::journey::{Step, entra_checklist, finish_checklist, next_step, portal_values};
use cognito_entra::plan::Plan;
use cognito_entra::resolve::{self, Chosen};
use cognito_entra::results;
use cognito_entra::saml_response::Decoded;
use cognito_entra::setup::{Protocol, Setup, Values, derive};
use cognito_entra::state::{GraphRecord, State};
use cognito_entra::teardown::Teardown;

use super::form::{Form, Note};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineState {
    Pending,
    Running,
    Done,
    Failed,
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

/// The live availability check of the domain prefix: it waits for typing to pause, then asks
/// Cognito once per prefix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DomainProbe {
    #[default]
    Idle,
    /// Asks at tick `due` unless the prefix changes first.
    Waiting {
        prefix: String,
        due: usize,
    },
    Checking(String),
    /// Cognito's answer for this prefix: free (or this pool's own), or why not.
    Known {
        prefix: String,
        usable: bool,
    },
}

/// Ticks (of 120 ms) of no typing before the prefix is checked.
const PROBE_PAUSE_TICKS: usize = 3;

pub struct Model {
    pub screen: Screen,
    pub rows: Vec<Row>,
    pub selected: usize,
    pub state: Option<State>,
    pub form: Form,
    pub busy: Option<String>,
    pub tick: usize,
    pub notice: Option<String>,
    /// Advice or problems under the step.
    pub message: Vec<String>,
    /// What the journey's questions offer: profiles, pools, clients, the pool's domain.
    pub found: Found,
    pub domain_probe: DomainProbe,
    pub findings: Vec<Finding>,
    pub facts: Vec<cognito_entra::entra::Fact>,
    /// The Entra answers on the form were checked and are usable.
    pub entra_ok: bool,
    pub plan: Option<Plan>,
    pub review_choice: usize,
    /// How far the plan is scrolled.
    pub scroll: u16,
    pub apply_lines: Vec<(String, LineState)>,
    pub apply_error: Option<engine::Error>,
    pub applying: bool,
    /// What the Provider step will create, shown for confirmation.
    pub prepare_plan: Option<Plan>,
    /// The teardown of the setup being destroyed, and the removals done so far.
    pub teardown: Option<Teardown>,
    pub removed: usize,
    /// The setup was opened to be destroyed, not resumed.
    pub destroying: bool,
    /// Creating the pool, domain and client (the Provider step's work): no Esc out of it.
    pub writing: bool,
    /// The last pasted SAML response, as decode-saml would report it.
    pub saml_check: Option<Result<Decoded, String>>,
    /// The OIDC client secret: memory only, never saved.
    pub secret: Option<String>,
    /// Signed in to Entra through Graph, its plan shown for confirmation (memory only).
    pub entra_session: Option<entra_graph::Session>,
    /// Entra changes waiting for certificates Cognito makes when its side is applied.
    pub entra_waiting: Option<Box<entra_graph::Session>>,
    /// The Graph sign-in of this setup's run, kept for every later "do it for me" (memory
    /// only; gone with the setup when the admin goes back to the list).
    pub signed_in: Option<Box<entra_graph::Session>>,
    /// The secret in memory was made by Graph: never revealed.
    pub secret_from_graph: bool,
    pub reveal: bool,
    pub list_selected: usize,
    /// What was typed on a step and not confirmed, kept when the admin goes back (Esc) and
    /// put back on arrival.
    pub drafts: std::collections::HashMap<Step, Form>,
    pub editing: Option<Form>,
    pub help: bool,
    pub exit: Option<Exit>,
    pub color: bool,
    pub authority: String,
    /// The terminal's columns and rows (0×0 until the runtime says).
    pub size: (u16, u16),
    /// The import screen's own state, while it is open.
    pub import: Option<super::import::ImportScreen>,
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
            findings: Vec::new(),
            facts: Vec::new(),
            entra_ok: false,
            plan: None,
            review_choice: 0,
            scroll: 0,
            apply_lines: Vec::new(),
            apply_error: None,
            applying: false,
            prepare_plan: None,
            entra_session: None,
            entra_waiting: None,
            signed_in: None,
            secret_from_graph: false,
            teardown: None,
            import: None,
            removed: 0,
            destroying: false,
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

    fn setup_mut(&mut self) -> Option<&mut Setup> {
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
        if self.editing.is_some() || matches!(self.screen, Screen::Naming(_)) {
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
    fn view_key(&self) -> (Screen, bool, bool, bool, bool) {
        (
            self.screen,
            self.editing.is_some(),
            self.saml_check.is_some(),
            self.entra_session.is_some(),
            self.prepare_plan.is_some(),
        )
    }

    /// The keys that work on this screen, for the key bar. One rule on every screen: it ends
    /// with Esc where Esc works, then F1 help and Ctrl-Q quit, which work everywhere (`?` and
    /// `q` work too where no field takes typing, as the help says, but the bar shows the
    /// keys that always work).
    pub fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let (mut keys, esc) = self.screen_keys();
        if let Some(esc) = esc {
            keys.push(("Esc", esc));
        }
        keys.push(HELP_KEY);
        keys.push(QUIT_KEY);
        keys
    }

    /// The screen's own keys, and what Esc does there (`None`: nothing).
    fn screen_keys(&self) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
        match self.screen {
            Screen::Welcome if self.selected < self.rows.len() => (
                vec![
                    ("↑↓", "move"),
                    ("Enter", "resume"),
                    ("d", "destroy"),
                    ("i", "import"),
                ],
                None,
            ),
            Screen::Welcome => (
                vec![("↑↓", "move"), ("Enter", "choose"), ("i", "import")],
                None,
            ),
            Screen::Import => match &self.import {
                Some(screen) => super::import::keys(screen),
                None => (Vec::new(), None),
            },
            Screen::Naming(_) => (vec![("Enter", "start")], Some("back")),
            Screen::Destroy
                if self.removed == 0
                    && self
                        .teardown
                        .as_ref()
                        .is_some_and(|t| !t.removals.is_empty()) =>
            {
                (vec![("Enter", "remove")], Some("keep it"))
            }
            // Removing is waited for: Esc does nothing then.
            Screen::Destroy if self.applying => (Vec::new(), None),
            Screen::Destroy => (
                vec![("Enter", "back to the list")],
                Some("back to the list"),
            ),
            Screen::Step(step) => self.step_keys(step),
        }
    }

    fn step_keys(&self, step: Step) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
        if step == Step::Provider && self.prepare_plan.is_some() {
            return (vec![("Enter", "create")], Some("back to answers"));
        }
        if matches!(step, Step::EntraPortal | Step::FinishInEntra) && self.entra_session.is_some() {
            return (vec![("↑↓", "scroll"), ("Enter", "make")], Some("cancel"));
        }
        if matches!(step, Step::EntraPortal | Step::FinishInEntra)
            && self.busy.is_some()
            && !self.writing
        {
            return (Vec::new(), Some("cancel the sign-in"));
        }
        let mut keys = Vec::new();
        match step {
            Step::EntraPortal if self.editing.is_some() => {
                return (vec![("Enter", "sign in")], Some("cancel"));
            }
            Step::EntraPortal => {
                let values = match (self.setup(), self.values()) {
                    (Some(setup), Some(values)) => portal_values(setup, &values).len(),
                    _ => 0,
                };
                if let Some(range) = copy_range(values) {
                    keys.push((range, "copy"));
                }
                keys.push(("↑↓ Space", "tick"));
                keys.push(("Enter", "next"));
            }
            Step::AttributeMapping if self.editing.is_some() => {
                return (vec![("Enter", "keep")], Some("cancel"));
            }
            Step::AttributeMapping => {
                keys.push(("↑↓", "move"));
                keys.push(("e", "edit"));
                keys.push(("a", "add"));
                keys.push(("d", "delete"));
                keys.push(("Enter", "next"));
            }
            Step::ReviewApply if self.apply_error.is_some() => {
                keys.push(("r", "retry"));
            }
            Step::ReviewApply => {
                keys.push(("↑↓", "scroll"));
                keys.push(("←→", "choose"));
                keys.push(("Enter", "confirm"));
            }
            Step::FinishInEntra => {
                if self
                    .state
                    .as_ref()
                    .is_some_and(cognito_entra::journey::certificates_left_for_graph)
                {
                    keys.push(("g", "hand over by Graph"));
                }
                keys.push(("↑↓ Space", "tick"));
                keys.push(("PgUp/PgDn", "scroll"));
                keys.push(("Enter", "next"));
            }
            Step::TestHandOver if self.editing.is_some() => {
                return (vec![("Enter", "check")], Some("cancel"));
            }
            Step::TestHandOver if self.saml_check.is_some() => {
                return (
                    vec![("↑↓", "scroll"), ("s", "check another")],
                    Some("close"),
                );
            }
            Step::TestHandOver => {
                keys.push(("1-3", "copy"));
                keys.push(("o", "open"));
                if self.protocol() == Protocol::Saml {
                    keys.push(("s", "check SAML"));
                }
                keys.push(("↑↓", "scroll"));
            }
            Step::BackFromEntra if self.protocol() == Protocol::Saml => {
                keys.push(("Enter", if self.entra_ok { "next" } else { "check" }));
            }
            Step::BackFromEntra => {
                keys.push(("Enter", if self.entra_ok { "next" } else { "check" }));
                if !self.secret_from_graph {
                    keys.push(("Ctrl-R", "reveal secret"));
                }
            }
            _ => {
                keys.push(("Tab", "field"));
                keys.push(("Enter", "next"));
            }
        }
        // A write under way (apply, creating) is waited for: Esc does nothing then.
        let esc = (!self.applying && !self.writing).then_some("back");
        (keys, esc)
    }
}

/// Help, on every screen (F1 works in a text field too, where `?` is a character).
pub const HELP_KEY: (&str, &str) = ("F1", "help");
/// Quit, on every screen (Ctrl-Q works in a text field too, where `q` is a letter); what
/// was done is saved already, so "quit" says all.
pub const QUIT_KEY: (&str, &str) = ("Ctrl-Q", "quit");

/// The number keys that copy `n` values: "1-2" for two ("1-9" would promise seven more).
fn copy_range(n: usize) -> Option<&'static str> {
    const RANGES: [&str; 9] = ["1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "1-8", "1-9"];
    n.checked_sub(1).and_then(|i| RANGES.get(i)).copied()
}

/// Shows and hides the step's fields as the journey says, and puts each shown field's
/// problem under it (`confirming`: the step is being confirmed, so what may stay empty while
/// typing must be given now).
fn judge_fields(form: &mut Form, step: Step, confirming: bool) {
    let judged: Vec<(bool, Option<String>)> = form
        .fields
        .iter()
        .map(|f| {
            let visible = shown(step, f.key, form);
            let error = if !visible || (!confirming && f.value().is_empty()) {
                // An empty field is not wrong until the step is confirmed.
                None
            } else if confirming {
                problem_on_confirm(step, f.key, f.required.as_deref(), form)
            } else {
                problem(step, f.key, form)
            };
            (visible, error)
        })
        .collect();
    for (f, (visible, error)) in form.fields.iter_mut().zip(judged) {
        f.hidden = !visible;
        f.error = error;
        // A choice whose filter matches nothing has no answer: Enter takes nothing.
        if visible && confirming && f.no_match() {
            f.error = Some(questions::no_match(&f.label, &f.filter));
        }
    }
}

/// Marks the current step done, moves on and says what to do on arrival.
fn advance(m: &mut Model, step: Step) -> Vec<Cmd> {
    if let Some(state) = m.state.as_mut() {
        state.mark_done(&[step]);
    }
    let next = Step::ALL
        .iter()
        .copied()
        .find(|s| s.number() == step.number() + 1)
        .unwrap_or(Step::TestHandOver);
    let mut cmds = vec![Cmd::Save];
    cmds.extend(enter(m, next));
    cmds
}

/// Arrives at a step: builds its form from the answers, and asks for what it needs.
pub fn enter(m: &mut Model, step: Step) -> Vec<Cmd> {
    m.screen = Screen::Step(step);
    m.message.clear();
    m.notice = None;
    m.list_selected = 0;
    m.editing = None;
    m.help = false;
    m.domain_probe = DomainProbe::Idle;
    m.saml_check = None;
    m.prepare_plan = None;
    m.scroll = 0;
    let Some(state) = m.state.as_ref() else {
        return Vec::new();
    };
    {
        m.form = Form::asking(questions::questions(
            step,
            state,
            &m.found,
            m.secret.as_deref(),
        ));
    }
    if step == Step::Protocol {
        m.screen = Screen::Step(Step::AwsAccount);
    }
    if let Some(draft) = m.drafts.get(&step) {
        m.form.keep_typed(draft);
    }
    if step == Step::BackFromEntra {
        m.entra_ok = false;
        m.findings.clear();
        m.facts.clear();
    }
    validate_form(m);
    let before = m
        .state
        .as_ref()
        .and_then(|state| questions::work_before(step, state, &m.found));
    match (step, before) {
        (_, Some(work)) => {
            m.busy = Some(work.busy_text());
            match work {
                Work::ListPools => vec![Cmd::LoadPools],
                Work::ReadPool(id) => vec![Cmd::LoadPool(id)],
                _ => Vec::new(),
            }
        }
        (Step::ReviewApply, None) => {
            m.plan = None;
            m.apply_lines.clear();
            m.apply_error = None;
            m.review_choice = 0;
            m.scroll = 0;
            m.busy = Some("Planning: reading the account and checking Entra…".into());
            vec![Cmd::Plan]
        }
        _ => Vec::new(),
    }
}

/// Checks the form as the admin types; errors appear under their fields. The rules are the
/// journey's, one per question.
fn validate_form(m: &mut Model) {
    let Screen::Step(step) = m.screen else { return };
    judge_fields(&mut m.form, step, false);
    if step == Step::Domain {
        schedule_domain_probe(m);
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
            clamp_scroll(m);
            Vec::new()
        }
        Msg::Tick => {
            m.tick = m.tick.wrapping_add(1);
            probe_when_due(m)
        }
        Msg::Copied(text) => {
            m.notice = Some(text);
            Vec::new()
        }
        Msg::Locked(result) => locked(m, result),
        Msg::Rows(rows) => {
            match rows {
                Ok(rows) => back_to_welcome(m, rows),
                Err(why) => {
                    back_to_welcome(m, Vec::new());
                    m.message = vec![why];
                }
            }
            Vec::new()
        }
        Msg::Task(done) => task(m, done),
        Msg::DomainProbed(prefix, result) => {
            domain_probed(m, prefix, result);
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
                on_edit(m);
            }
            Vec::new()
        }
        Msg::Key(key) => on_key(m, key),
    }
}

fn on_edit(m: &mut Model) {
    // What Enter said ("fix the fields marked ✗") is about the answers before this edit.
    if matches!(m.screen, Screen::Step(_)) {
        m.message.clear();
    }
    if matches!(m.screen, Screen::Step(Step::BackFromEntra)) {
        // What the check said is about the answer before this edit: it goes with it.
        m.entra_ok = false;
        m.findings.clear();
        m.facts.clear();
        m.message.clear();
    }
    if let Screen::Naming(_) = m.screen {
        let taken: Vec<String> = m.rows.iter().map(|r| r.name.clone()).collect();
        let name = m.form.value("name");
        if let Some(f) = m.form.get_mut("name") {
            f.error = setup_name_problem(&name, &taken);
        }
    } else {
        validate_form(m);
    }
}

/// Quitting keeps what was typed on the step when it passes the rules as typed (a resumed
/// session shows it again); nothing runs, and the step is not marked done.
fn keep_typed_answers(m: &mut Model) {
    let Screen::Step(step) = m.screen else { return };
    if m.form.fields.is_empty() || m.busy.is_some() {
        return;
    }
    judge_fields(&mut m.form, step, false);
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
        Screen::Welcome => welcome_key(m, key),
        Screen::Destroy => destroy_key(m, key),
        Screen::Import => super::import::key(m, key),
        Screen::Naming(protocol) => match key.code {
            KeyCode::Esc => {
                m.screen = Screen::Welcome;
                Vec::new()
            }
            KeyCode::Enter => {
                on_edit(m);
                if m.form.has_errors() {
                    return Vec::new();
                }
                vec![Cmd::Lock {
                    name: m.form.value("name"),
                    protocol: Some(protocol),
                }]
            }
            _ => {
                if m.form.handle_key(key) {
                    on_edit(m);
                }
                Vec::new()
            }
        },
        Screen::Step(step) => step_key(m, step, key),
    }
}

/// The destroy screen: Enter removes exactly the plan shown, Esc leaves the setup as it is.
fn destroy_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => vec![Cmd::Release],
        KeyCode::Enter => match m.teardown.clone() {
            Some(t) if !t.removals.is_empty() && m.removed == 0 => {
                m.busy = Some("Removing…".into());
                m.applying = true;
                vec![Cmd::Teardown(t)]
            }
            _ => vec![Cmd::Release],
        },
        _ => Vec::new(),
    }
}

fn welcome_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let n = m.welcome_len();
    match key.code {
        KeyCode::Char('i') => return super::import::open(m),
        KeyCode::Char('d') if m.selected < m.rows.len() => {
            m.destroying = true;
            return vec![Cmd::Lock {
                name: m.rows[m.selected].name.clone(),
                protocol: None,
            }];
        }
        KeyCode::Up => m.selected = (m.selected + n - 1) % n,
        KeyCode::Down | KeyCode::Tab => m.selected = (m.selected + 1) % n,
        KeyCode::Enter => {
            if m.selected < m.rows.len() {
                return vec![Cmd::Lock {
                    name: m.rows[m.selected].name.clone(),
                    protocol: None,
                }];
            }
            let protocol = if m.selected == m.rows.len() {
                Protocol::Saml
            } else {
                Protocol::Oidc
            };
            let taken: Vec<String> = m.rows.iter().map(|r| r.name.clone()).collect();
            m.screen = Screen::Naming(protocol);
            m.form = Form::asking(vec![setup_name_question(protocol, &taken)]);
            m.message.clear();
        }
        _ => {}
    }
    Vec::new()
}

fn locked(m: &mut Model, result: Result<Box<State>, String>) -> Vec<Cmd> {
    match result {
        Err(why) => {
            m.screen = Screen::Welcome;
            m.message = vec![why];
            Vec::new()
        }
        Ok(state) if m.destroying => {
            m.state = Some(*state);
            m.screen = Screen::Destroy;
            m.teardown = None;
            m.removed = 0;
            m.message.clear();
            m.busy = Some("Reading what this setup has in Cognito…".into());
            vec![Cmd::PlanTeardown]
        }
        Ok(state) => {
            let step = next_step(&state.progress.steps_done).unwrap_or(Step::TestHandOver);
            m.state = Some(*state);
            let mut cmds = vec![Cmd::Save];
            cmds.extend(enter(m, step));
            cmds
        }
    }
}

/// The welcome screen again, with the setup just left selected; nothing of it stays in memory
/// (its secret included) but the admin's terminal settings.
fn back_to_welcome(m: &mut Model, rows: Vec<Row>) {
    let left = m.setup().map(|s| s.name.clone());
    let mut fresh = Model::new(rows, &m.authority);
    fresh.color = m.color;
    fresh.found = Found::new(
        std::mem::take(&mut m.found.profiles),
        m.found.profile.clone(),
        m.found.region.clone(),
    );
    fresh.tick = m.tick;
    fresh.size = m.size;
    if let Some(i) = left.and_then(|name| fresh.rows.iter().position(|r| r.name == name)) {
        fresh.selected = i;
    }
    *m = fresh;
}

fn previous(step: Step) -> Option<Step> {
    Step::ALL
        .iter()
        .copied()
        .rev()
        .find(|s| s.number() < step.number() && *s != Step::Protocol)
}

fn step_key(m: &mut Model, step: Step, key: KeyEvent) -> Vec<Cmd> {
    if step == Step::Provider && m.prepare_plan.is_some() {
        return prepare_key(m, key);
    }
    if matches!(step, Step::EntraPortal | Step::FinishInEntra) && m.entra_session.is_some() {
        return entra_session_key(m, key);
    }
    if step == Step::EntraPortal && m.editing.is_some() {
        return assign_key(m, key);
    }
    if step == Step::EntraPortal && m.busy.is_some() && key.code == KeyCode::Esc {
        // Waiting for the sign-in: Esc stops waiting (its answer is then ignored); while
        // Graph makes the application, the step stays until it is done.
        if !m.writing {
            m.busy = None;
            m.notice = Some("Sign-in cancelled: nothing was made in Entra".into());
        }
        return Vec::new();
    }
    if key.code == KeyCode::Esc && m.editing.is_none() {
        // Back a step, answers kept; from the first step, back to the list of setups.
        if m.applying {
            return Vec::new();
        }
        if m.saml_check.take().is_some() {
            m.scroll = 0;
            return Vec::new();
        }
        if !m.form.fields.is_empty() {
            m.drafts.insert(step, m.form.clone());
        }
        return match previous(step) {
            Some(p) => {
                let mut cmds = vec![Cmd::Save];
                cmds.extend(enter(m, p));
                cmds
            }
            None => vec![Cmd::Save, Cmd::Release],
        };
    }
    match step {
        Step::EntraPortal => checklist_key(m, key, step),
        Step::FinishInEntra => checklist_key(m, key, step),
        Step::AttributeMapping => mapping_key(m, key),
        Step::ReviewApply => review_key(m, key),
        Step::TestHandOver => handover_key(m, key),
        _ => form_step_key(m, step, key),
    }
}

/// The Provider step's confirmation: Enter creates exactly what is shown, Esc goes back to
/// the answers (nothing created).
fn prepare_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Enter => match m.prepare_plan.take() {
            Some(plan) => create_prepared(m, plan),
            None => Vec::new(),
        },
        KeyCode::Esc => {
            m.prepare_plan = None;
            m.message.clear();
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn create_prepared(m: &mut Model, plan: Plan) -> Vec<Cmd> {
    m.busy = Some(Work::Prepare.busy_text());
    m.writing = true;
    vec![Cmd::Prepare(plan)]
}

fn form_step_key(m: &mut Model, step: Step, key: KeyEvent) -> Vec<Cmd> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if step == Step::BackFromEntra && ctrl && key.code == KeyCode::Char('r') {
        // A secret Graph made goes to Cognito unseen, as its plan said.
        if m.secret_from_graph {
            m.notice = Some("! the secret Graph made is never shown".into());
        } else {
            m.reveal = !m.reveal;
        }
        return Vec::new();
    }
    if key.code != KeyCode::Enter {
        if m.form.handle_key(key) {
            on_edit(m);
        }
        return Vec::new();
    }
    // Checked Entra answers, unchanged since: Enter goes on.
    if step == Step::BackFromEntra && m.entra_ok {
        return advance(m, step);
    }
    judge_fields(&mut m.form, step, true);
    if m.form.has_errors() {
        // The cursor goes where the problem is said: under the first field marked ✗.
        m.form.focus_first_error();
        m.message = vec!["Fix the fields marked ✗ first.".into()];
        return Vec::new();
    }
    m.message.clear();
    let Some(state) = m.state.as_mut() else {
        return Vec::new();
    };
    m.drafts.remove(&step);
    let work = commit(step, &m.form, &mut m.found, state, &mut m.secret);
    match work {
        Work::Done => advance(m, step),
        // The live probe already found this prefix usable: no second question to Cognito.
        Work::CheckDomain(prefix)
            if m.domain_probe
                == (DomainProbe::Known {
                    prefix: prefix.clone(),
                    usable: true,
                }) =>
        {
            advance(m, step)
        }
        work => {
            m.busy = Some(work.busy_text());
            m.writing = false;
            let cmd = match work {
                Work::ListPools => Cmd::LoadPools,
                Work::ReadPool(id) => Cmd::LoadPool(id),
                Work::CheckDomain(prefix) => Cmd::CheckDomain(prefix),
                Work::Prepare => Cmd::PlanPrepare,
                Work::CheckMetadata(source) => Cmd::CheckMetadata { source },
                Work::CheckTenant(tenant) => Cmd::CheckTenant(tenant),
                Work::Done => return advance(m, step),
            };
            vec![Cmd::Save, cmd]
        }
    }
}

/// After the prefix changed: forget what was known of the old one and wait for a pause.
fn schedule_domain_probe(m: &mut Model) {
    let Some(field) = m.form.get("prefix").filter(|f| !f.hidden) else {
        return;
    };
    let prefix = field.value();
    let valid = field.error.is_none() && !prefix.is_empty();
    let same = match &m.domain_probe {
        DomainProbe::Idle => false,
        DomainProbe::Waiting { prefix: p, .. }
        | DomainProbe::Checking(p)
        | DomainProbe::Known { prefix: p, .. } => *p == prefix,
    };
    if same {
        return;
    }
    if let Some(f) = m.form.get_mut("prefix") {
        f.note = None;
    }
    m.domain_probe = if valid {
        DomainProbe::Waiting {
            prefix,
            due: m.tick + PROBE_PAUSE_TICKS,
        }
    } else {
        DomainProbe::Idle
    };
}

fn probe_when_due(m: &mut Model) -> Vec<Cmd> {
    let DomainProbe::Waiting { prefix, due } = &m.domain_probe else {
        return Vec::new();
    };
    if m.tick < *due || m.screen != Screen::Step(Step::Domain) || m.busy.is_some() {
        return Vec::new();
    }
    let prefix = prefix.clone();
    if let Some(f) = m.form.get_mut("prefix") {
        f.note = Some(Note::Checking(format!(
            "checking whether {prefix} is free…"
        )));
    }
    m.domain_probe = DomainProbe::Checking(prefix.clone());
    vec![Cmd::ProbeDomain(prefix)]
}

fn domain_probed(m: &mut Model, prefix: String, result: Result<Option<String>, engine::Error>) {
    if m.domain_probe != DomainProbe::Checking(prefix.clone()) {
        // The admin typed on meanwhile: this answer is about a prefix no longer there.
        return;
    }
    let (usable, said) = domain_verdict(m, &prefix, &result);
    if let Some(f) = m.form.get_mut("prefix") {
        f.note = Some(if usable {
            Note::Good(said)
        } else {
            Note::Bad(said)
        });
    }
    // Enter skips its own check only when this one found the prefix usable.
    m.domain_probe = DomainProbe::Known { prefix, usable };
}

/// The journey's verdict on a domain check, for this setup's pool and region.
fn domain_verdict(
    m: &Model,
    prefix: &str,
    owner: &Result<Option<String>, engine::Error>,
) -> (bool, String) {
    let pool_id = m.state.as_ref().and_then(State::pool_id);
    let region = m.setup().map(|s| s.region.clone()).unwrap_or_default();
    results::domain_verdict(
        prefix,
        &region,
        pool_id,
        owner.as_ref().map(Option::as_deref),
    )
}

/// Scrolls a long text (↑↓ a line, PgUp/PgDn a screenful); whether the key did.
fn scrolled(m: &mut Model, code: KeyCode) -> bool {
    match code {
        KeyCode::Up => m.scroll = m.scroll.saturating_sub(1),
        KeyCode::Down => m.scroll = m.scroll.saturating_add(1),
        KeyCode::PageUp => m.scroll = m.scroll.saturating_sub(10),
        KeyCode::PageDown => m.scroll = m.scroll.saturating_add(10),
        _ => return false,
    }
    clamp_scroll(m);
    true
}

/// A scroll ends at the last row: past it, ↑ would first have to climb back unseen rows.
/// Where the screen's rows are known (the same layout the view draws), the scroll stops there.
fn clamp_scroll(m: &mut Model) {
    if let Some(last) = super::view::last_scroll(m) {
        m.scroll = m.scroll.min(last);
    }
}

/// The Entra step's "do it for me": the plan shown, Enter makes it, Esc lets it go.
fn entra_session_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if scrolled(m, key.code) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Enter => match m.entra_session.take() {
            Some(session) => make_entra(m, session),
            None => Vec::new(),
        },
        KeyCode::Esc => {
            m.entra_session = None;
            m.notice = Some("Cancelled: nothing was made in Entra".into());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn make_entra(m: &mut Model, session: entra_graph::Session) -> Vec<Cmd> {
    m.busy = Some("Making the Entra application through Microsoft Graph…".into());
    m.writing = true;
    vec![Cmd::EntraMake(Box::new(session))]
}

/// What Graph made, in the answers as the admin would have typed it: the app's metadata URL
/// (SAML) or its tenant, client ID and secret (OIDC); the portal's checklist is done.
fn entra_made(m: &mut Model, made: entra_graph::Made) -> Vec<Cmd> {
    let nothing_made = made.changes_made == 0;
    m.entra_waiting = made.waiting.clone();
    let Some(state) = m.state.as_mut() else {
        return Vec::new();
    };
    if let Some(secret) = results::entra_made(state, made, &m.authority) {
        m.secret = Some(secret);
        m.secret_from_graph = true;
        m.reveal = false;
    }
    // Step 11, after a resume: only Cognito's certificates were left to hand over.
    if matches!(m.screen, Screen::Step(Step::FinishInEntra)) {
        m.notice = Some(CERTIFICATES_HANDED_OVER.into());
        return vec![Cmd::Save];
    }
    // What was typed there before is replaced by what Entra gave.
    m.drafts.remove(&Step::BackFromEntra);
    let cmds = advance(m, Step::EntraPortal);
    m.notice = Some(if nothing_made {
        "✓ Entra already holds it: check what it gives".into()
    } else {
        "✓ Made in Entra: check what came back".into()
    });
    cmds
}

/// Said when Cognito's certificates went to Entra through Graph (after the apply, or from
/// step 11).
const CERTIFICATES_HANDED_OVER: &str = "✓ Entra holds Cognito's certificates now";

/// The question before "do it for me" signs in: Enter keeps the answer and signs in.
fn assign_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let Some(edit) = m.editing.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => m.editing = None,
        KeyCode::Enter => {
            let answer = edit.value("assign");
            let kept = match m.state.as_mut() {
                Some(state) => questions::commit_assign(&mut state.answers, &answer),
                None => Ok(()),
            };
            match kept {
                Err(problem) => {
                    if let Some(f) = m.editing.as_mut().and_then(|e| e.fields.first_mut()) {
                        f.error = Some(problem);
                    }
                }
                Ok(()) => {
                    m.editing = None;
                    m.busy = Some("Signing in to Entra…".into());
                    return vec![Cmd::Save, Cmd::EntraSignIn];
                }
            }
        }
        _ => {
            if edit.handle_key(key)
                && let Some(f) = edit.fields.first_mut()
            {
                f.error = None;
            }
        }
    }
    Vec::new()
}

fn checklist_key(m: &mut Model, key: KeyEvent, step: Step) -> Vec<Cmd> {
    let Some(setup) = m.setup().cloned() else {
        return Vec::new();
    };
    let items = if step == Step::EntraPortal {
        entra_checklist(&setup)
    } else {
        finish_checklist(&setup)
    };
    match key.code {
        KeyCode::Up => m.list_selected = m.list_selected.saturating_sub(1),
        KeyCode::PageDown | KeyCode::PageUp => {
            scrolled(m, key.code);
        }
        KeyCode::Down | KeyCode::Tab => {
            m.list_selected = (m.list_selected + 1).min(items.len().saturating_sub(1))
        }
        KeyCode::Char(' ') => {
            if let (Some(item), Some(state)) = (items.get(m.list_selected), m.state.as_mut()) {
                let list = &mut state.progress.checklist;
                match list.iter().position(|i| i == item.id) {
                    Some(pos) => {
                        list.remove(pos);
                    }
                    None => list.push(item.id.to_string()),
                }
                return vec![Cmd::Save];
            }
        }
        KeyCode::Char(c @ '1'..='9') if step == Step::EntraPortal => {
            let index = (c as usize) - ('1' as usize);
            let values = m
                .values()
                .map(|v| portal_values(&setup, &v))
                .unwrap_or_default();
            if let Some(pv) = values.get(index) {
                return match &pv.value {
                    Some(value) => vec![Cmd::Copy {
                        // "Reply URL", not the whole portal label: the notice has one line.
                        what: pv
                            .entra_field
                            .split(" (")
                            .next()
                            .unwrap_or(pv.entra_field)
                            .to_string(),
                        value: value.clone(),
                    }],
                    None => {
                        m.notice = Some(format!("! {} is not known yet", pv.entra_field));
                        Vec::new()
                    }
                };
            }
        }
        // Step 11 after a resume: the certificates Graph could not hand over then.
        KeyCode::Char('g')
            if step == Step::FinishInEntra
                && m.busy.is_none()
                && m.state
                    .as_ref()
                    .is_some_and(cognito_entra::journey::certificates_left_for_graph) =>
        {
            m.message.clear();
            m.busy = Some("Signing in to Entra…".into());
            return vec![Cmd::EntraSignIn];
        }
        KeyCode::Char('g') if step == Step::EntraPortal && m.busy.is_none() => {
            m.message.clear();
            // What the journey asks first (the sign-in asks for what the answer needs).
            if let Some(q) = questions::before_graph_sign_in(&setup) {
                m.notice = None;
                m.editing = Some(Form::asking(vec![q]));
                return Vec::new();
            }
            m.busy = Some("Signing in to Entra…".into());
            return vec![Cmd::EntraSignIn];
        }
        KeyCode::Enter => return advance(m, step),
        _ => {}
    }
    Vec::new()
}

/// The mapping's rows: the answers' mapping plus required attributes not mapped yet.
pub fn mapping_rows(m: &Model) -> Vec<(String, Option<String>)> {
    m.state
        .as_ref()
        .map(questions::mapping_rows)
        .unwrap_or_default()
}

fn mapping_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let rows = mapping_rows(m);
    if let Some(edit) = m.editing.as_mut() {
        match key.code {
            KeyCode::Esc => m.editing = None,
            KeyCode::Enter => {
                if let Some(problem) = mapping_problem(edit) {
                    if let Some(f) = edit.fields.last_mut() {
                        f.error = Some(problem);
                    }
                    return Vec::new();
                }
                if let Some(state) = m.state.as_mut() {
                    commit_mapping(edit, state);
                }
                m.editing = None;
                return vec![Cmd::Save];
            }
            _ => {
                edit.handle_key(key);
            }
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Up => m.list_selected = m.list_selected.saturating_sub(1),
        KeyCode::Down => m.list_selected = (m.list_selected + 1).min(rows.len().saturating_sub(1)),
        KeyCode::Char('e') => {
            if let Some((attr, claim)) = rows.get(m.list_selected) {
                let mut form = Form::asking(mapping_questions(Some(attr), claim.as_deref()));
                if let Some(f) = form.get_mut("attribute") {
                    f.hidden = true;
                }
                form.focus = 1;
                m.editing = Some(form);
            }
        }
        KeyCode::Char('a') => {
            m.editing = Some(Form::asking(mapping_questions(None, None)));
        }
        KeyCode::Char('d') => {
            if let Some((attr, Some(_))) = rows.get(m.list_selected).cloned()
                && let Some(setup) = m.setup_mut()
            {
                let mut mapping = setup.attribute_mapping();
                mapping.remove(&attr);
                setup.provider.attribute_mapping = mapping;
                m.list_selected = m.list_selected.saturating_sub(1);
                return vec![Cmd::Save];
            }
        }
        KeyCode::Enter => {
            if let Some(why) = m.state.as_ref().and_then(mapping_unfinished) {
                m.message = vec![format!("{}. Press e on each to map it.", capitalize(&why))];
                return Vec::new();
            }
            return advance(m, Step::AttributeMapping);
        }
        _ => {}
    }
    Vec::new()
}

fn review_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if m.applying {
        return Vec::new();
    }
    if m.apply_error.is_some() {
        if key.code == KeyCode::Char('r') {
            return start_apply(m);
        }
        return Vec::new();
    }
    if scrolled(m, key.code) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Left => m.review_choice = (m.review_choice + 2) % 3,
        KeyCode::Right | KeyCode::Tab => m.review_choice = (m.review_choice + 1) % 3,
        KeyCode::Enter => match m.review_choice {
            0 if m.plan.is_some() => return start_apply(m),
            1 => {
                let mut cmds = vec![Cmd::Save];
                cmds.extend(enter(m, Step::AttributeMapping));
                return cmds;
            }
            2 => {
                m.exit = Some(Exit::Saved);
                return vec![Cmd::Save];
            }
            _ => {}
        },
        _ => {}
    }
    Vec::new()
}

fn start_apply(m: &mut Model) -> Vec<Cmd> {
    let Some(plan) = &m.plan else {
        return Vec::new();
    };
    m.apply_lines = plan
        .changes
        .iter()
        .map(|c| (c.describe(), LineState::Pending))
        .collect();
    if let Some(first) = m.apply_lines.first_mut() {
        first.1 = LineState::Running;
    }
    m.apply_error = None;
    m.applying = true;
    m.busy = Some(
        plan.changes
            .first()
            .map_or("Writing the certificates…".to_string(), |c| {
                format!("{}…", capitalize(&c.describe()))
            }),
    );
    vec![Cmd::Apply]
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

fn handover_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if let Some(edit) = m.editing.as_mut() {
        match key.code {
            KeyCode::Esc => m.editing = None,
            KeyCode::Enter => {
                let pasted = edit.value("response");
                if pasted.is_empty() {
                    if let Some(f) = edit.fields.first_mut() {
                        f.error = Some(
                            "paste the SAMLResponse value first (bracketed paste, or type it)"
                                .into(),
                        );
                    }
                    return Vec::new();
                }
                m.editing = None;
                m.busy = Some("Reading the SAML response…".into());
                return vec![Cmd::CheckSamlResponse(pasted)];
            }
            _ => {
                if edit.handle_key(key)
                    && let Some(f) = edit.fields.first_mut()
                {
                    f.error = None;
                }
            }
        }
        return Vec::new();
    }
    let (Some(setup), Some(values)) = (m.setup().cloned(), m.values()) else {
        return Vec::new();
    };
    if scrolled(m, key.code) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('s') if setup.protocol == Protocol::Saml => {
            m.saml_check = None;
            m.scroll = 0;
            m.editing = Some(Form::asking(vec![questions::saml_response_question()]));
            Vec::new()
        }
        KeyCode::Char('1') => values.sign_in_url.clone().map_or(Vec::new(), |v| {
            vec![Cmd::Copy {
                what: "Sign-in URL".into(),
                value: v,
            }]
        }),
        KeyCode::Char('2') => vec![Cmd::Copy {
            what: "the values for your app".into(),
            value: cognito_entra::handover::block(&setup, &values),
        }],
        KeyCode::Char('3') => vec![Cmd::Copy {
            what: "the .env snippet".into(),
            value: cognito_entra::handover::env_snippet(&setup, &values),
        }],
        KeyCode::Char('o') => values
            .sign_in_url
            .map_or(Vec::new(), |u| vec![Cmd::Open(u)]),
        _ => Vec::new(),
    }
}

/// After an Entra check: usable answers are saved and the step may go on.
fn entra_checked(m: &mut Model, checked: results::EntraChecked) -> Vec<Cmd> {
    m.findings = checked.findings;
    m.facts = checked.facts;
    m.entra_ok = checked.usable;
    if m.entra_ok {
        m.message = vec!["✓ Usable. Enter to go on.".into()];
        vec![Cmd::Save]
    } else {
        Vec::new()
    }
}

fn task(m: &mut Model, done: TaskDone) -> Vec<Cmd> {
    // News from work still going on: the wait goes on.
    let done = match done {
        TaskDone::DeviceCode { uri, code } => {
            // Where the wait is shown: the admin signs in meanwhile, in any browser (the code
            // is copied too; one not used in time ends the wait with what to do).
            let at = uri.trim_start_matches("https://");
            m.busy = Some(format!("Sign in at {at}, code {code}"));
            return vec![Cmd::Copy {
                what: "Sign-in code".into(),
                value: code,
            }];
        }
        TaskDone::BrowserSignIn { url, opened } => {
            // Nothing is printed over the screen: the wait is said on the busy line (one
            // short row), and the long address goes to the clipboard (its toast says whether
            // it got there); the browser must be on this machine (it comes back to localhost).
            m.busy = Some(
                if opened {
                    "Sign in in the browser that opened"
                } else {
                    "No browser could start: open the sign-in address here"
                }
                .to_string(),
            );
            return vec![Cmd::Copy {
                what: "Sign-in address".into(),
                value: url,
            }];
        }
        TaskDone::EntraObject(record) => {
            if let Some(state) = m.state.as_mut() {
                state.entra.graph = Some(record);
            }
            return vec![Cmd::Save];
        }
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
        TaskDone::Pools(Ok(pools)) => {
            results::pools_listed(&mut m.found, pools);
            if !awaited {
                return Vec::new();
            }
            match m.screen {
                Screen::Step(Step::AwsAccount) => advance(m, Step::AwsAccount),
                Screen::Step(Step::UserPool) => enter(m, Step::UserPool),
                _ => Vec::new(),
            }
        }
        TaskDone::Pools(Err(_)) | TaskDone::Pool(Err(_)) if !awaited => Vec::new(),
        TaskDone::Pools(Err(e)) | TaskDone::Pool(Err(e)) | TaskDone::Prepared(Err(e)) => {
            m.message = e.to_string().lines().map(str::to_string).collect();
            Vec::new()
        }
        TaskDone::Crashed(advice) => {
            m.message = advice.lines().map(str::to_string).collect();
            Vec::new()
        }
        TaskDone::DeviceCode { .. }
        | TaskDone::BrowserSignIn { .. }
        | TaskDone::EntraObject(_)
        | TaskDone::Waiting(_) => Vec::new(),
        TaskDone::EntraPlanned(_) if !awaited => Vec::new(),
        TaskDone::EntraPlanned(planned) => {
            // The sign-in is kept for every later "do it for me" of this setup (memory only).
            if let Ok(session) = planned.as_ref() {
                m.signed_in = Some(Box::new(session.clone()));
            }
            match *planned {
                Err(e) => {
                    m.message = e.to_string().lines().map(|l| format!("✗ {l}")).collect();
                    Vec::new()
                }
                // Nothing to change in Entra: what it gives Cognito is read at once.
                Ok(session) if session.changes.is_empty() => make_entra(m, session),
                Ok(session) => {
                    m.message.clear();
                    m.notice = None;
                    m.scroll = 0;
                    m.entra_session = Some(session);
                    Vec::new()
                }
            }
        }
        TaskDone::EntraFinished(finished) => {
            m.writing = false;
            match *finished {
                Ok(_) => {
                    if let Some(state) = m.state.as_mut() {
                        results::entra_finished(state);
                    }
                    m.notice = Some(CERTIFICATES_HANDED_OVER.into());
                    vec![Cmd::Save]
                }
                Err(e) => {
                    m.message = e.to_string().lines().map(|l| format!("✗ {l}")).collect();
                    m.message.push(
                        "Cognito's side is applied. Do the certificate steps below in the portal, or press g on the Entra step later.".into(),
                    );
                    Vec::new()
                }
            }
        }
        TaskDone::EntraMade(made) => match *made {
            Err(e) => {
                m.message = e.to_string().lines().map(|l| format!("✗ {l}")).collect();
                m.message
                    .push("What was made is recorded: press g to finish it.".into());
                Vec::new()
            }
            Ok(made) => entra_made(m, made),
        },
        TaskDone::Pool(Ok(read)) => {
            if let Some(state) = m.state.as_mut() {
                results::pool_read(state, &mut m.found, read);
            }
            if !awaited {
                return Vec::new();
            }
            match m.screen {
                Screen::Step(Step::UserPool) => advance(m, Step::UserPool),
                Screen::Step(step) => enter(m, step),
                _ => Vec::new(),
            }
        }
        TaskDone::Domain(..) if !awaited => Vec::new(),
        TaskDone::Domain(prefix, result) => {
            let (usable, said) = domain_verdict(m, &prefix, &result);
            if usable {
                advance(m, Step::Domain)
            } else {
                m.message = vec![format!("{said}.")];
                Vec::new()
            }
        }
        TaskDone::PreparePlanned(_) if !awaited => Vec::new(),
        TaskDone::PreparePlanned(Err(e)) => {
            m.message = e.to_string().lines().map(str::to_string).collect();
            Vec::new()
        }
        // Nothing to create (all of it exists): on at once.
        TaskDone::PreparePlanned(Ok(plan)) if plan.changes.is_empty() => create_prepared(m, plan),
        TaskDone::PreparePlanned(Ok(plan)) => {
            m.prepare_plan = Some(plan);
            Vec::new()
        }
        TaskDone::PrepareStale(now) => {
            m.message = vec![
                "! The account changed since you confirmed: nothing was created. This is what would be created now."
                    .into(),
            ];
            if now.changes.is_empty() {
                return create_prepared(m, now);
            }
            m.prepare_plan = Some(now);
            Vec::new()
        }
        TaskDone::Prepared(Ok(prepared)) => {
            if let Some(state) = m.state.as_mut() {
                results::prepared(state, &prepared);
            }
            let cmds = advance(m, Step::Provider);
            m.notice = Some("✓ The pool, domain and app client are in place".into());
            cmds
        }
        TaskDone::Metadata(report) => {
            let Some(state) = m.state.as_mut() else {
                return Vec::new();
            };
            let checked =
                results::metadata_checked(state, &report, time::OffsetDateTime::now_utc());
            if !awaited {
                return vec![Cmd::Save];
            }
            entra_checked(m, checked)
        }
        TaskDone::Tenant(report) => {
            let Some(state) = m.state.as_mut() else {
                return Vec::new();
            };
            let checked = results::tenant_checked(state, &report);
            if !awaited {
                return vec![Cmd::Save];
            }
            entra_checked(m, checked)
        }
        // The review plans again on arrival.
        TaskDone::Planned(_) if !awaited => Vec::new(),
        TaskDone::Planned(result) => {
            match result {
                Ok(plan) => {
                    m.message.clear();
                    m.plan = Some(plan);
                }
                Err(engine::Error::SecretNeeded(why)) => {
                    m.message = vec![
                        format!("{why}."),
                        "Go back to step 8, Back from Entra (Esc twice), and paste the Client secret Value there."
                            .into(),
                    ]
                }
                Err(why) => m.message = why.to_string().lines().map(str::to_string).collect(),
            }
            Vec::new()
        }
        TaskDone::ApplyStep(i, ids) => {
            if let Some(line) = m.apply_lines.get_mut(i) {
                line.1 = LineState::Done;
            }
            if let Some(next) = m.apply_lines.get_mut(i + 1) {
                next.1 = LineState::Running;
                m.busy = Some(format!("{}…", capitalize(&next.0)));
            } else {
                m.busy = Some("Writing the certificates…".into());
            }
            if let (Some(state), Some(change)) = (
                m.state.as_mut(),
                m.plan.as_ref().and_then(|p| p.changes.get(i)),
            ) {
                results::change_applied(state, change, &ids, m.secret_from_graph);
            }
            vec![Cmd::Save]
        }
        TaskDone::Stale(plan) => {
            m.applying = false;
            m.apply_lines.clear();
            m.plan = Some(plan);
            m.message = vec![
                "! The account changed since you reviewed the plan: nothing was written.".into(),
                "  The plan below is what applying would do now; review it and apply again.".into(),
            ];
            Vec::new()
        }
        TaskDone::ImportRead(_) | TaskDone::ImportSaved(_) if !awaited => Vec::new(),
        TaskDone::ImportRead(result) => super::import::read(m, *result),
        TaskDone::ImportSaved(result) => super::import::saved(m, result),
        TaskDone::TeardownPlanned(_) if !awaited => Vec::new(),
        TaskDone::TeardownPlanned(result) => {
            match result {
                Ok(t) => m.teardown = Some(t),
                Err(e) => m.message = e.to_string().lines().map(str::to_string).collect(),
            }
            Vec::new()
        }
        TaskDone::Removed(i, id) => {
            m.removed = i + 1;
            if let Some(state) = m.state.as_mut() {
                state.record_applied(id);
            }
            m.busy = Some("Removing…".into());
            vec![Cmd::Save]
        }
        TaskDone::TornDown(result) => {
            m.applying = false;
            match result {
                Ok(()) => {
                    if let Some(state) = m.state.as_mut() {
                        cognito_entra::teardown::record_torn_down(state);
                    }
                    m.message = vec![
                        "✓ Taken down. Its answers are kept: choose it in the list to set it up again."
                            .into(),
                    ];
                }
                Err(engine::TeardownStopped::Stale(now)) => {
                    m.removed = 0;
                    m.teardown = Some(now);
                    m.message = vec![
                        "! The account changed since this plan was read: nothing was removed. This is what destroy would do now."
                            .into(),
                    ];
                }
                Err(engine::TeardownStopped::Failed(e)) => {
                    m.message = e.to_string().lines().map(str::to_string).collect();
                }
            }
            vec![Cmd::Save]
        }
        TaskDone::SamlChecked(result) => {
            m.saml_check = Some(*result);
            m.scroll = 0;
            Vec::new()
        }
        TaskDone::Applied(result) => {
            m.applying = false;
            match result {
                Ok(certs) => {
                    if let Some(state) = m.state.as_mut() {
                        state.aws.certificates = certs.into_iter().map(|c| c.record).collect();
                    }
                    let applied = m.apply_lines.len();
                    let mut cmds = advance(m, Step::ReviewApply);
                    m.notice = Some(match applied {
                        0 => "✓ Nothing to change: Cognito already matched".into(),
                        1 => "✓ 1 change applied".into(),
                        n => format!("✓ {n} changes applied"),
                    });
                    // Through Graph, Cognito's certificates made just now go to Entra; after a
                    // resume the session is gone, and step 11 offers a new sign-in for them.
                    if m.entra_waiting.is_none()
                        && m.state
                            .as_ref()
                            .is_some_and(cognito_entra::journey::certificates_left_for_graph)
                    {
                        m.notice = m
                            .state
                            .as_ref()
                            .and_then(cognito_entra::journey::certificates_left_notice);
                    }
                    if let Some(session) = m.entra_waiting.take() {
                        m.busy = Some(
                            "Handing Entra Cognito's certificates through Microsoft Graph…".into(),
                        );
                        m.writing = true;
                        cmds.push(Cmd::EntraFinish(session));
                    }
                    cmds
                }
                Err(advice) => {
                    if let Some(line) = m.apply_lines.iter_mut().find(|l| l.1 == LineState::Running)
                    {
                        line.1 = LineState::Failed;
                    }
                    m.apply_error = Some(advice);
                    vec![Cmd::Save]
                }
            }
        }
    }
}
