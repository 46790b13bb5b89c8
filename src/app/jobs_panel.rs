//! The job list: newest first, with status and progress; a click selects.

use super::state::{AppState, JobRow, UiCommand};

pub fn jobs_panel_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<UiCommand>) {
    ui.heading("Jobs");
    if state.jobs.is_empty() {
        ui.weak("No jobs yet. Type a prompt above and press Imagine.");
        return;
    }
    let row_height = 52.0;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show_rows(
        ui,
        row_height,
        state.jobs.len(),
        |ui, range| {
            for job in &state.jobs[range] {
                let row = JobRow::of(job);
                let selected = state.selected.as_deref() == Some(row.id.as_str());
                ui.push_id(&row.id, |ui| {
                    ui.set_min_height(row_height - 6.0);
                    if ui.selectable_label(selected, &row.title).clicked() {
                        commands.push(UiCommand::Select { job_id: row.id.clone() });
                    }
                    match row.progress {
                        Some(p) => {
                            ui.add(
                                egui::ProgressBar::new(p)
                                    .desired_height(14.0)
                                    .text(egui::RichText::new(&row.status).small()),
                            );
                        }
                        None if row.failed => {
                            ui.colored_label(ui.visuals().error_fg_color, egui::RichText::new(&row.status).small());
                        }
                        None => {
                            ui.weak(egui::RichText::new(&row.status).small());
                        }
                    }
                });
                ui.separator();
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{Job, JobRequest, JobStatus, Provider, SubmitOptions};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    fn job(prompt: &str, status: JobStatus) -> Job {
        let mut j = Job::new(
            Provider::Ttapi,
            "http://x",
            JobRequest::Imagine { prompt: prompt.into() },
            SubmitOptions::default(),
        );
        j.status = status;
        j
    }

    #[test]
    fn clicking_a_job_selects_it() {
        let jobs =
            vec![job("a red fox", JobStatus::Running { progress: 30 }), job("a blue whale", JobStatus::Succeeded)];
        let whale = jobs[1].id.clone();
        let state = AppState::new("sim".into(), 10, jobs);
        let mut harness = Harness::new_ui_state(
            |ui, (state, cmds): &mut (AppState, Vec<UiCommand>)| jobs_panel_ui(ui, state, cmds),
            (state, Vec::new()),
        );
        harness.run_steps(2);
        harness.get_by_label("a blue whale").click();
        harness.run_steps(2);
        assert_eq!(harness.state().1.last(), Some(&UiCommand::Select { job_id: whale }));
    }
}
