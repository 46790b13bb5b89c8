//! Video over real HTTP on the simulator, for TTAPI and AceData: animate an upscale, extend a
//! clip, then play the first frames of every clip through the decoder and compare them with
//! the start image. The CLI does the same as a user types it.

use image::RgbaImage;
use mjdesk::gateway::GatewayClient;
use mjdesk::job::{
    ImageInput, JobKind, JobRequest, JobSnapshot, Motion, ParentRef, Provider, RemoteState, VideoOptions,
};
use mjdesk::sim::SimConfig;
use mjdesk::video::Mp4Decoder;

use crate::cli::{mjdesk, text};
use crate::common::*;

fn mean_abs_diff(a: &RgbaImage, b: &RgbaImage) -> f64 {
    let b = image::imageops::resize(b, a.width(), a.height(), image::imageops::FilterType::Triangle);
    let sum: u64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| (0..3).map(|c| (p.0[c] as i32 - q.0[c] as i32).unsigned_abs() as u64).sum::<u64>())
        .sum();
    sum as f64 / (a.width() as f64 * a.height() as f64 * 3.0)
}

/// The first `n` frames of a clip, each checked against `start`; returns the frame count.
fn first_frames_match(mp4: Vec<u8>, start: &RgbaImage, n: usize) -> u32 {
    let mut d = Mp4Decoder::new(mp4).expect("a real MP4");
    for i in 0..n {
        let frame = d.next_frame().expect("decodes").expect("a frame");
        let diff = mean_abs_diff(&frame, start);
        assert!(diff < 14.0, "frame {i} is {diff:.1} away from the start image");
    }
    d.info().frames
}

/// An upscale on `provider`: the still to animate, its snapshot and pixels.
async fn upscale(c: &GatewayClient, provider: Provider) -> (JobSnapshot, RgbaImage) {
    let grid = run(c, JobRequest::Imagine { prompt: "a harbour at dusk --ar 3:2".into() }).await;
    let action = if provider == Provider::Acedata { "upscale2" } else { "upsample2" };
    let parent = ParentRef { job_id: grid.job_id.clone(), image_id: grid.image_id.clone(), image_index: Some(1) };
    let up = run(c, JobRequest::Action { parent, action: action.into() }).await;
    assert_eq!(up.state, RemoteState::Succeeded);
    let img = download_rgba(c, &up.images[0]).await;
    (up, img)
}

async fn animate_then_extend(provider: Provider) {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, provider);
    let (up, still) = upscale(&c, provider).await;
    let video = VideoOptions { motion: Motion::High, batch: 2, ..Default::default() };
    let animate = JobRequest::Animate {
        image: ImageInput::Url(up.images[0].clone()),
        parent: Some(ParentRef::job(up.job_id.clone())),
        end: None,
        video: video.clone(),
    };
    let clips = run(&c, animate).await;
    assert_eq!(clips.state, RemoteState::Succeeded, "{clips:?}");
    assert_eq!(clips.images.len(), 2, "two clips");
    for url in &clips.images {
        let mp4 = c.download_video(url).await.expect("the clip downloads");
        assert_eq!(first_frames_match(mp4, &still, 6), 5 * 24, "5 s at 24 fps");
    }
    let parent = ParentRef { job_id: clips.job_id.clone(), image_id: clips.image_id.clone(), image_index: Some(1) };
    let extend = JobRequest::Extend { parent, extends: 1, video: VideoOptions { batch: 1, ..video } };
    assert_eq!(JobKind::of_request(&extend).parent(), Some(clips.job_id.as_str()));
    let longer = run(&c, extend).await;
    assert_eq!(longer.state, RemoteState::Succeeded, "{longer:?}");
    assert_eq!(longer.images.len(), 1);
    let mp4 = c.download_video(&longer.images[0]).await.expect("the extended clip downloads");
    assert_eq!(first_frames_match(mp4, &still, 6), 9 * 24, "4 s longer");
}

#[tokio::test(flavor = "multi_thread")]
async fn ttapi_animate_then_extend_plays_clips_that_start_on_the_image() {
    animate_then_extend(Provider::Ttapi).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn acedata_animate_then_extend_plays_clips_that_start_on_the_image() {
    animate_then_extend(Provider::Acedata).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_animates_an_upscale_extends_a_clip_and_writes_the_mp4s() {
    let server = sim(SimConfig::instant()).await;
    let base = server.base_url();
    for provider in ["ttapi", "acedata"] {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        let gw = ["--provider", provider, "--base-url", &base];
        let run = |args: &[&str]| {
            let out = mjdesk(h).args(args).args(gw).output().unwrap();
            let (stdout, stderr) = text(&out);
            assert!(out.status.success(), "{args:?} on {provider}: {stdout}\n{stderr}");
            stdout
        };
        run(&["imagine", "a paper boat on a pond", "--wait"]);
        let grid = first_id(h);
        run(&["action", &grid, "U3", "--wait"]);
        let up = first_id(h);
        let store = mjdesk::store::Store::open(&h.join("data")).unwrap();
        let still = image::open(store.get_job(&up).unwrap().unwrap().images[0].local_path.as_ref().unwrap())
            .unwrap()
            .to_rgba8();
        let out = run(&["animate", &up, "--motion", "high", "--batch", "2", "--wait", "--out", "clips"]);
        assert!(out.contains("clip 2:"), "{out}");
        let video = first_id(h);
        let mut files: Vec<_> = std::fs::read_dir(h.join("clips")).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        assert_eq!(files.len(), 2, "{files:?}");
        for f in &files {
            assert_eq!(f.extension().unwrap(), "mp4");
            first_frames_match(std::fs::read(f).unwrap(), &still, 3);
        }
        let job = store.get_job(&video).unwrap().unwrap();
        assert_eq!(job.kind.label(), "animate");
        assert_eq!(job.parent_id.as_deref(), Some(up.as_str()), "a video's parent is the image");
        for img in &job.images {
            let clip = img.local_path.as_ref().expect("kept locally");
            assert!(mjdesk::thumbs::poster_path(clip).exists(), "a poster beside each clip");
        }
        run(&["extend", &video, "2", "--batch", "1", "--wait", "--out", "longer"]);
        let extended = store.get_job(&first_id(h)).unwrap().unwrap();
        assert_eq!(extended.parent_id.as_deref(), Some(video.as_str()), "an extend's parent is the video");
        let f = std::fs::read_dir(h.join("longer")).unwrap().next().unwrap().unwrap().path();
        assert_eq!(first_frames_match(std::fs::read(f).unwrap(), &still, 3), 9 * 24);
    }
}

/// The newest job's full id.
fn first_id(h: &std::path::Path) -> String {
    let out = mjdesk(h).args(["jobs", "--json", "--limit", "1"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("jobs --json");
    let job = v.as_array().and_then(|a| a.first()).cloned().unwrap_or(v);
    job["id"].as_str().expect("an id").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_video_input_gets_one_line_and_nothing_is_sent() {
    let server = sim(SimConfig::instant()).await;
    let base = server.base_url();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let gw = ["--provider", "ttapi", "--base-url", &base];
    let ok = |args: &[&str]| assert!(mjdesk(h).args(args).args(gw).output().unwrap().status.success(), "{args:?}");
    ok(&["imagine", "a kite", "--wait"]);
    let grid = first_id(h);
    std::fs::write(h.join("notes.txt"), "words").unwrap();
    std::fs::write(h.join("still.png"), png(&image::RgbaImage::from_pixel(64, 48, image::Rgba([9, 90, 200, 255]))))
        .unwrap();
    ok(&["animate", &grid, "1", "--batch", "1", "--wait"]);
    let video = first_id(h);
    let before = server.stats().requests;
    let store = mjdesk::store::Store::open(&h.join("data")).unwrap();
    let jobs_before = store.jobs_page(0, 100).unwrap().len();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["animate", &grid], "say which one to animate"),
        (vec!["animate", &grid, "9"], "write 1 to 4"),
        (vec!["animate", &grid, "1", "--batch", "3"], "not 1, 2 or 4"),
        (vec!["animate", &grid, "1", "--motion", "wild"], "not low or high"),
        (vec!["animate", &grid, "1", "--resolution", "4k"], "not sd or hd"),
        (vec!["animate", &grid, "1", "--end-image", &video], "a start or end frame must be an image"),
        (vec!["animate", &grid, "1", "--end-image", "notes.txt"], "not an image file"),
        (vec!["animate", &video, "1"], "must be an image"),
        (vec!["animate", "--image", "notes.txt"], "not an image file"),
        (vec!["animate", "--image", "still.png"], "as a link it can fetch, not a file"),
        (vec!["extend", &grid, "1"], "is not a video"),
        (vec!["extend", &video, "2"], "there is no clip 2"),
    ];
    for (args, expected) in cases {
        let out = mjdesk(h).args(&args).args(gw).output().unwrap();
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?} should fail; stdout {stdout}");
        assert!(stderr.contains(expected), "{args:?}: expected '{expected}' in: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: one line, got: {stderr}");
    }
    // Vtrix: refused by name, nothing sent (the dry run shows no request either).
    let out = mjdesk(h)
        .args(["animate", "--image", "https://x.example/a.png", "--provider", "vtrix", "--base-url", &base])
        .args(["--api-key", "k"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(stderr.trim(), "mjdesk: Vtrix has no video call; animate and extend work on TTAPI and AceData");
    assert_eq!(server.stats().requests, before, "nothing was sent");
    assert_eq!(store.jobs_page(0, 100).unwrap().len(), jobs_before, "and no job was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn extend_past_21_seconds_is_refused_without_sending() {
    let server = sim(SimConfig::instant()).await;
    let base = server.base_url();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let gw = ["--provider", "ttapi", "--base-url", &base];
    let ok = |args: &[&str]| {
        let out = mjdesk(h).args(args).args(gw).output().unwrap();
        assert!(out.status.success(), "{args:?}: {:?}", text(&out));
    };
    ok(&["imagine", "a comet", "--wait"]);
    ok(&["animate", &first_id(h), "4", "--batch", "1", "--wait"]);
    for _ in 0..4 {
        ok(&["extend", &first_id(h), "1", "--batch", "1", "--wait"]);
    }
    let last = first_id(h);
    let before = server.stats().requests;
    let out = mjdesk(h).args(["extend", &last, "1"]).args(gw).output().unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("already 21 s long") && stderr.contains("stops at 21 s"), "{stderr}");
    assert_eq!(server.stats().requests, before, "nothing was sent");
}

/// A video job the gateway accepted but this machine never saw finish (the app was closed):
/// `mjdesk resume` follows it to its end and keeps its clips and posters, as for images.
#[tokio::test(flavor = "multi_thread")]
async fn resume_finishes_a_video_job_left_running_and_keeps_its_clips() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Acedata);
    let (up, _) = upscale(&c, Provider::Acedata).await;
    let request = JobRequest::Animate {
        image: ImageInput::Url(up.images[0].clone()),
        parent: None,
        end: None,
        video: VideoOptions { batch: 1, ..Default::default() },
    };
    let submitted = c.submit(&request, &mjdesk::job::SubmitOptions::default()).await.expect("accepted");
    let home = tempfile::tempdir().unwrap();
    let store = mjdesk::store::Store::open(&home.path().join("data")).unwrap();
    let mut job =
        mjdesk::job::Job::new(Provider::Acedata, &server.base_url(), request, mjdesk::job::SubmitOptions::default());
    job.gateway_id = Some(submitted.job_id.clone());
    job.status = mjdesk::job::JobStatus::Submitted;
    store.insert_job(&job).unwrap();

    let out = mjdesk(home.path()).args(["resume", "--api-key", server.api_key()]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let done = store.get_job(&job.id).unwrap().unwrap();
    assert_eq!(done.status, mjdesk::job::JobStatus::Succeeded, "{stderr}");
    assert_eq!(done.images.len(), 1);
    let clip = done.images[0].local_path.as_ref().expect("the clip is kept");
    assert_eq!(clip.extension().unwrap(), "mp4");
    assert!(mjdesk::thumbs::poster_path(clip).exists() && mjdesk::thumbs::thumb_path(clip).exists());
    assert!(done.image_id.is_some(), "the video_id an extend names");
}
