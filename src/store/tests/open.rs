//! Opening, migrating and sharing the database file.

use std::time::Duration;

use rusqlite::Connection;

use super::{imagine, tmp};
use crate::store::{DB_FILE, Store, StoreError, data_dir_from, schema};

fn pragma_int(store: &Store, name: &str) -> i64 {
    store.conn().pragma_query_value(None, name, |r| r.get(0)).expect("pragma")
}

fn tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn migrates_an_empty_dir_and_reopens_idempotently() {
    let dir = tmp();
    let nested = dir.path().join("a/b");
    let store = Store::open(&nested).unwrap();
    assert_eq!(store.path(), nested.join(DB_FILE));
    assert_eq!(pragma_int(&store, "user_version"), schema::LATEST);
    assert_eq!(pragma_int(&store, "application_id"), schema::APPLICATION_ID);
    let fts = ["jobs_fts", "jobs_fts_config", "jobs_fts_data", "jobs_fts_docsize", "jobs_fts_idx"];
    let mut want = vec!["collection_jobs", "collections", "facet_totals", "images", "job_facets", "jobs"];
    want.extend(fts);
    want.extend(["mask_draft_tiles", "mask_drafts", "prompt_history", "settings"]);
    assert_eq!(tables(&store.conn()), want);
    let job = imagine("kept across opens", 1);
    store.insert_job(&job).unwrap();
    drop(store);

    for _ in 0..2 {
        let again = Store::open(&nested).unwrap();
        assert_eq!(pragma_int(&again, "user_version"), schema::LATEST);
        assert_eq!(again.get_job(&job.id).unwrap().as_ref(), Some(&job));
        assert_eq!(again.count_jobs().unwrap(), 1);
    }
}

#[test]
fn connection_uses_wal_normal_sync_and_foreign_keys() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let mode: String = store.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(pragma_int(&store, "synchronous"), 1, "NORMAL");
    assert_eq!(pragma_int(&store, "foreign_keys"), 1);
    assert_eq!(pragma_int(&store, "busy_timeout"), 5000);
}

#[test]
fn garbage_file_is_a_clear_error_and_is_left_alone() {
    let dir = tmp();
    let file = dir.path().join(DB_FILE);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&file, &garbage).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&file.display().to_string()), "{text}");
    assert!(text.contains("move the file aside"), "{text}");
    assert_eq!(std::fs::read(&file).unwrap(), garbage);
}

#[test]
fn newer_schema_is_refused_without_touching_it() {
    let dir = tmp();
    drop(Store::open(dir.path()).unwrap());
    let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    raw.pragma_update(None, "user_version", schema::LATEST + 3).unwrap();
    drop(raw);
    let err = Store::open(dir.path()).unwrap_err();
    match &err {
        StoreError::TooNew { found, known, .. } => assert_eq!((*found, *known), (schema::LATEST + 3, schema::LATEST)),
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("newer mjdesk"), "{err}");
    let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    let v: i64 = raw.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(v, schema::LATEST + 3);
}

#[test]
fn another_programs_database_is_refused_and_not_filled_with_our_tables() {
    let dir = tmp();
    let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    raw.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');").unwrap();
    drop(raw);
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("tables mjdesk did not create"), "{err}");
    let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    assert_eq!(tables(&raw), ["notes"]);
}

#[test]
fn a_lock_held_too_long_is_a_busy_error_not_a_hang_or_panic() {
    let dir = tmp();
    let store = Store::open_with_timeout(dir.path(), Duration::from_millis(100)).unwrap();
    let raw = Connection::open(store.path()).unwrap();
    raw.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('theme', 'dark');").unwrap();
    let err = store.set_setting("layout", "wide").unwrap_err();
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(err.to_string().contains("locked by another program"), "{err}");
    // Readers are not blocked by the writer (WAL), and see only committed data.
    assert_eq!(store.get_setting("theme").unwrap(), None);
    raw.execute_batch("COMMIT").unwrap();
    store.set_setting("layout", "wide").unwrap();
    assert_eq!(store.get_setting("theme").unwrap().as_deref(), Some("dark"));
}

#[test]
fn a_dir_that_cannot_be_created_is_a_clear_error() {
    let dir = tmp();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = Store::open(&file.join("sub")).unwrap_err();
    assert!(matches!(err, StoreError::CreateDir { .. }), "{err:?}");
    assert!(err.to_string().contains("could not be created"), "{err}");
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    let dir = tmp();
    let cli = Store::open(dir.path()).unwrap();
    let app = Store::open(dir.path()).unwrap();
    let job = imagine("from the cli", 5);
    cli.insert_job(&job).unwrap();
    assert_eq!(app.get_job(&job.id).unwrap().as_ref(), Some(&job));
    app.set_gateway_id(&job.id, "gw-1").unwrap();
    assert_eq!(cli.get_job(&job.id).unwrap().unwrap().gateway_id.as_deref(), Some("gw-1"));
    app.set_setting("provider", "vtrix").unwrap();
    assert_eq!(cli.get_setting("provider").unwrap().as_deref(), Some("vtrix"));
}

#[test]
fn clones_can_write_from_many_threads() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    store.save_job(&imagine(&format!("t{t} j{i}"), i)).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.count_jobs().unwrap(), 100);
}

#[test]
fn data_dir_prefers_the_override() {
    assert_eq!(data_dir_from(Some("/srv/mj".into())), std::path::PathBuf::from("/srv/mj"));
    let default = data_dir_from(None);
    assert_eq!(data_dir_from(Some("".into())), default);
    assert!(default.to_string_lossy().to_lowercase().contains("mjdesk"), "{}", default.display());
}
