//! The library in the whole window against the simulator, driven by accessible names: make a
//! collection, put the jobs chosen in the list into it, show only its jobs, and export.

use egui_kittest::kittest::Queryable;
use mjdesk::job::Provider;
use mjdesk::store::Store;

use super::{Fixture, quick_sim, step_until, type_into};

#[test]
fn jobs_chosen_in_the_list_go_into_a_new_collection_that_then_filters_the_list() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);
    for prompt in ["a red fox", "a grey heron", "a blue whale"] {
        type_into(&mut harness, "Prompt", prompt);
        harness.get_by_label("Imagine").click();
        step_until(&mut harness, "the job in the list", |h| h.query_all_by_label(prompt).next().is_some());
        harness.get_by_label("Prompt").focus();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness.key_press(egui::Key::Backspace);
        harness.step();
    }
    let store = Store::open(&f.home().join("data")).unwrap();

    // an empty name is refused beside the field, and nothing is made
    harness.get_by_label("Create").click();
    step_until(&mut harness, "the refusal", |h| h.query_by_label("a collection needs a name").is_some());
    type_into(&mut harness, "New collection", "Birds");
    harness.get_by_label("Create").click();
    step_until(&mut harness, "the new collection", |h| h.query_by_label("Birds (0)").is_some());
    assert_eq!(store.collections().unwrap().len(), 1);

    // the heron, then Ctrl+click the fox
    harness.get_by_label("a grey heron").click();
    harness.step();
    harness.get_by_label("a red fox").click_modifiers(egui::Modifiers::COMMAND);
    harness.step();
    harness.get_by_label("Add to collection").click();
    step_until(&mut harness, "the menu of collections", |h| h.query_by_label("Birds").is_some());
    harness.get_by_label("Birds").click();
    step_until(&mut harness, "the count to follow", |h| h.query_by_label("Birds (2)").is_some());
    let birds = store.collection_named("Birds").unwrap().unwrap();
    let mut held: Vec<String> = store
        .collection_jobs(birds.id)
        .unwrap()
        .into_iter()
        .map(|id| store.get_job(&id).unwrap().unwrap().prompt.unwrap())
        .collect();
    held.sort();
    assert_eq!(held, ["a grey heron", "a red fox"]);

    harness.get_by_label("Birds (2)").click();
    step_until(&mut harness, "the list to show only the collection", |h| {
        h.query_all_by_label("a blue whale").next().is_none() && h.query_all_by_label("a red fox").next().is_some()
    });
    harness.get_by_label("Delete collection").click();
    step_until(&mut harness, "the question", |h| h.query_by_label("Yes, delete").is_some());
    harness.get_by_label("Yes, delete").click();
    step_until(&mut harness, "every job shown again", |h| {
        h.query_by_label("Birds (2)").is_none() && h.query_all_by_label("a blue whale").next().is_some()
    });
    assert!(store.collections().unwrap().is_empty());
    assert_eq!(store.jobs_page(0, 10).unwrap().len(), 3, "the jobs stay");
}

#[test]
fn the_filters_counts_follow_a_like_and_liked_only_shows_it() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);
    type_into(&mut harness, "Prompt", "a wide meadow --ar 16:9");
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "the grid", |h| h.query_all_by_label("U1").next().is_some());

    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Aspect ratio").click();
    step_until(&mut harness, "the aspect ratio's count", |h| h.query_by_label("16:9 (1)").is_some());
    harness.key_press(egui::Key::Escape);
    harness.get_by_role_and_label(egui::accesskit::Role::CheckBox, "Liked only").click();
    step_until(&mut harness, "an empty list", |h| h.query_by_label("No job matches.").is_some());
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Aspect ratio").click();
    step_until(&mut harness, "no aspect ratio among liked jobs", |h| {
        h.query_by_label("any aspect ratio").is_some() && h.query_by_label("16:9 (1)").is_none()
    });
    harness.key_press(egui::Key::Escape);
    harness.step();

    // the view still shows the job: like it, and the list and counts follow
    harness.get_by_label("Like").click();
    step_until(&mut harness, "the liked job in the list", |h| {
        h.query_by_label("No job matches.").is_none()
            && h.query_all_by_label("a wide meadow --ar 16:9").next().is_some()
    });
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Aspect ratio").click();
    step_until(&mut harness, "the count to follow the like", |h| h.query_by_label("16:9 (1)").is_some());
}
