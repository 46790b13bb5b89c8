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
//!
//! [`MaskDoc`] (the mask with this history and its tools) lives in [`super::doc`].

use std::collections::VecDeque;

pub use super::doc::MaskDoc;
use super::{Mask, Rect};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
