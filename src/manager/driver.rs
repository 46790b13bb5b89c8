//! One job's life: wait for a slot, submit (written before and after), poll to the end or
//! the deadline, download the results.

use std::time::Duration;

use super::{Gateway, Inner, ManagerError, Update, download};
use crate::error::{FailureKind, GatewayError};
use crate::gateway::GatewayClient;
use crate::job::{Job, JobStatus, Mode, TIMED_OUT, now_ms};

/// Submits refused as busy (429 / 499) are retried this many times before the job fails.
const BUSY_RETRIES: u32 = 120;

/// Drives `job` as far as this process can. Returns where it stands, or None when another
/// process took it over (the store has its state).
pub(super) async fn run(inner: &Inner, mut job: Job) -> Option<Job> {
    let gw = match inner.gateway(job.provider, &job.base_url).await {
        Ok(g) => g,
        Err(e) => {
            if !job.status.is_terminal() {
                job.status = JobStatus::Failed { reason: e.to_string() };
                inner.save(&job).await;
            } else {
                inner.emit(Update::Notice(ManagerError::Connect(e)));
            }
            return Some(job);
        }
    };
    if !job.status.is_terminal() && drive_remote(inner, &gw, &mut job).await == Submit::TakenElsewhere {
        return None;
    }
    if job.status == JobStatus::Succeeded {
        download::fetch_all(inner, &gw.client, &mut job).await;
    }
    Some(job)
}

/// How a submit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Submit {
    /// The gateway has the job (its id is stored).
    Sent,
    /// The job ended here (failed, unknown, or left queued at its deadline).
    Ended,
    /// Another process claimed the job; it drives it from now on.
    TakenElsewhere,
}

/// Holds one of the gateway's slots from submit to the job's end.
async fn drive_remote(inner: &Inner, gw: &Gateway, job: &mut Job) -> Submit {
    inner.count(|c| c.queued_locally += 1);
    let permit = gw.slots.clone().acquire_owned().await;
    inner.count(|c| {
        c.queued_locally -= 1;
        c.in_progress += 1;
    });
    let outcome = if job.gateway_id.is_some() { Submit::Sent } else { submit(inner, &gw.client, job).await };
    if outcome == Submit::Sent {
        poll(inner, &gw.client, job).await;
    }
    drop(permit);
    inner.count(|c| c.in_progress -= 1);
    outcome
}

/// The job's timeout in seconds: its own, or the gateway's default for its mode.
fn timeout_secs(job: &Job) -> u64 {
    match (job.options.timeout_secs, &job.options.mode) {
        (Some(t), _) => t as u64,
        (None, Some(Mode::Relax)) => 900,
        (None, _) => 300,
    }
}

/// Sends the job, waiting (bounded by the job's deadline) while the gateway refuses it as
/// busy.
async fn submit(inner: &Inner, client: &GatewayClient, job: &mut Job) -> Submit {
    let mut attempt = 0u32;
    // While refused as busy the job waits until this deadline, then stays queued locally.
    let queue_deadline = now_ms() + deadline_ms(inner, job);
    loop {
        // Write before send: if we die during the call, the job is found "submitting" on
        // restart and shown as unknown instead of vanishing or being sent twice. The write is
        // a claim, so a second process following the same store cannot send it too.
        let id = job.id.clone();
        match inner.blocking(move |s| s.claim_for_submit(&id)).await {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => {
                // Whoever took it drives it; this process hears of it through the store.
                tracing::debug!(job = %job.id, "another process is submitting this job");
                return Submit::TakenElsewhere;
            }
            Ok(Err(e)) => {
                inner.emit(Update::Notice(e.into()));
                return Submit::TakenElsewhere;
            }
            Err(e) => {
                inner.emit(Update::Notice(e));
                return Submit::TakenElsewhere;
            }
        }
        job.status = JobStatus::Submitting;
        inner.emit(Update::Job(std::sync::Arc::new(job.clone())));
        tracing::debug!(job = %job.id, kind = job.kind.label(), gateway = %job.base_url, attempt, "submitting");
        let request = super::download::live_request(&job.base_url, client, &job.request);
        match renewing_claim(inner, &job.id, client.submit(&request, &job.options)).await {
            Ok(sub) => {
                tracing::debug!(job = %job.id, gateway_id = %sub.job_id, "submit accepted");
                let (id, gateway_id) = (job.id.clone(), sub.job_id.clone());
                match inner.blocking(move |s| s.set_gateway_id(&id, &gateway_id)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => inner.emit(Update::Notice(e.into())),
                    Err(e) => inner.emit(Update::Notice(e)),
                }
                let now = now_ms();
                job.gateway_id = Some(sub.job_id.clone());
                job.status = JobStatus::Submitted;
                job.submitted_at = Some(now);
                job.deadline_at = Some(now + deadline_ms(inner, job));
                if let Some(snap) = &sub.snapshot {
                    job.apply_snapshot(snap);
                }
                inner.save(job).await;
                return Submit::Sent;
            }
            Err(e) if waits_and_retries(&e, attempt, inner.config.connect_retries) => {
                tracing::debug!(job = %job.id, error = %e, "submit refused for now; waiting");
                job.status = JobStatus::QueuedLocally;
                job.last_raw = e.api().map(|f| f.body.clone());
                let why = match e.api() {
                    Some(f) => format!("the gateway is busy (HTTP {})", f.status),
                    None => "the gateway could not be reached".to_owned(),
                };
                let now = now_ms();
                if now >= queue_deadline {
                    // The job is kept, queued locally: `resume` (or the window) sends it later.
                    job.deadline_at = Some(queue_deadline);
                    job.raw_status = Some(format!(
                        "{why} still at the job's deadline ({} UTC); it stays queued locally",
                        clock(queue_deadline)
                    ));
                    inner.save(job).await;
                    return Submit::Ended;
                }
                let wait = inner
                    .config
                    .backoff
                    .delay(attempt, e.retry_after())
                    .min(inner.config.busy_wait_cap)
                    .min(Duration::from_millis((queue_deadline - now).max(0) as u64));
                let next = now + wait.as_millis() as i64;
                job.deadline_at = Some(queue_deadline);
                job.raw_status = Some(format!(
                    "{why}; waiting for it: next try at {} UTC, until {} UTC",
                    clock(next),
                    clock(queue_deadline)
                ));
                inner.save(job).await;
                if taken_while_waiting(inner, &job.id, wait).await {
                    return Submit::TakenElsewhere;
                }
                attempt += 1;
            }
            Err(e) if e.submit_not_received() => {
                tracing::debug!(job = %job.id, error = %e, "submit refused");
                report_key_refusal(inner, job, &e);
                job.status = JobStatus::Failed { reason: e.to_string() };
                job.finished_at = Some(now_ms());
                inner.save(job).await;
                return Submit::Ended;
            }
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "submit outcome unknown");
                if let GatewayError::Malformed { body, .. } = &e {
                    job.last_raw = Some(body.clone());
                }
                job.status = JobStatus::Unknown {
                    reason: format!(
                        "{e}. The gateway may have started this job; Retry submits it again (which may cost quota twice)"
                    ),
                };
                inner.save(job).await;
                return Submit::Ended;
            }
        }
    }
}

/// Runs a submit call while renewing this process's claim on the job every `claim_renew`,
/// so another process sees the submit is alive however long the gateway takes to answer.
async fn renewing_claim<T>(inner: &Inner, id: &str, call: impl std::future::Future<Output = T>) -> T {
    tokio::pin!(call);
    let mut tick = tokio::time::interval(inner.config.claim_renew);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            out = &mut call => return out,
            _ = tick.tick() => {
                let id = id.to_owned();
                match inner.blocking(move |s| s.renew_claim(&id)).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::debug!(error = %e, "could not renew a submit claim"),
                    Err(e) => tracing::debug!(error = %e, "could not renew a submit claim"),
                }
            }
        }
    }
}

/// Sleeps `wait` while watching the store: true as soon as another process takes the job
/// (it is no longer queued locally here), so this one stops waiting for nothing.
async fn taken_while_waiting(inner: &Inner, id: &str, wait: Duration) -> bool {
    let end = tokio::time::Instant::now() + wait;
    loop {
        let now = tokio::time::Instant::now();
        if now >= end {
            return false;
        }
        tokio::time::sleep((end - now).min(inner.config.watch_interval)).await;
        let id = id.to_owned();
        if let Ok(Ok(Some(job))) = inner.blocking(move |s| s.get_job(&id)).await
            && (job.status != JobStatus::QueuedLocally || job.gateway_id.is_some())
        {
            return true;
        }
    }
}

/// `ms` since the epoch as `HH:MM:SS` (UTC).
fn clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Busy refusals wait (bounded); connection failures (nothing was sent) wait a few times.
fn waits_and_retries(e: &GatewayError, attempt: u32, connect_retries: u32) -> bool {
    (e.is_busy() && attempt < BUSY_RETRIES) || (matches!(e, GatewayError::Connect { .. }) && attempt < connect_retries)
}

/// A deadline a full wait from now, for a job asked about again.
pub(super) fn fresh_deadline(inner: &Inner, job: &Job) -> i64 {
    now_ms() + deadline_ms(inner, job)
}

fn deadline_ms(inner: &Inner, job: &Job) -> i64 {
    (timeout_secs(job) as i64) * 1000 + inner.config.deadline_grace.as_millis() as i64
}

/// Fetches until the job ends or its deadline passes. Transient fetch failures back off and
/// try again; a refusal (unknown job, bad key) ends the job with the gateway's words.
async fn poll(inner: &Inner, client: &GatewayClient, job: &mut Job) {
    let Some(gateway_id) = job.gateway_id.clone() else { return };
    if job.deadline_at.is_none() {
        job.deadline_at = Some(job.submitted_at.unwrap_or_else(now_ms) + deadline_ms(inner, job));
    }
    let mut failures = 0u32;
    let mut refused = 0u32;
    // The gateway is asked at least once before the deadline can end the job: one followed
    // again (`resume`, a restart) after its deadline may well have finished there meanwhile,
    // and the status it was stored with is stale.
    let mut asked = false;
    let local = job.base_url == crate::connect::SIM_ENDPOINT
        || url::Url::parse(&client.config().base_url).is_ok_and(|u| crate::gateway::is_loopback_host(&u));
    while !job.status.is_terminal() {
        if asked && job.deadline_at.is_some_and(|d| now_ms() > d) {
            let said =
                job.raw_status.as_deref().map(|r| format!("; the gateway last answered {r}")).unwrap_or_default();
            job.status =
                JobStatus::Failed { reason: format!("{TIMED_OUT}no result within {} s{said}", timeout_secs(job)) };
            job.finished_at = Some(now_ms());
            inner.save(job).await;
            return;
        }
        asked = true;
        match client.fetch(&gateway_id, &job.kind).await {
            Ok(snap) => {
                failures = 0;
                refused = 0;
                let before = job.clone();
                job.apply_snapshot(&snap);
                if *job != before {
                    inner.save(job).await;
                }
                if !job.status.is_terminal() {
                    tokio::time::sleep(inner.config.poll_interval).await;
                }
            }
            Err(GatewayError::Connect { host, .. }) if local && refused + 1 >= inner.config.connect_retries => {
                // Nothing listens on this machine where the gateway was: it is gone for good
                // (a simulator from an earlier run), and waiting for the deadline helps nobody.
                job.status = JobStatus::Failed {
                    reason: format!(
                        "the gateway at {host} is no longer running, so this job can't be followed; \
                         start it again (or use Retry to send the job anew)"
                    ),
                };
                job.finished_at = Some(now_ms());
                inner.save(job).await;
            }
            Err(e) if e.is_transient() => {
                tracing::debug!(job = %job.id, error = %e, failures, "fetch failed; backing off");
                if matches!(e, GatewayError::Connect { .. }) {
                    refused += 1;
                }
                if let GatewayError::Malformed { body, .. } = &e {
                    job.last_raw = Some(body.clone());
                }
                let mut wait = inner.config.backoff.delay(failures, e.retry_after()).max(inner.config.poll_interval);
                if local {
                    // A gateway on this machine answers at once or not at all.
                    wait = wait.min(Duration::from_secs(1));
                }
                failures += 1;
                tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
            }
            Err(e) => {
                tracing::debug!(job = %job.id, error = %e, "fetch refused; the job ends");
                report_key_refusal(inner, job, &e);
                job.status = JobStatus::Failed { reason: e.to_string() };
                job.finished_at = Some(now_ms());
                inner.save(job).await;
            }
        }
    }
}

/// A refused key is the designer's to fix (Settings): said once, with the gateway's words.
fn report_key_refusal(inner: &Inner, job: &Job, e: &GatewayError) {
    if e.api().is_some_and(|f| f.kind() == FailureKind::BadKey) {
        inner.emit(Update::KeyRefused { provider: job.provider, endpoint: job.base_url.clone(), error: e.clone() });
    }
}
