//! Input: the keys, the wheel and the pointer of one frame, read into [`Action`]s for
//! [`MaskCanvas::apply`]. Nothing is changed here.
//!
//! Anywhere in the editor: Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo. Over the canvas: `[` /
//! `]` brush size, `H` held shows the image without the overlay, Space + drag pans, the wheel
//! zooms around the cursor, the middle button drags to pan. Alt with the rectangle, lasso or
//! wand subtracts.

use egui::{Event, Key, Modifiers, PointerButton, Pos2, Response};

use super::tools::Action;
use crate::mask::View;

/// The editor's undo and redo keys; each pressed key is consumed.
pub(super) fn keys(ui: &egui::Ui) -> Vec<Action> {
    ui.input_mut(|i| {
        let redo =
            i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z) || i.consume_key(Modifiers::COMMAND, Key::Y);
        if redo {
            vec![Action::Redo]
        } else if i.consume_key(Modifiers::COMMAND, Key::Z) {
            vec![Action::Undo]
        } else {
            Vec::new()
        }
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
    let (space, hold_h, alt, wheel, moves, smaller, bigger) = ui.input(|i| {
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
        let (smaller, bigger) = (i.key_pressed(Key::OpenBracket), i.key_pressed(Key::CloseBracket));
        (i.key_down(Key::Space), i.key_down(Key::H), i.modifiers.alt, wheel, moves, smaller, bigger)
    });
    let mut out = Vec::new();
    if hovered && smaller {
        out.push(Action::Smaller);
    }
    if hovered && bigger {
        out.push(Action::Bigger);
    }
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
            out.push(Action::DragStart { from: image(o), to: image(here), pan: space, alt });
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
    (out, hovered && hold_h)
}
