//! The Entra side through Microsoft Graph: signing in (device code, or the Azure CLI's
//! token), a Graph client that honours Graph's throttling and replication, and the
//! application itself, observed and changed as `core::entra_app` plans.

pub mod apps;
pub mod client;
pub mod signin;

pub use client::{Graph, GraphError};
pub use signin::{DeviceCode, SignInError, Token};

/// Microsoft Graph's base URL (global service).
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";

/// The HTTPS client for the identity platform and Graph: the tool's one TLS stack (rustls,
/// the system's roots or SSL_CERT_FILE), bounded connect and request times.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .tls_backend_preconfigured(super::tls::client_config().map_err(|e| e.to_string())?)
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(60))
        .user_agent(concat!("cognito-entra/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot start the HTTPS client: {e}"))
}
