//! The library's store work for the window, off its thread: collections (read, made, renamed,
//! deleted, filled, emptied), the filter menus' counts, and the ids of a Shift+click range. Each call runs on the tokio
//! runtime's blocking pool and answers over a channel with a repaint, as
//! [`super::background::Loader`] does for the list; the window drains it in `logic`.
//!
//! Every change is answered twice: what became of it ([`LibraryNews::Changed`]), then the
//! collections as they are now, so their counts never lag the change.

use std::sync::mpsc::{Receiver, Sender, channel};

use super::background::Repaint;
use crate::store::{Collection, CollectionId, FacetCounts, JobFilter, LibraryError, Store, StoreError};

/// A change asked of the collections, named for where its answer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Create,
    Rename,
    Delete,
    Add,
    Remove,
}

/// An answer from the library's store work.
#[derive(Debug)]
pub enum LibraryNews {
    /// Every collection, by name, with how many jobs each holds.
    Collections(Result<Vec<Collection>, StoreError>),
    /// What a change did, in words, or why it was refused.
    Changed { change: Change, result: Result<String, LibraryError> },
    /// The ids of the rows a Shift+click range asked for, under `filter`.
    Rows { filter: JobFilter, ids: Result<Vec<String>, StoreError> },
    /// The menus' counts for the filter asked with `generation`.
    Facets { generation: u64, counts: Result<FacetCounts, StoreError> },
}

/// Runs the library's store calls off the window's thread.
pub struct Library {
    store: Store,
    tx: Sender<LibraryNews>,
    rx: Receiver<LibraryNews>,
    repaint: Repaint,
}

impl Library {
    pub fn new(store: Store, repaint: Repaint) -> Self {
        let (tx, rx) = channel();
        Self { store, tx, rx, repaint }
    }

    /// The store this library works on.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn run(&self, work: impl FnOnce(&Store, &dyn Fn(LibraryNews)) + Send + 'static) {
        let (store, tx, repaint) = (self.store.clone(), self.tx.clone(), self.repaint.clone());
        tokio::task::spawn_blocking(move || {
            let send = |news| {
                let _ = tx.send(news);
                repaint();
            };
            work(&store, &send);
        });
    }

    /// Reads every collection.
    pub fn collections(&self) {
        self.run(|s, send| send(LibraryNews::Collections(s.collections())));
    }

    /// Runs `change`, says what it did, then reads the collections again.
    fn change(&self, change: Change, work: impl FnOnce(&Store) -> Result<String, LibraryError> + Send + 'static) {
        self.run(move |s, send| {
            send(LibraryNews::Changed { change, result: work(s) });
            send(LibraryNews::Collections(s.collections()));
        });
    }

    pub fn create(&self, name: String) {
        self.change(Change::Create, move |s| s.create_collection(&name).map(|c| format!("made “{}”", c.name)));
    }

    pub fn rename(&self, id: CollectionId, name: String) {
        self.change(Change::Rename, move |s| {
            s.rename_collection(id, &name).map(|c| format!("renamed to “{}”", c.name))
        });
    }

    pub fn delete(&self, id: CollectionId) {
        self.change(Change::Delete, move |s| {
            s.delete_collection(id).map(|n| format!("deleted the collection; its {n} job(s) are kept"))
        });
    }

    pub fn add(&self, id: CollectionId, jobs: Vec<String>) {
        self.change(Change::Add, move |s| {
            let refs: Vec<&str> = jobs.iter().map(String::as_str).collect();
            s.add_to_collection(id, &refs)
                .map(|n| format!("added {n} job(s) ({} already in it)", jobs.len() as u64 - n))
        });
    }

    pub fn remove(&self, id: CollectionId, jobs: Vec<String>) {
        self.change(Change::Remove, move |s| {
            let refs: Vec<&str> = jobs.iter().map(String::as_str).collect();
            s.remove_from_collection(id, &refs).map(|n| format!("took {n} job(s) out"))
        });
    }

    /// The ids of rows `rows` of the list under `filter`.
    pub fn rows(&self, filter: JobFilter, rows: std::ops::Range<u64>) {
        self.run(move |s, send| {
            let limit = u32::try_from(rows.end - rows.start).unwrap_or(u32::MAX);
            let ids = s.summaries(&filter, rows.start, limit).map(|p| p.rows.into_iter().map(|r| r.id).collect());
            send(LibraryNews::Rows { filter, ids })
        });
    }

    /// The menus' counts under `filter`, answered with `generation`.
    pub fn facets(&self, generation: u64, filter: JobFilter) {
        self.run(move |s, send| send(LibraryNews::Facets { generation, counts: s.facet_counts(&filter) }));
    }

    pub fn try_recv(&self) -> Option<LibraryNews> {
        self.rx.try_recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits (bounded) for the next answer.
    fn next(lib: &Library) -> LibraryNews {
        let start = std::time::Instant::now();
        loop {
            if let Some(n) = lib.try_recv() {
                return n;
            }
            assert!(start.elapsed() < std::time::Duration::from_secs(10), "no answer");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_is_answered_then_the_collections_and_rows_come_by_position() {
        let home = tempfile::tempdir().unwrap();
        let (store, jobs) = crate::export::testing::library(home.path(), 4, 0, 0);
        let lib = Library::new(store.clone(), std::sync::Arc::new(|| {}));
        lib.create("  ".into());
        assert!(matches!(
            next(&lib),
            LibraryNews::Changed { change: Change::Create, result: Err(LibraryError::EmptyName) }
        ));
        assert!(matches!(next(&lib), LibraryNews::Collections(Ok(c)) if c.is_empty()));
        lib.create("Cranes".into());
        let _ = next(&lib);
        let LibraryNews::Collections(Ok(c)) = next(&lib) else { panic!() };
        lib.add(c[0].id, jobs.iter().map(|j| j.id.clone()).collect());
        assert!(
            matches!(next(&lib), LibraryNews::Changed { result: Ok(said), .. } if said == "added 4 job(s) (0 already in it)")
        );
        assert!(matches!(next(&lib), LibraryNews::Collections(Ok(c)) if c[0].jobs == 4));
        let newest: Vec<String> =
            store.summaries(&JobFilter::default(), 0, 10).unwrap().rows.into_iter().map(|r| r.id).collect();
        lib.rows(JobFilter::default(), 1..3);
        let LibraryNews::Rows { ids: Ok(ids), .. } = next(&lib) else { panic!() };
        assert_eq!(ids, newest[1..3]);
    }
}
