"""A stand-in for Microsoft Graph and the Microsoft identity platform's device code flow, for
cognito-entra's tests, written from Microsoft's documented request and response shapes (the
Graph v1.0 reference for applications, servicePrincipals and applicationTemplates; "OAuth 2.0
device authorization grant"). HTTPS on 127.0.0.1 with its own CA.

Strict like Graph: an unknown property in a request body is a 400 naming it; an object just
created is not readable (404 Request_ResourceNotFound) until a short replication delay has
passed; 429 with Retry-After, 401 and 403 bodies as Graph sends them.

Usage: python graph_standin.py PORT DIR [--portal-app NAME] [--tenant GUID]
Writes DIR/ca.pem (for SSL_CERT_FILE) and DIR/urls (authority=..., graph=..., tenant=...).
--portal-app NAME: an enterprise application NAME exists from the start, as an admin makes it
in the portal (its SAML signing certificate active); DIR/urls then also holds its
metadata_url=... and client_id=... (scripts/try's values to paste back).
--tenant GUID: the stand-in's tenant (default 8e4f0a2b-…): a stand-in per customer tenant.
Behaviour switches, read from DIR/switches.json at each request (absent: none):
  device: "approve" (default: pending once, then a token), "slow_down" (one slow_down, then
          pending, then a token), "declined", "expired"
  pending_polls: N  -> answer authorization_pending N times before the token (default 1)
  throttle_every: N  -> every Nth Graph request answers 429 with Retry-After: 1
  throttle_status: 429 | 502 | 503 | 504 -> what throttle_every answers (default 429; a
          gateway's 502/504 carry no Retry-After, as Azure's front doors send them)
  throttle_at: N -> only the Nth Graph request is throttled as throttle_every says
  retry_after: S -> the Retry-After throttle_every's 429/503 carry (default 1)
  deny: "instantiate" | "applications" | ... -> 403 for Graph requests whose path contains it
  drop_after_writes: N -> the Nth Graph write is done, then its answer is lost (connection cut)
  drop_write: TEXT -> the first successful Graph write whose path contains TEXT is done, then
          its answer is lost (connection cut)
  replication_seconds: float (default 0.6): how long a new object (and a new signing
          certificate in its service principal's keyCredentials) is not yet readable
  replication_errors: true -> replication shows as real Entra shows it, not only as 404:
          a read of a new object answers 403 Authorization_RequestDenied in the first half
          of the delay and 404 in the second; writes reach a replica that lags half the delay
          more: a service principal for a new application is 400 "The appId '…' of the
          service principal does not reference a valid application object", an assignment
          to a new service principal 400 "Not a valid reference update", and an urn:
          identifier URI set soon after the SAML mode 400 "Failed to add identifier URI …:
          All newly added URIs must contain a tenant verified domain, tenant ID, or app ID"
          (terraform-provider-azuread's retry functions; issue 21 item 1)
  empty_thumbprint: true -> addTokenSigningCertificate answers with an empty thumbprint
  block_secrets: true -> addPassword is refused as a tenant's app management policy refuses
          it (400 CredentialTypeNotAllowedAsPerAppPolicy)
  hold_write: TEXT, hold_seconds: S -> the first Graph write whose path contains TEXT is held
          S seconds before it is done and answered (a write that lands after the client gave up)
  bare_key_listing: true -> key credentials are listed without customKeyIdentifier (and, as
          always, without the certificate unless $select=keyCredentials on one object)
  opaque_keys: true -> key credentials never tell their certificate or customKeyIdentifier
  page_size: N -> policy and assignment lists come N items a page, with @odata.nextLink
  v1_accepts_encrypt: true -> v1.0 takes key credentials with usage Encrypt (by default only
          /graph/beta/ does, as real Graph answers some clients); tokenEncryptionKeyId must
          always name a key the application already holds (a second request)
  device: "blocked" -> the device code is given, then its poll answers AADSTS53003 (a
          Conditional Access policy that blocks the device code flow: Entra shows "You don't
          have access to this" in the browser and the client's poll gets invalid_grant,
          azure-cli issues #32420 and #32809)
  token_seconds: N -> tokens say expires_in N and Graph refuses them after N seconds
          (401 InvalidAuthenticationToken "Lifetime validation failed, the token is expired.")
  expire_after_requests: N -> a token Graph has seen N requests with is refused from then on
          (401, as above), whatever its expires_in said: a token that ends mid-run
  withhold_scopes: [names] -> a delegated token's granted `scope` lacks these permissions
          (consent given for fewer than asked; the Azure CLI's fixed set)
  cloud: "global" (default) | "usgov" | "china" -> the national cloud this stand-in plays:
          scopes must name its Graph host (AADSTS500011 otherwise) and the non-gallery
          template is its own (404 for another cloud's)
  pipeline: {"client_id": ID, "secret": S, "federated_token": T} -> an application registered
          for client credentials: client_secret S, or a client_assertion equal to T (a
          workload identity's federated token), gets an app-only token for `<graph>/.default`
  app_roles: [names] -> the application permissions an app-only token's `roles` claim holds
          (default: every one the tool may need)
Refresh tokens (offline_access) are honoured: grant_type=refresh_token gives a new access
token and a new refresh token, with the scopes first granted.
Browser sign-in: GET /{tenant}/oauth2/v2.0/authorize (response_type=code, a loopback
http://localhost:PORT redirect_uri, code_challenge_method=S256) redirects (302) to the
redirect URI with code and state, as Entra does once the user has signed in; the token
endpoint's authorization_code grant checks the code_verifier against the challenge
(AADSTS501481 otherwise) and the redirect_uri against the one authorized.
Test-only routes (outside Graph's paths): GET /__writes -> {"count": writes so far};
GET /__applications -> {"names": every application's display name, "tags": each one's tags};
GET /__certificates -> {"count": SAML signing certificates made};
GET /__forget_reply_urls -> every application loses its reply URLs (a portal edit);
GET /__assignments -> {"count": user and group assignments made, "roles": their role names};
GET /__policies -> the claims-mapping policies (name, claims, what each applies to) and each
                   application's groupMembershipClaims;
GET /__app_keys -> each application's certificate credentials, tokenEncryptionKeyId and
                   requestSignatureVerification, by display name;
GET /__app_own_claims -> every application's optional claims become an admin's own (upn in the
                         ID token, essential, with additionalProperties; ipaddr in the access
                         token);
GET /__app_add_key -> every application gets somebody's own verification certificate and
                      allowedWeakAlgorithms rsaSha1 (an adopted application's settings);
GET /__token -> {"access_token": a token Graph accepts} (the Azure CLI's, for a fake `az`);
GET /__signins -> {"tenants": the tenant segment of each device code request, "scopes": the
                  scope of each sign-in request (device code, authorize, client credentials),
                  "grants": the grant_type of each token given, "templates": the templates
                  instantiated, "app_only_me": /me requests refused for an app-only token};
GET /__secrets -> {display name: how many client secrets the application has};
GET /__portal_new_certificate?name=N -> application N gets a new SAML signing certificate, made
                  active, as an admin does in the portal -> {"thumbprint": its thumbprint};
GET /__secret_ids -> {display name: the keyId of each of the application's client secrets};
GET /__secret_of?value=V -> {"keyId": the client secret whose value is V, or null} (the stand-in
                  remembers each secret it made, for tests only: Graph never shows one again);
GET /__signing -> {display name: {"active": the preferred signing thumbprint, "activated_at": when
                  it was set (epoch seconds), "certificates": the thumbprints of its Verify keys,
                  "password_identifiers": customKeyIdentifier of each password credential}};
GET /__beta -> {"requests": "METHOD path" of each request sent to /graph/beta};
GET /__notification_emails -> {display name: the service principal's notificationEmailAddresses}
                  (who Entra mails before its SAML signing certificate expires: empty for one
                  made through Graph, the admin's address, admin@contoso.example, for one made
                  in the portal, as the portal fills it in); ?name=N&address=A&address=B sets
                  N's list first, as an admin edits Notification Email in the portal;
GET /__emitted_claims?name=N -> {"claims": {SAML claim type: its user attribute (or "core")}}: what
                  Entra sends application N's users. With a claims-mapping policy assigned, the
                  policy's ClaimsSchema and the core claims, nothing of Attributes & Claims
                  ("Claims Mapping Policy supersedes both Custom Claims policy and the claims
                  customization offered through the Microsoft Entra admin center"); without,
                  Attributes & Claims: the portal's defaults (NameID, emailaddress, givenname,
                  surname, name) as customized (/__portal_claims), and the core claims;
GET /__portal_claims?name=N -> application N's Attributes & Claims customized in the portal: the
                  NameID from user.mail, a jobtitle claim from user.jobtitle, and a upnprefix
                  claim made by a transformation (ExtractMailPrefix), which Graph beta then shows
                  as the service principal's custom claims policy
                  (GET /beta/servicePrincipals/{id}/claimsPolicy; 404 for one never customized);
GET /__make_app?name=N&identifier=URI&reply=URL -> an enterprise application made earlier in the
                  portal, holding that Identifier and Reply URL (Identifier URIs are unique in
                  the tenant: a PATCH giving another application one it holds is refused).
                  &saml=1: finished in the portal (SAML mode, a signing certificate active),
                  so its App Federation Metadata Url serves a document.
The tenant answers to its GUID and to its verified domain contoso.example (sign-in and OIDC
discovery); any other tenant in a sign-in is AADSTS90002, as Entra answers.
"""

import base64
import datetime
import http.server
import ipaddress
import json
import os
import re
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sign_xml import sign_element  # noqa: E402

TENANT = "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b"
NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "entra")

# What a client may send for each type (a subset of Graph's properties, enough for the tool;
# anything else is refused the way Graph refuses an unknown property).
WRITABLE = {
    "application": {
        "displayName", "signInAudience", "identifierUris", "web", "notes", "tags", "optionalClaims",
        "keyCredentials", "tokenEncryptionKeyId", "requestSignatureVerification",
        "groupMembershipClaims",
    },
    "claimsMappingPolicy": {"definition", "displayName", "isOrganizationDefault"},
    "requestSignatureVerification": {"isSignedRequestRequired", "allowedWeakAlgorithms"},
    "keyCredential": {"customKeyIdentifier", "displayName", "endDateTime", "key", "keyId", "startDateTime", "type", "usage"},
    "optionalClaims": {"idToken", "accessToken", "saml2Token"},
    "web": {"redirectUris", "logoutUrl", "homePageUrl", "implicitGrantSettings"},
    "servicePrincipal": {
        "appId", "preferredSingleSignOnMode", "samlSingleSignOnSettings",
        "preferredTokenSigningKeyThumbprint", "appRoleAssignmentRequired", "notes", "tags",
        "notificationEmailAddresses",
        # Written back without a certificate's credentials to remove it, as
        # terraform-provider-azuread removes a token signing certificate.
        "keyCredentials", "passwordCredentials",
    },
    "samlSingleSignOnSettings": {"relayState"},
    "instantiate": {"displayName"},
    "addPassword": {"passwordCredential"},
    "removePassword": {"keyId"},
    "passwordCredential": {"displayName", "endDateTime"},
    "addTokenSigningCertificate": {"displayName", "endDateTime"},
    "appRoleAssignment": {"principalId", "resourceId", "appRoleId"},
}

# The tenant's people: users by principal name, groups by display name.
USERS = {
    "ada@contoso.example": "0a7c3e51-2b9d-4f61-8a0e-5c4d3b2a1f09",
    "grace@contoso.example": "1b8d4f62-3cae-4072-9b1f-6d5e4c3b2a10",
}
GROUPS = {"Sales": "2c9e5073-4dbf-4183-ac20-7e6f5d4c3b21"}
# The admin an application made in the portal was made by: the portal puts the signed-in
# user's address in the SAML certificate's Notification Email list.
PORTAL_ADMIN_MAIL = "admin@contoso.example"

# What the portal's Attributes & Claims gives a new non-gallery SAML application (the NameID as
# its claim type in a claims-mapping policy), and the core claims Entra sends whatever the policy.
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
NAME_ID = f"{CLAIMS}/nameidentifier"
PORTAL_DEFAULTS = {
    NAME_ID: "userprincipalname", f"{CLAIMS}/emailaddress": "mail", f"{CLAIMS}/givenname": "givenname",
    f"{CLAIMS}/surname": "surname", f"{CLAIMS}/name": "userprincipalname",
}
CORE_CLAIMS = [
    "http://schemas.microsoft.com/identity/claims/tenantid",
    "http://schemas.microsoft.com/identity/claims/objectidentifier",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "http://schemas.microsoft.com/identity/claims/identityprovider",
    "http://schemas.microsoft.com/claims/authnmethodsreferences",
]


def sourced(attribute):
    return [{"attribute": {"@odata.type": "#microsoft.graph.sourcedAttribute", "source": "user", "id": attribute, "isExtensionAttribute": False}}]


def portal_customization():
    """An admin's Attributes & Claims as Graph beta shows them (customClaimsPolicy: customClaim
    name/namespace/configurations, and a samlNameIdClaim)."""
    claims = [{
        "@odata.type": "#microsoft.graph.samlNameIdClaim", "nameIdFormat": "emailAddress", "configurations": sourced("mail"),
    }]
    for claim_type, attribute in list(PORTAL_DEFAULTS.items())[1:] + [(f"{CLAIMS}/jobtitle", "jobtitle")]:
        namespace, name = claim_type.rsplit("/", 1)
        claims.append({"@odata.type": "#microsoft.graph.customClaim", "name": name, "namespace": namespace, "tokenFormat": ["saml"], "configurations": sourced(attribute)})
    claims.append({
        "@odata.type": "#microsoft.graph.customClaim", "name": "upnprefix", "namespace": CLAIMS, "tokenFormat": ["saml"],
        "configurations": [{"attribute": None, "transformations": [{"@odata.type": "#microsoft.graph.extractMailPrefixTransformation", "input": {"attribute": sourced("userprincipalname")[0]["attribute"]}}]}],
    })
    return {"@odata.type": "#microsoft.graph.customClaimsPolicy", "id": str(uuid.uuid4()), "includeBasicClaimSet": True, "includeApplicationIdInIssuer": False, "claims": claims}


def emitted_claims(sp_id):
    """The SAML claims Entra sends an application's users: its claims-mapping policy's when one
    is assigned (Attributes & Claims then no longer apply), else Attributes & Claims."""
    out = {}
    pid = policy_of.get(sp_id)
    if pid in policies:
        doc = json.loads(policies[pid]["definition"][0])
        for e in doc["ClaimsMappingPolicy"].get("ClaimsSchema", []):
            if e.get("SamlClaimType"):
                out[e["SamlClaimType"]] = e.get("ID") if e.get("Source", "").lower() == "user" else e.get("Source")
    else:
        out.update(PORTAL_DEFAULTS)
        for c in (custom_claims.get(sp_id) or {}).get("claims", []):
            config = (c.get("configurations") or [{}])[0]
            attribute = (config.get("attribute") or {}).get("id")
            value = attribute if not config.get("transformations") else "(transformation)"
            if c["@odata.type"].endswith("samlNameIdClaim"):
                out[NAME_ID] = value
            else:
                out[f"{c['namespace']}/{c['name']}" if c.get("namespace") else c["name"]] = value
    for claim in CORE_CLAIMS:
        out[claim] = "core"
    return out


# The user attributes a claims-mapping policy's schema may read (Source "user"), by ID.
USER_CLAIM_SOURCES = {
    "mail", "userprincipalname", "givenname", "surname", "displayname", "objectid", "department",
    "jobtitle", "employeeid", "companyname", "streetaddress", "city", "state", "postalcode",
    "country", "telephonenumber", "preferredlanguage", "mailnickname", "onpremisessamaccountname",
} | {f"extensionattribute{i}" for i in range(1, 16)}

lock = threading.Lock()
policies = {}  # id -> claimsMappingPolicy
custom_claims = {}  # service principal id -> customClaimsPolicy (the portal's Attributes & Claims)
policy_of = {}  # service principal id -> policy id
applications = {}  # id -> application
service_principals = {}  # id -> service principal
created_at = {}  # object id -> time created (and a signing key's keyId -> time made)
saml_mode_at = {}  # appId -> when its service principal was set to SAML
signing_keys = {}  # sp id -> list of (thumbprint, key, cert)
activated_at = {}  # sp id -> when its preferredTokenSigningKeyThumbprint was last set
secret_values = {}  # client secret keyId -> its value (tests only: Graph never shows it again)
assignments = []  # appRoleAssignment objects
device_codes = {}  # device_code -> polls so far
api_version = ["v1.0"]  # of the request being answered (set under the lock)
beta_requests = []  # "METHOD path" of each /beta request, for tests
signins = []  # the tenant segment of each device code request, as the tool sent it
# The tenant's verified domain: a sign-in or a discovery document may name it instead of the
# GUID, as Entra allows.
DOMAIN = "contoso.example"
tokens = set()
token_ends = {}  # access token -> time it stops working
token_uses = {}  # access token -> Graph requests made with it
app_only = set()  # access tokens of client credentials grants
refresh_tokens = {}  # refresh token -> (scope granted, tenant)
auth_codes = {}  # authorization code -> (challenge, redirect_uri, scope)
asked_scopes = []  # the scope of each sign-in request
grants = []  # the grant_type of each token issued
templates = []  # the template of each instantiate
me_refused = [0]
# Each national cloud's Graph host (scopes name it) and non-gallery template ("Microsoft Graph
# national cloud deployments"; applicationTemplate: instantiate).
CLOUDS = {
    "global": ("graph.microsoft.com", "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"),
    "usgov": ("graph.microsoft.us", "4602d0b4-76bb-404b-bca9-2652e1a39c6d"),
    "china": ("microsoftgraph.chinacloudapi.cn", "5a532e38-1581-4918-9658-008dc27c1d68"),
}


def cloud():
    return CLOUDS.get(switches().get("cloud", "global"), CLOUDS["global"])


def wrong_resource(scope):
    """The first scope naming another Graph host than this cloud's (AADSTS500011)."""
    host = cloud()[0]
    for s in scope.split():
        if "://" in s and urllib.parse.urlparse(s).netloc != host:
            return s
    return None


def issue(scope, tenant, app=False, refresh=True):
    """A token answer as the token endpoint gives it: the granted scope (less any withheld),
    an access token Graph accepts until it ends, a refresh token with offline_access."""
    s = switches()
    lifetime = int(s.get("token_seconds", 3599))
    withheld = {w.lower() for w in s.get("withhold_scopes", [])}
    granted = " ".join(x for x in scope.split() if x.rsplit("/", 1)[-1].lower() not in withheld)
    claims = {"tid": TENANT}
    if app:
        claims.update({"idtyp": "app", "roles": s.get("app_roles", ["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.ReadBasic.All", "GroupMember.Read.All", "Policy.Read.All", "Policy.ReadWrite.ApplicationConfiguration"])})
    else:
        claims.update({"scp": " ".join(x.rsplit("/", 1)[-1] for x in granted.split())})
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + body + "." + base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
    tokens.add(token)
    token_ends[token] = time.time() + lifetime
    if app:
        app_only.add(token)
    # A client credentials answer has no scope (Microsoft identity platform, "client
    # credentials flow": token_type, expires_in, access_token); the roles claim says.
    answer = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}
    if not app:
        answer["scope"] = granted
    if not app:
        id_claims = base64.urlsafe_b64encode(json.dumps({"tid": tenant, "preferred_username": "admin@contoso.example"}).encode()).decode().rstrip("=")
        answer["id_token"] = f"eyJhbGciOiJub25lIn0.{id_claims}."
        if refresh and "offline_access" in scope.split():
            rt = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
            refresh_tokens[rt] = (scope, tenant)
            answer["refresh_token"] = rt
    return answer
writes = [0]
dropped = set()  # drop_write paths whose one lost answer was given
graph_requests = [0]
switches_path = [None]
graph_base = [""]  # https://localhost:PORT/graph/v1.0, for @odata.nextLink


def paged(items, path, query):
    """A collection as Graph pages it: with the page_size switch, that many items and an
    @odata.nextLink carrying $skiptoken (the offset here)."""
    size = int(switches().get("page_size", 0))
    if not size:
        return {"value": items}
    start = int(query.get("$skiptoken", ["0"])[0] or 0)
    out = {"value": items[start:start + size]}
    if start + size < len(items):
        out["@odata.nextLink"] = f"{graph_base[0]}{path}?$skiptoken={start + size}"
    return out


def switches():
    try:
        with open(switches_path[0]) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def graph_error(status, code, message):
    return status, {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": now_iso(), "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())},
        }
    }


def unknown_property(kind, body):
    allowed = WRITABLE[kind]
    for key, value in body.items():
        if key.startswith("@odata"):
            continue
        if key not in allowed:
            return f"Property '{key}' does not exist as a declared property or extension property."
        if isinstance(value, dict) and key in WRITABLE:
            nested = unknown_property(key, value)
            if nested:
                return nested
    return None


def key_identifier(thumbprint_hex):
    """customKeyIdentifier is Binary: on the wire, base64 of the thumbprint's bytes."""
    return base64.b64encode(bytes.fromhex(thumbprint_hex)).decode()


def without_keys(credentials):
    """Graph returns a credential's certificate only on $select=keyCredentials of one object."""
    return [dict(c, key=None) for c in credentials]


def selected(obj, query, full_keys):
    fields = [f for f in query.get("$select", [""])[0].split(",") if f]
    out = dict(obj)
    if fields:
        out = {"id": obj["id"]}
        for f in fields:
            out[f] = obj.get(f)
    if "keyCredentials" in out and not (fields and "keyCredentials" in fields and full_keys):
        out["keyCredentials"] = without_keys(out["keyCredentials"] or [])
        if switches().get("bare_key_listing"):
            # A listing that tells neither the certificate nor its identifier.
            out["keyCredentials"] = [dict(c, customKeyIdentifier=None) for c in out["keyCredentials"]]
    if "keyCredentials" in out and switches().get("opaque_keys"):
        # Neither the listing nor a $select read tells a certificate or its identifier.
        out["keyCredentials"] = [dict(c, customKeyIdentifier=None, key=None) for c in out["keyCredentials"] or []]
    return out


def check_key_credentials(credentials):
    """What Graph refuses in a keyCredentials collection (Update application)."""
    if not isinstance(credentials, list):
        return "keyCredentials must be a collection."
    ids = set()
    for c in credentials:
        if not isinstance(c, dict):
            return "A key credential must be an object."
        bad = unknown_property("keyCredential", c)
        if bad:
            return bad
        if c.get("type") not in ("AsymmetricX509Cert", "X509CertAndPassword"):
            return 'The value for the property "type" in one of your credentials is invalid.'
        # Graph's v1.0 refuses "Encrypt" with these words (msgraph-sdk-dotnet #1869,
        # msgraph-sdk-java #1823); /beta, where Microsoft's token-encryption how-to works,
        # takes it. Switch v1_accepts_encrypt: a v1.0 that takes it.
        allowed = ("Sign", "Verify", "Encrypt") if api_version[0] == "beta" or switches().get("v1_accepts_encrypt") else ("Sign", "Verify")
        if c.get("usage") not in allowed:
            return 'The value for the property "usage" in one of your credentials is invalid. Acceptable values are ' + ", ".join(allowed) + "."
        if not c.get("key"):
            return "Key credential value is required: a credential without its key cannot be saved."
        try:
            cert = x509.load_der_x509_certificate(base64.b64decode(c["key"], validate=True))
        except Exception:
            return "Key credential's key is not a valid base64 DER certificate."
        if c.get("keyId"):
            try:
                uuid.UUID(c["keyId"])
            except ValueError:
                return "Invalid value specified for property 'keyId' of resource 'KeyCredential'."
            if c["keyId"] in ids:
                return "Duplicate keyId in keyCredentials."
            ids.add(c["keyId"])
        c.setdefault("keyId", str(uuid.uuid4()))
        c["customKeyIdentifier"] = c.get("customKeyIdentifier") or key_identifier(cert.fingerprint(hashes.SHA1()).hex())
    return None


def check_policy_definition(definition):
    """What Graph refuses in a claimsMappingPolicy's definition."""
    if not isinstance(definition, list) or len(definition) != 1 or not isinstance(definition[0], str):
        return "definition must be a collection of one JSON string."
    try:
        doc = json.loads(definition[0])
    except ValueError:
        return "The policy definition is not valid JSON."
    policy = doc.get("ClaimsMappingPolicy") if isinstance(doc, dict) else None
    if not isinstance(policy, dict) or policy.get("Version") != 1:
        return "The policy definition must be a ClaimsMappingPolicy of Version 1."
    for entry in policy.get("ClaimsSchema") or []:
        if entry.get("Source", "").lower() == "user" and entry.get("ID", "").lower() not in USER_CLAIM_SOURCES:
            return f"Invalid claim source ID '{entry.get('ID')}' for source 'user'."
        if not (entry.get("SamlClaimType") or entry.get("JwtClaimType")):
            return "Each ClaimsSchema entry needs a SamlClaimType or a JwtClaimType."
    return None


def replication_delay():
    return float(switches().get("replication_seconds", 0.6))


def replicated(object_id):
    return time.time() - created_at.get(object_id, 0) >= replication_delay()


def replicated_for_writes(object_id):
    """With replication_errors, a write reaches a replica half the delay later than reads."""
    extra = 0.5 if switches().get("replication_errors") else 0
    return time.time() - created_at.get(object_id, 0) >= replication_delay() * (1 + extra)


def not_found(object_id):
    if switches().get("replication_errors") and object_id in created_at:
        age = time.time() - created_at[object_id]
        if age < replication_delay() / 2:
            # Entra's answer for an object the replica read does not hold yet, as often as 404.
            return graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    return graph_error(404, "Request_ResourceNotFound", f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.")


def replicated_keys(sp):
    """A service principal as a read shows it: a signing certificate just made is not in its
    keyCredentials until it has replicated."""
    return dict(sp, keyCredentials=[k for k in sp["keyCredentials"] if replicated(k["keyId"])])


def new_application(display_name, sign_in_audience="AzureADMyOrg"):
    app = {
        "id": str(uuid.uuid4()),
        "appId": str(uuid.uuid4()),
        "displayName": display_name,
        "signInAudience": sign_in_audience,
        "identifierUris": [],
        "web": {"redirectUris": [], "logoutUrl": None, "homePageUrl": None},
        "passwordCredentials": [],
        "keyCredentials": [],
        "optionalClaims": None,
        "tokenEncryptionKeyId": None,
        "groupMembershipClaims": None,
        "requestSignatureVerification": None,
        "notes": None,
        "tags": [],
        "createdDateTime": now_iso(),
    }
    applications[app["id"]] = app
    created_at[app["id"]] = time.time()
    return app


def new_service_principal(app, sso_mode=None):
    sp = {
        "id": str(uuid.uuid4()),
        "appId": app["appId"],
        "displayName": app["displayName"],
        "servicePrincipalType": "Application",
        "preferredSingleSignOnMode": sso_mode,
        "samlSingleSignOnSettings": None,
        "preferredTokenSigningKeyThumbprint": None,
        "keyCredentials": [],
        "passwordCredentials": [],
        "appRoleAssignmentRequired": sso_mode is None and app["signInAudience"] == "AzureADMyOrg",
        "appRoles": [],
        # Who Entra mails before the SAML signing certificate expires (String collection; v1.0
        # servicePrincipal resource, "only for the certificates used to sign the SAML token").
        # The portal pre-fills the address of the user who configured SAML (msgraph
        # discussions #63: PORTAL_ADMIN_MAIL for an application made "in the portal" here);
        # Microsoft documents no address for instantiate, so one made through Graph has none.
        "notificationEmailAddresses": [],
    }
    service_principals[sp["id"]] = sp
    created_at[sp["id"]] = time.time()
    return sp


def filtered(objects, query):
    clause = query.get("$filter", [""])[0]
    # A multi-valued property, as Graph's lambda operator reads it:
    # identifierUris/any(x:x eq 'urn:…').
    lam = re.match(r"^(\w+)/any\((\w+):\2 eq '(.*)'\)$", clause)
    if lam:
        field, value = lam.group(1), lam.group(3).replace("''", "'")
        return [o for o in objects if value in (o.get(field) or [])]
    match = re.match(r"^(\w+) eq '(.*)'$", clause)
    if not match:
        return list(objects)
    field, value = match.group(1), match.group(2).replace("''", "'")
    return [o for o in objects if o.get(field) == value]


def identifier_taken(uris, app_id):
    """Identifier URIs are unique in a tenant: one another application holds, or None."""
    for other in applications.values():
        if other["id"] != app_id and set(uris) & set(other.get("identifierUris") or []):
            return other
    return None


def graph(method, path, query, body):
    """One Graph v1.0 request: (status, JSON body or None)."""
    parts = [p for p in path.split("/") if p]
    if parts == ["me"] and method == "GET":
        return 200, {"id": USERS["ada@contoso.example"], "userPrincipalName": "admin@contoso.example"}
    if method == "GET" and parts == ["organization"]:
        return 200, {"value": [{"id": TENANT, "displayName": "Contoso (stand-in)"}]}
    if method == "POST" and len(parts) == 3 and parts[0] == "applicationTemplates" and parts[2] == "instantiate":
        templates.append(parts[1])
        if parts[1] != cloud()[1]:
            return graph_error(404, "Request_ResourceNotFound", f"Resource '{parts[1]}' does not exist.")
        bad = unknown_property("instantiate", body)
        if bad:
            return graph_error(400, "Request_BadRequest", bad)
        if not body.get("displayName"):
            return graph_error(400, "Request_BadRequest", "displayName is required.")
        app = new_application(body["displayName"], "AzureADMyOrg")
        sp = new_service_principal(app)
        # A non-gallery application from the template has two default roles, User and
        # msiam_access, with these IDs (Microsoft's "Configure SAML-based single sign-on with
        # Microsoft Graph" tutorial and "Configure the role claim": "for a non-gallery app you
        # see two default roles: User and msiam_access"). Graph promises no order: listed here
        # msiam_access first, so a client must choose the User role by name.
        sp["appRoles"] = [{
            "allowedMemberTypes": ["User"], "description": "msiam_access", "displayName": "msiam_access",
            "id": "b9632174-c057-4f7e-951b-be3adc52bfe6", "isEnabled": True, "origin": "Application", "value": None,
        }, {
            "allowedMemberTypes": ["User"], "description": "User", "displayName": "User",
            "id": "18d14569-c3bd-439b-9a66-3a2aee01d14f", "isEnabled": True, "origin": "Application", "value": None,
        }]
        return 201, {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.applicationServicePrincipal",
            "application": app,
            "servicePrincipal": sp,
        }
    if parts[:1] == ["users"] and len(parts) == 2 and method == "GET":
        upn = urllib.parse.unquote(parts[1])
        if upn not in USERS:
            return graph_error(404, "Request_ResourceNotFound", f"Resource '{upn}' does not exist or one of its queried reference-property objects are not present.")
        return 200, {"id": USERS[upn], "userPrincipalName": upn, "displayName": upn.split("@")[0]}
    if parts == ["groups"] and method == "GET":
        groups = [{"id": i, "displayName": n} for n, i in GROUPS.items()]
        return 200, {"value": filtered(groups, query)}
    if parts[:2] == ["policies", "claimsMappingPolicies"]:
        if method == "GET" and len(parts) == 2:
            return 200, paged([p for p in policies.values() if replicated(p["id"])], path, query)
        if method == "POST" and len(parts) == 2:
            bad = unknown_property("claimsMappingPolicy", body) or check_policy_definition(body.get("definition"))
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            policy = {"id": str(uuid.uuid4()), "definition": body["definition"], "displayName": body.get("displayName"), "isOrganizationDefault": False}
            policies[policy["id"]] = policy
            created_at[policy["id"]] = time.time()
            return 201, policy
        policy = policies.get(parts[2]) if len(parts) > 2 else None
        if policy is None or not replicated(policy["id"]):
            return not_found(parts[2] if len(parts) > 2 else "")
        if method == "GET" and len(parts) == 3:
            return 200, policy
        if method == "GET" and len(parts) == 4 and parts[3] == "appliesTo":
            users = [service_principals[sp] for sp, pid in policy_of.items() if pid == policy["id"] and sp in service_principals]
            return 200, {"value": users}
        if method == "PATCH" and len(parts) == 3:
            bad = unknown_property("claimsMappingPolicy", body) or ("definition" in body and check_policy_definition(body["definition"]))
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            policy.update(body)
            return 204, None
        if method == "DELETE" and len(parts) == 3:
            if any(pid == policy["id"] for sp, pid in policy_of.items() if sp in service_principals):
                return graph_error(400, "Request_BadRequest", "The policy is assigned to an object and cannot be deleted.")
            del policies[policy["id"]]
            return 204, None
    if parts[:1] == ["applications"]:
        if method == "GET" and len(parts) == 1:
            visible = [selected(a, {}, False) for a in applications.values() if replicated(a["id"])]
            return 200, {"value": filtered(visible, query)}
        if method == "POST" and len(parts) == 1:
            bad = unknown_property("application", body)
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            app = new_application(body.get("displayName", ""), body.get("signInAudience", "AzureADMyOrg"))
            app["web"].update(body.get("web") or {})
            app["identifierUris"] = body.get("identifierUris", [])
            app["notes"] = body.get("notes")
            app["tags"] = body.get("tags") or []
            return 201, app
        app = applications.get(parts[1]) if len(parts) > 1 else None
        if app is None or not replicated(app["id"]):
            return not_found(parts[1] if len(parts) > 1 else "")
        if method == "GET" and len(parts) == 2:
            return 200, selected(app, query, full_keys=True)
        if method == "DELETE" and len(parts) == 2:
            # The application goes, and its service principal in this tenant with it.
            del applications[app["id"]]
            for sp_id in [s["id"] for s in service_principals.values() if s["appId"] == app["appId"]]:
                del service_principals[sp_id]
            return 204, None
        if method == "PATCH" and len(parts) == 2:
            bad = unknown_property("application", body)
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            if "identifierUris" in body and identifier_taken(body["identifierUris"], app["id"]):
                return graph_error(400, "Request_BadRequest", "Another object with the same value for property identifierUris already exists.")
            if "keyCredentials" in body:
                bad = check_key_credentials(body["keyCredentials"])
                if bad:
                    return graph_error(400, "Request_BadRequest", bad)
            saml_since = saml_mode_at.get(app["appId"])
            for uri in body.get("identifierUris") or []:
                late = saml_since is not None and time.time() - saml_since < replication_delay()
                if switches().get("replication_errors") and uri.startswith("urn:") and uri not in app["identifierUris"] and late:
                    # The identifier URI policy has not read the SAML mode yet.
                    return graph_error(400, "Request_BadRequest", f"Failed to add identifier URI {uri}. All newly added URIs must contain a tenant verified domain, tenant ID, or app ID.")
            if "optionalClaims" in body:
                for kind, claims in (body["optionalClaims"] or {}).items():
                    for claim in claims or []:
                        extra = set(claim) - {"name", "source", "essential", "additionalProperties"}
                        if extra:
                            return graph_error(400, "Request_BadRequest", f"Property '{sorted(extra)[0]}' does not exist as a declared property or extension property.")
            if "groupMembershipClaims" in body:
                given = body["groupMembershipClaims"]
                allowed = {"None", "SecurityGroup", "DirectoryRole", "ApplicationGroup", "All"}
                if given is not None and not all(v.strip() in allowed for v in str(given).split(",")):
                    return graph_error(400, "Request_BadRequest", f"Invalid value '{given}' for property 'groupMembershipClaims'.")
            if "requestSignatureVerification" in body:
                setting = body["requestSignatureVerification"]
                bad = unknown_property("requestSignatureVerification", setting or {})
                if bad:
                    return graph_error(400, "Request_BadRequest", bad)
            if body.get("tokenEncryptionKeyId"):
                # The key ID names a key the application already holds: the how-to adds the
                # key, then sets the ID in a second request.
                keys = app["keyCredentials"]
                if not any(k.get("keyId") == body["tokenEncryptionKeyId"] and k.get("usage") == "Encrypt" for k in keys):
                    return graph_error(400, "Request_BadRequest", "tokenEncryptionKeyId must be the keyId of a key credential with usage Encrypt.")
            for key, value in body.items():
                if key == "web":
                    app["web"].update(value)
                else:
                    app[key] = value
            return 204, None
        if method == "POST" and len(parts) == 3 and parts[2] == "addPassword":
            bad = unknown_property("addPassword", body) or unknown_property("passwordCredential", body.get("passwordCredential") or {})
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            if switches().get("block_secrets"):
                # A tenant app management policy with restrictionType passwordAddition.
                return graph_error(400, "CredentialTypeNotAllowedAsPerAppPolicy", "Credential type not allowed as per assigned policy.")
            given = body.get("passwordCredential") or {}
            secret = base64.urlsafe_b64encode(os.urandom(30)).decode().rstrip("=")
            credential = {
                "customKeyIdentifier": None,
                "displayName": given.get("displayName"),
                "endDateTime": given.get("endDateTime") or "2028-12-01T00:00:00Z",
                "hint": secret[:3],
                "keyId": str(uuid.uuid4()),
                "secretText": secret,
                "startDateTime": now_iso(),
            }
            stored = dict(credential)
            stored["secretText"] = None
            app["passwordCredentials"].append(stored)
            secret_values[credential["keyId"]] = secret
            return 200, credential
        if method == "POST" and len(parts) == 3 and parts[2] == "removePassword":
            # Graph v1.0 application: removePassword — {"keyId": …}, 204 No Content; an
            # unknown keyId is refused.
            bad = unknown_property("removePassword", body)
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            before = len(app["passwordCredentials"])
            app["passwordCredentials"] = [c for c in app["passwordCredentials"] if c["keyId"] != body.get("keyId")]
            if len(app["passwordCredentials"]) == before:
                return graph_error(404, "Request_ResourceNotFound", f"No password credential found with keyId {body.get('keyId')}.")
            return 204, None
    if parts[:1] == ["servicePrincipals"]:
        if method == "GET" and len(parts) == 1:
            visible = [selected(replicated_keys(s), {}, False) for s in service_principals.values() if replicated(s["id"])]
            return 200, {"value": filtered(visible, query)}
        if method == "POST" and len(parts) == 1:
            bad = unknown_property("servicePrincipal", body)
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            app = next((a for a in applications.values() if a["appId"] == body.get("appId")), None)
            if app is None or not replicated_for_writes(app["id"]):
                # terraform-provider-azuread retries exactly this answer while a new
                # application replicates (service_principal_resource.go).
                return graph_error(400, "Request_BadRequest", f"The appId '{body.get('appId')}' of the service principal does not reference a valid application object.")
            if any(s["appId"] == app["appId"] for s in service_principals.values()):
                return graph_error(409, "Request_MultipleObjectsWithSameKeyValue", "The service principal cannot be created, updated, or restored because the service principal name is already in use.")
            return 201, new_service_principal(app)
        sp = service_principals.get(parts[1]) if len(parts) > 1 else None
        if sp is None or not replicated(sp["id"]):
            return not_found(parts[1] if len(parts) > 1 else "")
        if method == "GET" and len(parts) == 2:
            return 200, selected(replicated_keys(sp), query, full_keys=True)
        if len(parts) == 3 and parts[2] == "claimsPolicy" and method == "GET":
            # Graph beta only: the portal's Attributes & Claims as a custom claims policy.
            if api_version[0] != "beta":
                return graph_error(400, "BadRequest", "Resource not found for the segment 'claimsPolicy'.")
            if sp["id"] not in custom_claims:
                return graph_error(404, "Request_ResourceNotFound", "The service principal has no custom claims policy.")
            return 200, custom_claims[sp["id"]]
        if len(parts) == 3 and parts[2] == "claimsMappingPolicies" and method == "GET":
            pid = policy_of.get(sp["id"])
            return 200, paged([policies[pid]] if pid in policies else [], path, query)
        if len(parts) == 4 and parts[2:] == ["claimsMappingPolicies", "$ref"] and method == "POST":
            ref = body.get("@odata.id", "")
            m = re.match(r"^https://[^/]+(/[^?]*)?/v1\.0/policies/claimsMappingPolicies/([0-9a-f-]+)$", ref)
            if set(body) - {"@odata.id"} or not m:
                return graph_error(400, "Request_BadRequest", "Invalid @odata.id: it must be the full URL of a claimsMappingPolicy.")
            pid = m.group(2)
            if pid not in policies or not replicated(pid):
                return not_found(pid)
            if sp["id"] in policy_of:
                return graph_error(409, "Request_BadRequest", "The service principal already has a policy of type ClaimsMappingPolicy assigned.")
            policy_of[sp["id"]] = pid
            return 204, None
        if len(parts) == 3 and parts[2] == "appRoleAssignedTo":
            if method == "GET":
                return 200, paged([a for a in assignments if a["resourceId"] == sp["id"]], path, query)
            if method == "POST":
                bad = unknown_property("appRoleAssignment", body)
                if bad:
                    return graph_error(400, "Request_BadRequest", bad)
                roles = [r["id"] for r in sp["appRoles"]] + ["00000000-0000-0000-0000-000000000000"]
                if body.get("appRoleId") not in roles or body.get("resourceId") != sp["id"]:
                    return graph_error(400, "Request_BadRequest", "Permission being assigned was not found on application")
                if body.get("principalId") not in list(USERS.values()) + list(GROUPS.values()):
                    return graph_error(400, "Request_BadRequest", "Invalid principal.")
                if any(a["resourceId"] == sp["id"] and a["principalId"] == body["principalId"] and a["appRoleId"] == body["appRoleId"] for a in assignments):
                    return graph_error(409, "Request_BadRequest", "Permission being assigned already exists on the object")
                if not replicated_for_writes(sp["id"]):
                    # terraform-provider-azuread's app_role_assignment_resource.go retries this.
                    return graph_error(400, "Request_BadRequest", "Not a valid reference update.")
                made = dict(body, id=str(uuid.uuid4()), createdDateTime=now_iso())
                assignments.append(made)
                return 201, made
        if method == "PATCH" and len(parts) == 2:
            bad = unknown_property("servicePrincipal", body)
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            if "notificationEmailAddresses" in body:
                mails = body["notificationEmailAddresses"]
                if not isinstance(mails, list) or not all(isinstance(m, str) for m in mails):
                    return graph_error(400, "Request_BadRequest", "Invalid value specified for property 'notificationEmailAddresses' of resource 'ServicePrincipal'.")
            thumb = body.get("preferredTokenSigningKeyThumbprint")
            if thumb and thumb not in [t for t, _, _ in signing_keys.get(sp["id"], []) if replicated(t)]:
                return graph_error(400, "Request_BadRequest", f"No signing certificate with thumbprint {thumb} on the service principal.")
            for kind in ("keyCredentials", "passwordCredentials"):
                if kind not in body:
                    continue
                # Credentials the service principal holds are named by keyId and kept as
                # stored (a listing never shows a private key, so a client cannot send it
                # back); one it does not hold is refused. Those left out are removed.
                held = {c["keyId"]: c for c in sp.get(kind) or []}
                given = body[kind] or []
                unknown = [c.get("keyId") for c in given if c.get("keyId") not in held]
                if unknown:
                    return graph_error(400, "Request_BadRequest", f"{kind}: no credential with keyId {unknown[0]} on the service principal; a new one must be added with its key.")
                body[kind] = [held[c["keyId"]] for c in given]
            if "keyCredentials" in body:
                left = {base64.b64decode(c["customKeyIdentifier"]).hex().upper() for c in body["keyCredentials"] if c.get("usage") == "Verify" and c.get("customKeyIdentifier")}
                signing_keys[sp["id"]] = [k for k in signing_keys.get(sp["id"], []) if k[0] in left]
            if thumb:
                activated_at[sp["id"]] = time.time()
            if body.get("preferredSingleSignOnMode") == "saml" and sp.get("preferredSingleSignOnMode") != "saml":
                saml_mode_at[sp["appId"]] = time.time()
            sp.update(body)
            return 204, None
        if method == "POST" and len(parts) == 3 and parts[2] == "addTokenSigningCertificate":
            bad = unknown_property("addTokenSigningCertificate", body)
            if bad:
                return graph_error(400, "Request_BadRequest", bad)
            made = datetime.datetime.now(datetime.timezone.utc)
            latest = made.replace(year=made.year + 3) if not (made.month == 2 and made.day == 29) else made + datetime.timedelta(days=3 * 365)
            end = latest
            if body.get("endDateTime"):
                try:
                    end = datetime.datetime.fromisoformat(body["endDateTime"].replace("Z", "+00:00"))
                except ValueError:
                    return graph_error(400, "Request_BadRequest", "Invalid value specified for property 'endDateTime'.")
                if end > latest:
                    # The certificate may last at most three years from its creation.
                    return graph_error(400, "Request_BadRequest", "The end date of the certificate cannot be more than three years from its creation.")
            subject = body.get("displayName") or "CN=Microsoft Azure Federated SSO Certificate"
            try:
                name = x509.Name.from_rfc4514_string(subject)
                if not subject.startswith("CN=") or len(name.rdns) != 1:
                    raise ValueError(subject)
            except ValueError:
                return graph_error(400, "Request_BadRequest", f"Invalid value specified for property 'displayName': '{subject}' is not a distinguished name CN=...")
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            start = made - datetime.timedelta(minutes=5)
            cert = (
                x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                .sign(key, hashes.SHA256())
            )
            thumb = cert.fingerprint(hashes.SHA1()).hex().upper()
            signing_keys.setdefault(sp["id"], []).append((thumb, key, cert))
            # Not in the service principal's keyCredentials, nor usable as its active key,
            # until it has replicated (terraform-provider-azuread polls keyCredentials).
            created_at[thumb] = time.time()
            der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
            credential = {
                "customKeyIdentifier": key_identifier(thumb),
                "displayName": body.get("displayName") or "CN=Microsoft Azure Federated SSO Certificate",
                "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "keyId": str(uuid.uuid4()),
                "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "type": "AsymmetricX509Cert",
                "usage": "Verify",
                "key": der,
            }
            # As Graph does: the private part (usage Sign, its PFX) and the public part
            # (usage Verify), with the same customKeyIdentifier.
            private = dict(credential, keyId=str(uuid.uuid4()), type="X509CertAndPassword", usage="Sign", key=base64.b64encode(os.urandom(64)).decode())
            sp["keyCredentials"].extend([private, credential])
            # And the private key's password, with the same customKeyIdentifier.
            sp.setdefault("passwordCredentials", []).append({
                "customKeyIdentifier": credential["customKeyIdentifier"], "displayName": credential["displayName"],
                "endDateTime": credential["endDateTime"], "hint": None, "keyId": str(uuid.uuid4()),
                "secretText": None, "startDateTime": credential["startDateTime"],
            })
            created_at[private["keyId"]] = created_at[credential["keyId"]] = time.time()
            return 200, {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.selfSignedCertificate",
                "thumbprint": "" if switches().get("empty_thumbprint") else thumb,
                "displayName": credential["displayName"],
                "endDateTime": credential["endDateTime"],
                "startDateTime": credential["startDateTime"],
                "keyId": credential["keyId"],
                "type": "AsymmetricX509Cert",
                "usage": "Verify",
                "key": base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
            }
    return graph_error(400, "BadRequest", f"Resource not found for the segment '{parts[-1] if parts else ''}'.")


def federation_metadata(app_id, port):
    sp = next((s for s in service_principals.values() if s["appId"] == app_id), None)
    if sp is None:
        return None
    active = [(t, k, c) for t, k, c in signing_keys.get(sp["id"], []) if t == sp.get("preferredTokenSigningKeyThumbprint")]
    if not active:
        return None
    _, key, cert = active[0]
    b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    keys = f'<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{b64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>'
    template = open(os.path.join(FIXTURES, "app-federation-metadata.xml"), encoding="utf-8-sig").read()
    text = template.replace("{{TENANT}}", TENANT).replace("{{KEYS}}", keys).replace("{{FIRST_CERT}}", b64)
    start = text.index("<Signature ")
    end = text.index("</Signature>") + len("</Signature>")
    return sign_element((text[:start] + text[end:]).encode("utf-8"), "EntityDescriptor", key, cert)


def seed_portal_app(name):
    """An enterprise application made beforehand in the portal: instantiated from the
    non-gallery template, its SAML signing certificate made and active. Returns its appId."""
    _, made = graph("POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {}, {"displayName": name})
    app, sp = made["application"], made["servicePrincipal"]
    # Made long before anyone asks: replicated already.
    created_at[app["id"]] = created_at[sp["id"]] = 0
    _, cert = graph("POST", f"/servicePrincipals/{sp['id']}/addTokenSigningCertificate", {}, {"displayName": f"CN={name}"})
    created_at[cert["thumbprint"]] = 0
    for k in sp["keyCredentials"]:
        created_at[k["keyId"]] = 0
    graph("PATCH", f"/servicePrincipals/{sp['id']}", {}, {"preferredSingleSignOnMode": "saml", "preferredTokenSigningKeyThumbprint": cert["thumbprint"], "notificationEmailAddresses": [PORTAL_ADMIN_MAIL]})
    return app["appId"]


def main():
    global TENANT
    port, out = int(sys.argv[1]), sys.argv[2]
    if "--tenant" in sys.argv[3:]:
        # A tenant of its own: two stand-ins are two customers' tenants.
        TENANT = sys.argv[sys.argv.index("--tenant") + 1].lower()
    switches_path[0] = os.path.join(out, "switches.json")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, issuer, issuer_key, public_key, ca=False, san=None):
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        )
        if ca:
            b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        if san:
            b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return b.sign(issuer_key, hashes.SHA256())

    ca = certificate("graph stand-in CA", "graph stand-in CA", ca_key, ca_key.public_key(), ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = certificate("localhost", "graph stand-in CA", ca_key, key.public_key(), san=san)
    with open(os.path.join(out, "server.pem"), "wb") as f:
        f.write(server.public_bytes(serialization.Encoding.PEM))
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    authority = f"https://localhost:{port}"
    discovery = open(os.path.join(FIXTURES, "openid-configuration.json")).read()
    discovery = discovery.replace("{{AUTHORITY}}", authority).replace("{{TENANT}}", TENANT)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, body, content_type="application/json", headers=()):
            data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            if status != 204:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def form(self):
            length = int(self.headers.get("Content-Length") or 0)
            return urllib.parse.parse_qs(self.rfile.read(length).decode())

        def identity(self, method):
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path == "/__writes":
                return self.answer(200, {"count": writes[0]})
            if url.path == "/__forget_reply_urls":
                # An admin's edit in the portal: every application loses its reply URLs.
                with lock:
                    for a in applications.values():
                        a["web"]["redirectUris"] = []
                return self.answer(200, {"ok": True})
            if url.path == "/__token":
                # What `az account get-access-token` would hold after `az login`.
                token = base64.urlsafe_b64encode(os.urandom(24)).decode()
                tokens.add(token)
                return self.answer(200, {"access_token": token})
            if url.path == "/__app_keys":
                # Each application's certificate credentials and settings, as a test reads them.
                with lock:
                    return self.answer(200, {
                        a["displayName"]: {
                            "keys": [{"usage": k["usage"], "keyId": k["keyId"], "thumbprint": base64.b64decode(k["customKeyIdentifier"]).hex().upper()} for k in a["keyCredentials"]],
                            "tokenEncryptionKeyId": a.get("tokenEncryptionKeyId"),
                            "requestSignatureVerification": a.get("requestSignatureVerification"),
                        }
                        for a in applications.values()
                    })
            if url.path == "/__app_add_key":
                # Somebody's own certificate on every application (an adopted app's).
                with lock:
                    pk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "admin's own")])
                    t0 = datetime.datetime.now(datetime.timezone.utc)
                    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(pk.public_key())
                            .serial_number(x509.random_serial_number()).not_valid_before(t0).not_valid_after(t0 + datetime.timedelta(days=90))
                            .sign(pk, hashes.SHA256()))
                    for a in applications.values():
                        a["keyCredentials"].append({
                            "customKeyIdentifier": key_identifier(cert.fingerprint(hashes.SHA1()).hex()),
                            "displayName": "CN=admin's own", "keyId": str(uuid.uuid4()), "type": "AsymmetricX509Cert", "usage": "Verify",
                            "key": base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
                            "startDateTime": now_iso(), "endDateTime": now_iso(),
                        })
                        a["requestSignatureVerification"] = {"isSignedRequestRequired": False, "allowedWeakAlgorithms": "rsaSha1"}
                return self.answer(200, {"ok": True})
            if url.path == "/__app_own_claims":
                # An admin's own optional claims (Token configuration), replacing the app's.
                with lock:
                    for a in applications.values():
                        a["optionalClaims"] = {
                            "idToken": [{"name": "upn", "source": None, "essential": True, "additionalProperties": ["include_externally_authenticated_upn"]}],
                            "accessToken": [{"name": "ipaddr", "source": None, "essential": False, "additionalProperties": []}],
                            "saml2Token": [],
                        }
                return self.answer(200, {"ok": True})
            if url.path == "/__policies":
                # The claims-mapping policies, what each applies to, and each application's
                # groupMembershipClaims.
                with lock:
                    def claims(p):
                        doc = json.loads(p["definition"][0])
                        return {e["SamlClaimType"]: e["ID"] for e in doc["ClaimsMappingPolicy"].get("ClaimsSchema", [])}
                    return self.answer(200, {
                        "policies": [{
                            "displayName": p["displayName"],
                            "claims": claims(p),
                            "appliesTo": [service_principals[sp]["displayName"] for sp, pid in policy_of.items() if pid == p["id"] and sp in service_principals],
                        } for p in policies.values()],
                        "groupMembershipClaims": {a["displayName"]: a.get("groupMembershipClaims") for a in applications.values()},
                    })
            if url.path in ("/__emitted_claims", "/__portal_claims"):
                name = query.get("name", [""])[0]
                with lock:
                    sp = next((x for x in service_principals.values() if x["displayName"] == name), None)
                    if sp is None:
                        return self.answer(404, {"error": f"no application {name}"})
                    if url.path == "/__portal_claims":
                        custom_claims[sp["id"]] = portal_customization()
                        return self.answer(200, {"ok": True})
                    return self.answer(200, {"claims": emitted_claims(sp["id"])})
            if url.path == "/__make_app":
                # An admin's earlier attempt in the portal: an enterprise application holding
                # an Identifier (and maybe Reply URLs), replicated already.
                name = query.get("name", ["portal attempt"])[0]
                with lock:
                    _, made = graph("POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {}, {"displayName": name})
                    app, sp = made["application"], made["servicePrincipal"]
                    created_at[app["id"]] = created_at[sp["id"]] = 0
                    applications[app["id"]]["identifierUris"] = query.get("identifier", [])
                    applications[app["id"]]["web"]["redirectUris"] = query.get("reply", [])
                    if query.get("saml"):
                        # Finished in the portal: SAML mode, its signing certificate made
                        # and active, so its App Federation Metadata Url serves a document.
                        _, cert = graph("POST", f"/servicePrincipals/{sp['id']}/addTokenSigningCertificate", {}, {"displayName": f"CN={name}"})
                        created_at[cert["thumbprint"]] = 0
                        for k in service_principals[sp["id"]]["keyCredentials"]:
                            created_at[k["keyId"]] = 0
                        graph("PATCH", f"/servicePrincipals/{sp['id']}", {}, {"preferredSingleSignOnMode": "saml", "preferredTokenSigningKeyThumbprint": cert["thumbprint"], "notificationEmailAddresses": [PORTAL_ADMIN_MAIL]})
                return self.answer(200, {"appId": app["appId"]})
            if url.path == "/__notification_emails":
                # Each service principal's notificationEmailAddresses by display name; with
                # name=N and address=A (repeatable, or empty), N's list set first (a portal edit).
                with lock:
                    if "name" in query:
                        sp = next((s for s in service_principals.values() if s["displayName"] == query["name"][0]), None)
                        if sp is None:
                            return self.answer(404, {"error": f"no service principal {query['name'][0]}"})
                        sp["notificationEmailAddresses"] = [a for a in query.get("address", []) if a]
                    return self.answer(200, {s["displayName"]: s["notificationEmailAddresses"] for s in service_principals.values()})
            if url.path == "/__beta":
                return self.answer(200, {"requests": beta_requests})
            if url.path == "/__secrets":
                with lock:
                    return self.answer(200, {a["displayName"]: len(a["passwordCredentials"]) for a in applications.values()})
            if url.path == "/__portal_new_certificate":
                # An admin in the portal: SAML Certificates › New Certificate, then Make
                # certificate active, on application N's service principal.
                with lock:
                    wanted = (query.get("name") or [""])[0]
                    sp = next((x for x in service_principals.values() if x["displayName"] == wanted), None)
                    if sp is None:
                        return self.answer(404, {"error": f"no application {wanted}"})
                    _, cert = graph("POST", f"/servicePrincipals/{sp['id']}/addTokenSigningCertificate", {}, {"displayName": f"CN={wanted}"})
                    for key in [cert["thumbprint"]] + [k["keyId"] for k in sp["keyCredentials"]]:
                        created_at[key] = 0
                    graph("PATCH", f"/servicePrincipals/{sp['id']}", {}, {"preferredTokenSigningKeyThumbprint": cert["thumbprint"]})
                    return self.answer(200, {"thumbprint": cert["thumbprint"]})
            if url.path == "/__secret_ids":
                with lock:
                    return self.answer(200, {a["displayName"]: [c["keyId"] for c in a["passwordCredentials"]] for a in applications.values()})
            if url.path == "/__secret_of":
                wanted = (query.get("value") or [""])[0]
                return self.answer(200, {"keyId": next((k for k, v in secret_values.items() if v == wanted), None)})
            if url.path == "/__signing":
                with lock:
                    return self.answer(200, {sp["displayName"]: {
                        "active": sp.get("preferredTokenSigningKeyThumbprint"),
                        "activated_at": activated_at.get(sp["id"]),
                        "certificates": [base64.b64decode(c["customKeyIdentifier"]).hex().upper() for c in sp["keyCredentials"] if c.get("usage") == "Verify" and c.get("customKeyIdentifier")],
                        "password_identifiers": [c.get("customKeyIdentifier") for c in sp.get("passwordCredentials") or []],
                    } for sp in service_principals.values()})
            if url.path == "/__signins":
                return self.answer(200, {"tenants": signins, "scopes": asked_scopes, "grants": grants, "templates": templates, "app_only_me": me_refused[0]})
            m = re.match(r"^/([^/]+)/oauth2/v2.0/authorize$", url.path)
            if m and method == "GET":
                return self.authorize(m.group(1), query)
            if url.path == "/__assignments":
                with lock:
                    def role_name(a):
                        sp = service_principals.get(a["resourceId"]) or {}
                        return next((r["displayName"] for r in sp.get("appRoles", []) if r["id"] == a["appRoleId"]), "default access")
                    return self.answer(200, {"count": len(assignments), "roles": sorted({role_name(a) for a in assignments})})
            if url.path == "/__certificates":
                return self.answer(200, {"count": sum(len(v) for v in signing_keys.values())})
            if url.path == "/__applications":
                return self.answer(200, {
                    "names": [a["displayName"] for a in applications.values()],
                    "tags": {a["displayName"]: a.get("tags") for a in applications.values()},
                    "optional_claims": {a["displayName"]: a.get("optionalClaims") for a in applications.values()},
                    "id_token_claims": {
                        a["displayName"]: [c["name"] for c in ((a.get("optionalClaims") or {}).get("idToken") or [])]
                        for a in applications.values()
                    },
                })
            if url.path.startswith("/graph/v1.0/"):
                return self.graph(method, url.path[len("/graph/v1.0"):], query)
            if url.path.startswith("/graph/beta/"):
                return self.graph(method, url.path[len("/graph/beta"):], query, "beta")
            m = re.match(r"^/([^/]+)/oauth2/v2.0/(devicecode|token)$", url.path)
            if m and method == "POST":
                # Entra knows its own tenant by GUID or verified domain, and the multi-tenant
                # words; any other tenant is AADSTS90002 before any code is given.
                if m.group(1).lower() not in (TENANT, DOMAIN, "organizations", "common"):
                    return self.answer(400, {"error": "invalid_request", "error_description": f"AADSTS90002: Tenant '{m.group(1)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud (stand-in)."})
                if m.group(2) == "devicecode":
                    signins.append(m.group(1))
                return self.device(m.group(2), self.form())
            if url.path == f"/{TENANT}/federationmetadata/2007-06/federationmetadata.xml":
                with lock:
                    xml = federation_metadata(query.get("appid", [""])[0], port)
                if xml is None:
                    return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS700016: Application not found in the directory (stand-in)."})
                return self.answer(200, xml.encode("utf-8"), "application/xml; charset=utf-8")
            if url.path in (f"/{TENANT}/v2.0/.well-known/openid-configuration", f"/{DOMAIN}/v2.0/.well-known/openid-configuration"):
                return self.answer(200, discovery.encode())
            return self.answer(400, {"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant not found (stand-in)."})

        def authorize(self, tenant, query):
            """The authorization endpoint once the user has signed in and consented: back to
            the loopback redirect URI with a code and the client's state."""
            q = {k: v[0] for k, v in query.items()}
            redirect = q.get("redirect_uri", "")
            loopback = re.match(r"^http://(localhost|127\.0\.0\.1)(:\d+)?(/.*)?$", redirect)
            if not loopback:
                return self.answer(400, {"error": "invalid_request", "error_description": f"AADSTS50011: The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application (stand-in)."})
            if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption (stand-in: response_type=code and an S256 code_challenge)."})
            scope = q.get("scope", "")
            asked_scopes.append(scope)
            wrong = wrong_resource(scope)
            if wrong:
                where = f"{redirect}?error=invalid_resource&error_description=AADSTS500011&state={urllib.parse.quote(q.get('state', ''))}"
            else:
                code = base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
                auth_codes[code] = (q["code_challenge"], redirect, scope, tenant)
                where = f"{redirect}?code={code}&state={urllib.parse.quote(q.get('state', ''))}&session_state={uuid.uuid4()}"
            self.send_response(302)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def grant(self, tenant, form):
            """The token endpoint's other grants: refresh_token, authorization_code (PKCE) and
            client_credentials (secret or client assertion)."""
            f = {k: v[0] for k, v in form.items()}
            kind = f.get("grant_type", "")
            if kind == "refresh_token":
                held = refresh_tokens.get(f.get("refresh_token", ""))
                if not held:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "AADSTS9002313: Invalid request. Request is malformed or invalid (stand-in: unknown refresh token)."})
                grants.append(kind)
                return self.answer(200, issue(held[0], held[1]))
            if kind == "authorization_code":
                held = auth_codes.pop(f.get("code", ""), None)
                if not held:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity."})
                challenge, redirect, scope, _ = held
                if f.get("redirect_uri") != redirect:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "AADSTS70002: The redirect URI does not match the one the code was issued for (stand-in)."})
                import hashlib
                derived = base64.urlsafe_b64encode(hashlib.sha256(f.get("code_verifier", "").encode()).digest()).decode().rstrip("=")
                if derived != challenge:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."})
                grants.append(kind)
                return self.answer(200, issue(scope, TENANT))
            if kind == "client_credentials":
                app = switches().get("pipeline") or {}
                scope = f.get("scope", "")
                asked_scopes.append(scope)
                if f.get("client_id") != app.get("client_id"):
                    return self.answer(400, {"error": "unauthorized_client", "error_description": f"AADSTS700016: Application with identifier '{f.get('client_id')}' was not found in the directory."})
                assertion = f.get("client_assertion")
                if assertion is not None:
                    if f.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" or assertion != app.get("federated_token"):
                        return self.answer(401, {"error": "invalid_client", "error_description": "AADSTS700213: No matching federated identity record found for presented assertion (stand-in)."})
                elif f.get("client_secret") != app.get("secret") or not app.get("secret"):
                    return self.answer(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."})
                if len(scope.split()) != 1 or not scope.endswith("/.default"):
                    return self.answer(400, {"error": "invalid_scope", "error_description": f"AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."})
                if wrong_resource(scope):
                    return self.answer(400, {"error": "invalid_resource", "error_description": f"AADSTS500011: The resource principal named {scope.rsplit('/', 1)[0]} was not found in the tenant named {TENANT}."})
                grants.append(kind)
                return self.answer(200, issue(scope, TENANT, app=True))
            return self.answer(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003: unsupported grant type (stand-in)."})

        def device(self, which, form):
            client_id = form.get("client_id", [""])[0]
            if not client_id:
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS900144: The request body must contain the following parameter: 'client_id'."})
            if which == "token" and form.get("grant_type", [""])[0] != "urn:ietf:params:oauth:grant-type:device_code":
                return self.grant(self.path.split("/")[1], form)
            if which == "devicecode":
                scope = form.get("scope", [""])[0]
                asked_scopes.append(scope)
                wrong = wrong_resource(scope)
                if wrong:
                    return self.answer(400, {"error": "invalid_resource", "error_description": f"AADSTS500011: The resource principal named {wrong.rsplit('/', 1)[0]} was not found in the tenant named {TENANT}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."})
                code = str(uuid.uuid4())
                device_codes[code] = (0, scope)
                return self.answer(200, {
                    "device_code": code,
                    "user_code": "GQ7W-XK2P",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 1,
                    "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code GQ7W-XK2P to authenticate.",
                })
            if form.get("grant_type", [""])[0] != "urn:ietf:params:oauth:grant-type:device_code":
                return self.answer(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003: unsupported grant type (stand-in)."})
            code = form.get("device_code", [""])[0]
            if code not in device_codes:
                return self.answer(400, {"error": "bad_verification_code", "error_description": "AADSTS70019: Verification code expired."})
            polls, scope = device_codes[code]
            polls += 1
            device_codes[code] = (polls, scope)
            mode = switches().get("device", "approve")
            if mode == "blocked":
                return self.answer(400, {"error": "invalid_grant", "error_description": "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance. Trace ID: 2f8ccb7a-459e-44fb-b615-232475945800"})
            if mode == "declined":
                return self.answer(400, {"error": "authorization_declined", "error_description": "AADSTS70000: The user declined the sign-in."})
            if mode == "expired":
                return self.answer(400, {"error": "expired_token", "error_description": "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired."})
            if mode == "slow_down" and polls == 1:
                return self.answer(400, {"error": "slow_down", "error_description": "Poll less often (stand-in)."})
            if polls < 1 + int(switches().get("pending_polls", 1)):
                return self.answer(400, {"error": "authorization_pending", "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."})
            grants.append("device_code")
            return self.answer(200, issue(scope, TENANT))

        def graph(self, method, path, query, version="v1.0"):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[len("Bearer "):] not in tokens:
                status, body = graph_error(401, "InvalidAuthenticationToken", "Access token is empty." if not auth else "IDX14100: JWT is not well formed.")
                return self.answer(status, body)
            s = switches()
            token = auth[len("Bearer "):]
            with lock:
                token_uses[token] = token_uses.get(token, 0) + 1
                used = token_uses[token]
            limit = int(s.get("expire_after_requests", 0))
            if time.time() > token_ends.get(token, float("inf")) or (limit and used > limit):
                status, body = graph_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
                return self.answer(status, body, headers=[("WWW-Authenticate", 'Bearer realm="", error="invalid_token", error_description="Lifetime validation failed, the token is expired."')])
            if token in app_only and path.rstrip("/") == "/me":
                me_refused[0] += 1
                status, body = graph_error(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
                return self.answer(status, body)
            held = s.get("hold_write")
            if method in ("POST", "PATCH", "DELETE") and held and held in path and ("hold", held) not in dropped:
                dropped.add(("hold", held))
                time.sleep(float(s.get("hold_seconds", 0)))
            with lock:
                graph_requests[0] += 1
                every = int(s.get("throttle_every", 0))
                at = int(s.get("throttle_at", 0))
                if (every and graph_requests[0] % every == 0) or (at and graph_requests[0] == at):
                    code = int(s.get("throttle_status", 429))
                    if code in (502, 504):
                        # A gateway's answer: no Graph error body, no Retry-After.
                        return self.answer(code, b"<html><body>Bad Gateway</body></html>", "text/html")
                    status, body = graph_error(code, "TooManyRequests" if code == 429 else "ServiceUnavailable", "Too many requests." if code == 429 else "Service unavailable.")
                    return self.answer(status, body, headers=[("Retry-After", str(s.get("retry_after", 1)))])
                deny = s.get("deny")
                if deny and deny in path:
                    status, body = graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
                    return self.answer(status, body)
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    status, body = graph_error(400, "BadRequest", "Unable to read JSON request payload.")
                    return self.answer(status, body)
                api_version[0] = version
                if version == "beta":
                    beta_requests.append(f"{method} {path}")
                status, answer = graph(method, path, query, body)
                api_version[0] = "v1.0"
                if method in ("POST", "PATCH", "DELETE") and status < 300:
                    writes[0] += 1
                    drop = int(s.get("drop_after_writes", 0))
                    by_path = s.get("drop_write")
                    if by_path and by_path in path and by_path not in dropped:
                        dropped.add(by_path)
                        drop = writes[0]
                    if drop and writes[0] == drop:
                        # The write is done; its answer never arrives.
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return None
            return self.answer(status, answer)

        def do_GET(self):
            self.identity("GET")

        def do_POST(self):
            self.identity("POST")

        def do_PATCH(self):
            self.identity("PATCH")

        def do_DELETE(self):
            self.identity("DELETE")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(out, "server.pem"))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    with open(os.path.join(out, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    graph_base[0] = f"{authority}/graph/v1.0"
    portal = ""
    if "--portal-app" in sys.argv[3:]:
        at = sys.argv.index("--portal-app")
        app_id = seed_portal_app(sys.argv[at + 1] if at + 1 < len(sys.argv) else "portal-app")
        metadata = f"{authority}/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={app_id}"
        portal = f"metadata_url={metadata}\nclient_id={app_id}\n"
    with open(os.path.join(out, "urls.tmp"), "w") as f:
        f.write(f"authority={authority}\ngraph={authority}/graph\ntenant={TENANT}\n{portal}")
    os.replace(os.path.join(out, "urls.tmp"), os.path.join(out, "urls"))
    httpd.serve_forever()


if __name__ == "__main__":
    main()
