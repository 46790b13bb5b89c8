//! `Animate` on a finished image: a small form (`Motion` low/high, `Motion prompt` for manual
//! animation, resolution, `End frame`, batch, loop) whose `Submit` sends the video job through the one
//! send path. The form's state is a plain struct kept in egui's memory for the job on show.

use crate::app::command::UiCommand;
use crate::job::{Job, Motion, Resolution, VideoOptions};

/// What the form holds between passes.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimateForm {
    pub job_id: String,
    /// Which image of a grid (0-3); None for a single image.
    pub index: Option<u8>,
    pub video: VideoOptions,
    /// The last frame, as typed: a job id (`ID:N` for a grid's image), an image link or a file.
    pub end: String,
}

fn form_id() -> egui::Id {
    egui::Id::unique("mjdesk.animate-form")
}

/// The open form for `job`, if its `Animate` was pressed.
pub fn open_form(ctx: &egui::Context, job: &Job) -> Option<AnimateForm> {
    ctx.data(|d| d.get_temp::<AnimateForm>(form_id())).filter(|f| f.job_id == job.id)
}

/// The `Animate` button of a finished image job: opens (or closes) the form.
pub fn animate_button_ui(ui: &mut egui::Ui, job: &Job, images: usize) {
    if job.provider == crate::job::Provider::Vtrix {
        // Present, and saying why, rather than missing.
        ui.add_enabled(false, egui::Button::new("Animate"))
            .on_disabled_hover_text("Vtrix has no video call; animate works on TTAPI and AceData");
        return;
    }
    let open = open_form(ui.ctx(), job).is_some();
    if ui.selectable_label(open, "Animate").on_hover_text("Turn this image into short clips").clicked() {
        let form = AnimateForm {
            job_id: job.id.clone(),
            index: (images > 1).then_some(0),
            video: VideoOptions::default(),
            end: String::new(),
        };
        ui.ctx().data_mut(|d| {
            if open {
                d.remove::<AnimateForm>(form_id());
            } else {
                d.insert_temp(form_id(), form);
            }
        });
    }
}

pub fn animate_form_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<UiCommand>) {
    let Some(mut form) = open_form(ui.ctx(), job) else { return };
    let mut send = false;
    ui.group(|ui| {
        if let Some(index) = &mut form.index {
            ui.horizontal(|ui| {
                ui.label("Image");
                for i in 0..4u8 {
                    ui.selectable_value(index, i, format!("Image {}", i + 1));
                }
            });
        }
        ui.horizontal(|ui| {
            ui.label("Motion");
            ui.selectable_value(&mut form.video.motion, Motion::Low, "Low");
            ui.selectable_value(&mut form.video.motion, Motion::High, "High");
            ui.separator();
            ui.selectable_value(&mut form.video.resolution, Resolution::Sd, "SD (480p)");
            ui.selectable_value(&mut form.video.resolution, Resolution::Hd, "HD (720p)");
        });
        ui.horizontal(|ui| {
            let label = ui.label("Motion prompt");
            let mut text = form.video.prompt.clone().unwrap_or_default();
            let edit = egui::TextEdit::singleline(&mut text).hint_text("empty: automatic").desired_width(260.0);
            if ui.add(edit).labelled_by(label.id).changed() {
                form.video.prompt = Some(text).filter(|t| !t.is_empty());
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("End frame");
            let edit = egui::TextEdit::singleline(&mut form.end)
                .hint_text("optional: a job id (ID:N), an image link or a file")
                .desired_width(260.0);
            ui.add_enabled(!form.video.looped, edit).labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            ui.label("Batch");
            for b in [1u8, 2, 4] {
                ui.selectable_value(&mut form.video.batch, b, format!("{b} clip{}", if b == 1 { "" } else { "s" }));
            }
            ui.separator();
            ui.checkbox(&mut form.video.looped, "Loop");
            ui.separator();
            send = ui.button("Submit").on_hover_text("Send this video job").clicked();
        });
    });
    if send {
        let end = Some(form.end.trim().to_owned()).filter(|e| !e.is_empty() && !form.video.looped);
        commands.push(UiCommand::Animate {
            job_id: form.job_id.clone(),
            index: form.index,
            video: form.video.clone(),
            end,
        });
        ui.ctx().data_mut(|d| d.remove::<AnimateForm>(form_id()));
    } else {
        ui.ctx().data_mut(|d| d.insert_temp(form_id(), form));
    }
}
