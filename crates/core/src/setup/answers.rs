//! Each answer a face asks for, and the one rule it must meet while it is typed. The wizard
//! (errors under their fields) and plain mode (inquire validators) both call `check`, so a
//! rule lives here once and neither face holds one of its own. The whole-setup rules are
//! `validate`; these are the same rules, field by field, worded for the field.

use super::parse_list;
use super::validate::{
    Problem, check_client_name, check_guid, check_identifiers, check_mapping_entry,
    check_pool_name, check_prefix, check_provider_name, check_region_value, check_scopes,
    check_tenant_id, check_url,
};

/// One typed answer, by what it answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer<'a> {
    Region(&'a str),
    PoolName(&'a str),
    DomainPrefix(&'a str),
    /// Callback URLs as typed (comma- or space-separated); a new client needs one.
    CallbackUrls {
        typed: &'a str,
        new_client: bool,
    },
    LogoutUrls(&'a str),
    Scopes(&'a str),
    ClientName(&'a str),
    ProviderName(&'a str),
    /// The provider's identifiers as typed (comma- or space-separated); empty: none.
    Identifiers(&'a str),
    /// Empty means "not given yet" (the field is optional until the step is confirmed).
    TenantId(&'a str),
    ClientId(&'a str),
    /// The OIDC secret's expiry, YYYY-MM-DD; empty: not recorded.
    SecretExpiry(&'a str),
    Mapping {
        attribute: &'a str,
        claim: &'a str,
    },
}

fn said(p: Problem) -> String {
    format!("{} — {}", p.problem, p.fix)
}

/// What is wrong with the answer, as one line for under the field (`None`: fine).
pub fn check(answer: Answer<'_>) -> Option<String> {
    match answer {
        Answer::Region(v) => check_region_value(v.trim()).map(said),
        Answer::PoolName(v) if v.trim().is_empty() => Some("give the pool a name".into()),
        Answer::PoolName(v) => check_pool_name(v.trim()).map(said),
        Answer::DomainPrefix(v) => {
            let mut out = Vec::new();
            check_prefix(v.trim(), &mut out);
            out.into_iter().next().map(said)
        }
        Answer::CallbackUrls { typed, new_client } => {
            if new_client && parse_list(typed).is_empty() {
                return Some(
                    "a new client needs at least one callback URL, e.g. http://localhost:3000/callback"
                        .into(),
                );
            }
            urls("callback_urls", typed)
        }
        Answer::LogoutUrls(v) => urls("logout_urls", v),
        Answer::Scopes(v) => {
            let mut out = Vec::new();
            check_scopes("app_client.scopes", &parse_list(v), &mut out);
            out.into_iter().next().map(said)
        }
        Answer::ClientName(v) if v.trim().is_empty() => Some("give the client a name".into()),
        Answer::ClientName(v) => check_client_name(v.trim()).map(said),
        Answer::ProviderName(v) => check_provider_name(v.trim()).map(said),
        Answer::Identifiers(v) => {
            let mut out = Vec::new();
            check_identifiers(&parse_list(v), &mut out);
            // Warnings are the review's to show; only what AWS would refuse stops the step.
            out.into_iter().find(Problem::is_error).map(said)
        }
        Answer::TenantId(v) if v.trim().is_empty() => None,
        Answer::TenantId(v) => check_tenant_id("tenant_id", v.trim()).map(said),
        Answer::ClientId(v) if v.trim().is_empty() => None,
        Answer::ClientId(v) => {
            check_guid("client_id", "Application (client) ID", v.trim()).map(said)
        }
        Answer::SecretExpiry(v) => {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let shaped = v.len() == 10
                && v.char_indices().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            match time::Date::parse(v, &format) {
                // In the format, yet no day of the calendar (2027-02-30).
                Err(_) if shaped => Some(format!(
                    "{v} is not a day of the calendar: check the month and the day (the Expires column in Certificates & secrets)"
                )),
                Err(_) => Some(
                    "write the date as YYYY-MM-DD (the Expires column in Certificates & secrets)"
                        .into(),
                ),
                // An expired secret signs nobody in: said here, not first by doctor.
                Ok(date) if date < time::OffsetDateTime::now_utc().date() => Some(format!(
                    "the secret expired on {v}: Cognito cannot sign anyone in with it — in Entra, Certificates & secrets › New client secret, then paste its Value and its expiry here"
                )),
                Ok(_) => None,
            }
        }
        Answer::Mapping { attribute, claim } => check_mapping_entry(attribute.trim(), claim.trim())
            .into_iter()
            .next()
            .map(said),
    }
}

/// `check`, for an answer that must be given now (the step is being confirmed): an empty
/// tenant or client ID says where to find it.
pub fn check_given(answer: Answer<'_>) -> Option<String> {
    match answer {
        Answer::TenantId(v) if v.trim().is_empty() => Some(
            "the Directory (tenant) ID is needed (Overview page of the app registration)".into(),
        ),
        Answer::ClientId(v) if v.trim().is_empty() => Some(
            "the Application (client) ID is needed (Overview page of the app registration)".into(),
        ),
        other => check(other),
    }
}

fn urls(field: &str, typed: &str) -> Option<String> {
    parse_list(typed)
        .iter()
        .find_map(|u| check_url(field, u))
        .map(said)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_has_its_rule() {
        assert!(check(Answer::Scopes("email profile")).is_some_and(|m| m.contains("openid")));
        assert!(check(Answer::Scopes("openid email")).is_none());
        assert!(check(Answer::SecretExpiry("next year")).is_some_and(|m| m.contains("YYYY-MM-DD")));
        assert!(
            check(Answer::SecretExpiry("2027-02-30"))
                .is_some_and(|m| m.contains("not a day of the calendar"))
        );
        let day = |days: i64| {
            (time::OffsetDateTime::now_utc() + time::Duration::days(days))
                .date()
                .to_string()
        };
        assert!(check(Answer::SecretExpiry(&day(365))).is_none());
        assert!(
            check(Answer::SecretExpiry(&day(-1))).is_some_and(|m| m.contains("expired")),
            "an expired secret is said at entry"
        );
        assert!(check(Answer::TenantId("not a tenant!")).is_some());
        assert!(check(Answer::ClientId("1234")).is_some());
        assert!(
            check(Answer::CallbackUrls {
                typed: "",
                new_client: true
            })
            .is_some()
        );
        assert!(
            check(Answer::CallbackUrls {
                typed: "",
                new_client: false
            })
            .is_none()
        );
        assert!(
            check(Answer::Mapping {
                attribute: "emial",
                claim: "x"
            })
            .is_some()
        );
    }
}
