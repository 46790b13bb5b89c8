//! Desktop notifications: when jobs this window watched end while it is not focused, one
//! notification names the prompt and the result; jobs that end close together share one.
//!
//! [`Notices`] is plain state (which jobs were seen running, which ended, since when), so the
//! gathering is unit-tested; [`show`] sends the notification over D-Bus on its own thread.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::job::{Job, JobKind, JobStatus};

/// Jobs ending within this long of the first are told in one notification.
pub const GATHER: Duration = Duration::from_millis(1500);
/// Prompts named in a notification about several jobs.
const NAMED: usize = 3;
/// Longest prompt shown.
const PROMPT_CHARS: usize = 90;

/// How one job ended.
#[derive(Debug, Clone, PartialEq)]
struct Ended {
    what: String,
    prompt: String,
    outcome: Result<usize, String>,
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

/// Which jobs to tell about, gathered.
#[derive(Debug, Default)]
pub struct Notices {
    /// Off in Settings: nothing is gathered.
    pub enabled: bool,
    /// Jobs seen unfinished in this window (a job already over when first seen is old news).
    watching: HashSet<String>,
    ended: Vec<Ended>,
    since: Option<Instant>,
}

impl Notices {
    pub fn new(enabled: bool) -> Self {
        Self { enabled, ..Self::default() }
    }

    /// Takes in a job's news. Returns when to call [`due`](Self::due) if this ending is to be
    /// told (as [`next_due`](Self::next_due) then does): only for a job seen unfinished, once
    /// its result is kept, while the window is not focused.
    pub fn observe(&mut self, job: &Job, focused: bool, now: Instant) -> Option<Instant> {
        if !job.settled() {
            // running, or done with its images still coming (told once they are here)
            if !job.status.is_terminal() {
                self.watching.insert(job.id.clone());
            }
            return None;
        }
        if !self.watching.remove(&job.id) || focused || !self.enabled {
            return None;
        }
        let outcome = match &job.status {
            JobStatus::Succeeded => Ok(job.images.len()),
            other => Err(match other {
                JobStatus::Failed { reason } | JobStatus::Unknown { reason } => reason.clone(),
                _ => other.label(),
            }),
        };
        let prompt = job.prompt.as_deref().map(|p| crate::textsafe::line(p, PROMPT_CHARS)).unwrap_or_default();
        self.ended.push(Ended { what: what(&job.kind), prompt, outcome });
        Some(*self.since.get_or_insert(now) + GATHER)
    }

    /// When the gathered endings are to be told, if any are.
    pub fn next_due(&self) -> Option<Instant> {
        self.since.map(|since| since + GATHER)
    }

    /// The notification for what ended, once the gathering time has passed.
    pub fn due(&mut self, now: Instant) -> Option<Notice> {
        let since = self.since?;
        if now < since + GATHER {
            return None;
        }
        self.since = None;
        let ended = std::mem::take(&mut self.ended);
        compose(&ended)
    }
}

/// `Imagine`, `upsample1`, `Blend` ...: what the job was, for a title.
fn what(kind: &JobKind) -> String {
    match kind {
        JobKind::Action { action, .. } => action.clone(),
        other => {
            let label = other.label();
            let mut chars = label.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

fn compose(ended: &[Ended]) -> Option<Notice> {
    match ended {
        [] => None,
        [one] => {
            let (verdict, result) = match &one.outcome {
                Ok(1) => ("finished", "1 image".to_owned()),
                Ok(n) => ("finished", format!("{n} images")),
                Err(reason) => ("failed", crate::textsafe::line(reason, 160)),
            };
            let prompt = if one.prompt.is_empty() { String::new() } else { format!("{}\n", one.prompt) };
            Some(Notice { summary: format!("{} {verdict}", one.what), body: markup_safe(&format!("{prompt}{result}")) })
        }
        many => {
            let failed = many.iter().filter(|e| e.outcome.is_err()).count();
            let done = many.len() - failed;
            let mut body = match failed {
                0 => format!("{done} finished"),
                _ => format!("{done} finished, {failed} failed"),
            };
            for e in many.iter().filter(|e| !e.prompt.is_empty()).take(NAMED) {
                body.push_str(&format!("\n• {}", e.prompt));
            }
            let named = many.iter().filter(|e| !e.prompt.is_empty()).count().min(NAMED);
            if many.len() > named && named > 0 {
                body.push_str(&format!("\n…and {} more", many.len() - named));
            }
            Some(Notice { summary: format!("{} jobs ended", many.len()), body: markup_safe(&body) })
        }
    }
}

/// Notification servers read a little HTML in the body: a prompt's `<` or `&` is shown as
/// written, never taken as markup.
fn markup_safe(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Shows `notice` on the desktop, on its own thread (the D-Bus call may wait on the session
/// bus). A desktop with no notification service is logged once, never shown as an error.
pub fn show(notice: Notice) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    let spawned = std::thread::Builder::new().name("notify".into()).spawn(move || {
        let shown = notify_rust::Notification::new()
            .appname("mjdesk")
            .icon("mjdesk")
            .summary(&notice.summary)
            .body(&notice.body)
            .show();
        if let Err(e) = shown {
            WARNED.call_once(|| tracing::warn!("desktop notifications are unavailable: {e}"));
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("could not start the notification thread: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobImage, JobRequest, Provider, SubmitOptions};

    fn job(id: &str, prompt: &str, status: JobStatus) -> Job {
        let mut j = Job::new(
            Provider::Ttapi,
            "https://api.ttapi.io",
            JobRequest::Imagine { prompt: prompt.into() },
            SubmitOptions::default(),
        );
        j.id = id.into();
        j.prompt = Some(prompt.into());
        j.status = status;
        j
    }

    fn done(id: &str, prompt: &str) -> Job {
        let mut j = job(id, prompt, JobStatus::Succeeded);
        j.images = vec![JobImage {
            url: "https://cdn.example/a.png".into(),
            local_path: Some("/tmp/a.png".into()),
            error: None,
        }];
        j
    }

    #[test]
    fn a_job_seen_running_that_ends_unfocused_is_told_once_after_the_gathering_time() {
        let t0 = Instant::now();
        let mut n = Notices::new(true);
        assert_eq!(n.observe(&job("a", "a <b>red</b> fox & hound", JobStatus::Submitted), false, t0), None);
        let wake = n.observe(&done("a", "a <b>red</b> fox & hound"), false, t0).expect("told");
        assert_eq!(wake, t0 + GATHER);
        assert_eq!(n.next_due(), Some(wake));
        assert_eq!(n.due(t0 + GATHER / 2), None, "still gathering");
        let notice = n.due(wake).unwrap();
        assert_eq!(notice.summary, "Imagine finished");
        assert_eq!(notice.body, "a &lt;b&gt;red&lt;/b&gt; fox &amp; hound\n1 image");
        assert_eq!(n.due(wake + GATHER), None, "once");
        assert_eq!(n.next_due(), None, "and nothing keeps the window awake");
        assert_eq!(n.observe(&done("a", "again"), false, t0), None, "its later news is not told again");
    }

    #[test]
    fn focused_disabled_old_and_still_downloading_jobs_are_not_told() {
        let t0 = Instant::now();
        let mut n = Notices::new(true);
        assert_eq!(n.observe(&done("old", "finished before"), false, t0), None, "never seen running");
        n.observe(&job("f", "p", JobStatus::Submitted), false, t0);
        assert_eq!(n.observe(&done("f", "p"), true, t0), None, "the designer is looking");
        n.observe(&job("d", "p", JobStatus::Submitted), false, t0);
        let mut downloading = done("d", "p");
        downloading.images[0].local_path = None;
        assert_eq!(n.observe(&downloading, false, t0), None, "told once its images are kept");
        assert!(n.observe(&done("d", "p"), false, t0).is_some());
        let mut off = Notices::new(false);
        off.observe(&job("x", "p", JobStatus::Submitted), false, t0);
        assert_eq!(off.observe(&done("x", "p"), false, t0), None, "off in Settings");
    }

    #[test]
    fn many_ending_together_share_one_notification_naming_a_few_and_the_failures() {
        let t0 = Instant::now();
        let mut n = Notices::new(true);
        for i in 0..5 {
            n.observe(&job(&format!("j{i}"), &format!("prompt {i}"), JobStatus::Running { progress: 5 }), false, t0);
        }
        for i in 0..4 {
            n.observe(&done(&format!("j{i}"), &format!("prompt {i}")), false, t0 + Duration::from_millis(100 * i));
        }
        let failed = job("j4", "prompt 4", JobStatus::Failed { reason: "banned word".into() });
        assert_eq!(n.observe(&failed, false, t0 + Duration::from_secs(1)), Some(t0 + GATHER), "one wake for all");
        let notice = n.due(t0 + GATHER).unwrap();
        assert_eq!(notice.summary, "5 jobs ended");
        assert_eq!(notice.body, "4 finished, 1 failed\n• prompt 0\n• prompt 1\n• prompt 2\n…and 2 more");
    }

    #[test]
    fn a_failure_alone_says_the_reason_and_an_action_names_itself() {
        let t0 = Instant::now();
        let mut n = Notices::new(true);
        let mut u = job("u", "a lighthouse", JobStatus::Submitted);
        u.kind = JobKind::Action { parent: "p".into(), action: "upsample2".into(), image_index: Some(2) };
        n.observe(&u, false, t0);
        u.status = JobStatus::Failed { reason: "the gateway said: queue full".into() };
        n.observe(&u, false, t0);
        let notice = n.due(t0 + GATHER).unwrap();
        assert_eq!(notice.summary, "upsample2 failed");
        assert_eq!(notice.body, "a lighthouse\nthe gateway said: queue full");
    }
}
