//! What the app developer needs at the end: one block of values, and a `.env` snippet with the
//! names front ends use.

use std::fmt::Write as _;

use crate::setup::{Setup, Values};

/// The values as one block, one per line.
pub fn block(setup: &Setup, values: &Values) -> String {
    let mut out = String::new();
    let rows: [(&str, Option<String>); 9] = [
        ("User pool ID", values.user_pool_id.clone()),
        ("Region", Some(values.region.clone())),
        ("Domain", values.domain.clone()),
        ("App client ID", values.client_id.clone()),
        ("Provider", Some(values.provider_name.clone())),
        (
            "Callback URLs",
            Some(setup.app_client.callback_urls.join(" ")),
        ),
        (
            "Sign-out URLs",
            Some(setup.app_client.logout_urls.join(" ")),
        ),
        ("Scopes", Some(setup.app_client.scopes.join(" "))),
        ("Sign-in URL", values.sign_in_url.clone()),
    ];
    for (label, value) in rows {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(out, "{label:<14} {v}");
        }
    }
    out
}

/// A `.env` snippet (the names of the Amplify front-end convention, plus region and URLs).
pub fn env_snippet(setup: &Setup, values: &Values) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            let _ = writeln!(out, "{k}={v}");
        }
    };
    line("NEXT_PUBLIC_USER_POOL_ID", values.user_pool_id.as_deref());
    line(
        "NEXT_PUBLIC_USER_POOL_CLIENT_ID",
        values.client_id.as_deref(),
    );
    line("NEXT_PUBLIC_OAUTH_DOMAIN", values.domain.as_deref());
    line("NEXT_PUBLIC_IDENTITY_PROVIDER", Some(&values.provider_name));
    line("NEXT_PUBLIC_AWS_REGION", Some(&values.region));
    line(
        "NEXT_PUBLIC_OAUTH_REDIRECT_SIGN_IN",
        setup.app_client.callback_urls.first().map(String::as_str),
    );
    line(
        "NEXT_PUBLIC_OAUTH_REDIRECT_SIGN_OUT",
        setup.app_client.logout_urls.first().map(String::as_str),
    );
    line(
        "NEXT_PUBLIC_OAUTH_SCOPES",
        Some(&setup.app_client.scopes.join(" ")),
    );
    out
}
