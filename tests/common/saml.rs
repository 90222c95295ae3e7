//! SAML responses written in Entra's layout, for decode-saml and the wizard's test step.
#![allow(dead_code)]

use base64::Engine;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::entra::TENANT;
use super::fixture;

pub const EMAIL: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
pub const GIVEN: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
pub const SURNAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname";
pub const GROUPS: &str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";

/// A SAML response in Entra's layout (its claim URIs, a persistent NameID, groups), built from
/// the fixtures in tests/fixtures/entra/ with the fields a test wants to change.
pub struct Resp {
    pub in_response_to: bool,
    pub issued: OffsetDateTime,
    pub audience: String,
    pub destination: String,
    pub name_id_format: &'static str,
    pub name_id: &'static str,
    pub attributes: Vec<(&'static str, Vec<&'static str>)>,
    pub encrypted: bool,
    pub cert: String,
    pub status: &'static str,
}

impl Resp {
    /// A good response for the pool and Reply URL given, signed with `cert`'s KeyInfo.
    pub fn good(cert: &str, audience: &str, destination: &str) -> Resp {
        Resp {
            in_response_to: true,
            issued: OffsetDateTime::now_utc() - Duration::seconds(30),
            audience: audience.to_string(),
            destination: destination.to_string(),
            name_id_format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            name_id: "k3Zp1Q8vW0yT5rX2uN7mL4jH9gF6dS1aE0cB3nM5",
            attributes: vec![
                (EMAIL, vec!["ada@contoso.example"]),
                (GIVEN, vec!["Ada"]),
                (SURNAME, vec!["Lovelace"]),
                (
                    GROUPS,
                    vec![
                        "0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f",
                        "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                    ],
                ),
            ],
            encrypted: false,
            cert: cert.to_string(),
            status: "Success",
        }
    }

    pub fn xml(&self) -> String {
        let t = |d: OffsetDateTime| {
            d.replace_nanosecond(0)
                .unwrap_or(d)
                .format(&Rfc3339)
                .unwrap_or_default()
        };
        let irt = if self.in_response_to {
            " InResponseTo=\"_f8e7d6c5b4a39281\""
        } else {
            ""
        };
        let attrs: String = self
            .attributes
            .iter()
            .map(|(name, values)| {
                let vals: String = values
                    .iter()
                    .map(|v| format!("<AttributeValue>{v}</AttributeValue>"))
                    .collect();
                format!("<Attribute Name=\"{name}\">{vals}</Attribute>")
            })
            .collect();
        let fill = |s: String| {
            s.replace("{{ISSUE}}", &t(self.issued))
                .replace("{{NOT_BEFORE}}", &t(self.issued - Duration::minutes(5)))
                .replace("{{NOT_AFTER}}", &t(self.issued + Duration::minutes(70)))
                .replace("{{DESTINATION}}", &self.destination)
                .replace("{{IN_RESPONSE_TO}}", irt)
                .replace("{{TENANT}}", TENANT)
                .replace("{{AUDIENCE}}", &self.audience)
                .replace("{{NAMEID_FORMAT}}", self.name_id_format)
                .replace("{{NAMEID}}", self.name_id)
                .replace("{{ATTRIBUTES}}", &attrs)
                .replace("{{CERT}}", &self.cert)
                .replace("{{STATUS}}", self.status)
        };
        let assertion = if self.encrypted {
            "<EncryptedAssertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\"><xenc:EncryptedData Type=\"http://www.w3.org/2001/04/xmlenc#Element\" xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"><xenc:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/><xenc:CipherData><xenc:CipherValue>ZW5jcnlwdGVkIGZvciBDb2duaXRvIG9ubHk=</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></EncryptedAssertion>".to_string()
        } else {
            fill(
                std::fs::read_to_string(fixture("entra/saml-assertion.xml"))
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            )
        };
        let xml = fill(
            std::fs::read_to_string(fixture("entra/saml-response.xml"))
                .unwrap_or_default()
                .trim()
                .to_string(),
        )
        .replace("{{ASSERTION}}", &assertion);
        // Entra signs the assertion (its default, "Sign SAML assertion").
        match super::xmlsign::id_of(&xml, "Assertion") {
            Some(id) if !self.encrypted => super::xmlsign::sign(&xml, &id, &self.cert),
            _ => xml,
        }
    }

    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.xml())
    }
}
