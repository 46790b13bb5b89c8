use super::*;
use crate::app::command::UiCommand;
use crate::job::{Job, JobRequest, JobStatus, Provider, SubmitOptions};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The palette's state, its entries, and what was run.
type S = (Palette, Vec<Entry>, Vec<Run>);

fn grid() -> Job {
    let mut job =
        Job::new(Provider::Ttapi, "http://x", JobRequest::Imagine { prompt: "a fox".into() }, SubmitOptions::default());
    job.status = JobStatus::Succeeded;
    job.actions = ["upsample1", "upsample2", "variation1", "reroll"].map(String::from).to_vec();
    job
}

fn harness(canvas_open: bool) -> Harness<'static, S> {
    let job = grid();
    let list = entries(&Context { job: Some(&job), imagine_blocked: None, canvas_open, ..Default::default() });
    Harness::builder().with_size(egui::vec2(800.0, 700.0)).build_ui_state(
        |ui, (palette, list, ran): &mut S| {
            keys(ui.ctx(), palette);
            ran.extend(palette_window(ui.ctx(), palette, list));
            shortcuts_window(ui.ctx(), &mut palette.shortcuts_open);
            // a text field elsewhere in the window
            let mut other = String::new();
            let l = ui.label("Elsewhere");
            ui.text_edit_singleline(&mut other).labelled_by(l.id);
        },
        (Palette::default(), list, Vec::new()),
    )
}

fn open(h: &mut Harness<'static, S>) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::K);
    h.run();
    assert!(h.query_by_label("Search commands").is_some(), "the palette opened");
}

fn u2() -> Run {
    Run::Command(UiCommand::Action { job_id: String::new(), action: "upsample2".into() })
}

fn without_id(run: &Run) -> Run {
    match run {
        Run::Command(UiCommand::Action { action, .. }) => {
            Run::Command(UiCommand::Action { job_id: String::new(), action: action.clone() })
        }
        other => other.clone(),
    }
}

#[test]
fn ctrl_k_opens_it_with_the_keyboard_in_the_search_box_and_enter_runs_the_match() {
    let mut h = harness(false);
    h.run();
    assert!(h.query_by_label("Search commands").is_none());
    open(&mut h);
    assert!(h.get_by_label("Search commands").is_focused());
    h.get_by_label("Search commands").type_text("u2");
    h.run();
    assert!(h.query_by_label("U1").is_none(), "only what matches is listed");
    h.get_by_label("U2");
    h.key_press(Key::Enter);
    h.run();
    let ran: Vec<_> = h.state().2.iter().map(without_id).collect();
    assert_eq!(ran, [u2()]);
    assert!(h.query_by_label("Search commands").is_none(), "running closes it");
}

#[test]
fn ctrl_k_opens_it_from_a_text_field_too_and_escape_closes_it() {
    let mut h = harness(false);
    h.get_by_label("Elsewhere").focus();
    h.run();
    open(&mut h);
    h.key_press(Key::Escape);
    h.run();
    assert!(h.query_by_label("Search commands").is_none());
    assert!(h.state().2.is_empty(), "nothing ran");
}

#[test]
fn up_and_down_move_the_highlight_and_a_click_runs_an_entry() {
    let mut h = harness(false);
    open(&mut h);
    h.get_by_label("Search commands").type_text("u");
    h.run();
    let selected = |h: &Harness<'static, S>, label: &str| {
        h.get_by_label(label).accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
    };
    let first = search(&h.state().1, "u").first().map(|e| e.label.clone()).unwrap();
    let second = search(&h.state().1, "u")[1].label.clone();
    assert!(selected(&h, &first));
    h.key_press(Key::ArrowDown);
    h.run();
    assert!(selected(&h, &second));
    assert!(!selected(&h, &first));
    h.key_press(Key::ArrowUp);
    h.run();
    assert!(selected(&h, &first));
    h.get_by_label("U1").click();
    h.run();
    assert!(matches!(&h.state().2[..], [Run::Command(UiCommand::Action { action, .. })] if action == "upsample1"));
}

#[test]
fn an_entry_that_cannot_run_is_greyed_and_enter_does_nothing() {
    let mut h = harness(false);
    h.state_mut().1 = entries(&Context { imagine_blocked: Some("the prompt is empty"), ..Default::default() });
    open(&mut h);
    h.get_by_label("Search commands").type_text("imagine");
    h.run();
    assert!(h.get_by_label("Imagine").accesskit_node().is_disabled());
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().2.is_empty());
}

#[test]
fn the_canvas_tools_show_their_keys_in_the_palette() {
    let mut h = harness(true);
    open(&mut h);
    h.get_by_label("Search commands").type_text("lasso");
    h.run();
    h.get_by_label("Lasso");
    h.get_by_label("L");
}

#[test]
fn question_mark_shows_every_shortcut_but_not_while_typing() {
    let mut h = harness(false);
    h.get_by_label("Elsewhere").focus();
    h.run();
    h.get_by_label("Elsewhere").type_text("?");
    h.run();
    assert!(h.query_by_label("Keyboard shortcuts").is_none(), "a ? typed in a field is text");
    h.key_press(Key::Escape);
    h.run();
    h.key_press(Key::Questionmark);
    h.run();
    assert!(h.query_all_by_label("Keyboard shortcuts").next().is_some(), "the window, and its own key in it");
    for (label, key) in
        [("Command palette", "Ctrl+K"), ("Imagine", "Ctrl+Enter"), ("Brush", "B"), ("Redo", "Ctrl+Shift+Z")]
    {
        h.get_by_label(label);
        h.get_by_label(key);
    }
    h.key_press(Key::Escape);
    h.run();
    assert!(h.query_by_label("Command palette").is_none(), "Escape closes it");
}
