//! The clip codec's costs (issue 13: "a 480p clip plays at its own frame rate using under
//! 15% of one core"): decoding a 480p clip frame by frame to RGBA, as the window's player
//! does, and encoding one, as the simulator does for every video job.
//!
//! `decode_480p_frame` is one frame's decode (H.264 to YUV to RGBA); at 24 fps a core spends
//! `24 x that` per second playing, i.e. CPU% = 24 x t / 1 s. The clip is 854x480, 48 frames
//! of a picture that pans (every block changes, as in a real clip).
//!
//! Measured on the 2-core machine (release) with two other builds running (load 3-7, so
//! these are upper bounds):
//! - 848x480 (a width in steps of 8: the openh264 crate's SIMD YUV-to-RGBA): 1.04 ms a frame,
//!   i.e. ~2.5% of one core at 24 fps;
//! - 854x480 before: 7.2 ms (its other path, floating point per pixel, was 6 ms of it);
//!   with mjdesk's own integer conversion: 3.5-3.8 ms under load, i.e. under 9% of a core;
//! - encoding 12 frames of 854x480: ~200 ms (17 ms a frame: the simulator's cost).
//!
//! On a quiet machine: 854x480 2.44 ms a frame; with the conversion taking rows in pairs
//! (each chroma sample's terms worked out once for four pixels) 2.10 ms, i.e. 5% of a core
//! at 24 fps. Each row then one pass over per-pixel chroma terms, which the compiler
//! vectorises (and compiled a second time for AVX2, chosen at run time): 1.88 -> 1.45 ms
//! (SSE2) -> 1.09 ms (AVX2), i.e. 2.6% of a core at 24 fps. For comparison the crate's own
//! SIMD path at 848x480 measured 0.82 ms in the same run.
//!
//! Run: `cargo bench --bench video -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mjdesk::video::{EncodeSettings, Mp4Decoder, encode_mp4};

const W: u32 = 854;
const H: u32 = 480;

fn panning(n: u32) -> Vec<image::RgbaImage> {
    (0..n)
        .map(|t| {
            image::RgbaImage::from_fn(W, H, |x, y| {
                let u = x + 6 * t;
                let v = y + 2 * t;
                let ring = ((u as f32 * 0.05).sin() * (v as f32 * 0.07).cos() * 90.0 + 120.0) as u8;
                image::Rgba([ring, (u * 255 / (W + 300)) as u8, (v * 255 / (H + 100)) as u8, 255])
            })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let frames = panning(48);
    let mp4 = encode_mp4(&frames, EncodeSettings::for_size(W, H, 24)).expect("encode");
    eprintln!("480p clip: {} frames, {} bytes", frames.len(), mp4.len());
    let mut decoder = Mp4Decoder::new(mp4.clone()).expect("open");
    c.bench_function("decode_480p_frame", |b| {
        b.iter(|| {
            let frame = match decoder.next_frame().expect("decode") {
                Some(f) => f,
                None => {
                    decoder.rewind().expect("rewind");
                    decoder.next_frame().expect("decode").expect("a frame")
                }
            };
            black_box(frame)
        })
    });
    let mut group = c.benchmark_group("encode");
    group.sample_size(10);
    let short = &frames[..12];
    group.bench_function("encode_480p_12_frames", |b| {
        b.iter(|| black_box(encode_mp4(short, EncodeSettings::for_size(W, H, 24)).expect("encode")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
