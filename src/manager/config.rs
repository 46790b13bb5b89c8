//! How the job manager runs: jobs in progress per gateway, polling, deadlines, retries, and
//! how often it watches the store for other processes' changes.

use std::time::Duration;

use crate::retry::Backoff;

#[derive(Debug, Clone)]
pub struct ManagerConfig {
    /// Jobs in progress at once per gateway endpoint (TTAPI allows 10 per key).
    pub max_in_progress: usize,
    /// Time between fetches of a running job.
    pub poll_interval: Duration,
    /// Added to a job's timeout before mjdesk gives up on it, so the gateway's own verdict
    /// ("Job Timeout") arrives first when it has one.
    pub deadline_grace: Duration,
    pub backoff: Backoff,
    /// Submits that could not connect at all are retried this many times; a job whose
    /// gateway on this machine stops answering fails after this many refused fetches.
    pub connect_retries: u32,
    /// Download attempts per image before giving up on transient errors.
    pub download_attempts: u32,
    /// How often the store is checked for another process's changes.
    pub watch_interval: Duration,
    /// How often a submit in flight renews its claim (its lease) in the store.
    pub claim_renew: Duration,
    /// A submit claim not renewed for this long is abandoned (its process died or hangs):
    /// only then does another process declare the job "unknown".
    pub claim_stale: Duration,
    /// The longest single wait after a submit the gateway refused as busy (429 / 499),
    /// whatever its `Retry-After` asks.
    pub busy_wait_cap: Duration,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        Self {
            max_in_progress: 10,
            poll_interval: Duration::from_secs(2),
            deadline_grace: Duration::from_secs(30),
            backoff: Backoff::default(),
            connect_retries: 5,
            download_attempts: 6,
            watch_interval: Duration::from_secs(1),
            claim_renew: Duration::from_secs(5),
            claim_stale: Duration::from_secs(30),
            busy_wait_cap: Duration::from_secs(60),
        }
    }
}

impl ManagerConfig {
    /// The defaults, with `MJDESK_MAX_IN_PROGRESS` (jobs in progress per gateway) and
    /// `MJDESK_POLL_MS` (time between fetches) applied when set.
    pub fn from_env() -> Self {
        let mut config = Self::default();
        let var = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(n) = var("MJDESK_MAX_IN_PROGRESS").filter(|n| *n > 0) {
            config.max_in_progress = n as usize;
        }
        if let Some(ms) = var("MJDESK_POLL_MS") {
            config.poll_interval = Duration::from_millis(ms);
        }
        if let Some(ms) = var("MJDESK_DEADLINE_GRACE_MS") {
            config.deadline_grace = Duration::from_millis(ms);
        }
        config
    }

    /// Quick polling and retries, for tests against the simulator.
    pub fn fast() -> Self {
        Self {
            poll_interval: Duration::from_millis(50),
            deadline_grace: Duration::from_secs(1),
            backoff: Backoff::fast(),
            watch_interval: Duration::from_millis(100),
            claim_renew: Duration::from_millis(100),
            claim_stale: Duration::from_secs(2),
            ..Self::default()
        }
    }
}
