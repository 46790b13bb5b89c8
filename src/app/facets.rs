//! The filter menus' counts, as plain data: read from the store off the window's thread when
//! the filter changes or the jobs or their likes do, never every frame; one read at a time,
//! the last counts shown meanwhile.

use crate::store::{FacetCounts, JobFilter};

#[derive(Debug, Default)]
pub struct Facets {
    counts: Option<FacetCounts>,
    /// The filter the counts shown are for, and the one being read.
    counted_for: Option<JobFilter>,
    asking: Option<(u64, JobFilter)>,
    generation: u64,
    /// Jobs, likes, ratings or collections changed since the counts were read.
    stale: bool,
    /// Why the last read failed.
    pub error: Option<String>,
}

impl Facets {
    /// The counts last read (for the filter then set).
    pub fn counts(&self) -> Option<&FacetCounts> {
        self.counts.as_ref()
    }

    /// The jobs, their likes or ratings, or the collections changed: count again.
    pub fn stale(&mut self) {
        self.stale = true;
    }

    /// A new engine (a reconnect) answers from now on: a read the old one was asked is not
    /// waited for.
    pub fn restart(&mut self) {
        self.asking = None;
        self.stale = true;
    }

    /// The read to ask for now under `filter`, if one is needed and none is running.
    pub fn wanted(&mut self, filter: &JobFilter) -> Option<(u64, JobFilter)> {
        if self.asking.is_some() || (!self.stale && self.counted_for.as_ref() == Some(filter)) {
            return None;
        }
        self.generation += 1;
        self.stale = false;
        self.asking = Some((self.generation, filter.clone()));
        self.asking.clone()
    }

    /// Takes in the counts read for `generation`.
    pub fn answered(&mut self, generation: u64, counts: Result<FacetCounts, String>) {
        let Some((asked, filter)) = self.asking.take_if(|(g, _)| *g == generation) else { return };
        debug_assert_eq!(asked, generation);
        match counts {
            Ok(c) => {
                self.counts = Some(c);
                self.counted_for = Some(filter);
                self.error = None;
            }
            Err(e) => {
                // asked again only once something changes
                self.counted_for = Some(filter);
                self.error = Some(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(total: u64) -> FacetCounts {
        FacetCounts { total, ..Default::default() }
    }

    #[test]
    fn counts_are_read_once_per_filter_or_change_and_one_read_at_a_time() {
        let mut f = Facets::default();
        let all = JobFilter::default();
        let (g, asked) = f.wanted(&all).expect("the first read");
        assert_eq!(asked, all);
        assert_eq!(f.wanted(&all), None, "one read at a time");
        f.answered(g, Ok(counts(7)));
        assert_eq!(f.counts().map(|c| c.total), Some(7));
        assert_eq!(f.wanted(&all), None, "nothing changed: no read, however many frames");
        f.stale();
        let (g2, _) = f.wanted(&all).expect("a like changed");
        let liked = JobFilter { liked: true, ..Default::default() };
        assert_eq!(f.wanted(&liked), None, "the new filter waits for the read running");
        f.answered(g2, Ok(counts(8)));
        let (g3, asked) = f.wanted(&liked).expect("then the new filter is counted");
        assert!(asked.liked);
        f.answered(g2, Ok(counts(0)));
        assert_eq!(f.counts().map(|c| c.total), Some(8), "a late answer is dropped");
        f.answered(g3, Err("the disk is gone".into()));
        assert_eq!(f.error.as_deref(), Some("the disk is gone"));
        assert_eq!(f.counts().map(|c| c.total), Some(8), "the last counts stay");
        assert_eq!(f.wanted(&liked), None, "not asked again every frame after a failure");
        f.stale();
        assert!(f.wanted(&liked).is_some());
        f.restart();
        assert!(f.wanted(&liked).is_some(), "the new engine is asked, the old one's answer not awaited");
    }
}
