//! `export`: CloudFormation that cfn-lint accepts, Terraform that python-hcl2 parses, the
//! front-end .env, JSON with every value, and never a secret.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn venv_tool(name: &str) -> PathBuf {
    let dir = std::env::var_os("COGNITO_ENTRA_TEST_PYTHON")
        .map(PathBuf::from)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin"));
    let tool = dir.join(name);
    assert!(
        tool.is_file(),
        "{} is not installed: run scripts/test, which installs it into .venv",
        tool.display()
    );
    tool
}

const SAML_NEW: &str = r#"
name = "exp-saml"
protocol = "saml"
region = "eu-west-1"
[user_pool]
name = "exp-users"
[domain]
prefix = "exp-login"
managed_login = true
[app_client]
name = "web"
callback_urls = ["https://app.example.com/callback", "http://localhost:3000/callback"]
logout_urls = ["https://app.example.com/"]
scopes = ["openid", "email", "profile"]
[provider]
name = "EntraID"
[provider.attribute_mapping]
email = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
"custom:groups" = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
[saml]
metadata_url = "https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/federationmetadata/2007-06/federationmetadata.xml?appid=3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c"
idp_initiated = true
sign_requests = true
encrypted_responses = true
"#;

const OIDC_ADOPTED: &str = r#"
name = "exp-oidc"
protocol = "oidc"
region = "eu-west-1"
[user_pool]
id = "eu-west-1_AbCdEf123"
[domain]
prefix = "exp-oidc-login"
[app_client]
id = "1h2g3f4e5d6c7b8a9"
callback_urls = ["https://spa.example.com/"]
[oidc]
tenant_id = "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b"
client_id = "3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c"
"#;

const SECRET: &str = "Xq9~export.Secret_never-in-output";

/// The Entra stand-in, for the tenant's discovery document (the OIDC endpoints come from it).
fn entra(discovery: Vec<u8>) -> common::https::HttpsServer {
    let mut routes = std::collections::HashMap::new();
    routes.insert(
        format!(
            "/{}/v2.0/.well-known/openid-configuration",
            common::entra::TENANT
        ),
        common::https::Response::ok("application/json", discovery).templated(),
    );
    common::https::HttpsServer::start(routes)
}

fn global_cloud() -> Vec<u8> {
    common::entra::discovery_json("https://localhost:{port}", common::entra::TENANT)
}

fn export(dir: &Path, config: &str, format: &str) -> String {
    export_with(dir, config, format, global_cloud())
}

fn export_with(dir: &Path, config: &str, format: &str, discovery: Vec<u8>) -> String {
    let file = dir.join(format!("{format}-{}.toml", config.len()));
    write(&file, config);
    let entra = entra(discovery);
    let out = run(cmd(&dir.join("state"))
        .env("COGNITO_ENTRA_CLIENT_SECRET", SECRET)
        .env("SSL_CERT_FILE", &entra.ca_file)
        .env("COGNITO_ENTRA_AUTHORITY", entra.authority())
        .args(["export", "--format", format, "--config"])
        .arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains(SECRET) && !stderr(&out).contains(SECRET),
        "the secret leaked into {format}"
    );
    text
}

fn cfn_lint(dir: &Path, yaml: &str) {
    let file = dir.join("template.yaml");
    write(&file, yaml);
    let out = run(Command::new(venv_tool("cfn-lint")).arg(&file));
    assert!(
        out.status.success(),
        "cfn-lint refused the template:\n{}{}\n{yaml}",
        stdout(&out),
        stderr(&out)
    );
}

fn hcl_parse(dir: &Path, hcl: &str) -> serde_json::Value {
    let file = dir.join("main.tf");
    write(&file, hcl);
    let script = "import hcl2, json, sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))";
    let out = run(Command::new(venv_tool("python"))
        .args(["-c", script])
        .arg(&file));
    assert!(
        out.status.success(),
        "python-hcl2 could not parse:\n{}\n{hcl}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn cloudformation_passes_cfn_lint() {
    let dir = tempdir();
    let yaml = export(dir.path(), SAML_NEW, "cloudformation");
    for needle in [
        "Type: AWS::Cognito::UserPool\n",
        "Type: AWS::Cognito::UserPoolDomain",
        "ManagedLoginVersion: 2",
        "Type: AWS::Cognito::UserPoolIdentityProvider",
        "IDPInit: \"true\"",
        "RequestSigningAlgorithm: \"rsa-sha256\"",
        "\"custom:groups\": \"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups\"",
        "- !Ref EntraProvider",
    ] {
        assert!(yaml.contains(needle), "{needle:?} not in:\n{yaml}");
    }
    cfn_lint(dir.path(), &yaml);

    let yaml = export(dir.path(), OIDC_ADOPTED, "cloudformation");
    assert!(
        yaml.contains("UserPoolId:\n    Type: String"),
        "the adopted pool is a parameter:\n{yaml}"
    );
    assert!(
        yaml.contains("OidcClientSecret:\n    Type: String\n    NoEcho: true"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("Type: AWS::Cognito::UserPool\n"),
        "an adopted pool is not created:\n{yaml}"
    );
    // The endpoints the tenant's discovery document names (the stand-in serves it).
    assert!(
        yaml.contains("authorize_url: \"https://localhost:"),
        "{yaml}"
    );
    assert!(
        yaml.contains("/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/oauth2/v2.0/authorize\""),
        "{yaml}"
    );
    cfn_lint(dir.path(), &yaml);
}

#[test]
fn terraform_parses_and_ignores_what_cognito_adds() {
    let dir = tempdir();
    let hcl = export(dir.path(), SAML_NEW, "terraform");
    let tf = hcl_parse(dir.path(), &hcl);
    let text = tf.to_string();
    for needle in [
        "aws_cognito_user_pool_domain",
        "aws_cognito_identity_provider",
        "aws_cognito_user_pool_client",
        "ActiveEncryptionCertificate",
        "SSORedirectBindingURI",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    assert!(hcl.contains("ignore_changes"), "{hcl}");

    let hcl = export(dir.path(), OIDC_ADOPTED, "terraform");
    let tf = hcl_parse(dir.path(), &hcl);
    let text = tf.to_string();
    assert!(
        text.contains("oidc_client_secret") && hcl.contains("sensitive   = true"),
        "{hcl}"
    );
    assert!(
        hcl.contains("client_secret = var.oidc_client_secret"),
        "{hcl}"
    );
    assert!(!hcl.contains("resource \"aws_cognito_user_pool\""), "{hcl}");
}

#[test]
fn env_and_json_carry_every_value() {
    let dir = tempdir();
    let env = export(dir.path(), OIDC_ADOPTED, "env");
    for line in [
        "NEXT_PUBLIC_USER_POOL_ID=eu-west-1_AbCdEf123",
        "NEXT_PUBLIC_USER_POOL_CLIENT_ID=1h2g3f4e5d6c7b8a9",
        "NEXT_PUBLIC_OAUTH_DOMAIN=exp-oidc-login.auth.eu-west-1.amazoncognito.com",
        "NEXT_PUBLIC_IDENTITY_PROVIDER=entra",
        "NEXT_PUBLIC_AWS_REGION=eu-west-1",
        "NEXT_PUBLIC_OAUTH_REDIRECT_SIGN_IN=https://spa.example.com/",
    ] {
        assert!(env.lines().any(|l| l == line), "{line} not in:\n{env}");
    }
    let json: serde_json::Value = serde_json::from_str(&export(dir.path(), SAML_NEW, "json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json["values"]["reply_url"],
        "https://exp-login.auth.eu-west-1.amazoncognito.com/saml2/idpresponse"
    );
    assert_eq!(
        json["values"]["entity_id"],
        serde_json::Value::Null,
        "pending until apply"
    );
    assert_eq!(json["pending"][0]["key"], "user_pool_id");
    assert_eq!(json["provider_details"]["IDPInit"], "true");

    let bad = run(cmd(&dir.path().join("s"))
        .args(["export", "--format", "yaml", "--config"])
        .arg(dir.path().join("env-").with_extension("x")));
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

/// The OIDC endpoints in an export are the ones the tenant's discovery document names, as in
/// `plan` and `doctor`: a sovereign cloud's hosts (here US Government's userinfo endpoint),
/// never a hard-coded graph.microsoft.com.
#[test]
fn oidc_endpoints_come_from_the_discovery_document() {
    let dir = tempdir();
    let us_government = String::from_utf8_lossy(&global_cloud())
        .replace(
            "https://graph.microsoft.com/oidc/userinfo",
            "https://graph.microsoft.us/oidc/userinfo",
        )
        .into_bytes();
    let json = export_with(dir.path(), OIDC_ADOPTED, "json", us_government);
    assert!(
        json.contains("https://graph.microsoft.us/oidc/userinfo"),
        "{json}"
    );
    assert!(!json.contains("graph.microsoft.com"), "{json}");
    assert!(
        json.contains("https://localhost:"),
        "the stand-in's endpoints: {json}"
    );
}
