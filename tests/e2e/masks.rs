//! The mask the app sends is the mask the designer painted: outside it every pixel comes
//! back unchanged, inside it the pixels are regenerated.

use image::RgbaImage;
use mjdesk::job::{ImageInput, JobRequest, ParentRef, Provider, RemoteState};
use mjdesk::mask::Mask;
use mjdesk::sim::SimConfig;

use crate::common::*;

/// A mask with two separate areas: a rectangle and a disc.
fn painted(w: u32, h: u32) -> Mask {
    let mut m = Mask::new(w, h);
    m.fill_rect(w / 10, h / 8, w / 3, h / 2, true);
    let (cx, cy, r) = (w as i64 * 3 / 4, h as i64 * 2 / 3, (w.min(h) / 6) as i64);
    for y in 0..h {
        for x in 0..w {
            if (x as i64 - cx).pow(2) + (y as i64 - cy).pow(2) <= r * r {
                m.set(x, y, true);
            }
        }
    }
    m
}

/// Outside the mask: identical RGB. Inside: most pixels differ.
pub fn assert_only_masked_changed(before: &RgbaImage, after: &RgbaImage, mask: &Mask) {
    assert_eq!(before.dimensions(), after.dimensions());
    let (mut inside, mut changed_inside) = (0u64, 0u64);
    for (x, y, p) in after.enumerate_pixels() {
        let q = before.get_pixel(x, y);
        if mask.get(x, y) {
            inside += 1;
            if p.0[..3] != q.0[..3] {
                changed_inside += 1;
            }
        } else {
            assert_eq!(p.0[..3], q.0[..3], "pixel {x},{y} outside the mask changed");
        }
    }
    assert!(changed_inside * 10 >= inside * 8, "only {changed_inside} of {inside} masked pixels changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn ttapi_inpaint_changes_exactly_the_masked_pixels() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Ttapi);
    let grid = run(&c, JobRequest::Imagine { prompt: "a quiet harbour".into() }).await;
    let parent = ParentRef::job(grid.job_id.clone());
    let up = run(&c, JobRequest::Action { parent, action: "upsample2".into() }).await;
    let before = download_rgba(&c, &up.images[0]).await;
    let mask = painted(before.width(), before.height());
    let req = JobRequest::Inpaint {
        parent: ParentRef::job(up.job_id.clone()),
        mask: mask.clone(),
        prompt: Some("a red boat".into()),
    };
    let result = run(&c, req).await;
    assert_eq!(result.state, RemoteState::Succeeded, "{result:?}");
    assert_eq!(result.images.len(), 4);
    for url in &result.images {
        assert_only_masked_changed(&before, &download_rgba(&c, url).await, &mask);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_keep_everything_outside_the_mask_on_every_gateway_that_takes_images() {
    let server = sim(SimConfig::instant()).await;
    for provider in [Provider::Ttapi, Provider::Acedata] {
        let c = client(&server, provider);
        let grid = run(&c, JobRequest::Imagine { prompt: "a bowl of lemons".into() }).await;
        let before = download_rgba(&c, &grid.images[0]).await;
        let mask = painted(before.width(), before.height());
        let image = ImageInput::Bytes { bytes: png(&before), mime: "image/png".into() };
        let req =
            JobRequest::Edit { image, mask: Some(mask.clone()), prompt: "a green apple".into(), retexture: false };
        let result = run(&c, req).await;
        assert_eq!(result.state, RemoteState::Succeeded, "{provider:?}: {result:?}");
        for url in &result.images {
            assert_only_masked_changed(&before, &download_rgba(&c, url).await, &mask);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn vtrix_polygons_carry_the_traced_mask_exactly() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Vtrix);
    let grid = run(&c, JobRequest::Imagine { prompt: "a paper crane".into() }).await;
    let before = download_rgba(&c, &grid.images[1]).await;
    let mask = painted(before.width(), before.height());
    let parent = ParentRef { job_id: grid.job_id.clone(), image_id: None, image_index: Some(1) };
    // Vtrix gets traced, simplified polygons (a disc is a few dozen points): the area they
    // cover is the painted one to 98% IoU, and the simulator applies exactly that area
    let (w, h) = before.dimensions();
    let sent = mjdesk::mask::trace::rasterise(&mask.to_polygons(), w, h);
    assert!(mjdesk::mask::trace::iou(&sent, &mask) >= 0.98);
    let result = run(&c, JobRequest::Inpaint { parent, mask: mask.clone(), prompt: Some("gold leaf".into()) }).await;
    assert_eq!(result.state, RemoteState::Succeeded, "{result:?}");
    assert_only_masked_changed(&before, &download_rgba(&c, &result.images[0]).await, &sent);
}
