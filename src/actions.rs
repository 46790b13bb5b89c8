//! What a gateway's action strings mean, and how to label them.
//!
//! Buttons are always drawn from the strings a job's `components` / `actions` listed, and
//! exactly those strings are sent back. This module only gives them a meaning (for labels,
//! quadrant mapping and keyboard shortcuts) and translates a meaning into each gateway's
//! spelling (U1 is `upsample1` on TTAPI, `upscale1` on AceData).

use crate::job::Provider;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanDirection {
    Left,
    Right,
    Up,
    Down,
}

/// The meaning of an action string. Unknown strings stay `Other` and are still offered.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// U1-U4: quadrant 0-3.
    Upscale(u8),
    /// V1-V4: quadrant 0-3.
    Variation(u8),
    Reroll,
    /// Zoom out by a factor written as text ("2", "1.5").
    ZoomOut(String),
    Pan(PanDirection),
    VarySubtle,
    VaryStrong,
    VaryRegion,
    UpscaleSubtle,
    UpscaleCreative,
    Upscale2x,
    Upscale4x,
    MakeSquare,
    Other(String),
}

impl ActionKind {
    /// Reads any gateway's spelling.
    pub fn parse(action: &str) -> Self {
        let a = action.trim().to_ascii_lowercase();
        let quadrant = |prefix: &str| -> Option<u8> {
            let n: u8 = a.strip_prefix(prefix)?.parse().ok()?;
            (1..=4).contains(&n).then_some(n - 1)
        };
        if let Some(q) = quadrant("upsample").or_else(|| quadrant("upscale")) {
            return ActionKind::Upscale(q);
        }
        if let Some(q) = quadrant("variation") {
            return ActionKind::Variation(q);
        }
        match a.as_str() {
            "reroll" => ActionKind::Reroll,
            "zoom_out_2x" | "zoom_out_2" => ActionKind::ZoomOut("2".into()),
            "zoom_out_1_5x" | "zoom_out_1_5" | "zoom_out_1.5x" => ActionKind::ZoomOut("1.5".into()),
            "pan_left" => ActionKind::Pan(PanDirection::Left),
            "pan_right" => ActionKind::Pan(PanDirection::Right),
            "pan_up" => ActionKind::Pan(PanDirection::Up),
            "pan_down" => ActionKind::Pan(PanDirection::Down),
            "vary_subtle" | "low_variation" | "variation_subtle" => ActionKind::VarySubtle,
            "vary_strong" | "high_variation" | "variation_strong" => ActionKind::VaryStrong,
            "vary_region" | "variation_region" | "inpaint" => ActionKind::VaryRegion,
            "upscale_subtle" => ActionKind::UpscaleSubtle,
            "upscale_creative" => ActionKind::UpscaleCreative,
            "upscale_2x" => ActionKind::Upscale2x,
            "upscale_4x" => ActionKind::Upscale4x,
            "make_square" => ActionKind::MakeSquare,
            _ => ActionKind::Other(action.to_owned()),
        }
    }

    /// The quadrant (0-3) an action works on, for U and V.
    pub fn image_index(&self) -> Option<u8> {
        match self {
            ActionKind::Upscale(q) | ActionKind::Variation(q) => Some(*q),
            _ => None,
        }
    }

    /// A short button label.
    pub fn label(&self) -> String {
        match self {
            ActionKind::Upscale(q) => format!("U{}", q + 1),
            ActionKind::Variation(q) => format!("V{}", q + 1),
            ActionKind::Reroll => "Reroll".into(),
            ActionKind::ZoomOut(f) => format!("Zoom Out {f}x"),
            ActionKind::Pan(PanDirection::Left) => "⬅ Pan".into(),
            ActionKind::Pan(PanDirection::Right) => "➡ Pan".into(),
            ActionKind::Pan(PanDirection::Up) => "⬆ Pan".into(),
            ActionKind::Pan(PanDirection::Down) => "⬇ Pan".into(),
            ActionKind::VarySubtle => "Vary (Subtle)".into(),
            ActionKind::VaryStrong => "Vary (Strong)".into(),
            ActionKind::VaryRegion => "Vary (Region)".into(),
            ActionKind::UpscaleSubtle => "Upscale (Subtle)".into(),
            ActionKind::UpscaleCreative => "Upscale (Creative)".into(),
            ActionKind::Upscale2x => "Upscale 2x".into(),
            ActionKind::Upscale4x => "Upscale 4x".into(),
            ActionKind::MakeSquare => "Make Square".into(),
            ActionKind::Other(s) => s.clone(),
        }
    }

    /// This meaning in a gateway's own spelling, for flows that start from a meaning (a
    /// keyboard shortcut, the CLI's `U1`) rather than from a listed string.
    pub fn to_gateway(&self, provider: Provider) -> String {
        let ace = provider == Provider::Acedata;
        match self {
            ActionKind::Upscale(q) if ace => format!("upscale{}", q + 1),
            ActionKind::Upscale(q) => format!("upsample{}", q + 1),
            ActionKind::Variation(q) => format!("variation{}", q + 1),
            ActionKind::Reroll => "reroll".into(),
            ActionKind::ZoomOut(f) if f == "1.5" => "zoom_out_1_5x".into(),
            ActionKind::ZoomOut(_) => "zoom_out_2x".into(),
            ActionKind::Pan(d) => match d {
                PanDirection::Left => "pan_left",
                PanDirection::Right => "pan_right",
                PanDirection::Up => "pan_up",
                PanDirection::Down => "pan_down",
            }
            .into(),
            ActionKind::VarySubtle if ace => "variation_subtle".into(),
            ActionKind::VarySubtle => "vary_subtle".into(),
            ActionKind::VaryStrong if ace => "variation_strong".into(),
            ActionKind::VaryStrong => "vary_strong".into(),
            ActionKind::VaryRegion if ace => "variation_region".into(),
            ActionKind::VaryRegion => "vary_region".into(),
            ActionKind::UpscaleSubtle => "upscale_subtle".into(),
            ActionKind::UpscaleCreative => "upscale_creative".into(),
            ActionKind::Upscale2x => "upscale_2x".into(),
            ActionKind::Upscale4x => "upscale_4x".into(),
            ActionKind::MakeSquare => "make_square".into(),
            ActionKind::Other(s) => s.clone(),
        }
    }

    /// Reads a designer's shorthand (`U1`, `v3`, `reroll`) or a gateway string.
    pub fn parse_shorthand(s: &str) -> Self {
        let t = s.trim();
        let mut chars = t.chars();
        if let (Some(c), Some(d), None) = (chars.next(), chars.next(), chars.next())
            && let Some(n) = d.to_digit(10).filter(|n| (1..=4).contains(n))
        {
            match c.to_ascii_uppercase() {
                'U' => return ActionKind::Upscale(n as u8 - 1),
                'V' => return ActionKind::Variation(n as u8 - 1),
                _ => {}
            }
        }
        Self::parse(t)
    }
}

/// Picks, among the strings a job offered, the one that means `wanted`; the job's own
/// spelling wins over ours.
pub fn find_offered<'a>(offered: &'a [String], wanted: &ActionKind) -> Option<&'a str> {
    offered.iter().find(|s| ActionKind::parse(s) == *wanted).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_gateways_spellings_mean_the_same() {
        assert_eq!(ActionKind::parse("upsample1"), ActionKind::Upscale(0));
        assert_eq!(ActionKind::parse("upscale4"), ActionKind::Upscale(3));
        assert_eq!(ActionKind::parse("zoom_out_2"), ActionKind::parse("zoom_out_2x"));
        assert_eq!(ActionKind::parse("low_variation"), ActionKind::VarySubtle);
        assert_eq!(ActionKind::parse("upsample5"), ActionKind::Other("upsample5".into()));
        assert_eq!(ActionKind::parse("Custom_Thing"), ActionKind::Other("Custom_Thing".into()));
    }

    #[test]
    fn u1_is_spelled_per_gateway() {
        assert_eq!(ActionKind::Upscale(0).to_gateway(Provider::Ttapi), "upsample1");
        assert_eq!(ActionKind::Upscale(0).to_gateway(Provider::Acedata), "upscale1");
        assert_eq!(ActionKind::parse_shorthand("v3"), ActionKind::Variation(2));
        assert_eq!(ActionKind::parse_shorthand("U1").label(), "U1");
    }

    #[test]
    fn the_offered_spelling_is_sent_back() {
        let offered = vec!["upsample1".to_owned(), "zoom_out_2".to_owned()];
        assert_eq!(find_offered(&offered, &ActionKind::ZoomOut("2".into())), Some("zoom_out_2"));
        assert_eq!(find_offered(&offered, &ActionKind::Reroll), None);
    }
}
