//! The window's `Export`: the jobs chosen in the list (or, with none chosen, every job the
//! list's filter admits) written into a folder by [`crate::export::export_jobs`], off the
//! window's thread. The folder comes from the desktop's folder dialog, asked asynchronously
//! (rfd), so the window never waits on it; progress comes back over a channel; a cancel is
//! taken between two images. No egui here: [`ExportStatus`] is what the panel draws.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use super::background::Repaint;
use crate::export::{Event, Progress, export_jobs, jobs_matching};
use crate::store::{JobFilter, Store};

/// Which jobs to export.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportWhat {
    /// These jobs (our ids).
    Jobs(Vec<String>),
    /// Every job this filter admits.
    Filter(JobFilter),
}

/// Where the window's export stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ExportStatus {
    #[default]
    Idle,
    /// The folder dialog is open (or the jobs are being read).
    Choosing,
    Running {
        at: Progress,
        dir: PathBuf,
        cancelling: bool,
    },
    /// How the last export ended, in one line; `failed` shows it as an error.
    Ended {
        said: String,
        failed: bool,
    },
}

impl ExportStatus {
    /// An export is under way: another cannot start.
    pub fn busy(&self) -> bool {
        matches!(self, ExportStatus::Choosing | ExportStatus::Running { .. })
    }

    pub fn apply(&mut self, news: ExportNews) {
        *self = match (std::mem::take(self), news) {
            (_, ExportNews::Started { dir, at }) => ExportStatus::Running { at, dir, cancelling: false },
            (ExportStatus::Running { dir, cancelling, .. }, ExportNews::Progress(at)) => {
                ExportStatus::Running { at, dir, cancelling }
            }
            (other, ExportNews::Progress(_)) => other,
            (_, ExportNews::Ended { said, failed }) => ExportStatus::Ended { said, failed },
        };
    }

    /// The designer pressed `Cancel export`: said until the export stops.
    pub fn cancelling(&mut self) {
        if let ExportStatus::Running { cancelling, .. } = self {
            *cancelling = true;
        }
    }
}

/// What the export work tells the window.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportNews {
    Started { dir: PathBuf, at: Progress },
    Progress(Progress),
    Ended { said: String, failed: bool },
}

/// Runs exports off the window's thread.
pub struct BulkExport {
    tx: Sender<ExportNews>,
    rx: Receiver<ExportNews>,
    repaint: Repaint,
    cancel: Arc<AtomicBool>,
}

impl BulkExport {
    pub fn new(repaint: Repaint) -> Self {
        let (tx, rx) = channel();
        Self { tx, rx, repaint, cancel: Arc::new(AtomicBool::new(false)) }
    }

    /// Exports `what` from `store` into `folder`, or (None) into the folder the dialog gives,
    /// starting it in `start_in`. Must be called inside the tokio runtime.
    pub fn start(&mut self, store: Store, what: ExportWhat, folder: Option<PathBuf>, start_in: Option<PathBuf>) {
        self.cancel = Arc::new(AtomicBool::new(false));
        let cancel = self.cancel.clone();
        let (tx, repaint) = (self.tx.clone(), self.repaint.clone());
        let send = move |news| {
            let _ = tx.send(news);
            repaint();
        };
        tokio::spawn(async move {
            let dir = match folder {
                Some(dir) => dir,
                None => {
                    let mut dialog = rfd::AsyncFileDialog::new().set_title("Export to folder");
                    if let Some(dir) = start_in.filter(|d| d.is_dir()) {
                        dialog = dialog.set_directory(dir);
                    }
                    match super::file_dialog::pick_folder(dialog).await {
                        Ok(Some(handle)) => handle.path().to_owned(),
                        Ok(None) => {
                            return send(ExportNews::Ended { said: "Export: no folder chosen".into(), failed: false });
                        }
                        Err(none) => return send(ExportNews::Ended { said: format!("Export: {none}"), failed: true }),
                    }
                }
            };
            let work = tokio::task::spawn_blocking(move || run(&store, what, dir, &cancel, &send));
            if let Err(e) = work.await {
                tracing::warn!("the export task stopped: {e}");
            }
        });
    }

    /// Stops the export under way between two images.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// What the export work told since the last call.
    pub fn poll(&self) -> Vec<ExportNews> {
        self.rx.try_iter().collect()
    }
}

/// Reads the jobs and exports them, telling `send` as it goes. Blocking.
fn run(store: &Store, what: ExportWhat, dir: PathBuf, cancel: &AtomicBool, send: &dyn Fn(ExportNews)) {
    let failed = |said: String| send(ExportNews::Ended { said, failed: true });
    let (jobs, mut skipped) = match what {
        ExportWhat::Filter(filter) => match jobs_matching(store, &filter) {
            Ok(found) => found,
            Err(e) => return failed(e.to_string()),
        },
        ExportWhat::Jobs(ids) => {
            let mut jobs = Vec::with_capacity(ids.len());
            for id in ids {
                match store.get_job(&id) {
                    Ok(Some(job)) => jobs.push(job),
                    Ok(None) => {}
                    Err(e) => return failed(crate::textsafe::one_line(&e.to_string()).into_owned()),
                }
            }
            (jobs, Vec::new())
        }
    };
    if jobs.is_empty() {
        return send(ExportNews::Ended { said: "Nothing to export: no job is chosen or shown".into(), failed: true });
    }
    send(ExportNews::Started { dir: dir.clone(), at: Progress { jobs_total: jobs.len(), ..Default::default() } });
    let result = export_jobs(store, &jobs, &dir, cancel, |event| match event {
        Event::Progress(at) => send(ExportNews::Progress(at)),
        Event::Note(line) => skipped.push(line),
    });
    let skipped = match skipped.len() {
        0 => String::new(),
        n => format!(" ({n} skipped: {})", crate::textsafe::short_line(&skipped[0])),
    };
    let news = match result {
        Ok(done) if done.cancelled => ExportNews::Ended {
            said: format!("Export cancelled: the {} image(s) written to {} are complete", done.images, dir.display()),
            failed: false,
        },
        Ok(done) => ExportNews::Ended {
            said: format!("Exported {} image(s) of {} job(s) to {}{skipped}", done.images, done.jobs, dir.display()),
            failed: false,
        },
        Err(e) => ExportNews::Ended { said: crate::textsafe::one_line(&e.to_string()).into_owned(), failed: true },
    };
    send(news);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_follows_the_news_and_a_cancel_is_said_until_it_ends() {
        let mut s = ExportStatus::default();
        assert!(!s.busy());
        s = ExportStatus::Choosing;
        assert!(s.busy());
        let at = Progress { images_total: 4, jobs_total: 2, ..Default::default() };
        s.apply(ExportNews::Started { dir: "/out".into(), at });
        s.apply(ExportNews::Progress(Progress { images: 1, ..at }));
        s.cancelling();
        s.apply(ExportNews::Progress(Progress { images: 2, ..at }));
        assert_eq!(s, ExportStatus::Running { at: Progress { images: 2, ..at }, dir: "/out".into(), cancelling: true });
        s.apply(ExportNews::Ended { said: "Export cancelled".into(), failed: false });
        assert!(!s.busy());
        s.apply(ExportNews::Progress(at));
        assert!(matches!(s, ExportStatus::Ended { .. }), "a late progress does not bring it back");
    }

    /// Runs an export of `what` as the window's task does, pressing Cancel once `cancel_at`
    /// images are written; returns everything it told.
    fn told(what: ExportWhat, cancel_at: Option<usize>) -> (Vec<ExportNews>, tempfile::TempDir) {
        let home = tempfile::tempdir().unwrap();
        let (store, _) = crate::export::testing::library(home.path(), 3, 2, 300);
        let what = match what {
            ExportWhat::Jobs(_) => {
                let rows = store.summaries(&JobFilter::default(), 0, 10).unwrap().rows;
                ExportWhat::Jobs(rows.iter().skip(1).map(|r| r.id.clone()).collect())
            }
            filter => filter,
        };
        let cancel = AtomicBool::new(false);
        let news = std::cell::RefCell::new(Vec::new());
        let send = |n: ExportNews| {
            if let (ExportNews::Progress(at), Some(at_most)) = (&n, cancel_at)
                && at.images >= at_most
            {
                cancel.store(true, Ordering::Relaxed);
            }
            news.borrow_mut().push(n);
        };
        run(&store, what, home.path().join("out"), &cancel, &send);
        (news.into_inner(), home)
    }

    fn ended(news: &[ExportNews]) -> (String, bool) {
        match news.last() {
            Some(ExportNews::Ended { said, failed }) => (said.clone(), *failed),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_chosen_jobs_or_the_filters_are_exported_and_said_in_one_line() {
        let (news, home) = told(ExportWhat::Jobs(Vec::new()), None);
        let out = home.path().join("out");
        assert_eq!(ended(&news), (format!("Exported 4 image(s) of 2 job(s) to {}", out.display()), false));
        assert!(matches!(&news[0], ExportNews::Started { at, .. } if at.jobs_total == 2));
        let (news, home) = told(ExportWhat::Filter(JobFilter::default()), None);
        let out = home.path().join("out");
        assert_eq!(ended(&news), (format!("Exported 6 image(s) of 3 job(s) to {}", out.display()), false));
        let none = JobFilter { liked: true, ..Default::default() };
        let (news, _home) = told(ExportWhat::Filter(none), None);
        assert_eq!(ended(&news), ("Nothing to export: no job is chosen or shown".to_owned(), true));
    }

    #[test]
    fn a_cancel_ends_between_images_and_says_what_is_complete() {
        let (news, home) = told(ExportWhat::Filter(JobFilter::default()), Some(2));
        let out = home.path().join("out");
        assert_eq!(
            ended(&news),
            (format!("Export cancelled: the 2 image(s) written to {} are complete", out.display()), false)
        );
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 4, "two images and their sidecars");
    }
}
