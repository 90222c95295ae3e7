//! The narrow slice of the Cognito user pools API this tool uses, in its own types, so the
//! plan and the apply engine know nothing of the SDK. `sdk.rs` implements it against AWS (or
//! an emulator); `fake.rs` in memory for fast tests.

use std::future::Future;

/// The operations that change the account.
pub const WRITE_OPERATIONS: [&str; 11] = [
    "CreateUserPool",
    "CreateUserPoolDomain",
    "CreateIdentityProvider",
    "UpdateIdentityProvider",
    "CreateUserPoolClient",
    "UpdateUserPoolClient",
    "CreateManagedLoginBranding",
    "DeleteIdentityProvider",
    "DeleteUserPoolClient",
    "DeleteUserPoolDomain",
    "DeleteUserPool",
];

pub fn is_write(operation: &str) -> bool {
    WRITE_OPERATIONS.contains(&operation)
}

pub use cognito_entra_core::account::{
    ClientConfig, ClientSummary, DomainInfo, Pool, PoolAttribute, PoolSummary, ProviderInfo,
    ProviderSummary, ProviderType, READ_ONLY_DETAILS, managed_login_version,
};

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
            message: cognito_entra_core::secrets::scrub(&message.into()),
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
    /// Deletes (for `destroy`): what is gone already counts as deleted, so a delete whose
    /// answer was lost can be sent again.
    fn delete_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    fn delete_user_pool_client(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    fn delete_domain(
        &self,
        pool_id: &str,
        domain: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    fn delete_user_pool(&self, pool_id: &str) -> impl Future<Output = ApiResult<()>> + Send;
}
