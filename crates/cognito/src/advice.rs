//! Turning an API error into advice an admin can act on, never an SDK dump.

use super::api::{ApiError, ErrorKind};

/// The advice for an error from `operation`, given the profile and region in use.
pub fn advice(e: &ApiError, profile: Option<&str>, region: &str) -> String {
    let profile_hint = profile.filter(|p| *p != "default").unwrap_or("NAME");
    match e.kind {
        ErrorKind::NoCredentials => format!(
            "no usable AWS credentials (tried: environment variables, the profile {} in ~/.aws/config and ~/.aws/credentials, SSO, credential_process, container and instance roles): {}\n  fix: `aws sso login --profile {profile_hint}` for an SSO profile, or `aws configure`; then pass --profile {profile_hint} or set AWS_PROFILE",
            profile.unwrap_or("default"),
            first_line(&e.message)
        ),
        ErrorKind::ExpiredCredentials => format!(
            "your AWS session has expired ({})\n  fix: `aws sso login --profile {profile_hint}` (or refresh the credentials you use), then run again",
            first_line(&e.message)
        ),
        ErrorKind::AccessDenied => format!(
            "access denied: the AWS identity in use may not call cognito-idp:{} ({})\n  fix: grant cognito-idp:{} on the pool; docs/permissions.md lists every action this tool needs, with a minimal IAM policy",
            e.operation,
            first_line(&e.message),
            e.operation
        ),
        ErrorKind::NotFound => format!(
            "{} — not found in region {region}\n  fix: check the ID and the region (a pool ID starts with its region), and the AWS profile",
            first_line(&e.message)
        ),
        ErrorKind::Duplicate => format!(
            "{}\n  fix: another run or an admin created it meanwhile; run the command again, it will adopt it",
            first_line(&e.message)
        ),
        ErrorKind::InvalidParameter => format!(
            "AWS refused a value in {} ({}): {}\n  fix: correct {} in the setup",
            e.operation,
            field_of(&e.operation),
            first_line(&e.message),
            field_of(&e.operation)
        ),
        ErrorKind::Throttled => format!(
            "AWS is throttling {} (about 5 changes per second per pool): {}\n  fix: wait a few seconds and run again",
            e.operation,
            first_line(&e.message)
        ),
        ErrorKind::Timeout => format!(
            "{} got no answer from AWS in {region}: {}\n  fix: check the network or proxy (and --endpoint-url / AWS_ENDPOINT_URL if you use one), then run again; what finished is recorded",
            e.operation,
            first_line(&e.message)
        ),
        ErrorKind::ServerError => format!(
            "AWS answered {} with a server error: {}\n  fix: run again in a moment; what finished is recorded, and a create that went through is found and adopted",
            e.operation,
            first_line(&e.message)
        ),
        ErrorKind::Network => format!(
            "cannot reach Cognito in {region}: {}\n  fix: check the network or proxy (and --endpoint-url / AWS_ENDPOINT_URL if you use one), then run again",
            first_line(&e.message)
        ),
        ErrorKind::Other => format!("{} failed: {}", e.operation, first_line(&e.message)),
    }
}

/// The part of the setup an operation's parameters come from.
pub fn field_of(operation: &str) -> &'static str {
    match operation {
        "CreateUserPool" => "[user_pool]",
        "CreateUserPoolDomain" => "[domain]",
        "CreateIdentityProvider" | "UpdateIdentityProvider" => "[provider], [saml] or [oidc]",
        "CreateUserPoolClient" | "UpdateUserPoolClient" => "[app_client]",
        _ => "the setup",
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}
