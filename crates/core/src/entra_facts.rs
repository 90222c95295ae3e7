//! What the tool knows of what Entra sent, in its own types: findings and facts with their
//! levels, the metadata's endpoints and certificates, the tenant's discovery document. The
//! Entra crate fetches, parses and judges; the state, the plan and every face read these.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Level {
    /// The mark every face shows beside a finding of this level: ✗ error, ! warning, · note.
    pub fn mark(self) -> &'static str {
        match self {
            Level::Error => "✗",
            Level::Warning => "!",
            Level::Info => "·",
        }
    }
}

/// A fact read from what Entra sent (the tenant, a certificate and its dates), with the level
/// its mark follows: a certificate that has expired is an error, one that expires soon a
/// warning, everything else is fine. Every face marks facts by this level, never by habit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: String,
    pub value: String,
    /// `None`: fine.
    pub level: Option<Level>,
}

impl Fact {
    pub fn fine(label: &str, value: impl Into<String>) -> Fact {
        Fact {
            label: label.to_string(),
            value: value.into(),
            level: None,
        }
    }

    /// The mark a face shows beside it: ✓ fine, ! warning, ✗ error.
    pub fn mark(&self) -> &'static str {
        match self.level {
            None | Some(Level::Info) => "✓",
            Some(Level::Warning) => "!",
            Some(Level::Error) => "✗",
        }
    }
}

/// One thing the admin should know about what Entra sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub level: Level,
    pub message: String,
}

impl Finding {
    pub fn error(message: impl Into<String>) -> Finding {
        Finding {
            level: Level::Error,
            message: message.into(),
        }
    }
    pub fn warning(message: impl Into<String>) -> Finding {
        Finding {
            level: Level::Warning,
            message: message.into(),
        }
    }
    pub fn info(message: impl Into<String>) -> Finding {
        Finding {
            level: Level::Info,
            message: message.into(),
        }
    }
}

/// The Entra sign-in hosts of the public and sovereign clouds.
pub const ENTRA_HOSTS: [&str; 5] = [
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
    "login.windows.net",
];

/// Whether a host is Entra's (or the configured authority's, for sovereign clouds and tests).
pub fn is_entra_host(host: &str, authority: &str) -> bool {
    let host = host.to_ascii_lowercase();
    ENTRA_HOSTS.contains(&host.as_str())
        || url::Url::parse(authority)
            .ok()
            .and_then(|a| a.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|a| a == host)
}

/// Splits findings into error and warning messages, as the JSON output carries them.
pub fn split(findings: &[Finding]) -> (Vec<String>, Vec<String>) {
    let pick = |level| {
        findings
            .iter()
            .filter(|f| f.level == level)
            .map(|f| f.message.clone())
            .collect()
    };
    (pick(Level::Error), pick(Level::Warning))
}

/// Warn this long before a signing certificate expires.
pub const EXPIRY_WARNING_DAYS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub binding: String,
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// SHA-1 of the DER, upper-case hex, as Entra's portal shows thumbprints.
    pub thumbprint: String,
    pub subject: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Base64 DER as it stood in the metadata.
    #[serde(skip)]
    pub base64: String,
}

impl Certificate {
    pub fn valid_at(&self, now: OffsetDateTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub entity_id: String,
    pub tenant_id: Option<String>,
    pub sso: Vec<Endpoint>,
    pub slo: Vec<Endpoint>,
    pub certificates: Vec<Certificate>,
    pub signed: bool,
    /// The metadata's own signature, checked against its certificates.
    pub signature: SignatureCheck,
}

/// What an XML signature's check found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum SignatureCheck {
    /// The element carries no signature.
    #[default]
    Absent,
    /// It verifies, by the certificate with this thumbprint; `sha1`: over SHA-1.
    Verified { thumbprint: String, sha1: bool },
    /// Tampered with, or made with a key none of the certificates hold.
    DoesNotVerify { reason: String },
    /// It does not cover the element that is read (signature wrapping), or is malformed.
    Misplaced { reason: String },
    /// There, but not checked (no certificate to check against, or outside the profile).
    NotChecked { reason: String },
}

impl SignatureCheck {
    /// One line for a report's "Signed" row.
    pub fn summary(&self) -> String {
        match self {
            SignatureCheck::Absent => "no".into(),
            SignatureCheck::Verified { thumbprint, sha1 } => format!(
                "verified by certificate {}{}",
                short(thumbprint),
                if *sha1 { " (SHA-1)" } else { "" }
            ),
            SignatureCheck::DoesNotVerify { .. } => {
                "does not verify (tampered or wrong certificate)".into()
            }
            SignatureCheck::Misplaced { .. } => "does not cover what is read (wrapped)".into(),
            SignatureCheck::NotChecked { reason } => format!("present, not checked ({reason})"),
        }
    }
}

const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

impl Metadata {
    /// The sign-on URL Cognito uses (HTTP-Redirect binding first).
    pub fn sso_url(&self) -> Option<&str> {
        preferred(&self.sso)
    }
    pub fn slo_url(&self) -> Option<&str> {
        preferred(&self.slo)
    }
}

fn preferred(endpoints: &[Endpoint]) -> Option<&str> {
    endpoints
        .iter()
        .find(|e| e.binding == REDIRECT)
        .or_else(|| endpoints.first())
        .map(|e| e.location.as_str())
}

/// A certificate thumbprint shortened for sentences: first and last 4.
pub fn short(thumbprint: &str) -> String {
    if thumbprint.len() > 12 {
        format!(
            "{}…{}",
            &thumbprint[..8],
            &thumbprint[thumbprint.len() - 4..]
        )
    } else {
        thumbprint.to_string()
    }
}

pub fn date(t: OffsetDateTime) -> String {
    t.date().to_string()
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Decodes one base64 DER certificate. The error says what is wrong ("is not valid base64
/// (…)"); the caller names the certificate it is about.
pub fn parse_certificate(b64: &str) -> Result<Certificate, String> {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| format!("is not valid base64 ({e})"))?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| format!("is not an X.509 certificate ({e})"))?;
    let validity = cert.validity();
    Ok(Certificate {
        thumbprint: thumbprint(&der),
        subject: cert.subject().to_string(),
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        base64: b64.to_string(),
    })
}

/// SHA-1 of DER bytes, upper-case hex: the form Entra's portal shows.
pub fn thumbprint(der: &[u8]) -> String {
    upper_hex(&thumbprint_bytes(der))
}

/// SHA-1 of DER bytes, as bytes (what Graph's customKeyIdentifier holds by default).
pub fn thumbprint_bytes(der: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
        .as_ref()
        .to_vec()
}

/// Bytes as upper-case hex, the form thumbprints are compared in.
pub fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discovery {
    pub issuer: String,
    /// Always the GUID, even when the admin gave a verified domain.
    pub tenant_id: String,
    pub authorize_url: String,
    pub token_url: String,
    pub attributes_url: String,
    pub jwks_uri: String,
}
