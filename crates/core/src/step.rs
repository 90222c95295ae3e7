//! The twelve steps of the journey, by name: what the state file records as done. The
//! journey (what each step asks and shows) builds on these.

use serde::{Deserialize, Serialize};

use crate::setup::Protocol;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Protocol,
    AwsAccount,
    UserPool,
    Domain,
    AppClient,
    Provider,
    EntraPortal,
    BackFromEntra,
    AttributeMapping,
    ReviewApply,
    FinishInEntra,
    TestHandOver,
}

impl Step {
    pub const ALL: [Step; 12] = [
        Step::Protocol,
        Step::AwsAccount,
        Step::UserPool,
        Step::Domain,
        Step::AppClient,
        Step::Provider,
        Step::EntraPortal,
        Step::BackFromEntra,
        Step::AttributeMapping,
        Step::ReviewApply,
        Step::FinishInEntra,
        Step::TestHandOver,
    ];

    /// 1-based position in the journey.
    pub fn number(self) -> usize {
        Step::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i + 1)
    }

    pub fn title(self, protocol: Protocol) -> &'static str {
        match (self, protocol) {
            (Step::Protocol, _) => "Protocol",
            (Step::AwsAccount, _) => "AWS account",
            (Step::UserPool, _) => "User pool",
            (Step::Domain, _) => "Domain",
            (Step::AppClient, _) => "App client",
            (Step::Provider, _) => "Provider",
            (Step::EntraPortal, Protocol::Saml) => "Entra: single sign-on",
            (Step::EntraPortal, Protocol::Oidc) => "Entra: app registration",
            (Step::BackFromEntra, Protocol::Saml) => "Back from Entra: metadata",
            (Step::BackFromEntra, Protocol::Oidc) => "Back from Entra: tenant and client",
            (Step::AttributeMapping, _) => "Attribute mapping",
            (Step::ReviewApply, _) => "Review & apply",
            (Step::FinishInEntra, _) => "Finish in Entra",
            (Step::TestHandOver, _) => "Test & hand over",
        }
    }
}
