//! Results are copied into the image cache as soon as a job succeeds: gateway links expire
//! (Discord's after 24 h), local copies do not.

use super::Inner;
use crate::cache::ImageCache;
use crate::error::{FailureKind, GatewayError};
use crate::gateway::GatewayClient;
use crate::job::{Job, JobImage};

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

/// True when a succeeded job lacks a local copy it could still get.
pub(super) fn missing_copies(job: &Job) -> bool {
    job.result_images().into_iter().any(needs_copy)
}

pub(super) async fn fetch_all(inner: &Inner, client: &GatewayClient, job: &mut Job) {
    let mut changed = false;
    let attempts = inner.config.download_attempts.max(1);
    let backoff = inner.config.backoff;
    let cache = inner.cache.clone();
    let job_endpoint = job.base_url.clone();
    let job_endpoint = job_endpoint.as_str();
    for img in wanted(job) {
        if !needs_copy(img) {
            continue;
        }
        changed = true;
        img.error = None;
        let mut attempt = 0;
        let result = loop {
            match client.download(&live_url(job_endpoint, client, &img.url)).await {
                Err(e) if e.is_transient() && attempt + 1 < attempts => {
                    tokio::time::sleep(backoff.delay(attempt, e.retry_after())).await;
                    attempt += 1;
                }
                other => break other,
            }
        };
        match result.map_err(|e| describe(&e)).and_then(|bytes| check(&bytes).map(|_| bytes)) {
            Ok(bytes) => match keep(&cache, bytes).await {
                Ok(path) => img.local_path = Some(path),
                Err(e) => img.error = Some(e),
            },
            Err(reason) => {
                img.local_path = None;
                img.error = Some(reason);
            }
        }
    }
    if changed {
        inner.save(job).await;
    }
}

/// Writes the image into the cache and its thumbnail beside it, on the blocking pool.
async fn keep(cache: &ImageCache, bytes: Vec<u8>) -> Result<std::path::PathBuf, String> {
    let cache = cache.clone();
    let written = tokio::task::spawn_blocking(move || {
        let path = cache.put(&bytes).map_err(|e| format!("could not save the image: {e}"))?;
        if let Err(e) = crate::thumbs::write_thumbnail(&path, &bytes) {
            // The list falls back to the full image; the result itself is kept.
            tracing::warn!("{e}");
        }
        Ok(path)
    });
    written.await.unwrap_or_else(|e| Err(format!("could not save the image: {e}")))
}

fn check(bytes: &[u8]) -> Result<(), String> {
    image::guess_format(bytes).map(|_| ()).map_err(|_| "the link did not return an image".to_owned())
}

fn describe(e: &GatewayError) -> String {
    match e.api() {
        Some(f) if matches!(f.status, 403 | 404 | 410) || f.kind() == FailureKind::NotFound => {
            format!("the image link has expired or is gone (HTTP {}); the gateway no longer serves it", f.status)
        }
        _ => format!("could not download the image: {e}"),
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
