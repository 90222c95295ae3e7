//! Bad setup files through the real binary: each exits 1, names every problem with its field
//! path and a fix, and writes nothing.

mod common;

use common::*;

const GOOD: &str = r#"
name = "corp"
protocol = "saml"
region = "us-east-1"
[user_pool]
id = "us-east-1_abcd1234"
[domain]
prefix = "example-corp-prd"
[app_client]
name = "web"
callback_urls = ["https://example.com/"]
logout_urls = ["https://example.com/"]
[saml]
metadata_url = "https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/federationmetadata/2007-06/federationmetadata.xml?appid=3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c"
"#;

const GOOD_OIDC: &str = r#"
name = "corp-oidc"
protocol = "oidc"
region = "eu-central-2"
[user_pool]
name = "corp-users"
[domain]
prefix = "corp-login"
[app_client]
name = "web"
callback_urls = ["http://localhost:3000/callback"]
[oidc]
tenant_id = "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b"
client_id = "3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c"
"#;

/// Replaces `from` (which must be in the text) by `to`.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "test setup: {from:?} not in base");
    base.replacen(from, to, 1)
}

/// (case, file content, substrings every one of which stderr must contain)
fn cases() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    let s = |t: String| t.into_bytes();
    vec![
        (
            "region without number",
            s(edit(GOOD, "us-east-1\"", "us-east\"")),
            vec!["region:", "not an AWS region", "us-east-1"],
        ),
        (
            "region upper case",
            s(edit(GOOD, "\"us-east-1\"", "\"US-EAST-1\"")),
            vec!["region:", "write it as \"us-east-1\""],
        ),
        (
            "region endpoint",
            s(edit(
                GOOD,
                "\"us-east-1\"",
                "\"cognito-idp.us-east-1.amazonaws.com\"",
            )),
            vec!["region:", "not an endpoint"],
        ),
        (
            "pool id malformed",
            s(edit(GOOD, "us-east-1_abcd1234", "abcd1234")),
            vec!["user_pool.id:", "not a user pool ID"],
        ),
        (
            "pool id too long",
            s(edit(
                GOOD,
                "us-east-1_abcd1234",
                &format!("us-east-1_{}", "a".repeat(50)),
            )),
            vec!["user_pool.id:", "not a user pool ID"],
        ),
        (
            "pool id in another region",
            s(edit(GOOD, "us-east-1_abcd1234", "eu-west-1_abcd1234")),
            vec![
                "user_pool.id:",
                "lives in eu-west-1",
                "region = \"eu-west-1\"",
            ],
        ),
        (
            "pool id and name",
            s(edit(
                GOOD,
                "id = \"us-east-1_abcd1234\"",
                "id = \"us-east-1_abcd1234\"\nname = \"x\"",
            )),
            vec!["user_pool:", "both id and name"],
        ),
        (
            "provider name too short",
            s(edit(GOOD, "[saml]", "[provider]\nname = \"AB\"\n[saml]")),
            vec!["provider.name:", "3 to 32"],
        ),
        (
            "provider name underscore",
            s(edit(
                GOOD,
                "[saml]",
                "[provider]\nname = \"Entra_ID\"\n[saml]",
            )),
            vec!["provider.name:", "'_' or white space"],
        ),
        (
            "provider name leading underscore",
            s(edit(
                GOOD,
                "[saml]",
                "[provider]\nname = \"_Entra\"\n[saml]",
            )),
            vec!["provider.name:", "starts with"],
        ),
        (
            "provider name built in",
            s(edit(
                GOOD,
                "[saml]",
                "[provider]\nname = \"Google\"\n[saml]",
            )),
            vec!["provider.name:", "built-in"],
        ),
        (
            "prefix upper case",
            s(edit(GOOD, "example-corp-prd", "Example-Corp")),
            vec!["domain.prefix:", "lower case"],
        ),
        (
            "prefix reserved word",
            s(edit(GOOD, "example-corp-prd", "corp-cognito-login")),
            vec![
                "domain.prefix:",
                "reserved word \"cognito\"",
                "e.g. \"corp-login\"",
            ],
        ),
        (
            "prefix with aws",
            s(edit(GOOD, "example-corp-prd", "myaws")),
            vec!["domain.prefix:", "\"aws\""],
        ),
        (
            "prefix and custom",
            s(edit(
                GOOD,
                "prefix = \"example-corp-prd\"",
                "prefix = \"example-corp-prd\"\ncustom = \"auth.example.com\"",
            )),
            vec!["domain:", "both prefix and custom"],
        ),
        (
            "custom domain as URL",
            s(edit(
                GOOD,
                "prefix = \"example-corp-prd\"",
                "custom = \"https://auth.example.com/\"",
            )),
            vec!["domain.custom:", "host name only: \"auth.example.com\""],
        ),
        (
            "custom domain invalid",
            s(edit(
                GOOD,
                "prefix = \"example-corp-prd\"",
                "custom = \"auth..example\"",
            )),
            vec!["domain.custom:", "not a valid host name"],
        ),
        (
            "callback plain http",
            s(edit(
                GOOD,
                "callback_urls = [\"https://example.com/\"]",
                "callback_urls = [\"https://example.com/\", \"http://example.com/cb\"]",
            )),
            vec![
                "app_client.callback_urls[1]:",
                "plain http",
                "https://example.com/cb",
            ],
        ),
        (
            "callback with fragment",
            s(edit(
                GOOD,
                "callback_urls = [\"https://example.com/\"]",
                "callback_urls = [\"https://example.com/#x\"]",
            )),
            vec!["app_client.callback_urls[0]:", "fragment"],
        ),
        (
            "callback relative",
            s(edit(
                GOOD,
                "callback_urls = [\"https://example.com/\"]",
                "callback_urls = [\"/callback\"]",
            )),
            vec!["app_client.callback_urls[0]:", "not an absolute URL"],
        ),
        (
            "callback too long",
            s(edit(
                GOOD,
                "callback_urls = [\"https://example.com/\"]",
                &format!(
                    "callback_urls = [\"https://example.com/{}\"]",
                    "a".repeat(1100)
                ),
            )),
            vec!["app_client.callback_urls[0]:", "1024"],
        ),
        (
            "too many callbacks",
            s(edit(
                GOOD,
                "callback_urls = [\"https://example.com/\"]",
                &format!(
                    "callback_urls = [{}]",
                    (0..101)
                        .map(|i| format!("\"https://example.com/{i}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            vec!["app_client.callback_urls:", "101 URLs"],
        ),
        (
            "no callback on new client",
            s(edit(
                GOOD,
                "callback_urls = [\"https://example.com/\"]",
                "callback_urls = []",
            )),
            vec!["app_client.callback_urls:", "at least one callback URL"],
        ),
        (
            "logout plain http",
            s(edit(
                GOOD,
                "logout_urls = [\"https://example.com/\"]",
                "logout_urls = [\"http://example.org/\"]",
            )),
            vec!["app_client.logout_urls[0]:", "plain http"],
        ),
        (
            "scope without openid",
            s(edit(
                GOOD,
                "logout_urls",
                "scopes = [\"email\", \"phone\"]\nlogout_urls",
            )),
            vec!["app_client.scopes:", "requires the openid scope"],
        ),
        (
            "scope with space",
            s(edit(
                GOOD,
                "logout_urls",
                "scopes = [\"openid\", \"my scope\"]\nlogout_urls",
            )),
            vec!["app_client.scopes[1]:", "not a valid scope"],
        ),
        (
            "too many scopes",
            s(edit(
                GOOD,
                "logout_urls",
                &format!(
                    "scopes = [{}]\nlogout_urls",
                    (0..51)
                        .map(|i| format!("\"s{i}\""))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            )),
            vec!["app_client.scopes:", "51 scopes"],
        ),
        (
            "tenant common",
            s(edit(
                GOOD_OIDC,
                "tenant_id = \"8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b\"",
                "tenant_id = \"common\"",
            )),
            vec![
                "oidc.tenant_id:",
                "multi-tenant",
                "one provider per tenant",
                "OIDC broker",
            ],
        ),
        (
            "tenant organizations",
            s(edit(
                GOOD_OIDC,
                "tenant_id = \"8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b\"",
                "tenant_id = \"organizations\"",
            )),
            vec!["oidc.tenant_id:", "multi-tenant"],
        ),
        (
            "tenant pasted with its URL",
            s(edit(
                GOOD_OIDC,
                "tenant_id = \"8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b\"",
                "tenant_id = \"https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/v2.0\"",
            )),
            vec![
                "oidc.tenant_id:",
                "more than a tenant ID",
                "use only the GUID in it: 8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b",
            ],
        ),
        (
            "client id in braces",
            s(edit(
                GOOD_OIDC,
                "client_id = \"3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c\"",
                "client_id = \"{3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c}\"",
            )),
            vec![
                "oidc.client_id:",
                "use only the GUID in it: 3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c",
            ],
        ),
        (
            "tenant garbage",
            s(edit(
                GOOD_OIDC,
                "tenant_id = \"8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b\"",
                "tenant_id = \"not a tenant!\"",
            )),
            vec![
                "oidc.tenant_id:",
                "neither a tenant GUID nor a verified domain",
            ],
        ),
        (
            "client id not guid",
            s(edit(
                GOOD_OIDC,
                "client_id = \"3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c\"",
                "client_id = \"3c7a9b1e\"",
            )),
            vec!["oidc.client_id:", "not a GUID", "Application (client) ID"],
        ),
        (
            "client secret in file",
            s(edit(
                GOOD_OIDC,
                "[oidc]",
                "[oidc]\nclient_secret = \"abc~123\"",
            )),
            vec!["oidc.client_secret:", "COGNITO_ENTRA_CLIENT_SECRET"],
        ),
        (
            "metadata url and file",
            s(edit(GOOD, "[saml]", "[saml]\nmetadata_file = \"x.xml\"")),
            vec!["saml:", "both metadata_url and metadata_file"],
        ),
        (
            "metadata url http",
            s(edit(
                GOOD,
                "https://login.microsoftonline.com/8e4f",
                "http://login.microsoftonline.com/8e4f",
            )),
            vec!["saml.metadata_url:", "does not use https"],
        ),
        (
            "metadata file missing",
            s(edit(
                GOOD,
                "metadata_url = ",
                "metadata_file = \"missing-metadata.xml\"\n#",
            )),
            vec![
                "saml.metadata_file:",
                "missing-metadata.xml",
                "no such file",
            ],
        ),
        (
            "mapping unknown attribute",
            s(edit(
                GOOD,
                "[saml]",
                "[provider.attribute_mapping]\nemial = \"x\"\n[saml]",
            )),
            vec![
                "provider.attribute_mapping.emial:",
                "not a Cognito user pool attribute",
                "did you mean \"email\"",
            ],
        ),
        (
            "mapping empty claim",
            s(edit(
                GOOD,
                "[saml]",
                "[provider.attribute_mapping]\nemail = \"\"\n[saml]",
            )),
            vec!["provider.attribute_mapping.email:", "claim name is empty"],
        ),
        (
            "saml options on oidc",
            s(format!("{GOOD_OIDC}\n[saml]\nidp_initiated = true\n")),
            vec!["saml:", "SAML-only options (idp_initiated)"],
        ),
        (
            "oidc table on saml",
            s(format!(
                "{GOOD}\n[oidc]\ntenant_id = \"8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b\"\n"
            )),
            vec!["oidc:", "[oidc] table is given on a SAML setup"],
        ),
        (
            "idp-initiated keeps cognito",
            s(edit(
                edit(GOOD, "[saml]", "[saml]\nidp_initiated = true").as_str(),
                "logout_urls",
                "allow_cognito_sign_in = true\nlogout_urls",
            )),
            vec![
                "app_client.allow_cognito_sign_in:",
                "only SAML providers",
                "dedicated app client",
            ],
        ),
        (
            "secret on adopted client",
            s(edit(
                GOOD,
                "name = \"web\"",
                "id = \"abcd1234567\"\ngenerate_secret = true",
            )),
            vec![
                "app_client.generate_secret:",
                "only be chosen when the client is created",
            ],
        ),
        (
            "toml syntax error",
            s(edit(GOOD, "region = \"us-east-1\"", "region = us-east-1\"")),
            vec!["file:", "TOML syntax error at line 4, column"],
        ),
        (
            "unknown key with suggestion",
            s(edit(GOOD, "[saml]", "[saml]\nidp_initated = true")),
            vec![
                "saml.idp_initated:",
                "unknown key",
                "(line 14)",
                "did you mean \"idp_initiated\"",
            ],
        ),
        (
            "unknown top-level key",
            s(format!("colour = \"blue\"\n{GOOD}")),
            vec!["colour:", "unknown key", "keys allowed at the top level"],
        ),
        (
            "wrong type bool",
            s(edit(GOOD, "[saml]", "[saml]\nsign_requests = \"yes\"")),
            vec!["saml.sign_requests:", "expected a boolean", "true or false"],
        ),
        (
            "wrong type list",
            s(edit(
                GOOD,
                "callback_urls = [\"https://example.com/\"]",
                "callback_urls = \"https://example.com/\"",
            )),
            vec![
                "app_client.callback_urls:",
                "expected a sequence",
                "list of strings",
            ],
        ),
        (
            "wrong protocol",
            s(edit(GOOD, "protocol = \"saml\"", "protocol = \"ws-fed\"")),
            vec!["protocol:", "ws-fed", "\"saml\" or protocol = \"oidc\""],
        ),
        (
            "missing protocol and region",
            s(edit(
                edit(GOOD, "protocol = \"saml\"", "").as_str(),
                "region = \"us-east-1\"",
                "",
            )),
            vec!["protocol: is missing", "region: is missing"],
        ),
        ("empty file", Vec::new(), vec!["file:", "empty"]),
        (
            "binary file",
            vec![0x7f, b'E', b'L', b'F', 0, 1, 2, 0, 0xff],
            vec!["file:", "binary"],
        ),
        (
            "10 MB file",
            vec![b'#'; 10 * 1024 * 1024],
            vec!["file:", "10485760 bytes", "--config"],
        ),
        (
            "latin-1 file",
            b"name = \"caf\xe9\"\n".to_vec(),
            vec!["file:", "not UTF-8"],
        ),
    ]
}

#[test]
fn every_bad_setup_exits_1_names_the_field_and_writes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 30, "the issue asks for at least 30 cases");
    let work = tempdir();
    let mut failures = Vec::new();
    for (i, (name, content, expected)) in cases.iter().enumerate() {
        let state = work.path().join(format!("state-{i}"));
        let file = work.path().join(format!("case-{i}.toml"));
        write(&file, content);
        let out = run(cmd(&state).args(["values", "--config"]).arg(&file));
        let err = stderr(&out);
        let mut why = Vec::new();
        if out.status.code() != Some(1) {
            why.push(format!("exit {:?}, expected 1", out.status.code()));
        }
        for e in expected {
            if !err.contains(e) {
                why.push(format!("stderr lacks {e:?}"));
            }
        }
        if !err.contains("fix:") {
            why.push("no fix: line".into());
        }
        if !stdout(&out).is_empty() {
            why.push(format!("printed values anyway: {}", stdout(&out)));
        }
        if state.exists() {
            why.push("the state folder was created".into());
        }
        if !why.is_empty() {
            failures.push(format!("{name}: {}\n--- stderr:\n{err}", why.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let work = tempdir();
    let file = work.path().join("many.toml");
    let text = edit(
        edit(
            edit(GOOD, "us-east-1\"", "nowhere\"").as_str(),
            "example-corp-prd",
            "Bad_Prefix",
        )
        .as_str(),
        "callback_urls = [\"https://example.com/\"]",
        "callback_urls = [\"http://example.com/\"]",
    );
    write(&file, text);
    let out = run(cmd(&work.path().join("s"))
        .args(["values", "--config"])
        .arg(&file));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    for field in ["region:", "domain.prefix:", "app_client.callback_urls[0]:"] {
        assert!(err.contains(field), "missing {field} in:\n{err}");
    }
    assert!(err.contains("problems to fix"), "{err}");
}

#[test]
fn good_files_pass() {
    let work = tempdir();
    for (i, text) in [GOOD, GOOD_OIDC].iter().enumerate() {
        let file = work.path().join(format!("good-{i}.toml"));
        write(&file, text);
        let out = run(cmd(&work.path().join("s"))
            .args(["values", "--config"])
            .arg(&file));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

#[test]
fn a_region_option_that_disagrees_with_the_setup_is_refused_before_any_call() {
    let work = tempdir();
    let file = work.path().join("r.toml");
    write(&file, GOOD);
    let out = run(cmd(&work.path().join("s"))
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .args(["plan", "--region", "us-west-2", "--config"])
        .arg(&file));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--region us-west-2 disagrees with the setup's region \"us-east-1\""),
        "{}",
        stderr(&out)
    );
}
