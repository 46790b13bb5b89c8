//! Results are copied into the image cache as soon as a job succeeds: gateway links expire
//! (Discord's after 24 h), local copies do not.

use super::Inner;
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
    for img in wanted(job) {
        if !needs_copy(img) {
            continue;
        }
        changed = true;
        img.error = None;
        let mut attempt = 0;
        let result = loop {
            match client.download(&img.url).await {
                Err(e) if e.is_transient() && attempt + 1 < attempts => {
                    tokio::time::sleep(backoff.delay(attempt, e.retry_after())).await;
                    attempt += 1;
                }
                other => break other,
            }
        };
        match result.map_err(|e| describe(&e)).and_then(|bytes| check(&bytes).map(|_| bytes)) {
            Ok(bytes) => match cache.put(&bytes) {
                Ok(path) => img.local_path = Some(path),
                Err(e) => img.error = Some(format!("could not save the image: {e}")),
            },
            Err(reason) => {
                img.local_path = None;
                img.error = Some(reason);
            }
        }
    }
    if changed {
        inner.save(job);
    }
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
