//! Tests against real SQLite files in temp dirs.

mod browse;
mod jobs;
mod library;
mod open;
mod settings;
mod summaries;

use std::path::PathBuf;

use crate::job::{ImageInput, Job, JobImage, JobKind, JobRequest, JobStatus, Mode, ParentRef, Provider, SubmitOptions};
use crate::mask::Mask;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn imagine(prompt: &str, created_at: i64) -> Job {
    let mut job = Job::new(
        Provider::Ttapi,
        "http://127.0.0.1:9",
        JobRequest::Imagine { prompt: prompt.into() },
        SubmitOptions::default(),
    );
    job.created_at = created_at;
    job
}

/// A job with every field set to something other than its default.
fn full_job() -> Job {
    let mut mask = Mask::new(8, 6);
    mask.fill_rect(2, 1, 5, 4, true);
    let request = JobRequest::Inpaint {
        parent: ParentRef { job_id: "gw-parent".into(), image_id: Some("img-7".into()), image_index: Some(2) },
        mask,
        prompt: Some("a red door".into()),
    };
    let options = SubmitOptions {
        mode: Some(Mode::Other("hyper".into())),
        timeout_secs: Some(600),
        hook_url: Some("https://hook.example/cb".into()),
        get_u_images: Some(true),
    };
    let mut job = Job::new(Provider::Acedata, "https://proxy.example:8443/mj", request, options);
    job.gateway_id = Some("gw-123".into());
    job.parent_id = Some("local-parent".into());
    job.status = JobStatus::Unknown { reason: "the gateway did not answer within 30s".into() };
    job.raw_status = Some("WARMING_UP".into());
    job.images = (0..4)
        .map(|i| JobImage {
            url: format!("https://cdn.example/{i}.png"),
            local_path: (i % 2 == 0).then(|| PathBuf::from(format!("/data/images/{i}abc.png"))),
            error: (i == 3).then(|| "the link expired (HTTP 403)".into()),
        })
        .collect();
    job.grid_image = Some(JobImage {
        url: "https://cdn.example/grid.png".into(),
        local_path: Some(PathBuf::from("/data/images/grid.png")),
        error: None,
    });
    job.actions = vec!["upsample1".into(), "variation2".into(), "Custom_Thing".into()];
    job.seed = Some("123456".into());
    job.quota = Some("2.5".into());
    job.prompts = vec!["one".into(), "two, with \"quotes\"".into()];
    job.image_id = Some("img-9".into());
    job.width = Some(2048);
    job.height = Some(1365);
    job.last_raw = Some("<html>502 bad gateway</html>".into());
    job.submitted_at = Some(job.created_at + 10);
    job.finished_at = Some(job.created_at + 20);
    job.deadline_at = Some(job.created_at + 600_000);
    job
}

/// An edit with image bytes and a mask that failed at the gateway.
fn failed_edit() -> Job {
    let mut mask = Mask::new(4, 4);
    mask.set(1, 1, true);
    let request = JobRequest::Edit {
        image: ImageInput::Bytes { bytes: vec![0x89, b'P', b'N', b'G', 0, 255, 7], mime: "image/png".into() },
        mask: Some(mask),
        prompt: "make it blue".into(),
        retexture: true,
    };
    let mut job = Job::new(Provider::Vtrix, "https://api.vtrix.ai", request, SubmitOptions::default());
    assert_eq!(job.kind, JobKind::Retexture);
    job.status = JobStatus::Failed { reason: "[Banned prompt detected]".into() };
    job
}
