//! Writing and reading jobs.
//!
//! A job and its images are always written together in one transaction, so a reader (the
//! other process, or this one after a crash) never sees a job with half its images.

use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params, params_from_iter};

use rusqlite::types::Value;

use super::rows::{self, FIXED_COLUMNS, IMAGE_SELECT, JOB_SELECT, RawJob, STATE_COLUMNS};
use super::{Store, StoreError};
use crate::job::{Job, JobStatus, Provider, now_ms};

static INSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<&str> = FIXED_COLUMNS.iter().chain(STATE_COLUMNS.iter()).copied().collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!("INSERT INTO jobs ({}) VALUES ({})", columns.join(", "), marks.join(", "))
});

static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> = STATE_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 2)).collect();
    format!("UPDATE jobs SET {} WHERE id = ?1", sets.join(", "))
});

/// Newest first; jobs created in the same millisecond keep the order they were inserted in.
pub(super) const NEWEST_FIRST: &str = "ORDER BY created_at DESC, rowid DESC";

impl Store {
    /// Writes a new job (with its images). Its request's large payloads (input images,
    /// masks) go to the image cache; the row refers to them. Fails with
    /// [`StoreError::DuplicateJob`] if its id is already taken.
    pub fn insert_job(&self, job: &Job) -> Result<(), StoreError> {
        let request = rows::encode_request(job, &self.inner.cache)?;
        let mut values = rows::encode_fixed(job, request)?;
        values.extend(rows::encode_state(job, now_ms())?);
        let images = rows::encode_images(job);
        let write = || -> rusqlite::Result<()> {
            let mut conn = self.conn();
            // IMMEDIATE: the write lock is taken (waiting as the busy timeout allows) before
            // anything is read; a deferred one can fail at once when another process wrote.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached(&INSERT_SQL)?.execute(params_from_iter(values))?;
            replace_images(&tx, &job.id, images)?;
            tx.commit()
        };
        write().map_err(|e| match e {
            e if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                StoreError::DuplicateJob(job.id.clone())
            }
            e => self.err(e),
        })
    }

    /// Writes where the job stands (status, progress, results, images); its request is never
    /// rewritten, so this costs the same for a 50 MB blend as for a prompt. A job not in the
    /// store yet is inserted whole.
    pub fn save_job(&self, job: &Job) -> Result<(), StoreError> {
        let mut values = vec![Value::Text(job.id.clone())];
        values.extend(rows::encode_state(job, now_ms())?);
        let images = rows::encode_images(job);
        let write = || -> rusqlite::Result<bool> {
            let mut conn = self.conn();
            // IMMEDIATE: the write lock is taken (waiting as the busy timeout allows) before
            // anything is read; a deferred one can fail at once when another process wrote.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if tx.prepare_cached(&UPDATE_SQL)?.execute(params_from_iter(values))? == 0 {
                return Ok(false);
            }
            replace_images(&tx, &job.id, images)?;
            tx.commit()?;
            Ok(true)
        };
        match write() {
            Ok(true) => Ok(()),
            Ok(false) => self.insert_job(job),
            Err(e) => Err(self.err(e)),
        }
    }

    /// Records the gateway's id for job `id` on its own, so it is on disk the moment a submit
    /// answers, before anything else can go wrong.
    pub fn set_gateway_id(&self, id: &str, gateway_id: &str) -> Result<(), StoreError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE jobs SET gateway_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, gateway_id, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        if changed == 0 {
            return Err(StoreError::NoSuchJob(id.to_owned()));
        }
        Ok(())
    }

    /// Takes a job that is queued locally for submitting, atomically: true when this caller
    /// now owns the submit, false when the job is no longer waiting (another process, the app
    /// beside the CLI, took it first). Guards against one job being sent twice. The claim
    /// names its owner (this process) and starts a lease that [`renew_claim`](Self::renew_claim)
    /// keeps fresh while the submit call is in flight.
    pub fn claim_for_submit(&self, id: &str) -> Result<bool, StoreError> {
        let status = serde_json::to_string(&JobStatus::Submitting).unwrap_or_default();
        let now = now_ms();
        let changed = self
            .conn()
            .execute(
                "UPDATE jobs SET status = ?2, status_word = 'submitting', updated_at = ?3, \
                 claim_pid = ?4, claim_started = ?3, claim_renewed_at = ?3 \
                 WHERE id = ?1 AND status_word = 'queued_locally' AND gateway_id IS NULL",
                params![id, status, now, std::process::id()],
            )
            .map_err(|e| self.err(e))?;
        Ok(changed == 1)
    }

    /// Renews this process's submit claim on job `id` (its lease); false when the job is no
    /// longer being submitted by this process.
    pub fn renew_claim(&self, id: &str) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE jobs SET claim_renewed_at = ?2 \
                 WHERE id = ?1 AND status_word = 'submitting' AND claim_pid = ?3",
                params![id, now_ms(), std::process::id()],
            )
            .map_err(|e| self.err(e))?;
        Ok(changed == 1)
    }

    /// True when job `id` is being submitted and its claim is abandoned: not renewed for
    /// `stale`, its owner process is gone, or it names no owner (written by an older mjdesk).
    pub fn submit_claim_abandoned(&self, id: &str, stale: Duration) -> Result<bool, StoreError> {
        Ok(self.read_claim(id)?.is_some_and(|c| c.abandoned(stale)))
    }

    /// Turns job `id` from "submitting" into "unknown" with `reason`, atomically, but only
    /// when its claim is abandoned (see [`submit_claim_abandoned`](Self::submit_claim_abandoned)):
    /// a submit another process is still waiting on is left alone. True when it was changed.
    pub fn mark_abandoned_submit(&self, id: &str, stale: Duration, reason: &str) -> Result<bool, StoreError> {
        let status = serde_json::to_string(&JobStatus::Unknown { reason: reason.to_owned() }).unwrap_or_default();
        let write = || -> Result<bool, StoreError> {
            let mut conn = self.conn();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
            let claim = read_claim(&tx, id).map_err(|e| self.err(e))?;
            let Some(claim) = claim.filter(|c| c.abandoned(stale)) else { return Ok(false) };
            let changed = tx
                .execute(
                    "UPDATE jobs SET status = ?2, status_word = 'unknown', updated_at = ?3 \
                     WHERE id = ?1 AND status_word = 'submitting' AND gateway_id IS NULL \
                     AND claim_renewed_at IS ?4",
                    params![id, status, now_ms(), claim.renewed_at],
                )
                .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
            Ok(changed == 1)
        };
        write()
    }

    fn read_claim(&self, id: &str) -> Result<Option<Claim>, StoreError> {
        let conn = self.conn();
        read_claim(&conn, id).map_err(|e| self.err(e))
    }

    /// The job with our id `id`.
    pub fn get_job(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {JOB_SELECT} FROM jobs WHERE id = ?1");
        Ok(self.query_jobs(&sql, params![id])?.pop())
    }

    /// The job a gateway knows as `gateway_id`; the newest one should an id repeat (the
    /// simulator and a real gateway may hand out the same ids).
    pub fn find_by_gateway_id(&self, provider: Provider, gateway_id: &str) -> Result<Option<Job>, StoreError> {
        let sql =
            format!("SELECT {JOB_SELECT} FROM jobs WHERE provider = ?1 AND gateway_id = ?2 {NEWEST_FIRST} LIMIT 1");
        Ok(self.query_jobs(&sql, params![provider.as_str(), gateway_id])?.pop())
    }

    /// Page `page` (from 0) of `per_page` jobs, newest first. A row that cannot be read is
    /// left out (see [`jobs_page_skipping`](Self::jobs_page_skipping) to hear which).
    pub fn jobs_page(&self, page: u32, per_page: u32) -> Result<Vec<Job>, StoreError> {
        Ok(self.jobs_page_skipping(page, per_page)?.0)
    }

    /// [`jobs_page`](Self::jobs_page), with why each row left out could not be read.
    pub fn jobs_page_skipping(&self, page: u32, per_page: u32) -> Result<(Vec<Job>, Vec<StoreError>), StoreError> {
        let offset = i64::from(page).saturating_mul(i64::from(per_page));
        let sql = format!("SELECT {JOB_SELECT} FROM jobs {NEWEST_FIRST} LIMIT ?1 OFFSET ?2");
        self.query_jobs_skipping(&sql, params![per_page, offset])
    }

    pub fn count_jobs(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row("SELECT count(*) FROM jobs", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(n.max(0) as u64)
    }

    /// The jobs that continue job `id` (by our id), oldest first.
    pub fn children(&self, id: &str) -> Result<Vec<Job>, StoreError> {
        let sql = format!("SELECT {JOB_SELECT} FROM jobs WHERE parent_id = ?1 ORDER BY created_at, rowid");
        self.query_jobs(&sql, params![id])
    }

    /// Every job not yet succeeded or failed, oldest first: what the job manager picks up
    /// again after a restart.
    /// A row that cannot be read is left out (see [`unfinished_skipping`](Self::unfinished_skipping)).
    pub fn unfinished(&self) -> Result<Vec<Job>, StoreError> {
        Ok(self.unfinished_skipping()?.0)
    }

    /// [`unfinished`](Self::unfinished), with why each row left out could not be read.
    pub fn unfinished_skipping(&self) -> Result<(Vec<Job>, Vec<StoreError>), StoreError> {
        // The condition is spelled as in the `jobs_unfinished` index so SQLite uses it.
        let sql = format!(
            "SELECT {JOB_SELECT} FROM jobs WHERE status_word NOT IN ('succeeded', 'failed') \
             ORDER BY created_at, rowid"
        );
        self.query_jobs_skipping(&sql, [])
    }

    /// Up to `limit` jobs, newest first, whose prompt, describe results, our id or gateway
    /// id contain `text` (ASCII letters case-insensitively). Blank text matches every job.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<Job>, StoreError> {
        let pattern = format!("%{}%", escape_like(text.trim()));
        let sql = format!(
            "SELECT {JOB_SELECT} FROM jobs WHERE prompt LIKE ?1 ESCAPE '\\' OR prompts LIKE ?1 ESCAPE '\\' \
             OR id LIKE ?1 ESCAPE '\\' OR gateway_id LIKE ?1 ESCAPE '\\' {NEWEST_FIRST} LIMIT ?2"
        );
        self.query_jobs(&sql, params![pattern, limit])
    }

    /// Runs a job query and loads each job's images, all under one read transaction so the
    /// rows and their images come from the same moment.
    fn query_jobs(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Job>, StoreError> {
        let mut conn = self.conn();
        let (raws, images) = read_jobs(&mut conn, sql, params).map_err(|e| self.err(e))?;
        raws.into_iter().zip(images).map(|(raw, imgs)| raw.decode(imgs, &self.inner.cache)).collect()
    }

    /// Like `query_jobs`, but one row that cannot be decoded (a status from a newer mjdesk,
    /// a damaged value) hides nothing else: it is left out and its error returned beside.
    fn query_jobs_skipping(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<(Vec<Job>, Vec<StoreError>), StoreError> {
        let mut conn = self.conn();
        let (raws, images) = read_jobs(&mut conn, sql, params).map_err(|e| self.err(e))?;
        drop(conn);
        let mut jobs = Vec::with_capacity(raws.len());
        let mut skipped = Vec::new();
        for (raw, imgs) in raws.into_iter().zip(images) {
            match raw.decode(imgs, &self.inner.cache) {
                Ok(job) => jobs.push(job),
                Err(e) => {
                    tracing::warn!(error = %e, "a job row could not be read; skipped");
                    skipped.push(e);
                }
            }
        }
        Ok((jobs, skipped))
    }
}

/// Who holds a submit claim, and when it was last renewed.
struct Claim {
    pid: Option<i64>,
    renewed_at: Option<i64>,
}

impl Claim {
    fn abandoned(&self, stale: Duration) -> bool {
        let (Some(pid), Some(renewed)) = (self.pid, self.renewed_at) else { return true };
        now_ms().saturating_sub(renewed) > stale.as_millis() as i64 || !process_alive(pid)
    }
}

/// The claim on a job being submitted; None when the job is not being submitted.
fn read_claim(conn: &Connection, id: &str) -> rusqlite::Result<Option<Claim>> {
    conn.query_row(
        "SELECT claim_pid, claim_renewed_at FROM jobs \
         WHERE id = ?1 AND status_word = 'submitting' AND gateway_id IS NULL",
        [id],
        |r| Ok(Claim { pid: r.get(0)?, renewed_at: r.get(1)? }),
    )
    .optional()
}

/// Whether process `pid` still runs. Where that cannot be told (no `/proc`), it is taken to
/// run, and the lease alone decides.
fn process_alive(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return true;
    }
    let proc = std::path::Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

type ImageRows = Vec<(String, crate::job::JobImage)>;

fn read_jobs(
    conn: &mut Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<(Vec<RawJob>, Vec<ImageRows>)> {
    let tx = conn.transaction()?;
    let raws = tx.prepare_cached(sql)?.query_map(params, RawJob::read)?.collect::<Result<Vec<_>, _>>()?;
    let mut images = Vec::with_capacity(raws.len());
    {
        let mut stmt = tx.prepare_cached(IMAGE_SELECT)?;
        for raw in &raws {
            images.push(stmt.query_map([&raw.id], rows::read_image)?.collect::<Result<Vec<_>, _>>()?);
        }
    }
    tx.commit()?;
    Ok((raws, images))
}

fn replace_images(tx: &Transaction<'_>, id: &str, images: Vec<rows::ImageRow>) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM images WHERE job_id = ?1")?.execute([id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO images (job_id, role, idx, url, local_path, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (role, idx, url, path, error) in images {
        insert.execute(params![id, role, idx, url, path, error])?;
    }
    Ok(())
}

/// `text` with LIKE's wildcards taken literally (escape character `\`).
pub(super) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
