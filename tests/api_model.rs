//! Every setup rule held against the Cognito API model — the service model the AWS SDKs are
//! generated from (botocore's copy, installed by scripts/test) — read at test time, not copied
//! by hand: each field's pattern and length, on boundary and everyday values. Where the tool
//! is deliberately stricter (URLs must be https; a bare scope must be one of Cognito's), a
//! value the model refuses must be refused too; where the rule is the model's own (names), the
//! tool accepts exactly what the model accepts.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use cognito_entra::setup::validate::{
    Stage, check_client_name, check_identifiers, check_mapping_entry, check_pool_name,
    check_prefix, check_provider_name, check_scopes, check_url, validate,
};
use cognito_entra::setup::{Protocol, Setup};
use regex::Regex;

/// The model's shapes, from botocore in the test venv.
fn shapes() -> HashMap<String, serde_json::Value> {
    let python = std::env::var_os("COGNITO_ENTRA_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    let out = Command::new(&python)
        .args([
            "-c",
            "import gzip, json, os, botocore\n\
             p = os.path.join(os.path.dirname(botocore.__file__), 'data', 'cognito-idp', '2016-04-18', 'service-2.json')\n\
             text = gzip.open(p + '.gz').read() if os.path.exists(p + '.gz') else open(p, 'rb').read()\n\
             print(json.dumps(json.loads(text)['shapes']))",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "botocore (the Cognito API model) is not installed for {}: run scripts/test ({e})",
                python.display()
            )
        });
    assert!(
        out.status.success(),
        "botocore (the Cognito API model) is not installed for {}: run scripts/test\n{}",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("the model: {e}"))
}

/// A string shape's rule, with Java's regex meaning (the service validates in Java, where \w
/// and \s are ASCII classes): whole-string match, length in characters.
struct Rule {
    name: String,
    pattern: Regex,
    min: usize,
    max: usize,
}

impl Rule {
    fn of(shapes: &HashMap<String, serde_json::Value>, name: &str) -> Rule {
        let shape = &shapes[name];
        let pattern = shape["pattern"].as_str().unwrap_or(".*");
        let ascii = !pattern.contains("\\p");
        let translated = if ascii {
            format!("(?-u)^(?:{pattern})$")
        } else {
            format!("^(?:{pattern})$")
        };
        Rule {
            name: name.to_string(),
            pattern: Regex::new(&translated)
                .unwrap_or_else(|e| panic!("{name}'s pattern {pattern:?}: {e}")),
            min: shape["min"].as_u64().unwrap_or(0) as usize,
            max: shape["max"].as_u64().unwrap_or(u64::MAX) as usize,
        }
    }

    fn accepts(&self, value: &str) -> bool {
        let n = value.chars().count();
        n >= self.min && n <= self.max && self.pattern.is_match(value)
    }
}

fn names() -> Vec<String> {
    vec![
        "corp-users".into(),
        "Corp Users, EU".into(),
        "a+b=c@d.e_f".into(),
        "Benutzer-Müller".into(),
        "用户池".into(),
        "no\u{a0}break".into(),
        "tab\there".into(),
        "emoji😀".into(),
        "name!".into(),
        "x".into(),
        "x".repeat(128),
        "x".repeat(129),
        "ä".repeat(64),
    ]
}

#[test]
fn pool_and_client_names_follow_the_model_exactly() {
    let shapes = shapes();
    for (rule, check) in [
        (
            Rule::of(&shapes, "UserPoolNameType"),
            check_pool_name as fn(&str) -> Option<_>,
        ),
        (Rule::of(&shapes, "ClientNameType"), check_client_name),
    ] {
        for value in names() {
            assert_eq!(
                check(&value).is_none(),
                rule.accepts(&value),
                "{}: {value:?}: the model {} it",
                rule.name,
                if rule.accepts(&value) {
                    "accepts"
                } else {
                    "refuses"
                }
            );
        }
    }
}

#[test]
fn custom_attribute_names_follow_the_model_exactly() {
    let shapes = shapes();
    let rule = Rule::of(&shapes, "CustomAttributeNameType");
    for name in [
        "tenant",
        "tenant:id",
        "tenant_id.v2",
        "groups",
        &"ä".repeat(14),
        &"a".repeat(20),
        &"a".repeat(21),
        "with space",
        "",
    ] {
        let attribute = format!("custom:{name}");
        let ours = check_mapping_entry(&attribute, "claim").is_empty();
        assert_eq!(
            ours,
            rule.accepts(name),
            "custom attribute {attribute:?}: the model {} it",
            if rule.accepts(name) {
                "accepts"
            } else {
                "refuses"
            }
        );
    }
}

#[test]
fn urls_scopes_and_provider_names_the_model_refuses_are_refused() {
    let shapes = shapes();
    let url = Rule::of(&shapes, "RedirectUrlType");
    let long_umlaut = format!("https://app.example.com/{}", "ü".repeat(976));
    let too_long = format!("https://app.example.com/{}", "a".repeat(1001));
    for value in [
        "https://app.example.com/cb",
        "https://app.example.com/cb ",
        "https://app.example.com/\tcb",
        " https://app.example.com/cb",
        "http://localhost:3000/callback",
        long_umlaut.as_str(),
        too_long.as_str(),
    ] {
        if !url.accepts(value) {
            assert!(
                check_url("callback_urls", value).is_some(),
                "{value:?} passed; the model refuses it"
            );
        }
    }
    assert!(check_url("callback_urls", "https://app.example.com/cb").is_none());
    assert!(
        check_url("callback_urls", &long_umlaut).is_none(),
        "1,000 characters with ü is within the limit"
    );

    let scope = Rule::of(&shapes, "ScopeType");
    for value in [
        "openid",
        "email",
        "api/read",
        "a\"b",
        "with space",
        "back\\slash",
        "offline_access",
        "User.Read",
        "emial",
        "OpenID",
    ] {
        let mut out = Vec::new();
        check_scopes(
            "scopes",
            &[value.to_string(), "openid".to_string()],
            &mut out,
        );
        let ours = out.iter().all(|p| !p.field.ends_with("[0]"));
        if !scope.accepts(value) {
            assert!(!ours, "scope {value:?} passed; the model refuses it");
        }
    }
    for not_cognitos in ["offline_access", "User.Read", "emial", "OpenID"] {
        let mut out = Vec::new();
        check_scopes("scopes", &[not_cognitos.to_string()], &mut out);
        assert!(
            !out.is_empty(),
            "{not_cognitos:?} is not a Cognito scope and passed"
        );
    }

    let provider = Rule::of(&shapes, "ProviderNameTypeV2");
    for value in [
        "EntraID",
        "Entra-ID",
        "E ntra",
        "_Entra",
        "Entra_ID",
        "Én",
        "abc",
        "Entra ID",
        &"x".repeat(33),
    ] {
        if !provider.accepts(value) {
            assert!(
                check_provider_name(value).is_some(),
                "provider name {value:?} passed; the model refuses it"
            );
        }
    }
    assert!(check_provider_name("EntraID").is_none());
}

#[test]
fn identifiers_follow_the_model_exactly() {
    let shapes = shapes();
    let rule = Rule::of(&shapes, "IdpIdentifierType");
    let most = shapes["IdpIdentifiersListType"]["max"]
        .as_u64()
        .unwrap_or(0) as usize;
    for value in [
        "example.com",
        "corp-users",
        "a+b=c_d",
        "Corp Users",
        "münchen.de",
        "xn--mnchen-3ya.de",
        "corp!",
        "tab\there",
        "no\u{a0}break",
        "",
        &"a".repeat(40),
        &"a".repeat(41),
    ] {
        let mut out = Vec::new();
        check_identifiers(&[value.to_string()], &mut out);
        let ours = !out.iter().any(|p| p.is_error());
        assert_eq!(
            ours,
            rule.accepts(value),
            "identifier {value:?}: the model {} it ({out:?})",
            if rule.accepts(value) {
                "accepts"
            } else {
                "refuses"
            }
        );
    }
    for count in [most, most + 1] {
        let list: Vec<String> = (0..count).map(|i| format!("d{i}.example.com")).collect();
        let mut out = Vec::new();
        check_identifiers(&list, &mut out);
        assert_eq!(
            out.is_empty(),
            count <= most,
            "{count} identifiers: {out:?}"
        );
    }
}

#[test]
fn domain_prefixes_the_model_refuses_are_refused() {
    let shapes = shapes();
    let rule = Rule::of(&shapes, "DomainType");
    for value in [
        "corp-login",
        "a",
        "-corp",
        "corp-",
        "Corp",
        "corp_login",
        "corp.login",
        "c\u{f6}rp",
        &"a".repeat(63),
        &"a".repeat(64),
    ] {
        let mut out = Vec::new();
        check_prefix(value, &mut out);
        if !rule.accepts(value) {
            assert!(
                !out.is_empty(),
                "prefix {value:?} passed; the model refuses it"
            );
        }
    }
    let mut out = Vec::new();
    check_prefix("corp-login", &mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn list_sizes_follow_the_model() {
    let shapes = shapes();
    let most = |name: &str| shapes[name]["max"].as_u64().unwrap_or(0) as usize;
    let problems = |setup: &Setup, field: &str| {
        validate(setup, Stage::Values)
            .into_iter()
            .filter(|p| p.is_error() && p.field == field)
            .count()
    };
    for (list, field) in [
        ("CallbackURLsListType", "app_client.callback_urls"),
        ("LogoutURLsListType", "app_client.logout_urls"),
    ] {
        for count in [most(list), most(list) + 1] {
            let urls: Vec<String> = (0..count)
                .map(|i| format!("https://app.example.com/cb{i}"))
                .collect();
            let mut setup = Setup::blank("lists", Protocol::Saml);
            setup.app_client.name = Some("web".into());
            setup.app_client.callback_urls = vec!["https://app.example.com/".into()];
            if field.ends_with("callback_urls") {
                setup.app_client.callback_urls = urls;
            } else {
                setup.app_client.logout_urls = urls;
            }
            assert_eq!(
                problems(&setup, field) > 0,
                count > most(list),
                "{count} {field}"
            );
        }
    }
    let scopes = most("ScopeListType");
    for count in [scopes, scopes + 1] {
        let mut list = vec!["openid".to_string()];
        list.extend((1..count).map(|i| format!("api/s{i}")));
        let mut out = Vec::new();
        check_scopes("app_client.scopes", &list, &mut out);
        assert_eq!(
            out.iter().any(|p| p.is_error()),
            count > scopes,
            "{count} scopes: {out:?}"
        );
    }
}
