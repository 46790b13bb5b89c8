//! The job list over the whole history: search and filters on top, then one row per job,
//! newest first. Only the visible rows are laid out; each row is one control (named by its
//! title: the action label first for a follow-up) drawn with a thumbnail, progress, status,
//! age and cost.

use egui::{Align2, Color32, FontId, Rect, Sense, Vec2};

use crate::app::command::UiCommand;
use crate::app::panels::export_bar;
use crate::app::panels::filters::{FiltersForm, filters_ui};
use crate::app::selection::{Click, Selection};
use crate::app::state::{AppState, Engine, JobRow};
use crate::job::{JobKind, JobStatus, now_ms};
use crate::store::{JobFilter, JobSummary};

const ROW_HEIGHT: f32 = 64.0;
const THUMB: f32 = 52.0;

/// The list's own state: the search box, the rows in view, the jobs chosen, and a pending
/// jump to the top.
#[derive(Debug, Default, Clone)]
pub struct JobsPanel {
    /// The jobs chosen (click, Ctrl+click, Shift+click); the job view shows the one clicked.
    pub selection: Selection,
    /// The search box and the filters' fields as typed.
    pub filters: FiltersForm,
    /// The rows the list shows now (set while drawing; the pages around them are read).
    pub visible_rows: std::ops::Range<u64>,
    /// Set when the list should bring its top into view (a new job).
    pub scroll_to_top: bool,
}

pub fn jobs_panel_ui(ui: &mut egui::Ui, panel: &mut JobsPanel, state: &AppState, commands: &mut Vec<UiCommand>) {
    ui.add_space(4.0);
    filters_ui(ui, &mut panel.filters, state.list.filter(), state.facets.counts(), commands);
    let total = state.list.total();
    ui.horizontal(|ui| {
        ui.heading("Jobs");
        match total {
            Some(n) => ui.weak(format!("{n}")),
            None => ui.weak("…"),
        };
        if !panel.selection.is_empty() {
            ui.weak(format!("· {} selected", panel.selection.len()));
            if ui.small_button("Clear selection").clicked() {
                panel.selection.clear();
            }
        }
    });
    export_bar::export_bar_ui(ui, &state.export, panel.selection.len(), commands);
    match (&state.engine, total) {
        (Engine::Connecting, _) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("connecting…");
            });
            return;
        }
        (Engine::Failed(_), _) => return,
        (Engine::Ready, Some(0)) if state.list.filter() == &JobFilter::default() => {
            ui.weak("No jobs yet. Type a prompt above and press Imagine.");
            return;
        }
        (Engine::Ready, Some(0)) => {
            ui.weak("No job matches.");
            return;
        }
        _ => {}
    }
    for problem in &state.list.unreadable {
        ui.colored_label(ui.visuals().warn_fg_color, egui::RichText::new(problem).small());
    }
    let rows = total.unwrap_or(0) as usize;
    let mut area = egui::ScrollArea::vertical().auto_shrink([false, false]);
    if std::mem::take(&mut panel.scroll_to_top) {
        area = area.vertical_scroll_offset(0.0);
    }
    area.show_rows(ui, ROW_HEIGHT, rows, |ui, range| {
        panel.visible_rows = range.start as u64..range.end as u64;
        for index in range {
            match state.list.row(index as u64) {
                Some(job) => {
                    let focused = state.selected.as_deref() == Some(job.id.as_str());
                    let chosen = panel.selection.contains(&job.id) || (focused && panel.selection.is_empty());
                    let highlighted = state.highlight.as_deref() == Some(job.id.as_str());
                    if row_ui(ui, job, Look { chosen, focused, highlighted }).clicked() {
                        let how = ui.input(|i| Click { toggle: i.modifiers.command, range: i.modifiers.shift });
                        if let Some(rows) = panel.selection.click(&state.list, index as u64, &job.id, how) {
                            commands.push(UiCommand::ChooseRows { filter: state.list.filter().clone(), rows });
                        }
                        commands.push(UiCommand::Select { job_id: job.id.clone() });
                    }
                }
                None => {
                    ui.allocate_exact_size(Vec2::new(ui.available_width(), ROW_HEIGHT), Sense::hover());
                }
            }
        }
    });
}

/// How a row stands out.
#[derive(Debug, Clone, Copy)]
struct Look {
    /// Among the jobs chosen.
    chosen: bool,
    /// The job the job view shows.
    focused: bool,
    /// A follow-up just made from the open job.
    highlighted: bool,
}

/// One row: a single clickable control named by the row's title, its parts painted inside.
fn row_ui(ui: &mut egui::Ui, job: &JobSummary, look: Look) -> egui::Response {
    let Look { chosen: selected, focused, highlighted } = look;
    let row = JobRow::of(job);
    let (rect, response) = ui.allocate_exact_size(Vec2::new(ui.available_width(), ROW_HEIGHT), Sense::click());
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &row.title));
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let visuals = ui.visuals().clone();
    let painter = ui.painter_at(rect);
    let fill = if selected {
        visuals.selection.bg_fill
    } else if highlighted {
        visuals.selection.bg_fill.gamma_multiply(0.45)
    } else if response.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        Color32::TRANSPARENT
    };
    painter.rect_filled(rect.shrink(1.0), 4.0, fill);
    if focused {
        let stroke = egui::Stroke::new(1.5, visuals.selection.stroke.color);
        painter.rect_stroke(rect.shrink(1.5), 4.0, stroke, egui::StrokeKind::Inside);
    }
    let thumb_rect = Rect::from_min_size(rect.min + Vec2::new(6.0, (ROW_HEIGHT - THUMB) / 2.0), Vec2::splat(THUMB));
    thumbnail_ui(ui, job, thumb_rect);
    let left = thumb_rect.right() + 8.0;
    let right = rect.right() - 6.0;
    let text_color = if selected { visuals.selection.stroke.color } else { visuals.text_color() };
    let title_job = title_layout(ui.style(), &row.title, right - left, selected.then_some(text_color));
    let title = ui.fonts_mut(|f| f.layout_job(title_job));
    let title_pos = egui::pos2(left, rect.top() + 5.0);
    painter
        .with_clip_rect(Rect::from_min_max(title_pos, egui::pos2(right, title_pos.y + 17.0)))
        .galley(title_pos, title, text_color);
    let mid = rect.top() + 32.0;
    let small = FontId::proportional(11.5);
    match row.progress {
        Some(p) => {
            let bar = Rect::from_min_max(egui::pos2(left, mid - 6.0), egui::pos2(right, mid + 6.0));
            painter.rect_filled(bar, 3.0, visuals.extreme_bg_color);
            let mut done = bar;
            done.set_right(bar.left() + bar.width() * p);
            painter.rect_filled(done, 3.0, visuals.selection.bg_fill);
            painter.text(bar.center(), Align2::CENTER_CENTER, &row.status, small.clone(), visuals.strong_text_color());
        }
        None => {
            // (red on the selection's blue could hardly be read; "Failed:" still says it)
            let color = match (row.failed, selected) {
                (true, true) => text_color,
                (true, false) => visuals.error_fg_color,
                (false, _) => visuals.weak_text_color(),
            };
            let status = painter.layout(row.status.clone(), small.clone(), color, right - left);
            painter
                .with_clip_rect(Rect::from_min_max(egui::pos2(left, mid - 8.0), egui::pos2(right, mid + 8.0)))
                .galley(egui::pos2(left, mid - 7.0), status, color);
        }
    }
    let meta = meta_line(job, now_ms());
    painter.text(egui::pos2(left, rect.bottom() - 8.0), Align2::LEFT_BOTTOM, meta, small, visuals.weak_text_color());
    painter.hline(rect.x_range(), rect.bottom() - 0.5, visuals.widgets.noninteractive.bg_stroke);
    response
}

/// A row's title as Midjourney syntax in monospace (`--ar` reads as two dashes, not an en
/// dash), one line; `plain` recolours the plain text (a selected row).
fn title_layout(style: &egui::Style, title: &str, width: f32, plain: Option<Color32>) -> egui::text::LayoutJob {
    let mut job = crate::app::panels::prompt::prompt_layout_job(style, title, width);
    job.wrap.max_rows = 1;
    if let Some(color) = plain {
        for section in &mut job.sections {
            if section.format.color == style.visuals.text_color() {
                section.format.color = color;
            }
        }
    }
    job
}

fn thumbnail_ui(ui: &egui::Ui, job: &JobSummary, rect: Rect) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
    let Some(first) = job.images.first() else { return };
    // The thumbnail written beside the image; a result kept before thumbnails existed has
    // none, which the loader finds out off this thread, and the image itself is shown.
    let thumb = format!("file://{}", crate::thumbs::thumb_path(first).display());
    // Asked as the texture the image below draws (same URI and options): once it is
    // uploaded, this is a cache hit, and the decoded pixels need not be kept.
    let uri = match ui.ctx().try_load_texture(&thumb, egui::TextureOptions::default(), egui::SizeHint::default()) {
        Err(_) => format!("file://{}", first.display()),
        Ok(_) => thumb,
    };
    crate::app::image_lru::touch(ui.ctx(), &uri, crate::app::image_lru::Class::Thumb);
    egui::Image::new(uri)
        .fit_to_exact_size(rect.size())
        .maintain_aspect_ratio(true)
        .corner_radius(4.0)
        .paint_at(ui, rect);
}

/// The row's last line: kind, age (or time running), cost, and the like and rating.
pub fn meta_line(job: &JobSummary, now: i64) -> String {
    let kind = match &job.kind {
        JobKind::Action { .. } => "action".to_owned(),
        k => k.label().to_owned(),
    };
    let time = match (&job.status, job.submitted_at, job.finished_at) {
        (s, Some(start), None) if !s.is_terminal() && !matches!(s, JobStatus::Unknown { .. }) => {
            format!("running {}", duration((now - start).max(0)))
        }
        _ => format!("{} ago", duration((now - job.created_at).max(0))),
    };
    let mut line = match &job.quota {
        Some(q) if !q.trim().is_empty() => {
            format!("{kind} · {time} · cost {}", crate::textsafe::one_line(q).into_owned())
        }
        _ => format!("{kind} · {time}"),
    };
    if job.liked {
        line.push_str(" · liked");
    }
    if let Some(r) = job.rating {
        line.push_str(&format!(" · {r} of 5"));
    }
    line
}

/// `ms` as a short human duration: 12 s, 4 min, 3 h, 2 d.
fn duration(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{Job, JobRequest, Provider, SubmitOptions};
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    fn job(prompt: &str, status: JobStatus) -> Job {
        let mut j = Job::new(
            Provider::Ttapi,
            "http://x",
            JobRequest::Imagine { prompt: prompt.into() },
            SubmitOptions::default(),
        );
        j.status = status;
        j
    }

    type S = (AppState, Vec<UiCommand>, JobsPanel);

    /// The panel over `state`; a filter it asks for is applied as the window applies it.
    fn harness(state: AppState) -> Harness<'static, S> {
        // tall enough for the filters and four rows
        Harness::builder().with_size(egui::vec2(420.0, 1000.0)).build_ui_state(
            |ui, (state, cmds, panel): &mut S| {
                jobs_panel_ui(ui, panel, state, cmds);
                if let Some(UiCommand::Filter(filter)) = cmds.last().cloned() {
                    state.list.set_filter(filter);
                }
            },
            (state, Vec::new(), JobsPanel::default()),
        )
    }

    #[test]
    fn clicking_a_job_row_selects_it() {
        let jobs =
            vec![job("a red fox", JobStatus::Running { progress: 30 }), job("a blue whale", JobStatus::Succeeded)];
        let whale = jobs[1].id.clone();
        let mut harness = harness(AppState::new("sim".into(), 10, jobs));
        harness.run_steps(2);
        harness.get_by_label("a blue whale").click();
        harness.run_steps(2);
        assert_eq!(harness.state().1.last(), Some(&UiCommand::Select { job_id: whale }));
    }

    #[test]
    fn click_ctrl_click_and_shift_click_choose_jobs_and_the_view_follows_the_click() {
        let jobs: Vec<Job> = ["a fox", "a whale", "a heron", "a crab"].map(|p| job(p, JobStatus::Succeeded)).into();
        let id = |n: usize| jobs[n].id.clone();
        let mut harness = harness(AppState::new("sim".into(), 10, jobs.clone()));
        harness.run_steps(2);
        let chosen = |h: &Harness<'static, S>| {
            let mut want: Vec<String> = h.state().2.selection.ids();
            want.sort();
            want
        };
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        harness.get_by_label("a whale").click();
        harness.run_steps(2);
        assert_eq!(chosen(&harness), vec![id(1)]);
        harness.get_by_label("a crab").click_modifiers(egui::Modifiers::COMMAND);
        harness.run_steps(2);
        assert_eq!(chosen(&harness), sorted(vec![id(1), id(3)]));
        assert_eq!(harness.state().1.last(), Some(&UiCommand::Select { job_id: id(3) }), "the view shows the click");
        harness.get_by_label("a fox").click_modifiers(egui::Modifiers::SHIFT);
        harness.run_steps(2);
        assert_eq!(chosen(&harness), sorted(vec![id(0), id(1), id(2), id(3)]), "from the crab (the anchor) up");
        harness.get_by_label("a whale").click_modifiers(egui::Modifiers::COMMAND);
        harness.run_steps(2);
        assert_eq!(chosen(&harness), sorted(vec![id(0), id(2), id(3)]));
        // the rows say they are chosen
        let on = |h: &Harness<'static, S>, label: &str| h.get_by_label(label).accesskit_node().toggled();
        assert_eq!(on(&harness, "a heron"), Some(egui::accesskit::Toggled::True));
        assert_eq!(on(&harness, "a whale"), Some(egui::accesskit::Toggled::False));
        assert!(harness.query_by_label("· 3 selected").is_some());
        harness.get_by_label("Clear selection").click();
        harness.run_steps(2);
        assert!(harness.state().2.selection.is_empty());
    }

    #[test]
    fn a_follow_up_row_is_named_by_its_action_then_its_prompt() {
        let req = JobRequest::Action { parent: crate::job::ParentRef::job("g1"), action: "upsample1".into() };
        let mut child = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        child.prompt = Some("a cabin by a lake".into());
        let mut harness = harness(AppState::new("sim".into(), 10, vec![child]));
        harness.run_steps(2);
        let row = harness.get_by_label("U1 · a cabin by a lake");
        assert!(row.accesskit_node().label().is_some());
    }

    #[test]
    fn typing_in_search_filters_the_list_by_prompt() {
        let mut harness = harness(AppState::new("sim".into(), 10, vec![job("a red fox", JobStatus::Succeeded)]));
        harness.run_steps(2);
        harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Search jobs").focus();
        harness.run_steps(1);
        harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Search jobs").type_text("whale");
        harness.run_steps(2);
        assert_eq!(harness.state().0.list.filter().text, "whale");
        assert_eq!(harness.state().0.list.total(), None, "the list reads itself again for the new search");
    }

    #[test]
    fn row_titles_are_monospace_with_parameters_coloured() {
        let style = egui::Style::default();
        let job = title_layout(&style, "U1 · a fox --ar 3:2", 200.0, None);
        assert!(job.sections.iter().all(|s| s.format.font_id.family == egui::FontFamily::Monospace));
        let colours: std::collections::HashSet<_> = job.sections.iter().map(|s| s.format.color).collect();
        assert!(colours.len() >= 2, "parameters stand out from the text");
        assert_eq!(job.wrap.max_rows, 1);
    }

    #[test]
    fn meta_line_says_age_or_running_time_and_cost() {
        let mut j = job("p", JobStatus::Succeeded);
        j.created_at = 1_000_000;
        j.quota = Some("3".into());
        let s = JobSummary::of(&j);
        assert_eq!(meta_line(&s, 1_000_000 + 5 * 60_000), "imagine · 5 min ago · cost 3");
        let marked = JobSummary { liked: true, rating: Some(4), ..s.clone() };
        assert_eq!(meta_line(&marked, 1_000_000 + 5 * 60_000), "imagine · 5 min ago · cost 3 · liked · 4 of 5");
        let mut r = job("p", JobStatus::Running { progress: 10 });
        r.submitted_at = Some(2_000_000);
        assert_eq!(meta_line(&JobSummary::of(&r), 2_012_000), "imagine · running 12 s");
    }
}
