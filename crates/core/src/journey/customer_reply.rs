//! The customer's reply typed or pasted into the wizard or plain mode (the SaaS admin's side
//! of a hand-over): the questions, what is wrong with each answer, and the reply they make.
//! Defined once here; a reply file (`accept --reply`) and pasted values meet the same checks
//! (`Reply::check_against`), and once Entra confirms them (the engine) the same record.

use crate::journey::Step;
use crate::journey::questions::{Answers, Question};
use crate::kit::{Given, Kit, Reply, Who};
use crate::setup::{Protocol, Setup};
use crate::state::{Handoff, State, now_rfc3339};

/// What the screen is for, for the faces' help.
pub const ABOUT: &str = "The setup's Entra side was handed to the customer's Entra admin as a kit (`cognito-entra handoff`). Paste what they sent back: the App Federation Metadata Url (SAML), or the Directory (tenant) ID and Application (client) ID (OIDC). Each value is checked against the kit, then against Entra itself (the metadata fetched and judged, or the tenant's discovery read) before anything is recorded; then review and apply make the provider. A reply file is taken by `cognito-entra accept --setup NAME --reply FILE`.";

/// The text above the questions: whose answer this is, and what it must be.
pub fn intro(setup: &str, handoff: &Handoff) -> String {
    let kit = &handoff.kit;
    if let Some(at) = &handoff.accepted {
        return format!(
            "{setup}: the customer's reply was accepted on {}; the setup holds it (below). Change it only when they send new values: Enter checks them against the kit and against Entra, as before. Esc leaves it as it is.",
            at.get(..10).unwrap_or(at)
        );
    }
    format!(
        "{setup}: the kit of {} went to the customer's Entra admin ({}, application {:?}). Paste what they sent back; it is checked against the kit and against Entra before it is recorded.",
        handoff.at.get(..10).unwrap_or(&handoff.at),
        match kit.protocol {
            Protocol::Saml => "an enterprise application, SAML",
            Protocol::Oidc => "an app registration, OIDC",
        },
        kit.display_name
    )
}

/// The questions: what Entra gives back — pasted by the SaaS admin from the customer's reply,
/// or by the customer's admin from their own portal.
pub fn questions(kit: &Kit, who: Who) -> Vec<Question> {
    let from = match who {
        Who::SaasAdmin => "as the customer's Entra admin sent it: ",
        Who::CustomerAdmin => "",
    };
    match kit.protocol {
        Protocol::Saml => vec![Question::text(
            "metadata_url",
            "App Federation Metadata Url",
            &format!(
                "{from}the application's Single sign-on page › SAML Certificates; it ends with ?appid=… (the tenant is read from it)"
            ),
            "",
            "",
        )],
        Protocol::Oidc => vec![
            Question::text(
                "tenant_id",
                "Directory (tenant) ID",
                &format!("{from}a GUID, from the app registration's Overview page"),
                "",
                "",
            ),
            Question::text(
                "client_id",
                "Application (client) ID",
                &format!(
                    "{from}a GUID, from the same page (the client secret never goes here: it is typed at apply)"
                ),
                "",
                "",
            ),
        ],
    }
}

/// The SaaS admin's questions for a setup handed over: a reply taken already fills them with
/// what the setup holds (Enter keeps it, checked again), else they are empty.
pub fn questions_for(state: &State, kit: &Kit) -> Vec<Question> {
    let mut questions = questions(kit, Who::SaasAdmin);
    if state.handoff.as_ref().is_some_and(|h| h.accepted.is_some()) {
        let saml = state.answers.saml();
        let oidc = state.answers.oidc();
        for q in &mut questions {
            let held = match q.key {
                "metadata_url" => saml.metadata_url.clone(),
                "tenant_id" => oidc.tenant_id.clone(),
                "client_id" => oidc.client_id.clone(),
                _ => None,
            };
            if let Some(held) = held {
                q.text = held;
            }
        }
    }
    questions
}

/// The reply the answers make: the kit's setup and anchor, and what was pasted. SAML: the
/// metadata URL names the tenant (a reply may leave tenant_id out, and the check reads it
/// from there, saying so when it names none).
pub fn reply(kit: &Kit, answers: &dyn Answers) -> Reply {
    let saml = kit.protocol == Protocol::Saml;
    let typed = |key: &str| answers.text(key).trim().to_string();
    Reply::answering(
        kit,
        &if saml {
            String::new()
        } else {
            typed("tenant_id")
        },
        Some(typed("metadata_url")),
        Some(typed("client_id")),
    )
}

/// What is wrong with the answers as the kit reads them (`None`: they may go to Entra's
/// check), worded for `who`. `key`: only a problem of that question (`None`: the first of
/// any).
pub fn problem(kit: &Kit, who: Who, key: Option<&str>, answers: &dyn Answers) -> Option<String> {
    // SAML: the tenant is read from the URL, so the URL's own form is judged first.
    let refused = match kit.protocol {
        Protocol::Saml => crate::kit::metadata_url_problem(&answers.text("metadata_url")),
        Protocol::Oidc => None,
    }
    .or_else(|| reply(kit, answers).check_against(kit).err())?;
    // The question the refused field is typed in (a SAML tenant is read from the URL).
    let question = match (kit.protocol, refused.field.as_str()) {
        (Protocol::Saml, _) => "metadata_url",
        (Protocol::Oidc, "client_id") => "client_id",
        (Protocol::Oidc, _) => "tenant_id",
    };
    if key.is_some_and(|k| k != question) {
        return None;
    }
    Some(format!("{} — {}", refused.problem, refused.fix_for(who)))
}

/// A question's problem as it is typed, worded for `who`; `confirming`: every question must
/// be answered now.
pub fn judged(
    kit: &Kit,
    who: Who,
    key: &str,
    answers: &dyn Answers,
    confirming: bool,
) -> Option<String> {
    if answers.text(key).trim().is_empty() {
        return confirming.then(|| {
            match who {
                Who::SaasAdmin => "paste it from their reply",
                Who::CustomerAdmin => "paste it from the portal",
            }
            .to_string()
        });
    }
    problem(kit, who, Some(key), answers)
}

/// What Entra confirmed goes into the setup: the metadata URL (SAML) or tenant and client ID
/// (OIDC); the customer's portal work counts as done (steps 1 to 8, and 11); the reply is
/// accepted.
pub fn record(state: &mut State, given: &Given) {
    match given {
        Given::Saml { metadata_url, .. } => {
            let mut saml = state.answers.saml();
            saml.metadata_url = Some(metadata_url.clone());
            saml.metadata_file = None;
            state.answers.saml = Some(saml);
        }
        Given::Oidc { tenant, client_id } => {
            let mut oidc = state.answers.oidc();
            oidc.tenant_id = Some(tenant.clone());
            oidc.client_id = Some(client_id.clone());
            state.answers.oidc = Some(oidc);
        }
    }
    state.entra.tenant_id = Some(given.tenant().to_string());
    // The portal's work, before and after Cognito's side, is the customer's admin's: the
    // kit asked it of them, and their reply answers for it.
    for item in crate::journey::entra_checklist(&state.answers)
        .into_iter()
        .chain(crate::journey::finish_checklist(&state.answers))
    {
        if !state.progress.checklist.iter().any(|c| c == item.id) {
            state.progress.checklist.push(item.id.to_string());
        }
    }
    state.mark_done(&Step::ALL[..Step::BackFromEntra.number()]);
    state.mark_done(&[Step::FinishInEntra]);
    if let Some(h) = state.handoff.as_mut() {
        h.accepted = Some(now_rfc3339());
    }
}

/// The values an accepted reply put in the answers (`record`), carried from `before` into
/// answers read again from a setup file that does not hold them.
pub fn keep_reply(before: &Setup, after: &mut Setup) {
    match after.protocol {
        Protocol::Saml => {
            let was = before.saml();
            let mut saml = after.saml();
            if saml.metadata_url.is_none() && saml.metadata_file.is_none() {
                saml.metadata_url = was.metadata_url;
                saml.metadata_file = was.metadata_file;
            }
            after.saml = Some(saml);
        }
        Protocol::Oidc => {
            let was = before.oidc();
            let mut oidc = after.oidc();
            if oidc.tenant_id.is_none() && oidc.client_id.is_none() {
                oidc.tenant_id = was.tenant_id;
                oidc.client_id = was.client_id;
            }
            after.oidc = Some(oidc);
        }
    }
}

/// Why a setup waiting for its customer's reply cannot be planned or applied yet (its
/// provider needs what their reply carries), with what to do.
pub fn waiting_refusal(state: &State) -> Option<String> {
    let handoff = waiting(state)?;
    let name = &state.answers.name;
    Some(format!(
        "error: setup {name:?} waits for its customer's reply (kit handed over on {}): its identity provider needs what their Entra gives back; nothing was changed\n  fix: when the reply comes, `cognito-entra accept --setup {name} --reply FILE`, or open the setup in the wizard and paste their values; `cognito-entra handoff --setup {name} --out DIR` writes their kit again",
        handoff.at.get(..10).unwrap_or(&handoff.at)
    ))
}

/// Whether the setup waits for its customer's reply (handed over, not accepted yet).
pub fn waiting(state: &State) -> Option<&Handoff> {
    state.handoff.as_ref().filter(|h| h.accepted.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::questions::Given as Typed;

    const TENANT: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const APP: &str = "11112222-3333-4444-8555-666677778888";

    fn kit(protocol: Protocol) -> Kit {
        crate::kit::example_kit(protocol)
    }

    fn typed(pairs: &[(&'static str, &str)]) -> Typed {
        let mut t = Typed::default();
        for (k, v) in pairs {
            t.set_text(k, v);
        }
        t
    }

    #[test]
    fn a_pasted_metadata_url_makes_the_reply_a_file_would_and_its_tenant_is_read_from_it() {
        let k = kit(Protocol::Saml);
        let url = format!(
            "https://login.microsoftonline.com/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={APP}"
        );
        let answers = typed(&[("metadata_url", &url)]);
        assert_eq!(problem(&k, Who::SaasAdmin, None, &answers), None);
        let r = reply(&k, &answers);
        let file = Reply::from_application(&k, "https://login.microsoftonline.com", TENANT, APP);
        assert_eq!(r.check_against(&k), file.check_against(&k));
        assert_eq!(r.with_tenant_spelled_out(), file);
    }

    #[test]
    fn what_the_kit_refuses_is_said_under_the_question_it_was_typed_in() {
        let k = kit(Protocol::Saml);
        let tenant_wide = format!(
            "https://login.microsoftonline.com/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"
        );
        let p = problem(
            &k,
            Who::SaasAdmin,
            Some("metadata_url"),
            &typed(&[("metadata_url", &tenant_wide)]),
        );
        assert!(p.is_some_and(|p| p.contains("tenant-wide")));
        // A start of a URL is judged as one, not as a tenant ID nobody typed.
        let p = problem(
            &k,
            Who::SaasAdmin,
            Some("metadata_url"),
            &typed(&[("metadata_url", "q")]),
        );
        assert!(
            p.as_ref()
                .is_some_and(|p| p.contains("not a web address") && !p.contains("tenant)")),
            "{p:?}"
        );
        // The fix is the portal's: the SaaS admin asks for it, the customer's admin does it.
        let saas = p.unwrap_or_default();
        assert!(
            saas.contains("ask the customer's Entra admin to copy"),
            "{saas}"
        );
        let own = problem(
            &k,
            Who::CustomerAdmin,
            Some("metadata_url"),
            &typed(&[("metadata_url", "q")]),
        )
        .unwrap_or_default();
        assert!(own.contains("— copy App Federation Metadata Url"), "{own}");
        let o = kit(Protocol::Oidc);
        let answers = typed(&[("tenant_id", TENANT), ("client_id", "not-a-guid")]);
        assert_eq!(
            problem(&o, Who::CustomerAdmin, Some("tenant_id"), &answers),
            None
        );
        assert!(
            problem(&o, Who::CustomerAdmin, Some("client_id"), &answers)
                .is_some_and(|p| p.contains("Application (client) ID"))
        );
        let answers = typed(&[("tenant_id", "contoso"), ("client_id", APP)]);
        assert!(problem(&o, Who::CustomerAdmin, Some("tenant_id"), &answers).is_some());
    }
}
