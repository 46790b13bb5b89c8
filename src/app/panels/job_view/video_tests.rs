//! The job view's video controls: `Animate` on an image, and a video job's clips.

use super::*;
use crate::job::{ImageInput, JobRequest, Motion, Provider, SubmitOptions, VideoOptions};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::tests::{S, harness};

fn upscale() -> Job {
    let req = JobRequest::Action { parent: crate::job::ParentRef::job("g"), action: "upsample1".into() };
    let mut job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
    job.status = JobStatus::Succeeded;
    job.images = vec![JobImage { url: "http://x/cdn/a.png".into(), ..Default::default() }];
    job
}

#[test]
fn animate_opens_a_form_whose_submit_sends_the_choices() {
    let job = upscale();
    let id = job.id.clone();
    let mut h = harness(job);
    h.get_by_label("Animate").click();
    h.run_steps(2);
    h.get_by_label("High").click();
    h.run_steps(2);
    h.get_by_label("Motion prompt").click();
    h.run_steps(1);
    h.get_by_label("Motion prompt").type_text("the waves roll in");
    h.run_steps(2);
    h.get_by_label("2 clips").click();
    h.run_steps(2);
    h.get_by_label("End frame").click();
    h.run_steps(1);
    h.get_by_label("End frame").type_text("abcdef12:3");
    h.run_steps(2);
    h.get_by_label("Submit").click();
    h.run_steps(2);
    let video =
        VideoOptions { motion: Motion::High, prompt: Some("the waves roll in".into()), batch: 2, ..Default::default() };
    let end = Some(crate::intent::FrameSource::Typed("abcdef12:3".to_owned()));
    assert_eq!(h.state().1.last(), Some(&UiCommand::Animate { job_id: id, index: None, video, end }));
    assert!(h.query_by_label("Motion prompt").is_none(), "the form closes once sent");
}

/// A finished video job with real clips (and their posters) on disk.
fn video_job(dir: &std::path::Path, clips: usize, damaged: bool) -> Job {
    let req = JobRequest::Animate {
        image: ImageInput::Url("http://x/cdn/a.png".into()),
        parent: None,
        end: None,
        video: VideoOptions::default(),
    };
    let mut job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
    job.status = JobStatus::Succeeded;
    for c in 0..clips {
        let frames: Vec<image::RgbaImage> = (0..8)
            .map(|t| image::RgbaImage::from_pixel(64, 32, image::Rgba([t * 30, 90, (c * 60) as u8, 255])))
            .collect();
        let mp4 = crate::video::encode_mp4(&frames, crate::video::EncodeSettings::for_size(64, 32, 24)).unwrap();
        let path = dir.join(format!("{c}.mp4"));
        crate::thumbs::write_poster(&path, &mp4).unwrap();
        std::fs::write(&path, if damaged { b"<html>gone</html>".to_vec() } else { mp4 }).unwrap();
        let url = format!("http://x/cdn/v-clip{c}.mp4");
        job.images.push(JobImage { url, local_path: Some(path), error: None });
    }
    job
}

fn step_until(h: &mut Harness<'static, S>, what: &str, ok: impl Fn(&Harness<'static, S>) -> bool) {
    for _ in 0..200 {
        h.run_steps(1);
        if ok(h) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{what} never happened");
}

#[test]
fn a_video_job_plays_pauses_scrubs_and_offers_extend_save_and_copy_per_clip() {
    let dir = tempfile::tempdir().unwrap();
    let job = video_job(dir.path(), 2, false);
    let id = job.id.clone();
    let mut h = harness(job);
    for label in ["Extend 1", "Extend 2"] {
        h.get_by_label(label);
    }
    assert_eq!(h.get_all_by_label("Save video").count(), 2);
    assert_eq!(h.get_all_by_label("Copy link").count(), 2);
    assert_eq!(h.get_all_by_label("Play").count(), 2, "both show their poster, nothing plays");
    assert!(h.query_by_label("Seed").is_none(), "the gateways' seed calls are for images");
    h.get_by_label("Extend 2").click();
    h.run_steps(2);
    assert_eq!(h.state().1.last(), Some(&UiCommand::Extend { job_id: id.clone(), index: 1 }));
    h.get_all_by_label("Save video").next().unwrap().click();
    h.run_steps(2);
    assert!(
        matches!(h.state().1.last(), Some(UiCommand::SaveImage { file_name, .. }) if file_name.ends_with("_clip1.mp4"))
    );

    h.get_all_by_label("Play").next().unwrap().click();
    step_until(&mut h, "clip 1 plays", |h| h.query_by_label("Pause").is_some());
    h.get_by_label("Clip 1 position");
    assert_eq!(h.get_all_by_label("Play").count(), 1, "the other clip stays still");
    h.get_by_label("Pause").click();
    step_until(&mut h, "clip 1 pauses", |h| h.get_all_by_label("Play").count() == 2);
}

#[test]
fn a_clip_plays_while_the_pointer_rests_on_it_and_stops_when_it_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(video_job(dir.path(), 1, false));
    let play = h.get_by_label("Play").rect();
    h.hover_at(egui::pos2(play.left() + 20.0, play.top() - 20.0)); // on the poster above it
    step_until(&mut h, "the hovered clip plays", |h| h.query_by_label("Pause").is_some());
    h.hover_at(egui::pos2(880.0, 790.0));
    step_until(&mut h, "it pauses once the pointer leaves", |h| h.query_by_label("Play").is_some());
    // pressed, it plays on without the pointer
    h.get_by_label("Play").click();
    step_until(&mut h, "the pressed clip plays", |h| h.query_by_label("Pause").is_some());
    h.hover_at(egui::pos2(880.0, 790.0));
    h.run_steps(3);
    assert!(h.query_by_label("Pause").is_some(), "Play keeps it playing away from the pointer");
}

#[test]
fn a_clip_that_cannot_be_decoded_says_why_in_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(video_job(dir.path(), 1, true));
    h.get_by_label("Extend");
    h.get_by_label("Play").click();
    step_until(&mut h, "the reason shows", |h| {
        h.query_by_label_contains("This clip cannot be played: not an MP4 file").is_some()
    });
}

#[test]
fn clips_with_no_size_from_the_gateway_take_their_posters_shape() {
    let dir = tempfile::tempdir().unwrap();
    let job = video_job(dir.path(), 2, false);
    assert_eq!((job.width, job.height), (None, None));
    let mut h = harness(job.clone());
    let aspect = |h: &Harness<'static, S>| crate::app::panels::clips::clip_aspect(&h.ctx, &job);
    // 64 x 32 clips: 2:1 once the poster is loaded (16:9 before)
    step_until(&mut h, "the poster's shape", |h| aspect(h).is_some_and(|a| (a - 2.0).abs() < 0.01));
    let mut sized = job.clone();
    (sized.width, sized.height) = (Some(300), Some(400));
    assert_eq!(crate::app::panels::clips::clip_aspect(&h.ctx, &sized), Some(0.75), "the gateway's size first");
    let mut lost = job.clone();
    lost.images[0].local_path = Some(dir.path().join("gone.mp4"));
    step_until(&mut h, "a missing poster's answer", |h| {
        crate::app::panels::clips::clip_aspect(&h.ctx, &lost) == Some(16.0 / 9.0)
    });
}
