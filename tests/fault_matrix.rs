//! The fault matrix: every write of a new SAML and a new OIDC apply goes through a proxy that
//! drops its answer, stalls, answers 5xx, throttles, or quotes the request in an error. In
//! every case: nothing is created twice, a second run converges and a third writes nothing,
//! each run ends within its time limit, and the client secret appears nowhere (output, state
//! folder, the -v log, the certificate folder).

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cognito_entra_cognito::api::CognitoApi;
use common::entra::*;
use common::https::{HttpsServer, Response};
use common::moto::{Moto, block_on};
use common::proxy::FaultProxy;
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";
const SECRET: &str = "Qx7~fault.matrix-Secret_91b";
const FAULTS: [&str; 5] = ["drop", "hang", "5xx", "throttle", "echo"];
/// The per-attempt AWS limit the runs get: a stalled call ends after it.
const AWS_TIMEOUT_SECS: u64 = 2;
/// No run may take longer: the limit, a read to resolve it, and start-up, with room for a
/// loaded machine.
const RUN_BOUND: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Flow {
    Saml,
    Oidc,
}

impl Flow {
    fn writes(self) -> &'static [&'static str] {
        match self {
            Flow::Saml => &[
                "CreateUserPool",
                "CreateUserPoolDomain",
                "CreateIdentityProvider",
                "CreateUserPoolClient",
                "CreateManagedLoginBranding",
            ],
            Flow::Oidc => &[
                "CreateUserPool",
                "CreateUserPoolDomain",
                "CreateIdentityProvider",
                "CreateUserPoolClient",
            ],
        }
    }
}

struct World {
    moto: Moto,
    entra: HttpsServer,
    dir: tempfile::TempDir,
    metadata: PathBuf,
}

fn config(world: &World, flow: Flow, name: &str) -> PathBuf {
    let text = match flow {
        Flow::Saml => format!(
            r#"
name = "{name}"
protocol = "saml"
region = "{REGION}"
[user_pool]
name = "{name}-users"
[domain]
prefix = "{name}"
managed_login = true
[app_client]
name = "web"
callback_urls = ["https://app.example.com/callback"]
scopes = ["openid", "email"]
[provider]
name = "EntraID"
[saml]
metadata_file = "{}"
"#,
            world.metadata.display()
        ),
        Flow::Oidc => format!(
            r#"
name = "{name}"
protocol = "oidc"
region = "{REGION}"
[user_pool]
name = "{name}-users"
[domain]
prefix = "{name}"
[app_client]
name = "web"
callback_urls = ["https://spa.example.com/"]
[oidc]
tenant_id = "{TENANT}"
client_id = "{APP}"
"#
        ),
    };
    let path = world.dir.path().join(format!("{name}.toml"));
    write(&path, text);
    path
}

struct Case {
    flow: Flow,
    operation: &'static str,
    fault: &'static str,
}

struct Outcome {
    first: Output,
    first_time: Duration,
    second_time: Duration,
}

fn apply(world: &World, endpoint: &str, state: &Path, config: &Path) -> (Output, Duration) {
    let mut c = world.moto.cmd(state);
    c.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_MAX_ATTEMPTS", "3")
        .env("COGNITO_ENTRA_AWS_TIMEOUT", AWS_TIMEOUT_SECS.to_string())
        .env("COGNITO_ENTRA_CLIENT_SECRET", SECRET)
        .env("SSL_CERT_FILE", &world.entra.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", world.entra.authority())
        .args(["-v", "apply", "--yes", "--config"])
        .arg(config)
        .arg("--out")
        .arg(state.join("out"))
        .stdin(std::process::Stdio::null());
    let started = Instant::now();
    let out = run(&mut c);
    (out, started.elapsed())
}

fn no_secret_in(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET),
        "the client secret appears in {what}:\n{text}"
    );
}

fn run_case(world: &World, case: &Case, index: usize) -> Outcome {
    let name = format!(
        "fm{index}-{}",
        match case.flow {
            Flow::Saml => "saml",
            Flow::Oidc => "oidc",
        }
    );
    let label = format!("{:?} {} {}", case.flow, case.operation, case.fault);
    let config = config(world, case.flow, &name);
    let state = world.dir.path().join(&name);
    let proxy = FaultProxy::start(world.moto.port, case.operation, case.fault);

    let (first, first_time) = apply(world, &proxy.endpoint(), &state, &config);
    assert!(
        first_time < RUN_BOUND,
        "{label}: the first run took {first_time:?}"
    );
    let expected = if case.fault == "echo" { 1 } else { 0 };
    assert_eq!(
        first.status.code(),
        Some(expected),
        "{label}: first run\nstdout:\n{}\nstderr:\n{}",
        stdout(&first),
        stderr(&first)
    );
    assert!(
        !stderr(&first).contains("panicked"),
        "{label}: {}",
        stderr(&first)
    );
    if case.fault == "echo" && case.flow == Flow::Oidc && case.operation == "CreateIdentityProvider"
    {
        // AWS's error quoted the provider details, secret included: it is shown masked.
        assert!(
            stderr(&first).contains("client_secret': '(hidden)'"),
            "{label}: the quoted request is not shown masked:\n{}",
            stderr(&first)
        );
    }

    let (second, second_time) = apply(world, &proxy.endpoint(), &state, &config);
    assert!(
        second_time < RUN_BOUND,
        "{label}: the second run took {second_time:?}"
    );
    assert_eq!(
        second.status.code(),
        Some(0),
        "{label}: second run\nstdout:\n{}\nstderr:\n{}",
        stdout(&second),
        stderr(&second)
    );
    let (third, _) = apply(world, &proxy.endpoint(), &state, &config);
    assert_eq!(third.status.code(), Some(0), "{label}: {}", stderr(&third));
    assert!(
        stdout(&third).contains("0 writes"),
        "{label}: not converged:\n{}",
        stdout(&third)
    );

    // Exactly one of everything, as the console would show it.
    let sdk = world.moto.sdk(REGION);
    let pools: Vec<String> = block_on(sdk.list_user_pools())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|p| p.name == format!("{name}-users"))
        .map(|p| p.id)
        .collect();
    assert_eq!(pools.len(), 1, "{label}: pools {pools:?}");
    let pool = &pools[0];
    let clients = block_on(sdk.list_user_pool_clients(pool)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(clients.len(), 1, "{label}: clients {clients:?}");
    let providers = block_on(sdk.list_identity_providers(pool)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(providers.len(), 1, "{label}: providers {providers:?}");
    let domain = block_on(sdk.describe_domain(&name)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        domain.map(|d| d.user_pool_id).as_deref(),
        Some(pool.as_str()),
        "{label}"
    );
    if case.flow == Flow::Saml {
        assert!(
            block_on(sdk.has_managed_login_branding(pool, &clients[0].id))
                .unwrap_or_else(|e| panic!("{e}")),
            "{label}: no branding"
        );
    }

    for (what, out) in [("the first run", &first), ("the second run", &second)] {
        no_secret_in(&format!("{label}: stdout of {what}"), &stdout(out));
        no_secret_in(&format!("{label}: stderr of {what}"), &stderr(out));
    }
    for file in files_below(&state) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        no_secret_in(
            &format!("{label}: {}", file.display()),
            &String::from_utf8_lossy(&bytes),
        );
    }
    Outcome {
        first,
        first_time,
        second_time,
    }
}

fn world() -> World {
    let dir = tempdir();
    let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
    let metadata = dir.path().join("entra-metadata.xml");
    write(&metadata, metadata_xml(&[cert]));
    let mut routes = HashMap::new();
    routes.insert(
        format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        Response::ok(
            "application/json",
            discovery_json("https://localhost:{port}", TENANT),
        )
        .templated(),
    );
    World {
        moto: Moto::start(),
        entra: HttpsServer::start(routes),
        dir,
        metadata,
    }
}

fn matrix(flow: Flow) {
    let world = world();
    let cases: Vec<Case> = flow
        .writes()
        .iter()
        .flat_map(|op| {
            FAULTS.iter().map(move |fault| Case {
                flow,
                operation: op,
                fault,
            })
        })
        .collect();
    let table = Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    // A few cases at a time: the stalled ones spend their time waiting.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let outcome = run_case(&world, case, i);
                    if let Ok(mut t) = table.lock() {
                        t.push((
                            i,
                            format!(
                                "| {:?} | {} | {} | exit {} in {:.2} s | converged in {:.2} s |",
                                case.flow,
                                case.operation,
                                case.fault,
                                outcome.first.status.code().unwrap_or(-1),
                                outcome.first_time.as_secs_f64(),
                                outcome.second_time.as_secs_f64()
                            ),
                        ));
                    }
                }
            });
        }
    });
    let mut rows = table.into_inner().unwrap_or_default();
    rows.sort();
    assert_eq!(rows.len(), cases.len(), "every case ran");
    for (_, row) in rows {
        eprintln!("{row}");
    }
}

#[test]
fn every_write_of_a_saml_apply_survives_every_fault() {
    matrix(Flow::Saml);
}

#[test]
fn every_write_of_an_oidc_apply_survives_every_fault() {
    matrix(Flow::Oidc);
}
