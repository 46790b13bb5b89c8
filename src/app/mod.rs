//! The desktop window. Thin panels over [`state::AppState`]; all work happens in the job
//! manager on the tokio runtime, which reports back through updates and a repaint request.

pub mod background;
pub mod canvas;
pub mod export;
mod job_view;
mod jobs_panel;
pub mod list;
pub mod mask_preview;
mod prompt_panel;
pub mod prompt_params;
pub mod prompt_syntax;
pub mod region_editor;
pub mod settings_panel;
pub mod state;
mod status_bar;
pub mod viewer;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

pub use background::Target;
use background::{Loader, Repaint, StartError, Started};
use state::{AppState, Engine, UiCommand};

use crate::intent::Intent;
use crate::job::{Provider, SubmitOptions};
use crate::manager::{Command, CommandId, JobManager, Updates};

/// The window: its state, and the engine behind it.
pub struct MjdeskApp {
    state: AppState,
    engine: EngineSlot,
    repaint: Repaint,
    /// Save / copy / show-in-folder, run off the UI thread.
    exports: export::Exports,
    /// When `run` began, until the first frame is drawn (logged, for the start-up figure).
    first_frame: Option<std::time::Instant>,
    /// The mask canvas, when a Vary (Region) or an edit is open: it takes the central panel.
    editor: Option<region_editor::RegionEditor>,
}

/// The engine behind the window: starting, or running.
enum EngineSlot {
    Starting(Receiver<Result<Started, StartError>>),
    Running(Box<Running>),
    Stopped,
}

struct Running {
    manager: JobManager,
    updates: Updates,
    loader: Loader,
    provider: Provider,
    endpoint: String,
    next_command: CommandId,
    /// The Imagine from the prompt box waiting for its answer (a refusal shows by the box).
    imagine: Option<CommandId>,
}

impl Running {
    fn command_id(&mut self) -> CommandId {
        self.next_command += 1;
        self.next_command
    }
}

impl MjdeskApp {
    /// The window on `target`; its engine starts in the background at once. `started` is when
    /// the process began (the first frame's time is logged against it).
    pub fn new(ctx: &egui::Context, target: Target, started: std::time::Instant) -> Self {
        egui_extras::install_image_loaders(ctx);
        // No blinking caret anywhere: a blink repaints the whole window (~20% of a core under
        // software rendering) while nothing else moves.
        ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
        let ctx = ctx.clone();
        let repaint: Repaint = Arc::new(move || ctx.request_repaint());
        let engine = EngineSlot::Starting(background::start(target, repaint.clone()));
        let exports = export::Exports::new(Some(repaint.clone()));
        let state = AppState { engine: Engine::Connecting, ..Default::default() };
        Self { state, engine, repaint, exports, first_frame: Some(started), editor: None }
    }

    /// Takes in the engine once it has started (or why it could not).
    fn poll_start(&mut self) {
        let EngineSlot::Starting(rx) = &self.engine else { return };
        let result = match rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err(StartError::Internal("the start was cut short".into())),
        };
        match result {
            Ok(started) => {
                let simulated = started.connection.is_simulator();
                self.state.gateway =
                    state::gateway_label(started.connection.provider, &started.connection.base_url, simulated);
                self.state.simulated = simulated;
                self.state.limit = started.limit;
                self.state.engine = Engine::Ready;
                self.state.prompt_form.history = prompt_params::PromptHistory::new(started.history);
                self.engine = EngineSlot::Running(Box::new(Running {
                    loader: Loader::new(started.store, self.repaint.clone()),
                    manager: started.manager,
                    updates: started.updates,
                    provider: started.connection.provider,
                    endpoint: started.connection.endpoint,
                    next_command: 0,
                    imagine: None,
                }));
            }
            Err(e) => {
                self.state.engine = Engine::Failed(e.to_string());
                self.engine = EngineSlot::Stopped;
            }
        }
    }

    /// Sends what the open editor asked for, on the parent's gateway (or the window's own).
    fn editor_event(&mut self, event: region_editor::EditorEvent) {
        let intent = match event {
            region_editor::EditorEvent::Close => {
                self.editor = None;
                return;
            }
            region_editor::EditorEvent::Submit(intent) => intent,
        };
        let (EngineSlot::Running(run), Some(editor)) = (&mut self.engine, &mut self.editor) else { return };
        let to = editor.send_to.clone().unwrap_or_else(|| region_editor::SendTo {
            provider: run.provider,
            endpoint: run.endpoint.clone(),
            options: SubmitOptions { mode: self.state.prompt_form.mode.clone(), ..SubmitOptions::default() },
        });
        let id = run.command_id();
        editor.submitted(id);
        run.manager.send(Command::Submit {
            id,
            provider: to.provider,
            endpoint: to.endpoint,
            intent: Box::new(intent),
            options: to.options,
        });
    }

    fn apply(&mut self, cmd: UiCommand) {
        match cmd {
            UiCommand::SaveImage { source, file_name } => {
                return self.exports.save(source, file_name, export::default_download_dir());
            }
            UiCommand::CopyImage { source } => return self.exports.copy(source),
            UiCommand::ShowInFolder { path } => return self.exports.show_in_folder(&path),
            _ => {}
        }
        let EngineSlot::Running(run) = &mut self.engine else { return };
        match cmd {
            UiCommand::Select { job_id } => {
                if self.state.selected.as_deref() != Some(job_id.as_str()) {
                    self.state.selected = Some(job_id.clone());
                    self.state.children.clear();
                    run.loader.job(job_id.clone());
                    run.loader.children(job_id);
                }
            }
            UiCommand::Imagine { prompt } => {
                let id = run.command_id();
                run.imagine = Some(id);
                run.manager.send(Command::Submit {
                    id,
                    provider: run.provider,
                    endpoint: run.endpoint.clone(),
                    intent: Box::new(Intent::Imagine { prompt }),
                    options: SubmitOptions { mode: self.state.prompt_form.mode.clone(), ..SubmitOptions::default() },
                });
            }
            UiCommand::Action { job_id, action } => {
                let Some(parent) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
                let (provider, endpoint, options) = (parent.provider, parent.base_url.clone(), parent.options.clone());
                let id = run.command_id();
                run.manager.send(Command::Submit {
                    id,
                    provider,
                    endpoint,
                    intent: Box::new(Intent::Action { parent: job_id, action }),
                    options,
                });
            }
            UiCommand::Retry { job_id } => {
                let id = run.command_id();
                run.manager.send(Command::Retry { id, job_id });
            }
            UiCommand::VaryRegion { ref job_id } | UiCommand::EditImage { ref job_id, .. } => {
                let Some(job) = self.state.selected_job().filter(|j| &j.id == job_id) else { return };
                let Some(path) = job.result_images().first().and_then(|i| i.local_path.clone()) else {
                    self.state.message = Some(format!("job {} has no downloaded image to paint on yet", short(job_id)));
                    return;
                };
                let flow = match cmd {
                    UiCommand::EditImage { retexture, .. } => {
                        region_editor::Flow::Edit { image: crate::intent::ImageSource::File(path.clone()), retexture }
                    }
                    _ => region_editor::Flow::Region { parent: job_id.clone() },
                };
                let send_to = Some(region_editor::SendTo::of(job));
                let source = region_editor::Source::Path(path);
                self.editor =
                    Some(region_editor::RegionEditor::open(flow, source, None, send_to, None, self.repaint.clone()));
            }
            UiCommand::EditFile { path } => {
                let flow = region_editor::Flow::Edit {
                    image: crate::intent::ImageSource::File(path.clone().unwrap_or_default()),
                    retexture: false,
                };
                let source = path.map_or(region_editor::Source::Dialog, region_editor::Source::Path);
                self.editor =
                    Some(region_editor::RegionEditor::open(flow, source, None, None, None, self.repaint.clone()));
            }
            UiCommand::EditMaskAgain { job_id } => {
                let Some(job) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
                let Some((flow, source, mask)) = region_editor::edit_again(job) else {
                    self.state.message =
                        Some(format!("job {}'s image cannot be had again to paint on", short(&job_id)));
                    return;
                };
                let send_to = Some(region_editor::SendTo::of(job));
                let store = Some(run.manager.store().clone());
                let mut editor =
                    region_editor::RegionEditor::open(flow, source, Some(mask), send_to, store, self.repaint.clone());
                editor.prompt = region_editor::sent_prompt(&job.request).unwrap_or_default().to_owned();
                self.editor = Some(editor);
            }
            UiCommand::SaveSettings(form) => {
                // TODO(settings): persist the settings, store a new key in the keyring or the
                // 0600 file (never the database), apply the theme and reconnect.
                self.state.message =
                    Some(format!("{} settings noted; applying them is not wired up yet", form.gateway.label()));
            }
            UiCommand::SaveImage { .. } | UiCommand::CopyImage { .. } | UiCommand::ShowInFolder { .. } => {}
        }
    }
}

impl eframe::App for MjdeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_start();
        for outcome in self.exports.poll() {
            self.state.message = Some(outcome.to_string());
        }
        let EngineSlot::Running(run) = &mut self.engine else { return };
        if let Some(editor) = &mut self.editor
            && !editor.poll()
        {
            self.editor = None;
        }
        for file in ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect::<Vec<_>>()
        }) {
            // A dropped image opens for an edit.
            self.editor = Some(region_editor::RegionEditor::open(
                region_editor::Flow::Edit { image: crate::intent::ImageSource::File(file.clone()), retexture: false },
                region_editor::Source::Path(file),
                None,
                None,
                None,
                self.repaint.clone(),
            ));
        }
        while let Some(update) = run.updates.try_recv() {
            if let crate::manager::Update::Rejected { id, error } = &update
                && run.imagine == Some(*id)
            {
                self.state.prompt_form.rejected(&crate::textsafe::short_line(&error.to_string()));
            }
            let editors = self.editor.as_ref().and_then(|e| e.pending());
            match &update {
                crate::manager::Update::Rejected { id, error } if editors == Some(*id) => {
                    if let Some(e) = &mut self.editor {
                        e.refused(&error.to_string());
                    }
                }
                // Sent: the new job shows in the list (a follow-up highlighted under its parent).
                crate::manager::Update::Accepted { id, .. } if editors == Some(*id) => self.editor = None,
                _ => {}
            }
            self.state.apply(update);
        }
        while let Some(loaded) = run.loader.try_recv() {
            self.state.loaded(loaded);
        }
        self.state.counts = run.manager.counts();
        if self.state.busy() {
            // Running times tick on the clock; progress itself arrives with updates.
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if let Some(started) = self.first_frame.take() {
            tracing::info!("first frame {} ms after start", started.elapsed().as_millis());
        }
        let mut commands = Vec::new();
        egui::Panel::bottom("status").show(ui, |ui| status_bar::status_bar_ui(ui, &self.state));
        egui::Panel::top("prompt").show(ui, |ui| {
            ui.add_space(6.0);
            prompt_panel::prompt_panel_ui(ui, &mut self.state, &mut commands);
            ui.add_space(6.0);
        });
        egui::Panel::left("jobs")
            .default_size(320.0)
            .show(ui, |ui| jobs_panel::jobs_panel_ui(ui, &mut self.state, &mut commands));
        settings_panel::settings_window(ui.ctx(), &mut self.state.settings, &mut commands);
        let mut edited = None;
        egui::CentralPanel::default().show(ui, |ui| match (&self.state.engine, &mut self.editor) {
            (Engine::Failed(why), _) => startup_problem_ui(ui, why),
            (_, Some(editor)) => edited = editor.ui(ui),
            _ => job_view::job_view_ui(ui, &self.state, &mut commands),
        });
        if let Some(event) = edited {
            self.editor_event(event);
        }
        for cmd in commands {
            self.apply(cmd);
        }
        if let EngineSlot::Running(run) = &self.engine {
            let visible = self.state.visible_rows.clone();
            for read in self.state.list.wanted(visible) {
                run.loader.list(read);
            }
        }
    }
}

/// The first eight characters of a job id, for messages.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// What the window shows when its engine could not start: the reason, which says what to do.
fn startup_problem_ui(ui: &mut egui::Ui, why: &str) {
    ui.add_space(24.0);
    ui.heading("mjdesk could not start");
    ui.add_space(8.0);
    ui.label(egui::RichText::new(why).color(ui.visuals().error_fg_color));
    ui.add_space(8.0);
    ui.label("Fix the problem above, then start mjdesk again. Your jobs and images are kept.");
}

/// Opens the window on `target` (or, with no choice made, TTAPI when a key is configured,
/// else the built-in simulator). The window shows at once; the engine starts behind it and
/// unfinished jobs from an earlier run resume.
pub fn run(target: Target) -> ExitCode {
    let started = std::time::Instant::now();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mjdesk: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _guard = rt.enter();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title("mjdesk").with_inner_size([1200.0, 800.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "mjdesk",
        options,
        Box::new(move |cc| Ok(Box::new(MjdeskApp::new(&cc.egui_ctx, target, started)))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mjdesk: could not open the window: {e}");
            ExitCode::FAILURE
        }
    }
}
