//! The database layout and the numbered steps that build it.
//!
//! `PRAGMA user_version` holds how many steps a file has had. Each step runs in its own
//! IMMEDIATE transaction together with the version bump, so a crash leaves the file at a
//! whole step, and a CLI and an app opening the same file at once cannot both apply it.
//! `PRAGMA application_id` marks the file as mjdesk's, so another program's SQLite file
//! that happens to sit at our path is refused rather than filled with our tables.

use rusqlite::{Connection, TransactionBehavior};

/// "mjdk" in ASCII.
pub(super) const APPLICATION_ID: i64 = 0x6d6a_646b;

/// Step N (1-based) takes a file from version N-1 to N. Never edit a released step; add one.
const MIGRATIONS: &[&str] = &[
    // 1: jobs, their images, settings and prompt history.
    "CREATE TABLE jobs (
        id           TEXT PRIMARY KEY NOT NULL,
        provider     TEXT NOT NULL,
        base_url     TEXT NOT NULL,
        gateway_id   TEXT,
        parent_id    TEXT,
        kind         TEXT NOT NULL,   -- JSON JobKind
        request      TEXT NOT NULL,   -- JSON JobRequest (image bytes as base64)
        options      TEXT NOT NULL,   -- JSON SubmitOptions
        prompt       TEXT,
        status       TEXT NOT NULL,   -- JSON JobStatus
        status_word  TEXT NOT NULL,   -- its tag, for queries
        progress     INTEGER,
        raw_status   TEXT,
        actions      TEXT NOT NULL,   -- JSON array of strings
        seed         TEXT,
        quota        TEXT,
        prompts      TEXT NOT NULL,   -- JSON array of strings
        image_id     TEXT,
        width        INTEGER,
        height       INTEGER,
        last_raw     TEXT,
        created_at   INTEGER NOT NULL,
        submitted_at INTEGER,
        finished_at  INTEGER,
        deadline_at  INTEGER,
        updated_at   INTEGER NOT NULL
    );
    CREATE INDEX jobs_newest ON jobs(created_at DESC);
    CREATE INDEX jobs_children ON jobs(parent_id, created_at) WHERE parent_id IS NOT NULL;
    CREATE INDEX jobs_unfinished ON jobs(created_at) WHERE status_word NOT IN ('succeeded', 'failed');
    CREATE INDEX jobs_gateway ON jobs(provider, gateway_id) WHERE gateway_id IS NOT NULL;

    CREATE TABLE images (
        job_id     TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        role       TEXT NOT NULL CHECK (role IN ('grid', 'image')),
        idx        INTEGER NOT NULL,
        url        TEXT NOT NULL,
        local_path ANY,               -- TEXT, or BLOB for a path that is not UTF-8
        error      TEXT,
        PRIMARY KEY (job_id, role, idx)
    ) WITHOUT ROWID;

    CREATE TABLE settings (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE prompt_history (
        prompt  TEXT PRIMARY KEY NOT NULL,
        used_at INTEGER NOT NULL,
        count   INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX prompt_history_recent ON prompt_history(used_at DESC);",
    // 2: what the window's list needs over the whole history: filters by kind and status,
    // changes since a moment (another process's work), and prompt search (FTS5, kept in
    // step with `jobs` by triggers; external content, so prompts are not stored twice).
    "ALTER TABLE jobs ADD COLUMN kind_word TEXT GENERATED ALWAYS AS (json_extract(kind, '$.kind')) VIRTUAL;
    CREATE INDEX jobs_updated ON jobs(updated_at);
    CREATE INDEX jobs_status ON jobs(status_word, created_at);
    CREATE INDEX jobs_kind ON jobs(kind_word, created_at);
    CREATE VIRTUAL TABLE jobs_fts USING fts5(
        prompt, prompts, content = 'jobs', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_fts (rowid, prompt, prompts) VALUES (new.rowid, new.prompt, new.prompts);
    END;
    CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        INSERT INTO jobs_fts (jobs_fts, rowid, prompt, prompts) VALUES ('delete', old.rowid, old.prompt, old.prompts);
    END;
    CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt, prompts ON jobs BEGIN
        INSERT INTO jobs_fts (jobs_fts, rowid, prompt, prompts) VALUES ('delete', old.rowid, old.prompt, old.prompts);
        INSERT INTO jobs_fts (rowid, prompt, prompts) VALUES (new.rowid, new.prompt, new.prompts);
    END;
    INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild');",
    // 3: a submit claim names its owner (process id, when it was taken) and is renewed while
    // the call is in flight, so another process tells a live submit from an abandoned one.
    "ALTER TABLE jobs ADD COLUMN claim_pid INTEGER;
    ALTER TABLE jobs ADD COLUMN claim_started INTEGER;
    ALTER TABLE jobs ADD COLUMN claim_renewed_at INTEGER;",
    // 4: masks being painted, kept as drafts so a crash does not lose them: one row a draft
    // (its key names the flow and the job or file, its size is the image's), and the mask's
    // 64 x 64 tiles run-length encoded, written a few at a time as they change.
    "CREATE TABLE mask_drafts (
        key        TEXT PRIMARY KEY NOT NULL,
        width      INTEGER NOT NULL,
        height     INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE mask_draft_tiles (
        key   TEXT NOT NULL REFERENCES mask_drafts(key) ON DELETE CASCADE,
        tile  INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (key, tile)
    ) WITHOUT ROWID;",
];

/// The schema version this build writes.
pub(super) const LATEST: i64 = MIGRATIONS.len() as i64;

/// Why a file could not be brought to [`LATEST`].
pub(super) enum MigrateError {
    Sqlite(rusqlite::Error),
    TooNew(i64),
    Foreign(String),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Refuses a file that is not (and cannot become) an mjdesk database, before touching it.
fn check_owner(conn: &Connection, version: i64) -> Result<(), MigrateError> {
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if app_id == APPLICATION_ID {
        return Ok(());
    }
    if app_id != 0 {
        return Err(MigrateError::Foreign(format!("it belongs to another program (application id {app_id:#x})")));
    }
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if version != 0 || objects != 0 {
        return Err(MigrateError::Foreign("it holds tables mjdesk did not create".into()));
    }
    Ok(())
}

/// Brings the file to [`LATEST`]; a no-op on a file already there.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let found = user_version(conn)?;
    check_owner(conn, found)?;
    if found > LATEST {
        return Err(MigrateError::TooNew(found));
    }
    for (step, sql) in MIGRATIONS.iter().enumerate() {
        let target = step as i64 + 1;
        if found >= target {
            continue;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated between our first look and taking the lock.
        let now = user_version(&tx)?;
        if now > LATEST {
            return Err(MigrateError::TooNew(now));
        }
        if now >= target {
            continue;
        }
        check_owner(&tx, now)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", target)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}
