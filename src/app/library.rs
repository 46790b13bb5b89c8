//! The library's store work for the window, off its thread: collections (read, made, renamed,
//! deleted, filled, emptied) and the filter menus' counts. Each call runs on the tokio
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

    /// The menus' counts under `filter`, answered with `generation`.
    pub fn facets(&self, generation: u64, filter: JobFilter) {
        self.run(move |s, send| send(LibraryNews::Facets { generation, counts: s.facet_counts(&filter) }));
    }

    pub fn try_recv(&self) -> Option<LibraryNews> {
        self.rx.try_recv().ok()
    }
}
