//! What the window's job list reads: slim summaries (no request payload, no raw answers),
//! a page at a time over the whole history, filtered by prompt text (FTS5), status, kind and
//! the library's filters (see [`JobFilter`]); the children of a job; and what changed since a
//! moment (another process's work).

use std::path::PathBuf;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter};

use super::filter::JobFilter;
use super::jobs::NEWEST_FIRST;
use super::{Store, StoreError};
use crate::job::{Job, JobKind, JobStatus, Provider};

/// One row of the job list: enough to draw it, nothing more.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSummary {
    pub id: String,
    pub provider: Provider,
    pub gateway_id: Option<String>,
    /// Our id of the job this one continues.
    pub parent_id: Option<String>,
    pub kind: JobKind,
    pub prompt: Option<String>,
    pub status: JobStatus,
    pub quota: Option<String>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Local copies of the result images, in order (each has a thumbnail beside it).
    pub images: Vec<PathBuf>,
    /// The designer's like and star rating (see [`Store::set_liked`], [`Store::set_rating`]).
    pub liked: bool,
    pub rating: Option<u8>,
}

impl JobSummary {
    /// The summary of a job held in memory (the manager's updates). A job carries no marks:
    /// the summary says not liked and not rated, so a row already shown should keep its own.
    pub fn of(job: &Job) -> Self {
        Self {
            id: job.id.clone(),
            provider: job.provider,
            gateway_id: job.gateway_id.clone(),
            parent_id: job.parent_id.clone(),
            kind: job.kind.clone(),
            prompt: job.prompt.clone(),
            status: job.status.clone(),
            quota: job.quota.clone(),
            created_at: job.created_at,
            submitted_at: job.submitted_at,
            finished_at: job.finished_at,
            images: job.result_images().iter().filter_map(|i| i.local_path.clone()).collect(),
            liked: false,
            rating: None,
        }
    }
}

/// Statuses grouped the way a designer filters them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusGroup {
    /// Queued locally, being submitted, waiting or running at the gateway.
    InProgress,
    Succeeded,
    /// Failed, or unknown (may have been submitted).
    Failed,
}

impl StatusGroup {
    pub const ALL: [StatusGroup; 3] = [StatusGroup::InProgress, StatusGroup::Succeeded, StatusGroup::Failed];

    pub fn label(self) -> &'static str {
        match self {
            StatusGroup::InProgress => "in progress",
            StatusGroup::Succeeded => "succeeded",
            StatusGroup::Failed => "failed or unknown",
        }
    }

    pub fn of(status: &JobStatus) -> Self {
        match status {
            JobStatus::Succeeded => StatusGroup::Succeeded,
            JobStatus::Failed { .. } | JobStatus::Unknown { .. } => StatusGroup::Failed,
            _ => StatusGroup::InProgress,
        }
    }

    pub(super) fn words(self) -> &'static [&'static str] {
        match self {
            StatusGroup::InProgress => &["queued_locally", "submitting", "submitted", "waiting", "running"],
            StatusGroup::Succeeded => &["succeeded"],
            StatusGroup::Failed => &["failed", "unknown"],
        }
    }
}

pub(super) const SUMMARY_SELECT: &str = "jobs.id, jobs.provider, jobs.gateway_id, jobs.parent_id, jobs.kind, \
     jobs.prompt, jobs.status, jobs.quota, jobs.created_at, jobs.submitted_at, jobs.finished_at, jobs.liked, jobs.rating";

struct RawSummary {
    id: String,
    provider: String,
    gateway_id: Option<String>,
    parent_id: Option<String>,
    kind: String,
    prompt: Option<String>,
    status: String,
    quota: Option<String>,
    created_at: i64,
    submitted_at: Option<i64>,
    finished_at: Option<i64>,
    liked: bool,
    rating: Option<u8>,
}

impl RawSummary {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            provider: r.get(1)?,
            gateway_id: r.get(2)?,
            parent_id: r.get(3)?,
            kind: r.get(4)?,
            prompt: r.get(5)?,
            status: r.get(6)?,
            quota: r.get(7)?,
            created_at: r.get(8)?,
            submitted_at: r.get(9)?,
            finished_at: r.get(10)?,
            liked: r.get::<_, i64>(11)? != 0,
            rating: r.get(12)?,
        })
    }

    fn decode(self, images: Vec<PathBuf>) -> Result<JobSummary, StoreError> {
        let id = self.id;
        let bad = |field: &'static str, detail: String| StoreError::BadRow { id: id.clone(), field, detail };
        let provider = Provider::parse(&self.provider)
            .ok_or_else(|| bad("provider", format!("unknown provider `{}`", self.provider)))?;
        let kind = serde_json::from_str(&self.kind).map_err(|e| bad("kind", e.to_string()))?;
        let status = serde_json::from_str(&self.status).map_err(|e| bad("status", e.to_string()))?;
        Ok(JobSummary {
            id,
            provider,
            gateway_id: self.gateway_id,
            parent_id: self.parent_id,
            kind,
            prompt: self.prompt,
            status,
            quota: self.quota,
            created_at: self.created_at,
            submitted_at: self.submitted_at,
            finished_at: self.finished_at,
            images,
            liked: self.liked,
            rating: self.rating,
        })
    }
}

/// A job written at a moment (ms), or why its row could not be read.
pub type Changed = (i64, Result<Job, StoreError>);

/// A page of summaries, with the rows that could not be read named apart (one bad row
/// hides nothing else).
#[derive(Debug, Clone, Default)]
pub struct SummaryPage {
    pub rows: Vec<JobSummary>,
    pub unreadable: Vec<StoreError>,
}

impl Store {
    /// `limit` summaries from `offset` on, newest first, among the jobs `filter` admits.
    pub fn summaries(&self, filter: &JobFilter, offset: u64, limit: u32) -> Result<SummaryPage, StoreError> {
        if filter.uses_library() {
            return self.browse_page(filter, offset, limit);
        }
        let (clause, mut values) = filter.clause();
        values.push(Value::Integer(i64::from(limit)));
        values.push(Value::Integer(offset.min(i64::MAX as u64) as i64));
        let n = values.len();
        let sql = format!("SELECT {SUMMARY_SELECT} FROM jobs {clause} {NEWEST_FIRST} LIMIT ?{} OFFSET ?{n}", n - 1);
        self.read_summaries(&sql, params_from_iter(values))
    }

    /// How many jobs `filter` admits.
    pub fn count(&self, filter: &JobFilter) -> Result<u64, StoreError> {
        if filter.uses_library() {
            return self.browse_count(filter);
        }
        let (clause, values) = filter.clause();
        let sql = format!("SELECT count(*) FROM jobs {clause}");
        let n: i64 = self
            .conn()
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row(params_from_iter(values), |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        Ok(n.max(0) as u64)
    }

    /// The summaries of the jobs that continue job `id`, oldest first.
    pub fn child_summaries(&self, id: &str) -> Result<SummaryPage, StoreError> {
        let sql = format!("SELECT {SUMMARY_SELECT} FROM jobs WHERE parent_id = ?1 ORDER BY created_at, rowid");
        self.read_summaries(&sql, params![id])
    }

    /// The summary of job `id`.
    pub fn summary(&self, id: &str) -> Result<Option<JobSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_SELECT} FROM jobs WHERE id = ?1");
        let mut page = self.read_summaries(&sql, params![id])?;
        match page.unreadable.pop() {
            Some(e) => Err(e),
            None => Ok(page.rows.pop()),
        }
    }

    /// The newest `updated_at` in the store (0 when empty): a watermark for
    /// [`jobs_updated_since`](Self::jobs_updated_since).
    pub fn last_update(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row("SELECT coalesce(max(updated_at), 0) FROM jobs", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// SQLite's `data_version` for this connection: it changes when another connection (another
    /// process) commits to the file, and only then. Cheap enough to ask every second.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn().query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// Up to `limit` jobs written at or after `since` (ms), oldest change first.
    pub fn jobs_updated_since(&self, since: i64, limit: u32) -> Result<Vec<Changed>, StoreError> {
        let ids: Vec<(String, i64)> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare_cached("SELECT id, updated_at FROM jobs WHERE updated_at >= ?1 ORDER BY updated_at LIMIT ?2")
                .map_err(|e| self.err(e))?;
            let rows =
                stmt.query_map(params![since, limit], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        let mut out = Vec::with_capacity(ids.len());
        for (id, at) in ids {
            match self.get_job(&id) {
                Ok(Some(job)) => out.push((at, Ok(job))),
                Ok(None) => {}
                Err(e) => out.push((at, Err(e))),
            }
        }
        Ok(out)
    }

    pub(super) fn read_summaries(&self, sql: &str, params: impl rusqlite::Params) -> Result<SummaryPage, StoreError> {
        let conn = self.conn();
        let read = || -> rusqlite::Result<Vec<(RawSummary, Vec<PathBuf>)>> {
            let raws = conn.prepare_cached(sql)?.query_map(params, RawSummary::read)?.collect::<Result<Vec<_>, _>>()?;
            let mut stmt = conn.prepare_cached(
                "SELECT role, local_path FROM images WHERE job_id = ?1 AND local_path IS NOT NULL ORDER BY role, idx",
            )?;
            let mut out = Vec::with_capacity(raws.len());
            for raw in raws {
                let rows: Vec<(String, Option<PathBuf>)> = stmt
                    .query_map([&raw.id], |r| Ok((r.get::<_, String>(0)?, super::rows::path_of(r.get_ref(1)?))))?
                    .collect::<Result<_, _>>()?;
                // The separate images when there are any, else the grid (as `result_images`).
                let has_images = rows.iter().any(|(role, _)| role == "image");
                let paths = rows
                    .into_iter()
                    .filter(|(role, _)| (role == "image") == has_images)
                    .filter_map(|(_, p)| p)
                    .collect();
                out.push((raw, paths));
            }
            Ok(out)
        };
        let raws = read().map_err(|e| self.err(e))?;
        drop(conn);
        let mut page = SummaryPage::default();
        for (raw, images) in raws {
            match raw.decode(images) {
                Ok(s) => page.rows.push(s),
                Err(e) => page.unreadable.push(e),
            }
        }
        Ok(page)
    }
}
