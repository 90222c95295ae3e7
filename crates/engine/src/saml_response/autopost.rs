//! The auto-post page: the HTML Entra sends the browser after sign-in, a form whose hidden
//! fields (`SAMLResponse`, `RelayState`) a script posts to Cognito at once. A browser's
//! developer tools save it as it came (`<html><head><title>Working...</title>…<form
//! method="POST" name="hiddenform" action="…/saml2/idpresponse"><input type="hidden"
//! name="SAMLResponse" value="…" />`), and other tools write the same form with the
//! attributes in another order, single quotes or none, and `+`, `/`, `=` as character
//! references. This reads the fields' values out of any of those, without an HTML engine.

/// Whether the text is an HTML page rather than XML.
pub fn is_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<html")
        || head.contains("<form")
        || head.contains("<body")
}

/// The values of every `<input>` named `name` (case-insensitive), with character references
/// decoded, in document order.
pub fn input_values(html: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<input") {
        let start = from + at + "<input".len();
        let (attributes, end) = attributes(&html[start..]);
        from = start + end;
        let named = attributes
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("name") && v.eq_ignore_ascii_case(name));
        if named
            && let Some((_, value)) = attributes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("value"))
        {
            out.push(value.clone());
        }
    }
    out
}

/// The attributes of one tag, from just after its name to its `>`: (name, decoded value),
/// and how many bytes were read. Quoted values may hold `>`.
fn attributes(tag: &str) -> (Vec<(String, String)>, usize) {
    let bytes = tag.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (out, (i + 1).min(bytes.len()));
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = tag[name_start..i].to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            out.push((name, String::new()));
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let value_start = i + 1;
                let value_end = tag[value_start..]
                    .find(quote as char)
                    .map_or(bytes.len(), |e| value_start + e);
                i = (value_end + 1).min(bytes.len());
                &tag[value_start..value_end]
            }
            _ => {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                &tag[value_start..i]
            }
        };
        out.push((name, decode_references(value)));
    }
}

/// `&#x2b;`, `&#43;`, `&amp;` and the other references HTML writers use in attribute values.
fn decode_references(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = if let Some(hex) = entity
            .strip_prefix("#x")
            .or_else(|| entity.strip_prefix("#X"))
        {
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        } else if let Some(dec) = entity.strip_prefix('#') {
            dec.parse::<u32>().ok().and_then(char::from_u32)
        } else {
            match entity.to_ascii_lowercase().as_str() {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "plus" => Some('+'),
                "sol" => Some('/'),
                "equals" => Some('='),
                _ => None,
            }
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_every_attribute_layout() {
        let page = r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="https://x/saml2/idpresponse"><input type="hidden" name="SAMLResponse" value="PHNh&#x2b;bWw&#61;" /><INPUT value='b' name='RelayState'><input name=SAMLResponse value=c&amp;d></form></body></html>"#;
        assert!(is_html(page));
        assert_eq!(input_values(page, "SAMLResponse"), vec!["PHNh+bWw=", "c&d"]);
        assert_eq!(input_values(page, "relaystate"), vec!["b"]);
        assert!(input_values(page, "SAMLRequest").is_empty());
    }

    #[test]
    fn a_cut_page_ends_without_panic() {
        assert!(
            input_values("<input name=\"SAMLResponse\" value=\"abc", "SAMLResponse").len() <= 1
        );
        assert!(input_values("<input name", "SAMLResponse").is_empty());
        assert_eq!(decode_references("a&b&#xZZ;&#x41;"), "a&b&#xZZ;A");
    }
}
