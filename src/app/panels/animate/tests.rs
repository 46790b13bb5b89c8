//! The `Animate` form's end frame: picked, pasted, chosen from history, typed; refusals beside
//! the field.

use std::path::PathBuf;

use super::end_frame::{self, TTAPI_NEEDS_LINK};
use crate::app::command::{PickFor, UiCommand};
use crate::app::panels::job_view::{JobView, job_view_ui};
use crate::app::state::AppState;
use crate::intent::{FrameSource, ImageSource};
use crate::job::{Job, JobImage, JobRequest, JobStatus, Provider, SubmitOptions, VideoOptions, short_id};
use crate::store::JobSummary;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

type S = (AppState, Vec<UiCommand>, JobView);

/// Where the tests' images are on disk (the job view draws them).
fn pictures() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn finished(provider: Provider, request: JobRequest, images: usize) -> Job {
    let mut job = Job::new(provider, "http://x", request, SubmitOptions::default());
    job.status = JobStatus::Succeeded;
    let png = crate::imageio::encode_png(&image::RgbaImage::from_pixel(2, 2, image::Rgba([90, 120, 200, 255])));
    job.images = (0..images)
        .map(|i| {
            let path = pictures().join(format!("{}-{i}.png", job.id));
            std::fs::write(&path, &png).unwrap();
            JobImage { url: format!("http://x/cdn/{}-{i}.png", job.id), local_path: Some(path), error: None }
        })
        .collect();
    job
}

fn grid(provider: Provider) -> Job {
    finished(provider, JobRequest::Imagine { prompt: "a lighthouse on a cliff at dawn".into() }, 4)
}

fn upscale_of(parent: &Job, n: u8) -> Job {
    let request = JobRequest::Action { parent: crate::job::ParentRef::job("g"), action: format!("upsample{n}") };
    let mut job = finished(parent.provider, request, 1);
    job.parent_id = Some(parent.id.clone());
    job.prompt = parent.prompt.clone();
    job
}

/// The job view on `state`'s open job, with its `Animate` form open.
fn form(state: AppState) -> Harness<'static, S> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 800.0))
        .with_context_setup(egui_extras::install_image_loaders)
        .build_ui_state(
            |ui, (state, cmds, view): &mut S| job_view_ui(ui, view, state, cmds),
            (state, Vec::new(), JobView::default()),
        );
    h.run_steps(2);
    h.get_by_label("Animate").click();
    h.run_steps(2);
    h
}

fn submitted_end(h: &mut Harness<'static, S>) -> Option<FrameSource> {
    h.get_by_label("Submit").click();
    h.run_steps(2);
    match h.state().1.last() {
        Some(UiCommand::Animate { end, .. }) => end.clone(),
        other => panic!("no Animate sent: {other:?}"),
    }
}

#[test]
fn a_picked_file_fills_the_end_frame_by_name_and_is_sent_as_the_file() {
    let up = upscale_of(&grid(Provider::Acedata), 2);
    let mut h = form(AppState::new("sim".into(), 10, vec![up]));
    h.get_by_label("Pick end frame…").click();
    h.run_steps(2);
    assert_eq!(h.state().1.last(), Some(&UiCommand::PickImages { target: PickFor::EndFrame }));
    // What the dialog answers (through the window's intake) arrives for the form.
    let file = PathBuf::from("/home/me/frames/last frame.png");
    h.state_mut().2.end_frame = Some(Ok(ImageSource::File(file.clone())));
    h.run_steps(2);
    assert_eq!(h.get_by_label("End frame").value().as_deref(), Some("last frame.png"));
    assert!(h.state().2.end_frame.is_none(), "taken by the form");
    assert_eq!(submitted_end(&mut h), Some(FrameSource::Image(ImageSource::File(file))));
}

#[test]
fn a_pasted_image_is_the_end_frame_on_acedata_and_refused_beside_the_field_on_ttapi() {
    let pasted = || ImageSource::Bytes { bytes: vec![1, 2, 3], name: "pasted image".into() };
    let mut h = form(AppState::new("sim".into(), 10, vec![upscale_of(&grid(Provider::Acedata), 1)]));
    h.get_by_label("Paste end frame").click();
    h.run_steps(2);
    assert_eq!(h.state().1.last(), Some(&UiCommand::PasteImage { target: PickFor::EndFrame }));
    h.state_mut().2.end_frame = Some(Ok(pasted()));
    h.run_steps(2);
    assert_eq!(h.get_by_label("End frame").value().as_deref(), Some("pasted image"));
    assert_eq!(submitted_end(&mut h), Some(FrameSource::Image(pasted())));

    let mut h = form(AppState::new("sim".into(), 10, vec![upscale_of(&grid(Provider::Ttapi), 1)]));
    h.state_mut().2.end_frame = Some(Ok(pasted()));
    h.run_steps(2);
    h.get_by_label(TTAPI_NEEDS_LINK);
    assert_eq!(submitted_end(&mut h), None, "nothing of the paste is sent");
}

#[test]
fn a_paste_with_no_image_says_so_beside_the_field_and_keeps_what_was_there() {
    let mut h = form(AppState::new("sim".into(), 10, vec![upscale_of(&grid(Provider::Acedata), 1)]));
    h.get_by_label("End frame").click();
    h.run_steps(1);
    h.get_by_label("End frame").type_text("https://c/end.png");
    h.run_steps(2);
    h.get_by_label("Paste end frame").click();
    h.run_steps(2);
    let why = "the clipboard holds no image: the clipboard is empty";
    h.state_mut().2.end_frame = Some(Err(why.into()));
    h.run_steps(2);
    h.get_by_label(why);
    assert_eq!(h.get_by_label("End frame").value().as_deref(), Some("https://c/end.png"));
    // Typing again clears the refusal.
    h.get_by_label("End frame").click();
    h.run_steps(1);
    h.get_by_label("End frame").type_text("x");
    h.run_steps(2);
    assert!(h.query_by_label(why).is_none());
    assert_eq!(submitted_end(&mut h), Some(FrameSource::Typed("https://c/end.pngx".into())));
}

#[test]
fn from_history_lists_the_familys_finished_images_and_a_choice_fills_the_field() {
    let g = grid(Provider::Ttapi);
    let up = upscale_of(&g, 3);
    let mut running = upscale_of(&up, 1);
    running.status = JobStatus::Running { progress: 40 };
    let mut video = finished(
        Provider::Ttapi,
        JobRequest::Animate {
            image: crate::job::ImageInput::Url("http://x/a.png".into()),
            parent: None,
            end: None,
            video: VideoOptions::default(),
        },
        2,
    );
    video.parent_id = Some(up.id.clone());
    let mut child = finished(
        Provider::Ttapi,
        JobRequest::Imagine { prompt: "a far longer prompt about a lighthouse, its keeper and the sea".into() },
        1,
    );
    child.parent_id = Some(up.id.clone());
    // The list has read the upscale and its grid; the upscale is open.
    let mut state = AppState::new("sim".into(), 10, vec![up.clone(), g.clone()]);
    state.children = [&running, &video, &child].into_iter().map(JobSummary::of).collect();

    let labels: Vec<String> = end_frame::history(&up, &state).into_iter().map(|e| e.label).collect();
    let short = short_id(&g.id);
    assert_eq!(
        labels,
        [
            "U3 · a lighthouse on a cliff at dawn".to_owned(),
            format!("image 1 of {short}"),
            format!("image 2 of {short}"),
            format!("image 3 of {short}"),
            format!("image 4 of {short}"),
            "a far longer prompt about a lighthouse…".to_owned(),
        ],
        "the upscale itself, its grid's four, the finished image follow-up (not the running one, not the video)"
    );

    let mut h = form(state);
    h.get_by_label("From history").click();
    h.run_steps(2);
    h.get_by_label(&format!("image 2 of {short}")).click();
    h.run_steps(2);
    let typed = format!("{}:2", g.id);
    assert_eq!(h.get_by_label("End frame").value().as_deref(), Some(typed.as_str()));
    assert!(h.query_by_label(&format!("image 1 of {short}")).is_none(), "the menu closes");
    assert_eq!(submitted_end(&mut h), Some(FrameSource::Typed(typed)));
}

#[test]
fn from_history_offers_the_parent_read_with_the_follow_ups_when_the_list_has_not_read_it() {
    let g = grid(Provider::Ttapi);
    let up = upscale_of(&g, 2);
    // The list holds only the upscale (its grid is pages away).
    let mut state = AppState::new("sim".into(), 10, vec![up.clone()]);
    assert_eq!(end_frame::history(&up, &state).len(), 1, "the upscale alone");
    state.parent = Some(JobSummary::of(&g));
    let ids: Vec<String> = end_frame::history(&up, &state).into_iter().map(|e| e.job_id).collect();
    assert_eq!(ids, [up.id.clone(), g.id.clone(), g.id.clone(), g.id.clone(), g.id.clone()]);
    // a parent read for another job is not this one's
    let other = grid(Provider::Ttapi);
    state.parent = Some(JobSummary::of(&other));
    assert_eq!(end_frame::history(&up, &state).len(), 1);
}

#[test]
fn with_no_finished_image_in_the_family_from_history_is_disabled_and_loop_disables_the_end_frame() {
    let mut running = grid(Provider::Acedata);
    running.status = JobStatus::Running { progress: 10 };
    let up = upscale_of(&running, 1);
    // Only the upscale itself: one entry.
    let state = AppState::new("sim".into(), 10, vec![up.clone()]);
    assert_eq!(end_frame::history(&up, &state).len(), 1);
    let mut h = form(state);
    h.get_by_label("Loop").click();
    h.run_steps(2);
    for label in ["Pick end frame…", "Paste end frame", "From history", "End frame"] {
        assert!(h.get_by_label(label).accesskit_node().is_disabled(), "{label} is off while looping");
    }
}

#[test]
fn a_pick_that_answers_after_the_form_closed_is_dropped_not_kept_for_the_next_form() {
    let mut h = form(AppState::new("sim".into(), 10, vec![upscale_of(&grid(Provider::Acedata), 1)]));
    h.get_by_label("Pick end frame…").click();
    h.run_steps(2);
    h.get_by_label("Animate").click();
    h.run_steps(2);
    assert!(h.query_by_label("End frame").is_none(), "the form closed");
    h.state_mut().2.end_frame = Some(Ok(ImageSource::File("/tmp/late.png".into())));
    h.run_steps(2);
    assert!(h.state().2.end_frame.is_none());
    h.get_by_label("Animate").click();
    h.run_steps(2);
    assert_eq!(h.get_by_label("End frame").value().as_deref(), Some(""));
}
