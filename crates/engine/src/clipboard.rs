//! Putting a value on the admin's clipboard: the system clipboard (arboard, X11), or the
//! terminal's through OSC 52 when there is no display (SSH), or nothing when turned off.
//! The caller always prints the value too, so a mouse selection works whatever happens here.
//!
//! On X11 a selection lives only as long as the process that owns it. A short-lived command
//! hands the value to a detached copy of this binary (`serve_clipboard`), which owns the
//! selection until something else is copied.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use base64::Engine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The system clipboard when a display is there, else OSC 52.
    #[default]
    Auto,
    System,
    Osc52,
    Off,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Mode::Auto),
            "system" => Ok(Mode::System),
            "osc52" => Ok(Mode::Osc52),
            "off" => Ok(Mode::Off),
            other => Err(format!(
                "{other:?} is not a clipboard mode; use auto, system, osc52 or off"
            )),
        }
    }
}

/// What happened to a copy, in the words the admin sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Copied,
    SentToTerminal,
    Off,
    Failed(String),
}

impl Outcome {
    /// A one-line notice for a status bar.
    pub fn short(&self, what: &str) -> String {
        match self {
            Outcome::Copied => format!("✓ {what} copied"),
            Outcome::SentToTerminal => format!("✓ {what} sent to your terminal"),
            Outcome::Off => "clipboard off: select the value on screen".to_string(),
            Outcome::Failed(_) => format!("! could not copy {what}: select it on screen"),
        }
    }

    pub fn message(&self, what: &str) -> String {
        match self {
            Outcome::Copied => format!("✓ {what} copied to the clipboard"),
            Outcome::SentToTerminal => {
                format!("✓ {what} sent to your terminal (OSC 52); paste it as usual")
            }
            Outcome::Off => "clipboard off (--clipboard off): select the value above".to_string(),
            Outcome::Failed(why) => {
                format!("! could not copy {what}: {why}; select the value above")
            }
        }
    }
}

/// The environment the choice depends on, read once so tests can give their own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub display: bool,
    pub ssh: bool,
}

impl Env {
    pub fn from_process() -> Env {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        Env {
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
        }
    }
}

/// Which way a copy goes, given the mode and the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    System { fall_back_to_osc52: bool },
    Osc52,
    Off,
}

pub fn route(mode: Mode, env: &Env) -> Route {
    match mode {
        Mode::Off => Route::Off,
        Mode::Osc52 => Route::Osc52,
        Mode::System => Route::System {
            fall_back_to_osc52: false,
        },
        Mode::Auto if env.display => Route::System {
            fall_back_to_osc52: true,
        },
        // Over SSH without a forwarded display, or on a console: the terminal is the clipboard.
        Mode::Auto => Route::Osc52,
    }
}

/// The OSC 52 sequence that asks the terminal to set its clipboard.
pub fn osc52_sequence(value: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

fn send_osc52(value: &str) -> Outcome {
    // The controlling terminal, not stdout: stdout may be a pipe or a file.
    match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        Ok(mut tty) => match tty
            .write_all(osc52_sequence(value).as_bytes())
            .and_then(|_| tty.flush())
        {
            Ok(()) => Outcome::SentToTerminal,
            Err(e) => Outcome::Failed(format!("writing to the terminal failed ({e})")),
        },
        Err(_) => Outcome::Failed("no display and no terminal to send it to".to_string()),
    }
}

/// A clipboard for a whole process. `persist_after_exit` hands X11 values to a helper so they
/// survive the process (for one-shot commands); a long-running wizard keeps its own.
pub struct Clipboard {
    route: Route,
    persist_after_exit: bool,
    system: Option<arboard::Clipboard>,
}

impl Clipboard {
    pub fn new(mode: Mode, persist_after_exit: bool) -> Clipboard {
        Clipboard::with_env(mode, persist_after_exit, &Env::from_process())
    }

    pub fn with_env(mode: Mode, persist_after_exit: bool, env: &Env) -> Clipboard {
        Clipboard {
            route: route(mode, env),
            persist_after_exit,
            system: None,
        }
    }

    pub fn copy(&mut self, value: &str) -> Outcome {
        match self.route {
            Route::Off => Outcome::Off,
            Route::Osc52 => send_osc52(value),
            Route::System { fall_back_to_osc52 } => match self.copy_system(value) {
                Ok(()) => Outcome::Copied,
                Err(why) if fall_back_to_osc52 => match send_osc52(value) {
                    Outcome::Failed(more) => Outcome::Failed(format!("{why}; {more}")),
                    sent => sent,
                },
                Err(why) => Outcome::Failed(why),
            },
        }
    }

    fn copy_system(&mut self, value: &str) -> Result<(), String> {
        if self.persist_after_exit && cfg!(target_os = "linux") {
            return hand_to_helper(value);
        }
        if self.system.is_none() {
            self.system =
                Some(arboard::Clipboard::new().map_err(|e| format!("no system clipboard ({e})"))?);
        }
        match self.system.as_mut() {
            Some(c) => c
                .set_text(value)
                .map_err(|e| format!("the system clipboard refused ({e})")),
            None => Err("no system clipboard".to_string()),
        }
    }
}

/// The hidden subcommand the helper runs as.
pub const HELPER_ARG: &str = "__serve-clipboard";
const READY: &str = "ready";

/// Starts a detached copy of this binary that owns the selection; the value goes on its stdin
/// (never argv, which other users can read). Returns once the helper owns the clipboard.
fn hand_to_helper(value: &str) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program ({e})"))?;
    let mut command = Command::new(exe);
    // The helper outlives this command: it gets only what a clipboard needs, never the
    // environment (AWS keys, the client secret) that would otherwise sit in its
    // /proc/PID/environ for as long as it serves the clipboard.
    crate::secrets::desktop_environment_only(&mut command);
    let mut child = command
        .arg(HELPER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the clipboard helper ({e})"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(value.as_bytes())
            .map_err(|e| format!("cannot hand the value to the clipboard helper ({e})"))?;
    }
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    if line.trim() == READY {
        Ok(())
    } else {
        let _ = child.kill();
        let _ = child.wait();
        Err("no system clipboard (the X display refused)".to_string())
    }
}

/// The helper's body: read the value from stdin, own the clipboard, say ready, and keep
/// serving until another program takes the selection.
pub fn serve_clipboard() -> i32 {
    // Before the X connection is made: whatever else is open was inherited from the caller.
    close_inherited_descriptors();
    let Ok(bytes) =
        crate::bounded::read_capped(std::io::stdin().lock(), crate::bounded::CLIPBOARD_VALUE)
    else {
        return 1;
    };
    let value = String::from_utf8_lossy(&bytes).into_owned();
    let Ok(mut clipboard) = arboard::Clipboard::new() else {
        return 1;
    };
    if clipboard.set_text(value.clone()).is_err() {
        return 1;
    }
    {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{READY}");
        let _ = out.flush();
    }
    // Our stdout is a private pipe to the caller, which stops reading after this line; the
    // caller's own stdout and stderr were never inherited, so nothing waits on us.
    exit_when_the_display_goes();
    #[cfg(target_os = "linux")]
    {
        use arboard::SetExtLinux;
        let _ = clipboard.set().wait().text(value);
    }
    0
}

/// Closes every descriptor above stdin, stdout and stderr. The helper outlives the command
/// that started it; a descriptor it inherited without close-on-exec (a pipeline's write end
/// on descriptor 3, make's jobserver, a parent's log) would keep that pipe open, and the
/// caller's pipeline waiting, for as long as the clipboard is served. Its stdin and stdout
/// are the private pipes to the command, its stderr /dev/null; the X connection is opened
/// after this.
fn close_inherited_descriptors() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: close_range(2) only closes descriptors; nothing in this process uses one
        // above 2 yet (the helper runs this first, before any thread or file is opened).
        let closed = unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) } == 0;
        if closed {
            return;
        }
    }
    // A kernel without close_range: each open descriptor, as /proc/self/fd (or /dev/fd) lists
    // them, listed first and closed after (the listing's own descriptor among them).
    let listed: Vec<i32> = ["/proc/self/fd", "/dev/fd"]
        .iter()
        .find_map(|dir| std::fs::read_dir(dir).ok())
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    for fd in listed.into_iter().filter(|fd| *fd > 2) {
        // SAFETY: closing a descriptor number; one already closed gives EBADF, ignored.
        unsafe {
            libc::close(fd);
        }
    }
}

/// The helper lives as long as the X server it serves: when the display goes (the session
/// ended, a test's Xvfb stopped), the selection's wait would never return, so a watchdog
/// ends the helper. A local display is watched through the server's process when its lock
/// file names it (a new server on the same number is another server), else through its
/// socket; any display gets at most a day.
fn exit_when_the_display_goes() {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(2);
    const AT_MOST: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    let number = std::env::var("DISPLAY").ok().and_then(|d| {
        let n = d.strip_prefix(':')?.split('.').next()?.to_string();
        n.chars().all(|c| c.is_ascii_digit()).then_some(n)
    });
    let lock = number.as_ref().map(|n| format!("/tmp/.X{n}-lock"));
    let socket = number.as_ref().map(|n| format!("/tmp/.X11-unix/X{n}"));
    let server =
        |lock: &str| -> Option<u32> { std::fs::read_to_string(lock).ok()?.trim().parse().ok() };
    let watched = lock.as_deref().and_then(server);
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(EVERY);
            let gone = match (&lock, watched, &socket) {
                (Some(lock), Some(pid), _) => {
                    server(lock) != Some(pid)
                        || !std::path::Path::new(&format!("/proc/{pid}")).exists()
                }
                (_, None, Some(socket)) => std::os::unix::net::UnixStream::connect(socket).is_err(),
                _ => false,
            };
            if gone || started.elapsed() > AT_MOST {
                std::process::exit(0);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_mode_and_environment() {
        let desk = Env {
            display: true,
            ssh: false,
        };
        let ssh = Env {
            display: false,
            ssh: true,
        };
        assert_eq!(
            route(Mode::Auto, &desk),
            Route::System {
                fall_back_to_osc52: true
            }
        );
        assert_eq!(route(Mode::Auto, &ssh), Route::Osc52);
        assert_eq!(route(Mode::Auto, &Env::default()), Route::Osc52);
        assert_eq!(
            route(Mode::System, &ssh),
            Route::System {
                fall_back_to_osc52: false
            }
        );
        assert_eq!(route(Mode::Off, &desk), Route::Off);
        assert_eq!(route(Mode::Osc52, &desk), Route::Osc52);
    }

    #[test]
    fn osc52_is_base64_between_the_markers() {
        assert_eq!(osc52_sequence("hi"), "\x1b]52;c;aGk=\x07");
    }
}
