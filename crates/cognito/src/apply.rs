//! Applying a plan. Changes that do not depend on each other run at once, in waves: the
//! pool; then the domain and the provider (and, beside them, the pool's signing certificate);
//! then the client, which names the provider; then the branding, which needs the client. At
//! 80 ms from AWS that is four round trips for a new setup instead of seven. What a wave
//! finished is reported in the plan's order (so the caller records it in the state file, and
//! the printed progress and the state are the same whatever answered first); a failure in one
//! change lets the others of its wave finish, and all that finished is reported before the
//! failure. Running again re-plans from the live account and continues.
//!
//! A create whose outcome is unknown (the answer was lost, it timed out, a proxy answered 5xx)
//! is never simply sent again — a second pool or a second client named `web` would follow.
//! The account is read instead (the pool by name, the domain, the provider by name, the client
//! by name, the branding by client): what the create made is adopted; only when the read shows
//! nothing is the create sent once more. A throttled create was refused, so it is sent again
//! after a pause.

use std::future::Future;

use super::api::{ApiError, CognitoApi, ErrorKind};
use super::observe::{client_ids_named, pool_ids_named};
use cognito_entra_core::plan::{Change, Payload, Plan};

pub use cognito_entra_core::account::Ids;

/// What happens during an apply, for progress lines and the state file. A change's `Started`
/// comes right before its `Finished` (or before the failure): changes of one wave run at once
/// and are reported in the plan's order when the wave is done.
#[derive(Debug)]
pub enum Event<'a> {
    Started(usize, &'a Change),
    Finished(usize, &'a Change, &'a Ids),
}

/// The wave a change runs in: a change depends only on changes of earlier waves.
fn wave(payload: &Payload) -> usize {
    match payload {
        Payload::CreatePool { .. } => 0,
        Payload::CreateDomain { .. } | Payload::CreateProvider(_) | Payload::UpdateProvider(_) => 1,
        // The client lists the provider among its identity providers: it must exist first.
        Payload::CreateClient(_) | Payload::UpdateClient(_) => 2,
        Payload::CreateBranding => 3,
    }
}

const WAVES: usize = 4;

/// Runs the plan's changes, wave by wave. `on_event` is called for each finished change in
/// the plan's order; if it returns an error (the state could not be saved), the run stops.
pub async fn apply<A: CognitoApi>(
    api: &A,
    plan: &Plan,
    ids: &mut Ids,
    on_event: impl FnMut(Event<'_>) -> Result<(), String>,
) -> Result<(), ApplyError> {
    apply_beside(api, plan, ids, on_event, |_| async {}).await.0
}

/// `apply`, with `beside(pool_id)` run at once with the first wave that has the pool (its
/// output is returned; `None` when no pool was ever known, or the run stopped before).
pub async fn apply_beside<A, F, Fut>(
    api: &A,
    plan: &Plan,
    ids: &mut Ids,
    mut on_event: impl FnMut(Event<'_>) -> Result<(), String>,
    beside: F,
) -> (Result<(), ApplyError>, Option<Fut::Output>)
where
    A: CognitoApi,
    F: FnOnce(String) -> Fut,
    Fut: Future,
{
    let mut beside = Some(beside);
    let mut beside_output = None;
    for number in 0..WAVES {
        let members: Vec<(usize, &Change)> = plan
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| wave(&c.payload) == number)
            .collect();
        let start_beside = number > 0 || members.is_empty();
        let side = match (&ids.user_pool_id, start_beside) {
            (Some(pool), true) => beside.take().map(|f| f(pool.clone())),
            _ => None,
        };
        if members.is_empty() && side.is_none() {
            continue;
        }
        let runs = futures_util::future::join_all(members.iter().map(|(i, change)| {
            let mut learned = ids.clone();
            async move {
                let result = run_resolved(api, change, &mut learned).await;
                (*i, *change, result, learned)
            }
        }));
        let results = match side {
            Some(side) => {
                let (results, out) = futures_util::future::join(runs, side).await;
                beside_output = Some(out);
                results
            }
            None => runs.await,
        };
        let mut failure = None;
        for (i, change, result, learned) in results {
            match result {
                Ok(()) => {
                    ids.learn(&learned);
                    let recorded = on_event(Event::Started(i, change))
                        .and_then(|()| on_event(Event::Finished(i, change, ids)));
                    if let Err(why) = recorded {
                        return (Err(ApplyError::Record(why)), beside_output);
                    }
                }
                Err(error) => {
                    failure.get_or_insert((i, change, error));
                }
            }
        }
        if let Some((index, change, error)) = failure {
            let _ = on_event(Event::Started(index, change));
            return (Err(ApplyError::Api { index, error }), beside_output);
        }
    }
    if let (Some(f), Some(pool)) = (beside.take(), ids.user_pool_id.clone()) {
        beside_output = Some(f(pool).await);
    }
    (Ok(()), beside_output)
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
