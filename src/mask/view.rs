//! The mapping between the canvas on screen and the image's pixels (no egui types: plain
//! `(x, y)` pairs in screen points and in image pixels).
//!
//! `screen = origin + image * zoom`, computed in `f64` both ways, so a point taken to the
//! screen and back lands where it started and a screen point inside a pixel's square maps to
//! that pixel at every zoom.

/// Where the image sits on screen and how large it is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Screen points per image pixel.
    pub zoom: f64,
    /// The screen position of the image's top-left corner.
    pub origin: (f64, f64),
}

/// The zoom range the canvas allows (1/32 to 64 screen points a pixel).
pub const MIN_ZOOM: f64 = 1.0 / 32.0;
pub const MAX_ZOOM: f64 = 64.0;

impl Default for View {
    fn default() -> Self {
        View { zoom: 1.0, origin: (0.0, 0.0) }
    }
}

impl View {
    pub fn new(zoom: f64, origin: (f64, f64)) -> Self {
        View { zoom: zoom.clamp(MIN_ZOOM, MAX_ZOOM), origin }
    }

    /// The image fitted (whole, centred) into a viewport at `viewport_origin` of `viewport`
    /// size.
    pub fn fit(image: (u32, u32), viewport_origin: (f64, f64), viewport: (f64, f64)) -> Self {
        let (iw, ih) = (f64::from(image.0.max(1)), f64::from(image.1.max(1)));
        let zoom = (viewport.0 / iw).min(viewport.1 / ih).clamp(MIN_ZOOM, MAX_ZOOM);
        let origin =
            (viewport_origin.0 + (viewport.0 - iw * zoom) / 2.0, viewport_origin.1 + (viewport.1 - ih * zoom) / 2.0);
        View { zoom, origin }
    }

    /// 100%: one screen point a pixel, the image's point at `anchor` (screen) kept in place.
    pub fn actual_size(&self, anchor: (f64, f64)) -> Self {
        let mut v = *self;
        v.zoom_around(anchor, 1.0 / self.zoom);
        v
    }

    /// Image pixel coordinates (continuous) of a screen point.
    pub fn to_image(&self, screen: (f64, f64)) -> (f64, f64) {
        ((screen.0 - self.origin.0) / self.zoom, (screen.1 - self.origin.1) / self.zoom)
    }

    /// [`View::to_image`] in the brush's `f32`.
    pub fn to_image_f32(&self, screen: (f32, f32)) -> (f32, f32) {
        let (x, y) = self.to_image((f64::from(screen.0), f64::from(screen.1)));
        (x as f32, y as f32)
    }

    /// The screen position of an image point.
    pub fn to_screen(&self, image: (f64, f64)) -> (f64, f64) {
        (self.origin.0 + image.0 * self.zoom, self.origin.1 + image.1 * self.zoom)
    }

    /// The pixel under a screen point, if it is on a `width` x `height` image.
    pub fn pixel_at(&self, screen: (f64, f64), width: u32, height: u32) -> Option<(u32, u32)> {
        let (x, y) = self.to_image(screen);
        let (px, py) = (x.floor(), y.floor());
        (px >= 0.0 && py >= 0.0 && px < f64::from(width) && py < f64::from(height)).then_some((px as u32, py as u32))
    }

    /// Multiplies the zoom by `factor` (clamped to the allowed range) keeping the image point
    /// under `anchor` (the cursor) under it.
    pub fn zoom_around(&mut self, anchor: (f64, f64), factor: f64) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let at = self.to_image(anchor);
        self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        self.origin = (anchor.0 - at.0 * self.zoom, anchor.1 - at.1 * self.zoom);
    }

    /// Moves the image by a screen delta (a pan).
    pub fn pan(&mut self, delta: (f64, f64)) {
        self.origin = (self.origin.0 + delta.0, self.origin.1 + delta.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::Mask;
    use crate::mask::brush::Segment;

    #[test]
    fn screen_points_map_to_their_pixel_at_every_zoom() {
        for zoom in [MIN_ZOOM, 0.1, 0.37, 1.0, 1.5, 3.0, 7.25, 32.0, MAX_ZOOM] {
            let v = View::new(zoom, (13.25, -40.5));
            for (px, py) in [(0u32, 0u32), (5, 9), (99, 63)] {
                let (sx, sy) = v.to_screen((f64::from(px), f64::from(py)));
                // the square of the pixel on screen, from just inside one corner to just inside
                // the opposite one
                for (fx, fy) in [(0.001, 0.001), (0.5, 0.5), (0.999, 0.001), (0.999, 0.999)] {
                    let inner = (sx + zoom * fx, sy + zoom * fy);
                    assert_eq!(v.pixel_at(inner, 100, 64), Some((px, py)), "zoom {zoom} at {fx},{fy}");
                }
                let back = v.to_image(v.to_screen((f64::from(px) + 0.3, f64::from(py) + 0.7)));
                assert!((back.0 - (f64::from(px) + 0.3)).abs() < 1e-9 && (back.1 - (f64::from(py) + 0.7)).abs() < 1e-9);
            }
            assert_eq!(v.pixel_at(v.to_screen((100.0, 3.0)), 100, 64), None);
            assert_eq!(v.pixel_at(v.to_screen((-0.01, 3.0)), 100, 64), None);
        }
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor_and_fit_centres() {
        let mut v = View::new(1.0, (0.0, 0.0));
        let cursor = (321.0, 123.0);
        let before = v.to_image(cursor);
        for f in [1.25, 1.25, 0.5, 3.0, 1e9, 1e-9] {
            v.zoom_around(cursor, f);
            let after = v.to_image(cursor);
            assert!((after.0 - before.0).abs() < 1e-6 && (after.1 - before.1).abs() < 1e-6, "{f}");
        }
        assert_eq!(v.zoom, MIN_ZOOM);
        let fit = View::fit((2000, 1000), (10.0, 20.0), (500.0, 500.0));
        assert_eq!(fit.zoom, 0.25);
        assert_eq!(fit.origin, (10.0, 20.0 + 125.0));
        assert_eq!(fit.actual_size((0.0, 0.0)).zoom, 1.0);
    }

    #[test]
    fn a_stroke_at_a_zoom_and_offset_paints_the_pixels_under_it() {
        let v = View::new(2.5, (13.0, -7.0));
        // a drag on screen from (40, 20) to (140, 70), a 6-point brush on screen
        let (a, b) = ((40.0f32, 20.0f32), (140.0f32, 70.0f32));
        let radius_px = 6.0 / v.zoom as f32;
        let mut m = Mask::new(64, 48);
        m.stamp_segment(&Segment { from: v.to_image_f32(a), to: v.to_image_f32(b), radius: radius_px }, true);
        // image (10.8, 10.8) .. (50.8, 30.8): pixel (30, 20) centre is on the line, far ends are not
        let (ia, ib) = (v.to_image_f32(a), v.to_image_f32(b));
        assert!((ia.0 - 10.8).abs() < 1e-4 && (ib.1 - 30.8).abs() < 1e-4);
        for y in 0..48 {
            for x in 0..64 {
                let c = (x as f64 + 0.5, y as f64 + 0.5);
                // distance from the pixel centre to the segment, in image pixels
                let (ax, ay, bx, by) = (10.8, 10.8, 50.8, 30.8);
                let (dx, dy) = (bx - ax, by - ay);
                let t = (((c.0 - ax) * dx + (c.1 - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                let d = ((c.0 - ax - t * dx).powi(2) + (c.1 - ay - t * dy).powi(2)).sqrt();
                if (d - 2.4).abs() > 1e-3 {
                    assert_eq!(m.get(x, y), d < 2.4, "pixel {x},{y} at distance {d}");
                }
            }
        }
        assert!(m.get(30, 20) && !m.get(5, 5));
    }
}
