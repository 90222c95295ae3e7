//! `-v` is what the docs say it is: a detailed log in the state folder (never the screen) with
//! every AWS, Graph, sign-in and Entra call — what, how long, what came back, each retry — and
//! no secret the process knows, in any encoding, there or in any message. A client secret
//! holding a quote, echoed back by an AWS validation error, leaves no recognisable part of
//! itself anywhere.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::entra::*;
use common::graph::Standin;
use common::https::{HttpsServer, Response};
use common::moto::Moto;
use common::proxy::FaultProxy;
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

/// A client secret with what stops a pattern (a quote) and what an encoder rewrites.
const QUOTED_SECRET: &str = "Kp4'Wq9zR2tLm8Yx3";

fn log_of(state: &Path) -> String {
    std::fs::read_to_string(state.join("cognito-entra.log")).unwrap_or_default()
}

/// The log's lines of one kind (`aws`, `graph`, `sign-in`, `entra`, `run`, `end`).
fn lines<'a>(log: &'a str, kind: &str) -> Vec<&'a str> {
    let marker = format!("] {kind} ");
    log.lines().filter(|l| l.contains(&marker)).collect()
}

/// Each call line ends with what came back and how long it took.
fn assert_timed(line: &str) {
    let timed = regex::Regex::new(r" -> .+ \(\d+\.\d{3} s\)$").unwrap_or_else(|e| panic!("{e}"));
    assert!(timed.is_match(line), "no outcome and time: {line}");
}

fn saml_setup(dir: &Path, name: &str) -> PathBuf {
    let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
    let metadata = dir.join("entra-metadata.xml");
    write(&metadata, metadata_xml(&[cert]));
    let path = dir.join(format!("{name}.toml"));
    write(
        &path,
        format!(
            "name = \"{name}\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"{name}-users\"\n[domain]\nprefix = \"{name}\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/callback\"]\n[provider]\nname = \"EntraID\"\n[saml]\nmetadata_file = \"{}\"\n",
            metadata.display()
        ),
    );
    path
}

#[test]
fn every_aws_call_is_logged_with_its_time_and_status_and_nothing_goes_to_the_screen() {
    let moto = Moto::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    let config = saml_setup(dir.path(), "vlog");
    // A throttled first attempt of the domain's creation: the retry is a line of its own.
    let proxy = FaultProxy::start(moto.port, "DescribeUserPoolDomain", "throttle");
    let mut c = moto.cmd(&state);
    c.env("AWS_ENDPOINT_URL", proxy.endpoint())
        .env("AWS_MAX_ATTEMPTS", "3")
        .args(["-v", "apply", "--yes", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("out"));
    let out = run(&mut c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = log_of(&state);

    // The command and its outcome.
    assert!(
        lines(&log, "run")
            .iter()
            .any(|l| l.contains("-v apply --yes --config")),
        "{log}"
    );
    assert!(
        lines(&log, "end").iter().any(|l| l.contains("-> exit 0")),
        "{log}"
    );

    // One line per attempt, each with its status and time; as many first attempts as the
    // calls the command reports.
    let aws = lines(&log, "aws");
    for line in &aws {
        assert_timed(line);
    }
    let reported: usize = regex::Regex::new(r"\((\d+) AWS calls")
        .ok()
        .and_then(|re| re.captures(&stdout(&out))?[1].parse().ok())
        .unwrap_or_else(|| panic!("no call count in {}", stdout(&out)));
    let first_attempts = aws.iter().filter(|l| l.contains(" attempt 1 -> ")).count();
    assert_eq!(first_attempts, reported, "{log}");
    for op in [
        "CreateUserPool attempt 1 -> HTTP 200",
        "CreateIdentityProvider attempt 1 -> HTTP 200",
        "CreateUserPoolClient attempt 1 -> HTTP 200",
    ] {
        assert!(aws.iter().any(|l| l.contains(op)), "no {op:?} in\n{log}");
    }
    // The throttled attempt, its error code, and the retry that passed.
    assert!(
        aws.iter()
            .any(|l| l
                .contains("DescribeUserPoolDomain attempt 1 -> HTTP 400 TooManyRequestsException")),
        "{log}"
    );
    assert!(
        aws.iter()
            .any(|l| l.contains("DescribeUserPoolDomain attempt 2 -> HTTP 200")),
        "{log}"
    );
    // The log is a file, never the screen.
    assert!(!stderr(&out).contains(" attempt 1 "), "{}", stderr(&out));
    assert!(!stdout(&out).contains(" attempt 1 "), "{}", stdout(&out));
}

#[test]
fn every_graph_and_sign_in_request_is_logged_with_its_time_and_status() {
    let moto = Moto::start();
    let entra = Standin::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    let config = dir.path().join("g.toml");
    write(
        &config,
        format!(
            "name = \"g\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"g-users\"\n[domain]\nprefix = \"g-login\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/callback\"]\n[entra]\nmode = \"graph\"\n"
        ),
    );
    entra.switches(r#"{"throttle_every": 4}"#);
    let mut c = moto.cmd(&state);
    c.env("COGNITO_ENTRA_AUTHORITY", &entra.authority)
        .env("COGNITO_ENTRA_GRAPH_URL", &entra.graph)
        .env("SSL_CERT_FILE", entra.ca())
        .args(["-v", "apply", "--yes", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("out"));
    let out = run(&mut c);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let log = log_of(&state);

    let sign_in = lines(&log, "sign-in");
    assert!(
        sign_in
            .iter()
            .any(|l| l.contains("/oauth2/v2.0/devicecode -> HTTP 200")),
        "{log}"
    );
    assert!(
        sign_in
            .iter()
            .any(|l| l.contains("/oauth2/v2.0/token -> HTTP 400 authorization_pending")),
        "{log}"
    );
    assert!(
        sign_in
            .iter()
            .any(|l| l.contains("/oauth2/v2.0/token -> HTTP 200")),
        "{log}"
    );
    let graph = lines(&log, "graph");
    assert!(
        graph
            .iter()
            .any(|l| l.contains("POST /applicationTemplates/")),
        "{log}"
    );
    assert!(
        graph
            .iter()
            .any(|l| l.contains("-> HTTP 429, retry 1 of 6 in 1 s")),
        "a throttled request and its wait: {log}"
    );
    for line in sign_in.iter().chain(&graph) {
        assert_timed(line);
    }
    // The Cognito side is logged in the same file.
    assert!(!lines(&log, "aws").is_empty(), "{log}");
}

fn oidc_setup(dir: &Path, method: &str) -> PathBuf {
    let config = dir.join("q.toml");
    write(
        &config,
        format!(
            "name = \"q\"\nprotocol = \"oidc\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"q-users\"\n[domain]\nprefix = \"q-login\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://spa.example.com/\"]\n[oidc]\ntenant_id = \"{TENANT}\"\nclient_id = \"{APP}\"\nattributes_request_method = \"{method}\"\n"
        ),
    );
    config
}

/// Every 4-character part of `secret` that `text` holds.
fn parts_of(secret: &str, text: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(4)
        .map(|w| w.iter().collect::<String>())
        .filter(|w| text.contains(w.as_str()))
        .collect()
}

#[test]
fn an_echoed_client_secret_with_a_quote_leaves_no_part_of_itself_anywhere() {
    let moto = Moto::start();
    let dir = tempdir();
    let mut routes = HashMap::new();
    routes.insert(
        format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        Response::ok(
            "application/json",
            discovery_json("https://localhost:{port}", TENANT),
        )
        .templated(),
    );
    let entra = HttpsServer::start(routes);
    let state = dir.path().join("state");
    let apply = |endpoint: &str, config: &Path, secret: Option<&str>| {
        let mut c = moto.cmd(&state);
        c.env("AWS_ENDPOINT_URL", endpoint)
            .env("SSL_CERT_FILE", &entra.ca_file)
            .env("COGNITO_ENTRA_AUTHORITY", entra.authority())
            .args(["-v", "apply", "--yes", "--config"])
            .arg(config)
            .arg("--out")
            .arg(dir.path().join("out"))
            .stdin(std::process::Stdio::null());
        if let Some(secret) = secret {
            c.env("COGNITO_ENTRA_CLIENT_SECRET", secret);
        }
        run(&mut c)
    };
    let checked = |what: &str, out: &std::process::Output, operation: &str| {
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(out));
        assert!(
            stderr(out).contains("at 'providerDetails'") && stderr(out).contains(operation),
            "{what}: the echo reached the message: {}",
            stderr(out)
        );
        let log = log_of(&state);
        assert!(log.contains("at 'providerDetails'"), "{what}: {log}");
        for (place, text) in [
            ("stdout", stdout(out)),
            ("stderr", stderr(out)),
            ("the -v log", log),
        ] {
            let parts = parts_of(QUOTED_SECRET, &text);
            assert!(
                parts.is_empty(),
                "{what}: {parts:?} of the client secret in {place}:\n{text}"
            );
        }
    };

    // AWS's validation error quotes the provider details, the secret given in the
    // environment among them.
    let echo_create = FaultProxy::start(moto.port, "CreateIdentityProvider", "echo");
    let out = apply(
        &echo_create.endpoint(),
        &oidc_setup(dir.path(), "GET"),
        Some(QUOTED_SECRET),
    );
    checked("the secret given", &out, "CreateIdentityProvider");

    // Created for real; then a change to the provider with no secret given: the update sends
    // back the secret Cognito holds, which the process learned from AWS's answer.
    let out = apply(
        &moto.endpoint(),
        &oidc_setup(dir.path(), "GET"),
        Some(QUOTED_SECRET),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let echo_update = FaultProxy::start(moto.port, "UpdateIdentityProvider", "echo");
    let out = apply(
        &echo_update.endpoint(),
        &oidc_setup(dir.path(), "POST"),
        None,
    );
    checked("the secret Cognito holds", &out, "UpdateIdentityProvider");
}
