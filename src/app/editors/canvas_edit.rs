//! Vtrix "Canvas edit": image `index` of an earlier job placed on a canvas (outpaint or
//! reposition), an optional mask painted on the image itself, a remix prompt, and `Submit`.
//!
//! The canvas is drawn fitted to the panel; the image sits at its rectangle. Drag the image to
//! move it, drag a corner handle to resize it (its ratio kept), or set its size and position
//! from the keyboard. The rules (canvas sizes, the overlap kept on the canvas, the screen
//! mapping) are in [`crate::app::editors::placement`]. The mask is painted with the region editor's
//! [`MaskCanvas`] at the image's own size, as Vtrix wants it.
//!
//! The image is read and decoded off the UI thread (a blocking task, then a channel and a
//! repaint). `Submit` stays disabled while nothing sensible would be sent, and the reason
//! shows on the line under it ([`Blocked`]); a refusal of the submit shows beside it.
//! Escape closes the panel (from a text box or number field, the first one only leaves it).
//!
//! Accessible names added here: `Placement canvas` (the canvas with the image on it), the
//! presets `Image's own`, `1:1`, `4:3`, `3:4`, `16:9`, `9:16`, `2:1`, `1:2`, the buttons
//! `Centre image`, `Fit image`, `Actual size`, the checkbox `Use a mask`, the views
//! `Place image` / `Paint mask`, the slider `Image size` (percent of the image's own size,
//! about its centre) and the fields `Image x` / `Image y` (canvas pixels; with them the
//! placement needs no pointer), the text box `Remix prompt` (it says what the whole new
//! canvas shows, not one painted region, so it is not the region editor's `Region prompt`),
//! `Submit` and `Close`; in the job view, `Canvas edit` (one image) or `Canvas edit 1` ...
//! `Canvas edit 4`. The mask view brings the mask canvas's own names (`Mask canvas`, `Brush`...).
//!
//! Each frame only asks [`check`] why `Submit` might be disabled (the mask's running count,
//! no pass over its pixels); the intent is built by [`build_intent`] when `Submit` is
//! pressed, plain data in and out, so the end-to-end tests send exactly what the panel sends.

use std::path::PathBuf;
use std::sync::Arc;

use egui::{Color32, CursorIcon, PointerButton, Pos2, Rect, Role, Sense, Stroke, StrokeKind, Vec2, WidgetInfo};
use image::RgbaImage;

use super::placement::{Aspect, Corner, Drag, Grab, Placement};
use super::shell::{Blocked, EditorEvent, Load, blocked_by, prompt_row_ui, read_file, reason_line_ui};
use crate::app::background::Repaint;
use crate::app::canvas::MaskCanvas;
use crate::app::command::UiCommand;
use crate::app::engine::SendTo;
use crate::app::submission::Submission;
use crate::intent::{Intent, MaskSource};
use crate::job::{Canvas, Job, JobRequest, JobStatus, Provider, short_id};
use crate::mask::{Mask, MaskDoc, View};
use crate::store::Store;

/// Why image `index` placed as `placement`, with the mask being painted in `doc` when one is
/// used, and `prompt` cannot be sent: the same rules as [`build_intent`], read from the mask's
/// running count (no pass over its pixels).
pub fn check(placement: &Placement, doc: Option<&MaskDoc>, prompt: &str) -> Result<(), Blocked> {
    if let Some(doc) = doc {
        let (w, h) = placement.image();
        doc.check_for(w, h)?;
    } else if placement.unchanged() {
        return Err(Blocked::Unchanged);
    }
    if prompt.trim().is_empty() {
        return Err(Blocked::NoRemixPrompt);
    }
    Ok(())
}

/// The intent for image `index` of job `parent` placed as `placement`, with `mask` (when one
/// is used: checked not empty, not the whole image, at the image's size) and `prompt`.
pub fn build_intent(
    parent: &str,
    index: u8,
    placement: &Placement,
    mask: Option<&Mask>,
    prompt: &str,
) -> Result<Intent, Blocked> {
    if let Some(mask) = mask {
        let (w, h) = placement.image();
        mask.check_for(w, h)?;
    } else if placement.unchanged() {
        return Err(Blocked::Unchanged);
    }
    let prompt = prompt.trim();
    if prompt.is_empty() {
        return Err(Blocked::NoRemixPrompt);
    }
    Ok(Intent::CanvasEdit {
        parent: parent.to_owned(),
        index,
        canvas: Some(placement.to_canvas()),
        mask: mask.map(|m| MaskSource::Painted(m.clone())),
        prompt: prompt.to_owned(),
    })
}

/// The `Canvas edit` buttons a finished Vtrix job offers, one per image: label, whether the
/// image is downloaded, and what the button sends.
pub fn offered(job: &Job) -> Vec<(String, bool, UiCommand)> {
    if job.provider != Provider::Vtrix || job.status != JobStatus::Succeeded || job.gateway_id.is_none() {
        return Vec::new();
    }
    let images = job.result_images();
    let label = |i: usize| if images.len() == 1 { "Canvas edit".to_owned() } else { format!("Canvas edit {}", i + 1) };
    let open = |i: usize| UiCommand::CanvasEdit { job_id: job.id.clone(), index: i as u8 };
    images.iter().enumerate().take(4).map(|(i, image)| (label(i), image.local_path.is_some(), open(i))).collect()
}

/// The job view's `Canvas edit` buttons ([`offered`]).
pub fn open_buttons_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<UiCommand>) {
    for (label, ready, open) in offered(job) {
        if ui
            .add_enabled(ready, egui::Button::new(label))
            .on_hover_text("Place the image on a larger canvas, move or resize it, and say what fills the rest")
            .on_disabled_hover_text("The image is not downloaded yet")
            .clicked()
        {
            commands.push(open);
        }
    }
}

/// What an earlier canvas edit was sent with: a new one starts from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub canvas: Canvas,
    pub mask: Option<Mask>,
    pub prompt: String,
}

/// A new canvas edit starting from `job`, a canvas edit: its parent (our id), which image,
/// and what it was sent with. `None` for any other job or a parent not known here.
pub fn edit_again(job: &Job) -> Option<(String, u8, Sent)> {
    let JobRequest::CanvasEdit { parent, canvas, prompt, mask } = &*job.request else { return None };
    let sent = Sent { canvas: *canvas, mask: mask.clone(), prompt: prompt.clone() };
    Some((job.parent_id.clone()?, parent.image_index.unwrap_or(0), sent))
}

/// Image `index` of job `job_id`, as downloaded. Blocking.
fn read_job_image(store: &Store, job_id: &str, index: u8) -> Result<Arc<RgbaImage>, String> {
    let job = store
        .get_job(job_id)
        .map_err(|e| crate::textsafe::one_line(&e.to_string()).into_owned())?
        .ok_or_else(|| format!("job {} is not here any more", short_id(job_id)))?;
    let path = job
        .result_images()
        .get(usize::from(index))
        .and_then(|i| i.local_path.clone())
        .ok_or_else(|| format!("image {} of job {} is not downloaded", index + 1, short_id(job_id)))?;
    read_file(&path)
}

/// Which view fills the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Place,
    Mask,
}

/// The decoded image, and its pixels ready for a texture (converted off the UI thread).
struct Loaded {
    image: Arc<RgbaImage>,
    pixels: egui::ColorImage,
}

struct Ready {
    placement: Placement,
    mask: MaskCanvas,
    pixels: Option<egui::ColorImage>,
    texture: Option<egui::TextureHandle>,
}

/// The panel: one image on its canvas, the optional mask, the prompt and the submit's fate.
pub struct CanvasEditor {
    /// Our id of the job the image belongs to, and which of its images.
    pub parent: String,
    pub index: u8,
    pub prompt: String,
    pub send_to: Option<SendTo>,
    /// Whether the painted mask is sent.
    pub use_mask: bool,
    pub show: Show,
    load: Load<Loaded, Ready>,
    drag: Option<Drag>,
    /// The last frame's screen mapping of the canvas.
    view: Option<View>,
    pub submission: Submission,
    /// Whether a widget had the keyboard focus at the end of the last pass.
    had_focus: bool,
    /// The placement and mask to start from, once the image is in.
    start: Option<Sent>,
}

fn loaded(image: Arc<RgbaImage>) -> Loaded {
    let size = [image.width() as usize, image.height() as usize];
    let pixels = egui::ColorImage::from_rgba_unmultiplied(size, image.as_raw());
    Loaded { image, pixels }
}

impl CanvasEditor {
    /// A panel whose image (the file at `path`) is loaded in the background; `repaint` is
    /// called once it is in.
    pub fn open(parent: String, index: u8, path: PathBuf, send_to: Option<SendTo>, repaint: Repaint) -> Self {
        let load = Load::spawn(repaint, move || read_file(&path).map(loaded));
        Self::new(parent, index, load, send_to)
    }

    /// A panel starting from what an earlier canvas edit of image `index` of job `parent` was
    /// sent with; the image is read from the store in the background.
    pub fn again(
        parent: String,
        index: u8,
        sent: Sent,
        store: Store,
        send_to: Option<SendTo>,
        repaint: Repaint,
    ) -> Self {
        let job_id = parent.clone();
        let load = Load::spawn(repaint, move || read_job_image(&store, &job_id, index).map(loaded));
        let mut panel = Self::new(parent, index, load, send_to);
        panel.prompt = sent.prompt.clone();
        panel.start = Some(sent);
        panel
    }

    /// A panel over an image already in memory.
    pub fn with_image(parent: String, index: u8, image: Arc<RgbaImage>) -> Self {
        let mut panel = Self::new(parent, index, Load::Failed(String::new()), None);
        panel.ready(loaded(image));
        panel
    }

    fn new(parent: String, index: u8, load: Load<Loaded, Ready>, send_to: Option<SendTo>) -> Self {
        CanvasEditor {
            parent,
            index,
            prompt: String::new(),
            send_to,
            use_mask: false,
            show: Show::Place,
            load,
            drag: None,
            view: None,
            submission: Submission::default(),
            had_focus: false,
            start: None,
        }
    }

    fn ready(&mut self, loaded: Loaded) {
        let size = (loaded.image.width(), loaded.image.height());
        let start = self.start.take();
        let placement =
            start.as_ref().map_or_else(|| Placement::new(size), |s| Placement::from_canvas(size, &s.canvas));
        let mask = start.and_then(|s| s.mask);
        self.use_mask = mask.is_some();
        // A mask from the store is checked against the image here, never trusted.
        self.load = match MaskCanvas::new(loaded.image, mask) {
            Ok(mask) => Load::Ready(Box::new(Ready { placement, mask, pixels: Some(loaded.pixels), texture: None })),
            Err(e) => Load::Failed(e.to_string()),
        };
    }

    /// Takes in the loaded image.
    pub fn poll(&mut self) {
        if let Some(loaded) = self.load.poll() {
            self.ready(loaded);
        }
    }

    pub fn placement(&self) -> Option<&Placement> {
        self.load.ready().map(|r| &r.placement)
    }

    pub fn placement_mut(&mut self) -> Option<&mut Placement> {
        self.load.ready_mut().map(|r| &mut r.placement)
    }

    pub fn mask_canvas(&self) -> Option<&MaskCanvas> {
        self.load.ready().map(|r| &r.mask)
    }

    pub fn mask_canvas_mut(&mut self) -> Option<&mut MaskCanvas> {
        self.load.ready_mut().map(|r| &mut r.mask)
    }

    /// The last frame's mapping between canvas pixels and the screen.
    pub fn view(&self) -> Option<View> {
        self.view
    }

    /// Why `Submit` is disabled, if it is: cheap enough for every frame.
    pub fn blocked(&self) -> Option<Blocked> {
        blocked_by(&self.submission, || match self.load.ready() {
            Some(r) => check(&r.placement, self.use_mask.then(|| r.mask.doc()), &self.prompt),
            None => Err(self.load.blocked().unwrap_or(Blocked::Loading)),
        })
    }

    /// The intent `Submit` sends (the mask, when used, copied into it), or why it is disabled.
    pub fn intent(&self) -> Result<Intent, Blocked> {
        if let Some(why) = self.blocked() {
            return Err(why);
        }
        let r = self.load.ready().ok_or(Blocked::Loading)?;
        let mask = self.use_mask.then(|| r.mask.mask());
        build_intent(&self.parent, self.index, &r.placement, mask, &self.prompt)
    }

    /// The panel filling `ui`: title, canvas controls, prompt and `Submit` (with why not),
    /// then the canvas (or the mask being painted).
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<EditorEvent> {
        let mut event = None;
        // Escape in a text box or number field only leaves it (egui drops the focus before this
        // pass, so the last pass's focus says); otherwise it closes the panel.
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) && !self.had_focus {
            event = Some(EditorEvent::Close);
        }
        ui.horizontal(|ui| {
            ui.heading("Canvas edit");
            ui.weak(format!("image {} of job {}", self.index + 1, short_id(&self.parent)));
            if ui.button("Close").on_hover_text("Escape").clicked() {
                event = Some(EditorEvent::Close);
            }
        });
        self.controls_ui(ui);
        self.submit_ui(ui, &mut event);
        match self.load.ready_mut() {
            Some(ready) if self.use_mask && self.show == Show::Mask => ready.mask.ui(ui),
            Some(ready) => self.view = Some(placement_ui(ui, ready, &mut self.drag)),
            None => self.load.placeholder_ui(ui),
        }
        self.had_focus = ui.memory(|m| m.focused().is_some());
        event
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui) {
        let Some(ready) = self.load.ready_mut() else { return };
        let p = &mut ready.placement;
        ui.horizontal_wrapped(|ui| {
            ui.label("Canvas:");
            for aspect in Aspect::PRESETS {
                if ui.selectable_label(p.aspect() == aspect, aspect.label()).clicked() {
                    p.set_aspect(aspect);
                    self.show = Show::Place;
                }
            }
            ui.separator();
            if ui.button("Centre image").clicked() {
                p.centre();
            }
            if ui.button("Fit image").on_hover_text("As large as fits wholly on the canvas").clicked() {
                p.fit();
            }
            if ui.button("Actual size").on_hover_text("The image at its own size, centred").clicked() {
                p.actual_size();
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .checkbox(&mut self.use_mask, "Use a mask")
                .on_hover_text("Paint the part of the image to redraw too")
                .changed()
            {
                self.show = if self.use_mask { Show::Mask } else { Show::Place };
            }
            if self.use_mask {
                ui.selectable_value(&mut self.show, Show::Place, "Place image");
                ui.selectable_value(&mut self.show, Show::Mask, "Paint mask");
            }
            ui.separator();
            // the same placement from the keyboard, exactly
            let (lo, hi) = p.percent_range();
            let mut percent = p.percent();
            let size = egui::Slider::new(&mut percent, lo..=hi).logarithmic(true).suffix("%").max_decimals(1);
            if ui.add(size.text("Image size")).changed() {
                p.scale_about_centre(percent / 100.0);
            }
            let r = p.rect();
            let (mut x, mut y) = (r.x, r.y);
            let label = ui.label("Image x");
            let moved_x = ui.add(egui::DragValue::new(&mut x).suffix(" px")).labelled_by(label.id).changed();
            let label = ui.label("Image y");
            let moved_y = ui.add(egui::DragValue::new(&mut y).suffix(" px")).labelled_by(label.id).changed();
            if moved_x || moved_y {
                p.move_to(x, y);
            }
            let (c, r) = (p.canvas(), p.rect());
            ui.weak(format!("canvas {}×{}, image {}×{}", c.0, c.1, r.w, r.h));
        });
    }

    fn submit_ui(&mut self, ui: &mut egui::Ui, event: &mut Option<EditorEvent>) {
        let hint = "what the canvas should show";
        let blocked = self.blocked();
        let (_, clicked, reason) = prompt_row_ui(ui, "Remix prompt", hint, &mut self.prompt, blocked, &self.submission);
        if clicked {
            // the mask (when used) is copied into the request here, once, not on every frame
            match self.intent() {
                Ok(intent) => *event = Some(EditorEvent::Submit(intent)),
                Err(why) => self.submission.refused(&why.to_string()),
            }
        }
        reason_line_ui(ui, reason);
    }
}

/// Room round the canvas on screen, in points.
const MARGIN: f32 = 28.0;

fn pos((x, y): (f64, f64)) -> Pos2 {
    Pos2::new(x as f32, y as f32)
}

fn screen(p: Pos2) -> (f64, f64) {
    (f64::from(p.x), f64::from(p.y))
}

/// The canvas fitted into the rest of `ui`, the image on it; a drag moves or resizes it.
/// Returns the mapping used.
fn placement_ui(ui: &mut egui::Ui, ready: &mut Ready, drag: &mut Option<Drag>) -> View {
    let size = ui.available_size().max(Vec2::splat(64.0));
    let (response, painter) = ui.allocate_painter(size, Sense::click_and_drag());
    response.widget_info(|| WidgetInfo::labeled(Role::Canvas, true, "Placement canvas"));
    let area = response.rect;
    // a margin round the canvas, so the handles and some of an overhang stay in sight
    let fit = area.shrink(MARGIN.min(area.width() / 4.0).min(area.height() / 4.0));
    let p = &mut ready.placement;
    let view = p.view(screen(fit.min), (f64::from(fit.width()), f64::from(fit.height())));

    if response.drag_started_by(PointerButton::Primary) {
        let origin = ui.input(|i| i.pointer.press_origin()).or(response.interact_pointer_pos());
        *drag = origin.and_then(|o| p.begin_drag(&view, screen(o)));
    } else if response.dragged_by(PointerButton::Primary)
        && let (Some(d), Some(here)) = (drag.as_ref(), response.interact_pointer_pos())
    {
        p.drag_to(d, &view, screen(here));
    }
    // the drag ends whether or not the pointer is still known
    if response.drag_stopped()
        && let (Some(d), Some(here)) = (drag.take(), response.interact_pointer_pos())
    {
        p.drag_to(&d, &view, screen(here));
    }
    let grab = drag.map(|d| d.grab).or_else(|| response.hover_pos().and_then(|h| p.hit(&view, screen(h))));
    if let Some(grab) = grab {
        ui.ctx().set_cursor_icon(match grab {
            Grab::Move if drag.is_some() => CursorIcon::Grabbing,
            Grab::Move => CursorIcon::Grab,
            Grab::Corner(Corner::TopLeft | Corner::BottomRight) => CursorIcon::ResizeNwSe,
            Grab::Corner(_) => CursorIcon::ResizeNeSw,
        });
    }

    // the canvas, then the image: faint where it hangs over the edge, whole on the canvas
    let (cw, ch) = p.canvas();
    let canvas = Rect::from_min_max(pos(view.to_screen((0.0, 0.0))), pos(view.to_screen((cw.into(), ch.into()))));
    let visuals = ui.visuals();
    painter.rect_filled(canvas, 0.0, visuals.extreme_bg_color);
    if let Some(pixels) = ready.pixels.take() {
        ready.texture = Some(ui.ctx().load_texture("canvas-edit-image", pixels, egui::TextureOptions::LINEAR));
    }
    let (min, max) = p.screen_rect(&view);
    let image = Rect::from_min_max(pos(min), pos(max));
    let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
    if let Some(texture) = &ready.texture {
        painter.image(texture.id(), image, uv, Color32::from_white_alpha(70));
        painter.with_clip_rect(canvas.intersect(area)).image(texture.id(), image, uv, Color32::WHITE);
    }
    painter.rect_stroke(canvas, 0.0, Stroke::new(1.0, visuals.weak_text_color()), StrokeKind::Outside);
    let accent = visuals.selection.stroke.color;
    painter.rect_stroke(image, 0.0, Stroke::new(1.5, accent), StrokeKind::Middle);
    for (_, at) in p.handles(&view) {
        let handle = Rect::from_center_size(pos(at), Vec2::splat(10.0));
        painter.rect_filled(handle, 2.0, visuals.panel_fill);
        painter.rect_stroke(handle, 2.0, Stroke::new(1.5, accent), StrokeKind::Middle);
    }
    view
}

#[cfg(test)]
mod tests;
