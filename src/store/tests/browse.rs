//! The library's filters and counts, held against a plain reading of every job in Rust.

use std::collections::HashMap;

use super::{imagine, tmp};
use crate::job::{Dimensions, Job, JobRequest, JobStatus, Mode, Provider, SubmitOptions};
use crate::store::{CollectionId, FacetCounts, JobFilter, PromptFacets, StatusGroup, Store};

/// provider, status, kind, aspect, model, mode, liked, rating, jobs
type FacetRow = (String, String, String, String, String, String, i64, i64, i64);

const PROMPTS: [&str; 16] = [
    "a red fox",
    "a red fox --ar 16:9 --v 6.1",
    "a blue whale --AR 16:9 --niji 6 --relax",
    "lighthouse —ar 3:2 --version 7",
    "lighthouse –aspect 2:3 --niji",
    "a cabin\tin the snow --ar\t21:9 --v 7 --turbo",
    "a cabin --ar  9:16 --fast",
    "storm over the sea --v raw --ar",
    "whale --no cars --ar 4:5 --v 6",
    "river --tile --stylize 250",
    "garden--ar 16:9",
    "https://x.test/a.png a robot --ar 1:1 --v 6.1",
    "a city at night --ar 16:9 --ar 3:2",
    "--ar 2:3 castle",
    "desert --niji 5 --v 6",
    "forest —fast",
];

/// What the store says a job's facets are.
fn stored_facets(store: &Store, id: &str) -> PromptFacets {
    store
        .conn()
        .query_row(
            "SELECT f.aspect, f.model, f.mode FROM job_facets f JOIN jobs j ON j.rowid = f.job_rowid WHERE j.id = ?1",
            [id],
            |r| Ok(PromptFacets { aspect: r.get(0)?, model: r.get(1)?, mode: r.get(2)? }),
        )
        .unwrap()
}

#[test]
fn the_sql_and_the_rust_reading_of_a_prompt_agree() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let modes = [None, Some(Mode::Relax), Some(Mode::Other("Hyper".into()))];
    let mut jobs = Vec::new();
    for (i, p) in PROMPTS.iter().enumerate() {
        let mut j = imagine(p, i as i64);
        j.options.mode = modes[i % 3].clone();
        jobs.push(j);
    }
    for dimensions in [None, Some(Dimensions::Portrait), Some(Dimensions::Landscape)] {
        let request = JobRequest::Blend { images: Vec::new(), dimensions };
        jobs.push(Job::new(Provider::Ttapi, "http://x", request, SubmitOptions::default()));
    }
    let describe = JobRequest::Describe { image: crate::job::ImageInput::Url("https://x/a.png".into()) };
    jobs.push(Job::new(Provider::Ttapi, "http://x", describe, SubmitOptions::default()));
    for j in &jobs {
        store.insert_job(j).unwrap();
        assert_eq!(stored_facets(&store, &j.id), PromptFacets::of_job(j), "{:?}", j.prompt);
    }
    assert_eq!(stored_facets(&store, &jobs[1].id).aspect.as_deref(), Some("16:9"));
    assert_eq!(stored_facets(&store, &jobs[5].id).aspect.as_deref(), Some("21:9"));
    assert_eq!(stored_facets(&store, &jobs[12].id).aspect.as_deref(), Some("16:9"), "the first --ar counts");
    assert_eq!(stored_facets(&store, &jobs[10].id).aspect.as_deref(), Some("1:1"), "not a parameter");
    // A prompt written later (a follow-up learns its prompt from the gateway) is read again.
    let mut j = jobs[0].clone();
    j.prompt = Some("a red fox --ar 4:3 --v 7 --relax".into());
    store.save_job(&j).unwrap();
    assert_eq!(stored_facets(&store, &j.id), PromptFacets::of_job(&j));
    assert_eq!(stored_facets(&store, &j.id).aspect.as_deref(), Some("4:3"));
}

/// Everything a job is filtered by, read in Rust.
struct Seen {
    job: Job,
    facets: PromptFacets,
    liked: bool,
    rating: Option<u8>,
    collections: Vec<CollectionId>,
}

fn admits(f: &JobFilter, s: &Seen) -> bool {
    let words: Vec<String> =
        s.job.prompt.as_deref().unwrap_or("").split(|c: char| !c.is_alphanumeric()).map(str::to_lowercase).collect();
    f.text.split_whitespace().all(|t| words.iter().any(|w| w.starts_with(&t.to_lowercase())))
        && f.status.is_none_or(|g| StatusGroup::of(&s.job.status) == g)
        && f.kind.as_deref().is_none_or(|k| s.job.kind.label() == k)
        && (!f.liked || s.liked)
        && f.min_rating.filter(|n| *n > 0).is_none_or(|n| s.rating.is_some_and(|r| r >= n))
        && f.collection.is_none_or(|c| s.collections.contains(&c))
        && f.provider.is_none_or(|p| p == s.job.provider)
        && f.aspect.as_ref().is_none_or(|a| s.facets.aspect.as_ref() == Some(a))
        && f.model.as_ref().is_none_or(|m| *m == s.facets.model)
        && f.mode.as_ref().is_none_or(|m| *m == s.facets.mode)
        && f.since.is_none_or(|t| s.job.created_at >= t)
        && f.until.is_none_or(|t| s.job.created_at < t)
}

/// A library of `n` jobs with varied gateways, prompts, modes, statuses, marks and collections.
fn library(n: usize) -> (tempfile::TempDir, Store, Vec<Seen>, Vec<CollectionId>) {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let cols: Vec<CollectionId> =
        ["Birds", "Sea", "Night"].iter().map(|c| store.create_collection(c).unwrap().id).collect();
    let mut seen = Vec::new();
    for i in 0..n {
        let mut job = imagine(PROMPTS[rng.usize(..PROMPTS.len())], 1_000 + (i as i64) * 10);
        job.provider = Provider::ALL[rng.usize(..3)];
        job.options.mode = [None, Some(Mode::Fast), Some(Mode::Relax)][rng.usize(..3)].clone();
        job.status =
            [JobStatus::Succeeded, JobStatus::Running { progress: 5 }, JobStatus::Failed { reason: "x".into() }]
                [rng.usize(..3)]
            .clone();
        store.insert_job(&job).unwrap();
        let liked = rng.u8(..4) == 0;
        let rating = (rng.u8(..3) == 0).then(|| rng.u8(1..=5));
        store.set_liked(&job.id, liked).unwrap();
        store.set_rating(&job.id, rating).unwrap();
        let collections: Vec<CollectionId> = cols.iter().copied().filter(|_| rng.u8(..4) == 0).collect();
        for c in &collections {
            store.add_to_collection(*c, &[job.id.as_str()]).unwrap();
        }
        // Later changes reach the facets: a status moving on, a prompt learned late.
        if i % 7 == 0 {
            job.status = JobStatus::Succeeded;
            job.prompt = Some(format!("{} --ar 5:4", job.prompt.clone().unwrap_or_default()));
            store.save_job(&job).unwrap();
        }
        seen.push(Seen { facets: PromptFacets::of_job(&job), job, liked, rating, collections });
    }
    (dir, store, seen, cols)
}

fn random_filter(rng: &mut fastrand::Rng, cols: &[CollectionId]) -> JobFilter {
    let pick = |rng: &mut fastrand::Rng, odds: u8| rng.u8(..odds) == 0;
    let mut f = JobFilter::default();
    if pick(rng, 5) {
        f.text = ["fox", "whale light", "cabin", "a"][rng.usize(..4)].into();
    }
    if pick(rng, 4) {
        f.status = Some(StatusGroup::ALL[rng.usize(..3)]);
    }
    if pick(rng, 5) {
        f.kind = Some(["imagine", "action", "describe"][rng.usize(..3)].into());
    }
    f.liked = pick(rng, 3);
    if pick(rng, 3) {
        f.min_rating = Some(rng.u8(0..=5));
    }
    if pick(rng, 4) {
        f.collection = Some(cols[rng.usize(..cols.len())]);
    }
    if pick(rng, 3) {
        f.provider = Some(Provider::ALL[rng.usize(..3)]);
    }
    if pick(rng, 3) {
        f.aspect = Some(["1:1", "16:9", "3:2", "5:4", "7:7"][rng.usize(..5)].into());
    }
    if pick(rng, 4) {
        f.model = Some([None, Some("7"), Some("niji 6"), Some("6.1")][rng.usize(..4)].map(str::to_owned));
    }
    if pick(rng, 4) {
        f.mode = Some([None, Some("fast"), Some("relax"), Some("turbo")][rng.usize(..4)].map(str::to_owned));
    }
    if pick(rng, 4) {
        f.since = Some(1_000 + rng.i64(0..2_000));
    }
    if pick(rng, 4) {
        f.until = Some(1_000 + rng.i64(0..2_000));
    }
    f
}

#[test]
fn every_filter_combination_shows_and_counts_what_a_plain_reading_does() {
    let (_d, store, seen, cols) = library(240);
    let mut rng = fastrand::Rng::with_seed(11);
    for round in 0..400 {
        let f = random_filter(&mut rng, &cols);
        let mut want: Vec<&Seen> = seen.iter().filter(|s| admits(&f, s)).collect();
        want.sort_by_key(|s| std::cmp::Reverse(s.job.created_at));
        let want_ids: Vec<&str> = want.iter().map(|s| s.job.id.as_str()).collect();
        assert_eq!(store.count(&f).unwrap() as usize, want.len(), "round {round}: {f:?}");
        let page = store.summaries(&f, 0, 1_000).unwrap();
        let got: Vec<&str> = page.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(got, want_ids, "round {round}: {f:?}");
        // A page further on is the same rows.
        let page = store.summaries(&f, 3, 5).unwrap();
        let got: Vec<&str> = page.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(got, want_ids.iter().skip(3).take(5).copied().collect::<Vec<_>>(), "round {round}: {f:?}");
        assert_eq!(store.facet_counts(&f).unwrap(), plain_counts(&store, &f, &seen), "round {round}: {f:?}");
    }
}

/// The menus' counts, from every job read in Rust: each choice with the other filters applied.
fn plain_counts(store: &Store, f: &JobFilter, seen: &[Seen]) -> FacetCounts {
    let count = |g: &JobFilter| seen.iter().filter(|s| admits(g, s)).count() as u64;
    let mut out = FacetCounts { total: count(f), ..Default::default() };
    for (i, g) in StatusGroup::ALL.into_iter().enumerate() {
        out.statuses[i] = count(&JobFilter { status: Some(g), ..f.clone() });
    }
    out.liked = count(&JobFilter { liked: true, ..f.clone() });
    for n in 1..=5u8 {
        out.min_rating[usize::from(n) - 1] = count(&JobFilter { min_rating: Some(n), ..f.clone() });
    }
    out.providers = Provider::ALL.iter().map(|p| (*p, count(&JobFilter { provider: Some(*p), ..f.clone() }))).collect();
    let mut aspects: HashMap<String, u64> = HashMap::new();
    let mut models: HashMap<Option<String>, u64> = HashMap::new();
    let mut modes: HashMap<Option<String>, u64> = HashMap::new();
    let mut kinds: HashMap<String, u64> = HashMap::new();
    for s in seen {
        if admits(&JobFilter { kind: None, ..f.clone() }, s) {
            *kinds.entry(s.job.kind.label().to_owned()).or_default() += 1;
        }
        if let Some(a) = &s.facets.aspect
            && admits(&JobFilter { aspect: None, ..f.clone() }, s)
        {
            *aspects.entry(a.clone()).or_default() += 1;
        }
        if admits(&JobFilter { model: None, ..f.clone() }, s) {
            *models.entry(s.facets.model.clone()).or_default() += 1;
        }
        if admits(&JobFilter { mode: None, ..f.clone() }, s) {
            *modes.entry(s.facets.mode.clone()).or_default() += 1;
        }
    }
    if let Some(a) = &f.aspect {
        aspects.entry(a.clone()).or_default();
    }
    if let Some(m) = &f.model {
        models.entry(m.clone()).or_default();
    }
    if let Some(m) = &f.mode {
        modes.entry(m.clone()).or_default();
    }
    if let Some(k) = &f.kind {
        kinds.entry(k.clone()).or_default();
    }
    out.kinds = sorted(kinds);
    out.aspects = sorted(aspects);
    out.models = sorted(models);
    out.modes = sorted(modes);
    out.collections = store
        .collections()
        .unwrap()
        .into_iter()
        .map(|c| {
            let n = count(&JobFilter { collection: Some(c.id), ..f.clone() });
            (c, n)
        })
        .collect();
    out
}

fn sorted<K: Ord>(m: HashMap<K, u64>) -> Vec<(K, u64)> {
    let mut v: Vec<(K, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[test]
fn the_totals_follow_every_change_and_match_a_recount() {
    let (_d, store, seen, cols) = library(60);
    for (i, s) in seen.iter().enumerate().take(30) {
        store.set_liked(&s.job.id, i % 2 == 0).unwrap();
        store.set_rating(&s.job.id, (i % 3 == 0).then_some(3)).unwrap();
        let mut j = s.job.clone();
        j.status = JobStatus::Failed { reason: "gone".into() };
        j.prompt = Some(format!("changed {i} --ar 2:1 --niji 6"));
        store.save_job(&j).unwrap();
    }
    store.delete_collection(cols[0]).unwrap();
    let recount: Vec<FacetRow> = store
        .conn()
        .prepare(
            "SELECT provider, status_word, kind_word, coalesce(aspect, ''), coalesce(model, ''), coalesce(mode, ''), \
             liked, coalesce(rating, 0), count(*) FROM job_facets GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let totals: Vec<FacetRow> = store
        .conn()
        .prepare("SELECT * FROM facet_totals WHERE jobs > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(totals, recount);
    let negative: i64 =
        store.conn().query_row("SELECT count(*) FROM facet_totals WHERE jobs < 0", [], |r| r.get(0)).unwrap();
    assert_eq!(negative, 0);
}

#[test]
fn a_page_under_a_rare_choice_walks_that_choice_not_every_job() {
    let (_d, store, _seen, _cols) = library(80);
    let plan = |f: &JobFilter| -> String {
        let hint = store.driving_index(f).unwrap();
        hint.to_owned()
    };
    let liked_wide = JobFilter { liked: true, aspect: Some("21:9".into()), ..Default::default() };
    assert_eq!(plan(&liked_wide), "INDEXED BY job_facets_aspect", "fewer 21:9 jobs than liked ones");
    let only_dates = JobFilter { since: Some(1_500), ..Default::default() };
    assert_eq!(plan(&only_dates), "INDEXED BY job_facets_newest");
    // Prompt words are weighed by how many jobs hold them.
    let count = |f: JobFilter| store.count(&f).unwrap();
    let liked = count(JobFilter { liked: true, ..Default::default() });
    for text in ["a", "cabin snow"] {
        let held = count(JobFilter { text: text.into(), ..Default::default() });
        let words = JobFilter { text: text.into(), liked: true, ..Default::default() };
        let want = if held < liked { "NOT INDEXED" } else { "INDEXED BY job_facets_liked" };
        assert_eq!(plan(&words), want, "{text}: {held} jobs hold it, {liked} are liked");
    }
}

#[test]
fn a_new_job_is_judged_in_memory_as_the_store_would() {
    let mut job = imagine("a fox --ar 16:9 --v 7", 50);
    job.options.mode = Some(Mode::Fast);
    let yes = JobFilter {
        aspect: Some("16:9".into()),
        model: Some(Some("7".into())),
        mode: Some(Some("fast".into())),
        provider: Some(Provider::Ttapi),
        since: Some(50),
        until: Some(51),
        status: Some(StatusGroup::InProgress),
        ..Default::default()
    };
    assert!(yes.admits_new(&job));
    for no in [
        JobFilter { liked: true, ..yes.clone() },
        JobFilter { min_rating: Some(1), ..yes.clone() },
        JobFilter { aspect: Some("1:1".into()), ..yes.clone() },
        JobFilter { model: Some(None), ..yes.clone() },
        JobFilter { until: Some(50), ..yes.clone() },
        JobFilter { provider: Some(Provider::Vtrix), ..yes.clone() },
    ] {
        assert!(!no.admits_new(&job), "{no:?}");
    }
    assert!(JobFilter { min_rating: Some(0), ..yes }.admits_new(&job), "0 stars admits every job");
}
