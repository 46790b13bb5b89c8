//! What a video job asks for: Midjourney's video model turns one still (the start frame)
//! into a batch of ~5 s clips; a clip can then be extended ~4 s at a time up to ~21 s.
//! Provider-neutral: each gateway client spells these its own way.

use serde::{Deserialize, Serialize};

/// Seconds of a fresh clip.
pub const BASE_SECONDS: u32 = 5;
/// Seconds each extend adds.
pub const EXTEND_SECONDS: u32 = 4;
/// The longest a clip may become.
pub const MAX_SECONDS: u32 = 21;
/// How many times a clip can be extended: 5 + 4 x 4 = 21 s.
pub const MAX_EXTENDS: u8 = ((MAX_SECONDS - BASE_SECONDS) / EXTEND_SECONDS) as u8;

/// How much the picture moves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Motion {
    #[default]
    Low,
    High,
}

impl Motion {
    pub fn as_str(self) -> &'static str {
        match self {
            Motion::Low => "low",
            Motion::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Motion::Low),
            "high" => Some(Motion::High),
            _ => None,
        }
    }
}

/// SD is 480p, HD 720p.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    #[default]
    Sd,
    Hd,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Sd => "sd",
            Resolution::Hd => "hd",
        }
    }

    /// The frame height: 480 or 720.
    pub fn lines(self) -> u32 {
        match self {
            Resolution::Sd => 480,
            Resolution::Hd => 720,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sd" | "480p" | "480" => Some(Resolution::Sd),
            "hd" | "720p" | "720" => Some(Resolution::Hd),
            _ => None,
        }
    }
}

/// The choices an animate or an extend carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoOptions {
    pub motion: Motion,
    /// Manual animation's motion prompt; None is automatic animation.
    pub prompt: Option<String>,
    pub resolution: Resolution,
    /// Clips in the batch: 1, 2 or 4.
    pub batch: u8,
    /// The clip ends where it started.
    #[serde(rename = "loop")]
    pub looped: bool,
}

impl Default for VideoOptions {
    fn default() -> Self {
        Self { motion: Motion::Low, prompt: None, resolution: Resolution::Sd, batch: 4, looped: false }
    }
}

impl VideoOptions {
    /// The motion prompt when one was given (manual animation).
    pub fn manual_prompt(&self) -> Option<&str> {
        self.prompt.as_deref().map(str::trim).filter(|p| !p.is_empty())
    }

    pub fn batch_ok(batch: u8) -> bool {
        matches!(batch, 1 | 2 | 4)
    }
}

/// The length of a clip extended `extends` times.
pub fn clip_seconds(extends: u8) -> u32 {
    BASE_SECONDS + EXTEND_SECONDS * extends as u32
}
