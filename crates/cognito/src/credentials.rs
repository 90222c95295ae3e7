//! A time limit on credential resolution. `credential_process` runs a command the admin
//! configured; one that hangs (an MFA prompt with no terminal, a broken helper) would keep
//! every command waiting, and the SDK would report it much later as a network problem. Past
//! the limit the resolution fails with the real cause, and the helper's process is killed:
//! the SDK starts it as `sh -c COMMAND` and does not kill it when its future is dropped.

use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};

#[derive(Debug)]
pub struct TimedCredentials {
    inner: SharedCredentialsProvider,
    limit: Duration,
}

impl TimedCredentials {
    pub fn new(inner: SharedCredentialsProvider, limit: Duration) -> TimedCredentials {
        TimedCredentials { inner, limit }
    }
}

impl ProvideCredentials for TimedCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            match tokio::time::timeout(self.limit, self.inner.provide_credentials()).await {
                Ok(result) => result,
                Err(_) => {
                    let killed = kill_credential_processes();
                    let what = if killed > 0 {
                        "the credential_process command did not answer"
                    } else {
                        "no credential source answered"
                    };
                    Err(CredentialsError::provider_error(format!(
                        "{what} within {:.1} s{} (COGNITO_ENTRA_AWS_TIMEOUT changes the limit)",
                        self.limit.as_secs_f64(),
                        if killed > 0 { "; it was stopped" } else { "" }
                    )))
                }
            }
        })
    }
}

/// Kills this process's `sh -c …` children (the credential helpers the SDK started) and
/// everything below them. Returns how many helpers were found.
fn kill_credential_processes() -> usize {
    let me = std::process::id();
    let table = process_table();
    let helpers: Vec<u32> = table
        .iter()
        .filter(|p| p.parent == me && p.command.starts_with("sh\0-c\0"))
        .map(|p| p.pid)
        .collect();
    for helper in &helpers {
        let mut doomed = vec![*helper];
        let mut i = 0;
        while i < doomed.len() {
            let parent = doomed[i];
            doomed.extend(table.iter().filter(|p| p.parent == parent).map(|p| p.pid));
            i += 1;
        }
        for pid in doomed.into_iter().rev() {
            if let Ok(pid) = i32::try_from(pid) {
                // SAFETY: kill(2) with a pid read from /proc and a constant signal touches no
                // memory of ours; a pid that has exited meanwhile makes it fail harmlessly.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
    helpers.len()
}

struct Process {
    pid: u32,
    parent: u32,
    command: String,
}

fn process_table() -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let parent = status
                .lines()
                .find_map(|l| l.strip_prefix("PPid:"))?
                .trim()
                .parse()
                .ok()?;
            let command = std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            Some(Process {
                pid,
                parent,
                command,
            })
        })
        .collect()
}
