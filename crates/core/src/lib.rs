//! cognito-entra's core: the admin's answers and their rules, the journey (each step's
//! questions, defined once for every face), the plan as data, the state file. It imports no
//! AWS SDK, no HTTP client and no face: the Cognito and Entra crates depend on it, never the
//! reverse, and the faces reach AWS and Entra only through the engine above them.

pub mod account;
pub mod bounded;
pub mod cloud;
pub mod entra_app;
pub mod entra_facts;
pub mod files;
pub mod handover;
pub mod humanize;
pub mod import;
pub mod journey;
pub mod kit;
pub mod kit_page;
pub mod mapping;
pub mod plan;
pub mod plan_file;
pub mod pool_rules;
pub mod rate;
pub mod refusal;
pub mod resolve;
pub mod rotate;
pub mod secrets;
pub mod setup;
pub mod state;
pub mod step;
pub mod teardown;
pub mod verbose_log;
pub mod wrap;
