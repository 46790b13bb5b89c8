//! `Export` above the job list: the jobs chosen (or, with none chosen, every job the list
//! shows) into a folder the desktop's dialog gives. While it runs, `Export progress` and
//! `Cancel export`; then one line saying how it ended (an error in the error colour).

use crate::app::bulk_export::ExportStatus;
use crate::app::command::UiCommand;

/// Export's own key.
pub const EXPORT_KEY: &str = "Ctrl+E";

/// `chosen`: how many jobs are chosen in the list.
pub fn export_bar_ui(ui: &mut egui::Ui, status: &ExportStatus, chosen: usize, commands: &mut Vec<UiCommand>) {
    ui.horizontal(|ui| {
        let what = match chosen {
            0 => format!("Export every job the list shows, with a sidecar each, to a folder ({EXPORT_KEY})"),
            n => format!("Export the {n} chosen job(s), with a sidecar each, to a folder ({EXPORT_KEY})"),
        };
        let export = ui.add_enabled(!status.busy(), egui::Button::new("Export"));
        if export.on_hover_text(what).on_disabled_hover_text("An export is under way").clicked() {
            commands.push(UiCommand::Export { folder: None });
        }
        match status {
            ExportStatus::Choosing => {
                ui.spinner();
                ui.weak("choose a folder…");
            }
            ExportStatus::Running { at, cancelling, .. } => {
                let label = ui.label("Export progress");
                let share = if at.images_total > 0 {
                    at.images as f32 / at.images_total as f32
                } else {
                    at.jobs as f32 / at.jobs_total.max(1) as f32
                };
                ui.add(egui::ProgressBar::new(share).desired_width(90.0)).labelled_by(label.id);
                ui.weak(format!("{} of {}", at.images, at.images_total));
                if *cancelling {
                    ui.weak("cancelling…");
                } else if ui.button("Cancel export").on_hover_text("Stop after the image being written").clicked() {
                    commands.push(UiCommand::CancelExport);
                }
            }
            ExportStatus::Idle | ExportStatus::Ended { .. } => {}
        }
    });
    if let ExportStatus::Ended { said, failed } = status {
        if *failed {
            ui.colored_label(ui.visuals().error_fg_color, said);
        } else {
            ui.weak(said);
        }
    }
}

#[cfg(test)]
mod tests {
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::*;
    use crate::export::Progress;

    fn harness(status: ExportStatus, chosen: usize) -> Harness<'static, (ExportStatus, Vec<UiCommand>)> {
        Harness::new_ui_state(
            move |ui, (status, commands): &mut (ExportStatus, Vec<UiCommand>)| {
                export_bar_ui(ui, status, chosen, commands)
            },
            (status, Vec::new()),
        )
    }

    #[test]
    fn export_asks_for_a_folder_and_is_off_while_one_runs() {
        let mut h = harness(ExportStatus::Idle, 3);
        h.run_steps(2);
        h.get_by_label("Export").click();
        h.run_steps(2);
        assert_eq!(h.state().1, vec![UiCommand::Export { folder: None }]);
        h.state_mut().0 = ExportStatus::Choosing;
        h.run_steps(2);
        assert!(h.get_by_label("Export").accesskit_node().is_disabled());
    }

    #[test]
    fn progress_shows_with_its_cancel_and_the_end_in_one_line() {
        let at = Progress { images: 3, images_total: 12, jobs: 1, jobs_total: 4, bytes: 0 };
        let mut h = harness(ExportStatus::Running { at, dir: "/out".into(), cancelling: false }, 0);
        h.run_steps(2);
        let bar = h.get_by_role_and_label(Role::ProgressIndicator, "Export progress");
        assert_eq!(bar.accesskit_node().numeric_value(), Some(25.0));
        h.get_by_label("Cancel export").click();
        h.run_steps(2);
        assert_eq!(h.state().1, vec![UiCommand::CancelExport]);
        h.state_mut().0 =
            ExportStatus::Ended { said: "could not write /out/a.png: the disk is full".into(), failed: true };
        h.run_steps(2);
        assert!(h.query_by_label("Cancel export").is_none());
        assert!(h.query_by_label("could not write /out/a.png: the disk is full").is_some());
    }
}
