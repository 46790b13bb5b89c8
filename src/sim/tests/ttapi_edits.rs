//! TTAPI inpaint and image-edits: masks are honoured exactly.

use serde_json::json;

use super::*;
use crate::mask::Mask;

/// An upscaled single image: its fetch data and its pixels.
async fn upscaled(h: &Harness, prompt: &str) -> (serde_json::Value, RgbaImage) {
    let grid = h.tt_ok("/midjourney/v1/imagine", json!({"prompt": prompt})).await;
    let up = h.tt_ok("/midjourney/v1/action", json!({"jobId": grid["jobId"], "action": "upsample3"})).await;
    let img = h.png(up["images"][0].as_str().unwrap()).await;
    (up, img)
}

fn sample_mask(w: u32, h: u32) -> Mask {
    let mut m = Mask::new(w, h);
    m.fill_rect(w / 4, h / 5, w / 2, h / 2, true);
    m.fill_rect(w * 3 / 4, h * 2 / 3, w, h, true);
    m
}

#[tokio::test]
async fn inpaint_regenerates_only_the_white_pixels() {
    let h = Harness::instant().await;
    let (up, img) = upscaled(&h, "a garden of pink flowers").await;
    let (w, ht) = img.dimensions();
    let mask = sample_mask(w, ht);
    let body = json!({"jobId": up["jobId"], "mask": b64(&mask.to_bw_png()), "prompt": "a golden sun"});
    let data = h.tt_ok("/midjourney/v1/inpaint", body).await;
    let images = h.tt_images(&data).await;
    assert_eq!(images.len(), 4);
    for out in &images {
        assert_mask_exact(&img, out, |x, y| mask.get(x, y));
    }
    assert_eq!(h.png(data["cdnImage"].as_str().unwrap()).await.dimensions(), (w * 2, ht * 2));
    assert_eq!(h.server.stats().submits_by_prompt.get("a golden sun"), Some(&1));
}

#[tokio::test]
async fn inpaint_refuses_a_mask_of_another_size_or_a_grid_parent() {
    let h = Harness::instant().await;
    let (up, img) = upscaled(&h, "a desert road").await;
    let small = sample_mask(10, 10);
    let (status, v) =
        h.tt("/midjourney/v1/inpaint", json!({"jobId": up["jobId"], "mask": b64(&small.to_bw_png())})).await;
    assert_eq!(status, 400);
    let m = v["message"].as_str().unwrap();
    let want = format!("mask is 10x10 but the image is {}x{}", img.width(), img.height());
    assert!(m.starts_with("[Invalid parameter]") && m.contains(&want), "{m}");
    let grid = h.tt_ok("/midjourney/v1/imagine", json!({"prompt": "x"})).await;
    let mask = sample_mask(128, 128);
    let (status, v) =
        h.tt("/midjourney/v1/inpaint", json!({"jobId": grid["jobId"], "mask": b64(&mask.to_bw_png())})).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("upscale"), "{v}");
    let (status, _) = h.tt("/midjourney/v1/inpaint", json!({"jobId": up["jobId"]})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn image_edits_change_transparent_pixels_and_keep_the_rest() {
    let h = Harness::instant().await;
    let base = test_picture(96, 64);
    let mask = sample_mask(96, 64);
    let sent = mask.to_transparent_image(&base).unwrap();
    let body = json!({"image": b64(&sent), "prompt": "a blue ocean", "type": "edit"});
    let data = h.tt_ok("/midjourney/image-edits/submit", body).await;
    assert_eq!(data["actions"], "edit");
    let images = h.tt_images(&data).await;
    assert_eq!(images.len(), 4);
    for out in &images {
        assert_mask_exact(&base, out, |x, y| mask.get(x, y));
    }
    // an opaque image has nothing to edit
    let (status, v) =
        h.tt("/midjourney/image-edits/submit", json!({"image": b64(&png_bytes(&base)), "prompt": "x"})).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("transparent"));
}

#[tokio::test]
async fn retexture_restyles_everything_but_keeps_the_structure() {
    let h = Harness::instant().await;
    // left half dark, right half light: the structure a retexture must keep
    let base = RgbaImage::from_fn(80, 60, |x, _| {
        if x < 40 { image::Rgba([40, 40, 40, 255]) } else { image::Rgba([220, 220, 220, 255]) }
    });
    let body = json!({"image": format!("data:image/png;base64,{}", b64(&png_bytes(&base))), "prompt": "neon purple", "type": "retexture"});
    let data = h.tt_ok("/midjourney/image-edits/submit", body).await;
    for out in h.tt_images(&data).await {
        assert_eq!(out.dimensions(), (80, 60));
        let changed = out.pixels().zip(base.pixels()).filter(|(a, b)| a.0[..3] != b.0[..3]).count();
        assert!(changed > 80 * 60 * 9 / 10, "only {changed} pixels changed");
        let left = mean(&image::imageops::crop_imm(&out, 0, 0, 36, 60).to_image());
        let right = mean(&image::imageops::crop_imm(&out, 44, 0, 36, 60).to_image());
        assert!(
            right.iter().sum::<f64>() > left.iter().sum::<f64>() + 60.0,
            "light side stays lighter: {left:?} {right:?}"
        );
    }
}

#[tokio::test]
async fn only_the_simulators_own_links_can_be_read() {
    let h = Harness::instant().await;
    let id = h
        .tt_submit("/midjourney/image-edits/submit", json!({"image": "https://example.com/cat.png", "prompt": "x"}))
        .await;
    let v = h.tt_wait("/midjourney/image-edits/fetch", &id).await;
    assert_eq!((v["status"].as_str(), v["message"].as_str()), (Some("FAILED"), Some("[Invalid link!]")));
    // an image the simulator served works as a URL input
    let (up, img) = upscaled(&h, "a teal planet").await;
    let body = json!({"url": up["cdnImage"]});
    let d = h.tt_ok("/midjourney/v1/describe", body).await;
    assert_eq!(d["prompts"].as_array().unwrap().len(), 4);
    let retex = json!({"image": up["cdnImage"], "prompt": "autumn", "type": "retexture"});
    let data = h.tt_ok("/midjourney/image-edits/submit", retex).await;
    assert_eq!(h.tt_images(&data).await[0].dimensions(), img.dimensions());
}
