//! XML signatures checked for real, held against a real XML-DSig implementation: documents in
//! Entra's layouts signed by signxml (Python, on lxml; tests/support/sign_xml.py), then the
//! same documents with one value changed, and a signed assertion moved aside for a forged one
//! (signature wrapping). The tool must say "verified by", "does not verify" and "does not
//! cover what is read" for these, through `check-metadata` and `decode-saml` as admins run them.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::entra::*;
use common::saml::*;
use common::*;

const POOL: &str = "eu-west-1_AbCdEf123";
const REPLY: &str = "https://corp-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse";
const SIGNATURE_OPEN: &str = "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">";

/// `xml` signed by signxml at its first `element`; (signed XML, certificate, thumbprint).
fn signxml(xml: &str, element: &str) -> (String, String, String) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sign_xml.py");
    let mut child = Command::new(common::moto::python())
        .arg(&script)
        .arg(element)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "signxml (run scripts/test to install it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    (s("xml"), s("certificate"), s("thumbprint"))
}

/// The template's own (unsigned) Signature element taken out, for signxml to put its own.
fn without_signature(xml: &str) -> String {
    let Some(start) = xml.find(SIGNATURE_OPEN) else {
        return xml.to_string();
    };
    let end = xml[start..]
        .find("</Signature>")
        .map(|e| start + e + "</Signature>".len())
        .unwrap_or(start);
    format!("{}{}", &xml[..start], &xml[end..])
}

fn check_metadata(dir: &std::path::Path, xml: &str) -> serde_json::Value {
    let file = dir.join("metadata.xml");
    write(&file, xml);
    let out = run(cmd(&dir.join("state"))
        .arg("check-metadata")
        .arg(&file)
        .arg("--json"));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)))
}

#[test]
fn metadata_signed_by_signxml_verifies_and_an_edit_does_not() {
    let dir = tempdir();
    let unsigned =
        String::from_utf8(metadata_xml(&["{{SIGNER_CERT}}".to_string()])).unwrap_or_default();
    let unsigned = without_signature(unsigned.trim_start_matches('\u{feff}'));
    let (signed, _, thumbprint) = signxml(&unsigned, "EntityDescriptor");

    let v = check_metadata(dir.path(), &signed);
    assert_eq!(v["signature"]["verdict"], "verified", "{v}");
    assert_eq!(v["signature"]["thumbprint"], thumbprint.as_str(), "{v}");

    // One endpoint changed after signing: the kind of edit that sends users elsewhere.
    let edited = signed.replacen(
        "https://login.microsoftonline.com/",
        "https://login.example.net/",
        1,
    );
    assert_ne!(edited, signed);
    let v = check_metadata(dir.path(), &edited);
    assert_eq!(v["signature"]["verdict"], "does_not_verify", "{v}");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("signature does not verify") && warnings.contains("download it again"),
        "{v}"
    );
}

struct Capture {
    dir: tempfile::TempDir,
}

impl Capture {
    /// A response whose assertion signxml signed, and a setup whose metadata lists the
    /// signing certificate (or, `other_cert`, another one).
    fn new() -> (Capture, String, String) {
        let unsigned = Resp::good(
            "{{SIGNER_CERT}}",
            &format!("urn:amazon:cognito:sp:{POOL}"),
            REPLY,
        )
        .xml();
        let (signed, cert, thumbprint) = signxml(&without_signature(&unsigned), "Assertion");
        let dir = tempdir();
        write(&dir.path().join("entra.xml"), metadata_xml(&[cert]));
        write(
            &dir.path().join("corp.toml"),
            format!(
                "name = \"corp\"\nprotocol = \"saml\"\nregion = \"eu-west-1\"\n[user_pool]\nid = \"{POOL}\"\n[domain]\nprefix = \"corp-login\"\n[app_client]\nid = \"abc123\"\ncallback_urls = [\"https://app.example.com/\"]\n[saml]\nmetadata_file = \"entra.xml\"\n"
            ),
        );
        (Capture { dir }, signed, thumbprint)
    }

    fn decode(&self, xml: &str, with_setup: bool) -> (Option<i32>, serde_json::Value) {
        let file = self.dir.path().join("capture.xml");
        write(&file, xml);
        let mut c = cmd(&self.dir.path().join("state"));
        c.arg("decode-saml").arg(&file).arg("--json");
        if with_setup {
            c.arg("--config").arg(self.dir.path().join("corp.toml"));
        }
        let out = run(&mut c);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
        (out.status.code(), v)
    }
}

fn verdict(v: &serde_json::Value) -> String {
    v["signatures"][0]["check"]["verdict"]
        .as_str()
        .unwrap_or("(none)")
        .to_string()
}

fn errors(v: &serde_json::Value) -> String {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["level"] == "error")
                .map(|f| f["message"].to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn a_response_signed_by_signxml_verifies_with_the_metadata_certificate() {
    let (capture, signed, thumbprint) = Capture::new();
    let (code, v) = capture.decode(&signed, true);
    assert_eq!(verdict(&v), "verified", "{v}");
    assert_eq!(v["signatures"][0]["element"], "assertion");
    assert_eq!(
        v["signatures"][0]["check"]["thumbprint"],
        thumbprint.as_str()
    );
    assert_eq!(code, Some(0), "{v}");

    // Without a setup there is nothing to check it against, and it says so.
    let (_, v) = capture.decode(&signed, false);
    assert_eq!(verdict(&v), "not_checked", "{v}");
    assert!(v.to_string().contains("no metadata given"), "{v}");
}

#[test]
fn a_changed_attribute_value_does_not_verify() {
    let (capture, signed, _) = Capture::new();
    let edited = signed.replacen("ada@contoso.example", "eve@contoso.example", 1);
    assert_ne!(edited, signed);
    let (code, v) = capture.decode(&edited, true);
    assert_eq!(verdict(&v), "does_not_verify", "{v}");
    assert!(
        errors(&v).contains("signature does not verify")
            && errors(&v).contains("Cognito refuses it"),
        "{v}"
    );
    assert_ne!(code, Some(0));
}

#[test]
fn a_wrapped_signature_is_named_not_trusted() {
    let (capture, signed, _) = Capture::new();
    // The signed assertion moved into an Extensions element, and a forged copy (another ID,
    // another email, the original's signature inside) put where the assertion is read.
    let start = signed
        .find("<Assertion")
        .unwrap_or_else(|| panic!("no assertion"));
    let end = signed
        .find("</Assertion>")
        .unwrap_or_else(|| panic!("no end"))
        + "</Assertion>".len();
    let original = &signed[start..end];
    let id = original
        .split("ID=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no ID"));
    let forged = original
        .replacen(&format!("ID=\"{id}\""), "ID=\"_forged\"", 1)
        .replacen("ada@contoso.example", "eve@evil.example", 1);
    let wrapped = format!(
        "{}{forged}<samlp:Extensions>{original}</samlp:Extensions>{}",
        &signed[..start],
        &signed[end..]
    );
    let (code, v) = capture.decode(&wrapped, true);
    assert_eq!(verdict(&v), "misplaced", "{v}");
    assert!(errors(&v).contains("signature wrapping"), "{v}");
    assert_ne!(code, Some(0));

    // The same ID twice (the forged copy keeps the signed one's ID) is named too.
    let twice = format!(
        "{}{}<samlp:Extensions>{original}</samlp:Extensions>{}",
        &signed[..start],
        original.replacen("ada@contoso.example", "eve@evil.example", 1),
        &signed[end..]
    );
    let (code, v) = capture.decode(&twice, true);
    assert_eq!(verdict(&v), "misplaced", "{v}");
    assert!(errors(&v).contains("on 2 elements"), "{v}");
    assert_ne!(code, Some(0));
}

/// A signature whose reference names an ID that no element carries (the copy's ID was
/// edited) does not verify: an edited copy, not a signature moved aside (wrapping).
#[test]
fn a_reference_to_an_id_no_element_carries_does_not_verify() {
    let (capture, signed, _) = Capture::new();
    let start = signed
        .find("<Assertion")
        .unwrap_or_else(|| panic!("no assertion"));
    let id = signed[start..]
        .split("ID=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no ID"))
        .to_string();
    let edited = signed.replacen(&format!("ID=\"{id}\""), "ID=\"_edited\"", 1);
    assert_ne!(edited, signed);
    let (code, v) = capture.decode(&edited, true);
    assert_eq!(verdict(&v), "does_not_verify", "{v}");
    let errors = errors(&v);
    assert!(errors.contains("signature does not verify"), "{v}");
    assert!(!errors.contains("wrapping"), "{v}");
    assert_ne!(code, Some(0));
}
