//! `cognito-entra check-tenant TENANT`: OIDC discovery for an Entra tenant.

use cognito_entra::entra::discovery::Report;
use cognito_entra::entra::split;
use serde_json::json;

use super::check_metadata::print_findings;
use super::{CommandResult, Context, EXIT_FAILURE, EXIT_OK, block_on};

pub fn run(ctx: &Context, tenant: &str, json_out: bool) -> CommandResult {
    let report = block_on(cognito_entra::engine::check_tenant(
        tenant,
        &ctx.global.authority,
    ))?;
    if json_out {
        outln!(
            "{}",
            serde_json::to_string_pretty(&to_json(&report)).unwrap_or_default()
        );
    } else {
        print_findings(&report.findings);
        if let Some(d) = &report.discovery {
            if !report.findings.is_empty() {
                outln!();
            }
            for (label, value) in [
                ("Issuer", &d.issuer),
                ("Tenant ID", &d.tenant_id),
                ("Authorize URL", &d.authorize_url),
                ("Token URL", &d.token_url),
                ("User info URL", &d.attributes_url),
                ("JWKS URI", &d.jwks_uri),
            ] {
                outln!("{label:<14} {value}");
            }
            outln!("\nOK: Cognito can use this tenant; apply sends these endpoints explicitly.");
        }
    }
    Ok(if report.has_errors() {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}

fn to_json(report: &Report) -> serde_json::Value {
    let (errors, warnings) = split(&report.findings);
    let d = report.discovery.as_ref();
    json!({
        "tenant": report.tenant,
        "url": report.url,
        "issuer": d.map(|d| &d.issuer),
        "tenant_id": d.map(|d| &d.tenant_id),
        "authorize_url": d.map(|d| &d.authorize_url),
        "token_url": d.map(|d| &d.token_url),
        "attributes_url": d.map(|d| &d.attributes_url),
        "jwks_uri": d.map(|d| &d.jwks_uri),
        "warnings": warnings,
        "errors": errors,
    })
}
