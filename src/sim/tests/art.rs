//! The renderer's own properties: reproducible, resolution independent, structured (not
//! noise, not flat), and four clearly different takes per grid.

use super::*;
use crate::sim::compose;
use crate::sim::render::{render, scene};

const PROMPTS: [&str; 6] = [
    "a misty mountain lake at dawn",
    "neon cyberpunk city street",
    "portrait of an astronaut, dark",
    "pastel flowers in a garden",
    "minimal abstract composition",
    "qwerty zxcvb",
];

#[test]
fn the_same_prompt_and_seed_give_the_same_picture() {
    let a = render(&scene(PROMPTS[0], 7, 0), 64, 48);
    assert_eq!(a, render(&scene(PROMPTS[0], 7, 0), 64, 48));
    assert!(mad(&a, &render(&scene(PROMPTS[0], 8, 0), 64, 48)) > 2.0, "another seed, another picture");
    assert!(mad(&a, &render(&scene(PROMPTS[1], 7, 0), 64, 48)) > 2.0, "another prompt, another picture");
}

#[test]
fn scenes_look_the_same_at_any_size() {
    for p in PROMPTS {
        let small = render(&scene(p, 3, 1), 128, 96);
        let big = shrink(&render(&scene(p, 3, 1), 256, 192), 128, 96);
        assert!(mad(&small, &big) < 6.0, "{p}: {:.1}", mad(&small, &big));
    }
}

#[test]
fn every_grid_has_four_different_takes() {
    for p in PROMPTS {
        for seed in [1, 99, 123_456] {
            let takes: Vec<[f64; 3]> = (0..4).map(|v| mean(&render(&scene(p, seed, v), 48, 48))).collect();
            for i in 0..4 {
                for j in i + 1..4 {
                    let d = colour_distance(takes[i], takes[j]);
                    assert!(d > 4.0, "{p} seed {seed}: takes {i} and {j} are {d:.1} apart");
                }
            }
        }
    }
}

#[test]
fn pictures_have_structure_not_noise() {
    for p in PROMPTS {
        let img = render(&scene(p, 42, 2), 256, 256);
        let luma: Vec<f64> = img
            .pixels()
            .map(|q| 0.3 * f64::from(q.0[0]) + 0.59 * f64::from(q.0[1]) + 0.11 * f64::from(q.0[2]))
            .collect();
        let avg = luma.iter().sum::<f64>() / luma.len() as f64;
        let spread = (luma.iter().map(|l| (l - avg).powi(2)).sum::<f64>() / luma.len() as f64).sqrt();
        assert!(spread > 10.0, "{p}: flat ({spread:.1})");
        let steps: f64 = luma.chunks(256).flat_map(|row| row.windows(2).map(|w| (w[1] - w[0]).abs())).sum();
        let step = steps / (255.0 * 256.0);
        assert!(step < 6.0, "{p}: noisy ({step:.1} per pixel)");
    }
}

#[test]
fn blends_are_weighted_averages_of_their_inputs() {
    let inputs: Vec<RgbaImage> = (0..3u8)
        .map(|i| RgbaImage::from_fn(40, 40, |x, y| image::Rgba([i * 100, (x * 6) as u8, (y * 6) as u8, 255])))
        .collect();
    let out = compose::blend(&inputs, 40, 40, 5, 1);
    for (x, y, p) in out.enumerate_pixels() {
        for c in 0..3 {
            let vals: Vec<u8> = inputs.iter().map(|i| i.get_pixel(x, y).0[c]).collect();
            let (lo, hi) = (*vals.iter().min().unwrap(), *vals.iter().max().unwrap());
            assert!((lo.saturating_sub(1)..=hi.saturating_add(1)).contains(&p.0[c]), "{x},{y} channel {c}");
        }
    }
    let m = mean(&out)[0];
    assert!(m > 30.0 && m < 170.0, "inputs mixed: {m}");
}
