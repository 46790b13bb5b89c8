//! What the editors share: the image loaded off the UI thread ([`Load`]), why `Submit` is
//! disabled ([`Blocked`]), the prompt row with its `Submit` button and the refusal beside it,
//! and the reason line under it. A new editor is one new file that uses these.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use image::RgbaImage;

use crate::app::background::Repaint;
use crate::app::submission::{Submission, refusal_ui};
use crate::intent::Intent;
use crate::mask::MaskError;

/// What an editor asks of the window.
#[derive(Debug, Clone, PartialEq)]
pub enum EditorEvent {
    Submit(Intent),
    Close,
}

/// Why `Submit` is disabled, said on the line under it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Blocked {
    #[error("the image is still loading")]
    Loading,
    #[error("{0}")]
    NoImage(String),
    #[error("{0}")]
    Mask(#[from] MaskError),
    /// An edit (not a region variation, whose prompt is optional) needs a prompt.
    #[error("write what the painted area should become")]
    NoPrompt,
    /// A canvas edit needs a remix prompt: what the whole new canvas shows.
    #[error("write a remix prompt: what the canvas should show")]
    NoRemixPrompt,
    #[error("nothing would change: pick a canvas shape, move or resize the image, or use a mask")]
    Unchanged,
    #[error("sending…")]
    Sending,
}

/// Something an editor loads in the background (`T`: its image, decoded), then holds
/// (`R`: what it made of it, e.g. the mask canvas).
pub enum Load<T, R = T> {
    Loading(Receiver<Result<T, String>>),
    Ready(Box<R>),
    Failed(String),
}

impl<T: Send + 'static, R> Load<T, R> {
    /// Runs `work` on the blocking pool (or a thread); `repaint` is called once it answers.
    pub fn spawn(repaint: Repaint, work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Self {
        let (tx, rx) = channel();
        spawn_blocking(move || {
            let _ = tx.send(work());
            repaint();
        });
        Load::Loading(rx)
    }
}

impl<T, R> Load<T, R> {
    /// The answer, once it has come (then the caller makes its ready state); a load that
    /// stopped without answering becomes a failure.
    pub fn poll(&mut self) -> Option<T> {
        let Load::Loading(rx) = self else { return None };
        match rx.try_recv() {
            Ok(Ok(loaded)) => Some(loaded),
            Ok(Err(why)) => {
                *self = Load::Failed(why);
                None
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                *self = Load::Failed("reading the image stopped".into());
                None
            }
        }
    }

    pub fn ready(&self) -> Option<&R> {
        match self {
            Load::Ready(t) => Some(t),
            _ => None,
        }
    }

    pub fn ready_mut(&mut self) -> Option<&mut R> {
        match self {
            Load::Ready(t) => Some(t),
            _ => None,
        }
    }

    /// Why nothing can be sent yet, while not ready.
    pub fn blocked(&self) -> Option<Blocked> {
        match self {
            Load::Loading(_) => Some(Blocked::Loading),
            Load::Failed(why) => Some(Blocked::NoImage(why.clone())),
            Load::Ready(_) => None,
        }
    }

    /// A spinner while loading, the reason when it failed; the ready state is the editor's.
    pub fn placeholder_ui(&self, ui: &mut egui::Ui) {
        match self {
            Load::Loading(_) => {
                ui.centered_and_justified(|ui| ui.spinner());
            }
            Load::Failed(why) => {
                ui.colored_label(ui.visuals().error_fg_color, why.as_str());
            }
            Load::Ready(_) => {}
        }
    }
}

/// Runs `f` on the runtime's blocking pool when there is one (the window), else on a thread.
pub fn spawn_blocking(f: impl FnOnce() + Send + 'static) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => drop(rt.spawn_blocking(f)),
        Err(_) => drop(std::thread::spawn(f)),
    }
}

pub fn decode(bytes: &[u8], name: &str) -> Result<Arc<RgbaImage>, String> {
    image::load_from_memory(bytes).map(|i| Arc::new(i.to_rgba8())).map_err(|e| format!("{name} could not be read: {e}"))
}

/// Reads and decodes an image file. Blocking.
pub fn read_file(path: &Path) -> Result<Arc<RgbaImage>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{} could not be read: {e}", path.display()))?;
    decode(&bytes, &path.display().to_string())
}

/// Why `Submit` is disabled: what is in flight first, then what the editor says.
pub fn blocked_by(submission: &Submission, check: impl FnOnce() -> Result<(), Blocked>) -> Option<Blocked> {
    if submission.is_pending() { Some(Blocked::Sending) } else { check().err() }
}

/// The prompt row: `label`, the prompt box, `Submit` (enabled unless `blocked`) and the
/// refusal beside it. Returns the prompt box's id, whether `Submit` was clicked, and the
/// reason for [`reason_line_ui`].
pub fn prompt_row_ui(
    ui: &mut egui::Ui,
    label: &str,
    hint: &str,
    prompt: &mut String,
    blocked: Option<Blocked>,
    submission: &Submission,
) -> (egui::Id, bool, Option<(egui::Color32, String)>) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        let width = (ui.available_width() - 260.0).max(160.0);
        let prompt_box = ui.add(egui::TextEdit::singleline(prompt).hint_text(hint).desired_width(width));
        let id = prompt_box.labelled_by(label.id).id;
        let submit = ui.add_enabled(blocked.is_none(), egui::Button::new("Submit"));
        let reason = blocked.map(|why| {
            let text = why.to_string();
            let colour =
                if why == Blocked::Sending { ui.visuals().weak_text_color() } else { ui.visuals().warn_fg_color };
            (colour, text)
        });
        let clicked = submit.clicked();
        if let Some((_, text)) = &reason {
            submit.on_disabled_hover_text(text);
        }
        refusal_ui(ui, submission);
        (id, clicked, reason)
    })
    .inner
}

/// The line under `Submit`: why it is disabled, else "ready to send". Always one line, so the
/// canvas below never moves under a stroke when the reason goes.
pub fn reason_line_ui(ui: &mut egui::Ui, blocked: Option<(egui::Color32, String)>) {
    match blocked {
        Some((colour, text)) => ui.add(egui::Label::new(egui::RichText::new(text).color(colour)).truncate()),
        None => ui.weak("ready to send"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_answers_once_and_a_dropped_one_fails_in_words() {
        let (tx, rx) = channel();
        let mut load: Load<u32> = Load::Loading(rx);
        assert_eq!(load.blocked(), Some(Blocked::Loading));
        assert_eq!(load.poll(), None);
        tx.send(Ok(7)).unwrap();
        assert_eq!(load.poll(), Some(7));

        let (tx, rx) = channel::<Result<u32, String>>();
        let mut load: Load<u32> = Load::Loading(rx);
        drop(tx);
        assert_eq!(load.poll(), None);
        assert_eq!(load.blocked(), Some(Blocked::NoImage("reading the image stopped".into())));

        let (tx, rx) = channel::<Result<u32, String>>();
        let mut load: Load<u32> = Load::Loading(rx);
        tx.send(Err("a.png could not be read".into())).unwrap();
        assert_eq!(load.poll(), None);
        assert_eq!(load.blocked(), Some(Blocked::NoImage("a.png could not be read".into())));
    }

    #[test]
    fn sending_blocks_before_anything_else() {
        let mut s = Submission::default();
        assert_eq!(blocked_by(&s, || Err(Blocked::NoPrompt)), Some(Blocked::NoPrompt));
        assert_eq!(blocked_by(&s, || Ok(())), None);
        s.sent(1);
        assert_eq!(blocked_by(&s, || Err(Blocked::NoPrompt)), Some(Blocked::Sending));
    }
}
