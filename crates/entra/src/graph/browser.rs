//! Signing in through a browser: the authorization code grant (RFC 6749 §4.1) with PKCE
//! (RFC 7636, S256) and a loopback redirect (RFC 8252 §7.3), as the Microsoft identity
//! platform takes it from a public client: `http://localhost:<any port>` is accepted for a
//! client that registered `http://localhost`. For tenants whose Conditional Access blocks the
//! device code flow, as Microsoft recommends.
//!
//! The listener is bound to 127.0.0.1 only, takes one answer that carries this sign-in's
//! `state`, and is closed when the sign-in ends, whatever the outcome. Each request is read
//! with a bounded size and time; the wait for the browser ends after a minute with nothing.

use std::time::Duration;

use base64::Engine;
use ring::rand::SecureRandom;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::signin::{
    Delegated, SignInError, Token, form, post_form, refused_words, remember, token_from,
};

/// How long the sign-in waits with nothing coming to the listener (any request restarts it).
pub const IDLE_LIMIT: Duration = Duration::from_secs(60);
/// The most one request to the listener may hold (request line and headers: Entra's codes are
/// a few kilobytes), and the longest it may take to arrive.
const MAX_REQUEST_BYTES: usize = 32 * 1024;
const REQUEST_TIME: Duration = Duration::from_secs(5);
/// The longest the sign-in waits in all, however often something comes to the listener.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// What the admin is told: the address to open (printed too, for a browser started by hand),
/// and the program that was asked to open it, if any could be started.
#[derive(Debug, Clone)]
pub struct BrowserSignIn {
    pub url: String,
    pub opened_with: Option<String>,
    /// The loopback port the browser comes back to (`http://localhost:<port>`).
    pub port: u16,
}

/// The browser sign-in: a loopback listener, the authorization URL opened in the browser and
/// handed to `show`, the one answer carrying this sign-in's state, then the code redeemed with
/// its PKCE verifier. `idle` is how long nothing may come to the listener (`IDLE_LIMIT`).
pub async fn browser(
    to: &Delegated<'_>,
    idle: Duration,
    show: impl FnOnce(&BrowserSignIn),
) -> Result<Token, SignInError> {
    let (http, client_id) = (to.http, to.client_id);
    let base = to.base();
    let scopes = to.scopes();
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
        SignInError::Http(format!(
            "cannot listen on 127.0.0.1 for the browser's answer ({e}); sign in with --entra-sign-in device-code or az-cli instead"
        ))
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| SignInError::Http(format!("the loopback listener has no port: {e}")))?
        .port();
    let redirect_uri = format!("http://localhost:{port}");
    // RFC 7636 §4.1: 32 random octets, base64url: a 43-character verifier.
    let verifier = random_text(32)?;
    remember(&verifier);
    let state = random_text(16)?;
    let url = format!(
        "{base}/authorize?{}",
        form(&[
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", &redirect_uri),
            ("response_mode", "query"),
            ("scope", &scopes),
            ("state", &state),
            ("code_challenge", &challenge_of(&verifier)),
            ("code_challenge_method", "S256"),
            ("prompt", "select_account"),
        ])
    );
    let opened_with = open_in_browser(&url);
    show(&BrowserSignIn {
        url: url.clone(),
        opened_with,
        port,
    });
    // The listener goes with this call: closed once the answer is in (or not).
    let code = wait_for_answer(listener, &state, idle).await?;
    remember(&code);
    let token_url = format!("{base}/token");
    let redeemed = post_form(
        http,
        &token_url,
        form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &verifier),
            ("scope", &scopes),
        ]),
    )
    .await?;
    token_from(&token_url, client_id, &scopes, &redeemed.text)
}

/// `bytes` random octets from the system's generator, base64url without padding.
fn random_text(bytes: usize) -> Result<String, SignInError> {
    let mut buf = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| SignInError::Http("the system's random generator failed".into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

/// RFC 7636 §4.2, S256: BASE64URL(SHA256(ASCII(verifier))).
fn challenge_of(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// Starts the browser on `url`: each command of `$BROWSER` in turn (colon-separated, `%s` for
/// the URL, else the URL last, as xdg-utils and Python read it), else the desktop's opener.
/// Never waited on; its output goes nowhere (a wizard may own the terminal); its environment
/// is the desktop's only (no AWS keys, no secret). The program started, or `None` when none could be.
fn open_in_browser(url: &str) -> Option<String> {
    let commands: Vec<String> = match std::env::var("BROWSER") {
        Ok(list) if !list.trim().is_empty() => list.split(':').map(str::to_string).collect(),
        _ if cfg!(target_os = "macos") => vec!["open".into()],
        _ => vec!["xdg-open".into()],
    };
    for command in commands {
        let mut words = command.split_whitespace();
        let Some(program) = words.next() else {
            continue;
        };
        let mut args: Vec<String> = words.map(|w| w.replace("%s", url)).collect();
        if !command.contains("%s") {
            args.push(url.to_string());
        }
        let mut child = std::process::Command::new(program);
        child
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        // How to reach the display and the session, nothing else: no AWS keys, no secret.
        cognito_entra_core::secrets::desktop_environment_only(&mut child);
        if let Ok(mut started) = child.spawn() {
            // Reaped on the side: the sign-in does not wait for the browser to end.
            std::thread::spawn(move || {
                let _ = started.wait();
            });
            return Some(program.to_string());
        }
    }
    None
}

/// What one request to the listener said.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// Not a sign-in answer (a favicon, a stray request): 404, and the wait goes on.
    NotOurs,
    /// A sign-in answer with another state: another sign-in's, or forged.
    WrongState,
    Code(String),
    Error {
        error: String,
        description: String,
    },
}

/// Reads a request's target (`GET /?code=…&state=… HTTP/1.1`) as an answer to this sign-in.
fn judge(request_line: &str, state: &str) -> Answer {
    let mut parts = request_line.split(' ');
    let (Some("GET"), Some(target)) = (parts.next(), parts.next()) else {
        return Answer::NotOurs;
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if !(path.is_empty() || path == "/") {
        return Answer::NotOurs;
    }
    let mut code = None;
    let mut got_state = None;
    let mut error = None;
    let mut description = String::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => got_state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = v.into_owned(),
            _ => {}
        }
    }
    if code.is_none() && error.is_none() {
        return Answer::NotOurs;
    }
    if got_state.as_deref() != Some(state) {
        return Answer::WrongState;
    }
    match (error, code) {
        (Some(error), _) => Answer::Error { error, description },
        (None, Some(code)) if !code.is_empty() => Answer::Code(code),
        _ => Answer::NotOurs,
    }
}

/// Waits for the browser's answer: requests that are not one are answered 404 and the wait
/// goes on; the first that is one ends it (its page says what happened). Each request
/// restarts the idle limit; the whole wait is bounded by `MAX_WAIT` all the same.
async fn wait_for_answer(
    listener: TcpListener,
    state: &str,
    idle: Duration,
) -> Result<String, SignInError> {
    let deadline = tokio::time::Instant::now() + MAX_WAIT;
    loop {
        let until = (tokio::time::Instant::now() + idle).min(deadline);
        let mut stream = match tokio::time::timeout_at(until, listener.accept()).await {
            Err(_) => {
                return Err(SignInError::Http(format!(
                    "no answer came back from the browser within {} s (or {} min in all); run it again and finish the sign-in in the browser sooner (a browser on another machine cannot reach this machine's localhost unless the port is forwarded, e.g. ssh -L), or sign in with --entra-sign-in device-code or az-cli",
                    idle.as_secs(),
                    MAX_WAIT.as_secs() / 60
                )));
            }
            Ok(Err(e)) => {
                return Err(SignInError::Http(format!(
                    "the loopback listener failed: {e}"
                )));
            }
            Ok(Ok((stream, _))) => stream,
        };
        let Ok(Some(line)) = tokio::time::timeout(REQUEST_TIME, request_line(&mut stream)).await
        else {
            // Nothing readable in time or too large: not an answer from Entra.
            continue;
        };
        match judge(&line, state) {
            Answer::NotOurs => reply(&mut stream, "404 Not Found", "Nothing here.").await,
            Answer::WrongState => {
                reply(
                    &mut stream,
                    "400 Bad Request",
                    "This answer is not for the sign-in cognito-entra started (its state differs). Nothing was accepted.",
                )
                .await;
                return Err(SignInError::StateMismatch);
            }
            Answer::Error { error, description } => {
                reply(
                    &mut stream,
                    "400 Bad Request",
                    &format!("Entra did not sign you in: {error} {description}"),
                )
                .await;
                return Err(if error == "access_denied" {
                    SignInError::Declined
                } else {
                    refused_words(error, description)
                });
            }
            Answer::Code(code) => {
                reply(
                    &mut stream,
                    "200 OK",
                    "Signed in to Entra for cognito-entra. You may close this tab.",
                )
                .await;
                return Ok(code);
            }
        }
    }
}

/// The request line of one request, its head read to its end (bounded) so the answer is not
/// cut off by a reset; `None` when it is too large or the peer went away.
async fn request_line(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_REQUEST_BYTES {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    text.lines().next().map(str::to_string)
}

/// A small page, then the connection closed.
async fn reply(stream: &mut TcpStream, status: &str, words: &str) {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>cognito-entra</title></head><body><p>{}</p></body></html>",
        escape(words)
    );
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = tokio::time::timeout(REQUEST_TIME, async {
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_example() {
        // RFC 7636 Appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn a_verifier_is_43_characters_of_base64url_and_never_the_same() {
        let a = random_text(32).unwrap_or_default();
        let b = random_text(32).unwrap_or_default();
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, b);
    }

    /// One request to the listener, as a browser sends it; the whole answer.
    async fn get(port: u16, target: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/html\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        answer
    }

    #[tokio::test]
    async fn a_stray_request_is_answered_and_the_wait_goes_on_then_the_listener_closes() {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let wait =
            tokio::spawn(
                async move { wait_for_answer(listener, "s1", Duration::from_secs(5)).await },
            );
        // A connection that says nothing is let go; a stray request gets a 404.
        drop(TcpStream::connect(("127.0.0.1", port)).await);
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        let page = get(port, "/?code=c1&state=s1").await;
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains("You may close this tab"), "{page}");
        let code = wait.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code.ok().as_deref(), Some("c1"));
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    }

    #[tokio::test]
    async fn the_wait_ends_when_nothing_comes_within_the_idle_limit() {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let started = std::time::Instant::now();
        let got = wait_for_answer(listener, "s1", Duration::from_millis(300)).await;
        assert!(
            matches!(&got, Err(SignInError::Http(m)) if m.contains("no answer came back from the browser")),
            "{got:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn only_an_answer_with_this_state_is_taken() {
        assert_eq!(
            judge("GET /?code=abc&state=s1&session_state=x HTTP/1.1", "s1"),
            Answer::Code("abc".into())
        );
        assert_eq!(
            judge("GET ?code=abc&state=s1 HTTP/1.1", "s1"),
            Answer::Code("abc".into())
        );
        assert_eq!(
            judge("GET /?code=abc&state=s2 HTTP/1.1", "s1"),
            Answer::WrongState
        );
        assert_eq!(judge("GET /?code=abc HTTP/1.1", "s1"), Answer::WrongState);
        assert_eq!(judge("GET /favicon.ico HTTP/1.1", "s1"), Answer::NotOurs);
        assert_eq!(judge("GET / HTTP/1.1", "s1"), Answer::NotOurs);
        assert_eq!(
            judge(
                "GET /?error=access_denied&error_description=AADSTS65004%3A+declined&state=s1 HTTP/1.1",
                "s1"
            ),
            Answer::Error {
                error: "access_denied".into(),
                description: "AADSTS65004: declined".into()
            }
        );
    }
}
