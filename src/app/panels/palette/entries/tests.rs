use super::*;
use crate::app::canvas::TOOL_KEYS;
use crate::job::{JobImage, JobRequest, JobStatus, Provider, SubmitOptions};

fn job(actions: &[&str]) -> Job {
    let req = JobRequest::Imagine { prompt: "a fox --ar 3:2".into() };
    let mut job = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
    job.status = JobStatus::Succeeded;
    job.actions = actions.iter().map(|s| (*s).to_owned()).collect();
    job
}

fn with_job(job: &Job) -> Vec<Entry> {
    entries(&Context { job: Some(job), ..Default::default() })
}

fn labels(entries: &[Entry], group: Group) -> Vec<&str> {
    entries.iter().filter(|e| e.group == group).map(|e| e.label.as_str()).collect()
}

fn find<'a>(entries: &'a [Entry], label: &str) -> &'a Entry {
    entries.iter().find(|e| e.label == label).unwrap_or_else(|| panic!("no {label}"))
}

const GRID: [&str; 10] = [
    "upsample1",
    "upsample2",
    "upsample3",
    "upsample4",
    "reroll",
    "variation1",
    "variation2",
    "variation3",
    "variation4",
    "zoom_out_2",
];

#[test]
fn the_window_commands_are_always_there_with_their_shortcuts() {
    let list = entries(&Context::default());
    let shown: Vec<_> = list.iter().map(|e| (e.label.as_str(), e.shortcut)).collect();
    assert_eq!(
        shown,
        [
            ("Imagine", Some("Ctrl+Enter")),
            ("Open Blend", None),
            ("Open Describe", None),
            ("Settings", None),
            ("Edit an image file…", None),
            ("Export", Some("Ctrl+E")),
            ("Keyboard shortcuts", Some("?")),
        ]
    );
    assert_eq!(find(&list, "Settings").run, Ok(Run::Command(UiCommand::ToggleSettings)));
    assert_eq!(find(&list, "Edit an image file…").run, Ok(Run::Command(UiCommand::EditFile { path: None })));
    assert_eq!(find(&list, "Open Blend").run, Ok(Run::OpenBlend));
}

#[test]
fn imagine_says_why_it_cannot_run() {
    let list = entries(&Context { imagine_blocked: Some("the prompt is empty"), ..Default::default() });
    assert_eq!(find(&list, "Imagine").run, Err("the prompt is empty".to_owned()));
}

#[test]
fn a_grid_offers_the_job_views_buttons_by_their_labels_sending_the_jobs_own_strings() {
    let grid = job(&GRID);
    let list = with_job(&grid);
    assert_eq!(
        labels(&list, Group::Job),
        ["Edit prompt", "Seed", "U1", "V1", "U2", "V2", "U3", "V3", "U4", "V4", "Reroll", "Zoom Out 2x"]
    );
    let id = grid.id.clone();
    assert_eq!(
        find(&list, "U2").run,
        Ok(Run::Command(UiCommand::Action { job_id: id.clone(), action: "upsample2".into() }))
    );
    assert_eq!(find(&list, "Edit prompt").run, Ok(Run::Command(UiCommand::EditPrompt { job_id: id.clone() })));
    assert_eq!(find(&list, "Seed").run, Ok(Run::Command(UiCommand::Seed { job_id: id })));
    // every job action is there, each once
    let actions: Vec<_> = list
        .iter()
        .filter_map(|e| match &e.run {
            Ok(Run::Command(UiCommand::Action { action, .. })) => Some(action.as_str()),
            _ => None,
        })
        .collect();
    let mut want = GRID.to_vec();
    let mut got = actions.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(list.iter().all(|e| e.label != "Retry" && e.label != "Save image"), "not on a grid that succeeded");
}

#[test]
fn a_failed_job_offers_retry_and_no_seed() {
    let mut failed = job(&[]);
    failed.status = JobStatus::Failed { reason: "banned".into() };
    let list = with_job(&failed);
    assert_eq!(labels(&list, Group::Job), ["Edit prompt", "Retry"]);
    assert_eq!(find(&list, "Retry").run, Ok(Run::Command(UiCommand::Retry { job_id: failed.id.clone() })));
}

#[test]
fn a_job_mjdesk_stopped_waiting_for_offers_check_again_before_retry() {
    let mut timed_out = job(&[]);
    timed_out.gateway_id = Some("gw-1".into());
    timed_out.status = JobStatus::Failed { reason: format!("{}no result within 300 s", crate::job::TIMED_OUT) };
    let list = with_job(&timed_out);
    assert_eq!(labels(&list, Group::Job), ["Edit prompt", "Check again", "Retry"]);
    assert_eq!(
        find(&list, "Check again").run,
        Ok(Run::Command(UiCommand::CheckAgain { job_id: timed_out.id.clone() }))
    );
}

#[test]
fn a_single_image_offers_vary_region_edit_and_export_once_downloaded() {
    let mut single = job(&["zoom_out_2"]);
    single.images = vec![JobImage { url: "http://x/1.png".into(), local_path: None, error: None }];
    let list = with_job(&single);
    assert_eq!(
        labels(&list, Group::Job),
        [
            "Edit prompt",
            "Seed",
            "Zoom Out 2x",
            "Vary (Region)",
            "Edit",
            "Retexture",
            "Save image",
            "Copy image",
            "Show in folder"
        ]
    );
    for label in ["Edit", "Retexture", "Save image", "Copy image"] {
        assert_eq!(find(&list, label).run, Err(NOT_DOWNLOADED.to_owned()), "{label}");
    }
    single.images[0].local_path = Some("/tmp/fox.png".into());
    let list = with_job(&single);
    let id = single.id.clone();
    assert_eq!(
        find(&list, "Retexture").run,
        Ok(Run::Command(UiCommand::EditImage { job_id: id.clone(), retexture: true }))
    );
    assert_eq!(find(&list, "Vary (Region)").run, Ok(Run::Command(UiCommand::VaryRegion { job_id: id })));
    let exports = viewer::export_commands(&single, 0).unwrap();
    assert_eq!(find(&list, "Save image").run, Ok(Run::Command(exports[0].clone())));
    assert_eq!(find(&list, "Copy image").run, Ok(Run::Command(UiCommand::CopyImage { source: "/tmp/fox.png".into() })));
}

#[test]
fn the_canvas_tools_are_listed_with_their_keys_only_while_a_canvas_is_open() {
    assert!(labels(&entries(&Context::default()), Group::Canvas).is_empty());
    let list = entries(&Context { canvas_open: true, ..Default::default() });
    let canvas: Vec<_> =
        list.iter().filter(|e| e.group == Group::Canvas).map(|e| (e.label.as_str(), e.shortcut.unwrap())).collect();
    assert_eq!(
        canvas,
        [
            ("Brush", "B"),
            ("Eraser", "E"),
            ("Rectangle", "R"),
            ("Lasso", "L"),
            ("Magic wand", "W"),
            ("Swap add / subtract", "X"),
            ("Smaller brush", "["),
            ("Bigger brush", "]"),
            ("Undo", "Ctrl+Z"),
            ("Redo", "Ctrl+Shift+Z"),
        ]
    );
    assert_eq!(find(&list, "Lasso").run, Ok(Run::Command(UiCommand::CanvasAction(Action::Pick(Tool::Lasso)))));
    // the keys said are the keys the canvas reads
    for (key, tool) in TOOL_KEYS {
        assert_eq!(find(&list, tool.label()).shortcut, Some(key.name()));
    }
}

#[test]
fn search_needs_every_word_in_the_label_in_any_case_an_exact_label_first() {
    let grid = job(&GRID);
    let list = with_job(&grid);
    let found = |q: &str| search(&list, q).into_iter().map(|e| e.label.as_str()).collect::<Vec<_>>();
    assert_eq!(found("u2"), ["U2"]);
    assert_eq!(found("ZOOM 2x"), ["Zoom Out 2x"]);
    assert_eq!(found("out zoom"), ["Zoom Out 2x"]);
    assert!(found("zoom u2").is_empty());
    assert_eq!(found("   ").len(), list.len(), "nothing typed: everything");
    assert_eq!(found("edit")[..2], ["Edit an image file…", "Edit prompt"]);
    assert_eq!(found("seed"), ["Seed"]);
    // an exact label goes first, even after others that hold it
    let open = entries(&Context { canvas_open: true, ..Default::default() });
    let e: Vec<_> = search(&open, "brush").into_iter().map(|e| e.label.as_str()).collect();
    assert_eq!(e, ["Brush", "Smaller brush", "Bigger brush"]);
    let e: Vec<_> = search(&open, "redo").into_iter().map(|e| e.label.as_str()).collect();
    assert_eq!(e, ["Redo"]);
}

#[test]
fn the_shortcuts_are_the_palettes_entries_that_have_one() {
    let all = shortcuts();
    assert!(all.iter().all(|e| e.shortcut.is_some()));
    let keys: Vec<_> = all.iter().map(|e| (e.label.as_str(), e.shortcut.unwrap())).collect();
    assert_eq!(
        keys[..4],
        [("Command palette", "Ctrl+K"), ("Imagine", "Ctrl+Enter"), ("Export", "Ctrl+E"), ("Keyboard shortcuts", "?")]
    );
    let canvas = entries(&Context { canvas_open: true, ..Default::default() });
    let with_keys: Vec<_> =
        canvas.iter().filter(|e| e.shortcut.is_some()).map(|e| (e.label.as_str(), e.shortcut.unwrap())).collect();
    assert_eq!(keys[1..], with_keys[..]);
}

#[test]
fn the_lists_filters_and_choice_are_there_once_the_list_is() {
    let all = JobFilter { text: "fox".into(), ..Default::default() };
    let list = entries(&Context { filter: Some(&all), ..Default::default() });
    let liked = JobFilter { liked: true, ..all.clone() };
    assert_eq!(find(&list, "Liked only").run, Ok(Run::Command(UiCommand::Filter(liked.clone()))));
    assert!(list.iter().all(|e| e.label != "Clear filters" && e.label != "Clear selection"), "nothing to clear");
    let list = entries(&Context { filter: Some(&liked), chosen: 2, ..Default::default() });
    assert_eq!(find(&list, "Liked only").run, Ok(Run::Command(UiCommand::Filter(all.clone()))), "it turns it off");
    assert_eq!(find(&list, "Clear filters").run, Ok(Run::Command(UiCommand::Filter(all))), "the words stay");
    assert_eq!(find(&list, "Clear selection").run, Ok(Run::Command(UiCommand::ClearSelection)));
}
