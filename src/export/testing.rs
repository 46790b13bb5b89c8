//! A library to export in tests: a real store in a temp folder, with images on disk.

use std::path::Path;

use crate::job::{Job, JobImage, JobRequest, JobStatus, Provider, SubmitOptions};
use crate::store::Store;

/// A store in `dir` with `n` finished jobs, each with `images` local images of `size` bytes.
pub(crate) fn library(dir: &Path, n: usize, images: usize, size: usize) -> (Store, Vec<Job>) {
    let store = Store::open(&dir.join("data")).unwrap();
    let files = dir.join("images");
    std::fs::create_dir_all(&files).unwrap();
    let mut jobs = Vec::new();
    for j in 0..n {
        let req = JobRequest::Imagine { prompt: format!("a paper crane number {j} --ar 3:2") };
        let mut job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        job.status = JobStatus::Succeeded;
        job.images = (0..images)
            .map(|i| {
                let path = files.join(format!("{j}-{i}.png"));
                std::fs::write(&path, vec![(j + i) as u8; size]).unwrap();
                JobImage { url: format!("https://cdn.test/{j}/{i}.png"), local_path: Some(path), error: None }
            })
            .collect();
        store.insert_job(&job).unwrap();
        jobs.push(job);
    }
    (store, jobs)
}
