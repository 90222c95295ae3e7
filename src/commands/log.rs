//! `-v/--verbose`: a log of what a command did (its arguments, the AWS calls, the outcome),
//! appended to `cognito-entra.log` in the state folder. Never the screen, never a secret:
//! arguments carry no secret (the client secret only ever comes from the environment or a
//! hidden prompt), and environment values are not logged.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

use super::Context;

pub const LOG_FILE: &str = "cognito-entra.log";

/// Appends one entry when --verbose is on; failures to log never fail the command.
pub fn entry(ctx: &Context, what: &str) {
    if !ctx.global.verbose {
        return;
    }
    let Ok(store) = ctx.store() else { return };
    if std::fs::create_dir_all(store.dir()).is_err() {
        return;
    }
    let path = store.dir().join(LOG_FILE);
    let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
    else {
        return;
    };
    let _ = writeln!(
        file,
        "{} [pid {}] {}",
        cognito_entra::state::now_rfc3339(),
        std::process::id(),
        cognito_entra::secrets::scrub(what).replace('\n', "\n    ")
    );
}
