//! `values` on the published example, and the copy of a value reaching a real clipboard: the
//! X11 one (read back with xclip after the command has exited) and the terminal's (OSC 52,
//! read back from tmux's buffer).

mod common;

use std::time::Duration;

use common::*;

const REPLY_URL: &str =
    "https://example-corp-prd.auth.us-east-1.amazoncognito.com/saml2/idpresponse";

#[test]
fn values_json_for_the_published_example() {
    let dir = tempdir();
    let out = run(cmd(dir.path())
        .args(["values", "--json", "--config"])
        .arg(fixture("setups/sample.toml")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let expected = serde_json::json!({
        "region": "us-east-1",
        "user_pool_id": "us-east-1_abcd1234",
        "domain": "example-corp-prd.auth.us-east-1.amazoncognito.com",
        "client_id": "abcd1234567",
        "provider_name": "EntraID",
        "entity_id": "urn:amazon:cognito:sp:us-east-1_abcd1234",
        "reply_url": REPLY_URL,
        "relay_state": "identity_provider=EntraID&client_id=abcd1234567&redirect_uri=https://example.com&response_type=code&scope=openid+email+phone",
        "sign_in_url": "https://example-corp-prd.auth.us-east-1.amazoncognito.com/oauth2/authorize?identity_provider=EntraID&response_type=code&client_id=abcd1234567&redirect_uri=https%3A%2F%2Fexample.com&scope=openid%20email%20phone",
    });
    assert_eq!(json, expected);
    assert!(
        !dir.path().join("corp-saml.toml").exists(),
        "values writes no state"
    );
}

#[test]
fn values_human_form_is_one_value_per_line_and_pending_ids_are_named() {
    let dir = tempdir();
    let file = dir.path().join("new.toml");
    let text = std::fs::read_to_string(fixture("setups/sample.toml"))
        .unwrap_or_default()
        .replace("id = \"us-east-1_abcd1234\"", "name = \"corp-users\"")
        .replace("id = \"abcd1234567\"", "name = \"web\"");
    write(&file, text);
    let out = run(cmd(dir.path()).args(["values", "--config"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("reply_url") && l.ends_with(REPLY_URL)),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("entity_id") && l.ends_with("(pending)")),
        "{text}"
    );
    assert!(
        stderr(&out).contains(
            "pending: user_pool_id waits for the user pool \"corp-users\" to be created by apply"
        ),
        "{}",
        stderr(&out)
    );

    let out = run(cmd(dir.path())
        .args(["values", "--json", "--config"])
        .arg(&file));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["entity_id"], serde_json::Value::Null);
    assert_eq!(json["pending"][0]["key"], "user_pool_id");

    let out = run(cmd(dir.path())
        .args(["values", "--copy", "entity_id", "--config"])
        .arg(&file));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("entity_id is not known yet"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_copy_key_that_does_not_apply_says_why_before_printing_anything() {
    let dir = tempdir();
    let sample = std::fs::read_to_string(fixture("setups/sample.toml")).unwrap_or_default();
    let sp_only = dir.path().join("sp.toml");
    write(
        &sp_only,
        sample.replace("idp_initiated = true", "idp_initiated = false"),
    );
    for (args, expected) in [
        (
            vec!["--copy", "replyurl", "--config"],
            "\"replyurl\" is not one of the values (did you mean reply_url?)",
        ),
        (
            vec!["--copy", "redirect_uri", "--config"],
            "redirect_uri is an OIDC value, and corp-saml is a SAML setup",
        ),
    ] {
        let out = run(cmd(dir.path())
            .arg("values")
            .args(&args)
            .arg(fixture("setups/sample.toml")));
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("fix: use one of region,"),
            "{}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "nothing printed: {}", stdout(&out));
    }
    let out = run(cmd(dir.path())
        .args(["values", "--copy", "relay_state", "--config"])
        .arg(&sp_only));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("set saml.idp_initiated = true"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn copy_reaches_the_x11_clipboard_and_outlives_the_command() {
    let x = XServer::start();
    let dir = tempdir();
    let out = run(cmd(dir.path())
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .args(["values", "--copy", "reply_url", "--config"])
        .arg(fixture("setups/sample.toml")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reply_url copied to the clipboard"),
        "{}",
        stderr(&out)
    );
    // The command has exited; the value must still be there to paste.
    let got = wait_for(
        "the Reply URL on the X clipboard",
        Duration::from_secs(10),
        || x.clipboard().filter(|v| v == REPLY_URL),
    );
    assert_eq!(got, REPLY_URL);

    // A second copy replaces the first (the old helper lets go).
    let out = run(cmd(dir.path())
        .env("DISPLAY", &x.display)
        .args(["values", "--copy", "entity_id", "--config"])
        .arg(fixture("setups/sample.toml")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    wait_for(
        "the Entity ID on the X clipboard",
        Duration::from_secs(10),
        || {
            x.clipboard()
                .filter(|v| v == "urn:amazon:cognito:sp:us-east-1_abcd1234")
        },
    );
}

#[test]
fn without_a_display_the_copy_goes_to_the_terminal_by_osc52() {
    let tmux = Tmux::start(200, 40);
    tmux.cmd(&["set-option", "-g", "set-clipboard", "on"]);
    let dir = tempdir();
    let line = format!(
        "env -u DISPLAY -u WAYLAND_DISPLAY COGNITO_ENTRA_STATE_DIR={} {} values --copy reply_url --config {}; echo \"EX\"\"IT-$?\"",
        sh_quote(&dir.path().display().to_string()),
        sh_quote(bin()),
        sh_quote(&fixture("setups/sample.toml").display().to_string()),
    );
    tmux.type_line(&line);
    let screen = tmux.wait_for_text("EXIT-", Duration::from_secs(20));
    assert!(screen.contains("EXIT-0"), "{screen}");
    assert!(
        screen.contains("reply_url sent to your terminal"),
        "{screen}"
    );
    let buffer = stdout(&tmux.cmd(&["show-buffer"]));
    assert_eq!(buffer, REPLY_URL);
}
