//! Clips from a hostile host: a clip over 300 MB is cut off (declared or streamed) and fails
//! its job naming the cap; a clip that stalls ends at the idle limit; HTML instead of an MP4
//! is named as such.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mjdesk::error::GatewayError;
use mjdesk::gateway::GatewayClient;
use mjdesk::job::{ImageInput, JobRequest, JobStatus, Provider, SubmitOptions, VideoOptions};
use mjdesk::manager::{ClientResolver, JobManager, ManagerConfig};
use mjdesk::store::Store;
use serde_json::json;

use crate::client::{bounded, config};
use crate::server::{Hostile, Reply};

const CAP: u64 = 300 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread")]
async fn a_clip_over_300_mb_is_refused_up_front_or_midway_and_a_stall_ends_at_the_idle_limit() {
    let host = Hostile::start(|r| match r.path.as_str() {
        "/claims.mp4" => Reply::Stall { content_length: CAP + 1, sent: b"\0\0\0\x18ftypisom".to_vec() },
        "/streams.mp4" => {
            Reply::Big { status: 200, content_type: "video/mp4", declared: None, actual: CAP + 4096, fill: 7 }
        }
        _ => Reply::Stall { content_length: 1000, sent: b"\0\0\0\x18ftypisom".to_vec() },
    })
    .await;
    let c = GatewayClient::new(config(Provider::Ttapi, &host.base_url())).unwrap();
    // Streaming 300 MB through a debug build takes 2-3 s alone and more beside the other
    // tests: that case gets a longer (still bounded) deadline than the 3 s of the others.
    let mut patient = config(Provider::Ttapi, &host.base_url());
    patient.long_timeout = Duration::from_secs(40);
    let patient = GatewayClient::new(patient).unwrap();
    for (path, c) in [("/claims.mp4", &c), ("/streams.mp4", &patient)] {
        let url = host.url(path);
        let call = tokio::time::timeout(Duration::from_secs(45), c.download_video(&url));
        let err = call.await.expect("ended within 45 s").unwrap_err();
        assert!(matches!(err, GatewayError::TooLarge { limit: CAP, .. }), "{path}: {err:?}");
        assert!(err.to_string().contains("a video larger than 300 MB"), "{err}");
    }
    let start = Instant::now();
    let err = bounded(c.download_video(&host.url("/stalls.mp4"))).await.unwrap_err();
    assert!(matches!(err, GatewayError::Stalled { .. }), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(3), "ended at the idle limit, not the long timeout");
}

/// A gateway that says a video job succeeded with clips at `clip`.
async fn gateway(clip: &'static str) -> Hostile {
    Hostile::start(move |r| {
        if r.path.contains("/fetch") {
            let url = format!("http://{}{clip}", r.header("host").unwrap_or_default());
            Reply::json(200, json!({"status": "SUCCESS", "message": "", "data": {"jobId": "v-1", "videos": [url]}}))
        } else if r.path == "/midjourney/video/submit" {
            Reply::json(200, json!({"status": "SUCCESS", "message": "", "data": {"jobId": "v-1"}}))
        } else if clip == "/huge.mp4" {
            Reply::Stall { content_length: CAP + 1, sent: Vec::new() }
        } else {
            Reply::html(200, "<html>sign in to see this video</html>")
        }
    })
    .await
}

async fn run_job(host: &Hostile) -> mjdesk::job::Job {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(&home.path().join("data")).unwrap();
    let resolver: ClientResolver = Arc::new(|p: Provider, url: String| {
        let client = GatewayClient::new(config(p, &url)).map_err(Into::into);
        Box::pin(async move { client })
    });
    let (manager, _updates) = JobManager::start(store.clone(), ManagerConfig::fast(), resolver, None);
    let request = JobRequest::Animate {
        image: ImageInput::Url("https://img.example/a.png".into()),
        parent: None,
        end: None,
        video: VideoOptions::default(),
    };
    let job = manager.submit(Provider::Ttapi, &host.base_url(), request, SubmitOptions::default(), None).await.unwrap();
    let start = Instant::now();
    loop {
        let now = store.get_job(&job.id).unwrap().unwrap();
        if now.settled() {
            return now;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still {:?}", now.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_video_job_whose_clip_is_over_the_cap_fails_naming_it() {
    let host = gateway("/huge.mp4").await;
    let job = run_job(&host).await;
    match &job.status {
        JobStatus::Failed { reason } => assert!(reason.contains("larger than 300 MB"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let downloads = host.requests().iter().filter(|r| r.path == "/huge.mp4").count();
    assert_eq!(downloads, 1, "an answer that will not change is not asked again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_web_page_instead_of_a_clip_is_named_and_keeps_the_job_with_its_reason() {
    let host = gateway("/page.mp4").await;
    let job = run_job(&host).await;
    assert_eq!(job.status, JobStatus::Succeeded);
    let err = job.images[0].error.as_deref().expect("no copy");
    assert!(err.contains("returned a web page (HTML), not an MP4 clip"), "{err}");
    assert!(job.images[0].local_path.is_none());
}
