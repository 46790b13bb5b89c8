//! Input: the keys, the wheel and the pointer of one frame, read into [`Action`]s for
//! [`MaskCanvas::apply`]. Nothing is changed here.
//!
//! Keys act while the editor is shown and no text field has the keyboard (typing "b" in the
//! prompt above the canvas must not pick the brush): Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y
//! redo, `[` / `]` brush size, B E R L W the tools, X swaps adding and subtracting. Over the
//! canvas: `H` held shows the image without the overlay, Space + drag pans, the wheel zooms
//! around the cursor, the middle button drags to pan, Alt inverts the add / subtract mode of
//! the rectangle, lasso and wand.

use egui::{Event, Key, Modifiers, PointerButton, Pos2, Response};

use super::Tool;
use super::tools::Action;
use crate::mask::View;

/// The tool each letter picks.
pub const TOOL_KEYS: [(Key, Tool); 5] = [
    (Key::B, Tool::Brush),
    (Key::E, Tool::Eraser),
    (Key::R, Tool::Rectangle),
    (Key::L, Tool::Lasso),
    (Key::W, Tool::MagicWand),
];

/// Whether keys are the canvas's: no text field has the keyboard.
fn keys_are_ours(ui: &egui::Ui) -> bool {
    !ui.ctx().text_edit_focused()
}

/// The editor's keys (see the module's notes); each pressed key is consumed.
pub(super) fn keys(ui: &egui::Ui) -> Vec<Action> {
    if !keys_are_ours(ui) {
        return Vec::new();
    }
    ui.input_mut(|i| {
        let mut out = Vec::new();
        let redo =
            i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z) || i.consume_key(Modifiers::COMMAND, Key::Y);
        if redo {
            out.push(Action::Redo);
        } else if i.consume_key(Modifiers::COMMAND, Key::Z) {
            out.push(Action::Undo);
        }
        for (key, tool) in TOOL_KEYS {
            if i.consume_key(Modifiers::NONE, key) {
                out.push(Action::Pick(tool));
            }
        }
        if i.consume_key(Modifiers::NONE, Key::X) {
            out.push(Action::SwapMode);
        }
        if i.consume_key(Modifiers::NONE, Key::OpenBracket) {
            out.push(Action::Smaller);
        }
        if i.consume_key(Modifiers::NONE, Key::CloseBracket) {
            out.push(Action::Bigger);
        }
        out
    })
}

/// What the pointer and the wheel did over the canvas (`response`) this frame, read through
/// `view` (the view at the start of the frame) over an image of `size`. `panning`: a Space
/// drag is under way. Returns the actions, and whether `H` holds the overlay back.
pub(super) fn pointer(
    ui: &egui::Ui,
    response: &Response,
    view: &View,
    size: (u32, u32),
    panning: bool,
) -> (Vec<Action>, bool) {
    let image = |p: Pos2| view.to_image_f32((p.x, p.y));
    let hovered = response.hovered();
    let ours = keys_are_ours(ui);
    let (space, hold_h, alt, wheel, moves) = ui.input(|i| {
        let mut wheel = 0.0;
        let mut moves = Vec::new();
        for e in &i.events {
            match e {
                Event::MouseWheel { unit, delta, .. } => {
                    wheel += match unit {
                        egui::MouseWheelUnit::Point => delta.y,
                        egui::MouseWheelUnit::Line => delta.y * 40.0,
                        egui::MouseWheelUnit::Page => delta.y * 400.0,
                    }
                }
                Event::PointerMoved(p) => moves.push(*p),
                _ => {}
            }
        }
        (i.key_down(Key::Space), i.key_down(Key::H), i.modifiers.alt, wheel, moves)
    });
    let mut out = Vec::new();
    if hovered
        && wheel != 0.0
        && let Some(p) = response.hover_pos()
    {
        out.push(Action::Zoom { screen: (f64::from(p.x), f64::from(p.y)), factor: f64::from((wheel / 200.0).exp()) });
    }
    if response.dragged_by(PointerButton::Middle) || (panning && response.dragged()) {
        let d = response.drag_delta();
        out.push(Action::Pan { by: (f64::from(d.x), f64::from(d.y)) });
    } else if response.drag_started_by(PointerButton::Primary) {
        let origin = ui.input(|i| i.pointer.press_origin()).or(response.interact_pointer_pos());
        if let (Some(o), Some(here)) = (origin, response.interact_pointer_pos()) {
            out.push(Action::DragStart { from: image(o), to: image(here), pan: space && ours, alt });
        }
    } else if response.dragged_by(PointerButton::Primary) {
        // every pointer position of the frame, so fast drags stay round
        out.push(Action::DragMove(moves.into_iter().map(image).collect()));
    }
    if response.drag_stopped() {
        out.push(Action::DragEnd(response.interact_pointer_pos().map(image)));
    }
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        let pixel = view.pixel_at((f64::from(p.x), f64::from(p.y)), size.0, size.1);
        out.push(Action::Click { at: image(p), pixel, alt });
    }
    (out, hovered && hold_h && ours)
}
