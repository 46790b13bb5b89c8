//! The whole window, video: Imagine, U1, open the upscale, `Animate` -> `High` -> `Submit`,
//! open the video, `Play` it (the clip plays: `Pause` appears and its frames move), then
//! `Extend 1`.

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use mjdesk::job::{JobKind, JobStatus, Motion, Provider};
use mjdesk::store::Store;

use super::{Fixture, quick_sim, step_until, type_into};

#[test]
fn imagine_u1_animate_high_submit_plays_the_clip_then_extend_1() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut h = f.window(&server, Provider::Ttapi);
    // An upscale's `⬅ Pan` has a glyph the test harness's fonts lack (the desktop's have it).
    h.ctx.set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);

    type_into(&mut h, "Prompt", "a harbour at dusk");
    h.get_by_label("Imagine").click();
    step_until(&mut h, "the grid's U1", |h| h.query_all_by_label("U1").next().is_some());
    h.get_by_label("U1").click();
    step_until(&mut h, "the upscale in the list", |h| h.query_by_label("U1 · a harbour at dusk").is_some());
    h.get_by_label("U1 · a harbour at dusk").click();
    // The upscale on show (a single image's Vary (Region)), not the grid, which has Animate too.
    step_until(&mut h, "the upscale's view", |h| {
        h.query_by_label("Vary (Region)").is_some() && h.query_by_label("Animate").is_some()
    });

    h.get_by_label("Animate").click();
    step_until(&mut h, "the Animate form", |h| h.query_by_label("High").is_some());
    h.get_by_label("High").click();
    h.step();
    h.get_by_label("Submit").click();
    step_until(&mut h, "the video in the list", |h| h.query_by_label("animate · a harbour at dusk").is_some());
    h.get_by_label("animate · a harbour at dusk").click();
    step_until(&mut h, "the clips to arrive", |h| h.query_all_by_label("Play").count() == 4);

    let store = Store::open(&f.home().join("data")).unwrap();
    let video = store.jobs_page(0, 10).unwrap().into_iter().find(|j| j.kind.is_video()).expect("the video job");
    assert_eq!(video.status, JobStatus::Succeeded);
    let crate_request = video.request.as_ref();
    assert!(matches!(crate_request, mjdesk::job::JobRequest::Animate { video, .. } if video.motion == Motion::High));
    let upscale = store.get_job(video.parent_id.as_deref().unwrap()).unwrap().unwrap();
    assert!(matches!(upscale.kind, JobKind::Action { .. }), "the video's parent is the upscale");

    h.get_all_by_label("Play").next().unwrap().click();
    step_until(&mut h, "the clip to play", |h| h.query_by_label("Pause").is_some());
    // It keeps playing on its own: frames advance without input.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(300) {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(h.query_by_label("Pause").is_some(), "still playing");
    h.get_by_label("Clip 1 position");

    h.get_by_label("Extend 1").click();
    step_until(&mut h, "the extend to be sent", |_| server.stats().submits == 4);
    step_until(&mut h, "the extend in the list", |h| h.query_by_label("extend · a harbour at dusk").is_some());
    let extend = store.jobs_page(0, 10).unwrap().into_iter().find(|j| j.kind.label() == "extend").unwrap();
    assert_eq!(extend.parent_id.as_deref(), Some(video.id.as_str()), "an extend's parent is the video");
    h.get_by_label("Pause").click();
    h.step();
}

/// Imagine, U1, open the upscale, `Animate`, `Paste end frame` (refused in one line), `From
/// history` -> the grid's image 2, `Submit`: the video's request ends on that image's link.
#[test]
fn an_end_frame_chosen_from_history_is_the_grids_image_the_video_ends_on() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut h = f.window(&server, Provider::Ttapi);
    h.ctx.set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);

    type_into(&mut h, "Prompt", "a lighthouse at noon");
    h.get_by_label("Imagine").click();
    step_until(&mut h, "the grid's U1", |h| h.query_all_by_label("U1").next().is_some());
    h.get_by_label("U1").click();
    step_until(&mut h, "the upscale in the list", |h| h.query_by_label("U1 · a lighthouse at noon").is_some());
    h.get_by_label("U1 · a lighthouse at noon").click();
    step_until(&mut h, "the upscale's view", |h| {
        h.query_by_label("Vary (Region)").is_some() && h.query_by_label("Animate").is_some()
    });
    let store = Store::open(&f.home().join("data")).unwrap();
    let grid = store.jobs_page(0, 10).unwrap().into_iter().find(|j| j.kind.label() == "imagine").expect("the grid");

    h.get_by_label("Animate").click();
    step_until(&mut h, "the Animate form", |h| h.query_by_label("From history").is_some());
    // Ctrl+V with an image while the form is open: it is the end frame's (TTAPI takes links
    // only, so it is refused there in one line), not an edit in the mask canvas.
    let pasted = egui::ColorImage::new([8, 8], vec![egui::Color32::RED; 64]);
    h.input_mut().events.push(egui::Event::PasteImage(std::sync::Arc::new(pasted)));
    step_until(&mut h, "the pasted image refused beside the end frame", |h| {
        h.query_by_label_contains("TTAPI's video").is_some()
    });
    assert!(h.query_by_label("Mask canvas").is_none(), "no edit was opened");
    // A paste goes through the clipboard off the UI thread; here there is no image on it (or
    // no clipboard), and had there been one, TTAPI takes links only: either way one line.
    h.get_by_label("Paste end frame").click();
    let refused = |h: &egui_kittest::Harness<'_, mjdesk::app::MjdeskApp>| {
        h.query_by_label_contains("the clipboard").is_some() || h.query_by_label_contains("TTAPI's video").is_some()
    };
    step_until(&mut h, "the paste refused beside the field", refused);
    assert_eq!(h.get_by_label("End frame").value().as_deref(), Some(""));
    h.get_by_label("From history").click();
    let entry = format!("image 2 of {}", mjdesk::job::short_id(&grid.id));
    step_until(&mut h, "the history menu", |h| h.query_by_label(&entry).is_some());
    h.get_by_label(&entry).click();
    let typed = format!("{}:2", grid.id);
    step_until(&mut h, "the end frame filled", |h| {
        h.get_by_label("End frame").value().as_deref() == Some(typed.as_str())
    });
    assert!(!refused(&h), "a choice clears the refusal");
    h.get_by_label("Submit").click();
    step_until(&mut h, "the video in the list", |h| h.query_by_label("animate · a lighthouse at noon").is_some());

    let video = store.jobs_page(0, 10).unwrap().into_iter().find(|j| j.kind.is_video()).expect("the video job");
    let mjdesk::job::JobRequest::Animate { end, .. } = video.request.as_ref() else { panic!("not an animate") };
    assert_eq!(end, &Some(mjdesk::job::ImageInput::Url(grid.result_images()[1].url.clone())));
}
