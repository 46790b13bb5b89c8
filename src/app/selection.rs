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
    /// Takes in a click on row `index` (job `id`) of `list`. For a range with rows the list
    /// has not read (a scrollbar dragged past them), returns the rows whose ids the store
    /// must give ([`Selection::add`]).
    pub fn click(&mut self, list: &JobList, index: u64, id: &str, how: Click) -> Option<std::ops::Range<u64>> {
        if how.range {
            let from = self.anchor.as_deref().and_then(|a| list.index_of(a)).unwrap_or(index);
            let rows = from.min(index)..from.max(index) + 1;
            if !how.toggle {
                self.ids.clear();
            }
            let read = list.ids_in(rows.clone());
            let missing = (read.len() as u64) < rows.end - rows.start;
            self.ids.extend(read);
            self.ids.insert(id.to_owned());
            if self.anchor.is_none() {
                self.anchor = Some(id.to_owned());
            }
            return missing.then_some(rows);
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
        None
    }

    /// Adds jobs the store read for a range.
    pub fn add(&mut self, ids: impl IntoIterator<Item = String>) {
        self.ids.extend(ids);
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
    fn a_range_over_rows_not_read_asks_the_store_for_them() {
        let (mut list, ids) = list(250);
        // the list forgets its pages for a new filter, then reads the first and last
        list.set_filter(crate::store::JobFilter { text: "job".into(), ..Default::default() });
        let reads = list.wanted(0..1);
        let Some(crate::app::list::ListRead::Count { generation, .. }) = reads.first() else { panic!("{reads:?}") };
        let summary = |i: usize| {
            let req = JobRequest::Imagine { prompt: format!("job {i}") };
            let mut j = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
            j.id = ids[i].clone();
            JobSummary::of(&j)
        };
        list.counted(*generation, 250);
        list.page_read(*generation, 0, (0..100).map(summary).collect(), Vec::new());
        list.page_read(*generation, 2, (200..250).map(summary).collect(), Vec::new());
        let mut s = Selection::default();
        assert_eq!(s.click(&list, 5, &ids[5], PLAIN), None);
        assert_eq!(s.click(&list, 220, &ids[220], SHIFT), Some(5..221), "page 1 is not read");
        assert_eq!(s.len(), 95 + 21, "the rows read are chosen at once");
        s.add(ids[100..200].iter().cloned());
        assert_eq!(s.len(), 216);
        assert_eq!(s.click(&list, 7, &ids[7], SHIFT), None, "all read");
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
