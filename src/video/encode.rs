//! RGBA frames to an MP4: each frame converted to YUV 4:2:0, encoded by OpenH264 (Annex B
//! NAL units), then re-packed as the MP4 sample format wants it (each NAL prefixed by its
//! 4-byte length; SPS and PPS moved into the track's `avcC` box).

use std::borrow::Borrow;
use std::io::Cursor;

use image::RgbaImage;
use openh264::OpenH264API;
use openh264::encoder::{
    BitRate, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, QpRange, RateControlMode,
};
use openh264::formats::{RgbaSliceU8, YUVBuffer};

use super::VideoError;

/// The MP4's time unit: 1/90000 s, the usual video timescale.
const TIMESCALE: u32 = 90_000;

/// How a clip is encoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncodeSettings {
    pub fps: u32,
    /// Bits per second the encoder is told to expect (its buffers are sized by it).
    pub bitrate: u32,
    /// A key frame every this many frames (seeking and looping restart from one).
    pub keyframe_every: u32,
}

impl EncodeSettings {
    /// A bitrate that keeps a still-ish picture close to its source: ~0.2 bits a pixel a frame.
    pub fn for_size(width: u32, height: u32, fps: u32) -> Self {
        let bitrate = ((width as u64 * height as u64 * fps as u64) / 5).clamp(200_000, 20_000_000) as u32;
        Self { fps, bitrate, keyframe_every: fps.max(1) * 2 }
    }
}

/// Encodes `frames` (all the same size, even sides) into an MP4 file's bytes. Frames may be
/// borrowed or made one by one as they are taken (only one is held at a time).
pub fn encode_mp4<F: Borrow<RgbaImage>>(
    frames: impl IntoIterator<Item = F>,
    settings: EncodeSettings,
) -> Result<Vec<u8>, VideoError> {
    let mut frames = frames.into_iter().peekable();
    let first = frames.peek().ok_or(VideoError::NoFrames)?;
    let (w, h) = first.borrow().dimensions();
    if w == 0 || h == 0 || w % 2 == 1 || h % 2 == 1 || w > super::MAX_SIDE || h > super::MAX_SIDE {
        return Err(VideoError::FrameSize { index: 0, want_w: w & !1, want_h: h & !1, w, h });
    }
    let fps = settings.fps.max(1);
    let config = EncoderConfig::new()
        .bitrate(BitRate::from_bps(settings.bitrate))
        .max_frame_rate(FrameRate::from_hz(fps as f32))
        // No rate control: a fixed quantiser range keeps every frame near its source (and
        // OpenH264 warns on stderr when a rate-controlled mode runs without frame skipping,
        // which would drop frames from a clip).
        .rate_control_mode(RateControlMode::Off)
        .qp(QpRange::new(18, 30))
        .intra_frame_period(IntraFramePeriod::from_num_frames(settings.keyframe_every.max(1)))
        .skip_frames(false);
    let mut encoder =
        Encoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| VideoError::Encode(e.to_string()))?;
    let mut yuv = YUVBuffer::new(w as usize, h as usize);
    let mut sps: Option<Vec<u8>> = None;
    let mut pps: Option<Vec<u8>> = None;
    let mut samples: Vec<(Vec<u8>, bool)> = Vec::new();
    for (index, frame) in frames.enumerate() {
        let frame = frame.borrow();
        if frame.dimensions() != (w, h) {
            let (fw, fh) = frame.dimensions();
            return Err(VideoError::FrameSize { index, want_w: w, want_h: h, w: fw, h: fh });
        }
        yuv.read_rgb(RgbaSliceU8::new(frame.as_raw(), (w as usize, h as usize)));
        let stream = encoder.encode(&yuv).map_err(|e| VideoError::Encode(e.to_string()))?;
        let key = matches!(stream.frame_type(), FrameType::IDR | FrameType::I);
        let annex_b = stream.to_vec();
        let mut sample = Vec::with_capacity(annex_b.len());
        for nal in openh264::nal_units(&annex_b) {
            let payload = strip_start_code(nal);
            let Some(&header) = payload.first() else { continue };
            match header & 0x1f {
                7 => sps = Some(payload.to_vec()),
                8 => pps = Some(payload.to_vec()),
                _ => {
                    sample.extend_from_slice(&(payload.len() as u32).to_be_bytes());
                    sample.extend_from_slice(payload);
                }
            }
        }
        samples.push((sample, key));
    }
    let (Some(sps), Some(pps)) = (sps, pps) else {
        return Err(VideoError::Encode("the encoder gave no SPS/PPS".into()));
    };
    mux(w, h, fps, sps, pps, samples)
}

fn strip_start_code(nal: &[u8]) -> &[u8] {
    let zeros = nal.iter().take_while(|b| **b == 0).count();
    if zeros >= 2 && nal.get(zeros) == Some(&1) { &nal[zeros + 1..] } else { nal }
}

fn mux(
    w: u32,
    h: u32,
    fps: u32,
    sps: Vec<u8>,
    pps: Vec<u8>,
    samples: Vec<(Vec<u8>, bool)>,
) -> Result<Vec<u8>, VideoError> {
    let err = |e: mp4::Error| VideoError::Encode(format!("MP4: {e}"));
    let config = mp4::Mp4Config {
        major_brand: str::parse("isom").map_err(err)?,
        minor_version: 512,
        compatible_brands: vec![
            str::parse("isom").map_err(err)?,
            str::parse("iso2").map_err(err)?,
            str::parse("avc1").map_err(err)?,
            str::parse("mp41").map_err(err)?,
        ],
        timescale: 1000,
    };
    let mut writer = mp4::Mp4Writer::write_start(Cursor::new(Vec::new()), &config).map_err(err)?;
    let track = mp4::TrackConfig {
        track_type: mp4::TrackType::Video,
        timescale: TIMESCALE,
        language: "und".into(),
        media_conf: mp4::MediaConfig::AvcConfig(mp4::AvcConfig {
            width: w as u16,
            height: h as u16,
            seq_param_set: sps,
            pic_param_set: pps,
        }),
    };
    writer.add_track(&track).map_err(err)?;
    let step = TIMESCALE / fps;
    for (i, (bytes, key)) in samples.into_iter().enumerate() {
        let sample = mp4::Mp4Sample {
            start_time: i as u64 * step as u64,
            duration: step,
            rendering_offset: 0,
            is_sync: key,
            bytes: bytes.into(),
        };
        writer.write_sample(1, &sample).map_err(err)?;
    }
    writer.write_end().map_err(err)?;
    Ok(writer.into_writer().into_inner())
}
