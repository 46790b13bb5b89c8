use image::{Rgba, RgbaImage};

use super::*;

/// A moving gradient with a bright square: enough structure for the encoder to work at.
pub(crate) fn frames(w: u32, h: u32, n: u32) -> Vec<RgbaImage> {
    (0..n)
        .map(|t| {
            RgbaImage::from_fn(w, h, |x, y| {
                let inside = (x + 2 * t) % w < w / 4 && y > h / 3 && y < h / 2;
                if inside {
                    Rgba([240, 240, 40, 255])
                } else {
                    Rgba([(x * 255 / w) as u8, (y * 255 / h) as u8, ((t * 20) % 255) as u8, 255])
                }
            })
        })
        .collect()
}

fn mean_abs_diff(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| (0..3).map(|c| (p.0[c] as i32 - q.0[c] as i32).unsigned_abs() as u64).sum::<u64>())
        .sum();
    sum as f64 / (a.width() as f64 * a.height() as f64 * 3.0)
}

#[test]
fn encode_then_decode_keeps_every_frame_close_to_its_source() {
    let src = frames(96, 64, 12);
    let mp4 = encode_mp4(&src, EncodeSettings::for_size(96, 64, 24)).unwrap();
    assert!(is_mp4(&mp4));
    let mut dec = Mp4Decoder::new(mp4).unwrap();
    let info = dec.info();
    assert_eq!((info.width, info.height, info.frames), (96, 64, 12));
    assert!((info.fps - 24.0).abs() < 0.01, "fps {}", info.fps);
    assert_eq!(info.duration_ms, 500);
    let mut n = 0;
    while let Some(frame) = dec.next_frame().unwrap() {
        let d = mean_abs_diff(&frame, &src[n]);
        assert!(d < 6.0, "frame {n} differs by {d:.2} on average");
        // And it is nearer its own source than the next frame's: the frames are in order.
        if n + 1 < src.len() {
            assert!(d < mean_abs_diff(&frame, &src[n + 1]), "frame {n} looks like frame {}", n + 1);
        }
        n += 1;
    }
    assert_eq!(n, 12);
}

#[test]
fn seeking_and_rewinding_return_the_right_frames() {
    let src = frames(64, 48, 30);
    let settings = EncodeSettings { keyframe_every: 8, ..EncodeSettings::for_size(64, 48, 24) };
    let mut dec = Mp4Decoder::new(encode_mp4(&src, settings).unwrap()).unwrap();
    dec.seek(19).unwrap();
    assert_eq!(dec.position(), 19);
    let f = dec.next_frame().unwrap().unwrap();
    assert!(mean_abs_diff(&f, &src[19]) < 6.0);
    while dec.next_frame().unwrap().is_some() {}
    dec.rewind().unwrap();
    let f = dec.next_frame().unwrap().unwrap();
    assert!(mean_abs_diff(&f, &src[0]) < 6.0);
}

#[test]
fn the_poster_is_the_first_frame_as_png() {
    let src = frames(64, 48, 4);
    let png = poster_png(&encode_mp4(&src, EncodeSettings::for_size(64, 48, 24)).unwrap()).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgba8();
    assert!(mean_abs_diff(&img, &src[0]) < 6.0);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(matches!(Mp4Decoder::new(Vec::new()), Err(VideoError::NotMp4(_))));
    assert!(matches!(Mp4Decoder::new(b"<html>nope</html>".to_vec()), Err(VideoError::NotMp4(_))));
    let mut mp4 = encode_mp4(frames(64, 48, 6), EncodeSettings::for_size(64, 48, 24)).unwrap();
    // Cut in the middle: the header may read, the frames may not; either way an error.
    mp4.truncate(mp4.len() / 2);
    let cut = Mp4Decoder::new(mp4).and_then(|mut d| {
        while d.next_frame()?.is_some() {}
        Ok(())
    });
    assert!(cut.is_err(), "a truncated clip decoded fully");
    // Garbage after a valid ftyp.
    let mut junk = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    junk.extend(std::iter::repeat_n(0xAB, 4000));
    assert!(Mp4Decoder::new(junk).is_err());
    // Odd sizes and size changes are refused before encoding.
    assert!(matches!(
        encode_mp4(frames(63, 48, 2), EncodeSettings::for_size(63, 48, 24)),
        Err(VideoError::FrameSize { .. })
    ));
    let mut mixed = frames(64, 48, 2);
    mixed.push(RgbaImage::new(32, 32));
    assert!(matches!(
        encode_mp4(&mixed, EncodeSettings::for_size(64, 48, 24)),
        Err(VideoError::FrameSize { index: 2, .. })
    ));
    assert_eq!(encode_mp4(Vec::<RgbaImage>::new(), EncodeSettings::for_size(64, 48, 24)), Err(VideoError::NoFrames));
}

#[test]
fn a_recycled_frame_holds_the_next_one_which_is_decoded_as_fresh() {
    // 90 wide: the integer conversion; 96 wide: the crate's own
    for w in [90u32, 96] {
        let mp4 = encode_mp4(frames(w, 64, 4), EncodeSettings::for_size(w, 64, 24)).unwrap();
        let mut fresh = Mp4Decoder::new(mp4.clone()).unwrap();
        let mut recycling = Mp4Decoder::new(mp4).unwrap();
        let first = recycling.next_frame().unwrap().unwrap();
        let memory = first.as_raw().as_ptr();
        recycling.recycle(first);
        let second = recycling.next_frame().unwrap().unwrap();
        assert_eq!(second.as_raw().as_ptr(), memory, "{w}: the same memory");
        fresh.next_frame().unwrap();
        assert_eq!(second, fresh.next_frame().unwrap().unwrap(), "{w}: the same pixels");
        // a frame of another size is not taken
        recycling.recycle(RgbaImage::new(8, 8));
        assert_eq!(recycling.next_frame().unwrap().unwrap().dimensions(), (w, 64));
    }
}
