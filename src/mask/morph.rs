//! Grow and shrink the mask by `n` pixels, with a disc as the structuring element.
//!
//! Grow marks every pixel within Euclidean distance `n` (centre to centre) of a marked pixel;
//! shrink clears every marked pixel within distance `n` of a kept one. The image's edge is not
//! a kept pixel: a mask painted up to the edge stays there when shrunk (what a designer
//! painting "everything below the horizon" means).
//!
//! Both are exact and take time proportional to the area they work on, whatever `n`:
//! 1. a pass down and a pass up the rows give each pixel its vertical distance `g` to the
//!    nearest source pixel in its column (capped at `n + 1`, which already means "too far");
//! 2. on each row, a column with `g <= n` reaches `floor(sqrt(n^2 - g^2))` pixels either side
//!    (a table lookup); the union of those intervals is taken with a difference array.
//!
//! Only the marked area's bounding box (grown by `n`, or by one pixel for shrink) is visited.

use super::{Mask, ON, Rect};

impl Mask {
    /// The rectangle `grow(n)` (`grow == true`) or `shrink(n)` may change.
    pub fn morph_bounds(&self, n: u32, grow: bool) -> Rect {
        let n = self.clamp_radius(n);
        if n == 0 {
            return Rect::EMPTY;
        }
        let b = self.bounds();
        if grow { b.expand(n, self.width, self.height) } else { b }
    }

    /// Beyond the image's width plus height a larger `n` changes nothing more.
    fn clamp_radius(&self, n: u32) -> u32 {
        n.min(self.width.saturating_add(self.height))
    }

    /// Marks every pixel within `n` pixels of a marked one; returns the rectangle it may have
    /// changed.
    pub fn grow(&mut self, n: u32) -> Rect {
        let n = self.clamp_radius(n);
        let work = self.morph_bounds(n, true);
        if work.is_empty() {
            return Rect::EMPTY;
        }
        let near = self.near_sources(work, n, true);
        for (i, y) in (work.y..work.bottom()).enumerate() {
            let src = &near[i * work.w as usize..(i + 1) * work.w as usize];
            let row = &mut self.row_mut(y)[work.x as usize..work.right() as usize];
            for (d, &s) in row.iter_mut().zip(src) {
                *d |= s;
            }
        }
        work
    }

    /// Clears every marked pixel within `n` pixels of a kept one; returns the rectangle it
    /// may have changed.
    pub fn shrink(&mut self, n: u32) -> Rect {
        let n = self.clamp_radius(n);
        let inner = self.morph_bounds(n, false);
        if inner.is_empty() {
            return Rect::EMPTY;
        }
        // one pixel round the marked area holds the nearest kept pixel of every marked one
        let work = inner.expand(1, self.width, self.height);
        let near = self.near_sources(work, n, false);
        let (dx, dy) = ((inner.x - work.x) as usize, (inner.y - work.y) as usize);
        for (i, y) in (inner.y..inner.bottom()).enumerate() {
            let start = (i + dy) * work.w as usize + dx;
            let src = &near[start..start + inner.w as usize];
            let row = &mut self.row_mut(y)[inner.x as usize..inner.right() as usize];
            for (d, &s) in row.iter_mut().zip(src) {
                *d &= !s;
            }
        }
        inner
    }

    /// For each pixel of `work`: 255 when a source pixel (marked ones when `marked`, kept ones
    /// otherwise) of `work` is within distance `n`, else 0.
    fn near_sources(&self, work: Rect, n: u32, marked: bool) -> Vec<u8> {
        let (ww, wh) = (work.w as usize, work.h as usize);
        let cap = n.saturating_add(1);
        // 1. vertical distance to the nearest source in the same column, down then up
        let mut g = vec![cap; ww * wh];
        let mut prev = vec![cap; ww];
        for y in 0..wh {
            let row = &self.row(work.y + y as u32)[work.x as usize..work.right() as usize];
            let out = &mut g[y * ww..(y + 1) * ww];
            for ((o, p), &m) in out.iter_mut().zip(prev.iter_mut()).zip(row) {
                let source = (m != 0) == marked;
                *p = if source { 0 } else { (*p + 1).min(cap) };
                *o = *p;
            }
        }
        prev.fill(cap);
        for y in (0..wh).rev() {
            let out = &mut g[y * ww..(y + 1) * ww];
            for (o, p) in out.iter_mut().zip(prev.iter_mut()) {
                *p = if *o == 0 { 0 } else { (*p + 1).min(cap) };
                *o = (*o).min(*p);
            }
        }
        // 2. per row, the union of the horizontal reaches
        let n64 = u64::from(n);
        let reach: Vec<usize> = (0..=n64)
            .map(|g| {
                let left = n64 * n64 - g * g;
                let mut r = (left as f64).sqrt() as u64;
                while r * r > left {
                    r -= 1;
                }
                while (r + 1) * (r + 1) <= left {
                    r += 1;
                }
                r as usize
            })
            .collect();
        let mut out = vec![0u8; ww * wh];
        let mut diff = vec![0i32; ww + 1];
        for y in 0..wh {
            diff.fill(0);
            let mut any = false;
            for (x, &gv) in g[y * ww..(y + 1) * ww].iter().enumerate() {
                if gv <= n {
                    let r = reach[gv as usize];
                    diff[x.saturating_sub(r)] += 1;
                    diff[(x + r + 1).min(ww)] -= 1;
                    any = true;
                }
            }
            if !any {
                continue;
            }
            let mut run = 0;
            for (o, &d) in out[y * ww..(y + 1) * ww].iter_mut().zip(&diff) {
                run += d;
                if run > 0 {
                    *o = ON;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::tests::{parse, show};

    fn brute(m: &Mask, n: u32, grow: bool) -> Mask {
        let mut out = m.clone();
        let n2 = i64::from(n) * i64::from(n);
        for y in 0..m.height() as i64 {
            for x in 0..m.width() as i64 {
                let near = (0..m.height() as i64).any(|sy| {
                    (0..m.width() as i64)
                        .any(|sx| m.get(sx as u32, sy as u32) == grow && (sx - x).pow(2) + (sy - y).pow(2) <= n2)
                });
                if near {
                    out.set(x as u32, y as u32, grow);
                }
            }
        }
        out
    }

    #[test]
    fn a_dot_grows_into_a_disc() {
        let mut m = Mask::new(7, 7);
        m.set(3, 3, true);
        assert_eq!(m.grow(1), Rect::new(2, 2, 3, 3));
        assert_eq!(show(&m), [".......", ".......", "...#...", "..###..", "...#...", ".......", "......."]);
        let mut m = Mask::new(7, 7);
        m.set(3, 3, true);
        m.grow(2);
        assert_eq!(show(&m), [".......", "...#...", "..###..", ".#####.", "..###..", "...#...", "......."]);
        assert_eq!(m.grow(0), Rect::EMPTY);
        assert_eq!(Mask::new(4, 4).grow(3), Rect::EMPTY);
        let mut m = Mask::new(5, 3);
        m.set(0, 0, true);
        assert_eq!(m.grow(u32::MAX), Rect::new(0, 0, 5, 3));
        assert_eq!(m.count(), 15);
    }

    #[test]
    fn shrink_eats_from_kept_pixels_but_not_from_the_edge() {
        let mut m = parse(&[
            "#####.", //
            "#####.", "#####.", "#####.", "......",
        ]);
        assert_eq!(m.shrink(1), Rect::new(0, 0, 5, 4));
        assert_eq!(show(&m), ["####..", "####..", "####..", "......", "......"]);
        m.shrink(9);
        assert!(m.is_empty());
    }

    #[test]
    fn grow_and_shrink_match_the_brute_force_disc() {
        let mut rng = fastrand::Rng::with_seed(3);
        for case in 0..40 {
            let (w, h) = (5 + rng.u32(0..20), 5 + rng.u32(0..20));
            let mut m = Mask::new(w, h);
            for _ in 0..rng.usize(1..5) {
                let (x, y) = (rng.u32(0..w), rng.u32(0..h));
                m.fill_rect(x, y, x + rng.u32(1..8), y + rng.u32(1..8), true);
            }
            let n = rng.u32(1..7);
            for grow in [true, false] {
                let want = brute(&m, n, grow);
                let mut got = m.clone();
                let r = if grow { got.grow(n) } else { got.shrink(n) };
                assert_eq!(show(&got), show(&want), "case {case} n {n} grow {grow}");
                // nothing outside the returned rectangle changed
                for y in 0..h {
                    for x in 0..w {
                        assert!(r.contains(x, y) || got.get(x, y) == m.get(x, y));
                    }
                }
            }
        }
    }
}
