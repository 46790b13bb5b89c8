//! The jobs chosen in the list, as plain data (no egui types): a click chooses one job,
//! Ctrl+click adds or takes one away, Shift+click chooses every row from the last plain or
//! Ctrl click (the anchor) to the one clicked. The job view shows the job clicked last; the
//! library's actions (collections, export) act on every job chosen.
//!
//! The anchor is kept by job id, not row number: a new job on top moves the rows down, and a
//! range still runs from the same job.

use std::collections::BTreeSet;

use super::list::JobList;

/// How a row was clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Click {
    /// Ctrl (Cmd on a Mac) held: add or take away one row.
    pub toggle: bool,
    /// Shift held: every row from the anchor to this one.
    pub range: bool,
}

/// The chosen jobs and where a Shift+click range starts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Selection {
    ids: BTreeSet<String>,
    anchor: Option<String>,
}

impl Selection {
    /// Takes in a click on row `index` (job `id`) of `list`.
    pub fn click(&mut self, list: &JobList, index: u64, id: &str, how: Click) {
        if how.range {
            let from = self.anchor.as_deref().and_then(|a| list.index_of(a)).unwrap_or(index);
            let (a, b) = (from.min(index), from.max(index));
            if !how.toggle {
                self.ids.clear();
            }
            self.ids.extend(list.ids_in(a..b + 1));
            self.ids.insert(id.to_owned());
            if self.anchor.is_none() {
                self.anchor = Some(id.to_owned());
            }
            return;
        }
        if how.toggle {
            if !self.ids.remove(id) {
                self.ids.insert(id.to_owned());
            }
        } else {
            self.ids.clear();
            self.ids.insert(id.to_owned());
        }
        self.anchor = Some(id.to_owned());
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The chosen jobs' ids, in id order.
    pub fn ids(&self) -> Vec<String> {
        self.ids.iter().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{Job, JobRequest, Provider, SubmitOptions};
    use crate::store::JobSummary;

    /// A list of `n` jobs read as the store would give it, and their ids, newest first.
    fn list(n: usize) -> (JobList, Vec<String>) {
        let jobs: Vec<JobSummary> = (0..n)
            .map(|i| {
                let req = JobRequest::Imagine { prompt: format!("job {i}") };
                JobSummary::of(&Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default()))
            })
            .collect();
        let ids = jobs.iter().map(|j| j.id.clone()).collect();
        let mut list = JobList::default();
        let reads = list.wanted(0..1);
        let Some(crate::app::list::ListRead::Count { generation, .. }) = reads.first() else { panic!("{reads:?}") };
        list.counted(*generation, n as u64);
        for (page, rows) in jobs.chunks(crate::app::list::PAGE as usize).enumerate() {
            list.page_read(*generation, page as u64, rows.to_vec(), Vec::new());
        }
        (list, ids)
    }

    fn sorted(ids: &[&String]) -> Vec<String> {
        let mut v: Vec<String> = ids.iter().map(|s| (*s).clone()).collect();
        v.sort();
        v
    }

    const PLAIN: Click = Click { toggle: false, range: false };
    const CTRL: Click = Click { toggle: true, range: false };
    const SHIFT: Click = Click { toggle: false, range: true };

    #[test]
    fn a_click_chooses_one_and_ctrl_click_adds_or_takes_away() {
        let (list, ids) = list(5);
        let mut s = Selection::default();
        s.click(&list, 1, &ids[1], PLAIN);
        assert_eq!(s.ids(), vec![ids[1].clone()]);
        s.click(&list, 3, &ids[3], PLAIN);
        assert_eq!(s.ids(), vec![ids[3].clone()], "a plain click replaces the choice");
        s.click(&list, 0, &ids[0], CTRL);
        assert_eq!(s.ids(), sorted(&[&ids[0], &ids[3]]));
        s.click(&list, 3, &ids[3], CTRL);
        assert_eq!(s.ids(), vec![ids[0].clone()], "Ctrl+click on a chosen row takes it away");
        s.clear();
        assert!(s.is_empty());
    }

    #[test]
    fn shift_click_chooses_the_range_from_the_anchor_either_way() {
        let (list, ids) = list(250);
        let mut s = Selection::default();
        s.click(&list, 2, &ids[2], PLAIN);
        s.click(&list, 5, &ids[5], SHIFT);
        assert_eq!(s.ids(), sorted(&ids[2..=5].iter().collect::<Vec<_>>()));
        // a second Shift+click runs from the same anchor, and replaces the range
        s.click(&list, 0, &ids[0], SHIFT);
        assert_eq!(s.ids(), sorted(&ids[0..=2].iter().collect::<Vec<_>>()));
        // across pages of the list
        s.click(&list, 90, &ids[90], PLAIN);
        s.click(&list, 210, &ids[210], SHIFT);
        assert_eq!(s.len(), 121);
        assert!(s.contains(&ids[150]) && !s.contains(&ids[89]) && !s.contains(&ids[211]));
        // Ctrl+Shift adds a range to what is chosen
        s.click(&list, 10, &ids[10], CTRL);
        s.click(&list, 12, &ids[12], Click { toggle: true, range: true });
        assert_eq!(s.len(), 121 + 3);
    }

    #[test]
    fn shift_click_with_no_anchor_chooses_the_row_clicked() {
        let (list, ids) = list(3);
        let mut s = Selection::default();
        s.click(&list, 1, &ids[1], SHIFT);
        assert_eq!(s.ids(), vec![ids[1].clone()]);
        s.click(&list, 2, &ids[2], SHIFT);
        assert_eq!(s.ids(), sorted(&[&ids[1], &ids[2]]));
    }
}
