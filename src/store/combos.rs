//! Combinations of the counted facets (gateway, status, kind, aspect, model, mode, like,
//! rating) with how many jobs have each, and the filter menus' counts added up from them.
//! Words are numbered as first met, so combinations compare and hash as numbers.

use std::collections::HashMap;

use super::filter::{Facet, JobFilter};
use super::library::Collection;
use super::summaries::StatusGroup;
use crate::job::Provider;

/// The words of a set of combinations (statuses, kinds, gateways, aspects, models, modes;
/// `""` for none), numbered as first met, so combinations compare as numbers.
#[derive(Debug, Default)]
pub(super) struct Words(Vec<String>);

/// The number of a word no combination has.
pub(super) const ABSENT: u16 = u16::MAX;

impl Words {
    pub(super) fn id(&mut self, word: &str) -> u16 {
        match self.find(word) {
            ABSENT => {
                self.0.push(word.to_owned());
                (self.0.len() - 1) as u16
            }
            id => id,
        }
    }

    pub(super) fn find(&self, word: &str) -> u16 {
        self.0.iter().position(|w| w == word).map_or(ABSENT, |i| i as u16)
    }

    pub(super) fn get(&self, id: u16) -> &str {
        &self.0[usize::from(id)]
    }
}

/// Numbers one column's words through the shared [`Words`]: a column holds few distinct
/// words and neighbouring rows often repeat one, so this is a comparison or two a row.
#[derive(Default)]
pub(super) struct Column {
    last: Option<(String, u16)>,
    seen: Vec<(String, u16)>,
}

impl Column {
    pub(super) fn id(&mut self, word: &str, words: &mut Words) -> u16 {
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
pub(super) struct QuickHash(u64);

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

pub(super) type KeyCounts = HashMap<Key, u64, std::hash::BuildHasherDefault<QuickHash>>;

/// One combination of the counted facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) provider: u16,
    pub(super) status: u16,
    pub(super) kind: u16,
    pub(super) aspect: u16,
    pub(super) model: u16,
    pub(super) mode: u16,
    pub(super) liked: bool,
    pub(super) rating: u8,
}

/// Combinations and how many jobs have each.
#[derive(Debug, Default)]
pub(super) struct Combos {
    pub(super) words: Words,
    pub(super) rows: Vec<(Key, u64)>,
}

/// A filter in the numbers of one [`Combos`].
pub(super) struct Wanted {
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
    pub(super) fn of(filter: &JobFilter, words: &Words) -> Self {
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
    pub(super) fn admits(&self, k: &Key, skip: Option<Facet>) -> bool {
        let on = |f: Facet| skip != Some(f);
        let same = |want: Option<u16>, have: u16, f: Facet| !on(f) || want.is_none_or(|w| w == have);
        (!on(Facet::Status) || self.status.as_ref().is_none_or(|s| s.contains(&k.status)))
            && (!on(Facet::Kind) || self.kind.is_none_or(|w| w == k.kind))
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
    /// `statuses[i]`: jobs in [`StatusGroup::ALL`]`[i]`.
    pub statuses: [u64; 3],
    /// Kinds of job with jobs (and the one chosen), most jobs first.
    pub kinds: Vec<(String, u64)>,
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

/// The menus' counts over `combos`.
pub(super) fn tally(filter: &JobFilter, combos: &Combos) -> FacetCounts {
    let wanted = Wanted::of(filter, &combos.words);
    let word = |id: u16| combos.words.get(id);
    let some = |id: u16| Some(word(id)).filter(|w| !w.is_empty()).map(str::to_owned);
    let mut out = FacetCounts { providers: Provider::ALL.iter().map(|p| (*p, 0)).collect(), ..Default::default() };
    let mut aspects: HashMap<String, u64> = HashMap::new();
    let mut models: HashMap<Option<String>, u64> = HashMap::new();
    let mut modes: HashMap<Option<String>, u64> = HashMap::new();
    let mut kinds: HashMap<String, u64> = HashMap::new();
    for (k, n) in &combos.rows {
        let n = *n;
        if wanted.admits(k, None) {
            out.total += n;
        }
        if wanted.admits(k, Some(Facet::Status))
            && let Some(i) = StatusGroup::ALL.iter().position(|g| g.words().contains(&word(k.status)))
        {
            out.statuses[i] += n;
        }
        if wanted.admits(k, Some(Facet::Kind))
            && let Some(kind) = some(k.kind)
        {
            *kinds.entry(kind).or_default() += n;
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
    if let Some(k) = &filter.kind {
        kinds.entry(k.clone()).or_default();
    }
    out.kinds = most_first(kinds);
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
