//! `cognito-entra plan`: what apply would change, like `terraform plan`. Reads only.

use super::prepare::prepare;
use super::{CommandResult, Context, EXIT_OK, block_on};
use crate::cli::Source;

pub fn run(
    ctx: &Context,
    source: &Source,
    json: bool,
    remove_other_providers: bool,
) -> CommandResult {
    let prepared = block_on(prepare(ctx, source, remove_other_providers, false))??;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&prepared.plan.to_json()).unwrap_or_default()
        );
    } else {
        out!("{}", prepared.plan.render());
    }
    Ok(EXIT_OK)
}
