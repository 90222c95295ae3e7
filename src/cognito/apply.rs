//! Applying a plan: each change in order, each finished one reported (so the caller records it
//! in the state file) before the next starts. A failure stops the run; running again re-plans
//! from the live account and continues.
//!
//! A create whose outcome is unknown (the answer was lost, it timed out, a proxy answered 5xx)
//! is never simply sent again — a second pool or a second client named `web` would follow.
//! The account is read instead (the pool by name, the domain, the provider by name, the client
//! by name, the branding by client): what the create made is adopted; only when the read shows
//! nothing is the create sent once more. A throttled create was refused, so it is sent again
//! after a pause.

use super::api::{ApiError, CognitoApi, ErrorKind};
use super::observe::{client_ids_named, pool_ids_named};
use crate::plan::{Change, Payload, Plan};

/// IDs that changes produce and later changes need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    pub user_pool_id: Option<String>,
    pub client_id: Option<String>,
}

/// What happens during an apply, for progress lines and the state file.
#[derive(Debug)]
pub enum Event<'a> {
    Started(usize, &'a Change),
    Finished(usize, &'a Change, &'a Ids),
}

/// Runs the plan's changes in order. `on_event` is called before and after each; if it
/// returns an error after a change (the state could not be saved), the run stops there.
pub async fn apply<A: CognitoApi>(
    api: &A,
    plan: &Plan,
    ids: &mut Ids,
    mut on_event: impl FnMut(Event<'_>) -> Result<(), String>,
) -> Result<(), ApplyError> {
    for (i, change) in plan.changes.iter().enumerate() {
        on_event(Event::Started(i, change)).map_err(ApplyError::Record)?;
        run_resolved(api, change, ids)
            .await
            .map_err(|e| ApplyError::Api { index: i, error: e })?;
        on_event(Event::Finished(i, change, ids)).map_err(ApplyError::Record)?;
    }
    Ok(())
}

#[derive(Debug)]
pub enum ApplyError {
    Api { index: usize, error: ApiError },
    Record(String),
}

fn need<'a>(id: &'a Option<String>, what: &str) -> Result<&'a str, ApiError> {
    id.as_deref().ok_or_else(|| {
        ApiError::new(
            ErrorKind::Other,
            "apply",
            format!("no {what} known at this step"),
        )
    })
}

/// How often a throttled write is tried, and the first pause (doubled each time).
const THROTTLED_ATTEMPTS: u32 = 4;
const FIRST_PAUSE: std::time::Duration = std::time::Duration::from_millis(400);

/// `run_one`, with throttling waited out and ambiguous creates resolved by reading.
async fn run_resolved<A: CognitoApi>(
    api: &A,
    change: &Change,
    ids: &mut Ids,
) -> Result<(), ApiError> {
    let mut throttled = 0;
    let mut resent = false;
    loop {
        let error = match run_one(api, change, ids).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if error.kind == ErrorKind::Throttled && throttled + 1 < THROTTLED_ATTEMPTS {
            tokio::time::sleep(FIRST_PAUSE * 2u32.pow(throttled)).await;
            throttled += 1;
            continue;
        }
        if !error.is_ambiguous() || !is_create(&change.payload) {
            return Err(error);
        }
        if find_created(api, change, ids).await? {
            return Ok(());
        }
        if resent {
            return Err(error);
        }
        resent = true;
    }
}

fn is_create(payload: &Payload) -> bool {
    matches!(
        payload,
        Payload::CreatePool { .. }
            | Payload::CreateDomain { .. }
            | Payload::CreateProvider(_)
            | Payload::CreateClient(_)
            | Payload::CreateBranding
    )
}

/// After a create with no clear outcome: whether what it would make exists now (then it is
/// adopted, its ID recorded in `ids`). The plan created only what the account did not have,
/// so a match found now is this create's.
async fn find_created<A: CognitoApi>(
    api: &A,
    change: &Change,
    ids: &mut Ids,
) -> Result<bool, ApiError> {
    match &change.payload {
        Payload::CreatePool { name } => {
            let found = pool_ids_named(api, name).await?;
            match found.as_slice() {
                [] => Ok(false),
                [one] => {
                    ids.user_pool_id = Some(one.clone());
                    Ok(true)
                }
                many => Err(ApiError::new(
                    ErrorKind::Other,
                    "CreateUserPool",
                    format!(
                        "the answer was lost, and {} pools named {name:?} exist now: {} (fix: keep one, adopt it with user_pool.id, and delete the others)",
                        many.len(),
                        many.join(", ")
                    ),
                )),
            }
        }
        Payload::CreateDomain { prefix, .. } => {
            let pool = need(&ids.user_pool_id, "user pool")?;
            Ok(api
                .describe_domain(prefix)
                .await?
                .is_some_and(|d| d.user_pool_id == pool))
        }
        Payload::CreateProvider(p) => {
            let pool = need(&ids.user_pool_id, "user pool")?;
            Ok(api
                .describe_identity_provider(pool, &p.name)
                .await?
                .is_some())
        }
        Payload::CreateClient(c) => {
            let pool = need(&ids.user_pool_id, "user pool")?.to_string();
            let found = client_ids_named(api, &pool, &c.client_name).await?;
            match found.as_slice() {
                [] => Ok(false),
                [one] => {
                    ids.client_id = Some(one.clone());
                    Ok(true)
                }
                many => Err(ApiError::new(
                    ErrorKind::Other,
                    "CreateUserPoolClient",
                    format!(
                        "the answer was lost, and {} app clients named {:?} exist now: {} (fix: keep one, adopt it with app_client.id, and delete the others)",
                        many.len(),
                        c.client_name,
                        many.join(", ")
                    ),
                )),
            }
        }
        Payload::CreateBranding => {
            let pool = need(&ids.user_pool_id, "user pool")?;
            let client = need(&ids.client_id, "app client")?;
            api.has_managed_login_branding(pool, client).await
        }
        Payload::UpdateProvider(_) | Payload::UpdateClient(_) => Ok(false),
    }
}

async fn run_one<A: CognitoApi>(api: &A, change: &Change, ids: &mut Ids) -> Result<(), ApiError> {
    match &change.payload {
        Payload::CreatePool { name } => {
            let pool = api.create_user_pool(name).await?;
            ids.user_pool_id = Some(pool.id);
        }
        Payload::CreateDomain {
            prefix,
            managed_login,
        } => {
            api.create_domain(
                need(&ids.user_pool_id, "user pool")?,
                prefix,
                *managed_login,
            )
            .await?;
        }
        Payload::CreateProvider(p) => {
            api.create_identity_provider(need(&ids.user_pool_id, "user pool")?, p)
                .await?;
        }
        Payload::UpdateProvider(p) => {
            api.update_identity_provider(need(&ids.user_pool_id, "user pool")?, p)
                .await?;
        }
        Payload::CreateClient(c) => {
            let id = api
                .create_user_pool_client(need(&ids.user_pool_id, "user pool")?, c)
                .await?;
            ids.client_id = Some(id);
        }
        Payload::UpdateClient(c) => {
            api.update_user_pool_client(need(&ids.user_pool_id, "user pool")?, c)
                .await?;
        }
        Payload::CreateBranding => {
            api.create_managed_login_branding(
                need(&ids.user_pool_id, "user pool")?,
                need(&ids.client_id, "app client")?,
            )
            .await?;
        }
    }
    Ok(())
}
