//! Thumbnails for the job list: a small JPEG beside each result image in the cache
//! (`<hash>.thumb.jpg`, longest side [`THUMB_SIDE`]), written when the image is downloaded,
//! so the list never decodes a full image to draw a row. A clip gets a poster beside it
//! (`<hash>.poster.png`, its first frame at full size) and the poster's thumbnail.

use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbaImage};

/// The longest side of a thumbnail, in pixels.
pub const THUMB_SIDE: u32 = 256;

/// Where the thumbnail of the cached image at `image` lives.
pub fn thumb_path(image: &Path) -> PathBuf {
    let stem = image.file_name().and_then(|n| n.to_str()).and_then(|n| n.split('.').next()).unwrap_or("image");
    image.with_file_name(format!("{stem}.thumb.jpg"))
}

/// Where the poster frame of the cached clip at `clip` lives.
pub fn poster_path(clip: &Path) -> PathBuf {
    let stem = clip.file_name().and_then(|n| n.to_str()).and_then(|n| n.split('.').next()).unwrap_or("clip");
    clip.with_file_name(format!("{stem}.poster.png"))
}

/// Writes the poster (first frame, PNG) and its thumbnail of the clip whose bytes are `mp4`
/// and whose cached copy is at `clip`.
pub fn write_poster(clip: &Path, mp4: &[u8]) -> Result<(), String> {
    let png = crate::video::poster_png(mp4).map_err(|e| format!("no poster for {}: {e}", clip.display()))?;
    let path = poster_path(clip);
    write_atomic(&path, &png).map_err(|e| format!("could not write the poster {}: {e}", path.display()))?;
    write_thumbnail(clip, &png).map(|_| ())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("{}.tmp", fastrand::u64(..)));
    std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `img` scaled to fit [`THUMB_SIDE`] (never enlarged), keeping its aspect.
pub fn shrink(img: &RgbaImage) -> RgbaImage {
    let (w, h) = img.dimensions();
    let long = w.max(h).max(1);
    if long <= THUMB_SIDE {
        return img.clone();
    }
    let scale = THUMB_SIDE as f64 / long as f64;
    let (tw, th) = (((w as f64 * scale).round() as u32).max(1), ((h as f64 * scale).round() as u32).max(1));
    image::imageops::thumbnail(img, tw, th)
}

/// Writes the thumbnail of the image whose bytes are `bytes` and whose cached copy is at
/// `image`; returns its path. Written to a temp file and renamed, as the cache does.
pub fn write_thumbnail(image: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    let decoded = crate::imageio::decode_rgba(bytes, "the image").map_err(|e| e.to_string())?;
    let small = DynamicImage::ImageRgba8(shrink(&decoded)).into_rgb8();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&small).map_err(|e| e.to_string())?;
    let path = thumb_path(image);
    write_atomic(&path, &jpeg).map_err(|e| format!("could not write the thumbnail {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumbnail_fits_256_keeps_the_aspect_and_sits_beside_its_image() {
        let dir = tempfile::tempdir().unwrap();
        let img = RgbaImage::from_fn(1024, 512, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255]));
        let bytes = crate::imageio::encode_png(&img);
        let path = dir.path().join(format!("{}.png", "ab".repeat(32)));
        std::fs::write(&path, &bytes).unwrap();
        let thumb = write_thumbnail(&path, &bytes).unwrap();
        assert_eq!(thumb, dir.path().join(format!("{}.thumb.jpg", "ab".repeat(32))));
        let t = image::open(&thumb).unwrap();
        assert_eq!((t.width(), t.height()), (256, 128));
        let small = RgbaImage::new(100, 40);
        assert_eq!(shrink(&small).dimensions(), (100, 40), "small images are not enlarged");
        assert!(write_thumbnail(&path, b"not an image").is_err());
    }

    #[test]
    fn a_clip_gets_its_first_frame_as_poster_and_a_thumbnail_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let frames: Vec<RgbaImage> = (0..3)
            .map(|t| RgbaImage::from_fn(320, 160, |x, _| image::Rgba([(x / 2) as u8, 40 * t, 200, 255])))
            .collect();
        let mp4 = crate::video::encode_mp4(&frames, crate::video::EncodeSettings::for_size(320, 160, 24)).unwrap();
        let clip = dir.path().join(format!("{}.mp4", "cd".repeat(32)));
        std::fs::write(&clip, &mp4).unwrap();
        write_poster(&clip, &mp4).unwrap();
        let poster = image::open(poster_path(&clip)).unwrap().to_rgba8();
        assert_eq!(poster.dimensions(), (320, 160));
        // The first frame: green 0, not the later frames' 40 or 80.
        assert!(poster.get_pixel(100, 80).0[1] < 20, "{:?}", poster.get_pixel(100, 80));
        let thumb = image::open(thumb_path(&clip)).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (256, 128));
        assert!(write_poster(&clip, b"<html>").is_err());
    }
}
