//! `cognito-entra decode-saml`: read a captured SAML response and hold it against the setup.

use std::io::IsTerminal;

use cognito_entra::bounded::ReadError;
use std::path::{Path, PathBuf};

use cognito_entra::saml_response::{self, Level, MAX_INPUT_BYTES, setup_metadata};
use cognito_entra::setup::{Stage, derive};
use serde_json::json;

use super::source::resolve;
use super::{CommandResult, Context, EXIT_FAILURE, EXIT_OK, Failure};
use crate::cli::Source;

fn read_input(file: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let too_large = |what: &str, e: &ReadError| {
        Failure::Failed(format!(
            "error: {}; a SAML response is a few kilobytes (a HAR file a few megabytes)\n  fix: save only the sign-in requests, or copy the SAMLResponse value",
            e.about(what)
        ))
    };
    match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => {
            cognito_entra::bounded::read_file(path, MAX_INPUT_BYTES).map_err(|e| match e {
                e @ ReadError::TooLarge { .. } => too_large(&path.display().to_string(), &e),
                ReadError::Io(e) => {
                    Failure::Failed(format!("error: cannot read {}: {e}", path.display()))
                }
            })
        }
        None => {
            if std::io::stdin().is_terminal() {
                return Err(Failure::Usage(
                    "error: give a FILE (the SAMLResponse value, the XML, or a HAR file), or pipe it in: pbpaste | cognito-entra decode-saml -".into(),
                ));
            }
            cognito_entra::bounded::read_capped(std::io::stdin().lock(), MAX_INPUT_BYTES).map_err(
                |e| match e {
                    e @ ReadError::TooLarge { .. } => too_large("standard input", &e),
                    ReadError::Io(e) => Failure::Failed(format!("error: cannot read stdin: {e}")),
                },
            )
        }
    }
}

pub fn run(
    ctx: &Context,
    file: Option<&PathBuf>,
    source: &Source,
    json_out: bool,
) -> CommandResult {
    let bytes = read_input(file.map(PathBuf::as_path))?;
    let given = source.setup.is_some() || source.config.is_some();
    let resolved = if given {
        Some(resolve(ctx, source, Stage::Values)?)
    } else {
        None
    };
    let values = resolved
        .as_ref()
        .map(|r| derive(&r.setup, &r.known, &r.context.global.authority));
    let now = time::OffsetDateTime::now_utc();
    let mut thumbprints = resolved
        .as_ref()
        .and_then(|r| r.state.as_ref())
        .map(cognito_entra::state::State::entra_thumbprints)
        .unwrap_or_default();
    let mut tenant = resolved
        .as_ref()
        .and_then(|r| r.state.as_ref())
        .and_then(|s| s.entra.tenant_id.clone());
    // The setup's metadata certificates, with their expiry: from its metadata file when it
    // has one (judged as check-metadata judges it), else as the last check recorded them.
    let mut known: Vec<setup_metadata::Known> = Vec::new();
    let mut setup_findings = Vec::new();
    let metadata_file = resolved.as_ref().and_then(|r| {
        let file = r.setup.saml.as_ref()?.metadata_file.as_ref()?;
        Some((file.clone(), r.base_dir.join(file)))
    });
    if let Some((name, path)) = &metadata_file {
        let report = cognito_entra::entra::metadata::check_file(path, now);
        setup_findings.extend(setup_metadata::from_metadata_file(name, &report));
        if let Some(m) = &report.metadata {
            if thumbprints.is_empty() {
                thumbprints = m
                    .certificates
                    .iter()
                    .map(|c| c.thumbprint.clone())
                    .collect();
                tenant = tenant.or(m.tenant_id.clone());
            }
            known = m
                .certificates
                .iter()
                .map(|c| setup_metadata::Known {
                    thumbprint: c.thumbprint.clone(),
                    not_after: c.not_after.date(),
                })
                .collect();
        }
    } else if let Some(state) = resolved.as_ref().and_then(|r| r.state.as_ref()) {
        known = state
            .entra
            .certificates
            .iter()
            .filter_map(|c| {
                let day = time::Date::parse(
                    &c.not_after,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .ok()?;
                Some(setup_metadata::Known {
                    thumbprint: c.thumbprint.clone(),
                    not_after: day,
                })
            })
            .collect();
        setup_findings.extend(setup_metadata::from_records(&known, now, true));
    }
    let mut decoded = saml_response::read_and_judge(
        &bytes,
        now,
        resolved
            .as_ref()
            .zip(values.as_ref())
            .map(|(r, v)| saml_response::Against {
                setup: &r.setup,
                values: v,
                required: r
                    .state
                    .as_ref()
                    .and_then(|s| s.aws.required_attributes.as_deref()),
                tenant: tenant.as_deref(),
            }),
        &thumbprints,
    )
    .map_err(|e| Failure::Failed(format!("error: {e}")))?;
    setup_findings.extend(setup_metadata::signed_with_expired(&decoded, &known, now));
    setup_metadata::add(&mut decoded, setup_findings);
    let errors = decoded.findings.iter().any(|f| f.level == Level::Error);
    if json_out {
        let d = &decoded;
        let out = json!({
            "issuer": d.issuer, "audience": d.audience, "destination": d.destination,
            "in_response_to": d.in_response_to, "name_id": d.name_id, "name_id_format": d.name_id_format,
            "issue_instant": d.issue_instant, "not_before": d.not_before, "not_on_or_after": d.not_on_or_after,
            "status": d.status, "status_codes": d.status_codes, "status_message": d.status_message,
            "aadsts": d.aadsts_codes(), "error_answer": d.is_error_answer(), "attributes": d.attributes,
            "signed": d.signed.response || d.signed.assertion,
            "signed_response": d.signed.response, "signed_assertion": d.signed.assertion,
            "signatures": d.signed.checks.iter().map(|(what, check)| json!({"element": what, "check": check})).collect::<Vec<_>>(),
            "encrypted": d.encrypted, "findings": d.findings,
        });
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        print_human(&decoded);
    }
    Ok(if errors { EXIT_FAILURE } else { EXIT_OK })
}

fn print_human(d: &saml_response::Decoded) {
    for f in &d.findings {
        let label = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "note",
        };
        outln!("{label}: {}", f.message);
    }
    outln!();
    let row = |k: &str, v: Option<&str>| outln!("{k:<15} {}", v.unwrap_or("(none)"));
    row("Issuer", d.issuer.as_deref());
    if d.is_error_answer() {
        // An error answer carries its status and message, nothing of a sign-in.
        row("Destination", d.destination.as_deref());
        row("InResponseTo", d.in_response_to.as_deref());
        row("Status", Some(&d.status_codes.join(" / ")));
        for (i, line) in d
            .status_message
            .as_deref()
            .unwrap_or("(none)")
            .lines()
            .enumerate()
        {
            row(if i == 0 { "Message" } else { "" }, Some(line.trim()));
        }
        return;
    }
    row("Audience", d.audience.as_deref());
    row("Destination", d.destination.as_deref());
    row("InResponseTo", d.in_response_to.as_deref());
    row("NameID", d.name_id.as_deref());
    row("NameID format", d.name_id_format.as_deref());
    outln!(
        "{:<15} {} → {}",
        "Valid",
        d.not_before.as_deref().unwrap_or("?"),
        d.not_on_or_after.as_deref().unwrap_or("?")
    );
    // Each signature as its check found it; a signature left unchecked (its certificate is
    // not the metadata's) as present.
    let signed = |what: &str, present: bool| {
        d.signed
            .checks
            .iter()
            .find(|(w, _)| w == what)
            .map(|(_, check)| check.summary())
            .unwrap_or_else(|| if present { "yes" } else { "no" }.to_string())
    };
    outln!(
        "{:<15} response {}; assertion {}{}",
        "Signed",
        signed("response", d.signed.response),
        signed("assertion", d.signed.assertion),
        if d.encrypted { " (encrypted)" } else { "" }
    );
    // One value per line: a value may hold a comma, so joining them would misread.
    for (name, values) in &d.attributes {
        let count = if values.len() > 1 {
            format!("  ({} values)", values.len())
        } else {
            String::new()
        };
        outln!("{:<15} {name}{count}", "Attribute");
        for value in values {
            outln!("{:<15} = {}", "", shown(value));
        }
    }
}

/// A value as one line: line breaks and other control characters escaped.
fn shown(value: &str) -> String {
    if value.chars().any(char::is_control) {
        value.escape_debug().to_string()
    } else {
        value.to_string()
    }
}
