//! The quota spent this session: jobs finished since the window opened that reported a cost,
//! each counted once (shown in the status bar).

use std::collections::HashSet;

use crate::job::Job;

/// Reads a gateway's cost loosely: the first number in the text (`"3"`, `"2.5"`,
/// `"0.05 credits"`, `"$0.05"`). Nothing numeric, or a negative or absurd figure, counts as none.
pub fn parse_quota(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit() || c == '.')?;
    let rest = &text[start..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    let mut number = &rest[..end];
    // "1.5." or "3.": keep the leading well-formed part.
    while number.ends_with('.') {
        number = &number[..number.len() - 1];
    }
    number.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0 && *n < 1e9)
}

/// The quota spent by jobs finished since the window opened, each counted once. The default
/// session starts now.
#[derive(Debug, Clone)]
pub struct SessionTally {
    /// When the session started, ms since the epoch; jobs finished before do not count.
    pub started_at: i64,
    counted: HashSet<String>,
    pub spent: f64,
    /// Jobs finished this session that reported a cost.
    pub jobs: usize,
}

impl Default for SessionTally {
    fn default() -> Self {
        Self { started_at: crate::job::now_ms(), counted: HashSet::new(), spent: 0.0, jobs: 0 }
    }
}

impl SessionTally {
    /// Takes in a job update: a job that finished this session and reports a cost adds it, once.
    pub fn record(&mut self, job: &Job) {
        let finished_now = job.status.is_terminal() && job.finished_at.is_some_and(|t| t >= self.started_at);
        if !finished_now || self.counted.contains(&job.id) {
            return;
        }
        if let Some(cost) = job.quota.as_deref().and_then(parse_quota) {
            self.counted.insert(job.id.clone());
            self.spent += cost;
            self.jobs += 1;
        }
    }

    /// `"quota this session 4.5"`, trimmed of needless decimals.
    pub fn label(&self) -> String {
        let spent = format!("{:.3}", self.spent);
        let spent = spent.trim_end_matches('0').trim_end_matches('.');
        format!("quota this session {spent}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::job::{JobRequest, JobStatus, Provider, SubmitOptions};

    /// A finished-or-not imagine job reporting `quota`, for the tally and the status bar.
    pub(crate) fn job(quota: Option<&str>, finished_at: Option<i64>, status: JobStatus) -> Job {
        let mut j =
            Job::new(Provider::Ttapi, "http://x", JobRequest::Imagine { prompt: "p".into() }, SubmitOptions::default());
        j.quota = quota.map(str::to_owned);
        j.finished_at = finished_at;
        j.status = status;
        j
    }

    #[test]
    fn quota_is_read_loosely() {
        assert_eq!(parse_quota("3"), Some(3.0));
        assert_eq!(parse_quota("2.5"), Some(2.5));
        assert_eq!(parse_quota("0.05 credits"), Some(0.05));
        assert_eq!(parse_quota("$0.05"), Some(0.05));
        assert_eq!(parse_quota("3."), Some(3.0));
        assert_eq!(parse_quota("free"), None);
        assert_eq!(parse_quota(""), None);
        assert_eq!(parse_quota("."), None);
        assert_eq!(parse_quota("1e99999"), Some(1.0), "the first number, not an exponent");
    }

    #[test]
    fn only_jobs_finished_this_session_count_and_each_once() {
        let mut t = SessionTally { started_at: 1_000, ..Default::default() };
        assert!(SessionTally::default().started_at > 1_000, "a new session starts now");
        let done = job(Some("3"), Some(2_000), JobStatus::Succeeded);
        t.record(&done);
        t.record(&done);
        t.record(&job(Some("1.5"), Some(3_000), JobStatus::Failed { reason: "x".into() }));
        t.record(&job(Some("10"), Some(500), JobStatus::Succeeded));
        t.record(&job(Some("10"), None, JobStatus::Running { progress: 50 }));
        t.record(&job(None, Some(2_000), JobStatus::Succeeded));
        t.record(&job(Some("n/a"), Some(2_000), JobStatus::Succeeded));
        assert_eq!((t.spent, t.jobs), (4.5, 2));
        assert_eq!(t.label(), "quota this session 4.5");
        assert_eq!(SessionTally::default().label(), "quota this session 0");
    }
}
