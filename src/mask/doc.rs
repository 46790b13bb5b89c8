//! [`MaskDoc`]: the mask with its undo history, its tools and a running count of its marked
//! pixels; what the canvas widget drives. Every edit goes through one funnel
//! ([`MaskDoc::edited`]) which refreshes the count for the tiles under the edit and adds the
//! edit's rectangle to the area not yet saved as a draft, so nothing proportional to the image
//! runs per frame.

use image::RgbaImage;

use super::brush::{Segment, segment_bounds};
use super::count::TileCounts;
use super::fills::polygon_bounds;
use super::history::History;
use super::{Mask, MaskError, Rect};

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
    counts: TileCounts,
    /// Everything changed since the last [`MaskDoc::take_unsaved`].
    unsaved: Rect,
}

impl MaskDoc {
    pub fn new(width: u32, height: u32) -> Self {
        Self::from_mask(Mask::new(width, height))
    }

    /// Starts from an existing mask (e.g. "Edit mask again"); the history starts empty and the
    /// starting mask counts as saved (nothing unsaved).
    pub fn from_mask(mask: Mask) -> Self {
        let history = History::new(mask.width(), mask.height());
        let counts = TileCounts::new(&mask);
        MaskDoc { mask, history, stroke: None, counts, unsaved: Rect::EMPTY }
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

    /// How many pixels are marked (kept up to date by every edit; reads no pixels).
    pub fn marked(&self) -> u64 {
        self.counts.total()
    }

    /// [`Mask::check_for`] from the running count: the mask fits a `width` x `height` image and
    /// marks some, not all, of it. Cheap enough to call every frame.
    pub fn check_for(&self, width: u32, height: u32) -> Result<(), MaskError> {
        self.mask.check_size(width, height)?;
        match self.marked() {
            0 => Err(MaskError::Empty),
            n if n == self.mask.full_rect().area() => Err(MaskError::Full),
            _ => Ok(()),
        }
    }

    /// The rectangle holding every pixel changed since the last call (empty when nothing
    /// changed), and forgets it: what a draft save writes out.
    pub fn take_unsaved(&mut self) -> Rect {
        std::mem::take(&mut self.unsaved)
    }

    /// The one place an edit is recorded: `r` (which holds every pixel the edit changed) has its
    /// tiles counted again and joins the unsaved area. Returns `r`.
    fn edited(&mut self, r: Rect) -> Rect {
        let r = r.intersect(self.mask.full_rect());
        self.counts.refresh(&self.mask, r);
        self.unsaved = self.unsaved.union(r);
        r
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
        self.edited(r)
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
        // the tiles the history kept are the tiles that really changed
        let kept = self.history.end_step(&self.mask);
        self.edited(r.union(kept));
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
        let r = self.history.undo(&mut self.mask)?;
        Some(self.edited(r))
    }

    pub fn redo(&mut self) -> Option<Rect> {
        self.stroke_end();
        let r = self.history.redo(&mut self.mask)?;
        Some(self.edited(r))
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

    /// Every pixel where `a` and `b` differ.
    fn differences(a: &Mask, b: &Mask) -> Vec<(u32, u32)> {
        (0..a.height())
            .flat_map(|y| (0..a.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| a.get(x, y) != b.get(x, y))
            .collect()
    }

    #[test]
    fn the_running_count_and_the_unsaved_area_follow_300_mixed_edits_undos_and_redos() {
        let mut rng = fastrand::Rng::with_seed(300);
        let (w, h) = (150, 97);
        let image = RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x / 7 * 30) as u8, (y / 9 * 25) as u8, 90, 255]));
        let mut start = Mask::new(w, h);
        start.fill_rect(20, 20, 90, 60, true);
        let mut doc = MaskDoc::from_mask(start.clone());
        assert_eq!(doc.marked(), 70 * 40);
        assert_eq!(doc.take_unsaved(), Rect::EMPTY, "the starting mask counts as saved");
        let mut saved = start;
        let mut takes_with_changes = 0;
        for i in 0..300 {
            match rng.u8(0..10) {
                0 => {
                    doc.undo();
                }
                1 => {
                    doc.redo();
                }
                2 => {
                    // a drag, checked after every segment and not only at its end
                    doc.stroke_begin((rng.f32() * 150.0, rng.f32() * 97.0), 1.0 + rng.f32() * 9.0, rng.bool());
                    assert_eq!(doc.marked() as usize, doc.mask().count(), "op {i}: first dab");
                    for _ in 0..5 {
                        doc.stroke_to((rng.f32() * 150.0, rng.f32() * 97.0));
                        assert_eq!(doc.marked() as usize, doc.mask().count(), "op {i}: mid-stroke");
                    }
                    doc.stroke_end();
                }
                3 => {
                    let other =
                        Mask::from_raw(w, h, (0..w * h).map(|_| u8::from(rng.u8(0..8) == 0)).collect()).unwrap();
                    doc.replace(&other).unwrap();
                }
                _ => random_op(&mut doc, &mut rng, &image),
            }
            assert_eq!(doc.marked() as usize, doc.mask().count(), "op {i}");
            let want = match doc.mask().count() {
                0 => Err(MaskError::Empty),
                n if n == (w * h) as usize => Err(MaskError::Full),
                _ => Ok(()),
            };
            assert_eq!(doc.check_for(w, h), want, "op {i}");
            assert_eq!(doc.check_for(w, h), doc.mask().check_for(w, h), "op {i}: the same answer as the mask's");
            // a draft is taken now and then, so the unsaved area spans several edits
            if rng.u8(0..3) == 0 {
                let unsaved = doc.take_unsaved();
                let diff = differences(&saved, doc.mask());
                takes_with_changes += usize::from(!diff.is_empty());
                for &(x, y) in &diff {
                    assert!(unsaved.contains(x, y), "op {i}: changed pixel {x},{y} outside {unsaved:?}");
                }
                assert_eq!(doc.take_unsaved(), Rect::EMPTY, "taking it clears it");
                saved = doc.mask().clone();
            }
        }
        assert!(takes_with_changes > 40, "the run must take many non-empty drafts, not {takes_with_changes}");
        assert!(matches!(doc.check_for(w + 1, h), Err(MaskError::SizeMismatch { .. })));
    }

    #[test]
    fn check_for_names_an_empty_and_a_full_mask_like_the_mask_does() {
        let mut doc = MaskDoc::new(70, 70);
        assert_eq!(doc.check_for(70, 70), Err(MaskError::Empty));
        doc.fill_all();
        assert_eq!(doc.marked(), 4900);
        assert_eq!(doc.check_for(70, 70), Err(MaskError::Full));
        assert_eq!(
            doc.check_for(70, 70).unwrap_err().to_string(),
            doc.mask().check_for(70, 70).unwrap_err().to_string()
        );
        doc.rect(Rect::new(69, 69, 1, 1), false);
        assert_eq!(doc.check_for(70, 70), Ok(()));
        let e = doc.check_for(80, 60).unwrap_err();
        assert_eq!(e.to_string(), "the mask is 70x70 but the image is 80x60; paint it at the image's size");
        assert_eq!(doc.take_unsaved(), Rect::new(0, 0, 70, 70));
        doc.undo();
        assert_eq!(doc.marked(), 4900);
        assert_eq!(doc.take_unsaved(), Rect::new(64, 64, 6, 6), "undo changed one tile");
    }
}
