//! Video results: each clip a real MP4 (H.264, 24 fps) that moves over the start image, a
//! slow zoom or pan (faster with high motion; each clip of a batch moves its own way),
//! cross-fading into the end frame over its last second and a half when one is given, so
//! its last frame is the end frame. Deterministic: the same request gives the same bytes.
//!
//! A fresh clip lasts 5 s; an extend renders the clip it extends again, 4 s longer, moving
//! on the same path (so its first frames are the first clip's), up to 21 s. The size follows
//! the resolution (SD 480 lines, HD 720) scaled like the grids (`grid_size / 1024`: the tests'
//! 256-pixel grids give 120-line clips).

use axum::body::Bytes;
use image::imageops::FilterType;
use image::{DynamicImage, RgbaImage};
use serde::{Deserialize, Serialize};

use super::inputs;
use crate::job::video::{BASE_SECONDS, EXTEND_SECONDS, MAX_SECONDS};
use crate::video::{EncodeSettings, encode_mp4};

pub(super) const FPS: u32 = 24;
/// Seconds of cross-fade into the end frame.
const FADE_SECONDS: f32 = 1.5;

/// What a video job renders, fixed at submit; kept with its output so an extend can render
/// the same path longer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ClipSpec {
    /// The start frame, PNG.
    #[serde(with = "crate::b64")]
    pub start: Vec<u8>,
    /// The end frame, PNG (a loop's is the start frame).
    #[serde(default, with = "opt_b64")]
    pub end: Option<Vec<u8>>,
    pub high: bool,
    /// 480 or 720.
    pub lines: u32,
    pub batch: u8,
    pub seed: u64,
    pub seconds: u32,
}

mod opt_b64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => crate::b64::serialize(b, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "crate::b64")] Vec<u8>);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

impl ClipSpec {
    /// The same clips, 4 s longer; an error past 21 s.
    pub fn extended(&self, batch: u8) -> Result<ClipSpec, String> {
        let seconds = self.seconds + EXTEND_SECONDS;
        if seconds > MAX_SECONDS {
            return Err(format!(
                "the video is already {} s long; an extend adds {EXTEND_SECONDS} s and a video stops at {MAX_SECONDS} s",
                self.seconds
            ));
        }
        Ok(ClipSpec { seconds, batch, end: None, ..self.clone() })
    }

    pub fn fresh(start: Vec<u8>, end: Option<Vec<u8>>, high: bool, lines: u32, batch: u8, seed: u64) -> Self {
        ClipSpec { start, end, high, lines, batch, seed, seconds: BASE_SECONDS }
    }
}

/// Batch sizes: 1, 2 or 4 (anything else is refused at submit).
pub(super) fn batch(n: u64) -> Result<u8, String> {
    match n {
        1 | 2 | 4 => Ok(n as u8),
        other => Err(format!("the batch size must be 1, 2 or 4, not {other}")),
    }
}

/// One encoded clip: name suffix, MP4, width, height.
pub(super) type Mp4 = (String, Vec<u8>, u32, u32);

/// Renders every clip of `spec` (in parallel), at the size `grid_size` implies.
pub(super) fn render(spec: &ClipSpec, grid_size: u32) -> Result<Vec<Mp4>, String> {
    let start = inputs::decode(&Bytes::from(spec.start.clone()))?;
    let end = match &spec.end {
        Some(png) => Some(inputs::decode(&Bytes::from(png.clone()))?),
        None => None,
    };
    let lines = even((spec.lines * grid_size / 1024).max(64));
    let aspect = start.width() as f32 / start.height().max(1) as f32;
    let width = even(((lines as f32 * aspect).round() as u32).clamp(64, 4 * lines));
    // Sources at twice the frame size: the zoom samples them, never enlarges past them.
    let src = DynamicImage::ImageRgba8(start).resize_exact(width * 2, lines * 2, FilterType::Triangle);
    let end = end.map(|e| DynamicImage::ImageRgba8(e).resize_exact(width, lines, FilterType::Triangle).into_rgba8());
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..spec.batch)
            .map(|v| {
                let (src, end) = (&src, end.as_ref());
                s.spawn(move || clip(spec, src, end, width, lines, v))
            })
            .collect();
        handles
            .into_iter()
            .enumerate()
            .map(|(v, h)| {
                let mp4 = h.join().map_err(|_| "[Internal error] rendering a clip failed".to_owned())??;
                Ok((format!("clip{v}"), mp4, width, lines))
            })
            .collect()
    })
}

fn even(n: u32) -> u32 {
    n & !1
}

/// Clip `v`: its own path over `src`, fading into `end`.
fn clip(
    spec: &ClipSpec,
    src: &DynamicImage,
    end: Option<&RgbaImage>,
    w: u32,
    h: u32,
    v: u8,
) -> Result<Vec<u8>, String> {
    let frames = spec.seconds * FPS;
    // Per second: how much the view shrinks (zoom in) and how far it drifts, in source pixels.
    let speed = if spec.high { 2.5 } else { 1.0 };
    let seeded = (spec.seed.rotate_left(u32::from(v) * 13) % 7) as f32 / 7.0;
    let (dx, dy) = match v % 4 {
        0 => (0.0, 0.0),
        1 => (1.0, 0.2 * seeded),
        2 => (-1.0, -0.2 * seeded),
        _ => (0.3 * seeded, 1.0),
    };
    let fade_from = frames.saturating_sub((FADE_SECONDS * FPS as f32) as u32);
    let (sw, sh) = (src.width() as f32, src.height() as f32);
    let make = |i: u32| -> RgbaImage {
        let t = i as f32 / FPS as f32;
        // The view starts as the whole source and narrows to 55% of it at 21 s, drifting.
        let zoom = 1.0 - (0.45 * speed * t / MAX_SECONDS as f32).min(0.6);
        let (vw, vh) = (sw * zoom, sh * zoom);
        let cx = (sw / 2.0 + dx * speed * t * sw / 200.0).clamp(vw / 2.0, sw - vw / 2.0);
        let cy = (sh / 2.0 + dy * speed * t * sh / 200.0).clamp(vh / 2.0, sh - vh / 2.0);
        let (x, y) = ((cx - vw / 2.0).max(0.0) as u32, (cy - vh / 2.0).max(0.0) as u32);
        let mut frame = src
            .crop_imm(x, y, vw.max(1.0) as u32, vh.max(1.0) as u32)
            .resize_exact(w, h, FilterType::Triangle)
            .into_rgba8();
        if let Some(end) = end.filter(|_| i >= fade_from) {
            let k = ((i - fade_from + 1) as f32 / (frames - fade_from) as f32).min(1.0);
            blend(&mut frame, end, k);
        }
        frame
    };
    // Frames are made as the encoder takes them: a 21 s clip is never all in memory.
    let settings = EncodeSettings::for_size(w, h, FPS);
    encode_mp4((0..frames).map(make), settings).map_err(|e| format!("[Internal error] {e}"))
}

/// `frame` moved toward `to` by `k` (0-1), byte by byte.
fn blend(frame: &mut RgbaImage, to: &RgbaImage, k: f32) {
    let k = (k * 256.0) as u32;
    for (a, b) in frame.iter_mut().zip(to.iter()) {
        *a = ((u32::from(*a) * (256 - k) + u32::from(*b) * k) >> 8) as u8;
    }
}

/// A start or end frame a client sent (a link to one of our images, base64, a data URI) as
/// PNG; None for a link the simulator cannot read (the job then fails as a bad link would).
pub(super) async fn frame(sim: &std::sync::Arc<super::state::Sim>, src: &str) -> Result<Option<Vec<u8>>, String> {
    // One of our images from an earlier run (this simulator keeps its jobs across restarts):
    // rendered again first, as `/cdn` does when it is asked for one.
    let name = url::Url::parse(src.trim())
        .ok()
        .and_then(|u| u.path().strip_prefix("/cdn/").and_then(|n| n.strip_suffix(".png")).map(str::to_owned));
    if let Some(name) = name
        && matches!(sim.cdn.get(&name), super::cdn::CdnLookup::Missing)
        && let Some(job) = sim.job_of_image(&name)
    {
        let _ = sim.status(&job).await;
    }
    match inputs::load(sim, src).await? {
        Some(img) => inputs::off_runtime(move || Ok(crate::imageio::encode_png(&img))).await?.map(Some),
        None => Ok(None),
    }
}

/// The parameters Midjourney reads from a video prompt (`--motion high`, `--bs 2`), which
/// AceData has no fields for.
pub(super) fn prompt_params(prompt: &str) -> Result<(bool, u8), String> {
    let words: Vec<&str> = prompt.split_whitespace().collect();
    let after = |flag: &str| words.iter().position(|w| w.eq_ignore_ascii_case(flag)).and_then(|i| words.get(i + 1));
    let high = match after("--motion").map(|m| m.to_ascii_lowercase()) {
        None => false,
        Some(m) if m == "low" => false,
        Some(m) if m == "high" => true,
        Some(m) => return Err(format!("--motion must be low or high, not {m}")),
    };
    let batch = match after("--bs") {
        None => 4,
        Some(n) => batch(n.parse::<u64>().map_err(|_| format!("--bs must be 1, 2 or 4, not {n}"))?)?,
    };
    Ok((high, batch))
}
