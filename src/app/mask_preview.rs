//! A small black/white picture of the mask a job was sent with (white = changed), shown in
//! its job view. The picture is scaled down on a background thread; the UI thread only
//! uploads the finished preview once. A few previews are kept, keyed by job.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};

use crate::job::JobRequest;
use crate::mask::Mask;

/// The longest side of a preview, in pixels.
pub const PREVIEW_SIDE: u32 = 160;
const KEPT: usize = 16;

/// `mask` shrunk to fit `side` x `side`: a preview pixel is white when any mask pixel it
/// covers is set, so a thin stroke still shows.
pub fn preview_pixels(mask: &Mask, side: u32) -> ColorImage {
    let (w, h) = (mask.width().max(1), mask.height().max(1));
    let scale = (f64::from(side) / f64::from(w.max(h))).min(1.0);
    let pw = ((f64::from(w) * scale).round() as u32).max(1);
    let ph = ((f64::from(h) * scale).round() as u32).max(1);
    let mut any = vec![false; (pw * ph) as usize];
    for y in 0..mask.height() {
        let py = (u64::from(y) * u64::from(ph) / u64::from(h)) as u32;
        for (x, &v) in mask.row(y).iter().enumerate() {
            if v != 0 {
                let px = (x as u64 * u64::from(pw) / u64::from(w)) as u32;
                any[(py * pw + px) as usize] = true;
            }
        }
    }
    let pixels = any.into_iter().map(|on| if on { Color32::WHITE } else { Color32::BLACK }).collect();
    ColorImage::new([pw as usize, ph as usize], pixels)
}

enum Slot {
    Building,
    Built(ColorImage),
    Shown(TextureHandle),
}

#[derive(Clone, Default)]
struct Previews(Arc<Mutex<HashMap<String, Slot>>>);

/// The preview of the mask `request` carries for job `job_id`, at most `side` points wide;
/// a spinner while it is being made.
pub fn mask_preview_ui(ui: &mut egui::Ui, job_id: &str, request: &Arc<JobRequest>) {
    let ctx = ui.ctx().clone();
    let previews =
        ctx.data_mut(|d| d.get_temp_mut_or_default::<Previews>(egui::Id::unique("mjdesk.mask-previews")).clone());
    let mut slots = previews.0.lock().unwrap_or_else(|p| p.into_inner());
    match slots.get_mut(job_id) {
        None => {
            if slots.len() >= KEPT {
                slots.clear();
            }
            slots.insert(job_id.to_owned(), Slot::Building);
            let (request, id, previews, ctx) = (Arc::clone(request), job_id.to_owned(), previews.clone(), ctx.clone());
            std::thread::spawn(move || {
                let Some(mask) = request.sent_mask() else { return };
                let image = preview_pixels(mask, PREVIEW_SIDE);
                previews.0.lock().unwrap_or_else(|p| p.into_inner()).insert(id, Slot::Built(image));
                ctx.request_repaint();
            });
            ui.spinner();
        }
        Some(Slot::Building) => {
            ui.spinner();
        }
        Some(slot @ Slot::Built(_)) => {
            let Slot::Built(image) = std::mem::replace(slot, Slot::Building) else { return };
            let size = image.size;
            let texture = ctx.load_texture(format!("mask-preview-{job_id}"), image, TextureOptions::NEAREST);
            show(ui, &texture, size);
            *slot = Slot::Shown(texture);
        }
        Some(Slot::Shown(texture)) => {
            let size = texture.size();
            show(ui, texture, size);
        }
    }
}

fn show(ui: &mut egui::Ui, texture: &TextureHandle, size: [usize; 2]) {
    let size = egui::vec2(size[0] as f32, size[1] as f32);
    ui.add(egui::Image::new((texture.id(), size)).alt_text("The mask this job was sent with"))
        .on_hover_text("The mask this job was sent with: white was changed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_keeps_thin_strokes_and_the_aspect() {
        let mut m = Mask::new(1600, 800);
        m.fill_rect(0, 400, 1600, 401, true); // one pixel high
        m.fill_rect(1590, 0, 1600, 10, true);
        let p = preview_pixels(&m, 160);
        assert_eq!(p.size, [160, 80]);
        let at = |x: usize, y: usize| p.pixels[y * 160 + x];
        assert!((0..160).all(|x| at(x, 40) == Color32::WHITE), "the one-pixel line shows all along");
        assert_eq!(at(159, 0), Color32::WHITE);
        assert_eq!(at(80, 10), Color32::BLACK);
        assert_eq!(p.pixels.iter().filter(|c| **c == Color32::WHITE).count(), 161);
        let small = preview_pixels(&Mask::new(20, 10), 160);
        assert_eq!(small.size, [20, 10], "never enlarged");
    }
}
