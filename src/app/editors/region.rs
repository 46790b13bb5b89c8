//! Vary (Region), Edit and Retexture: the mask canvas over one image, a prompt for the
//! painted area, and `Submit`.
//!
//! The image is read and decoded off the UI thread (a blocking task, then a channel and a
//! repaint); a file chosen here goes through the asynchronous file dialog. Nothing is sent
//! while the mask is empty or covers the whole image: the reason shows next to `Submit`,
//! which stays disabled. A refusal of the submit shows there too.
//!
//! The intent is built by [`build_intent`], plain data in and out, so the end-to-end tests
//! send exactly what the window sends.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use image::RgbaImage;

use crate::app::background::Repaint;
use crate::app::canvas::{MaskCanvas, SentAs};
use crate::intent::{ImageSource, Intent, MaskSource};
use crate::job::{Job, JobRequest, Provider, SubmitOptions};
use crate::manager::{CommandId, Update};
use crate::mask::{Mask, MaskError};
use crate::store::Store;

/// What the editor sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// Vary (Region) on an upscaled job: TTAPI inpaint, AceData `variation_region`.
    Region { parent: String },
    /// Edit (or retexture) an image: TTAPI image-edits, AceData edits.
    Edit { image: ImageSource, retexture: bool },
}

impl Flow {
    pub fn title(&self) -> &'static str {
        match self {
            Flow::Region { .. } => "Vary (Region)",
            Flow::Edit { retexture: false, .. } => "Edit",
            Flow::Edit { retexture: true, .. } => "Retexture",
        }
    }
}

/// Where the editor's image comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A local file (a job's downloaded copy, a dropped file).
    Path(PathBuf),
    /// Bytes already in hand (an earlier edit's image, read back from the store).
    Bytes(Vec<u8>),
    /// The first result image of a job, looked up in the store.
    JobImage { job_id: String },
    /// Ask with the file dialog; the chosen file becomes the edit's image.
    Dialog,
}

/// Where the submit goes: the parent job's gateway, or the window's own when `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct SendTo {
    pub provider: Provider,
    pub endpoint: String,
    pub options: SubmitOptions,
}

impl SendTo {
    pub fn of(job: &Job) -> Self {
        SendTo { provider: job.provider, endpoint: job.base_url.clone(), options: job.options.clone() }
    }
}

/// Why `Submit` is disabled, said next to it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Blocked {
    #[error("the image is still loading")]
    Loading,
    #[error("{0}")]
    NoImage(String),
    #[error("{0}")]
    Mask(#[from] MaskError),
    #[error("write what the painted area should become")]
    NoPrompt,
    #[error("sending…")]
    Sending,
}

/// The intent for `flow` with the painted `mask` (checked: not empty, not the whole image,
/// at the image's size) and `prompt`.
pub fn build_intent(flow: &Flow, mask: &Mask, image_size: (u32, u32), prompt: &str) -> Result<Intent, Blocked> {
    mask.check_for(image_size.0, image_size.1)?;
    let prompt = prompt.trim();
    Ok(match flow {
        Flow::Region { parent } => Intent::Inpaint {
            parent: parent.clone(),
            mask: MaskSource::Painted(mask.clone()),
            prompt: (!prompt.is_empty()).then(|| prompt.to_owned()),
        },
        Flow::Edit { image, retexture } => {
            if prompt.is_empty() {
                return Err(Blocked::NoPrompt);
            }
            Intent::Edit {
                image: image.clone(),
                mask: Some(MaskSource::Painted(mask.clone())),
                prompt: prompt.to_owned(),
                retexture: *retexture,
            }
        }
    })
}

/// The mask a job was sent with, if any.
pub fn sent_mask(request: &JobRequest) -> Option<&Mask> {
    match request {
        JobRequest::Inpaint { mask, .. } => Some(mask),
        JobRequest::Edit { mask: Some(mask), .. } | JobRequest::CanvasEdit { mask: Some(mask), .. } => Some(mask),
        _ => None,
    }
}

/// The prompt a masked job was sent with (not the parent's, which a region edit without
/// one is shown with).
pub fn sent_prompt(request: &JobRequest) -> Option<&str> {
    match request {
        JobRequest::Inpaint { prompt, .. } => prompt.as_deref(),
        JobRequest::Edit { prompt, .. } | JobRequest::CanvasEdit { prompt, .. } => Some(prompt),
        _ => None,
    }
}

/// A new edit starting from the mask `job` was sent with: the same flow on the same image
/// (its parent's for a region edit, its own input for an edit). `None` when the job had no
/// mask or its image cannot be had again (a link the gateway fetched).
pub fn edit_again(job: &Job) -> Option<(Flow, Source, Mask)> {
    match &*job.request {
        JobRequest::Inpaint { mask, .. } => {
            let parent = job.parent_id.clone()?;
            Some((Flow::Region { parent: parent.clone() }, Source::JobImage { job_id: parent }, mask.clone()))
        }
        JobRequest::Edit {
            image: crate::job::ImageInput::Bytes { bytes, .. }, mask: Some(mask), retexture, ..
        } => {
            let name = format!("the image of job {}", crate::app::short(&job.id));
            let image = ImageSource::Bytes { bytes: bytes.clone(), name };
            Some((Flow::Edit { image, retexture: *retexture }, Source::Bytes(bytes.clone()), mask.clone()))
        }
        _ => None,
    }
}

/// How `flow` sent to `provider` carries the mask, for the canvas's "As sent" view: TTAPI
/// edits send the image with the painted area transparent; everything else a black/white
/// mask (or, on Vtrix, polygons traced from it).
pub fn sent_as(flow: &Flow, provider: Option<Provider>) -> SentAs {
    match (flow, provider) {
        (Flow::Edit { .. }, Some(Provider::Ttapi)) => SentAs::TransparentImage,
        _ => SentAs::BlackWhite,
    }
}

/// An editor's submit: the command carrying it while it is in flight, and the refusal shown
/// beside `Submit`. The region editor and the canvas edit each hold one.
#[derive(Debug, Default)]
pub struct Submission {
    pending: Option<CommandId>,
    refused: Option<String>,
}

impl Submission {
    /// The command that carries the submit, while it is in flight.
    pub fn pending(&self) -> Option<CommandId> {
        self.pending
    }

    pub fn sent(&mut self, id: CommandId) {
        self.pending = Some(id);
        self.refused = None;
    }

    /// The gateway or the manager refused it (or something else stopped it): said beside
    /// `Submit`, in one line.
    pub fn refused(&mut self, why: &str) {
        self.pending = None;
        self.refused = Some(crate::textsafe::one_line(why).into_owned());
    }

    /// Takes the manager's answer when `update` is about this submit. True once the gateway
    /// took it: the editor's work is done (the new job shows in the list).
    pub fn answer(&mut self, update: &Update) -> bool {
        match update {
            Update::Rejected { id, error } if self.pending == Some(*id) => {
                self.refused(&error.to_string());
                false
            }
            Update::Accepted { id, .. } => self.pending == Some(*id),
            _ => false,
        }
    }

    /// The refusal, if any, in the error colour.
    pub fn refusal_ui(&self, ui: &mut egui::Ui) {
        if let Some(refused) = &self.refused {
            ui.colored_label(ui.visuals().error_fg_color, refused);
        }
    }
}

/// `Submit`, enabled when `ready` holds the intent: the intent once clicked, else why it is
/// disabled (in the warning colour; `sending` in a quiet one) for [`reason_line_ui`]. The
/// reason goes on the line below (still beside the button), so a long one never widens the
/// panel past the window.
pub(super) fn submit_button<E: std::fmt::Display + PartialEq>(
    ui: &mut egui::Ui,
    ready: Result<Intent, E>,
    sending: &E,
) -> (Option<Intent>, Option<(egui::Color32, String)>) {
    let submit = ui.add_enabled(ready.is_ok(), egui::Button::new("Submit"));
    match ready {
        Ok(intent) => (submit.clicked().then_some(intent), None),
        Err(why) => {
            let text = why.to_string();
            submit.on_disabled_hover_text(&text);
            let colour = if &why == sending { ui.visuals().weak_text_color() } else { ui.visuals().warn_fg_color };
            (None, Some((colour, text)))
        }
    }
}

/// The line under `Submit`: why it is disabled, else "ready to send". Always one line, so the
/// canvas below never moves under a stroke when the reason goes.
pub(super) fn reason_line_ui(ui: &mut egui::Ui, blocked: Option<(egui::Color32, String)>) {
    match blocked {
        Some((colour, text)) => ui.add(egui::Label::new(egui::RichText::new(text).color(colour)).truncate()),
        None => ui.weak("ready to send"),
    };
}

/// What the editor asks of the window.
#[derive(Debug, Clone, PartialEq)]
pub enum EditorEvent {
    Submit(Intent),
    Close,
}

struct Loaded {
    image: Arc<RgbaImage>,
    /// The file chosen in the dialog.
    chosen: Option<PathBuf>,
}

enum Load {
    Loading(Receiver<Result<Option<Loaded>, String>>),
    Ready(Box<MaskCanvas>),
    Failed(String),
}

/// The editor: one image, its mask canvas, the prompt and the submit's fate.
pub struct RegionEditor {
    pub flow: Flow,
    pub prompt: String,
    pub send_to: Option<SendTo>,
    /// The window's own gateway (where the submit goes when `send_to` is `None`).
    pub window_provider: Option<Provider>,
    load: Load,
    start_mask: Option<Mask>,
    pub submission: Submission,
    /// Set when the dialog was dismissed: the window closes the editor.
    cancelled: bool,
    /// Escape was pressed once over painted work: the next one discards it.
    discard_asked: bool,
    /// The region prompt box: Escape there leaves the box, not the editor.
    prompt_box: Option<egui::Id>,
}

/// Runs `f` on the runtime's blocking pool when there is one (the window), else on a thread.
pub(super) fn spawn_blocking(f: impl FnOnce() + Send + 'static) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => drop(rt.spawn_blocking(f)),
        Err(_) => drop(std::thread::spawn(f)),
    }
}

fn decode(bytes: &[u8], name: &str) -> Result<Arc<RgbaImage>, String> {
    image::load_from_memory(bytes).map(|i| Arc::new(i.to_rgba8())).map_err(|e| format!("{name} could not be read: {e}"))
}

pub(super) fn read_file(path: &std::path::Path) -> Result<Arc<RgbaImage>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{} could not be read: {e}", path.display()))?;
    decode(&bytes, &path.display().to_string())
}

fn load_source(source: Source, store: Option<Store>) -> Result<Option<Loaded>, String> {
    let image = match source {
        Source::Path(path) => read_file(&path)?,
        Source::Bytes(bytes) => decode(&bytes, "the image")?,
        Source::JobImage { job_id } => {
            let store = store.ok_or("the job store is not open yet")?;
            let job = store
                .get_job(&job_id)
                .map_err(|e| crate::textsafe::one_line(&e.to_string()).into_owned())?
                .ok_or_else(|| format!("job {} is not here any more", crate::app::short(&job_id)))?;
            let images = job.result_images();
            let path = images
                .first()
                .and_then(|i| i.local_path.clone())
                .ok_or_else(|| format!("job {} has no downloaded image to paint on", crate::app::short(&job_id)))?;
            read_file(&path)?
        }
        Source::Dialog => unreachable!("the dialog is asked on the runtime"),
    };
    Ok(Some(Loaded { image, chosen: None }))
}

impl RegionEditor {
    /// An editor whose image is loaded in the background; `repaint` is called once it is in.
    pub fn open(
        flow: Flow,
        source: Source,
        mask: Option<Mask>,
        send_to: Option<SendTo>,
        store: Option<Store>,
        repaint: Repaint,
    ) -> Self {
        let (tx, rx) = channel();
        match source {
            Source::Dialog => {
                let Ok(rt) = tokio::runtime::Handle::try_current() else {
                    return Self::new(flow, Load::Failed("no file dialog here".into()), mask, send_to);
                };
                rt.spawn(async move {
                    let picked = rfd::AsyncFileDialog::new()
                        .set_title("Image to edit")
                        .add_filter("Images", &["png", "jpg", "jpeg", "webp", "bmp"])
                        .pick_file()
                        .await;
                    let result = match picked {
                        None => Ok(None),
                        Some(file) => {
                            let path = file.path().to_path_buf();
                            let read = path.clone();
                            match tokio::task::spawn_blocking(move || read_file(&read)).await {
                                Ok(Ok(image)) => Ok(Some(Loaded { image, chosen: Some(path) })),
                                Ok(Err(e)) => Err(e),
                                Err(e) => Err(format!("reading the image stopped: {e}")),
                            }
                        }
                    };
                    let _ = tx.send(result);
                    repaint();
                });
            }
            source => spawn_blocking(move || {
                let _ = tx.send(load_source(source, store));
                repaint();
            }),
        }
        Self::new(flow, Load::Loading(rx), mask, send_to)
    }

    /// An editor over an image already in memory.
    pub fn with_image(flow: Flow, image: Arc<RgbaImage>, mask: Option<Mask>) -> Self {
        let mut editor = Self::new(flow, Load::Failed(String::new()), None, None);
        editor.ready(image, mask);
        editor
    }

    fn new(flow: Flow, load: Load, start_mask: Option<Mask>, send_to: Option<SendTo>) -> Self {
        RegionEditor {
            flow,
            prompt: String::new(),
            send_to,
            window_provider: None,
            load,
            start_mask,
            submission: Submission::default(),
            cancelled: false,
            discard_asked: false,
            prompt_box: None,
        }
    }

    fn ready(&mut self, image: Arc<RgbaImage>, mask: Option<Mask>) {
        match MaskCanvas::new(image.clone(), mask) {
            Ok(c) => self.load = Load::Ready(Box::new(c)),
            Err(e) => {
                // A stored mask of the wrong size: start afresh, and say why.
                self.submission.refused(&format!("the earlier mask could not be used: {e}"));
                if let Ok(c) = MaskCanvas::new(image, None) {
                    self.load = Load::Ready(Box::new(c));
                }
            }
        }
    }

    /// Takes in the loaded image. Returns false when the designer dismissed the file dialog.
    pub fn poll(&mut self) -> bool {
        if let Load::Loading(rx) = &self.load {
            match rx.try_recv() {
                Ok(Ok(Some(loaded))) => {
                    if let (Some(path), Flow::Edit { image, .. }) = (loaded.chosen, &mut self.flow) {
                        *image = ImageSource::File(path);
                    }
                    let mask = self.start_mask.take();
                    self.ready(loaded.image, mask);
                }
                Ok(Ok(None)) => self.cancelled = true,
                Ok(Err(why)) => self.load = Load::Failed(why),
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.load = Load::Failed("reading the image stopped".into())
                }
            }
        }
        !self.cancelled
    }

    pub fn canvas(&self) -> Option<&MaskCanvas> {
        match &self.load {
            Load::Ready(c) => Some(c),
            _ => None,
        }
    }

    pub fn canvas_mut(&mut self) -> Option<&mut MaskCanvas> {
        match &mut self.load {
            Load::Ready(c) => Some(c),
            _ => None,
        }
    }

    /// The intent `Submit` would send, or why it is disabled.
    pub fn intent(&self) -> Result<Intent, Blocked> {
        if self.submission.pending().is_some() {
            return Err(Blocked::Sending);
        }
        match &self.load {
            Load::Loading(_) => Err(Blocked::Loading),
            Load::Failed(why) => Err(Blocked::NoImage(why.clone())),
            Load::Ready(c) => build_intent(&self.flow, c.mask(), (c.mask().width(), c.mask().height()), &self.prompt),
        }
    }

    /// Whether closing now would throw painting away.
    fn has_painting(&self) -> bool {
        self.canvas().is_some_and(|c| c.doc().history().can_undo())
    }

    /// Escape with no text box focused closes the editor; over painted work the first one
    /// only asks, and the second discards. (A focused text box takes the Escape itself.)
    fn escape(&mut self, ui: &egui::Ui) -> Option<EditorEvent> {
        // egui drops the focus on Escape before the pass starts: ask who had it last frame.
        let pressed = ui.input(|i| i.key_pressed(egui::Key::Escape))
            && ui.memory(|m| m.focused().is_none() && !self.prompt_box.is_some_and(|id| m.had_focus_last_frame(id)));
        if !pressed {
            return None;
        }
        if self.discard_asked || !self.has_painting() {
            return Some(EditorEvent::Close);
        }
        self.discard_asked = true;
        None
    }

    /// The editor filling `ui`: title, prompt and `Submit` (with why not), then the canvas.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<EditorEvent> {
        let mut event = self.escape(ui);
        if self.discard_asked && ui.input(|i| i.pointer.any_pressed()) {
            self.discard_asked = false;
        }
        ui.horizontal(|ui| {
            ui.heading(self.flow.title());
            if let Flow::Edit { retexture, .. } = &mut self.flow {
                ui.selectable_value(retexture, false, "Edit").on_hover_text("Redraw the painted area");
                ui.selectable_value(retexture, true, "Retexture").on_hover_text("Keep the shapes, change the surface");
            }
            if ui.button("Close").on_hover_text("Escape").clicked() {
                event = Some(EditorEvent::Close);
            }
        });
        let mut blocked = None;
        ui.horizontal(|ui| {
            let label = ui.label("Region prompt");
            let hint = match self.flow {
                Flow::Region { .. } => "what the painted area should show (optional)",
                Flow::Edit { .. } => "what the painted area should become",
            };
            let width = (ui.available_width() - 260.0).max(160.0);
            let prompt_box = ui.add(egui::TextEdit::singleline(&mut self.prompt).hint_text(hint).desired_width(width));
            self.prompt_box = Some(prompt_box.labelled_by(label.id).id);
            let (clicked, why) = submit_button(ui, self.intent(), &Blocked::Sending);
            if let Some(intent) = clicked {
                event = Some(EditorEvent::Submit(intent));
            }
            blocked = why;
            self.submission.refusal_ui(ui);
        });
        if self.discard_asked {
            let text = "Press Escape again to close and discard the painted mask";
            blocked = Some((ui.visuals().warn_fg_color, text.to_owned()));
        }
        reason_line_ui(ui, blocked);
        let provider = self.send_to.as_ref().map(|s| s.provider).or(self.window_provider);
        match &mut self.load {
            Load::Ready(canvas) => {
                canvas.sent_as = sent_as(&self.flow, provider);
                canvas.ui(ui)
            }
            Load::Loading(_) => {
                ui.centered_and_justified(|ui| ui.spinner());
            }
            Load::Failed(why) => {
                ui.colored_label(ui.visuals().error_fg_color, why.as_str());
            }
        }
        event
    }
}

#[cfg(test)]
mod tests;
