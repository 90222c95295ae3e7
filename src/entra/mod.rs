//! What comes back from Entra, fetched and understood before it is used: SAML federation
//! metadata and the OIDC discovery document.

pub mod discovery;
pub mod fetch;
pub mod input;
pub mod metadata;
pub mod tls;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
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
}

/// The Entra sign-in hosts of the public and sovereign clouds.
pub const ENTRA_HOSTS: [&str; 4] = [
    "login.microsoftonline.com",
    "login.microsoftonline.us",
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
