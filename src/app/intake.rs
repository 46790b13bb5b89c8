//! Images coming into the window: picked in a dialog, read from the clipboard, dropped onto
//! the window or pasted into it. One rule ([`image_inputs::drop_target`]) says where they go:
//! the panel that is open; else several to Blend and one to the mask canvas for an edit.

use super::MjdeskApp;
use super::command::PickFor;
use super::editors::ActiveEditor;
use super::image_inputs::{self, DropTo};
use crate::intent::ImageSource;

impl MjdeskApp {
    /// Images that arrived for `target`.
    pub(super) fn take_images(&mut self, target: PickFor, images: Vec<ImageSource>) {
        match target {
            PickFor::Blend => {
                self.panels.blend.open = true;
                self.panels.blend.add(images);
            }
            PickFor::Describe => {
                self.panels.describe.open = true;
                self.panels.describe.add(images);
            }
            PickFor::Edit => match images.into_iter().next() {
                Some(ImageSource::File(path)) => {
                    let store = self.store();
                    self.open_editor(ActiveEditor::on_file(Some(path), store, self.repaint.clone()));
                }
                Some(ImageSource::Bytes { bytes, name }) => {
                    self.open_editor(ActiveEditor::on_bytes(bytes, name, self.repaint.clone()));
                }
                Some(ImageSource::Url(_)) | None => {}
            },
            PickFor::EndFrame => {
                if let Some(image) = images.into_iter().next() {
                    self.panels.job_view.end_frame = Some(Ok(image));
                }
            }
        }
    }

    /// Why no image came for a panel, shown by its button (the panel opens to show it).
    pub(super) fn refuse_images(&mut self, target: PickFor, why: String) {
        match target {
            PickFor::Blend => {
                self.panels.blend.open = true;
                self.panels.blend.submission.refused(&why);
            }
            PickFor::Describe => {
                self.panels.describe.open = true;
                self.panels.describe.submission.refused(&why);
            }
            PickFor::Edit => self.state.message = Some(why),
            PickFor::EndFrame => self.panels.job_view.end_frame = Some(Err(why)),
        }
    }

    /// Images dropped onto the window or pasted into it (Ctrl+V) this frame.
    pub(super) fn incoming_images(&mut self, ctx: &egui::Context) {
        let animate = self.editor.is_none()
            && self
                .state
                .selected_job()
                .and_then(|job| crate::app::panels::animate::open_form(ctx, job))
                .is_some_and(|form| !form.video.looped);
        let open = image_inputs::Open {
            blend: self.panels.blend.open,
            describe: self.panels.describe.open,
            editor: self.editor.is_some(),
            animate,
        };
        let dropped = image_inputs::dropped(ctx);
        if !dropped.is_empty() {
            match (image_inputs::drop_target(open, dropped.len()), dropped.as_slice()) {
                (DropTo::Panel(target), _) => self.take_images(target, dropped),
                (DropTo::Edit, [ImageSource::File(_)]) => self.take_images(PickFor::Edit, dropped),
                (DropTo::Edit, _) => self.take_images(PickFor::Describe, dropped),
            }
        }
        // Text pasted into a text field is the field's; elsewhere, it is taken for image files.
        let typing = ctx.text_edit_focused();
        let panel_open = open.blend || open.describe;
        for event in ctx.input(|i| i.events.clone()) {
            let target = image_inputs::paste_target(open);
            match event {
                egui::Event::PasteImage(image) => self.picker.pasted(target, image),
                egui::Event::Paste(text) if panel_open && !typing => {
                    let paths = image_inputs::pasted_paths(&text);
                    if paths.is_empty() {
                        self.refuse_images(target, image_inputs::PASTED_TEXT.to_owned());
                    } else {
                        self.take_images(target, paths.into_iter().map(ImageSource::File).collect());
                    }
                }
                _ => {}
            }
        }
    }

    /// Dialog and clipboard reads that have answered.
    pub(super) fn picked_images(&mut self) {
        while let Some(picked) = self.picker.try_recv() {
            match picked.images {
                Ok(images) => self.take_images(picked.target, images),
                Err(why) => self.refuse_images(picked.target, why),
            }
        }
    }
}
