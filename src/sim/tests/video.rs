//! Video on the simulator: real MP4s that move over the start frame, end on the end frame,
//! and grow 4 s per extend up to 21 s, on TTAPI's and AceData's calls.

use image::RgbaImage;
use serde_json::{Value, json};

use super::*;
use crate::video::Mp4Decoder;

fn mean_abs_diff(a: &RgbaImage, b: &RgbaImage) -> f64 {
    let b = imageops::resize(b, a.width(), a.height(), imageops::FilterType::Triangle);
    let sum: u64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| (0..3).map(|c| (p.0[c] as i32 - q.0[c] as i32).unsigned_abs() as u64).sum::<u64>())
        .sum();
    sum as f64 / (a.width() as f64 * a.height() as f64 * 3.0)
}

async fn clip(h: &Harness, url: &str) -> Mp4Decoder {
    let resp = h.http.get(url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "downloading {url}");
    assert_eq!(resp.headers()["content-type"], "video/mp4");
    Mp4Decoder::new(resp.bytes().await.unwrap().to_vec()).expect("a real MP4")
}

fn urls(v: &Value) -> Vec<String> {
    v.as_array().expect("an array").iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

/// An upscale's link to animate, with its pixels.
async fn still(h: &Harness) -> (String, RgbaImage) {
    let grid = h.tt_ok("/midjourney/v1/imagine", json!({"prompt": "a lighthouse in a storm --ar 3:2"})).await;
    let up = h.tt_ok("/midjourney/v1/action", json!({"jobId": grid["jobId"], "action": "upsample2"})).await;
    let url = up["images"][0].as_str().unwrap().to_owned();
    let img = h.png(&url).await;
    (url, img)
}

#[tokio::test]
async fn ttapi_animates_a_still_into_moving_clips_then_extends_one_up_to_21_seconds() {
    let h = Harness::instant().await;
    let (url, img) = still(&h).await;
    let body = json!({"prompt": "", "imageUrl": url, "manual": "high", "resolution": "sd", "bs": 2});
    let video = h.tt_ok("/midjourney/video/submit", body).await;
    let clips = urls(&video["videos"]);
    assert_eq!(clips.len(), 2);
    let mut firsts = Vec::new();
    for u in &clips {
        let mut d = clip(&h, u).await;
        let info = d.info();
        assert_eq!((info.height, info.frames), (120, 120), "SD at the tests' 1/4 scale, 5 s at 24 fps");
        assert_eq!(info.width, 180, "the still's 3:2");
        let first = d.next_frame().unwrap().unwrap();
        assert!(mean_abs_diff(&first, &img) < 12.0, "the first frame is the start image");
        d.seek(119).unwrap();
        let last = d.next_frame().unwrap().unwrap();
        assert!(mean_abs_diff(&last, &first) > 3.0, "the clip moves");
        firsts.push(last);
    }
    assert!(mean_abs_diff(&firsts[0], &firsts[1]) > 2.0, "each clip moves its own way");

    let (mut id, mut index) = (video["jobId"].clone(), 1);
    for seconds in [9, 13, 17, 21] {
        let ext = h.tt_ok("/midjourney/video/extend", json!({"jobId": id, "index": index, "bs": 1})).await;
        index = 0;
        let clips = urls(&ext["videos"]);
        assert_eq!(clips.len(), 1);
        assert_eq!(clip(&h, &clips[0]).await.info().frames, seconds * 24);
        id = ext["jobId"].clone();
    }
    let (status, v) = h.tt("/midjourney/video/extend", json!({"jobId": id, "index": 0})).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("21 s"), "{v}");
    let (status, _) = h.tt("/midjourney/video/extend", json!({"jobId": video["jobId"], "index": 3})).await;
    assert_eq!(status, 400, "only two clips");
    let (status, _) = h.tt("/midjourney/video/submit", json!({"prompt": "", "imageUrl": url, "bs": 3})).await;
    assert_eq!(status, 400, "bs 3");
}

#[tokio::test]
async fn an_end_frame_is_the_last_frame_and_the_same_request_gives_the_same_bytes() {
    let h = Harness::instant().await;
    let (start, start_img) = still(&h).await;
    let other = h.tt_ok("/midjourney/v1/imagine", json!({"prompt": "a red desert road at noon"})).await;
    let end_url = other["images"][0].as_str().unwrap().to_owned();
    let end_img = h.png(&end_url).await;
    assert!(mean_abs_diff(&start_img, &end_img) > 12.0, "two different pictures");
    let body = json!({"prompt": "", "imageUrl": start, "endingUrl": end_url, "bs": 1});
    let a = h.tt_ok("/midjourney/video/submit", body.clone()).await;
    let mut d = clip(&h, &urls(&a["videos"])[0]).await;
    d.seek(d.info().frames - 1).unwrap();
    let last = d.next_frame().unwrap().unwrap();
    assert!(mean_abs_diff(&last, &end_img) < 12.0, "the clip ends on the end frame");
    let b = h.tt_ok("/midjourney/video/submit", body).await;
    let bytes = |u: String| {
        let http = h.http.clone();
        async move { http.get(u).send().await.unwrap().bytes().await.unwrap() }
    };
    assert_eq!(bytes(urls(&a["videos"])[0].clone()).await, bytes(urls(&b["videos"])[0].clone()).await);
}

#[tokio::test]
async fn acedata_generates_with_its_fields_and_extends_by_video_id() {
    let h = Harness::instant().await;
    let (url, img) = still(&h).await;
    let body = json!({"action": "generate", "image_url": url, "resolution": "720p", "loop": true,
                      "prompt": "slow waves --bs 2"});
    let (status, r) = h.bearer("/midjourney/videos", body).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["success"], true);
    let clips = urls(&r["video_urls"]);
    assert_eq!(clips.len(), 2);
    let mut d = clip(&h, &clips[0]).await;
    assert_eq!(d.info().height, 180, "720p at the tests' 1/4 scale");
    let first = d.next_frame().unwrap().unwrap();
    d.seek(d.info().frames - 1).unwrap();
    let last = d.next_frame().unwrap().unwrap();
    assert!(mean_abs_diff(&first, &img) < 12.0 && mean_abs_diff(&last, &img) < 12.0, "a loop ends where it starts");
    let video_id = r["video_id"].as_str().unwrap();
    let (status, e) =
        h.bearer("/midjourney/videos", json!({"action": "extend", "video_id": video_id, "video_index": 1})).await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(clip(&h, &urls(&e["video_urls"])[0]).await.info().frames, 9 * 24);
    let (status, bad) =
        h.bearer("/midjourney/videos", json!({"action": "generate", "image_url": url, "mode": "relax"})).await;
    assert_eq!((status, bad["success"].as_bool()), (400, Some(false)), "{bad}");
}
