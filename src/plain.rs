//! `cognito-entra wizard --plain`: the same journey as line prompts (inquire), for screen
//! readers, logs and simple terminals. It walks the core's steps, checks answers with the
//! core's rules, calls the same engine, and saves the same state after every step.

use std::io::IsTerminal;

use inquire::error::InquireError;
use inquire::validator::Validation;
use inquire::{Confirm, MultiSelect, Password, PasswordDisplayMode, Select, Text};

use cognito_entra::clipboard::Clipboard;
use cognito_entra::cognito::api::CognitoApi;
use cognito_entra::engine::{self, Job};
use cognito_entra::entra::fetch::{Fetcher, Limits};
use cognito_entra::entra::{Finding, Level, discovery, metadata};
use cognito_entra::journey::{
    ChecklistItem, Step, entra_checklist, finish_checklist, next_step, portal_values,
    progress_label,
};
use cognito_entra::setup::answers::{Answer, check, check_given};
use cognito_entra::setup::model::{AppClient, Domain, RequestMethod, UserPool};
use cognito_entra::setup::validate::check_setup_name;
use cognito_entra::setup::{Protocol, derive, parse_list};
use cognito_entra::state::{SetupLock, State, StateStore};

use crate::commands::{CommandResult, Context, EXIT_INTERRUPTED, EXIT_OK, Failure};

/// Why the prompts stopped.
enum Stop {
    /// Esc: saved, resume later.
    Saved,
    /// Ctrl-C.
    Interrupted,
    Failed(String),
}

impl From<InquireError> for Stop {
    fn from(e: InquireError) -> Self {
        match e {
            InquireError::OperationCanceled => Stop::Saved,
            InquireError::OperationInterrupted => Stop::Interrupted,
            other => Stop::Failed(format!("error: cannot prompt: {other}")),
        }
    }
}

type Flow<T> = Result<T, Stop>;

struct Session {
    given: cognito_entra::resolve::Given,
    authority: String,
    lock: SetupLock,
    state: State,
    runtime: tokio::runtime::Runtime,
    secret: Option<String>,
    clipboard: Clipboard,
    /// The adopted pool's domain, once read.
    pool_domain: Option<String>,
}

fn problem_text(p: cognito_entra::setup::Problem) -> String {
    format!("{} — {}", p.problem, p.fix)
}

fn validator<F>(check: F) -> impl Fn(&str) -> Result<Validation, inquire::CustomUserError> + Clone
where
    F: Fn(&str) -> Option<String> + Clone,
{
    move |input: &str| {
        Ok(check(input.trim()).map_or(Validation::Valid, |e| Validation::Invalid(e.into())))
    }
}

fn print_findings(findings: &[Finding]) {
    for f in findings {
        let mark = match f.level {
            Level::Error => "✗",
            Level::Warning => "!",
            Level::Info => "·",
        };
        outln!("  {mark} {}", f.message);
    }
}

pub fn run(ctx: &Context, setup: Option<&str>) -> CommandResult {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Failed(
            "error: the prompts need a terminal to read answers from\n  fix: in scripts, describe the setup in a file and run `cognito-entra apply --config FILE`".into(),
        ));
    }
    let store = ctx.store()?;
    let (lock, state) = match choose(&store, setup) {
        Ok(v) => v,
        Err(Stop::Saved) => return Ok(EXIT_OK),
        Err(Stop::Interrupted) => return Ok(EXIT_INTERRUPTED),
        Err(Stop::Failed(m)) => return Err(Failure::Failed(m)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("error: cannot start the async runtime: {e}")))?;
    let mut s = Session {
        given: ctx.given(),
        authority: ctx.global.authority.clone(),
        lock,
        state,
        runtime,
        secret: None,
        clipboard: Clipboard::new(ctx.clipboard_mode(), true),
        pool_domain: None,
    };
    let outcome = s.journey();
    let _ = s.lock.save(&mut s.state);
    let name = s.state.answers.name.clone();
    match outcome {
        Ok(()) => {
            outln!(
                "\nSetup {name} is complete. `cognito-entra values --setup {name}` shows the values again."
            );
            Ok(EXIT_OK)
        }
        Err(Stop::Saved) => {
            outln!(
                "\nSaved — run `cognito-entra wizard --plain` again to resume {name} where you left off."
            );
            Ok(EXIT_OK)
        }
        Err(Stop::Interrupted) => {
            outln!("\nStopped; answers so far are saved.");
            Ok(EXIT_INTERRUPTED)
        }
        Err(Stop::Failed(m)) => Err(Failure::Failed(m)),
    }
}

/// Picks a saved setup to resume, or names a new one; takes its lock.
fn choose(store: &StateStore, setup: Option<&str>) -> Flow<(SetupLock, State)> {
    let name_and_protocol = match setup {
        Some(name) => (name.to_string(), None),
        None => {
            let saved = store
                .list()
                .map_err(|e| Stop::Failed(format!("error: {e}")))?;
            let mut options: Vec<String> = saved
                .iter()
                .filter_map(|s| {
                    let state = s.state.as_ref().ok()?;
                    Some(format!(
                        "Resume {} ({}, {})",
                        s.name,
                        state.answers.protocol.label(),
                        progress_label(&state.progress.steps_done, state.answers.protocol)
                    ))
                })
                .collect();
            let resumable: Vec<String> = saved
                .iter()
                .filter(|s| s.state.is_ok())
                .map(|s| s.name.clone())
                .collect();
            options.push(
                "New SAML setup (enterprise application; sign-in from My Apps; group claims)"
                    .into(),
            );
            options.push("New OIDC setup (app registration; fewest portal steps)".into());
            let choice = Select::new(
                "Federate a Cognito user pool with Entra ID:",
                options.clone(),
            )
            .with_help_message(
                "multi-tenant Entra apps work with neither: Cognito trusts one issuer per provider",
            )
            .raw_prompt()?;
            if choice.index < resumable.len() {
                (resumable[choice.index].clone(), None)
            } else {
                let protocol = if choice.index == resumable.len() {
                    Protocol::Saml
                } else {
                    Protocol::Oidc
                };
                let default = format!("corp-{}", protocol.label().to_ascii_lowercase());
                let taken = resumable.clone();
                let name = Text::new("Name this setup:")
                    .with_default(&default)
                    .with_help_message("it names the saved state and the certificate files")
                    .with_validator(validator(move |v: &str| {
                        check_setup_name(v).map(problem_text).or_else(|| {
                            taken
                                .contains(&v.to_string())
                                .then(|| "a saved setup has this name; resume it instead".into())
                        })
                    }))
                    .prompt()?;
                (name.trim().to_string(), Some(protocol))
            }
        }
    };
    let (name, protocol) = name_and_protocol;
    let (lock, state) = store
        .open(&name, protocol)
        .map_err(|e| Stop::Failed(format!("error: {e}")))?;
    Ok((lock, state))
}

impl Session {
    fn job(&self) -> Job {
        Job::from_state(
            &self.state,
            &self.given,
            &self.authority,
            self.secret.clone(),
        )
    }

    fn done(&mut self, step: Step) -> Flow<()> {
        self.state.mark_done(&[step]);
        self.lock
            .save(&mut self.state)
            .map_err(|e| Stop::Failed(format!("error: {e}")))
    }

    fn journey(&mut self) -> Flow<()> {
        while let Some(step) = next_step(&self.state.progress.steps_done) {
            let protocol = self.state.answers.protocol;
            outln!(
                "\n== {}/{} · {}",
                step.number(),
                Step::ALL.len(),
                step.title(protocol)
            );
            match step {
                Step::Protocol => {}
                Step::AwsAccount => self.aws()?,
                Step::UserPool => self.user_pool()?,
                Step::Domain => self.domain()?,
                Step::AppClient => self.app_client()?,
                Step::Provider => self.provider()?,
                Step::EntraPortal => self.entra_portal()?,
                Step::BackFromEntra => self.back_from_entra()?,
                Step::AttributeMapping => self.mapping()?,
                Step::ReviewApply => self.review()?,
                Step::FinishInEntra => self.finish()?,
                Step::TestHandOver => self.hand_over()?,
            }
            self.done(step)?;
        }
        Ok(())
    }

    fn aws(&mut self) -> Flow<()> {
        let profiles = cognito_entra::cognito::profiles::list_profiles();
        loop {
            let profile_default =
                cognito_entra::resolve::profile(&self.given, self.state.aws.profile.as_deref())
                    .value;
            let profile = Text::new("AWS profile:")
                .with_default(&profile_default)
                .with_help_message(&if profiles.is_empty() {
                    "none found in ~/.aws/config".to_string()
                } else {
                    format!("yours: {}", profiles.join(", "))
                })
                .prompt()?;
            let default_region = cognito_entra::resolve::region(
                &self.given,
                Some(self.state.answers.region.as_str()),
            )
            .value;
            let region = Text::new("Region of the user pool:")
                .with_default(&default_region)
                .with_validator(validator(|v: &str| check(Answer::Region(v))))
                .prompt()?;
            self.state.aws.profile = Some(profile.trim().to_string());
            self.state.answers.region = region.trim().to_string();
            outln!("Checking your AWS credentials…");
            let job = self.job();
            match self.runtime.block_on(async {
                engine::api(&job)
                    .await?
                    .list_user_pools()
                    .await
                    .map_err(|e| engine::say(&e, &job.aws))
            }) {
                Ok(_) => return Ok(()),
                Err(advice) => outln!("{advice}"),
            }
        }
    }

    fn user_pool(&mut self) -> Flow<()> {
        let job = self.job();
        let pools = self
            .runtime
            .block_on(async {
                engine::api(&job)
                    .await?
                    .list_user_pools()
                    .await
                    .map_err(|e| engine::say(&e, &job.aws))
            })
            .map_err(Stop::Failed)?;
        let mut options = vec!["Create a new pool".to_string()];
        options.extend(pools.iter().map(|p| format!("{} ({})", p.name, p.id)));
        let choice = Select::new("User pool:", options).raw_prompt()?;
        if choice.index == 0 {
            let name = Text::new("New pool's name:")
                .with_default(&format!("{}-users", self.state.answers.name))
                .prompt()?;
            self.state.answers.user_pool = UserPool {
                id: None,
                name: Some(name.trim().to_string()),
            };
            self.pool_domain = None;
            self.state.aws.required_attributes = Some(Vec::new());
        } else {
            let id = pools[choice.index - 1].id.clone();
            let pool = self
                .runtime
                .block_on(async {
                    engine::api(&job)
                        .await?
                        .describe_user_pool(&id)
                        .await
                        .map_err(|e| engine::say(&e, &job.aws))
                })
                .map_err(Stop::Failed)?;
            self.pool_domain = pool.domain;
            self.state.aws.required_attributes = Some(pool.required_attributes);
            self.state.answers.user_pool = UserPool {
                id: Some(id),
                name: None,
            };
        }
        Ok(())
    }

    fn domain(&mut self) -> Flow<()> {
        if let Some(d) = self.pool_domain.clone() {
            outln!("The pool has the domain {d}; it is kept.");
            self.state.answers.domain = Domain {
                prefix: Some(d),
                ..Domain::default()
            };
            return Ok(());
        }
        loop {
            let prefix = Text::new("Domain prefix:")
                .with_default(&format!(
                    "{}-login",
                    self.state
                        .answers
                        .name
                        .to_ascii_lowercase()
                        .replace(['_', '.'], "-")
                ))
                .with_help_message("<prefix>.auth.<region>.amazoncognito.com")
                .with_validator(validator(|v: &str| check(Answer::DomainPrefix(v))))
                .prompt()?;
            let prefix = prefix.trim().to_string();
            let job = self.job();
            let owner = self
                .runtime
                .block_on(async {
                    engine::api(&job)
                        .await?
                        .describe_domain(&prefix)
                        .await
                        .map_err(|e| engine::say(&e, &job.aws))
                })
                .map_err(Stop::Failed)?;
            let ours = self.state.answers.user_pool.id.clone();
            if owner
                .as_ref()
                .is_some_and(|d| Some(&d.user_pool_id) != ours.as_ref())
            {
                outln!("{prefix} is taken by another user pool; choose another.");
                continue;
            }
            // The saved answer is the default, as in the wizard.
            let managed_login = Confirm::new("Managed login pages (the newer sign-in pages)?")
                .with_default(self.state.answers.domain.managed_login)
                .prompt()?;
            self.state.answers.domain = Domain {
                prefix: Some(prefix),
                custom: None,
                managed_login,
            };
            return Ok(());
        }
    }

    fn app_client(&mut self) -> Flow<()> {
        let job = self.job();
        let clients = match &self.state.answers.user_pool.id {
            Some(id) => self
                .runtime
                .block_on(async {
                    engine::api(&job)
                        .await?
                        .list_user_pool_clients(id)
                        .await
                        .map_err(|e| engine::say(&e, &job.aws))
                })
                .map_err(Stop::Failed)?,
            None => Vec::new(),
        };
        let mut options = vec!["Create a new app client".to_string()];
        options.extend(clients.iter().map(|c| format!("{} ({})", c.name, c.id)));
        let choice = Select::new("App client:", options).raw_prompt()?;
        let new = choice.index == 0;
        let urls = |label: &str, required: bool| -> Flow<Vec<String>> {
            let field = label.to_string();
            let answer = Text::new(label)
                .with_help_message("HTTPS, or http://localhost:PORT; several: comma-separated")
                .with_validator(validator(move |v: &str| {
                    if field.starts_with("Sign-out") {
                        check(Answer::LogoutUrls(v))
                    } else {
                        check(Answer::CallbackUrls {
                            typed: v,
                            new_client: required,
                        })
                    }
                }))
                .prompt()?;
            Ok(parse_list(&answer))
        };
        let callback_urls = urls(
            if new {
                "Callback URLs:"
            } else {
                "Callback URLs to add (optional):"
            },
            new,
        )?;
        let logout_urls = urls("Sign-out URLs (optional):", false)?;
        let scopes = parse_list(
            &Text::new("Scopes:")
                .with_default("openid email profile")
                .with_validator(validator(|v: &str| check(Answer::Scopes(v))))
                .prompt()?,
        );
        self.state.answers.app_client = if new {
            let name = Text::new("App client name:").with_default("web").prompt()?;
            let generate_secret = Confirm::new("Client secret (confidential back ends only)?")
                .with_default(false)
                .prompt()?;
            AppClient {
                name: Some(name.trim().to_string()),
                callback_urls,
                logout_urls,
                scopes,
                generate_secret,
                ..AppClient::default()
            }
        } else {
            {
                let only_entra = Confirm::new("Only Entra on this client (takes COGNITO and other providers off)?")
                .with_help_message("IdP-initiated SAML needs it; Cognito passwords then stop working through this client")
                .with_default(false)
                .prompt()?;
                AppClient {
                    id: Some(clients[choice.index - 1].id.clone()),
                    callback_urls,
                    logout_urls,
                    scopes,
                    remove_other_providers: only_entra,
                    ..AppClient::default()
                }
            }
        };
        Ok(())
    }

    fn provider(&mut self) -> Flow<()> {
        let protocol = self.state.answers.protocol;
        let name = Text::new("Provider name:")
            .with_default(protocol.default_provider_name())
            .with_validator(validator(|v: &str| check(Answer::ProviderName(v))))
            .prompt()?;
        self.state.answers.provider.name = Some(name.trim().to_string());
        match protocol {
            Protocol::Saml => {
                let mut s = self.state.answers.saml();
                s.idp_initiated = Confirm::new("Also sign in from My Apps (IdP-initiated)?")
                    .with_help_message("costs: the client may list only SAML providers")
                    .with_default(s.idp_initiated)
                    .prompt()?;
                s.sign_requests = Confirm::new("Sign authentication requests?")
                    .with_help_message("costs: upload Cognito's certificate to Entra")
                    .with_default(s.sign_requests)
                    .prompt()?;
                s.encrypted_responses = Confirm::new("Encrypted assertions?")
                    .with_help_message("costs: import and activate Cognito's certificate in Entra first, or sign-in fails")
                    .with_default(s.encrypted_responses)
                    .prompt()?;
                s.idp_signout = Confirm::new("Sign out of Entra too?")
                    .with_help_message("costs: a Logout Url and Cognito's certificate in Entra")
                    .with_default(s.idp_signout)
                    .prompt()?;
                if s.idp_initiated && self.state.answers.app_client.id.is_none() {
                    self.state.answers.app_client.allow_cognito_sign_in = Some(false);
                }
                self.state.answers.saml = Some(s);
            }
            Protocol::Oidc => {
                let method =
                    Select::new("Attributes request method:", vec!["GET", "POST"]).raw_prompt()?;
                let mut o = self.state.answers.oidc();
                o.attributes_request_method = if method.index == 1 {
                    RequestMethod::Post
                } else {
                    RequestMethod::Get
                };
                self.state.answers.oidc = Some(o);
            }
        }
        outln!("Preparing Cognito: user pool, domain, app client…");
        let job = self.job();
        let ids = self
            .runtime
            .block_on(engine::prepare(&job))
            .map_err(Stop::Failed)?;
        self.state.record_ids(&ids);
        Ok(())
    }

    fn tick(&mut self, items: &[ChecklistItem]) -> Flow<()> {
        let labels: Vec<&str> = items.iter().map(|i| i.label).collect();
        let ticked: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| self.state.progress.checklist.iter().any(|c| c == i.id))
            .map(|(n, _)| n)
            .collect();
        let chosen = MultiSelect::new("Done in Entra (Space ticks, Enter goes on):", labels)
            .with_default(&ticked)
            .raw_prompt()?;
        for item in items {
            self.state.progress.checklist.retain(|c| c != item.id);
        }
        for c in chosen {
            self.state
                .progress
                .checklist
                .push(items[c.index].id.to_string());
        }
        Ok(())
    }

    fn entra_portal(&mut self) -> Flow<()> {
        let setup = self.state.answers.clone();
        outln!(
            "{}",
            cognito_entra::journey::plain_text(
                &cognito_entra::journey::instructions(Step::EntraPortal, &setup)
                    .unwrap_or_default()
            )
        );
        let values = derive(&setup, &self.state.known(), &self.authority);
        let portal = portal_values(&setup, &values);
        for pv in &portal {
            outln!(
                "\n{}:\n  {}",
                pv.entra_field,
                pv.value.as_deref().unwrap_or("(pending)")
            );
        }
        loop {
            let mut options: Vec<String> = portal
                .iter()
                .map(|p| format!("Copy {}", p.entra_field))
                .collect();
            options.push("Go on".into());
            let choice = Select::new("", options).raw_prompt()?;
            let Some(pv) = portal.get(choice.index) else {
                break;
            };
            if let Some(v) = &pv.value {
                outln!("{}", self.clipboard.copy(v).message(pv.entra_field));
            }
        }
        self.tick(&entra_checklist(&setup))
    }

    fn back_from_entra(&mut self) -> Flow<()> {
        let fetcher =
            Fetcher::new(Limits::from_env()).map_err(|e| Stop::Failed(format!("error: {e}")))?;
        let now = time::OffsetDateTime::now_utc();
        outln!(
            "{}",
            cognito_entra::journey::plain_text(
                &cognito_entra::journey::instructions(Step::BackFromEntra, &self.state.answers)
                    .unwrap_or_default()
            )
        );
        loop {
            match self.state.answers.protocol {
                Protocol::Saml => {
                    let source =
                        Text::new("App Federation Metadata Url (or a metadata file's path):")
                            .prompt()?;
                    let source = source.trim().to_string();
                    let report = if source.contains("://") {
                        self.runtime.block_on(metadata::check_url(
                            &fetcher,
                            &source,
                            &self.authority,
                            now,
                        ))
                    } else {
                        metadata::check_file(std::path::Path::new(&source), now)
                    };
                    print_findings(&report.findings);
                    if let Some(m) = &report.metadata {
                        for fact in metadata::facts(m, now) {
                            outln!("  {} {} {}", fact.mark(), fact.label, fact.value);
                        }
                    }
                    if report.has_errors() {
                        continue;
                    }
                    let mut s = self.state.answers.saml();
                    if source.contains("://") {
                        s.metadata_url = Some(source);
                        s.metadata_file = None;
                    } else {
                        s.metadata_file = Some(
                            std::fs::canonicalize(&source)
                                .map_or(source, |p| p.display().to_string()),
                        );
                        s.metadata_url = None;
                    }
                    self.state.answers.saml = Some(s);
                    self.state.record_entra(
                        report.metadata.as_ref().and_then(|m| m.tenant_id.clone()),
                        report.metadata.as_ref(),
                    );
                    return Ok(());
                }
                Protocol::Oidc => {
                    let tenant = Text::new("Directory (tenant) ID:")
                        .with_validator(validator(|v: &str| check_given(Answer::TenantId(v))))
                        .prompt()?;
                    let client = Text::new("Application (client) ID:")
                        .with_validator(validator(|v: &str| check_given(Answer::ClientId(v))))
                        .prompt()?;
                    let secret =
                        Password::new("Client secret Value (leave empty to keep Cognito's):")
                            .without_confirmation()
                            .with_display_mode(PasswordDisplayMode::Masked)
                            .prompt()?;
                    let expires = Text::new("Secret expires on (YYYY-MM-DD, optional):")
                        .with_validator(validator(|v: &str| check(Answer::SecretExpiry(v))))
                        .prompt()?;
                    let report = self.runtime.block_on(discovery::check_tenant(
                        &fetcher,
                        &self.authority,
                        tenant.trim(),
                    ));
                    print_findings(&report.findings);
                    let Some(d) = report
                        .discovery
                        .filter(|_| !report.findings.iter().any(|f| f.level == Level::Error))
                    else {
                        continue;
                    };
                    outln!("  ✓ Issuer {}", d.issuer);
                    let mut o = self.state.answers.oidc();
                    o.tenant_id = Some(d.tenant_id.clone());
                    o.client_id = Some(client.trim().to_string());
                    self.state.answers.oidc = Some(o);
                    if !secret.trim().is_empty() {
                        self.secret = Some(secret.trim().to_string());
                    }
                    self.state.entra.client_secret_expires =
                        Some(expires.trim().to_string()).filter(|e| !e.is_empty());
                    self.state.record_entra(Some(d.tenant_id), None);
                    return Ok(());
                }
            }
        }
    }

    fn mapping(&mut self) -> Flow<()> {
        loop {
            let mapping = self.state.answers.attribute_mapping();
            for (attr, claim) in &mapping {
                outln!("  {attr:<14} ← {claim}");
            }
            if let Some(missing) = self
                .state
                .required_attributes()
                .iter()
                .find(|r| *r != "sub" && !mapping.contains_key(*r))
                .cloned()
            {
                let claim = Text::new(&format!(
                    "The pool requires {missing}; the Entra claim that fills it:"
                ))
                .prompt()?;
                let mut m = mapping.clone();
                m.insert(missing, claim.trim().to_string());
                self.state.answers.provider.attribute_mapping = m;
                continue;
            }
            if !Confirm::new("Change or add a mapping?")
                .with_default(false)
                .prompt()?
            {
                return Ok(());
            }
            let attr = Text::new("Cognito attribute:").prompt()?;
            let claim = Text::new("Entra claim (empty removes the mapping):").prompt()?;
            let mut m = mapping.clone();
            if claim.trim().is_empty() {
                m.remove(attr.trim());
            } else if let Some(problem) = check(Answer::Mapping {
                attribute: &attr,
                claim: &claim,
            }) {
                outln!("✗ {problem}");
                continue;
            } else {
                m.insert(attr.trim().to_string(), claim.trim().to_string());
            }
            self.state.answers.provider.attribute_mapping = m;
        }
    }

    fn review(&mut self) -> Flow<()> {
        let job = self.job();
        outln!("Planning: reading the account and checking Entra…");
        let mut reviewed = loop {
            match self.runtime.block_on(engine::full_plan(&job)) {
                Ok((plan, ..)) => break plan,
                Err(advice) => {
                    outln!("{advice}");
                    if !Confirm::new("Try again?").with_default(true).prompt()? {
                        return Err(Stop::Saved);
                    }
                }
            }
        };
        loop {
            out!("{}", reviewed.render());
            if !Confirm::new("Apply these changes?")
                .with_default(true)
                .prompt()?
            {
                return Err(Stop::Saved);
            }
            let total = reviewed.changes.len();
            let (state, lock) = (&mut self.state, &self.lock);
            let result =
                self.runtime
                    .block_on(engine::apply_reviewed(&job, &reviewed, |i, change, ids| {
                        // Recorded in the state file, then said: which change, not only its number.
                        state.record_ids(ids);
                        state.record_applied(change.id());
                        let _ = lock.save(state);
                        outln!("  ✓ {}/{total} {}", i + 1, change.describe());
                    }));
            match result {
                Ok(certs) => {
                    self.state.aws.certificates = certs.iter().map(|c| c.record.clone()).collect();
                    return Ok(());
                }
                Err(engine::NotApplied::Stale(now)) => {
                    outln!(
                        "! The account changed since this plan was made: nothing was written. This is what applying would do now:"
                    );
                    reviewed = now;
                }
                Err(engine::NotApplied::Failed(advice)) => {
                    outln!("✗ {advice}");
                    let _ = self.lock.save(&mut self.state);
                    if !Confirm::new("Retry?").with_default(true).prompt()? {
                        return Err(Stop::Saved);
                    }
                    outln!("Planning again…");
                    match self.runtime.block_on(engine::full_plan(&job)) {
                        Ok((plan, ..)) => reviewed = plan,
                        Err(advice) => {
                            outln!("{advice}");
                            return Err(Stop::Saved);
                        }
                    }
                }
            }
        }
    }

    fn finish(&mut self) -> Flow<()> {
        let setup = self.state.answers.clone();
        for c in &self.state.aws.certificates {
            outln!(
                "{} certificate {} (thumbprint {}, valid until {})",
                c.kind,
                c.file.as_deref().unwrap_or(""),
                c.thumbprint,
                c.not_after
            );
            if let Some(place) = cognito_entra::cognito::certs::entra_place(&setup, &c.kind) {
                outln!("  → {place}");
            }
        }
        outln!(
            "{}",
            cognito_entra::journey::plain_text(
                &cognito_entra::journey::instructions(Step::FinishInEntra, &setup)
                    .unwrap_or_default()
            )
        );
        self.tick(&finish_checklist(&setup))
    }

    fn hand_over(&mut self) -> Flow<()> {
        let setup = &self.state.answers;
        let values = derive(setup, &self.state.known(), &self.authority);
        outln!(
            "Sign-in URL (open it; your app then receives ?code=…):\n  {}",
            values.sign_in_url.clone().unwrap_or_default()
        );
        outln!(
            "\nFor your app:\n{}",
            cognito_entra::handover::block(setup, &values)
        );
        outln!(
            "As .env:\n{}",
            cognito_entra::handover::env_snippet(setup, &values)
        );
        if setup.protocol == Protocol::Saml {
            self.check_saml_responses(&values)?;
        }
        Ok(())
    }

    /// The test step's check of a captured SAML response, as often as the admin pastes one.
    fn check_saml_responses(&self, values: &cognito_entra::setup::Values) -> Flow<()> {
        outln!(
            "\nSign-in failed at Cognito? In the browser's developer tools (Network), the POST to …/saml2/idpresponse carries a SAMLResponse value: paste it to see why."
        );
        loop {
            let pasted = Text::new("SAMLResponse to check (Enter to finish):").prompt()?;
            let pasted = pasted.trim();
            if pasted.is_empty() {
                return Ok(());
            }
            match cognito_entra::saml_response::read_and_judge_saved(
                pasted.as_bytes(),
                time::OffsetDateTime::now_utc(),
                &self.state,
                values,
            ) {
                Err(why) => outln!("  ✗ {why}"),
                Ok(d) => {
                    if d.only_notes() {
                        outln!("  ✓ Nothing in this response stops Cognito.");
                    }
                    print_findings(&d.findings);
                    outln!(
                        "  NameID {} · Audience {}",
                        d.name_id.as_deref().unwrap_or("(none)"),
                        d.audience.as_deref().unwrap_or("(none)")
                    );
                }
            }
        }
    }
}
