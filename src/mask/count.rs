//! A running count of the marked pixels of a mask, kept per 64 x 64 tile so an edit pays only
//! for the tiles under its dirty rectangle, never for the whole mask.

use super::history::TILE;
use super::{Mask, Rect};

/// Marked pixels per tile, and their total.
#[derive(Clone, Debug)]
pub(crate) struct TileCounts {
    tiles_x: u32,
    tiles: Vec<u32>,
    total: u64,
}

impl TileCounts {
    /// Counts every tile of `mask` (once, when a document is made).
    pub(crate) fn new(mask: &Mask) -> Self {
        let tiles_x = mask.width().div_ceil(TILE);
        let tiles_y = mask.height().div_ceil(TILE);
        let mut counts = TileCounts { tiles_x, tiles: vec![0; tiles_x as usize * tiles_y as usize], total: 0 };
        counts.refresh(mask, mask.full_rect());
        counts
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Counts again every tile under `rect` (clipped to the mask).
    pub(crate) fn refresh(&mut self, mask: &Mask, rect: Rect) {
        let r = rect.intersect(mask.full_rect());
        if r.is_empty() {
            return;
        }
        let (tx0, ty0) = (r.x / TILE, r.y / TILE);
        let (tx1, ty1) = ((r.right() - 1) / TILE, (r.bottom() - 1) / TILE);
        for ty in ty0..=ty1 {
            let y0 = ty * TILE;
            let y1 = (y0 + TILE).min(mask.height());
            for tx in tx0..=tx1 {
                let x0 = (tx * TILE) as usize;
                let x1 = ((tx + 1) * TILE).min(mask.width()) as usize;
                let n: u32 = (y0..y1).map(|y| count_row(&mask.row(y)[x0..x1])).sum();
                let slot = &mut self.tiles[(ty * self.tiles_x + tx) as usize];
                self.total = self.total - u64::from(*slot) + u64::from(n);
                *slot = n;
            }
        }
    }
}

/// Marked bytes of one tile row.
fn count_row(row: &[u8]) -> u32 {
    row.iter().map(|&v| u32::from(v != 0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshing_only_the_edited_tiles_keeps_the_total_exact() {
        // 150 x 97: edge tiles are partial
        let mut m = Mask::new(150, 97);
        m.fill_rect(10, 10, 140, 90, true);
        let mut c = TileCounts::new(&m);
        assert_eq!(c.total(), 130 * 80);
        let r = m.fill_area(Rect::new(60, 0, 90, 5), true);
        c.refresh(&m, r);
        assert_eq!(c.total() as usize, m.count());
        let r = m.fill_area(Rect::new(0, 60, 150, 37), false);
        c.refresh(&m, r);
        assert_eq!(c.total() as usize, m.count());
        // a rectangle reaching past the mask is clipped
        c.refresh(&m, Rect::new(100, 90, 500, 500));
        assert_eq!(c.total() as usize, m.count());
    }
}
