//! The job list read through the library's filters, and the filter menus' counts.
//!
//! Pages come from `job_facets` joined to `jobs`, newest first. Which index drives a page is
//! chosen here rather than left to SQLite's guesses: `facet_totals` says exactly how many
//! jobs each set filter admits on its own (and the word index how many jobs hold the prompt
//! words), and the smallest set is walked, in time order, so a page stops once it is full.
//!
//! The menus' counts are summed in Rust over combinations of facets: the rows of
//! `facet_totals` (a few thousand however many jobs there are), or, when prompt words, dates
//! or a collection are set, the facets of each job those admit (and, when chosen, liked or
//! rated: no count needs the others), read rather than grouped (SQLite's GROUP BY sorter costs
//! several times more).

use std::collections::HashMap;

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::combos::{Column, Combos, FacetCounts, Key, KeyCounts, Wanted, Words, tally};
use super::filter::{Facet, JobFilter, fts_query, where_clause};
use super::summaries::{SUMMARY_SELECT, SummaryPage};
use super::{Store, StoreError};

/// How [`Store::read_combos`] reads its rows.
enum Reading<'a> {
    /// `facet_totals` rows: the facets, then how many jobs have them.
    Counted,
    /// One job a row, its rowid last; the keys of the jobs in `members` are kept beside.
    Jobs { members: Option<&'a HashMap<i64, Vec<i64>>> },
}

/// The facet columns of `job_facets f`, as [`Store::read_combos`] takes them.
const FACET_COLUMNS: &str = "f.provider, f.status_word, f.kind_word, coalesce(f.aspect, ''), \
     coalesce(f.model, ''), coalesce(f.mode, ''), f.liked, coalesce(f.rating, 0)";

impl Store {
    /// How many jobs each menu choice would show with the rest of `filter` applied.
    pub fn facet_counts(&self, filter: &JobFilter) -> Result<FacetCounts, StoreError> {
        let mut per: HashMap<i64, u64> = HashMap::new();
        let mut counts = if filter.needs_rows() && filter.collection.is_none() {
            // The jobs the prompt words and dates admit are read anyway: those in collections
            // are counted for their collections as they pass.
            let members = self.memberships()?;
            let (combos, in_collections) = self.combos(filter, Some(&members))?;
            let wanted = Wanted::of(filter, &combos.words);
            for (_, rowid) in in_collections.iter().filter(|(k, _)| wanted.admits(k, None)) {
                for c in members.get(rowid).into_iter().flatten() {
                    *per.entry(*c).or_default() += 1;
                }
            }
            tally(filter, &combos)
        } else {
            let mut values = Vec::new();
            let conds = filter.facet_conds(Some(Facet::Collection), &mut values);
            let sql = if conds.is_empty() {
                "SELECT collection_id FROM collection_jobs".to_owned()
            } else {
                // Each membership's job is looked up (collections are small beside the library).
                format!(
                    "SELECT c.collection_id FROM collection_jobs c CROSS JOIN job_facets f \
                     ON f.job_rowid = c.job_rowid {}",
                    where_clause(&conds)
                )
            };
            for id in self.read_rows(&sql, values, |r| r.get::<_, i64>(0))? {
                *per.entry(id).or_default() += 1;
            }
            tally(filter, &self.combos(filter, None)?.0)
        };
        for c in self.collections()? {
            let n = per.get(&c.id.0).copied().unwrap_or(0);
            counts.collections.push((c, n));
        }
        Ok(counts)
    }

    /// `limit` summaries from `offset` on, newest first, for a filter that uses the library.
    pub(super) fn browse_page(&self, filter: &JobFilter, offset: u64, limit: u32) -> Result<SummaryPage, StoreError> {
        let hint = self.driving_index(filter)?;
        let mut values = Vec::new();
        let conds = filter.facet_conds(None, &mut values);
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
            let combos = self.totals()?;
            let wanted = Wanted::of(filter, &combos.words);
            return Ok(combos.rows.iter().filter(|(k, _)| wanted.admits(k, None)).map(|(_, n)| n).sum());
        }
        let hint = self.driving_index(filter)?;
        let mut values = Vec::new();
        let conds = filter.facet_conds(None, &mut values);
        let sql = format!("SELECT count(*) FROM job_facets f {hint} {}", where_clause(&conds));
        let n = self.read_rows(&sql, values, |r| r.get::<_, i64>(0))?;
        Ok(n.first().copied().unwrap_or(0).max(0) as u64)
    }

    /// The index a page walks: the one of the set filter admitting the fewest jobs on its own
    /// (exact, from `facet_totals`), else creation time; none (rows looked up by rowid) when
    /// the prompt words or the collection hold fewer jobs still.
    pub(super) fn driving_index(&self, filter: &JobFilter) -> Result<&'static str, StoreError> {
        let counted = JobFilter { text: String::new(), collection: None, since: None, until: None, ..filter.clone() };
        let combos = if counted.uses_library() { self.totals()? } else { Combos::default() };
        let words = &combos.words;
        let size =
            |pred: &dyn Fn(&Key) -> bool| -> u64 { combos.rows.iter().filter(|(k, _)| pred(k)).map(|(_, n)| n).sum() };
        let mut best = (u64::MAX, "INDEXED BY job_facets_newest");
        let mut consider = |jobs: u64, hint| {
            if jobs < best.0 {
                best = (jobs, hint);
            }
        };
        let word = |w: Option<&str>| words.find(w.unwrap_or(""));
        if filter.liked {
            consider(size(&|k| k.liked), "INDEXED BY job_facets_liked");
        }
        if filter.min_stars().is_some() {
            consider(size(&|k| k.rating > 0), "INDEXED BY job_facets_rated");
        }
        if let Some(p) = filter.provider.map(|p| word(Some(p.as_str()))) {
            consider(size(&|k| k.provider == p), "INDEXED BY job_facets_provider");
        }
        if let Some(a) = filter.aspect.as_deref().map(|a| word(Some(a))) {
            consider(size(&|k| k.aspect == a), "INDEXED BY job_facets_aspect");
        }
        if let Some(m) = filter.model.as_ref().map(|m| word(m.as_deref())) {
            consider(size(&|k| k.model == m), "INDEXED BY job_facets_model");
        }
        if let Some(m) = filter.mode.as_ref().map(|m| word(m.as_deref())) {
            consider(size(&|k| k.mode == m), "INDEXED BY job_facets_mode");
        }
        if let Some(c) = filter.collection {
            let sql = "SELECT count(*) FROM collection_jobs WHERE collection_id = ?1";
            let n = self.read_rows(sql, vec![Value::Integer(c.0)], |r| r.get::<_, i64>(0))?;
            consider(n.first().copied().unwrap_or(0).max(0) as u64, "NOT INDEXED");
        }
        if let Some(q) = fts_query(filter.text.trim()) {
            let sql = "SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?1";
            let n = self.read_rows(sql, vec![Value::Text(q)], |r| r.get::<_, i64>(0))?;
            consider(n.first().copied().unwrap_or(0).max(0) as u64, "NOT INDEXED");
        }
        Ok(best.1)
    }

    /// The combinations `filter`'s prompt words, dates and collection leave; with `members`,
    /// the key and rowid of each job read that is in a collection.
    fn combos(
        &self,
        filter: &JobFilter,
        members: Option<&HashMap<i64, Vec<i64>>>,
    ) -> Result<(Combos, Vec<(Key, i64)>), StoreError> {
        if !filter.needs_rows() {
            return Ok((self.totals()?, Vec::new()));
        }
        // Read only the jobs some count needs: besides words, dates and collection, every count
        // wants liked jobs when "liked" is chosen (the liked menu counts only those), and rated
        // ones when a rating is (the rating menu counts from 1 star up).
        let only = JobFilter {
            text: filter.text.clone(),
            collection: filter.collection,
            since: filter.since,
            until: filter.until,
            liked: filter.liked,
            min_rating: filter.min_stars().map(|_| 1),
            ..Default::default()
        };
        let words_only = JobFilter { text: String::new(), ..only.clone() } == JobFilter::default();
        if let Some(q) = fts_query(filter.text.trim()).filter(|_| words_only) {
            // The word index drives, streaming its rowids in order (an IN list would first
            // copy them all into a temporary b-tree).
            let sql = format!(
                "SELECT {FACET_COLUMNS}, f.job_rowid FROM jobs_fts CROSS JOIN job_facets f \
                 ON f.job_rowid = jobs_fts.rowid WHERE jobs_fts MATCH ?1"
            );
            return self.read_combos(&sql, vec![Value::Text(q)], Reading::Jobs { members });
        }
        let hint = self.driving_index(&only)?;
        let sql = format!("SELECT {FACET_COLUMNS}, f.job_rowid FROM job_facets f {hint}");
        let mut values = Vec::new();
        let conds = only.facet_conds(None, &mut values);
        self.read_combos(&format!("{sql} {}", where_clause(&conds)), values, Reading::Jobs { members })
    }

    /// Every combination with jobs, from `facet_totals`.
    fn totals(&self) -> Result<Combos, StoreError> {
        let sql = "SELECT provider, status_word, kind_word, aspect, model, mode, liked, rating, jobs \
                   FROM facet_totals WHERE jobs > 0";
        Ok(self.read_combos(sql, Vec::new(), Reading::Counted)?.0)
    }

    /// The collections each job in one is in, by the job's rowid.
    fn memberships(&self) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
        let pairs = self.read_rows("SELECT job_rowid, collection_id FROM collection_jobs", Vec::new(), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for (job, collection) in pairs {
            out.entry(job).or_default().push(collection);
        }
        Ok(out)
    }

    /// Reads combinations (see [`Reading`]); with `Reading::Jobs`, the key and rowid of each
    /// job in its `members`.
    fn read_combos(
        &self,
        sql: &str,
        values: Vec<Value>,
        reading: Reading<'_>,
    ) -> Result<(Combos, Vec<(Key, i64)>), StoreError> {
        let conn = self.conn();
        let read = || -> rusqlite::Result<(Combos, Vec<(Key, i64)>)> {
            let mut stmt = conn.prepare_cached(sql)?;
            let mut rows = stmt.query(params_from_iter(values))?;
            let mut words = Words::default();
            let mut columns: [Column; 6] = Default::default();
            let mut listed = Vec::new();
            let mut seen = KeyCounts::default();
            let mut members = Vec::new();
            while let Some(r) = rows.next()? {
                let mut word =
                    |i: usize| -> rusqlite::Result<u16> { Ok(columns[i].id(r.get_ref(i)?.as_str()?, &mut words)) };
                let key = Key {
                    provider: word(0)?,
                    status: word(1)?,
                    kind: word(2)?,
                    aspect: word(3)?,
                    model: word(4)?,
                    mode: word(5)?,
                    liked: r.get::<_, i64>(6)? != 0,
                    rating: r.get::<_, i64>(7)?.clamp(0, 5) as u8,
                };
                match &reading {
                    // Each combination is one row already.
                    Reading::Counted => listed.push((key, r.get::<_, i64>(8)?.max(0) as u64)),
                    Reading::Jobs { members: wanted } => {
                        *seen.entry(key).or_default() += 1;
                        let rowid: i64 = r.get(8)?;
                        if wanted.is_some_and(|m| m.contains_key(&rowid)) {
                            members.push((key, rowid));
                        }
                    }
                }
            }
            listed.extend(seen);
            Ok((Combos { words, rows: listed }, members))
        };
        read().map_err(|e| self.err(e))
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
