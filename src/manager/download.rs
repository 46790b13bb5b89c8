//! Results are copied into the image cache as soon as a job succeeds: gateway links expire
//! (Discord's after 24 h), local copies do not.
//!
//! A job's images are downloaded side by side. Each is tried again on transient failures,
//! but a stalled host only twice (each stall already waited the idle limit), and never
//! again for an answer that will not change (too large, a refused redirect, not found).
//! Reasons name the image's host, not the gateway.

use tokio::task::JoinSet;

use super::Inner;
use crate::cache::ImageCache;
use crate::error::{FailureKind, GatewayError};
use crate::gateway::GatewayClient;
use crate::job::{Job, JobImage};
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
    for (index, img) in wanted(job).into_iter().enumerate() {
        if !needs_copy(img) {
            continue;
        }
        img.error = None;
        let url = live_url(&endpoint, client, &img.url);
        let (client, cache) = (client.clone(), inner.cache.clone());
        tasks.spawn(async move { (index, copy_one(&client, &cache, &url, attempts, backoff).await) });
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
    for (index, outcome) in outcomes {
        let Some(img) = images.get_mut(index) else { continue };
        match outcome {
            Ok(path) => {
                img.local_path = Some(path);
                img.error = None;
            }
            Err(reason) => {
                img.local_path = None;
                img.error = Some(reason);
            }
        }
    }
    inner.save(job).await;
}

/// Downloads one image (with its retries), checks it is one, and stores it.
async fn copy_one(
    client: &GatewayClient,
    cache: &ImageCache,
    url: &str,
    attempts: u32,
    backoff: Backoff,
) -> Result<std::path::PathBuf, String> {
    let mut attempt = 0;
    let bytes = loop {
        match client.download(url).await {
            Err(e) if attempt + 1 < attempts_for(&e, attempts) => {
                tracing::debug!(url, error = %e, attempt, "image download failed; trying again");
                tokio::time::sleep(backoff.delay(attempt, e.retry_after())).await;
                attempt += 1;
            }
            Err(e) => return Err(describe(&e, url)),
            Ok(bytes) => break bytes,
        }
    };
    check(&bytes, url)?;
    let cache = cache.clone();
    // Hashing and writing up to 50 MB is blocking work.
    let stored = tokio::task::spawn_blocking(move || {
        let path = cache.put(&bytes)?;
        if let Err(e) = crate::thumbs::write_thumbnail(&path, &bytes) {
            // The list falls back to the full image; the result itself is kept.
            tracing::warn!("{e}");
        }
        Ok::<_, crate::cache::CacheError>(path)
    })
    .await;
    // The cache's own words say when the disk is full.
    match stored {
        Ok(Ok(path)) => Ok(path),
        Ok(Err(e)) => Err(format!("could not save the image: {e}")),
        Err(e) => Err(format!("could not save the image: {e}")),
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

fn check(bytes: &[u8], url: &str) -> Result<(), String> {
    if image::guess_format(bytes).is_ok() {
        return Ok(());
    }
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).trim_start().to_ascii_lowercase();
    let what = if start.starts_with("<!doctype html") || start.starts_with("<html") || start.starts_with('<') {
        "a web page (HTML)"
    } else if bytes.is_empty() {
        "nothing"
    } else {
        "something else"
    };
    Err(format!("the image link at {} returned {what}, not an image", host(url)))
}

fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}{}", u.host_str()?, u.port().map(|p| format!(":{p}")).unwrap_or_default())))
        .unwrap_or_else(|| "the image host".to_owned())
}

fn describe(e: &GatewayError, url: &str) -> String {
    let host = host(url);
    match e.api() {
        Some(f) if matches!(f.status, 403 | 404 | 410) || f.kind() == FailureKind::NotFound => {
            format!("the image link has expired or is gone ({host} answered HTTP {})", f.status)
        }
        Some(f) => format!("could not download the image: {host} answered HTTP {}", f.status),
        None => format!("could not download the image: {e}"),
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
