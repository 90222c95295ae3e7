//! The values that cross from Cognito to Entra (and the hosted sign-in URL), computed exactly
//! by the formulas in FLOWS.md. A value that needs an ID that does not exist yet is reported
//! as pending, with the reason, never invented.

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use super::model::{Protocol, Setup};

/// IDs and client details that AWS knows once the resources exist (from the state file or a
/// describe call). They fill in what the setup file does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    pub user_pool_id: Option<String>,
    pub client_id: Option<String>,
    /// The client's callback URLs and scopes as Cognito has them (an adopted client).
    pub callback_urls: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    /// Which of the client and the provider the setup made (the plan removes from them what
    /// the setup no longer says).
    pub created: crate::account::Created,
    /// The tenant and application (client) ID of an application Graph made or adopted for
    /// the setup, as recorded: what Graph gave stands in for the answers it replaces.
    pub graph_app: Option<GraphApp>,
}

/// Where the Entra application of a setup done through Graph lives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphApp {
    pub tenant: String,
    pub app_id: String,
}

/// A value that cannot be computed yet, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    pub key: &'static str,
    pub waits_for: String,
}

/// Every value the admin may need, keyed as in `values --json`. `None` with an entry in
/// `pending` means "not known yet"; `None` without one means "not applicable".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub region: String,
    pub user_pool_id: Option<String>,
    pub domain: Option<String>,
    pub client_id: Option<String>,
    pub provider_name: String,
    pub entity_id: Option<String>,
    pub reply_url: Option<String>,
    pub logout_url: Option<String>,
    pub relay_state: Option<String>,
    pub redirect_uri: Option<String>,
    pub oidc_issuer: Option<String>,
    pub sign_in_url: Option<String>,
    pub pending: Vec<Pending>,
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// In the Relay State the redirect URI stays readable (`https://app/cb`, as FLOWS.md writes
/// it); only what would end or change the value is encoded: `&`, `+`, `#`, `%`, spaces,
/// controls and non-ASCII. A callback URL with its own query (`?tab=1&x=2`) stays one value.
const RELAY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'&')
    .add(b'+')
    .add(b'#')
    .add(b'%')
    .add(b'"')
    .add(b'<')
    .add(b'>');

/// The host of the pool's domain.
pub fn domain_host(setup: &Setup) -> Option<String> {
    if let Some(custom) = &setup.domain.custom {
        return Some(custom.trim().to_ascii_lowercase());
    }
    setup
        .domain
        .prefix
        .as_ref()
        .map(|p| format!("{p}.auth.{}.amazoncognito.com", setup.region))
}

pub fn entity_id(user_pool_id: &str) -> String {
    format!("urn:amazon:cognito:sp:{user_pool_id}")
}

pub fn reply_url(domain: &str) -> String {
    format!("https://{domain}/saml2/idpresponse")
}

pub fn saml_logout_url(domain: &str) -> String {
    format!("https://{domain}/saml2/logout")
}

pub fn oidc_redirect_uri(domain: &str) -> String {
    format!("https://{domain}/oauth2/idpresponse")
}

pub fn oidc_issuer(authority: &str, tenant: &str) -> String {
    format!("{}/{tenant}/v2.0", authority.trim_end_matches('/'))
}

/// The Relay State Entra sends on IdP-initiated sign-in: the redirect URI stays readable and
/// the scopes are joined by `+`, as Entra's portal expects to receive it.
pub fn relay_state(
    provider: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
) -> String {
    format!(
        "identity_provider={provider}&client_id={client_id}&redirect_uri={}&response_type=code&scope={}",
        utf8_percent_encode(redirect_uri, RELAY_VALUE),
        scopes.join("+")
    )
}

/// The hosted sign-in URL that starts a federated sign-in with this provider.
pub fn sign_in_url(
    domain: &str,
    provider: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
) -> String {
    format!(
        "https://{domain}/oauth2/authorize?identity_provider={}&response_type=code&client_id={}&redirect_uri={}&scope={}",
        encode(provider),
        encode(client_id),
        encode(redirect_uri),
        encode(&scopes.join(" "))
    )
}

/// The default Entra authority (public cloud).
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";

/// Computes every value for a (valid) setup, given what AWS already knows.
pub fn derive(setup: &Setup, known: &Known, authority: &str) -> Values {
    let mut pending = Vec::new();
    let user_pool_id = setup
        .user_pool
        .id
        .clone()
        .or_else(|| known.user_pool_id.clone());
    if user_pool_id.is_none() {
        pending.push(Pending {
            key: "user_pool_id",
            waits_for: format!(
                "the user pool {:?} to be created by apply",
                setup.user_pool.name.as_deref().unwrap_or("")
            ),
        });
    }
    let client_id = setup
        .app_client
        .id
        .clone()
        .or_else(|| known.client_id.clone());
    if client_id.is_none() {
        pending.push(Pending {
            key: "client_id",
            waits_for: format!(
                "the app client {:?} to be created by apply",
                setup.app_client.name.as_deref().unwrap_or("")
            ),
        });
    }
    let domain = domain_host(setup);
    // The setup's own lists win; an adopted client's lists fill in when the setup has none.
    let callback_urls = match (
        &known.callback_urls,
        setup.app_client.callback_urls.is_empty(),
    ) {
        (Some(k), true) => k.clone(),
        _ => setup.app_client.callback_urls.clone(),
    };
    let scopes = match (&known.scopes, setup.app_client.id.is_some()) {
        (Some(k), true) => k.clone(),
        _ => setup.app_client.scopes.clone(),
    };
    let first_callback = callback_urls.first().cloned();
    let provider_name = setup.provider_name().to_string();

    let mut values = Values {
        region: setup.region.clone(),
        user_pool_id: user_pool_id.clone(),
        domain: domain.clone(),
        client_id: client_id.clone(),
        provider_name: provider_name.clone(),
        ..Values::default()
    };

    // Each derived value, with the inputs it waits for.
    let mut need = |key: &'static str, parts: &[(&Option<String>, &str)]| -> bool {
        let missing: Vec<&str> = parts
            .iter()
            .filter(|(v, _)| v.is_none())
            .map(|(_, what)| *what)
            .collect();
        if missing.is_empty() {
            true
        } else {
            pending.push(Pending {
                key,
                waits_for: missing.join(" and "),
            });
            false
        }
    };
    const POOL: &str = "user_pool_id";
    const CLIENT: &str = "client_id";
    const CALLBACK: &str = "a callback URL on the app client";

    match setup.protocol {
        Protocol::Saml => {
            if let Some(id) = &user_pool_id {
                values.entity_id = Some(entity_id(id));
            } else {
                need("entity_id", &[(&user_pool_id, POOL)]);
            }
            if let Some(d) = &domain {
                values.reply_url = Some(reply_url(d));
                if setup.idp_signout() {
                    values.logout_url = Some(saml_logout_url(d));
                }
            }
            if setup.idp_initiated()
                && need(
                    "relay_state",
                    &[(&client_id, CLIENT), (&first_callback, CALLBACK)],
                )
                && let (Some(c), Some(r)) = (&client_id, &first_callback)
            {
                values.relay_state = Some(relay_state(&provider_name, c, r, &scopes));
            }
        }
        Protocol::Oidc => {
            if let Some(d) = &domain {
                values.redirect_uri = Some(oidc_redirect_uri(d));
            }
            // Given by the admin, else by the application Graph made.
            let tenant = setup
                .oidc()
                .tenant_id
                .or_else(|| known.graph_app.as_ref().map(|g| g.tenant.clone()));
            if need("oidc_issuer", &[(&tenant, "oidc.tenant_id (from Entra)")])
                && let Some(t) = &tenant
            {
                values.oidc_issuer = Some(oidc_issuer(authority, t));
            }
        }
    }
    if need(
        "sign_in_url",
        &[(&client_id, CLIENT), (&first_callback, CALLBACK)],
    ) && let (Some(d), Some(c), Some(r)) = (&domain, &client_id, &first_callback)
    {
        values.sign_in_url = Some(sign_in_url(d, &provider_name, c, r, &scopes));
    }
    // The pending entries for IDs come first; drop duplicates of the same key.
    values.pending = pending;
    values
}

/// Every key `values` can show, in the order of the `values --json` contract.
pub const VALUE_KEYS: [&str; 12] = [
    "region",
    "user_pool_id",
    "domain",
    "client_id",
    "provider_name",
    "entity_id",
    "reply_url",
    "logout_url",
    "relay_state",
    "redirect_uri",
    "oidc_issuer",
    "sign_in_url",
];

/// Why a known key has no value for this setup (it belongs to the other protocol, or to an
/// option that is off); `None` when the key is unknown or does apply.
pub fn absent_reason(setup: &Setup, key: &str) -> Option<String> {
    let saml = setup.protocol == Protocol::Saml;
    let name = &setup.name;
    match key {
        "entity_id" | "reply_url" | "relay_state" | "logout_url" if !saml => Some(format!(
            "{key} is a SAML value, and {name} is an OIDC setup (it has redirect_uri and oidc_issuer instead)"
        )),
        "redirect_uri" | "oidc_issuer" if saml => Some(format!(
            "{key} is an OIDC value, and {name} is a SAML setup (it has entity_id and reply_url instead)"
        )),
        "relay_state" => Some(format!(
            "relay_state exists only for sign-in from My Apps: set saml.idp_initiated = true in {name}'s setup"
        )),
        "logout_url" => Some(format!(
            "logout_url exists only with sign-out through Entra: set saml.idp_signout = true in {name}'s setup"
        )),
        _ => None,
    }
}

impl Values {
    /// The values as `(key, value)` in the order of the `values --json` contract; `None` for a
    /// pending value, absent keys for values that do not apply.
    pub fn entries(&self) -> Vec<(&'static str, Option<&str>)> {
        let pending = |k: &str| self.pending.iter().any(|p| p.key == k);
        let mut out: Vec<(&'static str, Option<&str>)> =
            vec![("region", Some(self.region.as_str()))];
        let optional: [(&'static str, &Option<String>); 11] = [
            ("user_pool_id", &self.user_pool_id),
            ("domain", &self.domain),
            ("client_id", &self.client_id),
            ("provider_name", &None),
            ("entity_id", &self.entity_id),
            ("reply_url", &self.reply_url),
            ("logout_url", &self.logout_url),
            ("relay_state", &self.relay_state),
            ("redirect_uri", &self.redirect_uri),
            ("oidc_issuer", &self.oidc_issuer),
            ("sign_in_url", &self.sign_in_url),
        ];
        for (key, value) in optional {
            if key == "provider_name" {
                out.push((key, Some(self.provider_name.as_str())));
            } else if let Some(v) = value {
                out.push((key, Some(v.as_str())));
            } else if pending(key) {
                out.push((key, None));
            }
        }
        out
    }

    pub fn get(&self, key: &str) -> Option<Option<&str>> {
        self.entries()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::model::*;

    fn saml_setup() -> Setup {
        Setup {
            name: "corp".into(),
            protocol: Protocol::Saml,
            region: "us-east-1".into(),
            user_pool: UserPool {
                id: Some("us-east-1_abcd1234".into()),
                name: None,
            },
            domain: Domain {
                prefix: Some("example-corp-prd".into()),
                ..Domain::default()
            },
            app_client: AppClient {
                id: Some("abcd1234567".into()),
                callback_urls: vec!["https://example.com".into()],
                scopes: vec!["openid".into(), "email".into(), "phone".into()],
                ..AppClient::default()
            },
            provider: Provider {
                name: Some("EntraID".into()),
                ..Provider::default()
            },
            saml: Some(SamlOptions {
                idp_initiated: true,
                ..SamlOptions::default()
            }),
            oidc: None,
            entra: EntraSide::default(),
        }
    }

    #[test]
    fn a_callback_with_its_own_query_stays_one_relay_state_value() {
        let scopes = ["openid".to_string(), "email".to_string()];
        assert_eq!(
            relay_state(
                "EntraID",
                "abc",
                "https://app.example.com/cb?tab=1&x=a+b",
                &scopes
            ),
            "identity_provider=EntraID&client_id=abc&redirect_uri=https://app.example.com/cb?tab=1%26x=a%2Bb&response_type=code&scope=openid+email"
        );
        assert_eq!(
            relay_state("EntraID", "abc", "myapp://callback", &scopes),
            "identity_provider=EntraID&client_id=abc&redirect_uri=myapp://callback&response_type=code&scope=openid+email"
        );
        assert_eq!(
            relay_state("EntraID", "abc", "https://app.example.com/café", &scopes),
            "identity_provider=EntraID&client_id=abc&redirect_uri=https://app.example.com/caf%C3%A9&response_type=code&scope=openid+email"
        );
    }

    #[test]
    fn the_published_example() {
        let v = derive(&saml_setup(), &Known::default(), DEFAULT_AUTHORITY);
        assert_eq!(
            v.entity_id.as_deref(),
            Some("urn:amazon:cognito:sp:us-east-1_abcd1234")
        );
        assert_eq!(
            v.reply_url.as_deref(),
            Some("https://example-corp-prd.auth.us-east-1.amazoncognito.com/saml2/idpresponse")
        );
        assert_eq!(
            v.relay_state.as_deref(),
            Some(
                "identity_provider=EntraID&client_id=abcd1234567&redirect_uri=https://example.com&response_type=code&scope=openid+email+phone"
            )
        );
        assert_eq!(
            v.sign_in_url.as_deref(),
            Some(
                "https://example-corp-prd.auth.us-east-1.amazoncognito.com/oauth2/authorize?identity_provider=EntraID&response_type=code&client_id=abcd1234567&redirect_uri=https%3A%2F%2Fexample.com&scope=openid%20email%20phone"
            )
        );
        assert_eq!(v.logout_url, None);
        assert_eq!(v.redirect_uri, None);
        assert!(v.pending.is_empty());
    }

    #[test]
    fn table_of_derivations() {
        struct Case {
            what: &'static str,
            change: fn(&mut Setup),
            key: &'static str,
            expect: Option<&'static str>,
        }
        let cases = [
            Case {
                what: "custom domain reply URL",
                change: |s| {
                    s.domain = Domain {
                        custom: Some("Auth.Example.com".into()),
                        ..Domain::default()
                    }
                },
                key: "reply_url",
                expect: Some("https://auth.example.com/saml2/idpresponse"),
            },
            Case {
                what: "IdP sign-out gives the logout URL",
                change: |s| {
                    if let Some(saml) = s.saml.as_mut() {
                        saml.idp_signout = true;
                    }
                },
                key: "logout_url",
                expect: Some(
                    "https://example-corp-prd.auth.us-east-1.amazoncognito.com/saml2/logout",
                ),
            },
            Case {
                what: "no relay state when SP-initiated",
                change: |s| s.saml = Some(SamlOptions::default()),
                key: "relay_state",
                expect: None,
            },
            Case {
                what: "prefix domain follows the region",
                change: |s| {
                    s.region = "ap-northeast-1".into();
                    s.user_pool.id = Some("ap-northeast-1_Hk3Lm9QwE".into());
                },
                key: "entity_id",
                expect: Some("urn:amazon:cognito:sp:ap-northeast-1_Hk3Lm9QwE"),
            },
            Case {
                what: "OIDC redirect URI",
                change: |s| {
                    s.protocol = Protocol::Oidc;
                    s.saml = None;
                },
                key: "redirect_uri",
                expect: Some(
                    "https://example-corp-prd.auth.us-east-1.amazoncognito.com/oauth2/idpresponse",
                ),
            },
            Case {
                what: "OIDC issuer from the tenant",
                change: |s| {
                    s.protocol = Protocol::Oidc;
                    s.saml = None;
                    s.oidc = Some(OidcOptions {
                        tenant_id: Some("8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b".into()),
                        ..OidcOptions::default()
                    });
                },
                key: "oidc_issuer",
                expect: Some(
                    "https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/v2.0",
                ),
            },
            Case {
                what: "sign-in URL encodes a provider name with spaces and a callback with a query",
                change: |s| {
                    s.provider.name = Some("Entra ID".into());
                    s.app_client.callback_urls = vec!["http://localhost:3000/cb?x=1".into()];
                    s.app_client.scopes = vec!["openid".into()];
                },
                key: "sign_in_url",
                expect: Some(
                    "https://example-corp-prd.auth.us-east-1.amazoncognito.com/oauth2/authorize?identity_provider=Entra%20ID&response_type=code&client_id=abcd1234567&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb%3Fx%3D1&scope=openid",
                ),
            },
        ];
        for case in cases {
            let mut setup = saml_setup();
            (case.change)(&mut setup);
            let v = derive(&setup, &Known::default(), DEFAULT_AUTHORITY);
            let got = v.get(case.key).flatten();
            assert_eq!(got, case.expect, "{}", case.what);
        }
    }

    #[test]
    fn ids_that_do_not_exist_yet_are_pending_never_invented() {
        let mut setup = saml_setup();
        setup.user_pool = UserPool {
            id: None,
            name: Some("corp-users".into()),
        };
        setup.app_client.id = None;
        setup.app_client.name = Some("web".into());
        let v = derive(&setup, &Known::default(), DEFAULT_AUTHORITY);
        assert_eq!(v.user_pool_id, None);
        assert_eq!(v.entity_id, None);
        assert_eq!(v.relay_state, None);
        assert_eq!(v.sign_in_url, None);
        // The reply URL needs only the domain.
        assert!(v.reply_url.is_some());
        let keys: Vec<&str> = v.pending.iter().map(|p| p.key).collect();
        assert_eq!(
            keys,
            [
                "user_pool_id",
                "client_id",
                "entity_id",
                "relay_state",
                "sign_in_url"
            ]
        );
        assert!(v.pending[0].waits_for.contains("corp-users"));
        assert_eq!(v.get("entity_id"), Some(None));

        // Once apply has created them, the state's IDs fill in.
        let known = Known {
            user_pool_id: Some("us-east-1_NEW".into()),
            client_id: Some("newclient".into()),
            ..Known::default()
        };
        let v = derive(&setup, &known, DEFAULT_AUTHORITY);
        assert_eq!(
            v.entity_id.as_deref(),
            Some("urn:amazon:cognito:sp:us-east-1_NEW")
        );
        assert!(v.pending.is_empty());
    }
}
