//! The simulator: a real HTTP server that speaks the TTAPI, AceData and Vtrix protocols (as
//! the gateways document them; `protocol.md` beside this file pins what the documents leave
//! open, for the clients and the simulator alike), so the app, the CLI and the tests run end to end with no account.
//!
//! It renders its own images (procedural art driven by the prompt and seed), honours masks
//! exactly, enforces the in-progress limit and can inject faults from a seeded RNG, so the
//! clients' error handling is exercised on demand and reproducibly. A job's state is computed
//! from its creation instant on each call: no background task runs.
//!
//! Layout: [`state`] (job table, lifecycle, limit, stats), [`cdn`] (the result images),
//! [`faults`] (fault injection and auth), [`reply`] (each gateway's error shapes), the three
//! gateways' routes ([`ttapi`], [`acedata`], [`vtrix`]) over the follow-up rules in [`flows`],
//! and the pixel work: [`style`] and [`render`] (procedural art), [`compose`] (upscale,
//! variation, zoom, pan, blend, retexture), [`describe`], [`masks`], [`inputs`] (decoding
//! untrusted images), [`prompt`] (`--ar`, `--seed`) and [`produce`] (a job's work into PNGs).

mod acedata;
mod cdn;
mod clips;
mod compose;
mod describe;
mod faults;
mod flows;
mod inputs;
mod masks;
mod persist;
mod produce;
mod prompt;
mod render;
mod reply;
mod state;
mod style;
mod time;
mod ttapi;
mod vtrix;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use persist::default_state_dir;
use state::Sim;

/// The one key the simulator accepts unless configured otherwise.
pub const DEFAULT_KEY: &str = "sim-key";

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The one key accepted (default [`DEFAULT_KEY`]).
    pub api_key: String,
    /// Time spent PENDING_QUEUE then ON_QUEUE at 0% (default 1 s).
    pub queue_time: Duration,
    /// Time from 0% to done (default 3 s).
    pub run_time: Duration,
    /// Jobs in progress per gateway before submits are refused (TTAPI 499, AceData/Vtrix 429).
    pub max_in_progress: usize,
    /// `/cdn` links answer 403 after this (default: never).
    pub image_ttl: Option<Duration>,
    /// Long side of a 2x2 grid in pixels (default 1024).
    pub grid_size: u32,
    pub faults: Faults,
    /// Faults are drawn from an RNG seeded with this: the same calls give the same faults.
    pub rng_seed: u64,
    /// Where jobs are kept across restarts (None: in memory only, as in tests).
    pub state_dir: Option<std::path::PathBuf>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_KEY.to_owned(),
            queue_time: Duration::from_secs(1),
            run_time: Duration::from_secs(3),
            max_in_progress: 10,
            image_ttl: None,
            grid_size: 1024,
            faults: Faults::default(),
            rng_seed: 0x5eed_1234,
            state_dir: None,
        }
    }
}

impl SimConfig {
    /// Jobs are done at their first fetch and grids are small: for tests.
    pub fn instant() -> Self {
        Self { queue_time: Duration::ZERO, run_time: Duration::ZERO, grid_size: 256, ..Self::default() }
    }
}

/// Faults injected into gateway calls (submits, fetches, task lookups); never into `/cdn`,
/// `/health` or `/__sim`. Each call draws once: the rates are fractions of calls.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Faults {
    /// Answered 500, nothing processed.
    pub error_rate: f64,
    /// Answered 429 with `Retry-After: retry_after_secs`, nothing processed.
    pub rate_limit_rate: f64,
    pub retry_after_secs: u64,
    /// Processed normally, answered with broken JSON.
    pub malformed_rate: f64,
    /// Processed (a submit does create its job), then the connection is cut mid-answer.
    pub drop_rate: f64,
    /// Delay before every gateway answer.
    pub slow_ms: u64,
    /// A prompt containing one of these (as a word, any case) fails "[Banned prompt detected]".
    pub banned_words: Vec<String>,
}

/// What the simulator has seen; also served at `GET /__sim/stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SimStats {
    /// Submits that created a job.
    pub submits: u64,
    pub submits_by_prompt: BTreeMap<String, u64>,
    /// Jobs not yet finished, all gateways together.
    pub in_progress: usize,
    /// The most jobs ever in progress at once for one gateway.
    pub peak_in_progress: usize,
    /// Gateway calls received, faulted or not.
    pub requests: u64,
}

/// A running simulator. Dropping it (or [`shutdown`](Self::shutdown)) stops the server.
pub struct SimServer {
    sim: Arc<Sim>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Binds `addr` (port 0 = any free port) and serves on the current tokio runtime.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let sim = Arc::new(Sim::new(config, base_url_for(addr)));
        let app = router(sim.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                tracing::warn!("simulator server stopped: {e}");
            }
        });
        Ok(SimServer { sim, addr, stop: Some(stop), task: Some(task) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (an unspecified bind address is reached over loopback).
    pub fn base_url(&self) -> String {
        self.sim.base_url.clone()
    }

    pub fn api_key(&self) -> &str {
        &self.sim.config.api_key
    }

    pub fn stats(&self) -> SimStats {
        self.sim.stats()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.sim.set_faults(faults);
    }

    /// Stops accepting, lets calls in flight finish (at most 5 s), then stops.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves until ctrl-c (for `mjdesk simulate`); prints the address and key.
pub async fn serve_until_ctrl_c(config: SimConfig, addr: SocketAddr) -> std::io::Result<()> {
    let server = SimServer::start(config, addr).await?;
    println!("mjdesk simulator listening on {}", server.base_url());
    println!("key: {}  (TTAPI: header TT-API-KEY; AceData, Vtrix: Authorization: Bearer <key>)", server.api_key());
    println!("press ctrl-c to stop");
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}

fn base_url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => std::net::Ipv4Addr::LOCALHOST.into(),
        ip if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

fn router(sim: Arc<Sim>) -> Router {
    let extras = Router::new()
        .route("/health", get(health).post(health))
        .route("/cdn/{file}", get(cdn))
        .route("/__sim/stats", get(stats))
        .route("/__sim/faults", get(get_faults).post(post_faults))
        .with_state(sim.clone());
    Router::new()
        .merge(ttapi::routes(sim.clone()))
        .merge(acedata::routes(sim.clone()))
        .merge(vtrix::routes(sim))
        .merge(extras)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn cdn(State(sim): State<Arc<Sim>>, Path(file): Path<String>) -> Response {
    let (name, mime) = match (file.strip_suffix(".png"), file.strip_suffix(".mp4")) {
        (Some(name), _) => (name, "image/png"),
        (_, Some(name)) => (name, "video/mp4"),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let mut lookup = sim.cdn.get(name);
    if matches!(lookup, cdn::CdnLookup::Missing)
        && let Some(job) = sim.job_of_image(name)
    {
        // A job from an earlier run: its images are rendered again, the same as before.
        let _ = sim.status(&job).await;
        lookup = sim.cdn.get(name);
    }
    match lookup {
        cdn::CdnLookup::Found(bytes) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        cdn::CdnLookup::Expired => (StatusCode::FORBIDDEN, "expired").into_response(),
        cdn::CdnLookup::Missing => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn stats(State(sim): State<Arc<Sim>>) -> Json<SimStats> {
    Json(sim.stats())
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Json<Faults> {
    Json(sim.faults())
}

async fn post_faults(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            sim.set_faults(faults.clone());
            Json(faults).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, format!("fault settings are not valid JSON: {e}")).into_response(),
    }
}
