//! cognito-entra's engine: every operation a face runs (list and read pools, plan, apply what
//! was reviewed, destroy, doctor, export, the Graph session, SAML checks), over the three
//! layers below it (docs/architecture.md): the core (answers, journey, plan as data, state),
//! the Cognito side and the Entra side.
//!
//! The faces (subcommands, wizard, plain prompts) depend on this crate and not on the Cognito
//! or Entra crate: what they may name from those is re-exported below, item by item — data
//! they render and the few switches the process sets at start — never a call into AWS or
//! Graph. `scripts/test` checks that the faces' package depends on neither.

pub use cognito_entra_core::{
    account, bounded, cloud, entra_app, entra_facts, files, handover, humanize, journey, kit,
    kit_page, mapping, plan, plan_file, pool_rules, rate, resolve, secrets, setup, state, teardown,
    verbose_log, wrap,
};

pub mod clipboard;
pub mod doctor;
pub mod doctor_all;
pub mod engine;
pub mod entra_graph;
pub mod export;
pub mod fleet;
pub mod handoff;
pub mod import;
pub mod results;
pub mod rotate;
pub mod run;
pub mod saml_response;
pub mod test_switches;

/// What the faces name from the Cognito side: the IDs a run produced, its progress events,
/// Cognito's certificates as Entra takes them, how an error is classed, the account reader
/// they hold between a plan and its apply (its methods need the engine's trait: not here).
pub mod cognito {
    pub mod api {
        pub use cognito_entra_cognito::api::{ClientConfig, ErrorKind, Pool, WRITE_OPERATIONS};
    }
    pub mod apply {
        pub use cognito_entra_cognito::apply::{Event, Ids};
    }
    pub mod certs {
        pub use cognito_entra_cognito::certs::{ForEntra, entra_place_now};
    }
    pub mod sdk {
        pub use cognito_entra_cognito::sdk::{AwsOptions, SdkCognito, set_quotas};
    }
}

/// What the faces name from the Entra side: findings and facts to render, the reports of a
/// metadata or tenant check, the sign-in prompts, and the names of the environment variables
/// the process clears at start.
pub mod entra {
    pub use cognito_entra_entra::{Fact, Finding, Level, split};
    pub mod metadata {
        pub use cognito_entra_entra::metadata::{
            Endpoint, Report, check_file, date, rfc3339, short,
        };
    }
    pub mod discovery {
        pub use cognito_entra_entra::discovery::Report;
    }
    pub mod input {
        pub use cognito_entra_entra::input::{Checked, SECRET_ENV};
    }
    pub mod graph {
        pub use cognito_entra_entra::graph::{Graph, SignInPrompt};
        pub mod signin {
            pub use cognito_entra_entra::graph::signin::{DEFAULT_CLIENT_ID, Needs};
        }
        pub mod browser {
            pub use cognito_entra_entra::graph::browser::IDLE_LIMIT;
        }
        pub mod pipeline {
            pub use cognito_entra_entra::graph::pipeline::{
                SECRET_VARIABLE, from_environment, take_from_environment,
            };
        }
        pub mod client {
            pub use cognito_entra_entra::graph::client::set_wait_hook;
        }
    }
}
