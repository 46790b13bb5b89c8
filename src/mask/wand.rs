//! The magic wand: from a clicked pixel of the image, select the 4-connected region whose
//! colour is close to the clicked one, and add it to (or take it from) the mask.
//!
//! "Close" means every channel (red, green, blue and alpha) differs from the seed's by at most
//! `tolerance` (0 selects exactly the seed's colour, 255 the whole connected image). The
//! region is found by scanline flood fill: each popped seed is widened to its whole run on the
//! row, and the rows above and below are scanned under that run for new runs to seed, so every
//! pixel is tested a bounded number of times and nothing recurses.

use image::RgbaImage;

use super::{Mask, MaskError, ON, Rect};

/// A selected region: its bounding rectangle and, inside it, one byte a pixel (nonzero =
/// selected).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub rect: Rect,
    bits: Vec<u8>,
}

impl Selection {
    pub fn contains(&self, x: u32, y: u32) -> bool {
        self.rect.contains(x, y) && self.bits[((y - self.rect.y) * self.rect.w + (x - self.rect.x)) as usize] != 0
    }

    /// How many pixels are selected.
    pub fn count(&self) -> usize {
        self.bits.iter().filter(|&&b| b != 0).count()
    }
}

/// Selects the region of `image` around `seed` whose colour is within `tolerance` of it.
pub fn select_similar(image: &RgbaImage, seed: (u32, u32), tolerance: u8) -> Result<Selection, MaskError> {
    let (w, h) = image.dimensions();
    let (sx, sy) = seed;
    if sx >= w || sy >= h {
        return Err(MaskError::Outside { x: sx, y: sy, width: w, height: h });
    }
    let px = image.as_raw();
    let (w_us, stride) = (w as usize, w as usize * 4);
    let at = |x: usize, y: usize| -> [u8; 4] {
        let i = y * stride + x * 4;
        [px[i], px[i + 1], px[i + 2], px[i + 3]]
    };
    let target = at(sx as usize, sy as usize);
    let similar = |x: usize, y: usize| {
        let c = at(x, y);
        (0..4).all(|k| c[k].abs_diff(target[k]) <= tolerance)
    };
    // 1 = selected; every selected pixel is also similar, so a run's neighbours are tested once
    let mut seen = vec![0u8; w_us * h as usize];
    let mut stack = vec![(sx as usize, sy as usize)];
    let (mut x0, mut x1, mut y0, mut y1) = (usize::MAX, 0, usize::MAX, 0);
    while let Some((x, y)) = stack.pop() {
        let row = y * w_us;
        if seen[row + x] != 0 {
            continue;
        }
        let (mut a, mut b) = (x, x);
        while a > 0 && seen[row + a - 1] == 0 && similar(a - 1, y) {
            a -= 1;
        }
        while b + 1 < w_us && seen[row + b + 1] == 0 && similar(b + 1, y) {
            b += 1;
        }
        seen[row + a..=row + b].fill(1);
        (x0, x1, y0, y1) = (x0.min(a), x1.max(b + 1), y0.min(y), y1.max(y + 1));
        for ny in [y.wrapping_sub(1), y + 1] {
            if ny >= h as usize {
                continue;
            }
            let nrow = ny * w_us;
            let mut in_run = false;
            for nx in a..=b {
                let fresh = seen[nrow + nx] == 0 && similar(nx, ny);
                if fresh && !in_run {
                    stack.push((nx, ny));
                }
                in_run = fresh;
            }
        }
    }
    let rect = Rect::from_corners(x0 as u32, y0 as u32, x1 as u32, y1 as u32);
    let mut bits = Vec::with_capacity(rect.area() as usize);
    for y in y0..y1 {
        bits.extend_from_slice(&seen[y * w_us + x0..y * w_us + x1]);
    }
    Ok(Selection { rect, bits })
}

impl Mask {
    /// Marks (`on`) or clears the selected pixels; returns the selection's rectangle.
    pub fn apply_selection(&mut self, sel: &Selection, on: bool) -> Result<Rect, MaskError> {
        let r = sel.rect;
        if r.intersect(self.full_rect()) != r {
            return Err(MaskError::SizeMismatch {
                got_w: self.width,
                got_h: self.height,
                want_w: r.right(),
                want_h: r.bottom(),
            });
        }
        let value = if on { ON } else { 0 };
        for (i, y) in (r.y..r.bottom()).enumerate() {
            let src = &sel.bits[i * r.w as usize..(i + 1) * r.w as usize];
            let dst = &mut self.row_mut(y)[r.x as usize..r.right() as usize];
            for (d, &s) in dst.iter_mut().zip(src) {
                if s != 0 {
                    *d = value;
                }
            }
        }
        Ok(r)
    }

    /// The magic wand on `image` (which must be at the mask's size) from pixel `seed`.
    pub fn magic_wand(
        &mut self,
        image: &RgbaImage,
        seed: (u32, u32),
        tolerance: u8,
        on: bool,
    ) -> Result<Rect, MaskError> {
        self.check_image(image)?;
        let sel = select_similar(image, seed, tolerance)?;
        self.apply_selection(&sel, on)
    }

    /// Checks `image` is at the mask's size.
    pub fn check_image(&self, image: &RgbaImage) -> Result<(), MaskError> {
        if image.dimensions() != (self.width, self.height) {
            return Err(MaskError::SizeMismatch {
                got_w: self.width,
                got_h: self.height,
                want_w: image.width(),
                want_h: image.height(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::tests::{parse, show};

    /// An image from rows of text, one letter a colour.
    fn picture(rows: &[&str]) -> RgbaImage {
        let colour = |c: u8| match c {
            b'r' => [200, 10, 10, 255],
            b'R' => [190, 20, 12, 255], // within 10 of r
            b'g' => [10, 200, 10, 255],
            b't' => [200, 10, 10, 0], // r, but transparent
            _ => [250, 250, 250, 255],
        };
        RgbaImage::from_fn(rows[0].len() as u32, rows.len() as u32, |x, y| {
            image::Rgba(colour(rows[y as usize].as_bytes()[x as usize]))
        })
    }

    #[test]
    fn the_wand_takes_the_4_connected_similar_region() {
        let img = picture(&[
            "rrR..r", //
            "r.R.r.", "rgRRr.", "..t...",
        ]);
        let mut m = Mask::new(6, 4);
        let r = m.magic_wand(&img, (0, 0), 10, true).unwrap();
        // (5,0) touches the region only diagonally; t differs in alpha; g in colour
        assert_eq!(show(&m), ["###...", "#.#.#.", "#.###.", "......"]);
        assert_eq!(r, Rect::new(0, 0, 5, 3));
        // at tolerance 0 the R pixels are left out
        let mut exact = Mask::new(6, 4);
        exact.magic_wand(&img, (0, 0), 0, true).unwrap();
        assert_eq!(show(&exact), ["##....", "#.....", "#.....", "......"]);
        // subtracting takes it back out of a full mask
        let mut full = Mask::new(6, 4);
        full.fill_all();
        full.magic_wand(&img, (0, 0), 10, false).unwrap();
        assert_eq!(show(&full), ["...###", ".#.#.#", ".#...#", "######"]);
    }

    #[test]
    fn the_wand_fills_around_holes_and_concave_shapes() {
        // a U of r around a pocket of white, and white everywhere else: the wand on the
        // outer white must go round the U and down into nothing inside it
        let img = picture(&[
            ".......", //
            ".r...r.", ".r.r.r.", ".rrrrr.", ".......",
        ]);
        let mut m = Mask::new(7, 5);
        m.magic_wand(&img, (6, 4), 0, true).unwrap();
        let want = parse(&[
            "#######", //
            "#.###.#", "#.#.#.#", "#.....#", "#######",
        ]);
        assert_eq!(show(&m), show(&want));
    }

    #[test]
    fn the_wand_refuses_bad_input() {
        let img = picture(&["rr", "rr"]);
        let mut m = Mask::new(2, 2);
        assert_eq!(m.magic_wand(&img, (2, 0), 5, true), Err(MaskError::Outside { x: 2, y: 0, width: 2, height: 2 }));
        let mut other = Mask::new(3, 2);
        assert!(matches!(other.magic_wand(&img, (0, 0), 5, true), Err(MaskError::SizeMismatch { .. })));
        assert!(m.is_empty() && other.is_empty());
        let sel = select_similar(&img, (1, 1), 0).unwrap();
        assert_eq!((sel.count(), sel.rect), (4, Rect::new(0, 0, 2, 2)));
        assert!(sel.contains(0, 1) && !sel.contains(2, 1));
    }
}
