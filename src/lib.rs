//! cognito-entra's core: the admin's answers, their rules and derived values, the state file,
//! the clipboard, the Entra checks and the Cognito engine. It knows no terminal UI; the faces
//! (subcommands, wizard, plain prompts) live in the binary and only call in here.

pub mod bounded;
pub mod clipboard;
pub mod cognito;
pub mod doctor;
pub mod engine;
pub mod entra;
pub mod export;
pub mod files;
pub mod handover;
pub mod humanize;
pub mod journey;
pub mod plan;
pub mod plan_file;
pub mod resolve;
pub mod saml_response;
pub mod secrets;
pub mod setup;
pub mod state;
