"""A local HTTPS stand-in for Entra, for scripts/try: serves the app federation metadata and
the OIDC discovery document from tests/fixtures/entra, with a CA and a server certificate
made at start. Writes the CA to DIR/ca.pem (for SSL_CERT_FILE) and the URLs to DIR/urls.

Usage: python entra_fixtures.py PORT DIR
"""

import base64
import datetime
import http.server
import ipaddress
import os
import ssl
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sign_xml import sign_element  # noqa: E402

TENANT = "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b"
APP = "3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c"
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "entra")


def certificate(subject, issuer_name, issuer_key, public_key, days, ca=False, san=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("cognito-entra try CA", "cognito-entra try CA", ca_key, ca_key.public_key(), 30, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = certificate("localhost", "cognito-entra try CA", ca_key, key.public_key(), 30, san=san)
    with open(os.path.join(out, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(out, "server.pem"), "wb") as f:
        f.write(server.public_bytes(serialization.Encoding.PEM))
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    # Entra's SAML signing certificate (RSA, as Entra's), valid for two years.
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing = certificate("Microsoft Azure Federated SSO Certificate", "Microsoft Azure Federated SSO Certificate", signing_key, signing_key.public_key(), 730)
    b64 = base64.b64encode(signing.public_bytes(serialization.Encoding.DER)).decode()
    keys = f'<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{b64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>'
    authority = f"https://localhost:{port}"
    metadata = open(os.path.join(FIXTURES, "app-federation-metadata.xml"), "rb").read().decode("utf-8")
    metadata = metadata.replace("{{TENANT}}", TENANT).replace("{{KEYS}}", keys).replace("{{FIRST_CERT}}", b64)
    # Signed as Entra signs it (the template's own Signature element makes way for signxml's).
    start = metadata.index("<Signature ")
    end = metadata.index("</Signature>") + len("</Signature>")
    unsigned = metadata[:start] + metadata[end:]
    metadata = sign_element(unsigned.lstrip("\ufeff").encode("utf-8"), "EntityDescriptor", signing_key, signing)
    discovery = open(os.path.join(FIXTURES, "openid-configuration.json")).read()
    discovery = discovery.replace("{{AUTHORITY}}", authority).replace("{{TENANT}}", TENANT)
    metadata_path = f"/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={APP}"
    routes = {
        metadata_path: ("application/xml; charset=utf-8", metadata.encode("utf-8")),
        f"/{TENANT}/v2.0/.well-known/openid-configuration": ("application/json", discovery.encode()),
    }
    with open(os.path.join(out, "urls"), "w") as f:
        f.write(f"authority={authority}\nmetadata_url={authority}{metadata_path}\ntenant={TENANT}\nclient_id={APP}\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            content_type, body = routes.get(self.path, ("application/json", b'{"error":"not_found","error_description":"AADSTS90002: Tenant not found (local stand-in)."}'))
            self.send_response(200 if self.path in routes else 400)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(out, "server.pem"))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
