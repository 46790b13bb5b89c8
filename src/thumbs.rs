//! Thumbnails for the job list: a small JPEG beside each result image in the cache
//! (`<hash>.thumb.jpg`, longest side [`THUMB_SIDE`]), written when the image is downloaded,
//! so the list never decodes a full image to draw a row.

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
    let tmp = path.with_extension(format!("{}.tmp", fastrand::u64(..)));
    std::fs::write(&tmp, &jpeg).and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("could not write the thumbnail {}: {e}", path.display())
    })?;
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
}
