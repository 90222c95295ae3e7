//! `[entra] notify`: who Entra mails before the SAML signing certificate expires (the service
//! principal's `notificationEmailAddresses`), written through Graph with the rest of the
//! application, kept when the setup names none, and read back by `doctor --entra graph` —
//! against the Graph stand-in (tests/support/graph_standin.py) and the Cognito emulator.

mod common;

use std::path::Path;

use cognito_entra_cognito::api::CognitoApi;
use common::moto::block_on;
use common::*;

use common::graph_world::{GraphWorld as World, REGION};

impl World {
    fn plan(&self, config: &Path) -> std::process::Output {
        let mut c = self.cmd();
        c.args(["plan", "--config"]).arg(config);
        run(&mut c)
    }

    /// `doctor --entra graph --json` of a saved setup: its "Entra expiry mails" check.
    fn expiry_check(&self, name: &str) -> serde_json::Value {
        let mut c = self.cmd();
        c.args(["doctor", "--setup", name, "--entra", "graph", "--json"]);
        let out = run(&mut c);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
        v["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == "Entra expiry mails"))
            .cloned()
            .unwrap_or_else(|| panic!("no check \"Entra expiry mails\": {v}"))
    }

    /// The service principal's notificationEmailAddresses, as the stand-in holds them.
    fn mails(&self, name: &str) -> serde_json::Value {
        self.entra.ask("__notification_emails")[name].clone()
    }

    /// Notification Email edited in the portal.
    fn portal_sets(&self, name: &str, addresses: &[&str]) {
        let query: String = addresses.iter().map(|a| format!("&address={a}")).collect();
        self.entra
            .ask(&format!("__notification_emails?name={name}{query}"));
    }
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
fn notify_is_written_with_the_application_set_once_changed_when_the_setup_changes_and_read_back() {
    let w = World::new();
    let config = w.config(
        "corp",
        "saml",
        "notify = [\"ops@contoso.example\", \"Identity-Team@contoso.example\"]\n",
    );
    let planned = ok(&w.plan(&config));
    assert!(
        planned.contains(
            "~ SAML certificate expiry mails to ops@contoso.example, Identity-Team@contoso.example"
        ),
        "{planned}"
    );
    let out = ok(&w.apply(&config));
    assert!(
        out.contains("✓ Entra: SAML certificate expiry mails to ops@contoso.example"),
        "{out}"
    );
    assert_eq!(
        w.mails("corp"),
        serde_json::json!(["ops@contoso.example", "Identity-Team@contoso.example"])
    );

    // A second run writes nothing; nor does the same list in another order and case.
    let writes = w.entra.writes();
    let again = ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes, "{again}");
    assert!(!again.contains("expiry mails"), "{again}");
    let reordered = w.config(
        "corp",
        "saml",
        "notify = [\"identity-team@CONTOSO.example\", \"ops@contoso.example\"]\n",
    );
    let again = ok(&w.apply(&reordered));
    assert_eq!(w.entra.writes(), writes, "{again}");

    // doctor reads them back.
    let check = w.expiry_check("corp");
    assert_eq!(check["status"], "pass", "{check}");
    assert!(
        check["detail"]
            .as_str()
            .is_some_and(|d| d.contains("ops@contoso.example")
                && d.contains("Identity-Team@contoso.example")),
        "{check}"
    );

    // Changed in the portal: doctor names the address Entra no longer mails.
    w.portal_sets("corp", &["admin@contoso.example"]);
    let check = w.expiry_check("corp");
    assert_eq!(check["status"], "warn", "{check}");
    let detail = check["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("ops@contoso.example") && detail.contains("admin@contoso.example"),
        "{check}"
    );
    assert_eq!(check["fix"], "run apply --entra graph", "{check}");

    // The setup's list changed: the application gets it in place of what it had.
    let changed = w.config("corp", "saml", "notify = [\"oncall@contoso.example\"]\n");
    let planned = ok(&w.plan(&changed));
    assert!(
        planned.contains(
            "~ SAML certificate expiry mails to oncall@contoso.example (instead of admin@contoso.example)"
        ),
        "{planned}"
    );
    ok(&w.apply(&changed));
    assert_eq!(
        w.mails("corp"),
        serde_json::json!(["oncall@contoso.example"])
    );
    assert_eq!(w.expiry_check("corp")["status"], "pass");
}

#[test]
fn a_setup_that_names_no_addresses_keeps_the_applications_list_and_doctor_warns_when_nobody_is_mailed()
 {
    let w = World::new();
    let config = w.config("corp", "saml", "");
    ok(&w.apply(&config));
    // Graph leaves the list empty (only the portal fills in its user's address): nobody is
    // told before the certificate expires.
    assert_eq!(w.mails("corp"), serde_json::json!([]));
    let check = w.expiry_check("corp");
    assert_eq!(check["status"], "warn", "{check}");
    assert!(
        check["detail"]
            .as_str()
            .is_some_and(|d| d.contains("nobody")),
        "{check}"
    );
    assert!(
        check["fix"].as_str().is_some_and(|f| f.contains("notify")),
        "{check}"
    );

    // An admin's list, set in the portal: a setup without notify leaves it as it is.
    w.portal_sets("corp", &["admin@contoso.example", "it@contoso.example"]);
    let writes = w.entra.writes();
    let again = ok(&w.apply(&config));
    assert_eq!(w.entra.writes(), writes, "{again}");
    assert_eq!(
        w.mails("corp"),
        serde_json::json!(["admin@contoso.example", "it@contoso.example"])
    );
    let check = w.expiry_check("corp");
    assert_eq!(check["status"], "pass", "{check}");
    assert_eq!(
        check["detail"], "admin@contoso.example, it@contoso.example",
        "{check}"
    );
}

#[test]
fn a_bad_address_is_refused_naming_the_field_before_anything_is_written() {
    let w = World::new();
    let config = w.config(
        "corp",
        "saml",
        "notify = [\"ops@contoso.example\", \"ops@contoso\"]\n",
    );
    let out = w.apply(&config);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("entra.notify[1]")
            && said.contains("\"ops@contoso\"")
            && said.contains("name@domain"),
        "the field, the value and the fix: {said}"
    );
    assert_eq!(w.entra.writes(), 0, "{said}");
    assert!(
        block_on(w.moto.sdk(REGION).list_user_pools())
            .unwrap_or_default()
            .is_empty(),
        "nothing in Cognito either"
    );

    // Where Entra mails nobody about a certificate (OIDC), the field is named in a warning.
    let oidc = w.config("portal", "oidc", "notify = [\"ops@contoso.example\"]\n");
    let planned = w.plan(&oidc);
    let said = format!("{}{}", stdout(&planned), stderr(&planned));
    assert!(
        said.contains("entra.notify") && said.contains("only about a SAML signing certificate"),
        "{said}"
    );
}
