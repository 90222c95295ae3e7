//! A customer's Entra side, done in their tenant by their admin: the kit handed over
//! (`handoff`), their reply taken back and checked on the spot like the wizard's step 8
//! (`accept`), and the customer's own run (`entra_side`), which signs in to their tenant
//! only and makes the application as the tool's Graph mode does — without reading, or
//! needing, anything of AWS.

use std::path::Path;

use crate::engine::{Error, Job};
use crate::entra_app::{CognitoCertificate, Desired};
use crate::entra_graph::{self, GraphOptions, TenantChoice};
use crate::kit::{Given, KIT_VERSION, Kit, Reply};
use crate::run::{Face, Stopped};
use crate::setup::derive::derive;
use crate::setup::model::EntraMode;
use crate::setup::{Protocol, Setup};
use crate::state::{Handoff, State, StateStore, now_rfc3339};
use cognito_entra_cognito::apply::Ids;

/// The kit for a setup whose pool, domain and app client exist (a customer joins a shared
/// pool): the values their Entra needs, read from the account as it stands. Reads only.
pub async fn make_kit(job: &Job) -> Result<(Kit, Ids), Error> {
    let setup = &job.setup;
    if setup.entra.mode == EntraMode::Graph {
        return Err(Error::Refused(format!(
            "[entra] mode is \"graph\": the tool would do the Entra side itself, but a kit hands it to the customer's admin\n  fix: set mode = \"manual\" under [entra] (or drop it) for {:?}",
            setup.name
        )));
    }
    if setup.protocol == Protocol::Saml && setup.saml().encrypted_responses {
        return Err(Error::Refused(
            "saml.encrypted_responses: Cognito makes its encryption certificate only with the provider, which is made after the customer's reply, so a kit cannot carry it\n  fix: set encrypted_responses = false for the hand-over, and turn it on after `apply` (the customer's admin then imports the certificate `apply` writes)".into(),
        ));
    }
    let (plan, api, ids) = crate::engine::prepare_plan_with(job).await?;
    // What Cognito would refuse whatever the customer sends back is said now, not after
    // their admin's work.
    crate::engine::preflight(job, crate::plan::Options::default())
        .await
        .map_err(|e| {
            Error::Refused(format!(
                "`apply` would refuse this setup whatever the customer sends back, so no kit is handed over:\n{e}"
            ))
        })?;
    if !plan.is_empty() {
        return Err(Error::Refused(format!(
            "the kit names the user pool, its domain and the app client, and these do not all exist yet:\n{}  fix: make them first (`cognito-entra apply` of a setup on this pool, or the wizard), or name existing ones (user_pool.id, domain.prefix, app_client.id); nothing was written",
            plan.render()
        )));
    }
    let mut known = job.known.clone();
    known.user_pool_id = ids.user_pool_id.clone().or(known.user_pool_id);
    known.client_id = ids.client_id.clone().or(known.client_id);
    let values = derive(setup, &known, &job.authority);
    let pending = |key: &str| {
        let why = values
            .pending
            .iter()
            .find(|p| p.key == key)
            .map_or("the account".to_string(), |p| p.waits_for.clone());
        Error::Refused(format!(
            "the kit needs {key}, which waits for {why}\n  fix: name it in the setup (user_pool.id, domain.prefix, app_client.id, app_client.callback_urls), then run handoff again"
        ))
    };
    let saml = setup.saml();
    let is_saml = setup.protocol == Protocol::Saml;
    let reply_url = if is_saml {
        values
            .reply_url
            .clone()
            .ok_or_else(|| pending("reply_url"))?
    } else {
        values
            .redirect_uri
            .clone()
            .ok_or_else(|| pending("redirect_uri"))?
    };
    let entity_id = if is_saml {
        Some(
            values
                .entity_id
                .clone()
                .ok_or_else(|| pending("entity_id"))?,
        )
    } else {
        None
    };
    let relay_state = if setup.idp_initiated() {
        Some(
            values
                .relay_state
                .clone()
                .ok_or_else(|| pending("relay_state"))?,
        )
    } else {
        None
    };
    let logout_url = if setup.idp_signout() {
        Some(
            values
                .logout_url
                .clone()
                .ok_or_else(|| pending("logout_url"))?,
        )
    } else {
        None
    };
    // Entra verifies signed requests and sign-out requests with Cognito's signing
    // certificate: public, and the pool's own.
    let signing_certificate = if is_saml && (saml.sign_requests || saml.idp_signout) {
        let pool = known.user_pool_id.clone().unwrap_or_default();
        use cognito_entra_cognito::api::CognitoApi;
        let text = api
            .get_signing_certificate(&pool)
            .await
            .map_err(|e| Error::aws(&e, &job.aws))?;
        match CognitoCertificate::from_cognito(&text) {
            Ok(CognitoCertificate::Known { base64, .. }) => Some(base64),
            Ok(_) => None,
            Err(e) => {
                return Err(Error::Refused(format!(
                    "Cognito's signing certificate {e}\n  fix: run handoff again; if it stays so, turn sign_requests and idp_signout off for the hand-over"
                )));
            }
        }
    } else {
        None
    };
    let mut kit = Kit {
        kit_version: KIT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        setup: setup.name.clone(),
        protocol: setup.protocol,
        // The global cloud is the kit's default, and a kit that does not name one is read
        // by every version.
        cloud: setup
            .entra
            .cloud()
            .filter(|c| *c != crate::cloud::Cloud::Global)
            .map(|c| c.to_string()),
        display_name: setup
            .entra
            .display_name
            .clone()
            .unwrap_or_else(|| setup.name.clone()),
        entity_id,
        reply_url,
        sign_on_url: values.sign_in_url.clone(),
        relay_state,
        logout_url,
        sign_requests: is_saml && saml.sign_requests,
        signing_certificate,
        claims: setup.attribute_mapping(),
        assign: setup.entra.assign.clone(),
    };
    kit.kit_version = kit.version_needed();
    kit.check()
        .map_err(|r| Error::Refused(format!("the kit made from this setup {r}")))?;
    Ok((kit, ids))
}

/// The setup saved as waiting for its customer, with the kit handed over. The same kit
/// handed over again keeps its first date and an accepted reply; another kit (the setup or
/// the account changed) waits for a new reply.
/// Returns when the reply this same kit was answered with was accepted, when it was kept.
pub fn record_handoff(
    store: &StateStore,
    answers: &Setup,
    kit: &Kit,
    ids: &Ids,
) -> Result<Option<String>, Stopped> {
    let lock = store.lock(&answers.name)?;
    let mut state = store
        .load(&answers.name)?
        .unwrap_or_else(|| State::new(answers.clone()));
    let before = std::mem::replace(&mut state.answers, answers.clone());
    state.record_ids(ids);
    let same = state.handoff.as_ref().is_some_and(|h| h.kit == *kit);
    // The same kit handed over again keeps the reply it was answered with: the setup file
    // does not hold what the customer sent, the saved setup does.
    if same && state.handoff.as_ref().is_some_and(|h| h.accepted.is_some()) {
        crate::journey::customer_reply::keep_reply(&before, &mut state.answers);
    }
    if !same {
        state.handoff = Some(Handoff {
            at: now_rfc3339(),
            kit: kit.clone(),
            accepted: None,
        });
    }
    lock.save(&mut state)?;
    Ok(state.handoff.and_then(|h| h.accepted))
}

/// What `accept` took: what the setup now holds, and what the checks noted beside it.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub given: Given,
    pub notes: Vec<String>,
}

fn refused(text: String) -> Stopped {
    Stopped::Failed(format!("{text}\nNothing was recorded."))
}

/// The customer's reply file, held against the kit handed over, checked on the spot
/// (`check_reply`) and recorded in the setup; `apply` then makes the provider.
pub async fn accept(
    store: &StateStore,
    name: &str,
    reply_text: &str,
    authority: &str,
) -> Result<Accepted, Stopped> {
    if store.load_existing(name)?.handoff.is_none() {
        return Err(no_kit(name));
    }
    let reply = Reply::parse(reply_text).map_err(|r| refused(format!("error: {r}")))?;
    let accepted = check_reply(store, name, &reply, authority).await?;
    let lock = store.lock(name)?;
    let mut state = store.load_existing(name)?;
    crate::journey::customer_reply::record(&mut state, &accepted.given);
    lock.save(&mut state)?;
    Ok(accepted)
}

fn no_kit(name: &str) -> Stopped {
    refused(format!(
        "error: setup {name:?} has no kit handed over, so there is nothing a reply could answer\n  fix: run `cognito-entra handoff --setup {name} --out DIR` first and send the customer its kit"
    ))
}

/// A customer's reply (a file's, or values pasted in the wizard) held against the kit handed
/// over and checked on the spot as the wizard's step 8 checks what comes back from Entra:
/// the metadata fetched and judged, or the tenant's discovery read. Reads only: the face
/// records what it gives (`customer_reply::record`) under the setup's lock.
pub async fn check_reply(
    store: &StateStore,
    name: &str,
    reply: &Reply,
    authority: &str,
) -> Result<Accepted, Stopped> {
    let state = store.load_existing(name)?;
    let Some(handoff) = &state.handoff else {
        return Err(no_kit(name));
    };
    let given = reply
        .check_against(&handoff.kit)
        .map_err(|r| refused(format!("error: {}", r.to_saas_admin())))?;
    // One application answers one setup: another setup's application is not this one's.
    let app = match &given {
        Given::Saml { metadata_url, .. } => crate::kit::metadata_app_id(metadata_url),
        Given::Oidc { client_id, .. } => Some(client_id.clone()),
    };
    if let Some(app) = &app
        && let Some(other) = setup_holding_app(store, name, app)
    {
        return Err(refused(format!(
            "error: the reply: {} names application {app}, which is setup {other:?}'s: the customer sent another application's values\n  fix: ask the customer's Entra admin for the values of the application made from the {name:?} kit",
            if reply.protocol == Protocol::Saml {
                "metadata_url"
            } else {
                "client_id"
            }
        )));
    }
    let notes = check_in_entra(&given, authority, SAAS)
        .await
        .map_err(refused)?;
    Ok(Accepted { given, notes })
}

/// Whose values Entra judged, for the words of a refusal: what did not happen, and the fixes.
#[derive(Clone, Copy)]
struct Side {
    outcome: &'static str,
    fix: &'static str,
    two_tenants: &'static str,
}

/// The SaaS admin's, taking a customer's reply.
const SAAS: Side = Side {
    outcome: "the reply is not accepted",
    fix: "send the customer's Entra admin the error above; the kit page says where each value is",
    two_tenants: "ask the customer's Entra admin for the values of one application in their own tenant",
};
/// The customer's admin's, checking their own values before they are sent.
const CUSTOMER: Side = Side {
    outcome: "it cannot go in the reply",
    fix: "check the value on the page the step names (the application's Single sign-on page, or the app registration's Overview) and paste it again",
    two_tenants: "copy both values from the one application you made, in your own tenant",
};

/// What a reply's values point at, checked on the spot as the wizard's step 8 checks what
/// comes back from Entra: the metadata fetched and judged, or the tenant's discovery read,
/// and of the tenant the values name. Returns the warnings and notes; errors refuse.
async fn check_in_entra(given: &Given, authority: &str, side: Side) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let judged = |findings: &[cognito_entra_entra::Finding], notes: &mut Vec<String>| {
        let mut errors = Vec::new();
        for f in findings {
            match f.level {
                cognito_entra_entra::Level::Error => errors.push(format!("error: {}", f.message)),
                cognito_entra_entra::Level::Warning => {
                    notes.push(format!("warning: {}", f.message))
                }
                _ => notes.push(format!("note: {}", f.message)),
            }
        }
        errors
    };
    let (errors, seen_tenant, what) = match given {
        Given::Saml { metadata_url, .. } => {
            let report =
                crate::engine::check_metadata(metadata_url, authority, Path::new(".")).await;
            let errors = judged(&report.findings, &mut notes);
            let tenant = report.metadata.and_then(|m| m.tenant_id);
            (errors, tenant, format!("the metadata at {metadata_url}"))
        }
        Given::Oidc { tenant, .. } => {
            let report = crate::engine::check_tenant(tenant, authority).await;
            let errors = judged(&report.findings, &mut notes);
            let seen = report.discovery.map(|d| d.tenant_id);
            (errors, seen, format!("the tenant {tenant}"))
        }
    };
    if !errors.is_empty() {
        return Err(format!(
            "{what} is not usable, so {}:\n{}\n  fix: {}",
            side.outcome,
            errors.join("\n"),
            side.fix
        ));
    }
    if let Some(seen) = seen_tenant
        && !seen.eq_ignore_ascii_case(given.tenant())
    {
        return Err(format!(
            "error: {what} is of tenant {seen}, but the reply names tenant {}: the values are of two tenants\n  fix: {}",
            given.tenant(),
            side.two_tenants
        ));
    }
    Ok(notes)
}

/// The customer's own values (typed or pasted on their side, working from the kit by hand):
/// held against the kit as a reply is, and checked in Entra as the SaaS admin's `accept`
/// will check them, so what they send back is taken. Returns the reply to write, and notes.
pub async fn check_own_answer(
    kit: &Kit,
    reply: &Reply,
    authority: &str,
) -> Result<Vec<String>, Stopped> {
    let given = reply
        .check_against(kit)
        .map_err(|r| Stopped::Failed(format!("error: {r}")))?;
    check_in_entra(&given, authority, CUSTOMER)
        .await
        .map_err(|e| Stopped::Failed(format!("{e}\nNo reply was written.")))
}

/// The saved setup (other than `me`) whose Entra application is `app_id`, as its answers or
/// its Graph record say.
fn setup_holding_app(store: &StateStore, me: &str, app_id: &str) -> Option<String> {
    let list = store.list().ok()?;
    list.into_iter().find_map(|summary| {
        let state = summary.state.ok()?;
        if summary.name == me {
            return None;
        }
        let answers = &state.answers;
        let holds = answers
            .saml
            .as_ref()
            .and_then(|s| s.metadata_url.as_deref())
            .and_then(crate::kit::metadata_app_id)
            .is_some_and(|a| a.eq_ignore_ascii_case(app_id))
            || answers
                .oidc
                .as_ref()
                .and_then(|o| o.client_id.as_deref())
                .is_some_and(|a| a.eq_ignore_ascii_case(app_id))
            || state
                .entra
                .graph
                .as_ref()
                .is_some_and(|g| g.app_id.eq_ignore_ascii_case(app_id));
        holds.then_some(summary.name)
    })
}

/// The application the kit asks for, as the tool's Graph mode wants it (the same
/// definitions: the claims Entra is made to send, the optional ID token claims). No client
/// secret is made: the customer's admin makes one and hands it over out of band.
pub fn desired_from_kit(kit: &Kit, assign: &[String]) -> Result<Desired, Stopped> {
    let mut setup = kit.as_setup();
    for a in assign {
        if !setup.entra.assign.contains(a) {
            setup.entra.assign.push(a.clone());
        }
    }
    let (claims, groups) = crate::journey::graph_claims(&setup);
    let verification_certificate = match &kit.signing_certificate {
        Some(cert) => CognitoCertificate::from_cognito(cert)
            .map_err(|e| Stopped::Failed(format!("error: the kit: signing_certificate {e}")))?,
        None => CognitoCertificate::NotNeeded,
    };
    Ok(Desired {
        protocol: kit.protocol,
        display_name: kit.display_name.clone(),
        app_id: None,
        identifier: kit.entity_id.clone(),
        reply_url: kit.reply_url.clone(),
        logout_url: kit.logout_url.clone(),
        relay_state: kit.relay_state.clone(),
        needs_secret: false,
        assign: setup.entra.assign.clone(),
        id_token_claims: crate::journey::needed_id_token_claims(&setup),
        verification_certificate,
        require_signed_requests: kit.sign_requests,
        encryption_certificate: CognitoCertificate::NotNeeded,
        saml_claims: claims,
        group_claims: groups,
        unclaimed_secrets: Vec::new(),
        held_secret: None,
        apps_of_other_setups: Vec::new(),
        notify: Vec::new(),
    })
}

/// What the customer's run made: the reply to send back, and whether it changed anything.
pub struct CustomerDone {
    pub reply: Reply,
    pub changes: usize,
}

/// The customer's side: signs in to their tenant, shows the plan for it, makes the
/// application (asked first unless `yes`), and gives the reply. Nothing of AWS is read.
pub async fn entra_side(
    options: &GraphOptions,
    kit: &Kit,
    assign: &[String],
    yes: bool,
    face: &mut impl Face,
) -> Result<CustomerDone, Stopped> {
    let desired = desired_from_kit(kit, assign)?;
    let setup = {
        let mut s = kit.as_setup();
        s.entra.assign.clone_from(&desired.assign);
        s
    };
    let options = GraphOptions {
        needs: entra_graph::needs(&setup),
        ..options.clone()
    };
    let tenant = TenantChoice {
        required: options.tenant.clone(),
        hint: None,
    };
    face.note("Signing in to Entra for Microsoft Graph…");
    let failed = |e: Error| Stopped::Failed(format!("error: {e}"));
    let graph = entra_graph::sign_in(&options, &tenant, |p| face.sign_in(p))
        .await
        .map_err(failed)?;
    let tenant = graph.tenant().ok_or_else(|| {
        Stopped::Failed("error: the sign-in did not say which tenant it is: sign in with a work or school account of your tenant (not a personal Microsoft account)".into())
    })?;
    face.note(&format!("Signed in to tenant {tenant}."));
    let (seen, changes) = entra_graph::plan(&graph, &desired, None)
        .await
        .map_err(failed)?;
    face.show(&format!(
        "Entra, through Microsoft Graph (tenant {tenant}), for {:?}:\n{}",
        kit.setup,
        crate::run::render_entra(&changes)
    ));
    for note in crate::journey::graph_notes(&setup, &desired, &seen) {
        face.note(&format!("note: {note}"));
    }
    let app_id = if changes.is_empty() {
        seen.app.as_ref().map(|a| a.app_id.clone())
    } else {
        if !yes {
            face.confirm("Make these changes in Entra?", "Nothing was changed.")
                .map_err(Stopped::Failed)?;
        }
        // Read again before the first write: what is made is what was shown.
        let (seen, now) = entra_graph::plan(&graph, &desired, None)
            .await
            .map_err(failed)?;
        if now != changes {
            return Err(Stopped::Failed(format!(
                "Entra changed since the plan was shown; nothing was written. It would now:\n{}",
                crate::run::render_entra(&now)
            )));
        }
        let outcome = entra_graph::apply(&graph, &desired, &seen, &changes, |_| {})
            .await
            .map_err(|e| {
                Stopped::Failed(format!(
                    "error: {e}\nRun `cognito-entra entra-side` again with the same kit: it finds what was made and finishes it."
                ))
            })?;
        for change in &changes {
            face.show(&format!("{}\n", change.done()));
        }
        Some(outcome.record.app_id)
    };
    let Some(app_id) = app_id.filter(|a| !a.is_empty()) else {
        return Err(Stopped::Failed(
            "error: Entra did not say the application's ID; run entra-side again".into(),
        ));
    };
    let (calls, writes) = graph.round_trips();
    face.note(&format!("Graph: {calls} requests, {writes} writes."));
    Ok(CustomerDone {
        reply: Reply::from_application(kit, &options.authority, &tenant, &app_id),
        changes: changes.len(),
    })
}
