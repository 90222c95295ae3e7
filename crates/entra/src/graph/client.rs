//! Microsoft Graph over HTTPS: JSON in and out, Graph's throttling honoured (429 and
//! Retry-After, bounded), a new object waited for until it has replicated (bounded), and
//! Graph's errors turned into what the admin must do — a 403 names the permission and role.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::signin::{Cloud, Token};

/// A token is renewed this long before it ends (MSAL's margin), so no request carries one
/// that ends on its way.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

/// The most 429s waited out for one request, and the longest wait taken from Retry-After.
const MAX_THROTTLED: usize = 6;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The most pages of one collection read (`get_all`).
const MAX_PAGES: usize = 50;
/// How long a just-made object is waited for (Graph replicates in seconds, sometimes more).
const REPLICATION_WAITS: [u64; 8] = [250, 500, 1000, 2000, 3000, 5000, 8000, 10_000];

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("Graph refused the sign-in's token ({message}); sign in again")]
    Unauthorized { message: String },
    #[error(
        "{operation}: Graph says {message} ({code}) — this needs the delegated permission {permission} (consented) and, for the signed-in account, the {role} role (docs/permissions.md)"
    )]
    Forbidden {
        operation: String,
        code: String,
        message: String,
        /// The delegated permission the refused request needs.
        permission: &'static str,
        /// The least Entra role that holds it.
        role: &'static str,
    },
    #[error("{operation}: not found ({message})")]
    NotFound { operation: String, message: String },
    #[error("{operation}: Graph refused the request: {message} ({code})")]
    Refused {
        operation: String,
        code: String,
        message: String,
    },
    #[error(
        "{operation}: still throttled by Graph after {tries} waits; try again in a few minutes"
    )]
    Throttled { operation: String, tries: usize },
    #[error("{operation}: {detail}")]
    Http { operation: String, detail: String },
}

impl GraphError {
    /// Whether running again may get further (the network, throttling, a lost answer).
    pub fn may_pass(&self) -> bool {
        matches!(self, GraphError::Throttled { .. } | GraphError::Http { .. })
    }
}

/// The delegated permission and least role a request on `path` needs (Graph's permission
/// reference for each API the tool calls).
fn needs(path: &str) -> (&'static str, &'static str) {
    let app_admin = "Application Administrator or Cloud Application Administrator";
    if path.starts_with("/policies/") || path.contains("/claimsMappingPolicies") {
        (
            "Policy.ReadWrite.ApplicationConfiguration (with Policy.Read.All and Application.ReadWrite.All)",
            app_admin,
        )
    } else if path.contains("/appRoleAssignedTo") {
        ("AppRoleAssignment.ReadWrite.All", app_admin)
    } else if path.starts_with("/users") {
        ("User.ReadBasic.All", app_admin)
    } else if path.starts_with("/groups") {
        ("GroupMember.Read.All", app_admin)
    } else {
        ("Application.ReadWrite.All", app_admin)
    }
}

/// The mark of a path sent to Graph's /beta endpoint instead of v1.0 (`patch_beta`).
const BETA: &str = "beta:";

/// A Graph client for one signed-in admin (or pipeline application). The token is shared
/// behind a lock so that it can be renewed mid-run (before it ends, and once on a 401).
pub struct Graph {
    http: reqwest::Client,
    base: String,
    cloud: Cloud,
    token: std::sync::Mutex<Token>,
    writes: AtomicUsize,
    calls: AtomicUsize,
}

impl Graph {
    /// `graph_url`: Graph's base (https://graph.microsoft.com, or a sovereign cloud's).
    pub fn new(http: reqwest::Client, graph_url: &str, token: Token, cloud: Cloud) -> Graph {
        Graph {
            http,
            base: format!("{}/v1.0", graph_url.trim_end_matches('/')),
            cloud,
            token: std::sync::Mutex::new(token),
            writes: AtomicUsize::new(0),
            calls: AtomicUsize::new(0),
        }
    }

    /// A path's full URL (what an `@odata.id` reference names).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The token as it stands (a copy: the client may renew its own meanwhile).
    pub fn token(&self) -> Token {
        match self.token.lock() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn tenant(&self) -> Option<String> {
        self.token().tenant
    }

    /// The cloud Graph runs in (its non-gallery template).
    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// When the sign-in ends: never while it can be renewed without the admin.
    pub fn expires(&self) -> std::time::Instant {
        let token = self.token();
        if token.renewable() {
            std::time::Instant::now() + Duration::from_secs(24 * 3600)
        } else {
            token.expires
        }
    }

    /// The token renewed (its refresh token, or the application's credentials again) and
    /// kept for the requests after.
    async fn renew(&self, why: &str) -> Result<(), GraphError> {
        let old = self.token();
        let started = std::time::Instant::now();
        let renewed = super::signin::renew(&self.http, &old).await;
        cognito_entra_core::verbose_log::call(
            "sign-in",
            "renew the Graph token",
            &match &renewed {
                Ok(_) => format!("renewed ({why})"),
                Err(e) => format!("not renewed ({why}): {e}"),
            },
            started.elapsed(),
        );
        let renewed = renewed.map_err(|e| GraphError::Unauthorized {
            message: format!("the token ended and could not be renewed: {e}"),
        })?;
        if let Ok(mut t) = self.token.lock() {
            *t = renewed;
        }
        Ok(())
    }

    /// The bearer for the next request: the token renewed first when it ends soon.
    async fn bearer(&self) -> Result<String, GraphError> {
        let token = self.token();
        if token.renewable() && token.expires <= std::time::Instant::now() + RENEW_BEFORE {
            self.renew("it ends within 5 minutes").await?;
            return Ok(self.token().bearer());
        }
        Ok(token.bearer())
    }

    /// Requests sent (each retry counts) and writes that succeeded, for the note and tests.
    pub fn round_trips(&self) -> (usize, usize) {
        (
            self.calls.load(Ordering::Relaxed),
            self.writes.load(Ordering::Relaxed),
        )
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        operation: &str,
    ) -> Result<Value, GraphError> {
        // A path marked `BETA` goes to Graph's /beta endpoint (a recipe Microsoft documents
        // there only); every other path to v1.0.
        let url = match path.strip_prefix(BETA) {
            Some(rest) => format!("{}/beta{rest}", self.base.trim_end_matches("/v1.0")),
            None => format!("{}{path}", self.base),
        };
        let write = method != reqwest::Method::GET;
        let mut throttled = 0;
        let mut renewed = false;
        // The -v log names the request by method and path (the token is in a header, never
        // in the path) and says what came back, how long it took, and any wait for a retry.
        let what = format!("{method} {path}");
        let log = |outcome: &str, started: std::time::Instant| {
            cognito_entra_core::verbose_log::call("graph", &what, outcome, started.elapsed());
        };
        loop {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let started = std::time::Instant::now();
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header("Authorization", self.bearer().await?)
                .header("Accept", "application/json");
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(body.to_string());
            }
            let answer = request.send().await.map_err(|e| {
                log(&format!("no answer: {e}"), started);
                GraphError::Http {
                    operation: operation.to_string(),
                    detail: if write {
                        format!("no answer from Graph ({e}); the change may or may not have been made — run again, it looks before it writes")
                    } else {
                        format!("no answer from Graph ({e})")
                    },
                }
            })?;
            let status = answer.status().as_u16();
            let retry_after = answer
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = super::read_capped(answer).await.map_err(|e| {
                log(
                    &format!("HTTP {status}, the answer could not be read: {e}"),
                    started,
                );
                GraphError::Http {
                    operation: operation.to_string(),
                    detail: format!("the answer could not be read ({e})"),
                }
            })?;
            let value: Value = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::Null)
            };
            if status == 429 || status == 503 {
                throttled += 1;
                if throttled > MAX_THROTTLED {
                    log(
                        &format!("HTTP {status}, still throttled; giving up"),
                        started,
                    );
                    return Err(GraphError::Throttled {
                        operation: operation.to_string(),
                        tries: MAX_THROTTLED,
                    });
                }
                let wait = retry_after
                    .map(Duration::from_secs)
                    .unwrap_or(Duration::from_secs(1 << throttled.min(5)))
                    .min(MAX_RETRY_AFTER);
                log(
                    &format!(
                        "HTTP {status}, retry {throttled} of {MAX_THROTTLED} in {} s",
                        wait.as_secs()
                    ),
                    started,
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            let code = value["error"]["code"].as_str().unwrap_or("").to_string();
            log(format!("HTTP {status} {code}").trim_end(), started);
            // A token Graph no longer takes (ended early, revoked): renewed once, the request
            // sent again; a second 401 is the sign-in's end.
            if status == 401 && !renewed && self.token().renewable() {
                renewed = true;
                self.renew("Graph answered 401").await?;
                continue;
            }
            if (200..300).contains(&status) {
                if write {
                    self.writes.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(value);
            }
            let message = value["error"]["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {status}"));
            let operation = operation.to_string();
            return Err(match status {
                401 => GraphError::Unauthorized { message },
                403 => {
                    let (permission, role) = needs(path);
                    GraphError::Forbidden {
                        operation,
                        code,
                        message,
                        permission,
                        role,
                    }
                }
                404 => GraphError::NotFound { operation, message },
                _ => GraphError::Refused {
                    operation,
                    code,
                    message,
                },
            });
        }
    }

    pub async fn get(&self, path: &str, operation: &str) -> Result<Value, GraphError> {
        self.send(reqwest::Method::GET, path, None, operation).await
    }

    /// Every item of a collection, following Graph's `@odata.nextLink` pages (on Graph's own
    /// base only, and at most `MAX_PAGES` of them): a list read in part would make the tool
    /// add what is there already.
    pub async fn get_all(&self, path: &str, operation: &str) -> Result<Vec<Value>, GraphError> {
        let mut items = Vec::new();
        let mut next = path.to_string();
        for _ in 0..MAX_PAGES {
            let page = self.get(&next, operation).await?;
            if let Some(value) = page["value"].as_array() {
                items.extend(value.iter().cloned());
            }
            let Some(link) = page["@odata.nextLink"].as_str() else {
                return Ok(items);
            };
            next = link
                .strip_prefix(&self.base)
                .filter(|rest| rest.starts_with('/'))
                .ok_or_else(|| GraphError::Http {
                    operation: operation.to_string(),
                    detail: format!("Graph's next page is not under {}: {link}", self.base),
                })?
                .to_string();
        }
        Err(GraphError::Http {
            operation: operation.to_string(),
            detail: format!("more than {MAX_PAGES} pages; the list was not read in full"),
        })
    }

    pub async fn post(
        &self,
        path: &str,
        body: &Value,
        operation: &str,
    ) -> Result<Value, GraphError> {
        self.send(reqwest::Method::POST, path, Some(body), operation)
            .await
    }

    pub async fn patch(
        &self,
        path: &str,
        body: &Value,
        operation: &str,
    ) -> Result<Value, GraphError> {
        self.send(reqwest::Method::PATCH, path, Some(body), operation)
            .await
    }

    /// A PATCH on Graph's /beta endpoint, for what Microsoft documents there only (token
    /// encryption's key credentials), waited out like `patch_replicated`.
    pub async fn patch_beta(
        &self,
        path: &str,
        body: &Value,
        operation: &str,
    ) -> Result<Value, GraphError> {
        self.patch_replicated(&format!("{BETA}{path}"), body, operation)
            .await
    }

    pub async fn delete(&self, path: &str, operation: &str) -> Result<Value, GraphError> {
        self.send(reqwest::Method::DELETE, path, None, operation)
            .await
    }

    /// A GET of an object just made: Graph answers 404 until it has replicated, so 404 is
    /// waited out (bounded) before it counts.
    pub async fn get_replicated(&self, path: &str, operation: &str) -> Result<Value, GraphError> {
        for wait in REPLICATION_WAITS {
            match self.get(path, operation).await {
                Err(GraphError::NotFound { .. }) => {
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
                other => return other,
            }
        }
        self.get(path, operation).await
    }

    /// A PATCH of an object just made (a PATCH is idempotent, so a 404 while it replicates
    /// is waited out like a GET's).
    pub async fn patch_replicated(
        &self,
        path: &str,
        body: &Value,
        operation: &str,
    ) -> Result<Value, GraphError> {
        for wait in REPLICATION_WAITS {
            match self.patch(path, body, operation).await {
                Err(GraphError::NotFound { .. }) => {
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
                other => return other,
            }
        }
        self.patch(path, body, operation).await
    }
}
