use std::sync::atomic::{AtomicBool, Ordering};

use super::*;
use crate::export::testing::library;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

#[test]
fn every_image_is_written_with_its_sidecar_and_progress_is_told_as_it_goes() {
    let home = tempfile::tempdir().unwrap();
    let (store, jobs) = library(home.path(), 3, 2, 1000);
    store.set_liked(&jobs[1].id, true).unwrap();
    let out = home.path().join("out");
    let mut seen = Vec::new();
    let done = export_jobs(&store, &jobs, &out, &AtomicBool::new(false), |e| seen.push(e)).unwrap();
    assert_eq!((done.images, done.jobs, done.cancelled), (6, 3, false));
    let files = names(&out);
    assert_eq!(files.len(), 12, "{files:?}");
    assert!(files.iter().all(|f| !f.ends_with(".part")));
    let progress: Vec<Progress> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Progress(p) => Some(*p),
            Event::Note(_) => None,
        })
        .collect();
    assert!(progress.windows(2).all(|w| w[0].images <= w[1].images && w[0].bytes <= w[1].bytes));
    let last = progress.last().unwrap();
    assert_eq!((last.images, last.images_total, last.jobs, last.jobs_total), (6, 6, 3, 3));
    assert_eq!(last.bytes, done.bytes);
    let sizes: u64 = files.iter().map(|f| std::fs::metadata(out.join(f)).unwrap().len()).sum();
    assert_eq!(done.bytes, sizes, "every byte written is counted");
    let name = default_file_name(jobs[1].prompt.as_deref(), &jobs[1].id, 2, Some(Path::new("x.png")));
    let stem = name.trim_end_matches(".png");
    let sidecar: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(format!("{stem}.json"))).unwrap()).unwrap();
    assert_eq!(sidecar["job_id"], jobs[1].id.as_str());
    assert_eq!(sidecar["liked"], true);
    assert_eq!(sidecar["aspect_ratio"], "3:2");
    assert_eq!(std::fs::read(out.join(&name)).unwrap(), vec![2u8; 1000]);
}

#[test]
fn a_cancel_stops_between_images_and_leaves_only_whole_files() {
    let home = tempfile::tempdir().unwrap();
    let (store, jobs) = library(home.path(), 4, 2, 500);
    let out = home.path().join("out");
    let cancel = AtomicBool::new(false);
    let done = export_jobs(&store, &jobs, &out, &cancel, |e| {
        if matches!(e, Event::Progress(p) if p.images == 3) {
            cancel.store(true, Ordering::Relaxed);
        }
    })
    .unwrap();
    assert_eq!((done.images, done.cancelled), (3, true));
    let files = names(&out);
    assert_eq!(files.len(), 6, "three images and their sidecars: {files:?}");
    for f in files.iter().filter(|f| f.ends_with(".png")) {
        assert_eq!(std::fs::metadata(out.join(f)).unwrap().len(), 500, "{f} is whole");
    }
}

#[test]
fn a_write_failing_midway_stops_with_one_line_and_keeps_what_was_exported() {
    let home = tempfile::tempdir().unwrap();
    let (store, jobs) = library(home.path(), 2, 2, 800);
    let out = home.path().join("out");
    // the second job's first image cannot take its place: a folder is in the way
    let blocked = default_file_name(jobs[1].prompt.as_deref(), &jobs[1].id, 1, Some(Path::new("x.png")));
    std::fs::create_dir_all(out.join(&blocked)).unwrap();
    let err = export_jobs(&store, &jobs, &out, &AtomicBool::new(false), |_| {}).unwrap_err();
    let said = err.to_string();
    assert!(!said.contains('\n'), "one line: {said}");
    assert!(said.starts_with(&format!("could not write {}", out.join(&blocked).display())), "{said}");
    assert!(said.contains("the 2 image(s) exported before it are complete"), "{said}");
    let files = names(&out);
    assert_eq!(files.len(), 5, "the first job's two images and sidecars, and the folder in the way: {files:?}");
    assert!(files.iter().all(|f| !f.ends_with(".part")), "{files:?}");
}

#[test]
fn a_folder_that_cannot_be_written_is_refused_before_anything_is_copied() {
    let home = tempfile::tempdir().unwrap();
    let (store, jobs) = library(home.path(), 1, 1, 10);
    std::fs::write(home.path().join("notes.txt"), "mine").unwrap();
    let out = home.path().join("notes.txt").join("out");
    let err = export_jobs(&store, &jobs, &out, &AtomicBool::new(false), |_| {}).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot write to the folder {}: a file is in the way of the folder", out.display())
    );
    assert_eq!(std::fs::read_to_string(home.path().join("notes.txt")).unwrap(), "mine");
}

#[test]
fn the_jobs_a_filter_admits_are_read_page_by_page() {
    let home = tempfile::tempdir().unwrap();
    let (store, jobs) = library(home.path(), 3, 0, 0);
    store.set_liked(&jobs[0].id, true).unwrap();
    store.set_liked(&jobs[2].id, true).unwrap();
    let (found, skipped) = jobs_matching(&store, &JobFilter { liked: true, ..Default::default() }).unwrap();
    let mut ids: Vec<&str> = found.iter().map(|j| j.id.as_str()).collect();
    ids.sort();
    let mut want = vec![jobs[0].id.as_str(), jobs[2].id.as_str()];
    want.sort();
    assert_eq!((ids, skipped.len()), (want, 0));
}

#[test]
fn an_export_clears_the_temporary_files_a_killed_one_left_and_keeps_a_live_ones() {
    let home = tempfile::tempdir().unwrap();
    let (store, jobs) = library(home.path(), 1, 1, 100);
    let out = home.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // a pid above the kernel's limit is no process; this test's own stands for a live export
    let dead = out.join(".a-fox_12345678_1.png.4999999.part");
    let live = out.join(format!(".a-fox_12345678_2.png.{}.part", std::process::id()));
    let keep = out.join("notes.part");
    for f in [&dead, &live, &keep] {
        std::fs::write(f, b"half").unwrap();
    }
    export_jobs(&store, &jobs, &out, &AtomicBool::new(false), |_| {}).unwrap();
    assert!(!dead.exists(), "a killed export's leftover goes");
    assert!(live.exists() && keep.exists(), "{:?}", names(&out));
}
