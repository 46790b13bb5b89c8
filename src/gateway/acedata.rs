//! AceData (`Authorization: Bearer`): all POST, follow-ups name the parent's `image_id`.
//!
//! Why every submit carries a `callback_url`: without one, AceData holds the HTTP call open
//! until the job ends (one to ten minutes), and a call cut mid-way (a timeout, a laptop lid,
//! a proxy) leaves no task id to look the job up with, so its result and its cost are lost.
//! With a `callback_url` it answers `{task_id}` at once. mjdesk has no public address to
//! receive the callback, so, as AceData's own published client does, it sends a harmless
//! endpoint that ignores the post (default `{base}/health`), records the task id before
//! anything else, and polls `POST /midjourney/tasks {action: "retrieve", id}`.
//! A designer's own `hook_url` is sent instead when set; it makes the call answer at once too.
//! If `callback_url` is configured as `None` (and no hook is set), the submit is marked
//! [`Prepared::long`] and its answer, the finished result, comes back in
//! [`Submitted::snapshot`].
//!
//! A task lookup is decided by `response.success`, never by `state`: absent means still
//! running (progress from `response.progress`), `true` is the full result, `false` a terminal
//! failure whose `error.message` is shown verbatim.

use serde::Serialize;
use serde_json::Value;

use super::parse::{self, text};
use super::{Prepared, Protocol};
use crate::actions::ActionKind;
use crate::error::GatewayError;
use crate::job::{
    ImageInput, JobKind, JobRequest, JobSnapshot, Mode, ParentRef, Provider, RemoteState, SubmitOptions, Submitted,
};
use crate::secret::ApiKey;

#[derive(Debug, Clone)]
pub struct AcedataProtocol {
    pub callback_url: Option<String>,
}

/// `/midjourney/imagine`: generation and every follow-up action.
#[derive(Serialize, Default)]
struct Imagine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_id: Option<&'a str>,
    /// `variation_region`: grayscale PNG, white = regenerate, plain base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    translation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    split_images: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Edits<'a> {
    action: &'static str,
    /// An http(s) URL or a `data:image/...;base64,` URI.
    image_url: String,
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    split_images: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Describe<'a> {
    image_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Seed<'a> {
    image_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Retrieve<'a> {
    action: &'static str,
    id: &'a str,
}

impl Protocol for AcedataProtocol {
    fn provider(&self) -> Provider {
        Provider::Acedata
    }

    fn auth_header(&self, key: &ApiKey) -> (&'static str, String) {
        ("Authorization", format!("Bearer {}", key.expose()))
    }

    fn build_submit(&self, req: &JobRequest, opts: &SubmitOptions) -> Result<Prepared, GatewayError> {
        let hook = opts.hook_url.as_deref().filter(|h| !h.trim().is_empty());
        let callback_url = hook.or(self.callback_url.as_deref());
        let mode = opts.mode.as_ref().map(Mode::as_str);
        // mjdesk shows the four quadrants separately, so it asks for them unless told not to.
        let split_images = Some(opts.get_u_images.unwrap_or(true));
        let imagine = |action, prompt, image_id, mask| Imagine {
            prompt,
            action,
            image_id,
            mask,
            mode,
            timeout: opts.timeout_secs,
            split_images,
            callback_url,
            ..Default::default()
        };
        let (path, body) = match req {
            JobRequest::Imagine { prompt } => {
                let prompt = parse::require_prompt(prompt, "Imagine")?;
                ("imagine", parse::to_body(&imagine("generate", Some(prompt), None, None))?)
            }
            JobRequest::Action { parent, action } => {
                let image_id = parent_image_id(parent, action)?;
                ("imagine", parse::to_body(&imagine(action, None, Some(image_id), None))?)
            }
            JobRequest::Inpaint { parent, mask, prompt } => {
                let image_id = parent_image_id(parent, "Vary (Region)")?;
                parse::check_mask(mask, None)?;
                let mask = Some(parse::base64(&mask.to_bw_png()));
                let prompt = prompt.as_deref().filter(|p| !p.trim().is_empty());
                ("imagine", parse::to_body(&imagine("variation_region", prompt, Some(image_id), mask))?)
            }
            JobRequest::Edit { retexture: true, .. } => return Err(not_offered("retexture")),
            JobRequest::Edit { image, mask, prompt, retexture: false } => {
                let prompt = parse::require_prompt(prompt, "Edit")?;
                let mask = match mask {
                    Some(mask) => {
                        let size = match image {
                            ImageInput::Bytes { bytes, .. } => Some(parse::image_size(bytes)?),
                            ImageInput::Url(_) => None,
                        };
                        parse::check_mask(mask, size)?;
                        Some(parse::base64(&mask.to_bw_png()))
                    }
                    None => None,
                };
                let image_url = image_url(image);
                (
                    "edits",
                    parse::to_body(&Edits {
                        action: "generate",
                        image_url,
                        prompt,
                        mask,
                        split_images,
                        mode,
                        callback_url,
                    })?,
                )
            }
            JobRequest::Describe { image } => {
                ("describe", parse::to_body(&Describe { image_url: image_url(image), callback_url })?)
            }
            JobRequest::Seed { parent } => {
                let image_id = parent_image_id(parent, "Seed")?;
                ("seed", parse::to_body(&Seed { image_id, callback_url })?)
            }
            JobRequest::Blend { .. } => return Err(not_offered("blend")),
            JobRequest::CanvasEdit { .. } => return Err(not_offered("canvas edits (outpaint on a canvas)")),
            JobRequest::Remix { .. } => return Err(not_offered("remix")),
            JobRequest::Animate { image, end, video, .. } => {
                (video::PATH, video::generate(image, end.as_ref(), video, mode, callback_url)?)
            }
            JobRequest::Extend { parent, video, .. } => {
                (video::PATH, video::extend(parent, video, mode, callback_url)?)
            }
        };
        let path = if path.starts_with('/') { path.to_owned() } else { format!("/midjourney/{path}") };
        let mut prepared = Prepared::post(path, body);
        prepared.long = callback_url.is_none();
        Ok(prepared)
    }

    fn parse_submit(&self, status: u16, body: &str) -> Result<Submitted, GatewayError> {
        let v = parse::object(status, body)?;
        if v.get("success") == Some(&Value::Bool(false)) {
            return Err(parse::refusal(status, body));
        }
        let Some(job_id) = parse::first_text(&v, &["task_id", "taskId", "id"]) else {
            return Err(parse::malformed(status, "the submit answer holds no task_id", body));
        };
        // `{task_id}` alone: accepted, to be polled. With `success: true`: the finished result
        // of a call made without a callback.
        let snapshot = (v.get("success") == Some(&Value::Bool(true))).then(|| snapshot(&job_id, None, &v));
        Ok(Submitted { job_id, snapshot })
    }

    fn build_fetch(&self, job_id: &str, _kind: &JobKind) -> Prepared {
        let body = serde_json::to_value(Retrieve { action: "retrieve", id: job_id }).unwrap_or(Value::Null);
        Prepared::post("/midjourney/tasks", body)
    }

    fn parse_fetch(&self, job_id: &str, status: u16, body: &str) -> Result<JobSnapshot, GatewayError> {
        let v = parse::object(status, body)?;
        // A `retrieve_batch` answer: pick ours out of `items`.
        let task = match v.get("items").and_then(Value::as_array) {
            Some(items) => items
                .iter()
                .find(|i| text(i.get("id")).as_deref() == Some(job_id))
                .ok_or_else(|| parse::malformed(status, "the task is not among the items", body))?,
            None => &v,
        };
        let response = match task.get("response") {
            Some(r @ Value::Object(_)) => r,
            Some(Value::Null) | None if task.get("id").is_some() => &Value::Null,
            // No lookup wrapper: an error shape is a refusal of the lookup, a result is a result.
            None if task.get("success") == Some(&Value::Bool(false)) && task.get("task_id").is_none() => {
                return Err(parse::refusal(status, body));
            }
            None if task.get("success").is_some() || task.get("task_id").is_some() => task,
            _ => return Err(parse::malformed(status, "the task lookup holds no response", body)),
        };
        let id = text(task.get("id")).unwrap_or_else(|| job_id.to_owned());
        let mut snap = snapshot(&id, text(task.get("state")), response);
        // The result has no prompt; the lookup echoes the original request, which does.
        snap.prompt = snap.prompt.or_else(|| task.get("request").and_then(|q| text(q.get("prompt"))));
        Ok(snap)
    }
}

/// Reads a task's `response` (or a blocking submit's answer).
fn snapshot(job_id: &str, state_word: Option<String>, r: &Value) -> JobSnapshot {
    let (state, derived) = match r.get("success") {
        Some(Value::Bool(true)) => (RemoteState::Succeeded, "succeeded"),
        Some(Value::Bool(false)) => (RemoteState::Failed, "failed"),
        _ => (RemoteState::Running, "running"),
    };
    let actions = parse::strings(r.get("actions"));
    let composite = parse::first_text(r, &["image_url", "raw_image_url"]);
    let mut images = parse::strings(r.get("sub_image_urls"));
    let is_grid = images.len() > 1 || actions.iter().any(|a| ActionKind::parse(a).image_index().is_some());
    if images.is_empty() && !is_grid {
        images.extend(composite.clone());
    }
    let grid_image = composite.filter(|c| is_grid || images.first() != Some(c));
    let message = r.get("error").and_then(|e| parse::first_text(e, &["message", "code"]));
    let progress = parse::progress(r.get("progress"));
    // A video result: the clips are the results, and `video_id` is what an extend names.
    let (images, grid_image, image_id) = match video::clips(r) {
        Some((clips, video_id)) => (clips, None, video_id),
        None => (images, grid_image, text(r.get("image_id"))),
    };
    JobSnapshot {
        job_id: text(r.get("task_id")).unwrap_or_else(|| job_id.to_owned()),
        progress: progress.or((state == RemoteState::Succeeded).then_some(100)),
        state,
        raw_status: state_word.unwrap_or_else(|| derived.to_owned()),
        images,
        grid_image,
        actions,
        seed: text(r.get("seed")),
        quota: None,
        prompt: text(r.get("prompt")),
        prompts: parse::strings(r.get("descriptions")),
        message,
        width: parse::uint(r.get("image_width")),
        height: parse::uint(r.get("image_height")),
        image_id,
        submit_time: None,
        finish_time: None,
    }
}

/// AceData follow-ups name the finished parent's `image_id`, not its task id.
fn parent_image_id<'a>(parent: &'a ParentRef, what: &str) -> Result<&'a str, GatewayError> {
    parent.image_id.as_deref().filter(|i| !i.trim().is_empty()).ok_or_else(|| {
        GatewayError::invalid(format!(
            "AceData's {what} names the parent's image_id, and job {} has none yet; wait until it has succeeded",
            parent.job_id
        ))
    })
}

/// A URL as it is; bytes as a `data:` URI.
pub(super) fn image_url(image: &ImageInput) -> String {
    match image {
        ImageInput::Url(u) => u.clone(),
        ImageInput::Bytes { bytes, mime } => {
            let mime = if mime.trim().is_empty() { "image/png" } else { mime.trim() };
            format!("data:{mime};base64,{}", parse::base64(bytes))
        }
    }
}

fn not_offered(what: &str) -> GatewayError {
    GatewayError::invalid(format!("AceData does not offer {what} through mjdesk; use another gateway for it"))
}

#[cfg(test)]
mod tests;
mod video;
