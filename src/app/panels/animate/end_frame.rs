//! The `Animate` form's optional end frame: typed into `End frame` (a job id, `ID:N`, a link or
//! a file), picked with `Pick end frame…` (the native dialog, off the UI thread), pasted with
//! `Paste end frame` (the clipboard's image, read off the UI thread), or chosen `From history`
//! among the images of the open job, its parent and its follow-ups that AppState holds.

use std::sync::Arc;

use crate::app::command::{PickFor, UiCommand};
use crate::app::state::{AppState, JobRow};
use crate::intent::{FrameSource, ImageSource};
use crate::job::{Job, JobStatus, Provider, short_id};
use crate::store::JobSummary;

/// Said beside the field when TTAPI is given a file or a pasted image: its video takes links only.
pub const TTAPI_NEEDS_LINK: &str =
    "TTAPI's video takes the end frame as a link it can fetch, not a file; choose one from history, or give a URL";

/// The end frame as the form holds it between passes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndFrame {
    /// What the field shows: the typed text, or the picked file's (pasted image's) name.
    pub text: String,
    /// A picked file or a pasted image, shown by name in `text`. Shared, as the form is
    /// copied out of egui's memory each pass.
    pub picked: Option<Arc<ImageSource>>,
    /// Why the last pick or paste brought no end frame: one line beside the field.
    pub refusal: Option<String>,
}

impl EndFrame {
    /// What to send: the picked image, else the typed text, else nothing.
    pub fn source(&self) -> Option<FrameSource> {
        if let Some(image) = &self.picked {
            return Some(FrameSource::Image(image.as_ref().clone()));
        }
        let text = self.text.trim();
        (!text.is_empty()).then(|| FrameSource::Typed(text.to_owned()))
    }

    /// The designer typed into the field: the text is the end frame now.
    pub fn typed(&mut self) {
        self.picked = None;
        self.refusal = None;
    }

    /// Image `n` (1-4) of job `id`, chosen from history.
    pub fn choose(&mut self, id: &str, n: usize) {
        self.text = format!("{id}:{n}");
        self.typed();
    }

    /// A picked file or pasted image arrived (or why none did). TTAPI takes links only, so
    /// there a file or pasted image is refused here, as its send would be.
    pub fn arrived(&mut self, provider: Provider, incoming: Result<ImageSource, String>) {
        match incoming {
            Err(why) => self.refusal = Some(crate::textsafe::one_line(&why).into_owned()),
            Ok(ImageSource::Url(url)) => {
                self.text = url;
                self.typed();
            }
            Ok(_) if provider == Provider::Ttapi => self.refusal = Some(TTAPI_NEEDS_LINK.to_owned()),
            Ok(image) => {
                self.text = crate::app::image_inputs::source_name(&image);
                self.picked = Some(Arc::new(image));
                self.refusal = None;
            }
        }
    }
}

/// One image `From history` offers.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// `U1 · a lighthouse…` for a job's one image, `image 2 of a1b2c3d4` for a grid's.
    pub label: String,
    pub job_id: String,
    /// 1-4.
    pub n: usize,
}

/// The finished images of the open job, its parent and its follow-ups: no store read, only
/// what the window holds (the parent as read with the job, or the list's row).
pub fn history(job: &Job, state: &AppState) -> Vec<HistoryEntry> {
    let is_parent = |row: &&JobSummary| Some(row.id.as_str()) == job.parent_id.as_deref();
    let parent = state
        .parent
        .as_ref()
        .filter(is_parent)
        .or_else(|| {
            let listed = job.parent_id.as_deref().and_then(|p| state.list.index_of(p));
            listed.and_then(|i| state.list.row(i)).filter(is_parent)
        })
        .cloned();
    let own = JobSummary::of(job);
    let mut out = Vec::new();
    for summary in std::iter::once(own).chain(parent).chain(state.children.iter().cloned()) {
        if summary.status != JobStatus::Succeeded || summary.kind.is_video() || out_has(&out, &summary.id) {
            continue;
        }
        let count = summary.images.len().min(4);
        for n in 1..=count {
            let label = if count == 1 {
                shortened(&JobRow::of(&summary).title, 40)
            } else {
                format!("image {n} of {}", short_id(&summary.id))
            };
            out.push(HistoryEntry { label, job_id: summary.id.clone(), n });
        }
    }
    out
}

fn out_has(out: &[HistoryEntry], id: &str) -> bool {
    out.iter().any(|e| e.job_id == id)
}

fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':')))
}

/// The end frame's row: the field, `Pick end frame…`, `Paste end frame`, `From history`, and
/// the refusal beside them.
pub fn end_frame_ui(
    ui: &mut egui::Ui,
    end: &mut EndFrame,
    enabled: bool,
    provider: Provider,
    entries: &[HistoryEntry],
    commands: &mut Vec<UiCommand>,
) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("End frame");
        let edit = egui::TextEdit::singleline(&mut end.text)
            .hint_text("optional: a job id (ID:N), an image link or a file")
            .desired_width(260.0);
        if ui.add_enabled(enabled, edit).labelled_by(label.id).changed() {
            end.typed();
        }
        ui.add_enabled_ui(enabled, |ui| {
            let (pick_hint, paste_hint) = match provider {
                Provider::Ttapi => (TTAPI_NEEDS_LINK, TTAPI_NEEDS_LINK),
                _ => ("Choose an image file for the last frame", "Use the clipboard's image as the last frame"),
            };
            let pick = ui.button("Pick end frame…").on_hover_text(pick_hint);
            if pick.clicked() {
                end.refusal = None;
                commands.push(UiCommand::PickImages { target: PickFor::EndFrame });
            }
            let paste = ui.button("Paste end frame").on_hover_text(paste_hint);
            if paste.clicked() {
                end.refusal = None;
                commands.push(UiCommand::PasteImage { target: PickFor::EndFrame });
            }
            ui.add_enabled_ui(!entries.is_empty(), |ui| {
                ui.menu_button("From history", |ui| {
                    let mut chosen = None;
                    egui::ScrollArea::vertical().max_height(280.0).show(ui, |ui| {
                        for entry in entries {
                            if ui.button(&entry.label).on_hover_text(&entry.job_id).clicked() {
                                chosen = Some(entry);
                            }
                        }
                    });
                    if let Some(entry) = chosen {
                        end.choose(&entry.job_id, entry.n);
                        ui.close();
                    }
                })
                .response
                .on_disabled_hover_text("No finished image in this job's family yet");
            });
        });
        if let Some(why) = &end.refusal {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
    });
}
