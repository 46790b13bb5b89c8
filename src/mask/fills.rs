//! Area fills: rectangle, lasso and polygon (add or subtract), fill all, clear, invert.
//!
//! Polygons (a lasso is a closed freehand polygon) are filled by scanline over pixel centres
//! with the **even-odd** rule: pixel `(x, y)` is inside when a ray from its centre
//! `(x + 0.5, y + 0.5)` crosses the outline an odd number of times. A self-crossing lasso
//! therefore leaves the parts it wraps twice unfilled, as in most paint programs; an edge
//! travelled twice in opposite directions (the "bridge" the tracer uses to join a hole to its
//! outline) cancels out. This is the same rule the simulator applies to Vtrix areas.

use super::{Mask, ON, Rect};

impl Mask {
    /// Marks (or clears) the part of `rect` inside the mask; returns that part.
    pub fn fill_area(&mut self, rect: Rect, on: bool) -> Rect {
        let r = rect.intersect(self.full_rect());
        let value = if on { ON } else { 0 };
        for y in r.y..r.bottom() {
            self.row_mut(y)[r.x as usize..r.right() as usize].fill(value);
        }
        r
    }

    /// Marks every pixel.
    pub fn fill_all(&mut self) -> Rect {
        self.data.fill(ON);
        self.full_rect()
    }

    /// Clears every pixel.
    pub fn clear(&mut self) -> Rect {
        self.data.fill(0);
        self.full_rect()
    }

    /// Marks what was kept and keeps what was marked.
    pub fn invert(&mut self) -> Rect {
        for v in &mut self.data {
            *v = !*v;
        }
        self.full_rect()
    }

    /// Fills a closed polygon (the last point joins the first), even-odd, by pixel centres.
    /// Returns the rectangle of rows and columns it may have changed.
    pub fn fill_polygon(&mut self, points: &[(f32, f32)], on: bool) -> Rect {
        let poly: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect();
        self.fill_polygon_f64(&poly, on)
    }

    /// A lasso is a closed freehand polygon: the same fill.
    pub fn fill_lasso(&mut self, points: &[(f32, f32)], on: bool) -> Rect {
        self.fill_polygon(points, on)
    }

    pub(crate) fn fill_polygon_f64(&mut self, poly: &[(f64, f64)], on: bool) -> Rect {
        let bounds = polygon_bounds_f64(poly, self.width, self.height);
        if bounds.is_empty() {
            return Rect::EMPTY;
        }
        let value = if on { ON } else { 0 };
        let w = f64::from(self.width);
        let mut xs: Vec<f64> = Vec::new();
        let (mut x0, mut x1, mut y0, mut y1) = (u32::MAX, 0, u32::MAX, 0);
        for y in bounds.y..bounds.bottom() {
            let cy = f64::from(y) + 0.5;
            xs.clear();
            for (i, &(ax, ay)) in poly.iter().enumerate() {
                let (bx, by) = poly[(i + 1) % poly.len()];
                if (ay <= cy) != (by <= cy) {
                    xs.push(ax + (cy - ay) / (by - ay) * (bx - ax));
                }
            }
            xs.sort_unstable_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                // pixel x is inside when a <= x + 0.5 < b
                let a = (pair[0] - 0.5).ceil().clamp(0.0, w) as u32;
                let b = (pair[1] - 0.5).ceil().clamp(0.0, w) as u32;
                if a < b {
                    self.row_mut(y)[a as usize..b as usize].fill(value);
                    x0 = x0.min(a);
                    x1 = x1.max(b);
                    y0 = y0.min(y);
                    y1 = y + 1;
                }
            }
        }
        Rect::from_corners(x0, y0, x1, y1)
    }
}

/// The rows and columns a polygon's fill may touch, clipped to a `width` x `height` mask.
pub fn polygon_bounds(points: &[(f32, f32)], width: u32, height: u32) -> Rect {
    let poly: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect();
    polygon_bounds_f64(&poly, width, height)
}

fn polygon_bounds_f64(poly: &[(f64, f64)], width: u32, height: u32) -> Rect {
    if poly.len() < 3 || poly.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
        return Rect::EMPTY;
    }
    let (mut xa, mut ya, mut xb, mut yb) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &(x, y) in poly {
        xa = xa.min(x);
        xb = xb.max(x);
        ya = ya.min(y);
        yb = yb.max(y);
    }
    // centres c = i + 0.5 with min <= c < max
    let first = |v: f64, max: u32| (v - 0.5).ceil().clamp(0.0, f64::from(max)) as u32;
    Rect::from_corners(first(xa, width), first(ya, height), first(xb, width), first(yb, height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::tests::{parse, show};

    #[test]
    fn rectangles_add_and_subtract() {
        let mut m = Mask::new(6, 4);
        assert_eq!(m.fill_area(Rect::new(1, 1, 4, 2), true), Rect::new(1, 1, 4, 2));
        assert_eq!(m.fill_area(Rect::new(3, 0, 9, 9), false), Rect::new(3, 0, 3, 4));
        assert_eq!(show(&m), ["......", ".##...", ".##...", "......"]);
        assert_eq!(m.fill_area(Rect::new(7, 7, 2, 2), true), Rect::EMPTY);
    }

    #[test]
    fn fill_all_clear_and_invert() {
        let mut m = parse(&["#..", ".#."]);
        assert_eq!(m.invert(), Rect::new(0, 0, 3, 2));
        assert_eq!(show(&m), [".##", "#.#"]);
        m.fill_all();
        assert_eq!(m.count(), 6);
        m.clear();
        assert!(m.is_empty());
    }

    #[test]
    fn polygons_fill_by_pixel_centres_even_odd() {
        // a triangle (0,0) (8,0) (0,8): centres with x + y < 8 are inside
        let mut m = Mask::new(8, 8);
        let r = m.fill_polygon(&[(0.0, 0.0), (8.0, 0.0), (0.0, 8.0)], true);
        for y in 0..8 {
            for x in 0..8 {
                assert_eq!(m.get(x, y), (x as f64 + 0.5) + (y as f64 + 0.5) < 8.0, "at {x},{y}");
            }
        }
        assert_eq!(r, m.bounds());
        // a lasso with a bow tie: two triangles, the crossing point shared
        let mut m = Mask::new(6, 4);
        m.fill_lasso(&[(0.0, 0.0), (6.0, 4.0), (6.0, 0.0), (0.0, 4.0)], true);
        assert_eq!(show(&m), ["#....#", "##..##", "##..##", "#....#"]);
    }

    #[test]
    fn a_ring_subtracts_its_hole_and_a_lasso_subtracts() {
        // outline, bridge to a hole, the hole the other way round, back over the bridge
        let ring = [
            (1.0, 1.0),
            (7.0, 1.0),
            (7.0, 7.0),
            (1.0, 7.0),
            (1.0, 1.0),
            (3.0, 3.0),
            (3.0, 5.0),
            (5.0, 5.0),
            (5.0, 3.0),
            (3.0, 3.0),
        ];
        let mut m = Mask::new(8, 8);
        m.fill_polygon(&ring, true);
        assert_eq!(
            show(&m),
            ["........", ".######.", ".######.", ".##..##.", ".##..##.", ".######.", ".######.", "........"]
        );
        let r = m.fill_lasso(&[(0.0, 0.0), (4.0, 0.0), (4.0, 8.0), (0.0, 8.0)], false);
        assert_eq!(r, Rect::new(0, 0, 4, 8));
        assert_eq!(
            show(&m),
            ["........", "....###.", "....###.", ".....##.", ".....##.", "....###.", "....###.", "........"]
        );
        assert_eq!(m.fill_polygon(&[(0.0, 0.0), (1.0, 1.0)], true), Rect::EMPTY, "two points fill nothing");
        assert_eq!(m.fill_polygon(&[(0.0, 0.0), (f32::NAN, 1.0), (3.0, 3.0)], true), Rect::EMPTY);
    }
}
