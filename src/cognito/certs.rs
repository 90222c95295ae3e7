//! Cognito's certificates as files Entra accepts: PEM with 64-column lines (Entra takes it as a
//! Base-64 .cer), plus the SHA-1 thumbprint and expiry the portal shows.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::entra::metadata::{date, parse_certificate};

/// A self-signed certificate used by the in-memory fake as the pool's signing certificate.
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
    let cert = parse_certificate(&body)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(file_name);
    let mut file = std::fs::File::create(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(pem.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(WrittenCertificate {
        path,
        thumbprint: cert.thumbprint,
        not_after: date(cert.not_after),
    })
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
