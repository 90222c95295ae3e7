//! The secrets this process knows — the OIDC client secret (from the environment or typed),
//! the AWS secret key and session token from the environment, Graph's tokens and the secrets
//! it hands out — are masked in every text the tool prints or writes: messages, the `-v` log,
//! the wizard's screens. AWS validation errors quote whole requests (provider details with the
//! client secret in them), so masking happens where text leaves the tool, whatever produced
//! it, and not only where a secret was expected.
//!
//! A known secret is masked in every encoding it can reach a message in, before any pattern
//! runs (a pattern stops at the first quote; a known value does not): as it is, quoted or
//! escaped (`\'`, `\"`, `\\`, `\u0027`, doubly escaped), URL-encoded (`%27`, `%2B`, `+` for a
//! space), HTML-escaped (`&#39;`, `&apos;`, `&#x27;`), and in base64 (standard and URL-safe,
//! at each of the three byte alignments it can sit at inside a longer blob). Base64 is matched
//! on its unwrapped form: a blob folded across lines (PEM) holds no secret of ours.

use std::sync::{Mutex, OnceLock};

use base64::Engine;
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

/// One known secret and the matchers for its encodings.
struct Known {
    secret: String,
    /// The secret character by character, each in any of its textual encodings.
    encoded: Regex,
    /// The parts of its base64 forms that do not depend on the bytes around it.
    base64: Vec<String>,
}

static KNOWN: Mutex<Vec<Known>> = Mutex::new(Vec::new());

/// The shortest value taken for a secret: a stray letter would mask every word.
const MIN_SECRET_CHARS: usize = 6;

/// Remembers a secret so that `scrub` masks it. Values too short to be a secret are not kept.
pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_SECRET_CHARS {
        return;
    }
    let Ok(mut known) = KNOWN.lock() else { return };
    if known.iter().any(|k| k.secret == secret) {
        return;
    }
    let Ok(encoded) = Regex::new(&encodings_pattern(secret)) else {
        return;
    };
    known.push(Known {
        secret: secret.to_string(),
        encoded,
        base64: base64_cores(secret.as_bytes()),
    });
    // Longest first, so a secret that contains another is masked whole.
    known.sort_by_key(|k| std::cmp::Reverse(k.secret.len()));
}

/// A regex matching `secret` with each character written in any way a quoting, escaping or
/// URL- or HTML-encoding layer writes it — mixed freely, as nested layers produce.
fn encodings_pattern(secret: &str) -> String {
    secret.chars().map(char_encodings).collect()
}

/// One character in every form: itself (after any number of escaping backslashes), as a
/// JSON `\uXXXX` escape (surrogate pairs beyond the BMP), percent-encoded UTF-8 (either hex
/// case, `+` for a space), and as an HTML character reference.
fn char_encodings(c: char) -> String {
    let mut forms: Vec<String> = vec![format!(r"(?:\\{{0,7}}{})", regex::escape(&c.to_string()))];
    let mut units = [0u16; 2];
    let json: String = c
        .encode_utf16(&mut units)
        .iter()
        .map(|u| format!(r"\\{{1,7}}u{}", either_case(&format!("{u:04x}"))))
        .collect();
    forms.push(json);
    let mut bytes = [0u8; 4];
    let percent: String = c
        .encode_utf8(&mut bytes)
        .bytes()
        .map(|b| format!("%{}", either_case(&format!("{b:02x}"))))
        .collect();
    forms.push(percent);
    if c == ' ' {
        forms.push(r"\+".to_string());
    }
    let code = u32::from(c);
    forms.push(format!("&#0*{code};"));
    forms.push(format!("&#[xX]0*{};", either_case(&format!("{code:x}"))));
    if let Some(name) = html_name(c) {
        forms.push(format!("&{name};"));
    }
    format!("(?:{})", forms.join("|"))
}

/// Hex digits in either case: `[aA]`.
fn either_case(hex: &str) -> String {
    hex.chars()
        .map(|h| {
            if h.is_ascii_alphabetic() {
                format!("[{}{}]", h.to_ascii_lowercase(), h.to_ascii_uppercase())
            } else {
                h.to_string()
            }
        })
        .collect()
}

fn html_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\'' => "apos",
        '"' => "quot",
        '&' => "amp",
        '<' => "lt",
        '>' => "gt",
        _ => return None,
    })
}

/// The base64 text (standard and URL-safe alphabets) that `bytes` become at each of the three
/// alignments inside a longer blob, cut to the characters that depend on `bytes` alone: the
/// first one or two characters also carry the byte before, the last one the byte after.
fn base64_cores(bytes: &[u8]) -> Vec<String> {
    let mut cores = Vec::new();
    for offset in 0..3usize {
        let mut padded = vec![0u8; offset];
        padded.extend_from_slice(bytes);
        let skip = (offset * 8).div_ceil(6);
        let whole = padded.len() * 8 / 6;
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let text = engine.encode(&padded);
            if let Some(core) = text.get(skip..whole)
                && core.len() >= MIN_SECRET_CHARS
                && !cores.iter().any(|c| c == core)
            {
                cores.push(core.to_string());
            }
        }
    }
    cores
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

/// A secret-named key: `client_secret`, `ClientSecret`, `aws_secret_access_key`, `SessionToken`…
const SECRET_KEY: &str =
    r"(?:(?:client|aws)[_ -]?)?secret(?:[_ -]?access)?(?:[_ -]?key)?|session[_ -]?token";

/// A quoted secret-named key and the quote its value opens with: `'client_secret': '`.
fn quoted_key() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // A built-in pattern (the unit tests below compile and use it).
        #[allow(clippy::expect_used)]
        Regex::new(&format!(r#"(?i)["'](?:{SECRET_KEY})["']\s*[:=]\s*(["'])"#))
            .expect("built-in pattern")
    })
}

/// Values under a quoted secret-named key masked up to their real closing quote: the quote
/// followed by what ends a value in a map (`,` `}` `]` `)`, a line's end), not the first
/// quote — a value may hold quotes (`'client_secret': 'ab'cd'`), and a pattern that stopped
/// at the first would show the rest.
fn mask_quoted_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for found in quoted_key().captures_iter(text) {
        let (Some(whole), Some(quote)) = (found.get(0), found.get(1)) else {
            continue;
        };
        if whole.start() < from {
            continue;
        }
        let quote_char = &text[quote.start()..quote.end()];
        let start = whole.end();
        let rest = &text[start..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            if c == '\\' {
                escaped = !escaped;
                continue;
            }
            if !escaped && rest[i..].starts_with(quote_char) {
                let after = rest[i + 1..].trim_start_matches([' ', '\t']);
                if after.is_empty() || after.starts_with([',', '}', ']', ')', '\n', '\r']) {
                    end = Some(start + i);
                    break;
                }
            }
            escaped = false;
        }
        let Some(end) = end else { continue };
        out.push_str(&text[from..start]);
        out.push_str(MASK);
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// A value given for a secret-named key, as a request quoted in an error shows it:
/// `'client_secret': 'v'`, `"ClientSecret":"v"`, or `AWS_SECRET_ACCESS_KEY=v`. The key must be
/// quoted or assigned, so that prose ("the session token: …") is left alone.
fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let key = SECRET_KEY;
        // A built-in pattern (the unit tests below compile and use it): a fallback that
        // matches nothing would let secrets through unnoticed.
        #[allow(clippy::expect_used)]
        Regex::new(&format!(
            r#"(?i)((?:["'](?:{key})["']\s*[:=]\s*["']?)|(?:\b(?:{key})=["']?))([^"'\s,;&}}\]]+)"#
        ))
        .expect("built-in pattern")
    })
}

/// `text` with every known secret, in any encoding, and every value given for a secret-named
/// key, masked — the known values first.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_string();
    if let Ok(known) = KNOWN.lock() {
        for k in known.iter() {
            if k.encoded.is_match(&out) {
                out = k.encoded.replace_all(&out, MASK).into_owned();
            }
            for core in &k.base64 {
                if out.contains(core.as_str()) {
                    out = out.replace(core.as_str(), MASK);
                }
            }
        }
    }
    let out = mask_quoted_values(&out);
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
    fn an_unknown_value_under_a_secret_key_is_masked_past_a_quote_in_it() {
        let shown = scrub(
            "Value '{'client_id': 'x', 'client_secret': 'unKnown'Quote9xyz', 'authorize_scopes': 'openid'}' at 'providerDetails'; {\"ClientSecret\": \"ab\\\"cdEscaped77\", \"n\": 1}",
        );
        assert!(!shown.contains("Quote9xyz"), "{shown}");
        assert!(!shown.contains("Escaped77"), "{shown}");
        assert!(shown.contains("'authorize_scopes': 'openid'"), "{shown}");
        assert!(shown.contains("\"n\": 1"), "{shown}");
    }

    #[test]
    fn short_values_are_not_taken_for_secrets() {
        register("ab");
        assert_eq!(scrub("a tab and a bag"), "a tab and a bag");
    }

    /// A secret with every character that an encoding layer rewrites.
    const AWKWARD: &str = "Ab'c\"d\\e+f/g=h%i&j k\u{e9}\u{20ac}\u{1f600}Zq9";

    /// Every 4-character window of `secret` (as the admin would recognise it).
    fn windows(secret: &str) -> Vec<String> {
        let chars: Vec<char> = secret.chars().collect();
        chars.windows(4).map(|w| w.iter().collect()).collect()
    }

    /// JSON as encoders that escape every non-alphanumeric character write it.
    fn json_ascii(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04X}"));
                }
            }
        }
        out
    }

    fn html(s: &str, apos: &str) -> String {
        s.replace('&', "&amp;")
            .replace('\'', apos)
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    }

    fn percent(s: &str) -> String {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    }

    #[test]
    fn a_known_secret_is_masked_in_every_textual_encoding() {
        register(AWKWARD);
        let json = serde_json::to_string(AWKWARD).unwrap_or_default();
        let json = json.trim_matches('"').to_string();
        let twice = serde_json::to_string(&json).unwrap_or_default();
        let twice = twice.trim_matches('"').to_string();
        let lower_hex = regex::Regex::new("%[0-9A-F]{2}")
            .map(|re| {
                re.replace_all(&percent(AWKWARD), |c: &regex::Captures<'_>| {
                    c[0].to_lowercase()
                })
                .into_owned()
            })
            .unwrap_or_default();
        let forms = [
            ("raw", AWKWARD.to_string()),
            ("JSON-escaped", json),
            ("JSON-escaped twice", twice),
            ("JSON \\u escapes", json_ascii(AWKWARD)),
            (
                "Python repr",
                AWKWARD.replace('\\', "\\\\").replace('\'', "\\'"),
            ),
            ("percent-encoded", percent(AWKWARD)),
            ("percent-encoded, lower-case hex", lower_hex),
            (
                "form-encoded",
                url::form_urlencoded::byte_serialize(AWKWARD.as_bytes()).collect(),
            ),
            ("HTML &#39;", html(AWKWARD, "&#39;")),
            ("HTML &apos;", html(AWKWARD, "&apos;")),
            ("HTML &#x27;", html(AWKWARD, "&#x27;")),
        ];
        for (name, form) in forms {
            let shown = scrub(&format!("before {form} after"));
            assert_eq!(shown, format!("before {MASK} after"), "{name}: {form}");
        }
    }

    #[test]
    fn a_known_secret_in_a_longer_base64_blob_is_masked_at_every_alignment() {
        register(AWKWARD);
        for lead in 0..3usize {
            let prefix = vec![b'x'; 30 + lead];
            let suffix = vec![b'y'; 30];
            let mut blob = prefix.clone();
            blob.extend_from_slice(AWKWARD.as_bytes());
            blob.extend_from_slice(&suffix);
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE,
            ] {
                let shown = scrub(&engine.encode(&blob));
                let Some((before, after)) = shown.split_once(MASK) else {
                    panic!("alignment {lead}: not masked: {shown}");
                };
                // What is left either side is the surrounding bytes' own text, and at most
                // the one character each shares with the secret.
                assert!(
                    before.len() <= (prefix.len() * 8).div_ceil(6),
                    "alignment {lead}: {shown}"
                );
                assert!(
                    after.trim_end_matches('=').len() <= (suffix.len() * 8).div_ceil(6) + 1,
                    "alignment {lead}: {shown}"
                );
            }
        }
    }

    #[test]
    fn a_secret_with_a_quote_leaves_no_recognisable_part_of_it() {
        let secret = "Zk9'pQ2-rT7_xW4";
        register(secret);
        let echoed = "1 validation error detected: Value '{'client_id': 'app', 'client_secret': 'Zk9'pQ2-rT7_xW4', 'authorize_scopes': 'openid'}' at 'providerDetails'";
        let shown = scrub(echoed);
        for window in windows(secret) {
            assert!(!shown.contains(&window), "{window:?} left in {shown}");
        }
        assert!(shown.contains("'authorize_scopes': 'openid'"), "{shown}");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        register(AWKWARD);
        let text = "Ab and c, 100% + 20 = 120 & more; 'quoted' \"text\" aGVsbG8gd29ybGQ=";
        assert_eq!(scrub(text), text);
    }
}
