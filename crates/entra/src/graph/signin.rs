//! Signing in to Entra for Graph: the OAuth 2.0 device authorization grant (RFC 8628, as the
//! Microsoft identity platform implements it), or the Azure CLI's token. The token lives in
//! memory only: never on disk, never in a log, never in a child's environment.

use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;

/// "Microsoft Graph Command Line Tools" (the Microsoft Graph PowerShell SDK's public client):
/// a first-party client every tenant has, that may ask for any delegated Graph permission
/// (with consent), unlike the Azure CLI's, which is pre-authorized for a fixed set. Tenants
/// can block it; docs/permissions.md says what the admin then sees and how to register one.
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The delegated permissions asked for: create and configure applications and their service
/// principals (Application.ReadWrite.All), and the user's tenant (openid, the ID token).
pub const SCOPES: &str =
    "openid profile offline_access https://graph.microsoft.com/Application.ReadWrite.All";

/// With users and groups to assign, also: find them (User.ReadBasic.All, GroupMember.Read.All)
/// and assign them (AppRoleAssignment.ReadWrite.All). Asked only when the setup assigns.
pub const ASSIGN_SCOPES: &str = "https://graph.microsoft.com/AppRoleAssignment.ReadWrite.All https://graph.microsoft.com/User.ReadBasic.All https://graph.microsoft.com/GroupMember.Read.All";

/// With claims the mapping needs beyond Entra's default set (SAML): read, make and assign a
/// claims-mapping policy. Asked only when the setup needs one.
pub const CLAIMS_SCOPES: &str = "https://graph.microsoft.com/Policy.Read.All https://graph.microsoft.com/Policy.ReadWrite.ApplicationConfiguration";

/// Which permissions beyond `SCOPES` a sign-in asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// Users and groups to assign (`ASSIGN_SCOPES`).
    pub assign: bool,
    /// A claims-mapping policy (`CLAIMS_SCOPES`).
    pub claims: bool,
}

/// A Graph access token, its tenant and when it ends. Its Debug never shows it.
#[derive(Clone)]
pub struct Token {
    access: String,
    pub tenant: Option<String>,
    pub account: Option<String>,
    pub expires: Instant,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("tenant", &self.tenant)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl Token {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.access)
    }
    /// A token given by the caller (the Azure CLI's, or a test's).
    pub fn given(access: String, tenant: Option<String>, lifetime: Duration) -> Token {
        crate::graph::signin::remember(&access);
        Token {
            access,
            tenant,
            account: None,
            expires: Instant::now() + lifetime,
        }
    }
}

/// Every token is registered with the secret scrubber, so no message or log can show it.
fn remember(access: &str) {
    cognito_entra_core::secrets::register(access);
}

/// What the admin is shown: where to go and what to type.
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceCode {
    #[serde(skip_serializing)]
    device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: u64,
    #[serde(default = "five")]
    pub interval: u64,
    #[serde(default)]
    pub message: String,
}

/// The longest a sign-in is waited for, and the longest pause between polls.
const MAX_WAIT_SECS: u64 = 30 * 60;
const MAX_INTERVAL_SECS: u64 = 60;

fn five() -> u64 {
    5
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the sign-in was declined in the browser; run it again and accept")]
    Declined,
    #[error("the code was not used in time ({0} min); run it again and enter the code sooner")]
    Expired(u64),
    #[error("Entra refused the sign-in: {description}")]
    Refused { error: String, description: String },
    #[error("{0}")]
    Http(String),
    #[error("the Azure CLI gave no token: {0}")]
    AzureCli(String),
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    id_token: Option<String>,
    /// Given with offline_access; never kept or used, only masked like the access token.
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The tenant (`tid`) and account in an ID token's claims (read, not verified: it came over
/// TLS from the authority, and only names where the admin signed in).
fn id_claims(id_token: &str) -> (Option<String>, Option<String>) {
    let payload = id_token.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .unwrap_or_default();
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let s = |k: &str| claims[k].as_str().map(str::to_string);
    (s("tid"), s("preferred_username"))
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post_form(
    http: &reqwest::Client,
    url: &str,
    body: String,
) -> Result<TokenAnswerOr, SignInError> {
    // The -v log gets the URL (the form, with the device code, is the body), the status and
    // the OAuth error code (`authorization_pending` while the admin signs in).
    let started = std::time::Instant::now();
    let log = |outcome: &str| {
        cognito_entra_core::verbose_log::call(
            "sign-in",
            &format!("POST {url}"),
            outcome,
            started.elapsed(),
        );
    };
    let answer = http
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| {
            log(&format!("no answer: {e}"));
            SignInError::Http(format!("{url}: {e}"))
        })?;
    let status = answer.status().as_u16();
    let text = super::read_capped(answer).await.map_err(|e| {
        log(&format!("HTTP {status}, the answer could not be read: {e}"));
        SignInError::Http(format!("{url}: {e}"))
    })?;
    let error = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_default();
    log(format!("HTTP {status} {error}").trim_end());
    Ok(TokenAnswerOr { status, text })
}

struct TokenAnswerOr {
    status: u16,
    text: String,
}

/// The device authorization grant: asks for a code, hands it to `show`, then polls at the
/// interval given (longer after `slow_down`) until the admin has signed in, declined, or the
/// code expired.
pub async fn device_code(
    http: &reqwest::Client,
    authority: &str,
    tenant: &str,
    client_id: &str,
    needs: Needs,
    show: impl FnOnce(&DeviceCode),
) -> Result<Token, SignInError> {
    let base = format!("{}/{tenant}/oauth2/v2.0", authority.trim_end_matches('/'));
    let mut scopes = SCOPES.to_string();
    if needs.assign {
        scopes = format!("{scopes} {ASSIGN_SCOPES}");
    }
    if needs.claims {
        scopes = format!("{scopes} {CLAIMS_SCOPES}");
    }
    let asked = post_form(
        http,
        &format!("{base}/devicecode"),
        form(&[("client_id", client_id), ("scope", &scopes)]),
    )
    .await?;
    let code: DeviceCode = match serde_json::from_str(&asked.text) {
        Ok(code) if asked.status == 200 => code,
        _ => {
            let answer: TokenAnswer = serde_json::from_str(&asked.text).map_err(|_| {
                SignInError::Http(format!(
                    "{base}/devicecode answered HTTP {} without a device code",
                    asked.status
                ))
            })?;
            return Err(refused(answer));
        }
    };
    // The device code (not the user code shown to the admin) redeems the sign-in: a secret.
    remember(&code.device_code);
    show(&code);
    // Entra gives 15 minutes and 5 s; whatever an answer says, the wait stays bounded.
    let deadline = Instant::now() + Duration::from_secs(code.expires_in.clamp(1, MAX_WAIT_SECS));
    let mut interval = Duration::from_secs(code.interval.clamp(1, MAX_INTERVAL_SECS));
    loop {
        tokio::time::sleep(interval).await;
        if Instant::now() > deadline {
            return Err(SignInError::Expired(code.expires_in / 60));
        }
        let polled = post_form(
            http,
            &format!("{base}/token"),
            form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", client_id),
                ("device_code", &code.device_code),
            ]),
        )
        .await?;
        let answer: TokenAnswer = serde_json::from_str(&polled.text).map_err(|_| {
            SignInError::Http(format!(
                "{base}/token answered HTTP {} with something that is not JSON",
                polled.status
            ))
        })?;
        match answer.error.as_deref() {
            None => {
                let access = answer.access_token.clone().ok_or_else(|| {
                    SignInError::Http(format!("{base}/token answered without an access token"))
                })?;
                remember(&access);
                for other in [&answer.id_token, &answer.refresh_token]
                    .into_iter()
                    .flatten()
                {
                    remember(other);
                }
                let (tenant, account) = answer
                    .id_token
                    .as_deref()
                    .map(id_claims)
                    .unwrap_or_default();
                return Ok(Token {
                    access,
                    tenant,
                    account,
                    expires: Instant::now()
                        + Duration::from_secs(answer.expires_in.unwrap_or(3600)),
                });
            }
            Some("authorization_pending") => {}
            // RFC 8628 §3.5: each slow_down adds 5 seconds to the interval.
            Some("slow_down") => {
                interval =
                    (interval + Duration::from_secs(5)).min(Duration::from_secs(MAX_INTERVAL_SECS));
            }
            Some("authorization_declined" | "access_denied") => return Err(SignInError::Declined),
            Some("expired_token" | "bad_verification_code") => {
                return Err(SignInError::Expired(code.expires_in / 60));
            }
            Some(_) => return Err(refused(answer)),
        }
    }
}

/// An error answer, with what the common AADSTS codes mean for this tool.
fn refused(answer: TokenAnswer) -> SignInError {
    let description = answer.error_description.unwrap_or_default();
    let first = description.lines().next().unwrap_or_default().to_string();
    let hint = if first.contains("AADSTS65001") || first.contains("AADSTS90094") {
        " — an administrator must consent to Application.ReadWrite.All for this client first (docs/permissions.md)"
    } else if first.contains("AADSTS50105")
        || first.contains("AADSTS53003")
        || first.contains("AADSTS7000112")
    {
        " — the tenant blocks this client for you; register your own public client and pass --entra-client-id (docs/permissions.md)"
    } else if first.contains("AADSTS700016") {
        " — no such client in this tenant: check --entra-client-id"
    } else {
        ""
    };
    SignInError::Refused {
        error: answer.error.unwrap_or_default(),
        description: format!("{first}{hint}"),
    }
}

/// The Azure CLI's Graph token (`az account get-access-token --resource-type ms-graph`, with
/// `--tenant` when a tenant is required), when it is installed and signed in. The child gets
/// no secret of ours in its environment.
pub async fn azure_cli(tenant: Option<&str>) -> Result<Token, SignInError> {
    let mut args: Vec<String> = [
        "account",
        "get-access-token",
        "--resource-type",
        "ms-graph",
        "--output",
        "json",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    if let Some(t) = tenant {
        args.extend(["--tenant".to_string(), t.to_string()]);
    }
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new("az")
            .args(&args)
            // The Azure CLI needs none of the secrets this tool may be given.
            .env_remove("COGNITO_ENTRA_CLIENT_SECRET")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .output()
    })
    .await
    .map_err(|e| SignInError::AzureCli(e.to_string()))?;
    let out = run.map_err(|e| {
        SignInError::AzureCli(format!(
            "cannot run az ({e}); install the Azure CLI, or sign in with the device code instead"
        ))
    })?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        return Err(SignInError::AzureCli(format!(
            "{} — run `az login`, or sign in with the device code instead",
            said.lines().next().unwrap_or("az failed")
        )));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|_| SignInError::AzureCli("az printed something that is not JSON".into()))?;
    let access = v["accessToken"]
        .as_str()
        .ok_or_else(|| SignInError::AzureCli("no accessToken in az's answer".into()))?
        .to_string();
    Ok(Token::given(
        access,
        v["tenant"].as_str().map(str::to_string),
        Duration::from_secs(30 * 60),
    ))
}
