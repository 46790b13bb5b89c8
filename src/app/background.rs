//! Work the window hands off so its thread never waits: the start (key lookup, simulator,
//! store), and reads of the store for the list and the job view. Each runs on the tokio
//! runtime's blocking pool, sends its answer over a channel and asks for a repaint; the
//! window drains the channel in `logic`.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::list::ListRead;
use crate::connect::{self, ConnectError, Connection};
use crate::job::{Job, Provider};
use crate::manager::{JobManager, ManagerConfig, Updates};
use crate::store::{Store, StoreError, SummaryPage};

pub type Repaint = Arc<dyn Fn() + Send + Sync>;

/// What a successful start hands the window.
pub struct Started {
    pub store: Store,
    pub manager: JobManager,
    pub updates: Updates,
    pub connection: Connection,
    pub limit: usize,
    /// Earlier prompts, most recent first (Up/Down and the History menu).
    pub history: Vec<String>,
}

/// Why the window could not start its engine, with what to do about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Connect(#[from] ConnectError),
    #[error("mjdesk could not start its background work: {0}")]
    Internal(String),
}

/// Which gateway the window opens on: as the command line says, else TTAPI when a key is
/// configured for it, else the built-in simulator.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub provider: Option<Provider>,
    /// `--provider sim`: the built-in simulator even when a key is configured.
    pub simulator: bool,
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub allow_http: bool,
}

/// Starts the engine in the background; the answer arrives on the returned channel.
pub fn start(target: Target, repaint: Repaint) -> Receiver<Result<Started, StartError>> {
    let (tx, rx) = channel();
    tokio::spawn(async move {
        let result = start_engine(target, repaint.clone()).await;
        let _ = tx.send(result);
        repaint();
    });
    rx
}

async fn start_engine(target: Target, repaint: Repaint) -> Result<Started, StartError> {
    let (store, history) = tokio::task::spawn_blocking(|| {
        let store = Store::open_default()?;
        // History is a convenience: a read that fails leaves it empty.
        let history = store.prompt_history(500).map(|h| h.into_iter().map(|p| p.prompt).collect());
        Ok::<_, StoreError>((store, history.unwrap_or_default()))
    })
    .await
    .map_err(|e| StartError::Internal(e.to_string()))??;
    let provider = match target.provider {
        Some(p) => Some(p),
        None if target.simulator => None,
        None if target.base_url.is_some() => Some(Provider::Ttapi),
        None => tokio::task::spawn_blocking(|| connect::find_key(Provider::Ttapi, None))
            .await
            .map_err(|e| StartError::Internal(e.to_string()))??
            .map(|_| Provider::Ttapi),
    };
    let connection = connect::connect(provider, target.base_url, target.api_key.clone(), target.allow_http).await?;
    let config = ManagerConfig::from_env();
    let limit = config.max_in_progress;
    let resolver = connect::resolver_for(&connection, target.api_key);
    let notify: Repaint = repaint;
    let (manager, updates) = JobManager::start(store.clone(), config, resolver, Some(notify));
    manager.send(crate::manager::Command::Resume);
    Ok(Started { store, manager, updates, connection, limit, history })
}

/// A store read the window asked for, answered.
pub enum Loaded {
    Count { generation: u64, total: Result<u64, StoreError> },
    Page { generation: u64, page: u64, rows: Result<SummaryPage, StoreError> },
    Job { id: String, job: Result<Option<Box<Job>>, StoreError> },
    Children { id: String, rows: Result<SummaryPage, StoreError> },
}

/// Reads the store off the window's thread.
pub struct Loader {
    store: Store,
    tx: Sender<Loaded>,
    rx: Receiver<Loaded>,
    repaint: Repaint,
}

impl Loader {
    pub fn new(store: Store, repaint: Repaint) -> Self {
        let (tx, rx) = channel();
        Self { store, tx, rx, repaint }
    }

    fn run(&self, work: impl FnOnce(&Store) -> Loaded + Send + 'static) {
        let (store, tx, repaint) = (self.store.clone(), self.tx.clone(), self.repaint.clone());
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(work(&store));
            repaint();
        });
    }

    pub fn list(&self, read: ListRead) {
        match read {
            ListRead::Count { generation, filter } => {
                self.run(move |s| Loaded::Count { generation, total: s.count(&filter) })
            }
            ListRead::Page { generation, filter, page } => self.run(move |s| {
                let offset = page * super::list::PAGE as u64;
                Loaded::Page { generation, page, rows: s.summaries(&filter, offset, super::list::PAGE) }
            }),
        }
    }

    pub fn job(&self, id: String) {
        self.run(move |s| Loaded::Job { job: s.get_job(&id).map(|j| j.map(Box::new)), id })
    }

    pub fn children(&self, id: String) {
        self.run(move |s| Loaded::Children { rows: s.child_summaries(&id), id })
    }

    pub fn try_recv(&self) -> Option<Loaded> {
        self.rx.try_recv().ok()
    }
}
