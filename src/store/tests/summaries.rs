//! Slim summaries, filters, prompt search, children, watermarks; payloads out of the row.

use super::*;
use crate::store::{JobFilter, StatusGroup, Store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

fn prompts(page: &crate::store::SummaryPage) -> Vec<String> {
    page.rows.iter().map(|r| r.prompt.clone().unwrap_or_default()).collect()
}

#[test]
fn pages_of_summaries_are_newest_first_with_their_local_images() {
    let (_d, store) = store();
    for (i, p) in ["a red fox", "a blue whale", "a green forest"].iter().enumerate() {
        let mut j = imagine(p, 100 + i as i64);
        if i == 1 {
            j.images = (0..4)
                .map(|n| JobImage {
                    url: format!("https://x/{n}.png"),
                    local_path: (n != 2).then(|| format!("/d/{n}.png").into()),
                    error: None,
                })
                .collect();
        }
        store.insert_job(&j).unwrap();
    }
    let all = JobFilter::default();
    assert_eq!(store.count(&all).unwrap(), 3);
    let page = store.summaries(&all, 0, 2).unwrap();
    assert_eq!(prompts(&page), ["a green forest", "a blue whale"]);
    let paths: Vec<String> = page.rows[1].images.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(paths, ["/d/0.png", "/d/1.png", "/d/3.png"]);
    assert_eq!(prompts(&store.summaries(&all, 2, 2).unwrap()), ["a red fox"]);
}

#[test]
fn search_finds_words_anywhere_in_the_prompt_as_prefixes_in_any_order() {
    let (_d, store) = store();
    store.insert_job(&imagine("a red fox in the snow --ar 3:2", 1)).unwrap();
    store.insert_job(&imagine("Foxes at dawn", 2)).unwrap();
    store.insert_job(&imagine("a lighthouse", 3)).unwrap();
    let find = |text: &str| {
        let f = JobFilter { text: text.into(), ..Default::default() };
        let n = store.count(&f).unwrap();
        let page = store.summaries(&f, 0, 10).unwrap();
        assert_eq!(n as usize, page.rows.len());
        prompts(&page)
    };
    assert_eq!(find("fox"), ["Foxes at dawn", "a red fox in the snow --ar 3:2"]);
    assert_eq!(find("snow red"), ["a red fox in the snow --ar 3:2"]);
    assert_eq!(find("LIGHT"), ["a lighthouse"]);
    assert!(find("whale").is_empty());
    assert_eq!(find("--ar 3:2"), ["a red fox in the snow --ar 3:2"]);
    assert_eq!(find("\"quoted"), Vec::<String>::new(), "quotes in the text do not break the query");
    // A prompt changed later is found by its new words (the index follows updates).
    let mut j = imagine("placeholder", 4);
    store.insert_job(&j).unwrap();
    j.prompt = Some("a castle on a hill".into());
    store.save_job(&j).unwrap();
    assert_eq!(find("castle"), ["a castle on a hill"]);
    assert!(find("placeholder").is_empty());
}

#[test]
fn filters_by_status_group_and_kind_combine_with_search() {
    let (_d, store) = store();
    let mut done = imagine("a fox done", 1);
    done.status = JobStatus::Succeeded;
    let mut failed = imagine("a fox failed", 2);
    failed.status = JobStatus::Failed { reason: "x".into() };
    let running = imagine("a fox running", 3);
    let edit = failed_edit();
    for j in [&done, &failed, &running, &edit] {
        store.insert_job(j).unwrap();
    }
    let f = |status, kind: Option<&str>, text: &str| JobFilter {
        text: text.into(),
        status,
        kind: kind.map(Into::into),
        ..Default::default()
    };
    assert_eq!(store.count(&f(Some(StatusGroup::Succeeded), None, "")).unwrap(), 1);
    assert_eq!(store.count(&f(Some(StatusGroup::Failed), None, "")).unwrap(), 2, "failed and the failed edit");
    assert_eq!(store.count(&f(Some(StatusGroup::InProgress), None, "")).unwrap(), 1);
    assert_eq!(store.count(&f(None, Some("retexture"), "")).unwrap(), 1);
    assert_eq!(store.count(&f(None, Some("imagine"), "fox")).unwrap(), 3);
    assert_eq!(store.count(&f(Some(StatusGroup::Failed), Some("imagine"), "fox")).unwrap(), 1);
}

#[test]
fn children_come_oldest_first_as_summaries() {
    let (_d, store) = store();
    let parent = imagine("parent", 1);
    store.insert_job(&parent).unwrap();
    for i in 0..3 {
        let mut c = imagine(&format!("child {i}"), 10 + i);
        c.parent_id = Some(parent.id.clone());
        store.insert_job(&c).unwrap();
    }
    assert_eq!(prompts(&store.child_summaries(&parent.id).unwrap()), ["child 0", "child 1", "child 2"]);
}

#[test]
fn progress_saves_never_rewrite_the_request_and_payloads_live_in_the_cache() {
    let (dir, store) = store();
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 253) as u8).collect();
    let request = JobRequest::Describe { image: ImageInput::Bytes { bytes: big.clone(), mime: "image/png".into() } };
    let mut job = Job::new(Provider::Ttapi, "https://api.ttapi.io", request, SubmitOptions::default());
    store.insert_job(&job).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
    let stored: String = conn.query_row("SELECT request FROM jobs WHERE id = ?1", [&job.id], |r| r.get(0)).unwrap();
    assert!(stored.len() < 300, "the row holds a reference: {stored}");
    assert!(store.cache().path_for(&crate::cache::hash_hex(&big)).is_some(), "the input is in the cache");
    // Tamper with the stored request: a progress save must not write it back.
    conn.execute("UPDATE jobs SET request = 'left alone' WHERE id = ?1", [&job.id]).unwrap();
    job.status = JobStatus::Running { progress: 50 };
    job.last_raw = Some("x".repeat(50_000));
    store.save_job(&job).unwrap();
    let (request, raw): (String, String) = conn
        .query_row("SELECT request, last_raw FROM jobs WHERE id = ?1", [&job.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(request, "left alone");
    assert!(raw.len() < 5_000 && raw.contains("more bytes not kept"), "raw answers are capped: {}", raw.len());
}

#[test]
fn another_connections_commit_moves_data_version_and_updated_since_finds_it() {
    let (dir, store) = store();
    let before = store.data_version().unwrap();
    let mark = store.last_update().unwrap();
    store.insert_job(&imagine("ours", 1)).unwrap();
    assert_eq!(store.data_version().unwrap(), before, "our own writes do not count");
    let other = Store::open(dir.path()).unwrap();
    other.insert_job(&imagine("theirs", 2)).unwrap();
    assert_ne!(store.data_version().unwrap(), before);
    let changed = store.jobs_updated_since(mark, 10).unwrap();
    let names: Vec<String> = changed.into_iter().map(|(_, j)| j.unwrap().prompt.unwrap()).collect();
    assert!(names.contains(&"theirs".to_owned()), "{names:?}");
}
