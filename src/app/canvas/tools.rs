//! Tool dispatch: what the designer did ([`Action`], from the toolbar, the keys or the pointer)
//! becomes edits of the [`MaskDoc`](crate::mask::MaskDoc) and changes of the view. No egui
//! here: every point is already in image pixels (or, for panning and zooming, in screen
//! points), so the tests drive it without a window.

use std::sync::Arc;

use super::{MAX_RADIUS, MIN_RADIUS, MaskCanvas, Tool};
use crate::mask::{Rect as MaskRect, View};

/// How much one `[` / `]` changes the brush radius.
pub const RADIUS_STEP: f32 = 1.25;

/// What the designer did, as the canvas understands it. Points named `at`, `from`, `to` are
/// image pixels (fractional); `screen` ones are screen points.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Pick(Tool),
    /// X: brush and eraser swap; the other tools swap between adding and subtracting.
    SwapMode,
    /// The toolbar's Add / Subtract.
    Mode {
        subtract: bool,
    },
    Smaller,
    Bigger,
    Undo,
    Redo,
    Invert,
    Clear,
    Grow,
    Shrink,
    /// Fit the whole image in the canvas.
    Fit,
    /// One image pixel per screen pixel, around the image's centre.
    ActualSize,
    Zoom {
        screen: (f64, f64),
        factor: f64,
    },
    Pan {
        by: (f64, f64),
    },
    /// A drag began at `from` and is now at `to`; `pan` when Space is held; `alt` inverts
    /// the add / subtract mode of the rectangle and the lasso.
    DragStart {
        from: (f32, f32),
        to: (f32, f32),
        pan: bool,
        alt: bool,
    },
    /// The pointer went through these points while dragging.
    DragMove(Vec<(f32, f32)>),
    /// The drag ended, here when the pointer is known.
    DragEnd(Option<(f32, f32)>),
    /// A click; `pixel` is the image pixel under it, if any (the wand's seed).
    Click {
        at: (f32, f32),
        pixel: Option<(u32, u32)>,
        alt: bool,
    },
}

/// A drag under way.
#[derive(Clone, Debug, Default)]
pub(super) enum Drag {
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

impl MaskCanvas {
    /// Whether the current tool adds to the mask (with Alt held when `alt`).
    pub fn adds(&self, alt: bool) -> bool {
        match self.tool {
            Tool::Brush => true,
            Tool::Eraser => false,
            Tool::Rectangle | Tool::Lasso | Tool::MagicWand => self.subtract == alt,
        }
    }

    /// Whether the add / subtract mode shows "Subtract" (the eraser, or subtracting tools).
    pub fn subtracting(&self) -> bool {
        !self.adds(false)
    }

    /// Does what `action` says; the mask texture is told what changed.
    pub fn apply(&mut self, action: Action) {
        let r = self.dispatch(action);
        self.textures.mark_dirty(r);
    }

    fn dispatch(&mut self, action: Action) -> MaskRect {
        match action {
            Action::Pick(tool) => self.tool = tool,
            Action::SwapMode => self.apply_mode(!self.subtracting()),
            Action::Mode { subtract } => self.apply_mode(subtract),
            Action::Smaller => self.radius = (self.radius / RADIUS_STEP).max(MIN_RADIUS),
            Action::Bigger => self.radius = (self.radius * RADIUS_STEP).min(MAX_RADIUS),
            Action::Undo => return self.doc.undo().unwrap_or_default(),
            Action::Redo => return self.doc.redo().unwrap_or_default(),
            Action::Invert => return self.doc.invert(),
            Action::Clear => return self.doc.clear(),
            Action::Grow => return self.doc.grow(self.morph_step),
            Action::Shrink => return self.doc.shrink(self.morph_step),
            Action::Fit => self.view = None,
            Action::ActualSize => {
                let (w, h) = (f64::from(self.image.width()), f64::from(self.image.height()));
                if let Some(v) = &mut self.view {
                    *v = v.actual_size(v.to_screen((w / 2.0, h / 2.0)));
                }
            }
            Action::Zoom { screen, factor } => {
                if let Some(v) = &mut self.view {
                    v.zoom_around(screen, factor);
                }
            }
            Action::Pan { by } => {
                if let Some(v) = &mut self.view {
                    v.pan(by);
                }
            }
            Action::DragStart { from, to, pan, alt } => return self.drag_start(from, to, pan, alt),
            Action::DragMove(points) => return self.drag_move(points),
            Action::DragEnd(at) => return self.drag_end(at),
            Action::Click { at, pixel, alt } => return self.click(at, pixel, alt),
        }
        MaskRect::EMPTY
    }

    fn apply_mode(&mut self, subtract: bool) {
        match self.tool {
            Tool::Brush | Tool::Eraser => self.tool = if subtract { Tool::Eraser } else { Tool::Brush },
            Tool::Rectangle | Tool::Lasso | Tool::MagicWand => self.subtract = subtract,
        }
    }

    fn drag_start(&mut self, from: (f32, f32), to: (f32, f32), pan: bool, alt: bool) -> MaskRect {
        let on = self.adds(alt);
        let mut r = MaskRect::EMPTY;
        self.drag = match self.tool {
            _ if pan => Drag::Pan,
            Tool::Brush | Tool::Eraser => {
                r = self.doc.stroke_begin(from, self.radius, !on);
                r = r.union(self.doc.stroke_to(to));
                Drag::Paint
            }
            Tool::Rectangle => Drag::Rect { start: from, on },
            Tool::Lasso => Drag::Lasso { points: vec![from, to], on },
            Tool::MagicWand => Drag::None,
        };
        r
    }

    fn drag_move(&mut self, points: Vec<(f32, f32)>) -> MaskRect {
        match &mut self.drag {
            Drag::Paint => points.into_iter().fold(MaskRect::EMPTY, |r, p| r.union(self.doc.stroke_to(p))),
            Drag::Lasso { points: lasso, .. } => {
                lasso.extend(points);
                MaskRect::EMPTY
            }
            Drag::None | Drag::Rect { .. } | Drag::Pan => MaskRect::EMPTY,
        }
    }

    fn drag_end(&mut self, at: Option<(f32, f32)>) -> MaskRect {
        match std::mem::take(&mut self.drag) {
            Drag::Paint => {
                let r = at.map_or(MaskRect::EMPTY, |p| self.doc.stroke_to(p));
                self.doc.stroke_end();
                r
            }
            Drag::Rect { start, on } => at.map_or(MaskRect::EMPTY, |e| self.doc.rect(rect_between(start, e), on)),
            Drag::Lasso { points, on } => self.doc.polygon(&points, on),
            Drag::None | Drag::Pan => MaskRect::EMPTY,
        }
    }

    fn click(&mut self, at: (f32, f32), pixel: Option<(u32, u32)>, alt: bool) -> MaskRect {
        let on = self.adds(alt);
        match self.tool {
            Tool::Brush | Tool::Eraser => {
                let r = self.doc.stroke_begin(at, self.radius, !on);
                self.doc.stroke_end();
                r
            }
            Tool::MagicWand => {
                let Some(px) = pixel else { return MaskRect::EMPTY };
                let image = Arc::clone(&self.image);
                self.doc.wand(&image, px, self.tolerance, on).unwrap_or_default()
            }
            Tool::Rectangle | Tool::Lasso => MaskRect::EMPTY,
        }
    }

    /// The view, fitted to `area` (screen: min corner and size) the first time it is asked.
    pub(super) fn view_in(&mut self, min: (f64, f64), size: (f64, f64)) -> View {
        let (w, h) = (self.image.width(), self.image.height());
        *self.view.get_or_insert_with(|| View::fit((w, h), min, size))
    }
}

/// The pixels between two image points (either corner first).
pub(super) fn rect_between(a: (f32, f32), b: (f32, f32)) -> MaskRect {
    let lo = |v: f32| v.round().max(0.0) as u32;
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    MaskRect::from_corners(lo(x0), lo(y0), lo(x1), lo(y1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbaImage;

    fn canvas() -> MaskCanvas {
        // left half dark, right half light: the wand selects one half
        let image =
            RgbaImage::from_fn(
                100,
                60,
                |x, _| if x < 50 { image::Rgba([20, 20, 20, 255]) } else { image::Rgba([240; 4]) },
            );
        let mut c = MaskCanvas::new(Arc::new(image), None).unwrap();
        c.radius = 4.0;
        c
    }

    fn drag(c: &mut MaskCanvas, from: (f32, f32), to: (f32, f32), alt: bool) {
        c.apply(Action::DragStart { from, to: from, pan: false, alt });
        c.apply(Action::DragMove(vec![to]));
        c.apply(Action::DragEnd(Some(to)));
    }

    #[test]
    fn x_swaps_brush_and_eraser_and_the_mode_of_the_other_tools() {
        let mut c = canvas();
        assert!(c.adds(false) && !c.subtracting());
        c.apply(Action::SwapMode);
        assert_eq!(c.tool, Tool::Eraser);
        assert!(c.subtracting());
        c.apply(Action::SwapMode);
        assert_eq!(c.tool, Tool::Brush);
        c.apply(Action::Pick(Tool::Rectangle));
        assert!(c.adds(false) && !c.adds(true), "Alt subtracts while adding");
        c.apply(Action::SwapMode);
        assert_eq!(c.tool, Tool::Rectangle, "the rectangle stays; its mode changes");
        assert!(!c.adds(false) && c.adds(true), "Alt adds while subtracting");
        c.apply(Action::Pick(Tool::Brush));
        assert!(c.adds(true), "the brush always adds, Alt or not");
        c.apply(Action::Mode { subtract: true });
        assert_eq!(c.tool, Tool::Eraser, "Subtract with the brush is the eraser");
    }

    #[test]
    fn rectangles_add_or_subtract_by_the_mode_and_alt() {
        let mut c = canvas();
        c.apply(Action::Pick(Tool::Rectangle));
        drag(&mut c, (10.0, 10.0), (30.0, 20.0), false);
        assert_eq!(c.mask().count(), 200);
        drag(&mut c, (10.0, 10.0), (20.0, 20.0), true);
        assert_eq!(c.mask().count(), 100, "Alt subtracted");
        c.apply(Action::SwapMode);
        drag(&mut c, (20.0, 10.0), (25.0, 20.0), false);
        assert_eq!(c.mask().count(), 50, "subtract mode subtracted");
        drag(&mut c, (0.0, 0.0), (5.0, 2.0), true);
        assert_eq!(c.mask().count(), 60, "Alt in subtract mode adds");
        assert_eq!(c.doc().history().undo_len(), 4);
    }

    #[test]
    fn the_wand_follows_the_mode_and_the_lasso_fills_its_outline() {
        let mut c = canvas();
        c.apply(Action::Pick(Tool::MagicWand));
        c.apply(Action::Click { at: (10.5, 10.5), pixel: Some((10, 10)), alt: false });
        assert_eq!(c.mask().count(), 50 * 60, "the dark half");
        c.apply(Action::Mode { subtract: true });
        c.apply(Action::Click { at: (10.5, 10.5), pixel: Some((10, 10)), alt: false });
        assert!(c.mask().is_empty());
        c.apply(Action::Click { at: (-3.0, 10.0), pixel: None, alt: false });
        assert!(c.mask().is_empty(), "outside the image nothing happens");
        c.apply(Action::Pick(Tool::Lasso));
        c.apply(Action::Mode { subtract: false });
        c.apply(Action::DragStart { from: (10.0, 10.0), to: (40.0, 10.0), pan: false, alt: false });
        c.apply(Action::DragMove(vec![(40.0, 40.0), (10.0, 40.0)]));
        c.apply(Action::DragEnd(None));
        assert_eq!(c.mask().count(), 30 * 30);
    }

    #[test]
    fn brush_strokes_are_one_step_and_the_radius_keys_stay_in_range() {
        let mut c = canvas();
        drag(&mut c, (10.0, 30.0), (90.0, 30.0), false);
        assert!(c.mask().get(50, 30) && !c.mask().get(50, 40));
        c.apply(Action::Pick(Tool::Eraser));
        c.apply(Action::Click { at: (50.0, 30.0), pixel: Some((50, 30)), alt: false });
        assert!(!c.mask().get(50, 30));
        assert_eq!(c.doc().history().undo_len(), 2);
        c.apply(Action::Undo);
        assert!(c.mask().get(50, 30));
        for _ in 0..100 {
            c.apply(Action::Bigger);
        }
        assert_eq!(c.radius, MAX_RADIUS);
        for _ in 0..100 {
            c.apply(Action::Smaller);
        }
        assert_eq!(c.radius, MIN_RADIUS);
    }

    #[test]
    fn panning_a_drag_changes_the_view_not_the_mask() {
        let mut c = canvas();
        let v = c.view_in((0.0, 0.0), (200.0, 120.0));
        c.apply(Action::DragStart { from: (10.0, 10.0), to: (12.0, 10.0), pan: true, alt: false });
        c.apply(Action::Pan { by: (5.0, 0.0) });
        c.apply(Action::DragEnd(Some((20.0, 10.0))));
        assert!(c.mask().is_empty());
        assert_eq!(c.view().unwrap().to_screen((0.0, 0.0)).0, v.to_screen((0.0, 0.0)).0 + 5.0);
        c.apply(Action::Fit);
        assert!(c.view().is_none());
    }
}
