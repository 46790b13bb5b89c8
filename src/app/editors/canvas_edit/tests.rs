use std::sync::Arc;

use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::*;
use crate::app::editors::placement::ImageRect;
use crate::app::editors::testing::{self, image};
use crate::job::{Canvas, JobImage, JobRequest, SubmitOptions};
use crate::mask::MaskError;
use std::sync::mpsc::channel;

type S = testing::Events<CanvasEditor>;

fn harness(panel: CanvasEditor) -> Harness<'static, S> {
    testing::harness(panel, CanvasEditor::ui)
}

/// Where canvas pixel `p` is on screen (the placement view), or image pixel `p` on the mask
/// canvas when it is shown.
fn at(h: &Harness<'_, S>, p: (f64, f64), mask: bool) -> Pos2 {
    let view = if mask { h.state().0.mask_canvas().and_then(MaskCanvas::view) } else { h.state().0.view() };
    let (x, y) = view.expect("the canvas was shown").to_screen(p);
    Pos2::new(x as f32, y as f32)
}

fn drag(h: &mut Harness<'_, S>, a: (f64, f64), b: (f64, f64), mask: bool) {
    let start = at(h, a, mask);
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for i in 1..=10 {
        let t = f64::from(i) / 10.0;
        h.hover_at(at(h, (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t), mask));
        h.step();
    }
    h.drop_at(at(h, b, mask));
    h.run();
}

fn submit_is_disabled(h: &Harness<'_, S>) -> bool {
    h.get_by_label("Submit").accesskit_node().is_disabled()
}

fn rect(h: &Harness<'_, S>) -> ImageRect {
    h.state().0.placement().unwrap().rect()
}

/// Types `value` into the number field `label` and presses Enter.
fn set_number(h: &mut Harness<'_, S>, label: &str, value: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.event(egui::Event::Text(value.to_owned()));
    h.key_press(egui::Key::Enter);
    h.run();
}

fn type_prompt(h: &mut Harness<'_, S>, text: &str) {
    h.get_by_label("Remix prompt").click();
    h.run();
    h.get_by_label("Remix prompt").type_text(text);
    h.run();
}

#[test]
fn a_preset_a_drag_and_a_corner_place_the_image_and_submit_sends_that_canvas() {
    let mut h = harness(CanvasEditor::with_image("job-1".into(), 2, image()));
    h.get_by_label("Placement canvas");
    assert!(submit_is_disabled(&h), "nothing would change yet");
    h.get_by_label(&Blocked::Unchanged.to_string());

    h.get_by_label("1:1").click();
    h.run();
    assert_eq!(h.state().0.placement().unwrap().canvas(), (200, 200), "a square canvas holding the image");
    assert_eq!(rect(&h), ImageRect { x: 0, y: 50, w: 200, h: 100 }, "centred at its own size");
    assert!(submit_is_disabled(&h));
    h.get_by_label(&Blocked::NoRemixPrompt.to_string());

    drag(&mut h, (100.0, 100.0), (100.0, 140.0), false);
    assert_eq!(rect(&h), ImageRect { x: 0, y: 90, w: 200, h: 100 }, "the image followed the pointer down 40 px");
    // the bottom right handle pulled in to half size; the top left corner stays
    drag(&mut h, (200.0, 190.0), (100.0, 140.0), false);
    assert_eq!(rect(&h), ImageRect { x: 0, y: 90, w: 100, h: 50 });

    type_prompt(&mut h, "a wide meadow");
    assert!(!submit_is_disabled(&h));
    h.get_by_label("Submit").click();
    h.run();
    match h.state().1.as_slice() {
        [EditorEvent::Submit(Intent::CanvasEdit { parent, index, canvas, mask, prompt })] => {
            assert_eq!((parent.as_str(), *index), ("job-1", 2));
            let want = Canvas { width: 200, height: 200, img_width: 100, img_height: 50, x: 0, y: 90 };
            assert_eq!(*canvas, Some(want));
            assert!(mask.is_none());
            assert_eq!(prompt, "a wide meadow");
        }
        other => panic!("{other:?}"),
    }
    h.state_mut().0.submission.sent(4);
    h.run();
    assert!(submit_is_disabled(&h), "not sent twice while waiting");
    h.state_mut().0.submission.refused("Vtrix said: invalid image number");
    h.run();
    h.get_by_label("Vtrix said: invalid image number");
    assert!(!submit_is_disabled(&h), "after a refusal it can be sent again");

    h.get_by_label("Fit image").click();
    h.run();
    assert_eq!(rect(&h), ImageRect { x: 0, y: 50, w: 200, h: 100 });
    h.get_by_label("Image's own").click();
    h.run();
    h.get_by_label(&Blocked::Unchanged.to_string());
}

#[test]
fn a_mask_in_use_must_be_painted_and_goes_with_the_canvas() {
    let mut h = harness(CanvasEditor::with_image("job-1".into(), 0, image()));
    type_prompt(&mut h, "glass windows");
    h.get_by_label("Use a mask").click();
    h.run();
    for name in ["Mask canvas", "Brush", "Rectangle", "Undo", "Invert", "Clear", "Place image", "Paint mask"] {
        h.get_by_label(name);
    }
    assert!(submit_is_disabled(&h));
    h.get_by_label(&MaskError::Empty.to_string());
    h.get_by_label("Invert").click();
    h.run();
    h.get_by_label(&MaskError::Full.to_string());
    h.get_by_label("Clear").click();
    h.run();
    h.get_by_label("Rectangle").click();
    h.run();
    drag(&mut h, (20.0, 10.0), (60.0, 40.0), true);
    assert!(!submit_is_disabled(&h), "an in-place edit of the painted part");
    h.get_by_label("Submit").click();
    h.run();
    match h.state().1.as_slice() {
        [EditorEvent::Submit(Intent::CanvasEdit { canvas, mask: Some(MaskSource::Painted(mask)), .. })] => {
            assert_eq!(*canvas, Some(Canvas { width: 200, height: 100, img_width: 200, img_height: 100, x: 0, y: 0 }));
            assert_eq!((mask.width(), mask.height()), (200, 100), "at the image's own size");
            assert_eq!(mask.count(), 40 * 30);
        }
        other => panic!("{other:?}"),
    }
    // back to placing: the placement canvas shows again, and without the mask nothing changes
    h.get_by_label("Place image").click();
    h.run();
    h.get_by_label("Placement canvas");
    h.get_by_label("Use a mask").click();
    h.run();
    h.get_by_label(&Blocked::Unchanged.to_string());
}

#[test]
fn escape_or_close_closes_the_panel_but_escape_first_leaves_a_text_box() {
    let mut h = harness(CanvasEditor::with_image("job-1".into(), 0, image()));
    h.get_by_label("1:1").click();
    h.run();
    type_prompt(&mut h, "sky");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().1.is_empty(), "the first Escape only left the prompt box");
    assert_eq!(h.state().0.prompt, "sky");
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(h.state().1, [EditorEvent::Close]);
    h.get_by_label("Close").click();
    h.run();
    assert_eq!(h.state().1.len(), 2);
}

#[test]
fn size_and_position_can_be_set_from_the_keyboard() {
    let mut h = harness(CanvasEditor::with_image("job-1".into(), 0, image()));
    h.get_by_label("1:1").click();
    h.run();
    assert_eq!(rect(&h), ImageRect { x: 0, y: 50, w: 200, h: 100 });
    assert!(h.query_all_by_label("Image size").next().is_some());
    set_number(&mut h, "Image y", "70");
    assert_eq!(rect(&h), ImageRect { x: 0, y: 70, w: 200, h: 100 });
    set_number(&mut h, "Image x", "500");
    assert_eq!(rect(&h).x, 150, "a quarter of the image stays on the canvas");
}

#[test]
fn the_image_loads_in_the_background_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("up.png");
    std::fs::write(&path, crate::imageio::encode_png(&image())).unwrap();
    let (tx, rx) = channel();
    let repaint: Repaint = Arc::new(move || {
        let _ = tx.send(());
    });
    let mut panel = CanvasEditor::open("p".into(), 1, path, None, repaint.clone());
    assert_eq!(panel.intent(), Err(Blocked::Loading));
    rx.recv_timeout(std::time::Duration::from_secs(20)).expect("a repaint once loaded");
    panel.poll();
    assert_eq!(panel.placement().map(Placement::image), Some((200, 100)));
    assert_eq!(panel.intent(), Err(Blocked::Unchanged));

    let mut panel = CanvasEditor::open("p".into(), 1, dir.path().join("gone.png"), None, repaint);
    rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
    panel.poll();
    assert!(matches!(panel.intent(), Err(Blocked::NoImage(why)) if why.contains("gone.png")));
}

#[test]
fn canvas_edit_is_offered_per_downloaded_image_of_a_finished_vtrix_job_only() {
    let mut job =
        Job::new(Provider::Vtrix, "http://x", JobRequest::Imagine { prompt: "p".into() }, SubmitOptions::default());
    job.gateway_id = Some("gw".into());
    job.status = JobStatus::Succeeded;
    job.images = (0..4)
        .map(|i| JobImage {
            url: format!("https://x/{i}.png"),
            local_path: (i != 3).then(|| format!("/tmp/{i}.png").into()),
            error: None,
        })
        .collect();
    let run = |job: Job| {
        let mut h = Harness::new_ui_state(
            |ui, (job, commands): &mut (Job, Vec<UiCommand>)| open_buttons_ui(ui, job, commands),
            (job, Vec::new()),
        );
        h.run();
        h
    };
    let mut h = run(job.clone());
    assert!(h.get_by_label("Canvas edit 4").accesskit_node().is_disabled(), "not downloaded yet");
    h.get_by_label("Canvas edit 3").click();
    h.run();
    assert!(
        matches!(h.state().1.as_slice(), [UiCommand::CanvasEdit { job_id, index: 2 }] if job_id == &h.state().0.id)
    );
    let mut single = job.clone();
    single.images.truncate(1);
    run(single).get_by_label("Canvas edit");
    let mut ttapi = job.clone();
    ttapi.provider = Provider::Ttapi;
    assert!(run(ttapi).query_by_label_contains("Canvas edit").is_none(), "a Vtrix flow only");
    let mut running = job;
    running.status = JobStatus::Running { progress: 40 };
    assert!(run(running).query_by_label_contains("Canvas edit").is_none());
}

#[test]
fn edit_mask_again_starts_from_the_canvas_mask_and_prompt_it_was_sent_with() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(dir.path()).unwrap();
    let path = dir.path().join("second.png");
    std::fs::write(&path, crate::imageio::encode_png(&image())).unwrap();
    let mut parent =
        Job::new(Provider::Vtrix, "http://x", JobRequest::Imagine { prompt: "a fox".into() }, SubmitOptions::default());
    parent.status = JobStatus::Succeeded;
    parent.images = (0..4)
        .map(|i| JobImage { url: format!("http://x/{i}.png"), local_path: (i == 1).then(|| path.clone()), error: None })
        .collect();
    store.insert_job(&parent).unwrap();
    store.save_job(&parent).unwrap();

    let mut mask = Mask::new(200, 100);
    mask.fill_rect(10, 10, 40, 30, true);
    let canvas = Canvas { width: 356, height: 200, img_width: 150, img_height: 75, x: -20, y: 60 };
    let parent_ref = crate::job::ParentRef { image_index: Some(1), ..crate::job::ParentRef::job("gw") };
    let req =
        JobRequest::CanvasEdit { parent: parent_ref, canvas, prompt: "a harbour".into(), mask: Some(mask.clone()) };
    let mut child = Job::new(Provider::Vtrix, "http://x", req, SubmitOptions::default());
    assert!(edit_again(&child).is_none(), "no parent known here");
    child.parent_id = Some(parent.id.clone());
    let (parent_id, index, sent) = edit_again(&child).unwrap();
    assert_eq!((parent_id.as_str(), index), (parent.id.as_str(), 1));

    let (tx, rx) = channel();
    let repaint: Repaint = Arc::new(move || {
        let _ = tx.send(());
    });
    let mut panel = CanvasEditor::again(parent_id, index, sent, store.clone(), None, repaint);
    assert_eq!(panel.intent(), Err(Blocked::Loading));
    rx.recv_timeout(std::time::Duration::from_secs(20)).expect("a repaint once loaded");
    panel.poll();
    assert_eq!(panel.mask_canvas().map(MaskCanvas::mask), Some(&mask));
    assert!(panel.use_mask);
    match panel.intent() {
        Ok(Intent::CanvasEdit { index: 1, canvas: Some(c), mask: Some(MaskSource::Painted(m)), prompt, .. }) => {
            assert_eq!((c, m, prompt.as_str()), (canvas, mask, "a harbour"));
        }
        other => panic!("not the same canvas edit again: {other:?}"),
    }

    // A stored mask of another size is refused in words, not trusted.
    let wrong = Sent { canvas, mask: Some(Mask::new(20, 20)), prompt: "x".into() };
    let (tx, rx) = channel();
    let repaint: Repaint = Arc::new(move || {
        let _ = tx.send(());
    });
    let mut panel = CanvasEditor::again(parent.id.clone(), 1, wrong, store, None, repaint);
    rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
    panel.poll();
    assert!(matches!(panel.intent(), Err(Blocked::NoImage(why)) if why.contains("200")), "{:?}", panel.intent());
}
