//! Where the image sits on a Vtrix "Canvas edit" canvas (no egui types: plain numbers).
//!
//! Rules, all in canvas pixels:
//! - The canvas follows an [`Aspect`] preset: the smallest canvas of that ratio that holds the
//!   image at its own size ([`canvas_size`]). No side is above [`MAX_SIDE`]; when the cap
//!   bites, the image is shrunk to fit on it.
//! - The image keeps its own aspect ratio at every size ([`Placement::scale_to`]); its sides
//!   stay between [`MIN_SIDE`] (the shorter one) and [`MAX_SIDE`] (the longer one).
//! - The image may hang over the canvas edge (a reposition crops it) but at least a quarter of
//!   its width and a quarter of its height stay on the canvas ([`Placement::clamp`]), so a
//!   drag can never lose it.
//! - A move follows the pointer from where the drag began (no drift from rounding); a corner
//!   handle resizes around the opposite corner, which stays put.
//!
//! The screen mapping is [`View`] (exact both ways, the canvas fitted into the panel).

use crate::job::Canvas;
use crate::mask::View;

/// The longest side a canvas or the placed image may have.
pub const MAX_SIDE: u32 = 4096;
/// The shortest side the placed image may be shrunk to.
pub const MIN_SIDE: u32 = 16;
/// Half the side of a corner handle's grab square, in screen points.
pub const HANDLE_REACH: f64 = 8.0;

/// A canvas shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aspect {
    /// The image's own shape (and size): reposition or shrink it in place.
    Image,
    /// Width : height.
    Ratio(u32, u32),
}

impl Aspect {
    pub const PRESETS: [Aspect; 8] = [
        Aspect::Image,
        Aspect::Ratio(1, 1),
        Aspect::Ratio(4, 3),
        Aspect::Ratio(3, 4),
        Aspect::Ratio(16, 9),
        Aspect::Ratio(9, 16),
        Aspect::Ratio(2, 1),
        Aspect::Ratio(1, 2),
    ];

    /// The preset's button text (and accessible name).
    pub fn label(self) -> String {
        match self {
            Aspect::Image => "Image's own".to_owned(),
            Aspect::Ratio(w, h) => format!("{w}:{h}"),
        }
    }
}

/// The canvas for `image` (w, h) in `aspect`: the smallest of that ratio holding the image at
/// scale 1, then shrunk (keeping the ratio) until no side is above [`MAX_SIDE`].
pub fn canvas_size(image: (u32, u32), aspect: Aspect) -> (u32, u32) {
    let (iw, ih) = (u64::from(image.0.max(1)), u64::from(image.1.max(1)));
    let (w, h) = match aspect {
        Aspect::Image => (iw, ih),
        Aspect::Ratio(a, b) => {
            let (a, b) = (u64::from(a.max(1)), u64::from(b.max(1)));
            if iw * b >= ih * a { (iw, (iw * b).div_ceil(a)) } else { ((ih * a).div_ceil(b), ih) }
        }
    };
    let long = w.max(h);
    if long <= u64::from(MAX_SIDE) {
        return (w as u32, h as u32);
    }
    let max = u64::from(MAX_SIDE);
    let shrink = |v: u64| ((v * max + long / 2) / long).clamp(1, max) as u32;
    (shrink(w), shrink(h))
}

/// The image's rectangle on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRect {
    pub x: i64,
    pub y: i64,
    pub w: u32,
    pub h: u32,
}

impl ImageRect {
    fn corner(&self, c: Corner) -> (i64, i64) {
        let (r, b) = (self.x + i64::from(self.w), self.y + i64::from(self.h));
        match c {
            Corner::TopLeft => (self.x, self.y),
            Corner::TopRight => (r, self.y),
            Corner::BottomLeft => (self.x, b),
            Corner::BottomRight => (r, b),
        }
    }
}

/// A resize handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

impl Corner {
    pub const ALL: [Corner; 4] = [Corner::TopLeft, Corner::TopRight, Corner::BottomLeft, Corner::BottomRight];

    fn opposite(self) -> Corner {
        match self {
            Corner::TopLeft => Corner::BottomRight,
            Corner::TopRight => Corner::BottomLeft,
            Corner::BottomLeft => Corner::TopRight,
            Corner::BottomRight => Corner::TopLeft,
        }
    }
}

/// The canvas, the image's own size, and where (and how large) it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    image: (u32, u32),
    aspect: Aspect,
    canvas: (u32, u32),
    rect: ImageRect,
}

impl Placement {
    /// The image on a canvas of its own shape and size, covering it: nothing would change.
    pub fn new(image: (u32, u32)) -> Self {
        let image = (image.0.max(1), image.1.max(1));
        let mut p =
            Placement { image, aspect: Aspect::Image, canvas: image, rect: ImageRect { x: 0, y: 0, w: 0, h: 0 } };
        p.set_aspect(Aspect::Image);
        p
    }

    pub fn image(&self) -> (u32, u32) {
        self.image
    }

    pub fn aspect(&self) -> Aspect {
        self.aspect
    }

    pub fn canvas(&self) -> (u32, u32) {
        self.canvas
    }

    pub fn rect(&self) -> ImageRect {
        self.rect
    }

    /// A new canvas shape: the canvas is sized for it ([`canvas_size`]) and the image is
    /// shown at its own size, centred (shrunk to fit when the canvas had to be capped).
    pub fn set_aspect(&mut self, aspect: Aspect) {
        self.aspect = aspect;
        self.canvas = canvas_size(self.image, aspect);
        if self.image.0 <= self.canvas.0 && self.image.1 <= self.canvas.1 {
            self.actual_size();
        } else {
            self.fit();
        }
    }

    /// The image at its own size, centred.
    pub fn actual_size(&mut self) {
        self.set_size(self.image.0, self.image.1);
        self.centre();
    }

    /// The image as large as fits wholly on the canvas, centred.
    pub fn fit(&mut self) {
        let ((iw, ih), (cw, ch)) = (self.image, self.canvas);
        let (iw, ih, cw64, ch64) = (u64::from(iw), u64::from(ih), u64::from(cw), u64::from(ch));
        let (w, h) = if iw * ch64 >= ih * cw64 {
            (cw, ((ih * cw64) / iw).clamp(1, ch64) as u32)
        } else {
            (((iw * ch64) / ih).clamp(1, cw64) as u32, ch)
        };
        self.set_size(w, h);
        self.centre();
    }

    /// The image centred on the canvas (rounded toward the top left).
    pub fn centre(&mut self) {
        let (cw, ch) = (i64::from(self.canvas.0), i64::from(self.canvas.1));
        self.rect.x = (cw - i64::from(self.rect.w)).div_euclid(2);
        self.rect.y = (ch - i64::from(self.rect.h)).div_euclid(2);
        self.clamp();
    }

    /// The image `scale` times its own size (its sides rounded, kept in bounds), its top left
    /// corner where it was.
    pub fn scale_to(&mut self, scale: f64) {
        let (w, h) = self.size_at(scale);
        self.set_size(w, h);
        self.clamp();
    }

    /// The image `scale` times its own size around its centre (a size slider), then the
    /// overlap rule.
    pub fn scale_about_centre(&mut self, scale: f64) {
        let r = self.rect;
        let (cx2, cy2) = (2 * r.x + i64::from(r.w), 2 * r.y + i64::from(r.h));
        let (w, h) = self.size_at(scale);
        self.set_size(w, h);
        self.move_to((cx2 - i64::from(w)).div_euclid(2), (cy2 - i64::from(h)).div_euclid(2));
    }

    /// The image's width as a share of its own, in percent.
    pub fn percent(&self) -> f64 {
        f64::from(self.rect.w) * 100.0 / f64::from(self.image.0)
    }

    /// The smallest and largest [`Self::percent`] the size bounds allow.
    pub fn percent_range(&self) -> (f64, f64) {
        let small = f64::from(self.size_at(0.0).0) * 100.0 / f64::from(self.image.0);
        let large = f64::from(self.size_at(f64::MAX).0) * 100.0 / f64::from(self.image.0);
        (small, large)
    }

    /// The sides at `scale` times the image's own, the ratio kept: the scale is first held to
    /// what keeps the shorter side at least [`MIN_SIDE`] and the longer at most [`MAX_SIDE`].
    pub fn size_at(&self, scale: f64) -> (u32, u32) {
        let (iw, ih) = (f64::from(self.image.0), f64::from(self.image.1));
        let lo = f64::from(MIN_SIDE) / iw.min(ih);
        let hi = f64::from(MAX_SIDE) / iw.max(ih);
        let s = if scale.is_finite() { scale } else { 1.0 }.clamp(lo.min(hi), hi);
        let side = |v: f64| ((v * s).round() as u32).clamp(1, MAX_SIDE);
        (side(iw), side(ih))
    }

    fn set_size(&mut self, w: u32, h: u32) {
        self.rect.w = w.clamp(1, MAX_SIDE);
        self.rect.h = h.clamp(1, MAX_SIDE);
    }

    /// Moves the image by whole pixels, then applies the overlap rule.
    pub fn move_to(&mut self, x: i64, y: i64) {
        self.rect.x = x;
        self.rect.y = y;
        self.clamp();
    }

    /// At least a quarter of the image's width and height (at least one pixel) stays on the
    /// canvas.
    pub fn clamp(&mut self) {
        let keep = |side: u32| i64::from(side.div_ceil(4).max(1));
        let (cw, ch) = (i64::from(self.canvas.0), i64::from(self.canvas.1));
        let (w, h) = (i64::from(self.rect.w), i64::from(self.rect.h));
        let (kw, kh) = (keep(self.rect.w).min(cw), keep(self.rect.h).min(ch));
        self.rect.x = self.rect.x.clamp(kw - w, cw - kw);
        self.rect.y = self.rect.y.clamp(kh - h, ch - kh);
    }

    /// Resizes with `corner` dragged to canvas point `to`: the opposite corner stays put and
    /// the size is the larger of the two scales the pointer asks for (width-wise and
    /// height-wise), so the corner follows the pointer along the side it is further out on.
    pub fn drag_corner(&mut self, start: ImageRect, corner: Corner, to: (f64, f64)) {
        let (ax, ay) = start.corner(corner.opposite());
        let (dx, dy) = ((to.0 - ax as f64).abs(), (to.1 - ay as f64).abs());
        let scale = (dx / f64::from(self.image.0)).max(dy / f64::from(self.image.1));
        let (w, h) = self.size_at(scale);
        let (w64, h64) = (i64::from(w), i64::from(h));
        let x = match corner {
            Corner::TopLeft | Corner::BottomLeft => ax - w64,
            Corner::TopRight | Corner::BottomRight => ax,
        };
        let y = match corner {
            Corner::TopLeft | Corner::TopRight => ay - h64,
            Corner::BottomLeft | Corner::BottomRight => ay,
        };
        self.rect = ImageRect { x, y, w, h };
        self.clamp();
    }

    /// Whether the edit would leave the image as it is: the canvas is the image's own size and
    /// the image covers it exactly.
    pub fn unchanged(&self) -> bool {
        self.canvas == self.image && self.rect == ImageRect { x: 0, y: 0, w: self.image.0, h: self.image.1 }
    }

    /// The placement an earlier canvas edit of an `image`-sized image was sent with (to edit
    /// it again): its canvas (sides held to 1..=[`MAX_SIDE`]) and its rectangle, under the
    /// same size and overlap rules. The shape is the preset that gives this canvas, else the
    /// canvas's own ratio.
    pub fn from_canvas(image: (u32, u32), sent: &Canvas) -> Self {
        let mut p = Placement::new(image);
        let side = |v: u32| v.clamp(1, MAX_SIDE);
        let canvas = (side(sent.width), side(sent.height));
        p.aspect = Aspect::PRESETS.into_iter().find(|&a| canvas_size(p.image, a) == canvas).unwrap_or_else(|| {
            let g = gcd(canvas.0, canvas.1);
            Aspect::Ratio(canvas.0 / g, canvas.1 / g)
        });
        p.canvas = canvas;
        p.set_size(sent.img_width, sent.img_height);
        p.move_to(i64::from(sent.x), i64::from(sent.y));
        p
    }

    /// What Vtrix is sent.
    pub fn to_canvas(&self) -> Canvas {
        let pos = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        Canvas {
            width: self.canvas.0,
            height: self.canvas.1,
            img_width: self.rect.w,
            img_height: self.rect.h,
            x: pos(self.rect.x),
            y: pos(self.rect.y),
        }
    }

    /// The canvas fitted (whole, centred) into a viewport on screen.
    pub fn view(&self, viewport_origin: (f64, f64), viewport: (f64, f64)) -> View {
        View::fit(self.canvas, viewport_origin, viewport)
    }

    /// The image's rectangle on screen: min and max corners.
    pub fn screen_rect(&self, view: &View) -> ((f64, f64), (f64, f64)) {
        let r = self.rect;
        let min = view.to_screen((r.x as f64, r.y as f64));
        let max = view.to_screen(((r.x + i64::from(r.w)) as f64, (r.y + i64::from(r.h)) as f64));
        (min, max)
    }

    /// The corner handles' centres on screen.
    pub fn handles(&self, view: &View) -> [(Corner, (f64, f64)); 4] {
        Corner::ALL.map(|c| {
            let (x, y) = self.rect.corner(c);
            (c, view.to_screen((x as f64, y as f64)))
        })
    }

    /// What a press at `screen` grabs: a corner handle (within [`HANDLE_REACH`] points of it),
    /// else the image itself when the point is on it. On an image drawn too small for its
    /// handles (a side under four reaches), a press on the image moves it and the handles
    /// are grabbed from outside it.
    pub fn hit(&self, view: &View, screen: (f64, f64)) -> Option<Grab> {
        let ((x0, y0), (x1, y1)) = self.screen_rect(view);
        let on = screen.0 >= x0 && screen.0 < x1 && screen.1 >= y0 && screen.1 < y1;
        let small = x1 - x0 < 4.0 * HANDLE_REACH || y1 - y0 < 4.0 * HANDLE_REACH;
        let near = |(x, y): (f64, f64)| (screen.0 - x).abs() <= HANDLE_REACH && (screen.1 - y).abs() <= HANDLE_REACH;
        if !(small && on)
            && let Some((c, _)) = self.handles(view).into_iter().find(|(_, p)| near(*p))
        {
            return Some(Grab::Corner(c));
        }
        on.then_some(Grab::Move)
    }

    /// Starts a drag at `screen`, if it grabs anything.
    pub fn begin_drag(&self, view: &View, screen: (f64, f64)) -> Option<Drag> {
        let grab = self.hit(view, screen)?;
        Some(Drag { grab, start: self.rect, from: view.to_image(screen) })
    }

    /// The pointer of `drag` is now at `screen`: the image follows it.
    pub fn drag_to(&mut self, drag: &Drag, view: &View, screen: (f64, f64)) {
        let to = view.to_image(screen);
        match drag.grab {
            Grab::Move => {
                let (dx, dy) = ((to.0 - drag.from.0).round() as i64, (to.1 - drag.from.1).round() as i64);
                self.rect.w = drag.start.w;
                self.rect.h = drag.start.h;
                self.move_to(drag.start.x + dx, drag.start.y + dy);
            }
            Grab::Corner(c) => self.drag_corner(drag.start, c, to),
        }
    }
}

/// What a drag holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grab {
    Move,
    Corner(Corner),
}

/// A drag in progress: what it grabbed, the image's rectangle and the canvas point where it
/// began.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drag {
    pub grab: Grab,
    pub start: ImageRect,
    pub from: (f64, f64),
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests;
