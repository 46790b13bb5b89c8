//! Where every [`UiCommand`] is applied: one exhaustive match, run from `logic()` at the start
//! of the pass after the one that asked. Everything sent goes through [`MjdeskApp::send`], so
//! the control that sent it keeps the command id in its [`Submission`] and its refusal shows
//! beside it.

use super::MjdeskApp;
use super::command::UiCommand;
use super::editors::ActiveEditor;
use super::engine::SendTo;
use super::export;
use super::state::Engine;
use super::submission::Submission;
use crate::actions::ActionKind;
use crate::intent::Intent;

/// Said beside a control pressed before the engine is up (or after it failed to start).
pub const NOT_CONNECTED: &str = "not connected to a gateway yet: wait until the status bar names one";

/// The control a submit came from.
pub enum Control {
    Imagine,
    Blend,
    Describe,
    /// A follow-up from the job view: the job and the control's label (`U2`, `Seed` ...).
    JobView {
        job_id: String,
        label: String,
    },
    Editor,
}

impl MjdeskApp {
    /// Applies a command as if a panel had sent it: for drivers of the real window from
    /// outside, such as `examples/window_memory.rs`.
    pub fn command(&mut self, cmd: UiCommand) {
        self.apply(cmd);
    }

    pub(super) fn apply(&mut self, cmd: UiCommand) {
        match cmd {
            UiCommand::Imagine { prompt } => self.send(Intent::Imagine { prompt }, None, Control::Imagine),
            UiCommand::Blend { images, dimensions } => {
                self.send(Intent::Blend { images, dimensions }, None, Control::Blend)
            }
            UiCommand::Describe { image } => self.send(Intent::Describe { image }, None, Control::Describe),
            UiCommand::Action { job_id, action } => {
                let Some(to) = self.state.selected_job().filter(|j| j.id == job_id).map(SendTo::of) else { return };
                let label = ActionKind::parse(&action).label();
                self.send(
                    Intent::Action { parent: job_id.clone(), action },
                    Some(to),
                    Control::JobView { job_id, label },
                )
            }
            UiCommand::Remix { job_id, index, prompt, strong } => {
                let Some(to) = self.state.selected_job().filter(|j| j.id == job_id).map(SendTo::of) else { return };
                let control = Control::JobView { job_id: job_id.clone(), label: "Remix".into() };
                self.send(Intent::Remix { parent: job_id, index, prompt, strong }, Some(to), control)
            }
            UiCommand::Animate { job_id, index, video, end } => {
                let Some(to) = self.state.selected_job().filter(|j| j.id == job_id).map(SendTo::of) else { return };
                let start = crate::intent::FrameSource::Job { id: job_id.clone(), index };
                let control = Control::JobView { job_id, label: "Animate".into() };
                self.send(Intent::Animate { start, end, video }, Some(to), control)
            }
            UiCommand::Extend { job_id, index } => {
                let Some(to) = self.state.selected_job().filter(|j| j.id == job_id).map(SendTo::of) else { return };
                let control = Control::JobView { job_id: job_id.clone(), label: format!("Extend {}", index + 1) };
                let video = crate::job::VideoOptions::default();
                self.send(Intent::Extend { parent: job_id, index, video }, Some(to), control)
            }
            UiCommand::Seed { job_id } => {
                let Some(to) = self.state.selected_job().filter(|j| j.id == job_id).map(SendTo::of) else { return };
                let control = Control::JobView { job_id: job_id.clone(), label: "Seed".into() };
                self.send(Intent::Seed { parent: job_id }, Some(to), control)
            }
            UiCommand::Retry { job_id } => match self.engine.running_mut() {
                Some(run) => {
                    let id = run.retry(job_id.clone());
                    self.panels.job_view.sent(&job_id, "Retry".into(), id);
                }
                None => self.panels.job_view.submission.refused(NOT_CONNECTED),
            },
            UiCommand::CheckAgain { job_id } => match self.engine.running_mut() {
                Some(run) => {
                    let id = run.check_again(job_id.clone());
                    self.panels.job_view.sent(&job_id, "Check again".into(), id);
                }
                None => self.panels.job_view.submission.refused(NOT_CONNECTED),
            },
            UiCommand::SendEdit(intent) => {
                let to = self.editor.as_ref().and_then(ActiveEditor::send_to);
                self.send(*intent, to, Control::Editor)
            }
            UiCommand::CloseEditor => {
                if let Some(mut editor) = self.editor.take() {
                    editor.flush_draft();
                }
            }
            UiCommand::Select { job_id } => self.select(job_id),
            UiCommand::ToggleLike { job_id } => match self.engine.running() {
                Some(run) => run.loader.toggle_like(job_id),
                None => self.state.message = Some(NOT_CONNECTED.to_owned()),
            },
            UiCommand::Rate { job_id, stars } => match self.engine.running() {
                Some(run) => run.loader.rate(job_id, stars),
                None => self.state.message = Some(NOT_CONNECTED.to_owned()),
            },
            UiCommand::Filter(filter) => {
                // What is chosen is what the list shows: a new search or filter drops the
                // choice, as a file manager's does, so Export never writes jobs out of sight.
                if filter != *self.state.list.filter() {
                    self.panels.jobs.selection.clear();
                }
                self.state.list.set_filter(filter)
            }
            UiCommand::VaryRegion { job_id } => self.open_on_job(&job_id, None),
            UiCommand::EditImage { job_id, retexture } => self.open_on_job(&job_id, Some(retexture)),
            UiCommand::EditFile { path } => {
                let store = self.store();
                self.open_editor(ActiveEditor::on_file(path, store, self.repaint.clone()));
            }
            UiCommand::EditMaskAgain { job_id } => {
                let Some(job) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
                let Some(store) = self.engine.running().map(|r| r.store().clone()) else {
                    return self.state.message = Some(NOT_CONNECTED.to_owned());
                };
                match ActiveEditor::again(job, store, self.repaint.clone()) {
                    Ok(editor) => self.open_editor(editor),
                    Err(why) => self.state.message = Some(why),
                }
            }
            UiCommand::CanvasEdit { job_id, index } => {
                let Some(job) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
                match ActiveEditor::canvas_edit(job, index, self.repaint.clone()) {
                    Ok(editor) => self.open_editor(editor),
                    Err(why) => self.state.message = Some(why),
                }
            }
            UiCommand::SaveImage { source, file_name } => {
                let folder = self.state.download_dir.clone().or_else(export::default_download_dir);
                self.exports.save(source, file_name, folder);
            }
            UiCommand::CopyImage { source } => self.exports.copy(source),
            UiCommand::ShowInFolder { path } => self.exports.show_in_folder(&path),
            UiCommand::SaveSettings(form) => self.save_settings(form),
            UiCommand::CanvasPrefs(prefs) => self.remember_canvas_prefs(prefs),
            UiCommand::ToggleSettings => self.panels.settings.open = !self.panels.settings.open,
            UiCommand::PickImages { target } => self.picker.open_dialog(target),
            UiCommand::PasteImage { target } => self.picker.paste(target),
            UiCommand::UsePrompt { prompt } => self.panels.prompt.use_prompt(&prompt),
            UiCommand::EditPrompt { job_id } => self.edit_prompt(&job_id),
            UiCommand::ClearSelection => self.panels.jobs.selection.clear(),
            UiCommand::ChooseRows { filter, rows } => self.library(|l| l.rows(filter, rows)),
            UiCommand::CreateCollection { name } => self.library(|l| l.create(name)),
            UiCommand::RenameCollection { id, name } => self.library(|l| l.rename(id, name)),
            UiCommand::DeleteCollection { id } => self.library(|l| l.delete(id)),
            UiCommand::AddToCollection { id, jobs } => self.library(|l| l.add(id, jobs)),
            UiCommand::RemoveFromCollection { id, jobs } => self.library(|l| l.remove(id, jobs)),
            UiCommand::Export { folder } => self.export(folder),
            UiCommand::CancelExport => {
                self.bulk.cancel();
                self.state.export.cancelling();
            }
            UiCommand::CanvasAction(action) => {
                if let Some(canvas) = self.editor.as_mut().and_then(ActiveEditor::canvas_mut) {
                    canvas.apply(action);
                }
            }
        }
    }

    /// Runs `work` on the library's store worker, or says the engine is not up yet.
    fn library(&mut self, work: impl FnOnce(&super::library::Library)) {
        match self.engine.running() {
            Some(run) => work(&run.library),
            None => self.panels.collections.outcome = Some(Err(NOT_CONNECTED.to_owned())),
        }
    }

    /// Exports the jobs chosen in the list, or every job it shows when none is, into
    /// `folder` (None: the dialog's).
    fn export(&mut self, folder: Option<std::path::PathBuf>) {
        use super::bulk_export::{ExportStatus, ExportWhat};
        if self.state.export.busy() {
            return;
        }
        let Some(store) = self.store() else {
            self.state.export = ExportStatus::Ended { said: NOT_CONNECTED.to_owned(), failed: true };
            return;
        };
        let chosen = &self.panels.jobs.selection;
        let what = if chosen.is_empty() {
            ExportWhat::Filter(self.state.list.filter().clone())
        } else {
            ExportWhat::Jobs(chosen.ids())
        };
        let start_in = self.state.download_dir.clone().or_else(export::default_download_dir);
        self.bulk.start(store, what, folder, start_in);
        self.state.export = ExportStatus::Choosing;
    }

    /// The one way anything is sent: `intent` to `to` (the window's own gateway, in the prompt
    /// panel's mode, when `None`), tracked by the sending control's submission.
    fn send(&mut self, intent: Intent, to: Option<SendTo>, from: Control) {
        let mode = self.panels.prompt.mode.clone();
        let sent = self.engine.running_mut().map(|run| {
            let to = to.unwrap_or_else(|| run.own_gateway(mode));
            run.send(intent, to)
        });
        if let Control::JobView { job_id, label } = &from {
            match sent {
                Some(id) => self.panels.job_view.sent(job_id, label.clone(), id),
                None => self.panels.job_view.submission.refused(NOT_CONNECTED),
            }
            return;
        }
        let Some(submission) = self.submission_of(&from) else { return };
        match sent {
            Some(id) => submission.sent(id),
            None => submission.refused(NOT_CONNECTED),
        }
        if let (Control::Imagine, None) = (&from, sent) {
            self.panels.prompt.rejected(NOT_CONNECTED);
        }
    }

    fn submission_of(&mut self, from: &Control) -> Option<&mut Submission> {
        Some(match from {
            Control::Imagine => &mut self.panels.prompt.submission,
            Control::Blend => &mut self.panels.blend.submission,
            Control::Describe => &mut self.panels.describe.submission,
            Control::JobView { .. } => &mut self.panels.job_view.submission,
            Control::Editor => self.editor.as_mut()?.submission_mut(),
        })
    }

    /// Opens `editor` in the central panel; its canvas takes the last tool and brush size
    /// once its image is in.
    pub(super) fn open_editor(&mut self, editor: ActiveEditor) {
        self.editor = Some(editor);
        self.prefs_applied = false;
    }

    /// Keeps the canvas's tool and brush size for the next editor, and in the store (off the
    /// UI thread) for the next start.
    fn remember_canvas_prefs(&mut self, prefs: crate::app::canvas::CanvasPrefs) {
        self.canvas_prefs = prefs;
        let (Some(store), Ok(json)) = (self.store(), serde_json::to_string(&self.canvas_prefs)) else { return };
        super::editors::shell::spawn_blocking(move || {
            if let Err(e) = store.set_setting(super::background::CANVAS_PREFS, &json) {
                tracing::warn!("the canvas's tool and brush size could not be stored: {e}");
            }
        });
    }

    /// The running engine's store, where drafts are kept.
    pub(super) fn store(&self) -> Option<crate::store::Store> {
        self.engine.running().map(|r| r.store().clone())
    }

    /// Shows job `job_id` (read from the store off the UI thread) and its follow-ups.
    fn select(&mut self, job_id: String) {
        if self.state.selected.as_deref() == Some(job_id.as_str()) {
            return;
        }
        self.state.selected = Some(job_id.clone());
        self.state.children.clear();
        if let Some(run) = self.engine.running() {
            run.loader.job(job_id.clone());
            run.loader.marks(job_id.clone());
            run.loader.children(job_id);
        }
    }

    /// Puts the selected job `job_id`'s prompt into the prompt box and sets the box's mode to
    /// the job's, with the caret in the box, to edit and run again.
    fn edit_prompt(&mut self, job_id: &str) {
        let Some(job) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
        let Some(prompt) = job.prompt.clone() else { return };
        let mode = job.options.mode.clone();
        self.panels.prompt.use_prompt(&prompt);
        self.panels.prompt.mode = mode;
        self.ctx.memory_mut(|m| m.request_focus(super::panels::prompt::prompt_id()));
    }

    /// Opens the mask canvas on the selected job `job_id`'s image.
    fn open_on_job(&mut self, job_id: &str, retexture: Option<bool>) {
        let Some(job) = self.state.selected_job().filter(|j| j.id == job_id) else { return };
        let store = self.engine.running().map(|r| r.store().clone());
        match ActiveEditor::on_job(job, retexture, store, self.repaint.clone()) {
            Ok(editor) => self.open_editor(editor),
            Err(why) => self.state.message = Some(why),
        }
    }

    /// Applies saved settings: theme, mode and folder at once; the gateway (and a new key)
    /// through a new engine, "connecting…" meanwhile.
    fn save_settings(&mut self, form: Box<super::settings_form::SettingsForm>) {
        self.apply_preferences(&form);
        if self.engine.reconnect(form) {
            self.state.engine = Engine::Connecting;
            self.state.gateway = "connecting…".to_owned();
            self.state.message = None;
            self.state.key_refused = None;
        }
    }
}
