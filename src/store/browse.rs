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

use super::filter::{Facet, JobFilter, fts_query, where_clause};
use super::library::Collection;
use super::summaries::{SUMMARY_SELECT, SummaryPage};
use super::{Store, StoreError};
use crate::job::Provider;

/// The words of a set of combinations (statuses, kinds, gateways, aspects, models, modes;
/// `""` for none), numbered as first met, so combinations compare as numbers.
#[derive(Debug, Default)]
struct Words(Vec<String>);

/// The number of a word no combination has.
const ABSENT: u16 = u16::MAX;

impl Words {
    fn id(&mut self, word: &str) -> u16 {
        match self.find(word) {
            ABSENT => {
                self.0.push(word.to_owned());
                (self.0.len() - 1) as u16
            }
            id => id,
        }
    }

    fn find(&self, word: &str) -> u16 {
        self.0.iter().position(|w| w == word).map_or(ABSENT, |i| i as u16)
    }

    fn get(&self, id: u16) -> &str {
        &self.0[usize::from(id)]
    }
}

/// Numbers one column's words through the shared [`Words`]: a column holds few distinct
/// words and neighbouring rows often repeat one, so this is a comparison or two a row.
#[derive(Default)]
struct Column {
    last: Option<(String, u16)>,
    seen: Vec<(String, u16)>,
}

impl Column {
    fn id(&mut self, word: &str, words: &mut Words) -> u16 {
        if let Some((w, id)) = &self.last
            && w == word
        {
            return *id;
        }
        let id = match self.seen.iter().find(|(w, _)| w == word) {
            Some((_, id)) => *id,
            None => {
                let id = words.id(word);
                self.seen.push((word.to_owned(), id));
                id
            }
        };
        self.last = Some((word.to_owned(), id));
        id
    }
}

/// A quick hash for [`Key`]s (the standard one is built to resist attacks this needs not).
#[derive(Default)]
struct QuickHash(u64);

impl std::hash::Hasher for QuickHash {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyCounts = HashMap<Key, u64, std::hash::BuildHasherDefault<QuickHash>>;

/// How [`Store::read_combos`] reads its rows.
enum Reading<'a> {
    /// `facet_totals` rows: the facets, then how many jobs have them.
    Counted,
    /// One job a row, its rowid last; the keys of the jobs in `members` are kept beside.
    Jobs { members: Option<&'a HashMap<i64, Vec<i64>>> },
}

/// One combination of the counted facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    provider: u16,
    status: u16,
    kind: u16,
    aspect: u16,
    model: u16,
    mode: u16,
    liked: bool,
    rating: u8,
}

/// Combinations and how many jobs have each.
#[derive(Debug, Default)]
struct Combos {
    words: Words,
    rows: Vec<(Key, u64)>,
}

/// A filter in the numbers of one [`Combos`].
struct Wanted {
    status: Option<Vec<u16>>,
    kind: Option<u16>,
    liked: bool,
    min_stars: Option<u8>,
    provider: Option<u16>,
    aspect: Option<u16>,
    model: Option<u16>,
    mode: Option<u16>,
}

impl Wanted {
    fn of(filter: &JobFilter, words: &Words) -> Self {
        let word = |w: &str| words.find(w);
        let choice = |c: &Option<Option<String>>| c.as_ref().map(|v| word(v.as_deref().unwrap_or("")));
        Self {
            status: filter.status.map(|g| g.words().iter().map(|w| word(w)).collect()),
            kind: filter.kind.as_deref().map(word),
            liked: filter.liked,
            min_stars: filter.min_stars(),
            provider: filter.provider.map(|p| word(p.as_str())),
            aspect: filter.aspect.as_deref().map(word),
            model: choice(&filter.model),
            mode: choice(&filter.mode),
        }
    }

    /// True when these jobs pass, `skip` left out. Prompt words, dates and collection are not
    /// judged here: the combinations were read with them.
    fn admits(&self, k: &Key, skip: Option<Facet>) -> bool {
        let on = |f: Facet| skip != Some(f);
        let same = |want: Option<u16>, have: u16, f: Facet| !on(f) || want.is_none_or(|w| w == have);
        self.status.as_ref().is_none_or(|s| s.contains(&k.status))
            && self.kind.is_none_or(|w| w == k.kind)
            && (!self.liked || !on(Facet::Liked) || k.liked)
            && (!on(Facet::Rating) || self.min_stars.is_none_or(|n| k.rating >= n))
            && same(self.provider, k.provider, Facet::Provider)
            && same(self.aspect, k.aspect, Facet::Aspect)
            && same(self.model, k.model, Facet::Model)
            && same(self.mode, k.mode, Facet::Mode)
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

/// The menus' counts over `combos`.
fn tally(filter: &JobFilter, combos: &Combos) -> FacetCounts {
    let wanted = Wanted::of(filter, &combos.words);
    let word = |id: u16| combos.words.get(id);
    let some = |id: u16| Some(word(id)).filter(|w| !w.is_empty()).map(str::to_owned);
    let mut out = FacetCounts { providers: Provider::ALL.iter().map(|p| (*p, 0)).collect(), ..Default::default() };
    let mut aspects: HashMap<String, u64> = HashMap::new();
    let mut models: HashMap<Option<String>, u64> = HashMap::new();
    let mut modes: HashMap<Option<String>, u64> = HashMap::new();
    for (k, n) in &combos.rows {
        let n = *n;
        if wanted.admits(k, None) {
            out.total += n;
        }
        if k.liked && wanted.admits(k, Some(Facet::Liked)) {
            out.liked += n;
        }
        if wanted.admits(k, Some(Facet::Rating)) {
            for stars in 1..=k.rating {
                out.min_rating[usize::from(stars) - 1] += n;
            }
        }
        if wanted.admits(k, Some(Facet::Provider))
            && let Some(slot) = out.providers.iter_mut().find(|(p, _)| p.as_str() == word(k.provider))
        {
            slot.1 += n;
        }
        if wanted.admits(k, Some(Facet::Aspect))
            && let Some(a) = some(k.aspect)
        {
            *aspects.entry(a).or_default() += n;
        }
        if wanted.admits(k, Some(Facet::Model)) {
            *models.entry(some(k.model)).or_default() += n;
        }
        if wanted.admits(k, Some(Facet::Mode)) {
            *modes.entry(some(k.mode)).or_default() += n;
        }
    }
    // The choice made stays in its menu, even with no job left under the other filters.
    if let Some(a) = &filter.aspect {
        aspects.entry(a.clone()).or_default();
    }
    if let Some(m) = &filter.model {
        models.entry(m.clone()).or_default();
    }
    if let Some(m) = &filter.mode {
        modes.entry(m.clone()).or_default();
    }
    out.aspects = most_first(aspects);
    out.models = most_first(models);
    out.modes = most_first(modes);
    out
}

fn most_first<K: Ord>(counts: HashMap<K, u64>) -> Vec<(K, u64)> {
    let mut v: Vec<(K, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}
