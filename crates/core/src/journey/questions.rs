//! What each step asks, defined once: the questions (key, label, hint, input kind, the saved
//! answer, the default), which of them show given the answers so far, the rule each answer
//! meets, how the answers go into the state, and the work the step needs next. The wizard
//! renders these as a form, plain mode as prompts; neither holds a label, a default, a hint
//! or a rule of its own, so a question added here appears in both faces.

use crate::resolve::Chosen;
use crate::setup::answers::{Answer, check, check_given};
use crate::setup::model::{AppClient, Domain, RequestMethod, UserPool};
use crate::setup::{Protocol, parse_list};
use crate::state::State;

use super::Step;

/// How a question is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text,
    /// Typed hidden; kept in memory only.
    Secret,
    /// Yes or no.
    Toggle,
    /// One of these options (the first is the default unless `choice` says otherwise).
    Choice(Vec<String>),
    /// Shown, not asked: what the step keeps (an adopted pool's own domain).
    Shown,
}

/// One question of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub key: &'static str,
    pub label: String,
    /// One line on what it means (and what it costs).
    pub hint: String,
    pub input: Input,
    /// What is already answered (the saved answer), filled in.
    pub text: String,
    /// What an empty answer means; Enter keeps it.
    pub default: String,
    /// A toggle's current answer.
    pub on: bool,
    /// A choice's current answer.
    pub choice: usize,
    /// Must be answered before the step is confirmed; the text says why and where to find it.
    pub required: Option<String>,
}

impl Question {
    fn new(key: &'static str, label: &str, hint: &str, input: Input) -> Question {
        Question {
            key,
            label: label.to_string(),
            hint: hint.to_string(),
            input,
            text: String::new(),
            default: String::new(),
            on: false,
            choice: 0,
            required: None,
        }
    }

    pub(crate) fn text(
        key: &'static str,
        label: &str,
        hint: &str,
        saved: &str,
        default: &str,
    ) -> Question {
        Question {
            text: saved.to_string(),
            default: default.to_string(),
            ..Question::new(key, label, hint, Input::Text)
        }
    }

    fn toggle(key: &'static str, label: &str, hint: &str, on: bool) -> Question {
        Question {
            on,
            ..Question::new(key, label, hint, Input::Toggle)
        }
    }

    fn choice(
        key: &'static str,
        label: &str,
        hint: &str,
        options: Vec<String>,
        chosen: usize,
    ) -> Question {
        Question {
            choice: chosen.min(options.len().saturating_sub(1)),
            ..Question::new(key, label, hint, Input::Choice(options))
        }
    }

    /// The answer as it stands before the admin types: the saved text, else the default.
    pub fn initial_text(&self) -> &str {
        if self.text.trim().is_empty() {
            &self.default
        } else {
            &self.text
        }
    }
}

/// A pool or client the account has, as a choice shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub name: String,
}

/// What is read of an adopted pool.
#[derive(Debug, Clone)]
pub struct PoolRead {
    pub id: String,
    pub domain: Option<String>,
    pub required: Vec<String>,
    pub clients: Vec<Listed>,
}

/// What the faces learned from the account and the machine on the way, which the questions
/// offer: the profiles, the account's pools, the adopted pool's clients and domain, and the
/// profile and region the flags and environment chose (`resolve`, read once).
#[derive(Debug, Clone)]
pub struct Found {
    pub profiles: Vec<String>,
    pub profile: Chosen,
    pub region: Chosen,
    pub pools: Vec<Listed>,
    /// The account's pools were listed (an account may have none).
    pub pools_listed: bool,
    /// The adopted pool that was read (its domain and clients below).
    pub pool_read: Option<String>,
    pub clients: Vec<Listed>,
    pub pool_domain: Option<String>,
    /// Where the SDK takes the credentials from, as far as the environment tells.
    pub credentials: String,
    /// Whose they are, once checked: "account 123456789012 as arn:…".
    pub identity: Option<String>,
    /// The pools other saved setups use: (pool ID, setup name).
    pub pools_in_use: Vec<(String, String)>,
}

/// What checking the credentials read: the account's pools, and whose the credentials are
/// (`None` when STS could not say; the pools prove the credentials work).
#[derive(Debug, Clone, Default)]
pub struct AccountRead {
    pub pools: Vec<Listed>,
    pub identity: Option<String>,
}

impl Found {
    pub fn new(profiles: Vec<String>, profile: Chosen, region: Chosen) -> Found {
        Found {
            credentials: String::new(),
            identity: None,
            profiles,
            profile,
            region,
            pools: Vec::new(),
            pools_listed: false,
            pool_read: None,
            clients: Vec::new(),
            pool_domain: None,
            pools_in_use: Vec::new(),
        }
    }

    /// The saved setups other than `this` that use each pool, as a pool's option says it.
    pub fn used_by(&self, pool_id: &str, this: &str) -> Option<String> {
        let names: Vec<&str> = self
            .pools_in_use
            .iter()
            .filter(|(id, name)| id == pool_id && name != this)
            .map(|(_, name)| name.as_str())
            .collect();
        match names.as_slice() {
            [] => None,
            [one] => Some(format!("used by setup {one}")),
            many => Some(format!("used by setups {}", many.join(", "))),
        }
    }
}

/// What a choice says when what was typed to narrow it matches none of its options: nothing
/// is chosen (Enter does not take the option shown before).
pub fn no_match(label: &str, filter: &str) -> String {
    format!(
        "no {} matches {filter:?}: Backspace or Ctrl-U clears the filter, then choose one",
        label.to_lowercase()
    )
}

/// The answers a face has gathered for the step so far, by question key. A face gives the
/// typed text (or the default when nothing was typed), a toggle's state and a choice's index.
pub trait Answers {
    fn text(&self, key: &str) -> String;
    fn on(&self, key: &str) -> bool;
    fn choice(&self, key: &str) -> usize;
}

/// The answers as plain data (plain mode fills it prompt by prompt; tests use it too).
#[derive(Debug, Clone, Default)]
pub struct Given {
    texts: std::collections::BTreeMap<&'static str, String>,
    toggles: std::collections::BTreeMap<&'static str, bool>,
    choices: std::collections::BTreeMap<&'static str, usize>,
}

impl Given {
    /// Starts from the questions' own answers (the saved ones and the defaults).
    pub fn from_questions(questions: &[Question]) -> Given {
        let mut given = Given::default();
        for q in questions {
            given.set_text(q.key, q.initial_text());
            given.set_on(q.key, q.on);
            given.set_choice(q.key, q.choice);
        }
        given
    }

    pub fn set_text(&mut self, key: &'static str, text: &str) {
        self.texts.insert(key, text.trim().to_string());
    }

    pub fn set_on(&mut self, key: &'static str, on: bool) {
        self.toggles.insert(key, on);
    }

    pub fn set_choice(&mut self, key: &'static str, choice: usize) {
        self.choices.insert(key, choice);
    }
}

impl Answers for Given {
    fn text(&self, key: &str) -> String {
        self.texts.get(key).cloned().unwrap_or_default()
    }
    fn on(&self, key: &str) -> bool {
        self.toggles.get(key).copied().unwrap_or(false)
    }
    fn choice(&self, key: &str) -> usize {
        self.choices.get(key).copied().unwrap_or(0)
    }
}

/// What this setup created (not adopted) of a kind, by its recorded ID.
pub(crate) fn made_by_setup(adopted: Option<&String>, recorded: Option<&String>) -> Option<String> {
    adopted.is_none().then(|| recorded.cloned()).flatten()
}

/// The items a choice offers, first the setup's own: "create" (or, once the setup has created
/// it, the item itself "created by this setup"), then the account's other items. The chosen
/// index is the item whose ID the answers name (0, the setup's own, when none does).
pub(crate) fn pick_or_create(
    create: &str,
    items: &[Listed],
    chosen_id: Option<&String>,
    made: Option<&String>,
) -> (Vec<String>, Vec<Listed>, usize) {
    let own = made.and_then(|id| items.iter().find(|i| i.id == *id));
    let mut options = vec![match own {
        Some(item) => format!("{} ({}) · created by this setup", item.name, item.id),
        None => create.to_string(),
    }];
    let others: Vec<Listed> = items
        .iter()
        .filter(|i| Some(&i.id) != made)
        .cloned()
        .collect();
    let mut chosen = 0;
    for (i, item) in others.iter().enumerate() {
        options.push(format!("{} ({})", item.name, item.id));
        if chosen_id.is_some_and(|c| *c == item.id) {
            chosen = i + 1;
        }
    }
    (options, others, chosen)
}

/// The account's pools a choice offers after the setup's own (see `pick_or_create`).
fn other_pools(state: &State, found: &Found) -> Vec<Listed> {
    let made = made_by_setup(
        state.answers.user_pool.id.as_ref(),
        state.aws.user_pool_id.as_ref(),
    );
    pick_or_create("", &found.pools, None, made.as_ref()).1
}

fn other_clients(state: &State, found: &Found) -> Vec<Listed> {
    let made = made_by_setup(
        state.answers.app_client.id.as_ref(),
        state.aws.client_id.as_ref(),
    );
    pick_or_create("", &found.clients, None, made.as_ref()).1
}

/// The domain an adopted pool already has, which the setup keeps (a pool the setup created
/// has the domain the setup asked for, and the question stays).
fn kept_domain<'a>(state: &State, found: &'a Found) -> Option<&'a String> {
    found
        .pool_domain
        .as_ref()
        .filter(|_| state.answers.user_pool.id.is_some())
}

/// A domain prefix offered for a setup name: lower case, hyphens for what prefixes refuse.
fn prefix_for(name: &str) -> String {
    format!(
        "{}-login",
        name.to_ascii_lowercase().replace(['_', '.'], "-")
    )
}

/// The questions of `step`, filled with the saved answers. Steps without questions (the
/// checklists, the mapping table, the review) give none.
pub fn questions(step: Step, state: &State, found: &Found, secret: Option<&str>) -> Vec<Question> {
    let setup = &state.answers;
    match step {
        Step::Protocol | Step::AwsAccount => {
            let mut profiles = if found.profiles.is_empty() {
                "none found in ~/.aws/config; `aws configure` or `aws configure sso` makes one"
                    .to_string()
            } else {
                format!("yours: {}", found.profiles.join(", "))
            };
            if !found.credentials.is_empty() {
                profiles = format!("{profiles}; credentials now: {}", found.credentials);
            }
            let profile = found.profile.with_saved(state.aws.profile.as_deref()).value;
            let region = found.region.with_saved(Some(&setup.region)).value;
            vec![
                Question::text("profile", "AWS profile", &profiles, "", &profile),
                Question::text(
                    "region",
                    "Region",
                    "where the user pool lives, e.g. eu-central-1",
                    "",
                    &region,
                ),
            ]
        }
        Step::UserPool => {
            let signed_in = found.identity.as_ref().map(|who| Question {
                text: who.clone(),
                default: who.clone(),
                ..Question::new(
                    "identity",
                    "AWS identity",
                    &format!("credentials from {}", found.credentials),
                    Input::Shown,
                )
            });
            let made = made_by_setup(setup.user_pool.id.as_ref(), state.aws.user_pool_id.as_ref());
            let (mut options, others, chosen) = pick_or_create(
                "Create a new pool",
                &found.pools,
                setup.user_pool.id.as_ref(),
                made.as_ref(),
            );
            // Adopting a pool another saved setup uses is said where it is chosen.
            for (option, pool) in options.iter_mut().skip(1).zip(&others) {
                if let Some(used) = found.used_by(&pool.id, &setup.name) {
                    option.push_str(&format!(" · {used}"));
                }
            }
            let mut asked: Vec<Question> = signed_in.into_iter().collect();
            // A pool the setup made has its name: nothing to ask.
            let name_asked = made.is_none();
            asked.extend([
                Question::choice(
                    "pool",
                    "User pool",
                    "one of the account's pools, or a new one; Entra's users are billed as federated users",
                    options,
                    chosen,
                ),
                Question::text(
                    "name",
                    "New pool's name",
                    "the pool holds the users Entra signs in",
                    setup.user_pool.name.as_deref().unwrap_or(""),
                    &format!("{}-users", setup.name),
                ),
            ]);
            if !name_asked {
                asked.retain(|q| q.key != "name");
            }
            asked
        }
        Step::Domain => match kept_domain(state, found) {
            Some(kept) => vec![Question {
                text: kept.clone(),
                default: kept.clone(),
                ..Question::new(
                    "kept",
                    "Domain",
                    "the pool has this Cognito domain; it is kept",
                    Input::Shown,
                )
            }],
            None => vec![
                Question::text(
                    "prefix",
                    "Domain prefix",
                    "<prefix>.auth.<region>.amazoncognito.com; lower case, digits, hyphens; no aws, amazon, cognito",
                    setup.domain.prefix.as_deref().unwrap_or(""),
                    &prefix_for(&setup.name),
                ),
                Question::toggle(
                    "managed_login",
                    "Managed login pages",
                    "the newer sign-in pages (off: the classic hosted UI)",
                    setup.domain.managed_login,
                ),
            ],
        },
        Step::AppClient => {
            let made = made_by_setup(setup.app_client.id.as_ref(), state.aws.client_id.as_ref());
            let (options, _, chosen) = pick_or_create(
                "Create a new app client",
                &found.clients,
                setup.app_client.id.as_ref(),
                made.as_ref(),
            );
            let c = &setup.app_client;
            vec![
                Question::choice(
                    "client",
                    "App client",
                    "the app's client in the pool, or a new one",
                    options,
                    chosen,
                ),
                Question::text(
                    "name",
                    "Client name",
                    "how the app client is called in Cognito",
                    c.name.as_deref().unwrap_or(""),
                    "web",
                ),
                Question::text(
                    "callback_urls",
                    "Callback URLs",
                    "where the app receives ?code=…; HTTPS, or http://localhost:PORT; several: comma-separated",
                    &c.callback_urls.join(", "),
                    "",
                ),
                Question::text(
                    "logout_urls",
                    "Sign-out URLs",
                    "where users land after signing out (optional)",
                    &c.logout_urls.join(", "),
                    "",
                ),
                Question::text(
                    "scopes",
                    "Scopes",
                    "add aws.cognito.signin.user.admin when the front end reads attributes (Amplify)",
                    &c.scopes.join(" "),
                    "openid email profile",
                ),
                Question::toggle(
                    "secret",
                    "Client secret",
                    "for confidential back ends; a browser app has none",
                    c.generate_secret,
                ),
                Question::toggle(
                    "only_entra",
                    "Only Entra on this client",
                    "takes COGNITO and other providers off (IdP-initiated SAML needs it); Cognito passwords then stop working through this client",
                    c.remove_other_providers,
                ),
            ]
        }
        Step::Provider => {
            let mut out = vec![Question::text(
                "name",
                "Provider name",
                "3-32 characters, no spaces or '_'; apps pass it as identity_provider=",
                setup.provider.name.as_deref().unwrap_or(""),
                setup.protocol.default_provider_name(),
            )];
            let identifiers = setup.provider.identifiers.clone().unwrap_or_default();
            out.push(Question::text(
                "identifiers",
                "Identifiers",
                match setup.protocol {
                    Protocol::Saml => "optional: email domains (example.com) whose users the sign-in page sends here, or names apps pass as idp_identifier=; comma-separated",
                    Protocol::Oidc => "optional: names apps pass as idp_identifier= to come here; comma-separated",
                },
                &identifiers.join(", "),
                "",
            ));
            match setup.protocol {
                Protocol::Saml => {
                    let s = setup.saml();
                    out.push(Question::toggle(
                        "idp_initiated",
                        "Sign-in from My Apps",
                        "IdP-initiated; costs: the client may list only SAML providers",
                        s.idp_initiated,
                    ));
                    out.push(Question::toggle(
                        "sign_requests",
                        "Signed requests",
                        "Cognito signs its requests; costs: upload Cognito's certificate to Entra",
                        s.sign_requests,
                    ));
                    out.push(Question::toggle(
                        "encrypted_responses",
                        "Encrypted assertions",
                        "Entra encrypts; costs: import and activate Cognito's certificate in Entra first",
                        s.encrypted_responses,
                    ));
                    out.push(Question::toggle(
                        "idp_signout",
                        "Sign out of Entra too",
                        "costs: a Logout Url and Cognito's certificate in Entra",
                        s.idp_signout,
                    ));
                }
                Protocol::Oidc => {
                    let method = setup.oidc().attributes_request_method;
                    out.push(Question::choice(
                        "method",
                        "Attributes request",
                        "how Cognito calls the user-info endpoint; GET unless your network needs POST",
                        vec!["GET".into(), "POST".into()],
                        usize::from(method == RequestMethod::Post),
                    ));
                }
            }
            out
        }
        Step::BackFromEntra => match setup.protocol {
            Protocol::Saml => {
                let s = setup.saml();
                let saved = s
                    .metadata_url
                    .as_deref()
                    .or(s.metadata_file.as_deref())
                    .unwrap_or("");
                vec![Question::text(
                    "metadata",
                    "App Federation Metadata Url",
                    "from Entra's SAML Certificates section (ends with ?appid=…); or the path of a downloaded Federation Metadata XML, which Cognito never refreshes",
                    saved,
                    "",
                )]
            }
            Protocol::Oidc => {
                let o = setup.oidc();
                vec![
                    Question::text(
                        "tenant_id",
                        "Directory (tenant) ID",
                        "a GUID, or a verified domain (Overview page of the app registration)",
                        o.tenant_id.as_deref().unwrap_or(""),
                        "",
                    ),
                    Question::text(
                        "client_id",
                        "Application (client) ID",
                        "a GUID (Overview page of the app registration)",
                        o.client_id.as_deref().unwrap_or(""),
                        "",
                    ),
                    // A secret in memory (typed before, or made by Graph) is kept on Enter.
                    if secret.is_some() {
                        Question {
                            text: secret.unwrap_or_default().to_string(),
                            required: (!provider_in_cognito(state)).then(|| {
                                "Cognito has no client secret for this provider yet: paste the Value (not the Secret ID) from Certificates & secrets".into()
                            }),
                            ..Question::new(
                                "secret",
                                "Client secret Value",
                                "already given, kept in memory only: Enter keeps it",
                                Input::Secret,
                            )
                        }
                    } else if provider_in_cognito(state) {
                        Question {
                            text: secret.unwrap_or_default().to_string(),
                            ..Question::new(
                                "secret",
                                "Client secret Value",
                                "kept in memory only; leave empty to keep the one Cognito has",
                                Input::Secret,
                            )
                        }
                    } else {
                        Question {
                            text: secret.unwrap_or_default().to_string(),
                            required: Some(if state.entra.graph.is_some() {
                                // A secret Graph made lived in memory only, and this session
                                // has none: a new one is one key away.
                                "Cognito has no client secret for this provider yet: go back (Esc) and press g on the Entra step to have a new one made, or paste a Value from Certificates & secrets".into()
                            } else {
                                "Cognito has no client secret for this provider yet: paste the Value (not the Secret ID) from Certificates & secrets".into()
                            }),
                            ..Question::new(
                                "secret",
                                "Client secret Value",
                                "Certificates & secrets › New client secret › Value; kept in memory only, never saved",
                                Input::Secret,
                            )
                        }
                    },
                    Question::text(
                        "expires",
                        "Secret expires on",
                        "YYYY-MM-DD, optional: later commands warn before it",
                        state.entra.client_secret_expires.as_deref().unwrap_or(""),
                        "",
                    ),
                ]
            }
        },
        _ => Vec::new(),
    }
}

/// Whether a question shows, given the answers so far (an adopted pool has no name to ask;
/// an adopted client keeps its name and secret).
pub fn shown(step: Step, key: &str, answers: &dyn Answers) -> bool {
    match step {
        Step::UserPool => key != "name" || answers.choice("pool") == 0,
        Step::AppClient => {
            let new = answers.choice("client") == 0;
            match key {
                "client" => true,
                "only_entra" => !new,
                "name" | "secret" => new,
                _ => true,
            }
        }
        _ => true,
    }
}

/// What is wrong with the answer to `key` as it stands (`None`: fine). The step's whole
/// answers are there for the rules that depend on another answer.
pub fn problem(step: Step, key: &str, answers: &dyn Answers) -> Option<String> {
    if !shown(step, key, answers) {
        return None;
    }
    let value = answers.text(key);
    let v = value.as_str();
    match (step, key) {
        (Step::AwsAccount, "region") => check(Answer::Region(v)),
        (Step::UserPool, "name") => check(Answer::PoolName(v)),
        (Step::Domain, "prefix") => check(Answer::DomainPrefix(v)),
        (Step::AppClient, "callback_urls") => check(Answer::CallbackUrls {
            typed: v,
            new_client: answers.choice("client") == 0,
        }),
        (Step::AppClient, "logout_urls") => check(Answer::LogoutUrls(v)),
        (Step::AppClient, "scopes") => check(Answer::Scopes(v)),
        (Step::AppClient, "name") => check(Answer::ClientName(v)),
        (Step::Provider, "name") => check(Answer::ProviderName(v)),
        (Step::Provider, "identifiers") => check(Answer::Identifiers(v)),
        (Step::Provider, "sign_requests")
            if answers.on("sign_requests") && answers.on("idp_initiated") =>
        {
            let (problem, _) = crate::setup::validate::SIGNED_REQUESTS_AND_IDP_INITIATED;
            Some(format!(
                "{problem}: choose one — turn off \"Signed requests\", or \"Sign-in from My Apps\""
            ))
        }
        (Step::BackFromEntra, "tenant_id") => check(Answer::TenantId(v)),
        (Step::BackFromEntra, "client_id") => check(Answer::ClientId(v)),
        (Step::BackFromEntra, "expires") => check(Answer::SecretExpiry(v)),
        _ => None,
    }
}

/// `problem`, for the step being confirmed: what may stay empty while typing must be given
/// (`required`: the question's own reason, for a question that must be answered).
pub fn problem_on_confirm(
    step: Step,
    key: &str,
    required: Option<&str>,
    answers: &dyn Answers,
) -> Option<String> {
    if !shown(step, key, answers) {
        return None;
    }
    let value = answers.text(key);
    if let Some(why) = required.filter(|_| value.is_empty()) {
        return Some(why.to_string());
    }
    match (step, key) {
        (Step::BackFromEntra, "tenant_id") => check_given(Answer::TenantId(&value)),
        (Step::BackFromEntra, "client_id") => check_given(Answer::ClientId(&value)),
        (Step::BackFromEntra, "metadata") if value.is_empty() => Some(
            "paste the App Federation Metadata Url (SAML Certificates section), or the path of the downloaded XML"
                .into(),
        ),
        _ => problem(step, key, answers),
    }
}

/// What a step needs done once its answers are in the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Nothing: the step is done.
    Done,
    /// List the account's pools (proves the credentials and region work).
    ListPools,
    /// Read the adopted pool: its domain, required attributes and clients.
    ReadPool(String),
    /// Make sure the prefix is free or already the pool's own.
    CheckDomain(String),
    /// Create or adopt the pool, domain and client, so that the values for Entra exist.
    Prepare,
    /// Fetch or read the Entra metadata and judge it.
    CheckMetadata(String),
    /// Fetch the tenant's discovery document and judge it.
    CheckTenant(String),
}

impl Work {
    /// What the face shows while it runs.
    pub fn busy_text(&self) -> String {
        match self {
            Work::Done => String::new(),
            Work::ListPools => {
                "Checking your AWS credentials: listing the account's user pools…".into()
            }
            Work::ReadPool(_) => "Reading the pool…".into(),
            Work::CheckDomain(prefix) => format!("Checking that {prefix} is free…"),
            Work::Prepare => "Preparing Cognito: user pool, domain, app client…".into(),
            Work::CheckMetadata(source) if source.contains("://") => {
                "Fetching the metadata…".into()
            }
            Work::CheckMetadata(_) => "Reading the metadata file…".into(),
            Work::CheckTenant(tenant) => format!("Checking tenant {tenant}…"),
        }
    }
}

/// What must be read before a step can ask its questions: the account's pools for the pool
/// step, an adopted pool (its domain, clients and required attributes) for the steps that
/// offer them — after a resume nothing of it is in memory.
pub fn work_before(step: Step, state: &State, found: &Found) -> Option<Work> {
    // The setup's pool, adopted or created by it: its clients are offered either way.
    let unread_pool = state
        .pool_id()
        .map(str::to_string)
        .filter(|id| found.pool_read.as_ref() != Some(id));
    let made_pool = made_by_setup(
        state.answers.user_pool.id.as_ref(),
        state.aws.user_pool_id.as_ref(),
    );
    let made_unlisted = made_pool.is_some_and(|id| !found.pools.iter().any(|p| p.id == id));
    match step {
        // The setup's own pool, made since the list was read, is offered too.
        Step::UserPool if !found.pools_listed || made_unlisted => Some(Work::ListPools),
        Step::Domain | Step::AppClient | Step::AttributeMapping => unread_pool.map(Work::ReadPool),
        _ => None,
    }
}

/// Puts the step's answers into the state (and the secret into memory) and says what work
/// comes next. Call it once every shown question is free of `problem_on_confirm`.
pub fn commit(
    step: Step,
    answers: &dyn Answers,
    found: &mut Found,
    state: &mut State,
    secret: &mut Option<String>,
) -> Work {
    let setup = &mut state.answers;
    match step {
        Step::Protocol | Step::AwsAccount => {
            setup.region = answers.text("region");
            state.aws.profile = Some(answers.text("profile"));
            found.pools.clear();
            found.pools_listed = false;
            Work::ListPools
        }
        Step::UserPool => {
            let choice = answers.choice("pool");
            let others = other_pools(state, found);
            let setup = &mut state.answers;
            found.clients.clear();
            found.pool_domain = None;
            found.pool_read = None;
            match others.get(choice.wrapping_sub(1)) {
                Some(pool) => {
                    setup.user_pool = UserPool {
                        id: Some(pool.id.clone()),
                        name: None,
                    };
                    // Read next: its required attributes are the pool's.
                    state.aws.required_attributes = None;
                    Work::ReadPool(pool.id.clone())
                }
                None => {
                    // The setup's own pool keeps its name (it is not asked again).
                    let typed = answers.text("name");
                    let name = if typed.is_empty() {
                        setup.user_pool.name.clone()
                    } else {
                        Some(typed)
                    };
                    setup.user_pool = UserPool { id: None, name };
                    // A new pool requires nothing.
                    state.aws.required_attributes = Some(Vec::new());
                    Work::Done
                }
            }
        }
        Step::Domain => match kept_domain(state, found).cloned() {
            Some(kept) => {
                let setup = &mut state.answers;
                setup.domain = Domain {
                    prefix: Some(kept.clone()),
                    ..Domain::default()
                };
                Work::Done
            }
            None => {
                let setup = &mut state.answers;
                let prefix = answers.text("prefix");
                setup.domain = Domain {
                    prefix: Some(prefix.clone()),
                    custom: None,
                    managed_login: answers.on("managed_login"),
                };
                Work::CheckDomain(prefix)
            }
        },
        Step::AppClient => {
            let choice = answers.choice("client");
            let others = other_clients(state, found);
            let setup = &mut state.answers;
            let callback_urls = parse_list(&answers.text("callback_urls"));
            let logout_urls = parse_list(&answers.text("logout_urls"));
            let scopes = parse_list(&answers.text("scopes"));
            // Said only in a setup file; the wizard's answers keep it.
            let exact_lists = setup.app_client.exact_lists;
            setup.app_client = match others.get(choice.wrapping_sub(1)) {
                None => AppClient {
                    name: Some(answers.text("name")),
                    callback_urls,
                    logout_urls,
                    scopes,
                    generate_secret: answers.on("secret"),
                    ..AppClient::default()
                },
                Some(adopted) => AppClient {
                    id: Some(adopted.id.clone()),
                    callback_urls,
                    logout_urls,
                    scopes,
                    remove_other_providers: answers.on("only_entra"),
                    exact_lists,
                    ..AppClient::default()
                },
            };
            Work::Done
        }
        Step::Provider => {
            setup.provider.name = Some(answers.text("name"));
            let identifiers = parse_list(&answers.text("identifiers"));
            // Left empty, an adopted provider keeps its own; emptied, the saved ones go.
            if !(identifiers.is_empty() && setup.provider.identifiers.is_none()) {
                setup.provider.identifiers = Some(identifiers);
            }
            match setup.protocol {
                Protocol::Saml => {
                    let mut s = setup.saml();
                    s.idp_initiated = answers.on("idp_initiated");
                    s.sign_requests = answers.on("sign_requests");
                    s.encrypted_responses = answers.on("encrypted_responses");
                    s.idp_signout = answers.on("idp_signout");
                    // IdP-initiated sign-in works only on a client that lists SAML providers
                    // alone; a new client is made that way.
                    if setup.app_client.id.is_none() && s.idp_initiated {
                        setup.app_client.allow_cognito_sign_in = Some(false);
                    }
                    setup.saml = Some(s);
                }
                Protocol::Oidc => {
                    let mut o = setup.oidc();
                    o.attributes_request_method = if answers.choice("method") == 1 {
                        RequestMethod::Post
                    } else {
                        RequestMethod::Get
                    };
                    setup.oidc = Some(o);
                }
            }
            Work::Prepare
        }
        Step::BackFromEntra => match setup.protocol {
            Protocol::Saml => {
                let source = answers.text("metadata");
                if source.is_empty() {
                    // Nothing given yet (a step left before it was answered): nothing to keep.
                    return Work::Done;
                }
                let mut s = setup.saml();
                if source.contains("://") {
                    s.metadata_url = Some(source.clone());
                    s.metadata_file = None;
                } else {
                    // A file is saved by its full path: resume may start elsewhere.
                    s.metadata_file = Some(
                        std::fs::canonicalize(&source)
                            .map_or_else(|_| source.clone(), |p| p.display().to_string()),
                    );
                    s.metadata_url = None;
                }
                setup.saml = Some(s);
                Work::CheckMetadata(source)
            }
            Protocol::Oidc => {
                let tenant = answers.text("tenant_id");
                let client = answers.text("client_id");
                let mut o = setup.oidc();
                // What is empty was not given yet: the saved answer is not wiped by it.
                if !tenant.is_empty() {
                    o.tenant_id = Some(tenant.clone());
                }
                if !client.is_empty() {
                    o.client_id = Some(client);
                }
                setup.oidc = Some(o);
                let typed = answers.text("secret");
                if !typed.is_empty() {
                    *secret = Some(typed);
                }
                let expires = answers.text("expires");
                state.entra.client_secret_expires = (!expires.is_empty()).then_some(expires);
                Work::CheckTenant(tenant)
            }
        },
        _ => Work::Done,
    }
}

/// The questions of one attribute mapping: a new mapping asks for the attribute and the
/// claim; a mapped or required attribute only for its claim.
pub fn mapping_questions(attribute: Option<&str>, claim: Option<&str>) -> Vec<Question> {
    let claim_hint = "the claim name Entra sends (Attributes & Claims); empty removes the mapping";
    match attribute {
        Some(attribute) => vec![
            Question {
                text: attribute.to_string(),
                default: attribute.to_string(),
                ..Question::new("attribute", "Cognito attribute", "", Input::Shown)
            },
            Question::text(
                "claim",
                &format!("Entra claim for {attribute}"),
                claim_hint,
                claim.unwrap_or(""),
                "",
            ),
        ],
        None => vec![
            Question::text(
                "attribute",
                "Cognito attribute",
                "standard (name, locale…) or custom:<name>",
                "",
                "",
            ),
            Question::text("claim", "Entra claim", claim_hint, "", ""),
        ],
    }
}

/// What is wrong with a mapping as answered (`None`: fine; an empty claim removes it).
pub fn mapping_problem(answers: &dyn Answers) -> Option<String> {
    let attribute = answers.text("attribute");
    let claim = answers.text("claim");
    if attribute.is_empty() {
        return Some("name the Cognito attribute, e.g. name or custom:department".into());
    }
    if claim.is_empty() {
        return None;
    }
    check(Answer::Mapping {
        attribute: &attribute,
        claim: &claim,
    })
}

/// Puts a mapping into the answers; an empty claim takes the attribute's mapping away.
pub fn commit_mapping(answers: &dyn Answers, state: &mut State) {
    let attribute = answers.text("attribute");
    let claim = answers.text("claim");
    let mut mapping = state.answers.attribute_mapping();
    if claim.is_empty() {
        mapping.remove(&attribute);
    } else {
        mapping.insert(attribute, claim);
    }
    state.answers.provider.attribute_mapping = mapping;
}

/// The mapping as the step lists it: each mapped attribute with its claim, then each
/// attribute the pool requires that nothing fills yet (`None`).
pub fn mapping_rows(state: &State) -> Vec<(String, Option<String>)> {
    let mapping = state.answers.attribute_mapping();
    let mut rows: Vec<(String, Option<String>)> = mapping
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    for r in state.required_attributes() {
        // `sub` is Cognito's own: the provider's subject fills it.
        if r != "sub" && !mapping.contains_key(r) {
            rows.push((r.clone(), None));
        }
    }
    rows
}

/// Why the mapping step cannot be left yet (`None`: it can).
pub fn mapping_unfinished(state: &State) -> Option<String> {
    let missing: Vec<String> = mapping_rows(state)
        .into_iter()
        .filter(|(_, c)| c.is_none())
        .map(|(a, _)| a)
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "the pool requires {}: map each to a claim Entra sends, or every first sign-in fails",
            missing.join(", ")
        )
    })
}

/// The question of the test step: a captured SAML response to check.
/// What "do it for me" asks before it signs in: who may sign in (SAML — an enterprise
/// application lets in only those assigned; assigning needs permissions the sign-in must ask
/// for). An OIDC app registration asks nothing.
pub fn before_graph_sign_in(setup: &crate::setup::Setup) -> Option<Question> {
    (setup.protocol == Protocol::Saml).then(|| assign_question(setup))
}

fn assign_question(setup: &crate::setup::Setup) -> Question {
    Question::text(
        "assign",
        "Who may sign in",
        "users (ada@contoso.com) and groups (their display name), comma-separated; empty: assign them later in Enterprise applications › Users and groups",
        &setup.entra.assign.join(", "),
        "",
    )
}

/// Keeps the answer to `before_graph_sign_in` in the setup, or says what is wrong with it.
pub fn commit_assign(setup: &mut crate::setup::Setup, text: &str) -> Result<(), String> {
    setup.entra.assign = assign_list(text)?;
    Ok(())
}

/// The answer to `before_graph_sign_in` as a list, or what is wrong with it (the setup file's
/// rule for `[entra] assign`). Group names may hold spaces: only commas separate.
pub fn assign_list(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for who in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if who.chars().count() > 256 {
            let head: String = who.chars().take(24).collect();
            return Err(format!(
                "\"{head}…\" is longer than a user principal name or group name can be: check it"
            ));
        }
        if out.iter().any(|o| o.eq_ignore_ascii_case(who)) {
            return Err(format!(
                "{who:?} is listed twice: list each user or group once"
            ));
        }
        out.push(who.to_string());
    }
    Ok(out)
}

pub fn saml_response_question() -> Question {
    Question::text(
        "response",
        "SAMLResponse",
        "in the browser's developer tools (Network), the POST to …/saml2/idpresponse carries it",
        "",
        "",
    )
}

/// Whether Cognito already has this setup's identity provider (the setup made or updated it):
/// then an OIDC client secret left empty keeps the one Cognito has.
pub fn provider_in_cognito(state: &State) -> bool {
    let name = state.answers.provider_name();
    ["create", "update"].iter().any(|verb| {
        state
            .progress
            .applied
            .iter()
            .any(|a| *a == format!("{verb} identity_provider {name}"))
    })
}

/// The setup name a new setup is offered: `corp-saml`, `corp-saml-2`, … — one not taken.
pub fn setup_name_default(protocol: Protocol, taken: &[String]) -> String {
    let base = format!("corp-{}", protocol.label().to_ascii_lowercase());
    let mut name = base.clone();
    let mut i = 2;
    while taken.contains(&name) {
        name = format!("{base}-{i}");
        i += 1;
    }
    name
}

/// The question that names a new setup.
pub fn setup_name_question(protocol: Protocol, taken: &[String]) -> Question {
    Question::text(
        "name",
        "Name this setup",
        "it names the saved state and the certificate files",
        "",
        &setup_name_default(protocol, taken),
    )
}

/// What is wrong with a new setup's name (`taken`: the saved setups' names).
pub fn setup_name_problem(name: &str, taken: &[String]) -> Option<String> {
    let name = name.trim();
    crate::setup::validate::check_setup_name(name)
        .map(|p| format!("{} — {}", p.problem, p.fix))
        .or_else(|| {
            taken.iter().any(|t| t == name).then(|| {
                format!("a saved setup is called {name}; resume it instead, or choose another name")
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Source;

    fn found() -> Found {
        let chosen = |v: &str| Chosen {
            value: v.into(),
            from: Source::Default,
        };
        Found::new(Vec::new(), chosen("default"), chosen("us-east-1"))
    }

    #[test]
    fn an_adopted_client_hides_what_it_keeps_and_a_new_one_what_it_cannot_have() {
        let mut a = Given::default();
        a.set_choice("client", 0);
        assert!(shown(Step::AppClient, "name", &a));
        assert!(!shown(Step::AppClient, "only_entra", &a));
        a.set_choice("client", 1);
        assert!(!shown(Step::AppClient, "name", &a));
        assert!(!shown(Step::AppClient, "secret", &a));
        assert!(shown(Step::AppClient, "only_entra", &a));
    }

    #[test]
    fn a_new_client_needs_a_callback_url_an_adopted_one_does_not() {
        let mut a = Given::default();
        a.set_choice("client", 0);
        assert!(problem(Step::AppClient, "callback_urls", &a).is_some());
        a.set_choice("client", 1);
        assert!(problem(Step::AppClient, "callback_urls", &a).is_none());
    }

    #[test]
    fn signed_requests_beside_my_apps_ask_for_a_choice_in_both_faces() {
        let mut a = Given::default();
        a.set_on("idp_initiated", true);
        a.set_on("sign_requests", true);
        let said = problem(Step::Provider, "sign_requests", &a).unwrap_or_default();
        assert!(said.contains("choose one"), "{said}");
        a.set_on("idp_initiated", false);
        assert!(problem(Step::Provider, "sign_requests", &a).is_none());
    }

    #[test]
    fn the_saved_answers_are_the_questions_answers() {
        let mut state = State::new(crate::setup::Setup::blank("corp-saml", Protocol::Saml));
        state.answers.domain.managed_login = true;
        state.answers.domain.prefix = Some("acme-login".into());
        let qs = questions(Step::Domain, &state, &found(), None);
        let given = Given::from_questions(&qs);
        assert_eq!(given.text("prefix"), "acme-login");
        assert!(given.on("managed_login"));
    }

    #[test]
    fn committing_the_domain_step_writes_the_answers_and_asks_for_the_check() {
        let mut state = State::new(crate::setup::Setup::blank("Corp_SSO", Protocol::Saml));
        let mut f = found();
        let qs = questions(Step::Domain, &state, &f, None);
        let given = Given::from_questions(&qs);
        assert_eq!(given.text("prefix"), "corp-sso-login");
        let work = commit(Step::Domain, &given, &mut f, &mut state, &mut None);
        assert_eq!(work, Work::CheckDomain("corp-sso-login".into()));
        assert_eq!(
            state.answers.domain.prefix.as_deref(),
            Some("corp-sso-login")
        );
    }

    /// The pool the setup made since the account's pools were listed is offered too: the
    /// list is read again (the picker offered only "Create a new pool" after going back).
    #[test]
    fn the_setups_own_pool_made_after_the_listing_is_listed_again() {
        let mut state = State::new(crate::setup::Setup::blank("corp", Protocol::Saml));
        let mut f = found();
        f.pools_listed = true;
        assert_eq!(work_before(Step::UserPool, &state, &f), None);
        state.aws.user_pool_id = Some("eu-west-1_made".into());
        assert_eq!(
            work_before(Step::UserPool, &state, &f),
            Some(Work::ListPools)
        );
        f.pools.push(Listed {
            id: "eu-west-1_made".into(),
            name: "corp-users".into(),
        });
        assert_eq!(work_before(Step::UserPool, &state, &f), None);
        let asked = questions(Step::UserPool, &state, &f, None);
        assert!(
            matches!(&asked[0].input, Input::Choice(o) if o[0].contains("created by this setup")),
            "{asked:?}"
        );
    }

    #[test]
    fn a_taken_setup_name_is_refused_and_the_default_skips_it() {
        let taken = vec!["corp-saml".to_string()];
        assert_eq!(setup_name_default(Protocol::Saml, &taken), "corp-saml-2");
        assert!(setup_name_problem("corp-saml", &taken).is_some());
        assert!(setup_name_problem("corp-saml-2", &taken).is_none());
    }
}
