use super::*;

#[test]
fn each_preset_gives_the_smallest_canvas_of_its_ratio_holding_the_image() {
    let square = (1024, 1024);
    assert_eq!(canvas_size(square, Aspect::Image), (1024, 1024));
    assert_eq!(canvas_size(square, Aspect::Ratio(1, 1)), (1024, 1024));
    assert_eq!(canvas_size(square, Aspect::Ratio(16, 9)), (1821, 1024), "1820.4 rounded up: it holds the image");
    assert_eq!(canvas_size(square, Aspect::Ratio(9, 16)), (1024, 1821));
    assert_eq!(canvas_size(square, Aspect::Ratio(2, 1)), (2048, 1024));
    assert_eq!(canvas_size(square, Aspect::Ratio(1, 2)), (1024, 2048));
    assert_eq!(canvas_size(square, Aspect::Ratio(4, 3)), (1366, 1024));
    assert_eq!(canvas_size(square, Aspect::Ratio(3, 4)), (1024, 1366));
    assert_eq!(canvas_size((1024, 768), Aspect::Ratio(4, 3)), (1024, 768), "already that shape");
    assert_eq!(canvas_size((1000, 600), Aspect::Ratio(1, 1)), (1000, 1000));
    assert_eq!(canvas_size((0, 0), Aspect::Ratio(16, 9)), (2, 1), "never a side of 0");
}

#[test]
fn a_canvas_above_the_cap_is_shrunk_keeping_its_ratio() {
    assert_eq!(canvas_size((4096, 4096), Aspect::Ratio(2, 1)), (4096, 2048));
    assert_eq!(canvas_size((3000, 2000), Aspect::Ratio(9, 16)), (2304, 4096), "5334 tall before the cap");
    for aspect in Aspect::PRESETS {
        let (w, h) = canvas_size((4096, 4000), aspect);
        assert!(w <= MAX_SIDE && h <= MAX_SIDE && w > 0 && h > 0, "{aspect:?}: {w}x{h}");
    }
    // the image no longer fits at its own size: it is fitted, centred
    let mut p = Placement::new((4096, 4096));
    p.set_aspect(Aspect::Ratio(2, 1));
    assert_eq!(p.canvas(), (4096, 2048));
    assert_eq!(p.rect(), ImageRect { x: 1024, y: 0, w: 2048, h: 2048 });
}

#[test]
fn a_new_placement_changes_nothing_and_a_preset_centres_the_image_at_its_own_size() {
    let mut p = Placement::new((1024, 768));
    assert_eq!(p.canvas(), (1024, 768));
    assert_eq!(p.rect(), ImageRect { x: 0, y: 0, w: 1024, h: 768 });
    assert!(p.unchanged());
    p.set_aspect(Aspect::Ratio(16, 9));
    assert_eq!(p.aspect(), Aspect::Ratio(16, 9));
    assert_eq!(p.canvas(), (1366, 768));
    assert_eq!(p.rect(), ImageRect { x: 171, y: 0, w: 1024, h: 768 });
    assert!(!p.unchanged());
    assert_eq!(p.to_canvas(), Canvas { width: 1366, height: 768, img_width: 1024, img_height: 768, x: 171, y: 0 });
    p.set_aspect(Aspect::Image);
    assert!(p.unchanged(), "back to the image's own canvas");
}

#[test]
fn scale_keeps_the_ratio_and_the_bounds_and_centre_and_fit_place_it() {
    let mut p = Placement::new((1000, 600));
    assert_eq!(p.size_at(0.5), (500, 300));
    assert_eq!(p.size_at(0.001), (27, 16), "the shorter side stops at MIN_SIDE");
    assert_eq!(p.size_at(10.0), (4096, 2458), "the longer side stops at MAX_SIDE");
    assert_eq!(p.size_at(f64::NAN), (1000, 600));
    p.scale_to(0.5);
    assert_eq!(p.rect(), ImageRect { x: 0, y: 0, w: 500, h: 300 }, "the top left corner stays");
    assert!(!p.unchanged(), "a smaller image on the same canvas is a change");
    p.centre();
    assert_eq!(p.rect(), ImageRect { x: 250, y: 150, w: 500, h: 300 });
    p.fit();
    assert_eq!(p.rect(), ImageRect { x: 0, y: 0, w: 1000, h: 600 });
    p.set_aspect(Aspect::Ratio(1, 1));
    p.scale_to(0.25);
    p.actual_size();
    assert_eq!(p.rect(), ImageRect { x: 0, y: 200, w: 1000, h: 600 });
    // a tall canvas: fit is limited by the width
    let mut tall = Placement::new((1000, 600));
    tall.set_aspect(Aspect::Ratio(1, 2));
    assert_eq!(tall.canvas(), (1000, 2000));
    tall.scale_to(0.3);
    tall.fit();
    assert_eq!(tall.rect(), ImageRect { x: 0, y: 700, w: 1000, h: 600 });
}

#[test]
fn a_quarter_of_the_image_stays_on_the_canvas_however_far_it_is_moved() {
    let mut p = Placement::new((1000, 600));
    p.scale_to(0.5);
    p.move_to(2000, -1000);
    assert_eq!(p.rect(), ImageRect { x: 875, y: -225, w: 500, h: 300 }, "125 x 75 still on");
    p.move_to(-10, 20);
    assert_eq!(p.rect(), ImageRect { x: -10, y: 20, w: 500, h: 300 }, "hanging over the edge is allowed");
    p.move_to(-5000, 5000);
    assert_eq!(p.rect(), ImageRect { x: -375, y: 525, w: 500, h: 300 });
    assert_eq!(p.to_canvas().x, -375);
}

#[test]
fn a_corner_handle_resizes_around_the_opposite_corner_keeping_the_ratio() {
    let mut p = Placement::new((1000, 600));
    p.set_aspect(Aspect::Ratio(2, 1));
    assert_eq!(p.canvas(), (1200, 600));
    let start = p.rect();
    assert_eq!(start, ImageRect { x: 100, y: 0, w: 1000, h: 600 });
    p.drag_corner(start, Corner::BottomRight, (600.0, 300.0));
    assert_eq!(p.rect(), ImageRect { x: 100, y: 0, w: 500, h: 300 });
    p.drag_corner(start, Corner::TopLeft, (600.0, 450.0));
    assert_eq!(p.rect(), ImageRect { x: 600, y: 300, w: 500, h: 300 }, "the bottom right corner stayed");
    p.drag_corner(start, Corner::TopRight, (1300.0, -100.0));
    assert_eq!(p.rect(), ImageRect { x: 100, y: -120, w: 1200, h: 720 }, "the larger scale (1.2) wins");
    p.drag_corner(start, Corner::BottomLeft, (1100.0, 0.0));
    assert_eq!(p.rect(), ImageRect { x: 1100 - 27, y: 0, w: 27, h: 16 }, "down to the smallest size");
}

#[test]
fn the_screen_mapping_fits_the_canvas_and_finds_handles_and_the_image() {
    let mut p = Placement::new((1000, 600));
    p.set_aspect(Aspect::Ratio(2, 1));
    let view = p.view((10.0, 20.0), (600.0, 400.0));
    assert_eq!(view.zoom, 0.5);
    assert_eq!(view.origin, (10.0, 70.0));
    assert_eq!(p.screen_rect(&view), ((60.0, 70.0), (560.0, 370.0)));
    assert_eq!(p.handles(&view)[3], (Corner::BottomRight, (560.0, 370.0)));
    assert_eq!(p.hit(&view, (62.0, 68.0)), Some(Grab::Corner(Corner::TopLeft)));
    assert_eq!(p.hit(&view, (567.0, 377.0)), Some(Grab::Corner(Corner::BottomRight)));
    assert_eq!(p.hit(&view, (300.0, 200.0)), Some(Grab::Move));
    assert_eq!(p.hit(&view, (30.0, 200.0)), None, "the empty canvas beside the image");
    assert_eq!(p.hit(&view, (569.0, 200.0)), None);

    let drag = p.begin_drag(&view, (300.0, 200.0)).expect("the image is grabbed");
    assert_eq!(drag.from, (580.0, 260.0));
    p.drag_to(&drag, &view, (250.0, 225.0));
    assert_eq!(p.rect(), ImageRect { x: 0, y: 50, w: 1000, h: 600 }, "50 points left and 25 down = 100 and 50 px");
    p.drag_to(&drag, &view, (300.0, 200.0));
    assert_eq!(p.rect(), drag.start, "back where it began: no drift");
    p.drag_to(&drag, &view, (-2000.0, 2000.0));
    assert_eq!(p.rect(), ImageRect { x: -750, y: 450, w: 1000, h: 600 });

    let mut p = Placement::new((1000, 600));
    p.set_aspect(Aspect::Ratio(2, 1));
    let corner = p.begin_drag(&view, (560.0, 370.0)).unwrap();
    assert_eq!(corner.grab, Grab::Corner(Corner::BottomRight));
    p.drag_to(&corner, &view, (310.0, 220.0));
    assert_eq!(p.rect(), ImageRect { x: 100, y: 0, w: 500, h: 300 });
    assert!(p.begin_drag(&view, (30.0, 200.0)).is_none());
}

#[test]
fn every_preset_has_a_label() {
    let labels: Vec<String> = Aspect::PRESETS.iter().map(|a| a.label()).collect();
    assert_eq!(labels, ["Image's own", "1:1", "4:3", "3:4", "16:9", "9:16", "2:1", "1:2"]);
}

#[test]
fn a_size_slider_scales_about_the_centre_within_the_bounds() {
    let mut p = Placement::new((1000, 600));
    p.set_aspect(Aspect::Ratio(1, 1));
    assert_eq!(p.rect(), ImageRect { x: 0, y: 200, w: 1000, h: 600 });
    assert_eq!(p.percent(), 100.0);
    p.scale_about_centre(0.5);
    assert_eq!(p.rect(), ImageRect { x: 250, y: 350, w: 500, h: 300 }, "the centre (500, 500) stayed");
    assert_eq!(p.percent(), 50.0);
    p.scale_about_centre(0.25);
    assert_eq!(p.rect(), ImageRect { x: 375, y: 425, w: 250, h: 150 });
    assert_eq!(p.percent_range(), (2.7, 409.6), "27 px wide at the least, 4096 at the most");
    p.scale_about_centre(4.0);
    assert_eq!(p.rect(), ImageRect { x: -1500, y: -700, w: 4000, h: 2400 }, "larger than the canvas, still centred");
}

#[test]
fn an_image_drawn_smaller_than_its_handles_is_moved_from_inside_and_resized_from_outside() {
    let mut p = Placement::new((1000, 600));
    p.set_aspect(Aspect::Ratio(2, 1));
    p.scale_about_centre(0.05);
    assert_eq!(p.rect(), ImageRect { x: 575, y: 285, w: 50, h: 30 });
    let view = p.view((0.0, 0.0), (600.0, 300.0));
    assert_eq!(view.zoom, 0.5);
    assert_eq!(p.screen_rect(&view), ((287.5, 142.5), (312.5, 157.5)), "25 x 15 points: smaller than 4 reaches");
    assert_eq!(p.hit(&view, (289.0, 144.0)), Some(Grab::Move), "inside, though near the corner");
    assert_eq!(p.hit(&view, (285.0, 140.0)), Some(Grab::Corner(Corner::TopLeft)), "just outside the corner");
    assert_eq!(p.hit(&view, (315.0, 160.0)), Some(Grab::Corner(Corner::BottomRight)));
    assert_eq!(p.hit(&view, (275.0, 150.0)), None);
}

#[test]
fn a_sent_canvas_comes_back_as_the_same_placement_and_shape() {
    let mut p = Placement::new((1000, 600));
    p.set_aspect(Aspect::Ratio(16, 9));
    p.scale_about_centre(0.5);
    p.move_to(-100, 40);
    let again = Placement::from_canvas((1000, 600), &p.to_canvas());
    assert_eq!(again, p, "canvas, rectangle and the 16:9 preset all return");

    let odd = Canvas { width: 1500, height: 700, img_width: 1000, img_height: 600, x: 20, y: 50 };
    let q = Placement::from_canvas((1000, 600), &odd);
    assert_eq!((q.canvas(), q.aspect()), ((1500, 700), Aspect::Ratio(15, 7)), "no preset gives 1500 x 700");
    assert_eq!(q.to_canvas(), odd);

    let hostile = Canvas { width: 0, height: 90_000, img_width: 0, img_height: 5, x: i32::MIN, y: i32::MAX };
    let r = Placement::from_canvas((1000, 600), &hostile);
    assert_eq!(r.canvas(), (1, 4096), "sides held to 1..=4096");
    let rect = r.rect();
    assert!(rect.x + i64::from(rect.w) >= 1 && rect.y < 4096, "still overlapping the canvas: {rect:?}");
}
