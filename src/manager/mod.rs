//! The job manager: every gateway call the app and the CLI make goes through here.
//!
//! It owns the rules that keep jobs from being lost: a job is written to the store before
//! its submit is sent and its gateway id the moment the submit answers; at most N jobs are
//! in progress per gateway (the rest wait, queued locally, in order); refused submits
//! (429 / 499) wait and retry; a submit that may have arrived is never repeated without the
//! designer; every job has a deadline; results are downloaded into the image cache at once.
//!
//! The UI talks to it with [`Command`]s over a channel (never blocking) and hears back
//! through [`Update`]s: each command carries an id, answered by `Accepted` or `Rejected`.
//! The CLI calls the async methods directly. Store and cache work runs on the blocking pool,
//! never on the tokio workers the in-process simulator shares. Changes another process makes
//! to the store (the CLI beside the window) are noticed within a second and reported too.
//! No egui types in here.

mod account;
mod config;
mod download;
mod driver;
mod messages;
mod validate;
mod watch;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc};

pub use account::{ACCOUNT_EVERY, AccountClock, AccountNews, stated_limit};
pub use config::ManagerConfig;
pub use download::live_request;
pub use messages::{Command, CommandId, ManagerError, QueueCounts, Update, Updates};
pub use validate::{InvalidRequest, validate_request};

use crate::cache::ImageCache;
pub use crate::connect::ClientResolver;
use crate::connect::ConnectError;
use crate::gateway::GatewayClient;
use crate::intent::Intent;
use crate::job::{Job, JobRequest, JobStatus, Provider, SubmitOptions};
use crate::store::{Store, StoreError};

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
    /// One semaphore per endpoint, made before its client is resolved, so jobs queue in order
    /// even while the key lookup runs.
    slots: Mutex<HashMap<(Provider, String), Arc<Semaphore>>>,
    /// Jobs with a live driver task, so no job is ever driven twice.
    live: Mutex<HashSet<String>>,
    counts: Mutex<QueueCounts>,
    /// Watched accounts, by endpoint (see [`account`]).
    accounts: Mutex<HashMap<(Provider, String), account::AccountClock>>,
    /// Slots per endpoint where a gateway's stated queue limit replaced the configured one.
    limits: Mutex<HashMap<(Provider, String), usize>>,
    updates: mpsc::UnboundedSender<Update>,
    notify: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// A handle to the manager; clones share it.
#[derive(Clone)]
pub struct JobManager {
    inner: Arc<Inner>,
    commands: mpsc::UnboundedSender<Command>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl JobManager {
    /// Starts the manager on the current tokio runtime. `notify` is called after each update
    /// (the UI passes its `request_repaint`).
    pub fn start(
        store: Store,
        config: ManagerConfig,
        resolver: ClientResolver,
        notify: Option<Arc<dyn Fn() + Send + Sync>>,
    ) -> (Self, Updates) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (cmd_tx, mut cmd_rx) = mpsc::unbounded_channel::<Command>();
        let inner = Arc::new(Inner {
            cache: store.cache().clone(),
            store,
            config,
            resolver,
            gateways: Mutex::new(HashMap::new()),
            slots: Mutex::new(HashMap::new()),
            live: Mutex::new(HashSet::new()),
            counts: Mutex::new(QueueCounts::default()),
            accounts: Mutex::new(HashMap::new()),
            limits: Mutex::new(HashMap::new()),
            updates: tx,
            notify,
        });
        watch::start(Arc::downgrade(&inner));
        let manager = Self { inner, commands: cmd_tx };
        let worker = manager.clone();
        tokio::spawn(async move {
            while let Some(cmd) = cmd_rx.recv().await {
                // Each command runs on its own, so a slow file read never holds up the next one.
                let worker = worker.clone();
                tokio::spawn(async move { worker.apply(cmd).await });
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
        let (id, result) = match cmd {
            Command::Submit { id, provider, endpoint, intent, options } => {
                (Some(id), self.submit_intent(provider, &endpoint, *intent, options).await)
            }
            Command::Retry { id, job_id } => (Some(id), self.retry(&job_id).await.map(Some)),
            Command::Follow { job_id } => (None, self.follow(&job_id).await.map(Some)),
            Command::CheckAgain { id, job_id } => (Some(id), self.check_again(&job_id).await.map(Some)),
            Command::Resume => (None, self.resume().await.map(|_| None)),
        };
        match (id, result) {
            (Some(id), Ok(Some(job))) => self.inner.emit(Update::Accepted { id, job }),
            (Some(id), Err(error)) => self.inner.emit(Update::Rejected { id, error }),
            (None, Err(error)) => self.inner.emit(Update::Notice(error)),
            (_, Ok(_)) => {}
        }
    }

    pub fn counts(&self) -> QueueCounts {
        *lock(&self.inner.counts)
    }

    /// How many jobs are being driven right now (waiting, running or downloading).
    pub fn live_jobs(&self) -> usize {
        lock(&self.inner.live).len()
    }

    /// True while this manager drives job `id` (another process may drive it otherwise).
    pub fn is_driving(&self, id: &str) -> bool {
        self.inner.is_live(id)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Builds the request for `intent` on the blocking pool (it reads files and the store),
    /// then submits it.
    pub async fn submit_intent(
        &self,
        provider: Provider,
        endpoint: &str,
        intent: Intent,
        options: SubmitOptions,
    ) -> Result<Option<Arc<Job>>, ManagerError> {
        let built = self.inner.blocking(move |store| crate::intent::build(intent, provider, store)).await??;
        let job = self.submit(provider, endpoint, built.request, options, built.parent).await?;
        Ok(Some(job))
    }

    /// Checks the request, writes the job (queued locally) and starts driving it. Returns the
    /// job as written; nothing has been sent yet when this returns.
    pub async fn submit(
        &self,
        provider: Provider,
        endpoint: &str,
        request: JobRequest,
        options: SubmitOptions,
        parent: Option<Job>,
    ) -> Result<Arc<Job>, ManagerError> {
        validate_request(&request, parent.as_ref())?;
        let mut job = Job::new(provider, endpoint, request, options);
        if let Some(parent) = parent {
            job.parent_id = Some(parent.id);
            if job.prompt.is_none() {
                // A follow-up (U1, zoom, seed ...) is shown with the prompt it continues.
                job.prompt = parent.prompt;
            }
        }
        let job = Arc::new(job);
        let written = job.clone();
        let notice = self
            .inner
            .blocking(move |store| {
                store.insert_job(&written)?;
                // History is a convenience: failing to record it must not stop the job.
                Ok::<_, StoreError>(match &*written.request {
                    JobRequest::Imagine { prompt } => store.add_prompt(prompt).err(),
                    _ => None,
                })
            })
            .await??;
        if let Some(e) = notice {
            self.inner.emit(Update::Notice(e.into()));
        }
        self.inner.emit(Update::Job(job.clone()));
        self.drive((*job).clone());
        Ok(job)
    }

    /// The job with our id `job_id`, read on the blocking pool.
    async fn load_job(&self, job_id: &str) -> Result<Job, ManagerError> {
        let id = job_id.to_owned();
        self.inner.blocking(move |s| s.get_job(&id)).await??.ok_or_else(|| ManagerError::NoSuchJob(job_id.into()))
    }

    /// Submits again a job that failed or whose submit may not have arrived.
    pub async fn retry(&self, job_id: &str) -> Result<Arc<Job>, ManagerError> {
        let mut job = self.load_job(job_id).await?;
        if !matches!(job.status, JobStatus::Unknown { .. } | JobStatus::Failed { .. }) {
            return Err(ManagerError::NotRetryable { id: job_id.into(), status: job.status.label() });
        }
        job.gateway_id = None;
        job.status = JobStatus::QueuedLocally;
        job.raw_status = None;
        job.submitted_at = None;
        job.finished_at = None;
        job.deadline_at = None;
        job.images.clear();
        job.grid_image = None;
        self.save_and_drive(job).await
    }

    /// Stores a job the designer set going again (retry, check again), tells the window and
    /// drives it.
    async fn save_and_drive(&self, job: Job) -> Result<Arc<Job>, ManagerError> {
        let job = Arc::new(job);
        let written = job.clone();
        self.inner.blocking(move |s| s.save_job(&written)).await??;
        self.inner.emit(Update::Job(job.clone()));
        self.drive((*job).clone());
        Ok(job)
    }

    /// Asks the gateway again about a job mjdesk ended at its deadline (it may have finished
    /// the job since) and follows it for another full wait. Free: nothing is sent anew,
    /// unlike [`retry`](Self::retry).
    pub async fn check_again(&self, job_id: &str) -> Result<Arc<Job>, ManagerError> {
        let mut job = self.load_job(job_id).await?;
        if !job.ended_by_deadline() {
            return Err(ManagerError::NotTimedOut { id: job_id.into(), status: job.status.label() });
        }
        job.status = JobStatus::Submitted;
        job.finished_at = None;
        job.deadline_at = Some(driver::fresh_deadline(&self.inner, &job));
        self.save_and_drive(job).await
    }

    /// Picks up every unfinished job: queued ones are submitted in order, submitted ones are
    /// polled, and one caught mid-submit becomes "unknown" (it may have arrived) once its
    /// claim is abandoned; a submit another process is still waiting on is left to it.
    /// Succeeded jobs whose local copies are missing or failed are downloaded again. A row
    /// the store cannot read is named once (a notice) and skipped. Returns how many jobs it
    /// drives.
    pub async fn resume(&self) -> Result<usize, ManagerError> {
        let ((unfinished, bad), (recent, bad_recent)) = self
            .inner
            .blocking(|s| Ok::<_, StoreError>((s.unfinished_skipping()?, s.jobs_page_skipping(0, 200)?)))
            .await??;
        let mut named = HashSet::new();
        for e in bad.into_iter().chain(bad_recent) {
            let key = match &e {
                StoreError::BadRow { id, .. } => id.clone(),
                other => other.to_string(),
            };
            if named.insert(key) {
                self.inner.emit(Update::Notice(ManagerError::Skipped(e)));
            }
        }
        let mut driven = 0;
        for job in unfinished {
            if self.inner.is_live(&job.id) {
                continue;
            }
            if job.status == JobStatus::Submitting && job.gateway_id.is_none() {
                self.settle_abandoned_submit(&job).await?;
                continue;
            }
            if matches!(job.status, JobStatus::Unknown { .. }) {
                continue;
            }
            driven += 1;
            self.drive(job);
        }
        for mut job in recent {
            if job.status == JobStatus::Succeeded && download::retry_failed_copies(&mut job) {
                driven += 1;
                self.drive(job);
            }
        }
        Ok(driven)
    }

    /// A job found mid-submit outside this manager: "unknown" only when its claim is
    /// abandoned (the process that sent it died or stopped renewing it). True when changed.
    async fn settle_abandoned_submit(&self, job: &Job) -> Result<bool, ManagerError> {
        let (id, stale) = (job.id.clone(), self.inner.config.claim_stale);
        let changed = self.inner.blocking(move |s| s.mark_abandoned_submit(&id, stale, ABANDONED_SUBMIT)).await??;
        if changed {
            let mut job = job.clone();
            job.status = JobStatus::Unknown { reason: ABANDONED_SUBMIT.into() };
            self.inner.emit(Update::Job(Arc::new(job)));
        }
        Ok(changed)
    }

    /// Drives a known job to its end (polls it if unfinished, downloads missing copies and
    /// tries again the ones that failed). A job another process is submitting is left to it
    /// unless that claim is abandoned, when it becomes "unknown".
    pub async fn follow(&self, job_id: &str) -> Result<Arc<Job>, ManagerError> {
        let mut job = self.load_job(job_id).await?;
        if self.inner.is_live(&job.id) {
            return Ok(Arc::new(job));
        }
        if job.status == JobStatus::Submitting && job.gateway_id.is_none() {
            if self.settle_abandoned_submit(&job).await? {
                job.status = JobStatus::Unknown { reason: ABANDONED_SUBMIT.into() };
            }
            return Ok(Arc::new(job));
        }
        if job.status == JobStatus::Succeeded {
            download::retry_failed_copies(&mut job);
        }
        if !matches!(job.status, JobStatus::Unknown { .. }) {
            self.drive(job.clone());
        }
        Ok(Arc::new(job))
    }

    /// Starts the one driver task for `job`, unless one is already running. When it ends,
    /// where the job stands is reported once more (read from the store when another process
    /// took it over), so a waiter that checks [`is_driving`](Self::is_driving) hears the end.
    fn drive(&self, job: Job) {
        if !lock(&self.inner.live).insert(job.id.clone()) {
            return;
        }
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let (id, provider, endpoint) = (job.id.clone(), job.provider, job.base_url.clone());
            let last = driver::run(&inner, job).await;
            account::after_job(&inner, provider, &endpoint);
            lock(&inner.live).remove(&id);
            let last = match last {
                Some(job) => Some(job),
                None => inner.blocking(move |s| s.get_job(&id)).await.ok().and_then(Result::ok).flatten(),
            };
            if let Some(job) = last {
                inner.emit(Update::Job(Arc::new(job)));
            }
        });
    }
}

/// Why a job found mid-submit, with no live claim, is "unknown".
const ABANDONED_SUBMIT: &str = "mjdesk stopped while this job was being submitted; it may have reached the gateway";

impl Inner {
    fn emit(&self, update: Update) {
        let _ = self.updates.send(update);
        if let Some(notify) = &self.notify {
            notify();
        }
    }

    /// Runs store or cache work on the blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> T + Send + 'static,
    ) -> Result<T, ManagerError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store)).await.map_err(|e| ManagerError::Internal(e.to_string()))
    }

    /// Writes where the job stands and tells the listeners. A failed write is reported, not
    /// fatal: the job goes on, and the next write carries the same state.
    async fn save(&self, job: &Job) {
        let shared = Arc::new(job.clone());
        let written = shared.clone();
        match self.blocking(move |s| s.save_job(&written)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.emit(Update::Notice(e.into())),
            Err(e) => self.emit(Update::Notice(e)),
        }
        self.emit(Update::Job(shared));
    }

    fn slots(&self, provider: Provider, endpoint: &str) -> Arc<Semaphore> {
        lock(&self.slots)
            .entry((provider, endpoint.to_owned()))
            .or_insert_with(|| Arc::new(Semaphore::new(self.config.max_in_progress.max(1))))
            .clone()
    }

    /// The client for an endpoint, resolved once (the key lookup runs without any lock held).
    async fn gateway(&self, provider: Provider, endpoint: &str) -> Result<Gateway, ConnectError> {
        let key = (provider, endpoint.to_owned());
        if let Some(g) = lock(&self.gateways).get(&key) {
            return Ok(g.clone());
        }
        let client = (self.resolver)(provider, endpoint.to_owned()).await?;
        let g = Gateway { client, slots: self.slots(provider, endpoint) };
        Ok(lock(&self.gateways).entry(key).or_insert(g).clone())
    }

    fn count(&self, f: impl FnOnce(&mut QueueCounts)) {
        f(&mut lock(&self.counts));
    }

    fn is_live(&self, id: &str) -> bool {
        lock(&self.live).contains(id)
    }
}
