use super::*;
use crate::mask::Mask;
use base64::Engine;
use serde_json::json;

fn ace() -> AcedataProtocol {
    AcedataProtocol { callback_url: Some("http://127.0.0.1:9/health".into()) }
}

fn parent(image_id: Option<&str>) -> ParentRef {
    ParentRef { job_id: "t-1".into(), image_id: image_id.map(str::to_owned), image_index: None }
}

fn mask_3x2() -> Mask {
    let mut m = Mask::new(3, 2);
    m.set(1, 1, true);
    m
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbaImage::new(w, h).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn decoded_mask(v: &Value) -> Mask {
    let s = v.as_str().expect("mask as text");
    Mask::from_png(&base64::engine::general_purpose::STANDARD.decode(s).expect("plain base64")).unwrap()
}

fn body(p: Prepared) -> Value {
    p.body.expect("a body")
}

#[test]
fn bearer_auth() {
    assert_eq!(ace().auth_header(&ApiKey::new("tok")), ("Authorization", "Bearer tok".to_owned()));
}

#[test]
fn imagine_always_carries_the_callback_so_it_answers_at_once() {
    let opts = SubmitOptions { mode: Some(Mode::Fast), timeout_secs: Some(300), ..Default::default() };
    let p = ace().build_submit(&JobRequest::Imagine { prompt: "a fox".into() }, &opts).unwrap();
    assert_eq!((p.path.as_str(), p.long), ("/midjourney/imagine", false));
    assert_eq!(
        body(p),
        json!({"prompt": "a fox", "action": "generate", "mode": "fast", "timeout": 300,
               "split_images": true, "callback_url": "http://127.0.0.1:9/health"})
    );
}

#[test]
fn without_a_callback_the_call_is_long_and_a_hook_replaces_the_callback() {
    let blocking = AcedataProtocol { callback_url: None };
    let p = blocking.build_submit(&JobRequest::Imagine { prompt: "a".into() }, &SubmitOptions::default()).unwrap();
    assert!(p.long);
    assert_eq!(p.body.unwrap().get("callback_url"), None);
    let opts =
        SubmitOptions { hook_url: Some("https://mine/hook".into()), get_u_images: Some(false), ..Default::default() };
    let p = blocking.build_submit(&JobRequest::Imagine { prompt: "a".into() }, &opts).unwrap();
    assert!(!p.long);
    let b = body(p);
    assert_eq!((&b["callback_url"], &b["split_images"]), (&json!("https://mine/hook"), &json!(false)));
}

#[test]
fn actions_send_the_string_verbatim_with_the_parents_image_id() {
    let req = JobRequest::Action { parent: parent(Some("1391372193836826624")), action: "upscale2".into() };
    let p = ace().build_submit(&req, &SubmitOptions::default()).unwrap();
    assert_eq!(p.path, "/midjourney/imagine");
    assert_eq!(
        body(p),
        json!({"action": "upscale2", "image_id": "1391372193836826624", "split_images": true,
               "callback_url": "http://127.0.0.1:9/health"})
    );
    let req = JobRequest::Action { parent: parent(None), action: "upscale2".into() };
    let err = ace().build_submit(&req, &SubmitOptions::default()).unwrap_err();
    assert!(matches!(&err, GatewayError::Invalid(m) if m.contains("image_id") && m.contains("t-1")), "{err}");
}

#[test]
fn inpaint_is_variation_region_with_a_plain_base64_mask() {
    let req = JobRequest::Inpaint { parent: parent(Some("img-9")), mask: mask_3x2(), prompt: Some("a hat".into()) };
    let b = body(ace().build_submit(&req, &SubmitOptions::default()).unwrap());
    assert_eq!(
        (&b["action"], &b["image_id"], &b["prompt"]),
        (&json!("variation_region"), &json!("img-9"), &json!("a hat"))
    );
    assert_eq!(decoded_mask(&b["mask"]), mask_3x2());
    let req = JobRequest::Inpaint { parent: parent(None), mask: mask_3x2(), prompt: None };
    assert!(ace().build_submit(&req, &SubmitOptions::default()).is_err());
}

#[test]
fn edits_send_bytes_as_a_data_uri_and_the_mask_as_black_and_white() {
    let image = ImageInput::Bytes { bytes: png(3, 2), mime: "image/png".into() };
    let req = JobRequest::Edit { image, mask: Some(mask_3x2()), prompt: "blue".into(), retexture: false };
    let opts = SubmitOptions { mode: Some(Mode::Relax), timeout_secs: Some(9), ..Default::default() };
    let p = ace().build_submit(&req, &opts).unwrap();
    assert_eq!(p.path, "/midjourney/edits");
    let b = body(p);
    assert_eq!((&b["action"], &b["prompt"], &b["mode"]), (&json!("generate"), &json!("blue"), &json!("relax")));
    let uri = b["image_url"].as_str().unwrap();
    let encoded = uri.strip_prefix("data:image/png;base64,").expect("a data URI");
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap(), png(3, 2));
    assert_eq!(decoded_mask(&b["mask"]), mask_3x2());
    assert_eq!(b.get("timeout"), None);

    let req = JobRequest::Edit {
        image: ImageInput::Url("https://cdn.acedata.cloud/jgo1cw.jpg".into()),
        mask: None,
        prompt: "A cat".into(),
        retexture: false,
    };
    let b = body(ace().build_submit(&req, &SubmitOptions::default()).unwrap());
    assert_eq!(
        b,
        json!({"action": "generate", "image_url": "https://cdn.acedata.cloud/jgo1cw.jpg", "prompt": "A cat",
               "split_images": true, "callback_url": "http://127.0.0.1:9/health"})
    );
}

#[test]
fn edits_refuse_a_mask_of_the_wrong_size_and_retexture() {
    let image = ImageInput::Bytes { bytes: png(4, 2), mime: "image/png".into() };
    let req = JobRequest::Edit { image, mask: Some(mask_3x2()), prompt: "x".into(), retexture: false };
    let err = ace().build_submit(&req, &SubmitOptions::default()).unwrap_err();
    assert!(err.to_string().contains("3x2 but the image is 4x2"), "{err}");
    let req = JobRequest::Edit { image: ImageInput::Url("u".into()), mask: None, prompt: "x".into(), retexture: true };
    assert!(ace().build_submit(&req, &SubmitOptions::default()).unwrap_err().to_string().contains("retexture"));
    let req = JobRequest::Blend { images: vec![], dimensions: None };
    assert!(
        ace().build_submit(&req, &SubmitOptions::default()).unwrap_err().to_string().contains("does not offer blend")
    );
}

#[test]
fn describe_and_seed_bodies() {
    let req = JobRequest::Describe { image: ImageInput::Bytes { bytes: vec![1, 2, 3], mime: String::new() } };
    let p = ace().build_submit(&req, &SubmitOptions::default()).unwrap();
    assert_eq!(p.path, "/midjourney/describe");
    assert_eq!(
        body(p),
        json!({"image_url": "data:image/png;base64,AQID", "callback_url": "http://127.0.0.1:9/health"})
    );
    let p = ace().build_submit(&JobRequest::Seed { parent: parent(Some("img-3")) }, &SubmitOptions::default()).unwrap();
    assert_eq!(p.path, "/midjourney/seed");
    assert_eq!(body(p), json!({"image_id": "img-3", "callback_url": "http://127.0.0.1:9/health"}));
}

#[test]
fn fetch_is_a_tasks_retrieve() {
    let p = ace().build_fetch("b8b7", &JobKind::Edit);
    assert_eq!((p.method, p.path.as_str()), (super::super::Method::Post, "/midjourney/tasks"));
    assert_eq!(body(p), json!({"action": "retrieve", "id": "b8b7"}));
}

#[test]
fn documented_submit_answers() {
    let s = ace().parse_submit(200, include_str!("../fixtures/acedata_task_id.json")).unwrap();
    assert_eq!(s, Submitted { job_id: "b8b7fdc2-628e-40dd-bc0c-671c3ddac9e9".into(), snapshot: None });

    let s = ace().parse_submit(200, include_str!("../fixtures/acedata_edits_result.json")).unwrap();
    assert_eq!(s.job_id, "26c39859-f54a-4998-9e42-3da96eceee8c");
    let snap = s.snapshot.expect("a blocking call answers the result");
    assert_eq!((snap.state, snap.progress), (RemoteState::Succeeded, Some(100)));
    assert_eq!(snap.images.len(), 4);
    assert!(snap.images[2].ends_with("88e16dab-ef48-43a5-af73-bf24065287bc/0_2.png"));
    assert!(snap.grid_image.unwrap().contains("cat_sitting_table_88e16dab"));
    assert_eq!(
        (snap.image_id.as_deref(), snap.width, snap.height),
        (Some("1391372193836826624"), Some(960), Some(1200))
    );

    let err = ace().parse_submit(200, include_str!("../fixtures/acedata_error.json")).unwrap_err();
    let f = err.api().expect("a refusal");
    assert_eq!((f.status, f.code.as_deref(), f.message.as_deref()), (200, Some("api_error"), Some("fetch failed")));
    assert!(matches!(ace().parse_submit(200, "Bad Gateway"), Err(GatewayError::Malformed { .. })));
    assert!(matches!(ace().parse_submit(200, "{}"), Err(GatewayError::Malformed { .. })));
}

fn lookup(state: &str, response: Value) -> JobSnapshot {
    let body =
        json!({"id": "t-1", "created_at": 1, "state": state, "request": {"prompt": "a fox"}, "response": response});
    ace().parse_fetch("t-1", 200, &body.to_string()).unwrap()
}

#[test]
fn running_is_decided_by_the_absence_of_success_not_by_state() {
    let s = lookup("succeeded", json!({"task_id": "t-1", "progress": 40}));
    assert_eq!((s.state, s.progress, s.raw_status.as_str()), (RemoteState::Running, Some(40), "succeeded"));
    assert_eq!(lookup("running", json!({"progress": "55%"})).progress, Some(55));
    let s = lookup("pending", json!({}));
    assert_eq!((s.state, s.progress, s.prompt.as_deref()), (RemoteState::Running, None, Some("a fox")));
    let s = ace().parse_fetch("t-1", 200, r#"{"id":"t-1","state":"pending","response":null}"#).unwrap();
    assert_eq!(s.state, RemoteState::Running);
}

#[test]
fn a_finished_lookup_carries_the_result_and_its_actions() {
    let mut done: Value = serde_json::from_str(include_str!("../fixtures/acedata_callback_result.json")).unwrap();
    done["actions"] = json!(["upscale1", "upscale2", "upscale3", "upscale4", "reroll", "some_new_action"]);
    let s = lookup("running", done);
    assert_eq!((s.state, s.job_id.as_str()), (RemoteState::Succeeded, "b8b7fdc2-628e-40dd-bc0c-671c3ddac9e9"));
    assert_eq!(s.actions.last().map(String::as_str), Some("some_new_action"));
    assert_eq!((s.images.len(), s.image_id.as_deref()), (4, Some("1391374390892953600")));

    let single = json!({"success": true, "task_id": "t-2", "image_url": "https://c/one.png", "actions": ["upscale_2x", "pan_left"]});
    let s = lookup("succeeded", single);
    assert_eq!((s.images, s.grid_image), (vec!["https://c/one.png".to_owned()], None));
    let grid = json!({"success": true, "task_id": "t-3", "image_url": "https://c/grid.png", "actions": ["upscale1", "variation1"]});
    let s = lookup("succeeded", grid);
    assert_eq!((s.images.len(), s.grid_image.as_deref()), (0, Some("https://c/grid.png")));
}

#[test]
fn a_failed_lookup_keeps_the_reason_verbatim() {
    let s = lookup(
        "failed",
        json!({"success": false, "task_id": "t-1",
        "error": {"code": "generation_failed", "message": "[Banned prompt detected] flagged word"}}),
    );
    assert_eq!((s.state, s.message.as_deref()), (RemoteState::Failed, Some("[Banned prompt detected] flagged word")));
}

#[test]
fn describe_seed_batch_and_unreadable_lookups() {
    let s = lookup(
        "succeeded",
        json!({"success": true, "task_id": "t-1", "descriptions": ["a", "b", "c", "d"], "seed": 42}),
    );
    assert_eq!((s.prompts.len(), s.seed.as_deref()), (4, Some("42")));
    let batch = json!({"items": [{"id": "t-0", "response": {}}, {"id": "t-1", "state": "x", "response": {"success": true, "progress": 100}}], "count": 2});
    let s = ace().parse_fetch("t-1", 200, &batch.to_string()).unwrap();
    assert_eq!((s.state, s.job_id.as_str()), (RemoteState::Succeeded, "t-1"));
    let err = ace().parse_fetch("t-1", 200, include_str!("../fixtures/acedata_error.json")).unwrap_err();
    assert_eq!(err.api().and_then(|f| f.message.as_deref()), Some("fetch failed"));
    for bad in ["<html/>", r#"{"state":"running"}"#, r#"{"id":"t-1","response":"soon"}"#] {
        match ace().parse_fetch("t-1", 200, bad) {
            Err(GatewayError::Malformed { body, .. }) => assert_eq!(body, bad),
            other => panic!("{bad}: {other:?}"),
        }
    }
}
