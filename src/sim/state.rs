//! The simulator's memory: the job table, each job's lifecycle, the in-progress limit and the
//! counters behind `/__sim/stats` (result images live in [`super::cdn`]).
//!
//! A job's stage is computed from its creation instant whenever someone asks, so nothing runs
//! in the background. Its images are rendered once, the first time it is seen done, on the
//! blocking pool, and kept as PNG bytes in the image store.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::sync::OnceCell;

use super::cdn::{Cdn, ImgRef};
use super::persist;
use super::produce::{self, Work};
use super::reply::Gw;
use super::{Faults, SimConfig, SimStats};

/// How a job's results are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A 2x2 grid whose quadrants are the four images.
    Grid,
    /// One image.
    Single,
    /// Four full-size images (edits, inpaint), with a grid tiling them.
    Set,
    /// No image: describe, seed.
    Text,
    /// Clips (animate, extend).
    Video,
}

/// What a finished job produced.
#[derive(Debug, Clone)]
pub(super) struct Output {
    pub shape: Shape,
    pub grid: Option<ImgRef>,
    pub images: Vec<ImgRef>,
    pub prompts: Vec<String>,
    /// The seed a seed job reports.
    pub seed: Option<u64>,
    /// When the quadrants are pure scenes of (prompt, seed): upscales re-render them sharp.
    pub scene: Option<(String, u64)>,
    /// Singles that can still be upscaled (not already an upscale of an upscale).
    pub upscalable: bool,
    /// A video job's clips (`/cdn/<name>.mp4`) and what made them (an extend renders it longer).
    pub clips: Vec<ImgRef>,
    pub video: Option<Arc<super::clips::ClipSpec>>,
}

impl Output {
    /// The image clients show first: the grid, else the single image.
    pub fn main_image(&self) -> Option<&ImgRef> {
        self.grid.as_ref().or(self.images.first())
    }
}

/// A job as the simulator keeps it.
pub(super) struct SimJob {
    pub id: String,
    pub gw: Gw,
    /// What the job was ("imagine", "upsample1", "blend", a Vtrix model ...).
    pub label: String,
    pub prompt: String,
    pub mode: String,
    pub hook: String,
    /// The submitted body (AceData echoes it in task lookups).
    pub request: serde_json::Value,
    pub seed: Option<u64>,
    /// AceData: the id follow-ups name.
    pub image_id: String,
    /// When it was submitted (wall clock: the job may be read back by another process).
    pub submitted: SystemTime,
    failure: Option<String>,
    work: Mutex<Option<Work>>,
    output: OnceCell<Result<Arc<Output>, String>>,
}

/// What a gateway handler asks to create.
pub(super) struct NewJob {
    pub gw: Gw,
    pub label: String,
    /// The prompt the job works from (a follow-up inherits its parent's).
    pub prompt: String,
    /// True when the submit itself carried `prompt` (only those count in `submits_by_prompt`).
    pub prompt_sent: bool,
    pub mode: String,
    pub hook: String,
    pub request: serde_json::Value,
    pub seed: Option<u64>,
    /// Decided at submit (an unusable link ...): the job fails with this reason.
    pub failure: Option<String>,
    pub work: Option<Work>,
}

/// Where a job stands by the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    Pending,
    Queued,
    Running(u8),
    Done,
}

/// Where a job stands, with its results once done.
pub(super) enum Status {
    Pending,
    Queued,
    Running(u8),
    Succeeded(Arc<Output>),
    Failed(String),
}

/// The in-progress limit refused a submit.
#[derive(Debug)]
pub(super) struct Busy {
    pub limit: usize,
}

#[derive(Default)]
struct Table {
    jobs: HashMap<String, Arc<SimJob>>,
    image_ids: HashMap<String, String>,
    /// Jobs that may still be in progress (pruned on each submit).
    active: Vec<Arc<SimJob>>,
    submits: u64,
    by_prompt: BTreeMap<String, u64>,
    peak: usize,
    derived: u64,
}

pub(super) struct Sim {
    pub config: SimConfig,
    pub base_url: String,
    pub cdn: Cdn,
    faults: Mutex<Faults>,
    fault_rng: Mutex<fastrand::Rng>,
    table: Mutex<Table>,
    requests: AtomicU64,
    /// The job table on disk, when the simulator keeps its jobs across restarts.
    disk: Option<persist::Disk>,
}

/// A poisoned lock only means another call panicked; the table is still consistent enough
/// for a simulator, so keep serving.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SimJob {
    pub fn stage(&self, config: &SimConfig, now: SystemTime) -> Stage {
        let t = now.duration_since(self.submitted).unwrap_or(Duration::ZERO);
        let (q, r) = (config.queue_time, config.run_time);
        let end = if self.failure.is_some() { q } else { q + r };
        if t >= end {
            Stage::Done
        } else if t < q / 2 {
            Stage::Pending
        } else if t < q {
            Stage::Queued
        } else {
            let done = (t - q).as_secs_f64() / r.as_secs_f64().max(1e-9);
            Stage::Running((done * 100.0).clamp(1.0, 99.0) as u8)
        }
    }

    /// When the job is (or will be) done.
    pub fn finish_time(&self, config: &SimConfig) -> SystemTime {
        let end = if self.failure.is_some() { config.queue_time } else { config.queue_time + config.run_time };
        self.submitted + end
    }

    /// The job as it is kept on disk.
    fn record(&self, work: Option<&Work>) -> persist::Record {
        persist::Record {
            id: self.id.clone(),
            gw: self.gw,
            label: self.label.clone(),
            prompt: self.prompt.clone(),
            mode: self.mode.clone(),
            hook: self.hook.clone(),
            request: self.request.clone(),
            seed: self.seed,
            image_id: self.image_id.clone(),
            created: self.submitted,
            failure: self.failure.clone(),
            work: work.map(persist::StoredWork::of),
        }
    }

    /// A job read back from disk; its results are rendered again when first asked for.
    fn from_record(r: persist::Record) -> Self {
        let (work, failure) = match r.work.map(persist::StoredWork::work) {
            Some(Ok(w)) => (Some(w), r.failure),
            Some(Err(e)) => (None, r.failure.or(Some(format!("[Internal error] {e}")))),
            None => (None, r.failure),
        };
        SimJob {
            id: r.id,
            gw: r.gw,
            label: r.label,
            prompt: r.prompt,
            mode: r.mode,
            hook: r.hook,
            request: r.request,
            seed: r.seed,
            image_id: r.image_id,
            submitted: r.created,
            failure,
            work: Mutex::new(work),
            output: OnceCell::new(),
        }
    }
}

impl Sim {
    pub fn new(config: SimConfig, base_url: String) -> Self {
        let disk = config.state_dir.as_deref().and_then(|dir| match persist::Disk::open(dir) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!("the simulator keeps its jobs in memory only: {e}");
                None
            }
        });
        Self {
            disk,
            faults: Mutex::new(config.faults.clone()),
            fault_rng: Mutex::new(fastrand::Rng::with_seed(config.rng_seed)),
            cdn: Cdn::new(base_url.clone(), config.image_ttl),
            config,
            base_url,
            table: Mutex::new(Table::default()),
            requests: AtomicU64::new(0),
        }
    }

    pub fn faults(&self) -> Faults {
        lock(&self.faults).clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = faults;
    }

    /// One uniform draw in [0, 1) from the seeded fault RNG.
    pub fn draw(&self) -> f64 {
        lock(&self.fault_rng).f64()
    }

    /// The quota `gw`'s jobs use, priced by their mode through `cost`: (spent by jobs that
    /// ended well, held by jobs still in progress). Failed jobs cost nothing. With a job table
    /// on disk, every job it keeps counts (those earlier processes made too).
    pub fn quota_use(&self, gw: Gw, cost: impl Fn(&str) -> f64) -> (f64, f64) {
        let now = SystemTime::now();
        let charged: Vec<(String, SystemTime)> = match &self.disk {
            Some(disk) => disk.charged(gw),
            None => {
                let t = lock(&self.table);
                t.jobs
                    .values()
                    .filter(|j| j.gw == gw && j.failure.is_none())
                    .map(|j| (j.mode.clone(), j.submitted))
                    .collect()
            }
        };
        let run = self.config.queue_time + self.config.run_time;
        let (mut spent, mut held) = (0.0, 0.0);
        for (mode, submitted) in charged {
            match now.duration_since(submitted) {
                Ok(t) if t >= run => spent += cost(&mode),
                _ => held += cost(&mode),
            }
        }
        (spent, held)
    }

    pub fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn stats(&self) -> SimStats {
        let now = SystemTime::now();
        let t = lock(&self.table);
        let in_progress = t.active.iter().filter(|j| j.stage(&self.config, now) != Stage::Done).count();
        SimStats {
            submits: t.submits,
            submits_by_prompt: t.by_prompt.clone(),
            in_progress,
            peak_in_progress: t.peak,
            requests: self.requests.load(Ordering::Relaxed),
        }
    }

    /// Creates a job, unless `gw` already has the limit in progress.
    pub fn submit(&self, new: NewJob) -> Result<Arc<SimJob>, Busy> {
        let now = SystemTime::now();
        let banned = banned_word(&new.prompt, &lock(&self.faults).banned_words);
        let mut t = lock(&self.table);
        t.active.retain(|j| j.stage(&self.config, now) != Stage::Done);
        let running = t.active.iter().filter(|j| j.gw == new.gw).count();
        if running >= self.config.max_in_progress {
            return Err(Busy { limit: self.config.max_in_progress });
        }
        let counted = new.prompt_sent.then(|| new.prompt.clone());
        let failure = new.failure.or(banned.then(|| "[Banned prompt detected]".to_owned()));
        let image_id = loop {
            let id = fastrand::u64(1_000_000_000_000_000_000..9_000_000_000_000_000_000).to_string();
            if !t.image_ids.contains_key(&id) {
                break id;
            }
        };
        let job = Arc::new(SimJob {
            id: uuid::Uuid::new_v4().to_string(),
            gw: new.gw,
            label: new.label,
            prompt: new.prompt,
            mode: new.mode,
            hook: new.hook,
            request: new.request,
            seed: new.seed,
            image_id,
            submitted: now,
            failure,
            work: Mutex::new(None),
            output: OnceCell::new(),
        });
        if let Some(disk) = &self.disk
            && let Err(e) = disk.save(&job.record(new.work.as_ref()))
        {
            tracing::warn!(job = %job.id, "the simulator could not keep this job on disk: {e}");
        }
        *lock(&job.work) = new.work;
        t.image_ids.insert(job.image_id.clone(), job.id.clone());
        t.jobs.insert(job.id.clone(), job.clone());
        t.active.push(job.clone());
        t.submits += 1;
        if let Some(p) = counted {
            *t.by_prompt.entry(p).or_default() += 1;
        }
        t.peak = t.peak.max(running + 1);
        Ok(job)
    }

    /// The job `id` of gateway `gw` (each gateway has its own namespace): from memory, else
    /// from disk (a job an earlier or another process made).
    pub fn job(&self, gw: Gw, id: &str) -> Option<Arc<SimJob>> {
        let id = id.trim();
        let known = lock(&self.table).jobs.get(id).cloned();
        known.or_else(|| self.remember(self.disk.as_ref()?.load(id)?)).filter(|j| j.gw == gw)
    }

    /// The AceData job whose result carries `image_id`.
    pub fn job_by_image_id(&self, image_id: &str) -> Option<Arc<SimJob>> {
        let image_id = image_id.trim();
        let known = {
            let t = lock(&self.table);
            t.image_ids.get(image_id).and_then(|id| t.jobs.get(id)).cloned()
        };
        known.or_else(|| self.remember(self.disk.as_ref()?.load_by_image_id(image_id)?)).filter(|j| j.gw == Gw::Acedata)
    }

    /// The job named by one of its result images (`<job id>-<suffix>`).
    pub fn job_of_image(&self, name: &str) -> Option<Arc<SimJob>> {
        let (id, _) = name.rsplit_once('-')?;
        let known = lock(&self.table).jobs.get(id).cloned();
        known.or_else(|| self.remember(self.disk.as_ref()?.load(id)?))
    }

    /// Keeps a job read back from disk in memory (another caller may have raced us to it).
    fn remember(&self, record: persist::Record) -> Option<Arc<SimJob>> {
        let job = Arc::new(SimJob::from_record(record));
        let mut t = lock(&self.table);
        t.image_ids.entry(job.image_id.clone()).or_insert_with(|| job.id.clone());
        Some(t.jobs.entry(job.id.clone()).or_insert(job).clone())
    }

    /// A fresh seed for a follow-up of `seed`: reproducible for the same sequence of calls.
    pub fn derive_seed(&self, seed: u64, salt: &str) -> u64 {
        let n = {
            let mut t = lock(&self.table);
            t.derived += 1;
            t.derived
        };
        let mixed = super::style::mix64(seed ^ super::style::fnv(salt.as_bytes()), n);
        mixed % 4_294_967_296
    }

    /// Where the job stands now; renders its results the first time it is seen done.
    pub async fn status(self: &Arc<Self>, job: &Arc<SimJob>) -> Status {
        match job.stage(&self.config, SystemTime::now()) {
            Stage::Pending => Status::Pending,
            Stage::Queued => Status::Queued,
            Stage::Running(p) => Status::Running(p),
            Stage::Done => {
                if let Some(reason) = &job.failure {
                    return Status::Failed(reason.clone());
                }
                match self.output(job).await {
                    Ok(out) => Status::Succeeded(out),
                    Err(reason) => Status::Failed(reason),
                }
            }
        }
    }

    /// Waits until the job is done, then says how it ended.
    pub async fn finish(self: &Arc<Self>, job: &Arc<SimJob>) -> Status {
        let left = job.finish_time(&self.config).duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
        tokio::time::sleep(left).await;
        self.status(job).await
    }

    /// The job's results, rendered once. The render runs in a task of its own, so a caller
    /// that gives up half way (a client timing out) cannot leave the job without its results.
    async fn output(self: &Arc<Self>, job: &Arc<SimJob>) -> Result<Arc<Output>, String> {
        if let Some(done) = job.output.get() {
            return done.clone();
        }
        let (sim, job) = (self.clone(), job.clone());
        let render = tokio::spawn(async move {
            let init = || async {
                let work = lock(&job.work).take().ok_or_else(|| "[Internal error] nothing to render".to_owned())?;
                let grid_size = sim.config.grid_size;
                let rendered = tokio::task::spawn_blocking(move || produce::run(work, grid_size))
                    .await
                    .map_err(|_| "[Internal error] rendering failed".to_owned())??;
                Ok(Arc::new(sim.store(&job.id, rendered)))
            };
            job.output.get_or_init(init).await.clone()
        });
        render.await.unwrap_or_else(|_| Err("[Internal error] rendering failed".to_owned()))
    }

    fn store(&self, job_id: &str, r: produce::Encoded) -> Output {
        let keep = |(suffix, png, width, height): (String, Vec<u8>, u32, u32)| {
            let name = format!("{job_id}-{suffix}");
            self.cdn.put(name.clone(), png);
            ImgRef { name, width, height }
        };
        let grid = r.grid.map(keep);
        let images = r.images.into_iter().map(keep).collect();
        let clips = r.clips.into_iter().map(keep).collect();
        Output {
            shape: r.shape,
            grid,
            images,
            prompts: r.prompts,
            seed: r.seed,
            scene: r.scene,
            upscalable: r.upscalable,
            clips,
            video: r.video.map(Arc::new),
        }
    }
}

/// True when `prompt` holds one of `banned` as a whole word (or phrase), ignoring case.
fn banned_word(prompt: &str, banned: &[String]) -> bool {
    let text = prompt.to_lowercase();
    banned.iter().map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()).any(|w| {
        text.match_indices(&w).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + w.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banned_words_match_whole_words_in_any_case() {
        let banned = vec!["gore".to_owned(), "blood bath".to_owned()];
        assert!(banned_word("A GORE scene", &banned));
        assert!(banned_word("gore, at dawn", &banned));
        assert!(banned_word("a Blood Bath", &banned));
        assert!(!banned_word("a gorge at dawn", &banned));
        assert!(!banned_word("anything", &[String::new()]));
    }
}
