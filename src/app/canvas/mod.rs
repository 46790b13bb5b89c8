//! The mask canvas: the image at any zoom with the mask as a coloured overlay, painted with
//! the tools of [`crate::mask::MaskDoc`].
//!
//! Every edit returns the rectangle it changed; only that rectangle of the mask texture is
//! uploaded (`TextureHandle::set_partial`), and nothing is ever redrawn from a list of
//! strokes, so a frame costs the same after a thousand strokes as after one. The mapping
//! between screen and image is [`crate::mask::View`] (exact at every zoom).
//!
//! A frame goes: [`input`] reads the keys, wheel and pointer into [`Action`]s (the toolbar,
//! [`toolbar`], says what its buttons ask the same way); [`tools`] turns each action into mask
//! edits and view changes, collecting the dirty rectangles; [`texture`] uploads those; [`draw`]
//! paints the layers, the outline of a drag and the brush cursor. [`load`] is `Load mask`.
//! The keys are listed in [`input`].

mod draw;
mod input;
mod load;
mod texture;
mod toolbar;
mod tools;

use std::sync::Arc;

use egui::{Color32, Role, Sense, Vec2, WidgetInfo};
use image::RgbaImage;

use crate::mask::{Mask, MaskDoc, MaskError, Rect as MaskRect, View};
pub use draw::{CHECKER_DARK, CHECKER_LIGHT, CHECKER_SIZE, Layer, checker_squares, layers};
pub use input::TOOL_KEYS;
use load::MaskLoad;
use texture::MaskTextures;
use tools::Drag;
pub use tools::{Action, RADIUS_STEP};

/// The tools, with the names the accessibility tree (and the tests) know them by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tool {
    #[default]
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

    /// The tool's key, said when hovering its button.
    pub fn key_hint(self) -> &'static str {
        match self {
            Tool::Brush => "B",
            Tool::Eraser => "E",
            Tool::Rectangle => "R",
            Tool::Lasso => "L",
            Tool::MagicWand => "W",
        }
    }
}

/// What the canvas remembers across restarts (the window saves it with its own state).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CanvasPrefs {
    pub tool: Tool,
    /// Brush radius in image pixels.
    pub radius: f32,
}

impl Default for CanvasPrefs {
    fn default() -> Self {
        CanvasPrefs { tool: Tool::Brush, radius: DEFAULT_RADIUS }
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

/// The canvas editor: state between frames. Plain fields for the settings a panel may bind.
pub struct MaskCanvas {
    doc: MaskDoc,
    image: Arc<RgbaImage>,
    textures: MaskTextures,
    view: Option<View>,
    drag: Drag,
    load: MaskLoad,
    pub tool: Tool,
    /// The rectangle, lasso and wand subtract (Alt held inverts it); the brush and the
    /// eraser say it by themselves.
    pub subtract: bool,
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
pub const DEFAULT_RADIUS: f32 = 24.0;

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
            load: MaskLoad::default(),
            tool: Tool::Brush,
            subtract: false,
            radius: DEFAULT_RADIUS,
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

    /// The settings remembered across restarts.
    pub fn prefs(&self) -> CanvasPrefs {
        CanvasPrefs { tool: self.tool, radius: self.radius }
    }

    /// Takes remembered settings back (a radius out of range is brought into it).
    pub fn set_prefs(&mut self, prefs: &CanvasPrefs) {
        self.tool = prefs.tool;
        self.radius =
            if prefs.radius.is_finite() { prefs.radius.clamp(MIN_RADIUS, MAX_RADIUS) } else { DEFAULT_RADIUS };
    }

    /// Replaces the whole mask (a kept draft restored) as one undo step; refused unless it is
    /// at the image's size.
    pub fn replace_mask(&mut self, mask: &Mask) -> Result<(), MaskError> {
        let r = self.doc.replace(mask)?;
        self.textures.mark_dirty(r);
        Ok(())
    }

    /// Clears the mask as one undo step.
    pub fn clear_mask(&mut self) {
        let r = self.doc.clear();
        self.textures.mark_dirty(r);
    }

    /// How many partial texture uploads were made, and the last one's rectangle.
    pub fn uploads(&self) -> (usize, MaskRect) {
        (self.textures.partial_uploads, self.textures.last_upload)
    }

    /// The editor: the toolbar above the canvas filling the rest of `ui`.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.poll_load();
        for action in self.toolbar_ui(ui) {
            self.apply(action);
        }
        for action in input::keys(ui) {
            self.apply(action);
        }
        let size = ui.available_size().max(Vec2::splat(64.0));
        self.canvas_ui(ui, size);
    }

    /// The canvas itself: input, tools, texture upload, drawing.
    fn canvas_ui(&mut self, ui: &mut egui::Ui, size: Vec2) {
        let (response, painter) = ui.allocate_painter(size, Sense::click_and_drag());
        response.widget_info(|| WidgetInfo::labeled(Role::Canvas, true, "Mask canvas"));
        let area = response.rect;
        let min = (f64::from(area.min.x), f64::from(area.min.y));
        let view = self.view_in(min, (f64::from(area.width()), f64::from(area.height())));
        let size = (self.image.width(), self.image.height());
        let panning = matches!(self.drag, Drag::Pan);
        let (actions, hide) = input::pointer(ui, &response, &view, size, panning);
        for action in actions {
            self.apply(action);
        }
        // a Fit this frame: fit again now, so the picture never goes missing for a frame
        self.view_in(min, (f64::from(area.width()), f64::from(area.height())));
        // textures: the image once, then only the changed part of the mask
        self.textures.sync(ui.ctx(), &self.image, self.doc.mask());
        self.draw(&painter, &response, hide);
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod toolbar_tests;
