//! What a prompt's words ask of a picture: a palette (its colour words set hue and accent,
//! mood words set brightness and saturation) and subjects (mountains, sea, city, flowers ...),
//! plus the stable hashes the simulator derives seeds with.

use image::Rgba;

/// 64-bit FNV-1a: a hash that stays the same across Rust releases (unlike `DefaultHasher`).
pub(super) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Mixes two values into a well-spread seed (splitmix64 finaliser).
pub(super) fn mix64(a: u64, b: u64) -> u64 {
    let mut z = (a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A colour with channels in 0..1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub fn hsl(h: f32, s: f32, l: f32) -> Rgb {
        let (h, s, l) = (h.rem_euclid(360.0) / 60.0, s.clamp(0.0, 1.0), l.clamp(0.0, 1.0));
        let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
        let x = c * (1.0 - (h % 2.0 - 1.0).abs());
        let (r, g, b) = match h as u32 {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        let m = l - c / 2.0;
        Rgb(r + m, g + m, b + m)
    }

    pub fn mix(self, o: Rgb, t: f32) -> Rgb {
        Rgb(self.0 + (o.0 - self.0) * t, self.1 + (o.1 - self.1) * t, self.2 + (o.2 - self.2) * t)
    }

    pub fn scale(self, k: f32) -> Rgb {
        Rgb(self.0 * k, self.1 * k, self.2 * k)
    }

    pub fn from_px(p: &Rgba<u8>) -> Rgb {
        Rgb(f32::from(p.0[0]) / 255.0, f32::from(p.0[1]) / 255.0, f32::from(p.0[2]) / 255.0)
    }

    pub fn px(self) -> Rgba<u8> {
        let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
        Rgba([q(self.0), q(self.1), q(self.2), 255])
    }
}

/// Five related colours and an accent, from a base hue.
#[derive(Debug, Clone, Copy)]
pub(super) struct Palette {
    pub deep: Rgb,
    pub mid: Rgb,
    pub bright: Rgb,
    pub light: Rgb,
    pub accent: Rgb,
    pub glow: Rgb,
}

impl Palette {
    pub fn new(h: f32, s: f32, l: f32, accent: f32) -> Self {
        Palette {
            deep: Rgb::hsl(h + 8.0, s * 0.8, 0.15 + l * 0.5),
            mid: Rgb::hsl(h, s, 0.36 + l),
            bright: Rgb::hsl(h - 10.0, s, 0.58 + l),
            light: Rgb::hsl(h - 20.0, s * 0.7, 0.8 + l * 0.5),
            accent: Rgb::hsl(h + accent, s.max(0.55), 0.56 + l * 0.5),
            glow: Rgb::hsl(h + accent, s * 0.8, 0.8),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    // background to foreground
    Orb,
    Rings,
    Bands,
    Ridges,
    Waves,
    Skyline,
    Bloom,
    Figure,
}

#[rustfmt::skip]
const KIND_WORDS: &[(&str, Kind)] = &[
    ("mountain", Kind::Ridges), ("mountains", Kind::Ridges), ("hill", Kind::Ridges), ("hills", Kind::Ridges),
    ("landscape", Kind::Ridges), ("valley", Kind::Ridges), ("desert", Kind::Ridges), ("dunes", Kind::Ridges),
    ("ocean", Kind::Waves), ("sea", Kind::Waves), ("waves", Kind::Waves), ("lake", Kind::Waves),
    ("river", Kind::Waves), ("water", Kind::Waves), ("beach", Kind::Waves), ("sun", Kind::Orb),
    ("moon", Kind::Orb), ("planet", Kind::Orb), ("sunset", Kind::Orb), ("sunrise", Kind::Orb),
    ("city", Kind::Skyline), ("skyline", Kind::Skyline), ("buildings", Kind::Skyline), ("tower", Kind::Skyline),
    ("street", Kind::Skyline), ("architecture", Kind::Skyline), ("cyberpunk", Kind::Skyline),
    ("flower", Kind::Bloom), ("flowers", Kind::Bloom), ("rose", Kind::Bloom), ("garden", Kind::Bloom),
    ("bloom", Kind::Bloom), ("portrait", Kind::Figure), ("face", Kind::Figure), ("cat", Kind::Figure),
    ("dog", Kind::Figure), ("person", Kind::Figure), ("woman", Kind::Figure), ("man", Kind::Figure),
    ("astronaut", Kind::Figure), ("robot", Kind::Figure), ("abstract", Kind::Rings), ("circles", Kind::Rings),
    ("geometric", Kind::Bands), ("pattern", Kind::Bands), ("stripes", Kind::Bands),
];

#[rustfmt::skip]
const HUE_WORDS: &[(&str, f32)] = &[
    ("red", 0.0), ("crimson", 350.0), ("fire", 12.0), ("sunset", 18.0), ("orange", 28.0), ("autumn", 30.0),
    ("amber", 38.0), ("desert", 36.0), ("gold", 45.0), ("golden", 45.0), ("yellow", 52.0), ("lime", 85.0),
    ("spring", 95.0), ("green", 125.0), ("forest", 135.0), ("jungle", 130.0), ("emerald", 150.0),
    ("mint", 155.0), ("teal", 175.0), ("cyan", 185.0), ("ice", 195.0), ("sea", 196.0), ("ocean", 200.0),
    ("sky", 205.0), ("water", 200.0), ("blue", 222.0), ("navy", 228.0), ("indigo", 248.0), ("violet", 268.0),
    ("lavender", 265.0), ("purple", 280.0), ("magenta", 305.0), ("pink", 330.0), ("rose", 340.0),
];

/// What the prompt's words ask for: hue, saturation, brightness and subjects.
pub(super) struct Style {
    pub hue: f32,
    pub sat: f32,
    pub light: f32,
    pub accent: f32,
    pub kinds: Vec<Kind>,
}

impl Style {
    pub fn read(words: &[String], seed: u64) -> Style {
        let key = fnv(words.join(" ").as_bytes());
        let hues: Vec<f32> = words.iter().filter_map(|w| HUE_WORDS.iter().find(|(k, _)| k == w)).map(|h| h.1).collect();
        // the first colour word sets the hue; a second one, the accent
        let hue = hues.first().copied().unwrap_or((key % 360) as f32);
        let second = hues.get(1).map(|b| b - hue);
        let (mut sat, mut light) = (0.62_f32, 0.0_f32);
        for w in words {
            match w.as_str() {
                "dark" | "night" | "noir" | "midnight" | "moody" | "shadow" => light -= 0.14,
                "bright" | "sunny" | "light" | "airy" | "snow" | "white" | "morning" => light += 0.1,
                "pastel" | "soft" => (sat, light) = (0.38, light + 0.08),
                "neon" | "vivid" | "cyberpunk" | "vibrant" => sat = 0.95,
                "muted" | "vintage" | "faded" | "foggy" | "misty" => sat = 0.3,
                "monochrome" | "grey" | "gray" | "black" => sat = 0.06,
                _ => {}
            }
        }
        let mut kinds: Vec<Kind> =
            words.iter().filter_map(|w| KIND_WORDS.iter().find(|(k, _)| k == w)).map(|k| k.1).collect();
        if kinds.is_empty() {
            const ANY: [Kind; 7] =
                [Kind::Ridges, Kind::Orb, Kind::Rings, Kind::Bands, Kind::Bloom, Kind::Skyline, Kind::Waves];
            kinds = vec![ANY[(key % 7) as usize], ANY[((key / 7) % 7) as usize]];
        }
        kinds.sort();
        kinds.dedup();
        let accent = second.unwrap_or([150.0, 180.0, 120.0, 210.0, 35.0][(mix64(seed, key) % 5) as usize]);
        Style { hue, sat, light: light.clamp(-0.12, 0.12), accent, kinds }
    }
}
