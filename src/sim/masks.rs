//! Masks as each flow sends them (black/white PNGs, transparent pixels, polygons), read into
//! the shared [`Mask`] model, and applied exactly: pixels outside come back byte for byte.

use image::RgbaImage;
use serde_json::Value;

use crate::mask::Mask;

/// Black/white mask: white (light and opaque) marks the pixels to regenerate.
pub(super) fn from_bw(img: &RgbaImage) -> Mask {
    let mut mask = Mask::new(img.width(), img.height());
    for (x, y, p) in img.enumerate_pixels() {
        let [r, g, b, a] = p.0;
        let luma = (u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000;
        mask.set(x, y, luma >= 128 && a >= 128);
    }
    mask
}

/// TTAPI image-edits: the fully transparent pixels are the ones to change.
pub(super) fn from_alpha(img: &RgbaImage) -> Mask {
    let mut mask = Mask::new(img.width(), img.height());
    for (x, y, p) in img.enumerate_pixels() {
        mask.set(x, y, p.0[3] == 0);
    }
    mask
}

/// Checks a mask is at the size of a `w` x `h` image (cheap: no pixel is read).
pub(super) fn fits(mask: &Mask, w: u32, h: u32) -> Result<(), String> {
    if (mask.width(), mask.height()) != (w, h) {
        return Err(format!(
            "mask is {}x{} but the image is {w}x{h}; the mask must be at the image's size",
            mask.width(),
            mask.height()
        ));
    }
    Ok(())
}

/// Checks a mask marks something to change.
pub(super) fn not_empty(mask: &Mask) -> Result<(), String> {
    if mask.count() == 0 {
        return Err("the mask marks no pixel to change (white = change)".to_owned());
    }
    Ok(())
}

/// Checks a mask fits an image of `w` x `h` and marks something.
pub(super) fn check(mask: &Mask, w: u32, h: u32) -> Result<(), String> {
    fits(mask, w, h)?;
    not_empty(mask)
}

/// Vtrix `mask.areas`: polygons `{width, height, points: [x1, y1, x2, y2, ...]}` whose points
/// are in a `width` x `height` space (the image's own size). A pixel is inside when its centre
/// is (even-odd rule); the areas add up.
pub(super) fn from_areas(areas: &Value, w: u32, h: u32) -> Result<Mask, String> {
    let list = areas.as_array().ok_or("mask.areas must be an array of polygons")?;
    if list.is_empty() {
        return Err("mask.areas is empty".to_owned());
    }
    let mut mask = Mask::new(w, h);
    for (i, area) in list.iter().enumerate() {
        let num = |f: &str| area.get(f).and_then(Value::as_f64).filter(|v| v.is_finite() && *v > 0.0);
        let (aw, ah) = match (num("width"), num("height")) {
            (Some(aw), Some(ah)) => (aw, ah),
            _ => return Err(format!("mask.areas[{i}] needs a positive width and height")),
        };
        let coords: Vec<f64> = area
            .get("points")
            .and_then(Value::as_array)
            .ok_or(format!("mask.areas[{i}].points must be an array of numbers"))?
            .iter()
            .map(|v| v.as_f64().filter(|f| f.is_finite()))
            .collect::<Option<_>>()
            .ok_or(format!("mask.areas[{i}].points must hold only numbers"))?;
        if coords.len() < 6 || !coords.len().is_multiple_of(2) {
            return Err(format!("mask.areas[{i}].points needs at least three x,y pairs"));
        }
        let (sx, sy) = (f64::from(w) / aw, f64::from(h) / ah);
        let poly: Vec<(f64, f64)> = coords.chunks(2).map(|p| (p[0] * sx, p[1] * sy)).collect();
        fill_polygon(&mut mask, &poly);
    }
    Ok(mask)
}

/// Scanline fill by pixel centres, even-odd within a polygon; polygons add up (never cancel).
fn fill_polygon(mask: &mut Mask, poly: &[(f64, f64)]) {
    let (w, h) = (mask.width(), mask.height());
    let mut xs = Vec::new();
    // only the rows the polygon spans
    let top = poly.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let bottom = poly.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let rows =
        (top - 0.5).ceil().clamp(0.0, f64::from(h)) as u32..(bottom - 0.5).ceil().clamp(0.0, f64::from(h)) as u32;
    for y in rows {
        let cy = f64::from(y) + 0.5;
        xs.clear();
        for (i, &(x0, y0)) in poly.iter().enumerate() {
            let (x1, y1) = poly[(i + 1) % poly.len()];
            if (y0 <= cy) != (y1 <= cy) {
                xs.push(x0 + (cy - y0) / (y1 - y0) * (x1 - x0));
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks(2) {
            let [a, b] = pair else { continue };
            // pixel x is inside when a <= x + 0.5 < b
            let first = (a - 0.5).ceil().max(0.0);
            let end = (b - 0.5).ceil().min(f64::from(w));
            let mut x = first;
            while x < end {
                mask.set(x as u32, y, true);
                x += 1.0;
            }
        }
    }
}

/// `base` with the pixels under `mask` taken from `fill`; every other pixel keeps its RGB
/// exactly and comes back opaque. `fill` must be at `base`'s size.
pub(super) fn composite(base: &RgbaImage, mask: &Mask, fill: &RgbaImage) -> RgbaImage {
    let mut out = base.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        if mask.get(x, y) {
            *p = *fill.get_pixel(x, y);
        }
        p.0[3] = 255;
    }
    out
}

/// A mask scaled to `w` x `h` by nearest neighbour (for an image placed at another size).
pub(super) fn scaled(mask: &Mask, w: u32, h: u32) -> Mask {
    if (mask.width(), mask.height()) == (w, h) {
        return mask.clone();
    }
    let mut out = Mask::new(w, h);
    for y in 0..h {
        let sy = ((u64::from(y) * u64::from(mask.height())) / u64::from(h.max(1))) as u32;
        for x in 0..w {
            let sx = ((u64::from(x) * u64::from(mask.width())) / u64::from(w.max(1))) as u32;
            out.set(x, y, mask.get(sx.min(mask.width() - 1), sy.min(mask.height() - 1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn polygons_fill_by_pixel_centres() {
        // a triangle: (0,0) (8,0) (0,8): pixel centres with x + y < 8 are inside
        let m = from_areas(&json!([{"width": 8, "height": 8, "points": [0, 0, 8, 0, 0, 8]}]), 8, 8).unwrap();
        for y in 0..8 {
            for x in 0..8 {
                let inside = (x as f64 + 0.5) + (y as f64 + 0.5) < 8.0;
                assert_eq!(m.get(x, y), inside, "at {x},{y}");
            }
        }
    }

    #[test]
    fn polygons_from_the_shared_export_cover_exactly_the_mask() {
        let mut want = Mask::new(10, 7);
        want.fill_rect(1, 1, 4, 5, true);
        want.fill_rect(6, 2, 9, 3, true);
        want.set(9, 6, true);
        let areas: Vec<Value> = want
            .to_polygons()
            .iter()
            .map(|p| json!({"width": 10, "height": 7, "points": p.iter().flat_map(|&(x, y)| [x, y]).collect::<Vec<_>>()}))
            .collect();
        assert_eq!(from_areas(&Value::Array(areas), 10, 7).unwrap(), want);
    }

    #[test]
    fn areas_in_another_space_are_scaled_and_bad_ones_refused() {
        let m = from_areas(&json!([{"width": 4, "height": 4, "points": [0, 0, 2, 0, 2, 2, 0, 2]}]), 8, 8).unwrap();
        assert_eq!(m.count(), 16);
        assert!(m.get(3, 3) && !m.get(4, 4));
        assert!(from_areas(&json!([{"width": 4, "height": 4, "points": [0, 0, 2, 0]}]), 8, 8).is_err());
        assert!(from_areas(&json!([{"points": [0, 0, 2, 0, 2, 2]}]), 8, 8).is_err());
        assert!(from_areas(&json!([]), 8, 8).is_err());
    }

    #[test]
    fn composite_keeps_rgb_outside_and_makes_it_opaque() {
        let base = RgbaImage::from_fn(4, 4, |x, y| image::Rgba([x as u8, y as u8, 7, if x == 0 { 0 } else { 200 }]));
        let fill = RgbaImage::from_pixel(4, 4, image::Rgba([250, 250, 250, 255]));
        let mut mask = Mask::new(4, 4);
        mask.fill_rect(2, 2, 4, 4, true);
        let out = composite(&base, &mask, &fill);
        for (x, y, p) in out.enumerate_pixels() {
            let want = if mask.get(x, y) { [250, 250, 250, 255] } else { [x as u8, y as u8, 7, 255] };
            assert_eq!(p.0, want);
        }
        assert!(check(&mask, 4, 5).unwrap_err().contains("4x4 but the image is 4x5"));
    }
}
