//! Cognito's request-rate quotas, and the pacing that keeps a run under them: one setup's
//! apply makes a handful of calls, but `apply --all` over many customers on one pool, or the
//! reads of every provider's identifiers, would otherwise be throttled.
//!
//! The numbers are AWS's ("Quotas in Amazon Cognito", user pools API operation categories
//! and request rate quotas): each category has an account-wide rate (requests per second,
//! all pools of a Region together), and in the categories marked so, no single operation may
//! be called more than 5 times a second on one user pool. Neither limit is passed in any
//! one-second window (a token bucket holding a small burst, refilled at the rest of the rate:
//! at most the whole rate in any second, and close to it over a long run).
//!
//! Pure: the clock comes in as `Instant`s, the answer is how long to wait.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The quota category of an operation the tool calls, its account-wide rate (RPS), and
/// whether one operation of it is also held to 5 RPS on one pool.
pub fn category(operation: &str) -> Option<(&'static str, u32, bool)> {
    Some(match operation {
        "DescribeUserPool" | "ListUserPools" => ("UserPoolRead", 15, false),
        "CreateUserPool" | "UpdateUserPool" | "DeleteUserPool" => ("UserPoolUpdate", 15, false),
        "DescribeIdentityProvider"
        | "ListIdentityProviders"
        | "DescribeUserPoolDomain"
        | "GetSigningCertificate"
        | "DescribeManagedLoginBrandingByClient" => ("UserPoolResourceRead", 20, true),
        "CreateIdentityProvider"
        | "UpdateIdentityProvider"
        | "DeleteIdentityProvider"
        | "CreateUserPoolDomain"
        | "DeleteUserPoolDomain"
        | "CreateManagedLoginBranding" => ("UserPoolResourceUpdate", 15, true),
        "DescribeUserPoolClient" | "ListUserPoolClients" => ("UserPoolClientRead", 15, true),
        "CreateUserPoolClient" | "UpdateUserPoolClient" | "DeleteUserPoolClient" => {
            ("UserPoolClientUpdate", 15, true)
        }
        _ => return None,
    })
}

/// One operation's rate on one pool, in the categories that hold it.
pub const PER_OPERATION_PER_POOL: u32 = 5;

/// Calls a bucket lets through at once before pacing starts (at most half its rate): a
/// single run's few reads of one category (doctor's four resource reads) go unpaced.
const BURST: u32 = 5;

/// A token bucket that passes at most `rate` calls in any one second.
#[derive(Debug, Clone)]
struct Bucket {
    /// Calls it may pass at once (half the rate, at most `BURST`).
    capacity: f64,
    /// Tokens added each second (the rest of the rate).
    refill: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: u32, now: Instant) -> Bucket {
        // A window of one second holds at most the burst plus one second's refill: a small
        // burst leaves the refill (the rate a long run keeps) close to the whole quota.
        let capacity = f64::from((rate / 2).clamp(1, BURST));
        Bucket {
            capacity,
            refill: (f64::from(rate) - capacity).max(1.0),
            tokens: capacity,
            at: now,
        }
    }

    /// Takes one token at `now`, or reserves the next one: how long to wait for it.
    fn take(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.refill).min(self.capacity);
        self.at = now.max(self.at);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.refill)
        }
    }
}

/// The categories the tool calls in, as the Service Quotas console names them.
const CATEGORIES: [&str; 6] = [
    "UserPoolRead",
    "UserPoolUpdate",
    "UserPoolResourceRead",
    "UserPoolResourceUpdate",
    "UserPoolClientRead",
    "UserPoolClientUpdate",
];

/// An account's own request-rate quotas where they were raised above AWS's defaults (Service
/// Quotas, or capacity bought for the account): `Category=RPS` pairs, comma-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quotas(HashMap<&'static str, u32>);

impl Quotas {
    /// Reads `UserPoolResourceRead=100,UserPoolRead=50`; what is wrong is said with the fix.
    pub fn parse(text: &str) -> Result<Quotas, String> {
        let mut out = HashMap::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, rps)) = pair.split_once('=') else {
                return Err(format!(
                    "{pair:?} is not CATEGORY=RPS (e.g. UserPoolResourceRead=100)"
                ));
            };
            let Some(category) = CATEGORIES
                .iter()
                .find(|c| c.eq_ignore_ascii_case(name.trim()))
            else {
                return Err(format!(
                    "{:?} is not a quota category the tool calls in (it calls in {})",
                    name.trim(),
                    CATEGORIES.join(", ")
                ));
            };
            let rps: u32 = match rps.trim().parse() {
                Ok(n) if (1..=10_000).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "{category}={:?}: the rate is a whole number of requests a second, 1 to 10000 (the Service Quotas console shows the account's)",
                        rps.trim()
                    ));
                }
            };
            out.insert(*category, rps);
        }
        Ok(Quotas(out))
    }

    fn rate(&self, category: &str, default: u32) -> u32 {
        self.0.get(category).copied().unwrap_or(default)
    }
}

/// The pacing of one process's calls to Cognito.
#[derive(Debug, Default)]
pub struct Pacer {
    buckets: HashMap<&'static str, Bucket>,
    operations: HashMap<String, Bucket>,
    quotas: Quotas,
}

impl Pacer {
    /// Paced to the account's own quotas where they were raised (the defaults elsewhere).
    pub fn with_quotas(quotas: Quotas) -> Pacer {
        Pacer {
            quotas,
            ..Pacer::default()
        }
    }

    /// How long to wait before sending `operation` on `pool` (empty: an account-level call)
    /// at `now` (the call is counted as sent then). Operations outside the table are not
    /// paced. The category's rate is the account's (all pools together); one operation's
    /// 5 a second is per pool, so reads spread over many pools (import, doctor --all) are
    /// held only by the account's rate.
    pub fn wait(&mut self, operation: &str, pool: &str, now: Instant) -> Duration {
        let Some((name, default, per_operation)) = category(operation) else {
            return Duration::ZERO;
        };
        let rate = self.quotas.rate(name, default);
        let mut wait = self
            .buckets
            .entry(name)
            .or_insert_with(|| Bucket::new(rate, now))
            .take(now);
        // A call that names no pool (a domain's description names the domain) is held only by
        // the account's rate: there is no pool whose per-operation quota it could count to.
        if per_operation && !pool.is_empty() {
            wait = wait.max(
                self.operations
                    .entry(format!("{operation} {pool}"))
                    .or_insert_with(|| Bucket::new(PER_OPERATION_PER_POOL, now))
                    .take(now),
            );
        }
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `n` calls as fast as the pacer lets them, and returns when each went.
    fn schedule(operation: &str, n: usize) -> Vec<Duration> {
        schedule_on(operation, "eu-west-1_P", n)
    }

    /// The same, on `pool` ("" for a call that names none).
    fn schedule_on(operation: &str, pool: &str, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        let mut clock = start;
        let mut sent = Vec::new();
        for _ in 0..n {
            clock += pacer.wait(operation, pool, clock);
            sent.push(clock - start);
        }
        sent
    }

    fn most_in_any_second(sent: &[Duration]) -> usize {
        sent.iter()
            .map(|t| {
                sent.iter()
                    .filter(|u| **u >= *t && **u < *t + Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn calls_that_name_no_pool_are_held_by_the_accounts_rate_only() {
        // 50 domains described (doctor --all over 50 setups): the account's 20 a second, not
        // one operation's 5 a second on a pool none of them names.
        let sent = schedule_on("DescribeUserPoolDomain", "", 50);
        assert!(most_in_any_second(&sent) <= 20);
        assert!(sent[49] <= Duration::from_secs(3), "{:?}", sent[49]);
        // On one pool, the operation's own 5 a second still holds.
        let sent = schedule_on("DescribeIdentityProvider", "eu-west-1_P", 20);
        assert!(most_in_any_second(&sent) <= 5);
    }

    #[test]
    fn an_accounts_raised_quota_paces_to_it_and_a_bad_one_is_refused_with_the_fix() {
        let quotas = Quotas::parse("userpoolresourceread=100, UserPoolRead=40").unwrap();
        let mut pacer = Pacer::with_quotas(quotas);
        let start = Instant::now();
        let mut clock = start;
        let mut sent = Vec::new();
        // Spread over pools, as doctor --all reads them: only the account's rate holds.
        for i in 0..150 {
            clock += pacer.wait(
                "DescribeIdentityProvider",
                &format!("eu-west-1_P{i}"),
                clock,
            );
            sent.push(clock - start);
        }
        assert!(most_in_any_second(&sent) <= 100);
        assert!(sent[149] < Duration::from_secs(2), "{:?}", sent[149]);
        for bad in [
            "UserPoolResourceRead",
            "Nope=5",
            "UserPoolRead=0",
            "UserPoolRead=lots",
        ] {
            let e = Quotas::parse(bad).unwrap_err();
            assert!(
                e.contains("UserPoolRead") || e.contains("CATEGORY=RPS"),
                "{bad}: {e}"
            );
        }
        assert_eq!(Quotas::parse(""), Ok(Quotas::default()));
    }

    #[test]
    fn no_second_holds_more_than_the_quota_and_a_few_calls_go_at_once() {
        let creates = schedule("CreateIdentityProvider", 40);
        assert!(most_in_any_second(&creates) <= 5, "{creates:?}");
        assert_eq!(creates[1], Duration::ZERO, "a short burst is not paced");
        let clients = schedule("UpdateUserPoolClient", 40);
        assert!(most_in_any_second(&clients) <= 5);
        let pools = schedule("DescribeUserPool", 60);
        assert!(most_in_any_second(&pools) <= 15);
        // Spread over 20 pools, one operation is held by the account's rate (20 a second
        // for resource reads), not by the 5 a second of one pool.
        let start = Instant::now();
        let mut pacer = Pacer::default();
        let mut clock = start;
        let mut sent = Vec::new();
        for i in 0..40 {
            clock += pacer.wait("DescribeIdentityProvider", &format!("eu-west-1_{i}"), clock);
            sent.push(clock - start);
        }
        let busiest = most_in_any_second(&sent);
        assert!(
            busiest > 5 && busiest <= 20,
            "{busiest} in a second: {sent:?}"
        );
        assert!(
            schedule("GetCallerIdentity", 50)
                .iter()
                .all(|d| d.is_zero())
        );
    }
}
