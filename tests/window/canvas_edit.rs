//! The whole window on Vtrix against the simulator over real HTTP, driven by accessible
//! names: Imagine, open `Canvas edit 2` on the finished grid, pick a 16:9 canvas, write a
//! remix prompt and Submit; the canvas edit runs as a child of the grid with the canvas the
//! panel showed, and the panel closes once the gateway took it.

use egui_kittest::kittest::{NodeT, Queryable};
use mjdesk::app::editors::placement::{Aspect, Placement};
use mjdesk::job::{Canvas, JobRequest, Provider};

use super::{Fixture, finished_child, quick_sim, step_until};

#[test]
fn canvas_edit_from_the_window_sends_the_canvas_shown_and_runs_as_a_child() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let mut harness = f.window(&server, Provider::Vtrix);
    harness.get_by_label("Prompt").focus();
    harness.step();
    harness.get_by_label("Prompt").type_text("a lighthouse on a cliff");
    harness.step();
    harness.get_by_label("Imagine").click();
    step_until(&mut harness, "Canvas edit 2 to be ready", |h| {
        h.query_by_label("Canvas edit 2").is_some_and(|b| !b.accesskit_node().is_disabled())
    });
    harness.get_by_label("Canvas edit 2").click();
    step_until(&mut harness, "the image on the placement canvas", |h| h.query_by_label("Placement canvas").is_some());
    harness.get_by_label("16:9").click();
    harness.step();
    harness.get_by_label("Remix prompt").focus();
    harness.step();
    harness.get_by_label("Remix prompt").type_text("a stormy sea around it");
    harness.step();
    harness.get_by_label("Submit").click();
    step_until(&mut harness, "the panel to close once sent", |h| h.query_by_label("Placement canvas").is_none());

    let (grid, child) = finished_child(&mut harness, f.home(), "the canvas edit");
    assert_eq!(child.parent_id.as_deref(), Some(grid.id.as_str()));
    let path = grid.result_images()[1].local_path.clone().unwrap();
    let size = image::image_dimensions(&path).unwrap();
    let mut shown = Placement::new(size);
    shown.set_aspect(Aspect::Ratio(16, 9));
    match &*child.request {
        JobRequest::CanvasEdit { parent, canvas, prompt, mask } => {
            assert_eq!(parent.image_index, Some(1), "the second image");
            assert_eq!(*canvas, shown.to_canvas());
            let Canvas { width, height, .. } = *canvas;
            assert!(width > size.0 && height == size.1, "{canvas:?} for a {size:?} image");
            assert_eq!(prompt, "a stormy sea around it");
            assert!(mask.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.stats().submits, 2);
}

#[test]
fn an_image_opened_with_mjdesk_waits_in_the_mask_canvas_for_an_edit() {
    let f = Fixture::new();
    let _rt = f.rt.enter();
    let server = f.sim(quick_sim());
    let path = f.home().join("photo.png");
    image::RgbaImage::from_pixel(96, 64, image::Rgba([40, 120, 200, 255])).save(&path).unwrap();
    let target = mjdesk::app::Target {
        provider: Some(Provider::Ttapi),
        base_url: Some(server.base_url()),
        api_key: Some(server.api_key().to_owned()),
        ..Default::default()
    };
    let mut harness = egui_kittest::Harness::builder().with_size(egui::vec2(1280.0, 900.0)).build_eframe(|cc| {
        let mut app = mjdesk::app::MjdeskApp::new(&cc.egui_ctx, target, std::time::Instant::now());
        app.open_on_start(path.clone());
        app
    });
    step_until(&mut harness, "the image in the mask canvas", |h| h.query_by_label("Mask canvas").is_some());
    assert!(harness.query_by_label("Retexture").is_some(), "the image edit's own editor (Edit or Retexture)");
    assert!(harness.query_by_label("Submit").is_some());
    assert_eq!(server.stats().submits, 0, "nothing is sent until the designer submits");
}
