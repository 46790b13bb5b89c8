//! Capped exponential backoff with full jitter, honouring `Retry-After`.
//!
//! Used for calls that are safe to repeat (fetches, downloads) and for submits the gateway
//! refused outright (429 / 499 / no connection), never for a submit that may have arrived.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first wait's upper bound.
    pub base: Duration,
    /// No wait is longer than this (a `Retry-After` may still ask for more, up to `max_retry_after`).
    pub cap: Duration,
    /// How long a gateway's `Retry-After` is honoured at most.
    pub max_retry_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// A quick policy for tests against the simulator.
    pub fn fast() -> Self {
        Self {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(2),
        }
    }

    /// The wait before retry number `attempt` (0 = the first retry): a random time up to
    /// `min(cap, base * 2^attempt)`, but never less than what the gateway asked for.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.base.saturating_mul(1u32 << attempt.min(20)).min(self.cap);
        let jittered = ceiling.mul_f64(fastrand::f64());
        match retry_after {
            Some(asked) => jittered.max(asked.min(self.max_retry_after)),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_but_stay_under_the_cap() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        };
        for attempt in 0..30 {
            let d = b.delay(attempt, None);
            let ceiling = Duration::from_millis(100).saturating_mul(1 << attempt.min(20)).min(Duration::from_secs(1));
            assert!(d <= ceiling, "attempt {attempt}: {d:?} > {ceiling:?}");
        }
        // jitter: not every delay is the same
        let samples: Vec<_> = (0..20).map(|_| b.delay(5, None)).collect();
        assert!(samples.iter().any(|d| *d != samples[0]));
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_limit() {
        let b = Backoff {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(2),
            max_retry_after: Duration::from_secs(5),
        };
        assert!(b.delay(0, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
        assert_eq!(b.delay(0, Some(Duration::from_secs(999))), Duration::from_secs(5));
    }
}
