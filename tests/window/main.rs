//! The whole window against the simulator over real HTTP, driven by accessible names as a
//! designer (or a screen reader) uses it: type a prompt, Imagine, watch it finish, press U3
//! under the third quadrant, and find the upscale in the list as a child of the grid.
//!
//! One test in its own binary: the window reads its data folder from the environment.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use mjdesk::app::{MjdeskApp, Target};
use mjdesk::job::{JobStatus, Provider};
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
fn imagine_then_u3_in_the_window_makes_an_upscale_that_is_a_child_of_the_grid() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _guard = rt.enter();
    let config = SimConfig {
        queue_time: Duration::from_millis(200),
        run_time: Duration::from_millis(800),
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
        provider: Some(Provider::Ttapi),
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
    harness.get_by_label("Prompt").type_text("a cabin by a lake");
    harness.step();
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "the grid's U3 button", |h| h.query_all_by_label("U3").next().is_some());
    assert!(harness.query_all_by_label("a cabin by a lake").next().is_some(), "the job is in the list");

    harness.get_by_label("U3").click();
    step_until(&mut harness, "the upscale in the list", |h| {
        h.query_all_by_label("U3 · a cabin by a lake").next().is_some()
    });
    // The view stays on the grid while the child runs.
    assert!(harness.query_all_by_label("U1").next().is_some(), "the grid's buttons are still there");

    let store = Store::open(&home.path().join("data")).unwrap();
    let wait = Instant::now();
    let (grid, child) = loop {
        let jobs = store.jobs_page(0, 10).unwrap();
        let child = jobs.iter().find(|j| j.parent_id.is_some() && j.status == JobStatus::Succeeded).cloned();
        if let Some(child) = child {
            let grid = jobs.into_iter().find(|j| j.parent_id.is_none()).unwrap();
            break (grid, child);
        }
        assert!(wait.elapsed() < Duration::from_secs(30), "the upscale did not finish");
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(child.parent_id.as_deref(), Some(grid.id.as_str()));
    match &child.kind {
        mjdesk::job::JobKind::Action { action, .. } => assert_eq!(action, "upsample3"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.stats().submits, 2);
}
