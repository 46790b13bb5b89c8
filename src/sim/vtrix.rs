//! Vtrix's routes: `POST /model/v1/generation` (model-tagged requests) and
//! `GET /model/v1/generation/{id}`, Bearer auth, and its numbered error codes.

// Handlers answer `Result<Response, Response>` (axum turns either side into the answer);
// boxing every refusal would only add noise to a path that runs once per call.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::cdn::ImgRef;
use super::flows;
use super::inputs::{self, INVALID_LINK};
use super::masks;
use super::produce::Work;
use super::prompt;
use super::reply::{BODY_LIMIT, Gw, int, json as reply, text, vt_fail};
use super::state::{NewJob, Output, Sim, Status};
use crate::mask::Mask;

type Body = Result<Bytes, BytesRejection>;
type Answer = Result<Response, Response>;

// The doc's error codes (written 004007001 there).
const TASK_ID_MISSING: i64 = 4_007_001;
const IMAGE_NO_MISSING: i64 = 4_007_002;
const IMAGE_NO_INVALID: i64 = 4_007_003;
const PROMPT_MISSING: i64 = 4_007_004;
const PROMPT_LENGTH: i64 = 4_007_005;
const CANVAS_MISSING: i64 = 4_007_006;
const IMG_POS_MISSING: i64 = 4_007_007;
const CALLBACK_INVALID: i64 = 4_007_008;
const GENERATION_FAILED: i64 = 4_007_098;
/// Not in the doc: any other bad parameter (unknown model, bad mask, bad mode).
const INVALID_PARAMETER: i64 = 4_007_000;

pub(super) fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/model/v1/generation", post(submit))
        .route("/model/v1/generation/{id}", get(poll))
        .layer(from_fn_with_state((sim.clone(), Gw::Vtrix), super::faults::guard))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(sim)
}

fn bad(code: i64, message: impl AsRef<str>) -> Response {
    vt_fail(StatusCode::BAD_REQUEST, code, message.as_ref())
}

/// `remixPrompt` (or `prompt`): present and 1-8192 characters.
fn prompt_of<'a>(b: &'a Value, field: &str) -> Result<&'a str, Response> {
    let raw = b.get(field).and_then(Value::as_str).ok_or_else(|| bad(PROMPT_MISSING, "Prompt missing"))?;
    match raw.chars().count() {
        1..=8192 if !raw.trim().is_empty() => Ok(raw.trim()),
        _ => Err(bad(PROMPT_LENGTH, "Invalid prompt length: must be 1-8192 characters")),
    }
}

/// The finished parent (`jobId`) and its image `imageNo`.
async fn source(sim: &Arc<Sim>, b: &Value) -> Result<(Arc<super::state::SimJob>, Arc<Output>, ImgRef), Response> {
    let id = text(b, "jobId").ok_or_else(|| bad(TASK_ID_MISSING, "Task ID missing"))?;
    let no = int(b, "imageNo")
        .ok_or_else(|| bad(IMAGE_NO_MISSING, "Image number missing"))?
        .map_err(|_| bad(IMAGE_NO_INVALID, "Invalid image number"))?;
    if !(0..=3).contains(&no) {
        return Err(bad(IMAGE_NO_INVALID, "Invalid image number"));
    }
    let job = sim.job(Gw::Vtrix, id).ok_or_else(|| bad(TASK_ID_MISSING, format!("Task {id} not found")))?;
    let out = flows::finished(sim, &job).await.map_err(|e| bad(TASK_ID_MISSING, e))?;
    let img = out.images.get(no as usize).cloned().ok_or_else(|| bad(IMAGE_NO_INVALID, "Invalid image number"))?;
    Ok((job, out, img))
}

/// A mask given as `{areas: [...]}` or `{url}`; `Ok(None)` for a link the simulator cannot read.
async fn mask_of(sim: &Sim, m: &Value, img: &ImgRef) -> Result<Option<Mask>, Response> {
    let invalid = |e: String| bad(INVALID_PARAMETER, format!("Invalid mask: {e}"));
    let (w, h) = (img.width, img.height);
    if let Some(areas) = m.get("areas").cloned() {
        let raster = move || masks::from_areas(&areas, w, h).and_then(|m| masks::not_empty(&m).map(|()| m));
        return inputs::off_runtime(raster).await.and_then(|r| r).map(Some).map_err(invalid);
    }
    let url = text(m, "url").ok_or_else(|| invalid("give areas (polygons) or url".into()))?;
    let Some(decoded) = inputs::load(sim, url).await.map_err(invalid)? else { return Ok(None) };
    let read = move || {
        let mask = masks::from_bw(&decoded);
        masks::check(&mask, w, h).map(|()| mask)
    };
    inputs::off_runtime(read).await.and_then(|r| r).map(Some).map_err(invalid)
}

/// A positive size field of `obj`, at most the largest side the simulator renders.
fn side(obj: &Value, field: &str, code: i64, what: &str) -> Result<u32, Response> {
    match int(obj, field) {
        Some(Ok(v)) if (1..=i64::from(super::compose::MAX_SIDE)).contains(&v) => Ok(v as u32),
        _ => Err(bad(code, format!("Invalid {what}: {field} must be 1-{}", super::compose::MAX_SIDE))),
    }
}

async fn submit(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Vtrix.body(body)?;
    if let Some(cb) = b.get("callback").filter(|v| !v.is_null()) {
        let ok =
            cb.as_str().and_then(|s| url::Url::parse(s).ok()).is_some_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            return Err(bad(CALLBACK_INVALID, "Invalid callback URL"));
        }
    }
    let model = text(&b, "model").ok_or_else(|| bad(INVALID_PARAMETER, "model is required"))?.to_owned();
    let mut job = NewJob {
        gw: Gw::Vtrix,
        label: model.clone(),
        prompt: String::new(),
        prompt_sent: true,
        mode: "fast".into(),
        hook: text(&b, "callback").unwrap_or_default().to_owned(),
        request: Value::Null,
        seed: None,
        failure: None,
        work: None,
    };
    let derive = |seed: Option<u64>| sim.derive_seed(seed.unwrap_or(0), &model);
    match model.as_str() {
        "midjourney_imagine" => {
            let p = prompt_of(&b, "prompt")?;
            let seed = prompt::seed(p);
            job.work = Some(Work::Scenes { prompt: p.to_owned(), seed, aspect: prompt::aspect(p) });
            (job.prompt, job.seed) = (p.to_owned(), Some(seed));
        }
        "midjourney_edit" => {
            let (parent, _, img) = source(&sim, &b).await?;
            let canvas = b
                .get("canvas")
                .filter(|v| v.is_object())
                .ok_or_else(|| bad(CANVAS_MISSING, "Canvas parameters missing"))?;
            let pos = b
                .get("imgPos")
                .filter(|v| v.is_object())
                .ok_or_else(|| bad(IMG_POS_MISSING, "Image position parameters missing"))?;
            let (cw, ch) =
                (side(canvas, "width", CANVAS_MISSING, "canvas")?, side(canvas, "height", CANVAS_MISSING, "canvas")?);
            let (pw, ph) =
                (side(pos, "width", IMG_POS_MISSING, "imgPos")?, side(pos, "height", IMG_POS_MISSING, "imgPos")?);
            let offset = |f: &str| match int(pos, f) {
                Some(Ok(v)) if v.abs() <= 16_384 => Ok(v),
                _ => Err(bad(IMG_POS_MISSING, format!("Invalid imgPos: {f} must be an integer"))),
            };
            let (x, y) = (offset("x")?, offset("y")?);
            let p = prompt_of(&b, "remixPrompt")?;
            let mask = match b.get("mask").filter(|m| !m.is_null()) {
                Some(m) => match mask_of(&sim, m, &img).await? {
                    Some(mask) => Some(mask),
                    None => return accept(&sim, NewJob { failure: Some(INVALID_LINK.into()), ..job }),
                },
                None => None,
            };
            let seed = derive(parent.seed);
            let base = super::produce::Pic::Png(sim.cdn.png(&img).map_err(|e| bad(INVALID_PARAMETER, e))?);
            job.work =
                Some(Work::Canvas { base, canvas: (cw, ch), place: (x, y, pw, ph), mask, prompt: p.to_owned(), seed });
            (job.prompt, job.seed) = (p.to_owned(), Some(seed));
        }
        "midjourney_inpaint" => {
            let (parent, _, img) = source(&sim, &b).await?;
            let m = b.get("mask").filter(|m| m.is_object()).ok_or_else(|| bad(INVALID_PARAMETER, "Mask missing"))?;
            job.prompt_sent = b.get("remixPrompt").is_some_and(|v| !v.is_null());
            let p = if job.prompt_sent { prompt_of(&b, "remixPrompt")?.to_owned() } else { parent.prompt.clone() };
            let Some(mask) = mask_of(&sim, m, &img).await? else {
                return accept(&sim, NewJob { failure: Some(INVALID_LINK.into()), prompt: p, ..job });
            };
            masks::fits(&mask, img.width, img.height)
                .map_err(|e| bad(INVALID_PARAMETER, format!("Invalid mask: {e}")))?;
            let seed = derive(parent.seed);
            let base = super::produce::Pic::Png(sim.cdn.png(&img).map_err(|e| bad(INVALID_PARAMETER, e))?);
            job.work = Some(Work::Masked { base, mask, prompt: p.clone(), seed });
            (job.prompt, job.seed) = (p, Some(seed));
        }
        "midjourney_remix" => {
            let (parent, _, img) = source(&sim, &b).await?;
            let strong = match int(&b, "mode") {
                None | Some(Ok(0)) => true,
                Some(Ok(1)) => false,
                _ => return Err(bad(INVALID_PARAMETER, "Invalid mode: 0 (strong) or 1 (subtle)")),
            };
            let p = prompt_of(&b, "remixPrompt")?;
            let seed = derive(parent.seed);
            let base = super::produce::Pic::Png(sim.cdn.png(&img).map_err(|e| bad(INVALID_PARAMETER, e))?);
            job.work = Some(Work::Remix { base, prompt: p.to_owned(), seed, strong });
            (job.prompt, job.seed) = (p.to_owned(), Some(seed));
        }
        other => return Err(bad(INVALID_PARAMETER, format!("Unknown model '{other}'"))),
    }
    accept(&sim, job)
}

fn accept(sim: &Sim, job: NewJob) -> Answer {
    let job = sim.submit(job).map_err(|busy| Gw::Vtrix.busy(busy.limit))?;
    Ok(reply(StatusCode::OK, json!({"id": job.id, "status": "pending"})))
}

async fn poll(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Answer {
    let job = sim.job(Gw::Vtrix, &id).ok_or_else(|| vt_fail(StatusCode::NOT_FOUND, 404, "task not found"))?;
    let mut v = json!({"id": job.id, "model": job.label, "metadata": {}});
    match sim.status(&job).await {
        Status::Pending | Status::Queued => (v["status"], v["progress"]) = (json!("pending"), json!(0)),
        Status::Running(p) => (v["status"], v["progress"]) = (json!("processing"), json!(p)),
        Status::Succeeded(out) => {
            let content: Vec<Value> =
                out.images.iter().map(|i| json!({"type": "image", "url": sim.cdn.url(i)})).collect();
            v["status"] = json!("completed");
            v["progress"] = json!(100);
            v["output"] = json!([{"content": content}]);
            v["usage"] = json!({"cost": "0.05", "discount": 0});
        }
        Status::Failed(reason) => {
            v["status"] = json!("failed");
            v["progress"] = json!(0);
            v["error"] = json!({"code": GENERATION_FAILED, "error_message": reason});
        }
    }
    Ok(reply(StatusCode::OK, v))
}
