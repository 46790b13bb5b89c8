use std::sync::Arc;

use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::*;
use crate::app::editors::testing::{self, image};
use crate::job::SubmitOptions;
use crate::mask::MaskError;
use crate::store::Store;

type S = testing::Events<RegionEditor>;

fn harness(editor: RegionEditor) -> Harness<'static, S> {
    testing::harness(editor, RegionEditor::ui)
}

fn screen(h: &Harness<'_, S>, x: f64, y: f64) -> Pos2 {
    let v = h.state().0.canvas().and_then(MaskCanvas::view).expect("the canvas was shown");
    let (sx, sy) = v.to_screen((x, y));
    Pos2::new(sx as f32, sy as f32)
}

fn drag(h: &mut Harness<'_, S>, a: (f64, f64), b: (f64, f64)) {
    let start = screen(h, a.0, a.1);
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for i in 1..=10 {
        let t = f64::from(i) / 10.0;
        h.hover_at(screen(h, a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t));
        h.step();
    }
    h.drop_at(screen(h, b.0, b.1));
    h.run();
}

fn submit_is_disabled(h: &Harness<'_, S>) -> bool {
    h.get_by_label("Submit").accesskit_node().is_disabled()
}

#[test]
fn painting_then_submit_sends_an_inpaint_of_the_parent_with_the_painted_mask() {
    let editor = RegionEditor::with_image(Flow::Region { parent: "job-1".into() }, image(), None);
    let mut h = harness(editor);
    for name in ["Mask canvas", "Brush", "Eraser", "Rectangle", "Lasso", "Magic wand", "Undo", "Redo", "Invert"] {
        h.get_by_label(name);
    }
    h.get_by_label("Clear");
    assert!(submit_is_disabled(&h), "nothing painted yet");
    h.get_by_label(&MaskError::Empty.to_string());

    drag(&mut h, (30.0, 50.0), (120.0, 50.0));
    assert!(!submit_is_disabled(&h), "a painted area can be sent");
    assert!(h.query_by_label(&MaskError::Empty.to_string()).is_none(), "the reason went with the cause");
    h.get_by_label("Region prompt").click();
    h.run();
    h.get_by_label("Region prompt").type_text("a red boat");
    h.run();
    h.get_by_label("Submit").click();
    h.run();

    let painted = h.state().0.canvas().unwrap().mask().clone();
    assert!(painted.get(75, 50) && !painted.get(75, 10) && !painted.get(150, 50), "{painted:?}");
    match h.state().1.as_slice() {
        [EditorEvent::Submit(Intent::Inpaint { parent, mask: MaskSource::Painted(mask), prompt })] => {
            assert_eq!(parent, "job-1");
            assert_eq!(mask, &painted, "the mask sent is the one painted");
            assert_eq!(prompt.as_deref(), Some("a red boat"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_mask_over_the_whole_image_is_not_sent_and_a_refusal_shows_by_submit() {
    let editor = RegionEditor::with_image(Flow::Region { parent: "job-1".into() }, image(), None);
    let mut h = harness(editor);
    h.get_by_label("Invert").click();
    h.run();
    assert!(submit_is_disabled(&h));
    h.get_by_label(&MaskError::Full.to_string());
    h.get_by_label("Undo").click();
    h.run();
    assert!(submit_is_disabled(&h), "empty again");

    h.get_by_label("Rectangle").click();
    h.run();
    drag(&mut h, (10.0, 10.0), (40.0, 30.0));
    assert!(!submit_is_disabled(&h));
    h.get_by_label("Submit").click();
    h.run();
    assert_eq!(h.state().1.len(), 1);
    h.state_mut().0.submission.sent(7);
    h.run();
    assert!(submit_is_disabled(&h), "not sent twice while waiting");
    assert_eq!(h.state().0.submission.pending(), Some(7));
    h.state_mut().0.submission.refused("job abc has no gateway id yet");
    h.run();
    h.get_by_label("job abc has no gateway id yet");
    assert!(!submit_is_disabled(&h), "after a refusal it can be sent again");
}

#[test]
fn an_edit_needs_a_prompt_and_sends_the_image_with_the_mask() {
    let flow = Flow::Edit { image: ImageSource::File("/tmp/photo.png".into()), retexture: false };
    let mut h = harness(RegionEditor::with_image(flow, image(), None));
    h.get_by_label("Rectangle").click();
    h.run();
    drag(&mut h, (100.0, 20.0), (150.0, 80.0));
    assert!(submit_is_disabled(&h));
    h.get_by_label(&Blocked::NoPrompt.to_string());
    h.get_by_label("Retexture").click();
    h.run();
    h.get_by_label("Region prompt").click();
    h.run();
    h.get_by_label("Region prompt").type_text("brushed steel");
    h.run();
    h.get_by_label("Submit").click();
    h.run();
    match h.state().1.as_slice() {
        [EditorEvent::Submit(Intent::Edit { image, mask: Some(MaskSource::Painted(mask)), prompt, retexture })] => {
            assert_eq!(image, &ImageSource::File("/tmp/photo.png".into()));
            assert_eq!(mask.count(), 50 * 60);
            assert_eq!(prompt, "brushed steel");
            assert!(*retexture);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_image_loads_in_the_background_with_the_earlier_mask() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("up.png");
    std::fs::write(&path, crate::imageio::encode_png(&image())).unwrap();
    let mut earlier = Mask::new(200, 100);
    earlier.fill_rect(5, 5, 25, 25, true);
    let (tx, rx) = channel();
    let repaint: Repaint = Arc::new(move || {
        let _ = tx.send(());
    });
    let mut editor = RegionEditor::open(
        Flow::Region { parent: "p".into() },
        Source::Path(path),
        Some(earlier.clone()),
        None,
        None,
        repaint,
    );
    assert_eq!(editor.intent(), Err(Blocked::Loading));
    rx.recv_timeout(std::time::Duration::from_secs(20)).expect("a repaint once loaded");
    assert!(editor.poll());
    assert_eq!(editor.canvas().map(MaskCanvas::mask), Some(&earlier));
    assert!(matches!(editor.intent(), Ok(Intent::Inpaint { .. })));

    let (tx, rx) = channel();
    let repaint: Repaint = Arc::new(move || {
        let _ = tx.send(());
    });
    let missing = dir.path().join("gone.png");
    let mut editor =
        RegionEditor::open(Flow::Region { parent: "p".into() }, Source::Path(missing), None, None, None, repaint);
    rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
    editor.poll();
    assert!(matches!(editor.intent(), Err(Blocked::NoImage(why)) if why.contains("gone.png")));
}

#[test]
fn edit_mask_again_reopens_the_same_flow_with_the_mask_it_was_sent_with() {
    let mut mask = Mask::new(8, 8);
    mask.set(2, 3, true);
    let parent = crate::job::ParentRef::job("gw");
    let req = JobRequest::Inpaint { parent, mask: mask.clone(), prompt: None };
    let mut job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
    assert!(edit_again(&job).is_none(), "no parent known: no image to paint on");
    job.parent_id = Some("parent-1".into());
    let (flow, source, again) = edit_again(&job).unwrap();
    assert_eq!(flow, Flow::Region { parent: "parent-1".into() });
    assert!(matches!(source, Source::JobImage { job_id } if job_id == "parent-1"));
    assert_eq!(again, mask);
    assert_eq!(job.request.sent_mask(), Some(&mask));
    job.prompt = Some("the parent's prompt --ar 3:2".into());
    assert_eq!(job.request.sent_prompt(), None, "the region's own prompt, not the one it is shown with");

    let image = crate::job::ImageInput::Bytes { bytes: vec![1, 2, 3], mime: "image/png".into() };
    let req = JobRequest::Edit { image, mask: Some(mask.clone()), prompt: "p".into(), retexture: true };
    let job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
    assert_eq!(job.request.sent_prompt(), Some("p"));
    let (flow, source, _) = edit_again(&job).unwrap();
    assert!(
        matches!(flow, Flow::Edit { image: ImageSource::Bytes { ref bytes, .. }, retexture: true } if bytes == &[1, 2, 3])
    );
    assert!(matches!(source, Source::Bytes(b) if b == [1, 2, 3]));
    let imagine =
        Job::new(Provider::Ttapi, "http://x", JobRequest::Imagine { prompt: "p".into() }, SubmitOptions::default());
    assert!(edit_again(&imagine).is_none() && imagine.request.sent_mask().is_none());
}

#[test]
fn escape_closes_at_once_when_nothing_is_painted_and_asks_first_over_painting() {
    let mut h = harness(RegionEditor::with_image(Flow::Region { parent: "job-1".into() }, image(), None));
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(h.state().1, vec![EditorEvent::Close], "nothing painted: Escape closes");

    let mut h = harness(RegionEditor::with_image(Flow::Region { parent: "job-1".into() }, image(), None));
    drag(&mut h, (20.0, 50.0), (120.0, 50.0));
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().1.is_empty(), "the first Escape over painting only asks");
    h.get_by_label("Press Escape again to close and discard the painted mask");
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(h.state().1, vec![EditorEvent::Close]);
}

#[test]
fn escape_in_the_prompt_box_leaves_the_box_not_the_editor() {
    let mut h = harness(RegionEditor::with_image(Flow::Region { parent: "job-1".into() }, image(), None));
    h.get_by_label("Region prompt").click();
    h.run();
    assert!(h.get_by_label("Region prompt").is_focused(), "the click put the cursor in the box");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().1.is_empty(), "Escape only left the text box");
}

#[test]
fn the_canvas_shows_as_sent_what_the_flow_sends_on_its_gateway() {
    let edit = Flow::Edit { image: ImageSource::Url("https://x.example/a.png".into()), retexture: false };
    let region = Flow::Region { parent: "job-1".into() };
    assert_eq!(sent_as(&edit, Some(Provider::Ttapi)), SentAs::TransparentImage);
    assert_eq!(sent_as(&edit, Some(Provider::Acedata)), SentAs::BlackWhite);
    assert_eq!(sent_as(&region, Some(Provider::Ttapi)), SentAs::BlackWhite);
    assert_eq!(sent_as(&edit, None), SentAs::BlackWhite);

    // the window's gateway counts when the editor has no parent's
    let mut editor = RegionEditor::with_image(edit, image(), None);
    editor.window_provider = Some(Provider::Ttapi);
    let mut h = harness(editor);
    assert_eq!(h.state().0.canvas().map(|c| c.sent_as), Some(SentAs::TransparentImage));
    // a parent's gateway wins over the window's
    h.state_mut().0.send_to =
        Some(SendTo { provider: Provider::Acedata, endpoint: "https://a.example".into(), options: Default::default() });
    h.run();
    assert_eq!(h.state().0.canvas().map(|c| c.sent_as), Some(SentAs::BlackWhite));
}

/// An editor over `image()` keeping its drafts as `region:job-1` in the store at `dir`.
fn keeping_drafts(dir: &std::path::Path) -> RegionEditor {
    let store = Store::open(dir).unwrap();
    let editor = RegionEditor::with_image(Flow::Region { parent: "job-1".into() }, image(), None);
    editor.keep_drafts(Some(DraftKey::region("job-1")), store)
}

/// Steps `h` (real time passes: the draft is written on another thread) until `done`.
fn step_until(h: &mut Harness<'static, S>, what: &str, done: impl Fn(&Harness<'static, S>) -> bool) {
    let start = std::time::Instant::now();
    while !done(h) {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "gave up waiting for {what}");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_painted_mask_is_kept_and_restored_when_the_editor_opens_again_and_submit_sends_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(keeping_drafts(dir.path()));
    drag(&mut h, (20.0, 50.0), (120.0, 50.0));
    let painted = h.state().0.canvas().unwrap().mask().clone();
    assert!(painted.count() > 0);
    step_until(&mut h, "the draft to be kept", |h| {
        matches!(h.state().0.draft_status(), Some(DraftStatus::Saved { .. }))
    });
    h.step();
    h.get_by_label("draft kept: it survives a crash");
    drop(h);

    // as after a restart: a new store handle, a new editor on the same job and flow
    let mut h = harness(keeping_drafts(dir.path()));
    step_until(&mut h, "the draft to come back", |h| h.state().0.canvas().is_some_and(|c| c.mask() == &painted));
    h.step();
    h.get_by_label_contains("Restored the mask you were painting");
    h.get_by_label("Submit").click();
    h.run();
    match h.state().1.as_slice() {
        [EditorEvent::Submit(Intent::Inpaint { mask: MaskSource::Painted(mask), .. })] => assert_eq!(mask, &painted),
        other => panic!("{other:?}"),
    }

    // Discard draft clears it, and nothing comes back next time
    h.get_by_label("Discard draft").click();
    h.run();
    assert_eq!(h.state().0.canvas().unwrap().mask().count(), 0);
    step_until(&mut h, "the discard to be written", |h| h.state().0.draft.as_ref().is_some_and(DraftKeeper::is_idle));
    drop(h);
    let h = harness(keeping_drafts(dir.path()));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut h = h;
    h.run();
    assert_eq!(h.state().0.canvas().unwrap().mask().count(), 0, "a discarded draft is gone");
    assert!(h.query_by_label_contains("Restored").is_none());
}
