//! OIDC discovery for an Entra tenant: the issuer Cognito must trust and the four endpoints
//! that apply sends to Cognito explicitly (issuer auto-discovery has failed silently before).

use super::fetch::{FetchError, Fetcher};
use super::{Finding, Level};
use cognito_entra_core::setup::validate::{
    MULTI_TENANT_EXPLANATION, MULTI_TENANT_WORKAROUNDS, check_tenant_id,
};

pub use cognito_entra_core::entra_facts::Discovery;

#[derive(Debug, Clone)]
pub struct Report {
    pub tenant: String,
    pub url: String,
    pub discovery: Option<Discovery>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Error)
    }
}

pub fn discovery_url(authority: &str, tenant: &str) -> String {
    format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        authority.trim_end_matches('/'),
        tenant.trim()
    )
}

/// Fetches and checks the discovery document of a tenant.
pub async fn check_tenant(fetcher: &Fetcher, authority: &str, tenant: &str) -> Report {
    let tenant = tenant.trim().to_string();
    let url = discovery_url(authority, &tenant);
    let fail = |message: String| Report {
        tenant: tenant.clone(),
        url: url.clone(),
        discovery: None,
        findings: vec![Finding::error(message)],
    };
    if let Some(problem) = check_tenant_id("tenant", &tenant) {
        return fail(format!("{} — {}", problem.problem, problem.fix));
    }
    let fetched = match fetcher.get(&url).await {
        Ok(f) => f,
        Err(e) => return fail(e.to_string()),
    };
    let body = String::from_utf8_lossy(&fetched.body).into_owned();
    if fetched.status == 400 && body.contains("AADSTS90002") {
        return fail(format!(
            "tenant not found — Entra does not know {tenant:?} (AADSTS90002): check Directory (tenant) ID on the app registration's Overview page"
        ));
    }
    if !(200..300).contains(&fetched.status) {
        let detail = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("error_description")
                    .and_then(|d| d.as_str())
                    .map(str::to_string)
            })
            .map(|d| format!(" ({})", d.lines().next().unwrap_or("").trim()));
        return match detail {
            Some(d) => fail(format!("{url} answered HTTP {}{d}", fetched.status)),
            None => fail(
                fetched
                    .success()
                    .err()
                    .map_or_else(String::new, |e: FetchError| e.to_string()),
            ),
        };
    }
    match judge(&body, authority, &tenant) {
        Ok((discovery, findings)) => Report {
            tenant: tenant.clone(),
            url: url.clone(),
            discovery: Some(discovery),
            findings,
        },
        Err(message) => fail(message),
    }
}

/// Checks a discovery document's content. Pure.
pub fn judge(
    body: &str,
    authority: &str,
    tenant: &str,
) -> Result<(Discovery, Vec<Finding>), String> {
    let doc: serde_json::Value = serde_json::from_str(body.trim_start_matches('\u{feff}'))
        .map_err(|_| {
            "the discovery document is not JSON — check the tenant and --authority".to_string()
        })?;
    let field = |k: &str| -> Result<String, String> {
        doc.get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("the discovery document has no {k}"))
    };
    let issuer = field("issuer")?;
    if issuer.contains("{tenantid}") {
        return Err(format!(
            "the issuer {issuer} is a template ({{tenantid}}): this is a multi-tenant endpoint — {MULTI_TENANT_EXPLANATION}. Fix: {MULTI_TENANT_WORKAROUNDS}"
        ));
    }
    let prefix = format!("{}/", authority.trim_end_matches('/'));
    let tenant_id = issuer
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix("/v2.0"))
        .and_then(|guid| uuid::Uuid::parse_str(guid).ok())
        .map(|u| u.to_string())
        .ok_or_else(|| {
            format!("the issuer {issuer} is not {prefix}<tenant GUID>/v2.0 — check the tenant, and --authority for sovereign clouds")
        })?;
    if let Ok(given) = uuid::Uuid::parse_str(tenant)
        && given.to_string() != tenant_id
    {
        return Err(format!(
            "the issuer names tenant {tenant_id}, not the {tenant} that was asked for — check Directory (tenant) ID"
        ));
    }
    let discovery = Discovery {
        issuer,
        tenant_id,
        authorize_url: field("authorization_endpoint")?,
        token_url: field("token_endpoint")?,
        attributes_url: field("userinfo_endpoint")?,
        jwks_uri: field("jwks_uri")?,
    };
    for (name, url) in [
        ("authorization_endpoint", &discovery.authorize_url),
        ("token_endpoint", &discovery.token_url),
        ("userinfo_endpoint", &discovery.attributes_url),
        ("jwks_uri", &discovery.jwks_uri),
    ] {
        if !url.starts_with("https://") {
            return Err(format!(
                "{name} {url} is not https; Cognito calls Entra over HTTPS only"
            ));
        }
    }
    let mut findings = Vec::new();
    if uuid::Uuid::parse_str(tenant).is_err() {
        findings.push(Finding {
            level: Level::Info,
            message: format!(
                "{tenant} is tenant {} (the GUID is kept in the setup)",
                discovery.tenant_id
            ),
        });
    }
    Ok((discovery, findings))
}
