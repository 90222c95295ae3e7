//! Test documents signed the way Entra signs them: RSA-2048 certificates (made by Python's
//! `cryptography`, as ring cannot make RSA keys), and an enveloped RSA-SHA256 signature with
//! exclusive C14N written into the document's own `Signature` element. The signing uses the
//! tool's canonicalization; `tests/xmldsig.rs` holds that canonicalization against a real
//! XML-DSig implementation (signxml), so documents signed here are signed as Entra would.
#![allow(dead_code)]

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use base64::Engine;
use cognito_entra_entra::xmldsig::canonical;
use time::{Duration, OffsetDateTime};

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Private keys (PKCS#8 DER) by their certificate (base64 DER).
fn keys() -> &'static Mutex<HashMap<String, Vec<u8>>> {
    static KEYS: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    KEYS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A self-signed RSA-2048 certificate with this common name, valid between the two offsets
/// from now. Returns (base64 DER, SHA-1 thumbprint upper-case hex); its key signs documents.
pub fn rsa_cert(common_name: &str, from: Duration, to: Duration) -> (String, String) {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let script = format!(
        "import base64, datetime, json\n\
         from cryptography import x509\n\
         from cryptography.hazmat.primitives import hashes, serialization\n\
         from cryptography.hazmat.primitives.asymmetric import rsa\n\
         from cryptography.x509.oid import NameOID\n\
         key = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n\
         name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, {common_name:?})])\n\
         at = lambda s: datetime.datetime.fromtimestamp(s, datetime.timezone.utc)\n\
         cert = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number()).not_valid_before(at({})).not_valid_after(at({})).sign(key, hashes.SHA256())\n\
         print(json.dumps({{'cert': base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(), 'key': base64.b64encode(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())).decode()}}))",
        now + from.whole_seconds(),
        now + to.whole_seconds(),
    );
    let python = super::moto::python();
    let out = Command::new(&python)
        .args(["-c", &script])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        out.status.success(),
        "making an RSA certificate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let cert = made["cert"].as_str().unwrap_or_default().to_string();
    let b64 = base64::engine::general_purpose::STANDARD;
    let der = b64.decode(&cert).unwrap_or_else(|e| panic!("{e}"));
    let key = b64
        .decode(made["key"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    keys()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(cert.clone(), key);
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    let thumb: String = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    (cert, thumb)
}

fn the_key(cert: &str) -> Option<Vec<u8>> {
    keys()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(cert)
        .cloned()
}

/// The ID of the first element named `local` (any namespace), to sign it.
pub fn id_of(xml: &str, local: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml.trim_start_matches('\u{feff}')).ok()?;
    doc.descendants()
        .find(|n| n.tag_name().name() == local)
        .and_then(|n| n.attribute("ID"))
        .map(str::to_string)
}

/// `xml` with `range` replaced by `text`.
fn splice(xml: &str, range: std::ops::Range<usize>, text: &str) -> String {
    format!("{}{text}{}", &xml[..range.start], &xml[range.end..])
}

fn value_range(
    doc: &roxmltree::Document,
    signature: roxmltree::NodeId,
    name: &str,
) -> std::ops::Range<usize> {
    let sig = doc
        .get_node(signature)
        .unwrap_or_else(|| panic!("no signature"));
    let node = sig
        .descendants()
        .find(|n| n.has_tag_name((DS, name)))
        .unwrap_or_else(|| panic!("the signature has no {name}"));
    let text = node
        .first_child()
        .unwrap_or_else(|| panic!("{name} is empty in the template"));
    text.range()
}

/// Signs the element whose ID is `id` with the key of `cert` (made by `rsa_cert`), filling
/// the DigestValue and SignatureValue of the `Signature` element it already holds. A `cert`
/// not made here leaves the document as it is.
pub fn sign(xml: &str, id: &str, cert: &str) -> String {
    let Some(key) = the_key(cert) else {
        return xml.to_string();
    };
    if let Some(rest) = xml.strip_prefix('\u{feff}') {
        return format!("\u{feff}{}", sign(rest, id, cert));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let find = |doc: &roxmltree::Document| -> (roxmltree::NodeId, roxmltree::NodeId) {
        let target = doc
            .descendants()
            .find(|n| n.attribute("ID") == Some(id))
            .unwrap_or_else(|| panic!("no element has ID {id}"));
        let sig = target
            .children()
            .find(|c| c.has_tag_name((DS, "Signature")))
            .unwrap_or_else(|| panic!("{id} has no Signature element to fill"));
        (target.id(), sig.id())
    };
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}"));
    let (target, sig) = find(&doc);
    let content = canonical(
        &doc,
        doc.get_node(target).unwrap_or_else(|| panic!("target")),
        Some(sig),
        &[],
    );
    let digest = b64.encode(ring::digest::digest(
        &ring::digest::SHA256,
        content.as_bytes(),
    ));
    let xml = splice(xml, value_range(&doc, sig, "DigestValue"), &digest);

    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}"));
    let (_, sig) = find(&doc);
    let signed_info = doc
        .get_node(sig)
        .and_then(|s| s.children().find(|c| c.has_tag_name((DS, "SignedInfo"))))
        .unwrap_or_else(|| panic!("no SignedInfo"));
    let bytes = canonical(&doc, signed_info, None, &[]);
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&key).unwrap_or_else(|e| panic!("{e}"));
    let mut value = vec![0; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        bytes.as_bytes(),
        &mut value,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let range = value_range(&doc, sig, "SignatureValue");
    splice(&xml, range, &b64.encode(value))
}
