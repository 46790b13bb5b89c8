//! The open job's `Like` and `Rating` (not rated, or 1 to 5), and their keys: L likes, 1 to 5 rate
//! (while no text field has the keyboard). Both are kept in the store, off the UI thread.

use crate::app::command::UiCommand;
use crate::job::Job;
use crate::store::Marks;

/// A rating as the slider shows it.
pub fn stars(rating: u8) -> String {
    if rating == 0 { "not rated".to_owned() } else { format!("{} of 5", rating.min(5)) }
}

/// How wide [`marks_ui`] draws: `Like`, `Rating`, the slider and its widest value. The
/// slider and its value are one widget that a wrapping row cannot break, so the row asks
/// for this much before it starts them.
pub fn marks_width(ui: &egui::Ui) -> f32 {
    let text = |t: &str, style: egui::TextStyle| {
        let wrap = Some(egui::TextWrapMode::Extend);
        egui::WidgetText::from(t).into_galley(ui, wrap, f32::INFINITY, style).size().x
    };
    let s = ui.spacing();
    let value = text("not rated", egui::TextStyle::Button).max(text(&stars(5), egui::TextStyle::Button));
    text("Like", egui::TextStyle::Button)
        + 2.0 * s.button_padding.x
        + text("Rating", egui::TextStyle::Body)
        + s.slider_width
        + value
        + 2.0 * s.button_padding.x
        + 4.0 * s.item_spacing.x
}

pub fn marks_ui(ui: &mut egui::Ui, job: &Job, marks: Option<&Marks>, commands: &mut Vec<UiCommand>) {
    let liked = marks.is_some_and(|m| m.liked);
    let rating = marks.and_then(|m| m.rating).unwrap_or(0);
    let keys = !ui.ctx().text_edit_focused();
    let (like_key, star_key) = ui.input(|i| {
        let none = i.modifiers.is_none();
        let star = [egui::Key::Num1, egui::Key::Num2, egui::Key::Num3, egui::Key::Num4, egui::Key::Num5]
            .iter()
            .position(|k| none && i.key_pressed(*k));
        (none && i.key_pressed(egui::Key::L), star.map(|s| s as u8 + 1))
    });
    let like = ui.selectable_label(liked, "Like").on_hover_text(if liked { "Liked (L takes it back)" } else { "L" });
    if like.clicked() || (keys && like_key) {
        commands.push(UiCommand::ToggleLike { job_id: job.id.clone() });
    }
    let label = ui.label("Rating");
    let mut chosen = rating;
    let slider = egui::Slider::new(&mut chosen, 0..=5).custom_formatter(|v, _| stars(v as u8)).show_value(true);
    let changed = ui.add(slider).labelled_by(label.id).on_hover_text("keys 1 to 5").changed();
    if let Some(n) = star_key.filter(|_| keys) {
        chosen = n;
    }
    if (changed || star_key.is_some_and(|_| keys)) && chosen != rating {
        commands.push(UiCommand::Rate { job_id: job.id.clone(), stars: (chosen > 0).then_some(chosen) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, Provider, SubmitOptions};
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    type S = (Job, Option<Marks>, Vec<UiCommand>);

    fn harness(marks: Option<Marks>) -> Harness<'static, S> {
        let job = Job::new(
            Provider::Ttapi,
            "http://x",
            JobRequest::Imagine { prompt: "a fox".into() },
            SubmitOptions::default(),
        );
        Harness::new_ui_state(
            |ui, (job, marks, cmds): &mut S| {
                ui.horizontal(|ui| marks_ui(ui, job, marks.as_ref(), cmds));
            },
            (job, marks, Vec::new()),
        )
    }

    #[test]
    fn like_and_rating_send_their_commands_by_click_and_by_key() {
        let mut h = harness(None);
        h.run();
        let id = h.state().0.id.clone();
        h.get_by_label("Like").click();
        h.run();
        assert_eq!(h.state().2.last(), Some(&UiCommand::ToggleLike { job_id: id.clone() }));
        h.key_press(egui::Key::Num4);
        h.run();
        assert_eq!(h.state().2.last(), Some(&UiCommand::Rate { job_id: id.clone(), stars: Some(4) }));
        h.key_press(egui::Key::L);
        h.run();
        assert_eq!(h.state().2.len(), 3, "L likes too: {:?}", h.state().2);
        let slider = h.get_by_role_and_label(egui::accesskit::Role::Slider, "Rating");
        assert_eq!(slider.accesskit_node().numeric_value(), Some(0.0), "shown as stored, not as asked");
    }

    #[test]
    fn stored_marks_show() {
        let marks = Marks { liked: true, rating: Some(3), collections: Vec::new() };
        let mut h = harness(Some(marks));
        h.run();
        assert_eq!(h.get_by_label("Like").accesskit_node().toggled(), Some(egui::accesskit::Toggled::True));
        let slider = h.get_by_role_and_label(egui::accesskit::Role::Slider, "Rating");
        assert_eq!(slider.accesskit_node().numeric_value(), Some(3.0));
        assert_eq!(stars(3), "3 of 5");
        assert_eq!(stars(0), "not rated");
    }
}
