//! Cognito's certificates as files Entra accepts: PEM with 64-column lines (Entra takes it as a
//! Base-64 .cer), plus the SHA-1 thumbprint and expiry the portal shows.

use std::path::{Path, PathBuf};

use super::api::{ApiError, CognitoApi};
use cognito_entra_core::entra_facts::{date, parse_certificate};
use cognito_entra_core::setup::{Protocol, Setup};
use cognito_entra_core::state::CertificateRecord;

/// A self-signed certificate used by the in-memory fake as the pool's signing certificate.
#[cfg(any(test, feature = "test-support"))]
pub const TEST_CERTIFICATE_B64: &str = "MIIDvzCCAqegAwIBAgIUaLBFDAT95lqeoVozQcAyccXkGe4wDQYJKoZIhvcNAQELBQAwbzELMAkGA1UEBhMCVVMxEzARBgNVBAgMCldhc2hpbmd0b24xEDAOBgNVBAcMB1NlYXR0bGUxHDAaBgNVBAoME0FtYXpvbiBDb2duaXRvIFRlc3QxGzAZBgNVBAMMEnVzLWVhc3QtMV9GYWtlMDAwMTAeFw0yNjExMjEyMTUwMTZaFw0zNjExMTgyMTUwMTZaMG8xCzAJBgNVBAYTAlVTMRMwEQYDVQQIDApXYXNoaW5ndG9uMRAwDgYDVQQHDAdTZWF0dGxlMRwwGgYDVQQKDBNBbWF6b24gQ29nbml0byBUZXN0MRswGQYDVQQDDBJ1cy1lYXN0LTFfRmFrZTAwMDEwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQClsppASFtTgOlzeTA/kczOpuMouyAajYJeF9Nrfa+GK7PKgz/g8Zn6JGf8j1DD7l16pYw9xzBMFi9WRJTQF3sQ0gNDRrNV5iKT6TnifcCVbPfbgFJAtbbujtW+Chmrv3K+8om4yvhuWREeBrDPcTUV8mV6jKc85k+lu/AGScv8Rt+ezLaeYLgubWM8KHJ5D4xRuGgHbPWtwUY0WAVkGZUaGYLuSbPArtal2KgXcQDBL+s3X4pFA1c7AkyQR4YvsLNYNdj7iKsk9XOXWTNaU9LLflw10W6yjtSHD/UNQ9x0kTf+xJBu5BrwpNJ0glUxHgo5Iziejtpb2mjVjWxhNtPJAgMBAAGjUzBRMB0GA1UdDgQWBBSjGLnJNaEcUwFSv/Il3VUMnNFjXTAfBgNVHSMEGDAWgBSjGLnJNaEcUwFSv/Il3VUMnNFjXTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQCSFBk/BZnD82uF1GiyPVTVQTBj43DliRYCRVDqesIqRbJMYCP3y2bI2O4aiHV9/+wIzB37VzCJTuPdHZ6Gvpv3058kFxxDJQupkTAA92DXu6PaBmbJAJaxWzgP3/4q3/1yydIdSkvS3vHJuJCpr4PyvyLMTBntUjturyerXsdHR4puPK9kFCB/ulA85Prr5G1wdzszp1b34sm7gSjm8PpmAZUQV9jcuOd+8vacaQnVNrDlHZ6GMQzDKCGy4Yr3KqttoGo4C2vFZ4JgD6AaNfqkvndLtaEZNtSze3gx14cGPlxhGaNUOsxVU3Y5RBqzraNnqdP2Gmvx8dvyblBgEBgJ";

/// A certificate written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenCertificate {
    pub path: PathBuf,
    pub thumbprint: String,
    /// YYYY-MM-DD.
    pub not_after: String,
}

/// Base64 DER (possibly already PEM) to PEM text with 64-column lines.
pub fn to_pem(base64_or_pem: &str) -> String {
    let body: String = base64_or_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.split_whitespace())
        .collect();
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Writes a certificate as `<dir>/<file_name>` and reports its thumbprint and expiry.
pub fn write_certificate(
    dir: &Path,
    file_name: &str,
    base64_or_pem: &str,
) -> Result<WrittenCertificate, String> {
    let pem = to_pem(base64_or_pem);
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let cert = parse_certificate(&body).map_err(|e| {
        format!(
            "the certificate Cognito returned for {file_name} {e}; run again, and if it stays so, get it from the Cognito console (Sign-in experience › SAML signing certificate)"
        )
    })?;
    // The folder, like the files in it, is never used through a symbolic link: a link
    // planted at a setup's folder would put the certificates wherever it points.
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{} is a symbolic link; certificates are never written through one (they would go where the link points)\n  fix: remove the link (cognito-entra makes the folder), or give a real folder with --out DIR",
            dir.display()
        ));
    }
    // A folder made here is the owner's alone, like the state folder it usually sits in (an
    // existing folder, --out DIR, keeps its mode).
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Recorded and shown by its full path: the admin uploads it from wherever they are.
    let path = std::path::absolute(dir.join(file_name)).unwrap_or_else(|_| dir.join(file_name));
    // A certificate is public: readable like any file the admin writes.
    cognito_entra_core::files::replace(&path, pem.as_bytes(), 0o644).map_err(|e| match e {
        cognito_entra_core::files::WriteError::Io { .. } => e.to_string(),
        refused => format!("{refused}\n  fix: remove it, or choose another folder with --out DIR"),
    })?;
    Ok(WrittenCertificate {
        path,
        thumbprint: cert.thumbprint,
        not_after: date(cert.not_after),
    })
}

/// A certificate written for Entra, and where it goes in the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForEntra {
    pub record: CertificateRecord,
    /// Where it goes in Entra; `None` when the setup's options do not need it there.
    pub entra_place: Option<&'static str>,
}

pub const VERIFICATION_PLACE: &str = "Entra: Single sign-on › Verification certificates › Require verification certificates › Upload this file";
pub const ENCRYPTION_PLACE: &str = "Entra: Single sign-on › Token encryption › Import certificate › this file, then right-click it › Activate";

/// Where a Cognito certificate of this kind goes in Entra for this setup (`None`: Entra does
/// not need it with these options).
pub fn entra_place(setup: &Setup, kind: &str) -> Option<&'static str> {
    if setup.protocol != Protocol::Saml {
        return None;
    }
    let saml = setup.saml();
    match kind {
        "signing" if saml.sign_requests || saml.idp_signout => Some(VERIFICATION_PLACE),
        "encryption" => Some(ENCRYPTION_PLACE),
        _ => None,
    }
}

pub const THROUGH_GRAPH: &str = "Entra has it: handed over through Microsoft Graph";

/// Where a certificate of this kind goes, as the saved setup stands: already handed over
/// through Graph (its step-11 action done), or its place in the portal.
pub fn entra_place_now(
    state: &cognito_entra_core::state::State,
    kind: &str,
) -> Option<&'static str> {
    let place = entra_place(&state.answers, kind)?;
    let item = cognito_entra_core::journey::certificate_action(kind)?;
    let handed_over =
        state.entra.graph.is_some() && state.progress.checklist.iter().any(|c| c == item);
    Some(if handed_over { THROUGH_GRAPH } else { place })
}

#[derive(Debug, Clone)]
pub enum CertError {
    Api(ApiError),
    File(String),
    /// Cognito has not made the encryption certificate yet.
    NotYet(String),
}

/// Fetches the pool's signing certificate (unless it was fetched already, beside the apply)
/// and the provider's encryption certificate when encrypted responses are on, and writes them
/// as `<setup>-signing.cer` / `-encryption.cer`.
pub async fn write_for_entra<A: CognitoApi>(
    api: &A,
    setup: &Setup,
    pool_id: &str,
    dir: &Path,
    fetched_signing: Option<Result<String, ApiError>>,
) -> Result<Vec<ForEntra>, CertError> {
    let mut out = Vec::new();
    // Only what Entra needs for this setup's options is written (an OIDC setup needs none).
    if let Some(place) = entra_place(setup, "signing") {
        let signing = match fetched_signing {
            Some(fetched) => fetched,
            None => api.get_signing_certificate(pool_id).await,
        }
        .map_err(CertError::Api)?;
        let written = write_certificate(dir, &format!("{}-signing.cer", setup.name), &signing)
            .map_err(CertError::File)?;
        out.push(ForEntra {
            record: record("signing", written),
            entra_place: Some(place),
        });
    }
    let saml = setup.saml();
    if setup.protocol == Protocol::Saml && saml.encrypted_responses {
        let provider = api
            .describe_identity_provider(pool_id, setup.provider_name())
            .await
            .map_err(CertError::Api)?;
        let cert = provider
            .and_then(|p| p.details.get("ActiveEncryptionCertificate").cloned())
            .ok_or_else(|| {
                CertError::NotYet(format!(
                    "Cognito returned no encryption certificate for {} yet; run again in a minute",
                    setup.provider_name()
                ))
            })?;
        let written = write_certificate(dir, &format!("{}-encryption.cer", setup.name), &cert)
            .map_err(CertError::File)?;
        out.push(ForEntra {
            record: record("encryption", written),
            entra_place: entra_place(setup, "encryption"),
        });
    }
    Ok(out)
}

fn record(kind: &str, w: WrittenCertificate) -> CertificateRecord {
    CertificateRecord {
        kind: kind.to_string(),
        thumbprint: w.thumbprint,
        not_after: w.not_after,
        file: Some(w.path.display().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_lines_are_64_columns_and_round_trip() {
        let pem = to_pem(TEST_CERTIFICATE_B64);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.first(), Some(&"-----BEGIN CERTIFICATE-----"));
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
        assert!(lines[1..lines.len() - 1].iter().all(|l| l.len() <= 64));
        assert!(lines[1..lines.len() - 2].iter().all(|l| l.len() == 64));
        assert_eq!(to_pem(&pem), pem, "PEM in, the same PEM out");
    }
}
