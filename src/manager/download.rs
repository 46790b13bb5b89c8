//! Results are copied into the image cache as soon as a job succeeds: gateway links expire
//! (Discord's after 24 h), local copies do not.
//!
//! A job's images are downloaded side by side. Each is tried again on transient failures,
//! but a stalled host only twice (each stall already waited the idle limit), and never
//! again for an answer that will not change (too large, a refused redirect, not found).
//! Reasons name the image's host, not the gateway.
//!
//! A video job's results are clips: each is checked to be an MP4, kept content-addressed
//! like an image, with its poster frame (the first frame, PNG) beside it and the poster's
//! thumbnail for the list. A clip over [`MAX_VIDEO_BYTES`](crate::gateway::MAX_VIDEO_BYTES)
//! is cut off and fails the job, naming the cap.

use tokio::task::JoinSet;

use super::Inner;
use crate::cache::ImageCache;
use crate::error::{FailureKind, GatewayError};
use crate::gateway::GatewayClient;
use std::borrow::Cow;

use crate::job::{ImageInput, Job, JobImage, JobRequest};
use crate::retry::Backoff;

/// Attempts at an image whose host stalled.
const STALL_ATTEMPTS: u32 = 2;

/// The images worth keeping: the separate images, or the grid when there are none
/// (the same choice as [`Job::result_images`]).
fn wanted(job: &mut Job) -> Vec<&mut JobImage> {
    if job.images.is_empty() { job.grid_image.iter_mut().collect() } else { job.images.iter_mut().collect() }
}

fn needs_copy(img: &JobImage) -> bool {
    match &img.local_path {
        Some(p) => !p.exists(),
        None => img.error.is_none(),
    }
}

/// Makes every result image without a usable local copy wanted again, forgetting why an
/// earlier try failed (a full disk may have been freed since, a host may answer again).
/// True when any image is to be downloaded.
pub(super) fn retry_failed_copies(job: &mut Job) -> bool {
    let mut any = false;
    for img in wanted(job) {
        if img.local_path.as_ref().is_none_or(|p| !p.exists()) {
            img.local_path = None;
            img.error = None;
            any = true;
        }
    }
    any
}

pub(super) async fn fetch_all(inner: &Inner, client: &GatewayClient, job: &mut Job) {
    let attempts = inner.config.download_attempts.max(1);
    let backoff = inner.config.backoff;
    let mut tasks = JoinSet::new();
    let endpoint = job.base_url.clone();
    let video = job.kind.is_video();
    for (index, img) in wanted(job).into_iter().enumerate() {
        if !needs_copy(img) {
            continue;
        }
        img.error = None;
        let url = live_url(&endpoint, client, &img.url);
        let (client, cache) = (client.clone(), inner.cache.clone());
        tasks.spawn(async move { (index, copy_one(&client, &cache, &url, attempts, backoff, video).await) });
    }
    if tasks.is_empty() {
        return;
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(outcome) => outcomes.push(outcome),
            // A task that panicked leaves its image without a copy and with no reason; it is
            // tried again next time.
            Err(e) => tracing::warn!(error = %e, "an image download task ended abnormally"),
        }
    }
    let mut images = wanted(job);
    let mut over_cap = None;
    for (index, outcome) in outcomes {
        let Some(img) = images.get_mut(index) else { continue };
        match outcome {
            Ok(path) => {
                img.local_path = Some(path);
                img.error = None;
            }
            Err(Failed { reason, too_large }) => {
                if too_large && video {
                    over_cap.get_or_insert_with(|| reason.clone());
                }
                img.local_path = None;
                img.error = Some(reason);
            }
        }
    }
    if let Some(reason) = over_cap {
        job.status = crate::job::JobStatus::Failed { reason };
    }
    inner.save(job).await;
}

/// Why one result could not be kept.
struct Failed {
    reason: String,
    /// Larger than mjdesk reads (a clip over the cap fails its job).
    too_large: bool,
}

impl From<String> for Failed {
    fn from(reason: String) -> Self {
        Self { reason, too_large: false }
    }
}

/// Downloads one image or clip (with its retries), checks it is one, and stores it.
async fn copy_one(
    client: &GatewayClient,
    cache: &ImageCache,
    url: &str,
    attempts: u32,
    backoff: Backoff,
    video: bool,
) -> Result<std::path::PathBuf, Failed> {
    let mut attempt = 0;
    let bytes = loop {
        let got = if video { client.download_video(url).await } else { client.download(url).await };
        match got {
            Err(e) if attempt + 1 < attempts_for(&e, attempts) => {
                tracing::debug!(url, error = %e, attempt, "result download failed; trying again");
                tokio::time::sleep(backoff.delay(attempt, e.retry_after())).await;
                attempt += 1;
            }
            Err(e) => {
                let too_large = matches!(e, GatewayError::TooLarge { .. });
                return Err(Failed { reason: describe(&e, url, video), too_large });
            }
            Ok(bytes) => break bytes,
        }
    };
    if video {
        check_clip(&bytes, url)?
    } else {
        check(&bytes, url)?
    };
    let cache = cache.clone();
    // Hashing and writing up to 50 MB (a clip: 300 MB) and decoding a poster is blocking work.
    let stored = tokio::task::spawn_blocking(move || {
        let path = cache.put(&bytes)?;
        let made = if video {
            crate::thumbs::write_poster(&path, &bytes)
        } else {
            crate::thumbs::write_thumbnail(&path, &bytes).map(|_| ())
        };
        if let Err(e) = made {
            // The list falls back to the full image (a clip: to no picture); the result
            // itself is kept.
            tracing::warn!("{e}");
        }
        Ok::<_, crate::cache::CacheError>(path)
    })
    .await;
    // The cache's own words say when the disk is full.
    let what = if video { "clip" } else { "image" };
    match stored {
        Ok(Ok(path)) => Ok(path),
        Ok(Err(e)) => Err(format!("could not save the {what}: {e}").into()),
        Err(e) => Err(format!("could not save the {what}: {e}").into()),
    }
}

/// How many attempts an error allows in all.
fn attempts_for(e: &GatewayError, attempts: u32) -> u32 {
    match e {
        GatewayError::Stalled { .. } => attempts.min(STALL_ATTEMPTS),
        e if e.is_transient() => attempts,
        _ => 1,
    }
}

fn check_clip(bytes: &[u8], url: &str) -> Result<(), String> {
    if crate::video::is_mp4(bytes) {
        return Ok(());
    }
    Err(format!("the video link at {} returned {}, not an MP4 clip", host(url), what_it_is(bytes)))
}

fn check(bytes: &[u8], url: &str) -> Result<(), String> {
    if image::guess_format(bytes).is_ok() {
        return Ok(());
    }
    Err(format!("the image link at {} returned {}, not an image", host(url), what_it_is(bytes)))
}

fn what_it_is(bytes: &[u8]) -> &'static str {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).trim_start().to_ascii_lowercase();
    if start.starts_with("<!doctype html") || start.starts_with("<html") || start.starts_with('<') {
        "a web page (HTML)"
    } else if bytes.is_empty() {
        "nothing"
    } else {
        "something else"
    }
}

fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}{}", u.host_str()?, u.port().map(|p| format!(":{p}")).unwrap_or_default())))
        .unwrap_or_else(|| "the image host".to_owned())
}

fn describe(e: &GatewayError, url: &str, video: bool) -> String {
    let host = host(url);
    let what = if video { "video" } else { "image" };
    match e.api() {
        Some(f) if matches!(f.status, 403 | 404 | 410) || f.kind() == FailureKind::NotFound => {
            format!("the {what} link has expired or is gone ({host} answered HTTP {})", f.status)
        }
        Some(f) => format!("could not download the {what}: {host} answered HTTP {}", f.status),
        None => format!("could not download the {what}: {e}"),
    }
}

/// A result link of the built-in simulator names the port it served on then; the simulator
/// serving now (another port after a restart) has the same images under the same path.
fn live_url(endpoint: &str, client: &GatewayClient, url: &str) -> String {
    if endpoint != crate::connect::SIM_ENDPOINT {
        return url.to_owned();
    }
    match (url::Url::parse(url), url::Url::parse(&client.config().base_url)) {
        (Ok(mut link), Ok(live)) if crate::gateway::is_loopback_host(&link) => {
            let _ = link.set_port(live.port());
            link.to_string()
        }
        _ => url.to_owned(),
    }
}

/// `req` as it is to be sent now: on the built-in simulator, a frame given as one of its own
/// links from an earlier run (another port) is pointed at the simulator serving now, as
/// [`live_url`] does for downloads.
pub fn live_request<'a>(endpoint: &str, client: &GatewayClient, req: &'a JobRequest) -> Cow<'a, JobRequest> {
    let JobRequest::Animate { image, parent, end, video } = req else { return Cow::Borrowed(req) };
    if endpoint != crate::connect::SIM_ENDPOINT {
        return Cow::Borrowed(req);
    }
    let live = |i: &ImageInput| match i {
        ImageInput::Url(u) => ImageInput::Url(live_url(endpoint, client, u)),
        other => other.clone(),
    };
    Cow::Owned(JobRequest::Animate {
        image: live(image),
        parent: parent.clone(),
        end: end.as_ref().map(live),
        video: video.clone(),
    })
}
