//! The gateway client against the hostile server: redirects, stalls, HTML, huge bodies,
//! escape sequences, a success without images.

use std::time::Duration;

use mjdesk::error::{GatewayError, KEPT_BYTES};
use mjdesk::gateway::{GatewayClient, GatewayConfig};
use mjdesk::job::{JobKind, JobRequest, Provider, RemoteState, SubmitOptions};
use mjdesk::secret::ApiKey;
use serde_json::json;

use crate::server::{Hostile, Reply};

pub const KEY: &str = "tt-HOSTILE-KEY-4242";

/// Short limits, so every stall ends in well under the test's bound.
pub fn config(provider: Provider, base_url: &str) -> GatewayConfig {
    let mut c = GatewayConfig::new(provider, base_url, ApiKey::new(KEY));
    c.connect_timeout = Duration::from_secs(2);
    c.request_timeout = Duration::from_secs(3);
    c.long_timeout = Duration::from_secs(3);
    c.read_idle_timeout = Duration::from_millis(400);
    c
}

fn client(provider: Provider, server: &Hostile) -> GatewayClient {
    GatewayClient::new(config(provider, &server.base_url())).expect("client")
}

/// Fails the test instead of hanging it.
pub async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), f).await.expect("the call ended within 10 s")
}

fn imagine() -> JobRequest {
    JobRequest::Imagine { prompt: "a red fox".into() }
}

/// True when `s` holds a character a terminal acts on (besides the line feed).
pub fn has_control(s: &str) -> bool {
    s.chars().any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// A listener that records what reaches it and answers like a gateway would.
async fn elsewhere() -> Hostile {
    Hostile::start(|_| Reply::json(200, json!({"status": "SUCCESS", "data": {"jobId": "stolen"}}))).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fetch_redirected_to_another_port_is_not_followed_and_the_key_stays_home() {
    for provider in [Provider::Ttapi, Provider::Acedata, Provider::Vtrix] {
        let other = elsewhere().await;
        let target = other.url("/collect");
        let gateway = Hostile::start(move |_| Reply::redirect(302, &target)).await;
        let err = bounded(client(provider, &gateway).fetch("j-1", &JobKind::Imagine)).await.unwrap_err();
        assert!(matches!(err, GatewayError::Redirected { status: Some(302), .. }), "{provider:?}: {err:?}");
        let text = err.to_string();
        assert!(text.contains(&other.host()), "names the target host: {text}");
        assert!(!err.is_transient(), "a redirect comes back the same on every try");
        assert!(other.requests().is_empty(), "{provider:?}: the other host was contacted: {:?}", other.requests());
        // The gateway itself did get the key.
        let first = &gateway.requests()[0];
        assert!(first.header("tt-api-key").is_some() || first.header("authorization").is_some());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submit_redirected_with_307_to_another_port_is_refused() {
    let other = elsewhere().await;
    let target = other.url("/midjourney/v1/imagine");
    let gateway = Hostile::start(move |_| Reply::redirect(307, &target)).await;
    let err =
        bounded(client(Provider::Ttapi, &gateway).submit(&imagine(), &SubmitOptions::default())).await.unwrap_err();
    assert!(matches!(err, GatewayError::Redirected { status: Some(307), .. }), "{err:?}");
    assert!(err.to_string().contains(&other.host()), "{err}");
    assert!(err.submit_not_received(), "a redirect is an answer that created nothing");
    for r in other.requests() {
        assert_eq!(r.header("tt-api-key"), None, "the key reached another port");
    }
    assert!(other.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_same_origin_307_is_followed_with_the_key_and_the_body() {
    let gateway = Hostile::start(|r| match r.path.as_str() {
        "/midjourney/v1/imagine" => Reply::redirect(307, "/v2/imagine"),
        _ => Reply::json(200, json!({"status": "SUCCESS", "data": {"jobId": "j-307"}})),
    })
    .await;
    let sub = bounded(client(Provider::Ttapi, &gateway).submit(&imagine(), &SubmitOptions::default())).await.unwrap();
    assert_eq!(sub.job_id, "j-307");
    let seen = gateway.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[1].method.as_str(), seen[1].path.as_str()), ("POST", "/v2/imagine"));
    assert_eq!(seen[1].header("tt-api-key"), Some(KEY));
    let body: serde_json::Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(body["prompt"], "a red fox");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_another_path_of_the_same_host_that_changes_the_method_is_not_followed() {
    let gateway = Hostile::start(|_| Reply::redirect(302, "/elsewhere")).await;
    let err = bounded(client(Provider::Ttapi, &gateway).fetch("j", &JobKind::Imagine)).await.unwrap_err();
    assert!(err.to_string().contains("/elsewhere"), "{err}");
    assert_eq!(gateway.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn image_downloads_follow_a_few_redirects_and_never_carry_the_key() {
    let cdn = Hostile::start(|_| Reply::png()).await;
    let target = cdn.url("/img/final.png");
    let gateway = Hostile::start(move |r| match r.path.as_str() {
        "/a.png" => Reply::redirect(302, "/b.png"),
        _ => Reply::redirect(301, &target),
    })
    .await;
    let c = client(Provider::Ttapi, &gateway);
    let bytes = bounded(c.download(&gateway.url("/a.png"))).await.unwrap();
    assert_eq!(bytes, crate::server::png_bytes());
    let all: Vec<_> = gateway.requests().into_iter().chain(cdn.requests()).collect();
    assert_eq!(all.len(), 3);
    for r in &all {
        assert_eq!(r.header("tt-api-key"), None, "{r:?}");
        assert_eq!(r.header("authorization"), None, "{r:?}");
    }
    // AceData's key travels in Authorization: not on downloads either.
    let c = client(Provider::Acedata, &gateway);
    bounded(c.download(&gateway.url("/a.png"))).await.unwrap();
    assert!(cdn.requests().iter().all(|r| r.header("authorization").is_none()));
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_redirects_end_a_download_and_are_not_transient() {
    let gateway = Hostile::start(|r| {
        let n: u32 = r.path.trim_start_matches("/loop/").parse().unwrap_or(0);
        Reply::redirect(302, &format!("/loop/{}", n + 1))
    })
    .await;
    let err = bounded(client(Provider::Ttapi, &gateway).download(&gateway.url("/loop/0"))).await.unwrap_err();
    assert!(matches!(err, GatewayError::Redirected { .. }), "{err:?}");
    assert!(err.to_string().contains("more than 3 redirects"), "{err}");
    assert!(!err.is_transient());
    assert_eq!(gateway.requests().len(), 4, "the first request and three redirects");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_stalls_after_its_headers_ends_at_the_idle_limit() {
    let gateway = Hostile::start(|_| Reply::Stall { content_length: 100, sent: b"{\"status\":".to_vec() }).await;
    let c = client(Provider::Ttapi, &gateway);
    let err = bounded(c.fetch("j", &JobKind::Imagine)).await.unwrap_err();
    assert!(matches!(&err, GatewayError::Stalled { detail, .. } if detail.contains("nothing arrived")), "{err:?}");
    assert!(err.is_transient(), "a fetch may be asked again");
    let err = bounded(c.submit(&imagine(), &SubmitOptions::default())).await.unwrap_err();
    assert!(!err.submit_not_received(), "a stalled answer may be to a job that was created");
    // A stalled image names the image host, not the gateway.
    let err = bounded(c.download(&gateway.url("/x.png"))).await.unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with(&gateway.host()) && !text.contains("gateway"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_trickles_one_byte_at_a_time_ends_at_the_time_limit() {
    let gateway = Hostile::start(|_| Reply::Trickle { len: 1000, every: Duration::from_millis(200) }).await;
    let err = bounded(client(Provider::Ttapi, &gateway).fetch("j", &JobKind::Imagine)).await.unwrap_err();
    assert!(matches!(&err, GatewayError::Stalled { detail, .. } if detail.contains("within 3 s")), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn html_instead_of_json_is_malformed_in_words_and_kept_short() {
    let page = format!("<!DOCTYPE html><html><body>{}</body></html>", "login please ".repeat(2000));
    let gateway = Hostile::start(move |_| Reply::html(200, &page)).await;
    let err = bounded(client(Provider::Ttapi, &gateway).fetch("j", &JobKind::Imagine)).await.unwrap_err();
    match &err {
        GatewayError::Malformed { reason, body, .. } => {
            assert!(reason.contains("web page (HTML)"), "{reason}");
            assert!(body.len() <= KEPT_BYTES + 64, "{} bytes kept", body.len());
            assert!(body.starts_with("<!DOCTYPE html>"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_30_mb_answer_is_refused_and_a_30_mb_error_is_kept_to_a_few_kb() {
    const MB30: u64 = 30 * 1024 * 1024;
    for declared in [Some(MB30), None] {
        let gateway = Hostile::start(move |_| Reply::Big {
            status: 200,
            content_type: "application/json",
            declared,
            actual: MB30,
            fill: b' ',
        })
        .await;
        let err = bounded(client(Provider::Ttapi, &gateway).fetch("j", &JobKind::Imagine)).await.unwrap_err();
        assert!(matches!(err, GatewayError::TooLarge { limit, .. } if limit == 4 * 1024 * 1024), "{err:?}");
        assert!(err.to_string().contains("larger than 4 MB"), "{err}");
    }
    let gateway = Hostile::start(|_| Reply::Big {
        status: 502,
        content_type: "text/html",
        declared: Some(MB30),
        actual: MB30,
        fill: b'x',
    })
    .await;
    let err = bounded(client(Provider::Ttapi, &gateway).fetch("j", &JobKind::Imagine)).await.unwrap_err();
    let f = err.api().expect("the status is still reported");
    assert_eq!(f.status, 502);
    assert!(f.body.len() <= KEPT_BYTES + 64, "{} bytes kept", f.body.len());
    assert!(err.to_string().len() < 600, "{} characters in the sentence", err.to_string().len());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_claiming_200_mb_is_refused_up_front_and_a_streamed_60_mb_one_midway() {
    let gateway = Hostile::start(|r| {
        if r.path == "/claims.png" {
            Reply::Stall { content_length: 200 * 1024 * 1024, sent: crate::server::png_bytes() }
        } else {
            Reply::Big { status: 200, content_type: "image/png", declared: None, actual: 60 * 1024 * 1024, fill: 0 }
        }
    })
    .await;
    let c = client(Provider::Ttapi, &gateway);
    for path in ["/claims.png", "/streams.png"] {
        let err = bounded(c.download(&gateway.url(path))).await.unwrap_err();
        assert!(matches!(err, GatewayError::TooLarge { limit, .. } if limit == 50 * 1024 * 1024), "{path}: {err:?}");
        assert!(err.to_string().starts_with(&gateway.host()), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_never_reach_an_error_sentence_but_stay_in_the_raw_answer() {
    let evil = "\u{1b}[2J\u{1b}]0;owned\u{7}\rsafe?\u{9b}31m\u{202e}gnp.exe\n".repeat(50);
    let message = evil.clone();
    let gateway =
        Hostile::start(move |_| Reply::json(400, json!({"status": "FAILED", "message": message, "data": null}))).await;
    let err = bounded(client(Provider::Ttapi, &gateway).fetch("j", &JobKind::Imagine)).await.unwrap_err();
    let text = err.to_string();
    assert!(!has_control(&text) && !text.contains('\n'), "{text:?}");
    assert!(text.contains("\\x1b[2J"), "shown, not applied: {text}");
    assert!(text.chars().count() < 400, "{text}");
    assert!(err.api().unwrap().message.as_deref().unwrap().starts_with("\u{1b}[2J"), "the raw text is kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn success_without_images_is_not_a_result_but_describe_and_seed_need_none() {
    let answers = [
        (json!({"status": "SUCCESS"}), "no `data`"),
        (json!({"status": "SUCCESS", "data": null}), "`data` is null"),
        (json!({"status": "SUCCESS", "data": "done"}), "`data` is not an object"),
        (json!({"status": "SUCCESS", "data": {"images": []}}), "`data.images` is empty"),
        (json!({"status": "SUCCESS", "data": {"images": null, "progress": "100"}}), "`data.images` is null"),
    ];
    for (answer, said) in answers {
        let body = answer.clone();
        let gateway = Hostile::start(move |_| Reply::json(200, body.clone())).await;
        let c = client(Provider::Ttapi, &gateway);
        for kind in [
            JobKind::Imagine,
            JobKind::Blend,
            JobKind::Action { parent: "p".into(), action: "upsample1".into(), image_index: Some(0) },
        ] {
            let snap = bounded(c.fetch("j", &kind)).await.unwrap();
            assert!(!snap.state.is_terminal(), "{answer} for {kind:?} gave {:?}", snap.state);
            assert!(matches!(&snap.state, RemoteState::Other(w) if w.contains("SUCCESS without images")));
            assert!(snap.raw_status.contains(said), "{answer}: {}", snap.raw_status);
        }
        for kind in [JobKind::Describe, JobKind::Seed { parent: "p".into() }] {
            assert_eq!(bounded(c.fetch("j", &kind)).await.unwrap().state, RemoteState::Succeeded, "{kind:?}");
        }
    }
}
