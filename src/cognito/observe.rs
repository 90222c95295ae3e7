//! Reading what the live account holds for a setup: the describe calls that feed the plan.
//! Resources a previous, interrupted apply created are found again (by the IDs recorded in
//! the state, or by name) so a second run never makes duplicates.

use super::api::{ApiError, CognitoApi, ErrorKind};
use crate::plan::{Gone, Observed, Refusal, Resource};
use crate::setup::{Known, Setup};

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

pub async fn observe<A: CognitoApi>(
    api: &A,
    setup: &Setup,
    known: &Known,
) -> Result<Observed, ObserveError> {
    let mut observed = Observed::default();
    let pool_id = find_pool(api, setup, known, &mut observed.gone).await?;
    if let Some(id) = &pool_id {
        observed.pool = Some(api.describe_user_pool(id).await?);
    }
    if let Some(prefix) = &setup.domain.prefix {
        observed.domain = api.describe_domain(prefix).await?;
    }
    let Some(pool_id) = pool_id else {
        return Ok(observed);
    };
    observed.providers = api.list_identity_providers(&pool_id).await?;
    let ours = setup.provider_name();
    if observed.providers.iter().any(|p| p.name == ours) {
        observed.provider = api.describe_identity_provider(&pool_id, ours).await?;
    }
    if let Some(client_id) = find_client(api, setup, known, &pool_id, &mut observed.gone).await? {
        observed.client = Some(api.describe_user_pool_client(&pool_id, &client_id).await?);
        // Read from the account, never inferred from the state file: an apply interrupted
        // right after creating the branding must see it, or it would create a second one.
        if setup.domain.managed_login && setup.domain.prefix.is_some() {
            observed.branding_done = api.has_managed_login_branding(&pool_id, &client_id).await?;
        }
    }
    Ok(observed)
}

async fn find_pool<A: CognitoApi>(
    api: &A,
    setup: &Setup,
    known: &Known,
    gone: &mut Vec<Gone>,
) -> Result<Option<String>, ObserveError> {
    if let Some(id) = &setup.user_pool.id {
        return match api.describe_user_pool(id).await {
            Ok(_) => Ok(Some(id.clone())),
            Err(e) if e.kind == ErrorKind::NotFound => Err(ObserveError::Refused(vec![Refusal {
                field: "user_pool.id".into(),
                problem: format!("no user pool {id} in region {} of this account", setup.region),
                fix: "check the pool ID and the region (the ID starts with the pool's region), and the AWS profile in use".into(),
            }])),
            Err(e) => Err(e.into()),
        };
    }
    if let Some(id) = &known.user_pool_id {
        match api.describe_user_pool(id).await {
            Ok(_) => return Ok(Some(id.clone())),
            Err(e) if e.kind == ErrorKind::NotFound => gone.push(Gone {
                resource: Resource::UserPool,
                id: id.clone(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    let Some(name) = &setup.user_pool.name else {
        return Ok(None);
    };
    let matches = pool_ids_named(api, name).await?;
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        many => Err(ObserveError::Refused(vec![Refusal {
            field: "user_pool.name".into(),
            problem: format!(
                "{} pools are named {name:?} in {}: {}",
                many.len(),
                setup.region,
                many.join(", ")
            ),
            fix: "adopt one of them with user_pool.id = \"...\" instead of name".into(),
        }])),
    }
}

async fn find_client<A: CognitoApi>(
    api: &A,
    setup: &Setup,
    known: &Known,
    pool_id: &str,
    gone: &mut Vec<Gone>,
) -> Result<Option<String>, ObserveError> {
    if let Some(id) = &setup.app_client.id {
        return match api.describe_user_pool_client(pool_id, id).await {
            Ok(_) => Ok(Some(id.clone())),
            Err(e) if e.kind == ErrorKind::NotFound => Err(ObserveError::Refused(vec![Refusal {
                field: "app_client.id".into(),
                problem: format!("the pool {pool_id} has no app client {id}"),
                fix: "copy the Client ID from the pool's App clients page, or create one with app_client.name".into(),
            }])),
            Err(e) => Err(e.into()),
        };
    }
    let clients = api.list_user_pool_clients(pool_id).await?;
    if let Some(id) = &known.client_id {
        if clients.iter().any(|c| &c.id == id) {
            return Ok(Some(id.clone()));
        }
        // Recorded in a pool that still exists, and gone from it (a pool that is itself gone
        // took its clients along: that is said once, for the pool).
        if !gone.iter().any(|g| g.resource == Resource::UserPool) {
            gone.push(Gone {
                resource: Resource::AppClient,
                id: id.clone(),
            });
        }
    }
    let Some(name) = &setup.app_client.name else {
        return Ok(None);
    };
    let matches: Vec<&str> = clients
        .iter()
        .filter(|c| &c.name == name)
        .map(|c| c.id.as_str())
        .collect();
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.to_string())),
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
