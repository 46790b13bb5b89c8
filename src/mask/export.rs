//! One export per gateway flow, all at the original image's size, and reading a mask file.
//!
//! | flow | export |
//! |---|---|
//! | TTAPI image-edits | [`Mask::to_transparent_image`] / [`Mask::into_transparent_png`]: the image as PNG, alpha 0 where marked, 255 elsewhere |
//! | TTAPI inpaint (Vary Region) | [`Mask::to_bw_base64`]: black/white PNG, white = repaint, base64 without `data:` |
//! | AceData edits / variation_region | [`Mask::to_bw_base64`]: the same grayscale PNG, white = regenerate |
//! | Vtrix inpaint / edit | [`Mask::to_polygons`] (see [`super::trace`]) |
//!
//! The black/white PNG is 8-bit grayscale written straight from the mask's own bytes (they
//! are 0 and 255 already, so there is no conversion and no copy). 8-bit is kept over 1-bit:
//! the fast deflate turns a row of equal bytes into a handful of bytes either way, and every
//! reader (the gateways' and ours) takes 8-bit grayscale.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use image::RgbaImage;

use super::{Mask, MaskError};
use crate::imageio::encode_png_raw;

impl Mask {
    /// TTAPI inpaint, AceData edits / variation_region: a grayscale PNG, white (255) = change,
    /// black (0) = keep.
    pub fn to_bw_png(&self) -> Vec<u8> {
        encode_png_raw(&self.data, self.width, self.height, image::ExtendedColorType::L8)
    }

    /// [`Mask::to_bw_png`] as base64, no `data:` prefix: the `mask` field of TTAPI inpaint and
    /// AceData edits / variation_region.
    pub fn to_bw_base64(&self) -> String {
        STANDARD.encode(self.to_bw_png())
    }

    /// TTAPI image-edits: the image itself as PNG with the area to change fully transparent
    /// and the rest opaque. `image` must be at the mask's size.
    pub fn to_transparent_image(&self, image: &RgbaImage) -> Result<Vec<u8>, MaskError> {
        self.check_image(image)?;
        self.into_transparent_png(image.clone())
    }

    /// [`Mask::to_transparent_image`] without copying the image: its alpha is overwritten in
    /// place.
    pub fn into_transparent_png(&self, mut image: RgbaImage) -> Result<Vec<u8>, MaskError> {
        self.check_image(&image)?;
        for (p, &m) in image.chunks_exact_mut(4).zip(&self.data) {
            p[3] = !m;
        }
        Ok(crate::imageio::encode_png(&image))
    }

    /// [`Mask::into_transparent_png`] from a decoded image in any layout: an RGB image (a
    /// JPEG) gets its alpha channel from the mask in the same pass that widens it to RGBA, an
    /// RGBA one has its alpha overwritten in place; no other copy of the pixels is made.
    pub fn transparent_png_of(&self, image: image::DynamicImage) -> Result<Vec<u8>, MaskError> {
        self.check_size(image.width(), image.height())?;
        match image {
            image::DynamicImage::ImageRgb8(rgb) => {
                // Widened in place, last pixel first (pixel i moves from 3i to 4i, never over
                // one not yet moved): the RGB buffer grows by a third instead of a new one
                // being allocated, and touched, whole.
                let n = self.data.len();
                let mut rgba = rgb.into_raw();
                rgba.resize(n * 4, 0);
                for (i, &m) in self.data.iter().enumerate().rev() {
                    let [r, g, b] = [rgba[3 * i], rgba[3 * i + 1], rgba[3 * i + 2]];
                    rgba[4 * i..4 * i + 4].copy_from_slice(&[r, g, b, !m]);
                }
                Ok(encode_png_raw(&rgba, self.width, self.height, image::ExtendedColorType::Rgba8))
            }
            other => self.into_transparent_png(other.into_rgba8()),
        }
    }

    /// [`Mask::into_transparent_png`] as base64 (TTAPI's `image` field).
    pub fn transparent_base64(&self, image: RgbaImage) -> Result<String, MaskError> {
        Ok(STANDARD.encode(self.into_transparent_png(image)?))
    }

    /// Reads a mask file: white, or transparent, marks the area to change; black (opaque)
    /// keeps. Grey counts as white from half intensity up.
    ///
    /// Decoded under the same limits as every input image (a bomb is refused from its
    /// header); a grayscale file (what every mask editor writes) is thresholded in place,
    /// without going through RGBA.
    pub fn from_png(bytes: &[u8]) -> Result<Self, MaskError> {
        let decode = |e: &dyn std::fmt::Display| MaskError::Decode(e.to_string());
        let (w, h) = crate::imageio::dimensions(bytes, "the mask").map_err(|e| decode(&e))?;
        if u64::from(w) * u64::from(h) > crate::imageio::MAX_PIXELS {
            let e = crate::imageio::InputError::TooManyPixels { name: "the mask".into(), width: w, height: h };
            return Err(decode(&e));
        }
        let mut reader =
            image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|e| decode(&e))?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(w);
        limits.max_image_height = Some(h);
        limits.max_alloc = Some(crate::imageio::MAX_PIXELS * 4 + 64 * 1024 * 1024);
        reader.limits(limits);
        let (width, height, data) = match reader.decode().map_err(|e| decode(&e))? {
            image::DynamicImage::ImageLuma8(g) => {
                let (width, height) = g.dimensions();
                let mut data = g.into_raw();
                for v in &mut data {
                    *v = if *v >= 128 { super::ON } else { 0 };
                }
                (width, height, data)
            }
            image::DynamicImage::ImageLumaA8(g) => {
                let (width, height) = g.dimensions();
                let data =
                    g.as_raw().chunks_exact(2).map(|p| if p[1] < 128 || p[0] >= 128 { super::ON } else { 0 }).collect();
                (width, height, data)
            }
            other => {
                let rgba = other.into_rgba8();
                let data = rgba
                    .as_raw()
                    .chunks_exact(4)
                    .map(|p| {
                        let luma = (p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000;
                        if p[3] < 128 || luma >= 128 { super::ON } else { 0 }
                    })
                    .collect();
                (rgba.width(), rgba.height(), data)
            }
        };
        Ok(Mask { width, height, data })
    }

    /// Reads a mask file for an image of `width` x `height`: a file of another size is
    /// refused naming both sizes, checked from its header before any pixel is decoded.
    pub fn from_png_sized(bytes: &[u8], width: u32, height: u32) -> Result<Self, MaskError> {
        let (w, h) = crate::imageio::dimensions(bytes, "the mask").map_err(|e| MaskError::Decode(e.to_string()))?;
        if (w, h) != (width, height) {
            return Err(MaskError::SizeMismatch { got_w: w, got_h: h, want_w: width, want_h: height });
        }
        let m = Self::from_png(bytes)?;
        m.check_size(width, height)?;
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::GenericImageView;

    fn sample() -> Mask {
        let mut m = Mask::new(8, 6);
        m.fill_rect(2, 1, 5, 4, true);
        m.set(7, 5, true);
        m
    }

    #[test]
    fn bw_png_is_grayscale_at_the_mask_size_white_marks() {
        let m = sample();
        let png = m.to_bw_png();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!(img.color(), image::ColorType::L8);
        assert_eq!(img.dimensions(), (8, 6));
        let gray = img.to_luma8();
        for (x, y, p) in gray.enumerate_pixels() {
            assert_eq!(p.0[0], if m.get(x, y) { 255 } else { 0 }, "at {x},{y}");
        }
        assert_eq!(Mask::from_png(&png).unwrap(), m);
    }

    #[test]
    fn base64_has_no_data_prefix_and_decodes_to_the_png() {
        let m = sample();
        let b64 = m.to_bw_base64();
        assert!(!b64.starts_with("data:") && !b64.contains(','));
        assert_eq!(STANDARD.decode(&b64).unwrap(), m.to_bw_png());
    }

    #[test]
    fn transparent_export_clears_alpha_exactly_on_the_mask() {
        let m = sample();
        let img = RgbaImage::from_fn(8, 6, |x, y| image::Rgba([x as u8 * 10, y as u8 * 20, 30, 255]));
        let png = m.to_transparent_image(&img).unwrap();
        let out = image::load_from_memory(&png).unwrap();
        assert_eq!(out.color(), image::ColorType::Rgba8);
        let out = out.to_rgba8();
        assert_eq!(out.dimensions(), (8, 6));
        for (x, y, p) in out.enumerate_pixels() {
            assert_eq!(p.0[3], if m.get(x, y) { 0 } else { 255 }, "at {x},{y}");
            assert_eq!(&p.0[..3], &[x as u8 * 10, y as u8 * 20, 30], "colour kept at {x},{y}");
        }
        // transparent also reads back as "change"
        assert_eq!(Mask::from_png(&png).unwrap(), m);
        assert_eq!(m.into_transparent_png(img.clone()).unwrap(), png);
        assert_eq!(STANDARD.decode(m.transparent_base64(img.clone()).unwrap()).unwrap(), png);
        // from any decoded layout: RGB (a JPEG) and RGBA give the same file
        let rgb = image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(img.clone()).to_rgb8());
        assert_eq!(m.transparent_png_of(rgb).unwrap(), png);
        assert_eq!(m.transparent_png_of(image::DynamicImage::ImageRgba8(img.clone())).unwrap(), png);
        let small = image::DynamicImage::ImageRgb8(image::RgbImage::new(9, 6));
        assert!(matches!(m.transparent_png_of(small), Err(MaskError::SizeMismatch { .. })));
        let e = m.to_transparent_image(&RgbaImage::new(9, 6)).unwrap_err();
        assert_eq!(e, MaskError::SizeMismatch { got_w: 8, got_h: 6, want_w: 9, want_h: 6 });
    }

    #[test]
    fn a_mask_file_of_the_wrong_size_is_refused_naming_both_sizes() {
        let png = sample().to_bw_png();
        assert_eq!(Mask::from_png_sized(&png, 8, 6).unwrap(), sample());
        let e = Mask::from_png_sized(&png, 16, 12).unwrap_err();
        assert_eq!(e.to_string(), "the mask is 8x6 but the image is 16x12; paint it at the image's size");
        assert!(matches!(Mask::from_png_sized(b"not a png", 8, 6), Err(MaskError::Decode(_))));
        assert!(Mask::from_png(b"not a png").is_err());
        // grey from half intensity up, and transparent, mark; dark opaque keeps
        let img = RgbaImage::from_fn(4, 1, |x, _| {
            image::Rgba([[0, 0, 0, 255], [127, 127, 127, 255], [128, 128, 128, 255], [0, 0, 0, 0]][x as usize])
        });
        let m = Mask::from_png(&crate::imageio::encode_png(&img)).unwrap();
        assert_eq!(m.as_raw(), &[0, 0, 255, 255]);
        // the same read from grayscale and grayscale-with-alpha files
        let gray = image::GrayImage::from_raw(4, 1, vec![0, 127, 128, 255]).unwrap();
        assert_eq!(Mask::from_png(&crate::imageio::encode_png(&gray)).unwrap().as_raw(), &[0, 0, 255, 255]);
        let ga = image::GrayAlphaImage::from_raw(4, 1, vec![0, 255, 127, 255, 200, 255, 0, 0]).unwrap();
        assert_eq!(Mask::from_png(&crate::imageio::encode_png(&ga)).unwrap().as_raw(), &[0, 0, 255, 255]);
        // a bomb is refused from its header
        let bomb = crate::imageio::png_claiming_size(20000, 20000);
        assert!(matches!(Mask::from_png(&bomb), Err(MaskError::Decode(m)) if m.contains("megapixel")));
    }
}
