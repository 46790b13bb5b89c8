//! Speeds the mask model promises (issue 8), measured; figures go in the notes, not in tests.
//!
//! - one brush segment on a 4096 x 4096 mask, stamped and its dirty rectangle copied out as
//!   the canvas's texture upload would (target: under 50 µs), bare and through the document
//!   (with its undo bookkeeping);
//! - undo of a full-canvas fill at 4096 x 4096 (target: under 20 ms);
//! - the undo memory of 100 brush strokes at 4096 x 4096 (target: under 64 MB; printed);
//! - each export of a 2048 x 2048 mask, PNG and base64 (target: under 30 ms each), and
//!   reading a mask file;
//! - tracing a 2048 x 2048 mask with ten painted blobs into polygons (target: under 50 ms);
//! - grow by 20 pixels at 2048 x 2048.
//!
//! Run (release, the bench profile): `cargo bench --bench mask -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use mjdesk::mask::brush::Segment;
use mjdesk::mask::{Mask, MaskDoc};

/// A drag across the canvas as pointer events arrive: short segments, a 24-pixel brush.
fn drag(rng: &mut fastrand::Rng, side: f32, steps: usize) -> Vec<(f32, f32)> {
    let mut p = (rng.f32() * side, rng.f32() * side);
    let mut dir = rng.f32() * std::f32::consts::TAU;
    (0..steps)
        .map(|_| {
            dir += rng.f32() * 0.4 - 0.2;
            p = ((p.0 + 12.0 * dir.cos()).rem_euclid(side), (p.1 + 12.0 * dir.sin()).rem_euclid(side));
            p
        })
        .collect()
}

fn brush(c: &mut Criterion) {
    let side = 4096u32;
    let mut rng = fastrand::Rng::with_seed(1);
    let path = drag(&mut rng, side as f32, 4096);
    let mut g = c.benchmark_group("brush_4096");
    let mut mask = Mask::new(side, side);
    let mut upload = Vec::new();
    let mut i = 0;
    g.bench_function("segment_stamp_and_upload_copy", |b| {
        b.iter(|| {
            i = (i + 1) % (path.len() - 1);
            let seg = Segment { from: path[i], to: path[i + 1], radius: 24.0 };
            // brush and eraser in turn so every stamp writes
            let r = mask.stamp_segment(&seg, (i / 64) % 2 == 0);
            mask.copy_rect(r, &mut upload);
            black_box(upload.len())
        })
    });
    let mut doc = MaskDoc::new(side, side);
    let mut n = 0;
    g.bench_function("doc_stroke_to_and_upload_copy", |b| {
        b.iter(|| {
            n += 1;
            if n % 64 == 0 {
                // a drag is 64 pointer moves; its end records the undo step
                doc.stroke_end();
                doc.stroke_begin(path[n % path.len()], 24.0, (n / 64) % 2 == 1);
            }
            let r = doc.stroke_to(path[n % path.len()]);
            doc.mask().copy_rect(r, &mut upload);
            black_box(upload.len())
        })
    });
    g.finish();
}

fn undo(c: &mut Criterion) {
    let mut g = c.benchmark_group("undo_4096");
    g.sample_size(20);
    let mut doc = MaskDoc::new(4096, 4096);
    doc.stroke_begin((100.0, 100.0), 30.0, false);
    doc.stroke_to((3000.0, 2000.0));
    doc.stroke_end();
    doc.fill_all();
    g.bench_function("undo_full_canvas_fill", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                black_box(doc.undo());
                spent += t.elapsed();
                doc.redo();
            }
            spent
        })
    });
    g.bench_function("full_canvas_fill_recorded", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                doc.undo();
                let t = Instant::now();
                black_box(doc.fill_all());
                spent += t.elapsed();
            }
            spent
        })
    });
    g.finish();

    // memory, not time: 100 strokes of 64 pointer moves with a 24-pixel brush
    let mut rng = fastrand::Rng::with_seed(100);
    let mut doc = MaskDoc::new(4096, 4096);
    for s in 0..100 {
        let path = drag(&mut rng, 4096.0, 64);
        doc.stroke_begin(path[0], 24.0, s % 5 == 4);
        for &p in &path[1..] {
            doc.stroke_to(p);
        }
        doc.stroke_end();
    }
    eprintln!(
        "undo memory of {} strokes (64 moves, radius 24) on 4096x4096: {:.2} MB",
        doc.history().undo_len(),
        doc.history().memory_bytes() as f64 / 1_048_576.0
    );
}

/// A photograph-like 2048 x 2048 image: smooth gradients with sensor noise.
fn photo(side: u32) -> image::RgbaImage {
    let mut rng = fastrand::Rng::with_seed(5);
    image::RgbaImage::from_fn(side, side, |x, y| {
        let n = rng.u8(0..12);
        let r = ((x * 200 / side) as u8).wrapping_add(n);
        let g = ((y * 180 / side) as u8).wrapping_add(n / 2);
        let b = (((x + y) * 100 / side) as u8).wrapping_add(n);
        image::Rgba([r, g, b, 255])
    })
}

/// Ten blobs (discs and strokes) painted over a `side` x `side` mask.
fn blobs(side: u32) -> Mask {
    let mut rng = fastrand::Rng::with_seed(10);
    let mut m = Mask::new(side, side);
    let s = side as f32;
    for i in 0..10 {
        let p = (s * (0.1 + 0.8 * rng.f32()), s * (0.1 + 0.8 * rng.f32()));
        if i % 2 == 0 {
            m.stamp_dot(p, s * (0.03 + 0.05 * rng.f32()), true);
        } else {
            let q = (p.0 + s * 0.1 * (rng.f32() - 0.5), p.1 + s * 0.1 * (rng.f32() - 0.5));
            m.stamp_segment(&Segment { from: p, to: q, radius: s * 0.02 }, true);
        }
    }
    m
}

fn exports(c: &mut Criterion) {
    let side = 2048;
    let mask = blobs(side);
    let image = photo(side);
    let png = mask.to_bw_png();
    let mut g = c.benchmark_group("export_2048");
    g.sample_size(20);
    g.bench_function("ttapi_inpaint_and_acedata_bw_png_base64", |b| b.iter(|| black_box(mask.to_bw_base64())));
    g.bench_function("ttapi_edit_transparent_png_base64", |b| {
        b.iter_batched(
            || image.clone(),
            |img| black_box(mask.transparent_base64(img).unwrap()),
            criterion::BatchSize::LargeInput,
        )
    });
    // the TTAPI edit payload's main cost, before (image's default: fast deflate, adaptive
    // filter, through a buffered writer) and after (fixed Up filter, straight into the vector)
    // what `mjdesk edit --dry-run` does with a JPEG: its RGB pixels widened to RGBA with the
    // mask's alpha in one pass, PNG, base64 (decoding it is measured on its own below)
    let rgb = image::DynamicImage::ImageRgba8(image.clone()).to_rgb8();
    g.bench_function("ttapi_edit_from_rgb_transparent_png_base64", |b| {
        b.iter_batched(
            || image::DynamicImage::ImageRgb8(rgb.clone()),
            |img| {
                use base64::Engine;
                black_box(base64::engine::general_purpose::STANDARD.encode(mask.transparent_png_of(img).unwrap()))
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&rgb).unwrap();
    g.bench_function("decode_jpeg_q90", |b| b.iter(|| black_box(mjdesk::imageio::decode(&jpeg, "photo").unwrap())));
    g.bench_function("photo_png_before_default_adaptive", |b| {
        b.iter(|| {
            let mut out = std::io::Cursor::new(Vec::new());
            image.write_to(&mut out, image::ImageFormat::Png).unwrap();
            black_box(out.into_inner())
        })
    });
    g.bench_function("photo_png_after_encode_png", |b| b.iter(|| black_box(mjdesk::imageio::encode_png(&image))));
    g.bench_function("vtrix_trace_ten_blobs", |b| b.iter(|| black_box(mask.to_polygons())));
    g.bench_function("read_mask_png", |b| b.iter(|| black_box(Mask::from_png_sized(&png, side, side).unwrap())));
    g.bench_function("grow_20", |b| {
        b.iter_batched(|| mask.clone(), |mut m| black_box(m.grow(20)), criterion::BatchSize::LargeInput)
    });
    g.finish();
    let polys = mask.to_polygons();
    eprintln!(
        "ten blobs at 2048: {} polygons, {} points; bw PNG {} KB; transparent PNG {} KB",
        polys.len(),
        polys.iter().map(Vec::len).sum::<usize>(),
        png.len() / 1024,
        mask.into_transparent_png(image.clone()).unwrap().len() / 1024
    );
    let mut before = std::io::Cursor::new(Vec::new());
    image.write_to(&mut before, image::ImageFormat::Png).unwrap();
    eprintln!(
        "photo PNG at 2048: {} KB with the adaptive filter, {} KB with encode_png",
        before.into_inner().len() / 1024,
        mjdesk::imageio::encode_png(&image).len() / 1024
    );
}

criterion_group!(benches, brush, undo, exports);
criterion_main!(benches);
