//! A pipeline's sign-in: the environment variables Azure's own SDKs read (EnvironmentCredential
//! and WorkloadIdentityCredential of Azure Identity, as DefaultAzureCredential tries them
//! first): AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET (a client secret), or
//! AZURE_CLIENT_CERTIFICATE_PATH (a PEM certificate with its RSA key: a client assertion JWT
//! signed RS256, its `x5t` the certificate's SHA-1 thumbprint), or AZURE_FEDERATED_TOKEN_FILE
//! (workload identity federation: the file's token is the client assertion, read again at each
//! renewal since the platform rotates it). The client credentials grant (RFC 6749 §4.4; client
//! assertions RFC 7523) gives an app-only token for `<graph>/.default`: the application
//! permissions admin-consented to the app. The secret is read once into memory (and out of
//! the environment, so no child inherits it), masked in every message and log.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;

use super::signin::{Cloud, SignInError, Token};

/// What proves the application's identity. Its Debug never shows the secret.
#[derive(Clone)]
pub enum Proof {
    Secret(String),
    Certificate(std::path::PathBuf),
    FederatedTokenFile(std::path::PathBuf),
}

/// An application's credentials for the client credentials grant.
#[derive(Clone)]
pub struct AppCredentials {
    pub tenant: String,
    pub client_id: String,
    pub proof: Proof,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field(
                "proof",
                &match &self.proof {
                    Proof::Secret(_) => "a client secret (hidden)".to_string(),
                    Proof::Certificate(p) => format!("the certificate {}", p.display()),
                    Proof::FederatedTokenFile(p) => format!("the federated token {}", p.display()),
                },
            )
            .finish()
    }
}

/// The environment variable of the client secret, removed from the environment at start.
pub const SECRET_VARIABLE: &str = "AZURE_CLIENT_SECRET";

static TAKEN: OnceLock<Option<AppCredentials>> = OnceLock::new();

fn variable(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Reads the AZURE_* variables once (at start, before any thread): the secret is registered
/// with the masker and kept in memory; the caller then removes it from the environment.
/// Returns whether a complete set was given.
pub fn take_from_environment() -> bool {
    TAKEN
        .get_or_init(|| {
            let secret = variable(SECRET_VARIABLE);
            if let Some(s) = &secret {
                cognito_entra_core::secrets::register(s);
            }
            let tenant = variable("AZURE_TENANT_ID")?;
            let client_id = variable("AZURE_CLIENT_ID")?;
            // The order Azure Identity's EnvironmentCredential takes them in: secret, then
            // certificate; a federated token file is the workload identity's.
            let proof = secret
                .map(Proof::Secret)
                .or_else(|| {
                    variable("AZURE_CLIENT_CERTIFICATE_PATH").map(|p| Proof::Certificate(p.into()))
                })
                .or_else(|| {
                    variable("AZURE_FEDERATED_TOKEN_FILE")
                        .map(|p| Proof::FederatedTokenFile(p.into()))
                })?;
            Some(AppCredentials {
                tenant,
                client_id,
                proof,
            })
        })
        .is_some()
}

/// The credentials taken from the environment, if a complete set was given.
pub fn from_environment() -> Option<AppCredentials> {
    TAKEN.get().cloned().flatten()
}

/// An app-only token for the cloud's Graph (`<graph>/.default`).
pub async fn sign_in(
    http: &reqwest::Client,
    authority: &str,
    cloud: Cloud,
    credentials: &AppCredentials,
) -> Result<Token, SignInError> {
    let token_url = format!(
        "{}/{}/oauth2/v2.0/token",
        authority.trim_end_matches('/'),
        credentials.tenant
    );
    let scope = format!("{}/.default", cloud.graph_root());
    super::signin::client_credentials(http, &token_url, credentials, &scope).await
}

/// The form fields that prove the application: its secret, or a client assertion.
pub(crate) fn proof_fields(
    credentials: &AppCredentials,
    token_url: &str,
) -> Result<Vec<(&'static str, String)>, SignInError> {
    const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    match &credentials.proof {
        Proof::Secret(secret) => Ok(vec![("client_secret", secret.clone())]),
        Proof::FederatedTokenFile(path) => {
            // Capped: a token file is a few kilobytes; a FIFO or a huge file is refused.
            let text = cognito_entra_core::bounded::read_text(
                path,
                cognito_entra_core::bounded::SETUP_FILE,
            )
            .map_err(|e| {
                SignInError::Refused {
                    error: "AZURE_FEDERATED_TOKEN_FILE".into(),
                    description: format!(
                        "AZURE_FEDERATED_TOKEN_FILE: {} cannot be read ({e}); fix: point it at the token file the platform writes (workload identity)",
                        path.display()
                    ),
                }
            })?;
            let assertion = text.trim().to_string();
            cognito_entra_core::secrets::register(&assertion);
            Ok(vec![
                ("client_assertion_type", ASSERTION_TYPE.into()),
                ("client_assertion", assertion),
            ])
        }
        Proof::Certificate(path) => Ok(vec![
            ("client_assertion_type", ASSERTION_TYPE.into()),
            (
                "client_assertion",
                certificate_assertion(path, &credentials.client_id, token_url)?,
            ),
        ]),
    }
}

/// A client assertion signed with the certificate's key (Microsoft identity platform
/// "certificate credentials"): header alg RS256 with `x5t` (base64url of the certificate's
/// SHA-1 thumbprint); claims aud (the token endpoint), iss and sub (the client ID), jti, nbf
/// and exp (ten minutes).
fn certificate_assertion(
    path: &std::path::Path,
    client_id: &str,
    token_url: &str,
) -> Result<String, SignInError> {
    let bad = |problem: String| SignInError::Refused {
        error: "AZURE_CLIENT_CERTIFICATE_PATH".into(),
        description: format!(
            "AZURE_CLIENT_CERTIFICATE_PATH: {} {problem}; fix: give a PEM file holding the application's certificate and its unencrypted RSA private key",
            path.display()
        ),
    };
    let bytes =
        cognito_entra_core::bounded::read_file(path, cognito_entra_core::bounded::SETUP_FILE)
            .map_err(|e| bad(format!("cannot be read ({e})")))?;
    let mut certificate = None;
    let mut key = None;
    for pem in x509_parser::pem::Pem::iter_from_buffer(&bytes) {
        let pem = pem.map_err(|e| bad(format!("is not PEM ({e})")))?;
        match pem.label.as_str() {
            "CERTIFICATE" if certificate.is_none() => certificate = Some(pem.contents),
            "PRIVATE KEY" => {
                key = ring::signature::RsaKeyPair::from_pkcs8(&pem.contents).ok();
            }
            "RSA PRIVATE KEY" => key = ring::signature::RsaKeyPair::from_der(&pem.contents).ok(),
            _ => {}
        }
    }
    let certificate = certificate.ok_or_else(|| bad("holds no certificate".into()))?;
    let key = key.ok_or_else(|| bad("holds no RSA private key ring can read".into()))?;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let thumbprint = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &certificate);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": b64(thumbprint.as_ref())});
    let claims = serde_json::json!({
        "aud": token_url, "iss": client_id, "sub": client_id,
        "jti": jti(), "nbf": now, "iat": now, "exp": now + 600,
    });
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut signature = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| bad("has a key that could not sign".into()))?;
    Ok(format!("{signing_input}.{}", b64(&signature)))
}

/// A unique assertion ID (random, as RFC 7523 asks of `jti`).
fn jti() -> String {
    let mut bytes = [0u8; 16];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}
