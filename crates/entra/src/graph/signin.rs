//! Signing in to Entra for Graph: the OAuth 2.0 device authorization grant (RFC 8628, as the
//! Microsoft identity platform implements it), the Azure CLI's token, or a pipeline's
//! application credentials from the environment (client credentials, RFC 6749 §4.4, with a
//! secret or a client assertion, RFC 7523). Tokens live in memory only: never on disk, never
//! in a log, never in a child's environment. A delegated token is renewed with its refresh
//! token (RFC 6749 §6), an app-only one with its credentials again.

use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;

use super::pipeline::AppCredentials;

/// "Microsoft Graph Command Line Tools" (the Microsoft Graph PowerShell SDK's public client):
/// a first-party client every tenant has, that may ask for any delegated Graph permission
/// (with consent), unlike the Azure CLI's, which is pre-authorized for a fixed set. Tenants
/// can block it; docs/permissions.md says what the admin then sees and how to register one.
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

pub use cognito_entra_core::cloud::Cloud;

/// The delegated permissions asked for: create and configure applications and their service
/// principals (Application.ReadWrite.All); openid and profile (the ID token: the tenant and
/// account); offline_access (a refresh token, so a long run outlives its first token).
pub const PERMISSIONS: [&str; 1] = ["Application.ReadWrite.All"];

/// With users and groups to assign, also: find them (User.ReadBasic.All, GroupMember.Read.All)
/// and assign them (AppRoleAssignment.ReadWrite.All). Asked only when the setup assigns.
pub const ASSIGN_PERMISSIONS: [&str; 3] = [
    "AppRoleAssignment.ReadWrite.All",
    "User.ReadBasic.All",
    "GroupMember.Read.All",
];

/// With claims the mapping needs beyond Entra's default set (SAML): read, make and assign a
/// claims-mapping policy. Asked only when the setup needs one.
pub const CLAIMS_PERMISSIONS: [&str; 2] = [
    "Policy.Read.All",
    "Policy.ReadWrite.ApplicationConfiguration",
];

/// The Graph permissions a setup needs, by name.
pub fn permissions(needs: Needs) -> Vec<&'static str> {
    let mut all = PERMISSIONS.to_vec();
    if needs.assign {
        all.extend(ASSIGN_PERMISSIONS);
    }
    if needs.claims {
        all.extend(CLAIMS_PERMISSIONS);
    }
    all
}

/// The scope a delegated sign-in asks for: each permission under the cloud's own Graph host
/// (a national cloud refuses another cloud's resource), as MSAL forms it.
pub fn delegated_scope(cloud: Cloud, needs: Needs) -> String {
    let mut scope = "openid profile offline_access".to_string();
    for p in permissions(needs) {
        scope.push_str(&format!(" {}/{p}", cloud.graph_root()));
    }
    scope
}

/// The permissions `needs` asks for that `granted` lacks (names compared without the
/// resource and case, as Entra may give them either way).
pub fn missing(needs: Needs, granted: &[String]) -> Vec<&'static str> {
    let have: Vec<String> = granted
        .iter()
        .map(|g| g.rsplit('/').next().unwrap_or(g).to_ascii_lowercase())
        .collect();
    permissions(needs)
        .into_iter()
        .filter(|p| !have.contains(&p.to_ascii_lowercase()))
        .collect()
}

/// Which permissions beyond `PERMISSIONS` a sign-in asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// Users and groups to assign (`ASSIGN_PERMISSIONS`).
    pub assign: bool,
    /// A claims-mapping policy (`CLAIMS_PERMISSIONS`).
    pub claims: bool,
}

/// A Graph access token, its tenant, when it ends, what it was granted and how it is renewed.
/// Its Debug never shows it.
#[derive(Clone)]
pub struct Token {
    access: String,
    pub tenant: Option<String>,
    pub account: Option<String>,
    pub expires: Instant,
    /// The permissions granted (the answer's `scope`, else the token's `scp` or `roles`
    /// claim); `None` when neither says.
    pub granted: Option<Vec<String>>,
    /// An application's own token (client credentials): no signed-in user, no `/me`.
    pub app_only: bool,
    renewal: Option<Renewal>,
}

/// How a token is renewed without the admin: the refresh token it came with, or the
/// application credentials it was made from.
#[derive(Clone)]
enum Renewal {
    Refresh {
        token_url: String,
        client_id: String,
        scope: String,
        refresh_token: String,
    },
    Application {
        token_url: String,
        credentials: AppCredentials,
        scope: String,
    },
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("tenant", &self.tenant)
            .field("account", &self.account)
            .field("app_only", &self.app_only)
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
        let claims = jwt_claims(&access);
        Token {
            granted: granted_in_claims(&claims),
            app_only: claims["idtyp"] == "app",
            tenant: tenant.or_else(|| claims["tid"].as_str().map(str::to_string)),
            access,
            account: None,
            expires: Instant::now() + lifetime,
            renewal: None,
        }
    }
    /// Whether it can be renewed without the admin.
    pub fn renewable(&self) -> bool {
        self.renewal.is_some()
    }
}

/// A new token for `old`, from its refresh token or its application's credentials; the
/// tenant and account stay the ones signed in to.
pub async fn renew(http: &reqwest::Client, old: &Token) -> Result<Token, SignInError> {
    let Some(renewal) = &old.renewal else {
        return Err(SignInError::Http(
            "the sign-in cannot be renewed; sign in again".into(),
        ));
    };
    let mut token = match renewal {
        Renewal::Refresh {
            token_url,
            client_id,
            scope,
            refresh_token,
        } => {
            let answer = post_form(
                http,
                token_url,
                form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", client_id),
                    ("scope", scope),
                    ("refresh_token", refresh_token),
                ]),
            )
            .await?;
            let mut token = token_from(token_url, client_id, scope, &answer.text)?;
            // Entra may rotate the refresh token; one not given back stays the one held.
            if token.renewal.is_none() {
                token.renewal = old.renewal.clone();
            }
            token
        }
        Renewal::Application {
            token_url,
            credentials,
            scope,
        } => client_credentials(http, token_url, credentials, scope).await?,
    };
    token.tenant = token.tenant.or_else(|| old.tenant.clone());
    token.account = token.account.or_else(|| old.account.clone());
    token.granted = token.granted.or_else(|| old.granted.clone());
    Ok(token)
}

/// A JWT's claims (read, not verified: the token came over TLS from the authority, and only
/// says what it was granted); empty when it is not a JWT.
fn jwt_claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or_default()
}

/// The permissions an access token's claims say it holds: `scp` (delegated, space
/// separated) or `roles` (application).
fn granted_in_claims(claims: &serde_json::Value) -> Option<Vec<String>> {
    if let Some(scp) = claims["scp"].as_str() {
        return Some(scp.split_whitespace().map(str::to_string).collect());
    }
    claims["roles"].as_array().map(|roles| {
        roles
            .iter()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect()
    })
}

/// Every token is registered with the secret scrubber, so no message or log can show it.
pub(crate) fn remember(access: &str) {
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

/// What a sign-in shows the admin while it waits: the device code to enter, or the browser
/// sign-in's address (the browser opened on it, or not).
#[derive(Debug, Clone, Copy)]
pub enum SignInPrompt<'a> {
    DeviceCode(&'a DeviceCode),
    Browser(&'a super::browser::BrowserSignIn),
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
    #[error(
        "the browser's answer did not carry the state this sign-in sent (an answer meant for another sign-in, or a forged one); it was not accepted, and nothing was read or changed in Entra: run it again"
    )]
    StateMismatch,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    id_token: Option<String>,
    /// Given with offline_access: kept in memory to renew the access token.
    refresh_token: Option<String>,
    /// The permissions granted, which may be fewer than asked.
    scope: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A successful token answer made a `Token` (every token in it masked first); an error answer
/// is the refusal it says.
pub(crate) fn token_from(
    token_url: &str,
    client_id: &str,
    scope: &str,
    text: &str,
) -> Result<Token, SignInError> {
    let answer: TokenAnswer = serde_json::from_str(text).map_err(|_| {
        SignInError::Http(format!(
            "{token_url} answered with something that is not JSON"
        ))
    })?;
    if answer.error.is_some() {
        return Err(refused(answer));
    }
    let access = answer.access_token.clone().ok_or_else(|| {
        SignInError::Http(format!("{token_url} answered without an access token"))
    })?;
    remember(&access);
    for other in [&answer.id_token, &answer.refresh_token]
        .into_iter()
        .flatten()
    {
        remember(other);
    }
    let id = answer
        .id_token
        .as_deref()
        .map(jwt_claims)
        .unwrap_or_default();
    let claims = jwt_claims(&access);
    // `.default` names no permission: what it stands for is in the token's claims.
    let granted = answer
        .scope
        .as_deref()
        .map(|s| {
            s.split_whitespace()
                .filter(|p| !p.ends_with("/.default"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .or_else(|| granted_in_claims(&claims));
    Ok(Token {
        tenant: id["tid"]
            .as_str()
            .or(claims["tid"].as_str())
            .map(str::to_string),
        account: id["preferred_username"].as_str().map(str::to_string),
        app_only: claims["idtyp"] == "app",
        expires: Instant::now() + Duration::from_secs(answer.expires_in.unwrap_or(3600)),
        granted,
        renewal: answer.refresh_token.map(|refresh_token| Renewal::Refresh {
            token_url: token_url.to_string(),
            client_id: client_id.to_string(),
            scope: scope.to_string(),
            refresh_token,
        }),
        access,
    })
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub(crate) async fn post_form(
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

pub(crate) struct TokenAnswerOr {
    pub(crate) status: u16,
    pub(crate) text: String,
}

/// Where a delegated sign-in (the device code's, the browser's) goes, as which client, and
/// for which permissions.
pub struct Delegated<'a> {
    pub http: &'a reqwest::Client,
    pub authority: &'a str,
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub cloud: Cloud,
    pub needs: Needs,
}

impl Delegated<'_> {
    /// The tenant's OAuth 2.0 endpoints' base.
    pub fn base(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0",
            self.authority.trim_end_matches('/'),
            self.tenant
        )
    }

    /// The scopes asked for: the cloud's Graph permissions the setup needs.
    pub fn scopes(&self) -> String {
        delegated_scope(self.cloud, self.needs)
    }
}

/// The device authorization grant: asks for a code, hands it to `show`, then polls at the
/// interval given (longer after `slow_down`) until the admin has signed in, declined, or the
/// code expired.
pub async fn device_code(
    to: &Delegated<'_>,
    show: impl FnOnce(&DeviceCode),
) -> Result<Token, SignInError> {
    let (http, client_id) = (to.http, to.client_id);
    let base = to.base();
    let scopes = to.scopes();
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
            return Err(device_code_refused(answer));
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
                return token_from(&format!("{base}/token"), client_id, &scopes, &polled.text);
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
            Some(_) => return Err(device_code_refused(answer)),
        }
    }
}

/// A refusal of the device code flow. AADSTS53003 there is the Conditional Access block
/// Microsoft recommends: said so, with the browser and the other ways that remain.
fn device_code_refused(answer: TokenAnswer) -> SignInError {
    let description = answer.error_description.unwrap_or_default();
    let first = description.lines().next().unwrap_or_default().to_string();
    if !first.contains("AADSTS53003") {
        return refused(TokenAnswer {
            error_description: Some(description),
            ..answer
        });
    }
    SignInError::Refused {
        error: answer.error.unwrap_or_default(),
        description: format!(
            "{first} — the tenant's Conditional Access blocks the device code flow (Microsoft recommends blocking it, and many tenants do): sign in through a browser on this machine with --entra-sign-in browser, or with --entra-sign-in az-cli after `az login`, or from a pipeline with an application's AZURE_* credentials (--entra-sign-in environment; docs/permissions.md)"
        ),
    }
}

/// The client credentials grant: an app-only token for `scope` (`<graph>/.default`), renewed
/// the same way.
pub(crate) async fn client_credentials(
    http: &reqwest::Client,
    token_url: &str,
    credentials: &AppCredentials,
    scope: &str,
) -> Result<Token, SignInError> {
    let proof = super::pipeline::proof_fields(credentials, token_url)?;
    let mut fields: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("client_id", &credentials.client_id),
        ("scope", scope),
    ];
    fields.extend(proof.iter().map(|(k, v)| (*k, v.as_str())));
    let answer = post_form(http, token_url, form(&fields)).await?;
    let mut token = token_from(token_url, &credentials.client_id, scope, &answer.text)?;
    token.app_only = true;
    token.account = None;
    token.tenant = token.tenant.or_else(|| Some(credentials.tenant.clone()));
    token.renewal = Some(Renewal::Application {
        token_url: token_url.to_string(),
        credentials: credentials.clone(),
        scope: scope.to_string(),
    });
    Ok(token)
}

/// Where an admin may consent for the whole organization without changing a client others
/// share, and the other ways in (docs/permissions.md).
const CONSENT_HINT: &str = "an administrator who may grant tenant-wide consent (Privileged Role Administrator or Global Administrator) signs in with this tool once and ticks \"Consent on behalf of your organization\" for exactly the permissions asked; or register a dedicated public client with those permissions and pass --entra-client-id (docs/permissions.md, \"A client of your own\")";

/// An error the browser brought back (`error`, `error_description`), read as a token
/// endpoint's error answer.
pub(crate) fn refused_words(error: String, description: String) -> SignInError {
    refused(TokenAnswer {
        access_token: None,
        id_token: None,
        refresh_token: None,
        scope: None,
        expires_in: None,
        error: Some(error),
        error_description: Some(description),
    })
}

/// An error answer, with what the common AADSTS codes mean for this tool.
fn refused(answer: TokenAnswer) -> SignInError {
    let description = answer.error_description.unwrap_or_default();
    let first = description.lines().next().unwrap_or_default().to_string();
    let hint = if first.contains("AADSTS65001") || first.contains("AADSTS90094") {
        format!(
            " — nobody consented to these permissions for this client in the tenant: {CONSENT_HINT}"
        )
    } else if first.contains("AADSTS53003") {
        " — a Conditional Access policy blocks this sign-in (for this account, device, place or client): the tenant's sign-in logs name the policy (Entra › Monitoring › Sign-in logs, by the Trace ID); sign in where the policy allows it, or from a pipeline with an application's AZURE_* credentials (--entra-sign-in environment; docs/permissions.md)".to_string()
    } else if first.contains("AADSTS50105") {
        " — the tenant requires assignment to this client and your account is not assigned: an administrator assigns you under Enterprise applications › the client › Users and groups, or you register a dedicated client (docs/permissions.md)".to_string()
    } else if first.contains("AADSTS7000112") {
        " — this client is disabled in the tenant: register a dedicated public client and pass --entra-client-id (docs/permissions.md)".to_string()
    } else if first.contains("AADSTS700016") {
        " — no such client in this tenant: check --entra-client-id (or AZURE_CLIENT_ID)".to_string()
    } else if first.contains("AADSTS7000215") || first.contains("AADSTS700213") {
        " — the application's credentials in AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH / AZURE_FEDERATED_TOKEN_FILE are not the ones Entra holds for AZURE_CLIENT_ID".to_string()
    } else if first.contains("AADSTS500011") {
        " — this cloud has no such Graph: check --cloud (global, usgov, china) against the tenant's cloud".to_string()
    } else {
        String::new()
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
            .env_remove(super::pipeline::SECRET_VARIABLE)
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
