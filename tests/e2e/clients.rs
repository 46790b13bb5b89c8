//! Every client call against the simulator: submit, poll to success, download, follow with
//! each action offered, and the failure paths.

use mjdesk::error::{FailureKind, GatewayError};
use mjdesk::job::{
    Canvas, Dimensions, ImageInput, JobKind, JobRequest, ParentRef, Provider, RemoteState, SubmitOptions,
};
use mjdesk::mask::Mask;
use mjdesk::sim::{Faults, SimConfig};

use crate::common::*;

fn parent(s: &mjdesk::job::JobSnapshot, index: Option<u8>) -> ParentRef {
    ParentRef { job_id: s.job_id.clone(), image_id: s.image_id.clone(), image_index: index }
}

#[tokio::test(flavor = "multi_thread")]
async fn ttapi_imagine_then_every_offered_action() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Ttapi);
    let grid = run(&c, JobRequest::Imagine { prompt: "a red fox --ar 3:2".into() }).await;
    assert_eq!(grid.state, RemoteState::Succeeded);
    assert_eq!(grid.images.len(), 4, "{grid:?}");
    let first = download_rgba(&c, &grid.images[0]).await;
    assert!(first.width() > first.height(), "--ar 3:2 gives a landscape image");
    for url in &grid.images[1..] {
        download_rgba(&c, url).await;
    }
    for action in [
        "upsample1",
        "upsample2",
        "upsample3",
        "upsample4",
        "variation1",
        "variation2",
        "variation3",
        "variation4",
        "reroll",
    ] {
        assert!(grid.actions.iter().any(|a| a == action), "{action} offered: {:?}", grid.actions);
    }
    for action in grid.actions.clone() {
        let s = run(&c, JobRequest::Action { parent: parent(&grid, None), action: action.clone() }).await;
        assert_eq!(s.state, RemoteState::Succeeded, "{action}: {s:?}");
        assert!(!s.images.is_empty(), "{action} gave images");
    }
    // an upscale offers its own follow-ups; each of them works too
    let up = run(&c, JobRequest::Action { parent: parent(&grid, Some(0)), action: "upsample1".into() }).await;
    assert_eq!(up.images.len(), 1);
    assert!(!up.actions.is_empty());
    for action in up.actions.clone() {
        let s = run(&c, JobRequest::Action { parent: parent(&up, None), action: action.clone() }).await;
        assert_eq!(s.state, RemoteState::Succeeded, "{action}: {s:?}");
    }
    let seed = run(&c, JobRequest::Seed { parent: parent(&grid, None) }).await;
    assert!(seed.seed.as_deref().is_some_and(|s| !s.is_empty()), "{seed:?}");

    let img = download_rgba(&c, &grid.images[0]).await;
    let input = ImageInput::Bytes { bytes: png(&img), mime: "image/png".into() };
    let described = run(&c, JobRequest::Describe { image: input.clone() }).await;
    assert_eq!(described.prompts.len(), 4, "{described:?}");

    let other = download_rgba(&c, &grid.images[3]).await;
    let blend = JobRequest::Blend {
        images: vec![input.clone(), ImageInput::Bytes { bytes: png(&other), mime: "image/png".into() }],
        dimensions: Some(Dimensions::Landscape),
    };
    assert_eq!(run(&c, blend).await.images.len(), 4);

    for retexture in [false, true] {
        let mut mask = Mask::new(img.width(), img.height());
        mask.fill_rect(0, 0, img.width() / 2, img.height() / 2, true);
        let edit = JobRequest::Edit { image: input.clone(), mask: Some(mask), prompt: "a blue bird".into(), retexture };
        let s = run(&c, edit).await;
        assert_eq!(s.state, RemoteState::Succeeded, "retexture={retexture}: {s:?}");
        assert_eq!(s.images.len(), 4);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acedata_flow_with_image_ids() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Acedata);
    let grid = run(&c, JobRequest::Imagine { prompt: "a lighthouse at dusk".into() }).await;
    assert_eq!(grid.state, RemoteState::Succeeded, "{grid:?}");
    assert_eq!(grid.images.len(), 4);
    assert!(grid.image_id.is_some(), "follow-ups need the image_id");
    for url in &grid.images {
        download_rgba(&c, url).await;
    }
    assert!(grid.actions.iter().any(|a| a == "upscale1"), "{:?}", grid.actions);
    for action in grid.actions.clone() {
        let s = run(&c, JobRequest::Action { parent: parent(&grid, None), action: action.clone() }).await;
        assert_eq!(s.state, RemoteState::Succeeded, "{action}: {s:?}");
    }
    let img = download_rgba(&c, &grid.images[1]).await;
    let input = ImageInput::Bytes { bytes: png(&img), mime: "image/png".into() };
    assert_eq!(run(&c, JobRequest::Describe { image: input.clone() }).await.prompts.len(), 4);
    let seed = run(&c, JobRequest::Seed { parent: parent(&grid, None) }).await;
    assert!(seed.seed.is_some(), "{seed:?}");
    let mut mask = Mask::new(img.width(), img.height());
    mask.fill_rect(4, 4, 40, 40, true);
    let edit = JobRequest::Edit { image: input, mask: Some(mask), prompt: "a red door".into(), retexture: false };
    assert_eq!(run(&c, edit).await.state, RemoteState::Succeeded);
}

#[tokio::test(flavor = "multi_thread")]
async fn vtrix_edit_inpaint_and_remix() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Vtrix);
    let grid = run(&c, JobRequest::Imagine { prompt: "a glass teapot".into() }).await;
    assert_eq!(grid.state, RemoteState::Succeeded, "{grid:?}");
    assert_eq!(grid.images.len(), 4);
    let img = download_rgba(&c, &grid.images[2]).await;
    let (w, h) = img.dimensions();
    let canvas = Canvas { width: w * 2, height: h, img_width: w, img_height: h, x: 0, y: 0 };
    let edit = JobRequest::CanvasEdit {
        parent: parent(&grid, Some(2)),
        canvas,
        prompt: "extend to the right".into(),
        mask: None,
    };
    let s = run(&c, edit).await;
    assert_eq!(s.state, RemoteState::Succeeded, "{s:?}");
    let wide = download_rgba(&c, &s.images[0]).await;
    assert_eq!(wide.dimensions(), (w * 2, h), "the canvas size is honoured");

    let mut mask = Mask::new(w, h);
    mask.fill_rect(w / 4, h / 4, w / 2, h / 2, true);
    let inpaint = JobRequest::Inpaint { parent: parent(&grid, Some(2)), mask, prompt: Some("a lid".into()) };
    assert_eq!(run(&c, inpaint).await.state, RemoteState::Succeeded);
    let remix = JobRequest::Remix { parent: parent(&grid, Some(0)), prompt: "in watercolour".into(), strong: false };
    assert_eq!(run(&c, remix).await.state, RemoteState::Succeeded);
    // Vtrix offers no blend: refused before sending
    let blend = JobRequest::Blend { images: vec![], dimensions: None };
    assert!(matches!(c.submit(&blend, &SubmitOptions::default()).await, Err(GatewayError::Invalid(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_is_refused_by_every_gateway() {
    let server = sim(SimConfig::instant()).await;
    for provider in Provider::ALL {
        let c = client_with_key(&server, provider, "wrong-key-123");
        let e = c.submit(&JobRequest::Imagine { prompt: "x".into() }, &SubmitOptions::default()).await.unwrap_err();
        assert_eq!(e.api().map(|f| f.kind()), Some(FailureKind::BadKey), "{provider:?}: {e}");
        assert!(e.to_string().contains("refused the API key"), "{e}");
        assert!(!e.to_string().contains("wrong-key-123"));
    }
    assert_eq!(server.stats().submits, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_and_malformed_answers_are_typed() {
    let server = sim(SimConfig::instant()).await;
    let c = client(&server, Provider::Ttapi);
    server.set_faults(Faults { rate_limit_rate: 1.0, retry_after_secs: 7, ..Default::default() });
    let e = c.submit(&JobRequest::Imagine { prompt: "x".into() }, &SubmitOptions::default()).await.unwrap_err();
    assert_eq!(api_status(&e), Some(429));
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(7)));
    assert!(e.is_busy() && e.submit_not_received());

    server.set_faults(Faults::default());
    let sub = c.submit(&JobRequest::Imagine { prompt: "x".into() }, &SubmitOptions::default()).await.unwrap();
    server.set_faults(Faults { malformed_rate: 1.0, ..Default::default() });
    let e = c.fetch(&sub.job_id, &JobKind::Imagine).await.unwrap_err();
    assert!(matches!(e, GatewayError::Malformed { .. }), "{e:?}");
    assert!(e.is_transient());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_banned_word_fails_the_job_with_the_gateways_words() {
    let mut config = SimConfig::instant();
    config.faults.banned_words = vec!["forbidden".into()];
    let server = sim(config).await;
    for provider in Provider::ALL {
        let c = client(&server, provider);
        let req = JobRequest::Imagine { prompt: "a forbidden thing".into() };
        let sub = c.submit(&req, &SubmitOptions::default()).await;
        let snap = match sub {
            Ok(s) => poll(&c, &s.job_id, &JobKind::Imagine).await,
            Err(e) => panic!("{provider:?}: a banned prompt is accepted, then fails: {e}"),
        };
        assert_eq!(snap.state, RemoteState::Failed, "{provider:?}");
        assert!(snap.message.as_deref().unwrap_or("").contains("Banned prompt"), "{provider:?}: {snap:?}");
    }
}
