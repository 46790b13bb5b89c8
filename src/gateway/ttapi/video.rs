//! TTAPI's video calls (Midjourney video, image to clip).
//!
//! Confirmed from TTAPI's public documents, read on 2026-12-06:
//! - <https://docs.ttapi.io/api/en/videoapi/submit> (and the older
//!   <https://docs-zh.mjapiapp.com/api/midjourney-video-api>, <https://ttapi.io/docs/apiReference/midjourney_video>):
//!   `POST /midjourney/video/submit` with `prompt` (string, required), `imageUrl` (the start
//!   frame, required, "must be a publicly accessible image URL"), `endingUrl` (the end frame,
//!   optional, also a URL), `mode` (the older table; the newer example writes `model`;
//!   only `fast`), `manual` (motion: `low` / `high`, default low), `resolution` (`sd` / `hd`,
//!   default sd), `bs` (batch: 1, 2 or 4, default 4) and `hookUrl`. Answer: the usual
//!   envelope with the job id in `data` (`jobId` in the older page, `job_id` in the newer:
//!   both are read).
//! - <https://docs.ttapi.io/api/en/videoapi/extend>: `POST /midjourney/video/extend` with
//!   `jobId` (the finished video job), `index` (0-3, which clip), `manual`, `animateMode`
//!   (`auto` / `manual`), `bs` and `hookUrl`.
//! - "Results come through the usual fetch" (`GET /midjourney/v1/fetch?jobId=`): the fetch
//!   page (<https://docs.ttapi.io/api/en/midjourney/fetch>) only shows an image job.
//!
//! Not confirmed, so chosen here and pinned in `src/sim/protocol.md`:
//! - the field of a fetch that holds the clips: mjdesk reads `data.videos` (strings, or
//!   objects with `url`), then `data.videoUrls`, then any `data.images` ending in `.mp4`;
//! - loop: TTAPI documents no loop field, so a loop is sent as `endingUrl` = `imageUrl`
//!   (a clip that ends on the frame it started from is what a loop is);
//! - a motion prompt on extend: its table has no `prompt`; mjdesk sends `animateMode:
//!   manual` with `prompt` only when the designer wrote one, else `animateMode: auto`;
//! - `resolution` and `bs` on extend follow the clip being extended (`bs` is sent; the
//!   resolution is not a field of extend).

use serde::Serialize;
use serde_json::Value;

use super::super::clips::{check_batch, clip_index};
use super::super::parse;
use crate::error::GatewayError;
use crate::job::{ImageInput, ParentRef, VideoOptions};

pub(super) const SUBMIT: &str = "/midjourney/video/submit";
pub(super) const EXTEND: &str = "/midjourney/video/extend";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Submit<'a> {
    prompt: &'a str,
    image_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ending_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    manual: &'static str,
    resolution: &'static str,
    bs: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook_url: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Extend<'a> {
    job_id: &'a str,
    index: u8,
    manual: &'static str,
    animate_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
    bs: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook_url: Option<&'a str>,
}

fn link<'a>(image: &'a ImageInput, what: &str) -> Result<&'a str, GatewayError> {
    match image {
        ImageInput::Url(u) => Ok(u),
        ImageInput::Bytes { .. } => Err(GatewayError::invalid(format!(
            "TTAPI's video takes the {what} as a link it can fetch, not a file; animate a finished job's image, or give a URL"
        ))),
    }
}

pub(super) fn submit(
    image: &ImageInput,
    end: Option<&ImageInput>,
    video: &VideoOptions,
    mode: Option<&str>,
    hook_url: Option<&str>,
) -> Result<Value, GatewayError> {
    check_batch(video.batch)?;
    let image_url = link(image, "start frame")?;
    let ending_url = match end {
        Some(e) => Some(link(e, "end frame")?),
        None if video.looped => Some(image_url),
        None => None,
    };
    parse::to_body(&Submit {
        prompt: video.manual_prompt().unwrap_or(""),
        image_url,
        ending_url,
        mode,
        manual: video.motion.as_str(),
        resolution: video.resolution.as_str(),
        bs: video.batch,
        hook_url,
    })
}

pub(super) fn extend(parent: &ParentRef, video: &VideoOptions, hook_url: Option<&str>) -> Result<Value, GatewayError> {
    check_batch(video.batch)?;
    let index = clip_index(parent)?;
    let prompt = video.manual_prompt();
    parse::to_body(&Extend {
        job_id: &parent.job_id,
        index,
        manual: video.motion.as_str(),
        animate_mode: if prompt.is_some() { "manual" } else { "auto" },
        prompt,
        bs: video.batch,
        hook_url,
    })
}

/// The clip links of a fetch's `data` (see the module docs for the order they are looked for).
pub(super) fn clips(d: &Value) -> Vec<String> {
    let from = |key: &str| -> Vec<String> {
        d.get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| match i {
                        Value::String(s) => Some(s.clone()),
                        o => parse::first_text(o, &["url", "videoUrl", "video_url"]),
                    })
                    .filter(|s| !s.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let videos = from("videos");
    if !videos.is_empty() {
        return videos;
    }
    let urls = from("videoUrls");
    if !urls.is_empty() {
        return urls;
    }
    from("images").into_iter().filter(|u| u.split(['?', '#']).next().is_some_and(|p| p.ends_with(".mp4"))).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::TtapiProtocol;
    use crate::gateway::Protocol;
    use crate::job::{JobKind, JobRequest, Motion, ParentRef, RemoteState, Resolution, SubmitOptions};

    use super::*;

    fn animate(image: ImageInput, end: Option<ImageInput>, video: VideoOptions) -> JobRequest {
        JobRequest::Animate { image, parent: None, end, video }
    }

    #[test]
    fn submit_sends_the_documented_fields() {
        let video = VideoOptions {
            motion: Motion::High,
            prompt: Some("the fox turns".into()),
            resolution: Resolution::Hd,
            batch: 2,
            looped: false,
        };
        let req =
            animate(ImageInput::Url("https://c/s.png".into()), Some(ImageInput::Url("https://c/e.png".into())), video);
        let opts = SubmitOptions { hook_url: Some("https://hook".into()), ..Default::default() };
        let p = TtapiProtocol.build_submit(&req, &opts).unwrap();
        assert_eq!(p.path, "/midjourney/video/submit");
        assert_eq!(
            p.body.unwrap(),
            json!({"prompt": "the fox turns", "imageUrl": "https://c/s.png", "endingUrl": "https://c/e.png",
                   "manual": "high", "resolution": "hd", "bs": 2, "hookUrl": "https://hook"})
        );
        // Automatic, looping, defaults: the loop is the start frame sent as the end frame.
        let looped = VideoOptions { looped: true, ..Default::default() };
        let p = TtapiProtocol
            .build_submit(&animate(ImageInput::Url("https://c/s.png".into()), None, looped), &SubmitOptions::default())
            .unwrap();
        assert_eq!(
            p.body.unwrap(),
            json!({"prompt": "", "imageUrl": "https://c/s.png", "endingUrl": "https://c/s.png", "manual": "low", "resolution": "sd", "bs": 4})
        );
    }

    #[test]
    fn a_file_or_a_bad_batch_is_refused_before_sending() {
        let file = ImageInput::Bytes { bytes: vec![1, 2, 3], mime: "image/png".into() };
        let e = TtapiProtocol
            .build_submit(&animate(file, None, VideoOptions::default()), &SubmitOptions::default())
            .unwrap_err();
        assert!(e.to_string().contains("as a link it can fetch"), "{e}");
        let bad = VideoOptions { batch: 3, ..Default::default() };
        let e = TtapiProtocol
            .build_submit(&animate(ImageInput::Url("https://x".into()), None, bad), &SubmitOptions::default())
            .unwrap_err();
        assert_eq!(e.to_string(), "a video batch is 1, 2 or 4 clips, not 3");
    }

    #[test]
    fn extend_names_the_job_and_the_clip() {
        let parent = ParentRef { job_id: "v-1".into(), image_id: None, image_index: Some(3) };
        let req = JobRequest::Extend { parent, extends: 1, video: VideoOptions { batch: 1, ..Default::default() } };
        let p = TtapiProtocol.build_submit(&req, &SubmitOptions::default()).unwrap();
        assert_eq!(p.path, "/midjourney/video/extend");
        assert_eq!(
            p.body.unwrap(),
            json!({"jobId": "v-1", "index": 3, "manual": "low", "animateMode": "auto", "bs": 1})
        );
        let manual = VideoOptions { prompt: Some("zoom in".into()), ..Default::default() };
        let req = JobRequest::Extend {
            parent: ParentRef { image_index: Some(0), ..ParentRef::job("v-1") },
            extends: 2,
            video: manual,
        };
        let body = TtapiProtocol.build_submit(&req, &SubmitOptions::default()).unwrap().body.unwrap();
        assert_eq!((body["animateMode"].as_str(), body["prompt"].as_str()), (Some("manual"), Some("zoom in")));
        let req = JobRequest::Extend { parent: ParentRef::job("v-1"), extends: 1, video: VideoOptions::default() };
        assert!(TtapiProtocol.build_submit(&req, &SubmitOptions::default()).is_err(), "no clip named");
    }

    #[test]
    fn a_fetch_of_a_video_job_reads_its_clips() {
        let kind = JobKind::Animate { parent: None };
        let body = json!({"status": "SUCCESS", "message": "", "jobId": "v-1", "data": {
            "jobId": "v-1", "progress": "100", "cdnImage": "https://c/cover.png",
            "videos": ["https://c/0.mp4", {"url": "https://c/1.mp4"}]}});
        let snap = TtapiProtocol.parse_fetch("v-1", 200, &body.to_string()).unwrap();
        assert_eq!(snap.state, RemoteState::Succeeded);
        assert_eq!(snap.images, ["https://c/0.mp4", "https://c/1.mp4"]);
        assert_eq!(snap.grid_image, None);
        let _ = kind;
        let older = json!({"data": {"images": ["https://c/a.png", "https://c/0.mp4?x=1"]}});
        assert_eq!(clips(&older["data"]), ["https://c/0.mp4?x=1"]);
        let urls = json!({"data": {"videoUrls": ["https://c/9.mp4"]}});
        assert_eq!(clips(&urls["data"]), ["https://c/9.mp4"]);
    }
}
