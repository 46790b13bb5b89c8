use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::*;
use crate::app::selection::Click;
use crate::app::state::AppState;
use crate::job::{Job, JobRequest, Provider, SubmitOptions};

/// The panel, the list's filter, the jobs chosen, the job shown, and what it asked for; a
/// filter it asks for is applied as the window applies it.
struct S {
    panel: CollectionsPanel,
    filter: JobFilter,
    selection: Selection,
    focused: Option<String>,
    commands: Vec<UiCommand>,
}

fn collection(id: i64, name: &str, jobs: u64) -> Collection {
    Collection { id: CollectionId(id), name: name.into(), jobs, created_at: 0 }
}

fn harness(collections: Vec<Collection>) -> Harness<'static, S> {
    let panel = CollectionsPanel { collections, ..Default::default() };
    let state =
        S { panel, filter: JobFilter::default(), selection: Selection::default(), focused: None, commands: vec![] };
    Harness::new_ui_state(
        |ui, s: &mut S| {
            let cx = CollectionsCx { filter: &s.filter, selection: &s.selection, focused: s.focused.as_deref() };
            collections_ui(ui, &mut s.panel, &cx, &mut s.commands);
            if let Some(UiCommand::Filter(f)) = s.commands.last() {
                s.filter = f.clone();
            }
        },
        state,
    )
}

fn type_name(h: &mut Harness<'static, S>, label: &str, text: &str) {
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, label).focus();
    h.run_steps(1);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, label).type_text(text);
    h.run_steps(2);
}

#[test]
fn a_name_empty_or_over_100_characters_is_refused_beside_the_field() {
    let mut h = harness(vec![]);
    h.run_steps(2);
    h.get_by_label("Create").click();
    h.run_steps(2);
    assert!(h.state().commands.is_empty(), "nothing asked of the store");
    let line = h.get_by_label("a collection needs a name");
    let field = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "New collection").rect();
    assert!(line.rect().top() >= field.bottom() - 1.0 && line.rect().top() - field.bottom() < 30.0, "under the field");

    type_name(&mut h, "New collection", &"x".repeat(101));
    assert!(
        h.query_by_label("a collection name is at most 100 characters; this one has 101").is_some(),
        "said as typed"
    );
    h.get_by_label("Create").click();
    h.run_steps(2);
    assert!(h.state().commands.is_empty());
}

#[test]
fn create_asks_the_store_and_its_answer_shows_beside_the_field() {
    let mut h = harness(vec![]);
    h.run_steps(2);
    type_name(&mut h, "New collection", "  Moodboard ");
    h.get_by_label("Create").click();
    h.run_steps(2);
    assert_eq!(h.state().commands, vec![UiCommand::CreateCollection { name: "Moodboard".into() }]);
    h.state_mut().panel.heard(Change::Create, Err(LibraryError::NameTaken("moodboard".into())));
    h.run_steps(2);
    let taken = "there is already a collection named “moodboard” (names are the same whatever their case)";
    assert!(h.query_by_label(taken).is_some());
    assert_eq!(h.state().panel.new_name, "  Moodboard ", "kept, to be changed");
    h.state_mut().panel.heard(Change::Create, Ok("made “Moodboard”".into()));
    h.run_steps(2);
    assert!(h.query_by_label(taken).is_none());
    assert_eq!(h.state().panel.new_name, "");
}

#[test]
fn a_click_shows_a_collection_and_rename_and_delete_act_on_it() {
    let mut h = harness(vec![collection(1, "Birds", 3), collection(2, "Cats", 0)]);
    h.run_steps(2);
    assert!(h.query_by_label("Rename collection").is_none(), "no collection shown yet");
    h.get_by_label("Birds (3)").click();
    h.run_steps(2);
    assert_eq!(h.state().filter.collection, Some(CollectionId(1)));

    h.get_by_label("Rename collection").click();
    h.run_steps(2);
    let field = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Collection name");
    assert_eq!(field.value().as_deref(), Some("Birds"));
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Collection name").type_text("Herons");
    h.run_steps(1);
    h.get_by_label("Save name").click();
    h.run_steps(2);
    assert_eq!(
        h.state().commands.last(),
        Some(&UiCommand::RenameCollection { id: CollectionId(1), name: "Herons".into() })
    );

    h.state_mut().panel.heard(Change::Rename, Ok("renamed".into()));
    h.run_steps(2);
    h.get_by_label("Delete collection").click();
    h.run_steps(2);
    assert!(!matches!(h.state().commands.last(), Some(UiCommand::DeleteCollection { .. })), "it asks first");
    h.get_by_label("Keep it").click();
    h.run_steps(2);
    h.get_by_label("Delete collection").click();
    h.run_steps(2);
    h.get_by_label("Yes, delete").click();
    h.run_steps(2);
    assert_eq!(h.state().commands.last(), Some(&UiCommand::DeleteCollection { id: CollectionId(1) }));

    h.get_by_label("All jobs").click();
    h.run_steps(2);
    assert_eq!(h.state().filter.collection, None);
}

#[test]
fn add_and_remove_take_the_jobs_chosen_in_the_list() {
    let jobs: Vec<Job> = ["a fox", "a whale", "a heron"]
        .map(|p| {
            Job::new(Provider::Ttapi, "http://x", JobRequest::Imagine { prompt: p.into() }, SubmitOptions::default())
        })
        .into();
    let state = AppState::new("sim".into(), 10, jobs.clone());
    let mut h = harness(vec![collection(1, "Birds", 0), collection(2, "Sea", 0)]);
    h.run_steps(2);
    assert!(h.get_by_label("Add to collection").accesskit_node().is_disabled(), "no job chosen");
    let mut selection = Selection::default();
    selection.click(&state.list, 1, &jobs[1].id, Click::default());
    selection.click(&state.list, 2, &jobs[2].id, Click { toggle: true, range: false });
    h.state_mut().selection = selection;
    h.run_steps(2);
    h.get_by_label("Add to collection").click();
    h.run_steps(2);
    h.get_by_label("Sea").click();
    h.run_steps(2);
    let mut want = vec![jobs[1].id.clone(), jobs[2].id.clone()];
    want.sort();
    assert_eq!(
        h.state().commands.last(),
        Some(&UiCommand::AddToCollection { id: CollectionId(2), jobs: want.clone() })
    );

    h.get_by_label("Sea (0)").click();
    h.run_steps(2);
    h.get_by_label("Remove from collection").click();
    h.run_steps(2);
    assert_eq!(h.state().commands.last(), Some(&UiCommand::RemoveFromCollection { id: CollectionId(2), jobs: want }));
    h.state_mut().panel.heard(Change::Remove, Err(LibraryError::NoSuchCollection("#2".into())));
    h.run_steps(2);
    assert!(h.query_by_label("there is no collection named “#2”").is_some());

    // with nothing chosen, the job the view shows is the one taken
    h.state_mut().selection = Selection::default();
    h.state_mut().focused = Some(jobs[0].id.clone());
    h.run_steps(2);
    h.get_by_label("Remove from collection").click();
    h.run_steps(2);
    assert_eq!(
        h.state().commands.last(),
        Some(&UiCommand::RemoveFromCollection { id: CollectionId(2), jobs: vec![jobs[0].id.clone()] })
    );
}
