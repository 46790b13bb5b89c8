//! [`Submission`]: what every control that sends something keeps, so the manager's answer
//! finds its way back beside that control. Imagine, Blend, Describe, the job view's actions
//! (U/V, Seed, Retry ...) and both editors each hold one; the window offers every update from
//! the manager to all of them, and the one whose command it answers takes it.

use std::sync::Arc;

use crate::job::Job;
use crate::manager::{CommandId, Update};

/// The manager's answer to a submission.
#[derive(Debug, Clone)]
pub enum Answer {
    /// The gateway took it: the new job.
    Accepted(Arc<Job>),
    /// Refused, in one line (the manager's or the gateway's words, made safe to show).
    Refused(String),
}

/// One control's submit: the command in flight, and the last refusal.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Submission {
    pending: Option<CommandId>,
    refused: Option<String>,
}

impl Submission {
    /// The command that carries the submit, while it is in flight.
    pub fn pending(&self) -> Option<CommandId> {
        self.pending
    }

    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// The submit went out as command `id`; an earlier refusal is no longer news.
    pub fn sent(&mut self, id: CommandId) {
        self.pending = Some(id);
        self.refused = None;
    }

    /// It was refused (or could not be sent): said beside the control, in one line.
    pub fn refused(&mut self, why: &str) {
        self.pending = None;
        self.refused = Some(crate::textsafe::one_line(why).into_owned());
    }

    /// The refusal to show, if any.
    pub fn refusal(&self) -> Option<&str> {
        self.refused.as_deref()
    }

    /// Forgets the refusal (the input it was about changed).
    pub fn clear_refusal(&mut self) {
        self.refused = None;
    }

    /// Takes the manager's answer when `update` is about this submission's command.
    pub fn answer(&mut self, update: &Update) -> Option<Answer> {
        let pending = self.pending?;
        match update {
            Update::Rejected { id, error } if *id == pending => {
                self.refused(&error.to_string());
                Some(Answer::Refused(self.refused.clone().unwrap_or_default()))
            }
            Update::Accepted { id, job } if *id == pending => {
                self.pending = None;
                Some(Answer::Accepted(job.clone()))
            }
            _ => None,
        }
    }
}

/// The refusal, if any, in the error colour.
pub fn refusal_ui(ui: &mut egui::Ui, submission: &Submission) {
    if let Some(refused) = submission.refusal() {
        ui.colored_label(ui.visuals().error_fg_color, refused);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, Provider, SubmitOptions};

    #[test]
    fn a_submission_takes_only_the_answers_about_its_own_command() {
        let request = JobRequest::Imagine { prompt: "p".into() };
        let job = Arc::new(Job::new(Provider::Ttapi, "http://x", request, SubmitOptions::default()));
        let refused =
            |id| Update::Rejected { id, error: crate::intent::IntentError::NoSuchJob("gone\nnow".into()).into() };
        let accepted = |id| Update::Accepted { id, job: job.clone() };
        let mut s = Submission::default();
        assert!(s.answer(&accepted(3)).is_none(), "nothing in flight");
        s.sent(3);
        assert!(s.answer(&accepted(4)).is_none(), "another command's answer");
        assert!(s.answer(&refused(4)).is_none());
        assert_eq!(s.pending(), Some(3));
        assert!(matches!(s.answer(&refused(3)), Some(Answer::Refused(why)) if why == "no job 'gone now' here"));
        assert_eq!((s.pending(), s.refusal()), (None, Some("no job 'gone now' here")), "one line");
        s.sent(5);
        assert_eq!(s.refusal(), None, "a new submit clears the refusal");
        assert!(matches!(s.answer(&accepted(5)), Some(Answer::Accepted(_))));
        assert!(!s.is_pending());
    }
}
