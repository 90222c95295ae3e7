//! The admin's answers: what the setup file says and what the wizard asks for.
//!
//! This is the schema of the setup file (`--config FILE`) and of the `[answers]` table of the
//! state file. It holds no secret: the OIDC client secret comes from the environment or a
//! prompt and is never part of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How Cognito and Entra talk to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Saml,
    Oidc,
}

impl Protocol {
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Saml => "SAML",
            Protocol::Oidc => "OIDC",
        }
    }

    /// The provider name used when the setup does not give one.
    pub fn default_provider_name(self) -> &'static str {
        match self {
            Protocol::Saml => "EntraID",
            Protocol::Oidc => "entra",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// The setup's name: names the state file and the certificate files.
    pub name: String,
    pub protocol: Protocol,
    pub region: String,
    #[serde(default)]
    pub user_pool: UserPool,
    #[serde(default)]
    pub domain: Domain,
    #[serde(default)]
    pub app_client: AppClient,
    #[serde(default)]
    pub provider: Provider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml: Option<SamlOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcOptions>,
    /// Who does the Entra side: the admin in the portal (default), or the tool through
    /// Microsoft Graph.
    #[serde(default, skip_serializing_if = "EntraSide::is_manual")]
    pub entra: EntraSide,
}

/// How the Entra side gets done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntraMode {
    /// The admin follows the portal screens; the tool checks what comes back.
    #[default]
    Manual,
    /// The tool creates and configures the Entra application through Microsoft Graph.
    Graph,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraSide {
    #[serde(default)]
    pub mode: EntraMode,
    /// The Entra application's display name [default: the setup's name].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Adopt this existing application (its Application (client) ID) instead of creating one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The tenant Graph works in (its GUID or a verified domain): the sign-in goes there, and
    /// a token for another tenant stops the run before any write. Unset: wherever the
    /// admin's account signs in (then recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The Microsoft cloud the tenant is in: "global", "usgov" (US Government) or "china"
    /// (21Vianet). `--cloud` / COGNITO_ENTRA_CLOUD, when given, wins. Unset: global.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
    /// Users (by user principal name, `ada@contoso.com`) and groups (by display name) who may
    /// sign in: assigned to the application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assign: Vec<String>,
    /// SAML, mode graph: the addresses Entra mails before the application's SAML signing
    /// certificate expires (the service principal's `notificationEmailAddresses`). Empty: the
    /// application's list is left as it is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
}

impl EntraSide {
    /// The cloud the setup names (a name `validate` has not refused).
    pub fn cloud(&self) -> Option<crate::cloud::Cloud> {
        self.cloud
            .as_deref()
            .and_then(crate::cloud::Cloud::from_name)
    }

    pub fn is_manual(&self) -> bool {
        *self == EntraSide::default()
    }
}

/// Adopt an existing pool by `id`, or create one named `name`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A Cognito prefix domain (created when missing) or a custom domain the admin already set up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<String>,
    /// Use the newer managed login pages instead of the classic hosted UI for a new domain.
    #[serde(default, skip_serializing_if = "is_false")]
    pub managed_login: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OAuthFlow {
    Code,
    Implicit,
}

impl OAuthFlow {
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthFlow::Code => "code",
            OAuthFlow::Implicit => "implicit",
        }
    }
}

/// Adopt an existing app client by `id`, or create one named `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppClient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub callback_urls: Vec<String>,
    #[serde(default)]
    pub logout_urls: Vec<String>,
    #[serde(default = "default_client_scopes")]
    pub scopes: Vec<String>,
    #[serde(default = "default_flows")]
    pub oauth_flows: Vec<OAuthFlow>,
    #[serde(default)]
    pub generate_secret: bool,
    /// Whether Cognito's own user names and passwords also sign in through this client
    /// (the `COGNITO` provider). Unset: a new client gets only the Entra provider, an
    /// adopted client keeps what it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_cognito_sign_in: Option<bool>,
    /// Take every other identity provider off the client (needed for IdP-initiated SAML on a
    /// client that lists `COGNITO` or non-SAML providers).
    #[serde(default, skip_serializing_if = "is_false")]
    pub remove_other_providers: bool,
    /// The setup's callback URLs, sign-out URLs, scopes and flows are the client's whole
    /// lists even on an adopted client: what else it holds is removed. A client the setup
    /// made is always held to them.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exact_lists: bool,
}

impl Default for AppClient {
    fn default() -> Self {
        AppClient {
            id: None,
            name: None,
            callback_urls: Vec::new(),
            logout_urls: Vec::new(),
            scopes: default_client_scopes(),
            oauth_flows: default_flows(),
            generate_secret: false,
            allow_cognito_sign_in: None,
            remove_other_providers: false,
            exact_lists: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Defaults to `EntraID` (SAML) or `entra` (OIDC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Cognito attribute -> claim name from Entra. Empty: the protocol's defaults.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attribute_mapping: BTreeMap<String, String>,
    /// IdpIdentifiers: names and email domains that send a user to this provider
    /// (`idp_identifier=` on the authorize URL; with SAML, the managed login page's
    /// "corporate email" routing). Absent: an adopted provider keeps its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Vec<String>>,
    /// The setup's mapping is the provider's whole mapping even on an adopted provider:
    /// attributes others mapped are unmapped. A provider the setup made is always held to it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exact_mapping: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_file: Option<String>,
    #[serde(default)]
    pub idp_initiated: bool,
    #[serde(default)]
    pub sign_requests: bool,
    #[serde(default)]
    pub encrypted_responses: bool,
    #[serde(default)]
    pub idp_signout: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RequestMethod {
    #[default]
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
}

impl RequestMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestMethod::Get => "GET",
            RequestMethod::Post => "POST",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default = "default_oidc_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub attributes_request_method: RequestMethod,
}

impl Default for OidcOptions {
    fn default() -> Self {
        OidcOptions {
            tenant_id: None,
            client_id: None,
            scopes: default_oidc_scopes(),
            attributes_request_method: RequestMethod::Get,
        }
    }
}

pub const SAML_EMAIL_CLAIM: &str =
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
pub const SAML_GIVEN_NAME_CLAIM: &str =
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
pub const SAML_SURNAME_CLAIM: &str =
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname";
pub const SAML_DISPLAY_NAME_CLAIM: &str =
    "http://schemas.microsoft.com/identity/claims/displayname";
pub const SAML_GROUPS_CLAIM: &str =
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";

/// The mapping Entra's default claim set supports out of the box.
pub fn default_attribute_mapping(protocol: Protocol) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = match protocol {
        Protocol::Saml => &[
            ("email", SAML_EMAIL_CLAIM),
            ("given_name", SAML_GIVEN_NAME_CLAIM),
            ("family_name", SAML_SURNAME_CLAIM),
        ],
        Protocol::Oidc => &[
            ("email", "email"),
            ("given_name", "given_name"),
            ("family_name", "family_name"),
            ("username", "sub"),
        ],
    };
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn default_client_scopes() -> Vec<String> {
    vec!["openid".into(), "email".into(), "profile".into()]
}

fn default_oidc_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}

fn default_flows() -> Vec<OAuthFlow> {
    vec![OAuthFlow::Code]
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Setup {
    /// A setup with only its name and protocol, as the wizard starts one: every answer to come.
    pub fn blank(name: &str, protocol: Protocol) -> Setup {
        Setup {
            name: name.to_string(),
            protocol,
            region: String::new(),
            user_pool: UserPool::default(),
            domain: Domain::default(),
            app_client: AppClient::default(),
            provider: Provider::default(),
            saml: None,
            oidc: None,
            entra: EntraSide::default(),
        }
    }

    pub fn provider_name(&self) -> &str {
        self.provider
            .name
            .as_deref()
            .unwrap_or(self.protocol.default_provider_name())
    }

    /// The attribute mapping that will be sent: the file's, or the protocol's defaults.
    pub fn attribute_mapping(&self) -> BTreeMap<String, String> {
        if self.provider.attribute_mapping.is_empty() {
            default_attribute_mapping(self.protocol)
        } else {
            self.provider.attribute_mapping.clone()
        }
    }

    pub fn saml(&self) -> SamlOptions {
        self.saml.clone().unwrap_or_default()
    }

    pub fn oidc(&self) -> OidcOptions {
        self.oidc.clone().unwrap_or_default()
    }

    pub fn idp_initiated(&self) -> bool {
        self.protocol == Protocol::Saml && self.saml.as_ref().is_some_and(|s| s.idp_initiated)
    }

    pub fn idp_signout(&self) -> bool {
        self.protocol == Protocol::Saml && self.saml.as_ref().is_some_and(|s| s.idp_signout)
    }

    pub fn uses_code_flow(&self) -> bool {
        self.app_client.oauth_flows.contains(&OAuthFlow::Code)
    }
}
