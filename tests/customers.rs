//! Many customers on one pool (#24): a SaaS product adopts one user pool and one app client,
//! and each customer is a saved setup with an identity provider of its own, routed by its
//! e-mail domains (`[provider] identifiers`). Through the real AWS SDK against the Cognito
//! emulator (tests/support/moto_cognito.py).

mod common;

use cognito_entra_cognito::api::{ClientConfig, CognitoApi, ErrorKind, ProviderInfo, ProviderType};
use common::entra::*;
use common::moto::{Moto, block_on};
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

struct Env {
    moto: Moto,
    dir: tempfile::TempDir,
    pool_id: String,
    client_id: String,
}

impl Env {
    /// The SaaS product's pool and app client, made outside the tool (adopted by ID).
    fn new(callback_urls: Vec<String>) -> Env {
        let moto = Moto::start();
        let sdk = moto.sdk(REGION);
        let (pool_id, client_id) = block_on(async {
            let pool = sdk
                .create_user_pool("saas-users")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let client = ClientConfig {
                client_name: "saas-web".into(),
                callback_urls,
                allowed_oauth_flows: vec!["code".into()],
                allowed_oauth_scopes: vec!["openid".into(), "email".into()],
                allowed_oauth_flows_user_pool_client: true,
                supported_identity_providers: vec!["COGNITO".into()],
                ..ClientConfig::default()
            };
            let client_id = sdk
                .create_user_pool_client(&pool.id, &client)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            (pool.id, client_id)
        });
        Env {
            moto,
            dir: tempdir(),
            pool_id,
            client_id,
        }
    }

    fn state(&self) -> std::path::PathBuf {
        self.dir.path().join("state")
    }

    /// A customer: the shared pool and client, a provider and identifiers of its own, and
    /// its Entra's metadata in a file of its own.
    fn customer(&self, name: &str, provider: &str, identifiers: &[&str]) -> std::path::PathBuf {
        let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
        write(
            &self.dir.path().join(format!("{name}-metadata.xml")),
            metadata_xml(&[cert]),
        );
        let ids = identifiers
            .iter()
            .map(|i| format!("{i:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            r#"
name = "{name}"
protocol = "saml"
region = "{REGION}"
[user_pool]
id = "{pool}"
[domain]
prefix = "saas-login"
[app_client]
id = "{client}"
callback_urls = ["https://app.example.com/callback"]
logout_urls = ["https://app.example.com/"]
scopes = ["openid", "email", "profile"]
[provider]
name = "{provider}"
identifiers = [{ids}]
[saml]
metadata_file = "{name}-metadata.xml"
"#,
            pool = self.pool_id,
            client = self.client_id,
        );
        let path = self.dir.path().join(format!("{name}.toml"));
        write(&path, text);
        path
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        let mut c = self.moto.cmd(&self.state());
        c.args(args);
        run(&mut c)
    }

    fn apply(&self, config: &std::path::Path) -> std::process::Output {
        let mut c = self.moto.cmd(&self.state());
        c.args(["apply", "--yes", "--config"]).arg(config);
        run(&mut c)
    }

    fn identifiers(&self, provider: &str) -> Option<Vec<String>> {
        block_on(
            self.moto
                .sdk(REGION)
                .describe_identity_provider(&self.pool_id, provider),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|p| p.idp_identifiers.unwrap_or_default())
    }

    fn provider_names(&self) -> Vec<String> {
        block_on(self.moto.sdk(REGION).list_identity_providers(&self.pool_id))
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|p| p.name)
            .collect()
    }

    fn client(&self) -> ClientConfig {
        block_on(
            self.moto
                .sdk(REGION)
                .describe_user_pool_client(&self.pool_id, &self.client_id),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Changes a saved setup's identifiers, as the wizard would.
    fn set_saved_identifiers(&self, name: &str, identifiers: &[&str]) {
        let path = self.state().join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut table: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}"));
        let provider = table
            .get_mut("answers")
            .and_then(|a| a.get_mut("provider"))
            .and_then(|p| p.as_table_mut())
            .unwrap_or_else(|| panic!("no [answers.provider] in {text}"));
        provider.insert(
            "identifiers".into(),
            toml::Value::Array(
                identifiers
                    .iter()
                    .map(|i| toml::Value::String((*i).into()))
                    .collect(),
            ),
        );
        write(
            &path,
            toml::to_string(&table).unwrap_or_else(|e| panic!("{e}")),
        );
    }
}

/// When each first attempt of `operation` in the -v log was sent (seconds since the first),
/// from each line's time (written when the answer came) less the time it took.
fn sent_at(env: &Env, operation: &str) -> Vec<f64> {
    let log = std::fs::read_to_string(env.state().join("cognito-entra.log")).unwrap_or_default();
    let pattern = regex::Regex::new(&format!(
        r"^(\S+) \[pid \d+\] aws .*\b{operation} attempt 1 -> .* \((\d+\.\d+) s\)$"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let mut sent: Vec<f64> = log
        .lines()
        .filter_map(|l| {
            let c = pattern.captures(l)?;
            let at =
                time::OffsetDateTime::parse(&c[1], &time::format_description::well_known::Rfc3339)
                    .ok()?;
            let took: f64 = c[2].parse().ok()?;
            Some((at.unix_timestamp_nanos() as f64) / 1e9 - took)
        })
        .collect();
    sent.sort_by(f64::total_cmp);
    let first = sent.first().copied().unwrap_or_default();
    sent.iter().map(|t| t - first).collect()
}

/// The most calls sent within any one second (the log's times are to the millisecond).
fn most_in_any_second(sent: &[f64]) -> usize {
    sent.iter()
        .map(|t| {
            sent.iter()
                .filter(|u| **u >= *t && **u < *t + 0.999)
                .count()
        })
        .max()
        .unwrap_or(0)
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

#[test]
fn customers_share_a_pool_and_client_and_a_routed_domain_is_refused_before_any_write() {
    let env = Env::new(vec!["https://app.example.com/callback".into()]);
    let acme = env.customer("acme", "Acme", &["acme.com", "acme.co.uk"]);
    let globex = env.customer("globex", "Globex", &["globex.com"]);
    ok(&env.apply(&acme));
    ok(&env.apply(&globex));

    assert_eq!(
        env.identifiers("Acme"),
        Some(vec!["acme.com".to_string(), "acme.co.uk".to_string()])
    );
    assert_eq!(env.identifiers("Globex"), Some(vec!["globex.com".into()]));
    let client = env.client();
    for provider in ["Acme", "Globex"] {
        assert!(
            client
                .supported_identity_providers
                .contains(&provider.to_string()),
            "{:?}",
            client.supported_identity_providers
        );
    }

    // The emulator holds Cognito's rule too (moto_cognito.py, patch 12): an identifier
    // another provider routes is refused, as AWS refuses it.
    let rogue = ProviderInfo {
        name: "Rogue".into(),
        provider_type: ProviderType::Oidc,
        details: [
            ("client_id", "x"),
            ("client_secret", "y"),
            ("authorize_scopes", "openid"),
            ("oidc_issuer", "https://rogue.example.com"),
            ("attributes_request_method", "GET"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        attribute_mapping: [("email".to_string(), "email".to_string())].into(),
        idp_identifiers: Some(vec!["globex.com".into()]),
    };
    let refused = block_on(
        env.moto
            .sdk(REGION)
            .create_identity_provider(&env.pool_id, &rogue),
    );
    assert!(
        refused.is_err_and(|e| e.kind == ErrorKind::InvalidParameter),
        "the emulator refuses a routed identifier"
    );

    // A third customer asks for a domain Acme routes (in another case: e-mail domains are
    // case-insensitive). Refused by plan and by apply, naming the provider and its setup,
    // and nothing is written: no provider, the client as it was.
    let initech = env.customer("initech", "Initech", &["initech.com", "ACME.com"]);
    let providers_before = env.provider_names();
    let _ = std::fs::remove_file(env.state().join("cognito-entra.log"));
    for command in ["plan", "apply"] {
        let out = if command == "apply" {
            let mut c = env.moto.cmd(&env.state());
            c.args(["-v", "apply", "--yes", "--config"]).arg(&initech);
            run(&mut c)
        } else {
            let mut c = env.moto.cmd(&env.state());
            c.args(["plan", "--config"]).arg(&initech);
            run(&mut c)
        };
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("error: provider.identifiers: ACME.com is already routed by the pool's identity provider Acme (setup \"acme\")"),
            "{command}: {err}"
        );
        assert!(
            err.contains("fix: take ACME.com out of [provider] identifiers"),
            "{err}"
        );
        assert!(err.contains("nothing was changed"), "{err}");
    }
    // The -v log of the apply: the other providers were described (their identifiers are
    // not in the pool's list), and nothing was written.
    let log = std::fs::read_to_string(env.state().join("cognito-entra.log")).unwrap_or_default();
    let described = log
        .lines()
        .filter(|l| l.contains("DescribeIdentityProvider attempt 1 ->"))
        .count();
    assert!(described >= 3, "ours, Acme's and Globex's: {log}");
    for write in cognito_entra_cognito::api::WRITE_OPERATIONS {
        assert!(
            !log.contains(&format!(" {write} attempt")),
            "{write} was sent: {log}"
        );
    }
    assert_eq!(env.provider_names(), providers_before);
    assert_eq!(env.identifiers("Initech"), None);
    assert_eq!(env.client(), client, "the shared client is untouched");
    assert!(
        !env.state().join("initech.toml").exists(),
        "a refused setup is not saved"
    );

    // `setups` lists the customers under their shared pool.
    let out = ok(&env.cmd(&["setups"]));
    assert!(
        out.contains(&format!(
            "Pool {} ({REGION}), shared app client {}: 2 setups",
            env.pool_id, env.client_id
        )),
        "{out}"
    );
    assert!(
        out.contains("  acme    provider Acme  identifiers acme.com, acme.co.uk"),
        "{out}"
    );
    assert!(
        out.contains("  globex  provider Globex  identifiers globex.com"),
        "{out}"
    );
}

#[test]
fn a_shared_client_past_cognitos_callback_url_quota_is_refused_before_any_write() {
    // The client holds 100 callback URLs already (Cognito's quota per app client); this
    // customer's would be the 101st.
    let urls: Vec<String> = (0..100)
        .map(|i| format!("https://tenant{i}.example.com/callback"))
        .collect();
    let env = Env::new(urls);
    let client_before = env.client();
    let config = env.customer("acme", "Acme", &["acme.com"]);
    let out = env.apply(&config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: app_client.callback_urls: the app client saas-web would hold 101 callback URLs (those it has and this setup's); Cognito's quota of callback URLs per app client is 100 (not adjustable)"
        ),
        "{err}"
    );
    assert!(
        err.contains("fix: remove callback URLs the client no longer needs"),
        "{err}"
    );
    assert_eq!(
        env.provider_names(),
        Vec::<String>::new(),
        "no provider made"
    );
    assert_eq!(env.client(), client_before);
}

#[test]
fn plan_all_and_apply_all_run_every_customer_and_one_broken_stops_only_itself() {
    let env = Env::new(vec!["https://app.example.com/callback".into()]);
    for (name, provider, id) in [
        ("alpha", "Alpha", "alpha.example"),
        ("bravo", "Bravo", "bravo.example"),
        ("charlie", "Charlie", "charlie.example"),
    ] {
        ok(&env.apply(&env.customer(name, provider, &[id])));
    }
    // Each customer adds a domain (in the wizard); Charlie's Entra metadata file is gone.
    env.set_saved_identifiers("alpha", &["alpha.example", "alpha2.example"]);
    env.set_saved_identifiers("bravo", &["bravo.example", "bravo2.example"]);
    env.set_saved_identifiers("charlie", &["charlie.example", "charlie2.example"]);
    std::fs::remove_file(env.dir.path().join("charlie-metadata.xml"))
        .unwrap_or_else(|e| panic!("{e}"));

    // plan --all: one plan, grouped by setup; reads only.
    let out = env.cmd(&["plan", "--all"]);
    if std::env::var_os("SHOW_OUTPUT").is_some() {
        eprintln!(
            "PLAN --all stdout:\n{}\nstderr:\n{}",
            stdout(&out),
            stderr(&out)
        );
    }
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    for name in ["alpha", "bravo", "charlie"] {
        assert!(text.contains(&format!("── {name} ──")), "{text}");
    }
    assert!(text.contains("alpha2.example"), "{text}");
    assert!(text.contains("✓ alpha: planned (1 change)"), "{text}");
    assert!(text.contains("✗ charlie: not planned:"), "{text}");
    assert!(
        text.contains("2 of 3 setups planned; 1 not planned."),
        "{text}"
    );
    assert_eq!(env.identifiers("Alpha"), Some(vec!["alpha.example".into()]));

    // The same as one JSON object on stdout (the setups' text on stderr), for pipelines.
    let out = env.cmd(&["plan", "--all", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    let entry = |name: &str| {
        v["setups"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["setup"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {v}"))
    };
    assert_eq!(entry("alpha")["outcome"], "planned", "{v}");
    assert!(
        entry("alpha")["plan"]["changes"]
            .to_string()
            .contains("alpha2.example"),
        "{v}"
    );
    assert_eq!(entry("charlie")["outcome"], "not_planned", "{v}");
    assert!(entry("charlie")["error"].as_str().is_some(), "{v}");
    assert_eq!(v["summary"]["failed"], 1, "{v}");
    assert_eq!(v["summary"]["total"], 3, "{v}");
    assert!(stderr(&out).contains("── alpha ──"), "{}", stderr(&out));

    // apply --all without a terminal to ask in, and without --yes: nothing is written.
    let out = env.cmd(&["apply", "--all"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Nothing was changed."),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.identifiers("Alpha"), Some(vec!["alpha.example".into()]));

    // apply --all --yes: the two good ones applied, the broken one said with its reason.
    let out = env.cmd(&["-v", "apply", "--all", "--yes"]);
    if std::env::var_os("SHOW_OUTPUT").is_some() {
        eprintln!(
            "APPLY --all stdout:\n{}\nstderr:\n{}",
            stdout(&out),
            stderr(&out)
        );
    }
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("✓ alpha: applied (1 change)"), "{text}");
    assert!(text.contains("✓ bravo: applied (1 change)"), "{text}");
    assert!(text.contains("✗ charlie: not applied:"), "{text}");
    assert!(
        text.contains("charlie-metadata.xml"),
        "the reason names the file: {text}"
    );
    assert!(
        text.contains("2 of 3 setups applied; 1 not applied."),
        "{text}"
    );
    assert_eq!(
        env.identifiers("Alpha"),
        Some(vec!["alpha.example".into(), "alpha2.example".into()])
    );
    assert_eq!(
        env.identifiers("Bravo"),
        Some(vec!["bravo.example".into(), "bravo2.example".into()])
    );
    assert_eq!(
        env.identifiers("Charlie"),
        Some(vec!["charlie.example".into()])
    );
    // Paced under Cognito's rate: DescribeIdentityProvider (every provider's identifiers,
    // read for each setup's plan and again for its apply) at most 5 times in any second.
    let sent = sent_at(&env, "DescribeIdentityProvider");
    assert!(sent.len() >= 10, "{sent:?}");
    if std::env::var_os("SHOW_OUTPUT").is_some() {
        eprintln!("DescribeIdentityProvider sent at {sent:?}");
    }
    assert!(most_in_any_second(&sent) <= 5, "{sent:?}");

    // Again: nothing left to do for the two, the broken one still said.
    let out = env.cmd(&["apply", "--all", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("✓ alpha: no changes needed"), "{text}");
    assert!(text.contains("✓ bravo: no changes needed"), "{text}");

    // Two customers of one run asking for the same new domain: no provider routes it yet,
    // so the live pool cannot tell; the later setup is refused in the plan.
    env.set_saved_identifiers(
        "alpha",
        &["alpha.example", "alpha2.example", "joint.example"],
    );
    env.set_saved_identifiers(
        "bravo",
        &["bravo.example", "bravo2.example", "Joint.example"],
    );
    let out = env.cmd(&["plan", "--all"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("✓ alpha: planned (1 change)"), "{text}");
    assert!(
        text.contains("✗ bravo: not planned:\n      error: provider.identifiers: Joint.example is also asked for by setup \"alpha\" on the same pool in this run"),
        "{text}"
    );
}
