//! AceData: callback and blocking answers, task lookups, follow-ups by image_id, edits and
//! variation_region masks, the limit and its error shapes.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::mask::Mask;
use crate::sim::SimConfig;

const CALLBACK: &str = "http://127.0.0.1:9/health";

async fn retrieve(h: &Harness, id: &str) -> Value {
    let (status, v) = h.bearer("/midjourney/tasks", json!({"action": "retrieve", "id": id})).await;
    assert_eq!(status, 200, "{v}");
    v
}

/// Blocking submit (no callback): the full result.
async fn run(h: &Harness, path: &str, body: Value) -> Value {
    let (status, v) = h.bearer(path, body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], true, "{v}");
    v
}

#[tokio::test]
async fn callback_submits_answer_at_once_and_tasks_hold_the_result() {
    let h = Harness::instant().await;
    let (status, v) =
        h.bearer("/midjourney/imagine", json!({"prompt": "a golden desert", "callback_url": CALLBACK})).await;
    assert_eq!(status, 200);
    let id = v["task_id"].as_str().expect("task_id").to_owned();
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
    let t = retrieve(&h, &id).await;
    assert_eq!((t["id"].as_str(), t["state"].as_str()), (Some(id.as_str()), Some("succeeded")));
    assert_eq!(t["request"]["prompt"], "a golden desert");
    let r = &t["response"];
    assert_eq!((r["success"].as_bool(), r["progress"].as_u64()), (Some(true), Some(100)));
    assert!(r["image_id"].as_str().is_some_and(|s| s.len() >= 18), "{r}");
    let subs = r["sub_image_urls"].as_array().unwrap();
    assert_eq!(subs.len(), 4);
    let grid = h.png(r["image_url"].as_str().unwrap()).await;
    assert_eq!((r["image_width"].as_u64(), r["image_height"].as_u64()), (Some(256), Some(256)));
    assert_eq!(grid.dimensions(), (256, 256));
    assert_eq!(h.png(subs[3].as_str().unwrap()).await.dimensions(), (128, 128));
    let actions: Vec<&str> = r["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(
        actions.contains(&"upscale1") && actions.contains(&"variation4") && actions.contains(&"reroll"),
        "{actions:?}"
    );
    let batch = h.bearer("/midjourney/tasks", json!({"action": "retrieve_batch", "ids": [id, "missing"]})).await.1;
    assert_eq!(batch["count"], 1);
    let (status, v) = h.bearer("/midjourney/tasks", json!({"action": "retrieve", "id": "missing"})).await;
    assert_eq!((status, v["error"]["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn blocking_calls_return_results_and_follow_ups_name_the_image_id() {
    let config = SimConfig {
        queue_time: Duration::from_millis(100),
        run_time: Duration::from_millis(150),
        ..SimConfig::instant()
    };
    let h = Harness::start(config).await;
    let grid = run(&h, "/midjourney/imagine", json!({"prompt": "a violet moon --ar 2:3"})).await;
    assert_eq!((grid["image_width"].as_u64(), grid["image_height"].as_u64()), (Some(170), Some(256)));
    let up = run(&h, "/midjourney/imagine", json!({"action": "upscale2", "image_id": grid["image_id"]})).await;
    assert_eq!(up["sub_image_urls"].as_array().unwrap().len(), 1);
    assert_eq!((up["image_width"].as_u64(), up["image_height"].as_u64()), (Some(170), Some(256)));
    let actions = up["actions"].to_string();
    for a in ["upscale_2x", "upscale_4x", "variation_subtle", "variation_region", "zoom_out_1_5x", "pan_right"] {
        assert!(actions.contains(a), "{actions}");
    }
    let big = run(&h, "/midjourney/imagine", json!({"action": "upscale_4x", "image_id": up["image_id"]})).await;
    assert_eq!(big["image_width"].as_u64(), Some(680));
    let seed = run(&h, "/midjourney/seed", json!({"image_id": grid["image_id"]})).await;
    assert!(seed["seed"].as_str().unwrap().parse::<u64>().is_ok(), "{seed}");
    // an action the image did not offer, and an unknown image
    let (status, v) =
        h.bearer("/midjourney/imagine", json!({"action": "upscale_2x", "image_id": grid["image_id"]})).await;
    assert_eq!((status, v["error"]["code"].as_str()), (400, Some("bad_request")));
    assert!(v["error"]["message"].as_str().unwrap().starts_with("[Invalid parameter]"));
    let (status, _) = h.bearer("/midjourney/imagine", json!({"action": "upscale1", "image_id": "123"})).await;
    assert_eq!(status, 400);
    let (status, _) = h.bearer("/midjourney/imagine", json!({"action": "generate"})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn edits_and_variation_region_keep_unmasked_pixels_exactly() {
    let h = Harness::instant().await;
    let base = test_picture(72, 48);
    let mut mask = Mask::new(72, 48);
    mask.fill_rect(10, 5, 40, 30, true);
    let body = json!({
        "image_url": format!("data:image/png;base64,{}", b64(&png_bytes(&base))),
        "prompt": "a red fire", "mask": b64(&mask.to_bw_png()), "callback_url": CALLBACK,
    });
    let id = h.bearer("/midjourney/edits", body).await.1["task_id"].as_str().unwrap().to_owned();
    let r = retrieve(&h, &id).await["response"].clone();
    for u in r["sub_image_urls"].as_array().unwrap() {
        assert_mask_exact(&base, &h.png(u.as_str().unwrap()).await, |x, y| mask.get(x, y));
    }
    let grid = run(&h, "/midjourney/imagine", json!({"prompt": "snowy hills"})).await;
    let up = run(&h, "/midjourney/imagine", json!({"action": "upscale1", "image_id": grid["image_id"]})).await;
    let img = h.png(up["image_url"].as_str().unwrap()).await;
    let mut region = Mask::new(img.width(), img.height());
    region.fill_rect(0, 0, img.width() / 3, img.height(), true);
    let body = json!({"action": "variation_region", "image_id": up["image_id"], "mask": b64(&region.to_bw_png()), "prompt": "a cat"});
    let vr = run(&h, "/midjourney/imagine", body).await;
    for u in vr["sub_image_urls"].as_array().unwrap() {
        assert_mask_exact(&img, &h.png(u.as_str().unwrap()).await, |x, y| region.get(x, y));
    }
    let body = json!({"action": "variation_region", "image_id": up["image_id"], "mask": b64(&mask.to_bw_png())});
    let (status, v) = h.bearer("/midjourney/imagine", body).await;
    assert_eq!(status, 400);
    assert!(v["error"]["message"].as_str().unwrap().contains("mask is 72x48 but the image is"), "{v}");
}

#[tokio::test]
async fn failures_show_in_tasks_and_blocking_answers() {
    let h = Harness::instant().await;
    let body = json!({"image_url": "https://example.com/x.png", "prompt": "x", "callback_url": CALLBACK});
    let id = h.bearer("/midjourney/edits", body).await.1["task_id"].as_str().unwrap().to_owned();
    let t = retrieve(&h, &id).await;
    assert_eq!(t["state"], "failed");
    assert_eq!(
        (t["response"]["success"].as_bool(), t["response"]["error"]["message"].as_str()),
        (Some(false), Some("[Invalid link!]"))
    );
    let (status, v) = h.bearer("/midjourney/describe", json!({"image_url": "https://example.com/x.png"})).await;
    assert_eq!((status, v["error"]["message"].as_str()), (400, Some("[Invalid link!]")));
    let img = RgbaImage::from_pixel(50, 50, image::Rgba([240, 240, 240, 255]));
    let d = run(
        &h,
        "/midjourney/describe",
        json!({"image_url": format!("data:image/png;base64,{}", b64(&png_bytes(&img)))}),
    )
    .await;
    assert_eq!(d["descriptions"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn auth_and_the_limit_use_acedata_shapes() {
    let h = Harness::start(SimConfig { run_time: Duration::from_secs(60), ..SimConfig::instant() }).await;
    let resp = h
        .http
        .post(h.url("/midjourney/imagine"))
        .bearer_auth("wrong")
        .json(&json!({"prompt": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!((v["success"].as_bool(), v["error"]["code"].as_str()), (Some(false), Some("invalid_token")));
    assert!(v["trace_id"].is_string());
    let mut first = String::new();
    for i in 0..10 {
        let (status, v) =
            h.bearer("/midjourney/imagine", json!({"prompt": format!("p{i}"), "callback_url": CALLBACK})).await;
        assert_eq!(status, 200, "{v}");
        first = v["task_id"].as_str().unwrap().to_owned();
    }
    let (status, v) = h.bearer("/midjourney/imagine", json!({"prompt": "p10", "callback_url": CALLBACK})).await;
    assert_eq!((status, v["error"]["code"].as_str()), (429, Some("too_many_requests")));
    // still running: a progress, no success field
    let t = retrieve(&h, &first).await;
    assert_eq!(t["state"], "running");
    assert!(t["response"]["progress"].is_u64() && t["response"].get("success").is_none(), "{t}");
    // the limit is per gateway: TTAPI still takes jobs
    assert_eq!(h.tt("/midjourney/v1/imagine", json!({"prompt": "tt"})).await.0, 200);
}
