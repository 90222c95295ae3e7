"""Signs XML the way Entra does, with a real XML-DSig implementation (signxml, on lxml): an
enveloped signature with exclusive C14N, RSA-SHA256 and SHA-256 digests, the certificate in
KeyInfo. The tests hold cognito-entra's own verification against it.

Usage: python sign_xml.py ELEMENT < unsigned.xml > signed.json
  ELEMENT: the local name of the element to sign (EntityDescriptor, Assertion, Response); the
  first one in document order. Its signature goes where Entra puts it: after its Issuer, or
  first in an EntityDescriptor.
  "{{SIGNER_CERT}}" in the input is replaced by the signing certificate (base64 DER) first, so
  metadata can list the certificate that signs it.
Writes {"xml": signed document, "certificate": base64 DER, "thumbprint": SHA-1 hex}.
"""

import base64
import datetime
import hashlib
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner, methods

DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


def certificate(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Microsoft Azure Federated SSO Certificate")])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now + datetime.timedelta(days=700))
        .sign(key, hashes.SHA256())
    )


def sign_element(text, local, key, cert):
    """`text` (bytes) with its first `local` element signed by `key`; the signed document."""
    root = etree.fromstring(text)
    target = next(e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == local)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    # signxml signs a whole tree: sign the element on its own, then put it back in place.
    parent = target.getparent()
    index = parent.index(target) if parent is not None else None
    # Where the signature goes: signxml fills a placeholder <ds:Signature Id="placeholder"/>.
    placeholder = etree.Element(etree.QName(DS, "Signature"), Id="placeholder", nsmap={"ds": DS})
    issuer = target.find(etree.QName(SAML, "Issuer"))
    if issuer is not None:
        issuer.addnext(placeholder)
    else:
        target.insert(0, placeholder)
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    signed = signer.sign(target, key=key, cert=pem, reference_uri=target.get("ID"), id_attribute="ID")
    if parent is None:
        return etree.tostring(signed, encoding="unicode")
    if target.getparent() is parent:
        parent.remove(target)
    parent.insert(index, signed)
    return etree.tostring(root, encoding="unicode")


def main():
    local = sys.argv[1]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate(key)
    der = cert.public_bytes(serialization.Encoding.DER)
    text = sys.stdin.buffer.read().replace(b"{{SIGNER_CERT}}", base64.b64encode(der))
    json.dump(
        {
            "xml": sign_element(text, local, key, cert),
            "certificate": base64.b64encode(der).decode(),
            "thumbprint": hashlib.sha1(der).hexdigest().upper(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
