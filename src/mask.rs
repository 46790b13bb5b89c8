//! The mask model (no egui types) and its exports to each gateway flow's format.
//!
//! A [`Mask`] is always at the image's own pixel size, one byte a pixel: 0 keeps the pixel,
//! anything else marks it for change. Gateways want that in different shapes (see the table
//! in the api notes); each export lives here so the CLI and the mask canvas share them.

use image::{GrayImage, RgbaImage};

use crate::imageio::encode_png;

#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mask {
    width: u32,
    height: u32,
    #[serde(with = "crate::b64")]
    data: Vec<u8>,
}

/// Why a mask file or image could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaskError {
    #[error("the mask is not a readable PNG: {0}")]
    Decode(String),
    #[error("the mask is {got_w}x{got_h} but the image is {want_w}x{want_h}; paint it at the image's size")]
    SizeMismatch { got_w: u32, got_h: u32, want_w: u32, want_h: u32 },
    #[error("the mask marks nothing to change; paint the area to change in white")]
    Empty,
    #[error("the mask marks the whole image; leave some of it unpainted")]
    Full,
}

impl Mask {
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, data: vec![0; width as usize * height as usize] }
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    fn index(&self, x: u32, y: u32) -> usize {
        y as usize * self.width as usize + x as usize
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        self.data[self.index(x, y)] != 0
    }

    pub fn set(&mut self, x: u32, y: u32, on: bool) {
        let i = self.index(x, y);
        self.data[i] = if on { 255 } else { 0 };
    }

    /// How many pixels are marked for change.
    pub fn count(&self) -> usize {
        self.data.iter().filter(|&&v| v != 0).count()
    }

    /// Marks the rectangle `[x0, x1) x [y0, y1)`, clipped to the mask.
    pub fn fill_rect(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, on: bool) {
        for y in y0.min(self.height)..y1.min(self.height) {
            for x in x0.min(self.width)..x1.min(self.width) {
                self.set(x, y, on);
            }
        }
    }

    /// Reads a mask file: white, or transparent, marks the area to change; black (opaque)
    /// keeps. Grey counts as white from half intensity up.
    pub fn from_png(bytes: &[u8]) -> Result<Self, MaskError> {
        // Decoded under the same limits as every input image: a bomb is refused from its header.
        let rgba = crate::imageio::decode_rgba(bytes, "the mask").map_err(|e| MaskError::Decode(e.to_string()))?;
        let data = rgba
            .as_raw()
            .chunks_exact(4)
            .map(|p| {
                let luma = (p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000;
                if p[3] < 128 || luma >= 128 { 255 } else { 0 }
            })
            .collect();
        Ok(Mask { width: rgba.width(), height: rgba.height(), data })
    }

    /// Checks the mask fits an image of `width` x `height` and marks some, not all, of it.
    pub fn check_for(&self, width: u32, height: u32) -> Result<(), MaskError> {
        if (self.width, self.height) != (width, height) {
            return Err(MaskError::SizeMismatch {
                got_w: self.width,
                got_h: self.height,
                want_w: width,
                want_h: height,
            });
        }
        match self.count() {
            0 => Err(MaskError::Empty),
            n if n == self.data.len() => Err(MaskError::Full),
            _ => Ok(()),
        }
    }

    /// TTAPI inpaint, AceData edits / variation_region: a black-and-white PNG, white = change.
    pub fn to_bw_png(&self) -> Vec<u8> {
        let bw = self.data.iter().map(|&v| if v != 0 { 255 } else { 0 }).collect();
        let img = GrayImage::from_raw(self.width, self.height, bw).expect("one byte per pixel");
        encode_png(&img)
    }

    /// TTAPI image-edits: the image itself as PNG with the area to change fully transparent
    /// and the rest opaque. `image` must be at the mask's size.
    pub fn to_transparent_image(&self, image: &RgbaImage) -> Result<Vec<u8>, MaskError> {
        if image.dimensions() != (self.width, self.height) {
            return Err(MaskError::SizeMismatch {
                got_w: self.width,
                got_h: self.height,
                want_w: image.width(),
                want_h: image.height(),
            });
        }
        let mut out = image.clone();
        for (p, &m) in out.chunks_exact_mut(4).zip(&self.data) {
            p[3] = if m != 0 { 0 } else { 255 };
        }
        Ok(encode_png(&out))
    }

    /// Vtrix inpaint: polygons in image pixels. Each marked run of a row is merged with the
    /// identical runs below it into one rectangle, so the polygons cover exactly the mask.
    pub fn to_polygons(&self) -> Vec<Vec<(u32, u32)>> {
        // open rectangles keyed by their column span, with the row they started on
        let mut open: Vec<(u32, u32, u32)> = Vec::new();
        let mut done = Vec::new();
        for y in 0..=self.height {
            let runs = if y < self.height { self.row_runs(y) } else { Vec::new() };
            let mut still_open = Vec::new();
            for &(x0, x1, y0) in &open {
                if runs.contains(&(x0, x1)) {
                    still_open.push((x0, x1, y0));
                } else {
                    done.push(vec![(x0, y0), (x1, y0), (x1, y), (x0, y)]);
                }
            }
            for (x0, x1) in runs {
                if !still_open.iter().any(|&(a, b, _)| (a, b) == (x0, x1)) {
                    still_open.push((x0, x1, y));
                }
            }
            open = still_open;
        }
        done
    }

    /// The marked runs `[x0, x1)` of row `y`.
    fn row_runs(&self, y: u32) -> Vec<(u32, u32)> {
        let mut runs = Vec::new();
        let mut start = None;
        for x in 0..=self.width {
            let on = x < self.width && self.get(x, y);
            match (on, start) {
                (true, None) => start = Some(x),
                (false, Some(s)) => {
                    runs.push((s, x));
                    start = None;
                }
                _ => {}
            }
        }
        runs
    }
}

impl std::fmt::Debug for Mask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mask({}x{}, {} set)", self.width, self.height, self.count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Mask {
        let mut m = Mask::new(8, 6);
        m.fill_rect(2, 1, 5, 4, true);
        m.set(7, 5, true);
        m
    }

    #[test]
    fn bw_png_round_trips() {
        let m = sample();
        let back = Mask::from_png(&m.to_bw_png()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn transparent_export_clears_alpha_exactly_on_the_mask() {
        let m = sample();
        let img = RgbaImage::from_pixel(8, 6, image::Rgba([10, 20, 30, 255]));
        let png = m.to_transparent_image(&img).unwrap();
        let out = image::load_from_memory(&png).unwrap().to_rgba8();
        for (x, y, p) in out.enumerate_pixels() {
            assert_eq!(p.0[3] == 0, m.get(x, y), "at {x},{y}");
            assert_eq!(&p.0[..3], &[10, 20, 30]);
        }
        // transparent also reads back as "change"
        assert_eq!(Mask::from_png(&png).unwrap(), m);
    }

    #[test]
    fn polygons_cover_exactly_the_mask() {
        let m = sample();
        let polys = m.to_polygons();
        let mut painted = Mask::new(8, 6);
        for p in &polys {
            let (x0, y0) = p[0];
            let (x1, y1) = p[2];
            painted.fill_rect(x0, y0, x1, y1, true);
        }
        assert_eq!(painted, m);
        assert_eq!(polys.len(), 2);
    }

    #[test]
    fn size_and_emptiness_are_checked() {
        let m = sample();
        assert!(matches!(m.check_for(9, 6), Err(MaskError::SizeMismatch { .. })));
        assert_eq!(Mask::new(4, 4).check_for(4, 4), Err(MaskError::Empty));
        assert!(m.check_for(8, 6).is_ok());
        assert!(Mask::from_png(b"not a png").is_err());
    }
}
