use super::*;
use crate::job::{JobRequest, Provider, SubmitOptions};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The job view's state in a test: the window's state, the commands it pushed, its own.
pub(super) type S = (AppState, Vec<UiCommand>, JobView);

fn finished(provider: Provider, actions: &[&str]) -> Job {
    let req = JobRequest::Imagine { prompt: "a fox --ar 3:2".into() };
    let mut job = Job::new(provider, "http://x", req, SubmitOptions::default());
    job.status = JobStatus::Succeeded;
    job.actions = actions.iter().map(|s| (*s).to_owned()).collect();
    job
}

/// The job view showing `job` (images load from disk), two frames in.
pub(super) fn harness(job: Job) -> Harness<'static, S> {
    let state = AppState::new("sim".into(), 10, vec![job]);
    let mut h = Harness::builder()
        .with_size(egui::vec2(900.0, 800.0))
        .with_context_setup(egui_extras::install_image_loaders)
        .build_ui_state(
            |ui, (state, cmds, view): &mut S| job_view_ui(ui, view, state, cmds),
            (state, Vec::new(), JobView::default()),
        );
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
fn a_refused_follow_up_is_said_under_the_actions_of_its_job() {
    let mut h = harness(finished(Provider::Ttapi, &TTAPI_GRID));
    let id = h.state().0.selected.clone().unwrap();
    h.state_mut().2.sent(&id, "U2".into(), 5);
    h.run_steps(2);
    h.get_by_label("U2: sending…");
    let error = crate::intent::IntentError::NoSuchJob("gone".into()).into();
    let answer = h.state_mut().2.submission.answer(&crate::manager::Update::Rejected { id: 5, error });
    assert!(answer.is_some());
    h.run_steps(2);
    h.get_by_label("U2 was refused:");
    h.get_by_label("no job 'gone' here");
    h.state_mut().2.sent_from = Some(("another job".into(), "U2".into()));
    h.run_steps(2);
    assert!(h.query_by_label("U2 was refused:").is_none(), "only under the job it was sent from");
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
    // `Seed`, `Edit prompt` and `Like` are about the job itself; every other button is one of
    // its actions.
    let labels = button_labels(&h);
    for own in ["Seed", "Edit prompt", "Like"] {
        assert!(labels.iter().any(|l| l == own), "{own}");
    }
    let about_the_job = |l: &String| !["Seed", "Edit prompt", "Like"].contains(&l.as_str());
    assert_eq!(labels.into_iter().filter(about_the_job).collect::<Vec<_>>(), want);
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
        let section = job.sections.iter().find(|s| (s.byte_range.start.0..s.byte_range.end.0).contains(&at)).unwrap();
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
    let mut prompt_box = crate::app::panels::prompt_params::PromptForm::default();
    if let Some(UiCommand::UsePrompt { prompt }) = h.state().1.last() {
        prompt_box.use_prompt(prompt);
    }
    assert_eq!(prompt_box.text, "a tabby cat, oil painting");
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
    assert_eq!(click(&mut h, "Make Square"), UiCommand::Action { job_id: id.clone(), action: "make_square".into() });
    assert_eq!(click(&mut h, "weird_new_thing"), UiCommand::Action { job_id: id, action: "weird_new_thing".into() });
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
        .build_ui_state(
            |ui, (state, cmds, view): &mut S| job_view_ui(ui, view, state, cmds),
            (state, Vec::new(), JobView::default()),
        );
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
    let mut h = Harness::builder().with_size(egui::vec2(900.0, 800.0)).build_ui_state(
        |ui, (state, cmds, view): &mut S| job_view_ui(ui, view, state, cmds),
        (state, Vec::new(), JobView::default()),
    );
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
    assert!(h.query_by_label("Check again").is_none(), "the gateway's own failure is final");
}

#[test]
fn a_job_mjdesk_stopped_waiting_for_can_be_checked_again_for_free() {
    let mut job = finished(Provider::Ttapi, &[]);
    job.gateway_id = Some("gw-1".into());
    job.status = JobStatus::Failed {
        reason: format!("{}no result within 900 s; the gateway last answered ON_QUEUE", crate::job::TIMED_OUT),
    };
    let id = job.id.clone();
    let mut h = harness(job);
    assert_eq!(click(&mut h, "Check again"), UiCommand::CheckAgain { job_id: id.clone() });
    assert_eq!(click(&mut h, "Retry"), UiCommand::Retry { job_id: id });
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

#[test]
fn edit_prompt_asks_for_the_open_jobs_prompt_back() {
    let job = finished(Provider::Ttapi, &TTAPI_GRID);
    let id = job.id.clone();
    let mut h = harness(job);
    assert_eq!(click(&mut h, "Edit prompt"), UiCommand::EditPrompt { job_id: id });
}

#[test]
fn in_a_narrow_view_the_seed_and_marks_row_wraps_inside_it() {
    let job = finished(Provider::Ttapi, &TTAPI_GRID);
    let state = AppState::new("sim".into(), 10, vec![job]);
    let width = 300.0;
    let mut h = Harness::builder().with_size(egui::vec2(width, 700.0)).build_ui_state(
        |ui, (state, cmds, view): &mut S| job_view_ui(ui, view, state, cmds),
        (state, Vec::new(), JobView::default()),
    );
    h.run_steps(2);
    for label in ["Seed", "Edit prompt", "Like"] {
        let rect = h.get_by_label(label).rect();
        assert!(rect.right() <= width, "{label} ends at {} in a {width} view", rect.right());
    }
    let slider = h.get_by_role(egui::accesskit::Role::Slider).rect();
    assert!(slider.right() <= width, "the rating slider ends at {} in a {width} view", slider.right());
}
