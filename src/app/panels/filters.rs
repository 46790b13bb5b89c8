//! The job list's search and filters: prompt words, status, kind, `Liked only`, `Minimum
//! rating`, `Gateway`, `Aspect ratio`, `Model`, `Mode`, `From` / `To` (calendar days, UTC)
//! and `Collection filter`, all combined. Each choice shows how many jobs it would show with
//! the rest of the filter applied, from the counts the window reads off its thread
//! ([`crate::app::facets`]); nothing here is counted per frame.

use crate::app::command::UiCommand;
use crate::store::{CollectionId, FacetCounts, JobFilter, StatusGroup, mode_label, model_label};

/// The job kinds a designer filters by.
const KINDS: [&str; 8] = ["imagine", "action", "blend", "describe", "seed", "inpaint", "edit", "retexture"];

/// What the filter fields hold as typed.
#[derive(Debug, Default, Clone)]
pub struct FiltersForm {
    /// The search box (sent as the list's filter as it changes).
    pub search: String,
    /// The `From` and `To` days as typed (`2025-03-31`), and why one cannot be read.
    pub from: String,
    pub to: String,
    pub date_error: Option<String>,
}

/// Draws the search box and filters over `current`; asks for the new filter when one changed.
/// `Filters`, or `Filters · 2 on` while some are set (the section starts closed: the list
/// keeps the room).
fn filters_title(current: &JobFilter) -> String {
    let on = [
        current.liked,
        current.min_rating.is_some(),
        current.collection.is_some(),
        current.provider.is_some(),
        current.aspect.is_some(),
        current.model.is_some(),
        current.mode.is_some(),
        current.since.is_some() || current.until.is_some(),
        current.status.is_some(),
        current.kind.is_some(),
    ]
    .into_iter()
    .filter(|on| *on)
    .count();
    if on == 0 { "Filters".to_owned() } else { format!("Filters · {on} on") }
}

pub fn filters_ui(
    ui: &mut egui::Ui,
    form: &mut FiltersForm,
    current: &JobFilter,
    counts: Option<&FacetCounts>,
    commands: &mut Vec<UiCommand>,
) {
    let label = ui.label("Search jobs");
    let search = ui.add(
        egui::TextEdit::singleline(&mut form.search).hint_text("words in the prompt").desired_width(f32::INFINITY),
    );
    let search = search.labelled_by(label.id);
    let mut filter = current.clone();
    if search.changed() {
        filter.text = form.search.clone();
    }
    egui::CollapsingHeader::new(filters_title(current)).id_salt("job filters header").default_open(false).show(
        ui,
        |ui| {
            egui::Grid::new("job filters").num_columns(2).spacing([8.0, 4.0]).show(ui, |ui| {
                menus_ui(ui, &mut filter, counts);
                dates_ui(ui, form, &mut filter);
            });
            if let Some(why) = &form.date_error {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            let cleared = JobFilter { text: filter.text.clone(), ..Default::default() };
            if filter != cleared && ui.button("Clear filters").clicked() {
                filter = cleared;
                form.from.clear();
                form.to.clear();
                form.date_error = None;
            }
        },
    );
    if &filter != current {
        commands.push(UiCommand::Filter(filter));
    }
}

/// How many jobs a count says, or an ellipsis while none is read.
fn n(count: Option<u64>) -> String {
    count.map_or_else(|| "…".to_owned(), |n| n.to_string())
}

fn menus_ui(ui: &mut egui::Ui, filter: &mut JobFilter, counts: Option<&FacetCounts>) {
    let statuses: Vec<(StatusGroup, Option<u64>)> =
        StatusGroup::ALL.into_iter().enumerate().map(|(i, g)| (g, counts.map(|c| c.statuses[i]))).collect();
    menu(ui, "Status", &mut filter.status, "any status", &statuses, |g| g.label().to_owned());
    // the kinds the library has, most first, once counted; until then the usual ones
    let kinds: Vec<(String, Option<u64>)> = match counts {
        Some(c) => some(&c.kinds),
        None => KINDS.into_iter().map(|k| (k.to_owned(), None)).collect(),
    };
    menu(ui, "Kind", &mut filter.kind, "any kind", &kinds, String::clone);

    let label = ui.label("Liked only");
    ui.horizontal(|ui| {
        ui.checkbox(&mut filter.liked, "").labelled_by(label.id);
        ui.weak(n(counts.map(|c| c.liked)));
    });
    ui.end_row();

    let mut stars = filter.min_rating.filter(|s| *s > 0);
    let ratings: Vec<(u8, Option<u64>)> =
        (1..=5u8).map(|s| (s, counts.map(|c| c.min_rating[usize::from(s) - 1]))).collect();
    menu(ui, "Minimum rating", &mut stars, "any rating", &ratings, |s| {
        if *s == 5 { "5 stars".to_owned() } else { format!("{s}+ stars") }
    });
    filter.min_rating = stars;

    let providers = counts.map(|c| some(&c.providers)).unwrap_or_default();
    menu(ui, "Gateway", &mut filter.provider, "any gateway", &providers, |p| p.display_name().to_owned());
    let aspects = counts.map(|c| some(&c.aspects)).unwrap_or_default();
    menu(ui, "Aspect ratio", &mut filter.aspect, "any aspect ratio", &aspects, String::clone);
    let models = counts.map(|c| some(&c.models)).unwrap_or_default();
    menu(ui, "Model", &mut filter.model, "any model", &models, |m| model_label(m.as_deref()));
    let modes = counts.map(|c| some(&c.modes)).unwrap_or_default();
    menu(ui, "Mode", &mut filter.mode, "any mode", &modes, |m| mode_label(m.as_deref()));

    let collections: Vec<(CollectionId, Option<u64>)> =
        counts.map(|c| c.collections.iter().map(|(c, n)| (c.id, Some(*n))).collect()).unwrap_or_default();
    let name = |id: &CollectionId| {
        counts
            .and_then(|c| c.collections.iter().find(|(c, _)| c.id == *id))
            .map_or_else(|| "a collection".to_owned(), |(c, _)| c.name.clone())
    };
    menu(ui, "Collection filter", &mut filter.collection, "any collection", &collections, name);
}

/// Choices with their counts.
fn some<T: Clone>(choices: &[(T, u64)]) -> Vec<(T, Option<u64>)> {
    choices.iter().map(|(k, n)| (k.clone(), Some(*n))).collect()
}

/// One labelled menu (a grid row): `any` first, then each choice with its count.
fn menu<T: Clone + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<T>,
    any: &str,
    choices: &[(T, Option<u64>)],
    name: impl Fn(&T) -> String,
) {
    let label_response = ui.label(label);
    let shown = value.as_ref().map_or_else(|| any.to_owned(), &name);
    egui::ComboBox::from_id_salt(("job filter", label))
        .selected_text(shown)
        .width(150.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, any);
            for (choice, count) in choices {
                let text = match count {
                    Some(n) => format!("{} ({n})", name(choice)),
                    None => name(choice),
                };
                ui.selectable_value(value, Some(choice.clone()), text);
            }
        })
        .response
        .labelled_by(label_response.id);
    ui.end_row();
}

/// `From` and `To`: calendar days, `To` taking in all of its day.
fn dates_ui(ui: &mut egui::Ui, form: &mut FiltersForm, filter: &mut JobFilter) {
    let mut changed = false;
    for (label, text) in [("From", &mut form.from), ("To", &mut form.to)] {
        let l = ui.label(label);
        let field = egui::TextEdit::singleline(text).hint_text("YYYY-MM-DD").desired_width(150.0);
        changed |= ui.add(field).labelled_by(l.id).changed();
        ui.end_row();
    }
    if !changed {
        return;
    }
    let day = |label: &str, text: &str, read: fn(&str) -> Option<i64>| match text.trim() {
        "" => Ok(None),
        t => read(t).map(Some).ok_or_else(|| format!("{label}: write a day as YYYY-MM-DD, such as 2025-03-31")),
    };
    match (day("From", &form.from, crate::dates::day_start), day("To", &form.to, crate::dates::day_end)) {
        (Ok(since), Ok(until)) => {
            form.date_error = None;
            (filter.since, filter.until) = (since, until);
        }
        (Err(e), _) | (_, Err(e)) => form.date_error = Some(e),
    }
}

#[cfg(test)]
mod tests;
