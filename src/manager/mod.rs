//! The job manager: every gateway call the app and the CLI make goes through here.
//!
//! It owns the rules that keep jobs from being lost: a job is written to the store before
//! its submit is sent and its gateway id the moment the submit answers; at most N jobs are
//! in progress per gateway (the rest wait, queued locally, in order); refused submits
//! (429 / 499) wait and retry; a submit that may have arrived is never repeated without the
//! designer; every job has a deadline; results are downloaded into the image cache at once.
//!
//! The UI talks to it with [`Command`]s over a channel (never blocking) and hears back
//! through [`Update`]s; the CLI calls the async methods directly. No egui types in here.

mod download;
mod driver;
mod validate;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};

pub use validate::validate_request;

use crate::cache::ImageCache;
use crate::gateway::GatewayClient;
use crate::job::{Job, JobRequest, JobStatus, Provider, SubmitOptions};
use crate::retry::Backoff;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct ManagerConfig {
    /// Jobs in progress at once per gateway endpoint (TTAPI allows 10 per key).
    pub max_in_progress: usize,
    /// Time between fetches of a running job.
    pub poll_interval: Duration,
    /// Added to a job's timeout before mjdesk gives up on it, so the gateway's own verdict
    /// ("Job Timeout") arrives first when it has one.
    pub deadline_grace: Duration,
    pub backoff: Backoff,
    /// Submits that could not connect at all are retried this many times.
    pub connect_retries: u32,
    /// Download attempts per image before giving up on transient errors.
    pub download_attempts: u32,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        Self {
            max_in_progress: 10,
            poll_interval: Duration::from_secs(2),
            deadline_grace: Duration::from_secs(30),
            backoff: Backoff::default(),
            connect_retries: 5,
            download_attempts: 6,
        }
    }
}

impl ManagerConfig {
    /// The defaults, with `MJDESK_MAX_IN_PROGRESS` (jobs in progress per gateway) and
    /// `MJDESK_POLL_MS` (time between fetches) applied when set.
    pub fn from_env() -> Self {
        let mut config = Self::default();
        let var = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(n) = var("MJDESK_MAX_IN_PROGRESS").filter(|n| *n > 0) {
            config.max_in_progress = n as usize;
        }
        if let Some(ms) = var("MJDESK_POLL_MS") {
            config.poll_interval = Duration::from_millis(ms);
        }
        config
    }

    /// Quick polling and retries, for tests against the simulator.
    pub fn fast() -> Self {
        Self {
            poll_interval: Duration::from_millis(50),
            deadline_grace: Duration::from_secs(1),
            backoff: Backoff::fast(),
            ..Self::default()
        }
    }
}

/// What the UI asks for. Answers come back as [`Update`]s.
#[derive(Debug, Clone)]
pub enum Command {
    Submit {
        provider: Provider,
        base_url: String,
        request: Box<JobRequest>,
        options: SubmitOptions,
        parent_id: Option<String>,
    },
    /// Submit again a job whose fate is unknown or that failed (the designer chose to).
    Retry { job_id: String },
    /// Drive a known job to its end: poll it if unfinished, download missing local copies.
    Follow { job_id: String },
    /// Drive every unfinished job in the store to its end.
    Resume,
}

/// What the manager reports.
#[derive(Debug, Clone)]
pub enum Update {
    /// A job changed (status, progress, images). Carries the whole job.
    Job(Box<Job>),
    /// A command was refused before anything was sent (bad input), with the reason.
    Rejected { reason: String },
    /// Something went wrong outside any one job (the store could not be written ...).
    Notice(String),
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ManagerError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Store(String),
    #[error("no such job: {0}")]
    NoSuchJob(String),
    #[error("{0}")]
    Gateway(String),
}

impl From<crate::store::StoreError> for ManagerError {
    fn from(e: crate::store::StoreError) -> Self {
        ManagerError::Store(e.to_string())
    }
}

/// Makes the client for a gateway endpoint (with its key) the first time a job needs it.
pub type ClientResolver = Arc<dyn Fn(Provider, &str) -> Result<GatewayClient, String> + Send + Sync>;

/// The receiving end of the manager's updates. `try_recv` for the UI, `recv` for the CLI.
pub struct Updates(mpsc::UnboundedReceiver<Update>);

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

#[derive(Clone)]
struct Gateway {
    client: GatewayClient,
    slots: Arc<Semaphore>,
}

pub(crate) struct Inner {
    store: Store,
    cache: ImageCache,
    config: ManagerConfig,
    resolver: ClientResolver,
    gateways: Mutex<HashMap<(Provider, String), Gateway>>,
    /// Jobs with a live driver task, so no job is ever driven twice.
    live: Mutex<HashSet<String>>,
    counts: Mutex<QueueCounts>,
    updates: mpsc::UnboundedSender<Update>,
    notify: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// A handle to the manager; clones share it.
#[derive(Clone)]
pub struct JobManager {
    inner: Arc<Inner>,
    commands: mpsc::UnboundedSender<Command>,
}

impl JobManager {
    /// Starts the manager on the current tokio runtime. `notify` is called after each update
    /// (the UI passes its `request_repaint`).
    pub fn start(
        store: Store,
        cache: ImageCache,
        config: ManagerConfig,
        resolver: ClientResolver,
        notify: Option<Arc<dyn Fn() + Send + Sync>>,
    ) -> (Self, Updates) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (cmd_tx, mut cmd_rx) = mpsc::unbounded_channel::<Command>();
        let inner = Arc::new(Inner {
            store,
            cache,
            config,
            resolver,
            gateways: Mutex::new(HashMap::new()),
            live: Mutex::new(HashSet::new()),
            counts: Mutex::new(QueueCounts::default()),
            updates: tx,
            notify,
        });
        let manager = Self { inner, commands: cmd_tx };
        let worker = manager.clone();
        tokio::spawn(async move {
            while let Some(cmd) = cmd_rx.recv().await {
                worker.apply(cmd).await;
            }
        });
        (manager, Updates(rx))
    }

    /// Queues a command without waiting (for the UI thread).
    pub fn send(&self, cmd: Command) {
        // The receiver lives as long as any handle does.
        let _ = self.commands.send(cmd);
    }

    async fn apply(&self, cmd: Command) {
        let result = match cmd {
            Command::Submit { provider, base_url, request, options, parent_id } => {
                self.submit(provider, &base_url, *request, options, parent_id).await.map(|_| ())
            }
            Command::Retry { job_id } => self.retry(&job_id).await.map(|_| ()),
            Command::Follow { job_id } => self.follow(&job_id).await.map(|_| ()),
            Command::Resume => self.resume().await.map(|_| ()),
        };
        if let Err(e) = result {
            self.inner.emit(Update::Rejected { reason: e.to_string() });
        }
    }

    pub fn counts(&self) -> QueueCounts {
        *self.inner.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many jobs are being driven right now (waiting, running or downloading).
    pub fn live_jobs(&self) -> usize {
        self.inner.live.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Checks the request, writes the job (queued locally) and starts driving it. Returns the
    /// job as written; nothing has been sent yet when this returns.
    pub async fn submit(
        &self,
        provider: Provider,
        base_url: &str,
        request: JobRequest,
        options: SubmitOptions,
        parent_id: Option<String>,
    ) -> Result<Job, ManagerError> {
        let parent = match &parent_id {
            Some(id) => self.inner.store.get_job(id)?,
            None => None,
        };
        validate_request(&request, parent.as_ref()).map_err(ManagerError::Invalid)?;
        let mut job = Job::new(provider, base_url, request, options);
        job.parent_id = parent_id;
        if job.prompt.is_none() {
            // A follow-up (U1, zoom, seed ...) is shown with the prompt it continues.
            job.prompt = parent.and_then(|p| p.prompt);
        }
        self.inner.store.insert_job(&job)?;
        if let JobRequest::Imagine { prompt } = &job.request {
            // History is a convenience: failing to record it must not stop the job.
            if let Err(e) = self.inner.store.add_prompt(prompt) {
                self.inner.emit(Update::Notice(format!("could not record the prompt in history: {e}")));
            }
        }
        self.inner.emit(Update::Job(Box::new(job.clone())));
        self.drive(job.clone());
        Ok(job)
    }

    /// Submits again a job that failed or whose submit may not have arrived.
    pub async fn retry(&self, job_id: &str) -> Result<Job, ManagerError> {
        let mut job = self.inner.store.get_job(job_id)?.ok_or_else(|| ManagerError::NoSuchJob(job_id.into()))?;
        if !matches!(job.status, JobStatus::Unknown { .. } | JobStatus::Failed { .. }) {
            return Err(ManagerError::Invalid(format!(
                "job {job_id} is {}; only failed or unknown jobs are retried",
                job.status.label()
            )));
        }
        job.gateway_id = None;
        job.status = JobStatus::QueuedLocally;
        job.raw_status = None;
        job.submitted_at = None;
        job.finished_at = None;
        job.deadline_at = None;
        job.images.clear();
        job.grid_image = None;
        self.inner.store.save_job(&job)?;
        self.inner.emit(Update::Job(Box::new(job.clone())));
        self.drive(job.clone());
        Ok(job)
    }

    /// Picks up every unfinished job: queued ones are submitted in order, submitted ones are
    /// polled, and one caught mid-submit becomes "unknown" (it may have arrived). Succeeded
    /// jobs whose local copies are missing are downloaded again. Returns how many jobs it
    /// drives.
    pub async fn resume(&self) -> Result<usize, ManagerError> {
        let mut driven = 0;
        for mut job in self.inner.store.unfinished()? {
            if job.status == JobStatus::Submitting && job.gateway_id.is_none() {
                job.status = JobStatus::Unknown {
                    reason: "mjdesk stopped while this job was being submitted; it may have reached the gateway".into(),
                };
                self.inner.store.save_job(&job)?;
                self.inner.emit(Update::Job(Box::new(job)));
                continue;
            }
            if matches!(job.status, JobStatus::Unknown { .. }) {
                continue;
            }
            driven += 1;
            self.drive(job);
        }
        for job in self.inner.store.jobs_page(0, 200)? {
            if job.status == JobStatus::Succeeded && download::missing_copies(&job) {
                driven += 1;
                self.drive(job);
            }
        }
        Ok(driven)
    }

    /// Drives a known job to its end (polls it if unfinished, downloads missing copies).
    pub async fn follow(&self, job_id: &str) -> Result<Job, ManagerError> {
        let job = self.inner.store.get_job(job_id)?.ok_or_else(|| ManagerError::NoSuchJob(job_id.into()))?;
        if !matches!(job.status, JobStatus::Unknown { .. }) {
            self.drive(job.clone());
        }
        Ok(job)
    }

    /// Starts the one driver task for `job`, unless one is already running.
    fn drive(&self, job: Job) {
        {
            let mut live = self.inner.live.lock().unwrap_or_else(|p| p.into_inner());
            if !live.insert(job.id.clone()) {
                return;
            }
        }
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let id = job.id.clone();
            driver::run(&inner, job).await;
            inner.live.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        });
    }
}

impl Inner {
    fn emit(&self, update: Update) {
        let _ = self.updates.send(update);
        if let Some(notify) = &self.notify {
            notify();
        }
    }

    /// Writes the job and tells the listeners. A failed write is reported, not fatal: the job
    /// goes on, and the next write carries the same state.
    fn save(&self, job: &Job) {
        if let Err(e) = self.store.save_job(job) {
            self.emit(Update::Notice(format!("could not save job {}: {e}", job.id)));
        }
        self.emit(Update::Job(Box::new(job.clone())));
    }

    fn gateway(&self, provider: Provider, base_url: &str) -> Result<Gateway, String> {
        let mut map = self.gateways.lock().unwrap_or_else(|p| p.into_inner());
        let key = (provider, base_url.to_owned());
        if let Some(g) = map.get(&key) {
            return Ok(g.clone());
        }
        let client = (self.resolver)(provider, base_url)?;
        let g = Gateway { client, slots: Arc::new(Semaphore::new(self.config.max_in_progress.max(1))) };
        map.insert(key, g.clone());
        Ok(g)
    }

    fn count(&self, f: impl FnOnce(&mut QueueCounts)) {
        f(&mut self.counts.lock().unwrap_or_else(|p| p.into_inner()));
    }
}
