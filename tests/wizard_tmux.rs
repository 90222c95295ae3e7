//! The wizard driven in a real terminal: tmux runs the real binary against the Cognito
//! emulator and the local HTTPS Entra, keys are typed with send-keys, the screen is read with
//! capture-pane (polled with a deadline). Each flow ends by checking the emulator.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use cognito_entra_cognito::api::{CognitoApi, ProviderType};
use common::entra::*;
use common::https::{HttpsServer, Response};
use common::moto::{Moto, block_on};
use common::saml::{EMAIL, Resp};
use common::*;
use time::Duration as Days;

const WAIT: Duration = Duration::from_secs(30);
const REGION: &str = "eu-west-1";

struct World {
    moto: Moto,
    entra: HttpsServer,
    dir: tempfile::TempDir,
    tmux: Tmux,
}

impl World {
    fn new() -> World {
        let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
        let json = "application/json";
        let mut routes = HashMap::new();
        routes.insert(
            metadata_path(true),
            Response::ok("application/xml", metadata_xml(&[cert])),
        );
        routes.insert(
            format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
            Response::ok(json, discovery_json("https://localhost:{port}", TENANT)).templated(),
        );
        World {
            moto: Moto::start(),
            entra: HttpsServer::start(routes),
            dir: tempdir(),
            tmux: Tmux::start(80, 24),
        }
    }

    /// The shell line that starts the wizard with the test's environment, then prints its
    /// exit code (spelled so that the typed line itself does not match).
    fn wizard_line(&self, extra_env: &str) -> String {
        format!(
            "cd {dir} && env -u DISPLAY -u WAYLAND_DISPLAY AWS_ENDPOINT_URL={moto} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 COGNITO_ENTRA_STATE_DIR={dir}/state SSL_CERT_FILE={ca} COGNITO_ENTRA_AUTHORITY={authority} {extra_env} {bin}; echo \"EX\"\"IT-$?\"",
            dir = sh_quote(&self.dir.path().display().to_string()),
            moto = self.moto.endpoint(),
            ca = sh_quote(&self.entra.ca_file.display().to_string()),
            authority = self.entra.authority(),
            bin = sh_quote(bin()),
        )
    }

    fn start(&self, extra_env: &str) {
        self.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
        self.tmux.type_line(&self.wizard_line(extra_env));
        self.wait("Federate an Amazon Cognito");
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.tmux.cmd(&args);
    }

    fn text(&self, text: &str) {
        self.tmux.cmd(&["send-keys", "-t", "0", "-l", text]);
    }

    /// Pastes as a terminal does (bracketed paste, when the program asked for it).
    fn paste(&self, text: &str) {
        self.tmux.cmd(&["set-buffer", text]);
        self.tmux.cmd(&["paste-buffer", "-p", "-t", "0"]);
    }

    fn wait(&self, text: &str) -> String {
        self.tmux.wait_for_text(text, WAIT)
    }

    fn metadata_url(&self) -> String {
        self.entra.url(&metadata_path(true))
    }

    /// From the welcome screen, a new setup up to the Entra portal step (7), keeping the
    /// suggested domain prefix.
    fn to_entra_step(&self, name: &str, oidc: bool) -> String {
        self.to_entra_step_with(name, oidc, |w| {
            // The live check of the suggested prefix, against the emulator.
            w.wait("available");
        })
    }

    /// The same, with `on_domain` acting on the domain step before Enter.
    fn to_entra_step_with(&self, name: &str, oidc: bool, on_domain: impl Fn(&World)) -> String {
        self.to_entra_step_acting(name, oidc, on_domain, |_| {})
    }

    /// The same, with `on_provider` acting on the provider step before Enter too.
    fn to_entra_step_acting(
        &self,
        name: &str,
        oidc: bool,
        on_domain: impl Fn(&World),
        on_provider: impl Fn(&World),
    ) -> String {
        if oidc {
            self.keys(&["Down"]);
        }
        self.keys(&["Enter"]);
        self.wait("Name this setup");
        self.text(name);
        self.keys(&["Enter"]);
        self.wait("2 · AWS account");
        self.keys(&["Tab", "C-u"]);
        self.text(REGION);
        self.keys(&["Enter"]);
        // Whose credentials these are, and where they come from (the environment here).
        let pool = self.wait("3 · User pool");
        assert!(
            pool.contains("AWS identity") && pool.contains("(account 123456789012)"),
            "{pool}"
        );
        assert!(
            pool.contains("the environment (AWS_ACCESS_KEY_ID)"),
            "{pool}"
        );
        self.keys(&["Enter"]);
        self.wait("4 · Domain");
        on_domain(self);
        self.keys(&["Enter"]);
        self.wait("5 · App client");
        self.keys(&["Tab", "Tab"]);
        self.text("https://app.example.com/callback");
        self.keys(&["Enter"]);
        self.wait("6 · Provider");
        on_provider(self);
        self.keys(&["Enter"]);
        // What is created now is shown and asked once.
        self.wait("Create them now?");
        self.keys(&["Enter"]);
        self.wait("7 · Entra")
    }
}

/// The main pane's text with its wrapped rows joined back (values wrap, never truncate).
impl World {
    /// Plain mode, a new SAML setup named `name`, answered with defaults up to the scopes
    /// question (a new pool, domain and client with one callback URL).
    fn plain_to_scopes(&self, name: &str) {
        self.plain_to_scopes_with(name, false, "");
    }

    /// Plain mode from its first question to the scopes, for either protocol.
    fn plain_to_scopes_with(&self, name: &str, oidc: bool, extra_env: &str) {
        self.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
        self.tmux.type_line(&self.wizard_line(extra_env).replace(
            &format!("{};", sh_quote(bin())),
            &format!("{} wizard --plain;", sh_quote(bin())),
        ));
        self.wait("New SAML setup");
        if oidc {
            self.keys(&["Down"]);
        }
        self.keys(&["Enter"]);
        self.wait("Name this setup");
        self.text(name);
        self.keys(&["Enter"]);
        self.wait("? AWS profile");
        self.keys(&["Enter"]);
        self.wait("? Region");
        self.text(REGION);
        self.keys(&["Enter"]);
        // (inquire marks the question being asked with "?", an answered one with ">".)
        for question in [
            "? User pool",
            "? New pool's name",
            "? Domain prefix",
            "? Managed login pages",
            "? App client",
            "? Client name",
        ] {
            self.wait(question);
            self.keys(&["Enter"]);
        }
        self.wait("? Callback URLs:");
        self.text("https://app.example.com/callback");
        self.keys(&["Enter"]);
        self.wait("? Sign-out URLs");
        self.keys(&["Enter"]);
        self.wait("? Scopes:");
    }
}

/// The environment that points the wizard at the Graph stand-in instead of the test Entra.
fn graph_env(graph: &common::graph::Standin) -> String {
    format!(
        "COGNITO_ENTRA_AUTHORITY={} COGNITO_ENTRA_GRAPH_URL={} SSL_CERT_FILE={}",
        graph.authority,
        graph.graph,
        sh_quote(&graph.ca().display().to_string())
    )
}

/// The step pane's rows joined, each without its indent (a value wrapped under its own
/// indent reads whole).
fn pane(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|l| l.split("││").nth(1))
        .map(|l| l.trim_end_matches('│').trim())
        .collect::<Vec<_>>()
        .join("")
}

/// The Entity ID shown on the Entra step: its row, and the rows it wrapped onto.
fn entity_id(screen: &str) -> String {
    let rows: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.split("││").nth(1))
        .map(|l| l.trim_end_matches('│').trim_end())
        .collect();
    let start = rows
        .iter()
        .position(|r| r.trim_start().starts_with("urn:amazon:cognito:sp:"))
        .unwrap_or_else(|| panic!("no Entity ID on:\n{screen}"));
    let mut value = rows[start].trim().to_string();
    for row in &rows[start + 1..] {
        // A wrapped row keeps the value's indent; the next item starts at column 0 with its
        // number, or the row is blank.
        if row.trim().is_empty() || !row.starts_with("  ") {
            break;
        }
        value.push_str(row.trim());
    }
    value
}

#[test]
fn a_complete_saml_setup_from_the_screens_alone() {
    let w = World::new();
    w.start("");
    let screen = w.to_entra_step("e2e-saml", false);
    let entity = entity_id(&screen);
    assert!(screen.contains("1 Identifier (Entity ID)"), "{screen}");
    assert!(
        entity_id(&screen).starts_with("urn:amazon:cognito:sp:eu-west-1_"),
        "{screen}"
    );
    assert!(
        pane(&screen)
            .contains("https://e2e-saml-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse"),
        "{screen}"
    );
    assert!(
        !screen.contains("Relay State"),
        "SP-initiated has no Relay State:\n{screen}"
    );
    w.keys(&["Space", "Down", "Space", "Enter"]);
    w.wait("8 · Back from Entra");
    w.paste(&w.metadata_url());
    w.keys(&["Enter"]);
    let screen = w.wait("Usable");
    assert!(screen.contains(TENANT), "{screen}");
    w.keys(&["Enter"]);
    w.wait("9 · Attribute mapping");
    w.keys(&["Enter"]);
    let screen = w.wait("Plan: 1 to create, 1 to update.");
    assert!(screen.contains("+ identity provider  EntraID"), "{screen}");
    assert!(screen.contains("↓ more below"), "{screen}");
    // The review reads to its last line at 80×24, and at 60×16.
    for (width, height) in [("80", "24"), ("60", "16")] {
        w.tmux
            .cmd(&["resize-window", "-t", "0", "-x", width, "-y", height]);
        for _ in 0..60 {
            w.keys(&["Down"]);
        }
        let end = w.wait("oauth_enabled");
        assert!(end.contains("(end"), "{width}x{height}:\n{end}");
    }
    w.tmux
        .cmd(&["resize-window", "-t", "0", "-x", "80", "-y", "24"]);
    w.wait("Plan: 1 to create");
    w.keys(&["Enter"]);
    let screen = w.wait("11 · Finish in Entra");
    assert!(
        screen.contains("needs no certificate from Cognito"),
        "SP-initiated without signing: no certificate, and it says so\n{screen}"
    );
    assert!(!w.dir.path().join("e2e-saml-signing.cer").exists());
    w.keys(&["Enter"]);
    let screen = w.wait("12 · Test");
    assert!(
        pane(&screen).contains("/oauth2/authorize?identity_provider=EntraID"),
        "{screen}"
    );
    // A captured response without the email claim, pasted on the test step, is explained.
    let mut response = Resp::good(
        &signing_cert(Days::days(-30), Days::days(700)).0,
        &entity,
        "https://e2e-saml-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse",
    );
    response.attributes.retain(|(claim, _)| *claim != EMAIL);
    w.keys(&["s"]);
    w.wait("Check a SAML response");
    w.paste(&response.base64());
    w.keys(&["Enter"]);
    let check = w.wait("✗ email is mapped from");
    assert!(
        !check.contains("audience"),
        "the audience matches:\n{check}"
    );
    w.keys(&["Escape"]);
    w.wait("For your app");
    w.keys(&["q"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-0"), "{screen}");
    // Step 11 was left unticked: applied, and what is left in Entra is said.
    assert!(screen.contains("Setup e2e-saml is applied"), "{screen}");
    assert!(screen.contains("step 11 (1 left)"), "{screen}");

    // The emulator holds what the screens said.
    let sdk = w.moto.sdk(REGION);
    block_on(async {
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        let pool = pools
            .iter()
            .find(|p| p.name == "e2e-saml-users")
            .unwrap_or_else(|| panic!("{pools:?}"));
        let p = sdk
            .describe_user_pool(&pool.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.domain.as_deref(), Some("e2e-saml-login"));
        let provider = sdk
            .describe_identity_provider(&pool.id, "EntraID")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no provider"));
        assert_eq!(provider.provider_type, ProviderType::Saml);
        assert_eq!(provider.details.get("MetadataURL"), Some(&w.metadata_url()));
        let clients = sdk
            .list_user_pool_clients(&pool.id)
            .await
            .unwrap_or_default();
        assert_eq!(clients.len(), 1);
        let client = sdk
            .describe_user_pool_client(&pool.id, &clients[0].id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client.supported_identity_providers, ["EntraID"]);
        assert_eq!(client.callback_urls, ["https://app.example.com/callback"]);
        assert!(client.allowed_oauth_flows_user_pool_client);
    });
    // Applied, with Entra work left: status says so, never "done" (#20 item 15).
    let status = run(cmd(&w.dir.path().join("state")).args(["status", "--setup", "e2e-saml"]));
    assert!(
        stdout(&status).contains("progress     Entra: 1 to tick (step 11)"),
        "{}",
        stdout(&status)
    );

    // Plain mode, resumed on the finished setup, offers what is left to tick (it used to
    // say "run it again to tick them" and offer nothing).
    w.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
    w.tmux.type_line(&w.wizard_line("").replace(
        &format!("{};", sh_quote(bin())),
        &format!("{} wizard --plain --setup e2e-saml;", sh_quote(bin())),
    ));
    w.wait("(left unticked)");
    w.wait("Done in Entra");
    w.keys(&["Space", "Enter"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-0"), "{screen}");
    let status = run(cmd(&w.dir.path().join("state")).args(["status", "--setup", "e2e-saml"]));
    assert!(
        stdout(&status).contains("progress     done"),
        "{}",
        stdout(&status)
    );
}

#[test]
fn a_complete_oidc_setup_from_the_screens_alone() {
    const SECRET: &str = "Wz8~oidc.Secret-Value_from-Entra";
    let w = World::new();
    // Another pool already has the prefix the wizard will suggest.
    let sdk = w.moto.sdk(REGION);
    block_on(async {
        let other = sdk
            .create_user_pool("someone-else")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sdk.create_domain(&other.id, "e2e-oidc-login", false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });
    w.start("");
    let screen = w.to_entra_step_with("e2e-oidc", true, |w| {
        w.wait("taken by another user pool");
        w.keys(&["C-u"]);
        w.text("e2e-oidc-signin");
        w.wait("available");
    });
    assert!(screen.contains("Redirect URI (platform Web)"), "{screen}");
    assert!(
        pane(&screen).contains(
            "https://e2e-oidc-signin.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse"
        ),
        "{screen}"
    );
    w.keys(&["Enter"]);
    w.wait("8 · Back from Entra");
    w.text(TENANT);
    w.keys(&["Tab"]);
    w.text(APP);
    // Without the secret Cognito has none of: asked here, not at the review.
    w.keys(&["Enter"]);
    let asked = w.wait("Cognito has no client secret for this provider yet");
    assert!(!asked.contains("Usable"), "{asked}");
    // The cursor went to the field the problem is about.
    assert!(asked.contains("▸ Client secret Value"), "{asked}");
    w.text(SECRET);
    let screen = w.wait("Client secret Value");
    assert!(!screen.contains(SECRET), "the secret is masked:\n{screen}");
    w.keys(&["Tab"]);
    w.text("2027-11-01");
    w.keys(&["Enter"]);
    w.wait("Usable");
    w.keys(&["Enter"]);
    w.wait("9 · Attribute mapping");
    w.keys(&["Enter"]);
    w.wait("Plan: 1 to create, 1 to update.");
    // The provider's fields, in order: the secret's row is further down the plan.
    w.keys(&["Down", "Down", "Down", "Down", "Down", "Down"]);
    let screen = w.wait("client_secret = (hidden)");
    assert!(!screen.contains(SECRET), "{screen}");
    w.keys(&["Enter"]);
    w.wait("11 · Finish in Entra");
    w.keys(&["Enter"]);
    w.wait("12 · Test");
    w.keys(&["q"]);
    assert!(w.wait("EXIT-").contains("EXIT-0"));

    let authority = w.entra.authority();
    block_on(async {
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        let pool = pools
            .iter()
            .find(|p| p.name == "e2e-oidc-users")
            .unwrap_or_else(|| panic!("{pools:?}"));
        let domain = sdk
            .describe_domain("e2e-oidc-signin")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            domain.map(|d| d.user_pool_id),
            Some(pool.id.clone()),
            "the prefix typed after the taken one"
        );
        let provider = sdk
            .describe_identity_provider(&pool.id, "entra")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no provider"));
        assert_eq!(provider.provider_type, ProviderType::Oidc);
        assert_eq!(
            provider.details.get("client_secret").map(String::as_str),
            Some(SECRET)
        );
        assert_eq!(
            provider.details.get("authorize_url"),
            Some(&format!("{authority}/{TENANT}/oauth2/v2.0/authorize"))
        );
        assert_eq!(
            provider.details.get("jwks_uri"),
            Some(&format!("{authority}/{TENANT}/discovery/v2.0/keys"))
        );
    });
    // The secret went to Cognito only; the expiry date the admin typed was kept.
    for file in files_below(w.dir.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !bytes.windows(SECRET.len()).any(|x| x == SECRET.as_bytes()),
            "secret in {}",
            file.display()
        );
    }
    let state =
        std::fs::read_to_string(w.dir.path().join("state/e2e-oidc.toml")).unwrap_or_default();
    assert!(
        state.contains("client_secret_expires = \"2027-11-01\""),
        "{state}"
    );
}

#[test]
fn quit_in_the_entra_step_and_resume_there_with_everything_kept() {
    let w = World::new();
    w.start("");
    let first = w.to_entra_step("resume-me", false);
    let entity = entity_id(&first);
    w.keys(&["Space"]); // tick "Enterprise application created"
    w.keys(&["q"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-0"), "{screen}");
    assert!(
        screen.contains("Saved — run cognito-entra again to resume resume-me"),
        "{screen}"
    );

    w.start("");
    let welcome = w.wait("Resume");
    assert!(welcome.contains("resume-me"), "{welcome}");
    assert!(welcome.contains("step 7/12"), "{welcome}");
    w.keys(&["Enter"]);
    let screen = w.wait("7 · Entra: single sign-on");
    assert_eq!(entity_id(&screen), entity, "the same pool after resume");
    assert!(
        screen.contains("[x] Enterprise application created"),
        "{screen}"
    );
    assert!(
        screen.contains("[ ] Identifier and Reply URL saved"),
        "{screen}"
    );
    // Going back shows the answers as typed.
    w.keys(&["Escape"]);
    let provider = w.wait("6 · Provider");
    assert!(
        provider.contains("[EntraID]") || provider.contains("EntraID"),
        "{provider}"
    );
    w.keys(&["Escape"]);
    let client = w.wait("5 · App client");
    assert!(
        client.contains("https://app.example.com/callback"),
        "{client}"
    );
    // Esc from the first step leaves the setup for the list, where it can be resumed again.
    for title in ["4 · Domain", "3 · User pool", "2 · AWS account"] {
        w.keys(&["Escape"]);
        w.wait(title);
    }
    w.keys(&["Escape"]);
    let welcome = w.wait("Resume");
    assert!(welcome.contains("▸ resume-me"), "{welcome}");
    w.keys(&["Enter"]);
    w.wait("7 · Entra: single sign-on");
    w.keys(&["C-q"]);
    assert!(w.wait("EXIT-").contains("EXIT-0"));

    let sdk = w.moto.sdk(REGION);
    block_on(async {
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        assert_eq!(
            pools.len(),
            1,
            "prepared once, not again on resume: {pools:?}"
        );
        assert_eq!(entity, format!("urn:amazon:cognito:sp:{}", pools[0].id));
        assert_eq!(
            sdk.list_user_pool_clients(&pools[0].id)
                .await
                .unwrap_or_default()
                .len(),
            1
        );
    });
}

#[test]
fn the_identifier_reaches_the_x11_clipboard_and_the_terminal() {
    let x = XServer::start();
    let w = World::new();
    w.tmux.cmd(&["set-option", "-g", "set-clipboard", "on"]);
    // With a display: the system clipboard, read back with xclip.
    w.tmux.type_line(&format!("export DISPLAY={}", x.display));
    let line = w.wizard_line("").replace(
        "env -u DISPLAY -u WAYLAND_DISPLAY",
        &format!("env DISPLAY={}", x.display),
    );
    w.tmux.type_line(&line);
    w.wait("Federate an Amazon Cognito");
    let screen = w.to_entra_step("clip", false);
    let entity = entity_id(&screen);
    w.keys(&["1"]);
    w.wait("Identifier copied");
    let got = wait_for("the Entity ID on the X clipboard", WAIT, || {
        x.clipboard().filter(|v| *v == entity)
    });
    assert_eq!(got, entity);
    w.keys(&["q"]);
    w.wait("EXIT-");

    // Without a display: OSC 52, which tmux keeps as a paste buffer.
    w.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
    w.tmux.type_line(&w.wizard_line(""));
    w.wait("Resume");
    w.keys(&["Enter"]);
    w.wait("7 · Entra");
    w.keys(&["2"]);
    w.wait("Reply URL sent to your terminal");
    let buffer = stdout(&w.tmux.cmd(&["show-buffer"]));
    assert!(
        buffer.ends_with("/saml2/idpresponse") && buffer.starts_with("https://clip-login."),
        "{buffer:?}"
    );
    w.keys(&["q"]);
    w.wait("EXIT-");
}

#[test]
fn the_terminal_is_restored_after_q_ctrl_c_and_a_panic() {
    let w = World::new();
    let restored =
        |screen: &str| !screen.contains("┌ cognito-entra") && !screen.contains("New setup");
    // q
    w.start("");
    w.keys(&["q"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-0") && restored(&screen), "{screen}");
    // Ctrl-C: exit 130.
    w.start("");
    w.keys(&["C-c"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-130") && restored(&screen), "{screen}");
    // A panic (test-only trigger): the message is readable, the screen is the shell's.
    w.start("COGNITO_ENTRA_TEST_PANIC=1 RUST_BACKTRACE=0");
    w.keys(&["F12"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-101") && restored(&screen), "{screen}");
    assert!(screen.contains("test-only panic"), "{screen}");
    // And the terminal is back in cooked mode: a typed line echoes and runs normally.
    w.tmux.type_line("echo cooked-$((40+2))");
    let screen = w.wait("cooked-42");
    assert!(screen.contains("cooked-42"), "{screen}");
}

#[test]
fn without_a_terminal_the_wizard_points_to_plan_and_apply() {
    let dir = tempdir();
    let out = run(cmd(dir.path())
        .arg("wizard")
        .stdin(std::process::Stdio::null()));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("needs a terminal") && err.contains("apply --config"),
        "{err}"
    );
}

#[test]
fn the_plain_prompts_walk_the_same_journey() {
    let w = World::new();
    w.plain_to_scopes("plain-saml");
    w.keys(&["Enter"]);
    w.wait("? Client secret");
    w.keys(&["Enter"]);
    w.wait("? Provider name");
    w.keys(&["Enter"]);
    for question in [
        "? Identifiers",
        "? Sign-in from My Apps",
        "? Signed requests",
        "? Encrypted assertions",
        "? Sign out of Entra too",
    ] {
        w.wait(question);
        w.keys(&["Enter"]);
    }
    let confirm = w.wait("? Create them now?");
    assert!(confirm.contains("+ create user pool"), "{confirm}");
    w.keys(&["Enter"]);
    let how = w.wait("? How is the Entra side done?");
    assert!(how.contains("Do it for me"), "{how}");
    w.keys(&["Enter"]);
    let screen = w.wait("Go on");
    assert!(screen.contains("Identifier (Entity ID):"), "{screen}");
    // The copy menu asks a question a screen reader can read.
    assert!(
        screen.contains("Copy a value for the Entra portal, or go on"),
        "{screen}"
    );
    w.keys(&["Down", "Down", "Enter"]);
    w.wait("Done in Entra");
    w.keys(&["Enter"]);
    w.wait("App Federation Metadata Url");
    w.text(&w.metadata_url());
    w.keys(&["Enter"]);
    w.wait("Change or add a mapping");
    w.keys(&["Enter"]);
    let screen = w.wait("Apply these changes?");
    assert!(
        screen.contains("Plan: 1 to create, 1 to update."),
        "{screen}"
    );
    w.keys(&["Enter"]);
    w.wait("Done in Entra");
    w.keys(&["Enter"]);
    // The test step reads a pasted SAML response; Enter alone finishes.
    w.wait("SAMLResponse to check");
    w.text("not a saml response");
    w.keys(&["Enter"]);
    w.wait("not a SAML response: copy the SAMLResponse form value");
    w.keys(&["Enter"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-0"), "{screen}");
    // The portal steps were left unticked: applied, and what is left in Entra is said.
    assert!(screen.contains("Setup plain-saml is applied"), "{screen}");
    assert!(screen.contains("Not ticked yet in Entra"), "{screen}");
    // Plain mode records what it applied, as the wizard and `apply` do (status reads it).
    let saved: toml::Table = std::fs::read_to_string(w.dir.path().join("state/plain-saml.toml"))
        .unwrap_or_default()
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let applied = saved["progress"]["applied"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        applied
            .iter()
            .any(|a| a.as_str() == Some("create identity_provider EntraID")),
        "not recorded: {applied:?}"
    );

    let sdk = w.moto.sdk(REGION);
    block_on(async {
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        let pool = pools
            .iter()
            .find(|p| p.name == "plain-saml-users")
            .unwrap_or_else(|| panic!("{pools:?}"));
        let provider = sdk
            .describe_identity_provider(&pool.id, "EntraID")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            provider.and_then(|p| p.details.get("MetadataURL").cloned()),
            Some(w.metadata_url())
        );
    });
}

/// `scripts/try` in a tmux of its own, from its intro (returned) to the wizard's step 7 for a
/// new SAML setup `name` with the screens' defaults: what both tours share.
fn try_tour_to_entra_step(tmux: &Tmux, name: &str) -> (String, String) {
    require_tool("bash", "scripts/try is a bash script");
    // Fails with the usual message when the emulator is not installed.
    let _ = common::moto::python();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/try");
    tmux.type_line(&format!(
        "env -u DISPLAY -u WAYLAND_DISPLAY COGNITO_ENTRA_BIN={bin} bash {script}; echo \"TRY\"\"-OVER\"",
        bin = sh_quote(bin()),
        script = sh_quote(&script.display().to_string()),
    ));
    let intro = tmux.wait_for_text("Press Enter to open the wizard", Duration::from_secs(120));
    let keys = |k: &[&str]| {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(k);
        tmux.cmd(&args);
    };
    let wait = |text: &str| tmux.wait_for_text(text, WAIT);
    keys(&["Enter"]);
    wait("Federate an Amazon Cognito");
    keys(&["Enter"]);
    wait("Name this setup");
    tmux.cmd(&["send-keys", "-t", "0", "-l", name]);
    keys(&["Enter"]);
    wait("2 · AWS account");
    keys(&["Enter"]);
    wait("3 · User pool");
    keys(&["Enter"]);
    wait("4 · Domain");
    wait("available");
    keys(&["Enter"]);
    wait("5 · App client");
    keys(&["Tab", "Tab"]);
    tmux.cmd(&[
        "send-keys",
        "-t",
        "0",
        "-l",
        "http://localhost:3000/callback",
    ]);
    keys(&["Enter"]);
    wait("6 · Provider");
    keys(&["Enter"]);
    wait("Create them now?");
    keys(&["Enter"]);
    let entra = wait("7 · Entra");
    (intro, entra)
}

/// The newcomer's tour from the README: `scripts/try` starts its own emulator and Entra and
/// Graph stand-in (tests/support/graph_standin.py, not the test servers above), and a complete
/// SAML setup works against them from the screens alone.
#[test]
fn scripts_try_gives_a_working_tour() {
    let tmux = Tmux::start(160, 40);
    let (intro, _) = try_tour_to_entra_step(&tmux, "tour");
    let metadata_url = intro
        .lines()
        .find_map(|l| l.trim().strip_prefix("App Federation Metadata Url"))
        .map(|u| u.trim().to_string())
        .unwrap_or_else(|| panic!("no metadata URL in the intro:\n{intro}"));
    assert!(metadata_url.starts_with("https://"), "{metadata_url}");
    let keys = |k: &[&str]| {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(k);
        tmux.cmd(&args);
    };
    let wait = |text: &str| tmux.wait_for_text(text, WAIT);
    keys(&["Enter"]);
    wait("8 · Back from Entra");
    tmux.cmd(&["set-buffer", &metadata_url]);
    tmux.cmd(&["paste-buffer", "-p", "-t", "0"]);
    keys(&["Enter"]);
    wait("Usable");
    keys(&["Enter"]);
    wait("9 · Attribute mapping");
    keys(&["Enter"]);
    wait("Plan: 1 to create");
    keys(&["Enter"]);
    wait("11 · Finish in Entra");
    keys(&["Enter"]);
    wait("12 · Test");
    keys(&["q"]);
    let end = wait("TRY-OVER");
    assert!(end.contains("Setup tour is applied"), "{end}");
}

/// `scripts/try` offers "g do it for me" on the Entra step, and it works there: the tour's
/// stand-in plays Graph, and the application is made and filled in on step 8.
#[test]
fn scripts_try_does_it_for_me_too() {
    let tmux = Tmux::start(160, 40);
    let (intro, entra) = try_tour_to_entra_step(&tmux, "graph-tour");
    assert!(intro.contains("do it for me"), "{intro}");
    let keys = |k: &[&str]| {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(k);
        tmux.cmd(&args);
    };
    let wait = |text: &str| tmux.wait_for_text(text, WAIT);
    assert!(entra.contains("g do it for me"), "{entra}");
    keys(&["g"]);
    wait("Who may sign in");
    tmux.cmd(&["send-keys", "-t", "0", "-l", "ada@contoso.example"]);
    keys(&["Enter"]);
    wait("Enter make");
    keys(&["Enter"]);
    let back = wait("8 · Back from Entra");
    assert!(back.contains("Made in Entra"), "{back}");
    keys(&["Enter"]);
    wait("Usable");
    keys(&["C-q"]);
    wait("TRY-OVER");
}

/// The pool picker: a filter that matches no pool chooses none (Enter does not adopt the pool
/// the first letter matched), and a pool another saved setup uses says so where it is chosen.
#[test]
fn a_pool_filter_without_a_match_adopts_nothing_and_a_used_pool_says_so() {
    let w = World::new();
    let sdk = w.moto.sdk(REGION);
    let staging = block_on(async {
        sdk.create_user_pool("staging-users")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    });
    // Another saved setup uses that pool.
    let store = cognito_entra::state::StateStore::new(w.dir.path().join("state"));
    let lock = store.lock("staging").unwrap_or_else(|e| panic!("{e}"));
    let mut state = cognito_entra::state::State::new(cognito_entra::setup::Setup::blank(
        "staging",
        cognito_entra::setup::Protocol::Saml,
    ));
    state.answers.region = REGION.into();
    state.aws.user_pool_id = Some(staging.id.clone());
    lock.save(&mut state).unwrap_or_else(|e| panic!("{e}"));
    drop(lock);

    w.start("");
    // The saved setup's row first, then a new SAML setup.
    w.keys(&["Down", "Enter"]);
    w.wait("Name this setup");
    w.text("corp");
    w.keys(&["Enter"]);
    w.wait("2 · AWS account");
    w.keys(&["Tab", "C-u"]);
    w.text(REGION);
    w.keys(&["Enter"]);
    w.wait("3 · User pool");
    // The admin types the new pool's name where the picker has the focus: "s" matches
    // staging-users, "sales-pool" matches nothing.
    w.text("s");
    let narrowed = w.wait("filter: s");
    // (The option wraps: compared without spaces.)
    let squeezed = |t: &str| t.replace(' ', "");
    assert!(
        squeezed(&pane(&narrowed)).contains(&squeezed(&format!(
            "staging-users ({}) · used by setup staging",
            staging.id
        ))),
        "{narrowed}"
    );
    w.text("ales-pool");
    let none = w.wait("(no match)");
    assert!(!none.contains("staging-users"), "{none}");
    w.keys(&["Enter"]);
    let refused = w.wait("no user pool matches");
    assert!(!refused.contains("4 · Domain"), "{refused}");
    // Cleared, the picker shows what it holds; the admin chooses a new pool and names it.
    w.keys(&["C-u"]);
    w.wait("2/2");
    w.keys(&["Left"]);
    w.wait("Create a new pool");
    w.keys(&["Tab", "C-u"]);
    w.text("sales-pool");
    w.keys(&["Enter"]);
    w.wait("4 · Domain");
    let saved = std::fs::read_to_string(w.dir.path().join("state/corp.toml")).unwrap_or_default();
    assert!(!saved.contains(&staging.id), "{saved}");
    assert!(saved.contains("name = \"sales-pool\""), "{saved}");
}

/// Plain mode takes the region and profile by the same rule as every other face: a flag,
/// then the environment, then the saved setup, then a default (it offered us-east-1 whatever
/// AWS_REGION said, and Enter saved it).
#[test]
fn plain_mode_offers_the_region_and_profile_the_environment_gives() {
    let w = World::new();
    w.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
    w.tmux.type_line(
        &w.wizard_line("AWS_REGION=eu-central-1 AWS_PROFILE=from-env")
            .replace(
                &format!("{};", sh_quote(bin())),
                &format!("{} wizard --plain;", sh_quote(bin())),
            ),
    );
    w.wait("New SAML setup");
    w.keys(&["Enter"]);
    w.wait("Name this setup");
    w.text("where-from");
    w.keys(&["Enter"]);
    let screen = w.wait("? AWS profile");
    assert!(screen.contains("from-env"), "{screen}");
    w.keys(&["C-u"]);
    w.text("default");
    w.keys(&["Enter"]);
    let screen = w.wait("? Region");
    assert!(screen.contains("eu-central-1"), "{screen}");
    assert!(!screen.contains("us-east-1"), "{screen}");
    w.keys(&["C-c"]);
    w.wait("EXIT-");
}

/// Plain mode checks what the wizard checks, by the same rules (setup::answers): scopes
/// without openid, a bad mapping. Before, it took both and failed later, or never.
#[test]
fn plain_mode_checks_answers_as_the_wizard_does() {
    let w = World::new();
    w.plain_to_scopes("plain-rules");
    // The scopes' hint is wider than 80 columns: its second row stays under its text.
    let screen = w.wait("(Amplify)]");
    let second = screen
        .lines()
        .find(|l| l.contains("(Amplify)]"))
        .unwrap_or_default();
    assert!(
        second.starts_with(' ') && !second.contains("aws.cognito"),
        "the hint's second row is indented:\n{screen}"
    );
    w.text("email profile");
    w.keys(&["Enter"]);
    let screen = w.wait("requires the openid scope");
    assert!(screen.contains("add \"openid\""), "{screen}");
    w.keys(&["C-c"]);
    w.wait("EXIT-");
}

/// A panic in a worker task (test-only trigger: every task panics) comes back as a message:
/// the wizard keeps its whole screen, nothing is printed over it, and it quits cleanly.
#[test]
fn a_panic_in_a_worker_leaves_the_wizard_whole() {
    let w = World::new();
    w.start("COGNITO_ENTRA_TEST_PANIC_IN_TASK=1 RUST_BACKTRACE=0");
    w.keys(&["Enter"]);
    w.wait("Name this setup");
    w.text("worker-panic");
    w.keys(&["Enter"]);
    w.wait("2 · AWS account");
    w.keys(&["Tab", "C-u"]);
    w.text(REGION);
    w.keys(&["Enter"]);
    let screen = w.wait("internal error");
    assert!(
        screen.contains("2 · AWS account"),
        "the frame is gone:\n{screen}"
    );
    assert!(
        !screen.contains("panicked at"),
        "the panic was printed over the screen:\n{screen}"
    );
    w.keys(&["C-q"]);
    let screen = w.wait("EXIT-");
    assert!(screen.contains("EXIT-0"), "{screen}");
    assert!(!screen.contains("panicked at"), "{screen}");
}

/// The environment for `--entra-sign-in browser`: the Graph stand-in's, and a `$BROWSER`
/// (tests/support/fake_browser.py) that takes a few seconds to sign in, as a person does.
/// The flag goes after the binary: `env` runs sh, whose $0 is the binary and $@ the rest.
fn browser_env(w: &World, graph: &common::graph::Standin) -> String {
    let out = w.dir.path().join("browser");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    let browser = format!(
        "{} {} {} {} follow 3",
        common::moto::python().display(),
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/support/fake_browser.py")
            .display(),
        out.display(),
        graph.ca().display()
    );
    format!(
        "{} BROWSER={} sh -c '\"$0\" --entra-sign-in browser \"$@\"'",
        graph_env(graph),
        sh_quote(&browser)
    )
}

/// "Do it for me" with `--entra-sign-in browser`: the browser (tests/support/fake_browser.py,
/// which takes a few seconds, as a person does) is started by the wizard, which prints nothing
/// over its screen: the wait is said on its busy line, the address copied; then the plan.
#[test]
fn the_browser_sign_in_in_the_wizard_keeps_its_screen() {
    let graph = common::graph::Standin::start();
    let w = World::new();
    w.start(&browser_env(&w, &graph));
    let screen = w.to_entra_step_acting(
        "graph-browser",
        true,
        |w| {
            w.wait("available");
        },
        |_| {},
    );
    assert!(screen.contains("g do it for me"), "{screen}");
    w.keys(&["g"]);
    let waiting = w.wait("Sign in in the browser that opened");
    assert!(
        !waiting.contains("oauth2/v2.0/authorize"),
        "printed over the screen: {waiting}"
    );
    assert!(waiting.contains("Esc cancel the sign-in"), "{waiting}");
    let planned = w.wait("Enter make");
    assert!(pane(&planned).contains("+ app registration"), "{planned}");
    assert!(!planned.contains("oauth2/v2.0/authorize"), "{planned}");
    assert_eq!(
        graph.ask("__signins")["grants"],
        serde_json::json!(["authorization_code"])
    );
    w.keys(&["Enter"]);
    let back = w.wait("8 · Back from Entra");
    assert!(back.contains("Made in Entra"), "{back}");
}

/// "Do it for me" on the Entra step, for both protocols: sign in with the device code shown
/// on screen, the Entra changes shown and confirmed, the answers Entra gives back filled in,
/// then the rest of the journey as usual — against the Graph stand-in and the emulator.
#[test]
fn do_it_for_me_makes_the_entra_side_in_the_wizard() {
    for oidc in [false, true] {
        let name = if oidc { "graph-oidc" } else { "graph-saml" };
        let graph = common::graph::Standin::start();
        // The admin takes a few seconds to sign in: the code stays on screen meanwhile.
        graph.switches(r#"{"pending_polls": 4}"#);
        let w = World::new();
        w.start(&graph_env(&graph));
        // SAML with signed requests and encrypted assertions: Cognito's certificates go to
        // Entra too, the encryption one once Cognito's provider exists (after the review).
        let screen = w.to_entra_step_acting(
            name,
            oidc,
            |w| {
                w.wait("available");
            },
            |w| {
                if !oidc {
                    w.keys(&["Tab", "Tab", "Tab", "Space", "Tab", "Space"]);
                }
            },
        );
        assert!(screen.contains("g do it for me"), "{screen}");
        w.keys(&["g"]);
        if !oidc {
            // Who may sign in, asked before the sign-in; a name twice is named and fixed.
            let asked = w.wait("Who may sign in");
            assert!(asked.contains("Enter sign in"), "{asked}");
            w.text("ada@contoso.example, Sales, sales");
            w.keys(&["Enter"]);
            w.wait("listed twice");
            w.keys(&["C-u"]);
            w.text("ada@contoso.example, Sales");
            w.keys(&["Enter"]);
        }
        let signing_in = w.wait("GQ7W-XK2P");
        assert!(signing_in.contains("devicelogin"), "{signing_in}");
        assert!(
            signing_in.contains("Esc cancel the sign-in"),
            "{signing_in}"
        );
        let planned = w.wait("Enter make");
        let made = if oidc {
            "+ app registration"
        } else {
            "+ enterprise application"
        };
        assert!(pane(&planned).contains(made), "{planned}");
        assert_eq!(graph.writes(), 0, "nothing written before Enter");
        // Let go, then asked for again: the run's sign-in is kept (no second device code).
        w.keys(&["Escape"]);
        w.wait("Cancelled: nothing was made in Entra");
        w.keys(&["g"]);
        if !oidc {
            w.wait("Who may sign in");
            w.keys(&["Enter"]);
        }
        w.wait("Enter make");
        assert_eq!(
            graph.ask("__signins")["tenants"].as_array().map(Vec::len),
            Some(1),
            "signed in once"
        );
        w.keys(&["Enter"]);
        let back = w.wait("8 · Back from Entra");
        assert!(back.contains("Made in Entra"), "{back}");
        if oidc {
            // The secret Graph made is never shown, not even on request.
            w.keys(&["C-r"]);
            w.wait("never shown");
            // Quit and resume: the secret lived in memory only; the step says how to get
            // a new one, and g on the Entra step makes it.
            w.keys(&["C-q"]);
            assert!(w.wait("EXIT-").contains("EXIT-0"));
            w.start(&graph_env(&graph));
            w.wait("Resume");
            w.keys(&["Enter"]);
            w.wait("8 · Back from Entra");
            w.keys(&["Enter"]);
            w.wait("press g on the Entra step");
            w.keys(&["Escape"]);
            let entra = w.wait("made through Graph");
            assert!(entra.contains("g checks, completes"), "{entra}");
            w.keys(&["g"]);
            let again = w.wait("Enter make");
            assert!(pane(&again).contains("+ client secret"), "{again}");
            assert!(!pane(&again).contains("+ app registration"), "{again}");
            w.keys(&["Enter"]);
            w.wait("8 · Back from Entra");
        }
        w.keys(&["Enter"]);
        w.wait("Usable");
        w.keys(&["Enter"]);
        w.wait("9 · Attribute mapping");
        w.keys(&["Enter"]);
        w.wait("Plan:");
        w.keys(&["Enter"]);
        let finish = w.wait("11 · Finish in Entra");
        if !oidc {
            let finish = w.wait("Entra holds Cognito's certificates");
            assert!(
                pane(&finish).contains("handed over through Microsoft Graph"),
                "{finish}"
            );
            assert_eq!(graph.ask("__assignments")["count"], 2);
            let app = &graph.ask("__app_keys")[name];
            for usage in ["Verify", "Encrypt"] {
                assert!(app.to_string().contains(usage), "{usage}: {app}");
            }
            assert_eq!(
                app["requestSignatureVerification"]["isSignedRequestRequired"], true,
                "{app}"
            );
        } else {
            assert!(!finish.contains("Microsoft Graph"), "{finish}");
        }
        w.keys(&["Enter"]);
        w.wait("12 · Test");
        w.keys(&["q"]);
        assert!(w.wait("EXIT-").contains("EXIT-0"));

        assert_eq!(
            graph.ask("__applications")["names"],
            serde_json::json!([name])
        );
        let sdk = w.moto.sdk(REGION);
        let provider = block_on(async {
            let pools = sdk.list_user_pools().await.unwrap_or_default();
            let pool = pools.first().map(|p| p.id.clone()).unwrap_or_default();
            let provider_name = if oidc { "entra" } else { "EntraID" };
            sdk.describe_identity_provider(&pool, provider_name)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no provider"))
        });
        if oidc {
            let secret = provider
                .details
                .get("client_secret")
                .cloned()
                .unwrap_or_default();
            assert!(secret.len() > 20, "the secret Graph made reached Cognito");
            let state = std::fs::read_to_string(w.dir.path().join(format!("state/{name}.toml")))
                .unwrap_or_default();
            assert!(!state.contains(&secret), "{state}");
        } else {
            let url = provider
                .details
                .get("MetadataURL")
                .cloned()
                .unwrap_or_default();
            assert!(
                url.starts_with(&graph.authority) && url.contains("?appid="),
                "{url}"
            );
        }
    }
}

/// Plain mode offers the same "do it for me" (OIDC here: the secret Graph makes is kept in
/// memory and given to Cognito without being typed or shown).
/// Plain mode with `--entra-sign-in browser`: the address printed whole (for a browser started
/// by hand) while the browser that was started signs in; then the plan.
#[test]
fn plain_mode_signs_in_through_the_browser() {
    let graph = common::graph::Standin::start();
    let w = World::new();
    w.plain_to_scopes_with("plain-browser", true, &browser_env(&w, &graph));
    w.keys(&["Enter"]);
    for question in [
        "? Client secret",
        "? Provider name",
        "? Identifiers",
        "? Attributes request",
        "? Create them now?",
    ] {
        w.wait(question);
        w.keys(&["Enter"]);
    }
    w.wait("? How is the Entra side done?");
    w.keys(&["Down", "Enter"]);
    let shown = w.wait("Sign in in the browser");
    assert!(shown.contains("/oauth2/v2.0/authorize?"), "{shown}");
    let planned = w.wait("? Make these changes in Entra?");
    assert!(planned.contains("+ app registration"), "{planned}");
    assert_eq!(
        graph.ask("__signins")["grants"],
        serde_json::json!(["authorization_code"])
    );
    w.text("n");
    w.keys(&["Enter"]);
    w.wait("Nothing was made in Entra");
    assert_eq!(graph.writes(), 0);
}

#[test]
fn plain_mode_does_it_for_me_too() {
    let graph = common::graph::Standin::start();
    graph.switches(r#"{"pending_polls": 3}"#);
    let w = World::new();
    w.plain_to_scopes_with("plain-graph", true, &graph_env(&graph));
    w.keys(&["Enter"]);
    for question in [
        "? Client secret",
        "? Provider name",
        "? Identifiers",
        "? Attributes request",
        "? Create them now?",
    ] {
        w.wait(question);
        w.keys(&["Enter"]);
    }
    w.wait("? How is the Entra side done?");
    w.keys(&["Down", "Enter"]);
    let code = w.wait("GQ7W-XK2P");
    assert!(code.contains("devicelogin"), "{code}");
    let planned = w.wait("? Make these changes in Entra?");
    assert!(planned.contains("+ app registration"), "{planned}");
    // Declined: the way is asked again, and the second run keeps the run's sign-in (no new
    // device code).
    w.text("n");
    w.keys(&["Enter"]);
    w.wait("Nothing was made in Entra");
    w.wait("? How is the Entra side done?");
    w.keys(&["Down", "Enter"]);
    let again = w.wait("? Make these changes in Entra?");
    let after = again
        .split("Nothing was made in Entra")
        .nth(1)
        .unwrap_or_default();
    assert!(!after.contains("GQ7W-XK2P"), "{again}");
    assert!(!after.contains("Signing in"), "{again}");
    assert_eq!(
        graph.ask("__signins")["tenants"].as_array().map(Vec::len),
        Some(1),
        "signed in once"
    );
    w.keys(&["Enter"]);
    for question in [
        "? Directory (tenant) ID",
        "? Application (client) ID",
        "? Client secret Value",
        "? Secret expires on",
    ] {
        w.wait(question);
        w.keys(&["Enter"]);
    }
    w.wait("Change or add a mapping");
    w.keys(&["Enter"]);
    w.wait("Apply these changes?");
    w.keys(&["Enter"]);
    w.wait("? Done in Entra");
    w.keys(&["Enter"]);
    let end = w.wait("EXIT-");
    assert!(end.contains("EXIT-0"), "{end}");
    assert_eq!(
        graph.ask("__applications")["names"],
        serde_json::json!(["plain-graph"])
    );
    let sdk = w.moto.sdk(REGION);
    block_on(async {
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        let pool = pools.first().map(|p| p.id.clone()).unwrap_or_default();
        let provider = sdk
            .describe_identity_provider(&pool, "entra")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no provider"));
        let secret = provider
            .details
            .get("client_secret")
            .cloned()
            .unwrap_or_default();
        assert!(secret.len() > 20, "the secret Graph made reached Cognito");
        assert!(!end.contains(&secret));
    });
}

/// Plain mode's "do it for me" with signed requests and encrypted assertions: Cognito's
/// certificates reach Entra, the encryption one right after Cognito's side is applied.
#[test]
fn plain_mode_hands_entra_cognitos_certificates() {
    let graph = common::graph::Standin::start();
    let w = World::new();
    w.plain_to_scopes_with("plain-certs", false, &graph_env(&graph));
    w.keys(&["Enter"]);
    for question in [
        "? Client secret",
        "? Provider name",
        "? Identifiers",
        "? Sign-in from My Apps",
    ] {
        w.wait(question);
        w.keys(&["Enter"]);
    }
    for question in ["? Signed requests", "? Encrypted assertions"] {
        w.wait(question);
        w.text("y");
        w.keys(&["Enter"]);
    }
    w.wait("? Sign out of Entra too");
    w.keys(&["Enter"]);
    w.wait("? Create them now?");
    w.keys(&["Enter"]);
    w.wait("? How is the Entra side done?");
    w.keys(&["Down", "Enter"]);
    w.wait("? Who may sign in");
    w.text("grace@contoso.example");
    w.keys(&["Enter"]);
    let planned = w.wait("? Make these changes in Entra?");
    assert!(planned.contains("+ assignment"), "{planned}");
    for line in [
        "+ verification certificate",
        "Require verification certificates",
        "+ token encryption",
    ] {
        assert!(planned.contains(line), "{line}: {planned}");
    }
    w.keys(&["Enter"]);
    // Step 8, filled by Graph: nothing to copy, and nothing that says to.
    let filled = w.wait("? App Federation Metadata Url");
    assert!(filled.contains("Nothing to copy"), "{filled}");
    assert!(!filled.contains("paste it here"), "{filled}");
    assert!(!filled.contains("Ctrl-F"), "{filled}");
    w.keys(&["Enter"]);
    w.wait("Change or add a mapping");
    w.keys(&["Enter"]);
    w.wait("Apply these changes?");
    w.keys(&["Enter"]);
    let handed = w.wait("Done in Entra");
    assert!(
        handed.contains("handed over through Microsoft Graph"),
        "{handed}"
    );
    w.keys(&["Enter"]);
    w.wait("SAMLResponse to check");
    w.keys(&["Enter"]);
    let end = w.wait("EXIT-");
    assert!(end.contains("EXIT-0"), "{end}");
    assert!(!end.contains("Not ticked yet in Entra"), "{end}");
    let app = &graph.ask("__app_keys")["plain-certs"];
    for usage in ["Verify", "Encrypt"] {
        assert!(app.to_string().contains(usage), "{usage}: {app}");
    }
    graph_does_the_entra_side_afterwards(&w, &graph, "plain-certs");
}

/// After "do it for me", the saved setup says Graph does its Entra side: `plan` reads the
/// application through Graph and `apply` finds nothing to do there, neither telling the admin
/// to upload the certificates Graph handed over.
fn graph_does_the_entra_side_afterwards(w: &World, graph: &common::graph::Standin, name: &str) {
    let state = std::fs::read_to_string(w.dir.path().join(format!("state/{name}.toml")))
        .unwrap_or_default();
    assert!(state.contains("mode = \"graph\""), "{state}");
    let writes = graph.writes();
    for command in ["plan", "apply"] {
        let mut c = w.moto.cmd(&w.dir.path().join("state"));
        c.env("COGNITO_ENTRA_AUTHORITY", &graph.authority)
            .env("COGNITO_ENTRA_GRAPH_URL", &graph.graph)
            .env("SSL_CERT_FILE", graph.ca())
            .args([command, "--setup", name]);
        if command == "apply" {
            c.arg("--yes");
        }
        let out = run(&mut c);
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(0), "{command}: {said}");
        assert!(
            said.contains("No changes: the application holds what Cognito needs"),
            "{command}: {said}"
        );
        assert!(
            !said.contains("Verification certificates"),
            "{command}: {said}"
        );
    }
    assert_eq!(graph.writes(), writes, "nothing written in Entra again");
}

/// "Do it for me" with encrypted assertions, quit before the apply: the session that would
/// hand Entra Cognito's encryption certificate is gone on resume, so step 11 says so and `g`
/// signs in again and hands it over (nothing duplicated, nothing left to the portal).
#[test]
fn a_resumed_setup_hands_over_the_certificates_from_step_11() {
    let graph = common::graph::Standin::start();
    let w = World::new();
    w.start(&graph_env(&graph));
    w.to_entra_step_acting(
        "graph-resume",
        false,
        |w| {
            w.wait("available");
        },
        // Signed requests and encrypted assertions.
        |w| w.keys(&["Tab", "Tab", "Tab", "Space", "Tab", "Space"]),
    );
    w.keys(&["g"]);
    w.wait("Who may sign in");
    w.keys(&["Enter"]);
    w.wait("Enter make");
    w.keys(&["Enter"]);
    w.wait("8 · Back from Entra");
    w.keys(&["C-q"]);
    assert!(w.wait("EXIT-").contains("EXIT-0"));
    w.start(&graph_env(&graph));
    w.wait("Resume");
    w.keys(&["Enter"]);
    w.wait("8 · Back from Entra");
    w.keys(&["Enter"]);
    w.wait("Usable");
    w.keys(&["Enter"]);
    w.wait("9 · Attribute mapping");
    w.keys(&["Enter"]);
    w.wait("Plan:");
    w.keys(&["Enter"]);
    let finish = w.wait("Not in Entra yet: Cognito's encryption certificate");
    assert!(
        pane(&finish).contains("What Graph did is ticked below"),
        "{finish}"
    );
    assert!(finish.contains("g hand over by Graph"), "{finish}");
    // The signing certificate went over on step 7: its action is ticked, not asked again.
    assert!(
        finish.contains("[x] Signing certificate uploaded"),
        "{finish}"
    );
    w.keys(&["g"]);
    let planned = w.wait("Enter make");
    assert!(pane(&planned).contains("+ token encryption"), "{planned}");
    assert!(
        !pane(&planned).contains("+ verification certificate"),
        "{planned}"
    );
    w.keys(&["Enter"]);
    let done = w.wait("Entra holds Cognito's certificates");
    assert!(
        done.contains("[x] Encryption certificate imported"),
        "{done}"
    );
    assert!(
        done.contains("[ ] Users and groups assigned"),
        "nobody was assigned: {done}"
    );
    w.keys(&["q"]);
    w.wait("EXIT-");
    let app = &graph.ask("__app_keys")["graph-resume"];
    let count = |usage: &str| {
        app["keys"]
            .as_array()
            .map(|k| k.iter().filter(|k| k["usage"] == usage).count())
    };
    assert_eq!(count("Verify"), Some(1), "{app}");
    assert_eq!(count("Encrypt"), Some(1), "{app}");
    assert!(app["tokenEncryptionKeyId"].is_string(), "{app}");
}

/// Plain mode, "do it for me" with encrypted assertions, left at step 8 and resumed: the
/// session is gone, so after the apply it names the certificate left and offers a new sign-in
/// that hands it over.
#[test]
fn plain_mode_resumed_hands_over_the_certificate_left() {
    let graph = common::graph::Standin::start();
    let w = World::new();
    w.plain_to_scopes_with("plain-resume", false, &graph_env(&graph));
    w.keys(&["Enter"]);
    for question in [
        "? Client secret",
        "? Provider name",
        "? Identifiers",
        "? Sign-in from My Apps",
        "? Signed requests",
    ] {
        w.wait(question);
        w.keys(&["Enter"]);
    }
    w.wait("? Encrypted assertions");
    w.text("y");
    w.keys(&["Enter"]);
    w.wait("? Sign out of Entra too");
    w.keys(&["Enter"]);
    w.wait("? Create them now?");
    w.keys(&["Enter"]);
    w.wait("? How is the Entra side done?");
    w.keys(&["Down", "Enter"]);
    w.wait("? Who may sign in");
    w.keys(&["Enter"]);
    w.wait("? Make these changes in Entra?");
    w.keys(&["Enter"]);
    w.wait("App Federation Metadata Url");
    w.keys(&["Escape"]);
    assert!(w.wait("EXIT-").contains("to resume it where you left off"));
    w.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
    w.tmux.type_line(&w.wizard_line(&graph_env(&graph)).replace(
        &format!("{};", sh_quote(bin())),
        &format!("{} wizard --plain;", sh_quote(bin())),
    ));
    w.wait("Resume plain-resume");
    w.keys(&["Enter"]);
    w.wait("App Federation Metadata Url");
    w.keys(&["Enter"]);
    w.wait("Change or add a mapping");
    w.keys(&["Enter"]);
    w.wait("Apply these changes?");
    w.keys(&["Enter"]);
    let asked = w.wait("? Sign in to Entra again");
    assert!(
        asked.contains("Not in Entra yet: Cognito's encryption certificate"),
        "{asked}"
    );
    w.keys(&["Enter"]);
    w.wait("? Who may sign in");
    w.keys(&["Enter"]);
    let planned = w.wait("? Make these changes in Entra?");
    assert!(planned.contains("+ token encryption"), "{planned}");
    w.keys(&["Enter"]);
    w.wait("Done in Entra");
    let app = &graph.ask("__app_keys")["plain-resume"];
    assert!(app["tokenEncryptionKeyId"].is_string(), "{app}");
}

impl World {
    /// A federation made by hand in the consoles (through the AWS API, as the console makes
    /// it): a pool with a domain, Entra's SAML provider from its metadata URL, a client.
    fn hand_made_federation(&self) -> String {
        let pool = self
            .moto
            .boto3(REGION, "cognito.create_user_pool(PoolName='hand made')")["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.moto.boto3(
            REGION,
            &format!(
                "cognito.create_user_pool_domain(UserPoolId='{pool}', Domain='hand-made-login')"
            ),
        );
        self.moto.boto3(REGION, &format!(
            "cognito.create_identity_provider(UserPoolId='{pool}', ProviderName='EntraID', ProviderType='SAML', \
             ProviderDetails={{'MetadataURL': '{}'}}, \
             AttributeMapping={{'email': 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'}})",
            self.metadata_url()
        ));
        self.moto.boto3(REGION, &format!(
            "cognito.create_user_pool_client(UserPoolId='{pool}', ClientName='web', CallbackURLs=['https://app.example.com/cb'], \
             AllowedOAuthFlows=['code'], AllowedOAuthScopes=['openid', 'email'], AllowedOAuthFlowsUserPoolClient=True, \
             SupportedIdentityProviders=['EntraID'])"
        ));
        pool
    }
}

/// The setup list's `i`: the account's Entra federation shown with its verdict, unticked and
/// ticked again, saved, and on the list as imported.
#[test]
fn the_wizard_imports_a_federation_made_by_hand() {
    let w = World::new();
    w.hand_made_federation();
    w.start(&format!("AWS_REGION={REGION}"));
    let screen = w.wait("i import");
    assert!(screen.contains("i import"), "{screen}");
    w.keys(&["i"]);
    let screen = w.wait("Ticked ones become saved setups");
    assert!(
        screen.contains("[x] EntraID in hand made (SAML) → entraid-hand-made"),
        "{screen}"
    );
    assert!(screen.contains("working"), "{screen}");
    w.keys(&["Space"]);
    let screen = w.wait("[ ] EntraID");
    assert!(screen.contains("Space tick"), "{screen}");
    w.keys(&["Space"]);
    w.wait("[x] EntraID");
    w.keys(&["Enter"]);
    w.wait("Saved 1 setup(s): entraid-hand-made");
    w.keys(&["Enter"]);
    let screen = w.wait("Resume");
    assert!(screen.contains("entraid-hand-made"), "{screen}");
    assert!(screen.contains("imported (made by hand)"), "{screen}");
    // Resumed, it claims no portal work left undone and offers no second application.
    w.keys(&["Enter"]);
    let screen = w.wait("12");
    assert!(!screen.contains("Not ticked yet"), "{screen}");
    // Back a step at a time, each step drawn before the next Esc, to the Entra step (7).
    let screen = wait_for("the Entra step", WAIT, || {
        let screen = w.tmux.screen();
        if screen.contains("Imported: made by hand") {
            return Some(screen);
        }
        w.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(700));
        None
    });
    assert!(!screen.contains("do it for me"), "{screen}");
    w.keys(&["C-q"]);
    assert!(w.wait("EXIT-").contains("EXIT-0"));
    assert!(w.dir.path().join("state/entraid-hand-made.toml").exists());
}

/// Plain mode offers the same import as a question, then lists the setup to resume.
#[test]
fn plain_mode_imports_a_federation_made_by_hand() {
    let w = World::new();
    w.hand_made_federation();
    w.start_plain(&format!("AWS_REGION={REGION}"), "");
    w.wait("Import from the account");
    // The import is the last choice.
    w.keys(&["Up"]);
    w.keys(&["Enter"]);
    let screen = w.wait("Import these as saved setups");
    assert!(screen.contains("EntraID in"), "{screen}");
    assert!(screen.contains("working"), "{screen}");
    w.keys(&["Enter"]);
    w.wait("Saved 1 setup(s)");
    let screen = w.wait("Resume entraid-hand-made");
    assert!(screen.contains("imported"), "{screen}");
    w.keys(&["C-c"]);
    w.wait("EXIT-");
    assert!(w.dir.path().join("state/entraid-hand-made.toml").exists());
}

/// `r` on a saved setup: the rotation's plan first, nothing written until Enter; Esc changes
/// nothing and goes back to the list. (A setup done in the portal: the engine says what to do
/// there, the same words `cognito-entra rotate` prints.)
#[test]
fn the_wizard_shows_a_rotation_plan_before_anything_is_written() {
    let w = World::new();
    w.hand_made_federation();
    // The federation made by hand, imported: a saved setup to rotate.
    let mut c = w.moto.cmd(&w.dir.path().join("state"));
    c.env("SSL_CERT_FILE", &w.entra.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", w.entra.authority())
        .env("AWS_REGION", REGION)
        .args(["import", "--yes"]);
    let out = run(&mut c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state_file = w.dir.path().join("state/entraid-hand-made.toml");
    let before = std::fs::read_to_string(&state_file).unwrap_or_default();
    w.start(&format!("AWS_REGION={REGION}"));
    let screen = w.wait("r rotate");
    assert!(screen.contains("entraid-hand-made"), "{screen}");
    w.keys(&["r"]);
    let screen = w.wait("Rotate entraid-hand-made");
    let screen = if screen.contains("Reading what") {
        wait_for("the rotation's plan", WAIT, || {
            let s = w.tmux.screen();
            (!s.contains("Reading what")).then_some(s)
        })
    } else {
        screen
    };
    // The plan is the engine's, and nothing was written for it.
    for text in [
        "SAML signing certificate, in the Entra portal",
        "Make certificate active",
        "Dry run: nothing was changed in Cognito or Entra.",
        "Enter rotates",
        // Made by hand: its own name is not known, its Application ID is (the metadata URL's).
        APP,
    ] {
        assert!(screen.contains(text), "{text}:\n{screen}");
    }
    assert_eq!(
        std::fs::read_to_string(&state_file).unwrap_or_default(),
        before
    );
    // Enter makes it: done in the portal, it needs the new certificate in the metadata
    // first, which this Entra does not offer — the engine says so, and the screen shows it.
    w.keys(&["Enter"]);
    let screen = w.wait("Enter back to the list");
    assert!(!screen.contains("Rotating…"), "{screen}");
    w.keys(&["Escape"]);
    w.wait("r rotate");
    w.keys(&["C-q"]);
    assert!(w.wait("EXIT-").contains("EXIT-0"));
}

/// Plain mode: the rotation as a choice on the list — the plan, one question (No changes
/// nothing), and back to the list.
#[test]
fn plain_mode_rotates_from_the_list_and_no_changes_nothing() {
    let w = World::new();
    w.hand_made_federation();
    let mut c = w.moto.cmd(&w.dir.path().join("state"));
    c.env("SSL_CERT_FILE", &w.entra.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", w.entra.authority())
        .env("AWS_REGION", REGION)
        .args(["import", "--yes"]);
    assert_eq!(run(&mut c).status.code(), Some(0));
    let state_file = w.dir.path().join("state/entraid-hand-made.toml");
    let before = std::fs::read_to_string(&state_file).unwrap_or_default();
    w.start_plain(&format!("AWS_REGION={REGION}"), "");
    w.wait("Import from the account");
    // The rotation is the choice before the import (the last).
    w.keys(&["Up"]);
    w.keys(&["Up"]);
    w.keys(&["Enter"]);
    w.wait("Rotate which setup?");
    w.keys(&["Enter"]);
    let screen = w.wait("Make certificate active");
    assert!(
        screen.contains("SAML signing certificate, in the Entra portal"),
        "{screen}"
    );
    // The one question: No.
    w.wait("(y/N)");
    w.text("n");
    w.keys(&["Enter"]);
    w.wait("Nothing was changed");
    w.wait("Federate a Cognito user pool");
    w.keys(&["C-c"]);
    w.wait("EXIT-");
    assert_eq!(
        std::fs::read_to_string(&state_file).unwrap_or_default(),
        before
    );
}

impl World {
    /// Plain mode started in the pane (`wizard --plain ARGS`), with the test's environment.
    fn start_plain(&self, extra_env: &str, args: &str) {
        self.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
        self.tmux.type_line(&self.wizard_line(extra_env).replace(
            &format!("{};", sh_quote(bin())),
            &format!("{} wizard --plain {args};", sh_quote(bin())),
        ));
    }

    /// A customer's setup on a shared pool, domain and client, its kit handed over
    /// (`handoff`): the setup waits for the customer's reply.
    fn handed_over(&self, name: &str) -> std::path::PathBuf {
        let pool = self
            .moto
            .boto3(REGION, "cognito.create_user_pool(PoolName='saas-users')")["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.moto.boto3(
            REGION,
            &format!("cognito.create_user_pool_domain(UserPoolId='{pool}', Domain='saas-login')"),
        );
        let client = self.moto.boto3(REGION, &format!(
            "cognito.create_user_pool_client(UserPoolId='{pool}', ClientName='web', CallbackURLs=['https://app.example.com/cb'], \
             AllowedOAuthFlows=['code'], AllowedOAuthScopes=['openid', 'email'], AllowedOAuthFlowsUserPoolClient=True, \
             SupportedIdentityProviders=['COGNITO'])"
        ))["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let config = self.dir.path().join(format!("{name}.toml"));
        write(
            &config,
            format!(
                "name = \"{name}\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nid = \"{pool}\"\n[domain]\nprefix = \"saas-login\"\n[app_client]\nid = \"{client}\"\ncallback_urls = [\"https://app.example.com/cb\"]\nscopes = [\"openid\", \"email\"]\n[provider]\nname = \"{name}\"\nidentifiers = [\"{name}.example\"]\n"
            ),
        );
        let mut c = self.moto.cmd(&self.dir.path().join("state"));
        c.env("SSL_CERT_FILE", &self.entra.ca_file)
            .env("COGNITO_ENTRA_AUTHORITY", self.entra.authority())
            .args(["handoff", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(self.dir.path().join("kits"));
        let out = run(&mut c);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        self.dir.path().join(format!("state/{name}.toml"))
    }
}

/// The SaaS admin opens a setup handed to its customer: the wizard asks for the customer's
/// answer instead of walking the portal steps that were the customer's. What the kit refuses
/// shows under the field as it is typed; Entra's check runs on Enter; once taken it is
/// recorded and the journey goes on.
#[test]
fn the_wizard_takes_a_customers_reply_pasted_for_a_handed_over_setup() {
    let w = World::new();
    let state_file = w.handed_over("acme");
    w.start(&format!("AWS_REGION={REGION}"));
    let screen = w.wait("waiting for the customer");
    assert!(screen.contains("acme"), "{screen}");
    w.keys(&["Enter"]);
    let screen = w.wait("acme: the customer's reply");
    assert!(screen.contains("App Federation Metadata Url"), "{screen}");
    // The tenant-wide document: refused as typed, and q is text here, not quit.
    w.paste(&w.entra.url(&metadata_path(false)));
    let screen = w.wait("tenant-wide");
    assert!(!screen.contains("EXIT-"), "{screen}");
    w.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !std::fs::read_to_string(&state_file)
            .unwrap_or_default()
            .contains("accepted"),
        "nothing recorded"
    );
    w.keys(&["C-u"]);
    w.paste(&w.metadata_url());
    w.keys(&["Enter"]);
    w.wait("Their answer is recorded");
    let state = std::fs::read_to_string(&state_file).unwrap_or_default();
    assert!(
        state.contains(&format!("tenant_id = \"{TENANT}\"")),
        "{state}"
    );
    assert!(state.contains(&w.metadata_url()), "{state}");
    assert!(state.contains("accepted"), "{state}");
    // Back from the next step: the customer's values are theirs, changed only by a reply
    // checked as this one was (never typed over in step 8), and no sign-in to the SaaS
    // admin's own tenant is offered for them.
    w.keys(&["Escape"]);
    let screen = w.wait("reply was accepted on");
    assert!(screen.contains(&w.metadata_url()[..40]), "{screen}");
    assert!(!screen.contains("do it for me"), "{screen}");
    w.keys(&["Escape"]);
    w.wait("customer replied");
    w.keys(&["C-q"]);
    assert!(w.wait("EXIT-").contains("EXIT-0"));
}

/// Plain mode: the same questions and checks, asked as prompts before the journey goes on.
#[test]
fn plain_mode_takes_a_customers_reply_for_a_handed_over_setup() {
    let w = World::new();
    let state_file = w.handed_over("acme");
    w.start_plain(&format!("AWS_REGION={REGION}"), "--setup acme");
    w.wait("The customer's reply");
    w.wait("App Federation Metadata Url:");
    w.text(&w.entra.url(&metadata_path(false)));
    w.keys(&["Enter"]);
    w.wait("tenant-wide");
    // The prompt keeps what was typed: the application's ID completes it.
    w.text(&format!("?appid={APP}"));
    w.keys(&["Enter"]);
    w.wait("Their answer is recorded");
    let state = std::fs::read_to_string(&state_file).unwrap_or_default();
    assert!(state.contains("accepted"), "{state}");
    // The journey goes on from there; Esc leaves it saved.
    w.wait("== ");
    w.keys(&["Escape"]);
    assert!(w.wait("EXIT-").contains("EXIT-0"));
}

impl World {
    /// A kit as the SaaS admin's `handoff` writes it, for the customer's side (no AWS).
    fn a_kit(&self) -> std::path::PathBuf {
        let kit = self.dir.path().join("acme.kit.toml");
        write(
            &kit,
            "kit_version = 1\ntool_version = \"0.1.0\"\nsetup = \"acme\"\nprotocol = \"saml\"\ndisplay_name = \"Example SaaS\"\nentity_id = \"urn:amazon:cognito:sp:eu-west-1_AbCdEf123\"\nreply_url = \"https://saas-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse\"\n[claims]\nemail = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"\n",
        );
        kit
    }

    /// The customer's admin's command line: the kit by hand, with nothing of AWS about.
    fn kit_by_hand_line(&self, kit: &std::path::Path, extra: &str) -> String {
        format!(
            "cd {dir} && env -i PATH=\"$PATH\" HOME={dir} TERM=\"$TERM\" SSL_CERT_FILE={ca} COGNITO_ENTRA_AUTHORITY={authority} {bin} entra-side --kit {kit} --entra manual {extra}; echo \"EX\"\"IT-$?\"",
            dir = sh_quote(&self.dir.path().display().to_string()),
            ca = sh_quote(&self.entra.ca_file.display().to_string()),
            authority = self.entra.authority(),
            bin = sh_quote(bin()),
            kit = sh_quote(&kit.display().to_string()),
        )
    }
}

/// The customer's admin, in a tenant that allows no tool: the kit's pages in full screens,
/// each value copied by its key, then the metadata URL pasted — refused as typed when it is
/// the tenant-wide one (q is text there, not quit), checked against Entra on Enter — and the
/// reply written beside the kit, tied to the kit's Entity ID.
#[test]
fn the_customer_walks_the_kit_by_hand_and_the_reply_is_written() {
    let w = World::new();
    let kit = w.a_kit();
    w.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
    w.tmux.type_line(&w.kit_by_hand_line(&kit, ""));
    let screen = w.wait("1/3");
    for text in [
        "Identifier (Entity ID)",
        "urn:amazon:cognito:sp:eu-west-1_AbCdEf123",
        "[2]",
    ] {
        assert!(screen.contains(text), "{text}:\n{screen}");
    }
    w.keys(&["2"]);
    w.wait("Identifier (Entity ID)");
    w.keys(&["Enter"]);
    let screen = w.wait("2/3");
    assert!(screen.contains("emailaddress"), "{screen}");
    w.keys(&["Enter"]);
    w.wait("3/3");
    w.wait("App Federation Metadata Url");
    // Back a page and on again: the answer is asked afresh.
    w.keys(&["Escape"]);
    w.wait("2/3");
    w.keys(&["Enter"]);
    w.wait("3/3");
    w.text("q");
    let screen = w.wait("is not a web address");
    assert!(!screen.contains("EXIT-"), "{screen}");
    w.keys(&["C-u"]);
    w.paste(&w.entra.url(&metadata_path(false)));
    w.wait("tenant-wide");
    w.keys(&["C-u"]);
    w.paste(&w.metadata_url());
    w.keys(&["Enter"]);
    w.wait("Wrote the reply");
    w.keys(&["Enter"]);
    let done = w.wait("EXIT-");
    assert!(done.contains("EXIT-0"), "{done}");
    let reply = std::fs::read_to_string(w.dir.path().join("acme.reply.toml")).unwrap_or_default();
    assert!(reply.contains(&w.metadata_url()), "{reply}");
    assert!(
        reply.contains("urn:amazon:cognito:sp:eu-west-1_AbCdEf123"),
        "{reply}"
    );
    assert!(reply.contains(TENANT), "{reply}");
}

/// The same walk as line prompts; q before the end writes nothing.
#[test]
fn plain_prompts_walk_the_kit_by_hand_too() {
    let w = World::new();
    let kit = w.a_kit();
    w.tmux.cmd(&["send-keys", "-t", "0", "clear", "Enter"]);
    w.tmux.type_line(&w.kit_by_hand_line(&kit, "--plain"));
    w.wait("1/3");
    w.wait("Copy a value for the portal, or go on");
    // The last choice: go on (twice: both pages).
    w.keys(&["Up"]);
    w.keys(&["Enter"]);
    w.wait("2/3");
    w.wait("Copy a value for the portal, or go on");
    w.keys(&["Up"]);
    w.keys(&["Enter"]);
    w.wait("3/3");
    w.wait("App Federation Metadata Url:");
    w.text(&w.entra.url(&metadata_path(false)));
    w.keys(&["Enter"]);
    w.wait("tenant-wide");
    w.text(&format!("?appid={APP}"));
    w.keys(&["Enter"]);
    w.wait("Wrote the reply");
    assert!(w.wait("EXIT-").contains("EXIT-0"));
    let reply = std::fs::read_to_string(w.dir.path().join("acme.reply.toml")).unwrap_or_default();
    assert!(reply.contains(&w.metadata_url()), "{reply}");
}
