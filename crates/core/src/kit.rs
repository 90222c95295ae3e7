//! The customer's kit and their reply: what a SaaS admin hands a customer's Entra admin
//! (`handoff`), and what comes back (`entra-side` writes it, `accept` takes it).
//!
//! The kit holds the values the customer's Entra needs and nothing else of the SaaS account:
//! no AWS account, profile or credential; pool and client IDs only where Cognito's own values
//! carry them (the Entity ID, the Relay State, the sign-on URL). The reply holds what Entra
//! gives back — never a secret — and the kit's Entity ID (SAML) or Redirect URI (OIDC), so a
//! reply meant for another pool, or edited on its way, is known as such.
//!
//! Both are versioned TOML: a file from a newer tool is refused with the reason, not misread.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::setup::model::{EntraSide, Provider, SamlOptions};
use crate::setup::{Protocol, Setup};

/// The newest kit format this build reads. A kit is written in the oldest format that holds
/// it (version 1 unless it names a cloud), so a customer's older tool reads what it can.
pub const KIT_VERSION: u32 = 2;
/// The reply format this build writes and reads.
pub const REPLY_VERSION: u32 = 1;

/// The values the customer's Entra needs, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kit {
    pub kit_version: u32,
    /// The cognito-entra version that wrote it.
    pub tool_version: String,
    /// The setup, as the SaaS admin calls it: the reply names it back.
    pub setup: String,
    pub protocol: Protocol,
    /// The Microsoft cloud the customer's tenant is in ("usgov", "china"), when not the
    /// global one: their portal, sign-in and Graph are that cloud's. Kit version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
    /// The application's name in the customer's Entra.
    pub display_name: String,
    /// SAML: Identifier (Entity ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// SAML: Reply URL (Assertion Consumer Service URL); OIDC: Redirect URI (Web).
    pub reply_url: String,
    /// Sign on URL (optional in Entra): where a sign-in to this application starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_on_url: Option<String>,
    /// SAML, sign-in from My Apps: the Relay State.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    /// SAML, sign-out from Entra: the Logout Url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logout_url: Option<String>,
    /// SAML: Entra refuses a sign-in request the application did not sign.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sign_requests: bool,
    /// SAML, signed requests or sign-out: the SaaS's public signing certificate (base64 DER),
    /// which Entra verifies its requests with (Verification certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_certificate: Option<String>,
    /// The claims the SaaS reads: user attribute in the SaaS → claim Entra sends.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub claims: BTreeMap<String, String>,
    /// Users (user principal names) and groups (display names) to assign, when the SaaS
    /// admin knows them; the customer may name others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assign: Vec<String>,
}

/// What the customer's admin sends back. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub reply_version: u32,
    /// The kit's setup name.
    pub setup: String,
    pub protocol: Protocol,
    /// SAML: the kit's Entity ID, as the application holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// OIDC: the kit's Redirect URI, as the app registration holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Directory (tenant) ID. SAML: may be left out; the metadata URL names it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    /// SAML: App Federation Metadata Url (with `?appid=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_url: Option<String>,
    /// OIDC: Application (client) ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// What an accepted reply gives the setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Saml {
        metadata_url: String,
        tenant: String,
    },
    Oidc {
        tenant: String,
        client_id: String,
    },
}

impl Given {
    pub fn tenant(&self) -> &str {
        match self {
            Given::Saml { tenant, .. } | Given::Oidc { tenant, .. } => tenant,
        }
    }
}

/// Why a kit or reply is refused: the field, the problem and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// "the kit" / "the reply", with its file when known.
    pub what: String,
    pub field: String,
    pub problem: String,
    pub fix: String,
    /// The fix is done in the portal (copy a value again): the customer's admin does it, so
    /// the SaaS admin is told to ask them (`to_saas_admin`).
    pub portal: bool,
}

impl Refused {
    /// The fix as the one at the portal does it.
    pub fn fix_for(&self, who: Who) -> String {
        if self.portal && who == Who::SaasAdmin {
            format!("ask the customer's Entra admin to {}", self.fix)
        } else {
            self.fix.clone()
        }
    }

    /// The refusal as the SaaS admin reads it (`accept`, or values pasted from a reply).
    pub fn to_saas_admin(&self) -> String {
        format!(
            "{}{}\n  fix: {}",
            self.whose(),
            self.problem,
            self.fix_for(Who::SaasAdmin)
        )
    }
}

/// Who reads a refusal or a question: the SaaS admin taking a customer's reply, or the
/// customer's Entra admin working from their kit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    SaasAdmin,
    CustomerAdmin,
}

impl Refused {
    /// "the reply: metadata_url: " — or only "the reply: " when the whole file is refused.
    fn whose(&self) -> String {
        if self.field == "(file)" {
            format!("{}: ", self.what)
        } else {
            format!("{}: {}: ", self.what, self.field)
        }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}\n  fix: {}", self.whose(), self.problem, self.fix)
    }
}

fn refused(what: &str, field: &str, problem: String, fix: &str) -> Refused {
    Refused {
        what: what.to_string(),
        field: field.to_string(),
        problem,
        fix: fix.to_string(),
        portal: false,
    }
}

/// A refusal whose fix is done in the portal.
fn at_portal(mut r: Refused) -> Refused {
    r.portal = true;
    r
}

const KIT: &str = "the kit";
const REPLY: &str = "the reply";

/// The version a file says it is, before anything else of it is read: a newer one is
/// refused as such rather than as a list of unknown fields.
fn version_of(
    table: &toml::Table,
    what: &str,
    key: &str,
    ours: u32,
    fix_missing: &str,
) -> Result<(), Refused> {
    match table.get(key) {
        None => Err(refused(
            what,
            key,
            "is missing: this is not a cognito-entra file of this kind".into(),
            fix_missing,
        )),
        Some(toml::Value::Integer(v)) if *v > i64::from(ours) => Err(refused(
            what,
            key,
            format!(
                "is {v}: it was written by a newer cognito-entra, and this one (version {}) reads {key} {ours} only",
                env!("CARGO_PKG_VERSION")
            ),
            "update cognito-entra to the version that wrote it (or newer), then run this again",
        )),
        Some(toml::Value::Integer(v)) if *v >= 1 => Ok(()),
        Some(other) => Err(refused(
            what,
            key,
            format!("is {other}, not a version number"),
            fix_missing,
        )),
    }
}

fn parse_table(text: &str, what: &str, fix: &str) -> Result<toml::Table, Refused> {
    text.parse::<toml::Table>()
        .map_err(|e| refused(what, "(file)", format!("is not TOML: {}", e.message()), fix))
}

fn parse_as<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
    fix: &str,
) -> Result<T, Refused> {
    let de = toml::Deserializer::parse(text)
        .map_err(|e| refused(what, "(file)", format!("is not TOML: {}", e.message()), fix))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        refused(
            what,
            if path == "." { "(file)" } else { &path },
            e.inner().message().to_string(),
            fix,
        )
    })
}

const KIT_FIX: &str =
    "ask the SaaS admin for the kit again (`cognito-entra handoff` writes it); do not edit it";
const REPLY_FIX: &str = "ask the customer's Entra admin for the reply again (`cognito-entra entra-side --kit FILE` writes it), or write it from the kit page's template";

impl Kit {
    /// Reads a kit: its version first, then every field, then each value's form.
    pub fn parse(text: &str) -> Result<Kit, Refused> {
        let table = parse_table(text, KIT, KIT_FIX)?;
        if table.contains_key("reply_version") {
            return Err(refused(
                KIT,
                "(file)",
                "is a reply (NAME.reply.toml), not a kit".into(),
                "give the NAME.kit.toml the SaaS admin sent",
            ));
        }
        version_of(&table, KIT, "kit_version", KIT_VERSION, KIT_FIX)?;
        let kit: Kit = parse_as(text, KIT, KIT_FIX)?;
        kit.check()?;
        Ok(kit)
    }

    pub fn to_toml(&self) -> String {
        format!(
            "# cognito-entra kit: the values your Entra needs for {:?}. No secret is in it.\n# Open {}.html for the steps, or run: cognito-entra entra-side --kit THIS_FILE\n# (through Microsoft Graph; add --entra manual to be walked through the portal instead)\n{}",
            self.setup,
            self.setup,
            toml::to_string(self).unwrap_or_default()
        )
    }

    /// The oldest kit format that holds this kit's fields.
    pub fn version_needed(&self) -> u32 {
        if self.cloud.is_some() { 2 } else { 1 }
    }

    /// The cloud the customer's tenant is in (global unless the kit names another).
    pub fn cloud(&self) -> crate::cloud::Cloud {
        self.cloud
            .as_deref()
            .and_then(crate::cloud::Cloud::from_name)
            .unwrap_or_default()
    }

    /// What ties a reply to this kit: the Entity ID (SAML) or the Redirect URI (OIDC).
    pub fn anchor(&self) -> &str {
        match self.protocol {
            Protocol::Saml => self.entity_id.as_deref().unwrap_or_default(),
            Protocol::Oidc => &self.reply_url,
        }
    }

    /// Each value's form: what Entra would refuse, or a sign-in would fail on.
    pub fn check(&self) -> Result<(), Refused> {
        let bad = |field: &str, problem: String| Err(refused(KIT, field, problem, KIT_FIX));
        if self.setup.trim().is_empty() {
            return bad("setup", "is empty".into());
        }
        if self.display_name.trim().is_empty() {
            return bad("display_name", "is empty".into());
        }
        if let Some(cloud) = &self.cloud {
            if crate::cloud::Cloud::from_name(cloud).is_none() {
                return bad(
                    "cloud",
                    format!("{cloud:?} is not a Microsoft cloud (global, usgov or china)"),
                );
            }
            if self.kit_version < 2 {
                return bad(
                    "kit_version",
                    "is 1, but the kit names a cloud, which version 2 brought".into(),
                );
            }
        }
        match (self.protocol, &self.entity_id) {
            (Protocol::Saml, None) => return bad("entity_id", "is missing (SAML)".into()),
            (Protocol::Saml, Some(id)) if !id.starts_with("urn:amazon:cognito:sp:") => {
                return bad(
                    "entity_id",
                    format!("{id:?} is not a Cognito Entity ID (urn:amazon:cognito:sp:POOL_ID)"),
                );
            }
            (Protocol::Oidc, Some(_)) => {
                return bad("entity_id", "is a SAML value, in an OIDC kit".into());
            }
            _ => {}
        }
        https("reply_url", &self.reply_url).or_else(|p| bad("reply_url", p))?;
        for (field, value) in [
            ("sign_on_url", &self.sign_on_url),
            ("logout_url", &self.logout_url),
        ] {
            if let Some(v) = value {
                https(field, v).or_else(|p| bad(field, p))?;
            }
        }
        if self.protocol == Protocol::Oidc
            && (self.relay_state.is_some()
                || self.logout_url.is_some()
                || self.sign_requests
                || self.signing_certificate.is_some())
        {
            return bad(
                "protocol",
                "is oidc, but the kit holds SAML-only values (relay_state, logout_url, sign_requests, signing_certificate)".into(),
            );
        }
        if self.protocol == Protocol::Saml
            && (self.sign_requests || self.logout_url.is_some())
            && self.signing_certificate.is_none()
        {
            return bad(
                "signing_certificate",
                "is missing: with signed requests or sign-out, Entra verifies requests with it"
                    .into(),
            );
        }
        if let Some(cert) = &self.signing_certificate {
            crate::entra_facts::parse_certificate(cert).map_err(|e| {
                refused(
                    KIT,
                    "signing_certificate",
                    format!("is not a certificate: {e}"),
                    KIT_FIX,
                )
            })?;
        }
        Ok(())
    }

    /// The kit as the answers of a setup, for what is defined on answers once (the portal
    /// instructions, the claims Entra is made to send, the Graph application wanted).
    pub fn as_setup(&self) -> Setup {
        let mut setup = Setup::blank(&self.setup, self.protocol);
        setup.provider = Provider {
            attribute_mapping: self.claims.clone(),
            ..Provider::default()
        };
        if self.protocol == Protocol::Saml {
            setup.saml = Some(SamlOptions {
                idp_initiated: self.relay_state.is_some(),
                idp_signout: self.logout_url.is_some(),
                sign_requests: self.sign_requests,
                ..SamlOptions::default()
            });
        }
        setup.entra = EntraSide {
            cloud: self.cloud.clone(),
            display_name: Some(self.display_name.clone()),
            assign: self.assign.clone(),
            ..EntraSide::default()
        };
        setup
    }

    /// The values to paste, labelled as Entra's fields are, in the order the portal shows
    /// them.
    pub fn fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let mut out = Vec::new();
        let mut push = |key: &'static str, label: &'static str, v: Option<&String>| {
            if let Some(v) = v {
                out.push((key, label, v.clone()));
            }
        };
        match self.protocol {
            Protocol::Saml => {
                push(
                    "entity_id",
                    "Identifier (Entity ID)",
                    self.entity_id.as_ref(),
                );
                push(
                    "reply_url",
                    "Reply URL (Assertion Consumer Service URL)",
                    Some(&self.reply_url),
                );
                push(
                    "sign_on_url",
                    "Sign on URL (optional)",
                    self.sign_on_url.as_ref(),
                );
                push("relay_state", "Relay State", self.relay_state.as_ref());
                push("logout_url", "Logout Url", self.logout_url.as_ref());
            }
            Protocol::Oidc => {
                push(
                    "redirect_uri",
                    "Redirect URI (platform Web)",
                    Some(&self.reply_url),
                );
                push(
                    "sign_on_url",
                    "Home page URL (optional; Branding & properties)",
                    self.sign_on_url.as_ref(),
                );
            }
        }
        out
    }
}

fn https(field: &str, value: &str) -> Result<(), String> {
    match url::Url::parse(value) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some() => Ok(()),
        Ok(_) => Err(format!("{value:?} is not an https:// address")),
        Err(_) => Err(format!(
            "{value:?} is not a web address (it starts with https://) [{field}]"
        )),
    }
}

impl Reply {
    /// Reads a reply: its version first, then every field. A secret in it is refused
    /// before anything else is said of it.
    pub fn parse(text: &str) -> Result<Reply, Refused> {
        let table = parse_table(text, REPLY, REPLY_FIX)?;
        if let Some(key) = table
            .keys()
            .find(|k| k.to_ascii_lowercase().contains("secret"))
        {
            return Err(refused(
                REPLY,
                key,
                "a reply never carries a secret, and this one does".into(),
                "delete the reply file; since the secret has been in a file, make a new client secret in Entra (App registrations › the app › Certificates & secrets), delete the old one, and hand the new one over out of band: it is typed at `cognito-entra apply` (hidden) or given in COGNITO_ENTRA_CLIENT_SECRET",
            ));
        }
        if table.contains_key("kit_version") {
            return Err(refused(
                REPLY,
                "(file)",
                "is a kit (NAME.kit.toml), not a reply".into(),
                "give the NAME.reply.toml the customer's Entra admin sent back (their `entra-side` writes it)",
            ));
        }
        version_of(&table, REPLY, "reply_version", REPLY_VERSION, REPLY_FIX)?;
        parse_as(text, REPLY, REPLY_FIX)
    }

    pub fn to_toml(&self) -> String {
        format!(
            "# cognito-entra reply for {:?}: send this file back. It holds no secret.\n{}",
            self.setup,
            toml::to_string(self).unwrap_or_default()
        )
    }

    /// The reply the customer's side writes from the application Entra holds.
    pub fn from_application(kit: &Kit, authority: &str, tenant: &str, app_id: &str) -> Reply {
        let saml = kit.protocol == Protocol::Saml;
        Reply::answering(
            kit,
            tenant,
            saml.then(|| crate::entra_app::metadata_url(authority, tenant, app_id)),
            (!saml).then(|| app_id.to_string()),
        )
    }

    /// A reply to `kit`, tied to it (its setup, protocol and Entity ID or Redirect URI), with
    /// what Entra gave: the tenant, and the metadata URL (SAML) or client ID (OIDC).
    pub fn answering(
        kit: &Kit,
        tenant: &str,
        metadata_url: Option<String>,
        client_id: Option<String>,
    ) -> Reply {
        let saml = kit.protocol == Protocol::Saml;
        Reply {
            reply_version: REPLY_VERSION,
            setup: kit.setup.clone(),
            protocol: kit.protocol,
            entity_id: kit.entity_id.clone().filter(|_| saml),
            redirect_uri: (!saml).then(|| kit.reply_url.clone()),
            tenant_id: tenant.to_string(),
            metadata_url: metadata_url.filter(|_| saml),
            client_id: client_id.filter(|_| !saml),
        }
    }

    /// The reply as written to send: a SAML reply's tenant spelled out from its metadata URL
    /// (for whoever reads the file), once the checks took it.
    pub fn with_tenant_spelled_out(mut self) -> Reply {
        if self.tenant_id.trim().is_empty()
            && let Some(url) = &self.metadata_url
        {
            self.tenant_id = tenant_in_url(url);
        }
        self
    }

    /// The reply held against the kit it answers: the same setup and protocol, the kit's
    /// own Entity ID (or Redirect URI), and values of the form Entra gives.
    pub fn check_against(&self, kit: &Kit) -> Result<Given, Refused> {
        let no = |field: &str, problem: String, fix: &str| Err(refused(REPLY, field, problem, fix));
        if self.setup != kit.setup {
            return no(
                "setup",
                format!(
                    "is {:?}: this reply answers the kit for another setup, not {:?}",
                    self.setup, kit.setup
                ),
                &format!(
                    "accept it for its own setup (--setup {}), or ask the customer for the reply to the {:?} kit",
                    self.setup, kit.setup
                ),
            );
        }
        if self.protocol != kit.protocol {
            return no(
                "protocol",
                format!(
                    "is {}, but the kit for {:?} is {}",
                    self.protocol.label(),
                    kit.setup,
                    kit.protocol.label()
                ),
                REPLY_FIX,
            );
        }
        let (field, said) = match kit.protocol {
            Protocol::Saml => ("entity_id", self.entity_id.as_deref()),
            Protocol::Oidc => ("redirect_uri", self.redirect_uri.as_deref()),
        };
        match said {
            None => return no(field, "is missing".into(), REPLY_FIX),
            Some(v) if v != kit.anchor() => {
                return no(
                    field,
                    format!(
                        "is {v:?}, but the kit for {:?} says {:?}: the reply was changed on its way, or answers a kit of another pool",
                        kit.setup,
                        kit.anchor()
                    ),
                    "do not accept it: ask the customer's Entra admin to check the application against the kit and send the reply again",
                );
            }
            Some(_) => {}
        }
        // SAML: the metadata URL names the tenant; a reply may leave tenant_id out.
        let tenant = match (&self.metadata_url, self.tenant_id.trim()) {
            (Some(url), "") if kit.protocol == Protocol::Saml => tenant_in_url(url),
            (_, given) => given.to_ascii_lowercase(),
        };
        if !crate::setup::validate::is_guid(&tenant) {
            if kit.protocol == Protocol::Saml && self.tenant_id.trim().is_empty() {
                return Err(at_portal(refused(
                    REPLY,
                    "metadata_url",
                    format!(
                        "names the tenant as {tenant:?}, not by its Directory (tenant) ID (a GUID)"
                    ),
                    METADATA_COPY,
                )));
            }
            return Err(at_portal(refused(
                REPLY,
                "tenant_id",
                format!(
                    "{:?} is not a Directory (tenant) ID (a GUID)",
                    self.tenant_id
                ),
                "copy Directory (tenant) ID from Entra's Overview page",
            )));
        }
        match kit.protocol {
            Protocol::Saml => {
                let Some(url) = &self.metadata_url else {
                    return no("metadata_url", "is missing (SAML)".into(), REPLY_FIX);
                };
                check_metadata_url(url, Some(&tenant)).map_err(|(problem, fix)| {
                    at_portal(refused(REPLY, "metadata_url", problem, fix))
                })?;
                check_cloud(url, kit.cloud())
                    .map_err(|(problem, fix)| refused(REPLY, "metadata_url", problem, fix))?;
                Ok(Given::Saml {
                    metadata_url: url.trim().to_string(),
                    tenant,
                })
            }
            Protocol::Oidc => {
                let client = self.client_id.as_deref().unwrap_or_default().trim();
                if !crate::setup::validate::is_guid(client) {
                    return Err(at_portal(refused(
                        REPLY,
                        "client_id",
                        format!("{client:?} is not an Application (client) ID (a GUID)"),
                        "copy Application (client) ID from the app registration's Overview page",
                    )));
                }
                Ok(Given::Oidc {
                    tenant,
                    client_id: client.to_ascii_lowercase(),
                })
            }
        }
    }
}

/// An App Federation Metadata Url's form: https, the tenant's federation metadata path, and
/// an `appid` (without one it is the tenant-wide document).
/// Where an App Federation Metadata Url is copied from.
const METADATA_COPY: &str = "copy App Federation Metadata Url from the enterprise application's Single sign-on › SAML Certificates (it ends with ?appid=…)";

/// The tenant an App Federation Metadata Url names (its first path segment).
pub fn tenant_in_url(url: &str) -> String {
    url::Url::parse(url.trim())
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.next().map(str::to_ascii_lowercase))
        })
        .unwrap_or_default()
}

fn check_metadata_url(url: &str, tenant: Option<&str>) -> Result<(), (String, &'static str)> {
    const COPY: &str = METADATA_COPY;
    let parsed = url::Url::parse(url.trim()).map_err(|_| {
        (
            format!("{url:?} is not a web address (it starts with https://)"),
            COPY,
        )
    })?;
    if parsed.scheme() != "https" {
        return Err((format!("{url:?} is not an https:// address"), COPY));
    }
    let segments: Vec<&str> = parsed
        .path_segments()
        .map(|s| s.collect())
        .unwrap_or_default();
    let shape = segments.len() == 4
        && segments[1..] == ["federationmetadata", "2007-06", "federationmetadata.xml"];
    if !shape {
        return Err((
            format!(
                "{url:?} is not a federation metadata address (…/TENANT/federationmetadata/2007-06/federationmetadata.xml?appid=…)"
            ),
            COPY,
        ));
    }
    if let Some(tenant) = tenant
        && !segments[0].eq_ignore_ascii_case(tenant)
    {
        return Err((
            format!(
                "names tenant {:?}, but tenant_id is {tenant}: the metadata is of another tenant than the one the reply names",
                segments[0]
            ),
            COPY,
        ));
    }
    let appid = parsed
        .query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case("appid"))
        .map(|(_, v)| v.into_owned());
    match appid {
        None => Err((
            "has no appid=: it is the tenant-wide metadata, whose certificates are the tenant's, not the application's".into(),
            COPY,
        )),
        Some(a) if !crate::setup::validate::is_guid(&a) => Err((
            format!("appid={a:?} is not an Application (client) ID (a GUID)"),
            COPY,
        )),
        Some(_) => Ok(()),
    }
}

/// A metadata URL on the sign-in host of another cloud than the kit's: the application
/// was made in another tenant than the one the kit was written for (a test tenant in the
/// global cloud, say), and Cognito would trust that tenant. A host of no known cloud (a
/// proxy, a test authority) is left to the metadata's own checks.
fn check_cloud(url: &str, kit_cloud: crate::cloud::Cloud) -> Result<(), (String, &'static str)> {
    let host = url::Url::parse(url.trim())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    match crate::cloud::Cloud::of_sign_in_host(&host) {
        Some(seen) if seen != kit_cloud => Err((
            format!(
                "is on {host}, the sign-in host of {}, but the kit is for a tenant in {}",
                seen.label(),
                kit_cloud.label()
            ),
            "ask the customer's Entra admin for the metadata URL of the application in the tenant the kit is for; if their tenant is in another cloud, the SaaS admin sets [entra] cloud for the setup and hands the kit over again",
        )),
        _ => Ok(()),
    }
}

/// What is wrong with the form of an App Federation Metadata Url on its own (https, the
/// federation metadata path, an `appid`), as a refusal of the reply's field.
pub fn metadata_url_problem(url: &str) -> Option<Refused> {
    check_metadata_url(url, None)
        .err()
        .map(|(problem, fix)| at_portal(refused(REPLY, "metadata_url", problem, fix)))
}

/// The appid of an App Federation Metadata Url, when it has one.
pub fn metadata_app_id(url: &str) -> Option<String> {
    url::Url::parse(url.trim()).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k.eq_ignore_ascii_case("appid"))
            .map(|(_, v)| v.to_ascii_lowercase())
    })
}

/// A kit as handoff writes it, for the tests of what reads kits (SAML: with the pool's
/// Entity ID; OIDC: the Redirect URI only). One email claim.
#[cfg(test)]
pub(crate) fn example_kit(protocol: Protocol) -> Kit {
    let saml = protocol == Protocol::Saml;
    Kit {
        kit_version: 1,
        tool_version: "0.1.0".into(),
        setup: "acme".into(),
        protocol,
        cloud: None,
        display_name: "Example SaaS".into(),
        entity_id: saml.then(|| "urn:amazon:cognito:sp:eu-west-1_AbCdEf123".to_string()),
        reply_url: "https://login.example.com/saml2/idpresponse".into(),
        sign_on_url: None,
        relay_state: None,
        logout_url: None,
        sign_requests: false,
        signing_certificate: None,
        claims: BTreeMap::from([(
            "email".into(),
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress".into(),
        )]),
        assign: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const APP: &str = "11112222-3333-4444-8555-666677778888";

    fn kit() -> Kit {
        example_kit(Protocol::Saml)
    }

    fn reply() -> Reply {
        Reply::from_application(&kit(), "https://login.microsoftonline.com", TENANT, APP)
    }

    #[test]
    fn a_kit_and_a_reply_read_back_as_written() {
        let k = kit();
        assert_eq!(Kit::parse(&k.to_toml()), Ok(k.clone()));
        let r = reply();
        assert_eq!(Reply::parse(&r.to_toml()), Ok(r.clone()));
        assert_eq!(
            r.check_against(&k),
            Ok(Given::Saml {
                metadata_url: format!(
                    "https://login.microsoftonline.com/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={APP}"
                ),
                tenant: TENANT.into()
            })
        );
    }

    #[test]
    fn a_kit_for_a_national_cloud_says_so_and_refuses_another_clouds_reply() {
        let k = Kit {
            kit_version: 2,
            cloud: Some("usgov".into()),
            ..kit()
        };
        assert_eq!(k.version_needed(), 2);
        assert_eq!(kit().version_needed(), 1);
        assert_eq!(Kit::parse(&k.to_toml()), Ok(k.clone()));
        assert_eq!(k.as_setup().entra.cloud(), Some(crate::cloud::Cloud::UsGov));
        // The application made in the right cloud is taken …
        let gov = Reply::from_application(&k, "https://login.microsoftonline.us", TENANT, APP);
        assert!(gov.check_against(&k).is_ok());
        // … one made in the global cloud is not: it is another tenant's.
        let global = Reply::from_application(&k, "https://login.microsoftonline.com", TENANT, APP);
        let e = global.check_against(&k).unwrap_err();
        assert_eq!(e.field, "metadata_url");
        assert!(e.problem.contains("login.microsoftonline.com"), "{e}");
        assert!(e.problem.contains("Azure Government"), "{e}");
        // And the other way round: a global kit takes no US Government metadata.
        let e = gov.check_against(&kit()).unwrap_err();
        assert!(e.problem.contains("Azure Government"), "{e}");
        // A host of no known cloud (a proxy, a test authority) is left to the fetch.
        let other = Reply::from_application(&k, "https://127.0.0.1:8443", TENANT, APP);
        assert!(other.check_against(&k).is_ok());
    }

    #[test]
    fn a_kit_naming_an_unknown_cloud_or_too_old_a_version_for_it_is_refused() {
        let e = Kit::parse(
            &Kit {
                kit_version: 2,
                cloud: Some("germany".into()),
                ..kit()
            }
            .to_toml(),
        )
        .unwrap_err();
        assert_eq!(e.field, "cloud");
        assert!(e.problem.contains("usgov"), "{e}");
        let e = Kit::parse(
            &Kit {
                cloud: Some("china".into()),
                ..kit()
            }
            .to_toml(),
        )
        .unwrap_err();
        assert_eq!(e.field, "kit_version");
    }

    #[test]
    fn a_kit_given_as_a_reply_and_a_reply_as_a_kit_are_named_as_such() {
        let e = Reply::parse(&kit().to_toml()).unwrap_err();
        assert!(e.problem.contains("is a kit"), "{e}");
        let e = Kit::parse(&reply().to_toml()).unwrap_err();
        assert!(e.problem.contains("is a reply"), "{e}");
    }

    #[test]
    fn a_saml_reply_may_leave_the_tenant_to_its_metadata_url() {
        let mut r = reply();
        r.tenant_id = String::new();
        let text = r.to_toml();
        assert!(!text.contains("tenant_id"), "{text}");
        let parsed = Reply::parse(&text).unwrap();
        assert_eq!(
            parsed.check_against(&kit()).map(|g| g.tenant().to_string()),
            Ok(TENANT.into())
        );
        // A URL naming the tenant by its domain is no tenant ID.
        r.metadata_url = Some(format!(
            "https://login.microsoftonline.com/contoso.com/federationmetadata/2007-06/federationmetadata.xml?appid={APP}"
        ));
        let e = r.check_against(&kit()).unwrap_err();
        assert_eq!(e.field, "metadata_url");
        assert!(e.problem.contains("contoso.com"), "{e}");
        assert!(
            e.to_saas_admin().contains("ask the customer's Entra admin"),
            "{e}"
        );
    }

    #[test]
    fn a_kit_from_a_newer_tool_is_refused_as_such() {
        let text = kit()
            .to_toml()
            .replace("kit_version = 1", "kit_version = 3\nnew_thing = true");
        let e = Kit::parse(&text).unwrap_err();
        assert_eq!(e.field, "kit_version");
        assert!(e.problem.contains("newer cognito-entra"), "{e}");
        assert!(e.fix.contains("update cognito-entra"), "{e}");
        let e = Reply::parse(
            &reply()
                .to_toml()
                .replace("reply_version = 1", "reply_version = 7"),
        )
        .unwrap_err();
        assert_eq!(e.field, "reply_version");
    }

    #[test]
    fn a_file_without_a_version_or_with_a_stray_field_is_refused_by_name() {
        let e = Kit::parse("setup = \"acme\"\n").unwrap_err();
        assert_eq!(e.field, "kit_version");
        let e = Kit::parse(&kit().to_toml().replace(
            "kit_version = 1",
            "kit_version = 1\naws_account_id = \"123\"",
        ))
        .unwrap_err();
        assert!(e.problem.contains("aws_account_id"), "{e}");
    }

    #[test]
    fn a_reply_for_another_setup_is_refused_and_names_both() {
        let mut r = reply();
        r.setup = "globex".into();
        let e = r.check_against(&kit()).unwrap_err();
        assert_eq!(e.field, "setup");
        assert!(
            e.problem.contains("globex") && e.problem.contains("acme"),
            "{e}"
        );
    }

    #[test]
    fn a_reply_whose_entity_id_is_not_the_kits_is_refused_as_tampered() {
        let mut r = reply();
        r.entity_id = Some("urn:amazon:cognito:sp:eu-west-1_Other".into());
        let e = r.check_against(&kit()).unwrap_err();
        assert_eq!(e.field, "entity_id");
        assert!(e.problem.contains("changed on its way"), "{e}");
    }

    #[test]
    fn malformed_values_are_refused_with_the_field() {
        let mut r = reply();
        r.metadata_url = Some(format!(
            "https://login.microsoftonline.com/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"
        ));
        let e = r.check_against(&kit()).unwrap_err();
        assert_eq!(e.field, "metadata_url");
        assert!(e.problem.contains("tenant-wide"), "{e}");
        let mut r = reply();
        r.tenant_id = "contoso".into();
        assert_eq!(r.check_against(&kit()).unwrap_err().field, "tenant_id");
        let mut r = reply();
        r.tenant_id = APP.into();
        let e = r.check_against(&kit()).unwrap_err();
        assert!(e.problem.contains("another tenant"), "{e}");
        let mut k = kit();
        k.reply_url = "http://login.example.com/saml2/idpresponse".into();
        assert_eq!(Kit::parse(&k.to_toml()).unwrap_err().field, "reply_url");
    }

    #[test]
    fn a_reply_carrying_a_secret_is_refused() {
        let mut k = kit();
        k.protocol = Protocol::Oidc;
        k.entity_id = None;
        let r = Reply::from_application(&k, "https://login.microsoftonline.com", TENANT, APP);
        assert!(r.check_against(&k).is_ok());
        let text = format!("{}client_secret = \"abc~def\"\n", r.to_toml());
        let e = Reply::parse(&text).unwrap_err();
        assert_eq!(e.field, "client_secret");
        assert!(!e.to_string().contains("abc~def"), "{e}");
    }
}
