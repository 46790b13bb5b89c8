//! Seeds a data folder with a library of 100,000 finished jobs (three gateways, six aspect
//! ratios, four model versions, three modes, 5% liked, 10% rated, one job a minute), for
//! measuring the real window's start on it. A measurement helper, not a test.
//!
//! `cargo run --release --example library_100k -- DIR`, then start the window on it and read
//! its log: `MJDESK_DATA_DIR=DIR MJDESK_LOG=mjdesk=info mjdesk` logs the first frame and the
//! first page of the list, each in milliseconds after the process started.

use mjdesk::job::{Job, JobImage, JobRequest, JobStatus, Mode, Provider, SubmitOptions};
use mjdesk::store::Store;

const JOBS: usize = 100_000;
const WORDS: [&str; 12] =
    ["fox", "lighthouse", "cabin", "whale", "forest", "desert", "city", "robot", "garden", "storm", "castle", "river"];

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: library_100k DIR");
        std::process::exit(2);
    };
    let store = Store::open(std::path::Path::new(&dir)).expect("the store opens");
    let started = std::time::Instant::now();
    let mut rng = fastrand::Rng::with_seed(100);
    for i in 0..JOBS {
        let job = job(i, &mut rng);
        store.insert_job(&job).expect("a job is written");
        if rng.u32(..100) < 5 {
            store.set_liked(&job.id, true).expect("a like is written");
        }
        if rng.u32(..100) < 10 {
            store.set_rating(&job.id, Some(rng.u8(1..=5))).expect("a rating is written");
        }
    }
    println!("{JOBS} jobs written in {:.1} s", started.elapsed().as_secs_f64());
}

fn job(i: usize, rng: &mut fastrand::Rng) -> Job {
    let ar = [" --ar 16:9", " --ar 3:2", " --ar 2:3", " --ar 9:16", " --ar 21:9", ""][rng.usize(..6)];
    let v = [" --v 6.1", " --v 7", " --niji 6", ""][rng.usize(..4)];
    let prompt = format!("a {} and a {} number {i}{ar}{v}", WORDS[i % 12], WORDS[(i / 12) % 12]);
    let provider = [Provider::Ttapi, Provider::Ttapi, Provider::Acedata, Provider::Vtrix][rng.usize(..4)];
    let mode = [None, Some(Mode::Fast), Some(Mode::Relax), Some(Mode::Turbo)][rng.usize(..4)].clone();
    let options = SubmitOptions { mode, ..Default::default() };
    let mut j = Job::new(provider, provider.default_base_url(), JobRequest::Imagine { prompt }, options);
    j.created_at = 1_700_000_000_000 + i as i64 * 60_000;
    j.gateway_id = Some(format!("gateway-{i}"));
    j.status = JobStatus::Succeeded;
    j.images = (0..4)
        .map(|n| JobImage { url: format!("https://cdn.example/{i}_{n}.png"), local_path: None, error: None })
        .collect();
    j
}
