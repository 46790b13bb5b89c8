//! The mask model (no egui types) and its exports to each gateway flow's format.
//!
//! A [`Mask`] is always at the image's own pixel size, one byte a pixel: 0 keeps the pixel,
//! 255 marks it for change (any nonzero byte handed in is read as 255). Gateways want that in
//! different shapes (see the table in the api notes); each export lives here so the CLI and
//! the mask canvas share them.
//!
//! The module is split by role:
//! - this file: the buffer itself, its validated constructors and the [`Rect`] every edit
//!   returns (the dirty rectangle the canvas re-uploads);
//! - [`brush`]: the round brush and eraser, stamped segment by segment;
//! - [`fills`]: rectangle, lasso / polygon fills, fill all, clear, invert;
//! - [`wand`]: the magic wand (select by colour from a clicked pixel of the image);
//! - [`morph`]: grow / shrink by N pixels;
//! - [`history`]: undo / redo as tile patches under a memory cap;
//! - [`doc`]: [`MaskDoc`], the mask with its history, tools and running count of marked
//!   pixels, which is what the canvas widget drives;
//! - [`export`]: one export per gateway flow, and reading a mask file;
//! - [`trace`]: polygons traced around the painted regions (Vtrix).

pub mod brush;
mod count;
pub mod doc;
pub mod draft;
pub mod export;
pub mod fills;
pub mod history;
pub mod morph;
pub mod trace;
pub mod view;
pub mod wand;

pub use doc::MaskDoc;
pub use history::History;
pub use view::View;

/// The value of a marked pixel.
pub const ON: u8 = 255;

#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawMask")]
pub struct Mask {
    width: u32,
    height: u32,
    #[serde(with = "crate::b64")]
    data: Vec<u8>,
}

/// A mask as it is stored: read into a [`Mask`] only through [`Mask::from_raw`], so a stored
/// mask whose size does not match its data is refused instead of trusted.
#[derive(serde::Deserialize)]
struct RawMask {
    width: u32,
    height: u32,
    #[serde(with = "crate::b64")]
    data: Vec<u8>,
}

impl TryFrom<RawMask> for Mask {
    type Error = MaskError;

    fn try_from(raw: RawMask) -> Result<Self, MaskError> {
        Mask::from_raw(raw.width, raw.height, raw.data)
    }
}

/// Why a mask file, stored mask or edit could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaskError {
    #[error("the mask is not a readable PNG: {0}")]
    Decode(String),
    #[error("the mask is {got_w}x{got_h} but the image is {want_w}x{want_h}; paint it at the image's size")]
    SizeMismatch { got_w: u32, got_h: u32, want_w: u32, want_h: u32 },
    #[error("the mask marks nothing to change; paint the area to change in white")]
    Empty,
    #[error("the mask marks the whole image; leave some of it unpainted")]
    Full,
    #[error("a {width}x{height} mask needs one byte a pixel, not {len} bytes")]
    DataSize { width: u32, height: u32, len: usize },
    #[error("the point {x},{y} is outside the {width}x{height} image")]
    Outside { x: u32, y: u32, width: u32, height: u32 },
}

/// A rectangle of pixels `[x, x + w) x [y, y + h)`: what an edit changed (its "dirty"
/// rectangle), so the canvas uploads only that part of its texture. Empty when `w` or `h` is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub const EMPTY: Rect = Rect { x: 0, y: 0, w: 0, h: 0 };

    pub const fn new(x: u32, y: u32, w: u32, h: u32) -> Self {
        Rect { x, y, w, h }
    }

    /// The half-open rectangle `[x0, x1) x [y0, y1)`; empty when either side is inverted.
    pub fn from_corners(x0: u32, y0: u32, x1: u32, y1: u32) -> Self {
        if x1 <= x0 || y1 <= y0 { Rect::EMPTY } else { Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } }
    }

    pub fn is_empty(&self) -> bool {
        self.w == 0 || self.h == 0
    }

    pub fn right(&self) -> u32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> u32 {
        self.y + self.h
    }

    pub fn area(&self) -> u64 {
        u64::from(self.w) * u64::from(self.h)
    }

    /// The smallest rectangle holding both (an empty one adds nothing).
    pub fn union(self, other: Rect) -> Rect {
        match (self.is_empty(), other.is_empty()) {
            (true, _) => other,
            (_, true) => self,
            _ => Rect::from_corners(
                self.x.min(other.x),
                self.y.min(other.y),
                self.right().max(other.right()),
                self.bottom().max(other.bottom()),
            ),
        }
    }

    pub fn intersect(self, other: Rect) -> Rect {
        Rect::from_corners(
            self.x.max(other.x),
            self.y.max(other.y),
            self.right().min(other.right()),
            self.bottom().min(other.bottom()),
        )
    }

    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }

    /// Grown by `n` pixels on every side, clipped to a `width` x `height` image.
    pub fn expand(self, n: u32, width: u32, height: u32) -> Rect {
        if self.is_empty() {
            return Rect::EMPTY;
        }
        Rect::from_corners(
            self.x.saturating_sub(n),
            self.y.saturating_sub(n),
            self.right().saturating_add(n).min(width),
            self.bottom().saturating_add(n).min(height),
        )
    }
}

impl Mask {
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, data: vec![0; width as usize * height as usize] }
    }

    /// A mask from its raw parts, as stored or handed over: refused unless `data` holds
    /// exactly one byte per pixel; any nonzero byte reads as marked.
    pub fn from_raw(width: u32, height: u32, mut data: Vec<u8>) -> Result<Self, MaskError> {
        let want = u64::from(width) * u64::from(height);
        if data.len() as u64 != want {
            return Err(MaskError::DataSize { width, height, len: data.len() });
        }
        for v in &mut data {
            *v = if *v != 0 { ON } else { 0 };
        }
        Ok(Self { width, height, data })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The whole mask as a rectangle.
    pub fn full_rect(&self) -> Rect {
        Rect::new(0, 0, self.width, self.height)
    }

    /// One byte a pixel, row after row: 0 keeps, 255 changes.
    pub fn as_raw(&self) -> &[u8] {
        &self.data
    }

    pub fn into_raw(self) -> Vec<u8> {
        self.data
    }

    fn index(&self, x: u32, y: u32) -> usize {
        y as usize * self.width as usize + x as usize
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        self.data[self.index(x, y)] != 0
    }

    pub fn set(&mut self, x: u32, y: u32, on: bool) {
        let i = self.index(x, y);
        self.data[i] = if on { ON } else { 0 };
    }

    /// Row `y` (which must be inside the mask).
    pub fn row(&self, y: u32) -> &[u8] {
        let w = self.width as usize;
        &self.data[y as usize * w..(y as usize + 1) * w]
    }

    fn row_mut(&mut self, y: u32) -> &mut [u8] {
        let w = self.width as usize;
        &mut self.data[y as usize * w..(y as usize + 1) * w]
    }

    /// The bytes under `rect` (clipped to the mask), row after row: what the canvas uploads
    /// after an edit. `out` is cleared first so one buffer serves every frame.
    pub fn copy_rect(&self, rect: Rect, out: &mut Vec<u8>) {
        out.clear();
        let r = rect.intersect(self.full_rect());
        out.reserve(r.area() as usize);
        for y in r.y..r.bottom() {
            out.extend_from_slice(&self.row(y)[r.x as usize..r.right() as usize]);
        }
    }

    /// How many pixels are marked for change.
    pub fn count(&self) -> usize {
        self.data.iter().filter(|&&v| v != 0).count()
    }

    pub fn is_empty(&self) -> bool {
        !self.data.iter().any(|&v| v != 0)
    }

    /// The smallest rectangle holding every marked pixel (empty for an empty mask).
    pub fn bounds(&self) -> Rect {
        let w = self.width as usize;
        if w == 0 {
            return Rect::EMPTY;
        }
        let rows: Vec<usize> =
            self.data.chunks_exact(w).enumerate().filter(|(_, r)| r.iter().any(|&v| v != 0)).map(|(y, _)| y).collect();
        let (Some(&top), Some(&bottom)) = (rows.first(), rows.last()) else { return Rect::EMPTY };
        let (mut x0, mut x1) = (w, 0);
        for &y in &rows {
            let row = &self.data[y * w..(y + 1) * w];
            if let Some(first) = row.iter().position(|&v| v != 0) {
                x0 = x0.min(first);
                x1 = x1.max(row.iter().rposition(|&v| v != 0).unwrap_or(first) + 1);
            }
        }
        Rect::from_corners(x0 as u32, top as u32, x1 as u32, bottom as u32 + 1)
    }

    /// Marks the rectangle `[x0, x1) x [y0, y1)`, clipped to the mask.
    pub fn fill_rect(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, on: bool) {
        self.fill_area(Rect::from_corners(x0, y0, x1, y1), on);
    }

    /// Checks the mask fits an image of `width` x `height` and marks some, not all, of it.
    pub fn check_for(&self, width: u32, height: u32) -> Result<(), MaskError> {
        self.check_size(width, height)?;
        match self.count() {
            0 => Err(MaskError::Empty),
            n if n == self.data.len() => Err(MaskError::Full),
            _ => Ok(()),
        }
    }

    /// Checks the mask is at the size of a `width` x `height` image.
    pub fn check_size(&self, width: u32, height: u32) -> Result<(), MaskError> {
        if (self.width, self.height) != (width, height) {
            return Err(MaskError::SizeMismatch {
                got_w: self.width,
                got_h: self.height,
                want_w: width,
                want_h: height,
            });
        }
        Ok(())
    }
}

impl std::fmt::Debug for Mask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mask({}x{}, {} set)", self.width, self.height, self.count())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A mask from rows of text: `#` marks, anything else keeps.
    pub(crate) fn parse(rows: &[&str]) -> Mask {
        let h = rows.len() as u32;
        let w = rows.first().map_or(0, |r| r.len()) as u32;
        let mut m = Mask::new(w, h);
        for (y, row) in rows.iter().enumerate() {
            for (x, c) in row.bytes().enumerate() {
                m.set(x as u32, y as u32, c == b'#');
            }
        }
        m
    }

    /// The mask as rows of text (`#` marked, `.` kept), for readable failures.
    pub(crate) fn show(m: &Mask) -> Vec<String> {
        (0..m.height()).map(|y| (0..m.width()).map(|x| if m.get(x, y) { '#' } else { '.' }).collect()).collect()
    }

    fn sample() -> Mask {
        let mut m = Mask::new(8, 6);
        m.fill_rect(2, 1, 5, 4, true);
        m.set(7, 5, true);
        m
    }

    #[test]
    fn raw_parts_are_validated_and_normalised() {
        let e = Mask::from_raw(4, 3, vec![0; 11]).unwrap_err();
        assert_eq!(e, MaskError::DataSize { width: 4, height: 3, len: 11 });
        assert_eq!(e.to_string(), "a 4x3 mask needs one byte a pixel, not 11 bytes");
        let m = Mask::from_raw(2, 2, vec![0, 1, 200, 0]).unwrap();
        assert_eq!(m.as_raw(), &[0, 255, 255, 0]);
        assert!(Mask::from_raw(u32::MAX, 2, Vec::new()).is_err());
    }

    #[test]
    fn a_stored_mask_is_validated_when_read_back() {
        let m = sample();
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"width\":8") && json.contains("\"data\":"), "{json}");
        assert_eq!(serde_json::from_str::<Mask>(&json).unwrap(), m);
        // 8x6 claimed over 4 bytes of data: refused, not trusted
        let bad = r#"{"width":8,"height":6,"data":"AAAAAA=="}"#;
        let e = serde_json::from_str::<Mask>(bad).unwrap_err();
        assert!(e.to_string().contains("not 4 bytes"), "{e}");
    }

    #[test]
    fn rects_union_intersect_and_expand() {
        let a = Rect::new(1, 1, 3, 2);
        let b = Rect::new(3, 0, 4, 1);
        assert_eq!(a.union(b), Rect::from_corners(1, 0, 7, 3));
        assert_eq!(a.union(Rect::EMPTY), a);
        assert_eq!(a.intersect(b), Rect::EMPTY);
        assert_eq!(a.intersect(Rect::new(2, 2, 9, 9)), Rect::new(2, 2, 2, 1));
        assert_eq!(a.expand(2, 5, 100), Rect::from_corners(0, 0, 5, 5));
        assert!(a.contains(3, 2) && !a.contains(4, 2));
    }

    #[test]
    fn bounds_and_copying_a_rect_out() {
        let m = sample();
        assert_eq!(m.bounds(), Rect::from_corners(2, 1, 8, 6));
        assert_eq!(Mask::new(5, 5).bounds(), Rect::EMPTY);
        let mut out = vec![9; 3];
        m.copy_rect(Rect::new(4, 3, 10, 10), &mut out);
        assert_eq!(out, [255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn size_and_emptiness_are_checked() {
        let m = sample();
        assert!(matches!(m.check_for(9, 6), Err(MaskError::SizeMismatch { .. })));
        assert_eq!(Mask::new(4, 4).check_for(4, 4), Err(MaskError::Empty));
        let mut full = Mask::new(3, 3);
        full.fill_all();
        assert_eq!(full.check_for(3, 3), Err(MaskError::Full));
        assert!(m.check_for(8, 6).is_ok());
    }
}
