//! cognito-entra's engine, over the three layers below it (docs/architecture.md): the core
//! (answers, journey, plan as data, state), the Cognito side and the Entra side, re-exported
//! here under their usual names. The faces (subcommands, wizard, plain prompts) live in the
//! binary and reach AWS and Entra through the engine.

pub use cognito_entra_cognito as cognito;
pub use cognito_entra_core::{
    account, bounded, cloud, entra_app, entra_facts, files, handover, humanize, journey, mapping,
    plan, plan_file, resolve, secrets, setup, state, teardown, verbose_log, wrap,
};
pub use cognito_entra_entra as entra;

pub mod clipboard;
pub mod doctor;
pub mod engine;
pub mod entra_graph;
pub mod export;
pub mod results;
pub mod saml_response;
