//! The interactive faces' engine: the steps of a wizard session that touch AWS and Entra
//! (prepare the pool, domain and client; plan; apply and write the certificates), each
//! returning advice text on failure. The wizard and the plain prompts both call these.

use std::path::PathBuf;

use crate::cognito::advice::advice;
use crate::cognito::api::{ApiError, ErrorKind};
use crate::cognito::apply::{ApplyError, Event, Ids, apply};
use crate::cognito::certs::{CertError, ForEntra, write_for_entra};
use crate::cognito::observe::{ObserveError, observe};
use crate::cognito::sdk::{AwsOptions, SdkCognito, connect};
use crate::entra::fetch::{Fetcher, Limits};
use crate::entra::input;
use crate::plan::{self, EntraInput, Options, Phase, Plan};
use crate::setup::{Known, Setup};

/// Everything a session step needs, copied out of the face's state.
#[derive(Debug, Clone)]
pub struct Job {
    pub setup: Setup,
    pub known: Known,
    pub aws: AwsOptions,
    pub authority: String,
    /// The OIDC client secret typed in this session (memory only).
    pub secret: Option<String>,
    pub branding_done: bool,
    /// Where certificate files are written.
    pub out_dir: PathBuf,
}

/// Advice for an API error; with no credentials at all, also the way to try without AWS.
pub fn say(e: &ApiError, aws: &AwsOptions) -> String {
    let mut text = advice(e, aws.profile.as_deref(), &aws.region);
    if e.kind == ErrorKind::NoCredentials {
        text.push_str(
            "\nNo AWS account at hand? scripts/try opens the wizard on a local Cognito emulator.",
        );
    }
    text
}

pub async fn api(job: &Job) -> Result<SdkCognito, String> {
    connect(&job.aws).await.map_err(|e| say(&e, &job.aws))
}

fn observe_error(e: ObserveError, aws: &AwsOptions) -> String {
    match e {
        ObserveError::Api(e) => say(&e, aws),
        ObserveError::Refused(r) => r
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn apply_error(e: ApplyError, aws: &AwsOptions) -> String {
    match e {
        ApplyError::Api { error, .. } => say(&error, aws),
        ApplyError::Record(why) => why,
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

/// Phase one: the pool, domain and client the Entra values name.
pub async fn prepare(job: &Job) -> Result<Ids, String> {
    let api = api(job).await?;
    let observed = observe(&api, &job.setup, &job.known, job.branding_done)
        .await
        .map_err(|e| observe_error(e, &job.aws))?;
    let options = Options {
        phase: Phase::Prepare,
        ..Options::default()
    };
    let plan =
        plan::plan(&job.setup, &observed, &EntraInput::default(), options).map_err(refusals)?;
    let mut ids = ids_of(&observed);
    apply(&api, &plan, &mut ids, |_| Ok(()))
        .await
        .map_err(|e| apply_error(e, &job.aws))?;
    Ok(ids)
}

/// The whole plan, with the Entra side checked first (nothing is read from AWS before).
pub async fn full_plan(job: &Job) -> Result<(Plan, SdkCognito, Ids), String> {
    let fetcher = Fetcher::new(Limits::from_env()).map_err(|e| e.to_string())?;
    let mut checked = input::check(
        &job.setup,
        std::path::Path::new("."),
        &job.authority,
        &fetcher,
    )
    .await
    .map_err(|u| {
        let errors: Vec<String> = u.findings.iter().map(|f| f.message.clone()).collect();
        format!("{} is not usable: {}", u.what, errors.join("; "))
    })?;
    if job.secret.is_some() {
        checked.input.client_secret = job.secret.clone();
    }
    let api = api(job).await?;
    let observed = observe(&api, &job.setup, &job.known, job.branding_done)
        .await
        .map_err(|e| observe_error(e, &job.aws))?;
    let plan =
        plan::plan(&job.setup, &observed, &checked.input, Options::default()).map_err(refusals)?;
    Ok((plan, api, ids_of(&observed)))
}

/// Plans again, applies change by change (`on_done` after each), writes the certificates.
pub async fn run_apply(
    job: &Job,
    mut on_done: impl FnMut(usize, &Ids) + Send,
) -> Result<Vec<ForEntra>, String> {
    let (plan, api, mut ids) = full_plan(job).await?;
    apply(&api, &plan, &mut ids, |event| {
        if let Event::Finished(i, _, ids) = event {
            on_done(i, ids);
        }
        Ok(())
    })
    .await
    .map_err(|e| format!("{}\nWhat finished is saved.", apply_error(e, &job.aws)))?;
    let pool_id = ids.user_pool_id.clone().unwrap_or_default();
    write_for_entra(&api, &job.setup, &pool_id, &job.out_dir)
        .await
        .map_err(|e| match e {
            CertError::Api(e) => say(&e, &job.aws),
            CertError::File(why) | CertError::NotYet(why) => why,
        })
}
