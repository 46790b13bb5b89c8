//! Work the window hands off so its thread never waits: the start (key lookup, simulator,
//! store), and reads of the store for the list and the job view. Each runs on the tokio
//! runtime's blocking pool, sends its answer over a channel and asks for a repaint; the
//! window drains the channel in `logic`.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::list::ListRead;
use super::settings_form::{GatewayChoice, SettingsForm, Target};
use crate::connect::{self, ConnectError, Connection};
use crate::job::{Job, Provider};
use crate::keystore::KeyStore;
use crate::manager::{JobManager, ManagerConfig, Updates};
use crate::secret::ApiKey;
use crate::store::{JobSummary, Store, StoreError, SummaryPage};

pub type Repaint = Arc<dyn Fn() + Send + Sync>;

/// The setting the mask canvas's last tool and brush size are stored under.
pub const CANVAS_PREFS: &str = "window.canvas";

/// What a successful start hands the window.
pub struct Started {
    pub store: Store,
    pub manager: JobManager,
    pub updates: Updates,
    pub connection: Connection,
    pub limit: usize,
    /// Earlier prompts, most recent first (Up/Down and the History menu).
    pub history: Vec<String>,
    /// The stored settings (or the ones just saved), if any were ever saved.
    pub settings: Option<SettingsForm>,
    /// The mask canvas's last tool and brush size, as stored (JSON), if ever saved.
    pub canvas_prefs: Option<String>,
    /// Something to tell the designer about the start (a key that could not be stored).
    pub notice: Option<String>,
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

/// Starts the engine in the background; the answer arrives on the returned channel.
pub fn start(target: Target, repaint: Repaint) -> Receiver<Result<Started, StartError>> {
    let (tx, rx) = channel();
    tokio::spawn(async move {
        let result = start_engine(None, target, None, true, repaint.clone()).await;
        let _ = tx.send(result);
        repaint();
    });
    rx
}

/// Applies saved settings: stores them (the key in the keyring or the 0600 file, never the
/// database), then starts a new engine on the gateway they name. `store` is the running
/// engine's store, if there is one. Jobs the previous engine drives stay with it, so the new
/// one does not resume them a second time unless `resume` is set (no engine ran before).
pub fn restart(
    store: Option<Store>,
    form: SettingsForm,
    resume: bool,
    repaint: Repaint,
) -> Receiver<Result<Started, StartError>> {
    let (tx, rx) = channel();
    tokio::spawn(async move {
        let result = apply_settings(store, form, resume, repaint.clone()).await;
        let _ = tx.send(result);
        repaint();
    });
    rx
}

async fn apply_settings(
    store: Option<Store>,
    form: SettingsForm,
    resume: bool,
    repaint: Repaint,
) -> Result<Started, StartError> {
    let store = match store {
        Some(s) => s,
        None => blocking(Store::open_default).await??,
    };
    let key = Some(form.api_key.trim().to_owned()).filter(|k| !k.is_empty());
    let provider = match form.gateway {
        GatewayChoice::Gateway(p) => Some(p),
        GatewayChoice::Simulator => None,
    };
    let (saved, stored) = {
        let (store, pairs) = (store.clone(), form.to_settings());
        let key = key.clone();
        blocking(move || {
            let saved = pairs.iter().try_for_each(|(name, value)| store.set_setting(name, value));
            let stored = match (provider, key) {
                (Some(p), Some(k)) => {
                    let result = KeyStore::new().save(p, &ApiKey::new(k)).map(|_| ());
                    connect::forget_stored_keys();
                    Some(result)
                }
                _ => None,
            };
            (saved, stored)
        })
        .await?
    };
    let mut notes = Vec::new();
    if let Err(e) = saved {
        notes.push(format!("the settings could not be stored ({e}); they apply until mjdesk closes"));
    }
    // The key just typed is the one used, even over the environment's (and even when it
    // could not be stored, for this window only).
    let mut target = form.target();
    if let Some(Err(e)) = stored {
        notes.push(format!("the key could not be stored ({e}); it is used until mjdesk closes"));
    }
    if key.is_some() {
        target.api_key = key;
    }
    let mut started = start_engine(Some(store), target, Some(form), resume, repaint).await?;
    started.notice = Some(notes.join("; ")).filter(|n| !n.is_empty());
    Ok(started)
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, StartError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| StartError::Internal(e.to_string()))
}

/// Which gateway to open on: the command line's choice wins, then the stored settings, then
/// TTAPI when a key is configured for it, else the built-in simulator.
pub fn choose_target(given: Target, stored: Option<&SettingsForm>) -> Target {
    let chosen = given.provider.is_some() || given.simulator || given.base_url.is_some();
    match stored {
        Some(form) if !chosen => Target { api_key: given.api_key, allow_http: given.allow_http, ..form.target() },
        _ => given,
    }
}

async fn start_engine(
    store: Option<Store>,
    target: Target,
    settings: Option<SettingsForm>,
    resume: bool,
    repaint: Repaint,
) -> Result<Started, StartError> {
    let (store, history, stored, canvas_prefs) = blocking(move || {
        let store = match store {
            Some(s) => s,
            None => Store::open_default()?,
        };
        // History and settings are conveniences: a read that fails leaves them empty.
        let history = store.prompt_history(500).map(|h| h.into_iter().map(|p| p.prompt).collect());
        let stored = settings.or_else(|| SettingsForm::from_settings(|name| store.get_setting(name).ok().flatten()));
        let canvas_prefs = store.get_setting(CANVAS_PREFS).ok().flatten();
        Ok::<_, StoreError>((store, history.unwrap_or_default(), stored, canvas_prefs))
    })
    .await??;
    let target = choose_target(target, stored.as_ref());
    let provider = match target.provider {
        Some(p) => Some(p),
        None if target.simulator => None,
        None if target.base_url.is_some() => Some(Provider::Ttapi),
        None => blocking(|| connect::find_key(Provider::Ttapi, None)).await??.map(|_| Provider::Ttapi),
    };
    let connection =
        connect::connect(provider, target.base_url.clone(), target.api_key.clone(), target.allow_http).await?;
    let config = ManagerConfig::from_env();
    let limit = config.max_in_progress;
    let resolver = connect::resolver_for(&connection, target.api_key);
    let notify: Repaint = repaint;
    let (manager, updates) = JobManager::start(store.clone(), config, resolver, Some(notify));
    // the status bar shows the balance where the gateway states one
    manager.watch_account(connection.provider, &connection.endpoint);
    if resume {
        manager.send(crate::manager::Command::Resume);
    }
    Ok(Started { store, manager, updates, connection, limit, history, settings: stored, canvas_prefs, notice: None })
}

/// A store read the window asked for, answered.
pub enum Loaded {
    Count {
        generation: u64,
        total: Result<u64, StoreError>,
    },
    Page {
        generation: u64,
        page: u64,
        rows: Result<SummaryPage, StoreError>,
    },
    Job {
        id: String,
        job: Result<Option<Box<Job>>, StoreError>,
        /// The job's parent, when it has one the store can read (the list may not have).
        parent: Option<Box<JobSummary>>,
    },
    Children {
        id: String,
        rows: Result<SummaryPage, StoreError>,
    },
    /// Job `id`'s like and rating, read or just changed.
    Marks {
        id: String,
        marks: Result<crate::store::Marks, crate::store::LibraryError>,
        /// True when they were just changed (a like or a rating), not only read.
        changed: bool,
    },
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

    /// Job `id` in full, and its parent's summary.
    pub fn job(&self, id: String) {
        self.run(move |s| {
            let job = s.get_job(&id).map(|j| j.map(Box::new));
            let parent_id = job.as_ref().ok().and_then(|j| j.as_ref()?.parent_id.clone());
            let parent = parent_id.and_then(|p| s.summary(&p).ok().flatten()).map(Box::new);
            Loaded::Job { job, parent, id }
        })
    }

    pub fn children(&self, id: String) {
        self.run(move |s| Loaded::Children { rows: s.child_summaries(&id), id })
    }

    /// Job `id`'s like and rating.
    pub fn marks(&self, id: String) {
        self.run(move |s| Loaded::Marks { marks: s.marks(&id), id, changed: false })
    }

    /// Likes job `id`, or takes the like back; answered with its marks.
    pub fn toggle_like(&self, id: String) {
        self.run(move |s| Loaded::Marks { marks: s.toggle_liked(&id).and_then(|_| s.marks(&id)), id, changed: true })
    }

    /// Rates job `id` (`None` clears it); answered with its marks.
    pub fn rate(&self, id: String, stars: Option<u8>) {
        self.run(move |s| Loaded::Marks {
            marks: s.set_rating(&id, stars).and_then(|_| s.marks(&id)),
            id,
            changed: true,
        })
    }

    /// The store this loader reads (for a restart on new settings).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn try_recv(&self) -> Option<Loaded> {
        self.rx.try_recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::settings_form::{Theme, keys};

    #[test]
    fn command_line_flags_win_over_stored_settings() {
        let stored = SettingsForm {
            gateway: GatewayChoice::Gateway(Provider::Vtrix),
            base_url: "https://vtrix.example".into(),
            ..Default::default()
        };
        let none = choose_target(Target::default(), Some(&stored));
        assert_eq!((none.provider, none.base_url.as_deref()), (Some(Provider::Vtrix), Some("https://vtrix.example")));
        let flags = Target { provider: Some(Provider::Acedata), ..Default::default() };
        let chosen = choose_target(flags, Some(&stored));
        assert_eq!((chosen.provider, chosen.base_url), (Some(Provider::Acedata), None));
        let sim = choose_target(Target { simulator: true, ..Default::default() }, Some(&stored));
        assert!(sim.simulator && sim.provider.is_none());
        assert!(choose_target(Target::default(), None).provider.is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_is_read_with_its_parents_summary() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let new = |prompt: &str| {
            let request = crate::job::JobRequest::Imagine { prompt: prompt.into() };
            Job::new(Provider::Ttapi, "http://x", request, crate::job::SubmitOptions::default())
        };
        let grid = new("a lighthouse");
        let mut child = new("a lighthouse, closer");
        child.parent_id = Some(grid.id.clone());
        store.insert_job(&grid).unwrap();
        store.insert_job(&child).unwrap();
        let loader = Loader::new(store, Arc::new(|| {}));
        for (id, parent) in [(child.id.clone(), Some(grid.id.clone())), (grid.id.clone(), None)] {
            loader.job(id.clone());
            let answer = async {
                loop {
                    match loader.try_recv() {
                        Some(loaded) => break loaded,
                        None => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
                    }
                }
            };
            let loaded = tokio::time::timeout(std::time::Duration::from_secs(10), answer).await.expect("answered");
            let Loaded::Job { id: read, job: Ok(Some(_)), parent: got } = loaded else { panic!("{id}") };
            assert_eq!((read, got.map(|p| p.id)), (id, parent));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn saving_settings_stores_them_and_switches_the_gateway() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let form = SettingsForm {
            gateway: GatewayChoice::Gateway(Provider::Acedata),
            base_url: "http://127.0.0.1:9".into(),
            theme: Theme::Light,
            default_mode: Some(crate::job::Mode::Relax),
            ..Default::default()
        };
        let started = apply_settings(Some(store.clone()), form.clone(), false, Arc::new(|| {})).await.unwrap();
        assert_eq!(started.connection.provider, Provider::Acedata);
        assert_eq!(started.connection.base_url, "http://127.0.0.1:9");
        assert!(!started.connection.is_simulator());
        assert_eq!(started.notice, None, "every setting was stored");
        assert_eq!(store.get_setting(keys::GATEWAY).unwrap().as_deref(), Some("acedata"));
        let read = SettingsForm::from_settings(|n| store.get_setting(n).ok().flatten()).unwrap();
        assert_eq!(read, form);
        // The next start, with no flags, opens on what was saved.
        let again = start_engine(Some(store), Target::default(), None, false, Arc::new(|| {})).await.unwrap();
        assert_eq!(
            (again.connection.provider, again.connection.endpoint.as_str()),
            (Provider::Acedata, "http://127.0.0.1:9")
        );
        assert_eq!(again.settings, Some(form));
    }
}
