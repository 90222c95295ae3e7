//! Microsoft Graph over HTTPS: JSON in and out, Graph's throttling honoured (429, 503 and a
//! gateway's 502/504, Retry-After bounded), a new object waited for until it has replicated
//! (minutes, as real Entra takes), and Graph's errors turned into what the admin must do — a
//! 403 names the permission and role. Every wait longer than a second is told through the
//! wait hook (the faces show it) and the -v log.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::signin::{Cloud, Token};

/// A token is renewed this long before it ends (MSAL's margin), so no request carries one
/// that ends on its way.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

/// The most 429/502/503/504s waited out for one request, and the longest wait taken from a
/// Retry-After (Graph may ask for minutes; longer than this is refused as still throttled).
const MAX_THROTTLED: usize = 6;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// The most pages of one collection read (`get_all`).
const MAX_PAGES: usize = 50;
/// How long Entra is given to replicate a new object (real tenants take minutes: Microsoft's
/// SAML-over-Graph tutorial polls "until the query is successful", terraform-provider-azuread
/// waits up to its 5–10 minute resource timeouts). COGNITO_ENTRA_GRAPH_REPLICATION_SECONDS
/// sets it (tests keep it short; a slow tenant may need more).
const REPLICATION_BUDGET: Duration = Duration::from_secs(300);
pub const REPLICATION_SECONDS_VAR: &str = "COGNITO_ENTRA_GRAPH_REPLICATION_SECONDS";
/// How often a replicating object is asked for (the tutorial: every 5–10 s).
const REPLICATION_POLL: Duration = Duration::from_secs(5);
/// Successful reads in a row before a new object counts as there (Graph's replicas answer
/// in turn: one may have it and the next not; terraform-provider-azuread's consistency
/// helper wants several in a row).
const CONSISTENT_READS: usize = 3;

/// Told each wait longer than a second, with its reason (the faces show it).
pub type WaitHook = Arc<dyn Fn(&str) + Send + Sync>;

/// The face's wait hook, one for the process (as the -v log is): set once by the face that
/// runs, before any Graph call; waits in planning and in making are told alike.
static WAIT_HOOK: Mutex<Option<WaitHook>> = Mutex::new(None);

/// Sets (or, with `None`, clears) who is told of each wait longer than a second.
pub fn set_wait_hook(hook: Option<WaitHook>) {
    if let Ok(mut slot) = WAIT_HOOK.lock() {
        *slot = hook;
    }
}

/// The replication budget: COGNITO_ENTRA_GRAPH_REPLICATION_SECONDS, else five minutes.
pub fn replication_budget() -> Duration {
    std::env::var(REPLICATION_SECONDS_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(REPLICATION_BUDGET)
}

/// How long to wait before asking again, within `budget`: every 5 s, more often when the
/// budget itself is short (never more often than four times a second).
fn poll_interval(budget: Duration) -> Duration {
    REPLICATION_POLL
        .min(budget / 10)
        .max(Duration::from_millis(250))
}

/// "1 min 20 s", "45 s".
pub fn say_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        return format!("{} ms", d.as_millis());
    }
    let s = d.as_secs();
    match (s / 60, s % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// The replication answers real Entra gives while a new object has not reached every
/// replica, besides 404 (each quoted from terraform-provider-azuread's retry functions or
/// seen by admins): the service principal of a new application, an assignment to a new
/// service principal, an identifier URI checked before the SAML mode is read.
const REPLICATION_MESSAGES: [&str; 3] = [
    "does not reference a valid application object",
    "Not a valid reference update",
    "All newly added URIs must contain a tenant verified domain, tenant ID, or app ID",
];

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
    #[error(
        "{operation}: Graph is throttled and asks to wait {}, longer than the {} the tool waits; nothing more was sent — run again after that",
        say_duration(*asked),
        say_duration(MAX_RETRY_AFTER)
    )]
    ThrottledFor { operation: String, asked: Duration },
    #[error("{operation}: {detail}")]
    Http { operation: String, detail: String },
}

impl GraphError {
    /// Whether running again may get further (the network, throttling, a lost answer).
    pub fn may_pass(&self) -> bool {
        matches!(
            self,
            GraphError::Throttled { .. }
                | GraphError::ThrottledFor { .. }
                | GraphError::Http { .. }
        )
    }

    /// Graph's own answer, short, for a wait's reason (not the advice a final error gives).
    fn answer(&self) -> String {
        match self {
            GraphError::Forbidden { code, message, .. } => format!("HTTP 403 {code}: {message}"),
            GraphError::NotFound { message, .. } => format!("HTTP 404: {message}"),
            GraphError::Refused { code, message, .. } => format!("{code}: {message}"),
            other => other.to_string(),
        }
    }

    /// Whether this is how Entra answers while an object just made replicates: 404, 403 on
    /// the new object itself, or one of the 400s Entra gives for a reference it cannot see
    /// yet.
    fn is_replication(&self, fresh: bool) -> bool {
        match self {
            GraphError::NotFound { .. } => true,
            GraphError::Forbidden { .. } => fresh,
            GraphError::Refused { message, .. } => {
                REPLICATION_MESSAGES.iter().any(|m| message.contains(m))
            }
            _ => false,
        }
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
    /// IDs of objects this session made: a 403 on one of them is replication, not a refusal.
    fresh: Mutex<Vec<String>>,
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
            fresh: Mutex::new(Vec::new()),
        }
    }

    /// Notes an object this session has just made (its ID as it appears in paths).
    pub fn made(&self, id: &str) {
        if let Ok(mut fresh) = self.fresh.lock()
            && !id.is_empty()
        {
            fresh.push(id.to_string());
        }
    }

    fn is_fresh(&self, path: &str) -> bool {
        self.fresh
            .lock()
            .map(|f| f.iter().any(|id| path.contains(id.as_str())))
            .unwrap_or(false)
    }

    /// Waits `wait` (cancelled with the future: a face that stops the task stops the wait),
    /// told to the face when it is longer than a second, and always to the -v log.
    pub async fn pause(&self, wait: Duration, reason: &str) {
        let text = format!("waiting {} {reason}", say_duration(wait));
        cognito_entra_core::verbose_log::write("wait", &text);
        if wait > Duration::from_secs(1) {
            let hook = WAIT_HOOK.lock().ok().and_then(|h| h.clone());
            if let Some(hook) = hook {
                hook(&text);
            }
        }
        tokio::time::sleep(wait).await;
    }

    /// Runs `attempt` until it succeeds or fails otherwise than with a replication answer,
    /// waiting every few seconds for at most the replication budget; `what` names the
    /// object waited for ("the new application"). `read_or_changed`: the path read or changed
    /// — a 403 on an object this run made is replication there; `None` for a POST, whose 403
    /// is a refusal (a missing permission is not waited on for minutes).
    pub async fn until_replicated<T, F, Fut>(
        &self,
        what: &str,
        read_or_changed: Option<&str>,
        mut attempt: F,
    ) -> Result<T, GraphError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, GraphError>>,
    {
        let budget = replication_budget();
        let started = Instant::now();
        loop {
            match attempt().await {
                Err(e) if e.is_replication(read_or_changed.is_some_and(|p| self.is_fresh(p))) => {
                    let spent = started.elapsed();
                    if spent >= budget {
                        cognito_entra_core::verbose_log::write(
                            "wait",
                            &format!(
                                "gave up waiting for Entra to replicate {what} after {}",
                                say_duration(spent)
                            ),
                        );
                        return Err(e);
                    }
                    let wait = poll_interval(budget).min(budget - spent);
                    self.pause(
                        wait,
                        &format!(
                            "for Entra to replicate {what} ({} of {}; Entra said: {})",
                            say_duration(spent),
                            say_duration(budget),
                            e.answer()
                        ),
                    )
                    .await;
                }
                other => return other,
            }
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
            if matches!(status, 429 | 502 | 503 | 504) {
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
                let asked = retry_after.map(Duration::from_secs);
                if asked.is_some_and(|a| a > MAX_RETRY_AFTER) {
                    log(
                        &format!(
                            "HTTP {status}, Retry-After {} s is longer than the {} s waited at most; giving up",
                            asked.unwrap_or_default().as_secs(),
                            MAX_RETRY_AFTER.as_secs()
                        ),
                        started,
                    );
                    return Err(GraphError::ThrottledFor {
                        operation: operation.to_string(),
                        asked: asked.unwrap_or_default(),
                    });
                }
                let wait = asked.unwrap_or(Duration::from_secs(1 << throttled.min(5)));
                log(
                    &format!(
                        "HTTP {status}, retry {throttled} of {MAX_THROTTLED} in {} s",
                        wait.as_secs()
                    ),
                    started,
                );
                let why = match status {
                    429 => "Graph is throttling the requests",
                    503 => "Graph is unavailable for a moment",
                    _ => "Graph's gateway did not answer",
                };
                self.pause(
                    wait,
                    &format!(
                        "to {operation}: {why} (HTTP {status}{}; retry {throttled} of {MAX_THROTTLED})",
                        if asked.is_some() { ", as its Retry-After asks" } else { "" }
                    ),
                )
                .await;
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

    /// A GET on Graph's /beta endpoint, for what Graph shows there only (the custom claims
    /// policy that holds the portal's Attributes & Claims).
    pub async fn get_beta(&self, path: &str, operation: &str) -> Result<Value, GraphError> {
        self.get(&format!("{BETA}{path}"), operation).await
    }

    pub async fn delete(&self, path: &str, operation: &str) -> Result<Value, GraphError> {
        self.send(reqwest::Method::DELETE, path, None, operation)
            .await
    }

    /// A GET of an object that may have just been made: its replication answers are waited
    /// out (within the replication budget) before they count.
    pub async fn get_replicated(&self, path: &str, operation: &str) -> Result<Value, GraphError> {
        self.until_replicated(&format!("what is read to {operation}"), Some(path), || {
            self.get(path, operation)
        })
        .await
    }

    /// A new object, read until it answers `CONSISTENT_READS` times in a row (one replica
    /// having it is not all of them having it); `what` names it.
    pub async fn wait_until_there(
        &self,
        path: &str,
        what: &str,
        operation: &str,
    ) -> Result<Value, GraphError> {
        let mut read = self
            .until_replicated(what, Some(path), || self.get(path, operation))
            .await?;
        let gap = poll_interval(replication_budget()).min(Duration::from_secs(1));
        for _ in 1..CONSISTENT_READS {
            tokio::time::sleep(gap).await;
            read = self
                .until_replicated(what, Some(path), || self.get(path, operation))
                .await?;
        }
        Ok(read)
    }

    /// A PATCH of an object that may have just been made (a PATCH is idempotent, so its
    /// replication answers are waited out like a GET's).
    pub async fn patch_replicated(
        &self,
        path: &str,
        body: &Value,
        operation: &str,
    ) -> Result<Value, GraphError> {
        self.until_replicated(
            &format!("what is changed to {operation}"),
            Some(path),
            || self.patch(path, body, operation),
        )
        .await
    }

    /// A POST that refers to an object just made (a service principal for a new application,
    /// an assignment to a new service principal): Entra's replication answers to it are 400s
    /// and 404s that make nothing, so it is sent again until the reference is seen.
    pub async fn post_replicated(
        &self,
        path: &str,
        body: &Value,
        what: &str,
        operation: &str,
    ) -> Result<Value, GraphError> {
        self.until_replicated(what, None, || self.post(path, body, operation))
            .await
    }
}
