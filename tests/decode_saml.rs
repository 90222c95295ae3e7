//! decode-saml: responses written in Entra's layout (its claim URIs, a persistent NameID,
//! groups), as XML, base64, URL-encoded base64 and inside a HAR file; what they show, and what
//! is wrong with them against a setup.

mod common;

use base64::Engine;
use common::entra::*;
use common::saml::*;
use common::*;
use time::{Duration, OffsetDateTime};

const POOL: &str = "eu-west-1_AbCdEf123";
const REPLY: &str = "https://corp-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse";

struct Case {
    dir: tempfile::TempDir,
    cert: String,
}

impl Case {
    fn new() -> Case {
        Case::with_cert(Duration::days(-30), Duration::days(700))
    }

    /// A setup whose metadata file lists one certificate valid between the two offsets.
    fn with_cert(from: Duration, to: Duration) -> Case {
        let (cert, _) = signing_cert(from, to);
        let dir = tempdir();
        write(
            &dir.path().join("entra.xml"),
            metadata_xml(std::slice::from_ref(&cert)),
        );
        write(
            &dir.path().join("corp.toml"),
            format!(
                "name = \"corp\"\nprotocol = \"saml\"\nregion = \"eu-west-1\"\n[user_pool]\nid = \"{POOL}\"\n[domain]\nprefix = \"corp-login\"\n[app_client]\nid = \"abc123\"\ncallback_urls = [\"https://app.example.com/\"]\n[saml]\nmetadata_file = \"entra.xml\"\n"
            ),
        );
        Case { dir, cert }
    }

    /// decode-saml as an admin reads it (no --json): exit code, stdout, stderr.
    fn decode_text(&self, input: &str) -> (Option<i32>, String, String) {
        let file = self.dir.path().join("capture.txt");
        write(&file, input);
        let out = run(cmd(&self.dir.path().join("state"))
            .arg("decode-saml")
            .arg(&file)
            .arg("--config")
            .arg(self.dir.path().join("corp.toml")));
        (out.status.code(), stdout(&out), stderr(&out))
    }

    fn decode(&self, input: &str, with_setup: bool) -> (Option<i32>, serde_json::Value) {
        let file = self.dir.path().join("capture.txt");
        write(&file, input);
        let mut c = cmd(&self.dir.path().join("state"));
        c.arg("decode-saml").arg(&file).arg("--json");
        if with_setup {
            c.arg("--config").arg(self.dir.path().join("corp.toml"));
        }
        let out = run(&mut c);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| serde_json::json!({"stderr": stderr(&out)}));
        (out.status.code(), v)
    }
}

fn messages(v: &serde_json::Value, level: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["level"] == level)
                .filter_map(|f| f["message"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn has(v: &serde_json::Value, level: &str, text: &str) -> bool {
    messages(v, level).iter().any(|m| m.contains(text))
}

#[test]
fn a_good_response_in_every_form() {
    let c = Case::new();
    let r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    let urlencoded =
        percent_encoding::utf8_percent_encode(&r.base64(), percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    for (form, input) in [
        ("xml", r.xml()),
        ("base64", r.base64()),
        ("url-encoded", urlencoded.clone()),
        (
            "form body",
            format!("SAMLResponse={urlencoded}&RelayState=x"),
        ),
    ] {
        let (code, v) = c.decode(&input, true);
        assert_eq!(code, Some(0), "{form}: {v}");
        assert_eq!(
            v["issuer"],
            format!("https://sts.windows.net/{TENANT}/"),
            "{form}"
        );
        assert_eq!(v["audience"], format!("urn:amazon:cognito:sp:{POOL}"));
        assert_eq!(v["destination"], REPLY);
        assert_eq!(v["in_response_to"], "_f8e7d6c5b4a39281");
        assert_eq!(
            v["name_id_format"],
            "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
        );
        assert_eq!(v["attributes"][EMAIL][0], "ada@contoso.example");
        assert_eq!(v["attributes"][GROUPS].as_array().map(Vec::len), Some(2));
        assert_eq!(v["signed"], true);
        assert_eq!(v["signed_assertion"], true);
        assert_eq!(v["encrypted"], false);
        assert!(messages(&v, "error").is_empty(), "{form}: {v}");
        assert!(
            has(
                &v,
                "info",
                "the assertion's signature verifies with the metadata certificate"
            ),
            "{v}"
        );
        assert!(
            has(
                &v,
                "info",
                "is sent but not mapped: to keep it, map it, e.g. custom:groups"
            ),
            "{v}"
        );
    }
}

#[test]
fn a_har_file_gives_the_newest_response() {
    let c = Case::new();
    let mut old = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    old.name_id = "older-user-id";
    let new = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    let entry = |when: &str, value: &str| {
        serde_json::json!({
            "startedDateTime": when,
            "request": {"method": "POST", "url": "https://corp-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse",
                        "postData": {"mimeType": "application/x-www-form-urlencoded", "params": [{"name": "SAMLResponse", "value": value}, {"name": "RelayState", "value": ""}]}}
        })
    };
    let har = serde_json::json!({"log": {"version": "1.2", "entries": [
        entry("2026-11-21T10:00:00.000Z", &old.base64()),
        {"startedDateTime": "2026-11-21T10:00:01.000Z", "request": {"method": "GET", "url": "https://app.example.com/"}},
        entry("2026-11-21T10:05:00.000Z", &new.base64()),
    ]}});
    let (code, v) = c.decode(&har.to_string(), true);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["name_id"], "k3Zp1Q8vW0yT5rX2uN7mL4jH9gF6dS1aE0cB3nM5");
    assert!(has(&v, "info", "holds 2 SAML responses"), "{v}");
}

#[test]
fn what_is_wrong_is_named_with_the_fix() {
    let c = Case::new();
    // The mapped email claim is missing: the error Cognito gives, and the claim to add.
    let mut r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    r.attributes.retain(|(n, _)| *n != EMAIL);
    let (code, v) = c.decode(&r.base64(), true);
    assert_eq!(code, Some(1), "{v}");
    assert!(
        has(
            &v,
            "error",
            "Invalid SAML response received: email: The attribute is required"
        ),
        "{v}"
    );
    assert!(
        has(&v, "error", &format!("Add new claim, named {EMAIL}")),
        "{v}"
    );

    // IdP-initiated (no InResponseTo) to a provider that takes SP-initiated only.
    let mut r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    r.in_response_to = false;
    let (code, v) = c.decode(&r.base64(), true);
    assert_eq!(code, Some(1));
    assert!(has(&v, "info", "IdP-initiated sign-in"), "{v}");
    assert!(has(&v, "error", "set idp_initiated = true"), "{v}");
    assert_eq!(v["in_response_to"], serde_json::Value::Null);

    // The wrong audience.
    let mut r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    r.audience = "https://corp.example.com/saml".into();
    let (_, v) = c.decode(&r.base64(), true);
    assert!(
        has(
            &v,
            "error",
            &format!("Identifier (Entity ID) = urn:amazon:cognito:sp:{POOL}")
        ),
        "{v}"
    );

    // Expired, an e-mail NameID, groups.link, a certificate not in the metadata.
    let mut r = Resp::good(
        &signing_cert(Duration::days(-3), Duration::days(300)).0,
        &format!("urn:amazon:cognito:sp:{POOL}"),
        REPLY,
    );
    r.issued = OffsetDateTime::now_utc() - Duration::days(2);
    r.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    r.attributes.push((
        "http://schemas.microsoft.com/claims/groups.link",
        vec!["https://graph.windows.net/x/users/y/getMemberObjects"],
    ));
    let (_, v) = c.decode(&r.base64(), true);
    assert!(
        has(&v, "info", "a capture is only good for diagnosis"),
        "{v}"
    );
    assert!(has(&v, "warning", "not persistent"), "{v}");
    assert!(has(&v, "warning", "groups.link instead of groups"), "{v}");
    assert!(has(&v, "error", "not in the provider's metadata"), "{v}");

    // A failed sign-in at Entra.
    let mut r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    r.status = "Requester";
    let (code, v) = c.decode(&r.base64(), false);
    assert_eq!(code, Some(1));
    assert!(has(&v, "error", "status Requester"), "{v}");
}

/// With a saved setup whose pool was read, the pool's required attributes decide: a missing
/// claim for a required attribute fails the sign-in for sure, and a required attribute that
/// nothing maps is named.
#[test]
fn a_saved_setup_judges_by_the_pools_required_attributes() {
    let c = Case::new();
    let text = std::fs::read(c.dir.path().join("corp.toml")).unwrap_or_default();
    let mut setup =
        cognito_entra::setup::load::parse(&text, "corp.toml").unwrap_or_else(|p| panic!("{p:?}"));
    // Saved answers keep the metadata file's full path, as apply does.
    if let Some(saml) = setup.saml.as_mut() {
        saml.metadata_file = Some(c.dir.path().join("entra.xml").display().to_string());
    }
    let store = cognito_entra::state::StateStore::new(c.dir.path().join("state"));
    let lock = store.lock("corp").unwrap_or_else(|e| panic!("{e}"));
    let mut state = cognito_entra::state::State::new(setup);
    state.aws.user_pool_id = Some(POOL.into());
    state.aws.client_id = Some("abc123".into());
    state.aws.required_attributes = Some(vec!["email".into(), "phone_number".into()]);
    lock.save(&mut state).unwrap_or_else(|e| panic!("{e}"));
    drop(lock);

    let mut r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    r.attributes.retain(|(claim, _)| *claim != EMAIL);
    let file = c.dir.path().join("capture.txt");
    write(&file, r.base64());
    let out = run(cmd(&c.dir.path().join("state"))
        .arg("decode-saml")
        .arg(&file)
        .args(["--json", "--setup", "corp"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(
        has(
            &v,
            "error",
            "the pool requires email, so this sign-in fails with \"Invalid SAML response received: email: The attribute is required\""
        ),
        "{v}"
    );
    assert!(
        has(
            &v,
            "error",
            "the pool requires phone_number, but the setup maps no Entra claim to it"
        ),
        "{v}"
    );
}

#[test]
fn an_encrypted_assertion_shows_what_is_visible() {
    let c = Case::new();
    let mut r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    r.encrypted = true;
    let (code, v) = c.decode(&r.base64(), true);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["encrypted"], true);
    assert_eq!(v["destination"], REPLY);
    assert!(has(&v, "info", "only Cognito"), "{v}");
    assert_eq!(v["attributes"], serde_json::json!({}));
}

#[test]
fn garbage_is_refused_clearly() {
    let c = Case::new();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not base64", b"this is not a saml response!!".to_vec(), "neither XML, nor base64, nor a HAR file"),
        ("base64 of text", base64::engine::general_purpose::STANDARD.encode("hello world").into_bytes(), "not XML"),
        ("xml bomb", br#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>"#.to_vec(), "declares a DTD"),
        ("other xml", b"<html><body>Sign in</body></html>".to_vec(), "not a SAML response"),
        ("HAR without responses", br#"{"log":{"entries":[]}}"#.to_vec(), "no POST to /saml2/idpresponse"),
        ("20 MB", vec![b'A'; 20 * 1024 * 1024], "a SAML response is a few kilobytes"),
    ];
    for (name, input, expected) in cases {
        let file = c.dir.path().join("garbage.bin");
        write(&file, &input);
        let out = run(cmd(c.dir.path()).arg("decode-saml").arg(&file));
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
}

/// Whose response it is comes before any word of rollover: another tenant's response, and
/// another app's, are signed by certificates the metadata lacks, and are named as such; only
/// the same tenant and app with an unknown certificate is a rollover.
#[test]
fn another_tenant_or_app_is_not_a_certificate_rollover() {
    let c = Case::new();
    let entity = format!("urn:amazon:cognito:sp:{POOL}");
    let unknown = signing_cert(Duration::days(-1), Duration::days(300)).0;

    let rolled = Resp::good(&unknown, &entity, REPLY).xml();
    let (_, v) = c.decode(&rolled, true);
    assert!(has(&v, "error", "Entra rolled its certificate"), "{v}");

    let other_tenant = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
    let foreign = Resp::good(&unknown, &entity, REPLY)
        .xml()
        .replace(TENANT, other_tenant);
    let (_, v) = c.decode(&foreign, true);
    assert!(has(&v, "error", "comes from another tenant"), "{v}");
    assert!(has(&v, "error", other_tenant), "{v}");
    assert!(!has(&v, "error", "rolled"), "not a rollover: {v}");

    let other_app = Resp::good(&unknown, "urn:amazon:cognito:sp:eu-west-1_Other", REPLY).xml();
    let (_, v) = c.decode(&other_app, true);
    assert!(has(&v, "error", "another enterprise application"), "{v}");
    assert!(!has(&v, "error", "rolled"), "not a rollover: {v}");
}

/// An impossible validity window is an error with the gap; two responses copied together are
/// named as such (it said only "unknown token at 1:6057").
#[test]
fn an_empty_window_and_two_responses_at_once_are_named() {
    let c = Case::new();
    let entity = format!("urn:amazon:cognito:sp:{POOL}");
    let good = Resp::good(&c.cert, &entity, REPLY).xml();

    // NotOnOrAfter set to the NotBefore: no clock can accept it.
    let not_before = good
        .split("NotBefore=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no NotBefore in the fixture"))
        .to_string();
    let mut empty = good.clone();
    for part in good.split("NotOnOrAfter=\"").skip(1) {
        let value = part.split('"').next().unwrap_or_default();
        empty = empty.replace(
            &format!("NotOnOrAfter=\"{value}\""),
            &format!("NotOnOrAfter=\"{not_before}\""),
        );
    }
    let (_, v) = c.decode(&empty, true);
    assert!(has(&v, "error", "the validity window is empty"), "{v}");

    let (code, v) = c.decode(&format!("{good}{good}"), true);
    assert_eq!(code, Some(1), "{v}");
    assert!(
        v.to_string()
            .contains("holds 2 SAML responses one after the other"),
        "{v}"
    );
}

/// With --json a failure is one JSON object on stdout too, with `errors` (decode-saml printed
/// nothing on stdout; check-metadata printed an object): one shape for scripts.
#[test]
fn json_failures_are_json_on_stdout() {
    let dir = tempdir();
    let garbage = dir.path().join("garbage.txt");
    write(&garbage, "not a saml response at all");
    for args in [
        vec![
            "decode-saml".to_string(),
            garbage.display().to_string(),
            "--json".into(),
        ],
        vec![
            "status".into(),
            "--setup".into(),
            "no-such-setup".into(),
            "--json".into(),
        ],
    ] {
        let out = run(cmd(&dir.path().join("state")).args(&args));
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {}", stdout(&out)));
        let errors = v["errors"].as_array().cloned().unwrap_or_default();
        assert!(!errors.is_empty(), "{args:?}: {v}");
        assert!(v["warnings"].is_array(), "{args:?}: {v}");
    }
}

/// A multi-valued claim mapped to a single-valued attribute, and a value over Cognito's 2,048
/// characters, are named (#12 item 9).
#[test]
fn multi_valued_and_overlong_mapped_claims_are_named() {
    let c = Case::new();
    let entity = format!("urn:amazon:cognito:sp:{POOL}");
    let mut r = Resp::good(&c.cert, &entity, REPLY);
    for (claim, values) in r.attributes.iter_mut() {
        if *claim == EMAIL {
            *values = vec!["ana@example.com", "ana.alias@example.com"];
        }
    }
    let (_, v) = c.decode(&r.xml(), true);
    assert!(has(&v, "warning", "carries 2 values"), "{v}");

    let long: &'static str = Box::leak("g".repeat(3000).into_boxed_str());
    let mut r = Resp::good(&c.cert, &entity, REPLY);
    for (claim, values) in r.attributes.iter_mut() {
        if *claim == EMAIL {
            *values = vec![long];
        }
    }
    let (_, v) = c.decode(&r.xml(), true);
    assert!(has(&v, "error", "has a value of 3000 characters"), "{v}");
}

/// Entra's error answer (Microsoft's documented sample: Requester / RequestUnsupported,
/// "AADSTS75006: … AADSTS90011: …", a Trace ID) is shown as what it is — its nested status
/// codes and Entra's message, the AADSTS codes explained — and nothing a sign-in would carry
/// (a signature, a NameID format, the mapped claims) is judged missing.
#[test]
fn entras_error_answer_is_read_as_one() {
    let c = Case::new();
    let message = "AADSTS75006: An error occurred while processing a SAML2 Authentication request. AADSTS90011: The SAML authentication request property 'NameIdentifierPolicy/SPNameQualifier' is not supported.\nTrace ID: 66febed4-e737-49ff-ac23-464ba090d57c\nTimestamp: 2026-11-21 08:49:24Z";
    let xml = error_response_xml("Requester", "RequestUnsupported", message, REPLY);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&xml);
    let (code, v) = c.decode(&b64, true);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(
        v["status_codes"],
        serde_json::json!(["Requester", "RequestUnsupported"]),
        "{v}"
    );
    assert_eq!(
        v["aadsts"],
        serde_json::json!(["AADSTS75006", "AADSTS90011"]),
        "{v}"
    );
    assert!(
        v["status_message"]
            .as_str()
            .is_some_and(|m| m.starts_with("AADSTS75006: An error occurred")),
        "{v}"
    );
    let errors = messages(&v, "error");
    assert_eq!(errors.len(), 1, "one error, the answer itself: {v}");
    for part in [
        "Requester / RequestUnsupported",
        "AADSTS75006: An error occurred",
        "AADSTS90011: the request uses a SAML property Entra does not support",
        "66febed4-e737-49ff-ac23-464ba090d57c",
        "Sign-in logs",
    ] {
        assert!(errors[0].contains(part), "{part}: {}", errors[0]);
    }
    let all = v["findings"].to_string();
    for invented in [
        "not signed",
        "NameID format",
        "which the response does not carry",
        "IdP-initiated",
        "unassigned user",
    ] {
        assert!(!all.contains(invented), "{invented}: {v}");
    }

    // The text output shows the status and the message, not an empty sign-in.
    let (code, text, _) = c.decode_text(&b64);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Requester / RequestUnsupported"), "{text}");
    assert!(text.contains("Trace ID: 66febed4"), "{text}");
    assert!(!text.contains("NameID format"), "{text}");

    // Another code: the unassigned user, with its fix.
    let xml = error_response_xml(
        "Responder",
        "RequestDenied",
        "AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access.\nTrace ID: 1f2e3d4c-0000-4000-8000-000000000001",
        REPLY,
    );
    let (_, v) = c.decode(&xml, true);
    assert!(has(&v, "error", "Users and groups"), "{v}");
    assert!(has(&v, "error", "Responder / RequestDenied"), "{v}");
}

/// The auto-post page a browser's developer tools save (Entra's "Working..." page, a form
/// holding SAMLResponse and RelayState) is read; so are the same form written with single
/// quotes, the value before the name, and `+`, `/`, `=` as character references.
#[test]
fn the_auto_post_page_is_read() {
    let c = Case::new();
    let r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    let b64 = r.base64();
    let entra = autopost_page(REPLY, &b64);
    let referenced = b64
        .replace('+', "&#x2b;")
        .replace('/', "&#47;")
        .replace('=', "&#x3D;");
    let other_writer = format!(
        "<!DOCTYPE html>\n<html>\n<body onload=\"document.forms[0].submit()\">\n<form action='{REPLY}' method='post'>\n  <input type='hidden' name='RelayState' value=''/>\n  <input value='{referenced}'\n         type='hidden' name='SAMLResponse'/>\n</form>\n</body>\n</html>\n"
    );
    for (form, page) in [("Entra's page", entra), ("another writer", other_writer)] {
        let (code, v) = c.decode(&page, true);
        assert_eq!(code, Some(0), "{form}: {v}");
        assert_eq!(
            v["issuer"],
            format!("https://sts.windows.net/{TENANT}/"),
            "{form}"
        );
        assert_eq!(v["attributes"][EMAIL][0], "ada@contoso.example", "{form}");
        assert!(
            has(&v, "info", "the assertion's signature verifies"),
            "{form}: {v}"
        );
    }

    // A HAR file that stops before the POST to Cognito: Entra's answer holds the page.
    let har = serde_json::json!({"log": {"version": "1.2", "entries": [
        {"startedDateTime": "2026-11-21T10:00:00.000Z",
         "request": {"method": "POST", "url": format!("https://login.microsoftonline.com/{TENANT}/login")},
         "response": {"status": 200, "content": {"mimeType": "text/html; charset=utf-8",
            "text": base64::engine::general_purpose::STANDARD.encode(autopost_page(REPLY, &b64)),
            "encoding": "base64"}}}
    ]}});
    let (code, v) = c.decode(&har.to_string(), true);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["attributes"][EMAIL][0], "ada@contoso.example", "{v}");
    assert!(has(&v, "info", "read from the auto-post page"), "{v}");

    // A page without the field is named, with where to find the response.
    let request_page = autopost_page(
        "https://login.microsoftonline.com/x/saml2",
        "PHNhbWxwOkF1dGhuUmVxdWVzdC8+",
    )
    .replace("SAMLResponse", "SAMLRequest");
    let (code, v) = c.decode(&request_page, true);
    assert_eq!(code, Some(1), "{v}");
    assert!(v.to_string().contains("SAMLRequest"), "{v}");
}

/// Sign-out messages are named as such, with where the sign-in response is instead.
#[test]
fn sign_out_messages_are_named() {
    let c = Case::new();
    for (fixture, named) in [
        (
            "entra/logout-response.xml",
            "sign-out answer (samlp:LogoutResponse",
        ),
        (
            "entra/logout-request.xml",
            "sign-out request (samlp:LogoutRequest",
        ),
    ] {
        let xml = sign_out_xml(fixture, &format!("urn:amazon:cognito:sp:{POOL}"));
        let (code, _, err) = c.decode_text(&base64::engine::general_purpose::STANDARD.encode(xml));
        assert_eq!(code, Some(1), "{fixture}: {err}");
        assert!(err.contains(named), "{fixture}: {err}");
        assert!(err.contains("/saml2/idpresponse"), "{fixture}: {err}");
    }

    // As Entra sends its sign-out answer (HTTP-Redirect binding: deflated, base64, in the
    // query of the URL the browser is sent to, beside SigAlg and Signature).
    let xml = sign_out_xml("entra/logout-response.xml", "");
    let deflated = miniz_oxide::deflate::compress_to_vec(xml.as_bytes(), 6);
    let value = percent_encoding::utf8_percent_encode(
        &base64::engine::general_purpose::STANDARD.encode(deflated),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
    let url = format!(
        "https://corp-login.auth.eu-west-1.amazoncognito.com/saml2/logout?SAMLResponse={value}&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature=c2lnbmF0dXJl"
    );
    let (code, _, err) = c.decode_text(&url);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("sign-out answer (samlp:LogoutResponse"),
        "{err}"
    );
    assert!(err.contains("the sign-out succeeded"), "{err}");
}

/// decode-saml --config judges the setup's metadata as check-metadata does: a response
/// verified with a certificate that expired 20 days ago is told so, with the fix.
#[test]
fn the_setups_expired_metadata_certificate_is_named() {
    let c = Case::with_cert(Duration::days(-900), Duration::days(-20));
    let expired_on = (OffsetDateTime::now_utc() - Duration::days(20))
        .date()
        .to_string();
    let r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    let (code, v) = c.decode(&r.xml(), true);
    assert_eq!(code, Some(1), "{v}");
    assert!(
        has(
            &v,
            "error",
            "the setup's metadata (entra.xml): no signing certificate is valid now"
        ) && has(&v, "error", &format!("expired {expired_on}"))
            && has(&v, "error", "SAML Certificates"),
        "{v}"
    );
    assert!(
        has(&v, "warning", "is signed with the metadata certificate")
            && has(&v, "warning", "Entra still signs with it"),
        "{v}"
    );

    // check-metadata says the same of the same file.
    let out = run(cmd(&c.dir.path().join("state"))
        .arg("check-metadata")
        .arg(c.dir.path().join("entra.xml"))
        .arg("--json"));
    assert!(
        stdout(&out).contains(&format!("expired {expired_on}")),
        "{}",
        stdout(&out)
    );
}

/// Values of a multi-valued attribute are shown one per line: a value holding a comma is
/// not read as two.
#[test]
fn multi_valued_attributes_are_shown_one_value_per_line() {
    let c = Case::new();
    let mut r = Resp::good(&c.cert, &format!("urn:amazon:cognito:sp:{POOL}"), REPLY);
    r.attributes = vec![
        (EMAIL, vec!["ada@contoso.example"]),
        (GROUPS, vec!["Sales, EMEA", "Finance"]),
    ];
    let (_, text, _) = c.decode_text(&r.xml());
    assert!(!text.contains("Sales, EMEA, Finance"), "{text}");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(lines.contains(&"= Sales, EMEA"), "{text}");
    assert!(lines.contains(&"= Finance"), "{text}");
}
