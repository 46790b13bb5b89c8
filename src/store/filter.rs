//! Which jobs the list shows, and the SQL conditions a filter becomes.
//!
//! Prompt words, status and kind alone are read from `jobs` as they always were. The library's
//! filters (likes, ratings, collections, gateway, aspect ratio, model, mode, dates) are read
//! from `job_facets`, which the schema's triggers keep one row per job (see `browse`).

use rusqlite::types::Value;

use super::facets::PromptFacets;
use super::library::CollectionId;
use super::summaries::{JobSummary, StatusGroup};
use crate::job::{Job, Provider};

/// Which jobs the list shows. The default shows every job; set filters combine (all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct JobFilter {
    /// Words the prompt (or describe results) must contain, as prefixes, in any order.
    pub text: String,
    pub status: Option<StatusGroup>,
    /// A [`JobKind::label`](crate::job::JobKind::label) (`imagine`, `action`, `blend` ...).
    pub kind: Option<String>,
    /// Only liked jobs.
    pub liked: bool,
    /// Only jobs rated this many stars or more (1 to 5; 0 admits every job).
    pub min_rating: Option<u8>,
    /// Only the jobs in this collection.
    pub collection: Option<CollectionId>,
    /// Only the jobs sent to this gateway.
    pub provider: Option<Provider>,
    /// Only this aspect ratio, as prompts write it (`16:9`); a prompt without `--ar` is `1:1`.
    pub aspect: Option<String>,
    /// Only this model version (`7`, `6.1`, `niji 6`, as [`PromptFacets::model`]);
    /// `Some(None)` is prompts that name none.
    pub model: Option<Option<String>>,
    /// Only this mode (`fast`, `relax`, `turbo`); `Some(None)` is jobs sent with none.
    pub mode: Option<Option<String>>,
    /// Only jobs created at or after this moment (ms since the epoch).
    pub since: Option<i64>,
    /// Only jobs created before this moment (ms since the epoch).
    pub until: Option<i64>,
}

/// A filter whose choices the menus count (see [`FacetCounts`](super::FacetCounts)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Facet {
    Status,
    Kind,
    Liked,
    Rating,
    Collection,
    Provider,
    Aspect,
    Model,
    Mode,
}

impl JobFilter {
    /// True when `job` passes the status and kind filters (the text filter is the store's:
    /// its tokenizer decides).
    pub fn admits_kind_and_status(&self, summary: &JobSummary) -> bool {
        self.status.is_none_or(|g| StatusGroup::of(&summary.status) == g)
            && self.kind.as_deref().is_none_or(|k| summary.kind.label() == k)
    }

    /// True when a job just made (so not liked, rated or in a collection yet) passes every
    /// filter but the prompt words (the store's tokenizer decides those).
    pub fn admits_new(&self, job: &Job) -> bool {
        if self.liked || self.min_stars().is_some() || self.collection.is_some() {
            return false;
        }
        let facets = PromptFacets::of_job(job);
        self.status.is_none_or(|g| StatusGroup::of(&job.status) == g)
            && self.kind.as_deref().is_none_or(|k| job.kind.label() == k)
            && self.provider.is_none_or(|p| p == job.provider)
            && self.aspect.as_ref().is_none_or(|a| facets.aspect.as_ref() == Some(a))
            && self.model.as_ref().is_none_or(|m| *m == facets.model)
            && self.mode.as_ref().is_none_or(|m| *m == facets.mode)
            && self.since.is_none_or(|t| job.created_at >= t)
            && self.until.is_none_or(|t| job.created_at < t)
    }

    /// True when a filter beyond prompt words, status and kind is set: the list is then read
    /// through `job_facets`.
    pub fn uses_library(&self) -> bool {
        self.liked
            || self.min_stars().is_some()
            || self.collection.is_some()
            || self.provider.is_some()
            || self.aspect.is_some()
            || self.model.is_some()
            || self.mode.is_some()
            || self.since.is_some()
            || self.until.is_some()
    }

    /// The star rating asked for, when it restricts anything.
    pub(super) fn min_stars(&self) -> Option<u8> {
        self.min_rating.filter(|n| *n > 0)
    }

    /// True when a condition needs the jobs' rows, not only `facet_totals`.
    pub(super) fn needs_rows(&self) -> bool {
        !self.text.trim().is_empty() || self.since.is_some() || self.until.is_some() || self.collection.is_some()
    }

    /// The WHERE clause over `jobs` for prompt words, status and kind, and its values.
    pub(super) fn clause(&self) -> (String, Vec<Value>) {
        let mut conds: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let text = self.text.trim();
        if !text.is_empty() {
            match fts_query(text) {
                Some(q) => {
                    values.push(Value::Text(q));
                    conds.push(format!("rowid IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?{})", values.len()));
                }
                None => {
                    values.push(Value::Text(format!("%{}%", super::jobs::escape_like(text))));
                    conds.push(format!("prompt LIKE ?{} ESCAPE '\\'", values.len()));
                }
            }
        }
        if let Some(group) = self.status {
            conds.push(format!("status_word IN ({})", quoted(group.words())));
        }
        if let Some(kind) = &self.kind {
            values.push(Value::Text(kind.clone()));
            conds.push(format!("kind_word = ?{}", values.len()));
        }
        let clause = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
        (clause, values)
    }

    /// Conditions over `job_facets f` (all but `skip`'s), numbering their values after those
    /// already in `values`.
    pub(super) fn facet_conds(&self, skip: Option<Facet>, values: &mut Vec<Value>) -> Vec<String> {
        let mut conds = Vec::new();
        let bind = |v: Value, values: &mut Vec<Value>| {
            values.push(v);
            format!("?{}", values.len())
        };
        let text = self.text.trim();
        if !text.is_empty() {
            conds.push(match fts_query(text) {
                Some(q) => format!(
                    "f.job_rowid IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH {})",
                    bind(Value::Text(q), values)
                ),
                None => format!(
                    "f.job_rowid IN (SELECT rowid FROM jobs WHERE prompt LIKE {} ESCAPE '\\')",
                    bind(Value::Text(format!("%{}%", super::jobs::escape_like(text))), values)
                ),
            });
        }
        if let Some(t) = self.since {
            conds.push(format!("f.created_at >= {}", bind(Value::Integer(t), values)));
        }
        if let Some(t) = self.until {
            conds.push(format!("f.created_at < {}", bind(Value::Integer(t), values)));
        }
        if let Some(c) = self.collection.filter(|_| skip != Some(Facet::Collection)) {
            conds.push(format!(
                "f.job_rowid IN (SELECT job_rowid FROM collection_jobs WHERE collection_id = {})",
                bind(Value::Integer(c.0), values)
            ));
        }
        if let Some(group) = self.status {
            conds.push(format!("f.status_word IN ({})", quoted(group.words())));
        }
        if let Some(kind) = &self.kind {
            conds.push(format!("f.kind_word = {}", bind(Value::Text(kind.clone()), values)));
        }
        let wanted = |f: Facet| skip != Some(f);
        if self.liked && wanted(Facet::Liked) {
            conds.push("f.liked = 1".into());
        }
        if let Some(n) = self.min_stars().filter(|_| wanted(Facet::Rating)) {
            // Spelled with IS NOT NULL so the partial index `job_facets_rated` can serve it.
            conds.push(format!("f.rating IS NOT NULL AND f.rating >= {}", bind(Value::Integer(n.into()), values)));
        }
        if let Some(p) = self.provider.filter(|_| wanted(Facet::Provider)) {
            conds.push(format!("f.provider = {}", bind(Value::Text(p.as_str().into()), values)));
        }
        if let Some(a) = self.aspect.as_ref().filter(|_| wanted(Facet::Aspect)) {
            conds.push(format!("f.aspect = {}", bind(Value::Text(a.clone()), values)));
        }
        for (facet, column, choice) in [(Facet::Model, "f.model", &self.model), (Facet::Mode, "f.mode", &self.mode)] {
            match choice.as_ref().filter(|_| wanted(facet)) {
                Some(Some(v)) => conds.push(format!("{column} = {}", bind(Value::Text(v.clone()), values))),
                Some(None) => conds.push(format!("{column} IS NULL")),
                None => {}
            }
        }
        conds
    }
}

/// `'a', 'b'` for an SQL list of fixed words.
fn quoted(words: &[&str]) -> String {
    words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(", ")
}

/// An FTS5 query matching every word of `text` as a prefix, or None when `text` has no word
/// the tokenizer would index (then a plain substring match is used).
pub(super) fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// `WHERE a AND b`, or nothing.
pub(super) fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) }
}
