//! The account behind each watched endpoint: its balance, read when watching starts and
//! after jobs end, never more than once a minute; and its stated queue limit, which the
//! endpoint's in-progress slots then follow.
//!
//! Only endpoints the window asks to watch ([`JobManager::watch_account`]) are read, so the
//! CLI sends nothing it was not asked to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Inner, JobManager, ManagerError, Update, lock};
use crate::gateway::Account;
use crate::job::Provider;

/// The least time between two reads of one account.
pub const ACCOUNT_EVERY: Duration = Duration::from_secs(60);
/// The most jobs in progress a gateway's stated limit can raise the slots to.
const MOST_SLOTS: u32 = 100;

/// The jobs in progress allowed on an endpoint whose gateway states `max_queue`.
pub fn stated_limit(max_queue: u32) -> usize {
    max_queue.clamp(1, MOST_SLOTS) as usize
}

/// When one account is read: at once if it has not been read for a minute, else once at
/// the end of that minute however many jobs end before it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AccountClock {
    last: Option<Instant>,
    scheduled: bool,
}

impl AccountClock {
    /// A job ended (or watching began) at `now`: when to read, or None when a read is
    /// already on its way.
    pub fn wanted(&mut self, now: Instant) -> Option<Instant> {
        if self.scheduled {
            return None;
        }
        self.scheduled = true;
        Some(match self.last {
            Some(last) if now < last + ACCOUNT_EVERY => last + ACCOUNT_EVERY,
            _ => now,
        })
    }

    /// The read scheduled by [`wanted`](Self::wanted) is being sent at `now`.
    pub fn reading(&mut self, now: Instant) {
        self.last = Some(now);
        self.scheduled = false;
    }
}

/// What the window hears about one endpoint's account.
#[derive(Debug, Clone)]
pub struct AccountNews {
    pub provider: Provider,
    pub endpoint: String,
    /// The account, or why it could not be read.
    pub account: Result<Account, ManagerError>,
}

impl JobManager {
    /// Starts watching the account behind `endpoint`: read now, then after jobs end (at most
    /// once a minute). Gateways without an account call are left alone.
    pub fn watch_account(&self, provider: Provider, endpoint: &str) {
        if crate::gateway::build_account(provider).is_none() {
            return;
        }
        let key = (provider, endpoint.to_owned());
        lock(&self.inner.accounts).entry(key).or_default();
        after_job(&self.inner, provider, endpoint);
    }
}

/// A job on `endpoint` ended: schedule a read of its account if it is watched.
pub(super) fn after_job(inner: &Arc<Inner>, provider: Provider, endpoint: &str) {
    let key = (provider, endpoint.to_owned());
    let when = match lock(&inner.accounts).get_mut(&key) {
        Some(clock) => clock.wanted(Instant::now()),
        None => return,
    };
    let Some(when) = when else { return };
    let weak = Arc::downgrade(inner);
    tokio::spawn(async move {
        tokio::time::sleep_until(when.into()).await;
        let Some(inner) = weak.upgrade() else { return };
        if let Some(clock) = lock(&inner.accounts).get_mut(&key) {
            clock.reading(Instant::now());
        }
        let (provider, endpoint) = key;
        let account = match inner.gateway(provider, &endpoint).await {
            Ok(gw) => match gw.client.account().await {
                Ok(Some(account)) => Ok(account),
                Ok(None) => return,
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        };
        if let Ok(Account { max_queue: Some(n), .. }) = &account {
            set_limit(&inner, provider, &endpoint, stated_limit(*n));
        }
        inner.emit(Update::Account(Arc::new(AccountNews { provider, endpoint, account })));
    });
}

/// Makes the endpoint's slots `limit`: more at once, or fewer as running jobs end.
fn set_limit(inner: &Inner, provider: Provider, endpoint: &str, limit: usize) {
    let slots = inner.slots(provider, endpoint);
    let key = (provider, endpoint.to_owned());
    let old = {
        let mut limits = lock(&inner.limits);
        let old = limits.get(&key).copied().unwrap_or(inner.config.max_in_progress.max(1));
        limits.insert(key, limit);
        old
    };
    if limit > old {
        slots.add_permits(limit - old);
    } else if limit < old {
        let fewer = u32::try_from(old - limit).unwrap_or(u32::MAX);
        // Taken as jobs end, and never given back: the slots shrink without stopping a job.
        tokio::spawn(async move {
            if let Ok(permits) = slots.acquire_many_owned(fewer).await {
                permits.forget();
            }
        });
    }
    tracing::debug!(%endpoint, limit, "in-progress limit follows the gateway's queue limit");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_end_reads_at_once_and_ends_within_a_minute_share_one_read_at_its_end() {
        let t0 = Instant::now();
        let mut clock = AccountClock::default();
        assert_eq!(clock.wanted(t0), Some(t0), "never read: at once");
        assert_eq!(clock.wanted(t0 + Duration::from_secs(1)), None, "a read is on its way");
        clock.reading(t0);
        let soon = t0 + Duration::from_secs(10);
        assert_eq!(clock.wanted(soon), Some(t0 + ACCOUNT_EVERY), "within the minute: at its end");
        assert_eq!(clock.wanted(soon + Duration::from_secs(5)), None, "and only once");
        clock.reading(t0 + ACCOUNT_EVERY);
        let later = t0 + ACCOUNT_EVERY * 3;
        assert_eq!(clock.wanted(later), Some(later), "a minute after the last read: at once");
    }
}
