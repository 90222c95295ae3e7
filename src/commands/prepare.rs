//! What `plan` and `apply` share: check the setup, check what Entra serves (before any AWS
//! call), read the live account, and compute the plan.

use std::io::IsTerminal;

use cognito_entra::cognito::advice::advice;
use cognito_entra::cognito::observe::{ObserveError, observe};
use cognito_entra::cognito::sdk::{AwsOptions, SdkCognito, connect};
use cognito_entra::entra::fetch::{Fetcher, Limits};
use cognito_entra::entra::input::{self, Checked};
use cognito_entra::entra::{Finding, Level};
use cognito_entra::plan::{self, Options, Plan, Refusal};
use cognito_entra::setup::{Protocol, Stage};

use super::source::{Resolved, resolve};
use super::{Context, Failure, print_warnings};
use crate::cli::Source;

pub struct Prepared {
    pub resolved: Resolved,
    pub api: SdkCognito,
    pub plan: Plan,
    pub entra: Checked,
    pub aws: AwsOptions,
    /// The pool and client that exist now (adopted or left by an earlier run).
    pub pool_id: Option<String>,
    pub client_id: Option<String>,
}

fn refusals_failure(source: &str, refusals: &[Refusal]) -> Failure {
    let mut text = format!("{source}: cannot plan; nothing was changed:\n");
    for r in refusals {
        text.push_str(&format!("{r}\n"));
    }
    Failure::Failed(text)
}

fn print_findings(findings: &[Finding]) {
    for f in findings.iter().filter(|f| f.level != Level::Error) {
        let label = if f.level == Level::Warning {
            "warning"
        } else {
            "note"
        };
        eprintln!("{label}: {}", f.message);
    }
}

pub async fn prepare(
    ctx: &Context,
    source: &Source,
    remove_other_providers: bool,
    may_prompt: bool,
) -> Result<Prepared, Failure> {
    let resolved = resolve(ctx, source, Stage::Apply)?;
    print_warnings(&resolved.warnings);
    let setup = &resolved.setup;
    if let Some(region) = ctx.global.region.as_deref().filter(|r| *r != setup.region) {
        return Err(Failure::Usage(format!(
            "error: --region {region} disagrees with the setup's region {:?}\n  fix: drop --region (the setup decides), or change region in the setup",
            setup.region
        )));
    }
    let fetcher =
        Fetcher::new(Limits::from_env()).map_err(|e| Failure::Failed(format!("error: {e}")))?;
    let mut entra = input::check(setup, &resolved.base_dir, &ctx.global.authority, &fetcher)
        .await
        .map_err(|u| {
            let mut text = format!("{} is not usable; nothing was changed in AWS:\n", u.what);
            for f in u.findings.iter().filter(|f| f.level == Level::Error) {
                text.push_str(&format!("error: {}\n", f.message));
            }
            Failure::Failed(text)
        })?;
    print_findings(&entra.findings);

    let aws = AwsOptions {
        region: setup.region.clone(),
        profile: ctx.global.profile.clone(),
        endpoint_url: ctx.global.endpoint_url.clone(),
    };
    let fail = |e| {
        Failure::Failed(format!(
            "error: {}",
            advice(&e, aws.profile.as_deref(), &aws.region)
        ))
    };
    let api = connect(&aws).await.map_err(fail)?;
    let branding_done = resolved.state.as_ref().is_some_and(|s| {
        s.progress
            .applied
            .iter()
            .any(|a| a.starts_with("create branding"))
    });
    let observed = match observe(&api, setup, &resolved.known, branding_done).await {
        Ok(o) => o,
        Err(ObserveError::Api(e)) => return Err(fail(e)),
        Err(ObserveError::Refused(r)) => return Err(refusals_failure(&setup.name, &r)),
    };
    // A new OIDC provider needs the secret: ask for it (hidden) when a person is there.
    if setup.protocol == Protocol::Oidc
        && entra.input.client_secret.is_none()
        && observed.provider.is_none()
        && may_prompt
        && std::io::stdin().is_terminal()
    {
        let secret = rpassword::prompt_password(
            "Client secret Value from Entra (Certificates & secrets; typing is hidden): ",
        )
        .map_err(|e| Failure::Failed(format!("error: cannot read the secret: {e}")))?;
        if !secret.trim().is_empty() {
            entra.input.client_secret = Some(secret.trim().to_string());
        }
    }
    let options = Options {
        remove_other_providers,
        ..Options::default()
    };
    let plan = plan::plan(setup, &observed, &entra.input, options)
        .map_err(|r| refusals_failure(&setup.name, &r))?;
    Ok(Prepared {
        pool_id: observed.pool.as_ref().map(|p| p.id.clone()),
        client_id: observed.client.as_ref().and_then(|c| c.client_id.clone()),
        resolved,
        api,
        plan,
        entra,
        aws,
    })
}
