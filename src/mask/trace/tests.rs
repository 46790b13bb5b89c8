use super::*;
use crate::mask::brush::Segment;
use crate::mask::tests::{parse, show};

fn disc(m: &mut Mask, cx: f32, cy: f32, r: f32, on: bool) {
    m.stamp_dot((cx, cy), r, on);
}

fn check(name: &str, m: &Mask, max_points: Option<usize>) -> Vec<Vec<(u32, u32)>> {
    let polys = m.to_polygons();
    let back = rasterise(&polys, m.width(), m.height());
    let score = iou(&back, m);
    let points: usize = polys.iter().map(Vec::len).sum();
    eprintln!("{name}: {} polygons, {points} points, IoU {score:.4}", polys.len());
    assert!(score >= 0.98, "{name}: IoU {score:.4} with {points} points");
    if let Some(max) = max_points {
        assert!(points <= max, "{name}: {points} points");
    }
    polys
}

#[test]
fn a_disc_is_a_few_dozen_points() {
    let mut m = Mask::new(300, 300);
    disc(&mut m, 150.3, 140.7, 100.0, true);
    let polys = check("disc", &m, Some(60));
    assert_eq!(polys.len(), 1);
    assert!(polys[0].len() >= 12, "{:?}", polys[0]);
}

#[test]
fn a_ring_keeps_its_hole() {
    let mut m = Mask::new(240, 240);
    disc(&mut m, 120.0, 120.0, 90.0, true);
    disc(&mut m, 110.0, 125.0, 45.0, false);
    let raw = contours(&m);
    assert_eq!(raw.iter().filter(|c| c.hole).count(), 1);
    let polys = check("ring", &m, Some(120));
    assert_eq!(polys.len(), 1, "the hole is bridged into its region's polygon");
    let back = rasterise(&polys, 240, 240);
    assert!(!back.get(110, 125), "the hole's centre stays unpainted");
}

#[test]
fn blobs_lines_and_islands_in_holes() {
    let mut m = Mask::new(400, 300);
    disc(&mut m, 80.0, 90.0, 50.0, true);
    m.stamp_segment(&Segment { from: (200.0, 60.0), to: (330.0, 240.0), radius: 30.0 }, true);
    check("two blobs", &m, None);
    assert_eq!(m.to_polygons().len(), 2);

    let mut line = Mask::new(300, 200);
    line.stamp_segment(&Segment { from: (20.5, 30.2), to: (270.3, 170.9), radius: 4.0 }, true);
    // an 8-pixel line at a slant: its long edges must sit within a fraction of a pixel, so it
    // is simplified at the finer tolerance (about a hundred points rather than ten)
    check("thin line", &line, Some(200));

    // a square ring with an island in its hole: two polygons (ring with bridge, island)
    let mut m = Mask::new(100, 100);
    m.fill_rect(10, 10, 90, 90, true);
    m.fill_rect(30, 30, 70, 70, false);
    m.fill_rect(45, 45, 55, 55, true);
    let polys = check("island", &m, Some(20));
    assert_eq!(polys.len(), 2);
    assert_eq!(rasterise(&polys, 100, 100), m, "straight outlines come back exact");
}

#[test]
fn rectangles_and_single_pixels_are_exact() {
    let m = parse(&[
        "..........", //
        ".###......",
        ".###..###.",
        ".###......",
        ".###......",
        "..........",
        ".........#",
    ]);
    let polys = m.to_polygons();
    assert_eq!(polys[0], [(1, 1), (4, 1), (4, 5), (1, 5)]);
    assert_eq!(polys[1], [(6, 2), (9, 2), (9, 3), (6, 3)]);
    assert_eq!(polys[2], [(9, 6), (10, 6), (10, 7), (9, 7)]);
    assert_eq!(show(&rasterise(&polys, 10, 7)), show(&m));
    assert!(Mask::new(5, 5).to_polygons().is_empty());
}

#[test]
fn diagonal_neighbours_are_separate_regions_and_every_outline_is_found_once() {
    let m = parse(&[
        "##..", //
        "##..", "..##", "..##",
    ]);
    let c = contours(&m);
    assert_eq!(c.len(), 2);
    assert!(c.iter().all(|c| !c.hole && c.points.len() == 4));
    assert_ne!(c[0].region, c[1].region);
    // a U: two top edges, one outline
    let u = parse(&["#.#", "#.#", "###"]);
    let c = contours(&u);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].points, [(0, 0), (1, 0), (1, 2), (2, 2), (2, 0), (3, 0), (3, 3), (0, 3)]);
    assert_eq!(show(&rasterise(&u.to_polygons(), 3, 3)), show(&u));
}

#[test]
fn polygon_rect_bounds_the_points() {
    assert_eq!(polygon_rect(&[(3, 4), (9, 1), (5, 7)]), Rect::from_corners(3, 1, 9, 7));
    assert_eq!(polygon_rect(&[]), Rect::EMPTY);
}
