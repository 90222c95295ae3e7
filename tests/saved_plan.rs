//! Apply what was reviewed: `plan --out FILE` saves the plan (no secret), `apply --plan FILE`
//! applies exactly it, and refuses — exit 1, nothing written — when the account or the
//! setup changed since.

mod common;

use std::path::{Path, PathBuf};

use cognito_entra_cognito::api::CognitoApi;
use common::entra::*;
use common::moto::{Moto, block_on};
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

fn setup_file(dir: &Path, name: &str, callback: &str) -> PathBuf {
    let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
    let metadata = dir.join("entra-metadata.xml");
    if !metadata.exists() {
        write(&metadata, metadata_xml(&[cert]));
    }
    let path = dir.join(format!("{name}.toml"));
    write(
        &path,
        format!(
            "name = \"{name}\"\nprotocol = \"saml\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"{name}-users\"\n[domain]\nprefix = \"{name}-login\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"{callback}\"]\n[saml]\nmetadata_file = \"entra-metadata.xml\"\n"
        ),
    );
    path
}

fn run_cmd(moto: &Moto, state: &Path, args: &[&str], config: &Path) -> std::process::Output {
    let mut c = moto.cmd(state);
    c.args(args).arg("--config").arg(config);
    run(&mut c)
}

/// A new setup `name` planned with `plan --out`: (state folder, setup file, plan file).
fn planned(moto: &Moto, dir: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let state = dir.join("state");
    let config = setup_file(dir, name, "https://app.example.com/cb");
    let plan_path = dir.join(format!("{name}.plan.json"));
    let plan_arg = plan_path.display().to_string();
    let out = run_cmd(moto, &state, &["plan", "--out", &plan_arg], &config);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (state, config, plan_path)
}

fn pools_named(moto: &Moto, name: &str) -> usize {
    block_on(moto.sdk(REGION).list_user_pools())
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .filter(|p| p.name == name)
        .count()
}

#[test]
fn a_saved_plan_is_applied_exactly_and_refused_once_stale() {
    let moto = Moto::start();
    let dir = tempdir();
    let (state, config, plan_path) = planned(&moto, dir.path(), "saved");
    let plan_arg = plan_path.display().to_string();
    let saved = std::fs::read_to_string(&plan_path).unwrap_or_default();
    assert!(saved.contains("\"cognito-entra plan\""), "{saved}");
    assert!(
        saved.contains("create user_pool") || saved.contains("UserPool"),
        "{saved}"
    );

    let out = run_cmd(
        &moto,
        &state,
        &[
            "apply",
            "--plan",
            &plan_arg,
            "--out",
            &dir.path().join("out").display().to_string(),
        ],
        &config,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(pools_named(&moto, "saved-users"), 1);

    // The same file again: the account has everything now, so the saved plan is stale.
    let out = run_cmd(&moto, &state, &["apply", "--plan", &plan_arg], &config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("out of date"), "{err}");
    assert!(err.contains("no longer needed"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
}

#[test]
fn a_change_in_the_account_or_the_setup_since_the_plan_refuses_it_and_writes_nothing() {
    let moto = Moto::start();
    let dir = tempdir();
    let (state, config, plan_path) = planned(&moto, dir.path(), "moved");
    let plan_arg = plan_path.display().to_string();

    // Meanwhile another admin creates the pool by that name in the console.
    block_on(moto.sdk(REGION).create_user_pool("moved-users")).unwrap_or_else(|e| panic!("{e}"));
    let out = run_cmd(&moto, &state, &["apply", "--plan", &plan_arg], &config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("create user pool moved-users is no longer needed"),
        "{err}"
    );
    assert!(err.contains("This is what apply would do now"), "{err}");
    // Nothing written: still one pool, no domain on it.
    assert_eq!(pools_named(&moto, "moved-users"), 1);
    let domain =
        block_on(moto.sdk(REGION).describe_domain("moved-login")).unwrap_or_else(|e| panic!("{e}"));
    assert!(domain.is_none(), "{domain:?}");

    // A fresh plan of the setup as it is, then the setup changes: refused too.
    let out = run_cmd(&moto, &state, &["plan", "--out", &plan_arg], &config);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let config = setup_file(dir.path(), "moved", "https://app.example.com/other");
    let out = run_cmd(&moto, &state, &["apply", "--plan", &plan_arg], &config);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("setup \"moved\" changed"),
        "{}",
        stderr(&out)
    );
    let domain =
        block_on(moto.sdk(REGION).describe_domain("moved-login")).unwrap_or_else(|e| panic!("{e}"));
    assert!(domain.is_none(), "{domain:?}");
}

#[test]
fn a_saved_plan_holds_no_secret() {
    const SECRET: &str = "Plan~file.secret_Value-321";
    let moto = Moto::start();
    let dir = tempdir();
    let mut routes = std::collections::HashMap::new();
    routes.insert(
        format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        common::https::Response::ok(
            "application/json",
            discovery_json("https://localhost:{port}", TENANT),
        )
        .templated(),
    );
    let entra = common::https::HttpsServer::start(routes);
    let config = dir.path().join("o.toml");
    write(
        &config,
        format!(
            "name = \"o\"\nprotocol = \"oidc\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"o-users\"\n[domain]\nprefix = \"o-login-x\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://spa.example.com/\"]\n[oidc]\ntenant_id = \"{TENANT}\"\nclient_id = \"{APP}\"\n"
        ),
    );
    let plan_path = dir.path().join("o.plan.json");
    let mut c = moto.cmd(&dir.path().join("state"));
    c.env("COGNITO_ENTRA_CLIENT_SECRET", SECRET)
        .env("SSL_CERT_FILE", &entra.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", entra.authority())
        .args(["plan", "--out"])
        .arg(&plan_path)
        .arg("--config")
        .arg(&config);
    let out = run(&mut c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved = std::fs::read_to_string(&plan_path).unwrap_or_default();
    assert!(saved.contains("client_secret"), "{saved}");
    assert!(!saved.contains(SECRET), "the plan file holds the secret");
    // Applied with the secret given again, it goes through.
    let mut c = moto.cmd(&dir.path().join("state"));
    c.env("COGNITO_ENTRA_CLIENT_SECRET", SECRET)
        .env("SSL_CERT_FILE", &entra.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", entra.authority())
        .args(["apply", "--plan"])
        .arg(&plan_path)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--config")
        .arg(&config);
    let out = run(&mut c);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
}

/// The words between the backticks of `plan --out`'s "… `cognito-entra apply …` applies
/// exactly it" line: the command a user copies.
fn printed_command(stderr: &str) -> Vec<String> {
    let line = stderr
        .lines()
        .find(|l| l.contains("applies exactly it"))
        .unwrap_or_else(|| panic!("no command printed: {stderr}"));
    let command = line
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no backticks: {line}"));
    command.split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_command_plan_prints_applies_the_saved_plan_on_its_own() {
    let moto = Moto::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    let config = setup_file(dir.path(), "alone", "https://app.example.com/cb");
    let plan_path = dir.path().join("alone.plan.json");
    let out = run_cmd(
        &moto,
        &state,
        &["plan", "--out", &plan_path.display().to_string()],
        &config,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let words = printed_command(&stderr(&out));
    assert_eq!(
        words[..3],
        ["cognito-entra", "apply", "--plan"],
        "{words:?}"
    );
    // No secret and no stray state: the file carries the answers, and says they came from a
    // setup file.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(saved["answers"]["name"], "alone", "{saved}");
    assert_eq!(saved["from"], "config", "{saved}");

    // Run exactly as printed, from another folder (the metadata file is found all the same).
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap_or_else(|e| panic!("{e}"));
    let mut c = moto.cmd(&state);
    c.current_dir(&elsewhere)
        .args(&words[1..])
        .arg("--out")
        .arg(dir.path().join("out"));
    let out = run(&mut c);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(pools_named(&moto, "alone-users"), 1);
    // Its answers are saved as `apply --config` would save them.
    let text = std::fs::read_to_string(state.join("alone.toml")).unwrap_or_default();
    assert!(text.contains("https://app.example.com/cb"), "{text}");
    let status = run(moto.cmd(&state).args(["status", "--setup", "alone"]));
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));

    // A plan of the saved setup, applied alone; and refused beside another setup's name.
    let plan2 = dir.path().join("saved-setup.plan.json");
    let out = run(moto.cmd(&state).args([
        "plan",
        "--setup",
        "alone",
        "--out",
        &plan2.display().to_string(),
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let words = printed_command(&stderr(&out));
    let out = run(moto
        .cmd(&state)
        .args(&words[1..])
        .arg("--setup")
        .arg("someone-else"));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("a plan for the setup \"alone\", not \"someone-else\""),
        "{err}"
    );
    let out = run(moto.cmd(&state).args(&words[1..]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));
}
