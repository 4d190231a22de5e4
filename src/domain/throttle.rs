//! Login throttling: after a few failures sign-ins are slowed, after more they are
//! refused for a while — per account and per address, whichever bites first.

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// From this many recent failures of an account, each attempt is delayed.
    pub slow_after: u32,
    /// Extra delay per failure beyond `slow_after`, capped at `max_delay_ms`.
    pub delay_step_ms: u64,
    pub max_delay_ms: u64,
    /// From this many recent failures of an account, sign-in is refused…
    pub lock_after: u32,
    /// …until this long after the last failure.
    pub lock_for: Duration,
    /// The same, counted per address, so one machine cannot try many accounts.
    pub ip_lock_after: u32,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window: Duration::minutes(15),
            slow_after: 3,
            delay_step_ms: 750,
            max_delay_ms: 5_000,
            lock_after: 8,
            lock_for: Duration::minutes(15),
            ip_lock_after: 30,
        }
    }
}

/// Recent failures, as counted in the store.
#[derive(Debug, Clone, Copy, Default)]
pub struct Failures {
    pub count: u32,
    pub last: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead, after waiting this long (0 when there is no reason to wait).
    Allow { delay_ms: u64 },
    /// Refused until then, whatever the password.
    Refuse { until: NaiveDateTime },
}

pub fn verdict(
    p: &ThrottlePolicy,
    account: Failures,
    address: Failures,
    now: NaiveDateTime,
) -> Verdict {
    let locked_until = |f: Failures, limit: u32| {
        f.last
            .filter(|_| f.count >= limit)
            .map(|last| last + p.lock_for)
            .filter(|until| *until > now)
    };
    let until = [
        locked_until(account, p.lock_after),
        locked_until(address, p.ip_lock_after),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(until) = until {
        return Verdict::Refuse { until };
    }
    let over = account.count.saturating_sub(p.slow_after.saturating_sub(1));
    let delay_ms = (u64::from(over) * p.delay_step_ms).min(p.max_delay_ms);
    Verdict::Allow { delay_ms }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            + Duration::minutes(min)
    }

    fn f(count: u32, last: i64) -> Failures {
        Failures {
            count,
            last: Some(t(last)),
        }
    }

    #[test]
    fn a_first_mistake_costs_nothing() {
        let p = ThrottlePolicy::default();
        assert_eq!(
            verdict(&p, Failures::default(), Failures::default(), t(0)),
            Verdict::Allow { delay_ms: 0 }
        );
        assert_eq!(
            verdict(&p, f(2, 0), f(2, 0), t(0)),
            Verdict::Allow { delay_ms: 0 }
        );
    }

    #[test]
    fn repeated_failures_slow_then_refuse() {
        let p = ThrottlePolicy::default();
        assert_eq!(
            verdict(&p, f(3, 0), f(3, 0), t(0)),
            Verdict::Allow { delay_ms: 750 }
        );
        assert_eq!(
            verdict(&p, f(4, 0), f(4, 0), t(0)),
            Verdict::Allow { delay_ms: 1500 }
        );
        assert_eq!(
            verdict(&p, f(7, 0), f(7, 0), t(0)),
            Verdict::Allow { delay_ms: 3750 }
        );
        assert_eq!(
            verdict(&p, f(8, 0), f(8, 0), t(1)),
            Verdict::Refuse { until: t(15) }
        );
    }

    #[test]
    fn delays_are_capped() {
        let p = ThrottlePolicy {
            lock_after: 100,
            ip_lock_after: 100,
            ..Default::default()
        };
        assert_eq!(
            verdict(&p, f(50, 0), f(50, 0), t(0)),
            Verdict::Allow { delay_ms: 5_000 }
        );
    }

    #[test]
    fn a_lock_ends() {
        let p = ThrottlePolicy::default();
        assert!(matches!(
            verdict(&p, f(8, 0), f(8, 0), t(16)),
            Verdict::Allow { .. }
        ));
    }

    #[test]
    fn an_address_trying_many_accounts_is_refused() {
        let p = ThrottlePolicy::default();
        assert_eq!(
            verdict(&p, f(1, 0), f(30, 2), t(3)),
            Verdict::Refuse { until: t(17) }
        );
    }
}
