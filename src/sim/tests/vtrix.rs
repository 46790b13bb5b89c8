//! Vtrix: imagine, polygon inpaint, canvas edit, remix, and its numbered errors.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::sim::SimConfig;

const GEN: &str = "/model/v1/generation";

async fn submit(h: &Harness, body: Value) -> String {
    let (status, v) = h.bearer(GEN, body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "pending");
    v["id"].as_str().unwrap().to_owned()
}

/// Polls until completed; the output URLs.
async fn completed(h: &Harness, id: &str) -> Vec<String> {
    for _ in 0..400 {
        let (status, v) = h.bearer_get(&format!("{GEN}/{id}")).await;
        assert_eq!(status, 200, "{v}");
        match v["status"].as_str() {
            Some("completed") => {
                assert_eq!(v["usage"]["cost"], "0.05");
                let content = v["output"][0]["content"].as_array().unwrap();
                return content.iter().map(|c| c["url"].as_str().unwrap().to_owned()).collect();
            }
            Some("failed") => panic!("failed: {v}"),
            _ => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    panic!("{id} never completed");
}

async fn imagine(h: &Harness) -> (String, Vec<RgbaImage>) {
    let id = submit(h, json!({"model": "midjourney_imagine", "prompt": "a forest lake --ar 4:3"})).await;
    let mut imgs = Vec::new();
    for u in completed(h, &id).await {
        imgs.push(h.png(&u).await);
    }
    (id, imgs)
}

#[tokio::test]
async fn imagine_then_inpaint_with_polygons_changes_only_the_inside() {
    let h = Harness::instant().await;
    let (id, imgs) = imagine(&h).await;
    assert_eq!(imgs.len(), 4);
    let (w, ht) = imgs[2].dimensions();
    assert_eq!((w, ht), (128, 96));
    // a triangle (pixel centres with x + y < 60) and a rectangle
    let areas = json!([
        {"width": w, "height": ht, "points": [0, 0, 60, 0, 0, 60]},
        {"width": w, "height": ht, "points": [80, 50, 120, 50, 120, 90, 80, 90]},
    ]);
    let inside = |x: u32, y: u32| {
        let (cx, cy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        cx + cy < 60.0 || ((80..120).contains(&x) && (50..90).contains(&y))
    };
    let body = json!({"model": "midjourney_inpaint", "jobId": id, "imageNo": 2, "mask": {"areas": areas}, "remixPrompt": "a red rose"});
    let job = submit(&h, body).await;
    let outs = completed(&h, &job).await;
    assert_eq!(outs.len(), 4);
    for u in outs {
        assert_mask_exact(&imgs[2], &h.png(&u).await, inside);
    }
}

#[tokio::test]
async fn canvas_edit_places_the_image_exactly_and_fills_around_it() {
    let h = Harness::instant().await;
    let (id, imgs) = imagine(&h).await;
    let (w, ht) = imgs[0].dimensions();
    let body = json!({
        "model": "midjourney_edit", "jobId": id, "imageNo": 0, "remixPrompt": "wide sky",
        "canvas": {"width": w * 2, "height": ht + 40}, "imgPos": {"width": w, "height": ht, "x": w / 2, "y": 20},
        "callback": "https://example.com/hook",
    });
    let job = submit(&h, body).await;
    for u in completed(&h, &job).await {
        let out = h.png(&u).await;
        assert_eq!(out.dimensions(), (w * 2, ht + 40));
        let placed = image::imageops::crop_imm(&out, w / 2, 20, w, ht).to_image();
        assert_eq!(placed, imgs[0], "the placed image is kept exactly");
        let left = image::imageops::crop_imm(&out, 0, 0, w / 2, ht + 40).to_image();
        assert!(left.pixels().any(|p| p != left.get_pixel(0, 0)), "the new area has content");
    }
    // with a mask, the masked part of the placed image is regenerated
    let mask = json!({"areas": [{"width": w, "height": ht, "points": [0, 0, 40, 0, 40, 40, 0, 40]}]});
    let body = json!({
        "model": "midjourney_edit", "jobId": id, "imageNo": 1, "remixPrompt": "x", "mask": mask,
        "canvas": {"width": w, "height": ht}, "imgPos": {"width": w, "height": ht, "x": 0, "y": 0},
    });
    let job = submit(&h, body).await;
    let out = h.png(&completed(&h, &job).await[0]).await;
    assert_mask_exact(&imgs[1], &out, |x, y| x < 40 && y < 40);
}

#[tokio::test]
async fn remix_gives_four_images_at_the_source_size() {
    let h = Harness::instant().await;
    let (id, imgs) = imagine(&h).await;
    for mode in [0, 1] {
        let body =
            json!({"model": "midjourney_remix", "jobId": id, "imageNo": 3, "mode": mode, "remixPrompt": "pastel pink"});
        let job = submit(&h, body).await;
        let outs = completed(&h, &job).await;
        assert_eq!(outs.len(), 4);
        let out = h.png(&outs[0]).await;
        assert_eq!(out.dimensions(), imgs[3].dimensions());
        assert!(mad(&out, &imgs[3]) > 1.0);
    }
}

#[tokio::test]
async fn errors_carry_the_documented_codes() {
    let h = Harness::start(SimConfig { run_time: Duration::from_secs(60), ..SimConfig::instant() }).await;
    let code = |(status, v): (u16, Value)| {
        assert_eq!(status, 400, "{v}");
        v["error"]["code"].as_i64().unwrap()
    };
    let edit = |extra: Value| {
        let mut b = json!({"model": "midjourney_edit", "jobId": "j", "imageNo": 0, "remixPrompt": "p",
            "canvas": {"width": 10, "height": 10}, "imgPos": {"width": 10, "height": 10, "x": 0, "y": 0}});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    assert_eq!(code(h.bearer(GEN, edit(json!({"jobId": null}))).await), 4_007_001);
    assert_eq!(code(h.bearer(GEN, edit(json!({"imageNo": null}))).await), 4_007_002);
    assert_eq!(code(h.bearer(GEN, edit(json!({"imageNo": 7}))).await), 4_007_003);
    assert_eq!(code(h.bearer(GEN, edit(json!({"jobId": "unknown"}))).await), 4_007_001);
    assert_eq!(code(h.bearer(GEN, edit(json!({"callback": "ftp://x"}))).await), 4_007_008);
    assert_eq!(code(h.bearer(GEN, json!({"model": "midjourney_imagine"})).await), 4_007_004);
    assert_eq!(
        code(h.bearer(GEN, json!({"model": "midjourney_imagine", "prompt": "x".repeat(8193)})).await),
        4_007_005
    );
    assert_eq!(code(h.bearer(GEN, json!({"model": "no_such_model"})).await), 4_007_000);
    // the missing-canvas, missing-position and missing-prompt checks need a real parent
    let h2 = Harness::instant().await;
    let (id, _) = imagine(&h2).await;
    let with = |extra: Value| {
        let mut b = edit(extra);
        b["jobId"] = json!(id);
        b
    };
    assert_eq!(code(h2.bearer(GEN, with(json!({"canvas": null}))).await), 4_007_006);
    assert_eq!(code(h2.bearer(GEN, with(json!({"imgPos": null}))).await), 4_007_007);
    assert_eq!(code(h2.bearer(GEN, with(json!({"remixPrompt": null}))).await), 4_007_004);
    let (status, v) = h.bearer_get(&format!("{GEN}/nope")).await;
    assert_eq!((status, v["error"]["code"].as_i64()), (404, Some(404)));
    let resp =
        h.http.post(h.url(GEN)).json(&json!({"model": "midjourney_imagine", "prompt": "x"})).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["error_message"], "invalid api key");
    for i in 0..10 {
        submit(&h, json!({"model": "midjourney_imagine", "prompt": format!("p{i}")})).await;
    }
    let (status, _) = h.bearer(GEN, json!({"model": "midjourney_imagine", "prompt": "p10"})).await;
    assert_eq!(status, 429);
}
