//! Small pure helpers that put times in the words the screens use.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// "just now", "5 minutes ago", "2 days ago", "last week", or the date, for an RFC 3339 time.
pub fn ago(rfc3339: &str, now: OffsetDateTime) -> String {
    let Ok(then) = OffsetDateTime::parse(rfc3339, &Rfc3339) else {
        return "unknown".to_string();
    };
    let secs = (now - then).whole_seconds();
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match secs {
        s if s < 60 => "just now".to_string(),
        s if s < 3600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3600, "hour"),
        s if s < 7 * 86_400 => plural(s / 86_400, "day"),
        s if s < 14 * 86_400 => "last week".to_string(),
        _ => then.date().to_string(),
    }
}

/// "512 bytes", "2 MiB": a size as a person reads it (caps are whole KiB or MiB).
pub fn bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    match n {
        n if n >= MIB && n % MIB == 0 => format!("{} MiB", n / MIB),
        n if n >= KIB && n % KIB == 0 => format!("{} KiB", n / KIB),
        n => format!("{n} bytes"),
    }
}

/// A value as a message may quote it: at most `max` characters, the cut said with its length
/// (a 1 MB pool name is not echoed whole).
pub fn clip(value: &str, max: usize) -> String {
    // Masked before it is cut: a secret cut in two is no longer recognised as one.
    let value = &crate::secrets::scrub(value);
    let count = value.chars().count();
    if count <= max {
        return value.to_string();
    }
    let head: String = value.chars().take(max.saturating_sub(1)).collect();
    format!("{head}… ({count} characters)")
}

/// `text` with every double-quoted value (as `{:?}` writes them) longer than `max` characters
/// clipped by `clip`; the rest of the text is left as it is.
pub fn clip_quoted(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut quoted: Option<String> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quoted.as_mut() {
            None => {
                out.push(c);
                if c == '"' {
                    quoted = Some(String::new());
                }
            }
            Some(value) => {
                if c == '"' && !escaped {
                    out.push_str(&clip(value, max));
                    out.push('"');
                    quoted = None;
                } else {
                    escaped = c == '\\' && !escaped;
                    value.push(c);
                }
            }
        }
    }
    if let Some(value) = quoted {
        out.push_str(&clip(&value, max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn ages_read_like_speech() {
        let now = datetime!(2026-11-21 12:00 UTC);
        assert_eq!(ago("2026-11-21T11:59:30Z", now), "just now");
        assert_eq!(ago("2026-11-21T11:55:00Z", now), "5 minutes ago");
        assert_eq!(ago("2026-11-21T11:00:00Z", now), "1 hour ago");
        assert_eq!(ago("2026-11-19T12:00:00Z", now), "2 days ago");
        assert_eq!(ago("2026-11-12T12:00:00Z", now), "last week");
        assert_eq!(ago("2026-10-01T12:00:00Z", now), "2026-10-01");
        assert_eq!(ago("garbage", now), "unknown");
    }

    #[test]
    fn long_values_are_clipped_with_their_length() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip(&"x".repeat(50), 5), "xxxx… (50 characters)");
        assert_eq!(bytes(2 * 1024 * 1024), "2 MiB");
        assert_eq!(bytes(1000), "1000 bytes");
        let long = format!("{:?} is not a valid pool name", "p".repeat(1_000_000));
        let shown = clip_quoted(&long, 10);
        assert!(shown.len() < 80, "{shown}");
        assert!(
            shown.ends_with("(1000000 characters)\" is not a valid pool name"),
            "{shown}"
        );
        assert_eq!(clip_quoted(r#""a\"b" ok"#, 10), r#""a\"b" ok"#);
    }
}
