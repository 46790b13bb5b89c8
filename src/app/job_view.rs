//! The selected job: its images (a 2x2 grid or a single image) and the actions it offers.

use super::state::{AppState, UiCommand, action_buttons};
use crate::job::{Job, JobStatus};

pub fn job_view_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<UiCommand>) {
    let Some(job) = state.selected_job() else {
        ui.centered_and_justified(|ui| ui.weak("Select a job to see its images."));
        return;
    };
    ui.horizontal_wrapped(|ui| {
        if let crate::job::JobKind::Action { action, .. } = &job.kind {
            ui.strong(crate::actions::ActionKind::parse(action).label());
        }
        ui.strong(job.prompt.as_deref().unwrap_or(job.kind.label()));
    });
    match &job.status {
        JobStatus::Failed { reason } => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Failed: {reason}"));
        }
        JobStatus::Unknown { reason } => {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Unknown, may have been submitted: {reason}"));
        }
        other => {
            ui.label(other.label());
        }
    }
    if let JobStatus::Running { progress } = job.status {
        ui.add(egui::ProgressBar::new(progress as f32 / 100.0).show_percentage());
    }
    if matches!(job.status, JobStatus::Unknown { .. } | JobStatus::Failed { .. }) {
        if ui.button("Retry").clicked() {
            commands.push(UiCommand::Retry { job_id: job.id.clone() });
        }
        if let Some(raw) = &job.last_raw {
            ui.collapsing("What the gateway answered", |ui| {
                ui.add(egui::Label::new(egui::RichText::new(raw).monospace().small()).wrap());
            });
        }
    }
    ui.horizontal_wrapped(|ui| {
        for (label, action) in action_buttons(job) {
            if ui.button(&label).on_hover_text(&action).clicked() {
                commands.push(UiCommand::Action { job_id: job.id.clone(), action });
            }
        }
    });
    for p in &job.prompts {
        ui.label(p);
    }
    ui.separator();
    images_ui(ui, job);
}

fn images_ui(ui: &mut egui::Ui, job: &Job) {
    let images = job.result_images();
    if images.is_empty() {
        return;
    }
    let columns = if images.len() >= 4 { 2 } else { images.len() };
    let rows = images.len().div_ceil(columns);
    let side = (ui.available_width() / columns as f32 - 8.0).min(ui.available_height() / rows as f32 - 8.0).max(64.0);
    egui::Grid::new(("images", &job.id)).spacing([6.0, 6.0]).show(ui, |ui| {
        for (i, img) in images.iter().enumerate() {
            match (&img.local_path, &img.error) {
                (Some(path), _) => {
                    let uri = format!("file://{}", path.display());
                    ui.add(egui::Image::new(uri).fit_to_exact_size(egui::vec2(side, side)).corner_radius(4.0));
                }
                (None, Some(err)) => {
                    ui.colored_label(ui.visuals().error_fg_color, err);
                }
                (None, None) => {
                    ui.add_sized([side, side], egui::Spinner::new());
                }
            }
            if (i + 1) % columns == 0 {
                ui.end_row();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, Provider, SubmitOptions};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn the_jobs_own_actions_are_buttons_that_send_their_strings() {
        let mut job = Job::new(
            Provider::Ttapi,
            "http://x",
            JobRequest::Imagine { prompt: "a fox".into() },
            SubmitOptions::default(),
        );
        job.status = JobStatus::Succeeded;
        job.actions = vec!["upsample1".into(), "variation2".into(), "zoom_out_2".into()];
        let id = job.id.clone();
        let state = AppState::new("sim".into(), 10, vec![job]);
        let mut harness = Harness::new_ui_state(
            |ui, (state, cmds): &mut (AppState, Vec<UiCommand>)| job_view_ui(ui, state, cmds),
            (state, Vec::new()),
        );
        harness.run_steps(2);
        harness.get_by_label("V2").click();
        harness.run_steps(2);
        harness.get_by_label("Zoom Out 2x").click();
        harness.run_steps(2);
        let cmds = &harness.state().1;
        assert_eq!(cmds[0], UiCommand::Action { job_id: id.clone(), action: "variation2".into() });
        assert_eq!(cmds[1], UiCommand::Action { job_id: id, action: "zoom_out_2".into() });
    }

    #[test]
    fn a_job_of_unknown_fate_offers_retry() {
        let mut job = Job::new(
            Provider::Ttapi,
            "http://x",
            JobRequest::Imagine { prompt: "a fox".into() },
            SubmitOptions::default(),
        );
        job.status = JobStatus::Unknown { reason: "the connection broke".into() };
        let id = job.id.clone();
        let mut harness = Harness::new_ui_state(
            |ui, (state, cmds): &mut (AppState, Vec<UiCommand>)| job_view_ui(ui, state, cmds),
            (AppState::new("sim".into(), 10, vec![job]), Vec::new()),
        );
        harness.run_steps(2);
        harness.get_by_label("Retry").click();
        harness.run_steps(2);
        assert_eq!(harness.state().1.last(), Some(&UiCommand::Retry { job_id: id }));
    }
}
