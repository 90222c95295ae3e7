//! What the tool knows of a Cognito account, in its own types: the pools, domains, providers
//! and clients as read, and the IDs changes produce. The plan and the state speak these; the
//! Cognito crate fills them from the SDK (or its in-memory fake).

use std::collections::BTreeMap;

/// A pool as the list call shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSummary {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pool {
    pub id: String,
    pub name: String,
    /// The Cognito prefix domain on the pool, if any.
    pub domain: Option<String>,
    pub custom_domain: Option<String>,
    /// Attributes the pool requires at sign-up (each must be mapped, or first sign-in fails).
    pub required_attributes: Vec<String>,
    /// The pool's schema, standard and `custom:` attributes (empty: not read).
    pub attributes: Vec<PoolAttribute>,
    /// AutoVerifiedAttributes: `email`, `phone_number`.
    pub auto_verified: Vec<String>,
    /// What users sign in with besides a user name (UsernameAttributes and AliasAttributes).
    pub sign_in_by: Vec<String>,
    /// The pool's feature plan (`UserPoolTier`: `LITE`, `ESSENTIALS`, `PLUS`); `None` when
    /// Cognito did not say (then nothing is judged by it).
    pub tier: Option<String>,
}

/// Why a pool's feature plan rules out an option of the setup, by the option's field:
/// checked against AWS's "User pool feature plans" page. Lite offers the classic hosted UI
/// only; SAML and OIDC federation, identifiers, signed requests, encrypted assertions and
/// sign-out are in every plan.
pub fn tier_refusal(pool: &Pool, managed_login: bool) -> Option<(String, String)> {
    let lite = pool.tier.as_deref() == Some("LITE");
    (lite && managed_login).then(|| {
        (
            format!(
                "the pool {} is on the Lite feature plan, which offers only the classic hosted UI: managed login and its branding need Essentials or Plus",
                pool.id
            ),
            "set managed_login = false (the classic hosted UI federates with Entra the same way), or move the pool to Essentials (Cognito console › the pool › Settings › Feature plan; its per-user price differs, see Amazon Cognito Pricing) and plan again".to_string(),
        )
    })
}

/// What users who sign in through Entra cost, said where the admin chooses the pool and in
/// the plan that creates the provider.
pub const FEDERATED_PRICING: &str = "Entra's users count as federated monthly active users, billed apart from the pool's plan: 50 of them are free per account (not 50,000), none in GovCloud (Amazon Cognito Pricing).";

/// One attribute of a pool's schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolAttribute {
    /// As the schema names it; custom ones with their `custom:` prefix.
    pub name: String,
    pub mutable: bool,
}

/// Cognito's `ManagedLoginVersion` for a domain: 1 the classic hosted UI, 2 managed login.
pub fn managed_login_version(managed_login: bool) -> i32 {
    if managed_login { 2 } else { 1 }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DomainInfo {
    pub domain: String,
    pub user_pool_id: String,
    pub status: Option<String>,
    /// 1 = classic hosted UI, 2 = managed login.
    pub managed_login_version: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProviderType {
    Saml,
    Oidc,
    Other,
}

impl ProviderType {
    pub fn as_aws(self) -> &'static str {
        match self {
            ProviderType::Saml => "SAML",
            ProviderType::Oidc => "OIDC",
            ProviderType::Other => "Other",
        }
    }
    pub fn from_aws(s: &str) -> ProviderType {
        match s {
            "SAML" => ProviderType::Saml,
            "OIDC" => ProviderType::Oidc,
            _ => ProviderType::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSummary {
    pub name: String,
    pub provider_type: ProviderType,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProviderInfo {
    pub name: String,
    pub provider_type: ProviderType,
    pub details: BTreeMap<String, String>,
    pub attribute_mapping: BTreeMap<String, String>,
    /// IdpIdentifiers: names and email domains that route a user to this provider. As read,
    /// always `Some`; in a change, `None` keeps what the provider has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_identifiers: Option<Vec<String>>,
}

/// Provider details Cognito adds itself; never sent back.
pub const READ_ONLY_DETAILS: [&str; 3] = [
    "ActiveEncryptionCertificate",
    "SLORedirectBindingURI",
    "SSORedirectBindingURI",
];

/// Every field of an app client that UpdateUserPoolClient would reset when omitted.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ClientConfig {
    pub client_id: Option<String>,
    pub client_name: String,
    pub generate_secret: bool,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    pub default_redirect_uri: Option<String>,
    pub allowed_oauth_flows: Vec<String>,
    pub allowed_oauth_scopes: Vec<String>,
    pub allowed_oauth_flows_user_pool_client: bool,
    pub supported_identity_providers: Vec<String>,
    pub explicit_auth_flows: Vec<String>,
    pub read_attributes: Vec<String>,
    pub write_attributes: Vec<String>,
    pub refresh_token_validity: Option<i32>,
    pub access_token_validity: Option<i32>,
    pub id_token_validity: Option<i32>,
    /// (access, id, refresh) units: "seconds" | "minutes" | "hours" | "days".
    pub token_validity_units: Option<(Option<String>, Option<String>, Option<String>)>,
    pub prevent_user_existence_errors: Option<String>,
    pub enable_token_revocation: Option<bool>,
    pub enable_propagate_additional_user_context_data: Option<bool>,
    pub auth_session_validity: Option<i32>,
    /// Whether the client has a secret (never the secret itself).
    pub has_secret: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSummary {
    pub id: String,
    pub name: String,
}

/// What the setup made itself, as its state records it (not what it adopted). For what it
/// made the setup is the whole truth, as in Terraform: a callback URL or a mapped claim taken
/// out of the setup is taken off Cognito. What it adopted keeps what others added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Created {
    pub client: bool,
    pub provider: bool,
}

/// IDs that changes produce and later changes need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    pub user_pool_id: Option<String>,
    pub client_id: Option<String>,
}

impl Ids {
    /// Takes what `other` learned (a created pool's or client's ID).
    pub fn learn(&mut self, other: &Ids) {
        if other.user_pool_id.is_some() {
            self.user_pool_id.clone_from(&other.user_pool_id);
        }
        if other.client_id.is_some() {
            self.client_id.clone_from(&other.client_id);
        }
    }
}
