//! Every rule a setup must satisfy before anything is written anywhere.
//!
//! Pure: no file system, no network. All problems are collected, each naming the field path,
//! what is wrong and how to fix it. Checks that need the disk (a metadata file exists) live in
//! `setup::load`; checks that need the live account live in the plan.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::model::{EntraMode, Protocol, Setup};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
}

/// One thing wrong with a setup: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub level: Level,
    /// The field path, e.g. `app_client.callback_urls[1]`.
    pub field: String,
    pub problem: String,
    pub fix: String,
}

/// The most characters of a value a message quotes.
const QUOTED_MAX: usize = 120;

impl Problem {
    pub fn error(
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        // A value quoted in a message is clipped: a 1 MB pool name is not echoed whole.
        Problem {
            level: Level::Error,
            field: field.into(),
            problem: crate::humanize::clip_quoted(&problem.into(), QUOTED_MAX),
            fix: fix.into(),
        }
    }

    pub fn warning(
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem {
            level: Level::Warning,
            ..Problem::error(field, problem, fix)
        }
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{label}: {}: {}", self.field, self.problem)?;
        if !self.fix.is_empty() {
            write!(f, "\n  fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// What the setup is about to be used for: showing values needs less than applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Showing the values Entra needs: what comes back from Entra may still be missing.
    Values,
    /// Planning or applying: everything must be there.
    Apply,
}

pub const MULTI_TENANT_EXPLANATION: &str = "an Entra app for users of any organization (multi-tenant) issues tokens whose issuer names each user's own tenant, but a Cognito provider accepts exactly one issuer, so sign-ins from other tenants fail at the token exchange";
pub const MULTI_TENANT_WORKAROUNDS: &str = "make the Entra app single-tenant (\"Accounts in this organizational directory only\") and use its Directory (tenant) ID; to admit several tenants, create one provider per tenant, or put an OIDC broker that issues one fixed issuer between Entra and Cognito";

const MULTI_TENANT_WORDS: [&str; 3] = ["common", "organizations", "consumers"];
const BUILT_IN_PROVIDERS: [&str; 5] = [
    "COGNITO",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
];
/// Cognito's standard user pool attributes, plus the pseudo-attribute `username`.
pub const STANDARD_ATTRIBUTES: [&str; 21] = [
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
    "username",
    "sub",
];
const MAX_URLS: usize = 100;
const MAX_URL_LEN: usize = 1024;
const MAX_SCOPES: usize = 50;
/// The scopes Cognito knows by a bare name (the developer guide, "Scopes").
pub const STANDARD_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

macro_rules! re {
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| {
            #[allow(clippy::expect_used)]
            Regex::new($pattern).expect("built-in pattern")
        });
    };
}

// Counted repetitions of large (Unicode) classes compile slowly: lengths are checked apart.
re!(SETUP_NAME, r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
re!(
    REGION,
    r"^[a-z]{2}(?:-gov|-iso|-isob|-isoe|-isof)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-[1-9][0-9]?$"
);
re!(POOL_ID, r"^[\w-]+_[0-9a-zA-Z]+$");
// The API model's UserPoolNameType / ClientNameType: `[\w\s+=,.@-]+` in Java, where \w and \s
// are ASCII classes; Rust's are Unicode, so they are made ASCII here (a pool named
// "Benutzer-Müller" or with a no-break space is refused by AWS).
re!(POOL_NAME, r"^(?-u:[\w\s+=,.@-])+$");
re!(CLIENT_ID, r"^[\w+]+$");
re!(CLIENT_NAME, r"^(?-u:[\w\s+=,.@-])+$");
re!(PREFIX, r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$");
re!(
    HOST,
    r"^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$"
);
re!(SCOPE, r"^[\x21\x23-\x5B\x5D-\x7E]+$");
re!(
    GUID,
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
);
re!(
    GUID_INSIDE,
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
);
// CustomAttributeNameType: letters, marks, symbols, digits and punctuation (`custom:tenant:id`
// is a name AWS takes), 1-20 characters, counted as characters.
re!(CUSTOM_ATTRIBUTE, r"^custom:[\p{L}\p{M}\p{S}\p{N}\p{P}]+$");
// ProviderNameTypeV2: the second character too must be a letter, mark, symbol, digit or
// punctuation (a space there is refused by AWS).
re!(
    PROVIDER_NAME,
    r"^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$"
);
// RedirectUrlType: no white space or control character anywhere in the raw string (the URL
// parser would trim or encode it, but the raw string is what Cognito gets).
re!(REDIRECT_URL, r"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$");

/// Checks a setup; returns every problem found, errors and warnings.
pub fn validate(setup: &Setup, stage: Stage) -> Vec<Problem> {
    let mut out = Vec::new();
    check_name(setup, &mut out);
    check_region(setup, &mut out);
    check_user_pool(setup, &mut out);
    check_domain(setup, &mut out);
    check_app_client(setup, &mut out);
    check_provider(setup, &mut out);
    check_entra(setup, &mut out);
    // With the Entra side done through Graph, what Entra gives back is made, not typed.
    let stage = if setup.entra.mode == EntraMode::Graph {
        Stage::Values
    } else {
        stage
    };
    match setup.protocol {
        Protocol::Saml => check_saml(setup, stage, &mut out),
        Protocol::Oidc => check_oidc(setup, stage, &mut out),
    }
    out
}

/// The `[entra]` table: an application to adopt is named by its GUID; in graph mode the
/// values Entra gives back come from Graph, so the setup must not carry its own.
fn check_entra(setup: &Setup, out: &mut Vec<Problem>) {
    let entra = &setup.entra;
    if let Some(app_id) = &entra.app_id {
        out.extend(check_guid(
            "entra.app_id",
            "Application (client) ID",
            app_id,
        ));
    }
    if let Some(name) = &entra.display_name {
        let len = name.chars().count();
        if name.trim().is_empty() || len > 120 {
            out.push(Problem::error(
                "entra.display_name",
                format!("the display name has {len} characters"),
                "give 1 to 120 characters: the name admins see under Enterprise applications",
            ));
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, who) in entra.assign.iter().enumerate() {
        let field = format!("entra.assign[{i}]");
        if who.trim().is_empty() {
            out.push(Problem::error(
                field,
                "an entry is empty",
                "give a user principal name (ada@contoso.com) or a group's display name",
            ));
        } else if seen.iter().any(|s| s.eq_ignore_ascii_case(who.trim())) {
            out.push(Problem::error(
                field,
                format!("{who:?} is listed twice"),
                "list each user or group once",
            ));
        }
        seen.push(who.trim().to_string());
    }
    check_notify(setup, out);
    if let Some(tenant) = &entra.tenant {
        out.extend(check_tenant_id("entra.tenant", tenant));
    }
    if let Some(cloud) = &entra.cloud
        && crate::cloud::Cloud::from_name(cloud).is_none()
    {
        out.push(Problem::error(
            "entra.cloud",
            format!("{cloud:?} is not a Microsoft cloud the tool knows"),
            "use cloud = \"global\", \"usgov\" (US Government) or \"china\" (operated by 21Vianet), or remove it for the global service",
        ));
    }
    if entra.mode != EntraMode::Graph {
        if entra.app_id.is_some()
            || entra.display_name.is_some()
            || !entra.assign.is_empty()
            || entra.tenant.is_some()
        {
            out.push(Problem::warning(
                "entra.mode",
                "app_id, display_name, assign and tenant are used only when the tool does the Entra side",
                "set mode = \"graph\" under [entra], or remove them",
            ));
        }
        return;
    }
    // Each value the application gives that the setup gives too, by the key it was given as.
    let saml = setup.saml.clone().unwrap_or_default();
    let oidc = setup.oidc.clone().unwrap_or_default();
    for (field, given) in [
        ("saml.metadata_url", saml.metadata_url.is_some()),
        ("saml.metadata_file", saml.metadata_file.is_some()),
        ("oidc.tenant_id", oidc.tenant_id.is_some()),
        ("oidc.client_id", oidc.client_id.is_some()),
    ] {
        if given {
            let key = field.split('.').nth(1).unwrap_or(field);
            out.push(Problem::error(
                field,
                format!("{key} is given, but [entra] mode = \"graph\" makes the application and takes it from there"),
                if field == "oidc.tenant_id" {
                    "remove it; to say which tenant Graph works in, set tenant = \"<GUID or verified domain>\" under [entra]".to_string()
                } else {
                    format!("remove {key}; to use an existing application, set app_id under [entra]")
                },
            ));
        }
    }
}

/// `[entra] notify`: each a plausible e-mail address, none twice; used only where Entra mails
/// about a certificate it signs with (SAML) and the tool writes the list (mode graph).
fn check_notify(setup: &Setup, out: &mut Vec<Problem>) {
    let notify = &setup.entra.notify;
    let mut seen: Vec<&str> = Vec::new();
    for (i, address) in notify.iter().enumerate() {
        let field = format!("entra.notify[{i}]");
        if let Some(problem) = email_problem(address) {
            out.push(Problem::error(
                field,
                format!("{address:?} {problem}"),
                "give each address as its own string, name@domain: notify = [\"ops@contoso.com\", \"identity-team@contoso.com\"]",
            ));
        } else if seen.iter().any(|s| s.eq_ignore_ascii_case(address)) {
            out.push(Problem::error(
                field,
                format!("{address:?} is listed twice"),
                "list each address once",
            ));
        }
        seen.push(address);
    }
    if notify.is_empty() {
        return;
    }
    if setup.protocol != Protocol::Saml {
        out.push(Problem::warning(
            "entra.notify",
            "Entra mails these addresses only about a SAML signing certificate; an OIDC setup has none, so they are not used",
            "remove notify from [entra]; an OIDC client secret's expiry is what `cognito-entra doctor` watches",
        ));
    } else if setup.entra.mode != EntraMode::Graph {
        out.push(Problem::warning(
            "entra.notify",
            "notify is written to Entra only when the tool does the Entra side",
            "set mode = \"graph\" under [entra], or add the addresses in Entra yourself (Enterprise applications › the app › Single sign-on › SAML Certificates › Notification Email) and remove notify",
        ));
    }
}

/// Why a text is not a plausible e-mail address (one @, a local part, a domain of dotted
/// labels), or None.
fn email_problem(address: &str) -> Option<&'static str> {
    if address.is_empty() {
        return Some("is empty");
    }
    if address.contains([',', ';']) {
        return Some("holds more than one address");
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("holds spaces or control characters");
    }
    if address.contains(['<', '>', '"', '(', ')', '[', ']', '\\', ':']) {
        return Some("holds a name, quotes or brackets beside the address");
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Some("has no @");
    };
    if domain.contains('@') {
        return Some("has more than one @");
    }
    if local.is_empty() || local.chars().count() > 64 {
        return Some("has no name (1 to 64 characters) before the @");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) || address.chars().count() > 254 {
        return Some("has no domain such as contoso.com after the @");
    }
    None
}

fn check_name(setup: &Setup, out: &mut Vec<Problem>) {
    if !SETUP_NAME.is_match(&setup.name) {
        out.push(Problem::error(
            "name",
            format!("{:?} cannot name a setup", setup.name),
            "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the state and certificate files), e.g. \"corp-saml\"",
        ));
    }
}

fn check_region(setup: &Setup, out: &mut Vec<Problem>) {
    out.extend(check_region_value(&setup.region));
}

/// The form of an AWS region name, also used by the wizard as the admin types.
pub fn check_region_value(region: &str) -> Option<Problem> {
    if REGION.is_match(region) {
        return None;
    }
    let lower = region.trim().to_ascii_lowercase();
    let fix = if lower != region && REGION.is_match(&lower) {
        format!("write it as {lower:?}")
    } else if REGION.is_match(&format!("{lower}-1")) {
        format!("a region name ends with its number, e.g. \"{lower}-1\"")
    } else if region.contains("amazonaws.com") || region.contains("://") {
        "give the region name only, e.g. \"us-east-1\", not an endpoint".to_string()
    } else {
        "use an AWS region name such as \"us-east-1\", \"eu-central-2\" or \"ap-southeast-4\" (the region of the user pool)".to_string()
    };
    Some(Problem::error(
        "region",
        format!("{region:?} is not an AWS region name"),
        fix,
    ))
}

/// The form of a setup name, also used by the wizard.
pub fn check_setup_name(name: &str) -> Option<Problem> {
    (!SETUP_NAME.is_match(name)).then(|| {
        Problem::error(
            "name",
            format!("{name:?} cannot name a setup"),
            "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    })
}

fn check_user_pool(setup: &Setup, out: &mut Vec<Problem>) {
    let pool = &setup.user_pool;
    match (&pool.id, &pool.name) {
        (Some(_), Some(_)) => out.push(Problem::error(
            "user_pool",
            "both id and name are given",
            "give id to adopt an existing pool, or name to create a new one, not both",
        )),
        (None, None) => out.push(Problem::error(
            "user_pool",
            "neither id nor name is given",
            "add id = \"<region>_<code>\" to adopt an existing pool (Cognito console > User pools > User pool ID), or name = \"...\" to create one",
        )),
        _ => {}
    }
    if let Some(id) = &pool.id {
        if id.len() > 55 || !POOL_ID.is_match(id) {
            out.push(Problem::error(
                "user_pool.id",
                format!("{id:?} is not a user pool ID"),
                "copy the User pool ID from the Cognito console; it looks like \"us-east-1_abcd1234\" (region, underscore, code)",
            ));
        } else if let Some((pool_region, _)) = id.split_once('_')
            && REGION.is_match(pool_region)
            && pool_region != setup.region
        {
            out.push(Problem::error(
                "user_pool.id",
                format!(
                    "the pool {id:?} lives in {pool_region}, but region is {:?}",
                    setup.region
                ),
                format!(
                    "set region = \"{pool_region}\", or use a pool from {}",
                    setup.region
                ),
            ));
        }
    }
    if let Some(problem) = pool.name.as_deref().and_then(check_pool_name) {
        out.push(problem);
    }
}

/// A user pool's name, as the API model has it (UserPoolNameType).
pub fn check_pool_name(name: &str) -> Option<Problem> {
    (name.chars().count() > 128 || !POOL_NAME.is_match(name)).then(|| {
        Problem::error(
            "user_pool.name",
            format!("{name:?} is not a valid pool name"),
            "use 1-128 ASCII letters, digits, spaces or + = , . @ - _ (AWS refuses other letters)",
        )
    })
}

/// An app client's name, as the API model has it (ClientNameType).
pub fn check_client_name(name: &str) -> Option<Problem> {
    (name.chars().count() > 128 || !CLIENT_NAME.is_match(name)).then(|| {
        Problem::error(
            "app_client.name",
            format!("{name:?} is not a valid app client name"),
            "use 1-128 ASCII letters, digits, spaces or + = , . @ - _ (AWS refuses other letters)",
        )
    })
}

fn check_domain(setup: &Setup, out: &mut Vec<Problem>) {
    let domain = &setup.domain;
    match (&domain.prefix, &domain.custom) {
        (Some(_), Some(_)) => out.push(Problem::error(
            "domain",
            "both prefix and custom are given",
            "give prefix for a Cognito domain (<prefix>.auth.<region>.amazoncognito.com) or custom for your own, not both",
        )),
        (None, None) => out.push(Problem::error(
            "domain",
            "no domain is given",
            "add prefix = \"your-company-login\" for a Cognito domain, or custom = \"auth.example.com\" for a custom domain already set up on the pool",
        )),
        _ => {}
    }
    if let Some(prefix) = &domain.prefix {
        check_prefix(prefix, out);
    }
    if let Some(custom) = &domain.custom {
        check_custom_domain(custom, out);
    }
}

/// The rules for a Cognito prefix domain, also used by the wizard as the admin types.
pub fn check_prefix(prefix: &str, out: &mut Vec<Problem>) {
    let field = "domain.prefix";
    if !PREFIX.is_match(prefix) {
        let lower = prefix.to_ascii_lowercase();
        let fix = if lower != prefix && PREFIX.is_match(&lower) {
            format!("use lower case: {lower:?}")
        } else if prefix.contains('.') {
            "give only the first label, e.g. \"example-corp\" for example-corp.auth.<region>.amazoncognito.com".to_string()
        } else {
            "use 1-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit".to_string()
        };
        out.push(Problem::error(
            field,
            format!("{prefix:?} is not a valid domain prefix"),
            fix,
        ));
    }
    let lower = prefix.to_ascii_lowercase();
    for word in ["aws", "amazon", "cognito"] {
        if lower.contains(word) {
            out.push(Problem::error(
                field,
                format!("{prefix:?} contains the reserved word {word:?}, which AWS refuses in domain prefixes"),
                format!("choose a prefix without \"aws\", \"amazon\" or \"cognito\", e.g. {:?}", suggest_prefix(&lower)),
            ));
            break;
        }
    }
}

fn suggest_prefix(prefix: &str) -> String {
    let mut s = prefix.to_string();
    for word in ["amazon", "cognito", "aws"] {
        s = s.replace(word, "");
    }
    let cleaned: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    match cleaned.as_slice() {
        [] => "my-company-login".to_string(),
        // "acme-aws-login" becomes "acme-login", not "acme-login-login".
        [.., "login"] => cleaned.join("-"),
        _ => format!("{}-login", cleaned.join("-")),
    }
}

fn check_custom_domain(custom: &str, out: &mut Vec<Problem>) {
    let field = "domain.custom";
    if custom.contains("://") || custom.contains('/') {
        let host = Url::parse(custom)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        out.push(Problem::error(
            field,
            format!("{custom:?} is a URL, not a host name"),
            match host {
                Some(h) => format!("give the host name only: {h:?}"),
                None => "give the host name only, e.g. \"auth.example.com\"".to_string(),
            },
        ));
    } else if custom.len() > 253 || !HOST.is_match(custom) {
        out.push(Problem::error(
            field,
            format!("{custom:?} is not a valid host name"),
            "give the full host name of the custom domain set up on the pool, e.g. \"auth.example.com\"",
        ));
    } else if custom.ends_with(".amazoncognito.com") {
        out.push(Problem::error(
            field,
            format!("{custom:?} is a Cognito prefix domain, not a custom domain"),
            "use prefix = \"<first label>\" instead",
        ));
    }
}

fn check_app_client(setup: &Setup, out: &mut Vec<Problem>) {
    let client = &setup.app_client;
    match (&client.id, &client.name) {
        (Some(_), Some(_)) => out.push(Problem::error(
            "app_client",
            "both id and name are given",
            "give id to adopt an existing app client, or name to create a new one, not both",
        )),
        (None, None) => out.push(Problem::error(
            "app_client",
            "neither id nor name is given",
            "add name = \"web\" to create an app client, or id = \"...\" to adopt an existing one (Cognito console > App clients > Client ID)",
        )),
        _ => {}
    }
    if let Some(id) = &client.id {
        if id.len() > 128 || !CLIENT_ID.is_match(id) {
            out.push(Problem::error(
                "app_client.id",
                format!("{id:?} is not an app client ID"),
                "copy the Client ID from the Cognito console (App clients); it has only letters and digits",
            ));
        }
        if client.generate_secret {
            out.push(Problem::error(
                "app_client.generate_secret",
                "a secret can only be chosen when the client is created",
                "remove generate_secret, or create a new client with name = \"...\" instead of id",
            ));
        }
    }
    if let Some(problem) = client.name.as_deref().and_then(check_client_name) {
        out.push(problem);
    }
    check_urls("app_client.callback_urls", &client.callback_urls, out);
    check_urls("app_client.logout_urls", &client.logout_urls, out);
    if client.oauth_flows.is_empty() {
        out.push(Problem::error(
            "app_client.oauth_flows",
            "no OAuth flow is chosen",
            "use oauth_flows = [\"code\"] (the authorization code grant)",
        ));
    }
    if setup.uses_code_flow() && client.callback_urls.is_empty() && client.id.is_none() {
        out.push(Problem::error(
            "app_client.callback_urls",
            "a new client with the code flow needs at least one callback URL",
            "add callback_urls = [\"https://your-app.example.com/callback\"] (http://localhost:PORT is fine while developing)",
        ));
    }
    check_scopes("app_client.scopes", &client.scopes, out);
    if setup.idp_initiated() && client.allow_cognito_sign_in == Some(true) {
        out.push(Problem::error(
            "app_client.allow_cognito_sign_in",
            "IdP-initiated SAML allows only SAML providers on the app client, so COGNITO cannot stay on it (an IdP-initiated response carries no state parameter, and Cognito forbids mixing it with other sign-in methods)",
            "set allow_cognito_sign_in = false, or turn idp_initiated off, or use a dedicated app client for IdP-initiated sign-in",
        ));
    }
}

/// One callback or sign-out URL, also used by the wizard as the admin types.
pub fn check_url(field: &str, raw: &str) -> Option<Problem> {
    let length = raw.chars().count();
    if length > MAX_URL_LEN {
        return Some(Problem::error(
            field,
            format!("the URL is {length} characters long; Cognito allows {MAX_URL_LEN}"),
            "use a shorter URL",
        ));
    }
    if !REDIRECT_URL.is_match(raw) {
        return Some(Problem::error(
            field,
            format!("{raw:?} contains white space or a control character"),
            "remove the spaces, tabs or line breaks (a trailing space is easy to miss when pasting)",
        ));
    }
    let url = match Url::parse(raw) {
        Ok(u) => u,
        Err(e) => {
            return Some(Problem::error(
                field,
                format!("{raw:?} is not an absolute URL ({e})"),
                "write the full URL with its scheme, e.g. \"https://app.example.com/callback\"",
            ));
        }
    };
    if url.fragment().is_some() {
        return Some(Problem::error(
            field,
            format!("{raw:?} has a fragment (#...)"),
            "remove the part from '#' on; Cognito refuses URLs with fragments",
        ));
    }
    match url.scheme() {
        "https" if url.host_str().is_none_or(str::is_empty) => {
            return Some(Problem::error(
                field,
                format!("{raw:?} has no host"),
                "write the full URL, e.g. \"https://app.example.com/callback\"",
            ));
        }
        "http" => {
            let loopback = matches!(
                url.host(),
                Some(url::Host::Domain("localhost"))
                    | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                    | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
            );
            if !loopback {
                return Some(Problem::error(
                    field,
                    format!("{raw:?} uses plain http"),
                    format!(
                        "use https ({}); Cognito accepts plain http only for http://localhost, http://127.0.0.1 and http://[::1]",
                        raw.replacen("http://", "https://", 1)
                    ),
                ));
            }
        }
        // Custom app schemes (myapp://callback) are how mobile apps receive the code.
        _ => {}
    }
    None
}

fn check_urls(field: &str, urls: &[String], out: &mut Vec<Problem>) {
    if urls.len() > MAX_URLS {
        out.push(Problem::error(
            field,
            format!("{} URLs are listed; Cognito allows {MAX_URLS}", urls.len()),
            "remove the ones the app does not use",
        ));
    }
    let mut seen = HashSet::new();
    for (i, url) in urls.iter().enumerate() {
        let item = format!("{field}[{i}]");
        if let Some(p) = check_url(&item, url) {
            out.push(p);
        } else if !seen.insert(url.as_str()) {
            out.push(Problem::error(
                item,
                format!("{url:?} is listed twice"),
                "remove the duplicate",
            ));
        }
    }
}

/// The client's OAuth scopes: each as the API model has it, a bare one Cognito's own, no
/// duplicates, and openid when email, profile or phone is asked for.
pub fn check_scopes(field: &str, scopes: &[String], out: &mut Vec<Problem>) {
    if scopes.len() > MAX_SCOPES {
        out.push(Problem::error(
            field,
            format!(
                "{} scopes are listed; Cognito allows {MAX_SCOPES}",
                scopes.len()
            ),
            "remove the scopes the app does not request",
        ));
    }
    let mut seen = HashSet::new();
    for (i, scope) in scopes.iter().enumerate() {
        let item = format!("{field}[{i}]");
        if scope.chars().count() > 256 || !SCOPE.is_match(scope) {
            out.push(Problem::error(
                item,
                format!("{scope:?} is not a valid scope"),
                "a scope is one word of printable characters without spaces, quotes or backslashes, e.g. \"openid\" or \"email\"",
            ));
        } else if !scope.contains('/') && !STANDARD_SCOPES.contains(&scope.as_str()) {
            // Cognito knows only its own scopes by a bare name (case matters); any other is a
            // resource server's, written "<identifier>/<name>". Entra habits (offline_access,
            // User.Read) and typos fail at apply otherwise.
            let near = super::nearest(STANDARD_SCOPES, &scope.to_ascii_lowercase(), 0.8)
                .map(|s| format!("did you mean {s:?}? "))
                .unwrap_or_default();
            out.push(Problem::error(
                item,
                format!("{scope:?} is not one of Cognito's scopes ({})", STANDARD_SCOPES.join(", ")),
                format!("{near}a scope of your own API is written \"<resource server>/<scope>\"; Entra's offline_access and User.Read are asked of Entra by Cognito, not by the app client"),
            ));
        } else if !seen.insert(scope.as_str()) {
            out.push(Problem::error(
                item,
                format!("{scope:?} is listed twice"),
                "remove the duplicate",
            ));
        }
    }
    let needs_openid: Vec<&str> = ["email", "profile", "phone"]
        .into_iter()
        .filter(|s| scopes.iter().any(|x| x == s))
        .collect();
    if !needs_openid.is_empty() && !scopes.iter().any(|s| s == "openid") {
        out.push(Problem::error(
            field,
            format!(
                "{} requires the openid scope, which is missing",
                needs_openid.join(", ")
            ),
            "add \"openid\" to the scopes",
        ));
    }
}

/// Cognito's rules for an identity provider name, also used by the wizard as the admin types.
pub fn check_provider_name(name: &str) -> Option<Problem> {
    let field = "provider.name";
    let len = name.chars().count();
    let second = name.chars().nth(1).unwrap_or(' ');
    let problem = if !(3..=32).contains(&len) {
        Some(format!(
            "{name:?} is {len} character{} long; a provider name has 3 to 32",
            if len == 1 { "" } else { "s" }
        ))
    } else if name.starts_with('_') || name.starts_with(char::is_whitespace) {
        Some(format!(
            "{name:?} starts with {:?}",
            name.chars().next().unwrap_or(' ')
        ))
    } else if second.is_whitespace() || second.is_control() {
        Some(format!("{name:?} has {second:?} as its second character"))
    } else if name.chars().skip(2).any(|c| c == '_' || c.is_whitespace()) {
        Some(format!(
            "{name:?} has '_' or white space after its second character"
        ))
    } else if name.chars().any(char::is_control) {
        Some(format!("{name:?} contains a control character"))
    } else if !PROVIDER_NAME.is_match(name) {
        Some(format!(
            "{name:?} has a character AWS refuses in a provider name"
        ))
    } else if BUILT_IN_PROVIDERS
        .iter()
        .any(|b| b.eq_ignore_ascii_case(name))
    {
        Some(format!(
            "{name:?} is the name of a built-in Cognito provider"
        ))
    } else {
        None
    };
    problem.map(|p| {
        Problem::error(
            field,
            p,
            "use 3-32 characters without '_' or spaces (they end up in URLs), not a built-in name such as COGNITO or Google; e.g. \"EntraID\"",
        )
    })
}

fn check_provider(setup: &Setup, out: &mut Vec<Problem>) {
    if let Some(p) = check_provider_name(setup.provider_name()) {
        out.push(p);
    }
    for (attribute, claim) in &setup.provider.attribute_mapping {
        out.extend(check_mapping_entry(attribute, claim));
    }
    if let Some(identifiers) = &setup.provider.identifiers {
        check_identifiers(identifiers, out);
    }
}

/// The most identifiers a provider has (IdpIdentifiersListType in the Cognito API model).
pub const MAX_IDENTIFIERS: usize = 50;

/// Whether `c` may be in an identifier: IdpIdentifierType's `[\w\s+=.@-]`, with the meaning
/// the service gives it (Java: `\w` and `\s` are ASCII classes).
fn identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '_' | ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '+' | '=' | '.' | '@' | '-'
        )
}

/// The provider's identifiers (IdpIdentifiers): each 1 to 40 characters of the model's class
/// (IdpIdentifierType), at most 50, none twice; one written as an email address or "@domain"
/// would never match, since Cognito compares the part after the user's @.
pub fn check_identifiers(identifiers: &[String], out: &mut Vec<Problem>) {
    const FIX: &str = "use an email domain (example.com) or a short name of ASCII letters, digits, spaces and + = . @ - _, up to 40 characters";
    if identifiers.len() > MAX_IDENTIFIERS {
        out.push(Problem::error(
            "provider.identifiers",
            format!(
                "{} identifiers are listed; a provider has at most {MAX_IDENTIFIERS}",
                identifiers.len()
            ),
            "keep the domains users actually sign in with; route other names with identity_provider= instead",
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, id) in identifiers.iter().enumerate() {
        let field = format!("provider.identifiers[{i}]");
        let len = id.chars().count();
        if len == 0 {
            out.push(Problem::error(field, "an identifier is empty", FIX));
            continue;
        }
        if len > 40 {
            out.push(Problem::error(
                field,
                format!("{id:?} is {len} characters long; an identifier has at most 40"),
                FIX,
            ));
        } else if let Some(bad) = id.chars().find(|c| !identifier_char(*c)) {
            let fix = if !bad.is_ascii() && id.contains('.') {
                "an internationalized domain goes in its ASCII (punycode) form, e.g. xn--mnchen-3ya.de for münchen.de".to_string()
            } else {
                FIX.to_string()
            };
            out.push(Problem::error(
                field,
                format!("{id:?} has {bad:?}, which AWS refuses in an identifier (ASCII only)"),
                fix,
            ));
        } else if seen.iter().any(|s| s.eq_ignore_ascii_case(id)) {
            // Email domains match whatever their case, so a second spelling routes nothing.
            out.push(Problem::error(
                field,
                format!("{id:?} is listed twice (case aside)"),
                "list each identifier once",
            ));
        } else if let Some(domain) = id.strip_prefix('@') {
            out.push(Problem::error(
                field,
                format!("{id:?} starts with @; Cognito routes by the domain after the user's @, so this never matches"),
                format!("write the domain alone: {domain}"),
            ));
        } else if let Some((_, domain)) = id.split_once('@') {
            out.push(Problem::warning(
                field,
                format!("{id:?} has an @; Cognito routes by the part after the user's @, so this never matches an email address"),
                format!("write the domain alone: {}", domain.trim_start_matches('@')),
            ));
        }
        seen.push(id);
    }
}

/// One attribute mapping entry: a pool attribute Cognito knows, and a claim name Entra can send.
pub fn check_mapping_entry(attribute: &str, claim: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let field = format!("provider.attribute_mapping.{attribute}");
    let standard = STANDARD_ATTRIBUTES.contains(&attribute);
    let custom_name = attribute.strip_prefix("custom:").unwrap_or_default();
    if attribute.is_empty()
        || attribute.chars().count() > 32
        || !(standard
            || (custom_name.chars().count() <= 20 && CUSTOM_ATTRIBUTE.is_match(attribute)))
    {
        let near = super::nearest(STANDARD_ATTRIBUTES, attribute, 0.85)
            .map(|s| format!("did you mean {s:?}? "))
            .unwrap_or_default();
        out.push(Problem::error(
            field.clone(),
            format!("{attribute:?} is not a Cognito user pool attribute"),
            format!("{near}use a standard attribute (email, given_name, family_name, name, ...) or a custom one as \"custom:<name>\" (up to 20 characters)"),
        ));
    }
    if attribute == "sub" {
        out.push(Problem::error(
            field.clone(),
            "Cognito sets sub itself; it cannot be mapped",
            "map the IdP's identifier to \"username\" (OIDC) or leave it out",
        ));
    }
    if claim.trim().is_empty() {
        out.push(Problem::error(
            field,
            "the Entra claim name is empty",
            "give the claim name Entra sends, e.g. \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\" (SAML) or \"email\" (OIDC)",
        ));
    } else if claim.len() > 2048 {
        out.push(Problem::error(
            field,
            format!(
                "the claim name is {} characters long; Cognito allows 2048",
                claim.len()
            ),
            "check what was pasted",
        ));
    }
    out
}

fn check_saml(setup: &Setup, stage: Stage, out: &mut Vec<Problem>) {
    if setup.oidc.is_some() {
        out.push(Problem::error(
            "oidc",
            "an [oidc] table is given on a SAML setup",
            "remove the [oidc] table, or set protocol = \"oidc\"",
        ));
    }
    let saml = setup.saml();
    match (&saml.metadata_url, &saml.metadata_file) {
        (Some(_), Some(_)) => out.push(Problem::error(
            "saml",
            "both metadata_url and metadata_file are given",
            "keep metadata_url (Cognito refreshes it when Entra rolls its certificate) and remove metadata_file",
        )),
        (None, None) if stage == Stage::Apply => out.push(Problem::error(
            "saml.metadata_url",
            "no Entra metadata is given",
            "in Entra: Enterprise applications > your app > Single sign-on > SAML Certificates, copy \"App Federation Metadata Url\" into metadata_url (or download the Federation Metadata XML and set metadata_file)",
        )),
        _ => {}
    }
    if let Some(raw) = &saml.metadata_url {
        check_metadata_url(raw, out);
    }
    if let Some(file) = &saml.metadata_file
        && file.trim().is_empty()
    {
        out.push(Problem::error(
            "saml.metadata_file",
            "the file name is empty",
            "give the path of the downloaded Federation Metadata XML",
        ));
    }
    if saml.sign_requests && saml.idp_initiated {
        let (problem, fix) = SIGNED_REQUESTS_AND_IDP_INITIATED;
        out.push(if stage == Stage::Apply {
            Problem::error("saml.sign_requests", problem, fix)
        } else {
            Problem::warning("saml.sign_requests", problem, fix)
        });
    }
    if saml.idp_signout && setup.app_client.logout_urls.is_empty() && setup.app_client.id.is_none()
    {
        out.push(Problem::warning(
            "app_client.logout_urls",
            "IdP sign-out is on but the client has no sign-out URL, so the app cannot call /logout",
            "add logout_urls = [\"https://your-app.example.com/\"]",
        ));
    }
}

/// Signed requests and IdP-initiated sign-on exclude each other in Entra: once an application
/// requires signed authentication requests (which `sign_requests` asks of it), Entra refuses
/// every sign-on it did not get a signed request for — My Apps and the portal's Test button
/// included (Microsoft's "Enforce signed SAML authentication requests"). The admin chooses.
pub const SIGNED_REQUESTS_AND_IDP_INITIATED: (&str, &str) = (
    "signed requests and sign-in from My Apps (idp_initiated) cannot work together: once Entra requires signed requests, it refuses IdP-initiated sign-on (My Apps, the portal's Test button), which comes without a request",
    "choose one: keep idp_initiated = true and set sign_requests = false (users may start in My Apps), or keep sign_requests = true and set idp_initiated = false (every sign-in starts at the app)",
);

/// The form of an App Federation Metadata URL; what it serves is checked by `entra::metadata`.
pub fn check_metadata_url(raw: &str, out: &mut Vec<Problem>) {
    let field = "saml.metadata_url";
    match Url::parse(raw.trim()) {
        Err(e) => out.push(Problem::error(
            field,
            format!("{raw:?} is not a URL ({e})"),
            "copy \"App Federation Metadata Url\" from Entra: Single sign-on > SAML Certificates",
        )),
        Ok(url) if url.scheme() != "https" => out.push(Problem::error(
            field,
            format!("{raw:?} does not use https"),
            "Cognito fetches metadata over HTTPS only; the Entra URL starts with https://login.microsoftonline.com/",
        )),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => out.push(Problem::error(
            field,
            format!("{raw:?} has no host"),
            "copy \"App Federation Metadata Url\" from Entra: Single sign-on > SAML Certificates",
        )),
        Ok(_) => {}
    }
}

/// Whether a value is a GUID (a tenant's or an application's ID), not a domain.
pub fn is_guid(value: &str) -> bool {
    GUID.is_match(value.trim())
}

/// The form of a Directory (tenant) ID, also used by the wizard as the admin types.
pub fn check_tenant_id(field: &str, tenant: &str) -> Option<Problem> {
    let t = tenant.trim();
    if MULTI_TENANT_WORDS.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        return Some(Problem::error(
            field,
            format!("{t:?} means a multi-tenant Entra app: {MULTI_TENANT_EXPLANATION}"),
            MULTI_TENANT_WORKAROUNDS,
        ));
    }
    if GUID.is_match(t) || (HOST.is_match(t) && t.len() <= 253) {
        return None;
    }
    if t.is_empty() {
        return Some(Problem::error(
            field,
            "the tenant ID is empty",
            "copy Directory (tenant) ID from the app registration's Overview page in Entra (a GUID such as 8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b), or use a verified domain such as contoso.onmicrosoft.com",
        ));
    }
    if let Some(inside) = guid_inside(t) {
        return Some(Problem::error(
            field,
            format!("{t:?} is more than a tenant ID (a URL or braces were copied with it)"),
            format!("use only the GUID in it: {inside}"),
        ));
    }
    Some(Problem::error(
        field,
        format!("{t:?} is neither a tenant GUID nor a verified domain"),
        "copy Directory (tenant) ID from the app registration's Overview page in Entra (a GUID such as 8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b), or use a verified domain such as contoso.onmicrosoft.com",
    ))
}

/// The one GUID in a longer pasted value (a URL, `{…}`), when there is exactly one.
fn guid_inside(value: &str) -> Option<&str> {
    if value.len() > 2048 {
        return None;
    }
    let mut found = GUID_INSIDE.find_iter(value);
    let first = found.next()?;
    found.next().is_none().then_some(first.as_str())
}

pub fn check_guid(field: &str, what: &str, value: &str) -> Option<Problem> {
    let value = value.trim();
    if GUID.is_match(value) {
        None
    } else if let Some(inside) = guid_inside(value) {
        Some(Problem::error(
            field,
            format!("{value:?} is more than the {what} (something was copied with it)"),
            format!("use only the GUID in it: {inside}"),
        ))
    } else {
        Some(Problem::error(
            field,
            format!("{value:?} is not a GUID"),
            format!(
                "copy {what} from the app registration's Overview page in Entra; it looks like 3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c: 8-4-4-4-12 hexadecimal digits"
            ),
        ))
    }
}

fn check_oidc(setup: &Setup, stage: Stage, out: &mut Vec<Problem>) {
    if let Some(saml) = &setup.saml {
        let mut names = Vec::new();
        if saml.idp_initiated {
            names.push("idp_initiated");
        }
        if saml.sign_requests {
            names.push("sign_requests");
        }
        if saml.encrypted_responses {
            names.push("encrypted_responses");
        }
        if saml.idp_signout {
            names.push("idp_signout");
        }
        let what = if names.is_empty() {
            "a [saml] table is given on an OIDC setup".to_string()
        } else {
            format!(
                "SAML-only options ({}) are set on an OIDC setup",
                names.join(", ")
            )
        };
        out.push(Problem::error(
            "saml",
            what,
            "remove the [saml] table, or set protocol = \"saml\"",
        ));
    }
    let oidc = setup.oidc();
    match &oidc.tenant_id {
        Some(t) => out.extend(check_tenant_id("oidc.tenant_id", t)),
        None if stage == Stage::Apply => out.push(Problem::error(
            "oidc.tenant_id",
            "no tenant is given",
            "copy Directory (tenant) ID from the app registration's Overview page in Entra",
        )),
        None => {}
    }
    match &oidc.client_id {
        Some(c) => out.extend(check_guid("oidc.client_id", "Application (client) ID", c)),
        None if stage == Stage::Apply => out.push(Problem::error(
            "oidc.client_id",
            "no client ID is given",
            "copy Application (client) ID from the app registration's Overview page in Entra",
        )),
        None => {}
    }
    check_scopes("oidc.scopes", &oidc.scopes, out);
    if !oidc.scopes.iter().any(|s| s == "openid") {
        out.push(Problem::error(
            "oidc.scopes",
            "the openid scope is missing; Entra returns no ID token without it",
            "use scopes = [\"openid\", \"profile\", \"email\"]",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn regions() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-4",
            "us-gov-west-1",
            "il-central-1",
            "ca-west-1",
            "mx-central-1",
        ] {
            assert!(REGION.is_match(good), "{good}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "moon-base-1",
            "us-east-1a",
            "",
        ] {
            assert!(!REGION.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn identifiers_a_newcomer_mistypes_are_named() {
        let judged = |ids: &[&str]| {
            let mut out = Vec::new();
            let list: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
            check_identifiers(&list, &mut out);
            out
        };
        let at = judged(&["@example.com"]);
        assert!(
            at[0].is_error() && at[0].fix.contains("example.com"),
            "{at:?}"
        );
        let twice = judged(&["example.com", "EXAMPLE.com"]);
        assert!(
            twice
                .iter()
                .any(|p| p.is_error() && p.field.ends_with("[1]")),
            "{twice:?}"
        );
        let umlaut = judged(&["münchen.de"]);
        assert!(umlaut[0].fix.contains("xn--"), "{umlaut:?}");
        let address = judged(&["ada@example.com"]);
        assert!(!address[0].is_error() && address[0].fix.contains("example.com"));
        assert!(judged(&["example.com", "corp"]).is_empty());
    }

    #[test]
    fn provider_names() {
        assert!(check_provider_name("EntraID").is_none());
        assert!(check_provider_name("abc").is_none());
        assert!(check_provider_name(&"a".repeat(32)).is_none());
        assert!(
            check_provider_name("E_tra").is_none(),
            "'_' as second character is allowed"
        );
        for bad in [
            "ab",
            &"a".repeat(33),
            "_abc",
            " abc",
            "Entra_ID",
            "Entra ID",
            "COGNITO",
            "google",
        ] {
            assert!(check_provider_name(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn prefixes() {
        let check = |p: &str| {
            let mut out = Vec::new();
            check_prefix(p, &mut out);
            out
        };
        assert!(check("example-corp-prd").is_empty());
        assert!(check("a").is_empty());
        assert!(!check("-a").is_empty());
        assert!(!check("a-").is_empty());
        assert!(!check(&"a".repeat(64)).is_empty());
        assert!(!check("my-amazon-login").is_empty());
        assert_eq!(suggest_prefix("acme-aws-login"), "acme-login");
        assert_eq!(suggest_prefix("cognito"), "my-company-login");
        assert_eq!(suggest_prefix("awsacme"), "acme-login");
        assert_eq!(suggest_prefix("corp-cognito"), "corp-login");
    }

    #[test]
    fn urls() {
        for good in [
            "https://example.com/cb",
            "http://localhost:3000/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:8080/",
            "myapp://callback",
        ] {
            assert_eq!(check_url("u", good), None, "{good}");
        }
        for bad in [
            "http://example.com",
            "https://x.com/#frag",
            "example.com/cb",
            "http://localhost.evil.com/",
        ] {
            assert!(check_url("u", bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn notification_addresses_are_plausible_e_mail_addresses() {
        for good in [
            "ops@contoso.com",
            "identity-team+saml@mail.contoso.co.uk",
            "zoë@bücher.de",
        ] {
            assert_eq!(email_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "ops",
            "ops@",
            "@contoso.com",
            "ops@contoso",
            "ops@contoso..com",
            "ops@-contoso.com",
            "a@b@contoso.com",
            "ops@contoso.com, it@contoso.com",
            "Ops <ops@contoso.com>",
            " ops@contoso.com",
        ] {
            assert!(email_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn tenants() {
        assert!(check_tenant_id("t", "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b").is_none());
        assert!(check_tenant_id("t", "contoso.onmicrosoft.com").is_none());
        for multi in ["common", "Organizations", "consumers"] {
            let p = check_tenant_id("t", multi);
            assert!(
                p.as_ref()
                    .is_some_and(|p| p.problem.contains("multi-tenant")),
                "{multi}"
            );
        }
        assert!(check_tenant_id("t", "contoso").is_some());
    }

    #[test]
    fn values_stage_allows_missing_entra_answers_apply_does_not() {
        let setup: Setup = toml::from_str(
            r#"
            name = "x"
            protocol = "oidc"
            region = "us-east-1"
            [user_pool]
            name = "p"
            [domain]
            prefix = "corp-login"
            [app_client]
            name = "web"
            callback_urls = ["https://app.example.com/"]
            "#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(validate(&setup, Stage::Values).is_empty());
        assert_eq!(
            fields(&validate(&setup, Stage::Apply)),
            ["oidc.tenant_id", "oidc.client_id"]
        );
    }
}
