//! How a [`Job`] maps to a `jobs` row and its `images` rows, both ways.
//!
//! Structured fields (kind, request, status, ...) are stored as JSON so new variants need no
//! schema change; the few things queries filter on (status word, parent, gateway id, times)
//! are plain columns beside them.

use std::path::{Path, PathBuf};

use rusqlite::Row;
use rusqlite::types::{Value, ValueRef};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StoreError;
use super::blobs;
use crate::cache::ImageCache;
use crate::job::{Job, JobImage, JobRequest, JobStatus, Provider};

/// The `jobs` columns written once, when the job is inserted: who it is, and what was asked.
pub(super) const FIXED_COLUMNS: [&str; 7] = ["id", "provider", "base_url", "kind", "request", "options", "created_at"];

/// The `jobs` columns that follow the job's life, in the order [`encode_state`] yields values.
/// A progress update rewrites only these (never the request, which may be large).
pub(super) const STATE_COLUMNS: [&str; 19] = [
    "gateway_id",
    "parent_id",
    "prompt",
    "status",
    "status_word",
    "progress",
    "raw_status",
    "actions",
    "seed",
    "quota",
    "prompts",
    "image_id",
    "width",
    "height",
    "last_raw",
    "submitted_at",
    "finished_at",
    "deadline_at",
    "updated_at",
];

/// At most this much of a gateway's raw answer is kept per job (what the designer sees under
/// "What the gateway answered"); the rest is cut with a note.
pub(crate) const LAST_RAW_MAX: usize = 4096;

/// The tag of a status, as stored in `status_word` (the same word its JSON uses).
pub(super) fn status_word(status: &JobStatus) -> &'static str {
    match status {
        JobStatus::QueuedLocally => "queued_locally",
        JobStatus::Submitting => "submitting",
        JobStatus::Unknown { .. } => "unknown",
        JobStatus::Submitted => "submitted",
        JobStatus::Waiting => "waiting",
        JobStatus::Running { .. } => "running",
        JobStatus::Succeeded => "succeeded",
        JobStatus::Failed { .. } => "failed",
    }
}

fn json<T: Serialize>(job: &Job, field: &'static str, value: &T) -> Result<Value, StoreError> {
    serde_json::to_string(value).map(Value::Text).map_err(|e| StoreError::Encode {
        id: job.id.clone(),
        field,
        detail: e.to_string(),
    })
}

fn text(s: &Option<String>) -> Value {
    s.clone().map_or(Value::Null, Value::Text)
}

fn int(n: Option<i64>) -> Value {
    n.map_or(Value::Null, Value::Integer)
}

/// The fixed values for `job`, aligned with [`FIXED_COLUMNS`]; `request` is its JSON with
/// large payloads already moved out (see `blobs`).
pub(super) fn encode_fixed(job: &Job, request: String) -> Result<Vec<Value>, StoreError> {
    Ok(vec![
        Value::Text(job.id.clone()),
        Value::Text(job.provider.as_str().to_owned()),
        Value::Text(job.base_url.clone()),
        json(job, "kind", &job.kind)?,
        Value::Text(request),
        json(job, "options", &job.options)?,
        Value::Integer(job.created_at),
    ])
}

/// The changing values for `job`, aligned with [`STATE_COLUMNS`].
pub(super) fn encode_state(job: &Job, updated_at: i64) -> Result<Vec<Value>, StoreError> {
    Ok(vec![
        text(&job.gateway_id),
        text(&job.parent_id),
        text(&job.prompt),
        json(job, "status", &job.status)?,
        Value::Text(status_word(&job.status).to_owned()),
        int(job.status.progress().map(i64::from)),
        text(&job.raw_status),
        json(job, "actions", &job.actions)?,
        text(&job.seed),
        text(&job.quota),
        json(job, "prompts", &job.prompts)?,
        text(&job.image_id),
        int(job.width.map(i64::from)),
        int(job.height.map(i64::from)),
        job.last_raw
            .as_deref()
            .map_or(Value::Null, |r| Value::Text(crate::textsafe::cap_bytes(r, LAST_RAW_MAX).into_owned())),
        int(job.submitted_at),
        int(job.finished_at),
        int(job.deadline_at),
        Value::Integer(updated_at),
    ])
}

/// One `images` row: role, index, url, local path, error.
pub(super) type ImageRow = (&'static str, i64, String, Value, Option<String>);

/// The image rows of `job`: the grid (if any) as role `grid`, then each image in order.
pub(super) fn encode_images(job: &Job) -> Vec<ImageRow> {
    let row = |role, idx, img: &JobImage| {
        let path = img.local_path.as_deref().map_or(Value::Null, path_value);
        (role, idx, img.url.clone(), path, img.error.clone())
    };
    let grid = job.grid_image.iter().map(|g| row("grid", 0, g));
    let images = job.images.iter().enumerate().map(|(i, img)| row("image", i as i64, img));
    grid.chain(images).collect()
}

/// Paths are text when they are UTF-8; on Unix any other path is kept byte for byte.
fn path_value(path: &Path) -> Value {
    if let Some(s) = path.to_str() {
        return Value::Text(s.to_owned());
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Value::Blob(path.as_os_str().as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    Value::Text(path.to_string_lossy().into_owned())
}

pub(super) fn path_of(v: ValueRef<'_>) -> Option<PathBuf> {
    match v {
        ValueRef::Text(t) => Some(PathBuf::from(String::from_utf8_lossy(t).into_owned())),
        #[cfg(unix)]
        ValueRef::Blob(b) => {
            use std::os::unix::ffi::OsStrExt;
            Some(PathBuf::from(std::ffi::OsStr::from_bytes(b)))
        }
        _ => None,
    }
}

/// The columns the read queries select, in [`RawJob`] order.
pub(super) const JOB_SELECT: &str = "id, provider, base_url, gateway_id, parent_id, kind, request, \
     options, prompt, status, raw_status, actions, seed, quota, prompts, image_id, width, height, \
     last_raw, created_at, submitted_at, finished_at, deadline_at";

/// A `jobs` row as SQLite gave it, before the JSON columns are decoded.
pub(super) struct RawJob {
    pub id: String,
    provider: String,
    base_url: String,
    gateway_id: Option<String>,
    parent_id: Option<String>,
    kind: String,
    request: String,
    options: String,
    prompt: Option<String>,
    status: String,
    raw_status: Option<String>,
    actions: String,
    seed: Option<String>,
    quota: Option<String>,
    prompts: String,
    image_id: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    last_raw: Option<String>,
    created_at: i64,
    submitted_at: Option<i64>,
    finished_at: Option<i64>,
    deadline_at: Option<i64>,
}

impl RawJob {
    pub(super) fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            provider: r.get(1)?,
            base_url: r.get(2)?,
            gateway_id: r.get(3)?,
            parent_id: r.get(4)?,
            kind: r.get(5)?,
            request: r.get(6)?,
            options: r.get(7)?,
            prompt: r.get(8)?,
            status: r.get(9)?,
            raw_status: r.get(10)?,
            actions: r.get(11)?,
            seed: r.get(12)?,
            quota: r.get(13)?,
            prompts: r.get(14)?,
            image_id: r.get(15)?,
            width: r.get(16)?,
            height: r.get(17)?,
            last_raw: r.get(18)?,
            created_at: r.get(19)?,
            submitted_at: r.get(20)?,
            finished_at: r.get(21)?,
            deadline_at: r.get(22)?,
        })
    }

    /// The job, with its image rows (as read by [`read_image`]) put back in place.
    pub(super) fn decode(self, image_rows: Vec<(String, JobImage)>, cache: &ImageCache) -> Result<Job, StoreError> {
        let id = self.id;
        let bad = |field: &'static str, detail: String| StoreError::BadRow { id: id.clone(), field, detail };
        fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
            serde_json::from_str(text).map_err(|e| e.to_string())
        }
        let size = |field, v: Option<i64>| {
            v.map(|n| u32::try_from(n).map_err(|_| bad(field, format!("{n} is not a pixel size")))).transpose()
        };
        let mut images = Vec::new();
        let mut grid_image = None;
        for (role, img) in image_rows {
            if role == "grid" { grid_image = Some(img) } else { images.push(img) }
        }
        Ok(Job {
            provider: Provider::parse(&self.provider)
                .ok_or_else(|| bad("provider", format!("unknown provider `{}`", self.provider)))?,
            base_url: self.base_url,
            gateway_id: self.gateway_id,
            parent_id: self.parent_id,
            kind: parse(&self.kind).map_err(|e| bad("kind", e))?,
            request: std::sync::Arc::new(decode_request(&self.request, cache).map_err(|e| bad("request", e))?),
            options: parse(&self.options).map_err(|e| bad("options", e))?,
            prompt: self.prompt,
            status: parse(&self.status).map_err(|e| bad("status", e))?,
            raw_status: self.raw_status,
            images,
            grid_image,
            actions: parse(&self.actions).map_err(|e| bad("actions", e))?,
            seed: self.seed,
            quota: self.quota,
            prompts: parse(&self.prompts).map_err(|e| bad("prompts", e))?,
            image_id: self.image_id,
            width: size("width", self.width)?,
            height: size("height", self.height)?,
            last_raw: self.last_raw,
            created_at: self.created_at,
            submitted_at: self.submitted_at,
            finished_at: self.finished_at,
            deadline_at: self.deadline_at,
            id,
        })
    }
}

/// The image columns the read queries select, ordered grid first then by index.
pub(super) const IMAGE_SELECT: &str =
    "SELECT role, url, local_path, error FROM images WHERE job_id = ?1 ORDER BY role, idx";

/// One `images` row: its role and the image.
pub(super) fn read_image(r: &Row<'_>) -> rusqlite::Result<(String, JobImage)> {
    Ok((r.get(0)?, JobImage { url: r.get(1)?, local_path: path_of(r.get_ref(2)?), error: r.get(3)? }))
}

/// A stored request, its payloads read back from the image cache.
fn decode_request(text: &str, cache: &ImageCache) -> Result<JobRequest, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let value = blobs::internalize(value, cache).map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// A request as the row keeps it: JSON with its payloads moved out to the image cache.
pub(super) fn encode_request(job: &Job, cache: &ImageCache) -> Result<String, StoreError> {
    let encode = |detail: String| StoreError::Encode { id: job.id.clone(), field: "request", detail };
    let value = serde_json::to_value(&*job.request).map_err(|e| encode(e.to_string()))?;
    let value = blobs::externalize(value, cache).map_err(|e| encode(e.to_string()))?;
    Ok(value.to_string())
}
