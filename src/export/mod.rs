//! Export: jobs' full-size local images copied into a folder, each beside a JSON sidecar
//! saying what made it (prompt, parameters, gateway, ids, parent, mask, dates). The CLI's
//! `mjdesk export` and the window's `Export` both run [`export_jobs`].
//!
//! Nothing is left half-written: an image and its sidecar are written to hidden temporary
//! files in the folder, flushed to disk, then renamed into place. A folder that cannot be
//! written is refused before anything is copied; a failure midway (a full disk) stops with
//! one line, removes only its own temporary files, and leaves every file already exported.
//! A cancel is taken between two images, so it too leaves only whole files.

mod files;
mod sidecar;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use files::why;

use crate::app::export::default_file_name;
use crate::job::{Job, short_id};
use crate::store::{JobFilter, Store};
use crate::textsafe;

/// How far an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Images written, of those the jobs keep here.
    pub images: usize,
    pub images_total: usize,
    /// Jobs gone through (exported or skipped), of all.
    pub jobs: usize,
    pub jobs_total: usize,
    /// Bytes of images and sidecars written.
    pub bytes: u64,
}

/// What an export tells as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Progress(Progress),
    /// Something skipped, in one line (an image that could not be read, a job with none).
    Note(String),
}

/// What an export did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub images: usize,
    /// Jobs with at least one image exported.
    pub jobs: usize,
    pub bytes: u64,
    /// Stopped by a cancel (every file written is whole).
    pub cancelled: bool,
}

/// Why an export stopped.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Folder(String),
    #[error("could not write {}: {why}; the {done} image(s) exported before it are complete in {}", path.display(), dir.display())]
    Write { path: PathBuf, why: String, done: usize, dir: PathBuf },
    #[error("{0}")]
    Store(String),
}

/// Exports `jobs` into `dir` (made if need be), telling `on` how far it is after each image.
/// Stops between two images once `cancel` is set.
pub fn export_jobs(
    store: &Store,
    jobs: &[Job],
    dir: &Path,
    cancel: &AtomicBool,
    mut on: impl FnMut(Event),
) -> Result<Exported, ExportError> {
    files::open_folder(dir).map_err(ExportError::Folder)?;
    let mut at = Progress {
        images_total: jobs.iter().map(|j| local_images(j).len()).sum(),
        jobs_total: jobs.len(),
        ..Default::default()
    };
    let mut exported_jobs = 0;
    let mut cancelled = false;
    'jobs: for job in jobs {
        let marks = store.marks(&job.id).map_err(|e| ExportError::Store(e.to_string()))?;
        let mut any = false;
        let images = local_images(job);
        for (number, source) in &images {
            if cancel.load(Ordering::Relaxed) {
                cancelled = true;
                break 'jobs;
            }
            let bytes = match std::fs::read(source) {
                Ok(b) => b,
                Err(e) => {
                    on(Event::Note(format!(
                        "job {}: image {number} could not be read ({})",
                        short_id(&job.id),
                        why(&e)
                    )));
                    continue;
                }
            };
            let name = default_file_name(job.prompt.as_deref(), &job.id, *number, Some(source));
            let sidecar = sidecar::sidecar(job, &marks, *number, &name);
            let text = serde_json::to_vec_pretty(&sidecar).map_err(|e| ExportError::Store(e.to_string()))?;
            if let Err((path, e)) = files::write_pair(dir, &name, &bytes, &text) {
                files::sync_dir(dir);
                return Err(ExportError::Write { path, why: why(&e), done: at.images, dir: dir.to_owned() });
            }
            at.images += 1;
            at.bytes += (bytes.len() + text.len()) as u64;
            any = true;
            on(Event::Progress(at));
        }
        if any {
            exported_jobs += 1;
        } else if images.is_empty() {
            on(Event::Note(format!("job {}: no image of it is kept here; nothing to export", short_id(&job.id))));
        }
        at.jobs += 1;
        on(Event::Progress(at));
    }
    files::sync_dir(dir);
    Ok(Exported { images: at.images, jobs: exported_jobs, bytes: at.bytes, cancelled })
}

/// Every job `filter` admits, newest first, read a page at a time; and a line for each row
/// that could not be read (skipped).
pub fn jobs_matching(store: &Store, filter: &JobFilter) -> Result<(Vec<Job>, Vec<String>), ExportError> {
    const PAGE: u32 = 500;
    let failed = |e: crate::store::StoreError| ExportError::Store(e.to_string());
    let (mut jobs, mut skipped) = (Vec::new(), Vec::new());
    let mut offset = 0u64;
    loop {
        let page = store.summaries(filter, offset, PAGE).map_err(failed)?;
        skipped.extend(page.unreadable.iter().map(|e| textsafe::short_line(&e.to_string())));
        let got = page.rows.len() + page.unreadable.len();
        for row in page.rows {
            if let Some(job) = store.get_job(&row.id).map_err(failed)? {
                jobs.push(job);
            }
        }
        if got < PAGE as usize {
            return Ok((jobs, skipped));
        }
        offset += u64::from(PAGE);
    }
}

/// The job's result images kept on this machine, numbered from 1 as the job shows them.
fn local_images(job: &Job) -> Vec<(usize, PathBuf)> {
    job.result_images().iter().enumerate().filter_map(|(i, img)| img.local_path.clone().map(|p| (i + 1, p))).collect()
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
