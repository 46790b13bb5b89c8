//! `Remix`: redraw one of a finished job's images with a changed prompt, strongly or subtly.
//! Only Vtrix offers it ([`crate::job::Provider::no_remix`]); on other gateways' jobs the button is there,
//! disabled, and says why.

use crate::app::command::UiCommand;
use crate::job::{Job, JobStatus};

/// The Remix row's own state, while it is open on a job.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RemixForm {
    /// The job it is open on.
    pub open_for: Option<String>,
    pub prompt: String,
    /// Which image (0-3).
    pub index: u8,
    pub strong: bool,
}

/// `Remix` in the job's action row: opens the form, or says why the gateway has none.
pub fn remix_button_ui(ui: &mut egui::Ui, form: &mut RemixForm, job: &Job, images: usize) {
    if job.status != JobStatus::Succeeded || images == 0 {
        return;
    }
    let why = job.provider.no_remix();
    let open = form.open_for.as_deref() == Some(job.id.as_str());
    let button = ui
        .add_enabled(why.is_none(), egui::Button::new("Remix").selected(open))
        .on_hover_text("Redraw an image with a changed prompt")
        .on_disabled_hover_text(why.unwrap_or_default());
    if button.clicked() {
        *form = if open {
            RemixForm::default()
        } else {
            RemixForm {
                open_for: Some(job.id.clone()),
                prompt: job.prompt.clone().unwrap_or_default(),
                index: 0,
                strong: true,
            }
        };
    }
}

/// The open form under the actions: which image, strong or subtle, the prompt, `Submit`.
pub fn remix_form_ui(ui: &mut egui::Ui, form: &mut RemixForm, job: &Job, images: usize, commands: &mut Vec<UiCommand>) {
    if form.open_for.as_deref() != Some(job.id.as_str()) {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Remix image");
        for i in 0..images.min(4) as u8 {
            ui.selectable_value(&mut form.index, i, format!("{}", i + 1));
        }
        ui.separator();
        ui.selectable_value(&mut form.strong, true, "Strong").on_hover_text("Follow the new prompt closely");
        ui.selectable_value(&mut form.strong, false, "Subtle").on_hover_text("Keep close to the image");
    });
    ui.horizontal(|ui| {
        let label = ui.label("Remix prompt");
        let width = (ui.available_width() - 160.0).max(160.0);
        ui.add(egui::TextEdit::singleline(&mut form.prompt).desired_width(width)).labelled_by(label.id);
        let empty = form.prompt.trim().is_empty();
        let submit = ui
            .add_enabled(!empty, egui::Button::new("Submit remix"))
            .on_disabled_hover_text("Write the prompt the image should follow");
        if submit.clicked() {
            commands.push(UiCommand::Remix {
                job_id: job.id.clone(),
                index: form.index,
                prompt: form.prompt.trim().to_owned(),
                strong: form.strong,
            });
            *form = RemixForm::default();
        }
        if ui.button("Cancel remix").clicked() {
            *form = RemixForm::default();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, Provider, SubmitOptions};
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    type S = (RemixForm, Job, Vec<UiCommand>);

    fn harness(provider: Provider) -> Harness<'static, S> {
        let mut job = Job::new(
            provider,
            "https://gw.example",
            JobRequest::Imagine { prompt: "a fox".into() },
            SubmitOptions::default(),
        );
        job.prompt = Some("a fox".into());
        job.status = JobStatus::Succeeded;
        Harness::new_ui_state(
            |ui, (form, job, commands): &mut S| {
                remix_button_ui(ui, form, job, 4);
                remix_form_ui(ui, form, job, 4, commands);
            },
            (RemixForm::default(), job, Vec::new()),
        )
    }

    #[test]
    fn on_vtrix_remix_sends_the_image_mode_and_changed_prompt() {
        let mut h = harness(Provider::Vtrix);
        h.run();
        h.get_by_label("Remix").click();
        h.run();
        assert_eq!(h.get_by_label("Remix prompt").value().as_deref(), Some("a fox"), "starts from the job's prompt");
        h.get_by_label("3").click();
        h.get_by_label("Subtle").click();
        h.run();
        h.get_by_label("Remix prompt").focus();
        h.run();
        h.get_by_label("Remix prompt").type_text(" in the rain");
        h.run();
        h.get_by_label("Submit remix").click();
        h.run();
        let (form, job, commands) = h.state();
        assert_eq!(
            commands.as_slice(),
            [UiCommand::Remix { job_id: job.id.clone(), index: 2, prompt: "a fox in the rain".into(), strong: false }]
        );
        assert_eq!(form, &RemixForm::default(), "the form closes once sent");
    }

    #[test]
    fn elsewhere_the_button_is_disabled_and_says_why() {
        let mut h = harness(Provider::Ttapi);
        h.run();
        assert!(h.get_by_label("Remix").accesskit_node().is_disabled());
        assert!(Provider::Ttapi.no_remix().unwrap().contains("TTAPI's documents"));
        assert!(Provider::Acedata.no_remix().is_some());
        assert!(h.query_by_label("Remix prompt").is_none());
    }
}
