//! What the window and the CLI say to the job manager ([`Command`]) and what it says back
//! ([`Update`], [`ManagerError`]).

use std::sync::Arc;

use tokio::sync::mpsc;

use super::InvalidRequest;
use crate::connect::ConnectError;
use crate::error::GatewayError;
use crate::intent::{Intent, IntentError};
use crate::job::{Job, Provider, SubmitOptions};
use crate::store::StoreError;

/// Names a command, so its answer can be shown next to the control that sent it.
pub type CommandId = u64;

/// What the UI asks for. Answers come back as [`Update`]s.
#[derive(Debug, Clone)]
pub enum Command {
    /// Build a request from what the designer asked for (files are read off the UI thread),
    /// write the job and send it. Answered by `Accepted` or `Rejected` with `id`.
    Submit { id: CommandId, provider: Provider, endpoint: String, intent: Box<Intent>, options: SubmitOptions },
    /// Submit again a job whose fate is unknown or that failed (the designer chose to).
    Retry { id: CommandId, job_id: String },
    /// Drive a known job to its end: poll it if unfinished, download missing local copies.
    Follow { job_id: String },
    /// Ask the gateway again about a job mjdesk ended at its deadline, and follow it anew.
    CheckAgain { id: CommandId, job_id: String },
    /// Drive every unfinished job in the store to its end.
    Resume,
}

/// What the manager reports.
#[derive(Debug, Clone)]
pub enum Update {
    /// A job changed (status, progress, images), here or in another process.
    Job(Arc<Job>),
    /// Command `id` made (or re-sent) `job`.
    Accepted { id: CommandId, job: Arc<Job> },
    /// Command `id` was refused before anything was sent.
    Rejected { id: CommandId, error: ManagerError },
    /// A gateway refused its key (HTTP 401/403): the designer must fix it in Settings.
    KeyRefused { provider: Provider, endpoint: String, error: GatewayError },
    /// Something went wrong outside any one job (the store could not be written ...).
    Notice(ManagerError),
    /// A watched account was read (see [`JobManager::watch_account`](super::JobManager::watch_account)).
    Account(Arc<super::AccountNews>),
}

/// Why the manager could not do what it was asked. Typed to the end, so the window can
/// tell "the key was refused" (open Settings) from "the prompt is too long" (highlight the
/// box) from "the store is full" (free disk space).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ManagerError {
    #[error(transparent)]
    Intent(#[from] IntentError),
    #[error(transparent)]
    Invalid(#[from] InvalidRequest),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("could not keep the image: {0}")]
    Cache(#[from] crate::cache::CacheError),
    #[error("no such job: {0}")]
    NoSuchJob(String),
    #[error("job {id} is {status}; only failed or unknown jobs are retried")]
    NotRetryable { id: String, status: String },
    #[error("job {id} is {status}; only a job mjdesk stopped waiting for is asked about again")]
    NotTimedOut { id: String, status: String },
    #[error("job {0} may never have reached the gateway; retry it first")]
    UnknownParent(String),
    #[error("mjdesk's background worker stopped ({0}); restart mjdesk")]
    Internal(String),
    #[error("skipped: {0}")]
    Skipped(StoreError),
}

/// The receiving end of the manager's updates. `try_recv` for the UI, `recv` for the CLI.
pub struct Updates(pub(super) mpsc::UnboundedReceiver<Update>);

impl Updates {
    pub fn try_recv(&mut self) -> Option<Update> {
        self.0.try_recv().ok()
    }

    pub async fn recv(&mut self) -> Option<Update> {
        self.0.recv().await
    }
}

/// Counts for a status bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub in_progress: usize,
    pub queued_locally: usize,
}
