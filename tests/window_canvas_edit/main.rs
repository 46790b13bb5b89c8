//! The whole window on Vtrix against the simulator over real HTTP, driven by accessible
//! names: Imagine, open `Canvas edit 2` on the finished grid, pick a 16:9 canvas, write a
//! remix prompt and Submit; the canvas edit runs as a child of the grid with the canvas the
//! panel showed, and the panel closes once the gateway took it.
//!
//! One test in its own binary: the window reads its data folder from the environment.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use mjdesk::app::placement::{Aspect, Placement};
use mjdesk::app::{MjdeskApp, Target};
use mjdesk::job::{Canvas, JobRequest, JobStatus, Provider};
use mjdesk::sim::{SimConfig, SimServer};
use mjdesk::store::Store;

/// Steps the window (real time passes: the engine works on its own threads) until `done`.
fn step_until(harness: &mut Harness<'_, MjdeskApp>, what: &str, done: impl Fn(&Harness<'_, MjdeskApp>) -> bool) {
    let start = Instant::now();
    while !done(harness) {
        assert!(start.elapsed() < Duration::from_secs(30), "gave up waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(30));
    }
}

#[test]
fn canvas_edit_from_the_window_sends_the_canvas_shown_and_runs_as_a_child() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _guard = rt.enter();
    let config = SimConfig {
        queue_time: Duration::from_millis(100),
        run_time: Duration::from_millis(400),
        grid_size: 256,
        ..SimConfig::default()
    };
    let server = rt.block_on(SimServer::start(config, ([127, 0, 0, 1], 0).into())).unwrap();
    let home = tempfile::tempdir().unwrap();
    // SAFETY: this binary runs this one test; nothing else reads the environment meanwhile.
    unsafe {
        std::env::set_var("MJDESK_DATA_DIR", home.path().join("data"));
        std::env::set_var("MJDESK_CONFIG_DIR", home.path().join("config"));
        std::env::set_var("MJDESK_POLL_MS", "50");
    }
    let target = Target {
        provider: Some(Provider::Vtrix),
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
    harness.get_by_label("Prompt").focus();
    harness.step();
    harness.get_by_label("Prompt").type_text("a lighthouse on a cliff");
    harness.step();
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "Canvas edit 2 to be ready", |h| {
        h.query_by_label("Canvas edit 2").is_some_and(|b| !b.accesskit_node().is_disabled())
    });
    harness.get_by_label("Canvas edit 2").click();
    step_until(&mut harness, "the image on the placement canvas", |h| h.query_by_label("Placement canvas").is_some());
    harness.get_by_label("16:9").click();
    harness.step();
    harness.get_by_label("Remix prompt").focus();
    harness.step();
    harness.get_by_label("Remix prompt").type_text("a stormy sea around it");
    harness.step();
    harness.get_by_label("Submit").click();
    step_until(&mut harness, "the panel to close once sent", |h| h.query_by_label("Placement canvas").is_none());

    let store = Store::open(&home.path().join("data")).unwrap();
    let wait = Instant::now();
    let (grid, child) = loop {
        let jobs = store.jobs_page(0, 10).unwrap();
        let child = jobs.iter().find(|j| j.parent_id.is_some() && j.status == JobStatus::Succeeded).cloned();
        if let Some(child) = child {
            let grid = jobs.into_iter().find(|j| j.parent_id.is_none()).unwrap();
            break (grid, child);
        }
        assert!(wait.elapsed() < Duration::from_secs(30), "the canvas edit did not finish");
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(child.parent_id.as_deref(), Some(grid.id.as_str()));
    let path = grid.result_images()[1].local_path.clone().unwrap();
    let size = image::image_dimensions(&path).unwrap();
    let mut shown = Placement::new(size);
    shown.set_aspect(Aspect::Ratio(16, 9));
    match &*child.request {
        JobRequest::CanvasEdit { parent, canvas, prompt, mask } => {
            assert_eq!(parent.image_index, Some(1), "the second image");
            assert_eq!(*canvas, shown.to_canvas());
            let Canvas { width, height, .. } = *canvas;
            assert!(width > size.0 && height == size.1, "{canvas:?} for a {size:?} image");
            assert_eq!(prompt, "a stormy sea around it");
            assert!(mask.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.stats().submits, 2);
}
