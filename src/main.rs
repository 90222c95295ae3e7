//! cognito-entra's entry point: parse the command line, run one command, turn the result into
//! an exit code (0 success, 1 failure, 2 usage, 130 interrupted).

mod cli;
mod commands;
mod plain;
mod tui;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::{Context, EXIT_OK};

fn main() -> ExitCode {
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
    let cli = match Cli::try_parse() {
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
    let ctx = Context {
        global: cli.global.clone(),
    };
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
            source,
            json,
            remove_other_providers,
        }) => commands::plan::run(&ctx, source, *json, *remove_other_providers),
        Some(Command::Apply {
            source,
            yes,
            remove_other_providers,
            out,
        }) => commands::apply::run(&ctx, source, *yes, *remove_other_providers, out.as_deref()),
        Some(Command::Export { source, format }) => commands::export::run(&ctx, source, format),
        Some(Command::Doctor { setup, json }) => {
            commands::doctor::run(&ctx, setup.as_deref(), *json)
        }
        Some(Command::DecodeSaml { file, source, json }) => {
            commands::decode_saml::run(&ctx, file.as_ref(), &source.to_source(), *json)
        }
        Some(Command::CheckMetadata { source, json }) => {
            commands::check_metadata::run(&ctx, source, *json)
        }
        Some(Command::CheckTenant { tenant, json }) => {
            commands::check_tenant::run(&ctx, tenant, *json)
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match result {
        Ok(code) => {
            commands::log::entry(
                &ctx,
                &format!("cognito-entra {} -> exit {code}", args.join(" ")),
            );
            ExitCode::from(code)
        }
        Err(failure) => {
            commands::log::entry(
                &ctx,
                &format!(
                    "cognito-entra {} -> exit {}\n{failure}",
                    args.join(" "),
                    failure.exit_code()
                ),
            );
            eprintln!("{failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
