//! Undo / redo as patches of the changed area, under a memory cap; and [`MaskDoc`], the mask
//! with its history and tools, which is what the canvas widget drives.
//!
//! The mask is cut into 64 x 64 tiles. While a step is open (one drag, one fill ...), the
//! first time an edit is about to touch a tile, that tile's bytes are saved ("before"), so a
//! step costs memory for what it touched and nothing else. When the step ends, each saved
//! tile's "after" is taken; tiles that did not change are dropped, and both sides are stored
//! run-length encoded (a mask tile is a few runs of 0 and 255: a brushed tile takes some
//! hundred bytes, an untouched-then-filled one six). Undo writes the "before" tiles back,
//! redo the "after" ones. When the history holds more than its cap in bytes, or more steps
//! than its limit, the oldest steps are dropped first (the newest step is always kept).

use std::collections::VecDeque;

use image::RgbaImage;

use super::brush::{Segment, segment_bounds};
use super::fills::polygon_bounds;
use super::{Mask, MaskError, Rect};

/// The side of a history tile, in pixels.
pub const TILE: u32 = 64;
/// Default memory cap of a history: 64 MiB.
pub const DEFAULT_CAP_BYTES: usize = 64 << 20;
/// Default limit on the number of undo steps.
pub const DEFAULT_MAX_STEPS: usize = 500;

/// One tile's bytes before and after a step, run-length encoded.
struct TilePatch {
    tile: u32,
    before: Box<[u8]>,
    after: Box<[u8]>,
}

struct Step {
    patches: Vec<TilePatch>,
    rect: Rect,
    bytes: usize,
}

/// The step being recorded: which tiles have their "before" saved.
struct Open {
    slot: Vec<u32>,
    saved: Vec<(u32, Box<[u8]>)>,
}

const NOT_SAVED: u32 = u32::MAX;

/// Undo / redo history of one mask (its size fixed).
pub struct History {
    width: u32,
    height: u32,
    tiles_x: u32,
    undo: VecDeque<Step>,
    redo: Vec<Step>,
    used: usize,
    cap: usize,
    max_steps: usize,
    open: Option<Open>,
}

impl History {
    pub fn new(width: u32, height: u32) -> Self {
        Self::with_limits(width, height, DEFAULT_CAP_BYTES, DEFAULT_MAX_STEPS)
    }

    pub fn with_limits(width: u32, height: u32, cap_bytes: usize, max_steps: usize) -> Self {
        History {
            width,
            height,
            tiles_x: width.div_ceil(TILE),
            undo: VecDeque::new(),
            redo: Vec::new(),
            used: 0,
            cap: cap_bytes,
            max_steps: max_steps.max(1),
            open: None,
        }
    }

    fn tile_count(&self) -> usize {
        self.tiles_x as usize * self.height.div_ceil(TILE) as usize
    }

    fn tile_rect(&self, tile: u32) -> Rect {
        let (tx, ty) = (tile % self.tiles_x, tile / self.tiles_x);
        Rect::new(tx * TILE, ty * TILE, TILE, TILE).intersect(Rect::new(0, 0, self.width, self.height))
    }

    /// Opens a step (a step already open is ended first).
    pub fn begin_step(&mut self, mask: &Mask) {
        self.end_step(mask);
        self.open = Some(Open { slot: vec![NOT_SAVED; self.tile_count()], saved: Vec::new() });
    }

    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Saves the "before" of every tile under `rect` not saved yet in the open step. Call it
    /// before changing pixels there; without an open step it does nothing.
    pub fn touch(&mut self, mask: &Mask, rect: Rect) {
        let rect = rect.intersect(Rect::new(0, 0, self.width, self.height));
        if rect.is_empty() || (mask.width(), mask.height()) != (self.width, self.height) {
            return;
        }
        let (tx0, ty0) = (rect.x / TILE, rect.y / TILE);
        let (tx1, ty1) = ((rect.right() - 1) / TILE, (rect.bottom() - 1) / TILE);
        let tiles_x = self.tiles_x;
        let rects: Vec<(u32, Rect)> = (ty0..=ty1)
            .flat_map(|ty| (tx0..=tx1).map(move |tx| ty * tiles_x + tx))
            .map(|t| (t, self.tile_rect(t)))
            .collect();
        let Some(open) = &mut self.open else { return };
        for (tile, r) in rects {
            if open.slot[tile as usize] == NOT_SAVED {
                open.slot[tile as usize] = open.saved.len() as u32;
                open.saved.push((tile, rle_encode(mask, r)));
            }
        }
    }

    /// Closes the open step: keeps the tiles that changed, as one undo step. Returns the
    /// rectangle of the tiles kept, empty when nothing changed (no step is then recorded).
    pub fn end_step(&mut self, mask: &Mask) -> Rect {
        let Some(open) = self.open.take() else { return Rect::EMPTY };
        let mut patches = Vec::new();
        let mut rect = Rect::EMPTY;
        let mut bytes = std::mem::size_of::<Step>();
        for (tile, before) in open.saved {
            let r = self.tile_rect(tile);
            let after = rle_encode(mask, r);
            if after != before {
                bytes += before.len() + after.len() + std::mem::size_of::<TilePatch>();
                rect = rect.union(r);
                patches.push(TilePatch { tile, before, after });
            }
        }
        if patches.is_empty() {
            return Rect::EMPTY;
        }
        for s in self.redo.drain(..) {
            self.used -= s.bytes;
        }
        self.used += bytes;
        self.undo.push_back(Step { patches, rect, bytes });
        while self.undo.len() > 1 && (self.used > self.cap || self.undo.len() > self.max_steps) {
            if let Some(old) = self.undo.pop_front() {
                self.used -= old.bytes;
            }
        }
        rect
    }

    /// Puts back the mask as it was before the last step; returns what changed.
    pub fn undo(&mut self, mask: &mut Mask) -> Option<Rect> {
        self.end_step(mask);
        let step = self.undo.pop_back()?;
        self.apply(mask, &step, true);
        let r = step.rect;
        self.redo.push(step);
        Some(r)
    }

    /// Applies again the last step undone; returns what changed.
    pub fn redo(&mut self, mask: &mut Mask) -> Option<Rect> {
        self.end_step(mask);
        let step = self.redo.pop()?;
        self.apply(mask, &step, false);
        let r = step.rect;
        self.undo.push_back(step);
        Some(r)
    }

    fn apply(&self, mask: &mut Mask, step: &Step, before: bool) {
        for p in &step.patches {
            let r = self.tile_rect(p.tile);
            rle_decode(mask, r, if before { &p.before } else { &p.after });
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    /// Bytes held by the recorded steps (undo and redo).
    pub fn memory_bytes(&self) -> usize {
        self.used
    }

    /// Forgets every step.
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
        self.used = 0;
        self.open = None;
    }
}

/// The bytes of `r` as runs `[value, count low, count high]` (a tile holds at most 4096).
pub(super) fn rle_encode(mask: &Mask, r: Rect) -> Box<[u8]> {
    let mut out = Vec::with_capacity(16);
    let mut cur: Option<(u8, u16)> = None;
    for y in r.y..r.bottom() {
        let mut row = &mask.row(y)[r.x as usize..r.right() as usize];
        while let Some(&v) = row.first() {
            let n = row.iter().position(|&b| b != v).unwrap_or(row.len());
            cur = match cur {
                Some((cv, cn)) if cv == v => Some((cv, cn + n as u16)),
                Some((cv, cn)) => {
                    out.extend_from_slice(&[cv, cn as u8, (cn >> 8) as u8]);
                    Some((v, n as u16))
                }
                None => Some((v, n as u16)),
            };
            row = &row[n..];
        }
    }
    if let Some((cv, cn)) = cur {
        out.extend_from_slice(&[cv, cn as u8, (cn >> 8) as u8]);
    }
    out.into_boxed_slice()
}

pub(super) fn rle_decode(mask: &mut Mask, r: Rect, runs: &[u8]) {
    let (mut y, mut x) = (r.y, 0usize);
    let w = r.w as usize;
    for run in runs.chunks_exact(3) {
        let (v, mut n) = (run[0], usize::from(run[1]) | usize::from(run[2]) << 8);
        while n > 0 && y < r.bottom() {
            let take = n.min(w - x);
            let start = r.x as usize + x;
            mask.row_mut(y)[start..start + take].fill(v);
            n -= take;
            x += take;
            if x == w {
                x = 0;
                y += 1;
            }
        }
    }
}

/// A stroke being drawn.
#[derive(Clone, Copy, Debug)]
struct Stroke {
    last: (f32, f32),
    radius: f32,
    on: bool,
    dirty: Rect,
}

/// The mask being painted, with its history and tools: what the canvas widget calls. Every
/// edit returns the rectangle it changed, so the canvas uploads only that part of its texture.
/// A stroke (`stroke_begin`, `stroke_to` ..., `stroke_end`) is one undo step; every other tool
/// is one step by itself.
pub struct MaskDoc {
    mask: Mask,
    history: History,
    stroke: Option<Stroke>,
}

impl MaskDoc {
    pub fn new(width: u32, height: u32) -> Self {
        Self::from_mask(Mask::new(width, height))
    }

    /// Starts from an existing mask (e.g. "Edit mask again"); the history starts empty.
    pub fn from_mask(mask: Mask) -> Self {
        let history = History::new(mask.width(), mask.height());
        MaskDoc { mask, history, stroke: None }
    }

    pub fn with_history_limits(mut self, cap_bytes: usize, max_steps: usize) -> Self {
        self.history = History::with_limits(self.mask.width(), self.mask.height(), cap_bytes, max_steps);
        self
    }

    pub fn mask(&self) -> &Mask {
        &self.mask
    }

    pub fn into_mask(mut self) -> Mask {
        self.stroke_end();
        self.mask
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn is_stroking(&self) -> bool {
        self.stroke.is_some()
    }

    /// Starts a brush (`erase == false`) or eraser stroke with a dab at `p`.
    pub fn stroke_begin(&mut self, p: (f32, f32), radius: f32, erase: bool) -> Rect {
        self.stroke_end();
        self.history.begin_step(&self.mask);
        self.stroke = Some(Stroke { last: p, radius, on: !erase, dirty: Rect::EMPTY });
        self.stamp(p)
    }

    /// Continues the stroke to `p` (nothing when no stroke is under way).
    pub fn stroke_to(&mut self, p: (f32, f32)) -> Rect {
        self.stamp(p)
    }

    fn stamp(&mut self, p: (f32, f32)) -> Rect {
        let Some(stroke) = &mut self.stroke else { return Rect::EMPTY };
        let seg = Segment { from: stroke.last, to: p, radius: stroke.radius };
        self.history.touch(&self.mask, segment_bounds(&seg, self.mask.width, self.mask.height));
        let r = self.mask.stamp_segment(&seg, stroke.on);
        stroke.last = p;
        stroke.dirty = stroke.dirty.union(r);
        r
    }

    /// Ends the stroke (one undo step); returns everything it changed.
    pub fn stroke_end(&mut self) -> Rect {
        let Some(stroke) = self.stroke.take() else { return Rect::EMPTY };
        self.history.end_step(&self.mask);
        stroke.dirty
    }

    /// One undoable step over `area` (which must hold every pixel `edit` may change).
    fn step(&mut self, area: Rect, edit: impl FnOnce(&mut Mask) -> Rect) -> Rect {
        self.stroke_end();
        self.history.begin_step(&self.mask);
        self.history.touch(&self.mask, area);
        let r = edit(&mut self.mask);
        self.history.end_step(&self.mask);
        r
    }

    pub fn rect(&mut self, r: Rect, on: bool) -> Rect {
        self.step(r, |m| m.fill_area(r, on))
    }

    /// A lasso or polygon (even-odd), added (`on`) or subtracted.
    pub fn polygon(&mut self, points: &[(f32, f32)], on: bool) -> Rect {
        let area = polygon_bounds(points, self.mask.width, self.mask.height);
        self.step(area, |m| m.fill_polygon(points, on))
    }

    /// The magic wand on `image` (at the mask's size) from `seed`.
    pub fn wand(&mut self, image: &RgbaImage, seed: (u32, u32), tolerance: u8, on: bool) -> Result<Rect, MaskError> {
        self.mask.check_image(image)?;
        let sel = super::wand::select_similar(image, seed, tolerance)?;
        let mut result = Ok(Rect::EMPTY);
        self.step(sel.rect, |m| {
            result = m.apply_selection(&sel, on);
            sel.rect
        });
        result
    }

    pub fn grow(&mut self, n: u32) -> Rect {
        let area = self.mask.morph_bounds(n, true);
        self.step(area, |m| m.grow(n))
    }

    pub fn shrink(&mut self, n: u32) -> Rect {
        let area = self.mask.morph_bounds(n, false);
        self.step(area, |m| m.shrink(n))
    }

    pub fn invert(&mut self) -> Rect {
        let area = self.mask.full_rect();
        self.step(area, Mask::invert)
    }

    pub fn clear(&mut self) -> Rect {
        let area = self.mask.full_rect();
        self.step(area, Mask::clear)
    }

    pub fn fill_all(&mut self) -> Rect {
        let area = self.mask.full_rect();
        self.step(area, Mask::fill_all)
    }

    /// Replaces the whole mask (a mask file loaded, a mask from an earlier job) as one step;
    /// refused unless it is at this mask's size.
    pub fn replace(&mut self, other: &Mask) -> Result<Rect, MaskError> {
        other.check_size(self.mask.width, self.mask.height)?;
        let area = self.mask.full_rect();
        Ok(self.step(area, |m| {
            m.data.copy_from_slice(&other.data);
            area
        }))
    }

    pub fn undo(&mut self) -> Option<Rect> {
        self.stroke_end();
        self.history.undo(&mut self.mask)
    }

    pub fn redo(&mut self) -> Option<Rect> {
        self.stroke_end();
        self.history.redo(&mut self.mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_op(doc: &mut MaskDoc, rng: &mut fastrand::Rng, image: &RgbaImage) {
        let (w, h) = (doc.mask().width() as f32, doc.mask().height() as f32);
        let pt = |rng: &mut fastrand::Rng| (rng.f32() * (w + 20.0) - 10.0, rng.f32() * (h + 20.0) - 10.0);
        match rng.u8(0..10) {
            0..=3 => {
                let erase = rng.bool();
                let radius = 0.5 + rng.f32() * 12.0;
                doc.stroke_begin(pt(rng), radius, erase);
                for _ in 0..rng.usize(0..8) {
                    doc.stroke_to(pt(rng));
                }
                doc.stroke_end();
            }
            4 => {
                let (x, y) = (rng.u32(0..w as u32), rng.u32(0..h as u32));
                doc.rect(Rect::new(x, y, rng.u32(1..60), rng.u32(1..60)), rng.bool());
            }
            5 => {
                let pts: Vec<_> = (0..rng.usize(3..9)).map(|_| pt(rng)).collect();
                doc.polygon(&pts, rng.bool());
            }
            6 => {
                let seed = (rng.u32(0..w as u32), rng.u32(0..h as u32));
                doc.wand(image, seed, rng.u8(0..40), rng.bool()).unwrap();
            }
            7 => {
                let n = rng.u32(1..6);
                if rng.bool() {
                    doc.grow(n)
                } else {
                    doc.shrink(n)
                };
            }
            8 => {
                doc.invert();
            }
            _ => {
                if rng.bool() {
                    doc.clear()
                } else {
                    doc.fill_all()
                };
            }
        }
    }

    #[test]
    fn undo_restores_every_state_of_150_mixed_operations_and_redo_reapplies() {
        let mut rng = fastrand::Rng::with_seed(150);
        // not a multiple of the tile size: edge tiles are partial
        let (w, h) = (150, 97);
        let image = RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x / 7 * 30) as u8, (y / 9 * 25) as u8, 90, 255]));
        let mut doc = MaskDoc::new(w, h);
        let mut states = vec![doc.mask().clone()];
        for _ in 0..150 {
            random_op(&mut doc, &mut rng, &image);
            if doc.mask() != states.last().unwrap() {
                states.push(doc.mask().clone());
            }
            assert_eq!(doc.history().undo_len(), states.len() - 1, "a step exactly when the mask changed");
        }
        assert!(states.len() > 100, "the run must exercise over 100 steps, not {}", states.len());
        for want in states.iter().rev().skip(1) {
            let r = doc.undo().expect("a step to undo");
            assert!(!r.is_empty());
            assert_eq!(doc.mask(), want);
        }
        assert_eq!(doc.undo(), None);
        for want in states.iter().skip(1) {
            doc.redo().expect("a step to redo");
            assert_eq!(doc.mask(), want);
        }
        assert_eq!(doc.redo(), None);
        // a new edit after undoing drops the redo branch
        doc.undo();
        doc.rect(Rect::new(0, 0, 3, 3), !doc.mask().get(0, 0));
        assert!(!doc.history().can_redo());
    }

    #[test]
    fn a_drag_is_one_step_and_only_its_tiles_are_kept() {
        let mut doc = MaskDoc::new(1000, 1000);
        let mut dirty = doc.stroke_begin((10.0, 10.0), 5.0, false);
        assert_eq!(dirty, Rect::new(5, 5, 10, 10), "the first dab");
        for i in 1..50 {
            dirty = dirty.union(doc.stroke_to((10.0 + i as f32 * 3.0, 10.0)));
        }
        assert!(doc.is_stroking());
        assert_eq!(doc.stroke_end(), dirty);
        assert_eq!(doc.history().undo_len(), 1);
        // a 160-pixel line crosses three 64-pixel tiles: a few hundred bytes, not a megabyte
        assert!(doc.history().memory_bytes() < 2_000, "{}", doc.history().memory_bytes());
        // painting over painted pixels changes nothing: no step
        doc.stroke_begin((20.0, 10.0), 2.0, false);
        doc.stroke_end();
        assert_eq!(doc.history().undo_len(), 1);
        let r = doc.undo().unwrap();
        assert_eq!(r, Rect::new(0, 0, 192, 64));
        assert!(doc.mask().is_empty());
    }

    #[test]
    fn the_memory_cap_drops_the_oldest_steps() {
        let mut doc = MaskDoc::new(256, 256).with_history_limits(4_000, 1_000);
        for i in 0..40 {
            // each stroke across the whole width touches 4 to 8 tiles
            doc.stroke_begin((0.0, i as f32 * 6.0 + 3.0), 2.0, false);
            doc.stroke_to((256.0, i as f32 * 6.0 + 3.0));
            doc.stroke_end();
            assert!(doc.history().memory_bytes() <= 4_000 || doc.history().undo_len() == 1);
        }
        let kept = doc.history().undo_len();
        assert!(kept > 1 && kept < 40, "{kept}");
        while doc.undo().is_some() {}
        // the oldest strokes could not be undone: they are still there
        assert!(doc.mask().get(10, 3));
        assert!(!doc.mask().get(10, 39 * 6 + 3));
        let mut limited = MaskDoc::new(64, 64).with_history_limits(usize::MAX, 3);
        for i in 0..6 {
            limited.rect(Rect::new(i, 0, 1, 1), true);
        }
        assert_eq!(limited.history().undo_len(), 3);
    }

    #[test]
    fn a_hundred_strokes_on_4096_fit_well_under_64_mb() {
        let mut rng = fastrand::Rng::with_seed(100);
        let mut doc = MaskDoc::new(4096, 4096);
        for s in 0..100 {
            let mut p = (rng.f32() * 4096.0, rng.f32() * 4096.0);
            let mut dir = rng.f32() * std::f32::consts::TAU;
            doc.stroke_begin(p, 24.0, s % 5 == 4);
            for _ in 0..64 {
                dir += rng.f32() * 0.4 - 0.2;
                p = ((p.0 + 12.0 * dir.cos()).rem_euclid(4096.0), (p.1 + 12.0 * dir.sin()).rem_euclid(4096.0));
                doc.stroke_to(p);
            }
            doc.stroke_end();
        }
        let bytes = doc.history().memory_bytes();
        eprintln!("undo memory of {} strokes on 4096x4096: {bytes} bytes", doc.history().undo_len());
        assert!(doc.history().undo_len() >= 95, "every stroke that changed pixels is a step");
        assert!(bytes < 64 << 20, "{bytes}");
    }

    #[test]
    fn replace_is_one_step_and_checks_the_size() {
        let mut doc = MaskDoc::new(70, 70);
        let mut other = Mask::new(70, 70);
        other.fill_rect(60, 60, 70, 70, true);
        assert_eq!(doc.replace(&other).unwrap(), Rect::new(0, 0, 70, 70));
        assert_eq!(doc.mask(), &other);
        assert!(matches!(doc.replace(&Mask::new(3, 3)), Err(MaskError::SizeMismatch { .. })));
        doc.undo();
        assert!(doc.mask().is_empty());
    }
}
