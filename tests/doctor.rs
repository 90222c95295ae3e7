//! doctor against the emulator: a healthy setup passes; drift made behind the tool's back
//! (mapping changed, provider taken off the client) is reported field by field; an expiring
//! Entra certificate warns and an expired one fails; an expired OIDC secret fails.

mod common;

use std::collections::HashMap;

use cognito_entra_cognito::api::CognitoApi;
use common::entra::*;
use common::https::{HttpsServer, Response};
use common::moto::{Moto, block_on};
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

struct World {
    moto: Moto,
    entra: HttpsServer,
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let xml = "application/xml";
        let (valid, _) = signing_cert(Days::days(-30), Days::days(700));
        let (soon, _) = signing_cert(Days::days(-700), Days::days(10));
        let (old, _) = signing_cert(Days::days(-900), Days::days(-2));
        let mut routes = HashMap::new();
        routes.insert(
            metadata_path(true),
            Response::ok(xml, metadata_xml(&[valid])),
        );
        routes.insert(
            "/soon.xml?appid=1".to_string(),
            Response::ok(xml, metadata_xml(&[soon])),
        );
        routes.insert(
            "/expired.xml?appid=1".to_string(),
            Response::ok(xml, metadata_xml(&[old])),
        );
        routes.insert(
            format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
            Response::ok(
                "application/json",
                discovery_json("https://localhost:{port}", TENANT),
            )
            .templated(),
        );
        World {
            moto: Moto::start(),
            entra: HttpsServer::start(routes),
            dir: tempdir(),
        }
    }

    fn cmd(&self) -> std::process::Command {
        let mut c = self.moto.cmd(&self.dir.path().join("state"));
        c.current_dir(self.dir.path())
            .env("SSL_CERT_FILE", &self.entra.ca_file)
            .env("COGNITO_ENTRA_AUTHORITY", self.entra.authority());
        c
    }

    fn apply(&self, name: &str, text: &str) {
        let file = self.dir.path().join(format!("{name}.toml"));
        write(&file, text);
        let out = run(self.cmd().args(["apply", "--yes", "--config"]).arg(&file));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    }

    fn doctor(&self, name: &str) -> (Option<i32>, serde_json::Value, String) {
        let out = run(self.cmd().args(["doctor", "--json", "--setup", name]));
        let human = run(self.cmd().args(["doctor", "--setup", name]));
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| serde_json::json!({"stderr": stderr(&out)}));
        (out.status.code(), v, stdout(&human))
    }

    fn ids(&self, name: &str) -> (String, String) {
        let text = std::fs::read_to_string(self.dir.path().join(format!("state/{name}.toml")))
            .unwrap_or_default();
        let t: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}"));
        let aws = &t["aws"];
        (
            aws["user_pool_id"].as_str().unwrap_or_default().into(),
            aws["client_id"].as_str().unwrap_or_default().into(),
        )
    }
}

fn check<'a>(v: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    v["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name))
}

fn saml(name: &str, url: &str) -> String {
    format!(
        "name = \"{name}\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"{name}-users\"\n[domain]\nprefix = \"{name}-login\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/callback\"]\n[saml]\nmetadata_url = \"{url}\"\n"
    )
}

#[test]
fn drift_behind_the_tools_back_is_reported_field_by_field() {
    let w = World::new();
    w.apply("drift", &saml("drift", &w.entra.url(&metadata_path(true))));
    let (code, v, human) = w.doctor("drift");
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["summary"]["fail"], 0, "{v}");
    assert_eq!(
        check(&v, "provider on client").map(|c| c["status"].clone()),
        Some("pass".into())
    );
    assert_eq!(
        check(&v, "Entra signing certificates").map(|c| c["status"].clone()),
        Some("pass".into())
    );
    assert!(human.contains("0 failed"), "{human}");

    // Someone edits the mapping and takes the provider off the client in the console.
    let (pool, client_id) = w.ids("drift");
    let sdk = w.moto.sdk(REGION);
    block_on(async {
        let mut provider = sdk
            .describe_identity_provider(&pool, "EntraID")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no provider"));
        provider.attribute_mapping.insert(
            "email".into(),
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn".into(),
        );
        provider.details.retain(|k, _| {
            ![
                "ActiveEncryptionCertificate",
                "SSORedirectBindingURI",
                "SLORedirectBindingURI",
            ]
            .contains(&k.as_str())
        });
        sdk.update_identity_provider(&pool, &provider)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut client = sdk
            .describe_user_pool_client(&pool, &client_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        client.supported_identity_providers = vec!["COGNITO".into()];
        sdk.update_user_pool_client(&pool, &client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let (code, v, human) = w.doctor("drift");
    assert_eq!(code, Some(1), "{v}");
    let mapping = check(&v, "mapping email").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(mapping["status"], "warn");
    assert!(mapping["detail"].as_str().is_some_and(|d| d.contains("saved \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\", live \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\"")), "{mapping}");
    let on_client = check(&v, "provider on client").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(on_client["status"], "fail");
    assert!(
        on_client["detail"]
            .as_str()
            .is_some_and(|d| d.contains("it lists COGNITO")),
        "{on_client}"
    );
    assert!(
        human.contains("fix: run `cognito-entra apply --setup drift`"),
        "{human}"
    );

    // apply puts it back, and the doctor is content again.
    let file = w.dir.path().join("drift.toml");
    let out = run(w.cmd().args(["apply", "--yes", "--config"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, v, _) = w.doctor("drift");
    assert_eq!(code, Some(0), "{v}");
}

#[test]
fn entra_certificates_warn_before_they_expire_and_fail_after() {
    let w = World::new();
    w.apply("certs", &saml("certs", &w.entra.url(&metadata_path(true))));
    let (pool, _) = w.ids("certs");
    let sdk = w.moto.sdk(REGION);
    let point_at = |url: String| {
        block_on(async {
            let mut p = sdk
                .describe_identity_provider(&pool, "EntraID")
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no provider"));
            p.details.retain(|k, _| {
                ![
                    "ActiveEncryptionCertificate",
                    "SSORedirectBindingURI",
                    "SLORedirectBindingURI",
                ]
                .contains(&k.as_str())
            });
            p.details.insert("MetadataURL".into(), url);
            sdk.update_identity_provider(&pool, &p)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        })
    };
    point_at(w.entra.url("/soon.xml?appid=1"));
    let (code, v, _) = w.doctor("certs");
    assert_eq!(code, Some(0), "a warning is not a failure: {v}");
    let certs = check(&v, "Entra signing certificates").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(certs["status"], "warn", "{certs}");
    assert!(
        certs["detail"]
            .as_str()
            .is_some_and(|d| d.contains("days)")),
        "{certs}"
    );
    assert_eq!(
        check(&v, "provider MetadataURL").map(|c| c["status"].clone()),
        Some("warn".into()),
        "the URL change is drift: {v}"
    );

    point_at(w.entra.url("/expired.xml?appid=1"));
    let (code, v, _) = w.doctor("certs");
    assert_eq!(code, Some(1), "{v}");
    let certs = check(&v, "Entra signing certificates").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(certs["status"], "fail");
    assert!(
        certs["detail"]
            .as_str()
            .is_some_and(|d| d.contains("none is valid now")),
        "{certs}"
    );
}

#[test]
fn an_expired_oidc_secret_fails_with_the_entra_error() {
    let w = World::new();
    let text = format!(
        "name = \"oidc\"\nprotocol = \"oidc\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"oidc-users\"\n[domain]\nprefix = \"oidc-doc-login\"\n[app_client]\nname = \"spa\"\ncallback_urls = [\"https://spa.example.com/\"]\n[oidc]\ntenant_id = \"{TENANT}\"\nclient_id = \"{APP}\"\n"
    );
    let file = w.dir.path().join("oidc.toml");
    write(&file, &text);
    let out = run(w
        .cmd()
        .env("COGNITO_ENTRA_CLIENT_SECRET", "s3cret~value")
        .args(["apply", "--yes", "--config"])
        .arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, v, _) = w.doctor("oidc");
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(
        check(&v, "OIDC discovery").map(|c| c["status"].clone()),
        Some("pass".into()),
        "{v}"
    );
    assert_eq!(
        check(&v, "client secret").map(|c| c["status"].clone()),
        Some("warn".into()),
        "no expiry recorded: {v}"
    );

    // The wizard records the expiry date; here it is written into the state as it would be.
    let state = w.dir.path().join("state/oidc.toml");
    let text = std::fs::read_to_string(&state).unwrap_or_default();
    let text = text.replace(
        "[entra]\n",
        "[entra]\nclient_secret_expires = \"2025-01-31\"\n",
    );
    write(&state, text);
    let (code, v, _) = w.doctor("oidc");
    assert_eq!(code, Some(1), "{v}");
    let secret = check(&v, "client secret").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(secret["status"], "fail");
    assert!(
        secret["detail"]
            .as_str()
            .is_some_and(|d| d.contains("AADSTS7000222")),
        "{secret}"
    );
}

#[test]
fn doctors_fix_fits_where_the_setup_stands() {
    let w = World::new();
    // Applied, then the provider deleted in the console: apply puts it back.
    w.apply(
        "fits",
        &format!(
            "{}encrypted_responses = true\n",
            saml("fits", &w.entra.url(&metadata_path(true)))
        ),
    );
    // Every detail starts in one column, long check names included.
    let (_, v, human) = w.doctor("fits");
    let columns: Vec<usize> = v["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let detail = c["detail"].as_str()?;
            let line = human.lines().find(|l| l.contains(detail))?;
            Some(line[..line.find(detail)?].chars().count())
        })
        .collect();
    assert!(
        human.contains("Cognito encryption certificate") && columns.len() > 5,
        "{human}"
    );
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}\n{human}"
    );
    let (pool, _) = w.ids("fits");
    block_on(
        w.moto
            .sdk(REGION)
            .delete_identity_provider(&pool, "EntraID"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, v, _) = w.doctor("fits");
    assert_eq!(code, Some(1), "{v}");
    let fix = check(&v, "identity provider")
        .map(|c| c["fix"].to_string())
        .unwrap_or_default();
    assert!(
        fix.contains("apply --setup fits` to put the saved setup back"),
        "{fix}"
    );

    // Taken down: nothing is "deleted"; apply creates it (and it can, the setup is complete).
    let out = run(w.cmd().args(["destroy", "--yes", "--setup", "fits"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, v, human) = w.doctor("fits");
    let pool_check = check(&v, "user pool").cloned().unwrap_or_default();
    assert_eq!(
        pool_check["detail"], "the setup has no user pool in Cognito yet",
        "{v}"
    );
    assert!(
        pool_check["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("not applied (new, or taken down by destroy): `cognito-entra apply --setup fits` creates it"),
        "{v}"
    );
    assert!(!human.contains("create the setup again"), "{human}");

    // Stopped at step 7 (pool, domain and client made, no metadata yet): apply cannot take
    // it, so doctor sends the admin back to the step, not to apply.
    let store = cognito_entra::state::StateStore::new(w.dir.path().join("state"));
    let lock = store.lock("fits").unwrap_or_else(|e| panic!("{e}"));
    let mut state = store
        .load_existing("fits")
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(s) = state.answers.saml.as_mut() {
        s.metadata_url = None;
    }
    state.mark_done(&cognito_entra::journey::Step::ALL[..6]);
    lock.save(&mut state).unwrap_or_else(|e| panic!("{e}"));
    drop(lock);
    let (_, v, _) = w.doctor("fits");
    let fix = check(&v, "user pool")
        .map(|c| c["fix"].to_string())
        .unwrap_or_default();
    assert!(
        fix.contains("stands at step 7") && fix.contains("cognito-entra wizard --setup fits"),
        "{fix}"
    );
    assert!(!fix.contains("apply"), "{fix}");
}

/// `doctor --all`: every saved setup at once — a healthy one, one whose provider was taken
/// off its client behind the tool's back, one whose Entra certificate expires in 10 days, and
/// a state file that cannot be read — each its own verdict; exit 1 because one fails; each
/// JSON entry exactly what `doctor --setup NAME --json` prints for it.
#[test]
fn doctor_all_judges_every_setup_on_its_own() {
    let w = World::new();
    w.apply(
        "healthy",
        &saml("healthy", &w.entra.url(&metadata_path(true))),
    );
    w.apply(
        "expiring",
        &saml("expiring", &w.entra.url("/soon.xml?appid=1")),
    );
    w.apply(
        "broken",
        &saml("broken", &w.entra.url(&metadata_path(true))),
    );
    let (pool, client) = w.ids("broken");
    let sdk = w.moto.sdk(REGION);
    let mut config =
        block_on(sdk.describe_user_pool_client(&pool, &client)).unwrap_or_else(|e| panic!("{e}"));
    config.supported_identity_providers = vec!["COGNITO".into()];
    block_on(sdk.update_user_pool_client(&pool, &config)).unwrap_or_else(|e| panic!("{e}"));
    write(
        &w.dir.path().join("state/garbled.toml"),
        "this is not = [toml",
    );

    let out = run(w.cmd().args(["doctor", "--all", "--json"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    let entry = |name: &str| -> serde_json::Value {
        v["setups"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["setup"] == name).cloned())
            .unwrap_or_else(|| panic!("no entry for {name}: {v:#}"))
    };
    assert_eq!(entry("healthy")["summary"]["fail"], 0, "{v:#}");
    assert_eq!(entry("healthy")["summary"]["warn"], 0, "{v:#}");
    assert!(
        entry("broken")["summary"]["fail"].as_u64().unwrap_or(0) > 0,
        "{v:#}"
    );
    assert!(
        entry("broken")["next_step"].as_str().unwrap_or("").len() > 10,
        "{v:#}"
    );
    let expiring = entry("expiring");
    assert_eq!(expiring["summary"]["fail"], 0, "{v:#}");
    assert!(
        expiring["summary"]["warn"].as_u64().unwrap_or(0) > 0,
        "{v:#}"
    );
    assert_eq!(
        expiring["expiries"][0]["what"], "Entra SAML signing certificate",
        "{v:#}"
    );
    assert!(
        expiring["expiries"][0]["days"].as_i64().unwrap_or(99) <= 10,
        "{v:#}"
    );
    assert_eq!(entry("garbled")["summary"]["fail"], 1, "{v:#}");
    assert_eq!(v["summary"]["setups"], 4, "{v:#}");
    assert_eq!(v["summary"]["failing"], 2, "{v:#}");
    // Each entry is what doctor --setup NAME --json prints (the same checks, summary, next step).
    let (_, single, _) = w.doctor("expiring");
    assert_eq!(single["checks"], expiring["checks"], "{single:#}");
    assert_eq!(single["summary"], expiring["summary"]);
    assert_eq!(single["next_step"], expiring["next_step"]);

    // The table: one row each, the next expiry and what it is; --quiet keeps the failures.
    let table = stdout(&run(w.cmd().args(["doctor", "--all"])));
    for text in [
        "SETUP",
        "NEXT EXPIRY",
        "healthy",
        "broken",
        "expiring",
        "Entra SAML signing certificate (in ",
        "4 setups checked: 2 failing, 1 with warnings, 1 passing (expiries are warned of 30 days ahead).",
    ] {
        assert!(table.contains(text), "{text}:\n{table}");
    }
    let quiet = stdout(&run(w.cmd().args(["doctor", "--all", "--quiet"])));
    assert!(
        quiet.contains("broken") && !quiet.contains("healthy "),
        "{quiet}"
    );
    // A horizon of 5 days: the certificate 10 days out is no warning.
    let wide = run(w.cmd().args(["doctor", "--all", "--json", "--within", "5"]));
    let v: serde_json::Value = serde_json::from_slice(&wide.stdout).unwrap_or_default();
    let expiring = v["setups"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["setup"] == "expiring").cloned())
        .unwrap_or_default();
    assert_eq!(expiring["summary"]["warn"], 0, "{v:#}");
}

/// Fit for cron: with every setup healthy, exit 0 and nothing asked.
#[test]
fn doctor_all_passes_quietly_when_all_is_well() {
    let w = World::new();
    w.apply("one", &saml("one", &w.entra.url(&metadata_path(true))));
    w.apply("two", &saml("two", &w.entra.url(&metadata_path(true))));
    let out = run(w
        .cmd()
        .args(["doctor", "--all", "--quiet"])
        .stdin(std::process::Stdio::null()));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(
        stdout(&out).trim(),
        "2 setups checked: 0 failing, 0 with warnings, 2 passing (expiries are warned of 30 days ahead)."
    );
}
