//! Waiting, refusals and ownership across processes (issue 9, points 2, 6, 8, 9 and 10): a
//! 429 storm ends at the job's deadline with the job kept; a job held back by a 429 and
//! taken over by `mjdesk resume` ends the first command too, sent once; a live submit is not
//! declared unknown by another manager; failed downloads fail and are tried again; a row
//! the store cannot read hides nothing else.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mjdesk::gateway::GatewayClient;
use mjdesk::job::{Job, JobRequest, JobStatus, Provider, SubmitOptions};
use mjdesk::manager::{ClientResolver, JobManager, ManagerConfig};
use mjdesk::store::Store;
use serde_json::json;

use crate::cli::{Ran, run_async, spawn, submitted};
use crate::client::{KEY, config};
use crate::server::{Hostile, Reply};

fn submits(server: &Hostile) -> usize {
    server.requests().iter().filter(|r| r.path.contains("/imagine")).count()
}

/// A gateway whose fetch says SUCCESS with four images it serves itself (404 while `broken`).
fn succeeding(broken: Arc<AtomicBool>, busy_first: usize) -> impl Fn(&crate::server::Request) -> Reply {
    let seen = Arc::new(AtomicUsize::new(0));
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    move |r| {
        if r.path.contains("/imagine") {
            if seen.fetch_add(1, Ordering::SeqCst) < busy_first { Reply::busy(99_999) } else { submitted() }
        } else if r.path.ends_with(".png") {
            if broken.load(Ordering::SeqCst) { Reply::html(404, "<html>gone</html>") } else { Reply::png() }
        } else {
            let host = r.header("host").unwrap_or("127.0.0.1").to_owned();
            let base = base.get_or_init(|| format!("http://{host}"));
            let images: Vec<String> = (1..=4).map(|i| format!("{base}/img/{i}.png")).collect();
            Reply::json(200, json!({"status": "SUCCESS", "data": {"jobId": "j-1", "images": images}}))
        }
    }
}

async fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "{what}: not within 15 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn only_job(home: &std::path::Path) -> Job {
    let jobs = Store::open(&home.join("data")).unwrap().jobs_page(0, 10).unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    jobs.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_says_it_waits_and_until_when_then_ends_at_the_deadline_with_the_job_kept() {
    let gateway = Hostile::start(|_| Reply::busy(99_999)).await;
    let home = tempfile::tempdir().unwrap();
    let ran = run_async(
        home.path(),
        gateway.base_url(),
        &["imagine", "a red fox", "--wait", "--timeout", "5"],
        &[("MJDESK_DEADLINE_GRACE_MS", "0")],
    )
    .await;
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    ran.assert_clean();
    assert!(ran.stderr.contains("busy (HTTP 429)") && ran.stderr.contains("until"), "{}", ran.stderr);
    let line = ran.failure_line();
    assert!(line.contains("still queued locally") && line.contains("mjdesk resume"), "{line}");
    let job = only_job(home.path());
    assert_eq!(job.status, JobStatus::QueuedLocally, "the job is kept, not lost");
    // One wait (capped, then cut at the deadline) between two tries: not one per second.
    assert!((1..=3).contains(&submits(&gateway)), "{} submits", submits(&gateway));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_held_back_by_429_and_taken_over_by_resume_ends_the_waiting_command_sent_once() {
    let gateway = Hostile::start(succeeding(Arc::new(AtomicBool::new(false)), 1)).await;
    let home = tempfile::tempdir().unwrap();
    let base = gateway.base_url();
    let args = ["imagine", "a red fox", "--wait", "--provider", "ttapi", "--base-url", &base, "--api-key", KEY];
    let first = spawn(home.path(), &args, &[]);
    until("the first submit", || (submits(&gateway) == 1).then_some(())).await;
    let h = home.path().to_path_buf();
    let resumed = tokio::task::spawn_blocking(move || {
        spawn(&h, &["resume", "--api-key", KEY], &[]).finish(Duration::from_secs(20))
    })
    .await
    .unwrap();
    assert_eq!(resumed.code, Some(0), "{}", resumed.both());
    let ran: Ran = tokio::task::spawn_blocking(move || first.finish(Duration::from_secs(20))).await.unwrap();
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    ran.assert_clean();
    assert_eq!(submits(&gateway), 2, "one refused, one accepted: {:?}", gateway.requests());
    let job = only_job(home.path());
    assert_eq!(job.status, JobStatus::Succeeded);
    assert!(job.images.iter().all(|i| i.local_path.as_ref().is_some_and(|p| p.exists())), "{:?}", job.images);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_downloads_fail_the_command_and_fetch_and_resume_try_them_again() {
    let broken = Arc::new(AtomicBool::new(true));
    let gateway = Hostile::start(succeeding(broken.clone(), 0)).await;
    let home = tempfile::tempdir().unwrap();
    let ran = run_async(home.path(), gateway.base_url(), &["imagine", "a red fox", "--wait"], &[]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    ran.assert_clean();
    let line = ran.failure_line();
    assert!(line.contains("4 of 4 image(s) could not be saved") && line.contains("mjdesk fetch"), "{line}");
    assert!(line.contains("expired or is gone"), "{line}");
    let job = only_job(home.path());
    let image_requests = || gateway.requests().iter().filter(|r| r.path.ends_with(".png")).count();
    // `fetch` tries the downloads again (it does not repeat the old error).
    let before = image_requests();
    let id: &'static str = Box::leak(job.id.clone().into_boxed_str());
    let args: &'static [&'static str] = Box::leak(vec!["fetch", id].into_boxed_slice());
    let ran = run_async(home.path(), gateway.base_url(), args, &[]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert_eq!(image_requests(), before + 4, "each image asked again");
    // Once the host answers, `resume` picks the job up and keeps its images.
    broken.store(false, Ordering::SeqCst);
    let h = home.path().to_path_buf();
    let ran = tokio::task::spawn_blocking(move || {
        spawn(&h, &["resume", "--api-key", KEY], &[]).finish(Duration::from_secs(20))
    })
    .await
    .unwrap();
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stderr.contains("following 1 job(s)"), "{}", ran.stderr);
    let job = only_job(home.path());
    assert!(job.images.iter().all(|i| i.error.is_none() && i.local_path.is_some()), "{:?}", job.images);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_unreadable_row_is_named_once_and_the_other_jobs_are_listed() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(&home.path().join("data")).unwrap();
    let good = Job::new(
        Provider::Ttapi,
        "http://127.0.0.1:9",
        JobRequest::Imagine { prompt: "a good fox".into() },
        SubmitOptions::default(),
    );
    let bad = Job::new(
        Provider::Ttapi,
        "http://127.0.0.1:9",
        JobRequest::Imagine { prompt: "a bad fox".into() },
        SubmitOptions::default(),
    );
    store.insert_job(&good).unwrap();
    store.insert_job(&bad).unwrap();
    let raw = rusqlite::Connection::open(store.path()).unwrap();
    raw.execute("UPDATE jobs SET status = '{\"status\":\"teleported\"}' WHERE id = ?1", [&bad.id]).unwrap();
    drop(raw);
    let h = home.path().to_path_buf();
    let ran =
        tokio::task::spawn_blocking(move || spawn(&h, &["jobs"], &[]).finish(Duration::from_secs(20))).await.unwrap();
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stdout.contains("a good fox") && !ran.stdout.contains("a bad fox"), "{}", ran.stdout);
    assert_eq!(ran.stderr.matches(&bad.id).count(), 1, "named once: {}", ran.stderr);
}

fn resolver() -> ClientResolver {
    Arc::new(|p: Provider, url: String| {
        let client = GatewayClient::new(config(p, &url)).map_err(Into::into);
        Box::pin(async move { client })
    })
}

/// Two managers on one store (as the CLI beside the window): a submit the first one is still
/// waiting on is not declared unknown by the second one's resume; an abandoned one is.
#[tokio::test(flavor = "multi_thread")]
async fn a_live_submit_is_left_alone_by_another_managers_resume_and_an_abandoned_one_is_unknown() {
    let gateway = Hostile::start(|r| {
        if r.path.contains("/imagine") {
            Reply::Delayed { after: Duration::from_secs(2), then: Box::new(submitted()) }
        } else if r.path.ends_with(".png") {
            Reply::png()
        } else {
            Reply::json(200, json!({"status": "ON_QUEUE", "data": {"jobId": "j-1", "progress": "10"}}))
        }
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("data");
    let stale = Duration::from_millis(500);
    let sender_config = ManagerConfig { claim_renew: Duration::from_millis(100), ..ManagerConfig::fast() };
    let (sender, _u1) = JobManager::start(Store::open(&dir).unwrap(), sender_config, resolver(), None);
    let other_store = Store::open(&dir).unwrap();
    let other_config = ManagerConfig { claim_stale: stale, ..ManagerConfig::fast() };
    let (other, _u2) = JobManager::start(other_store.clone(), other_config, resolver(), None);

    let request = JobRequest::Imagine { prompt: "a slow fox".into() };
    let job =
        sender.submit(Provider::Ttapi, &gateway.base_url(), request, SubmitOptions::default(), None).await.unwrap();
    until("the submit is in flight", || (submits(&gateway) == 1).then_some(())).await;
    // Longer than the lease: only its renewals keep the claim alive.
    tokio::time::sleep(stale * 2).await;
    other.resume().await.unwrap();
    let now = other_store.get_job(&job.id).unwrap().unwrap();
    assert_eq!(now.status, JobStatus::Submitting, "a live submit stays the sender's");
    let sent =
        until("the gateway id", || other_store.get_job(&job.id).unwrap().filter(|j| j.gateway_id.is_some())).await;
    assert!(!matches!(sent.status, JobStatus::Unknown { .. }), "{:?}", sent.status);
    assert_eq!(submits(&gateway), 1, "sent once");

    // A claim whose owner is gone is abandoned at once.
    let orphan = Job::new(
        Provider::Ttapi,
        &gateway.base_url(),
        JobRequest::Imagine { prompt: "an orphan".into() },
        SubmitOptions::default(),
    );
    other_store.insert_job(&orphan).unwrap();
    assert!(other_store.claim_for_submit(&orphan.id).unwrap());
    let raw = rusqlite::Connection::open(other_store.path()).unwrap();
    raw.execute("UPDATE jobs SET claim_pid = 2147483646 WHERE id = ?1", [&orphan.id]).unwrap();
    other.resume().await.unwrap();
    let orphan = other_store.get_job(&orphan.id).unwrap().unwrap();
    assert!(
        matches!(&orphan.status, JobStatus::Unknown { reason } if reason.contains("may have reached")),
        "{:?}",
        orphan.status
    );
    assert_eq!(submits(&gateway), 1, "the orphan is not sent");
}
