//! `import`: the Entra federations in an account, each made a saved setup recorded as
//! adopted, so values, plan, doctor, export, destroy and the wizard work on it.
//!
//! One operation for every face: read the account (every pool of each region; pools read
//! concurrently, bounded; pages followed), recognise the providers that federate with Entra
//! (the rules are the core's, `cognito_entra_core::import`), describe each as a setup, judge
//! it with doctor's checks, and — when asked to write — save the new ones. Nothing is written
//! to AWS or Entra, ever; no secret is read into a setup or a file.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use futures_util::stream;

use cognito_entra_cognito::api::{ApiError, CognitoApi};
use cognito_entra_cognito::sdk::{AwsOptions, SdkCognito, connect};
use cognito_entra_core::account::{ProviderInfo, ProviderType};
use cognito_entra_core::import::{self as rules, Found, PoolRead, Row};
pub use cognito_entra_core::import::{ABOUT, Report};
use cognito_entra_core::setup::Protocol;
use cognito_entra_core::state::{GraphRecord, Imported, State, StateStore};
use cognito_entra_core::step::Step;

use crate::engine::Error;

/// How many pools are read at once: enough to hide the round trips of a large account (20
/// pools in two waves), few enough to stay near Cognito's per-account read rates (the SDK
/// retries what is throttled).
const POOLS_AT_ONCE: usize = 10;
/// How many describe calls of one pool run at once.
const DESCRIBES_AT_ONCE: usize = 6;

/// Where to look and what to do.
#[derive(Debug, Clone)]
pub struct Scope {
    /// One AWS target per region (profile, endpoint, region).
    pub regions: Vec<AwsOptions>,
    /// Only this pool (its region is among `regions`).
    pub pool: Option<String>,
    /// The Entra sign-in authority (sovereign clouds, tests): its host counts as Entra's.
    pub authority: String,
}

impl Scope {
    /// The regions given (none: the one the flags, environment or default choose), as the
    /// flags' profile and endpoint reach them.
    pub fn new(
        given: &cognito_entra_core::resolve::Given,
        regions: &[String],
        pool: Option<&str>,
        authority: &str,
    ) -> Scope {
        let regions: Vec<String> = if regions.is_empty() {
            vec![cognito_entra_core::resolve::region(given, None).value]
        } else {
            regions.to_vec()
        };
        Scope {
            regions: regions
                .iter()
                .map(|r| cognito_entra_core::resolve::aws_options(given, None, r))
                .collect(),
            pool: pool.map(str::to_string),
            authority: authority.to_string(),
        }
    }

    /// The pool given is in a region this import does not read (a pool ID starts with its
    /// region): the problem and the fix.
    pub fn pool_elsewhere(&self) -> Option<(String, String)> {
        let pool = self.pool.as_deref()?;
        let region = pool.split('_').next()?;
        (!self.regions.iter().any(|r| r.region == region)).then(|| {
            (
                format!(
                    "--pool {pool} is in {region}, which is not a region this import reads ({})",
                    self.region_names().join(", ")
                ),
                format!("add --regions {region}, or leave --pool out"),
            )
        })
    }

    pub fn region_names(&self) -> Vec<String> {
        self.regions.iter().map(|r| r.region.clone()).collect()
    }
}

/// A federation found, with its setup and what the report says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub found: Found,
    pub row: Row,
}

/// What the account holds, read: each pool's pieces, the providers that are not Entra's
/// (counted), and the reads it took.
struct AccountRead {
    pools: Vec<PoolRead>,
    reads: usize,
}

/// Reads every pool of the scope's regions (or the one pool), each with its domain, its
/// providers and its clients described.
async fn read_account(scope: &Scope) -> Result<AccountRead, Error> {
    let mut pools = Vec::new();
    let mut reads = 0;
    for aws in &scope.regions {
        let api = connect(aws).await.map_err(|e| Error::aws(&e, aws))?;
        let ids: Vec<(String, String)> = match &scope.pool {
            Some(id) => vec![(id.clone(), String::new())],
            None => api
                .list_user_pools()
                .await
                .map_err(|e| Error::aws(&e, aws))?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect(),
        };
        let results: Vec<Result<PoolRead, ApiError>> = stream::iter(ids)
            .map(|(id, _)| read_pool(&api, aws, id))
            .buffer_unordered(POOLS_AT_ONCE)
            .collect()
            .await;
        for r in results {
            pools.push(r.map_err(|e| Error::aws(&e, aws))?);
        }
        reads += api.calls().len();
    }
    Ok(AccountRead { pools, reads })
}

/// One pool: the pool, then its providers and clients (listed, then each described), and
/// its prefix domain's details.
async fn read_pool(api: &SdkCognito, aws: &AwsOptions, id: String) -> Result<PoolRead, ApiError> {
    let (pool, providers, clients) = futures_util::future::join3(
        api.describe_user_pool(&id),
        api.list_identity_providers(&id),
        api.list_user_pool_clients(&id),
    )
    .await;
    let pool = pool?;
    let domain = async {
        match &pool.domain {
            Some(prefix) => api.describe_domain(prefix).await,
            None => Ok(None),
        }
    };
    let providers = stream::iter(providers?)
        .map(|p| {
            let id = id.clone();
            async move { api.describe_identity_provider(&id, &p.name).await }
        })
        .buffer_unordered(DESCRIBES_AT_ONCE)
        .collect::<Vec<_>>();
    let clients = stream::iter(clients?)
        .map(|c| {
            let id = id.clone();
            async move { api.describe_user_pool_client(&id, &c.id).await }
        })
        .buffer_unordered(DESCRIBES_AT_ONCE)
        .collect::<Vec<_>>();
    let (domain, providers, clients) =
        futures_util::future::join3(domain, providers, clients).await;
    let mut read = PoolRead {
        region: aws.region.clone(),
        pool,
        domain: domain?,
        providers: Vec::new(),
        clients: Vec::new(),
    };
    for p in providers {
        // A provider deleted between the list and the describe is simply not there.
        if let Some(p) = p? {
            read.providers.push(p);
        }
    }
    for c in clients {
        read.clients.push(c?);
    }
    read.providers.sort_by(|a, b| a.name.cmp(&b.name));
    read.clients.sort_by(|a, b| a.client_id.cmp(&b.client_id));
    Ok(read)
}

/// The tenant the entity ID of a SAML provider's metadata document names, when the
/// document is Entra's.
fn entity_tenant(provider: &ProviderInfo) -> Option<String> {
    let document = provider.details.get("MetadataFile")?;
    let metadata = cognito_entra_entra::metadata::parse(document.as_bytes()).ok()?;
    metadata
        .tenant_id
        .or_else(|| cognito_entra_entra::metadata::tenant_from_entity_id(&metadata.entity_id))
}

/// What made a provider Entra's, if anything did.
fn entra_source(provider: &ProviderInfo, authority: &str) -> Option<rules::EntraSource> {
    match provider.provider_type {
        ProviderType::Saml => rules::saml_source(provider, entity_tenant(provider), authority),
        ProviderType::Oidc => rules::oidc_source(provider, authority),
        ProviderType::Other => None,
    }
}

/// The import's reading: read, recognise, describe, judge. Nothing is written (`save_all`
/// saves what the admin accepted).
/// `store` holds the saved setups: a provider one of them already manages is reported as
/// such, and an imported setup whose provider is gone is reported against it.
pub async fn import(scope: &Scope, store: &StateStore) -> Result<(Report, Vec<Candidate>), Error> {
    let account = read_account(scope).await?;
    let saved: Vec<State> = store
        .list()
        .map_err(|e| Error::Local(e.to_string()))?
        .into_iter()
        .filter_map(|s| s.state.ok())
        .collect();
    let mut taken: Vec<String> = saved.iter().map(|s| s.answers.name.clone()).collect();
    let mut report = Report {
        regions: scope.regions.iter().map(|r| r.region.clone()).collect(),
        pools: account.pools.len(),
        reads: account.reads,
        ..Report::default()
    };
    let mut candidates = Vec::new();
    let mut seen_providers: Vec<(String, String)> = Vec::new();
    for read in &account.pools {
        let mut any_entra = false;
        for provider in &read.providers {
            let Some(source) = entra_source(provider, &scope.authority) else {
                report.other_providers += 1;
                continue;
            };
            any_entra = true;
            seen_providers.push((read.pool.id.clone(), provider.name.clone()));
            let mut row = Row {
                region: read.region.clone(),
                pool_id: read.pool.id.clone(),
                pool_name: read.pool.name.clone(),
                provider: provider.name.clone(),
                protocol: provider.provider_type.as_aws().to_string(),
                tenant: source.tenant.clone(),
                clients: rules::clients_offering(read, &provider.name)
                    .iter()
                    .map(|c| c.client_name.clone())
                    .collect(),
                verdict: String::new(),
                setup: None,
                outcome: String::new(),
                notes: Vec::new(),
            };
            if let Some(owner) = saved
                .iter()
                .find(|s| manages(s, &read.pool.id, &provider.name))
            {
                row.setup = Some(owner.answers.name.clone());
                row.outcome = "already managed".into();
                report.rows.push(row);
                continue;
            }
            let name = rules::setup_name(&provider.name, &read.pool.name, &taken);
            match rules::describe(read, provider, source, &name) {
                Ok(mut found) => {
                    if found.metadata_document.is_some()
                        && let Some(saml) = found.setup.saml.as_mut()
                    {
                        saml.metadata_file = Some(
                            metadata_path(store.dir(), &name)
                                .to_string_lossy()
                                .into_owned(),
                        );
                    }
                    taken.push(name.clone());
                    row.setup = Some(name);
                    row.outcome = "would import".into();
                    row.notes = found.not_expressed.clone();
                    if found.secret_in_cognito {
                        row.notes.push(
                            "its client secret stays in Cognito (not read into the setup); apply leaves it alone unless a new one is given".into(),
                        );
                    }
                    candidates.push(Candidate {
                        found,
                        row: row.clone(),
                    });
                }
                Err(skipped) => {
                    row.outcome = "skipped".into();
                    row.verdict = format!("broken: {}", skipped.problem);
                    row.notes
                        .push(format!("{}; {}", skipped.problem, skipped.fix));
                }
            }
            report.rows.push(row);
        }
        if !any_entra {
            report.pools_without_entra += 1;
        }
    }
    // Each federation judged, several at once (metadata fetched, tenants read) on one
    // HTTPS client, in the order found.
    let https = crate::engine::fetcher();
    let pools = &account.pools;
    let found = &candidates;
    let verdicts: Vec<String> = stream::iter(0..candidates.len())
        .map(|i| verdict_in(&found[i], pools, &scope.authority, &https))
        .buffered(DESCRIBES_AT_ONCE)
        .collect()
        .await;
    for (c, v) in candidates.iter_mut().zip(verdicts) {
        if let Some(row) = report
            .rows
            .iter_mut()
            .find(|r| r.setup == c.row.setup && r.pool_id == c.row.pool_id)
        {
            row.verdict = v.clone();
        }
        c.row.verdict = v;
    }
    // Imported setups whose provider has gone from a pool this import read.
    let read_pools: Vec<&str> = account.pools.iter().map(|p| p.pool.id.as_str()).collect();
    for s in saved.iter().filter(|s| s.imported.is_some()) {
        let Some(pool) = s.answers.user_pool.id.as_deref() else {
            continue;
        };
        let provider = s.answers.provider_name().to_string();
        if read_pools.contains(&pool)
            && !seen_providers
                .iter()
                .any(|(p, n)| p == pool && *n == provider)
        {
            report.gone.push(Row {
                region: s.answers.region.clone(),
                pool_id: pool.to_string(),
                pool_name: account
                    .pools
                    .iter()
                    .find(|p| p.pool.id == pool)
                    .map(|p| p.pool.name.clone())
                    .unwrap_or_default(),
                provider: provider.clone(),
                protocol: s.answers.protocol.label().to_string(),
                tenant: s.entra.tenant_id.clone().unwrap_or_default(),
                clients: Vec::new(),
                verdict: format!("broken: {provider} is no longer in the pool {pool}"),
                setup: Some(s.answers.name.clone()),
                outcome: "gone".into(),
                notes: vec![format!(
                    "`cognito-entra apply --setup {0}` makes the provider again as the setup recorded it; or, if it was removed on purpose, delete the setup's file ({0}.toml in the state folder)",
                    s.answers.name
                )],
            });
        }
    }
    rules::sort_rows(&mut report.rows);
    Ok((report, candidates))
}

/// Saves what `import` found, each setup under its own lock; the report's rows say
/// "imported" for each one saved. Stops at the first that cannot be saved: those before it
/// are saved (and a second import finds them managed).
pub fn save_all(
    store: &StateStore,
    report: &mut Report,
    candidates: &[Candidate],
) -> Result<(), Error> {
    for c in candidates {
        save(store, c).map_err(Error::Local)?;
        if let Some(row) = report
            .rows
            .iter_mut()
            .find(|r| r.setup.as_deref() == Some(c.found.setup.name.as_str()))
        {
            row.outcome = "imported".into();
        }
    }
    report.written = true;
    Ok(())
}

/// Whether a saved setup manages this pool's provider.
fn manages(state: &State, pool: &str, provider: &str) -> bool {
    state.pool_id() == Some(pool) && state.answers.provider_name() == provider
}

/// Where an imported setup's metadata document is kept (a provider made from a file).
fn metadata_path(dir: &Path, setup: &str) -> PathBuf {
    dir.join(rules::metadata_file_name(setup))
}

/// A candidate's verdict, judged on the pool it was read from.
async fn verdict_in(
    c: &Candidate,
    pools: &[PoolRead],
    authority: &str,
    https: &Result<cognito_entra_entra::fetch::Fetcher, String>,
) -> String {
    match pools
        .iter()
        .find(|p| p.region == c.row.region && p.pool.id == c.row.pool_id)
    {
        Some(read) => verdict(&c.found, read, authority, https).await,
        None => "unchecked: its pool was not read".to_string(),
    }
}

/// The found federation judged by doctor's checks on what the import read (its metadata or
/// tenant fetched): "working", or "broken: " and the first failing check.
async fn verdict(
    found: &Found,
    read: &PoolRead,
    authority: &str,
    https: &Result<cognito_entra_entra::fetch::Fetcher, String>,
) -> String {
    use crate::doctor::{Live, Status, assess};
    let setup = &found.setup;
    let mut state = State::new(setup.clone());
    state.aws.user_pool_id = Some(read.pool.id.clone());
    state.aws.client_id = setup.app_client.id.clone();
    state.progress.steps_done = Step::ALL.to_vec();
    state.imported = Some(Imported::default());
    let values = cognito_entra_core::setup::derive(setup, &state.known(), authority);
    let provider = read
        .providers
        .iter()
        .find(|p| Some(p.name.as_str()) == setup.provider.name.as_deref())
        .cloned();
    let mut live = Live {
        pool: Some(read.pool.clone()),
        domain: read.domain.clone(),
        providers: read
            .providers
            .iter()
            .map(|p| cognito_entra_core::account::ProviderSummary {
                name: p.name.clone(),
                provider_type: p.provider_type,
            })
            .collect(),
        provider: provider.clone(),
        client: read
            .clients
            .iter()
            .find(|c| c.client_id == setup.app_client.id)
            .cloned(),
        ..Live::default()
    };
    live.encryption_certificate = provider
        .as_ref()
        .and_then(|p| p.details.get("ActiveEncryptionCertificate"))
        .and_then(|c| {
            cognito_entra_entra::metadata::parse_certificate(
                &c.split_whitespace().collect::<String>(),
            )
            .ok()
        });
    match setup.protocol {
        Protocol::Saml => {
            let now = time::OffsetDateTime::now_utc();
            live.metadata = Some(
                match (&found.metadata_document, setup.saml().metadata_url) {
                    (_, Some(url)) => {
                        crate::engine::metadata_with(https, &url, authority, Path::new(".")).await
                    }
                    (Some(document), None) => cognito_entra_entra::metadata::check_document(
                        "the metadata the provider holds",
                        document.as_bytes(),
                        now,
                    ),
                    (None, None) => return "broken: the provider names no metadata".into(),
                },
            );
        }
        Protocol::Oidc => {
            live.discovery =
                Some(crate::engine::tenant_with(https, &found.source.tenant, authority).await);
        }
    }
    let checks = assess(
        &state,
        &values,
        &live,
        time::OffsetDateTime::now_utc(),
        crate::doctor::DEFAULT_WITHIN_DAYS,
    );
    match checks.iter().find(|c| c.status == Status::Fail) {
        Some(c) => format!("broken: {}: {}", c.name, c.detail),
        None => {
            let warnings = checks.iter().filter(|c| c.status == Status::Warn).count();
            match warnings {
                0 => "working".into(),
                n => format!("working ({n} warning{})", if n == 1 { "" } else { "s" }),
            }
        }
    }
}

/// Saves a found federation as a setup: adopted through and through (nothing recorded as
/// created, so destroy takes nothing down), every step done, its metadata document beside
/// the state when the provider was made from a file.
fn save(store: &StateStore, candidate: &Candidate) -> Result<(), String> {
    let found = &candidate.found;
    let name = &found.setup.name;
    let lock = store.lock(name).map_err(|e| e.to_string())?;
    if store.load(name).map_err(|e| e.to_string())?.is_some() {
        return Err(format!(
            "a setup named {name} appeared while importing; nothing was written for it: import again"
        ));
    }
    if let Some(document) = &found.metadata_document {
        cognito_entra_core::files::replace(
            &metadata_path(store.dir(), name),
            document.as_bytes(),
            0o600,
        )
        .map_err(|e| format!("cannot write the metadata of {name}: {e}"))?;
    }
    let mut state = State::new(found.setup.clone());
    state.aws.user_pool_id = found.setup.user_pool.id.clone();
    state.aws.client_id = found.setup.app_client.id.clone();
    state.aws.domain = found
        .setup
        .domain
        .custom
        .clone()
        .or_else(|| found.setup.domain.prefix.clone());
    state.entra.tenant_id = Some(found.source.tenant.clone());
    state.entra.graph = found.graph_app.as_ref().map(|app| GraphRecord {
        application_id: app.object_id.clone(),
        app_id: app.app_id.clone(),
        created: false,
        ..GraphRecord::default()
    });
    state.progress.steps_done = Step::ALL.to_vec();
    // The portal work the journey would ask for was done by hand before the import: its
    // required actions are ticked for it (the optional ones, unknown, are not).
    state.progress.checklist = cognito_entra_core::journey::entra_checklist(&found.setup)
        .into_iter()
        .chain(cognito_entra_core::journey::finish_checklist(&found.setup))
        .filter(|item| item.need != cognito_entra_core::journey::Need::Optional)
        .map(|item| item.id.to_string())
        .collect();
    state.imported = Some(Imported {
        at: cognito_entra_core::state::now_rfc3339(),
        secret_in_cognito: found.secret_in_cognito,
        not_expressed: found.not_expressed.clone(),
    });
    lock.save(&mut state).map_err(|e| e.to_string())
}

/// With Graph: each federation's Entra application, found by the `appid` its metadata URL
/// names or its OIDC client ID (as appId), else — SAML — by Cognito's Entity ID among the
/// applications' identifierUris. Found ones are recorded on the setup as adopted (never
/// created by the tool, so never removed); one in another tenant than the signed-in one is
/// reported, not looked up.
pub async fn find_applications(
    graph: &cognito_entra_entra::graph::Graph,
    report: &mut Report,
    candidates: &mut [Candidate],
) -> Result<(), cognito_entra_entra::graph::GraphError> {
    let signed_in = graph.tenant().unwrap_or_default();
    for c in candidates.iter_mut() {
        let name = c.found.setup.name.clone();
        let tenant = c.found.source.tenant.clone();
        let note = if !signed_in.is_empty() && !tenant.eq_ignore_ascii_case(&signed_in) {
            format!(
                "its tenant {tenant} is not the signed-in one ({signed_in}): its Entra application was not looked up (sign in there with --entra-tenant {tenant} and import again)"
            )
        } else {
            let entity_id = format!(
                "urn:amazon:cognito:sp:{}",
                c.found.setup.user_pool.id.as_deref().unwrap_or_default()
            );
            let by_app_id = match &c.found.source.app_id {
                Some(app_id) => {
                    cognito_entra_entra::graph::apps::find_application(graph, Some(app_id), None)
                        .await?
                }
                None => None,
            };
            let found = match by_app_id {
                Some(app) => Some((app, "its Application (client) ID")),
                None if c.found.setup.protocol == Protocol::Saml => {
                    cognito_entra_entra::graph::apps::find_application(
                        graph,
                        None,
                        Some(&entity_id),
                    )
                    .await?
                    .map(|app| (app, "the Entity ID it holds"))
                }
                None => None,
            };
            match found {
                Some((app, how)) => {
                    c.found.graph_app = Some(app.clone());
                    format!(
                        "Entra application {} ({}) found by {how}; recorded, so `doctor --entra graph` reads it (never removed by destroy)",
                        app.display_name, app.app_id
                    )
                }
                None => format!(
                    "no Entra application in tenant {tenant} holds {}: made in another tenant, or removed",
                    c.found
                        .source
                        .app_id
                        .as_deref()
                        .map(|a| format!("the Application (client) ID {a}"))
                        .unwrap_or(entity_id)
                ),
            }
        };
        c.row.notes.push(note.clone());
        if let Some(row) = report
            .rows
            .iter_mut()
            .find(|r| r.setup.as_deref() == Some(name.as_str()))
        {
            row.notes.push(note);
        }
    }
    Ok(())
}
