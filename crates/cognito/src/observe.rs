//! Reading what the live account holds for a setup: the describe calls that feed the plan.
//! Resources a previous, interrupted apply created are found again (by the IDs recorded in
//! the state, or by name) so a second run never makes duplicates.

use super::api::{
    ApiError, ClientConfig, CognitoApi, ErrorKind, Pool, ProviderInfo, ProviderSummary,
};
use cognito_entra_core::plan::{Gone, Observed, Refusal, Resource};
use cognito_entra_core::pool_rules::ProviderRoutes;
use cognito_entra_core::setup::{Known, Setup};

#[derive(Debug)]
pub enum ObserveError {
    Api(ApiError),
    Refused(Vec<Refusal>),
}

impl From<ApiError> for ObserveError {
    fn from(e: ApiError) -> Self {
        ObserveError::Api(e)
    }
}

/// Reads what the account holds for the setup in as few round trips as the work allows: the
/// domain beside the pool, and, when the pool's ID is known (adopted, or recorded by an
/// earlier run), everything under it at once — one round trip for a converged setup, one for
/// a new one (the pool list and the domain), two for a pool adopted by name.
pub async fn observe<A: CognitoApi>(
    api: &A,
    setup: &Setup,
    known: &Known,
) -> Result<Observed, ObserveError> {
    let mut observed = Observed::default();
    let domain = async {
        match &setup.domain.prefix {
            Some(prefix) => api.describe_domain(prefix).await,
            None => Ok(None),
        }
    };
    let by_id = setup
        .user_pool
        .id
        .clone()
        .or_else(|| known.user_pool_id.clone());
    let first_round = async {
        match &by_id {
            Some(id) => {
                let (pool, contents) = futures_util::future::join(
                    api.describe_user_pool(id),
                    read_contents(api, setup, known, id),
                )
                .await;
                Located::ById(pool, Box::new(contents))
            }
            None => Located::ByName(match &setup.user_pool.name {
                Some(name) => pool_ids_named(api, name).await.map(Some),
                None => Ok(None),
            }),
        }
    };
    let (domain, located) = futures_util::future::join(domain, first_round).await;
    observed.domain = domain?;
    let named = match located {
        Located::ById(Ok(pool), contents) => {
            observed.pool = Some(pool);
            let contents = (*contents)?;
            contents.fill(&mut observed);
            return Ok(observed);
        }
        Located::ById(Err(e), _) if e.kind == ErrorKind::NotFound => {
            let id = by_id.unwrap_or_default();
            if setup.user_pool.id.is_some() {
                return Err(ObserveError::Refused(vec![Refusal {
                    field: "user_pool.id".into(),
                    problem: format!("no user pool {id} in region {} of this account", setup.region),
                    fix: "check the pool ID and the region (the ID starts with the pool's region), and the AWS profile in use".into(),
                }]));
            }
            observed.gone.push(Gone {
                resource: Resource::UserPool,
                id,
            });
            match &setup.user_pool.name {
                Some(name) => pool_ids_named(api, name).await?,
                None => Vec::new(),
            }
        }
        Located::ById(Err(e), _) => return Err(e.into()),
        Located::ByName(found) => found?.unwrap_or_default(),
    };
    let pool_id = match named.as_slice() {
        [] => return Ok(observed),
        [one] => one.clone(),
        many => {
            return Err(ObserveError::Refused(vec![Refusal {
                field: "user_pool.name".into(),
                problem: format!(
                    "{} pools are named {:?} in {}: {}",
                    many.len(),
                    setup.user_pool.name.clone().unwrap_or_default(),
                    setup.region,
                    many.join(", ")
                ),
                fix: "adopt one of them with user_pool.id = \"...\" instead of name".into(),
            }]));
        }
    };
    let (pool, contents) = futures_util::future::join(
        api.describe_user_pool(&pool_id),
        read_contents(api, setup, known, &pool_id),
    )
    .await;
    observed.pool = Some(pool?);
    // A recorded pool that is gone took its clients with it: a recorded client ID is said
    // gone once, for the pool.
    let mut contents = contents?;
    if observed
        .gone
        .iter()
        .any(|g| g.resource == Resource::UserPool)
    {
        contents.gone.retain(|g| g.resource != Resource::AppClient);
    }
    contents.fill(&mut observed);
    Ok(observed)
}

/// Where the pool was looked for in the first round trip.
enum Located {
    /// By the setup's or the state's ID: the pool, and what it holds (read at once with it).
    ById(Result<Pool, ApiError>, Box<Result<Contents, ObserveError>>),
    /// By name: the IDs of the pools with that name.
    ByName(Result<Option<Vec<String>>, ApiError>),
}

/// What a pool holds for the setup.
#[derive(Default)]
struct Contents {
    providers: Vec<ProviderSummary>,
    provider: Option<ProviderInfo>,
    client: Option<ClientConfig>,
    branding_done: bool,
    gone: Vec<Gone>,
    routes: Vec<ProviderRoutes>,
}

impl Contents {
    fn fill(self, observed: &mut Observed) {
        observed.providers = self.providers;
        observed.provider = self.provider;
        observed.client = self.client;
        observed.branding_done = self.branding_done;
        observed.gone.extend(self.gone);
        observed.routes = self.routes;
    }
}

/// The providers, our provider, our client and its branding, read at once: the client by the
/// ID the setup or the state gives (checked against the pool's list), else by name.
async fn read_contents<A: CognitoApi>(
    api: &A,
    setup: &Setup,
    known: &Known,
    pool_id: &str,
) -> Result<Contents, ObserveError> {
    let wants_branding = setup.domain.managed_login && setup.domain.prefix.is_some();
    let client_by_id = setup
        .app_client
        .id
        .clone()
        .or_else(|| known.client_id.clone());
    let client_reads = async {
        match &client_by_id {
            Some(id) => {
                let (client, branding) = futures_util::future::join(
                    api.describe_user_pool_client(pool_id, id),
                    branding(api, wants_branding, pool_id, id),
                )
                .await;
                Some((client, branding))
            }
            None => None,
        }
    };
    let (providers, provider, clients, by_id) = futures_util::future::join4(
        api.list_identity_providers(pool_id),
        api.describe_identity_provider(pool_id, setup.provider_name()),
        api.list_user_pool_clients(pool_id),
        client_reads,
    )
    .await;
    let mut contents = Contents {
        providers: providers?,
        provider: provider?,
        ..Contents::default()
    };
    contents.routes = routes(
        api,
        setup,
        pool_id,
        &contents.providers,
        contents.provider.as_ref(),
    )
    .await?;
    let clients = clients?;
    if let (Some(id), Some((client, branding_done))) = (&client_by_id, by_id) {
        match client {
            Ok(client) if clients.iter().any(|c| &c.id == id) => {
                contents.client = Some(client);
                contents.branding_done = branding_done?;
                return Ok(contents);
            }
            Err(e) if e.kind != ErrorKind::NotFound => return Err(e.into()),
            _ if setup.app_client.id.is_some() => {
                return Err(ObserveError::Refused(vec![Refusal {
                    field: "app_client.id".into(),
                    problem: format!("the pool {pool_id} has no app client {id}"),
                    fix: "copy the Client ID from the pool's App clients page, or create one with app_client.name".into(),
                }]));
            }
            // Recorded by an earlier run, and gone from the pool.
            _ => contents.gone.push(Gone {
                resource: Resource::AppClient,
                id: id.clone(),
            }),
        }
    }
    let Some(name) = &setup.app_client.name else {
        return Ok(contents);
    };
    let matches: Vec<&str> = clients
        .iter()
        .filter(|c| &c.name == name)
        .map(|c| c.id.as_str())
        .collect();
    match matches.as_slice() {
        [] => Ok(contents),
        [one] => {
            let (client, branding_done) = futures_util::future::join(
                api.describe_user_pool_client(pool_id, one),
                branding(api, wants_branding, pool_id, one),
            )
            .await;
            contents.client = Some(client?);
            contents.branding_done = branding_done?;
            Ok(contents)
        }
        many => Err(ObserveError::Refused(vec![Refusal {
            field: "app_client.name".into(),
            problem: format!(
                "{} app clients are named {name:?} in the pool: {}",
                many.len(),
                many.join(", ")
            ),
            fix: "adopt one of them with app_client.id = \"...\" instead of name".into(),
        }])),
    }
}

/// The identifiers every other provider on the pool routes, when this setup adds
/// identifiers to its provider (Cognito sends each to one provider only):
/// ListIdentityProviders gives names alone, so each other provider is described (paced under
/// Cognito's rate for DescribeIdentityProvider, `rate`: on a pool of many customers this is
/// the slow part of a plan). Identifiers the provider holds already are its own — Cognito
/// accepted them — so a setup that adds none reads nothing more. A provider gone between the
/// list and its description routes nothing.
async fn routes<A: CognitoApi>(
    api: &A,
    setup: &Setup,
    pool_id: &str,
    providers: &[ProviderSummary],
    ours_now: Option<&ProviderInfo>,
) -> Result<Vec<ProviderRoutes>, ApiError> {
    let held = ours_now
        .and_then(|p| p.idp_identifiers.clone())
        .unwrap_or_default();
    let adds = setup
        .provider
        .identifiers
        .as_ref()
        .is_some_and(|ids| ids.iter().any(|id| !held.contains(id)));
    if !adds {
        return Ok(Vec::new());
    }
    let ours = setup.provider_name();
    let others = providers.iter().filter(|p| p.name != ours);
    let described = futures_util::future::join_all(
        others.map(|p| api.describe_identity_provider(pool_id, &p.name)),
    )
    .await;
    let mut out = Vec::new();
    for info in described {
        if let Some(info) = info? {
            out.push(ProviderRoutes {
                name: info.name,
                identifiers: info.idp_identifiers.unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// Whether the client has a managed login branding style — read from the account, never
/// inferred from the state file: an apply interrupted right after creating it must see it, or
/// it would ask for a second one. Not read when the setup has no managed login.
async fn branding<A: CognitoApi>(
    api: &A,
    wanted: bool,
    pool_id: &str,
    client_id: &str,
) -> Result<bool, ApiError> {
    if wanted {
        api.has_managed_login_branding(pool_id, client_id).await
    } else {
        Ok(false)
    }
}

/// The IDs of the pools with this exact name (names are not unique in Cognito).
pub async fn pool_ids_named<A: CognitoApi>(api: &A, name: &str) -> Result<Vec<String>, ApiError> {
    Ok(api
        .list_user_pools()
        .await?
        .into_iter()
        .filter(|p| p.name == name)
        .map(|p| p.id)
        .collect())
}

/// The IDs of the pool's app clients with this exact name.
pub async fn client_ids_named<A: CognitoApi>(
    api: &A,
    pool_id: &str,
    name: &str,
) -> Result<Vec<String>, ApiError> {
    Ok(api
        .list_user_pool_clients(pool_id)
        .await?
        .into_iter()
        .filter(|c| c.name == name)
        .map(|c| c.id)
        .collect())
}
