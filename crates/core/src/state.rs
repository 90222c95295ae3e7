//! The state file: one TOML file per setup, holding the answers, the progress and what AWS
//! and Entra returned, so a setup can be resumed days later. Never a secret.
//!
//! Writes are atomic (temp file, fsync, rename) with mode 0600 in a 0700 folder, and only
//! under the setup's exclusive lock. A file that does not parse is never overwritten.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::setup::{Protocol, Setup};
use crate::step::Step;

/// The version of the state file this build writes. Older files are migrated on load.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub schema_version: u32,
    /// RFC 3339 times.
    pub created: String,
    pub updated: String,
    pub answers: Setup,
    #[serde(default)]
    pub progress: Progress,
    #[serde(default)]
    pub aws: AwsRecord,
    #[serde(default)]
    pub entra: EntraRecord,
    /// Set when `import` made this setup from a federation made outside the tool: nothing
    /// of it was created by the tool, so `destroy` takes nothing down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<Imported>,
    /// Set when the Entra side is a customer's, done in their tenant from a kit (`handoff`):
    /// the kit handed over, and when their reply was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<Handoff>,
}

/// A customer's Entra side, handed over as a kit (`handoff`) and answered (`accept`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    /// RFC 3339: when the kit was (last) written.
    pub at: String,
    /// The kit as handed over: a reply is held against it.
    pub kit: crate::kit::Kit,
    /// RFC 3339: when the customer's reply was accepted (then `apply` makes the provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

/// How an imported setup came to be: when, and what the setup cannot say about the
/// federation as it stood.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// RFC 3339.
    pub at: String,
    /// The OIDC provider holds a client secret: it stays in Cognito (never read into a
    /// file); a later apply leaves it alone unless a new one is given.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret_in_cognito: bool,
    /// What the setup cannot say (other clients offering the provider, flows it has no
    /// word for): kept as it is by every later apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_expressed: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Journey steps finished.
    #[serde(default)]
    pub steps_done: Vec<Step>,
    /// Manual Entra portal actions the admin ticked (ids such as `saml.identifier`).
    #[serde(default)]
    pub checklist: Vec<String>,
    /// Changes of the plan already applied (their ids), so an interrupted apply continues.
    #[serde(default)]
    pub applied: Vec<String>,
}

/// What AWS returned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AwsRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The AWS profile chosen in the wizard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateRecord>,
    /// The pool's required attributes as last read (a SAML response is judged by them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_attributes: Option<Vec<String>>,
}

/// What was checked on the Entra side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntraRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateRecord>,
    /// When the OIDC client secret expires, as the admin recorded it (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_expires: Option<String>,
    /// The Entra application the tool made or adopted through Microsoft Graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphRecord>,
}

/// Entra objects, by ID, recorded as each is made: a re-run adopts them, never makes twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphRecord {
    /// The application's object ID.
    pub application_id: String,
    /// Its Application (client) ID.
    pub app_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal_id: Option<String>,
    /// Made by this setup (destroy may remove it), not adopted.
    pub created: bool,
    /// Client secrets this tool made on the application (their key IDs) that Cognito was
    /// not yet seen to hold: a run that stopped before handing one over leaves it live in
    /// Entra with nobody holding it, so the next run removes it (`removePassword`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unclaimed_secrets: Vec<String>,
    /// The key ID of the client secret (made by this tool) that Cognito holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_secret: Option<String>,
    /// A rotation's unfinished steps (`rotate`), until it is finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotating: Option<Box<Rotating>>,
    /// A create sent whose outcome is not known yet (recorded before the request, cleared
    /// by its answer): the next run looks for what it may have made, for as long as Entra
    /// may take to show it, before it creates anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creating: Option<PendingCreate>,
}

impl GraphRecord {
    /// What a rotation recorded (`rotate`'s unfinished steps), carried from the record as
    /// saved into one an `apply` made: apply does not know them, and must not forget them.
    pub fn keep_rotation(mut self, saved: Option<&GraphRecord>) -> GraphRecord {
        if let Some(saved) = saved.filter(|s| s.application_id == self.application_id)
            && self.rotating.is_none()
        {
            self.rotating.clone_from(&saved.rotating);
        }
        self
    }

    /// The client secrets a rotation moved Cognito off and has not removed yet.
    pub fn retiring_secrets(&self) -> &[String] {
        self.rotating
            .as_deref()
            .map(|r| r.retiring_secrets.as_slice())
            .unwrap_or_default()
    }

    /// The signing certificate a rotation made, until Cognito has re-read the metadata.
    pub fn new_signing_certificate(&self) -> Option<&str> {
        self.rotating
            .as_deref()
            .and_then(|r| r.new_signing_certificate.as_deref())
    }

    /// Changes the rotation's record; one left with nothing in it is dropped.
    pub fn rotation(&mut self, change: impl FnOnce(&mut Rotating)) {
        let mut rotating = self.rotating.take().unwrap_or_default();
        change(&mut rotating);
        if *rotating != Rotating::default() {
            self.rotating = Some(rotating);
        }
    }

    /// Cognito now holds the secret `key_id`: it is no longer unclaimed.
    pub fn secret_held(&mut self, key_id: &str) {
        self.unclaimed_secrets.retain(|k| k != key_id);
        self.held_secret = Some(key_id.to_string());
    }
}

/// A rotation's steps not finished yet (`rotate`): what the next run finishes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotating {
    /// Client secrets Cognito was seen to hold no longer (a rotation handed it a new one),
    /// to be removed from Entra.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retiring_secrets: Vec<String>,
    /// The thumbprint of a SAML signing certificate a rotation made, until Cognito has re-read
    /// the metadata that carries it: a stopped rotation makes it active and refreshes Cognito
    /// when run again, rather than making another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_signing_certificate: Option<String>,
}

/// A create whose answer may have been lost: what it makes and when it was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCreate {
    /// `application` (the enterprise application or app registration) or `claims policy`.
    pub what: String,
    /// When the request was sent, in seconds since the Unix epoch.
    pub since: u64,
}

impl PendingCreate {
    pub const APPLICATION: &'static str = "application";
    pub const CLAIMS_POLICY: &'static str = "claims policy";

    pub fn now(what: &str) -> PendingCreate {
        PendingCreate {
            what: what.to_string(),
            since: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default(),
        }
    }

    /// How long ago it was sent (zero for a time in the future: a clock set back).
    pub fn age(&self) -> std::time::Duration {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        std::time::Duration::from_secs(now.saturating_sub(self.since))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRecord {
    /// `signing`, `encryption` (Cognito's) or `entra-signing` (from the metadata).
    pub kind: String,
    /// SHA-1, upper-case hex without separators, as Entra's portal shows it.
    pub thumbprint: String,
    pub not_after: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl State {
    pub fn new(answers: Setup) -> State {
        let now = now_rfc3339();
        State {
            schema_version: SCHEMA_VERSION,
            created: now.clone(),
            updated: now,
            answers,
            progress: Progress::default(),
            aws: AwsRecord::default(),
            entra: EntraRecord::default(),
            imported: None,
            handoff: None,
        }
    }
}

impl State {
    /// What AWS already told us, for the derived values.
    pub fn known(&self) -> crate::setup::Known {
        crate::setup::Known {
            user_pool_id: self.aws.user_pool_id.clone(),
            client_id: self.aws.client_id.clone(),
            callback_urls: None,
            scopes: None,
            created: crate::teardown::created(self),
            graph_app: match (&self.entra.graph, &self.entra.tenant_id) {
                (Some(g), Some(tenant)) => Some(crate::setup::derive::GraphApp {
                    tenant: tenant.clone(),
                    app_id: g.app_id.clone(),
                }),
                _ => None,
            },
        }
    }
}

impl State {
    /// The setup's pool: the adopted one, else the one it created (as recorded). A domain
    /// held by it is the setup's own.
    pub fn pool_id(&self) -> Option<&str> {
        self.answers
            .user_pool
            .id
            .as_deref()
            .or(self.aws.user_pool_id.as_deref())
    }

    /// The setup's app client: the adopted one, else the one it created (as recorded).
    pub fn client_id(&self) -> Option<&str> {
        self.answers
            .app_client
            .id
            .as_deref()
            .or(self.aws.client_id.as_deref())
    }

    /// The certificate of `kind` ("signing", "encryption") Entra was given, as the hand-over
    /// recorded it, when Cognito's is now another (`cognito_now`, its thumbprint): doctor
    /// warns of it, rotate hands the new one over. None recorded: nothing says what Entra
    /// holds, so nothing is judged.
    pub fn entra_given_another(&self, kind: &str, cognito_now: &str) -> Option<&CertificateRecord> {
        self.aws
            .certificates
            .iter()
            .find(|c| c.kind == kind)
            .filter(|c| !c.thumbprint.eq_ignore_ascii_case(cognito_now))
    }

    /// What of the setup already exists in Cognito (as recorded), for the review and `status`:
    /// `None` before anything was created or adopted.
    pub fn in_place(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(pool) = self.pool_id() {
            parts.push(format!("user pool {pool}"));
        }
        if let Some(domain) = self.aws.domain.as_deref() {
            parts.push(format!("domain {domain}"));
        }
        if let Some(client) = self.aws.client_id.as_deref() {
            parts.push(format!("app client {client}"));
        }
        // An imported setup's provider was there before the tool: it is adopted, not made.
        if self.imported.is_some() {
            parts.push(format!(
                "identity provider {}",
                self.answers.provider_name()
            ));
        }
        (!parts.is_empty()).then(|| format!("Already in place: {}.", parts.join(", ")))
    }

    /// The pool's required attributes as last read (none known: none).
    pub fn required_attributes(&self) -> &[String] {
        self.aws.required_attributes.as_deref().unwrap_or_default()
    }

    /// The SHA-1 thumbprints of Entra's signing certificates, as the last metadata check saw
    /// them (a SAML response signed by another one is named).
    pub fn entra_thumbprints(&self) -> Vec<String> {
        self.entra
            .certificates
            .iter()
            .map(|c| c.thumbprint.clone())
            .collect()
    }

    /// Keeps what the Entra checks found: the tenant and the metadata's certificates.
    pub fn record_entra(
        &mut self,
        tenant_id: Option<String>,
        metadata: Option<&crate::entra_facts::Metadata>,
    ) {
        if tenant_id.is_some() {
            self.entra.tenant_id = tenant_id;
        }
        if let Some(m) = metadata {
            self.entra.certificates = m
                .certificates
                .iter()
                .map(|c| CertificateRecord {
                    kind: "entra-signing".into(),
                    thumbprint: c.thumbprint.clone(),
                    not_after: crate::entra_facts::date(c.not_after),
                    file: None,
                })
                .collect();
        }
    }

    /// Marks journey steps done (once each).
    pub fn mark_done(&mut self, steps: &[Step]) {
        for s in steps {
            if !self.progress.steps_done.contains(s) {
                self.progress.steps_done.push(*s);
            }
        }
    }

    /// Records the IDs apply learned.
    pub fn record_ids(&mut self, ids: &crate::account::Ids) {
        if ids.user_pool_id.is_some() {
            self.aws.user_pool_id = ids.user_pool_id.clone();
        }
        if ids.client_id.is_some() {
            self.aws.client_id = ids.client_id.clone();
        }
        self.aws.domain = crate::setup::derive::domain_host(&self.answers);
    }

    /// Records a finished change of a plan.
    pub fn record_applied(&mut self, change_id: String) {
        if !self.progress.applied.contains(&change_id) {
            self.progress.applied.push(change_id);
        }
    }
}

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "cannot use the state folder {dir}: {source}\n  fix: check its permissions, or choose another with --state-dir or COGNITO_ENTRA_STATE_DIR"
    )]
    Dir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "setup {name:?} is in use by another cognito-entra (pid {pid})\n  fix: finish or quit the other one first; if none is running, another program holds {lock}"
    )]
    Locked {
        name: String,
        pid: String,
        lock: PathBuf,
    },
    #[error(
        "{path} does not parse, line {line}, column {column}: {message}\n  fix: correct it by hand, or move it away (mv {path} {path}.broken) to start this setup over; it is never overwritten while it is broken"
    )]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path} was written by a newer cognito-entra (state schema {found}; this one reads up to {SCHEMA_VERSION})\n  fix: upgrade cognito-entra"
    )]
    NewerSchema { path: PathBuf, found: u32 },
    #[error(
        "{path} has schema_version = {found}, a version no cognito-entra writes (they start at 1; this one writes {SCHEMA_VERSION})\n  fix: if the rest is cognito-entra's, set schema_version = {SCHEMA_VERSION}; otherwise move it away (mv {path} {path}.broken) to start this setup over"
    )]
    UnknownSchema { path: PathBuf, found: u32 },
    #[error(
        "{path} is not a regular file (a FIFO, a device or a folder stands there); state files are files cognito-entra writes\n  fix: move it away (mv {path} {path}.moved); cognito-entra makes its own"
    )]
    NotAFile { path: PathBuf },
    #[error(
        "no saved setup named {name:?} in {dir}\n  fix: `cognito-entra setups` lists the saved ones (a command that takes --config FILE also reads a setup file)"
    )]
    NotFound { name: String, dir: PathBuf },
    #[error("{name:?} cannot name a setup\n  fix: use letters, digits, '.', '_' or '-'")]
    BadName { name: String },
    #[error(
        "the state folder {dir} {} (mode {mode:o}); anyone who can write there could replace a setup's state\n  fix: chmod 700 {dir}, or choose a folder of your own with --state-dir or COGNITO_ENTRA_STATE_DIR",
        if *other_owner { "belongs to another user" } else { "can be written by other users" }
    )]
    Unsafe {
        dir: PathBuf,
        mode: u32,
        other_owner: bool,
    },
    #[error(
        "{path} is a symbolic link; state and lock files are never opened through one (it would write where the link points)\n  fix: remove the link; cognito-entra makes its own files"
    )]
    Symlink { path: PathBuf },
    #[error(
        "{path} has {} this version of cognito-entra does not know: {}\n  fix: upgrade cognito-entra if a newer one wrote it; otherwise remove {} by hand (nothing is dropped without asking)",
        if keys.len() == 1 { "a key" } else { "keys" },
        keys.join(", "),
        if keys.len() == 1 { "it" } else { "them" }
    )]
    UnknownKeys { path: PathBuf, keys: Vec<String> },
}

/// The folder of state files.
#[derive(Debug, Clone)]
pub struct StateStore {
    dir: PathBuf,
}

/// A setup's exclusive lock; saving requires holding it. Released on drop.
#[derive(Debug)]
pub struct SetupLock {
    _file: File,
    name: String,
    path: PathBuf,
}

/// One saved setup as `setups` lists it.
#[derive(Debug)]
pub struct Summary {
    pub name: String,
    pub path: PathBuf,
    pub state: Result<State, StateError>,
}

impl StateStore {
    /// The platform's default state folder (`$XDG_STATE_HOME/cognito-entra` on Linux).
    pub fn default_dir() -> Option<PathBuf> {
        let dirs = directories::ProjectDirs::from("", "", "cognito-entra")?;
        Some(
            dirs.state_dir()
                .unwrap_or_else(|| dirs.data_local_dir())
                .to_path_buf(),
        )
    }

    /// Opens the folder, without creating it (reads need no folder).
    pub fn new(dir: impl Into<PathBuf>) -> StateStore {
        StateStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn ensure_dir(&self) -> Result<(), StateError> {
        let dir_err = |source| StateError::Dir {
            dir: self.dir.clone(),
            source,
        };
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(dir_err)?;
        self.check_dir()
    }

    /// A state folder others may write to (or that another user owns) is refused: anyone
    /// who can write there can replace a state file, or plant a link where the lock goes.
    fn check_dir(&self) -> Result<(), StateError> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(&self.dir).map_err(|source| StateError::Dir {
            dir: self.dir.clone(),
            source,
        })?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.mode() & 0o022 != 0 || meta.uid() != me {
            return Err(StateError::Unsafe {
                dir: self.dir.clone(),
                mode: meta.mode() & 0o777,
                other_owner: meta.uid() != me,
            });
        }
        Ok(())
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.toml"))
    }

    fn check_name(name: &str) -> Result<(), StateError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(())
        } else {
            Err(StateError::BadName {
                name: name.to_string(),
            })
        }
    }

    /// Takes the setup's exclusive lock, or says who holds it.
    pub fn lock(&self, name: &str) -> Result<SetupLock, StateError> {
        Self::check_name(name)?;
        self.ensure_dir()?;
        let path = self.dir.join(format!("{name}.lock"));
        let io = |action, source| StateError::Io {
            action,
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    StateError::Symlink { path: path.clone() }
                } else {
                    io("open the lock file", e)
                }
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(StateError::Locked {
                    name: name.to_string(),
                    pid: if pid.is_empty() {
                        "unknown".into()
                    } else {
                        pid.to_string()
                    },
                    lock: path,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io("lock", e)),
        }
        file.set_len(0).map_err(|e| io("write", e))?;
        write!(file, "{}", std::process::id()).map_err(|e| io("write", e))?;
        Ok(SetupLock {
            _file: file,
            name: name.to_string(),
            path: self.path(name),
        })
    }

    /// Takes the setup's lock and loads its state; without a saved state, starts a new one
    /// for `protocol` (the protocol step done), or says there is none to resume.
    pub fn open(
        &self,
        name: &str,
        protocol: Option<Protocol>,
    ) -> Result<(SetupLock, State), StateError> {
        let lock = self.lock(name)?;
        let state = match (self.load(name)?, protocol) {
            (Some(state), _) => state,
            (None, Some(protocol)) => {
                let mut state = State::new(Setup::blank(name, protocol));
                state.mark_done(&[Step::Protocol]);
                state
            }
            (None, None) => {
                return Err(StateError::NotFound {
                    name: name.to_string(),
                    dir: self.dir.clone(),
                });
            }
        };
        Ok((lock, state))
    }

    /// Loads a setup's state; `Ok(None)` when there is none.
    pub fn load(&self, name: &str) -> Result<Option<State>, StateError> {
        Self::check_name(name)?;
        read_state(&self.path(name))
    }

    /// Loads a setup's state, which must exist.
    pub fn load_existing(&self, name: &str) -> Result<State, StateError> {
        self.load(name)?.ok_or_else(|| StateError::NotFound {
            name: name.to_string(),
            dir: self.dir.clone(),
        })
    }

    /// What every other saved setup holds in Cognito, as recorded (unreadable ones are left
    /// out: they are reported where they are listed).
    pub fn others(&self, me: &str) -> Vec<crate::plan::OtherSetup> {
        self.list()
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.name != me)
            .filter_map(|s| s.state.ok())
            .filter_map(|state| {
                Some(crate::plan::OtherSetup {
                    name: state.answers.name.clone(),
                    pool_id: state.pool_id()?.to_string(),
                    provider: state.answers.provider_name().to_string(),
                    client_id: state.client_id().map(str::to_string),
                    graph_app_id: state.entra.graph.as_ref().map(|g| g.app_id.clone()),
                })
            })
            .collect()
    }

    /// Every saved setup, by name, broken ones included (with their error).
    pub fn list(&self) -> Result<Vec<Summary>, StateError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StateError::Dir {
                    dir: self.dir.clone(),
                    source,
                });
            }
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml")
                && let Some(name) = path.file_stem().map(|s| s.to_string_lossy().into_owned())
            {
                let state = read_state(&path).and_then(|s| {
                    s.ok_or_else(|| StateError::NotFound {
                        name: name.clone(),
                        dir: self.dir.clone(),
                    })
                });
                out.push(Summary { name, path, state });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

impl SetupLock {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Writes the state atomically. Refuses to replace a file that does not parse. A state
    /// that says nothing new is not written at all (a converged run writes nothing anywhere,
    /// not even a new timestamp).
    pub fn save(&self, state: &mut State) -> Result<(), StateError> {
        match read_state(&self.path) {
            Err(e @ (StateError::Corrupt { .. } | StateError::NewerSchema { .. })) => {
                return Err(e);
            }
            Ok(Some(saved)) => {
                let mut unchanged = state.clone();
                unchanged.updated.clone_from(&saved.updated);
                unchanged.schema_version = SCHEMA_VERSION;
                if unchanged == saved {
                    state.updated = saved.updated;
                    return Ok(());
                }
            }
            _ => {}
        }
        state.updated = now_rfc3339();
        state.schema_version = SCHEMA_VERSION;
        let text = toml::to_string_pretty(state).map_err(|e| StateError::Io {
            action: "serialize the state for",
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let io = |action, source| StateError::Io {
            action,
            path: self.path.clone(),
            source,
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".state-")
            .suffix(".tmp")
            .permissions(fs::Permissions::from_mode(0o600))
            .tempfile_in(dir)
            .map_err(|e| io("create a temporary file beside", e))?;
        let header = "# cognito-entra state: written by the tool; safe to read, edit with care.\n";
        tmp.write_all(header.as_bytes())
            .and_then(|_| tmp.write_all(text.as_bytes()))
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| io("write", e))?;
        tmp.persist(&self.path)
            .map_err(|e| io("replace", e.error))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn read_state(path: &Path) -> Result<Option<State>, StateError> {
    // O_NONBLOCK: a FIFO put where a state file goes opens at once (and is refused below)
    // instead of waiting for ever for a writer; it changes nothing for a regular file.
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let file = match opened {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(StateError::Symlink {
                path: path.to_path_buf(),
            });
        }
        Err(source) => {
            return Err(StateError::Io {
                action: "read",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(StateError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let text = crate::bounded::read_capped(file, crate::bounded::STATE_FILE).map_err(|e| {
        StateError::Io {
            action: "read",
            path: path.to_path_buf(),
            source: match e {
                crate::bounded::ReadError::Io(e) => e,
                too_large => std::io::Error::other(format!(
                    "{too_large}; a state file is a few kilobytes (move it away to start this setup over)"
                )),
            },
        }
    })?;
    let corrupt = |offset: Option<usize>, text: &str, message: String| {
        let offset = offset.unwrap_or(0).min(text.len());
        let before = &text[..offset];
        StateError::Corrupt {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message,
        }
    };
    let text = match String::from_utf8(text) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let t = String::from_utf8_lossy(e.as_bytes()).into_owned();
            return Err(corrupt(Some(valid), &t, "not UTF-8 text".into()));
        }
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        corrupt(
            e.span().map(|s| s.start),
            &text,
            e.message().trim().to_string(),
        )
    })?;
    let version = match table.get("schema_version") {
        None => return Err(corrupt(None, &text, "schema_version is missing".into())),
        Some(toml::Value::Integer(v)) => *v,
        Some(toml::Value::String(v)) if v.trim().parse::<i64>().is_ok() => {
            let at = text.find("schema_version");
            return Err(corrupt(
                at,
                &text,
                format!(
                    "schema_version is the text {v:?}; it must be a number: schema_version = {}",
                    v.trim()
                ),
            ));
        }
        Some(other) => {
            let at = text.find("schema_version");
            return Err(corrupt(
                at,
                &text,
                format!(
                    "schema_version is {} ({}), not a version number such as schema_version = {SCHEMA_VERSION}",
                    crate::humanize::clip(&other.to_string(), 40),
                    other.type_str()
                ),
            ));
        }
    };
    let version = u32::try_from(version).map_err(|_| {
        corrupt(
            None,
            &text,
            format!("schema_version {version} is not a version"),
        )
    })?;
    if version == 0 {
        return Err(StateError::UnknownSchema {
            path: path.to_path_buf(),
            found: version,
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StateError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
        });
    }
    let table = migrate(table, version);
    // Keys this version does not know would vanish on the next save: they are refused by
    // name instead (a newer version, or a hand edit, put them there).
    let mut unknown = Vec::new();
    let parsed: Result<State, _> =
        serde_ignored::deserialize(toml::Value::Table(table.clone()), |path| {
            unknown.push(path.to_string())
        });
    match parsed {
        Ok(_) if !unknown.is_empty() => {
            return Err(StateError::UnknownKeys {
                path: path.to_path_buf(),
                keys: unknown,
            });
        }
        Ok(state) => return Ok(Some(state)),
        // Read again only to say where it went wrong.
        Err(_) => {}
    }
    serde_path_to_error::deserialize::<_, State>(toml::Value::Table(table))
        .map(Some)
        .map_err(|e| {
            let field = e.path().to_string();
            let line = text
                .lines()
                .position(|l| {
                    l.trim_start()
                        .starts_with(field.rsplit('.').next().unwrap_or(""))
                })
                .map(|i| text.lines().take(i).map(|l| l.len() + 1).sum());
            corrupt(line, &text, format!("{field}: {}", e.inner()))
        })
}

/// Brings an older state file up to the current schema. Version 1 is the first.
fn migrate(table: toml::Table, _from: u32) -> toml::Table {
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::{Protocol, Setup};

    #[test]
    fn an_imported_setups_provider_is_said_to_be_in_place() {
        let mut state = State::new(Setup::blank("corp", Protocol::Saml));
        state.aws.user_pool_id = Some("eu-west-1_AbC".into());
        let made = state.in_place().unwrap_or_default();
        assert!(!made.contains("identity provider"), "{made}");
        state.imported = Some(Imported {
            at: now_rfc3339(),
            secret_in_cognito: false,
            not_expressed: Vec::new(),
        });
        let adopted = state.in_place().unwrap_or_default();
        assert!(
            adopted.contains(&format!(
                "identity provider {}",
                state.answers.provider_name()
            )),
            "{adopted}"
        );
    }
}
