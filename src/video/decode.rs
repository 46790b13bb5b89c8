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
        Ok(Self { reader, track_id, info, params, decoder, next_sample: 1, primed: false })
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
            let mut rgba = vec![0u8; w * h * 4];
            yuv.write_rgba8(&mut rgba);
            RgbaImage::from_raw(w as u32, h as u32, rgba).expect("w*h*4 bytes")
        }))
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
