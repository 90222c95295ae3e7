//! The stand-in for Microsoft Graph and the device code flow (tests/support/graph_standin.py),
//! started on a port of its own for a test and stopped when dropped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{tempdir, write};

/// The stand-in, on a port of its own, stopped when dropped.
pub struct Standin {
    child: Child,
    dir: tempfile::TempDir,
    pub authority: String,
    pub graph: String,
}

impl Standin {
    pub fn start() -> Standin {
        Standin::start_with(&[])
    }

    /// A stand-in whose tenant is `tenant` (a customer's tenant of their own).
    pub fn start_in(tenant: &str) -> Standin {
        Standin::start_with(&["--tenant", tenant])
    }

    fn start_with(args: &[&str]) -> Standin {
        let dir = tempdir();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/graph_standin.py");
        let child = Command::new(super::moto::python())
            .arg(&script)
            .arg(port.to_string())
            .arg(dir.path())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("the Graph stand-in: {e}"));
        let urls = dir.path().join("urls");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !urls.exists() {
            assert!(
                Instant::now() < deadline,
                "the Graph stand-in did not start in 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let text = std::fs::read_to_string(&urls).unwrap_or_default();
        let value = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .unwrap_or_default()
                .to_string()
        };
        Standin {
            child,
            authority: value("authority"),
            graph: value("graph"),
            dir,
        }
    }

    pub fn switches(&self, json: &str) {
        write(&self.dir.path().join("switches.json"), json);
    }

    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// One of the stand-in's test-only answers.
    pub fn ask(&self, route: &str) -> serde_json::Value {
        let out = Command::new(super::moto::python())
            .args([
                "-c",
                "import ssl, sys, urllib.request\n\
                 context = ssl.create_default_context(cafile=sys.argv[1])\n\
                 print(urllib.request.urlopen(sys.argv[2], context=context).read().decode())",
            ])
            .arg(self.ca())
            .arg(format!("{}/{route}", self.authority))
            .output()
            .unwrap_or_else(|e| panic!("python: {e}"));
        serde_json::from_slice(&out.stdout).unwrap_or_default()
    }

    /// Graph writes so far, as the stand-in counted them.
    pub fn writes(&self) -> u64 {
        let v = self.ask("__writes");
        v["count"]
            .as_u64()
            .unwrap_or_else(|| panic!("no count: {v}"))
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
