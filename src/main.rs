//! cognito-entra's entry point: parse the command line, run one command, turn the result into
//! an exit code (0 success, 1 failure, 2 usage, 130 interrupted).

#[macro_use]
mod out;
mod cli;
mod commands;
mod plain;
mod tui;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::{Context, EXIT_OK};

fn main() -> ExitCode {
    // Before any thread starts (the Ctrl-C handler is one): the environment is read and tidied
    // while nothing else can read it.
    prepare_environment();
    // The clipboard helper is this same binary; it must start without parsing anything else.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == cognito_entra::clipboard::HELPER_ARG)
    {
        return ExitCode::from(
            u8::try_from(cognito_entra::clipboard::serve_clipboard()).unwrap_or(1),
        );
    }
    // Ctrl-C: commands record each finished step before starting the next, so stopping at
    // once is safe; the exit code says it was an interruption.
    let _ = ctrlc::set_handler(|| std::process::exit(i32::from(commands::EXIT_INTERRUPTED)));
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version itself (exit 0) and usage errors (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                commands::EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    cli.global.resolve_cloud();
    if let Some(quotas) = cli.global.cognito_quotas.clone() {
        cognito_entra::cognito::sdk::set_quotas(quotas);
    }
    let ctx = Context {
        global: cli.global.clone(),
    };
    if let Err(failure) = commands::log::open(&ctx) {
        errln!("{failure}");
        return ExitCode::from(failure.exit_code());
    }
    // Each wait on Entra longer than a second is said on stderr (the command line and plain
    // mode); the wizard replaces this with its busy line.
    cognito_entra::entra::graph::client::set_wait_hook(Some(std::sync::Arc::new(|text: &str| {
        errln!("  … {text}");
    })));
    let result = match &cli.command {
        None => tui::run(&ctx, None),
        Some(Command::Wizard {
            setup,
            plain: false,
        }) => tui::run(&ctx, setup.as_deref()),
        Some(Command::Wizard { setup, plain: true }) => plain::run(&ctx, setup.as_deref()),
        Some(Command::Setups) => commands::setups::run(&ctx),
        Some(Command::Status { setup, json }) => {
            commands::status::run(&ctx, setup.as_deref(), *json)
        }
        Some(Command::Values { source, json, copy }) => {
            commands::values::run(&ctx, source, *json, copy.as_deref())
        }
        Some(Command::Plan {
            all: true,
            json,
            remove_other_providers,
            entra,
            ..
        }) => commands::fleet::plan(&ctx, *json, *remove_other_providers, *entra),
        Some(Command::Plan {
            source,
            json,
            out,
            remove_other_providers,
            entra,
            ..
        }) => commands::plan::run(
            &ctx,
            &source.to_source(),
            *json,
            out.as_deref(),
            *remove_other_providers,
            *entra,
        ),
        Some(Command::Apply {
            all: true,
            yes,
            remove_other_providers,
            entra,
            ..
        }) => commands::fleet::apply(&ctx, *yes, *remove_other_providers, *entra),
        Some(Command::Apply {
            source,
            yes,
            remove_other_providers,
            out,
            plan,
            entra,
            ..
        }) => commands::apply::run(
            &ctx,
            &source.to_source(),
            *yes,
            *entra,
            *remove_other_providers,
            out.as_deref(),
            plan.as_deref(),
        ),
        Some(Command::Export { source, format }) => commands::export::run(&ctx, source, format),
        Some(Command::Destroy { source, yes }) => commands::destroy::run(&ctx, source, *yes),
        Some(Command::Rotate {
            setup,
            entra,
            yes,
            dry_run,
            remove_old,
            secret_expires,
            json,
        }) => commands::rotate::run(
            &ctx,
            setup,
            *entra,
            *json,
            cognito_entra::rotate::Flags {
                yes: *yes,
                dry_run: *dry_run,
                remove_old: *remove_old,
                secret_expires: *secret_expires,
            },
        ),
        Some(Command::Import {
            regions,
            pool,
            entra,
            yes,
            json,
        }) => commands::import::run(
            &ctx,
            regions,
            pool.as_deref(),
            matches!(entra, Some(cli::EntraArg::Graph)),
            *yes,
            *json,
        ),
        Some(Command::Doctor {
            all: true,
            json,
            within,
            quiet,
            ..
        }) => commands::doctor::run_all(&ctx, *json, *within, *quiet),
        Some(Command::Doctor {
            setup,
            json,
            entra,
            within,
            ..
        }) => commands::doctor::run(
            &ctx,
            setup.as_deref(),
            *json,
            matches!(entra, Some(cli::EntraArg::Graph)),
            *within,
        ),
        Some(Command::DecodeSaml { file, source, json }) => {
            commands::decode_saml::run(&ctx, file.as_ref(), &source.to_source(), *json)
        }
        Some(Command::Handoff { source, out }) => commands::handoff::run(&ctx, source, out),
        Some(Command::Accept { setup, reply }) => commands::handoff::accept(&ctx, setup, reply),
        Some(Command::EntraSide {
            kit,
            out,
            assign,
            yes,
            entra,
            plain,
        }) => commands::entra_side::run(
            &ctx,
            kit,
            out.as_deref(),
            assign,
            *yes,
            commands::entra_side::How {
                by_hand: *entra == Some(cli::EntraArg::Manual),
                plain: *plain,
            },
        ),
        Some(Command::CheckMetadata { source, json }) => {
            commands::check_metadata::run(&ctx, source, *json)
        }
        Some(Command::CheckTenant { tenant, json }) => {
            commands::check_tenant::run(&ctx, tenant, *json)
        }
    };
    // Output that could not be written (a full disk; not a closed pipe) fails a command
    // that otherwise succeeded, once its work is done and recorded.
    let result = match (result, out::stdout_failure()) {
        (Ok(EXIT_OK), Some(why)) => Err(commands::Failure::Failed(format!(
            "error: cannot write to standard output: {why}\n  fix: free space where the output goes, or send it elsewhere; the work itself is done and recorded"
        ))),
        (result, _) => result,
    };
    match result {
        Ok(code) => {
            commands::log::entry(&format!("-> exit {code}"));
            ExitCode::from(code)
        }
        Err(failure) => {
            commands::log::entry(&format!("-> exit {}\n{failure}", failure.exit_code()));
            errln!("{failure}");
            // With --json, a failure is a JSON object on stdout too (the message, as the
            // commands' own `errors` lists carry theirs), so a script reads one shape.
            if cli.command.as_ref().is_some_and(Command::json) {
                let message = failure.to_string();
                let message = message.strip_prefix("error: ").unwrap_or(&message);
                outln!(
                    "{}",
                    serde_json::json!({"ok": false, "errors": [message], "warnings": []})
                );
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

/// The environment, tidied once at start, single-threaded:
/// - an empty variable is unset (`AWS_ENDPOINT_URL=` left by a script made the AWS SDK panic);
/// - the OIDC client secret moves from the environment into memory, so no child process
///   (credential_process, the clipboard helper, a browser) inherits it;
/// - every secret the environment holds is registered to be masked in any text we print.
fn prepare_environment() {
    let empty: Vec<std::ffi::OsString> = std::env::vars_os()
        .filter(|(k, v)| {
            let k = k.to_string_lossy();
            (k.starts_with("AWS_") || k.starts_with("COGNITO_ENTRA_"))
                && v.to_string_lossy().trim().is_empty()
        })
        .map(|(k, _)| k)
        .collect();
    for key in empty {
        // SAFETY: no other thread exists yet; nothing reads the environment concurrently.
        unsafe { std::env::remove_var(key) };
    }
    cognito_entra::secrets::register_environment();
    if cognito_entra::entra::graph::pipeline::take_from_environment()
        || std::env::var_os(cognito_entra::entra::graph::pipeline::SECRET_VARIABLE).is_some()
    {
        // SAFETY: as above, still single-threaded. The pipeline's secret is in memory now;
        // no child inherits it.
        unsafe { std::env::remove_var(cognito_entra::entra::graph::pipeline::SECRET_VARIABLE) };
    }
    if cognito_entra::secrets::take_client_secret_from_environment() {
        // SAFETY: as above, still single-threaded.
        unsafe { std::env::remove_var(cognito_entra::entra::input::SECRET_ENV) };
    }
}
