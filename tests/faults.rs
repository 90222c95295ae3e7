//! Trust under faults, item by item: adopted settings kept, secrets kept out of messages and
//! children, time limits, bounded input, closed pipes, empty settings, symlinks, and messages
//! that say what really happened. (The write × fault matrix is tests/fault_matrix.rs.)

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider as cip;
use cognito_entra_cognito::api::CognitoApi;
use common::entra::*;
use common::moto::{Moto, block_on};
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

fn metadata_file(dir: &Path) -> PathBuf {
    let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
    let path = dir.join("entra-metadata.xml");
    write(&path, metadata_xml(&[cert]));
    path
}

fn saml_setup(dir: &Path, name: &str, pool: &str, client: &str) -> PathBuf {
    let metadata = metadata_file(dir);
    let path = dir.join(format!("{name}.toml"));
    write(
        &path,
        format!(
            r#"
name = "{name}"
protocol = "saml"
region = "{REGION}"
[user_pool]
{pool}
[domain]
prefix = "{name}-login"
[app_client]
{client}
callback_urls = ["https://app.example.com/callback", "https://app.example.com/added"]
scopes = ["openid", "email"]
[provider]
name = "EntraID"
[saml]
metadata_file = "{}"
# Signed requests: Entra then needs Cognito's signing certificate, which apply writes.
sign_requests = true
"#,
            metadata.display()
        ),
    );
    path
}

/// A setup that creates its pool (`<name>-users`), domain and client `web`.
fn new_saml_setup(dir: &Path, name: &str) -> PathBuf {
    saml_setup(
        dir,
        name,
        &format!("name = \"{name}-users\""),
        "name = \"web\"",
    )
}

/// `apply --yes` of `config` against the emulator, certificates to `out_dir`.
fn apply_cmd(moto: &Moto, state: &Path, config: &Path, out_dir: &Path) -> std::process::Command {
    let mut c = moto.cmd(state);
    c.args(["apply", "--yes", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out_dir);
    c
}

fn raw_sdk(moto: &Moto) -> cip::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = cip::Config::builder()
        .http_client(http)
        .behavior_version(cip::config::BehaviorVersion::latest())
        .region(cip::config::Region::new(REGION))
        .endpoint_url(moto.endpoint())
        .credentials_provider(cip::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    cip::Client::from_conf(config)
}

fn no_panic(out: &std::process::Output) {
    assert_ne!(out.status.code(), Some(101), "{}", stderr(out));
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
}

/// Item 1: An adopted client keeps what the plan does not show: UpdateUserPoolClient resets every
/// field it is not given, so analytics and refresh-token rotation must be sent back.
#[test]
fn adopting_a_client_keeps_every_setting_the_plan_does_not_show() {
    let moto = Moto::start();
    let dir = tempdir();
    let sdk = raw_sdk(&moto);
    let (pool, client) = block_on(async {
        let pool = sdk
            .create_user_pool()
            .pool_name("prod-users")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let pool = pool
            .user_pool()
            .and_then(|p| p.id())
            .unwrap_or_default()
            .to_string();
        let client = sdk
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("prod-web")
            .callback_urls("https://app.example.com/callback")
            .analytics_configuration(
                cip::types::AnalyticsConfigurationType::builder()
                    .application_arn("arn:aws:mobiletargeting:eu-west-1:111122223333:apps/abc")
                    .role_arn("arn:aws:iam::111122223333:role/pinpoint")
                    .user_data_shared(true)
                    .build(),
            )
            .refresh_token_rotation(
                cip::types::RefreshTokenRotationType::builder()
                    .feature(cip::types::FeatureType::Enabled)
                    .retry_grace_period_seconds(10)
                    .build()
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let client = client
            .user_pool_client()
            .and_then(|c| c.client_id())
            .unwrap_or_default()
            .to_string();
        (pool, client)
    });
    let config = saml_setup(
        dir.path(),
        "adopt",
        &format!("id = \"{pool}\""),
        &format!("id = \"{client}\""),
    );
    let out = run(&mut apply_cmd(
        &moto,
        &dir.path().join("state"),
        &config,
        &dir.path().join("out"),
    ));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("update app client"),
        "{}",
        stdout(&out)
    );
    let described = block_on(
        sdk.describe_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&client)
            .send(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let c = described
        .user_pool_client()
        .unwrap_or_else(|| panic!("no client"));
    assert!(
        c.callback_urls()
            .iter()
            .any(|u| u == "https://app.example.com/added"),
        "the asked-for change is made: {c:?}"
    );
    let analytics = c
        .analytics_configuration()
        .unwrap_or_else(|| panic!("AnalyticsConfiguration was wiped: {c:?}"));
    assert_eq!(
        analytics.application_arn(),
        Some("arn:aws:mobiletargeting:eu-west-1:111122223333:apps/abc")
    );
    let rotation = c
        .refresh_token_rotation()
        .unwrap_or_else(|| panic!("RefreshTokenRotation was wiped: {c:?}"));
    assert_eq!(rotation.retry_grace_period_seconds(), Some(10));
}

/// Item 2: The detached clipboard helper keeps only what a clipboard needs: no AWS key, no client
/// secret in its /proc/PID/environ while it serves the selection.
#[test]
fn the_clipboard_helper_inherits_no_secret() {
    const SECRET: &str = "Clip~board.Secret_value-77";
    const AWS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let x = XServer::start();
    let dir = tempdir();
    let out = run(cmd(dir.path())
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("COGNITO_ENTRA_CLIENT_SECRET", SECRET)
        .env("AWS_SECRET_ACCESS_KEY", AWS_KEY)
        .args([
            "values",
            "--copy",
            "reply_url",
            "--clipboard",
            "system",
            "--config",
        ])
        .arg(fixture("setups/sample.toml")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let helpers: Vec<u32> = wait_for("the clipboard helper", Duration::from_secs(10), || {
        let found: Vec<u32> = std::fs::read_dir("/proc")
            .ok()?
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                String::from_utf8_lossy(&cmdline).contains("__serve-clipboard")
                    && String::from_utf8_lossy(&environ).contains(&format!("DISPLAY={}", x.display))
            })
            .collect();
        (!found.is_empty()).then_some(found)
    });
    for pid in &helpers {
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let environ = String::from_utf8_lossy(&environ);
        assert!(
            !environ.contains(SECRET),
            "the helper holds the client secret"
        );
        assert!(
            !environ.contains(AWS_KEY),
            "the helper holds the AWS secret key"
        );
        assert!(
            !environ.contains("AWS_"),
            "the helper holds AWS settings: {environ}"
        );
    }
    // When the X server goes, so does the helper (it waited for ever before).
    drop(x);
    wait_for(
        "the clipboard helper to end with its X server",
        Duration::from_secs(15),
        || {
            helpers
                .iter()
                .all(|pid| {
                    std::fs::read_to_string(format!("/proc/{pid}/stat"))
                        .map_or(true, |s| s.contains(") Z "))
                })
                .then_some(())
        },
    );
}

/// Item 5: A credential_process that hangs is stopped at the limit, named as the cause, and killed.
#[test]
fn a_hanging_credential_process_is_stopped_and_named() {
    let dir = tempdir();
    let marker = format!("cognito-entra-test-hang-{}", std::process::id());
    let aws_config = dir.path().join("aws-config");
    write(
        &aws_config,
        format!(
            "[profile stuck]\nregion = {REGION}\ncredential_process = sh -c 'sleep 300; echo {marker}'\n"
        ),
    );
    let config = new_saml_setup(dir.path(), "creds");
    let started = Instant::now();
    let out = run(cmd(&dir.path().join("state"))
        .env("AWS_CONFIG_FILE", &aws_config)
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("COGNITO_ENTRA_AWS_TIMEOUT", "2")
        .args(["--profile", "stuck", "plan", "--config"])
        .arg(&config));
    let took = started.elapsed();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let err = stderr(&out);
    assert!(err.contains("credential_process"), "{err}");
    assert!(err.contains("did not answer within"), "{err}");
    // The helper is gone, not left running.
    std::thread::sleep(Duration::from_millis(300));
    let left = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read(e.path().join("cmdline"))
                        .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&marker))
                })
                .count()
        })
        .unwrap_or(0);
    assert_eq!(left, 0, "the credential_process child was left running");
}

/// Item 6: Endless inputs are cut at a cap: /dev/zero, a pipe that never ends, a huge file.
#[test]
fn endless_and_huge_inputs_stop_at_a_cap() {
    let dir = tempdir();
    let state = dir.path().join("state");
    let timed = |c: &mut std::process::Command| {
        let started = Instant::now();
        let out = run(c);
        (out, started.elapsed())
    };
    let (out, took) = timed(cmd(&state).args(["check-metadata", "/dev/zero"]));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("more than 2 MiB"), "{said}");
    assert!(took < Duration::from_secs(10), "{took:?}");

    let (out, _) = timed(cmd(&state).args(["plan", "--config", "/dev/zero"]));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("more than 1 MiB"), "{}", stderr(&out));

    // A pipe that never ends, on stdin.
    let mut child = cmd(&state)
        .args(["decode-saml", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let chunk = vec![b'A'; 64 * 1024];
        while stdin.write_all(&chunk).is_ok() {}
    });
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let _ = feeder.join();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("holds more than"), "{err}");

    // export does not copy a 600 MB metadata_file into the template.
    let huge = dir.path().join("huge.xml");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(600 * 1024 * 1024))
        .unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("export.toml");
    write(
        &config,
        format!(
            "name = \"x\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"p\"\n[domain]\nprefix = \"x-login\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/\"]\n[saml]\nmetadata_file = \"{}\"\n",
            huge.display()
        ),
    );
    let (out, took) = timed(
        cmd(&state)
            .args(["export", "--format", "cloudformation", "--config"])
            .arg(&config),
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).len() < 4096, "the template holds the file");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

/// Runs with stdout closed before the command writes: a reader that went away.
fn with_closed_stdout(c: &mut std::process::Command) -> std::process::Output {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    drop(child.stdout.take());
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

/// Item 7: A closed stdout is not a crash, in any command, and mid-apply the work still finishes
/// and is recorded.
#[test]
fn a_closed_stdout_ends_quietly_and_the_work_is_still_recorded() {
    let moto = Moto::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    let config = new_saml_setup(dir.path(), "pipe");
    let out = with_closed_stdout(&mut apply_cmd(
        &moto,
        &state,
        &config,
        &dir.path().join("out"),
    ));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved = std::fs::read_to_string(state.join("pipe.toml")).unwrap_or_default();
    assert!(saved.contains("create user_pool"), "not recorded:\n{saved}");
    assert!(
        saved.contains("create app_client"),
        "not recorded:\n{saved}"
    );
    // A full disk: the work is done, and the failure to write is exit 1 with the reason.
    let full = std::fs::File::create("/dev/full").unwrap_or_else(|e| panic!("{e}"));
    let out = run(moto
        .cmd(&state)
        .args(["status", "--setup", "pipe"])
        .stdout(full));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("No space left"), "{}", stderr(&out));
    for args in [
        vec!["status", "--setup", "pipe"],
        vec!["setups"],
        vec!["values", "--setup", "pipe"],
        vec!["check-metadata"],
    ] {
        let mut c = moto.cmd(&state);
        c.args(&args);
        if args[0] == "check-metadata" {
            c.arg(metadata_file(dir.path()));
        }
        let out = with_closed_stdout(&mut c);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

/// Item 7: An empty AWS_ENDPOINT_URL (a cleared variable) is unset; an empty --endpoint-url is a
/// usage error. Neither panics.
#[test]
fn empty_endpoint_settings_are_unset_or_refused_never_a_panic() {
    let dir = tempdir();
    let config = new_saml_setup(dir.path(), "empty");
    let out = run(cmd(&dir.path().join("state"))
        .env("AWS_ENDPOINT_URL", "")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("COGNITO_ENTRA_AWS_TIMEOUT", "2")
        // No network here: the real endpoint cannot be reached, and that is the message.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .args(["plan", "--config"])
        .arg(&config));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run(cmd(&dir.path().join("state"))
        .args(["--endpoint-url", "", "plan", "--config"])
        .arg(&config));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--endpoint-url"), "{}", stderr(&out));
    let out = run(cmd(&dir.path().join("state"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args(["--endpoint-url", "not a url", "plan", "--config"])
        .arg(&config));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--endpoint-url"), "{}", stderr(&out));
}

/// Item 8: Links are never followed: not for the lock, not for a certificate; a state folder
/// others can write to is refused.
#[test]
fn symlinks_are_refused_and_an_open_state_folder_is_too() {
    use std::os::unix::fs::PermissionsExt;
    let moto = Moto::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700))
        .unwrap_or_else(|e| panic!("{e}"));
    let victim = dir.path().join("victim.txt");
    write(&victim, "precious");
    std::os::unix::fs::symlink(&victim, state.join("links.lock")).unwrap_or_else(|e| panic!("{e}"));
    let config = new_saml_setup(dir.path(), "links");
    let apply = |state: &Path, out_dir: &Path| run(&mut apply_cmd(&moto, state, &config, out_dir));
    let out = apply(&state, &dir.path().join("out"));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert!(stderr(&out).contains("links.lock"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "precious"
    );

    // A certificate file that is a link is refused, and its target left alone.
    std::fs::remove_file(state.join("links.lock")).unwrap_or_else(|e| panic!("{e}"));
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&victim, out_dir.join("links-signing.cer"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = apply(&state, &out_dir);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "precious"
    );

    // A state file that is a link is refused too, and its target left alone.
    std::fs::remove_file(out_dir.join("links-signing.cer")).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(state.join("links.toml"));
    std::os::unix::fs::symlink(&victim, state.join("links.toml")).unwrap_or_else(|e| panic!("{e}"));
    let out = apply(&state, &out_dir);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("links.toml"), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "precious"
    );

    // A state folder anyone may write to.
    let open = dir.path().join("open-state");
    std::fs::create_dir_all(&open).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = apply(&open, &out_dir);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("chmod 700 {}", open.display())),
        "{}",
        stderr(&out)
    );
}

/// Item 9: A recorded pool that is gone is named in the plan, not silently planned as new.
#[test]
fn a_recorded_pool_that_is_gone_is_named_in_the_plan() {
    let moto = Moto::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    let config = new_saml_setup(dir.path(), "gone");
    let out = run(&mut apply_cmd(
        &moto,
        &state,
        &config,
        &dir.path().join("out"),
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved: toml::Table = std::fs::read_to_string(state.join("gone.toml"))
        .unwrap_or_default()
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let pool = saved["aws"]["user_pool_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Deleted in the console: the domain first, as AWS requires, then the pool.
    block_on(async {
        let sdk = raw_sdk(&moto);
        sdk.delete_user_pool_domain()
            .user_pool_id(&pool)
            .domain("gone-login")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        sdk.delete_user_pool()
            .user_pool_id(&pool)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    });
    let out = run(moto.cmd(&state).args(["plan", "--config"]).arg(&config));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains(&pool), "the gone pool is not named:\n{text}");
    assert!(text.contains("no longer exists"), "{text}");
}

/// Item 9: Messages that say what is true: the profile in use, the real elapsed time, a long
/// value clipped, a version that is text, no SDK debug dump, unknown state keys by name.
#[test]
fn messages_name_the_real_cause() {
    let dir = tempdir();
    let state = dir.path().join("state");
    let config = new_saml_setup(dir.path(), "msg");

    // AWS_PROFILE=nope is named as nope.
    let out = run(cmd(&state)
        .env("AWS_PROFILE", "nope")
        .env("AWS_CONFIG_FILE", dir.path().join("no-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("no-credentials"),
        )
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("COGNITO_ENTRA_AWS_TIMEOUT", "3")
        .args(["plan", "--config"])
        .arg(&config));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("profile default"),
        "{}",
        stderr(&out)
    );

    // A refused connection: a message, not an SDK dump.
    let out = run(cmd(&state)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(["plan", "--config"])
        .arg(&config));
    no_panic(&out);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for dump in [
        "DispatchFailure {",
        "ConnectorError {",
        "source: Some(",
        "kind: Io",
    ] {
        assert!(!err.contains(dump), "an SDK debug dump ({dump}):\n{err}");
    }
    assert!(
        err.contains("127.0.0.1:9"),
        "what did not answer is not named:\n{err}"
    );

    // A 1 MB pool name is not echoed whole.
    let long = dir.path().join("long.toml");
    write(
        &long,
        format!(
            "name = \"long\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"{}\"\n",
            "p".repeat(1_000_000)
        ),
    );
    let out = run(cmd(&state).args(["plan", "--config"]).arg(&long));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).len() < 4000,
        "{} bytes of message",
        stderr(&out).len()
    );
    assert!(stderr(&out).contains("user_pool.name"), "{}", stderr(&out));

    // A state file whose version is the text "1", and one with a key this version lacks.
    std::fs::create_dir_all(&state).unwrap_or_else(|e| panic!("{e}"));
    let now = "2026-11-30T10:00:00Z";
    let body = format!(
        "created = \"{now}\"\nupdated = \"{now}\"\n[answers]\nname = \"v\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n"
    );
    write(
        &state.join("v.toml"),
        format!("schema_version = \"1\"\n{body}"),
    );
    let out = run(cmd(&state).args(["status", "--setup", "v"]));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("schema_version = 1"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("missing"), "{}", stderr(&out));

    write(
        &state.join("v.toml"),
        format!("schema_version = 1\nfrom_the_future = true\n{body}"),
    );
    let out = run(cmd(&state).args(["status", "--setup", "v"]));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("from_the_future"), "{}", stderr(&out));
}

/// Item 9: A TLS handshake that never completes is named for what it is, with the real time.
#[test]
fn a_stalled_tls_handshake_is_named_with_the_real_time() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    // Accepts, then never says a word.
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(4) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let dir = tempdir();
    let started = Instant::now();
    let out = run(cmd(dir.path())
        .env("COGNITO_ENTRA_HTTP_TIMEOUT", "3")
        .args(["check-metadata"])
        .arg(format!(
            "https://127.0.0.1:{port}/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={APP}"
        )));
    let took = started.elapsed();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("TLS handshake"), "{text}");
    let said: f64 = text
        .split("within ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no time in: {text}"));
    assert!(
        (said - took.as_secs_f64()).abs() < 1.5,
        "said {said} s, took {took:?}: {text}"
    );
    drop(holder);
}

/// Item 9: Ctrl-C at apply's [y/N] question is an interruption (130), and nothing is written.
#[test]
fn ctrl_c_at_the_apply_question_exits_130() {
    let moto = Moto::start();
    let dir = tempdir();
    let config = new_saml_setup(dir.path(), "ctrlc");
    let tmux = Tmux::start(120, 40);
    tmux.type_line(&format!(
        "cd {} && AWS_ENDPOINT_URL={} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing COGNITO_ENTRA_STATE_DIR=state {} apply --config {}; echo \"EX\"\"IT-$?\"",
        sh_quote(&dir.path().display().to_string()),
        moto.endpoint(),
        sh_quote(bin()),
        sh_quote(&config.display().to_string())
    ));
    tmux.wait_for_text("[y/N]", Duration::from_secs(30));
    tmux.cmd(&["send-keys", "-t", "0", "C-c"]);
    let screen = tmux.wait_for_text("EXIT-", Duration::from_secs(10));
    assert!(screen.contains("EXIT-130"), "{screen}");
    let pools = block_on(moto.sdk(REGION).list_user_pools()).unwrap_or_else(|e| panic!("{e}"));
    assert!(pools.is_empty(), "{pools:?}");
}

/// Converged means no write anywhere: a second apply that changes nothing leaves the state
/// file (its timestamp included) and the certificate file as they were.
#[test]
fn a_converged_apply_writes_nothing_anywhere() {
    let moto = Moto::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    let out_dir = dir.path().join("out");
    let config = new_saml_setup(dir.path(), "still");
    let apply = || run(&mut apply_cmd(&moto, &state, &config, &out_dir));
    let out = apply();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state_file = state.join("still.toml");
    let cert_file = out_dir.join("still-signing.cer");
    let before = (
        std::fs::read(&state_file).unwrap_or_default(),
        std::fs::metadata(&state_file)
            .and_then(|m| m.modified())
            .ok(),
        std::fs::metadata(&cert_file)
            .and_then(|m| m.modified())
            .ok(),
    );
    assert!(before.2.is_some(), "no certificate written");
    std::thread::sleep(Duration::from_millis(1100));
    let out = apply();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 writes"), "{}", stdout(&out));
    let after = (
        std::fs::read(&state_file).unwrap_or_default(),
        std::fs::metadata(&state_file)
            .and_then(|m| m.modified())
            .ok(),
        std::fs::metadata(&cert_file)
            .and_then(|m| m.modified())
            .ok(),
    );
    assert_eq!(before.0, after.0, "the state file changed");
    assert_eq!(before.1, after.1, "the state file was rewritten");
    assert_eq!(before.2, after.2, "the certificate was rewritten");
}
