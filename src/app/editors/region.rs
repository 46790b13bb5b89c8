//! Vary (Region), Edit and Retexture: the mask canvas over one image, a prompt for the
//! painted area, and `Submit`.
//!
//! The image is read and decoded off the UI thread (a blocking task, then a channel and a
//! repaint); a file chosen here goes through the asynchronous file dialog. Nothing is sent
//! while the mask is empty or covers the whole image: the reason shows next to `Submit`,
//! which stays disabled. A refusal of the submit shows there too.
//!
//! Each frame only asks [`check`] why `Submit` might be disabled, which reads the mask's
//! running count and never walks the mask; the intent (with its copy of the mask) is built by
//! [`build_intent`] when `Submit` is pressed: plain data in and out, so the end-to-end tests
//! send exactly what the window sends.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::channel;

use image::RgbaImage;

use super::draft::{DraftKeeper, DraftKey, DraftStatus, LoadedDraft};
use super::shell::{Blocked, EditorEvent, Load, blocked_by, decode, prompt_row_ui, read_file, reason_line_ui};
use crate::app::background::Repaint;
use crate::app::canvas::{MaskCanvas, SentAs};
use crate::app::engine::SendTo;
use crate::app::submission::Submission;
use crate::intent::{ImageSource, Intent, MaskSource};
use crate::job::{Job, JobRequest, Provider, short_id};
use crate::mask::{Mask, MaskDoc};
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

/// Why `flow` cannot be sent with the mask being painted in `doc` and `prompt`: the same
/// rules as [`build_intent`], read from the mask's running count (no pass over its pixels).
pub fn check(flow: &Flow, doc: &MaskDoc, prompt: &str) -> Result<(), Blocked> {
    doc.check_for(doc.mask().width(), doc.mask().height())?;
    match flow {
        Flow::Edit { .. } if prompt.trim().is_empty() => Err(Blocked::NoPrompt),
        _ => Ok(()),
    }
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
            let name = format!("the image of job {}", short_id(&job.id));
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

/// The image as read, and the file chosen in the dialog (if it was asked).
struct Loaded {
    image: Arc<RgbaImage>,
    chosen: Option<PathBuf>,
}

/// The editor: one image, its mask canvas, the prompt and the submit's fate.
pub struct RegionEditor {
    pub flow: Flow,
    pub prompt: String,
    pub send_to: Option<SendTo>,
    /// The window's own gateway (where the submit goes when `send_to` is `None`).
    pub window_provider: Option<Provider>,
    /// `None` once loaded: the file dialog was dismissed.
    load: Load<Option<Loaded>, MaskCanvas>,
    start_mask: Option<Mask>,
    pub submission: Submission,
    /// Set when the dialog was dismissed: the window closes the editor.
    cancelled: bool,
    /// Escape was pressed once over painted work: the next one discards it.
    discard_asked: bool,
    /// The region prompt box: Escape there leaves the box, not the editor.
    prompt_box: Option<egui::Id>,
    /// Where the mask being painted is kept as a draft, and under which name (once known:
    /// a file chosen in the dialog names it when it is in).
    draft_store: Option<Store>,
    draft_key: Option<DraftKey>,
    /// Keeps the draft, once the image is in.
    draft: Option<DraftKeeper>,
    /// A kept draft not restored (the editor started from another mask, or was painted on
    /// before the draft was read): offered with `Restore draft`.
    draft_offer: Option<LoadedDraft>,
    /// When the restored draft was saved, ms since the epoch (said above the canvas).
    restored: Option<i64>,
    repaint: Option<Repaint>,
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
                .ok_or_else(|| format!("job {} is not here any more", short_id(&job_id)))?;
            let images = job.result_images();
            let path = images
                .first()
                .and_then(|i| i.local_path.clone())
                .ok_or_else(|| format!("job {} has no downloaded image to paint on", short_id(&job_id)))?;
            read_file(&path)?
        }
        Source::Dialog => return Err("the file dialog is asked on the runtime".into()),
    };
    Ok(Some(Loaded { image, chosen: None }))
}

/// Asks the native dialog for an image, then reads it off the UI thread.
async fn pick_and_read() -> Result<Option<Loaded>, String> {
    let dialog = rfd::AsyncFileDialog::new()
        .set_title("Image to edit")
        .add_filter("Images", &["png", "jpg", "jpeg", "webp", "bmp"]);
    let Some(file) = crate::app::file_dialog::pick_file(dialog).await.map_err(|none| none.to_string())? else {
        return Ok(None);
    };
    let path = file.path().to_path_buf();
    let read = path.clone();
    match tokio::task::spawn_blocking(move || read_file(&read)).await {
        Ok(Ok(image)) => Ok(Some(Loaded { image, chosen: Some(path) })),
        Ok(Err(e)) => Err(e),
        Err(e) => Err(format!("reading the image stopped: {e}")),
    }
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
        let wake = repaint.clone();
        let load = match source {
            Source::Dialog => {
                let Ok(rt) = tokio::runtime::Handle::try_current() else {
                    return Self::new(flow, Load::Failed("no file dialog here".into()), mask, send_to);
                };
                let (tx, rx) = channel();
                rt.spawn(async move {
                    let _ = tx.send(pick_and_read().await);
                    repaint();
                });
                Load::Loading(rx)
            }
            source => Load::spawn(repaint, move || load_source(source, store)),
        };
        let mut editor = Self::new(flow, load, mask, send_to);
        editor.repaint = Some(wake);
        editor
    }

    /// Keeps the mask being painted as draft `key` in `store` (saved as it is painted, offered
    /// back when the same flow is opened on the same image again). An edit of a file chosen
    /// in the dialog is named by that file once it is in, when `key` is `None`.
    pub fn keep_drafts(mut self, key: Option<DraftKey>, store: Store) -> Self {
        if let (Some(key), Some(canvas)) = (&key, self.canvas()) {
            let repaint = self.repaint.clone().unwrap_or_else(|| Arc::new(|| {}));
            let size = (canvas.mask().width(), canvas.mask().height());
            self.draft = Some(DraftKeeper::new(key.clone(), size, store.clone(), repaint));
        }
        self.draft_key = key;
        self.draft_store = Some(store);
        self
    }

    /// Where the draft of the mask being painted stands, when one is kept.
    pub fn draft_status(&self) -> Option<&DraftStatus> {
        self.draft.as_ref().map(DraftKeeper::status)
    }

    /// An editor over an image already in memory.
    pub fn with_image(flow: Flow, image: Arc<RgbaImage>, mask: Option<Mask>) -> Self {
        let mut editor = Self::new(flow, Load::Failed(String::new()), None, None);
        editor.ready(image, mask);
        editor
    }

    fn new(
        flow: Flow,
        load: Load<Option<Loaded>, MaskCanvas>,
        start_mask: Option<Mask>,
        send_to: Option<SendTo>,
    ) -> Self {
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
            draft_store: None,
            draft_key: None,
            draft: None,
            draft_offer: None,
            restored: None,
            repaint: None,
        }
    }

    fn ready(&mut self, image: Arc<RgbaImage>, mask: Option<Mask>) {
        if let (Some(key), Some(store)) = (&self.draft_key, &self.draft_store) {
            let repaint = self.repaint.clone().unwrap_or_else(|| Arc::new(|| {}));
            let size = (image.width(), image.height());
            self.draft = Some(DraftKeeper::new(key.clone(), size, store.clone(), repaint));
        }
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
        match self.load.poll() {
            Some(Some(loaded)) => {
                if let (Some(path), Flow::Edit { image, .. }) = (loaded.chosen, &mut self.flow) {
                    self.draft_key = self.draft_key.take().or_else(|| Some(DraftKey::edit_file(&path)));
                    *image = ImageSource::File(path);
                }
                let mask = self.start_mask.take();
                self.ready(loaded.image, mask);
            }
            Some(None) => self.cancelled = true,
            None => {}
        }
        !self.cancelled
    }

    pub fn canvas(&self) -> Option<&MaskCanvas> {
        self.load.ready()
    }

    pub fn canvas_mut(&mut self) -> Option<&mut MaskCanvas> {
        self.load.ready_mut()
    }

    /// Why `Submit` is disabled, if it is: cheap enough for every frame.
    pub fn blocked(&self) -> Option<Blocked> {
        blocked_by(&self.submission, || match self.canvas() {
            Some(c) => check(&self.flow, c.doc(), &self.prompt),
            None => Err(self.load.blocked().unwrap_or(Blocked::Loading)),
        })
    }

    /// The intent `Submit` sends (the mask copied into it), or why it is disabled.
    pub fn intent(&self) -> Result<Intent, Blocked> {
        if let Some(why) = self.blocked() {
            return Err(why);
        }
        let c = self.canvas().ok_or(Blocked::Loading)?;
        build_intent(&self.flow, c.mask(), (c.mask().width(), c.mask().height()), &self.prompt)
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
        if self.discard_asked {
            // "close and discard the painted mask": its draft goes too
            self.discard_draft();
            return Some(EditorEvent::Close);
        }
        if !self.has_painting() {
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
        let hint = match self.flow {
            Flow::Region { .. } => "what the painted area should show (optional)",
            Flow::Edit { .. } => "what the painted area should become",
        };
        let blocked = self.blocked();
        let (prompt_box, clicked, mut reason) =
            prompt_row_ui(ui, "Region prompt", hint, &mut self.prompt, blocked, &self.submission);
        self.prompt_box = Some(prompt_box);
        if clicked {
            // the mask is copied into the request here, once, not on every frame
            match self.intent() {
                Ok(intent) => event = Some(EditorEvent::Submit(intent)),
                Err(why) => self.submission.refused(&why.to_string()),
            }
        }
        if self.discard_asked {
            let text = "Press Escape again to close and discard the painted mask";
            reason = Some((ui.visuals().warn_fg_color, text.to_owned()));
        }
        reason_line_ui(ui, reason);
        self.draft_ui(ui);
        let provider = self.send_to.as_ref().map(|s| s.provider).or(self.window_provider);
        let sent_as = sent_as(&self.flow, provider);
        match self.load.ready_mut() {
            Some(canvas) => {
                canvas.sent_as = sent_as;
                canvas.ui(ui)
            }
            None => self.load.placeholder_ui(ui),
        }
        self.keep_draft(ui.ctx());
        event
    }
}

mod drafts;
#[cfg(test)]
mod tests;
