//! The editors that take the central panel: Vary (Region) / Edit / Retexture on the mask
//! canvas ([`region`]), and the Vtrix canvas edit ([`canvas_edit`]) with its placement rules
//! ([`placement`]). What they share (loading, why `Submit` is disabled, the prompt row) is in
//! [`shell`]; [`ActiveEditor`] is the one open, as the window holds it.

pub mod canvas_edit;
pub mod draft;
pub mod placement;
pub mod region;
pub mod shell;

use std::path::PathBuf;

use crate::app::background::Repaint;
use crate::app::engine::SendTo;
use crate::app::submission::Submission;
use crate::intent::ImageSource;
use crate::job::{Job, Provider, short_id};
use crate::store::Store;
use draft::DraftKey;
use region::{Flow, RegionEditor, Source};
use shell::EditorEvent;

/// The editor filling the central panel.
pub enum ActiveEditor {
    Region(Box<region::RegionEditor>),
    Canvas(Box<canvas_edit::CanvasEditor>),
}

impl ActiveEditor {
    /// Vary (Region) (`retexture: None`), Edit or Retexture on `job`'s first image, sent to
    /// the job's gateway.
    pub fn on_job(job: &Job, retexture: Option<bool>, store: Option<Store>, repaint: Repaint) -> Result<Self, String> {
        let Some(path) = job.result_images().first().and_then(|i| i.local_path.clone()) else {
            return Err(format!("job {} has no downloaded image to paint on yet", short_id(&job.id)));
        };
        let (flow, key) = match retexture {
            Some(retexture) => {
                let key = if retexture { DraftKey::retexture(&job.id) } else { DraftKey::edit(&job.id) };
                (Flow::Edit { image: ImageSource::File(path.clone()), retexture }, key)
            }
            None => (Flow::Region { parent: job.id.clone() }, DraftKey::region(&job.id)),
        };
        let send_to = Some(SendTo::of(job));
        let mut editor = RegionEditor::open(flow, Source::Path(path), None, send_to, None, repaint);
        if let Some(store) = store {
            editor = editor.keep_drafts(Some(key), store);
        }
        Ok(ActiveEditor::Region(Box::new(editor)))
    }

    /// An edit of an image file (asked with the file dialog when `None`), sent to the window's
    /// own gateway.
    pub fn on_file(path: Option<PathBuf>, store: Option<Store>, repaint: Repaint) -> Self {
        let image = ImageSource::File(path.clone().unwrap_or_default());
        let key = path.as_deref().map(DraftKey::edit_file);
        let source = path.map_or(Source::Dialog, Source::Path);
        let mut editor = RegionEditor::open(Flow::Edit { image, retexture: false }, source, None, None, None, repaint);
        if let Some(store) = store {
            editor = editor.keep_drafts(key, store);
        }
        ActiveEditor::Region(Box::new(editor))
    }

    /// An edit of image bytes in hand (a pasted image).
    pub fn on_bytes(bytes: Vec<u8>, name: String, repaint: Repaint) -> Self {
        let source = Source::Bytes(bytes.clone());
        let flow = Flow::Edit { image: ImageSource::Bytes { bytes, name }, retexture: false };
        ActiveEditor::Region(Box::new(RegionEditor::open(flow, source, None, None, None, repaint)))
    }

    /// A new edit starting from what masked job `job` was sent with: the canvas edit again
    /// for a canvas edit, else the same flow on the same image with the same mask and prompt.
    pub fn again(job: &Job, store: Store, repaint: Repaint) -> Result<Self, String> {
        let send_to = Some(SendTo::of(job));
        if let Some((parent, index, sent)) = canvas_edit::edit_again(job) {
            let editor = canvas_edit::CanvasEditor::again(parent, index, sent, store, send_to, repaint);
            return Ok(ActiveEditor::Canvas(Box::new(editor)));
        }
        let Some((flow, source, mask)) = region::edit_again(job) else {
            return Err(format!("job {}'s image cannot be had again to paint on", short_id(&job.id)));
        };
        let key = match &flow {
            Flow::Region { parent } => Some(DraftKey::region(parent)),
            Flow::Edit { .. } => None,
        };
        let editor = RegionEditor::open(flow, source, Some(mask), send_to, Some(store.clone()), repaint);
        let mut editor = match key {
            Some(key) => editor.keep_drafts(Some(key), store),
            None => editor,
        };
        editor.prompt = job.request.sent_prompt().unwrap_or_default().to_owned();
        Ok(ActiveEditor::Region(Box::new(editor)))
    }

    /// The Vtrix canvas edit on image `index` of `job`.
    pub fn canvas_edit(job: &Job, index: u8, repaint: Repaint) -> Result<Self, String> {
        let Some(path) = job.result_images().get(usize::from(index)).and_then(|i| i.local_path.clone()) else {
            return Err(format!("job {}'s image is not downloaded yet", short_id(&job.id)));
        };
        let send_to = Some(SendTo::of(job));
        let editor = canvas_edit::CanvasEditor::open(job.id.clone(), index, path, send_to, repaint);
        Ok(ActiveEditor::Canvas(Box::new(editor)))
    }

    /// Saves what the draft still waits for (the editor is closing; it is offered back).
    pub fn flush_draft(&mut self) {
        if let ActiveEditor::Region(e) = self {
            e.flush_draft();
        }
    }

    /// Throws its draft away (what it sent was accepted).
    pub fn discard_draft(&mut self) {
        if let ActiveEditor::Region(e) = self {
            e.discard_draft();
        }
    }

    /// The mask canvas it paints with, once its image is in.
    pub fn canvas_mut(&mut self) -> Option<&mut crate::app::canvas::MaskCanvas> {
        match self {
            ActiveEditor::Region(e) => e.canvas_mut(),
            ActiveEditor::Canvas(e) => e.mask_canvas_mut(),
        }
    }

    /// Where its submit goes (`None`: the window's own gateway).
    pub fn send_to(&self) -> Option<SendTo> {
        match self {
            ActiveEditor::Region(e) => e.send_to.clone(),
            ActiveEditor::Canvas(e) => e.send_to.clone(),
        }
    }

    pub fn submission_mut(&mut self) -> &mut Submission {
        match self {
            ActiveEditor::Region(e) => &mut e.submission,
            ActiveEditor::Canvas(e) => &mut e.submission,
        }
    }

    /// Takes in what was loaded in the background. False when the editor should close (the
    /// designer dismissed its file dialog).
    pub fn poll(&mut self) -> bool {
        match self {
            ActiveEditor::Region(e) => e.poll(),
            ActiveEditor::Canvas(e) => {
                e.poll();
                true
            }
        }
    }

    /// Draws it; `window_provider` is the window's own gateway (what a region editor with no
    /// parent's gateway shows "As sent" for).
    pub fn ui(&mut self, ui: &mut egui::Ui, window_provider: Option<Provider>) -> Option<EditorEvent> {
        match self {
            ActiveEditor::Region(e) => {
                e.window_provider = window_provider;
                e.ui(ui)
            }
            ActiveEditor::Canvas(e) => e.ui(ui),
        }
    }
}

#[cfg(test)]
mod testing;
