//! The wizard's twelve steps, shared by every face: what they are called and what comes next.
//! Pure: the progress comes from the state file.

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

/// Where a setup stands: the first step not done yet, or `None` when all are done.
pub fn next_step(done: &[Step]) -> Option<Step> {
    Step::ALL.into_iter().find(|s| !done.contains(s))
}

/// A one-line description of progress, as `setups` and the welcome screen show it.
pub fn progress_label(done: &[Step], protocol: Protocol) -> String {
    match next_step(done) {
        None => "done".to_string(),
        Some(step) => format!(
            "step {}/{}  {}",
            step.number(),
            Step::ALL.len(),
            step.title(protocol)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_step_is_the_first_not_done() {
        assert_eq!(next_step(&[]), Some(Step::Protocol));
        assert_eq!(
            next_step(&[Step::Protocol, Step::UserPool]),
            Some(Step::AwsAccount)
        );
        assert_eq!(next_step(&Step::ALL), None);
        assert_eq!(
            progress_label(&Step::ALL[..6], Protocol::Saml),
            "step 7/12  Entra: single sign-on"
        );
        assert_eq!(progress_label(&Step::ALL, Protocol::Oidc), "done");
    }
}
