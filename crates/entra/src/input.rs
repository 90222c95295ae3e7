//! The Entra half of a plan's input, checked: the metadata (SAML) or the tenant's discovery
//! document (OIDC), plus the client secret from the environment. Errors stop the plan before
//! any AWS call.

use std::path::Path;

use time::OffsetDateTime;

use super::discovery::check_tenant;
use super::fetch::Fetcher;
use super::metadata::{self, Metadata};
use super::{Finding, Level};
use cognito_entra_core::plan::EntraInput;
use cognito_entra_core::setup::{Protocol, Setup};

pub use cognito_entra_core::secrets::SECRET_ENV;

/// What the Entra checks found, for the plan and the state.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub input: EntraInput,
    pub metadata: Option<Metadata>,
    pub tenant_id: Option<String>,
    /// Warnings and notes to show.
    pub findings: Vec<Finding>,
}

/// Why the Entra side is not usable: what was checked and the errors found.
#[derive(Debug, Clone)]
pub struct Unusable {
    pub what: String,
    pub findings: Vec<Finding>,
}

pub async fn check(
    setup: &Setup,
    base_dir: &Path,
    authority: &str,
    fetcher: &Fetcher,
) -> Result<Checked, Unusable> {
    let now = OffsetDateTime::now_utc();
    let mut checked = Checked::default();
    let split = |what: String, findings: Vec<Finding>| -> Result<Vec<Finding>, Unusable> {
        if findings.iter().any(|f| f.level == Level::Error) {
            Err(Unusable { what, findings })
        } else {
            Ok(findings)
        }
    };
    match setup.protocol {
        Protocol::Saml => {
            let saml = setup.saml();
            let report = if let Some(url) = &saml.metadata_url {
                checked.input.metadata_url = Some(url.trim().to_string());
                metadata::check_url(fetcher, url, authority, now).await
            } else if let Some(file) = &saml.metadata_file {
                let path = base_dir.join(file);
                let report = metadata::check_file(&path, now);
                if !report.has_errors() {
                    // check_file read it within the cap a moment ago.
                    let text = cognito_entra_core::bounded::read_text(
                        &path,
                        cognito_entra_core::bounded::METADATA,
                    )
                    .unwrap_or_default();
                    checked.input.metadata_file = Some(text);
                }
                report
            } else {
                return Err(Unusable {
                    what: "the Entra metadata".into(),
                    findings: vec![Finding::error(
                        "no metadata URL or file is given (saml.metadata_url)",
                    )],
                });
            };
            checked.findings = split(
                format!("the Entra metadata ({})", report.source),
                report.findings,
            )?;
            checked.tenant_id = report.metadata.as_ref().and_then(|m| m.tenant_id.clone());
            checked.metadata = report.metadata;
        }
        Protocol::Oidc => {
            let tenant = setup.oidc().tenant_id.unwrap_or_default();
            let report = check_tenant(fetcher, authority, &tenant).await;
            checked.findings = split(format!("the Entra tenant {tenant}"), report.findings)?;
            checked.tenant_id = report.discovery.as_ref().map(|d| d.tenant_id.clone());
            checked.input.discovery = report.discovery;
            checked.input.client_secret =
                cognito_entra_core::secrets::client_secret_from_environment();
        }
    }
    Ok(checked)
}
