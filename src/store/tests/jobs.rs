//! Writing, reading and querying jobs.

use rusqlite::Connection;

use super::{failed_edit, full_job, imagine, tmp};
use crate::job::{JobImage, JobStatus, Provider};
use crate::store::{DB_FILE, Store, StoreError};

fn ids(jobs: &[crate::job::Job]) -> Vec<String> {
    jobs.iter().map(|j| j.prompt.clone().unwrap_or_default()).collect()
}

#[test]
fn every_field_round_trips_through_a_reopen() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let (full, edit) = (full_job(), failed_edit());
    store.insert_job(&full).unwrap();
    store.save_job(&edit).unwrap();
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.get_job(&full.id).unwrap().as_ref(), Some(&full));
    assert_eq!(store.get_job(&edit.id).unwrap().as_ref(), Some(&edit));
    assert_eq!(store.get_job("nope").unwrap(), None);
    // The query columns agree with the JSON they sit beside.
    let (word, progress): (String, Option<i64>) = store
        .conn()
        .query_row("SELECT status_word, progress FROM jobs WHERE id = ?1", [&edit.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((word.as_str(), progress), ("failed", None));
}

#[test]
fn save_replaces_the_whole_row_and_its_images() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let mut job = full_job();
    store.save_job(&job).unwrap();
    job.images.truncate(1);
    job.grid_image = None;
    job.status = JobStatus::Running { progress: 42 };
    job.seed = None;
    store.save_job(&job).unwrap();
    assert_eq!(store.get_job(&job.id).unwrap().as_ref(), Some(&job));
    let rows: i64 = store.conn().query_row("SELECT count(*) FROM images", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
    assert_eq!(store.count_jobs().unwrap(), 1);
}

#[test]
fn insert_refuses_a_taken_id() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let job = imagine("first", 1);
    store.insert_job(&job).unwrap();
    let mut other = imagine("second", 2);
    other.id = job.id.clone();
    let err = store.insert_job(&other).unwrap_err();
    assert!(matches!(&err, StoreError::DuplicateJob(id) if *id == job.id), "{err:?}");
    assert_eq!(store.get_job(&job.id).unwrap().unwrap().prompt.as_deref(), Some("first"));
}

#[test]
fn gateway_id_is_on_disk_at_once_and_survives_reopen() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let job = imagine("submit me", 1);
    store.insert_job(&job).unwrap();
    store.set_gateway_id(&job.id, "tt-42").unwrap();
    // Another connection (no shared cache, no close) already sees it.
    let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    let seen: String = raw.query_row("SELECT gateway_id FROM jobs WHERE id = ?1", [&job.id], |r| r.get(0)).unwrap();
    assert_eq!(seen, "tt-42");
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let found = store.find_by_gateway_id(Provider::Ttapi, "tt-42").unwrap().unwrap();
    assert_eq!(found.id, job.id);
    assert_eq!(store.find_by_gateway_id(Provider::Vtrix, "tt-42").unwrap(), None);
    let err = store.set_gateway_id("missing", "x").unwrap_err();
    assert!(matches!(err, StoreError::NoSuchJob(_)), "{err:?}");
}

#[test]
fn only_one_handle_claims_a_queued_job_for_submitting() {
    let dir = tmp();
    let app = Store::open(dir.path()).unwrap();
    let cli = Store::open(dir.path()).unwrap();
    let job = imagine("claim me", 1);
    app.insert_job(&job).unwrap();
    assert!(cli.claim_for_submit(&job.id).unwrap(), "the first claim wins");
    assert!(!app.claim_for_submit(&job.id).unwrap(), "the second finds it taken");
    assert_eq!(app.get_job(&job.id).unwrap().unwrap().status, JobStatus::Submitting);
    // a job that already has a gateway id is never claimed again
    let mut sent = imagine("already sent", 2);
    sent.gateway_id = Some("tt-1".into());
    app.insert_job(&sent).unwrap();
    assert!(!app.claim_for_submit(&sent.id).unwrap());
    assert!(!app.claim_for_submit("missing").unwrap());
}

#[test]
fn pages_are_newest_first_with_ties_in_insert_order() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    for (prompt, at) in [("c", 30), ("a", 10), ("e", 50), ("d1", 40), ("d2", 40), ("b", 20), ("f", 60)] {
        store.insert_job(&imagine(prompt, at)).unwrap();
    }
    assert_eq!(store.count_jobs().unwrap(), 7);
    assert_eq!(ids(&store.jobs_page(0, 3).unwrap()), ["f", "e", "d2"]);
    assert_eq!(ids(&store.jobs_page(1, 3).unwrap()), ["d1", "c", "b"]);
    assert_eq!(ids(&store.jobs_page(2, 3).unwrap()), ["a"]);
    assert!(store.jobs_page(3, 3).unwrap().is_empty());
    assert!(store.jobs_page(u32::MAX, u32::MAX).unwrap().is_empty());
    assert!(store.jobs_page(0, 0).unwrap().is_empty());
}

#[test]
fn children_are_the_jobs_continuing_one_oldest_first() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let parent = imagine("parent", 1);
    store.insert_job(&parent).unwrap();
    for (prompt, at, of) in [("u2", 30, &parent.id), ("u1", 20, &parent.id), ("other", 25, &"x".to_string())] {
        let mut child = imagine(prompt, at);
        child.parent_id = Some(of.clone());
        store.insert_job(&child).unwrap();
    }
    assert_eq!(ids(&store.children(&parent.id).unwrap()), ["u1", "u2"]);
    assert!(store.children("u1").unwrap().is_empty());
}

#[test]
fn unfinished_lists_every_live_status_oldest_first() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let statuses = [
        JobStatus::Succeeded,
        JobStatus::Running { progress: 10 },
        JobStatus::QueuedLocally,
        JobStatus::Failed { reason: "no".into() },
        JobStatus::Unknown { reason: "timeout".into() },
        JobStatus::Submitting,
        JobStatus::Submitted,
        JobStatus::Waiting,
    ];
    let mut jobs = Vec::new();
    for (i, status) in statuses.into_iter().enumerate() {
        let mut job = imagine(&format!("j{i}"), 100 - i as i64);
        job.status = status;
        store.insert_job(&job).unwrap();
        jobs.push(job);
    }
    assert_eq!(ids(&store.unfinished().unwrap()), ["j7", "j6", "j5", "j4", "j2", "j1"]);
    jobs[1].status = JobStatus::Succeeded;
    store.save_job(&jobs[1]).unwrap();
    assert_eq!(ids(&store.unfinished().unwrap()), ["j7", "j6", "j5", "j4", "j2"]);
}

#[test]
fn search_matches_text_literally_and_ignores_ascii_case() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let mut a = imagine("A Red Fox --ar 16:9", 1);
    a.gateway_id = Some("gw-fox".into());
    let b = imagine("100% cotton", 2);
    let c = imagine("1000 cats", 3);
    let mut d = failed_edit();
    d.prompts = vec!["a described red barn".into()];
    d.prompt = Some("d".into());
    d.created_at = 4;
    for j in [&a, &b, &c, &d] {
        store.insert_job(j).unwrap();
    }
    assert_eq!(ids(&store.search("red", 10).unwrap()), ["d", "A Red Fox --ar 16:9"]);
    assert_eq!(ids(&store.search("100%", 10).unwrap()), ["100% cotton"]);
    assert_eq!(ids(&store.search("gw-fox", 10).unwrap()), ["A Red Fox --ar 16:9"]);
    assert_eq!(store.search("  ", 10).unwrap().len(), 4);
    assert_eq!(store.search("", 2).unwrap().len(), 2);
    assert!(store.search("zebra", 10).unwrap().is_empty());
}

#[test]
fn a_damaged_row_is_a_clear_error_naming_the_job() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let job = imagine("fine", 1);
    store.insert_job(&job).unwrap();
    let raw = Connection::open(store.path()).unwrap();
    raw.execute("UPDATE jobs SET kind = '{\"kind\":\"teleport\"}' WHERE id = ?1", [&job.id]).unwrap();
    let err = store.get_job(&job.id).unwrap_err();
    assert!(matches!(err, StoreError::BadRow { field: "kind", .. }), "{err:?}");
    assert!(err.to_string().contains(&job.id), "{err}");
    raw.execute("UPDATE jobs SET kind = '\"imagine\"', width = -5 WHERE id = ?1", [&job.id]).unwrap();
    // A list skips the row it cannot read, says which, and keeps the others.
    let other = imagine("other", 2);
    store.insert_job(&other).unwrap();
    let (jobs, skipped) = store.jobs_page_skipping(0, 10).unwrap();
    assert_eq!(ids(&jobs), ["other"]);
    assert!(matches!(&skipped[..], [StoreError::BadRow { id, .. }] if *id == job.id), "{skipped:?}");
    assert_eq!(ids(&store.unfinished().unwrap()), ["other"]);
}

#[cfg(unix)]
#[test]
fn image_paths_that_are_not_utf8_are_kept_byte_for_byte() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let mut job = imagine("odd path", 1);
    let path = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b"/data/\xff\xfe/img.png"));
    job.images = vec![JobImage { url: "u".into(), local_path: Some(path), error: None }];
    store.save_job(&job).unwrap();
    assert_eq!(store.get_job(&job.id).unwrap().as_ref(), Some(&job));
}

#[test]
fn queries_use_their_indexes() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let plan = |sql: &str| -> String {
        let conn = store.conn();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows: Vec<String> = stmt.query_map([], |r| r.get(3)).unwrap().map(Result::unwrap).collect();
        rows.join(" | ")
    };
    let cases = [
        ("SELECT id FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT 5", "jobs_newest"),
        ("SELECT id FROM jobs WHERE parent_id = 'p' ORDER BY created_at, rowid", "jobs_children"),
        (
            "SELECT id FROM jobs WHERE status_word NOT IN ('succeeded', 'failed') ORDER BY created_at, rowid",
            "jobs_unfinished",
        ),
        ("SELECT id FROM jobs WHERE provider = 'ttapi' AND gateway_id = 'g'", "jobs_gateway"),
        ("SELECT prompt FROM prompt_history ORDER BY used_at DESC LIMIT 5", "prompt_history_recent"),
    ];
    for (sql, index) in cases {
        let p = plan(sql);
        assert!(p.contains(index), "{sql}: {p}");
    }
}
