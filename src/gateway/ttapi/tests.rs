use super::*;
use crate::job::{Dimensions, ParentRef};
use base64::Engine;
use serde_json::json;

fn build(req: JobRequest, opts: &SubmitOptions) -> Result<Prepared, GatewayError> {
    TtapiProtocol.build_submit(&req, opts)
}

fn b64_decode(v: &Value) -> Vec<u8> {
    let s = v.as_str().expect("a string");
    assert!(!s.starts_with("data:"), "TTAPI wants plain base64");
    base64::engine::general_purpose::STANDARD.decode(s).expect("valid base64")
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8 * 20, y as u8 * 30, 7, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn bytes(data: Vec<u8>) -> ImageInput {
    ImageInput::Bytes { bytes: data, mime: "image/png".into() }
}

fn mask_4x3() -> Mask {
    let mut m = Mask::new(4, 3);
    m.fill_rect(1, 0, 3, 2, true);
    m
}

#[test]
fn key_goes_in_its_own_header() {
    let (name, value) = TtapiProtocol.auth_header(&ApiKey::new("k-123"));
    assert_eq!((name, value.as_str()), ("TT-API-KEY", "k-123"));
}

#[test]
fn imagine_sends_mode_not_model_and_every_option() {
    let opts = SubmitOptions {
        mode: Some(Mode::Relax),
        timeout_secs: Some(120),
        hook_url: Some("https://hook.example/x".into()),
        get_u_images: Some(true),
    };
    let p = build(JobRequest::Imagine { prompt: "a cat --ar 3:2".into() }, &opts).unwrap();
    assert_eq!(p.path, "/midjourney/v1/imagine");
    assert_eq!(
        p.body.unwrap(),
        json!({"prompt": "a cat --ar 3:2", "mode": "relax", "timeout": 120,
               "hookUrl": "https://hook.example/x", "getUImages": true})
    );
    let bare = build(JobRequest::Imagine { prompt: "a cat".into() }, &SubmitOptions::default()).unwrap();
    assert_eq!(bare.body.unwrap(), json!({"prompt": "a cat"}));
    let blank = build(JobRequest::Imagine { prompt: "  ".into() }, &SubmitOptions::default());
    assert!(matches!(blank, Err(GatewayError::Invalid(_))));
}

#[test]
fn action_and_seed_name_the_parent_and_keep_the_action_verbatim() {
    let opts = SubmitOptions { timeout_secs: Some(90), ..Default::default() };
    let req = JobRequest::Action { parent: ParentRef::job("j-1"), action: "zoom_out_2".into() };
    let p = build(req, &opts).unwrap();
    assert_eq!(p.path, "/midjourney/v1/action");
    assert_eq!(p.body.unwrap(), json!({"jobId": "j-1", "action": "zoom_out_2", "timeout": 90}));
    let p = build(JobRequest::Seed { parent: ParentRef::job("j-2") }, &opts).unwrap();
    assert_eq!((p.path.as_str(), p.body.unwrap()), ("/midjourney/v1/seed", json!({"jobId": "j-2", "timeout": 90})));
}

#[test]
fn blend_sends_plain_base64_and_checks_the_count() {
    let opts = SubmitOptions { mode: Some(Mode::Fast), ..Default::default() };
    let req = JobRequest::Blend {
        images: vec![bytes(vec![1, 2, 3]), bytes(vec![4, 5])],
        dimensions: Some(Dimensions::Landscape),
    };
    let p = build(req, &opts).unwrap();
    assert_eq!(p.path, "/midjourney/v1/blend");
    assert_eq!(p.body.unwrap(), json!({"imgBase64Array": ["AQID", "BAU="], "dimensions": "LANDSCAPE", "mode": "fast"}));
    for n in [0, 1, 6] {
        let req = JobRequest::Blend { images: vec![bytes(vec![1]); n], dimensions: None };
        let err = build(req, &opts).unwrap_err();
        assert!(err.to_string().contains(&format!("2 to 5 images, and {n}")), "{err}");
    }
    let req =
        JobRequest::Blend { images: vec![bytes(vec![1]), ImageInput::Url("https://x/y.png".into())], dimensions: None };
    assert!(build(req, &opts).unwrap_err().to_string().contains("not links"));
}

#[test]
fn describe_sends_bytes_as_base64_and_links_as_url() {
    let none = SubmitOptions::default();
    let p = build(JobRequest::Describe { image: bytes(vec![0xff, 0x00]) }, &none).unwrap();
    assert_eq!((p.path.as_str(), p.body.unwrap()), ("/midjourney/v1/describe", json!({"base64": "/wA="})));
    let p = build(JobRequest::Describe { image: ImageInput::Url("https://x/a.png".into()) }, &none).unwrap();
    assert_eq!(p.body.unwrap(), json!({"url": "https://x/a.png"}));
}

#[test]
fn inpaint_sends_the_mask_as_a_plain_base64_black_and_white_png() {
    let req = JobRequest::Inpaint { parent: ParentRef::job("up-1"), mask: mask_4x3(), prompt: Some("a hat".into()) };
    let p = build(req, &SubmitOptions::default()).unwrap();
    assert_eq!(p.path, "/midjourney/v1/inpaint");
    let body = p.body.unwrap();
    assert_eq!((&body["jobId"], &body["prompt"]), (&json!("up-1"), &json!("a hat")));
    assert_eq!(Mask::from_png(&b64_decode(&body["mask"])).unwrap(), mask_4x3());
    let empty = JobRequest::Inpaint { parent: ParentRef::job("up-1"), mask: Mask::new(4, 3), prompt: None };
    assert!(build(empty, &SubmitOptions::default()).unwrap_err().to_string().contains("marks nothing"));
}

#[test]
fn edit_with_a_mask_sends_the_image_with_the_masked_area_transparent() {
    let req = JobRequest::Edit {
        image: bytes(png(4, 3)),
        mask: Some(mask_4x3()),
        prompt: "blue eyes".into(),
        retexture: false,
    };
    let opts = SubmitOptions {
        mode: Some(Mode::Turbo),
        hook_url: Some("https://h".into()),
        timeout_secs: Some(5),
        ..Default::default()
    };
    let p = build(req, &opts).unwrap();
    assert_eq!(p.path, "/midjourney/image-edits/submit");
    let body = p.body.unwrap();
    assert_eq!(body["type"], "edit");
    assert_eq!((&body["mode"], &body["hookUrl"], body.get("timeout")), (&json!("turbo"), &json!("https://h"), None));
    let sent = image::load_from_memory(&b64_decode(&body["image"])).unwrap().to_rgba8();
    let original = image::load_from_memory(&png(4, 3)).unwrap().to_rgba8();
    for (x, y, p) in sent.enumerate_pixels() {
        assert_eq!(p.0[3] == 0, mask_4x3().get(x, y), "alpha at {x},{y}");
        assert_eq!(p.0[..3], original.get_pixel(x, y).0[..3]);
    }
}

#[test]
fn edit_refuses_a_mask_of_the_wrong_size_or_on_a_link() {
    let req =
        JobRequest::Edit { image: bytes(png(5, 3)), mask: Some(mask_4x3()), prompt: "x".into(), retexture: false };
    let err = build(req, &SubmitOptions::default()).unwrap_err();
    assert!(matches!(&err, GatewayError::Invalid(m) if m.contains("4x3 but the image is 5x3")), "{err}");
    let req = JobRequest::Edit {
        image: ImageInput::Url("https://x/a.png".into()),
        mask: Some(mask_4x3()),
        prompt: "x".into(),
        retexture: false,
    };
    assert!(build(req, &SubmitOptions::default()).unwrap_err().to_string().contains("not a link"));
    let req = JobRequest::Edit {
        image: bytes(b"junk".to_vec()),
        mask: Some(mask_4x3()),
        prompt: "x".into(),
        retexture: false,
    };
    assert!(build(req, &SubmitOptions::default()).unwrap_err().to_string().contains("could not be read"));
}

#[test]
fn edit_without_a_mask_sends_the_image_as_it_is() {
    let original = png(4, 3);
    let req = JobRequest::Edit { image: bytes(original.clone()), mask: None, prompt: "x".into(), retexture: true };
    let body = build(req, &SubmitOptions::default()).unwrap().body.unwrap();
    assert_eq!(body["type"], "retexture");
    assert_eq!(b64_decode(&body["image"]), original);
    let req = JobRequest::Edit {
        image: ImageInput::Url("https://x/a.png".into()),
        mask: None,
        prompt: "x".into(),
        retexture: false,
    };
    let body = build(req, &SubmitOptions::default()).unwrap().body.unwrap();
    assert_eq!(body, json!({"image": "https://x/a.png", "prompt": "x", "type": "edit"}));
}

#[test]
fn vtrix_only_flows_are_refused() {
    let req = JobRequest::Remix { parent: ParentRef::job("j"), prompt: "x".into(), strong: true };
    assert!(build(req, &SubmitOptions::default()).unwrap_err().to_string().contains("TTAPI does not offer remix"));
}

#[test]
fn fetch_paths_encode_the_id_and_route_image_edits() {
    let p = TtapiProtocol.build_fetch("a b&c", &JobKind::Imagine);
    assert_eq!(
        (p.method, p.path.as_str(), p.body),
        (super::super::Method::Get, "/midjourney/v1/fetch?jobId=a%20b%26c", None)
    );
    assert_eq!(TtapiProtocol.build_fetch("e1", &JobKind::Edit).path, "/midjourney/image-edits/fetch?jobId=e1");
    assert_eq!(TtapiProtocol.build_fetch("e2", &JobKind::Retexture).path, "/midjourney/image-edits/fetch?jobId=e2");
    assert_eq!(
        TtapiProtocol.build_fetch("s", &JobKind::Seed { parent: "p".into() }).path,
        "/midjourney/v1/fetch?jobId=s"
    );
}

#[test]
fn submit_answers_from_the_docs_and_variants() {
    for body in [include_str!("../fixtures/ttapi_submit.json"), include_str!("../fixtures/ttapi_edits_submit.json")] {
        let s = TtapiProtocol.parse_submit(200, body).unwrap();
        assert_eq!(s, Submitted { job_id: "afa774a3-1aee-5aba-4510-14818d6875e4".into(), snapshot: None });
    }
    let s = TtapiProtocol.parse_submit(200, r#"{"status":"SUCCESS","data":{"job_id":"x9"}}"#).unwrap();
    assert_eq!(s.job_id, "x9");
}

#[test]
fn a_failed_envelope_inside_200_is_a_refusal_with_the_message_verbatim() {
    let body = r#"{"status":"FAILED","message":"[Invalid parameter] prompt is required","data":null}"#;
    let err = TtapiProtocol.parse_submit(200, body).unwrap_err();
    let f = err.api().expect("an Api error");
    assert_eq!((f.status, f.message.as_deref()), (200, Some("[Invalid parameter] prompt is required")));
    let err = TtapiProtocol
        .parse_fetch("j", 200, r#"{"status":"FAILED","message":"job not found","data":null}"#)
        .unwrap_err();
    assert_eq!(err.api().and_then(|f| f.message.as_deref()), Some("job not found"));
}

#[test]
fn unreadable_answers_are_malformed_with_the_body_kept() {
    for body in ["<html>oops</html>", r#"{"status":"SUCCESS","data":{}}"#] {
        match TtapiProtocol.parse_submit(200, body) {
            Err(GatewayError::Malformed { body: kept, .. }) => assert_eq!(kept, body),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(TtapiProtocol.parse_fetch("j", 200, r#"{"data":{}}"#), Err(GatewayError::Malformed { .. })));
}

#[test]
fn the_documented_fetch_example_reads_fully() {
    let s = TtapiProtocol.parse_fetch("ignored", 200, include_str!("../fixtures/ttapi_fetch_imagine.json")).unwrap();
    assert_eq!((s.state.clone(), s.raw_status.as_str(), s.progress), (RemoteState::Succeeded, "SUCCESS", Some(100)));
    assert_eq!(s.job_id, "f5850038-90a3-8a97-0476-107ea4b8dac4");
    assert_eq!(s.images.len(), 4);
    assert!(s.images[3].ends_with("98b162a1da713eef23c3cfd5f166aee8e4ee09f8cf1f7bbc24bf72990eb80adf.png"));
    assert_eq!(s.grid_image.as_deref(), Some("http://127.0.0.1/8080/pics/452020f2-6793-4525-a1b5-472cac439610.png"));
    assert_eq!(s.actions[0], "upsample1");
    assert_eq!(s.actions.len(), 8);
    assert_eq!((s.seed, s.message), (None, None));
    assert!(s.prompt.unwrap().starts_with("Soccer star"));
}

#[test]
fn the_documented_image_edit_fetch_example_reads_fully() {
    let s = TtapiProtocol.parse_fetch("x", 200, include_str!("../fixtures/ttapi_edits_fetch.json")).unwrap();
    assert_eq!(s.state, RemoteState::Succeeded);
    assert_eq!(s.job_id, "7cea558a-6da0-41cd-863f-e90d5866b076");
    assert_eq!((s.quota.as_deref(), s.prompt.as_deref()), (Some("3"), Some("blue-eyed cat")));
    assert_eq!(s.images.len(), 4);
    assert_eq!(s.submit_time.as_deref(), Some("2025-07-30T05:39:16Z"));
    assert_eq!(s.finish_time.as_deref(), Some("2025-07-30T05:40:01Z"));
}

#[test]
fn states_progress_and_failure_reasons() {
    let fetch = |status: &str, data: Value| {
        let body = json!({"status": status, "message": "[Banned prompt detected]", "data": data}).to_string();
        TtapiProtocol.parse_fetch("j", 200, &body).unwrap()
    };
    let s = fetch("PENDING_QUEUE", json!({"progress": "0"}));
    assert_eq!((s.state, s.progress), (RemoteState::Queued, Some(0)));
    let s = fetch("ON_QUEUE", json!({"progress": "45%"}));
    assert_eq!((s.state, s.progress), (RemoteState::Running, Some(45)));
    assert_eq!(fetch("ON_QUEUE", json!({"progress": 63})).progress, Some(63));
    let s = fetch("FAILED", json!({"jobId": "j"}));
    assert_eq!((s.state, s.message.as_deref()), (RemoteState::Failed, Some("[Banned prompt detected]")));
    let s = fetch("MODERATING", json!({}));
    assert_eq!((s.state, s.raw_status.as_str()), (RemoteState::Other("MODERATING".into()), "MODERATING"));
    assert_eq!(s.job_id, "j");
}

#[test]
fn an_upscale_result_is_one_image_and_unknown_actions_are_kept() {
    let body = json!({"status": "SUCCESS", "data": {"actions": "upsample2", "cdnImage": "https://c/u.png",
        "components": ["upscale_subtle", "zoom_out_2", "brand_new_thing"], "seed": 12345, "width": "1024", "height": 1024}});
    let s = TtapiProtocol.parse_fetch("u", 200, &body.to_string()).unwrap();
    assert_eq!((s.images, s.grid_image), (vec!["https://c/u.png".to_owned()], None));
    assert_eq!(s.actions, ["upscale_subtle", "zoom_out_2", "brand_new_thing"]);
    assert_eq!((s.seed.as_deref(), s.width, s.height), (Some("12345"), Some(1024), Some(1024)));
}

#[test]
fn describe_prefers_the_array_and_else_splits_the_text() {
    let joined = "1️⃣ a fox\n\n2️⃣ a dog\n\n3️⃣ a cat\n\n4️⃣ a cow";
    let body = json!({"status": "SUCCESS", "data": {"actions": "describe", "prompt": joined, "prompts": ["A", "B", "C", "D"]}});
    assert_eq!(TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts, ["A", "B", "C", "D"]);
    let body = json!({"status": "SUCCESS", "data": {"actions": "describe", "prompt": joined}});
    assert_eq!(
        TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts,
        ["a fox", "a dog", "a cat", "a cow"]
    );
    let body = json!({"status": "SUCCESS", "data": {"action": "describe", "prompt": "one\n\ntwo"}});
    assert_eq!(TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts, ["one", "two"]);
    let body = json!({"status": "SUCCESS", "data": {"actions": "imagine", "prompt": "one\n\ntwo"}});
    assert!(TtapiProtocol.parse_fetch("d", 200, &body.to_string()).unwrap().prompts.is_empty());
}
