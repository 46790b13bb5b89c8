//! The plumbing every gateway shares: one reqwest client, the auth header, timeouts, and
//! turning transport failures and non-2xx answers into [`GatewayError`].

use std::time::Duration;

use super::{GatewayConfig, Method, Prepared, Protocol};
use crate::error::{ApiFailure, GatewayError};

pub(super) fn build_client(config: &GatewayConfig) -> Result<reqwest::Client, GatewayError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .user_agent(concat!("mjdesk/", env!("CARGO_PKG_VERSION")));
    // A simulator on this machine is reached directly, whatever HTTP_PROXY says.
    if url::Url::parse(&config.base_url).is_ok_and(|u| is_loopback_host(&u)) {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| GatewayError::invalid(format!("could not set up the HTTP client: {e}")))
}

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
    let retry_after = retry_after(response.headers());
    let body = response.text().await.map_err(|e| transport_error(&e, &host, timeout))?;
    let body = config.key.redact(&body);
    if (200..300).contains(&status) {
        Ok((status, body))
    } else {
        Err(GatewayError::Api(failure_from_body(status, body, retry_after)))
    }
}

pub(super) async fn download(http: &reqwest::Client, url: &str, timeout: Duration) -> Result<Vec<u8>, GatewayError> {
    let host = host_of(url);
    let response = http.get(url).timeout(timeout).send().await.map_err(|e| transport_error(&e, &host, timeout))?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    if !(200..300).contains(&status) {
        let body = response.text().await.unwrap_or_default();
        return Err(GatewayError::Api(failure_from_body(status, body, retry_after)));
    }
    let bytes = response.bytes().await.map_err(|e| transport_error(&e, &host, timeout))?;
    Ok(bytes.to_vec())
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
    if e.is_timeout() {
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
pub(crate) fn failure_from_body(status: u16, body: String, retry_after: Option<Duration>) -> ApiFailure {
    let (code, message) = match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(v) => error_fields(&v),
        Err(_) => {
            let text = body.trim();
            (None, (!text.is_empty()).then(|| text.chars().take(300).collect()))
        }
    };
    ApiFailure { status, code, message, body, retry_after }
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
