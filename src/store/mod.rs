//! The durable job store: one SQLite file that outlives restarts, crashes and expired links.
//!
//! mjdesk promises never to lose a job, so every job is written before it is sent and the
//! gateway's id the moment a submit answers ([`Store::set_gateway_id`]). The CLI and the app
//! may have the file open at once: WAL mode lets readers run beside a writer, and a 5 s busy
//! timeout lets short writes queue instead of failing.
//!
//! Calls are short and synchronous; run them off the UI thread (the job manager calls them
//! from tokio tasks). A [`Store`] is a cheap handle: clones share one connection.

mod blobs;
mod browse;
mod combos;
mod drafts;
mod error;
mod facets;
mod filter;
mod jobs;
mod library;
mod rows;
mod schema;
mod settings;
mod summaries;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

use crate::cache::ImageCache;

pub use blobs::BlobError;
pub use combos::FacetCounts;
pub use drafts::StoredDraft;
pub use error::StoreError;
pub use facets::{PromptFacets, mode_label, model_label, parameters};
pub use filter::JobFilter;
pub use library::{
    Collected, Collection, CollectionId, LibraryError, MAX_COLLECTION_NAME, Marks, check_collection_name, parse_rating,
};
pub use settings::PromptUse;
pub use summaries::{JobSummary, StatusGroup, SummaryPage};

/// The file name inside the data directory.
pub const DB_FILE: &str = "mjdesk.sqlite3";

/// How long a call waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Where mjdesk keeps its database and image cache: `MJDESK_DATA_DIR` when set, else the
/// platform's data directory (e.g. `~/.local/share/mjdesk` on Linux).
pub fn data_dir() -> PathBuf {
    data_dir_from(std::env::var_os("MJDESK_DATA_DIR"))
}

/// [`data_dir`] with the override passed in, so it can be tested without touching the
/// process environment.
pub(crate) fn data_dir_from(overridden: Option<OsString>) -> PathBuf {
    if let Some(dir) = overridden.filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match directories::ProjectDirs::from("io", "mjdesk", "mjdesk") {
        Some(dirs) => dirs.data_dir().to_path_buf(),
        // No home directory at all (a bare service account): keep data next to the caller
        // rather than in a temp dir that is wiped.
        None => PathBuf::from("mjdesk-data"),
    }
}

/// A handle on the job database. Clone it freely; clones share one connection.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// Where request payloads (input images, masks) and result images are kept.
    cache: ImageCache,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.inner.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) `dir/mjdesk.sqlite3` and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_with_timeout(dir, BUSY_TIMEOUT)
    }

    /// Opens the database in [`data_dir`].
    pub fn open_default() -> Result<Store, StoreError> {
        Self::open(&data_dir())
    }

    pub(crate) fn open_with_timeout(dir: &Path, busy: Duration) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::CreateDir { path: dir.to_path_buf(), detail: e.to_string() })?;
        let path = dir.join(DB_FILE);
        let fail = |e| StoreError::sqlite(&path, e, true);
        let mut conn = Connection::open(&path).map_err(fail)?;
        conn.busy_timeout(busy).map_err(fail)?;
        // The first statement that reads the file: a damaged or foreign file fails here.
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            // Some network file systems refuse WAL; the rollback journal is slower but safe.
            tracing::warn!(path = %path.display(), mode, "job database is not in WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(fail)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(fail)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::MigrateError::Sqlite(e) => fail(e),
            schema::MigrateError::TooNew(found) => {
                StoreError::TooNew { path: path.clone(), found, known: schema::LATEST }
            }
            schema::MigrateError::Foreign(detail) => StoreError::NotADatabase { path: path.clone(), detail },
        })?;
        let cache = ImageCache::new(dir.join("images"));
        Ok(Store { inner: Arc::new(Inner { path, conn: Mutex::new(conn), cache }) })
    }

    /// The image cache beside the database (`<dir>/images`).
    pub fn cache(&self) -> &ImageCache {
        &self.inner.cache
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The connection. A panic elsewhere while holding it leaves nothing half-written (every
    /// write is one transaction), so a poisoned lock is simply taken over.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.inner.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::sqlite(&self.inner.path, e, false)
    }
}
