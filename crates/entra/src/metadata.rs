//! SAML federation metadata from Entra: parsed with a real XML parser (namespaces respected,
//! no DTDs, so no entity bombs), then judged: is it the app's metadata, and will its signing
//! certificates work?

use std::path::Path;

use time::{Duration, OffsetDateTime};
use url::Url;

use super::fetch::Fetcher;
use super::{Finding, Level, is_entra_host};
pub use cognito_entra_core::entra_facts::{
    Certificate, EXPIRY_WARNING_DAYS, Endpoint, Metadata, SignatureCheck, date, parse_certificate,
    rfc3339, short, thumbprint,
};

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const PORTAL_HOSTS: [&str; 5] = [
    "portal.azure.com",
    "entra.microsoft.com",
    "aad.portal.azure.com",
    "myapps.microsoft.com",
    "admin.microsoft.com",
];

/// Where the metadata came from; the advice differs.
#[derive(Debug, Clone)]
pub enum Origin {
    Url(Url),
    File(String),
}

/// The metadata (when it could be read) and everything the admin should know about it.
#[derive(Debug, Clone)]
pub struct Report {
    pub source: String,
    pub metadata: Option<Metadata>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Error)
    }
}

/// Checks an App Federation Metadata Url: its form first, then what it serves.
pub async fn check_url(
    fetcher: &Fetcher,
    raw: &str,
    authority: &str,
    now: OffsetDateTime,
) -> Report {
    let source = raw.trim().to_string();
    let mut findings = Vec::new();
    let url = match Url::parse(&source) {
        Ok(u) => u,
        Err(e) => {
            return Report {
                source: source.clone(),
                metadata: None,
                findings: vec![Finding::error(format!(
                    "{source:?} is not a URL ({e}): copy \"App Federation Metadata Url\" from Entra, Single sign-on › SAML Certificates"
                ))],
            };
        }
    };
    findings.extend(url_findings(&url, authority));
    if findings.iter().any(|f| f.level == Level::Error) {
        return Report {
            source,
            metadata: None,
            findings,
        };
    }
    match fetcher.get(&source).await.and_then(|f| f.success()) {
        Ok(fetched) => {
            let mut report = analyze(&fetched.body, &Origin::Url(url), now);
            findings.append(&mut report.findings);
            report.findings = findings;
            report.source = source;
            sort(&mut report.findings);
            report
        }
        Err(e) => {
            findings.insert(0, Finding::error(e.to_string()));
            Report {
                source,
                metadata: None,
                findings,
            }
        }
    }
}

/// Checks a downloaded Federation Metadata XML file.
pub fn check_file(path: &Path, now: OffsetDateTime) -> Report {
    let source = path.display().to_string();
    let bytes = match cognito_entra_core::bounded::read_file(
        path,
        cognito_entra_core::bounded::METADATA,
    ) {
        Ok(b) => Ok(b),
        Err(too_large @ cognito_entra_core::bounded::ReadError::TooLarge { .. }) => Err(format!(
            "{}; Federation Metadata XML is a few kilobytes — is this the right file? (fix: download it again from Entra: Single sign-on › SAML Certificates › Federation Metadata XML)",
            too_large.about(&source)
        )),
        Err(e) => Err(format!("cannot read {source}: {e}")),
    };
    match bytes {
        Ok(b) => analyze(&b, &Origin::File(source), now),
        Err(message) => Report {
            source,
            metadata: None,
            findings: vec![Finding::error(message)],
        },
    }
}

/// A metadata document already in hand (the one a Cognito provider made from a file holds),
/// judged as a file of that name would be.
pub fn check_document(name: &str, document: &[u8], now: OffsetDateTime) -> Report {
    analyze(document, &Origin::File(name.to_string()), now)
}

/// What the URL alone tells: a portal page, a tenant-wide document, a host that is not Entra's.
pub fn url_findings(url: &Url, authority: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if PORTAL_HOSTS
        .iter()
        .any(|p| host == *p || host.ends_with(&format!(".{p}")))
    {
        out.push(Finding::error(format!(
            "{host} is the Entra admin portal, not the metadata: in Enterprise applications › your app › Single sign-on › SAML Certificates, copy \"App Federation Metadata Url\" (it starts with https://login.microsoftonline.com/)"
        )));
        return out;
    }
    if url.scheme() == "http" {
        out.push(Finding::error(format!(
            "{url} uses plain http; Cognito fetches metadata over HTTPS only — use the https:// URL Entra shows"
        )));
        return out;
    }
    if !is_entra_host(&host, authority) {
        out.push(Finding::warning(format!(
            "{host} is not an Entra sign-in host (login.microsoftonline.com, .us, partner.microsoftonline.cn); this tool is tuned for Entra, so check the findings below with care"
        )));
    }
    if tenant_wide_url(url) {
        out.push(Finding::warning(
            "the URL has no appid=: this is the tenant-wide metadata, whose certificate may differ from the app's — copy the app's \"App Federation Metadata Url\" from Single sign-on › SAML Certificates",
        ));
    }
    out
}

/// Said of every metadata file: true of the choice of a file, not a fault in this one.
pub const FILE_NEVER_REFRESHED: &str = "a metadata file is never refreshed by Cognito: when Entra rolls its signing certificate, sign-in breaks until the file is uploaded again — prefer the App Federation Metadata Url";

/// Parses and judges a metadata document. Pure.
pub fn analyze(body: &[u8], origin: &Origin, now: OffsetDateTime) -> Report {
    let source = match origin {
        Origin::Url(u) => u.to_string(),
        Origin::File(f) => f.clone(),
    };
    let mut findings = Vec::new();
    if let Origin::File(_) = origin {
        findings.push(Finding::warning(FILE_NEVER_REFRESHED));
    }
    let metadata = match parse(body) {
        Ok(m) => Some(m),
        Err(message) => {
            findings.insert(0, Finding::error(message));
            None
        }
    };
    if let Some(m) = &metadata {
        findings.extend(judge(m, origin, now));
    }
    sort(&mut findings);
    Report {
        source,
        metadata,
        findings,
    }
}

fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| f.level);
}

/// The host names Entra's own token-signing keys are named after, in every cloud: the keys
/// that sign the tenant's WS-Federation and OIDC tokens, and that a tenant's federation
/// metadata lists (global: `CN=accounts.accesscontrol.windows.net` beside
/// `CN=login.microsoftonline.us`; US Government: `CN=login.microsoftonline.us`; China:
/// `CN=accounts.accesscontrol.chinacloudapi.cn`). An enterprise application's SAML signing
/// certificate is `CN=Microsoft Azure Federated SSO Certificate`, or one the admin uploaded —
/// never named after Microsoft's sign-in hosts.
const TENANT_KEY_DOMAINS: [&str; 9] = [
    "accesscontrol.windows.net",
    "accesscontrol.chinacloudapi.cn",
    "accesscontrol.usgovcloudapi.net",
    "accesscontrol.cloudapi.de",
    "microsoftonline.com",
    "microsoftonline.us",
    "microsoftonline.de",
    "microsoftonline.cn",
    "chinacloudapi.cn",
];

/// Microsoft's consumer-account key, listed beside the tenant keys in the common key set.
const MICROSOFT_ACCOUNT_KEY: &str = "live id sts signing public key";

/// The common names of a certificate subject as x509-parser writes it (`CN=a, O=b`).
fn common_names(subject: &str) -> Vec<String> {
    subject
        .split(',')
        .filter_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("CN")
                .then(|| value.trim().to_ascii_lowercase())
        })
        .collect()
}

/// Whether the certificate is one of Entra's tenant-wide token-signing keys (of any cloud),
/// not an application's SAML signing certificate.
pub fn is_tenant_key(c: &Certificate) -> bool {
    common_names(&c.subject).iter().any(|cn| {
        cn == MICROSOFT_ACCOUNT_KEY
            || TENANT_KEY_DOMAINS
                .iter()
                .any(|d| cn == d || cn.ends_with(&format!(".{d}")))
    })
}

/// Whether the URL is a federation metadata URL without `appid=`: Entra serves the tenant's
/// metadata there, never an application's.
fn tenant_wide_url(url: &Url) -> bool {
    url.path()
        .to_ascii_lowercase()
        .contains("federationmetadata")
        && !url
            .query_pairs()
            .any(|(k, _)| k.eq_ignore_ascii_case("appid"))
}

/// What the document is, when it is not one app's metadata; `None` for one app's.
fn wrong_kind(m: &Metadata, origin: &Origin) -> Option<String> {
    let template = m.entity_id.to_ascii_lowercase().contains("{tenantid}")
        || m.sso.iter().chain(&m.slo).any(|e| {
            let l = e.location.to_ascii_lowercase();
            l.contains("/common/") || l.contains("/organizations/")
        });
    if template {
        return Some(
            "this is Entra's tenant-independent (multi-tenant) template — entity ID https://sts.windows.net/{tenantid}/, sign-on …/common/saml2 — not one tenant's: Cognito trusts exactly one issuer, so sign-ins would fail. Use the App Federation Metadata Url of the enterprise application (Single sign-on › SAML Certificates; it ends with ?appid=…)".into(),
        );
    }
    // Any tenant key makes it the tenant's document: an application's metadata lists only
    // the application's own certificates.
    let mut names: Vec<String> = m
        .certificates
        .iter()
        .filter(|c| is_tenant_key(c))
        .map(|c| c.subject.clone())
        .collect();
    names.dedup();
    if names.is_empty() {
        return None;
    }
    let keys = names.join("; ");
    let harm = "they sign the tenant's own tokens, not this application's SAML responses, so every sign-in would fail at Cognito";
    Some(match origin {
        Origin::Url(url) if !tenant_wide_url(url) => format!(
            "the App Federation Metadata Url serves the tenant's own keys ({keys}), not a certificate of the application's: the enterprise application has no active SAML signing certificate, and {harm} — in Entra, Enterprise applications › your app › Single sign-on (SAML) › SAML Certificates, add a certificate and make it active; the same URL then serves it"
        ),
        Origin::Url(_) => format!(
            "this is the tenant's federation metadata (the URL has no ?appid=): its certificates ({keys}) are the tenant's token-signing keys; {harm}. Use the App Federation Metadata Url of the enterprise application (Single sign-on › SAML Certificates; it ends with ?appid=…)"
        ),
        Origin::File(_) => format!(
            "this is the tenant's federation metadata: its certificates ({keys}) are the tenant's token-signing keys; {harm}. Use the App Federation Metadata Url of the enterprise application (Single sign-on › SAML Certificates; it ends with ?appid=…), or download its Federation Metadata XML there; if that too lists these keys, the application has no SAML signing certificate yet — add one there and make it active"
        ),
    })
}

/// What the metadata's own signature says about the document. Cognito does not check it, so
/// a changed file is a warning; a signature over another element is a forged document.
fn signature_finding(check: &SignatureCheck) -> Option<Finding> {
    Some(match check {
        SignatureCheck::Absent => Finding::info(
            "the metadata is not signed: Entra signs the metadata it publishes, so this file was made or edited by hand — prefer the App Federation Metadata Url",
        ),
        SignatureCheck::Verified {
            thumbprint,
            sha1: false,
        } => Finding::info(format!(
            "the metadata's signature verifies with its certificate {}",
            short(thumbprint)
        )),
        SignatureCheck::Verified {
            thumbprint,
            sha1: true,
        } => Finding::warning(format!(
            "the metadata's signature verifies with its certificate {}, but over SHA-1, which no longer protects against forgery — Entra signs with SHA-256; download the metadata from Entra again",
            short(thumbprint)
        )),
        SignatureCheck::DoesNotVerify { reason } => Finding::warning(format!(
            "the metadata's signature does not verify ({reason}): the document changed after it was signed, or was signed with a key its certificates do not hold — Cognito does not check this signature, but a changed file may carry other certificates; download it again from Single sign-on › SAML Certificates, or use the App Federation Metadata Url"
        )),
        SignatureCheck::Misplaced { reason } => Finding::error(format!(
            "the metadata's signature does not cover the metadata that is read ({reason}) — do not use this document; download it from Entra"
        )),
        SignatureCheck::NotChecked { reason } => Finding::info(format!(
            "the metadata's signature was not checked: {reason}"
        )),
    })
}

fn judge(m: &Metadata, origin: &Origin, now: OffsetDateTime) -> Vec<Finding> {
    // Everything is judged, always: one finding never hides another.
    let mut out = Vec::new();
    let wrong = wrong_kind(m, origin);
    if let Some(what) = &wrong {
        out.push(Finding::error(what.clone()));
    }
    if m.certificates.is_empty() {
        out.push(Finding::error(
            "the metadata has no signing certificate, so Cognito could not check Entra's signatures — download it again from Single sign-on › SAML Certificates",
        ));
    }
    out.extend(signature_finding(&m.signature));
    if m.sso.is_empty() {
        out.push(Finding::error(
            "the metadata has no SingleSignOnService endpoint — this is not an identity provider's metadata",
        ));
    }
    let valid: Vec<&Certificate> = m.certificates.iter().filter(|c| c.valid_at(now)).collect();
    let renew = match (origin, wrong.is_some()) {
        // The tenant's keys are Microsoft's, not the admin's to renew: the app's own
        // certificate is the fix.
        (Origin::Url(url), true) if !tenant_wide_url(url) => {
            "these are the tenant's keys, which Microsoft rolls, not a certificate of the application's: give the enterprise application its own SAML signing certificate (Single sign-on › SAML Certificates › add a certificate and make it active)"
        }
        (_, true) => {
            "these are the tenant's keys, which Microsoft rolls, not a certificate of the application's: use the App Federation Metadata Url of the enterprise application (Single sign-on › SAML Certificates; it ends with ?appid=…)"
        }
        (Origin::Url(_), false) => {
            "in Entra, Single sign-on › SAML Certificates › add a new certificate and make it active; Cognito reads it from the metadata URL"
        }
        (Origin::File(_), false) => {
            "in Entra, Single sign-on › SAML Certificates › add a new certificate and make it active, then download the metadata again"
        }
    };
    if valid.is_empty() && !m.certificates.is_empty() {
        let dates: Vec<String> = m
            .certificates
            .iter()
            .map(|c| {
                if c.not_after < now {
                    format!("{} expired {}", short(&c.thumbprint), date(c.not_after))
                } else {
                    format!(
                        "{} not valid before {}",
                        short(&c.thumbprint),
                        date(c.not_before)
                    )
                }
            })
            .collect();
        out.push(Finding::error(format!(
            "no signing certificate is valid now ({}): Cognito refuses such metadata, and it blocks later updates of the provider too — {renew}",
            dates.join("; ")
        )));
    }
    for c in m.certificates.iter().filter(|_| !valid.is_empty()) {
        if c.not_after < now {
            out.push(Finding::warning(format!(
                "certificate {} expired {} (Entra keeps it during a rollover; Cognito uses the valid one)",
                short(&c.thumbprint),
                date(c.not_after)
            )));
        } else if c.not_before > now {
            out.push(Finding::warning(format!(
                "certificate {} is not valid before {}",
                short(&c.thumbprint),
                date(c.not_before)
            )));
        } else {
            let left = (c.not_after - now).whole_days();
            if c.not_after - now < Duration::days(EXPIRY_WARNING_DAYS) {
                out.push(Finding::warning(format!(
                    "certificate {} expires on {} (in {left} day{}): {renew}",
                    short(&c.thumbprint),
                    date(c.not_after),
                    if left == 1 { "" } else { "s" }
                )));
            }
        }
    }
    if m.tenant_id.is_none() && wrong.is_none() {
        out.push(Finding::warning(format!(
            "the entity ID {} is not Entra's (https://sts.windows.net/<tenant>/); this tool is tuned for Entra",
            m.entity_id
        )));
    }
    out
}

/// A UTF-16 byte-order mark, or the NUL bytes UTF-16 puts beside every ASCII character.
fn looks_utf16(body: &[u8]) -> bool {
    body.starts_with(b"\xFF\xFE")
        || body.starts_with(b"\xFE\xFF")
        || body.starts_with(b"<\0")
        || body.starts_with(b"\0<")
}

/// Parses the document; the error says what it is instead, in the admin's terms.
pub fn parse(body: &[u8]) -> Result<Metadata, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if looks_utf16(body) {
        return Err("the document is UTF-16 text (an editor saved it as \"Unicode\"), and Cognito takes metadata as UTF-8 only: download it again from Entra (Single sign-on › SAML Certificates › Federation Metadata XML, served as UTF-8), or save it as UTF-8".into());
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        format!(
            "the document is not UTF-8 text (invalid byte at offset {}), so it is not SAML metadata as Entra serves it: download it again, or save it as UTF-8",
            e.valid_up_to()
        )
    })?;
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err("the document is empty".into());
    }
    let head: String = trimmed
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.contains("<html") {
        return Err("this is an HTML page (a sign-in or portal page), not SAML metadata: in Entra, Enterprise applications › your app › Single sign-on › SAML Certificates, copy \"App Federation Metadata Url\"".into());
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Err(json_explanation(trimmed));
    }
    if !trimmed.starts_with('<') {
        let first: String = trimmed
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(80)
            .collect();
        return Err(format!(
            "the document is not XML (it starts with {first:?}), so it is not SAML metadata"
        ));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 200_000,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(trimmed, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => {
            "the XML declares a DTD, which SAML metadata never has (refused: it could expand entities)".to_string()
        }
        other => format!("the document is not well-formed XML ({other})"),
    })?;
    let root = doc.root_element();
    let entity = if root.has_tag_name((MD, "EntityDescriptor")) {
        root
    } else if root.has_tag_name((MD, "EntitiesDescriptor")) {
        root.descendants()
            .find(|n| {
                n.has_tag_name((MD, "EntityDescriptor"))
                    && n.children()
                        .any(|c| c.has_tag_name((MD, "IDPSSODescriptor")))
            })
            .ok_or(
                "the metadata lists entities, but none is an identity provider (IDPSSODescriptor)",
            )?
    } else {
        let ns = root
            .tag_name()
            .namespace()
            .map(|n| format!(" in {n}"))
            .unwrap_or_default();
        return Err(format!(
            "this XML is not SAML metadata: its root element is <{}>{ns}, not <EntityDescriptor> in {MD}",
            root.tag_name().name()
        ));
    };
    let entity_id = entity
        .attribute("entityID")
        .ok_or("the EntityDescriptor has no entityID")?
        .to_string();
    let signed = entity.children().any(|c| c.has_tag_name((DS, "Signature")));
    let idp = entity
        .children()
        .find(|c| c.has_tag_name((MD, "IDPSSODescriptor")))
        .ok_or("the metadata has no identity provider role (IDPSSODescriptor): it may be a service provider's metadata — copy \"App Federation Metadata Url\" from Entra")?;
    let endpoints = |name: &str| -> Vec<Endpoint> {
        idp.children()
            .filter(|c| c.has_tag_name((MD, name)))
            .filter_map(|c| {
                Some(Endpoint {
                    binding: c.attribute("Binding")?.to_string(),
                    location: c.attribute("Location")?.to_string(),
                })
            })
            .collect()
    };
    let sso = endpoints("SingleSignOnService");
    let slo = endpoints("SingleLogoutService");
    let mut certificates = Vec::new();
    for key in idp
        .children()
        .filter(|c| c.has_tag_name((MD, "KeyDescriptor")))
    {
        if key.attribute("use").is_some_and(|u| u != "signing") {
            continue;
        }
        for x509 in key
            .descendants()
            .filter(|n| n.has_tag_name((DS, "X509Certificate")))
        {
            let b64: String = x509.text().unwrap_or("").split_whitespace().collect();
            certificates.push(
                parse_certificate(&b64)
                    .map_err(|e| format!("a signing certificate in the metadata {e}"))?,
            );
        }
    }
    certificates.dedup_by(|a, b| a.thumbprint == b.thumbprint);
    let trusted =
        crate::xmldsig::certificates_from_base64(certificates.iter().map(|c| c.base64.as_str()));
    let signature = crate::xmldsig::check(&doc, entity, &trusted);
    Ok(Metadata {
        tenant_id: tenant_from_entity_id(&entity_id),
        entity_id,
        sso,
        slo,
        certificates,
        signed,
        signature,
    })
}

fn json_explanation(text: &str) -> String {
    let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let field = |k: &str| {
        value
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    if field("issuer").is_some() && field("authorization_endpoint").is_some() {
        return "this is an OIDC discovery document, not SAML metadata: for SAML, copy \"App Federation Metadata Url\" from Single sign-on › SAML Certificates".into();
    }
    if let Some(desc) = field("error_description") {
        let first = desc.lines().next().unwrap_or("").trim().to_string();
        return format!("Entra answered with an error instead of metadata: {first}");
    }
    "this is JSON, not SAML metadata: copy \"App Federation Metadata Url\" from Entra, Single sign-on › SAML Certificates".into()
}

/// The tenant GUID from Entra's entity ID `https://sts.windows.net/<tenant>/` (the sovereign
/// clouds' `sts.` hosts, and their sign-in hosts, `https://login.microsoftonline.us/<tenant>/`).
pub fn tenant_from_entity_id(entity_id: &str) -> Option<String> {
    let url = Url::parse(entity_id).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let sign_in_host = cognito_entra_core::entra_facts::ENTRA_HOSTS.contains(&host.as_str());
    if !(host.starts_with("sts.") || sign_in_host) {
        return None;
    }
    let segment = url.path().trim_matches('/').split('/').next()?;
    uuid::Uuid::parse_str(segment).ok().map(|u| u.to_string())
}

/// What the metadata says, as facts with their levels: the tenant, the sign-on URL, and each
/// signing certificate (expired: an error; expiring within EXPIRY_WARNING_DAYS: a warning).
pub fn facts(m: &Metadata, now: OffsetDateTime) -> Vec<super::Fact> {
    use super::{Fact, Level};
    let mut out = vec![
        Fact::fine(
            "Entra tenant",
            m.tenant_id
                .clone()
                .unwrap_or_else(|| "(not an Entra entity ID)".into()),
        ),
        Fact::fine("Sign-on URL", m.sso_url().unwrap_or("(none)")),
    ];
    for c in &m.certificates {
        let (value, level) = if c.not_after < now {
            (format!("expired {}", date(c.not_after)), Some(Level::Error))
        } else if c.not_after - now < Duration::days(EXPIRY_WARNING_DAYS) {
            (
                format!(
                    "expires {} (in {} days)",
                    date(c.not_after),
                    (c.not_after - now).whole_days()
                ),
                Some(Level::Warning),
            )
        } else {
            (format!("valid until {}", date(c.not_after)), None)
        };
        out.push(Fact {
            label: "Certificate".into(),
            value: format!("{}  {value}", short(&c.thumbprint)),
            level,
        });
    }
    out
}

#[cfg(test)]
mod fact_tests {
    use super::*;
    use time::macros::datetime;

    fn cert(not_after: OffsetDateTime) -> Certificate {
        Certificate {
            thumbprint: "CAECB15A00000000000000000000000000008755".into(),
            subject: "CN=Microsoft Azure Federated SSO Certificate".into(),
            not_before: datetime!(2024-01-01 0:00 UTC),
            not_after,
            base64: String::new(),
        }
    }

    /// An expired certificate is marked ✗ and one expiring soon !, never ✓.
    #[test]
    fn certificate_facts_are_marked_by_their_level() {
        let now = datetime!(2026-12-01 0:00 UTC);
        let m = Metadata {
            entity_id: "https://sts.windows.net/t/".into(),
            tenant_id: Some("t".into()),
            sso: Vec::new(),
            slo: Vec::new(),
            certificates: vec![
                cert(datetime!(2026-11-26 0:00 UTC)),
                cert(datetime!(2026-12-20 0:00 UTC)),
                cert(datetime!(2028-01-01 0:00 UTC)),
            ],
            signed: false,
            signature: Default::default(),
        };
        let marks: Vec<(&str, String)> = facts(&m, now)
            .iter()
            .filter(|f| f.label == "Certificate")
            .map(|f| (f.mark(), f.value.clone()))
            .collect();
        assert_eq!(marks[0].0, "✗", "{marks:?}");
        assert!(marks[0].1.contains("expired 2026-11-26"), "{marks:?}");
        assert_eq!(marks[1].0, "!", "{marks:?}");
        assert_eq!(marks[2].0, "✓", "{marks:?}");
    }
}
