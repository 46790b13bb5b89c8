//! Speeds the engine promises, measured (numbers go in the issue notes, not in tests).
//!
//! - reading a gateway's fetch answer (done every poll, for every job in progress);
//! - the store at 10,000 jobs: a page of the newest 100 (what the job list asks for) and one
//!   job's save (what every progress update costs);
//! - the simulator: an imagine at the default 1024 px grid, submit to the finished answer
//!   (rendering four quadrants and the grid, PNG-encoding them), over loopback HTTP.
//!
//! The mask model's speeds (brush, undo, exports, tracing) are in `benches/mask.rs`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mjdesk::gateway::{Protocol, TtapiProtocol};
use mjdesk::job::{Job, JobImage, JobRequest, JobStatus, Provider, SubmitOptions};
use mjdesk::store::Store;

fn parsing(c: &mut Criterion) {
    let body = include_str!("../src/gateway/fixtures/ttapi_fetch_imagine.json");
    c.bench_function("ttapi_parse_fetch", |b| {
        b.iter(|| black_box(TtapiProtocol.parse_fetch("f5850038-90a3-8a97-0476-107ea4b8dac4", 200, body).unwrap()))
    });
}

fn job(i: usize) -> Job {
    let mut j = Job::new(
        Provider::Ttapi,
        "https://api.ttapi.io",
        JobRequest::Imagine { prompt: format!("a red fox number {i} in the snow --ar 3:2 --v 6") },
        SubmitOptions::default(),
    );
    j.gateway_id = Some(format!("gateway-{i}"));
    j.status = JobStatus::Succeeded;
    j.actions = [
        "upsample1",
        "upsample2",
        "upsample3",
        "upsample4",
        "variation1",
        "variation2",
        "variation3",
        "variation4",
        "reroll",
    ]
    .map(String::from)
    .to_vec();
    j.images =
        (0..4).map(|n| JobImage { url: format!("https://cdn.example/{i}_{n}.png"), ..Default::default() }).collect();
    j
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for i in 0..10_000 {
        store.insert_job(&job(i)).unwrap();
    }
    let mut one = job(99_999);
    store.insert_job(&one).unwrap();
    let mut g = c.benchmark_group("store_10k_jobs");
    g.bench_function("newest_100", |b| b.iter(|| black_box(store.jobs_page(0, 100).unwrap())));
    g.bench_function("save_progress", |b| {
        let mut p = 0u8;
        b.iter(|| {
            p = (p + 1) % 100;
            one.status = JobStatus::Running { progress: p };
            store.save_job(&one).unwrap();
        })
    });
    g.finish();
}

fn simulator(c: &mut Criterion) {
    use mjdesk::gateway::{GatewayClient, GatewayConfig};
    use mjdesk::job::JobKind;
    use mjdesk::secret::ApiKey;
    use mjdesk::sim::{SimConfig, SimServer};

    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = SimConfig { grid_size: 1024, ..SimConfig::instant() };
    let server = rt.block_on(SimServer::start(config, ([127, 0, 0, 1], 0).into())).unwrap();
    let client =
        GatewayClient::new(GatewayConfig::new(Provider::Ttapi, server.base_url(), ApiKey::new(server.api_key())))
            .unwrap();
    let mut n = 0u64;
    let mut g = c.benchmark_group("simulator");
    g.sample_size(10);
    g.bench_function("imagine_1024_grid", |b| {
        b.iter(|| {
            n += 1;
            let req = JobRequest::Imagine { prompt: format!("a lighthouse at dusk --seed {n}") };
            rt.block_on(async {
                let sub = client.submit(&req, &SubmitOptions::default()).await.unwrap();
                loop {
                    let snap = client.fetch(&sub.job_id, &JobKind::Imagine).await.unwrap();
                    if snap.state.is_terminal() {
                        return black_box(snap);
                    }
                }
            })
        })
    });
    g.finish();
}

criterion_group!(benches, parsing, store, simulator);
criterion_main!(benches);
