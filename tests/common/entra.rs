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
