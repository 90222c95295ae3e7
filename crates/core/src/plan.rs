//! Desired (the answers) against actual (what the live account holds) gives an ordered list
//! of changes, like `terraform plan`. Pure: the observation and the Entra checks come in as
//! data. The same list is printed, shown as JSON, reviewed in the wizard, and applied.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::account::{
    ClientConfig, Created, DomainInfo, Pool, ProviderInfo, ProviderSummary, ProviderType,
    READ_ONLY_DETAILS,
};
use crate::entra_facts::Discovery;
use crate::mapping;
use crate::setup::derive::domain_host;
use crate::setup::{Protocol, Setup};

/// What the live account holds for this setup (from describe calls).
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// `None`: the pool is to be created.
    pub pool: Option<Pool>,
    /// The owner of the wanted prefix domain, if any pool has it.
    pub domain: Option<DomainInfo>,
    /// Every provider on the pool (names and types).
    pub providers: Vec<ProviderSummary>,
    /// Our provider as it stands, if it exists.
    pub provider: Option<ProviderInfo>,
    /// `None`: the client is to be created.
    pub client: Option<ClientConfig>,
    /// The client has a managed login branding style (read from the account).
    pub branding_done: bool,
    /// Resources the state file records that no longer exist.
    pub gone: Vec<Gone>,
    /// The identifiers every other provider on the pool routes (read only when this setup
    /// adds identifiers to its provider: `pool_rules::identifier_conflicts`).
    pub routes: Vec<crate::pool_rules::ProviderRoutes>,
}

/// Another saved setup, as far as this one's plan must know it: the pool it works on, its
/// provider and its client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherSetup {
    pub name: String,
    pub pool_id: String,
    pub provider: String,
    pub client_id: Option<String>,
    /// The Entra application its Graph side made or adopted (Application (client) ID).
    pub graph_app_id: Option<String>,
}

/// What another saved setup on the same pool already owns and this plan would take over:
/// its provider (same name: the two would overwrite each other's Entra metadata), or its app
/// client found by name where this setup asked for a new one. Sharing a client on purpose
/// (`app_client.id`) is allowed; each customer's provider of its own is the point (#24).
pub fn claimed_by_others(
    setup: &Setup,
    observed: &Observed,
    others: &[OtherSetup],
) -> Vec<Refusal> {
    let Some(pool) = &observed.pool else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let ours = setup.provider_name();
    for other in others.iter().filter(|o| o.pool_id == pool.id) {
        if other.provider == ours && observed.providers.iter().any(|p| p.name == ours) {
            out.push(Refusal {
                field: "provider.name".into(),
                problem: format!(
                    "the pool's identity provider {ours} is setup {:?}'s: this setup would overwrite its Entra metadata and options",
                    other.name
                ),
                fix: format!(
                    "give this setup's provider a name of its own (provider.name = \"...\"), or continue {:?} instead (cognito-entra wizard --setup {})",
                    other.name, other.name
                ),
            });
        }
        if setup.app_client.id.is_none()
            && let Some(found) = observed.client.as_ref().and_then(|c| c.client_id.clone())
            && other.client_id.as_deref() == Some(found.as_str())
        {
            out.push(Refusal {
                field: "app_client.name".into(),
                problem: format!(
                    "a new app client named {:?} was asked for, and the pool's client of that name ({found}) is setup {:?}'s: it would be taken over",
                    setup.app_client.name.clone().unwrap_or_default(),
                    other.name
                ),
                fix: format!(
                    "choose another name for the new client, or share that one on purpose with app_client.id = \"{found}\""
                ),
            });
        }
    }
    out
}

/// A resource this setup recorded that the account no longer has (deleted in the console,
/// or another account or region in use): re-creating it is a change the admin must see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gone {
    pub resource: Resource,
    pub id: String,
}

/// What came back from Entra, checked.
#[derive(Debug, Clone, Default)]
pub struct EntraInput {
    pub metadata_url: Option<String>,
    /// The content of a metadata file.
    pub metadata_file: Option<String>,
    pub discovery: Option<Discovery>,
    /// The OIDC client secret, when given (environment or prompt). Never printed.
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Create,
    Update,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Resource {
    UserPool,
    Domain,
    IdentityProvider,
    AppClient,
    Branding,
}

impl Resource {
    pub fn key(self) -> &'static str {
        match self {
            Resource::UserPool => "user_pool",
            Resource::Domain => "domain",
            Resource::IdentityProvider => "identity_provider",
            Resource::AppClient => "app_client",
            Resource::Branding => "branding",
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            Resource::UserPool => "user pool",
            Resource::Domain => "domain",
            Resource::IdentityProvider => "identity provider",
            Resource::AppClient => "app client",
            Resource::Branding => "managed login branding",
        }
    }
}

/// One field a change sets: its old value (updates) and new value, as shown to the admin.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    pub name: String,
    pub old: Option<String>,
    pub new: String,
}

/// What apply sends for a change.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Payload {
    CreatePool { name: String },
    CreateDomain { prefix: String, managed_login: bool },
    CreateProvider(ProviderInfo),
    UpdateProvider(ProviderInfo),
    CreateClient(ClientConfig),
    UpdateClient(ClientConfig),
    CreateBranding,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub action: Action,
    pub resource: Resource,
    pub name: String,
    pub fields: Vec<Field>,
    pub payload: Payload,
}

impl Change {
    /// The id recorded in the state file once the change is applied.
    pub fn id(&self) -> String {
        let verb = match self.action {
            Action::Create => "create",
            Action::Update => "update",
        };
        format!("{verb} {} {}", self.resource.key(), self.name)
    }

    /// "Creating SAML provider EntraID…" and the like, for progress lines and spinners.
    pub fn describe(&self) -> String {
        let verb = match self.action {
            Action::Create => "create",
            Action::Update => "update",
        };
        format!("{verb} {} {}", self.resource.words(), self.name)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub region: String,
    pub changes: Vec<Change>,
    /// Consequences the admin must know before applying (not errors).
    pub consequences: Vec<String>,
    /// What an adopted client or provider holds that the setup does not say, kept as it is
    /// ("app client web: callback URL http://localhost:3000/").
    pub kept: Vec<String>,
}

pub use crate::refusal::Refusal;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--remove-other-providers`, or the setup's own flag.
    pub remove_other_providers: bool,
    pub phase: Phase,
    /// Which of the client and provider the setup made: for those, what the setup no longer
    /// says is removed.
    pub created: Created,
}

/// How much of the setup to plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    /// Everything: pool, domain, provider, client, branding.
    #[default]
    Full,
    /// What must exist before the admin goes to Entra (the values Entra needs name the pool
    /// and the client): the pool, the domain, and the client, still without any provider and
    /// with OAuth off. The full plan then adds the provider and turns the client on.
    Prepare,
}

const SECRET_SHOWN: &str = "(hidden)";

/// The provider details this tool decides (for either protocol); any other detail on an
/// existing provider is the admin's and is sent back as it is.
const MANAGED_DETAILS: [&str; 15] = [
    "MetadataURL",
    "MetadataFile",
    "IDPSignout",
    "IDPInit",
    "EncryptedResponses",
    "RequestSigningAlgorithm",
    "client_id",
    "client_secret",
    "attributes_request_method",
    "oidc_issuer",
    "authorize_scopes",
    "authorize_url",
    "token_url",
    "attributes_url",
    "jwks_uri",
];

/// Computes the changes. Every refusal is returned together.
pub fn plan(
    setup: &Setup,
    observed: &Observed,
    entra: &EntraInput,
    options: Options,
) -> Result<Plan, Vec<Refusal>> {
    let mut refusals = Vec::new();
    let mut changes = Vec::new();
    let mut consequences = Vec::new();
    let mut kept = Vec::new();
    let provider_name = setup.provider_name().to_string();

    // Recorded resources that are gone are said before anything else: re-creating them
    // changes values Entra and the app already hold.
    for g in &observed.gone {
        consequences.push(match g.resource {
            Resource::UserPool => format!(
                "The user pool {} this setup recorded no longer exists (deleted, or another AWS account or region is in use). Apply creates a new pool: its ID, and with it the Entity ID and every value Entra holds, change.",
                g.id
            ),
            _ => format!(
                "The {} {} this setup recorded no longer exists in the pool. Apply creates a new one: its client ID, and the Relay State that names it, change.",
                g.resource.words(),
                g.id
            ),
        });
    }

    // 1. The pool.
    if observed.pool.is_none() {
        let name = setup.user_pool.name.clone().unwrap_or_default();
        let mut fields = vec![field("name", None, &name)];
        if let Some(g) = observed
            .gone
            .iter()
            .find(|g| g.resource == Resource::UserPool)
        {
            fields.push(field(
                "replaces",
                Some(&g.id),
                "a new pool (the recorded one is gone)",
            ));
        }
        changes.push(Change {
            action: Action::Create,
            resource: Resource::UserPool,
            name: name.clone(),
            fields,
            payload: Payload::CreatePool { name },
        });
    }
    let pool_id = observed.pool.as_ref().map(|p| p.id.clone());

    // 2. The domain.
    plan_domain(
        setup,
        observed,
        pool_id.as_deref(),
        &mut changes,
        &mut refusals,
    );

    if options.phase == Phase::Prepare {
        if observed.client.is_none() {
            let name = setup.app_client.name.clone().unwrap_or_default();
            let config = ClientConfig {
                client_name: name.clone(),
                generate_secret: setup.app_client.generate_secret,
                callback_urls: setup.app_client.callback_urls.clone(),
                logout_urls: setup.app_client.logout_urls.clone(),
                explicit_auth_flows: vec!["ALLOW_REFRESH_TOKEN_AUTH".into()],
                prevent_user_existence_errors: Some("ENABLED".into()),
                enable_token_revocation: Some(true),
                ..ClientConfig::default()
            };
            changes.push(Change {
                action: Action::Create,
                resource: Resource::AppClient,
                name,
                fields: vec![
                    field("callback_urls", None, &config.callback_urls.join(", ")),
                    field("sign-in", None, "off until the Entra provider is added"),
                ],
                payload: Payload::CreateClient(config),
            });
        }
        return if refusals.is_empty() {
            Ok(Plan {
                region: setup.region.clone(),
                changes,
                consequences,
                kept: Vec::new(),
            })
        } else {
            Err(refusals)
        };
    }

    // 3. The identity provider.
    let desired = desired_provider(setup, observed, entra, &mut refusals);
    if let Some(desired) = &desired {
        match &observed.provider {
            None => changes.push(Change {
                action: Action::Create,
                resource: Resource::IdentityProvider,
                name: provider_name.clone(),
                fields: provider_fields(desired, None),
                payload: Payload::CreateProvider(desired.clone()),
            }),
            Some(current) if current.provider_type != desired.provider_type => refusals.push(Refusal {
                field: "provider.name".into(),
                problem: format!(
                    "the pool already has a {} provider named {provider_name}, and this setup is {}",
                    current.provider_type.as_aws(),
                    setup.protocol.label()
                ),
                fix: "choose another provider name, or delete the existing provider in the Cognito console".into(),
            }),
            Some(current) => {
                let holds_whole_mapping =
                    options.created.provider || setup.provider.exact_mapping;
                let mapping = mapping_to_send(
                    setup.protocol,
                    &current.attribute_mapping,
                    &desired.attribute_mapping,
                    holds_whole_mapping,
                );
                let mut fields = provider_fields(desired, Some(current));
                let unmapped = removed_keys(&current.attribute_mapping, &mapping);
                for attr in &unmapped {
                    fields.push(field(
                        &format!("mapping.{attr}"),
                        current.attribute_mapping.get(attr).map(String::as_str),
                        "(removed)",
                    ));
                }
                if !unmapped.is_empty() {
                    consequences.push(format!(
                        "Taken out of the setup, so unmapped on provider {provider_name}: {}.",
                        unmapped.join(", ")
                    ));
                }
                if !holds_whole_mapping {
                    let others = mapping_beyond(setup, &current.attribute_mapping);
                    if !others.is_empty() {
                        kept.push(format!(
                            "identity provider {provider_name} (adopted): mapping {} (exact_mapping = true under [provider] unmaps them)",
                            others.join(", ")
                        ));
                    }
                }
                if !fields.is_empty() {
                    let mut send = desired.clone();
                    send.attribute_mapping = mapping;
                    // So are provider details this tool does not manage: the update
                    // replaces the whole map, and what it leaves out is gone.
                    let mut details: BTreeMap<String, String> = current
                        .details
                        .iter()
                        .filter(|(k, _)| {
                            !READ_ONLY_DETAILS.contains(&k.as_str())
                                && !MANAGED_DETAILS.contains(&k.as_str())
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    details.extend(desired.details.clone());
                    send.details = details;
                    changes.push(Change {
                        action: Action::Update,
                        resource: Resource::IdentityProvider,
                        name: provider_name.clone(),
                        fields,
                        payload: Payload::UpdateProvider(send),
                    });
                }
            }
        }
    }

    // Email-domain routing on Cognito's sign-in page is for SAML providers only (developer
    // guide, "Naming SAML identity providers"); with OIDC an identifier works only as
    // idp_identifier=.
    if setup.protocol == Protocol::Oidc
        && let Some(ids) = &setup.provider.identifiers
        && let Some(domain) = ids.iter().find(|i| i.contains('.') && !i.contains(' '))
    {
        consequences.push(format!("Identifier {domain} looks like an email domain: Cognito's sign-in page routes users by email domain to SAML providers only, so with OIDC it works only when an app passes idp_identifier={domain}."));
    }

    // The mapping's targets: each must exist, be mutable and writable by the client, and
    // each required attribute must be filled, or sign-in fails.
    refusals.extend(mapping::refusals(
        setup,
        observed.pool.as_ref(),
        observed.client.as_ref(),
    ));
    consequences.extend(mapping::consequences(setup, observed.pool.as_ref()));

    // 4. The app client.
    plan_client(
        setup,
        observed,
        options,
        &mut changes,
        &mut consequences,
        &mut kept,
        &mut refusals,
    );

    // What the pool's feature plan does not offer, before anything is written.
    if let Some(pool) = &observed.pool
        && let Some((problem, fix)) = crate::account::tier_refusal(
            pool,
            setup.domain.managed_login && setup.domain.prefix.is_some(),
        )
    {
        refusals.push(Refusal {
            field: "domain.managed_login".into(),
            problem,
            fix,
        });
    }
    if observed.provider.is_none() {
        consequences.push(crate::account::FEDERATED_PRICING.to_string());
    }

    // 5. Managed login branding for a client on a managed-login domain.
    if setup.domain.managed_login && setup.domain.prefix.is_some() && !observed.branding_done {
        changes.push(Change {
            action: Action::Create,
            resource: Resource::Branding,
            name: setup
                .app_client
                .name
                .clone()
                .or_else(|| setup.app_client.id.clone())
                .unwrap_or_default(),
            fields: vec![field("style", None, "Cognito's default")],
            payload: Payload::CreateBranding,
        });
    }

    if setup.protocol == Protocol::Saml && setup.saml().encrypted_responses {
        let already = observed.provider.as_ref().is_some_and(|p| {
            p.details.get("EncryptedResponses").map(String::as_str) == Some("true")
        });
        if !already {
            consequences.push("Encrypted assertions go on: until Entra has the encryption certificate, every sign-in fails. Apply writes the certificate; it goes to Entra right after (through Graph when the tool makes the application, else Token encryption › Import › Activate).".into());
        }
    }

    if setup.protocol == Protocol::Saml && setup.saml().idp_signout {
        // Both providers' documentation, side by side (docs/troubleshooting.md, "Signing out
        // of Entra too"): the request goes by redirect, the answer is expected by POST.
        consequences.push("Sign-out of Entra is on: Cognito's /logout sends a signed LogoutRequest by redirect to Entra's SingleLogoutService (Entra accepts the redirect binding only), and expects Entra's LogoutResponse by HTTP POST at /saml2/logout. Entra needs Cognito's signing certificate (Verification certificates) and the Logout Url; test sign-out end to end (docs/troubleshooting.md).".into());
    }

    if refusals.is_empty() {
        Ok(Plan {
            region: setup.region.clone(),
            changes,
            consequences,
            kept,
        })
    } else {
        Err(refusals)
    }
}

fn field(name: &str, old: Option<&str>, new: &str) -> Field {
    Field {
        name: name.to_string(),
        old: old.map(str::to_string),
        new: new.to_string(),
    }
}

fn plan_domain(
    setup: &Setup,
    observed: &Observed,
    pool_id: Option<&str>,
    changes: &mut Vec<Change>,
    refusals: &mut Vec<Refusal>,
) {
    if let Some(custom) = &setup.domain.custom {
        let on_pool = observed.pool.as_ref().and_then(|p| p.custom_domain.clone());
        if on_pool.as_deref().map(str::to_ascii_lowercase) != Some(custom.to_ascii_lowercase()) {
            refusals.push(Refusal {
                field: "domain.custom".into(),
                problem: match (&observed.pool, on_pool) {
                    (None, _) => format!("{custom} cannot be on a pool that apply is about to create"),
                    (Some(_), Some(other)) => format!("the pool's custom domain is {other}, not {custom}"),
                    (Some(_), None) => format!("the pool has no custom domain {custom}"),
                },
                fix: "set up the custom domain on the pool first (it needs an ACM certificate in us-east-1 and a DNS record), or use prefix = \"...\" for a Cognito domain".into(),
            });
        }
        return;
    }
    let Some(prefix) = &setup.domain.prefix else {
        return;
    };
    match &observed.domain {
        Some(d) if Some(d.user_pool_id.as_str()) == pool_id => {}
        Some(d) => refusals.push(Refusal {
            field: "domain.prefix".into(),
            problem: format!(
                "{prefix} is already taken by another user pool ({}), in this account or another",
                d.user_pool_id
            ),
            fix: "choose another prefix; prefixes are unique per region across all AWS accounts"
                .into(),
        }),
        None => {
            if let Some(existing) = observed.pool.as_ref().and_then(|p| p.domain.clone()) {
                refusals.push(Refusal {
                    field: "domain.prefix".into(),
                    problem: format!(
                        "the pool already has the domain {existing}; a pool has one Cognito domain"
                    ),
                    fix: format!("set prefix = \"{existing}\" to keep it"),
                });
                return;
            }
            let ui = if setup.domain.managed_login {
                "managed login"
            } else {
                "classic hosted UI"
            };
            changes.push(Change {
                action: Action::Create,
                resource: Resource::Domain,
                name: prefix.clone(),
                fields: vec![
                    field("domain", None, &domain_host(setup).unwrap_or_default()),
                    field("pages", None, ui),
                ],
                payload: Payload::CreateDomain {
                    prefix: prefix.clone(),
                    managed_login: setup.domain.managed_login,
                },
            });
        }
    }
}

/// The provider as Cognito should have it. `None` when inputs are missing (refusals added).
/// The provider details this setup wants, from its answers and what Entra serves: the one
/// definition `plan`, `doctor` and `export` share. OIDC endpoints come from the discovery
/// document of the setup's authority (sovereign clouds have their own); the client secret is
/// added only when given. `Err` names what is missing.
pub fn desired_details(
    setup: &Setup,
    entra: &EntraInput,
    client_secret: Option<&str>,
) -> Result<BTreeMap<String, String>, Refusal> {
    let mut details = BTreeMap::new();
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    match setup.protocol {
        Protocol::Saml => {
            let saml = setup.saml();
            match (&entra.metadata_url, &entra.metadata_file) {
                (Some(url), _) => details.insert("MetadataURL".into(), url.clone()),
                (None, Some(file)) => details.insert("MetadataFile".into(), file.clone()),
                (None, None) => {
                    return Err(Refusal {
                        field: "saml.metadata_url".into(),
                        problem: "no Entra metadata".into(),
                        fix: "copy \"App Federation Metadata Url\" from Entra (Single sign-on › SAML Certificates)".into(),
                    });
                }
            };
            details.insert("IDPSignout".into(), flag(saml.idp_signout));
            details.insert("IDPInit".into(), flag(saml.idp_initiated));
            details.insert("EncryptedResponses".into(), flag(saml.encrypted_responses));
            if saml.sign_requests {
                details.insert("RequestSigningAlgorithm".into(), "rsa-sha256".into());
            }
        }
        Protocol::Oidc => {
            let oidc = setup.oidc();
            let Some(d) = &entra.discovery else {
                return Err(Refusal {
                    field: "oidc.tenant_id".into(),
                    problem: "the tenant's discovery document was not checked".into(),
                    fix: "give oidc.tenant_id; its discovery document names the endpoints".into(),
                });
            };
            details.insert(
                "client_id".into(),
                oidc.client_id.clone().unwrap_or_default(),
            );
            if let Some(secret) = client_secret {
                details.insert("client_secret".into(), secret.to_string());
            }
            details.insert(
                "attributes_request_method".into(),
                oidc.attributes_request_method.as_str().into(),
            );
            details.insert("oidc_issuer".into(), d.issuer.clone());
            details.insert("authorize_scopes".into(), oidc.scopes.join(" "));
            details.insert("authorize_url".into(), d.authorize_url.clone());
            details.insert("token_url".into(), d.token_url.clone());
            details.insert("attributes_url".into(), d.attributes_url.clone());
            details.insert("jwks_uri".into(), d.jwks_uri.clone());
        }
    }
    Ok(details)
}

fn desired_provider(
    setup: &Setup,
    observed: &Observed,
    entra: &EntraInput,
    refusals: &mut Vec<Refusal>,
) -> Option<ProviderInfo> {
    let secret = entra.client_secret.clone().or_else(|| {
        observed
            .provider
            .as_ref()
            .and_then(|p| p.details.get("client_secret").cloned())
    });
    if setup.protocol == Protocol::Oidc && entra.discovery.is_some() && secret.is_none() {
        refusals.push(Refusal {
            field: "client secret".into(),
            problem: "the provider is new and no client secret was given".into(),
            fix: "in Entra: Certificates & secrets › New client secret, copy its Value (not its ID) into COGNITO_ENTRA_CLIENT_SECRET, or run apply in a terminal to type it".into(),
        });
        return None;
    }
    let provider_type = match setup.protocol {
        Protocol::Saml => ProviderType::Saml,
        Protocol::Oidc => ProviderType::Oidc,
    };
    match desired_details(setup, entra, secret.as_deref()) {
        Ok(details) => Some(ProviderInfo {
            name: setup.provider_name().to_string(),
            provider_type,
            details,
            attribute_mapping: setup.attribute_mapping(),
            idp_identifiers: setup.provider.identifiers.clone(),
        }),
        Err(refusal) => {
            refusals.push(refusal);
            None
        }
    }
}

/// The fields a provider change sets; for an update, only those that differ.
fn provider_fields(desired: &ProviderInfo, current: Option<&ProviderInfo>) -> Vec<Field> {
    let mut out = Vec::new();
    let shown = |k: &str, v: &str| match k {
        "client_secret" => SECRET_SHOWN.to_string(),
        // A whole XML document is no use on screen; its size says it is there.
        "MetadataFile" => format!("(metadata document, {} bytes)", v.len()),
        _ => v.to_string(),
    };
    for (key, value) in &desired.details {
        if READ_ONLY_DETAILS.contains(&key.as_str()) {
            continue;
        }
        let old = current.map(|c| {
            c.details
                .get(key)
                .cloned()
                .unwrap_or_else(|| default_detail(key))
        });
        // Surrounding blanks and a byte-order mark do not change a value (a metadata
        // document uploaded with its BOM is the document the setup's file holds without).
        let bare = |v: &str| v.trim().trim_start_matches('\u{feff}').trim().to_string();
        let same = old.as_deref().map(bare) == Some(bare(value));
        if current.is_none() {
            out.push(field(key, None, &shown(key, value)));
        } else if !same {
            out.push(field(
                key,
                old.as_deref().map(|o| shown(key, o)).as_deref(),
                &shown(key, value),
            ));
        }
    }
    if let Some(c) = current {
        for key in c.details.keys() {
            // A detail we no longer want (request signing turned off).
            if key == "RequestSigningAlgorithm" && !desired.details.contains_key(key) {
                out.push(field(
                    key,
                    c.details.get(key).map(String::as_str),
                    "(removed)",
                ));
            }
        }
    }
    if let Some(wanted) = &desired.idp_identifiers {
        let had = current
            .and_then(|c| c.idp_identifiers.clone())
            .unwrap_or_default();
        if (current.is_none() && !wanted.is_empty()) || (current.is_some() && had != *wanted) {
            let list = |ids: &[String]| {
                if ids.is_empty() {
                    "(none)".to_string()
                } else {
                    ids.join(", ")
                }
            };
            out.push(field(
                "identifiers",
                current.map(|_| list(&had)).as_deref(),
                &list(wanted),
            ));
        }
    }
    for (attr, claim) in &desired.attribute_mapping {
        let old = current.and_then(|c| c.attribute_mapping.get(attr));
        if current.is_none() || old != Some(claim) {
            out.push(field(
                &format!("mapping.{attr}"),
                old.map(String::as_str),
                claim,
            ));
        }
    }
    out
}

/// Cognito leaves boolean SAML details out when false.
fn default_detail(key: &str) -> String {
    match key {
        "IDPSignout" | "IDPInit" | "EncryptedResponses" => "false".into(),
        _ => String::new(),
    }
}

/// The entries of the client's callback URLs, sign-out URLs, scopes and flows that the setup
/// does not say ("callback URL http://localhost:3000/"): taken off a client the setup made,
/// kept on an adopted one; `doctor` names them on a client the setup made.
pub fn client_lists_beyond(setup: &Setup, client: &ClientConfig) -> Vec<String> {
    let wanted = &setup.app_client;
    let flows: Vec<String> = wanted
        .oauth_flows
        .iter()
        .map(|f| f.as_str().to_string())
        .collect();
    [
        ("callback URL", &client.callback_urls, &wanted.callback_urls),
        ("sign-out URL", &client.logout_urls, &wanted.logout_urls),
        ("scope", &client.allowed_oauth_scopes, &wanted.scopes),
        ("OAuth flow", &client.allowed_oauth_flows, &flows),
    ]
    .iter()
    .flat_map(|(what, have, want)| {
        have.iter()
            .filter(|h| !want.contains(h))
            .map(move |h| format!("{what} {h}"))
    })
    .collect()
}

/// The provider's mapped attributes the setup does not map ("department = …"), Cognito's own
/// `username` aside.
pub fn mapping_beyond(setup: &Setup, mapping: &BTreeMap<String, String>) -> Vec<String> {
    let wanted = setup.attribute_mapping();
    mapping
        .iter()
        .filter(|(k, _)| !wanted.contains_key(*k) && !cognito_maps_itself(setup.protocol, k))
        .map(|(k, v)| format!("{k} = {v}"))
        .collect()
}

/// What Cognito maps by itself and keeps whatever a setup says: `username` ← `sub` on an
/// OIDC provider (Cognito adds it when a mapping leaves it out). Never taken away.
fn cognito_maps_itself(protocol: Protocol, attribute: &str) -> bool {
    protocol == Protocol::Oidc && attribute == "username"
}

/// The mapping an update sends. A provider the setup holds whole gets exactly the setup's
/// (Cognito's own `username` kept); an adopted one keeps what others mapped, ours winning.
fn mapping_to_send(
    protocol: Protocol,
    current: &BTreeMap<String, String>,
    desired: &BTreeMap<String, String>,
    whole: bool,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = current
        .iter()
        .filter(|(k, _)| !whole || cognito_maps_itself(protocol, k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.extend(desired.clone());
    out
}

fn removed_keys(
    current: &BTreeMap<String, String>,
    next: &BTreeMap<String, String>,
) -> Vec<String> {
    current
        .keys()
        .filter(|k| !next.contains_key(*k))
        .cloned()
        .collect()
}

/// A list as the setup wants it on the client: exactly the setup's when the setup holds the
/// whole list, else what the client has with the setup's added (nothing taken away).
fn list_to_send(current: &[String], wanted: &[String], whole: bool) -> Vec<String> {
    if whole {
        wanted.to_vec()
    } else {
        union(current, wanted)
    }
}

fn union(current: &[String], wanted: &[String]) -> Vec<String> {
    let mut out = current.to_vec();
    for w in wanted {
        if !out.contains(w) {
            out.push(w.clone());
        }
    }
    out
}

fn plan_client(
    setup: &Setup,
    observed: &Observed,
    options: Options,
    changes: &mut Vec<Change>,
    consequences: &mut Vec<String>,
    kept: &mut Vec<String>,
    refusals: &mut Vec<Refusal>,
) {
    let ours = setup.provider_name().to_string();
    let client = &setup.app_client;
    let flows: Vec<String> = client
        .oauth_flows
        .iter()
        .map(|f| f.as_str().to_string())
        .collect();
    let remove_others = options.remove_other_providers || client.remove_other_providers;
    let type_of = |name: &str| -> ProviderType {
        if name == ours {
            return if setup.protocol == Protocol::Saml {
                ProviderType::Saml
            } else {
                ProviderType::Oidc
            };
        }
        observed
            .providers
            .iter()
            .find(|p| p.name == name)
            .map_or(ProviderType::Other, |p| p.provider_type)
    };

    let current = observed.client.clone();
    let mut providers = match &current {
        None => vec![ours.clone()],
        Some(c) => union(&c.supported_identity_providers, std::slice::from_ref(&ours)),
    };
    match client.allow_cognito_sign_in {
        Some(true) => providers = union(&providers, &["COGNITO".to_string()]),
        Some(false) => providers.retain(|p| p != "COGNITO"),
        None => {}
    }
    if remove_others {
        let keep_cognito = client.allow_cognito_sign_in == Some(true) && !setup.idp_initiated();
        providers.retain(|p| *p == ours || (keep_cognito && p == "COGNITO"));
    }
    if setup.idp_initiated() {
        let not_saml: Vec<String> = providers
            .iter()
            .filter(|p| p.as_str() == "COGNITO" || type_of(p) != ProviderType::Saml)
            .cloned()
            .collect();
        if !not_saml.is_empty() {
            refusals.push(Refusal {
                field: "app_client".into(),
                problem: format!(
                    "IdP-initiated SAML allows only SAML providers on the app client, and it lists {}: an IdP-initiated response carries no state parameter, so Cognito forbids mixing it with other sign-in methods",
                    not_saml.join(", ")
                ),
                fix: "use a dedicated app client for IdP-initiated sign-in (app_client.name = \"...\" creates one), or take the others off this client with --remove-other-providers (or remove_other_providers = true)".into(),
            });
            return;
        }
    }
    if let Some(c) = &current
        && c.supported_identity_providers
            .iter()
            .any(|p| p == "COGNITO")
        && !providers.iter().any(|p| p == "COGNITO")
    {
        consequences.push(format!(
            "COGNITO leaves client {}: Cognito user names and passwords no longer sign in through this client.",
            c.client_name
        ));
    }

    match current {
        None => {
            let name = client.name.clone().unwrap_or_default();
            let config = ClientConfig {
                client_name: name.clone(),
                generate_secret: client.generate_secret,
                callback_urls: client.callback_urls.clone(),
                logout_urls: client.logout_urls.clone(),
                allowed_oauth_flows: flows,
                allowed_oauth_scopes: client.scopes.clone(),
                allowed_oauth_flows_user_pool_client: true,
                supported_identity_providers: providers,
                explicit_auth_flows: vec!["ALLOW_REFRESH_TOKEN_AUTH".into()],
                prevent_user_existence_errors: Some("ENABLED".into()),
                enable_token_revocation: Some(true),
                write_attributes: mapping::write_attributes_for_new_client(
                    setup,
                    observed.pool.as_ref(),
                )
                .unwrap_or_default(),
                ..ClientConfig::default()
            };
            let mut fields = vec![
                field(
                    "identity_providers",
                    None,
                    &config.supported_identity_providers.join(", "),
                ),
                field("callback_urls", None, &config.callback_urls.join(", ")),
            ];
            if !config.logout_urls.is_empty() {
                fields.push(field("logout_urls", None, &config.logout_urls.join(", ")));
            }
            fields.push(field(
                "scopes",
                None,
                &config.allowed_oauth_scopes.join(" "),
            ));
            fields.push(field(
                "oauth_flows",
                None,
                &config.allowed_oauth_flows.join(", "),
            ));
            if !config.write_attributes.is_empty() {
                fields.push(field(
                    "write_attributes",
                    None,
                    &config.write_attributes.join(", "),
                ));
            }
            fields.push(field(
                "secret",
                None,
                if config.generate_secret {
                    "generated"
                } else {
                    "none (public client)"
                },
            ));
            changes.push(Change {
                action: Action::Create,
                resource: Resource::AppClient,
                name,
                fields,
                payload: Payload::CreateClient(config),
            });
        }
        Some(current) => {
            let whole = options.created.client || client.exact_lists;
            let mut next = current.clone();
            next.supported_identity_providers = providers;
            next.callback_urls = list_to_send(&current.callback_urls, &client.callback_urls, whole);
            next.logout_urls = list_to_send(&current.logout_urls, &client.logout_urls, whole);
            next.allowed_oauth_scopes =
                list_to_send(&current.allowed_oauth_scopes, &client.scopes, whole);
            next.allowed_oauth_flows = list_to_send(&current.allowed_oauth_flows, &flows, whole);
            next.allowed_oauth_flows_user_pool_client = true;
            let label = if current.client_name.is_empty() {
                current.client_id.clone().unwrap_or_default()
            } else {
                current.client_name.clone()
            };
            // Each list's entries the setup does not say: removed from a client the setup
            // holds whole, kept (and said) on an adopted one.
            let extras = client_lists_beyond(setup, &current);
            if !extras.is_empty() {
                if whole {
                    consequences.push(format!(
                        "Taken out of the setup, so removed from app client {label}: {}.",
                        extras.join(", ")
                    ));
                } else {
                    kept.push(format!(
                        "app client {label} (adopted): {} (exact_lists = true under [app_client] removes them)",
                        extras.join(", ")
                    ));
                }
            }
            let mut fields = Vec::new();
            let mut diff = |name: &str, old: &[String], new: &[String], sep: &str| {
                if old != new {
                    fields.push(field(
                        name,
                        Some(&shown_list(old, sep)),
                        &shown_list(new, sep),
                    ));
                }
            };
            diff(
                "identity_providers",
                &current.supported_identity_providers,
                &next.supported_identity_providers,
                ", ",
            );
            diff(
                "callback_urls",
                &current.callback_urls,
                &next.callback_urls,
                ", ",
            );
            diff("logout_urls", &current.logout_urls, &next.logout_urls, ", ");
            diff(
                "scopes",
                &current.allowed_oauth_scopes,
                &next.allowed_oauth_scopes,
                " ",
            );
            diff(
                "oauth_flows",
                &current.allowed_oauth_flows,
                &next.allowed_oauth_flows,
                ", ",
            );
            if !current.allowed_oauth_flows_user_pool_client {
                fields.push(field("oauth_enabled", Some("false"), "true"));
            }
            if !fields.is_empty() {
                changes.push(Change {
                    action: Action::Update,
                    resource: Resource::AppClient,
                    name: if current.client_name.is_empty() {
                        current.client_id.clone().unwrap_or_default()
                    } else {
                        current.client_name.clone()
                    },
                    fields,
                    payload: Payload::UpdateClient(next),
                });
            }
        }
    }
}

fn shown_list(items: &[String], sep: &str) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(sep)
    }
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The plan as `plan --json` prints it.
    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                let fields: serde_json::Map<String, Value> = c
                    .fields
                    .iter()
                    .map(|f| {
                        let v = match &f.old {
                            None => json!(f.new),
                            Some(old) => json!({"old": old, "new": f.new}),
                        };
                        (f.name.clone(), v)
                    })
                    .collect();
                json!({
                    "action": match c.action { Action::Create => "create", Action::Update => "update" },
                    "resource": c.resource.key(),
                    "name": c.name,
                    "fields": fields,
                })
            })
            .collect();
        json!({ "changes": changes, "consequences": self.consequences, "kept": self.kept })
    }

    /// The plan as text, like `terraform plan`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.changes.is_empty() {
            let _ = writeln!(
                out,
                "No changes: the Cognito side already matches the setup."
            );
            self.render_kept(&mut out);
            return out;
        }
        let _ = writeln!(out, "In region {}:", self.region);
        for c in &self.changes {
            let sign = match c.action {
                Action::Create => "+",
                Action::Update => "~",
            };
            let _ = writeln!(out, "  {sign} {:<18} {}", c.resource.words(), c.name);
            for f in &c.fields {
                match &f.old {
                    None => {
                        let _ = writeln!(out, "        {} = {}", f.name, f.new);
                    }
                    Some(old) => {
                        let _ = writeln!(out, "        {}: {} -> {}", f.name, old, f.new);
                    }
                }
            }
        }
        for c in &self.consequences {
            let _ = writeln!(out, "\n! {c}");
        }
        let creates = self
            .changes
            .iter()
            .filter(|c| c.action == Action::Create)
            .count();
        let updates = self.changes.len() - creates;
        self.render_kept(&mut out);
        let _ = writeln!(out, "\nPlan: {creates} to create, {updates} to update.");
        out
    }

    /// What adopted resources hold beyond the setup, kept as it is.
    fn render_kept(&self, out: &mut String) {
        if self.kept.is_empty() {
            return;
        }
        let _ = writeln!(out, "\nKept, not in this setup (added outside it):");
        for k in &self.kept {
            let _ = writeln!(out, "  = {k}");
        }
    }
}
