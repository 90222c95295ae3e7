//! The one TLS configuration for every HTTPS call the tool makes: rustls on the ring provider,
//! trusting the Mozilla roots plus the system's (or, when set, the `SSL_CERT_FILE` bundle of a
//! corporate TLS-inspecting proxy).

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error(
        "SSL_CERT_FILE={path} cannot be used: {reason}\n  fix: point SSL_CERT_FILE at a PEM file of CA certificates, or unset it"
    )]
    CertFile { path: String, reason: String },
    #[error("cannot set up TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The roots: Mozilla's, the system's, and the extra bundle from `SSL_CERT_FILE`.
pub fn root_store() -> Result<RootCertStore, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // rustls-native-certs reads SSL_CERT_FILE instead of the system store when it is set;
    // either way its certificates come on top of Mozilla's.
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        let shown = path.to_string_lossy().into_owned();
        let bytes = cognito_entra_core::bounded::read_file(
            std::path::Path::new(&path),
            cognito_entra_core::bounded::CA_BUNDLE,
        )
        .map_err(|e| TlsSetupError::CertFile {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
            .collect::<Result<_, _>>()
            .map_err(|e| TlsSetupError::CertFile {
                path: shown.clone(),
                reason: format!("not a PEM certificate bundle ({e:?})"),
            })?;
        if certs.is_empty() {
            return Err(TlsSetupError::CertFile {
                path: shown,
                reason: "it holds no PEM certificate".into(),
            });
        }
        for cert in certs {
            let _ = roots.add(cert);
        }
    }
    Ok(roots)
}

pub fn client_config() -> Result<rustls::ClientConfig, TlsSetupError> {
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(root_store()?)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
