//! `cognito-entra` with no command, until the wizard exists: what the tool can do, and the
//! saved setups.

use super::{CommandResult, Context, EXIT_OK};

pub fn run(ctx: &Context) -> CommandResult {
    println!(
        "cognito-entra {} — federate an Amazon Cognito user pool with Microsoft Entra ID\n\n\
Commands:\n  \
values --config FILE [--json] [--copy KEY]   the values Entra needs (Entity ID, Reply URL, ...)\n  \
setups                                      saved setups and their progress\n  \
status [--setup NAME] [--json]              where one setup stands\n  \
--help                                      every command and option\n\n\
Describe a setup in a TOML file: see docs/configuration.md and the sample in README.md.\n",
        env!("CARGO_PKG_VERSION")
    );
    super::setups::run(ctx)?;
    Ok(EXIT_OK)
}
