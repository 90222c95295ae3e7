//! Fetching what Entra serves (metadata, discovery) over HTTPS only, with limits, and with one
//! clear message per kind of failure.

use std::time::Duration;

use url::Url;

/// The most a metadata or discovery document may weigh.
pub const MAX_BODY_BYTES: usize = cognito_entra_core::bounded::METADATA;
pub const MAX_REDIRECTS: usize = 5;

#[derive(Debug, Clone)]
pub struct Limits {
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    /// The total came from COGNITO_ENTRA_HTTP_TIMEOUT (messages say so).
    pub from_env: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            from_env: false,
        }
    }
}

impl Limits {
    /// The defaults, or a total from `COGNITO_ENTRA_HTTP_TIMEOUT` (seconds) for slow proxies.
    pub fn from_env() -> Limits {
        let mut limits = Limits::default();
        if let Some(secs) = std::env::var("COGNITO_ENTRA_HTTP_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| *s > 0.0 && *s < 3600.0)
        {
            limits.total_timeout = Duration::from_secs_f64(secs);
            // Connecting (TCP and the TLS handshake) gets at most half of the total, so a
            // handshake that stalls is told apart from an answer that is slow.
            limits.connect_timeout = limits.connect_timeout.min(limits.total_timeout / 2);
            limits.from_env = true;
        }
        limits
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url} is not a URL ({reason})")]
    BadUrl { url: String, reason: String },
    #[error(
        "{url} uses plain http; Cognito accepts metadata over HTTPS only, and so does this tool — use the https:// URL Entra shows"
    )]
    NotHttps { url: String },
    #[error(
        "cannot find the host {host} (DNS): {detail} — check the URL for typos, and the network or proxy"
    )]
    Dns { host: String, detail: String },
    #[error(
        "the TLS certificate of {host} is not trusted: {detail} — behind a TLS-inspecting proxy, point SSL_CERT_FILE at its CA bundle"
    )]
    Tls { host: String, detail: String },
    #[error(
        "{url} {stage} within {elapsed:.1} s (the limit is {limit:.0} s{}) — check the network or proxy, then try again",
        if *limit_from_env { ", from COGNITO_ENTRA_HTTP_TIMEOUT" } else { "; COGNITO_ENTRA_HTTP_TIMEOUT changes it" }
    )]
    Timeout {
        url: String,
        /// What did not happen in time: the connection (TCP and TLS handshake) or the answer.
        stage: &'static str,
        elapsed: f64,
        limit: f64,
        limit_from_env: bool,
    },
    #[error("cannot connect to {host}: {detail} — check the network or proxy")]
    Connect { host: String, detail: String },
    #[error("{url} answered HTTP {status}{first_line}")]
    Status {
        url: String,
        status: u16,
        first_line: String,
    },
    #[error(
        "{url} sent more than {limit} bytes; metadata and discovery documents are a few kilobytes — check the URL"
    )]
    TooLarge { url: String, limit: usize },
    #[error(
        "{url} redirected more than {MAX_REDIRECTS} times — copy the final URL from the Entra portal"
    )]
    TooManyRedirects { url: String },
    #[error("{url} redirected to plain http ({to}); refused")]
    RedirectToHttp { url: String, to: String },
    #[error("{0}")]
    Setup(#[from] super::tls::TlsSetupError),
    #[error("fetching {url} failed: {detail}")]
    Other { url: String, detail: String },
}

/// A response, whatever its status.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Fetched {
    /// The response, or an error naming the status and the first line of the body.
    pub fn success(self) -> Result<Fetched, FetchError> {
        if (200..300).contains(&self.status) {
            return Ok(self);
        }
        let text = String::from_utf8_lossy(&self.body);
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let first: String = first.chars().take(200).collect();
        Err(FetchError::Status {
            url: self.url.to_string(),
            status: self.status,
            first_line: if first.is_empty() {
                String::new()
            } else {
                format!(": {first}")
            },
        })
    }
}

#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: Limits,
}

impl Fetcher {
    pub fn new(limits: Limits) -> Result<Fetcher, FetchError> {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.url().scheme() != "https" {
                let to = attempt.url().to_string();
                attempt.error(RedirectRefused::Http(to))
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(RedirectRefused::TooMany)
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(super::tls::client_config()?)
            .https_only(false) // checked ourselves, with a better message
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.total_timeout)
            .redirect(policy)
            .user_agent(concat!("cognito-entra/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Other {
                url: String::new(),
                detail: e.to_string(),
            })?;
        Ok(Fetcher { client, limits })
    }

    /// GETs an https URL; any status comes back (see `Fetched::success`).
    pub async fn get(&self, raw: &str) -> Result<Fetched, FetchError> {
        let started = std::time::Instant::now();
        let fetched = self.get_unlogged(raw).await;
        // The -v log: the URL, and the status and size that came back or why nothing did.
        let outcome = match &fetched {
            Ok(f) if f.url.as_str() != raw.trim() => {
                format!("HTTP {}, {} bytes from {}", f.status, f.body.len(), f.url)
            }
            Ok(f) => format!("HTTP {}, {} bytes", f.status, f.body.len()),
            Err(e) => format!("failed: {e}"),
        };
        cognito_entra_core::verbose_log::call(
            "entra",
            &format!("GET {}", raw.trim()),
            &outcome,
            started.elapsed(),
        );
        fetched
    }

    async fn get_unlogged(&self, raw: &str) -> Result<Fetched, FetchError> {
        let url = Url::parse(raw.trim()).map_err(|e| FetchError::BadUrl {
            url: raw.to_string(),
            reason: e.to_string(),
        })?;
        if url.scheme() == "http" {
            return Err(FetchError::NotHttps {
                url: url.to_string(),
            });
        }
        if url.scheme() != "https" {
            return Err(FetchError::BadUrl {
                url: raw.to_string(),
                reason: format!("the scheme {} is not https", url.scheme()),
            });
        }
        let started = std::time::Instant::now();
        let mut response = self
            .client
            .get(url.clone())
            .header(
                "accept",
                "application/xml, application/json;q=0.9, */*;q=0.5",
            )
            .send()
            .await
            .map_err(|e| self.classify(&url, e, started))?;
        let status = response.status().as_u16();
        let final_url = response.url().clone();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit: MAX_BODY_BYTES,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.classify(&url, e, started))?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit: MAX_BODY_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            url: final_url,
            status,
            content_type,
            body,
        })
    }

    fn classify(&self, url: &Url, e: reqwest::Error, started: std::time::Instant) -> FetchError {
        let host = url.host_str().unwrap_or_default().to_string();
        let chain = error_chain(&e);
        if let Some(refused) = find_source::<RedirectRefused>(&e) {
            return match refused {
                RedirectRefused::Http(to) => FetchError::RedirectToHttp {
                    url: url.to_string(),
                    to: to.clone(),
                },
                RedirectRefused::TooMany => FetchError::TooManyRedirects {
                    url: url.to_string(),
                },
            };
        }
        if e.is_timeout() || chain.contains("timed out") {
            // The real time it took, and what did not answer: a TLS handshake that never
            // completes ends at the connect limit, not at the total one.
            let elapsed = started.elapsed().as_secs_f64();
            let connecting = e.is_connect();
            return FetchError::Timeout {
                url: url.to_string(),
                stage: if connecting {
                    "did not complete the connection (TCP and TLS handshake)"
                } else {
                    "did not answer"
                },
                elapsed,
                limit: if connecting {
                    self.limits.connect_timeout.as_secs_f64()
                } else {
                    self.limits.total_timeout.as_secs_f64()
                },
                limit_from_env: self.limits.from_env && !connecting,
            };
        }
        if let Some(tls) = find_source::<rustls::Error>(&e) {
            return FetchError::Tls {
                host,
                detail: tls.to_string(),
            };
        }
        if chain.contains("dns error") || chain.contains("failed to lookup address") {
            return FetchError::Dns {
                host,
                detail: chain.rsplit(": ").next().unwrap_or(&chain).to_string(),
            };
        }
        if chain.contains("certificate") || chain.contains("tls") {
            return FetchError::Tls {
                host,
                detail: chain,
            };
        }
        if e.is_connect() {
            return FetchError::Connect {
                host,
                detail: chain.rsplit(": ").next().unwrap_or(&chain).to_string(),
            };
        }
        FetchError::Other {
            url: url.to_string(),
            detail: chain,
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum RedirectRefused {
    #[error("redirect to plain http: {0}")]
    Http(String),
    #[error("too many redirects")]
    TooMany,
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

fn find_source<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = err.source();
    }
    None
}
