//! Typed clients for the gateways that resell Midjourney.
//!
//! One [`GatewayClient`] drives any of them: the shared plumbing (auth header, timeouts,
//! turning HTTP failures into [`GatewayError`]) lives in [`http`], and each gateway's file
//! only says how a [`JobRequest`] becomes its JSON and how its answers become a
//! [`JobSnapshot`] ([`Protocol`]). Building a request is separate from sending it, so
//! `--dry-run` prints exactly what would be sent.

mod account;
mod acedata;
mod clips;
pub(crate) mod http;
mod parse;
mod ttapi;
mod vtrix;

use std::time::Duration;

use serde::Serialize;

pub use account::{Account, TTAPI_INFO, build_account};
pub use acedata::AcedataProtocol;
pub use http::is_loopback_host;
pub use ttapi::TtapiProtocol;
pub use vtrix::{VtrixPaths, VtrixProtocol};

use crate::error::GatewayError;
use crate::job::{JobKind, JobRequest, JobSnapshot, Provider, SubmitOptions, Submitted};
use crate::secret::ApiKey;

/// The most mjdesk reads of an API answer (submit, fetch); larger ones are refused.
pub const MAX_API_BYTES: u64 = 4 * 1024 * 1024;
/// The most mjdesk reads of a result image; larger ones are refused.
pub const MAX_IMAGE_BYTES: u64 = 50 * 1024 * 1024;
/// The most mjdesk reads of a result clip; larger ones are cut off and the job fails.
pub const MAX_VIDEO_BYTES: u64 = 300 * 1024 * 1024;

/// Where and how to reach one gateway.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub provider: Provider,
    /// e.g. `https://api.ttapi.io`, a proxy, or the simulator's `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub key: ApiKey,
    pub connect_timeout: Duration,
    /// For calls that answer at once (submits, fetches).
    pub request_timeout: Duration,
    /// For calls that may block until a job is done (AceData without a callback).
    pub long_timeout: Duration,
    /// An answer (an API body, an image) that sends nothing for this long has stalled and
    /// is given up; an image host must also start answering within it.
    pub read_idle_timeout: Duration,
    /// Vtrix: the submit and polling paths, which its docs do not confirm.
    pub vtrix_paths: VtrixPaths,
    /// AceData: the `callback_url` sent to make submits answer at once (see [`acedata`]).
    pub acedata_callback_url: Option<String>,
}

impl GatewayConfig {
    pub fn new(provider: Provider, base_url: impl Into<String>, key: ApiKey) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Self {
            provider,
            acedata_callback_url: Some(format!("{base_url}/health")),
            base_url,
            key,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            long_timeout: Duration::from_secs(15 * 60),
            read_idle_timeout: Duration::from_secs(20),
            vtrix_paths: VtrixPaths::default(),
        }
    }
}

impl GatewayConfig {
    /// Applies what the environment says about settings the gateways' docs leave open:
    /// `MJDESK_VTRIX_SUBMIT_PATH` and `MJDESK_VTRIX_POLL_PATH` (with `{id}`); and
    /// `MJDESK_READ_IDLE_MS`, how long an answer may send nothing before it counts as stalled.
    pub fn with_env_overrides(mut self) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(ms) = var("MJDESK_READ_IDLE_MS").and_then(|v| v.trim().parse::<u64>().ok()).filter(|ms| *ms > 0) {
            self.read_idle_timeout = Duration::from_millis(ms);
        }
        if let Some(p) = var("MJDESK_VTRIX_SUBMIT_PATH") {
            self.vtrix_paths.submit = p;
        }
        if let Some(p) = var("MJDESK_VTRIX_POLL_PATH") {
            self.vtrix_paths.poll = p;
        }
        self
    }
}

/// HTTP method of a prepared request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    Get,
    Post,
}

/// A request built but not sent: what `--dry-run` prints and what [`GatewayClient`] sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prepared {
    pub method: Method,
    /// Path and query, relative to the base URL (`/midjourney/v1/fetch?jobId=...`).
    pub path: String,
    pub body: Option<serde_json::Value>,
    /// True when the gateway may hold the call open until the job is done.
    #[serde(skip)]
    pub long: bool,
}

impl Prepared {
    pub fn post(path: impl Into<String>, body: serde_json::Value) -> Self {
        Self { method: Method::Post, path: path.into(), body: Some(body), long: false }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self { method: Method::Get, path: path.into(), body: None, long: false }
    }
}

/// What one gateway's wire format looks like. Implementations are pure: no I/O, so each is
/// tested against the documented payloads without a server.
pub trait Protocol: Send + Sync + std::fmt::Debug {
    fn provider(&self) -> Provider;
    /// The auth header's name and value for `key`.
    fn auth_header(&self, key: &ApiKey) -> (&'static str, String);
    fn build_submit(&self, req: &JobRequest, opts: &SubmitOptions) -> Result<Prepared, GatewayError>;
    /// Reads a 2xx submit answer (a gateway-level refusal inside a 2xx becomes `Api`).
    fn parse_submit(&self, status: u16, body: &str) -> Result<Submitted, GatewayError>;
    fn build_fetch(&self, job_id: &str, kind: &JobKind) -> Prepared;
    /// Reads a 2xx fetch answer for `job_id`.
    fn parse_fetch(&self, job_id: &str, status: u16, body: &str) -> Result<JobSnapshot, GatewayError>;
}

/// A request as `--dry-run` shows it: full URL, headers with the key redacted, JSON body.
#[derive(Debug, Clone, Serialize)]
pub struct RequestPreview {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
}

/// A client for one gateway.
#[derive(Debug, Clone)]
pub struct GatewayClient {
    config: GatewayConfig,
    protocol: std::sync::Arc<dyn Protocol>,
    /// API calls: the key per request, redirects only on the same origin.
    http: reqwest::Client,
    /// Result images: never the key, a few redirects.
    images: reqwest::Client,
}

impl GatewayClient {
    pub fn new(config: GatewayConfig) -> Result<Self, GatewayError> {
        let protocol: std::sync::Arc<dyn Protocol> = match config.provider {
            Provider::Ttapi => std::sync::Arc::new(TtapiProtocol),
            Provider::Acedata => {
                std::sync::Arc::new(AcedataProtocol { callback_url: config.acedata_callback_url.clone() })
            }
            Provider::Vtrix => std::sync::Arc::new(VtrixProtocol { paths: config.vtrix_paths.clone() }),
        };
        let http = http::build_client(&config)?;
        let images = http::build_image_client(&config)?;
        Ok(Self { config, protocol, http, images })
    }

    pub fn provider(&self) -> Provider {
        self.config.provider
    }

    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    pub fn protocol(&self) -> &dyn Protocol {
        self.protocol.as_ref()
    }

    /// What [`submit`](Self::submit) would send, with the key shown as `***`.
    pub fn preview_submit(&self, req: &JobRequest, opts: &SubmitOptions) -> Result<RequestPreview, GatewayError> {
        let prepared = self.protocol.build_submit(req, opts)?;
        Ok(self.preview(prepared))
    }

    /// What `prepared` would send, with the key shown as `***`; the body is moved, not copied
    /// (an edit's is megabytes).
    pub fn preview(&self, prepared: Prepared) -> RequestPreview {
        let (name, _) = self.protocol.auth_header(&self.config.key);
        let shown = match name {
            "Authorization" => "Bearer ***".to_owned(),
            _ => "***".to_owned(),
        };
        RequestPreview {
            method: prepared.method,
            url: format!("{}{}", self.config.base_url, prepared.path),
            headers: vec![(name.to_owned(), shown), ("Content-Type".into(), "application/json".into())],
            body: prepared.body,
        }
    }

    /// Submits a job. Never retried here: whether a failed submit may be repeated is the
    /// caller's decision ([`GatewayError::submit_not_received`]).
    pub async fn submit(&self, req: &JobRequest, opts: &SubmitOptions) -> Result<Submitted, GatewayError> {
        let prepared = self.protocol.build_submit(req, opts)?;
        let (status, body) = self.send(&prepared).await?;
        let mut submitted = self.protocol.parse_submit(status, &body)?;
        if let Some(snap) = &mut submitted.snapshot {
            parse::settle_snapshot(snap, &JobKind::of_request(req), &body);
        }
        Ok(submitted)
    }

    /// Reads a job's state once. Safe to repeat.
    ///
    /// A success that carries no image for a kind of job that makes images (the gateway's
    /// `SUCCESS` with `data` missing or `images` empty) is not a result: it comes back as
    /// still running ([`RemoteState::Other`](crate::job::RemoteState::Other)), its status
    /// saying what the gateway sent, so the job is asked again until images arrive or its
    /// deadline passes. Text fields are kept to a few kB each.
    pub async fn fetch(&self, job_id: &str, kind: &JobKind) -> Result<JobSnapshot, GatewayError> {
        let prepared = self.protocol.build_fetch(job_id, kind);
        let (status, body) = self.send(&prepared).await?;
        let mut snap = self.protocol.parse_fetch(job_id, status, &body)?;
        parse::settle_snapshot(&mut snap, kind, &body);
        Ok(snap)
    }

    /// Downloads a result image, at most [`MAX_IMAGE_BYTES`]. No auth header ever (image
    /// hosts are often third parties), following up to three redirects but never from https
    /// to http. Errors name the image's host.
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, GatewayError> {
        http::download(&self.images, url, &self.config, false).await
    }

    /// Downloads a result clip as [`download`](Self::download) does an image, at most
    /// [`MAX_VIDEO_BYTES`].
    pub async fn download_video(&self, url: &str) -> Result<Vec<u8>, GatewayError> {
        http::download(&self.images, url, &self.config, true).await
    }

    /// Sends a prepared request; a non-2xx answer becomes [`GatewayError::Api`].
    pub async fn send(&self, prepared: &Prepared) -> Result<(u16, String), GatewayError> {
        http::send(&self.http, &self.config, self.protocol.as_ref(), prepared).await
    }
}
