//! The mask canvas's frame cost does not grow with the strokes painted (issue 8: "a canvas
//! frame after 1,000 strokes costs within 20% of a frame after one").
//!
//! A 2048 x 2048 photograph-like image in a 1200 x 800 window; strokes are painted through
//! real pointer events (press, moves, release), as a designer paints them. Two frames are
//! measured after 1 and after 1,000 strokes: an idle one (layout plus tessellation), and one
//! in the middle of a drag (one pointer move: the stamp, the undo bookkeeping, the dirty
//! rectangle's texels, layout and tessellation). Texture uploads are the renderer's part and
//! are not run (no GPU here); their data is made in the frame and counted.
//!
//! The same two frames at 4096 x 4096 (a few strokes painted first, so the mask is neither
//! empty nor full and no per-frame check stops early): `canvas_frame_4096` is the
//! `MaskCanvas` alone, `editor_frame_4096` the whole region editor around it (title, prompt,
//! Submit with its reason line, the canvas), as the window shows it. The editor's frame
//! should cost little more than the canvas's: nothing in it should be proportional to the
//! image.
//!
//! Measured on the 2-core machine (release), 4096 groups, idle / one move of a drag:
//! - before the wiring was rebuilt (the editor built its intent every frame: a 16 MB copy of
//!   the mask and a count of its 16 M pixels): editor 10.27 ms / 14.14 ms, canvas alone
//!   0.109 ms / 0.120 ms;
//! - with the count alone left per frame: editor 7.42 ms / 7.44 ms;
//! - with the reason to disable Submit read from the mask's running count and the intent
//!   built when Submit is pressed: editor 0.137 ms / 0.152 ms, canvas alone 0.111 ms /
//!   0.128 ms (1.24x / 1.19x), measured while other builds shared the machine;
//! - the same code on a quiet machine (load under 1.5, two runs): editor 0.127 / 0.141 ms
//!   and 0.126 / 0.140 ms, canvas alone 0.111 / 0.121 ms and 0.108 / 0.122 ms, i.e. 1.14x /
//!   1.16x and 1.16x / 1.15x the canvas alone.
//!
//! Run: `cargo bench --bench canvas -- --warm-up-time 1 --measurement-time 3` (add `4096`
//! for the 4096 groups only)

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use egui::{Event, Modifiers, PointerButton, Pos2, RawInput, Rect, Vec2};
use mjdesk::app::canvas::MaskCanvas;
use mjdesk::app::editors::region::{Flow, RegionEditor};

const SIDE: u32 = 2048;

fn photo(side: u32) -> image::RgbaImage {
    let mut rng = fastrand::Rng::with_seed(5);
    image::RgbaImage::from_fn(side, side, |x, y| {
        let n = rng.u8(0..12);
        image::Rgba([((x * 200 / side) as u8).wrapping_add(n), ((y * 180 / side) as u8).wrapping_add(n / 2), 90, 255])
    })
}

/// What the window shows: the canvas alone, or the region editor around it.
enum Shown {
    Canvas(Box<MaskCanvas>),
    Editor(Box<RegionEditor>),
}

impl Shown {
    fn ui(&mut self, ui: &mut egui::Ui) {
        match self {
            Shown::Canvas(c) => c.ui(ui),
            Shown::Editor(e) => {
                black_box(e.ui(ui));
            }
        }
    }

    fn canvas(&self) -> &MaskCanvas {
        match self {
            Shown::Canvas(c) => c,
            Shown::Editor(e) => e.canvas().expect("the image is in memory"),
        }
    }
}

struct Window {
    ctx: egui::Context,
    shown: Shown,
}

impl Window {
    fn new() -> Self {
        let canvas = MaskCanvas::new(Arc::new(photo(SIDE)), None).expect("an empty mask fits");
        Self::showing(Shown::Canvas(Box::new(canvas)))
    }

    fn showing(shown: Shown) -> Self {
        let mut w = Window { ctx: egui::Context::default(), shown };
        // the image and the whole mask go up once; the font atlas and caches warm up
        for _ in 0..3 {
            w.frame(Vec::new());
        }
        w
    }

    /// One frame with `events`; returns the primitives' count and the texels made for upload.
    fn frame(&mut self, events: Vec<Event>) -> (usize, usize) {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1200.0, 800.0))),
            events,
            ..Default::default()
        };
        let shown = &mut self.shown;
        let output = self.ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| shown.ui(ui));
        });
        let texels = output.textures_delta.set.values().flatten().map(|d| d.image.width() * d.image.height()).sum();
        (self.ctx.tessellate(output.shapes, output.pixels_per_point).len(), texels)
    }

    fn button(pos: Pos2, pressed: bool) -> Event {
        Event::PointerButton { pos, button: PointerButton::Primary, pressed, modifiers: Modifiers::NONE }
    }

    /// A stroke through `points` (screen), one frame per event.
    fn stroke(&mut self, points: &[Pos2]) {
        self.frame(vec![Event::PointerMoved(points[0])]);
        self.frame(vec![Self::button(points[0], true)]);
        for &p in &points[1..] {
            self.frame(vec![Event::PointerMoved(p)]);
        }
        self.frame(vec![Self::button(*points.last().unwrap(), false)]);
    }
}

/// A short random stroke inside the canvas (screen points).
fn random_stroke(rng: &mut fastrand::Rng) -> Vec<Pos2> {
    let mut p = Pos2::new(300.0 + rng.f32() * 600.0, 250.0 + rng.f32() * 400.0);
    (0..4)
        .map(|_| {
            p += Vec2::new(rng.f32() * 40.0 - 20.0, rng.f32() * 40.0 - 20.0) + Vec2::new(12.0, 0.0);
            p
        })
        .collect()
}

/// Measures an idle frame and a frame in the middle of a drag, in the group `name`.
fn idle_and_painting(c: &mut Criterion, name: &str, w: &mut Window) {
    let mut g = c.benchmark_group(name);
    g.bench_function("idle", |b| b.iter(|| black_box(w.frame(Vec::new()))));
    // a drag that goes on through the whole measurement, back and forth along a row
    let start = Pos2::new(400.0, 420.0);
    w.frame(vec![Event::PointerMoved(start)]);
    w.frame(vec![Window::button(start, true)]);
    let mut i = 0u32;
    g.bench_function("painting_one_move", |b| {
        b.iter(|| {
            i += 1;
            let x = 400.0 + ((i % 80) as f32 - 40.0).abs() * 8.0;
            black_box(w.frame(vec![Event::PointerMoved(Pos2::new(x, 420.0 + (i % 7) as f32))]))
        })
    });
    w.frame(vec![Window::button(start, false)]);
    g.finish();
}

fn frames(c: &mut Criterion) {
    let mut rng = fastrand::Rng::with_seed(1000);
    for strokes in [1usize, 1000] {
        let mut w = Window::new();
        for _ in 0..strokes {
            w.stroke(&random_stroke(&mut rng));
        }
        let canvas = w.shown.canvas();
        eprintln!(
            "after {strokes} strokes: {} undo steps kept (limit 500), {:.2} MB of undo, {:.1}% of the mask painted",
            canvas.doc().history().undo_len(),
            canvas.doc().history().memory_bytes() as f64 / 1_048_576.0,
            canvas.mask().count() as f64 * 100.0 / f64::from(SIDE * SIDE)
        );
        idle_and_painting(c, &format!("canvas_frame_2048_after_{strokes}_strokes"), &mut w);
    }
}

/// The canvas alone and the whole region editor, over one 4096 x 4096 image with a few strokes.
fn frames_4096(c: &mut Criterion) {
    let image = Arc::new(photo(4096));
    let canvas = MaskCanvas::new(Arc::clone(&image), None).expect("an empty mask fits");
    let editor = RegionEditor::with_image(Flow::Region { parent: "bench".into() }, image, None);
    for (name, shown) in
        [("canvas_frame_4096", Shown::Canvas(Box::new(canvas))), ("editor_frame_4096", Shown::Editor(Box::new(editor)))]
    {
        let mut w = Window::showing(shown);
        let mut rng = fastrand::Rng::with_seed(4096);
        for _ in 0..8 {
            w.stroke(&random_stroke(&mut rng));
        }
        let painted = w.shown.canvas().mask().count();
        assert!(painted > 0 && painted < 4096 * 4096, "some paint, not all: {painted}");
        eprintln!("{name}: {:.2}% of the mask painted", painted as f64 * 100.0 / (4096.0 * 4096.0));
        idle_and_painting(c, name, &mut w);
    }
}

criterion_group!(benches, frames, frames_4096);
criterion_main!(benches);
