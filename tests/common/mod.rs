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
    panic!(
        "`{tool}` is not installed but this test needs it ({why}). Run scripts/test, which installs it."
    );
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
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
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
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A private X server (Xvfb) for clipboard tests, killed on drop.
pub struct XServer {
    child: std::process::Child,
    pub display: String,
}

impl XServer {
    pub fn start() -> XServer {
        use std::io::{BufRead, BufReader};
        let xvfb = require_tool("Xvfb", "the clipboard is read back from a real X server");
        require_tool("xclip", "the clipboard is read back with xclip");
        let mut child = match std::process::Command::new(xvfb)
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!("cannot start Xvfb: {e}"),
        };
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let number = line.trim();
        assert!(!number.is_empty(), "Xvfb did not report its display number");
        XServer {
            child,
            display: format!(":{number}"),
        }
    }

    /// What `xclip -o -selection clipboard` reads on this display.
    pub fn clipboard(&self) -> Option<String> {
        let out = std::process::Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.display)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for XServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tmux server on a private socket, killed on drop.
pub struct Tmux {
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    pub fn start(width: u16, height: u16) -> Tmux {
        require_tool("tmux", "the terminal tests drive a real terminal");
        let dir = tempdir();
        let socket = dir.path().join("sock");
        let t = Tmux { socket, _dir: dir };
        let out = t.cmd(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "/bin/sh",
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            stderr(&out)
        );
        t
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        let mut c = Command::new("tmux");
        c.arg("-S")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args);
        run(&mut c)
    }

    /// Types text literally, then Enter.
    pub fn type_line(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "0", "-l", text]);
        self.cmd(&["send-keys", "-t", "0", "Enter"]);
    }

    pub fn screen(&self) -> String {
        stdout(&self.cmd(&["capture-pane", "-p", "-J", "-t", "0"]))
    }

    /// Waits for `text`, then for the frame to settle: a capture can land between the
    /// writes of one frame (title drawn, body not yet), most often on a loaded machine.
    pub fn wait_for_text(&self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = loop {
            let s = self.screen();
            if s.contains(text) {
                break s;
            }
            if Instant::now() > deadline {
                // The screen as it stood says why (a message, another step) far better than
                // the timeout alone.
                panic!("timed out after {timeout:?} waiting for {text:?} on the tmux screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let settle_until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < settle_until {
            std::thread::sleep(Duration::from_millis(60));
            let now = self.screen();
            if now == last {
                break;
            }
            if !now.contains(text) {
                // The screen moved on (a spinner, the next step): keep the frame we saw.
                break;
            }
            last = now;
        }
        last
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// Quotes a string for /bin/sh.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub mod entra;
pub mod graph;
pub mod graph_world;
pub mod https;
pub mod moto;
pub mod proxy;
pub mod saml;
pub mod xmlsign;

/// Runs `c` with the test failpoint that stops the process right after its Nth AWS write,
/// waits for it to stop there, and kills it (SIGKILL: nothing saved after that write).
pub fn kill_after_write(c: &mut Command, write_number: usize) {
    use std::io::{BufRead, BufReader};
    let mut child = c
        .env(
            "COGNITO_ENTRA_TEST_PAUSE_AFTER_WRITES",
            write_number.to_string(),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let pipe = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let marker = format!("paused after write {write_number}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the run never paused at write {write_number}"));
        if line.contains(&marker) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the run never paused at write {write_number}"
        );
    }
    let _ = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
