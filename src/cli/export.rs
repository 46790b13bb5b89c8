//! `mjdesk export`: jobs' full-size local images copied into a folder, each beside a JSON
//! sidecar saying what made it (prompt, parameters, gateway, ids, parent, mask, dates).
//!
//! Nothing is left half-written: an image and its sidecar are written to hidden temporary
//! files in the folder, flushed to disk, then renamed into place. A folder that cannot be
//! written is refused before anything is copied; a failure midway (a full disk) stops with
//! one line, removes only its own temporary files, and leaves every file already exported.

use std::io::Write;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::args::ExportArgs;
use super::dates::iso_utc;
use super::library::{collection_named, resolve};
use crate::app::export::default_file_name;
use crate::job::{Job, JobRequest, short_id};
use crate::store::{JobFilter, Marks, PromptFacets, Store, parameters};
use crate::textsafe::{self, line as safe};

pub fn export(store: &Store, args: ExportArgs) -> Result<(), String> {
    let dir = args.out.clone().ok_or("say where to write the images with --out DIR")?;
    let jobs = chosen(store, &args)?;
    open_folder(&dir)?;
    let bar = progress(jobs.len());
    let (mut images, mut exported_jobs) = (0usize, 0usize);
    for job in &jobs {
        let marks = store.marks(&job.id).map_err(|e| e.to_string())?;
        let mut any = false;
        for (number, source) in local_images(job) {
            let bytes = match std::fs::read(&source) {
                Ok(b) => b,
                Err(e) => {
                    note(&bar, &format!("job {}: image {number} could not be read ({})", short_id(&job.id), why(&e)));
                    continue;
                }
            };
            let name = default_file_name(job.prompt.as_deref(), &job.id, number, Some(&source));
            let sidecar = sidecar(job, &marks, number, &name);
            let text = serde_json::to_vec_pretty(&sidecar).map_err(|e| e.to_string())?;
            if let Err((path, e)) = write_pair(&dir, &name, &bytes, &text) {
                bar.finish_and_clear();
                return Err(format!(
                    "could not write {}: {}; the {images} image(s) exported before it are complete in {}",
                    path.display(),
                    why(&e),
                    dir.display()
                ));
            }
            images += 1;
            any = true;
        }
        if any {
            exported_jobs += 1;
        } else {
            note(&bar, &format!("job {}: no image of it is kept here; nothing to export", short_id(&job.id)));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    sync_dir(&dir);
    println!("exported {images} image(s) of {exported_jobs} job(s) to {}", dir.display());
    Ok(())
}

/// The jobs named, then those --liked / --collection choose (newest first), each once.
fn chosen(store: &Store, args: &ExportArgs) -> Result<Vec<Job>, String> {
    if args.jobs.is_empty() && !args.liked && args.collection.is_none() {
        return Err("name the jobs to export, or choose them with --liked or --collection NAME".into());
    }
    let mut jobs = Vec::new();
    for id in &args.jobs {
        jobs.push(resolve(store, id)?);
    }
    if args.liked || args.collection.is_some() {
        let collection = match &args.collection {
            Some(name) => Some(collection_named(store, name)?.id),
            None => None,
        };
        let filter = JobFilter { liked: args.liked, collection, ..Default::default() };
        const PAGE: u32 = 500;
        let mut offset = 0u64;
        loop {
            let page = store.summaries(&filter, offset, PAGE).map_err(|e| e.to_string())?;
            for e in &page.unreadable {
                eprintln!("note: skipped: {}", textsafe::short_line(&e.to_string()));
            }
            let got = page.rows.len() + page.unreadable.len();
            for row in page.rows {
                if let Some(job) = store.get_job(&row.id).map_err(|e| e.to_string())? {
                    jobs.push(job);
                }
            }
            if got < PAGE as usize {
                break;
            }
            offset += u64::from(PAGE);
        }
    }
    let mut seen = std::collections::HashSet::new();
    jobs.retain(|j| seen.insert(j.id.clone()));
    if jobs.is_empty() {
        let what = match (args.liked, &args.collection) {
            (true, Some(c)) => format!("no liked job is in “{}”", safe(c.trim(), 100)),
            (true, None) => "no job is liked".to_owned(),
            (false, Some(c)) => format!("“{}” holds no job", safe(c.trim(), 100)),
            (false, None) => "no job chosen".to_owned(),
        };
        return Err(format!("nothing to export: {what}"));
    }
    Ok(jobs)
}

/// Makes the folder and proves a file can be written in it, before anything is copied.
fn open_folder(dir: &Path) -> Result<(), String> {
    let refuse = |e: std::io::Error| format!("cannot write to the folder {}: {}", dir.display(), why(&e));
    std::fs::create_dir_all(dir).map_err(refuse)?;
    let probe = dir.join(format!(".mjdesk-export-check-{}", std::process::id()));
    let written = std::fs::File::create(&probe).and_then(|mut f| f.write_all(b"mjdesk"));
    let _ = std::fs::remove_file(&probe);
    written.map_err(refuse)
}

/// The job's result images kept on this machine, numbered from 1 as the job shows them.
fn local_images(job: &Job) -> Vec<(usize, PathBuf)> {
    job.result_images().iter().enumerate().filter_map(|(i, img)| img.local_path.clone().map(|p| (i + 1, p))).collect()
}

/// Writes `name` and its `.json` sidecar into `dir`, each whole or not at all. On failure,
/// the path being written and why.
fn write_pair(dir: &Path, name: &str, image: &[u8], sidecar: &[u8]) -> Result<(), (PathBuf, std::io::Error)> {
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or(name);
    let files = [(dir.join(name), image), (dir.join(format!("{stem}.json")), sidecar)];
    let temp = |final_path: &Path| {
        let file = final_path.file_name().and_then(|n| n.to_str()).unwrap_or("export");
        dir.join(format!(".{file}.{}.part", std::process::id()))
    };
    let mut written: Vec<PathBuf> = Vec::new();
    for (path, bytes) in &files {
        let tmp = temp(path);
        let result = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
        written.push(tmp);
        if let Err(e) = result {
            for t in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err((path.clone(), e));
        }
    }
    for ((path, _), tmp) in files.iter().zip(&written) {
        if let Err(e) = std::fs::rename(tmp, path) {
            for t in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err((path.clone(), e));
        }
    }
    Ok(())
}

/// Flushes the folder's entries (the renames) to disk, where the system allows it.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Why a file operation failed, in words a designer can act on.
pub(super) fn why(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match (e.kind(), e.raw_os_error()) {
        (ErrorKind::StorageFull, _) | (_, Some(28 | 122)) => "the disk is full".into(),
        (ErrorKind::FileTooLarge, _) | (_, Some(27)) => "the file is larger than that disk or the system allows".into(),
        (ErrorKind::PermissionDenied, _) => "permission denied".into(),
        (ErrorKind::ReadOnlyFilesystem, _) => "the disk is read-only".into(),
        (ErrorKind::NotADirectory, _) | (ErrorKind::AlreadyExists, _) => "a file is in the way of the folder".into(),
        (ErrorKind::NotFound, _) => "it does not exist".into(),
        _ => e.to_string(),
    }
}

/// What made an image: enough to find, redo or credit it without mjdesk.
fn sidecar(job: &Job, marks: &Marks, number: usize, name: &str) -> serde_json::Value {
    let facets = PromptFacets::of_job(job);
    let params: serde_json::Map<String, serde_json::Value> =
        job.prompt.as_deref().map(parameters).unwrap_or_default().into_iter().map(|(n, v)| (n, json!(v))).collect();
    let parent_ref = match job.request.as_ref() {
        JobRequest::Action { parent, .. }
        | JobRequest::Seed { parent }
        | JobRequest::Inpaint { parent, .. }
        | JobRequest::CanvasEdit { parent, .. }
        | JobRequest::Remix { parent, .. }
        | JobRequest::Extend { parent, .. } => Some(parent),
        JobRequest::Animate { parent, .. } => parent.as_ref(),
        _ => None,
    };
    let parent = (job.parent_id.is_some() || parent_ref.is_some()).then(|| {
        json!({
            "job_id": job.parent_id,
            "gateway_job_id": parent_ref.map(|p| &p.job_id),
            "image_index": parent_ref.and_then(|p| p.image_index),
        })
    });
    let mask = job.request.sent_mask().map(|m| {
        let area = u64::from(m.width()) * u64::from(m.height());
        let painted = m.count() as u64;
        let share = if area == 0 { 0.0 } else { (painted as f64 * 1000.0 / area as f64).round() / 10.0 };
        json!({
            "note": "the mask sent with the request (its pixels are not exported)",
            "width": m.width(),
            "height": m.height(),
            "painted_pixels": painted,
            "painted_percent": share,
        })
    });
    let at = |ms: Option<i64>| ms.map(iso_utc);
    let image = &job.result_images()[number - 1];
    json!({
        "file": name,
        "image": number,
        "images_in_job": job.result_images().len(),
        "prompt": job.prompt,
        "parameters": params,
        "aspect_ratio": facets.aspect,
        "model": facets.model,
        "mode": facets.mode,
        "kind": job.kind,
        "gateway": {
            "provider": job.provider.as_str(),
            "name": job.provider.display_name(),
            "base_url": job.base_url,
        },
        "job_id": job.id,
        "gateway_job_id": job.gateway_id,
        "gateway_image_id": job.image_id,
        "parent": parent,
        "mask": mask,
        "seed": job.seed,
        "size": job.width.zip(job.height).map(|(w, h)| json!({ "width": w, "height": h })),
        "source_url": image.url,
        "liked": marks.liked,
        "rating": marks.rating,
        "collections": marks.collections.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        "created_at": iso_utc(job.created_at),
        "submitted_at": at(job.submitted_at),
        "finished_at": at(job.finished_at),
        "exported_at": iso_utc(crate::job::now_ms()),
    })
}

fn progress(jobs: usize) -> ProgressBar {
    if jobs < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(jobs as u64);
    if let Ok(style) = ProgressStyle::with_template("exporting {pos}/{len} jobs [{bar:30}] {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A note above the bar when it shows, else straight to stderr.
fn note(bar: &ProgressBar, text: &str) {
    let text = format!("note: {}", textsafe::short_line(text));
    if bar.is_hidden() { eprintln!("{text}") } else { bar.println(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_failures_are_said_plainly() {
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(why(&full), "the disk is full");
        assert_eq!(
            why(&std::io::Error::from_raw_os_error(27)),
            "the file is larger than that disk or the system allows"
        );
    }

    #[test]
    fn a_pair_is_written_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        write_pair(dir.path(), "fox_1a2b3c4d_1.png", b"png bytes", b"{}").unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["fox_1a2b3c4d_1.json", "fox_1a2b3c4d_1.png"]);
        assert_eq!(std::fs::read(dir.path().join("fox_1a2b3c4d_1.png")).unwrap(), b"png bytes");
        // A folder that is gone: the error names the file, nothing is left behind.
        let gone = dir.path().join("gone");
        let (path, _) = write_pair(&gone, "a.png", b"x", b"{}").unwrap_err();
        assert_eq!(path, gone.join("a.png"));
    }
}
