//! AceData's routes: `/midjourney/{imagine,edits,describe,seed,tasks}`, Bearer auth, its
//! `{success:false, error:{code,message}}` refusals, and its two answer modes: with a
//! `callback_url` a submit answers `{task_id}` at once (the callback is never called), without
//! one it holds the call open until the job ends and answers the full result.

// Handlers answer `Result<Response, Response>` (axum turns either side into the answer);
// boxing every refusal would only add noise to a path that runs once per call.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::clips;
use super::flows::{self, FollowUp};
use super::inputs::{self, INVALID_LINK};
use super::masks;
use super::produce::{Pic, Work};
use super::prompt;
use super::reply::{BODY_LIMIT, Gw, ace_fail, ace_invalid, json as reply, text};
use super::state::{NewJob, Output, Shape, Sim, SimJob, Status};
use crate::actions::ActionKind;

type Body = Result<Bytes, BytesRejection>;
type Answer = Result<Response, Response>;

pub(super) fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/midjourney/imagine", post(imagine))
        .route("/midjourney/edits", post(edits))
        .route("/midjourney/describe", post(describe))
        .route("/midjourney/seed", post(seed))
        .route("/midjourney/tasks", post(tasks))
        .route("/midjourney/videos", post(videos))
        .layer(from_fn_with_state((sim.clone(), Gw::Acedata), super::faults::guard))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(sim)
}

fn bad(detail: impl AsRef<str>) -> Response {
    ace_invalid(detail.as_ref())
}

/// The request as echoed by task lookups; huge strings (images) are shortened.
fn echo(v: &Value) -> Value {
    match v {
        Value::String(s) if s.len() > 4096 => {
            Value::String(format!("{}... ({} characters)", &s[..s.floor_char_boundary(64)], s.len()))
        }
        Value::Array(a) => Value::Array(a.iter().map(echo).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), echo(v))).collect::<Map<_, _>>()),
        other => other.clone(),
    }
}

fn new_job(b: &Value, label: &str, prompt: &str, prompt_sent: bool, seed: Option<u64>) -> NewJob {
    NewJob {
        gw: Gw::Acedata,
        label: label.to_owned(),
        prompt: prompt.to_owned(),
        prompt_sent,
        mode: text(b, "mode").unwrap_or("fast").to_owned(),
        hook: text(b, "callback_url").unwrap_or_default().to_owned(),
        request: echo(b),
        seed,
        failure: None,
        work: None,
    }
}

/// Creates the job, then answers `{task_id}` (callback mode) or waits and answers the result.
async fn submit(sim: &Arc<Sim>, b: &Value, job: NewJob) -> Answer {
    let job = sim.submit(job).map_err(|busy| Gw::Acedata.busy(busy.limit))?;
    if text(b, "callback_url").is_some() {
        return Ok(reply(StatusCode::OK, json!({"task_id": job.id})));
    }
    match sim.finish(&job).await {
        Status::Succeeded(out) => Ok(reply(StatusCode::OK, result(sim, &job, &out))),
        Status::Failed(reason) => Err(ace_fail(StatusCode::BAD_REQUEST, "generation_failed", &reason)),
        _ => Err(Gw::Acedata.internal_error()),
    }
}

fn checked_prompt(p: &str) -> Result<&str, Response> {
    if p.chars().count() > 8192 { Err(bad("prompt is longer than 8192 characters")) } else { Ok(p) }
}

/// The finished job whose result carried `image_id`.
async fn parent(sim: &Arc<Sim>, b: &Value, action: &str) -> Result<(Arc<SimJob>, Arc<Output>), Response> {
    let id = text(b, "image_id").ok_or_else(|| bad(format!("image_id is required for action {action}")))?;
    let job = sim.job_by_image_id(id).ok_or_else(|| bad(format!("image_id {id} not found")))?;
    let out = flows::finished(sim, &job).await.map_err(bad)?;
    Ok((job, out))
}

async fn imagine(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Acedata.body(body)?;
    let action = text(&b, "action").unwrap_or("generate").to_owned();
    let given = text(&b, "prompt").map(checked_prompt).transpose()?;
    if action.eq_ignore_ascii_case("generate") {
        let p = given.ok_or_else(|| bad("prompt is required"))?;
        let seed = prompt::seed(p);
        let work = Work::Scenes { prompt: p.to_owned(), seed, aspect: prompt::aspect(p) };
        return submit(&sim, &b, NewJob { work: Some(work), ..new_job(&b, "generate", p, true, Some(seed)) }).await;
    }
    let (job, out) = parent(&sim, &b, &action).await?;
    let fu: FollowUp = if ActionKind::parse(&action) == ActionKind::VaryRegion {
        if !flows::offered(Gw::Acedata, &out).iter().any(|a| a == "variation_region") {
            return Err(bad(format!("action {action} is not offered by this image; upscale it first")));
        }
        let mask_text = text(&b, "mask")
            .ok_or_else(|| bad("mask is required for variation_region (base64 PNG, white = regenerate)"))?;
        let mask = flows::bw_mask(mask_text).await.map_err(bad)?;
        flows::region(&sim, &job, &out, mask, given).map_err(bad)?
    } else {
        flows::follow_up(&sim, Gw::Acedata, &job, &out, &action).map_err(bad)?
    };
    let p = given.unwrap_or(&job.prompt).to_owned();
    submit(&sim, &b, NewJob { work: Some(fu.work), ..new_job(&b, &action, &p, given.is_some(), Some(fu.seed)) }).await
}

async fn edits(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Acedata.body(body)?;
    if let Some(a) = text(&b, "action").filter(|a| !a.eq_ignore_ascii_case("generate")) {
        return Err(bad(format!("action '{a}' is not supported by edits; use generate")));
    }
    let url = text(&b, "image_url").ok_or_else(|| bad("image_url is required"))?;
    let p = checked_prompt(text(&b, "prompt").ok_or_else(|| bad("prompt is required"))?)?;
    let mask = match text(&b, "mask") {
        Some(m) => Some(flows::bw_mask(m).await.map_err(bad)?),
        None => None,
    };
    let seed = flows::seed_of_bytes(&[p.as_bytes(), url.as_bytes()]);
    let job = new_job(&b, "edits", p, true, Some(seed));
    let Some(img) = inputs::load(&sim, url).await.map_err(bad)? else {
        return submit(&sim, &b, NewJob { failure: Some(INVALID_LINK.into()), ..job }).await;
    };
    let (img, mask) = match mask {
        Some(m) => {
            masks::fits(&m, img.width(), img.height()).map_err(bad)?;
            (img, Some(m))
        }
        None => {
            let transparent = move || {
                let m = masks::from_alpha(&img);
                let any = m.count() > 0;
                (img, any.then_some(m))
            };
            inputs::off_runtime(transparent).await.map_err(bad)?
        }
    };
    let (base, prompt) = (Pic::Image(img), p.to_owned());
    let work = match mask {
        Some(mask) => Work::Masked { base, mask, prompt, seed },
        // no mask and nothing transparent: the whole image is reworked, keeping its structure
        None => Work::Retexture { base, prompt, seed },
    };
    submit(&sim, &b, NewJob { work: Some(work), ..job }).await
}

async fn describe(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Acedata.body(body)?;
    let url = text(&b, "image_url").ok_or_else(|| bad("image_url is required"))?;
    let job = new_job(&b, "describe", "", false, None);
    match inputs::load(&sim, url).await.map_err(bad)? {
        Some(img) => submit(&sim, &b, NewJob { work: Some(Work::Describe { image: Pic::Image(img) }), ..job }).await,
        None => submit(&sim, &b, NewJob { failure: Some(INVALID_LINK.into()), ..job }).await,
    }
}

async fn seed(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Acedata.body(body)?;
    let (job, _) = parent(&sim, &b, "seed").await?;
    let s = job.seed.ok_or_else(|| bad("this image has no seed"))?;
    submit(&sim, &b, NewJob { work: Some(Work::Seed { seed: s }), ..new_job(&b, "seed", &job.prompt, false, Some(s)) })
        .await
}

/// `/midjourney/videos`: `generate` from `image_url` (and `end_image_url`, `loop`), or
/// `extend` clip `video_index` of the video `video_id`.
async fn videos(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Acedata.body(body)?;
    let p = text(&b, "prompt").map(checked_prompt).transpose()?.unwrap_or("");
    let (high, batch) = clips::prompt_params(p).map_err(bad)?;
    if text(&b, "mode").is_some_and(|m| m.eq_ignore_ascii_case("relax")) {
        return Err(bad("relax mode is not offered for video; use fast or turbo"));
    }
    match text(&b, "action").unwrap_or("generate") {
        "generate" => {
            let src = text(&b, "image_url").ok_or_else(|| bad("image_url is required for action generate"))?;
            let lines = match text(&b, "resolution") {
                None | Some("480p") => 480,
                Some("720p") => 720,
                Some(r) => return Err(bad(format!("resolution '{r}' is not 480p or 720p"))),
            };
            let looped = b.get("loop").and_then(Value::as_bool).unwrap_or(false);
            let job = new_job(&b, "video", p, !p.is_empty(), None);
            let failed = |job| submit(&sim, &b, NewJob { failure: Some(INVALID_LINK.into()), ..job });
            let Some(start) = clips::frame(&sim, src).await.map_err(bad)? else { return failed(job).await };
            let end = match text(&b, "end_image_url") {
                Some(e) => match clips::frame(&sim, e).await.map_err(bad)? {
                    Some(png) => Some(png),
                    None => return failed(job).await,
                },
                None if looped => Some(start.clone()),
                None => None,
            };
            let seed = flows::seed_of_bytes(&[&start, p.as_bytes()]);
            let spec = clips::ClipSpec::fresh(start, end, high, lines, batch, seed);
            submit(&sim, &b, NewJob { work: Some(Work::Clips(spec)), seed: Some(seed), ..job }).await
        }
        "extend" => {
            let id = text(&b, "video_id").ok_or_else(|| bad("video_id is required for action extend"))?;
            let index = match super::reply::int(&b, "video_index") {
                None => 0,
                Some(Ok(i)) if (0..4).contains(&i) => i as usize,
                Some(_) => return Err(bad("video_index must be 0 to 3")),
            };
            let parent = sim.job_by_image_id(id).ok_or_else(|| bad(format!("video_id {id} not found")))?;
            let out = flows::finished(&sim, &parent).await.map_err(bad)?;
            let spec = out.video.as_ref().ok_or_else(|| bad(format!("video_id {id} is not a video")))?;
            if index >= out.clips.len() {
                return Err(bad(format!("video {id} has {} clips; there is no video_index {index}", out.clips.len())));
            }
            let spec = clips::ClipSpec { high: high || spec.high, ..spec.extended(batch).map_err(bad)? };
            let prompt = if p.is_empty() { parent.prompt.as_str() } else { p };
            let job = new_job(&b, "extend", prompt, !p.is_empty(), parent.seed);
            submit(&sim, &b, NewJob { work: Some(Work::Clips(spec)), ..job }).await
        }
        other => Err(bad(format!("action '{other}' is not generate or extend"))),
    }
}

/// The full result of a finished job.
fn result(sim: &Sim, job: &SimJob, out: &Output) -> Value {
    let mut r = json!({"success": true, "task_id": job.id, "progress": 100});
    match out.shape {
        Shape::Video => {
            r["video_id"] = json!(job.image_id);
            r["video_urls"] = json!(out.clips.iter().map(|c| sim.cdn.clip_url(c)).collect::<Vec<_>>());
        }
        Shape::Text if out.seed.is_some() => r["seed"] = json!(out.seed.map(|s| s.to_string())),
        Shape::Text => r["descriptions"] = json!(out.prompts),
        _ => {
            if let Some(main) = out.main_image() {
                let url = sim.cdn.url(main);
                r["image_id"] = json!(job.image_id);
                r["image_url"] = json!(url);
                r["image_width"] = json!(main.width);
                r["image_height"] = json!(main.height);
                r["raw_image_url"] = json!(url);
                r["raw_image_width"] = json!(main.width);
                r["raw_image_height"] = json!(main.height);
            }
            r["sub_image_urls"] = json!(out.images.iter().map(|i| sim.cdn.url(i)).collect::<Vec<_>>());
            r["actions"] = json!(flows::offered(Gw::Acedata, out));
        }
    }
    r
}

/// One task lookup entry.
async fn task(sim: &Arc<Sim>, job: &Arc<SimJob>) -> Value {
    let (state, response) = match sim.status(job).await {
        Status::Pending | Status::Queued => ("pending", json!({})),
        Status::Running(p) => ("running", json!({"task_id": job.id, "progress": p})),
        Status::Succeeded(out) => ("succeeded", result(sim, job, &out)),
        Status::Failed(reason) => (
            "failed",
            json!({"success": false, "task_id": job.id, "error": {"code": "generation_failed", "message": reason}}),
        ),
    };
    let created = job.submitted.duration_since(SystemTime::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    json!({"id": job.id, "created_at": created, "state": state, "request": job.request, "response": response})
}

async fn tasks(State(sim): State<Arc<Sim>>, body: Body) -> Answer {
    let b = Gw::Acedata.body(body)?;
    match text(&b, "action").unwrap_or("retrieve") {
        "retrieve" => {
            let id = text(&b, "id").or_else(|| text(&b, "task_id")).ok_or_else(|| bad("id is required"))?;
            let job = sim
                .job(Gw::Acedata, id)
                .ok_or_else(|| ace_fail(StatusCode::NOT_FOUND, "not_found", &format!("task {id} not found")))?;
            Ok(reply(StatusCode::OK, task(&sim, &job).await))
        }
        "retrieve_batch" => {
            let ids =
                b.get("ids").and_then(Value::as_array).ok_or_else(|| bad("ids is required (an array of task ids)"))?;
            let mut items = Vec::new();
            for job in ids.iter().filter_map(Value::as_str).filter_map(|id| sim.job(Gw::Acedata, id)) {
                items.push(task(&sim, &job).await);
            }
            Ok(reply(StatusCode::OK, json!({"count": items.len(), "items": items})))
        }
        other => Err(bad(format!("action '{other}' is not retrieve or retrieve_batch"))),
    }
}
