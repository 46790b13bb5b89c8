//! The desktop window. Thin panels over [`state::AppState`]; all work happens in the job
//! manager on the tokio runtime, which reports back through updates and a repaint request.

pub mod allocator;
pub mod background;
pub mod canvas;
pub mod editors;
pub mod export;
pub mod image_inputs;
pub mod image_lru;
pub mod list;
pub mod mask_preview;
pub mod panels;
pub mod state;

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
    ctx: egui::Context,
    /// Engines replaced by a reconnect: they finish the jobs they were driving and report them.
    retired: Vec<Running>,
    /// Settings saved while the engine was still starting: applied once it has.
    pending_settings: Option<Box<panels::settings::SettingsForm>>,
    repaint: Repaint,
    /// Save / copy / show-in-folder, run off the UI thread.
    exports: export::Exports,
    /// When `run` began, until the first frame is drawn (logged, for the start-up figure).
    first_frame: Option<std::time::Instant>,
    /// The mask canvas, when a Vary (Region) or an edit is open: it takes the central panel.
    editor: Option<editors::region::RegionEditor>,
    /// The Vtrix canvas edit, when open: it takes the central panel.
    canvas_edit: Option<editors::canvas_edit::CanvasEditor>,
    /// File dialog and clipboard reads for Blend and Describe.
    picker: image_inputs::ImagePicker,
}

/// The engine behind the window: starting, or running.
/// The two editors a submit can come from.
#[derive(Clone, Copy)]
enum Editor {
    /// Vary (Region), Edit, Retexture.
    Region,
    /// The Vtrix canvas edit.
    Canvas,
}

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
    /// The Blend / Describe / Seed waiting for theirs (a refusal shows by their button).
    blend: Option<CommandId>,
    describe: Option<CommandId>,
    seed: Option<CommandId>,
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
        image_lru::keep_textures_only(ctx);
        // No blinking caret anywhere: a blink repaints the whole window (~20% of a core under
        // software rendering) while nothing else moves.
        ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
        let egui_ctx = ctx.clone();
        let repaint: Repaint = Arc::new(move || egui_ctx.request_repaint());
        let engine = EngineSlot::Starting(background::start(target, repaint.clone()));
        let exports = export::Exports::new(Some(repaint.clone()));
        Self {
            state: AppState { engine: Engine::Connecting, ..Default::default() },
            engine,
            ctx: ctx.clone(),
            retired: Vec::new(),
            pending_settings: None,
            picker: image_inputs::ImagePicker::new(repaint.clone()),
            repaint,
            exports,
            first_frame: Some(started),
            editor: None,
            canvas_edit: None,
        }
    }

    /// Applies saved settings: theme, mode and folder at once; the gateway (and a new key)
    /// through a new engine, "connecting…" meanwhile.
    fn save_settings(&mut self, form: Box<panels::settings::SettingsForm>) {
        self.apply_preferences(&form);
        let (store, resume) = match std::mem::replace(&mut self.engine, EngineSlot::Stopped) {
            EngineSlot::Starting(rx) => {
                // Reconnect once the first start has answered.
                self.engine = EngineSlot::Starting(rx);
                self.pending_settings = Some(form);
                return;
            }
            EngineSlot::Running(run) => {
                let store = run.loader.store().clone();
                self.retired.push(*run);
                (Some(store), false)
            }
            EngineSlot::Stopped => (None, true),
        };
        self.state.engine = Engine::Connecting;
        self.state.gateway = "connecting…".to_owned();
        self.state.message = None;
        self.state.key_refused = None;
        self.engine = EngineSlot::Starting(background::restart(store, *form, resume, self.repaint.clone()));
    }

    fn take_images(&mut self, target: image_inputs::PickFor, images: Vec<crate::intent::ImageSource>) {
        match target {
            image_inputs::PickFor::Blend => {
                self.state.blend.open = true;
                self.state.blend.add(images);
            }
            image_inputs::PickFor::Describe => {
                self.state.describe.open = true;
                self.state.describe.add(images);
            }
            image_inputs::PickFor::Edit => match images.into_iter().next() {
                Some(crate::intent::ImageSource::File(path)) => self.open_edit(path),
                Some(crate::intent::ImageSource::Bytes { bytes, name }) => {
                    let source = editors::region::Source::Bytes(bytes.clone());
                    let image = crate::intent::ImageSource::Bytes { bytes, name };
                    let flow = editors::region::Flow::Edit { image, retexture: false };
                    self.editor =
                        Some(editors::region::RegionEditor::open(flow, source, None, None, None, self.repaint.clone()));
                }
                Some(crate::intent::ImageSource::Url(_)) | None => {}
            },
        }
    }

    /// Why no image came for a panel, shown by its button (the panel opens to show it).
    fn refuse_images(&mut self, target: image_inputs::PickFor, why: String) {
        match target {
            image_inputs::PickFor::Blend => {
                self.state.blend.open = true;
                self.state.blend.refusal = Some(why);
            }
            image_inputs::PickFor::Describe => {
                self.state.describe.open = true;
                self.state.describe.refusal = Some(why);
            }
            image_inputs::PickFor::Edit => self.state.message = Some(why),
        }
    }

    /// Images dropped onto the window or pasted into it (Ctrl+V) this frame.
    fn incoming_images(&mut self, ctx: &egui::Context) {
        let open = image_inputs::Open {
            blend: self.state.blend.open,
            describe: self.state.describe.open,
            editor: self.editor.is_some() || self.canvas_edit.is_some(),
        };
        let dropped = image_inputs::dropped(ctx);
        if !dropped.is_empty() {
            match (image_inputs::drop_target(open, dropped.len()), dropped.as_slice()) {
                (image_inputs::DropTo::Panel(target), _) => self.take_images(target, dropped),
                (image_inputs::DropTo::Edit, [crate::intent::ImageSource::File(path)]) => self.open_edit(path.clone()),
                (image_inputs::DropTo::Edit, _) => self.take_images(image_inputs::PickFor::Describe, dropped),
            }
        }
        // Text pasted into a text field is the field's; elsewhere, it is taken for image files.
        let typing = ctx.text_edit_focused();
        let panel_open = open.blend || open.describe;
        for event in ctx.input(|i| i.events.clone()) {
            let target = image_inputs::paste_target(open);
            match event {
                egui::Event::PasteImage(image) => self.picker.pasted(target, image),
                egui::Event::Paste(text) if panel_open && !typing => {
                    let paths = image_inputs::pasted_paths(&text);
                    if paths.is_empty() {
                        self.refuse_images(target, image_inputs::PASTED_TEXT.to_owned());
                    } else {
                        self.take_images(target, paths.into_iter().map(crate::intent::ImageSource::File).collect());
                    }
                }
                _ => {}
            }
        }
    }

    /// Opens an image file on the mask canvas for an edit.
    fn open_edit(&mut self, path: std::path::PathBuf) {
        self.editor = Some(editors::region::RegionEditor::open(
            editors::region::Flow::Edit { image: crate::intent::ImageSource::File(path.clone()), retexture: false },
            editors::region::Source::Path(path),
            None,
            None,
            None,
            self.repaint.clone(),
        ));
    }

    /// The settings that take effect without a reconnect.
    fn apply_preferences(&mut self, form: &panels::settings::SettingsForm) {
        self.ctx.set_theme(panels::settings::theme_preference(form.theme));
        self.state.prompt_form.mode = form.default_mode.clone();
        self.state.download_dir = form.download_dir();
        let mut shown = form.clone();
        shown.api_key.clear();
        self.state.settings.form = shown;
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
                match &started.settings {
                    Some(form) => self.apply_preferences(form),
                    None => self.state.settings.form = panels::settings::form_for(&started.connection),
                }
                if let Some(note) = &started.notice {
                    self.state.message = Some(note.clone());
                }
                let simulated = started.connection.is_simulator();
                self.state.gateway =
                    state::gateway_label(started.connection.provider, &started.connection.base_url, simulated);
                self.state.simulated = simulated;
                self.state.limit = started.limit;
                self.state.engine = Engine::Ready;
                self.state.prompt_form.history = panels::prompt_params::PromptHistory::new(started.history);
                self.engine = EngineSlot::Running(Box::new(Running {
                    loader: Loader::new(started.store, self.repaint.clone()),
                    manager: started.manager,
                    updates: started.updates,
                    provider: started.connection.provider,
                    endpoint: started.connection.endpoint,
                    next_command: 0,
                    imagine: None,
                    blend: None,
                    describe: None,
                    seed: None,
                }));
            }
            Err(e) => {
                if let StartError::Connect(c) = &e
                    && c.is_key_problem()
                {
                    self.state.settings.open = true;
                    self.state.settings.notice = Some(crate::textsafe::one_line(&c.to_string()).into_owned());
                }
                self.state.engine = Engine::Failed(e.to_string());
                self.engine = EngineSlot::Stopped;
            }
        }
        if let Some(form) = self.pending_settings.take() {
            self.save_settings(form);
        }
    }

    /// Sends what an open editor asked for, on the parent's gateway (or the window's own), or
    /// closes it.
    fn edit_event(&mut self, which: Editor, event: editors::region::EditorEvent) {
        let intent = match event {
            editors::region::EditorEvent::Close => {
                match which {
                    Editor::Region => self.editor = None,
                    Editor::Canvas => self.canvas_edit = None,
                }
                return;
            }
            editors::region::EditorEvent::Submit(intent) => intent,
        };
        let send_to = match which {
            Editor::Region => self.editor.as_ref().map(|e| e.send_to.clone()),
            Editor::Canvas => self.canvas_edit.as_ref().map(|p| p.send_to.clone()),
        };
        let Some(id) = send_to.and_then(|to| self.send_edit(intent, to)) else { return };
        let submission = match which {
            Editor::Region => self.editor.as_mut().map(|e| &mut e.submission),
            Editor::Canvas => self.canvas_edit.as_mut().map(|p| &mut p.submission),
        };
        if let Some(submission) = submission {
            submission.sent(id);
        }
    }

    /// Submits an editor's intent to `to` (the window's own gateway when `None`).
    fn send_edit(&mut self, intent: Intent, to: Option<editors::region::SendTo>) -> Option<CommandId> {
        let EngineSlot::Running(run) = &mut self.engine else { return None };
        let to = to.unwrap_or_else(|| editors::region::SendTo {
            provider: run.provider,
            endpoint: run.endpoint.clone(),
            options: SubmitOptions { mode: self.state.prompt_form.mode.clone(), ..SubmitOptions::default() },
        });
        let id = run.command_id();
        run.manager.send(Command::Submit {
            id,
            provider: to.provider,
            endpoint: to.endpoint,
            intent: Box::new(intent),
            options: to.options,
        });
        Some(id)
    }

    /// Applies a command as if a panel had sent it: for drivers of the real window from
    /// outside, such as `examples/window_memory.rs`.
    pub fn command(&mut self, cmd: UiCommand) {
        self.apply(cmd);
    }

    fn apply(&mut self, cmd: UiCommand) {
        match cmd {
            UiCommand::SaveImage { source, file_name } => {
                let folder = self.state.download_dir.clone().or_else(export::default_download_dir);
                return self.exports.save(source, file_name, folder);
            }
            UiCommand::SaveSettings(form) => return self.save_settings(form),
            UiCommand::PickImages { target } => return self.picker.open_dialog(target),
            UiCommand::PasteImage { target } => return self.picker.paste(target),
            UiCommand::UsePrompt { prompt } => return self.state.use_prompt(&prompt),
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
                        editors::region::Flow::Edit { image: crate::intent::ImageSource::File(path.clone()), retexture }
                    }
                    _ => editors::region::Flow::Region { parent: job_id.clone() },
                };
                let send_to = Some(editors::region::SendTo::of(job));
                let source = editors::region::Source::Path(path);
                self.editor =
                    Some(editors::region::RegionEditor::open(flow, source, None, send_to, None, self.repaint.clone()));
            }
            UiCommand::EditFile { path } => {
                let flow = editors::region::Flow::Edit {
                    image: crate::intent::ImageSource::File(path.clone().unwrap_or_default()),
                    retexture: false,
                };
                let source = path.map_or(editors::region::Source::Dialog, editors::region::Source::Path);
                self.editor =
                    Some(editors::region::RegionEditor::open(flow, source, None, None, None, self.repaint.clone()));
            }
            UiCommand::EditMaskAgain { job_id } => {
                let Some(job) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
                if let Some((parent, index, sent)) = editors::canvas_edit::edit_again(job) {
                    let (send_to, store) = (Some(editors::region::SendTo::of(job)), run.manager.store().clone());
                    let panel =
                        editors::canvas_edit::CanvasEditor::again(parent, index, sent, store, send_to, self.repaint.clone());
                    self.canvas_edit = Some(panel);
                    return;
                }
                let Some((flow, source, mask)) = editors::region::edit_again(job) else {
                    self.state.message =
                        Some(format!("job {}'s image cannot be had again to paint on", short(&job_id)));
                    return;
                };
                let send_to = Some(editors::region::SendTo::of(job));
                let store = Some(run.manager.store().clone());
                let mut editor =
                    editors::region::RegionEditor::open(flow, source, Some(mask), send_to, store, self.repaint.clone());
                editor.prompt = editors::region::sent_prompt(&job.request).unwrap_or_default().to_owned();
                self.editor = Some(editor);
            }
            UiCommand::CanvasEdit { job_id, index } => {
                let Some(job) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
                let Some(path) = job.result_images().get(usize::from(index)).and_then(|i| i.local_path.clone()) else {
                    self.state.message = Some(format!("job {}'s image is not downloaded yet", short(&job_id)));
                    return;
                };
                let send_to = Some(editors::region::SendTo::of(job));
                self.canvas_edit =
                    Some(editors::canvas_edit::CanvasEditor::open(job_id, index, path, send_to, self.repaint.clone()));
            }
            UiCommand::Blend { images, dimensions } => {
                self.state.blend.refusal = None;
                run.blend = Some(submit(run, &self.state, Intent::Blend { images, dimensions }));
            }
            UiCommand::Describe { image } => {
                self.state.describe.refusal = None;
                run.describe = Some(submit(run, &self.state, Intent::Describe { image }));
            }
            UiCommand::Seed { job_id } => {
                let Some(parent) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
                let (provider, endpoint, options) = (parent.provider, parent.base_url.clone(), parent.options.clone());
                let id = run.command_id();
                run.seed = Some(id);
                let intent = Box::new(Intent::Seed { parent: job_id });
                run.manager.send(Command::Submit { id, provider, endpoint, intent, options });
            }
            UiCommand::SaveImage { .. }
            | UiCommand::CopyImage { .. }
            | UiCommand::ShowInFolder { .. }
            | UiCommand::SaveSettings(_)
            | UiCommand::PickImages { .. }
            | UiCommand::PasteImage { .. }
            | UiCommand::UsePrompt { .. } => {}
        }
    }
}

impl eframe::App for MjdeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_start();
        while let Some(picked) = self.picker.try_recv() {
            match picked.images {
                Ok(images) => self.take_images(picked.target, images),
                Err(why) => self.refuse_images(picked.target, why),
            }
        }
        self.incoming_images(ctx);
        for outcome in self.exports.poll() {
            self.state.message = Some(outcome.to_string());
        }
        // Engines replaced by a reconnect report the jobs they still drive, then go.
        for old in &mut self.retired {
            while let Some(update) = old.updates.try_recv() {
                self.state.apply(update);
            }
        }
        self.retired.retain(|old| old.manager.live_jobs() > 0);
        let EngineSlot::Running(run) = &mut self.engine else { return };
        if let Some(editor) = &mut self.editor
            && !editor.poll()
        {
            self.editor = None;
        }
        if let Some(panel) = &mut self.canvas_edit {
            panel.poll();
        }
        while let Some(update) = run.updates.try_recv() {
            if let crate::manager::Update::Rejected { id, error } = &update {
                let said = crate::textsafe::short_line(&error.to_string()).to_string();
                if run.imagine == Some(*id) {
                    self.state.prompt_form.rejected(&said);
                } else if run.blend == Some(*id) {
                    self.state.blend.refusal = Some(said);
                } else if run.describe == Some(*id) {
                    self.state.describe.refusal = Some(said);
                }
            }
            // Sent: the editor closes and the new job shows in the list (a follow-up
            // highlighted under its parent); refused: the editor says why.
            if self.editor.as_mut().is_some_and(|e| e.submission.answer(&update)) {
                self.editor = None;
            }
            if self.canvas_edit.as_mut().is_some_and(|p| p.submission.answer(&update)) {
                self.canvas_edit = None;
            }
            self.state.apply(update);
        }
        while let Some(loaded) = run.loader.try_recv() {
            self.state.loaded(loaded);
        }
        self.state.counts = run.manager.counts();
        for old in &self.retired {
            let c = old.manager.counts();
            self.state.counts.in_progress += c.in_progress;
            self.state.counts.queued_locally += c.queued_locally;
        }
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
        egui::Panel::bottom("status").show(ui, |ui| panels::status_bar::status_bar_ui(ui, &self.state));
        egui::Panel::top("prompt").show(ui, |ui| {
            ui.add_space(6.0);
            panels::prompt::prompt_panel_ui(ui, &mut self.state, &mut commands);
            ui.horizontal(|ui| {
                ui.toggle_value(&mut self.state.blend.open, "Open Blend").on_hover_text("Blend 2-5 images");
                ui.toggle_value(&mut self.state.describe.open, "Open Describe")
                    .on_hover_text("Four prompts for an image");
            });
            ui.add_space(6.0);
        });
        egui::Panel::left("jobs")
            .default_size(320.0)
            .show(ui, |ui| panels::jobs::jobs_panel_ui(ui, &mut self.state, &mut commands));
        panels::settings::settings_window(ui.ctx(), &mut self.state.settings, &mut commands);
        let mut open = self.state.blend.open;
        panel_window(ui.ctx(), "Blend images", &mut open, |ui| {
            panels::blend::blend_ui(ui, &mut self.state.blend, &mut commands)
        });
        self.state.blend.open = open;
        let mut open = self.state.describe.open;
        panel_window(ui.ctx(), "Describe an image", &mut open, |ui| {
            panels::describe::describe_ui(ui, &mut self.state.describe, &mut commands)
        });
        self.state.describe.open = open;
        let (mut edited, mut canvas_edited) = (None, None);
        if let (EngineSlot::Running(run), Some(editor)) = (&self.engine, &mut self.editor) {
            editor.window_provider = Some(run.provider);
        }
        egui::CentralPanel::default().show(ui, |ui| match (&self.state.engine, &mut self.editor) {
            (Engine::Failed(why), _) => startup_problem_ui(ui, why),
            (_, Some(editor)) => edited = editor.ui(ui),
            (_, None) if self.canvas_edit.is_some() => {
                canvas_edited = self.canvas_edit.as_mut().and_then(|p| p.ui(ui));
            }
            _ => {
                if self.state.simulated && self.state.engine == Engine::Ready {
                    panels::settings::simulator_banner_ui(ui, &mut self.state.settings);
                }
                panels::job_view::job_view_ui(ui, &self.state, &mut commands)
            }
        });
        if let Some(event) = edited {
            self.edit_event(Editor::Region, event);
        }
        if let Some(event) = canvas_edited {
            self.edit_event(Editor::Canvas, event);
        }
        for cmd in commands {
            self.apply(cmd);
        }
        image_lru::end_frame(ui.ctx());
        if let EngineSlot::Running(run) = &self.engine {
            let visible = self.state.visible_rows.clone();
            for read in self.state.list.wanted(visible) {
                run.loader.list(read);
            }
        }
    }
}

/// Sends a new job (not a follow-up) to the window's gateway; returns its command id.
fn submit(run: &mut Running, state: &AppState, intent: Intent) -> CommandId {
    let id = run.command_id();
    run.manager.send(Command::Submit {
        id,
        provider: run.provider,
        endpoint: run.endpoint.clone(),
        intent: Box::new(intent),
        options: SubmitOptions { mode: state.prompt_form.mode.clone(), ..SubmitOptions::default() },
    });
    id
}

/// The first eight characters of a job id, for messages.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A panel as a small window over the app while `open`: first shown in the middle, where it
/// covers neither the prompt nor the buttons that open it.
fn panel_window(ctx: &egui::Context, title: &str, open: &mut bool, body: impl FnOnce(&mut egui::Ui)) {
    if !*open {
        return;
    }
    egui::Window::new(title)
        .open(open)
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .show(ctx, body);
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
    let _ = allocator::return_large_frees_to_the_system();
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
