//! Applying a plan: each change in order, each finished one reported (so the caller records it
//! in the state file) before the next starts. A failure stops the run; running again re-plans
//! from the live account and continues.

use super::api::{ApiError, CognitoApi, ErrorKind};
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
        run_one(api, change, ids)
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
