//! A mask being painted, cut into tiles so it can be kept as a draft a few tiles at a time.
//!
//! The tiles are the history's 64 x 64 tiles ([`TILE`]), numbered row by row from the top
//! left; edge tiles are partial. A tile's bytes are the history's run-length encoding: runs of
//! `[value, count low, count high]`, so a brushed tile takes some hundred bytes and an empty
//! one three. A save writes the tiles a change touched ([`encode_tiles`]), or every painted
//! tile when the draft is written whole ([`encode_painted`]); [`rebuild`] makes the mask again
//! from whichever tiles were saved, a tile never saved being empty.
//!
//! [`rebuild`] reads bytes from disk, so it trusts nothing: a tile outside the mask, a tile
//! whose runs do not cover it exactly or hold a value other than 0 or 255, or a size no image
//! can have is refused with a [`TileError`], never a panic. No egui and no I/O here: the store
//! keeps the bytes and `app::editors::draft` decides when to save.

use super::history::{TILE, rle_decode, rle_encode};
use super::{Mask, ON, Rect};
use crate::imageio::MAX_PIXELS;

/// How many tiles a side of `len` pixels is cut into.
fn tiles_along(len: u32) -> u32 {
    len.div_ceil(TILE)
}

/// How many tiles a `width` x `height` mask has.
pub fn tile_count(width: u32, height: u32) -> u64 {
    u64::from(tiles_along(width)) * u64::from(tiles_along(height))
}

/// The pixels of tile `index` in a `width` x `height` mask, or `None` when it has no such
/// tile.
pub fn tile_rect(width: u32, height: u32, index: u32) -> Option<Rect> {
    if u64::from(index) >= tile_count(width, height) {
        return None;
    }
    let tiles_x = tiles_along(width);
    let (tx, ty) = (index % tiles_x, index / tiles_x);
    Some(Rect::new(tx * TILE, ty * TILE, TILE, TILE).intersect(Rect::new(0, 0, width, height)))
}

/// The tiles of a `width` x `height` mask that `rect` touches (clipped to the mask), row by
/// row.
pub fn tiles_under(width: u32, height: u32, rect: Rect) -> impl Iterator<Item = u32> {
    let r = rect.intersect(Rect::new(0, 0, width, height));
    let tiles_x = tiles_along(width);
    let (cols, rows) = if r.is_empty() {
        (0..0, 0..0)
    } else {
        (r.x / TILE..(r.right() - 1) / TILE + 1, r.y / TILE..(r.bottom() - 1) / TILE + 1)
    };
    rows.flat_map(move |ty| cols.clone().map(move |tx| ty * tiles_x + tx))
}

/// Tile `index` of `mask`, run-length encoded; `None` when the mask has no such tile.
pub fn encode_tile(mask: &Mask, index: u32) -> Option<Vec<u8>> {
    let r = tile_rect(mask.width(), mask.height(), index)?;
    Some(rle_encode(mask, r).into_vec())
}

/// Every tile of `mask` that `dirty` touches, as `(index, bytes)`, in index order. The cost is
/// that of the tiles touched, not of the mask.
pub fn encode_tiles(mask: &Mask, dirty: Rect) -> Vec<(u32, Vec<u8>)> {
    tiles_under(mask.width(), mask.height(), dirty).filter_map(|t| Some((t, encode_tile(mask, t)?))).collect()
}

/// Every tile of `mask` that holds a marked pixel, as `(index, bytes)`, in index order: the
/// whole mask, compressed (empty tiles need not be kept: [`rebuild`] starts from an empty
/// mask). Reads the whole mask once.
pub fn encode_painted(mask: &Mask) -> Vec<(u32, Vec<u8>)> {
    let (width, height) = (mask.width(), mask.height());
    let tiles_x = tiles_along(width) as usize;
    let mut painted = vec![false; tiles_x];
    let mut out = Vec::new();
    for ty in 0..tiles_along(height) {
        painted.fill(false);
        for y in ty * TILE..((ty + 1) * TILE).min(height) {
            for (tx, chunk) in mask.row(y).chunks(TILE as usize).enumerate() {
                if !painted[tx] && chunk.iter().any(|&v| v != 0) {
                    painted[tx] = true;
                }
            }
        }
        for (tx, _) in painted.iter().enumerate().filter(|(_, p)| **p) {
            let t = ty * tiles_x as u32 + tx as u32;
            if let Some(bytes) = encode_tile(mask, t) {
                out.push((t, bytes));
            }
        }
    }
    out
}

/// Why saved tiles could not be made into a mask. The words are for the designer: they end up
/// after "the kept draft of this mask is damaged: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("it claims a size of {width}x{height} pixels, which no image here can have")]
    BadSize { width: u32, height: u32 },
    #[error("it holds tile {index}, but a {width}x{height} mask has only {count} tiles")]
    Outside { index: u32, width: u32, height: u32, count: u64 },
    #[error("tile {index} is cut short ({len} bytes, not a whole number of runs)")]
    Truncated { index: u32, len: usize },
    #[error("tile {index} holds {got} pixels, not the {want} it covers")]
    WrongLength { index: u32, got: u64, want: u64 },
    #[error("tile {index} holds the value {value}, where a mask has only 0 or 255")]
    BadValue { index: u32, value: u8 },
}

/// Checks that `runs` is a valid encoding of exactly `want` pixels.
fn check_runs(index: u32, runs: &[u8], want: u64) -> Result<(), TileError> {
    if !runs.len().is_multiple_of(3) {
        return Err(TileError::Truncated { index, len: runs.len() });
    }
    let mut got = 0u64;
    for run in runs.chunks_exact(3) {
        if run[0] != 0 && run[0] != ON {
            return Err(TileError::BadValue { index, value: run[0] });
        }
        got += u64::from(run[1]) | u64::from(run[2]) << 8;
    }
    if got != want {
        return Err(TileError::WrongLength { index, got, want });
    }
    Ok(())
}

/// The `width` x `height` mask made of `tiles` (`(index, bytes)` as [`encode_tiles`] gives
/// them); tiles not given are empty, and a tile given twice takes its last bytes. Refused,
/// with nothing half-built handed back, when the size is not one an image can have or any
/// tile is outside the mask or damaged.
pub fn rebuild<'a>(
    width: u32,
    height: u32,
    tiles: impl IntoIterator<Item = (u32, &'a [u8])>,
) -> Result<Mask, TileError> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(TileError::BadSize { width, height });
    }
    let mut mask = Mask::new(width, height);
    for (index, runs) in tiles {
        let Some(r) = tile_rect(width, height, index) else {
            return Err(TileError::Outside { index, width, height, count: tile_count(width, height) });
        };
        check_runs(index, runs, r.area())?;
        rle_decode(&mut mask, r, runs);
    }
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::brush::Segment;

    fn rebuild_from(width: u32, height: u32, tiles: &[(u32, Vec<u8>)]) -> Result<Mask, TileError> {
        rebuild(width, height, tiles.iter().map(|(t, b)| (*t, b.as_slice())))
    }

    /// A few long strokes and an erased one on a `size` x `size` mask; returns the mask and
    /// the rectangle each edit changed.
    fn strokes(size: u32) -> (Mask, Vec<Rect>) {
        let mut mask = Mask::new(size, size);
        let s = size as f32;
        let segs = [
            ((0.1 * s, 0.1 * s), (0.9 * s, 0.15 * s), 30.0, true),
            ((0.5 * s, 0.0), (0.45 * s, s), 12.5, true),
            ((0.2 * s, 0.8 * s), (0.8 * s, 0.6 * s), 60.0, true),
            ((0.0, 0.62 * s), (s, 0.7 * s), 8.0, false),
            ((s - 3.0, s - 3.0), (s + 10.0, s - 1.0), 5.0, true),
        ];
        let dirty =
            segs.iter().map(|&(from, to, radius, on)| mask.stamp_segment(&Segment { from, to, radius }, on)).collect();
        (mask, dirty)
    }

    #[test]
    fn tiles_are_numbered_row_by_row_and_edge_tiles_are_partial() {
        assert_eq!(tile_count(150, 97), 3 * 2);
        assert_eq!(tile_rect(150, 97, 0), Some(Rect::new(0, 0, 64, 64)));
        assert_eq!(tile_rect(150, 97, 2), Some(Rect::new(128, 0, 22, 64)));
        assert_eq!(tile_rect(150, 97, 5), Some(Rect::new(128, 64, 22, 33)));
        assert_eq!(tile_rect(150, 97, 6), None);
        assert_eq!(tiles_under(150, 97, Rect::new(60, 60, 10, 10)).collect::<Vec<_>>(), [0, 1, 3, 4]);
        assert_eq!(tiles_under(150, 97, Rect::new(140, 90, 500, 500)).collect::<Vec<_>>(), [5]);
        assert_eq!(tiles_under(150, 97, Rect::new(64, 0, 64, 64)).collect::<Vec<_>>(), [1]);
        assert_eq!(tiles_under(150, 97, Rect::EMPTY).count(), 0);
        assert_eq!(tiles_under(150, 97, Rect::new(200, 0, 5, 5)).count(), 0);
        assert_eq!(encode_tile(&Mask::new(150, 97), 6), None);
    }

    #[test]
    fn a_4096_mask_comes_back_exactly_from_the_tiles_its_strokes_touched() {
        let (mask, dirty) = strokes(4096);
        // what a keeper saves: the tiles under each change, later bytes over earlier ones
        let mut saved = std::collections::BTreeMap::new();
        let started = std::time::Instant::now();
        let mut touched = 0;
        for r in &dirty {
            for (t, bytes) in encode_tiles(&mask, *r) {
                touched += 1;
                saved.insert(t, bytes);
            }
        }
        eprintln!(
            "encoded {touched} dirty tiles of a 4096x4096 mask in {:?} ({} bytes kept in {} tiles)",
            started.elapsed(),
            saved.values().map(Vec::len).sum::<usize>(),
            saved.len()
        );
        assert!(saved.len() < 4096 / 2, "only the touched tiles, not all 4096: {}", saved.len());
        let back = rebuild(4096, 4096, saved.iter().map(|(t, b)| (*t, b.as_slice()))).unwrap();
        assert!(back == mask, "the rebuilt mask differs: {back:?} vs {mask:?}");

        // the whole mask compressed: only painted tiles, and the same mask again
        let started = std::time::Instant::now();
        let painted = encode_painted(&mask);
        eprintln!("encoded the painted tiles of the whole 4096x4096 mask in {:?}", started.elapsed());
        assert!(painted.iter().all(|(t, _)| saved.contains_key(t)), "a painted tile no stroke touched");
        assert!(rebuild_from(4096, 4096, &painted).unwrap() == mask);
    }

    #[test]
    fn odd_sizes_round_trip_and_untouched_tiles_are_empty() {
        let (strokes, _) = strokes(150);
        let mut partial = Mask::new(150, 97);
        for y in 0..97 {
            for x in 0..150 {
                partial.set(x, y, strokes.get(x, y) || (x + y) % 7 == 0);
            }
        }
        let tiles = encode_tiles(&partial, partial.full_rect());
        assert_eq!(tiles.len(), 6);
        assert_eq!(rebuild_from(150, 97, &tiles).unwrap(), partial);
        assert_eq!(encode_painted(&partial).len(), 6);

        // only tile 4 saved: everything outside it reads back empty
        let only: Vec<_> = tiles.into_iter().filter(|(t, _)| *t == 4).collect();
        let back = rebuild_from(150, 97, &only).unwrap();
        let r = tile_rect(150, 97, 4).unwrap();
        for y in 0..97 {
            for x in 0..150 {
                assert_eq!(back.get(x, y), r.contains(x, y) && partial.get(x, y), "{x},{y}");
            }
        }
        assert!(encode_painted(&Mask::new(150, 97)).is_empty());
        assert_eq!(rebuild_from(150, 97, &[]).unwrap(), Mask::new(150, 97));
    }

    #[test]
    fn damaged_tiles_are_refused_with_what_is_wrong() {
        let (mask, _) = strokes(200);
        let good = encode_tiles(&mask, mask.full_rect());
        // a whole (not edge) tile with a few runs in it
        let (t, bytes) = good
            .iter()
            .find(|(i, b)| b.len() > 6 && tile_rect(200, 200, *i).unwrap().area() == 4096)
            .cloned()
            .expect("a brushed inner tile");
        let with = |index: u32, bytes: Vec<u8>| {
            let mut tiles = good.clone();
            tiles.retain(|(i, _)| *i != index);
            tiles.push((index, bytes));
            rebuild_from(200, 200, &tiles)
        };
        // a tile the mask does not have
        let e = with(16, vec![0, 0, 16]).unwrap_err();
        assert_eq!(e, TileError::Outside { index: 16, width: 200, height: 200, count: 16 });
        let e = with(u32::MAX, vec![]).unwrap_err();
        assert!(e.to_string().contains("only 16 tiles"), "{e}");
        // cut short in the middle of a run
        let e = with(t, bytes[..bytes.len() - 1].to_vec()).unwrap_err();
        assert_eq!(e, TileError::Truncated { index: t, len: bytes.len() - 1 });
        // a whole run missing: too few pixels
        let e = with(t, bytes[..bytes.len() - 3].to_vec()).unwrap_err();
        assert!(matches!(e, TileError::WrongLength { index, got, want: 4096 } if index == t && got < 4096), "{e:?}");
        // a run too long: more pixels than the tile (an edge tile covers fewer than 4096)
        let e = with(3, vec![0, 0x00, 0x10]).unwrap_err();
        assert_eq!(e, TileError::WrongLength { index: 3, got: 4096, want: 8 * 64 });
        // nothing at all where a whole tile is expected
        assert!(matches!(with(0, vec![]).unwrap_err(), TileError::WrongLength { got: 0, .. }));
        // a value a mask never holds
        let mut odd = bytes.clone();
        odd[0] = 7;
        assert_eq!(with(t, odd).unwrap_err(), TileError::BadValue { index: t, value: 7 });
        // sizes no image has are refused before anything is allocated
        let e = rebuild(u32::MAX, u32::MAX, []).unwrap_err();
        assert_eq!(e, TileError::BadSize { width: u32::MAX, height: u32::MAX });
        assert!(e.to_string().contains("no image here can have"), "{e}");
        // and the good tiles still make the mask
        assert_eq!(rebuild_from(200, 200, &good).unwrap(), mask);
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2000 {
            let len = rng.usize(0..40);
            let bytes: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            let index = rng.u32(0..12);
            let (w, h) = (rng.u32(0..200), rng.u32(0..200));
            let _ = rebuild(w, h, [(index, bytes.as_slice())]);
        }
    }
}
