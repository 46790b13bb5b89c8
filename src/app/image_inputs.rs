//! Images for Blend and Describe: picked with the native dialog, pasted from the clipboard, or
//! dropped onto the window. The dialog and the clipboard run off the UI thread; their answer
//! comes back over a channel with a repaint. Files are read later, by the job manager.

use std::sync::mpsc::{Receiver, Sender, channel};

use super::background::Repaint;
use crate::intent::ImageSource;

/// Which panel the images are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    Blend,
    Describe,
}

/// Images that arrived for a panel, or why none did.
#[derive(Debug)]
pub struct Picked {
    pub target: PickFor,
    pub images: Result<Vec<ImageSource>, String>,
}

/// Runs the dialog and the clipboard in the background.
pub struct ImagePicker {
    tx: Sender<Picked>,
    rx: Receiver<Picked>,
    repaint: Repaint,
}

impl ImagePicker {
    pub fn new(repaint: Repaint) -> Self {
        let (tx, rx) = channel();
        Self { tx, rx, repaint }
    }

    /// Opens the native file dialog (several files for Blend).
    pub fn open_dialog(&self, target: PickFor) {
        let (tx, repaint) = (self.tx.clone(), self.repaint.clone());
        tokio::spawn(async move {
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Choose images")
                .add_filter("Images", &["png", "jpg", "jpeg", "webp", "bmp", "gif"]);
            let files = match target {
                PickFor::Blend => dialog.pick_files().await.unwrap_or_default(),
                PickFor::Describe => dialog.pick_file().await.into_iter().collect(),
            };
            let images = files.into_iter().map(|f| ImageSource::File(f.path().to_owned())).collect();
            let _ = tx.send(Picked { target, images: Ok(images) });
            repaint();
        });
    }

    /// Reads an image from the clipboard, as PNG bytes.
    pub fn paste(&self, target: PickFor) {
        let (tx, repaint) = (self.tx.clone(), self.repaint.clone());
        tokio::task::spawn_blocking(move || {
            let images = clipboard_png().map(|bytes| vec![ImageSource::Bytes { bytes, name: "pasted image".into() }]);
            let _ = tx.send(Picked { target, images });
            repaint();
        });
    }

    pub fn try_recv(&self) -> Option<Picked> {
        self.rx.try_recv().ok()
    }
}

/// The clipboard's image as PNG. Blocking.
fn clipboard_png() -> Result<Vec<u8>, String> {
    let mut clipboard = arboard::Clipboard::new().map_err(|e| format!("the clipboard cannot be read: {e}"))?;
    let image = clipboard.get_image().map_err(|e| format!("the clipboard holds no image: {e}"))?;
    let (w, h) = (image.width as u32, image.height as u32);
    let rgba = image::RgbaImage::from_raw(w, h, image.bytes.into_owned())
        .ok_or_else(|| "the clipboard's image is malformed".to_owned())?;
    Ok(crate::imageio::encode_png(&rgba))
}

/// Files dropped onto the window this frame.
pub fn dropped(ctx: &egui::Context) -> Vec<ImageSource> {
    ctx.input(|i| i.raw.dropped_files.iter().map(|f| ImageSource::File(f.path().to_owned())).collect())
}

/// A short name for an input image, for the panels' lists.
pub fn source_name(source: &ImageSource) -> String {
    match source {
        ImageSource::File(p) => p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()),
        ImageSource::Bytes { name, .. } => name.clone(),
        ImageSource::Url(u) => u.clone(),
    }
}

/// `Choose files…` and `Paste` buttons for a panel; what they ask for goes into `commands`.
pub fn add_buttons(ui: &mut egui::Ui, target: PickFor, commands: &mut Vec<super::state::UiCommand>) {
    if ui.button("Choose image…").on_hover_text("Or drop image files onto the window").clicked() {
        commands.push(super::state::UiCommand::PickImages { target });
    }
    if ui.button("Paste image").clicked() {
        commands.push(super::state::UiCommand::PasteImage { target });
    }
}
