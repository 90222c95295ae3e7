//! `-v/--verbose`: a detailed log of what a command did, appended to `cognito-entra.log` in
//! the state folder (`cognito_entra::verbose_log`; its format is in docs/troubleshooting.md):
//! the command line and its outcome here, every AWS, Graph, sign-in and Entra call from the
//! crates that make them. Never the screen, never a secret: every line is masked, arguments
//! carry no secret (the client secret only ever comes from the environment or a hidden
//! prompt), and environment values are not logged.

use super::{Context, Failure};

/// Opens the log when -v is on, before the command runs; a log that cannot be opened safely
/// (a link, a FIFO) refuses the command rather than writing elsewhere or stalling.
pub fn open(ctx: &Context) -> Result<(), Failure> {
    if !ctx.global.verbose {
        return Ok(());
    }
    let store = ctx.store()?;
    cognito_entra::verbose_log::open(&store).map_err(|e| Failure::Failed(format!("error: {e}")))?;
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    cognito_entra::verbose_log::write(
        "run",
        &format!(
            "cognito-entra {} (version {})",
            args.join(" "),
            env!("CARGO_PKG_VERSION")
        ),
    );
    Ok(())
}

/// Appends the command's outcome; failures to log never fail the command.
pub fn entry(what: &str) {
    cognito_entra::verbose_log::write("end", what);
}
