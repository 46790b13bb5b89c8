//! The designer's library: a like and a 1-5 star rating per job, and named collections that
//! hold any jobs (a job can be in several).
//!
//! Every change is one transaction that checks everything first: a call naming a job that is
//! not there, or a name that is taken, changes nothing.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Store, StoreError};
use crate::job::now_ms;

/// The most characters a collection name has.
pub const MAX_COLLECTION_NAME: usize = 100;

/// Why a library change was refused, in words a designer can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LibraryError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error("a rating is 1 to 5 stars; {0} is not one")]
    BadRating(String),

    #[error("a collection needs a name")]
    EmptyName,

    #[error("a collection name is at most {MAX_COLLECTION_NAME} characters; this one has {0}")]
    NameTooLong(usize),

    #[error("a collection name cannot hold line breaks, tabs or other control characters")]
    ControlInName,

    #[error("there is already a collection named “{0}” (names are the same whatever their case)")]
    NameTaken(String),

    #[error("there is no collection named “{0}”")]
    NoSuchCollection(String),
}

/// A collection's id: it stays when the collection is renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CollectionId(pub i64);

/// A collection and how many jobs it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub id: CollectionId,
    pub name: String,
    pub jobs: u64,
    pub created_at: i64,
}

/// What the designer marked a job with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    pub liked: bool,
    pub rating: Option<u8>,
    /// The collections holding the job, by name.
    pub collections: Vec<Collection>,
}

/// What [`Store::add_to_collection_named`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collected {
    pub collection: Collection,
    /// Jobs newly added (those already in it are counted out).
    pub added: u64,
    /// True when the collection was made for this call.
    pub created: bool,
}

/// A collection name made ready to store: trimmed, 1 to 100 characters, no control characters.
pub fn check_collection_name(name: &str) -> Result<String, LibraryError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(LibraryError::EmptyName);
    }
    let chars = name.chars().count();
    if chars > MAX_COLLECTION_NAME {
        return Err(LibraryError::NameTooLong(chars));
    }
    if name.chars().any(char::is_control) {
        return Err(LibraryError::ControlInName);
    }
    Ok(name.to_owned())
}

/// Reads a star rating as typed: a whole number from 1 to 5.
pub fn parse_rating(text: &str) -> Result<u8, LibraryError> {
    match text.trim().parse::<i64>() {
        Ok(n @ 1..=5) => Ok(n as u8),
        Ok(n) => Err(LibraryError::BadRating(n.to_string())),
        Err(_) => Err(LibraryError::BadRating(format!("“{}”", crate::textsafe::line(text.trim(), 20)))),
    }
}

/// What names are compared by: two names with the same key are the same collection.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

const COLLECTION_SELECT: &str = "SELECT c.id, c.name, c.created_at, (SELECT count(*) FROM collection_jobs m WHERE m.collection_id = c.id) \
     FROM collections c";

fn read_collection(r: &rusqlite::Row<'_>) -> rusqlite::Result<Collection> {
    Ok(Collection {
        id: CollectionId(r.get(0)?),
        name: r.get(1)?,
        created_at: r.get(2)?,
        jobs: r.get::<_, i64>(3)?.max(0) as u64,
    })
}

impl Store {
    /// Likes job `id`, or takes the like back.
    pub fn set_liked(&self, id: &str, liked: bool) -> Result<(), LibraryError> {
        self.write_library(|tx| set_mark(tx, id, "liked", Some(i64::from(liked))))
    }

    /// Turns the like of job `id` over; returns whether it is liked now.
    pub fn toggle_liked(&self, id: &str) -> Result<bool, LibraryError> {
        self.write_library(|tx| {
            let liked = !read_marks(tx, id)?.0;
            set_mark(tx, id, "liked", Some(i64::from(liked)))?;
            Ok(liked)
        })
    }

    /// Rates job `id` 1 to 5 stars, or (None) takes its rating away.
    pub fn set_rating(&self, id: &str, stars: Option<u8>) -> Result<(), LibraryError> {
        if let Some(n) = stars.filter(|n| !(1..=5).contains(n)) {
            return Err(LibraryError::BadRating(n.to_string()));
        }
        self.write_library(|tx| set_mark(tx, id, "rating", stars.map(i64::from)))
    }

    /// The like, rating and collections of job `id`.
    pub fn marks(&self, id: &str) -> Result<Marks, LibraryError> {
        let conn = self.conn();
        let (liked, rating) = read_marks(&conn, id).map_err(|e| self.refused(e))?;
        let sql = format!(
            "{COLLECTION_SELECT} WHERE c.id IN (SELECT collection_id FROM collection_jobs WHERE job_id = ?1) \
             ORDER BY c.name_key"
        );
        let collections = conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_map([id], read_collection)?.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(Marks { liked, rating, collections })
    }

    /// Every collection, by name (ignoring case), with how many jobs each holds.
    pub fn collections(&self) -> Result<Vec<Collection>, StoreError> {
        let sql = format!("{COLLECTION_SELECT} ORDER BY c.name_key");
        self.conn()
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_map([], read_collection)?.collect())
            .map_err(|e| self.err(e))
    }

    /// The collection called `name` (ignoring case and the spaces around it), if there is one.
    pub fn collection_named(&self, name: &str) -> Result<Option<Collection>, StoreError> {
        let conn = self.conn();
        find_named(&conn, name).map_err(|e| self.err(e))
    }

    /// Makes an empty collection.
    pub fn create_collection(&self, name: &str) -> Result<Collection, LibraryError> {
        let name = check_collection_name(name)?;
        self.write_library(|tx| create(tx, &name))
    }

    /// Renames collection `id`; a name only differing in case from its own is fine.
    pub fn rename_collection(&self, id: CollectionId, name: &str) -> Result<Collection, LibraryError> {
        let name = check_collection_name(name)?;
        self.write_library(|tx| {
            let mine = find_id(tx, id)?;
            if let Some(other) = find_named(tx, &name)?.filter(|c| c.id != id) {
                return Err(LibraryError::NameTaken(other.name).into());
            }
            tx.execute(
                "UPDATE collections SET name = ?2, name_key = ?3 WHERE id = ?1",
                params![id.0, name, name_key(&name)],
            )?;
            Ok(Collection { name, ..mine })
        })
    }

    /// Deletes collection `id` (its jobs stay); returns how many jobs it held.
    pub fn delete_collection(&self, id: CollectionId) -> Result<u64, LibraryError> {
        self.write_library(|tx| {
            let held = find_id(tx, id)?.jobs;
            tx.execute("DELETE FROM collections WHERE id = ?1", [id.0])?;
            Ok(held)
        })
    }

    /// Puts jobs (by our id) in collection `id`; returns how many were not in it already.
    pub fn add_to_collection(&self, id: CollectionId, jobs: &[&str]) -> Result<u64, LibraryError> {
        self.write_library(|tx| {
            find_id(tx, id)?;
            add(tx, id, jobs)
        })
    }

    /// Puts jobs in the collection called `name`, making it first if there is none.
    pub fn add_to_collection_named(&self, name: &str, jobs: &[&str]) -> Result<Collected, LibraryError> {
        let name = check_collection_name(name)?;
        self.write_library(|tx| {
            let (found, created) = match find_named(tx, &name)? {
                Some(c) => (c, false),
                None => (create(tx, &name)?, true),
            };
            let added = add(tx, found.id, jobs)?;
            let collection = find_id(tx, found.id)?;
            Ok(Collected { collection, added, created })
        })
    }

    /// Takes jobs out of collection `id`; returns how many were in it.
    pub fn remove_from_collection(&self, id: CollectionId, jobs: &[&str]) -> Result<u64, LibraryError> {
        self.write_library(|tx| {
            find_id(tx, id)?;
            let mut removed = 0;
            let mut delete =
                tx.prepare_cached("DELETE FROM collection_jobs WHERE collection_id = ?1 AND job_id = ?2")?;
            for job in jobs {
                read_marks(tx, job)?;
                removed += delete.execute(params![id.0, job])? as u64;
            }
            Ok(removed)
        })
    }

    /// Our ids of the jobs in collection `id`, newest first.
    pub fn collection_jobs(&self, id: CollectionId) -> Result<Vec<String>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT j.id FROM collection_jobs c JOIN jobs j ON j.id = c.job_id WHERE c.collection_id = ?1 \
                 ORDER BY j.created_at DESC, j.rowid DESC",
            )
            .and_then(|mut s| s.query_map([id.0], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))
    }

    /// Runs `f` in one IMMEDIATE transaction (the write lock taken first, waiting as the busy
    /// timeout allows); nothing is kept unless it returns Ok.
    fn write_library<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>) -> Result<T, LibraryError> {
        let mut conn = self.conn();
        let run = |conn: &mut rusqlite::Connection| -> Result<T, Fail> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run(&mut conn).map_err(|e| self.refused(e))
    }

    fn refused(&self, e: Fail) -> LibraryError {
        match e {
            Fail::Sql(e) => LibraryError::Store(self.err(e)),
            Fail::Refused(e) => e,
        }
    }
}

/// A failure inside a library call: SQLite's (given the file's path on the way out) or a
/// refusal.
enum Fail {
    Sql(rusqlite::Error),
    Refused(LibraryError),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Sql(e)
    }
}

impl From<LibraryError> for Fail {
    fn from(e: LibraryError) -> Self {
        Fail::Refused(e)
    }
}

fn no_such_job(id: &str) -> Fail {
    Fail::Refused(LibraryError::Store(StoreError::NoSuchJob(id.to_owned())))
}

fn read_marks(conn: &rusqlite::Connection, id: &str) -> Result<(bool, Option<u8>), Fail> {
    conn.prepare_cached("SELECT liked, rating FROM jobs WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, i64>(0)? != 0, r.get::<_, Option<u8>>(1)?)))
        .optional()?
        .ok_or_else(|| no_such_job(id))
}

/// `column` is `liked` or `rating`.
fn set_mark(tx: &Transaction<'_>, id: &str, column: &str, value: Option<i64>) -> Result<(), Fail> {
    let sql = format!("UPDATE jobs SET {column} = ?2 WHERE id = ?1");
    if tx.prepare_cached(&sql)?.execute(params![id, value])? == 0 {
        return Err(no_such_job(id));
    }
    Ok(())
}

fn find_named(conn: &rusqlite::Connection, name: &str) -> rusqlite::Result<Option<Collection>> {
    let sql = format!("{COLLECTION_SELECT} WHERE c.name_key = ?1");
    conn.prepare_cached(&sql)?.query_row([name_key(name)], read_collection).optional()
}

fn find_id(conn: &rusqlite::Connection, id: CollectionId) -> Result<Collection, Fail> {
    let sql = format!("{COLLECTION_SELECT} WHERE c.id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id.0], read_collection)
        .optional()?
        .ok_or_else(|| Fail::Refused(LibraryError::NoSuchCollection(format!("#{}", id.0))))
}

fn create(tx: &Transaction<'_>, name: &str) -> Result<Collection, Fail> {
    if let Some(existing) = find_named(tx, name)? {
        return Err(LibraryError::NameTaken(existing.name).into());
    }
    let now = now_ms();
    tx.execute(
        "INSERT INTO collections (name, name_key, created_at) VALUES (?1, ?2, ?3)",
        params![name, name_key(name), now],
    )?;
    Ok(Collection { id: CollectionId(tx.last_insert_rowid()), name: name.to_owned(), jobs: 0, created_at: now })
}

fn add(tx: &Transaction<'_>, id: CollectionId, jobs: &[&str]) -> Result<u64, Fail> {
    let now = now_ms();
    let mut added = 0;
    let mut insert = tx.prepare_cached(
        "INSERT INTO collection_jobs (collection_id, job_id, job_rowid, added_at) \
         SELECT ?1, id, rowid, ?3 FROM jobs WHERE id = ?2 ON CONFLICT DO NOTHING",
    )?;
    for job in jobs {
        read_marks(tx, job)?;
        added += insert.execute(params![id.0, job, now])? as u64;
    }
    Ok(added)
}
