//! Pictures made from other pictures: upscales, variations, zoom-out and pan canvases,
//! blends and retextures. Each keeps a visible, testable relation to its sources (a variation
//! stays closest to its parent, a zoom-out holds the parent in its centre, a blend's colours
//! lie between its inputs').

use std::f32::consts::TAU;

use image::imageops::FilterType;
use image::{DynamicImage, Rgba, RgbaImage};

use super::render;
use super::style::{Rgb, mix64};

/// No result is larger than this on its long side.
pub(super) const MAX_SIDE: u32 = 4096;

/// Scales `img` to `w` x `h` (a copy when the size already matches).
pub(super) fn resize(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    resize_with(img, w, h, FilterType::CatmullRom)
}

/// Scales with `filter`. Goes through `DynamicImage`, whose methods are compiled (optimised)
/// inside the image crate; the generic `imageops::resize` would be compiled here, and is
/// some twenty times slower in a debug build.
pub(super) fn resize_with(img: &RgbaImage, w: u32, h: u32, filter: FilterType) -> RgbaImage {
    if img.dimensions() == (w, h) {
        return img.clone();
    }
    DynamicImage::ImageRgba8(img.clone()).resize_exact(w.max(1), h.max(1), filter).into_rgba8()
}

/// `(w, h)` shrunk to fit [`MAX_SIDE`], keeping the ratio.
pub(super) fn capped(w: u32, h: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= MAX_SIDE {
        return (w.max(1), h.max(1));
    }
    let k = f64::from(MAX_SIDE) / f64::from(long);
    (((f64::from(w) * k).round() as u32).max(1), ((f64::from(h) * k).round() as u32).max(1))
}

/// Four same-size images as a 2x2 grid: top-left, top-right, bottom-left, bottom-right.
pub(super) fn tile(images: &[RgbaImage]) -> RgbaImage {
    let (w, h) = images.first().map_or((1, 1), RgbaImage::dimensions);
    let mut grid = RgbaImage::new(w * 2, h * 2);
    let (row, grid_row) = (w as usize * 4, w as usize * 8);
    let raw: &mut [u8] = &mut grid;
    for (i, img) in images.iter().take(4).enumerate().filter(|(_, img)| img.dimensions() == (w, h)) {
        let (x0, y0) = ((i % 2) * row, (i / 2) * h as usize);
        for (y, src) in img.as_raw().chunks_exact(row).enumerate() {
            let at = (y0 + y) * grid_row + x0;
            raw[at..at + row].copy_from_slice(src);
        }
    }
    grid
}

/// Enlarges by `factor` (capped); `creative` adds a little contrast and colour.
pub(super) fn enlarge(src: &RgbaImage, factor: u32, creative: bool) -> RgbaImage {
    let (w, h) = capped(src.width() * factor, src.height() * factor);
    let mut out = resize(src, w, h);
    if creative {
        for p in out.pixels_mut() {
            let c = Rgb::from_px(p);
            let grey = (c.0 + c.1 + c.2) / 3.0;
            let vivid = Rgb(grey, grey, grey).mix(c, 1.15);
            *p = Rgb((vivid.0 - 0.5) * 1.08 + 0.5, (vivid.1 - 0.5) * 1.08 + 0.5, (vivid.2 - 0.5) * 1.08 + 0.5).px();
        }
    }
    out
}

/// Bilinear sample with edge clamping.
fn sample(img: &RgbaImage, x: f32, y: f32) -> Rgb {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (x, y) = ((x - 0.5).clamp(0.0, w - 1.0), (y - 0.5).clamp(0.0, h - 1.0));
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(img.width() - 1), (y0 + 1).min(img.height() - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |xx, yy| Rgb::from_px(img.get_pixel(xx, yy));
    at(x0, y0).mix(at(x1, y0), fx).mix(at(x0, y1).mix(at(x1, y1), fx), fy)
}

/// Turns a colour's hue by `deg` degrees (a rotation about the grey axis).
fn turn_hue(c: Rgb, deg: f32) -> Rgb {
    let (s, co) = deg.to_radians().sin_cos();
    let k = (1.0 - co) / 3.0;
    let r = (1.0_f32 / 3.0).sqrt() * s;
    let (a, b, d) = (co + k, k - r, k + r);
    Rgb(a * c.0 + b * c.1 + d * c.2, d * c.0 + a * c.1 + b * c.2, b * c.0 + d * c.1 + a * c.2)
}

/// A variation of `src` at its size: a gentle warp, a turn of hue and a soft new form in the
/// prompt's accent colour. `strength` 0.35 (subtle) .. 1.0 (strong).
pub(super) fn vary(src: &RgbaImage, prompt: &str, seed: u64, variant: u32, strength: f32) -> RgbaImage {
    let (w, h) = src.dimensions();
    let m = w.min(h) as f32;
    let mut rng = fastrand::Rng::with_seed(mix64(seed, 0x7a + u64::from(variant)));
    let mut r = |a: f32, b: f32| a + (b - a) * rng.f32();
    let amp = (0.01 + 0.035 * strength) * m;
    let (f1, f2) = (r(0.8, 2.2) * TAU / m, r(0.8, 2.2) * TAU / m);
    let (p1, p2) = (r(0.0, TAU), r(0.0, TAU));
    let hue = r(-1.0, 1.0) * 16.0 * strength;
    let (bx, by, br) = (r(0.2, 0.8) * w as f32, r(0.2, 0.8) * h as f32, r(0.1, 0.22) * m);
    let accent = render::scene(prompt, seed, variant).palette.accent;
    RgbaImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let c = sample(src, fx + amp * (fy * f1 + p1).sin(), fy + amp * (fx * f2 + p2).sin());
        let d = ((fx - bx).powi(2) + (fy - by).powi(2)).sqrt() / br;
        turn_hue(c, hue).mix(accent, 0.3 * strength * (-d * d).exp()).px()
    })
}

/// A canvas with `placed` pasted exactly at `(x0, y0)` over `backdrop`; around it the backdrop
/// fades into the placed image's (blurred) edge colours so the new content continues the old.
pub(super) fn extend(placed: &RgbaImage, x0: i64, y0: i64, backdrop: &RgbaImage) -> RgbaImage {
    let (pw, ph) = (i64::from(placed.width()), i64::from(placed.height()));
    let reach = 0.2 * backdrop.width().min(backdrop.height()) as f32;
    // a tiny copy gives soft edge colours: no streaks from single edge pixels
    let thumb = resize_with(placed, 6, 6, FilterType::Triangle);
    let (kx, ky) = (6.0 / pw as f32, 6.0 / ph as f32);
    RgbaImage::from_fn(backdrop.width(), backdrop.height(), |x, y| {
        let (lx, ly) = (i64::from(x) - x0, i64::from(y) - y0);
        if (0..pw).contains(&lx) && (0..ph).contains(&ly) {
            let mut p = *placed.get_pixel(lx as u32, ly as u32);
            p.0[3] = 255;
            return p;
        }
        let (cx, cy) = (lx.clamp(0, pw - 1), ly.clamp(0, ph - 1));
        let d = (((lx - cx).pow(2) + (ly - cy).pow(2)) as f32).sqrt();
        let edge = sample(&thumb, (cx as f32 + 0.5) * kx, (cy as f32 + 0.5) * ky);
        Rgb::from_px(backdrop.get_pixel(x, y)).mix(edge, 0.8 * (-d / reach).exp()).px()
    })
}

/// `img` cropped to the ratio of `w` x `h` around its centre, then scaled to it.
fn cover(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    let (iw, ih) = img.dimensions();
    let want = f64::from(w) / f64::from(h);
    let (cw, ch) = if f64::from(iw) / f64::from(ih) > want {
        (((f64::from(ih) * want).round() as u32).clamp(1, iw), ih)
    } else {
        (iw, ((f64::from(iw) / want).round() as u32).clamp(1, ih))
    };
    let cropped = DynamicImage::ImageRgba8(img.clone()).crop_imm((iw - cw) / 2, (ih - ch) / 2, cw, ch);
    resize(&cropped.into_rgba8(), w, h)
}

/// A blend of `inputs` at `w` x `h`: every pixel is a weighted average of the inputs' pixels
/// there, with weights that flow across the canvas differently in each variant.
pub(super) fn blend(inputs: &[RgbaImage], w: u32, h: u32, seed: u64, variant: u32) -> RgbaImage {
    let covers: Vec<RgbaImage> = inputs.iter().map(|i| cover(i, w, h)).collect();
    let mut rng = fastrand::Rng::with_seed(mix64(seed, 0xb1 + u64::from(variant)));
    let fields: Vec<(f32, f32, f32, f32)> =
        (0..covers.len()).map(|_| (rng.f32() * TAU, 1.0 + rng.f32() * 2.5, rng.f32() * TAU, rng.f32() * 0.8)).collect();
    let m = w.min(h) as f32;
    RgbaImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f32 / m, y as f32 / m);
        let (mut acc, mut total) = (Rgb(0.0, 0.0, 0.0), 0.0);
        for (img, &(angle, freq, phase, bias)) in covers.iter().zip(&fields) {
            let wgt = (1.3 * (TAU * freq * (u * angle.cos() + v * angle.sin()) / 2.0 + phase).sin() + bias).exp();
            let c = Rgb::from_px(img.get_pixel(x, y));
            acc = Rgb(acc.0 + c.0 * wgt, acc.1 + c.1 * wgt, acc.2 + c.2 * wgt);
            total += wgt;
        }
        acc.scale(1.0 / total.max(1e-6)).px()
    })
}

fn luma(p: &Rgba<u8>) -> f32 {
    (0.299 * f32::from(p.0[0]) + 0.587 * f32::from(p.0[1]) + 0.114 * f32::from(p.0[2])) / 255.0
}

/// The whole image restyled in the prompt's palette while keeping its structure: its light
/// and dark areas map onto the palette, its edges are inked, the prompt's scene shows through.
pub(super) fn retexture(src: &RgbaImage, prompt: &str, seed: u64, variant: u32) -> RgbaImage {
    let (w, h) = src.dimensions();
    let scene = render::scene(prompt, seed, variant);
    let backdrop = render::render_capped(&scene, w, h, 1024);
    let p = scene.palette;
    let stops = [p.deep, p.mid, p.bright, p.light];
    let l = |x: i64, y: i64| luma(src.get_pixel(x.clamp(0, w as i64 - 1) as u32, y.clamp(0, h as i64 - 1) as u32));
    RgbaImage::from_fn(w, h, |x, y| {
        let (xi, yi) = (i64::from(x), i64::from(y));
        let v = l(xi, yi);
        let gx = l(xi + 1, yi) - l(xi - 1, yi);
        let gy = l(xi, yi + 1) - l(xi, yi - 1);
        let edge = ((gx * gx + gy * gy).sqrt() * 3.0).min(1.0);
        let t = v * 2.999;
        let mapped = stops[t as usize].mix(stops[(t as usize + 1).min(3)], t.fract());
        let base = mapped.mix(Rgb::from_px(backdrop.get_pixel(x, y)), 0.22);
        base.scale(1.0 - 0.55 * edge).px()
    })
}
