//! One frame of the window with 10,000 jobs in the list and a finished grid on screen: layout
//! of every panel plus tessellation, on the CPU (what each repaint costs before the GPU).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mjdesk::app::Panels;
use mjdesk::app::list::ListRead;
use mjdesk::app::panels::{job_view, jobs, prompt, status_bar};
use mjdesk::app::state::{AppState, Engine};
use mjdesk::job::{Job, JobImage, JobRequest, JobStatus, Provider, SubmitOptions};
use mjdesk::store::JobSummary;

fn job(i: u64) -> Job {
    let prompt = format!("a cabin by a lake number {i} at dawn --ar 3:2 --v 6");
    let mut j = Job::new(Provider::Ttapi, "sim://local", JobRequest::Imagine { prompt }, SubmitOptions::default());
    j.created_at -= i as i64 * 60_000;
    j.gateway_id = Some(format!("gw-{i}"));
    j.status = if i.is_multiple_of(7) { JobStatus::Running { progress: 40 } } else { JobStatus::Succeeded };
    j.actions = ["upsample1", "upsample2", "upsample3", "upsample4", "variation1", "variation2", "variation3"]
        .into_iter()
        .chain(["variation4", "reroll"])
        .map(String::from)
        .collect();
    j.images = (0..4)
        .map(|n| JobImage {
            url: format!("https://cdn.example/{i}_{n}.png"),
            local_path: Some(format!("/nonexistent/{i:060}{n:04}.png").into()),
            error: None,
        })
        .collect();
    j
}

/// A state as the window has it with 10,000 jobs: the count, the pages around the top of the
/// list, and the newest job (a grid) open.
fn state() -> AppState {
    let mut state = AppState::new("Simulator".into(), 10, vec![job(0)]);
    state.engine = Engine::Ready;
    state.list.reload();
    let reads = state.list.wanted(0..20);
    let generation = match &reads[0] {
        ListRead::Count { generation, .. } => *generation,
        other => panic!("{other:?}"),
    };
    state.list.counted(generation, 10_000);
    for page in 0..2u64 {
        let rows = (page * 100..page * 100 + 100).map(|i| JobSummary::of(&job(i))).collect();
        state.list.page_read(generation, page, rows, Vec::new());
    }
    state
}

fn frame(c: &mut Criterion) {
    let ctx = egui::Context::default();
    let mut state = state();
    let mut panels = Panels::default();
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1200.0, 800.0))),
        ..Default::default()
    };
    let run = |state: &mut AppState, panels: &mut Panels| {
        let mut commands = Vec::new();
        let output = ctx.run_ui(input(), |ui| {
            egui::Panel::bottom("status").show(ui, |ui| status_bar::status_bar_ui(ui, state));
            egui::Panel::top("prompt").show(ui, |ui| prompt::prompt_panel_ui(ui, &mut panels.prompt, &mut commands));
            egui::Panel::left("jobs")
                .default_size(320.0)
                .show(ui, |ui| jobs::jobs_panel_ui(ui, &mut panels.jobs, state, &mut commands));
            egui::CentralPanel::default()
                .show(ui, |ui| job_view::job_view_ui(ui, &mut panels.job_view, state, &mut commands));
        });
        let mut textures = output.textures_delta;
        textures.clear(); // no GPU here: texture uploads are the renderer's part
        ctx.tessellate(output.shapes, output.pixels_per_point)
    };
    // Warm the font atlas and layout caches, as a running window has them.
    for _ in 0..3 {
        run(&mut state, &mut panels);
    }
    c.bench_function("window_frame_10k_jobs_grid_open", |b| b.iter(|| black_box(run(&mut state, &mut panels))));
}

criterion_group!(benches, frame);
criterion_main!(benches);
