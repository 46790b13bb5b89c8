//! The `Collections` panel: every collection with how many jobs it holds; a click shows only
//! its jobs in the list (`All jobs` shows them all again). New, rename and delete (after a
//! confirmation) act on collections; `Add to collection` puts the jobs chosen in the list
//! into one, `Remove from collection` takes them out of the one shown.
//!
//! A name is checked here as the store checks it (empty or over 100 characters is refused
//! beside the field at once); the store's own refusals (a name taken) come back to the same
//! place. Every change runs off the window's thread ([`crate::app::library`]).

use crate::app::command::UiCommand;
use crate::app::library::Change;
use crate::app::selection::Selection;
use crate::store::{Collection, CollectionId, JobFilter, LibraryError, check_collection_name};

/// The panel's own state.
#[derive(Debug, Default, Clone)]
pub struct CollectionsPanel {
    /// The collections as last read, by name.
    pub collections: Vec<Collection>,
    /// Why they could not be read, if they could not.
    pub read_error: Option<String>,
    /// What the `New collection` field holds, and why it was refused.
    pub new_name: String,
    pub new_error: Option<String>,
    /// The rename field's text while it is open, and why it was refused.
    pub renaming: Option<String>,
    pub rename_error: Option<String>,
    /// `Delete collection` was pressed: it asks before it deletes.
    pub confirm_delete: bool,
    /// What the last add, remove or delete did (Ok) or why it was refused (Err).
    pub outcome: Option<Result<String, String>>,
}

/// What the panel reads from the rest of the window.
#[derive(Debug, Clone, Copy)]
pub struct CollectionsCx<'a> {
    /// The list's filter (its collection is the one shown).
    pub filter: &'a JobFilter,
    /// The jobs chosen in the list, and the job the view shows (taken when none is chosen).
    pub selection: &'a Selection,
    pub focused: Option<&'a str>,
}

impl CollectionsCx<'_> {
    fn chosen(&self) -> Vec<String> {
        if self.selection.is_empty() {
            self.focused.map(str::to_owned).into_iter().collect()
        } else {
            self.selection.ids()
        }
    }

    fn any_chosen(&self) -> bool {
        !self.selection.is_empty() || self.focused.is_some()
    }
}

impl CollectionsPanel {
    /// Takes in what a change did.
    pub fn heard(&mut self, change: Change, result: Result<String, LibraryError>) {
        let said = result.map_err(|e| crate::textsafe::one_line(&e.to_string()).into_owned());
        match (change, said) {
            (Change::Create, Ok(_)) => {
                self.new_name.clear();
                self.new_error = None;
            }
            (Change::Create, Err(e)) => self.new_error = Some(e),
            (Change::Rename, Ok(_)) => {
                self.renaming = None;
                self.rename_error = None;
            }
            (Change::Rename, Err(e)) => self.rename_error = Some(e),
            (Change::Delete | Change::Add | Change::Remove, said) => self.outcome = Some(said),
        }
    }

    fn named(&self, id: CollectionId) -> Option<&Collection> {
        self.collections.iter().find(|c| c.id == id)
    }
}

pub fn collections_ui(
    ui: &mut egui::Ui,
    panel: &mut CollectionsPanel,
    cx: &CollectionsCx<'_>,
    commands: &mut Vec<UiCommand>,
) {
    ui.add_space(4.0);
    ui.heading("Collections");
    let current = cx.filter.collection;
    let show = |collection: Option<CollectionId>| UiCommand::Filter(JobFilter { collection, ..cx.filter.clone() });
    if ui.selectable_label(current.is_none(), "All jobs").clicked() && current.is_some() {
        commands.push(show(None));
    }
    if let Some(why) = &panel.read_error {
        ui.colored_label(ui.visuals().error_fg_color, why);
    }
    egui::ScrollArea::vertical().max_height(ui.available_height() * 0.5).show(ui, |ui| {
        for c in &panel.collections {
            let on = current == Some(c.id);
            let label = format!("{} ({})", c.name, c.jobs);
            if ui.selectable_label(on, label).on_hover_text("Show only this collection's jobs").clicked() {
                commands.push(show(if on { None } else { Some(c.id) }));
            }
        }
    });
    ui.separator();
    new_ui(ui, panel, commands);
    if let Some(id) = current.filter(|id| panel.named(*id).is_some()) {
        ui.separator();
        current_ui(ui, panel, id, cx, commands);
    }
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        ui.add_enabled_ui(cx.any_chosen() && !panel.collections.is_empty(), |ui| {
            ui.menu_button("Add to collection", |ui| {
                for c in &panel.collections {
                    if ui.button(&c.name).clicked() {
                        commands.push(UiCommand::AddToCollection { id: c.id, jobs: cx.chosen() });
                        ui.close();
                    }
                }
            })
            .response
            .on_disabled_hover_text("Choose jobs in the list first");
        });
    });
    if let Some(outcome) = &panel.outcome {
        match outcome {
            Ok(said) => ui.weak(said),
            Err(why) => ui.colored_label(ui.visuals().error_fg_color, why),
        };
    }
}

/// The `New collection` field, its button, and why a name was refused, beside it.
fn new_ui(ui: &mut egui::Ui, panel: &mut CollectionsPanel, commands: &mut Vec<UiCommand>) {
    let label = ui.label("New collection");
    let mut create = false;
    ui.horizontal(|ui| {
        let field = egui::TextEdit::singleline(&mut panel.new_name).hint_text("name").desired_width(120.0);
        let field = ui.add(field).labelled_by(label.id);
        if field.changed() {
            panel.new_error = too_long(&panel.new_name);
        }
        create = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        create |= ui.button("Create").clicked();
    });
    if create {
        match check_collection_name(&panel.new_name) {
            Ok(name) => commands.push(UiCommand::CreateCollection { name }),
            Err(e) => panel.new_error = Some(e.to_string()),
        }
    }
    if let Some(why) = &panel.new_error {
        ui.colored_label(ui.visuals().error_fg_color, why);
    }
}

/// Refuses a name over the limit as it is typed.
fn too_long(name: &str) -> Option<String> {
    match check_collection_name(name) {
        Err(e @ LibraryError::NameTooLong(_)) => Some(e.to_string()),
        _ => None,
    }
}

/// Rename, delete and remove for the collection shown.
fn current_ui(
    ui: &mut egui::Ui,
    panel: &mut CollectionsPanel,
    id: CollectionId,
    cx: &CollectionsCx<'_>,
    commands: &mut Vec<UiCommand>,
) {
    let name = panel.named(id).map(|c| c.name.clone()).unwrap_or_default();
    if let Some(text) = &mut panel.renaming {
        let label = ui.label("Collection name");
        let field = ui.add(egui::TextEdit::singleline(text).desired_width(160.0)).labelled_by(label.id);
        let mut save = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if field.changed() {
            panel.rename_error = too_long(text);
        }
        let mut cancel = false;
        ui.horizontal(|ui| {
            save |= ui.button("Save name").clicked();
            cancel = ui.button("Cancel rename").clicked();
        });
        if save {
            match check_collection_name(text) {
                Ok(name) => commands.push(UiCommand::RenameCollection { id, name }),
                Err(e) => panel.rename_error = Some(e.to_string()),
            }
        }
        if let Some(why) = &panel.rename_error {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        if cancel {
            panel.renaming = None;
            panel.rename_error = None;
        }
    } else if panel.confirm_delete {
        ui.label(format!("Delete “{name}”? Its jobs stay in the library."));
        ui.horizontal(|ui| {
            if ui.button("Yes, delete").clicked() {
                commands.push(UiCommand::DeleteCollection { id });
                panel.confirm_delete = false;
            }
            if ui.button("Keep it").clicked() {
                panel.confirm_delete = false;
            }
        });
    } else {
        ui.horizontal_wrapped(|ui| {
            if ui.button("Rename collection").clicked() {
                panel.renaming = Some(name.clone());
            }
            if ui.button("Delete collection").clicked() {
                panel.confirm_delete = true;
            }
        });
    }
    let remove = ui.add_enabled(cx.any_chosen(), egui::Button::new("Remove from collection"));
    if remove.on_disabled_hover_text("Choose jobs in the list first").clicked() {
        commands.push(UiCommand::RemoveFromCollection { id, jobs: cx.chosen() });
    }
}

#[cfg(test)]
mod tests;
