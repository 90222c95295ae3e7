//! `cognito-entra check-metadata URL|FILE`: fetch and judge Entra's SAML metadata.

use std::path::Path;

use cognito_entra::entra::metadata::{self, Report, rfc3339, short};
use cognito_entra::entra::{Finding, Level, split};
use serde_json::json;
use time::OffsetDateTime;

use super::{CommandResult, Context, EXIT_FAILURE, EXIT_OK, block_on};

pub fn run(ctx: &Context, source: &str, json_out: bool) -> CommandResult {
    let now = OffsetDateTime::now_utc();
    let report = block_on(cognito_entra::engine::check_metadata(
        source,
        &ctx.global.authority,
        Path::new("."),
    ))?;
    if json_out {
        outln!(
            "{}",
            serde_json::to_string_pretty(&to_json(&report, now)).unwrap_or_default()
        );
    } else {
        print_human(&report, now);
    }
    Ok(if report.has_errors() {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}

fn to_json(report: &Report, now: OffsetDateTime) -> serde_json::Value {
    let (errors, warnings) = split(&report.findings);
    let m = report.metadata.as_ref();
    json!({
        "source": report.source,
        "entity_id": m.map(|m| &m.entity_id),
        "tenant_id": m.and_then(|m| m.tenant_id.as_ref()),
        "sso_url": m.and_then(|m| m.sso_url()),
        "slo_url": m.and_then(|m| m.slo_url()),
        "sso_endpoints": m.map(|m| &m.sso),
        "slo_endpoints": m.map(|m| &m.slo),
        "signed": m.map(|m| m.signed),
        "signature": m.map(|m| &m.signature),
        "certificates": m.map(|m| m.certificates.iter().map(|c| json!({
            "thumbprint": c.thumbprint,
            "subject": c.subject,
            "not_before": rfc3339(c.not_before),
            "not_after": rfc3339(c.not_after),
            "expired": c.not_after < now,
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "warnings": warnings,
        "errors": errors,
    })
}

/// Findings first (errors, then warnings), then the facts.
pub fn print_findings(findings: &[Finding]) {
    for f in findings {
        let label = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "note",
        };
        outln!("{label}: {}", f.message);
    }
}

fn print_human(report: &Report, now: OffsetDateTime) {
    print_findings(&report.findings);
    let Some(m) = &report.metadata else {
        outln!("\n{}: not usable as SAML metadata.", report.source);
        return;
    };
    if !report.findings.is_empty() {
        outln!();
    }
    let row = |label: &str, value: &str| outln!("{label:<14} {value}");
    row("Source", &report.source);
    row("Entity ID", &m.entity_id);
    row(
        "Entra tenant",
        m.tenant_id.as_deref().unwrap_or("(not an Entra entity ID)"),
    );
    let sso = endpoint_rows(&m.sso);
    if sso.is_empty() {
        row("Sign-on URL", "(none)");
    }
    for line in sso {
        row("Sign-on URL", &line);
    }
    for line in endpoint_rows(&m.slo) {
        row("Sign-out URL", &line);
    }
    row("Signed", &m.signature.summary());
    for c in &m.certificates {
        let state = if c.not_after < now {
            format!("expired {}", metadata::date(c.not_after))
        } else if c.not_before > now {
            format!("not valid before {}", metadata::date(c.not_before))
        } else {
            format!("valid until {}", metadata::date(c.not_after))
        };
        row(
            "Certificate",
            &format!("{}  {state}  {}", short(&c.thumbprint), c.subject),
        );
    }
    if !report.has_errors() {
        outln!("\nOK: Cognito can use this metadata.");
    }
}

/// One row per URL, with the bindings it serves by their short names (HTTP-Redirect…).
fn endpoint_rows(endpoints: &[metadata::Endpoint]) -> Vec<String> {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for e in endpoints {
        let binding = e
            .binding
            .rsplit(':')
            .next()
            .unwrap_or(&e.binding)
            .to_string();
        match rows.iter_mut().find(|(url, _)| *url == e.location) {
            Some((_, bindings)) => bindings.push(binding),
            None => rows.push((e.location.clone(), vec![binding])),
        }
    }
    rows.into_iter()
        .map(|(url, bindings)| format!("{url}  ({})", bindings.join(", ")))
        .collect()
}
