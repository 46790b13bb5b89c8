//! What the window shows that more than one panel reads, as plain data (no egui types, so it
//! is tested without pixels): the job list, the open job and its follow-ups, the engine's
//! standing and the last message. Panels read it; each panel's own state lives beside it.

use std::sync::Arc;

use super::background::Loaded;
use super::list::{JobList, ListRead};
use crate::actions::ActionKind;
use crate::job::{Job, JobStatus, Provider};
use crate::manager::{QueueCounts, Update};
use crate::store::JobSummary;

/// Where the window's engine stands: it opens at once and connects in the background.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Engine {
    /// Looking up the key, probing the gateway, starting the simulator, opening the store.
    #[default]
    Connecting,
    Ready,
    /// The start failed; the text says what to do.
    Failed(String),
}

/// The window's state.
#[derive(Debug, Default)]
pub struct AppState {
    /// Every job, a page at a time.
    pub list: JobList,
    pub selected: Option<String>,
    /// The selected job in full, once read.
    pub open: Option<Arc<Job>>,
    /// The selected job's follow-ups, oldest first.
    pub children: Vec<JobSummary>,
    /// The parent of the job read last (check its id before use).
    pub parent: Option<JobSummary>,
    /// A follow-up just made from the open job: highlighted in the list, one click away.
    pub highlight: Option<String>,
    /// The last refusal or notice, shown until the next one.
    pub message: Option<String>,
    /// A gateway refused the key, in its words: Settings should open.
    pub key_refused: Option<String>,
    pub engine: Engine,
    pub gateway: String,
    /// True when the window runs on the built-in simulator (said plainly, not only below).
    pub simulated: bool,
    pub counts: QueueCounts,
    pub limit: usize,
    /// Quota spent by jobs finished since the window opened.
    pub session: super::session::SessionTally,
    /// Where saved images go (Settings' download folder); `None`: the system's Downloads.
    pub download_dir: Option<std::path::PathBuf>,
    /// The open job's like and rating, once read (job id, marks).
    pub marks: Option<(String, crate::store::Marks)>,
    /// Where the window's `Export` stands.
    pub export: super::bulk_export::ExportStatus,
    /// The filter menus' counts.
    pub facets: super::facets::Facets,
    /// Seeds that arrived for jobs (job id → seed), from their Seed follow-ups.
    pub seeds: std::collections::HashMap<String, String>,
    /// The gateway account's balance, or why it could not be read; None where the gateway
    /// states none.
    pub account: Option<Result<crate::gateway::Account, String>>,
}

impl AppState {
    /// A state showing `jobs` (newest first) as the list's first page, the first one open.
    pub fn new(gateway: String, limit: usize, jobs: Vec<Job>) -> Self {
        let mut list = JobList::default();
        let reads = list.wanted(0..1);
        if let Some(ListRead::Count { generation, .. }) = reads.first() {
            list.counted(*generation, jobs.len() as u64);
            list.page_read(*generation, 0, jobs.iter().map(JobSummary::of).collect(), Vec::new());
        }
        let open = jobs.into_iter().next().map(Arc::new);
        Self {
            selected: open.as_ref().map(|j| j.id.clone()),
            open,
            list,
            gateway,
            limit,
            engine: Engine::Ready,
            ..Default::default()
        }
    }

    /// Takes in one update from the job manager.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Job(job) => self.job_changed(job),
            Update::Accepted { job, .. } => {
                let follow_up = job.parent_id.is_some() && job.parent_id == self.selected;
                if follow_up {
                    // The view stays on the parent; the child is marked in the list.
                    self.highlight = Some(job.id.clone());
                } else {
                    self.selected = Some(job.id.clone());
                    self.open = Some(job.clone());
                    self.children.clear();
                }
                self.message = None;
                self.job_changed(job);
            }
            Update::Rejected { error, .. } | Update::Notice(error) => {
                self.message = Some(crate::textsafe::one_line(&error.to_string()).into_owned())
            }
            Update::KeyRefused { error, .. } => {
                let said = crate::textsafe::one_line(&error.to_string()).into_owned();
                self.message = Some(said.clone());
                self.key_refused = Some(said);
            }
            Update::Account(news) => {
                if let Ok(crate::gateway::Account { max_queue: Some(n), .. }) = &news.account {
                    // the manager's slots follow the gateway's stated limit; so does the bar
                    self.limit = crate::manager::stated_limit(*n);
                }
                self.account = Some(
                    news.account.as_ref().copied().map_err(|e| crate::textsafe::one_line(&e.to_string()).into_owned()),
                );
            }
        }
    }

    fn job_changed(&mut self, job: Arc<Job>) {
        self.session.record(&job);
        if let (crate::job::JobKind::Seed { .. }, Some(parent), Some(seed)) = (&job.kind, &job.parent_id, &job.seed) {
            self.seeds.insert(parent.clone(), seed.clone());
        }
        if self.list.job_changed(&job) {
            self.facets.stale();
        }
        if job.parent_id.is_some() && job.parent_id == self.selected {
            let summary = JobSummary::of(&job);
            match self.children.iter_mut().find(|c| c.id == job.id) {
                Some(c) => *c = summary,
                None => self.children.push(summary),
            }
        }
        if self.selected.as_deref() == Some(job.id.as_str()) {
            self.open = Some(job);
        }
    }

    /// Takes in a store read the window asked for.
    pub fn loaded(&mut self, loaded: Loaded) {
        let failed = |e: crate::store::StoreError| Some(crate::textsafe::one_line(&e.to_string()).into_owned());
        match loaded {
            Loaded::Count { generation, total } => match total {
                Ok(n) => self.list.counted(generation, n),
                Err(e) => self.message = failed(e),
            },
            Loaded::Page { generation, page, rows } => match rows {
                Ok(p) => {
                    let unreadable = p.unreadable.iter().map(|e| e.to_string()).collect();
                    self.list.page_read(generation, page, p.rows, unreadable);
                }
                Err(e) => self.message = failed(e),
            },
            Loaded::Job { id, job, parent } => match job {
                Ok(Some(job)) if self.selected.as_deref() == Some(id.as_str()) => {
                    self.open = Some(Arc::new(*job));
                    self.parent = parent.map(|p| *p);
                }
                Ok(_) => {}
                Err(e) => self.message = failed(e),
            },
            Loaded::Marks { id, marks, changed } => match marks {
                Ok(marks) => {
                    let row_changed = self.list.set_marks(&id, marks.liked, marks.rating);
                    if changed || row_changed {
                        self.facets.stale();
                        let f = self.list.filter();
                        if f.liked || f.min_rating.is_some_and(|n| n > 0) {
                            // the job may join or leave the list
                            self.list.reload();
                        }
                    }
                    if self.selected.as_deref() == Some(id.as_str()) {
                        self.marks = Some((id, marks));
                    }
                }
                Err(e) => self.message = Some(crate::textsafe::one_line(&e.to_string()).into_owned()),
            },
            Loaded::Children { id, rows } => match rows {
                Ok(p) if self.selected.as_deref() == Some(id.as_str()) => self.children = p.rows,
                Ok(_) => {}
                Err(e) => self.message = failed(e),
            },
        }
    }

    /// The seed known for `job`: its own, or the one its Seed follow-up brought.
    pub fn seed_of<'a>(&'a self, job: &'a Job) -> Option<&'a str> {
        job.seed.as_deref().or_else(|| self.seeds.get(&job.id).map(String::as_str))
    }

    /// The open job's like and rating, once read.
    pub fn selected_marks(&self) -> Option<&crate::store::Marks> {
        let (id, marks) = self.marks.as_ref()?;
        (self.selected.as_ref() == Some(id)).then_some(marks)
    }

    pub fn selected_job(&self) -> Option<&Job> {
        let id = self.selected.as_ref()?;
        self.open.as_deref().filter(|j| &j.id == id)
    }

    /// Whether anything is moving (so the window keeps repainting; idle means no CPU).
    pub fn busy(&self) -> bool {
        self.counts.in_progress > 0 || self.counts.queued_locally > 0
    }
}

/// One row of the job list.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub id: String,
    /// The action label first for a follow-up (`U1 · a cabin by a lake`): the row's
    /// accessible name.
    pub title: String,
    pub status: String,
    pub progress: Option<f32>,
    pub failed: bool,
}

impl JobRow {
    pub fn of(job: &JobSummary) -> Self {
        let prompt = job.prompt.clone().unwrap_or_else(|| job.kind.label().to_owned());
        let prompt = crate::textsafe::one_line(&prompt).into_owned();
        let title = match &job.kind {
            crate::job::JobKind::Action { action, .. } => {
                format!("{} · {prompt}", crate::textsafe::one_line(&ActionKind::parse(action).label()).into_owned())
            }
            kind if kind.parent().is_some() => format!("{} · {prompt}", kind.label()),
            _ => prompt,
        };
        Self {
            id: job.id.clone(),
            title: title.chars().take(80).collect(),
            status: crate::textsafe::one_line(&job.status.label()).into_owned(),
            progress: match &job.status {
                JobStatus::Running { progress } => Some(*progress as f32 / 100.0),
                JobStatus::Waiting | JobStatus::Submitted | JobStatus::Submitting => Some(0.0),
                _ => None,
            },
            failed: matches!(job.status, JobStatus::Failed { .. } | JobStatus::Unknown { .. }),
        }
    }
}

/// The buttons a job offers: its own action strings, labelled.
pub fn action_buttons(job: &Job) -> Vec<(String, String)> {
    job.actions.iter().map(|a| (ActionKind::parse(a).label(), a.clone())).collect()
}

pub fn gateway_label(provider: Provider, base_url: &str, simulated: bool) -> String {
    if simulated {
        "Simulator (no API key configured)".to_owned()
    } else {
        format!("{} · {base_url}", provider.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, SubmitOptions};

    fn job(prompt: &str) -> Job {
        Job::new(Provider::Ttapi, "http://x", JobRequest::Imagine { prompt: prompt.into() }, SubmitOptions::default())
    }

    #[test]
    fn a_new_job_goes_on_top_and_is_selected_and_updates_replace() {
        let mut s = AppState::new("sim".into(), 10, vec![job("old")]);
        let mut j = job("new");
        s.apply(Update::Accepted { id: 1, job: Arc::new(j.clone()) });
        assert_eq!(s.list.row(0).unwrap().prompt.as_deref(), Some("new"));
        assert_eq!(s.selected.as_deref(), Some(j.id.as_str()));
        j.status = JobStatus::Running { progress: 40 };
        s.apply(Update::Job(Arc::new(j.clone())));
        assert_eq!(s.list.total(), Some(2));
        assert_eq!(JobRow::of(s.list.row(0).unwrap()).progress, Some(0.4));
        assert_eq!(s.selected_job().unwrap().status, JobStatus::Running { progress: 40 });
        s.apply(Update::Rejected {
            id: 1,
            error: crate::manager::ManagerError::Invalid(crate::imageio::InputError::EmptyPrompt.into()),
        });
        assert_eq!(s.message.as_deref(), Some("the prompt is empty; describe what you want to see"));
    }

    #[test]
    fn a_refused_key_is_kept_in_the_gateways_words() {
        let mut s = AppState::new("TTAPI".into(), 10, Vec::new());
        let error = crate::error::GatewayError::Invalid("invalid api key".into());
        s.apply(Update::KeyRefused { provider: Provider::Ttapi, endpoint: "https://api.ttapi.io".into(), error });
        assert!(s.key_refused.as_deref().is_some_and(|k| k.contains("invalid api key")), "{:?}", s.key_refused);
    }

    #[test]
    fn a_follow_up_row_names_its_action_and_the_prompt_it_continues() {
        let req = JobRequest::Action { parent: crate::job::ParentRef::job("g1"), action: "upsample2".into() };
        let mut j = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        j.prompt = Some("a red fox".into());
        assert_eq!(JobRow::of(&JobSummary::of(&j)).title, "U2 · a red fox");
    }

    #[test]
    fn buttons_come_from_the_jobs_own_actions() {
        let mut j = job("p");
        j.actions = vec!["upsample1".into(), "zoom_out_2".into(), "weird_new".into()];
        let b = action_buttons(&j);
        assert_eq!(b[0], ("U1".to_owned(), "upsample1".to_owned()));
        assert_eq!(b[1].0, "Zoom Out 2x");
        assert_eq!(b[2], ("weird_new".to_owned(), "weird_new".to_owned()));
    }
}
