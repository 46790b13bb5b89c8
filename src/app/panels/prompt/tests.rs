use super::*;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

type S = (PromptForm, Vec<UiCommand>);

fn harness(state: PromptForm) -> Harness<'static, S> {
    Harness::new_ui_state(|ui, (state, cmds): &mut S| prompt_panel_ui(ui, state, cmds), (state, Vec::new()))
}

fn with_prompt(prompt: &str) -> PromptForm {
    PromptForm { text: prompt.into(), ..Default::default() }
}

#[test]
fn typing_and_clicking_imagine_sends_the_prompt() {
    let mut harness = harness(PromptForm::default());
    harness.get_by_label("Prompt").focus();
    harness.run();
    harness.get_by_label("Prompt").type_text("a red fox");
    harness.run();
    harness.get_by_label("Imagine").click();
    harness.run();
    let (state, cmds) = harness.state();
    assert_eq!(state.text, "a red fox");
    assert_eq!(cmds.last(), Some(&UiCommand::Imagine { prompt: "a red fox".into() }));
    assert_eq!(state.history.entries(), ["a red fox"]);
}

#[test]
fn ctrl_enter_submits_from_the_prompt_box() {
    let mut harness = harness(PromptForm::default());
    harness.get_by_label("Prompt").focus();
    harness.run();
    harness.get_by_label("Prompt").type_text("a lighthouse");
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run();
    let (state, cmds) = harness.state();
    assert_eq!(cmds.last(), Some(&UiCommand::Imagine { prompt: "a lighthouse".into() }));
    assert_eq!(state.text, "a lighthouse", "no stray newline left in the box");
}

#[test]
fn enter_submits_and_shift_enter_starts_a_new_line() {
    let mut harness = harness(PromptForm::default());
    harness.get_by_label("Prompt").focus();
    harness.run();
    harness.get_by_label("Prompt").type_text("a lighthouse");
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Enter);
    harness.run();
    harness.get_by_label("Prompt").type_text("at night");
    harness.run();
    assert!(harness.state().1.is_empty(), "Shift+Enter sent nothing: {:?}", harness.state().1);
    assert_eq!(harness.state().0.text, "a lighthouse\nat night");
    harness.key_press(egui::Key::Enter);
    harness.run();
    let (state, cmds) = harness.state();
    assert!(matches!(cmds.last(), Some(UiCommand::Imagine { .. })), "Enter sent the prompt: {cmds:?}");
    assert_eq!(state.text, "a lighthouse\nat night", "no newline added by the Enter that sent it");
}

#[test]
fn an_invalid_prompt_disables_imagine_shows_why_and_sends_nothing() {
    let mut harness = harness(with_prompt("a fox --ar wide"));
    harness.run();
    assert!(harness.get_by_label("Imagine").accesskit_node().is_disabled());
    harness.get_by_label("--ar: \"wide\" is not a ratio like 3:2");
    harness.get_by_label("Imagine").click();
    harness.run();
    harness.get_by_label("Prompt").focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run();
    assert!(harness.state().1.is_empty(), "nothing sent: {:?}", harness.state().1);
    // Fixing the text enables it again.
    harness.state_mut().0.text = "a fox --ar 21:9".into();
    harness.run();
    assert!(!harness.get_by_label("Imagine").accesskit_node().is_disabled());
    assert!(harness.query_by_label_contains("not a ratio").is_none());
}

#[test]
fn an_empty_or_overlong_prompt_disables_imagine() {
    let mut harness = harness(PromptForm::default());
    harness.run();
    assert!(harness.get_by_label("Imagine").accesskit_node().is_disabled());
    harness.state_mut().0.text = "a".repeat(MAX_PROMPT_CHARS + 1);
    harness.run();
    assert!(harness.get_by_label("Imagine").accesskit_node().is_disabled());
    harness.get_by_label_contains("at most 8192");
    harness.get_by_label("8193 / 8192");
}

#[test]
fn a_refusal_shows_next_to_the_prompt_and_clears_once_it_changes() {
    let mut state = with_prompt("a fox");
    state.refuse("a fox", "Banned prompt detected");
    let mut harness = harness(state);
    harness.run();
    harness.get_by_label("Refused: Banned prompt detected");
    harness.get_by_label("Prompt").focus();
    harness.run();
    harness.get_by_label("Prompt").type_text("!");
    harness.run();
    assert!(harness.query_by_label_contains("Refused").is_none());
}

#[test]
fn the_aspect_ratio_helper_writes_and_replaces_ar() {
    let mut harness = harness(with_prompt("a red fox"));
    harness.run();
    harness.get_by_label("Aspect ratio").click();
    harness.run();
    harness.get_by_label("3:2").click();
    harness.run();
    assert_eq!(harness.state().0.text, "a red fox --ar 3:2");
    harness.get_by_label("Aspect ratio").click();
    harness.run();
    harness.get_by_label("16:9").click();
    harness.run();
    assert_eq!(harness.state().0.text, "a red fox --ar 16:9", "replaced, not appended");
}

#[test]
fn a_custom_ratio_and_a_stylize_value_are_written_into_the_text() {
    let mut harness = harness(with_prompt("a red fox --ar 1:1"));
    harness.run();
    harness.get_by_label("Aspect ratio").click();
    harness.run();
    harness.get_by_label("Custom aspect ratio").focus();
    harness.run();
    harness.get_by_label("Custom aspect ratio").type_text("21:9");
    harness.run();
    harness.get_by_label("Set --ar").click();
    harness.run();
    assert_eq!(harness.state().0.text, "a red fox --ar 21:9");
    harness.get_by_label("Parameters").click();
    harness.run();
    harness.get_by_label("Stylize (--s)").focus();
    harness.run();
    harness.get_by_label("Stylize (--s)").type_text("250");
    harness.run();
    harness.get_by_label("Set --s").click();
    harness.run();
    assert_eq!(harness.state().0.text, "a red fox --ar 21:9 --s 250");
}

#[test]
fn the_version_helper_swaps_v_for_niji() {
    let mut harness = harness(with_prompt("a red fox --v 6"));
    harness.run();
    harness.get_by_label("Version").click();
    harness.run();
    harness.get_by_label("--niji 6").click();
    harness.run();
    assert_eq!(harness.state().0.text, "a red fox --niji 6");
}

#[test]
fn up_and_down_walk_the_history_and_the_menu_lists_it() {
    let state = PromptForm {
        history: params::PromptHistory::new(vec!["a cabin".into(), "a lake".into()]),
        ..Default::default()
    };
    let mut harness = harness(state);
    harness.get_by_label("Prompt").focus();
    harness.run();
    harness.key_press(egui::Key::ArrowUp);
    harness.run();
    assert_eq!(harness.state().0.text, "a cabin");
    harness.key_press(egui::Key::ArrowUp);
    harness.run();
    assert_eq!(harness.state().0.text, "a lake");
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert_eq!(harness.state().0.text, "a cabin");
    harness.get_by_label("History").click();
    harness.run();
    harness.get_by_label("a lake").click();
    harness.run();
    assert_eq!(harness.state().0.text, "a lake");
}

#[test]
fn the_mode_picker_sets_and_clears_the_mode() {
    let mut harness = harness(with_prompt("fox"));
    harness.run();
    harness.get_by_label("Relax").click();
    harness.run();
    assert_eq!(harness.state().0.mode, Some(Mode::Relax));
    harness.get_by_label("Relax").click();
    harness.run();
    assert_eq!(harness.state().0.mode, None);
}

#[test]
fn the_caret_in_the_prompt_box_requests_no_repaint() {
    let mut harness = harness(with_prompt("a red fox"));
    harness.get_by_label("Prompt").focus();
    harness.run();
    harness.step();
    let delay = harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    assert_eq!(delay, std::time::Duration::MAX, "an idle window with the caret in the box must not repaint");
}

#[test]
fn prompts_are_laid_out_monospace_with_parameters_coloured() {
    let style = egui::Style::default();
    let job = prompt_layout_job(&style, "fox --ar 3:2", 100.0);
    assert_eq!(job.text, "fox --ar 3:2");
    assert!(job.sections.iter().all(|s| s.format.font_id.family == egui::FontFamily::Monospace));
    let colour_of = |needle: &str| {
        let at = job.text.find(needle).unwrap();
        job.sections.iter().find(|s| s.byte_range.start.0 <= at && at < s.byte_range.end.0).unwrap().format.color
    };
    let [plain, name, value] = prompt_colours(&style.visuals);
    assert_eq!((colour_of("fox"), colour_of("--ar"), colour_of("3:2")), (plain, name, value));
}
