//! What comes back from Entra, fetched and understood before it is used: SAML federation
//! metadata and the OIDC discovery document.

pub mod discovery;
pub mod fetch;
pub mod graph;
pub mod input;
pub mod metadata;
pub mod tls;
pub mod xmldsig;

pub use cognito_entra_core::entra_facts::{
    ENTRA_HOSTS, Fact, Finding, Level, is_entra_host, split,
};
