use std::sync::Arc;

use egui::{Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use image::RgbaImage;

use super::*;

fn editor() -> MaskCanvas {
    let image = RgbaImage::from_fn(200, 100, |x, y| image::Rgba([(x % 256) as u8, (y * 2) as u8, 160, 255]));
    let mut c = MaskCanvas::new(Arc::new(image), None).unwrap();
    c.radius = 6.0;
    c
}

fn harness<'a>() -> Harness<'a, MaskCanvas> {
    Harness::builder().with_size(Vec2::new(900.0, 600.0)).build_ui_state(|ui, c: &mut MaskCanvas| c.ui(ui), editor())
}

fn screen(h: &Harness<'_, MaskCanvas>, x: f64, y: f64) -> Pos2 {
    let v = h.state().view().expect("the canvas was shown");
    let (sx, sy) = v.to_screen((x, y));
    Pos2::new(sx as f32, sy as f32)
}

/// A drag from image point `a` to `b` in small steps, one frame each.
fn drag(h: &mut Harness<'_, MaskCanvas>, a: (f64, f64), b: (f64, f64)) {
    let start = screen(h, a.0, a.1);
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for i in 1..=12 {
        let t = f64::from(i) / 12.0;
        h.hover_at(screen(h, a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t));
        h.step();
    }
    h.drop_at(screen(h, b.0, b.1));
    h.run();
}

#[test]
fn dragging_paints_only_changed_rects_are_uploaded_and_ctrl_z_undoes() {
    let mut h = harness();
    h.run();
    let canvas = h.get_by_label("Mask canvas").rect();
    assert!(canvas.width() > 400.0, "{canvas:?}");
    for tool in ["Brush", "Eraser", "Rectangle", "Lasso", "Magic wand", "Undo", "Redo", "Invert", "Clear"] {
        h.get_by_label(tool);
    }
    drag(&mut h, (20.0, 50.0), (180.0, 50.0));
    let mask = h.state().mask().clone();
    assert!(mask.get(100, 50) && mask.get(25, 50) && mask.get(175, 52), "painted along the drag");
    assert!(!mask.get(100, 40) && !mask.get(5, 50) && !mask.get(195, 50), "and nowhere else");
    assert_eq!(h.state().doc().history().undo_len(), 1, "one drag, one undo step");
    let (uploads, last) = h.state().uploads();
    assert!(uploads >= 2, "the stroke went up in pieces: {uploads}");
    assert!(last.area() < 200 * 100 / 4, "only the changed rectangle is uploaded: {last:?}");
    // the export the gateway would receive has the paint where the drag went
    let sent = Mask::from_png(&mask.to_bw_png()).unwrap();
    assert!(sent.get(100, 50) && !sent.get(100, 10));

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert!(h.state().mask().is_empty(), "Ctrl+Z undid the stroke");
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(h.state().mask(), &mask, "Ctrl+Shift+Z redid it");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    assert_eq!(h.state().mask(), &mask, "Ctrl+Y redoes too");
}

#[test]
fn rectangle_tool_invert_and_brush_size_keys() {
    let mut h = harness();
    h.run();
    h.get_by_label("Rectangle").click();
    h.run();
    drag(&mut h, (10.0, 10.0), (30.0, 20.0));
    assert_eq!(h.state().mask().count(), 20 * 10);
    assert_eq!(h.state().mask().bounds(), MaskRect::new(10, 10, 20, 10));
    h.get_by_label("Invert").click();
    h.run();
    assert_eq!(h.state().mask().count(), 200 * 100 - 200);
    h.get_by_label("Clear").click();
    h.run();
    assert!(h.state().mask().is_empty());
    h.get_by_label("Undo").click();
    h.run();
    assert_eq!(h.state().mask().count(), 200 * 100 - 200);

    let before = h.state().radius;
    h.hover_at(screen(&h, 100.0, 50.0));
    h.key_press(Key::CloseBracket);
    h.run();
    assert!(h.state().radius > before);
    h.key_press(Key::OpenBracket);
    h.key_press(Key::OpenBracket);
    h.run();
    assert!(h.state().radius < before);
}

#[test]
fn the_wheel_zooms_around_the_cursor() {
    let mut h = harness();
    h.run();
    let p = screen(&h, 50.0, 25.0);
    h.hover_at(p);
    h.step();
    let zoom = h.state().view().unwrap().zoom;
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: Vec2::new(0.0, 120.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    });
    h.run();
    let v = h.state().view().unwrap();
    assert!(v.zoom > zoom, "{} > {zoom}", v.zoom);
    let (x, y) = v.to_image((f64::from(p.x), f64::from(p.y)));
    assert!((x - 50.0).abs() < 1e-3 && (y - 25.0).abs() < 1e-3, "{x},{y}");
}

#[test]
fn as_sent_shows_black_white_or_the_image_with_a_checkerboard_where_transparent() {
    let tint = Color32::from_rgba_unmultiplied(255, 0, 0, 128);
    let bw = vec![Layer::Fill(Color32::BLACK), Layer::Mask(Color32::WHITE)];
    assert_eq!(layers(Display::AsSent, SentAs::BlackWhite, tint, false), bw);
    assert_eq!(layers(Display::MaskOnly, SentAs::TransparentImage, tint, false), bw, "mask only is always B/W");
    assert_eq!(
        layers(Display::AsSent, SentAs::TransparentImage, tint, false),
        vec![Layer::Image, Layer::Mask(CHECKER_LIGHT), Layer::MaskChecker(CHECKER_DARK)]
    );
    assert_eq!(layers(Display::Overlay, SentAs::TransparentImage, tint, false), vec![Layer::Image, Layer::Mask(tint)]);
    assert_eq!(layers(Display::Overlay, SentAs::BlackWhite, tint, true), vec![Layer::Image], "H hides the overlay");
}

#[test]
fn checker_squares_alternate_from_the_origin_and_are_clipped() {
    let visible = egui::Rect::from_min_max(Pos2::new(0.0, 0.0), Pos2::new(35.0, 20.0));
    let squares = checker_squares(Pos2::ZERO, visible, 10.0);
    // rows of 4 columns (the last cut to 5 wide); dark where row + column is odd
    let mins: Vec<(f32, f32)> = squares.iter().map(|r| (r.min.x, r.min.y)).collect();
    assert_eq!(mins, vec![(10.0, 0.0), (30.0, 0.0), (0.0, 10.0), (20.0, 10.0)]);
    assert_eq!(squares[1].width(), 5.0, "clipped to what is visible");
    // the pattern stays anchored at the image's corner when only part of it is visible
    let part =
        checker_squares(Pos2::new(-100.0, -100.0), egui::Rect::from_min_size(Pos2::ZERO, Vec2::splat(10.0)), 10.0);
    assert_eq!(part, vec![], "(10, 10) from the corner is a light square");
    let part =
        checker_squares(Pos2::new(-90.0, -100.0), egui::Rect::from_min_size(Pos2::ZERO, Vec2::splat(10.0)), 10.0);
    assert_eq!(part.len(), 1);
    assert!(checker_squares(Pos2::ZERO, egui::Rect::NOTHING, 10.0).is_empty());
}

/// The meshes of the last frame drawn with the mask texture and more than one quad.
fn checker_meshes(h: &Harness<'_, MaskCanvas>) -> usize {
    let mask = h.state().textures.mask.as_ref().expect("the mask texture is up").id();
    h.output()
        .shapes
        .iter()
        .filter(|s| matches!(&s.shape, egui::Shape::Mesh(m) if m.texture_id == mask && m.vertices.len() > 4))
        .count()
}

#[test]
fn the_as_sent_view_draws_the_checkerboard_only_for_a_transparent_image_flow() {
    let mut h = harness();
    h.run();
    h.get_by_label("As sent").click();
    h.run();
    assert_eq!(h.state().display, Display::AsSent);
    assert_eq!(checker_meshes(&h), 0, "black/white by default");
    h.state_mut().sent_as = SentAs::TransparentImage;
    h.run();
    assert_eq!(checker_meshes(&h), 1);
    h.get_by_label("Overlay").click();
    h.run();
    assert_eq!(checker_meshes(&h), 0);
}
