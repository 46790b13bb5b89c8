//! The library in the whole window against the simulator, driven by accessible names: make a
//! collection, put the jobs chosen in the list into it, show only its jobs, and export.

use egui_kittest::kittest::{NodeT, Queryable};
use mjdesk::job::Provider;
use mjdesk::store::Store;

use super::{Fixture, quick_sim, step_until, type_into};

#[test]
fn jobs_chosen_in_the_list_go_into_a_new_collection_that_then_filters_the_list() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);
    imagine_each(&mut harness, &["a red fox", "a grey heron", "a blue whale"]);
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

    // the filters' section starts closed, leaving the list its room
    assert!(harness.query_by_label("Liked only").is_none());
    harness.get_by_label("Filters").click();
    harness.step();
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Aspect ratio").click();
    step_until(&mut harness, "the aspect ratio's count", |h| h.query_by_label("16:9 (1)").is_some());
    harness.key_press(egui::Key::Escape);
    harness.get_by_role_and_label(egui::accesskit::Role::CheckBox, "Liked only").click();
    step_until(&mut harness, "an empty list", |h| h.query_by_label("No job matches.").is_some());
    harness.get_by_label("Filters · 1 on");
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

/// The list's search box.
const SEARCH: (egui::accesskit::Role, &str) = (egui::accesskit::Role::TextInput, "Search jobs");

/// Exports what the list has chosen (or shows) into `folder`, which then holds exactly
/// `job`'s images, each with its sidecar.
fn exports_only(
    harness: &mut egui_kittest::Harness<'_, mjdesk::app::MjdeskApp>,
    folder: std::path::PathBuf,
    job: &mjdesk::job::Job,
) {
    harness.state_mut().command(mjdesk::app::command::UiCommand::Export { folder: Some(folder.clone()) });
    let images = job.result_images().len();
    let said = format!("Exported {images} image(s) of 1 job(s) to {}", folder.display());
    step_until(harness, "the export to end", |h| h.query_by_label(&said).is_some());
    let files = files_in(&folder);
    assert_eq!(files.len(), 2 * images, "{files:?}");
    assert!(files.iter().all(|n| n.contains(&job.id[..8])), "{files:?}");
}

/// Waits until every job in the store has ended with its images kept here.
fn all_downloaded(harness: &mut egui_kittest::Harness<'_, mjdesk::app::MjdeskApp>, store: &Store, jobs: usize) {
    step_until(harness, "the jobs' images", |_| {
        let all = store.jobs_page(0, 50).unwrap();
        all.len() == jobs && all.iter().all(|j| j.settled() && j.result_images().iter().all(|i| i.local_path.is_some()))
    });
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn export_writes_the_chosen_jobs_or_the_list_and_says_a_folder_it_cannot_write() {
    use mjdesk::app::command::UiCommand;
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);
    let store = Store::open(&f.home().join("data")).unwrap();
    imagine_each(&mut harness, &["a red fox", "a grey heron"]);
    all_downloaded(&mut harness, &store, 2);
    let jobs = store.jobs_page(0, 10).unwrap();
    let fox = jobs.iter().find(|j| j.prompt.as_deref() == Some("a red fox")).unwrap();
    let images = |j: &mjdesk::job::Job| j.result_images().len();

    // one job chosen: only it
    harness.get_by_label("a red fox").click();
    harness.step();
    exports_only(&mut harness, f.home().join("out"), fox);

    // a search drops the choice (what is chosen is what the list shows): Export then takes
    // the one job the list shows
    let heron = jobs.iter().find(|j| j.prompt.as_deref() == Some("a grey heron")).unwrap();
    harness.get_by_role_and_label(SEARCH.0, SEARCH.1).focus();
    harness.step();
    harness.get_by_role_and_label(SEARCH.0, SEARCH.1).type_text("heron");
    step_until(&mut harness, "the choice to go", |h| h.query_by_label("Clear selection").is_none());
    exports_only(&mut harness, f.home().join("found"), heron);
    harness.get_by_role_and_label(SEARCH.0, SEARCH.1).focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    let fox_row = (egui::accesskit::Role::Button, "a red fox");
    step_until(&mut harness, "both jobs again", |h| h.query_by_role_and_label(fox_row.0, fox_row.1).is_some());

    // nothing chosen: every job the list shows
    harness.get_by_role_and_label(fox_row.0, fox_row.1).click();
    step_until(&mut harness, "the fox chosen", |h| h.query_by_label("Clear selection").is_some());
    harness.get_by_label("Clear selection").click();
    harness.step();
    let all = f.home().join("all");
    harness.state_mut().command(UiCommand::Export { folder: Some(all.clone()) });
    let total: usize = jobs.iter().map(images).sum();
    let said = format!("Exported {total} image(s) of 2 job(s) to {}", all.display());
    step_until(&mut harness, "the second export to end", |h| h.query_by_label(&said).is_some());
    assert_eq!(files_in(&all).len(), 2 * total);

    // a folder that cannot be written: one line in the panel, nothing written
    std::fs::write(f.home().join("notes.txt"), "mine").unwrap();
    let blocked = f.home().join("notes.txt").join("out");
    harness.state_mut().command(UiCommand::Export { folder: Some(blocked.clone()) });
    let said = format!("cannot write to the folder {}: a file is in the way of the folder", blocked.display());
    step_until(&mut harness, "the refusal", |h| h.query_by_label(&said).is_some());
    assert_eq!(std::fs::read_to_string(f.home().join("notes.txt")).unwrap(), "mine");
    assert!(!harness.get_by_label("Export").accesskit_node().is_disabled(), "Export can run again");

    // Ctrl+E asks the desktop for a folder without the window waiting on it (where there is
    // no file dialog at all, as on a bare CI machine, it says so and what to install)
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    step_until(&mut harness, "the folder dialog to be asked", |h| {
        h.query_by_label("choose a folder…").is_some()
            || h.query_by_label("Export: no folder chosen").is_some()
            || h.query_by_label("Export: no file dialog here (install xdg-desktop-portal-gtk or zenity)").is_some()
    });
}

/// Imagines each prompt in turn, waiting for each job to show in the list and clearing the
/// box between them.
fn imagine_each(harness: &mut egui_kittest::Harness<'_, mjdesk::app::MjdeskApp>, prompts: &[&str]) {
    for prompt in prompts {
        type_into(harness, "Prompt", prompt);
        harness.get_by_label("Imagine").click();
        step_until(harness, "the job in the list", |h| h.query_all_by_label(prompt).next().is_some());
        harness.get_by_label("Prompt").focus();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness.key_press(egui::Key::Backspace);
        harness.step();
    }
}

#[test]
fn a_collection_change_sent_just_before_a_reconnect_is_answered_after_it() {
    use mjdesk::app::command::UiCommand;
    use mjdesk::app::settings_form::{GatewayChoice, SettingsForm};
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Ttapi);
    imagine_each(&mut harness, &["a red fox"]);
    let store = Store::open(&f.home().join("data")).unwrap();
    let birds = store.create_collection("Birds").unwrap();
    let fox = store.jobs_page(0, 1).unwrap().remove(0).id;
    let same_gateway = SettingsForm {
        gateway: GatewayChoice::Gateway(Provider::Ttapi),
        base_url: server.base_url(),
        api_key: server.api_key().to_owned(),
        ..Default::default()
    };
    harness.state_mut().command(UiCommand::Select { job_id: fox.clone() });
    step_until(&mut harness, "the fox open", |h| h.query_by_label("Like").is_some());
    // in one pass: the answers come after the engine they went through was replaced
    harness.state_mut().command(UiCommand::AddToCollection { id: birds.id, jobs: vec![fox.clone()] });
    harness.state_mut().command(UiCommand::ToggleLike { job_id: fox });
    harness.state_mut().command(UiCommand::SaveSettings(Box::new(same_gateway)));
    step_until(&mut harness, "the change's answer", |h| h.query_by_label("added 1 job(s) (0 already in it)").is_some());
    step_until(&mut harness, "the count", |h| h.query_by_label("Birds (1)").is_some());
    step_until(&mut harness, "the like shown", |h| {
        h.get_by_label("Like").accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
    });
}
