//! `Load mask`: a mask file chosen in the asynchronous file dialog, read and decoded on the
//! runtime's blocking pool, handed back over a channel that [`MaskCanvas::ui`] polls. The UI
//! thread never waits: the dialog, the read and the decode all happen elsewhere, and the task
//! asks for a repaint when its answer is in.
//!
//! The file replaces the whole mask as one undo step; a file of another size is refused with
//! both sizes said next to the button.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::MaskCanvas;
use crate::mask::{Mask, MaskError};

/// What the dialog, the read and the decode answer: `None` when the dialog was dismissed; a
/// file that could not be read is said in words.
type Answer = Result<Option<Result<Mask, MaskError>>, String>;

/// The mask file being loaded, and what to say about the last one.
#[derive(Default)]
pub(super) struct MaskLoad {
    pending: Option<Receiver<Answer>>,
    /// Why the last file was refused (shown next to `Load mask`).
    pub refused: Option<String>,
}

impl MaskLoad {
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }
}

/// Why a mask file cannot be used, in words for the line next to `Load mask`.
fn refusal(e: &MaskError) -> String {
    match e {
        MaskError::SizeMismatch { got_w, got_h, want_w, want_h } => {
            format!("the mask is {got_w}x{got_h} but the image is {want_w}x{want_h}")
        }
        other => other.to_string(),
    }
}

impl MaskCanvas {
    /// Replaces the mask with a PNG's (its alpha, or with no alpha its black and white: see
    /// [`Mask::from_png`]) as one undo step. A file that is not a PNG, or not at the image's
    /// size, changes nothing and is said next to `Load mask`.
    pub fn load_mask_png(&mut self, bytes: &[u8]) -> Result<(), MaskError> {
        let decoded = Mask::from_png_sized(bytes, self.image.width(), self.image.height());
        self.put_mask(decoded)
    }

    /// Why the last mask file was refused, if it was.
    pub fn load_refused(&self) -> Option<&str> {
        self.load.refused.as_deref()
    }

    fn put_mask(&mut self, decoded: Result<Mask, MaskError>) -> Result<(), MaskError> {
        match decoded.and_then(|mask| self.doc.replace(&mask)) {
            Ok(r) => {
                self.textures.mark_dirty(r);
                self.load.refused = None;
                Ok(())
            }
            Err(e) => {
                self.load.refused = Some(refusal(&e));
                Err(e)
            }
        }
    }

    /// Opens the file dialog on the runtime (nothing happens without one: the window always
    /// has one). `ctx` is woken when the answer is in.
    pub(super) fn choose_mask_file(&mut self, ctx: &egui::Context) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.load.refused = Some("no file dialog here".into());
            return;
        };
        let (tx, rx) = channel();
        let (width, height) = (self.image.width(), self.image.height());
        let ctx = ctx.clone();
        rt.spawn(async move {
            let dialog = rfd::AsyncFileDialog::new().set_title("Mask to load").add_filter("PNG mask", &["png"]);
            let answer = match crate::app::file_dialog::pick_file(dialog).await {
                Err(none) => Err(none.to_string()),
                Ok(None) => Ok(None),
                Ok(Some(file)) => {
                    let path = file.path().to_path_buf();
                    let read = move || -> Answer {
                        let bytes =
                            std::fs::read(&path).map_err(|e| format!("{} could not be read: {e}", path.display()))?;
                        Ok(Some(Mask::from_png_sized(&bytes, width, height)))
                    };
                    tokio::task::spawn_blocking(read)
                        .await
                        .unwrap_or_else(|e| Err(format!("reading the mask stopped: {e}")))
                }
            };
            let _ = tx.send(answer);
            ctx.request_repaint();
        });
        self.load.pending = Some(rx);
        self.load.refused = None;
    }

    /// Takes in a mask file once its task has answered.
    pub(super) fn poll_load(&mut self) {
        let Some(rx) = &self.load.pending else { return };
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err("reading the mask stopped".into()),
        };
        self.load.pending = None;
        match answer {
            Ok(None) => {}
            Ok(Some(decoded)) => {
                // refused or not, the outcome is shown next to the button
                let _ = self.put_mask(decoded);
            }
            Err(why) => self.load.refused = Some(why),
        }
    }
}
