//! `rotate`: a setup's Entra credential renewed without a gap in sign-in, against the Graph
//! stand-in (tests/support/graph_standin.py) and the Cognito emulator. A setup is first
//! applied through Graph; then its OIDC client secret or SAML signing certificate is rotated,
//! stopped (kill -9) between each two steps and finished by the next run, shown only with
//! --dry-run, and the new secret is looked for on disk and in the -v log.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

use common::graph_world::{GraphWorld as World, REGION};

impl World {
    /// A setup applied through Graph, ready to rotate.
    fn applied(&self, name: &str, protocol: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.toml"));
        write(
            &path,
            format!(
                "name = \"{name}\"\nprotocol = \"{protocol}\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"{name}-users\"\n[domain]\nprefix = \"{name}-login\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/callback\"]\n[entra]\nmode = \"graph\"\n"
            ),
        );
        let mut c = self.cmd();
        c.args(["apply", "--yes", "--config"])
            .arg(&path)
            .arg("--out")
            .arg(self.dir.path().join("out"));
        ok(&run(&mut c));
        // Past the stand-in's replication delay, as a person rotating later would be.
        std::thread::sleep(Duration::from_millis(700));
        path
    }

    fn rotate(&self, name: &str, extra: &[&str]) -> Output {
        let mut c = self.cmd();
        c.args(["rotate", "--setup", name]).args(extra);
        run(&mut c)
    }

    fn secret_in_cognito(&self) -> String {
        self.provider("entra")
            .details
            .get("client_secret")
            .cloned()
            .unwrap_or_default()
    }

    /// The key ID of the client secret Graph made with this value (the stand-in remembers).
    fn key_of(&self, secret: &str) -> Option<String> {
        self.entra.ask(&format!("__secret_of?value={secret}"))["keyId"]
            .as_str()
            .map(str::to_string)
    }

    fn secret_ids(&self, name: &str) -> Vec<String> {
        serde_json::from_value(self.entra.ask("__secret_ids")[name].clone()).unwrap_or_default()
    }

    /// When Cognito last changed the provider (epoch seconds).
    fn provider_modified(&self, name: &str) -> f64 {
        self.moto.boto3(
            REGION,
            &format!(
                "cognito.describe_identity_provider(UserPoolId='{}', ProviderName='{name}')['IdentityProvider']['LastModifiedDate'].timestamp()",
                self.pool_id()
            ),
        )
        .as_f64()
        .unwrap_or_else(|| panic!("no LastModifiedDate"))
    }

    fn state(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("state/{name}.toml")))
            .unwrap_or_default()
    }

    fn graph_record(&self, name: &str) -> toml::Table {
        let state: toml::Table = self.state(name).parse().unwrap_or_else(|e| panic!("{e}"));
        state["entra"]["graph"]
            .as_table()
            .cloned()
            .unwrap_or_default()
    }

    /// Every file under the world's folders (state, -v log, certificates), as text.
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

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    format!("{}{}", stdout(out), stderr(out))
}

/// Runs `c` with a test failpoint (`variable=value`), waits for its marker on stderr, and
/// kills it there (SIGKILL: nothing after that point is done or saved).
fn kill_at(mut c: Command, variable: &str, value: &str, marker: &str) {
    use std::io::{BufRead, BufReader};
    let mut child = c
        .env(variable, value)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let pipe = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut seen = String::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(90))
            .unwrap_or_else(|_| panic!("the run never reached {marker}: {seen}"));
        if line.contains(marker) {
            break;
        }
        seen.push_str(&line);
        seen.push('\n');
        assert!(Instant::now() < deadline, "never reached {marker}: {seen}");
    }
    let _ = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Cognito holds a secret Entra holds, that secret is the application's only one, and the
/// state records it as held with nothing left over.
fn one_secret_held(w: &World, name: &str) -> String {
    let secret = w.secret_in_cognito();
    let key = w
        .key_of(&secret)
        .unwrap_or_else(|| panic!("Cognito's secret is none Graph made"));
    assert_eq!(
        w.secret_ids(name),
        vec![key.clone()],
        "Entra holds it alone"
    );
    let record = w.graph_record(name);
    assert_eq!(
        record.get("held_secret").and_then(|v| v.as_str()),
        Some(key.as_str()),
        "{record:?}"
    );
    assert!(
        !record.contains_key("unclaimed_secrets") && !record.contains_key("rotating"),
        "{record:?}"
    );
    secret
}

#[test]
fn an_oidc_rotation_leaves_cognito_on_a_new_secret_entra_holds_and_the_old_one_gone() {
    let w = World::new();
    w.applied("hr", "oidc");
    let before = w.provider("entra");
    let old = w.secret_in_cognito();
    let old_key = w
        .key_of(&old)
        .unwrap_or_else(|| panic!("no key for the secret"));

    let out = w.rotate("hr", &["--yes", "-v"]);
    let said = ok(&out);
    assert!(
        said.contains("+ Entra: new client secret (expires ")
            && said.contains(&format!("- Entra: old client secret {old_key}")),
        "the plan names both clouds' steps: {said}"
    );
    let new = one_secret_held(&w, "hr");
    assert_ne!(new, old, "Cognito is on a new secret");
    assert!(
        !w.secret_ids("hr").contains(&old_key),
        "the old one is gone"
    );
    // Every other detail and the mapping exactly as they were.
    let after = w.provider("entra");
    let mut expected = before.clone();
    expected.details.insert("client_secret".into(), new.clone());
    assert_eq!(after.details, expected.details);
    assert_eq!(after.attribute_mapping, before.attribute_mapping);
    assert_eq!(after.idp_identifiers, before.idp_identifiers);
    // The new secret only in memory: not printed, not in the state, not in the -v log.
    assert!(!said.contains(&new), "the secret is not printed");
    let files = w.files_text();
    assert!(files.contains("rotate"), "the -v log was written");
    assert!(!files.contains(&new), "the new secret is on no file");
    let state = w.state("hr");
    let expires = state
        .lines()
        .find(|l| l.starts_with("client_secret_expires"))
        .unwrap_or_default()
        .to_string();
    assert!(
        said.contains(
            expires
                .trim_start_matches("client_secret_expires = ")
                .trim_matches('"')
        ),
        "the new expiry is recorded and shown: {expires}"
    );
}

#[test]
fn an_oidc_rotation_killed_between_each_step_is_finished_by_the_next_run() {
    // After the new secret is made (Cognito never got it), after Cognito got it (before that
    // was recorded), after Cognito's holding it was recorded (the old one not yet removed).
    let stops = [
        ("COGNITO_ENTRA_TEST_PAUSE_AT", "added", "paused at added"),
        (
            "COGNITO_ENTRA_TEST_PAUSE_AFTER_WRITES",
            "1",
            "paused after write 1",
        ),
        ("COGNITO_ENTRA_TEST_PAUSE_AT", "held", "paused at held"),
    ];
    for (variable, value, marker) in stops {
        let w = World::new();
        let config = w.applied("hr", "oidc");
        let old = w.secret_in_cognito();
        let old_key = w.key_of(&old).unwrap_or_default();
        let mut c = w.cmd();
        c.args(["rotate", "--setup", "hr", "--yes"]);
        kill_at(c, variable, value, marker);
        let in_cognito_at_stop = w.secret_in_cognito();
        assert_eq!(
            w.secret_ids("hr").len(),
            2,
            "{marker}: the stop left two secrets in Entra"
        );

        if value == "held" {
            // An apply in between keeps what the rotation left to finish.
            let mut c = w.cmd();
            c.args(["apply", "--yes", "--config"]).arg(&config);
            ok(&run(&mut c));
            assert!(
                w.graph_record("hr").contains_key("rotating"),
                "{:?}",
                w.graph_record("hr")
            );
        }
        let again = ok(&w.rotate("hr", &["--yes"]));
        let now = one_secret_held(&w, "hr");
        assert!(!w.secret_ids("hr").contains(&old_key), "{marker}: {again}");
        match value {
            "added" => {
                assert_eq!(in_cognito_at_stop, old, "Cognito never got it");
                assert!(
                    again.contains("Graph never shows its value again"),
                    "the orphan is named: {again}"
                );
                assert_ne!(now, old);
            }
            "1" => {
                assert_ne!(in_cognito_at_stop, old, "Cognito got the new one");
                assert_ne!(now, in_cognito_at_stop, "one it could not record: replaced");
            }
            _ => {
                assert_eq!(
                    now, in_cognito_at_stop,
                    "finished, not rotated again: {again}"
                );
                assert!(
                    !again.contains("+ Entra: new client secret"),
                    "no new secret: {again}"
                );
            }
        }
    }
}

#[test]
fn a_saml_rotation_changes_the_active_certificate_and_refreshes_cognito_after_it() {
    let w = World::new();
    w.applied("corp", "saml");
    let signing = |w: &World| w.entra.ask("__signing")["corp"].clone();
    let before = signing(&w);
    let old = before["active"].as_str().unwrap_or_default().to_string();
    let url = w.provider("EntraID").details.get("MetadataURL").cloned();
    let modified_before = w.provider_modified("EntraID");

    let said = ok(&w.rotate("corp", &["--yes"]));
    let after = signing(&w);
    let new = after["active"].as_str().unwrap_or_default().to_string();
    assert!(!new.is_empty() && new != old, "{before} -> {after}");
    assert_eq!(
        after["certificates"],
        serde_json::json!([old.clone(), new.clone()]),
        "the old one stays without --remove-old"
    );
    let activated = after["activated_at"].as_f64().unwrap_or_default();
    let refreshed = w.provider_modified("EntraID");
    assert!(
        refreshed > modified_before && refreshed >= activated - 0.01,
        "Cognito refreshed after Entra switched ({activated} then {refreshed})"
    );
    assert!(
        said.contains("s after Entra switched certificates"),
        "{said}"
    );
    assert_eq!(
        w.provider("EntraID").details.get("MetadataURL").cloned(),
        url,
        "the same MetadataURL"
    );
    assert!(
        w.state("corp").contains(&new),
        "recorded: {}",
        w.state("corp")
    );

    // --remove-old: another new one, and every other certificate (with its private key's
    // password) removed once Cognito has it.
    std::thread::sleep(Duration::from_millis(700));
    let said = ok(&w.rotate("corp", &["--yes", "--remove-old"]));
    let last = signing(&w);
    let newest = last["active"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        last["certificates"],
        serde_json::json!([newest.clone()]),
        "{said}"
    );
    assert_eq!(
        last["password_identifiers"].as_array().map(Vec::len),
        Some(1),
        "{last}"
    );
    assert!(
        said.contains(&format!("old signing certificate {new} removed")),
        "{said}"
    );
}

#[test]
fn a_saml_rotation_killed_after_each_entra_step_is_finished_with_its_certificate() {
    // After the new certificate is made (not active yet), and after it was made active
    // (Cognito not refreshed yet: the next run refreshes it first, makes nothing).
    for step in ["added", "activated"] {
        let w = World::new();
        w.applied("corp", "saml");
        let mut c = w.cmd();
        c.args(["rotate", "--setup", "corp", "--yes"]);
        kill_at(
            c,
            "COGNITO_ENTRA_TEST_PAUSE_AT",
            step,
            &format!("paused at {step}"),
        );
        let stopped = w.entra.ask("__signing")["corp"].clone();
        let made = w.graph_record("corp")["rotating"]["new_signing_certificate"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            stopped["active"] == made.as_str(),
            step == "activated",
            "{step}: {stopped}"
        );
        let modified = w.provider_modified("EntraID");
        let again = ok(&w.rotate("corp", &["--yes"]));
        if step == "added" {
            assert!(again.contains("made by an earlier rotation"), "{again}");
        } else {
            assert!(
                !again.contains("+ Entra") && !again.contains("~ Entra"),
                "only Cognito's refresh is left: {again}"
            );
        }
        let done = w.entra.ask("__signing")["corp"].clone();
        assert_eq!(done["active"], made.as_str(), "{step}: {done}");
        assert_eq!(
            done["certificates"].as_array().map(Vec::len),
            Some(2),
            "{step}: no third certificate: {done}"
        );
        assert!(
            w.provider_modified("EntraID") > modified,
            "{step}: Cognito refreshed"
        );
        assert!(!w.graph_record("corp").contains_key("rotating"), "{step}");
    }
}

#[test]
fn a_dry_run_writes_nothing_and_without_a_terminal_nor_yes_rotate_refuses() {
    let w = World::new();
    w.applied("hr", "oidc");
    let writes = w.entra.writes();
    let secret = w.secret_in_cognito();
    let modified = w.provider_modified("entra");
    let state = w.state("hr");

    let said = ok(&w.rotate("hr", &["--dry-run"]));
    assert!(
        said.contains("+ Entra: new client secret (expires ")
            && said.contains("~ Cognito: provider entra client_secret")
            && said.contains("- Entra: old client secret")
            && said.contains("Dry run: nothing was changed"),
        "{said}"
    );
    let refused = w.rotate("hr", &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("there is no terminal") && stderr(&refused).contains("--yes"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(w.entra.writes(), writes, "no Graph write");
    assert_eq!(w.secret_in_cognito(), secret);
    assert_eq!(w.provider_modified("entra"), modified, "no Cognito write");
    assert_eq!(w.state("hr"), state, "the state is as it was");
}

#[test]
fn a_manual_oidc_rotation_takes_the_new_secret_from_the_environment_and_checks_it() {
    let w = World::new();
    w.applied("hr", "oidc");
    let writes = w.entra.writes();
    let mut c = w.cmd();
    c.args([
        "rotate", "--setup", "hr", "--entra", "manual", "--yes", "-v",
    ])
    .env(
        "COGNITO_ENTRA_CLIENT_SECRET",
        "Xy7~portal-made-secret-0123456789",
    );
    let said = ok(&run(&mut c));
    assert!(
        said.contains("Certificates & secrets › Client secrets › New client secret"),
        "{said}"
    );
    assert_eq!(w.secret_in_cognito(), "Xy7~portal-made-secret-0123456789");
    assert_eq!(w.entra.writes(), writes, "nothing through Graph");
    assert!(!said.contains("Xy7~portal-made-secret"));
    assert!(!w.files_text().contains("Xy7~portal-made-secret"));
    // The same one again is named, and nothing changes.
    let mut c = w.cmd();
    c.args(["rotate", "--setup", "hr", "--entra", "manual", "--yes"])
        .env(
            "COGNITO_ENTRA_CLIENT_SECRET",
            "Xy7~portal-made-secret-0123456789",
        );
    let again = run(&mut c);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("client secret: the one given is the one Cognito holds already"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_manual_saml_rotation_refreshes_cognito_only_once_the_metadata_offers_a_new_certificate() {
    let w = World::new();
    w.applied("corp", "saml");
    let manual = ["--entra", "manual", "--yes"];
    let said = ok(&w.rotate("corp", &["--entra", "manual", "--dry-run"]));
    assert!(
        said.contains("Single sign-on › SAML Certificates › Edit › New Certificate")
            && said.contains("Make certificate active")
            && said.contains("re-reads its MetadataURL"),
        "{said}"
    );
    // Before the portal's steps: the metadata offers what Cognito had, and nothing changes.
    let modified = w.provider_modified("EntraID");
    let early = w.rotate("corp", &manual);
    assert_eq!(early.status.code(), Some(1));
    assert!(
        stderr(&early).contains("still offers only the certificate(s) Cognito had")
            && stderr(&early).contains("fix: make the new certificate active"),
        "{}",
        stderr(&early)
    );
    assert_eq!(w.provider_modified("EntraID"), modified);

    let made = w.entra.ask("__portal_new_certificate?name=corp")["thumbprint"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let said = ok(&w.rotate("corp", &manual));
    assert!(
        said.contains(&format!("now trusts Entra's signing certificate {made}")),
        "{said}"
    );
    assert!(
        w.provider_modified("EntraID") > modified,
        "Cognito refreshed"
    );
    assert!(w.state("corp").contains(&made), "recorded");
}

/// Cognito's certificate as its upper-case hex thumbprint.
fn thumbprint_of(b64: &str) -> String {
    cognito_entra::entra_facts::parse_certificate(b64.trim())
        .unwrap_or_else(|e| panic!("{e}"))
        .thumbprint
}

/// A year on, Cognito signs its requests with a new certificate (it issues one annually) and
/// Entra, requiring signed requests, knows only the old one: doctor says so, and rotate hands
/// the new one over before anything else, keeps the old, and records what Entra now has.
#[test]
fn a_saml_rotation_first_hands_entra_cognitos_new_signing_certificate() {
    let w = World::new();
    let config = w.config("corp", "saml", "[saml]\nsign_requests = true\n");
    ok(&w.apply(&config));
    std::thread::sleep(Duration::from_millis(700));
    let pool = w.pool_id();
    let old = thumbprint_of(
        w.moto
            .boto3(
                REGION,
                &format!("cognito.get_signing_certificate(UserPoolId='{pool}')['Certificate']"),
            )
            .as_str()
            .unwrap_or_default(),
    );
    let new = thumbprint_of(&w.moto.issue_signing_certificate(REGION, &pool));
    assert_ne!(old, new);
    let verify_keys = |w: &World| -> Vec<String> {
        w.entra.ask("__app_keys")["corp"]["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|k| k["usage"] == "Verify")
            .filter_map(|k| k["thumbprint"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(verify_keys(&w), vec![old.clone()]);

    let mut doctor = w.cmd();
    doctor.args(["doctor", "--setup", "corp", "--entra", "graph"]);
    let out = run(&mut doctor);
    let said = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{said}{}", stderr(&out));
    assert!(said.contains("which Entra does not hold"), "{said}");
    assert!(said.contains("cognito-entra rotate --setup corp"), "{said}");

    let dry = ok(&w.rotate("corp", &["--dry-run"]));
    let hand = dry
        .find(&new)
        .unwrap_or_else(|| panic!("the new certificate in the plan: {dry}"));
    let signing = dry
        .find("new SAML signing certificate")
        .unwrap_or_else(|| panic!("{dry}"));
    assert!(hand < signing, "handed over first: {dry}");
    assert_eq!(
        verify_keys(&w),
        vec![old.clone()],
        "a dry run writes nothing"
    );

    let said = ok(&w.rotate("corp", &["--yes"]));
    assert!(said.contains("✓ Entra: "), "{said}");
    let mut held = verify_keys(&w);
    held.sort();
    let mut both = vec![old.clone(), new.clone()];
    both.sort();
    assert_eq!(held, both, "the new one added, the old one kept: {said}");
    assert!(
        w.state("corp").contains(&new),
        "recorded: {}",
        w.state("corp")
    );

    let out = run(&mut doctor);
    let said = stdout(&out);
    assert!(!said.contains("which Entra does not hold"), "{said}");
    assert!(!said.contains("Entra was given"), "{said}");
    // Nothing of Cognito's is left to hand over.
    let again = ok(&w.rotate("corp", &["--dry-run"]));
    assert!(!again.contains(&new), "{again}");
}

/// The same year on, rotated in the portal: rotate says which of Cognito's certificates to
/// upload where, writes the file (not on a dry run), and records the hand-over once done.
#[test]
fn a_manual_saml_rotation_says_to_upload_cognitos_new_signing_certificate_first() {
    let w = World::new();
    let config = w.config("corp", "saml", "[saml]\nsign_requests = true\n");
    ok(&w.apply(&config));
    std::thread::sleep(Duration::from_millis(700));
    let pool = w.pool_id();
    let new = thumbprint_of(&w.moto.issue_signing_certificate(REGION, &pool));
    // Where apply wrote it (--out): rotate writes the new one over it.
    let file = w.dir.path().join("out/corp-signing.cer");
    let file_thumbprint = || {
        thumbprint_of(
            &std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
    };
    assert_ne!(file_thumbprint(), new);

    let dry = ok(&w.rotate("corp", &["--entra", "manual", "--dry-run"]));
    let upload = dry
        .find(&format!("Cognito's signing certificate is now {new}"))
        .unwrap_or_else(|| panic!("{dry}"));
    assert!(dry.contains("Verification certificates"), "{dry}");
    assert!(dry.contains(&file.display().to_string()), "{dry}");
    assert!(upload < dry.find("New Certificate").unwrap_or(0), "{dry}");
    assert_ne!(file_thumbprint(), new, "a dry run writes no file");

    w.entra.ask("__portal_new_certificate?name=corp");
    let said = ok(&w.rotate("corp", &["--entra", "manual", "--yes"]));
    assert_eq!(file_thumbprint(), new, "{said}");
    assert!(
        said.contains(&format!(
            "Recorded: Entra has Cognito's signing certificate {new}"
        )),
        "{said}"
    );
    let mut doctor = w.cmd();
    doctor.args(["doctor", "--setup", "corp", "--entra", "manual"]);
    let said = stdout(&run(&mut doctor));
    assert!(!said.contains("Entra was given"), "{said}");
}

/// A secret made in the portal expires on the date the portal shows: rotate records the one
/// given (the old secret's date would otherwise stay, and doctor would judge the wrong
/// secret), forgets the old one's when none is given, and takes the date alone later for the
/// secret Cognito holds. A date that is no day, a past one, or one for SAML is refused.
#[test]
fn a_manual_oidc_rotation_records_the_new_secrets_expiry_or_forgets_the_old_ones() {
    let w = World::new();
    w.applied("hr", "oidc");
    let recorded = |w: &World| -> Option<String> {
        let state: toml::Table = w.state("hr").parse().unwrap_or_else(|e| panic!("{e}"));
        state["entra"]
            .get("client_secret_expires")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    assert!(recorded(&w).is_some(), "Graph recorded its secret's expiry");
    let rotate = |secret: &str, extra: &[&str]| {
        let mut c = w.cmd();
        c.args(["rotate", "--setup", "hr", "--entra", "manual", "--yes"])
            .args(extra)
            .env("COGNITO_ENTRA_CLIENT_SECRET", secret);
        run(&mut c)
    };
    let said = ok(&rotate("Xy7~first-portal-secret-01234567", &[]));
    assert_eq!(recorded(&w), None, "the old secret's date is gone: {said}");
    assert!(said.contains("--secret-expires YYYY-MM-DD"), "{said}");
    // The date alone, for the secret Cognito holds: nothing else changes.
    let modified = w.provider_modified("entra");
    let said = ok(&rotate(
        "Xy7~first-portal-secret-01234567",
        &["--secret-expires", "2099-03-31"],
    ));
    assert_eq!(recorded(&w).as_deref(), Some("2099-03-31"), "{said}");
    assert!(
        said.contains("nothing was changed in Cognito or Entra"),
        "{said}"
    );
    assert_eq!(w.provider_modified("entra"), modified);
    // A new secret with its date.
    ok(&rotate(
        "Xy7~second-portal-secret-0123456",
        &["--secret-expires", "2098-01-15"],
    ));
    assert_eq!(recorded(&w).as_deref(), Some("2098-01-15"));
    assert_eq!(w.secret_in_cognito(), "Xy7~second-portal-secret-0123456");

    for (bad, says) in [
        ("2098-02-30", "not a day of the calendar"),
        ("31/03/2099", "YYYY-MM-DD"),
        ("2001-01-01", "expired on 2001-01-01"),
    ] {
        let out = rotate(
            "Xy7~third-portal-secret-01234567",
            &["--secret-expires", bad],
        );
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).contains("--secret-expires"),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains(says), "{bad}: {}", stderr(&out));
    }
    assert_eq!(w.secret_in_cognito(), "Xy7~second-portal-secret-0123456");
    let mut c = w.cmd();
    c.args([
        "rotate",
        "--setup",
        "hr",
        "--yes",
        "--secret-expires",
        "2099-01-01",
    ]);
    let through_graph = run(&mut c);
    assert_eq!(through_graph.status.code(), Some(2));
    assert!(
        stderr(&through_graph).contains("through Graph the tool sets the expiry itself"),
        "{}",
        stderr(&through_graph)
    );
    assert!(!w.files_text().contains("portal-secret"));
}

/// `--json` for cron and CI: one object on stdout — the plan, what was done, the gap — the
/// text on stderr; a stop is its `error`, with exit 1. No secret in it.
#[test]
fn rotate_json_says_what_was_planned_and_done() {
    let w = World::new();
    w.applied("hr", "oidc");
    let json = |out: &Output| -> serde_json::Value {
        serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
    };
    let dry = w.rotate("hr", &["--dry-run", "--json"]);
    let v = json(&dry);
    assert_eq!(dry.status.code(), Some(0), "{v}");
    assert_eq!(v["through"], "graph", "{v}");
    assert_eq!(v["dry_run"], true, "{v}");
    assert!(
        v["plan"].to_string().contains("+ Entra: new client secret"),
        "{v}"
    );
    assert_eq!(v["done"], serde_json::json!([]), "{v}");
    assert!(
        stderr(&dry).contains("new client secret"),
        "{}",
        stderr(&dry)
    );

    let out = w.rotate("hr", &["--yes", "--json"]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    let done = v["done"].to_string();
    assert!(done.contains("Entra: new client secret"), "{v}");
    assert!(done.contains("removed"), "{v}");
    assert!(!stdout(&out).contains(&w.secret_in_cognito()), "no secret");

    // A stop is said in the object too (SAML has no secret expiry to record).
    w.applied("corp", "saml");
    let out = w.rotate(
        "corp",
        &[
            "--json",
            "--entra",
            "manual",
            "--secret-expires",
            "2099-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        json(&out)["error"]
            .as_str()
            .is_some_and(|e| e.contains("--secret-expires"))
    );
}
