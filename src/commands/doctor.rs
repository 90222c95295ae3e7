//! `cognito-entra doctor`: read the live setup (Cognito and Entra) and judge it against the
//! saved answers, check by check, with the fix for each problem.

use cognito_entra::cognito::api::{ApiError, CognitoApi, ErrorKind};
use cognito_entra::cognito::sdk::{AwsOptions, connect};
use cognito_entra::doctor::{Live, Status, assess};
use cognito_entra::engine::say;
use cognito_entra::entra::fetch::{Fetcher, Limits};
use cognito_entra::entra::{discovery, metadata};
use cognito_entra::setup::{Protocol, derive};
use serde_json::json;

use super::source::saved_setup_name;
use super::{CommandResult, Context, EXIT_FAILURE, EXIT_OK, Failure, block_on};

/// `Ok(None)` for "not found"; other errors stop the doctor with advice.
fn found<T>(r: Result<T, ApiError>, aws: &AwsOptions) -> Result<Option<T>, Failure> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::Failed(format!("error: {}", say(&e, aws)))),
    }
}

pub fn run(ctx: &Context, setup: Option<&str>, json_out: bool) -> CommandResult {
    let store = ctx.store()?;
    let name = saved_setup_name(&store, setup)?;
    let state = store.load_existing(&name)?;
    let s = &state.answers;
    let values = derive(s, &state.known(), &ctx.global.authority);
    let mut aws = state.aws_options(ctx.global.endpoint_url.clone());
    if ctx.global.profile.is_some() {
        aws.profile = ctx.global.profile.clone();
    }
    let now = time::OffsetDateTime::now_utc();
    let live = block_on(async {
        let api = connect(&aws)
            .await
            .map_err(|e| Failure::Failed(format!("error: {}", say(&e, &aws))))?;
        let mut live = Live::default();
        let Some(pool_id) = values.user_pool_id.clone() else {
            return Ok(live);
        };
        live.pool = found(api.describe_user_pool(&pool_id).await, &aws)?;
        if live.pool.is_none() {
            return Ok(live);
        }
        if let Some(prefix) = &s.domain.prefix {
            live.domain = api
                .describe_domain(prefix)
                .await
                .map_err(|e| Failure::Failed(format!("error: {}", say(&e, &aws))))?;
        }
        live.providers = api
            .list_identity_providers(&pool_id)
            .await
            .map_err(|e| Failure::Failed(format!("error: {}", say(&e, &aws))))?;
        live.provider = api
            .describe_identity_provider(&pool_id, s.provider_name())
            .await
            .map_err(|e| Failure::Failed(format!("error: {}", say(&e, &aws))))?;
        if let Some(client_id) = &values.client_id {
            live.client = found(
                api.describe_user_pool_client(&pool_id, client_id).await,
                &aws,
            )?;
        }
        let fetcher =
            Fetcher::new(Limits::from_env()).map_err(|e| Failure::Failed(format!("error: {e}")))?;
        match s.protocol {
            Protocol::Saml => {
                if let Ok(cert) = api.get_signing_certificate(&pool_id).await {
                    live.signing_certificate = metadata::parse_certificate(&cert).ok();
                }
                let details = live
                    .provider
                    .as_ref()
                    .map(|p| p.details.clone())
                    .unwrap_or_default();
                live.encryption_certificate =
                    details.get("ActiveEncryptionCertificate").and_then(|c| {
                        metadata::parse_certificate(&c.split_whitespace().collect::<String>()).ok()
                    });
                // What Cognito uses is what matters: the live provider's URL first.
                let url = details
                    .get("MetadataURL")
                    .cloned()
                    .or_else(|| s.saml().metadata_url);
                live.metadata = match (url, s.saml().metadata_file) {
                    (Some(url), _) => {
                        Some(metadata::check_url(&fetcher, &url, &ctx.global.authority, now).await)
                    }
                    (None, Some(file)) => {
                        Some(metadata::check_file(std::path::Path::new(&file), now))
                    }
                    (None, None) => None,
                };
            }
            Protocol::Oidc => {
                if let Some(tenant) = s.oidc().tenant_id {
                    live.discovery = Some(
                        discovery::check_tenant(&fetcher, &ctx.global.authority, &tenant).await,
                    );
                }
            }
        }
        Ok::<_, Failure>(live)
    })??;
    let checks = assess(&state, &values, &live, now);
    let count = |st: Status| checks.iter().filter(|c| c.status == st).count();
    let (pass, warn, fail) = (
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
    );
    if json_out {
        let out = json!({"setup": name, "checks": checks, "summary": {"pass": pass, "warn": warn, "fail": fail}});
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        outln!("{name} ({} · {})", s.protocol.label(), s.region);
        for c in &checks {
            let mark = match c.status {
                Status::Pass => "✓ pass",
                Status::Warn => "! warn",
                Status::Fail => "✗ fail",
            };
            outln!("{mark}  {:<28} {}", c.name, c.detail);
            if !c.fix.is_empty() && c.status != Status::Pass {
                outln!("        fix: {}", c.fix);
            }
        }
        outln!(
            "\n{pass} passed, {warn} warning{}, {fail} failed.",
            if warn == 1 { "" } else { "s" }
        );
    }
    Ok(if fail > 0 { EXIT_FAILURE } else { EXIT_OK })
}
