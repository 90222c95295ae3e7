//! Shared test harness: the real binary, throw-away folders, and required tools that fail
//! loudly when missing (a test never skips silently).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cognito-entra")
}

/// A command for the real binary with its own empty state folder and no ambient AWS or
/// clipboard settings.
pub fn cmd(state_dir: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env("COGNITO_ENTRA_STATE_DIR", state_dir)
        .env_remove("COGNITO_ENTRA_AUTHORITY")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("NO_COLOR", "1");
    c
}

pub fn run(c: &mut Command) -> Output {
    match c.output() {
        Ok(o) => o,
        Err(e) => panic!("could not run {}: {e}", bin()),
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temporary folder: {e}"),
    }
}

/// Fails the test with a clear message when a tool it needs is not installed.
pub fn require_tool(tool: &str, why: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(tool);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("`{tool}` is not installed but this test needs it ({why}). Run scripts/test, which installs it.");
}

/// Polls `check` until it returns Some or the deadline passes.
pub fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every file below a folder (recursively), for "nothing was written" checks.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_below(&p));
        } else {
            out.push(p);
        }
    }
    out
}

pub fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Err(e) = std::fs::write(path, content) {
        panic!("cannot write {}: {e}", path.display());
    }
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}
