//! What can go wrong with the job database, in words a designer can act on.
//!
//! SQLite's own codes are folded into a few cases that call for different actions (move a
//! damaged file aside, update mjdesk, close the other window, free disk space); everything
//! else keeps SQLite's text as detail. No variant ever holds a setting's value or a key.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("the folder {} for mjdesk's data could not be created: {detail}", .path.display())]
    CreateDir { path: PathBuf, detail: String },

    #[error("the job database at {} could not be opened: {detail}", .path.display())]
    Open { path: PathBuf, detail: String },

    #[error(
        "the job database at {} could not be opened: it is not an mjdesk database, or it is damaged \
         ({detail}); move the file aside and mjdesk starts a new one",
        .path.display()
    )]
    NotADatabase { path: PathBuf, detail: String },

    #[error(
        "the job database at {} was written by a newer mjdesk (schema version {found}, this version \
         knows up to {known}); update mjdesk to open it",
        .path.display()
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },

    #[error(
        "the job database at {} stayed locked by another program; close other mjdesk windows or \
         commands that use it and try again",
        .path.display()
    )]
    Busy { path: PathBuf },

    #[error("the disk is full: the job database at {} cannot be written; free some space and try again", .path.display())]
    DiskFull { path: PathBuf },

    #[error("the job database at {} cannot be written to: {detail}", .path.display())]
    ReadOnly { path: PathBuf, detail: String },

    #[error("the job database at {} failed: {detail}", .path.display())]
    Database { path: PathBuf, detail: String },

    #[error(
        "job {id} in the database could not be read ({field}: {detail}); it may have been written \
         by a newer mjdesk"
    )]
    BadRow { id: String, field: &'static str, detail: String },

    #[error("job {id} could not be prepared for saving ({field}: {detail})")]
    Encode { id: String, field: &'static str, detail: String },

    #[error("a job with id {0} is already in the database")]
    DuplicateJob(String),

    #[error("no job with id {0} is in the database")]
    NoSuchJob(String),

    #[error(
        "the setting name `{0}` looks like it would hold a secret; API keys live in the system \
         keyring or the credentials file, never in the job database"
    )]
    SecretSetting(String),
}

impl StoreError {
    /// Folds a SQLite failure on the database at `path` into the case the designer must act on.
    /// `opening` turns otherwise unclassified failures into [`StoreError::Open`].
    pub(crate) fn sqlite(path: &Path, e: rusqlite::Error, opening: bool) -> Self {
        let path = path.to_path_buf();
        let detail = e.to_string();
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::NotADatabase { path, detail },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path },
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
            // SQLite reports some writes that fail for want of space (a sync, a truncate, the
            // shared-memory file) as "disk I/O error": the folder is checked before saying so.
            Some(ErrorCode::SystemIoFailure) if no_space_beside(&path) => StoreError::DiskFull { path },
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => StoreError::ReadOnly { path, detail },
            _ if opening => StoreError::Open { path, detail },
            _ => StoreError::Database { path, detail },
        }
    }
}

/// True when a small file cannot be written next to `path` because the disk (or the user's
/// quota) is full. Used only once a write has already failed.
pub(crate) fn no_space_beside(path: &Path) -> bool {
    use std::io::Write;
    let Some(dir) = path.parent() else { return false };
    let probe = dir.join(format!(".mjdesk-space-check-{}", std::process::id()));
    let written = std::fs::File::create(&probe).and_then(|mut f| {
        f.write_all(&[0u8; 64 * 1024])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    match written {
        Ok(()) => false,
        Err(e) => e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disk_with_room_is_not_called_full_and_the_check_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!no_space_beside(&dir.path().join("mjdesk.sqlite3")));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let full = StoreError::DiskFull { path: dir.path().join("mjdesk.sqlite3") };
        assert!(full.to_string().starts_with("the disk is full"), "{full}");
    }
}
