//! The toolbar above the canvas: the tools and the edits of the whole mask, then the
//! settings, the displays and the view.

use egui::Slider;

use super::tools::Action;
use super::{Display, MAX_RADIUS, MIN_RADIUS, MaskCanvas, Tool};

impl MaskCanvas {
    /// Draws the toolbar; returns what its buttons asked for. Sliders and display choices
    /// change their settings directly.
    pub(super) fn toolbar_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut out = Vec::new();
        ui.horizontal_wrapped(|ui| {
            for tool in Tool::ALL {
                if ui.selectable_label(self.tool == tool, tool.label()).clicked() {
                    out.push(Action::Pick(tool));
                }
            }
            ui.separator();
            let history = self.doc.history();
            if ui.add_enabled(history.can_undo(), egui::Button::new("Undo")).clicked() {
                out.push(Action::Undo);
            }
            if ui.add_enabled(history.can_redo(), egui::Button::new("Redo")).clicked() {
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
        });
        ui.horizontal_wrapped(|ui| {
            ui.add(Slider::new(&mut self.radius, MIN_RADIUS..=MAX_RADIUS).logarithmic(true).text("Brush size"));
            ui.add(Slider::new(&mut self.opacity, 0.0..=1.0).text("Overlay opacity"));
            ui.add(Slider::new(&mut self.tolerance, 0..=255).text("Wand tolerance"));
            ui.add(Slider::new(&mut self.morph_step, 1..=100).text("Grow / shrink by"));
            ui.selectable_value(&mut self.display, Display::Overlay, "Overlay");
            ui.selectable_value(&mut self.display, Display::MaskOnly, "Mask only");
            ui.selectable_value(&mut self.display, Display::AsSent, "As sent");
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
