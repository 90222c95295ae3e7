//! `check-metadata` and `check-tenant` against a local HTTPS server that serves Entra-shaped
//! documents (and fails the ways Entra and networks do). Each case asserts what the admin sees.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::entra::*;
use common::https::{HttpsServer, Response};
use common::*;
use time::Duration as Days;

const XML: &str = "application/xml; charset=utf-8";

struct Fixture {
    server: HttpsServer,
    state: tempfile::TempDir,
    /// Thumbprint of the certificate in the valid app metadata.
    valid_thumb: String,
}

fn fixture_server() -> Fixture {
    let (valid, valid_thumb) = signing_cert(Days::days(-400), Days::days(700));
    let (expired, _) = signing_cert(Days::days(-1200), Days::days(-5));
    let (expired2, _) = signing_cert(Days::days(-900), Days::days(-1));
    let (soon, _) = signing_cert(Days::days(-1000), Days::days(10));
    let (future, _) = signing_cert(Days::days(30), Days::days(900));
    let mut routes: HashMap<String, Response> = HashMap::new();
    let mut add = |path: &str, r: Response| {
        routes.insert(path.to_string(), r);
    };
    add(
        &metadata_path(true),
        Response::ok(XML, metadata_xml(std::slice::from_ref(&valid))),
    );
    add(
        &metadata_path(false),
        Response::ok(XML, metadata_xml(std::slice::from_ref(&valid))),
    );
    add(
        "/rollover.xml?appid=1",
        Response::ok(XML, metadata_xml(&[expired.clone(), valid.clone()])),
    );
    add(
        "/all-expired.xml?appid=1",
        Response::ok(XML, metadata_xml(&[expired, expired2])),
    );
    add(
        "/not-yet-valid.xml?appid=1",
        Response::ok(XML, metadata_xml(&[future])),
    );
    add(
        "/expiring.xml?appid=1",
        Response::ok(XML, metadata_xml(&[soon])),
    );
    add(
        "/no-certs.xml?appid=1",
        Response::ok(XML, metadata_xml(&[])),
    );
    add(
        "/sign-in.xml?appid=1",
        Response::ok(
            "text/html; charset=utf-8",
            std::fs::read(fixture("entra/sign-in-page.html")).unwrap_or_default(),
        ),
    );
    add(
        "/json-error.xml?appid=1",
        Response::ok(
            "application/json",
            r#"{"error":"invalid_request","error_description":"AADSTS700016: Application with identifier 'x' was not found in the directory.\r\nTrace ID: 1"}"#,
        ),
    );
    add(
        "/rss.xml?appid=1",
        Response::ok(
            XML,
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>news</title></channel></rss>"#,
        ),
    );
    add(
        "/sp.xml?appid=1",
        Response::ok(
            XML,
            r#"<EntityDescriptor entityID="urn:amazon:cognito:sp:us-east-1_x" xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor>"#,
        ),
    );
    add(
        "/bomb.xml?appid=1",
        Response::ok(
            XML,
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol2;"/>"#,
        ),
    );
    add(
        "/server-error.xml?appid=1",
        Response::status(
            500,
            "text/plain",
            "Internal Server Error\nstack trace follows",
        ),
    );
    for i in 1..=6 {
        add(
            &format!("/hop{i}?appid=1"),
            Response::redirect(&format!("https://localhost:{{port}}/hop{}?appid=1", i + 1)),
        );
    }
    add(
        "/hop7?appid=1",
        Response::ok(XML, metadata_xml(std::slice::from_ref(&valid))),
    );
    add(
        "/to-http?appid=1",
        Response::redirect("http://localhost:{port}/x"),
    );
    add(
        "/huge.xml?appid=1",
        Response::ok(XML, vec![b' '; 5 * 1024 * 1024]),
    );
    let mut streamed = Response::ok(XML, vec![b' '; 5 * 1024 * 1024]);
    streamed.no_length = true;
    add("/huge-stream.xml?appid=1", streamed);
    let mut slow = Response::ok(XML, metadata_xml(std::slice::from_ref(&valid)));
    slow.delay = Duration::from_secs(5);
    add("/slow.xml?appid=1", slow);

    let server = HttpsServer::start(routes);
    Fixture {
        server,
        state: tempdir(),
        valid_thumb,
    }
}

fn check(f: &Fixture, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = run(cmd(f.state.path())
        .env("SSL_CERT_FILE", &f.server.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", f.server.authority())
        .env("COGNITO_ENTRA_HTTP_TIMEOUT", "2")
        .args(args)
        .arg("--json"));
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (out.status.code(), json, stderr(&out))
}

/// The strings of one list in the JSON report (`errors` or `warnings`).
fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn errors(v: &serde_json::Value) -> Vec<String> {
    strings(v, "errors")
}

fn warnings(v: &serde_json::Value) -> Vec<String> {
    strings(v, "warnings")
}

#[test]
fn metadata_cases() {
    let f = fixture_server();
    let url = |p: &str| f.server.url(p);

    // Valid app metadata: every fact, no finding.
    let (code, v, err) = check(&f, &["check-metadata", &url(&metadata_path(true))]);
    assert_eq!(code, Some(0), "{v}\n{err}");
    assert_eq!(v["entity_id"], format!("https://sts.windows.net/{TENANT}/"));
    assert_eq!(v["tenant_id"], TENANT);
    assert_eq!(
        v["sso_url"],
        format!("https://login.microsoftonline.com/{TENANT}/saml2")
    );
    assert_eq!(
        v["slo_url"],
        format!("https://login.microsoftonline.com/{TENANT}/saml2")
    );
    assert_eq!(v["signed"], true);
    assert_eq!(v["certificates"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["certificates"][0]["thumbprint"], f.valid_thumb);
    assert_eq!(
        v["certificates"][0]["subject"],
        "CN=Microsoft Azure Federated SSO Certificate"
    );
    assert_eq!(v["certificates"][0]["expired"], false);
    assert!(errors(&v).is_empty() && warnings(&v).is_empty(), "{v}");

    let cases: Vec<(&str, String, Option<i32>, &str, &str)> = vec![
        (
            "one expired, one valid",
            url("/rollover.xml?appid=1"),
            Some(0),
            "warning",
            "expired",
        ),
        (
            "one expired, one valid (rollover note)",
            url("/rollover.xml?appid=1"),
            Some(0),
            "warning",
            "Cognito uses the valid one",
        ),
        (
            "all expired",
            url("/all-expired.xml?appid=1"),
            Some(1),
            "error",
            "no signing certificate is valid now",
        ),
        (
            "not yet valid",
            url("/not-yet-valid.xml?appid=1"),
            Some(1),
            "error",
            "not valid before",
        ),
        (
            "expiring in 10 days",
            url("/expiring.xml?appid=1"),
            Some(0),
            "warning",
            "expires on",
        ),
        (
            "tenant-wide without appid",
            url(&metadata_path(false)),
            Some(0),
            "warning",
            "no appid=",
        ),
        (
            "no certificates",
            url("/no-certs.xml?appid=1"),
            Some(1),
            "error",
            "has no signing certificate",
        ),
        (
            "HTML sign-in page",
            url("/sign-in.xml?appid=1"),
            Some(1),
            "error",
            "this is an HTML page (a sign-in or portal page)",
        ),
        (
            "JSON error body",
            url("/json-error.xml?appid=1"),
            Some(1),
            "error",
            "Entra answered with an error instead of metadata: AADSTS700016",
        ),
        (
            "XML that is not metadata",
            url("/rss.xml?appid=1"),
            Some(1),
            "error",
            "its root element is <rss>",
        ),
        (
            "SP metadata",
            url("/sp.xml?appid=1"),
            Some(1),
            "error",
            "no identity provider role (IDPSSODescriptor)",
        ),
        (
            "entity bomb",
            url("/bomb.xml?appid=1"),
            Some(1),
            "error",
            "declares a DTD",
        ),
        (
            "404",
            url("/missing.xml?appid=1"),
            Some(1),
            "error",
            "answered HTTP 404",
        ),
        (
            "500",
            url("/server-error.xml?appid=1"),
            Some(1),
            "error",
            "answered HTTP 500: Internal Server Error",
        ),
        (
            "redirect chain of 6",
            url("/hop1?appid=1"),
            Some(1),
            "error",
            "redirected more than 5 times",
        ),
        (
            "redirect to http",
            url("/to-http?appid=1"),
            Some(1),
            "error",
            "redirected to plain http",
        ),
        (
            "5 MiB body",
            url("/huge.xml?appid=1"),
            Some(1),
            "error",
            "sent more than 2097152 bytes",
        ),
        (
            "5 MiB body without length",
            url("/huge-stream.xml?appid=1"),
            Some(1),
            "error",
            "sent more than 2097152 bytes",
        ),
        (
            "slow server",
            url("/slow.xml?appid=1"),
            Some(1),
            "error",
            "did not answer within 2.",
        ),
        (
            "plain HTTP",
            format!("http://localhost:{}/x.xml?appid=1", f.server.port),
            Some(1),
            "error",
            "uses plain http",
        ),
        (
            "portal page URL",
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade".into(),
            Some(1),
            "error",
            "is the Entra admin portal",
        ),
        (
            "unknown host",
            "https://nothere.invalid/federationmetadata.xml?appid=1".into(),
            Some(1),
            "error",
            "cannot find the host nothere.invalid",
        ),
    ];
    let mut failures = Vec::new();
    for (name, target, want_code, kind, text) in cases {
        let (code, v, err) = check(&f, &["check-metadata", &target]);
        let list = if kind == "error" {
            errors(&v)
        } else {
            warnings(&v)
        };
        if code != want_code || !list.iter().any(|m| m.contains(text)) {
            failures.push(format!(
                "{name}: exit {code:?}, {kind}s {list:?}\n  stderr: {err}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn untrusted_tls_is_named() {
    let f = fixture_server();
    let out = run(cmd(f.state.path()).env_remove("SSL_CERT_FILE").args([
        "check-metadata",
        "--json",
        &f.server.url(&metadata_path(true)),
    ]));
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(
        errors(&v)
            .iter()
            .any(|e| e.contains("is not trusted") && e.contains("SSL_CERT_FILE")),
        "{v}"
    );
}

#[test]
fn human_output_puts_findings_first_then_facts() {
    let f = fixture_server();
    let out = run(cmd(f.state.path())
        .env("SSL_CERT_FILE", &f.server.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", f.server.authority())
        .args(["check-metadata", &f.server.url("/rollover.xml?appid=1")]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let warning_at = text.find("warning: certificate").unwrap_or(usize::MAX);
    let facts_at = text.find("Entity ID").unwrap_or(0);
    assert!(warning_at < facts_at, "{text}");
    assert!(text.contains(&format!("Entra tenant   {TENANT}")), "{text}");
    assert!(
        text.contains(&format!(
            "Sign-on URL    https://login.microsoftonline.com/{TENANT}/saml2  (HTTP-Redirect, HTTP-POST)"
        )),
        "the endpoint with its bindings:\n{text}"
    );
    assert!(
        text.contains("OK: Cognito can use this metadata."),
        "{text}"
    );
}

#[test]
fn a_metadata_file_is_checked_with_its_bom_and_a_refresh_warning() {
    let dir = tempdir();
    let (cert, thumb) = signing_cert(Days::days(-10), Days::days(300));
    let file = dir.path().join("Entra-metadata.xml");
    write(&file, metadata_xml(&[cert]));
    assert!(
        std::fs::read(&file)
            .unwrap_or_default()
            .starts_with(b"\xEF\xBB\xBF"),
        "the fixture keeps Entra's BOM"
    );
    let out = run(cmd(dir.path())
        .args(["check-metadata", "--json"])
        .arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(v["certificates"][0]["thumbprint"], thumb);
    assert!(
        warnings(&v)
            .iter()
            .any(|w| w.contains("never refreshed by Cognito")),
        "{v}"
    );

    let out = run(cmd(dir.path()).args(["check-metadata", "--json", "/no/such/file.xml"]));
    assert_eq!(out.status.code(), Some(1));

    // The same document re-saved by an editor as "Unicode" (UTF-16 with its BOM), and as
    // Latin-1: each refused with what happened and how to get UTF-8 back.
    let xml = metadata_xml(&[signing_cert(Days::days(-10), Days::days(300)).0]);
    let text = String::from_utf8_lossy(&xml)
        .trim_start_matches('\u{feff}')
        .to_string();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut latin1 = text.clone().into_bytes();
    latin1.extend(b"<!-- Fran\xE7ois -->");
    for (name, bytes, expected) in [
        ("unicode.xml", utf16, "UTF-16"),
        ("latin1.xml", latin1, "not UTF-8 text"),
    ] {
        let file = dir.path().join(name);
        write(&file, bytes);
        let out = run(cmd(dir.path())
            .args(["check-metadata", "--json"])
            .arg(&file));
        assert_eq!(out.status.code(), Some(1), "{name}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let errs = errors(&v);
        assert!(
            errs.iter()
                .any(|e| e.contains(expected) && e.contains("save it as UTF-8")),
            "{name}: {v}"
        );
    }
}

#[test]
fn tenant_cases() {
    const AUTHORITY: &str = "https://localhost:{port}";
    const DOMAIN: &str = "contoso.onmicrosoft.com";
    const UNKNOWN: &str = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    let json = "application/json; charset=utf-8";
    let well_known = |t: &str| format!("/{t}/v2.0/.well-known/openid-configuration");
    let mut routes = HashMap::new();
    routes.insert(
        well_known(TENANT),
        Response::ok(json, discovery_json(AUTHORITY, TENANT)).templated(),
    );
    routes.insert(
        well_known(DOMAIN),
        Response::ok(json, discovery_json(AUTHORITY, TENANT)).templated(),
    );
    routes.insert(
        well_known("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"),
        Response::ok(json, discovery_json(AUTHORITY, "{tenantid}")).templated(),
    );
    routes.insert(
        well_known(UNKNOWN),
        Response::status(
            400,
            json,
            fixture_text("entra/aadsts90002.json", AUTHORITY, UNKNOWN),
        )
        .templated(),
    );
    let server = HttpsServer::start(routes);
    let f = Fixture {
        server,
        state: tempdir(),
        valid_thumb: String::new(),
    };
    let authority = f.server.authority();

    let (code, v, err) = check(&f, &["check-tenant", TENANT]);
    assert_eq!(code, Some(0), "{v}\n{err}");
    assert_eq!(v["issuer"], format!("{authority}/{TENANT}/v2.0"));
    assert_eq!(v["tenant_id"], TENANT);
    assert_eq!(
        v["authorize_url"],
        format!("{authority}/{TENANT}/oauth2/v2.0/authorize")
    );
    assert_eq!(
        v["token_url"],
        format!("{authority}/{TENANT}/oauth2/v2.0/token")
    );
    assert_eq!(
        v["attributes_url"],
        "https://graph.microsoft.com/oidc/userinfo"
    );
    assert_eq!(
        v["jwks_uri"],
        format!("{authority}/{TENANT}/discovery/v2.0/keys")
    );

    // A verified domain resolves to the tenant's GUID.
    let (code, v, _) = check(&f, &["check-tenant", DOMAIN]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["tenant_id"], TENANT);

    let cases = [
        (
            "multi-tenant document",
            "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "multi-tenant",
        ),
        (
            "unknown tenant",
            UNKNOWN,
            "tenant not found — Entra does not know",
        ),
        ("common", "common", "multi-tenant"),
        ("organizations", "organizations", "one provider per tenant"),
        (
            "not a tenant",
            "not a tenant",
            "neither a tenant GUID nor a verified domain",
        ),
        (
            "missing document",
            "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
            "answered HTTP 404",
        ),
    ];
    let mut failures = Vec::new();
    for (name, tenant, text) in cases {
        let (code, v, err) = check(&f, &["check-tenant", tenant]);
        if code != Some(1) || !errors(&v).iter().any(|e| e.contains(text)) {
            failures.push(format!(
                "{name}: exit {code:?}, errors {:?}\n  stderr: {err}",
                errors(&v)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (_, v, _) = check(&f, &["check-tenant", UNKNOWN]);
    assert!(errors(&v)[0].contains("Overview page"), "{v}");
}

/// Documents that are not one app's metadata are named for what they are, and every finding
/// is given, not only the first (the template with expired certificates said nothing).
#[test]
fn tenant_metadata_and_the_multi_tenant_template_are_named() {
    let dir = tempdir();
    let check_file = |name: &str, xml: Vec<u8>| {
        let file = dir.path().join(name);
        write(&file, xml);
        let out = run(cmd(dir.path())
            .args(["check-metadata", "--json"])
            .arg(&file));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code(), v)
    };

    // The tenant's federation metadata: its keys are the tenant's token-signing keys.
    let tenant_key = cert_named(
        "accounts.accesscontrol.windows.net",
        Days::days(-10),
        Days::days(300),
    )
    .0;
    let (code, v) = check_file("tenant.xml", metadata_xml(&[tenant_key]));
    assert_eq!(code, Some(1), "{v}");
    assert!(
        errors(&v)
            .iter()
            .any(|e| e.contains("tenant's federation metadata") && e.contains("?appid=")),
        "{v}"
    );

    // The tenant-independent template, its certificates expired: both are said.
    let expired = signing_cert(Days::days(-900), Days::days(-3)).0;
    let template = metadata_xml_edited(&[expired], |xml| {
        xml.replace(
            &format!("https://sts.windows.net/{TENANT}/"),
            "https://sts.windows.net/{tenantid}/",
        )
        .replace(
            &format!("microsoftonline.com/{TENANT}/saml2"),
            "microsoftonline.com/common/saml2",
        )
    });
    let (code, v) = check_file("template.xml", template);
    assert_eq!(code, Some(1), "{v}");
    let errs = errors(&v);
    assert!(
        errs.iter()
            .any(|e| e.contains("tenant-independent (multi-tenant) template")),
        "{v}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("no signing certificate is valid now")),
        "both findings: {v}"
    );
    assert!(
        errs.iter()
            .chain(warnings(&v).iter())
            .all(|e| !e.contains("is not Entra's")),
        "named as the template, not as a foreign document: {v}"
    );

    // The app's own metadata stays fine.
    let app = signing_cert(Days::days(-10), Days::days(300)).0;
    let (code, v) = check_file("app.xml", metadata_xml(&[app]));
    assert_eq!(code, Some(0), "{v}");
}

/// A tenant's federation metadata as each cloud serves it — several keys, named after the
/// cloud's sign-in hosts (global metadata lists `CN=login.microsoftonline.us` keys beside its
/// `CN=accounts.accesscontrol.windows.net` ones) — is the tenant's, never "OK"; and its
/// expired keys are not the admin's to renew in SAML Certificates.
#[test]
fn tenant_metadata_of_every_cloud_is_named_with_the_fix() {
    let dir = tempdir();
    let check_file = |name: &str, xml: Vec<u8>, json: bool| {
        let file = dir.path().join(name);
        write(&file, xml);
        let mut c = cmd(dir.path());
        c.arg("check-metadata").arg(&file);
        if json {
            c.arg("--json");
        }
        run(&mut c)
    };
    for cloud in Cloud::ALL {
        let xml = tenant_metadata_xml(cloud, Days::days(-30), Days::days(700));
        let out = check_file("tenant.xml", xml.clone(), true);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(out.status.code(), Some(1), "{cloud:?}: {v}");
        assert!(
            errors(&v)
                .iter()
                .any(|e| e.contains("tenant's federation metadata")
                    && e.contains("?appid=")
                    && e.contains(cloud.tenant_key_names()[0])),
            "{cloud:?}: {v}"
        );
        assert_eq!(v["tenant_id"], TENANT, "{cloud:?}: {v}");
        let human = stdout(&check_file("tenant.xml", xml, false));
        assert!(
            !human.contains("Cognito can use this metadata"),
            "{cloud:?}: {human}"
        );

        // Expired tenant keys: the fix is the application's own metadata, never a new
        // certificate in SAML Certificates (the tenant's keys are Microsoft's to roll).
        let expired = tenant_metadata_xml(cloud, Days::days(-900), Days::days(-20));
        let out = check_file("expired.xml", expired, true);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(out.status.code(), Some(1), "{cloud:?}: {v}");
        let expiry = errors(&v)
            .into_iter()
            .find(|e| e.contains("no signing certificate is valid now"))
            .unwrap_or_else(|| panic!("{cloud:?}: no expiry finding: {v}"));
        assert!(expiry.contains("App Federation Metadata Url"), "{expiry}");
        assert!(
            errors(&v)
                .iter()
                .chain(warnings(&v).iter())
                .all(|m| !m.contains("add a new certificate")),
            "{cloud:?}: {v}"
        );
    }
}

/// Where the metadata came from by URL, its shape says more: the tenant-wide URL serves the
/// tenant's document; an application's URL that serves the tenant's keys means the
/// application has no SAML signing certificate of its own — a different fix.
#[test]
fn tenant_keys_by_url_are_named_by_the_url_they_came_from() {
    let xml = tenant_metadata_xml(Cloud::Global, Days::days(-30), Days::days(700));
    let mut routes: HashMap<String, Response> = HashMap::new();
    routes.insert(metadata_path(false), Response::ok(XML, xml.clone()));
    routes.insert(metadata_path(true), Response::ok(XML, xml));
    let server = HttpsServer::start(routes);
    let state = tempdir();
    let check_url = |path: &str| {
        let out = run(cmd(state.path())
            .env("SSL_CERT_FILE", &server.ca_file)
            .env("COGNITO_ENTRA_AUTHORITY", server.authority())
            .args(["check-metadata", &server.url(path), "--json"]));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
        (out.status.code(), v)
    };

    let (code, v) = check_url(&metadata_path(false));
    assert_eq!(code, Some(1), "{v}");
    assert!(
        errors(&v)
            .iter()
            .any(|e| e.contains("tenant's federation metadata") && e.contains("no ?appid=")),
        "{v}"
    );

    let (code, v) = check_url(&metadata_path(true));
    assert_eq!(code, Some(1), "{v}");
    assert!(
        errors(&v)
            .iter()
            .any(|e| e.contains("has no active SAML signing certificate")
                && e.contains("SAML Certificates")),
        "{v}"
    );
}
