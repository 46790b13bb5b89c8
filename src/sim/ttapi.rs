//! TTAPI's routes: `/midjourney/v1/*` and `/midjourney/image-edits/*`, with its envelope
//! `{status, message, data}`, `TT-API-KEY` auth, 499 when the queue is full, and fetch
//! answers shaped like its hook payloads.

// Handlers answer `Result<Response, Response>` (axum turns either side into the answer);
// boxing every refusal would only add noise to a path that runs once per call.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::clips;
use super::flows::{self, FollowUp};
use super::inputs::{self, INVALID_LINK};
use super::masks;
use super::produce::{Pic, Work};
use super::prompt;
use super::reply::{BODY_LIMIT, Gw, json as reply, text, tt_fail, tt_invalid};
use super::state::{NewJob, Shape, Sim, SimJob, Status};
use super::time::rfc3339;
use crate::job::Dimensions;

type Body = Result<Bytes, BytesRejection>;
type Answer = Result<Response, Response>;

pub(super) fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/midjourney/v1/imagine", post(imagine))
        .route("/midjourney/v1/action", post(action))
        .route("/midjourney/v1/seed", post(seed))
        .route("/midjourney/v1/blend", post(blend))
        .route("/midjourney/v1/describe", post(describe))
        .route("/midjourney/v1/inpaint", post(inpaint))
        .route("/midjourney/v1/fetch", post(fetch_post).get(fetch_get))
        .route("/midjourney/image-edits/submit", post(edit))
        .route("/midjourney/image-edits/fetch", post(fetch_post).get(fetch_get))
        .route(crate::gateway::TTAPI_INFO, get(info))
        .route("/midjourney/video/submit", post(video_submit))
        .route("/midjourney/video/extend", post(video_extend))
        .layer(from_fn_with_state((sim.clone(), Gw::Ttapi), super::faults::guard))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(sim)
}

fn bad(detail: impl AsRef<str>) -> Response {
    tt_invalid(detail.as_ref())
}

/// `mode`: fast (default), relax or turbo.
fn mode(b: &Value) -> Result<String, Response> {
    match text(b, "mode").or_else(|| text(b, "model")).map(str::to_ascii_lowercase) {
        None => Ok("fast".into()),
        Some(m) if ["fast", "relax", "turbo"].contains(&m.as_str()) => Ok(m),
        Some(m) => Err(bad(format!("mode '{m}' is not one of fast, relax, turbo"))),
    }
}

fn checked_prompt(p: &str) -> Result<&str, Response> {
    if p.chars().count() > 8192 { Err(bad("prompt is longer than 8192 characters")) } else { Ok(p) }
}

/// A job from this request's common fields.
fn new_job(b: &Value, label: &str, prompt: &str, prompt_sent: bool, seed: Option<u64>) -> Result<NewJob, Response> {
    Ok(NewJob {
        gw: Gw::Ttapi,
        label: label.to_owned(),
        prompt: prompt.to_owned(),
        prompt_sent,
        mode: mode(b)?,
        hook: text(b, "hookUrl").unwrap_or_default().to_owned(),
        request: Value::Null,
        seed,
        failure: None,
        work: None,
    })
}

fn accept(sim: &Sim, job: NewJob) -> Answer {
    match sim.submit(job) {
        Ok(job) => Ok(reply(StatusCode::OK, json!({"status": "SUCCESS", "message": "", "data": {"jobId": job.id}}))),
        Err(busy) => Err(Gw::Ttapi.busy(busy.limit)),
    }
}

async fn imagine(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let p = checked_prompt(text(&b, "prompt").ok_or_else(|| bad("prompt is required"))?)?;
    let seed = prompt::seed(p);
    let work = Work::Scenes { prompt: p.to_owned(), seed, aspect: prompt::aspect(p) };
    accept(&sim, NewJob { work: Some(work), ..new_job(&b, "imagine", p, true, Some(seed))? })
}

/// The finished parent named by `jobId`.
async fn parent(sim: &Arc<Sim>, b: &Value) -> Result<(Arc<SimJob>, Arc<super::state::Output>), Response> {
    let id = text(b, "jobId").or_else(|| text(b, "job_id")).ok_or_else(|| bad("jobId is required"))?;
    let job = sim.job(Gw::Ttapi, id).ok_or_else(|| bad(format!("job {id} not found")))?;
    let out = flows::finished(sim, &job).await.map_err(bad)?;
    Ok((job, out))
}

fn follow(sim: &Sim, b: &Value, label: &str, parent: &SimJob, fu: FollowUp, prompt: Option<&str>) -> Answer {
    let p = prompt.unwrap_or(&parent.prompt);
    accept(sim, NewJob { work: Some(fu.work), ..new_job(b, label, p, prompt.is_some(), Some(fu.seed))? })
}

async fn action(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let act = text(&b, "action").ok_or_else(|| bad("action is required"))?.to_owned();
    let (job, out) = parent(&sim, &b).await?;
    let fu = flows::follow_up(&sim, Gw::Ttapi, &job, &out, &act).map_err(bad)?;
    follow(&sim, &b, &act, &job, fu, None)
}

async fn seed(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let (job, _) = parent(&sim, &b).await?;
    let s = job.seed.ok_or_else(|| bad(format!("job {} has no seed", job.id)))?;
    follow(&sim, &b, "seed", &job, FollowUp { work: Work::Seed { seed: s }, seed: s }, None)
}

async fn inpaint(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let mask_text = text(&b, "mask").ok_or_else(|| bad("mask is required (base64 PNG, white = repaint)"))?;
    let prompt = text(&b, "prompt").map(checked_prompt).transpose()?;
    let (job, out) = parent(&sim, &b).await?;
    let mask = flows::bw_mask(mask_text).await.map_err(bad)?;
    let fu = flows::region(&sim, &job, &out, mask, prompt).map_err(bad)?;
    follow(&sim, &b, "inpaint", &job, fu, prompt)
}

async fn blend(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let list = b.get("imgBase64Array").and_then(Value::as_array).ok_or_else(|| bad("imgBase64Array is required"))?;
    if !(2..=5).contains(&list.len()) {
        return Err(bad(format!("imgBase64Array must hold 2 to 5 images, got {}", list.len())));
    }
    let dims = match text(&b, "dimensions") {
        None => Dimensions::Square,
        Some(d) => Dimensions::parse(d).ok_or_else(|| bad("dimensions must be PORTRAIT, SQUARE or LANDSCAPE"))?,
    };
    let mut texts = Vec::new();
    for (i, item) in list.iter().enumerate() {
        texts.push(item.as_str().ok_or_else(|| bad(format!("imgBase64Array[{i}] must be a base64 string")))?);
    }
    let mut images = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        images.push(inputs::load_inline(t).await.map_err(|e| bad(format!("image {}: {e}", i + 1)))?);
    }
    let seed = flows::seed_of_bytes(&texts.iter().map(|t| t.as_bytes()).collect::<Vec<_>>());
    let aspect = match dims {
        Dimensions::Portrait => (2, 3),
        Dimensions::Square => (1, 1),
        Dimensions::Landscape => (3, 2),
    };
    let work = Work::Blend { images, aspect, seed };
    accept(&sim, NewJob { work: Some(work), ..new_job(&b, "blend", "", false, Some(seed))? })
}

async fn describe(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let src = text(&b, "base64").or_else(|| text(&b, "url")).ok_or_else(|| bad("base64 or url is required"))?;
    let job = new_job(&b, "describe", "", false, None)?;
    match inputs::load(&sim, src).await.map_err(bad)? {
        Some(img) => accept(&sim, NewJob { work: Some(Work::Describe { image: Pic::Image(img) }), ..job }),
        None => accept(&sim, NewJob { failure: Some(INVALID_LINK.into()), ..job }),
    }
}

async fn edit(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let src = text(&b, "image").ok_or_else(|| bad("image is required (url or base64)"))?;
    let p = checked_prompt(text(&b, "prompt").ok_or_else(|| bad("prompt is required"))?)?;
    let retexture = match text(&b, "type").map(str::to_ascii_lowercase).as_deref() {
        None | Some("edit") => false,
        Some("retexture") => true,
        Some(other) => return Err(bad(format!("type '{other}' is not edit or retexture"))),
    };
    let label = if retexture { "retexture" } else { "edit" };
    let img = inputs::load(&sim, src).await.map_err(bad)?;
    let seed = flows::seed_of_bytes(&[p.as_bytes(), src.as_bytes()]);
    let job = new_job(&b, label, p, true, Some(seed))?;
    let Some(img) = img else { return accept(&sim, NewJob { failure: Some(INVALID_LINK.into()), ..job }) };
    let work = if retexture {
        Work::Retexture { base: Pic::Image(img), prompt: p.to_owned(), seed }
    } else {
        let transparent = move || {
            let mask = masks::from_alpha(&img);
            masks::not_empty(&mask).map(|()| (img, mask))
        };
        let Ok((img, mask)) = inputs::off_runtime(transparent).await.map_err(bad)? else {
            return Err(bad(
                "the image has no transparent pixels: make the area to edit transparent, or send type retexture",
            ));
        };
        Work::Masked { base: Pic::Image(img), mask, prompt: p.to_owned(), seed }
    };
    accept(&sim, NewJob { work: Some(work), ..job })
}

/// `manual`: low (default) or high.
fn motion(b: &Value) -> Result<bool, Response> {
    match text(b, "manual").map(str::to_ascii_lowercase).as_deref() {
        None | Some("low") => Ok(false),
        Some("high") => Ok(true),
        Some(m) => Err(bad(format!("manual '{m}' is not low or high"))),
    }
}

/// `bs`: 1, 2 or 4 (default 4), a number or a numeric string.
fn batch_size(b: &Value) -> Result<u8, Response> {
    match super::reply::int(b, "bs") {
        None => Ok(4),
        Some(Ok(n)) if n > 0 => clips::batch(n as u64).map_err(bad),
        Some(_) => Err(bad("bs must be 1, 2 or 4")),
    }
}

async fn video_submit(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let p = checked_prompt(b.get("prompt").and_then(Value::as_str).ok_or_else(|| bad("prompt is required"))?)?.trim();
    let start = text(&b, "imageUrl").ok_or_else(|| bad("imageUrl is required (a link to the start frame)"))?;
    if !inputs::is_url(start) {
        return Err(bad("imageUrl must be a link the gateway can fetch"));
    }
    let lines = match text(&b, "resolution").map(str::to_ascii_lowercase).as_deref() {
        None | Some("sd") => 480,
        Some("hd") => 720,
        Some(r) => return Err(bad(format!("resolution '{r}' is not sd or hd"))),
    };
    let (high, batch) = (motion(&b)?, batch_size(&b)?);
    let job = new_job(&b, "video", p, !p.is_empty(), None)?;
    let end = match text(&b, "endingUrl") {
        Some(e) => match clips::frame(&sim, e).await.map_err(bad)? {
            Some(png) => Some(png),
            None => return accept(&sim, NewJob { failure: Some(INVALID_LINK.into()), ..job }),
        },
        None => None,
    };
    let Some(start) = clips::frame(&sim, start).await.map_err(bad)? else {
        return accept(&sim, NewJob { failure: Some(INVALID_LINK.into()), ..job });
    };
    let seed = flows::seed_of_bytes(&[&start, p.as_bytes()]);
    let spec = clips::ClipSpec::fresh(start, end, high, lines, batch, seed);
    accept(&sim, NewJob { work: Some(Work::Clips(spec)), seed: Some(seed), ..job })
}

async fn video_extend(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    let index = match super::reply::int(&b, "index") {
        Some(Ok(i)) if (0..4).contains(&i) => i as usize,
        Some(_) => return Err(bad("index must be 0 to 3")),
        None => return Err(bad("index is required (0 to 3: which video to extend)")),
    };
    let (high, batch) = (motion(&b)?, batch_size(&b)?);
    let (job, out) = parent(&sim, &b).await?;
    let spec = out.video.as_ref().ok_or_else(|| bad(format!("job {} is not a video job", job.id)))?;
    if index >= out.clips.len() {
        return Err(bad(format!("job {} has {} videos; there is no index {index}", job.id, out.clips.len())));
    }
    let spec = clips::ClipSpec { high: high || spec.high, ..spec.extended(batch).map_err(bad)? };
    let p = text(&b, "prompt").map(checked_prompt).transpose()?;
    let new = NewJob {
        work: Some(Work::Clips(spec)),
        ..new_job(&b, "extend", p.unwrap_or(&job.prompt), p.is_some(), job.seed)?
    };
    accept(&sim, new)
}

async fn fetch_get(State(sim): State<Arc<Sim>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    fetch(&sim, q.get("jobId").or_else(|| q.get("job_id")).map(String::as_str)).await
}

async fn fetch_post(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Ttapi.body(body)?;
    fetch(&sim, text(&b, "jobId").or_else(|| text(&b, "job_id"))).await
}

async fn fetch(sim: &Arc<Sim>, id: Option<&str>) -> Answer {
    let id = id.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| bad("jobId is required"))?;
    let job = sim.job(Gw::Ttapi, id).ok_or_else(|| tt_fail(StatusCode::NOT_FOUND, "job not found"))?;
    Ok(reply(StatusCode::OK, view(sim, &job).await))
}

/// What a job costs in `mode`, in quota units.
fn quota(mode: &str) -> u32 {
    match mode {
        "turbo" => 6,
        "relax" => 1,
        _ => 3,
    }
}

/// Quota a simulated account starts with: some 3,000 fast imagines.
const START_BALANCE: f64 = 10_000.0;

/// `GET /midjourney/v1/info`: the account as TTAPI's documents show it (see
/// `gateway::account`). The balance is what is left after the jobs that ended well (every
/// job the simulator keeps, across its restarts), the frozen part what jobs in progress hold,
/// the queue limit the simulator's.
async fn info(State(sim): State<Arc<Sim>>) -> Answer {
    let (spent, held) = sim.quota_use(Gw::Ttapi, |mode| quota(mode) as f64);
    let data = json!({
        "email": "designer@example.com",
        "email_verified_at": "2026-01-01 00:00:00",
        "balance": (START_BALANCE - spent - held).max(0.0),
        "freeze_balance": held,
        "max_queue": sim.config.max_in_progress,
        "created_at": "2026-01-01 00:00:00",
    });
    Ok(reply(StatusCode::OK, json!({"status": "SUCCESS", "message": "success", "data": data})))
}

/// The fetch / hook payload for `job`.
async fn view(sim: &Arc<Sim>, job: &Arc<SimJob>) -> Value {
    let status = sim.status(job).await;
    let (word, message, progress) = match &status {
        Status::Pending => ("PENDING_QUEUE", String::new(), 0),
        Status::Queued => ("ON_QUEUE", String::new(), 0),
        Status::Running(p) => ("ON_QUEUE", String::new(), *p),
        Status::Succeeded(_) => ("SUCCESS", "success".to_owned(), 100),
        Status::Failed(reason) => ("FAILED", reason.clone(), 0),
    };
    let out = match &status {
        Status::Succeeded(o) => Some(o.clone()),
        _ => None,
    };
    let main = out.as_ref().and_then(|o| o.main_image().cloned());
    let finished = matches!(status, Status::Succeeded(_) | Status::Failed(_));
    let quota = quota(&job.mode).to_string();
    let mut data = json!({
        "jobId": job.id,
        "actions": job.label,
        "progress": progress.to_string(),
        "prompt": job.prompt,
        "mode": job.mode,
        "quota": quota,
        "discordImage": main.as_ref().map(|i| sim.cdn.url(i)),
        "cdnImage": main.as_ref().map(|i| sim.cdn.url(i)),
        "width": main.as_ref().map(|i| i.width),
        "height": main.as_ref().map(|i| i.height),
        "hookUrl": job.hook,
        "components": out.as_ref().map(|o| flows::offered(Gw::Ttapi, o)).unwrap_or_default(),
        "seed": out.as_ref().and_then(|o| o.seed).map(|s| s.to_string()).unwrap_or_default(),
        "images": out.as_ref().map(|o| o.images.iter().map(|i| sim.cdn.url(i)).collect::<Vec<_>>()).unwrap_or_default(),
        "videos": out.as_ref().map(|o| o.clips.iter().map(|c| sim.cdn.clip_url(c)).collect::<Vec<_>>()).unwrap_or_default(),
        "submitTime": rfc3339(job.submitted),
        "finishTime": finished.then(|| rfc3339(job.finish_time(&sim.config))),
    });
    if let Some(o) = out.as_ref().filter(|o| o.shape == Shape::Text && !o.prompts.is_empty()) {
        let marks = ["1\u{fe0f}\u{20e3}", "2\u{fe0f}\u{20e3}", "3\u{fe0f}\u{20e3}", "4\u{fe0f}\u{20e3}"];
        let joined: Vec<String> = o.prompts.iter().zip(marks).map(|(p, m)| format!("{m} {p}")).collect();
        data["prompts"] = json!(o.prompts);
        data["prompt"] = json!(joined.join("\n\n"));
    }
    json!({"status": word, "jobId": job.id, "message": message, "data": data})
}
