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

/// The pacing of one process's calls to Cognito.
#[derive(Debug, Default)]
pub struct Pacer {
    buckets: HashMap<&'static str, Bucket>,
    operations: HashMap<String, Bucket>,
}

impl Pacer {
    /// How long to wait before sending `operation` on `pool` (empty: an account-level call)
    /// at `now` (the call is counted as sent then). Operations outside the table are not
    /// paced. The category's rate is the account's (all pools together); one operation's
    /// 5 a second is per pool, so reads spread over many pools (import, doctor --all) are
    /// held only by the account's rate.
    pub fn wait(&mut self, operation: &str, pool: &str, now: Instant) -> Duration {
        let Some((name, rate, per_operation)) = category(operation) else {
            return Duration::ZERO;
        };
        let mut wait = self
            .buckets
            .entry(name)
            .or_insert_with(|| Bucket::new(rate, now))
            .take(now);
        if per_operation {
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
        let start = Instant::now();
        let mut pacer = Pacer::default();
        let mut clock = start;
        let mut sent = Vec::new();
        for _ in 0..n {
            clock += pacer.wait(operation, "eu-west-1_P", clock);
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
