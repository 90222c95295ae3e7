//! The state file: saved setups are listed and shown; the lock, a corrupt file and a newer
//! schema are handled as DESIGN.md says.

mod common;

use std::os::unix::fs::PermissionsExt;

use cognito_entra::journey::Step;
use cognito_entra::setup::{Protocol, Setup, load};
use cognito_entra::state::{State, StateError, StateStore};
use common::*;

fn sample_state() -> State {
    let text = std::fs::read(fixture("setups/sample.toml")).unwrap_or_default();
    let setup = load::parse(&text, "x").unwrap_or_else(|p| panic!("{p:?}"));
    State::new(setup)
}

#[test]
fn saved_setups_are_listed_and_shown() {
    let dir = tempdir();
    let store = StateStore::new(dir.path().join("state"));
    let lock = store.lock("corp-saml").unwrap_or_else(|e| panic!("{e}"));
    let mut state = sample_state();
    state.progress.steps_done = Step::ALL[..6].to_vec();
    state.aws.user_pool_id = Some("us-east-1_abcd1234".into());
    lock.save(&mut state).unwrap_or_else(|e| panic!("{e}"));
    drop(lock);

    // File and folder modes.
    let meta = std::fs::metadata(store.path("corp-saml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let dmeta = std::fs::metadata(store.dir()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dmeta.permissions().mode() & 0o777, 0o700);

    let out = run(cmd(store.dir()).arg("setups"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("corp-saml"), "{text}");
    assert!(text.contains("SAML"), "{text}");
    assert!(text.contains("step 7/12  Entra: single sign-on"), "{text}");
    assert!(text.contains("just now"), "{text}");

    let out = run(cmd(store.dir()).args(["status", "--json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["name"], "corp-saml");
    assert_eq!(json["next_step"], "entra_portal");
    assert_eq!(json["aws"]["user_pool_id"], "us-east-1_abcd1234");

    let out = run(cmd(store.dir()).args(["status", "--setup", "corp-saml"]));
    assert!(
        stdout(&out).contains("Next: Entra: single sign-on"),
        "{}",
        stdout(&out)
    );

    // values --setup uses the saved answers.
    let out = run(cmd(store.dir()).args(["values", "--setup", "corp-saml", "--json"]));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json["entity_id"],
        "urn:amazon:cognito:sp:us-east-1_abcd1234"
    );

    // A missing setup is named, with the way to list them.
    let out = run(cmd(store.dir()).args(["status", "--setup", "nope"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no saved setup named \"nope\""),
        "{}",
        stderr(&out)
    );
}

/// `status` and `setups` call a setup done only when the work in Entra is ticked too; an
/// optional action left is named optional, never a reason sign-in fails.
#[test]
fn status_and_setups_say_done_only_when_the_entra_work_is_ticked() {
    let dir = tempdir();
    let store = StateStore::new(dir.path().join("state"));
    let save = |name: &str, protocol: Protocol, ticked: &[&str]| {
        let lock = store.lock(name).unwrap_or_else(|e| panic!("{e}"));
        let mut state = State::new(Setup::blank(name, protocol));
        state.progress.steps_done = Step::ALL.to_vec();
        state.progress.checklist = ticked.iter().map(|t| t.to_string()).collect();
        lock.save(&mut state).unwrap_or_else(|e| panic!("{e}"));
    };
    // SAML, nobody assigned yet: sign-in fails (AADSTS50105); not done.
    save("corp-saml", Protocol::Saml, &["saml.app", "saml.basic"]);
    // OIDC, everything required ticked (the ID token's optional claims included);
    // assigning users is optional.
    save(
        "corp-oidc",
        Protocol::Oidc,
        &[
            "oidc.registration",
            "oidc.redirect",
            "oidc.secret",
            "finish.claims",
        ],
    );

    let listed = stdout(&run(cmd(store.dir()).arg("setups")));
    let row = |name: &str| {
        listed
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        row("corp-saml").contains("Entra: 1 to tick (step 11)"),
        "{listed}"
    );
    assert!(!row("corp-saml").contains("done"), "{listed}");
    assert!(
        row("corp-oidc").contains("done (1 optional left)"),
        "{listed}"
    );

    let saml = stdout(&run(cmd(store.dir()).args([
        "status",
        "--setup",
        "corp-saml",
    ])));
    assert!(!saml.contains("Setup complete"), "{saml}");
    assert!(
        saml.contains("step 11: Users and groups assigned"),
        "{saml}"
    );
    assert!(saml.contains("Sign-in fails until"), "{saml}");

    let oidc = stdout(&run(cmd(store.dir()).args([
        "status",
        "--setup",
        "corp-oidc",
    ])));
    assert!(oidc.contains("Setup complete"), "{oidc}");
    assert!(
        oidc.contains("optional     Optional: only assigned users may sign in"),
        "{oidc}"
    );
    assert!(!oidc.contains("Sign-in fails"), "{oidc}");
}

#[test]
fn a_corrupt_state_file_is_reported_and_never_overwritten() {
    let dir = tempdir();
    let store = StateStore::new(dir.path());
    let path = store.path("broken");
    let garbage = "schema_version = 1\nanswers = [ this is not toml\n";
    write(&path, garbage);

    let out = run(cmd(dir.path()).args(["status", "--setup", "broken"]));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("never overwritten"), "{err}");

    let out = run(cmd(dir.path()).arg("setups"));
    assert!(
        stdout(&out).contains("broken  unreadable"),
        "{}",
        stdout(&out)
    );

    let lock = store.lock("broken").unwrap_or_else(|e| panic!("{e}"));
    let mut state = sample_state();
    assert!(matches!(
        lock.save(&mut state),
        Err(StateError::Corrupt { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), garbage);
}

#[test]
fn a_newer_schema_asks_for_an_upgrade() {
    let dir = tempdir();
    let store = StateStore::new(dir.path());
    let lock = store.lock("future").unwrap_or_else(|e| panic!("{e}"));
    let mut state = sample_state();
    lock.save(&mut state).unwrap_or_else(|e| panic!("{e}"));
    let path = store.path("future");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let future = text.replace("schema_version = 1", "schema_version = 99");
    write(&path, &future);

    let out = run(cmd(dir.path()).args(["status", "--setup", "future"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("upgrade cognito-entra"),
        "{}",
        stderr(&out)
    );
    assert!(matches!(
        lock.save(&mut state),
        Err(StateError::NewerSchema { found: 99, .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), future);
}

#[test]
fn saving_leaves_no_temporary_files() {
    let dir = tempdir();
    let store = StateStore::new(dir.path());
    let lock = store.lock("corp").unwrap_or_else(|e| panic!("{e}"));
    let mut state = sample_state();
    for _ in 0..3 {
        lock.save(&mut state).unwrap_or_else(|e| panic!("{e}"));
    }
    let names: Vec<String> = files_below(dir.path())
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["corp.lock", "corp.toml"]);
    let back = store
        .load_existing("corp")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.answers, state.answers);
}
