//! `Animate` on a finished image: a small form (`Motion` low/high, `Motion prompt` for manual
//! animation, resolution, the end frame ([`end_frame`]), batch, loop) whose `Submit` sends the
//! video job through the one send path. The form's state is a plain struct kept in egui's
//! memory for the job on show.

mod cost;
pub mod end_frame;
#[cfg(test)]
mod tests;

use crate::app::command::UiCommand;
use crate::app::state::AppState;
use crate::intent::ImageSource;
use crate::job::{Job, Motion, Resolution, VideoOptions};
use end_frame::EndFrame;

/// What the form holds between passes.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimateForm {
    pub job_id: String,
    /// Which image of a grid (0-3); None for a single image.
    pub index: Option<u8>,
    pub video: VideoOptions,
    /// The last frame: typed, picked, pasted or chosen from history.
    pub end: EndFrame,
}

fn form_id() -> egui::Id {
    egui::Id::unique("mjdesk.animate-form")
}

/// The open form for `job`, if its `Animate` was pressed.
pub fn open_form(ctx: &egui::Context, job: &Job) -> Option<AnimateForm> {
    ctx.data(|d| d.get_temp::<AnimateForm>(form_id())).filter(|f| f.job_id == job.id)
}

/// An end frame that arrived after its form closed (or its job was left) is dropped, so it
/// never lands in a form opened later.
pub fn drop_stale_end_frame(
    ctx: &egui::Context,
    open: Option<&Job>,
    arrived: &mut Option<Result<ImageSource, String>>,
) {
    if arrived.is_some() && open.is_none_or(|job| open_form(ctx, job).is_none()) {
        *arrived = None;
    }
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
            end: EndFrame::default(),
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

/// The open form for `job`, if any; `arrived` is an end frame picked or pasted for it (or why
/// none came), taken here (dropped by [`drop_stale_end_frame`] once no form is open).
pub fn animate_form_ui(
    ui: &mut egui::Ui,
    job: &Job,
    state: &AppState,
    arrived: &mut Option<Result<ImageSource, String>>,
    commands: &mut Vec<UiCommand>,
) {
    let Some(mut form) = open_form(ui.ctx(), job) else { return };
    if let Some(incoming) = arrived.take() {
        form.end.arrived(job.provider, incoming);
    }
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
        let entries = end_frame::history(job, state);
        end_frame::end_frame_ui(ui, &mut form.end, !form.video.looped, job.provider, &entries, commands);
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
        ui.label(egui::RichText::new(cost::cost_line(job.provider, &state.list)).small().weak());
    });
    if send {
        let end = form.end.source().filter(|_| !form.video.looped);
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
