//! A reviewed plan saved for a pipeline (`plan --out FILE`) and applied exactly
//! (`apply --plan FILE`), like a saved Terraform plan: the file names the setup it was made
//! for (with a digest of its answers) and the changes, never a secret. Applying it plans
//! again from the live account and refuses, writing nothing, when the changes or the setup
//! differ from what was saved.

use serde::{Deserialize, Serialize};

use crate::plan::{Change, Payload, Plan};
use crate::setup::Setup;

pub const FORMAT: &str = "cognito-entra plan";
/// 2: the file carries the answers it was made from and where they came from, so
/// `apply --plan FILE` needs nothing else.
pub const VERSION: u32 = 2;
/// A plan file holds a few changes (a metadata document at most): a few kilobytes.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format: String,
    pub version: u32,
    pub setup: String,
    /// SHA-256 of the setup's answers as the tool reads them.
    pub setup_digest: String,
    /// Where the answers came from: a saved setup, or a setup file (whose answers
    /// `apply --plan` then saves, as `apply --config` would).
    pub from: Origin,
    /// The answers the plan was made from (never a secret: a setup holds none), with a
    /// metadata file's path made absolute.
    pub answers: Setup,
    pub region: String,
    pub created: String,
    /// The changes, with the client secret replaced by a mark.
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Setup,
    Config,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error(
        "{0} is not a cognito-entra plan ({1})\n  fix: make one with `cognito-entra plan --config FILE --out PLAN`"
    )]
    NotAPlan(String, String),
    #[error(
        "{0} is a plan of format version {1}; this cognito-entra reads version {VERSION}\n  fix: make the plan again with this version"
    )]
    Version(String, u32),
}

/// Why a saved plan is not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub reasons: Vec<String>,
}

const SECRET_MARK: &str = "(secret: given when applying)";

/// The digest of a setup's answers.
pub fn digest(setup: &Setup) -> String {
    let text = toml::to_string(setup).unwrap_or_default();
    let d = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The changes as they are saved and compared: the client secret replaced by a mark.
pub fn without_secrets(changes: &[Change]) -> Vec<Change> {
    changes
        .iter()
        .cloned()
        .map(|mut c| {
            if let Payload::CreateProvider(p) | Payload::UpdateProvider(p) = &mut c.payload
                && let Some(secret) = p.details.get_mut("client_secret")
            {
                *secret = SECRET_MARK.to_string();
            }
            c
        })
        .collect()
}

/// The plan file's text (JSON).
pub fn save(setup: &Setup, from: Origin, plan: &Plan, created: &str) -> String {
    let saved = SavedPlan {
        format: FORMAT.into(),
        version: VERSION,
        setup: setup.name.clone(),
        setup_digest: digest(setup),
        from,
        answers: setup.clone(),
        region: plan.region.clone(),
        created: created.into(),
        changes: without_secrets(&plan.changes),
    };
    serde_json::to_string_pretty(&saved).unwrap_or_default()
}

pub fn load(source: &str, text: &[u8]) -> Result<SavedPlan, PlanFileError> {
    // The version first: an older file lacks what this one reads, and says so.
    let head: serde_json::Value = serde_json::from_slice(text)
        .map_err(|e| PlanFileError::NotAPlan(source.into(), e.to_string()))?;
    if head.get("format").and_then(|f| f.as_str()) == Some(FORMAT)
        && let Some(v) = head.get("version").and_then(|v| v.as_u64())
        && v != u64::from(VERSION)
    {
        return Err(PlanFileError::Version(
            source.into(),
            u32::try_from(v).unwrap_or(u32::MAX),
        ));
    }
    let saved: SavedPlan = serde_json::from_value(head)
        .map_err(|e| PlanFileError::NotAPlan(source.into(), e.to_string()))?;
    if saved.format != FORMAT {
        return Err(PlanFileError::NotAPlan(
            source.into(),
            format!("its format is {:?}", saved.format),
        ));
    }
    if saved.version != VERSION {
        return Err(PlanFileError::Version(source.into(), saved.version));
    }
    Ok(saved)
}

/// Whether the plan made now is the one that was saved, for the same setup.
pub fn check(saved: &SavedPlan, setup: &Setup, now: &Plan) -> Result<(), Stale> {
    let mut reasons = Vec::new();
    if saved.setup != setup.name {
        reasons.push(format!(
            "the plan was made for the setup {:?}, not {:?}",
            saved.setup, setup.name
        ));
    } else if saved.setup_digest != digest(setup) {
        reasons.push(format!(
            "the setup {:?} changed since the plan was made",
            setup.name
        ));
    }
    let now_changes = without_secrets(&now.changes);
    for c in &saved.changes {
        match now_changes.iter().find(|n| n.id() == c.id()) {
            None => reasons.push(format!("{} is no longer needed", c.describe())),
            Some(n) if n != c => {
                reasons.push(format!("{} would now send other values", c.describe()))
            }
            Some(_) => {}
        }
    }
    for n in &now_changes {
        if !saved.changes.iter().any(|c| c.id() == n.id()) {
            reasons.push(format!(
                "{} is needed now and was not in the plan",
                n.describe()
            ));
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Stale { reasons })
    }
}
