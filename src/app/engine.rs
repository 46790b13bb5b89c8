//! The engine behind the window: starting in the background, running, or stopped; the engines
//! a reconnect replaced, until they have finished their jobs; and the one way anything is sent
//! ([`Running::send`] / [`Running::retry`]), which hands back the command id a control keeps in
//! its [`super::submission::Submission`].

use std::sync::mpsc::{Receiver, TryRecvError};

use super::background::{self, Loader, Repaint, StartError, Started};
use super::settings_form::{SettingsForm, Target};
use crate::connect::Connection;
use crate::intent::Intent;
use crate::job::{Job, Mode, Provider, SubmitOptions};
use crate::manager::{Command, CommandId, JobManager, QueueCounts, Update, Updates};
use crate::store::Store;

/// Where a submit goes: a gateway, its endpoint, and the options it is sent with.
#[derive(Debug, Clone, PartialEq)]
pub struct SendTo {
    pub provider: Provider,
    pub endpoint: String,
    pub options: SubmitOptions,
}

impl SendTo {
    /// A follow-up goes where its parent was made, with the parent's options.
    pub fn of(job: &Job) -> Self {
        SendTo { provider: job.provider, endpoint: job.base_url.clone(), options: job.options.clone() }
    }
}

/// A running engine: the job manager, its updates, and the store reads the window asks for.
pub struct Running {
    pub manager: JobManager,
    updates: Updates,
    pub loader: Loader,
    /// Collections and the filter menus' counts, off the window's thread.
    pub library: super::library::Library,
    /// The window's own gateway: where new jobs (not follow-ups) go.
    pub provider: Provider,
    pub endpoint: String,
    next_command: CommandId,
}

impl Running {
    fn command_id(&mut self) -> CommandId {
        self.next_command += 1;
        self.next_command
    }

    /// The window's own gateway, in `mode`.
    pub fn own_gateway(&self, mode: Option<Mode>) -> SendTo {
        SendTo {
            provider: self.provider,
            endpoint: self.endpoint.clone(),
            options: SubmitOptions { mode, ..SubmitOptions::default() },
        }
    }

    /// Sends what the designer asked for to `to`; the answer comes back as an update naming
    /// the returned id.
    pub fn send(&mut self, intent: Intent, to: SendTo) -> CommandId {
        let id = self.command_id();
        let SendTo { provider, endpoint, options } = to;
        self.manager.send(Command::Submit { id, provider, endpoint, intent: Box::new(intent), options });
        id
    }

    /// Sends a failed job (or one whose fate is unknown) again, as the designer chose.
    pub fn retry(&mut self, job_id: String) -> CommandId {
        let id = self.command_id();
        self.manager.send(Command::Retry { id, job_id });
        id
    }

    /// Asks the gateway again about a job mjdesk ended at its deadline (free, unlike retry).
    pub fn check_again(&mut self, job_id: String) -> CommandId {
        let id = self.command_id();
        self.manager.send(Command::CheckAgain { id, job_id });
        id
    }

    pub fn store(&self) -> &Store {
        self.manager.store()
    }
}

enum Slot {
    Starting(Receiver<Result<Started, StartError>>),
    Running(Box<Running>),
    Stopped,
}

/// What a start brought that is not the engine's own: the window shows or applies it.
pub struct StartReport {
    pub connection: Connection,
    pub limit: usize,
    pub history: Vec<String>,
    pub settings: Option<SettingsForm>,
    pub canvas_prefs: Option<String>,
    pub notice: Option<String>,
}

/// What is left of an engine a reconnect replaced: its manager, finishing the jobs it was
/// driving, and their updates.
struct Retired {
    manager: JobManager,
    updates: Updates,
}

/// The window's engine slot, the engines it replaced, and settings waiting for a start.
pub struct Engine {
    slot: Slot,
    /// Engines replaced by a reconnect: they finish the jobs they were driving and report them.
    retired: Vec<Retired>,
    /// Settings saved while the engine was still starting: applied once it has.
    pending_settings: Option<Box<SettingsForm>>,
    /// The library and loader of the engine a reconnect replaced, handed to the next one:
    /// the store is the same, and a change (a collection's, a like) sent just before the
    /// reconnect is answered through them.
    carried: Option<(super::library::Library, Loader)>,
    repaint: Repaint,
}

impl Engine {
    /// Starts the engine on `target` in the background.
    pub fn start(target: Target, repaint: Repaint) -> Self {
        let slot = Slot::Starting(background::start(target, repaint.clone()));
        Engine { slot, retired: Vec::new(), pending_settings: None, carried: None, repaint }
    }

    pub fn running(&self) -> Option<&Running> {
        match &self.slot {
            Slot::Running(run) => Some(run),
            _ => None,
        }
    }

    pub fn running_mut(&mut self) -> Option<&mut Running> {
        match &mut self.slot {
            Slot::Running(run) => Some(run),
            _ => None,
        }
    }

    /// Takes in the start's answer once it has come. Settings saved meanwhile are applied
    /// right after (a new start begins).
    pub fn poll_start(&mut self) -> Option<Result<StartReport, StartError>> {
        let Slot::Starting(rx) = &self.slot else { return None };
        let result = match rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err(StartError::Internal("the start was cut short".into())),
        };
        let report = match result {
            Ok(started) => {
                let Started { store, manager, updates, connection, limit, history, settings, canvas_prefs, notice } =
                    started;
                let (library, loader) = match self.carried.take() {
                    Some((library, loader)) if library.store().path() == store.path() => (library, loader),
                    _ => (
                        super::library::Library::new(store.clone(), self.repaint.clone()),
                        Loader::new(store, self.repaint.clone()),
                    ),
                };
                library.collections();
                self.slot = Slot::Running(Box::new(Running {
                    library,
                    loader,
                    manager,
                    updates,
                    provider: connection.provider,
                    endpoint: connection.endpoint.clone(),
                    next_command: 0,
                }));
                Ok(StartReport { connection, limit, history, settings, canvas_prefs, notice })
            }
            Err(e) => {
                self.slot = Slot::Stopped;
                Err(e)
            }
        };
        if let Some(form) = self.pending_settings.take() {
            self.reconnect(form);
        }
        Some(report)
    }

    /// Stores `form` and starts a new engine on the gateway it names. The running engine
    /// retires: it finishes the jobs it drives. Returns false when the start still under way
    /// must answer first (the settings apply right after it).
    pub fn reconnect(&mut self, form: Box<SettingsForm>) -> bool {
        let (store, resume) = match std::mem::replace(&mut self.slot, Slot::Stopped) {
            Slot::Starting(rx) => {
                self.slot = Slot::Starting(rx);
                self.pending_settings = Some(form);
                return false;
            }
            Slot::Running(run) => {
                let Running { manager, updates, loader, library, .. } = *run;
                let store = loader.store().clone();
                self.retired.push(Retired { manager, updates });
                self.carried = Some((library, loader));
                (Some(store), false)
            }
            Slot::Stopped => (None, true),
        };
        self.slot = Slot::Starting(background::restart(store, *form, resume, self.repaint.clone()));
        true
    }

    /// Every update waiting, the retired engines' first, then the running one's; retired
    /// engines with no job left go.
    pub fn updates(&mut self) -> Vec<Update> {
        let mut out = Vec::new();
        for old in &mut self.retired {
            while let Some(update) = old.updates.try_recv() {
                out.push(update);
            }
        }
        self.retired.retain(|old| old.manager.live_jobs() > 0);
        if let Slot::Running(run) = &mut self.slot {
            while let Some(update) = run.updates.try_recv() {
                out.push(update);
            }
        }
        out
    }

    /// Jobs in progress and queued locally, over every engine.
    pub fn counts(&self) -> QueueCounts {
        let mut counts = self.running().map(|r| r.manager.counts()).unwrap_or_default();
        for old in &self.retired {
            let c = old.manager.counts();
            counts.in_progress += c.in_progress;
            counts.queued_locally += c.queued_locally;
        }
        counts
    }
}
