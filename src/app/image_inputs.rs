//! Images for Blend and Describe: picked with the native dialog, pasted from the clipboard (the
//! Paste image button, or Ctrl+V; copied files' paths outside a text field), or dropped onto the window (where
//! they go: [`drop_target`]). The dialog, the clipboard and PNG encoding run off the UI thread;
//! their answer comes back over a channel with a repaint. Files are read later, by the job
//! manager.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::background::Repaint;
use super::command::{PickFor, UiCommand};
use crate::intent::ImageSource;

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
            let title = if target == PickFor::EndFrame { "Choose the end frame" } else { "Choose images" };
            let dialog = rfd::AsyncFileDialog::new()
                .set_title(title)
                .add_filter("Images", &["png", "jpg", "jpeg", "webp", "bmp", "gif"]);
            let files = match target {
                PickFor::Blend => super::file_dialog::pick_files(dialog).await,
                PickFor::Describe | PickFor::Edit | PickFor::EndFrame => {
                    super::file_dialog::pick_file(dialog).await.map(|f| f.into_iter().collect())
                }
            };
            let images = files.map_err(|none| none.to_string()).and_then(|files| {
                let paths: Vec<PathBuf> = files.into_iter().map(|f| f.path().to_owned()).collect();
                match target {
                    // The dialog's filter is a wish on some desktops: the end frame is checked here.
                    PickFor::EndFrame => image_paths(paths),
                    _ => Ok(paths),
                }
                .map(|paths| paths.into_iter().map(ImageSource::File).collect())
            });
            let _ = tx.send(Picked { target, images });
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

    /// Takes an image pasted into the window (egui read the clipboard): encoded as PNG off the
    /// UI thread.
    pub fn pasted(&self, target: PickFor, image: Arc<egui::ColorImage>) {
        let (tx, repaint) = (self.tx.clone(), self.repaint.clone());
        tokio::task::spawn_blocking(move || {
            let bytes = color_image_png(&image);
            let _ =
                tx.send(Picked { target, images: Ok(vec![ImageSource::Bytes { bytes, name: "pasted image".into() }]) });
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

/// An egui image as PNG bytes (unpremultiplied). CPU work: call it off the UI thread.
pub fn color_image_png(image: &egui::ColorImage) -> Vec<u8> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|p| p.to_srgba_unmultiplied()).collect();
    crate::imageio::encode_png_raw(&rgba, w as u32, h as u32, image::ExtendedColorType::Rgba8)
}

/// Files dropped onto the window this frame (on the desktop they come by path; they are read
/// later, by the job manager or the canvas's loader).
pub fn dropped(ctx: &egui::Context) -> Vec<ImageSource> {
    ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_owned())
            .filter(|p| !p.as_os_str().is_empty())
            .map(ImageSource::File)
            .collect()
    })
}

/// What is open in the window, for where incoming images go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Open {
    pub blend: bool,
    pub describe: bool,
    pub editor: bool,
    /// The open job's `Animate` form, waiting for an end frame (not looped).
    pub animate: bool,
}

/// Where images dropped onto the window go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropTo {
    Panel(PickFor),
    /// The mask canvas, for an edit of the one image.
    Edit,
}

/// The open panel takes dropped images (Blend first); with neither open, one image is the end
/// frame of an open `Animate` form, several images go to Blend, and one opens the mask canvas
/// for an edit, or Describe while the canvas is already open (a mask being painted is never
/// thrown away by a drop).
pub fn drop_target(open: Open, count: usize) -> DropTo {
    if open.animate && !open.blend && !open.describe && count == 1 {
        DropTo::Panel(PickFor::EndFrame)
    } else if open.blend || (!open.describe && count > 1) {
        DropTo::Panel(PickFor::Blend)
    } else if open.describe || open.editor {
        DropTo::Panel(PickFor::Describe)
    } else {
        DropTo::Edit
    }
}

/// Where an image pasted with Ctrl+V goes: Blend while it is open, else Describe while it or
/// an editor is open (the mask being painted stays), else an open `Animate` form's end frame,
/// else the mask canvas for an edit, as a dropped file does.
pub fn paste_target(open: Open) -> PickFor {
    if open.animate && !open.blend && !open.describe {
        PickFor::EndFrame
    } else if open.blend {
        PickFor::Blend
    } else if open.describe || open.editor {
        PickFor::Describe
    } else {
        PickFor::Edit
    }
}

/// Said when Ctrl+V brings text where an image was wanted.
pub const PASTED_TEXT: &str = "the clipboard holds text, not an image: copy an image (or image files) and paste again";

/// The image files named by pasted text, as file managers copy them: one path or `file://`
/// URI a line. Empty unless every line names an image file (by its extension; the file is
/// read later, by the job manager).
pub fn pasted_paths(text: &str) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let path = match line.strip_prefix("file://") {
            Some(rest) => match url::Url::parse(&format!("file://{rest}")).ok().and_then(|u| u.to_file_path().ok()) {
                Some(p) => p,
                None => return Vec::new(),
            },
            None if line.starts_with('/') => PathBuf::from(line),
            None => return Vec::new(),
        };
        if !has_image_extension(&path) {
            return Vec::new();
        }
        paths.push(path);
    }
    paths
}

/// Whether a file is named as an image (by its extension; the file is read later).
pub fn has_image_extension(path: &std::path::Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg" | "webp" | "bmp" | "gif"))
}

/// The picked files if each is named as an image, else why not (one line).
pub fn image_paths(paths: Vec<PathBuf>) -> Result<Vec<PathBuf>, String> {
    match paths.iter().find(|p| !has_image_extension(p)) {
        Some(p) => Err(format!(
            "{} is not an image: choose a PNG, JPEG, WebP, BMP or GIF file",
            crate::textsafe::one_line(&p.file_name().unwrap_or(p.as_os_str()).to_string_lossy())
        )),
        None => Ok(paths),
    }
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
pub fn add_buttons(ui: &mut egui::Ui, target: PickFor, commands: &mut Vec<UiCommand>) {
    if ui.button("Choose image…").on_hover_text("Or drop image files onto the window").clicked() {
        commands.push(UiCommand::PickImages { target });
    }
    if ui.button("Paste image").clicked() {
        commands.push(UiCommand::PasteImage { target });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTHING: Open = Open { blend: false, describe: false, editor: false, animate: false };

    #[test]
    fn drops_go_to_the_open_panel_else_by_how_many() {
        let blend = DropTo::Panel(PickFor::Blend);
        let describe = DropTo::Panel(PickFor::Describe);
        assert_eq!(drop_target(NOTHING, 1), DropTo::Edit);
        assert_eq!(drop_target(NOTHING, 3), blend);
        assert_eq!(drop_target(Open { blend: true, ..NOTHING }, 1), blend);
        assert_eq!(drop_target(Open { describe: true, ..NOTHING }, 1), describe);
        assert_eq!(drop_target(Open { describe: true, ..NOTHING }, 2), describe, "Describe keeps the first");
        assert_eq!(drop_target(Open { blend: true, describe: true, ..NOTHING }, 1), blend);
        let animate = Open { animate: true, ..NOTHING };
        assert_eq!(drop_target(animate, 1), DropTo::Panel(PickFor::EndFrame), "the Animate form's end frame");
        assert_eq!(drop_target(animate, 2), blend, "several are a blend");
        assert_eq!(drop_target(Open { blend: true, ..animate }, 1), blend, "an open Blend comes first");
        assert_eq!(drop_target(Open { editor: true, ..NOTHING }, 1), describe, "the mask being painted stays");
        assert_eq!(drop_target(Open { editor: true, ..NOTHING }, 2), blend);
    }

    #[test]
    fn a_paste_goes_to_the_open_panel_else_to_an_edit() {
        assert_eq!(paste_target(NOTHING), PickFor::Edit);
        assert_eq!(paste_target(Open { describe: true, ..NOTHING }), PickFor::Describe);
        assert_eq!(paste_target(Open { blend: true, describe: true, ..NOTHING }), PickFor::Blend);
        assert_eq!(paste_target(Open { animate: true, ..NOTHING }), PickFor::EndFrame);
        assert_eq!(paste_target(Open { animate: true, describe: true, ..NOTHING }), PickFor::Describe);
        assert_eq!(paste_target(Open { editor: true, ..NOTHING }), PickFor::Describe);
    }

    #[test]
    fn pasted_text_names_image_files_only_when_every_line_does() {
        let copied = "file:///home/me/My%20Pictures/cat.png\r\n/tmp/dog.JPG\n";
        assert_eq!(pasted_paths(copied), vec![PathBuf::from("/home/me/My Pictures/cat.png"), "/tmp/dog.JPG".into()]);
        assert!(pasted_paths("a cat on a sofa").is_empty());
        assert!(pasted_paths("/tmp/notes.txt").is_empty());
        assert!(pasted_paths("/tmp/cat.png\nand some words").is_empty());
        assert!(pasted_paths("https://example.com/cat.png").is_empty());
        assert!(pasted_paths("").is_empty());
    }

    #[test]
    fn a_picked_file_not_named_as_an_image_is_refused_in_one_line() {
        assert_eq!(image_paths(vec!["/tmp/end.WEBP".into()]), Ok(vec![PathBuf::from("/tmp/end.WEBP")]));
        let why = image_paths(vec!["/tmp/end.png".into(), "/tmp/notes.txt".into()]).unwrap_err();
        assert_eq!(why, "notes.txt is not an image: choose a PNG, JPEG, WebP, BMP or GIF file");
        assert!(image_paths(vec!["/tmp/clip.mp4".into()]).is_err());
    }

    #[test]
    fn a_pasted_image_becomes_a_png_with_its_pixels() {
        let mut image = egui::ColorImage::filled([3, 2], egui::Color32::from_rgb(200, 30, 40));
        image.pixels[5] = egui::Color32::from_rgba_unmultiplied(10, 20, 30, 128);
        let png = color_image_png(&image);
        let decoded = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(decoded.dimensions(), (3, 2));
        assert_eq!(decoded.get_pixel(0, 0).0, [200, 30, 40, 255]);
        let last = decoded.get_pixel(2, 1).0;
        assert_eq!(last[3], 128);
        assert!(last[0].abs_diff(10) <= 2 && last[2].abs_diff(30) <= 2, "unpremultiplied: {last:?}");
    }
}
