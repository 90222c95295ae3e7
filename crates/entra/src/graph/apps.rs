//! The Entra application through Graph: found (by the IDs recorded, the appId given, or the
//! display name), read into `core::entra_app::Seen`, and changed as planned. Each object
//! made is handed back at once, so the caller records it before anything else happens.

use base64::Engine;
use cognito_entra_core::entra_app::{
    AppSeen, CognitoCertificate, Desired, EntraChange, KeySeen, NAME_ID_CLAIM, PolicySeen,
    PortalClaims, Principal, SamlClaim, Seen, SpSeen, claim_source_id, claims_policy_name,
};
use cognito_entra_core::entra_facts::{parse_certificate, thumbprint, thumbprint_bytes, upper_hex};
use cognito_entra_core::state::{GraphRecord, PendingCreate};
use serde_json::{Value, json};

use super::client::{Graph, GraphError, replication_budget, say_duration};

/// The tag an app registration the tool makes carries, so that a run whose create lost its
/// answer finds it again (Graph filters applications on `tags/any(t:t eq '…')`).
pub fn setup_tag(display_name: &str) -> String {
    format!("cognito-entra:{display_name}")
}

/// Asks `look` until it finds what an earlier create (sent `pending.age()` ago) made, or until
/// Entra has had the whole replication budget to show it: `None` then means it was not made.
async fn look_for_lost_create<T, F, Fut>(
    graph: &Graph,
    pending: &PendingCreate,
    what: &str,
    mut look: F,
) -> Result<Option<T>, GraphError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, GraphError>>,
{
    let budget = replication_budget();
    let poll = std::time::Duration::from_secs(5)
        .min(budget / 10)
        .max(std::time::Duration::from_millis(250));
    loop {
        if let Some(found) = look().await? {
            return Ok(Some(found));
        }
        let age = pending.age();
        if age >= budget {
            cognito_entra_core::verbose_log::write(
                "wait",
                &format!(
                    "{what}: not there {} after the earlier create; it was not made",
                    say_duration(age)
                ),
            );
            return Ok(None);
        }
        graph
            .pause(
                poll.min(budget - age),
                &format!(
                    "for Entra to show the {what} an earlier run asked for (its answer was lost; {} of {})",
                    say_duration(age),
                    say_duration(budget)
                ),
            )
            .await;
    }
}

/// A `CN=` distinguished name for a display name: RFC 4514's special characters escaped, so
/// that a comma or a plus in the name does not make a second attribute.
pub(crate) fn common_name(display_name: &str) -> String {
    let mut out = String::from("CN=");
    let chars: Vec<char> = display_name.trim().chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let edge = (i == 0 && (*c == ' ' || *c == '#')) || (i + 1 == chars.len() && *c == ' ');
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') || edge {
            out.push('\\');
        }
        out.push(*c);
    }
    out
}

/// Why the application cannot be found as the setup says.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("{problem}\n  fix: {fix}")]
    Refused { problem: String, fix: String },
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// A key credential's certificate thumbprint, upper-case hex. Graph gives the certificate
/// itself only when asked for it (`$select=keyCredentials` on one object); otherwise its
/// customKeyIdentifier, which is Binary (base64) and by default the thumbprint — seen as
/// the thumbprint's bytes, as the hex text, or as base64 of either, depending on who wrote it.
pub(crate) fn key_thumbprint(k: &Value) -> Option<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if k["usage"] != "Sign"
        && let Some(der) = k["key"].as_str().and_then(|key| b64.decode(key).ok())
    {
        return Some(thumbprint(&der));
    }
    let id = k["customKeyIdentifier"].as_str()?.trim();
    let hex = |t: &str| {
        (t.len() == 40 && t.bytes().all(|b| b.is_ascii_hexdigit())).then(|| t.to_ascii_uppercase())
    };
    if let Some(h) = hex(id) {
        return Some(h);
    }
    let bytes = b64.decode(id).ok()?;
    if bytes.len() == 20 {
        return Some(upper_hex(&bytes));
    }
    let text = String::from_utf8(bytes).ok()?;
    hex(&text).or_else(|| {
        b64.decode(text.trim())
            .ok()
            .filter(|inner| inner.len() == 20)
            .map(|inner| upper_hex(&inner))
    })
}

pub(crate) fn keys_seen(v: &Value) -> Vec<KeySeen> {
    v.as_array()
        .map(|keys| {
            keys.iter()
                .map(|k| KeySeen {
                    key_id: text(&k["keyId"]).unwrap_or_default(),
                    usage: text(&k["usage"]).unwrap_or_default(),
                    thumbprint: key_thumbprint(k),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn app_seen(v: &Value) -> AppSeen {
    AppSeen {
        id: text(&v["id"]).unwrap_or_default(),
        app_id: text(&v["appId"]).unwrap_or_default(),
        display_name: text(&v["displayName"]).unwrap_or_default(),
        sign_in_audience: text(&v["signInAudience"]).unwrap_or_default(),
        identifier_uris: strings(&v["identifierUris"]),
        redirect_uris: strings(&v["web"]["redirectUris"]),
        logout_url: text(&v["web"]["logoutUrl"]),
        id_token_claims: v["optionalClaims"]["idToken"]
            .as_array()
            .map(|c| c.iter().filter_map(|x| text(&x["name"])).collect())
            .unwrap_or_default(),
        secret_ends: v["passwordCredentials"]
            .as_array()
            .map(|p| p.iter().filter_map(|c| text(&c["endDateTime"])).collect())
            .unwrap_or_default(),
        secrets: v["passwordCredentials"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter_map(|c| {
                        Some(cognito_entra_core::entra_app::SecretSeen {
                            key_id: text(&c["keyId"])?,
                            display_name: text(&c["displayName"]).unwrap_or_default(),
                            ends: text(&c["endDateTime"]).unwrap_or_default(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        keys: keys_seen(&v["keyCredentials"]),
        token_encryption_key_id: text(&v["tokenEncryptionKeyId"]),
        signed_requests_required: v["requestSignatureVerification"]["isSignedRequestRequired"]
            == true,
        group_membership_claims: text(&v["groupMembershipClaims"]),
    }
}

fn sp_seen(v: &Value) -> SpSeen {
    SpSeen {
        id: text(&v["id"]).unwrap_or_default(),
        sso_mode: text(&v["preferredSingleSignOnMode"]),
        relay_state: text(&v["samlSingleSignOnSettings"]["relayState"]),
        signing_thumbprint: text(&v["preferredTokenSigningKeyThumbprint"])
            .map(|t| t.to_ascii_uppercase()),
        signing_certificates: keys_seen(&v["keyCredentials"])
            .into_iter()
            .filter(|k| k.usage == "Verify")
            .filter_map(|k| k.thumbprint)
            .collect(),
        assigned: Vec::new(),
        claims_policy: None,
        unassigned_policy: None,
        portal_claims: None,
        notification_emails: strings(&v["notificationEmailAddresses"]),
    }
}

/// A claims-mapping policy as read: its definition (a JSON document in a string) reduced to
/// its user-sourced SAML claims.
fn policy_seen(v: &Value) -> PolicySeen {
    let definition: Value = v["definition"]
        .as_array()
        .and_then(|d| d.first())
        .and_then(Value::as_str)
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(Value::Null);
    let claims = definition["ClaimsMappingPolicy"]["ClaimsSchema"]
        .as_array()
        .map(|schema| {
            schema
                .iter()
                .filter(|c| {
                    c["Source"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("user"))
                })
                .filter_map(|c| {
                    Some(SamlClaim {
                        claim: text(&c["SamlClaimType"])?,
                        source: text(&c["ID"])?.to_ascii_lowercase(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    PolicySeen {
        id: text(&v["id"]).unwrap_or_default(),
        display_name: text(&v["displayName"]).unwrap_or_default(),
        claims,
    }
}

/// A claims-mapping policy's definition: Entra's basic claims, plus these from user attributes.
fn policy_definition(claims: &[SamlClaim]) -> Value {
    let schema: Vec<Value> = claims
        .iter()
        .map(|c| json!({ "Source": "user", "ID": c.source, "SamlClaimType": c.claim }))
        .collect();
    let document = json!({ "ClaimsMappingPolicy": {
        "Version": 1,
        "IncludeBasicClaimSet": "true",
        "ClaimsSchema": schema,
    }});
    json!([document.to_string()])
}

/// The portal's Attributes & Claims as Graph beta shows them: the service principal's custom
/// claims policy (`GET /beta/servicePrincipals/{id}/claimsPolicy`, resource customClaimsPolicy:
/// `claims` of customClaim — `name`, `namespace`, `tokenFormat`, `configurations[]` with
/// `attribute` {source, id, isExtensionAttribute}, `condition`, `transformations` — and a
/// samlNameIdClaim for the NameID). A claim from one user attribute, unconditioned and
/// untransformed, can be restated in a claims-mapping policy; any other is named.
fn portal_claims_seen(v: &Value) -> PortalClaims {
    let mut out = PortalClaims::default();
    // Each claim, and whether it is the NameID (a samlNameIdClaim among the claims, or beside
    // them).
    let mut entries: Vec<(&Value, bool)> = v["claims"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    let kind = c["@odata.type"].as_str().unwrap_or_default();
                    (c, kind.ends_with("samlNameIdClaim"))
                })
                .collect()
        })
        .unwrap_or_default();
    if v["samlNameIdClaim"].is_object() {
        entries.push((&v["samlNameIdClaim"], true));
    }
    for (entry, name_id) in entries {
        // A claim for JWTs only is not in the SAML token.
        if !name_id
            && entry["tokenFormat"]
                .as_array()
                .is_some_and(|f| !f.iter().any(|t| t == "saml"))
        {
            continue;
        }
        let claim = if name_id {
            NAME_ID_CLAIM.to_string()
        } else {
            let name = text(&entry["name"]).unwrap_or_default();
            match text(&entry["namespace"]).filter(|n| !n.trim().is_empty()) {
                Some(ns) => format!("{}/{name}", ns.trim_end_matches('/')),
                None => name,
            }
        };
        if claim.trim().is_empty() {
            continue;
        }
        let configurations = entry["configurations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let why = match configurations.as_slice() {
            [one] => {
                let attribute = &one["attribute"];
                let source = attribute["source"].as_str().unwrap_or_default();
                let id = attribute["id"].as_str().unwrap_or_default();
                if one["transformations"]
                    .as_array()
                    .is_some_and(|t| !t.is_empty())
                {
                    Err("a transformation".to_string())
                } else if !one["condition"].is_null() {
                    Err("a condition".to_string())
                } else if source.is_empty() {
                    Err("not from a user attribute".to_string())
                } else if !source.eq_ignore_ascii_case("user") {
                    Err(format!("from {source}.{id}, not a user attribute"))
                } else if attribute["isExtensionAttribute"] == true {
                    Err(format!("from the directory extension {id}"))
                } else {
                    match claim_source_id(id) {
                        Some(source) => Ok(source),
                        None => Err(format!(
                            "from user.{id}, which a claims-mapping policy cannot name"
                        )),
                    }
                }
            }
            [] => Err("no source".to_string()),
            _ => Err("several conditional sources".to_string()),
        };
        match why {
            Ok(source) => out.claims.push(SamlClaim {
                claim,
                source: source.to_string(),
            }),
            Err(why) => out.untranslatable.push(format!("{claim} ({why})")),
        }
    }
    out
}

/// The claims-mapping policy assigned to the service principal, or (none assigned) the tool's
/// own found by its name — made by a run whose answer was lost.
async fn observe_claims_policy(
    graph: &Graph,
    desired: &Desired,
    sp: &mut SpSeen,
    pending: Option<&PendingCreate>,
) -> Result<(), GraphError> {
    let assigned = graph
        .get_all(
            &format!("/servicePrincipals/{}/claimsMappingPolicies", sp.id),
            "read the application's claims-mapping policy",
        )
        .await?;
    sp.claims_policy = assigned.first().map(policy_seen);
    // The portal's customization, carried into the tool's policy (which supersedes it, and
    // keeps it there at every run). A tenant or permission that does not show it has nothing
    // to carry.
    {
        sp.portal_claims = match graph
            .get_beta(
                &format!("/servicePrincipals/{}/claimsPolicy", sp.id),
                "read the application's Attributes & Claims",
            )
            .await
        {
            Ok(v) => Some(portal_claims_seen(&v)).filter(|p| *p != PortalClaims::default()),
            Err(GraphError::NotFound { .. } | GraphError::Forbidden { .. }) => None,
            Err(e) => return Err(e),
        };
    }
    if sp.claims_policy.is_none() {
        let ours = claims_policy_name(&desired.display_name);
        let all = graph
            .get_all(
                "/policies/claimsMappingPolicies",
                "look for the tool's claims-mapping policy",
            )
            .await?;
        sp.unassigned_policy = all
            .iter()
            .find(|p| p["displayName"] == ours.as_str())
            .map(policy_seen);
        if let Some(pending) = pending.filter(|p| p.what == PendingCreate::CLAIMS_POLICY)
            && sp.unassigned_policy.is_none()
        {
            sp.unassigned_policy =
                look_for_lost_create(graph, pending, "claims-mapping policy", || async {
                    let all = graph
                        .get_all(
                            "/policies/claimsMappingPolicies",
                            "look for the tool's claims-mapping policy",
                        )
                        .await?;
                    Ok(all
                        .iter()
                        .find(|p| p["displayName"] == ours.as_str())
                        .map(policy_seen))
                })
                .await?;
        }
    }
    Ok(())
}

/// Deletes the tool's claims-mapping policy of this name when nothing uses it any more
/// (another application may have been given it by hand); one already gone is fine.
pub async fn remove_claims_policy(graph: &Graph, name: &str) -> Result<(), GraphError> {
    let all = graph
        .get_all(
            "/policies/claimsMappingPolicies",
            "look for the tool's claims-mapping policy",
        )
        .await?;
    let ids: Vec<String> = all
        .iter()
        .filter(|p| p["displayName"] == name)
        .filter_map(|p| text(&p["id"]))
        .collect();
    for id in ids {
        let path = format!("/policies/claimsMappingPolicies/{id}");
        let users = graph
            .get(
                &format!("{path}/appliesTo"),
                "see what uses the claims-mapping policy",
            )
            .await?;
        if users["value"].as_array().is_some_and(|u| !u.is_empty()) {
            continue;
        }
        match graph
            .delete(&path, "remove the claims-mapping policy")
            .await
        {
            Ok(_) | Err(GraphError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Assigns a claims-mapping policy to the service principal (once the policy has replicated).
async fn assign_policy(graph: &Graph, sp: &str, policy_id: &str) -> Result<(), GraphError> {
    let policy = format!("/policies/claimsMappingPolicies/{policy_id}");
    graph
        .get_replicated(&policy, "wait for the claims-mapping policy")
        .await?;
    graph
        .post_replicated(
            &format!("{sp}/claimsMappingPolicies/$ref"),
            &json!({ "@odata.id": graph.url(&policy) }),
            "the claims-mapping policy",
            "assign the claims-mapping policy",
        )
        .await
        .map(|_| ())
}

/// Finds the setup's users (by user principal name) and groups (by display name).
async fn principals(graph: &Graph, names: &[String]) -> Result<Vec<Principal>, FindError> {
    let mut out = Vec::new();
    for name in names {
        let name = name.trim();
        let found = if name.contains('@') {
            match graph
                .get(
                    &format!("/users/{}", encode_path(name)),
                    "find a user to assign",
                )
                .await
            {
                Ok(user) => text(&user["id"]).map(|id| (id, "User")),
                Err(GraphError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            }
        } else {
            let groups = graph
                .get(
                    &format!(
                        "/groups?$filter={}",
                        encode(&format!("displayName eq {}", literal(name)))
                    ),
                    "find a group to assign",
                )
                .await?;
            let list = groups["value"].as_array().cloned().unwrap_or_default();
            if list.len() > 1 {
                return Err(FindError::Refused {
                    problem: format!("entra.assign: {} groups are named {name:?}", list.len()),
                    fix: "rename one in Entra, or assign the right one in the portal".into(),
                });
            }
            list.first()
                .and_then(|g| text(&g["id"]))
                .map(|id| (id, "Group"))
        };
        let Some((id, kind)) = found else {
            return Err(FindError::Refused {
                problem: format!("entra.assign: no user or group {name:?} in this tenant"),
                fix: "give a user's principal name (as they sign in, e.g. ada@contoso.com) or a group's display name as Entra shows it".into(),
            });
        };
        out.push(Principal {
            name: name.to_string(),
            id,
            kind: kind.into(),
        });
    }
    Ok(out)
}

fn encode_path(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// An OData string literal: single quotes doubled.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Reads what the setup's application holds now.
pub async fn observe(
    graph: &Graph,
    desired: &Desired,
    recorded: Option<&GraphRecord>,
) -> Result<Seen, FindError> {
    let mut app = None;
    if let Some(r) = recorded.filter(|r| !r.application_id.is_empty()) {
        match graph
            .get(
                &format!("/applications/{}", r.application_id),
                "read the application",
            )
            .await
        {
            Ok(v) => app = Some(app_seen(&v)),
            // Deleted in the portal since: made again, as the plan shows.
            Err(GraphError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let pending_app = recorded
        .filter(|r| r.application_id.is_empty())
        .and_then(|r| r.creating.as_ref())
        .filter(|p| p.what == PendingCreate::APPLICATION);
    if app.is_none()
        && desired.app_id.is_none()
        && let Some(pending) = pending_app
    {
        // An earlier run's create lost its answer: what it made is found (by its tag, else
        // its name) before anything is made again, for as long as Entra may take to show it.
        let filter = match desired.protocol {
            cognito_entra_core::setup::Protocol::Oidc => format!(
                "tags/any(t:t eq {})",
                literal(&setup_tag(&desired.display_name))
            ),
            cognito_entra_core::setup::Protocol::Saml => {
                format!("displayName eq {}", literal(&desired.display_name))
            }
        };
        let path = format!("/applications?$filter={}", encode(&filter));
        let found = look_for_lost_create(graph, pending, "application", || async {
            let found = graph.get(&path, "look for the application").await?;
            Ok(found["value"].as_array().filter(|l| !l.is_empty()).cloned())
        })
        .await?;
        if let Some([one]) = found.as_deref() {
            app = Some(app_seen(one));
        }
    }
    if app.is_none() {
        let filter = match &desired.app_id {
            Some(app_id) => format!("appId eq {}", literal(app_id)),
            None => format!("displayName eq {}", literal(&desired.display_name)),
        };
        let found = graph
            .get(
                &format!("/applications?$filter={}", encode(&filter)),
                "look for the application",
            )
            .await?;
        let list = found["value"].as_array().cloned().unwrap_or_default();
        match (list.as_slice(), &desired.app_id) {
            ([], Some(app_id)) => {
                return Err(FindError::Refused {
                    problem: format!("entra.app_id: no application with Application (client) ID {app_id} in this tenant"),
                    fix: "copy the Application (client) ID from the app's Overview page, or remove app_id to have the tool create one".into(),
                });
            }
            ([], None) => {}
            ([one], _) => app = Some(app_seen(one)),
            (many, _) => {
                return Err(FindError::Refused {
                    problem: format!(
                        "{} applications are named {:?}; the tool cannot tell which is this setup's",
                        many.len(),
                        desired.display_name
                    ),
                    fix: "set app_id under [entra] to the Application (client) ID of the one to use, or display_name to a name of its own".into(),
                });
            }
        }
    }
    // Identifiers are unique in a tenant: an earlier attempt made in the portal usually holds
    // the Entity ID already. Found before anything is written: adopted when it is this
    // federation's own, named otherwise (a PATCH would be refused half-way through a run).
    let mut adopted_by_identifier = None;
    if let Some(identifier) = desired.identifier.as_deref().filter(|i| {
        desired.protocol == cognito_entra_core::setup::Protocol::Saml && !i.starts_with('(')
    }) && !app
        .as_ref()
        .is_some_and(|a: &AppSeen| a.identifier_uris.iter().any(|u| u == identifier))
    {
        let filter = format!("identifierUris/any(x:x eq {})", literal(identifier));
        let found = graph
            .get(
                &format!("/applications?$filter={}", encode(&filter)),
                "look for the application that holds the Entity ID",
            )
            .await?;
        if let Some(holder) = found["value"].as_array().and_then(|a| a.first()) {
            let holder = app_seen(holder);
            match holds_identifier_for(&holder, desired, app.as_ref()) {
                Ok(()) => {
                    adopted_by_identifier = Some(holder.clone());
                    app = Some(holder);
                }
                Err(refused) => return Err(refused),
            }
        }
    }
    let principals = principals(graph, &desired.assign).await?;
    let Some(mut app) = app else {
        return Ok(Seen {
            principals,
            ..Seen::default()
        });
    };
    let sps = graph
        .get(
            &format!(
                "/servicePrincipals?$filter={}",
                encode(&format!("appId eq {}", literal(&app.app_id)))
            ),
            "read the enterprise application",
        )
        .await?;
    let mut sp = sps["value"].as_array().and_then(|a| a.first()).map(sp_seen);
    // The service principal an earlier run made may not be listed yet: read by its ID (as
    // long as it takes to replicate) rather than made a second time.
    if sp.is_none()
        && let Some(id) = recorded
            .filter(|r| r.app_id == app.app_id)
            .and_then(|r| r.service_principal_id.as_deref())
    {
        let path = format!("/servicePrincipals/{id}");
        match graph
            .get_replicated(&path, "read the enterprise application")
            .await
        {
            Ok(v) => sp = Some(sp_seen(&v)),
            Err(GraphError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // A certificate whose thumbprint the listing does not tell (no customKeyIdentifier in a
    // form the tool knows) is read in full, so that it is not added a second time.
    let untold = |v: &Value| {
        v["keyCredentials"].as_array().is_some_and(|keys| {
            keys.iter()
                .any(|k| k["usage"] != "Sign" && key_thumbprint(k).is_none())
        })
    };
    let listed = sps["value"].as_array().and_then(|a| a.first()).cloned();
    if let (Some(seen), Some(listed)) = (sp.as_mut(), listed)
        && untold(&listed)
    {
        let full = graph
            .get(
                &format!("/servicePrincipals/{}?$select=keyCredentials", seen.id),
                "read the signing certificates",
            )
            .await?;
        let told = sp_seen(&full).signing_certificates;
        let verify_keys = full["keyCredentials"]
            .as_array()
            .is_some_and(|keys| keys.iter().any(|k| k["usage"] == "Verify"));
        seen.signing_certificates = match (&seen.signing_thumbprint, told.is_empty()) {
            // Still not told: a Verify key beside a preferred thumbprint is taken to be that
            // certificate, rather than a new one made at every run.
            (Some(active), true) if verify_keys => vec![active.clone()],
            _ => told,
        };
    }
    let certificates_wanted = [
        &desired.verification_certificate,
        &desired.encryption_certificate,
    ]
    .iter()
    .any(|c| matches!(c, CognitoCertificate::Known { .. }));
    if certificates_wanted && app.keys.iter().any(|k| k.thumbprint.is_none()) {
        let full = graph
            .get(
                &format!("/applications/{}?$select=keyCredentials", app.id),
                "read the application's certificates",
            )
            .await?;
        app.keys = keys_seen(&full["keyCredentials"]);
    }
    if let Some(sp) = sp.as_mut()
        && !desired.assign.is_empty()
    {
        let assigned = graph
            .get_all(
                &format!("/servicePrincipals/{}/appRoleAssignedTo", sp.id),
                "read who is assigned",
            )
            .await?;
        sp.assigned = assigned
            .iter()
            .filter_map(|x| text(&x["principalId"]))
            .collect();
    }
    if let Some(sp) = sp.as_mut()
        && !desired.saml_claims.is_empty()
    {
        observe_claims_policy(
            graph,
            desired,
            sp,
            recorded.and_then(|r| r.creating.as_ref()),
        )
        .await?;
    }
    Ok(Seen {
        app: Some(app),
        sp,
        principals,
        adopted_by_identifier: adopted_by_identifier.map(|a| (a.display_name, a.app_id)),
    })
}

/// Whether the application that holds the setup's Entity ID may be taken as the setup's own:
/// no other application was found for the setup, and its reply URLs (if any) are on the
/// setup's Cognito domain — an earlier attempt at this same federation. Otherwise the run
/// stops, naming it.
fn holds_identifier_for(
    holder: &AppSeen,
    desired: &Desired,
    found: Option<&AppSeen>,
) -> Result<(), FindError> {
    let identifier = desired.identifier.clone().unwrap_or_default();
    let named = format!(
        "application {:?} (Application (client) ID {})",
        holder.display_name, holder.app_id
    );
    if let Some((_, other)) = desired
        .apps_of_other_setups
        .iter()
        .find(|(app_id, _)| *app_id == holder.app_id)
    {
        return Err(FindError::Refused {
            problem: format!(
                "the Entity ID {identifier} is held by {named}, which setup {other:?} has for this pool: a pool has one Entity ID, so in one tenant it has one Entra application, and two setups would overwrite each other's; nothing was written"
            ),
            fix: format!(
                "continue setup {other:?} instead (cognito-entra wizard --setup {other}), or federate this setup with another tenant (tenant under [entra])"
            ),
        });
    }
    if let Some(other) = found {
        return Err(FindError::Refused {
            problem: format!(
                "the Entity ID {identifier} is held by {named}, and this setup's application is {:?}: Entra allows one application per identifier",
                other.display_name
            ),
            fix: format!(
                "use that application (set app_id = \"{}\" under [entra]), or remove the identifier from it in Entra (Single sign-on › Basic SAML Configuration) and run again",
                holder.app_id
            ),
        });
    }
    let host = |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    let ours = host(&desired.reply_url);
    let elsewhere: Vec<&String> = holder
        .redirect_uris
        .iter()
        .filter(|u| host(u) != ours)
        .collect();
    if elsewhere.is_empty() {
        return Ok(());
    }
    Err(FindError::Refused {
        problem: format!(
            "the Entity ID {identifier} is held by {named}, whose Reply URLs ({}) are not this pool's domain: it is not this federation's, and Entra allows one application per identifier; nothing was written",
            elsewhere
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        fix: format!(
            "if it is an old attempt at this federation, set app_id = \"{}\" under [entra] to take it over; otherwise remove the identifier from it in Entra (Single sign-on › Basic SAML Configuration) and run again",
            holder.app_id
        ),
    })
}

/// What the Entra side gave: the application, and a new client secret (OIDC).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub record: GraphRecord,
    /// (the secret, its end date YYYY-MM-DD); registered with the scrubber, never saved.
    pub secret: Option<(String, String)>,
    /// The new secret's key ID (recorded as unclaimed until Cognito holds it).
    pub secret_key_id: Option<String>,
}

/// Makes the planned changes in order. `made` gets each object's IDs the moment it exists,
/// so that an interrupted run is finished by the next one, never duplicated.
pub async fn apply(
    graph: &Graph,
    desired: &Desired,
    seen: &Seen,
    changes: &[EntraChange],
    mut made: impl FnMut(&GraphRecord),
) -> Result<Outcome, GraphError> {
    let mut record = GraphRecord {
        application_id: seen.app.as_ref().map(|a| a.id.clone()).unwrap_or_default(),
        app_id: seen
            .app
            .as_ref()
            .map(|a| a.app_id.clone())
            .unwrap_or_default(),
        service_principal_id: seen.sp.as_ref().map(|s| s.id.clone()),
        created: false,
        unclaimed_secrets: desired.unclaimed_secrets.clone(),
        held_secret: desired.held_secret.clone(),
        creating: None,
        // A rotation's own steps: kept by the caller from its record (`GraphRecord::keep_rotation`).
        ..GraphRecord::default()
    };
    let mut secret = None;
    let mut secret_key_id = None;
    for change in changes {
        match change {
            // Found holding the Entity ID: recorded as the setup's, nothing written.
            EntraChange::AdoptApplication { .. } => made(&record),
            EntraChange::CreateEnterpriseApp { display_name } => {
                // The intent first: should the answer be lost, the next run looks for what
                // this made before it makes anything.
                record.creating = Some(PendingCreate::now(PendingCreate::APPLICATION));
                made(&record);
                let made_now = graph
                    .post(
                        &format!(
                            "/applicationTemplates/{}/instantiate",
                            graph.cloud().non_gallery_template()
                        ),
                        &json!({ "displayName": display_name }),
                        "create the enterprise application",
                    )
                    .await
                    .inspect_err(|e| forget_refused(&mut record, e, &mut made))?;
                record = GraphRecord {
                    application_id: text(&made_now["application"]["id"]).unwrap_or_default(),
                    app_id: text(&made_now["application"]["appId"]).unwrap_or_default(),
                    service_principal_id: text(&made_now["servicePrincipal"]["id"]),
                    created: true,
                    ..GraphRecord::default()
                };
                made(&record);
                graph.made(&record.application_id);
                if let Some(sp) = &record.service_principal_id {
                    graph.made(sp);
                }
                graph
                    .wait_until_there(
                        &format!("/applications/{}", record.application_id),
                        "the new application",
                        "wait for the new application",
                    )
                    .await?;
            }
            EntraChange::CreateAppRegistration {
                display_name,
                redirect_uri,
            } => {
                record.creating = Some(PendingCreate::now(PendingCreate::APPLICATION));
                made(&record);
                let made_now = graph
                    .post(
                        "/applications",
                        &json!({
                            "displayName": display_name,
                            "signInAudience": "AzureADMyOrg",
                            "web": { "redirectUris": [redirect_uri] },
                            // This setup's mark: a run whose answer was lost finds it by it.
                            "tags": [setup_tag(display_name)],
                        }),
                        "create the app registration",
                    )
                    .await
                    .inspect_err(|e| forget_refused(&mut record, e, &mut made))?;
                record = GraphRecord {
                    application_id: text(&made_now["id"]).unwrap_or_default(),
                    app_id: text(&made_now["appId"]).unwrap_or_default(),
                    service_principal_id: None,
                    created: true,
                    ..GraphRecord::default()
                };
                made(&record);
                graph.made(&record.application_id);
                graph
                    .wait_until_there(
                        &format!("/applications/{}", record.application_id),
                        "the new app registration",
                        "wait for the new app registration",
                    )
                    .await?;
            }
            EntraChange::CreateServicePrincipal => {
                let sp = match graph
                    .post_replicated(
                        "/servicePrincipals",
                        &json!({ "appId": record.app_id }),
                        "the new app registration",
                        "create the service principal",
                    )
                    .await
                {
                    Ok(sp) => sp,
                    // It exists already (an earlier run's, not yet listed when this run
                    // looked): Entra's unique key says so; it is waited for and taken.
                    Err(GraphError::Refused { code, .. })
                        if code == "Request_MultipleObjectsWithSameKeyValue" =>
                    {
                        let path = format!(
                            "/servicePrincipals?$filter={}",
                            encode(&format!("appId eq {}", literal(&record.app_id)))
                        );
                        graph
                            .until_replicated("the service principal", Some(&path), || async {
                                let listed =
                                    graph.get(&path, "read the enterprise application").await?;
                                listed["value"]
                                    .as_array()
                                    .and_then(|a| a.first())
                                    .cloned()
                                    .ok_or_else(|| GraphError::NotFound {
                                        operation: "read the enterprise application".into(),
                                        message: "not listed yet".into(),
                                    })
                            })
                            .await?
                    }
                    Err(e) => return Err(e),
                };
                record.service_principal_id = text(&sp["id"]);
                if let Some(id) = &record.service_principal_id {
                    graph.made(id);
                }
                made(&record);
            }
            EntraChange::SetSamlMode => {
                graph
                    .patch_replicated(
                        &sp_path(&record)?,
                        &json!({ "preferredSingleSignOnMode": "saml" }),
                        "set single sign-on to SAML",
                    )
                    .await?;
            }
            EntraChange::SetUrls {
                identifier_uris,
                redirect_uris,
                logout_url,
            } => {
                let mut web = json!({ "redirectUris": redirect_uris });
                if let Some(logout) = logout_url {
                    web["logoutUrl"] = json!(logout);
                }
                let mut body = json!({ "web": web });
                if !identifier_uris.is_empty() {
                    body["identifierUris"] = json!(identifier_uris);
                }
                graph
                    .patch_replicated(
                        &format!("/applications/{}", record.application_id),
                        &body,
                        "set the Identifier and Reply URL",
                    )
                    .await?;
            }
            EntraChange::SetOptionalClaims { id_token } => {
                // Graph replaces optionalClaims whole: what the application has (its access
                // and SAML token claims, each claim's source, essential and
                // additionalProperties) is sent back as it is, the missing names added.
                let path = format!("/applications/{}", record.application_id);
                let now = graph
                    .get_replicated(
                        &format!("{path}?$select=optionalClaims"),
                        "read the optional claims",
                    )
                    .await?;
                let mut claims = match &now["optionalClaims"] {
                    Value::Object(o) => Value::Object(o.clone()),
                    _ => json!({}),
                };
                if let Some(o) = claims.as_object_mut() {
                    o.remove("@odata.type");
                }
                let mut id_claims = claims["idToken"].as_array().cloned().unwrap_or_default();
                for name in id_token {
                    if !id_claims.iter().any(|c| c["name"] == name.as_str()) {
                        id_claims.push(json!({ "name": name }));
                    }
                }
                claims["idToken"] = Value::Array(id_claims);
                graph
                    .patch_replicated(
                        &path,
                        &json!({ "optionalClaims": claims }),
                        "add the ID token's optional claims",
                    )
                    .await?;
            }
            EntraChange::SetNotificationEmails { addresses, .. } => {
                // A collection: Graph replaces it whole with what is sent.
                graph
                    .patch_replicated(
                        &sp_path(&record)?,
                        &json!({ "notificationEmailAddresses": addresses }),
                        "set who is mailed before the SAML certificate expires",
                    )
                    .await?;
            }
            EntraChange::SetRelayState { relay_state } => {
                graph
                    .patch_replicated(
                        &sp_path(&record)?,
                        &json!({ "samlSingleSignOnSettings": { "relayState": relay_state } }),
                        "set the Relay State",
                    )
                    .await?;
            }
            EntraChange::AddSigningCertificate => {
                // No endDateTime: Graph's default is the longest it allows (three years from
                // creation); a date computed here could pass it by the time Graph reads it.
                let cert = graph
                    .post(
                        &format!("{}/addTokenSigningCertificate", sp_path(&record)?),
                        &json!({ "displayName": common_name(&desired.display_name) }),
                        "add a SAML signing certificate",
                    )
                    .await?;
                let thumbprint = text(&cert["thumbprint"])
                    .map(|t| t.trim().to_ascii_uppercase())
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| GraphError::Refused {
                        operation: "add a SAML signing certificate".into(),
                        code: "NoThumbprint".into(),
                        message: "Graph made the certificate but did not say its thumbprint, so it was not made active; run again (the next run finds it), or make it active in the portal (Single sign-on › SAML Certificates)".into(),
                    })?;
                wait_for_signing_key(graph, &record, &thumbprint).await?;
                make_active(graph, &record, &thumbprint).await?;
            }
            EntraChange::ActivateSigningCertificate { thumbprint } => {
                make_active(graph, &record, thumbprint).await?;
            }
            EntraChange::Assign { principal_id, .. } => {
                let sp = sp_path(&record)?;
                let read = graph
                    .get_replicated(&sp, "read the application's roles")
                    .await?;
                let role = user_role(&read["appRoles"]);
                graph
                    .post_replicated(
                        &format!("{sp}/appRoleAssignedTo"),
                        &json!({
                            "principalId": principal_id,
                            "resourceId": record.service_principal_id,
                            "appRoleId": role,
                        }),
                        "the enterprise application for the assignment",
                        "assign a user or group",
                    )
                    .await?;
            }
            EntraChange::AddVerificationCertificate { thumbprint } => {
                let cert = known(&desired.verification_certificate, thumbprint.as_deref())?;
                add_key(
                    graph,
                    &record,
                    cert,
                    "Verify",
                    "Cognito signing certificate",
                )
                .await?;
            }
            EntraChange::RequireSignedRequests => {
                let path = format!("/applications/{}", record.application_id);
                // The whole object is replaced: what else it says (allowed weak algorithms)
                // is sent back as it stands.
                let now = graph
                    .get_replicated(
                        &format!("{path}?$select=requestSignatureVerification"),
                        "read the request signature setting",
                    )
                    .await?;
                let mut setting = match &now["requestSignatureVerification"] {
                    Value::Object(o) => Value::Object(o.clone()),
                    _ => json!({}),
                };
                setting["isSignedRequestRequired"] = json!(true);
                if let Some(o) = setting.as_object_mut() {
                    o.remove("@odata.type");
                }
                graph
                    .patch_replicated(
                        &path,
                        &json!({ "requestSignatureVerification": setting }),
                        "require signed requests",
                    )
                    .await?;
            }
            EntraChange::AddEncryptionCertificate { thumbprint } => {
                let cert = known(&desired.encryption_certificate, thumbprint.as_deref())?;
                add_key(
                    graph,
                    &record,
                    cert,
                    "Encrypt",
                    "Cognito encryption certificate",
                )
                .await?;
            }
            EntraChange::ActivateEncryptionCertificate { thumbprint } => {
                let key_id = seen
                    .app
                    .as_ref()
                    .and_then(|a| a.key("Encrypt", thumbprint))
                    .map(|k| k.key_id.clone())
                    .ok_or_else(|| GraphError::Refused {
                        operation: "make the encryption certificate active".into(),
                        code: "NoSuchKey".into(),
                        message: format!(
                            "the application has no encryption certificate {thumbprint}"
                        ),
                    })?;
                graph
                    .patch_replicated(
                        &format!("/applications/{}", record.application_id),
                        &json!({ "tokenEncryptionKeyId": key_id }),
                        "make the encryption certificate active",
                    )
                    .await?;
            }
            EntraChange::SetGroupClaims => {
                graph
                    .patch_replicated(
                        &format!("/applications/{}", record.application_id),
                        &json!({ "groupMembershipClaims": "SecurityGroup" }),
                        "send the groups claim",
                    )
                    .await?;
            }
            EntraChange::CreateClaimsPolicy { claims } => {
                record.creating = Some(PendingCreate::now(PendingCreate::CLAIMS_POLICY));
                made(&record);
                let made_now = graph
                    .post(
                        "/policies/claimsMappingPolicies",
                        &json!({
                            "definition": policy_definition(claims),
                            "displayName": claims_policy_name(&desired.display_name),
                        }),
                        "make the claims-mapping policy",
                    )
                    .await
                    .inspect_err(|e| forget_refused(&mut record, e, &mut made))?;
                record.creating = None;
                made(&record);
                let id = text(&made_now["id"]).unwrap_or_default();
                graph.made(&id);
                assign_policy(graph, &sp_path(&record)?, &id).await?;
            }
            EntraChange::AssignClaimsPolicy { policy_id } => {
                assign_policy(graph, &sp_path(&record)?, policy_id).await?;
            }
            EntraChange::UpdateClaimsPolicy { policy_id, claims } => {
                graph
                    .patch_replicated(
                        &format!("/policies/claimsMappingPolicies/{policy_id}"),
                        &json!({ "definition": policy_definition(claims) }),
                        "add claims to the claims-mapping policy",
                    )
                    .await?;
            }
            EntraChange::AddSecret => {
                let end = time::OffsetDateTime::now_utc() + time::Duration::days(180);
                let added = graph
                    .post(
                        &format!("/applications/{}/addPassword", record.application_id),
                        &json!({ "passwordCredential": {
                            "displayName": "cognito-entra (Cognito's client secret)",
                            "endDateTime": end.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                        }}),
                        "make a client secret",
                    )
                    .await
                    .map_err(secret_refused)?;
                if let Some(value) = text(&added["secretText"]) {
                    cognito_entra_core::secrets::register(&value);
                    let ends = text(&added["endDateTime"])
                        .and_then(|e| e.get(..10).map(str::to_string))
                        .unwrap_or_default();
                    secret = Some((value, ends));
                }
                // Recorded at once: until Cognito holds it, it is live and nobody's.
                if let Some(key_id) = text(&added["keyId"]) {
                    record.unclaimed_secrets.push(key_id.clone());
                    made(&record);
                    secret_key_id = Some(key_id);
                }
            }
            EntraChange::RemoveUnclaimedSecret { key_id } => {
                let removed = graph
                    .post(
                        &format!("/applications/{}/removePassword", record.application_id),
                        &json!({ "keyId": key_id }),
                        "remove a client secret nobody holds",
                    )
                    .await;
                match removed {
                    // Gone already (removed in the portal, or by a lost answer's run).
                    Ok(_) | Err(GraphError::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
                record.unclaimed_secrets.retain(|k| k != key_id);
                made(&record);
            }
        }
    }
    Ok(Outcome {
        record,
        secret,
        secret_key_id,
    })
}

/// A create Graph refused outright made nothing: its recorded intent is taken back. No
/// answer at all leaves it recorded, timed from now — the moment the outcome became unknown
/// (a request held until the client gave up may still be done after) — so the next run
/// looks for it for a whole replication budget from here before it makes anything.
fn forget_refused(record: &mut GraphRecord, e: &GraphError, made: &mut impl FnMut(&GraphRecord)) {
    if matches!(e, GraphError::Http { .. }) {
        if let Some(pending) = record.creating.as_mut() {
            *pending = PendingCreate::now(&pending.what);
        }
    } else {
        record.creating = None;
    }
    made(record);
}

/// A client secret refused by the tenant's app management policy, named as such.
pub(crate) fn secret_refused(e: GraphError) -> GraphError {
    match e {
        GraphError::Refused {
            operation,
            code,
            message,
        } if code.starts_with("CredentialTypeNotAllowed")
            || code.starts_with("CredentialInvalidLifetime") =>
        {
            GraphError::Refused {
                operation,
                message: format!(
                    "{message} — this tenant's app management policy does not allow client secrets (or not this long-lived) on this application, and Cognito's OIDC provider needs one; ask an admin to exempt the application from the policy (Entra › Enterprise apps › App management policies), or use SAML, which needs no secret"
                ),
                code,
            }
        }
        other => other,
    }
}

/// Waits until the new signing certificate is in the service principal's keyCredentials
/// (Entra shows it there later than it answers; terraform-provider-azuread polls for it)
/// before it is made the active one.
pub(crate) async fn wait_for_signing_key(
    graph: &Graph,
    record: &GraphRecord,
    thumbprint: &str,
) -> Result<(), GraphError> {
    let path = format!("{}?$select=keyCredentials", sp_path(record)?);
    graph
        .until_replicated("the new signing certificate", Some(&path), || async {
            let read = graph.get(&path, "read the signing certificates").await?;
            let there = keys_seen(&read["keyCredentials"])
                .iter()
                .any(|k| k.usage == "Verify" && k.thumbprint.as_deref() == Some(thumbprint));
            if there {
                Ok(())
            } else {
                Err(GraphError::NotFound {
                    operation: "read the signing certificates".into(),
                    message: format!("certificate {thumbprint} not in keyCredentials yet"),
                })
            }
        })
        .await
}

/// The certificate a change hands Entra, as Cognito holds it now; a change planned for
/// another certificate than Cognito's is refused, not made.
fn known<'a>(
    certificate: &'a CognitoCertificate,
    planned: Option<&str>,
) -> Result<(&'a str, &'a str), GraphError> {
    match (certificate, planned) {
        (CognitoCertificate::Known { thumbprint, base64 }, Some(p))
            if thumbprint.eq_ignore_ascii_case(p) =>
        {
            Ok((thumbprint, base64))
        }
        _ => Err(GraphError::Refused {
            operation: "hand Entra Cognito's certificate".into(),
            code: "CertificateChanged".into(),
            message: "Cognito's certificate is not the one planned; run again to plan with the one it has now".into(),
        }),
    }
}

/// A new random (version 4) GUID for a key credential. Without the system's random source
/// nothing is written: a fixed ID could name another credential.
fn new_key_id(operation: &str) -> Result<String, GraphError> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| GraphError::Refused {
            operation: operation.to_string(),
            code: "NoRandomness".into(),
            message: "the system's random source did not answer; nothing was written, run again"
                .into(),
        })?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string())
}

/// Adds one of Cognito's certificates to the application's key credentials. Graph replaces
/// the whole collection, so the ones it has are read in full (with their certificates) and
/// sent back unchanged beside the new one; an encryption certificate is made the active one
/// in the same write.
async fn add_key(
    graph: &Graph,
    record: &GraphRecord,
    (thumbprint, base64): (&str, &str),
    usage: &str,
    name: &str,
) -> Result<(), GraphError> {
    let path = format!("/applications/{}", record.application_id);
    let current = graph
        .get_replicated(
            &format!("{path}?$select=keyCredentials"),
            "read the application's certificates",
        )
        .await?;
    let mut keys = current["keyCredentials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if let Some(partial) = keys
        .iter()
        .find(|k| k["key"].as_str().is_none_or(str::is_empty))
    {
        return Err(GraphError::Refused {
            operation: format!("add the {name}"),
            code: "KeyNotReadable".into(),
            message: format!(
                "Graph did not return certificate {} in full, and writing the list without it would remove it; add the {name} ({thumbprint}) in the portal instead",
                text(&partial["keyId"]).unwrap_or_default()
            ),
        });
    }
    let format = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let cert = parse_certificate(base64).map_err(|e| GraphError::Refused {
        operation: format!("add the {name}"),
        code: "NotACertificate".into(),
        message: format!("the certificate Cognito returned {e}"),
    })?;
    let key_id = new_key_id(&format!("add the {name}"))?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap_or_default();
    keys.push(json!({
        "keyId": key_id,
        // Binary, by default the thumbprint: sent as its bytes in base64, as Graph stores it.
        "customKeyIdentifier": base64::engine::general_purpose::STANDARD.encode(thumbprint_bytes(&der)),
        "type": "AsymmetricX509Cert",
        "usage": usage,
        "key": base64,
        "displayName": format!("CN={name}"),
        "startDateTime": format(cert.not_before),
        "endDateTime": format(cert.not_after),
    }));
    let body = json!({ "keyCredentials": keys });
    if usage != "Encrypt" {
        return graph
            .patch_replicated(&path, &body, &format!("add the {name}"))
            .await
            .map(|_| ());
    }
    // Token encryption as Microsoft's how-to does it: the key first, then, in a second
    // request, the key ID Entra encrypts to. Graph's v1.0 refuses usage "Encrypt" for some
    // tenants and SDKs ("Acceptable values are Sign, Verify": msgraph-sdk-dotnet #1869,
    // msgraph-sdk-java #1823); the how-to's own endpoint, /beta, takes it.
    let operation = format!("add the {name}");
    let on_beta = match graph.patch_replicated(&path, &body, &operation).await {
        Ok(_) => false,
        Err(GraphError::Refused { message, .. }) if message.contains("Acceptable values") => {
            graph
                .patch_beta(&path, &body, &operation)
                .await
                .map_err(|e| with_portal_steps(e, name))?;
            true
        }
        Err(e) => return Err(with_portal_steps(e, name)),
    };
    let activate = json!({ "tokenEncryptionKeyId": key_id });
    let operation = format!("make the {name} the one Entra encrypts to");
    if on_beta {
        graph.patch_beta(&path, &activate, &operation).await
    } else {
        graph.patch_replicated(&path, &activate, &operation).await
    }
    .map(|_| ())
    .map_err(|e| with_portal_steps(e, name))
}

/// Graph would not take Cognito's encryption certificate: its own words, and where the admin
/// does the same in the portal.
fn with_portal_steps(e: GraphError, name: &str) -> GraphError {
    match e {
        GraphError::Refused {
            operation,
            code,
            message,
        } => GraphError::Refused {
            operation,
            code,
            message: format!(
                "{message} — hand Entra the {name} in the portal instead: Enterprise applications › the app › Token encryption › Import certificate (the .cer file apply wrote), then ⋯ › Activate token encryption certificate"
            ),
        },
        other => other,
    }
}

/// Makes the signing certificate with this thumbprint the one Entra signs with.
pub(crate) async fn make_active(
    graph: &Graph,
    record: &GraphRecord,
    thumbprint: &str,
) -> Result<(), GraphError> {
    graph
        .patch_replicated(
            &sp_path(record)?,
            &json!({ "preferredTokenSigningKeyThumbprint": thumbprint }),
            "make the signing certificate active",
        )
        .await
        .map(|_| ())
}

pub(crate) fn sp_path(record: &GraphRecord) -> Result<String, GraphError> {
    record
        .service_principal_id
        .as_ref()
        .map(|id| format!("/servicePrincipals/{id}"))
        .ok_or_else(|| GraphError::Refused {
            operation: "configure the enterprise application".into(),
            code: "NoServicePrincipal".into(),
            message: "the application has no service principal".into(),
        })
}

/// The role a user or group is assigned to sign in with, as the portal's "Add user/group"
/// gives it: the application's default `User` role (a non-gallery application has two,
/// `User` and `msiam_access`, in no promised order; Microsoft's SAML-over-Graph tutorial
/// assigns `User`), else `msiam_access` (a gallery application's only default role), else any
/// enabled role users may hold, else default access (an application without roles).
fn user_role(roles: &serde_json::Value) -> String {
    let usable: Vec<&serde_json::Value> = roles
        .as_array()
        .map(|roles| {
            roles
                .iter()
                .filter(|r| {
                    r["isEnabled"] != false
                        && r["allowedMemberTypes"]
                            .as_array()
                            .is_some_and(|t| t.iter().any(|m| m == "User"))
                })
                .collect()
        })
        .unwrap_or_default();
    let named = |name: &str| {
        usable
            .iter()
            .find(|r| r["displayName"] == name && r["value"].is_null())
            .copied()
    };
    named("User")
        .or_else(|| named("msiam_access"))
        .or_else(|| usable.first().copied())
        .and_then(|r| text(&r["id"]))
        .unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into())
}

/// The application that has this Application (client) ID, or (SAML) holds this identifier
/// among its identifierUris: what `import --entra graph` records for a federation made by
/// hand. Identifiers and application IDs are unique in a tenant, so one at most.
pub async fn find_application(
    graph: &Graph,
    app_id: Option<&str>,
    identifier: Option<&str>,
) -> Result<Option<cognito_entra_core::import::AppFound>, GraphError> {
    let filter = match (app_id, identifier) {
        (Some(app_id), _) => format!("appId eq {}", literal(app_id)),
        (None, Some(identifier)) => format!("identifierUris/any(x:x eq {})", literal(identifier)),
        (None, None) => return Ok(None),
    };
    let found = graph
        .get(
            &format!("/applications?$filter={}", encode(&filter)),
            "look for the federation's application",
        )
        .await?;
    Ok(found["value"]
        .as_array()
        .and_then(|list| list.first())
        .map(|app| cognito_entra_core::import::AppFound {
            object_id: text(&app["id"]).unwrap_or_default(),
            app_id: text(&app["appId"]).unwrap_or_default(),
            display_name: text(&app["displayName"]).unwrap_or_default(),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_name_is_one_common_name_whatever_it_holds() {
        assert_eq!(common_name("Corp SSO"), "CN=Corp SSO");
        assert_eq!(
            common_name("Contoso, EMEA + Sales"),
            "CN=Contoso\\, EMEA \\+ Sales"
        );
        assert_eq!(
            common_name("#1 \"app\"; a=b"),
            "CN=\\#1 \\\"app\\\"\\; a\\=b"
        );
    }

    #[test]
    fn the_portals_claims_are_restated_where_a_policy_can_and_named_where_it_cannot() {
        let user = |id: &str, extension: bool| {
            json!([{ "attribute": {
                "@odata.type": "#microsoft.graph.sourcedAttribute",
                "source": "user", "id": id, "isExtensionAttribute": extension,
            }}])
        };
        let policy = json!({
            "claims": [
                { "@odata.type": "#microsoft.graph.samlNameIdClaim", "configurations": user("mail", false) },
                { "@odata.type": "#microsoft.graph.customClaim", "name": "jobtitle",
                  "namespace": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims",
                  "tokenFormat": ["saml"], "configurations": user("user.jobtitle", false) },
                { "@odata.type": "#microsoft.graph.customClaim", "name": "costcenter",
                  "tokenFormat": ["saml"], "configurations": user("extension_ab12_costCenter", true) },
                { "@odata.type": "#microsoft.graph.customClaim", "name": "jwtonly",
                  "tokenFormat": ["jwt"], "configurations": user("department", false) },
                { "@odata.type": "#microsoft.graph.customClaim", "name": "role",
                  "tokenFormat": ["saml"], "configurations": [{ "attribute": {
                      "@odata.type": "#microsoft.graph.sourcedAttribute",
                      "source": "application", "id": "appRoles" } }] },
            ]
        });
        let seen = portal_claims_seen(&policy);
        assert_eq!(
            seen.claims,
            vec![
                SamlClaim {
                    claim: NAME_ID_CLAIM.into(),
                    source: "mail".into()
                },
                SamlClaim {
                    claim: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/jobtitle".into(),
                    source: "jobtitle".into()
                },
            ]
        );
        assert_eq!(seen.untranslatable.len(), 2, "{:?}", seen.untranslatable);
        assert!(seen.untranslatable[0].starts_with("costcenter (from the directory extension"));
        assert!(seen.untranslatable[1].starts_with("role (from application.appRoles"));
    }
}
