//! One rule for where and as whom: a flag, then the environment, then the saved setup, then
//! a default — the same for plan, apply and doctor as for the wizard.

mod common;

use common::entra::*;
use common::moto::Moto;
use common::*;
use time::Duration as Days;

/// `plan --setup` uses the profile saved in the setup when no flag or AWS_PROFILE says
/// otherwise (it used the SDK's default chain and ignored it).
#[test]
fn plan_uses_the_profile_saved_in_the_setup() {
    let moto = Moto::start();
    let dir = tempdir();
    let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
    let metadata = dir.path().join("entra-metadata.xml");
    write(&metadata, metadata_xml(&[cert]));
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap_or_else(|e| panic!("{e}"));
    let now = "2026-11-30T10:00:00Z";
    write(
        &state.join("saved-prof.toml"),
        format!(
            "schema_version = 1\ncreated = \"{now}\"\nupdated = \"{now}\"\n[answers]\nname = \"saved-prof\"\nprotocol = \"saml\"\nregion = \"eu-west-1\"\n[answers.user_pool]\nname = \"sp-users\"\n[answers.domain]\nprefix = \"sp-login\"\n[answers.app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/cb\"]\n[answers.saml]\nmetadata_file = \"{}\"\n[aws]\nprofile = \"team-admin\"\n",
            metadata.display()
        ),
    );
    let config = dir.path().join("aws-config");
    write(
        &config,
        "[profile team-admin]\nregion = eu-west-1\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    );
    let out = run(moto
        .cmd(&state)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .args(["plan", "--setup", "saved-prof"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "the saved profile was not used:\n{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("create user pool sp-users") || stdout(&out).contains("sp-users"),
        "{}",
        stdout(&out)
    );
}

/// An account's raised Cognito quotas come by flag or environment, checked before anything
/// runs: a category the tool does not call in, or a rate that is no number, is refused by
/// name with what it takes.
#[test]
fn raised_cognito_quotas_are_checked_before_anything_runs() {
    let moto = Moto::start();
    let dir = tempdir();
    let state = dir.path().join("state");
    for (value, says) in [
        ("UserPoolResourceRead=lots", "whole number"),
        ("Nope=5", "not a quota category"),
        ("UserPoolRead", "CATEGORY=RPS"),
    ] {
        let out = run(moto
            .cmd(&state)
            .env("COGNITO_ENTRA_COGNITO_QUOTAS", value)
            .arg("setups"));
        assert_eq!(out.status.code(), Some(2), "{value}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("--cognito-quotas") && err.contains(says),
            "{value}: {err}"
        );
    }
    let out = run(moto
        .cmd(&state)
        .env(
            "COGNITO_ENTRA_COGNITO_QUOTAS",
            "UserPoolResourceRead=100, userpoolread=50",
        )
        .arg("setups"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
