//! Entra fixtures filled at test time: metadata with certificates of chosen validity, and
//! discovery documents naming the local server as authority.
#![allow(dead_code)]

use time::Duration;

pub const TENANT: &str = "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b";
pub const APP: &str = "3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c";

/// A self-signed certificate like Entra's SAML signing certificate, valid between the two
/// offsets from now. Returns (base64 DER, SHA-1 thumbprint upper-case hex).
pub fn signing_cert(from: Duration, to: Duration) -> (String, String) {
    cert_named("Microsoft Azure Federated SSO Certificate", from, to)
}

/// The same with another subject (e.g. the tenant's own keys, CN=accounts.accesscontrol…).
/// Its key signs the documents built with it (`metadata_xml`, SAML responses).
pub fn cert_named(common_name: &str, from: Duration, to: Duration) -> (String, String) {
    super::xmlsign::rsa_cert(common_name, from, to)
}

/// App federation metadata in Entra's layout, with these certificates (base64 DER).
pub fn metadata_xml(certs: &[String]) -> Vec<u8> {
    metadata_xml_edited(certs, |xml| xml)
}

/// The same, changed by `edit` before Entra's signature is made (a document Entra publishes
/// in another shape, not one edited after signing).
pub fn metadata_xml_edited(certs: &[String], edit: impl Fn(String) -> String) -> Vec<u8> {
    let template = std::fs::read_to_string(super::fixture("entra/app-federation-metadata.xml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let keys: String = certs
        .iter()
        .map(|c| {
            format!(
                r#"<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{c}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"#
            )
        })
        .collect();
    let first = certs.first().map(String::as_str).unwrap_or("");
    let xml = edit(
        template
            .replace("{{TENANT}}", TENANT)
            .replace("{{KEYS}}", &keys)
            .replace("{{FIRST_CERT}}", first),
    );
    // Entra signs its metadata with the first signing certificate.
    match super::xmlsign::id_of(&xml, "EntityDescriptor") {
        Some(id) => super::xmlsign::sign(&xml, &id, first).into_bytes(),
        None => xml.into_bytes(),
    }
}

pub fn discovery_json(authority: &str, tenant_in_issuer: &str) -> Vec<u8> {
    std::fs::read_to_string(super::fixture("entra/openid-configuration.json"))
        .unwrap_or_else(|e| panic!("{e}"))
        .replace(
            "{{AUTHORITY}}/{{TENANT}}/v2.0",
            &format!("{authority}/{tenant_in_issuer}/v2.0"),
        )
        .replace("{{AUTHORITY}}", authority)
        .replace("{{TENANT}}", TENANT)
        .into_bytes()
}

pub fn fixture_text(name: &str, authority: &str, tenant: &str) -> Vec<u8> {
    std::fs::read_to_string(super::fixture(name))
        .unwrap_or_else(|e| panic!("{e}"))
        .replace("{{AUTHORITY}}", authority)
        .replace("{{TENANT}}", tenant)
        .into_bytes()
}

pub fn metadata_path(appid: bool) -> String {
    if appid {
        format!("/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={APP}")
    } else {
        format!("/{TENANT}/federationmetadata/2007-06/federationmetadata.xml")
    }
}

/// The clouds whose tenant metadata is reproduced.
#[derive(Debug, Clone, Copy)]
pub enum Cloud {
    Global,
    UsGovernment,
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Global, Cloud::UsGovernment, Cloud::China];

    /// The subjects of the tenant's token-signing keys, as real tenant metadata of this cloud
    /// lists them (global metadata lists the `.us` keys beside its own).
    pub fn tenant_key_names(self) -> &'static [&'static str] {
        match self {
            Cloud::Global => &[
                "accounts.accesscontrol.windows.net",
                "accounts.accesscontrol.windows.net",
                "login.microsoftonline.us",
            ],
            Cloud::UsGovernment => &["login.microsoftonline.us", "login.microsoftonline.us"],
            Cloud::China => &[
                "accounts.accesscontrol.chinacloudapi.cn",
                "accounts.accesscontrol.chinacloudapi.cn",
            ],
        }
    }

    /// The sign-in host of the SAML endpoints, and the entity ID's host.
    fn hosts(self) -> (&'static str, &'static str) {
        match self {
            Cloud::Global => ("login.microsoftonline.com", "sts.windows.net"),
            Cloud::UsGovernment => ("login.microsoftonline.us", "sts.windows.net"),
            Cloud::China => ("login.partner.microsoftonline.cn", "sts.chinacloudapi.cn"),
        }
    }
}

/// A tenant's federation metadata (`…/federationmetadata/2007-06/federationmetadata.xml`
/// without `?appid=`) in this cloud's layout: the tenant's token-signing keys, made here with
/// the subjects real tenant metadata carries and valid between the two offsets from now.
pub fn tenant_metadata_xml(cloud: Cloud, from: Duration, to: Duration) -> Vec<u8> {
    let keys: Vec<String> = cloud
        .tenant_key_names()
        .iter()
        .map(|cn| cert_named(cn, from, to).0)
        .collect();
    let (sign_in, sts) = cloud.hosts();
    metadata_xml_edited(&keys, |xml| {
        xml.replace("login.microsoftonline.com", sign_in)
            .replace("https://sts.windows.net/", &format!("https://{sts}/"))
    })
}

/// Entra's error answer (no assertion, not signed) in the layout of Microsoft's documented
/// sample: nested status codes and an AADSTS message with its Trace ID.
pub fn error_response_xml(
    status: &str,
    substatus: &str,
    message: &str,
    destination: &str,
) -> String {
    std::fs::read_to_string(super::fixture("entra/saml-error-response.xml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .replace(
            "{{ISSUE}}",
            &time::OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .map(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
        )
        .replace("{{DESTINATION}}", destination)
        .replace("{{IN_RESPONSE_TO}}", " InResponseTo=\"_f8e7d6c5b4a39281\"")
        .replace("{{TENANT}}", TENANT)
        .replace("{{STATUS}}", status)
        .replace("{{SUBSTATUS}}", substatus)
        .replace("{{MESSAGE}}", message)
}

/// The auto-post page Entra sends the browser, holding `saml_response` (base64) as its
/// SAMLResponse form field, as Entra writes it (`name="…" value="…"`, double quotes).
pub fn autopost_page(action: &str, saml_response: &str) -> String {
    std::fs::read_to_string(super::fixture("entra/autopost-page.html"))
        .unwrap_or_else(|e| panic!("{e}"))
        .replace("{{ACTION}}", action)
        .replace("{{SAMLRESPONSE}}", saml_response)
        .replace("{{RELAYSTATE}}", "eyJzdGF0ZSI6IjEyMyJ9")
}

/// A sign-out message (`logout-request.xml`, `logout-response.xml`) in Entra's layout.
pub fn sign_out_xml(name: &str, issuer: &str) -> String {
    std::fs::read_to_string(super::fixture(name))
        .unwrap_or_else(|e| panic!("{e}"))
        .replace("{{ISSUE}}", "2026-11-21T10:00:00Z")
        .replace("{{TENANT}}", TENANT)
        .replace("{{ISSUER}}", issuer)
}
