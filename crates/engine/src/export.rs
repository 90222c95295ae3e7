//! A setup as code, for teams that outgrow a wizard: CloudFormation YAML, Terraform HCL, a
//! `.env` snippet, or JSON with every value. Pure. Secrets never appear: the OIDC client
//! secret becomes a parameter (NoEcho) or a sensitive variable, without a default.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::plan::EntraInput;
use crate::setup::{Protocol, Setup, Values};
use cognito_entra_cognito::api::managed_login_version;
use cognito_entra_entra::discovery::Discovery;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CloudFormation,
    Terraform,
    Env,
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cloudformation" | "cfn" => Ok(Format::CloudFormation),
            "terraform" | "tf" => Ok(Format::Terraform),
            "env" => Ok(Format::Env),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "{other:?} is not a format; use cloudformation, terraform, env or json"
            )),
        }
    }
}

/// The provider details as Cognito wants them, without the secret (and without what Cognito
/// adds itself).
/// The provider details the export declares: the same desired state `plan` and `doctor`
/// use. OIDC endpoints come from the tenant's discovery document (none given: left out, and
/// the caller says why); never the client secret.
pub fn provider_details(
    setup: &Setup,
    metadata_file: Option<&str>,
    discovery: Option<&Discovery>,
) -> BTreeMap<String, String> {
    let entra = EntraInput {
        metadata_url: setup
            .saml
            .as_ref()
            .and_then(|s| s.metadata_url.as_ref())
            .map(|u| u.trim().to_string()),
        metadata_file: metadata_file.map(str::to_string),
        discovery: discovery.cloned(),
        client_secret: None,
    };
    crate::plan::desired_details(setup, &entra, None).unwrap_or_default()
}

/// `metadata_file` is the content of a SAML setup's metadata file, when it has one.
pub fn export(
    setup: &Setup,
    values: &Values,
    format: Format,
    metadata_file: Option<&str>,
    discovery: Option<&Discovery>,
) -> String {
    let details = provider_details(setup, metadata_file, discovery);
    match format {
        Format::CloudFormation => cloudformation(setup, values, &details),
        Format::Terraform => terraform(setup, &details),
        Format::Env => crate::handover::env_snippet(setup, values),
        Format::Json => json_export(setup, values, &details),
    }
}

/// A YAML double-quoted scalar.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn cloudformation(setup: &Setup, values: &Values, details: &BTreeMap<String, String>) -> String {
    let mut y = String::new();
    let protocol = setup.protocol;
    let _ = writeln!(y, "AWSTemplateFormatVersion: \"2010-09-09\"");
    let _ = writeln!(
        y,
        "Description: {}",
        q(&format!(
            "Amazon Cognito user pool federated with Microsoft Entra ID by {} (setup {}, exported by cognito-entra)",
            protocol.label(),
            setup.name
        ))
    );
    let adopted_pool = setup.user_pool.id.clone().or_else(|| {
        values
            .user_pool_id
            .clone()
            .filter(|_| setup.user_pool.name.is_none())
    });
    let adopted_client = setup.app_client.id.clone();
    let pool_ref = if adopted_pool.is_some() {
        "!Ref UserPoolId"
    } else {
        "!Ref UserPool"
    };
    let mut params = Vec::new();
    if let Some(id) = &adopted_pool {
        params.push(format!("  UserPoolId:\n    Type: String\n    Description: The existing user pool this setup adopts.\n    Default: {}", q(id)));
    }
    if let Some(id) = &adopted_client {
        params.push(format!(
            "  AppClientId:\n    Type: String\n    Description: The existing app client this setup adopts (enable the provider on it with cognito-entra apply).\n    Default: {}",
            q(id)
        ));
    }
    if protocol == Protocol::Oidc {
        params.push("  OidcClientSecret:\n    Type: String\n    NoEcho: true\n    Description: The Entra client secret Value (Certificates & secrets); never stored in this template.".into());
    }
    if !params.is_empty() {
        let _ = writeln!(y, "Parameters:\n{}", params.join("\n"));
    }
    let _ = writeln!(y, "Resources:");
    if adopted_pool.is_none() {
        let _ = writeln!(
            y,
            "  UserPool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      UserPoolName: {}",
            q(setup.user_pool.name.as_deref().unwrap_or(&setup.name))
        );
    }
    if let Some(prefix) = &setup.domain.prefix {
        let _ = writeln!(
            y,
            "  UserPoolDomain:\n    Type: AWS::Cognito::UserPoolDomain\n    Properties:\n      Domain: {}\n      UserPoolId: {pool_ref}\n      ManagedLoginVersion: {}",
            q(prefix),
            managed_login_version(setup.domain.managed_login)
        );
    }
    let _ = writeln!(
        y,
        "  EntraProvider:\n    Type: AWS::Cognito::UserPoolIdentityProvider\n    Properties:\n      UserPoolId: {pool_ref}\n      ProviderName: {}\n      ProviderType: {}\n      ProviderDetails:",
        q(setup.provider_name()),
        protocol.label()
    );
    for (k, v) in details {
        let _ = writeln!(y, "        {k}: {}", q(v));
    }
    if protocol == Protocol::Oidc {
        let _ = writeln!(y, "        client_secret: !Ref OidcClientSecret");
    }
    let _ = writeln!(y, "      AttributeMapping:");
    for (k, v) in setup.attribute_mapping() {
        let _ = writeln!(y, "        {}: {}", q(&k), q(&v));
    }
    if let Some(ids) = setup
        .provider
        .identifiers
        .as_ref()
        .filter(|i| !i.is_empty())
    {
        let _ = writeln!(y, "      IdpIdentifiers:");
        for id in ids {
            let _ = writeln!(y, "        - {}", q(id));
        }
    }
    if adopted_client.is_none() {
        let c = &setup.app_client;
        let list = |items: &[String]| {
            items
                .iter()
                .map(|i| format!("\n        - {}", q(i)))
                .collect::<String>()
        };
        let _ = writeln!(
            y,
            "  AppClient:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: {pool_ref}"
        );
        let _ = writeln!(
            y,
            "      ClientName: {}",
            q(c.name.as_deref().unwrap_or("web"))
        );
        let _ = writeln!(y, "      GenerateSecret: {}", c.generate_secret);
        if !c.callback_urls.is_empty() {
            let _ = writeln!(y, "      CallbackURLs:{}", list(&c.callback_urls));
        }
        if !c.logout_urls.is_empty() {
            let _ = writeln!(y, "      LogoutURLs:{}", list(&c.logout_urls));
        }
        let flows: Vec<String> = c
            .oauth_flows
            .iter()
            .map(|f| f.as_str().to_string())
            .collect();
        let _ = writeln!(y, "      AllowedOAuthFlows:{}", list(&flows));
        let _ = writeln!(y, "      AllowedOAuthScopes:{}", list(&c.scopes));
        let _ = writeln!(y, "      AllowedOAuthFlowsUserPoolClient: true");
        let mut providers = vec!["!Ref EntraProvider".to_string()];
        if c.allow_cognito_sign_in == Some(true) {
            providers.push(q("COGNITO"));
        }
        let _ = writeln!(
            y,
            "      SupportedIdentityProviders:{}",
            providers
                .iter()
                .map(|p| format!("\n        - {p}"))
                .collect::<String>()
        );
        let _ = writeln!(
            y,
            "      ExplicitAuthFlows:\n        - ALLOW_REFRESH_TOKEN_AUTH\n      PreventUserExistenceErrors: ENABLED"
        );
    }
    let _ = writeln!(y, "Outputs:\n  UserPoolId:\n    Value: {pool_ref}");
    let client_ref = if adopted_client.is_some() {
        "!Ref AppClientId"
    } else {
        "!Ref AppClient"
    };
    let _ = writeln!(y, "  AppClientId:\n    Value: {client_ref}");
    let _ = writeln!(y, "  ProviderName:\n    Value: !Ref EntraProvider");
    if let Some(domain) = &values.domain {
        let _ = writeln!(y, "  Domain:\n    Value: {}", q(domain));
    }
    y
}

/// An HCL string literal.
fn h(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn terraform(setup: &Setup, details: &BTreeMap<String, String>) -> String {
    let mut t = String::new();
    let protocol = setup.protocol;
    let _ = writeln!(
        t,
        "# Amazon Cognito user pool federated with Microsoft Entra ID by {} (setup {}, exported by cognito-entra).\n",
        protocol.label(),
        setup.name
    );
    let adopted_pool = setup.user_pool.id.clone();
    let pool_ref = if adopted_pool.is_some() {
        "var.user_pool_id"
    } else {
        "aws_cognito_user_pool.pool.id"
    };
    match &adopted_pool {
        Some(id) => {
            let _ = writeln!(
                t,
                "variable \"user_pool_id\" {{\n  description = \"The existing user pool this setup adopts\"\n  type        = string\n  default     = {}\n}}\n",
                h(id)
            );
        }
        None => {
            let _ = writeln!(
                t,
                "resource \"aws_cognito_user_pool\" \"pool\" {{\n  name = {}\n}}\n",
                h(setup.user_pool.name.as_deref().unwrap_or(&setup.name))
            );
        }
    }
    if protocol == Protocol::Oidc {
        let _ = writeln!(
            t,
            "variable \"oidc_client_secret\" {{\n  description = \"The Entra client secret Value (Certificates & secrets)\"\n  type        = string\n  sensitive   = true\n}}\n"
        );
    }
    if let Some(prefix) = &setup.domain.prefix {
        let _ = writeln!(
            t,
            "resource \"aws_cognito_user_pool_domain\" \"domain\" {{\n  domain                = {}\n  user_pool_id          = {pool_ref}\n  managed_login_version = {}\n}}\n",
            h(prefix),
            managed_login_version(setup.domain.managed_login)
        );
    }
    let _ = writeln!(
        t,
        "resource \"aws_cognito_identity_provider\" \"entra\" {{\n  user_pool_id  = {pool_ref}\n  provider_name = {}\n  provider_type = {}\n\n  provider_details = {{",
        h(setup.provider_name()),
        h(protocol.label())
    );
    for (k, v) in details {
        let _ = writeln!(t, "    {k} = {}", h(v));
    }
    if protocol == Protocol::Oidc {
        let _ = writeln!(t, "    client_secret = var.oidc_client_secret");
    }
    let _ = writeln!(t, "  }}\n\n  attribute_mapping = {{");
    for (k, v) in setup.attribute_mapping() {
        let _ = writeln!(t, "    {} = {}", h(&k), h(&v));
    }
    let _ = writeln!(t, "  }}");
    if let Some(ids) = setup
        .provider
        .identifiers
        .as_ref()
        .filter(|i| !i.is_empty())
    {
        let list: Vec<String> = ids.iter().map(|i| h(i)).collect();
        let _ = writeln!(t, "\n  idp_identifiers = [{}]", list.join(", "));
    }
    let _ = writeln!(
        t,
        "\n  # Cognito adds these details itself; without this, every plan shows a diff.\n  lifecycle {{\n    ignore_changes = [\n      provider_details[\"ActiveEncryptionCertificate\"],\n      provider_details[\"SLORedirectBindingURI\"],\n      provider_details[\"SSORedirectBindingURI\"],\n    ]\n  }}\n}}\n"
    );
    let c = &setup.app_client;
    let list = |items: &[String]| {
        format!(
            "[{}]",
            items.iter().map(|i| h(i)).collect::<Vec<_>>().join(", ")
        )
    };
    if let Some(id) = &c.id {
        let _ = writeln!(
            t,
            "# The app client {id} is adopted, not managed here: `cognito-entra apply` enables the provider on it.\n"
        );
    } else {
        let flows: Vec<String> = c
            .oauth_flows
            .iter()
            .map(|f| f.as_str().to_string())
            .collect();
        let mut providers = vec!["aws_cognito_identity_provider.entra.provider_name".to_string()];
        if c.allow_cognito_sign_in == Some(true) {
            providers.push(h("COGNITO"));
        }
        let _ = writeln!(t, "resource \"aws_cognito_user_pool_client\" \"app\" {{");
        let _ = writeln!(
            t,
            "  name                                 = {}",
            h(c.name.as_deref().unwrap_or("web"))
        );
        let _ = writeln!(t, "  user_pool_id                         = {pool_ref}");
        let _ = writeln!(
            t,
            "  generate_secret                      = {}",
            c.generate_secret
        );
        let _ = writeln!(
            t,
            "  callback_urls                        = {}",
            list(&c.callback_urls)
        );
        let _ = writeln!(
            t,
            "  logout_urls                          = {}",
            list(&c.logout_urls)
        );
        let _ = writeln!(
            t,
            "  allowed_oauth_flows                  = {}",
            list(&flows)
        );
        let _ = writeln!(
            t,
            "  allowed_oauth_scopes                 = {}",
            list(&c.scopes)
        );
        let _ = writeln!(t, "  allowed_oauth_flows_user_pool_client = true");
        let _ = writeln!(
            t,
            "  supported_identity_providers         = [{}]",
            providers.join(", ")
        );
        let _ = writeln!(
            t,
            "  explicit_auth_flows                  = [\"ALLOW_REFRESH_TOKEN_AUTH\"]"
        );
        let _ = writeln!(t, "  prevent_user_existence_errors        = \"ENABLED\"");
        let _ = writeln!(t, "}}\n");
        let _ = writeln!(
            t,
            "output \"app_client_id\" {{\n  value = aws_cognito_user_pool_client.app.id\n}}\n"
        );
    }
    let _ = writeln!(t, "output \"user_pool_id\" {{\n  value = {pool_ref}\n}}");
    t
}

fn json_export(setup: &Setup, values: &Values, details: &BTreeMap<String, String>) -> String {
    let mut v = serde_json::Map::new();
    for (k, val) in values.entries() {
        v.insert(
            k.to_string(),
            val.map_or(serde_json::Value::Null, |s| json!(s)),
        );
    }
    let out = json!({
        "setup": setup,
        "values": v,
        "provider_details": details,
        "attribute_mapping": setup.attribute_mapping(),
        "pending": values.pending,
    });
    serde_json::to_string_pretty(&out).unwrap_or_default() + "\n"
}
