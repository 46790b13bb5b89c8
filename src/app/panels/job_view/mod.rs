//! The selected job: its images and the actions it offers.
//!
//! A grid shows its four quadrants 2x2, each with its own `U<n>` / `V<n>` right under it;
//! then `Reroll` and every other action the job listed, labelled, the raw string for ones we
//! do not know. Buttons always send the job's own strings. A single image shows its actions,
//! one `Vary (Region)` (which opens the mask canvas) and the save / copy / show buttons.
//! Clicking an image opens it full size ([`crate::app::panels::viewer`]).

mod layout;
mod marks;
pub mod remix;

pub use layout::{ActionLayout, QuadrantImage, offers_retry, offers_seed, quadrant_image};

use crate::actions::ActionKind;
use crate::app::command::UiCommand;
use crate::app::panels::prompt::prompt_label;
use crate::app::panels::{prompt_refs, viewer};
use crate::app::state::AppState;
use crate::app::submission::{Submission, refusal_ui};
use crate::job::{Job, JobImage, JobStatus, short_id};

/// The job view's own state: the follow-up (an action, Seed, Retry) it sent last, so the
/// manager's refusal shows under the actions of the job it was sent from.
#[derive(Debug, Default, Clone)]
pub struct JobView {
    pub submission: Submission,
    /// The job the follow-up was sent from, and the control's label (`U2`, `Seed` ...).
    pub sent_from: Option<(String, String)>,
    /// The Remix row, while open.
    pub remix: remix::RemixForm,
    /// An end frame picked or pasted for the open `Animate` form, or why none came; the form
    /// takes it on its next pass.
    pub end_frame: Option<Result<crate::intent::ImageSource, String>>,
}

impl JobView {
    /// A follow-up of `job_id` went out from the control labelled `label` as command `id`.
    pub fn sent(&mut self, job_id: &str, label: String, id: crate::manager::CommandId) {
        self.submission.sent(id);
        self.sent_from = Some((job_id.to_owned(), label));
    }

    /// What to say under `job`'s actions: the control and why it was refused, or that it is
    /// on its way.
    fn news_ui(&self, ui: &mut egui::Ui, job: &Job) {
        let Some((from, label)) = &self.sent_from else { return };
        if from != &job.id {
            return;
        }
        if self.submission.is_pending() {
            ui.weak(format!("{label}: sending…"));
        } else if self.submission.refusal().is_some() {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, format!("{label} was refused:"));
                refusal_ui(ui, &self.submission);
            });
        }
    }
}

pub fn job_view_ui(ui: &mut egui::Ui, view: &mut JobView, state: &AppState, commands: &mut Vec<UiCommand>) {
    crate::app::panels::animate::drop_stale_end_frame(ui.ctx(), state.selected_job(), &mut view.end_frame);
    let Some(job) = state.selected_job() else {
        crate::app::panels::clips::stop_all(ui.ctx());
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            ui.weak("Select a job to see its images, or drop or paste an image here to edit it.");
            if ui.button("Edit an image file…").on_hover_text("Paint the part of an image to change").clicked() {
                commands.push(UiCommand::EditFile { path: None });
            }
        });
        return;
    };
    // The open job's images stay decoded (the full-size view draws them too).
    for image in job.result_images().into_iter().filter(|_| !job.kind.is_video()) {
        if let Some(path) = &image.local_path {
            crate::app::image_lru::touch(
                ui.ctx(),
                &format!("file://{}", path.display()),
                crate::app::image_lru::Class::Full,
            );
        }
    }
    if viewer::viewer_ui(ui, job, commands) {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        if let crate::job::JobKind::Action { action, .. } = &job.kind {
            ui.strong(ActionKind::parse(action).label());
        }
        match &job.prompt {
            Some(p) => ui.add(prompt_label(ui, p, Some(3))),
            None => ui.strong(job.kind.label()),
        };
    });
    links_ui(ui, state, job, commands);
    status_ui(ui, job, commands);
    // wrapped: in a narrow window one overlong row would widen the whole view, and the
    // images under it would be laid out past the window's edge
    ui.horizontal_wrapped(|ui| {
        if let Some(seed) = state.seed_of(job).filter(|_| job.seed.is_none() || job.status != JobStatus::Succeeded) {
            ui.weak(format!("seed {seed}"));
        }
        if offers_seed(job) && ui.button("Seed").on_hover_text("Ask the gateway for this job's seed").clicked() {
            commands.push(UiCommand::Seed { job_id: job.id.clone() });
        }
        if job.prompt.is_some()
            && ui.button("Edit prompt").on_hover_text("Put this prompt and its mode back in the prompt box").clicked()
        {
            commands.push(UiCommand::EditPrompt { job_id: job.id.clone() });
        }
        let shown = job.result_images().len();
        if job.status == JobStatus::Succeeded && (1..=4).contains(&shown) && !job.kind.is_video() {
            crate::app::panels::animate::animate_button_ui(ui, job, shown);
        }
        // (what is left of this row: `available_width` in a wrapping row is the whole row's)
        if ui.max_rect().right() - ui.cursor().left() < marks::marks_width(ui) {
            ui.end_row();
        } else {
            ui.separator();
        }
        marks::marks_ui(ui, job, state.selected_marks(), commands);
    });
    if job.kind.is_video() {
        let height = (ui.available_height() - 8.0).max(64.0);
        crate::app::panels::clips::clips_ui(ui, job, height, commands);
        view.news_ui(ui, job);
        return;
    }
    crate::app::panels::clips::stop_all(ui.ctx());
    // Above the images, so it is in view however large they are.
    crate::app::panels::animate::animate_form_ui(ui, job, state, &mut view.end_frame, commands);
    let layout = ActionLayout::of(job);
    let images = job.result_images();
    // Room for the action row under the images.
    let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    let mut reserve = if job.actions.is_empty() && images.len() != 1 { 8.0 } else { 2.0 * row + 12.0 };
    if view.remix.open_for.as_deref() == Some(job.id.as_str()) {
        reserve += 2.0 * row + 8.0; // the Remix form's two rows
    }
    let height = (ui.available_height() - reserve).max(64.0);
    if layout.is_grid() {
        grid_ui(ui, job, &images, &layout, height, commands);
    } else {
        images_ui(ui, job, &images, height, commands);
    }
    ui.horizontal_wrapped(|ui| {
        actions_ui(ui, job, &images, &layout, commands);
        remix::remix_button_ui(ui, &mut view.remix, job, images.len());
    });
    remix::remix_form_ui(ui, &mut view.remix, job, images.len(), commands);
    view.news_ui(ui, job);
    sent_mask_ui(ui, job, commands);
    for (n, p) in job.prompts.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            if ui.button(format!("Use prompt {}", n + 1)).on_hover_text("Put this prompt in the prompt box").clicked() {
                commands.push(UiCommand::UsePrompt { prompt: p.clone() });
            }
            ui.add(prompt_label(ui, p, None));
        });
    }
}

/// The job's family: its parent (for a follow-up) and its follow-ups, one click each.
fn links_ui(ui: &mut egui::Ui, state: &AppState, job: &Job, commands: &mut Vec<UiCommand>) {
    if job.parent_id.is_none() && state.children.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        if let Some(parent) = &job.parent_id
            && ui.link("Open parent job").on_hover_text(format!("job {}", short_id(parent))).clicked()
        {
            commands.push(UiCommand::Select { job_id: parent.clone() });
        }
        if !state.children.is_empty() {
            ui.weak("Follow-ups:");
            for child in &state.children {
                let row = crate::app::state::JobRow::of(child);
                let text = follow_up_link_text(ui.style(), &row.title);
                if ui.link(text).on_hover_text(&row.status).clicked() {
                    commands.push(UiCommand::Select { job_id: child.id.clone() });
                }
            }
        }
    });
}

/// A follow-up link: "Follow-up: " in the body font, then its title as Midjourney syntax in
/// monospace (so `--ar` reads as two dashes, as in the list and the prompt box).
fn follow_up_link_text(style: &egui::Style, title: &str) -> egui::text::LayoutJob {
    let body = egui::TextStyle::Body.resolve(style);
    let mut job = egui::text::LayoutJob::default();
    job.append("Follow-up: ", 0.0, egui::TextFormat::simple(body, style.visuals.hyperlink_color));
    let prompt = crate::app::panels::prompt::prompt_layout_job(style, title, f32::INFINITY);
    for section in prompt.sections {
        let mut format = section.format;
        if format.color == style.visuals.text_color() {
            format.color = style.visuals.hyperlink_color;
        }
        job.append(&prompt.text[section.byte_range.start.0..section.byte_range.end.0], 0.0, format);
    }
    job
}

fn status_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<UiCommand>) {
    match &job.status {
        JobStatus::Failed { reason } => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Failed: {reason}"));
        }
        JobStatus::Unknown { reason } => {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Unknown, may have been submitted: {reason}"));
        }
        JobStatus::Running { progress } => {
            ui.add(egui::ProgressBar::new(f32::from(*progress) / 100.0).show_percentage());
        }
        JobStatus::Succeeded => {
            if let Some(seed) = &job.seed {
                ui.weak(format!("seed {seed}"));
            }
        }
        other => {
            ui.label(other.label());
        }
    }
    if offers_retry(job) {
        ui.horizontal(|ui| {
            // mjdesk stopped waiting, but the gateway may have finished the job since
            if job.ended_by_deadline()
                && ui
                    .button("Check again")
                    .on_hover_text("Ask the gateway whether it has finished this job since (free; Retry sends it anew)")
                    .clicked()
            {
                commands.push(UiCommand::CheckAgain { job_id: job.id.clone() });
            }
            if ui.button("Retry").clicked() {
                commands.push(UiCommand::Retry { job_id: job.id.clone() });
            }
        });
        if let Some(raw) = &job.last_raw {
            ui.collapsing("What the gateway answered", |ui| {
                ui.add(egui::Label::new(egui::RichText::new(raw).monospace().small()).wrap());
            });
        }
    }
}

/// One picture: the image itself (click to open full size), a spinner while it downloads,
/// or why it could not be fetched.
fn picture_ui(
    ui: &mut egui::Ui,
    job: &Job,
    image: Option<&JobImage>,
    shown: Option<QuadrantImage>,
    size: egui::Vec2,
    commands: &mut Vec<UiCommand>,
) {
    let (Some(image), Some(shown)) = (image, shown) else {
        ui.add_sized(size, egui::Label::new(egui::RichText::new("no image").weak()));
        return;
    };
    match (&image.local_path, &image.error) {
        (Some(path), _) => {
            let mut img = egui::Image::new(format!("file://{}", path.display()))
                .fit_to_exact_size(size)
                .corner_radius(4.0)
                .sense(egui::Sense::click_and_drag());
            if let Some([x0, y0, x1, y1]) = shown.uv {
                img = img.uv(egui::Rect::from_min_max(egui::pos2(x0, y0), egui::pos2(x1, y1)));
            }
            let response = ui.add(img).on_hover_text("Click to open full size, drag onto the prompt to use it");
            if response.clicked() {
                viewer::open(ui.ctx(), &job.id, shown.index);
            }
            drag_to_prompt(ui, &response, image);
            response.context_menu(|ui| {
                if ui.button("Open full size").clicked() {
                    viewer::open(ui.ctx(), &job.id, shown.index);
                }
                viewer::export_buttons(ui, job, shown.index, commands);
            });
        }
        (None, Some(err)) => {
            ui.add_sized(size, egui::Label::new(egui::RichText::new(err).color(ui.visuals().error_fg_color)).wrap());
        }
        (None, None) => {
            ui.add_sized(size, egui::Spinner::new());
        }
    }
}

/// A picture dragged from here carries its link to the prompt (see [`prompt_refs`]).
fn drag_to_prompt(ui: &egui::Ui, response: &egui::Response, image: &JobImage) {
    if response.drag_started() {
        let now = (crate::job::now_ms() / 1000).max(0) as u64;
        let dragged = prompt_refs::DraggedImage::of(&image.url, image.error.as_deref(), now);
        egui::DragAndDrop::set_payload(ui.ctx(), dragged);
    }
    if response.dragged() {
        egui::Tooltip::always_open(
            ui.ctx().clone(),
            ui.layer_id(),
            response.id.with("drag"),
            egui::PopupAnchor::Pointer,
        )
        .show(|ui| ui.label("Drop on the prompt to use this image"));
    }
}

fn grid_ui(
    ui: &mut egui::Ui,
    job: &Job,
    images: &[&JobImage],
    layout: &ActionLayout,
    height: f32,
    commands: &mut Vec<UiCommand>,
) {
    let row_buttons = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    let (w, h) = (job.width.unwrap_or(1) as f32, job.height.unwrap_or(1) as f32);
    let aspect = if w > 0.0 && h > 0.0 { w / h } else { 1.0 };
    let cell_w = ((ui.available_width() - 12.0) / 2.0).min(((height - 12.0) / 2.0 - row_buttons) * aspect).max(48.0);
    let size = egui::vec2(cell_w, cell_w / aspect);
    egui::Grid::new(("quadrants", &job.id)).spacing([8.0, 8.0]).show(ui, |ui| {
        for (q, (u, v)) in layout.quadrants.iter().enumerate() {
            ui.vertical(|ui| {
                let shown = quadrant_image(images.len(), q);
                picture_ui(ui, job, shown.and_then(|s| images.get(s.index).copied()), shown, size, commands);
                ui.horizontal(|ui| {
                    for action in [u, v].into_iter().flatten() {
                        action_button(ui, job, action, commands);
                    }
                });
            });
            if q % 2 == 1 {
                ui.end_row();
            }
        }
    });
}

fn images_ui(ui: &mut egui::Ui, job: &Job, images: &[&JobImage], height: f32, commands: &mut Vec<UiCommand>) {
    if images.is_empty() {
        return;
    }
    let columns = if images.len() >= 4 { 2 } else { images.len() };
    let rows = images.len().div_ceil(columns);
    let side = (ui.available_width() / columns as f32 - 8.0).min(height / rows as f32 - 8.0).max(64.0);
    egui::Grid::new(("images", &job.id)).spacing([6.0, 6.0]).show(ui, |ui| {
        for (i, img) in images.iter().enumerate() {
            let shown = QuadrantImage { index: i, uv: None };
            picture_ui(ui, job, Some(img), Some(shown), egui::vec2(side, side), commands);
            if (i + 1) % columns == 0 {
                ui.end_row();
            }
        }
    });
}

fn action_button(ui: &mut egui::Ui, job: &Job, action: &str, commands: &mut Vec<UiCommand>) {
    let label = ActionKind::parse(action).label();
    if ui.button(&label).on_hover_text(action).clicked() {
        commands.push(UiCommand::Action { job_id: job.id.clone(), action: action.to_owned() });
    }
}

fn actions_ui(
    ui: &mut egui::Ui,
    job: &Job,
    images: &[&JobImage],
    layout: &ActionLayout,
    commands: &mut Vec<UiCommand>,
) {
    {
        if let Some(reroll) = &layout.reroll {
            action_button(ui, job, reroll, commands);
        }
        for (label, action) in &layout.others {
            if ui.button(label).on_hover_text(action).clicked() {
                commands.push(UiCommand::Action { job_id: job.id.clone(), action: action.clone() });
            }
        }
        if layout.vary_region && ui.button("Vary (Region)").on_hover_text("Paint the part to redraw").clicked() {
            commands.push(UiCommand::VaryRegion { job_id: job.id.clone() });
        }
        if layout.edits_single_image(images.len()) {
            let ready = images[0].local_path.is_some();
            let why = "The image is not downloaded yet";
            for (label, retexture, hint) in [
                ("Edit", false, "Paint the part to redraw"),
                ("Retexture", true, "Paint the part to give a new surface"),
            ] {
                if ui
                    .add_enabled(ready, egui::Button::new(label))
                    .on_hover_text(hint)
                    .on_disabled_hover_text(why)
                    .clicked()
                {
                    commands.push(UiCommand::EditImage { job_id: job.id.clone(), retexture });
                }
            }
            ui.separator();
            viewer::export_buttons(ui, job, 0, commands);
        }
        crate::app::editors::canvas_edit::open_buttons_ui(ui, job, commands);
    }
}

/// The mask the job was sent with, small, and `Edit mask again`.
fn sent_mask_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<UiCommand>) {
    if job.request.sent_mask().is_none() {
        return;
    }
    ui.horizontal(|ui| {
        ui.weak("Mask sent:");
        crate::app::mask_preview::mask_preview_ui(ui, &job.id, &job.request);
        let again = crate::app::editors::region::edit_again(job).is_some()
            || crate::app::editors::canvas_edit::edit_again(job).is_some();
        if ui
            .add_enabled(again, egui::Button::new("Edit mask again"))
            .on_hover_text("A new edit of the same image, starting from this mask")
            .on_disabled_hover_text("The image this mask was painted on is not known here")
            .clicked()
        {
            commands.push(UiCommand::EditMaskAgain { job_id: job.id.clone() });
        }
    });
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod video_tests;
