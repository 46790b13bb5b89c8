//! The desktop window. Thin panels over [`state::AppState`]; all work happens in the job
//! manager on the tokio runtime, which reports back through updates and a repaint request.

pub mod export;
mod job_view;
mod jobs_panel;
mod prompt_panel;
pub mod prompt_params;
pub mod prompt_syntax;
pub mod settings_panel;
pub mod state;
mod status_bar;
pub mod viewer;

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
    /// Save / copy / show-in-folder, run off the UI thread.
    exports: export::Exports,
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
                    options: SubmitOptions { mode: self.state.prompt_form.mode.clone(), ..SubmitOptions::default() },
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
            UiCommand::VaryRegion { job_id } => {
                // TODO(mask canvas issue): open the mask canvas on this job; the inpaint
                // request is sent from there, never a bare vary-region action.
                self.state.message =
                    Some(format!("Vary (Region) on {}: the mask canvas is not built yet", short(&job_id)));
            }
            UiCommand::SaveImage { source, file_name } => {
                self.exports.save(source, file_name, export::default_download_dir());
            }
            UiCommand::CopyImage { source } => self.exports.copy(source),
            UiCommand::SaveSettings(form) => {
                // TODO(window rewrite): persist the settings, store a new key in the keyring or
                // the 0600 file (never the database), apply the theme and reconnect.
                self.state.message =
                    Some(format!("{} settings noted; applying them is not wired up yet", form.gateway.label()));
            }
            UiCommand::ShowInFolder { path } => self.exports.show_in_folder(&path),
        }
    }
}

impl eframe::App for MjdeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Some(update) = self.updates.try_recv() {
            // A rejection while an Imagine from the box awaits its answer shows next to the
            // prompt. (Once updates carry the command's id, match on it instead.)
            if let crate::manager::Update::Rejected { reason } = &update {
                self.state.prompt_form.rejected(reason);
            }
            self.state.apply(update);
        }
        for outcome in self.exports.poll() {
            self.state.message = Some(outcome.to_string());
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
        settings_panel::settings_window(ui.ctx(), &mut self.state.settings, &mut commands);
        egui::CentralPanel::default().show(ui, |ui| job_view::job_view_ui(ui, &self.state, &mut commands));
        for cmd in commands {
            self.apply(cmd);
        }
    }
}

/// The first eight characters of a job id, for messages.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
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
    let mut state = AppState::new(
        state::gateway_label(connection.provider, &connection.base_url, simulated),
        config.max_in_progress,
        jobs,
    );
    // Earlier prompts for Up/Down and the History menu: one small indexed query, read once
    // before the window opens. TODO(window rewrite): move to the async start with the job list.
    let history = store.prompt_history(500).map(|h| h.into_iter().map(|p| p.prompt).collect()).unwrap_or_default();
    state.prompt_form.history = prompt_params::PromptHistory::new(history);
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
            // No blinking caret anywhere: a blink repaints the whole window (~20% of a core
            // under software rendering) while nothing else moves.
            cc.egui_ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
            let ctx = cc.egui_ctx.clone();
            let notify: Arc<dyn Fn() + Send + Sync> = Arc::new(move || ctx.request_repaint());
            let exports = export::Exports::new(Some(notify.clone()));
            let (manager, updates) = JobManager::start(store, cache, config, resolver, Some(notify));
            manager.send(Command::Resume);
            Ok(Box::new(MjdeskApp {
                state,
                manager,
                updates,
                provider: connection.provider,
                base_url: connection.base_url.clone(),
                exports,
                _connection: connection,
            }))
        }),
    )
    .map_err(|e| format!("could not open the window: {e}"))
}
