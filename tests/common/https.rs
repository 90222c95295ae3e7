//! A local HTTPS server for the Entra fixtures: its own CA and server certificate made by
//! rcgen at test time (the CA goes to the tool through SSL_CERT_FILE), real TLS through
//! rustls, and routes that answer like Entra does — or fail the ways it can.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub location: Option<String>,
    pub delay: Duration,
    /// Send no Content-Length and stream the body until the connection closes.
    pub no_length: bool,
    /// Replace `{port}` in the body by the server's port (documents that name their host).
    pub templated: bool,
}

impl Response {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status: 200,
            content_type: content_type.to_string(),
            body: body.into(),
            location: None,
            delay: Duration::ZERO,
            no_length: false,
            templated: false,
        }
    }
    pub fn status(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            ..Response::ok(content_type, body)
        }
    }
    pub fn templated(mut self) -> Response {
        self.templated = true;
        self
    }
    pub fn redirect(to: &str) -> Response {
        Response {
            status: 302,
            location: Some(to.to_string()),
            ..Response::ok("text/plain", "")
        }
    }
}

pub struct HttpsServer {
    pub port: u16,
    pub ca_file: PathBuf,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A CA and a certificate for localhost and 127.0.0.1 signed by it.
pub struct TestPki {
    pub ca_pem: String,
    pub server_cert_der: Vec<u8>,
    pub server_key_der: Vec<u8>,
}

pub fn make_pki() -> TestPki {
    let fail = |e: rcgen::Error| -> ! { panic!("rcgen: {e}") };
    let ca_key = KeyPair::generate().unwrap_or_else(|e| fail(e));
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| fail(e));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "cognito-entra test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap_or_else(|e| fail(e));
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap_or_else(|e| fail(e));
    let params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap_or_else(|e| fail(e));
    let cert = params.signed_by(&key, &issuer).unwrap_or_else(|e| fail(e));
    TestPki {
        ca_pem: ca_cert.pem(),
        server_cert_der: cert.der().to_vec(),
        server_key_der: key.serialize_der(),
    }
}

impl HttpsServer {
    /// Serves `routes` (keyed by path and query, e.g. `/t/x/metadata.xml?appid=1`); any other
    /// path is a 404 with an Entra-like error body.
    pub fn start(routes: HashMap<String, Response>) -> HttpsServer {
        let pki = make_pki();
        let dir = super::tempdir();
        let ca_file = dir.path().join("test-ca.pem");
        super::write(&ca_file, &pki.ca_pem);

        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .and_then(|b| {
            b.with_no_client_auth().with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(pki.server_cert_der)],
                rustls::pki_types::PrivateKeyDer::Pkcs8(pki.server_key_der.into()),
            )
        })
        .unwrap_or_else(|e| panic!("server TLS config: {e}"));
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("{e}"));
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let routes = Arc::new(routes);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("runtime: {e}"));
            rt.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).unwrap_or_else(|e| panic!("{e}"));
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let acceptor = acceptor.clone();
                            let routes = routes.clone();
                            tokio::spawn(async move {
                                if let Ok(tls) = acceptor.accept(stream).await {
                                    let _ = serve(tls, &routes, port).await;
                                }
                            });
                        }
                    }
                }
            });
        });
        HttpsServer {
            port,
            ca_file,
            _dir: dir,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    /// The authority to give the tool (`--authority`), as if this server were Entra.
    pub fn authority(&self) -> String {
        format!("https://localhost:{}", self.port)
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    routes: &HashMap<String, Response>,
    port: u16,
) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || request.len() > 64 * 1024 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&request);
    let target = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let response = routes.get(&target).cloned().unwrap_or_else(|| {
        Response::status(
            404,
            "application/json",
            r#"{"error":"not_found","error_description":"AADSTS90000: no such path on the test server."}"#,
        )
    });
    let mut response = response;
    if response.templated {
        let body = String::from_utf8_lossy(&response.body).replace("{port}", &port.to_string());
        response.body = body.into_bytes();
    }
    if !response.delay.is_zero() {
        tokio::time::sleep(response.delay).await;
    }
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nConnection: close\r\n",
        response.status, response.content_type
    );
    if !response.no_length {
        head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    }
    if let Some(loc) = &response.location {
        let loc = loc.replace("{port}", &port.to_string());
        head.push_str(&format!("Location: {loc}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    for chunk in response.body.chunks(64 * 1024) {
        stream.write_all(chunk).await?;
    }
    stream.flush().await?;
    stream.shutdown().await
}
