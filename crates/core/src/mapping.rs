//! The attribute mapping held against the pool and app client it writes to, before anything
//! is written. Cognito updates every mapped attribute at each federated sign-in, so a target
//! the pool lacks, an immutable one, or one the app client may not write makes every sign-in
//! fail; a required attribute nothing fills fails the first one (developer guide, "Mapping IdP
//! attributes to profiles and tokens"; API reference, SchemaAttributeType.Mutable and
//! UserPoolClientType.WriteAttributes). What only degrades a sign-in is a consequence.

use std::collections::BTreeMap;

use crate::account::{ClientConfig, Pool};
use crate::refusal::Refusal;
use crate::setup::{Protocol, Setup};

/// Mapping targets that are not pool attributes: `username` (OIDC) names the federated user.
const NOT_POOL_ATTRIBUTES: [&str; 1] = ["username"];

/// Claims Entra sends with several values (groups, app roles, directory roles, sign-in
/// methods, proxy and other addresses), by the last segment of the claim's name.
const MULTI_VALUED: [&str; 10] = [
    "groups",
    "role",
    "roles",
    "wids",
    "amr",
    "authnmethodsreferences",
    "proxyaddresses",
    "othermails",
    "memberof",
    "approles",
];

/// The longest attribute value Cognito keeps (developer guide: user pool attributes, 2,048
/// characters).
pub const COGNITO_ATTRIBUTE_MAX_CHARS: usize = 2048;

/// Whether `claim` is one Entra sends with several values.
pub fn multi_valued(claim: &str) -> bool {
    let last = claim
        .rsplit('/')
        .next()
        .unwrap_or(claim)
        .to_ascii_lowercase();
    MULTI_VALUED.contains(&last.as_str())
}

fn attribute_field(attribute: &str) -> String {
    format!("provider.attribute_mapping.{attribute}")
}

/// What the mapping needs of the pool and client: refusals for what would fail sign-in.
/// `pool`: `None` when the plan creates it (Cognito's standard attributes only); `client`:
/// `None` when the plan creates it (see `write_attributes_for_new_client`).
pub fn refusals(setup: &Setup, pool: Option<&Pool>, client: Option<&ClientConfig>) -> Vec<Refusal> {
    let mapping = setup.attribute_mapping();
    let mut out = Vec::new();
    let Some(pool) = pool else {
        for attribute in mapping.keys().filter(|a| a.starts_with("custom:")) {
            out.push(Refusal {
                field: attribute_field(attribute),
                problem: format!("{attribute} is mapped, but the pool this setup creates has only Cognito's standard attributes"),
                fix: format!("apply once without the {attribute} mapping, add the custom attribute to the pool (Cognito console › Sign-up › Custom attributes, mutable), then map it; or use an existing pool that has it"),
            });
        }
        return out;
    };
    for attr in &pool.required_attributes {
        if attr == "sub" || mapping.contains_key(attr) {
            continue;
        }
        out.push(Refusal {
            field: attribute_field(attr),
            problem: format!("the pool requires the attribute {attr}, but nothing from Entra is mapped to it, so every first sign-in would fail"),
            fix: format!("add {attr} = \"<Entra claim>\" under [provider.attribute_mapping] (and send that claim from Entra: Attributes & Claims)"),
        });
    }
    // An empty schema is one not read (the in-memory stand-in); judge only what is known.
    if pool.attributes.is_empty() {
        return out;
    }
    for attribute in mapping.keys() {
        if NOT_POOL_ATTRIBUTES.contains(&attribute.as_str()) {
            continue;
        }
        let Some(found) = pool.attributes.iter().find(|a| a.name == *attribute) else {
            let custom: Vec<&str> = pool
                .attributes
                .iter()
                .filter(|a| a.name.starts_with("custom:"))
                .map(|a| a.name.as_str())
                .collect();
            let has = if custom.is_empty() {
                "it has no custom attributes".to_string()
            } else {
                format!("its custom attributes are {}", custom.join(", "))
            };
            out.push(Refusal {
                field: attribute_field(attribute),
                problem: format!("pool {} has no attribute {attribute} ({has}), so every sign-in would fail with \"Attribute does not exist in the schema\"", pool.id),
                fix: format!("add {attribute} to the pool (Cognito console › Sign-up › Custom attributes, mutable), or map one of the pool's attributes instead"),
            });
            continue;
        };
        if !found.mutable {
            out.push(Refusal {
                field: attribute_field(attribute),
                problem: format!("{attribute} is immutable in pool {}; Cognito rewrites mapped attributes at every sign-in, so every sign-in after the first would fail", pool.id),
                fix: format!("take {attribute} out of [provider.attribute_mapping] (an attribute's mutability cannot be changed once the pool exists); map the claim to a mutable custom attribute instead"),
            });
            continue;
        }
        if let Some(client) = client
            && !client_writes(client, attribute)
        {
            let why = if client.write_attributes.is_empty() {
                "an app client without its own write list writes standard attributes only"
                    .to_string()
            } else {
                format!("its write list is {}", client.write_attributes.join(", "))
            };
            out.push(Refusal {
                field: attribute_field(attribute),
                problem: format!("app client {} may not write {attribute} ({why}); Cognito writes mapped attributes through it, so every sign-in would fail", client.client_name),
                fix: format!("in the Cognito console › App client › Attribute permissions, allow writing {attribute}; then run this again"),
            });
        }
    }
    out
}

/// Whether the client may write `attribute`: its own write list, or without one, Cognito's
/// standard attributes (API reference, UserPoolClientType.WriteAttributes).
fn client_writes(client: &ClientConfig, attribute: &str) -> bool {
    if client.write_attributes.is_empty() {
        !attribute.starts_with("custom:")
    } else {
        client.write_attributes.iter().any(|a| a == attribute)
    }
}

/// The write list of a client the plan creates: `None` (Cognito's default, the standard
/// attributes) unless a custom attribute is mapped; then every mutable standard attribute of
/// the pool and the mapped custom ones, so the default's reach is kept and the mapping works.
/// The verification flags stay out unless mapped: the default does not let an app write them
/// (sign-up with email_verified is refused as an unauthorized attribute).
pub fn write_attributes_for_new_client(setup: &Setup, pool: Option<&Pool>) -> Option<Vec<String>> {
    let mapping = setup.attribute_mapping();
    let custom: Vec<&String> = mapping
        .keys()
        .filter(|a| a.starts_with("custom:"))
        .collect();
    let pool = pool?;
    if custom.is_empty() || pool.attributes.is_empty() {
        return None;
    }
    let mut out: Vec<String> = pool
        .attributes
        .iter()
        .filter(|a| a.mutable && !a.name.starts_with("custom:") && a.name != "sub")
        .filter(|a| !a.name.ends_with("_verified") || mapping.contains_key(&a.name))
        .map(|a| a.name.clone())
        .collect();
    out.extend(custom.into_iter().cloned());
    Some(out)
}

/// What the mapping means for federated users, to show with the plan.
pub fn consequences(setup: &Setup, pool: Option<&Pool>) -> Vec<String> {
    let mapping: BTreeMap<String, String> = setup.attribute_mapping();
    let mut out = Vec::new();
    for (attribute, claim) in &mapping {
        if !multi_valued(claim) {
            continue;
        }
        if !attribute.starts_with("custom:") {
            out.push(format!("{attribute} is mapped from {claim}, which Entra sends with several values: Cognito joins them into the one string {attribute} holds — map it to a custom attribute your app splits, and keep single-valued claims for standard attributes."));
        }
        out.push(format!("{claim} (mapped to {attribute}) grows with the user: Cognito keeps at most {COGNITO_ATTRIBUTE_MAX_CHARS} characters per attribute (about 50 group IDs) and refuses the sign-in beyond — in Entra, send only groups assigned to the application."));
    }
    let verifies_email = pool.is_some_and(|p| {
        p.auto_verified.iter().any(|a| a == "email") || p.sign_in_by.iter().any(|a| a == "email")
    });
    if verifies_email && mapping.contains_key("email") && !mapping.contains_key("email_verified") {
        let how = match setup.protocol {
            Protocol::Saml => {
                "in Entra, Attributes & Claims › Add new claim named email_verified with the source attribute \"true\" (a constant), and map email_verified = \"email_verified\""
            }
            Protocol::Oidc => {
                "in Entra, Token configuration › Add optional claim xms_edov (email domain owner verified), and map email_verified = \"xms_edov\""
            }
        };
        out.push(format!("The pool relies on verified email (auto-verification or sign-in by email), but Entra sends no email_verified: federated users arrive with an unverified address, which Cognito cannot verify by code, so password reset and messages by email do not reach them. To mark Entra's addresses verified: {how}."));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::PoolAttribute;

    fn pool(attributes: &[(&str, bool)]) -> Pool {
        Pool {
            id: "eu-west-1_Abc".into(),
            attributes: attributes
                .iter()
                .map(|(name, mutable)| PoolAttribute {
                    name: name.to_string(),
                    mutable: *mutable,
                })
                .collect(),
            ..Pool::default()
        }
    }

    fn setup(mapping: &[(&str, &str)]) -> Setup {
        let mut s = Setup::blank("t", Protocol::Saml);
        s.provider.attribute_mapping = mapping
            .iter()
            .map(|(a, c)| (a.to_string(), c.to_string()))
            .collect();
        s
    }

    #[test]
    fn missing_immutable_and_unwritable_targets_are_refused_by_name() {
        let p = pool(&[
            ("email", true),
            ("custom:tenant", true),
            ("custom:badge", false),
        ]);
        let s = setup(&[
            ("email", "mail"),
            ("custom:dept", "department"),
            ("custom:badge", "badge"),
            ("custom:tenant", "tid"),
        ]);
        let client = ClientConfig {
            client_name: "web".into(),
            ..ClientConfig::default()
        };
        let out = refusals(&s, Some(&p), Some(&client));
        let said = |attr: &str| {
            out.iter()
                .find(|r| r.field.ends_with(attr))
                .map(|r| r.problem.clone())
                .unwrap_or_default()
        };
        assert!(said("custom:dept").contains("has no attribute"), "{out:?}");
        assert!(said("custom:badge").contains("immutable"), "{out:?}");
        assert!(said("custom:tenant").contains("may not write"), "{out:?}");
        assert!(said("email").is_empty(), "{out:?}");

        let writes = ClientConfig {
            write_attributes: vec!["email".into(), "custom:tenant".into()],
            ..client
        };
        let out = refusals(&s, Some(&p), Some(&writes));
        assert!(!out.iter().any(|r| r.field.ends_with("custom:tenant")));
    }

    #[test]
    fn a_new_client_gets_the_standard_attributes_and_the_mapped_custom_ones() {
        let p = pool(&[
            ("sub", false),
            ("email", true),
            ("name", true),
            ("email_verified", true),
            ("custom:tenant", true),
            ("custom:other", true),
        ]);
        let s = setup(&[("email", "mail"), ("custom:tenant", "tid")]);
        assert_eq!(
            write_attributes_for_new_client(&s, Some(&p)),
            Some(vec!["email".into(), "name".into(), "custom:tenant".into()])
        );
        assert_eq!(
            write_attributes_for_new_client(&setup(&[("email", "mail")]), Some(&p)),
            None
        );
    }

    #[test]
    fn multi_valued_claims_and_unverified_email_are_named() {
        let s = setup(&[
            ("email", "mail"),
            (
                "name",
                "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
            ),
        ]);
        let p = Pool {
            auto_verified: vec!["email".into()],
            ..pool(&[])
        };
        let out = consequences(&s, Some(&p));
        assert!(out.iter().any(|c| c.contains("several values")), "{out:?}");
        assert!(out.iter().any(|c| c.contains("email_verified")), "{out:?}");
        let verified = setup(&[("email", "mail"), ("email_verified", "email_verified")]);
        assert!(consequences(&verified, Some(&p)).is_empty());
        assert!(consequences(&setup(&[("email", "mail")]), Some(&pool(&[]))).is_empty());
    }
}
