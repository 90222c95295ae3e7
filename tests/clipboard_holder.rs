//! The clipboard holder (the detached helper that owns an X selection after `values --copy`
//! ends) keeps none of its caller's file descriptors: a pipeline around the command ends when
//! the command does, while the holder goes on serving the clipboard.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const REPLY_URL: &str =
    "https://example-corp-prd.auth.us-east-1.amazoncognito.com/saml2/idpresponse";

/// Runs `script` in sh on `display` and waits at most `deadline` for the whole pipeline to
/// end (its stdout reaching end of file); returns what it printed, or None if it did not end.
fn pipeline(
    script: &str,
    display: &str,
    state: &std::path::Path,
    deadline: Duration,
) -> Option<String> {
    let mut child = Command::new("sh")
        .args(["-c", script])
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("COGNITO_ENTRA_STATE_DIR", state)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("sh: {e}"));
    let Some(mut stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    };
    // Read in a thread: end of file comes only when every writer — the holder too, if it
    // kept a copy — has closed the pipe.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    let started = Instant::now();
    let got = rx.recv_timeout(deadline).ok();
    if got.is_none() {
        let _ = child.kill();
    }
    let _ = child.wait();
    eprintln!("pipeline ended after {:?}", started.elapsed());
    got
}

#[test]
fn a_pipeline_around_values_copy_ends_while_the_holder_keeps_serving() {
    let x = XServer::start();
    let dir = tempdir();
    let config = sh_quote(&fixture("setups/sample.toml").display().to_string());
    // As a caller's own descriptors reach a command (make's jobserver, a parent's log, a
    // shell's redirections): the pipeline's write end is on descriptor 3 as well as on 1.
    for (what, script) in [
        (
            "a plain pipeline",
            format!(
                "{} values --copy reply_url --clipboard system --config {config} | cat",
                sh_quote(bin())
            ),
        ),
        (
            "a pipeline also on descriptor 3",
            format!(
                "{} values --copy reply_url --clipboard system --config {config} 3>&1 | cat",
                sh_quote(bin())
            ),
        ),
    ] {
        // Generous: the command itself takes well under a second; a holder that kept the
        // pipe would hold it until the X server goes.
        let printed = pipeline(&script, &x.display, dir.path(), Duration::from_secs(20))
            .unwrap_or_else(|| panic!("{what}: did not end while the clipboard holder lived"));
        assert!(printed.contains(REPLY_URL), "{what}: {printed}");
        // The holder still serves the value after the pipeline is over.
        wait_for(
            "the Reply URL on the X clipboard",
            Duration::from_secs(10),
            || x.clipboard().filter(|v| v == REPLY_URL),
        );
    }
}
