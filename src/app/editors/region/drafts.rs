//! The region editor's draft: kept up to date as the mask is painted, taken back when the
//! editor opens again, and said above the canvas (see [`crate::app::editors::draft`]).

use super::RegionEditor;
use crate::app::editors::draft::DraftStatus;

impl RegionEditor {
    /// Keeps the draft up to date with what was painted this frame, takes in a kept draft
    /// once it is read (restored at once into an untouched canvas that started empty, else
    /// offered), and asks for the repaint a pending save needs.
    pub(super) fn keep_draft(&mut self, ctx: &egui::Context) {
        let (Some(keeper), Some(canvas)) = (&mut self.draft, self.load.ready_mut()) else { return };
        let now = std::time::Instant::now();
        if let Some(found) = keeper.poll() {
            let untouched = !canvas.doc().history().can_undo() && canvas.doc().marked() == 0;
            if untouched && canvas.replace_mask(&found.mask).is_ok() {
                self.restored = Some(found.saved_at_ms);
            } else {
                self.draft_offer = Some(found);
            }
        }
        let dirty = canvas.take_unsaved();
        keeper.changed(canvas.mask(), dirty, now);
        if let Some(due) = keeper.next_save_due(now) {
            ctx.request_repaint_after(due);
        }
    }

    /// Saves what is still waiting (the editor is closing: it is offered back next time).
    pub fn flush_draft(&mut self) {
        if let (Some(keeper), Some(canvas)) = (&mut self.draft, self.load.ready()) {
            keeper.flush(canvas.mask());
        }
    }

    /// Throws the kept draft away (the job it became was accepted, or the designer said so).
    pub fn discard_draft(&mut self) {
        if let Some(keeper) = &mut self.draft {
            keeper.discard();
        }
        self.draft_offer = None;
        self.restored = None;
    }

    /// The line about the draft above the canvas (always one, while a draft is kept): restored
    /// or offered, saved, or why not.
    pub(super) fn draft_ui(&mut self, ui: &mut egui::Ui) {
        let Some(keeper) = &self.draft else { return };
        let at = |ms: i64| {
            let secs = (crate::job::now_ms() - ms).max(0) / 1000;
            if secs < 90 { format!("{secs} s ago") } else { format!("{} min ago", secs / 60) }
        };
        let (mut restore, mut discard) = (false, false);
        ui.horizontal_wrapped(|ui| {
            if let Some(offer) = &self.draft_offer {
                ui.label(format!("A mask you were painting here was kept ({}).", at(offer.saved_at_ms)));
                restore = ui.button("Restore draft").clicked();
                discard = ui.button("Discard draft").on_hover_text("Forget the kept mask").clicked();
                return;
            }
            if let Some(saved) = self.restored {
                ui.label(format!("Restored the mask you were painting ({}).", at(saved)));
                discard = ui.button("Discard draft").on_hover_text("Clear it and forget it").clicked();
            }
            match keeper.status() {
                DraftStatus::Saving => {
                    ui.weak("keeping a draft…");
                }
                DraftStatus::Saved { .. } => {
                    ui.weak("draft kept: it survives a crash");
                }
                DraftStatus::Failed(e) => {
                    ui.colored_label(ui.visuals().warn_fg_color, e.to_string());
                }
                // always one line, so the canvas never moves under a stroke when the status comes
                DraftStatus::None => {
                    ui.weak("the mask is kept as a draft as you paint");
                }
            }
        });
        if restore
            && let (Some(offer), Some(canvas)) = (self.draft_offer.take(), self.load.ready_mut())
            && canvas.replace_mask(&offer.mask).is_ok()
        {
            self.restored = Some(offer.saved_at_ms);
        }
        if discard {
            if self.restored.is_some()
                && let Some(canvas) = self.load.ready_mut()
            {
                canvas.clear_mask();
            }
            self.discard_draft();
        }
    }
}
