//! The Entra side through Microsoft Graph: signing in (device code, browser, the Azure CLI's
//! token, or a pipeline's application), a Graph client that honours Graph's throttling and
//! replication, and the application itself, observed and changed as `core::entra_app` plans.

pub mod apps;
pub mod browser;
pub mod client;
pub mod pipeline;
pub mod rotate;
pub mod signin;

pub use browser::BrowserSignIn;
pub use client::{Graph, GraphError};
pub use signin::{DeviceCode, SignInError, SignInPrompt, Token};

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

/// The most an answer from Graph or the sign-in endpoints may hold: Graph pages are well under
/// a megabyte; anything this large is not Graph's.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// An answer's body, read up to `MAX_ANSWER_BYTES` (never the whole of an endless one).
pub(crate) async fn read_capped(mut answer: reqwest::Response) -> Result<String, String> {
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(format!(
                "the answer is larger than {} MB, which no Graph answer is",
                MAX_ANSWER_BYTES >> 20
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}
