//! `destroy` against the Cognito emulator: what a setup created goes, what it adopted stays
//! (only the provider and the adopted client's link to it go), a second run is a no-op, and a
//! destroy killed halfway finishes when run again.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use cognito_entra_cognito::api::{ClientConfig, CognitoApi};
use common::entra::*;
use common::moto::{Moto, block_on};
use common::*;
use time::Duration as Days;

const REGION: &str = "eu-west-1";

struct Env {
    moto: Moto,
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            moto: Moto::start(),
            dir: tempdir(),
        };
        let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
        write(
            &env.dir.path().join("entra-metadata.xml"),
            metadata_xml(&[cert]),
        );
        env
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn config(&self, name: &str, pool: &str, client: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.toml"));
        write(
            &path,
            format!(
                r#"
name = "{name}"
protocol = "saml"
region = "{REGION}"
[user_pool]
{pool}
[domain]
prefix = "{name}-login"
[app_client]
{client}
callback_urls = ["https://app.example.com/callback"]
[provider]
name = "EntraID"
[saml]
metadata_file = "entra-metadata.xml"
"#
            ),
        );
        path
    }

    fn apply(&self, config: &Path) {
        let mut c = self.moto.cmd(&self.state());
        c.args(["apply", "--yes", "--config"])
            .arg(config)
            .arg("--out")
            .arg(self.dir.path().join("out"));
        ok(&run(&mut c));
    }

    fn destroy(&self, name: &str) -> std::process::Output {
        let mut c = self.moto.cmd(&self.state());
        c.args(["destroy", "--yes", "--setup", name]);
        run(&mut c)
    }
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

#[test]
fn what_a_setup_created_goes_and_a_second_run_is_a_no_op() {
    let env = Env::new();
    let config = env.config("made", "name = \"made-users\"", "name = \"web\"");
    env.apply(&config);
    let sdk = env.moto.sdk(REGION);
    assert_eq!(block_on(sdk.list_user_pools()).unwrap_or_default().len(), 1);

    let listed = ok(&run(env.moto.cmd(&env.state()).args(["setups"])));
    assert!(
        listed.contains("created: user pool") && listed.contains("domain made-login"),
        "{listed}"
    );
    // Without a terminal and without --yes: said what it needs, nothing removed, not a
    // usage error (the command line is right).
    let asked = run(env
        .moto
        .cmd(&env.state())
        .args(["destroy", "--setup", "made"])
        .stdin(std::process::Stdio::null()));
    assert_eq!(asked.status.code(), Some(1), "{}", stderr(&asked));
    let err = stderr(&asked);
    assert!(
        err.contains("no terminal to ask in")
            && err.contains("Nothing was removed.")
            && err.contains("add --yes to destroy exactly what is listed above"),
        "{err}"
    );
    assert!(
        stdout(&asked).contains("delete user pool"),
        "the plan is shown"
    );
    assert_eq!(block_on(sdk.list_user_pools()).unwrap_or_default().len(), 1);
    let first = ok(&env.destroy("made"));
    assert!(first.contains("delete domain made-login"), "{first}");
    assert!(first.contains("delete user pool"), "{first}");
    assert!(first.contains("is taken down"), "{first}");
    block_on(async {
        assert!(sdk.list_user_pools().await.unwrap_or_default().is_empty());
        assert_eq!(
            sdk.describe_domain("made-login")
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            None
        );
    });
    let again = ok(&env.destroy("made"));
    assert!(again.contains("Nothing to remove"), "{again}");
    // The setup file names the same setup.
    let by_file = ok(&run(env
        .moto
        .cmd(&env.state())
        .args(["destroy", "--yes", "--config"])
        .arg(&config)));
    assert!(by_file.contains("Nothing to remove"), "{by_file}");
    // The answers stay: the setup can be made again.
    let status = ok(&run(env
        .moto
        .cmd(&env.state())
        .args(["status", "--setup", "made"])));
    assert!(status.contains("made"), "{status}");
}

#[test]
fn what_a_setup_adopted_stays_and_only_the_provider_and_its_link_go() {
    let env = Env::new();
    let sdk = env.moto.sdk(REGION);
    let (pool_id, client_id) = block_on(async {
        let pool = sdk
            .create_user_pool("theirs")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let client = sdk
            .create_user_pool_client(
                &pool.id,
                &ClientConfig {
                    client_name: "portal".into(),
                    callback_urls: vec!["https://portal.example.com/cb".into()],
                    supported_identity_providers: vec!["COGNITO".into()],
                    allowed_oauth_flows: vec!["code".into()],
                    allowed_oauth_scopes: vec!["openid".into()],
                    allowed_oauth_flows_user_pool_client: true,
                    ..ClientConfig::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (pool.id, client)
    });
    let config = env.config(
        "adopted",
        &format!("id = \"{pool_id}\""),
        &format!("id = \"{client_id}\""),
    );
    env.apply(&config);
    let before = block_on(sdk.describe_user_pool_client(&pool_id, &client_id))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        before
            .supported_identity_providers
            .contains(&"EntraID".to_string())
    );

    let out = ok(&env.destroy("adopted"));
    assert!(out.contains("stays: the setup adopted it"), "{out}");
    block_on(async {
        let pools = sdk.list_user_pools().await.unwrap_or_default();
        assert_eq!(pools.len(), 1, "the adopted pool stays");
        let after = sdk
            .describe_user_pool_client(&pool_id, &client_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            after.supported_identity_providers,
            vec!["COGNITO".to_string()]
        );
        // Nothing else of the adopted client changed.
        let mut expected = before.clone();
        expected.supported_identity_providers = after.supported_identity_providers.clone();
        assert_eq!(after, expected);
        assert_eq!(
            sdk.describe_identity_provider(&pool_id, "EntraID")
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            None
        );
        // The domain was made by the setup: it goes.
        assert_eq!(
            sdk.describe_domain("adopted-login")
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            None
        );
    });
    assert!(ok(&env.destroy("adopted")).contains("Nothing to remove"));
}

#[test]
fn a_destroy_killed_halfway_finishes_when_run_again() {
    let env = Env::new();
    let config = env.config("halfway", "name = \"halfway-users\"", "name = \"web\"");
    env.apply(&config);
    let mut child = env
        .moto
        .cmd(&env.state())
        .env("COGNITO_ENTRA_TEST_PAUSE_AFTER_WRITES", "1")
        .args(["destroy", "--yes", "--setup", "halfway"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr_pipe = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("destroy never paused after its first removal"));
        if line.contains("paused after write 1") {
            break;
        }
    }
    let _ = std::process::Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let sdk = env.moto.sdk(REGION);
    assert_eq!(
        block_on(sdk.list_user_pools()).unwrap_or_default().len(),
        1,
        "killed after the domain, before the pool"
    );
    let rerun = ok(&env.destroy("halfway"));
    assert!(rerun.contains("delete user pool"), "{rerun}");
    assert!(!rerun.contains("delete domain"), "{rerun}");
    assert!(
        block_on(sdk.list_user_pools())
            .unwrap_or_default()
            .is_empty()
    );
}

/// The wizard's list offers destroy for a saved setup: the same plan, asked once (Esc keeps
/// everything), then the removals as they finish.
#[test]
fn the_wizard_destroys_a_saved_setup_from_its_list() {
    let env = Env::new();
    let config = env.config("listed", "name = \"listed-users\"", "name = \"web\"");
    env.apply(&config);
    let tmux = Tmux::start(80, 24);
    let line = format!(
        "cd {dir} && env -u DISPLAY AWS_ENDPOINT_URL={moto} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 AWS_REGION={REGION} COGNITO_ENTRA_STATE_DIR={state} {bin}; echo \"EX\"\"IT-$?\"",
        dir = sh_quote(&env.dir.path().display().to_string()),
        moto = env.moto.endpoint(),
        state = sh_quote(&env.state().display().to_string()),
        bin = sh_quote(bin()),
    );
    tmux.type_line(&line);
    let wait = |text: &str| tmux.wait_for_text(text, Duration::from_secs(30));
    let list = wait("Federate an Amazon Cognito");
    assert!(list.contains("d destroy"), "{list}");
    // Esc on the plan keeps everything.
    tmux.cmd(&["send-keys", "-t", "0", "d"]);
    let plan = wait("Remove these?");
    assert!(plan.contains("delete user pool"), "{plan}");
    assert!(plan.contains("delete domain listed-login"), "{plan}");
    tmux.cmd(&["send-keys", "-t", "0", "Escape"]);
    wait("Federate an Amazon Cognito");
    let sdk = env.moto.sdk(REGION);
    assert_eq!(block_on(sdk.list_user_pools()).unwrap_or_default().len(), 1);
    tmux.cmd(&["send-keys", "-t", "0", "d"]);
    wait("Remove these?");
    tmux.cmd(&["send-keys", "-t", "0", "Enter"]);
    let done = wait("Taken down");
    assert!(done.contains("✓"), "{done}");
    assert!(
        block_on(sdk.list_user_pools())
            .unwrap_or_default()
            .is_empty()
    );
    tmux.cmd(&["send-keys", "-t", "0", "Enter"]);
    wait("Federate an Amazon Cognito");
    tmux.cmd(&["send-keys", "-t", "0", "q"]);
    assert!(wait("EXIT-").contains("EXIT-0"));
    let again = ok(&env.destroy("listed"));
    assert!(again.contains("Nothing to remove"), "{again}");
}
