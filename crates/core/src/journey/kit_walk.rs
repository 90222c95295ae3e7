//! The customer's Entra admin's walk through a kit, defined once: the portal's pages (the
//! journey's own texts, with the kit's values to paste) and what to send back. The kit page
//! (HTML), the wizard's kit screens and plain mode's prompts each render these; the answer's
//! questions and checks are `customer_reply`'s, the same a SaaS admin's paste meets.

use crate::journey::{Step, instructions};
use crate::kit::Kit;
use crate::setup::Protocol;

/// What the walk is for, for the faces' help.
pub const ABOUT: &str = "You were sent a kit: the values your Entra needs for one application, and nothing secret. These pages walk you through the portal: each value is copied with its number key (1-9; or move with ↑↓ and press c), Enter goes on, Esc goes back. Last, paste what Entra gives back (the App Federation Metadata Url, or the tenant and client IDs); it is checked against the kit and against Entra, and written as the reply to send. Nothing of the SaaS's cloud is read or needed.";

/// One value to paste into Entra, as Entra's field is labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitValue {
    /// Stable key (the page's element IDs): `name`, a kit field, `signing_certificate`,
    /// `claim-N`.
    pub key: String,
    pub label: String,
    pub value: String,
}

/// One page of portal work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitPage {
    pub title: String,
    /// What to do there (Markdown-light: `**bold**`, `` `code` ``, "- " items).
    pub text: String,
    pub values: Vec<KitValue>,
}

/// Where the customer's admin works: each national cloud has its own portal.
pub fn portal(kit: &Kit) -> String {
    let cloud = kit.cloud();
    if cloud == crate::cloud::Cloud::Global {
        "the Entra admin center".to_string()
    } else {
        format!("the Azure portal of {} ({})", cloud.label(), cloud.portal())
    }
}

fn value(key: &str, label: &str, value: &str) -> KitValue {
    KitValue {
        key: key.to_string(),
        label: label.to_string(),
        value: value.to_string(),
    }
}

/// The portal's pages, in order: making the application with the kit's values, then what
/// follows (Cognito's certificate where Entra verifies requests, users, the claims).
pub fn pages(kit: &Kit) -> Vec<KitPage> {
    let setup = kit.as_setup();
    let saml = kit.protocol == Protocol::Saml;
    let mut with_name = setup.clone();
    with_name.name = kit.display_name.clone();
    let mut first = KitPage {
        title: format!("In {}", portal(kit)),
        text: instructions(Step::EntraPortal, &with_name).unwrap_or_default(),
        values: vec![value(
            "name",
            "Application name (suggested)",
            &kit.display_name,
        )],
    };
    first.values.extend(
        kit.fields()
            .into_iter()
            .map(|(key, label, v)| value(key, label, &v)),
    );

    let mut then = KitPage {
        title: "Then".to_string(),
        text: String::new(),
        values: Vec::new(),
    };
    let mut text = Vec::new();
    if kit.sign_requests || (saml && kit.logout_url.is_some()) {
        text.push(format!(
            "{}: **Single sign-on** › **SAML Certificates** › **Verification certificates** › upload the certificate below (save it as a .cer file first){}.",
            if kit.sign_requests {
                "Signed requests"
            } else {
                "Sign-out"
            },
            if kit.sign_requests {
                ", and tick **Require verification certificates**"
            } else {
                ""
            }
        ));
        if let Some(cert) = &kit.signing_certificate {
            then.values.push(value(
                "signing_certificate",
                "Verification certificate",
                &format!("-----BEGIN CERTIFICATE-----\n{cert}\n-----END CERTIFICATE-----"),
            ));
        }
    }
    if let Some(finish) = instructions(Step::FinishInEntra, &setup) {
        text.push(finish);
    }
    if !kit.claims.is_empty() {
        text.push("The claims read (each must be sent):".to_string());
        for (i, (attribute, claim)) in kit.claims.iter().enumerate() {
            then.values.push(value(
                &format!("claim-{i}"),
                &format!("Claim for {attribute}"),
                claim,
            ));
        }
    }
    if !kit.assign.is_empty() {
        text.push(format!(
            "Assign (Users and groups): {}.",
            kit.assign.join(", ")
        ));
    }
    then.text = text.join("\n\n");
    vec![first, then]
}

/// What to send back, and from where in the portal.
pub fn send_back(kit: &Kit) -> String {
    match kit.protocol {
        Protocol::Saml => format!(
            "From the application's **Single sign-on** page, section **SAML Certificates**: **App Federation Metadata Url** (it starts with `{}/` and ends with `?appid=…`); the tenant is read from it.",
            kit.cloud().authority()
        ),
        Protocol::Oidc => "From the app registration's **Overview** page: **Directory (tenant) ID** and **Application (client) ID**. The client secret never goes in the reply: make one under **Certificates & secrets** and hand it over the way you agreed (a password manager's share, or read out on a call).".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_of_the_kit_is_on_a_page_once() {
        let text = "kit_version = 1\ntool_version = \"0.1.0\"\nsetup = \"acme\"\nprotocol = \"saml\"\ndisplay_name = \"Example\"\nentity_id = \"urn:amazon:cognito:sp:eu-west-1_AbC\"\nreply_url = \"https://login.example.com/saml2/idpresponse\"\nrelay_state = \"identity_provider=acme\"\n[claims]\nemail = \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"\n";
        let kit = Kit::parse(text).unwrap();
        let all: Vec<String> = pages(&kit)
            .into_iter()
            .flat_map(|p| p.values)
            .map(|v| v.value)
            .collect();
        for (_, _, v) in kit.fields() {
            assert_eq!(all.iter().filter(|a| **a == v).count(), 1, "{v}: {all:?}");
        }
        assert!(all.iter().any(|v| v.ends_with("emailaddress")));
        assert!(send_back(&kit).contains("https://login.microsoftonline.com/"));
    }
}
