use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;
use crate::job::Provider;
use crate::store::Collection;

/// The filters over a list filter, the counts, and what they asked for (applied as the
/// window applies it).
struct S {
    form: FiltersForm,
    filter: JobFilter,
    counts: Option<FacetCounts>,
    asked: usize,
}

fn counts() -> FacetCounts {
    FacetCounts {
        total: 9,
        statuses: [1, 7, 1],
        kinds: vec![("imagine".into(), 6), ("action".into(), 3)],
        liked: 4,
        min_rating: [6, 5, 3, 2, 1],
        providers: vec![(Provider::Ttapi, 7), (Provider::Acedata, 2), (Provider::Vtrix, 0)],
        aspects: vec![("16:9".into(), 5), ("1:1".into(), 4)],
        models: vec![(Some("7".into()), 6), (None, 3)],
        modes: vec![(Some("relax".into()), 8), (None, 1)],
        collections: vec![(Collection { id: CollectionId(4), name: "Birds".into(), jobs: 3, created_at: 0 }, 2)],
    }
}

/// The filters with their section opened (it starts closed).
fn harness(counts: Option<FacetCounts>) -> Harness<'static, S> {
    let mut h = Harness::new_ui_state(
        |ui, s: &mut S| {
            let mut commands = Vec::new();
            filters_ui(ui, &mut s.form, &s.filter, s.counts.as_ref(), &mut commands);
            for c in commands {
                if let UiCommand::Filter(f) = c {
                    s.filter = f;
                    s.asked += 1;
                }
            }
        },
        S { form: FiltersForm::default(), filter: JobFilter::default(), counts, asked: 0 },
    );
    h.run();
    h.get_by_label("Filters").click();
    h.run();
    h
}

/// Opens the menu labelled `menu` and picks `choice`.
fn pick(h: &mut Harness<'static, S>, menu: &str, choice: &str) {
    h.get_by_role_and_label(Role::ComboBox, menu).click();
    h.run_steps(2);
    h.get_by_label(choice).click();
    h.run_steps(2);
}

#[test]
fn every_menu_shows_its_counts_and_the_choices_combine() {
    let mut h = harness(Some(counts()));
    h.run_steps(2);
    assert_eq!(h.state().asked, 0, "drawing asks for nothing");
    h.get_by_role_and_label(Role::CheckBox, "Liked only").click();
    h.run_steps(2);
    assert!(h.state().filter.liked);
    assert!(h.query_by_label("4").is_some(), "the liked count beside it");
    pick(&mut h, "Minimum rating", "4+ stars (2)");
    pick(&mut h, "Gateway", "TTAPI (7)");
    pick(&mut h, "Aspect ratio", "16:9 (5)");
    pick(&mut h, "Model", "default version (3)");
    pick(&mut h, "Mode", "relax (8)");
    pick(&mut h, "Collection filter", "Birds (2)");
    pick(&mut h, "Status", "succeeded (7)");
    pick(&mut h, "Kind", "action (3)");
    assert_eq!(
        (h.state().filter.status, h.state().filter.kind.as_deref()),
        (Some(StatusGroup::Succeeded), Some("action"))
    );
    let f = &h.state().filter;
    assert_eq!(
        (f.min_rating, f.provider, f.aspect.as_deref(), f.model.clone(), f.mode.clone(), f.collection),
        (Some(4), Some(Provider::Ttapi), Some("16:9"), Some(None), Some(Some("relax".into())), Some(CollectionId(4)))
    );
    assert!(f.liked, "the earlier choices stay");
    // with the search words
    h.get_by_role_and_label(Role::TextInput, "Search jobs").focus();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Search jobs").type_text("fox");
    h.run_steps(2);
    assert_eq!((h.state().filter.text.as_str(), h.state().filter.provider), ("fox", Some(Provider::Ttapi)));
    h.get_by_label("Clear filters").click();
    h.run_steps(2);
    assert_eq!(h.state().filter, JobFilter { text: "fox".into(), ..Default::default() }, "the words stay");
}

#[test]
fn menus_wait_for_their_counts_without_failing() {
    let mut h = harness(None);
    h.run_steps(2);
    assert!(h.query_by_label("…").is_some(), "the liked count is not read yet");
    h.get_by_role_and_label(Role::ComboBox, "Gateway").click();
    h.run_steps(2);
    assert!(h.query_by_label("any gateway").is_some());
}

#[test]
fn dates_take_whole_days_and_a_bad_one_is_said_beside_them() {
    let mut h = harness(Some(counts()));
    h.run_steps(2);
    let type_in = |h: &mut Harness<'static, S>, label: &str, text: &str| {
        h.get_by_role_and_label(Role::TextInput, label).focus();
        h.run_steps(1);
        h.get_by_role_and_label(Role::TextInput, label).type_text(text);
        h.run_steps(2);
    };
    type_in(&mut h, "From", "2025-03-01");
    type_in(&mut h, "To", "2025-03-31");
    let f = &h.state().filter;
    assert_eq!((f.since, f.until), (crate::dates::day_start("2025-03-01"), crate::dates::day_end("2025-03-31")));
    assert_eq!(f.until.unwrap() - f.since.unwrap(), 31 * 86_400_000, "To takes in all of its day");
    let asked = h.state().asked;
    h.get_by_role_and_label(Role::TextInput, "To").focus();
    h.run_steps(1);
    h.key_press(egui::Key::Backspace);
    h.key_press(egui::Key::Backspace);
    h.run_steps(1);
    type_in(&mut h, "To", "32");
    let line = h.get_by_label("To: write a day as YYYY-MM-DD, such as 2025-03-31");
    let to = h.get_by_role_and_label(Role::TextInput, "To").rect();
    assert!(line.rect().top() >= to.bottom() - 1.0 && line.rect().top() - to.bottom() < 30.0, "right under the dates");
    assert_eq!(h.state().asked, asked, "the list keeps its filter");
}
