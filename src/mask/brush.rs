//! The round brush and the eraser, stamped one segment at a time.
//!
//! A segment from `p0` to `p1` with radius `r` (image pixel coordinates, `(0, 0)` the top-left
//! corner of the top-left pixel) covers every pixel whose centre `(x + 0.5, y + 0.5)` is at
//! most `r` from the segment: a capsule. A drag is a chain of segments, each starting where
//! the last ended, so a stroke is the union of its capsules and never has gaps at any speed.
//!
//! Only the segment's bounding box is visited, one row span at a time: the span's ends come
//! from two square roots a row (the end discs) and a few linear bounds (the band between
//! them), then each end is checked against the exact coverage test and moved by a pixel if
//! rounding put it one off. Nothing is done per pixel but the `memset` of the span.

use super::{Mask, ON, Rect};

/// A segment of a stroke, in image pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub from: (f32, f32),
    pub to: (f32, f32),
    pub radius: f32,
}

/// The exact coverage test, shared by the span computation and its end fixes.
#[derive(Clone, Copy)]
struct Capsule {
    x0: f64,
    y0: f64,
    dx: f64,
    dy: f64,
    len2: f64,
    r: f64,
    r2: f64,
}

impl Capsule {
    fn new(s: &Segment) -> Option<Capsule> {
        let vals = [s.from.0, s.from.1, s.to.0, s.to.1, s.radius];
        if vals.iter().any(|v| !v.is_finite()) || s.radius <= 0.0 {
            return None;
        }
        let (x0, y0) = (f64::from(s.from.0), f64::from(s.from.1));
        let (dx, dy) = (f64::from(s.to.0) - x0, f64::from(s.to.1) - y0);
        let r = f64::from(s.radius);
        Some(Capsule { x0, y0, dx, dy, len2: dx * dx + dy * dy, r, r2: r * r })
    }

    /// Whether the centre of pixel `(x, y)` is within the radius of the segment.
    fn covers(&self, x: i64, y: i64) -> bool {
        let (px, py) = (x as f64 + 0.5 - self.x0, y as f64 + 0.5 - self.y0);
        let t = if self.len2 > 0.0 { ((px * self.dx + py * self.dy) / self.len2).clamp(0.0, 1.0) } else { 0.0 };
        let (ex, ey) = (px - t * self.dx, py - t * self.dy);
        ex * ex + ey * ey <= self.r2
    }

    /// The x range (in continuous coordinates) of the capsule on the horizontal line `cy`.
    fn span(&self, cy: f64) -> Option<(f64, f64)> {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (ex, ey) in [(self.x0, self.y0), (self.x0 + self.dx, self.y0 + self.dy)] {
            let d = cy - ey;
            if d.abs() <= self.r {
                let s = (self.r2 - d * d).max(0.0).sqrt();
                lo = lo.min(ex - s);
                hi = hi.max(ex + s);
            }
        }
        if self.len2 > 0.0 {
            // the band: 0 <= (x - x0) dx + (cy - y0) dy <= len2 and |(x - x0) dy - (cy - y0) dx| <= r len
            let py = cy - self.y0;
            let len = self.len2.sqrt();
            let (mut a, mut b) = (f64::NEG_INFINITY, f64::INFINITY);
            let mut clip = |k: f64, c: f64, min: f64, max: f64| {
                // min <= k * px + c <= max, with px = x - x0
                if k.abs() < 1e-12 {
                    if c < min || c > max {
                        a = f64::INFINITY;
                    }
                } else {
                    let (p, q) = ((min - c) / k, (max - c) / k);
                    a = a.max(p.min(q));
                    b = b.min(p.max(q));
                }
            };
            clip(self.dx, py * self.dy, 0.0, self.len2);
            clip(self.dy, -py * self.dx, -self.r * len, self.r * len);
            if a <= b {
                lo = lo.min(a + self.x0);
                hi = hi.max(b + self.x0);
            }
        }
        (lo <= hi).then_some((lo, hi))
    }
}

/// The pixels a segment may touch, clipped to a `width` x `height` mask.
pub fn segment_bounds(s: &Segment, width: u32, height: u32) -> Rect {
    let Some(c) = Capsule::new(s) else { return Rect::EMPTY };
    let (xa, xb) = (c.x0.min(c.x0 + c.dx) - c.r, c.x0.max(c.x0 + c.dx) + c.r);
    let (ya, yb) = (c.y0.min(c.y0 + c.dy) - c.r, c.y0.max(c.y0 + c.dy) + c.r);
    // a pixel is touched only if its centre is inside: centres at i + 0.5
    let clamp = |v: f64, max: u32| v.clamp(0.0, f64::from(max)) as u32;
    Rect::from_corners(
        clamp((xa - 0.5).ceil(), width),
        clamp((ya - 0.5).ceil(), height),
        clamp((xb - 0.5).floor() + 1.0, width),
        clamp((yb - 0.5).floor() + 1.0, height),
    )
}

impl Mask {
    /// Stamps one segment of a brush (`on`) or eraser (`!on`) stroke and returns the rectangle
    /// of the pixels it covered (empty when it missed the mask or its values are not finite).
    pub fn stamp_segment(&mut self, s: &Segment, on: bool) -> Rect {
        let rows = segment_bounds(s, self.width, self.height);
        let Some(c) = Capsule::new(s) else { return Rect::EMPTY };
        if rows.is_empty() {
            return Rect::EMPTY;
        }
        let value = if on { ON } else { 0 };
        let w = i64::from(self.width);
        let (mut x0, mut x1, mut y0, mut y1) = (u32::MAX, 0, u32::MAX, 0);
        for y in rows.y..rows.bottom() {
            let Some((lo, hi)) = c.span(f64::from(y) + 0.5) else { continue };
            let yi = i64::from(y);
            // first and last pixel whose centre lies in [lo, hi], kept inside [-1, w]
            let mut a = ((lo - 0.5).ceil()).clamp(-1.0, w as f64) as i64;
            let mut b = ((hi - 0.5).floor()).clamp(-1.0, w as f64) as i64;
            if a > b + 1 {
                continue;
            }
            // rounding can leave an end one pixel off: settle both on the exact test
            while a > 0 && c.covers(a - 1, yi) {
                a -= 1;
            }
            while a <= b && !c.covers(a, yi) {
                a += 1;
            }
            while b < w - 1 && c.covers(b + 1, yi) {
                b += 1;
            }
            while b >= a && !c.covers(b, yi) {
                b -= 1;
            }
            let (a, b) = (a.max(0), b.min(w - 1));
            if a > b {
                continue;
            }
            self.row_mut(y)[a as usize..=b as usize].fill(value);
            x0 = x0.min(a as u32);
            x1 = x1.max(b as u32 + 1);
            y0 = y0.min(y);
            y1 = y + 1;
        }
        Rect::from_corners(x0, y0, x1, y1)
    }

    /// A single dab of the brush at `p` (the first touch of a stroke).
    pub fn stamp_dot(&mut self, p: (f32, f32), radius: f32, on: bool) -> Rect {
        self.stamp_segment(&Segment { from: p, to: p, radius }, on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: every pixel, tested by its distance to the nearer end or to the line.
    fn brute(w: u32, h: u32, segs: &[Segment]) -> Mask {
        let mut m = Mask::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let hit = segs.iter().any(|s| {
                    let (ax, ay, bx, by) = (s.from.0 as f64, s.from.1 as f64, s.to.0 as f64, s.to.1 as f64);
                    let d_end = ((px - ax).hypot(py - ay)).min((px - bx).hypot(py - by));
                    let (vx, vy) = (bx - ax, by - ay);
                    let len = vx.hypot(vy);
                    let along = if len > 0.0 { ((px - ax) * vx + (py - ay) * vy) / len } else { -1.0 };
                    let d_line = if along >= 0.0 && along <= len {
                        ((px - ax) * vy - (py - ay) * vx).abs() / len
                    } else {
                        f64::INFINITY
                    };
                    d_end.min(d_line) <= s.radius as f64
                });
                m.set(x, y, hit);
            }
        }
        m
    }

    #[test]
    fn a_stroke_covers_exactly_the_swept_disc() {
        let mut rng = fastrand::Rng::with_seed(7);
        for case in 0..60 {
            let (w, h) = (40 + rng.u32(0..40), 30 + rng.u32(0..40));
            let mut segs = Vec::new();
            let mut m = Mask::new(w, h);
            let mut dirty = Rect::EMPTY;
            let mut p = (rng.f32() * w as f32, rng.f32() * h as f32);
            let radius = 0.3 + rng.f32() * 9.0;
            for _ in 0..1 + rng.usize(0..6) {
                // some segments leave the mask, some are a single point
                let q = if rng.u8(0..5) == 0 {
                    p
                } else {
                    (rng.f32() * (w as f32 + 20.0) - 10.0, rng.f32() * (h as f32 + 20.0) - 10.0)
                };
                let s = Segment { from: p, to: q, radius };
                let r = m.stamp_segment(&s, true);
                assert!(r.intersect(m.full_rect()) == r, "dirty rect inside the mask");
                dirty = dirty.union(r);
                segs.push(s);
                p = q;
            }
            let want = brute(w, h, &segs);
            assert_eq!(mask::tests::show(&m), mask::tests::show(&want), "case {case}: {segs:?}");
            assert_eq!(dirty, want.bounds(), "case {case}: the dirty rect is the covered area");
        }
    }

    #[test]
    fn the_eraser_clears_what_the_brush_would_paint() {
        let mut m = Mask::new(30, 20);
        m.fill_all();
        let s = Segment { from: (3.2, 4.7), to: (25.9, 14.1), radius: 3.3 };
        let r = m.stamp_segment(&s, false);
        let mut painted = Mask::new(30, 20);
        assert_eq!(painted.stamp_segment(&s, true), r);
        for y in 0..20 {
            for x in 0..30 {
                assert_eq!(m.get(x, y), !painted.get(x, y), "{x},{y}");
            }
        }
    }

    #[test]
    fn bad_segments_change_nothing() {
        let mut m = Mask::new(10, 10);
        for s in [
            Segment { from: (f32::NAN, 1.0), to: (2.0, 2.0), radius: 2.0 },
            Segment { from: (1.0, 1.0), to: (2.0, 2.0), radius: 0.0 },
            Segment { from: (1.0, 1.0), to: (2.0, f32::INFINITY), radius: 2.0 },
            Segment { from: (-50.0, -50.0), to: (-40.0, -30.0), radius: 5.0 },
            Segment { from: (5.0, 5.0), to: (5.0, 5.0), radius: 1e30 },
        ] {
            let r = m.stamp_segment(&s, true);
            assert!(r.intersect(m.full_rect()) == r, "{s:?}");
        }
        // the huge one covers everything, the others nothing
        assert_eq!(m.count(), 100);
        let mut m = Mask::new(10, 10);
        assert_eq!(m.stamp_dot((f32::NAN, 0.0), 3.0, true), Rect::EMPTY);
        assert!(m.is_empty());
    }

    use crate::mask;
}
