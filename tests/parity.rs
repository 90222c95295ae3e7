//! One journey, two faces: the same answers typed into the full-screen wizard and into the
//! plain prompts (both in real tmux, each against its own Cognito emulator, both against the
//! same HTTPS Entra stand-in) give the same state file and the same resources in the
//! emulator, for each flow. The faces render the journey's questions; a difference here is a
//! rule, a default or a record that one face holds and the other does not.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use cognito_entra_cognito::api::CognitoApi;
use common::entra::*;
use common::https::{HttpsServer, Response};
use common::moto::{Moto, block_on};
use common::*;
use time::Duration as Days;

const WAIT: Duration = Duration::from_secs(40);
const REGION: &str = "eu-west-1";
const SECRET: &str = "Qx7~parity.Secret-Value_from-Entra";
/// Typed on both faces in the IdP-initiated flow: the provider routes these to Entra.
const IDENTIFIERS: &str = "example.com, corp";

/// The answers of one flow, as an admin gives them.
#[derive(Clone, Copy)]
struct Flow {
    name: &'static str,
    oidc: bool,
    /// SAML: sign-in from My Apps, encrypted assertions and sign-out of Entra all on (signed
    /// requests stay off: Entra refuses IdP-initiated sign-on once it requires them).
    idp_initiated: bool,
}

impl Flow {
    /// The portal checklist of step 7 (ticked whole in both faces).
    fn portal_items(&self) -> usize {
        match (self.oidc, self.idp_initiated) {
            (true, _) => 3,
            // Application, Identifier and Reply URL, Relay State, Logout Url.
            (false, true) => 4,
            (false, false) => 2,
        }
    }

    fn finish_items(&self) -> usize {
        match (self.oidc, self.idp_initiated) {
            // The ID token's optional claims, and the optional assignment.
            (true, _) => 2,
            (false, true) => 3,
            (false, false) => 1,
        }
    }
}

/// One face's world: its own emulator, its own folder and state, its own terminal.
struct Side {
    moto: Moto,
    dir: tempfile::TempDir,
    tmux: Tmux,
}

impl Side {
    fn new() -> Side {
        Side {
            moto: Moto::start(),
            dir: tempdir(),
            tmux: Tmux::start(100, 30),
        }
    }

    fn start(&self, entra: &HttpsServer, args: &str) {
        let line = format!(
            "cd {dir} && env -u DISPLAY -u WAYLAND_DISPLAY AWS_ENDPOINT_URL={moto} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 COGNITO_ENTRA_STATE_DIR={dir}/state SSL_CERT_FILE={ca} COGNITO_ENTRA_AUTHORITY={authority} {bin} {args}; echo \"EX\"\"IT-$?\"",
            dir = sh_quote(&self.dir.path().display().to_string()),
            moto = self.moto.endpoint(),
            ca = sh_quote(&entra.ca_file.display().to_string()),
            authority = entra.authority(),
            bin = sh_quote(bin()),
        );
        self.tmux.type_line(&line);
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.tmux.cmd(&args);
    }

    fn text(&self, text: &str) {
        self.tmux.cmd(&["send-keys", "-t", "0", "-l", text]);
    }

    /// Waits for `text`, then for the wizard to be idle (no spinner): keys other than Esc are
    /// not taken while it waits on AWS or Entra.
    fn wait(&self, text: &str) -> String {
        let seen = self.tmux.wait_for_text(text, WAIT);
        const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];
        if !seen.contains(SPINNER) {
            return seen;
        }
        wait_for("the wizard to be idle", WAIT, || {
            let now = self.tmux.screen();
            (!now.contains(SPINNER)).then_some(now)
        })
    }

    /// Waits for inquire's active prompt (`? Label`), not an answered one (`> Label`).
    fn prompt(&self, label: &str) -> String {
        self.wait(&format!("? {label}"))
    }

    fn state_file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("state/{name}.toml")))
            .unwrap_or_else(|e| panic!("no state file for {name}: {e}"))
    }
}

fn entra() -> HttpsServer {
    let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
    let mut routes = HashMap::new();
    routes.insert(
        metadata_path(true),
        Response::ok("application/xml", metadata_xml(&[cert])),
    );
    routes.insert(
        format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        Response::ok(
            "application/json",
            discovery_json("https://localhost:{port}", TENANT),
        )
        .templated(),
    );
    HttpsServer::start(routes)
}

/// The full-screen wizard, from the welcome screen to the end of the journey.
fn through_the_wizard(side: &Side, entra: &HttpsServer, flow: Flow) {
    side.start(entra, "");
    side.wait("Federate an Amazon Cognito");
    if flow.oidc {
        side.keys(&["Down"]);
    }
    side.keys(&["Enter"]);
    side.wait("Name this setup");
    side.text(flow.name);
    side.keys(&["Enter"]);
    side.wait("2 · AWS account");
    side.keys(&["Tab", "C-u"]);
    side.text(REGION);
    side.keys(&["Enter"]);
    side.wait("3 · User pool");
    side.keys(&["Enter"]);
    side.wait("4 · Domain");
    side.wait("available");
    side.keys(&["Enter"]);
    side.wait("5 · App client");
    side.keys(&["Tab", "Tab"]);
    side.text("https://app.example.com/callback");
    side.keys(&["Enter"]);
    side.wait("6 · Provider");
    if flow.idp_initiated {
        side.keys(&["Tab"]);
        side.text(IDENTIFIERS);
        // Sign-in from My Apps on, signed requests left off, encrypted assertions and
        // sign-out of Entra on.
        side.keys(&["Tab", "Space", "Tab", "Tab", "Space", "Tab", "Space"]);
    }
    side.keys(&["Enter"]);
    // What is created now is shown and asked once.
    let confirm = side.wait("Create them now?");
    assert!(confirm.contains("+ create user pool"), "{confirm}");
    side.keys(&["Enter"]);
    side.wait("7 · Entra");
    for i in 0..flow.portal_items() {
        if i > 0 {
            side.keys(&["Down"]);
        }
        side.keys(&["Space"]);
    }
    side.keys(&["Enter"]);
    side.wait("8 · Back from Entra");
    if flow.oidc {
        side.text(TENANT);
        side.keys(&["Tab"]);
        side.text(APP);
        side.keys(&["Tab"]);
        side.text(SECRET);
        side.keys(&["Tab"]);
        side.text("2027-11-01");
    } else {
        side.text(&entra.url(&metadata_path(true)));
    }
    side.keys(&["Enter"]);
    side.wait("Usable");
    side.keys(&["Enter"]);
    side.wait("9 · Attribute mapping");
    side.keys(&["Enter"]);
    side.wait("Plan:");
    side.keys(&["Enter"]);
    side.wait("11 · Finish in Entra");
    for i in 0..flow.finish_items() {
        if i > 0 {
            side.keys(&["Down"]);
        }
        side.keys(&["Space"]);
    }
    side.keys(&["Enter"]);
    side.wait("12 · Test");
    side.keys(&["q"]);
    let end = side.wait("EXIT-");
    assert!(end.contains("EXIT-0"), "{end}");
}

/// The plain prompts, the same answers.
fn through_plain_mode(side: &Side, entra: &HttpsServer, flow: Flow) {
    side.start(entra, "wizard --plain");
    side.prompt("Federate a Cognito user pool");
    if flow.oidc {
        side.keys(&["Down"]);
    }
    side.keys(&["Enter"]);
    side.prompt("Name this setup");
    side.text(flow.name);
    side.keys(&["Enter"]);
    side.prompt("AWS profile");
    side.keys(&["Enter"]);
    side.prompt("Region");
    side.text(REGION);
    side.keys(&["Enter"]);
    for label in [
        "User pool",
        "New pool's name",
        "Domain prefix",
        "Managed login pages",
        "App client",
        "Client name",
    ] {
        side.prompt(label);
        side.keys(&["Enter"]);
    }
    side.prompt("Callback URLs");
    side.text("https://app.example.com/callback");
    side.keys(&["Enter"]);
    for label in ["Sign-out URLs", "Scopes", "Client secret", "Provider name"] {
        side.prompt(label);
        side.keys(&["Enter"]);
    }
    side.prompt("Identifiers");
    if flow.idp_initiated {
        side.text(IDENTIFIERS);
    }
    side.keys(&["Enter"]);
    if flow.oidc {
        side.prompt("Attributes request");
        side.keys(&["Enter"]);
    } else {
        for label in [
            "Sign-in from My Apps",
            "Signed requests",
            "Encrypted assertions",
            "Sign out of Entra too",
        ] {
            side.prompt(label);
            // Signed requests and My Apps exclude each other (Entra refuses IdP-initiated
            // sign-on once it requires signed requests): sign-out brings the signing
            // certificate instead.
            let on = flow.idp_initiated && label != "Signed requests";
            side.text(if on { "y" } else { "n" });
            side.keys(&["Enter"]);
        }
    }
    side.prompt("Create them now?");
    side.keys(&["Enter"]);
    // In the portal (the first way), as the wizard's checklist.
    side.prompt("How is the Entra side done?");
    side.keys(&["Enter"]);
    side.wait("Go on");
    for _ in 0..flow.portal_items() {
        side.keys(&["Down"]);
    }
    side.keys(&["Enter"]);
    side.prompt("Done in Entra");
    // All of them (inquire: → selects every option).
    side.keys(&["Right", "Enter"]);
    if flow.oidc {
        side.prompt("Directory (tenant) ID");
        side.text(TENANT);
        side.keys(&["Enter"]);
        side.prompt("Application (client) ID");
        side.text(APP);
        side.keys(&["Enter"]);
        side.prompt("Client secret Value");
        side.text(SECRET);
        side.keys(&["Enter"]);
        side.prompt("Secret expires on");
        side.text("2027-11-01");
        side.keys(&["Enter"]);
    } else {
        side.prompt("App Federation Metadata Url");
        side.text(&entra.url(&metadata_path(true)));
        side.keys(&["Enter"]);
    }
    side.prompt("Change or add a mapping");
    side.keys(&["Enter"]);
    side.prompt("Apply these changes");
    side.keys(&["Enter"]);
    side.prompt("Done in Entra");
    side.keys(&["Right", "Enter"]);
    if !flow.oidc {
        side.prompt("SAMLResponse to check");
        side.keys(&["Enter"]);
    }
    let end = side.wait("EXIT-");
    assert!(end.contains("EXIT-0"), "{end}");
}

/// What a face's run left in its emulator, with the IDs the emulator chose replaced by
/// their role (each emulator makes its own).
fn resources(side: &Side) -> (String, Vec<(String, String)>) {
    let sdk = side.moto.sdk(REGION);
    block_on(async {
        let mut out = String::new();
        let mut ids = Vec::new();
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        assert_eq!(pools.len(), 1, "one pool: {pools:?}");
        for (i, summary) in pools.iter().enumerate() {
            ids.push((summary.id.clone(), format!("POOL{i}")));
            let pool = sdk
                .describe_user_pool(&summary.id)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            out.push_str(&format!("{pool:#?}\n"));
            if let Some(domain) = &pool.domain {
                let d = sdk
                    .describe_domain(domain)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                out.push_str(&format!("{d:#?}\n"));
            }
            // The certificates each emulator makes for itself, by role (and their thumbprints,
            // which the state file records).
            if let Ok(signing) = sdk.get_signing_certificate(&summary.id).await {
                ids.push((thumbprint(&signing), "SIGNING_THUMBPRINT".into()));
                ids.push((signing, "SIGNING_CERTIFICATE".into()));
            }
            let providers = sdk
                .list_identity_providers(&summary.id)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            for summary_of_provider in providers {
                let name = summary_of_provider.name;
                let p = sdk
                    .describe_identity_provider(&summary.id, &name)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                if let Some(encryption) = p
                    .as_ref()
                    .and_then(|p| p.details.get("ActiveEncryptionCertificate"))
                {
                    ids.push((thumbprint(encryption), "ENCRYPTION_THUMBPRINT".into()));
                    ids.push((encryption.clone(), "ENCRYPTION_CERTIFICATE".into()));
                }
                out.push_str(&format!("{p:#?}\n"));
            }
            let clients = sdk
                .list_user_pool_clients(&summary.id)
                .await
                .unwrap_or_default();
            for (j, c) in clients.iter().enumerate() {
                ids.push((c.id.clone(), format!("CLIENT{j}")));
                let client = sdk
                    .describe_user_pool_client(&summary.id, &c.id)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                out.push_str(&format!("{client:#?}\n"));
            }
        }
        (out, ids)
    })
}

/// A certificate's SHA-1 thumbprint as the portal (and the state file) shows it.
fn thumbprint(base64_der: &str) -> String {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64_der.trim())
        .unwrap_or_else(|e| panic!("not base64: {e}"));
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn normalized(text: &str, ids: &[(String, String)]) -> String {
    let mut text = text.to_string();
    for (id, role) in ids {
        text = text.replace(id, role);
    }
    text
}

/// The lines only one side has, for a readable failure.
fn differences(plain: &str, wizard: &str) -> String {
    let p: Vec<&str> = plain.lines().collect();
    let w: Vec<&str> = wizard.lines().collect();
    let mut out = String::new();
    for line in &p {
        if !w.contains(line) {
            out.push_str(&format!("plain only:  {line}\n"));
        }
    }
    for line in &w {
        if !p.contains(line) {
            out.push_str(&format!("wizard only: {line}\n"));
        }
    }
    out
}

/// The state file without its timestamps.
fn state_without_times(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("created =") && !l.starts_with("updated ="))
        .collect::<Vec<_>>()
        .join("\n")
}

fn same_through_both_faces(flow: Flow) {
    let entra = entra();
    let wizard = Side::new();
    let plain = Side::new();
    through_the_wizard(&wizard, &entra, flow);
    through_plain_mode(&plain, &entra, flow);

    let (wizard_resources, wizard_ids) = resources(&wizard);
    let (plain_resources, plain_ids) = resources(&plain);
    let (plain_resources, wizard_resources) = (
        normalized(&plain_resources, &plain_ids),
        normalized(&wizard_resources, &wizard_ids),
    );
    assert!(
        plain_resources == wizard_resources,
        "the emulators differ:\n{}",
        differences(&plain_resources, &wizard_resources)
    );
    // Each side's own folder (certificates are recorded by their full path) by its role.
    let with_dir = |side: &Side, ids: &[(String, String)]| {
        let mut ids = ids.to_vec();
        ids.push((side.dir.path().display().to_string(), "DIR".into()));
        ids
    };
    let wizard_state = normalized(
        &state_without_times(&wizard.state_file(flow.name)),
        &with_dir(&wizard, &wizard_ids),
    );
    let plain_state = normalized(
        &state_without_times(&plain.state_file(flow.name)),
        &with_dir(&plain, &plain_ids),
    );
    assert!(
        plain_state == wizard_state,
        "the state files differ:\n{}\nthe wizard's:\n{wizard_state}",
        differences(&plain_state, &wizard_state)
    );
    // What the journey must have recorded, so that equality is not two empty files.
    for needed in [
        "steps_done",
        "\"prepare\"",
        "user_pool_id = \"POOL0\"",
        "client_id = \"CLIENT0\"",
        "tenant_id",
    ] {
        assert!(
            wizard_state.contains(needed),
            "{needed} missing:\n{wizard_state}"
        );
    }
    assert!(!wizard_state.contains(SECRET) && !plain_state.contains(SECRET));
    if flow.idp_initiated {
        // The identifiers typed reached the provider (the same on both sides, as checked).
        assert!(
            wizard_resources
                .split_whitespace()
                .collect::<String>()
                .contains("idp_identifiers:Some([\"example.com\",\"corp\",]"),
            "{wizard_resources}"
        );
    }
}

#[test]
fn saml_sp_initiated_is_the_same_through_both_faces() {
    same_through_both_faces(Flow {
        name: "parity-saml",
        oidc: false,
        idp_initiated: false,
    });
}

#[test]
fn saml_idp_initiated_with_encryption_and_sign_out_is_the_same_through_both_faces() {
    same_through_both_faces(Flow {
        name: "parity-myapps",
        oidc: false,
        idp_initiated: true,
    });
}

#[test]
fn oidc_is_the_same_through_both_faces() {
    same_through_both_faces(Flow {
        name: "parity-oidc",
        oidc: true,
        idp_initiated: false,
    });
}

/// Back through every step of a finished setup, and forward again with every answer as it
/// stands, changes nothing: not the emulator, not the state file. (The Domain step refused
/// the setup's own domain as "taken by another user pool", and the pickers offered to create
/// the pool and client the setup had created.)
fn back_and_forth_changes_nothing(flow: Flow) {
    let entra = entra();
    let side = Side::new();
    through_the_wizard(&side, &entra, flow);
    let (before, ids) = resources(&side);
    let state_before = normalized(&state_without_times(&side.state_file(flow.name)), &ids);

    side.start(&entra, "");
    side.wait("Federate an Amazon Cognito");
    side.keys(&["Enter"]);
    side.wait("12 · Test");
    let titles = [
        "11 · Finish in Entra",
        "10 · Review",
        "9 · Attribute mapping",
        "8 · Back from Entra",
        "7 · Entra",
        "6 · Provider",
        "5 · App client",
        "4 · Domain",
        "3 · User pool",
        "2 · AWS account",
    ];
    for title in titles {
        side.keys(&["Escape"]);
        side.wait(title);
    }
    // The pickers name what the setup made as its own, chosen.
    side.keys(&["Enter"]);
    let pool = side.wait("3 · User pool");
    assert!(pool.contains("created by this setup"), "{pool}");
    assert!(
        !pool.contains("New pool's name"),
        "the setup's own pool has its name: not asked again\n{pool}"
    );
    side.keys(&["Enter"]);
    let domain = side.wait("4 · Domain");
    side.keys(&["Enter"]);
    let client = side.wait("5 · App client");
    assert!(
        !client.contains("taken by another user pool"),
        "the setup's own domain is not someone else's:\n{domain}\n{client}"
    );
    assert!(client.contains("created by this setup"), "{client}");
    side.keys(&["Enter"]);
    side.wait("6 · Provider");
    side.keys(&["Enter"]);
    side.wait("7 · Entra");
    side.keys(&["Enter"]);
    side.wait("8 · Back from Entra");
    if flow.oidc {
        // The secret is memory-only: a new session has none, and keeps Cognito's.
        side.keys(&["Enter"]);
    } else {
        side.keys(&["Enter"]);
    }
    side.wait("Usable");
    side.keys(&["Enter"]);
    side.wait("9 · Attribute mapping");
    side.keys(&["Enter"]);
    let review = side.wait("No changes");
    assert!(!review.contains("to create"), "{review}");
    side.keys(&["Enter"]);
    side.wait("11 · Finish in Entra");
    side.keys(&["Enter"]);
    side.wait("12 · Test");
    side.keys(&["q"]);
    let end = side.wait("EXIT-");
    assert!(end.contains("EXIT-0"), "{end}");

    let (after, ids_after) = resources(&side);
    assert_eq!(ids, ids_after, "the same pool and client");
    assert!(
        after == before,
        "the emulator changed:\n{}",
        differences(&after, &before)
    );
    let state_after = normalized(&state_without_times(&side.state_file(flow.name)), &ids);
    assert!(
        state_after == state_before,
        "the state file changed:\n{}",
        differences(&state_after, &state_before)
    );
}

#[test]
fn back_and_forth_through_a_finished_saml_setup_changes_nothing() {
    back_and_forth_changes_nothing(Flow {
        name: "again-saml",
        oidc: false,
        idp_initiated: true,
    });
}

#[test]
fn back_and_forth_through_a_finished_oidc_setup_changes_nothing() {
    back_and_forth_changes_nothing(Flow {
        name: "again-oidc",
        oidc: true,
        idp_initiated: false,
    });
}
