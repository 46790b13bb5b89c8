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
        Ok(snapshot(job_id, &v, d, raw_status))
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
mod tests {
    use super::*;
    use crate::job::{Dimensions, ParentRef};
    use base64::Engine;
    use serde_json::json;

    fn build(req: JobRequest, opts: &SubmitOptions) -> Result<Prepared, GatewayError> {
        TtapiProtocol.build_submit(&req, opts)
    }

    fn b64_decode(v: &Value) -> Vec<u8> {
        let s = v.as_str().expect("a string");
        assert!(!s.starts_with("data:"), "TTAPI wants plain base64");
        base64::engine::general_purpose::STANDARD.decode(s).expect("valid base64")
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8 * 20, y as u8 * 30, 7, 255]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn bytes(data: Vec<u8>) -> ImageInput {
        ImageInput::Bytes { bytes: data, mime: "image/png".into() }
    }

    fn mask_4x3() -> Mask {
        let mut m = Mask::new(4, 3);
        m.fill_rect(1, 0, 3, 2, true);
        m
    }

    #[test]
    fn key_goes_in_its_own_header() {
        let (name, value) = TtapiProtocol.auth_header(&ApiKey::new("k-123"));
        assert_eq!((name, value.as_str()), ("TT-API-KEY", "k-123"));
    }

    #[test]
    fn imagine_sends_mode_not_model_and_every_option() {
        let opts = SubmitOptions {
            mode: Some(Mode::Relax),
            timeout_secs: Some(120),
            hook_url: Some("https://hook.example/x".into()),
            get_u_images: Some(true),
        };
        let p = build(JobRequest::Imagine { prompt: "a cat --ar 3:2".into() }, &opts).unwrap();
        assert_eq!(p.path, "/midjourney/v1/imagine");
        assert_eq!(
            p.body.unwrap(),
            json!({"prompt": "a cat --ar 3:2", "mode": "relax", "timeout": 120,
                   "hookUrl": "https://hook.example/x", "getUImages": true})
        );
        let bare = build(JobRequest::Imagine { prompt: "a cat".into() }, &SubmitOptions::default()).unwrap();
        assert_eq!(bare.body.unwrap(), json!({"prompt": "a cat"}));
        let blank = build(JobRequest::Imagine { prompt: "  ".into() }, &SubmitOptions::default());
        assert!(matches!(blank, Err(GatewayError::Invalid(_))));
    }

    #[test]
    fn action_and_seed_name_the_parent_and_keep_the_action_verbatim() {
        let opts = SubmitOptions { timeout_secs: Some(90), ..Default::default() };
        let req = JobRequest::Action { parent: ParentRef::job("j-1"), action: "zoom_out_2".into() };
        let p = build(req, &opts).unwrap();
        assert_eq!(p.path, "/midjourney/v1/action");
        assert_eq!(p.body.unwrap(), json!({"jobId": "j-1", "action": "zoom_out_2", "timeout": 90}));
        let p = build(JobRequest::Seed { parent: ParentRef::job("j-2") }, &opts).unwrap();
        assert_eq!((p.path.as_str(), p.body.unwrap()), ("/midjourney/v1/seed", json!({"jobId": "j-2", "timeout": 90})));
    }

    #[test]
    fn blend_sends_plain_base64_and_checks_the_count() {
        let opts = SubmitOptions { mode: Some(Mode::Fast), ..Default::default() };
        let req = JobRequest::Blend {
            images: vec![bytes(vec![1, 2, 3]), bytes(vec![4, 5])],
            dimensions: Some(Dimensions::Landscape),
        };
        let p = build(req, &opts).unwrap();
        assert_eq!(p.path, "/midjourney/v1/blend");
        assert_eq!(
            p.body.unwrap(),
            json!({"imgBase64Array": ["AQID", "BAU="], "dimensions": "LANDSCAPE", "mode": "fast"})
        );
        for n in [0, 1, 6] {
            let req = JobRequest::Blend { images: vec![bytes(vec![1]); n], dimensions: None };
            let err = build(req, &opts).unwrap_err();
            assert!(err.to_string().contains(&format!("2 to 5 images, and {n}")), "{err}");
        }
        let req = JobRequest::Blend {
            images: vec![bytes(vec![1]), ImageInput::Url("https://x/y.png".into())],
            dimensions: None,
        };
        assert!(build(req, &opts).unwrap_err().to_string().contains("not links"));
    }

    #[test]
    fn describe_sends_bytes_as_base64_and_links_as_url() {
        let none = SubmitOptions::default();
        let p = build(JobRequest::Describe { image: bytes(vec![0xff, 0x00]) }, &none).unwrap();
        assert_eq!((p.path.as_str(), p.body.unwrap()), ("/midjourney/v1/describe", json!({"base64": "/wA="})));
        let p = build(JobRequest::Describe { image: ImageInput::Url("https://x/a.png".into()) }, &none).unwrap();
        assert_eq!(p.body.unwrap(), json!({"url": "https://x/a.png"}));
    }

    #[test]
    fn inpaint_sends_the_mask_as_a_plain_base64_black_and_white_png() {
        let req =
            JobRequest::Inpaint { parent: ParentRef::job("up-1"), mask: mask_4x3(), prompt: Some("a hat".into()) };
        let p = build(req, &SubmitOptions::default()).unwrap();
        assert_eq!(p.path, "/midjourney/v1/inpaint");
        let body = p.body.unwrap();
        assert_eq!((&body["jobId"], &body["prompt"]), (&json!("up-1"), &json!("a hat")));
        assert_eq!(Mask::from_png(&b64_decode(&body["mask"])).unwrap(), mask_4x3());
        let empty = JobRequest::Inpaint { parent: ParentRef::job("up-1"), mask: Mask::new(4, 3), prompt: None };
        assert!(build(empty, &SubmitOptions::default()).unwrap_err().to_string().contains("marks nothing"));
    }

    #[test]
    fn edit_with_a_mask_sends_the_image_with_the_masked_area_transparent() {
        let req = JobRequest::Edit {
            image: bytes(png(4, 3)),
            mask: Some(mask_4x3()),
            prompt: "blue eyes".into(),
            retexture: false,
        };
        let opts = SubmitOptions {
            mode: Some(Mode::Turbo),
            hook_url: Some("https://h".into()),
            timeout_secs: Some(5),
            ..Default::default()
        };
        let p = build(req, &opts).unwrap();
        assert_eq!(p.path, "/midjourney/image-edits/submit");
        let body = p.body.unwrap();
        assert_eq!(body["type"], "edit");
        assert_eq!(
            (&body["mode"], &body["hookUrl"], body.get("timeout")),
            (&json!("turbo"), &json!("https://h"), None)
        );
        let sent = image::load_from_memory(&b64_decode(&body["image"])).unwrap().to_rgba8();
        let original = image::load_from_memory(&png(4, 3)).unwrap().to_rgba8();
        for (x, y, p) in sent.enumerate_pixels() {
            assert_eq!(p.0[3] == 0, mask_4x3().get(x, y), "alpha at {x},{y}");
            assert_eq!(p.0[..3], original.get_pixel(x, y).0[..3]);
        }
    }

    #[test]
    fn edit_refuses_a_mask_of_the_wrong_size_or_on_a_link() {
        let req =
            JobRequest::Edit { image: bytes(png(5, 3)), mask: Some(mask_4x3()), prompt: "x".into(), retexture: false };
        let err = build(req, &SubmitOptions::default()).unwrap_err();
        assert!(matches!(&err, GatewayError::Invalid(m) if m.contains("4x3 but the image is 5x3")), "{err}");
        let req = JobRequest::Edit {
            image: ImageInput::Url("https://x/a.png".into()),
            mask: Some(mask_4x3()),
            prompt: "x".into(),
            retexture: false,
        };
        assert!(build(req, &SubmitOptions::default()).unwrap_err().to_string().contains("not a link"));
        let req = JobRequest::Edit {
            image: bytes(b"junk".to_vec()),
            mask: Some(mask_4x3()),
            prompt: "x".into(),
            retexture: false,
        };
        assert!(build(req, &SubmitOptions::default()).unwrap_err().to_string().contains("could not be read"));
    }

    #[test]
    fn edit_without_a_mask_sends_the_image_as_it_is() {
        let original = png(4, 3);
        let req = JobRequest::Edit { image: bytes(original.clone()), mask: None, prompt: "x".into(), retexture: true };
        let body = build(req, &SubmitOptions::default()).unwrap().body.unwrap();
        assert_eq!(body["type"], "retexture");
        assert_eq!(b64_decode(&body["image"]), original);
        let req = JobRequest::Edit {
            image: ImageInput::Url("https://x/a.png".into()),
            mask: None,
            prompt: "x".into(),
            retexture: false,
        };
        let body = build(req, &SubmitOptions::default()).unwrap().body.unwrap();
        assert_eq!(body, json!({"image": "https://x/a.png", "prompt": "x", "type": "edit"}));
    }

    #[test]
    fn vtrix_only_flows_are_refused() {
        let req = JobRequest::Remix { parent: ParentRef::job("j"), prompt: "x".into(), strong: true };
        assert!(build(req, &SubmitOptions::default()).unwrap_err().to_string().contains("TTAPI does not offer remix"));
    }

    #[test]
    fn fetch_paths_encode_the_id_and_route_image_edits() {
        let p = TtapiProtocol.build_fetch("a b&c", &JobKind::Imagine);
        assert_eq!(
            (p.method, p.path.as_str(), p.body),
            (super::super::Method::Get, "/midjourney/v1/fetch?jobId=a%20b%26c", None)
        );
        assert_eq!(TtapiProtocol.build_fetch("e1", &JobKind::Edit).path, "/midjourney/image-edits/fetch?jobId=e1");
        assert_eq!(TtapiProtocol.build_fetch("e2", &JobKind::Retexture).path, "/midjourney/image-edits/fetch?jobId=e2");
        assert_eq!(
            TtapiProtocol.build_fetch("s", &JobKind::Seed { parent: "p".into() }).path,
            "/midjourney/v1/fetch?jobId=s"
        );
    }

    #[test]
    fn submit_answers_from_the_docs_and_variants() {
        for body in [include_str!("fixtures/ttapi_submit.json"), include_str!("fixtures/ttapi_edits_submit.json")] {
            let s = TtapiProtocol.parse_submit(200, body).unwrap();
            assert_eq!(s, Submitted { job_id: "afa774a3-1aee-5aba-4510-14818d6875e4".into(), snapshot: None });
        }
        let s = TtapiProtocol.parse_submit(200, r#"{"status":"SUCCESS","data":{"job_id":"x9"}}"#).unwrap();
        assert_eq!(s.job_id, "x9");
    }

    #[test]
    fn a_failed_envelope_inside_200_is_a_refusal_with_the_message_verbatim() {
        let body = r#"{"status":"FAILED","message":"[Invalid parameter] prompt is required","data":null}"#;
        let err = TtapiProtocol.parse_submit(200, body).unwrap_err();
        let f = err.api().expect("an Api error");
        assert_eq!((f.status, f.message.as_deref()), (200, Some("[Invalid parameter] prompt is required")));
        let err = TtapiProtocol
            .parse_fetch("j", 200, r#"{"status":"FAILED","message":"job not found","data":null}"#)
            .unwrap_err();
        assert_eq!(err.api().and_then(|f| f.message.as_deref()), Some("job not found"));
    }

    #[test]
    fn unreadable_answers_are_malformed_with_the_body_kept() {
        for body in ["<html>oops</html>", r#"{"status":"SUCCESS","data":{}}"#] {
            match TtapiProtocol.parse_submit(200, body) {
                Err(GatewayError::Malformed { body: kept, .. }) => assert_eq!(kept, body),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(TtapiProtocol.parse_fetch("j", 200, r#"{"data":{}}"#), Err(GatewayError::Malformed { .. })));
    }

    #[test]
    fn the_documented_fetch_example_reads_fully() {
        let s = TtapiProtocol.parse_fetch("ignored", 200, include_str!("fixtures/ttapi_fetch_imagine.json")).unwrap();
        assert_eq!(
            (s.state.clone(), s.raw_status.as_str(), s.progress),
            (RemoteState::Succeeded, "SUCCESS", Some(100))
        );
        assert_eq!(s.job_id, "f5850038-90a3-8a97-0476-107ea4b8dac4");
        assert_eq!(s.images.len(), 4);
        assert!(s.images[3].ends_with("98b162a1da713eef23c3cfd5f166aee8e4ee09f8cf1f7bbc24bf72990eb80adf.png"));
        assert_eq!(
            s.grid_image.as_deref(),
            Some("http://127.0.0.1/8080/pics/452020f2-6793-4525-a1b5-472cac439610.png")
        );
        assert_eq!(s.actions[0], "upsample1");
        assert_eq!(s.actions.len(), 8);
        assert_eq!((s.seed, s.message), (None, None));
        assert!(s.prompt.unwrap().starts_with("Soccer star"));
    }

    #[test]
    fn the_documented_image_edit_fetch_example_reads_fully() {
        let s = TtapiProtocol.parse_fetch("x", 200, include_str!("fixtures/ttapi_edits_fetch.json")).unwrap();
        assert_eq!(s.state, RemoteState::Succeeded);
        assert_eq!(s.job_id, "7cea558a-6da0-41cd-863f-e90d5866b076");
        assert_eq!((s.quota.as_deref(), s.prompt.as_deref()), (Some("3"), Some("blue-eyed cat")));
        assert_eq!(s.images.len(), 4);
        assert_eq!(s.submit_time.as_deref(), Some("2025-07-30T05:39:16Z"));
        assert_eq!(s.finish_time.as_deref(), Some("2025-07-30T05:40:01Z"));
    }

    #[test]
    fn states_progress_and_failure_reasons() {
        let fetch = |status: &str, data: Value| {
            let body = json!({"status": status, "message": "[Banned prompt detected]", "data": data}).to_string();
            TtapiProtocol.parse_fetch("j", 200, &body).unwrap()
        };
        let s = fetch("PENDING_QUEUE", json!({"progress": "0"}));
        assert_eq!((s.state, s.progress), (RemoteState::Queued, Some(0)));
        let s = fetch("ON_QUEUE", json!({"progress": "45%"}));
        assert_eq!((s.state, s.progress), (RemoteState::Running, Some(45)));
        assert_eq!(fetch("ON_QUEUE", json!({"progress": 63})).progress, Some(63));
        let s = fetch("FAILED", json!({"jobId": "j"}));
        assert_eq!((s.state, s.message.as_deref()), (RemoteState::Failed, Some("[Banned prompt detected]")));
        let s = fetch("MODERATING", json!({}));
        assert_eq!((s.state, s.raw_status.as_str()), (RemoteState::Other("MODERATING".into()), "MODERATING"));
        assert_eq!(s.job_id, "j");
    }

    #[test]
    fn an_upscale_result_is_one_image_and_unknown_actions_are_kept() {
        let body = json!({"status": "SUCCESS", "data": {"actions": "upsample2", "cdnImage": "https://c/u.png",
            "components": ["upscale_subtle", "zoom_out_2", "brand_new_thing"], "seed": 12345, "width": "1024", "height": 1024}});
        let s = TtapiProtocol.parse_fetch("u", 200, &body.to_string()).unwrap();
        assert_eq!((s.images, s.grid_image), (vec!["https://c/u.png".to_owned()], None));
        assert_eq!(s.actions, ["upscale_subtle", "zoom_out_2", "brand_new_thing"]);
        assert_eq!((s.seed.as_deref(), s.width, s.height), (Some("12345"), Some(1024), Some(1024)));
    }

    #[test]
    fn describe_prefers_the_array_and_else_splits_the_text() {
        let joined = "1️⃣ a fox\n\n2️⃣ a dog\n\n3️⃣ a cat\n\n4️⃣ a cow";
        let body = json!({"status": "SUCCESS", "data": {"actions": "describe", "prompt": joined, "prompts": ["A", "B", "C", "D"]}});
        assert_eq!(TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts, ["A", "B", "C", "D"]);
        let body = json!({"status": "SUCCESS", "data": {"actions": "describe", "prompt": joined}});
        assert_eq!(
            TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts,
            ["a fox", "a dog", "a cat", "a cow"]
        );
        let body = json!({"status": "SUCCESS", "data": {"action": "describe", "prompt": "one\n\ntwo"}});
        assert_eq!(TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts, ["one", "two"]);
        let body = json!({"status": "SUCCESS", "data": {"actions": "imagine", "prompt": "one\n\ntwo"}});
        assert!(TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts.is_empty());
    }
}
