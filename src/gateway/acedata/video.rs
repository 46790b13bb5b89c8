//! AceData's video call (Midjourney video).
//!
//! Confirmed from AceData's public material, read on 2026-12-06:
//! - its integration guide (<https://juejin.cn/post/7631764056336597043>, AceData's "Midjourney
//!   Videos API" page mirrored) and its own published client, AceDataCloud/MidjourneyCli
//!   (`midjourney_cli/commands/video.py`, `core/output.py` on GitHub):
//!   `POST /midjourney/videos` with `action` (`generate` / `extend`), `prompt`, `image_url`
//!   (the first frame), `end_image_url` (the last frame), `loop` (bool), `resolution`
//!   (`480p` / `720p`), `mode` (`fast` / `turbo`; relax is not offered for video) and
//!   `callback_url`; an extend sends `video_id` and `video_index` (0-based, into the
//!   `video_urls` of the job extended) instead of the image.
//! - The answer: `{success, task_id, video_id, video_urls: [...], cover_image_url}`; with a
//!   `callback_url` the call answers `{task_id}` at once and the task lookup
//!   (`POST /midjourney/tasks`, as for images) later holds that result in `response`.
//!
//! Not confirmed, so chosen here and pinned in `src/sim/protocol.md`:
//! - motion and batch size: no field is documented; Midjourney reads them from the prompt,
//!   so `--motion high` and `--bs N` are appended to the prompt when they differ from
//!   Midjourney's defaults (low motion, four clips);
//! - a file as the first frame goes as a `data:` URI, as AceData's edits accept.

use serde::Serialize;
use serde_json::Value;

use super::super::clips::{check_batch, clip_index};
use super::super::parse::{self, text};
use super::image_url;
use crate::error::GatewayError;
use crate::job::{ImageInput, Motion, ParentRef, Resolution, VideoOptions};

pub(super) const PATH: &str = "/midjourney/videos";

#[derive(Serialize)]
struct Videos<'a> {
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_image_url: Option<String>,
    #[serde(rename = "loop", skip_serializing_if = "Option::is_none")]
    looped: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    video_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    video_index: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
}

/// The prompt with the choices AceData has no field for, as Midjourney parameters.
fn prompt(video: &VideoOptions) -> Option<String> {
    let mut p = video.manual_prompt().unwrap_or("").to_owned();
    if video.motion == Motion::High {
        p.push_str(" --motion high");
    }
    if video.batch != 4 {
        p.push_str(&format!(" --bs {}", video.batch));
    }
    let p = p.trim().to_owned();
    (!p.is_empty()).then_some(p)
}

fn resolution(r: Resolution) -> &'static str {
    match r {
        Resolution::Sd => "480p",
        Resolution::Hd => "720p",
    }
}

pub(super) fn generate(
    image: &ImageInput,
    end: Option<&ImageInput>,
    video: &VideoOptions,
    mode: Option<&str>,
    callback_url: Option<&str>,
) -> Result<Value, GatewayError> {
    check_batch(video.batch)?;
    parse::to_body(&Videos {
        action: "generate",
        prompt: prompt(video),
        image_url: Some(image_url(image)),
        end_image_url: end.map(image_url),
        looped: Some(video.looped),
        resolution: Some(resolution(video.resolution)),
        video_id: None,
        video_index: None,
        mode,
        callback_url,
    })
}

pub(super) fn extend(
    parent: &ParentRef,
    video: &VideoOptions,
    mode: Option<&str>,
    callback_url: Option<&str>,
) -> Result<Value, GatewayError> {
    let index = clip_index(parent)?;
    let video_id = parent.image_id.as_deref().filter(|i| !i.trim().is_empty()).ok_or_else(|| {
        GatewayError::invalid(format!(
            "AceData's extend names the video's video_id, and job {} has none yet; wait until it has succeeded",
            parent.job_id
        ))
    })?;
    parse::to_body(&Videos {
        action: "extend",
        prompt: prompt(video),
        image_url: None,
        end_image_url: None,
        looped: None,
        resolution: None,
        video_id: Some(video_id),
        video_index: Some(index),
        mode,
        callback_url,
    })
}

/// A video result's clips and its `video_id` (the id an extend names), when `r` is one.
pub(super) fn clips(r: &Value) -> Option<(Vec<String>, Option<String>)> {
    let urls = parse::strings(r.get("video_urls"));
    let single = text(r.get("video_url"));
    let urls = if urls.is_empty() { single.into_iter().collect() } else { urls };
    (!urls.is_empty()).then(|| (urls, text(r.get("video_id"))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::AcedataProtocol;
    use crate::gateway::Protocol;
    use crate::job::{JobRequest, Motion, ParentRef, RemoteState, Resolution, SubmitOptions};

    use super::*;

    fn ace() -> AcedataProtocol {
        AcedataProtocol { callback_url: Some("http://cb/health".into()) }
    }

    #[test]
    fn generate_sends_the_documented_fields_and_motion_and_batch_in_the_prompt() {
        let video = VideoOptions {
            motion: Motion::High,
            prompt: Some("waves".into()),
            resolution: Resolution::Hd,
            batch: 2,
            looped: true,
        };
        let req = JobRequest::Animate {
            image: ImageInput::Url("https://c/s.png".into()),
            parent: None,
            end: Some(ImageInput::Url("https://c/e.png".into())),
            video,
        };
        let p = ace().build_submit(&req, &SubmitOptions::default()).unwrap();
        assert_eq!(p.path, "/midjourney/videos");
        assert!(!p.long);
        assert_eq!(
            p.body.unwrap(),
            json!({"action": "generate", "prompt": "waves --motion high --bs 2", "image_url": "https://c/s.png",
                   "end_image_url": "https://c/e.png", "loop": true, "resolution": "720p", "callback_url": "http://cb/health"})
        );
        let plain = JobRequest::Animate {
            image: ImageInput::Bytes { bytes: vec![9, 9], mime: "image/jpeg".into() },
            parent: None,
            end: None,
            video: VideoOptions::default(),
        };
        let body = ace().build_submit(&plain, &SubmitOptions::default()).unwrap().body.unwrap();
        assert_eq!(body.get("prompt"), None, "automatic, low motion, four clips: nothing to say");
        assert_eq!(body["image_url"], "data:image/jpeg;base64,CQk=");
        assert_eq!(body["resolution"], "480p");
    }

    #[test]
    fn extend_names_the_video_id_and_index() {
        let parent =
            ParentRef { job_id: "t-1".into(), image_id: Some("1751816807896311".into()), image_index: Some(1) };
        let req = JobRequest::Extend { parent, extends: 1, video: VideoOptions::default() };
        let body = ace().build_submit(&req, &SubmitOptions::default()).unwrap().body.unwrap();
        assert_eq!(
            body,
            json!({"action": "extend", "video_id": "1751816807896311", "video_index": 1, "callback_url": "http://cb/health"})
        );
        let no_id = JobRequest::Extend {
            parent: ParentRef { image_index: Some(0), ..ParentRef::job("t-1") },
            extends: 1,
            video: VideoOptions::default(),
        };
        let e = ace().build_submit(&no_id, &SubmitOptions::default()).unwrap_err();
        assert!(e.to_string().contains("video_id"), "{e}");
    }

    #[test]
    fn a_video_result_gives_its_clips_and_video_id() {
        let body = json!({"id": "t-1", "state": "succeeded", "response": {"success": true, "task_id": "t-1",
            "video_id": "v-77", "cover_image_url": "https://c/cover.jpg",
            "video_urls": ["https://c/0.mp4", "https://c/1.mp4"]}});
        let snap = ace().parse_fetch("t-1", 200, &body.to_string()).unwrap();
        assert_eq!(snap.state, RemoteState::Succeeded);
        assert_eq!(snap.images, ["https://c/0.mp4", "https://c/1.mp4"]);
        assert_eq!(snap.grid_image, None);
        assert_eq!(snap.image_id.as_deref(), Some("v-77"));
    }
}
