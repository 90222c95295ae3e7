//! `apply --entra graph`: the Entra side made through Microsoft Graph, against a stand-in for
//! Graph and the device code flow (tests/support/graph_standin.py, written from Microsoft's
//! documented shapes, over HTTPS) and the Cognito emulator: from an empty tenant and an empty
//! account to a working provider, a second run that writes nothing on either side, a secret
//! that leaves no trace, Graph's throttling and refusals, and a lost answer finished by the
//! next run without a second application.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cognito_entra_cognito::api::CognitoApi;
use common::moto::block_on;
use common::*;

use common::graph_world::{GraphWorld as World, REGION};

impl World {
    /// `doctor --entra graph --json` of a saved setup.
    fn doctor(&self, name: &str) -> serde_json::Value {
        let mut c = self.cmd();
        c.args(["doctor", "--setup", name, "--entra", "graph", "--json"]);
        let out = run(&mut c);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)))
    }

    fn destroy(&self, name: &str) -> std::process::Output {
        let mut c = self.cmd();
        c.args(["destroy", "--yes", "--setup", name]);
        run(&mut c)
    }

    fn app_id(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.path().join(format!("state/{name}.toml")))
            .unwrap_or_default();
        let state: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}"));
        state["entra"]["graph"]["app_id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Every file under the world's folders, as text.
    fn files_text(&self) -> String {
        fn walk(dir: &Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push_str(&String::from_utf8_lossy(
                        &std::fs::read(&path).unwrap_or_default(),
                    ));
                }
            }
        }
        let mut out = String::new();
        walk(self.dir.path(), &mut out);
        out
    }
}

/// A doctor check's status by its name.
fn status(v: &serde_json::Value, name: &str) -> String {
    v["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
        .map(|c| c["status"].as_str().unwrap_or_default().to_string())
        .unwrap_or_else(|| format!("no check {name}: {v}"))
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    format!("{}{}", stdout(out), stderr(out))
}

#[test]
fn saml_from_an_empty_tenant_and_account_and_a_second_run_writes_nothing() {
    let w = World::new();
    let config = w.config("corp", "saml", "");
    // The plan first: both sides shown, nothing written on either.
    let mut plan = w.cmd();
    plan.args(["plan", "--config"]).arg(&config);
    let planned = ok(&run(&mut plan));
    assert!(
        planned.contains("+ user pool") && planned.contains("+ enterprise application  corp"),
        "{planned}"
    );
    assert_eq!(w.entra.writes(), 0);
    // With --json, one JSON object on stdout, both sides in it.
    let mut plan = w.cmd();
    plan.args(["plan", "--json", "--config"]).arg(&config);
    let out = run(&mut plan);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    assert_eq!(
        v["entra_changes"][0]["action"], "create_enterprise_app",
        "{v}"
    );
    assert!(
        v["cognito_first"]["changes"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{v}"
    );
    assert!(
        block_on(w.moto.sdk(REGION).list_user_pools())
            .unwrap_or_default()
            .is_empty()
    );

    let out = ok(&w.apply(&config));
    assert!(out.contains("GQ7W-XK2P"), "the device code is shown: {out}");
    assert!(out.contains("+ enterprise application  corp"), "{out}");
    let provider = w.provider("EntraID");
    let metadata_url = provider
        .details
        .get("MetadataURL")
        .cloned()
        .unwrap_or_default();
    assert!(
        metadata_url.starts_with(&w.entra.authority) && metadata_url.contains("?appid="),
        "the app's own metadata: {metadata_url}"
    );
    let state = std::fs::read_to_string(w.dir.path().join("state/corp.toml")).unwrap_or_default();
    assert!(
        state.contains("[entra.graph]") && state.contains("created = true"),
        "{state}"
    );
    let writes = w.entra.writes();
    assert!(
        writes >= 5,
        "instantiate, SAML mode, URLs, certificate, active: {writes}"
    );

    let again = ok(&w.apply(&config));
    assert_eq!(
        w.entra.writes(),
        writes,
        "no Graph write the second time: {again}"
    );
    assert!(again.contains("No changes"), "{again}");
    assert!(
        !again.contains("[1/"),
        "no Cognito write the second time: {again}"
    );
    // A Graph that never tells a certificate's thumbprint: the active one is taken as held,
    // not a new signing certificate made at every run.
    w.entra.switches(r#"{"opaque_keys": true}"#);
    let again = ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes, "{again}");
    w.entra.switches("{}");

    // doctor, signed in, holds the application against what Cognito needs.
    let v = w.doctor("corp");
    for name in [
        "Entra Identifier",
        "Entra Reply URL",
        "Entra signing certificate",
    ] {
        assert_eq!(status(&v, name), "pass", "{name}: {v}");
    }
    // The Reply URL removed in the portal: named before a user meets AADSTS50011.
    w.entra.ask("__forget_reply_urls");
    let v = w.doctor("corp");
    assert_eq!(status(&v, "Entra Reply URL"), "fail", "{v}");
    assert!(v.to_string().contains("AADSTS50011"), "{v}");
}

#[test]
fn oidc_gets_a_secret_from_graph_that_leaves_no_trace() {
    let w = World::new();
    let config = w.config("hr", "oidc", "");
    let out = ok(&w.apply(&config));
    let provider = w.provider("entra");
    let secret = provider
        .details
        .get("client_secret")
        .cloned()
        .unwrap_or_default();
    assert!(secret.len() > 20, "Cognito has the secret Graph made");
    assert!(!out.contains(&secret), "the secret is not printed");
    assert!(
        !w.files_text().contains(&secret),
        "the secret is not on disk"
    );
    let state = std::fs::read_to_string(w.dir.path().join("state/hr.toml")).unwrap_or_default();
    assert!(
        state.contains("client_secret_expires"),
        "its expiry is: {state}"
    );
    let issuer = provider
        .details
        .get("oidc_issuer")
        .cloned()
        .unwrap_or_default();
    assert!(
        issuer.contains("8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b"),
        "{issuer}"
    );

    let writes = w.entra.writes();
    let again = ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes, "no second secret: {again}");
    assert!(again.contains("No changes"), "{again}");
    // The optional claims the mapping reads are in the ID token.
    assert_eq!(
        w.entra.ask("__applications")["id_token_claims"]["hr"],
        serde_json::json!(["email", "family_name", "given_name"])
    );
    let v = w.doctor("hr");
    for name in ["Entra redirect URI", "Entra client secret"] {
        assert_eq!(status(&v, name), "pass", "{name}: {v}");
    }
    // What Graph gave is known to values and export: the issuer is the tenant's.
    let mut c = w.cmd();
    c.args(["values", "--setup", "hr", "--json"]);
    let values: serde_json::Value = serde_json::from_str(&ok(&run(&mut c))).unwrap_or_default();
    assert_eq!(values["oidc_issuer"], issuer.as_str(), "{values}");
    assert!(
        !values["pending"].to_string().contains("oidc_issuer"),
        "{values}"
    );
    let mut c = w.cmd();
    c.args(["export", "--setup", "hr", "--format", "terraform"]);
    let out = run(&mut c);
    let exported = ok(&out);
    assert!(exported.contains(&issuer), "{exported}");
    assert!(!stderr(&out).contains("not known"), "{}", stderr(&out));

    // A second setup adopting the same registration (by app_id) adds its redirect URI; its
    // destroy keeps the registration, the first setup's destroy removes it.
    let app_id = w.app_id("hr");
    let second = w.config("hr2", "oidc", &format!("app_id = \"{app_id}\"\n"));
    ok(&w.apply(&second));
    let kept = ok(&w.destroy("hr2"));
    assert!(kept.contains("adopted: kept"), "{kept}");
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["hr"])
    );
    let removed = ok(&w.destroy("hr"));
    assert!(
        removed.contains("Entra application") && removed.contains("removed"),
        "{removed}"
    );
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!([])
    );
}

#[test]
fn throttling_is_waited_out_and_a_refusal_names_the_permission() {
    let w = World::new();
    w.entra.switches(r#"{"throttle_every": 3}"#);
    ok(&w.apply(&w.config("slow", "saml", "")));

    let w = World::new();
    w.entra.switches(r#"{"deny": "instantiate"}"#);
    let out = w.apply(&w.config("denied", "saml", ""));
    assert_ne!(out.status.code(), Some(0));
    let said = stderr(&out);
    assert!(
        said.contains("Application.ReadWrite.All") && said.contains("Application Administrator"),
        "{said}"
    );

    let w = World::new();
    w.entra.switches(r#"{"device": "declined"}"#);
    let out = w.apply(&w.config("declined", "saml", ""));
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("declined"), "{}", stderr(&out));
}

#[test]
fn a_lost_answer_after_each_graph_write_is_finished_by_the_next_run() {
    // SAML makes five writes: the application, SAML mode, the URLs, the certificate, making
    // it active. Each in turn is made and its answer lost; the next run finishes the work
    // with one application, and a third run writes nothing.
    for lost in 1..=5 {
        let w = World::new();
        let config = w.config("lost", "saml", "");
        w.entra
            .switches(&format!(r#"{{"drop_after_writes": {lost}}}"#));
        let out = w.apply(&config);
        assert_ne!(out.status.code(), Some(0), "write {lost}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("run again"),
            "write {lost}: {}",
            stderr(&out)
        );
        w.entra.switches("{}");
        // Past Graph's replication delay, as a person re-running would be.
        std::thread::sleep(Duration::from_millis(800));
        ok(&w.apply(&config));
        let names = w.entra.ask("__applications");
        assert_eq!(
            names["names"],
            serde_json::json!(["lost"]),
            "write {lost}: {names}"
        );
        let certificates = w.entra.ask("__certificates");
        assert_eq!(
            certificates["count"], 1,
            "write {lost}: one signing certificate: {certificates}"
        );
        let writes = w.entra.writes();
        let again = ok(&w.apply(&config));
        assert_eq!(w.entra.writes(), writes, "write {lost}: {again}");
        assert!(again.contains("No changes"), "write {lost}: {again}");
    }
}

#[test]
fn users_and_groups_are_assigned_once_and_an_unknown_one_is_named() {
    let w = World::new();
    let config = w.config(
        "team",
        "saml",
        "assign = [\"ada@contoso.example\", \"Sales\"]\n",
    );
    let out = ok(&w.apply(&config));
    assert!(
        out.contains("user ada@contoso.example may sign in")
            && out.contains("group Sales may sign in"),
        "{out}"
    );
    assert_eq!(w.entra.ask("__assignments")["count"], 2);
    // With the application's default User role, as the portal assigns them (not msiam_access).
    assert_eq!(
        w.entra.ask("__assignments")["roles"],
        serde_json::json!(["User"])
    );
    let writes = w.entra.writes();
    ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes, "assigned once");
    // Graph pages its lists: the assignments on every page are read, none made again.
    w.entra.switches(r#"{"page_size": 1}"#);
    let again = ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes, "read across pages: {again}");
    w.entra.switches("{}");

    // Someone the tenant does not have: named, with the fix, and nothing assigned.
    let config = w.config(
        "team",
        "saml",
        "assign = [\"ada@contoso.example\", \"nobody@contoso.example\"]\n",
    );
    let out = w.apply(&config);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("entra.assign: no user or group \"nobody@contoso.example\""),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.entra.ask("__assignments")["count"], 2);
}

#[test]
fn the_azure_clis_token_can_be_used_instead() {
    let w = World::new();
    // A stand-in `az`, signed in: prints its token as `az account get-access-token` does,
    // and what it was given in its environment.
    let (bin, token) = fake_az(&w, "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b");
    let seen_env = w.dir.path().join("az-env");
    let config = w.config("cli", "oidc", "");
    let mut c = w.cmd();
    c.args(["apply", "--yes", "--entra-sign-in", "az-cli", "--config"])
        .arg(&config)
        .env("AZURE_CLIENT_SECRET", "pipeline-secret-az-must-not-see")
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    let out = ok(&run(&mut c));
    assert!(
        !out.contains("GQ7W-XK2P"),
        "no device code with the CLI's token: {out}"
    );
    assert!(!out.contains(&token), "the token is never printed");
    let env = std::fs::read_to_string(&seen_env).unwrap_or_default();
    assert!(
        env.contains("PATH=")
            && !env.contains("AWS_SECRET_ACCESS_KEY")
            && !env.contains("AZURE_CLIENT_SECRET"),
        "az gets no secret of ours: {env}"
    );
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["cli"])
    );
}

#[test]
fn killed_after_each_cognito_write_a_rerun_converges_with_one_application() {
    // Pool, domain and client (before Entra), then the provider and the client's update
    // (after it): killed right after each, the next run finishes with one application.
    for write_number in 1..=5 {
        let w = World::new();
        let config = w.config("killed", "saml", "");
        let mut c = w.cmd();
        c.args(["apply", "--yes", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(w.dir.path().join("out"));
        kill_after_write(&mut c, write_number);
        std::thread::sleep(Duration::from_millis(800));
        ok(&w.apply(&config));
        assert_eq!(
            w.entra.ask("__applications")["names"],
            serde_json::json!(["killed"]),
            "write {write_number}"
        );
        assert_eq!(
            block_on(w.moto.sdk(REGION).list_user_pools())
                .unwrap_or_default()
                .len(),
            1,
            "write {write_number}: one pool"
        );
        let again = ok(&w.apply(&config));
        assert!(
            again.contains("No changes"),
            "write {write_number}: {again}"
        );
    }
}

/// Cognito's certificate text as its upper-case hex thumbprint.
fn thumbprint_of(text: &str) -> String {
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(str::split_whitespace)
        .collect();
    cognito_entra::entra_facts::parse_certificate(&b64)
        .unwrap_or_else(|e| panic!("{e}"))
        .thumbprint
}

#[test]
fn signed_requests_and_encrypted_assertions_get_cognitos_certificates_in_entra() {
    let w = World::new();
    let config = w.config(
        "corp",
        "saml",
        "[saml]\nsign_requests = true\nencrypted_responses = true\n",
    );
    // Before the pool and the provider exist, the certificates are shown waiting for them.
    let mut plan = w.cmd();
    plan.args(["plan", "--config"]).arg(&config);
    let planned = ok(&run(&mut plan));
    for line in [
        "+ verification certificate Cognito's signing certificate (once Cognito has made the user pool)",
        "Require verification certificates = on",
        "+ token encryption        Cognito's encryption certificate (once Cognito has made the provider)",
    ] {
        assert!(planned.contains(line), "{line}: {planned}");
    }
    assert!(!planned.contains("not done through Graph"), "{planned}");

    let out = ok(&w.apply(&config));
    assert!(out.contains("✓ Entra: token encryption"), "{out}");
    // As Microsoft's how-to does it, where v1.0 refuses usage Encrypt: on /beta, the key
    // first, then the key ID, in two requests.
    let beta = w.entra.ask("__beta")["requests"].clone();
    let patches: Vec<&str> = beta
        .as_array()
        .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(patches.len(), 2, "{beta}");
    assert!(
        patches
            .iter()
            .all(|p| p.starts_with("PATCH /applications/")),
        "{beta}"
    );
    let pool = w.pool_id();
    let signing = thumbprint_of(
        &block_on(w.moto.sdk(REGION).get_signing_certificate(&pool)).unwrap_or_default(),
    );
    let encryption = thumbprint_of(
        w.provider("EntraID")
            .details
            .get("ActiveEncryptionCertificate")
            .map(String::as_str)
            .unwrap_or_default(),
    );
    let keys = w.entra.ask("__app_keys");
    let app = &keys["corp"];
    let key = |usage: &str, thumbprint: &str| {
        app["keys"].as_array().and_then(|k| {
            k.iter()
                .find(|k| k["usage"] == usage && k["thumbprint"] == thumbprint)
                .cloned()
        })
    };
    assert!(key("Verify", &signing).is_some(), "{signing}: {app}");
    let encrypt = key("Encrypt", &encryption).unwrap_or_else(|| panic!("{encryption}: {app}"));
    assert_eq!(app["tokenEncryptionKeyId"], encrypt["keyId"], "{app}");
    assert_eq!(
        app["requestSignatureVerification"]["isSignedRequestRequired"], true,
        "{app}"
    );
    assert!(
        !out.contains("Verification certificates › Upload this file"),
        "no portal step for what Graph did: {out}"
    );

    let writes = w.entra.writes();
    let again = ok(&w.apply(&config));
    assert_eq!(
        w.entra.writes(),
        writes,
        "no Graph write the second time: {again}"
    );
    // Listings that do not tell a certificate's thumbprint: read in full, not added again.
    w.entra.switches(r#"{"bare_key_listing": true}"#);
    let again = ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes, "none the third time: {again}");
    w.entra.switches("{}");
    let v = w.doctor("corp");
    for name in [
        "Entra verification certificate",
        "Entra signed requests",
        "Entra token encryption",
    ] {
        assert_eq!(status(&v, name), "pass", "{name}: {v}");
    }

    // Somebody's own certificate and a weak-algorithm allowance on the application, and
    // signed requests turned off: only the switch is put back; the rest stays as it is.
    w.entra.ask("__app_add_key");
    let v = w.doctor("corp");
    assert_eq!(status(&v, "Entra signed requests"), "warn", "{v}");
    let out = ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes + 1, "{out}");
    let app = &w.entra.ask("__app_keys")["corp"];
    assert_eq!(app["keys"].as_array().map(Vec::len), Some(3), "{app}");
    assert_eq!(
        app["requestSignatureVerification"],
        serde_json::json!({"isSignedRequestRequired": true, "allowedWeakAlgorithms": "rsaSha1"}),
        "{app}"
    );
}

#[test]
fn a_lost_answer_after_each_certificate_write_is_finished_without_a_second_key() {
    // With signed requests and encrypted assertions, writes 6 to 9 hand Entra Cognito's
    // certificates: the verification certificate, the signed-request switch, the encryption
    // certificate and then its key ID (after Cognito's provider). Each answer lost in turn:
    // the next run ends with one key of each, and a third run writes nothing.
    for lost in 6..=9 {
        let w = World::new();
        let config = w.config(
            "lost",
            "saml",
            "[saml]\nsign_requests = true\nencrypted_responses = true\n",
        );
        w.entra
            .switches(&format!(r#"{{"drop_after_writes": {lost}}}"#));
        let out = w.apply(&config);
        assert_ne!(out.status.code(), Some(0), "write {lost}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("again"),
            "write {lost}: {}",
            stderr(&out)
        );
        w.entra.switches("{}");
        std::thread::sleep(Duration::from_millis(800));
        ok(&w.apply(&config));
        let app = &w.entra.ask("__app_keys")["lost"];
        let count = |usage: &str| {
            app["keys"]
                .as_array()
                .map(|k| k.iter().filter(|k| k["usage"] == usage).count())
        };
        assert_eq!(count("Verify"), Some(1), "write {lost}: {app}");
        assert_eq!(count("Encrypt"), Some(1), "write {lost}: {app}");
        let writes = w.entra.writes();
        let again = ok(&w.apply(&config));
        assert_eq!(w.entra.writes(), writes, "write {lost}: {again}");
    }
}

/// A SAML mapping reading claims beyond Entra's default set: one named after a user attribute,
/// one not (left to the portal, said), and the groups claim.
const CLAIMS_MAPPING: &str = "[provider.attribute_mapping]\nemail = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"\naddress = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/streetaddress\"\nnickname = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/JobTitle\"\nmiddle_name = \"https://example.com/claims/favourite-colour\"\nwebsite = \"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups\"\n";

#[test]
fn claims_the_mapping_reads_are_sent_through_a_policy_of_the_tools_own() {
    let w = World::new();
    let config = w.config("corp", "saml", CLAIMS_MAPPING);
    let mut plan = w.cmd();
    plan.args(["plan", "--config"]).arg(&config);
    let planned = ok(&run(&mut plan));
    for line in [
        "groups claim = security groups",
        "+ claims-mapping policy",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/streetaddress ← user.streetaddress",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/JobTitle ← user.jobtitle",
        // The one the tool cannot make is left to the portal, and said.
        "middle_name is mapped from https://example.com/claims/favourite-colour",
    ] {
        assert!(planned.contains(line), "{line}: {planned}");
    }

    ok(&w.apply(&config));
    let policies = w.entra.ask("__policies");
    // The portal's default claims restated (the policy supersedes Attributes & Claims).
    assert_eq!(
        policies["policies"],
        serde_json::json!([{
            "displayName": "cognito-entra: claims for corp",
            "claims": {
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": "userprincipalname",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "mail",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": "givenname",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "surname",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "userprincipalname",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/streetaddress": "streetaddress",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/JobTitle": "jobtitle",
            },
            "appliesTo": ["corp"],
        }]),
        "{policies}"
    );
    assert_eq!(
        policies["groupMembershipClaims"]["corp"], "SecurityGroup",
        "{policies}"
    );
    let writes = w.entra.writes();
    let again = ok(&w.apply(&config));
    assert_eq!(
        w.entra.writes(),
        writes,
        "no Graph write the second time: {again}"
    );

    // A claim added to the mapping later: the tool's policy gains it, keeping the others.
    let wider = w.config(
        "corp",
        "saml",
        &format!(
            "{CLAIMS_MAPPING}zoneinfo = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department\"\n"
        ),
    );
    let out = ok(&w.apply(&wider));
    assert!(out.contains("✓ Entra: claims-mapping policy"), "{out}");
    let policies = w.entra.ask("__policies");
    assert_eq!(
        policies["policies"][0]["claims"]
            .as_object()
            .map(|c| c.len()),
        Some(8),
        "{policies}"
    );
    assert_eq!(policies["policies"].as_array().map(Vec::len), Some(1));

    // destroy takes the application and the tool's policy with it.
    ok(&w.destroy("corp"));
    let policies = w.entra.ask("__policies");
    assert_eq!(policies["policies"], serde_json::json!([]), "{policies}");
}

const CLAIMS: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";

fn emitted(w: &World, name: &str) -> serde_json::Value {
    w.entra.ask(&format!("__emitted_claims?name={name}"))["claims"].clone()
}

fn plan_of(w: &World, config: &Path) -> String {
    let mut plan = w.cmd();
    plan.args(["plan", "--config"]).arg(config);
    let out = run(&mut plan);
    format!("{}{}", ok(&out), stderr(&out))
}

/// Real Entra: a claims-mapping policy supersedes the portal's Attributes & Claims, so the
/// NameID, email and name claims Cognito's mapping reads would stop once it is assigned
/// unless the policy restates them.
#[test]
fn the_claims_policy_restates_the_portals_claims_and_the_plan_says_they_no_longer_apply() {
    let w = World::new();
    // A setup that needs no policy: none made, nothing said about the portal's claims.
    let plain = w.config("corp", "saml", "[provider.attribute_mapping]\nemail = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"\n");
    let planned = plan_of(&w, &plain);
    assert!(!planned.contains("claims-mapping policy"), "{planned}");
    assert!(!planned.contains("Attributes & Claims"), "{planned}");
    ok(&w.apply(&plain));
    assert_eq!(w.entra.ask("__policies")["policies"], serde_json::json!([]));
    let before = emitted(&w, "corp");
    assert_eq!(before[format!("{CLAIMS}/emailaddress")], "mail", "{before}");

    // The admin customizes Attributes & Claims in the portal (NameID from mail, a jobtitle
    // claim, a claim made by a transformation); then the mapping reads department.
    w.entra.ask("__portal_claims?name=corp");
    let wider = w.config(
        "corp",
        "saml",
        &format!("[provider.attribute_mapping]\nemail = \"{CLAIMS}/emailaddress\"\nzoneinfo = \"{CLAIMS}/department\"\n"),
    );
    let planned = plan_of(&w, &wider);
    for said in [
        "Entra then sends what it says instead of the portal's Attributes & Claims",
        "the portal's Attributes & Claims for corp no longer apply",
        "NameID ← user.mail",
        &format!("{CLAIMS}/jobtitle ← user.jobtitle"),
        &format!("{CLAIMS}/department ← user.department"),
        "Change this application's claims in the setup's mapping from now on, not in the portal",
        &format!(
            "will stop being sent once the policy is assigned: {CLAIMS}/upnprefix (a transformation)"
        ),
    ] {
        assert!(planned.contains(said), "{said}: {planned}");
    }
    ok(&w.apply(&wider));
    let after = emitted(&w, "corp");
    for (claim, source) in [
        ("nameidentifier", "mail"),
        ("emailaddress", "mail"),
        ("givenname", "givenname"),
        ("surname", "surname"),
        ("name", "userprincipalname"),
        ("jobtitle", "jobtitle"),
        ("department", "department"),
    ] {
        assert_eq!(
            after[format!("{CLAIMS}/{claim}")],
            source,
            "{claim}: {after}"
        );
    }
    assert!(
        after.get(format!("{CLAIMS}/upnprefix")).is_none(),
        "{after}"
    );

    // A second plan: nothing to change in Entra.
    let writes = w.entra.writes();
    let again = plan_of(&w, &wider);
    assert!(
        again.contains("No changes: the application holds what Cognito needs."),
        "{again}"
    );
    ok(&w.apply(&wider));
    assert_eq!(w.entra.writes(), writes);
}

#[test]
fn a_lost_answer_around_the_claims_policy_leaves_one_policy_assigned() {
    // Writes 6 to 8: the groups claim, the policy made, the policy assigned.
    for lost in 7..=8 {
        let w = World::new();
        let config = w.config("lost", "saml", CLAIMS_MAPPING);
        w.entra
            .switches(&format!(r#"{{"drop_after_writes": {lost}}}"#));
        let out = w.apply(&config);
        assert_ne!(out.status.code(), Some(0), "write {lost}: {}", stdout(&out));
        w.entra.switches("{}");
        std::thread::sleep(Duration::from_millis(800));
        ok(&w.apply(&config));
        let policies = w.entra.ask("__policies");
        assert_eq!(
            policies["policies"].as_array().map(Vec::len),
            Some(1),
            "write {lost}: {policies}"
        );
        assert_eq!(
            policies["policies"][0]["appliesTo"],
            serde_json::json!(["lost"]),
            "write {lost}: {policies}"
        );
        let writes = w.entra.writes();
        ok(&w.apply(&config));
        assert_eq!(w.entra.writes(), writes, "write {lost}");
    }
    // Without the policy permission, the refusal names it.
    let w = World::new();
    let config = w.config("denied", "saml", CLAIMS_MAPPING);
    w.entra.switches(r#"{"deny": "claimsMappingPolicies"}"#);
    let out = w.apply(&config);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("Policy.ReadWrite.ApplicationConfiguration"),
        "{}",
        stderr(&out)
    );
}

/// A setup whose application Graph made from the wizard keeps manual mode and the metadata
/// URL Graph gave; `apply --setup NAME --entra graph` goes through it again (what Graph gave
/// is not refused as "given") and writes nothing that is there.
#[test]
fn a_setup_graph_made_in_the_wizard_can_be_applied_with_entra_graph() {
    let w = World::new();
    let config = w.config("corp", "saml", "");
    ok(&w.apply(&config));
    let state_path = w.dir.path().join("state/corp.toml");
    let mut state: toml::Table = std::fs::read_to_string(&state_path)
        .unwrap_or_default()
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let url = w
        .provider("EntraID")
        .details
        .get("MetadataURL")
        .cloned()
        .unwrap_or_default();
    // As the wizard leaves it: manual mode, the metadata URL in the answers.
    if let Some(answers) = state.get_mut("answers").and_then(|a| a.as_table_mut()) {
        if let Some(entra) = answers.get_mut("entra").and_then(|e| e.as_table_mut()) {
            entra.insert("mode".into(), toml::Value::String("manual".into()));
        }
        let mut saml = toml::Table::new();
        saml.insert("metadata_url".into(), toml::Value::String(url));
        answers.insert("saml".into(), toml::Value::Table(saml));
    }
    write(&state_path, toml::to_string(&state).unwrap_or_default());
    let writes = w.entra.writes();
    let mut c = w.cmd();
    c.args(["apply", "--yes", "--setup", "corp", "--entra", "graph"]);
    let out = ok(&run(&mut c));
    assert!(
        out.contains("No changes: the application holds what Cognito needs"),
        "{out}"
    );
    assert_eq!(w.entra.writes(), writes, "{out}");
}

/// A stand-in `az` in `dir/bin`, signed in to `tenant`: prints a token of the Graph stand-in
/// as `az account get-access-token` does, and writes the arguments and the environment it was
/// given to `dir/az-args` and `dir/az-env`. Returns its folder (for PATH) and its token.
fn fake_az(w: &World, tenant: &str) -> (PathBuf, String) {
    let token = w.entra.ask("__token")["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let bin = w.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
    let az = bin.join("az");
    write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" > {}\nenv > {}\nprintf '%s' '{{\"accessToken\": \"{token}\", \"expiresOn\": \"2030-01-01 00:00:00.000000\", \"tenant\": \"{tenant}\", \"tokenType\": \"Bearer\"}}'\n",
            w.dir.path().join("az-args").display(),
            w.dir.path().join("az-env").display()
        ),
    );
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&az)
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    (bin, token)
}

#[test]
fn graph_works_in_the_tenant_the_setup_names_and_stops_before_any_write_in_another() {
    const HOME: &str = "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b";
    const OTHER: &str = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
    let w = World::new();

    // The Azure CLI signed in to another tenant than the setup's: stopped before anything is
    // written on either side, naming both tenants; az was asked for the setup's tenant.
    let (bin, _) = fake_az(&w, HOME);
    let args = w.dir.path().join("az-args");
    let config = w.config("pinned", "saml", &format!("tenant = \"{OTHER}\"\n"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = w.cmd();
    c.args(["apply", "--yes", "--entra-sign-in", "az-cli", "--config"])
        .arg(&config)
        .env("PATH", &path);
    let out = run(&mut c);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "the sign-in is for tenant {HOME}, but the setup works in tenant {OTHER}"
        )),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(&args)
            .unwrap_or_default()
            .contains(&format!("--tenant {OTHER}")),
        "az was not asked for the tenant"
    );
    assert_eq!(w.entra.writes(), 0);
    assert!(
        block_on(w.moto.sdk(REGION).list_user_pools())
            .unwrap_or_default()
            .is_empty(),
        "nothing in AWS either"
    );

    // The device code goes to the tenant named by its verified domain (the flag over the
    // setup), which is the signed-in one: the run goes through.
    let config = w.config("pinned", "saml", &format!("tenant = \"{OTHER}\"\n"));
    let mut c = w.cmd();
    c.args([
        "apply",
        "--yes",
        "--entra-tenant",
        "contoso.example",
        "--config",
    ])
    .arg(&config)
    .arg("--out")
    .arg(w.dir.path().join("out"));
    ok(&run(&mut c));
    assert_eq!(
        w.entra.ask("__signins")["tenants"],
        serde_json::json!(["contoso.example"])
    );

    // COGNITO_ENTRA_TENANT with a tenant Entra does not know: Entra's own answer, named.
    let mut c = w.cmd();
    c.args(["plan", "--config"])
        .arg(&config)
        .env("COGNITO_ENTRA_TENANT", OTHER);
    let out = run(&mut c);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("AADSTS90002"), "{}", stderr(&out));
}

#[test]
fn a_tenant_given_in_graph_mode_is_refused_by_the_key_given() {
    let w = World::new();
    let config = w.config(
        "keys",
        "oidc",
        "[oidc]\ntenant_id = \"8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b\"\n",
    );
    let out = w.apply(&config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("oidc.tenant_id: tenant_id is given"), "{err}");
    assert!(!err.contains("oidc.client_id"), "{err}");
    assert!(err.contains("set tenant = "), "{err}");
}

#[test]
fn what_cognito_would_refuse_stops_the_graph_run_before_any_write_on_either_side() {
    let w = World::new();
    // A custom attribute mapped on a pool the setup creates: Cognito's side refuses it
    // whatever Entra gives back, so nothing may be written first.
    let config = w.config(
        "early",
        "saml",
        "[provider.attribute_mapping]\nemail = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"\n\"custom:dept\" = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department\"\n",
    );
    let out = w.apply(&config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("nothing was changed in Cognito or Entra") && err.contains("custom:dept"),
        "{err}"
    );
    assert!(
        !err.contains("To sign in, open"),
        "refused before the sign-in: {err}"
    );
    assert_eq!(w.entra.writes(), 0);
    assert!(
        block_on(w.moto.sdk(REGION).list_user_pools())
            .unwrap_or_default()
            .is_empty(),
        "no pool made"
    );
}

#[test]
fn two_applies_at_once_on_one_setup_make_one_application() {
    let w = World::new();
    // The first run's sign-in waits a few seconds (the admin typing the code): the second
    // run, started meanwhile, must find the setup locked before it signs in or writes.
    w.entra.switches(r#"{"pending_polls": 4}"#);
    let config = w.config("twice", "saml", "");
    let mut first = w.cmd();
    first
        .args(["apply", "--yes", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(w.dir.path().join("out"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let first = first.spawn().unwrap_or_else(|e| panic!("{e}"));
    // Once the first run shows its code, it holds the lock.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while w.entra.ask("__signins")["tenants"]
        .as_array()
        .is_none_or(|a| a.is_empty())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never signed in"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let second = w.apply(&config);
    assert_eq!(second.status.code(), Some(1), "{}", stdout(&second));
    assert!(
        stderr(&second).contains("is in use by another cognito-entra"),
        "{}",
        stderr(&second)
    );
    let first = first.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    ok(&first);
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["twice"]),
        "one application"
    );
    assert_eq!(
        w.entra.ask("__signins")["tenants"].as_array().map(Vec::len),
        Some(1),
        "the second run never signed in"
    );
}

#[test]
fn a_secret_made_for_a_run_that_stopped_before_cognito_had_it_is_removed_by_the_next() {
    let w = World::new();
    // Cognito refuses the provider once (an error quoting the request): Graph has made the
    // secret by then.
    let proxy = common::proxy::FaultProxy::start(w.moto.port, "CreateIdentityProvider", "echo");
    let config = w.config("orphan", "oidc", "");
    let through_proxy = |c: &mut std::process::Command| {
        c.env("AWS_ENDPOINT_URL", proxy.endpoint());
    };
    let mut c = w.cmd();
    through_proxy(&mut c);
    c.args(["apply", "--yes", "--config"]).arg(&config);
    let first = run(&mut c);
    assert_eq!(first.status.code(), Some(1), "{}", stdout(&first));
    assert_eq!(
        w.entra.ask("__secrets")["orphan"],
        1,
        "a live secret nobody holds"
    );

    // The next run names it, removes it, and makes the one Cognito gets.
    let mut c = w.cmd();
    through_proxy(&mut c);
    c.args(["apply", "--yes", "--config"]).arg(&config);
    let second = ok(&run(&mut c));
    assert!(
        second.contains("made by an earlier run that stopped before Cognito had it"),
        "{second}"
    );
    assert_eq!(
        w.entra.ask("__secrets")["orphan"],
        1,
        "one secret, held by Cognito"
    );
    let state = std::fs::read_to_string(w.dir.path().join("state/orphan.toml")).unwrap_or_default();
    assert!(
        state.contains("held_secret") && !state.contains("unclaimed_secrets"),
        "{state}"
    );
    let third = w.apply(&config);
    assert!(ok(&third).contains("No changes"), "{}", stdout(&third));
    assert!(
        !stderr(&third).contains("does not hold"),
        "{}",
        stderr(&third)
    );
    assert_eq!(w.entra.ask("__secrets")["orphan"], 1);
}

/// A URL query value, percent-encoded.
fn q(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn an_entity_id_held_by_an_earlier_attempt_is_adopted_and_by_anything_else_is_named() {
    let w = World::new();
    let pool = block_on(w.moto.sdk(REGION).create_user_pool("taken-users"))
        .unwrap_or_else(|e| panic!("{e}"));
    let entity_id = format!("urn:amazon:cognito:sp:{}", pool.id);
    let config = |name: &str| {
        let path = w.config(name, "saml", "");
        let text = std::fs::read_to_string(&path).unwrap_or_default().replace(
            &format!("name = \"{name}-users\""),
            &format!("id = \"{}\"", pool.id),
        );
        write(&path, text);
        path
    };

    // Somebody else's application holds it (its Reply URL is another site's): named, and
    // nothing written on either side.
    let other = w.entra.ask(&format!(
        "__make_app?name={}&identifier={}&reply={}",
        q("Legacy portal"),
        q(&entity_id),
        q("https://legacy.example.com/sso")
    ))["appId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let out = w.apply(&config("taken"));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("the Entity ID {entity_id} is held by application \"Legacy portal\" (Application (client) ID {other})")),
        "{err}"
    );
    assert_eq!(w.entra.writes(), 0);
    let domain = block_on(w.moto.sdk(REGION).describe_user_pool(&pool.id))
        .unwrap_or_else(|e| panic!("{e}"))
        .domain;
    assert_eq!(domain, None, "nothing made in Cognito either");
}

#[test]
fn an_earlier_portal_attempt_holding_the_entity_id_is_adopted_not_duplicated() {
    let w = World::new();
    let pool = block_on(w.moto.sdk(REGION).create_user_pool("again-users"))
        .unwrap_or_else(|e| panic!("{e}"));
    let entity_id = format!("urn:amazon:cognito:sp:{}", pool.id);
    let path = w.config("again", "saml", "");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("name = \"again-users\"", &format!("id = \"{}\"", pool.id));
    write(&path, text);
    let earlier = w.entra.ask(&format!(
        "__make_app?name={}&identifier={}&reply={}",
        q("Cognito SSO (first try)"),
        q(&entity_id),
        q(&format!(
            "https://again-login.auth.{REGION}.amazoncognito.com/saml2/idpresponse"
        ))
    ))["appId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let out = ok(&w.apply(&path));
    assert!(
        out.contains("Cognito SSO (first try)")
            && out.contains("adopted: it holds the Entity ID already"),
        "{out}"
    );
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["Cognito SSO (first try)"]),
        "no second application"
    );
    assert_eq!(w.app_id("again"), earlier);
    let again = ok(&w.apply(&path));
    assert!(!again.contains("adopted: it holds"), "said once: {again}");
}

const TENANT: &str = "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b";

#[test]
fn us_government_asks_for_its_own_graph_and_instantiates_its_own_template() {
    // The stand-in plays the US Government cloud: a scope naming graph.microsoft.com is
    // AADSTS500011 there, and only the US Government non-gallery template exists.
    let w = World::new();
    w.entra.switches(r#"{"cloud": "usgov"}"#);
    let config = w.config("gov", "saml", "");
    let mut c = w.cmd();
    c.args(["apply", "--yes", "--cloud", "usgov", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(w.dir.path().join("out"));
    ok(&run(&mut c));
    let signins = w.entra.ask("__signins");
    let scopes = signins["scopes"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        scopes.contains("https://graph.microsoft.us/Application.ReadWrite.All")
            && !scopes.contains("graph.microsoft.com"),
        "{scopes}"
    );
    assert_eq!(
        signins["templates"],
        serde_json::json!(["4602d0b4-76bb-404b-bca9-2652e1a39c6d"])
    );
}

/// `[entra] cloud` in the setup chooses the cloud as `--cloud` does; the flag, when given,
/// wins; a cloud the tool does not know is refused naming the field.
#[test]
fn a_setups_entra_cloud_chooses_us_government_unless_the_flag_says_otherwise() {
    let w = World::new();
    w.entra.switches(r#"{"cloud": "usgov"}"#);
    let config = w.config("gov", "saml", "cloud = \"usgov\"\n");
    let scope = |i: usize| {
        w.entra.ask("__signins")["scopes"][i]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // The flag given explicitly wins over the setup: the global Graph is asked for (and this
    // US Government stand-in refuses it).
    let mut flagged = w.cmd();
    flagged
        .args(["plan", "--cloud", "global", "--config"])
        .arg(&config);
    let out = run(&mut flagged);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        scope(0).contains("https://graph.microsoft.com/"),
        "{}",
        scope(0)
    );

    ok(&w.apply(&config));
    let asked = scope(1);
    assert!(
        asked.contains("https://graph.microsoft.us/Application.ReadWrite.All")
            && !asked.contains("graph.microsoft.com"),
        "{asked}"
    );
    assert_eq!(
        w.entra.ask("__signins")["templates"],
        serde_json::json!(["4602d0b4-76bb-404b-bca9-2652e1a39c6d"])
    );

    let bad = w.config("mars", "saml", "cloud = \"mars\"\n");
    let mut c = w.cmd();
    c.args(["plan", "--config"]).arg(&bad);
    let out = run(&mut c);
    assert_ne!(out.status.code(), Some(0));
    let said = stderr(&out);
    for part in ["entra.cloud", "\"mars\" is not a Microsoft cloud", "usgov"] {
        assert!(said.contains(part), "{part}: {said}");
    }
}

#[test]
fn a_token_that_ends_mid_run_is_renewed_with_its_refresh_token() {
    // Graph refuses each token after a few requests (401 "Lifetime validation failed"), as it
    // does when a token ends mid-run: the tool renews it with the refresh token it kept and
    // sends the request again.
    let w = World::new();
    w.entra.switches(r#"{"expire_after_requests": 4}"#);
    let config = w.config("long", "saml", "");
    ok(&w.apply(&config));
    let grants = w.entra.ask("__signins")["grants"].clone();
    assert_eq!(grants[0], "device_code", "{grants}");
    assert!(
        grants
            .as_array()
            .is_some_and(|g| g.iter().filter(|g| *g == "refresh_token").count() >= 2),
        "{grants}"
    );
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["long"])
    );

    // Short-lived tokens (2 s): renewed before they end.
    w.entra.switches(r#"{"token_seconds": 2}"#);
    let config = w.config("short", "oidc", "");
    ok(&w.apply(&config));
}

#[test]
fn a_sign_in_granted_fewer_permissions_than_asked_stops_before_anything_is_read() {
    let w = World::new();
    w.entra
        .switches(r#"{"withhold_scopes": ["Application.ReadWrite.All"]}"#);
    let config = w.config("narrow", "saml", "");
    let out = w.apply(&config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the sign-in was not granted Application.ReadWrite.All"),
        "{err}"
    );
    assert!(
        err.contains("nothing was read or changed in Entra"),
        "{err}"
    );
    assert_eq!(w.entra.writes(), 0);
}

#[test]
fn a_pipeline_signs_in_from_azure_variables_with_the_device_code_blocked() {
    const CLIENT: &str = "5b0e7c1a-9d2f-4e8b-a6c3-1f4d7e9a2b60";
    const SECRET: &str = "Qx8~pipeline.secret-value_0123456789abcd";
    const FEDERATED: &str =
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvbnRvc28vc2V0dXAifQ.c2lnbmF0dXJl";
    let w = World::new();
    w.entra.switches(&format!(
        r#"{{"device": "blocked", "pipeline": {{"client_id": "{CLIENT}", "secret": "{SECRET}", "federated_token": "{FEDERATED}"}}}}"#
    ));

    // The device code is blocked by Conditional Access: said so, with the ways that remain.
    let config = w.config("pipe", "oidc", "");
    let out = w.apply(&config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("AADSTS53003"), "{err}");
    assert!(err.contains("--entra-sign-in environment"), "{err}");

    // The AZURE_* variables set: the application's own token, chosen without a flag.
    let mut c = w.cmd();
    c.args(["apply", "--yes", "--config"])
        .arg(&config)
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_CLIENT_SECRET", SECRET);
    let out = ok(&run(&mut c));
    assert!(!out.contains(SECRET), "{out}");
    assert!(!w.files_text().contains(SECRET), "the secret is on disk");
    let signins = w.entra.ask("__signins");
    assert_eq!(signins["grants"], serde_json::json!(["client_credentials"]));
    assert_eq!(
        signins["scopes"].as_array().and_then(|s| s.last()).cloned(),
        Some(serde_json::json!("https://graph.microsoft.com/.default"))
    );
    assert_eq!(
        signins["app_only_me"], 0,
        "/me asked with an app-only token"
    );
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["pipe"])
    );

    // Workload identity: the federated token file is the client assertion.
    let file = w.dir.path().join("federated-token");
    write(&file, FEDERATED);
    let config = w.config("fed", "saml", "");
    let mut c = w.cmd();
    c.args([
        "apply",
        "--yes",
        "--entra-sign-in",
        "environment",
        "--config",
    ])
    .arg(&config)
    .arg("--out")
    .arg(w.dir.path().join("out"))
    .env("AZURE_TENANT_ID", TENANT)
    .env("AZURE_CLIENT_ID", CLIENT)
    .env("AZURE_FEDERATED_TOKEN_FILE", &file);
    ok(&run(&mut c));
    assert_eq!(
        w.entra.ask("__signins")["grants"],
        serde_json::json!(["client_credentials", "client_credentials"])
    );
}

/// The tool with a replication budget of its own.
fn apply_with_budget(w: &World, config: &Path, seconds: u64) -> std::process::Output {
    let mut c = w.cmd();
    c.env(
        "COGNITO_ENTRA_GRAPH_REPLICATION_SECONDS",
        seconds.to_string(),
    )
    .args(["-v", "apply", "--yes", "--config"])
    .arg(config)
    .arg("--out")
    .arg(w.dir.path().join("out"));
    run(&mut c)
}

fn verbose_log(w: &World) -> String {
    std::fs::read_to_string(w.dir.path().join("state/cognito-entra.log")).unwrap_or_default()
}

#[test]
fn replication_of_45_seconds_with_400_and_403_answers_is_waited_out_and_shown() {
    // Real Entra: minutes, and 403 / 400 "does not reference a valid application object" /
    // "Not a valid reference update" / "Failed to add identifier URI …" as well as 404.
    let saml = World::new();
    saml.entra
        .switches(r#"{"replication_seconds": 45, "replication_errors": true}"#);
    let oidc = World::new();
    oidc.entra
        .switches(r#"{"replication_seconds": 45, "replication_errors": true}"#);
    let saml_config = saml.config("slow", "saml", "");
    let oidc_config = oidc.config("slowid", "oidc", "assign = [\"ada@contoso.example\"]\n");
    let (saml_out, oidc_out) = std::thread::scope(|s| {
        let a = s.spawn(|| apply_with_budget(&saml, &saml_config, 150));
        let b = s.spawn(|| apply_with_budget(&oidc, &oidc_config, 150));
        (
            a.join().unwrap_or_else(|_| panic!("saml")),
            b.join().unwrap_or_else(|_| panic!("oidc")),
        )
    });
    let said = ok(&saml_out);
    assert!(
        said.contains("waiting") && said.contains("for Entra to replicate"),
        "each wait is shown: {said}"
    );
    assert!(
        said.contains("Failed to add identifier URI"),
        "the identifier URI refused while the SAML mode replicates is waited out: {said}"
    );
    assert_eq!(
        saml.entra.ask("__applications")["names"],
        serde_json::json!(["slow"])
    );
    let log = verbose_log(&saml);
    assert!(
        log.contains("HTTP 403 Authorization_RequestDenied") && log.contains("waiting 5 s"),
        "the -v log names each retry and wait: {log}"
    );
    let said = ok(&oidc_out);
    assert!(
        said.contains("does not reference a valid application object"),
        "the service principal refused while the application replicates is waited out: {said}"
    );
    assert_eq!(
        oidc.entra.ask("__applications")["names"],
        serde_json::json!(["slowid"])
    );
    assert_eq!(oidc.entra.ask("__assignments")["count"], 1);
    assert!(
        verbose_log(&oidc).contains("Not a valid reference update"),
        "the assignment refused while the service principal replicates is waited out"
    );
}

#[test]
fn a_v1_graph_that_takes_usage_encrypt_gets_the_encryption_certificate_there_in_two_requests() {
    let w = World::new();
    w.entra.switches(r#"{"v1_accepts_encrypt": true}"#);
    let config = w.config("v1enc", "saml", "[saml]\nencrypted_responses = true\n");
    let out = ok(&w.apply(&config));
    assert!(out.contains("✓ Entra: token encryption"), "{out}");
    assert_eq!(
        w.entra.ask("__beta")["requests"],
        serde_json::json!([]),
        "nothing on /beta when v1.0 takes it"
    );
    let keys = w.entra.ask("__app_keys");
    let app = &keys["v1enc"];
    let encrypt = app["keys"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["usage"] == "Encrypt"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(app["tokenEncryptionKeyId"], encrypt["keyId"], "{keys}");
}

#[test]
fn a_second_setup_on_a_pool_never_takes_over_the_first_setups_entra_application() {
    let w = World::new();
    let first = w.config("one", "saml", "");
    ok(&w.apply(&first));
    let pool = w.pool_id();
    // A second SAML setup on the same pool, with a provider and a client of its own: the
    // pool's one Entity ID is held by the first setup's application.
    let second = w.config("two", "saml", "");
    let text = std::fs::read_to_string(&second)
        .unwrap_or_default()
        .replace("name = \"two-users\"", &format!("id = \"{pool}\""))
        .replace("prefix = \"two-login\"", "prefix = \"one-login\"")
        .replace("name = \"web\"", "name = \"web2\"")
        + "[provider]\nname = \"EntraTwo\"\n";
    write(&second, text);
    let writes = w.entra.writes();
    let out = w.apply(&second);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("which setup \"one\" has for this pool")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert!(
        !stdout(&out).contains("adopted: it holds"),
        "{}",
        stdout(&out)
    );
    assert_eq!(w.entra.writes(), writes, "nothing written in Entra");
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["one"])
    );
}

/// `$BROWSER` for tests/support/fake_browser.py (MODE `follow` or `forge`), and the folder it
/// writes `env` (the names in its environment) and `page` (the tool's answer) to.
fn fake_browser(w: &World, mode: &str) -> (String, PathBuf) {
    let out = w.dir.path().join(format!("browser-{mode}"));
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    let browser = format!(
        "{} {} {} {} {mode} 0",
        common::moto::python().display(),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/support/fake_browser.py")
            .display(),
        out.display(),
        w.entra.ca().display()
    );
    (browser, out)
}

/// The page the fake browser was shown, once it has it (it runs on after the tool's answer).
fn browser_page(out: &Path) -> String {
    wait_for("the browser's page", Duration::from_secs(20), || {
        std::fs::read_to_string(out.join("page")).ok()
    })
}

#[test]
fn the_browser_signs_in_with_pkce_through_a_loopback_redirect_when_the_device_code_is_blocked() {
    let w = World::new();
    w.entra.switches(r#"{"device": "blocked"}"#);

    // The device code blocked by Conditional Access: said so, and the browser offered.
    let config = w.config("web", "saml", "");
    let out = w.apply(&config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("AADSTS53003"), "{err}");
    assert!(
        err.contains("blocks the device code flow") && err.contains("--entra-sign-in browser"),
        "{err}"
    );
    assert_eq!(w.entra.writes(), 0);

    // The browser: the authorization code with PKCE, back through the loopback redirect.
    let (browser, folder) = fake_browser(&w, "follow");
    let mut c = w.cmd();
    c.args(["apply", "--yes", "--entra-sign-in", "browser", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(w.dir.path().join("out"))
        .env("BROWSER", &browser);
    let out = ok(&run(&mut c));
    // The address is printed too, for a browser started by hand.
    assert!(
        out.contains("/oauth2/v2.0/authorize?") && out.contains("code_challenge_method=S256"),
        "{out}"
    );
    let signins = w.entra.ask("__signins");
    assert_eq!(
        signins["grants"],
        serde_json::json!(["authorization_code"]),
        "{signins}"
    );
    assert!(
        signins["scopes"]
            .as_array()
            .and_then(|s| s.last())
            .and_then(|s| s.as_str())
            .is_some_and(
                |s| s.contains("https://graph.microsoft.com/Application.ReadWrite.All")
                    && s.contains("offline_access")
            ),
        "{signins}"
    );
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["web"])
    );
    assert!(
        w.provider("EntraID")
            .details
            .get("MetadataURL")
            .is_some_and(|u| u.starts_with(&w.entra.authority)),
        "the provider reads the application's metadata"
    );
    let page = browser_page(&folder);
    assert!(page.contains("You may close this tab"), "{page}");
    // The browser was started without the tool's secrets in its environment.
    let env = std::fs::read_to_string(folder.join("env")).unwrap_or_default();
    assert!(env.lines().any(|v| v == "PATH"), "{env}");
    assert!(!env.contains("AWS_"), "{env}");
}

#[test]
fn a_browser_answer_with_another_state_is_refused_and_nothing_is_written() {
    let w = World::new();
    let (browser, folder) = fake_browser(&w, "forge");
    let config = w.config("forged", "oidc", "");
    let mut c = w.cmd();
    c.args(["apply", "--yes", "--entra-sign-in", "browser", "--config"])
        .arg(&config)
        .env("BROWSER", &browser);
    let out = run(&mut c);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("did not carry the state this sign-in sent"),
        "{err}"
    );
    let page = browser_page(&folder);
    assert!(page.contains("not for the sign-in"), "{page}");
    // The code was never redeemed, and nothing was made on either side.
    assert_eq!(w.entra.ask("__signins")["grants"], serde_json::json!([]));
    assert_eq!(w.entra.writes(), 0);
    assert!(
        block_on(w.moto.sdk(REGION).list_user_pools())
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn a_lost_create_followed_by_a_rerun_inside_the_replication_window_makes_one_object() {
    // With an 8 s replication delay, the create's answer lost and the next run started at
    // once: it sees nothing listed yet, and must find what the first made, not make another.
    let cases = [
        ("saml", "", "instantiate"),
        ("oidc", "", "/applications"),
        ("saml", CLAIMS_MAPPING, "claimsMappingPolicies"),
    ];
    std::thread::scope(|s| {
        for (protocol, extra, lost) in cases {
            s.spawn(move || {
                let w = World::new();
                let config = w.config("lost", protocol, extra);
                w.entra.switches(&format!(
                    r#"{{"replication_seconds": 8, "drop_write": "{lost}"}}"#
                ));
                let out = w.apply(&config);
                assert_ne!(out.status.code(), Some(0), "{lost}: {}", stdout(&out));
                let said = ok(&w.apply(&config));
                assert!(said.contains("an earlier run asked for"), "{lost}: {said}");
                let names = w.entra.ask("__applications");
                assert_eq!(
                    names["names"],
                    serde_json::json!(["lost"]),
                    "{lost}: {names}"
                );
                if !extra.is_empty() {
                    let policies = w.entra.ask("__policies");
                    assert_eq!(
                        policies["policies"].as_array().map(Vec::len),
                        Some(1),
                        "{lost}: {policies}"
                    );
                    assert_eq!(
                        policies["policies"][0]["appliesTo"],
                        serde_json::json!(["lost"]),
                        "{lost}: {policies}"
                    );
                }
                if protocol == "oidc" {
                    assert_eq!(
                        names["tags"]["lost"],
                        serde_json::json!(["cognito-entra:lost"]),
                        "the app registration carries the setup's mark: {names}"
                    );
                }
                // The one made is this setup's: destroy removes it.
                ok(&w.destroy("lost"));
                assert_eq!(
                    w.entra.ask("__applications")["names"],
                    serde_json::json!([])
                );
            });
        }
    });
}

#[test]
fn an_oidc_rerun_inside_the_replication_window_after_a_clean_run_waits() {
    // Real Entra: the service principal made by the first run is not listed yet, and making
    // it again is Request_MultipleObjectsWithSameKeyValue.
    let w = World::new();
    let config = w.config("again", "oidc", "");
    w.entra.switches(r#"{"replication_seconds": 8}"#);
    ok(&w.apply(&config));
    let writes = w.entra.writes();
    let again = ok(&w.apply(&config));
    assert!(again.contains("No changes"), "{again}");
    assert_eq!(w.entra.writes(), writes, "{again}");
}

#[test]
fn gateway_errors_are_retried_and_a_long_retry_after_is_honoured_and_shown() {
    std::thread::scope(|s| {
        for status in [502, 504] {
            s.spawn(move || {
                let w = World::new();
                w.entra.switches(&format!(
                    r#"{{"throttle_every": 4, "throttle_status": {status}}}"#
                ));
                let said = ok(&w.apply(&w.config("gateway", "saml", "")));
                assert!(said.contains(&format!("HTTP {status}")), "{said}");
            });
        }
        s.spawn(|| {
            // Graph asks for 65 s: waited, and said, not cut to 60 s in silence.
            let w = World::new();
            w.entra.switches(r#"{"throttle_at": 6, "retry_after": 65}"#);
            let started = std::time::Instant::now();
            let said = ok(&w.apply(&w.config("patient", "saml", "")));
            assert!(
                said.contains("waiting 1 min 5 s") && said.contains("Retry-After"),
                "{said}"
            );
            assert!(started.elapsed() >= Duration::from_secs(65));
        });
        s.spawn(|| {
            // Longer than the tool waits: stopped at once, saying so.
            let w = World::new();
            w.entra
                .switches(r#"{"throttle_at": 6, "retry_after": 3600}"#);
            let started = std::time::Instant::now();
            let out = w.apply(&w.config("impatient", "saml", ""));
            assert_ne!(out.status.code(), Some(0));
            assert!(
                stderr(&out).contains("asks to wait 60 min"),
                "{}",
                stderr(&out)
            );
            assert!(started.elapsed() < Duration::from_secs(60));
        });
    });
}

#[test]
fn the_new_signing_certificate_is_waited_for_and_a_comma_in_the_name_makes_a_good_cn() {
    let w = World::new();
    // The new certificate shows in keyCredentials, and can be made active, only 5 s later.
    w.entra.switches(r#"{"replication_seconds": 5}"#);
    let config = w.config("corp", "saml", "display_name = \"Contoso, EMEA + Sales\"\n");
    let said = ok(&w.apply(&config));
    assert!(said.contains("the new signing certificate"), "{said}");
    assert_eq!(w.entra.ask("__certificates")["count"], 1);

    // An answer without a thumbprint is an error, never an empty active key.
    let w = World::new();
    w.entra.switches(r#"{"empty_thumbprint": true}"#);
    let out = w.apply(&w.config("blank", "saml", ""));
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("thumbprint"), "{}", stderr(&out));
}

#[test]
fn a_tenant_that_blocks_client_secrets_is_named_for_oidc() {
    let w = World::new();
    w.entra.switches(r#"{"block_secrets": true}"#);
    let out = w.apply(&w.config("nosecret", "oidc", ""));
    assert_ne!(out.status.code(), Some(0));
    let said = stderr(&out);
    assert!(
        said.contains("CredentialTypeNotAllowedAsPerAppPolicy")
            && said.contains("app management policy"),
        "{said}"
    );
}

#[test]
fn an_adopted_apps_optional_claims_keep_their_properties() {
    let w = World::new();
    let config = w.config("claims", "oidc", "");
    ok(&w.apply(&config));
    // The admin's own token configuration replaces the tool's claims.
    w.entra.ask("__app_own_claims");
    ok(&w.apply(&config));
    let claims = &w.entra.ask("__applications")["optional_claims"]["claims"];
    let upn = claims["idToken"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "upn"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(upn["essential"], true, "{claims}");
    assert_eq!(
        upn["additionalProperties"],
        serde_json::json!(["include_externally_authenticated_upn"]),
        "{claims}"
    );
    assert_eq!(claims["accessToken"][0]["name"], "ipaddr", "{claims}");
    assert!(
        claims["idToken"].as_array().is_some_and(|c| c.len() > 1),
        "the tool's claims are back beside the admin's: {claims}"
    );
}

#[test]
fn a_create_held_past_the_clients_patience_and_a_rerun_at_once_make_one_application() {
    // The instantiate is held 65 s: the tool gives up on it after 60 s, then Graph makes the
    // application anyway. The re-run, started at once, finds it rather than making another.
    let w = World::new();
    let config = w.config("held", "saml", "");
    w.entra
        .switches(r#"{"replication_seconds": 8, "hold_write": "instantiate", "hold_seconds": 65}"#);
    let out = w.apply(&config);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stderr(&out).contains("run again"), "{}", stderr(&out));
    let said = ok(&w.apply(&config));
    assert!(said.contains("an earlier run asked for"), "{said}");
    assert_eq!(
        w.entra.ask("__applications")["names"],
        serde_json::json!(["held"])
    );
}
