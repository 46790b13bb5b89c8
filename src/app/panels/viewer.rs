//! The full-size viewer: one image of a job, zoomed with the wheel around the cursor, panned
//! by dragging, fit to the window or shown at 100%; Escape closes it.
//!
//! [`View`] is the pure geometry (tested without pixels); [`viewer_ui`] draws it. Which image
//! is open and how it is zoomed is the viewer's own business, kept in egui's memory, so the
//! rest of the window does not change when it opens.

use crate::app::command::UiCommand;
use crate::job::Job;

/// Smallest and largest zoom (screen points per image pixel).
pub const MIN_SCALE: f32 = 0.02;
pub const MAX_SCALE: f32 = 32.0;

/// Where the image sits on the canvas: `scale` points per image pixel, its top-left corner at
/// `offset` from the canvas's top-left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub scale: f32,
    pub offset: [f32; 2],
}

impl View {
    /// The whole image inside the canvas, centred (never enlarged past `max_scale`).
    pub fn fit(image: [f32; 2], canvas: [f32; 2], max_scale: f32) -> Self {
        if image[0] <= 0.0 || image[1] <= 0.0 {
            return Self { scale: 1.0, offset: [0.0, 0.0] };
        }
        let scale = (canvas[0] / image[0]).min(canvas[1] / image[1]).clamp(MIN_SCALE, max_scale.max(MIN_SCALE));
        Self::centred(scale, image, canvas)
    }

    /// One image pixel per point, centred.
    pub fn actual_size(image: [f32; 2], canvas: [f32; 2]) -> Self {
        Self::centred(1.0, image, canvas)
    }

    fn centred(scale: f32, image: [f32; 2], canvas: [f32; 2]) -> Self {
        let offset = [(canvas[0] - image[0] * scale) / 2.0, (canvas[1] - image[1] * scale) / 2.0];
        Self { scale, offset }
    }

    /// Zooms by `factor` keeping the image point under `cursor` (canvas coordinates) still.
    pub fn zoom_at(&mut self, factor: f32, cursor: [f32; 2]) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let new_scale = (self.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
        let k = new_scale / self.scale;
        for (off, cur) in self.offset.iter_mut().zip(cursor) {
            *off = cur - (cur - *off) * k;
        }
        self.scale = new_scale;
    }

    pub fn pan(&mut self, delta: [f32; 2]) {
        self.offset[0] += delta[0];
        self.offset[1] += delta[1];
    }

    /// The image pixel under a canvas point.
    pub fn to_image(&self, canvas_point: [f32; 2]) -> [f32; 2] {
        [(canvas_point[0] - self.offset[0]) / self.scale, (canvas_point[1] - self.offset[1]) / self.scale]
    }

    /// The image's rectangle on the canvas: top-left and size.
    pub fn placed(&self, image: [f32; 2]) -> ([f32; 2], [f32; 2]) {
        (self.offset, [image[0] * self.scale, image[1] * self.scale])
    }
}

/// The viewer's memory: which image is open, and the view once the designer zoomed or panned
/// (`None` follows the window: fit).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenImage {
    pub job_id: String,
    pub index: usize,
    pub view: Option<View>,
}

fn memory_id() -> egui::Id {
    egui::Id::unique("mjdesk.viewer")
}

/// The image open in the viewer, if any.
pub fn open_image(ctx: &egui::Context) -> Option<OpenImage> {
    ctx.data(|d| d.get_temp::<OpenImage>(memory_id()))
}

pub fn open(ctx: &egui::Context, job_id: &str, index: usize) {
    ctx.data_mut(|d| d.insert_temp(memory_id(), OpenImage { job_id: job_id.to_owned(), index, view: None }));
}

pub fn close(ctx: &egui::Context) {
    ctx.data_mut(|d| d.remove::<OpenImage>(memory_id()));
}

/// Draws the open image of `job` filling `ui`; returns false (and draws nothing) when the
/// viewer is not open on this job.
pub fn viewer_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<UiCommand>) -> bool {
    let Some(mut open_img) = open_image(ui.ctx()).filter(|o| o.job_id == job.id) else { return false };
    let images = job.result_images();
    let Some(image) = images.get(open_img.index) else {
        close(ui.ctx());
        return false;
    };
    if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        close(ui.ctx());
        return false;
    }
    let mut fit = false;
    let mut actual = false;
    ui.horizontal(|ui| {
        if ui.button("Close").on_hover_text("Escape").clicked() {
            close(ui.ctx());
        }
        fit = ui.button("Fit").clicked();
        actual = ui.button("100%").clicked();
        if let Some(v) = open_img.view {
            ui.weak(format!("{:.0}%", v.scale * 100.0));
        } else {
            ui.weak("fit");
        }
        ui.separator();
        export_buttons(ui, job, open_img.index, commands);
    });
    if open_image(ui.ctx()).is_none() {
        return false;
    }
    let Some(path) = &image.local_path else {
        ui.weak(image.error.as_deref().unwrap_or("The image is still downloading."));
        return true;
    };
    let uri = format!("file://{}", path.display());
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), egui::Sense::click_and_drag());
    let response = response.on_hover_text_at_pointer("Wheel: zoom · drag: pan");
    let canvas = [rect.width(), rect.height()];
    let texture = match ui.ctx().try_load_texture(&uri, egui::TextureOptions::LINEAR, egui::SizeHint::default()) {
        Ok(egui::load::TexturePoll::Ready { texture }) => texture,
        Ok(egui::load::TexturePoll::Pending { .. }) => {
            egui::Spinner::new().paint_at(ui, egui::Rect::from_center_size(rect.center(), egui::vec2(32.0, 32.0)));
            return true;
        }
        Err(e) => {
            ui.put(rect, egui::Label::new(format!("Could not show the image: {e}")));
            return true;
        }
    };
    let size = [texture.size.x, texture.size.y];
    let mut view = open_img.view.unwrap_or_else(|| View::fit(size, canvas, 1.0));
    let mut changed = false;
    if fit {
        open_img.view = None;
        view = View::fit(size, canvas, 1.0);
    } else if actual {
        view = View::actual_size(size, canvas);
        changed = true;
    }
    if response.dragged() {
        view.pan([response.drag_delta().x, response.drag_delta().y]);
        changed = true;
    }
    if let Some(pointer) = response.hover_pos() {
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let factor = (scroll * 0.002).exp() * zoom;
        if (factor - 1.0).abs() > 1e-4 {
            view.zoom_at(factor, [pointer.x - rect.min.x, pointer.y - rect.min.y]);
            changed = true;
        }
    }
    if response.double_clicked() {
        open_img.view = None;
        view = View::fit(size, canvas, 1.0);
        changed = false;
    }
    if changed {
        open_img.view = Some(view);
    }
    let (min, placed) = view.placed(size);
    let dest = egui::Rect::from_min_size(rect.min + egui::vec2(min[0], min[1]), egui::vec2(placed[0], placed[1]));
    let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
    ui.painter().with_clip_rect(rect).image(texture.id, dest, uv, egui::Color32::WHITE);
    ui.ctx().data_mut(|d| d.insert_temp(memory_id(), open_img));
    true
}

/// Closes the context menu the buttons are in, if they are in one.
fn close_menu(ui: &egui::Ui) {
    if egui::containers::menu::is_in_menu(ui) {
        ui.close();
    }
}

/// The labels of the export buttons, in the order of [`export_commands`].
pub const EXPORT_LABELS: [&str; 3] = ["Save image", "Copy image", "Show in folder"];

/// What `Save image`, `Copy image` and `Show in folder` of result image `index` of `job`
/// send; `None` until the image is downloaded.
pub fn export_commands(job: &Job, index: usize) -> Option<[UiCommand; 3]> {
    let source = job.result_images().get(index)?.local_path.clone()?;
    let file_name = crate::app::export::default_file_name(job.prompt.as_deref(), &job.id, index + 1, Some(&source));
    Some([
        UiCommand::SaveImage { source: source.clone(), file_name },
        UiCommand::CopyImage { source: source.clone() },
        UiCommand::ShowInFolder { path: source },
    ])
}

/// `Save image`, `Copy image` and `Show in folder` for result image `index` of `job`.
pub fn export_buttons(ui: &mut egui::Ui, job: &Job, index: usize, commands: &mut Vec<UiCommand>) {
    let ready = export_commands(job, index);
    let why = "The image is not downloaded yet";
    for (n, label) in EXPORT_LABELS.into_iter().enumerate() {
        if ui.add_enabled(ready.is_some(), egui::Button::new(label)).on_disabled_hover_text(why).clicked()
            && let Some(sends) = &ready
        {
            commands.push(sends[n].clone());
            close_menu(ui);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close_to(a: [f32; 2], b: [f32; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-3 && (a[1] - b[1]).abs() < 1e-3
    }

    #[test]
    fn fit_centres_the_whole_image_without_enlarging_it() {
        let v = View::fit([2000.0, 1000.0], [1000.0, 1000.0], 1.0);
        assert_eq!(v.scale, 0.5);
        assert_eq!(v.placed([2000.0, 1000.0]), ([0.0, 250.0], [1000.0, 500.0]));
        let small = View::fit([100.0, 100.0], [1000.0, 500.0], 1.0);
        assert_eq!(small.scale, 1.0, "a small image is not blown up");
        assert_eq!(small.offset, [450.0, 200.0]);
        assert_eq!(View::fit([0.0, 10.0], [10.0, 10.0], 1.0).scale, 1.0, "a degenerate image does not divide by zero");
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor_still() {
        let mut v = View::fit([2000.0, 1000.0], [1000.0, 1000.0], 1.0);
        let cursor = [300.0, 400.0];
        let before = v.to_image(cursor);
        v.zoom_at(3.0, cursor);
        assert!((v.scale - 1.5).abs() < 1e-6);
        assert!(close_to(v.to_image(cursor), before));
        v.zoom_at(1.0 / 3.0, cursor);
        assert!(close_to(v.to_image(cursor), before));
    }

    #[test]
    fn zoom_is_bounded_and_ignores_nonsense() {
        let mut v = View::actual_size([100.0, 100.0], [100.0, 100.0]);
        v.zoom_at(1e9, [0.0, 0.0]);
        assert_eq!(v.scale, MAX_SCALE);
        v.zoom_at(1e-12, [0.0, 0.0]);
        assert_eq!(v.scale, MIN_SCALE);
        let before = v;
        v.zoom_at(f32::NAN, [1.0, 1.0]);
        v.zoom_at(-2.0, [1.0, 1.0]);
        assert_eq!(v, before);
    }

    #[test]
    fn pan_moves_the_image_with_the_drag() {
        let mut v = View::actual_size([100.0, 100.0], [300.0, 300.0]);
        assert_eq!(v.offset, [100.0, 100.0]);
        v.pan([10.0, -5.0]);
        assert_eq!(v.offset, [110.0, 95.0]);
        assert_eq!(v.to_image([110.0, 95.0]), [0.0, 0.0]);
    }
}
