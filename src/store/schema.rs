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
    // 5: the library: a like and a 1-5 rating per job, and collections (names unique ignoring
    // case) holding any jobs. What the library's filters read is kept per job in `job_facets` by
    // triggers, so the aspect ratio, model version and mode are read from the prompt once, when
    // it is written, never per query; `facet_totals` counts the jobs of every combination of
    // the facets with status and kind, so the filter menus' counts are a small read.
    "ALTER TABLE jobs ADD COLUMN liked INTEGER NOT NULL DEFAULT 0 CHECK (liked IN (0, 1));
    ALTER TABLE jobs ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);

    CREATE TABLE collections (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        name_key   TEXT NOT NULL UNIQUE,   -- the name as compared: trimmed, lower case
        created_at INTEGER NOT NULL
    );
    CREATE TABLE collection_jobs (
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        job_rowid     INTEGER NOT NULL,   -- the job's rowid in `jobs`, as `job_facets` keys it
        added_at      INTEGER NOT NULL,
        PRIMARY KEY (collection_id, job_id)
    ) WITHOUT ROWID;
    CREATE INDEX collection_jobs_job ON collection_jobs(job_id);

    -- `params` is the prompt from its first ` --` on, with a space at each end, in lower case
    -- (ASCII), tabs and line breaks as spaces, em and en dashes as `--`, `--aspect` as `--ar`
    -- and `--version` as `--v`; one space for a prompt with no parameters, NULL for none.
    -- `store::facets::PromptFacets` reads a prompt the same way (a test holds them equal).
    CREATE TABLE job_facets (
        job_rowid   INTEGER PRIMARY KEY,   -- the job's rowid in `jobs`
        created_at  INTEGER NOT NULL,
        provider    TEXT NOT NULL,
        status_word TEXT NOT NULL,
        kind_word   TEXT NOT NULL,
        liked       INTEGER NOT NULL,
        rating      INTEGER,
        params      TEXT,
        blend_dims  TEXT,                  -- a blend's PORTRAIT, SQUARE or LANDSCAPE
        sent_mode   TEXT,                  -- the mode the job was sent with
        -- the first --ar value; 1:1 for a prompt without one; a blend's from its dimensions
        aspect TEXT GENERATED ALWAYS AS (CASE
            WHEN params IS NULL THEN CASE WHEN kind_word = 'blend' THEN
                CASE blend_dims WHEN 'PORTRAIT' THEN '2:3' WHEN 'LANDSCAPE' THEN '3:2' ELSE '1:1' END END
            WHEN instr(params, ' --ar ') = 0 THEN '1:1'
            ELSE coalesce(nullif(substr(ltrim(substr(params, instr(params, ' --ar ') + 6)), 1,
                instr(ltrim(substr(params, instr(params, ' --ar ') + 6)), ' ') - 1), ''), '1:1') END) STORED,
        -- `niji 6` (`niji` alone) for --niji, the number for --v; NULL when the prompt names none
        model TEXT GENERATED ALWAYS AS (CASE
            WHEN instr(params, ' --niji ') > 0 THEN 'niji' || CASE
                WHEN substr(ltrim(substr(params, instr(params, ' --niji ') + 8)), 1, 1) GLOB '[0-9]'
                THEN ' ' || substr(ltrim(substr(params, instr(params, ' --niji ') + 8)), 1,
                    instr(ltrim(substr(params, instr(params, ' --niji ') + 8)), ' ') - 1)
                ELSE '' END
            WHEN instr(params, ' --v ') > 0
                AND substr(ltrim(substr(params, instr(params, ' --v ') + 5)), 1, 1) GLOB '[0-9]'
            THEN substr(ltrim(substr(params, instr(params, ' --v ') + 5)), 1,
                instr(ltrim(substr(params, instr(params, ' --v ') + 5)), ' ') - 1) END) STORED,
        -- --relax, --fast or --turbo in the prompt, else the mode it was sent with
        mode TEXT GENERATED ALWAYS AS (CASE
            WHEN instr(params, ' --relax ') > 0 THEN 'relax'
            WHEN instr(params, ' --fast ') > 0 THEN 'fast'
            WHEN instr(params, ' --turbo ') > 0 THEN 'turbo'
            ELSE sent_mode END) STORED
    );
    INSERT INTO job_facets
        (job_rowid, created_at, provider, status_word, kind_word, liked, rating, params, blend_dims, sent_mode)
    SELECT rid, created_at, provider, status_word, kind_word, liked, rating,
        CASE WHEN instr(n, ' --') = 0 THEN ' ' ELSE substr(n, instr(n, ' --')) END,
        CASE WHEN kind_word = 'blend' THEN json_extract(request, '$.dimensions') END,
        lower(json_extract(options, '$.mode'))
    FROM (SELECT rowid AS rid, created_at, provider, status_word, coalesce(kind_word, '') AS kind_word, liked,
        rating, request, options, replace(replace(replace(replace(replace(replace(replace(
            ' ' || lower(prompt) || ' ', char(9), ' '), char(10), ' '), char(13), ' '), '—', '--'), '–', '--'),
            ' --aspect ', ' --ar '), ' --version ', ' --v ') AS n
        FROM jobs);
    CREATE INDEX job_facets_newest ON job_facets(created_at);
    CREATE INDEX job_facets_liked ON job_facets(created_at) WHERE liked = 1;
    CREATE INDEX job_facets_rated ON job_facets(created_at) WHERE rating IS NOT NULL;
    CREATE INDEX job_facets_provider ON job_facets(provider, created_at);
    CREATE INDEX job_facets_aspect ON job_facets(aspect, created_at);
    CREATE INDEX job_facets_model ON job_facets(model, created_at);
    CREATE INDEX job_facets_mode ON job_facets(mode, created_at);
    CREATE TRIGGER jobs_facets_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO job_facets
            (job_rowid, created_at, provider, status_word, kind_word, liked, rating, params, blend_dims, sent_mode)
        SELECT new.rowid, new.created_at, new.provider, new.status_word, coalesce(new.kind_word, ''), new.liked,
            new.rating, CASE WHEN instr(n, ' --') = 0 THEN ' ' ELSE substr(n, instr(n, ' --')) END,
            CASE WHEN new.kind_word = 'blend' THEN json_extract(new.request, '$.dimensions') END,
            lower(json_extract(new.options, '$.mode'))
        FROM (SELECT replace(replace(replace(replace(replace(replace(replace(
            ' ' || lower(new.prompt) || ' ', char(9), ' '), char(10), ' '), char(13), ' '), '—', '--'), '–', '--'),
            ' --aspect ', ' --ar '), ' --version ', ' --v ') AS n);
    END;
    CREATE TRIGGER jobs_facets_prompt AFTER UPDATE OF prompt ON jobs WHEN old.prompt IS NOT new.prompt BEGIN
        UPDATE job_facets
        SET params = (SELECT CASE WHEN instr(n, ' --') = 0 THEN ' ' ELSE substr(n, instr(n, ' --')) END
            FROM (SELECT replace(replace(replace(replace(replace(replace(replace(
            ' ' || lower(new.prompt) || ' ', char(9), ' '), char(10), ' '), char(13), ' '), '—', '--'), '–', '--'),
            ' --aspect ', ' --ar '), ' --version ', ' --v ') AS n))
        WHERE job_rowid = new.rowid;
    END;
    CREATE TRIGGER jobs_facets_status AFTER UPDATE OF status_word ON jobs
    WHEN old.status_word IS NOT new.status_word BEGIN
        UPDATE job_facets SET status_word = new.status_word WHERE job_rowid = new.rowid;
    END;
    CREATE TRIGGER jobs_facets_marks AFTER UPDATE OF liked, rating ON jobs BEGIN
        UPDATE job_facets SET liked = new.liked, rating = new.rating WHERE job_rowid = new.rowid;
    END;
    CREATE TRIGGER jobs_facets_delete AFTER DELETE ON jobs BEGIN
        DELETE FROM job_facets WHERE job_rowid = old.rowid;
    END;

    -- A combination whose count falls to 0 keeps its row (with 0): readers skip it.
    CREATE TABLE facet_totals (
        provider    TEXT NOT NULL,
        status_word TEXT NOT NULL,
        kind_word   TEXT NOT NULL,
        aspect      TEXT NOT NULL,      -- '' for none, as model and mode
        model       TEXT NOT NULL,
        mode        TEXT NOT NULL,
        liked       INTEGER NOT NULL,
        rating      INTEGER NOT NULL,   -- 0 for unrated
        jobs        INTEGER NOT NULL,
        PRIMARY KEY (provider, status_word, kind_word, aspect, model, mode, liked, rating)
    ) WITHOUT ROWID;
    INSERT INTO facet_totals
    SELECT provider, status_word, kind_word, coalesce(aspect, ''), coalesce(model, ''), coalesce(mode, ''), liked,
        coalesce(rating, 0), count(*)
    FROM job_facets GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
    CREATE TRIGGER job_facets_count_insert AFTER INSERT ON job_facets BEGIN
        INSERT INTO facet_totals VALUES (new.provider, new.status_word, new.kind_word, coalesce(new.aspect, ''),
            coalesce(new.model, ''), coalesce(new.mode, ''), new.liked, coalesce(new.rating, 0), 1)
        ON CONFLICT DO UPDATE SET jobs = jobs + 1;
    END;
    CREATE TRIGGER job_facets_count_delete AFTER DELETE ON job_facets BEGIN
        UPDATE facet_totals SET jobs = jobs - 1
        WHERE (provider, status_word, kind_word, aspect, model, mode, liked, rating)
            = (old.provider, old.status_word, old.kind_word, coalesce(old.aspect, ''), coalesce(old.model, ''),
            coalesce(old.mode, ''), old.liked, coalesce(old.rating, 0));
    END;
    CREATE TRIGGER job_facets_count_update AFTER UPDATE ON job_facets
    WHEN (old.provider, old.status_word, old.kind_word, old.aspect, old.model, old.mode, old.liked, old.rating)
        IS NOT (new.provider, new.status_word, new.kind_word, new.aspect, new.model, new.mode, new.liked,
            new.rating) BEGIN
        UPDATE facet_totals SET jobs = jobs - 1
        WHERE (provider, status_word, kind_word, aspect, model, mode, liked, rating)
            = (old.provider, old.status_word, old.kind_word, coalesce(old.aspect, ''), coalesce(old.model, ''),
            coalesce(old.mode, ''), old.liked, coalesce(old.rating, 0));
        INSERT INTO facet_totals VALUES (new.provider, new.status_word, new.kind_word, coalesce(new.aspect, ''),
            coalesce(new.model, ''), coalesce(new.mode, ''), new.liked, coalesce(new.rating, 0), 1)
        ON CONFLICT DO UPDATE SET jobs = jobs + 1;
    END;",
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

/// Makes a new file as an mjdesk of schema `version` left it (steps 1 to `version` only), to
/// test migrating it.
#[cfg(test)]
pub(super) fn create_at_version(conn: &mut Connection, version: i64) -> rusqlite::Result<()> {
    for (step, sql) in MIGRATIONS.iter().enumerate().take(version.clamp(0, LATEST) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}
