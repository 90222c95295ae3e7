//! XML signatures checked for real, in the profile SAML and federation metadata use (SAML 2.0
//! core §5, XML-DSig 1.1): an enveloped signature with one same-document reference, exclusive
//! canonicalization (without comments), RSA over SHA-256 (SHA-1 still verified, with a
//! warning). The signature must cover the element that is read — the document's only element
//! with that ID — so a signed element moved aside and a forged one put in its place (signature
//! wrapping) is named, not trusted.
//!
//! Why our own: the pure-Rust crates compared (xml-sec, saml) call themselves pre-release and
//! not for production, and samael verifies through libxml2/xmlsec. This is the narrow profile
//! above, on the XML parser (roxmltree, DTDs refused) and the crypto (ring) the tool already
//! ships; everything outside the profile is "not checked", never "verified".

use std::collections::BTreeSet;

use base64::Engine;
use cognito_entra_core::entra_facts::SignatureCheck;
use ring::{digest, signature};
use roxmltree::{Document, Node, NodeId, NodeType};

use crate::metadata::thumbprint;

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name((DS, name)))
}

/// The ID an element carries (SAML's `ID`; `Id` and `id` in other XML-DSig documents).
fn id_of<'a>(node: &Node<'a, '_>) -> Option<&'a str> {
    ["ID", "Id", "id"]
        .iter()
        .find_map(|name| node.attribute(*name))
}

/// The certificates as base64 DER (whitespace allowed), decoded; what does not decode is left out.
pub fn certificates_from_base64<'a>(encoded: impl IntoIterator<Item = &'a str>) -> Vec<Vec<u8>> {
    encoded
        .into_iter()
        .filter_map(|b64| {
            let compact: String = b64.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .ok()
        })
        .collect()
}

/// Checks the signature `signed` carries (its own `ds:Signature` child) against the `trusted`
/// certificates (DER). `Absent` when it carries none.
pub fn check(doc: &Document, signed: Node, trusted: &[Vec<u8>]) -> SignatureCheck {
    let Some(sig) = child(signed, "Signature") else {
        return SignatureCheck::Absent;
    };
    if trusted.is_empty() {
        return SignatureCheck::NotChecked {
            reason: "no certificate of Entra's to check it against (no metadata given)".into(),
        };
    }
    match verify(doc, signed, sig, trusted) {
        Ok(check) | Err(check) => check,
    }
}

fn not_checked(reason: impl Into<String>) -> SignatureCheck {
    SignatureCheck::NotChecked {
        reason: reason.into(),
    }
}

fn misplaced(reason: impl Into<String>) -> SignatureCheck {
    SignatureCheck::Misplaced {
        reason: reason.into(),
    }
}

fn tampered(reason: impl Into<String>) -> SignatureCheck {
    SignatureCheck::DoesNotVerify {
        reason: reason.into(),
    }
}

fn algorithm<'a>(node: Option<Node<'a, '_>>) -> &'a str {
    node.and_then(|n| n.attribute("Algorithm")).unwrap_or("")
}

/// The prefixes an exclusive canonicalization treats inclusively (`InclusiveNamespaces`).
fn inclusive_prefixes(method: Option<Node>) -> Vec<String> {
    method
        .and_then(|m| {
            m.children()
                .find(|c| c.has_tag_name((EXC_C14N, "InclusiveNamespaces")))
        })
        .and_then(|n| n.attribute("PrefixList"))
        .map(|list| {
            list.split_whitespace()
                .map(|p| if p == "#default" { "" } else { p }.to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn verify(
    doc: &Document,
    signed: Node,
    sig: Node,
    trusted: &[Vec<u8>],
) -> Result<SignatureCheck, SignatureCheck> {
    let signed_info =
        child(sig, "SignedInfo").ok_or_else(|| tampered("the signature has no SignedInfo"))?;
    let c14n = child(signed_info, "CanonicalizationMethod");
    if algorithm(c14n) != EXC_C14N {
        return Err(not_checked(format!(
            "canonicalization {:?} is not checked here (Entra signs with exclusive C14N)",
            algorithm(c14n)
        )));
    }
    let method = algorithm(child(signed_info, "SignatureMethod"));
    let (verifier, sha1): (&dyn signature::VerificationAlgorithm, bool) = match method {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => {
            (&signature::RSA_PKCS1_2048_8192_SHA256, false)
        }
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => {
            (&signature::RSA_PKCS1_2048_8192_SHA384, false)
        }
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => {
            (&signature::RSA_PKCS1_2048_8192_SHA512, false)
        }
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => (
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            true,
        ),
        other => {
            return Err(not_checked(format!(
                "signature method {other:?} is not checked here (Entra signs with RSA-SHA256)"
            )));
        }
    };
    let references: Vec<Node> = signed_info
        .children()
        .filter(|c| c.has_tag_name((DS, "Reference")))
        .collect();
    let [reference] = references.as_slice() else {
        return Err(misplaced(format!(
            "the signature has {} references; a SAML signature has exactly one, to the element it signs",
            references.len()
        )));
    };
    let uri = reference.attribute("URI").unwrap_or("");
    let target = if uri.is_empty() {
        doc.root_element()
    } else if let Some(id) = uri.strip_prefix('#') {
        let holders: Vec<Node> = doc
            .descendants()
            .filter(|n| n.is_element() && id_of(n) == Some(id))
            .collect();
        match holders.as_slice() {
            [one] => *one,
            // An ID gone is a document changed after signing (edited, or an ID rewritten
            // on the way): nothing is wrapped, the signature just no longer verifies.
            [] => {
                return Err(tampered(format!(
                    "the signature references #{id}, which no element carries: the document was changed after signing (an ID edited away)"
                )));
            }
            many => {
                return Err(misplaced(format!(
                    "the ID {id} is on {} elements: a signed element and a copy of it (signature wrapping); nothing in it can be trusted",
                    many.len()
                )));
            }
        }
    } else {
        return Err(not_checked(format!(
            "the signature references {uri:?}, outside the document"
        )));
    };
    if target != signed {
        return Err(misplaced(format!(
            "the signature covers <{}>{}, not the <{}>{} that is read: the signed part was moved aside and another put in its place (signature wrapping)",
            target.tag_name().name(),
            id_of(&target).map(|i| format!(" {i}")).unwrap_or_default(),
            signed.tag_name().name(),
            id_of(&signed).map(|i| format!(" {i}")).unwrap_or_default(),
        )));
    }
    let mut enveloped = false;
    let mut exclusive = None;
    for transform in child(*reference, "Transforms")
        .into_iter()
        .flat_map(|t| t.children().filter(|c| c.has_tag_name((DS, "Transform"))))
    {
        match algorithm(Some(transform)) {
            ENVELOPED => enveloped = true,
            EXC_C14N => exclusive = Some(inclusive_prefixes(Some(transform))),
            other => {
                return Err(not_checked(format!(
                    "transform {other:?} is not checked here (Entra uses enveloped-signature and exclusive C14N)"
                )));
            }
        }
    }
    let Some(prefixes) = exclusive.filter(|_| enveloped) else {
        return Err(not_checked(
            "the reference is not enveloped-signature with exclusive C14N, the form Entra signs",
        ));
    };
    let digest_method = algorithm(child(*reference, "DigestMethod"));
    let digest_algorithm = match digest_method {
        "http://www.w3.org/2001/04/xmlenc#sha256" => &digest::SHA256,
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => &digest::SHA384,
        "http://www.w3.org/2001/04/xmlenc#sha512" => &digest::SHA512,
        "http://www.w3.org/2000/09/xmldsig#sha1" => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        other => {
            return Err(not_checked(format!(
                "digest method {other:?} is not checked here"
            )));
        }
    };
    // Canonicalization walks the tree by recursion: a document nested deeper than any Entra
    // makes is not walked at all (no stack to exhaust).
    if deeper_than(target, MAX_DEPTH) || deeper_than(signed_info, MAX_DEPTH) {
        return Err(not_checked(format!(
            "the signed element is nested more than {MAX_DEPTH} levels deep, unlike any document Entra makes"
        )));
    }
    let expected = decode(child(*reference, "DigestValue"))
        .ok_or_else(|| tampered("the reference's DigestValue is not base64"))?;
    let content = canonical(doc, target, Some(sig.id()), &prefixes);
    if digest::digest(digest_algorithm, content.as_bytes()).as_ref() != expected.as_slice() {
        return Err(tampered(
            "the signed content changed after signing (its digest differs): edited, reformatted or forged",
        ));
    }
    let signed_bytes = canonical(doc, signed_info, None, &inclusive_prefixes(c14n));
    let value = decode(child(sig, "SignatureValue"))
        .ok_or_else(|| tampered("the SignatureValue is not base64"))?;
    for der in trusted {
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
            continue;
        };
        let key = signature::UnparsedPublicKey::new(
            verifier,
            cert.public_key().subject_public_key.data.as_ref(),
        );
        if key.verify(signed_bytes.as_bytes(), &value).is_ok() {
            return Ok(SignatureCheck::Verified {
                thumbprint: thumbprint(der),
                sha1,
            });
        }
    }
    let tried: Vec<String> = trusted.iter().map(|d| thumbprint(d)).collect();
    Err(tampered(format!(
        "the signature does not verify with {} ({}): made with another key, or its SignedInfo was altered",
        if tried.len() == 1 {
            "the certificate"
        } else {
            "any of the certificates"
        },
        tried.join(", ")
    )))
}

/// The deepest element nesting a signed element may have.
const MAX_DEPTH: usize = 256;

/// Whether `apex`'s subtree nests elements more than `most` levels below it (counted without
/// recursion, parents before children in document order).
fn deeper_than(apex: Node, most: usize) -> bool {
    let mut depth: std::collections::HashMap<NodeId, usize> = std::collections::HashMap::new();
    depth.insert(apex.id(), 0);
    for node in apex.descendants().skip(1) {
        let d = node
            .parent()
            .and_then(|p| depth.get(&p.id()).copied())
            .unwrap_or(0)
            + 1;
        if d > most {
            return true;
        }
        depth.insert(node.id(), d);
    }
    false
}

fn decode(node: Option<Node>) -> Option<Vec<u8>> {
    let text: String = node?.text()?.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .ok()
}

/// Exclusive XML Canonicalization 1.0 without comments of `apex`'s subtree, leaving out
/// `exclude` (the enveloped signature). `inclusive`: the InclusiveNamespaces prefix list
/// ("" for the default namespace).
pub fn canonical(
    doc: &Document,
    apex: Node,
    exclude: Option<NodeId>,
    inclusive: &[String],
) -> String {
    let mut c = Canonical {
        input: doc.input_text(),
        exclude,
        inclusive,
        out: String::new(),
        rendered: Vec::new(),
    };
    c.element(apex);
    c.out
}

struct Canonical<'a> {
    input: &'a str,
    exclude: Option<NodeId>,
    inclusive: &'a [String],
    out: String,
    /// Namespace declarations output ancestors rendered: (prefix, URI), innermost last.
    rendered: Vec<(String, String)>,
}

impl Canonical<'_> {
    /// The element's qualified name as written at `start` (roxmltree keeps only the expanded
    /// name, and canonical XML keeps the prefix).
    fn written_name(&self, start: usize) -> &str {
        let rest = self.input.get(start + 1..).unwrap_or("");
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        &rest[..end]
    }

    fn nearest(&self, prefix: &str) -> Option<&str> {
        self.rendered
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.as_str())
    }

    fn element(&mut self, node: Node) {
        let name = self.written_name(node.range().start).to_string();
        let prefix = name.split_once(':').map(|(p, _)| p).unwrap_or("");
        // The namespaces this element visibly uses: its own prefix, its attributes' prefixes,
        // and those the InclusiveNamespaces list names when in scope.
        let mut used: BTreeSet<String> = BTreeSet::new();
        used.insert(prefix.to_string());
        let mut attributes: Vec<(String, String, String, String)> = Vec::new();
        for attr in node.attributes() {
            let qname = self
                .input
                .get(attr.range_qname())
                .unwrap_or(attr.name())
                .to_string();
            if let Some((p, _)) = qname.split_once(':')
                && p != "xml"
            {
                used.insert(p.to_string());
            }
            attributes.push((
                attr.namespace().unwrap_or("").to_string(),
                attr.name().to_string(),
                qname,
                attr.value().to_string(),
            ));
        }
        for p in self.inclusive {
            let bound = if p.is_empty() {
                node.lookup_namespace_uri(None).is_some()
            } else {
                node.lookup_namespace_uri(Some(p)).is_some()
            };
            if bound {
                used.insert(p.clone());
            }
        }
        let depth = self.rendered.len();
        self.out.push('<');
        self.out.push_str(&name);
        // BTreeSet order: the default namespace ("") first, then prefixes in order.
        for p in used {
            let uri = if p.is_empty() {
                node.lookup_namespace_uri(None).unwrap_or("")
            } else {
                match node.lookup_namespace_uri(Some(&p)) {
                    Some(uri) => uri,
                    None => continue,
                }
            };
            let nearest = self.nearest(&p);
            let render = if p.is_empty() && uri.is_empty() {
                nearest.is_some_and(|n| !n.is_empty())
            } else {
                nearest != Some(uri)
            };
            if render {
                if p.is_empty() {
                    self.out.push_str(" xmlns=\"");
                } else {
                    self.out.push_str(" xmlns:");
                    self.out.push_str(&p);
                    self.out.push_str("=\"");
                }
                escape_attribute(uri, &mut self.out);
                self.out.push('"');
                self.rendered.push((p, uri.to_string()));
            }
        }
        attributes.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        for (_, _, qname, value) in &attributes {
            self.out.push(' ');
            self.out.push_str(qname);
            self.out.push_str("=\"");
            escape_attribute(value, &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
        for c in node.children() {
            match c.node_type() {
                NodeType::Element if Some(c.id()) != self.exclude => self.element(c),
                NodeType::Text => escape_text(c.text().unwrap_or(""), &mut self.out),
                NodeType::PI => {
                    if let Some(pi) = c.pi() {
                        self.out.push_str("<?");
                        self.out.push_str(pi.target);
                        if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                            self.out.push(' ');
                            self.out.push_str(value);
                        }
                        self.out.push_str("?>");
                    }
                }
                _ => {}
            }
        }
        self.out.push_str("</");
        self.out.push_str(&name);
        self.out.push('>');
        self.rendered.truncate(depth);
    }
}

fn escape_text(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attribute(value: &str, out: &mut String) {
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(xml: &str) -> String {
        let doc = Document::parse(xml).unwrap_or_else(|e| panic!("{e}"));
        canonical(&doc, doc.root_element(), None, &[])
    }

    #[test]
    fn exclusive_canonicalization_renders_only_the_namespaces_used_sorted() {
        // Attributes by namespace URI then local name; unused declarations dropped; an empty
        // element written as start and end tag; comments gone; text escaped.
        let xml = r#"<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:u" z="1" b:y="2" a:x="3"><!-- c --><a:e/>x &amp; y &gt; z<b:f q='"'>t</b:f></a:root>"#;
        assert_eq!(
            canon(xml),
            r#"<a:root xmlns:a="urn:a" xmlns:b="urn:b" z="1" a:x="3" b:y="2"><a:e></a:e>x &amp; y &gt; z<b:f q="&quot;">t</b:f></a:root>"#
        );
    }

    #[test]
    fn nesting_deeper_than_any_entra_document_is_not_walked() {
        let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
        let doc = Document::parse(&deep).unwrap_or_else(|e| panic!("{e}"));
        assert!(deeper_than(doc.root_element(), MAX_DEPTH));
        let shallow = Document::parse("<a><b><c/></b></a>").unwrap_or_else(|e| panic!("{e}"));
        assert!(!deeper_than(shallow.root_element(), MAX_DEPTH));
    }

    #[test]
    fn a_namespace_is_declared_where_first_used_and_a_default_is_undone() {
        let xml = r#"<r xmlns="urn:d" xmlns:p="urn:p"><p:c/><s xmlns=""><t/></s></r>"#;
        assert_eq!(
            canon(xml),
            r#"<r xmlns="urn:d"><p:c xmlns:p="urn:p"></p:c><s xmlns=""><t></t></s></r>"#
        );
    }
}
