"""The Cognito emulator for cognito-entra's tests: moto's server on 127.0.0.1, patched where
moto 5.2 differs from the real Cognito API (each patch is explained in docs/testing.md).

Usage: python moto_cognito.py PORT
"""

import re
import sys
import datetime

from moto.cognitoidp import models, responses
from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

Backend = models.CognitoIdpBackend
Response = responses.CognitoIdpResponse


class DuplicateProviderException(JsonRESTError):
    def __init__(self, name):
        super().__init__("DuplicateProviderException", f"A provider with the name {name} already exists in this user pool.")


# 1. GetSigningCertificate is not implemented (moto answers 500). Real Cognito returns the
#    pool's SAML signing certificate, base64 DER, the same on every call.
#    One RSA key serves every pool's certificate (each certificate is still its own: subject,
#    serial, thumbprint): generating a 2048-bit key takes 25-170 ms of Python, an emulator
#    cost that would otherwise land at random inside the timings scripts/bench compares.
_SIGNING_KEY = None


def _signing_key():
    global _SIGNING_KEY
    if _SIGNING_KEY is None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        _SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _SIGNING_KEY


def _signing_certificate(pool):
    cert = getattr(pool, "_test_signing_certificate", None)
    if cert:
        return cert
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    import base64

    key = _signing_key()
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amazon Cognito (emulated)"),
        x509.NameAttribute(NameOID.COMMON_NAME, pool.id),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    cert = base64.b64encode(built.public_bytes(serialization.Encoding.DER)).decode()
    pool._test_signing_certificate = cert
    return cert


def get_signing_certificate(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    return ActionResult({"Certificate": _signing_certificate(pool)})


Response.get_signing_certificate = get_signing_certificate


# 2. A duplicate provider name is accepted (AWS: DuplicateProviderException).
_create_idp = Backend.create_identity_provider


def create_identity_provider(self, user_pool_id, name, extended_config):
    pool = self.describe_user_pool(user_pool_id)
    if name in pool.identity_providers:
        raise DuplicateProviderException(name)
    _check_read_only(extended_config)
    return _create_idp(self, user_pool_id, name, extended_config)


Backend.create_identity_provider = create_identity_provider

READ_ONLY = ("ActiveEncryptionCertificate", "SLORedirectBindingURI", "SSORedirectBindingURI")


def _check_read_only(extended_config):
    for key in READ_ONLY:
        if key in (extended_config.get("ProviderDetails") or {}):
            raise InvalidParameterException(f"{key} is a read-only provider detail")


# 3. ProviderDetails are replaced as a whole on update (moto merges the top-level keys only,
#    which is the same); read-only details sent back are refused like AWS does.
_update_idp = Backend.update_identity_provider


def update_identity_provider(self, user_pool_id, name, extended_config):
    _check_read_only(extended_config)
    provider = _update_idp(self, user_pool_id, name, extended_config)
    # 13. AWS moves LastModifiedDate at each update; moto keeps the creation time.
    from moto.core.utils import utcnow

    provider.last_modified_date = utcnow()
    return provider


Backend.update_identity_provider = update_identity_provider


# 4. No ActiveEncryptionCertificate once EncryptedResponses is on, and no binding URIs.
_idp_to_json = models.CognitoIdpIdentityProvider.to_json


def _sign_on_url(details):
    """Where Cognito sends users to sign in, as it reads it from the IdP's metadata: the
    HTTP-Redirect SingleSignOnService of a metadata document; for a metadata URL (the
    emulator fetches nothing) Entra's own layout, `https://<host>/<tenant>/saml2`, when the
    URL is an Entra federation-metadata URL (any host: the tests serve Entra on localhost);
    otherwise none, as nothing was read."""
    document = details.get("MetadataFile")
    if document:
        m = re.search(r'<(?:\w+:)?SingleSignOnService[^>]*Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-Redirect"[^>]*Location="([^"]+)"', document) \
            or re.search(r'<(?:\w+:)?SingleSignOnService[^>]*Location="([^"]+)"[^>]*Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-Redirect"', document)
        return m.group(1) if m else None
    m = re.match(r"^(https://[^/]+)/([^/]+)/federationmetadata/2007-06/federationmetadata\.xml", details.get("MetadataURL") or "", re.I)
    return f"{m.group(1)}/{m.group(2)}/saml2" if m else None



def idp_to_json(self, extended=False):
    out = _idp_to_json(self, extended)
    if extended and out.get("ProviderType") == "SAML":
        details = dict(out.get("ProviderDetails") or {})
        if details.get("EncryptedResponses") == "true":
            if not getattr(self, "_test_encryption_certificate", None):
                self._test_encryption_certificate = _signing_certificate(type("P", (), {"id": "encryption-" + self.name})())
            details["ActiveEncryptionCertificate"] = self._test_encryption_certificate
        sso = _sign_on_url(details)
        if sso:
            details.setdefault("SSORedirectBindingURI", sso)
        out["ProviderDetails"] = details
    return out


models.CognitoIdpIdentityProvider.to_json = idp_to_json


# 5. A client naming an unknown provider is accepted (AWS: InvalidParameterException), and
#    UpdateUserPoolClient merges instead of resetting every field it is not given.
def _check_providers(pool, config):
    for p in config.get("SupportedIdentityProviders") or []:
        if p != "COGNITO" and p not in pool.identity_providers:
            raise InvalidParameterException(f"The provider {p} does not exist for User Pool {pool.id}")


_create_client = Backend.create_user_pool_client


def create_user_pool_client(self, user_pool_id, generate_secret, extended_config):
    _check_providers(self.describe_user_pool(user_pool_id), extended_config)
    return _create_client(self, user_pool_id, generate_secret, extended_config)


Backend.create_user_pool_client = create_user_pool_client

CLIENT_DEFAULTS = {
    "AllowedOAuthFlowsUserPoolClient": False,
    "AuthSessionValidity": 3,
    "EnablePropagateAdditionalUserContextData": False,
    "EnableTokenRevocation": True,
    "RefreshTokenValidity": 30,
}


def update_user_pool_client(self, user_pool_id, client_id, extended_config):
    pool = self.describe_user_pool(user_pool_id)
    client = pool.clients.get(client_id)
    if not client:
        raise ResourceNotFoundError(client_id)
    _check_providers(pool, extended_config)
    client.extended_config = dict(CLIENT_DEFAULTS)
    client.extended_config.update(extended_config)
    return client


Backend.update_user_pool_client = update_user_pool_client


# 6. Domain prefixes are not validated and may be taken twice, or a second time by one pool.
PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_create_domain = Backend.create_user_pool_domain


def create_user_pool_domain(self, user_pool_id, domain, custom_domain_config=None):
    pool = self.describe_user_pool(user_pool_id)
    if not custom_domain_config:
        if not PREFIX.match(domain) or any(w in domain for w in ("aws", "amazon", "cognito")):
            raise InvalidParameterException(f"Domain {domain} is invalid or reserved.")
    if domain in self.user_pool_domains:
        raise InvalidParameterException("Domain already associated with another user pool.")
    if getattr(pool, "domain", None):
        raise InvalidParameterException("User pool already has a domain configured.")
    return _create_domain(self, user_pool_id, domain, custom_domain_config)


Backend.create_user_pool_domain = create_user_pool_domain


# 7. Managed login: CreateManagedLoginBranding is not implemented, and a domain's
#    ManagedLoginVersion is dropped (DescribeUserPoolDomain never shows it).
class ManagedLoginBrandingExistsException(JsonRESTError):
    def __init__(self):
        super().__init__("ManagedLoginBrandingExistsException", "A managed login branding style already exists for this app client.")


def create_managed_login_branding(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    client_id = self._get_param("ClientId")
    if client_id not in pool.clients:
        raise ResourceNotFoundError(client_id)
    brandings = pool.__dict__.setdefault("_test_brandings", {})
    if client_id in brandings:
        raise ManagedLoginBrandingExistsException()
    import uuid
    brandings[client_id] = str(uuid.uuid4())
    return ActionResult({"ManagedLoginBranding": {
        "ManagedLoginBrandingId": brandings[client_id],
        "UserPoolId": pool.id,
        "UseCognitoProvidedValues": bool(self._get_param("UseCognitoProvidedValues")),
    }})


Response.create_managed_login_branding = create_managed_login_branding


# 8. DescribeManagedLoginBrandingByClient is not implemented. AWS answers with the client's
#    branding style, or ResourceNotFoundException when the client has none.
def describe_managed_login_branding_by_client(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    client_id = self._get_param("ClientId")
    if client_id not in pool.clients:
        raise ResourceNotFoundError(client_id)
    branding = pool.__dict__.get("_test_brandings", {}).get(client_id)
    if branding is None:
        raise ResourceNotFoundError(f"No managed login branding style for client {client_id}.")
    return ActionResult({"ManagedLoginBranding": {
        "ManagedLoginBrandingId": branding,
        "UserPoolId": pool.id,
        "UseCognitoProvidedValues": True,
    }})


Response.describe_managed_login_branding_by_client = describe_managed_login_branding_by_client

_resp_create_domain = Response.create_user_pool_domain


def resp_create_domain(self):
    result = _resp_create_domain(self)
    created = self.backend.user_pool_domains.get(self._get_param("Domain"))
    if created is not None:
        created._managed_login_version = self._get_param("ManagedLoginVersion") or 1
    return result


Response.create_user_pool_domain = resp_create_domain
_domain_to_json = models.CognitoIdpUserPoolDomain.to_json


def domain_to_json(self, extended=True):
    out = _domain_to_json(self, extended)
    if extended:
        out["ManagedLoginVersion"] = getattr(self, "_managed_login_version", 1)
    return out


models.CognitoIdpUserPoolDomain.to_json = domain_to_json


# 9. Emulator cost, not AWS behaviour: every CreateUserPool imports the same bundled RSA key
#    from its JWK (recovering the primes: 80-100 ms of Python per pool), which would land
#    inside every timing scripts/bench compares, on both sides. The key is imported once and
#    shared, as moto already shares the file it comes from.
from joserfc import jwk as _jwk

_import_rsa = _jwk.RSAKey.import_key
_imported_rsa = {}


def _import_rsa_once(data, *args, **kwargs):
    key = repr((data, args, sorted(kwargs.items())))
    if key not in _imported_rsa:
        _imported_rsa[key] = _import_rsa(data, *args, **kwargs)
    return _imported_rsa[key]


_jwk.RSAKey.import_key = _import_rsa_once


# 10. A pool created with a Schema (custom attributes) has only the attributes named there:
#     moto adds the standard schema only when none is given. AWS always has every standard
#     attribute (those named in Schema take the settings given), then the custom ones.
_pool_init = models.CognitoIdpUserPool.__init__


def _pool_init_with_standard_attributes(self, *args, **kwargs):
    _pool_init(self, *args, **kwargs)
    Attribute = models.CognitoIdpUserPoolAttribute
    standard = {}
    for name, schema in Attribute.STANDARD_SCHEMA.items():
        standard[name] = self.schema_attributes.get(name) or Attribute(name, False, schema)
    others = {k: v for k, v in self.schema_attributes.items() if k not in standard}
    self.schema_attributes = {**standard, **others}


models.CognitoIdpUserPool.__init__ = _pool_init_with_standard_attributes


# 11. A pool created without UserPoolTier has none in moto; AWS makes it an Essentials pool
#     (the API reference: "Defaults to ESSENTIALS") and DescribeUserPool says so. The tool
#     reads the tier to refuse what the pool's plan does not offer (Lite: no managed login).
_pool_init_tiered = models.CognitoIdpUserPool.__init__


def _pool_init_with_tier(self, *args, **kwargs):
    _pool_init_tiered(self, *args, **kwargs)
    if not self.extended_config.get("UserPoolTier"):
        self.extended_config["UserPoolTier"] = "ESSENTIALS"


models.CognitoIdpUserPool.__init__ = _pool_init_with_tier


# 12. IdpIdentifiers are taken as given: moto accepts an identifier another provider in the
#     pool already has, and any number of them. AWS: "Identifiers must be unique across the
#     user pool", at most 50 per provider (developer guide, "SAML identity provider names and
#     identifiers"; "Quotas in Amazon Cognito"). Refused with InvalidParameterException, on
#     create and update alike.
_create_idp_unique = Backend.create_identity_provider
_update_idp_unique = Backend.update_identity_provider


def _check_identifiers(self, user_pool_id, name, extended_config):
    wanted = extended_config.get("IdpIdentifiers")
    if wanted is None:
        return
    if len(wanted) > 50:
        raise InvalidParameterException("A provider has at most 50 identifiers.")
    pool = self.describe_user_pool(user_pool_id)
    for other_name, other in pool.identity_providers.items():
        if other_name == name:
            continue
        taken = set(other.extended_config.get("IdpIdentifiers") or [])
        for identifier in wanted:
            if identifier in taken:
                raise InvalidParameterException(
                    f"Identifier {identifier} is already used by identity provider {other_name}."
                )


def create_identity_provider_unique(self, user_pool_id, name, extended_config):
    _check_identifiers(self, user_pool_id, name, extended_config)
    return _create_idp_unique(self, user_pool_id, name, extended_config)


def update_identity_provider_unique(self, user_pool_id, name, extended_config):
    _check_identifiers(self, user_pool_id, name, extended_config)
    return _update_idp_unique(self, user_pool_id, name, extended_config)


Backend.create_identity_provider = create_identity_provider_unique
Backend.update_identity_provider = update_identity_provider_unique



# 14. A test control, not an AWS operation: AWS "issues and assigns a new signing certificate
#     annually" (GetSigningCertificate then returns the new one; the old one stays valid).
#     Nothing in moto renews it, so a test asks for the year to pass for one pool, by target
#     `AWSCognitoIdentityProviderService.TestIssueSigningCertificate` with {"UserPoolId": …}.
def test_issue_signing_certificate(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    pool._test_signing_certificate = None
    # Plain JSON: ActionResult serializes by the AWS service model, which has no such action.
    import json

    return json.dumps({"Certificate": _signing_certificate(pool)})


Response.test_issue_signing_certificate = test_issue_signing_certificate

if __name__ == "__main__":
    from moto.server import main

    port = sys.argv[1] if len(sys.argv) > 1 else "5000"
    _signing_key()  # before the port opens, so no request waits for it
    from moto.utilities.utils import load_resource

    _jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    main(["-H", "127.0.0.1", "-p", port])
