//! The store at 10,000 jobs, as the window and the job manager use it: a progress save for
//! an imagine job and for a 5 x 10 MB blend (the same cost: the request is not rewritten),
//! the list's first page of summaries, the total count, a prompt search, a job's children,
//! and the cross-process check (`data_version`).
//!
//! The library at 100,000 jobs (three gateways, six aspect ratios, four model versions, three
//! modes, 5% liked, 10% rated, 20 collections of 250, one job a minute): the first page and
//! the count under each library filter and some combinations, and the filter menus' counts.
//!
//! Export of 100 jobs (400 images) into a folder, against writing the same bytes plainly.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mjdesk::job::{ImageInput, Job, JobImage, JobRequest, JobStatus, Mode, Provider, SubmitOptions};
use mjdesk::store::{CollectionId, JobFilter, StatusGroup, Store};

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

/// One of `choices` (value, weight in percent), picked with `rng`.
fn pick<T: Clone>(rng: &mut fastrand::Rng, choices: &[(T, u32)]) -> T {
    let mut at = rng.u32(..100);
    for (v, w) in choices {
        if at < *w {
            return v.clone();
        }
        at -= w;
    }
    choices[choices.len() - 1].0.clone()
}

fn library_job(i: usize, rng: &mut fastrand::Rng) -> Job {
    let ar = pick(
        rng,
        &[("", 40), (" --ar 16:9", 20), (" --ar 3:2", 15), (" --ar 2:3", 10), (" --ar 9:16", 10), (" --ar 21:9", 5)],
    );
    let v = pick(rng, &[("", 30), (" --v 6.1", 30), (" --v 7", 25), (" --niji 6", 15)]);
    let prompt = format!("a {} and a {} number {i}{ar}{v} --s 250", WORDS[i % 12], WORDS[(i / 12) % 12]);
    let provider = pick(rng, &[(Provider::Ttapi, 80), (Provider::Acedata, 15), (Provider::Vtrix, 5)]);
    let mode = pick(rng, &[(None, 30), (Some(Mode::Fast), 50), (Some(Mode::Relax), 15), (Some(Mode::Turbo), 5)]);
    let options = SubmitOptions { mode, ..Default::default() };
    let mut j = Job::new(provider, provider.default_base_url(), JobRequest::Imagine { prompt }, options);
    j.created_at = 1_700_000_000_000 + i as i64 * 60_000;
    j.gateway_id = Some(format!("gateway-{i}"));
    j.status = pick(rng, &[(JobStatus::Succeeded, 90), (JobStatus::Failed { reason: "x".into() }, 10)]);
    j.images = (0..4)
        .map(|n| JobImage {
            url: format!("https://cdn.example/{i}_{n}.png"),
            local_path: Some(format!("/data/images/{i:064}.png").into()),
            error: None,
        })
        .collect();
    j
}

fn library_100k(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut rng = fastrand::Rng::with_seed(14);
    let collections: Vec<CollectionId> =
        (0..20).map(|n| store.create_collection(&format!("board {n}")).unwrap().id).collect();
    let mut members: Vec<Vec<String>> = vec![Vec::new(); collections.len()];
    for i in 0..100_000 {
        let job = library_job(i, &mut rng);
        store.insert_job(&job).unwrap();
        if rng.u32(..100) < 5 {
            store.set_liked(&job.id, true).unwrap();
        }
        if rng.u32(..100) < 10 {
            store.set_rating(&job.id, Some(rng.u8(1..=5))).unwrap();
        }
        let board = rng.usize(..collections.len() * 20);
        if board < collections.len() && members[board].len() < 250 {
            members[board].push(job.id.clone());
        }
    }
    for (id, jobs) in collections.iter().zip(&members) {
        let jobs: Vec<&str> = jobs.iter().map(String::as_str).collect();
        store.add_to_collection(*id, &jobs).unwrap();
    }
    let week = Some(1_700_000_000_000 + 50_000 * 60_000);
    let week_end = week.map(|t| t + 7 * 24 * 3_600_000);
    let cases: Vec<(&str, JobFilter)> = vec![
        ("all", JobFilter::default()),
        ("liked", JobFilter { liked: true, ..Default::default() }),
        ("rating_4", JobFilter { min_rating: Some(4), ..Default::default() }),
        ("collection", JobFilter { collection: Some(collections[3]), ..Default::default() }),
        ("provider_acedata", JobFilter { provider: Some(Provider::Acedata), ..Default::default() }),
        ("ar_16_9", JobFilter { aspect: Some("16:9".into()), ..Default::default() }),
        ("ar_21_9", JobFilter { aspect: Some("21:9".into()), ..Default::default() }),
        ("model_niji_6", JobFilter { model: Some(Some("niji 6".into())), ..Default::default() }),
        ("mode_relax", JobFilter { mode: Some(Some("relax".into())), ..Default::default() }),
        ("one_week", JobFilter { since: week, until: week_end, ..Default::default() }),
        (
            "liked_ar_mode_failed",
            JobFilter {
                liked: true,
                aspect: Some("16:9".into()),
                mode: Some(Some("relax".into())),
                status: Some(StatusGroup::Failed),
                ..Default::default()
            },
        ),
        ("text_liked", JobFilter { text: "whale".into(), liked: true, ..Default::default() }),
        ("text_ar", JobFilter { text: "whale lighth".into(), aspect: Some("16:9".into()), ..Default::default() }),
        // A word in 16% of the prompts: every menu but the gateway's counts all 16,000 jobs.
        (
            "common_word_provider",
            JobFilter { text: "whale".into(), provider: Some(Provider::Acedata), ..Default::default() },
        ),
        (
            "week_vtrix_rated",
            JobFilter {
                since: week,
                until: week_end,
                provider: Some(Provider::Vtrix),
                min_rating: Some(1),
                ..Default::default()
            },
        ),
    ];
    let mut g = c.benchmark_group("store_100k_library");
    for (name, filter) in &cases {
        g.bench_function(format!("first_page_{name}"), |b| {
            b.iter(|| black_box(store.summaries(filter, 0, 100).unwrap()))
        });
    }
    for (name, filter) in &cases {
        g.bench_function(format!("count_{name}"), |b| b.iter(|| black_box(store.count(filter).unwrap())));
    }
    for (name, filter) in &cases {
        g.bench_function(format!("menu_counts_{name}"), |b| b.iter(|| black_box(store.facet_counts(filter).unwrap())));
    }
    let job = store.summaries(&JobFilter::default(), 0, 1).unwrap().rows.remove(0);
    g.bench_function("toggle_like", |b| b.iter(|| black_box(store.toggle_liked(&job.id).unwrap())));
    g.finish();
}

/// `Export` of 100 finished jobs, four 512 KiB images each (about 200 MiB with sidecars), into
/// a fresh folder on the same disk: each image and sidecar written to a temporary file,
/// fsynced and renamed. Beside it, the floor: the same files (each image and a sidecar-sized
/// file) written and fsynced with no export work at all (no JSON, no store read, no rename).
/// Export near the floor, and its CPU time (printed once) far below its wall time, mean the
/// disk, not the CPU, sets its speed.
fn export_100(c: &mut Criterion) {
    const JOBS: usize = 100;
    const IMAGE: usize = 512 << 10;
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(&home.path().join("data")).unwrap();
    let images = home.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    let mut jobs = Vec::with_capacity(JOBS);
    for i in 0..JOBS {
        let mut j = job(i, None);
        for (n, image) in j.images.iter_mut().enumerate() {
            let path = images.join(format!("{i}_{n}.png"));
            std::fs::write(&path, noise(IMAGE, (i * 4 + n) as u64)).unwrap();
            image.local_path = Some(path);
        }
        store.insert_job(&j).unwrap();
        jobs.push(j);
    }
    let never = std::sync::atomic::AtomicBool::new(false);
    let out = |n: &mut u32| {
        *n += 1;
        home.path().join(format!("out{n}"))
    };
    let mut n = 0;
    let first = out(&mut n);
    let (cpu, wall) = (cpu_seconds(), std::time::Instant::now());
    let done = mjdesk::export::export_jobs(&store, &jobs, &first, &never, |_| {}).unwrap();
    let (cpu, wall) = (cpu_seconds() - cpu, wall.elapsed().as_secs_f64());
    assert_eq!(done.images, JOBS * 4);
    let sidecar = (done.bytes as usize - JOBS * 4 * IMAGE) / (JOBS * 4);
    println!(
        "export of {JOBS} jobs: {:.1} MiB in {wall:.2} s wall, {cpu:.2} s CPU (user + system, {:.0}% of the wall time); sidecars {sidecar} B",
        done.bytes as f64 / (1 << 20) as f64,
        100.0 * cpu / wall
    );
    std::fs::remove_dir_all(&first).unwrap();
    let mut g = c.benchmark_group("export_100_jobs");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Bytes(done.bytes));
    g.bench_function("export", |b| {
        b.iter_with_large_drop(|| {
            let dir = out(&mut n);
            black_box(mjdesk::export::export_jobs(&store, &jobs, &dir, &never, |_| {}).unwrap());
            std::fs::remove_dir_all(dir).unwrap();
        })
    });
    let side = vec![b' '; sidecar];
    g.bench_function("floor_write_and_fsync_only", |b| {
        b.iter(|| {
            let dir = out(&mut n);
            std::fs::create_dir_all(&dir).unwrap();
            for j in &jobs {
                for (k, image) in j.images.iter().enumerate() {
                    let bytes = std::fs::read(image.local_path.as_ref().unwrap()).unwrap();
                    for (name, bytes) in
                        [(format!("{}_{k}.png", j.id), &bytes[..]), (format!("{}_{k}.json", j.id), &side)]
                    {
                        let mut f = std::fs::File::create(dir.join(name)).unwrap();
                        std::io::Write::write_all(&mut f, bytes).unwrap();
                        f.sync_all().unwrap();
                    }
                }
            }
            std::fs::remove_dir_all(dir).unwrap();
        })
    });
    g.finish();
}

/// This process's CPU time so far (user + system), from /proc (Linux); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // the fields after the command name, which is in parentheses
    let fields: Vec<&str> = stat.rsplit_once(") ").map(|(_, rest)| rest.split(' ').collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks a second
    (ticks(11) + ticks(12)) / 100.0
}

criterion_group!(benches, store, library_100k, export_100);
criterion_main!(benches);
