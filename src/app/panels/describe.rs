//! Describe: one image in, four prompts out (shown in the job view, each one click from the
//! prompt box).

use crate::app::command::{PickFor, UiCommand};
use crate::app::image_inputs;
use crate::app::submission::Submission;
use crate::intent::ImageSource;

#[derive(Debug, Clone, Default)]
pub struct DescribeForm {
    pub open: bool,
    pub image: Option<ImageSource>,
    /// The Describe in flight, and why the last one (or the image asked for) was refused.
    pub submission: Submission,
}

impl DescribeForm {
    /// Takes the first of the images given.
    pub fn add(&mut self, images: Vec<ImageSource>) {
        if let Some(first) = images.into_iter().next() {
            self.image = Some(first);
            self.submission.clear_refusal();
        }
    }
}

pub fn describe_ui(ui: &mut egui::Ui, form: &mut DescribeForm, commands: &mut Vec<UiCommand>) {
    ui.label("One image in, four prompts out.");
    match &form.image {
        Some(img) => ui.label(format!("Image: {}", image_inputs::source_name(img))),
        None => ui.weak("No image yet: choose, paste or drop one."),
    };
    ui.horizontal(|ui| image_inputs::add_buttons(ui, PickFor::Describe, commands));
    ui.horizontal(|ui| {
        let ready = form.image.is_some() && !form.submission.is_pending();
        let button = ui.add_enabled(ready, egui::Button::new("Describe"));
        if button.clicked()
            && let Some(image) = &form.image
        {
            commands.push(UiCommand::Describe { image: image.clone() });
        }
        if form.submission.is_pending() {
            ui.weak("sending…");
        } else if let Some(why) = form.submission.refusal() {
            ui.colored_label(ui.visuals().warn_fg_color, why);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn describe_sends_the_image_and_shows_a_refusal() {
        let mut form = DescribeForm::default();
        form.add(vec![ImageSource::File("cat.png".into()), ImageSource::File("dog.png".into())]);
        form.submission.refused("cat.png is not an image");
        let mut h = Harness::new_ui_state(
            |ui, (f, c): &mut (DescribeForm, Vec<UiCommand>)| describe_ui(ui, f, c),
            (form, Vec::new()),
        );
        h.run();
        h.get_by_label("cat.png is not an image");
        h.get_by_label("Describe").click();
        h.run();
        assert_eq!(h.state().1.last(), Some(&UiCommand::Describe { image: ImageSource::File("cat.png".into()) }));
    }
}
