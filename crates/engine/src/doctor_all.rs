//! `doctor`, for one saved setup or for all of them at once: each setup's live side read
//! (all setups concurrently, bounded; one AWS connection per region and profile, one HTTPS
//! client, reused), judged by doctor's checks, with every expiry the tool knows and the one
//! next step. A setup that cannot be read (credentials, network, an unreadable state file)
//! is its own failing verdict, never a stop of the others.

use std::collections::HashMap;

use futures_util::StreamExt;
use futures_util::stream;
use serde::Serialize;
use time::OffsetDateTime;

use cognito_entra_cognito::sdk::{AwsOptions, SdkCognito, connect};

use crate::doctor::{Check, Live, Status, assess};
use crate::engine::{Error, Job, fetcher, read_live_with};
use crate::setup::{Protocol, Setup};
use crate::state::{State, StateStore};

/// How many setups are read at once: a fleet's reads overlap, within Cognito's rates.
const SETUPS_AT_ONCE: usize = 8;

/// One setup judged, as `doctor --setup NAME --json` prints it and `doctor --all --json`
/// lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub setup: String,
    pub checks: Vec<Check>,
    pub summary: Summary,
    /// Every expiry the tool knows for the setup, soonest first.
    pub expiries: Vec<Expiry>,
    /// The one thing to do next (the fix of the first failure, else of the first warning);
    /// empty when there is nothing to do.
    pub next_step: String,
    /// The setup's protocol, for a table (not in the JSON: `doctor --json` never had it);
    /// `None` when its state could not be read.
    #[serde(skip)]
    pub protocol: Option<Protocol>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
}

/// Something that stops sign-in on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expiry {
    pub what: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// Days from today (negative: past).
    pub days: i64,
}

impl Report {
    fn new(setup: &str, checks: Vec<Check>, mut expiries: Vec<Expiry>) -> Report {
        let count = |st: Status| checks.iter().filter(|c| c.status == st).count();
        let summary = Summary {
            pass: count(Status::Pass),
            warn: count(Status::Warn),
            fail: count(Status::Fail),
        };
        let next_step = [Status::Fail, Status::Warn]
            .iter()
            .find_map(|st| {
                checks
                    .iter()
                    .find(|c| c.status == *st && !c.fix.is_empty())
                    .map(|c| c.fix.clone())
            })
            .unwrap_or_default();
        expiries.sort_by_key(|e| e.days);
        Report {
            setup: setup.to_string(),
            checks,
            summary,
            expiries,
            next_step,
            protocol: None,
        }
    }

    /// The same report with these checks (Graph's added), its summary and next step again.
    pub fn with_checks(report: Report, checks: Vec<Check>) -> Report {
        let protocol = report.protocol;
        Report {
            protocol,
            ..Report::new(&report.setup, checks, report.expiries)
        }
    }

    /// A setup that could not be checked: one failing check that says why.
    fn unchecked(setup: &str, what: &str, why: String, fix: &str) -> Report {
        Report::new(
            setup,
            vec![Check {
                name: what.to_string(),
                status: Status::Fail,
                detail: why,
                fix: fix.to_string(),
            }],
            Vec::new(),
        )
    }

    /// The worst status among its checks.
    pub fn worst(&self) -> Status {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Pass)
    }
}

/// Every date the tool knows that stops sign-in: Entra's SAML signing certificate (the
/// newest valid one in the metadata), Cognito's signing and encryption certificates, the
/// OIDC client secret as recorded.
pub fn expiries(state: &State, live: &Live, now: OffsetDateTime) -> Vec<Expiry> {
    let day = |d: OffsetDateTime| Expiry {
        what: String::new(),
        date: cognito_entra_entra::metadata::date(d),
        days: (d - now).whole_days(),
    };
    let mut out = Vec::new();
    if let Some(m) = live.metadata.as_ref().and_then(|r| r.metadata.as_ref()) {
        let newest = m
            .certificates
            .iter()
            .filter(|c| c.valid_at(now))
            .map(|c| c.not_after)
            .max()
            .or_else(|| m.certificates.iter().map(|c| c.not_after).max());
        if let Some(end) = newest {
            out.push(Expiry {
                what: "Entra SAML signing certificate".into(),
                ..day(end)
            });
        }
    }
    let saml = state.answers.protocol == Protocol::Saml;
    if let Some(cert) = live.signing_certificate.as_ref().filter(|_| saml) {
        out.push(Expiry {
            what: "Cognito signing certificate".into(),
            ..day(cert.not_after)
        });
    }
    if let Some(cert) = &live.encryption_certificate {
        out.push(Expiry {
            what: "Cognito encryption certificate".into(),
            ..day(cert.not_after)
        });
    }
    if state.answers.protocol == Protocol::Oidc
        && let Some(text) = &state.entra.client_secret_expires
    {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        if let Ok(date) = time::Date::parse(text, &format) {
            out.push(Expiry {
                what: "OIDC client secret".into(),
                date: text.clone(),
                days: (date - now.date()).whole_days(),
            });
        }
    }
    out
}

/// How each setup is reached: its job (where, as whom, which authority).
pub trait Reach {
    fn job(&self, state: &State) -> Job;
    /// The sign-in authority the setup's values are derived with.
    fn authority(&self, setup: &Setup) -> String;
}

/// One setup's doctor on a connection already made.
async fn check_one(
    state: &State,
    reach: &impl Reach,
    api: Result<&SdkCognito, &Error>,
    https: &Result<cognito_entra_entra::fetch::Fetcher, String>,
    now: OffsetDateTime,
    within_days: i64,
) -> Report {
    let setup = &state.answers;
    let api = match api {
        Ok(api) => api,
        Err(e) => {
            return Report::unchecked(
                &setup.name,
                "AWS",
                e.to_string(),
                "check the AWS credentials and region for this setup, then run doctor again",
            );
        }
    };
    let job = reach.job(state);
    let values = crate::setup::derive(setup, &state.known(), &reach.authority(setup));
    match read_live_with(api, https, &job, &values).await {
        Ok(live) => {
            let checks = assess(state, &values, &live, now, within_days);
            let expiries = expiries(state, &live, now);
            Report::new(&setup.name, checks, expiries)
        }
        Err(e) => Report::unchecked(
            &setup.name,
            "AWS",
            e.to_string(),
            "check the AWS credentials, region and network for this setup, then run doctor again",
        ),
    }
}

/// One saved setup judged (`doctor --setup NAME`).
pub async fn check(
    state: &State,
    reach: &impl Reach,
    within_days: i64,
) -> Result<(Report, Live), Error> {
    let job = reach.job(state);
    let api = crate::engine::api(&job).await?;
    let setup = &state.answers;
    let values = crate::setup::derive(setup, &state.known(), &reach.authority(setup));
    let live = read_live_with(&api, &fetcher(), &job, &values).await?;
    let now = OffsetDateTime::now_utc();
    let checks = assess(state, &values, &live, now, within_days);
    let expiries = expiries(state, &live, now);
    let report = Report {
        protocol: Some(setup.protocol),
        ..Report::new(&setup.name, checks, expiries)
    };
    Ok((report, live))
}

/// Every saved setup judged at once (`doctor --all`), in name order.
pub async fn check_all(store: &StateStore, reach: &impl Reach, within_days: i64) -> Vec<Report> {
    let now = OffsetDateTime::now_utc();
    let listed = match store.list() {
        Ok(listed) => listed,
        Err(e) => {
            return vec![Report::unchecked(
                "(state folder)",
                "saved setups",
                e.to_string(),
                "check the state folder (--state-dir) can be read",
            )];
        }
    };
    let mut reports = Vec::new();
    let mut states = Vec::new();
    for summary in listed {
        match summary.state {
            Ok(state) => states.push(state),
            Err(e) => reports.push(Report::unchecked(
                &summary.name,
                "state file",
                e.to_string(),
                "fix or remove the state file named above",
            )),
        }
    }
    // One connection per place (region, profile, endpoint): made once, at once.
    let mut places: Vec<AwsOptions> = Vec::new();
    for state in &states {
        let aws = reach.job(state).aws;
        if !places.iter().any(|p| same_place(p, &aws)) {
            places.push(aws);
        }
    }
    let connections: Vec<Result<SdkCognito, Error>> = futures_util::future::join_all(
        places
            .iter()
            .map(|aws| async move { connect(aws).await.map_err(|e| Error::aws(&e, aws)) }),
    )
    .await;
    let by_place: HashMap<usize, &Result<SdkCognito, Error>> =
        connections.iter().enumerate().collect();
    let https = fetcher();
    let checked: Vec<Report> = stream::iter(states.iter())
        .map(|state| {
            let aws = reach.job(state).aws;
            let place = places.iter().position(|p| same_place(p, &aws));
            let api = place
                .and_then(|i| by_place.get(&i).copied())
                .map(|r| r.as_ref());
            let https = &https;
            async move {
                let report = match api {
                    Some(api) => check_one(state, reach, api, https, now, within_days).await,
                    None => Report::unchecked(
                        &state.answers.name,
                        "AWS",
                        "no connection was made for this setup's region".into(),
                        "run doctor --setup for it",
                    ),
                };
                // The protocol from the state already read, whatever the checks came to.
                Report {
                    protocol: Some(state.answers.protocol),
                    ..report
                }
            }
        })
        .buffer_unordered(SETUPS_AT_ONCE)
        .collect()
        .await;
    reports.extend(checked);
    reports.sort_by(|a, b| a.setup.cmp(&b.setup));
    reports
}

fn same_place(a: &AwsOptions, b: &AwsOptions) -> bool {
    a.region == b.region && a.profile == b.profile && a.endpoint_url == b.endpoint_url
}
