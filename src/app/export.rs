//! Taking images away: save through the native dialog, copy to the clipboard, show the file in
//! its folder. No egui here and nothing that blocks the window: each job is spawned on the
//! tokio runtime and reports back through [`Exports::poll`].

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::app::panels::prompt_syntax::text_end;

/// The most words of the prompt a file name carries.
const NAME_WORDS: usize = 6;
/// The most characters the prompt part of a file name takes.
const NAME_CHARS: usize = 48;

/// A file name for a saved image: the prompt's first words, the job's short id and the image
/// number, with the image's own extension: `red-fox-in-snow_1a2b3c4d_2.png`.
///
/// Parameters, image URLs and punctuation are left out; a prompt with no words gives `image`.
pub fn default_file_name(prompt: Option<&str>, job_id: &str, number: usize, source: Option<&Path>) -> String {
    let prompt = prompt.unwrap_or("");
    let text = &prompt[..text_end(prompt)];
    let mut slug = String::new();
    let words = text
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>())
        .filter(|w| !w.is_empty())
        .take(NAME_WORDS);
    for word in words {
        let extra = word.chars().count() + usize::from(!slug.is_empty());
        if slug.chars().count() + extra > NAME_CHARS {
            if slug.is_empty() {
                slug = word.chars().take(NAME_CHARS).collect();
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word);
    }
    if slug.is_empty() {
        slug.push_str("image");
    }
    let short: String = job_id.chars().filter(char::is_ascii_alphanumeric).take(8).collect::<String>().to_lowercase();
    let ext = source
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| matches!(e.as_str(), "png" | "jpg" | "jpeg" | "webp" | "gif" | "bmp" | "mp4"))
        .unwrap_or_else(|| "png".to_owned());
    if short.is_empty() { format!("{slug}_{number}.{ext}") } else { format!("{slug}_{short}_{number}.{ext}") }
}

/// Where the save dialog starts: the system's downloads folder, if there is one.
pub fn default_download_dir() -> Option<PathBuf> {
    directories::UserDirs::new().and_then(|u| u.download_dir().map(Path::to_owned))
}

/// Why an export did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not read the image {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("could not write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("could not decode the image: {0}")]
    Decode(String),
    #[error("the clipboard refused the image: {0}")]
    Clipboard(String),
    #[error("could not open the folder: {0}")]
    Open(std::io::Error),
    #[error("the export task stopped: {0}")]
    Task(String),
    #[error("Not saved: {0}")]
    NoDialog(#[from] super::file_dialog::NoDialog),
}

/// What became of an export, for the status line.
#[derive(Debug)]
pub enum ExportOutcome {
    Saved(PathBuf),
    /// The designer closed the dialog without choosing.
    SaveCancelled,
    Copied {
        width: u32,
        height: u32,
    },
    Failed(ExportError),
}

impl std::fmt::Display for ExportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportOutcome::Saved(p) => write!(f, "Saved {}", p.display()),
            ExportOutcome::SaveCancelled => write!(f, "Not saved"),
            ExportOutcome::Copied { width, height } => write!(f, "Copied the image ({width}×{height})"),
            ExportOutcome::Failed(e) => write!(f, "{e}"),
        }
    }
}

/// Copies `source` to `dest`.
pub async fn copy_file(source: &Path, dest: &Path) -> Result<(), ExportError> {
    tokio::fs::copy(source, dest).await.map(|_| ()).map_err(|e| ExportError::Write { path: dest.to_owned(), source: e })
}

/// Reads and decodes an image file into RGBA pixels (width, height, bytes).
pub fn decode_file(path: &Path) -> Result<(u32, u32, Vec<u8>), ExportError> {
    let bytes = std::fs::read(path).map_err(|e| ExportError::Read { path: path.to_owned(), source: e })?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let img = crate::imageio::decode_rgba(&bytes, &name).map_err(|e| ExportError::Decode(e.to_string()))?;
    Ok((img.width(), img.height(), img.into_raw()))
}

/// The clipboard is kept open for the life of the program: on X11 the image is served from
/// this process, and dropping the last handle right after writing can lose it.
fn clipboard() -> &'static Mutex<Option<arboard::Clipboard>> {
    static CLIPBOARD: std::sync::OnceLock<Mutex<Option<arboard::Clipboard>>> = std::sync::OnceLock::new();
    CLIPBOARD.get_or_init(|| Mutex::new(None))
}

/// Decodes `path` and puts it on the clipboard. Blocking: call it off the UI thread.
pub fn copy_to_clipboard(path: &Path) -> Result<(u32, u32), ExportError> {
    let (width, height, rgba) = decode_file(path)?;
    let mut guard = clipboard().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if guard.is_none() {
        *guard = Some(arboard::Clipboard::new().map_err(|e| ExportError::Clipboard(e.to_string()))?);
    }
    let Some(cb) = guard.as_mut() else { return Err(ExportError::Clipboard("no clipboard".into())) };
    let data = arboard::ImageData { width: width as usize, height: height as usize, bytes: rgba.into() };
    cb.set_image(data).map_err(|e| ExportError::Clipboard(e.to_string()))?;
    Ok((width, height))
}

/// The command that shows `folder` in the desktop's file manager.
pub fn open_folder_command(folder: &Path) -> std::process::Command {
    #[cfg(target_os = "macos")]
    let program = "open";
    #[cfg(target_os = "windows")]
    let program = "explorer";
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    let program = "xdg-open";
    let mut cmd = std::process::Command::new(program);
    cmd.arg(folder).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    cmd
}

/// Runs exports off the UI thread and hands their outcomes back.
pub struct Exports {
    tx: mpsc::Sender<ExportOutcome>,
    rx: mpsc::Receiver<ExportOutcome>,
    /// Wakes the window when an outcome arrives.
    notify: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Exports {
    pub fn new(notify: Option<Arc<dyn Fn() + Send + Sync>>) -> Self {
        let (tx, rx) = mpsc::channel();
        Self { tx, rx, notify }
    }

    fn reporter(&self) -> impl Fn(ExportOutcome) + Send + 'static {
        let tx = self.tx.clone();
        let notify = self.notify.clone();
        move |outcome| {
            let _ = tx.send(outcome);
            if let Some(n) = &notify {
                n();
            }
        }
    }

    /// Asks where to save (the native dialog, asynchronously) and copies the image there.
    /// Must be called inside the tokio runtime.
    pub fn save(&self, source: PathBuf, file_name: String, folder: Option<PathBuf>) {
        let report = self.reporter();
        tokio::spawn(async move {
            let mut dialog = rfd::AsyncFileDialog::new().set_title("Save image").set_file_name(&file_name);
            if let Some(dir) = folder.filter(|d| d.is_dir()) {
                dialog = dialog.set_directory(dir);
            }
            let outcome = match super::file_dialog::save_file(dialog).await {
                Err(none) => ExportOutcome::Failed(none.into()),
                Ok(None) => ExportOutcome::SaveCancelled,
                Ok(Some(handle)) => {
                    let dest = handle.path().to_owned();
                    match copy_file(&source, &dest).await {
                        Ok(()) => ExportOutcome::Saved(dest),
                        Err(e) => ExportOutcome::Failed(e),
                    }
                }
            };
            report(outcome);
        });
    }

    /// Decodes the image and puts it on the clipboard on a blocking thread.
    pub fn copy(&self, source: PathBuf) {
        let report = self.reporter();
        tokio::spawn(async move {
            let outcome = match tokio::task::spawn_blocking(move || copy_to_clipboard(&source)).await {
                Ok(Ok((width, height))) => ExportOutcome::Copied { width, height },
                Ok(Err(e)) => ExportOutcome::Failed(e),
                Err(e) => ExportOutcome::Failed(ExportError::Task(e.to_string())),
            };
            report(outcome);
        });
    }

    /// Opens the folder holding `path` in the file manager. The process is spawned and reaped
    /// on a blocking thread; the window never waits for it.
    pub fn show_in_folder(&self, path: &Path) {
        let folder = if path.is_dir() { path.to_owned() } else { path.parent().unwrap_or(path).to_owned() };
        let report = self.reporter();
        tokio::task::spawn_blocking(move || match open_folder_command(&folder).spawn() {
            Ok(mut child) => {
                let _ = child.wait();
            }
            Err(e) => report(ExportOutcome::Failed(ExportError::Open(e))),
        });
    }

    /// Outcomes that arrived since the last call.
    pub fn poll(&self) -> Vec<ExportOutcome> {
        self.rx.try_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1a2b3c4d-5e6f-7a8b-9c0d-111122223333";

    #[test]
    fn file_names_come_from_the_prompt_job_and_image_number() {
        assert_eq!(default_file_name(Some("Red fox in snow"), ID, 2, None), "red-fox-in-snow_1a2b3c4d_2.png");
        assert_eq!(
            default_file_name(Some("https://x.test/a.png a red fox, at dusk! --ar 3:2 --s 250"), ID, 1, None),
            "a-red-fox-at-dusk_1a2b3c4d_1.png",
            "URLs, punctuation and parameters are left out"
        );
        let long = "one two three four five six seven eight";
        assert_eq!(default_file_name(Some(long), ID, 4, None), "one-two-three-four-five-six_1a2b3c4d_4.png");
    }

    #[test]
    fn file_names_keep_the_image_kind_and_survive_odd_prompts() {
        let webp = Path::new("/cache/ab/cdef.WEBP");
        assert_eq!(default_file_name(Some("fox"), ID, 1, Some(webp)), "fox_1a2b3c4d_1.webp");
        assert_eq!(default_file_name(Some("fox"), ID, 1, Some(Path::new("/x/noext"))), "fox_1a2b3c4d_1.png");
        // a video job's clip keeps its kind (it was exported as a .png holding an MP4)
        assert_eq!(default_file_name(Some("fox"), ID, 2, Some(Path::new("/c/ab12.mp4"))), "fox_1a2b3c4d_2.mp4");
        assert_eq!(default_file_name(None, ID, 3, None), "image_1a2b3c4d_3.png");
        assert_eq!(default_file_name(Some("../../etc/passwd ***"), ID, 1, None), "etcpasswd_1a2b3c4d_1.png");
        assert_eq!(default_file_name(Some("Ünïcode Straße"), "", 1, None), "ünïcode-straße_1.png");
        let giant = "a".repeat(500);
        let name = default_file_name(Some(&giant), ID, 1, None);
        assert_eq!(name, format!("{}_1a2b3c4d_1.png", "a".repeat(NAME_CHARS)));
        for name in [name, default_file_name(Some("a/b\\c:d"), ID, 1, None)] {
            assert!(!name.contains(['/', '\\', ':']), "{name}");
        }
    }

    #[test]
    fn a_missing_or_broken_image_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.png");
        assert!(matches!(decode_file(&missing), Err(ExportError::Read { .. })));
        let junk = dir.path().join("junk.png");
        std::fs::write(&junk, b"not an image").unwrap();
        assert!(matches!(decode_file(&junk), Err(ExportError::Decode(_))));
    }

    #[test]
    fn decoding_gives_rgba_pixels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        let img = image::RgbaImage::from_pixel(3, 2, image::Rgba([1, 2, 3, 255]));
        std::fs::write(&path, crate::imageio::encode_png(&img)).unwrap();
        let (w, h, bytes) = decode_file(&path).unwrap();
        assert_eq!((w, h, bytes.len()), (3, 2, 24));
        assert_eq!(&bytes[..4], &[1, 2, 3, 255]);
    }

    #[tokio::test]
    async fn saving_copies_the_bytes_and_reports_where() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dest) = (dir.path().join("a.png"), dir.path().join("out.png"));
        std::fs::write(&src, b"png bytes").unwrap();
        copy_file(&src, &dest).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"png bytes");
        let err = copy_file(&src, &dir.path().join("no/such/dir/x.png")).await.unwrap_err();
        assert!(err.to_string().starts_with("could not write"), "{err}");
    }

    #[test]
    fn the_folder_opener_is_the_desktops() {
        let cmd = open_folder_command(Path::new("/tmp/images"));
        #[cfg(all(unix, not(target_os = "macos")))]
        assert_eq!(cmd.get_program(), "xdg-open");
        assert_eq!(cmd.get_args().collect::<Vec<_>>(), [std::ffi::OsStr::new("/tmp/images")]);
    }
}
