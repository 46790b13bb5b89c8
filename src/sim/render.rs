//! Procedural art: a scene of a few layered forms (sky gradient, glowing orbs, ridges, waves,
//! towers, blooms, a figure, rings, bands) whose palette and subjects come from the prompt's
//! words and whose layout comes from the seed, so a designer sees something deliberate and
//! the same prompt + seed always gives the same picture.
//!
//! Scenes are resolution independent (coordinates in units of the image's short side), which
//! is how an upscale re-renders a quadrant sharp at twice its size.

use std::f32::consts::{PI, TAU};

use image::RgbaImage;

use super::prompt::words;
use super::style::{Kind, Palette, Rgb, Style, mix64};

#[derive(Debug, Clone)]
enum Layer {
    Glow { x: f32, y: f32, r: f32, color: Rgb, strength: f32 },
    Disc { x: f32, y: f32, r: f32, inner: Rgb, outer: Rgb },
    Ring { x: f32, y: f32, r: f32, width: f32, color: Rgb, alpha: f32 },
    Band { angle: f32, offset: f32, width: f32, color: Rgb, alpha: f32 },
    Ridge { base: f32, waves: [(f32, f32, f32); 3], top: Rgb, bottom: Rgb, shimmer: f32 },
    Towers { towers: Vec<(f32, f32, f32)>, body: Rgb, lit: Rgb, seed: u64 },
    Bloom { x: f32, y: f32, r: f32, petals: f32, twist: f32, inner: Rgb, outer: Rgb },
    Bust { x: f32, y: f32, s: f32, body: Rgb, rim: Rgb },
}

/// A picture, independent of pixel size. Positions are fractions of the canvas; sizes are in
/// units of the short side.
#[derive(Debug, Clone)]
pub(super) struct Scene {
    sky: [Rgb; 3],
    sky_angle: f32,
    layers: Vec<Layer>,
    vignette: f32,
    /// A colour grade per take (gain, then lift), so a grid's four takes always differ in tone.
    grade: ([f32; 3], [f32; 3]),
    pub palette: Palette,
}

const GRADES: [([f32; 3], [f32; 3]); 4] = [
    ([0.94, 0.97, 1.06], [-0.02, 0.0, 0.035]),
    ([1.06, 1.01, 0.93], [0.035, 0.01, -0.02]),
    ([1.03, 1.06, 0.99], [0.0, 0.035, 0.0]),
    ([0.97, 0.92, 1.02], [0.02, -0.025, 0.03]),
];

/// The scene for `prompt` + `seed`; `variant` (0-3) gives a grid's four different takes.
pub(super) fn scene(prompt: &str, seed: u64, variant: u32) -> Scene {
    let style = Style::read(&words(prompt), seed);
    let mut rng = fastrand::Rng::with_seed(mix64(seed, 0x51 + u64::from(variant)));
    let shift = [-1.0_f32, 1.0, 0.4, -0.4][variant as usize % 4];
    let hue = style.hue + (variant as f32 - 1.5) * 16.0 + rng.f32() * 8.0 - 4.0;
    let p = Palette::new(hue, style.sat, style.light + shift * 0.1, style.accent);
    let sky = if style.light < -0.05 {
        [p.deep.scale(0.7), p.deep.mix(p.mid, 0.5), p.mid.mix(p.accent, 0.3)]
    } else {
        [p.light, p.bright, p.mid]
    };
    let mut layers = Vec::new();
    let range = |rng: &mut fastrand::Rng, a: f32, b: f32| a + (b - a) * rng.f32();
    if !style.kinds.contains(&Kind::Orb) && rng.f32() < 0.6 {
        let (x, y) = (range(&mut rng, 0.15, 0.85), range(&mut rng, 0.1, 0.4));
        layers.push(Layer::Glow { x, y, r: range(&mut rng, 0.25, 0.5), color: p.glow, strength: 0.45 });
    }
    for kind in &style.kinds {
        match kind {
            Kind::Orb => {
                let (x, y, r) = (range(&mut rng, 0.2, 0.8), range(&mut rng, 0.15, 0.45), range(&mut rng, 0.08, 0.18));
                layers.push(Layer::Glow { x, y, r: r * 3.0, color: p.glow, strength: 0.55 });
                layers.push(Layer::Disc { x, y, r, inner: p.glow.mix(Rgb(1.0, 1.0, 1.0), 0.4), outer: p.accent });
            }
            Kind::Rings => {
                let (x, y) = (range(&mut rng, 0.3, 0.7), range(&mut rng, 0.3, 0.7));
                for i in 0..rng.u32(2..5) {
                    let r = 0.12 + i as f32 * range(&mut rng, 0.07, 0.13);
                    let color = if i % 2 == 0 { p.accent } else { p.light };
                    layers.push(Layer::Ring { x, y, r, width: range(&mut rng, 0.012, 0.045), color, alpha: 0.8 });
                }
            }
            Kind::Bands => {
                let angle = range(&mut rng, 0.0, PI);
                for _ in 0..rng.u32(2..5) {
                    let color = if rng.bool() { p.accent } else { p.deep };
                    let (offset, width) = (range(&mut rng, 0.1, 0.9), range(&mut rng, 0.05, 0.2));
                    layers.push(Layer::Band { angle, offset, width, color, alpha: range(&mut rng, 0.25, 0.5) });
                }
            }
            Kind::Ridges | Kind::Waves => {
                let waves = *kind == Kind::Waves;
                let n = rng.u32(2..5);
                for i in 0..n {
                    let depth = (i + 1) as f32 / n as f32;
                    // with water in the picture, hills keep to the horizon above it
                    let hills_top = if style.kinds.contains(&Kind::Waves) { 0.32 } else { 0.45 };
                    let base = if waves { 0.62 + 0.3 * depth } else { hills_top + 0.4 * depth * (1.0 - hills_top) };
                    let amp = if waves { 0.012 } else { 0.09 * (1.0 - depth * 0.5) };
                    let freq = if waves { 14.0 } else { 3.0 };
                    let mut w = [(0.0, 0.0, 0.0); 3];
                    for (k, slot) in w.iter_mut().enumerate() {
                        let k = k as f32 + 1.0;
                        *slot = (amp / k, freq * k * range(&mut rng, 0.7, 1.4), range(&mut rng, 0.0, TAU));
                    }
                    let top = p.bright.mix(p.deep, depth * 0.85);
                    let shimmer = if waves { 0.55 } else { 0.0 };
                    layers.push(Layer::Ridge { base, waves: w, top, bottom: top.mix(p.deep, 0.6), shimmer });
                }
            }
            Kind::Skyline => {
                let mut towers = Vec::new();
                let mut x = range(&mut rng, -0.05, 0.05);
                while x < 1.0 {
                    let w = range(&mut rng, 0.05, 0.13);
                    towers.push((x, x + w, range(&mut rng, 0.3, 0.72)));
                    x += w + range(&mut rng, 0.0, 0.04);
                }
                layers.push(Layer::Towers { towers, body: p.deep, lit: p.glow, seed: rng.u64(..) });
            }
            Kind::Bloom => {
                for _ in 0..rng.u32(1..4) {
                    let (x, y) = (range(&mut rng, 0.2, 0.8), range(&mut rng, 0.35, 0.8));
                    let (r, petals) = (range(&mut rng, 0.12, 0.26), rng.u32(5..9) as f32);
                    let twist = range(&mut rng, 0.0, TAU);
                    layers.push(Layer::Bloom { x, y, r, petals, twist, inner: p.accent, outer: p.light });
                }
            }
            Kind::Figure => {
                let (x, s) = (range(&mut rng, 0.38, 0.62), range(&mut rng, 0.34, 0.44));
                layers.push(Layer::Bust { x, y: 0.8, s, body: p.deep.mix(p.mid, 0.35), rim: p.glow });
            }
        }
    }
    let sky_angle = PI / 2.0 + range(&mut rng, -0.5, 0.5);
    Scene { sky, sky_angle, layers, vignette: 0.35, grade: GRADES[variant as usize % 4], palette: p }
}

/// Linear anti-aliasing over one pixel from a signed distance (negative inside).
fn cover(sd: f32, aa: f32) -> f32 {
    (0.5 - sd / aa).clamp(0.0, 1.0)
}

fn cell_hash(a: u64, b: i64, c: i64) -> u64 {
    mix64(a ^ (b as u64).wrapping_mul(0x9e37_79b1), c as u64)
}

/// Draws `scene` at `w` x `h` pixels.
pub(super) fn render(scene: &Scene, w: u32, h: u32) -> RgbaImage {
    let (w, h) = (w.max(1), h.max(1));
    let m = w.min(h) as f32;
    let (ew, eh, aa) = (w as f32 / m, h as f32 / m, 1.0 / m);
    // ridge heights depend on x only: compute each column once
    let ridges: Vec<Vec<f32>> = scene
        .layers
        .iter()
        .map(|l| match l {
            Layer::Ridge { base, waves, .. } => (0..w)
                .map(|x| {
                    let px = (x as f32 + 0.5) / m;
                    base * eh + waves.iter().map(|(a, f, ph)| a * (f * px + ph).sin()).sum::<f32>()
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let (ca, sa) = (scene.sky_angle.cos(), scene.sky_angle.sin());
    RgbaImage::from_fn(w, h, |x, y| {
        let (px, py) = ((x as f32 + 0.5) / m, (y as f32 + 0.5) / m);
        let (u, v) = (px / ew - 0.5, py / eh - 0.5);
        let t = (u * ca + v * sa + 0.5).clamp(0.0, 1.0);
        let [s0, s1, s2] = scene.sky;
        let mut c = if t < 0.5 { s0.mix(s1, t * 2.0) } else { s1.mix(s2, t * 2.0 - 1.0) };
        for (layer, heights) in scene.layers.iter().zip(&ridges) {
            c = paint(layer, c, px, py, (ew, eh, aa), heights.get(x as usize).copied());
        }
        let ([gr, gg, gb], [lr, lg, lb]) = scene.grade;
        Rgb(c.0 * gr + lr, c.1 * gg + lg, c.2 * gb + lb).scale(1.0 - scene.vignette * (u * u + v * v) * 1.2).px()
    })
}

fn paint(layer: &Layer, c: Rgb, px: f32, py: f32, (ew, eh, aa): (f32, f32, f32), ridge: Option<f32>) -> Rgb {
    let dist = |x: f32, y: f32| ((px - x * ew).powi(2) + (py - y * eh).powi(2)).sqrt();
    match layer {
        Layer::Glow { x, y, r, color, strength } => {
            let d = dist(*x, *y) / r;
            c.mix(*color, strength * (-d * d).exp())
        }
        Layer::Disc { x, y, r, inner, outer } => {
            let d = dist(*x, *y);
            c.mix(inner.mix(*outer, (d / r).min(1.0).powf(1.5)), cover(d - r, aa))
        }
        Layer::Ring { x, y, r, width, color, alpha } => {
            c.mix(*color, alpha * cover((dist(*x, *y) - r).abs() - width / 2.0, aa))
        }
        Layer::Band { angle, offset, width, color, alpha } => {
            let along =
                px * angle.cos() + py * angle.sin() - offset * (ew * angle.cos().abs() + eh * angle.sin().abs());
            c.mix(*color, alpha * cover(along.abs() - width / 2.0, aa + width * 0.3))
        }
        Layer::Ridge { top, bottom, shimmer, .. } => {
            let Some(height) = ridge else { return c };
            let depth = ((py - height) / (eh - height).max(1e-3)).clamp(0.0, 1.0);
            let mut col = top.mix(*bottom, depth);
            if *shimmer > 0.0 {
                // short glints: thin ripples broken into dashes
                let ripple = (py * 90.0 + px * 7.0 + 2.0 * (px * 13.0).sin()).sin().max(0.0).powi(12);
                let glint = ripple * (px * 23.0 + py * 41.0).sin().max(0.0);
                col = col.mix(Rgb(1.0, 1.0, 1.0), shimmer * glint * (1.0 - depth));
            }
            c.mix(col, cover(height - py, aa))
        }
        Layer::Towers { towers, body, lit, seed } => {
            let mut out = c;
            for (i, &(x0, x1, top)) in towers.iter().enumerate() {
                let sd = (x0 * ew - px).max(px - x1 * ew).max(top * eh - py);
                if sd > aa {
                    continue;
                }
                let cell = 0.032;
                let (cu, cv) = ((px - x0 * ew) / cell, (py - top * eh) / cell);
                // window panes: the middle of each cell, anti-aliased like every other edge
                let pane = |f: f32, lo: f32, hi: f32| cover((lo - f).max(f - hi) * cell, aa);
                let window = if cv > 1.0 { pane(cu.fract(), 0.3, 0.7) * pane(cv.fract(), 0.35, 0.75) } else { 0.0 };
                let on = cell_hash(*seed ^ i as u64, cu as i64, cv as i64).is_multiple_of(3);
                let col = body.mix(*lit, window * if on { 1.0 } else { 0.12 });
                out = out.mix(col, cover(sd, aa));
            }
            out
        }
        Layer::Bloom { x, y, r, petals, twist, inner, outer } => {
            let (dx, dy) = (px - x * ew, py - y * eh);
            let rho = (dx * dx + dy * dy).sqrt();
            let edge = r * (0.5 + 0.5 * (petals / 2.0 * dy.atan2(dx) + twist).cos().abs());
            let petal = c.mix(inner.mix(*outer, (rho / r).min(1.0)), cover(rho - edge, aa));
            petal.mix(inner.scale(0.7), cover(rho - r * 0.16, aa))
        }
        Layer::Bust { x, y, s, body, rim } => {
            let (dx, dy) = (px - x * ew, py - y * eh);
            let head = (dx.powi(2) + (dy + 0.58 * s).powi(2)).sqrt() - 0.3 * s;
            let neck = (dx.abs() - 0.11 * s).max((dy + 0.2 * s).abs() - 0.16 * s);
            let k = ((dx / (0.85 * s)).powi(2) + ((dy - 0.32 * s) / (0.55 * s)).powi(2)).sqrt();
            let sd = head.min(neck).min((k - 1.0) * 0.55 * s);
            // light from the upper left: a rim along that side of the silhouette
            let side = (0.5 - (dx + dy * 0.5) / s).clamp(0.0, 1.0);
            let rim_w = (1.0 + sd / (0.07 * s)).clamp(0.0, 1.0).powi(2) * side;
            c.mix(body.mix(*rim, rim_w * 0.85), cover(sd, aa))
        }
    }
}

/// Draws `scene` at `w` x `h`, but never more than `cap` pixels on the long side: larger
/// canvases are drawn at `cap` and enlarged, which keeps huge edits fast.
pub(super) fn render_capped(scene: &Scene, w: u32, h: u32, cap: u32) -> RgbaImage {
    let long = w.max(h);
    if long <= cap {
        return render(scene, w, h);
    }
    let k = cap as f32 / long as f32;
    let small = render(scene, ((w as f32 * k) as u32).max(1), ((h as f32 * k) as u32).max(1));
    super::compose::resize_with(&small, w, h, image::imageops::FilterType::Triangle)
}
