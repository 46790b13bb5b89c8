//! The selected job: its images and the actions it offers.
//!
//! A grid shows its four quadrants 2x2, each with its own `U<n>` / `V<n>` right under it;
//! then `Reroll` and every other action the job listed, labelled, the raw string for ones we
//! do not know. Buttons always send the job's own strings. A single image shows its actions,
//! one `Vary (Region)` (which opens the mask canvas) and the save / copy / show buttons.
//! Clicking an image opens it full size ([`crate::app::panels::viewer`]).

use crate::app::panels::prompt::prompt_label;
use crate::app::state::{AppState, UiCommand};
use crate::app::panels::viewer;
use crate::actions::ActionKind;
use crate::job::{Job, JobImage, JobStatus};

/// The job's actions sorted into where they go. Every string comes from `job.actions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionLayout {
    /// Per quadrant: the U and V strings offered for it.
    pub quadrants: [(Option<String>, Option<String>); 4],
    pub reroll: Option<String>,
    /// Everything else, labelled, in the job's order.
    pub others: Vec<(String, String)>,
    /// One `Vary (Region)` for the job: it offers one, or it is a finished single image.
    pub vary_region: bool,
}

impl ActionLayout {
    pub fn of(job: &Job) -> Self {
        let mut layout = ActionLayout::default();
        for action in &job.actions {
            match ActionKind::parse(action) {
                ActionKind::Upscale(q) => layout.quadrants[usize::from(q)].0.get_or_insert_with(|| action.clone()),
                ActionKind::Variation(q) => layout.quadrants[usize::from(q)].1.get_or_insert_with(|| action.clone()),
                ActionKind::Reroll => layout.reroll.get_or_insert_with(|| action.clone()),
                ActionKind::VaryRegion => {
                    layout.vary_region = true;
                    continue;
                }
                kind => {
                    layout.others.push((kind.label(), action.clone()));
                    continue;
                }
            };
        }
        if !layout.is_grid() && job.status == JobStatus::Succeeded && job.result_images().len() == 1 {
            layout.vary_region = true;
        }
        layout
    }

    /// Whether any quadrant has a U or V: the images are shown as a 2x2 grid.
    pub fn is_grid(&self) -> bool {
        self.quadrants.iter().any(|(u, v)| u.is_some() || v.is_some())
    }
}

/// What a quadrant shows: which result image, and which part of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadrantImage {
    pub index: usize,
    /// `None`: the whole image; otherwise this quarter (min x, min y, max x, max y in 0..1)
    /// of a single grid picture.
    pub uv: Option<[f32; 4]>,
}

/// Quadrant `q` of a grid job: its own image when the gateway gave four, else a quarter of
/// the one grid picture.
pub fn quadrant_image(image_count: usize, q: usize) -> Option<QuadrantImage> {
    match image_count {
        0 => None,
        n if n >= 4 => Some(QuadrantImage { index: q, uv: None }),
        _ => {
            let (x, y) = ((q % 2) as f32 * 0.5, (q / 2) as f32 * 0.5);
            Some(QuadrantImage { index: 0, uv: Some([x, y, x + 0.5, y + 0.5]) })
        }
    }
}

pub fn job_view_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<UiCommand>) {
    let Some(job) = state.selected_job() else {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            ui.weak("Select a job to see its images, or drop or paste an image here to edit it.");
            if ui.button("Edit an image file…").on_hover_text("Paint the part of an image to change").clicked() {
                commands.push(UiCommand::EditFile { path: None });
            }
        });
        return;
    };
    // The open job's images stay decoded (the full-size view draws them too).
    for image in job.result_images() {
        if let Some(path) = &image.local_path {
            crate::app::image_lru::touch(ui.ctx(), &format!("file://{}", path.display()), crate::app::image_lru::Class::Full);
        }
    }
    if viewer::viewer_ui(ui, job, commands) {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        if let crate::job::JobKind::Action { action, .. } = &job.kind {
            ui.strong(ActionKind::parse(action).label());
        }
        match &job.prompt {
            Some(p) => ui.add(prompt_label(ui, p, Some(3))),
            None => ui.strong(job.kind.label()),
        };
    });
    links_ui(ui, state, job, commands);
    status_ui(ui, job, commands);
    ui.horizontal(|ui| {
        if let Some(seed) = state.seed_of(job).filter(|_| job.seed.is_none() || job.status != JobStatus::Succeeded) {
            ui.weak(format!("seed {seed}"));
        }
        if job.status == JobStatus::Succeeded
            && !matches!(job.kind, crate::job::JobKind::Describe | crate::job::JobKind::Seed { .. })
            && ui.button("Seed").on_hover_text("Ask the gateway for this job's seed").clicked()
        {
            commands.push(UiCommand::Seed { job_id: job.id.clone() });
        }
    });
    let layout = ActionLayout::of(job);
    let images = job.result_images();
    // Room for the action row under the images.
    let reserve =
        if job.actions.is_empty() && images.len() != 1 { 8.0 } else { 2.0 * ui.spacing().interact_size.y + 16.0 };
    let height = (ui.available_height() - reserve).max(64.0);
    if layout.is_grid() {
        grid_ui(ui, job, &images, &layout, height, commands);
    } else {
        images_ui(ui, job, &images, height, commands);
    }
    actions_ui(ui, job, &images, &layout, commands);
    sent_mask_ui(ui, job, commands);
    for (n, p) in job.prompts.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            if ui.button(format!("Use prompt {}", n + 1)).on_hover_text("Put this prompt in the prompt box").clicked() {
                commands.push(UiCommand::UsePrompt { prompt: p.clone() });
            }
            ui.add(prompt_label(ui, p, None));
        });
    }
}

/// The job's family: its parent (for a follow-up) and its follow-ups, one click each.
fn links_ui(ui: &mut egui::Ui, state: &AppState, job: &Job, commands: &mut Vec<UiCommand>) {
    if job.parent_id.is_none() && state.children.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        if let Some(parent) = &job.parent_id
            && ui.link("Open parent job").on_hover_text(format!("job {}", short(parent))).clicked()
        {
            commands.push(UiCommand::Select { job_id: parent.clone() });
        }
        if !state.children.is_empty() {
            ui.weak("Follow-ups:");
            for child in &state.children {
                let row = crate::app::state::JobRow::of(child);
                let text = follow_up_link_text(ui.style(), &row.title);
                if ui.link(text).on_hover_text(&row.status).clicked() {
                    commands.push(UiCommand::Select { job_id: child.id.clone() });
                }
            }
        }
    });
}

/// A follow-up link: "Follow-up: " in the body font, then its title as Midjourney syntax in
/// monospace (so `--ar` reads as two dashes, as in the list and the prompt box).
fn follow_up_link_text(style: &egui::Style, title: &str) -> egui::text::LayoutJob {
    let body = egui::TextStyle::Body.resolve(style);
    let mut job = egui::text::LayoutJob::default();
    job.append("Follow-up: ", 0.0, egui::TextFormat::simple(body, style.visuals.hyperlink_color));
    let prompt = crate::app::panels::prompt::prompt_layout_job(style, title, f32::INFINITY);
    for section in prompt.sections {
        let mut format = section.format;
        if format.color == style.visuals.text_color() {
            format.color = style.visuals.hyperlink_color;
        }
        job.append(&prompt.text[section.byte_range.start.0..section.byte_range.end.0], 0.0, format);
    }
    job
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn status_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<UiCommand>) {
    match &job.status {
        JobStatus::Failed { reason } => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Failed: {reason}"));
        }
        JobStatus::Unknown { reason } => {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Unknown, may have been submitted: {reason}"));
        }
        JobStatus::Running { progress } => {
            ui.add(egui::ProgressBar::new(f32::from(*progress) / 100.0).show_percentage());
        }
        JobStatus::Succeeded => {
            if let Some(seed) = &job.seed {
                ui.weak(format!("seed {seed}"));
            }
        }
        other => {
            ui.label(other.label());
        }
    }
    if matches!(job.status, JobStatus::Unknown { .. } | JobStatus::Failed { .. }) {
        if ui.button("Retry").clicked() {
            commands.push(UiCommand::Retry { job_id: job.id.clone() });
        }
        if let Some(raw) = &job.last_raw {
            ui.collapsing("What the gateway answered", |ui| {
                ui.add(egui::Label::new(egui::RichText::new(raw).monospace().small()).wrap());
            });
        }
    }
}

/// One picture: the image itself (click to open full size), a spinner while it downloads,
/// or why it could not be fetched.
fn picture_ui(
    ui: &mut egui::Ui,
    job: &Job,
    image: Option<&JobImage>,
    shown: Option<QuadrantImage>,
    size: egui::Vec2,
    commands: &mut Vec<UiCommand>,
) {
    let (Some(image), Some(shown)) = (image, shown) else {
        ui.add_sized(size, egui::Label::new(egui::RichText::new("no image").weak()));
        return;
    };
    match (&image.local_path, &image.error) {
        (Some(path), _) => {
            let mut img = egui::Image::new(format!("file://{}", path.display()))
                .fit_to_exact_size(size)
                .corner_radius(4.0)
                .sense(egui::Sense::click());
            if let Some([x0, y0, x1, y1]) = shown.uv {
                img = img.uv(egui::Rect::from_min_max(egui::pos2(x0, y0), egui::pos2(x1, y1)));
            }
            let response = ui.add(img).on_hover_text("Click to open full size");
            if response.clicked() {
                viewer::open(ui.ctx(), &job.id, shown.index);
            }
            response.context_menu(|ui| {
                if ui.button("Open full size").clicked() {
                    viewer::open(ui.ctx(), &job.id, shown.index);
                }
                export_buttons(ui, job, shown.index, commands);
            });
        }
        (None, Some(err)) => {
            ui.add_sized(size, egui::Label::new(egui::RichText::new(err).color(ui.visuals().error_fg_color)).wrap());
        }
        (None, None) => {
            ui.add_sized(size, egui::Spinner::new());
        }
    }
}

fn grid_ui(
    ui: &mut egui::Ui,
    job: &Job,
    images: &[&JobImage],
    layout: &ActionLayout,
    height: f32,
    commands: &mut Vec<UiCommand>,
) {
    let row_buttons = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    let (w, h) = (job.width.unwrap_or(1) as f32, job.height.unwrap_or(1) as f32);
    let aspect = if w > 0.0 && h > 0.0 { w / h } else { 1.0 };
    let cell_w = ((ui.available_width() - 12.0) / 2.0).min(((height - 12.0) / 2.0 - row_buttons) * aspect).max(48.0);
    let size = egui::vec2(cell_w, cell_w / aspect);
    egui::Grid::new(("quadrants", &job.id)).spacing([8.0, 8.0]).show(ui, |ui| {
        for (q, (u, v)) in layout.quadrants.iter().enumerate() {
            ui.vertical(|ui| {
                let shown = quadrant_image(images.len(), q);
                picture_ui(ui, job, shown.and_then(|s| images.get(s.index).copied()), shown, size, commands);
                ui.horizontal(|ui| {
                    for action in [u, v].into_iter().flatten() {
                        action_button(ui, job, action, commands);
                    }
                });
            });
            if q % 2 == 1 {
                ui.end_row();
            }
        }
    });
}

fn images_ui(ui: &mut egui::Ui, job: &Job, images: &[&JobImage], height: f32, commands: &mut Vec<UiCommand>) {
    if images.is_empty() {
        return;
    }
    let columns = if images.len() >= 4 { 2 } else { images.len() };
    let rows = images.len().div_ceil(columns);
    let side = (ui.available_width() / columns as f32 - 8.0).min(height / rows as f32 - 8.0).max(64.0);
    egui::Grid::new(("images", &job.id)).spacing([6.0, 6.0]).show(ui, |ui| {
        for (i, img) in images.iter().enumerate() {
            let shown = QuadrantImage { index: i, uv: None };
            picture_ui(ui, job, Some(img), Some(shown), egui::vec2(side, side), commands);
            if (i + 1) % columns == 0 {
                ui.end_row();
            }
        }
    });
}

fn action_button(ui: &mut egui::Ui, job: &Job, action: &str, commands: &mut Vec<UiCommand>) {
    let label = ActionKind::parse(action).label();
    if ui.button(&label).on_hover_text(action).clicked() {
        commands.push(UiCommand::Action { job_id: job.id.clone(), action: action.to_owned() });
    }
}

fn actions_ui(
    ui: &mut egui::Ui,
    job: &Job,
    images: &[&JobImage],
    layout: &ActionLayout,
    commands: &mut Vec<UiCommand>,
) {
    ui.horizontal_wrapped(|ui| {
        if let Some(reroll) = &layout.reroll {
            action_button(ui, job, reroll, commands);
        }
        for (label, action) in &layout.others {
            if ui.button(label).on_hover_text(action).clicked() {
                commands.push(UiCommand::Action { job_id: job.id.clone(), action: action.clone() });
            }
        }
        if layout.vary_region && ui.button("Vary (Region)").on_hover_text("Paint the part to redraw").clicked() {
            commands.push(UiCommand::VaryRegion { job_id: job.id.clone() });
        }
        if !layout.is_grid() && images.len() == 1 {
            let ready = images[0].local_path.is_some();
            let why = "The image is not downloaded yet";
            for (label, retexture, hint) in [
                ("Edit", false, "Paint the part to redraw"),
                ("Retexture", true, "Paint the part to give a new surface"),
            ] {
                if ui
                    .add_enabled(ready, egui::Button::new(label))
                    .on_hover_text(hint)
                    .on_disabled_hover_text(why)
                    .clicked()
                {
                    commands.push(UiCommand::EditImage { job_id: job.id.clone(), retexture });
                }
            }
            ui.separator();
            export_buttons(ui, job, 0, commands);
        }
        crate::app::editors::canvas_edit::open_buttons_ui(ui, job, images, commands);
    });
}

/// The mask the job was sent with, small, and `Edit mask again`.
fn sent_mask_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<UiCommand>) {
    if crate::app::editors::region::sent_mask(&job.request).is_none() {
        return;
    }
    ui.horizontal(|ui| {
        ui.weak("Mask sent:");
        crate::app::mask_preview::mask_preview_ui(ui, &job.id, &job.request);
        let again = crate::app::editors::region::edit_again(job).is_some() || crate::app::editors::canvas_edit::edit_again(job).is_some();
        if ui
            .add_enabled(again, egui::Button::new("Edit mask again"))
            .on_hover_text("A new edit of the same image, starting from this mask")
            .on_disabled_hover_text("The image this mask was painted on is not known here")
            .clicked()
        {
            commands.push(UiCommand::EditMaskAgain { job_id: job.id.clone() });
        }
    });
}

/// Closes the context menu the buttons are in, if they are in one.
fn close_menu(ui: &egui::Ui) {
    if egui::containers::menu::is_in_menu(ui) {
        ui.close();
    }
}

/// `Save image`, `Copy image` and `Show in folder` for result image `index` of `job`.
pub(super) fn export_buttons(ui: &mut egui::Ui, job: &Job, index: usize, commands: &mut Vec<UiCommand>) {
    let path = job.result_images().get(index).and_then(|i| i.local_path.clone());
    let ready = path.is_some();
    let why = "The image is not downloaded yet";
    if ui.add_enabled(ready, egui::Button::new("Save image")).on_disabled_hover_text(why).clicked()
        && let Some(source) = &path
    {
        let file_name = crate::app::export::default_file_name(job.prompt.as_deref(), &job.id, index + 1, Some(source));
        commands.push(UiCommand::SaveImage { source: source.clone(), file_name });
        close_menu(ui);
    }
    if ui.add_enabled(ready, egui::Button::new("Copy image")).on_disabled_hover_text(why).clicked()
        && let Some(source) = &path
    {
        commands.push(UiCommand::CopyImage { source: source.clone() });
        close_menu(ui);
    }
    if ui.add_enabled(ready, egui::Button::new("Show in folder")).on_disabled_hover_text(why).clicked()
        && let Some(source) = &path
    {
        commands.push(UiCommand::ShowInFolder { path: source.clone() });
        close_menu(ui);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, Provider, SubmitOptions};
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    type S = (AppState, Vec<UiCommand>);

    fn finished(provider: Provider, actions: &[&str]) -> Job {
        let req = JobRequest::Imagine { prompt: "a fox --ar 3:2".into() };
        let mut job = Job::new(provider, "http://x", req, SubmitOptions::default());
        job.status = JobStatus::Succeeded;
        job.actions = actions.iter().map(|s| (*s).to_owned()).collect();
        job
    }

    fn harness(job: Job) -> Harness<'static, S> {
        let state = AppState::new("sim".into(), 10, vec![job]);
        let mut h = Harness::builder()
            .with_size(egui::vec2(900.0, 800.0))
            .with_context_setup(egui_extras::install_image_loaders)
            .build_ui_state(|ui, (state, cmds): &mut S| job_view_ui(ui, state, cmds), (state, Vec::new()));
        h.run_steps(2);
        h
    }

    fn click(h: &mut Harness<'static, S>, label: &str) -> UiCommand {
        h.get_by_label(label).click();
        h.run_steps(2);
        h.state().1.last().cloned().unwrap_or_else(|| panic!("{label} sent nothing"))
    }

    const TTAPI_GRID: [&str; 10] = [
        "upsample1",
        "upsample2",
        "upsample3",
        "upsample4",
        "reroll",
        "variation1",
        "variation2",
        "variation3",
        "variation4",
        "zoom_out_2",
    ];

    /// Labels of every button in the view.
    fn button_labels(h: &Harness<'static, S>) -> Vec<String> {
        let mut labels: Vec<String> =
            h.get_all_by_role(egui::accesskit::Role::Button).filter_map(|n| n.accesskit_node().label()).collect();
        labels.sort();
        labels
    }

    #[test]
    fn u2_on_a_ttapi_grid_sends_upsample2_for_that_job() {
        let job = finished(Provider::Ttapi, &TTAPI_GRID);
        let id = job.id.clone();
        let mut h = harness(job);
        assert_eq!(click(&mut h, "U2"), UiCommand::Action { job_id: id.clone(), action: "upsample2".into() });
        assert_eq!(click(&mut h, "V4"), UiCommand::Action { job_id: id.clone(), action: "variation4".into() });
        assert_eq!(click(&mut h, "Reroll"), UiCommand::Action { job_id: id, action: "reroll".into() });
    }

    #[test]
    fn u2_on_an_acedata_grid_sends_upscale2() {
        let job = finished(Provider::Acedata, &["upscale1", "upscale2", "upscale3", "upscale4", "variation2"]);
        let id = job.id.clone();
        let mut h = harness(job);
        assert_eq!(click(&mut h, "U2"), UiCommand::Action { job_id: id, action: "upscale2".into() });
    }

    #[test]
    fn the_buttons_are_exactly_the_jobs_actions() {
        let job = finished(Provider::Ttapi, &TTAPI_GRID);
        let h = harness(job);
        let mut want: Vec<String> = TTAPI_GRID.iter().map(|a| ActionKind::parse(a).label()).collect();
        want.sort();
        // `Seed` asks about the job itself; every other button is one of its actions.
        let labels = button_labels(&h);
        assert!(labels.iter().any(|l| l == "Seed"));
        assert_eq!(labels.into_iter().filter(|l| l != "Seed").collect::<Vec<_>>(), want);
    }

    #[test]
    fn seed_asks_for_the_open_job_and_the_seed_shows_when_it_arrives() {
        let job = finished(Provider::Ttapi, &TTAPI_GRID);
        let id = job.id.clone();
        let mut h = harness(job.clone());
        assert_eq!(click(&mut h, "Seed"), UiCommand::Seed { job_id: id.clone() });
        let req = JobRequest::Seed { parent: crate::job::ParentRef::job("gw") };
        let mut seed_job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        seed_job.parent_id = Some(id);
        seed_job.seed = Some("4242".into());
        seed_job.status = JobStatus::Succeeded;
        h.state_mut().0.apply(crate::manager::Update::Job(std::sync::Arc::new(seed_job)));
        h.run_steps(2);
        h.get_by_label("seed 4242");
    }

    #[test]
    fn a_follow_up_links_its_parent_and_a_parent_its_children() {
        let parent = finished(Provider::Ttapi, &TTAPI_GRID);
        let req = JobRequest::Action { parent: crate::job::ParentRef::job("gw"), action: "upsample3".into() };
        let mut child = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        child.parent_id = Some(parent.id.clone());
        child.prompt = Some("a fox --ar 3:2".into());
        let mut h = harness(parent.clone());
        h.state_mut().0.children = vec![crate::store::JobSummary::of(&child)];
        h.run_steps(2);
        assert_eq!(click(&mut h, "Follow-up: U3 · a fox --ar 3:2"), UiCommand::Select { job_id: child.id.clone() });
        let mut h = harness(child);
        assert_eq!(click(&mut h, "Open parent job"), UiCommand::Select { job_id: parent.id });
    }

    #[test]
    fn a_follow_up_link_shows_its_prompt_in_monospace() {
        let style = egui::Style::default();
        let job = follow_up_link_text(&style, "U3 · a fox --ar 3:2");
        assert_eq!(job.text, "Follow-up: U3 · a fox --ar 3:2");
        let font_at = |needle: &str| {
            let at = job.text.find(needle).unwrap();
            let section =
                job.sections.iter().find(|s| (s.byte_range.start.0..s.byte_range.end.0).contains(&at)).unwrap();
            section.format.font_id.family.clone()
        };
        assert_eq!(font_at("--ar"), egui::FontFamily::Monospace, "--ar is two dashes, not an en dash");
        assert_eq!(font_at("a fox"), egui::FontFamily::Monospace);
        assert_eq!(font_at("Follow-up"), egui::FontFamily::Proportional);
    }

    #[test]
    fn a_describe_prompt_goes_into_the_box_in_one_click() {
        let mut job = finished(Provider::Ttapi, &[]);
        job.prompts = vec!["a cat on a sofa --ar 4:3".into(), "a tabby cat, oil painting".into()];
        let mut h = harness(job);
        assert_eq!(click(&mut h, "Use prompt 2"), UiCommand::UsePrompt { prompt: "a tabby cat, oil painting".into() });
        let (state, cmds) = h.state_mut();
        if let Some(UiCommand::UsePrompt { prompt }) = cmds.last() {
            state.use_prompt(prompt);
        }
        assert_eq!(h.state().0.prompt, "a tabby cat, oil painting");
    }

    #[test]
    fn each_quadrants_u_and_v_sit_at_its_image() {
        let job = finished(Provider::Ttapi, &TTAPI_GRID);
        let h = harness(job);
        let rect = |l: &str| h.get_by_label(l).rect();
        for n in 1..=4 {
            let (u, v) = (rect(&format!("U{n}")), rect(&format!("V{n}")));
            assert!((u.center().y - v.center().y).abs() < 1.0, "U{n} and V{n} share a row");
        }
        // Quadrants 1 and 2 side by side, 3 and 4 under them.
        assert!(rect("U2").left() > rect("V1").right());
        assert!(rect("U3").top() > rect("U1").bottom() + 20.0, "a picture's height between the rows");
        assert!((rect("U1").left() - rect("U3").left()).abs() < 1.0);
        assert!(rect("Reroll").top() > rect("U3").bottom(), "Reroll comes after the grid");
    }

    #[test]
    fn unknown_and_extra_actions_are_offered_with_their_raw_or_readable_names() {
        let job = finished(Provider::Ttapi, &["upscale_2x", "make_square", "weird_new_thing"]);
        let id = job.id.clone();
        let mut h = harness(job);
        assert_eq!(click(&mut h, "Upscale 2x"), UiCommand::Action { job_id: id.clone(), action: "upscale_2x".into() });
        assert_eq!(
            click(&mut h, "Make Square"),
            UiCommand::Action { job_id: id.clone(), action: "make_square".into() }
        );
        assert_eq!(
            click(&mut h, "weird_new_thing"),
            UiCommand::Action { job_id: id, action: "weird_new_thing".into() }
        );
    }

    #[test]
    fn a_single_image_offers_one_vary_region_that_opens_the_canvas() {
        let mut job = finished(Provider::Ttapi, &["vary_subtle", "variation_region", "vary_region", "zoom_out_2x"]);
        job.images = vec![JobImage { url: "http://x/1.png".into(), ..Default::default() }];
        let id = job.id.clone();
        let mut h = harness(job);
        assert_eq!(h.get_all_by_label("Vary (Region)").count(), 1);
        assert_eq!(click(&mut h, "Vary (Region)"), UiCommand::VaryRegion { job_id: id.clone() });
        assert_eq!(click(&mut h, "Vary (Subtle)"), UiCommand::Action { job_id: id, action: "vary_subtle".into() });
        assert!(h.query_by_label("variation_region").is_none() && h.query_by_label("vary_region").is_none());
        assert!(h.get_by_label("Save image").accesskit_node().is_disabled(), "nothing to save before the download");
    }

    #[test]
    fn a_downloaded_single_image_can_be_saved_copied_and_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("img.png");
        let img = image::RgbaImage::from_pixel(4, 4, image::Rgba([200, 10, 10, 255]));
        std::fs::write(&path, crate::imageio::encode_png(&img)).unwrap();
        let mut job = finished(Provider::Ttapi, &["upscale_2x"]);
        job.prompt = Some("Red fox in snow --ar 1:1".into());
        job.images = vec![JobImage { url: "http://x/1.png".into(), local_path: Some(path.clone()), error: None }];
        let short: String = job.id.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
        let mut h = harness(job);
        let want = format!("red-fox-in-snow_{short}_1.png");
        assert_eq!(click(&mut h, "Save image"), UiCommand::SaveImage { source: path.clone(), file_name: want });
        assert_eq!(click(&mut h, "Copy image"), UiCommand::CopyImage { source: path.clone() });
        assert_eq!(click(&mut h, "Show in folder"), UiCommand::ShowInFolder { path });
    }

    #[test]
    fn clicking_an_image_opens_the_full_size_viewer_and_escape_closes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("img.png");
        let img = image::RgbaImage::from_pixel(64, 48, image::Rgba([10, 200, 10, 255]));
        std::fs::write(&path, crate::imageio::encode_png(&img)).unwrap();
        let mut job = finished(Provider::Ttapi, &["zoom_out_2x"]);
        job.images = vec![JobImage { url: "http://x/1.png".into(), local_path: Some(path), error: None }];
        let id = job.id.clone();
        let state = AppState::new("sim".into(), 10, vec![job]);
        let mut h = Harness::builder()
            .with_size(egui::vec2(900.0, 800.0))
            .with_context_setup(egui_extras::install_image_loaders)
            .build_ui_state(|ui, (state, cmds): &mut S| job_view_ui(ui, state, cmds), (state, Vec::new()));
        h.run();
        assert!(h.query_by_label("100%").is_none());
        h.get_by_role(egui::accesskit::Role::Image).click();
        h.run();
        assert_eq!(viewer::open_image(&h.ctx).map(|o| (o.job_id, o.index)), Some((id, 0)));
        h.get_by_label("100%").click();
        h.run();
        let view = viewer::open_image(&h.ctx).and_then(|o| o.view).expect("zoomed to 100%");
        assert_eq!(view.scale, 1.0);
        h.get_by_label("Fit").click();
        h.run();
        assert_eq!(viewer::open_image(&h.ctx).and_then(|o| o.view), None);
        h.key_press(egui::Key::Escape);
        h.run();
        assert!(viewer::open_image(&h.ctx).is_none());
        h.get_by_label("Zoom Out 2x");
    }

    #[test]
    fn a_downloaded_single_image_offers_edit_and_retexture() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("img.png");
        std::fs::write(&path, crate::imageio::encode_png(&image::RgbaImage::new(4, 4))).unwrap();
        let mut job = finished(Provider::Ttapi, &["upscale_2x"]);
        job.images = vec![JobImage { url: "http://x/1.png".into(), local_path: None, error: None }];
        let h = harness(job.clone());
        assert!(h.get_by_label("Edit").accesskit_node().is_disabled(), "nothing to paint on before the download");
        job.images[0].local_path = Some(path);
        let id = job.id.clone();
        let mut h = harness(job);
        assert_eq!(click(&mut h, "Edit"), UiCommand::EditImage { job_id: id.clone(), retexture: false });
        assert_eq!(click(&mut h, "Retexture"), UiCommand::EditImage { job_id: id, retexture: true });
    }

    #[test]
    fn the_mask_a_job_was_sent_with_is_shown_with_edit_mask_again() {
        let mut mask = crate::mask::Mask::new(64, 32);
        mask.fill_rect(8, 8, 24, 24, true);
        let req = JobRequest::Inpaint { parent: crate::job::ParentRef::job("gw"), mask, prompt: None };
        let mut job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        job.status = JobStatus::Succeeded;
        job.parent_id = Some("parent".into());
        let id = job.id.clone();
        let mut h = harness(job);
        for _ in 0..200 {
            if h.query_by_label("The mask this job was sent with").is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            h.run_steps(1);
        }
        h.get_by_label("The mask this job was sent with");
        assert_eq!(click(&mut h, "Edit mask again"), UiCommand::EditMaskAgain { job_id: id });

        let plain = harness(finished(Provider::Ttapi, &["upscale_2x"]));
        assert!(plain.query_by_label("Edit mask again").is_none(), "no mask, no button");
    }

    #[test]
    fn with_no_job_an_image_file_can_be_opened_for_an_edit() {
        let state = AppState::new("sim".into(), 10, Vec::new());
        let mut h = Harness::builder()
            .with_size(egui::vec2(900.0, 800.0))
            .build_ui_state(|ui, (state, cmds): &mut S| job_view_ui(ui, state, cmds), (state, Vec::new()));
        h.run();
        assert_eq!(click(&mut h, "Edit an image file…"), UiCommand::EditFile { path: None });
    }

    #[test]
    fn a_failed_job_shows_the_gateways_reason_and_retry() {
        let mut job = finished(Provider::Ttapi, &[]);
        job.status = JobStatus::Failed { reason: "[Banned prompt detected]".into() };
        let id = job.id.clone();
        let mut h = harness(job);
        h.get_by_label("Failed: [Banned prompt detected]");
        assert_eq!(click(&mut h, "Retry"), UiCommand::Retry { job_id: id });
        assert!(h.query_by_label("Vary (Region)").is_none());
    }

    #[test]
    fn a_job_of_unknown_fate_offers_retry() {
        let mut job = finished(Provider::Ttapi, &[]);
        job.status = JobStatus::Unknown { reason: "the connection broke".into() };
        let id = job.id.clone();
        let mut h = harness(job);
        assert_eq!(click(&mut h, "Retry"), UiCommand::Retry { job_id: id });
    }

    #[test]
    fn quadrants_map_to_their_own_images_or_quarters_of_the_grid() {
        assert_eq!(quadrant_image(0, 0), None);
        assert_eq!(quadrant_image(4, 2), Some(QuadrantImage { index: 2, uv: None }));
        assert_eq!(quadrant_image(1, 0), Some(QuadrantImage { index: 0, uv: Some([0.0, 0.0, 0.5, 0.5]) }));
        assert_eq!(quadrant_image(1, 1), Some(QuadrantImage { index: 0, uv: Some([0.5, 0.0, 1.0, 0.5]) }));
        assert_eq!(quadrant_image(1, 3), Some(QuadrantImage { index: 0, uv: Some([0.5, 0.5, 1.0, 1.0]) }));
    }

    #[test]
    fn the_layout_sorts_actions_and_keeps_the_jobs_spelling() {
        let layout =
            ActionLayout::of(&finished(Provider::Acedata, &["upscale3", "variation3", "reroll", "high_variation"]));
        assert!(layout.is_grid());
        assert_eq!(layout.quadrants[2], (Some("upscale3".into()), Some("variation3".into())));
        assert_eq!(layout.reroll.as_deref(), Some("reroll"));
        assert_eq!(layout.others, vec![("Vary (Strong)".to_owned(), "high_variation".to_owned())]);
        assert!(!layout.vary_region, "a grid only gets Vary (Region) when it offers it");
    }
}
