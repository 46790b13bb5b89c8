//! The window's canvas flows, end to end: the intent the region editor builds from a painted
//! mask goes through a real job manager to the simulator over HTTP, and the result changes
//! only inside the painted area. The Vtrix canvas edit's intent, built as its panel builds
//! it, keeps the placed image exactly where it was put and fills the canvas around it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use image::RgbaImage;
use mjdesk::app::editors::canvas_edit;
use mjdesk::app::editors::placement::{Aspect, Placement};
use mjdesk::app::editors::region::{Flow, build_intent, edit_again};
use mjdesk::app::editors::shell::Blocked;
use mjdesk::app::engine::SendTo;
use mjdesk::connect::ClientResolver;
use mjdesk::gateway::{GatewayClient, GatewayConfig};
use mjdesk::intent::{ImageSource, Intent};
use mjdesk::job::{Job, JobStatus, Provider, SubmitOptions};
use mjdesk::manager::{JobManager, ManagerConfig, Updates};
use mjdesk::mask::{Mask, MaskDoc, MaskError};
use mjdesk::secret::ApiKey;
use mjdesk::sim::{SimConfig, SimServer};
use mjdesk::store::Store;

use crate::common::*;
use crate::masks::assert_only_masked_changed;

fn manager(server: &SimServer, dir: &Path) -> (JobManager, Updates, Store) {
    let store = Store::open(dir).expect("store opens");
    let key = server.api_key().to_owned();
    let resolver: ClientResolver = Arc::new(move |p: Provider, url: String| {
        let client = GatewayClient::new(GatewayConfig::new(p, &url, ApiKey::new(&key))).map_err(Into::into);
        Box::pin(async move { client })
    });
    let (m, u) = JobManager::start(store.clone(), ManagerConfig::fast(), resolver, None);
    (m, u, store)
}

/// Submits as the window does and waits (bounded) until the job has ended with its images
/// downloaded.
async fn submit(m: &JobManager, to: &SendTo, intent: Intent) -> Job {
    let job = m
        .submit_intent(to.provider, &to.endpoint, intent, to.options.clone())
        .await
        .unwrap_or_else(|e| panic!("refused: {e}"))
        .expect("a job");
    for _ in 0..1500 {
        let now = m.store().get_job(&job.id).unwrap().expect("stored");
        if now.settled() {
            assert_eq!(now.status, JobStatus::Succeeded, "{:?}", now.status);
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {} did not settle", job.id);
}

fn local(job: &Job, index: usize) -> (std::path::PathBuf, RgbaImage) {
    let path = job.result_images()[index].local_path.clone().expect("downloaded");
    let image = image::open(&path).expect("decodes").to_rgba8();
    (path, image)
}

/// What a designer paints: a brush stroke across the left half and a rectangle on the right.
fn paint(w: u32, h: u32) -> Mask {
    let mut doc = MaskDoc::new(w, h);
    let (wf, hf) = (w as f32, h as f32);
    doc.stroke_begin((wf * 0.1, hf * 0.3), hf * 0.06, false);
    doc.stroke_to((wf * 0.25, hf * 0.45));
    doc.stroke_to((wf * 0.4, hf * 0.35));
    doc.stroke_end();
    doc.rect(mjdesk::mask::Rect::from_corners(w * 6 / 10, h * 6 / 10, w * 9 / 10, h * 9 / 10), true);
    doc.into_mask()
}

/// imagine → U1 on `provider`: the upscaled job, as the window shows it.
async fn upscaled(m: &JobManager, to: &SendTo) -> Job {
    let grid = submit(m, to, Intent::Imagine { prompt: "a quiet harbour at dawn".into() }).await;
    let up = submit(m, &SendTo::of(&grid), Intent::Action { parent: grid.id.clone(), action: "U1".into() }).await;
    assert_eq!(up.result_images().len(), 1, "an upscale is one image");
    up
}

#[tokio::test(flavor = "multi_thread")]
async fn vary_region_from_the_canvas_changes_only_the_painted_area_on_ttapi_and_acedata() {
    let server = sim(SimConfig::instant()).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path());
    for provider in [Provider::Ttapi, Provider::Acedata] {
        let to = SendTo { provider, endpoint: server.base_url(), options: SubmitOptions::default() };
        let up = upscaled(&m, &to).await;
        let (_, before) = local(&up, 0);
        let (w, h) = before.dimensions();
        let flow = Flow::Region { parent: up.id.clone() };
        // nothing goes with an empty or a whole-image mask
        assert_eq!(build_intent(&flow, &Mask::new(w, h), (w, h), "x"), Err(Blocked::Mask(MaskError::Empty)));
        let mask = paint(w, h);
        let intent = build_intent(&flow, &mask, (w, h), "a red boat").unwrap();
        let result = submit(&m, &SendTo::of(&up), intent).await;
        assert_eq!(result.parent_id.as_deref(), Some(up.id.as_str()), "{provider:?}: linked to its parent");
        assert!(!result.result_images().is_empty());
        for i in 0..result.result_images().len() {
            assert_only_masked_changed(&before, &local(&result, i).1, &mask);
        }
        // the mask it was sent with is read back from the store, ready for "Edit mask again"
        let stored = store.get_job(&result.id).unwrap().unwrap();
        assert_eq!(stored.request.sent_mask(), Some(&mask), "{provider:?}");
        let (again, _, again_mask) = edit_again(&stored).expect("can be edited again");
        assert_eq!((again, again_mask), (flow, mask));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_of_a_jobs_image_from_the_canvas_changes_only_the_painted_area() {
    let server = sim(SimConfig::instant()).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path());
    for provider in [Provider::Ttapi, Provider::Acedata] {
        let to = SendTo { provider, endpoint: server.base_url(), options: SubmitOptions::default() };
        let up = upscaled(&m, &to).await;
        let (path, before) = local(&up, 0);
        let (w, h) = before.dimensions();
        let mask = paint(w, h);
        let flow = Flow::Edit { image: ImageSource::File(path), retexture: false };
        assert_eq!(build_intent(&flow, &mask, (w, h), "  "), Err(Blocked::NoPrompt), "an edit needs a prompt");
        let intent = build_intent(&flow, &mask, (w, h), "a green apple").unwrap();
        let result = submit(&m, &SendTo::of(&up), intent).await;
        for i in 0..result.result_images().len() {
            assert_only_masked_changed(&before, &local(&result, i).1, &mask);
        }
        let stored = store.get_job(&result.id).unwrap().unwrap();
        assert_eq!(stored.request.sent_mask(), Some(&mask));
        assert!(matches!(edit_again(&stored), Some((Flow::Edit { retexture: false, .. }, _, m)) if m == mask));
    }
}

/// The part of `out` where `placement` put the image, against the parent scaled to its
/// rectangle (as Vtrix scales it: Catmull-Rom), opaque; only the part on the canvas.
fn assert_placed_exactly(parent: &RgbaImage, out: &RgbaImage, placement: &Placement, keep: impl Fn(u32, u32) -> bool) {
    let r = placement.rect();
    let scaled = image::DynamicImage::ImageRgba8(parent.clone())
        .resize_exact(r.w, r.h, image::imageops::FilterType::CatmullRom)
        .into_rgba8();
    assert_eq!(out.dimensions(), placement.canvas(), "the result is the canvas");
    let mut checked = 0;
    for (lx, ly, p) in scaled.enumerate_pixels() {
        let (cx, cy) = (r.x + i64::from(lx), r.y + i64::from(ly));
        if cx < 0 || cy < 0 || cx >= i64::from(out.width()) || cy >= i64::from(out.height()) || !keep(lx, ly) {
            continue;
        }
        let mut want = *p;
        want.0[3] = 255;
        assert_eq!(*out.get_pixel(cx as u32, cy as u32), want, "placed pixel {lx},{ly} at {cx},{cy}");
        checked += 1;
    }
    assert!(checked > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_canvas_edit_from_the_panel_keeps_the_placed_image_and_fills_around_it_on_vtrix() {
    let server = sim(SimConfig::instant()).await;
    let dir = tempfile::tempdir().unwrap();
    let (m, _u, store) = manager(&server, dir.path());
    let to = SendTo { provider: Provider::Vtrix, endpoint: server.base_url(), options: SubmitOptions::default() };
    let grid = submit(&m, &to, Intent::Imagine { prompt: "a lighthouse on a cliff".into() }).await;
    assert_eq!(grid.result_images().len(), 4);
    let (_, parent) = local(&grid, 1);
    let (w, h) = parent.dimensions();

    // as the panel does: a 16:9 canvas, the image at half size dragged toward the top left
    let mut placement = Placement::new((w, h));
    assert_eq!(
        canvas_edit::build_intent(&grid.id, 1, &placement, None, "wide sky"),
        Err(Blocked::Unchanged),
        "nothing goes that would change nothing"
    );
    placement.set_aspect(Aspect::Ratio(16, 9));
    placement.scale_to(0.5);
    placement.move_to(i64::from(w / 8), i64::from(h / 10));
    let intent = canvas_edit::build_intent(&grid.id, 1, &placement, None, "wide sky at dusk").unwrap();
    let result = submit(&m, &SendTo::of(&grid), intent).await;
    assert_eq!(result.parent_id.as_deref(), Some(grid.id.as_str()), "linked to its parent");
    assert!(!result.result_images().is_empty());
    for i in 0..result.result_images().len() {
        let (_, out) = local(&result, i);
        assert_placed_exactly(&parent, &out, &placement, |_, _| true);
        let r = placement.rect();
        let right = image::imageops::crop_imm(&out, (r.x + i64::from(r.w)) as u32, 0, 40, out.height()).to_image();
        assert!(right.pixels().any(|p| p != right.get_pixel(0, 0)), "the new area beside it has content");
    }

    // hanging over the left edge: what is on the canvas is kept, the rest cropped
    placement.move_to(-i64::from(w), 0);
    assert_eq!(placement.rect().x, -i64::from(placement.rect().w) * 3 / 4, "a quarter stays on");
    let intent = canvas_edit::build_intent(&grid.id, 1, &placement, None, "a harbour to the right").unwrap();
    let result = submit(&m, &SendTo::of(&grid), intent).await;
    assert_placed_exactly(&parent, &local(&result, 0).1, &placement, |_, _| true);

    // in place with a painted rectangle: the rest of the image is kept exactly
    let in_place = Placement::new((w, h));
    let mut mask = Mask::new(w, h);
    mask.fill_rect(w / 4, h / 4, w / 2, h / 3, true);
    let intent = canvas_edit::build_intent(&grid.id, 1, &in_place, Some(&mask), "a red door").unwrap();
    let result = submit(&m, &SendTo::of(&grid), intent).await;
    let out = local(&result, 0).1;
    assert_placed_exactly(&parent, &out, &in_place, |x, y| !mask.get(x, y));
    let y = (h / 4 + h / 3) / 2;
    assert!((w / 4..w / 2).any(|x| out.get_pixel(x, y) != parent.get_pixel(x, y)), "the painted part changed");
    let stored = store.get_job(&result.id).unwrap().unwrap();
    assert_eq!(stored.request.sent_mask(), Some(&mask));
}
