//! The job manager's promises: the local queue, safe retries, deadlines, local copies.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mjdesk::connect::ClientResolver;
use mjdesk::gateway::{GatewayClient, GatewayConfig};
use mjdesk::job::{Job, JobRequest, JobStatus, Provider, SubmitOptions};
use mjdesk::manager::{JobManager, ManagerConfig, Updates};
use mjdesk::secret::ApiKey;
use mjdesk::sim::{Faults, SimConfig, SimServer};
use mjdesk::store::Store;

use crate::common::*;

fn manager(server: &SimServer, dir: &Path, limit: usize) -> (JobManager, Updates, Store) {
    let store = Store::open(dir).expect("store opens");
    let key = server.api_key().to_owned();
    let resolver: ClientResolver = Arc::new(move |p: Provider, url: String| {
        let client = GatewayClient::new(GatewayConfig::new(p, &url, ApiKey::new(&key))).map_err(Into::into);
        Box::pin(async move { client })
    });
    let mut config = ManagerConfig::fast();
    config.max_in_progress = limit;
    let (m, u) = JobManager::start(store.clone(), config, resolver, None);
    (m, u, store)
}

/// Waits (bounded) until every job has ended and its images are settled.
async fn settle(store: &Store, ids: &[String]) -> Vec<Job> {
    for _ in 0..1500 {
        let jobs: Vec<Job> = ids.iter().map(|id| store.get_job(id).unwrap().expect("job stored")).collect();
        if jobs.iter().all(Job::settled) {
            return jobs;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("jobs did not settle");
}

async fn submit_many(m: &JobManager, base_url: &str, prompts: &[String], options: SubmitOptions) -> Vec<String> {
    let mut ids = Vec::new();
    for p in prompts {
        let job = m
            .submit(Provider::Ttapi, base_url, JobRequest::Imagine { prompt: p.clone() }, options.clone(), None)
            .await
            .unwrap();
        assert_eq!(job.status, JobStatus::QueuedLocally, "written before anything is sent");
        ids.push(job.id.clone());
    }
    ids
}

fn prompts(n: usize, tag: &str) -> Vec<String> {
    (0..n).map(|i| format!("{tag} number {i}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_five_submits_never_have_more_than_ten_in_progress() {
    let mut config = SimConfig::instant();
    config.run_time = Duration::from_millis(300);
    config.max_in_progress = 100; // the gateway would allow more: the limit is mjdesk's own
    let server = sim(config).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path(), 10);
    let ids = submit_many(&m, &server.base_url(), &prompts(25, "queue"), SubmitOptions::default()).await;
    let jobs = settle(&store, &ids).await;
    assert!(
        jobs.iter().all(|j| j.status == JobStatus::Succeeded),
        "{:?}",
        jobs.iter().map(|j| &j.status).collect::<Vec<_>>()
    );
    let stats = server.stats();
    assert_eq!(stats.submits, 25);
    assert!(stats.peak_in_progress <= 10, "peak {}", stats.peak_in_progress);
    assert!(stats.peak_in_progress >= 2, "jobs ran side by side (peak {})", stats.peak_in_progress);
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_submits_wait_and_retry_without_duplicates() {
    let mut config = SimConfig::instant();
    config.run_time = Duration::from_millis(200);
    config.max_in_progress = 3; // the gateway refuses the 4th with 499
    let server = sim(config).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path(), 10);
    let ids = submit_many(&m, &server.base_url(), &prompts(8, "busy"), SubmitOptions::default()).await;
    let jobs = settle(&store, &ids).await;
    assert!(jobs.iter().all(|j| j.status == JobStatus::Succeeded));
    let stats = server.stats();
    assert_eq!(stats.submits, 8);
    assert!(stats.submits_by_prompt.values().all(|&n| n == 1), "{:?}", stats.submits_by_prompt);
}

#[tokio::test(flavor = "multi_thread")]
async fn under_injected_faults_every_job_ends_clearly_and_none_is_submitted_twice() {
    let mut config = SimConfig::instant();
    config.run_time = Duration::from_millis(100);
    config.faults = Faults {
        error_rate: 0.15,
        rate_limit_rate: 0.15,
        retry_after_secs: 0,
        malformed_rate: 0.15,
        drop_rate: 0.1,
        ..Default::default()
    };
    let server = sim(config).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path(), 10);
    let ids = submit_many(&m, &server.base_url(), &prompts(16, "faulty"), SubmitOptions::default()).await;
    let jobs = settle(&store, &ids).await;
    for j in &jobs {
        match &j.status {
            JobStatus::Succeeded => assert!(j.result_images().iter().all(|i| i.local_path.is_some())),
            JobStatus::Failed { reason } | JobStatus::Unknown { reason } => assert!(!reason.trim().is_empty()),
            other => panic!("job ended as {other:?}"),
        }
    }
    assert!(jobs.iter().any(|j| j.status == JobStatus::Succeeded), "some jobs get through");
    let stats = server.stats();
    assert!(stats.submits_by_prompt.values().all(|&n| n == 1), "a submit was repeated: {:?}", stats.submits_by_prompt);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_resuming_one_store_send_each_queued_job_once() {
    let server = sim(SimConfig::instant()).await;
    let dir = tempfile::tempdir().unwrap();
    // jobs left queued locally by an earlier run (written, never sent)
    let store = Store::open(dir.path()).unwrap();
    let mut ids = Vec::new();
    for p in prompts(6, "left queued") {
        let job =
            Job::new(Provider::Ttapi, &server.base_url(), JobRequest::Imagine { prompt: p }, SubmitOptions::default());
        store.insert_job(&job).unwrap();
        ids.push(job.id.clone());
    }
    // the app and `mjdesk resume` both pick them up
    let (app, _ua, _) = manager(&server, dir.path(), 10);
    let (cli, _uc, _) = manager(&server, dir.path(), 10);
    let (a, c) = tokio::join!(app.resume(), cli.resume());
    assert_eq!(a.unwrap() + c.unwrap(), 12, "both saw all six");
    let jobs = settle(&store, &ids).await;
    assert!(jobs.iter().all(|j| j.status == JobStatus::Succeeded));
    let stats = server.stats();
    assert_eq!(stats.submits, 6, "each job sent once: {:?}", stats.submits_by_prompt);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_past_its_timeout_fails_with_timed_out() {
    let mut config = SimConfig::instant();
    config.run_time = Duration::from_secs(120);
    let server = sim(config).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path(), 10);
    let options = SubmitOptions { timeout_secs: Some(1), ..Default::default() };
    let ids = submit_many(&m, &server.base_url(), &prompts(1, "slow"), options).await;
    let jobs = settle(&store, &ids).await;
    match &jobs[0].status {
        JobStatus::Failed { reason } => assert!(reason.contains("timed out"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn results_are_kept_locally_and_expired_links_say_so() {
    let server = sim(SimConfig::instant()).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path(), 10);
    let ids = submit_many(&m, &server.base_url(), &prompts(1, "kept"), SubmitOptions::default()).await;
    let job = settle(&store, &ids).await.remove(0);
    assert_eq!(job.images.len(), 4);
    let history = store.prompt_history(10).unwrap();
    assert_eq!(history.first().map(|h| h.prompt.as_str()), Some("kept number 0"), "the prompt is in the history");
    for img in &job.images {
        let path = img.local_path.as_ref().expect("downloaded");
        assert!(path.starts_with(dir.path().join("images")), "{path:?}");
        image::open(path).expect("a real image on disk");
    }
    // a missing local copy is fetched again while the link works
    std::fs::remove_file(job.images[0].local_path.as_ref().unwrap()).unwrap();
    m.follow(&job.id).await.unwrap();
    let again = settle(&store, &ids).await.remove(0);
    for _ in 0..200 {
        if store.get_job(&job.id).unwrap().unwrap().images[0].local_path.as_ref().is_some_and(|p| p.exists()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(store.get_job(&again.id).unwrap().unwrap().images[0].local_path.as_ref().unwrap().exists());

    let mut config = SimConfig::instant();
    config.image_ttl = Some(Duration::ZERO);
    let expiring = sim(config).await;
    let dir2 = tempfile::tempdir().unwrap();
    let (m2, _u2, store2) = manager(&expiring, dir2.path(), 10);
    let ids = submit_many(&m2, &expiring.base_url(), &prompts(1, "expired"), SubmitOptions::default()).await;
    let job = settle(&store2, &ids).await.remove(0);
    assert_eq!(job.status, JobStatus::Succeeded);
    let err = job.images[0].error.as_deref().expect("the download failed");
    assert!(err.contains("expired"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_balance_reads_as_documented_and_falls_by_each_finished_jobs_quota() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Ttapi);
    let before = c.account().await.unwrap().expect("TTAPI states a balance");
    assert_eq!(before.max_queue, Some(10), "the simulator's queue limit");
    run(&c, JobRequest::Imagine { prompt: "a brass key".into() }).await;
    let after = c.account().await.unwrap().unwrap();
    assert_eq!(before.balance - after.balance, 3.0, "a fast imagine costs 3");
    assert_eq!(after.frozen, 0.0);
    let vtrix = client(&server, Provider::Vtrix);
    let requests = server.stats().requests;
    assert!(vtrix.account().await.unwrap().is_none(), "Vtrix documents no balance call");
    assert_eq!(server.stats().requests, requests, "and nothing was sent to ask");
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_in_progress_follow_the_queue_limit_the_gateway_states() {
    let mut config = SimConfig::instant();
    config.run_time = Duration::from_millis(300);
    config.max_in_progress = 2;
    let server = sim(config).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, mut updates, store) = manager(&server, dir.path(), 10);
    m.watch_account(Provider::Ttapi, &server.base_url());
    let news = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(mjdesk::manager::Update::Account(news)) = updates.recv().await {
                return news;
            }
        }
    })
    .await
    .expect("the account is read when watching starts");
    assert_eq!(news.account.as_ref().unwrap().max_queue, Some(2));
    let ids = submit_many(&m, &server.base_url(), &prompts(6, "limited"), SubmitOptions::default()).await;
    let mut peak = 0;
    for _ in 0..1500 {
        peak = peak.max(m.counts().in_progress);
        if ids.iter().all(|id| store.get_job(id).unwrap().unwrap().settled()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(peak <= 2, "mjdesk's own limit was 10, the gateway's 2: peak {peak}");
    assert!(peak >= 1);
    let jobs: Vec<Job> = ids.iter().map(|id| store.get_job(id).unwrap().unwrap()).collect();
    assert!(jobs.iter().all(|j| j.status == JobStatus::Succeeded));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_simulator_that_keeps_its_jobs_on_disk_charges_them_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || SimConfig { state_dir: Some(dir.path().to_owned()), ..SimConfig::instant() };
    let first = sim(config()).await;
    let before = client(&first, Provider::Ttapi).account().await.unwrap().unwrap();
    run(&client(&first, Provider::Ttapi), JobRequest::Imagine { prompt: "a tin lantern".into() }).await;
    drop(first);
    let second = sim(config()).await;
    let after = client(&second, Provider::Ttapi).account().await.unwrap().unwrap();
    assert_eq!(before.balance - after.balance, 3.0, "the job the first process made is charged");
}
