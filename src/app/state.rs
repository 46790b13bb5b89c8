//! Everything the window shows, as plain data: no egui types, so it is tested without pixels.

use crate::actions::ActionKind;
use crate::job::{Job, JobStatus, Provider};
use crate::manager::{QueueCounts, Update};

/// What a panel asks for; the app applies these after the frame is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum UiCommand {
    Imagine {
        prompt: String,
    },
    Action {
        job_id: String,
        action: String,
    },
    Retry {
        job_id: String,
    },
    Select {
        job_id: String,
    },
    /// Open the mask canvas on a single image (the job's vary-region actions route here).
    VaryRegion {
        job_id: String,
    },
    /// Ask where to save a downloaded image, suggesting this file name.
    SaveImage {
        source: std::path::PathBuf,
        file_name: String,
    },
    CopyImage {
        source: std::path::PathBuf,
    },
    /// Open the folder holding this file.
    ShowInFolder {
        path: std::path::PathBuf,
    },
    /// Store the settings (the key in the keyring or 0600 file) and reconnect.
    SaveSettings(Box<super::settings_panel::SettingsForm>),
}

/// The window's state.
#[derive(Debug, Default)]
pub struct AppState {
    /// Newest first.
    pub jobs: Vec<Job>,
    pub selected: Option<String>,
    pub prompt: String,
    /// The last refusal or notice, shown until the next one.
    pub message: Option<String>,
    pub gateway: String,
    pub counts: QueueCounts,
    pub limit: usize,
    /// The prompt panel's own state: mode, history, helper drafts, a refusal to show.
    pub prompt_form: super::prompt_params::PromptForm,
    /// Quota spent by jobs finished since the window opened.
    pub session: super::status_bar::SessionTally,
    /// The Settings panel: open or not, and the form.
    pub settings: super::settings_panel::SettingsUi,
}

impl AppState {
    pub fn new(gateway: String, limit: usize, jobs: Vec<Job>) -> Self {
        Self { selected: jobs.first().map(|j| j.id.clone()), jobs, gateway, limit, ..Default::default() }
    }

    /// Takes in one update from the job manager.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Job(job) => {
                let job = *job;
                self.observe(&job);
                match self.jobs.iter_mut().find(|j| j.id == job.id) {
                    Some(existing) => *existing = job,
                    None => {
                        self.selected = Some(job.id.clone());
                        self.jobs.insert(0, job);
                    }
                }
            }
            Update::Rejected { reason } | Update::Notice(reason) => self.message = Some(reason),
        }
    }

    /// Notes what a job update means beyond the list: an Imagine refused at submit (no
    /// gateway id) shows its reason next to the prompt while the box still holds that text.
    fn observe(&mut self, job: &Job) {
        self.session.record(job);
        if job.kind == crate::job::JobKind::Imagine
            && let Some(prompt) = &job.prompt
        {
            self.prompt_form.accepted(prompt);
        }
        if let (JobStatus::Failed { reason }, None, crate::job::JobKind::Imagine, Some(prompt)) =
            (&job.status, &job.gateway_id, &job.kind, &job.prompt)
            && prompt.trim() == self.prompt.trim()
        {
            self.prompt_form.refuse(prompt, reason);
        }
    }

    pub fn selected_job(&self) -> Option<&Job> {
        let id = self.selected.as_ref()?;
        self.jobs.iter().find(|j| &j.id == id)
    }

    /// Whether anything is moving (so the window keeps repainting; idle means no CPU).
    pub fn busy(&self) -> bool {
        self.jobs.iter().any(|j| !j.settled())
    }
}

/// One row of the job list.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub progress: Option<f32>,
    pub failed: bool,
}

impl JobRow {
    pub fn of(job: &Job) -> Self {
        let prompt = job.prompt.clone().unwrap_or_else(|| job.kind.label().to_owned());
        let title = match &job.kind {
            crate::job::JobKind::Action { action, .. } => format!("{} · {prompt}", ActionKind::parse(action).label()),
            kind if kind.parent().is_some() => format!("{} · {prompt}", kind.label()),
            _ => prompt,
        };
        Self {
            id: job.id.clone(),
            title: title.chars().take(80).collect(),
            status: job.status.label(),
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
        s.apply(Update::Job(Box::new(j.clone())));
        assert_eq!(s.jobs[0].prompt.as_deref(), Some("new"));
        assert_eq!(s.selected.as_deref(), Some(j.id.as_str()));
        j.status = JobStatus::Running { progress: 40 };
        s.apply(Update::Job(Box::new(j.clone())));
        assert_eq!(s.jobs.len(), 2);
        assert_eq!(JobRow::of(&s.jobs[0]).progress, Some(0.4));
        assert!(s.busy());
        s.apply(Update::Rejected { reason: "the prompt is empty".into() });
        assert_eq!(s.message.as_deref(), Some("the prompt is empty"));
    }

    #[test]
    fn a_follow_up_row_names_its_action_and_the_prompt_it_continues() {
        let req = JobRequest::Action { parent: crate::job::ParentRef::job("g1"), action: "upsample2".into() };
        let mut j = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        j.prompt = Some("a red fox".into());
        assert_eq!(JobRow::of(&j).title, "U2 · a red fox");
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
