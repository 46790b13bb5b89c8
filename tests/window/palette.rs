//! The command palette and `Edit prompt` in the whole window against the simulator, driven
//! by accessible names: Imagine, Ctrl+K, type "u2", Enter, and the upscale runs as a child of
//! the grid; then `Edit prompt` on the grid puts its prompt and its mode back in the box.

use egui_kittest::kittest::{NodeT, Queryable};
use mjdesk::job::Provider;

use super::{Fixture, finished_child, quick_sim, step_until, type_into};

#[test]
fn ctrl_k_u2_enter_upscales_and_edit_prompt_puts_the_prompt_back() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);

    let prompt = "a cabin by a lake --ar 3:2";
    type_into(&mut harness, "Prompt", prompt);
    harness.get_by_label("Relax").click();
    harness.step();
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "the grid's U2 button", |h| h.query_all_by_label("U2").next().is_some());

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    step_until(&mut harness, "the command palette", |h| h.query_by_label("Search commands").is_some());
    harness.get_by_label("Search commands").type_text("u2");
    harness.step();
    harness.key_press(egui::Key::Enter);
    let row = format!("U2 · {prompt}");
    step_until(&mut harness, "the upscale in the list", |h| h.query_all_by_label(&row).next().is_some());
    assert!(harness.query_by_label("Search commands").is_none(), "the palette closed");
    let (grid, child) = finished_child(&mut harness, f.home(), "the upscale");
    assert_eq!(child.parent_id.as_deref(), Some(grid.id.as_str()));
    match &child.kind {
        mjdesk::job::JobKind::Action { action, .. } => assert_eq!(action, "upsample2"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.stats().submits, 2, "U2 went once");

    // Something else in the box, in another mode; then the grid's prompt back.
    harness.get_by_label("Prompt").focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.step();
    type_into(&mut harness, "Prompt", "a lighthouse");
    harness.get_by_label("Fast").click();
    harness.step();
    assert_eq!(harness.get_by_label("Prompt").value().as_deref(), Some("a lighthouse"));
    harness.get_by_label("Edit prompt").click();
    step_until(&mut harness, "the grid's prompt in the box", |h| {
        h.get_by_label("Prompt").value().as_deref() == Some(prompt)
    });
    let on = |label: &str| harness.get_by_label(label).accesskit_node().toggled();
    assert_eq!(on("Relax"), Some(egui::accesskit::Toggled::True), "the grid's mode");
    assert_eq!(on("Fast"), Some(egui::accesskit::Toggled::False));
    assert_eq!(server.stats().submits, 2, "nothing more was sent");
}
