//! Simplifying a traced outline into a polygon with few points that still covers the same
//! pixels (see the notes of [`super`]).

const SMALL_RING: usize = 16;

/// Simplifies a traced outline (see the module notes): Ramer-Douglas-Peucker over the
/// midpoints of its pixel edges (they lie on the boundary a pixel-centre fill sees, where the
/// corners of a staircase sit half a pixel off it to either side), each edge then refitted to
/// the points it replaces, each corner moved to the pixel corner nearest the two lines meeting
/// there. Falls back to the outline as
/// traced when the result is degenerate or its area moved by more than a quarter.
pub(super) fn simplify_ring(ring: &[(u32, u32)], tolerance: f64) -> Vec<(u32, u32)> {
    // small outlines (up to a 3x3 staircase) are kept as they are: nothing to gain, and at
    // that size one pixel is a large part of the shape
    if ring.len() <= SMALL_RING {
        return ring.to_vec();
    }
    let mids = crack_midpoints(ring);
    let kept = refit(&mids, &rdp_closed(&mids, tolerance));
    let max = (ring.iter().map(|p| p.0).max().unwrap_or(0), ring.iter().map(|p| p.1).max().unwrap_or(0));
    let s = snap(&kept, max);
    let area = ring_area2(ring).abs() as f64;
    if s.len() >= 3 && ((ring_area2(&s).abs() as f64) - area).abs() <= area * 0.25 { s } else { ring.to_vec() }
}

/// The corners of the simplified outline, placed better than the points Ramer-Douglas-Peucker
/// kept (which are the extreme ones, up to half a pixel off the boundary): a least-squares
/// line is fitted to the points each kept edge stands for, and each corner is where the lines
/// of its two edges meet (or, where they run nearly parallel, between the kept point's
/// projections on both).
fn refit(pts: &[(f64, f64)], keep: &[usize]) -> Vec<(f64, f64)> {
    let (n, k) = (pts.len(), keep.len());
    if k < 3 {
        return keep.iter().map(|&i| pts[i]).collect();
    }
    // edge j runs from keep[j] to keep[j + 1] (the last one wraps round to keep[0])
    let lines: Vec<((f64, f64), (f64, f64))> = (0..k)
        .map(|j| {
            let (a, b) = (keep[j], if j + 1 < k { keep[j + 1] } else { keep[0] + n });
            let m = (b - a + 1) as f64;
            let (mut cx, mut cy) = (0.0, 0.0);
            for i in a..=b {
                cx += pts[i % n].0;
                cy += pts[i % n].1;
            }
            let c = (cx / m, cy / m);
            let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
            for i in a..=b {
                let (dx, dy) = (pts[i % n].0 - c.0, pts[i % n].1 - c.1);
                sxx += dx * dx;
                syy += dy * dy;
                sxy += dx * dy;
            }
            let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
            (c, (angle.cos(), angle.sin()))
        })
        .collect();
    let project = |p: (f64, f64), (c, d): ((f64, f64), (f64, f64))| {
        let t = (p.0 - c.0) * d.0 + (p.1 - c.1) * d.1;
        (c.0 + t * d.0, c.1 + t * d.1)
    };
    (0..k)
        .map(|j| {
            let p = pts[keep[j]];
            let (l1, l2) = (lines[(j + k - 1) % k], lines[j]);
            let ((c1, d1), (c2, d2)) = (l1, l2);
            let cross = d1.0 * d2.1 - d1.1 * d2.0;
            let between = || {
                let (a, b) = (project(p, l1), project(p, l2));
                ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
            };
            if cross.abs() < 0.1 {
                return between();
            }
            let t = ((c2.0 - c1.0) * d2.1 - (c2.1 - c1.1) * d2.0) / cross;
            let x = (c1.0 + t * d1.0, c1.1 + t * d1.1);
            if dist2(x, p) > 4.0 { between() } else { x }
        })
        .collect()
}

/// The midpoints of the first and last pixel edge of each straight run of an outline.
fn crack_midpoints(ring: &[(u32, u32)]) -> Vec<(f64, f64)> {
    let n = ring.len();
    let mut out = Vec::with_capacity(2 * n);
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        let (px, py, qx, qy) = (f64::from(p.0), f64::from(p.1), f64::from(q.0), f64::from(q.1));
        let len = (qx - px).abs() + (qy - py).abs();
        if len == 0.0 {
            continue;
        }
        let (ux, uy) = ((qx - px) / len, (qy - py) / len);
        out.push((px + 0.5 * ux, py + 0.5 * uy));
        if len >= 2.0 {
            out.push((qx - 0.5 * ux, qy - 0.5 * uy));
        }
    }
    out
}

/// Each point moved to the pixel corner (within two pixels, inside `[0, max]`) nearest the
/// lines to its neighbours (weighed by their lengths), a little weight on staying close;
/// repeats dropped.
fn snap(pts: &[(f64, f64)], max: (u32, u32)) -> Vec<(u32, u32)> {
    let n = pts.len();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(n);
    for i in 0..n {
        let (prev, cur, next) = (pts[(i + n - 1) % n], pts[i], pts[(i + 1) % n]);
        let (w1, w2) = (dist2(prev, cur).sqrt().max(1.0), dist2(cur, next).sqrt().max(1.0));
        let mut best = (f64::INFINITY, (0, 0));
        let (x0, y0) = ((cur.0 - 2.0).floor().max(0.0) as u32, (cur.1 - 2.0).floor().max(0.0) as u32);
        for y in y0..=((cur.1 + 2.0).ceil() as u32).min(max.1) {
            for x in x0..=((cur.0 + 2.0).ceil() as u32).min(max.0) {
                let c = (f64::from(x), f64::from(y));
                // an error along a long edge misplaces more pixels: weigh by edge length
                let cost = w1 * line_dist2(c, prev, cur) + w2 * line_dist2(c, cur, next) + 0.02 * dist2(c, cur);
                if cost < best.0 {
                    best = (cost, (x, y));
                }
            }
        }
        if out.last() != Some(&best.1) {
            out.push(best.1);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// Squared distance from `p` to the line through `a` and `b` (to `a` when they coincide).
fn line_dist2(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let cross = (p.0 - a.0) * dy - (p.1 - a.1) * dx;
    cross * cross / len2
}

/// Ramer-Douglas-Peucker over a closed ring: the indices kept, the first point first.
fn rdp_closed(pts: &[(f64, f64)], tol: f64) -> Vec<usize> {
    let n = pts.len();
    if n <= 3 {
        return (0..n).collect();
    }
    let p = |i: usize| pts[i % n];
    // split at the point farthest from the first, simplify both halves
    let far = (1..n).max_by(|&a, &b| dist2(p(0), p(a)).total_cmp(&dist2(p(0), p(b)))).unwrap_or(1);
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[far] = true;
    let mut stack = vec![(0usize, far), (far, n)];
    let tol2 = tol * tol;
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (pa, pb) = (p(a), p(b));
        let mut best = (0.0, a);
        for i in a + 1..b {
            let d = seg_dist2(p(i), pa, pb);
            if d > best.0 {
                best = (d, i);
            }
        }
        if best.0 > tol2 {
            keep[best.1] = true;
            stack.push((a, best.1));
            stack.push((best.1, b));
        }
    }
    (0..n).filter(|&i| keep[i]).collect()
}

fn dist2(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

fn seg_dist2(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    dist2(p, (a.0 + t * dx, a.1 + t * dy))
}

/// Twice the signed area (positive for an outline clockwise on screen).
fn ring_area2(ring: &[(u32, u32)]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1)
        })
        .sum()
}
