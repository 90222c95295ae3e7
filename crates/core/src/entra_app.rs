//! The Entra side as data, for when the tool does it through Microsoft Graph: what the Entra
//! application must hold for this setup, what it holds, and the changes between — planned
//! like the Cognito side (pure), shown with it, carried out by the Entra crate.

use serde::{Deserialize, Serialize};

use crate::setup::Protocol;

/// What the application must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    pub protocol: Protocol,
    pub display_name: String,
    /// Adopt this application (its appId) rather than find one by display name.
    pub app_id: Option<String>,
    /// SAML: Identifier (Entity ID).
    pub identifier: Option<String>,
    /// SAML: Reply URL; OIDC: the redirect URI.
    pub reply_url: String,
    /// SAML, with IdP sign-out: the Logout Url.
    pub logout_url: Option<String>,
    /// SAML, IdP-initiated: the Relay State.
    pub relay_state: Option<String>,
    /// OIDC: Cognito has no client secret for the provider, so one is made.
    pub needs_secret: bool,
    /// Users (user principal names) and groups (display names) to assign.
    pub assign: Vec<String>,
    /// OIDC: the optional ID token claims the attribute mapping reads.
    pub id_token_claims: Vec<String>,
    /// SAML, signed requests or IdP sign-out: Cognito's signing certificate, which Entra
    /// verifies Cognito's requests with.
    pub verification_certificate: CognitoCertificate,
    /// SAML, signed requests: Entra refuses an unsigned request.
    pub require_signed_requests: bool,
    /// SAML, encrypted assertions: Cognito's encryption certificate, which Entra encrypts
    /// assertions to.
    pub encryption_certificate: CognitoCertificate,
    /// SAML: claims beyond Entra's default set that the mapping reads, each from a user
    /// attribute (a claims-mapping policy of the tool's own).
    pub saml_claims: Vec<SamlClaim>,
    /// The mapping reads the groups claim: the application sends its users' security groups.
    pub group_claims: bool,
    /// OIDC: client secrets an earlier run made and never handed to Cognito (key IDs, as
    /// recorded): removed, so no live secret is left that nobody holds.
    pub unclaimed_secrets: Vec<String>,
    /// OIDC: the key ID of the secret Cognito holds (made by this tool), as recorded.
    pub held_secret: Option<String>,
    /// The applications other saved setups made or adopted: (Application ID, setup name).
    /// One of them found holding this setup's Entity ID is never taken over.
    pub apps_of_other_setups: Vec<(String, String)>,
    /// SAML: who Entra mails before the signing certificate expires (the service principal's
    /// notificationEmailAddresses). Empty: whatever list the application has is kept.
    pub notify: Vec<String>,
}

/// A SAML claim the tool makes Entra send: its claim type, and the user attribute it holds
/// (the `ID` of a claims-mapping policy's `user` source).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SamlClaim {
    pub claim: String,
    pub source: String,
}

/// The user attributes a claims-mapping policy can read (Source "user"), by the `ID` it
/// names them with: a claim whose last segment is one of them is made from it.
pub const CLAIM_SOURCES: &[&str] = &[
    "mail",
    "userprincipalname",
    "givenname",
    "surname",
    "displayname",
    "objectid",
    "department",
    "jobtitle",
    "employeeid",
    "companyname",
    "streetaddress",
    "city",
    "state",
    "postalcode",
    "country",
    "telephonenumber",
    "preferredlanguage",
    "mailnickname",
    "onpremisessamaccountname",
    "extensionattribute1",
    "extensionattribute2",
    "extensionattribute3",
    "extensionattribute4",
    "extensionattribute5",
    "extensionattribute6",
    "extensionattribute7",
    "extensionattribute8",
    "extensionattribute9",
    "extensionattribute10",
    "extensionattribute11",
    "extensionattribute12",
    "extensionattribute13",
    "extensionattribute14",
    "extensionattribute15",
];

/// The user attribute a SAML claim is made from: its last path segment (`.../claims/department`,
/// `department`, `user.department`), when a claims-mapping policy can read it.
pub fn claim_source(claim: &str) -> Option<&'static str> {
    let last = claim
        .trim()
        .rsplit(['/', '.'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    CLAIM_SOURCES.iter().copied().find(|s| *s == last)
}

/// The claim type Entra sends the SAML NameID as, in a claims-mapping policy (Microsoft's
/// "Create claimsMappingPolicy" example: `{"Source":"user","ID":"userprincipalname",
/// "SamlClaimType":".../claims/nameidentifier"}`).
pub const NAME_ID_CLAIM: &str =
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier";

/// What the portal's Attributes & Claims gives a new non-gallery SAML application: the
/// Unique User Identifier (NameID) and the four additional claims, each from a user
/// attribute. Microsoft: "By default, the Microsoft identity platform issues a SAML token …
/// that contains a claim with a value of the user's username (also known as the user
/// principal name) … The SAML token also contains other claims that include the user's email
/// address, first name, and last name" (learn.microsoft.com/entra/identity-platform/
/// saml-claims-customization); the sources as the portal lists them (user.userprincipalname,
/// user.mail, user.givenname, user.surname, user.userprincipalname).
/// A claims-mapping policy supersedes Attributes & Claims ("Claims Mapping Policy supersedes
/// both Custom Claims policy and the claims customization offered through the Microsoft Entra
/// admin center", learn.microsoft.com/entra/identity-platform/claims-customization-powershell),
/// so the tool's policy restates them.
pub const PORTAL_DEFAULT_CLAIMS: [(&str, &str); 5] = [
    (NAME_ID_CLAIM, "userprincipalname"),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "mail",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "givenname",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "surname",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "userprincipalname",
    ),
];

/// Whether two claims are of one claim type (the SAML attribute name Entra sends): a policy
/// holds one entry per type, so a wanted claim of a type replaces the entry of that type.
/// Compared as Entra sends them (exactly; only surrounding white space is not part of a type).
pub fn same_claim_type(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

/// `claims` with `wanted` put in: the entry of its claim type given its source, or added.
pub fn put_claim(claims: &mut Vec<SamlClaim>, wanted: &SamlClaim) {
    match claims
        .iter_mut()
        .find(|c| same_claim_type(&c.claim, &wanted.claim))
    {
        Some(c) => c.source = wanted.source.clone(),
        None => claims.push(wanted.clone()),
    }
}

/// The claims the tool's policy must hold: the portal's defaults, the admin's own portal
/// customization carried over (it would stop once the policy is assigned), and the claims
/// the mapping reads — a later one of a claim type winning over an earlier one.
pub fn policy_claims(desired: &Desired, sp: &SpSeen) -> Vec<SamlClaim> {
    let mut out: Vec<SamlClaim> = PORTAL_DEFAULT_CLAIMS
        .iter()
        .map(|(claim, source)| SamlClaim {
            claim: claim.to_string(),
            source: source.to_string(),
        })
        .collect();
    for c in sp.portal_claims.iter().flat_map(|p| &p.claims) {
        put_claim(&mut out, c);
    }
    for c in &desired.saml_claims {
        put_claim(&mut out, c);
    }
    out
}

/// The claims the portal's Attributes & Claims gives the application, as Graph shows them
/// (beta: the service principal's custom claims policy).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalClaims {
    /// Those a claims-mapping policy can restate: claims from a user attribute, and the
    /// NameID (as the nameidentifier claim type).
    pub claims: Vec<SamlClaim>,
    /// Those it cannot (a transformation, a condition, a source other than a user attribute
    /// the policy names): each as "its claim type (why)".
    pub untranslatable: Vec<String>,
}

/// The `ID` a claims-mapping policy names a user attribute by, for an attribute as the portal
/// or Graph names it (`mail`, `user.jobtitle`, `jobTitle`), when the policy can read it.
pub fn claim_source_id(attribute: &str) -> Option<&'static str> {
    let id = attribute
        .trim()
        .trim_start_matches("user.")
        .to_ascii_lowercase();
    CLAIM_SOURCES.iter().copied().find(|s| *s == id)
}

/// The name of the claims-mapping policy the tool makes for an application.
pub fn claims_policy_name(display_name: &str) -> String {
    format!("cognito-entra: claims for {display_name}")
}

/// A claims-mapping policy as read: assigned to the application, or the tool's own found by
/// its name (made by a run whose answer was lost).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySeen {
    pub id: String,
    pub display_name: String,
    /// Its user-sourced claims.
    pub claims: Vec<SamlClaim>,
}

/// A certificate of Cognito's that Entra must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CognitoCertificate {
    /// This setup's options do not need it in Entra.
    #[default]
    NotNeeded,
    /// Needed, but Cognito makes it later in this run (with the user pool, or the provider).
    Pending,
    /// As Cognito holds it: base64 DER, and its SHA-1 thumbprint in upper-case hex.
    Known { thumbprint: String, base64: String },
}

impl CognitoCertificate {
    /// From the base64 (or PEM) text Cognito returns.
    pub fn from_cognito(text: &str) -> Result<CognitoCertificate, String> {
        let base64: String = text
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .flat_map(str::split_whitespace)
            .collect();
        let cert = crate::entra_facts::parse_certificate(&base64)?;
        Ok(CognitoCertificate::Known {
            thumbprint: cert.thumbprint,
            base64,
        })
    }
}

/// A certificate credential of the application, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySeen {
    pub key_id: String,
    /// "Verify", "Encrypt" or "Sign".
    pub usage: String,
    /// Upper-case hex SHA-1, when it can be told.
    pub thumbprint: Option<String>,
}

/// A client secret of an application, as Graph lists it (never its value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSeen {
    pub key_id: String,
    pub display_name: String,
    pub ends: String,
}

/// An application registration as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppSeen {
    /// Object ID.
    pub id: String,
    /// Application (client) ID.
    pub app_id: String,
    pub display_name: String,
    pub sign_in_audience: String,
    pub identifier_uris: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub logout_url: Option<String>,
    /// When each of its client secrets ends (RFC 3339), as Graph lists them.
    pub secret_ends: Vec<String>,
    /// Its client secrets: key ID, display name and end (RFC 3339).
    pub secrets: Vec<SecretSeen>,
    /// The optional claims its ID tokens carry (OIDC).
    pub id_token_claims: Vec<String>,
    /// Its certificate credentials (verification and encryption certificates).
    pub keys: Vec<KeySeen>,
    /// The key ID of the certificate Entra encrypts tokens to.
    pub token_encryption_key_id: Option<String>,
    /// Whether Entra refuses unsigned SAML requests.
    pub signed_requests_required: bool,
    /// Which groups its tokens carry ("SecurityGroup", "All", …; none when absent).
    pub group_membership_claims: Option<String>,
}

impl AppSeen {
    /// Its certificate credential of this usage ("Verify", "Encrypt") and thumbprint.
    pub fn key(&self, usage: &str, thumbprint: &str) -> Option<&KeySeen> {
        self.keys.iter().find(|k| {
            k.usage == usage
                && k.thumbprint
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(thumbprint))
        })
    }
}

/// Its service principal (the enterprise application) as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpSeen {
    pub id: String,
    pub sso_mode: Option<String>,
    pub relay_state: Option<String>,
    /// The active SAML signing certificate's thumbprint.
    pub signing_thumbprint: Option<String>,
    /// Thumbprints of the signing certificates it has.
    pub signing_certificates: Vec<String>,
    /// Principal object IDs assigned to it.
    pub assigned: Vec<String>,
    /// The claims-mapping policy assigned to it (one at most).
    pub claims_policy: Option<PolicySeen>,
    /// The tool's own policy for it, found by name but not assigned.
    pub unassigned_policy: Option<PolicySeen>,
    /// The portal's Attributes & Claims customization, where Graph shows it (read only when
    /// the setup needs a policy of the tool's).
    pub portal_claims: Option<PortalClaims>,
    /// Who Entra mails before the SAML signing certificate expires.
    pub notification_emails: Vec<String>,
}

/// A user or group the setup assigns, found in the tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Principal {
    /// As the setup names it.
    pub name: String,
    pub id: String,
    /// "User" or "Group".
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub app: Option<AppSeen>,
    pub sp: Option<SpSeen>,
    /// The setup's users and groups, found (in the setup's order).
    pub principals: Vec<Principal>,
    /// The application was found holding the setup's Entity ID (an earlier attempt made in
    /// the portal): its display name and Application (client) ID, adopted.
    pub adopted_by_identifier: Option<(String, String)>,
}

/// One change to the Entra side, in the order it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EntraChange {
    /// Instantiate the non-gallery template: application and service principal at once.
    CreateEnterpriseApp {
        display_name: String,
    },
    /// A single-tenant app registration (OIDC).
    CreateAppRegistration {
        display_name: String,
        redirect_uri: String,
    },
    CreateServicePrincipal,
    /// Single sign-on mode SAML.
    SetSamlMode,
    /// The application's identifiers, reply URLs and logout URL, as they will stand.
    SetUrls {
        identifier_uris: Vec<String>,
        redirect_uris: Vec<String>,
        logout_url: Option<String>,
    },
    SetRelayState {
        relay_state: String,
    },
    /// The optional ID token claims the mapping reads (OIDC), added beside the app's own.
    SetOptionalClaims {
        id_token: Vec<String>,
    },
    /// A new token-signing certificate, made active.
    AddSigningCertificate,
    /// A signing certificate the application has (an earlier run's), made active.
    ActivateSigningCertificate {
        thumbprint: String,
    },
    /// The application that holds the Entity ID already (made earlier, outside this setup) taken
    /// as the setup's own: recorded, nothing written.
    AdoptApplication {
        display_name: String,
        app_id: String,
    },
    /// A new client secret, straight to Cognito.
    AddSecret,
    /// A client secret an earlier run made and never handed to Cognito, removed.
    RemoveUnclaimedSecret {
        key_id: String,
    },
    /// A user or group assigned to the application (default access).
    Assign {
        name: String,
        principal_id: String,
        kind: String,
    },
    /// Cognito's signing certificate uploaded as a verification certificate (`None`: Cognito
    /// makes it later in this run, with the user pool).
    AddVerificationCertificate {
        thumbprint: Option<String>,
    },
    /// Entra refuses SAML requests that are not signed by a verification certificate.
    RequireSignedRequests,
    /// Cognito's encryption certificate uploaded and made the one Entra encrypts assertions
    /// to (`None`: Cognito makes it later in this run, with the provider).
    AddEncryptionCertificate {
        thumbprint: Option<String>,
    },
    /// An encryption certificate the application has (an earlier run's), made active.
    ActivateEncryptionCertificate {
        thumbprint: String,
    },
    /// Tokens carry the user's security groups (the groups claim).
    SetGroupClaims,
    /// The tool's claims-mapping policy, made and assigned to the application.
    CreateClaimsPolicy {
        claims: Vec<SamlClaim>,
    },
    /// The tool's policy (made by an earlier run) assigned to the application.
    AssignClaimsPolicy {
        policy_id: String,
    },
    /// The tool's policy given the claims it lacks (those it has stay).
    UpdateClaimsPolicy {
        policy_id: String,
        claims: Vec<SamlClaim>,
    },
    /// Who Entra mails before the SAML signing certificate expires: the setup's list, in
    /// place of the one the application had (`replaced`).
    SetNotificationEmails {
        addresses: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        replaced: Vec<String>,
    },
}

impl EntraChange {
    /// Whether it needs a certificate Cognito has not made yet: it and every change after
    /// it are made once Cognito's side is applied.
    pub fn waits_for_cognito(&self) -> bool {
        matches!(
            self,
            EntraChange::AddVerificationCertificate { thumbprint: None }
                | EntraChange::AddEncryptionCertificate { thumbprint: None }
        )
    }

    /// Whether it hands Entra one of Cognito's certificates (or requires signed requests):
    /// the only changes made after Cognito's side.
    pub fn is_certificate(&self) -> bool {
        matches!(
            self,
            EntraChange::AddVerificationCertificate { .. }
                | EntraChange::RequireSignedRequests
                | EntraChange::AddEncryptionCertificate { .. }
                | EntraChange::ActivateEncryptionCertificate { .. }
        )
    }

    /// The line said once it is made: "✓ Entra: " and what the plan showed, without its sign.
    pub fn done(&self) -> String {
        format!(
            "✓ Entra: {}",
            self.describe().trim_start_matches(['+', '~', ' '])
        )
    }

    /// The line the plan shows.
    pub fn describe(&self) -> String {
        match self {
            EntraChange::CreateEnterpriseApp { display_name } => format!(
                "+ enterprise application  {display_name} (non-gallery; its service principal with it)"
            ),
            EntraChange::CreateAppRegistration {
                display_name,
                redirect_uri,
            } => format!(
                "+ app registration        {display_name} (single tenant; redirect URI {redirect_uri})"
            ),
            EntraChange::CreateServicePrincipal => {
                "+ service principal       (the app registration's enterprise application)".into()
            }
            EntraChange::SetSamlMode => "~ single sign-on         mode = SAML".into(),
            EntraChange::SetUrls {
                identifier_uris,
                redirect_uris,
                logout_url,
            } => {
                let mut s = String::from("~ application URLs");
                if !identifier_uris.is_empty() {
                    s.push_str(&format!(
                        "\n      Identifier (Entity ID) = {}",
                        identifier_uris.join(", ")
                    ));
                }
                s.push_str(&format!("\n      Reply URL = {}", redirect_uris.join(", ")));
                if let Some(logout) = logout_url {
                    s.push_str(&format!("\n      Logout Url = {logout}"));
                }
                s
            }
            EntraChange::SetRelayState { relay_state } => {
                format!("~ single sign-on         Relay State = {relay_state}")
            }
            EntraChange::SetOptionalClaims { id_token } => {
                format!(
                    "~ token configuration     ID token claims = {}",
                    id_token.join(", ")
                )
            }
            EntraChange::AddSigningCertificate => {
                "+ SAML signing certificate (made active; its metadata goes to Cognito)".into()
            }
            EntraChange::ActivateSigningCertificate { thumbprint } => {
                format!("~ SAML signing certificate {thumbprint} made active")
            }
            EntraChange::AdoptApplication {
                display_name,
                app_id,
            } => format!(
                "= application             {display_name} ({app_id}) adopted: it holds the Entity ID already (made earlier, outside this setup)"
            ),
            EntraChange::AddSecret => {
                "+ client secret           (goes straight to Cognito; never shown or saved)".into()
            }
            EntraChange::RemoveUnclaimedSecret { key_id } => format!(
                "- client secret {key_id} (made by an earlier run that stopped before Cognito had it: live, held by nobody)"
            ),
            EntraChange::Assign { name, kind, .. } => {
                format!(
                    "+ assignment              {} {name} may sign in{}",
                    kind.to_lowercase(),
                    if kind == "Group" {
                        // Microsoft: assigning groups to an enterprise application needs
                        // Entra ID P1 or P2, and nested groups' members are not included.
                        " (group assignment needs Entra ID P1 or P2; members of groups nested in it are not assigned)"
                    } else {
                        ""
                    }
                )
            }
            EntraChange::AddVerificationCertificate { thumbprint } => format!(
                "+ verification certificate Cognito's signing certificate {}",
                thumbprint
                    .as_deref()
                    .unwrap_or("(once Cognito has made the user pool)")
            ),
            EntraChange::RequireSignedRequests => {
                "~ single sign-on         Require verification certificates = on (unsigned requests refused)".into()
            }
            EntraChange::AddEncryptionCertificate { thumbprint } => format!(
                "+ token encryption        Cognito's encryption certificate {}, made active",
                thumbprint
                    .as_deref()
                    .unwrap_or("(once Cognito has made the provider)")
            ),
            EntraChange::ActivateEncryptionCertificate { thumbprint } => {
                format!("~ token encryption        certificate {thumbprint} made active")
            }
            EntraChange::SetGroupClaims => {
                "~ token configuration     groups claim = security groups".into()
            }
            EntraChange::CreateClaimsPolicy { claims } => format!(
                "+ claims-mapping policy   (assigned to the application: Entra then sends what it says instead of the portal's Attributes & Claims, so it restates them){}",
                claim_lines(claims)
            ),
            EntraChange::AssignClaimsPolicy { .. } => {
                "~ claims-mapping policy   the tool's policy assigned to the application (Entra then sends what it says instead of the portal's Attributes & Claims)".into()
            }
            EntraChange::UpdateClaimsPolicy { claims, .. } => {
                format!("~ claims-mapping policy{}", claim_lines(claims))
            }
            EntraChange::SetNotificationEmails {
                addresses,
                replaced,
            } => format!(
                "~ SAML certificate expiry mails to {}{}",
                addresses.join(", "),
                if replaced.is_empty() {
                    String::new()
                } else {
                    format!(" (instead of {})", replaced.join(", "))
                }
            ),
        }
    }
}

/// The application's client secrets this setup neither holds nor is about to remove, for the
/// plan to name (others may use them: they are never removed by the tool).
pub fn secrets_not_held(desired: &Desired, seen: &Seen) -> Vec<String> {
    let Some(app) = seen
        .app
        .as_ref()
        .filter(|_| desired.protocol == Protocol::Oidc)
    else {
        return Vec::new();
    };
    app.secrets
        .iter()
        .filter(|s| {
            desired.held_secret.as_deref() != Some(s.key_id.as_str())
                && !desired.unclaimed_secrets.contains(&s.key_id)
        })
        .map(|s| {
            format!(
                "{} ({}, ends {})",
                s.key_id,
                if s.display_name.is_empty() {
                    "no name"
                } else {
                    s.display_name.as_str()
                },
                s.ends.get(..10).unwrap_or(&s.ends)
            )
        })
        .collect()
}

fn claim_lines(claims: &[SamlClaim]) -> String {
    claims
        .iter()
        .map(|c| format!("\n      {} ← user.{}", short_claim(&c.claim), c.source))
        .collect()
}

/// Why the Entra side cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraRefusal {
    pub problem: String,
    pub fix: String,
}

fn with(list: &[String], wanted: &str) -> Vec<String> {
    let mut out = list.to_vec();
    if !out.iter().any(|v| v == wanted) {
        out.push(wanted.to_string());
    }
    out
}

/// The changes that take the application from `seen` to `desired`. What the plan does not
/// show is kept: other identifiers and reply URLs stay beside ours.
pub fn plan(desired: &Desired, seen: &Seen) -> Result<Vec<EntraChange>, EntraRefusal> {
    let mut out = Vec::new();
    if let Some(app) = &seen.app
        && desired.protocol == Protocol::Oidc
        && app.sign_in_audience != "AzureADMyOrg"
    {
        return Err(EntraRefusal {
            problem: format!(
                "application {} signs in {} (not this organization only): its tokens name each user's own tenant, and Cognito trusts one issuer",
                app.display_name, app.sign_in_audience
            ),
            fix: "in Entra: App registrations › the app › Authentication › Supported account types: \"Accounts in this organizational directory only\"; or let the tool create its own (remove app_id)".into(),
        });
    }
    match (&seen.app, desired.protocol) {
        (None, Protocol::Saml) => out.push(EntraChange::CreateEnterpriseApp {
            display_name: desired.display_name.clone(),
        }),
        (None, Protocol::Oidc) => out.push(EntraChange::CreateAppRegistration {
            display_name: desired.display_name.clone(),
            redirect_uri: desired.reply_url.clone(),
        }),
        _ => {}
    }
    if let Some((display_name, app_id)) = &seen.adopted_by_identifier {
        out.push(EntraChange::AdoptApplication {
            display_name: display_name.clone(),
            app_id: app_id.clone(),
        });
    }
    let app = seen.app.clone().unwrap_or_default();
    let new = seen.app.is_none();
    if desired.protocol == Protocol::Oidc && seen.sp.is_none() {
        out.push(EntraChange::CreateServicePrincipal);
    }
    let sp = seen.sp.clone().unwrap_or_default();
    match desired.protocol {
        Protocol::Saml => {
            if sp.sso_mode.as_deref() != Some("saml") {
                out.push(EntraChange::SetSamlMode);
            }
            let identifier = desired.identifier.clone().unwrap_or_default();
            let identifier_uris = with(&app.identifier_uris, &identifier);
            let redirect_uris = with(&app.redirect_uris, &desired.reply_url);
            let logout_url = desired.logout_url.clone().or(app.logout_url.clone());
            if identifier_uris != app.identifier_uris
                || redirect_uris != app.redirect_uris
                || logout_url != app.logout_url
            {
                out.push(EntraChange::SetUrls {
                    identifier_uris,
                    redirect_uris,
                    logout_url,
                });
            }
            if let Some(relay) = &desired.relay_state
                && sp.relay_state.as_deref() != Some(relay.as_str())
            {
                out.push(EntraChange::SetRelayState {
                    relay_state: relay.clone(),
                });
            }
            let active = sp
                .signing_thumbprint
                .as_ref()
                .is_some_and(|t| sp.signing_certificates.contains(t));
            if !active {
                // One made by an interrupted run is used, not a second one added.
                out.push(match sp.signing_certificates.last() {
                    Some(thumbprint) => EntraChange::ActivateSigningCertificate {
                        thumbprint: thumbprint.clone(),
                    },
                    None => EntraChange::AddSigningCertificate,
                });
            }
        }
        Protocol::Oidc => {
            if !new && !app.redirect_uris.contains(&desired.reply_url) {
                out.push(EntraChange::SetUrls {
                    identifier_uris: Vec::new(),
                    redirect_uris: with(&app.redirect_uris, &desired.reply_url),
                    logout_url: app.logout_url.clone(),
                });
            }
            let mut claims = app.id_token_claims.clone();
            for claim in &desired.id_token_claims {
                if !claims.contains(claim) {
                    claims.push(claim.clone());
                }
            }
            if claims != app.id_token_claims {
                out.push(EntraChange::SetOptionalClaims { id_token: claims });
            }
            // A secret made before and never handed over goes first: at most one secret
            // of the tool's is ever live without Cognito holding it.
            for key_id in &desired.unclaimed_secrets {
                if app.secrets.iter().any(|s| &s.key_id == key_id) {
                    out.push(EntraChange::RemoveUnclaimedSecret {
                        key_id: key_id.clone(),
                    });
                }
            }
            if desired.needs_secret {
                out.push(EntraChange::AddSecret);
            }
        }
    }
    for p in &seen.principals {
        if !sp.assigned.contains(&p.id) {
            out.push(EntraChange::Assign {
                name: p.name.clone(),
                principal_id: p.id.clone(),
                kind: p.kind.clone(),
            });
        }
    }
    if desired.group_claims
        && app
            .group_membership_claims
            .as_deref()
            .is_none_or(|g| g.eq_ignore_ascii_case("None"))
    {
        out.push(EntraChange::SetGroupClaims);
    }
    if desired.protocol == Protocol::Saml {
        out.extend(claims_changes(desired, &sp)?);
        out.extend(notification_change(desired, &sp));
    }
    // Last: a certificate Cognito makes later in this run waits, and whatever follows it.
    if desired.protocol == Protocol::Saml {
        out.extend(certificate_changes(desired, &app));
    }
    Ok(out)
}

/// The claims the mapping needs that Entra does not send by default: a policy of the tool's
/// own made, assigned, or given the claims it lacks. The policy supersedes the portal's
/// Attributes & Claims, so it restates them (`policy_claims`). Somebody else's policy on the
/// application is not changed (it may serve other applications): refused, with the fix.
fn claims_changes(desired: &Desired, sp: &SpSeen) -> Result<Vec<EntraChange>, EntraRefusal> {
    if desired.saml_claims.is_empty() {
        return Ok(Vec::new());
    }
    let ours = claims_policy_name(&desired.display_name);
    let wanted = policy_claims(desired, sp);
    // The tool's own policy (an earlier run's): a claim of a wanted type gets the wanted
    // source, a missing one is added, claims of other types stay.
    let lacking = |policy: &PolicySeen, wanted: &[SamlClaim]| {
        let mut all = policy.claims.clone();
        for c in wanted {
            put_claim(&mut all, c);
        }
        (all != policy.claims).then_some(all)
    };
    Ok(match (&sp.claims_policy, &sp.unassigned_policy) {
        (Some(policy), _) if policy.display_name == ours => lacking(policy, &wanted)
            .map(|claims| EntraChange::UpdateClaimsPolicy {
                policy_id: policy.id.clone(),
                claims,
            })
            .into_iter()
            .collect(),
        (Some(policy), _) => {
            if lacking(policy, &desired.saml_claims).is_none() {
                return Ok(Vec::new());
            }
            return Err(EntraRefusal {
                problem: format!(
                    "the application has a claims-mapping policy of its own ({}), which lacks claims the mapping reads: {}",
                    policy.display_name,
                    desired
                        .saml_claims
                        .iter()
                        .filter(|c| !policy.claims.contains(c))
                        .map(|c| c.claim.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                fix: "add them to that policy (it may serve other applications, so the tool does not change it), or map attributes from claims Entra sends".into(),
            });
        }
        (None, Some(found)) => {
            let mut out = vec![EntraChange::AssignClaimsPolicy {
                policy_id: found.id.clone(),
            }];
            if let Some(claims) = lacking(found, &wanted) {
                out.push(EntraChange::UpdateClaimsPolicy {
                    policy_id: found.id.clone(),
                    claims,
                });
            }
            out
        }
        (None, None) => vec![EntraChange::CreateClaimsPolicy { claims: wanted }],
    })
}

/// The setup's expiry-mail addresses, when the application's list is not the same set
/// (e-mail addresses compared without regard to case). A setup that names none keeps the
/// application's list, whatever it is (the portal puts its creator's address there).
fn notification_change(desired: &Desired, sp: &SpSeen) -> Option<EntraChange> {
    if desired.notify.is_empty() || same_addresses(&desired.notify, &sp.notification_emails) {
        return None;
    }
    Some(EntraChange::SetNotificationEmails {
        addresses: desired.notify.clone(),
        replaced: sp.notification_emails.clone(),
    })
}

/// Whether two lists hold the same e-mail addresses, in any order and case.
pub fn same_addresses(a: &[String], b: &[String]) -> bool {
    let set = |l: &[String]| {
        l.iter()
            .map(|s| s.trim().to_lowercase())
            .collect::<std::collections::BTreeSet<_>>()
    };
    set(a) == set(b)
}

/// The setup's addresses the application's list lacks (without regard to case).
pub fn addresses_missing(wanted: &[String], held: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|w| !held.iter().any(|h| h.trim().eq_ignore_ascii_case(w.trim())))
        .cloned()
        .collect()
}

/// What the plan says about the portal's claims once the tool's claims-mapping policy is (or
/// will be) assigned: only then, and only for the tool's own policy.
pub fn claims_policy_notes(desired: &Desired, seen: &Seen) -> Vec<String> {
    if desired.protocol != Protocol::Saml || desired.saml_claims.is_empty() {
        return Vec::new();
    }
    let sp = seen.sp.clone().unwrap_or_default();
    let ours = claims_policy_name(&desired.display_name);
    if sp
        .claims_policy
        .as_ref()
        .is_some_and(|p| p.display_name != ours)
    {
        return Vec::new();
    }
    let restated: Vec<String> = policy_claims(desired, &sp)
        .iter()
        .map(|c| format!("{} ← user.{}", short_claim(&c.claim), c.source))
        .collect();
    let mut out = vec![format!(
        "with the tool's claims-mapping policy assigned, the portal's Attributes & Claims for {} no longer apply (Entra sends what the policy says instead); the policy restates {}. Change this application's claims in the setup's mapping from now on, not in the portal",
        desired.display_name,
        restated.join(", ")
    )];
    if let Some(portal) = &sp.portal_claims
        && !portal.untranslatable.is_empty()
    {
        out.push(format!(
            "will stop being sent once the policy is assigned: {} (from the portal's Attributes & Claims; a claims-mapping policy of the tool's states only claims from a user attribute); re-create it in the setup's mapping from a user attribute, or, if the application needs it as it is, keep the portal's claims by mapping only claims Entra sends by default",
            portal.untranslatable.join("; ")
        ));
    }
    out
}

/// A claim type as the plan shows it: the NameID by that name, the rest as they are.
fn short_claim(claim: &str) -> String {
    if same_claim_type(claim, NAME_ID_CLAIM) {
        "NameID".into()
    } else {
        claim.to_string()
    }
}

/// Cognito's certificates in Entra: the signing certificate to verify requests with (and
/// signed requests required), the encryption certificate made the active one.
fn certificate_changes(desired: &Desired, app: &AppSeen) -> Vec<EntraChange> {
    let mut out = Vec::new();
    match &desired.verification_certificate {
        CognitoCertificate::NotNeeded => {}
        CognitoCertificate::Pending => {
            out.push(EntraChange::AddVerificationCertificate { thumbprint: None })
        }
        CognitoCertificate::Known { thumbprint, .. } => {
            if app.key("Verify", thumbprint).is_none() {
                out.push(EntraChange::AddVerificationCertificate {
                    thumbprint: Some(thumbprint.clone()),
                });
            }
        }
    }
    if desired.require_signed_requests && !app.signed_requests_required {
        out.push(EntraChange::RequireSignedRequests);
    }
    match &desired.encryption_certificate {
        CognitoCertificate::NotNeeded => {}
        CognitoCertificate::Pending => {
            out.push(EntraChange::AddEncryptionCertificate { thumbprint: None })
        }
        CognitoCertificate::Known { thumbprint, .. } => match app.key("Encrypt", thumbprint) {
            None => out.push(EntraChange::AddEncryptionCertificate {
                thumbprint: Some(thumbprint.clone()),
            }),
            Some(key) if app.token_encryption_key_id.as_deref() != Some(key.key_id.as_str()) => out
                .push(EntraChange::ActivateEncryptionCertificate {
                    thumbprint: thumbprint.clone(),
                }),
            Some(_) => {}
        },
    }
    out
}

/// The App Federation Metadata Url of an application.
pub fn metadata_url(authority: &str, tenant: &str, app_id: &str) -> String {
    format!(
        "{}/{tenant}/federationmetadata/2007-06/federationmetadata.xml?appid={app_id}",
        authority.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saml() -> Desired {
        Desired {
            protocol: Protocol::Saml,
            display_name: "corp".into(),
            app_id: None,
            identifier: Some("urn:amazon:cognito:sp:eu-west-1_Abc".into()),
            reply_url: "https://corp.auth.eu-west-1.amazoncognito.com/saml2/idpresponse".into(),
            logout_url: None,
            relay_state: None,
            needs_secret: false,
            assign: Vec::new(),
            id_token_claims: Vec::new(),
            verification_certificate: CognitoCertificate::NotNeeded,
            require_signed_requests: false,
            encryption_certificate: CognitoCertificate::NotNeeded,
            saml_claims: Vec::new(),
            group_claims: false,
            unclaimed_secrets: Vec::new(),
            held_secret: None,
            apps_of_other_setups: Vec::new(),
            notify: Vec::new(),
        }
    }

    #[test]
    fn expiry_mails_are_set_when_the_setup_names_others_and_kept_when_it_names_none() {
        let sp = |emails: &[&str]| Seen {
            sp: Some(SpSeen {
                notification_emails: emails.iter().map(|e| e.to_string()).collect(),
                ..SpSeen::default()
            }),
            ..Seen::default()
        };
        let set = |changes: Vec<EntraChange>| {
            changes
                .into_iter()
                .filter(|c| matches!(c, EntraChange::SetNotificationEmails { .. }))
                .collect::<Vec<_>>()
        };
        let plan_for = |notify: &[&str], seen: &Seen| {
            let desired = Desired {
                notify: notify.iter().map(|e| e.to_string()).collect(),
                ..saml()
            };
            set(plan(&desired, seen).unwrap_or_default())
        };
        // Named none: the portal's address stays.
        assert_eq!(plan_for(&[], &sp(&["admin@contoso.com"])), Vec::new());
        // The same set in another order and case: nothing.
        assert_eq!(
            plan_for(
                &["ops@contoso.com", "it@contoso.com"],
                &sp(&["IT@Contoso.com", "ops@contoso.com"])
            ),
            Vec::new()
        );
        // Another set: the setup's, naming what it replaces.
        let changes = plan_for(&["ops@contoso.com"], &sp(&["admin@contoso.com"]));
        assert_eq!(
            changes,
            vec![EntraChange::SetNotificationEmails {
                addresses: vec!["ops@contoso.com".into()],
                replaced: vec!["admin@contoso.com".into()],
            }]
        );
        assert_eq!(
            changes[0].describe(),
            "~ SAML certificate expiry mails to ops@contoso.com (instead of admin@contoso.com)"
        );
        // A new application gets them too; OIDC never.
        assert_eq!(plan_for(&["ops@contoso.com"], &Seen::default()).len(), 1);
        let oidc = Desired {
            protocol: Protocol::Oidc,
            notify: vec!["ops@contoso.com".into()],
            ..saml()
        };
        assert_eq!(
            set(plan(&oidc, &Seen::default()).unwrap_or_default()),
            Vec::new()
        );
    }

    #[test]
    fn an_empty_tenant_gets_the_whole_saml_application_and_a_finished_one_nothing() {
        let changes = plan(&saml(), &Seen::default()).unwrap_or_default();
        assert!(matches!(
            changes[0],
            EntraChange::CreateEnterpriseApp { .. }
        ));
        assert!(changes.contains(&EntraChange::SetSamlMode));
        assert!(changes.contains(&EntraChange::AddSigningCertificate));
        let done = Seen {
            app: Some(AppSeen {
                identifier_uris: vec!["urn:amazon:cognito:sp:eu-west-1_Abc".into()],
                redirect_uris: vec![saml().reply_url],
                sign_in_audience: "AzureADMyOrg".into(),
                ..AppSeen::default()
            }),
            sp: Some(SpSeen {
                sso_mode: Some("saml".into()),
                signing_thumbprint: Some("AB".into()),
                signing_certificates: vec!["AB".into()],
                ..SpSeen::default()
            }),
            principals: Vec::new(),
            adopted_by_identifier: None,
        };
        assert_eq!(plan(&saml(), &done), Ok(Vec::new()));
    }

    #[test]
    fn an_adopted_multi_tenant_registration_is_refused_for_oidc() {
        let desired = Desired {
            protocol: Protocol::Oidc,
            ..saml()
        };
        let seen = Seen {
            app: Some(AppSeen {
                sign_in_audience: "AzureADMultipleOrgs".into(),
                ..AppSeen::default()
            }),
            sp: None,
            principals: Vec::new(),
            adopted_by_identifier: None,
        };
        assert!(plan(&desired, &seen).is_err());
    }

    fn finished_saml() -> Seen {
        Seen {
            app: Some(AppSeen {
                identifier_uris: vec!["urn:amazon:cognito:sp:eu-west-1_Abc".into()],
                redirect_uris: vec![saml().reply_url],
                sign_in_audience: "AzureADMyOrg".into(),
                ..AppSeen::default()
            }),
            sp: Some(SpSeen {
                sso_mode: Some("saml".into()),
                signing_thumbprint: Some("AB".into()),
                signing_certificates: vec!["AB".into()],
                ..SpSeen::default()
            }),
            principals: Vec::new(),
            adopted_by_identifier: None,
        }
    }

    fn known(thumbprint: &str) -> CognitoCertificate {
        CognitoCertificate::Known {
            thumbprint: thumbprint.into(),
            base64: "MIIB".into(),
        }
    }

    #[test]
    fn certificates_cognito_has_not_made_yet_wait_at_the_end_with_what_depends_on_them() {
        let desired = Desired {
            verification_certificate: CognitoCertificate::Pending,
            require_signed_requests: true,
            encryption_certificate: CognitoCertificate::Pending,
            ..saml()
        };
        let changes = plan(&desired, &Seen::default()).unwrap_or_default();
        let first_waiting = changes.iter().position(EntraChange::waits_for_cognito);
        assert_eq!(
            changes[first_waiting.unwrap_or(0)..],
            [
                EntraChange::AddVerificationCertificate { thumbprint: None },
                EntraChange::RequireSignedRequests,
                EntraChange::AddEncryptionCertificate { thumbprint: None },
            ]
        );
        assert!(
            changes[..first_waiting.unwrap_or(0)]
                .iter()
                .all(|c| !c.is_certificate())
        );
    }

    #[test]
    fn certificates_entra_holds_are_not_added_again_and_an_inactive_one_is_made_active() {
        let desired = Desired {
            verification_certificate: known("C0FFEE"),
            require_signed_requests: true,
            encryption_certificate: known("BEEF"),
            ..saml()
        };
        let mut seen = finished_saml();
        if let Some(app) = seen.app.as_mut() {
            app.keys = vec![
                KeySeen {
                    key_id: "k1".into(),
                    usage: "Verify".into(),
                    thumbprint: Some("c0ffee".into()),
                },
                KeySeen {
                    key_id: "k2".into(),
                    usage: "Encrypt".into(),
                    thumbprint: Some("BEEF".into()),
                },
                KeySeen {
                    key_id: "k3".into(),
                    usage: "Encrypt".into(),
                    thumbprint: Some("0THER".into()),
                },
            ];
            app.token_encryption_key_id = Some("k3".into());
        }
        assert_eq!(
            plan(&desired, &seen),
            Ok(vec![
                EntraChange::RequireSignedRequests,
                EntraChange::ActivateEncryptionCertificate {
                    thumbprint: "BEEF".into()
                },
            ])
        );
        if let Some(app) = seen.app.as_mut() {
            app.signed_requests_required = true;
            app.token_encryption_key_id = Some("k2".into());
        }
        assert_eq!(plan(&desired, &seen), Ok(Vec::new()));
        // A renewed Cognito certificate is a new verification certificate, beside the old one.
        let renewed = Desired {
            verification_certificate: known("NEW"),
            ..desired
        };
        assert_eq!(
            plan(&renewed, &seen),
            Ok(vec![EntraChange::AddVerificationCertificate {
                thumbprint: Some("NEW".into())
            }])
        );
    }

    fn claim(uri: &str, source: &str) -> SamlClaim {
        SamlClaim {
            claim: uri.into(),
            source: source.into(),
        }
    }

    #[test]
    fn a_claim_is_made_from_the_user_attribute_it_is_named_after() {
        let claims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
        assert_eq!(
            claim_source(&format!("{claims}/Department")),
            Some("department")
        );
        assert_eq!(
            claim_source("user.extensionattribute7"),
            Some("extensionattribute7")
        );
        assert_eq!(claim_source("employeeid"), Some("employeeid"));
        assert_eq!(
            claim_source("https://example.com/claims/favourite-colour"),
            None
        );
        assert_eq!(claim_source(""), None);
    }

    #[test]
    fn the_tools_policy_gains_what_it_lacks_and_somebody_elses_is_not_touched() {
        let desired = Desired {
            saml_claims: vec![
                claim("urn:dept", "department"),
                claim("urn:title", "jobtitle"),
            ],
            ..saml()
        };
        let mut seen = finished_saml();
        let mut made = defaults();
        made.extend(desired.saml_claims.clone());
        assert_eq!(
            plan(&desired, &seen),
            Ok(vec![EntraChange::CreateClaimsPolicy { claims: made }])
        );
        let ours = PolicySeen {
            id: "p1".into(),
            display_name: claims_policy_name("corp"),
            claims: vec![claim("urn:other", "city"), claim("urn:dept", "department")],
        };
        if let Some(sp) = seen.sp.as_mut() {
            sp.unassigned_policy = Some(ours.clone());
        }
        // Made by a run whose answer was lost: assigned, then given what it lacks.
        let changes = plan(&desired, &seen).unwrap_or_default();
        assert_eq!(
            changes,
            vec![
                EntraChange::AssignClaimsPolicy {
                    policy_id: "p1".into()
                },
                EntraChange::UpdateClaimsPolicy {
                    policy_id: "p1".into(),
                    claims: [
                        vec![claim("urn:other", "city"), claim("urn:dept", "department")],
                        defaults(),
                        vec![claim("urn:title", "jobtitle")],
                    ]
                    .concat(),
                },
            ]
        );
        let theirs = PolicySeen {
            display_name: "Contoso HR claims".into(),
            ..ours
        };
        if let Some(sp) = seen.sp.as_mut() {
            sp.unassigned_policy = None;
            sp.claims_policy = Some(theirs.clone());
        }
        let refused = plan(&desired, &seen)
            .err()
            .map(|r| r.problem)
            .unwrap_or_default();
        assert!(
            refused.contains("Contoso HR claims") && refused.contains("urn:title"),
            "{refused}"
        );
        // Somebody else's policy that sends them already is fine as it is.
        if let Some(sp) = seen.sp.as_mut() {
            sp.claims_policy = Some(PolicySeen {
                claims: vec![
                    claim("urn:title", "jobtitle"),
                    claim("urn:dept", "department"),
                ],
                ..theirs
            });
        }
        assert_eq!(plan(&desired, &seen), Ok(Vec::new()));
    }

    fn defaults() -> Vec<SamlClaim> {
        PORTAL_DEFAULT_CLAIMS
            .iter()
            .map(|(c, source)| claim(c, source))
            .collect()
    }

    const EMAIL: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";

    #[test]
    fn a_claim_of_a_type_the_policy_holds_replaces_its_source_and_others_are_added() {
        let mut claims = defaults();
        put_claim(
            &mut claims,
            &claim(&format!(" {EMAIL} "), "userprincipalname"),
        );
        put_claim(&mut claims, &claim("urn:dept", "department"));
        assert_eq!(claims.len(), PORTAL_DEFAULT_CLAIMS.len() + 1);
        assert_eq!(
            claims
                .iter()
                .find(|c| c.claim == EMAIL)
                .map(|c| c.source.as_str()),
            Some("userprincipalname")
        );
        assert!(same_claim_type(EMAIL, &format!("{EMAIL}\n")));
        assert!(!same_claim_type(EMAIL, NAME_ID_CLAIM));
    }

    #[test]
    fn the_policy_restates_the_portal_defaults_its_customization_and_the_mapping_in_that_order() {
        let desired = Desired {
            saml_claims: vec![claim("urn:dept", "department"), claim(EMAIL, "employeeid")],
            ..saml()
        };
        let mut seen = finished_saml();
        if let Some(sp) = seen.sp.as_mut() {
            sp.portal_claims = Some(PortalClaims {
                claims: vec![
                    claim(NAME_ID_CLAIM, "mail"),
                    claim("urn:title", "jobtitle"),
                    claim(EMAIL, "othermail"),
                ],
                untranslatable: vec!["urn:x (a transformation)".into()],
            });
        }
        let wanted = policy_claims(&desired, seen.sp.as_ref().unwrap_or(&SpSeen::default()));
        let source = |t: &str| {
            wanted
                .iter()
                .find(|c| c.claim == t)
                .map(|c| c.source.clone())
        };
        // The portal's NameID from mail is carried over; the mapping wins over the portal.
        assert_eq!(source(NAME_ID_CLAIM).as_deref(), Some("mail"));
        assert_eq!(source(EMAIL).as_deref(), Some("employeeid"));
        assert_eq!(source("urn:title").as_deref(), Some("jobtitle"));
        assert_eq!(source("urn:dept").as_deref(), Some("department"));
        assert_eq!(wanted.len(), 7);
        let notes = claims_policy_notes(&desired, &seen).join("\n");
        assert!(notes.contains("no longer apply"), "{notes}");
        assert!(notes.contains("NameID ← user.mail"), "{notes}");
        assert!(
            notes.contains("will stop being sent") && notes.contains("urn:x"),
            "{notes}"
        );
        // No claims beyond the defaults: no policy, and nothing said about the portal's claims.
        let plain = saml();
        assert_eq!(plan(&plain, &seen), Ok(Vec::new()));
        assert!(claims_policy_notes(&plain, &seen).is_empty());
    }
}
