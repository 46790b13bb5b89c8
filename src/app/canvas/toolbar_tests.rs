//! The toolbar at the window's narrow width, the tool keys, `Load mask` and the remembered
//! settings, driven by accessible name.

use std::sync::Arc;

use egui::accesskit::Role;
use egui::{Key, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use image::RgbaImage;

use super::*;

fn canvas(w: u32, h: u32) -> MaskCanvas {
    let image = RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 160, 255]));
    MaskCanvas::new(Arc::new(image), None).unwrap()
}

/// The canvas under a labelled prompt box, as the region editor shows it.
fn harness_with_prompt<'a>(width: f32) -> Harness<'a, (MaskCanvas, String)> {
    Harness::builder().with_size(Vec2::new(width, 700.0)).build_ui_state(
        |ui, (c, prompt): &mut (MaskCanvas, String)| {
            ui.horizontal(|ui| {
                let label = ui.label("Prompt");
                ui.text_edit_singleline(prompt).labelled_by(label.id);
            });
            c.ui(ui);
        },
        (canvas(1024, 768), String::new()),
    )
}

const TOOLBAR: [&str; 23] = [
    "Brush",
    "Eraser",
    "Rectangle",
    "Lasso",
    "Magic wand",
    "Add",
    "Subtract",
    "Brush size",
    "Wand tolerance",
    "Undo",
    "Redo",
    "Invert",
    "Clear",
    "Grow",
    "Shrink",
    "Grow / shrink by",
    "Load mask",
    "Overlay",
    "Mask only",
    "As sent",
    "Overlay opacity",
    "Fit",
    "100%",
];

#[test]
fn at_1040_px_the_toolbar_fits_and_each_slider_follows_its_label() {
    let mut h = harness_with_prompt(1040.0);
    h.run();
    // a slider's value box shares the slider's name, so a name may find two widgets
    for name in TOOLBAR {
        let found: Vec<_> = h.get_all_by_label(name).collect();
        for r in found.iter().map(|n| n.rect()) {
            assert!(r.min.x >= 0.0 && r.max.x <= 1040.0, "{name} at {r:?} is cut at 1040 px");
        }
    }
    for name in ["Brush size", "Wand tolerance", "Grow / shrink by", "Overlay opacity"] {
        let slider = h.get_by_role_and_label(Role::Slider, name);
        let value = h.get_by_role_and_label(Role::SpinButton, name);
        assert!(slider.rect().max.x <= value.rect().min.x + 1.0, "{name}: the value follows the slider");
        let label = h.get(By::new().label(name).role(Role::Label).include_labels()).rect();
        let s = slider.rect();
        assert!(label.max.x <= s.min.x, "{name}: the label {label:?} sits left of its slider {s:?}");
        assert!(label.center().y > s.min.y && label.center().y < s.max.y, "{name}: on the slider's row");
    }
    // three groups, each on one line at this width, in this order: what paints, what changes
    // the mask, what is shown
    let row = |name: &str| h.get_all_by_label(name).next().unwrap().rect().center().y;
    let groups = [&TOOLBAR[..9], &TOOLBAR[9..17], &TOOLBAR[17..]];
    let mut last = 0.0;
    for group in groups {
        let y = row(group[0]);
        assert!(y > last + 10.0, "{} starts a row below the last", group[0]);
        for name in group {
            assert!((row(name) - y).abs() < 4.0, "{name} is on the row of {}", group[0]);
        }
        last = y;
    }
    let canvas = h.get_by_label("Mask canvas").rect();
    assert!(canvas.min.y > last, "the canvas is under the toolbar");
}

#[test]
fn letters_pick_tools_x_swaps_and_brackets_size_but_not_while_typing() {
    let mut h = harness_with_prompt(1040.0);
    h.run();
    for (key, tool) in TOOL_KEYS {
        h.key_press(key);
        h.run();
        assert_eq!(h.state().0.tool, tool, "{key:?}");
    }
    // the wand: X makes it subtract, the toolbar says so
    h.key_press(Key::X);
    h.run();
    assert!(h.state().0.subtract);
    assert_eq!(
        h.get_by_label("Subtract").accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True),
        "the toolbar shows it"
    );
    h.key_press(Key::B);
    h.key_press(Key::X);
    h.run();
    assert_eq!(h.state().0.tool, Tool::Eraser, "X turns the brush into the eraser");
    let r = h.state().0.radius;
    h.key_press(Key::CloseBracket);
    h.run();
    assert_eq!(h.state().0.radius, r * RADIUS_STEP, "] anywhere in the editor, not only over the canvas");

    h.get_by_label("Prompt").focus();
    h.run();
    for key in [Key::B, Key::R, Key::X, Key::CloseBracket] {
        h.key_press(key);
    }
    h.get_by_label("Prompt").type_text("brx]");
    h.run();
    assert_eq!(h.state().1, "brx]", "the letters went into the prompt");
    assert_eq!(h.state().0.tool, Tool::Eraser, "and picked no tool");
    assert_eq!(h.state().0.radius, r * RADIUS_STEP);
}

fn png(w: u32, h: u32, marked: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let img = image::GrayImage::from_fn(w, h, |x, y| image::Luma([if marked(x, y) { 255 } else { 0 }]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn a_loaded_mask_replaces_the_painting_as_one_step_and_a_wrong_one_is_refused_beside_the_button() {
    let mut h = harness_with_prompt(1040.0);
    h.run();
    h.state_mut().0.load_mask_png(&png(1024, 768, |x, _| x < 100)).unwrap();
    h.run();
    assert_eq!(h.state().0.mask().count(), 100 * 768);
    assert_eq!(h.state().0.doc().history().undo_len(), 1, "one undo step");
    assert_eq!(h.state().0.uploads().1, MaskRect::new(0, 0, 1024, 768), "the whole texture went up");
    assert!(h.state().0.load_refused().is_none());

    let e = h.state_mut().0.load_mask_png(&png(512, 512, |_, _| true)).unwrap_err();
    assert!(matches!(e, MaskError::SizeMismatch { got_w: 512, want_w: 1024, .. }), "{e:?}");
    h.run();
    let said = "the mask is 512x512 but the image is 1024x768";
    let line = h.get_by_label(said).rect();
    let button = h.get_by_label("Load mask").rect();
    assert!(line.min.x >= button.max.x && (line.center().y - button.center().y).abs() < 4.0, "next to the button");
    assert!(line.max.x <= 1040.0);
    assert_eq!(h.state().0.mask().count(), 100 * 768, "the painting is kept");

    assert!(matches!(h.state_mut().0.load_mask_png(b"GIF89a not a png"), Err(MaskError::Decode(_))));
    h.run();
    let why = h.state().0.load_refused().unwrap().to_owned();
    assert!(why.starts_with("the mask is not a readable PNG"), "{why}");
    h.get_by_label(&why);
    assert_eq!(h.state().0.doc().history().undo_len(), 1);

    h.get_by_label("Undo").click();
    h.run();
    assert!(h.state().0.mask().is_empty(), "Undo takes the loaded mask back");
    h.state_mut().0.load_mask_png(&png(1024, 768, |_, y| y < 10)).unwrap();
    h.run();
    assert!(h.query_by_label(&why).is_none(), "a good file clears the refusal");
}

#[test]
fn prefs_round_trip_through_json_and_come_back_into_range() {
    let mut c = canvas(40, 30);
    c.tool = Tool::Lasso;
    c.radius = 37.5;
    let prefs = c.prefs();
    let json = serde_json::to_string(&prefs).unwrap();
    let back: CanvasPrefs = serde_json::from_str(&json).unwrap();
    assert_eq!(back, prefs);
    assert_eq!(back, CanvasPrefs { tool: Tool::Lasso, radius: 37.5 });
    let mut other = canvas(40, 30);
    other.set_prefs(&back);
    assert_eq!(other.prefs(), prefs);
    // an old file with a field missing keeps the default for it
    assert_eq!(serde_json::from_str::<CanvasPrefs>(r#"{"tool":"Eraser"}"#).unwrap().radius, DEFAULT_RADIUS);
    other.set_prefs(&CanvasPrefs { tool: Tool::Brush, radius: 1e9 });
    assert_eq!(other.radius, MAX_RADIUS);
}
