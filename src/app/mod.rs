//! The desktop window. Each panel ([`panels`]) and editor ([`editors`]) owns its state, reads
//! what it shows from the shared [`state::AppState`], and asks for everything else with a
//! [`command::UiCommand`]. `logic()` applies those commands in one place ([`apply`]), sends
//! through the one engine ([`engine`]), and takes in the manager's updates; `ui()` only draws.
//! All work happens in the job manager on the tokio runtime, which reports back through
//! updates and a repaint request.

pub mod allocator;
mod apply;
pub mod background;
pub mod bulk_export;
pub mod canvas;
pub mod command;
pub mod editors;
pub mod engine;
pub mod export;
pub mod facets;
mod file_dialog;
pub mod image_inputs;
pub mod image_lru;
mod intake;
pub mod library;
pub mod list;
pub mod mask_preview;
pub mod notices;
mod organize;
pub mod panels;
pub mod player;
pub mod selection;
pub mod session;
pub mod settings_form;
pub mod state;
pub mod submission;

use std::process::ExitCode;
use std::sync::Arc;

pub use settings_form::Target;

use background::Repaint;
use command::UiCommand;
use editors::ActiveEditor;
use editors::shell::EditorEvent;
use engine::Engine;
use panels::{blend, collections, describe, job_view, jobs, palette, prompt, prompt_params, settings, status_bar};
use state::AppState;
use submission::Answer;

/// Every panel's own state, beside the shared [`AppState`].
#[derive(Default)]
pub struct Panels {
    pub prompt: prompt_params::PromptForm,
    pub jobs: jobs::JobsPanel,
    pub job_view: job_view::JobView,
    pub blend: blend::BlendForm,
    pub describe: describe::DescribeForm,
    pub settings: settings::SettingsUi,
    pub palette: palette::Palette,
    pub collections: collections::CollectionsPanel,
}

/// The window: its state, and the engine behind it.
pub struct MjdeskApp {
    state: AppState,
    panels: Panels,
    /// The mask canvas or the canvas edit, when one is open: it takes the central panel.
    editor: Option<ActiveEditor>,
    engine: Engine,
    /// What the panels asked for in the last pass, applied at the start of the next.
    commands: Vec<UiCommand>,
    /// The mask canvas's last tool and brush size (stored, and given to each editor's canvas),
    /// and whether the open editor's canvas has them yet.
    canvas_prefs: canvas::CanvasPrefs,
    prefs_applied: bool,
    /// The list rows shown in the last pass (a change asks for one more pass, to read them).
    shown_rows: std::ops::Range<u64>,
    ctx: egui::Context,
    repaint: Repaint,
    /// Save / copy / show-in-folder, run off the UI thread.
    exports: export::Exports,
    /// `Export`: the chosen jobs into a folder, run off the UI thread.
    bulk: bulk_export::BulkExport,
    /// File dialog and clipboard reads for Blend and Describe.
    picker: image_inputs::ImagePicker,
    /// When `run` began, until the first frame is drawn (logged, for the start-up figure).
    first_frame: Option<std::time::Instant>,
    /// When `run` began, until the list shows its first row (logged likewise).
    first_rows: Option<std::time::Instant>,
    /// An image named on the command line ("Open with mjdesk"): opened for an edit once the
    /// engine is up.
    open_image: Option<std::path::PathBuf>,
    /// Jobs ending while the window is in the background, told on the desktop.
    notices: notices::Notices,
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
        Self {
            state: AppState { engine: state::Engine::Connecting, ..Default::default() },
            panels: Panels::default(),
            editor: None,
            engine: Engine::start(target, repaint.clone()),
            commands: Vec::new(),
            canvas_prefs: canvas::CanvasPrefs::default(),
            prefs_applied: false,
            shown_rows: 0..0,
            ctx: ctx.clone(),
            picker: image_inputs::ImagePicker::new(repaint.clone()),
            exports: export::Exports::new(Some(repaint.clone())),
            bulk: bulk_export::BulkExport::new(repaint.clone()),
            repaint,
            first_frame: Some(started),
            first_rows: Some(started),
            open_image: None,
            notices: notices::Notices::new(settings_form::SettingsForm::default().notifications),
        }
    }

    /// Opens `path` in the mask canvas for an edit once the engine is up: "Open with mjdesk"
    /// from a file manager, or `mjdesk IMAGE`.
    pub fn open_on_start(&mut self, path: std::path::PathBuf) {
        self.open_image = Some(path);
    }

    /// The settings that take effect without a reconnect.
    fn apply_preferences(&mut self, form: &settings_form::SettingsForm) {
        self.ctx.set_theme(settings_form::theme_preference(form.theme));
        self.panels.prompt.mode = form.default_mode.clone();
        self.state.download_dir = form.download_dir();
        self.notices.enabled = form.notifications;
        let mut shown = form.clone();
        shown.api_key.clear();
        self.panels.settings.show_saved(shown);
    }

    /// Takes in the engine once it has started (or why it could not).
    fn poll_start(&mut self) {
        match self.engine.poll_start() {
            None => {}
            Some(Ok(started)) => {
                match &started.settings {
                    Some(form) => self.apply_preferences(form),
                    None => self.panels.settings.form = settings_form::form_for(&started.connection),
                }
                if let Some(note) = &started.notice {
                    self.state.message = Some(note.clone());
                }
                let simulated = started.connection.is_simulator();
                self.state.gateway =
                    state::gateway_label(started.connection.provider, &started.connection.base_url, simulated);
                self.state.simulated = simulated;
                self.state.limit = started.limit;
                self.state.engine = state::Engine::Ready;
                self.state.facets.restart();
                if let Some(path) = self.open_image.take() {
                    self.take_images(command::PickFor::Edit, vec![crate::intent::ImageSource::File(path)]);
                }
                self.panels.prompt.history = prompt_params::PromptHistory::new(started.history);
                if let Some(prefs) = started.canvas_prefs.as_deref().and_then(|j| serde_json::from_str(j).ok()) {
                    self.canvas_prefs = prefs;
                }
            }
            Some(Err(e)) => {
                if let background::StartError::Connect(c) = &e
                    && c.is_key_problem()
                {
                    self.panels.settings.open = true;
                    self.panels.settings.notice = Some(crate::textsafe::one_line(&c.to_string()).into_owned());
                }
                self.state.engine = state::Engine::Failed(e.to_string());
            }
        }
    }

    /// Takes in one update from the job manager: the control that sent its command hears the
    /// answer; then the shared state.
    fn take_update(&mut self, update: crate::manager::Update) {
        if let Some(answer) = self.panels.prompt.submission.answer(&update) {
            self.panels.prompt.answered(&answer);
        }
        self.panels.blend.submission.answer(&update);
        self.panels.describe.submission.answer(&update);
        self.panels.job_view.submission.answer(&update);
        // Sent: the editor closes and the new job shows in the list (a follow-up highlighted
        // under its parent); refused: the editor says why.
        let editor_answer = self.editor.as_mut().and_then(|e| e.submission_mut().answer(&update));
        if let Some(Answer::Accepted(_)) = editor_answer
            && let Some(mut editor) = self.editor.take()
        {
            // the mask became a job: its draft is no longer needed
            editor.discard_draft();
        }
        if let crate::manager::Update::Job(job) = &update {
            // unknown focus (no window system said) counts as focused: nothing is told
            let focused = self.ctx.input(|i| i.viewport().focused) != Some(false);
            self.notices.observe(job, focused, std::time::Instant::now());
        }
        match &update {
            crate::manager::Update::Job(job) => self.panels.prompt.observe(job),
            crate::manager::Update::Accepted { job, .. } => {
                self.panels.prompt.observe(job);
                self.panels.jobs.scroll_to_top = true;
            }
            crate::manager::Update::KeyRefused { error, .. } => {
                self.panels.settings.key_refused(&crate::textsafe::one_line(&error.to_string()));
            }
            crate::manager::Update::Rejected { .. }
            | crate::manager::Update::Notice(_)
            | crate::manager::Update::Account(_) => {}
        }
        self.state.apply(update);
    }

    /// Ctrl+K, `?`, the command palette and the shortcuts window. Drawn before the panels:
    /// its keys (Ctrl+K, and Up/Down/Enter/Escape while it is open) are taken first.
    fn palette_ui(&mut self, ctx: &egui::Context) {
        palette::keys(ctx, &mut self.panels.palette);
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::E)) {
            self.commands.push(UiCommand::Export { folder: None });
        }
        if self.panels.palette.open {
            let canvas_open = self.editor.as_mut().and_then(ActiveEditor::canvas_mut).is_some();
            let imagine_blocked = prompt::imagine_unavailable(&self.panels.prompt);
            let cx = palette::Context {
                job: self.state.selected_job(),
                imagine_blocked: imagine_blocked.as_deref(),
                canvas_open,
                filter: Some(self.state.list.filter()),
                chosen: self.panels.jobs.selection.len(),
            };
            let entries = palette::entries(&cx);
            if let Some(run) = palette::palette_window(ctx, &mut self.panels.palette, &entries) {
                self.run_from_palette(run);
            }
        }
        palette::shortcuts_window(ctx, &mut self.panels.palette.shortcuts_open);
    }

    /// What a palette entry does: what its button does.
    fn run_from_palette(&mut self, run: palette::Run) {
        match run {
            palette::Run::Command(cmd) => self.commands.push(cmd),
            palette::Run::Imagine => self.commands.extend(prompt::imagine(&mut self.panels.prompt)),
            palette::Run::OpenBlend => self.panels.blend.open = true,
            palette::Run::OpenDescribe => self.panels.describe.open = true,
            palette::Run::Shortcuts => self.panels.palette.shortcuts_open = true,
        }
    }

    /// The central panel: the open editor, else the job view (or why the engine could not
    /// start).
    fn central_ui(&mut self, ui: &mut egui::Ui) {
        if let state::Engine::Failed(why) = &self.state.engine {
            return startup_problem_ui(ui, why);
        }
        if let Some(editor) = &mut self.editor {
            let provider = self.engine.running().map(|r| r.provider);
            match editor.ui(ui, provider) {
                Some(EditorEvent::Submit(intent)) => self.commands.push(UiCommand::SendEdit(Box::new(intent))),
                Some(EditorEvent::Close) => self.commands.push(UiCommand::CloseEditor),
                None => {}
            }
            return;
        }
        if self.state.simulated && self.state.engine == state::Engine::Ready {
            settings::simulator_banner_ui(ui, &mut self.panels.settings);
        }
        job_view::job_view_ui(ui, &mut self.panels.job_view, &self.state, &mut self.commands);
    }
}

/// A panel's frame with no fill: the window is cleared to the panels' colour
/// ([`eframe::App::clear_color`]), so filling each panel again would only draw every pixel
/// twice, which under software GL is a third of a frame.
fn unfilled(frame: egui::Frame) -> egui::Frame {
    frame.fill(egui::Color32::TRANSPARENT)
}

impl eframe::App for MjdeskApp {
    /// The panels' colour: they are drawn unfilled over it (see [`unfilled`]).
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_start();
        for cmd in std::mem::take(&mut self.commands) {
            self.apply(cmd);
        }
        self.poll_library();
        self.poll_export();
        self.picked_images();
        self.incoming_images(ctx);
        for outcome in self.exports.poll() {
            self.state.message = Some(outcome.to_string());
        }
        if self.editor.as_mut().is_some_and(|e| !e.poll()) {
            self.editor = None;
        }
        if !self.prefs_applied
            && let Some(canvas) = self.editor.as_mut().and_then(ActiveEditor::canvas_mut)
        {
            canvas.set_prefs(&self.canvas_prefs);
            self.prefs_applied = true;
        }
        for update in self.engine.updates() {
            self.take_update(update);
        }
        if let Some(notice) = self.notices.due(std::time::Instant::now()) {
            notices::show(notice);
        }
        self.state.counts = self.engine.counts();
        if let Some(run) = self.engine.running() {
            while let Some(loaded) = run.loader.try_recv() {
                self.state.loaded(loaded);
            }
            if self.state.list.row(0).is_some()
                && let Some(started) = self.first_rows.take()
            {
                tracing::info!("the list's first rows {} ms after start", started.elapsed().as_millis());
            }
            for read in self.state.list.wanted(self.panels.jobs.visible_rows.clone()) {
                run.loader.list(read);
            }
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
        if let Some(at) = self.notices.next_due() {
            // (asked here, in the pass that draws: a wake asked for in `logic` was lost)
            ui.ctx().request_repaint_after(at.saturating_duration_since(std::time::Instant::now()));
        }
        self.palette_ui(ui.ctx());
        let commands = &mut self.commands;
        let side = unfilled(egui::Frame::side_top_panel(ui.style()));
        egui::Panel::bottom("status").frame(side).show(ui, |ui| status_bar::status_bar_ui(ui, &self.state));
        egui::Panel::top("prompt").frame(side).show(ui, |ui| {
            ui.add_space(6.0);
            prompt::prompt_panel_ui(ui, &mut self.panels.prompt, commands);
            ui.horizontal(|ui| {
                ui.toggle_value(&mut self.panels.blend.open, "Open Blend").on_hover_text("Blend 2-5 images");
                ui.toggle_value(&mut self.panels.describe.open, "Open Describe")
                    .on_hover_text("Four prompts for an image");
            });
            ui.add_space(6.0);
        });
        egui::Panel::left("collections").frame(side).default_size(190.0).show(ui, |ui| {
            let cx = collections::CollectionsCx {
                filter: self.state.list.filter(),
                selection: &self.panels.jobs.selection,
                focused: self.state.selected.as_deref(),
            };
            collections::collections_ui(ui, &mut self.panels.collections, &cx, commands)
        });
        egui::Panel::left("jobs")
            .frame(side)
            .default_size(320.0)
            .show(ui, |ui| jobs::jobs_panel_ui(ui, &mut self.panels.jobs, &self.state, commands));
        settings::settings_window(ui.ctx(), &mut self.panels.settings, commands);
        let mut open = self.panels.blend.open;
        panel_window(ui.ctx(), "Blend images", &mut open, |ui| blend::blend_ui(ui, &mut self.panels.blend, commands));
        self.panels.blend.open = open;
        let mut open = self.panels.describe.open;
        panel_window(ui.ctx(), "Describe an image", &mut open, |ui| {
            describe::describe_ui(ui, &mut self.panels.describe, commands)
        });
        self.panels.describe.open = open;
        let central = unfilled(egui::Frame::central_panel(ui.style()));
        egui::CentralPanel::default().frame(central).show(ui, |ui| self.central_ui(ui));
        // a tool or brush size the designer chose is remembered once the pointer is up
        if self.prefs_applied
            && !ui.input(|i| i.pointer.any_down())
            && let Some(prefs) = self.editor.as_mut().and_then(ActiveEditor::canvas_mut).map(|c| c.prefs())
            && prefs != self.canvas_prefs
        {
            self.commands.push(UiCommand::CanvasPrefs(prefs));
        }
        image_lru::end_frame(ui.ctx());
        // What was asked is applied (and newly shown rows read) in the next pass: ask for it.
        if !self.commands.is_empty() || self.panels.jobs.visible_rows != self.shown_rows {
            self.shown_rows = self.panels.jobs.visible_rows.clone();
            ui.ctx().request_repaint();
        }
    }
}

/// A panel as a small window over the app while `open`: first shown in the middle, where it
/// covers neither the prompt nor the buttons that open it. It is held by its top, so it grows
/// downwards as images are added, and what is under the pointer stays there.
fn panel_window(ctx: &egui::Context, title: &str, open: &mut bool, body: impl FnOnce(&mut egui::Ui)) {
    if !*open {
        return;
    }
    let screen = ctx.content_rect();
    egui::Window::new(title)
        .open(open)
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(egui::pos2(screen.center().x, screen.top() + screen.height() * 0.2))
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
pub fn run(target: Target, open_image: Option<std::path::PathBuf>) -> ExitCode {
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
        viewport: window_icon(
            egui::ViewportBuilder::default()
                .with_title("mjdesk")
                // matches the desktop entry (StartupWMClass, and Wayland's app id)
                .with_app_id("mjdesk")
                .with_inner_size([1200.0, 800.0])
                // below this the job view, beside the two lists, has too little room for a
                // grid and its buttons (checked at 900x600 with a grid and four clips)
                .with_min_inner_size([900.0, 600.0]),
        ),
        // egui's shader dithers every pixel it draws to hide banding in gradients, which the
        // window has none of. Under software GL that is a quarter of the drawing: a 24 fps
        // clip took 80% of a core with it and 61% without (release, Xvfb, llvmpipe).
        dithering: false,
        ..Default::default()
    };
    let result = eframe::run_native(
        "mjdesk",
        options,
        Box::new(move |cc| {
            let mut app = MjdeskApp::new(&cc.egui_ctx, target, started);
            if let Some(path) = open_image {
                app.open_on_start(path);
            }
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mjdesk: could not open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The window's icon: the packaged one, drawn into the binary (a 64 px PNG, decoded in well
/// under a millisecond).
fn window_icon(viewport: egui::ViewportBuilder) -> egui::ViewportBuilder {
    match image::load_from_memory(include_bytes!("../../assets/icons/64x64/mjdesk.png")) {
        Ok(icon) => {
            let icon = icon.into_rgba8();
            let (width, height) = icon.dimensions();
            viewport.with_icon(egui::IconData { rgba: icon.into_raw(), width, height })
        }
        Err(e) => {
            tracing::warn!("the window icon could not be read: {e}");
            viewport
        }
    }
}
