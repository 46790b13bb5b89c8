//! A result dragged from the job view onto the prompt becomes a style reference there, as a
//! designer does it: Imagine, drag the first picture onto the prompt box, choose
//! `Style reference (--sref)`.

use egui_kittest::kittest::Queryable;
use mjdesk::job::Provider;

use super::{Fixture, quick_sim, step_until, type_into};

#[test]
fn a_result_dropped_on_the_prompt_is_added_as_the_reference_the_designer_picks() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);
    type_into(&mut harness, "Prompt", "a paper crane");
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "the grid's U1 button", |h| h.query_all_by_label("U1").next().is_some());
    // the grid's pictures have their images once downloaded; wait for a still window
    for _ in 0..20 {
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    let u1 = harness.get_by_label("U1").rect();
    let from = egui::pos2(u1.left() + 30.0, u1.top() - 40.0);
    let to = harness.get_by_label("Prompt").rect().center();
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    for i in 1..=10 {
        harness.hover_at(from + (to - from) * (i as f32 / 10.0));
        harness.step();
    }
    harness.drop_at(to);
    harness.step();
    harness.step();
    harness.get_by_label("Style reference (--sref)").click();
    harness.step();
    harness.step();
    let text = harness.get_by_label("Prompt").value().unwrap_or_default();
    assert!(text.starts_with("a paper crane --sref http://127.0.0.1:"), "{text}");
    assert!(harness.query_by_label("Image prompt").is_none(), "the choice is made once");
}
