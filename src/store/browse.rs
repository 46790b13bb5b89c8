//! The job list read through the library's filters, and the filter menus' counts.
//!
//! Pages come from `job_facets` joined to `jobs`, newest first. Which index drives a page is
//! chosen here, not left to SQLite's guesses: `facet_totals` says exactly how many jobs each
//! set filter admits on its own, and the smallest set is walked (in time order, so a page
//! stops as soon as it is full). With prompt words set, SQLite weighs the word index itself.
//!
//! The menus' counts come from `facet_totals` (a few hundred rows however many jobs there
//! are) unless prompt words, dates or a collection are set; then the jobs they admit are
//! counted, grouped the same way.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::filter::{Conds, Facet, JobFilter, where_clause};
use super::library::{Collection, CollectionId};
use super::summaries::{SUMMARY_SELECT, SummaryPage};
use super::{Store, StoreError};
use crate::job::Provider;

/// How many jobs share one combination of the counted facets (a `facet_totals` row, or the
/// same counted over the jobs some conditions admit). Absent facets are empty / 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Combo {
    provider: String,
    status_word: String,
    kind_word: String,
    aspect: String,
    model: String,
    mode: String,
    liked: bool,
    rating: u8,
    jobs: u64,
}

impl Combo {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            provider: r.get(0)?,
            status_word: r.get(1)?,
            kind_word: r.get(2)?,
            aspect: r.get(3)?,
            model: r.get(4)?,
            mode: r.get(5)?,
            liked: r.get::<_, i64>(6)? != 0,
            rating: r.get(7)?,
            jobs: r.get::<_, i64>(8)?.max(0) as u64,
        })
    }

    /// True when `filter` admits these jobs, leaving `skip` out; prompt words, dates and
    /// collection are not judged here (the rows were read with them).
    fn admitted(&self, filter: &JobFilter, skip: Option<Facet>) -> bool {
        let wanted = |f: Facet| skip != Some(f);
        let same = |choice: &Option<Option<String>>, mine: &str| match choice {
            Some(Some(v)) => v == mine,
            Some(None) => mine.is_empty(),
            None => true,
        };
        filter.status.is_none_or(|g| g.words().contains(&self.status_word.as_str()))
            && filter.kind.as_ref().is_none_or(|k| *k == self.kind_word)
            && (!filter.liked || !wanted(Facet::Liked) || self.liked)
            && filter.min_stars().filter(|_| wanted(Facet::Rating)).is_none_or(|n| self.rating >= n)
            && filter.provider.filter(|_| wanted(Facet::Provider)).is_none_or(|p| p.as_str() == self.provider)
            && filter.aspect.as_ref().filter(|_| wanted(Facet::Aspect)).is_none_or(|a| *a == self.aspect)
            && (!wanted(Facet::Model) || same(&filter.model, &self.model))
            && (!wanted(Facet::Mode) || same(&filter.mode, &self.mode))
    }
}

/// How many jobs each choice of the filter menus would show, every other filter as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetCounts {
    /// Jobs the whole filter admits.
    pub total: u64,
    /// Liked jobs.
    pub liked: u64,
    /// `min_rating[n - 1]`: jobs rated n stars or more.
    pub min_rating: [u64; 5],
    /// Every gateway.
    pub providers: Vec<(Provider, u64)>,
    /// Aspect ratios with jobs (and the one chosen), most jobs first.
    pub aspects: Vec<(String, u64)>,
    /// Model versions with jobs (None: prompts naming none), most jobs first.
    pub models: Vec<(Option<String>, u64)>,
    /// Modes with jobs (None: sent with none), most jobs first.
    pub modes: Vec<(Option<String>, u64)>,
    /// Every collection, by name.
    pub collections: Vec<(Collection, u64)>,
}

const COMBO_COLUMNS: &str = "f.provider, f.status_word, f.kind_word, coalesce(f.aspect, ''), coalesce(f.model, ''), \
     coalesce(f.mode, ''), f.liked, coalesce(f.rating, 0), count(*)";

impl Store {
    /// How many jobs each menu choice would show with the rest of `filter` applied.
    pub fn facet_counts(&self, filter: &JobFilter) -> Result<FacetCounts, StoreError> {
        let combos = self.combos(filter)?;
        let mut counts = tally(filter, &combos);
        let mut values = Vec::new();
        let conds = filter.facet_conds(Conds::All { skip: Some(Facet::Collection) }, &mut values);
        let sql = if conds.is_empty() {
            "SELECT collection_id, count(*) FROM collection_jobs GROUP BY 1".to_owned()
        } else {
            format!(
                "SELECT c.collection_id, count(*) FROM collection_jobs c JOIN jobs j ON j.id = c.job_id \
                 JOIN job_facets f ON f.job_rowid = j.rowid {} GROUP BY 1",
                where_clause(&conds)
            )
        };
        let per: Vec<(i64, i64)> = self.read_rows(&sql, values, |r| Ok((r.get(0)?, r.get(1)?)))?;
        for c in self.collections()? {
            let n = per.iter().find(|(id, _)| CollectionId(*id) == c.id).map_or(0, |(_, n)| (*n).max(0) as u64);
            counts.collections.push((c, n));
        }
        Ok(counts)
    }

    /// `limit` summaries from `offset` on, newest first, for a filter that uses the library.
    pub(super) fn browse_page(&self, filter: &JobFilter, offset: u64, limit: u32) -> Result<SummaryPage, StoreError> {
        let hint = self.driving_index(filter)?;
        let mut values = Vec::new();
        let conds = filter.facet_conds(Conds::All { skip: None }, &mut values);
        values.push(Value::Integer(i64::from(limit)));
        values.push(Value::Integer(offset.min(i64::MAX as u64) as i64));
        let n = values.len();
        let sql = format!(
            "SELECT {SUMMARY_SELECT} FROM job_facets f {hint} CROSS JOIN jobs ON jobs.rowid = f.job_rowid {} \
             ORDER BY f.created_at DESC, f.job_rowid DESC LIMIT ?{} OFFSET ?{n}",
            where_clause(&conds),
            n - 1
        );
        self.read_summaries(&sql, params_from_iter(values))
    }

    /// How many jobs a filter that uses the library admits.
    pub(super) fn browse_count(&self, filter: &JobFilter) -> Result<u64, StoreError> {
        if !filter.needs_rows() {
            return Ok(self.totals()?.iter().filter(|c| c.admitted(filter, None)).map(|c| c.jobs).sum());
        }
        let hint = self.driving_index(filter)?;
        let mut values = Vec::new();
        let conds = filter.facet_conds(Conds::All { skip: None }, &mut values);
        let sql = format!("SELECT count(*) FROM job_facets f {hint} {}", where_clause(&conds));
        let n: Vec<i64> = self.read_rows(&sql, values, |r| r.get(0))?;
        Ok(n.first().copied().unwrap_or(0).max(0) as u64)
    }

    /// The index a page walks: the one of the set filter admitting the fewest jobs on its own
    /// (exact, from `facet_totals`), else creation time. Empty with prompt words set.
    pub(super) fn driving_index(&self, filter: &JobFilter) -> Result<&'static str, StoreError> {
        if !filter.text.trim().is_empty() {
            return Ok("");
        }
        let totals = self.totals()?;
        let size = |pred: &dyn Fn(&Combo) -> bool| -> u64 { totals.iter().filter(|c| pred(c)).map(|c| c.jobs).sum() };
        let mut best = (u64::MAX, "INDEXED BY job_facets_newest");
        let mut consider = |jobs: u64, hint| {
            if jobs < best.0 {
                best = (jobs, hint);
            }
        };
        if filter.liked {
            consider(size(&|c| c.liked), "INDEXED BY job_facets_liked");
        }
        if filter.min_stars().is_some() {
            consider(size(&|c| c.rating > 0), "INDEXED BY job_facets_rated");
        }
        if let Some(p) = filter.provider {
            consider(size(&|c| c.provider == p.as_str()), "INDEXED BY job_facets_provider");
        }
        if let Some(a) = &filter.aspect {
            consider(size(&|c| c.aspect == *a), "INDEXED BY job_facets_aspect");
        }
        if let Some(m) = &filter.model {
            let m = m.as_deref().unwrap_or("");
            consider(size(&|c| c.model == m), "INDEXED BY job_facets_model");
        }
        if let Some(m) = &filter.mode {
            let m = m.as_deref().unwrap_or("");
            consider(size(&|c| c.mode == m), "INDEXED BY job_facets_mode");
        }
        if let Some(c) = filter.collection {
            let sql = "SELECT count(*) FROM collection_jobs WHERE collection_id = ?1";
            let n: Vec<i64> = self.read_rows(sql, vec![Value::Integer(c.0)], |r| r.get(0))?;
            // Looked up by rowid from the collection's members, then put in order.
            consider(n.first().copied().unwrap_or(0).max(0) as u64, "NOT INDEXED");
        }
        Ok(best.1)
    }

    /// The combinations `filter`'s other conditions leave, to count the menus' choices over.
    fn combos(&self, filter: &JobFilter) -> Result<Vec<Combo>, StoreError> {
        if !filter.needs_rows() {
            return self.totals();
        }
        let mut values = Vec::new();
        let conds = filter.facet_conds(Conds::RowsOnly, &mut values);
        let sql = format!(
            "SELECT {COMBO_COLUMNS} FROM job_facets f {} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
            where_clause(&conds)
        );
        self.read_rows(&sql, values, Combo::read)
    }

    /// Every combination with jobs, from `facet_totals`.
    fn totals(&self) -> Result<Vec<Combo>, StoreError> {
        let sql = "SELECT provider, status_word, kind_word, aspect, model, mode, liked, rating, jobs FROM facet_totals \
                   WHERE jobs > 0";
        self.read_rows(sql, Vec::new(), Combo::read)
    }

    fn read_rows<T>(
        &self,
        sql: &str,
        values: Vec<Value>,
        read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.conn()
            .prepare_cached(sql)
            .and_then(|mut s| s.query_map(params_from_iter(values), read)?.collect())
            .map_err(|e| self.err(e))
    }
}

/// The menus' counts over `combos`.
fn tally(filter: &JobFilter, combos: &[Combo]) -> FacetCounts {
    let mut out = FacetCounts::default();
    let mut aspects: Vec<(String, u64)> = Vec::new();
    let mut models: Vec<(Option<String>, u64)> = Vec::new();
    let mut modes: Vec<(Option<String>, u64)> = Vec::new();
    let mut providers: Vec<(Provider, u64)> = Provider::ALL.iter().map(|p| (*p, 0)).collect();
    fn bump<K: PartialEq>(list: &mut Vec<(K, u64)>, key: K, n: u64) {
        match list.iter_mut().find(|(k, _)| *k == key) {
            Some((_, count)) => *count += n,
            None => list.push((key, n)),
        }
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    for c in combos {
        if c.admitted(filter, None) {
            out.total += c.jobs;
        }
        if c.liked && c.admitted(filter, Some(Facet::Liked)) {
            out.liked += c.jobs;
        }
        if c.admitted(filter, Some(Facet::Rating)) {
            for n in 1..=c.rating.min(5) {
                out.min_rating[usize::from(n) - 1] += c.jobs;
            }
        }
        if let Some(p) = Provider::parse(&c.provider).filter(|_| c.admitted(filter, Some(Facet::Provider))) {
            bump(&mut providers, p, c.jobs);
        }
        if !c.aspect.is_empty() && c.admitted(filter, Some(Facet::Aspect)) {
            bump(&mut aspects, c.aspect.clone(), c.jobs);
        }
        if c.admitted(filter, Some(Facet::Model)) {
            bump(&mut models, some(&c.model), c.jobs);
        }
        if c.admitted(filter, Some(Facet::Mode)) {
            bump(&mut modes, some(&c.mode), c.jobs);
        }
    }
    // The choice made stays in its menu, even with no job left under the other filters.
    if let Some(a) = &filter.aspect {
        bump(&mut aspects, a.clone(), 0);
    }
    if let Some(m) = &filter.model {
        bump(&mut models, m.clone(), 0);
    }
    if let Some(m) = &filter.mode {
        bump(&mut modes, m.clone(), 0);
    }
    for list in [&mut models, &mut modes] {
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    aspects.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.providers = providers;
    out.aspects = aspects;
    out.models = models;
    out.modes = modes;
    out
}
