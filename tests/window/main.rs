//! The whole window against the simulator over real HTTP, driven by accessible names as a
//! designer (or a screen reader) uses it: type a prompt, Imagine, watch it finish, press U3
//! under the third quadrant, and find the upscale in the list as a child of the grid.
//!
//! The window reads its data and config folders from the environment, so the tests in this
//! binary run one at a time ([`Fixture`]), each with its own folders.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use mjdesk::app::{MjdeskApp, Target};
use mjdesk::job::{Job, JobStatus, Provider};
use mjdesk::sim::{SimConfig, SimServer};
use mjdesk::store::Store;

mod canvas_edit;
mod drag_to_prompt;
mod library;
mod palette;
mod remix;
mod video;

/// What every window test starts from: the environment to itself (the window reads its
/// folders from it, so the tests in this binary run one at a time; a test that failed does
/// not block the others), a tokio runtime, and a fresh home for the data and config folders.
/// A test enters the runtime (`let _rt = f.rt.enter();`) for as long as the window runs.
struct Fixture {
    rt: tokio::runtime::Runtime,
    home: tempfile::TempDir,
    _env: MutexGuard<'static, ()>,
}

impl Fixture {
    fn new() -> Self {
        static ENV: Mutex<()> = Mutex::new(());
        let env = ENV.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let home = tempfile::tempdir().unwrap();
        // SAFETY: the tests in this binary hold `ENV` while they touch the environment, and
        // nothing else in the process reads it meanwhile.
        unsafe {
            std::env::set_var("MJDESK_DATA_DIR", home.path().join("data"));
            std::env::set_var("MJDESK_CONFIG_DIR", home.path().join("config"));
            std::env::set_var("MJDESK_POLL_MS", "50");
        }
        Fixture { rt: tokio::runtime::Runtime::new().unwrap(), home, _env: env }
    }

    /// A simulator on a free loopback port.
    fn sim(&self, config: SimConfig) -> SimServer {
        self.rt.block_on(SimServer::start(config, ([127, 0, 0, 1], 0).into())).unwrap()
    }

    /// The real window on the simulator at `server`, in `provider`'s dialect, once its engine
    /// is up.
    fn window(&self, server: &SimServer, provider: Provider) -> Harness<'static, MjdeskApp> {
        let target = Target {
            provider: Some(provider),
            base_url: Some(server.base_url()),
            api_key: Some(server.api_key().to_owned()),
            ..Default::default()
        };
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1280.0, 900.0))
            .build_eframe(|cc| MjdeskApp::new(&cc.egui_ctx, target, Instant::now()));
        step_until(&mut harness, "the engine to start", |h| {
            h.query_by_label("No jobs yet. Type a prompt above and press Imagine.").is_some()
        });
        harness
    }

    fn home(&self) -> &std::path::Path {
        self.home.path()
    }
}

fn type_into(harness: &mut Harness<'_, MjdeskApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
}

fn quick_sim() -> SimConfig {
    SimConfig {
        queue_time: Duration::from_millis(200),
        run_time: Duration::from_millis(800),
        grid_size: 256,
        ..SimConfig::default()
    }
}

/// Steps the window (real time passes: the engine works on its own threads) until `done`.
fn step_until(harness: &mut Harness<'_, MjdeskApp>, what: &str, done: impl Fn(&Harness<'_, MjdeskApp>) -> bool) {
    let start = Instant::now();
    while !done(harness) {
        assert!(start.elapsed() < Duration::from_secs(30), "gave up waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// The first job (a grid) and its follow-up, once that has succeeded, read from the store in
/// `home` while the window keeps running.
fn finished_child(harness: &mut Harness<'_, MjdeskApp>, home: &std::path::Path, what: &str) -> (Job, Job) {
    let store = Store::open(&home.join("data")).unwrap();
    let wait = Instant::now();
    loop {
        let jobs = store.jobs_page(0, 10).unwrap();
        let child = jobs.iter().find(|j| j.parent_id.is_some() && j.status == JobStatus::Succeeded).cloned();
        if let Some(child) = child {
            let grid = jobs.into_iter().find(|j| j.parent_id.is_none()).unwrap();
            return (grid, child);
        }
        assert!(wait.elapsed() < Duration::from_secs(30), "{what} did not finish");
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn imagine_then_u3_in_the_window_makes_an_upscale_that_is_a_child_of_the_grid() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);

    type_into(&mut harness, "Prompt", "a cabin by a lake");
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "the grid's U3 button", |h| h.query_all_by_label("U3").next().is_some());
    assert!(harness.query_all_by_label("a cabin by a lake").next().is_some(), "the job is in the list");

    harness.get_by_label("U3").click();
    step_until(&mut harness, "the upscale in the list", |h| {
        h.query_all_by_label("U3 · a cabin by a lake").next().is_some()
    });
    // The view stays on the grid while the child runs.
    assert!(harness.query_all_by_label("U1").next().is_some(), "the grid's buttons are still there");

    let (grid, child) = finished_child(&mut harness, f.home(), "the upscale");
    assert_eq!(child.parent_id.as_deref(), Some(grid.id.as_str()));
    match &child.kind {
        mjdesk::job::JobKind::Action { action, .. } => assert_eq!(action, "upsample3"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.stats().submits, 2);
}

#[test]
fn settings_switch_the_gateway_and_the_next_imagine_goes_to_the_new_one() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let first = f.sim(quick_sim());
    let second = f.sim(SimConfig { api_key: "sk-the-second-gateway".into(), ..quick_sim() });
    let mut harness = f.window(&first, Provider::Ttapi);
    assert!(harness.query_by_label(&format!("TTAPI · {}", first.base_url())).is_some(), "the bar names the gateway");

    harness.get_by_label("Settings").click();
    step_until(&mut harness, "the Settings window", |h| h.query_by_label("AceData").is_some());
    harness.get_by_label("AceData").click();
    harness.step();
    // The first gateway's URL went with it: the field is empty, for the second's.
    assert_eq!(harness.get_by_label("Base URL").value().as_deref(), Some(""));
    type_into(&mut harness, "Base URL", &second.base_url());
    assert_eq!(harness.get_by_label("Base URL").value().as_deref(), Some(second.base_url().as_str()));
    type_into(&mut harness, "API key", second.api_key());
    harness.get_by_label("Save").click();
    let now_on = format!("AceData · {}", second.base_url());
    step_until(&mut harness, "the window to reconnect to the second gateway", |h| h.query_by_label(&now_on).is_some());

    type_into(&mut harness, "Prompt", "a lighthouse at dusk");
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "the second gateway to take the job", |_| second.stats().submits == 1);
    assert_eq!(first.stats().submits, 0, "nothing went to the first gateway");

    let store = Store::open(&f.home().join("data")).unwrap();
    let jobs = store.jobs_page(0, 10).unwrap();
    let [job] = jobs.as_slice() else { panic!("one job, not {}", jobs.len()) };
    assert_eq!(job.provider, Provider::Acedata);
    assert_eq!(job.base_url, second.base_url());
    assert_eq!(job.prompt.as_deref(), Some("a lighthouse at dusk"));
}

/// A file dropped onto the window, as the desktop gives it: by path.
#[derive(Debug)]
struct DroppedPath(std::path::PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_files(harness: &mut Harness<'_, MjdeskApp>, paths: &[&std::path::Path]) {
    harness.input_mut().dropped_files =
        paths.iter().map(|p| std::sync::Arc::new(DroppedPath(p.to_path_buf())) as egui::DroppedFileHandle).collect();
    harness.step();
}

#[test]
fn images_dropped_or_pasted_onto_the_window_land_in_blend_the_canvas_or_describe() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let (cat, dog) = (f.home().join("cat.png"), f.home().join("dog.png"));
    for path in [&cat, &dog] {
        image::RgbaImage::from_pixel(64, 48, image::Rgba([200, 120, 40, 255])).save(path).unwrap();
    }
    let mut harness = f.window(&server, Provider::Ttapi);

    // An image pasted with nothing open opens the mask canvas on it, for an edit.
    let pasted = egui::ColorImage::filled([40, 30], egui::Color32::from_rgb(90, 20, 160));
    harness.event(egui::Event::PasteImage(std::sync::Arc::new(pasted)));
    step_until(&mut harness, "the canvas to open on the pasted image", |h| {
        h.query_by_label("Retexture").is_some() && h.query_by_label("Mask canvas").is_some()
    });
    assert!(harness.query_by_label("Image: pasted image").is_none(), "Describe did not take it");
    harness.get_by_label("Close").click();
    step_until(&mut harness, "the canvas to close", |h| h.query_by_label("Retexture").is_none());

    // Two images with nothing open: Blend opens with both.
    drop_files(&mut harness, &[&cat, &dog]);
    step_until(&mut harness, "Blend to list both images", |h| {
        h.query_by_label("1. cat.png").is_some() && h.query_by_label("2. dog.png").is_some()
    });

    // One image with nothing open: the mask canvas opens on it, for an edit.
    // The button that opened Blend is not under its window: it closes it again.
    harness.get_by_label("Open Blend").click();
    harness.step();
    drop_files(&mut harness, &[&cat]);
    step_until(&mut harness, "the canvas to open for an edit", |h| h.query_by_label("Retexture").is_some());
    assert!(harness.query_by_label("1. cat.png").is_none(), "Blend stayed closed");
    assert!(harness.query_by_label("Image: cat.png").is_none(), "Describe did not take it too");

    // An image pasted (egui read it from the clipboard) goes to Describe; the canvas stays.
    let pasted = egui::ColorImage::filled([32, 32], egui::Color32::from_rgb(10, 200, 90));
    harness.event(egui::Event::PasteImage(std::sync::Arc::new(pasted)));
    step_until(&mut harness, "Describe to take the pasted image", |h| {
        h.query_by_label("Image: pasted image").is_some()
    });
    assert!(harness.query_by_label("Retexture").is_some(), "the canvas is still open");

    // Text where an image was wanted is refused in so many words, beside Describe's button.
    harness.event(egui::Event::Paste("a cat on a sofa".into()));
    let refusal = mjdesk::app::image_inputs::PASTED_TEXT;
    step_until(&mut harness, "the refusal of pasted text", |h| h.query_by_label(refusal).is_some());
    // A file manager's copied file is taken as that image.
    harness.event(egui::Event::Paste(format!("file://{}", dog.display())));
    step_until(&mut harness, "Describe to take the copied file", |h| h.query_by_label("Image: dog.png").is_some());
}

#[test]
fn a_refusal_shows_beside_the_control_that_sent_it() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let not_an_image = f.home().join("notes.png");
    std::fs::write(&not_an_image, b"these are words, not pixels").unwrap();
    let mut harness = f.window(&server, Provider::Ttapi);

    harness.get_by_label("Open Describe").click();
    step_until(&mut harness, "the Describe window", |h| h.query_by_label("Describe").is_some());
    drop_files(&mut harness, &[&not_an_image]);
    step_until(&mut harness, "Describe to take the file", |h| h.query_by_label("Image: notes.png").is_some());
    harness.get_by_label("Describe").click();
    step_until(&mut harness, "the refusal beside Describe", |h| {
        h.query_all_by_label_contains("this is not an image file").next().is_some()
    });
    // it stands in the Describe window, right of its button
    let describe = harness.get_by_label("Describe").rect();
    let refusal =
        harness.query_all_by_label_contains("this is not an image file").map(|n| n.rect()).collect::<Vec<_>>();
    assert!(
        refusal
            .iter()
            .any(|r| (r.center().y - describe.center().y).abs() < describe.height() && r.left() >= describe.right()),
        "beside the button: {describe:?} {refusal:?}"
    );
    assert_eq!(server.stats().submits, 0, "nothing was sent");
}

#[test]
fn the_canvas_remembers_its_tool_and_brush_size_across_restarts() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let photo = f.home().join("photo.png");
    image::RgbaImage::from_pixel(64, 48, image::Rgba([30, 120, 200, 255])).save(&photo).unwrap();
    let stored = || {
        let store = Store::open(&f.home().join("data")).unwrap();
        store.get_setting(mjdesk::app::background::CANVAS_PREFS).unwrap()
    };

    let mut harness = f.window(&server, Provider::Ttapi);
    drop_files(&mut harness, &[&photo]);
    step_until(&mut harness, "the mask canvas", |h| h.query_by_label("Mask canvas").is_some());
    let size = |h: &Harness<'_, MjdeskApp>| {
        h.get_by_role_and_label(egui::accesskit::Role::Slider, "Brush size").accesskit_node().numeric_value()
    };
    let before = size(&harness);
    harness.key_press(egui::Key::CloseBracket);
    harness.step();
    harness.key_press(egui::Key::CloseBracket);
    harness.step();
    let bigger = size(&harness);
    assert!(bigger > before, "] makes the brush bigger: {before:?} -> {bigger:?}");
    harness.get_by_label("Lasso").click();
    step_until(&mut harness, "the lasso to be stored", |_| stored().is_some_and(|s| s.contains("Lasso")));
    drop(harness);

    // a new window on the same data, as after a restart
    let mut harness = f.window(&server, Provider::Ttapi);
    drop_files(&mut harness, &[&photo]);
    step_until(&mut harness, "the mask canvas again", |h| h.query_by_label("Mask canvas").is_some());
    harness.step();
    let size = |h: &Harness<'_, MjdeskApp>| {
        h.get_by_role_and_label(egui::accesskit::Role::Slider, "Brush size").accesskit_node().numeric_value()
    };
    let on = |h: &Harness<'_, MjdeskApp>, tool: &str| h.get_by_label(tool).accesskit_node().toggled();
    assert_eq!(on(&harness, "Lasso"), Some(egui::accesskit::Toggled::True), "the lasso is still chosen");
    assert_eq!(on(&harness, "Brush"), Some(egui::accesskit::Toggled::False));
    assert_eq!(size(&harness), bigger, "and the brush size");
}

#[test]
fn like_and_rating_are_kept_in_the_store_and_shown() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);
    type_into(&mut harness, "Prompt", "a heron in the reeds");
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "the grid", |h| h.query_all_by_label("U1").next().is_some());

    harness.get_by_label("Like").click();
    let marks = || {
        let store = Store::open(&f.home().join("data")).unwrap();
        let job = store.jobs_page(0, 1).unwrap().remove(0);
        store.marks(&job.id).unwrap()
    };
    step_until(&mut harness, "the like to be stored", |_| marks().liked);
    // 4 from the keyboard (no text field has it): stored, and the slider shows it
    harness.get_by_label("Like").focus();
    harness.key_press(egui::Key::Num4);
    step_until(&mut harness, "the rating to be stored", |_| marks().rating == Some(4));
    step_until(&mut harness, "the rating to show", |h| {
        h.get_by_role_and_label(egui::accesskit::Role::Slider, "Rating").accesskit_node().numeric_value() == Some(4.0)
    });
    assert_eq!(harness.get_by_label("Like").accesskit_node().toggled(), Some(egui::accesskit::Toggled::True));
}
