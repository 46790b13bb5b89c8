//! Memory of the real window (issue 7: under 300 MB after scrolling through 1,000 jobs'
//! thumbnails and opening 100 full images). A measurement, not a test: it prints figures.
//!
//! Seeds a fresh data folder with 1,000 finished jobs, each with its own grid image on disk
//! and its 256 px thumbnail (as downloads leave them), opens the real window (eframe, glow,
//! on whatever X server `DISPLAY` names), then drives it from inside through
//! `raw_input_hook`: the mouse wheel over the job list scrolls through every row, then 100
//! jobs are opened one after another, each in the full-size viewer, as the list and a click
//! on the image would. It reads VmRSS / VmHWM from /proc/self/status at each stage.
//!
//! Run it with `bash benches/window-memory.sh` (starts Xvfb). `MJDESK_MEMORY_GRID` sets the
//! grid images' side in pixels (default 1024, the simulator's; Midjourney's are 2048).

use std::path::Path;
use std::time::{Duration, Instant};

use mjdesk::app::command::UiCommand;
use mjdesk::app::panels::viewer;
use mjdesk::app::{MjdeskApp, Target};
use mjdesk::job::{Job, JobImage, JobRequest, JobStatus, Provider, SubmitOptions};
use mjdesk::store::Store;

const JOBS: usize = 1_000;
const OPENED: usize = 100;

fn main() {
    // As the app's own `run` does.
    let _ = mjdesk::app::allocator::return_large_frees_to_the_system();
    let side: u32 = std::env::var("MJDESK_MEMORY_GRID").ok().and_then(|s| s.parse().ok()).unwrap_or(1024);
    let home = tempfile::tempdir().expect("a temp dir");
    // SAFETY: set before any other thread starts.
    unsafe {
        std::env::set_var("MJDESK_DATA_DIR", home.path().join("data"));
        std::env::set_var("MJDESK_CONFIG_DIR", home.path().join("config"));
        for key in ["TTAPI_API_KEY", "ACEDATA_API_KEY", "VTRIX_API_KEY"] {
            std::env::remove_var(key);
        }
    }
    let seeding = Instant::now();
    let ids = seed(&home.path().join("data"), &home.path().join("images"), side);
    println!("seeded {JOBS} jobs with {side} px grids and thumbnails in {:.1} s", seeding.elapsed().as_secs_f32());
    println!("{}", memory("before the window"));

    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let _guard = rt.enter();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title("mjdesk memory").with_inner_size([1200.0, 800.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "mjdesk memory",
        options,
        Box::new(move |cc| {
            let app = MjdeskApp::new(&cc.egui_ctx, Target { simulator: true, ..Default::default() }, Instant::now());
            Ok(Box::new(Driver { app, ids, stage: Stage::Settle, since: Instant::now(), frames: 0 }))
        }),
    );
    if let Err(e) = result {
        eprintln!("the window could not open: {e}");
        std::process::exit(1);
    }
}

/// Writes `JOBS` finished grids to a store in `data`, each image a file of its own in `images`
/// with its thumbnail beside it (the same picture in each: the window caches by path, so each
/// is decoded and uploaded on its own); returns their ids, newest first (the list's order).
fn seed(data: &Path, images: &Path, side: u32) -> Vec<String> {
    std::fs::create_dir_all(images).expect("the images folder");
    let store = Store::open(data).expect("the store");
    let grid = image::RgbaImage::from_fn(side, side, |x, y| {
        image::Rgba([(x * 255 / side) as u8, (y * 255 / side) as u8, ((x ^ y) & 0xff) as u8, 255])
    });
    let bytes = mjdesk::imageio::encode_png(&grid);
    let first = images.join("grid-0000.png");
    std::fs::write(&first, &bytes).expect("a grid written");
    let thumb = mjdesk::thumbs::write_thumbnail(&first, &bytes).expect("a thumbnail written");
    let mut ids = Vec::with_capacity(JOBS);
    for i in 0..JOBS {
        let path = images.join(format!("grid-{i:04}.png"));
        if i > 0 {
            std::fs::write(&path, &bytes).expect("a grid written");
            std::fs::copy(&thumb, mjdesk::thumbs::thumb_path(&path)).expect("a thumbnail written");
        }
        let j = job(i, path);
        store.insert_job(&j).expect("a job written");
        ids.push(j.id);
    }
    ids
}

fn job(i: usize, path: std::path::PathBuf) -> Job {
    let prompt = format!("a cabin by a lake number {i} at dawn --ar 1:1 --v 6");
    let mut j = Job::new(Provider::Ttapi, "sim://local", JobRequest::Imagine { prompt }, SubmitOptions::default());
    j.created_at -= i as i64 * 60_000;
    j.status = JobStatus::Succeeded;
    j.gateway_id = Some(format!("gw-{i}"));
    j.actions = ["upsample1", "upsample2", "upsample3", "upsample4", "variation1", "variation2"]
        .into_iter()
        .chain(["variation3", "variation4", "reroll"])
        .map(String::from)
        .collect();
    j.images = vec![JobImage { url: format!("https://cdn.example/{i}.png"), local_path: Some(path), error: None }];
    j
}

/// Resident memory now and at its peak, from /proc/self/status.
fn memory(stage: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    format!("{stage}: VmRSS {} MB, VmHWM {} MB", field("VmRSS:"), field("VmHWM:"))
}

enum Stage {
    /// The engine starts and the list reads its first page.
    Settle,
    /// Wheel steps over the list so far.
    Scroll(usize),
    /// Jobs opened in the full-size viewer so far.
    Open(usize),
    /// A last look once everything settled, then the window closes.
    Done,
    Closing,
}

struct Driver {
    app: MjdeskApp,
    ids: Vec<String>,
    stage: Stage,
    since: Instant,
    frames: u64,
}

/// Points of wheel per step (under four rows of 64 points: no row is skipped), and how long
/// each step waits for the thumbnails it brought into view.
const WHEEL: f32 = 240.0;
const WHEEL_STEPS: usize = JOBS * 64 / 240 + 20;
const STEP: Duration = Duration::from_millis(60);
/// How long each opened image is given to load and be drawn.
const OPEN_STEP: Duration = Duration::from_millis(400);

impl Driver {
    fn next(&mut self, stage: Stage) {
        self.stage = stage;
        self.since = Instant::now();
    }
}

impl eframe::App for Driver {
    fn raw_input_hook(&mut self, ctx: &egui::Context, raw: &mut egui::RawInput) {
        self.frames += 1;
        let waited = self.since.elapsed();
        match self.stage {
            Stage::Settle if waited > Duration::from_secs(3) => {
                println!("{}", memory("window open, list at the top"));
                self.next(Stage::Scroll(0));
            }
            Stage::Scroll(n) if n >= WHEEL_STEPS => {
                println!("{}", memory(&format!("scrolled through {JOBS} rows ({n} wheel steps)")));
                self.next(Stage::Open(0));
            }
            Stage::Scroll(n) if waited > STEP => {
                // Over the job list (the left panel), below the prompt.
                raw.events.push(egui::Event::PointerMoved(egui::pos2(150.0, 450.0)));
                raw.events.push(egui::Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Point,
                    delta: egui::vec2(0.0, -WHEEL),
                    phase: egui::TouchPhase::Move,
                    modifiers: egui::Modifiers::NONE,
                    source: egui::MouseWheelSource::Wheel,
                });
                self.next(Stage::Scroll(n + 1));
            }
            Stage::Open(n) if n >= OPENED && waited > OPEN_STEP => {
                println!("{}", memory(&format!("opened {n} full images")));
                self.next(Stage::Done);
            }
            Stage::Open(n) if n < OPENED && (n == 0 || waited > OPEN_STEP) => {
                // As a click on the row, then on the image, would.
                let id = self.ids[n * (JOBS / OPENED)].clone();
                self.app.command(UiCommand::Select { job_id: id.clone() });
                viewer::open(ctx, &id, 0);
                self.next(Stage::Open(n + 1));
            }
            Stage::Done if waited > Duration::from_secs(2) => {
                println!("{}", memory("settled"));
                println!("{} frames", self.frames);
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                self.next(Stage::Closing);
            }
            _ => {}
        }
        ctx.request_repaint();
    }

    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.app.logic(ctx, frame);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.app.ui(ui, frame);
    }
}
