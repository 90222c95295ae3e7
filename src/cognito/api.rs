//! The narrow slice of the Cognito user pools API this tool uses, in its own types, so the
//! plan and the apply engine know nothing of the SDK. `sdk.rs` implements it against AWS (or
//! an emulator); `fake.rs` in memory for fast tests.

use std::collections::BTreeMap;
use std::future::Future;

/// The operations that change the account.
pub const WRITE_OPERATIONS: [&str; 8] = [
    "CreateUserPool",
    "CreateUserPoolDomain",
    "CreateIdentityProvider",
    "UpdateIdentityProvider",
    "CreateUserPoolClient",
    "UpdateUserPoolClient",
    "CreateManagedLoginBranding",
    "DeleteIdentityProvider",
];

pub fn is_write(operation: &str) -> bool {
    WRITE_OPERATIONS.contains(&operation)
}

/// A pool as the list call shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSummary {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pool {
    pub id: String,
    pub name: String,
    /// The Cognito prefix domain on the pool, if any.
    pub domain: Option<String>,
    pub custom_domain: Option<String>,
    /// Attributes the pool requires at sign-up (each must be mapped, or first sign-in fails).
    pub required_attributes: Vec<String>,
}

/// Cognito's `ManagedLoginVersion` for a domain: 1 the classic hosted UI, 2 managed login.
pub fn managed_login_version(managed_login: bool) -> i32 {
    if managed_login { 2 } else { 1 }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DomainInfo {
    pub domain: String,
    pub user_pool_id: String,
    pub status: Option<String>,
    /// 1 = classic hosted UI, 2 = managed login.
    pub managed_login_version: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProviderType {
    Saml,
    Oidc,
    Other,
}

impl ProviderType {
    pub fn as_aws(self) -> &'static str {
        match self {
            ProviderType::Saml => "SAML",
            ProviderType::Oidc => "OIDC",
            ProviderType::Other => "Other",
        }
    }
    pub fn from_aws(s: &str) -> ProviderType {
        match s {
            "SAML" => ProviderType::Saml,
            "OIDC" => ProviderType::Oidc,
            _ => ProviderType::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSummary {
    pub name: String,
    pub provider_type: ProviderType,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProviderInfo {
    pub name: String,
    pub provider_type: ProviderType,
    pub details: BTreeMap<String, String>,
    pub attribute_mapping: BTreeMap<String, String>,
}

/// Provider details Cognito adds itself; never sent back.
pub const READ_ONLY_DETAILS: [&str; 3] = [
    "ActiveEncryptionCertificate",
    "SLORedirectBindingURI",
    "SSORedirectBindingURI",
];

/// Every field of an app client that UpdateUserPoolClient would reset when omitted.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ClientConfig {
    pub client_id: Option<String>,
    pub client_name: String,
    pub generate_secret: bool,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    pub default_redirect_uri: Option<String>,
    pub allowed_oauth_flows: Vec<String>,
    pub allowed_oauth_scopes: Vec<String>,
    pub allowed_oauth_flows_user_pool_client: bool,
    pub supported_identity_providers: Vec<String>,
    pub explicit_auth_flows: Vec<String>,
    pub read_attributes: Vec<String>,
    pub write_attributes: Vec<String>,
    pub refresh_token_validity: Option<i32>,
    pub access_token_validity: Option<i32>,
    pub id_token_validity: Option<i32>,
    /// (access, id, refresh) units: "seconds" | "minutes" | "hours" | "days".
    pub token_validity_units: Option<(Option<String>, Option<String>, Option<String>)>,
    pub prevent_user_existence_errors: Option<String>,
    pub enable_token_revocation: Option<bool>,
    pub enable_propagate_additional_user_context_data: Option<bool>,
    pub auth_session_validity: Option<i32>,
    /// Whether the client has a secret (never the secret itself).
    pub has_secret: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSummary {
    pub id: String,
    pub name: String,
}

/// What went wrong in a call, in the terms the advice needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Duplicate,
    InvalidParameter,
    /// The IAM action that was denied, e.g. `cognito-idp:CreateIdentityProvider`.
    AccessDenied,
    NoCredentials,
    ExpiredCredentials,
    Throttled,
    /// The request could not be sent, or its answer could not be read.
    Network,
    /// No answer within the time limit.
    Timeout,
    /// The service (or something in front of it) answered 5xx.
    ServerError,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    /// The API operation, e.g. `CreateIdentityProvider`.
    pub operation: String,
    /// The service's (or the SDK's) own message.
    pub message: String,
}

impl ApiError {
    /// The message is scrubbed of every secret the process knows: AWS validation errors
    /// quote whole requests, provider details (and the client secret) included.
    pub fn new(kind: ErrorKind, operation: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            operation: operation.to_string(),
            message: crate::secrets::scrub(&message.into()),
        }
    }

    /// The request may have been carried out although no answer says so (a lost answer, a
    /// timeout, a 5xx from a proxy): a create is then looked for, not sent again.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::ServerError
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The calls the tool makes. Each returns `Send` futures so faces can run them in tasks.
pub trait CognitoApi: Sync {
    fn list_user_pools(&self) -> impl Future<Output = ApiResult<Vec<PoolSummary>>> + Send;
    fn describe_user_pool(&self, pool_id: &str) -> impl Future<Output = ApiResult<Pool>> + Send;
    fn create_user_pool(&self, name: &str) -> impl Future<Output = ApiResult<Pool>> + Send;
    /// `Ok(None)` when no pool has this domain.
    fn describe_domain(
        &self,
        domain: &str,
    ) -> impl Future<Output = ApiResult<Option<DomainInfo>>> + Send;
    fn create_domain(
        &self,
        pool_id: &str,
        domain: &str,
        managed_login: bool,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    fn list_identity_providers(
        &self,
        pool_id: &str,
    ) -> impl Future<Output = ApiResult<Vec<ProviderSummary>>> + Send;
    /// `Ok(None)` when the pool has no provider of this name.
    fn describe_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> impl Future<Output = ApiResult<Option<ProviderInfo>>> + Send;
    fn create_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    fn update_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    fn list_user_pool_clients(
        &self,
        pool_id: &str,
    ) -> impl Future<Output = ApiResult<Vec<ClientSummary>>> + Send;
    fn describe_user_pool_client(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> impl Future<Output = ApiResult<ClientConfig>> + Send;
    /// Returns the new client's ID.
    fn create_user_pool_client(
        &self,
        pool_id: &str,
        client: &ClientConfig,
    ) -> impl Future<Output = ApiResult<String>> + Send;
    /// Sends the whole configuration: fields left out would be reset.
    fn update_user_pool_client(
        &self,
        pool_id: &str,
        client: &ClientConfig,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    /// The default managed login branding for a client (managed login domains only).
    fn create_managed_login_branding(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    /// Whether the client has a managed login branding style (one per client at most).
    fn has_managed_login_branding(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> impl Future<Output = ApiResult<bool>> + Send;
    /// The pool's SAML signing certificate, base64 DER (as Cognito returns it).
    fn get_signing_certificate(
        &self,
        pool_id: &str,
    ) -> impl Future<Output = ApiResult<String>> + Send;
}
