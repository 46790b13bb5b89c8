//! The status bar: which gateway, jobs in progress against the limit, queued locally, and the
//! quota spent by jobs that finished this session.

use crate::app::state::AppState;

pub fn status_bar_ui(ui: &mut egui::Ui, state: &AppState) {
    ui.horizontal(|ui| {
        ui.label(&state.gateway);
        ui.separator();
        ui.label(format!("in progress {} / {}", state.counts.in_progress, state.limit));
        ui.separator();
        ui.label(format!("queued locally {}", state.counts.queued_locally));
        ui.separator();
        ui.label(state.session.label())
            .on_hover_text(format!("{} finished job(s) reported a cost since the window opened", state.session.jobs));
        if let Some(m) = &state.message {
            ui.separator();
            ui.colored_label(ui.visuals().warn_fg_color, m);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::session::tests::job;
    use crate::job::JobStatus;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn the_bar_shows_gateway_limits_queue_and_quota() {
        let mut state = AppState::new("TTAPI · https://api.ttapi.io".into(), 3, Vec::new());
        state.counts.in_progress = 2;
        state.counts.queued_locally = 5;
        state.session.record(&job(Some("2"), Some(i64::MAX), JobStatus::Succeeded));
        let mut h = Harness::new_ui_state(|ui, s: &mut AppState| status_bar_ui(ui, s), state);
        h.run();
        h.get_by_label("TTAPI · https://api.ttapi.io");
        h.get_by_label("in progress 2 / 3");
        h.get_by_label("queued locally 5");
        h.get_by_label("quota this session 2");
    }
}
