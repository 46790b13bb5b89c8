//! The mask canvas: the image at any zoom with the mask as a coloured overlay, painted with
//! the tools of [`crate::mask::MaskDoc`].
//!
//! Every edit returns the rectangle it changed; only that rectangle of the mask texture is
//! uploaded (`TextureHandle::set_partial`), and nothing is ever redrawn from a list of
//! strokes, so a frame costs the same after a thousand strokes as after one. The mapping
//! between screen and image is [`crate::mask::View`] (exact at every zoom).
//!
//! Keys while the pointer is over the canvas: `[` / `]` brush size, `H` held shows the image
//! without the overlay, Space + drag pans; anywhere in the editor: Ctrl+Z undo, Ctrl+Shift+Z
//! or Ctrl+Y redo. The wheel zooms around the cursor; the middle button drags to pan. Alt
//! with the rectangle, lasso or wand subtracts.

mod texture;

use std::sync::Arc;

use egui::{Color32, Event, Key, Modifiers, PointerButton, Pos2, Role, Sense, Stroke, StrokeKind, Vec2, WidgetInfo};
use image::RgbaImage;

use crate::mask::{Mask, MaskDoc, MaskError, Rect as MaskRect, View};
use texture::MaskTextures;

/// The tools, with the names the accessibility tree (and the tests) know them by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Brush,
    Eraser,
    Rectangle,
    Lasso,
    MagicWand,
}

impl Tool {
    pub const ALL: [Tool; 5] = [Tool::Brush, Tool::Eraser, Tool::Rectangle, Tool::Lasso, Tool::MagicWand];

    pub fn label(self) -> &'static str {
        match self {
            Tool::Brush => "Brush",
            Tool::Eraser => "Eraser",
            Tool::Rectangle => "Rectangle",
            Tool::Lasso => "Lasso",
            Tool::MagicWand => "Magic wand",
        }
    }
}

/// What the canvas shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Display {
    /// The image with the mask as a coloured overlay.
    Overlay,
    /// The mask alone, white on black.
    MaskOnly,
    /// What the gateway receives, by [`SentAs`]: the black/white mask, or the image with
    /// a checkerboard where it will be transparent.
    AsSent,
}

/// How the flow being painted for sends the mask, for [`Display::AsSent`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SentAs {
    /// A black/white image, white = change: TTAPI inpaint (Vary Region), AceData, and what
    /// Vtrix's polygons are traced from.
    #[default]
    BlackWhite,
    /// The image itself with the area to change fully transparent: TTAPI image-edits.
    TransparentImage,
}

/// One layer of the picture, bottom first (see [`layers`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// The image rectangle filled with one colour.
    Fill(Color32),
    /// The image.
    Image,
    /// The mask texture tinted: the colour where marked, nothing elsewhere.
    Mask(Color32),
    /// The dark squares of a checkerboard, only where marked (the light ones are a
    /// [`Layer::Mask`] below): how image editors show transparency.
    MaskChecker(Color32),
}

/// The light and dark squares of the transparency checkerboard.
pub const CHECKER_LIGHT: Color32 = Color32::from_gray(204);
pub const CHECKER_DARK: Color32 = Color32::from_gray(153);
/// The checkerboard's square, in screen points.
pub const CHECKER_SIZE: f32 = 10.0;

/// What the canvas paints for `display` and `sent_as`, bottom first; `overlay` is the
/// overlay's tint (its alpha the opacity) and `hide` holds the overlay back (`H` held).
pub fn layers(display: Display, sent_as: SentAs, overlay: Color32, hide: bool) -> Vec<Layer> {
    match (display, sent_as) {
        (Display::Overlay, _) if hide => vec![Layer::Image],
        (Display::Overlay, _) => vec![Layer::Image, Layer::Mask(overlay)],
        (Display::MaskOnly, _) | (Display::AsSent, SentAs::BlackWhite) => {
            vec![Layer::Fill(Color32::BLACK), Layer::Mask(Color32::WHITE)]
        }
        (Display::AsSent, SentAs::TransparentImage) => {
            vec![Layer::Image, Layer::Mask(CHECKER_LIGHT), Layer::MaskChecker(CHECKER_DARK)]
        }
    }
}

/// The dark squares of a checkerboard of `size` anchored at `origin` (a light square
/// there), clipped to `visible`.
pub fn checker_squares(origin: Pos2, visible: egui::Rect, size: f32) -> Vec<egui::Rect> {
    let mut out = Vec::new();
    if size <= 0.0 || !visible.is_positive() {
        return out;
    }
    let first = |v: f32, o: f32| ((v - o) / size).floor() as i64;
    let (c0, c1) = (first(visible.min.x, origin.x), first(visible.max.x, origin.x));
    let (r0, r1) = (first(visible.min.y, origin.y), first(visible.max.y, origin.y));
    for row in r0..=r1 {
        for col in c0..=c1 {
            if (row + col).rem_euclid(2) == 1 {
                let min = Pos2::new(origin.x + col as f32 * size, origin.y + row as f32 * size);
                let square = egui::Rect::from_min_size(min, Vec2::splat(size)).intersect(visible);
                if square.is_positive() {
                    out.push(square);
                }
            }
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
enum Drag {
    #[default]
    None,
    Paint,
    Rect {
        start: (f32, f32),
        on: bool,
    },
    Lasso {
        points: Vec<(f32, f32)>,
        on: bool,
    },
    Pan,
}

/// The canvas editor: state between frames. Plain fields for the settings a panel may bind.
pub struct MaskCanvas {
    doc: MaskDoc,
    image: Arc<RgbaImage>,
    textures: MaskTextures,
    view: Option<View>,
    drag: Drag,
    pub tool: Tool,
    /// Brush radius in image pixels.
    pub radius: f32,
    pub opacity: f32,
    pub display: Display,
    /// How the flow sends the mask, for the "As sent" view (black/white unless told).
    pub sent_as: SentAs,
    pub tolerance: u8,
    /// Pixels grown or shrunk by one click of Grow / Shrink.
    pub morph_step: u32,
    pub overlay: Color32,
}

pub const MIN_RADIUS: f32 = 1.0;
pub const MAX_RADIUS: f32 = 500.0;

impl MaskCanvas {
    /// An editor over `image`, starting from `mask` (which must be at the image's size) or an
    /// empty mask.
    pub fn new(image: Arc<RgbaImage>, mask: Option<Mask>) -> Result<Self, MaskError> {
        let mask = match mask {
            Some(m) => {
                m.check_size(image.width(), image.height())?;
                m
            }
            None => Mask::new(image.width(), image.height()),
        };
        Ok(MaskCanvas {
            doc: MaskDoc::from_mask(mask),
            image,
            textures: MaskTextures::default(),
            view: None,
            drag: Drag::None,
            tool: Tool::Brush,
            radius: 24.0,
            opacity: 0.5,
            display: Display::Overlay,
            sent_as: SentAs::BlackWhite,
            tolerance: 24,
            morph_step: 4,
            overlay: Color32::from_rgb(255, 48, 96),
        })
    }

    pub fn mask(&self) -> &Mask {
        self.doc.mask()
    }

    pub fn doc(&self) -> &MaskDoc {
        &self.doc
    }

    /// [`MaskDoc::take_unsaved`]: what changed since the last call (a draft saves it).
    pub fn take_unsaved(&mut self) -> MaskRect {
        self.doc.take_unsaved()
    }

    pub fn view(&self) -> Option<View> {
        self.view
    }

    /// Replaces the whole mask (a kept draft restored) as one undo step; refused unless it is
    /// at the image's size.
    pub fn replace_mask(&mut self, mask: &Mask) -> Result<(), MaskError> {
        let r = self.doc.replace(mask)?;
        self.changed(r);
        Ok(())
    }

    /// Clears the mask as one undo step.
    pub fn clear_mask(&mut self) {
        let r = self.doc.clear();
        self.changed(r);
    }

    /// How many partial texture uploads were made, and the last one's rectangle.
    pub fn uploads(&self) -> (usize, MaskRect) {
        (self.textures.partial_uploads, self.textures.last_upload)
    }

    fn changed(&mut self, r: MaskRect) {
        self.textures.mark_dirty(r);
    }

    /// The editor: the tool panel above the canvas filling the rest of `ui`.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.toolbar(ui);
        self.shortcuts(ui);
        let size = ui.available_size().max(Vec2::splat(64.0));
        self.canvas(ui, size);
    }

    fn toolbar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            for tool in Tool::ALL {
                ui.selectable_value(&mut self.tool, tool, tool.label());
            }
            ui.separator();
            if ui.add_enabled(self.doc.history().can_undo(), egui::Button::new("Undo")).clicked()
                && let Some(r) = self.doc.undo()
            {
                self.changed(r);
            }
            if ui.add_enabled(self.doc.history().can_redo(), egui::Button::new("Redo")).clicked()
                && let Some(r) = self.doc.redo()
            {
                self.changed(r);
            }
            if ui.button("Invert").clicked() {
                let r = self.doc.invert();
                self.changed(r);
            }
            if ui.button("Clear").clicked() {
                let r = self.doc.clear();
                self.changed(r);
            }
            if ui.button("Grow").clicked() {
                let r = self.doc.grow(self.morph_step);
                self.changed(r);
            }
            if ui.button("Shrink").clicked() {
                let r = self.doc.shrink(self.morph_step);
                self.changed(r);
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.add(egui::Slider::new(&mut self.radius, MIN_RADIUS..=MAX_RADIUS).logarithmic(true).text("Brush size"));
            ui.add(egui::Slider::new(&mut self.opacity, 0.0..=1.0).text("Overlay opacity"));
            ui.add(egui::Slider::new(&mut self.tolerance, 0..=255).text("Wand tolerance"));
            ui.add(egui::Slider::new(&mut self.morph_step, 1..=100).text("Grow / shrink by"));
            ui.selectable_value(&mut self.display, Display::Overlay, "Overlay");
            ui.selectable_value(&mut self.display, Display::MaskOnly, "Mask only");
            ui.selectable_value(&mut self.display, Display::AsSent, "As sent");
            if ui.button("Fit").clicked() {
                self.view = None;
            }
            if ui.button("100%").clicked()
                && let Some(v) = &mut self.view
            {
                let centre = v.to_screen((f64::from(self.image.width()) / 2.0, f64::from(self.image.height()) / 2.0));
                *v = v.actual_size(centre);
            }
        });
    }

    fn shortcuts(&mut self, ui: &mut egui::Ui) {
        let (undo, redo) = ui.input_mut(|i| {
            let redo = i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
                || i.consume_key(Modifiers::COMMAND, Key::Y);
            let undo = !redo && i.consume_key(Modifiers::COMMAND, Key::Z);
            (undo, redo)
        });
        if undo && let Some(r) = self.doc.undo() {
            self.changed(r);
        }
        if redo && let Some(r) = self.doc.redo() {
            self.changed(r);
        }
    }

    fn canvas(&mut self, ui: &mut egui::Ui, size: Vec2) {
        let (response, painter) = ui.allocate_painter(size, Sense::click_and_drag());
        response.widget_info(|| WidgetInfo::labeled(Role::Canvas, true, "Mask canvas"));
        let area = response.rect;
        let (iw, ih) = (self.image.width(), self.image.height());
        let view = *self.view.get_or_insert_with(|| {
            View::fit(
                (iw, ih),
                (f64::from(area.min.x), f64::from(area.min.y)),
                (f64::from(area.width()), f64::from(area.height())),
            )
        });
        let to_image = |p: Pos2| view.to_image_f32((p.x, p.y));
        let hovered = response.hovered();

        // keys and wheel over the canvas
        let (space, hide, wheel, smaller, bigger) = ui.input(|i| {
            let wheel: f32 = i
                .events
                .iter()
                .filter_map(|e| match e {
                    Event::MouseWheel { unit, delta, .. } => Some(match unit {
                        egui::MouseWheelUnit::Point => delta.y,
                        egui::MouseWheelUnit::Line => delta.y * 40.0,
                        egui::MouseWheelUnit::Page => delta.y * 400.0,
                    }),
                    _ => None,
                })
                .sum();
            (
                i.key_down(Key::Space),
                i.key_down(Key::H),
                wheel,
                i.key_pressed(Key::OpenBracket),
                i.key_pressed(Key::CloseBracket),
            )
        });
        if hovered {
            if smaller {
                self.radius = (self.radius / 1.25).max(MIN_RADIUS);
            }
            if bigger {
                self.radius = (self.radius * 1.25).min(MAX_RADIUS);
            }
            if wheel != 0.0
                && let (Some(p), Some(v)) = (response.hover_pos(), &mut self.view)
            {
                v.zoom_around((f64::from(p.x), f64::from(p.y)), f64::from((wheel / 200.0).exp()));
            }
        }

        // pointer
        let subtract = ui.input(|i| i.modifiers.alt);
        if response.dragged_by(PointerButton::Middle) || (matches!(self.drag, Drag::Pan) && response.dragged()) {
            let d = response.drag_delta();
            if let Some(v) = &mut self.view {
                v.pan((f64::from(d.x), f64::from(d.y)));
            }
        } else if response.drag_started_by(PointerButton::Primary) {
            let origin = ui.input(|i| i.pointer.press_origin()).or(response.interact_pointer_pos());
            let here = response.interact_pointer_pos();
            if let (Some(o), Some(here)) = (origin, here) {
                let (o, here) = (to_image(o), to_image(here));
                self.drag = if space {
                    Drag::Pan
                } else {
                    match self.tool {
                        Tool::Brush | Tool::Eraser => {
                            let mut r = self.doc.stroke_begin(o, self.radius, self.tool == Tool::Eraser);
                            r = r.union(self.doc.stroke_to(here));
                            self.changed(r);
                            Drag::Paint
                        }
                        Tool::Rectangle => Drag::Rect { start: o, on: !subtract },
                        Tool::Lasso => Drag::Lasso { points: vec![o, here], on: !subtract },
                        Tool::MagicWand => Drag::None,
                    }
                };
            }
        } else if response.dragged_by(PointerButton::Primary) {
            // every pointer position of the frame, so fast drags stay round
            let moves: Vec<Pos2> = ui.input(|i| {
                i.events
                    .iter()
                    .filter_map(|e| match e {
                        Event::PointerMoved(p) => Some(*p),
                        _ => None,
                    })
                    .collect()
            });
            match &mut self.drag {
                Drag::Paint => {
                    let mut r = MaskRect::EMPTY;
                    for p in moves {
                        r = r.union(self.doc.stroke_to(to_image(p)));
                    }
                    self.changed(r);
                }
                Drag::Lasso { points, .. } => points.extend(moves.into_iter().map(to_image)),
                _ => {}
            }
        }
        if response.drag_stopped() {
            let end = response.interact_pointer_pos().map(to_image);
            match std::mem::take(&mut self.drag) {
                Drag::Paint => {
                    if let Some(p) = end {
                        let r = self.doc.stroke_to(p);
                        self.changed(r);
                    }
                    self.doc.stroke_end();
                }
                Drag::Rect { start, on } => {
                    if let Some(e) = end {
                        let r = self.doc.rect(rect_between(start, e), on);
                        self.changed(r);
                    }
                }
                Drag::Lasso { points, on } => {
                    let r = self.doc.polygon(&points, on);
                    self.changed(r);
                }
                Drag::None | Drag::Pan => {}
            }
        }
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            let at = to_image(p);
            match self.tool {
                Tool::Brush | Tool::Eraser => {
                    let r = self.doc.stroke_begin(at, self.radius, self.tool == Tool::Eraser);
                    self.doc.stroke_end();
                    self.changed(r);
                }
                Tool::MagicWand => {
                    if let Some(px) = view.pixel_at((f64::from(p.x), f64::from(p.y)), iw, ih) {
                        let image = Arc::clone(&self.image);
                        if let Ok(r) = self.doc.wand(&image, px, self.tolerance, !subtract) {
                            self.changed(r);
                        }
                    }
                }
                _ => {}
            }
        }

        // textures: the image once, then only the changed part of the mask
        self.textures.sync(ui.ctx(), &self.image, self.doc.mask());

        // paint
        let view = self.view.unwrap_or(view);
        let (a, b) = (view.to_screen((0.0, 0.0)), view.to_screen((f64::from(iw), f64::from(ih))));
        let img_rect = egui::Rect::from_min_max(Pos2::new(a.0 as f32, a.1 as f32), Pos2::new(b.0 as f32, b.1 as f32));
        let painter = painter.with_clip_rect(area);
        painter.rect_filled(area, 0.0, Color32::from_gray(24));
        let uv = egui::Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
        let alpha = (self.opacity.clamp(0.0, 1.0) * 255.0) as u8;
        let tint = Color32::from_rgba_unmultiplied(self.overlay.r(), self.overlay.g(), self.overlay.b(), alpha);
        for layer in layers(self.display, self.sent_as, tint, hovered && hide) {
            match (layer, &self.textures.image, &self.textures.mask) {
                (Layer::Fill(colour), _, _) => {
                    painter.rect_filled(img_rect, 0.0, colour);
                }
                (Layer::Image, Some(t), _) => {
                    painter.image(t.id(), img_rect, uv, Color32::WHITE);
                }
                (Layer::Mask(colour), _, Some(t)) => {
                    painter.image(t.id(), img_rect, uv, colour);
                }
                (Layer::MaskChecker(colour), _, Some(t)) => {
                    // one mesh over the mask texture: each dark square shows only where marked
                    let mut mesh = egui::Mesh::with_texture(t.id());
                    let to_uv = |p: Pos2| {
                        Pos2::new((p.x - img_rect.min.x) / img_rect.width(), (p.y - img_rect.min.y) / img_rect.height())
                    };
                    for sq in checker_squares(img_rect.min, img_rect.intersect(area), CHECKER_SIZE) {
                        mesh.add_rect_with_uv(sq, egui::Rect::from_min_max(to_uv(sq.min), to_uv(sq.max)), colour);
                    }
                    painter.add(egui::Shape::mesh(mesh));
                }
                _ => {}
            }
        }
        let line = Stroke::new(1.0, Color32::WHITE);
        let on_screen = |p: (f32, f32)| {
            let s = view.to_screen((f64::from(p.0), f64::from(p.1)));
            Pos2::new(s.0 as f32, s.1 as f32)
        };
        match &self.drag {
            Drag::Rect { start, .. } => {
                if let Some(p) = response.hover_pos().or(response.interact_pointer_pos()) {
                    painter.rect_stroke(egui::Rect::from_two_pos(on_screen(*start), p), 0.0, line, StrokeKind::Middle);
                }
            }
            Drag::Lasso { points, .. } => {
                painter.add(egui::Shape::line(points.iter().map(|&p| on_screen(p)).collect(), line));
            }
            _ => {}
        }
        if let Some(p) = response.hover_pos()
            && matches!(self.tool, Tool::Brush | Tool::Eraser)
        {
            let r = self.radius * view.zoom as f32;
            painter.circle_stroke(p, r, Stroke::new(1.5, Color32::BLACK));
            painter.circle_stroke(p, r, line);
            painter.text(
                p + Vec2::new(0.0, r + 4.0),
                egui::Align2::CENTER_TOP,
                format!("{:.0} px", self.radius * 2.0),
                egui::FontId::proportional(12.0),
                Color32::WHITE,
            );
        }
    }
}

/// The pixels between two image points (either corner first).
fn rect_between(a: (f32, f32), b: (f32, f32)) -> MaskRect {
    let lo = |v: f32| v.round().max(0.0) as u32;
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    MaskRect::from_corners(lo(x0), lo(y0), lo(x1), lo(y1))
}

#[cfg(test)]
mod tests;
