//! Likes, ratings and collections on a real file; the migration that adds them to a file an
//! earlier mjdesk filled with jobs.

use rusqlite::Connection;

use super::{failed_edit, full_job, imagine, tmp};
use crate::job::{Dimensions, Job, JobRequest, Mode, Provider, SubmitOptions};
use crate::store::{
    CollectionId, DB_FILE, JobFilter, LibraryError, Store, StoreError, check_collection_name, parse_rating, rows,
    schema,
};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

#[test]
fn likes_toggle_and_ratings_are_one_to_five() {
    let (_d, store) = store();
    let job = imagine("a red fox", 1);
    store.insert_job(&job).unwrap();
    assert!(store.toggle_liked(&job.id).unwrap());
    assert!(store.marks(&job.id).unwrap().liked);
    assert!(!store.toggle_liked(&job.id).unwrap());
    store.set_liked(&job.id, true).unwrap();
    store.set_rating(&job.id, Some(4)).unwrap();
    let marks = store.marks(&job.id).unwrap();
    assert_eq!((marks.liked, marks.rating), (true, Some(4)));
    for bad in [0, 6] {
        let err = store.set_rating(&job.id, Some(bad)).unwrap_err();
        assert!(matches!(err, LibraryError::BadRating(_)), "{err:?}");
        assert_eq!(err.to_string(), format!("a rating is 1 to 5 stars; {bad} is not one"));
    }
    assert_eq!(store.marks(&job.id).unwrap().rating, Some(4), "a refused rating changes nothing");
    store.set_rating(&job.id, None).unwrap();
    assert_eq!(store.marks(&job.id).unwrap().rating, None);
    // The list's summaries carry the marks; saving the job's progress keeps them.
    store.set_rating(&job.id, Some(2)).unwrap();
    store.save_job(&job).unwrap();
    let row = store.summary(&job.id).unwrap().unwrap();
    assert_eq!((row.liked, row.rating), (true, Some(2)));
    let err = store.toggle_liked("no-such-job").unwrap_err();
    assert!(matches!(err, LibraryError::Store(StoreError::NoSuchJob(_))), "{err:?}");
    assert_eq!(parse_rating(" 5 ").unwrap(), 5);
    assert_eq!(parse_rating("6").unwrap_err().to_string(), "a rating is 1 to 5 stars; 6 is not one");
    assert_eq!(parse_rating("lots").unwrap_err().to_string(), "a rating is 1 to 5 stars; “lots” is not one");
}

#[test]
fn collection_names_are_trimmed_checked_and_unique_ignoring_case() {
    let (_d, store) = store();
    let mood = store.create_collection("  Moodboard ").unwrap();
    assert_eq!(mood.name, "Moodboard");
    for taken in ["moodboard", "MOODBOARD  "] {
        let err = store.create_collection(taken).unwrap_err();
        assert_eq!(
            err.to_string(),
            "there is already a collection named “Moodboard” (names are the same whatever their case)"
        );
    }
    // Unicode case too, not only ASCII.
    store.create_collection("Été").unwrap();
    assert!(matches!(store.create_collection("ÉTÉ"), Err(LibraryError::NameTaken(_))));
    assert!(matches!(check_collection_name("   "), Err(LibraryError::EmptyName)));
    let long = "x".repeat(101);
    assert_eq!(
        check_collection_name(&long).unwrap_err().to_string(),
        "a collection name is at most 100 characters; this one has 101"
    );
    assert_eq!(check_collection_name(&"é".repeat(100)).unwrap().chars().count(), 100);
    assert!(matches!(check_collection_name("two\nlines"), Err(LibraryError::ControlInName)));
    // Renaming to its own name in another case is fine; to another's name is not.
    let renamed = store.rename_collection(mood.id, "MOODBOARD").unwrap();
    assert_eq!((renamed.id, renamed.name.as_str()), (mood.id, "MOODBOARD"));
    assert!(matches!(store.rename_collection(mood.id, "été"), Err(LibraryError::NameTaken(n)) if n == "Été"));
    assert!(matches!(store.rename_collection(mood.id, ""), Err(LibraryError::EmptyName)));
    let names: Vec<String> = store.collections().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["MOODBOARD", "Été"]);
    assert_eq!(store.collection_named(" moodboard").unwrap().map(|c| c.id), Some(mood.id));
}

#[test]
fn collections_hold_jobs_a_job_can_be_in_several_and_a_bad_id_changes_nothing() {
    let (_d, store) = store();
    let jobs: Vec<Job> = (0..3).map(|i| imagine(&format!("job {i}"), i)).collect();
    for j in &jobs {
        store.insert_job(j).unwrap();
    }
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    let got = store.add_to_collection_named("Birds", &ids[..2]).unwrap();
    assert!(got.created);
    assert_eq!((got.added, got.collection.jobs), (2, 2));
    let again = store.add_to_collection_named("birds", &ids).unwrap();
    assert!(!again.created);
    assert_eq!((again.added, again.collection.jobs), (1, 3), "only the new one is added");
    let other = store.create_collection("Favourites").unwrap();
    assert_eq!(store.add_to_collection(other.id, &[ids[0]]).unwrap(), 1);
    let of_first: Vec<String> = store.marks(ids[0]).unwrap().collections.into_iter().map(|c| c.name).collect();
    assert_eq!(of_first, ["Birds", "Favourites"]);
    // An unknown job among good ones: refused whole, and no collection made for it.
    let err = store.add_to_collection_named("New one", &[ids[1], "missing"]).unwrap_err();
    assert!(matches!(err, LibraryError::Store(StoreError::NoSuchJob(ref id)) if id == "missing"), "{err:?}");
    assert!(store.collection_named("New one").unwrap().is_none());
    assert!(store.add_to_collection(other.id, &[ids[2], "missing"]).is_err());
    assert_eq!(store.collection_jobs(other.id).unwrap(), [ids[0]]);
    // Newest first.
    assert_eq!(store.collection_jobs(got.collection.id).unwrap(), [ids[2], ids[1], ids[0]]);
    assert_eq!(store.remove_from_collection(got.collection.id, &[ids[0], ids[0]]).unwrap(), 1);
    assert_eq!(store.remove_from_collection(got.collection.id, &[ids[0]]).unwrap(), 0);
    // Deleting a collection leaves its jobs.
    assert_eq!(store.delete_collection(got.collection.id).unwrap(), 2);
    assert_eq!(store.count_jobs().unwrap(), 3);
    assert!(matches!(store.delete_collection(got.collection.id), Err(LibraryError::NoSuchCollection(_))));
    assert!(matches!(store.add_to_collection(CollectionId(999), &[ids[0]]), Err(LibraryError::NoSuchCollection(_))));
    let left: Vec<(String, u64)> = store.collections().unwrap().into_iter().map(|c| (c.name, c.jobs)).collect();
    assert_eq!(left, [("Favourites".to_owned(), 1)]);
}

/// Writes `job` the way schema version 4 stored it (no marks, no facets).
fn insert_v4(conn: &Connection, job: &Job, cache: &crate::cache::ImageCache) {
    let request = rows::encode_request(job, cache).unwrap();
    let mut values = rows::encode_fixed(job, request).unwrap();
    values.extend(rows::encode_state(job, job.created_at).unwrap());
    let columns: Vec<&str> = rows::FIXED_COLUMNS.iter().chain(rows::STATE_COLUMNS.iter()).copied().collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO jobs ({}) VALUES ({})", columns.join(", "), marks.join(", "));
    conn.execute(&sql, rusqlite::params_from_iter(values)).unwrap();
    for (role, idx, url, path, error) in rows::encode_images(job) {
        conn.execute(
            "INSERT INTO images (job_id, role, idx, url, local_path, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![job.id, role, idx, url, path, error],
        )
        .unwrap();
    }
}

#[test]
fn a_version_4_file_with_jobs_migrates_and_its_jobs_are_filtered_and_counted() {
    let dir = tmp();
    let cache = crate::cache::ImageCache::new(dir.path().join("images"));
    let mut raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    schema::create_at_version(&mut raw, 4).unwrap();
    let mut wide = imagine("a wide valley —aspect 16:9 --niji 6", 10);
    wide.options.mode = Some(Mode::Relax);
    let square = imagine("a square tile --v 6.1", 20);
    let mut blend = Job::new(
        Provider::Vtrix,
        "https://api.vtrix.ai",
        JobRequest::Blend { images: Vec::new(), dimensions: Some(Dimensions::Landscape) },
        SubmitOptions::default(),
    );
    blend.created_at = 30;
    let (full, edit) = (full_job(), failed_edit());
    for j in [&wide, &square, &blend, &full, &edit] {
        insert_v4(&raw, j, &cache);
    }
    drop(raw);

    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.conn().pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), schema::LATEST);
    for j in [&wide, &square, &blend, &full, &edit] {
        assert_eq!(store.get_job(&j.id).unwrap().as_ref(), Some(j), "jobs read back unchanged");
    }
    let ids =
        |f: &JobFilter| -> Vec<String> { store.summaries(f, 0, 50).unwrap().rows.into_iter().map(|r| r.id).collect() };
    let wide_only = JobFilter { aspect: Some("16:9".into()), ..Default::default() };
    assert_eq!(ids(&wide_only), [wide.id.clone()]);
    assert_eq!(store.count(&wide_only).unwrap(), 1);
    let landscape = JobFilter { aspect: Some("3:2".into()), ..Default::default() };
    assert_eq!(ids(&landscape), [blend.id.clone()]);
    let niji = JobFilter { model: Some(Some("niji 6".into())), mode: Some(Some("relax".into())), ..Default::default() };
    assert_eq!(ids(&niji), [wide.id.clone()]);
    let vtrix = JobFilter { provider: Some(Provider::Vtrix), ..Default::default() };
    assert_eq!(ids(&vtrix), [edit.id.clone(), blend.id.clone()]);
    let counts = store.facet_counts(&JobFilter::default()).unwrap();
    assert_eq!(counts.total, 5);
    assert_eq!(counts.liked, 0);
    // The migrated jobs take marks like any other.
    store.set_liked(&square.id, true).unwrap();
    let liked = JobFilter { liked: true, ..Default::default() };
    assert_eq!(ids(&liked), std::slice::from_ref(&square.id));
    assert_eq!(store.facet_counts(&JobFilter::default()).unwrap().liked, 1);
}
