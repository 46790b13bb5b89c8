//! What a job will produce ([`Work`], fixed at submit) and producing it: pixels from
//! [`render`](super::render) and [`compose`](super::compose), masks applied, PNGs encoded.
//! Runs on the blocking pool, once per job.

use axum::body::Bytes;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbaImage};

use super::clips::{self, ClipSpec};
use super::compose::{self, capped, resize};
use super::describe::describe;
use super::inputs;
use super::masks;
use super::prompt::grid_dims;
use super::render::{render, render_capped, scene};
use super::state::Shape;
use crate::actions::PanDirection;
use crate::mask::Mask;

/// An input picture: stored PNG bytes (decoded when the job runs) or already decoded.
pub(super) enum Pic {
    Png(Bytes),
    Image(RgbaImage),
}

impl Pic {
    fn load(self) -> Result<RgbaImage, String> {
        match self {
            Pic::Png(b) => inputs::decode(&b),
            Pic::Image(i) => Ok(i),
        }
    }
}

/// How a zoom-out or pan grows the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Extension {
    Zoom(f32),
    Pan(PanDirection),
    Square,
}

/// Everything a job needs to produce its result, decided and validated at submit.
pub(super) enum Work {
    /// A grid of four scenes (imagine, reroll).
    Scenes {
        prompt: String,
        seed: u64,
        aspect: (u32, u32),
    },
    /// U1-U4: a quadrant at twice its size, re-rendered sharp when it is a pure scene.
    Upscale {
        quad: Pic,
        scene: Option<(String, u64, u32)>,
    },
    /// Upscale (Subtle / Creative / 2x / 4x) of a single image.
    Enlarge {
        image: Pic,
        factor: u32,
        creative: bool,
    },
    /// A grid of four variations.
    Vary {
        image: Pic,
        prompt: String,
        seed: u64,
        strength: f32,
    },
    /// Zoom out, pan, make square: a grid of four larger canvases around the image.
    Extend {
        image: Pic,
        how: Extension,
        prompt: String,
        seed: u64,
    },
    Blend {
        images: Vec<RgbaImage>,
        aspect: (u32, u32),
        seed: u64,
    },
    /// Four images: `base` with the masked pixels regenerated from the prompt.
    Masked {
        base: Pic,
        mask: Mask,
        prompt: String,
        seed: u64,
    },
    Retexture {
        base: Pic,
        prompt: String,
        seed: u64,
    },
    /// Vtrix edit: the image at `place` (x, y, w, h) on a `canvas`, the rest generated.
    Canvas {
        base: Pic,
        canvas: (u32, u32),
        place: (i64, i64, u32, u32),
        mask: Option<Mask>,
        prompt: String,
        seed: u64,
    },
    /// Vtrix remix: four variations steered toward a new prompt.
    Remix {
        base: Pic,
        prompt: String,
        seed: u64,
        strong: bool,
    },
    Describe {
        image: Pic,
    },
    Seed {
        seed: u64,
    },
    /// Animate or extend: a batch of clips.
    Clips(ClipSpec),
}

/// One encoded image: name suffix, PNG, width, height.
pub(super) type Png = (String, Vec<u8>, u32, u32);

/// A job's finished results, ready for the image store.
pub(super) struct Encoded {
    pub shape: Shape,
    pub grid: Option<Png>,
    pub images: Vec<Png>,
    pub prompts: Vec<String>,
    pub seed: Option<u64>,
    pub scene: Option<(String, u64)>,
    pub upscalable: bool,
    /// A video job's clips (MP4), and what made them.
    pub clips: Vec<clips::Mp4>,
    pub video: Option<ClipSpec>,
}

impl Encoded {
    fn text(prompts: Vec<String>, seed: Option<u64>) -> Self {
        Encoded {
            shape: Shape::Text,
            grid: None,
            images: Vec::new(),
            prompts,
            seed,
            scene: None,
            upscalable: false,
            clips: Vec::new(),
            video: None,
        }
    }
}

/// Four pictures made in parallel (variant 0-3).
fn four(make: impl Fn(u32) -> RgbaImage + Sync) -> Result<Vec<RgbaImage>, String> {
    std::thread::scope(|s| {
        let make = &make;
        let handles: Vec<_> = (0..4).map(|v| s.spawn(move || make(v))).collect();
        handles.into_iter().map(|h| h.join().map_err(|_| "[Internal error] rendering failed".to_owned())).collect()
    })
}

pub(super) fn run(work: Work, grid_size: u32) -> Result<Encoded, String> {
    let (shape, images, scene_key, upscalable) = match work {
        Work::Scenes { prompt, seed, aspect } => {
            let (w, h) = grid_dims(aspect, grid_size);
            let quads = four(|v| render(&scene(&prompt, seed, v), w / 2, h / 2))?;
            (Shape::Grid, quads, Some((prompt, seed)), false)
        }
        Work::Upscale { quad, scene: key } => {
            let quad = quad.load()?;
            let (w, h) = capped(quad.width() * 2, quad.height() * 2);
            let img = match key {
                Some((prompt, seed, v)) => render(&scene(&prompt, seed, v), w, h),
                None => resize(&quad, w, h),
            };
            (Shape::Single, vec![img], None, true)
        }
        Work::Enlarge { image, factor, creative } => {
            (Shape::Single, vec![compose::enlarge(&image.load()?, factor, creative)], None, false)
        }
        Work::Vary { image, prompt, seed, strength } => {
            let src = image.load()?;
            let (w, h) = grid_dims(src.dimensions(), grid_size);
            let src = resize(&src, w / 2, h / 2);
            (Shape::Grid, four(|v| compose::vary(&src, &prompt, seed, v, strength))?, None, false)
        }
        Work::Extend { image, how, prompt, seed } => {
            (Shape::Grid, extend(&image.load()?, how, &prompt, seed)?, None, false)
        }
        Work::Blend { images, aspect, seed } => {
            let (w, h) = grid_dims(aspect, grid_size);
            (Shape::Grid, four(|v| compose::blend(&images, w / 2, h / 2, seed, v))?, None, false)
        }
        Work::Masked { base, mask, prompt, seed } => {
            let base = base.load()?;
            masks::check(&mask, base.width(), base.height())?;
            let (w, h) = base.dimensions();
            let out = four(|v| masks::composite(&base, &mask, &render_capped(&scene(&prompt, seed, v), w, h, 1024)))?;
            (Shape::Set, out, None, false)
        }
        Work::Retexture { base, prompt, seed } => {
            let base = base.load()?;
            (Shape::Set, four(|v| compose::retexture(&base, &prompt, seed, v))?, None, false)
        }
        Work::Canvas { base, canvas, place, mask, prompt, seed } => {
            let base = base.load()?;
            (Shape::Set, on_canvas(&base, canvas, place, mask.as_ref(), &prompt, seed)?, None, false)
        }
        Work::Remix { base, prompt, seed, strong } => {
            let base = base.load()?;
            let (w, h) = base.dimensions();
            let (strength, pull) = if strong { (0.9, 0.35) } else { (0.4, 0.15) };
            let out = four(|v| {
                let varied = compose::vary(&base, &prompt, seed, v, strength);
                let target = render_capped(&scene(&prompt, seed, v), w, h, 1024);
                mix(&varied, &target, pull)
            })?;
            (Shape::Set, out, None, false)
        }
        Work::Describe { image } => return Ok(Encoded::text(describe(&image.load()?), None)),
        Work::Seed { seed } => return Ok(Encoded::text(Vec::new(), Some(seed))),
        Work::Clips(spec) => {
            let clips = clips::render(&spec, grid_size)?;
            return Ok(Encoded { shape: Shape::Video, clips, video: Some(spec), ..Encoded::text(Vec::new(), None) });
        }
    };
    encode(shape, images, scene_key, upscalable)
}

/// `a` moved toward `b` by `t`, pixel by pixel (same sizes).
fn mix(a: &RgbaImage, b: &RgbaImage, t: f32) -> RgbaImage {
    use super::style::Rgb;
    RgbaImage::from_fn(a.width(), a.height(), |x, y| {
        Rgb::from_px(a.get_pixel(x, y)).mix(Rgb::from_px(b.get_pixel(x, y)), t).px()
    })
}

/// Zoom-out / pan / make-square: four canvases at half the grown canvas's size (so the grid is
/// the grown canvas at the parent's scale), the parent pasted exactly, new content around.
fn extend(src: &RgbaImage, how: Extension, prompt: &str, seed: u64) -> Result<Vec<RgbaImage>, String> {
    let (w, h) = (f64::from(src.width()), f64::from(src.height()));
    let ((cw, ch), (pw, ph), (x, y)) = match how {
        Extension::Zoom(f) => {
            let f = f64::from(f.max(1.0));
            ((w, h), (w / f, h / f), ((w - w / f) / 2.0, (h - h / f) / 2.0))
        }
        Extension::Pan(PanDirection::Left) => ((w * 1.5, h), (w, h), (w * 0.5, 0.0)),
        Extension::Pan(PanDirection::Right) => ((w * 1.5, h), (w, h), (0.0, 0.0)),
        Extension::Pan(PanDirection::Up) => ((w, h * 1.5), (w, h), (0.0, h * 0.5)),
        Extension::Pan(PanDirection::Down) => ((w, h * 1.5), (w, h), (0.0, 0.0)),
        Extension::Square => {
            let m = w.max(h);
            ((m, m), (w, h), ((m - w) / 2.0, (m - h) / 2.0))
        }
    };
    let k = 0.5 * (f64::from(compose::MAX_SIDE) / cw.max(ch)).min(1.0);
    let px = |v: f64| ((v * k).round() as u32).max(1);
    let (qw, qh) = (px(cw), px(ch));
    let placed = resize(src, px(pw), px(ph));
    let (ox, oy) = ((x * k).round() as i64, (y * k).round() as i64);
    four(|v| compose::extend(&placed, ox, oy, &render(&scene(prompt, seed, v), qw, qh)))
}

/// Vtrix edit: the image placed on a canvas; the masked part of it and everything around it
/// generated from the prompt; the rest of the placed image kept exactly.
fn on_canvas(
    base: &RgbaImage,
    (cw, ch): (u32, u32),
    (x, y, pw, ph): (i64, i64, u32, u32),
    mask: Option<&Mask>,
    prompt: &str,
    seed: u64,
) -> Result<Vec<RgbaImage>, String> {
    let placed = resize(base, pw, ph);
    let mask = mask.map(|m| masks::scaled(m, pw, ph));
    four(|v| {
        let backdrop = render_capped(&scene(prompt, seed, v), cw, ch, 1024);
        let mut out = backdrop.clone();
        for (lx, ly, p) in placed.enumerate_pixels() {
            let (cx, cy) = (x + i64::from(lx), y + i64::from(ly));
            if cx < 0 || cy < 0 || cx >= i64::from(cw) || cy >= i64::from(ch) {
                continue;
            }
            if !mask.as_ref().is_some_and(|m| m.get(lx, ly)) {
                let mut keep = *p;
                keep.0[3] = 255;
                out.put_pixel(cx as u32, cy as u32, keep);
            }
        }
        out
    })
}

fn png(img: &RgbaImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Adaptive)
        .write_image(img.as_raw(), img.width(), img.height(), ExtendedColorType::Rgba8)
        .map_err(|e| format!("[Internal error] could not encode the image: {e}"))?;
    Ok(out)
}

fn encode(
    shape: Shape,
    images: Vec<RgbaImage>,
    scene: Option<(String, u64)>,
    upscalable: bool,
) -> Result<Encoded, String> {
    let entry =
        |suffix: String, img: &RgbaImage| -> Result<Png, String> { Ok((suffix, png(img)?, img.width(), img.height())) };
    let grid = match shape {
        Shape::Grid | Shape::Set => Some(entry("grid".into(), &compose::tile(&images))?),
        _ => None,
    };
    let images = match shape {
        Shape::Single => images.iter().map(|i| entry("image".into(), i)).collect::<Result<_, _>>()?,
        _ => images.iter().enumerate().map(|(n, i)| entry(n.to_string(), i)).collect::<Result<_, _>>()?,
    };
    Ok(Encoded { shape, grid, images, scene, upscalable, ..Encoded::text(Vec::new(), None) })
}
