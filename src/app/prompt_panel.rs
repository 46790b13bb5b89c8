//! The prompt box: type, then Submit or Ctrl+Enter.

use super::state::{AppState, UiCommand};
use crate::imageio::MAX_PROMPT_CHARS;

pub fn prompt_panel_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<UiCommand>) {
    ui.horizontal(|ui| {
        let label = ui.label("Prompt");
        let edit = egui::TextEdit::multiline(&mut state.prompt)
            .desired_rows(2)
            .desired_width(ui.available_width() - 120.0)
            .hint_text("a red fox in the snow --ar 3:2");
        let response = ui.add(edit).labelled_by(label.id);
        // The event's own modifiers, not the state at the end of the frame: a quick Ctrl+Enter
        // can press and release Ctrl within one frame.
        let ctrl_enter =
            response.has_focus() && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
        ui.vertical(|ui| {
            let clicked = ui.button("Imagine").on_hover_text("Ctrl+Enter").clicked();
            let count = state.prompt.chars().count();
            let text = egui::RichText::new(format!("{count} / {MAX_PROMPT_CHARS}")).small();
            ui.label(if count > MAX_PROMPT_CHARS { text.color(ui.visuals().error_fg_color) } else { text });
            if clicked || ctrl_enter {
                commands.push(UiCommand::Imagine { prompt: state.prompt.trim().to_owned() });
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn typing_and_clicking_imagine_sends_the_prompt() {
        let mut harness = Harness::new_ui_state(
            |ui, (state, cmds): &mut (AppState, Vec<UiCommand>)| prompt_panel_ui(ui, state, cmds),
            (AppState::default(), Vec::new()),
        );
        harness.get_by_label("Prompt").focus();
        harness.run();
        harness.get_by_label("Prompt").type_text("a red fox");
        harness.run();
        harness.get_by_label("Imagine").click();
        harness.run();
        let (state, cmds) = harness.state();
        assert_eq!(state.prompt, "a red fox");
        assert_eq!(cmds.last(), Some(&UiCommand::Imagine { prompt: "a red fox".into() }));
    }

    #[test]
    fn ctrl_enter_submits_from_the_prompt_box() {
        let mut harness = Harness::new_ui_state(
            |ui, (state, cmds): &mut (AppState, Vec<UiCommand>)| prompt_panel_ui(ui, state, cmds),
            (AppState::default(), Vec::new()),
        );
        harness.get_by_label("Prompt").focus();
        harness.run();
        harness.get_by_label("Prompt").type_text("a lighthouse");
        harness.run();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
        harness.run();
        let (state, cmds) = harness.state();
        assert_eq!(cmds.last(), Some(&UiCommand::Imagine { prompt: "a lighthouse".into() }));
        assert_eq!(state.prompt, "a lighthouse", "no stray newline left in the box");
    }
}
