//! Taking over federations made by hand: which of a pool's identity providers federate with
//! Entra, and the setup that describes each exactly as it stands, so that its plan is empty.
//!
//! Pure: the engine reads the account (and parses metadata documents) and hands the pieces
//! here. A federation is Entra's when its SAML metadata comes from Entra (a metadata URL on an
//! Entra sign-in host, or an entity ID `https://sts.windows.net/<tenant>/` and its sovereign
//! twins) or its OIDC issuer is Entra's (`…/<tenant>/v2.0`, or v1's
//! `https://sts.windows.net/<tenant>/`). Every other provider is left alone and counted.

use serde::Serialize;

use crate::account::{ClientConfig, DomainInfo, Pool, ProviderInfo, ProviderType};
use crate::entra_facts::is_entra_host;
use crate::setup::model::{
    AppClient, Domain, EntraSide, OAuthFlow, OidcOptions, Protocol, Provider, RequestMethod,
    SamlOptions, Setup, UserPool,
};

/// What importing does, for the faces' help.
pub const ABOUT: &str = "Import from the account finds the identity providers of your user pools that federate with Entra ID (SAML metadata from Entra, or an OIDC issuer of Entra's) — made by hand in the two consoles — and saves each as a setup. Nothing in AWS or Entra is changed: every part is recorded as adopted, so destroy takes nothing down, and the setup's plan is empty until you change it. Providers that are not Entra's (Google, Okta, another SAML IdP) are left alone. A provider a saved setup already manages is shown, not imported again. Client secrets stay in Cognito.";

/// One pool as read for an import: the pool, its domain's details (the managed login
/// version), every identity provider with its details, every app client with its settings.
#[derive(Debug, Clone, Default)]
pub struct PoolRead {
    pub region: String,
    pub pool: Pool,
    pub domain: Option<DomainInfo>,
    pub providers: Vec<ProviderInfo>,
    pub clients: Vec<ClientConfig>,
}

/// What makes a provider Entra's, as found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntraSource {
    /// The tenant (GUID or domain) its metadata or issuer names.
    pub tenant: String,
    /// The Entra application, when the provider names it: the `appid` of a SAML metadata
    /// URL, or the OIDC client ID.
    pub app_id: Option<String>,
}

/// The tenant and application a SAML provider's metadata names, when it is Entra's: its
/// metadata URL on an Entra sign-in host (or the configured authority), or else the entity ID
/// of the metadata document Cognito holds (read by the engine; `entity_tenant` is the tenant
/// that entity ID names when it is Entra's).
pub fn saml_source(
    provider: &ProviderInfo,
    entity_tenant: Option<String>,
    authority: &str,
) -> Option<EntraSource> {
    let from_url = provider.details.get("MetadataURL").and_then(|u| {
        let url = url::Url::parse(u.trim()).ok()?;
        if !is_entra_host(url.host_str()?, authority) {
            return None;
        }
        let path = url.path().to_ascii_lowercase();
        if !path.contains("federationmetadata") {
            return None;
        }
        let tenant = url.path_segments()?.next().filter(|s| !s.is_empty())?;
        let app_id = url
            .query_pairs()
            .find(|(k, _)| k.eq_ignore_ascii_case("appid"))
            .map(|(_, v)| v.to_string())
            .filter(|v| !v.is_empty());
        Some(EntraSource {
            tenant: tenant.to_string(),
            app_id,
        })
    });
    // Cognito also says where it sends users to sign in (SSORedirectBindingURI, from the
    // metadata it read): on Entra's sign-in host, `…/<tenant>/saml2` — a metadata URL on
    // another host (a proxy, a mirror) still names an Entra federation this way.
    let from_sign_on = || {
        let url = url::Url::parse(provider.details.get("SSORedirectBindingURI")?.trim()).ok()?;
        if !is_entra_host(url.host_str()?, authority) {
            return None;
        }
        let mut segments = url.path_segments()?.filter(|s| !s.is_empty());
        let tenant = segments.next()?.to_string();
        (segments.next()? == "saml2").then_some(EntraSource {
            tenant,
            app_id: None,
        })
    };
    from_url
        .or_else(|| {
            entity_tenant.map(|tenant| EntraSource {
                tenant,
                app_id: None,
            })
        })
        .or_else(from_sign_on)
}

/// The tenant an OIDC provider's issuer names, when it is Entra's: v2's
/// `https://<sign-in host>/<tenant>/v2.0` (any cloud, or the configured authority) or v1's
/// `https://sts.windows.net/<tenant>/` (and its sovereign `sts.` hosts).
pub fn oidc_source(provider: &ProviderInfo, authority: &str) -> Option<EntraSource> {
    let issuer = provider.details.get("oidc_issuer")?;
    let url = url::Url::parse(issuer.trim()).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let mut segments = url.path_segments()?.filter(|s| !s.is_empty());
    let tenant = segments.next()?.to_string();
    let rest: Vec<&str> = segments.collect();
    let v2 = is_entra_host(&host, authority) && rest == ["v2.0"];
    let v1 = host.starts_with("sts.")
        && (host.ends_with(".windows.net") || host.ends_with(".chinacloudapi.cn"))
        && rest.is_empty();
    (v2 || v1).then(|| EntraSource {
        tenant,
        app_id: provider
            .details
            .get("client_id")
            .cloned()
            .filter(|c| !c.is_empty()),
    })
}

/// A federation found, and the setup that describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub setup: Setup,
    pub source: EntraSource,
    pub pool_name: String,
    /// The app clients that offer the provider, by name (ID): the setup records the first
    /// (see `choose_client`); the others keep offering it, untouched.
    pub clients: Vec<String>,
    /// What the setup cannot say about the federation as it stands: named in the report,
    /// never changed by a later apply.
    pub not_expressed: Vec<String>,
    /// The OIDC provider holds a client secret (it stays in Cognito; never read into a file).
    pub secret_in_cognito: bool,
    /// The SAML metadata document Cognito holds, for a provider made from a file: the setup
    /// names a file, which the engine writes beside the state (public metadata, no secret).
    pub metadata_document: Option<String>,
    /// The Entra application Graph found for it (import --entra graph).
    pub graph_app: Option<AppFound>,
}

/// An Entra application found for an imported federation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppFound {
    pub object_id: String,
    pub app_id: String,
    pub display_name: String,
}

/// The app clients that offer a provider; the one the setup records first. A setup holds one
/// client: the one with a callback URL (a client without one cannot complete a sign-in), by
/// name, then ID, so a second import picks the same.
pub fn clients_offering<'a>(read: &'a PoolRead, provider: &str) -> Vec<&'a ClientConfig> {
    let mut out: Vec<&ClientConfig> = read
        .clients
        .iter()
        .filter(|c| c.supported_identity_providers.iter().any(|p| p == provider))
        .collect();
    out.sort_by(|a, b| {
        a.callback_urls
            .is_empty()
            .cmp(&b.callback_urls.is_empty())
            .then_with(|| a.client_name.cmp(&b.client_name))
            .then_with(|| a.client_id.cmp(&b.client_id))
    });
    out
}

/// Why a provider that federates with Entra is not imported (the setup could not describe
/// it without a later apply changing the account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub problem: String,
    pub fix: String,
}

/// The setup that describes a federation as it stands. `name` is the setup's (see
/// `setup_name`); `source` what made it Entra's.
pub fn describe(
    read: &PoolRead,
    provider: &ProviderInfo,
    source: EntraSource,
    name: &str,
) -> Result<Found, Skipped> {
    let protocol = match provider.provider_type {
        ProviderType::Saml => Protocol::Saml,
        ProviderType::Oidc => Protocol::Oidc,
        ProviderType::Other => {
            return Err(Skipped {
                problem: "not a SAML or OIDC provider".into(),
                fix: "nothing to do: only SAML and OIDC federate with Entra".into(),
            });
        }
    };
    let domain = match (&read.pool.domain, &read.pool.custom_domain) {
        (_, Some(custom)) => Domain {
            prefix: None,
            custom: Some(custom.clone()),
            managed_login: false,
        },
        (Some(prefix), None) => Domain {
            prefix: Some(prefix.clone()),
            custom: None,
            managed_login: read.domain.as_ref().and_then(|d| d.managed_login_version) == Some(2),
        },
        (None, None) => {
            return Err(Skipped {
                problem: format!(
                    "the pool {} has no domain, so nobody can sign in through {} (Cognito's sign-in pages live on the domain)",
                    read.pool.id, provider.name
                ),
                fix: "give the pool a domain (Cognito console › the pool › Branding › Domain), then import again".into(),
            });
        }
    };
    let offering = clients_offering(read, &provider.name);
    let Some(client) = offering.first() else {
        return Err(Skipped {
            problem: format!(
                "no app client of the pool {} offers {}, so nobody signs in through it",
                read.pool.id, provider.name
            ),
            fix: format!(
                "add {} to an app client's identity providers (Cognito console › the pool › App clients › Login pages), then import again",
                provider.name
            ),
        });
    };
    let mut not_expressed = Vec::new();
    let mut oauth_flows = Vec::new();
    for flow in &client.allowed_oauth_flows {
        match flow.as_str() {
            "code" => oauth_flows.push(OAuthFlow::Code),
            "implicit" => oauth_flows.push(OAuthFlow::Implicit),
            other => not_expressed.push(format!(
                "app client {}: OAuth flow {other} (kept as it is)",
                client.client_name
            )),
        }
    }
    let app_client = AppClient {
        id: client.client_id.clone(),
        // Adopted by ID: a name beside it would ask for a new client.
        name: None,
        callback_urls: client.callback_urls.clone(),
        logout_urls: client.logout_urls.clone(),
        scopes: client.allowed_oauth_scopes.clone(),
        oauth_flows,
        generate_secret: client.has_secret,
        allow_cognito_sign_in: Some(
            client
                .supported_identity_providers
                .iter()
                .any(|p| p == "COGNITO"),
        ),
        // "Only Entra on this client" is true of a client that offers this provider alone.
        remove_other_providers: client.supported_identity_providers == [provider.name.clone()],
        exact_lists: false,
    };
    let clients: Vec<String> = offering
        .iter()
        .map(|c| {
            format!(
                "{} ({})",
                c.client_name,
                c.client_id.as_deref().unwrap_or("?")
            )
        })
        .collect();
    if clients.len() > 1 {
        not_expressed.push(format!(
            "{} is also offered by {}: a setup holds one app client, so those keep it untouched and unmanaged",
            provider.name,
            clients[1..].join(", ")
        ));
    }
    if provider.attribute_mapping.is_empty() {
        not_expressed.push(format!(
            "{} maps no attributes; a setup always maps some (an empty mapping means the protocol's defaults), so its plan adds them",
            provider.name
        ));
    }
    let detail = |k: &str| provider.details.get(k).map(String::as_str);
    let yes = |k: &str| detail(k).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut metadata_document = None;
    let (saml, oidc) = match protocol {
        Protocol::Saml => {
            let metadata_url = detail("MetadataURL").map(str::to_string);
            let metadata_file = if metadata_url.is_none() {
                metadata_document = detail("MetadataFile").map(str::to_string);
                Some(metadata_file_name(name))
            } else {
                None
            };
            (
                Some(SamlOptions {
                    metadata_url,
                    metadata_file,
                    idp_initiated: yes("IDPInit"),
                    sign_requests: detail("RequestSigningAlgorithm").is_some(),
                    encrypted_responses: yes("EncryptedResponses"),
                    idp_signout: yes("IDPSignout"),
                }),
                None,
            )
        }
        Protocol::Oidc => (
            None,
            Some(OidcOptions {
                tenant_id: Some(source.tenant.clone()),
                client_id: detail("client_id").map(str::to_string),
                scopes: detail("authorize_scopes")
                    .map(|s| s.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                attributes_request_method: match detail("attributes_request_method") {
                    Some(m) if m.eq_ignore_ascii_case("POST") => RequestMethod::Post,
                    _ => RequestMethod::Get,
                },
            }),
        ),
    };
    let secret_in_cognito = protocol == Protocol::Oidc && detail("client_secret").is_some();
    let setup = Setup {
        name: name.to_string(),
        protocol,
        region: read.region.clone(),
        user_pool: UserPool {
            id: Some(read.pool.id.clone()),
            name: None,
        },
        domain,
        app_client,
        provider: Provider {
            name: Some(provider.name.clone()),
            attribute_mapping: provider.attribute_mapping.clone(),
            identifiers: Some(provider.idp_identifiers.clone().unwrap_or_default()),
            exact_mapping: false,
        },
        saml,
        oidc,
        entra: EntraSide::default(),
    };
    Ok(Found {
        setup,
        source,
        pool_name: read.pool.name.clone(),
        clients,
        not_expressed,
        secret_in_cognito,
        metadata_document,
        graph_app: None,
    })
}

/// The file an imported SAML setup names for the metadata Cognito holds (a provider made
/// from a file has no URL to read again), beside the state files.
pub fn metadata_file_name(setup: &str) -> String {
    format!("{setup}.metadata.xml")
}

/// A setup name for a federation: provider and pool, made to fit a setup name's form
/// (1-64 letters, digits, '.', '_' or '-', from a letter or digit), never one of `taken`.
pub fn setup_name(provider: &str, pool_name: &str, taken: &[String]) -> String {
    let clean = |s: &str| -> String {
        let mapped: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        mapped
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let mut base = format!("{}-{}", clean(provider), clean(pool_name));
    base = base
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    if base.is_empty() {
        base = "imported".into();
    }
    base.truncate(56);
    let base = base.trim_end_matches('-').to_string();
    let taken_lower: Vec<String> = taken.iter().map(|t| t.to_ascii_lowercase()).collect();
    if !taken_lower.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| !taken_lower.contains(n))
        .unwrap_or(base)
}

/// A provider in the account, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub region: String,
    pub pool_id: String,
    pub pool_name: String,
    pub provider: String,
    pub protocol: String,
    pub tenant: String,
    pub clients: Vec<String>,
    /// "working", or "broken: why", from doctor's checks; empty until judged.
    pub verdict: String,
    /// The setup that holds it: made now, found already, or none (skipped).
    pub setup: Option<String>,
    /// imported | already managed | skipped | would import | gone
    pub outcome: String,
    /// Why skipped, what the setup cannot say, the application Graph found.
    pub notes: Vec<String>,
}

/// The import's whole answer: the Entra federations found (each a row), what else the
/// account holds (counted), the reads it took.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub regions: Vec<String>,
    pub pools: usize,
    pub rows: Vec<Row>,
    /// Providers that do not federate with Entra (Google, Okta, another SAML IdP): left alone.
    pub other_providers: usize,
    pub pools_without_entra: usize,
    /// Saved imported setups whose provider is gone from the account.
    pub gone: Vec<Row>,
    pub reads: usize,
    /// Whether setups were written (false for a preview).
    pub written: bool,
}

/// Rows in a fixed order (region, pool, provider), so two imports of one account read alike
/// whatever order the concurrent reads finished in.
pub fn sort_rows(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        (a.region.as_str(), a.pool_id.as_str(), a.provider.as_str()).cmp(&(
            b.region.as_str(),
            b.pool_id.as_str(),
            b.provider.as_str(),
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn provider(kind: ProviderType, details: &[(&str, &str)]) -> ProviderInfo {
        ProviderInfo {
            name: "EntraID".into(),
            provider_type: kind,
            details: details
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            attribute_mapping: BTreeMap::new(),
            idp_identifiers: Some(Vec::new()),
        }
    }

    const AUTH: &str = "https://login.microsoftonline.com";

    #[test]
    fn entra_metadata_urls_of_every_cloud_are_recognised_and_others_are_not() {
        let tenant = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
        for host in [
            "login.microsoftonline.com",
            "login.microsoftonline.us",
            "login.partner.microsoftonline.cn",
        ] {
            let url = format!(
                "https://{host}/{tenant}/federationmetadata/2007-06/federationmetadata.xml?appid=0b4c2d6e-1111-2222-3333-444455556666"
            );
            let p = provider(ProviderType::Saml, &[("MetadataURL", &url)]);
            let s = saml_source(&p, None, AUTH).expect(&url);
            assert_eq!(s.tenant, tenant);
            assert_eq!(
                s.app_id.as_deref(),
                Some("0b4c2d6e-1111-2222-3333-444455556666")
            );
        }
        for url in [
            "https://dev-123.okta.com/app/exk1/sso/saml/metadata",
            "https://accounts.google.com/o/saml2?idpid=C01",
            "https://login.microsoftonline.com.evil.example/t/federationmetadata/2007-06/federationmetadata.xml",
        ] {
            let p = provider(ProviderType::Saml, &[("MetadataURL", url)]);
            assert_eq!(saml_source(&p, None, AUTH), None, "{url}");
        }
        // A metadata URL elsewhere (a proxy): Cognito's sign-on URL from it is Entra's.
        let p = provider(
            ProviderType::Saml,
            &[
                ("MetadataURL", "https://idp-mirror.example.com/entra.xml"),
                (
                    "SSORedirectBindingURI",
                    &format!("https://login.microsoftonline.com/{tenant}/saml2"),
                ),
            ],
        );
        assert_eq!(
            saml_source(&p, None, AUTH).map(|s| s.tenant),
            Some(tenant.to_string())
        );
        let p = provider(
            ProviderType::Saml,
            &[(
                "SSORedirectBindingURI",
                "https://dev-1.okta.com/app/x/sso/saml",
            )],
        );
        assert_eq!(saml_source(&p, None, AUTH), None);
        // A metadata file: the entity ID's tenant, as the engine read it.
        let p = provider(ProviderType::Saml, &[("MetadataFile", "<x/>")]);
        assert_eq!(
            saml_source(&p, Some(tenant.into()), AUTH).map(|s| s.tenant),
            Some(tenant.to_string())
        );
    }

    #[test]
    fn entra_issuers_v1_and_v2_are_recognised_and_others_are_not() {
        let t = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
        for issuer in [
            format!("https://login.microsoftonline.com/{t}/v2.0"),
            format!("https://login.microsoftonline.us/{t}/v2.0"),
            format!("https://sts.windows.net/{t}/"),
            format!("https://127.0.0.1:4443/{t}/v2.0"),
        ] {
            let p = provider(
                ProviderType::Oidc,
                &[("oidc_issuer", &issuer), ("client_id", "abc")],
            );
            let s = oidc_source(&p, "https://127.0.0.1:4443").expect(&issuer);
            assert_eq!(s.tenant, t);
            assert_eq!(s.app_id.as_deref(), Some("abc"));
        }
        for issuer in [
            "https://accounts.google.com",
            "https://dev-1.okta.com/oauth2/default",
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        ] {
            let p = provider(ProviderType::Oidc, &[("oidc_issuer", issuer)]);
            assert_eq!(oidc_source(&p, AUTH), None, "{issuer}");
        }
    }

    #[test]
    fn setup_names_fit_the_form_and_never_collide() {
        assert_eq!(setup_name("EntraID", "Prod pool", &[]), "entraid-prod-pool");
        let taken = vec!["entraid-prod-pool".to_string()];
        assert_eq!(
            setup_name("EntraID", "Prod pool", &taken),
            "entraid-prod-pool-2"
        );
        let long = "x".repeat(200);
        let n = setup_name(&long, &long, &[]);
        assert!(n.len() <= 64, "{n}");
        assert!(crate::setup::validate::check_setup_name(&n).is_none());
        assert!(crate::setup::validate::check_setup_name(&setup_name("_", "✓", &[])).is_none());
    }
}
