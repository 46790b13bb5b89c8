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
        };
        let mut prepared = Prepared::post(format!("/midjourney/{path}"), body);
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
        image_id: text(r.get("image_id")),
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
fn image_url(image: &ImageInput) -> String {
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
mod tests {
    use super::*;
    use crate::mask::Mask;
    use base64::Engine;
    use serde_json::json;

    fn ace() -> AcedataProtocol {
        AcedataProtocol { callback_url: Some("http://127.0.0.1:9/health".into()) }
    }

    fn parent(image_id: Option<&str>) -> ParentRef {
        ParentRef { job_id: "t-1".into(), image_id: image_id.map(str::to_owned), image_index: None }
    }

    fn mask_3x2() -> Mask {
        let mut m = Mask::new(3, 2);
        m.set(1, 1, true);
        m
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbaImage::new(w, h).write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn decoded_mask(v: &Value) -> Mask {
        let s = v.as_str().expect("mask as text");
        Mask::from_png(&base64::engine::general_purpose::STANDARD.decode(s).expect("plain base64")).unwrap()
    }

    fn body(p: Prepared) -> Value {
        p.body.expect("a body")
    }

    #[test]
    fn bearer_auth() {
        assert_eq!(ace().auth_header(&ApiKey::new("tok")), ("Authorization", "Bearer tok".to_owned()));
    }

    #[test]
    fn imagine_always_carries_the_callback_so_it_answers_at_once() {
        let opts = SubmitOptions { mode: Some(Mode::Fast), timeout_secs: Some(300), ..Default::default() };
        let p = ace().build_submit(&JobRequest::Imagine { prompt: "a fox".into() }, &opts).unwrap();
        assert_eq!((p.path.as_str(), p.long), ("/midjourney/imagine", false));
        assert_eq!(
            body(p),
            json!({"prompt": "a fox", "action": "generate", "mode": "fast", "timeout": 300,
                   "split_images": true, "callback_url": "http://127.0.0.1:9/health"})
        );
    }

    #[test]
    fn without_a_callback_the_call_is_long_and_a_hook_replaces_the_callback() {
        let blocking = AcedataProtocol { callback_url: None };
        let p = blocking.build_submit(&JobRequest::Imagine { prompt: "a".into() }, &SubmitOptions::default()).unwrap();
        assert!(p.long);
        assert_eq!(p.body.unwrap().get("callback_url"), None);
        let opts = SubmitOptions {
            hook_url: Some("https://mine/hook".into()),
            get_u_images: Some(false),
            ..Default::default()
        };
        let p = blocking.build_submit(&JobRequest::Imagine { prompt: "a".into() }, &opts).unwrap();
        assert!(!p.long);
        let b = body(p);
        assert_eq!((&b["callback_url"], &b["split_images"]), (&json!("https://mine/hook"), &json!(false)));
    }

    #[test]
    fn actions_send_the_string_verbatim_with_the_parents_image_id() {
        let req = JobRequest::Action { parent: parent(Some("1391372193836826624")), action: "upscale2".into() };
        let p = ace().build_submit(&req, &SubmitOptions::default()).unwrap();
        assert_eq!(p.path, "/midjourney/imagine");
        assert_eq!(
            body(p),
            json!({"action": "upscale2", "image_id": "1391372193836826624", "split_images": true,
                   "callback_url": "http://127.0.0.1:9/health"})
        );
        let req = JobRequest::Action { parent: parent(None), action: "upscale2".into() };
        let err = ace().build_submit(&req, &SubmitOptions::default()).unwrap_err();
        assert!(matches!(&err, GatewayError::Invalid(m) if m.contains("image_id") && m.contains("t-1")), "{err}");
    }

    #[test]
    fn inpaint_is_variation_region_with_a_plain_base64_mask() {
        let req = JobRequest::Inpaint { parent: parent(Some("img-9")), mask: mask_3x2(), prompt: Some("a hat".into()) };
        let b = body(ace().build_submit(&req, &SubmitOptions::default()).unwrap());
        assert_eq!(
            (&b["action"], &b["image_id"], &b["prompt"]),
            (&json!("variation_region"), &json!("img-9"), &json!("a hat"))
        );
        assert_eq!(decoded_mask(&b["mask"]), mask_3x2());
        let req = JobRequest::Inpaint { parent: parent(None), mask: mask_3x2(), prompt: None };
        assert!(ace().build_submit(&req, &SubmitOptions::default()).is_err());
    }

    #[test]
    fn edits_send_bytes_as_a_data_uri_and_the_mask_as_black_and_white() {
        let image = ImageInput::Bytes { bytes: png(3, 2), mime: "image/png".into() };
        let req = JobRequest::Edit { image, mask: Some(mask_3x2()), prompt: "blue".into(), retexture: false };
        let opts = SubmitOptions { mode: Some(Mode::Relax), timeout_secs: Some(9), ..Default::default() };
        let p = ace().build_submit(&req, &opts).unwrap();
        assert_eq!(p.path, "/midjourney/edits");
        let b = body(p);
        assert_eq!((&b["action"], &b["prompt"], &b["mode"]), (&json!("generate"), &json!("blue"), &json!("relax")));
        let uri = b["image_url"].as_str().unwrap();
        let encoded = uri.strip_prefix("data:image/png;base64,").expect("a data URI");
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap(), png(3, 2));
        assert_eq!(decoded_mask(&b["mask"]), mask_3x2());
        assert_eq!(b.get("timeout"), None);

        let req = JobRequest::Edit {
            image: ImageInput::Url("https://cdn.acedata.cloud/jgo1cw.jpg".into()),
            mask: None,
            prompt: "A cat".into(),
            retexture: false,
        };
        let b = body(ace().build_submit(&req, &SubmitOptions::default()).unwrap());
        assert_eq!(
            b,
            json!({"action": "generate", "image_url": "https://cdn.acedata.cloud/jgo1cw.jpg", "prompt": "A cat",
                   "split_images": true, "callback_url": "http://127.0.0.1:9/health"})
        );
    }

    #[test]
    fn edits_refuse_a_mask_of_the_wrong_size_and_retexture() {
        let image = ImageInput::Bytes { bytes: png(4, 2), mime: "image/png".into() };
        let req = JobRequest::Edit { image, mask: Some(mask_3x2()), prompt: "x".into(), retexture: false };
        let err = ace().build_submit(&req, &SubmitOptions::default()).unwrap_err();
        assert!(err.to_string().contains("3x2 but the image is 4x2"), "{err}");
        let req =
            JobRequest::Edit { image: ImageInput::Url("u".into()), mask: None, prompt: "x".into(), retexture: true };
        assert!(ace().build_submit(&req, &SubmitOptions::default()).unwrap_err().to_string().contains("retexture"));
        let req = JobRequest::Blend { images: vec![], dimensions: None };
        assert!(
            ace()
                .build_submit(&req, &SubmitOptions::default())
                .unwrap_err()
                .to_string()
                .contains("does not offer blend")
        );
    }

    #[test]
    fn describe_and_seed_bodies() {
        let req = JobRequest::Describe { image: ImageInput::Bytes { bytes: vec![1, 2, 3], mime: String::new() } };
        let p = ace().build_submit(&req, &SubmitOptions::default()).unwrap();
        assert_eq!(p.path, "/midjourney/describe");
        assert_eq!(
            body(p),
            json!({"image_url": "data:image/png;base64,AQID", "callback_url": "http://127.0.0.1:9/health"})
        );
        let p =
            ace().build_submit(&JobRequest::Seed { parent: parent(Some("img-3")) }, &SubmitOptions::default()).unwrap();
        assert_eq!(p.path, "/midjourney/seed");
        assert_eq!(body(p), json!({"image_id": "img-3", "callback_url": "http://127.0.0.1:9/health"}));
    }

    #[test]
    fn fetch_is_a_tasks_retrieve() {
        let p = ace().build_fetch("b8b7", &JobKind::Edit);
        assert_eq!((p.method, p.path.as_str()), (super::super::Method::Post, "/midjourney/tasks"));
        assert_eq!(body(p), json!({"action": "retrieve", "id": "b8b7"}));
    }

    #[test]
    fn documented_submit_answers() {
        let s = ace().parse_submit(200, include_str!("fixtures/acedata_task_id.json")).unwrap();
        assert_eq!(s, Submitted { job_id: "b8b7fdc2-628e-40dd-bc0c-671c3ddac9e9".into(), snapshot: None });

        let s = ace().parse_submit(200, include_str!("fixtures/acedata_edits_result.json")).unwrap();
        assert_eq!(s.job_id, "26c39859-f54a-4998-9e42-3da96eceee8c");
        let snap = s.snapshot.expect("a blocking call answers the result");
        assert_eq!((snap.state, snap.progress), (RemoteState::Succeeded, Some(100)));
        assert_eq!(snap.images.len(), 4);
        assert!(snap.images[2].ends_with("88e16dab-ef48-43a5-af73-bf24065287bc/0_2.png"));
        assert!(snap.grid_image.unwrap().contains("cat_sitting_table_88e16dab"));
        assert_eq!(
            (snap.image_id.as_deref(), snap.width, snap.height),
            (Some("1391372193836826624"), Some(960), Some(1200))
        );

        let err = ace().parse_submit(200, include_str!("fixtures/acedata_error.json")).unwrap_err();
        let f = err.api().expect("a refusal");
        assert_eq!((f.status, f.code.as_deref(), f.message.as_deref()), (200, Some("api_error"), Some("fetch failed")));
        assert!(matches!(ace().parse_submit(200, "Bad Gateway"), Err(GatewayError::Malformed { .. })));
        assert!(matches!(ace().parse_submit(200, "{}"), Err(GatewayError::Malformed { .. })));
    }

    fn lookup(state: &str, response: Value) -> JobSnapshot {
        let body =
            json!({"id": "t-1", "created_at": 1, "state": state, "request": {"prompt": "a fox"}, "response": response});
        ace().parse_fetch("t-1", 200, &body.to_string()).unwrap()
    }

    #[test]
    fn running_is_decided_by_the_absence_of_success_not_by_state() {
        let s = lookup("succeeded", json!({"task_id": "t-1", "progress": 40}));
        assert_eq!((s.state, s.progress, s.raw_status.as_str()), (RemoteState::Running, Some(40), "succeeded"));
        assert_eq!(lookup("running", json!({"progress": "55%"})).progress, Some(55));
        let s = lookup("pending", json!({}));
        assert_eq!((s.state, s.progress, s.prompt.as_deref()), (RemoteState::Running, None, Some("a fox")));
        let s = ace().parse_fetch("t-1", 200, r#"{"id":"t-1","state":"pending","response":null}"#).unwrap();
        assert_eq!(s.state, RemoteState::Running);
    }

    #[test]
    fn a_finished_lookup_carries_the_result_and_its_actions() {
        let mut done: Value = serde_json::from_str(include_str!("fixtures/acedata_callback_result.json")).unwrap();
        done["actions"] = json!(["upscale1", "upscale2", "upscale3", "upscale4", "reroll", "some_new_action"]);
        let s = lookup("running", done);
        assert_eq!((s.state, s.job_id.as_str()), (RemoteState::Succeeded, "b8b7fdc2-628e-40dd-bc0c-671c3ddac9e9"));
        assert_eq!(s.actions.last().map(String::as_str), Some("some_new_action"));
        assert_eq!((s.images.len(), s.image_id.as_deref()), (4, Some("1391374390892953600")));

        let single = json!({"success": true, "task_id": "t-2", "image_url": "https://c/one.png", "actions": ["upscale_2x", "pan_left"]});
        let s = lookup("succeeded", single);
        assert_eq!((s.images, s.grid_image), (vec!["https://c/one.png".to_owned()], None));
        let grid = json!({"success": true, "task_id": "t-3", "image_url": "https://c/grid.png", "actions": ["upscale1", "variation1"]});
        let s = lookup("succeeded", grid);
        assert_eq!((s.images.len(), s.grid_image.as_deref()), (0, Some("https://c/grid.png")));
    }

    #[test]
    fn a_failed_lookup_keeps_the_reason_verbatim() {
        let s = lookup(
            "failed",
            json!({"success": false, "task_id": "t-1",
            "error": {"code": "generation_failed", "message": "[Banned prompt detected] flagged word"}}),
        );
        assert_eq!(
            (s.state, s.message.as_deref()),
            (RemoteState::Failed, Some("[Banned prompt detected] flagged word"))
        );
    }

    #[test]
    fn describe_seed_batch_and_unreadable_lookups() {
        let s = lookup(
            "succeeded",
            json!({"success": true, "task_id": "t-1", "descriptions": ["a", "b", "c", "d"], "seed": 42}),
        );
        assert_eq!((s.prompts.len(), s.seed.as_deref()), (4, Some("42")));
        let batch = json!({"items": [{"id": "t-0", "response": {}}, {"id": "t-1", "state": "x", "response": {"success": true, "progress": 100}}], "count": 2});
        let s = ace().parse_fetch("t-1", 200, &batch.to_string()).unwrap();
        assert_eq!((s.state, s.job_id.as_str()), (RemoteState::Succeeded, "t-1"));
        let err = ace().parse_fetch("t-1", 200, include_str!("fixtures/acedata_error.json")).unwrap_err();
        assert_eq!(err.api().and_then(|f| f.message.as_deref()), Some("fetch failed"));
        for bad in ["<html/>", r#"{"state":"running"}"#, r#"{"id":"t-1","response":"soon"}"#] {
            match ace().parse_fetch("t-1", 200, bad) {
                Err(GatewayError::Malformed { body, .. }) => assert_eq!(body, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
