//! Fault injection, banned words, image expiry and the admin routes.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;
use crate::sim::{Faults, SimConfig};

fn with_faults(faults: Faults) -> SimConfig {
    SimConfig { faults, ..SimConfig::instant() }
}

#[tokio::test]
async fn server_errors_process_nothing_and_spare_the_extras() {
    let h = Harness::start(with_faults(Faults { error_rate: 1.0, ..Faults::default() })).await;
    let (status, v) = h.tt("/midjourney/v1/imagine", json!({"prompt": "x"})).await;
    assert_eq!((status, v["status"].as_str()), (500, Some("FAILED")));
    let (status, v) = h.bearer("/midjourney/imagine", json!({"prompt": "x"})).await;
    assert_eq!((status, v["error"]["code"].as_str()), (500, Some("api_error")));
    let (status, v) = h.bearer("/model/v1/generation", json!({"model": "midjourney_imagine", "prompt": "x"})).await;
    assert_eq!((status, v["error"]["code"].as_i64()), (500, Some(4_007_099)));
    assert_eq!(h.http.get(h.url("/health")).send().await.unwrap().status().as_u16(), 200);
    let stats: Value = h.http.get(h.url("/__sim/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!((stats["submits"].as_u64(), stats["requests"].as_u64()), (Some(0), Some(3)));
}

#[tokio::test]
async fn rate_limits_say_when_to_retry() {
    let faults = Faults { rate_limit_rate: 1.0, retry_after_secs: 7, ..Faults::default() };
    let h = Harness::start(with_faults(faults)).await;
    let resp = h.http.get(h.url("/midjourney/v1/fetch?jobId=x")).header("TT-API-KEY", "sim-key").send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("7"));
}

#[tokio::test]
async fn malformed_answers_still_create_the_job() {
    let h = Harness::start(with_faults(Faults { malformed_rate: 1.0, ..Faults::default() })).await;
    let resp =
        h.http.post(h.url("/midjourney/v1/imagine")).header("TT-API-KEY", "sim-key").json(&json!({"prompt": "x"}));
    let resp = resp.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert!(text.starts_with("{\"") && text.contains("garbled"), "{text}");
    assert_eq!(h.server.stats().submits, 1);
}

#[tokio::test]
async fn dropped_connections_fail_fast_after_processing() {
    let h = Harness::start(with_faults(Faults { drop_rate: 1.0, ..Faults::default() })).await;
    let call = async {
        let req = h.http.post(h.url("/model/v1/generation")).bearer_auth("sim-key");
        match req.json(&json!({"model": "midjourney_imagine", "prompt": "x"})).send().await {
            Err(e) => Err(e),
            Ok(resp) => resp.text().await.map(|_| ()),
        }
    };
    let result = tokio::time::timeout(Duration::from_secs(5), call).await.expect("the client is not left hanging");
    assert!(result.is_err(), "the answer should be broken");
    assert_eq!(h.server.stats().submits, 1, "the submit was processed");
}

#[tokio::test]
async fn slow_answers_wait_before_answering() {
    let h = Harness::start(with_faults(Faults { slow_ms: 250, ..Faults::default() })).await;
    let start = Instant::now();
    assert_eq!(h.tt_get("/midjourney/v1/fetch?jobId=x").await.0, 404);
    assert!(start.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn the_same_seed_draws_the_same_faults() {
    let faults = Faults { error_rate: 0.3, rate_limit_rate: 0.2, ..Faults::default() };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let h = Harness::start(SimConfig { rng_seed: 77, ..with_faults(faults.clone()) }).await;
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(h.tt_get("/midjourney/v1/fetch?jobId=x").await.0);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    for s in [500, 429, 404] {
        assert!(runs[0].contains(&s), "{:?}", runs[0]);
    }
}

#[tokio::test]
async fn faults_can_be_read_and_replaced_over_http() {
    let h = Harness::instant().await;
    let set = json!({"error_rate": 1.0, "banned_words": ["gore"]});
    let resp = h.http.post(h.url("/__sim/faults")).json(&set).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let now: Faults = h.http.get(h.url("/__sim/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(now, Faults { error_rate: 1.0, banned_words: vec!["gore".into()], ..Faults::default() });
    assert_eq!(h.tt("/midjourney/v1/imagine", json!({"prompt": "x"})).await.0, 500);
    h.server.set_faults(Faults::default());
    assert_eq!(h.tt("/midjourney/v1/imagine", json!({"prompt": "x"})).await.0, 200);
    let bad = h.http.post(h.url("/__sim/faults")).body("{nope").send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn banned_words_fail_the_job_with_the_gateways_reason() {
    let h = Harness::start(with_faults(Faults { banned_words: vec!["Gore".into()], ..Faults::default() })).await;
    let id = h.tt_submit("/midjourney/v1/imagine", json!({"prompt": "a gore scene"})).await;
    let v = h.tt_wait("/midjourney/v1/fetch", &id).await;
    assert_eq!((v["status"].as_str(), v["message"].as_str()), (Some("FAILED"), Some("[Banned prompt detected]")));
    assert!(v["data"]["images"].as_array().unwrap().is_empty());
    let ok = h.tt_submit("/midjourney/v1/imagine", json!({"prompt": "a gorge at dawn"})).await;
    assert_eq!(h.tt_wait("/midjourney/v1/fetch", &ok).await["status"], "SUCCESS");
}

#[tokio::test]
async fn images_expire_after_their_ttl() {
    let h = Harness::start(SimConfig { image_ttl: Some(Duration::from_millis(1500)), ..SimConfig::instant() }).await;
    let data = h.tt_ok("/midjourney/v1/imagine", json!({"prompt": "x"})).await;
    let url = data["images"][0].as_str().unwrap().to_owned();
    assert_eq!(h.http.get(&url).send().await.unwrap().status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let resp = h.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(resp.text().await.unwrap(), "expired");
    assert_eq!(h.http.get(h.url("/cdn/nothing.png")).send().await.unwrap().status().as_u16(), 404);
}
