//! An MP4 back to RGBA frames, one at a time: the sample table is read once, each sample
//! (length-prefixed NAL units) turned back into Annex B and fed to OpenH264. The decoder
//! holds the file and one frame, so four open clips cost four files and four frames.

use std::io::Cursor;

use image::RgbaImage;
use openh264::OpenH264API;
use openh264::decoder::{Decoder, DecoderConfig};
use openh264::formats::YUVSource;

use super::{ClipInfo, MAX_SIDE, VideoError};

const START: [u8; 4] = [0, 0, 0, 1];

/// Reads the frames of one MP4 clip in order; [`rewind`](Self::rewind) loops it.
pub struct Mp4Decoder {
    reader: mp4::Mp4Reader<Cursor<Vec<u8>>>,
    track_id: u32,
    info: ClipInfo,
    /// SPS and PPS in Annex B, fed before the first sample and after every seek.
    params: Vec<u8>,
    decoder: Decoder,
    /// 1-based id of the next sample to read (the mp4 crate counts from 1).
    next_sample: u32,
    primed: bool,
    /// A frame's memory handed back by [`recycle`](Self::recycle), written over by the next.
    spare: Option<Vec<u8>>,
}

impl std::fmt::Debug for Mp4Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mp4Decoder").field("info", &self.info).field("next_sample", &self.next_sample).finish()
    }
}

impl Mp4Decoder {
    /// Opens a clip held in memory. Reads the header only; no frame is decoded yet.
    pub fn new(bytes: Vec<u8>) -> Result<Self, VideoError> {
        if !super::is_mp4(&bytes) {
            let what = if bytes.is_empty() { "it is empty".to_owned() } else { "no ftyp box at its start".to_owned() };
            return Err(VideoError::NotMp4(what));
        }
        let size = bytes.len() as u64;
        let reader = mp4::Mp4Reader::read_header(Cursor::new(bytes), size)
            .map_err(|e| VideoError::Damaged(format!("unreadable header: {e}")))?;
        let (track_id, track) = reader
            .tracks()
            .iter()
            .find(|(_, t)| t.box_type().is_ok_and(|b| b == mp4::FourCC::from(*b"avc1")))
            .map(|(id, t)| (*id, t))
            .ok_or(VideoError::NoVideoTrack)?;
        let (width, height) = (track.width() as u32, track.height() as u32);
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(VideoError::TooLarge { w: width, h: height, max: MAX_SIDE });
        }
        let sps = track.sequence_parameter_set().map_err(|e| VideoError::Damaged(format!("no SPS: {e}")))?;
        let pps = track.picture_parameter_set().map_err(|e| VideoError::Damaged(format!("no PPS: {e}")))?;
        let mut params = Vec::with_capacity(sps.len() + pps.len() + 8);
        for p in [sps, pps] {
            params.extend_from_slice(&START);
            params.extend_from_slice(p);
        }
        let frames = track.sample_count();
        let duration_ms = track.duration().as_millis() as u64;
        let fps = match track.frame_rate() {
            f if f.is_finite() && f > 0.0 => f,
            _ if duration_ms > 0 => frames as f64 * 1000.0 / duration_ms as f64,
            _ => 24.0,
        };
        let info = ClipInfo { width, height, frames, fps, duration_ms };
        let decoder = new_decoder()?;
        Ok(Self { reader, track_id, info, params, decoder, next_sample: 1, primed: false, spare: None })
    }

    /// Hands back a frame the caller is done with: the next frame of its size is written
    /// into the same memory instead of a fresh megabyte or two.
    pub fn recycle(&mut self, frame: RgbaImage) {
        self.spare = Some(frame.into_raw());
    }

    pub fn info(&self) -> ClipInfo {
        self.info
    }

    /// The index of the frame [`next_frame`](Self::next_frame) returns next.
    pub fn position(&self) -> u32 {
        self.next_sample - 1
    }

    /// The next frame, or None after the last one.
    pub fn next_frame(&mut self) -> Result<Option<RgbaImage>, VideoError> {
        while self.next_sample <= self.info.frames {
            let sample = self.read(self.next_sample)?;
            self.next_sample += 1;
            if let Some(frame) = self.decode_sample(&sample.bytes)? {
                return Ok(Some(frame));
            }
        }
        Ok(None)
    }

    /// Back to the first frame (for looping).
    pub fn rewind(&mut self) -> Result<(), VideoError> {
        self.seek(0)
    }

    /// Positions the decoder so that [`next_frame`](Self::next_frame) returns frame `index`
    /// (clamped to the clip): decoding restarts at the key frame before it.
    pub fn seek(&mut self, index: u32) -> Result<(), VideoError> {
        let target = index.min(self.info.frames.saturating_sub(1)) + 1;
        let mut key = target;
        while key > 1 && !self.read(key)?.is_sync {
            key -= 1;
        }
        self.decoder = new_decoder()?;
        self.primed = false;
        self.next_sample = key;
        while self.next_sample < target {
            let sample = self.read(self.next_sample)?;
            self.next_sample += 1;
            self.decode_sample(&sample.bytes)?;
        }
        Ok(())
    }

    fn read(&mut self, id: u32) -> Result<mp4::Mp4Sample, VideoError> {
        self.reader
            .read_sample(self.track_id, id)
            .map_err(|e| VideoError::Damaged(format!("frame {}: {e}", id - 1)))?
            .ok_or_else(|| VideoError::Damaged(format!("frame {} is missing", id - 1)))
    }

    fn decode_sample(&mut self, avcc: &[u8]) -> Result<Option<RgbaImage>, VideoError> {
        let mut annex_b = Vec::with_capacity(avcc.len() + self.params.len() + 16);
        if !self.primed {
            annex_b.extend_from_slice(&self.params);
            self.primed = true;
        }
        let mut rest = avcc;
        while !rest.is_empty() {
            let Some(len) = rest.get(..4).map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize) else {
                return Err(VideoError::Damaged("a NAL length is cut short".into()));
            };
            let Some(nal) = rest.get(4..4 + len) else {
                return Err(VideoError::Damaged("a NAL runs past its sample".into()));
            };
            annex_b.extend_from_slice(&START);
            annex_b.extend_from_slice(nal);
            rest = &rest[4 + len..];
        }
        let decoded = self.decoder.decode(&annex_b).map_err(|e| VideoError::Damaged(format!("H.264: {e}")))?;
        Ok(decoded.map(|yuv| {
            let (w, h) = yuv.dimensions();
            // every byte is written below, whichever path
            let spare = self.spare.take().filter(|b| b.len() == w * h * 4);
            let mut rgba = spare.unwrap_or_else(|| vec![0u8; w * h * 4]);
            if w % 8 == 0 && h >= 2 {
                // The crate's SIMD path (it needs widths in steps of 8).
                yuv.write_rgba8(&mut rgba);
            } else {
                // Its other path is per-pixel floating point: 6 ms of a 7 ms frame at 854x480
                // (see benches/video.rs). Integer arithmetic instead.
                yuv420_to_rgba(&yuv, (w, h), &mut rgba);
            }
            RgbaImage::from_raw(w as u32, h as u32, rgba).expect("w*h*4 bytes")
        }))
    }
}

/// BT.601 limited range (as the crate's own conversion), in 16.16 fixed point. Rows go in
/// pairs: the two rows of a pair share their chroma, so each chroma sample's three terms are
/// worked out once, spread over the pixels they cover, and each row is then one plain pass
/// over equal-length slices, which the compiler turns into vector code.
fn yuv420_to_rgba(yuv: &impl YUVSource, (w, h): (usize, usize), out: &mut [u8]) {
    const RV: i32 = 104_595; // 1.596
    const GU: i32 = 25_690; // 0.392
    const GV: i32 = 53_281; // 0.813
    const BU: i32 = 132_186; // 2.017
    let (ys, us, vs) = yuv.strides();
    let (yp, up, vp) = (yuv.y(), yuv.u(), yuv.v());
    let cw = w.div_ceil(2);
    // each pixel's red, green and blue chroma terms, for the pair of rows in hand
    let (mut rt, mut gt, mut bt) = (vec![0i32; cw * 2], vec![0i32; cw * 2], vec![0i32; cw * 2]);
    for pair in 0..h.div_ceil(2) {
        let (urow, vrow) = (&up[pair * us..pair * us + cw], &vp[pair * vs..pair * vs + cw]);
        for ((((r, g), b), &u), &v) in
            rt.chunks_exact_mut(2).zip(gt.chunks_exact_mut(2)).zip(bt.chunks_exact_mut(2)).zip(urow).zip(vrow)
        {
            let (u, v) = (i32::from(u) - 128, i32::from(v) - 128);
            r.fill(RV * v);
            g.fill(-GU * u - GV * v);
            b.fill(BU * u);
        }
        for row in pair * 2..(pair * 2 + 2).min(h) {
            let yrow = &yp[row * ys..row * ys + w];
            let dst = &mut out[row * w * 4..(row + 1) * w * 4];
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has just been asked: it runs AVX2.
                unsafe { rgba_row_avx2(yrow, (&rt[..w], &gt[..w], &bt[..w]), dst) };
                continue;
            }
            rgba_row(yrow, (&rt[..w], &gt[..w], &bt[..w]), dst);
        }
    }
}

/// [`rgba_row`] compiled for AVX2: eight pixels a step instead of four.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rgba_row_avx2(y: &[u8], terms: (&[i32], &[i32], &[i32]), dst: &mut [u8]) {
    rgba_row(y, terms, dst)
}

/// One row: luma plus the chroma terms of each pixel, to opaque RGBA.
#[inline(always)]
fn rgba_row(y: &[u8], (rt, gt, bt): (&[i32], &[i32], &[i32]), dst: &mut [u8]) {
    const Y: i32 = 76_284; // 1.164
    let clamp = |c: i32| ((c + 32_768) >> 16).clamp(0, 255) as u32;
    for ((((px, &y), &r), &g), &b) in dst.chunks_exact_mut(4).zip(y).zip(rt).zip(gt).zip(bt) {
        let y = (i32::from(y) - 16) * Y;
        let word = clamp(y + r) | clamp(y + g) << 8 | clamp(y + b) << 16 | 0xff00_0000;
        px.copy_from_slice(&word.to_le_bytes());
    }
}

fn new_decoder() -> Result<Decoder, VideoError> {
    Decoder::with_api_config(OpenH264API::from_source(), DecoderConfig::new())
        .map_err(|e| VideoError::Damaged(format!("the H.264 decoder did not start: {e}")))
}

/// The clip's first frame as a PNG, the poster shown where the clip is not playing.
pub fn poster_png(mp4: &[u8]) -> Result<Vec<u8>, VideoError> {
    let mut decoder = Mp4Decoder::new(mp4.to_vec())?;
    let frame = decoder.next_frame()?.ok_or_else(|| VideoError::Damaged("it holds no frame".into()))?;
    let mut png = Vec::new();
    frame
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| VideoError::Encode(format!("poster PNG: {e}")))?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use openh264::formats::{RgbaSliceU8, YUVBuffer};

    use super::*;

    #[test]
    fn the_integer_conversion_inverts_the_crates_rgb_to_yuv_at_odd_widths() {
        // 54 wide: not a multiple of 8, so the window takes this path for such clips.
        let (w, h) = (54usize, 20usize);
        let src = RgbaImage::from_fn(w as u32, h as u32, |x, y| {
            image::Rgba([(x * 4) as u8, (y * 12) as u8, ((x + y) * 3) as u8, 255])
        });
        let mut yuv = YUVBuffer::new(w, h);
        yuv.read_rgb(RgbaSliceU8::new(src.as_raw(), (w, h)));
        let mut out = vec![0u8; w * h * 4];
        yuv420_to_rgba(&yuv, (w, h), &mut out);
        let diff: u64 = src.as_raw().iter().zip(&out).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
        let mean = diff as f64 / (w * h * 4) as f64;
        assert!(mean < 3.0, "mean difference {mean:.2}");
        assert!(out.chunks(4).all(|p| p[3] == 255));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_row_matches_the_plain_one() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let w = 37;
        let y: Vec<u8> = (0..w).map(|i| (i * 7) as u8).collect();
        let terms: [Vec<i32>; 3] =
            std::array::from_fn(|k| (0..w).map(|i| (i as i32 - 18) * 9_000 * (k as i32 - 1)).collect());
        let (mut plain, mut avx2) = (vec![0u8; w * 4], vec![0u8; w * 4]);
        rgba_row(&y, (&terms[0], &terms[1], &terms[2]), &mut plain);
        // SAFETY: AVX2 was detected above.
        unsafe { rgba_row_avx2(&y, (&terms[0], &terms[1], &terms[2]), &mut avx2) };
        assert_eq!(plain, avx2);
        assert!(plain.chunks(4).any(|p| p[0] == 0) && plain.chunks(4).any(|p| p[0] == 255), "both clamps taken");
    }
}
