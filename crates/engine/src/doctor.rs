//! Is a live setup still healthy? The saved answers against what Cognito and Entra hold now:
//! drift made in the console, the provider still on the client, certificates that expire, a
//! client secret about to lapse. Pure: the command reads the live side, this judges it.

use serde::Serialize;
use time::OffsetDateTime;

use crate::export::provider_details;
use crate::setup::{Protocol, Values};
use crate::state::State;
use cognito_entra_cognito::api::{
    ClientConfig, DomainInfo, Pool, ProviderInfo, ProviderSummary, ProviderType, READ_ONLY_DETAILS,
};
use cognito_entra_entra::metadata::{Certificate, date, short};
use cognito_entra_entra::{discovery, metadata};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
    /// Empty when there is nothing to do.
    pub fix: String,
}

fn check(name: &str, status: Status, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name: name.to_string(),
        status,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// What the live side holds (`None`: not found, or not read).
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub pool: Option<Pool>,
    pub domain: Option<DomainInfo>,
    pub providers: Vec<ProviderSummary>,
    pub provider: Option<ProviderInfo>,
    pub client: Option<ClientConfig>,
    /// Cognito's SAML signing certificate, parsed.
    pub signing_certificate: Option<Certificate>,
    /// The provider's encryption certificate, parsed (encrypted responses).
    pub encryption_certificate: Option<Certificate>,
    pub metadata: Option<metadata::Report>,
    pub discovery: Option<discovery::Report>,
}

/// How many days ahead an expiry is warned of, unless `--within` says otherwise.
pub const DEFAULT_WITHIN_DAYS: i64 = 30;

/// The saved setup against the live side, each expiry warned of `within_days` ahead.
pub fn assess(
    state: &State,
    values: &Values,
    live: &Live,
    now: OffsetDateTime,
    within_days: i64,
) -> Vec<Check> {
    let setup = &state.answers;
    let mut out = Vec::new();
    // The one next step, for where this setup stands (applied, half-done, taken down).
    let restore = crate::journey::next_step_advice(state);
    let restore = restore.as_str();
    let Some(pool) = &live.pool else {
        out.push(match values.user_pool_id.as_deref() {
            Some(id) => check(
                "user pool",
                Status::Fail,
                format!("{id} not found in {}", setup.region),
                format!("check the AWS profile and region (a pool ID starts with its region); if the pool was deleted: {restore}"),
            ),
            None => check(
                "user pool",
                Status::Fail,
                "the setup has no user pool in Cognito yet",
                restore,
            ),
        });
        return out;
    };
    out.push(check(
        "user pool",
        Status::Pass,
        format!("{} ({})", pool.id, pool.name),
        "",
    ));

    // Domain.
    if let Some(prefix) = &setup.domain.prefix {
        match &live.domain {
            Some(d) if d.user_pool_id == pool.id => {
                let status = d.status.clone().unwrap_or_else(|| "ACTIVE".into());
                if status == "ACTIVE" {
                    out.push(check(
                        "domain",
                        Status::Pass,
                        format!("{prefix} (active)"),
                        "",
                    ));
                } else {
                    out.push(check(
                        "domain",
                        Status::Warn,
                        format!("{prefix} is {status}"),
                        "a new domain takes a few minutes; if it stays so, see the Cognito console",
                    ));
                }
            }
            Some(d) => out.push(check(
                "domain",
                Status::Fail,
                format!("{prefix} belongs to another pool ({})", d.user_pool_id),
                "choose another prefix in the setup and apply",
            )),
            None => out.push(check(
                "domain",
                Status::Fail,
                format!("{prefix} does not exist"),
                restore,
            )),
        }
    }

    // Provider and drift.
    let name = setup.provider_name();
    let Some(provider) = &live.provider else {
        out.push(check(
            "identity provider",
            Status::Fail,
            format!("{name} does not exist on the pool"),
            restore,
        ));
        return out;
    };
    let expected_type = if setup.protocol == Protocol::Saml {
        ProviderType::Saml
    } else {
        ProviderType::Oidc
    };
    if provider.provider_type != expected_type {
        out.push(check(
            "identity provider",
            Status::Fail,
            format!(
                "{name} is {}, the setup says {}",
                provider.provider_type.as_aws(),
                setup.protocol.label()
            ),
            "rename the provider in the setup, or recreate it",
        ));
    } else {
        out.push(check(
            "identity provider",
            Status::Pass,
            format!("{name} ({})", provider.provider_type.as_aws()),
            "",
        ));
    }
    // The same desired state plan and export use; OIDC endpoints from the tenant's discovery
    // document as it was read just now.
    let discovery = live.discovery.as_ref().and_then(|r| r.discovery.as_ref());
    let desired = provider_details(setup, None, discovery);
    for (key, want) in &desired {
        if READ_ONLY_DETAILS.contains(&key.as_str()) {
            continue;
        }
        let have = provider.details.get(key).cloned().unwrap_or_else(|| {
            if matches!(
                key.as_str(),
                "IDPSignout" | "IDPInit" | "EncryptedResponses"
            ) {
                "false".into()
            } else {
                String::new()
            }
        });
        if have.trim() != want.trim() {
            out.push(check(
                &format!("provider {key}"),
                Status::Warn,
                format!(
                    "saved {want:?}, live {:?}: changed outside this tool",
                    if have.is_empty() {
                        "(none)"
                    } else {
                        have.as_str()
                    }
                ),
                restore,
            ));
        }
    }
    if setup.protocol == Protocol::Saml
        && setup.saml().metadata_file.is_some()
        && provider.details.contains_key("MetadataURL")
    {
        out.push(check(
            "provider MetadataURL",
            Status::Warn,
            "the setup says a metadata file, the provider has a URL",
            restore,
        ));
    }
    for (attr, claim) in setup.attribute_mapping() {
        match provider.attribute_mapping.get(&attr) {
            Some(live_claim) if *live_claim == claim => {}
            Some(live_claim) => out.push(check(
                &format!("mapping {attr}"),
                Status::Warn,
                format!("saved {claim:?}, live {live_claim:?}: changed outside this tool"),
                restore,
            )),
            None => out.push(check(
                &format!("mapping {attr}"),
                Status::Warn,
                format!("saved {claim:?}, live: not mapped"),
                restore,
            )),
        }
    }
    // A provider the setup made is held to the setup whole: a mapping added in the console is
    // drift too, and the next apply takes it off.
    let made = crate::teardown::created(state);
    if made.provider {
        let added = crate::plan::mapping_beyond(setup, &provider.attribute_mapping);
        if !added.is_empty() {
            out.push(check(
                "mapping",
                Status::Warn,
                format!(
                    "mapped on {name} but not in the setup (added outside this tool): {}",
                    added.join(", ")
                ),
                "the setup made this provider, so the next apply unmaps them: add them to [provider.attribute_mapping] to keep them",
            ));
        }
    }
    for attr in &pool.required_attributes {
        if attr != "sub" && !provider.attribute_mapping.contains_key(attr) {
            out.push(check(
                "required attributes",
                Status::Fail,
                format!("the pool requires {attr}, and nothing from Entra is mapped to it: every first sign-in fails"),
                format!("add {attr} = \"<Entra claim>\" under [provider.attribute_mapping] and apply"),
            ));
        }
    }

    // Client.
    match &live.client {
        None => out.push(check(
            "app client",
            Status::Fail,
            "the app client does not exist",
            restore,
        )),
        Some(client) => {
            let label = if client.client_name.is_empty() {
                client.client_id.clone().unwrap_or_default()
            } else {
                client.client_name.clone()
            };
            if client
                .supported_identity_providers
                .iter()
                .any(|p| p == name)
            {
                out.push(check(
                    "provider on client",
                    Status::Pass,
                    format!("{name} is enabled on {label}"),
                    "",
                ));
            } else {
                out.push(check(
                    "provider on client",
                    Status::Fail,
                    format!("{name} is not enabled on {label} (it lists {}): nobody can sign in with Entra through it", if client.supported_identity_providers.is_empty() { "no provider".to_string() } else { client.supported_identity_providers.join(", ") }),
                    restore,
                ));
            }
            if setup.idp_initiated() {
                let type_of = |p: &str| {
                    live.providers
                        .iter()
                        .find(|x| x.name == p)
                        .map(|x| x.provider_type)
                };
                let mixed: Vec<&String> = client
                    .supported_identity_providers
                    .iter()
                    .filter(|p| *p == "COGNITO" || type_of(p) != Some(ProviderType::Saml))
                    .collect();
                if mixed.is_empty() {
                    out.push(check(
                        "IdP-initiated rule",
                        Status::Pass,
                        "the client lists only SAML providers",
                        "",
                    ));
                } else {
                    out.push(check(
                        "IdP-initiated rule",
                        Status::Fail,
                        format!("the client also lists {}: Cognito refuses IdP-initiated sign-in on such a client", mixed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
                        "take them off (apply --remove-other-providers) or use a dedicated client",
                    ));
                }
            }
            let missing: Vec<&String> = setup
                .app_client
                .callback_urls
                .iter()
                .filter(|u| !client.callback_urls.contains(u))
                .collect();
            if !missing.is_empty() {
                out.push(check(
                    "callback URLs",
                    Status::Warn,
                    format!(
                        "no longer on the client: {}",
                        missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    restore,
                ));
            }
            if made.client {
                let added = crate::plan::client_lists_beyond(setup, client);
                if !added.is_empty() {
                    out.push(check(
                        "app client lists",
                        Status::Warn,
                        format!(
                            "on {label} but not in the setup (added outside this tool): {}",
                            added.join(", ")
                        ),
                        "the setup made this client, so the next apply removes them: add them to [app_client] to keep them",
                    ));
                }
            }
            if !client.allowed_oauth_flows_user_pool_client {
                out.push(check(
                    "OAuth on client",
                    Status::Fail,
                    "OAuth is turned off on the client: the hosted sign-in refuses it",
                    restore,
                ));
            }
        }
    }

    // Entra's side.
    match setup.protocol {
        Protocol::Saml => {
            if provider.details.contains_key("MetadataFile")
                && !provider.details.contains_key("MetadataURL")
            {
                out.push(check("metadata source", Status::Warn, "a metadata file: Cognito never refreshes it, so Entra's next certificate rollover breaks sign-in", "use the App Federation Metadata Url (saml.metadata_url) and apply"));
            } else {
                out.push(check(
                    "metadata source",
                    Status::Pass,
                    "a metadata URL: Cognito refreshes it",
                    "",
                ));
            }
            if let Some(report) = &live.metadata {
                out.extend(entra_certificates(report, now, within_days));
            }
        }
        Protocol::Oidc => {
            if let Some(report) = &live.discovery {
                match &report.discovery {
                    Some(d) => {
                        let issuer = provider
                            .details
                            .get("oidc_issuer")
                            .cloned()
                            .unwrap_or_default();
                        if issuer == d.issuer {
                            out.push(check(
                                "OIDC discovery",
                                Status::Pass,
                                format!("the tenant's issuer is still {issuer}"),
                                "",
                            ));
                        } else {
                            out.push(check(
                                "OIDC discovery",
                                Status::Fail,
                                format!(
                                    "the tenant's issuer is {}, the provider has {issuer}",
                                    d.issuer
                                ),
                                restore,
                            ));
                        }
                        for (key, want) in [
                            ("authorize_url", &d.authorize_url),
                            ("token_url", &d.token_url),
                            ("jwks_uri", &d.jwks_uri),
                        ] {
                            if provider.details.get(key) != Some(want) {
                                out.push(check(
                                    &format!("OIDC {key}"),
                                    Status::Warn,
                                    format!(
                                        "discovery says {want}, the provider has {}",
                                        provider.details.get(key).map_or("(none)", String::as_str)
                                    ),
                                    restore,
                                ));
                            }
                        }
                    }
                    None => out.push(check(
                        "OIDC discovery",
                        Status::Fail,
                        report
                            .findings
                            .iter()
                            .map(|f| f.message.clone())
                            .collect::<Vec<_>>()
                            .join("; "),
                        "check the tenant in Entra",
                    )),
                }
            }
            out.push(secret_expiry(state, now, within_days));
        }
    }

    // Cognito's certificates, as Entra holds them.
    let saml = setup.saml();
    let needs_signing =
        setup.protocol == Protocol::Saml && (saml.sign_requests || saml.idp_signout);
    if let Some(cert) = &live.signing_certificate {
        let given = state
            .entra_given_another("signing", &cert.thumbprint)
            .filter(|_| needs_signing);
        let left = (cert.not_after - now).whole_days();
        if let Some(given) = given {
            out.push(check(
                "Cognito signing certificate",
                Status::Warn,
                format!("Cognito now signs with {} (valid until {}); Entra was given {}", short(&cert.thumbprint), date(cert.not_after), short(&given.thumbprint)),
                format!("run `cognito-entra rotate --setup {}`: it writes the new certificate and hands it to Entra (through Graph), or says where to upload it (Verification certificates)", setup.name),
            ));
        } else if left < within_days {
            out.push(check("Cognito signing certificate", Status::Warn, format!("{} expires on {} (in {left} days)", short(&cert.thumbprint), date(cert.not_after)), "Cognito adds a new signing certificate every year; when it does, apply writes it for Entra"));
        } else {
            out.push(check(
                "Cognito signing certificate",
                Status::Pass,
                format!(
                    "{} valid until {}",
                    short(&cert.thumbprint),
                    date(cert.not_after)
                ),
                "",
            ));
        }
    }
    if let Some(cert) = &live.encryption_certificate {
        if state
            .entra_given_another("encryption", &cert.thumbprint)
            .is_some()
        {
            out.push(check("Cognito encryption certificate", Status::Warn, format!("Cognito now encrypts with {}; Entra was given another", short(&cert.thumbprint)), "run `cognito-entra apply` to write it, then import and activate it in Entra (Token encryption)"));
        } else {
            out.push(check(
                "Cognito encryption certificate",
                Status::Pass,
                format!(
                    "{} valid until {}",
                    short(&cert.thumbprint),
                    date(cert.not_after)
                ),
                "",
            ));
        }
    }
    out
}

fn entra_certificates(
    report: &metadata::Report,
    now: OffsetDateTime,
    within_days: i64,
) -> Vec<Check> {
    let Some(m) = &report.metadata else {
        let why = report
            .findings
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        return vec![check(
            "Entra metadata",
            Status::Fail,
            why,
            "check the App Federation Metadata Url in Entra (SAML Certificates)",
        )];
    };
    let valid: Vec<&Certificate> = m.certificates.iter().filter(|c| c.valid_at(now)).collect();
    if valid.is_empty() {
        return vec![check(
            "Entra signing certificates",
            Status::Fail,
            format!(
                "none is valid now ({})",
                m.certificates
                    .iter()
                    .map(|c| format!("{} until {}", short(&c.thumbprint), date(c.not_after)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "in Entra, Single sign-on › SAML Certificates › add a new certificate and make it active",
        )];
    }
    let soonest = valid.iter().map(|c| c.not_after).max().unwrap_or(now);
    let left = (soonest - now).whole_days();
    if left < within_days {
        vec![check(
            "Entra signing certificates",
            Status::Warn,
            format!("the newest expires on {} (in {left} days)", date(soonest)),
            "in Entra, Single sign-on › SAML Certificates › add a new certificate and make it active before then",
        )]
    } else {
        vec![check(
            "Entra signing certificates",
            Status::Pass,
            format!("valid until {}", date(soonest)),
            "",
        )]
    }
}

fn secret_expiry(state: &State, now: OffsetDateTime, within_days: i64) -> Check {
    let name = "client secret";
    let Some(text) = &state.entra.client_secret_expires else {
        return check(
            name,
            Status::Warn,
            "its expiry date is not recorded",
            "Entra secrets expire after at most 24 months; note the date from Certificates & secrets in the wizard (Back from Entra)",
        );
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(day) = time::Date::parse(text, &format) else {
        return check(
            name,
            Status::Warn,
            format!("the recorded expiry {text:?} is not a date"),
            "record it again as YYYY-MM-DD",
        );
    };
    let left = (day - now.date()).whole_days();
    if left < 0 {
        check(
            name,
            Status::Fail,
            format!("expired on {text}: sign-in fails with AADSTS7000222"),
            "in Entra, Certificates & secrets › New client secret; then apply with COGNITO_ENTRA_CLIENT_SECRET set",
        )
    } else if left < within_days {
        check(
            name,
            Status::Warn,
            format!("expires on {text} (in {left} days); then sign-in fails with AADSTS7000222"),
            "make a new secret in Entra before then and apply it",
        )
    } else {
        check(name, Status::Pass, format!("valid until {text}"), "")
    }
}

/// The Entra application as Graph shows it, held against what Cognito needs (`doctor
/// --entra graph`): every mismatch named before a user meets it.
pub fn assess_entra(
    state: &State,
    values: &Values,
    live: &Live,
    seen: &crate::entra_app::Seen,
    now: OffsetDateTime,
) -> Vec<Check> {
    let setup = &state.answers;
    let mut out = Vec::new();
    let (Some(app), sp) = (&seen.app, &seen.sp) else {
        out.push(check(
            "Entra application",
            Status::Fail,
            "not found in the tenant signed in to",
            "sign in to the setup's tenant; if the application was deleted, run apply --entra graph to make it again",
        ));
        return out;
    };
    out.push(check(
        "Entra application",
        Status::Pass,
        format!("{} ({})", app.display_name, app.app_id),
        "",
    ));
    let has = |list: &[String], wanted: &Option<String>| {
        wanted.as_ref().is_none_or(|w| list.iter().any(|v| v == w))
    };
    let (reply_name, reply) = match setup.protocol {
        crate::setup::Protocol::Saml => ("Entra Reply URL", &values.reply_url),
        crate::setup::Protocol::Oidc => ("Entra redirect URI", &values.redirect_uri),
    };
    if setup.protocol == crate::setup::Protocol::Saml {
        out.push(if has(&app.identifier_uris, &values.entity_id) {
            check("Entra Identifier", Status::Pass, values.entity_id.clone().unwrap_or_default(), "")
        } else {
            check(
                "Entra Identifier",
                Status::Fail,
                format!("Entra has {}; Cognito sends {}", app.identifier_uris.join(", "), values.entity_id.clone().unwrap_or_default()),
                "run apply --entra graph, or add the Identifier in Basic SAML Configuration: sign-in fails with AADSTS700016 until then",
            )
        });
    }
    out.push(if has(&app.redirect_uris, reply) {
        check(reply_name, Status::Pass, reply.clone().unwrap_or_default(), "")
    } else {
        check(
            reply_name,
            Status::Fail,
            format!("Entra has {}; Cognito uses {}", app.redirect_uris.join(", "), reply.clone().unwrap_or_default()),
            "run apply --entra graph, or add it in Entra: sign-in fails with AADSTS50011 until then",
        )
    });
    if setup.protocol == crate::setup::Protocol::Saml {
        let sp = sp.clone().unwrap_or_default();
        if setup.saml().idp_initiated {
            out.push(if sp.relay_state == values.relay_state {
                check("Entra Relay State", Status::Pass, "as Cognito needs it", "")
            } else {
                check(
                    "Entra Relay State",
                    Status::Fail,
                    format!("Entra has {}", sp.relay_state.as_deref().unwrap_or("none")),
                    "run apply --entra graph: sign-in from My Apps lands nowhere until then",
                )
            });
        }
        let trusted = state.entra_thumbprints();
        match &sp.signing_thumbprint {
            Some(active) if trusted.iter().any(|t| t.eq_ignore_ascii_case(active)) => out.push(check(
                "Entra signing certificate",
                Status::Pass,
                format!("{} active, and in Cognito's metadata", short(active)),
                "",
            )),
            Some(active) => out.push(check(
                "Entra signing certificate",
                Status::Fail,
                format!("Entra signs with {}, which the provider's metadata (as last checked) does not list", short(active)),
                "with a metadata URL Cognito refreshes by itself: run apply to check it now; with a file, download the app's metadata again and apply",
            )),
            None => out.push(check(
                "Entra signing certificate",
                Status::Fail,
                "no active SAML signing certificate",
                "run apply --entra graph, or in Entra: SAML Certificates › Add a certificate › make it active",
            )),
        }
        out.push(expiry_mails(&setup.entra.notify, &sp.notification_emails));
        out.extend(cognito_certificates_in_entra(setup, live, app));
    } else {
        let soonest = app
            .secret_ends
            .iter()
            .filter_map(|e| {
                OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339).ok()
            })
            .max();
        match soonest {
            None => out.push(check(
                "Entra client secret",
                Status::Fail,
                "the app registration has no client secret",
                "run apply --entra graph to make one (it goes straight to Cognito)",
            )),
            Some(end) if end < now => out.push(check(
                "Entra client secret",
                Status::Fail,
                format!("the newest expired on {}", date(end)),
                "run apply --entra graph with the provider's secret removed, or make a new secret in Certificates & secrets and apply it: sign-in fails with AADSTS7000222",
            )),
            Some(end) => {
                let left = (end - now).whole_days();
                out.push(check(
                    "Entra client secret",
                    if left < 30 { Status::Warn } else { Status::Pass },
                    format!("the newest expires on {} (in {left} days)", date(end)),
                    if left < 30 { "make a new secret before then (Certificates & secrets) and apply it" } else { "" },
                ));
            }
        }
    }
    out
}

/// Who Entra mails before its SAML signing certificate expires, held against the setup's
/// `[entra] notify`: nobody, or fewer than the setup names, is a warning.
fn expiry_mails(wanted: &[String], held: &[String]) -> Check {
    const NAME: &str = "Entra expiry mails";
    let missing = crate::entra_app::addresses_missing(wanted, held);
    if !missing.is_empty() {
        return check(
            NAME,
            Status::Warn,
            format!(
                "the setup names {}, which Entra does not mail before the SAML certificate expires (it mails {})",
                missing.join(", "),
                if held.is_empty() {
                    "nobody".to_string()
                } else {
                    held.join(", ")
                }
            ),
            "run apply --entra graph",
        );
    }
    if held.is_empty() {
        return check(
            NAME,
            Status::Warn,
            "Entra mails nobody before the SAML signing certificate expires",
            "name who should be told: notify = [\"ops@contoso.com\"] under [entra], then apply --entra graph",
        );
    }
    check(NAME, Status::Pass, held.join(", "), "")
}

/// Cognito's certificates as Entra holds them: its signing certificate among the
/// verification certificates (and signed requests required), its encryption certificate the
/// active one — each compared by thumbprint with what Cognito uses now.
fn cognito_certificates_in_entra(
    setup: &crate::setup::Setup,
    live: &Live,
    app: &crate::entra_app::AppSeen,
) -> Vec<Check> {
    let mut out = Vec::new();
    let saml = setup.saml();
    let held = |usage: &str, thumbprint: &str| app.key(usage, thumbprint);
    if saml.sign_requests || saml.idp_signout {
        let name = "Entra verification certificate";
        out.push(match &live.signing_certificate {
            None => check(name, Status::Warn, "Cognito's signing certificate could not be read", "run doctor again; check the AWS credentials can call GetSigningCertificate"),
            Some(cert) if held("Verify", &cert.thumbprint).is_some() => check(
                name,
                Status::Pass,
                format!("Cognito's signing certificate {} is one", short(&cert.thumbprint)),
                "",
            ),
            Some(cert) => check(
                name,
                Status::Fail,
                format!("Cognito signs with {}, which Entra does not hold", short(&cert.thumbprint)),
                format!("run `cognito-entra rotate --setup {} --entra graph` (it hands it over first), or upload it in Single sign-on › SAML Certificates › Verification certificates: Entra refuses the signed requests (or sign-out) until then", setup.name),
            ),
        });
    }
    if saml.sign_requests {
        out.push(if app.signed_requests_required {
            check("Entra signed requests", Status::Pass, "required", "")
        } else {
            check(
                "Entra signed requests",
                Status::Warn,
                "Cognito signs its requests, but Entra does not require it",
                "run apply --entra graph, or tick Require verification certificates: until then a forged unsigned request is answered too",
            )
        });
    }
    if saml.encrypted_responses {
        let name = "Entra token encryption";
        out.push(match &live.encryption_certificate {
            None => check(name, Status::Warn, "Cognito's encryption certificate could not be read", "run apply to finish the provider, then doctor again"),
            Some(cert) => match held("Encrypt", &cert.thumbprint) {
                Some(key) if app.token_encryption_key_id.as_deref() == Some(key.key_id.as_str()) => check(
                    name,
                    Status::Pass,
                    format!("Entra encrypts to Cognito's certificate {}", short(&cert.thumbprint)),
                    "",
                ),
                Some(_) => check(
                    name,
                    Status::Fail,
                    format!("Entra holds Cognito's certificate {} but encrypts with another (or none)", short(&cert.thumbprint)),
                    "run apply --entra graph, or in Token encryption right-click it › Activate: Cognito refuses unencrypted assertions",
                ),
                None => check(
                    name,
                    Status::Fail,
                    format!("Cognito decrypts with {}, which Entra does not hold", short(&cert.thumbprint)),
                    "run apply --entra graph, or import it in Single sign-on › Token encryption and activate it",
                ),
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::{Setup, derive};
    use crate::state::CertificateRecord;

    /// Cognito renews its signing certificate yearly; Entra verifies signed requests with the
    /// one it was given. The certificate handed to Entra (recorded) is compared with the pool's
    /// current one, and a difference says what to upload where (#12 item 11).
    #[test]
    fn a_renewed_cognito_signing_certificate_is_named_before_sign_in_breaks() {
        let mut setup = Setup::blank("corp", Protocol::Saml);
        let mut saml = setup.saml();
        saml.sign_requests = true;
        setup.saml = Some(saml);
        let mut state = State::new(setup);
        state.aws.user_pool_id = Some("eu-west-1_P".into());
        let live_cert = cognito_entra_entra::metadata::parse_certificate(
            cognito_entra_cognito::certs::TEST_CERTIFICATE_B64,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let record = |thumbprint: &str| CertificateRecord {
            kind: "signing".into(),
            thumbprint: thumbprint.into(),
            not_after: "2030-01-01".into(),
            file: None,
        };
        let live = Live {
            pool: Some(crate::account::Pool {
                id: "eu-west-1_P".into(),
                name: "corp-users".into(),
                ..Default::default()
            }),
            provider: Some(crate::account::ProviderInfo {
                name: "EntraID".into(),
                provider_type: crate::account::ProviderType::Saml,
                details: Default::default(),
                attribute_mapping: Default::default(),
                idp_identifiers: None,
            }),
            signing_certificate: Some(live_cert.clone()),
            ..Live::default()
        };
        let values = derive(
            &state.answers,
            &state.known(),
            "https://login.microsoftonline.com",
        );
        let now = time::OffsetDateTime::now_utc();
        let signing = |state: &State| {
            assess(state, &values, &live, now, DEFAULT_WITHIN_DAYS)
                .into_iter()
                .find(|c| c.name == "Cognito signing certificate")
        };

        state.aws.certificates = vec![record("0000000000000000000000000000000000000000")];
        let renewed = signing(&state).unwrap_or_else(|| panic!("no check"));
        assert_eq!(renewed.status, Status::Warn, "{renewed:?}");
        assert!(renewed.detail.contains("Entra was given"), "{renewed:?}");
        assert!(
            renewed.fix.contains("Verification certificates"),
            "{renewed:?}"
        );

        state.aws.certificates = vec![record(&live_cert.thumbprint)];
        let same = signing(&state).unwrap_or_else(|| panic!("no check"));
        assert!(!same.detail.contains("Entra was given"), "{same:?}");
    }
}
