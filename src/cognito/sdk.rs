//! `CognitoApi` on the AWS SDK: the admin's usual credential sources (profiles, SSO,
//! credential_process, environment, instance and container roles), standard retries with
//! backoff (AWS_MAX_ATTEMPTS and AWS_RETRY_MODE are honoured), and the same rustls + ring TLS
//! stack as the rest of the tool. Errors become `ApiError`s the engine can turn into advice.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_cognitoidentityprovider as cip;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use cip::types::{
    DomainDescriptionType, ExplicitAuthFlowsType, IdentityProviderTypeType, OAuthFlowType,
    PreventUserExistenceErrorTypes, TimeUnitsType, TokenValidityUnitsType, UserPoolClientType,
};

use super::api::*;
use super::fake::WRITE_OPERATIONS;

/// Where and as whom to call AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub region: String,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

pub struct SdkCognito {
    client: cip::Client,
    calls: Mutex<Vec<&'static str>>,
    writes: AtomicUsize,
    /// Test failpoint: stop (and wait to be killed) right after this many writes succeeded.
    pause_after_writes: Option<usize>,
}

/// Builds the SDK configuration from the admin's usual sources.
pub async fn connect(options: &AwsOptions) -> Result<SdkCognito, ApiError> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let mut trust = TrustStore::default();
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty())
        && let Ok(pem) = std::fs::read(&path)
    {
        trust = trust.with_pem_certificate(pem);
    }
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| ApiError::new(ErrorKind::Other, "TLS setup", e.to_string()))?;
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .region(aws_config::Region::new(options.region.clone()));
    if let Some(p) = &options.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    let pause_after_writes = std::env::var("COGNITO_ENTRA_TEST_PAUSE_AFTER_WRITES")
        .ok()
        .and_then(|v| v.parse().ok());
    Ok(SdkCognito {
        client: cip::Client::new(&config),
        calls: Mutex::new(Vec::new()),
        writes: AtomicUsize::new(0),
        pause_after_writes,
    })
}

/// More pages than any account has (the limit is 1,000 pools a region): a service that kept
/// answering with a next token would otherwise keep the tool asking for ever.
const MAX_PAGES: usize = 1000;

impl SdkCognito {
    /// Every page of a list call, each counted as one call; `fetch` gets the previous page's
    /// token and returns its items and the next token.
    async fn all_pages<T, F, Fut>(&self, op: &'static str, mut fetch: F) -> ApiResult<Vec<T>>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: std::future::Future<Output = ApiResult<(Vec<T>, Option<String>)>>,
    {
        let mut out = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            self.record(op);
            let (items, next) = fetch(token).await?;
            out.extend(items);
            match next.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => return Ok(out),
            }
        }
        Err(ApiError::new(
            ErrorKind::Other,
            op,
            format!("still more pages after {MAX_PAGES}; stopped asking"),
        ))
    }

    /// Every API call made so far, by operation name (retries not counted).
    pub fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn record(&self, op: &'static str) {
        if let Ok(mut c) = self.calls.lock() {
            c.push(op);
        }
    }

    async fn wrote(&self, op: &'static str) {
        if !WRITE_OPERATIONS.contains(&op) {
            return;
        }
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if self.pause_after_writes == Some(n) {
            eprintln!("cognito-entra: test failpoint: paused after write {n} ({op})");
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        }
    }
}

/// Turns an SDK error into an `ApiError` with the kind the advice needs.
fn map_err<E>(op: &'static str, err: SdkError<E>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let full = DisplayErrorContext(&err).to_string();
    let lower = full.to_ascii_lowercase();
    if let SdkError::ServiceError(service) = &err {
        let e = service.err();
        let code = e.code().unwrap_or_default();
        let message = e.message().unwrap_or(code).to_string();
        let kind = match code {
            "ResourceNotFoundException" => ErrorKind::NotFound,
            "DuplicateProviderException" => ErrorKind::Duplicate,
            "InvalidParameterException" | "ValidationException" => ErrorKind::InvalidParameter,
            "AccessDeniedException" | "AccessDenied" | "NotAuthorizedException" => {
                ErrorKind::AccessDenied
            }
            "ExpiredTokenException" | "ExpiredToken" => ErrorKind::ExpiredCredentials,
            "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "InvalidSignatureException" => ErrorKind::NoCredentials,
            "TooManyRequestsException" | "LimitExceededException" | "ThrottlingException" => {
                ErrorKind::Throttled
            }
            _ => ErrorKind::Other,
        };
        let message = if message.is_empty() {
            code.to_string()
        } else {
            message
        };
        return ApiError::new(kind, op, message);
    }
    // An answer that is not an AWS error (a proxy page, an emulator crash): status and gist.
    if let SdkError::ResponseError(r) = &err {
        let status = r.raw().status().as_u16();
        let body = r
            .raw()
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let gist: String = body
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(160)
            .collect();
        return ApiError::new(
            ErrorKind::Other,
            op,
            format!("unexpected answer HTTP {status}: {gist}"),
        );
    }
    let kind = if lower.contains("expired") && (lower.contains("token") || lower.contains("sso")) {
        ErrorKind::ExpiredCredentials
    } else if lower.contains("credential") {
        ErrorKind::NoCredentials
    } else if matches!(
        err,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    ) {
        ErrorKind::Network
    } else {
        ErrorKind::Other
    };
    ApiError::new(kind, op, full)
}

fn is_not_found<E: ProvideErrorMetadata>(err: &SdkError<E>) -> bool {
    matches!(err, SdkError::ServiceError(s) if s.err().code() == Some("ResourceNotFoundException"))
}

fn units(u: Option<&TimeUnitsType>) -> Option<String> {
    u.map(|u| u.as_str().to_string())
}

fn client_from(c: &UserPoolClientType) -> ClientConfig {
    ClientConfig {
        client_id: c.client_id().map(str::to_string),
        client_name: c.client_name().unwrap_or_default().to_string(),
        generate_secret: false,
        callback_urls: c.callback_urls().to_vec(),
        logout_urls: c.logout_urls().to_vec(),
        default_redirect_uri: c.default_redirect_uri().map(str::to_string),
        allowed_oauth_flows: c
            .allowed_o_auth_flows()
            .iter()
            .map(|f| f.as_str().to_string())
            .collect(),
        allowed_oauth_scopes: c.allowed_o_auth_scopes().to_vec(),
        allowed_oauth_flows_user_pool_client: c
            .allowed_o_auth_flows_user_pool_client()
            .unwrap_or(false),
        supported_identity_providers: c.supported_identity_providers().to_vec(),
        explicit_auth_flows: c
            .explicit_auth_flows()
            .iter()
            .map(|f| f.as_str().to_string())
            .collect(),
        read_attributes: c.read_attributes().to_vec(),
        write_attributes: c.write_attributes().to_vec(),
        refresh_token_validity: Some(c.refresh_token_validity()).filter(|v| *v != 0),
        access_token_validity: c.access_token_validity(),
        id_token_validity: c.id_token_validity(),
        token_validity_units: c.token_validity_units().map(|u| {
            (
                units(u.access_token()),
                units(u.id_token()),
                units(u.refresh_token()),
            )
        }),
        prevent_user_existence_errors: c
            .prevent_user_existence_errors()
            .map(|p| p.as_str().to_string()),
        enable_token_revocation: c.enable_token_revocation(),
        enable_propagate_additional_user_context_data: c
            .enable_propagate_additional_user_context_data(),
        auth_session_validity: c.auth_session_validity(),
        has_secret: c.client_secret().is_some(),
    }
}

fn token_units(c: &ClientConfig) -> Option<TokenValidityUnitsType> {
    c.token_validity_units.as_ref().map(|(a, i, r)| {
        TokenValidityUnitsType::builder()
            .set_access_token(a.as_deref().map(TimeUnitsType::from))
            .set_id_token(i.as_deref().map(TimeUnitsType::from))
            .set_refresh_token(r.as_deref().map(TimeUnitsType::from))
            .build()
    })
}

fn hash(m: &BTreeMap<String, String>) -> HashMap<String, String> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn provider_type(t: ProviderType) -> IdentityProviderTypeType {
    IdentityProviderTypeType::from(t.as_aws())
}

impl CognitoApi for SdkCognito {
    async fn list_user_pools(&self) -> ApiResult<Vec<PoolSummary>> {
        const OP: &str = "ListUserPools";
        self.all_pages(OP, |token| async move {
            let page = self
                .client
                .list_user_pools()
                .max_results(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_err(OP, e))?;
            let items = page.user_pools().iter().map(|p| PoolSummary {
                id: p.id().unwrap_or_default().to_string(),
                name: p.name().unwrap_or_default().to_string(),
            });
            Ok((items.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    async fn describe_user_pool(&self, pool_id: &str) -> ApiResult<Pool> {
        const OP: &str = "DescribeUserPool";
        self.record(OP);
        let out = self
            .client
            .describe_user_pool()
            .user_pool_id(pool_id)
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        let p = out.user_pool().ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                OP,
                format!("User pool {pool_id} does not exist."),
            )
        })?;
        Ok(Pool {
            id: p.id().unwrap_or(pool_id).to_string(),
            name: p.name().unwrap_or_default().to_string(),
            domain: p.domain().filter(|d| !d.is_empty()).map(str::to_string),
            custom_domain: p
                .custom_domain()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            required_attributes: p
                .schema_attributes()
                .iter()
                .filter(|a| a.required() == Some(true))
                .filter_map(|a| a.name().map(str::to_string))
                .collect(),
        })
    }

    async fn create_user_pool(&self, name: &str) -> ApiResult<Pool> {
        const OP: &str = "CreateUserPool";
        self.record(OP);
        let out = self
            .client
            .create_user_pool()
            .pool_name(name)
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        self.wrote(OP).await;
        let p = out
            .user_pool()
            .ok_or_else(|| ApiError::new(ErrorKind::Other, OP, "no pool in the answer"))?;
        Ok(Pool {
            id: p.id().unwrap_or_default().to_string(),
            name: p.name().unwrap_or(name).to_string(),
            ..Pool::default()
        })
    }

    async fn describe_domain(&self, domain: &str) -> ApiResult<Option<DomainInfo>> {
        const OP: &str = "DescribeUserPoolDomain";
        self.record(OP);
        let out = match self
            .client
            .describe_user_pool_domain()
            .domain(domain)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(map_err(OP, e)),
        };
        // A free domain comes back as an empty description, not as an error.
        Ok(out
            .domain_description()
            .and_then(|d: &DomainDescriptionType| {
                let pool = d.user_pool_id().filter(|p| !p.is_empty())?;
                Some(DomainInfo {
                    domain: d.domain().unwrap_or(domain).to_string(),
                    user_pool_id: pool.to_string(),
                    status: d.status().map(|s| s.as_str().to_string()),
                    managed_login_version: d.managed_login_version(),
                })
            }))
    }

    async fn create_domain(
        &self,
        pool_id: &str,
        domain: &str,
        managed_login: bool,
    ) -> ApiResult<()> {
        const OP: &str = "CreateUserPoolDomain";
        self.record(OP);
        self.client
            .create_user_pool_domain()
            .user_pool_id(pool_id)
            .domain(domain)
            .managed_login_version(managed_login_version(managed_login))
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn list_identity_providers(&self, pool_id: &str) -> ApiResult<Vec<ProviderSummary>> {
        const OP: &str = "ListIdentityProviders";
        self.all_pages(OP, |token| async move {
            let page = self
                .client
                .list_identity_providers()
                .user_pool_id(pool_id)
                .max_results(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_err(OP, e))?;
            let items = page.providers().iter().map(|p| ProviderSummary {
                name: p.provider_name().unwrap_or_default().to_string(),
                provider_type: ProviderType::from_aws(
                    p.provider_type().map(|t| t.as_str()).unwrap_or_default(),
                ),
            });
            Ok((items.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    async fn describe_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> ApiResult<Option<ProviderInfo>> {
        const OP: &str = "DescribeIdentityProvider";
        self.record(OP);
        let out = match self
            .client
            .describe_identity_provider()
            .user_pool_id(pool_id)
            .provider_name(name)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(map_err(OP, e)),
        };
        Ok(out.identity_provider().map(|p| ProviderInfo {
            name: p.provider_name().unwrap_or(name).to_string(),
            provider_type: ProviderType::from_aws(
                p.provider_type().map(|t| t.as_str()).unwrap_or_default(),
            ),
            details: p
                .provider_details()
                .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            attribute_mapping: p
                .attribute_mapping()
                .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        }))
    }

    async fn create_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> ApiResult<()> {
        const OP: &str = "CreateIdentityProvider";
        self.record(OP);
        self.client
            .create_identity_provider()
            .user_pool_id(pool_id)
            .provider_name(&provider.name)
            .provider_type(provider_type(provider.provider_type))
            .set_provider_details(Some(hash(&provider.details)))
            .set_attribute_mapping(Some(hash(&provider.attribute_mapping)))
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn update_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> ApiResult<()> {
        const OP: &str = "UpdateIdentityProvider";
        self.record(OP);
        let details: BTreeMap<String, String> = provider
            .details
            .iter()
            .filter(|(k, _)| !READ_ONLY_DETAILS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.client
            .update_identity_provider()
            .user_pool_id(pool_id)
            .provider_name(&provider.name)
            .set_provider_details(Some(hash(&details)))
            .set_attribute_mapping(Some(hash(&provider.attribute_mapping)))
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn list_user_pool_clients(&self, pool_id: &str) -> ApiResult<Vec<ClientSummary>> {
        const OP: &str = "ListUserPoolClients";
        self.all_pages(OP, |token| async move {
            let page = self
                .client
                .list_user_pool_clients()
                .user_pool_id(pool_id)
                .max_results(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_err(OP, e))?;
            let items = page.user_pool_clients().iter().map(|c| ClientSummary {
                id: c.client_id().unwrap_or_default().to_string(),
                name: c.client_name().unwrap_or_default().to_string(),
            });
            Ok((items.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    async fn describe_user_pool_client(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> ApiResult<ClientConfig> {
        const OP: &str = "DescribeUserPoolClient";
        self.record(OP);
        let out = self
            .client
            .describe_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        out.user_pool_client().map(client_from).ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                OP,
                format!("User pool client {client_id} does not exist."),
            )
        })
    }

    async fn create_user_pool_client(&self, pool_id: &str, c: &ClientConfig) -> ApiResult<String> {
        const OP: &str = "CreateUserPoolClient";
        self.record(OP);
        let out = self
            .client
            .create_user_pool_client()
            .user_pool_id(pool_id)
            .client_name(&c.client_name)
            .generate_secret(c.generate_secret)
            .set_callback_urls(Some(c.callback_urls.clone()).filter(|v| !v.is_empty()))
            .set_logout_urls(Some(c.logout_urls.clone()).filter(|v| !v.is_empty()))
            .set_default_redirect_uri(c.default_redirect_uri.clone())
            .set_allowed_o_auth_flows(Some(
                c.allowed_oauth_flows
                    .iter()
                    .map(|f| OAuthFlowType::from(f.as_str()))
                    .collect(),
            ))
            .set_allowed_o_auth_scopes(Some(c.allowed_oauth_scopes.clone()))
            .allowed_o_auth_flows_user_pool_client(c.allowed_oauth_flows_user_pool_client)
            .set_supported_identity_providers(Some(c.supported_identity_providers.clone()))
            .set_explicit_auth_flows(
                Some(
                    c.explicit_auth_flows
                        .iter()
                        .map(|f| ExplicitAuthFlowsType::from(f.as_str()))
                        .collect(),
                )
                .filter(|v: &Vec<_>| !v.is_empty()),
            )
            .set_prevent_user_existence_errors(
                c.prevent_user_existence_errors
                    .as_deref()
                    .map(PreventUserExistenceErrorTypes::from),
            )
            .set_enable_token_revocation(c.enable_token_revocation)
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        self.wrote(OP).await;
        out.user_pool_client()
            .and_then(|c| c.client_id())
            .map(str::to_string)
            .ok_or_else(|| ApiError::new(ErrorKind::Other, OP, "no client ID in the answer"))
    }

    async fn update_user_pool_client(&self, pool_id: &str, c: &ClientConfig) -> ApiResult<()> {
        const OP: &str = "UpdateUserPoolClient";
        self.record(OP);
        let nonempty = |v: &Vec<String>| Some(v.clone()).filter(|v| !v.is_empty());
        self.client
            .update_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(c.client_id.clone().unwrap_or_default())
            .client_name(&c.client_name)
            .set_callback_urls(nonempty(&c.callback_urls))
            .set_logout_urls(nonempty(&c.logout_urls))
            .set_default_redirect_uri(c.default_redirect_uri.clone())
            .set_allowed_o_auth_flows(
                Some(
                    c.allowed_oauth_flows
                        .iter()
                        .map(|f| OAuthFlowType::from(f.as_str()))
                        .collect(),
                )
                .filter(|v: &Vec<_>| !v.is_empty()),
            )
            .set_allowed_o_auth_scopes(nonempty(&c.allowed_oauth_scopes))
            .allowed_o_auth_flows_user_pool_client(c.allowed_oauth_flows_user_pool_client)
            .set_supported_identity_providers(nonempty(&c.supported_identity_providers))
            .set_explicit_auth_flows(
                Some(
                    c.explicit_auth_flows
                        .iter()
                        .map(|f| ExplicitAuthFlowsType::from(f.as_str()))
                        .collect(),
                )
                .filter(|v: &Vec<_>| !v.is_empty()),
            )
            .set_read_attributes(nonempty(&c.read_attributes))
            .set_write_attributes(nonempty(&c.write_attributes))
            .set_refresh_token_validity(c.refresh_token_validity)
            .set_access_token_validity(c.access_token_validity)
            .set_id_token_validity(c.id_token_validity)
            .set_token_validity_units(token_units(c))
            .set_prevent_user_existence_errors(
                c.prevent_user_existence_errors
                    .as_deref()
                    .map(PreventUserExistenceErrorTypes::from),
            )
            .set_enable_token_revocation(c.enable_token_revocation)
            .set_enable_propagate_additional_user_context_data(
                c.enable_propagate_additional_user_context_data,
            )
            .set_auth_session_validity(c.auth_session_validity)
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn create_managed_login_branding(&self, pool_id: &str, client_id: &str) -> ApiResult<()> {
        const OP: &str = "CreateManagedLoginBranding";
        self.record(OP);
        self.client
            .create_managed_login_branding()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .use_cognito_provided_values(true)
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn get_signing_certificate(&self, pool_id: &str) -> ApiResult<String> {
        const OP: &str = "GetSigningCertificate";
        self.record(OP);
        let out = self
            .client
            .get_signing_certificate()
            .user_pool_id(pool_id)
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        out.certificate()
            .map(str::to_string)
            .ok_or_else(|| ApiError::new(ErrorKind::Other, OP, "no certificate in the answer"))
    }
}
