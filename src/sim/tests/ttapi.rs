//! TTAPI: lifecycle, auth, the queue limit, validation, and the image flows.

use std::time::Duration;

use image::RgbaImage;
use serde_json::{Value, json};

use super::*;
use crate::sim::SimConfig;

const FETCH: &str = "/midjourney/v1/fetch";

fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("an array").iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

async fn imagine(h: &Harness, prompt: &str) -> Value {
    h.tt_ok("/midjourney/v1/imagine", json!({"prompt": prompt, "mode": "fast"})).await
}

async fn action(h: &Harness, job: &Value, act: &str) -> Value {
    h.tt_ok("/midjourney/v1/action", json!({"jobId": job["jobId"], "action": act})).await
}

#[tokio::test]
async fn imagine_succeeds_with_a_grid_of_four_different_quadrants() {
    let h = Harness::instant().await;
    let data = imagine(&h, "a misty mountain lake at dawn --ar 16:9").await;
    assert_eq!(data["progress"], "100");
    assert_eq!(data["actions"], "imagine");
    assert_eq!(data["seed"], "");
    assert!(data["finishTime"].is_string() && data["submitTime"].is_string());
    let comps = strings(&data["components"]);
    for want in ["upsample1", "upsample4", "variation1", "variation4", "reroll"] {
        assert!(comps.contains(&want.to_owned()), "{comps:?}");
    }
    let grid = h.png(data["cdnImage"].as_str().unwrap()).await;
    assert_eq!(grid.dimensions(), (256, 144), "--ar 16:9 on a 256 grid");
    assert_eq!((data["width"].as_u64(), data["height"].as_u64()), (Some(256), Some(144)));
    let quads = h.tt_images(&data).await;
    assert_eq!(quads.len(), 4);
    for (i, q) in quads.iter().enumerate() {
        let (x, y) = (i as u32 % 2 * 128, i as u32 / 2 * 72);
        assert_eq!(q, &image::imageops::crop_imm(&grid, x, y, 128, 72).to_image(), "quadrant {i} is the grid's");
    }
    for i in 0..4 {
        for j in i + 1..4 {
            let d = colour_distance(mean(&quads[i]), mean(&quads[j]));
            assert!(d > 4.0, "quadrants {i} and {j} look alike (mean colours {d:.1} apart)");
        }
    }
    // the same prompt renders the same pixels
    let again = imagine(&h, "a misty mountain lake at dawn --ar 16:9").await;
    assert_eq!(h.png(again["cdnImage"].as_str().unwrap()).await, grid);
    assert_eq!(h.server.stats().submits_by_prompt.get("a misty mountain lake at dawn --ar 16:9"), Some(&2));
}

#[tokio::test]
async fn a_job_moves_through_the_queue_before_it_succeeds() {
    let config = SimConfig {
        queue_time: Duration::from_millis(800),
        run_time: Duration::from_millis(800),
        ..SimConfig::instant()
    };
    let h = Harness::start(config).await;
    let id = h.tt_submit("/midjourney/v1/imagine", json!({"prompt": "a red sun"})).await;
    let mut seen: Vec<(String, u64)> = Vec::new();
    loop {
        let (_, v) = h.tt_get(&format!("{FETCH}?jobId={id}")).await;
        let progress: u64 = v["data"]["progress"].as_str().unwrap().parse().unwrap();
        seen.push((v["status"].as_str().unwrap().to_owned(), progress));
        if v["status"] == "SUCCESS" {
            break;
        }
        assert!(v["data"]["images"].as_array().unwrap().is_empty());
        assert!(seen.len() < 400, "never finished: {seen:?}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert_eq!(seen[0], ("PENDING_QUEUE".to_owned(), 0), "{seen:?}");
    assert!(seen.iter().any(|(s, p)| s == "ON_QUEUE" && (1..100).contains(p)), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1), "progress never goes back: {seen:?}");
    assert_eq!(seen.last().unwrap().1, 100);
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_in_ttapi_shape() {
    let h = Harness::instant().await;
    let url = h.url("/midjourney/v1/imagine");
    for key in [None, Some("wrong-key")] {
        let mut req = h.http.post(&url).json(&json!({"prompt": "x"}));
        if let Some(k) = key {
            req = req.header("TT-API-KEY", k);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["status"], "FAILED");
        assert!(v["data"].is_null());
        assert!(!v["message"].as_str().unwrap().contains("sim-key"));
    }
    assert_eq!(h.server.stats().submits, 0);
}

#[tokio::test]
async fn the_eleventh_job_in_progress_is_refused_with_499() {
    let h = Harness::start(SimConfig { run_time: Duration::from_secs(60), ..SimConfig::instant() }).await;
    for i in 0..10 {
        h.tt_submit("/midjourney/v1/imagine", json!({"prompt": format!("job {i}")})).await;
    }
    let (status, v) = h.tt("/midjourney/v1/imagine", json!({"prompt": "one too many"})).await;
    assert_eq!(status, 499, "{v}");
    assert_eq!(v["status"], "FAILED");
    let stats = h.server.stats();
    assert_eq!((stats.submits, stats.in_progress, stats.peak_in_progress), (10, 10, 10));
}

#[tokio::test]
async fn bad_requests_get_documented_errors() {
    let h = Harness::instant().await;
    let invalid = |(status, v): (u16, Value)| {
        assert_eq!(status, 400, "{v}");
        assert_eq!(v["status"], "FAILED");
        let m = v["message"].as_str().unwrap().to_owned();
        assert!(m.starts_with("[Invalid parameter]"), "{m}");
        m
    };
    invalid(h.tt("/midjourney/v1/imagine", json!({"mode": "fast"})).await);
    invalid(h.tt("/midjourney/v1/imagine", json!({"prompt": "x", "mode": "warp"})).await);
    let one = b64(&png_bytes(&test_picture(8, 8)));
    let m = invalid(h.tt("/midjourney/v1/blend", json!({"imgBase64Array": [one]})).await);
    assert!(m.contains("got 1"), "{m}");
    let six = vec![one.clone(); 6];
    assert!(invalid(h.tt("/midjourney/v1/blend", json!({"imgBase64Array": six})).await).contains("got 6"));
    let m = invalid(h.tt("/midjourney/v1/blend", json!({"imgBase64Array": [one, "bm90IGFuIGltYWdl"]})).await);
    assert!(m.contains("image 2"), "{m}");
    let m = invalid(h.tt("/midjourney/v1/action", json!({"jobId": "nope", "action": "upsample1"})).await);
    assert!(m.contains("not found"), "{m}");
    let grid = imagine(&h, "a cat").await;
    let m = invalid(h.tt("/midjourney/v1/action", json!({"jobId": grid["jobId"], "action": "upscale_creative"})).await);
    assert!(m.contains("not offered"), "{m}");
    let (status, v) = h.tt_get(&format!("{FETCH}?jobId=unknown")).await;
    assert_eq!((status, v["message"].as_str()), (404, Some("job not found")));
    let (status, _) = h.tt("/midjourney/v1/imagine", json!("not an object")).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn upscales_are_their_quadrant_at_twice_the_size() {
    let h = Harness::instant().await;
    let grid = imagine(&h, "a city skyline at night --ar 3:2").await;
    let quads = h.tt_images(&grid).await;
    let up = action(&h, &grid, "upsample2").await;
    assert_eq!(up["actions"], "upsample2");
    let single = h.tt_images(&up).await;
    assert_eq!(single.len(), 1);
    assert_eq!(up["cdnImage"], up["images"][0]);
    let (qw, qh) = quads[1].dimensions();
    assert_eq!(single[0].dimensions(), (qw * 2, qh * 2));
    let small = shrink(&single[0], qw, qh);
    let own = mad(&small, &quads[1]);
    for other in [0, 2, 3] {
        assert!(own * 2.0 < mad(&small, &quads[other]), "U2 looks like quadrant {other} ({own:.1})");
    }
    let comps = strings(&up["components"]);
    for want in ["upscale_subtle", "low_variation", "zoom_out_2", "zoom_out_1_5", "pan_left", "pan_down", "make_square"]
    {
        assert!(comps.contains(&want.to_owned()), "{comps:?}");
    }
    let bigger = action(&h, &up, "upscale_subtle").await;
    assert_eq!(h.tt_images(&bigger).await[0].dimensions(), (qw * 4, qh * 4));
}

#[tokio::test]
async fn variations_resemble_their_parent_quadrant_and_reroll_is_new() {
    let h = Harness::instant().await;
    let grid = imagine(&h, "abstract geometric rings in teal and gold").await;
    let quads = h.tt_images(&grid).await;
    let vary = action(&h, &grid, "variation3").await;
    for (i, v) in h.tt_images(&vary).await.iter().enumerate() {
        let own = mad(v, &quads[2]);
        for other in [0, 1, 3] {
            assert!(own < mad(v, &quads[other]), "variation {i} is closer to quadrant {other} than to 3");
        }
        assert!(own > 0.5, "variation {i} is a copy");
    }
    let reroll = action(&h, &grid, "reroll").await;
    assert_eq!(reroll["prompt"], grid["prompt"]);
    let again = h.tt_images(&reroll).await;
    assert_eq!(again[0].dimensions(), quads[0].dimensions());
    assert!(mad(&again[0], &quads[0]) > 3.0, "reroll gave the same picture");
}

#[tokio::test]
async fn zoom_out_and_pan_grow_the_canvas_around_the_parent() {
    let h = Harness::instant().await;
    let grid = imagine(&h, "a quiet sea at sunset --ar 16:9").await;
    let up = action(&h, &grid, "upsample1").await;
    let parent = h.tt_images(&up).await.remove(0);
    let (w, hgt) = parent.dimensions();
    // the parent offered "zoom_out_2"; the other spelling is accepted too
    let zoom = action(&h, &up, "zoom_out_2x").await;
    let zoomed = h.tt_images(&zoom).await;
    assert_eq!(h.png(zoom["cdnImage"].as_str().unwrap()).await.dimensions(), (w, hgt));
    let centre_parent = shrink(&parent, w / 4, hgt / 4);
    for q in &zoomed {
        assert_eq!(q.dimensions(), (w / 2, hgt / 2));
        let centre = image::imageops::crop_imm(q, w / 8, hgt / 8, w / 4, hgt / 4).to_image();
        let corner = image::imageops::crop_imm(q, 0, 0, w / 4, hgt / 4).to_image();
        let near = mad(&centre, &centre_parent);
        assert!(near < 6.0, "the centre is not the parent ({near:.1})");
        assert!(near * 2.0 < mad(&corner, &centre_parent), "the border is the parent too");
    }
    for (act, wider) in [("pan_left", true), ("pan_up", false)] {
        let pan = action(&h, &up, act).await;
        let g = h.png(pan["cdnImage"].as_str().unwrap()).await;
        if wider {
            assert!(g.width() > w && g.height() == hgt, "{act}: {:?} from {w}x{hgt}", g.dimensions());
        } else {
            assert!(g.height() > hgt && g.width() == w, "{act}: {:?} from {w}x{hgt}", g.dimensions());
        }
    }
    let square = action(&h, &up, "make_square").await;
    let g = h.png(square["cdnImage"].as_str().unwrap()).await;
    assert_eq!(g.width(), g.height());
}

#[tokio::test]
async fn blends_lie_between_their_inputs_colours() {
    let h = Harness::instant().await;
    let red = RgbaImage::from_pixel(40, 30, image::Rgba([220, 40, 30, 255]));
    let blue = RgbaImage::from_pixel(30, 40, image::Rgba([20, 60, 210, 255]));
    let body = json!({"imgBase64Array": [b64(&png_bytes(&red)), b64(&png_bytes(&blue))], "dimensions": "LANDSCAPE"});
    let data = h.tt_ok("/midjourney/v1/blend", body).await;
    assert_eq!(data["actions"], "blend");
    let grid = h.png(data["cdnImage"].as_str().unwrap()).await;
    assert_eq!(grid.dimensions(), (256, 170));
    for p in grid.pixels() {
        assert!((20..=220).contains(&p.0[0]) && (40..=60).contains(&p.0[1]) && (30..=210).contains(&p.0[2]), "{p:?}");
    }
    let m = mean(&grid);
    assert!(m[0] > 40.0 && m[2] > 50.0, "both inputs show: {m:?}");
}

#[tokio::test]
async fn describe_gives_four_prompts_and_seed_gives_the_parents_seed() {
    let h = Harness::instant().await;
    let img = RgbaImage::from_pixel(60, 40, image::Rgba([30, 60, 220, 255]));
    let data = h.tt_ok("/midjourney/v1/describe", json!({"base64": b64(&png_bytes(&img))})).await;
    let prompts = strings(&data["prompts"]);
    assert_eq!(prompts.len(), 4);
    assert!(prompts.iter().all(|p| p.contains("blue") && p.ends_with("--ar 3:2")), "{prompts:?}");
    let joined = data["prompt"].as_str().unwrap();
    assert!(joined.starts_with("1\u{fe0f}\u{20e3} ") && joined.contains("\n\n4\u{fe0f}\u{20e3} "), "{joined}");
    let grid = imagine(&h, "a lone tree --seed 1234").await;
    let seed = h.tt_ok("/midjourney/v1/seed", json!({"jobId": grid["jobId"]})).await;
    assert_eq!(seed["seed"], "1234");
}
