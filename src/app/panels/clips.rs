//! A video job's clips in the job view: each shows its poster until the pointer rests on it
//! (it plays while hovered, as on Midjourney's site) or `Play` is pressed (it plays until
//! `Pause`); a playing clip loops in place (decoded on the player's own thread, see
//! [`crate::app::player`]), with `Pause`, a scrub bar, `Extend N` (`Extend` when there is one
//! clip), `Save video` and `Copy link`. A clip that cannot be played says why in its place.
//!
//! Players live in egui's memory for the job on show: opening another job drops them (and
//! stops their threads), so nothing decodes for a clip that is not on screen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::app::command::UiCommand;
use crate::app::player::ClipPlayer;
use crate::job::{Job, JobImage, short_id};

/// One clip's player and the texture its latest frame is in.
struct Slot {
    player: ClipPlayer,
    texture: Option<egui::TextureHandle>,
    /// The pixels last handed to the texture: once egui has uploaded them and let go, the
    /// next frame is written into the same memory (a clip's frame is about a megabyte, and
    /// a fresh one every frame cost the window more in page faults than the copy itself).
    pixels: Option<Arc<egui::ColorImage>>,
    shown: u64,
    /// Playing because the pointer is on it: it pauses when the pointer leaves.
    by_hover: bool,
}

/// The players of the job on show.
#[derive(Clone, Default)]
struct Players {
    job_id: String,
    slots: Arc<Mutex<HashMap<usize, Slot>>>,
}

fn players_id() -> egui::Id {
    egui::Id::unique("mjdesk.clip-players")
}

fn players_for(ctx: &egui::Context, job_id: &str) -> Players {
    ctx.data_mut(|d| {
        let p = d.get_temp_mut_or_default::<Players>(players_id());
        if p.job_id != job_id {
            *p = Players { job_id: job_id.to_owned(), ..Default::default() };
        }
        p.clone()
    })
}

/// Stops every clip (another job is on show, or none).
pub fn stop_all(ctx: &egui::Context) {
    ctx.data_mut(|d| d.remove::<Players>(players_id()));
}

pub fn clips_ui(ui: &mut egui::Ui, job: &Job, height: f32, commands: &mut Vec<UiCommand>) {
    let players = players_for(ui.ctx(), &job.id);
    let mut slots = players.slots.lock().unwrap_or_else(|e| e.into_inner());
    let count = job.images.len();
    let columns = if count >= 2 { 2 } else { 1 };
    let rows = count.div_ceil(columns).max(1);
    let Some(aspect) = clip_aspect(ui.ctx(), job).map(|a| a.clamp(0.25, 4.0)) else {
        // the poster's loader asks for a repaint when it is done
        ui.spinner();
        return;
    };
    let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    let widest = (ui.available_width() / columns as f32 - 12.0).max(96.0);
    // (10: the grid's spacing between rows)
    let fit =
        |control_rows: usize| widest.min((height / rows as f32 - 10.0 - control_rows as f32 * row) * aspect).max(96.0);
    // The largest clip whose controls still fit under it: `Play` and the scrub bar on one row,
    // then `Extend`, `Save video` and `Copy link`, which wrap onto more rows in a narrow cell.
    let extend = if count == 1 { "Extend".to_owned() } else { format!("Extend {count}") };
    let buttons = [extend.as_str(), "Save video", "Copy link"].map(|text| button_width(ui, text));
    let gap = ui.spacing().item_spacing.x;
    let control_rows = |w: f32| 1 + wrapped_rows(&buttons, gap, w);
    let cell_w = (2..=4).map(|c| (c, fit(c))).find(|&(c, w)| control_rows(w) <= c).map_or(fit(4), |(_, w)| w);
    let size = egui::vec2(cell_w, cell_w / aspect);
    egui::Grid::new(("clips", &job.id)).spacing([10.0, 10.0]).show(ui, |ui| {
        for (i, clip) in job.images.iter().enumerate() {
            let start = ui
                .vertical(|ui| {
                    // every cell as wide as its clip, playing or not: the grid never moves
                    ui.set_width(size.x);
                    clip_ui(ui, job, i, clip, slots.get_mut(&i), size, commands)
                })
                .inner;
            if let Some(Start { path, by_hover }) = start {
                let ctx = ui.ctx().clone();
                // Not `request_repaint()`: egui answers each of those with two passes (one to
                // settle), which would draw every frame of the clip twice; a repaint "after"
                // a delay is one pass. The players share one clock (see `player`), and the
                // delay lets the frames of every clip playing land in that one pass.
                let repaint = move || ctx.request_repaint_after(std::time::Duration::from_millis(8));
                let player = ClipPlayer::start(path, Arc::new(repaint));
                slots.insert(i, Slot { player, texture: None, pixels: None, shown: 0, by_hover });
            }
            if (i + 1) % columns == 0 {
                ui.end_row();
            }
        }
    });
}

/// The clips' width over height: the job's size when the gateway gave one, else the first
/// clip's poster's (a clip has its start image's shape: a portrait clip in a 16:9 cell would
/// be a third of its size). `None` while the poster is still loading, so the clips are laid
/// out once, in their shape, rather than jumping under the pointer when it arrives; 16:9 when
/// there is no poster to read.
pub(crate) fn clip_aspect(ctx: &egui::Context, job: &Job) -> Option<f32> {
    if let (Some(w), Some(h)) = (job.width, job.height) {
        return Some(w as f32 / h.max(1) as f32);
    }
    const WIDE: f32 = 16.0 / 9.0;
    let Some(clip) = job.images.first().and_then(|clip| clip.local_path.as_deref()) else { return Some(WIDE) };
    let uri = format!("file://{}", crate::thumbs::poster_path(clip).display());
    match ctx.try_load_texture(&uri, egui::TextureOptions::default(), egui::SizeHint::default()) {
        Ok(egui::load::TexturePoll::Ready { texture }) => Some(texture.size.x / texture.size.y.max(1.0)),
        Ok(egui::load::TexturePoll::Pending { .. }) => None,
        Err(_) => Some(WIDE),
    }
}

/// A button's width with `text` on it.
fn button_width(ui: &egui::Ui, text: &str) -> f32 {
    let wrap = Some(egui::TextWrapMode::Extend);
    let galley = egui::WidgetText::from(text).into_galley(ui, wrap, f32::INFINITY, egui::TextStyle::Button);
    galley.size().x + 2.0 * ui.spacing().button_padding.x
}

/// How many rows `widths`, laid left to right `gap` apart, take in `width`.
fn wrapped_rows(widths: &[f32], gap: f32, width: f32) -> usize {
    let (mut rows, mut x) = (1, 0.0);
    for &w in widths {
        if x > 0.0 && x + gap + w > width {
            rows += 1;
            x = w;
        } else {
            x += if x > 0.0 { gap + w } else { w };
        }
    }
    rows
}

/// A clip to start playing: its file, and whether the pointer (not `Play`) started it.
struct Start {
    path: std::path::PathBuf,
    by_hover: bool,
}

/// One clip; returns what to start playing when it was hovered or `Play` was pressed with no
/// player yet.
fn clip_ui(
    ui: &mut egui::Ui,
    job: &Job,
    i: usize,
    clip: &JobImage,
    mut slot: Option<&mut Slot>,
    size: egui::Vec2,
    commands: &mut Vec<UiCommand>,
) -> Option<Start> {
    let n = i + 1;
    let Some(path) = &clip.local_path else {
        match &clip.error {
            Some(e) => {
                ui.add_sized(size, egui::Label::new(egui::RichText::new(e).color(ui.visuals().error_fg_color)).wrap())
            }
            None => ui.add_sized(size, egui::Spinner::new()),
        };
        return None;
    };
    let mut start = None;
    let mut shown: Option<egui::Response> = None;
    let view = slot.as_ref().map(|s| s.player.view());
    match (slot.as_deref_mut(), &view) {
        (Some(slot), Some(v)) if v.error.is_none() && v.frame.is_some() => {
            if slot.shown != v.generation || slot.texture.is_none() {
                let image = egui::ImageData::Color(frame_pixels(&mut slot.pixels, v.frame.as_ref().expect("checked")));
                match &mut slot.texture {
                    // the same size: written into the texture in place, not a new one each frame
                    Some(t) if t.size() == image.size() => t.set_partial([0, 0], image, egui::TextureOptions::LINEAR),
                    Some(t) => t.set(image, egui::TextureOptions::LINEAR),
                    None => {
                        let name = format!("clip-{}-{i}", job.id);
                        slot.texture = Some(ui.ctx().load_texture(name, image, egui::TextureOptions::LINEAR));
                    }
                }
                slot.shown = v.generation;
            }
            if let Some(t) = &slot.texture {
                // fitted into the cell with the clip's own shape, as its poster is: a square
                // clip is not stretched to the cell's 16:9, and Play does not move the layout
                shown =
                    Some(ui.add(egui::Image::new((t.id(), t.size_vec2())).fit_to_exact_size(size).corner_radius(4.0)));
            }
        }
        (_, Some(v)) if v.error.is_some() => {
            let why = format!("This clip cannot be played: {}", v.error.as_deref().unwrap_or_default());
            ui.add_sized(size, egui::Label::new(egui::RichText::new(why).color(ui.visuals().error_fg_color)).wrap());
        }
        _ => {
            let poster = crate::thumbs::poster_path(path);
            shown = Some(ui.add(
                egui::Image::new(format!("file://{}", poster.display())).fit_to_exact_size(size).corner_radius(4.0),
            ));
        }
    }
    let playing = view.as_ref().is_some_and(|v| v.playing && v.error.is_none());
    let failed = view.as_ref().is_some_and(|v| v.error.is_some());
    let hovered = shown.is_some_and(|r| r.hovered());
    match slot.as_deref_mut() {
        None if hovered => start = Some(Start { path: path.clone(), by_hover: true }),
        Some(s) if hovered && !playing && !failed => {
            s.player.play();
            s.by_hover = true;
        }
        Some(s) if !hovered && playing && s.by_hover => {
            s.player.pause();
            s.by_hover = false;
        }
        _ => {}
    }
    ui.horizontal(|ui| {
        let label = if playing { "Pause" } else { "Play" };
        if ui.button(label).on_hover_text(format!("clip {n}")).clicked() {
            match (slot.as_deref_mut(), playing) {
                (None, _) => start = Some(Start { path: path.clone(), by_hover: false }),
                (Some(s), true) => {
                    s.by_hover = false;
                    s.player.pause();
                }
                (Some(s), false) => {
                    s.by_hover = false;
                    s.player.play();
                }
            }
        }
        if let (Some(v), Some(s)) = (view.as_ref().filter(|v| v.frames > 1), slot.as_ref()) {
            let mut at = v.index;
            // the rest of the row, with its name given to screen readers rather than shown
            ui.spacing_mut().slider_width = (ui.available_width() - 4.0).max(32.0);
            let slider = ui.add(egui::Slider::new(&mut at, 0..=v.frames - 1).show_value(false));
            let name = format!("Clip {n} position");
            slider.widget_info(|| egui::WidgetInfo::slider(true, f64::from(at), &name));
            if slider.changed() {
                s.player.seek(at);
            }
        }
    });
    ui.horizontal_wrapped(|ui| {
        let extend = if job.images.len() == 1 { "Extend".to_owned() } else { format!("Extend {n}") };
        if ui.button(&extend).on_hover_text("About 4 seconds more of this clip").clicked() {
            commands.push(UiCommand::Extend { job_id: job.id.clone(), index: i as u8 });
        }
        if ui.button("Save video").on_hover_text(format!("clip {n}")).clicked() {
            let file_name = format!("{}_clip{n}.mp4", short_id(&job.id));
            commands.push(UiCommand::SaveImage { source: path.clone(), file_name });
        }
        if ui.button("Copy link").on_hover_text(&clip.url).clicked() {
            ui.ctx().copy_text(clip.url.clone());
        }
    });
    start
}

/// `frame` as egui's pixels, written into `kept` when egui no longer holds it (and is the
/// same size), else into new memory that is kept for the next frame.
fn frame_pixels(kept: &mut Option<Arc<egui::ColorImage>>, frame: &image::RgbaImage) -> Arc<egui::ColorImage> {
    let size = [frame.width() as usize, frame.height() as usize];
    let reusable = kept.as_mut().and_then(Arc::get_mut).filter(|image| image.size == size);
    let image = match reusable {
        Some(image) => image,
        None => {
            *kept = Some(Arc::new(egui::ColorImage::filled(size, egui::Color32::BLACK)));
            Arc::get_mut(kept.as_mut().expect("just set")).expect("not shared yet")
        }
    };
    // A decoded frame is opaque, so its RGBA is already premultiplied. Fixed-size chunks
    // make this a plain copy (with `chunks_exact` it was a loop of its own, 8% of the
    // window's thread while a 16:9 clip played).
    let (rgba, _) = frame.as_raw().as_chunks::<4>();
    for (pixel, &[r, g, b, a]) in image.pixels.iter_mut().zip(rgba) {
        *pixel = egui::Color32::from_rgba_premultiplied(r, g, b, a);
    }
    kept.clone().expect("set above")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_wrap_onto_as_many_rows_as_the_width_needs() {
        let buttons = [60.0, 80.0, 70.0];
        assert_eq!(wrapped_rows(&buttons, 8.0, 300.0), 1);
        assert_eq!(wrapped_rows(&buttons, 8.0, 226.0), 1, "60 + 8 + 80 + 8 + 70");
        assert_eq!(wrapped_rows(&buttons, 8.0, 225.0), 2);
        assert_eq!(wrapped_rows(&buttons, 8.0, 100.0), 3);
        assert_eq!(wrapped_rows(&buttons, 8.0, 10.0), 3, "a button wider than the row still takes one row");
    }

    #[test]
    fn a_frame_goes_into_the_kept_pixels_once_egui_has_let_go() {
        let red = image::RgbaImage::from_pixel(4, 2, image::Rgba([200, 10, 10, 255]));
        let blue = image::RgbaImage::from_pixel(4, 2, image::Rgba([10, 10, 200, 255]));
        let mut kept = None;
        let first = frame_pixels(&mut kept, &red);
        assert_eq!(first.pixels[0], egui::Color32::from_rgb(200, 10, 10));
        let memory = first.pixels.as_ptr();
        // egui still holds the first frame: the second goes elsewhere, the first is unchanged
        let second = frame_pixels(&mut kept, &blue);
        assert_ne!(second.pixels.as_ptr(), memory);
        assert_eq!(first.pixels[0], egui::Color32::from_rgb(200, 10, 10));
        drop((first, second));
        // let go: the next frame reuses the memory
        let memory = kept.as_ref().unwrap().pixels.as_ptr();
        let third = frame_pixels(&mut kept, &red);
        assert_eq!(third.pixels.as_ptr(), memory);
        assert_eq!(third.pixels[7], egui::Color32::from_rgb(200, 10, 10));
        drop(third);
        // another size: new memory of that size
        let big = frame_pixels(&mut kept, &image::RgbaImage::from_pixel(8, 8, image::Rgba([0, 0, 0, 255])));
        assert_eq!((big.size, big.pixels.len()), ([8, 8], 64));
    }
}
