//! The plumbing every gateway shares: one reqwest client, the auth header, timeouts, and
//! turning transport failures and non-2xx answers into [`GatewayError`].

use std::time::Duration;

use reqwest::redirect::{Attempt, Policy};

use super::{GatewayConfig, MAX_API_BYTES, MAX_IMAGE_BYTES, MAX_VIDEO_BYTES, Method, Prepared, Protocol};
use crate::error::{ApiFailure, GatewayError, KEPT_BYTES};

/// Same-address 307 / 308 redirects an API call follows in a row.
const API_REDIRECTS: usize = 3;
/// Redirects an image download follows in a row (CDNs use one or two).
pub(super) const IMAGE_REDIRECTS: usize = 3;
/// How much of a refusal's body is read: enough for any error message, and [`KEPT_BYTES`]
/// of it is kept.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// The client for API calls (submit, fetch). The key is never a client default: it is set
/// on each request, and a redirect is followed only when it stays on the same origin
/// (scheme, host and port) and repeats the request as it was (307 / 308). Any other
/// redirect comes back as the 3xx answer, which [`send`] turns into
/// [`GatewayError::Redirected`] naming where it pointed.
pub(super) fn build_client(config: &GatewayConfig) -> Result<reqwest::Client, GatewayError> {
    builder(config).redirect(Policy::custom(api_redirect)).build().map_err(setup_error)
}

/// The client for result images: no key ever, up to [`IMAGE_REDIRECTS`] redirects anywhere
/// except from https to plain http.
pub(super) fn build_image_client(config: &GatewayConfig) -> Result<reqwest::Client, GatewayError> {
    builder(config).redirect(Policy::custom(image_redirect)).build().map_err(setup_error)
}

/// A reqwest client builder, with rustls on ring installed as the process's TLS provider
/// first (reqwest is built without a provider of its own; see Cargo.toml). Every client in
/// mjdesk starts here.
pub fn client_builder() -> reqwest::ClientBuilder {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        // Err means another provider was installed first, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}

fn builder(config: &GatewayConfig) -> reqwest::ClientBuilder {
    let mut builder = client_builder()
        .connect_timeout(config.connect_timeout)
        .referer(false)
        .user_agent(concat!("mjdesk/", env!("CARGO_PKG_VERSION")));
    // A simulator on this machine is reached directly, whatever HTTP_PROXY says.
    if url::Url::parse(&config.base_url).is_ok_and(|u| is_loopback_host(&u)) {
        builder = builder.no_proxy();
    }
    builder
}

fn setup_error(e: reqwest::Error) -> GatewayError {
    GatewayError::invalid(format!("could not set up the HTTP client: {e}"))
}

/// Scheme, host and port all equal (a port left out counts as the scheme's default).
pub(super) fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}

/// What to do with one redirect.
#[derive(Debug, Clone, PartialEq)]
enum Decision {
    Follow,
    /// Hand the 3xx back as the answer.
    Stop,
    /// Fail the call with this reason.
    Refuse(String),
}

fn apply(attempt: Attempt<'_>, decision: Decision) -> reqwest::redirect::Action {
    match decision {
        Decision::Follow => attempt.follow(),
        Decision::Stop => attempt.stop(),
        Decision::Refuse(why) => attempt.error(RedirectRefusal(why)),
    }
}

fn api_redirect(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let decision = api_decision(attempt.status().as_u16(), attempt.url(), attempt.previous());
    apply(attempt, decision)
}

fn image_redirect(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let decision = image_decision(attempt.url(), attempt.previous());
    apply(attempt, decision)
}

/// API calls follow a redirect only on the origin first asked (so the key, which reqwest
/// keeps on same-host redirects, never leaves it) and only when it repeats the request as
/// it was (307 / 308); `previous` starts with the first URL.
fn api_decision(status: u16, next: &url::Url, previous: &[url::Url]) -> Decision {
    let Some(first) = previous.first() else { return Decision::Stop };
    if !same_origin(first, next) || !matches!(status, 307 | 308) {
        // Handed back as the 3xx answer: `send` says where it pointed.
        return Decision::Stop;
    }
    if previous.len() > API_REDIRECTS {
        return Decision::Refuse(format!("more than {API_REDIRECTS} redirects in a row"));
    }
    Decision::Follow
}

/// Image downloads follow a few redirects anywhere (they carry no key), never from https
/// to plain http.
fn image_decision(next: &url::Url, previous: &[url::Url]) -> Decision {
    if previous.last().is_some_and(|p| p.scheme() == "https") && next.scheme() != "https" {
        return Decision::Refuse(format!("it goes from https to plain http ({})", origin_of(next)));
    }
    if previous.len() > IMAGE_REDIRECTS {
        return Decision::Refuse(format!(
            "more than {IMAGE_REDIRECTS} redirects in a row (the last to {})",
            origin_of(next)
        ));
    }
    Decision::Follow
}

/// Why a redirect was not followed, carried through reqwest's error as its source.
#[derive(Debug)]
struct RedirectRefusal(String);

impl std::fmt::Display for RedirectRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefusal {}

pub(super) async fn send(
    http: &reqwest::Client,
    config: &GatewayConfig,
    protocol: &dyn Protocol,
    prepared: &Prepared,
) -> Result<(u16, String), GatewayError> {
    let url = format!("{}{}", config.base_url, prepared.path);
    let host = host_of(&url);
    let mut builder = match prepared.method {
        Method::Get => http.get(&url),
        Method::Post => http.post(&url),
    };
    let (name, value) = protocol.auth_header(&config.key);
    builder = builder.header(name, value).header("Accept", "application/json");
    if let Some(body) = &prepared.body {
        builder = builder.json(body);
    }
    let timeout = if prepared.long { config.long_timeout } else { config.request_timeout };
    let response = builder.timeout(timeout).send().await.map_err(|e| transport_error(&e, &host, timeout))?;
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        return Err(redirect_answer(&response, &host, "the gateway's address"));
    }
    let retry_after = retry_after(response.headers());
    let ok = (200..300).contains(&status);
    let body = if ok {
        read_capped(response, &host, Cap::refuse(MAX_API_BYTES, "an answer"), config.read_idle_timeout, timeout).await?
    } else {
        read_error_body(response, &host, config.read_idle_timeout, timeout).await
    };
    let body = config.key.redact(&String::from_utf8_lossy(&body));
    if ok { Ok((status, body)) } else { Err(GatewayError::Api(failure_from_body(status, body, retry_after))) }
}

/// Downloads a result image (or, with `video`, a clip) with `http` (the image client: no
/// key). Every wait is bounded by the idle limit (for the answer to start, and between two
/// pieces of it) and the whole by `config.request_timeout` (a clip, up to 300 MB, by
/// `config.long_timeout`); errors name the host.
pub(super) async fn download(
    http: &reqwest::Client,
    url: &str,
    config: &GatewayConfig,
    video: bool,
) -> Result<Vec<u8>, GatewayError> {
    let host = host_of(url);
    let idle = config.read_idle_timeout;
    let timeout = if video { config.long_timeout } else { config.request_timeout };
    let cap = if video { Cap::refuse(MAX_VIDEO_BYTES, "a video") } else { Cap::refuse(MAX_IMAGE_BYTES, "an image") };
    let sent = tokio::time::timeout(idle.min(timeout), http.get(url).timeout(timeout).send()).await;
    let response = match sent {
        Err(_) => return Err(stalled(&host, format!("no answer within {} s", secs(idle.min(timeout))))),
        Ok(Err(e)) if e.is_timeout() => {
            return Err(stalled(&host, format!("no answer within {} s", secs(timeout))));
        }
        Ok(r) => r.map_err(|e| transport_error(&e, &host, timeout))?,
    };
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        // Only an answer without a usable Location ends up here (the rest are followed).
        return Err(redirect_answer(&response, &host, "the image's address"));
    }
    let retry_after = retry_after(response.headers());
    if !(200..300).contains(&status) {
        let body = read_error_body(response, &host, idle, timeout).await;
        return Err(GatewayError::Api(failure_from_body(
            status,
            String::from_utf8_lossy(&body).into_owned(),
            retry_after,
        )));
    }
    read_capped(response, &host, cap, idle, timeout).await
}

/// How much of a body to read, and what happens past it.
#[derive(Debug, Clone, Copy)]
struct Cap {
    limit: u64,
    what: &'static str,
    /// Past the limit: an error ([`GatewayError::TooLarge`]), or keep what was read.
    refuse: bool,
}

impl Cap {
    fn refuse(limit: u64, what: &'static str) -> Self {
        Self { limit, what, refuse: true }
    }
}

/// Reads a body piece by piece: refused up front when its declared length is over the cap,
/// and stopped as soon as what arrived is; a pause longer than `idle` between two pieces,
/// or the call's whole `timeout` running out, ends it as [`GatewayError::Stalled`].
async fn read_capped(
    mut response: reqwest::Response,
    host: &str,
    cap: Cap,
    idle: Duration,
    timeout: Duration,
) -> Result<Vec<u8>, GatewayError> {
    let too_large = || GatewayError::TooLarge { host: host.to_owned(), what: cap.what, limit: cap.limit };
    let declared = declared_length(&response);
    if cap.refuse && declared.is_some_and(|n| n > cap.limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(cap.limit).min(1 << 20) as usize);
    loop {
        let chunk = match tokio::time::timeout(idle, response.chunk()).await {
            Err(_) => return Err(stalled(host, format!("nothing arrived for {} s", secs(idle)))),
            Ok(Err(e)) if e.is_timeout() => {
                return Err(stalled(host, format!("the answer was not complete within {} s", secs(timeout))));
            }
            Ok(Err(e)) => return Err(transport_error(&e, host, timeout)),
            Ok(Ok(None)) => return Ok(body),
            Ok(Ok(Some(chunk))) => chunk,
        };
        let room = (cap.limit as usize).saturating_sub(body.len());
        if chunk.len() > room {
            if cap.refuse {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..room]);
            return Ok(body);
        }
        body.extend_from_slice(&chunk);
    }
}

/// The start of a refusal's body, for its message: whatever arrived before the cap, a
/// stall or a break (the status says enough on its own).
async fn read_error_body(response: reqwest::Response, host: &str, idle: Duration, timeout: Duration) -> Vec<u8> {
    let cap = Cap { limit: ERROR_BODY_BYTES, what: "an error answer", refuse: false };
    read_capped(response, host, cap, idle, timeout).await.unwrap_or_default()
}

/// The `Content-Length` an answer declares, from the body's size or the header itself.
fn declared_length(response: &reqwest::Response) -> Option<u64> {
    let header = response
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match (response.content_length(), header) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// A 3xx that was not followed, as an error naming where it pointed.
fn redirect_answer(response: &reqwest::Response, host: &str, ours: &str) -> GatewayError {
    let status = response.status().as_u16();
    let target = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|loc| response.url().join(loc).ok());
    let reason = match target {
        Some(t) if t.scheme() == "http" && response.url().scheme() == "https" => {
            format!("HTTP {status} from https to plain http ({}); refused", origin_of(&t))
        }
        Some(t) if !same_origin(&t, response.url()) => format!(
            "HTTP {status} to {}, which is not {ours}; the API key is never sent there (check the address, e.g. --base-url)",
            origin_of(&t)
        ),
        Some(t) => {
            format!("HTTP {status} to another path on the same address ({}); only 307 and 308 are followed", t.path())
        }
        None => format!("HTTP {status} without a usable Location"),
    };
    GatewayError::Redirected { host: host.to_owned(), status: Some(status), reason }
}

/// `scheme://host:port` of a URL, for messages.
fn origin_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

fn stalled(host: &str, detail: String) -> GatewayError {
    GatewayError::Stalled { host: host.to_owned(), detail }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 10.0 || s.fract() == 0.0 { format!("{}", s.round()) } else { format!("{s:.1}") }
}

pub fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}{}", u.host_str()?, u.port().map(|p| format!(":{p}")).unwrap_or_default())))
        .unwrap_or_else(|| "the gateway".to_owned())
}

fn transport_error(e: &reqwest::Error, host: &str, timeout: Duration) -> GatewayError {
    // reqwest's Display includes the URL, never headers, so the key cannot appear here.
    let detail = root_cause(e);
    if e.is_redirect() {
        GatewayError::Redirected { host: host.to_owned(), status: None, reason: detail }
    } else if e.is_timeout() {
        GatewayError::Timeout(timeout)
    } else if e.is_connect() {
        GatewayError::Connect { host: host.to_owned(), detail }
    } else if e.is_builder() {
        GatewayError::invalid(format!("the address is not valid: {detail}"))
    } else {
        GatewayError::Dropped { host: host.to_owned(), detail }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Reads a refusal in any of the three gateways' shapes:
/// TTAPI `{status: "FAILED", message}`, AceData `{success: false, error: {code, message}}`,
/// Vtrix `{code, error_message}` or `{error: {code, error_message}}`. Anything else keeps the
/// raw text as the message.
/// The body and message are kept to [`KEPT_BYTES`].
pub(crate) fn failure_from_body(status: u16, body: String, retry_after: Option<Duration>) -> ApiFailure {
    let (code, message) = match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(v) => error_fields(&v),
        Err(_) => {
            let text = body.trim();
            (None, (!text.is_empty()).then(|| text.chars().take(300).collect()))
        }
    };
    let keep = |s: String| crate::textsafe::cap_owned(s, KEPT_BYTES);
    ApiFailure { status, code: code.map(keep), message: message.map(keep), body: keep(body), retry_after }
}

pub(crate) fn error_fields(v: &serde_json::Value) -> (Option<String>, Option<String>) {
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let err = v.get("error");
    let code = text(err.and_then(|e| e.get("code"))).or_else(|| text(v.get("code")));
    let message = text(err.and_then(|e| e.get("message")))
        .or_else(|| text(err.and_then(|e| e.get("error_message"))))
        .or_else(|| text(v.get("error_message")))
        .or_else(|| text(v.get("message")))
        .or_else(|| text(err));
    (code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn api_calls_follow_only_same_origin_307_and_308() {
        let first = [u("https://api.example/midjourney/v1/imagine")];
        assert_eq!(api_decision(307, &u("https://api.example/v2/imagine"), &first), Decision::Follow);
        assert_eq!(api_decision(308, &u("https://api.example:443/x"), &first), Decision::Follow);
        for (status, next) in [
            (307, "https://evil.example/x"),
            (307, "https://api.example:8443/x"),
            (307, "http://api.example/x"),
            (302, "https://api.example/x"),
            (303, "https://api.example/x"),
        ] {
            assert_eq!(api_decision(status, &u(next), &first), Decision::Stop, "{status} {next}");
        }
        let chain = vec![u("https://api.example/a"); 4];
        assert!(matches!(api_decision(307, &u("https://api.example/b"), &chain), Decision::Refuse(_)));
    }

    #[test]
    fn images_follow_a_few_redirects_but_never_down_to_http() {
        let from_https = [u("https://cdn.example/a.png")];
        assert_eq!(image_decision(&u("https://other.example/b.png"), &from_https), Decision::Follow);
        match image_decision(&u("http://other.example:8080/b.png"), &from_https) {
            Decision::Refuse(why) => assert!(why.contains("https to plain http (http://other.example:8080)"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(image_decision(&u("http://b.example/x"), &[u("http://a.example/x")]), Decision::Follow);
        let chain = vec![u("https://cdn.example/a.png"); 4];
        assert!(matches!(image_decision(&u("https://cdn.example/z.png"), &chain), Decision::Refuse(_)));
    }

    #[test]
    fn refusal_bodies_and_messages_are_kept_to_a_few_kb() {
        let huge = format!("{{\"message\":\"{}\"}}", "m".repeat(100_000));
        let f = failure_from_body(500, huge, None);
        assert!(f.body.len() <= KEPT_BYTES + 64 && f.body.contains("more bytes not kept"), "{}", f.body.len());
        assert!(f.message.unwrap().len() <= KEPT_BYTES + 64);
    }

    #[test]
    fn reads_each_gateways_error_shape() {
        let ace = r#"{"success":false,"error":{"code":"invalid_token","message":"bad"},"trace_id":"t"}"#;
        let f = failure_from_body(401, ace.into(), None);
        assert_eq!((f.code.as_deref(), f.message.as_deref()), (Some("invalid_token"), Some("bad")));

        let tt = r#"{"status":"FAILED","message":"[Invalid parameter]","data":null}"#;
        let f = failure_from_body(400, tt.into(), None);
        assert_eq!(f.message.as_deref(), Some("[Invalid parameter]"));

        let vt = r#"{"code":4007003,"error_message":"Invalid image number"}"#;
        let f = failure_from_body(400, vt.into(), None);
        assert_eq!((f.code.as_deref(), f.message.as_deref()), (Some("4007003"), Some("Invalid image number")));

        let f = failure_from_body(502, "<html>Bad Gateway</html>".into(), Some(Duration::from_secs(2)));
        assert_eq!(f.message.as_deref(), Some("<html>Bad Gateway</html>"));
        assert_eq!(f.retry_after, Some(Duration::from_secs(2)));
    }
}
