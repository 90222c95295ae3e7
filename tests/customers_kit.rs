//! Many customers, one pool (issue 24): the SaaS admin hands each customer's Entra admin a
//! kit (`handoff`), the customer runs it in their own tenant with no AWS anywhere near
//! (`entra-side`, against a Graph stand-in per customer: each its own tenant, both holding
//! the pool's one Entity ID), the SaaS admin takes the reply back (`accept`) and `apply`
//! makes the provider. A reply changed on its way, a reply for another setup and a kit from
//! a newer tool are refused; the kit page, in a real headless browser, shows every value and
//! loads nothing from the network.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::graph::Standin;
use common::moto::Moto;
use common::*;

const REGION: &str = "eu-west-1";
/// Two customers' tenants: each stand-in is one of them.
const ACME_TENANT: &str = "1a2b3c4d-0000-4000-8000-0000000acc01";
const GLOBEX_TENANT: &str = "9f8e7d6c-5b4a-4392-8181-0000006106e5";

/// The SaaS side (the Cognito emulator, a shared pool, domain and client, a state folder)
/// and a folder the kits and replies travel through.
struct Saas {
    moto: Moto,
    dir: tempfile::TempDir,
    pool_id: String,
    client_id: String,
}

impl Saas {
    fn new() -> Saas {
        let moto = Moto::start();
        let pool = moto.boto3(REGION, "cognito.create_user_pool(PoolName='saas-users')");
        let pool_id = pool["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        moto.boto3(
            REGION,
            &format!(
                "cognito.create_user_pool_domain(Domain='saas-login', UserPoolId='{pool_id}')"
            ),
        );
        let client = moto.boto3(
            REGION,
            &format!(
                "cognito.create_user_pool_client(UserPoolId='{pool_id}', ClientName='web', \
                 CallbackURLs=['https://app.example.com/callback'], AllowedOAuthFlows=['code'], \
                 AllowedOAuthScopes=['openid', 'email', 'profile'], AllowedOAuthFlowsUserPoolClient=True, \
                 SupportedIdentityProviders=['COGNITO'])"
            ),
        );
        let client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let saas = Saas {
            moto,
            dir: tempdir(),
            pool_id,
            client_id,
        };
        std::fs::create_dir_all(saas.kits()).unwrap_or_else(|e| panic!("{e}"));
        saas
    }

    fn kits(&self) -> PathBuf {
        self.dir.path().join("kits")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// A customer's setup on the shared pool, domain and client: its own provider and
    /// e-mail domain.
    fn config(&self, name: &str, protocol: &str, client: &str, extra: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.toml"));
        write(
            &path,
            format!(
                "name = \"{name}\"\nprotocol = \"{protocol}\"\nregion = \"{REGION}\"\n[user_pool]\nid = \"{}\"\n[domain]\nprefix = \"saas-login\"\n[app_client]\nid = \"{}\"\ncallback_urls = [\"https://app.example.com/callback\"]\nscopes = [\"openid\", \"email\", \"profile\"]\n{client}\n[provider]\nname = \"{name}\"\nidentifiers = [\"{name}.example\"]\n{extra}",
                self.pool_id, self.client_id
            ),
        );
        path
    }

    /// The SaaS admin's tool: the emulator, and the customer's Entra as `accept` and
    /// `apply` fetch it (its metadata and discovery are public documents).
    fn cmd(&self, entra: &Standin) -> Command {
        let mut c = self.moto.cmd(&self.state());
        c.env("COGNITO_ENTRA_AUTHORITY", &entra.authority)
            .env("SSL_CERT_FILE", entra.ca());
        c
    }

    fn handoff(&self, config: &Path, entra: &Standin) -> String {
        let mut c = self.cmd(entra);
        c.args(["handoff", "--config"])
            .arg(config)
            .arg("--out")
            .arg(self.kits());
        ok(&run(&mut c))
    }

    fn accept(&self, name: &str, reply: &Path, entra: &Standin) -> std::process::Output {
        let mut c = self.cmd(entra);
        c.args(["accept", "--setup", name, "--reply"]).arg(reply);
        run(&mut c)
    }

    fn identity_provider(&self, name: &str) -> serde_json::Value {
        self.moto.boto3(
            REGION,
            &format!(
                "cognito.describe_identity_provider(UserPoolId='{}', ProviderName='{name}')['IdentityProvider']",
                self.pool_id
            ),
        )
    }

    fn client_providers(&self) -> Vec<String> {
        let v = self.moto.boto3(
            REGION,
            &format!(
                "cognito.describe_user_pool_client(UserPoolId='{}', ClientId='{}')['UserPoolClient'].get('SupportedIdentityProviders', [])",
                self.pool_id, self.client_id
            ),
        );
        let mut out: Vec<String> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect();
        out.sort();
        out
    }

    /// The setup's line in `cognito-entra setups`.
    fn setups_line(&self, name: &str) -> String {
        let mut list = self.moto.cmd(&self.state());
        list.arg("setups");
        let setups = ok(&run(&mut list));
        setups
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{setups}"))
            .to_string()
    }

    fn state_text(&self, name: &str) -> String {
        std::fs::read_to_string(self.state().join(format!("{name}.toml"))).unwrap_or_default()
    }
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// The customer's admin's tool: their tenant's Entra only. No AWS variable, no AWS config or
/// credentials file it could read, no endpoint: whatever reached for AWS would fail.
fn customer(entra: &Standin, home: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("COGNITO_ENTRA_STATE_DIR", home.join("state"))
        .env("AWS_CONFIG_FILE", home.join("nowhere/config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("nowhere/credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("COGNITO_ENTRA_AUTHORITY", &entra.authority)
        .env("COGNITO_ENTRA_GRAPH_URL", &entra.graph)
        .env("SSL_CERT_FILE", entra.ca())
        .env("COGNITO_ENTRA_GRAPH_REPLICATION_SECONDS", "20")
        .env("NO_COLOR", "1");
    c
}

fn entra_side(entra: &Standin, kit: &Path, home: &Path) -> std::process::Output {
    let mut c = customer(entra, home);
    c.args(["entra-side", "--yes", "--kit"]).arg(kit);
    run(&mut c)
}

/// A kit value as TOML holds it.
fn kit_value(kit: &toml::Table, key: &str) -> String {
    kit.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("the kit has no {key}: {kit:?}"))
        .to_string()
}

fn read_toml(path: &Path) -> toml::Table {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn two_customers_on_one_pool_each_in_their_own_tenant_from_kit_to_provider() {
    let saas = Saas::new();
    let acme_entra = Standin::start_in(ACME_TENANT);
    let globex_entra = Standin::start_in(GLOBEX_TENANT);
    let acme_home = tempdir();
    let globex_home = tempdir();
    let customers = [
        ("acme", &acme_entra, acme_home.path(), ACME_TENANT),
        ("globex", &globex_entra, globex_home.path(), GLOBEX_TENANT),
    ];

    for (name, entra, home, tenant) in customers {
        // The SaaS admin: the kit, and the setup waiting for the customer.
        let config = saas.config(name, "saml", "", "");
        let said = saas.handoff(&config, entra);
        assert!(said.contains(&format!("{name}.html")), "{said}");
        let kit_path = saas.kits().join(format!("{name}.kit.toml"));
        let kit_text = std::fs::read_to_string(&kit_path).unwrap_or_default();
        let line = saas.setups_line(name);
        assert!(line.contains("waiting for the customer"), "{line}");
        let mut status = saas.moto.cmd(&saas.state());
        status.args(["status", "--setup", name]);
        let status = ok(&run(&mut status));
        assert!(
            status.contains(&format!("cognito-entra accept --setup {name}")),
            "{status}"
        );
        // Until the reply is in, plan and rotate say what the setup waits for.
        for args in [["plan", "--setup", name], ["rotate", "--setup", name]] {
            let mut c = saas.moto.cmd(&saas.state());
            c.args(args);
            let out = run(&mut c);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
            assert!(
                stderr(&out).contains("waits for its customer's reply")
                    && stderr(&out).contains(&format!("accept --setup {name}")),
                "{args:?}: {}",
                stderr(&out)
            );
        }
        // Nothing of the SaaS account beyond what Entra needs: no account, profile or key.
        for absent in ["testing", "profile =", "account", "aws_", "secret ="] {
            assert!(
                !kit_text.contains(absent),
                "{absent} in the kit:\n{kit_text}"
            );
        }
        // Again: the same kit.
        saas.handoff(&config, entra);
        assert_eq!(
            std::fs::read_to_string(&kit_path).unwrap_or_default(),
            kit_text
        );

        // The customer's admin, in their tenant, with nothing of AWS.
        let out = entra_side(entra, &kit_path, home);
        let said = ok(&out);
        assert!(
            stderr(&out).contains(&format!("Signed in to tenant {tenant}")),
            "{}",
            stderr(&out)
        );
        assert!(said.contains("Wrote the reply"), "{said}");
        let reply_path = saas.kits().join(format!("{name}.reply.toml"));
        let reply_text = std::fs::read_to_string(&reply_path).unwrap_or_default();
        let writes = entra.writes();
        assert!(writes > 0);
        // Run again: no change in Entra, the same reply.
        let again = ok(&entra_side(entra, &kit_path, home));
        assert!(again.contains("No changes"), "{again}");
        assert_eq!(entra.writes(), writes, "a second run wrote to Graph");
        assert_eq!(
            std::fs::read_to_string(&reply_path).unwrap_or_default(),
            reply_text
        );
        let reply = read_toml(&reply_path);
        let kit = read_toml(&kit_path);
        assert_eq!(kit_value(&reply, "entity_id"), kit_value(&kit, "entity_id"));
        assert_eq!(kit_value(&reply, "tenant_id"), tenant);
        assert!(
            kit_value(&reply, "metadata_url").contains("?appid="),
            "{reply_text}"
        );
        assert!(
            !reply_text.to_lowercase().contains("secret ="),
            "{reply_text}"
        );

        // The SaaS admin takes it back, checked on the spot, and applies.
        let accepted = ok(&saas.accept(name, &reply_path, entra));
        assert!(accepted.contains(tenant), "{accepted}");
        assert!(
            saas.state_text(name)
                .contains(&kit_value(&reply, "metadata_url"))
        );
        let mut apply = saas.cmd(entra);
        apply.args(["apply", "--yes", "--setup", name]);
        ok(&run(&mut apply));
        let provider = saas.identity_provider(name);
        assert_eq!(provider["ProviderType"], "SAML", "{provider}");
        assert_eq!(
            provider["IdpIdentifiers"],
            serde_json::json!([format!("{name}.example")]),
            "{provider}"
        );
        // Applied: the list no longer says apply is next.
        let line = saas.setups_line(name);
        assert!(!line.contains("apply next"), "{line}");
        // The kit handed over again (the same kit): the accepted reply stays in the setup,
        // and the plan is empty.
        saas.handoff(&config, entra);
        assert!(
            saas.state_text(name)
                .contains(&kit_value(&reply, "metadata_url")),
            "{}",
            saas.state_text(name)
        );
        let mut plan = saas.cmd(entra);
        plan.args(["plan", "--setup", name]);
        let planned = ok(&run(&mut plan));
        assert!(planned.contains("No changes"), "{planned}");
        assert_eq!(
            provider["ProviderDetails"]["MetadataURL"].as_str(),
            Some(kit_value(&reply, "metadata_url").as_str())
        );
    }
    // Both customers' tenants hold the pool's one Entity ID, each in an application of its own.
    let acme_kit = read_toml(&saas.kits().join("acme.kit.toml"));
    let globex_kit = read_toml(&saas.kits().join("globex.kit.toml"));
    assert_eq!(
        kit_value(&acme_kit, "entity_id"),
        format!("urn:amazon:cognito:sp:{}", saas.pool_id)
    );
    assert_eq!(
        kit_value(&acme_kit, "entity_id"),
        kit_value(&globex_kit, "entity_id")
    );
    assert_eq!(
        saas.client_providers(),
        ["COGNITO", "acme", "globex"],
        "both providers on the shared client"
    );
    let mut list = saas.moto.cmd(&saas.state());
    list.arg("setups");
    let setups = ok(&run(&mut list));
    assert!(!setups.contains("waiting for the customer"), "{setups}");

    // A reply changed on its way, and a reply for another setup: refused, nothing recorded.
    let acme_reply = saas.kits().join("acme.reply.toml");
    let text = std::fs::read_to_string(&acme_reply).unwrap_or_default();
    let before = saas.state_text("acme");
    let tampered = saas.kits().join("tampered.reply.toml");
    write(&tampered, text.replace(&saas.pool_id, "eu-west-1_Someone"));
    let out = saas.accept("acme", &tampered, &acme_entra);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("entity_id") && stderr(&out).contains("changed on its way"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        saas.state_text("acme"),
        before,
        "a refused reply was recorded"
    );
    let before = saas.state_text("globex");
    let out = saas.accept("globex", &acme_reply, &globex_entra);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("another setup") && stderr(&out).contains("--setup acme"),
        "{}",
        stderr(&out)
    );
    assert_eq!(saas.state_text("globex"), before);
    // Acme's application sent as Globex's answer (both hold the pool's one Entity ID, so
    // only the application tells them apart): refused, naming whose it is.
    let mixed = saas.kits().join("mixed.reply.toml");
    write(
        &mixed,
        text.replace("setup = \"acme\"", "setup = \"globex\""),
    );
    let out = saas.accept("globex", &mixed, &acme_entra);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("setup \"acme\"'s") && stderr(&out).contains("another application's"),
        "{}",
        stderr(&out)
    );
    assert_eq!(saas.state_text("globex"), before);
}

#[test]
fn an_oidc_customer_replies_with_tenant_and_client_id_and_the_secret_comes_apart() {
    let saas = Saas::new();
    let entra = Standin::start_in(GLOBEX_TENANT);
    let home = tempdir();
    let config = saas.config(
        "globex",
        "oidc",
        "",
        "[provider.attribute_mapping]\nemail = \"email\"\nfamily_name = \"family_name\"\n",
    );
    saas.handoff(&config, &entra);
    let kit_path = saas.kits().join("globex.kit.toml");
    let kit = read_toml(&kit_path);
    assert!(
        kit.get("entity_id").is_none(),
        "no pool ID in an OIDC kit: {kit:?}"
    );
    let out = entra_side(&entra, &kit_path, home.path());
    let said = ok(&out);
    assert!(
        said.contains("Certificates & secrets") && said.contains("never in the reply"),
        "{said}"
    );
    // The app registration asks for the optional claims the mapping reads; no secret made.
    let seen = entra.ask("__applications");
    assert_eq!(
        seen["id_token_claims"]["globex"],
        serde_json::json!(["email", "family_name"]),
        "{seen}"
    );
    let reply_path = saas.kits().join("globex.reply.toml");
    let reply = read_toml(&reply_path);
    assert_eq!(kit_value(&reply, "tenant_id"), GLOBEX_TENANT);
    assert_eq!(
        kit_value(&reply, "redirect_uri"),
        kit_value(&kit, "reply_url")
    );
    let client_id = kit_value(&reply, "client_id");

    ok(&saas.accept("globex", &reply_path, &entra));
    // Without a secret, apply cannot make the provider and says where it comes from.
    let mut apply = saas.cmd(&entra);
    apply.args(["apply", "--yes", "--setup", "globex"]);
    let out = run(&mut apply);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("COGNITO_ENTRA_CLIENT_SECRET"),
        "{}",
        stderr(&out)
    );
    let mut apply = saas.cmd(&entra);
    apply
        .args(["apply", "--yes", "--setup", "globex"])
        .env("COGNITO_ENTRA_CLIENT_SECRET", "handed-over-out-of-band");
    ok(&run(&mut apply));
    let provider = saas.identity_provider("globex");
    assert_eq!(provider["ProviderType"], "OIDC", "{provider}");
    assert_eq!(provider["ProviderDetails"]["client_id"], client_id.as_str());
    assert!(
        provider["ProviderDetails"]["oidc_issuer"]
            .as_str()
            .unwrap_or_default()
            .contains(GLOBEX_TENANT),
        "{provider}"
    );
    assert!(
        !saas
            .state_text("globex")
            .contains("handed-over-out-of-band")
    );
}

#[test]
fn a_kit_from_a_newer_tool_is_refused_before_any_sign_in() {
    let entra = Standin::start_in(ACME_TENANT);
    let home = tempdir();
    let kit = home.path().join("acme.kit.toml");
    write(
        &kit,
        "kit_version = 99\ntool_version = \"9.0.0\"\nsetup = \"acme\"\nprotocol = \"saml\"\ndisplay_name = \"x\"\nreply_url = \"https://x.example/saml2/idpresponse\"\nsomething_new = true\n",
    );
    let out = entra_side(&entra, &kit, home.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("kit_version")
            && err.contains("newer cognito-entra")
            && err.contains("fix: update"),
        "{err}"
    );
    assert!(!err.contains("Signing in"), "{err}");
    assert!(!home.path().join("acme.reply.toml").exists());
}

/// The page as a real browser renders it (Debian's chromium, headless), with every name
/// resolved to nowhere and every proxy refusing: whatever it loaded from a network would fail.
fn render_offline(page: &Path) -> String {
    let chromium = require_tool("chromium", "renders the customer's kit page");
    let profile = tempdir();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("chromium: {e}"));
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// HTML's escaping of a value, as the DOM dump writes text.
fn as_html_text(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn the_kit_page_shows_every_value_in_a_browser_and_loads_nothing() {
    let saas = Saas::new();
    let entra = Standin::start_in(ACME_TENANT);
    // IdP-initiated sign-in (a Relay State) on a client of SAML providers only.
    let config = saas.config(
        "acme",
        "saml",
        "remove_other_providers = true",
        "[provider.attribute_mapping]\nemail = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"\nname = \"http://schemas.microsoft.com/identity/claims/displayname\"\n[saml]\nidp_initiated = true\nidp_signout = true\n",
    );
    saas.handoff(&config, &entra);
    let page = saas.kits().join("acme.html");
    let html = std::fs::read_to_string(&page).unwrap_or_default();
    // Nothing referenced from elsewhere: no src, href or url() to any address.
    let reference = regex::Regex::new(r#"(?i)(src|href)\s*=|url\(|@import|<link|<img|<iframe"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !reference.is_match(&html),
        "the page references something: {:?}",
        reference.find(&html)
    );
    let dom = render_offline(&page);
    let kit = read_toml(&saas.kits().join("acme.kit.toml"));
    let mut shown = 0;
    for key in [
        "entity_id",
        "reply_url",
        "sign_on_url",
        "relay_state",
        "logout_url",
        "display_name",
    ] {
        let value = kit_value(&kit, key);
        assert!(
            dom.contains(&as_html_text(&value)),
            "{key} = {value} is not on the rendered page"
        );
        shown += 1;
    }
    assert_eq!(shown, 6);
    let claims = kit["claims"]
        .as_table()
        .unwrap_or_else(|| panic!("{kit:?}"));
    for claim in claims.values() {
        let claim = claim.as_str().unwrap_or_default();
        assert!(dom.contains(claim), "claim {claim} is not on the page");
    }
    // Every value has its copy button, the steps and what never to send are there.
    assert!(
        dom.matches("data-copy=").count() >= 8,
        "copy buttons: {}",
        dom.matches("data-copy=").count()
    );
    for words in [
        "Basic SAML Configuration",
        "What to send back",
        "What never to send",
        "App Federation Metadata Url",
    ] {
        assert!(dom.contains(words), "{words} is not on the page");
    }
}

/// A customer whose tenant is in Azure Government: the SaaS admin names the cloud once, in the
/// setup; the kit carries it, so the customer's run signs in to that cloud's Graph without
/// being told (the stand-in plays US Government: a scope naming the global Graph is refused,
/// and so is the global non-gallery template), and the page sends their admin to that
/// cloud's portal.
#[test]
fn a_customer_in_us_government_gets_a_kit_that_names_their_cloud() {
    let saas = Saas::new();
    let entra = Standin::start_in(ACME_TENANT);
    entra.switches(r#"{"cloud": "usgov"}"#);
    let home = tempdir();
    let config = saas.config("acme", "saml", "", "[entra]\ncloud = \"usgov\"\n");
    saas.handoff(&config, &entra);
    let kit_path = saas.kits().join("acme.kit.toml");
    let kit = read_toml(&kit_path);
    assert_eq!(kit_value(&kit, "cloud"), "usgov");
    assert_eq!(kit.get("kit_version").and_then(|v| v.as_integer()), Some(2));
    let page = std::fs::read_to_string(saas.kits().join("acme.html")).unwrap_or_default();
    assert!(page.contains("https://portal.azure.us"), "{page}");
    assert!(!page.contains("login.microsoftonline.com"), "{page}");

    let out = entra_side(&entra, &kit_path, home.path());
    ok(&out);
    let reply_path = saas.kits().join("acme.reply.toml");
    let accepted = ok(&saas.accept("acme", &reply_path, &entra));
    assert!(accepted.contains(ACME_TENANT), "{accepted}");

    // A global-cloud kit in the same tenant is refused by the US Government stand-in: the
    // kit's cloud is what made the run above work.
    let global = saas.config("globex", "saml", "", "");
    saas.handoff(&global, &entra);
    let out = entra_side(&entra, &saas.kits().join("globex.kit.toml"), home.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("AADSTS500011"), "{}", stderr(&out));
}
