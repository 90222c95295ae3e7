//! `CognitoApi` on the AWS SDK: the admin's usual credential sources (profiles, SSO,
//! credential_process, environment, instance and container roles), the same rustls + ring TLS
//! stack as the rest of the tool, and time limits on everything (connect, each attempt, the
//! whole operation, credential resolution). Reads and updates retry with backoff (the SDK's
//! standard mode; AWS_MAX_ATTEMPTS and AWS_RETRY_MODE are honoured); creates are sent once,
//! because a create whose answer was lost must be looked for, not sent again (`apply.rs`).
//! Errors become `ApiError`s the engine can turn into advice.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider as cip;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use cip::operation::update_identity_provider::builders::UpdateIdentityProviderFluentBuilder;
use cip::operation::update_user_pool_client::builders::UpdateUserPoolClientFluentBuilder;
use cip::types::{
    DomainDescriptionType, ExplicitAuthFlowsType, IdentityProviderType, IdentityProviderTypeType,
    OAuthFlowType, PreventUserExistenceErrorTypes, TimeUnitsType, TokenValidityUnitsType,
    UserPoolClientType,
};

use super::api::*;
use super::credentials::TimedCredentials;

use cognito_entra_core::rate::{Pacer, Quotas};

/// The account's raised request-rate quotas, when the admin gave them (set once, at start).
static QUOTAS: std::sync::OnceLock<Quotas> = std::sync::OnceLock::new();

/// Paces every later call to these quotas (where raised) rather than AWS's defaults.
pub fn set_quotas(quotas: Quotas) {
    let _ = QUOTAS.set(quotas);
}
pub use cognito_entra_core::resolve::AwsOptions;

/// The time limits on AWS (docs/limits.md). One knob, `COGNITO_ENTRA_AWS_TIMEOUT` (seconds,
/// default 20): the limit on one attempt; credential resolution gets 80% of it, connecting at
/// most 10 s of it, and a whole operation with its retries two and a half times it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
    pub credentials: Duration,
}

pub const TIMEOUT_ENV: &str = "COGNITO_ENTRA_AWS_TIMEOUT";
const DEFAULT_TIMEOUT_SECS: f64 = 20.0;

impl Limits {
    pub fn from_secs(secs: f64) -> Limits {
        let attempt = Duration::from_secs_f64(secs);
        Limits {
            connect: attempt.min(Duration::from_secs(10)),
            attempt,
            operation: attempt.mul_f64(2.5),
            // Less than an attempt: credentials are resolved inside the first attempt, and
            // their own limit must fire first to name the cause and stop the helper.
            credentials: attempt.mul_f64(0.8),
        }
    }

    /// The defaults, or `COGNITO_ENTRA_AWS_TIMEOUT`; a value that is not a number of seconds
    /// between 0.1 and 3600 is refused with the variable named.
    pub fn from_env() -> Result<Limits, ApiError> {
        match std::env::var(TIMEOUT_ENV) {
            Err(_) => Ok(Limits::from_secs(DEFAULT_TIMEOUT_SECS)),
            Ok(v) if v.trim().is_empty() => Ok(Limits::from_secs(DEFAULT_TIMEOUT_SECS)),
            Ok(v) => match v.trim().parse::<f64>() {
                Ok(secs) if (0.1..=3600.0).contains(&secs) => Ok(Limits::from_secs(secs)),
                _ => Err(ApiError::new(
                    ErrorKind::Other,
                    "configuration",
                    format!(
                        "{TIMEOUT_ENV}={} is not a number of seconds between 0.1 and 3600 (fix: unset it, or give e.g. {TIMEOUT_ENV}=30)",
                        cognito_entra_core::humanize::clip(&v, 40)
                    ),
                )),
            },
        }
    }
}

pub struct SdkCognito {
    client: cip::Client,
    /// STS on the same configuration, to say whose credentials these are.
    sts: aws_sdk_sts::Client,
    limits: Limits,
    /// Where the calls go, for messages ("Cognito in eu-west-1", or the endpoint URL).
    target: String,
    calls: Mutex<Vec<&'static str>>,
    writes: AtomicUsize,
    /// Clients and providers as last described: an update sends back every field it does not
    /// change (UpdateUserPoolClient resets what it is not given).
    described_clients: Mutex<HashMap<String, UserPoolClientType>>,
    described_providers: Mutex<HashMap<(String, String), IdentityProviderType>>,
    /// Test failpoint: stop (and wait to be killed) right after this many writes succeeded.
    pause_after_writes: Option<usize>,
}

/// An endpoint URL must be an http(s) URL with a host; anything else would panic in the SDK.
fn checked_endpoint(raw: &str, from: &str) -> Result<String, ApiError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| {
        ApiError::new(
            ErrorKind::Other,
            "configuration",
            format!(
                "{from} {:?} is not a URL ({e}) (fix: give e.g. http://127.0.0.1:5000 for an emulator, or leave it out for AWS)",
                cognito_entra_core::humanize::clip(raw, 80)
            ),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::new(
            ErrorKind::Other,
            "configuration",
            format!(
                "{from} {:?} is not an http(s) URL with a host (fix: give e.g. https://cognito-idp.eu-west-1.amazonaws.com, or leave it out)",
                cognito_entra_core::humanize::clip(raw, 80)
            ),
        ));
    }
    Ok(raw.trim().to_string())
}

/// Builds the SDK configuration from the admin's usual sources.
pub async fn connect(options: &AwsOptions) -> Result<SdkCognito, ApiError> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let limits = Limits::from_env()?;
    let mut trust = TrustStore::default();
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        let pem = cognito_entra_core::bounded::read_file(
            std::path::Path::new(&path),
            cognito_entra_core::bounded::CA_BUNDLE,
        )
        .map_err(|e| {
            ApiError::new(
                ErrorKind::Other,
                "TLS setup",
                format!(
                    "SSL_CERT_FILE {}: {e} (fix: point it at a PEM CA bundle, or unset it)",
                    std::path::Path::new(&path).display()
                ),
            )
        })?;
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
    // An empty setting is unset. The SDK reads AWS_ENDPOINT_URL itself and panics on an
    // empty one ("URL was unset"); `main` drops empty AWS_* variables at start, and here an
    // empty one that is still there gets the region's own endpoint, which is what unset means.
    let endpoint = match options.endpoint_url.as_deref() {
        Some(url) if !url.trim().is_empty() => Some(checked_endpoint(url, "--endpoint-url")?),
        _ => match std::env::var("AWS_ENDPOINT_URL") {
            Ok(url) if url.trim().is_empty() => Some(format!(
                "https://cognito-idp.{}.amazonaws.com",
                options.region
            )),
            Ok(url) => Some(checked_endpoint(&url, "AWS_ENDPOINT_URL")?),
            Err(_) => None,
        },
    };
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(limits.connect)
        .read_timeout(limits.attempt)
        .operation_attempt_timeout(limits.attempt)
        .operation_timeout(limits.operation)
        .build();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(timeouts)
        .region(aws_config::Region::new(options.region.clone()));
    if let Some(p) = options.profile.as_deref().filter(|p| !p.trim().is_empty()) {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &endpoint {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    // Every attempt of every call goes to the -v log (when it is on), from this one place.
    let mut builder = cip::config::Builder::from(&config).interceptor(super::call_log::CallLog);
    let mut sts = aws_sdk_sts::config::Builder::from(&config).interceptor(super::call_log::CallLog);
    if let Some(inner) = config.credentials_provider() {
        sts = sts.credentials_provider(TimedCredentials::new(inner.clone(), limits.credentials));
        builder = builder.credentials_provider(TimedCredentials::new(inner, limits.credentials));
    }
    #[cfg(feature = "test-support")]
    let pause_after_writes = std::env::var("COGNITO_ENTRA_TEST_PAUSE_AFTER_WRITES")
        .ok()
        .and_then(|v| v.parse().ok());
    #[cfg(not(feature = "test-support"))]
    let pause_after_writes = None;
    Ok(SdkCognito {
        client: cip::Client::from_conf(builder.build()),
        sts: aws_sdk_sts::Client::from_conf(sts.build()),
        limits,
        target: endpoint.unwrap_or_else(|| format!("Cognito in {}", options.region)),
        calls: Mutex::new(Vec::new()),
        writes: AtomicUsize::new(0),
        described_clients: Mutex::new(HashMap::new()),
        described_providers: Mutex::new(HashMap::new()),
        pause_after_writes,
    })
}

/// More pages than any account has (the limit is 1,000 pools a region): a service that kept
/// answering with a next token would otherwise keep the tool asking for ever.
const MAX_PAGES: usize = 1000;

/// A create is sent once: the SDK must not re-send it after a lost answer (a second pool).
fn send_once() -> cip::config::Builder {
    cip::config::Builder::default().retry_config(aws_config::retry::RetryConfig::disabled())
}

/// Creates are sent once; updates keep the standard retries (sending one twice is harmless).
fn send_once_if_create(op: &str) -> cip::config::Builder {
    if op.starts_with("Create") {
        send_once()
    } else {
        cip::config::Builder::default()
    }
}

impl SdkCognito {
    /// Every page of a list call, each counted as one call; `fetch` gets the previous page's
    /// token and returns its items and the next token.
    async fn all_pages<T, F, Fut>(
        &self,
        op: &'static str,
        pool: &str,
        mut fetch: F,
    ) -> ApiResult<Vec<T>>
    where
        F: FnMut(Option<String>, Instant) -> Fut,
        Fut: std::future::Future<Output = ApiResult<(Vec<T>, Option<String>)>>,
    {
        let mut out = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let started = self.record(op, pool).await;
            let (items, next) = fetch(token, started).await?;
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

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Waits for the call's turn under Cognito's request-rate quotas (`rate`: one pacer for
    /// the process, so every setup of `apply --all` shares it), then counts the call and
    /// starts its clock.
    async fn record(&self, op: &'static str, pool: &str) -> Instant {
        static PACER: Mutex<Option<Pacer>> = Mutex::new(None);
        let wait = PACER
            .lock()
            .map(|mut pacer| {
                pacer
                    .get_or_insert_with(|| {
                        Pacer::with_quotas(QUOTAS.get().cloned().unwrap_or_default())
                    })
                    .wait(op, pool, Instant::now())
            })
            .unwrap_or_default();
        if !wait.is_zero() {
            cognito_entra_core::verbose_log::write(
                "note",
                &format!(
                    "{op} paced {:.3} s (Cognito's request-rate quota)",
                    wait.as_secs_f64()
                ),
            );
            tokio::time::sleep(wait).await;
        }
        if let Ok(mut c) = self.calls.lock() {
            c.push(op);
        }
        Instant::now()
    }

    async fn wrote(&self, op: &'static str) {
        if !is_write(op) {
            return;
        }
        self.writes.fetch_add(1, Ordering::SeqCst);
        // Counted across the process: a run may use more than one client (the Entra side
        // through Graph comes between the pool's creation and the provider's).
        static PROCESS_WRITES: AtomicUsize = AtomicUsize::new(0);
        let n = PROCESS_WRITES.fetch_add(1, Ordering::SeqCst) + 1;
        if self.pause_after_writes == Some(n) {
            eprintln!("cognito-entra: test failpoint: paused after write {n} ({op})");
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        }
    }

    /// Turns an SDK error into an `ApiError` with the kind the advice needs, the real time it
    /// took, and no SDK debug dump.
    fn map_err<E>(&self, op: &'static str, err: SdkError<E>, started: Instant) -> ApiError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let elapsed = started.elapsed().as_secs_f64();
        if let SdkError::ServiceError(service) = &err {
            let e = service.err();
            let code = e.code().unwrap_or_default();
            let message = e.message().unwrap_or(code).to_string();
            let status = service.raw().status().as_u16();
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
                _ if status >= 500 => ErrorKind::ServerError,
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
            let gist = cognito_entra_core::humanize::clip(
                &body.split_whitespace().collect::<Vec<_>>().join(" "),
                160,
            );
            let kind = if status >= 500 || status == 0 {
                ErrorKind::ServerError
            } else {
                ErrorKind::Other
            };
            return ApiError::new(kind, op, format!("unexpected answer HTTP {status}: {gist}"));
        }
        let chain = error_chain(&err);
        let lower = chain.to_ascii_lowercase();
        if lower.contains("credential_process") || lower.contains("credential source") {
            return ApiError::new(ErrorKind::NoCredentials, op, chain);
        }
        if matches!(err, SdkError::TimeoutError(_))
            || lower.contains("timed out")
            || lower.contains("timeout")
        {
            return ApiError::new(
                ErrorKind::Timeout,
                op,
                format!(
                    "{} did not answer within {elapsed:.1} s (the limit is {:.0} s for one attempt; {TIMEOUT_ENV} changes it)",
                    self.target,
                    self.limits.attempt.as_secs_f64()
                ),
            );
        }
        let kind =
            if lower.contains("expired") && (lower.contains("token") || lower.contains("sso")) {
                ErrorKind::ExpiredCredentials
            } else if lower.contains("credential") {
                ErrorKind::NoCredentials
            } else if matches!(err, SdkError::DispatchFailure(_)) {
                ErrorKind::Network
            } else {
                ErrorKind::Other
            };
        let text = if kind == ErrorKind::Network {
            format!("{}: {chain} (after {elapsed:.1} s)", self.target)
        } else {
            chain
        };
        ApiError::new(kind, op, text)
    }
}

/// What was last described under `key`, if anything.
fn cached<K: Eq + std::hash::Hash, V: Clone>(map: &Mutex<HashMap<K, V>>, key: &K) -> Option<V> {
    map.lock().ok().and_then(|m| m.get(key).cloned())
}

/// The messages of an error and its sources, each once, joined: no Rust debug dump.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        let text = text.trim();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(text)) {
            parts.push(text.to_string());
        }
        current = err.source();
    }
    parts.join(": ")
}

fn is_not_found<E: ProvideErrorMetadata>(err: &SdkError<E>) -> bool {
    matches!(err, SdkError::ServiceError(s) if s.err().code() == Some("ResourceNotFoundException"))
}

/// The secrets a described provider holds (an OIDC provider's client secret) become known
/// secrets: an update sends them back, and an error that quotes the update (as AWS's
/// validation errors do) must show them masked whole — not only up to a quote in them, where
/// the pattern for secret-named keys stops.
fn remember_secrets(provider: &IdentityProviderType) {
    for (key, value) in provider.provider_details().into_iter().flatten() {
        if key.to_ascii_lowercase().contains("secret") {
            cognito_entra_core::secrets::register(value);
        }
    }
}

fn units(u: Option<&TimeUnitsType>) -> Option<String> {
    u.map(|u| u.as_str().to_string())
}

fn client_from(c: &UserPoolClientType) -> ClientConfig {
    // An app client's secret is never shown; known, it is masked wherever an error quotes it.
    if let Some(secret) = c.client_secret() {
        cognito_entra_core::secrets::register(secret);
    }
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

/// The UpdateIdentityProvider request: the provider details and attribute mapping the plan
/// decided (it already carries the details it does not manage), and every other field of the
/// described provider as it is (IdP identifiers, ACR mapping: omitted, they would be reset).
fn provider_update(
    request: UpdateIdentityProviderFluentBuilder,
    pool_id: &str,
    described: &IdentityProviderType,
    provider: &ProviderInfo,
) -> UpdateIdentityProviderFluentBuilder {
    let details: BTreeMap<String, String> = provider
        .details
        .iter()
        .filter(|(k, _)| !READ_ONLY_DETAILS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    request
        .user_pool_id(pool_id)
        .provider_name(&provider.name)
        .set_provider_details(Some(hash(&details)))
        .set_attribute_mapping(Some(hash(&provider.attribute_mapping)))
        // Identifiers the setup does not name stay as they are.
        .set_idp_identifiers(
            provider
                .idp_identifiers
                .clone()
                .or_else(|| described.idp_identifiers.clone()),
        )
        .set_acr_mapping(described.acr_mapping.clone())
}

/// A list of SDK enum values from their names; `None` for an empty list (the field is left
/// out, as AWS wants it).
fn nonempty_enums<T: for<'a> From<&'a str>>(names: &[String]) -> Option<Vec<T>> {
    Some(names.iter().map(|n| T::from(n.as_str())).collect()).filter(|v: &Vec<T>| !v.is_empty())
}

/// The UpdateUserPoolClient request, which resets every field it is not given: each field
/// starts from the described client, and the fields the tool manages (the `ClientConfig`)
/// are laid over it. A test holds this against the SDK's own list of the request's fields.
fn client_update(
    request: UpdateUserPoolClientFluentBuilder,
    pool_id: &str,
    described: &UserPoolClientType,
    c: &ClientConfig,
) -> UpdateUserPoolClientFluentBuilder {
    let nonempty = |v: &Vec<String>| Some(v.clone()).filter(|v| !v.is_empty());
    request
        .user_pool_id(pool_id)
        .client_id(c.client_id.clone().unwrap_or_default())
        .client_name(&c.client_name)
        .set_callback_urls(nonempty(&c.callback_urls))
        .set_logout_urls(nonempty(&c.logout_urls))
        .set_default_redirect_uri(c.default_redirect_uri.clone())
        .set_allowed_o_auth_flows(nonempty_enums(&c.allowed_oauth_flows))
        .set_allowed_o_auth_scopes(nonempty(&c.allowed_oauth_scopes))
        .allowed_o_auth_flows_user_pool_client(c.allowed_oauth_flows_user_pool_client)
        .set_supported_identity_providers(nonempty(&c.supported_identity_providers))
        .set_explicit_auth_flows(nonempty_enums(&c.explicit_auth_flows))
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
        // Not managed by this tool: sent back as described.
        .set_analytics_configuration(described.analytics_configuration.clone())
        .set_refresh_token_rotation(described.refresh_token_rotation.clone())
}

impl SdkCognito {
    /// Sends a delete (built, not yet sent: futures start when awaited). What is gone already
    /// counts as deleted, so a delete whose answer was lost can be sent again.
    async fn deleted<T, E>(
        &self,
        op: &'static str,
        pool: &str,
        send: impl Future<Output = Result<T, SdkError<E>>>,
    ) -> ApiResult<()>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let started = self.record(op, pool).await;
        match send.await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(self.map_err(op, e, started)),
        }
        self.wrote(op).await;
        Ok(())
    }
    /// Whose credentials these are: the account and the identity's ARN (STS
    /// GetCallerIdentity, which every principal may call).
    pub async fn caller_identity(&self) -> ApiResult<(String, String)> {
        const OP: &str = "GetCallerIdentity";
        let started = self.record(OP, "").await;
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
        Ok((
            out.account().unwrap_or_default().to_string(),
            out.arn().unwrap_or_default().to_string(),
        ))
    }
}

impl CognitoApi for SdkCognito {
    async fn list_user_pools(&self) -> ApiResult<Vec<PoolSummary>> {
        const OP: &str = "ListUserPools";
        self.all_pages(OP, "", |token, started| async move {
            let page = self
                .client
                .list_user_pools()
                .max_results(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.map_err(OP, e, started))?;
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
        let started = self.record(OP, pool_id).await;
        let out = self
            .client
            .describe_user_pool()
            .user_pool_id(pool_id)
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
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
                // Cognito fills `sub` itself; it is never mapped, so it is never "required"
                // of the admin (and a pool this run created reads the same as one it adopts).
                .filter(|name| name != "sub")
                .collect(),
            attributes: p
                .schema_attributes()
                .iter()
                .filter_map(|a| {
                    a.name().map(|name| PoolAttribute {
                        name: name.to_string(),
                        // The API leaves Mutable out for some standard attributes; AWS's
                        // default for an attribute is mutable.
                        mutable: a.mutable().unwrap_or(true),
                    })
                })
                .collect(),
            auto_verified: p
                .auto_verified_attributes()
                .iter()
                .map(|a| a.as_str().to_string())
                .collect(),
            sign_in_by: p
                .username_attributes()
                .iter()
                .map(|a| a.as_str().to_string())
                .chain(p.alias_attributes().iter().map(|a| a.as_str().to_string()))
                .collect(),
            tier: p.user_pool_tier().map(|t| t.as_str().to_string()),
        })
    }

    async fn create_user_pool(&self, name: &str) -> ApiResult<Pool> {
        const OP: &str = "CreateUserPool";
        let started = self.record(OP, "").await;
        let out = self
            .client
            .create_user_pool()
            .pool_name(name)
            .customize()
            .config_override(send_once_if_create(OP))
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
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
        let started = self.record(OP, "").await;
        let out = match self
            .client
            .describe_user_pool_domain()
            .domain(domain)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(self.map_err(OP, e, started)),
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
        let started = self.record(OP, pool_id).await;
        self.client
            .create_user_pool_domain()
            .user_pool_id(pool_id)
            .domain(domain)
            .managed_login_version(managed_login_version(managed_login))
            .customize()
            .config_override(send_once_if_create(OP))
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn list_identity_providers(&self, pool_id: &str) -> ApiResult<Vec<ProviderSummary>> {
        const OP: &str = "ListIdentityProviders";
        self.all_pages(OP, pool_id, |token, started| async move {
            let page = self
                .client
                .list_identity_providers()
                .user_pool_id(pool_id)
                .max_results(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.map_err(OP, e, started))?;
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

    async fn delete_identity_provider(&self, pool_id: &str, name: &str) -> ApiResult<()> {
        let send = self
            .client
            .delete_identity_provider()
            .user_pool_id(pool_id)
            .provider_name(name)
            .send();
        self.deleted("DeleteIdentityProvider", pool_id, send).await
    }

    async fn delete_user_pool_client(&self, pool_id: &str, client_id: &str) -> ApiResult<()> {
        let send = self
            .client
            .delete_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .send();
        self.deleted("DeleteUserPoolClient", pool_id, send).await
    }

    async fn delete_domain(&self, pool_id: &str, domain: &str) -> ApiResult<()> {
        let send = self
            .client
            .delete_user_pool_domain()
            .user_pool_id(pool_id)
            .domain(domain)
            .send();
        self.deleted("DeleteUserPoolDomain", pool_id, send).await
    }

    async fn delete_user_pool(&self, pool_id: &str) -> ApiResult<()> {
        let send = self.client.delete_user_pool().user_pool_id(pool_id).send();
        self.deleted("DeleteUserPool", pool_id, send).await
    }

    async fn describe_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> ApiResult<Option<ProviderInfo>> {
        const OP: &str = "DescribeIdentityProvider";
        let started = self.record(OP, pool_id).await;
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
            Err(e) => return Err(self.map_err(OP, e, started)),
        };
        if let Some(p) = out.identity_provider() {
            remember_secrets(p);
        }
        if let Some(p) = out.identity_provider()
            && let Ok(mut cache) = self.described_providers.lock()
        {
            cache.insert((pool_id.to_string(), name.to_string()), p.clone());
        }
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
            idp_identifiers: Some(p.idp_identifiers().to_vec()),
        }))
    }

    async fn create_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> ApiResult<()> {
        const OP: &str = "CreateIdentityProvider";
        let started = self.record(OP, pool_id).await;
        self.client
            .create_identity_provider()
            .user_pool_id(pool_id)
            .provider_name(&provider.name)
            .provider_type(provider_type(provider.provider_type))
            .set_provider_details(Some(hash(&provider.details)))
            .set_attribute_mapping(Some(hash(&provider.attribute_mapping)))
            .set_idp_identifiers(
                provider
                    .idp_identifiers
                    .clone()
                    .filter(|ids| !ids.is_empty()),
            )
            .customize()
            .config_override(send_once_if_create(OP))
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn update_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> ApiResult<()> {
        const OP: &str = "UpdateIdentityProvider";
        let key = (pool_id.to_string(), provider.name.clone());
        let described = match cached(&self.described_providers, &key) {
            Some(d) => d,
            None => {
                self.describe_identity_provider(pool_id, &provider.name)
                    .await?;
                cached(&self.described_providers, &key)
                    .unwrap_or_else(|| IdentityProviderType::builder().build())
            }
        };
        let started = self.record(OP, pool_id).await;
        provider_update(
            self.client.update_identity_provider(),
            pool_id,
            &described,
            provider,
        )
        .send()
        .await
        .map_err(|e| self.map_err(OP, e, started))?;
        self.wrote(OP).await;
        if let Ok(mut cache) = self.described_providers.lock() {
            cache.remove(&key);
        }
        Ok(())
    }

    async fn list_user_pool_clients(&self, pool_id: &str) -> ApiResult<Vec<ClientSummary>> {
        const OP: &str = "ListUserPoolClients";
        self.all_pages(OP, pool_id, |token, started| async move {
            let page = self
                .client
                .list_user_pool_clients()
                .user_pool_id(pool_id)
                .max_results(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.map_err(OP, e, started))?;
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
        let started = self.record(OP, pool_id).await;
        let out = self
            .client
            .describe_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
        if let Some(c) = out.user_pool_client()
            && let Ok(mut cache) = self.described_clients.lock()
        {
            cache.insert(client_id.to_string(), c.clone());
        }
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
        let started = self.record(OP, pool_id).await;
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
            .set_write_attributes(Some(c.write_attributes.clone()).filter(|v| !v.is_empty()))
            .customize()
            .config_override(send_once_if_create(OP))
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
        self.wrote(OP).await;
        out.user_pool_client()
            .and_then(|c| c.client_id())
            .map(str::to_string)
            .ok_or_else(|| ApiError::new(ErrorKind::Other, OP, "no client ID in the answer"))
    }

    async fn update_user_pool_client(&self, pool_id: &str, c: &ClientConfig) -> ApiResult<()> {
        const OP: &str = "UpdateUserPoolClient";
        let client_id = c.client_id.clone().unwrap_or_default();
        let described = match cached(&self.described_clients, &client_id) {
            Some(d) => d,
            None => {
                self.describe_user_pool_client(pool_id, &client_id).await?;
                cached(&self.described_clients, &client_id)
                    .unwrap_or_else(|| UserPoolClientType::builder().build())
            }
        };
        let started = self.record(OP, pool_id).await;
        client_update(
            self.client.update_user_pool_client(),
            pool_id,
            &described,
            c,
        )
        .send()
        .await
        .map_err(|e| self.map_err(OP, e, started))?;
        self.wrote(OP).await;
        if let Ok(mut cache) = self.described_clients.lock() {
            cache.remove(&client_id);
        }
        Ok(())
    }

    async fn create_managed_login_branding(&self, pool_id: &str, client_id: &str) -> ApiResult<()> {
        const OP: &str = "CreateManagedLoginBranding";
        let started = self.record(OP, pool_id).await;
        self.client
            .create_managed_login_branding()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .use_cognito_provided_values(true)
            .customize()
            .config_override(send_once_if_create(OP))
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
        self.wrote(OP).await;
        Ok(())
    }

    async fn has_managed_login_branding(&self, pool_id: &str, client_id: &str) -> ApiResult<bool> {
        const OP: &str = "DescribeManagedLoginBrandingByClient";
        let started = self.record(OP, pool_id).await;
        match self
            .client
            .describe_managed_login_branding_by_client()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .send()
            .await
        {
            Ok(out) => Ok(out.managed_login_branding().is_some()),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(self.map_err(OP, e, started)),
        }
    }

    async fn get_signing_certificate(&self, pool_id: &str) -> ApiResult<String> {
        const OP: &str = "GetSigningCertificate";
        let started = self.record(OP, pool_id).await;
        let out = self
            .client
            .get_signing_certificate()
            .user_pool_id(pool_id)
            .send()
            .await
            .map_err(|e| self.map_err(OP, e, started))?;
        out.certificate()
            .map(str::to_string)
            .ok_or_else(|| ApiError::new(ErrorKind::Other, OP, "no certificate in the answer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cip::types::{AnalyticsConfigurationType, FeatureType, RefreshTokenRotationType};

    /// The fields of a builder's `Debug` that are `None`, at the top level only.
    fn unset_fields(debug: &str) -> Vec<String> {
        let Some(open) = debug.find('{') else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut depth = 0;
        let mut field = String::new();
        for c in debug[open + 1..].chars() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' if depth > 0 => depth -= 1,
                ',' if depth == 0 => {
                    if let Some((name, value)) = field.split_once(':')
                        && value.trim() == "None"
                    {
                        out.push(name.trim().to_string());
                    }
                    field.clear();
                    continue;
                }
                _ => {}
            }
            if depth == 0 {
                field.push(c);
            }
        }
        if let Some((name, value)) = field.trim_end_matches('}').split_once(':')
            && value.trim() == "None"
        {
            out.push(name.trim().to_string());
        }
        out
    }

    fn offline_client() -> cip::Client {
        let config = cip::Config::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .build();
        cip::Client::from_conf(config)
    }

    /// A described client with every field set, as an adopted production client may be.
    fn full_client() -> UserPoolClientType {
        UserPoolClientType::builder()
            .user_pool_id("eu-west-1_Abc")
            .client_name("web")
            .client_id("client1")
            .refresh_token_validity(30)
            .access_token_validity(60)
            .id_token_validity(60)
            .token_validity_units(
                TokenValidityUnitsType::builder()
                    .access_token(TimeUnitsType::Minutes)
                    .id_token(TimeUnitsType::Minutes)
                    .refresh_token(TimeUnitsType::Days)
                    .build(),
            )
            .read_attributes("email")
            .write_attributes("email")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .supported_identity_providers("COGNITO")
            .callback_urls("https://app.example.com/cb")
            .logout_urls("https://app.example.com/")
            .default_redirect_uri("https://app.example.com/cb")
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .allowed_o_auth_flows_user_pool_client(true)
            .analytics_configuration(
                AnalyticsConfigurationType::builder()
                    .application_arn("arn:aws:mobiletargeting:eu-west-1:111122223333:apps/abc")
                    .role_arn("arn:aws:iam::111122223333:role/pinpoint")
                    .user_data_shared(true)
                    .build(),
            )
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
            .enable_token_revocation(true)
            .enable_propagate_additional_user_context_data(false)
            .auth_session_validity(3)
            .refresh_token_rotation(
                RefreshTokenRotationType::builder()
                    .feature(FeatureType::Enabled)
                    .retry_grace_period_seconds(10)
                    .build()
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .build()
    }

    /// UpdateUserPoolClient resets every field it is not given. Against the SDK's own list of
    /// the request's fields (its builder's Debug): a field the SDK gains and the tool does not
    /// carry fails here, before it wipes an adopted client's setting.
    #[test]
    fn a_client_update_sends_back_every_field_the_request_has() {
        let described = full_client();
        let config = client_from(&described);
        let request = client_update(
            offline_client().update_user_pool_client(),
            "eu-west-1_Abc",
            &described,
            &config,
        );
        let debug = format!("{:?}", request.as_input());
        assert!(debug.contains("analytics_configuration"), "{debug}");
        let unset = unset_fields(&debug);
        assert!(
            unset.is_empty(),
            "UpdateUserPoolClient would reset {unset:?}: carry them from the described client\n{debug}"
        );
    }

    #[test]
    fn a_provider_update_sends_back_every_field_the_request_has() {
        let described = IdentityProviderType::builder()
            .user_pool_id("eu-west-1_Abc")
            .provider_name("EntraID")
            .provider_type(IdentityProviderTypeType::Saml)
            .provider_details("MetadataURL", "https://login.microsoftonline.com/t/m.xml")
            .attribute_mapping("email", "http://schemas/email")
            .idp_identifiers("example.com")
            .acr_mapping("urn:acr", "phr")
            .build();
        let provider = ProviderInfo {
            name: "EntraID".into(),
            provider_type: ProviderType::Saml,
            details: BTreeMap::from([("MetadataURL".into(), "https://x/m.xml".into())]),
            attribute_mapping: BTreeMap::from([("email".into(), "mail".into())]),
            idp_identifiers: None,
        };
        let request = provider_update(
            offline_client().update_identity_provider(),
            "eu-west-1_Abc",
            &described,
            &provider,
        );
        let debug = format!("{:?}", request.as_input());
        let unset = unset_fields(&debug);
        assert!(
            unset.is_empty(),
            "UpdateIdentityProvider would reset {unset:?}\n{debug}"
        );
    }

    #[test]
    fn the_field_reader_sees_top_level_nones_only() {
        let debug = "B { a: Some(X { inner: None }), b: None, c: Some([1, 2]) }";
        assert_eq!(unset_fields(debug), ["b"]);
    }
}
