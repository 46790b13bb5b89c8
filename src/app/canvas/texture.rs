//! The canvas's two textures: the image, uploaded once, and the mask, uploaded whole once and
//! then only the rectangles edits changed (`TextureHandle::set_partial`).
//!
//! The mask texture is white where marked and transparent elsewhere (premultiplied: the
//! marked texel is `(255, 255, 255, 255)`, the kept one `(0, 0, 0, 0)`), so one texture
//! serves every display: tinted for the overlay, white over black for the mask-only and
//! as-sent views.

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use image::RgbaImage;

use crate::mask::{Mask, Rect};

#[derive(Default)]
pub(super) struct MaskTextures {
    pub image: Option<TextureHandle>,
    pub mask: Option<TextureHandle>,
    dirty: Rect,
    buf: Vec<u8>,
    pub partial_uploads: usize,
    pub last_upload: Rect,
}

impl MaskTextures {
    pub fn mark_dirty(&mut self, r: Rect) {
        self.dirty = self.dirty.union(r);
    }

    /// Creates the textures on first use; afterwards uploads the changed part of the mask.
    pub fn sync(&mut self, ctx: &egui::Context, image: &RgbaImage, mask: &Mask) {
        if self.image.is_none() {
            let size = [image.width() as usize, image.height() as usize];
            let img = ColorImage::from_rgba_unmultiplied(size, image.as_raw());
            self.image = Some(ctx.load_texture("mask-canvas-image", img, TextureOptions::NEAREST));
        }
        match &mut self.mask {
            None => {
                let full = mask_image(mask, mask.full_rect(), &mut self.buf);
                self.mask = Some(ctx.load_texture("mask-canvas-mask", full, TextureOptions::NEAREST));
                self.dirty = Rect::EMPTY;
            }
            Some(tex) => {
                let r = self.dirty.intersect(mask.full_rect());
                self.dirty = Rect::EMPTY;
                if !r.is_empty() {
                    let part = mask_image(mask, r, &mut self.buf);
                    tex.set_partial([r.x as usize, r.y as usize], part, TextureOptions::NEAREST);
                    self.partial_uploads += 1;
                    self.last_upload = r;
                }
            }
        }
    }
}

/// The texels of `r`: white where marked, transparent where kept.
fn mask_image(mask: &Mask, r: Rect, buf: &mut Vec<u8>) -> ColorImage {
    mask.copy_rect(r, buf);
    let pixels = buf.iter().map(|&v| Color32::from_rgba_premultiplied(v, v, v, v)).collect();
    ColorImage::new([r.w as usize, r.h as usize], pixels)
}
