//! What stands where the tool reads or writes is not always what it expects: a symbolic link
//! where the `-v` log or a setup's certificate folder goes, a FIFO where a state file is or
//! given as the setup file, a state file whose version no cognito-entra wrote. Each is refused
//! by name with the fix, and none makes the tool wait for ever.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::entra::*;
use common::moto::Moto;
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

/// A private state folder (mode 0700, as the tool makes it).
fn state_dir(dir: &Path) -> std::path::PathBuf {
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700))
        .unwrap_or_else(|e| panic!("{e}"));
    state
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `c` and waits at most `deadline` (generous: the point is that it ends at all); None
/// if it was still running then (it is killed).
fn run_within(c: &mut Command, deadline: Duration) -> Option<Output> {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    while started.elapsed() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return child.wait_with_output().ok();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn a_symlinked_v_log_is_refused_by_name_and_its_target_left_alone() {
    let dir = tempdir();
    let state = state_dir(dir.path());
    let victim = dir.path().join("victim.txt");
    write(&victim, "precious");
    let log = state.join("cognito-entra.log");
    std::os::unix::fs::symlink(&victim, &log).unwrap_or_else(|e| panic!("{e}"));
    let out = run(cmd(&state).args(["-v", "setups"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&log.display().to_string()) && err.contains("symbolic link"),
        "{err}"
    );
    assert!(err.contains("fix: remove the link"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "precious"
    );
}

#[test]
fn a_symlinked_setup_folder_is_refused_by_name_and_nothing_written_through_it() {
    let moto = Moto::start();
    let dir = tempdir();
    let state = state_dir(dir.path());
    let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
    let metadata = dir.path().join("entra-metadata.xml");
    write(&metadata, metadata_xml(&[cert]));
    let config = dir.path().join("linked.toml");
    write(
        &config,
        format!(
            "name = \"linked\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"linked-users\"\n[domain]\nprefix = \"linked\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/callback\"]\n[provider]\nname = \"EntraID\"\n[saml]\nsign_requests = true\nmetadata_file = \"{}\"\n",
            metadata.display()
        ),
    );
    // The setup's folder (where its certificates go without --out) is a link elsewhere.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap_or_else(|e| panic!("{e}"));
    let folder = state.join("linked");
    std::os::unix::fs::symlink(&elsewhere, &folder).unwrap_or_else(|e| panic!("{e}"));
    let out = run(moto
        .cmd(&state)
        .args(["apply", "--yes", "--config"])
        .arg(&config));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&folder.display().to_string()) && err.contains("symbolic link"),
        "{err}"
    );
    assert!(err.contains("fix: remove the link"), "{err}");
    assert!(
        files_below(&elsewhere).is_empty(),
        "written through the link: {:?}",
        files_below(&elsewhere)
    );
}

#[test]
fn a_fifo_at_a_state_path_is_reported_not_waited_on() {
    let dir = tempdir();
    let state = state_dir(dir.path());
    let fifo = state.join("piped.toml");
    mkfifo(&fifo);
    for args in [
        &["status", "--setup", "piped"][..],
        &["status"][..],
        &["setups"][..],
    ] {
        let out = run_within(cmd(&state).args(args), Duration::from_secs(30))
            .unwrap_or_else(|| panic!("{args:?} waited on the FIFO"));
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            text.contains("piped") && !text.contains("panicked"),
            "{args:?}: {text}"
        );
        if args.len() == 3 {
            assert_eq!(out.status.code(), Some(1), "{text}");
            assert!(
                text.contains(&fifo.display().to_string())
                    && text.contains("not a regular file")
                    && text.contains("fix: move it away"),
                "{text}"
            );
        }
    }
}

#[test]
fn a_fifo_given_as_the_setup_file_times_out_naming_it() {
    let dir = tempdir();
    let fifo = dir.path().join("setup.toml");
    mkfifo(&fifo);
    let out = run_within(
        cmd(&dir.path().join("state"))
            .args(["values", "--config"])
            .arg(&fifo),
        Duration::from_secs(60),
    )
    .unwrap_or_else(|| panic!("--config FIFO waited for ever"));
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&fifo.display().to_string())
            && err.contains("not a regular file")
            && err.contains("fix:"),
        "{err}"
    );
}

#[test]
fn schema_version_0_is_refused_with_the_fix() {
    let dir = tempdir();
    let state = state_dir(dir.path());
    let now = "2026-11-30T10:00:00Z";
    let path = state.join("zero.toml");
    let text = format!(
        "schema_version = 0\ncreated = \"{now}\"\nupdated = \"{now}\"\n[answers]\nname = \"zero\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n"
    );
    write(&path, &text);
    let out = run(cmd(&state).args(["status", "--setup", "zero"]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&path.display().to_string())
            && err.contains("schema_version = 0")
            && err.contains("set schema_version = 1"),
        "{err}"
    );
    // Refused, not rewritten.
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), text);
}
