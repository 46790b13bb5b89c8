//! The job list over the whole history, as plain data: the filter, the total it admits, and
//! pages of slim summaries read from the store on demand (only pages near the visible rows
//! are ever asked for). Updates from the manager replace rows in place; a job the list has
//! not seen (new here, or made by the CLI) makes it read the count and its pages again,
//! showing the old ones meanwhile. No egui types.

use std::collections::{HashMap, HashSet};

use crate::job::Job;
use crate::store::{JobFilter, JobSummary};

/// Rows per page read from the store.
pub const PAGE: u32 = 100;

/// A read the list wants from the store. `generation` ties an answer to the filter and
/// moment it was asked for, so a late answer for an old search is dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum ListRead {
    Count { generation: u64, filter: JobFilter },
    Page { generation: u64, filter: JobFilter, page: u64 },
}

#[derive(Debug, Default)]
pub struct JobList {
    filter: JobFilter,
    generation: u64,
    total: Option<u64>,
    pages: HashMap<u64, Vec<JobSummary>>,
    asked: HashSet<u64>,
    count_asked: bool,
    /// Rows that could not be read, named once.
    pub unreadable: Vec<String>,
}

impl JobList {
    pub fn filter(&self) -> &JobFilter {
        &self.filter
    }

    /// How many jobs the filter admits (None until counted).
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Sets a new filter: everything is read again.
    pub fn set_filter(&mut self, filter: JobFilter) {
        if filter != self.filter {
            self.filter = filter;
            self.reload();
            self.pages.clear();
            self.total = None;
        }
    }

    /// Reads the count and pages again; the rows shown now stay until the new ones arrive.
    pub fn reload(&mut self) {
        self.generation += 1;
        self.asked.clear();
        self.count_asked = false;
    }

    /// The summary at `index` (0 = newest), if its page is here.
    pub fn row(&self, index: u64) -> Option<&JobSummary> {
        self.pages.get(&(index / PAGE as u64))?.get((index % PAGE as u64) as usize)
    }

    /// Job `id`'s like and rating as read: its row (if read) shows them. True when a row
    /// showed others.
    pub fn set_marks(&mut self, id: &str, liked: bool, rating: Option<u8>) -> bool {
        let mut changed = false;
        for rows in self.pages.values_mut() {
            if let Some(row) = rows.iter_mut().find(|r| r.id == id) {
                changed |= (row.liked, row.rating) != (liked, rating);
                (row.liked, row.rating) = (liked, rating);
            }
        }
        changed
    }

    /// The newest row read so far that `wanted` accepts.
    pub fn newest_where(&self, wanted: impl Fn(&JobSummary) -> bool) -> Option<&JobSummary> {
        let mut pages: Vec<_> = self.pages.iter().collect();
        pages.sort_by_key(|(page, _)| **page);
        pages.into_iter().flat_map(|(_, rows)| rows.iter()).find(|row| wanted(row))
    }

    /// Where job `id` sits among the rows read so far.
    pub fn index_of(&self, id: &str) -> Option<u64> {
        self.pages
            .iter()
            .find_map(|(page, rows)| rows.iter().position(|r| r.id == id).map(|i| page * PAGE as u64 + i as u64))
    }

    /// The ids of rows `range` that have been read (a Shift+click range; the pages between two
    /// rows the designer scrolled across are read already).
    pub fn ids_in(&self, range: std::ops::Range<u64>) -> Vec<String> {
        range.filter_map(|i| self.row(i).map(|r| r.id.clone())).collect()
    }

    /// The reads needed to show rows `visible` (with a page of margin on each side).
    pub fn wanted(&mut self, visible: std::ops::Range<u64>) -> Vec<ListRead> {
        let mut out = Vec::new();
        if !self.count_asked {
            self.count_asked = true;
            out.push(ListRead::Count { generation: self.generation, filter: self.filter.clone() });
        }
        let first = (visible.start / PAGE as u64).saturating_sub(1);
        let last = visible.end.saturating_sub(1) / PAGE as u64 + 1;
        let last_page = self.total.map(|t| t.saturating_sub(1) / PAGE as u64);
        for page in first..=last {
            if last_page.is_some_and(|l| page > l) {
                break;
            }
            if self.asked.insert(page) {
                out.push(ListRead::Page { generation: self.generation, filter: self.filter.clone(), page });
            }
        }
        out
    }

    /// Takes in a count read for `generation`.
    pub fn counted(&mut self, generation: u64, total: u64) {
        if generation == self.generation {
            self.total = Some(total);
        }
    }

    /// Takes in a page read for `generation`.
    pub fn page_read(&mut self, generation: u64, page: u64, rows: Vec<JobSummary>, unreadable: Vec<String>) {
        if generation != self.generation {
            return;
        }
        for u in unreadable {
            if !self.unreadable.contains(&u) {
                self.unreadable.push(u);
            }
        }
        self.pages.insert(page, rows);
    }

    /// Takes in a job the manager reported. Returns true when the job is new to the list
    /// (the list then reads itself again).
    pub fn job_changed(&mut self, job: &Job) -> bool {
        let summary = JobSummary::of(job);
        for rows in self.pages.values_mut() {
            if let Some(row) = rows.iter_mut().find(|r| r.id == job.id) {
                // a job's news carries no likes or ratings: the row keeps its own
                *row = JobSummary { liked: row.liked, rating: row.rating, ..summary };
                return false;
            }
        }
        let newer_than_shown = self.row(0).is_none_or(|first| job.created_at >= first.created_at);
        if newer_than_shown && self.filter.text.trim().is_empty() && self.filter.admits_kind_and_status(&summary) {
            // Shown at once on top; the read that follows puts every row in its place.
            let top = self.pages.entry(0).or_default();
            top.insert(0, summary);
            self.total = self.total.map(|t| t + 1);
        }
        self.reload();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, JobStatus, Provider, SubmitOptions};

    fn job(prompt: &str, at: i64) -> Job {
        let mut j = Job::new(
            Provider::Ttapi,
            "sim://local",
            JobRequest::Imagine { prompt: prompt.into() },
            SubmitOptions::default(),
        );
        j.created_at = at;
        j
    }

    #[test]
    fn only_pages_near_the_visible_rows_are_asked_for_once() {
        let mut list = JobList::default();
        let first = list.wanted(0..30);
        assert_eq!(first.len(), 3, "the count, page 0 and the next page: {first:?}");
        let ListRead::Count { generation, .. } = first[0] else { panic!("{first:?}") };
        list.counted(generation, 10_000);
        assert!(list.wanted(0..30).is_empty(), "nothing asked twice");
        let far = list.wanted(5_000..5_030);
        let pages: Vec<u64> = far
            .iter()
            .filter_map(|r| match r {
                ListRead::Page { page, .. } => Some(*page),
                _ => None,
            })
            .collect();
        assert_eq!(pages, vec![49, 50, 51]);
        assert!(list.wanted(9_990..10_000).iter().all(|r| !matches!(r, ListRead::Page { page, .. } if *page > 99)));
    }

    #[test]
    fn updates_replace_rows_and_a_new_job_goes_on_top_then_reloads() {
        let mut list = JobList::default();
        let reads = list.wanted(0..10);
        let generation = match &reads[0] {
            ListRead::Count { generation, .. } => *generation,
            _ => unreachable!(),
        };
        let mut old = job("old", 10);
        list.counted(generation, 1);
        list.page_read(generation, 0, vec![JobSummary::of(&old)], vec![]);
        old.status = JobStatus::Running { progress: 40 };
        assert!(!list.job_changed(&old));
        assert_eq!(list.row(0).unwrap().status, JobStatus::Running { progress: 40 });
        let new = job("new", 20);
        assert!(list.job_changed(&new));
        assert_eq!(list.row(0).unwrap().prompt.as_deref(), Some("new"));
        assert_eq!(list.total(), Some(2));
        assert!(!list.wanted(0..10).is_empty(), "the list reads itself again");
        // A late answer for the old generation is dropped.
        list.page_read(generation, 0, vec![], vec![]);
        assert_eq!(list.row(0).unwrap().prompt.as_deref(), Some("new"));
    }

    #[test]
    fn a_new_filter_forgets_the_rows_of_the_old_one() {
        let mut list = JobList::default();
        let _ = list.wanted(0..10);
        list.page_read(1, 0, vec![JobSummary::of(&job("a", 1))], vec![]);
        list.set_filter(JobFilter { text: "fox".into(), ..Default::default() });
        assert!(list.row(0).is_none());
        assert_eq!(list.total(), None);
        let reads = list.wanted(0..10);
        assert!(matches!(&reads[0], ListRead::Count { filter, .. } if filter.text == "fox"));
    }

    #[test]
    fn a_rows_like_and_rating_survive_the_jobs_news() {
        let mut list = JobList::default();
        let reads = list.wanted(0..1);
        let Some(ListRead::Count { generation, .. }) = reads.first() else { panic!("{reads:?}") };
        let job = crate::job::Job::new(
            crate::job::Provider::Ttapi,
            "http://x",
            crate::job::JobRequest::Imagine { prompt: "a heron".into() },
            crate::job::SubmitOptions::default(),
        );
        list.counted(*generation, 1);
        list.page_read(*generation, 0, vec![JobSummary::of(&job)], Vec::new());
        list.set_marks(&job.id, true, Some(4));
        assert_eq!((list.row(0).unwrap().liked, list.row(0).unwrap().rating), (true, Some(4)));
        let mut later = job.clone();
        later.status = crate::job::JobStatus::Succeeded;
        list.job_changed(&later);
        let row = list.row(0).unwrap();
        assert_eq!((row.status.clone(), row.liked, row.rating), (crate::job::JobStatus::Succeeded, true, Some(4)));
    }
}
