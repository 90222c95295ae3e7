//! The Graph calls of a renewal (`rotate`): an application's client secrets listed, one made
//! (`addPassword`) and one removed (`removePassword`); a service principal's SAML signing
//! certificates read, a new one made (`addTokenSigningCertificate`, waited for until Graph
//! shows it) and made active, an old one removed as terraform-provider-azuread removes a
//! token signing certificate (the service principal's key and password credentials written
//! back without those of its customKeyIdentifier).

use cognito_entra_core::entra_app::SecretSeen;
use cognito_entra_core::rotate::SigningSeen;
use cognito_entra_core::state::GraphRecord;
use serde_json::{Value, json};

use super::apps::{
    common_name, key_thumbprint, make_active, secret_refused, sp_path, text, wait_for_signing_key,
};
use super::client::{Graph, GraphError};

/// The application's client secrets as Graph lists them (never their values).
pub async fn secrets(graph: &Graph, application_id: &str) -> Result<Vec<SecretSeen>, GraphError> {
    let app = graph
        .get(
            &format!("/applications/{application_id}?$select=passwordCredentials"),
            "read the application's client secrets",
        )
        .await?;
    Ok(app["passwordCredentials"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|c| {
                    Some(SecretSeen {
                        key_id: text(&c["keyId"])?,
                        display_name: text(&c["displayName"]).unwrap_or_default(),
                        ends: text(&c["endDateTime"]).unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default())
}

/// A client secret Graph just made. Its value is in memory only (and registered with the
/// scrubber); Debug never shows it.
#[derive(Clone)]
pub struct NewSecret {
    pub value: String,
    pub key_id: String,
    /// YYYY-MM-DD.
    pub ends: String,
}

impl std::fmt::Debug for NewSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSecret")
            .field("value", &"(hidden)")
            .field("key_id", &self.key_id)
            .field("ends", &self.ends)
            .finish()
    }
}

/// `addPassword`: a new client secret lasting `days`. Graph shows its value in this answer
/// only.
pub async fn add_secret(
    graph: &Graph,
    application_id: &str,
    days: i64,
) -> Result<NewSecret, GraphError> {
    let operation = "make a new client secret";
    let end = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    let added = graph
        .post(
            &format!("/applications/{application_id}/addPassword"),
            &json!({ "passwordCredential": {
                "displayName": "cognito-entra (Cognito's client secret)",
                "endDateTime": end.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            }}),
            operation,
        )
        .await
        .map_err(secret_refused)?;
    let value = text(&added["secretText"]).filter(|v| !v.is_empty());
    if let Some(value) = &value {
        cognito_entra_core::secrets::register(value);
    }
    match (value, text(&added["keyId"])) {
        (Some(value), Some(key_id)) => Ok(NewSecret {
            value,
            key_id,
            ends: text(&added["endDateTime"])
                .and_then(|e| e.get(..10).map(str::to_string))
                .unwrap_or_default(),
        }),
        (_, key_id) => Err(GraphError::Refused {
            operation: operation.into(),
            code: "NoSecretText".into(),
            message: format!(
                "Graph made a secret{} but did not return its value or key ID; remove it in the portal (App registrations › the app › Certificates & secrets) and run again",
                key_id.map(|k| format!(" ({k})")).unwrap_or_default()
            ),
        }),
    }
}

/// `removePassword`; a secret gone already (removed in the portal, or by a run whose answer
/// was lost) is fine.
pub async fn remove_secret(
    graph: &Graph,
    application_id: &str,
    key_id: &str,
) -> Result<(), GraphError> {
    match graph
        .post(
            &format!("/applications/{application_id}/removePassword"),
            &json!({ "keyId": key_id }),
            "remove a client secret",
        )
        .await
    {
        Ok(_) | Err(GraphError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The service principal's signing certificates (their public, `Verify` halves) and the
/// active one.
pub async fn signing(graph: &Graph, record: &GraphRecord) -> Result<SigningSeen, GraphError> {
    let sp = graph
        .get(
            &format!(
                "{}?$select=preferredTokenSigningKeyThumbprint,keyCredentials",
                sp_path(record)?
            ),
            "read the SAML signing certificates",
        )
        .await?;
    let mut certificates: Vec<(String, String)> = Vec::new();
    for key in sp["keyCredentials"].as_array().into_iter().flatten() {
        if key["usage"] != "Verify" {
            continue;
        }
        if let Some(thumbprint) = key_thumbprint(key)
            && !certificates.iter().any(|(t, _)| *t == thumbprint)
        {
            let ends = text(&key["endDateTime"])
                .and_then(|e| e.get(..10).map(str::to_string))
                .unwrap_or_default();
            certificates.push((thumbprint, ends));
        }
    }
    Ok(SigningSeen {
        active: text(&sp["preferredTokenSigningKeyThumbprint"]).map(|t| t.to_ascii_uppercase()),
        certificates,
    })
}

/// A new signing certificate (`addTokenSigningCertificate`, Graph's longest allowed life),
/// waited for until the service principal shows it. Returns its thumbprint and end date.
pub async fn add_signing_certificate(
    graph: &Graph,
    record: &GraphRecord,
    display_name: &str,
) -> Result<(String, String), GraphError> {
    let operation = "add a SAML signing certificate";
    let cert = graph
        .post(
            &format!("{}/addTokenSigningCertificate", sp_path(record)?),
            &json!({ "displayName": common_name(display_name) }),
            operation,
        )
        .await?;
    let thumbprint = text(&cert["thumbprint"])
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| GraphError::Refused {
            operation: operation.into(),
            code: "NoThumbprint".into(),
            message: "Graph made the certificate but did not say its thumbprint, so it was not made active; make it active in the portal (Single sign-on › SAML Certificates), then run rotate again to refresh Cognito".into(),
        })?;
    let ends = text(&cert["endDateTime"])
        .and_then(|e| e.get(..10).map(str::to_string))
        .unwrap_or_default();
    wait_for_signing_key(graph, record, &thumbprint).await?;
    Ok((thumbprint, ends))
}

/// Makes this signing certificate the one Entra signs with.
pub async fn activate(
    graph: &Graph,
    record: &GraphRecord,
    thumbprint: &str,
) -> Result<(), GraphError> {
    make_active(graph, record, thumbprint).await
}

/// Removes a signing certificate: the service principal's key credentials (its `Sign` and
/// `Verify` halves) and password credential (the private key's password) of that
/// certificate's customKeyIdentifier left out, every other one written back as read.
pub async fn remove_signing_certificate(
    graph: &Graph,
    record: &GraphRecord,
    thumbprint: &str,
) -> Result<(), GraphError> {
    let path = sp_path(record)?;
    let sp = graph
        .get(
            &format!("{path}?$select=keyCredentials,passwordCredentials"),
            "read the SAML signing certificates",
        )
        .await?;
    let keys: Vec<Value> = sp["keyCredentials"].as_array().cloned().unwrap_or_default();
    let (gone, kept): (Vec<Value>, Vec<Value>) = keys
        .into_iter()
        .partition(|k| key_thumbprint(k).as_deref() == Some(thumbprint));
    if gone.is_empty() {
        return Ok(());
    }
    let identifiers: Vec<&Value> = gone
        .iter()
        .map(|k| &k["customKeyIdentifier"])
        .filter(|v| !v.is_null())
        .collect();
    let passwords: Vec<Value> = sp["passwordCredentials"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !identifiers.contains(&&p["customKeyIdentifier"]))
        .collect();
    graph
        .patch_replicated(
            &path,
            &json!({ "keyCredentials": kept, "passwordCredentials": passwords }),
            "remove the old SAML signing certificate",
        )
        .await
        .map(|_| ())
}
