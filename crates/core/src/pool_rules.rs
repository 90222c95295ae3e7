//! What one user pool shared by many customers allows, known before anything is written: an
//! identifier (an e-mail domain or a name in `[provider] identifiers`) routes to one identity
//! provider only, and the pool's resource quotas. Pure: fed by what observe read.
//!
//! The numbers are AWS's ("Quotas in Amazon Cognito", user pools resource quotas); the
//! uniqueness rule is the developer guide's ("SAML identity provider names and identifiers":
//! an identifier "must be unique within the user pool").

use crate::plan::{Observed, OtherSetup, Payload, Plan, Refusal};
use crate::setup::Setup;

/// Identity providers per user pool: AWS's default quota (adjustable).
pub const PROVIDERS_PER_POOL: usize = 300;
/// Identity providers per user pool: the most AWS raises it to.
pub const PROVIDERS_PER_POOL_MAX: usize = 1_000;
/// Identifiers per identity provider (not adjustable).
pub const IDENTIFIERS_PER_PROVIDER: usize = 50;
/// Callback URLs per app client (not adjustable).
pub const CALLBACK_URLS_PER_CLIENT: usize = 100;
/// Logout URLs per app client (not adjustable).
pub const LOGOUT_URLS_PER_CLIENT: usize = 100;

/// Another identity provider on the pool and the identifiers it routes (IdpIdentifiers, as
/// DescribeIdentityProvider gave them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderRoutes {
    pub name: String,
    pub identifiers: Vec<String>,
}

/// Cognito compares identifiers as the user typed their address; e-mail domains are
/// case-insensitive, so the tool holds the stricter reading: `Acme.com` and `acme.com` clash.
fn same_identifier(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Each identifier this setup asks for that another provider in the pool already routes:
/// refused (Cognito allows one provider per identifier), naming that provider and, when a
/// saved setup holds it, that setup.
pub fn identifier_conflicts(
    setup: &Setup,
    observed: &Observed,
    others: &[OtherSetup],
) -> Vec<Refusal> {
    let (Some(pool), Some(wanted)) = (&observed.pool, &setup.provider.identifiers) else {
        return Vec::new();
    };
    let ours = setup.provider_name();
    let mut out = Vec::new();
    for identifier in wanted {
        for route in observed.routes.iter().filter(|r| r.name != ours) {
            if !route
                .identifiers
                .iter()
                .any(|i| same_identifier(i, identifier))
            {
                continue;
            }
            let holder = others
                .iter()
                .find(|o| o.pool_id == pool.id && o.provider == route.name);
            let problem = match holder {
                Some(other) => format!(
                    "{identifier} is already routed by the pool's identity provider {} (setup {:?}): Cognito sends each identifier to one provider only",
                    route.name, other.name
                ),
                None => format!(
                    "{identifier} is already routed by the pool's identity provider {} (not a saved setup of this tool): Cognito sends each identifier to one provider only",
                    route.name
                ),
            };
            let fix = match holder {
                Some(other) => format!(
                    "take {identifier} out of [provider] identifiers, or out of setup {:?}'s identifiers first (cognito-entra wizard --setup {}; then apply it) if this customer owns the domain",
                    other.name, other.name
                ),
                None => format!(
                    "take {identifier} out of [provider] identifiers, or remove it from provider {} first (Cognito console › Social and external providers › {} › Identifiers) if this customer owns the domain",
                    route.name, route.name
                ),
            };
            out.push(Refusal {
                field: "provider.identifiers".into(),
                problem,
                fix,
            });
        }
    }
    out
}

/// What the plan would leave beyond one of Cognito's quotas: refused, with the quota named
/// and the fix. A quota AWS raises on request (providers per pool) is refused only past the
/// most it can be raised to; past the default it is a consequence the admin reads.
pub fn quota_refusals(setup: &Setup, observed: &Observed, plan: &mut Plan) -> Vec<Refusal> {
    let mut out = Vec::new();
    let creates_provider = plan
        .changes
        .iter()
        .any(|c| matches!(c.payload, Payload::CreateProvider(_)));
    if creates_provider {
        let after = observed.providers.len() + 1;
        if after > PROVIDERS_PER_POOL_MAX {
            out.push(Refusal {
                field: "user_pool".into(),
                problem: format!(
                    "the pool has {} identity providers; one more is past Cognito's quota of identity providers per user pool ({PROVIDERS_PER_POOL_MAX} at most, even raised)",
                    observed.providers.len()
                ),
                fix: "put this customer on a new user pool (user_pool.name = \"...\" instead of id), or remove providers the pool no longer needs".into(),
            });
        } else if after > PROVIDERS_PER_POOL {
            plan.consequences.push(format!(
                "The pool will have {after} identity providers, past Cognito's default quota of {PROVIDERS_PER_POOL} per user pool: Cognito refuses to create this one unless the account's quota was raised (Service Quotas › Amazon Cognito User Pools › Identity providers per user pool, up to {PROVIDERS_PER_POOL_MAX})."
            ));
        }
    }
    if let Some(ids) = &setup.provider.identifiers
        && ids.len() > IDENTIFIERS_PER_PROVIDER
    {
        out.push(Refusal {
            field: "provider.identifiers".into(),
            problem: format!(
                "{} identifiers are listed; Cognito's quota of identifiers per identity provider is {IDENTIFIERS_PER_PROVIDER} (not adjustable)",
                ids.len()
            ),
            fix: "list fewer identifiers (the e-mail domains users sign in with), or split the customer's domains over two providers".into(),
        });
    }
    for change in &plan.changes {
        let client = match &change.payload {
            Payload::CreateClient(c) | Payload::UpdateClient(c) => c,
            _ => continue,
        };
        for (urls, what, quota, field) in [
            (
                &client.callback_urls,
                "callback URLs",
                CALLBACK_URLS_PER_CLIENT,
                "app_client.callback_urls",
            ),
            (
                &client.logout_urls,
                "logout URLs",
                LOGOUT_URLS_PER_CLIENT,
                "app_client.logout_urls",
            ),
        ] {
            if urls.len() > quota {
                out.push(Refusal {
                    field: field.into(),
                    problem: format!(
                        "the app client {} would hold {} {what} (those it has and this setup's); Cognito's quota of {what} per app client is {quota} (not adjustable)",
                        change.name,
                        urls.len()
                    ),
                    fix: format!(
                        "remove {what} the client no longer needs (Cognito console › App clients › {} › Login pages), or give this customer an app client of its own (app_client.name = \"...\" instead of id)",
                        change.name
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Pool;

    fn observed(routes: &[(&str, &[&str])]) -> Observed {
        Observed {
            pool: Some(Pool {
                id: "eu-west-1_abc".into(),
                ..Pool::default()
            }),
            routes: routes
                .iter()
                .map(|(name, ids)| ProviderRoutes {
                    name: (*name).into(),
                    identifiers: ids.iter().map(|s| (*s).to_string()).collect(),
                })
                .collect(),
            ..Observed::default()
        }
    }

    fn setup(provider: &str, ids: &[&str]) -> Setup {
        let mut s = Setup::blank("globex", crate::setup::Protocol::Saml);
        s.provider.name = Some(provider.into());
        s.provider.identifiers = Some(ids.iter().map(|s| (*s).to_string()).collect());
        s
    }

    #[test]
    fn a_routed_identifier_is_refused_whatever_its_case_naming_provider_and_setup() {
        let others = vec![OtherSetup {
            name: "acme".into(),
            pool_id: "eu-west-1_abc".into(),
            provider: "Acme".into(),
            client_id: None,
            graph_app_id: None,
        }];
        let r = identifier_conflicts(
            &setup("Globex", &["globex.com", "ACME.com"]),
            &observed(&[("Acme", &["acme.com"]), ("Globex", &["globex.com"])]),
            &others,
        );
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(
            r[0].problem
                .contains("identity provider Acme (setup \"acme\")")
        );
        assert!(r[0].fix.contains("wizard --setup acme"));
        // Its own provider's identifiers are its own.
        assert!(
            identifier_conflicts(
                &setup("Globex", &["globex.com"]),
                &observed(&[("Globex", &["globex.com"])]),
                &[]
            )
            .is_empty()
        );
    }
}
