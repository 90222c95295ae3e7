//! What a step's work found, recorded in the state in one place and worded once for every
//! face: a pool read, a domain check, the Cognito side prepared, an Entra document checked.

use crate::state::State;
use cognito_entra_entra::{Fact, Finding, discovery, metadata};

use crate::journey::questions::{AccountRead, Found, PoolRead};

/// The credentials were checked: the account's pools, and whose the credentials are.
pub fn pools_listed(found: &mut Found, read: AccountRead) {
    found.pools = read.pools;
    found.identity = read.identity;
    found.pools_listed = true;
}

/// The pools the other saved setups use, so that a pool's option says so (read with the
/// account's pools; an unreadable setup says nothing).
pub fn pools_in_use(found: &mut Found, store: &crate::state::StateStore) {
    found.pools_in_use = store
        .list()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|summary| {
            let state = summary.state.ok()?;
            Some((state.pool_id()?.to_string(), summary.name))
        })
        .collect();
}

/// An adopted pool was read: its domain is kept, its required attributes must be mapped, its
/// clients are offered.
pub fn pool_read(state: &mut State, found: &mut Found, read: PoolRead) {
    state.aws.required_attributes = Some(read.required);
    found.pool_domain = read.domain;
    found.clients = read.clients;
    found.pool_read = Some(read.id);
}

/// The Cognito side exists (pool, domain, client): their IDs are recorded, and the "prepare"
/// change counts as applied with each change it made (what the setup created, for `destroy`,
/// `setups` and the plan).
pub fn prepared(state: &mut State, prepared: &crate::engine::Prepared) {
    state.record_ids(&prepared.ids);
    for id in &prepared.applied {
        state.record_applied(id.clone());
    }
    state.record_applied("prepare".into());
    // A pool made just now requires nothing; an adopted one was read on the pool step.
    if state.aws.required_attributes.is_none() {
        state.aws.required_attributes = Some(Vec::new());
    }
}

/// A change of the reviewed plan is applied: its IDs and its id are recorded. A provider
/// change that handed Cognito the client secret Graph made this session (`graph_secret`)
/// marks that secret held: it is no longer a live secret nobody holds.
pub fn change_applied(
    state: &mut State,
    change: &crate::plan::Change,
    ids: &cognito_entra_cognito::apply::Ids,
    graph_secret: bool,
) {
    state.record_ids(ids);
    state.record_applied(change.id());
    let hands_secret = matches!(
        &change.payload,
        crate::plan::Payload::CreateProvider(p) | crate::plan::Payload::UpdateProvider(p)
            if p.details.contains_key("client_secret")
    );
    if graph_secret
        && hands_secret
        && let Some(record) = state.entra.graph.as_mut()
        && let Some(newest) = record.unclaimed_secrets.last().cloned()
    {
        record.secret_held(&newest);
    }
}

/// Whether a prefix can be used, and the line that says so. `owner` is the pool that holds
/// the prefix (`None`: free), or why the check failed.
pub fn domain_verdict(
    prefix: &str,
    region: &str,
    pool_id: Option<&str>,
    owner: Result<Option<&str>, &crate::engine::Error>,
) -> (bool, String) {
    match owner {
        Ok(None) => (
            true,
            format!("{prefix}.auth.{region}.amazoncognito.com is available"),
        ),
        Ok(Some(owner)) if Some(owner) == pool_id => {
            (true, format!("{prefix} is already this pool's domain"))
        }
        Ok(Some(_)) => (
            false,
            format!(
                "{prefix} is taken by another user pool (prefixes are unique per region across all accounts): choose another"
            ),
        ),
        Err(e) => (
            false,
            format!(
                "could not check {prefix}: {}",
                e.to_string().lines().next().unwrap_or_default()
            ),
        ),
    }
}

/// What an Entra check found, as every face shows it.
#[derive(Debug, Clone, Default)]
pub struct EntraChecked {
    pub findings: Vec<Finding>,
    pub facts: Vec<Fact>,
    /// No error: the step may go on.
    pub usable: bool,
}

/// The metadata was checked: its tenant and signing certificates are recorded.
pub fn metadata_checked(
    state: &mut State,
    report: &metadata::Report,
    now: time::OffsetDateTime,
) -> EntraChecked {
    let mut facts = Vec::new();
    if let Some(md) = &report.metadata {
        facts = metadata::facts(md, now);
        state.record_entra(md.tenant_id.clone(), Some(md));
    }
    EntraChecked {
        findings: report.findings.clone(),
        facts,
        usable: !report.has_errors(),
    }
}

/// The tenant's discovery document was checked: the tenant's GUID (a domain typed as the
/// tenant becomes its GUID) is recorded in the answers and the Entra record.
pub fn tenant_checked(state: &mut State, report: &discovery::Report) -> EntraChecked {
    let mut facts = Vec::new();
    if let Some(d) = &report.discovery {
        facts.push(Fact::fine("Issuer", d.issuer.clone()));
        facts.push(Fact::fine("Token URL", d.token_url.clone()));
        let mut o = state.answers.oidc();
        o.tenant_id = Some(d.tenant_id.clone());
        state.answers.oidc = Some(o);
        state.record_entra(Some(d.tenant_id.clone()), None);
    }
    EntraChecked {
        findings: report.findings.clone(),
        facts,
        usable: report.discovery.is_some() && !report.has_errors(),
    }
}

/// What Graph made on the Entra step, into the state as the admin would have given it: the
/// app's metadata URL (SAML) or its tenant and client ID (OIDC), the objects' IDs, the
/// secret's end date, the portal's checklist done, and `[entra] mode = "graph"`. The secret comes back (memory only).
pub fn entra_made(
    state: &mut State,
    made: crate::entra_graph::Made,
    authority: &str,
) -> Option<String> {
    let waiting = made
        .waiting
        .as_ref()
        .map(|s| s.changes.clone())
        .unwrap_or_default();
    tick(
        state,
        &crate::journey::finish_done_by_graph(&state.answers, &waiting),
    );
    crate::entra_graph::give_to_cognito(
        &mut state.answers,
        authority,
        &made.tenant,
        &made.record.app_id,
    );
    state.entra.graph = Some(made.record);
    state.entra.tenant_id = Some(made.tenant);
    // The saved setup says who does its Entra side: `plan` and `apply` go through Graph too
    // (reading it, handing over Cognito's certificates) instead of sending the admin to the
    // portal for what Graph did.
    state.answers.entra.mode = crate::setup::model::EntraMode::Graph;
    let secret = made.secret.map(|(secret, ends)| {
        crate::secrets::register(&secret);
        state.entra.client_secret_expires = Some(ends);
        secret
    });
    for item in crate::journey::entra_checklist(&state.answers) {
        if !state.progress.checklist.iter().any(|c| c == item.id) {
            state.progress.checklist.push(item.id.to_string());
        }
    }
    secret
}

/// Cognito's certificates handed to Entra through Graph (`entra_graph::finish`): the
/// portal's certificate actions of the last step are done.
pub fn entra_finished(state: &mut State) {
    tick(
        state,
        &crate::journey::finish_done_by_graph(&state.answers, &[]),
    );
}

fn tick(state: &mut State, ids: &[&str]) {
    for id in ids {
        if !state.progress.checklist.iter().any(|c| c == id) {
            state.progress.checklist.push(id.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_usable_when_free_or_the_pools_own() {
        assert!(domain_verdict("a", "eu-west-1", None, Ok(None)).0);
        assert!(domain_verdict("a", "eu-west-1", Some("p1"), Ok(Some("p1"))).0);
        let (usable, said) = domain_verdict("a", "eu-west-1", Some("p1"), Ok(Some("p2")));
        assert!(!usable);
        assert!(said.contains("taken by another user pool"), "{said}");
        let failed = crate::engine::Error::Local("timed out\nfix: x".into());
        let (usable, said) = domain_verdict("a", "eu-west-1", None, Err(&failed));
        assert!(!usable && said.ends_with("timed out"), "{said}");
    }
}
