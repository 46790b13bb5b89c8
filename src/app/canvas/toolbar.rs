//! The toolbar above the canvas, in three groups, each a row that wraps with the window (at
//! 1,040 px each fits on one line): what paints (tools, add / subtract, brush size, wand
//! tolerance); what changes the whole mask (undo, redo, invert, clear, grow / shrink,
//! `Load mask` and why a file was refused); what is shown (the displays, overlay opacity,
//! fit, 100 %). Every slider has its name in a label before it (so the value never reads as
//! part of the name), and a label never ends a row apart from its slider.

use egui::{Slider, TextStyle, TextWrapMode, WidgetText};

use super::tools::Action;
use super::{Display, MAX_RADIUS, MIN_RADIUS, MaskCanvas, Tool};

/// The width of each slider's track.
const SLIDER_WIDTH: f32 = 80.0;
/// Room kept for a slider's value box.
const VALUE_WIDTH: f32 = 48.0;

/// `name` in a label, then `slider` named by it; both go to the next row when they do not fit
/// together on this one.
fn labelled_slider(ui: &mut egui::Ui, name: &str, slider: Slider<'_>) -> egui::Response {
    let gap = ui.spacing().item_spacing.x;
    let text = WidgetText::from(name).into_galley(ui, Some(TextWrapMode::Extend), f32::INFINITY, TextStyle::Body);
    let needed = text.size().x + gap + SLIDER_WIDTH + gap + VALUE_WIDTH;
    if ui.available_size_before_wrap().x < needed {
        ui.end_row();
    }
    let label = ui.label(name);
    ui.add(slider).labelled_by(label.id)
}

impl MaskCanvas {
    /// Draws the toolbar; returns what its buttons asked for. Sliders and display choices
    /// change their settings directly.
    pub(super) fn toolbar_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut out = Vec::new();
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().slider_width = SLIDER_WIDTH;
            for tool in Tool::ALL {
                if ui.selectable_label(self.tool == tool, tool.label()).on_hover_text(tool.key_hint()).clicked() {
                    out.push(Action::Pick(tool));
                }
            }
            ui.separator();
            let subtracting = self.subtracting();
            let alt = "X swaps; Alt held inverts the rectangle, lasso and wand";
            if ui.selectable_label(!subtracting, "Add").on_hover_text(alt).clicked() {
                out.push(Action::Mode { subtract: false });
            }
            if ui.selectable_label(subtracting, "Subtract").on_hover_text(alt).clicked() {
                out.push(Action::Mode { subtract: true });
            }
            ui.separator();
            labelled_slider(ui, "Brush size", Slider::new(&mut self.radius, MIN_RADIUS..=MAX_RADIUS).logarithmic(true))
                .on_hover_text("Brush radius in image pixels ([ and ])");
            labelled_slider(ui, "Wand tolerance", Slider::new(&mut self.tolerance, 0..=255));
        });
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().slider_width = SLIDER_WIDTH;
            let history = self.doc.history();
            let (can_undo, can_redo) = (history.can_undo(), history.can_redo());
            if ui.add_enabled(can_undo, egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
                out.push(Action::Undo);
            }
            if ui.add_enabled(can_redo, egui::Button::new("Redo")).on_hover_text("Ctrl+Shift+Z").clicked() {
                out.push(Action::Redo);
            }
            for (name, action) in [
                ("Invert", Action::Invert),
                ("Clear", Action::Clear),
                ("Grow", Action::Grow),
                ("Shrink", Action::Shrink),
            ] {
                if ui.button(name).clicked() {
                    out.push(action);
                }
            }
            labelled_slider(ui, "Grow / shrink by", Slider::new(&mut self.morph_step, 1..=100));
            ui.separator();
            let load = ui.add_enabled(!self.load.is_pending(), egui::Button::new("Load mask"));
            if load.on_hover_text("Replace the mask with a PNG at the image's size").clicked() {
                self.choose_mask_file(ui.ctx());
            }
            if self.load.is_pending() {
                ui.weak("choosing a mask…");
            } else if let Some(why) = &self.load.refused {
                ui.colored_label(ui.visuals().error_fg_color, why.as_str());
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().slider_width = SLIDER_WIDTH;
            ui.selectable_value(&mut self.display, Display::Overlay, "Overlay");
            ui.selectable_value(&mut self.display, Display::MaskOnly, "Mask only");
            ui.selectable_value(&mut self.display, Display::AsSent, "As sent");
            labelled_slider(ui, "Overlay opacity", Slider::new(&mut self.opacity, 0.0..=1.0));
            ui.separator();
            if ui.button("Fit").clicked() {
                out.push(Action::Fit);
            }
            if ui.button("100%").clicked() {
                out.push(Action::ActualSize);
            }
        });
        out
    }
}
