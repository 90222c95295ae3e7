//! The non-interactive face: one file per subcommand. Each reads its input, calls the core,
//! prints, and returns an exit code or a `Failure`.

pub mod apply;
pub mod check_metadata;
pub mod check_tenant;
pub mod decode_saml;
pub mod destroy;
pub mod doctor;
pub mod entra_side;
pub mod export;
pub mod fleet;
pub mod graph;
pub mod handoff;
pub mod import;
pub mod log;
pub mod plan;
pub mod rotate;
pub mod run_face;
pub mod setups;
pub mod source;
pub mod status;
pub mod values;

use std::fmt;
use std::path::PathBuf;

use cognito_entra::state::{StateError, StateStore};

use crate::cli::{ClipboardArg, Global};

/// Exit codes (DESIGN.md).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INTERRUPTED: u8 = 130;

/// Why a command stopped; the message says what went wrong and how to fix it.
#[derive(Debug)]
pub enum Failure {
    /// Exit 1.
    Failed(String),
    /// Exit 2: the command line itself is wrong.
    Usage(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Failed(_) => EXIT_FAILURE,
            Failure::Usage(_) => EXIT_USAGE,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Failed(m) | Failure::Usage(m) => f.write_str(m.trim_end()),
        }
    }
}

impl From<StateError> for Failure {
    fn from(e: StateError) -> Self {
        Failure::Failed(format!("error: {e}"))
    }
}

impl From<cognito_entra::setup::SetupError> for Failure {
    fn from(e: cognito_entra::setup::SetupError) -> Self {
        Failure::Failed(e.to_string())
    }
}

pub type CommandResult = Result<u8, Failure>;

/// What every command may need from the global options.
#[derive(Clone)]
pub struct Context {
    pub global: Global,
}

impl Context {
    /// The context a setup runs in: its `[entra] cloud` applied where no flag says otherwise.
    pub fn for_setup(&self, setup: &cognito_entra::setup::Setup) -> Context {
        Context {
            global: self.global.for_setup(setup),
        }
    }

    /// How to reach Entra for Graph, from the flags and environment.
    pub fn graph_options(&self) -> cognito_entra::entra_graph::GraphOptions {
        cognito_entra::entra_graph::GraphOptions {
            authority: self.global.authority.clone(),
            graph_url: self.global.graph_url.clone(),
            client_id: self.global.entra_client_id.clone(),
            sign_in: match self.global.sign_in() {
                crate::cli::SignInArg::DeviceCode => {
                    cognito_entra::entra_graph::SignInMethod::DeviceCode
                }
                crate::cli::SignInArg::AzCli => cognito_entra::entra_graph::SignInMethod::AzureCli,
                crate::cli::SignInArg::Browser => cognito_entra::entra_graph::SignInMethod::Browser,
                crate::cli::SignInArg::Environment => {
                    cognito_entra::entra_graph::SignInMethod::Environment
                }
            },
            cloud: self.global.cloud(),
            needs: Default::default(),
            tenant: self.global.entra_tenant.clone(),
        }
    }

    pub fn store(&self) -> Result<StateStore, Failure> {
        let dir: PathBuf = match &self.global.state_dir {
            Some(d) => d.clone(),
            None => StateStore::default_dir().ok_or_else(|| {
                Failure::Failed(
                    "error: cannot find a home folder for saved setups\n  fix: give one with --state-dir DIR or COGNITO_ENTRA_STATE_DIR".into(),
                )
            })?,
        };
        Ok(StateStore::new(dir))
    }

    /// The flags that say where and as whom (resolved by `cognito_entra::resolve`).
    pub fn given(&self) -> cognito_entra::resolve::Given {
        cognito_entra::resolve::Given {
            profile: self.global.profile.clone(),
            region: self.global.region.clone(),
            endpoint_url: self.global.endpoint_url.clone(),
        }
    }

    pub fn clipboard_mode(&self) -> cognito_entra::clipboard::Mode {
        use cognito_entra::clipboard::Mode;
        match self.global.clipboard {
            ClipboardArg::Auto => Mode::Auto,
            ClipboardArg::System => Mode::System,
            ClipboardArg::Osc52 => Mode::Osc52,
            ClipboardArg::Off => Mode::Off,
        }
    }
}

/// Prints warnings from the core on stderr.
pub fn print_warnings(problems: &[cognito_entra::setup::Problem]) {
    for p in problems {
        errln!("{p}");
    }
}

/// Runs async core work (HTTP, AWS) to completion on a runtime made for this command only.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("error: cannot start the async runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// Asks `question` [y/N] on the terminal before `command` changes AWS; without a terminal it
/// refuses (exit 2) and names --yes. Anything but yes is `nothing` (exit 1).
pub fn confirm(command: &str, question: &str, nothing: &str) -> Result<(), Failure> {
    use std::io::{IsTerminal, Write};
    // Not a usage error: the command line is right, the answer it needs cannot be asked.
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Failed(format!(
            "error: {command} asks \"{question}\" before it goes on, and there is no terminal to ask in (standard input is not one). {nothing}\n  fix: run it in a terminal to be asked, or add --yes to {command} exactly what is listed above"
        )));
    }
    out!("\n{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::Failed(format!("error: cannot read the answer: {e}")))?;
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::Failed(nothing.into()))
    }
}
