//! The command palette's list as plain data (no egui types): every command the window has
//! now, each with its shortcut where there is one and what running it does, and the search
//! over it. The `Keyboard shortcuts` window reads the same list ([`shortcuts`]).
//!
//! A job's entries come from the same view-model the job view draws its buttons from
//! ([`ActionLayout`], [`offers_seed`], [`offers_retry`], the export and canvas-edit lists), so
//! they carry the same labels and send the same [`UiCommand`]s.

use crate::actions::ActionKind;
use crate::app::canvas::{Action, Tool};
use crate::app::command::UiCommand;
use crate::app::editors::canvas_edit;
use crate::app::panels::export_bar::EXPORT_KEY;
use crate::app::panels::job_view::{ActionLayout, offers_retry, offers_seed};
use crate::app::panels::viewer;
use crate::job::Job;
use crate::store::JobFilter;

/// The palette's own key.
pub const PALETTE_KEY: &str = "Ctrl+K";
/// The key that shows every shortcut.
pub const SHORTCUTS_KEY: &str = "?";
/// Why `Save image`, `Edit` ... cannot run yet.
const NOT_DOWNLOADED: &str = "The image is not downloaded yet";

/// Where a command belongs (the shortcuts window's headings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Window,
    /// What the selected job offers.
    Job,
    /// The mask canvas's tools, while an editor with one is open.
    Canvas,
}

impl Group {
    pub fn heading(self) -> &'static str {
        match self {
            Group::Window => "Window",
            Group::Job => "Selected job",
            Group::Canvas => "Mask canvas",
        }
    }
}

/// What running an entry does: a command the window applies, or what the window does itself
/// (the prompt box's Imagine, opening a panel).
#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    Command(UiCommand),
    /// The prompt box's Imagine, as its button does it.
    Imagine,
    OpenBlend,
    OpenDescribe,
    Shortcuts,
}

/// One command of the palette.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The label of the button that does the same (its accessible name in the palette too).
    pub label: String,
    pub shortcut: Option<&'static str>,
    pub group: Group,
    /// What running it does, or why it cannot run now.
    pub run: Result<Run, String>,
}

impl Entry {
    fn new(group: Group, label: impl Into<String>, shortcut: Option<&'static str>, run: Run) -> Self {
        Entry { label: label.into(), shortcut, group, run: Ok(run) }
    }

    fn command(group: Group, label: impl Into<String>, cmd: UiCommand) -> Self {
        Self::new(group, label, None, Run::Command(cmd))
    }

    /// Whether every word of `query` is in the label (case-insensitive).
    pub fn matches(&self, query: &str) -> bool {
        let label = self.label.to_lowercase();
        query.split_whitespace().all(|w| label.contains(&w.to_lowercase()))
    }
}

/// What the window is showing, for [`entries`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The selected job, once read.
    pub job: Option<&'a Job>,
    /// Why Imagine is disabled for the prompt box's text, if it is.
    pub imagine_blocked: Option<&'a str>,
    /// An editor with the mask canvas is open.
    pub canvas_open: bool,
    /// The job list's filter, once the window has one.
    pub filter: Option<&'a JobFilter>,
    /// How many jobs are chosen in the list.
    pub chosen: usize,
}

/// Every command the window has now, in the order the window shows them.
pub fn entries(cx: &Context<'_>) -> Vec<Entry> {
    let mut out = window_entries(cx.imagine_blocked);
    if let Some(filter) = cx.filter {
        out.extend(list_entries(filter, cx.chosen));
    }
    if let Some(job) = cx.job {
        out.extend(job_entries(job));
    }
    if cx.canvas_open {
        out.extend(canvas_entries());
    }
    out
}

/// Every shortcut the window knows (the canvas's too, whether or not it is open), from the
/// palette's own list.
pub fn shortcuts() -> Vec<Entry> {
    let all = Context { canvas_open: true, ..Default::default() };
    let palette = Entry::new(Group::Window, "Command palette", Some(PALETTE_KEY), Run::Shortcuts);
    std::iter::once(palette).chain(entries(&all)).filter(|e| e.shortcut.is_some()).collect()
}

/// The entries whose labels hold every word of `query`, an exact label first.
pub fn search<'a>(entries: &'a [Entry], query: &str) -> Vec<&'a Entry> {
    let mut found: Vec<&Entry> = entries.iter().filter(|e| e.matches(query)).collect();
    let exact = query.trim().to_lowercase();
    found.sort_by_key(|e| e.label.to_lowercase() != exact);
    found
}

fn window_entries(imagine_blocked: Option<&str>) -> Vec<Entry> {
    let mut imagine = Entry::new(Group::Window, "Imagine", Some("Ctrl+Enter"), Run::Imagine);
    if let Some(why) = imagine_blocked {
        imagine.run = Err(why.to_owned());
    }
    vec![
        imagine,
        Entry::new(Group::Window, "Open Blend", None, Run::OpenBlend),
        Entry::new(Group::Window, "Open Describe", None, Run::OpenDescribe),
        Entry::command(Group::Window, "Settings", UiCommand::ToggleSettings),
        Entry::command(Group::Window, "Edit an image file…", UiCommand::EditFile { path: None }),
        Entry::new(Group::Window, "Export", Some(EXPORT_KEY), Run::Command(UiCommand::Export { folder: None })),
        Entry::new(Group::Window, "Keyboard shortcuts", Some(SHORTCUTS_KEY), Run::Shortcuts),
    ]
}

/// The job list's filters and choice, as the list's controls name them.
fn list_entries(filter: &JobFilter, chosen: usize) -> Vec<Entry> {
    let g = Group::Window;
    let liked = JobFilter { liked: !filter.liked, ..filter.clone() };
    let mut out = vec![Entry::command(g, "Liked only", UiCommand::Filter(liked))];
    let cleared = JobFilter { text: filter.text.clone(), ..Default::default() };
    if filter != &cleared {
        out.push(Entry::command(g, "Clear filters", UiCommand::Filter(cleared)));
    }
    if chosen > 0 {
        out.push(Entry::command(g, "Clear selection", UiCommand::ClearSelection));
    }
    out
}

/// What the job view offers for `job`, by its labels.
fn job_entries(job: &Job) -> Vec<Entry> {
    let g = Group::Job;
    let id = || job.id.clone();
    let mut out = Vec::new();
    if job.prompt.is_some() {
        out.push(Entry::command(g, "Edit prompt", UiCommand::EditPrompt { job_id: id() }));
    }
    if offers_seed(job) {
        out.push(Entry::command(g, "Seed", UiCommand::Seed { job_id: id() }));
    }
    if job.ended_by_deadline() {
        out.push(Entry::command(g, "Check again", UiCommand::CheckAgain { job_id: id() }));
    }
    if offers_retry(job) {
        out.push(Entry::command(g, "Retry", UiCommand::Retry { job_id: id() }));
    }
    let layout = ActionLayout::of(job);
    let quadrants = layout.quadrants.iter().flat_map(|(u, v)| [u, v]).flatten();
    for action in quadrants.chain(&layout.reroll) {
        let label = ActionKind::parse(action).label();
        out.push(Entry::command(g, label, UiCommand::Action { job_id: id(), action: action.clone() }));
    }
    for (label, action) in &layout.others {
        out.push(Entry::command(g, label, UiCommand::Action { job_id: id(), action: action.clone() }));
    }
    if layout.vary_region {
        out.push(Entry::command(g, "Vary (Region)", UiCommand::VaryRegion { job_id: id() }));
    }
    let images = job.result_images();
    if layout.edits_single_image(images.len()) {
        let ready = images[0].local_path.is_some();
        for (label, retexture) in [("Edit", false), ("Retexture", true)] {
            let mut edit = Entry::command(g, label, UiCommand::EditImage { job_id: id(), retexture });
            if !ready {
                edit.run = Err(NOT_DOWNLOADED.to_owned());
            }
            out.push(edit);
        }
        let exports = viewer::export_commands(job, 0);
        for (n, label) in viewer::EXPORT_LABELS.into_iter().enumerate() {
            let run = exports.as_ref().map(|e| Run::Command(e[n].clone())).ok_or_else(|| NOT_DOWNLOADED.to_owned());
            out.push(Entry { label: label.to_owned(), shortcut: None, group: g, run });
        }
    }
    for (label, ready, cmd) in canvas_edit::offered(job) {
        let run = if ready { Ok(Run::Command(cmd)) } else { Err(NOT_DOWNLOADED.to_owned()) };
        out.push(Entry { label, shortcut: None, group: g, run });
    }
    for (n, p) in job.prompts.iter().enumerate() {
        out.push(Entry::command(g, format!("Use prompt {}", n + 1), UiCommand::UsePrompt { prompt: p.clone() }));
    }
    out
}

/// The mask canvas's tools and keys (those of [`crate::app::canvas::TOOL_KEYS`] and the rest
/// of its key list).
fn canvas_entries() -> Vec<Entry> {
    let canvas = |label: &str, key: &'static str, action: Action| {
        Entry::new(Group::Canvas, label, Some(key), Run::Command(UiCommand::CanvasAction(action)))
    };
    let mut out: Vec<Entry> = Tool::ALL.into_iter().map(|t| canvas(t.label(), t.key_hint(), Action::Pick(t))).collect();
    out.extend([
        canvas("Swap add / subtract", "X", Action::SwapMode),
        canvas("Smaller brush", "[", Action::Smaller),
        canvas("Bigger brush", "]", Action::Bigger),
        canvas("Undo", "Ctrl+Z", Action::Undo),
        canvas("Redo", "Ctrl+Shift+Z", Action::Redo),
    ]);
    out
}

#[cfg(test)]
mod tests;
