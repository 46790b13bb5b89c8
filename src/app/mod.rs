//! The desktop window. Thin panels over [`state::AppState`]; all work happens in the job
//! manager on the tokio runtime, which reports back through updates and a repaint request.

pub mod canvas;
mod job_view;
mod jobs_panel;
mod prompt_panel;
pub mod state;
mod status_bar;

use std::process::ExitCode;
use std::sync::Arc;

use state::{AppState, UiCommand};

use crate::cache::ImageCache;
use crate::connect::{self, Connection};
use crate::job::{JobRequest, Provider, SubmitOptions};
use crate::manager::{Command, JobManager, ManagerConfig, Updates};
use crate::store::Store;

pub struct MjdeskApp {
    state: AppState,
    manager: JobManager,
    updates: Updates,
    provider: Provider,
    base_url: String,
    /// Keeps the in-process simulator alive while the window is open.
    _connection: Connection,
}

impl MjdeskApp {
    fn apply(&mut self, cmd: UiCommand) {
        match cmd {
            UiCommand::Select { job_id } => self.state.selected = Some(job_id),
            UiCommand::Imagine { prompt } => {
                self.manager.send(Command::Submit {
                    provider: self.provider,
                    base_url: self.base_url.clone(),
                    request: Box::new(JobRequest::Imagine { prompt }),
                    options: SubmitOptions::default(),
                    parent_id: None,
                });
            }
            UiCommand::Action { job_id, action } => {
                let Some(parent) = self.state.jobs.iter().find(|j| j.id == job_id) else { return };
                let index = crate::actions::ActionKind::parse(&action).image_index();
                let Some(parent_ref) = parent.parent_ref(index) else { return };
                self.manager.send(Command::Submit {
                    provider: parent.provider,
                    base_url: parent.base_url.clone(),
                    request: Box::new(JobRequest::Action { parent: parent_ref, action }),
                    options: parent.options.clone(),
                    parent_id: Some(job_id),
                });
            }
            UiCommand::Retry { job_id } => self.manager.send(Command::Retry { job_id }),
        }
    }
}

impl eframe::App for MjdeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Some(update) = self.updates.try_recv() {
            self.state.apply(update);
        }
        self.state.counts = self.manager.counts();
        if self.state.busy() {
            // Progress moves on the gateway's clock; updates also request repaints.
            ctx.request_repaint_after(std::time::Duration::from_millis(500));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut commands = Vec::new();
        egui::Panel::bottom("status").show(ui, |ui| status_bar::status_bar_ui(ui, &self.state));
        egui::Panel::top("prompt").show(ui, |ui| {
            ui.add_space(6.0);
            prompt_panel::prompt_panel_ui(ui, &mut self.state, &mut commands);
            ui.add_space(6.0);
        });
        egui::Panel::left("jobs")
            .default_size(300.0)
            .show(ui, |ui| jobs_panel::jobs_panel_ui(ui, &self.state, &mut commands));
        egui::CentralPanel::default().show(ui, |ui| job_view::job_view_ui(ui, &self.state, &mut commands));
        for cmd in commands {
            self.apply(cmd);
        }
    }
}

/// Opens the window: on the configured gateway, or on the in-process simulator when no key
/// is configured. Unfinished jobs from an earlier run resume at once.
pub fn run() -> ExitCode {
    match open() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mjdesk: {e}");
            ExitCode::FAILURE
        }
    }
}

fn open() -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let _guard = rt.enter();
    let provider = connect::find_key(Provider::Ttapi, None).ok().flatten().map(|_| Provider::Ttapi);
    let connection = rt.block_on(connect::connect(provider, None, None, false))?;
    let simulated = connection.sim.is_some() || provider.is_none();
    let store = Store::open_default().map_err(|e| e.to_string())?;
    let jobs = store.jobs_page(0, 500).map_err(|e| e.to_string())?;
    let cache = ImageCache::in_data_dir();
    let config = ManagerConfig::from_env();
    let state = AppState::new(
        state::gateway_label(connection.provider, &connection.base_url, simulated),
        config.max_in_progress,
        jobs,
    );
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title("mjdesk").with_inner_size([1200.0, 800.0]),
        ..Default::default()
    };
    let resolver = connect::resolver(None);
    eframe::run_native(
        "mjdesk",
        options,
        Box::new(move |cc| {
            egui_extras::install_image_loaders(&cc.egui_ctx);
            let ctx = cc.egui_ctx.clone();
            let notify: Arc<dyn Fn() + Send + Sync> = Arc::new(move || ctx.request_repaint());
            let (manager, updates) = JobManager::start(store, cache, config, resolver, Some(notify));
            manager.send(Command::Resume);
            Ok(Box::new(MjdeskApp {
                state,
                manager,
                updates,
                provider: connection.provider,
                base_url: connection.base_url.clone(),
                _connection: connection,
            }))
        }),
    )
    .map_err(|e| format!("could not open the window: {e}"))
}
