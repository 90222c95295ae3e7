//! The fault-injecting proxy (tests/support/fault_proxy.py) between the tool and the
//! emulator: for one operation, the next call's answer is dropped, stalled, a 5xx, throttling,
//! or an error quoting the request. Killed on drop.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct FaultProxy {
    child: Child,
    pub port: u16,
}

impl FaultProxy {
    /// A proxy to `upstream` (a port on 127.0.0.1) that makes the next call of `operation`
    /// fail with `fault` (drop, hang, 5xx, throttle, echo, pass).
    pub fn start(upstream: u16, operation: &str, fault: &str) -> FaultProxy {
        let python = super::moto::python();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/fault_proxy.py");
        let child = Command::new(python)
            .arg(script)
            .args([&port.to_string(), &upstream.to_string(), operation, fault])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the fault proxy: {e}"));
        let mut proxy = FaultProxy { child, port };
        super::wait_for("the fault proxy to listen", Duration::from_secs(30), || {
            if let Ok(Some(status)) = proxy.child.try_wait() {
                panic!("the fault proxy exited at start ({status})");
            }
            TcpStream::connect(("127.0.0.1", port)).ok()
        });
        proxy
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
