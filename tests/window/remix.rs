//! Remix from the window on Vtrix against the simulator: Imagine, `Remix`, pick image 2 and
//! `Subtle`, change the prompt, `Submit remix`; the remix runs as a child of the grid with
//! what the form showed.

use egui_kittest::kittest::Queryable;
use mjdesk::job::{JobRequest, Provider};

use egui_kittest::Harness;
use mjdesk::app::MjdeskApp;

use super::{Fixture, finished_child, quick_sim, step_until, type_into};

#[test]
fn a_remix_from_the_job_view_sends_the_image_mode_and_prompt_and_runs_as_a_child() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Vtrix);
    type_into(&mut harness, "Prompt", "a glass teapot");
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "Remix to be offered", |h| h.query_by_label("Remix").is_some());
    harness.get_by_label("Remix").click();
    harness.step();
    harness.step(); // the grid shrinks to make room for the form
    press(&mut harness, "2");
    press(&mut harness, "Subtle");
    type_into(&mut harness, "Remix prompt", " on a windowsill");
    press(&mut harness, "Submit remix");
    let (grid, child) = finished_child(&mut harness, f.home(), "the remix");
    assert_eq!(child.parent_id.as_deref(), Some(grid.id.as_str()));
    match &*child.request {
        JobRequest::Remix { parent, prompt, strong } => {
            assert_eq!(parent.image_index, Some(1), "the second image");
            assert_eq!(prompt, "a glass teapot on a windowsill");
            assert!(!strong, "subtle");
        }
        other => panic!("{other:?}"),
    }
}

/// Moves to the control first, as a hand does, so the tooltip `Remix` left over the form's
/// first row is gone before the press.
fn press(harness: &mut Harness<'_, MjdeskApp>, label: &str) {
    let at = harness.get_by_label(label).rect().center();
    harness.hover_at(at);
    harness.step();
    harness.get_by_label(label).click();
    harness.step();
}
