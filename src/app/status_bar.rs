//! The status bar: which gateway, jobs in progress against the limit, queued locally.

use super::state::AppState;

pub fn status_bar_ui(ui: &mut egui::Ui, state: &AppState) {
    ui.horizontal(|ui| {
        ui.label(&state.gateway);
        ui.separator();
        ui.label(format!("in progress {} / {}", state.counts.in_progress, state.limit));
        ui.separator();
        ui.label(format!("queued locally {}", state.counts.queued_locally));
        if let Some(m) = &state.message {
            ui.separator();
            ui.colored_label(ui.visuals().warn_fg_color, m);
        }
    });
}
