//! What `plan` and `apply` share: check the setup, check what Entra serves (before any AWS
//! call), read the live account, and compute the plan.

use std::io::IsTerminal;

use cognito_entra::cognito::advice::advice;
use cognito_entra::cognito::observe::{ObserveError, observe};
use cognito_entra::cognito::sdk::{AwsOptions, SdkCognito, connect};
use cognito_entra::entra::discovery::check_tenant;
use cognito_entra::entra::fetch::{Fetcher, Limits};
use cognito_entra::entra::metadata::{self, Metadata};
use cognito_entra::entra::{Finding, Level};
use cognito_entra::plan::{self, EntraInput, Options, Plan, Refusal};
use cognito_entra::setup::{Protocol, Setup, Stage};
use time::OffsetDateTime;

use super::source::{Resolved, resolve};
use super::{Context, Failure, print_warnings};
use crate::cli::Source;

pub const SECRET_ENV: &str = "COGNITO_ENTRA_CLIENT_SECRET";

pub struct Prepared {
    pub resolved: Resolved,
    pub api: SdkCognito,
    pub plan: Plan,
    pub metadata: Option<Metadata>,
    pub tenant_id: Option<String>,
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

fn print_findings(what: &str, findings: &[Finding]) {
    for f in findings.iter().filter(|f| f.level != Level::Error) {
        let label = if f.level == Level::Warning {
            "warning"
        } else {
            "note"
        };
        eprintln!("{label}: {what}: {}", f.message);
    }
}

fn findings_failure(what: &str, findings: &[Finding]) -> Failure {
    let mut text = format!("{what} is not usable; nothing was changed in AWS:\n");
    for f in findings.iter().filter(|f| f.level == Level::Error) {
        text.push_str(&format!("error: {}\n", f.message));
    }
    Failure::Failed(text)
}

/// Checks the Entra side: metadata (SAML) or discovery (OIDC). Errors stop here.
async fn check_entra(
    ctx: &Context,
    setup: &Setup,
    base_dir: &std::path::Path,
) -> Result<(EntraInput, Option<Metadata>, Option<String>), Failure> {
    let mut entra = EntraInput::default();
    let fetcher =
        Fetcher::new(Limits::from_env()).map_err(|e| Failure::Failed(format!("error: {e}")))?;
    let now = OffsetDateTime::now_utc();
    match setup.protocol {
        Protocol::Saml => {
            let saml = setup.saml();
            let report = if let Some(url) = &saml.metadata_url {
                entra.metadata_url = Some(url.trim().to_string());
                metadata::check_url(&fetcher, url, &ctx.global.authority, now).await
            } else if let Some(file) = &saml.metadata_file {
                let path = base_dir.join(file);
                let report = metadata::check_file(&path, now);
                if !report.has_errors() {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    entra.metadata_file = Some(text.trim_start_matches('\u{feff}').to_string());
                }
                report
            } else {
                return Err(Failure::Failed(
                    "error: saml.metadata_url: no Entra metadata is given".into(),
                ));
            };
            if report.has_errors() {
                return Err(findings_failure(
                    &format!("the Entra metadata ({})", report.source),
                    &report.findings,
                ));
            }
            print_findings("metadata", &report.findings);
            let tenant = report.metadata.as_ref().and_then(|m| m.tenant_id.clone());
            Ok((entra, report.metadata, tenant))
        }
        Protocol::Oidc => {
            let tenant = setup.oidc().tenant_id.unwrap_or_default();
            let report = check_tenant(&fetcher, &ctx.global.authority, &tenant).await;
            if report.has_errors() {
                return Err(findings_failure(
                    &format!("the Entra tenant {tenant}"),
                    &report.findings,
                ));
            }
            print_findings("tenant", &report.findings);
            let tenant_id = report.discovery.as_ref().map(|d| d.tenant_id.clone());
            entra.discovery = report.discovery;
            entra.client_secret = std::env::var(SECRET_ENV)
                .ok()
                .filter(|s| !s.trim().is_empty());
            Ok((entra, None, tenant_id))
        }
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
    let (mut entra, metadata, tenant_id) = check_entra(ctx, setup, &resolved.base_dir).await?;

    let aws = AwsOptions {
        region: setup.region.clone(),
        profile: ctx.global.profile.clone(),
        endpoint_url: ctx.global.endpoint_url.clone(),
    };
    let api = connect(&aws).await.map_err(|e| {
        Failure::Failed(format!(
            "error: {}",
            advice(&e, aws.profile.as_deref(), &aws.region)
        ))
    })?;
    let branding_done = resolved.state.as_ref().is_some_and(|s| {
        s.progress
            .applied
            .iter()
            .any(|a| a.starts_with("create branding"))
    });
    let observed = match observe(&api, setup, &resolved.known, branding_done).await {
        Ok(o) => o,
        Err(ObserveError::Api(e)) => {
            return Err(Failure::Failed(format!(
                "error: {}",
                advice(&e, aws.profile.as_deref(), &aws.region)
            )));
        }
        Err(ObserveError::Refused(r)) => return Err(refusals_failure(&setup.name, &r)),
    };
    // A new OIDC provider needs the secret: ask for it (hidden) when a person is there.
    if setup.protocol == Protocol::Oidc
        && entra.client_secret.is_none()
        && observed.provider.is_none()
        && may_prompt
        && std::io::stdin().is_terminal()
    {
        let secret = rpassword::prompt_password(
            "Client secret Value from Entra (Certificates & secrets; typing is hidden): ",
        )
        .map_err(|e| Failure::Failed(format!("error: cannot read the secret: {e}")))?;
        if !secret.trim().is_empty() {
            entra.client_secret = Some(secret.trim().to_string());
        }
    }
    let options = Options {
        remove_other_providers,
    };
    let plan = plan::plan(setup, &observed, &entra, options)
        .map_err(|r| refusals_failure(&setup.name, &r))?;
    Ok(Prepared {
        pool_id: observed.pool.as_ref().map(|p| p.id.clone()),
        client_id: observed.client.as_ref().and_then(|c| c.client_id.clone()),
        resolved,
        api,
        plan,
        metadata,
        tenant_id,
        aws,
    })
}
