//! Entra's error answer: a `samlp:Response` whose `Status` is not Success and that carries no
//! assertion — a top-level status code (Requester, Responder), a nested second-level one
//! (RequestUnsupported, NoPassive…) and a `StatusMessage` that starts with Entra's error code
//! ("AADSTS75006: An error occurred while processing a SAML2 Authentication request.
//! AADSTS90011: …\nTrace ID: …\nTimestamp: …"). What the codes mean, in the admin's terms.

/// The AADSTS codes in a status message, in order (`AADSTS75006`, `AADSTS90011`).
pub fn codes(message: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let upper = message.to_ascii_uppercase();
    let mut from = 0;
    while let Some(at) = upper[from..].find("AADSTS") {
        let start = from + at;
        let digits: String = upper[start + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        from = start + 6 + digits.len();
        if !digits.is_empty() {
            let code = format!("AADSTS{digits}");
            if !out.contains(&code) {
                out.push(code);
            }
        }
    }
    out
}

/// What an AADSTS code means for a Cognito sign-in, and the fix; `None` for a code this tool
/// does not know (the sign-in logs say more).
pub fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
        "AADSTS75006" => {
            "Entra could not process the SAML request Cognito sent; the code after it says why"
        }
        "AADSTS90011" => {
            "the request uses a SAML property Entra does not support (named in the message) — start the sign-in from Cognito (its hosted UI or /oauth2/authorize), whose requests Entra accepts, not from a request another tool made"
        }
        "AADSTS75005" => {
            "what reached Entra is not a valid SAML 2.0 request — start the sign-in from Cognito's hosted UI or /oauth2/authorize, not from a bookmarked Entra URL"
        }
        "AADSTS750054" => {
            "the SAML request was missing from the URL (HTTP-Redirect binding) — start the sign-in from Cognito, not from a copied Entra URL"
        }
        "AADSTS700016" => {
            "no application in this tenant has the Identifier the request names — in Entra, Single sign-on › Basic SAML Configuration › Identifier (Entity ID) must be urn:amazon:cognito:sp:<user pool ID>"
        }
        "AADSTS50011" => {
            "the reply URL in the request is not one of the application's — in Entra, Basic SAML Configuration › Reply URL must be https://<your Cognito domain>/saml2/idpresponse"
        }
        "AADSTS50105" => {
            "the signed-in user is not assigned to the application, and assignment is required — in Entra, Enterprise applications › your app › Users and groups › add the user or a group of theirs"
        }
        "AADSTS53003" => {
            "a Conditional Access policy blocked the sign-in — the sign-in logs (Conditional Access tab) name the policy"
        }
        "AADSTS50058" => {
            "Entra was asked to sign in silently (IsPassive), but no user is signed in — sign in interactively"
        }
        "AADSTS75011" => {
            "the request asks for an authentication method (RequestedAuthnContext) other than the one the user signed in with — leave the requested authentication context out, or sign in again"
        }
        "AADSTS76021" => {
            "the application requires signed requests, and the request is not signed — in Entra, Single sign-on › SAML Certificates › Verification certificates, stop requiring them, or have Cognito sign its requests (the provider's request signing) and add Cognito's signing certificate there"
        }
        "AADSTS50034" => {
            "the user account does not exist in this tenant — sign in with an account of the tenant the provider trusts"
        }
        "AADSTS50126" => "the user name or password was wrong",
        "AADSTS50076" | "AADSTS50079" => {
            "multi-factor authentication is required and was not completed — sign in again and complete it"
        }
        _ => return None,
    })
}

/// What the top-level status code says about where the error lies.
pub fn top_level(status: &str) -> &'static str {
    match status {
        "Requester" => "Entra refused the request Cognito sent",
        "Responder" => "Entra could not sign the user in",
        "VersionMismatch" => "Entra does not accept the SAML version of the request",
        _ => "the sign-in failed at Entra",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_order_once_each() {
        let m = "AADSTS75006: An error occurred. AADSTS90011: The SAML property 'x' is not supported.\nTrace ID: 1\nAADSTS75006";
        assert_eq!(codes(m), vec!["AADSTS75006", "AADSTS90011"]);
        assert!(codes("no code here; AADSTS alone").is_empty());
    }
}
