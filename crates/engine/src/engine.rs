//! The interactive faces' engine: the steps of a wizard session that touch AWS and Entra
//! (prepare the pool, domain and client; plan; apply and write the certificates), each
//! returning advice text on failure. The wizard and the plain prompts both call these.

use std::path::{Path, PathBuf};

use crate::journey::questions::PoolRead;
use crate::journey::questions::{AccountRead, Listed};
use crate::plan::{self, Change, EntraInput, Options, Phase, Plan};
use crate::setup::{Known, Setup};
use crate::state::State;
use crate::teardown::{Present, Removal, Teardown, teardown};
use cognito_entra_cognito::advice::advice;
use cognito_entra_cognito::api::{ApiError, CognitoApi, ErrorKind};
use cognito_entra_cognito::apply::{ApplyError, Event, Ids, apply, apply_beside};
use cognito_entra_cognito::certs::{CertError, ForEntra, write_for_entra};
use cognito_entra_cognito::observe::{ObserveError, observe};
use cognito_entra_cognito::sdk::{AwsOptions, SdkCognito, connect};
use cognito_entra_entra::fetch::{Fetcher, Limits};
use cognito_entra_entra::input;

/// Everything a session step needs, copied out of the face's state.
#[derive(Debug, Clone)]
pub struct Job {
    pub setup: Setup,
    pub known: Known,
    pub aws: AwsOptions,
    pub authority: String,
    /// The OIDC client secret typed in this session (memory only).
    pub secret: Option<String>,
    /// Where certificate files are written.
    pub out_dir: PathBuf,
    /// Where relative paths in the setup (a metadata file) start from.
    pub base_dir: PathBuf,
    /// The other saved setups (their pool, provider and client), so this one never takes
    /// over what another made.
    pub others: Vec<plan::OtherSetup>,
}

impl Job {
    /// A session step for a saved setup; files go to and are read from the current folder.
    pub fn from_state(
        state: &State,
        given: &crate::resolve::Given,
        authority: &str,
        secret: Option<String>,
    ) -> Job {
        Job {
            setup: state.answers.clone(),
            known: state.known(),
            aws: crate::resolve::aws_options(
                given,
                state.aws.profile.as_deref(),
                &state.answers.region,
            ),
            authority: authority.to_string(),
            secret,
            out_dir: PathBuf::from("."),
            base_dir: PathBuf::from("."),
            others: Vec::new(),
        }
    }
}

/// A plan made against the live account, with what was found on the way.
pub struct Planned {
    pub plan: Plan,
    pub api: SdkCognito,
    /// The pool and client that exist now: apply starts from them.
    pub ids: Ids,
    pub entra: input::Checked,
    /// The adopted pool's required attributes (`None` for a pool apply will create).
    pub required_attributes: Option<Vec<String>>,
}

/// Why planning stopped; each face words it its own way.
#[derive(Debug)]
pub enum PlanError {
    /// What Entra serves is not usable (nothing was read from AWS).
    Entra(input::Unusable),
    Api(ApiError),
    Refused(Vec<plan::Refusal>),
    Other(String),
}

impl PlanError {
    /// The typed error, for the interactive faces.
    pub fn error(&self, aws: &AwsOptions) -> Error {
        match self {
            PlanError::Entra(_) => Error::Entra(self.text(aws)),
            PlanError::Api(e) => Error::aws(e, aws),
            PlanError::Refused(_) if self.wants_secret() => Error::SecretNeeded(
                "Cognito has no client secret for this provider yet, and a typed secret is kept in memory only: this session has none".into(),
            ),
            PlanError::Refused(_) => Error::Refused(self.text(aws)),
            PlanError::Other(why) => Error::Local(why.clone()),
        }
    }

    /// The advice as one text, for the interactive faces.
    pub fn text(&self, aws: &AwsOptions) -> String {
        match self {
            PlanError::Entra(u) => {
                let errors: Vec<String> = u.findings.iter().map(|f| f.message.clone()).collect();
                format!("{} is not usable: {}", u.what, errors.join("; "))
            }
            PlanError::Api(e) => say(e, aws),
            PlanError::Refused(r) => refusals(r.clone()),
            PlanError::Other(why) => why.clone(),
        }
    }

    /// The refusal a typed client secret would lift (a new OIDC provider, no secret given).
    pub fn wants_secret(&self) -> bool {
        matches!(self, PlanError::Refused(r) if r.iter().any(|r| r.field == "client secret"))
    }
}

/// Why session work stopped, typed so that a face can tell a passing fault (retry may help)
/// from a refusal (the setup or the account must change first). Its text is the advice: what
/// happened and the fix, secrets masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// AWS did not do it: the call was refused, failed or did not answer.
    #[error("{advice}")]
    Aws { kind: ErrorKind, advice: String },
    /// The setup, or what the account holds, must change first: trying again changes nothing.
    #[error("{0}")]
    Refused(String),
    /// What Entra serves is not usable yet.
    #[error("{0}")]
    Entra(String),
    /// A file on this machine could not be read or written.
    #[error("{0}")]
    Local(String),
    /// AWS has not finished what it was asked (a certificate not made yet): it comes.
    #[error("{0}")]
    NotReady(String),
    /// A new OIDC provider needs the client secret, and this session has none (a typed
    /// secret is never saved): the face asks for it where it asks for secrets.
    #[error("{0}")]
    SecretNeeded(String),
}

impl Error {
    pub(crate) fn aws(e: &ApiError, aws: &AwsOptions) -> Error {
        Error::Aws {
            kind: e.kind.clone(),
            advice: say(e, aws),
        }
    }

    /// Whether trying the same again may work: the network, a time limit, a busy or failing
    /// service. A refusal, a denied permission or bad input does not pass by itself.
    pub fn may_pass(&self) -> bool {
        matches!(
            self,
            Error::NotReady(_)
                | Error::Aws {
                    kind: ErrorKind::Network
                        | ErrorKind::Timeout
                        | ErrorKind::ServerError
                        | ErrorKind::Throttled,
                    ..
                }
        )
    }
}

/// Advice for an API error; with no credentials at all, also the way to try without AWS.
pub fn say(e: &ApiError, aws: &AwsOptions) -> String {
    let mut text = advice(e, Some(&aws.effective_profile()), &aws.region);
    if e.kind == ErrorKind::NoCredentials {
        text.push_str(
            "\nNo AWS account at hand? scripts/try opens the wizard on a local Cognito emulator.",
        );
    }
    text
}

pub async fn api(job: &Job) -> Result<SdkCognito, Error> {
    connect(&job.aws)
        .await
        .map_err(|e| Error::aws(&e, &job.aws))
}

fn observe_error(e: ObserveError, aws: &AwsOptions) -> Error {
    match e {
        ObserveError::Api(e) => Error::aws(&e, aws),
        ObserveError::Refused(r) => Error::Refused(refusals(r)),
    }
}

fn refusals(r: Vec<plan::Refusal>) -> String {
    r.iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The pool and client that exist now: apply starts from them.
fn ids_of(observed: &plan::Observed) -> Ids {
    Ids {
        user_pool_id: observed.pool.as_ref().map(|p| p.id.clone()),
        client_id: observed.client.as_ref().and_then(|c| c.client_id.clone()),
    }
}

/// What the questions offer before anything is read from AWS: the machine's profiles, and
/// the profile and region the flags and the environment choose (the saved setup is laid
/// over them at each step).
pub fn found(given: &crate::resolve::Given) -> crate::journey::questions::Found {
    let mut found = crate::journey::questions::Found::new(
        cognito_entra_cognito::profiles::list_profiles(),
        crate::resolve::profile(given, None),
        crate::resolve::region(given, None),
    );
    found.credentials = credentials_source(given);
    found
}

/// Where the SDK will take the credentials from, as the environment tells (the SDK's own
/// order: the environment's keys before any profile).
fn credentials_source(given: &crate::resolve::Given) -> String {
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    if set("AWS_ACCESS_KEY_ID") {
        "the environment (AWS_ACCESS_KEY_ID), which comes before any profile".into()
    } else if let Some(p) = given.profile.as_deref() {
        format!("profile {p} (--profile)")
    } else if set("AWS_PROFILE") {
        format!(
            "profile {} (AWS_PROFILE)",
            std::env::var("AWS_PROFILE").unwrap_or_default()
        )
    } else if set("AWS_WEB_IDENTITY_TOKEN_FILE") || set("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
        "the environment's role (web identity or container credentials)".into()
    } else {
        "the chosen profile, else an instance or container role".into()
    }
}

/// The account's pools, as the pool step offers them (listing them also proves the
/// credentials and the region work).
pub async fn list_pools(job: &Job) -> Result<AccountRead, Error> {
    let api = api(job).await?;
    let (pools, identity) =
        futures_util::future::join(api.list_user_pools(), api.caller_identity()).await;
    let pools = pools.map_err(|e| Error::aws(&e, &job.aws))?;
    Ok(AccountRead {
        pools: pools
            .into_iter()
            .map(|p| Listed {
                id: p.id,
                name: p.name,
            })
            .collect(),
        // Not fatal: an emulator or a proxy may not answer STS; the pools prove the access.
        identity: identity
            .ok()
            .map(|(account, arn)| format!("{arn} (account {account})")),
    })
}

/// What the journey needs of an adopted pool: its domain, required attributes and clients,
/// read at once.
pub async fn read_pool(job: &Job, id: &str) -> Result<PoolRead, Error> {
    let api = api(job).await?;
    let (pool, clients) =
        futures_util::future::join(api.describe_user_pool(id), api.list_user_pool_clients(id))
            .await;
    let pool = pool.map_err(|e| Error::aws(&e, &job.aws))?;
    let clients = clients.map_err(|e| Error::aws(&e, &job.aws))?;
    Ok(PoolRead {
        id: id.to_string(),
        domain: pool.domain,
        required: pool.required_attributes,
        clients: clients
            .into_iter()
            .map(|c| Listed {
                id: c.id,
                name: c.name,
            })
            .collect(),
    })
}

/// The pool that holds a domain prefix (`None`: it is free).
pub async fn domain_owner(job: &Job, prefix: &str) -> Result<Option<String>, Error> {
    let api = api(job).await?;
    api.describe_domain(prefix)
        .await
        .map(|d| d.map(|d| d.user_pool_id))
        .map_err(|e| Error::aws(&e, &job.aws))
}

/// One HTTPS client for a piece of work: building one loads the trust store, so work that
/// fetches twice (doctor) builds it once. Why it could not be built is a finding.
pub(crate) fn fetcher() -> Result<Fetcher, String> {
    Fetcher::new(Limits::from_env()).map_err(|e| e.to_string())
}

/// The Entra metadata at a URL (fetched) or in a file (read, relative to `base_dir`), judged.
pub async fn check_metadata(
    source: &str,
    authority: &str,
    base_dir: &Path,
) -> cognito_entra_entra::metadata::Report {
    metadata_with(&fetcher(), source, authority, base_dir).await
}

pub(crate) async fn metadata_with(
    fetcher: &Result<Fetcher, String>,
    source: &str,
    authority: &str,
    base_dir: &Path,
) -> cognito_entra_entra::metadata::Report {
    use cognito_entra_entra::metadata;
    let now = time::OffsetDateTime::now_utc();
    if !source.contains("://") {
        return metadata::check_file(&base_dir.join(source), now);
    }
    match fetcher {
        Ok(f) => metadata::check_url(f, source, authority, now).await,
        Err(e) => metadata::Report {
            source: source.to_string(),
            metadata: None,
            findings: vec![cognito_entra_entra::Finding::error(e.clone())],
        },
    }
}

/// The tenant's discovery document, fetched and judged.
pub async fn check_tenant(tenant: &str, authority: &str) -> cognito_entra_entra::discovery::Report {
    tenant_with(&fetcher(), tenant, authority).await
}

pub(crate) async fn tenant_with(
    fetcher: &Result<Fetcher, String>,
    tenant: &str,
    authority: &str,
) -> cognito_entra_entra::discovery::Report {
    use cognito_entra_entra::discovery;
    match fetcher {
        Ok(f) => discovery::check_tenant(f, authority, tenant).await,
        Err(e) => discovery::Report {
            tenant: tenant.to_string(),
            url: String::new(),
            discovery: None,
            findings: vec![cognito_entra_entra::Finding::error(e.clone())],
        },
    }
}

/// `Ok(None)` for "not found"; other errors stop with advice.
fn unless_not_found<T>(r: Result<T, ApiError>, aws: &AwsOptions) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::aws(&e, aws)),
    }
}

/// What `doctor` judges: the live pool, domain, providers, client and certificates, and what
/// Entra serves, read at once (one round trip). `Ok` with an empty pool when the setup names
/// none or the pool is gone.
pub async fn read_live(
    job: &Job,
    values: &crate::setup::Values,
) -> Result<crate::doctor::Live, Error> {
    read_live_with(&api(job).await?, &fetcher(), job, values).await
}

/// `read_live` on a connection and an HTTPS client already made (`doctor --all` reuses one
/// per region for every setup in it).
pub(crate) async fn read_live_with(
    api: &SdkCognito,
    fetcher: &Result<Fetcher, String>,
    job: &Job,
    values: &crate::setup::Values,
) -> Result<crate::doctor::Live, Error> {
    use crate::doctor::Live;
    use crate::setup::Protocol;
    use cognito_entra_entra::metadata::parse_certificate;
    let aws = &job.aws;
    let fail = |e: ApiError| Error::aws(&e, aws);
    let mut live = Live::default();
    let Some(pool_id) = values.user_pool_id.clone() else {
        return Ok(live);
    };
    let s = &job.setup;
    let domain = async {
        match &s.domain.prefix {
            Some(prefix) => api.describe_domain(prefix).await,
            None => Ok(None),
        }
    };
    let client = async {
        match &values.client_id {
            Some(id) => Some(api.describe_user_pool_client(&pool_id, id).await),
            None => None,
        }
    };
    let signing = async {
        match s.protocol {
            Protocol::Saml => Some(api.get_signing_certificate(&pool_id).await),
            Protocol::Oidc => None,
        }
    };
    let setup_metadata_url = s.saml.as_ref().and_then(|m| m.metadata_url.clone());
    let setup_metadata_file = s.saml.as_ref().and_then(|m| m.metadata_file.clone());
    let tenant = s.oidc.as_ref().and_then(|o| o.tenant_id.clone());
    let entra = async {
        match s.protocol {
            Protocol::Saml => match setup_metadata_url.as_ref().or(setup_metadata_file.as_ref()) {
                Some(source) => Some(Ok(metadata_with(
                    fetcher,
                    source,
                    &job.authority,
                    &job.base_dir,
                )
                .await)),
                None => None,
            },
            Protocol::Oidc => match &tenant {
                Some(tenant) => Some(Err(tenant_with(fetcher, tenant, &job.authority).await)),
                None => None,
            },
        }
    };
    let ((pool, domain, providers, provider), (client, signing, entra)) =
        futures_util::future::join(
            futures_util::future::join4(
                api.describe_user_pool(&pool_id),
                domain,
                api.list_identity_providers(&pool_id),
                api.describe_identity_provider(&pool_id, s.provider_name()),
            ),
            futures_util::future::join3(client, signing, entra),
        )
        .await;
    live.pool = unless_not_found(pool, aws)?;
    if live.pool.is_none() {
        return Ok(live);
    }
    live.domain = domain.map_err(fail)?;
    live.providers = providers.map_err(fail)?;
    live.provider = provider.map_err(fail)?;
    if let Some(client) = client {
        live.client = unless_not_found(client, aws)?;
    }
    if let Some(Ok(cert)) = signing {
        live.signing_certificate = parse_certificate(&cert).ok();
    }
    let details = live
        .provider
        .as_ref()
        .map(|p| p.details.clone())
        .unwrap_or_default();
    live.encryption_certificate = details
        .get("ActiveEncryptionCertificate")
        .and_then(|c| parse_certificate(&c.split_whitespace().collect::<String>()).ok());
    match entra {
        Some(Ok(metadata)) => live.metadata = Some(metadata),
        Some(Err(discovery)) => live.discovery = Some(discovery),
        None => {}
    }
    // What Cognito uses is what matters: when the live provider names another metadata URL
    // than the setup, that one is checked (a second round trip, only then).
    if let Some(live_url) = details.get("MetadataURL")
        && setup_metadata_url.as_deref() != Some(live_url.as_str())
    {
        live.metadata = Some(metadata_with(fetcher, live_url, &job.authority, &job.base_dir).await);
    }
    Ok(live)
}

/// Phase one, planned: the pool, domain and client the Entra values name, as far as they do
/// not exist yet. The faces show it and ask before anything is created.
pub async fn prepare_plan(job: &Job) -> Result<Plan, Error> {
    Ok(prepare_plan_with(job).await?.0)
}

pub(crate) async fn prepare_plan_with(job: &Job) -> Result<(Plan, SdkCognito, Ids), Error> {
    let api = api(job).await?;
    let observed = observe(&api, &job.setup, &job.known)
        .await
        .map_err(|e| observe_error(e, &job.aws))?;
    let options = Options {
        phase: Phase::Prepare,
        ..Options::default()
    };
    let plan = plan_for(job, &observed, &EntraInput::default(), options)
        .map_err(|r| Error::Refused(refusals(r)))?;
    let ids = ids_of(&observed);
    Ok((plan, api, ids))
}

/// What phase one made: the IDs, and the changes it applied (recorded, so the setup knows
/// which of the pool, domain and client it made and which it adopted).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub ids: Ids,
    pub applied: Vec<String>,
}

/// Phase one, applied: exactly the plan the admin confirmed. The account is read again first;
/// if the plan is not what it would be now, nothing is created and the plan now comes back.
pub async fn prepare_reviewed(job: &Job, reviewed: &Plan) -> Result<Prepared, NotApplied> {
    let (now, api, mut ids) = prepare_plan_with(job).await.map_err(NotApplied::Failed)?;
    if now.changes != reviewed.changes {
        return Err(NotApplied::Stale(now));
    }
    apply(&api, &now, &mut ids, |_| Ok(()))
        .await
        .map_err(|e| NotApplied::Failed(ApplyFailure::Change(e).error(&job.aws)))?;
    Ok(Prepared {
        ids,
        applied: now.changes.iter().map(Change::id).collect(),
    })
}

/// What `destroy` would remove now: the setup's resources as the account holds them, judged
/// by what the setup created and what it adopted (`teardown`).
pub async fn teardown_plan(job: &Job, state: &State) -> Result<Teardown, Error> {
    let api = api(job).await?;
    teardown_with(&api, job, state).await
}

async fn teardown_with(api: &SdkCognito, job: &Job, state: &State) -> Result<Teardown, Error> {
    let aws = &job.aws;
    let Some(pool_id) = state.pool_id().map(str::to_string) else {
        return Ok(Teardown::default());
    };
    let client_id = state.client_id().map(str::to_string);
    let provider = state.answers.provider_name().to_string();
    let client = async {
        match &client_id {
            Some(id) => Some(api.describe_user_pool_client(&pool_id, id).await),
            None => None,
        }
    };
    let (pool, provider_info, client) = futures_util::future::join3(
        api.describe_user_pool(&pool_id),
        api.describe_identity_provider(&pool_id, &provider),
        client,
    )
    .await;
    let Some(pool) = unless_not_found(pool, aws)? else {
        return Ok(teardown(state, &Present::default()));
    };
    let client = match client {
        Some(c) => unless_not_found(c, aws)?,
        None => None,
    };
    let present = Present {
        pool: true,
        domain: pool.domain,
        provider: provider_info.map_err(|e| Error::aws(&e, aws))?.is_some(),
        client: client.map(|c| c.supported_identity_providers),
    };
    Ok(teardown(state, &present))
}

/// Removes exactly the reviewed teardown, in its order, reporting each removal once done (the
/// caller records it before saying it). The account is read again first: if the teardown is
/// not what it would be now, nothing is removed and the teardown now comes back.
pub async fn teardown_reviewed(
    job: &Job,
    state: &State,
    reviewed: &Teardown,
    mut on_done: impl FnMut(usize, &Removal),
) -> Result<(), TeardownStopped> {
    let api = api(job).await.map_err(TeardownStopped::Failed)?;
    let now = teardown_with(&api, job, state)
        .await
        .map_err(TeardownStopped::Failed)?;
    if now.removals != reviewed.removals {
        return Err(TeardownStopped::Stale(now));
    }
    for (i, removal) in now.removals.iter().enumerate() {
        let done = match removal {
            Removal::Unlink {
                pool_id,
                client_id,
                provider,
            } => match api.describe_user_pool_client(pool_id, client_id).await {
                Ok(mut client) => {
                    client
                        .supported_identity_providers
                        .retain(|p| p != provider);
                    api.update_user_pool_client(pool_id, &client).await
                }
                Err(e) => Err(e),
            },
            Removal::DeleteProvider { pool_id, name } => {
                api.delete_identity_provider(pool_id, name).await
            }
            Removal::DeleteClient { pool_id, client_id } => {
                api.delete_user_pool_client(pool_id, client_id).await
            }
            Removal::DeleteDomain { pool_id, domain } => api.delete_domain(pool_id, domain).await,
            Removal::DeletePool { pool_id } => api.delete_user_pool(pool_id).await,
        };
        done.map_err(|e| {
            TeardownStopped::Failed(match Error::aws(&e, &job.aws) {
                Error::Aws { kind, advice } => Error::Aws {
                    kind,
                    advice: format!(
                        "{advice}\nWhat was removed before is recorded; run destroy again to finish."
                    ),
                },
                other => other,
            })
        })?;
        on_done(i, removal);
    }
    Ok(())
}

/// Why a destroy stopped.
#[derive(Debug)]
pub enum TeardownStopped {
    /// The account changed since the review: nothing was removed; the teardown now.
    Stale(Teardown),
    Failed(Error),
}

/// The whole plan: the Entra side checked beside the reads of the account; an unusable Entra
/// answer stops it before anything is written.
pub async fn plan_live(job: &Job, options: Options) -> Result<Planned, PlanError> {
    let fetcher = Fetcher::new(Limits::from_env()).map_err(|e| PlanError::Other(e.to_string()))?;
    // What Entra serves and what the account holds are read at once (reads only); an
    // unusable Entra answer still stops the plan, whatever AWS said.
    let aws_side = async {
        let api = connect(&job.aws).await.map_err(PlanError::Api)?;
        let observed = observe(&api, &job.setup, &job.known)
            .await
            .map_err(|e| match e {
                ObserveError::Api(e) => PlanError::Api(e),
                ObserveError::Refused(r) => PlanError::Refused(r),
            })?;
        Ok::<_, PlanError>((api, observed))
    };
    let (entra, aws_side) = futures_util::future::join(
        input::check(&job.setup, &job.base_dir, &job.authority, &fetcher),
        aws_side,
    )
    .await;
    let mut entra = entra.map_err(PlanError::Entra)?;
    let (api, observed) = aws_side?;
    if let Some(secret) = &job.secret {
        crate::secrets::register(secret);
        entra.input.client_secret = Some(secret.clone());
    }
    let plan = plan_for(job, &observed, &entra.input, options).map_err(PlanError::Refused)?;
    Ok(Planned {
        plan,
        api,
        ids: ids_of(&observed),
        entra,
        required_attributes: observed
            .pool
            .as_ref()
            .map(|p| p.required_attributes.clone()),
    })
}

/// Before Graph makes anything: would Cognito's side refuse, whatever Entra gives back? The
/// account is read and planned with stand-ins for what the application will give (its
/// metadata URL; its tenant's endpoints and a secret), so every refusal that does not depend
/// on Entra's answer — the mapping against the pool, the client's providers, the domain, the
/// pool's feature plan — stops the run before the first write on either side. Reads only.
pub async fn preflight(job: &Job, options: Options) -> Result<(), Error> {
    let api = api(job).await?;
    let observed = observe(&api, &job.setup, &job.known)
        .await
        .map_err(|e| observe_error(e, &job.aws))?;
    plan_for(job, &observed, &entra_to_come(job), options)
        .map(|_| ())
        .map_err(|r| Error::Refused(refusals(r)))
}

/// The plan for a job, the one way every phase makes it: what another saved setup owns on
/// the pool is refused first, and what the setup made is held to it whole (the records say
/// which, `Known::created`).
fn plan_for(
    job: &Job,
    observed: &plan::Observed,
    entra: &EntraInput,
    options: Options,
) -> Result<Plan, Vec<plan::Refusal>> {
    let mut taken = plan::claimed_by_others(&job.setup, observed, &job.others);
    // An identifier another provider in the pool routes (Cognito: one provider each).
    taken.extend(crate::pool_rules::identifier_conflicts(
        &job.setup,
        observed,
        &job.others,
    ));
    if !taken.is_empty() {
        return Err(taken);
    }
    let options = Options {
        created: job.known.created,
        ..options
    };
    let mut plan = plan::plan(&job.setup, observed, entra, options)?;
    // The pool's and the client's quotas, held against what the plan would leave.
    let past_quota = crate::pool_rules::quota_refusals(&job.setup, observed, &mut plan);
    if past_quota.is_empty() {
        Ok(plan)
    } else {
        Err(past_quota)
    }
}

/// What the Entra application will give Cognito, as stand-ins of the right shape (never sent
/// anywhere: `preflight` only plans with them).
fn entra_to_come(job: &Job) -> EntraInput {
    const TO_COME: &str = "00000000-0000-0000-0000-000000000000";
    let authority = job.authority.trim_end_matches('/');
    match job.setup.protocol {
        crate::setup::Protocol::Saml => EntraInput {
            metadata_url: Some(format!(
                "{authority}/{TO_COME}/federationmetadata/2007-06/federationmetadata.xml?appid={TO_COME}"
            )),
            ..EntraInput::default()
        },
        crate::setup::Protocol::Oidc => EntraInput {
            discovery: Some(crate::entra_facts::Discovery {
                issuer: format!("{authority}/{TO_COME}/v2.0"),
                tenant_id: TO_COME.into(),
                authorize_url: format!("{authority}/{TO_COME}/oauth2/v2.0/authorize"),
                token_url: format!("{authority}/{TO_COME}/oauth2/v2.0/token"),
                attributes_url: "https://graph.microsoft.com/oidc/userinfo".into(),
                jwks_uri: format!("{authority}/{TO_COME}/discovery/v2.0/keys"),
            }),
            client_secret: Some(TO_COME.into()),
            ..EntraInput::default()
        },
    }
}

/// `plan_live` with the default options, its errors as advice text.
pub async fn full_plan(job: &Job) -> Result<(Plan, SdkCognito, Ids), Error> {
    plan_live(job, Options::default())
        .await
        .map(|p| (p.plan, p.api, p.ids))
        .map_err(|e| e.error(&job.aws))
}

/// Why the reviewed plan was not (all) applied.
#[derive(Debug)]
pub enum NotApplied {
    /// The account (or the setup) changed since the review: nothing was written; this is the
    /// plan now, to be reviewed again.
    Stale(Plan),
    /// Planning or a change failed (what finished is recorded).
    Failed(Error),
}

/// Applies exactly the plan the admin reviewed, like a saved Terraform plan: the account is
/// read again first, and when the plan it gives now differs from the reviewed one, nothing is
/// written and the new plan comes back. `on_done` gets each finished change (to record it).
pub async fn apply_reviewed(
    job: &Job,
    reviewed: &Plan,
    mut on_done: impl FnMut(usize, &Change, &Ids) + Send,
) -> Result<Vec<ForEntra>, NotApplied> {
    let (now, api, mut ids) = full_plan(job).await.map_err(NotApplied::Failed)?;
    if now.changes != reviewed.changes {
        return Err(NotApplied::Stale(now));
    }
    let on_event = |event: Event<'_>| {
        if let Event::Finished(i, change, ids) = event {
            on_done(i, change, ids);
        }
        Ok(())
    };
    apply_planned(&api, &now, &job.setup, &mut ids, &job.out_dir, on_event)
        .await
        .map_err(|e| {
            NotApplied::Failed(match e.error(&job.aws) {
                Error::Aws { kind, advice } if matches!(e, ApplyFailure::Change(_)) => Error::Aws {
                    kind,
                    advice: format!("{advice}\nWhat finished is saved."),
                },
                other => other,
            })
        })
}

/// Why an apply stopped: at a change (those before it are done), or at the certificates.
#[derive(Debug)]
pub enum ApplyFailure {
    Change(ApplyError),
    Certificates(CertError),
}

impl ApplyFailure {
    pub fn error(&self, aws: &AwsOptions) -> Error {
        match self {
            ApplyFailure::Change(ApplyError::Api { error, .. })
            | ApplyFailure::Certificates(CertError::Api(error)) => Error::aws(error, aws),
            ApplyFailure::Change(ApplyError::Record(_))
            | ApplyFailure::Certificates(CertError::File(_)) => Error::Local(self.text(aws)),
            ApplyFailure::Certificates(CertError::NotYet(_)) => Error::NotReady(self.text(aws)),
        }
    }

    pub fn text(&self, aws: &AwsOptions) -> String {
        match self {
            ApplyFailure::Change(ApplyError::Api { error, .. }) => say(error, aws),
            ApplyFailure::Change(ApplyError::Record(why)) => {
                format!("the change was made, but the state file could not be saved: {why}")
            }
            ApplyFailure::Certificates(CertError::Api(e)) => say(e, aws),
            ApplyFailure::Certificates(CertError::File(why) | CertError::NotYet(why)) => {
                why.clone()
            }
        }
    }
}

/// Runs a plan's changes (`on_event` for each finished one; an error from it stops the run),
/// fetching the pool's signing certificate beside them, then writes the certificates Entra
/// wants.
pub async fn apply_planned<A: CognitoApi>(
    api: &A,
    plan: &Plan,
    setup: &Setup,
    ids: &mut Ids,
    out_dir: &Path,
    on_event: impl FnMut(Event<'_>) -> Result<(), String>,
) -> Result<Vec<ForEntra>, ApplyFailure> {
    let (applied, signing) = apply_beside(api, plan, ids, on_event, |pool_id| async move {
        api.get_signing_certificate(&pool_id).await
    })
    .await;
    applied.map_err(ApplyFailure::Change)?;
    match ids.user_pool_id.clone() {
        Some(pool_id) => write_for_entra(api, setup, &pool_id, out_dir, signing)
            .await
            .map_err(ApplyFailure::Certificates),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passing_fault_may_pass_a_refusal_does_not() {
        let aws = |kind| Error::Aws {
            kind,
            advice: String::new(),
        };
        assert!(aws(ErrorKind::Throttled).may_pass());
        assert!(aws(ErrorKind::Timeout).may_pass());
        assert!(aws(ErrorKind::Network).may_pass());
        assert!(!aws(ErrorKind::AccessDenied).may_pass());
        assert!(!aws(ErrorKind::InvalidParameter).may_pass());
        assert!(!Error::Refused("the client lists COGNITO".into()).may_pass());
        assert!(!Error::Entra("no signing certificate".into()).may_pass());
        assert!(Error::NotReady("the encryption certificate is not made yet".into()).may_pass());
    }
}
