//! The built-in simulator outlives the process that started it: jobs are stored against its
//! stable endpoint, it keeps its job table in the data directory, and a second process (or a
//! restart) continues where the first stopped. Payloads stay out of the job rows; another
//! process's jobs reach a running manager.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mjdesk::connect::{ClientResolver, SIM_ENDPOINT};
use mjdesk::job::{JobStatus, Provider};
use mjdesk::manager::{JobManager, ManagerConfig, Update};
use mjdesk::store::Store;

use crate::cli::{mjdesk, text};

#[test]
fn u1_from_a_second_process_continues_a_grid_made_by_the_first() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = mjdesk(h).args(["imagine", "a cabin by a lake", "--provider", "sim", "--wait"]).output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let store = Store::open(&h.join("data")).unwrap();
    let grid = store.jobs_page(0, 10).unwrap().pop().expect("the grid job");
    assert_eq!(grid.base_url, SIM_ENDPOINT, "stored against the simulator's stable endpoint, not a port");
    assert_eq!(grid.status, JobStatus::Succeeded);
    // A new process, a new in-process simulator on another port: U1 still works.
    let out =
        mjdesk(h).args(["action", &grid.id, "U1", "--provider", "sim", "--wait", "--out", "up"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let files: Vec<_> = std::fs::read_dir(h.join("up")).unwrap().collect();
    assert_eq!(files.len(), 1, "one upscaled image");
    let up = store.children(&grid.id).unwrap().pop().expect("the upscale is the grid's child");
    assert_eq!(up.status, JobStatus::Succeeded);
}

/// `mjdesk imagine PROMPT --wait` on the built-in simulator, killed once the gateway's id is
/// on disk: well before the simulator's 4 s job ends.
async fn imagine_killed_once_submitted(h: &std::path::Path, prompt: &str) {
    let mut child = mjdesk(h)
        .args(["imagine", prompt, "--provider", "sim", "--wait"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut submitted = false;
    for _ in 0..300 {
        if let Ok(store) = Store::open(&h.join("data")) {
            submitted = store.unfinished().is_ok_and(|jobs| jobs.iter().any(|j| j.gateway_id.is_some()));
        }
        if submitted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(submitted, "the job reached the simulator");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_killed_mid_flight_on_the_built_in_simulator_finishes_after_resume() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    imagine_killed_once_submitted(h, "a storm over the sea").await;
    let out = mjdesk(h).args(["resume"]).output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let store = Store::open(&h.join("data")).unwrap();
    let job = store.jobs_page(0, 10).unwrap().pop().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.status);
    assert_eq!(job.images.len(), 4);
    assert!(job.images.iter().all(|i| i.local_path.as_ref().is_some_and(|p| p.exists())));
}

/// An Imagine killed once submitted, with its deadline then moved into the past: the window
/// stayed closed past it (a night, a laptop lid).
async fn killed_and_left_past_its_deadline(h: &std::path::Path) {
    imagine_killed_once_submitted(h, "a harbour at dusk").await;
    let db = rusqlite::Connection::open(h.join("data").join(mjdesk::store::DB_FILE)).unwrap();
    assert_eq!(db.execute("UPDATE jobs SET deadline_at = 1", []).unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_followed_again_after_its_deadline_is_asked_for_before_it_is_called_timed_out() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    killed_and_left_past_its_deadline(h).await;
    // the gateway finished it meanwhile (the simulator's job takes 4 s from its submit)
    tokio::time::sleep(Duration::from_secs(5)).await;
    let out = mjdesk(h).args(["resume"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout.lines().count(), 1, "the job is told once: {stdout}");
    let store = Store::open(&h.join("data")).unwrap();
    let job = store.jobs_page(0, 10).unwrap().pop().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.status);
    assert_eq!(job.images.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_still_queued_after_its_deadline_is_told_once_and_fetch_asks_again_later() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    killed_and_left_past_its_deadline(h).await;
    let out = mjdesk(h).args(["resume"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert_eq!(stdout.lines().count(), 1, "the job is told once: {stdout}");
    assert!(stdout.contains("timed out") && stdout.contains("the gateway last answered"), "{stdout}");
    assert!(stderr.contains("1 job(s) did not succeed"), "{stderr}");
    // The gateway finishes it later: `fetch` asks again (free) and brings the images home.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let id = stdout.split_whitespace().next().unwrap().to_owned();
    let out = mjdesk(h).args(["fetch", &id]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("asking the gateway again"), "{stderr}");
    let job = Store::open(&h.join("data")).unwrap().jobs_page(0, 10).unwrap().pop().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.status);
    assert!(job.images.len() == 4 && job.images.iter().all(|i| i.local_path.as_ref().is_some_and(|p| p.exists())));
}

#[test]
fn a_five_image_blend_keeps_its_inputs_in_the_cache_once_and_no_row_is_large() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let mut inputs = Vec::new();
    for n in 0..5u64 {
        let mut rng = fastrand::Rng::with_seed(n);
        let img = image::RgbaImage::from_fn(700, 700, |_, _| image::Rgba([rng.u8(..), rng.u8(..), rng.u8(..), 255]));
        let bytes = mjdesk::imageio::encode_png(&img);
        let path = h.join(format!("in{n}.png"));
        std::fs::write(&path, &bytes).unwrap();
        inputs.push((path, bytes));
    }
    assert!(inputs.iter().map(|(_, b)| b.len()).sum::<usize>() > 5_000_000, "large inputs");
    let mut args = vec!["blend".to_owned()];
    args.extend(inputs.iter().map(|(p, _)| p.display().to_string()));
    args.extend(["--provider", "sim", "--wait"].map(String::from));
    let out = mjdesk(h).args(&args).output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let db = rusqlite::Connection::open(h.join("data").join(mjdesk::store::DB_FILE)).unwrap();
    let mut stmt = db.prepare("SELECT * FROM jobs").unwrap();
    let columns = stmt.column_count();
    let largest: usize = stmt
        .query_map([], |r| {
            let mut size = 0;
            for c in 0..columns {
                size += match r.get_ref(c)? {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => t.len(),
                    _ => 8,
                };
            }
            Ok(size)
        })
        .unwrap()
        .map(Result::unwrap)
        .max()
        .unwrap();
    assert!(largest < 200_000, "the largest job row is {largest} bytes");
    let cache = h.join("data").join("images");
    for (_, bytes) in &inputs {
        let hash = mjdesk::cache::hash_hex(bytes);
        let copies = std::fs::read_dir(&cache)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(&format!("{hash}.")))
            .count();
        assert_eq!(copies, 1, "input {hash} is in the image cache once");
    }
    let job = Store::open(&h.join("data")).unwrap().jobs_page(0, 1).unwrap().pop().unwrap();
    match &*job.request {
        mjdesk::job::JobRequest::Blend { images, .. } => assert_eq!(images.len(), 5, "read back whole"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_manager_hears_of_a_job_the_cli_makes_within_two_seconds() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let store = Store::open(&h.join("data")).unwrap();
    let resolver: ClientResolver = Arc::new(|_p: Provider, _url: String| {
        Box::pin(async { Err(mjdesk::connect::ConnectError::Simulator("not used".into())) })
    });
    // The default watch interval (1 s), as the window runs it.
    let (_manager, mut updates) = JobManager::start(store, ManagerConfig::default(), resolver, None);
    let out = tokio::task::spawn_blocking(move || {
        mjdesk(&h).args(["imagine", "made by the command line", "--provider", "sim"]).output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let done = Instant::now();
    let heard = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match updates.recv().await {
                Some(Update::Job(job)) if job.prompt.as_deref() == Some("made by the command line") => return job,
                Some(_) => {}
                None => panic!("the manager stopped"),
            }
        }
    })
    .await;
    let job = heard.unwrap_or_else(|_| panic!("not heard within 2 s of the command's end"));
    assert!(job.gateway_id.is_some());
    eprintln!("heard after {:?}", done.elapsed());
}

/// Each refusal reaches the window typed, answered to the command that caused it: a bad prompt
/// (highlight the box), a refused key (open Settings), an accepted job with its command's id.
#[tokio::test(flavor = "multi_thread")]
async fn commands_are_answered_by_id_with_typed_causes() {
    use mjdesk::error::FailureKind;
    use mjdesk::imageio::InputError;
    use mjdesk::intent::{Intent, IntentError};
    use mjdesk::job::SubmitOptions;
    use mjdesk::manager::{Command, ManagerError};

    let server = crate::common::sim(mjdesk::sim::SimConfig::instant()).await;
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(home.path()).unwrap();
    let resolver: ClientResolver = Arc::new(|p: Provider, url: String| {
        // A wrong key for every job: the gateway refuses it.
        let config = mjdesk::gateway::GatewayConfig::new(p, &url, mjdesk::secret::ApiKey::new("wrong-key"));
        let client = mjdesk::gateway::GatewayClient::new(config).map_err(Into::into);
        Box::pin(async move { client })
    });
    let (manager, mut updates) = JobManager::start(store, ManagerConfig::fast(), resolver, None);
    let submit = |id, prompt: &str| Command::Submit {
        id,
        provider: Provider::Ttapi,
        endpoint: server.base_url(),
        intent: Box::new(Intent::Imagine { prompt: prompt.into() }),
        options: SubmitOptions::default(),
    };
    manager.send(submit(7, "   "));
    manager.send(submit(8, "a red fox"));
    let (mut rejected, mut accepted, mut refused) = (None, None, None);
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while rejected.is_none() || accepted.is_none() || refused.is_none() {
            match updates.recv().await.expect("the manager runs") {
                Update::Rejected { id, error } => rejected = Some((id, error)),
                Update::Accepted { id, job } => accepted = Some((id, job)),
                Update::KeyRefused { error, .. } => refused = Some(error),
                _ => {}
            }
        }
    })
    .await;
    assert!(found.is_ok(), "rejected {rejected:?}, accepted {accepted:?}, refused {refused:?}");
    let (id, error) = rejected.unwrap();
    assert_eq!(id, 7);
    assert!(matches!(error, ManagerError::Intent(IntentError::Input(InputError::EmptyPrompt))), "{error:?}");
    let (id, job) = accepted.unwrap();
    assert_eq!((id, job.prompt.as_deref()), (8, Some("a red fox")));
    let refused = refused.unwrap();
    assert_eq!(refused.api().map(|f| f.kind()), Some(FailureKind::BadKey), "{refused}");
}
