//! Output that cannot fail the work. `println!` panics when stdout is closed (`status | head
//! -1`) or full; these write what they can and remember why they could not. A closed stdout
//! (the reader went away) ends output quietly and the command finishes its work and exit code
//! as if nothing happened; any other write failure (a full disk) makes the command exit 1
//! with the reason on stderr, after its work is done and recorded.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDOUT_FAILED: Mutex<Option<String>> = Mutex::new(None);

pub fn stdout(args: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    // Masked like stderr: what reaches the screen (or a file the output is sent to) never
    // holds a secret the process knows, whatever put it in the text.
    let text = cognito_entra::secrets::scrub(&args.to_string());
    let mut out = std::io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = result {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe
            && let Ok(mut failed) = STDOUT_FAILED.lock()
        {
            failed.get_or_insert_with(|| e.to_string());
        }
    }
}

/// stderr: nothing to fall back on when it fails, so a failure is ignored.
pub fn stderr(args: std::fmt::Arguments<'_>) {
    let text = cognito_entra::secrets::scrub(&args.to_string());
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Why stdout could not be written (not for a closed pipe), once the command is done.
pub fn stdout_failure() -> Option<String> {
    STDOUT_FAILED.lock().ok().and_then(|f| f.clone())
}

/// `print!` that never panics, and masks every secret the process knows.
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::stdout(format_args!($($arg)*)) };
}

/// `println!` that never panics, and masks every secret the process knows.
macro_rules! outln {
    () => { $crate::out::stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` that never panics, and masks every secret the process knows.
macro_rules! errln {
    () => { $crate::out::stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}
