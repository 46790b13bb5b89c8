//! The command palette: Ctrl+K (in a text field too) opens a small window with a search box
//! over every command the window has ([`entries`]); every word typed must be in a command's
//! label. Up/Down move the highlight, Enter or a click runs it, Escape closes. `?` (when no
//! text field has the keyboard) shows every shortcut, from the same list.
//!
//! Running an entry does what its button does: the window pushes the same command, or opens
//! the panel ([`Run`]).

pub mod entries;

use egui::{Key, Modifiers};

pub use entries::{Context, Entry, Group, Run, entries, search, shortcuts};

/// The palette's own state, owned by the window like the other panels'.
#[derive(Debug, Default, Clone)]
pub struct Palette {
    pub open: bool,
    /// What the search box holds.
    pub query: String,
    /// The highlighted entry among those found.
    pub highlight: usize,
    /// The `Keyboard shortcuts` window is shown.
    pub shortcuts_open: bool,
    /// Just opened: the search box takes the keyboard.
    focus: bool,
}

impl Palette {
    /// Opens the palette on an empty search, the keyboard in its box.
    pub fn show(&mut self) {
        *self = Palette { open: true, focus: true, shortcuts_open: self.shortcuts_open, ..Default::default() };
    }

    pub fn close(&mut self) {
        *self = Palette { shortcuts_open: self.shortcuts_open, ..Default::default() };
    }
}

/// The search box's widget id.
pub fn search_id() -> egui::Id {
    egui::Id::unique("mjdesk.palette.search")
}

/// Ctrl+K opens (or closes) the palette, also from a text field; `?` with no text field
/// focused shows the shortcuts. Read before any panel draws: a text field would take Ctrl+K
/// to delete to the end of its line.
pub fn keys(ctx: &egui::Context, palette: &mut Palette) {
    if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::K)) {
        if palette.open { palette.close() } else { palette.show() }
    }
    if !ctx.text_edit_focused() && ctx.input(|i| i.events.iter().any(is_question_mark)) {
        palette.shortcuts_open = true;
    }
}

fn is_question_mark(event: &egui::Event) -> bool {
    match event {
        egui::Event::Key { key: Key::Questionmark, pressed: true, modifiers, .. } => {
            !modifiers.command && !modifiers.ctrl && !modifiers.alt
        }
        egui::Event::Text(t) => t == "?",
        _ => false,
    }
}

/// The palette's window while it is open; returns the entry chosen (Enter or a click).
pub fn palette_window(ctx: &egui::Context, palette: &mut Palette, entries: &[Entry]) -> Option<Run> {
    if !palette.open {
        return None;
    }
    let focused = ctx.memory(|m| m.has_focus(search_id()));
    // taken before the search box sees them (Enter would end its editing)
    let (up, down, enter, escape) = ctx.input_mut(|i| {
        let mut key = |k| focused && i.consume_key(Modifiers::NONE, k);
        (key(Key::ArrowUp), key(Key::ArrowDown), key(Key::Enter), i.consume_key(Modifiers::NONE, Key::Escape))
    });
    if escape {
        palette.close();
        return None;
    }
    let mut chosen = None;
    let mut open = true;
    egui::Window::new("Command palette")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .order(egui::Order::Foreground)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
        .default_width(380.0)
        .show(ctx, |ui| {
            let label = ui.label("Search commands");
            let edit = egui::TextEdit::singleline(&mut palette.query)
                .id(search_id())
                .hint_text("u2, seed, brush…")
                .desired_width(f32::INFINITY);
            let response = ui.add(edit).labelled_by(label.id);
            if std::mem::take(&mut palette.focus) {
                response.request_focus();
            }
            if response.changed() {
                palette.highlight = 0;
            }
            let found = search(entries, &palette.query);
            let last = found.len().saturating_sub(1);
            palette.highlight = if down { palette.highlight + 1 } else { palette.highlight };
            palette.highlight = if up { palette.highlight.saturating_sub(1) } else { palette.highlight }.min(last);
            if enter {
                chosen = found.get(palette.highlight).copied();
            }
            ui.separator();
            if found.is_empty() {
                ui.weak("No command has every word typed");
            }
            egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                egui::Grid::new("palette entries").num_columns(2).show(ui, |ui| {
                    for (n, entry) in found.iter().enumerate() {
                        if entry_row(ui, entry, n == palette.highlight, up || down) {
                            chosen = Some(entry);
                        }
                        ui.end_row();
                    }
                });
            });
        });
    let run = chosen.and_then(|e| e.run.clone().ok());
    if !open || run.is_some() {
        palette.close();
    }
    run
}

/// One entry: its button (greyed, saying why, when it cannot run) and its shortcut. True
/// when clicked.
fn entry_row(ui: &mut egui::Ui, entry: &Entry, highlighted: bool, moved: bool) -> bool {
    let button = egui::Button::selectable(highlighted, entry.label.as_str()).min_size(egui::vec2(240.0, 0.0));
    let mut response = ui.add_enabled(entry.run.is_ok(), button);
    if let Err(why) = &entry.run {
        response = response.on_disabled_hover_text(why);
    }
    if highlighted && moved {
        response.scroll_to_me(None);
    }
    ui.weak(entry.shortcut.unwrap_or_default());
    response.clicked()
}

/// The `Keyboard shortcuts` window while `open`: every shortcut, by group ([`shortcuts`]).
/// Escape closes it.
pub fn shortcuts_window(ctx: &egui::Context, open: &mut bool) {
    if !*open {
        return;
    }
    if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
        *open = false;
        return;
    }
    egui::Window::new("Keyboard shortcuts")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .order(egui::Order::Foreground)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts").num_columns(2).spacing([24.0, 4.0]).show(ui, |ui| {
                let mut group = None;
                for entry in shortcuts() {
                    if group != Some(entry.group) {
                        group = Some(entry.group);
                        ui.strong(entry.group.heading());
                        ui.end_row();
                    }
                    ui.label(&entry.label);
                    ui.monospace(entry.shortcut.unwrap_or_default());
                    ui.end_row();
                }
            });
        });
}

#[cfg(test)]
mod tests;
