//! Commands of the contract that this version does not have yet: they say so plainly.

use super::{CommandResult, Failure};

pub fn run(command: &str, instead: &str) -> CommandResult {
    Err(Failure::Failed(format!(
        "error: `cognito-entra {command}` is not available yet in this version ({}).\n  {instead}",
        env!("CARGO_PKG_VERSION")
    )))
}
