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

/// What Entra serves for the setup, read beside the account.
enum EntraSide {
    Metadata(metadata::Report),
    Discovery(discovery::Report),
}

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
    let aws =
        cognito_entra::resolve::aws_options(&ctx.given(), state.aws.profile.as_deref(), &s.region);
    let now = time::OffsetDateTime::now_utc();
    let live = block_on(async {
        let api = connect(&aws)
            .await
            .map_err(|e| Failure::Failed(format!("error: {}", say(&e, &aws))))?;
        let mut live = Live::default();
        let Some(pool_id) = values.user_pool_id.clone() else {
            return Ok(live);
        };
        let fetcher =
            Fetcher::new(Limits::from_env()).map_err(|e| Failure::Failed(format!("error: {e}")))?;
        let fail = |e: ApiError| Failure::Failed(format!("error: {}", say(&e, &aws)));
        // Every read at once (one round trip), Entra's side beside them.
        let domain = async {
            match &s.domain.prefix {
                Some(prefix) => api.describe_domain(prefix).await,
                None => Ok(None),
            }
        };
        let client = async {
            match &values.client_id {
                Some(id) => Some(api.describe_user_pool_client(&pool_id, id).await),
                None => None,
            }
        };
        let signing = async {
            match s.protocol {
                Protocol::Saml => Some(api.get_signing_certificate(&pool_id).await),
                Protocol::Oidc => None,
            }
        };
        let setup_metadata_url = s.saml.as_ref().and_then(|m| m.metadata_url.clone());
        let entra = async {
            match s.protocol {
                Protocol::Saml => match (&setup_metadata_url, s.saml().metadata_file) {
                    (Some(url), _) => Some(EntraSide::Metadata(
                        metadata::check_url(&fetcher, url, &ctx.global.authority, now).await,
                    )),
                    (None, Some(file)) => Some(EntraSide::Metadata(metadata::check_file(
                        std::path::Path::new(&file),
                        now,
                    ))),
                    (None, None) => None,
                },
                Protocol::Oidc => match s.oidc().tenant_id {
                    Some(tenant) => Some(EntraSide::Discovery(
                        discovery::check_tenant(&fetcher, &ctx.global.authority, &tenant).await,
                    )),
                    None => None,
                },
            }
        };
        let ((pool, domain, providers, provider), (client, signing, entra)) =
            futures_util::future::join(
                futures_util::future::join4(
                    api.describe_user_pool(&pool_id),
                    domain,
                    api.list_identity_providers(&pool_id),
                    api.describe_identity_provider(&pool_id, s.provider_name()),
                ),
                futures_util::future::join3(client, signing, entra),
            )
            .await;
        live.pool = found(pool, &aws)?;
        if live.pool.is_none() {
            return Ok(live);
        }
        live.domain = domain.map_err(fail)?;
        live.providers = providers.map_err(fail)?;
        live.provider = provider.map_err(fail)?;
        if let Some(client) = client {
            live.client = found(client, &aws)?;
        }
        if let Some(Ok(cert)) = signing {
            live.signing_certificate = metadata::parse_certificate(&cert).ok();
        }
        let details = live
            .provider
            .as_ref()
            .map(|p| p.details.clone())
            .unwrap_or_default();
        live.encryption_certificate = details.get("ActiveEncryptionCertificate").and_then(|c| {
            metadata::parse_certificate(&c.split_whitespace().collect::<String>()).ok()
        });
        match entra {
            Some(EntraSide::Metadata(report)) => live.metadata = Some(report),
            Some(EntraSide::Discovery(report)) => live.discovery = Some(report),
            None => {}
        }
        // What Cognito uses is what matters: when the live provider names another metadata
        // URL than the setup, that one is checked (a second round trip, only then).
        if let Some(live_url) = details.get("MetadataURL")
            && setup_metadata_url.as_deref() != Some(live_url.as_str())
        {
            live.metadata =
                Some(metadata::check_url(&fetcher, live_url, &ctx.global.authority, now).await);
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
