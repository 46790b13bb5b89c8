//! What the editors' kittest tests share: a test image and a harness that keeps every event
//! an editor sends.

use std::sync::Arc;

use egui::Vec2;
use egui_kittest::Harness;
use image::RgbaImage;

use super::shell::EditorEvent;

/// An editor under test, and the events it sent.
pub type Events<E> = (E, Vec<EditorEvent>);

/// A 200 x 100 test image with some texture.
pub fn image() -> Arc<RgbaImage> {
    Arc::new(RgbaImage::from_fn(200, 100, |x, y| image::Rgba([(x % 256) as u8, (y * 2) as u8, 90, 255])))
}

/// `editor` in a 1000 x 700 window, drawn by `ui`; one run done.
pub fn harness<E: 'static>(
    editor: E,
    ui: fn(&mut E, &mut egui::Ui) -> Option<EditorEvent>,
) -> Harness<'static, Events<E>> {
    let mut h = Harness::builder().with_size(Vec2::new(1000.0, 700.0)).build_ui_state(
        move |frame, (editor, events): &mut Events<E>| {
            if let Some(e) = ui(editor, frame) {
                events.push(e);
            }
        },
        (editor, Vec::new()),
    );
    h.run();
    h
}
