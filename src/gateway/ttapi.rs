//! TTAPI (`TT-API-KEY` header): every answer is a `{status, message, data}` envelope.
//!
//! The docs' examples write `"model": "fast"` while the field tables write `mode`; we send
//! `mode` (the api notes explain why). Images go as plain base64 with no `data:` prefix.
//! A submit whose envelope says `FAILED` is a refusal even inside a 200; a fetch whose
//! envelope says `FAILED` is the job's own failure, unless it carries no job at all.

use serde::Serialize;
use serde_json::Value;

use super::parse::{self, text};
use super::{Prepared, Protocol};
use crate::actions::ActionKind;
use crate::error::GatewayError;
use crate::job::{ImageInput, JobKind, JobRequest, JobSnapshot, Mode, Provider, RemoteState, SubmitOptions, Submitted};
use crate::mask::Mask;
use crate::secret::ApiKey;

#[derive(Debug, Clone)]
pub struct TtapiProtocol;

/// `timeout` and `hookUrl`, which every `/midjourney/v1/*` submit takes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Common<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Imagine<'a> {
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(flatten)]
    common: Common<'a>,
    #[serde(rename = "getUImages", skip_serializing_if = "Option::is_none")]
    get_u_images: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Action<'a> {
    job_id: &'a str,
    action: &'a str,
    #[serde(flatten)]
    common: Common<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Seed<'a> {
    job_id: &'a str,
    #[serde(flatten)]
    common: Common<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Blend<'a> {
    img_base64_array: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(flatten)]
    common: Common<'a>,
}

#[derive(Serialize)]
struct Describe<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    base64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(flatten)]
    common: Common<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Inpaint<'a> {
    job_id: &'a str,
    /// Black/white PNG, white = repaint, plain base64.
    mask: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
    #[serde(flatten)]
    common: Common<'a>,
}

/// `/midjourney/image-edits/submit`: no `timeout` in its docs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageEdit<'a> {
    // `image` (a URL, or plain base64 of an image whose transparent pixels are the area to
    // change) is moved into the body afterwards: megabytes, not copied once more.
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook_url: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
}

const FETCH: &str = "/midjourney/v1/fetch";
const EDITS_FETCH: &str = "/midjourney/image-edits/fetch";

impl Protocol for TtapiProtocol {
    fn provider(&self) -> Provider {
        Provider::Ttapi
    }

    fn auth_header(&self, key: &ApiKey) -> (&'static str, String) {
        ("TT-API-KEY", key.expose().to_owned())
    }

    fn build_submit(&self, req: &JobRequest, opts: &SubmitOptions) -> Result<Prepared, GatewayError> {
        let mode = opts.mode.as_ref().map(Mode::as_str);
        let hook_url = opts.hook_url.as_deref().filter(|h| !h.trim().is_empty());
        let common = Common { timeout: opts.timeout_secs, hook_url };
        let (path, body) = match req {
            JobRequest::Imagine { prompt } => {
                let prompt = parse::require_prompt(prompt, "Imagine")?;
                ("imagine", parse::to_body(&Imagine { prompt, mode, common, get_u_images: opts.get_u_images })?)
            }
            JobRequest::Action { parent, action } => {
                ("action", parse::to_body(&Action { job_id: &parent.job_id, action, common })?)
            }
            JobRequest::Seed { parent } => ("seed", parse::to_body(&Seed { job_id: &parent.job_id, common })?),
            JobRequest::Blend { images, dimensions } => {
                if !(2..=5).contains(&images.len()) {
                    return Err(GatewayError::invalid(format!(
                        "Blend takes 2 to 5 images, and {} were given",
                        images.len()
                    )));
                }
                let img_base64_array = images.iter().map(blend_image).collect::<Result<_, _>>()?;
                let dimensions = dimensions.map(|d| d.as_str());
                ("blend", parse::to_body(&Blend { img_base64_array, dimensions, mode, common })?)
            }
            JobRequest::Describe { image } => {
                let (base64, url) = match image {
                    ImageInput::Bytes { bytes, .. } => (Some(parse::base64(bytes)), None),
                    ImageInput::Url(u) => (None, Some(u.as_str())),
                };
                ("describe", parse::to_body(&Describe { base64, url, mode, common })?)
            }
            JobRequest::Inpaint { parent, mask, prompt } => {
                parse::check_mask(mask, None)?;
                let mask = parse::base64(&mask.to_bw_png());
                let prompt = prompt.as_deref().filter(|p| !p.trim().is_empty());
                ("inpaint", parse::to_body(&Inpaint { job_id: &parent.job_id, mask, prompt, common })?)
            }
            JobRequest::Edit { image, mask, prompt, retexture } => {
                let prompt = parse::require_prompt(prompt, "Edit")?;
                let image = edit_image(image, mask.as_ref())?;
                let kind = if *retexture { "retexture" } else { "edit" };
                let body = parse::to_body_with(&ImageEdit { prompt, mode, hook_url, kind }, "image", image)?;
                return Ok(Prepared::post("/midjourney/image-edits/submit", body));
            }
            JobRequest::CanvasEdit { .. } => return Err(not_offered("canvas edits (outpaint on a canvas)")),
            JobRequest::Remix { .. } => return Err(not_offered("remix")),
            JobRequest::Animate { image, end, video, .. } => {
                return Ok(Prepared::post(video::SUBMIT, video::submit(image, end.as_ref(), video, mode, hook_url)?));
            }
            JobRequest::Extend { parent, video, .. } => {
                return Ok(Prepared::post(video::EXTEND, video::extend(parent, video, hook_url)?));
            }
        };
        Ok(Prepared::post(format!("/midjourney/v1/{path}"), body))
    }

    fn parse_submit(&self, status: u16, body: &str) -> Result<Submitted, GatewayError> {
        let v = parse::object(status, body)?;
        let state = text(v.get("status"));
        if state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("FAILED")) {
            return Err(parse::refusal(status, body));
        }
        let id = v.get("data").and_then(parse::job_id).or_else(|| parse::first_text(&v, &["jobId", "job_id"]));
        match id {
            Some(job_id) => Ok(Submitted { job_id, snapshot: None }),
            None if state.is_some_and(|s| !s.eq_ignore_ascii_case("SUCCESS")) => Err(parse::refusal(status, body)),
            None => Err(parse::malformed(status, "the submit answer holds no job id", body)),
        }
    }

    fn build_fetch(&self, job_id: &str, kind: &JobKind) -> Prepared {
        let base = match kind {
            JobKind::Edit | JobKind::Retexture => EDITS_FETCH,
            _ => FETCH,
        };
        Prepared::get(format!("{base}?jobId={}", parse::encode(job_id)))
    }

    fn parse_fetch(&self, job_id: &str, status: u16, body: &str) -> Result<JobSnapshot, GatewayError> {
        let v = parse::object(status, body)?;
        let data = v.get("data").filter(|d| d.is_object());
        let Some(raw_status) = text(v.get("status")).or_else(|| data.and_then(|d| text(d.get("status")))) else {
            return Err(parse::malformed(status, "the fetch answer holds no status", body));
        };
        if data.is_none() && v.get("jobId").is_none() && raw_status.eq_ignore_ascii_case("FAILED") {
            // A refusal of the fetch itself (no job in it), not a report on the job.
            return Err(parse::refusal(status, body));
        }
        let empty = Value::Null;
        let d = data.unwrap_or(&empty);
        let mut snap = snapshot(job_id, &v, d, raw_status);
        let clips = video::clips(d);
        if !clips.is_empty() {
            // A video job: its clips are its results (the cover image is not one).
            snap.images = clips;
            snap.grid_image = None;
        }
        Ok(snap)
    }
}

fn snapshot(job_id: &str, v: &Value, d: &Value, raw_status: String) -> JobSnapshot {
    let progress = parse::progress(d.get("progress"));
    let state = match raw_status.to_ascii_uppercase().as_str() {
        "PENDING_QUEUE" | "SUBMITTED" => RemoteState::Queued,
        // ON_QUEUE means Midjourney has the job; progress rises while it runs.
        "ON_QUEUE" if progress.unwrap_or(0) > 0 => RemoteState::Running,
        "ON_QUEUE" => RemoteState::Queued,
        "SUCCESS" => RemoteState::Succeeded,
        "FAILED" => RemoteState::Failed,
        _ => RemoteState::Other(raw_status.clone()),
    };
    let actions = parse::strings(d.get("components"));
    let composite = parse::first_text(d, &["cdnImage", "discordImage"]);
    let mut images = parse::strings(d.get("images"));
    let is_grid = images.len() > 1 || actions.iter().any(|a| ActionKind::parse(a).image_index().is_some());
    if images.is_empty() && !is_grid {
        images.extend(composite.clone());
    }
    let grid_image = composite.filter(|c| is_grid || images.first() != Some(c));
    let prompt = text(d.get("prompt"));
    let did = parse::first_text(d, &["actions", "action"]);
    let mut prompts = parse::strings(d.get("prompts"));
    let is_describe = did.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("describe"));
    if prompts.is_empty()
        && let Some(p) = &prompt
        && (is_describe || p.contains('\u{20E3}'))
    {
        prompts = parse::split_describe(p);
    }
    let message = text(v.get("message")).filter(|_| state != RemoteState::Succeeded);
    JobSnapshot {
        job_id: parse::job_id(d).or_else(|| parse::job_id(v)).unwrap_or_else(|| job_id.to_owned()),
        progress: progress.or((state == RemoteState::Succeeded).then_some(100)),
        state,
        raw_status,
        images,
        grid_image,
        actions,
        seed: text(d.get("seed")),
        quota: text(d.get("quota")),
        prompt,
        prompts,
        message,
        width: parse::uint(d.get("width")),
        height: parse::uint(d.get("height")),
        image_id: None,
        submit_time: text(d.get("submitTime")),
        finish_time: text(d.get("finishTime")),
    }
}

fn not_offered(what: &str) -> GatewayError {
    GatewayError::invalid(format!("TTAPI does not offer {what}; use Vtrix for it"))
}

fn blend_image(image: &ImageInput) -> Result<String, GatewayError> {
    match image {
        ImageInput::Bytes { bytes, .. } => Ok(parse::base64(bytes)),
        ImageInput::Url(u) => Err(GatewayError::invalid(format!(
            "TTAPI's Blend takes image files, not links; download {u} and add the file instead"
        ))),
    }
}

/// The `image` of an image-edit: with a mask, the image re-encoded as PNG with the masked
/// pixels made transparent (TTAPI edits the transparent area); without one, as given.
fn edit_image(image: &ImageInput, mask: Option<&Mask>) -> Result<String, GatewayError> {
    match (image, mask) {
        (ImageInput::Url(u), None) => Ok(u.clone()),
        (ImageInput::Url(_), Some(_)) => Err(GatewayError::invalid(
            "an edit with a painted mask needs the image file itself, not a link; open the file instead",
        )),
        (ImageInput::Bytes { bytes, .. }, None) => Ok(parse::base64(bytes)),
        (ImageInput::Bytes { bytes, .. }, Some(mask)) => {
            // Decoded once, under the same limits as every input, in its own layout: the
            // alpha is written while an RGB image is widened, and nothing else is copied.
            let decoded =
                crate::imageio::decode(bytes, "the image").map_err(|e| parse::unreadable_image(&e.to_string()))?;
            parse::check_mask(mask, Some((decoded.width(), decoded.height())))?;
            let png = mask.transparent_png_of(decoded).map_err(|e| GatewayError::invalid(e.to_string()))?;
            Ok(parse::base64(&png))
        }
    }
}

#[cfg(test)]
mod tests;
mod video;
