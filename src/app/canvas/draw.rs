//! Drawing the canvas: the layers of the picture for each display, the outline of a
//! rectangle or lasso being dragged, and the brush cursor. Nothing here changes the mask.

use egui::{Color32, Pos2, Response, Stroke, StrokeKind, Vec2};

use super::MaskCanvas;
use super::tools::Drag;
use super::{Display, SentAs};

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

impl MaskCanvas {
    /// Paints the canvas into `area` (its response `response`); `hide` holds the overlay back.
    pub(super) fn draw(&self, painter: &egui::Painter, response: &Response, hide: bool) {
        let Some(view) = self.view else { return };
        let area = response.rect;
        let (iw, ih) = (self.image.width(), self.image.height());
        let on_screen = |p: (f64, f64)| {
            let s = view.to_screen(p);
            Pos2::new(s.0 as f32, s.1 as f32)
        };
        let img_rect = egui::Rect::from_min_max(on_screen((0.0, 0.0)), on_screen((f64::from(iw), f64::from(ih))));
        let painter = painter.with_clip_rect(area);
        painter.rect_filled(area, 0.0, Color32::from_gray(24));
        let uv = egui::Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
        let alpha = (self.opacity.clamp(0.0, 1.0) * 255.0) as u8;
        let tint = Color32::from_rgba_unmultiplied(self.overlay.r(), self.overlay.g(), self.overlay.b(), alpha);
        for layer in layers(self.display, self.sent_as, tint, hide) {
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
        let image_point = |p: (f32, f32)| on_screen((f64::from(p.0), f64::from(p.1)));
        match &self.drag {
            Drag::Rect { start, .. } => {
                if let Some(p) = response.hover_pos().or(response.interact_pointer_pos()) {
                    painter.rect_stroke(
                        egui::Rect::from_two_pos(image_point(*start), p),
                        0.0,
                        line,
                        StrokeKind::Middle,
                    );
                }
            }
            Drag::Lasso { points, .. } => {
                painter.add(egui::Shape::line(points.iter().map(|&p| image_point(p)).collect(), line));
            }
            Drag::None | Drag::Paint | Drag::Pan => {}
        }
        if let Some(p) = response.hover_pos()
            && matches!(self.tool, super::Tool::Brush | super::Tool::Eraser)
        {
            brush_cursor(&painter, p, self.radius, view.zoom as f32);
        }
    }
}

/// The brush's outline at `p` (black under white, so it shows on any image) and its diameter.
fn brush_cursor(painter: &egui::Painter, p: Pos2, radius: f32, zoom: f32) {
    let r = radius * zoom;
    painter.circle_stroke(p, r, Stroke::new(1.5, Color32::BLACK));
    painter.circle_stroke(p, r, Stroke::new(1.0, Color32::WHITE));
    painter.text(
        p + Vec2::new(0.0, r + 4.0),
        egui::Align2::CENTER_TOP,
        format!("{:.0} px", radius * 2.0),
        egui::FontId::proportional(12.0),
        Color32::WHITE,
    );
}
