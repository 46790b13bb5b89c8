//! Blend: two to five images into one picture, portrait, square or landscape.

use crate::app::command::{PickFor, UiCommand};
use crate::app::image_inputs;
use crate::app::submission::Submission;
use crate::intent::ImageSource;
use crate::job::Dimensions;

#[derive(Debug, Clone, Default)]
pub struct BlendForm {
    pub open: bool,
    pub images: Vec<ImageSource>,
    pub dimensions: Option<Dimensions>,
    /// The Blend in flight, and why the last one (or the images asked for) was refused:
    /// shown next to the button until the images change.
    pub submission: Submission,
}

impl BlendForm {
    pub fn add(&mut self, images: Vec<ImageSource>) {
        self.images.extend(images);
        self.submission.clear_refusal();
    }

    /// Why Blend cannot be sent as it is.
    pub fn problem(&self) -> Option<String> {
        crate::imageio::check_blend_count(self.images.len()).err().map(|e| e.to_string())
    }
}

pub fn blend_ui(ui: &mut egui::Ui, form: &mut BlendForm, commands: &mut Vec<UiCommand>) {
    ui.label("Two to five images, blended into one picture.");
    let mut remove = None;
    for (i, img) in form.images.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.label(format!("{}. {}", i + 1, image_inputs::source_name(img)));
            if ui.small_button(format!("Remove image {}", i + 1)).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        form.images.remove(i);
        form.submission.clear_refusal();
    }
    ui.horizontal(|ui| image_inputs::add_buttons(ui, PickFor::Blend, commands));
    ui.horizontal(|ui| {
        ui.label("Shape");
        ui.selectable_value(&mut form.dimensions, None, "Gateway default");
        ui.selectable_value(&mut form.dimensions, Some(Dimensions::Portrait), "Portrait");
        ui.selectable_value(&mut form.dimensions, Some(Dimensions::Square), "Square");
        ui.selectable_value(&mut form.dimensions, Some(Dimensions::Landscape), "Landscape");
    });
    let problem = form.problem();
    ui.horizontal(|ui| {
        let ready = problem.is_none() && !form.submission.is_pending();
        if ui.add_enabled(ready, egui::Button::new("Blend")).clicked() {
            commands.push(UiCommand::Blend { images: form.images.clone(), dimensions: form.dimensions });
        }
        if form.submission.is_pending() {
            ui.weak("sending…");
        } else if let Some(why) = form.submission.refusal().or(problem.as_deref()) {
            ui.colored_label(ui.visuals().warn_fg_color, why);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    type S = (BlendForm, Vec<UiCommand>);

    fn harness(form: BlendForm) -> Harness<'static, S> {
        Harness::new_ui_state(|ui, (f, c): &mut S| blend_ui(ui, f, c), (form, Vec::new()))
    }

    #[test]
    fn one_image_is_refused_with_its_reason_and_sends_nothing() {
        let mut form = BlendForm::default();
        form.add(vec![ImageSource::File("a.png".into())]);
        let mut h = harness(form);
        h.run();
        assert!(h.get_by_label("Blend").accesskit_node().is_disabled());
        h.get_by_label("Blend").click();
        h.run();
        assert!(h.state().1.is_empty());
        let reason = crate::imageio::InputError::BlendCount(1).to_string();
        h.get_by_label(&reason);
    }

    #[test]
    fn two_images_blend_in_the_chosen_shape() {
        let mut form = BlendForm::default();
        form.add(vec![ImageSource::File("a.png".into()), ImageSource::File("b.png".into())]);
        let mut h = harness(form);
        h.run();
        h.get_by_label("Landscape").click();
        h.run();
        h.get_by_label("Blend").click();
        h.run();
        let want = UiCommand::Blend {
            images: vec![ImageSource::File("a.png".into()), ImageSource::File("b.png".into())],
            dimensions: Some(Dimensions::Landscape),
        };
        assert_eq!(h.state().1.last(), Some(&want));
    }
}
