//! Clips: RGBA frames to a real MP4 (H.264 in an ISO-BMFF container) and back, plus a
//! poster frame. No egui here: the simulator renders clips with [`encode_mp4`], the job
//! manager writes each clip's poster with [`poster_png`], and the window plays clips through
//! [`Mp4Decoder`] on a worker thread.
//!
//! The codec is OpenH264 (the `openh264` crate, compiled from its bundled C source: nothing
//! from apt, no assembler) and the container is the pure-Rust `mp4` crate. Only what
//! Midjourney delivers is read: one H.264 video track (AVC1), progressive (not fragmented).
//! Anything else is a [`VideoError`] naming what was found, never a panic.

mod decode;
mod encode;

pub use decode::{Mp4Decoder, poster_png};
pub use encode::{EncodeSettings, encode_mp4};

/// Why a clip could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoError {
    #[error("not an MP4 file ({0})")]
    NotMp4(String),
    #[error("the MP4 holds no H.264 video track")]
    NoVideoTrack,
    #[error("the clip is damaged: {0}")]
    Damaged(String),
    #[error("the clip could not be encoded: {0}")]
    Encode(String),
    #[error("frames must all be {want_w}x{want_h} with even sides; frame {index} is {w}x{h}")]
    FrameSize { index: usize, want_w: u32, want_h: u32, w: u32, h: u32 },
    #[error("a clip needs at least one frame")]
    NoFrames,
    #[error("the clip is {w}x{h}, larger than the {max}-pixel side mjdesk plays")]
    TooLarge { w: u32, h: u32, max: u32 },
}

/// The largest side mjdesk decodes (Midjourney's HD is 720p; this leaves room for 1080p).
pub const MAX_SIDE: u32 = 4096;

/// What a clip is, read from its header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipInfo {
    pub width: u32,
    pub height: u32,
    pub frames: u32,
    /// Frames per second, from the track's sample timing.
    pub fps: f64,
    pub duration_ms: u64,
}

/// True when `bytes` start like an ISO-BMFF file (`ftyp` box first), as every MP4 does.
pub fn is_mp4(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[4..8] == b"ftyp"
}

#[cfg(test)]
mod tests;
