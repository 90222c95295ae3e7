//! A SAML response as an admin can capture it (the SAMLResponse form value, raw XML, or a HAR
//! file from the browser's developer tools), decoded and held against the setup: is it for
//! this Cognito pool, does it carry the mapped claims, will the user stay the same user?
//! Pure: parsing and judging, and the signatures checked as Cognito will check them, with
//! the certificates Entra's metadata lists (`entra::xmldsig`).

mod aadsts;
mod autopost;
pub mod setup_metadata;

use std::collections::BTreeMap;

use base64::Engine;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::mapping::COGNITO_ATTRIBUTE_MAX_CHARS;
use crate::setup::{Setup, Values};
use crate::state::State;
use cognito_entra_entra::metadata::SignatureCheck;
use cognito_entra_entra::metadata::thumbprint;
pub use cognito_entra_entra::{Finding, Level};

const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const GROUPS_LINK: &str = "http://schemas.microsoft.com/claims/groups.link";
/// Where a SAML response is found, for every message about input that is not one.
const WHERE_TO_COPY: &str = "copy the SAMLResponse form value from the browser's network tab (the POST to /saml2/idpresponse, Payload)";
/// A captured response is a few kilobytes; a HAR file may be larger, but not this large.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

fn finding(level: Level, message: impl Into<String>) -> Finding {
    Finding {
        level,
        message: message.into(),
    }
}

/// What a response says, as far as it can be read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Decoded {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub destination: Option<String>,
    pub in_response_to: Option<String>,
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub issue_instant: Option<String>,
    pub not_before: Option<String>,
    pub not_on_or_after: Option<String>,
    /// The top-level status code's last part (`Success`, `Requester`, `Responder`).
    pub status: Option<String>,
    /// Every status code, the top-level one first, then the nested ones (`Requester`,
    /// `RequestUnsupported`).
    pub status_codes: Vec<String>,
    /// The `StatusMessage` Entra wrote (its AADSTS error), as sent.
    pub status_message: Option<String>,
    pub attributes: BTreeMap<String, Vec<String>>,
    pub signed: Signed,
    pub encrypted: bool,
    /// SHA-1 thumbprints of the certificates in the signatures' KeyInfo.
    #[serde(skip)]
    pub signing_thumbprints: Vec<String>,
    /// The response as read, for checking its signatures once the metadata is known.
    #[serde(skip)]
    pub xml: String,
    pub findings: Vec<Finding>,
}

impl Decoded {
    /// Entra's error answer: a status other than Success, so no sign-in to judge.
    pub fn is_error_answer(&self) -> bool {
        self.status.as_deref().is_some_and(|s| s != "Success")
    }

    /// The AADSTS error codes in Entra's status message, in order.
    pub fn aadsts_codes(&self) -> Vec<String> {
        aadsts::codes(self.status_message.as_deref().unwrap_or_default())
    }

    /// Nothing but notes: nothing in the response stops Cognito.
    pub fn only_notes(&self) -> bool {
        self.findings.iter().all(|f| f.level == Level::Info)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signed {
    pub response: bool,
    pub assertion: bool,
    /// What checking each signature found: ("response" | "assertion", verdict).
    pub checks: Vec<(String, SignatureCheck)>,
}

/// Finds the SAML response XML in what the admin pasted or saved. `Err` says what it is instead.
pub fn extract(input: &[u8]) -> Result<(String, Vec<Finding>), String> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "the input is {} bytes; a SAML response is a few kilobytes (a HAR file a few megabytes) — save just the request, or copy the SAMLResponse value",
            input.len()
        ));
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|_| {
        "the input is not text: give the SAMLResponse value, the XML, or a HAR file".to_string()
    })?;
    let text = text.trim();
    if text.is_empty() {
        return Err("the input is empty".into());
    }
    if text.starts_with('<') && autopost::is_html(text) {
        return from_autopost_page(text);
    }
    if text.starts_with('<') {
        return Ok((text.to_string(), Vec::new()));
    }
    if text.starts_with('{') {
        return from_har(text);
    }
    // A form body (SAMLResponse=...&RelayState=...), the developer tools' parsed view
    // ("SAMLResponse: ..." on its own line), or the bare value.
    // A URL of the HTTP-Redirect binding (…?SAMLResponse=…&Signature=…) carries it, or the
    // request, in its query.
    let value = text
        .split(['&', '?'])
        .find_map(|p| {
            p.strip_prefix("SAMLResponse=")
                .or_else(|| p.strip_prefix("SAMLRequest="))
        })
        .or_else(|| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix("SAMLResponse:"))
                .map(str::trim)
        })
        .unwrap_or(text);
    decode_value(value).map(|xml| (xml, Vec::new()))
}

/// Base64 (possibly URL-encoded) to XML.
fn decode_value(value: &str) -> Result<String, String> {
    let value = if value.contains('%') {
        percent_encoding::percent_decode_str(value)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        value.to_string()
    };
    // In a form body '+' stands for a space only when not base64; SAMLResponse keeps '+'.
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(compact.trim_end_matches('=').as_bytes())
        })
        .map_err(|_| {
            format!("the input is neither XML, nor base64, nor a HAR file: {WHERE_TO_COPY}")
        })?;
    let text = std::str::from_utf8(&bytes).ok();
    if let Some(xml) = text.filter(|x| x.trim_start().starts_with('<')) {
        return Ok(xml.to_string());
    }
    if let Some(xml) = inflated(&bytes) {
        return Ok(xml);
    }
    Err(match text {
        None => format!("the base64 decodes to binary, not a SAML response: {WHERE_TO_COPY}"),
        Some(_) => format!(
            "the base64 decodes to text that is not XML, so not a SAML response: {WHERE_TO_COPY}"
        ),
    })
}

/// A message of the HTTP-Redirect binding: raw DEFLATE under the base64 (SAML bindings §3.4.4);
/// `None` when the bytes are not that, or inflate to more than a response could be.
fn inflated(bytes: &[u8]) -> Option<String> {
    let out = miniz_oxide::inflate::decompress_to_vec_with_limit(bytes, MAX_INPUT_BYTES).ok()?;
    String::from_utf8(out)
        .ok()
        .filter(|x| x.trim_start().starts_with('<'))
}

/// The SAMLResponse field of the auto-post page Entra sends the browser (saved from the
/// developer tools): the last one, when a page holds several.
fn from_autopost_page(html: &str) -> Result<(String, Vec<Finding>), String> {
    let values = autopost::input_values(html, "SAMLResponse");
    let Some(value) = values.last() else {
        let what = if autopost::input_values(html, "SAMLRequest").is_empty() {
            "an HTML page without a SAMLResponse form field, so not a SAML response"
        } else {
            "the page that sends Cognito's sign-in request to Entra (its form holds SAMLRequest), not Entra's answer"
        };
        return Err(format!(
            "this is {what}: save the page Entra answers with after sign-in (its form posts SAMLResponse to /saml2/idpresponse), or {WHERE_TO_COPY}"
        ));
    };
    let mut notes = vec![finding(
        Level::Info,
        "read from the SAMLResponse field of the auto-post page Entra sent the browser",
    )];
    if values.len() > 1 {
        notes.push(finding(
            Level::Info,
            format!(
                "the page holds {} SAMLResponse fields; this is the last",
                values.len()
            ),
        ));
    }
    decode_value(value).map(|xml| (xml, notes))
}

/// Every SAMLResponse posted to /saml2/idpresponse in a HAR file; the newest is used.
fn from_har(text: &str) -> Result<(String, Vec<Finding>), String> {
    let har: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("the input looks like JSON but is not a HAR file ({e})"))?;
    let entries = har["log"]["entries"]
        .as_array()
        .ok_or("the JSON is not a HAR file (no log.entries)")?;
    let mut found: Vec<(String, String)> = Vec::new();
    for e in entries {
        let request = &e["request"];
        let url = request["url"].as_str().unwrap_or_default();
        if !url.contains("/saml2/idpresponse") {
            continue;
        }
        let post = &request["postData"];
        let from_params = post["params"].as_array().and_then(|ps| {
            ps.iter()
                .find(|p| p["name"] == "SAMLResponse")
                .and_then(|p| p["value"].as_str())
                .map(str::to_string)
        });
        let from_text = post["text"].as_str().and_then(|t| {
            t.split('&')
                .find_map(|p| p.strip_prefix("SAMLResponse="))
                .map(str::to_string)
        });
        if let Some(v) = from_params.or(from_text) {
            found.push((
                e["startedDateTime"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v,
            ));
        }
    }
    // The POST to Cognito may be missing (the browser stopped there, or the log was cut):
    // Entra's answer that carried the auto-post page still holds the response.
    let mut from_pages = false;
    if found.is_empty() {
        for e in entries {
            let content = &e["response"]["content"];
            let Some(body) = content["text"].as_str() else {
                continue;
            };
            let body = if content["encoding"] == "base64" {
                base64::engine::general_purpose::STANDARD
                    .decode(body.as_bytes())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default()
            } else {
                body.to_string()
            };
            if !autopost::is_html(&body) {
                continue;
            }
            if let Some(v) = autopost::input_values(&body, "SAMLResponse").pop() {
                let when = e["startedDateTime"].as_str().unwrap_or_default();
                found.push((when.to_string(), v));
                from_pages = true;
            }
        }
    }
    if found.is_empty() {
        return Err("the HAR file has no POST to /saml2/idpresponse with a SAMLResponse: record the sign-in with the network tab open (and \"Preserve log\" on), then save as HAR again".into());
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let count = found.len();
    let (when, value) = found.pop().ok_or("no response")?;
    let mut notes = Vec::new();
    if from_pages {
        notes.push(finding(
            Level::Info,
            "the HAR file has no POST to /saml2/idpresponse; the response is read from the auto-post page Entra answered with (the browser did not post it to Cognito, or the log stops before)",
        ));
    }
    if count > 1 {
        notes.push(finding(
            Level::Info,
            format!("the HAR file holds {count} SAML responses; this is the newest ({when})"),
        ));
    }
    decode_value(&value).map(|xml| (xml, notes))
}

fn child<'a, 'input>(
    n: roxmltree::Node<'a, 'input>,
    ns: &str,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    n.children().find(|c| c.has_tag_name((ns, name)))
}

fn text_of(node: Option<roxmltree::Node>) -> Option<String> {
    node.and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// How many SAML Response elements open in the text (with any namespace prefix).
fn responses_in(xml: &str) -> usize {
    let bytes = xml.as_bytes();
    xml.match_indices("Response")
        .filter(|(at, _)| {
            // Back over an optional `prefix:` to the `<` that opens the tag (closing tags
            // and words in text have something else there).
            let name = bytes[..*at]
                .iter()
                .rev()
                // A prefix is short; the cap keeps a long run of letters linear.
                .take(64)
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b':')
                .count();
            let opens = at.checked_sub(name + 1).map(|lt| bytes[lt]) == Some(b'<')
                && (name == 0 || bytes[at - 1] == b':');
            let after = bytes.get(at + "Response".len());
            opens && matches!(after, Some(b' ' | b'>' | b'\n' | b'\r' | b'\t'))
        })
        .count()
}

/// A SAML Status: its codes, outermost first, by their last part, and its message.
struct Status {
    codes: Vec<String>,
    message: Option<String>,
}

fn read_status(message: roxmltree::Node) -> Status {
    let status = child(message, SAMLP, "Status");
    let mut codes = Vec::new();
    let mut code = status.and_then(|s| child(s, SAMLP, "StatusCode"));
    while let Some(c) = code {
        if let Some(v) = c.attribute("Value") {
            codes.push(v.rsplit(':').next().unwrap_or(v).to_string());
        }
        code = child(c, SAMLP, "StatusCode");
    }
    Status {
        codes,
        message: text_of(status.and_then(|s| child(s, SAMLP, "StatusMessage"))),
    }
}

/// What a SAML protocol message other than a Response is, and where the response is instead.
fn other_protocol_message(root: roxmltree::Node) -> String {
    let issuer = text_of(child(root, SAML, "Issuer"))
        .map(|i| format!(" from {i}"))
        .unwrap_or_default();
    let name = root.tag_name().name();
    match name {
        "LogoutResponse" => {
            let status = read_status(root);
            let outcome = match status.codes.first().map(String::as_str) {
                Some("Success") => "the sign-out succeeded".to_string(),
                Some(_) => format!(
                    "the sign-out failed with status {}{}",
                    status.codes.join(" / "),
                    status
                        .message
                        .as_deref()
                        .and_then(|m| m.lines().next())
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
                None => "it carries no status".to_string(),
            };
            format!(
                "this is a sign-out answer (samlp:LogoutResponse{issuer}; {outcome}), not a sign-in response: to check a sign-in, {WHERE_TO_COPY}"
            )
        }
        "LogoutRequest" => format!(
            "this is a sign-out request (samlp:LogoutRequest{issuer}), not a sign-in response: to check a sign-in, {WHERE_TO_COPY}"
        ),
        "AuthnRequest" => format!(
            "this is the sign-in request (samlp:AuthnRequest{issuer}) Cognito sends to Entra, not Entra's answer: {WHERE_TO_COPY}"
        ),
        other => format!(
            "this is a SAML <samlp:{other}>{issuer}, not a sign-in response (<samlp:Response>): {WHERE_TO_COPY}"
        ),
    }
}

/// Parses the response XML (no DTDs, so no entity bombs).
pub fn parse(xml: &str) -> Result<Decoded, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 100_000,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => {
            "the XML declares a DTD, which a SAML response never has (refused: entity expansion)"
                .to_string()
        }
        // Two responses one after the other (two form values copied together) read as a
        // token after the end of the first: say what it is.
        _ if responses_in(xml) > 1 => format!(
            "the input holds {} SAML responses one after the other (two captures copied together?): give one — the one to check is usually the last",
            responses_in(xml)
        ),
        other => format!("the XML is not well-formed ({other})"),
    })?;
    let root = doc.root_element();
    if root.tag_name().namespace() == Some(SAMLP) && !root.has_tag_name((SAMLP, "Response")) {
        return Err(other_protocol_message(root));
    }
    if !root.has_tag_name((SAMLP, "Response")) {
        return Err(format!(
            "this XML is not a SAML response: its root is <{}>, not <samlp:Response>",
            root.tag_name().name()
        ));
    }
    let mut d = Decoded {
        xml: xml.to_string(),
        destination: root.attribute("Destination").map(str::to_string),
        in_response_to: root.attribute("InResponseTo").map(str::to_string),
        issue_instant: root.attribute("IssueInstant").map(str::to_string),
        issuer: text_of(child(root, SAML, "Issuer")),
        ..Decoded::default()
    };
    d.signed.response = child(root, DS, "Signature").is_some();
    let status = read_status(root);
    d.status = status.codes.first().cloned();
    d.status_codes = status.codes;
    d.status_message = status.message;
    for sig in root
        .descendants()
        .filter(|n| n.has_tag_name((DS, "Signature")))
    {
        for cert in sig
            .descendants()
            .filter(|n| n.has_tag_name((DS, "X509Certificate")))
        {
            let b64: String = cert.text().unwrap_or_default().split_whitespace().collect();
            if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) {
                d.signing_thumbprints.push(thumbprint(&der));
            }
        }
    }
    d.encrypted = child(root, SAML, "EncryptedAssertion").is_some();
    if let Some(a) = child(root, SAML, "Assertion") {
        d.signed.assertion = child(a, DS, "Signature").is_some();
        if d.issuer.is_none() {
            d.issuer = text_of(child(a, SAML, "Issuer"));
        }
        if d.issue_instant.is_none() {
            d.issue_instant = a.attribute("IssueInstant").map(str::to_string);
        }
        if let Some(subject) = child(a, SAML, "Subject") {
            let name_id = child(subject, SAML, "NameID");
            d.name_id = text_of(name_id);
            d.name_id_format = name_id
                .and_then(|n| n.attribute("Format"))
                .map(str::to_string);
        }
        if let Some(c) = child(a, SAML, "Conditions") {
            d.not_before = c.attribute("NotBefore").map(str::to_string);
            d.not_on_or_after = c.attribute("NotOnOrAfter").map(str::to_string);
            d.audience = c
                .descendants()
                .find(|n| n.has_tag_name((SAML, "Audience")))
                .and_then(|n| text_of(Some(n)));
        }
        for attr in a
            .descendants()
            .filter(|n| n.has_tag_name((SAML, "Attribute")))
        {
            let Some(name) = attr.attribute("Name") else {
                continue;
            };
            let values: Vec<String> = attr
                .children()
                .filter(|c| c.has_tag_name((SAML, "AttributeValue")))
                .map(|v| v.text().unwrap_or_default().trim().to_string())
                .collect();
            d.attributes
                .entry(name.to_string())
                .or_default()
                .extend(values);
        }
    }
    Ok(d)
}

/// The Cognito attribute a well-known Entra claim usually fills.
pub fn suggested_attribute(claim: &str) -> Option<&'static str> {
    let last = claim.rsplit('/').next().unwrap_or(claim);
    Some(match last {
        "emailaddress" => "email",
        "givenname" => "given_name",
        "surname" => "family_name",
        "displayname" => "name",
        "name" => "preferred_username",
        "groups" => "custom:groups",
        "objectidentifier" => "custom:entra_oid",
        _ => return None,
    })
}

fn parse_time(s: &Option<String>) -> Option<OffsetDateTime> {
    s.as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
}

fn ago(d: time::Duration) -> String {
    let m = d.whole_minutes().abs();
    if m < 2 {
        format!("{} s", d.whole_seconds().abs())
    } else if m < 120 {
        format!("{m} min")
    } else if m < 48 * 60 {
        format!("{} h", m / 60)
    } else {
        format!("{} days", m / 1440)
    }
}

/// The setup a response is held against.
#[derive(Debug, Clone, Copy)]
pub struct Against<'a> {
    pub setup: &'a Setup,
    pub values: &'a Values,
    /// The pool's required attributes, when the live pool was read (apply, the wizard).
    pub required: Option<&'a [String]>,
    /// The tenant the provider's metadata names (its responses' Issuer carries it).
    pub tenant: Option<&'a str>,
}

/// What the admin captured, found, decoded and judged: the one path for `decode-saml` and the
/// wizard's test step. `Err` says what the input is instead of a SAML response.
pub fn read_and_judge(
    input: &[u8],
    now: OffsetDateTime,
    against: Option<Against<'_>>,
    metadata_thumbprints: &[String],
) -> Result<Decoded, String> {
    let (xml, notes) = extract(input)?;
    let mut decoded = parse(&xml)?;
    decoded.findings.extend(notes);
    judge(&mut decoded, now, against, metadata_thumbprints);
    Ok(decoded)
}

/// A pasted response held against a saved setup: its answers and derived values, the pool's
/// required attributes and Entra's certificates as the state recorded them.
pub fn read_and_judge_saved(
    input: &[u8],
    now: OffsetDateTime,
    state: &State,
    values: &Values,
) -> Result<Decoded, String> {
    let against = Against {
        setup: &state.answers,
        values,
        required: state.aws.required_attributes.as_deref(),
        tenant: state.entra.tenant_id.as_deref(),
    };
    read_and_judge(input, now, Some(against), &state.entra_thumbprints())
}

fn parse_quietly(xml: &str) -> Option<roxmltree::Document<'_>> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 100_000,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(xml, options).ok()
}

/// The assertions the response carries as its own children.
fn assertions_in(xml: &str) -> usize {
    parse_quietly(xml).map_or(0, |doc| {
        doc.root_element()
            .children()
            .filter(|c| c.has_tag_name((SAML, "Assertion")))
            .count()
    })
}

/// The response's and its assertion's signatures, checked as Cognito checks them: with the
/// certificate a signature carries (KeyInfo) when the metadata lists it by thumbprint — the
/// state keeps Entra's certificates by thumbprint. A signature by a certificate the metadata
/// does not list is judged by who sent it (`judge`), not here.
fn signature_checks(xml: &str, metadata_thumbprints: &[String]) -> Vec<(String, SignatureCheck)> {
    let Some(doc) = parse_quietly(xml) else {
        return Vec::new();
    };
    let root = doc.root_element();
    let assertion = child(root, SAML, "Assertion");
    let mut out = Vec::new();
    for (what, element) in [("response", Some(root)), ("assertion", assertion)] {
        let Some(element) = element else { continue };
        let Some(signature) = child(element, DS, "Signature") else {
            continue;
        };
        if metadata_thumbprints.is_empty() {
            out.push((
                what.to_string(),
                cognito_entra_entra::xmldsig::check(&doc, element, &[]),
            ));
            continue;
        }
        let carried = cognito_entra_entra::xmldsig::certificates_from_base64(
            signature
                .descendants()
                .filter(|n| n.has_tag_name((DS, "X509Certificate")))
                .filter_map(|n| n.text()),
        );
        let trusted: Vec<Vec<u8>> = carried
            .into_iter()
            .filter(|der| metadata_thumbprints.contains(&thumbprint(der)))
            .collect();
        if trusted.is_empty() {
            continue;
        }
        out.push((
            what.to_string(),
            cognito_entra_entra::xmldsig::check(&doc, element, &trusted),
        ));
    }
    out
}

/// One finding for one signature's check.
fn signature_finding(what: &str, check: &SignatureCheck) -> Finding {
    match check {
        SignatureCheck::Absent => finding(Level::Info, format!("the {what} is not signed")),
        SignatureCheck::Verified { thumbprint, sha1 } if *sha1 => finding(
            Level::Warning,
            format!(
                "the {what}'s signature verifies with the metadata certificate {thumbprint}, over SHA-1 — in Entra, SAML Signing Certificate › Signing Algorithm: SHA-256"
            ),
        ),
        SignatureCheck::Verified { thumbprint, .. } => finding(
            Level::Info,
            format!("the {what}'s signature verifies with the metadata certificate {thumbprint}"),
        ),
        SignatureCheck::DoesNotVerify { reason } => finding(
            Level::Error,
            format!(
                "the {what}'s signature does not verify ({reason}): Cognito refuses it — a capture edited or re-encoded on the way breaks it (capture it again, copying the whole value); otherwise it is not what Entra sent"
            ),
        ),
        SignatureCheck::Misplaced { reason } => finding(
            Level::Error,
            format!(
                "the {what}'s signature does not protect what Cognito reads ({reason}) — do not trust this response"
            ),
        ),
        SignatureCheck::NotChecked { reason } => finding(
            Level::Info,
            format!("the {what}'s signature is present, not checked: {reason}"),
        ),
    }
}

/// Entra's error answer, said in full: the status codes, Entra's own message, what its AADSTS
/// codes mean and where the details are.
fn error_answer_finding(d: &Decoded) -> Finding {
    let codes = d.status_codes.join(" / ");
    let top = aadsts::top_level(d.status.as_deref().unwrap_or_default());
    let message = d.status_message.as_deref().unwrap_or_default();
    let said = message
        .lines()
        .next()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!(": \"{l}\""))
        .unwrap_or_default();
    let explained: Vec<String> = aadsts::codes(message)
        .iter()
        .filter_map(|c| aadsts::explain(c).map(|e| format!("{c}: {e}")))
        .collect();
    let trace = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("Trace ID:"))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let logs = match trace {
        Some(t) => format!(
            "Entra's sign-in logs (Monitoring & health › Sign-in logs) hold the details under Trace ID {t}"
        ),
        None => "Entra's sign-in logs (Monitoring & health › Sign-in logs) hold the details of this sign-in".to_string(),
    };
    let mut text =
        format!("Entra answered with an error, not a sign-in (status {codes}: {top}){said}");
    if !explained.is_empty() {
        text.push_str(" — ");
        text.push_str(&explained.join("; "));
    }
    text.push_str(" — ");
    text.push_str(&logs);
    finding(Level::Error, text)
}

/// Judges a decoded response: on its own, and against a setup when one is given.
pub fn judge(
    d: &mut Decoded,
    now: OffsetDateTime,
    against: Option<Against<'_>>,
    metadata_thumbprints: &[String],
) {
    let mut out = Vec::new();
    // Entra's error answer carries a status and its message, no assertion: what a sign-in
    // carries (a signature, a NameID, claims) is not missing from it, only absent.
    let error_answer = d.is_error_answer();
    if error_answer {
        out.push(error_answer_finding(d));
    }
    if d.encrypted {
        out.push(finding(Level::Info, "the assertion is encrypted: only Cognito (which holds the private key) can read the user's attributes; what is shown is the outer response"));
    }
    if d.in_response_to.is_none() && !error_answer {
        out.push(finding(
            Level::Info,
            "no InResponseTo: an IdP-initiated sign-in (started in Entra, e.g. from My Apps)",
        ));
    }
    if let Some(issued) = parse_time(&d.issue_instant) {
        let skew = issued - now;
        if skew > time::Duration::minutes(5) {
            out.push(finding(Level::Warning, format!("issued {} in the future by this machine's clock: a clock skew this large makes Cognito refuse responses", ago(skew))));
        } else {
            out.push(finding(
                Level::Info,
                format!("issued {} ago", ago(now - issued)),
            ));
        }
    }
    if let Some(end) = parse_time(&d.not_on_or_after)
        && end < now
    {
        out.push(finding(
            Level::Info,
            format!(
                "valid until {} ({} ago): a capture is only good for diagnosis, not for replay",
                d.not_on_or_after.clone().unwrap_or_default(),
                ago(now - end)
            ),
        ));
    }
    if let (Some(start), Some(end)) = (parse_time(&d.not_before), parse_time(&d.not_on_or_after))
        && start >= end
    {
        out.push(finding(
            Level::Error,
            format!(
                "the validity window is empty: NotBefore {} is not before NotOnOrAfter {} ({} apart) — no clock can accept it; Entra's token settings or clock are wrong",
                d.not_before.clone().unwrap_or_default(),
                d.not_on_or_after.clone().unwrap_or_default(),
                ago(start - end)
            ),
        ));
    }
    if let Some(start) = parse_time(&d.not_before)
        && start > now + time::Duration::minutes(5)
    {
        out.push(finding(
            Level::Warning,
            format!(
                "not valid before {}: this machine's clock or Entra's is off",
                d.not_before.clone().unwrap_or_default()
            ),
        ));
    }
    if !d.signed.response && !d.signed.assertion && !d.encrypted && !error_answer {
        out.push(finding(
            Level::Error,
            "neither the response nor the assertion is signed: Cognito refuses it",
        ));
    }
    // Whose response this is comes first: a response of another tenant or another app is
    // signed by a certificate the metadata does not have, and that is not a rollover.
    let issuer_tenant = d
        .issuer
        .as_deref()
        .and_then(cognito_entra_entra::metadata::tenant_from_entity_id);
    let other_tenant = match (
        issuer_tenant.as_deref(),
        against.as_ref().and_then(|a| a.tenant),
    ) {
        (Some(got), Some(trusted)) if !got.eq_ignore_ascii_case(trusted) => {
            Some((got.to_string(), trusted.to_string()))
        }
        _ => None,
    };
    let other_app = against.as_ref().is_some_and(|a| {
        matches!((&d.audience, &a.values.entity_id), (Some(aud), Some(entity)) if aud != entity)
    });
    if let Some((got, trusted)) = &other_tenant {
        out.push(finding(Level::Error, format!(
            "issued by tenant {got} (Issuer {}), but the provider trusts tenant {trusted}: this response comes from another tenant — sign in with an account of tenant {trusted}, through this setup's enterprise application",
            d.issuer.clone().unwrap_or_default()
        )));
    }
    d.signed.checks = signature_checks(&d.xml, metadata_thumbprints);
    for (what, check) in &d.signed.checks {
        out.push(signature_finding(what, check));
    }
    if assertions_in(&d.xml) > 1 {
        out.push(finding(Level::Error, "the response carries more than one assertion: Entra sends one, and a second is how a forged assertion is slipped beside a signed one (signature wrapping) — do not trust this response"));
    }
    if !metadata_thumbprints.is_empty() && !d.signing_thumbprints.is_empty() {
        let known = d
            .signing_thumbprints
            .iter()
            .find(|t| metadata_thumbprints.contains(t));
        match known {
            // Checked above, with that certificate.
            Some(_) => {}
            // Said above: another tenant's certificate is expected to be unknown.
            None if other_tenant.is_some() => {}
            None if other_app => out.push(finding(Level::Error, format!(
                "signed by a certificate ({}) that is not in the provider's metadata, and addressed to another application (see the audience): a response of another enterprise application, not a certificate rollover",
                d.signing_thumbprints.join(", ")
            ))),
            None => out.push(finding(Level::Error, format!(
                "signed by a certificate ({}) that is not in the provider's metadata, by the same tenant and for this application: Entra rolled its certificate; refresh the metadata (a URL refreshes by itself, a file must be uploaded again)",
                d.signing_thumbprints.join(", ")
            ))),
        }
    }
    if d.name_id_format.as_deref() != Some(PERSISTENT) && !d.encrypted && !error_answer {
        out.push(finding(Level::Warning, format!(
            "the NameID format is {}, not persistent: Entra's default identifier (the user principal name) can change, and a changed value signs in as a second Cognito user — in Entra, Attributes & Claims › Unique User Identifier: source user.objectid, format Persistent",
            d.name_id_format.as_deref().unwrap_or("(none)")
        )));
    }
    if d.attributes.contains_key(GROUPS_LINK) {
        out.push(finding(Level::Warning, "groups.link instead of groups: the user is in more than 150 groups, so Entra sends a link, not the groups — in Entra, make the group claim \"Groups assigned to the application\""));
    }
    if let Some(Against {
        setup,
        values,
        required,
        ..
    }) = against
    {
        if let (Some(aud), Some(entity)) = (&d.audience, &values.entity_id)
            && aud != entity
        {
            out.push(finding(Level::Error, format!("the audience is {aud}, but Cognito expects {entity}: in Entra, Basic SAML Configuration › Identifier (Entity ID) = {entity}")));
        }
        if let (Some(dest), Some(reply)) = (&d.destination, &values.reply_url)
            && dest != reply
        {
            out.push(finding(Level::Error, format!("the destination is {dest}, but Cognito's Reply URL is {reply}: in Entra, Basic SAML Configuration › Reply URL = {reply}")));
        }
        if error_answer {
            out.sort_by_key(|f| f.level);
            d.findings.splice(0..0, out);
            return;
        }
        if d.in_response_to.is_none() && !setup.idp_initiated() {
            out.push(finding(Level::Error, "an IdP-initiated response, but the provider accepts only SP-initiated sign-in: start from the app (the sign-in URL), or set idp_initiated = true and apply"));
        }
        let mapping = setup.attribute_mapping();
        for attr in required.unwrap_or_default() {
            if attr != "sub" && !mapping.contains_key(attr) {
                out.push(finding(Level::Error, format!(
                    "the pool requires {attr}, but the setup maps no Entra claim to it: every first sign-in fails with \"Invalid SAML response received: {attr}: The attribute is required\" — map it under [provider.attribute_mapping] (the wizard's attribute step), apply, and send that claim from Entra"
                )));
            }
        }
        if !d.encrypted {
            for (attr, claim) in &mapping {
                if attr == "username" || d.attributes.contains_key(claim) {
                    continue;
                }
                let consequence = match required {
                    Some(required) if required.contains(attr) => format!(
                        "the pool requires {attr}, so this sign-in fails with \"Invalid SAML response received: {attr}: The attribute is required\""
                    ),
                    Some(_) => format!("Cognito leaves {attr} empty for this user"),
                    None => format!(
                        "Cognito leaves {attr} empty, and when the pool requires it the sign-in fails with \"Invalid SAML response received: {attr}: The attribute is required\""
                    ),
                };
                out.push(finding(Level::Error, format!(
                    "{attr} is mapped from {claim}, which the response does not carry: {consequence} — in Entra, Attributes & Claims › Add new claim, named {claim}"
                )));
            }
            // What Cognito does with what is mapped: one value per attribute (several are
            // joined into one string), at most 2,048 characters each.
            for (attr, claim) in &mapping {
                let Some(values) = d.attributes.get(claim) else {
                    continue;
                };
                if values.len() > 1 {
                    out.push(finding(Level::Warning, format!(
                        "{claim} carries {} values (a multi-valued claim such as groups or roles), mapped to {attr}, which holds one string: Cognito stores them joined, not as a list — map such claims to a custom attribute your app splits, and keep single-valued claims for standard attributes like email",
                        values.len()
                    )));
                }
                let longest = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
                if longest > COGNITO_ATTRIBUTE_MAX_CHARS {
                    out.push(finding(Level::Error, format!(
                        "{claim} (mapped to {attr}) has a value of {longest} characters; Cognito keeps at most {COGNITO_ATTRIBUTE_MAX_CHARS} per attribute and refuses the sign-in — send a shorter claim (e.g. groups assigned to the application only)"
                    )));
                }
            }
            let mapped: Vec<&String> = mapping.values().collect();
            for claim in d.attributes.keys() {
                if mapped.contains(&claim) || claim == GROUPS_LINK {
                    continue;
                }
                let hint = suggested_attribute(claim)
                    .map(|a| format!(": to keep it, map it, e.g. {a} = \"{claim}\" under [provider.attribute_mapping]"))
                    .unwrap_or_default();
                out.push(finding(
                    Level::Info,
                    format!("{claim} is sent but not mapped{hint}"),
                ));
            }
        }
    }
    out.sort_by_key(|f| f.level);
    d.findings.splice(0..0, out);
}
