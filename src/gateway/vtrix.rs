//! Vtrix (`Authorization: Bearer`): one generation endpoint, requests tagged by `model`.
//!
//! Its docs confirm neither the submit nor the polling path, so both are configurable
//! ([`VtrixPaths`]). It offers Midjourney's "secondary editing" flows on an earlier job's
//! image (`jobId` + `imageNo`): canvas edit, inpaint and remix. Masks go as polygons in image
//! pixels (`{areas: [{width, height, points: [x1, y1, ...]}]}`), built by
//! [`crate::mask::Mask::to_polygons`].

use serde::Serialize;
use serde_json::Value;

use super::parse::{self, text};
use super::{Prepared, Protocol};
use crate::error::GatewayError;
use crate::job::{JobKind, JobRequest, JobSnapshot, ParentRef, Provider, RemoteState, SubmitOptions, Submitted};
use crate::mask::Mask;
use crate::secret::ApiKey;

/// Vtrix submit and polling paths (unconfirmed by its docs, so configurable). `poll` holds
/// `{id}`, replaced by the task id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtrixPaths {
    pub submit: String,
    pub poll: String,
}

impl Default for VtrixPaths {
    fn default() -> Self {
        Self { submit: "/model/v1/generation".into(), poll: "/model/v1/generation/{id}".into() }
    }
}

#[derive(Debug, Clone)]
pub struct VtrixProtocol {
    pub paths: VtrixPaths,
}

/// The documented bounds of `remixPrompt`, in characters.
const PROMPT_MAX: usize = 8192;

#[derive(Serialize)]
struct Size {
    width: u32,
    height: u32,
}

#[derive(Serialize)]
struct ImgPos {
    width: u32,
    height: u32,
    x: i32,
    y: i32,
}

/// The repaint area as polygons; `width`/`height` are the image's size.
#[derive(Serialize)]
struct Areas {
    areas: Vec<Area>,
}

#[derive(Serialize)]
struct Area {
    width: u32,
    height: u32,
    points: Vec<u32>,
}

/// `midjourney_edit`: the parent's image placed on a canvas (outpaint / reposition).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Edit<'a> {
    model: &'static str,
    job_id: &'a str,
    image_no: u8,
    canvas: Size,
    img_pos: ImgPos,
    remix_prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mask: Option<Areas>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Inpaint<'a> {
    model: &'static str,
    job_id: &'a str,
    image_no: u8,
    mask: Areas,
    #[serde(skip_serializing_if = "Option::is_none")]
    remix_prompt: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Remix<'a> {
    model: &'static str,
    job_id: &'a str,
    image_no: u8,
    /// 0 = strong, 1 = subtle.
    mode: u8,
    remix_prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a str>,
}

/// `midjourney_imagine`: unconfirmed for the real gateway (its docs only describe the
/// secondary-editing models); the simulator serves it, and a real Vtrix that lacks it
/// answers with an error shown verbatim.
#[derive(Serialize)]
struct Imagine<'a> {
    model: &'static str,
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a str>,
}

impl Protocol for VtrixProtocol {
    fn provider(&self) -> Provider {
        Provider::Vtrix
    }

    fn auth_header(&self, key: &ApiKey) -> (&'static str, String) {
        ("Authorization", format!("Bearer {}", key.expose()))
    }

    fn build_submit(&self, req: &JobRequest, opts: &SubmitOptions) -> Result<Prepared, GatewayError> {
        let callback = opts.hook_url.as_deref().filter(|h| !h.trim().is_empty());
        let body = match req {
            JobRequest::Imagine { prompt } => {
                let prompt = parse::require_prompt(prompt, "Imagine")?;
                parse::to_body(&Imagine { model: "midjourney_imagine", prompt, callback })?
            }
            JobRequest::CanvasEdit { parent, canvas, prompt, mask } => {
                if canvas.width == 0 || canvas.height == 0 || canvas.img_width == 0 || canvas.img_height == 0 {
                    return Err(GatewayError::invalid(
                        "the canvas and the image on it need a width and height above 0",
                    ));
                }
                let mask = mask.as_ref().filter(|m| m.count() > 0).map(areas);
                parse::to_body(&Edit {
                    model: "midjourney_edit",
                    job_id: &parent.job_id,
                    image_no: image_no(parent)?,
                    canvas: Size { width: canvas.width, height: canvas.height },
                    img_pos: ImgPos { width: canvas.img_width, height: canvas.img_height, x: canvas.x, y: canvas.y },
                    remix_prompt: remix_prompt(prompt)?,
                    mask,
                    callback,
                })?
            }
            JobRequest::Inpaint { parent, mask, prompt } => {
                parse::check_mask(mask, None)?;
                let remix_prompt = match prompt.as_deref().filter(|p| !p.trim().is_empty()) {
                    Some(p) => Some(remix_prompt(p)?),
                    None => None,
                };
                parse::to_body(&Inpaint {
                    model: "midjourney_inpaint",
                    job_id: &parent.job_id,
                    image_no: image_no(parent)?,
                    mask: areas(mask),
                    remix_prompt,
                    callback,
                })?
            }
            JobRequest::Remix { parent, prompt, strong } => parse::to_body(&Remix {
                model: "midjourney_remix",
                job_id: &parent.job_id,
                image_no: image_no(parent)?,
                mode: if *strong { 0 } else { 1 },
                remix_prompt: remix_prompt(prompt)?,
                callback,
            })?,
            JobRequest::Action { .. } => return Err(not_offered("follow-up actions (upscale, variation, zoom, pan)")),
            JobRequest::Blend { .. } => return Err(not_offered("blend")),
            JobRequest::Describe { .. } => return Err(not_offered("describe")),
            JobRequest::Seed { .. } => return Err(not_offered("seed lookup")),
            JobRequest::Edit { .. } => return Err(not_offered("edits of an uploaded image")),
            JobRequest::Animate { .. } | JobRequest::Extend { .. } => {
                return Err(GatewayError::NoVideoCall { gateway: "Vtrix" });
            }
        };
        Ok(Prepared::post(self.paths.submit.clone(), body))
    }

    fn parse_submit(&self, status: u16, body: &str) -> Result<Submitted, GatewayError> {
        let v = parse::object(status, body)?;
        let id = |o: &Value| parse::first_text(o, &["id", "task_id", "taskId"]);
        if let Some(job_id) = id(&v).or_else(|| v.get("data").and_then(id)) {
            return Ok(Submitted { job_id, snapshot: None });
        }
        let (code, message) = super::http::error_fields(&v);
        if code.is_some() || message.is_some() {
            return Err(parse::refusal(status, body));
        }
        Err(parse::malformed(status, "the submit answer holds no task id", body))
    }

    fn build_fetch(&self, job_id: &str, _kind: &JobKind) -> Prepared {
        Prepared::get(self.paths.poll.replace("{id}", &parse::encode(job_id)))
    }

    fn parse_fetch(&self, job_id: &str, status: u16, body: &str) -> Result<JobSnapshot, GatewayError> {
        let v = parse::object(status, body)?;
        let task = match v.get("data") {
            Some(d) if v.get("status").is_none() && d.get("status").is_some() => d,
            _ => &v,
        };
        let Some(raw_status) = text(task.get("status")) else {
            if v.get("error").is_some() {
                return Err(parse::refusal(status, body));
            }
            return Err(parse::malformed(status, "the task answer holds no status", body));
        };
        let state = match raw_status.to_ascii_lowercase().as_str() {
            "pending" | "queued" => RemoteState::Queued,
            "processing" | "running" => RemoteState::Running,
            "completed" | "succeeded" => RemoteState::Succeeded,
            "failed" => RemoteState::Failed,
            _ => RemoteState::Other(raw_status.clone()),
        };
        let message = task
            .get("error")
            .and_then(|e| parse::first_text(e, &["error_message", "message", "code"]).or_else(|| text(Some(e))));
        Ok(JobSnapshot {
            job_id: text(task.get("id")).unwrap_or_else(|| job_id.to_owned()),
            progress: parse::progress(task.get("progress")).or((state == RemoteState::Succeeded).then_some(100)),
            state,
            raw_status,
            images: output_urls(task.get("output")),
            quota: task.get("usage").and_then(|u| text(u.get("cost"))),
            message,
            ..Default::default()
        })
    }
}

/// The image URLs of `output[].content[]` (items of another type, such as video, skipped).
fn output_urls(output: Option<&Value>) -> Vec<String> {
    let outputs = match output {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut urls = Vec::new();
    for out in outputs {
        for item in out.get("content").and_then(Value::as_array).into_iter().flatten() {
            let is_image = text(item.get("type")).is_none_or(|t| t.eq_ignore_ascii_case("image"));
            match item {
                Value::String(u) if !u.trim().is_empty() => urls.push(u.clone()),
                _ if is_image => urls.extend(text(item.get("url"))),
                _ => {}
            }
        }
    }
    urls
}

fn areas(mask: &Mask) -> Areas {
    let (width, height) = (mask.width(), mask.height());
    let areas = mask
        .to_polygons()
        .into_iter()
        .map(|poly| Area { width, height, points: poly.into_iter().flat_map(|(x, y)| [x, y]).collect() })
        .collect();
    Areas { areas }
}

/// Which of the parent grid's four images (0-3) the flow works on.
fn image_no(parent: &ParentRef) -> Result<u8, GatewayError> {
    match parent.image_index {
        Some(n @ 0..=3) => Ok(n),
        Some(n) => Err(GatewayError::invalid(format!("Vtrix numbers a grid's images 0 to 3, not {n}"))),
        None => Err(GatewayError::invalid(format!(
            "Vtrix needs to know which of job {}'s four images to use; pick one first",
            parent.job_id
        ))),
    }
}

fn remix_prompt(prompt: &str) -> Result<&str, GatewayError> {
    let n = prompt.chars().count();
    if prompt.trim().is_empty() {
        Err(GatewayError::invalid("Vtrix needs a prompt for this; write what you want to see"))
    } else if n > PROMPT_MAX {
        Err(GatewayError::invalid(format!("the prompt is {n} characters; Vtrix accepts at most {PROMPT_MAX}")))
    } else {
        Ok(prompt)
    }
}

fn not_offered(what: &str) -> GatewayError {
    GatewayError::invalid(format!("Vtrix does not offer {what}; use TTAPI or AceData for it"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::Canvas;
    use serde_json::json;

    fn vtrix() -> VtrixProtocol {
        VtrixProtocol { paths: VtrixPaths::default() }
    }

    fn parent(index: Option<u8>) -> ParentRef {
        ParentRef { job_id: "mj-7".into(), image_id: None, image_index: index }
    }

    fn submit(req: JobRequest) -> Result<Prepared, GatewayError> {
        vtrix().build_submit(&req, &SubmitOptions { hook_url: Some("https://h/cb".into()), ..Default::default() })
    }

    const CANVAS: Canvas = Canvas { width: 2048, height: 1024, img_width: 1024, img_height: 1024, x: 512, y: 0 };

    #[test]
    fn bearer_auth_and_configurable_paths() {
        assert_eq!(vtrix().auth_header(&ApiKey::new("vk")), ("Authorization", "Bearer vk".to_owned()));
        let p = vtrix().build_fetch("id 1/2", &JobKind::Imagine);
        assert_eq!((p.method, p.path.as_str()), (super::super::Method::Get, "/model/v1/generation/id%201%2F2"));
        let custom =
            VtrixProtocol { paths: VtrixPaths { submit: "/v2/gen".into(), poll: "/v2/tasks/{id}/result".into() } };
        assert_eq!(custom.build_fetch("t", &JobKind::Imagine).path, "/v2/tasks/t/result");
        let req = JobRequest::Imagine { prompt: "a".into() };
        assert_eq!(custom.build_submit(&req, &SubmitOptions::default()).unwrap().path, "/v2/gen");
    }

    #[test]
    fn canvas_edit_sends_canvas_position_and_mask_areas() {
        let mut mask = Mask::new(8, 6);
        mask.fill_rect(2, 1, 5, 4, true);
        let req = JobRequest::CanvasEdit {
            parent: parent(Some(2)),
            canvas: CANVAS,
            prompt: "wider beach".into(),
            mask: Some(mask),
        };
        let p = submit(req).unwrap();
        assert_eq!(p.path, "/model/v1/generation");
        assert_eq!(
            p.body.unwrap(),
            json!({"model": "midjourney_edit", "jobId": "mj-7", "imageNo": 2,
                   "canvas": {"width": 2048, "height": 1024},
                   "imgPos": {"width": 1024, "height": 1024, "x": 512, "y": 0},
                   "remixPrompt": "wider beach",
                   "mask": {"areas": [{"width": 8, "height": 6, "points": [2, 1, 5, 1, 5, 4, 2, 4]}]},
                   "callback": "https://h/cb"})
        );
        let req = JobRequest::CanvasEdit {
            parent: parent(Some(0)),
            canvas: CANVAS,
            prompt: "x".into(),
            mask: Some(Mask::new(8, 6)),
        };
        assert_eq!(submit(req).unwrap().body.unwrap().get("mask"), None, "an empty mask is no mask");
        let flat = Canvas { width: 0, ..CANVAS };
        let req = JobRequest::CanvasEdit { parent: parent(Some(0)), canvas: flat, prompt: "x".into(), mask: None };
        assert!(submit(req).unwrap_err().to_string().contains("above 0"));
    }

    #[test]
    fn remix_prompt_length_is_checked_in_characters_before_sending() {
        let edit =
            |prompt: String| JobRequest::CanvasEdit { parent: parent(Some(1)), canvas: CANVAS, prompt, mask: None };
        assert!(submit(edit("é".repeat(PROMPT_MAX))).is_ok(), "8192 two-byte characters are allowed");
        let err = submit(edit("a".repeat(PROMPT_MAX + 1))).unwrap_err();
        assert!(matches!(&err, GatewayError::Invalid(m) if m.contains("8193 characters")), "{err}");
        assert!(matches!(submit(edit(String::new())), Err(GatewayError::Invalid(_))));
        let remix = JobRequest::Remix { parent: parent(Some(1)), prompt: "b".repeat(PROMPT_MAX + 1), strong: true };
        assert!(submit(remix).is_err());
    }

    #[test]
    fn inpaint_remix_and_imagine_bodies() {
        let mut mask = Mask::new(4, 4);
        mask.fill_rect(0, 0, 2, 2, true);
        let req = JobRequest::Inpaint { parent: parent(Some(3)), mask, prompt: Some("a hat".into()) };
        assert_eq!(
            submit(req).unwrap().body.unwrap(),
            json!({"model": "midjourney_inpaint", "jobId": "mj-7", "imageNo": 3,
                   "mask": {"areas": [{"width": 4, "height": 4, "points": [0, 0, 2, 0, 2, 2, 0, 2]}]},
                   "remixPrompt": "a hat", "callback": "https://h/cb"})
        );
        let req = JobRequest::Inpaint { parent: parent(Some(3)), mask: Mask::new(4, 4), prompt: None };
        assert!(submit(req).unwrap_err().to_string().contains("marks nothing"));
        for (strong, mode) in [(true, 0), (false, 1)] {
            let req = JobRequest::Remix { parent: parent(Some(0)), prompt: "night".into(), strong };
            let b = submit(req).unwrap().body.unwrap();
            assert_eq!(
                b,
                json!({"model": "midjourney_remix", "jobId": "mj-7", "imageNo": 0, "mode": mode,
                                 "remixPrompt": "night", "callback": "https://h/cb"})
            );
        }
        let b =
            vtrix().build_submit(&JobRequest::Imagine { prompt: "a fox".into() }, &SubmitOptions::default()).unwrap();
        assert_eq!(b.body.unwrap(), json!({"model": "midjourney_imagine", "prompt": "a fox"}));
    }

    #[test]
    fn image_number_is_required_and_bounded_and_other_flows_refused() {
        let remix = |i| JobRequest::Remix { parent: parent(i), prompt: "x".into(), strong: false };
        assert!(submit(remix(None)).unwrap_err().to_string().contains("which of job mj-7's four images"));
        assert!(submit(remix(Some(4))).unwrap_err().to_string().contains("0 to 3, not 4"));
        let req = JobRequest::Seed { parent: parent(Some(0)) };
        assert!(matches!(submit(req), Err(GatewayError::Invalid(m)) if m.starts_with("Vtrix does not offer seed")));
        let video = crate::job::VideoOptions::default();
        let animate = JobRequest::Animate {
            image: crate::job::ImageInput::Url("https://x/a.png".into()),
            parent: None,
            end: None,
            video: video.clone(),
        };
        let extend = JobRequest::Extend { parent: parent(Some(0)), extends: 1, video };
        for req in [animate, extend] {
            let e = submit(req).unwrap_err();
            assert!(matches!(e, GatewayError::NoVideoCall { gateway: "Vtrix" }), "{e}");
            assert!(e.submit_not_received());
        }
    }

    #[test]
    fn submit_answers_in_every_shape() {
        let read = |b: &str| vtrix().parse_submit(200, b).map(|s| s.job_id);
        assert_eq!(read(r#"{"id":"u-1","status":"pending"}"#).unwrap(), "u-1");
        assert_eq!(read(r#"{"task_id":"u-2"}"#).unwrap(), "u-2");
        assert_eq!(read(r#"{"data":{"taskId":"u-3"}}"#).unwrap(), "u-3");
        let err = read(r#"{"error":{"code":4007003,"error_message":"Invalid image number"}}"#).unwrap_err();
        let f = err.api().expect("a refusal");
        assert_eq!((f.code.as_deref(), f.message.as_deref()), (Some("4007003"), Some("Invalid image number")));
        assert!(matches!(read("gateway busy"), Err(GatewayError::Malformed { body, .. }) if body == "gateway busy"));
        assert!(matches!(read(r#"{"status":"pending"}"#), Err(GatewayError::Malformed { .. })));
    }

    fn poll(v: Value) -> JobSnapshot {
        vtrix().parse_fetch("u-1", 200, &v.to_string()).unwrap()
    }

    #[test]
    fn poll_states_map_and_results_read() {
        let s = poll(json!({"id": "u-1", "status": "pending", "progress": 0}));
        assert_eq!((s.state, s.progress), (RemoteState::Queued, Some(0)));
        let s = poll(json!({"id": "u-1", "status": "processing", "progress": "45%"}));
        assert_eq!((s.state, s.progress), (RemoteState::Running, Some(45)));
        let s = poll(json!({"id": "u-1", "model": "midjourney_edit", "status": "completed",
            "output": [{"content": [{"type": "image", "url": "https://v/0.png"}, {"type": "video", "url": "https://v/x.mp4"},
                                    {"type": "image", "url": "https://v/1.png"}]}],
            "usage": {"cost": "0.05", "discount": 0}, "metadata": {}}));
        assert_eq!((s.state, s.progress, s.quota.as_deref()), (RemoteState::Succeeded, Some(100), Some("0.05")));
        assert_eq!(s.images, ["https://v/0.png", "https://v/1.png"]);
        let s = poll(
            json!({"id": "u-1", "status": "failed", "error": {"code": 4007098, "error_message": "Generation failed: NSFW"}}),
        );
        assert_eq!((s.state, s.message.as_deref()), (RemoteState::Failed, Some("Generation failed: NSFW")));
        let s = poll(json!({"status": "upscaling"}));
        assert_eq!((s.state, s.job_id.as_str()), (RemoteState::Other("upscaling".into()), "u-1"));
        assert_eq!(poll(json!({"data": {"id": "u-9", "status": "completed"}})).job_id, "u-9");
    }

    #[test]
    fn poll_refusals_and_garbage() {
        let err =
            vtrix().parse_fetch("u", 200, r#"{"error":{"code":404,"error_message":"task not found"}}"#).unwrap_err();
        assert_eq!(err.api().and_then(|f| f.message.as_deref()), Some("task not found"));
        for bad in ["", "null", r#"{"id":"u"}"#] {
            assert!(matches!(vtrix().parse_fetch("u", 200, bad), Err(GatewayError::Malformed { .. })), "{bad}");
        }
    }
}
