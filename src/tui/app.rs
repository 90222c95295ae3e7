//! The wizard's model, messages and `update`: The Elm Architecture. `update` is the state
//! machine over the core's journey; it never does I/O. What needs the outside world (saving,
//! copying, AWS, HTTP) comes back as `Cmd`s for the runtime, whose answers return as `Msg`s.

use cognito_entra::resolve::{self, Chosen};
use cognito_entra::setup::answers::{Answer, check};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use cognito_entra::cognito::api::{ClientSummary, DomainInfo, PoolSummary};
use cognito_entra::cognito::apply::Ids;
use cognito_entra::cognito::certs::ForEntra;
use cognito_entra::entra::Finding;
use cognito_entra::entra::discovery;
use cognito_entra::entra::metadata;
use cognito_entra::journey::{Step, entra_checklist, finish_checklist, next_step, portal_values};
use cognito_entra::plan::Plan;
use cognito_entra::saml_response::Decoded;
use cognito_entra::setup::model::{
    AppClient, Domain, OidcOptions, RequestMethod, SamlOptions, UserPool,
};
use cognito_entra::setup::validate::check_setup_name;
use cognito_entra::setup::{Protocol, Setup, Values, derive, parse_list};
use cognito_entra::state::State;

use super::form::{Field, Form, Note};

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

/// What the wizard needs to know of an adopted pool.
#[derive(Debug, Clone)]
pub struct PoolDetails {
    pub id: String,
    pub domain: Option<String>,
    pub required: Vec<String>,
    pub clients: Vec<ClientSummary>,
}

/// What slow work sends back.
#[derive(Debug)]
pub enum TaskDone {
    Pools(Result<Vec<PoolSummary>, String>),
    Pool(Result<PoolDetails, String>),
    Domain(String, Result<Option<DomainInfo>, String>),
    Prepared(Result<Ids, String>),
    Metadata(Box<metadata::Report>),
    Tenant(Box<discovery::Report>),
    Planned(Result<Plan, String>),
    ApplyStep(usize, Ids),
    Applied(Result<Vec<ForEntra>, String>),
    /// The account changed since the review: nothing was written; the plan now.
    Stale(Plan),
    /// A pasted SAML response, decoded and judged against the setup.
    SamlChecked(Box<Result<Decoded, String>>),
    /// The work stopped with a bug (a panic in its task); the screen stays usable.
    Crashed(String),
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Tick,
    /// The answer to `Cmd::Lock`: the state to continue from, or why not.
    Locked(Result<Box<State>, String>),
    /// The outcome of a copy, in the admin's words.
    Copied(String),
    /// The live availability answer for a typed prefix: background work, so it ends no wait.
    DomainProbed(String, Result<Option<DomainInfo>, String>),
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
    Copy {
        what: String,
        value: String,
    },
    LoadPools,
    LoadPool(String),
    CheckDomain(String),
    /// Whether a prefix is free, while the admin is still on the domain step.
    ProbeDomain(String),
    Prepare,
    CheckMetadata {
        source: String,
    },
    CheckTenant(String),
    Plan,
    Apply,
    Open(String),
    /// Decode and judge what the admin pasted on the test step.
    CheckSamlResponse(String),
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
    pub pools: Vec<PoolSummary>,
    pub clients: Vec<ClientSummary>,
    pub pool_domain: Option<String>,
    pub domain_probe: DomainProbe,
    /// The account's pools were listed (an account may have none).
    pub pools_loaded: bool,
    /// The adopted pool whose details (domain, clients) were read.
    pub pool_loaded_for: Option<String>,
    pub findings: Vec<Finding>,
    pub facts: Vec<cognito_entra::entra::Fact>,
    /// The Entra answers on the form were checked and are usable.
    pub entra_ok: bool,
    pub plan: Option<Plan>,
    pub review_choice: usize,
    /// How far the plan is scrolled.
    pub scroll: u16,
    pub apply_lines: Vec<(String, LineState)>,
    pub apply_error: Option<String>,
    pub applying: bool,
    /// The last pasted SAML response, as decode-saml would report it.
    pub saml_check: Option<Result<Decoded, String>>,
    /// The OIDC client secret: memory only, never saved.
    pub secret: Option<String>,
    pub reveal: bool,
    pub list_selected: usize,
    pub editing: Option<Form>,
    pub help: bool,
    pub exit: Option<Exit>,
    pub color: bool,
    pub authority: String,
    /// The profile and region from the flags and the environment (resolve's rule; the saved
    /// setup is laid over them at each step with `with_saved`).
    pub default_profile: Chosen,
    pub default_region: Chosen,
    pub profiles: Vec<String>,
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
            pools: Vec::new(),
            clients: Vec::new(),
            pool_domain: None,
            domain_probe: DomainProbe::Idle,
            pools_loaded: false,
            pool_loaded_for: None,
            findings: Vec::new(),
            facts: Vec::new(),
            entra_ok: false,
            plan: None,
            review_choice: 0,
            scroll: 0,
            apply_lines: Vec::new(),
            apply_error: None,
            applying: false,
            saml_check: None,
            secret: None,
            reveal: false,
            list_selected: 0,
            editing: None,
            help: false,
            exit: None,
            color: true,
            authority: authority.to_string(),
            default_profile: Chosen {
                value: resolve::DEFAULT_PROFILE.into(),
                from: resolve::Source::Default,
            },
            default_region: Chosen {
                value: resolve::DEFAULT_REGION.into(),
                from: resolve::Source::Default,
            },
            profiles: Vec::new(),
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

    /// The keys that work on this screen, for the key bar.
    pub fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let quit = if self.typing() {
            ("Ctrl-Q", "save & quit")
        } else {
            ("q", "save & quit")
        };
        let help = if self.typing() {
            ("F1", "help")
        } else {
            ("?", "help")
        };
        match self.screen {
            Screen::Welcome => vec![
                ("↑↓", "move"),
                ("Enter", "choose"),
                ("?", "help"),
                ("q", "quit"),
            ],
            Screen::Naming(_) => vec![("Enter", "start"), ("Esc", "back"), ("Ctrl-Q", "quit")],
            Screen::Step(step) => {
                let mut keys = Vec::new();
                match step {
                    Step::EntraPortal => {
                        keys.push(("1-9", "copy"));
                        keys.push(("↑↓ Space", "tick"));
                        keys.push(("Enter", "next"));
                    }
                    Step::AttributeMapping if self.editing.is_some() => {
                        keys.push(("Enter", "keep"));
                        keys.push(("Esc", "cancel"));
                        return keys;
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
                        keys.push(("↑↓ Space", "tick"));
                        keys.push(("Enter", "next"));
                    }
                    Step::TestHandOver if self.editing.is_some() => {
                        keys.push(("Enter", "check"));
                        keys.push(("Esc", "cancel"));
                        return keys;
                    }
                    Step::TestHandOver if self.saml_check.is_some() => {
                        keys.push(("↑↓", "scroll"));
                        keys.push(("s", "check another"));
                        keys.push(("Esc", "close"));
                        keys.push(("q", "quit"));
                        return keys;
                    }
                    Step::TestHandOver => {
                        keys.push(("1-3", "copy"));
                        keys.push(("o", "open in browser"));
                        if self.protocol() == Protocol::Saml {
                            keys.push(("s", "check a SAML response"));
                        }
                        keys.push(("↑↓", "scroll"));
                        keys.push(("q", "quit"));
                        return keys;
                    }
                    Step::BackFromEntra if self.protocol() == Protocol::Saml => {
                        keys.push(("Enter", if self.entra_ok { "next" } else { "check" }));
                        keys.push(("Ctrl-F", "file / URL"));
                    }
                    Step::BackFromEntra => {
                        keys.push(("Enter", if self.entra_ok { "next" } else { "check" }));
                        keys.push(("Ctrl-R", "reveal secret"));
                    }
                    _ => {
                        keys.push(("Tab", "field"));
                        keys.push(("Enter", "next"));
                    }
                }
                keys.push(("Esc", "back"));
                keys.push(help);
                keys.push(quit);
                keys
            }
        }
    }
}

fn field_errors(form: &mut Form, check: impl Fn(&str, &str) -> Option<String>) {
    for f in form.fields.iter_mut() {
        f.error = if f.hidden {
            None
        } else {
            check(f.key, &f.value())
        };
    }
}

/// A choice field's options: "create" first, then the existing items; the chosen index is the
/// item whose ID the answers name (0 when none does).
fn pick_or_create<'a>(
    create: &str,
    items: impl Iterator<Item = (&'a str, &'a str)>,
    chosen_id: Option<&String>,
) -> (Vec<String>, usize) {
    let mut options = vec![create.to_string()];
    let mut chosen = 0;
    for (i, (name, id)) in items.enumerate() {
        options.push(format!("{name} ({id})"));
        if chosen_id.is_some_and(|c| c == id) {
            chosen = i + 1;
        }
    }
    (options, chosen)
}

/// Which app client fields a new client shows, and which an adopted one does.
fn client_field_visible(key: &str, new: bool) -> bool {
    if new {
        key != "only_entra"
    } else {
        matches!(
            key,
            "callback_urls" | "logout_urls" | "scopes" | "only_entra"
        )
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
    m.scroll = 0;
    let Some(setup) = m.setup().cloned() else {
        return Vec::new();
    };
    let profile = m
        .default_profile
        .with_saved(m.state.as_ref().and_then(|s| s.aws.profile.as_deref()))
        .value;
    m.form = match step {
        Step::Protocol | Step::AwsAccount => {
            let profiles = if m.profiles.is_empty() {
                "none found in ~/.aws/config; `aws configure` or `aws configure sso` makes one"
                    .to_string()
            } else {
                format!("yours: {}", m.profiles.join(", "))
            };
            let region = m.default_region.with_saved(Some(&setup.region)).value;
            m.screen = Screen::Step(Step::AwsAccount);
            Form::new(vec![
                Field::text("profile", "AWS profile", &profiles, "", &profile),
                Field::text(
                    "region",
                    "Region",
                    "where the user pool lives, e.g. eu-central-1",
                    "",
                    &region,
                ),
            ])
        }
        Step::UserPool => {
            let (options, chosen) = pick_or_create(
                "Create a new pool",
                m.pools.iter().map(|p| (p.name.as_str(), p.id.as_str())),
                setup.user_pool.id.as_ref(),
            );
            let mut name = Field::text(
                "name",
                "New pool's name",
                "the pool holds the users Entra signs in",
                setup.user_pool.name.as_deref().unwrap_or(""),
                &format!("{}-users", setup.name),
            );
            name.hidden = chosen != 0;
            Form::new(vec![
                Field::choice(
                    "pool",
                    "User pool",
                    "←→ to pick one of the account's pools (type to filter), or create one",
                    options,
                    chosen,
                ),
                name,
            ])
        }
        Step::Domain => {
            if let Some(d) = &m.pool_domain {
                Form::new(vec![Field::text(
                    "kept",
                    "Domain",
                    "the pool has this Cognito domain; it is kept",
                    d,
                    d,
                )])
            } else {
                Form::new(vec![
                    Field::text(
                        "prefix",
                        "Domain prefix",
                        "<prefix>.auth.<region>.amazoncognito.com; lower case, digits, hyphens; no aws, amazon, cognito",
                        setup.domain.prefix.as_deref().unwrap_or(""),
                        &format!(
                            "{}-login",
                            setup.name.to_ascii_lowercase().replace(['_', '.'], "-")
                        ),
                    ),
                    Field::toggle(
                        "managed_login",
                        "Managed login pages",
                        "the newer sign-in pages (off: the classic hosted UI)",
                        setup.domain.managed_login,
                    ),
                ])
            }
        }
        Step::AppClient => {
            let (options, chosen) = pick_or_create(
                "Create a new app client",
                m.clients.iter().map(|c| (c.name.as_str(), c.id.as_str())),
                setup.app_client.id.as_ref(),
            );
            let c = &setup.app_client;
            let mut fields = vec![
                Field::choice(
                    "client",
                    "App client",
                    "←→ to pick the app's client (type to filter), or create one",
                    options,
                    chosen,
                ),
                Field::text(
                    "name",
                    "Name",
                    "how the app client is called in Cognito",
                    c.name.as_deref().unwrap_or(""),
                    "web",
                ),
                Field::text(
                    "callback_urls",
                    "Callback URLs",
                    "where the app receives ?code=…; HTTPS, or http://localhost:PORT; several: comma-separated",
                    &c.callback_urls.join(", "),
                    "",
                ),
                Field::text(
                    "logout_urls",
                    "Sign-out URLs",
                    "where users land after signing out (optional)",
                    &c.logout_urls.join(", "),
                    "",
                ),
                Field::text(
                    "scopes",
                    "Scopes",
                    "add aws.cognito.signin.user.admin when the front end reads attributes (Amplify)",
                    &c.scopes.join(" "),
                    "openid email profile",
                ),
                Field::toggle(
                    "secret",
                    "Client secret",
                    "for confidential back ends; a browser app has none",
                    c.generate_secret,
                ),
                Field::toggle(
                    "only_entra",
                    "Only Entra on this client",
                    "takes COGNITO and other providers off (IdP-initiated SAML needs it); Cognito passwords then stop working through this client",
                    c.remove_other_providers,
                ),
            ];
            for f in fields.iter_mut().skip(1) {
                f.hidden = !client_field_visible(f.key, chosen == 0);
            }
            Form::new(fields)
        }
        Step::Provider => {
            let mut fields = vec![Field::text(
                "name",
                "Provider name",
                "3-32 characters, no spaces or '_'; apps pass it as identity_provider=",
                setup.provider.name.as_deref().unwrap_or(""),
                setup.protocol.default_provider_name(),
            )];
            match setup.protocol {
                Protocol::Saml => {
                    let s = setup.saml();
                    fields.push(Field::toggle(
                        "idp_initiated",
                        "Sign-in from My Apps",
                        "IdP-initiated; costs: the client may list only SAML providers",
                        s.idp_initiated,
                    ));
                    fields.push(Field::toggle(
                        "sign_requests",
                        "Signed requests",
                        "Cognito signs its requests; costs: upload Cognito's certificate to Entra",
                        s.sign_requests,
                    ));
                    fields.push(Field::toggle(
                        "encrypted_responses",
                        "Encrypted assertions",
                        "Entra encrypts; costs: import and activate Cognito's certificate in Entra first",
                        s.encrypted_responses,
                    ));
                    fields.push(Field::toggle(
                        "idp_signout",
                        "Sign out of Entra too",
                        "costs: a Logout Url and Cognito's certificate in Entra",
                        s.idp_signout,
                    ));
                }
                Protocol::Oidc => {
                    let method = setup.oidc().attributes_request_method;
                    fields.push(Field::choice(
                        "method",
                        "Attributes request",
                        "how Cognito calls the user-info endpoint; GET unless your network needs POST",
                        vec!["GET".into(), "POST".into()],
                        usize::from(method == RequestMethod::Post),
                    ));
                }
            }
            Form::new(fields)
        }
        Step::BackFromEntra => {
            m.entra_ok = false;
            m.findings.clear();
            m.facts.clear();
            match setup.protocol {
                Protocol::Saml => {
                    let s = setup.saml();
                    let file_mode = s.metadata_file.is_some() && s.metadata_url.is_none();
                    let mut url = Field::text(
                        "metadata_url",
                        "App Federation Metadata Url",
                        "starts with https://login.microsoftonline.com/ and ends with ?appid=…",
                        s.metadata_url.as_deref().unwrap_or(""),
                        "",
                    );
                    let mut file = Field::text(
                        "metadata_file",
                        "Federation Metadata XML file",
                        "the downloaded file's path; Cognito never refreshes a file",
                        s.metadata_file.as_deref().unwrap_or(""),
                        "",
                    );
                    url.hidden = file_mode;
                    file.hidden = !file_mode;
                    Form::new(vec![url, file])
                }
                Protocol::Oidc => {
                    let o = setup.oidc();
                    let expires = m
                        .state
                        .as_ref()
                        .and_then(|s| s.entra.client_secret_expires.clone())
                        .unwrap_or_default();
                    Form::new(vec![
                        Field::text(
                            "tenant_id",
                            "Directory (tenant) ID",
                            "a GUID, or a verified domain",
                            o.tenant_id.as_deref().unwrap_or(""),
                            "",
                        ),
                        Field::text(
                            "client_id",
                            "Application (client) ID",
                            "a GUID",
                            o.client_id.as_deref().unwrap_or(""),
                            "",
                        ),
                        Field::secret(
                            "secret",
                            "Client secret Value",
                            "kept in memory only; leave empty to keep the one Cognito has",
                            m.secret.as_deref().unwrap_or(""),
                        ),
                        Field::text(
                            "expires",
                            "Secret expires on",
                            "YYYY-MM-DD, optional: later commands warn before it",
                            &expires,
                            "",
                        ),
                    ])
                }
            }
        }
        _ => Form::default(),
    };
    validate_form(m);
    let unread_pool = setup
        .user_pool
        .id
        .clone()
        .filter(|id| m.pool_loaded_for.as_ref() != Some(id));
    match step {
        Step::UserPool if !m.pools_loaded => {
            m.busy = Some("Listing the account's user pools…".into());
            vec![Cmd::LoadPools]
        }
        Step::Domain | Step::AppClient | Step::AttributeMapping if unread_pool.is_some() => {
            m.busy = Some("Reading the pool…".into());
            unread_pool.map(Cmd::LoadPool).into_iter().collect()
        }
        Step::ReviewApply => {
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
/// journey's (`setup::answers`), one per answer.
fn validate_form(m: &mut Model) {
    let Screen::Step(step) = m.screen else { return };
    let protocol = m.protocol();
    match step {
        Step::AwsAccount => field_errors(&mut m.form, |key, v| match key {
            "region" => check(Answer::Region(v)),
            _ => None,
        }),
        Step::UserPool => {
            let new = m.form.choice("pool") == 0;
            if let Some(f) = m.form.get_mut("name") {
                f.hidden = !new;
            }
            field_errors(&mut m.form, |key, v| {
                (key == "name")
                    .then(|| check(Answer::PoolName(v)))
                    .flatten()
            });
        }
        Step::Domain => {
            field_errors(&mut m.form, |key, v| {
                (key == "prefix")
                    .then(|| check(Answer::DomainPrefix(v)))
                    .flatten()
            });
            schedule_domain_probe(m);
        }
        Step::AppClient => {
            let new = m.form.choice("client") == 0;
            for f in m.form.fields.iter_mut().skip(1) {
                f.hidden = !client_field_visible(f.key, new);
            }
            field_errors(&mut m.form, |key, v| match key {
                "callback_urls" => check(Answer::CallbackUrls {
                    typed: v,
                    new_client: new,
                }),
                "logout_urls" => check(Answer::LogoutUrls(v)),
                "scopes" => check(Answer::Scopes(v)),
                "name" => check(Answer::ClientName(v)),
                _ => None,
            });
        }
        Step::Provider => field_errors(&mut m.form, |key, v| {
            (key == "name")
                .then(|| check(Answer::ProviderName(v)))
                .flatten()
        }),
        Step::BackFromEntra if protocol == Protocol::Oidc => {
            field_errors(&mut m.form, |key, v| match key {
                "tenant_id" => check(Answer::TenantId(v)),
                "client_id" => check(Answer::ClientId(v)),
                "expires" => check(Answer::SecretExpiry(v)),
                _ => None,
            })
        }
        _ => {}
    }
}

/// The state machine.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
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
    if matches!(m.screen, Screen::Step(Step::BackFromEntra)) {
        m.entra_ok = false;
    }
    if let Screen::Naming(_) = m.screen {
        let taken: Vec<String> = m.rows.iter().map(|r| r.name.clone()).collect();
        field_errors(&mut m.form, |_, v| {
            check_setup_name(v)
                .map(|p| format!("{} — {}", p.problem, p.fix))
                .or_else(|| {
                    taken.contains(&v.to_string()).then(|| {
                        "a saved setup has this name; resume it from the list instead".into()
                    })
                })
        });
    } else {
        validate_form(m);
    }
}

fn on_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // Anywhere: Ctrl-C stops (saved), Ctrl-Q saves and quits.
    if ctrl && key.code == KeyCode::Char('c') {
        m.exit = Some(Exit::Interrupted);
        return vec![Cmd::Save];
    }
    if (ctrl && key.code == KeyCode::Char('q')) || (key.code == KeyCode::Char('q') && !m.typing()) {
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
    if m.help && key.code == KeyCode::Esc {
        m.help = false;
        return Vec::new();
    }
    if m.busy.is_some() {
        return Vec::new();
    }
    match m.screen {
        Screen::Welcome => welcome_key(m, key),
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

fn welcome_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let n = m.welcome_len();
    match key.code {
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
            let base = format!("corp-{}", protocol.label().to_ascii_lowercase());
            let mut default = base.clone();
            let mut i = 2;
            while m.rows.iter().any(|r| r.name == default) {
                default = format!("{base}-{i}");
                i += 1;
            }
            m.screen = Screen::Naming(protocol);
            m.form = Form::new(vec![Field::text(
                "name",
                "Name this setup",
                "it names the saved state and the certificate files",
                "",
                &default,
            )]);
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
    fresh.profiles = std::mem::take(&mut m.profiles);
    fresh.default_profile = m.default_profile.clone();
    fresh.default_region = m.default_region.clone();
    fresh.tick = m.tick;
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
    if key.code == KeyCode::Esc && m.editing.is_none() {
        // Back a step, answers kept; from the first step, back to the list of setups.
        if m.applying {
            return Vec::new();
        }
        if m.saml_check.take().is_some() {
            m.scroll = 0;
            return Vec::new();
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

fn form_step_key(m: &mut Model, step: Step, key: KeyEvent) -> Vec<Cmd> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if step == Step::BackFromEntra
        && ctrl
        && key.code == KeyCode::Char('f')
        && m.protocol() == Protocol::Saml
    {
        for f in m.form.fields.iter_mut() {
            f.hidden = !f.hidden;
        }
        m.form.focus = m.form.fields.iter().position(|f| !f.hidden).unwrap_or(0);
        m.entra_ok = false;
        m.findings.clear();
        return Vec::new();
    }
    if step == Step::BackFromEntra && ctrl && key.code == KeyCode::Char('r') {
        m.reveal = !m.reveal;
        return Vec::new();
    }
    if key.code != KeyCode::Enter {
        if m.form.handle_key(key) {
            on_edit(m);
        }
        return Vec::new();
    }
    validate_form(m);
    if m.form.has_errors() {
        m.message = vec!["Fix the fields marked ✗ first.".into()];
        return Vec::new();
    }
    m.message.clear();
    let form = m.form.clone();
    if m.state.is_none() {
        return Vec::new();
    }
    match step {
        Step::AwsAccount => {
            if let Some(setup) = m.setup_mut() {
                setup.region = form.value("region");
            }
            let profile = form.value("profile");
            if let Some(s) = m.state.as_mut() {
                s.aws.profile = Some(profile);
            }
            m.pools.clear();
            m.pools_loaded = false;
            m.busy = Some("Checking your AWS credentials…".into());
            vec![Cmd::Save, Cmd::LoadPools]
        }
        Step::UserPool => {
            let choice = form.choice("pool");
            m.clients.clear();
            if let Some(state) = m.state.as_mut() {
                // A new pool requires nothing; an adopted one is read next.
                state.aws.required_attributes = (choice == 0).then(Vec::new);
            }
            m.pool_domain = None;
            m.pool_loaded_for = None;
            if choice == 0 {
                let name = form.value("name");
                if let Some(setup) = m.setup_mut() {
                    setup.user_pool = UserPool {
                        id: None,
                        name: Some(name),
                    };
                }
                advance(m, step)
            } else {
                let id = m
                    .pools
                    .get(choice - 1)
                    .map(|p| p.id.clone())
                    .unwrap_or_default();
                if let Some(setup) = m.setup_mut() {
                    setup.user_pool = UserPool {
                        id: Some(id.clone()),
                        name: None,
                    };
                }
                m.busy = Some("Reading the pool…".into());
                vec![Cmd::LoadPool(id)]
            }
        }
        Step::Domain => {
            if let Some(kept) = m.pool_domain.clone() {
                if let Some(setup) = m.setup_mut() {
                    setup.domain = Domain {
                        prefix: Some(kept),
                        ..Domain::default()
                    };
                }
                return advance(m, step);
            }
            let prefix = form.value("prefix");
            if let Some(setup) = m.setup_mut() {
                setup.domain = Domain {
                    prefix: Some(prefix.clone()),
                    custom: None,
                    managed_login: form.on("managed_login"),
                };
            }
            if m.domain_probe
                == (DomainProbe::Known {
                    prefix: prefix.clone(),
                    usable: true,
                })
            {
                return advance(m, step);
            }
            m.busy = Some(format!("Checking that {prefix} is free…"));
            vec![Cmd::CheckDomain(prefix)]
        }
        Step::AppClient => {
            let choice = form.choice("client");
            let scopes = parse_list(&form.value("scopes"));
            let adopted = m.clients.get(choice.wrapping_sub(1)).map(|c| c.id.clone());
            let client = if choice == 0 {
                AppClient {
                    name: Some(form.value("name")),
                    callback_urls: parse_list(&form.value("callback_urls")),
                    logout_urls: parse_list(&form.value("logout_urls")),
                    scopes,
                    generate_secret: form.on("secret"),
                    ..AppClient::default()
                }
            } else {
                AppClient {
                    id: adopted,
                    callback_urls: parse_list(&form.value("callback_urls")),
                    logout_urls: parse_list(&form.value("logout_urls")),
                    scopes,
                    remove_other_providers: form.on("only_entra"),
                    ..AppClient::default()
                }
            };
            if let Some(setup) = m.setup_mut() {
                setup.app_client = client;
            }
            advance(m, step)
        }
        Step::Provider => {
            let Some(setup) = m.setup_mut() else {
                return Vec::new();
            };
            setup.provider.name = Some(form.value("name"));
            match setup.protocol {
                Protocol::Saml => {
                    let mut s = setup.saml.clone().unwrap_or_default();
                    s.idp_initiated = form.on("idp_initiated");
                    s.sign_requests = form.on("sign_requests");
                    s.encrypted_responses = form.on("encrypted_responses");
                    s.idp_signout = form.on("idp_signout");
                    setup.saml = Some(s);
                    if setup.app_client.id.is_none() && setup.saml().idp_initiated {
                        setup.app_client.allow_cognito_sign_in = Some(false);
                    }
                }
                Protocol::Oidc => {
                    let mut o = setup.oidc.clone().unwrap_or_default();
                    o.attributes_request_method = if form.choice("method") == 1 {
                        RequestMethod::Post
                    } else {
                        RequestMethod::Get
                    };
                    setup.oidc = Some(o);
                }
            }
            m.busy = Some("Preparing Cognito: user pool, domain, app client…".into());
            vec![Cmd::Save, Cmd::Prepare]
        }
        Step::BackFromEntra => back_from_entra(m, form),
        _ => advance(m, step),
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

fn domain_probed(m: &mut Model, prefix: String, result: Result<Option<DomainInfo>, String>) {
    if m.domain_probe != DomainProbe::Checking(prefix.clone()) {
        // The admin typed on meanwhile: this answer is about a prefix no longer there.
        return;
    }
    let pool_id = m.setup().and_then(|s| s.user_pool.id.clone());
    let region = m.setup().map(|s| s.region.clone()).unwrap_or_default();
    let (usable, note) = match result {
        Ok(None) => (
            true,
            Note::Good(format!(
                "{prefix}.auth.{region}.amazoncognito.com is available"
            )),
        ),
        Ok(Some(d)) if Some(&d.user_pool_id) == pool_id.as_ref() => (
            true,
            Note::Good(format!("{prefix} is already this pool's domain")),
        ),
        Ok(Some(_)) => (
            false,
            Note::Bad(format!(
                "{prefix} is taken by another user pool (prefixes are unique per region across all accounts): choose another"
            )),
        ),
        Err(advice) => (
            false,
            Note::Bad(format!(
                "could not check {prefix}: {}",
                advice.lines().next().unwrap_or_default()
            )),
        ),
    };
    if let Some(f) = m.form.get_mut("prefix") {
        f.note = Some(note);
    }
    // Enter skips its own check only when this one found the prefix usable.
    m.domain_probe = DomainProbe::Known { prefix, usable };
}

fn back_from_entra(m: &mut Model, form: Form) -> Vec<Cmd> {
    if m.entra_ok {
        return advance(m, Step::BackFromEntra);
    }
    let Some(setup) = m.setup_mut() else {
        return Vec::new();
    };
    match setup.protocol {
        Protocol::Saml => {
            let file_mode = form.get("metadata_file").is_some_and(|f| !f.hidden);
            let source = if file_mode {
                form.value("metadata_file")
            } else {
                form.value("metadata_url")
            };
            if source.is_empty() {
                m.message =
                    vec!["Paste the App Federation Metadata Url first (Ctrl-F for a file).".into()];
                return Vec::new();
            }
            let mut s = setup.saml.clone().unwrap_or_else(SamlOptions::default);
            if file_mode {
                s.metadata_file = Some(source.clone());
                s.metadata_url = None;
            } else {
                s.metadata_url = Some(source.clone());
                s.metadata_file = None;
            }
            setup.saml = Some(s);
            m.busy = Some(if file_mode {
                "Reading the metadata file…".into()
            } else {
                "Fetching the metadata…".into()
            });
            vec![Cmd::CheckMetadata { source }]
        }
        Protocol::Oidc => {
            let tenant = form.value("tenant_id");
            let client = form.value("client_id");
            if tenant.is_empty() || client.is_empty() {
                m.message = vec!["Both IDs are on the app registration's Overview page.".into()];
                return Vec::new();
            }
            let mut o = setup.oidc.clone().unwrap_or_else(OidcOptions::default);
            o.tenant_id = Some(tenant.clone());
            o.client_id = Some(client);
            setup.oidc = Some(o);
            let secret = form.value("secret");
            if !secret.is_empty() {
                m.secret = Some(secret);
            }
            let expires = form.value("expires");
            if let Some(s) = m.state.as_mut() {
                s.entra.client_secret_expires = (!expires.is_empty()).then_some(expires);
            }
            m.busy = Some(format!("Checking tenant {tenant}…"));
            vec![Cmd::CheckTenant(tenant)]
        }
    }
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
        KeyCode::Enter => return advance(m, step),
        _ => {}
    }
    Vec::new()
}

/// The mapping's rows: the answers' mapping plus required attributes not mapped yet.
pub fn mapping_rows(m: &Model) -> Vec<(String, Option<String>)> {
    let Some(setup) = m.setup() else {
        return Vec::new();
    };
    let mapping = setup.attribute_mapping();
    let mut rows: Vec<(String, Option<String>)> = mapping
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    for r in m.state.as_ref().map_or(&[][..], State::required_attributes) {
        if r != "sub" && !mapping.contains_key(r) {
            rows.push((r.clone(), None));
        }
    }
    rows
}

fn mapping_key(m: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    let rows = mapping_rows(m);
    if let Some(edit) = m.editing.as_mut() {
        match key.code {
            KeyCode::Esc => m.editing = None,
            KeyCode::Enter => {
                let attribute = edit.value("attribute");
                let claim = edit.value("claim");
                if let Some(problem) = check(Answer::Mapping {
                    attribute: &attribute,
                    claim: &claim,
                }) {
                    if let Some(f) = edit.fields.last_mut() {
                        f.error = Some(problem);
                    }
                    return Vec::new();
                }
                if let Some(setup) = m.setup_mut() {
                    let mut mapping = setup.attribute_mapping();
                    mapping.insert(attribute, claim);
                    setup.provider.attribute_mapping = mapping;
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
                let mut attribute = Field::text("attribute", "Cognito attribute", "", attr, attr);
                attribute.hidden = true;
                let mut form = Form::new(vec![
                    attribute,
                    Field::text(
                        "claim",
                        &format!("Entra claim for {attr}"),
                        "the claim name Entra sends",
                        claim.as_deref().unwrap_or(""),
                        "",
                    ),
                ]);
                form.focus = 1;
                m.editing = Some(form);
            }
        }
        KeyCode::Char('a') => {
            m.editing = Some(Form::new(vec![
                Field::text(
                    "attribute",
                    "Cognito attribute",
                    "standard (name, locale…) or custom:<name>",
                    "",
                    "",
                ),
                Field::text("claim", "Entra claim", "the claim name Entra sends", "", ""),
            ]));
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
            let missing: Vec<String> = rows
                .iter()
                .filter(|(_, c)| c.is_none())
                .map(|(a, _)| a.clone())
                .collect();
            if !missing.is_empty() {
                m.message = vec![format!(
                    "The pool requires {}: map each (e) to a claim Entra sends, or every first sign-in fails.",
                    missing.join(", ")
                )];
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
    match key.code {
        KeyCode::Up => m.scroll = m.scroll.saturating_sub(1),
        KeyCode::Down => m.scroll = m.scroll.saturating_add(1),
        KeyCode::PageUp => m.scroll = m.scroll.saturating_sub(10),
        KeyCode::PageDown => m.scroll = m.scroll.saturating_add(10),
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
    match key.code {
        KeyCode::Up => {
            m.scroll = m.scroll.saturating_sub(1);
            Vec::new()
        }
        KeyCode::Down => {
            m.scroll = m.scroll.saturating_add(1);
            Vec::new()
        }
        KeyCode::Char('s') if setup.protocol == Protocol::Saml => {
            m.saml_check = None;
            m.scroll = 0;
            m.editing = Some(Form::new(vec![Field::text(
                "response",
                "SAMLResponse",
                "",
                "",
                "",
            )]));
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
fn checked(m: &mut Model, has_errors: bool) -> Vec<Cmd> {
    m.entra_ok = !has_errors;
    if m.entra_ok {
        m.message = vec!["✓ Usable. Enter to go on.".into()];
        vec![Cmd::Save]
    } else {
        Vec::new()
    }
}

fn task(m: &mut Model, done: TaskDone) -> Vec<Cmd> {
    m.busy = None;
    match done {
        TaskDone::Pools(Ok(pools)) => {
            m.pools = pools;
            m.pools_loaded = true;
            match m.screen {
                Screen::Step(Step::AwsAccount) => advance(m, Step::AwsAccount),
                Screen::Step(Step::UserPool) => enter(m, Step::UserPool),
                _ => Vec::new(),
            }
        }
        TaskDone::Pools(Err(advice))
        | TaskDone::Pool(Err(advice))
        | TaskDone::Prepared(Err(advice))
        | TaskDone::Crashed(advice) => {
            m.message = advice.lines().map(str::to_string).collect();
            Vec::new()
        }
        TaskDone::Pool(Ok(details)) => {
            m.pool_domain = details.domain;
            if let Some(state) = m.state.as_mut() {
                state.aws.required_attributes = Some(details.required);
            }
            m.clients = details.clients;
            m.pool_loaded_for = Some(details.id);
            match m.screen {
                Screen::Step(Step::UserPool) => advance(m, Step::UserPool),
                Screen::Step(step) => enter(m, step),
                _ => Vec::new(),
            }
        }
        TaskDone::Domain(prefix, result) => {
            let pool_id = m.setup().and_then(|s| s.user_pool.id.clone());
            match result {
                Ok(None) => advance(m, Step::Domain),
                Ok(Some(d)) if Some(&d.user_pool_id) == pool_id.as_ref() => {
                    advance(m, Step::Domain)
                }
                Ok(Some(_)) => {
                    m.message = vec![format!(
                        "{prefix} is taken by another user pool (prefixes are unique per region across all accounts): choose another."
                    )];
                    Vec::new()
                }
                Err(advice) => {
                    m.message = advice.lines().map(str::to_string).collect();
                    Vec::new()
                }
            }
        }
        TaskDone::Prepared(Ok(ids)) => {
            if let Some(state) = m.state.as_mut() {
                state.record_ids(&ids);
                state.record_applied("prepare".into());
                // A pool made just now has no required attributes; an adopted one was read.
                if state.aws.required_attributes.is_none() {
                    state.aws.required_attributes = Some(Vec::new());
                }
            }
            advance(m, Step::Provider)
        }
        TaskDone::Metadata(report) => {
            m.findings = report.findings.clone();
            m.facts.clear();
            if let Some(md) = &report.metadata {
                m.facts = metadata::facts(md, time::OffsetDateTime::now_utc());
                if let Some(state) = m.state.as_mut() {
                    state.record_entra(md.tenant_id.clone(), Some(md));
                }
            }
            checked(m, report.has_errors())
        }
        TaskDone::Tenant(report) => {
            m.findings = report.findings.clone();
            m.facts.clear();
            if let Some(d) = &report.discovery {
                m.facts
                    .push(cognito_entra::entra::Fact::fine("Issuer", d.issuer.clone()));
                m.facts.push(cognito_entra::entra::Fact::fine(
                    "Token URL",
                    d.token_url.clone(),
                ));
                if let Some(setup) = m.setup_mut() {
                    let mut o = setup.oidc();
                    o.tenant_id = Some(d.tenant_id.clone());
                    setup.oidc = Some(o);
                }
                if let Some(state) = m.state.as_mut() {
                    state.record_entra(Some(d.tenant_id.clone()), None);
                }
            }
            checked(m, report.has_errors())
        }
        TaskDone::Planned(result) => {
            match result {
                Ok(plan) => {
                    m.message.clear();
                    m.plan = Some(plan);
                }
                Err(why) => m.message = why.lines().map(str::to_string).collect(),
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
                state.record_ids(&ids);
                state.record_applied(change.id());
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
                    advance(m, Step::ReviewApply)
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
