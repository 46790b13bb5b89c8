//! Describe: four different prompts read off an image's dominant colours, brightness and
//! aspect ratio, the way a designer would sum it up.

use image::RgbaImage;
use image::imageops::FilterType;

use super::style::fnv;

/// Names for 30-degree hue sectors centred on red (0), orange (30), yellow (60) ...
const HUE_NAMES: [&str; 12] =
    ["red", "orange", "yellow", "lime", "green", "emerald", "cyan", "azure", "blue", "violet", "magenta", "pink"];

const SUBJECTS: [&str; 8] = [
    "a lone lighthouse on a cliff",
    "a quiet mountain valley",
    "an abstract sculpture",
    "a city skyline at dusk",
    "a blooming garden",
    "a traveller seen from behind",
    "a still life with glass and fruit",
    "a winding desert road",
];

fn hsl(r: f32, g: f32, b: f32) -> (f32, f32, f32) {
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let l = (max + min) / 2.0;
    let d = max - min;
    if d < 1e-6 {
        return (0.0, 0.0, l);
    }
    let s = d / (1.0 - (2.0 * l - 1.0).abs()).max(1e-6);
    let h = if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (h, s.min(1.0), l)
}

/// The colour word for one pixel.
fn colour_name(r: f32, g: f32, b: f32) -> &'static str {
    let (h, s, l) = hsl(r, g, b);
    if l < 0.12 {
        "black"
    } else if l > 0.9 {
        "white"
    } else if s < 0.15 {
        "grey"
    } else {
        HUE_NAMES[((h + 15.0).rem_euclid(360.0) / 30.0) as usize % 12]
    }
}

/// `w:h` reduced, snapped to the nearest common ratio when close.
fn ratio(w: u32, h: u32) -> String {
    const COMMON: [(u32, u32); 9] = [(1, 1), (4, 3), (3, 2), (16, 9), (21, 9), (3, 4), (2, 3), (9, 16), (4, 5)];
    let r = f64::from(w) / f64::from(h.max(1));
    let best = COMMON.iter().min_by(|a, b| {
        let da = (f64::from(a.0) / f64::from(a.1) - r).abs();
        let db = (f64::from(b.0) / f64::from(b.1) - r).abs();
        da.total_cmp(&db)
    });
    match best {
        Some(&(a, b)) if (f64::from(a) / f64::from(b) - r).abs() < 0.03 => format!("{a}:{b}"),
        _ => {
            let g = gcd(w, h).max(1);
            format!("{}:{}", w / g, h / g)
        }
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Four prompts describing `img`.
pub(super) fn describe(img: &RgbaImage) -> Vec<String> {
    let (w, h) = img.dimensions();
    let small = super::compose::resize_with(img, 48.min(w).max(1), 48.min(h).max(1), FilterType::Triangle);
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let (mut luma, mut sat) = (0.0_f32, 0.0_f32);
    for p in small.pixels() {
        let [r, g, b] = [p.0[0], p.0[1], p.0[2]].map(|v| f32::from(v) / 255.0);
        let (_, s, _) = hsl(r, g, b);
        luma += 0.299 * r + 0.587 * g + 0.114 * b;
        sat += s;
        let name = colour_name(r, g, b);
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some(c) => c.1 += 1,
            None => counts.push((name, 1)),
        }
    }
    let n = (small.width() * small.height()).max(1) as f32;
    let (luma, sat) = (luma / n, sat / n);
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let colour = |i: usize| counts.get(i).or(counts.first()).map_or("grey", |c| c.0);
    let (c1, c2, c3) = (colour(0), colour(1), colour(2));
    let (mood, light, time) = match luma {
        l if l < 0.3 => ("dark, moody", "low-key", "night"),
        l if l < 0.55 => ("calm", "soft", "golden hour"),
        _ => ("bright, airy", "high-key", "midday"),
    };
    let finish = if sat > 0.45 { "vivid saturated colour" } else { "muted, restrained colour" };
    let ar = ratio(w, h);
    let subject = SUBJECTS[(fnv(small.as_raw()) % SUBJECTS.len() as u64) as usize];
    vec![
        format!("{subject} in {c1} and {c2} tones, {mood} atmosphere, {finish} --ar {ar}"),
        format!("an abstract composition of {c1} forms over a {c2} gradient, {light} lighting, minimalism --ar {ar}"),
        format!("a {light} landscape at {time} with a {c1} sky and {c3} hills, matte painting --ar {ar}"),
        format!("poster art in a {c1}, {c2} and {c3} palette, {mood}, bold shapes, {finish} --ar {ar}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_colours_brightness_and_aspect() {
        let img = RgbaImage::from_fn(300, 200, |x, _| {
            if x < 200 { image::Rgba([20, 40, 200, 255]) } else { image::Rgba([230, 120, 20, 255]) }
        });
        let prompts = describe(&img);
        assert_eq!(prompts.len(), 4);
        for p in &prompts {
            assert!(p.ends_with("--ar 3:2"), "{p}");
        }
        assert!(prompts[0].contains("blue and orange"), "{}", prompts[0]);
        let mut unique = prompts.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4);
        let dark = describe(&RgbaImage::from_pixel(64, 64, image::Rgba([10, 10, 12, 255])));
        assert!(dark[0].contains("dark") && dark[0].contains("black"), "{}", dark[0]);
        assert_eq!(ratio(1000, 1001), "1:1");
        assert_eq!(ratio(7, 5), "7:5");
    }
}
