//! The Cognito emulator (moto, patched by tests/support/moto_cognito.py) on 127.0.0.1 at a
//! free port, started per test and killed on drop; and an SDK client to check what the tool
//! did, the way the AWS console would show it.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cognito_entra_cognito::sdk::{AwsOptions, SdkCognito, connect};

pub struct Moto {
    child: Child,
    pub port: u16,
}

pub fn python() -> PathBuf {
    let from_env = std::env::var_os("COGNITO_ENTRA_TEST_PYTHON").map(PathBuf::from);
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let python = from_env.unwrap_or(venv);
    let ok = Command::new(&python)
        .args(["-c", "import moto, flask, flask_cors, joserfc"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        panic!(
            "moto (the Cognito emulator) is not installed for {}: run scripts/test, which installs it into .venv (or set COGNITO_ENTRA_TEST_PYTHON)",
            python.display()
        );
    }
    python
}

/// Fake credentials for the emulator, set once for the whole test process.
fn fake_credentials() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: set once, before any SDK client reads them, to the same values everywhere.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            std::env::remove_var("AWS_PROFILE");
        }
    });
}

impl Moto {
    pub fn start() -> Moto {
        fake_credentials();
        let python = python();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/moto_cognito.py");
        let child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto: {e}"));
        let mut moto = Moto { child, port };
        super::wait_for("moto to listen", Duration::from_secs(60), || {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto exited at start ({status})");
            }
            TcpStream::connect(("127.0.0.1", port)).ok()
        });
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The real binary, pointed at this emulator with fake credentials.
    pub fn cmd(&self, state_dir: &std::path::Path) -> Command {
        let mut c = super::cmd(state_dir);
        c.env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env_remove("AWS_PROFILE")
            .env_remove("COGNITO_ENTRA_CLIENT_SECRET");
        c
    }

    /// Calls the emulator through boto3 (for what the tool's own API slice does not make, such
    /// as a pool with custom attributes): `call` is a Python expression on `cognito`; its
    /// result comes back as JSON.
    pub fn boto3(&self, region: &str, call: &str) -> serde_json::Value {
        let script = format!(
            "import boto3, json\n\
             cognito = boto3.client('cognito-idp', region_name='{region}', endpoint_url='{}', aws_access_key_id='testing', aws_secret_access_key='testing')\n\
             print(json.dumps({call}, default=str))",
            self.endpoint()
        );
        python_json(&script, &format!("boto3 {call}"))
    }

    /// The year passes for one pool: Cognito issues it a new signing certificate, as AWS does
    /// annually (the emulator's test control, docs/testing.md patch 14). Returns the new one.
    pub fn issue_signing_certificate(&self, region: &str, pool_id: &str) -> String {
        let script = format!(
            "import json, urllib.request\n\
             req = urllib.request.Request('{}/', data=json.dumps({{'UserPoolId': '{pool_id}'}}).encode(), headers={{\n\
               'X-Amz-Target': 'AWSCognitoIdentityProviderService.TestIssueSigningCertificate',\n\
               'Content-Type': 'application/x-amz-json-1.1',\n\
               'Authorization': 'AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/cognito-idp/aws4_request, SignedHeaders=host, Signature=0'}})\n\
             print(urllib.request.urlopen(req).read().decode())",
            self.endpoint()
        );
        python_json(&script, "TestIssueSigningCertificate")["Certificate"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// An SDK client on the emulator, to set up accounts and check results.
    pub fn sdk(&self, region: &str) -> SdkCognito {
        let options = AwsOptions {
            region: region.to_string(),
            profile: None,
            endpoint_url: Some(self.endpoint()),
        };
        block_on(connect(&options)).unwrap_or_else(|e| panic!("SDK on moto: {e}"))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a Python script (the test venv's) that prints one JSON value, and returns it.
fn python_json(script: &str, what: &str) -> serde_json::Value {
    let out = Command::new(python())
        .args(["-c", script])
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what}: {e}"))
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .block_on(f)
}
