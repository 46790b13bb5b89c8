//! Polygons traced around the painted regions (Vtrix's `mask.areas`).
//!
//! 1. **Regions.** Marked pixels are grouped into 4-connected regions (pixels touching only
//!    at a corner are separate regions), row runs joined with a union-find.
//! 2. **Contours.** Each region's outline is followed along the pixel edges (the "cracks"
//!    between a marked and a kept pixel), so every vertex is a pixel corner with whole-number
//!    coordinates. Walking with the marked side on the right, an outer outline runs clockwise
//!    on screen (y down) and the outline of a hole anticlockwise. Each outline is found once,
//!    from the first (top-left) of its top edges in raster order.
//! 3. **Simplification.** Ramer-Douglas-Peucker with a 1-pixel tolerance over the midpoints
//!    of each outline's pixel edges (a staircase's midpoints lie on its slope; its corners
//!    sit half a pixel either side of it), each kept point then moved to the nearest pixel
//!    corner that stays on the lines meeting there: a disc of radius 100 becomes a few dozen
//!    points.
//!    Outlines of 16 corners or fewer are kept as they are, and if simplifying moves an
//!    outline's area by more than a quarter it is redone at half the tolerance, else kept.
//! 4. **Holes.** A hole is joined to its region's outline by a "bridge": the polygon runs to
//!    the hole, round it, and back along the same segment. An edge travelled once each way
//!    cancels in both the even-odd and the nonzero fill rule, so one polygon per region is
//!    filled correctly by any rasteriser, and polygons of different regions can simply be
//!    added up (which is how the Vtrix areas are read). A region inside a hole is its own
//!    polygon.
//!
//! Each region's polygon is filled back by pixel centres (see [`super::fills`]) and compared
//! with the region: below 98.5% intersection-over-union (a thin slanted line, where a 1-pixel
//! tolerance shifts whole edges by a fraction of a pixel) it is simplified again at half the
//! tolerance, and if that is still short it is sent as traced (exact). Outlines that are all
//! straight runs (rectangles) come back exact at any tolerance.

use super::{Mask, Rect};

/// The simplification tolerance of [`Mask::to_polygons`], in pixels.
pub const TOLERANCE: f64 = 1.0;

/// A traced outline: pixel corners in order, the marked side on the right of travel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contour {
    pub points: Vec<(u32, u32)>,
    /// An outline of a hole (anticlockwise on screen) rather than of a region.
    pub hole: bool,
    /// The region (4-connected) the outline bounds.
    pub region: u32,
}

impl Mask {
    /// Vtrix inpaint: one polygon per painted region, in image pixels, holes joined to their
    /// outline by a bridge (see the module notes). Empty for an empty mask.
    pub fn to_polygons(&self) -> Vec<Vec<(u32, u32)>> {
        polygons(self, TOLERANCE)
    }
}

/// Each region's polygon, filled back, must match the region at least this well, or it is
/// simplified again more finely (and in the end kept as traced).
pub const MIN_REGION_IOU: f64 = 0.985;

/// The traced and simplified polygons of `mask`, one per region.
pub fn polygons(mask: &Mask, tolerance: f64) -> Vec<Vec<(u32, u32)>> {
    let runs = Runs::of(mask);
    let raw = contours_of(mask, &runs);
    let mut holes: std::collections::HashMap<u32, Vec<&Contour>> = std::collections::HashMap::new();
    for c in raw.iter().filter(|c| c.hole) {
        holes.entry(c.region).or_default().push(c);
    }
    let mut outers: Vec<&Contour> = raw.iter().filter(|c| !c.hole).collect();
    outers.sort_by_key(|c| (c.points[0].1, c.points[0].0));
    outers
        .iter()
        .map(|outer| {
            let holes = holes.get(&outer.region).map(Vec::as_slice).unwrap_or(&[]);
            let bbox = polygon_rect(&outer.points);
            for tol in [tolerance, tolerance / 2.0] {
                let o = simplify_ring(&outer.points, tol);
                let hs: Vec<Vec<(u32, u32)>> = holes.iter().map(|h| simplify_ring(&h.points, tol)).collect();
                let poly = bridge(&o, &hs);
                if region_iou(&poly, &runs, outer.region, bbox) >= MIN_REGION_IOU {
                    return poly;
                }
            }
            let hs: Vec<Vec<(u32, u32)>> = holes.iter().map(|h| h.points.clone()).collect();
            bridge(&outer.points, &hs)
        })
        .collect()
}

/// How well `poly`, filled back, matches region `region` inside `bbox`.
fn region_iou(poly: &[(u32, u32)], runs: &Runs, region: u32, bbox: Rect) -> f64 {
    let mut filled = Mask::new(bbox.w, bbox.h);
    let pts: Vec<(f64, f64)> =
        poly.iter().map(|&(x, y)| (f64::from(x) - f64::from(bbox.x), f64::from(y) - f64::from(bbox.y))).collect();
    filled.fill_polygon_f64(&pts, true);
    let mut truth = Mask::new(bbox.w, bbox.h);
    for y in bbox.y..bbox.bottom() {
        let base = runs.row_start[y as usize];
        for (i, &(a, b)) in runs.row(y).iter().enumerate() {
            if runs.region[base + i] == region {
                truth.fill_area(Rect::from_corners(a - bbox.x, y - bbox.y, b - bbox.x, y - bbox.y + 1), true);
            }
        }
    }
    iou(&filled, &truth)
}

/// The outline of a region with each hole spliced in at the outline's vertex nearest to it.
fn bridge(outer: &[(u32, u32)], holes: &[Vec<(u32, u32)>]) -> Vec<(u32, u32)> {
    let mut at: Vec<Vec<&[(u32, u32)]>> = vec![Vec::new(); outer.len()];
    for h in holes {
        let h0 = h[0];
        let d2 = |p: &(u32, u32)| (i64::from(p.0) - i64::from(h0.0)).pow(2) + (i64::from(p.1) - i64::from(h0.1)).pow(2);
        let nearest = (0..outer.len()).min_by_key(|&i| d2(&outer[i])).unwrap_or(0);
        at[nearest].push(h.as_slice());
    }
    let mut out = Vec::with_capacity(outer.len() + holes.iter().map(|h| h.len() + 2).sum::<usize>());
    for (o, hs) in outer.iter().zip(&at) {
        out.push(*o);
        for h in hs {
            out.extend_from_slice(h);
            out.push(h[0]);
            out.push(*o);
        }
    }
    out
}

/// The raw outlines (every corner kept) of every region and hole of `mask`.
pub fn contours(mask: &Mask) -> Vec<Contour> {
    contours_of(mask, &Runs::of(mask))
}

fn contours_of(mask: &Mask, runs: &Runs) -> Vec<Contour> {
    let (w, h) = (mask.width(), mask.height());
    let inside =
        |x: i64, y: i64| x >= 0 && y >= 0 && x < i64::from(w) && y < i64::from(h) && mask.get(x as u32, y as u32);
    let mut started: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for y in 0..h {
        let above: &[(u32, u32)] = if y > 0 { runs.row(y - 1) } else { &[] };
        for &(a, b) in runs.row(y) {
            // the top edges of this run: its columns not under a run of the row above
            let mut x = a;
            for &(c, d) in above.iter().filter(|&&(c, d)| c < b && d > a) {
                if x < c {
                    trace_from(&inside, (x, y), &mut started, runs, &mut out);
                }
                x = x.max(d);
            }
            if x < b {
                trace_from(&inside, (x, y), &mut started, runs, &mut out);
            }
        }
    }
    out
}

/// Follows the outline whose top edge starts at corner `start` (pixel `start` marked, the one
/// above kept), unless it was followed already.
fn trace_from(
    inside: &impl Fn(i64, i64) -> bool,
    start: (u32, u32),
    started: &mut std::collections::HashSet<(u32, u32)>,
    runs: &Runs,
    out: &mut Vec<Contour>,
) {
    if !started.insert(start) {
        return;
    }
    // directions: 0 right, 1 down, 2 left, 3 up (turning right adds one)
    const STEP: [(i64, i64); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];
    let (sx, sy) = (i64::from(start.0), i64::from(start.1));
    let (mut x, mut y, mut d) = (sx, sy, 0usize);
    let mut points = vec![start];
    let mut area2: i64 = 0;
    let (mut px, mut py) = (sx, sy);
    loop {
        x += STEP[d].0;
        y += STEP[d].1;
        // the pixels ahead of the corner, on the right and on the left of travel
        let (front_right, front_left) = match d {
            0 => ((x, y), (x, y - 1)),
            1 => ((x - 1, y), (x, y)),
            2 => ((x - 1, y - 1), (x - 1, y)),
            _ => ((x, y - 1), (x - 1, y - 1)),
        };
        let nd = if !inside(front_right.0, front_right.1) {
            (d + 1) % 4
        } else if !inside(front_left.0, front_left.1) {
            d
        } else {
            (d + 3) % 4
        };
        if (x, y) == (sx, sy) && nd == 0 {
            area2 += px * sy - sx * py;
            break;
        }
        if nd != d {
            area2 += px * y - x * py;
            (px, py) = (x, y);
            points.push((x as u32, y as u32));
            if nd == 0 {
                // another top edge of this outline: do not follow it again from there
                started.insert((x as u32, y as u32));
            }
        }
        d = nd;
    }
    out.push(Contour { points, hole: area2 < 0, region: runs.region_at(start.0, start.1) });
}

/// Row runs of marked pixels and their 4-connected region labels.
struct Runs {
    /// `[x0, x1)` of each run, row after row.
    spans: Vec<(u32, u32)>,
    /// Index of each row's first run in `spans` (one more entry than rows).
    row_start: Vec<usize>,
    region: Vec<u32>,
}

impl Runs {
    fn of(mask: &Mask) -> Runs {
        let mut spans = Vec::new();
        let mut row_start = vec![0];
        for y in 0..mask.height() {
            let row = mask.row(y);
            let mut x = 0;
            while let Some(a) = next_where(row, x, true) {
                let b = next_where(row, a, false).unwrap_or(row.len());
                spans.push((a as u32, b as u32));
                x = b;
            }
            row_start.push(spans.len());
        }
        // union-find over runs; runs of neighbouring rows sharing a column are one region
        let mut parent: Vec<u32> = (0..spans.len() as u32).collect();
        fn find(parent: &mut [u32], mut i: u32) -> u32 {
            while parent[i as usize] != i {
                parent[i as usize] = parent[parent[i as usize] as usize];
                i = parent[i as usize];
            }
            i
        }
        for y in 1..mask.height() as usize {
            let (mut i, mut j) = (row_start[y - 1], row_start[y]);
            while i < row_start[y] && j < row_start[y + 1] {
                let ((a, b), (c, d)) = (spans[i], spans[j]);
                if a < d && c < b {
                    let (ri, rj) = (find(&mut parent, i as u32), find(&mut parent, j as u32));
                    parent[ri.max(rj) as usize] = ri.min(rj);
                }
                if b < d { i += 1 } else { j += 1 }
            }
        }
        let region = (0..spans.len() as u32).map(|i| find(&mut parent, i)).collect();
        Runs { spans, row_start, region }
    }

    fn row(&self, y: u32) -> &[(u32, u32)] {
        &self.spans[self.row_start[y as usize]..self.row_start[y as usize + 1]]
    }

    /// The region of marked pixel `(x, y)`.
    fn region_at(&self, x: u32, y: u32) -> u32 {
        let base = self.row_start[y as usize];
        let i = self.row(y).partition_point(|&(_, b)| b <= x);
        self.region[base + i]
    }
}

/// The first index from `from` whose byte is nonzero (`marked`) or zero (`!marked`), eight
/// bytes at a time over the long stretches.
fn next_where(row: &[u8], from: usize, marked: bool) -> Option<usize> {
    let mut i = from;
    let skip = if marked { 0u64 } else { u64::MAX };
    while i + 8 <= row.len() {
        let word = u64::from_ne_bytes(row[i..i + 8].try_into().unwrap_or([0; 8]));
        // masks hold 0 and 255 only: a word of all-equal bytes can be skipped whole
        if word != skip {
            break;
        }
        i += 8;
    }
    row[i..].iter().position(|&v| (v != 0) == marked).map(|p| p + i)
}

/// The polygons filled back into a mask of `width` x `height` (each polygon even-odd by
/// pixel centres, the polygons added up): what a gateway reading them paints.
pub fn rasterise(polys: &[Vec<(u32, u32)>], width: u32, height: u32) -> Mask {
    let mut m = Mask::new(width, height);
    for p in polys {
        let pts: Vec<(f64, f64)> = p.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect();
        m.fill_polygon_f64(&pts, true);
    }
    m
}

/// Intersection over union of two masks of the same size (1 when both are empty).
pub fn iou(a: &Mask, b: &Mask) -> f64 {
    let (mut inter, mut union) = (0u64, 0u64);
    for (&x, &y) in a.as_raw().iter().zip(b.as_raw()) {
        inter += u64::from(x != 0 && y != 0);
        union += u64::from(x != 0 || y != 0);
    }
    if union == 0 { 1.0 } else { inter as f64 / union as f64 }
}

/// The bounding rectangle of a polygon's points.
pub fn polygon_rect(poly: &[(u32, u32)]) -> Rect {
    let xs = poly.iter().map(|p| p.0);
    let ys = poly.iter().map(|p| p.1);
    match (xs.clone().min(), xs.max(), ys.clone().min(), ys.max()) {
        (Some(x0), Some(x1), Some(y0), Some(y1)) => Rect::from_corners(x0, y0, x1, y1),
        _ => Rect::EMPTY,
    }
}

mod simplify;

use simplify::simplify_ring;

#[cfg(test)]
mod tests;
