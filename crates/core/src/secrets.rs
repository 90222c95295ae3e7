//! The secrets this process knows — the OIDC client secret (from the environment or typed),
//! the AWS secret key and session token from the environment — are masked in every text the
//! tool prints or writes: messages, the `-v` log, the wizard's screens. AWS validation errors
//! quote whole requests (provider details with the client secret in them), so masking happens
//! where text leaves the tool, whatever produced it, and not only where a secret was expected.

use std::sync::{Mutex, OnceLock};

use regex::Regex;

/// Where the OIDC client secret comes from when it is not typed.
pub const SECRET_ENV: &str = "COGNITO_ENTRA_CLIENT_SECRET";

/// What stands where a secret was.
pub const MASK: &str = "(hidden)";

/// Environment variables whose values are secrets.
pub const SECRET_VARIABLES: [&str; 3] = [
    "COGNITO_ENTRA_CLIENT_SECRET",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

static KNOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers a secret so that `scrub` masks it. Values too short to be a secret (a stray
/// letter would mask every word) are not kept.
pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < 6 {
        return;
    }
    if let Ok(mut known) = KNOWN.lock()
        && !known.iter().any(|k| k == secret)
    {
        known.push(secret.to_string());
        // Longest first, so a secret that contains another is masked whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// Registers the secrets the environment holds (called once at start).
pub fn register_environment() {
    for var in SECRET_VARIABLES {
        if let Ok(value) = std::env::var(var) {
            register(&value);
        }
    }
}

static CLIENT_SECRET: OnceLock<String> = OnceLock::new();

/// What a desktop helper we start (the clipboard helper, a browser) may inherit: how to reach
/// the display and the session, nothing else — never AWS keys or the client secret.
const DESKTOP_ENVIRONMENT: [&str; 9] = [
    "DISPLAY",
    "XAUTHORITY",
    "WAYLAND_DISPLAY",
    "XDG_RUNTIME_DIR",
    "DBUS_SESSION_BUS_ADDRESS",
    "HOME",
    "PATH",
    "LANG",
    "BROWSER",
];

/// Clears a child's environment down to `DESKTOP_ENVIRONMENT`.
pub fn desktop_environment_only(command: &mut std::process::Command) {
    command.env_clear();
    for var in DESKTOP_ENVIRONMENT {
        if let Some(value) = std::env::var_os(var) {
            command.env(var, value);
        }
    }
}

/// Moves `COGNITO_ENTRA_CLIENT_SECRET` into memory (the caller then removes it from the
/// environment, so no child process inherits it). Returns whether it was set.
pub fn take_client_secret_from_environment() -> bool {
    match std::env::var(SECRET_ENV) {
        Ok(value) if !value.trim().is_empty() => {
            register(&value);
            let _ = CLIENT_SECRET.set(value.trim().to_string());
            true
        }
        _ => false,
    }
}

/// The OIDC client secret given in the environment (taken at start, or still there when the
/// core is used as a library).
pub fn client_secret_from_environment() -> Option<String> {
    CLIENT_SECRET.get().cloned().or_else(|| {
        std::env::var(SECRET_ENV)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    })
}

/// A value given for a secret-named key, as a request quoted in an error shows it:
/// `'client_secret': 'v'`, `"ClientSecret":"v"`, or `AWS_SECRET_ACCESS_KEY=v`. The key must be
/// quoted or assigned, so that prose ("the session token: …") is left alone.
fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let key =
            r"(?:(?:client|aws)[_ -]?)?secret(?:[_ -]?access)?(?:[_ -]?key)?|session[_ -]?token";
        // A built-in pattern (the unit tests below compile and use it): a fallback that
        // matches nothing would let secrets through unnoticed.
        #[allow(clippy::expect_used)]
        Regex::new(&format!(
            r#"(?i)((?:["'](?:{key})["']\s*[:=]\s*["']?)|(?:\b(?:{key})=["']?))([^"'\s,;&}}\]]+)"#
        ))
        .expect("built-in pattern")
    })
}

/// `text` with every known secret, and every value given for a secret-named key, masked.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_string();
    if let Ok(known) = KNOWN.lock() {
        for secret in known.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
            // As a JSON document or an error quoting one would show it.
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != secret && out.contains(escaped) {
                out = out.replace(escaped, MASK);
            }
        }
    }
    pattern()
        .replace_all(&out, |c: &regex::Captures<'_>| {
            if &c[2] == MASK {
                c[0].to_string()
            } else {
                format!("{}{MASK}", &c[1])
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_secret_is_masked_wherever_it_stands() {
        register("s3cr3t~Value.with-parts");
        let text = "Value '{'client_id': 'x', 'client_secret': 's3cr3t~Value.with-parts'}' failed; again s3cr3t~Value.with-parts";
        let shown = scrub(text);
        assert!(!shown.contains("s3cr3t~Value"), "{shown}");
        assert!(shown.contains("'client_id': 'x'"), "{shown}");
    }

    #[test]
    fn a_value_under_a_secret_key_is_masked_even_when_unknown() {
        let shown = scrub(
            r#"{"client_secret": "unknownvalue123", "authorize_scopes": "openid"} aws_secret_access_key=AKIAabcdef"#,
        );
        assert!(!shown.contains("unknownvalue123"), "{shown}");
        assert!(!shown.contains("AKIAabcdef"), "{shown}");
        assert!(shown.contains("openid"), "{shown}");
    }

    #[test]
    fn short_values_are_not_taken_for_secrets() {
        register("ab");
        assert_eq!(scrub("a tab and a bag"), "a tab and a bag");
    }
}
