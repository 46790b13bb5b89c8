//! The store at 10,000 jobs, as the window and the job manager use it: a progress save for
//! an imagine job and for a 5 x 10 MB blend (the same cost: the request is not rewritten),
//! the list's first page of summaries, the total count, a prompt search, a job's children,
//! and the cross-process check (`data_version`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mjdesk::job::{ImageInput, Job, JobImage, JobRequest, JobStatus, Provider, SubmitOptions};
use mjdesk::store::{JobFilter, Store};

const WORDS: [&str; 12] =
    ["fox", "lighthouse", "cabin", "whale", "forest", "desert", "city", "robot", "garden", "storm", "castle", "river"];

fn job(i: usize, parent: Option<&str>) -> Job {
    let prompt = format!("a {} and a {} number {i} --ar 3:2 --v 6", WORDS[i % 12], WORDS[(i / 12) % 12]);
    let mut j =
        Job::new(Provider::Ttapi, "https://api.ttapi.io", JobRequest::Imagine { prompt }, SubmitOptions::default());
    j.gateway_id = Some(format!("gateway-{i}"));
    j.parent_id = parent.map(str::to_owned);
    j.status = JobStatus::Succeeded;
    j.actions = ["upsample1", "upsample2", "variation1", "reroll"].map(String::from).to_vec();
    j.images = (0..4)
        .map(|n| JobImage {
            url: format!("https://cdn.example/{i}_{n}.png"),
            local_path: Some(format!("/data/images/{i:064}.png").into()),
            error: None,
        })
        .collect();
    j
}

/// Incompressible-ish bytes, as a photo's PNG would be.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut v = vec![0u8; len];
    rng.fill(&mut v);
    v
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let parent = job(0, None);
    store.insert_job(&parent).unwrap();
    for i in 1..10_000 {
        // Every 50th job continues the first one: 200 children.
        store.insert_job(&job(i, (i % 50 == 0).then_some(parent.id.as_str()))).unwrap();
    }
    let mut imagine = job(99_999, None);
    store.insert_job(&imagine).unwrap();
    let images = (0..5).map(|n| ImageInput::Bytes { bytes: noise(10 << 20, n), mime: "image/png".into() }).collect();
    let mut blend = Job::new(
        Provider::Ttapi,
        "https://api.ttapi.io",
        JobRequest::Blend { images, dimensions: None },
        SubmitOptions::default(),
    );
    store.insert_job(&blend).unwrap();

    let mut g = c.benchmark_group("store_10k_jobs");
    let mut p = 0u8;
    g.bench_function("save_progress_imagine", |b| {
        b.iter(|| {
            p = (p + 1) % 100;
            imagine.status = JobStatus::Running { progress: p };
            store.save_job(&imagine).unwrap();
        })
    });
    g.bench_function("save_progress_blend_5x10MB", |b| {
        b.iter(|| {
            p = (p + 1) % 100;
            blend.status = JobStatus::Running { progress: p };
            store.save_job(&blend).unwrap();
        })
    });
    let all = JobFilter::default();
    g.bench_function("first_page_100_summaries", |b| b.iter(|| black_box(store.summaries(&all, 0, 100).unwrap())));
    g.bench_function("count_all", |b| b.iter(|| black_box(store.count(&all).unwrap())));
    let search = JobFilter { text: "whale lighth".into(), ..Default::default() };
    g.bench_function("search_first_page", |b| b.iter(|| black_box(store.summaries(&search, 0, 100).unwrap())));
    g.bench_function("search_count", |b| b.iter(|| black_box(store.count(&search).unwrap())));
    g.bench_function("children_200", |b| b.iter(|| black_box(store.child_summaries(&parent.id).unwrap())));
    g.bench_function("data_version", |b| b.iter(|| black_box(store.data_version().unwrap())));
    g.finish();
}

criterion_group!(benches, store);
criterion_main!(benches);
