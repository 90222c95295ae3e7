//! The wizard's twelve steps, shared by every face: what they are called and what comes next.
//! Pure: the progress comes from the state file.

pub mod customer_reply;
pub mod kit_walk;
pub mod questions;

use crate::setup::{Protocol, Setup};

pub use crate::step::Step;

impl Step {
    /// The title where space is short (the wizard's step list).
    pub fn short_title(self, protocol: Protocol) -> &'static str {
        match (self, protocol) {
            (Step::EntraPortal, Protocol::Saml) => "Entra: SSO",
            (Step::EntraPortal, Protocol::Oidc) => "Entra: app reg.",
            (Step::BackFromEntra, Protocol::Saml) => "Metadata URL",
            (Step::BackFromEntra, Protocol::Oidc) => "Tenant & client",
            (Step::AttributeMapping, _) => "Attributes",
            (Step::FinishInEntra, _) => "Finish in Entra",
            (Step::TestHandOver, _) => "Test",
            (s, p) => s.title(p),
        }
    }

    /// The one line a step opens with.
    pub fn intro(self, protocol: Protocol) -> &'static str {
        match (self, protocol) {
            (Step::Protocol | Step::AwsAccount, _) => {
                "Which AWS account and region hold the user pool?"
            }
            (Step::UserPool, _) => "The pool whose users sign in with Entra.",
            (Step::Domain, _) => {
                "The domain hosts the sign-in pages and the URLs Entra calls back."
            }
            (Step::AppClient, _) => "The app client your application signs users in with.",
            (Step::Provider, Protocol::Saml) => "How Cognito names Entra, and the SAML options.",
            (Step::Provider, Protocol::Oidc) => {
                "How Cognito names Entra, and how it asks for user attributes."
            }
            _ => "",
        }
    }

    /// What the step is for, for a face's help (steps with instructions have those instead).
    pub fn about(self) -> &'static str {
        match self {
            Step::Protocol | Step::AwsAccount => {
                "The profile and region of the account that holds (or will hold) the user pool. Credentials come from the usual places: the profile in ~/.aws/config (aws sso login for SSO profiles), environment variables, instance or container roles."
            }
            Step::UserPool => crate::account::FEDERATED_PRICING,
            Step::ReviewApply => {
                "The plan is exactly what `cognito-entra plan` prints: + creates, ~ updates (old -> new). Apply makes the changes one by one and saves each; if one fails, retry from there."
            }
            Step::AttributeMapping => {
                "Each Cognito attribute is filled from the Entra claim of that name. Attributes the pool requires must be mapped, or the first sign-in fails. The names must match what Entra really sends (Attributes & Claims)."
            }
            _ => "A default in [brackets] is kept when you answer nothing.",
        }
    }
}

/// Why the Provider step creates the pool, domain and client before the review, as every
/// face says it before asking.
pub fn prepare_why(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Saml => {
            "The Entra portal needs the Entity ID and the Reply URL, which name the user pool and its domain: these are created now, before the portal step. The identity provider comes after Entra, in the review."
        }
        Protocol::Oidc => {
            "The Entra portal needs the Redirect URI, which names the pool's domain: the pool, domain and client are created now, before the portal step. The identity provider comes after Entra, in the review."
        }
    }
}

/// The question that confirms it.
pub const PREPARE_ASK: &str = "Create them now?";

/// The portal actions of steps marked done that are not ticked, required or not, with the
/// step each belongs to.
fn open_items(state: &crate::state::State) -> Vec<(Step, ChecklistItem)> {
    let setup = &state.answers;
    [
        (Step::EntraPortal, entra_checklist(setup)),
        (Step::FinishInEntra, finish_checklist(setup)),
    ]
    .into_iter()
    .filter(|(step, _)| state.progress.steps_done.contains(step))
    .flat_map(|(step, items)| items.into_iter().map(move |i| (step, i)))
    .filter(|(_, i)| !state.progress.checklist.iter().any(|c| c == i.id))
    .collect()
}

/// The required portal actions of a step that was left with some of them not ticked: the
/// step marked `!` in the step list, and what is still to do in Entra (the labels). Optional
/// actions are not in it: a step whose required actions are ticked is done.
pub fn unticked(state: &crate::state::State) -> Vec<(Step, Vec<&'static str>)> {
    let mut out: Vec<(Step, Vec<&'static str>)> = Vec::new();
    for (step, item) in open_items(state) {
        if item.need == Need::Optional {
            continue;
        }
        match out.iter_mut().find(|(s, _)| *s == step) {
            Some((_, labels)) => labels.push(item.label),
            None => out.push((step, vec![item.label])),
        }
    }
    out
}

/// The optional portal actions not ticked (labels), on steps marked done.
pub fn unticked_optional(state: &crate::state::State) -> Vec<&'static str> {
    open_items(state)
        .into_iter()
        .filter(|(_, i)| i.need == Need::Optional)
        .map(|(_, i)| i.label)
        .collect()
}

/// `unticked` as one short line for the last step (the labels are on the steps themselves),
/// saying what fails until that work is done, or `None` when every required action is ticked.
pub fn unticked_text(state: &crate::state::State) -> Option<String> {
    let open = unticked(state);
    if open.is_empty() {
        return None;
    }
    let parts: Vec<String> = open
        .iter()
        .map(|(step, labels)| format!("step {} ({} left)", step.number(), labels.len()))
        .collect();
    let needs: Vec<Need> = open_items(state)
        .into_iter()
        .map(|(_, i)| i.need)
        .filter(|n| *n != Need::Optional)
        .collect();
    let fails = if needs.contains(&Need::SignIn) {
        "Sign-in fails until that work is done in Entra".to_string()
    } else {
        let mut what = Vec::new();
        if needs.contains(&Need::MyApps) {
            what.push("sign-in from My Apps");
        }
        if needs.contains(&Need::SignOut) {
            what.push("sign-out of Entra");
        }
        let mut said = Vec::new();
        if !what.is_empty() {
            let verb = if what.len() == 1 { "fails" } else { "fail" };
            said.push(format!("{} {verb}", what.join(" and ")));
        }
        if needs.contains(&Need::Attributes) {
            said.push("Entra sends the mapped attributes empty".into());
        }
        let mut text = said.join("; ");
        if let Some(first) = text.get(..1) {
            text = format!("{}{}", first.to_uppercase(), &text[1..]);
        }
        format!("{text} until that work is done in Entra")
    };
    Some(format!(
        "Not ticked yet in Entra: {}. {fails}.",
        parts.join(", ")
    ))
}

/// What step 11 says when Entra needs no certificate from Cognito for this setup (`None`:
/// it needs one, and the certificate lines say where each goes).
pub fn no_certificate_needed(setup: &crate::setup::Setup) -> Option<&'static str> {
    match setup.protocol {
        Protocol::Oidc => Some("Entra needs no certificate from Cognito for an OIDC setup."),
        Protocol::Saml => {
            let s = setup.saml();
            (!s.sign_requests && !s.idp_signout && !s.encrypted_responses).then_some(
                "Entra needs no certificate from Cognito for this setup: signed requests, sign-out of Entra and encrypted assertions are off.",
            )
        }
    }
}

/// What choosing a protocol means for the admin, as a new setup's choice shows it.
pub fn protocol_summary(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Saml => "enterprise application · sign-in from My Apps · group claims",
        Protocol::Oidc => "app registration · fewest steps in the portal",
    }
}

/// Why neither protocol takes a multi-tenant Entra app, as the setup choice says it.
pub const MULTI_TENANT_SHORT: &str = "An Entra app for users of any organization (multi-tenant) works with neither: Cognito accepts one issuer per provider.";

/// `MULTI_TENANT_SHORT` with what to do instead.
pub const MULTI_TENANT: &str = "An Entra app for users of any organization (multi-tenant) works with neither: Cognito accepts one issuer per provider. Use a single-tenant app, one provider per tenant, or an OIDC broker in between.";

/// What to do next with a saved setup whose Cognito side is missing or drifted, worded for
/// where it stands — never "run apply" to a setup apply cannot take yet:
/// - applied before (the review step done): apply puts the saved setup back;
/// - not applied (new, or taken down by destroy) but complete: apply creates it;
/// - not complete: the step it stopped at, to continue in the wizard.
pub fn next_step_advice(state: &crate::state::State) -> String {
    let name = &state.answers.name;
    if state.progress.steps_done.contains(&Step::ReviewApply) {
        return format!(
            "run `cognito-entra apply --setup {name}` to put the saved setup back, or change the setup to match and apply"
        );
    }
    // A customer's Entra side, handed over and not answered yet: their reply comes first.
    if let Some(handoff) = state.handoff.as_ref().filter(|h| h.accepted.is_none()) {
        return format!(
            "waiting for the customer's Entra admin (kit handed over on {}): when their reply comes, `cognito-entra accept --setup {name} --reply FILE`, or open the setup in the wizard and paste their values; `cognito-entra handoff --setup {name} --out DIR` writes their kit again",
            handoff.at.get(..10).unwrap_or(&handoff.at)
        );
    }
    let complete = crate::setup::validate::validate(&state.answers, crate::setup::Stage::Apply)
        .iter()
        .all(|p| p.level != crate::setup::Level::Error);
    if complete {
        return format!(
            "the setup is not applied (new, or taken down by destroy): `cognito-entra apply --setup {name}` creates it"
        );
    }
    match next_step(&state.progress.steps_done) {
        Some(step) => format!(
            "the setup stands at step {} ({}): continue it with `cognito-entra wizard --setup {name}` (add --plain for line prompts)",
            step.number(),
            step.title(state.answers.protocol)
        ),
        None => format!("continue it with `cognito-entra wizard --setup {name}`"),
    }
}

/// Where a setup stands: the first step not done yet, or `None` when all are done.
pub fn next_step(done: &[Step]) -> Option<Step> {
    Step::ALL.into_iter().find(|s| !done.contains(s))
}

/// A one-line description of progress, as `setups`, `status` and the welcome screens show
/// it: "done" only when every step is done and every required action in Entra is ticked.
pub fn progress_label(state: &crate::state::State) -> String {
    let protocol = state.answers.protocol;
    // A customer's Entra side: it waits for them until their reply is accepted, then for
    // `apply`, which makes the provider and finishes the journey.
    if let Some(handoff) = &state.handoff
        && !state.progress.steps_done.contains(&Step::ReviewApply)
    {
        // Short enough for the list's column at 80; `status` says when the kit went.
        return match &handoff.accepted {
            None => "waiting for the customer's reply".to_string(),
            Some(_) => "customer replied: apply next".to_string(),
        };
    }
    match next_step(&state.progress.steps_done) {
        // Made outside the tool and imported: the portal work was someone else's, so there
        // is nothing of it to tick; doctor says whether the federation works.
        None if state.imported.is_some() => "imported (made by hand)".to_string(),
        None => {
            let open: usize = unticked(state).iter().map(|(_, l)| l.len()).sum();
            let optional = unticked_optional(state).len();
            if open > 0 {
                let steps: Vec<String> = unticked(state)
                    .iter()
                    .map(|(s, _)| s.number().to_string())
                    .collect();
                format!("Entra: {open} to tick (step {})", steps.join(", "))
            } else if optional > 0 {
                format!("done ({optional} optional left)")
            } else {
                "done".to_string()
            }
        }
        Some(step) => format!(
            "step {}/{}  {}",
            step.number(),
            Step::ALL.len(),
            step.title(protocol)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_step_is_the_first_not_done() {
        assert_eq!(next_step(&[]), Some(Step::Protocol));
        assert_eq!(
            next_step(&[Step::Protocol, Step::UserPool]),
            Some(Step::AwsAccount)
        );
        assert_eq!(next_step(&Step::ALL), None);
        let mut state = crate::state::State::new(Setup::blank("corp", Protocol::Saml));
        state.mark_done(&Step::ALL[..6]);
        assert_eq!(progress_label(&state), "step 7/12  Entra: single sign-on");
    }
}

/// A manual action in the Entra portal the admin ticks off (saved, so resume knows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub id: &'static str,
    pub label: &'static str,
    /// What fails until it is done (or that nothing does: optional).
    pub need: Need,
}

/// What an action in Entra is needed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Sign-in fails until it is done.
    SignIn,
    /// Sign-in from My Apps (IdP-initiated) fails until it is done.
    MyApps,
    /// Sign-out of Entra fails until it is done.
    SignOut,
    /// Entra sends the mapped attributes empty until it is done (and sign-in fails where
    /// the pool requires one of them).
    Attributes,
    /// Nothing fails without it: the admin's choice.
    Optional,
}

/// A value the admin pastes into an Entra field, with that field's name in the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalValue {
    pub key: &'static str,
    pub entra_field: &'static str,
    /// `None` while it waits for an ID (see `Values::pending`).
    pub value: Option<String>,
}

/// What step 7 asks the admin to paste, in the order the portal shows the fields.
pub fn portal_values(
    setup: &crate::setup::Setup,
    values: &crate::setup::Values,
) -> Vec<PortalValue> {
    let mut out = Vec::new();
    match setup.protocol {
        Protocol::Saml => {
            out.push(PortalValue {
                key: "entity_id",
                entra_field: "Identifier (Entity ID)",
                value: values.entity_id.clone(),
            });
            out.push(PortalValue {
                key: "reply_url",
                entra_field: "Reply URL (Assertion Consumer Service URL)",
                value: values.reply_url.clone(),
            });
            if setup.idp_initiated() {
                out.push(PortalValue {
                    key: "relay_state",
                    entra_field: "Relay State",
                    value: values.relay_state.clone(),
                });
            }
            if setup.idp_signout() {
                out.push(PortalValue {
                    key: "logout_url",
                    entra_field: "Logout Url",
                    value: values.logout_url.clone(),
                });
            }
        }
        Protocol::Oidc => out.push(PortalValue {
            key: "redirect_uri",
            entra_field: "Redirect URI (platform Web)",
            value: values.redirect_uri.clone(),
        }),
    }
    out
}

/// The portal actions of step 7.
pub fn entra_checklist(setup: &crate::setup::Setup) -> Vec<ChecklistItem> {
    let mut out = Vec::new();
    match setup.protocol {
        Protocol::Saml => {
            out.push(ChecklistItem {
                id: "saml.app",
                label: "Enterprise application created",
                need: Need::SignIn,
            });
            out.push(ChecklistItem {
                id: "saml.basic",
                label: "Identifier and Reply URL saved",
                need: Need::SignIn,
            });
            if setup.idp_initiated() {
                out.push(ChecklistItem {
                    id: "saml.relay",
                    label: "Relay State saved",
                    need: Need::MyApps,
                });
            }
            if setup.idp_signout() {
                out.push(ChecklistItem {
                    id: "saml.logout",
                    label: "Logout Url saved",
                    need: Need::SignOut,
                });
            }
        }
        Protocol::Oidc => {
            out.push(ChecklistItem {
                id: "oidc.registration",
                label: "App registration (single tenant) created",
                need: Need::SignIn,
            });
            out.push(ChecklistItem {
                id: "oidc.redirect",
                label: "Redirect URI (Web) saved",
                need: Need::SignIn,
            });
            out.push(ChecklistItem {
                id: "oidc.secret",
                label: "Client secret Value copied",
                need: Need::SignIn,
            });
        }
    }
    out
}

/// Step 11's action for Cognito's certificate of each kind: (kind, checklist ID). The one
/// place the two are tied, for the checklist, what Graph ticks, and where a certificate goes.
pub const CERTIFICATE_ACTIONS: [(&str, &str); 2] = [
    ("signing", "finish.verification"),
    ("encryption", "finish.encryption"),
];

/// Step 11's checklist ID for Cognito's certificate of this kind.
pub fn certificate_action(kind: &str) -> Option<&'static str> {
    CERTIFICATE_ACTIONS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, id)| *id)
}

/// The portal actions of step 11.
pub fn finish_checklist(setup: &crate::setup::Setup) -> Vec<ChecklistItem> {
    let mut out = Vec::new();
    if setup.protocol == Protocol::Saml {
        let saml = setup.saml();
        if saml.sign_requests || saml.idp_signout {
            out.push(ChecklistItem {
                id: "finish.verification",
                label: "Signing certificate uploaded (Verification certificates)",
                // Entra refuses signed requests it cannot verify; without signed requests
                // the certificate verifies sign-out requests only.
                need: if saml.sign_requests {
                    Need::SignIn
                } else {
                    Need::SignOut
                },
            });
        }
        if saml.encrypted_responses {
            out.push(ChecklistItem {
                id: "finish.encryption",
                label: "Encryption certificate imported and activated",
                // Cognito refuses an assertion that is not encrypted.
                need: Need::SignIn,
            });
        }
    }
    // OIDC: the claims the mapping reads come in the ID token only as optional claims.
    if !needed_id_token_claims(setup).is_empty() {
        out.push(ChecklistItem {
            id: "finish.claims",
            label: "ID token optional claims added (Token configuration)",
            need: Need::Attributes,
        });
    }
    out.push(match setup.protocol {
        // An enterprise application for SAML admits only assigned users (AADSTS50105).
        Protocol::Saml => ChecklistItem {
            id: "finish.users",
            label: "Users and groups assigned",
            need: Need::SignIn,
        },
        // An app registration admits everyone in the tenant until Assignment required is
        // set: assigning is how to narrow it, not a condition of sign-in.
        Protocol::Oidc => ChecklistItem {
            id: "finish.users",
            label: "Optional: only assigned users may sign in",
            need: Need::Optional,
        },
    });
    out
}

/// Step 11's actions Graph has done for this setup, given the Entra changes still waiting
/// for Cognito's certificates: the assignments the setup lists, and each certificate whose
/// changes are not waiting. Nobody assigned is never ticked.
pub fn finish_done_by_graph(
    setup: &crate::setup::Setup,
    waiting: &[crate::entra_app::EntraChange],
) -> Vec<&'static str> {
    use crate::entra_app::EntraChange as C;
    let waits = |f: fn(&C) -> bool| waiting.iter().any(f);
    // The optional claims are set by Graph with the application, never waiting.
    let mut out = vec!["finish.claims"];
    if !setup.entra.assign.is_empty() {
        out.push("finish.users");
    }
    if !waits(|c| {
        matches!(
            c,
            C::AddVerificationCertificate { .. } | C::RequireSignedRequests
        )
    }) {
        out.push("finish.verification");
    }
    if !waits(|c| {
        matches!(
            c,
            C::AddEncryptionCertificate { .. } | C::ActivateEncryptionCertificate { .. }
        )
    }) {
        out.push("finish.encryption");
    }
    let listed = finish_checklist(setup);
    out.retain(|id| listed.iter().any(|i| i.id == *id));
    out
}

/// Whether step 11 still has a certificate for Entra that Graph could hand over (the Entra
/// side was made through Graph, and the certificate's action is not ticked).
pub fn certificates_left_for_graph(state: &crate::state::State) -> bool {
    certificates_left_notice(state).is_some()
}

/// What step 11 says when Cognito's certificates are left for Graph to hand over, naming
/// which (one line, short enough for an 80-column screen).
pub fn certificates_left_notice(state: &crate::state::State) -> Option<String> {
    state.entra.graph.as_ref()?;
    let left: Vec<&str> = finish_checklist(&state.answers)
        .iter()
        .filter(|i| !state.progress.checklist.iter().any(|c| c == i.id))
        .filter_map(|i| {
            CERTIFICATE_ACTIONS
                .iter()
                .find(|(_, id)| *id == i.id)
                .map(|(kind, _)| *kind)
        })
        .collect();
    match left.as_slice() {
        [] => None,
        [one] => Some(format!("Not in Entra yet: Cognito's {one} certificate")),
        _ => Some("Not in Entra yet: Cognito's certificates".into()),
    }
}

/// The instructions of a step that has them (the Entra portal, what comes back from Entra,
/// finishing in Entra), Markdown-light, with the setup's values in their placeholders. The one
/// source of these texts for every face: a step without instructions is `None`, never another
/// step's text.
pub fn instructions(step: Step, setup: &crate::setup::Setup) -> Option<String> {
    let raw = match (step, setup.protocol) {
        (Step::EntraPortal, Protocol::Saml) => include_str!("../../assets/saml-entra-portal.md"),
        (Step::EntraPortal, Protocol::Oidc) => include_str!("../../assets/oidc-entra-portal.md"),
        (Step::BackFromEntra, Protocol::Saml) => include_str!("../../assets/saml-back.md"),
        (Step::BackFromEntra, Protocol::Oidc) => include_str!("../../assets/oidc-back.md"),
        (Step::FinishInEntra, Protocol::Saml) => include_str!("../../assets/saml-finish.md"),
        (Step::FinishInEntra, Protocol::Oidc) => include_str!("../../assets/oidc-finish.md"),
        _ => return None,
    };
    Some(raw.replace("{setup}", &setup.name))
}

/// A step's instructions as the saved setup stands: when the tool made the Entra application
/// through Graph, a first paragraph says what of the portal work below is done already. What
/// comes back from Entra is filled in then: nothing is copied, so the note is all there is.
pub fn instructions_now(step: Step, state: &crate::state::State) -> Option<String> {
    let text = instructions(step, &state.answers)?;
    Some(match graph_done_note(step, state) {
        Some(done) if step == Step::BackFromEntra => done.to_string(),
        Some(done) => format!("{done}\n\n{text}"),
        None => text,
    })
}

/// What of a step's portal work Graph has done, when the tool made the Entra application:
/// said first, before the portal's own instructions.
pub fn graph_done_note(step: Step, state: &crate::state::State) -> Option<&'static str> {
    // A customer's Entra side is their admin's, in their tenant, from the kit.
    if state.handoff.is_some() {
        return Some(match step {
            Step::EntraPortal => {
                "**The customer's admin's, in their tenant.** Their admin made this application from the kit you handed over (`cognito-entra handoff`); the actions below are ticked for that work. The portal screens are theirs, shown for reference."
            }
            Step::BackFromEntra => {
                "**From the customer's reply.** Enter checks it again as it would a pasted value. New values come in a new reply (`cognito-entra accept`)."
            }
            Step::FinishInEntra => {
                "**The customer's admin's, from the kit:** assigning users and sending the claims happen in their tenant, as the kit asked; the tool cannot see them from here, so the actions below are ticked as theirs. A test sign-in (step 12) shows they are done."
            }
            _ => return None,
        });
    }
    // An imported setup's Entra side was made by hand before the import, whatever Graph
    // found of it since.
    if state.imported.is_some() {
        return Some(match step {
            Step::EntraPortal => {
                "**Imported: made by hand before the import.** Its Entra application exists and Cognito reads it; the actions below are ticked for that work. The portal screens are for reference, to change it."
            }
            Step::BackFromEntra => {
                "**As the imported provider holds it.** Enter checks it again as it would a pasted value."
            }
            Step::FinishInEntra => {
                "**Imported:** the actions below are ticked for the work done by hand before the import."
            }
            _ => return None,
        });
    }
    state.entra.graph.as_ref()?;
    Some(match step {
        Step::EntraPortal => {
            "**Made through Microsoft Graph.** The portal screens below are for reference: \"do it for me\" again reads the application and completes whatever it lacks."
        }
        Step::BackFromEntra => {
            "**Filled in from the application Graph made.** Nothing to copy: Enter checks it as it would a pasted value."
        }
        Step::FinishInEntra => {
            "**What Graph did is ticked below;** only unticked actions are left."
        }
        _ => return None,
    })
}

/// Markdown-light as plain text (for a screen reader, a log).
pub fn plain_text(markdown: &str) -> String {
    markdown.replace("**", "").replace('`', "")
}

#[cfg(test)]
mod unticked_tests {
    use super::*;
    use crate::setup::Setup;
    use crate::state::State;

    #[test]
    fn a_step_left_with_portal_actions_not_ticked_is_named_with_what_is_left() {
        let mut state = State::new(Setup::blank("corp", Protocol::Saml));
        assert!(unticked(&state).is_empty(), "not done: not asked yet");
        state.mark_done(&[Step::EntraPortal]);
        state.progress.checklist.push("saml.app".into());
        let open = unticked(&state);
        assert_eq!(
            open,
            vec![(Step::EntraPortal, vec!["Identifier and Reply URL saved"])]
        );
        let text = unticked_text(&state).unwrap_or_default();
        assert!(text.contains("step 7 (1 left)"), "{text}");
        state.progress.checklist.push("saml.basic".into());
        assert_eq!(unticked_text(&state), None);
    }

    /// Every step done and every required action ticked is done, whatever optional action is
    /// left; a required one left is not done, and is counted.
    #[test]
    fn done_means_every_required_action_ticked_and_optional_ones_are_called_optional() {
        let mut state = State::new(Setup::blank("corp", Protocol::Oidc));
        state.mark_done(&Step::ALL);
        for id in ["oidc.registration", "oidc.redirect", "oidc.secret"] {
            state.progress.checklist.push(id.into());
        }
        // OIDC: the mapped claims come only as the ID token's optional claims — not done
        // until they are added (a "Setup complete" without them sent attributes empty).
        assert_eq!(
            unticked(&state),
            vec![(
                Step::FinishInEntra,
                vec!["ID token optional claims added (Token configuration)"]
            )]
        );
        let text = unticked_text(&state).unwrap_or_default();
        assert!(
            text.contains("Entra sends the mapped attributes empty until"),
            "{text}"
        );
        state.progress.checklist.push("finish.claims".into());
        // OIDC: assigning users is optional (an app registration admits the whole tenant).
        assert!(unticked(&state).is_empty());
        assert_eq!(unticked_text(&state), None);
        assert_eq!(
            unticked_optional(&state),
            vec!["Optional: only assigned users may sign in"]
        );
        assert_eq!(progress_label(&state), "done (1 optional left)");
        state.progress.checklist.push("finish.users".into());
        assert_eq!(progress_label(&state), "done");
        state.progress.checklist.retain(|c| c != "oidc.redirect");
        assert_eq!(progress_label(&state), "Entra: 1 to tick (step 7)");
        let text = unticked_text(&state).unwrap_or_default();
        assert!(text.contains("Sign-in fails until"), "{text}");

        // SAML: an enterprise application admits only assigned users: required.
        let mut saml = State::new(Setup::blank("corp", Protocol::Saml));
        saml.mark_done(&Step::ALL);
        saml.progress.checklist = vec!["saml.app".into(), "saml.basic".into()];
        assert_eq!(progress_label(&saml), "Entra: 1 to tick (step 11)");
        assert!(unticked_optional(&saml).is_empty());
    }

    /// What fails is what the open actions are needed for: sign-out alone is not sign-in.
    #[test]
    fn the_unticked_line_names_what_fails() {
        let mut setup = Setup::blank("corp", Protocol::Saml);
        let mut saml = setup.saml();
        saml.idp_signout = true;
        setup.saml = Some(saml);
        let mut state = State::new(setup);
        state.mark_done(&Step::ALL);
        state.progress.checklist = vec![
            "saml.app".into(),
            "saml.basic".into(),
            "finish.users".into(),
        ];
        let text = unticked_text(&state).unwrap_or_default();
        assert!(
            text.contains("Sign-out of Entra fails until") && !text.contains("Sign-in fails"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod instruction_tests {
    use super::*;
    use crate::setup::Setup;

    /// After Graph filled step 8, it says nothing is to be copied, and nothing else: no
    /// "copy … and paste it here"; and no key that no face has (Ctrl-F).
    #[test]
    fn step_8_filled_by_graph_asks_for_no_copying() {
        for protocol in [Protocol::Saml, Protocol::Oidc] {
            let mut state = crate::state::State::new(Setup::blank("corp", protocol));
            let portal = instructions_now(Step::BackFromEntra, &state).unwrap_or_default();
            assert!(portal.contains("copy"), "{portal}");
            assert!(!portal.contains("Ctrl-F"), "{portal}");
            state.entra.graph = Some(crate::state::GraphRecord::default());
            let filled = instructions_now(Step::BackFromEntra, &state).unwrap_or_default();
            assert!(filled.contains("Nothing to copy"), "{filled}");
            assert!(
                !filled.contains("paste it here") && !filled.contains(" copy "),
                "{filled}"
            );
        }
    }

    /// No placeholder reaches a screen: every step's text, for both protocols.
    #[test]
    fn every_instruction_text_has_its_placeholders_filled() {
        for protocol in [Protocol::Saml, Protocol::Oidc] {
            let setup = Setup::blank("corp-sso", protocol);
            for step in Step::ALL {
                if let Some(text) = instructions(step, &setup) {
                    assert!(!text.contains('{'), "{step:?} {protocol:?}: {text}");
                }
            }
            assert!(instructions(Step::EntraPortal, &setup).is_some());
            assert!(instructions(Step::UserPool, &setup).is_none());
        }
    }
}

/// The Entra step's other way: the tool does the portal's work through Microsoft Graph.
pub const GRAPH_OFFER: &str = "do it for me: sign in to Entra, the tool makes the app";

/// Whether "do it for me" is offered on the Entra step: not for a setup imported without its
/// application found (`import --entra graph`) — Graph would look for the application by the
/// setup's name, not find the one made by hand, and make another — nor for a customer's,
/// whose application is in their tenant.
pub fn graph_offered(state: &crate::state::State) -> bool {
    // A customer's application is in their tenant: the tool signs in to the admin's own.
    state.handoff.is_none() && (state.imported.is_none() || state.entra.graph.is_some())
}

/// What the Entra step says of the application Graph knows for this setup: made by the tool,
/// adopted by it, or found by an import; `None` when Graph knows none.
pub fn graph_app_line(state: &crate::state::State) -> Option<String> {
    let app = state.entra.graph.as_ref()?;
    let id: String = app.app_id.chars().take(8).collect();
    Some(if state.imported.is_some() {
        format!("found by the import ({id}); g checks, completes")
    } else if app.created {
        format!("made through Graph ({id}); g checks, completes")
    } else {
        format!("adopted through Graph ({id}); g checks, completes")
    })
}

/// The Entra step's two ways, as a question (the portal first: the default).
pub const ENTRA_WAYS_ASK: &str = "How is the Entra side done?";
pub const ENTRA_WAYS: [&str; 2] = [
    "I'll do it in the portal (the values to copy follow)",
    "Do it for me: sign in to Entra, the tool makes the app",
];

/// Optional ID token claims Entra offers that an OIDC mapping commonly reads (Token
/// configuration › Add optional claim); others come from the token as they are.
pub const OPTIONAL_ID_TOKEN_CLAIMS: [&str; 7] = [
    "email",
    "given_name",
    "family_name",
    "upn",
    "preferred_username",
    "xms_edov",
    "groups",
];

/// The optional ID token claims an OIDC setup's mapping reads (for Graph to add).
pub fn needed_id_token_claims(setup: &Setup) -> Vec<String> {
    if setup.protocol != Protocol::Oidc {
        return Vec::new();
    }
    let mut out: Vec<String> = setup
        .attribute_mapping()
        .values()
        .filter(|c| OPTIONAL_ID_TOKEN_CLAIMS.contains(&c.as_str()) && *c != "groups")
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The SAML claims Entra sends by default for a new application (Attributes & Claims, and
/// the claims every response carries).
const DEFAULT_SAML_CLAIMS: [&str; 8] = [
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "http://schemas.microsoft.com/identity/claims/objectidentifier",
    "http://schemas.microsoft.com/identity/claims/tenantid",
    "http://schemas.microsoft.com/identity/claims/identityprovider",
];

/// What Graph does not do for this setup, each with where to do it in the portal, and what
/// the tool's claims-mapping policy does to the portal's claims: said before anything is
/// written.
pub fn graph_notes(
    setup: &Setup,
    desired: &crate::entra_app::Desired,
    seen: &crate::entra_app::Seen,
) -> Vec<String> {
    let display_name = desired.display_name.as_str();
    let mut out = Vec::new();
    if setup.protocol == Protocol::Saml {
        let saml = setup.saml();
        if setup.entra.assign.is_empty() {
            out.push(format!("nobody is assigned yet: until users or groups are assigned (Enterprise applications › {display_name} › Users and groups, or the setup's assign list), Entra answers AADSTS50105 to everyone"));
        }
        if saml.encrypted_responses {
            out.push("encrypted assertions: token encryption is a Microsoft Entra ID P1 or P2 feature; the tenant needs one of those licences for Entra to encrypt what Cognito expects encrypted".into());
        }
        let policy_notes = crate::entra_app::claims_policy_notes(desired, seen);
        for (attribute, claim) in setup.attribute_mapping() {
            if !DEFAULT_SAML_CLAIMS.contains(&claim.as_str())
                && claim != crate::setup::model::SAML_GROUPS_CLAIM
                && crate::entra_app::claim_source(&claim).is_none()
            {
                out.push(if policy_notes.is_empty() {
                    format!("{attribute} is mapped from {claim}, which Entra does not send by default and which is not named after a user attribute the tool can send it from: add it in Single sign-on › Attributes & Claims")
                } else {
                    // The portal's claims no longer apply once the tool's policy is assigned.
                    format!("{attribute} is mapped from {claim}, which Entra does not send by default and which is not named after a user attribute the tool can send it from; with the tool's claims-mapping policy assigned, a claim added in the portal's Attributes & Claims is not sent either: map {attribute} from a claim named after the user attribute it holds (such as http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department)")
                });
            }
        }
        out.extend(policy_notes);
    }
    out
}

/// The claims Graph makes Entra send for the mapping: SAML claims beyond the default set
/// that are named after a user attribute (`…/claims/department` from user.department), and
/// whether the groups claim is read (SAML or OIDC).
pub fn graph_claims(setup: &Setup) -> (Vec<crate::entra_app::SamlClaim>, bool) {
    let mapping = setup.attribute_mapping();
    let groups = match setup.protocol {
        Protocol::Saml => mapping
            .values()
            .any(|c| c == crate::setup::model::SAML_GROUPS_CLAIM),
        Protocol::Oidc => mapping.values().any(|c| c == "groups"),
    };
    let mut claims = Vec::new();
    if setup.protocol == Protocol::Saml {
        for claim in mapping.values() {
            if DEFAULT_SAML_CLAIMS.contains(&claim.as_str())
                || claim == crate::setup::model::SAML_GROUPS_CLAIM
            {
                continue;
            }
            if let Some(source) = crate::entra_app::claim_source(claim) {
                let wanted = crate::entra_app::SamlClaim {
                    claim: claim.clone(),
                    source: source.to_string(),
                };
                if !claims.contains(&wanted) {
                    claims.push(wanted);
                }
            }
        }
    }
    claims.sort();
    (claims, groups)
}
