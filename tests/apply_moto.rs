//! plan and apply through the real AWS SDK against the Cognito emulator: the three flows,
//! adopting what exists, re-apply as a no-op, and an apply killed half-way then finished.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;

use cognito_entra::setup::model::SAML_EMAIL_CLAIM;
use cognito_entra_cognito::api::{ClientConfig, CognitoApi, ProviderInfo, ProviderType};
use common::entra::*;
use common::https::{HttpsServer, Response};
use common::moto::{Moto, block_on};
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

struct Env {
    moto: Moto,
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            moto: Moto::start(),
            dir: tempdir(),
        }
    }
    fn state(&self) -> std::path::PathBuf {
        self.dir.path().join("state")
    }
    fn out(&self) -> std::path::PathBuf {
        self.dir.path().join("out")
    }
    fn metadata_file(&self) -> std::path::PathBuf {
        let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
        let path = self.dir.path().join("entra-metadata.xml");
        write(&path, metadata_xml(&[cert]));
        path
    }
    fn config(&self, name: &str, text: &str) -> std::path::PathBuf {
        let path = self.dir.path().join(format!("{name}.toml"));
        write(&path, text);
        path
    }
    fn run(&self, args: &[&str], config: &Path) -> std::process::Output {
        let mut c = self.moto.cmd(&self.state());
        c.args(args).arg("--config").arg(config);
        if args.first() == Some(&"apply") {
            c.arg("--out").arg(self.out());
        }
        run(&mut c)
    }
}

fn saml_config(name: &str, extra_client: &str, saml: &str) -> String {
    format!(
        r#"
name = "{name}"
protocol = "saml"
region = "{REGION}"
[user_pool]
name = "{name}-users"
[domain]
prefix = "{name}-login"
[app_client]
name = "web"
callback_urls = ["https://app.example.com/callback", "http://localhost:3000/callback"]
logout_urls = ["https://app.example.com/"]
scopes = ["openid", "email", "profile"]
{extra_client}
[provider]
name = "EntraID"
[saml]
metadata_file = "entra-metadata.xml"
{saml}
"#
    )
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

fn state_toml(env: &Env, name: &str) -> toml::Table {
    let text =
        std::fs::read_to_string(env.state().join(format!("{name}.toml"))).unwrap_or_default();
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn ids(env: &Env, name: &str) -> (String, String) {
    let t = state_toml(env, name);
    let aws = &t["aws"];
    (
        aws["user_pool_id"].as_str().unwrap_or_default().to_string(),
        aws["client_id"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_new_saml_setup_is_created_and_reads_back_field_by_field() {
    let env = Env::new();
    env.metadata_file();
    let config = env.config("corp", &saml_config("corp", "", ""));

    let plan = env.run(&["plan"], &config);
    let text = ok(&plan);
    for line in [
        "+ user pool",
        "+ domain",
        "+ identity provider",
        "+ app client",
        "MetadataFile = (metadata document, ",
        "Plan: 4 to create, 0 to update.",
    ] {
        assert!(text.contains(line), "{line:?} not in plan:\n{text}");
    }
    assert!(
        !env.state().join("corp.toml").exists(),
        "plan writes no state"
    );

    let out = env.run(&["apply", "--yes"], &config);
    let text = ok(&out);
    assert!(text.contains("[4/4] create app client web… ✓"), "{text}");

    let (pool_id, client_id) = ids(&env, "corp");
    assert!(pool_id.starts_with("eu-west-1_"), "{pool_id}");
    let sdk = env.moto.sdk(REGION);
    block_on(async {
        let pool = sdk
            .describe_user_pool(&pool_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pool.name, "corp-users");
        assert_eq!(pool.domain.as_deref(), Some("corp-login"));
        let domain = sdk
            .describe_domain("corp-login")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(domain.map(|d| d.user_pool_id), Some(pool_id.clone()));

        let provider = sdk
            .describe_identity_provider(&pool_id, "EntraID")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no provider"));
        assert_eq!(provider.provider_type, ProviderType::Saml);
        let metadata =
            std::fs::read_to_string(env.dir.path().join("entra-metadata.xml")).unwrap_or_default();
        assert_eq!(
            provider.details.get("MetadataFile").map(|s| s.trim()),
            Some(metadata.trim_start_matches('\u{feff}').trim())
        );
        assert_eq!(
            provider.details.get("IDPInit").map(String::as_str),
            Some("false")
        );
        assert_eq!(
            provider.details.get("IDPSignout").map(String::as_str),
            Some("false")
        );
        assert_eq!(
            provider
                .details
                .get("EncryptedResponses")
                .map(String::as_str),
            Some("false")
        );
        assert!(!provider.details.contains_key("RequestSigningAlgorithm"));
        assert_eq!(
            provider.attribute_mapping.get("email").map(String::as_str),
            Some(SAML_EMAIL_CLAIM)
        );
        assert_eq!(provider.attribute_mapping.len(), 3);

        let client = sdk
            .describe_user_pool_client(&pool_id, &client_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client.client_name, "web");
        assert_eq!(client.supported_identity_providers, ["EntraID"]);
        assert_eq!(
            client.callback_urls,
            [
                "https://app.example.com/callback",
                "http://localhost:3000/callback"
            ]
        );
        assert_eq!(client.logout_urls, ["https://app.example.com/"]);
        assert_eq!(client.allowed_oauth_flows, ["code"]);
        assert_eq!(client.allowed_oauth_scopes, ["openid", "email", "profile"]);
        assert!(client.allowed_oauth_flows_user_pool_client);
        assert!(!client.has_secret);
    });

    // SP-initiated, unsigned, unencrypted: Entra needs no certificate from Cognito, so none
    // is written (one was, and it was not said what for) and the output says so.
    assert!(!env.out().join("corp-signing.cer").exists());
    assert!(text.contains("needs no certificate from Cognito"), "{text}");
    let state = state_toml(&env, "corp");
    assert!(
        state["aws"].get("certificates").is_none(),
        "no certificate recorded: {state}"
    );
    // A pool the tool made requires nothing; decode-saml judges by this.
    assert_eq!(
        state["aws"]["required_attributes"].as_array().map(Vec::len),
        Some(0),
        "{state}"
    );

    // values now has every ID.
    let values = run(env
        .moto
        .cmd(&env.state())
        .args(["values", "--json", "--setup", "corp"]));
    let v: serde_json::Value = serde_json::from_slice(&values.stdout).unwrap_or_default();
    assert_eq!(v["entity_id"], format!("urn:amazon:cognito:sp:{pool_id}"));
    assert!(
        v["sign_in_url"]
            .as_str()
            .is_some_and(|u| u.contains(&client_id)),
        "{v}"
    );
    // export works on the saved setup, with the real IDs.
    let exported = run(env
        .moto
        .cmd(&env.state())
        .args(["export", "--format", "json", "--setup", "corp"]));
    let v: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap_or_default();
    assert_eq!(
        v["values"]["entity_id"],
        format!("urn:amazon:cognito:sp:{pool_id}"),
        "{}",
        stderr(&exported)
    );
    assert!(
        v["provider_details"]["MetadataFile"]
            .as_str()
            .is_some_and(|d| d.contains("IDPSSODescriptor"))
    );
    let status = run(env
        .moto
        .cmd(&env.state())
        .args(["status", "--setup", "corp"]));
    assert!(
        stdout(&status).contains("Next: Finish in Entra"),
        "{}",
        stdout(&status)
    );

    // A second apply changes nothing and makes no write call.
    let plan = env.run(&["plan", "--json"], &config);
    let v: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap_or_default();
    assert_eq!(v["changes"], serde_json::json!([]), "{}", stderr(&plan));
    let again = ok(&env.run(&["apply", "--yes"], &config));
    assert!(again.contains("No changes"), "{again}");
    assert!(again.contains(" 0 writes)"), "{again}");
}

#[test]
fn adopting_a_pool_and_client_keeps_cognito_and_the_other_provider() {
    let env = Env::new();
    env.metadata_file();
    let sdk = env.moto.sdk(REGION);
    let (pool_id, client_id) = block_on(async {
        let pool = sdk
            .create_user_pool("existing")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let other = ProviderInfo {
            idp_identifiers: Some(vec!["okta.example.com".into()]),
            name: "Okta".into(),
            provider_type: ProviderType::Oidc,
            details: [
                ("client_id", "x"),
                ("client_secret", "y"),
                ("authorize_scopes", "openid"),
                ("oidc_issuer", "https://okta.example.com"),
                ("attributes_request_method", "GET"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            attribute_mapping: [("email".to_string(), "email".to_string())].into(),
        };
        sdk.create_identity_provider(&pool.id, &other)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let client = ClientConfig {
            client_name: "portal".into(),
            callback_urls: vec!["https://old.example.com/cb".into()],
            allowed_oauth_flows: vec!["code".into()],
            allowed_oauth_scopes: vec!["openid".into(), "phone".into()],
            allowed_oauth_flows_user_pool_client: true,
            supported_identity_providers: vec!["COGNITO".into(), "Okta".into()],
            explicit_auth_flows: vec![
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
            ],
            ..ClientConfig::default()
        };
        let client_id = sdk
            .create_user_pool_client(&pool.id, &client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (pool.id, client_id)
    });
    let text = saml_config("adopt", "", "")
        .replace("name = \"adopt-users\"", &format!("id = \"{pool_id}\""))
        .replace("name = \"web\"", &format!("id = \"{client_id}\""));
    let config = env.config("adopt", &text);
    let out = ok(&env.run(&["apply", "--yes"], &config));
    assert!(out.contains("~ app client"), "{out}");
    assert!(
        out.contains("identity_providers: COGNITO, Okta -> COGNITO, Okta, EntraID"),
        "{out}"
    );

    block_on(async {
        let client = sdk
            .describe_user_pool_client(&pool_id, &client_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            client.supported_identity_providers,
            ["COGNITO", "Okta", "EntraID"]
        );
        assert_eq!(
            client.callback_urls,
            [
                "https://old.example.com/cb",
                "https://app.example.com/callback",
                "http://localhost:3000/callback"
            ]
        );
        assert_eq!(
            client.allowed_oauth_scopes,
            ["openid", "phone", "email", "profile"]
        );
        // Read-modify-write: what the tool does not manage survives the update.
        assert_eq!(
            client.explicit_auth_flows,
            ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        );
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        assert_eq!(pools.len(), 1, "adopted, not created");
    });
    let again = ok(&env.run(&["apply", "--yes"], &config));
    assert!(again.contains("No changes"), "{again}");
    // What others added to the adopted client is kept, and said.
    assert!(
        again.contains("Kept, not in this setup")
            && again.contains("callback URL https://old.example.com/cb")
            && again.contains("scope phone"),
        "{again}"
    );

    // The documented way to let the setup own the whole lists.
    let exact = env.config(
        "adopt",
        &text.replace(
            "scopes = [\"openid\", \"email\", \"profile\"]",
            "scopes = [\"openid\", \"email\", \"profile\"]\nexact_lists = true",
        ),
    );
    let out = ok(&env.run(&["apply", "--yes"], &exact));
    assert!(
        out.contains(
            "removed from app client portal: callback URL https://old.example.com/cb, scope phone"
        ),
        "{out}"
    );
    block_on(async {
        let client = sdk
            .describe_user_pool_client(&pool_id, &client_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            client.callback_urls,
            [
                "https://app.example.com/callback",
                "http://localhost:3000/callback"
            ]
        );
        assert_eq!(client.allowed_oauth_scopes, ["openid", "email", "profile"]);
        // Never what the plan did not show: the providers and auth flows stay.
        assert_eq!(
            client.supported_identity_providers,
            ["COGNITO", "Okta", "EntraID"]
        );
        assert_eq!(
            client.explicit_auth_flows,
            ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        );
    });
}

#[test]
fn idp_initiated_with_signing_and_encryption_writes_both_certificates() {
    let env = Env::new();
    env.metadata_file();
    // Signed requests beside IdP-initiated sign-on: refused before anything is written, with
    // the choice to make (Entra refuses IdP-initiated sign-on once it requires them).
    let both = env.config(
        "myapps",
        &saml_config("myapps", "", "idp_initiated = true\nsign_requests = true"),
    );
    let out = env.run(&["plan"], &both);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("saml.sign_requests: signed requests and sign-in from My Apps (idp_initiated) cannot work together")
            && err.contains("choose one"),
        "{err}"
    );
    assert!(
        block_on(env.moto.sdk(REGION).list_user_pools())
            .unwrap_or_default()
            .is_empty()
    );

    let config = env.config(
        "myapps",
        &saml_config(
            "myapps",
            "",
            "idp_initiated = true\nencrypted_responses = true\nidp_signout = true",
        ),
    );
    let out = ok(&env.run(&["apply", "--yes"], &config));
    assert!(out.contains("Encrypted assertions go on"), "{out}");
    // Sign-out of Entra: what each side expects, said before the change (#12 item 12).
    assert!(
        out.contains("Sign-out of Entra is on") && out.contains("HTTP POST at /saml2/logout"),
        "{out}"
    );
    assert!(
        out.contains("Token encryption › Import certificate"),
        "{out}"
    );
    assert!(out.contains("Verification certificates"), "{out}");
    let (pool_id, _) = ids(&env, "myapps");
    let sdk = env.moto.sdk(REGION);
    let provider = block_on(sdk.describe_identity_provider(&pool_id, "EntraID"))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no provider"));
    assert_eq!(
        provider.details.get("IDPInit").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        provider.details.get("IDPSignout").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        provider
            .details
            .get("EncryptedResponses")
            .map(String::as_str),
        Some("true")
    );
    assert_eq!(provider.details.get("RequestSigningAlgorithm"), None);

    for file in ["myapps-signing.cer", "myapps-encryption.cer"] {
        let pem = std::fs::read_to_string(env.out().join(file)).unwrap_or_default();
        assert!(
            pem.starts_with("-----BEGIN CERTIFICATE-----"),
            "{file}: {pem}"
        );
        assert!(
            pem.lines().all(|l| l.len() <= 64),
            "{file} has 64-column lines"
        );
    }
    let state = state_toml(&env, "myapps");
    let certs = state["aws"]["certificates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let kinds: Vec<&str> = certs.iter().filter_map(|c| c["kind"].as_str()).collect();
    assert_eq!(kinds, ["signing", "encryption"]);
    let thumbs: Vec<&str> = certs
        .iter()
        .filter_map(|c| c["thumbprint"].as_str())
        .collect();
    assert_ne!(thumbs[0], thumbs[1]);
    assert!(
        out.contains(thumbs[1]),
        "the encryption thumbprint is printed: {out}"
    );

    // The read-only details Cognito adds are never sent back: a re-apply converges.
    let again = ok(&env.run(&["apply", "--yes"], &config));
    assert!(again.contains("No changes"), "{again}");
}

#[test]
fn idp_initiated_refuses_a_client_with_cognito_unless_told_to_remove_it() {
    let env = Env::new();
    env.metadata_file();
    let sdk = env.moto.sdk(REGION);
    let (pool_id, client_id) = block_on(async {
        let pool = sdk
            .create_user_pool("portal-users")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let client = ClientConfig {
            client_name: "portal".into(),
            callback_urls: vec!["https://portal.example.com/cb".into()],
            allowed_oauth_flows: vec!["code".into()],
            allowed_oauth_scopes: vec!["openid".into()],
            allowed_oauth_flows_user_pool_client: true,
            supported_identity_providers: vec!["COGNITO".into()],
            ..ClientConfig::default()
        };
        let id = sdk
            .create_user_pool_client(&pool.id, &client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (pool.id, id)
    });
    let text = saml_config("portal", "", "idp_initiated = true")
        .replace("name = \"portal-users\"", &format!("id = \"{pool_id}\""))
        .replace("name = \"web\"", &format!("id = \"{client_id}\""));
    let config = env.config("portal", &text);
    let out = env.run(&["plan"], &config);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("IdP-initiated SAML allows only SAML providers"),
        "{err}"
    );
    assert!(err.contains("no state parameter"), "{err}");
    assert!(err.contains("--remove-other-providers"), "{err}");
    let before = block_on(sdk.list_identity_providers(&pool_id)).unwrap_or_default();
    assert!(before.is_empty(), "nothing was written");

    let out = ok(&env.run(&["apply", "--yes", "--remove-other-providers"], &config));
    assert!(out.contains("COGNITO leaves client portal"), "{out}");
    let client = block_on(sdk.describe_user_pool_client(&pool_id, &client_id))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.supported_identity_providers, ["EntraID"]);
}

#[test]
fn oidc_gets_explicit_endpoints_and_the_secret_never_touches_disk() {
    const SECRET: &str = "Zq8~s3cr3t.Value-from-Entra_4f9";
    let env = Env::new();
    let mut routes = HashMap::new();
    routes.insert(
        format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        Response::ok(
            "application/json",
            discovery_json("https://localhost:{port}", TENANT),
        )
        .templated(),
    );
    let entra = HttpsServer::start(routes);
    let config = env.config(
        "corp-oidc",
        &format!(
            r#"
name = "corp-oidc"
protocol = "oidc"
region = "{REGION}"
[user_pool]
name = "oidc-users"
[domain]
prefix = "corp-oidc-login"
[app_client]
name = "spa"
callback_urls = ["https://spa.example.com/"]
[oidc]
tenant_id = "{TENANT}"
client_id = "{APP}"
attributes_request_method = "POST"
"#
        ),
    );
    let authority = entra.authority();
    let with_entra = |c: &mut std::process::Command| {
        c.env("SSL_CERT_FILE", &entra.ca_file)
            .env("COGNITO_ENTRA_AUTHORITY", &authority);
    };
    // Without the secret (and no terminal to ask in), a new provider is refused before writing.
    let mut c = env.moto.cmd(&env.state());
    with_entra(&mut c);
    let out = run(c
        .args(["apply", "--yes", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(env.out())
        .stdin(Stdio::null()));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("COGNITO_ENTRA_CLIENT_SECRET"),
        "{}",
        stderr(&out)
    );

    let mut c = env.moto.cmd(&env.state());
    with_entra(&mut c);
    let out = run(c
        .env("COGNITO_ENTRA_CLIENT_SECRET", SECRET)
        .args(["-v", "apply", "--yes", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(env.out()));
    let text = ok(&out);
    assert!(
        !text.contains(SECRET) && !stderr(&out).contains(SECRET),
        "the secret was printed"
    );
    assert!(text.contains("client_secret = (hidden)"), "{text}");

    let (pool_id, _) = ids(&env, "corp-oidc");
    let sdk = env.moto.sdk(REGION);
    let provider = block_on(sdk.describe_identity_provider(&pool_id, "entra"))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no provider"));
    let d = &provider.details;
    assert_eq!(
        d.get("oidc_issuer"),
        Some(&format!("{authority}/{TENANT}/v2.0"))
    );
    assert_eq!(
        d.get("authorize_url"),
        Some(&format!("{authority}/{TENANT}/oauth2/v2.0/authorize"))
    );
    assert_eq!(
        d.get("token_url"),
        Some(&format!("{authority}/{TENANT}/oauth2/v2.0/token"))
    );
    assert_eq!(
        d.get("attributes_url").map(String::as_str),
        Some("https://graph.microsoft.com/oidc/userinfo")
    );
    assert_eq!(
        d.get("jwks_uri"),
        Some(&format!("{authority}/{TENANT}/discovery/v2.0/keys"))
    );
    assert_eq!(d.get("client_id").map(String::as_str), Some(APP));
    assert_eq!(d.get("client_secret").map(String::as_str), Some(SECRET));
    assert_eq!(
        d.get("attributes_request_method").map(String::as_str),
        Some("POST")
    );
    assert_eq!(
        d.get("authorize_scopes").map(String::as_str),
        Some("openid profile email")
    );
    assert_eq!(
        provider
            .attribute_mapping
            .get("username")
            .map(String::as_str),
        Some("sub")
    );

    // -v wrote a log of the calls (and, below, nothing secret).
    let log = std::fs::read_to_string(env.state().join("cognito-entra.log")).unwrap_or_default();
    assert!(
        log.contains("AWS calls:") && log.contains("CreateIdentityProvider"),
        "{log}"
    );
    assert!(log.contains("-> exit 0"), "{log}");
    // The secret is in Cognito and nowhere on disk (state, log, certificates).
    for file in files_below(env.dir.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let found = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
        assert!(
            !found,
            "the client secret was written to {}",
            file.display()
        );
    }
    let state = state_toml(&env, "corp-oidc");
    assert_eq!(state["entra"]["tenant_id"].as_str(), Some(TENANT));

    // Unchanged, the secret is kept as Cognito has it: no secret given, nothing to do.
    let mut c = env.moto.cmd(&env.state());
    with_entra(&mut c);
    let out = run(c
        .args(["apply", "--yes", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(env.out())
        .stdin(Stdio::null()));
    assert!(ok(&out).contains("No changes"), "{}", stdout(&out));
}

#[test]
fn an_apply_killed_after_each_write_is_finished_by_the_next_run() {
    let env = Env::new();
    env.metadata_file();
    // Managed login, so the last write is the branding: a run killed right after it must
    // see it in the account (not in the state file) and not ask for a second one.
    for write_number in 1..=5 {
        let name = format!("killed{write_number}");
        let config = env.config(
            &name,
            &saml_config(&name, "", "").replace(
                &format!("prefix = \"{name}-login\""),
                &format!("prefix = \"{name}-login\"\nmanaged_login = true"),
            ),
        );
        let state = env.dir.path().join(format!("state-{name}"));
        let mut c = env.moto.cmd(&state);
        c.args(["apply", "--yes", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(env.out());
        kill_after_write(&mut c, write_number);

        let rerun = |args: &[&str]| {
            let mut c = env.moto.cmd(&state);
            c.args(args)
                .arg("--config")
                .arg(&config)
                .arg("--out")
                .arg(env.out());
            run(&mut c)
        };
        let out = ok(&rerun(&["apply", "--yes"]));
        if write_number == 1 {
            assert!(
                !out.contains("+ user pool"),
                "the pool from the killed run is adopted, not created again:\n{out}"
            );
        }
        let again = ok(&rerun(&["apply", "--yes"]));
        assert!(
            again.contains("No changes"),
            "after write {write_number}: {again}"
        );

        let sdk = env.moto.sdk(REGION);
        block_on(async {
            let pools: Vec<_> = sdk
                .list_user_pools()
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p.name == format!("{name}-users"))
                .collect();
            assert_eq!(pools.len(), 1, "after write {write_number}: {pools:?}");
            let pool = &pools[0].id;
            assert_eq!(
                sdk.list_identity_providers(pool)
                    .await
                    .unwrap_or_default()
                    .len(),
                1
            );
            let clients = sdk.list_user_pool_clients(pool).await.unwrap_or_default();
            assert_eq!(clients.len(), 1);
            assert!(
                sdk.has_managed_login_branding(pool, &clients[0].id)
                    .await
                    .unwrap_or(false)
            );
            assert_eq!(
                sdk.describe_user_pool(pool)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .domain
                    .as_deref(),
                Some(format!("{name}-login").as_str())
            );
        });
    }
}

#[test]
fn errors_read_like_advice() {
    let env = Env::new();
    env.metadata_file();
    // A pool that does not exist.
    let text = saml_config("ghost", "", "")
        .replace("name = \"ghost-users\"", "id = \"eu-west-1_DoesNotExist\"");
    let config = env.config("ghost", &text);
    let out = env.run(&["plan"], &config);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no user pool eu-west-1_DoesNotExist in region eu-west-1"),
        "{}",
        stderr(&out)
    );

    // A domain prefix another pool has.
    let sdk = env.moto.sdk(REGION);
    block_on(async {
        let other = sdk
            .create_user_pool("someone-else")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sdk.create_domain(&other.id, "taken-login", false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let config = env.config("taken", &saml_config("taken", "", ""));
    let out = env.run(&["plan"], &config);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("taken-login is already taken by another user pool"),
        "{}",
        stderr(&out)
    );

    // No credentials at all: which sources were tried, and the fix.
    let home = tempdir();
    let config = env.config("nocreds", &saml_config("nocreds", "", ""));
    let out = run(cmd(&env.state())
        .env("AWS_ENDPOINT_URL", env.moto.endpoint())
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .args(["plan", "--config"])
        .arg(&config));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no usable AWS credentials"), "{err}");
    assert!(err.contains("aws sso login --profile"), "{err}");
    assert!(err.contains("aws configure"), "{err}");

    // Bad Entra input stops plan before any AWS call: no pool appears.
    let bad = env.config(
        "badmeta",
        &saml_config("badmeta", "", "").replace(
            "metadata_file = \"entra-metadata.xml\"",
            "metadata_url = \"https://portal.azure.com/#blade\"",
        ),
    );
    let out = env.run(&["apply", "--yes"], &bad);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is the Entra admin portal"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("nothing was changed in AWS"),
        "{}",
        stderr(&out)
    );
    let pools = block_on(sdk.list_user_pools()).unwrap_or_default();
    assert!(!pools.iter().any(|p| p.name == "badmeta-users"));
}

#[test]
fn managed_login_creates_the_domain_as_version_2_and_the_default_branding() {
    let env = Env::new();
    env.metadata_file();
    let text = saml_config("managed", "", "").replace(
        "prefix = \"managed-login\"",
        "prefix = \"managed-login\"\nmanaged_login = true",
    );
    let config = env.config("managed", &text);
    let out = ok(&env.run(&["apply", "--yes"], &config));
    assert!(out.contains("pages = managed login"), "{out}");
    assert!(
        out.contains("create managed login branding web… ✓"),
        "{out}"
    );
    let sdk = env.moto.sdk(REGION);
    let domain = block_on(sdk.describe_domain("managed-login")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(domain.and_then(|d| d.managed_login_version), Some(2));
    // The branding is recorded: a second run does not try to create it again.
    let again = ok(&env.run(&["apply", "--yes"], &config));
    assert!(again.contains("No changes"), "{again}");
}

/// ListUserPoolClients answers 60 clients a page: the client to adopt by name sits on the
/// second page, and is found there (not created again).
#[test]
fn a_client_on_the_second_page_is_adopted_by_name() {
    let env = Env::new();
    env.metadata_file();
    let sdk = env.moto.sdk(REGION);
    let pool_id = block_on(async {
        let pool = sdk
            .create_user_pool("paged-users")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for i in 0..61 {
            let filler = ClientConfig {
                client_name: format!("filler-{i}"),
                ..ClientConfig::default()
            };
            sdk.create_user_pool_client(&pool.id, &filler)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let web = ClientConfig {
            client_name: "web".into(),
            callback_urls: vec!["https://app.example.com/callback".into()],
            allowed_oauth_flows: vec!["code".into()],
            allowed_oauth_scopes: vec!["openid".into()],
            allowed_oauth_flows_user_pool_client: true,
            supported_identity_providers: vec!["COGNITO".into()],
            ..ClientConfig::default()
        };
        sdk.create_user_pool_client(&pool.id, &web)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        pool.id
    });
    let config = env.config("paged", &saml_config("paged", "", ""));
    let plan = env.run(&["plan", "--json"], &config);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let v: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap_or_default();
    let changes = v["changes"].as_array().cloned().unwrap_or_default();
    let client_change = changes
        .iter()
        .find(|c| c["resource"] == "app_client")
        .unwrap_or_else(|| panic!("the client gains the provider: {v}"));
    assert_eq!(client_change["action"], "update", "{v}");
    assert!(
        !changes
            .iter()
            .any(|c| c["resource"] == "user_pool" && c["action"] == "create"),
        "{v}"
    );
    ok(&env.run(&["apply", "--yes"], &config));
    let clients = block_on(sdk.list_user_pool_clients(&pool_id)).unwrap_or_default();
    assert_eq!(clients.len(), 62, "no second web client");
    assert_eq!(clients.iter().filter(|c| c.name == "web").count(), 1);
}

#[test]
fn identifiers_are_set_kept_and_changed_only_when_asked() {
    let env = Env::new();
    env.metadata_file();
    let sdk = env.moto.sdk(REGION);
    let with = |ids: &str| {
        saml_config("ids", "", "").replace(
            "name = \"EntraID\"",
            &format!("name = \"EntraID\"\nidentifiers = {ids}"),
        )
    };
    let identifiers = |pool_id: &str| {
        block_on(async {
            sdk.describe_identity_provider(pool_id, "EntraID")
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .and_then(|p| p.idp_identifiers)
                .unwrap_or_default()
        })
    };

    let config = env.config("ids", &with(r#"["example.com", "corp"]"#));
    let out = ok(&env.run(&["apply", "--yes"], &config));
    assert!(out.contains("identifiers = example.com, corp"), "{out}");
    let (pool_id, _) = ids(&env, "ids");
    assert_eq!(identifiers(&pool_id), ["example.com", "corp"]);

    // A setup that names none leaves the provider's own alone.
    let config = env.config("ids", &saml_config("ids", "", ""));
    let out = ok(&env.run(&["apply", "--yes"], &config));
    assert!(out.contains("No changes"), "{out}");
    assert_eq!(identifiers(&pool_id), ["example.com", "corp"]);

    let config = env.config("ids", &with(r#"["example.org"]"#));
    let out = ok(&env.run(&["apply", "--yes"], &config));
    assert!(
        out.contains("identifiers: example.com, corp -> example.org"),
        "{out}"
    );
    assert_eq!(identifiers(&pool_id), ["example.org"]);

    // What AWS would refuse is refused before any write, naming the identifier.
    let too_many: Vec<String> = (0..51).map(|i| format!("\"d{i}.example.com\"")).collect();
    for (bad, named) in [
        (
            r#"["example.org", "corp!"]"#.to_string(),
            "provider.identifiers[1]",
        ),
        (
            r#"["café.example.com"]"#.to_string(),
            "provider.identifiers[0]",
        ),
        (
            format!("[\"{}\"]", "a".repeat(41)),
            "provider.identifiers[0]",
        ),
        (format!("[{}]", too_many.join(", ")), "provider.identifiers"),
    ] {
        let config = env.config("ids", &with(&bad));
        let out = env.run(&["plan"], &config);
        assert_ne!(out.status.code(), Some(0), "{bad} passed");
        assert!(stderr(&out).contains(named), "{bad}: {}", stderr(&out));
    }
    assert_eq!(identifiers(&pool_id), ["example.org"]);
}

#[test]
fn mapping_targets_are_held_against_the_pools_schema_and_the_clients_write_list() {
    let env = Env::new();
    env.metadata_file();
    let pool = env.moto.boto3(
        REGION,
        "cognito.create_user_pool(PoolName='hr', AutoVerifiedAttributes=['email'], \
         UsernameAttributes=['email'], Schema=[\
         {'Name': 'tenant', 'AttributeDataType': 'String', 'Mutable': True}, \
         {'Name': 'badge', 'AttributeDataType': 'String', 'Mutable': False}])",
    );
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let client = env.moto.boto3(
        REGION,
        &format!(
            "cognito.create_user_pool_client(UserPoolId='{pool_id}', ClientName='portal', \
             WriteAttributes=['email', 'name'])"
        ),
    );
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let adopt = |client: &str, mapping: &str| {
        saml_config("hr", "", "")
            .replace("name = \"hr-users\"", &format!("id = \"{pool_id}\""))
            .replace("name = \"web\"", client)
            .replace(
                "name = \"EntraID\"",
                &format!("name = \"EntraID\"\n[provider.attribute_mapping]\n{mapping}"),
            )
    };
    let mapping = "email = \"mail\"\n\"custom:tenant\" = \"tid\"\n\"custom:badge\" = \"badge\"\n\"custom:dept\" = \"department\"";
    let config = env.config("hr", &adopt(&format!("id = \"{client_id}\""), mapping));
    let out = env.run(&["plan"], &config);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    for (attribute, problem) in [
        ("custom:dept", "has no attribute custom:dept"),
        ("custom:badge", "immutable"),
        ("custom:tenant", "may not write custom:tenant"),
    ] {
        assert!(
            said.contains(&format!("provider.attribute_mapping.{attribute}"))
                && said.contains(problem),
            "{attribute}: {said}"
        );
    }

    // A new client in the same pool is given what it must write: the standard attributes it
    // would have by default, and the mapped custom one.
    let mapping = "email = \"mail\"\n\"custom:tenant\" = \"tid\"\nnickname = \"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups\"";
    let config = env.config("hr", &adopt("name = \"web\"", mapping));
    let out = ok(&env.run(&["apply", "--yes"], &config));
    assert!(out.contains("write_attributes = "), "{out}");
    assert!(
        out.contains("nickname is mapped from") && out.contains("several values"),
        "a multi-valued claim on a one-string attribute: {out}"
    );
    assert!(
        out.contains("email_verified"),
        "the pool verifies email: {out}"
    );
    let (_, new_client) = ids(&env, "hr");
    let sdk = env.moto.sdk(REGION);
    let written = block_on(sdk.describe_user_pool_client(&pool_id, &new_client))
        .unwrap_or_else(|e| panic!("{e}"))
        .write_attributes;
    for needed in ["email", "given_name", "custom:tenant"] {
        assert!(written.iter().any(|a| a == needed), "{needed}: {written:?}");
    }
    for never in ["custom:badge", "sub", "email_verified"] {
        assert!(!written.iter().any(|a| a == never), "{never}: {written:?}");
    }
}

#[test]
fn what_the_setup_created_follows_the_setup_and_what_it_adopted_keeps_what_others_added() {
    let env = Env::new();
    env.metadata_file();
    let sdk = env.moto.sdk(REGION);
    let mapping = "[provider.attribute_mapping]\nemail = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"\n";
    let with_name =
        format!("{mapping}name = \"http://schemas.microsoft.com/identity/claims/displayname\"\n");
    let first = saml_config("own", "", "").replace("[saml]", &format!("{with_name}[saml]"));
    let config = env.config("own", &first);
    ok(&env.run(&["apply", "--yes"], &config));
    let (pool_id, client_id) = ids(&env, "own");

    // The localhost callback and the profile scope are taken out, and the name mapping.
    let second = first
        .replace(", \"http://localhost:3000/callback\"", "")
        .replace(
            "scopes = [\"openid\", \"email\", \"profile\"]",
            "scopes = [\"openid\", \"email\"]",
        )
        .replace(
            "name = \"http://schemas.microsoft.com/identity/claims/displayname\"\n",
            "",
        );
    let config = env.config("own", &second);
    let plan = ok(&env.run(&["plan"], &config));
    assert!(!plan.contains("No changes"), "{plan}");
    assert!(
        plan.contains("Taken out of the setup, so removed from app client web: callback URL http://localhost:3000/callback, scope profile"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "mapping.name: http://schemas.microsoft.com/identity/claims/displayname -> (removed)"
        ),
        "{plan}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&env.run(&["plan", "--json"], &config))).unwrap_or_default();
    let client_change = json["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["resource"] == "app_client"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        client_change["fields"]["callback_urls"]["new"], "https://app.example.com/callback",
        "{json}"
    );
    ok(&env.run(&["apply", "--yes"], &config));
    block_on(async {
        let client = sdk
            .describe_user_pool_client(&pool_id, &client_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client.callback_urls, ["https://app.example.com/callback"]);
        assert_eq!(client.allowed_oauth_scopes, ["openid", "email"]);
        let provider = sdk
            .describe_identity_provider(&pool_id, "EntraID")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no provider"));
        assert!(
            !provider.attribute_mapping.contains_key("name"),
            "{:?}",
            provider.attribute_mapping
        );
        assert!(provider.attribute_mapping.contains_key("email"));
    });
    let again = ok(&env.run(&["plan"], &config));
    assert!(again.contains("No changes"), "{again}");

    // Added in the console to the client and provider the setup made: doctor names it either
    // way, and the plan takes it off again.
    block_on(async {
        let mut client = sdk
            .describe_user_pool_client(&pool_id, &client_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        client
            .callback_urls
            .push("https://staging.example.com/cb".into());
        sdk.update_user_pool_client(&pool_id, &client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let doctor = env
        .moto
        .cmd(&env.state())
        .args(["doctor", "--setup", "own"])
        .output();
    let doctor = doctor.unwrap_or_else(|e| panic!("{e}"));
    let text = stdout(&doctor);
    assert!(
        text.contains("not in the setup (added outside this tool): callback URL https://staging.example.com/cb"),
        "{text}"
    );
    let plan = ok(&env.run(&["plan"], &config));
    assert!(
        plan.contains("removed from app client web: callback URL https://staging.example.com/cb"),
        "{plan}"
    );
}

#[test]
fn the_pools_feature_plan_is_read_and_what_it_does_not_offer_is_refused_before_any_write() {
    let env = Env::new();
    env.metadata_file();
    let lite = env.moto.boto3(
        REGION,
        "cognito.create_user_pool(PoolName='lite', UserPoolTier='LITE')['UserPool']['Id']",
    );
    let pool_id = lite.as_str().unwrap_or_default().to_string();
    let text = saml_config("tier", "", "")
        .replace("name = \"tier-users\"", &format!("id = \"{pool_id}\""))
        .replace(
            "prefix = \"tier-login\"",
            "prefix = \"tier-login\"\nmanaged_login = true",
        );
    let config = env.config("tier", &text);
    let out = env.run(&["plan"], &config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("domain.managed_login")
            && err.contains("Lite feature plan")
            && err.contains("set managed_login = false"),
        "{err}"
    );
    let out = env.run(&["apply", "--yes"], &config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let domain = env.moto.boto3(
        REGION,
        &format!("cognito.describe_user_pool(UserPoolId='{pool_id}')['UserPool'].get('Domain')"),
    );
    assert!(domain.is_null(), "nothing written: {domain}");

    // The classic hosted UI works on Lite; the plan says what federated users cost.
    let config = env.config("tier", &text.replace("\nmanaged_login = true", ""));
    let out = ok(&env.run(&["plan"], &config));
    assert!(
        out.contains("federated monthly active users") && out.contains("50 of them are free"),
        "{out}"
    );
}

#[test]
fn a_second_setup_on_a_pool_never_takes_over_what_another_setup_made() {
    let env = Env::new();
    env.metadata_file();
    let first = env.config("first", &saml_config("first", "", "sign_requests = true"));
    ok(&env.run(&["apply", "--yes"], &first));
    let (pool_id, client_id) = ids(&env, "first");
    let sdk = env.moto.sdk(REGION);
    let provider_before = block_on(sdk.describe_identity_provider(&pool_id, "EntraID"))
        .unwrap_or_else(|e| panic!("{e}"));

    // The same pool, a "new" client named web and the default provider name: both are the
    // first setup's, so both are refused before anything is written.
    let text = saml_config("second", "", "")
        .replace("name = \"second-users\"", &format!("id = \"{pool_id}\""))
        .replace("prefix = \"second-login\"", "prefix = \"first-login\"");
    let second = env.config("second", &text);
    let out = env.run(&["apply", "--yes"], &second);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("provider.name: the pool's identity provider EntraID is setup \"first\"'s"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "app_client.name: a new app client named \"web\" was asked for, and the pool's client of that name ({client_id}) is setup \"first\"'s"
        )),
        "{err}"
    );
    let provider_after = block_on(sdk.describe_identity_provider(&pool_id, "EntraID"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        provider_before, provider_after,
        "the first setup's provider is untouched"
    );

    // With names of its own it goes through, beside the first.
    let own = text
        .replace("name = \"web\"", "name = \"web2\"")
        .replace("name = \"EntraID\"", "name = \"EntraSecond\"");
    let second = env.config("second", &own);
    ok(&env.run(&["apply", "--yes"], &second));
    let provider_after = block_on(sdk.describe_identity_provider(&pool_id, "EntraID"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(provider_before, provider_after);
}

/// A setup file that can be read only once — a pipe (`--config <(command)`, or /dev/stdin) —
/// is read once: `plan` judges it and plans it from that one read.
#[test]
fn a_setup_from_a_pipe_is_read_once() {
    let env = Env::new();
    let metadata = env.metadata_file();
    let text = saml_config("piped", "", "").replace(
        "metadata_file = \"entra-metadata.xml\"",
        &format!("metadata_file = \"{}\"", metadata.display()),
    );
    let mut c = env.moto.cmd(&env.state());
    c.args(["plan", "--config", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write as _;
        stdin
            .write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let said = ok(&out);
    assert!(said.contains("piped-users"), "{said}");
}
