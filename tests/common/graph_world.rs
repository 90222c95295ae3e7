//! The world the Graph tests run in (graph, notify, rotate): the Cognito emulator, the Graph
//! stand-in, a folder of their own, and the binary pointed at all three. Each test file adds
//! what only it needs in an `impl GraphWorld` of its own.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cognito_entra_cognito::api::CognitoApi;

use super::graph::Standin;
use super::moto::{Moto, block_on};
use super::{run, tempdir, write};

pub const REGION: &str = "eu-west-1";

pub struct GraphWorld {
    pub moto: Moto,
    pub entra: Standin,
    pub dir: tempfile::TempDir,
}

impl GraphWorld {
    pub fn new() -> GraphWorld {
        GraphWorld {
            moto: Moto::start(),
            entra: Standin::start(),
            dir: tempdir(),
        }
    }

    /// A setup file for a new pool, domain and client, the Entra side through Graph.
    pub fn config(&self, name: &str, protocol: &str, extra: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.toml"));
        write(
            &path,
            format!(
                "name = \"{name}\"\nprotocol = \"{protocol}\"\nregion = \"{REGION}\"\n[user_pool]\nname = \"{name}-users\"\n[domain]\nprefix = \"{name}-login\"\n[app_client]\nname = \"web\"\ncallback_urls = [\"https://app.example.com/callback\"]\n[entra]\nmode = \"graph\"\n{extra}"
            ),
        );
        path
    }

    /// The binary, pointed at the emulator and the stand-in; nothing to read on stdin.
    pub fn cmd(&self) -> Command {
        let mut c = self.moto.cmd(&self.dir.path().join("state"));
        c.env("COGNITO_ENTRA_AUTHORITY", &self.entra.authority)
            .env("COGNITO_ENTRA_GRAPH_URL", &self.entra.graph)
            .env("SSL_CERT_FILE", self.entra.ca())
            // The stand-in replicates in well under a second unless a test says otherwise;
            // a short budget keeps a test that waits for something never coming short.
            .env("COGNITO_ENTRA_GRAPH_REPLICATION_SECONDS", "20")
            .stdin(Stdio::null());
        c
    }

    pub fn apply(&self, config: &Path) -> Output {
        let mut c = self.cmd();
        c.args(["apply", "--yes", "--config"])
            .arg(config)
            .arg("--out")
            .arg(self.dir.path().join("out"));
        run(&mut c)
    }

    /// The one pool in the emulator.
    pub fn pool_id(&self) -> String {
        block_on(self.moto.sdk(REGION).list_user_pools())
            .unwrap_or_default()
            .first()
            .map(|p| p.id.clone())
            .unwrap_or_else(|| panic!("no pool"))
    }

    pub fn provider(&self, name: &str) -> cognito_entra_cognito::api::ProviderInfo {
        block_on(
            self.moto
                .sdk(REGION)
                .describe_identity_provider(&self.pool_id(), name),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no provider {name}"))
    }
}
