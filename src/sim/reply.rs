//! Each gateway's own shapes for refusals and its auth header, so one fault or auth layer can
//! answer for any of them exactly as `protocol.md` pins.

// Handlers answer `Result<Response, Response>` (axum turns either side into the answer);
// boxing every refusal would only add noise to a path that runs once per call.
#![allow(clippy::result_large_err)]

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The largest request body accepted: one 50 MB image as base64, with room for the JSON.
pub(super) const BODY_LIMIT: usize = 72 * 1024 * 1024;

/// Which gateway's protocol a route speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gw {
    Ttapi,
    Acedata,
    Vtrix,
}

/// Vtrix's "service unavailable" code, used for internal errors.
const VTRIX_UNAVAILABLE: i64 = 4_007_099;

pub(super) fn json(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// TTAPI refusal: `{"status":"FAILED","message":..,"data":null}`.
pub(super) fn tt_fail(status: StatusCode, message: &str) -> Response {
    json(status, json!({"status": "FAILED", "message": message, "data": null}))
}

/// TTAPI 400 for a bad parameter.
pub(super) fn tt_invalid(detail: &str) -> Response {
    tt_fail(StatusCode::BAD_REQUEST, &invalid(detail))
}

/// AceData refusal: `{"success":false,"error":{code,message},"trace_id"}`.
pub(super) fn ace_fail(status: StatusCode, code: &str, message: &str) -> Response {
    let trace = uuid::Uuid::new_v4().to_string();
    json(status, json!({"success": false, "error": {"code": code, "message": message}, "trace_id": trace}))
}

pub(super) fn ace_invalid(detail: &str) -> Response {
    ace_fail(StatusCode::BAD_REQUEST, "bad_request", &invalid(detail))
}

/// Vtrix refusal: `{"error":{"code":N,"error_message":..}}`.
pub(super) fn vt_fail(status: StatusCode, code: i64, message: &str) -> Response {
    json(status, json!({"error": {"code": code, "error_message": message}}))
}

/// "[Invalid parameter] detail", unless `detail` already carries a bracketed reason.
pub(super) fn invalid(detail: &str) -> String {
    if detail.starts_with('[') { detail.to_owned() } else { format!("[Invalid parameter] {detail}") }
}

impl Gw {
    /// True when the request carries the accepted key in this gateway's header.
    pub fn authorized(self, headers: &HeaderMap, key: &str) -> bool {
        let given = match self {
            Gw::Ttapi => headers.get("tt-api-key").and_then(|v| v.to_str().ok()).map(str::trim),
            Gw::Acedata | Gw::Vtrix => headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim()),
        };
        given.is_some_and(|g| !key.is_empty() && g == key)
    }

    pub fn unauthorized(self) -> Response {
        let s = StatusCode::UNAUTHORIZED;
        match self {
            Gw::Ttapi => tt_fail(s, "Unauthorized: the TT-API-KEY header is missing or not a valid key"),
            Gw::Acedata => ace_fail(s, "invalid_token", "the bearer token is missing or invalid"),
            Gw::Vtrix => vt_fail(s, 401, "invalid api key"),
        }
    }

    pub fn internal_error(self) -> Response {
        let s = StatusCode::INTERNAL_SERVER_ERROR;
        match self {
            Gw::Ttapi => tt_fail(s, "internal server error, please try again"),
            Gw::Acedata => ace_fail(s, "api_error", "fetch failed"),
            Gw::Vtrix => vt_fail(s, VTRIX_UNAVAILABLE, "Service unavailable"),
        }
    }

    pub fn rate_limited(self, retry_after_secs: u64) -> Response {
        let s = StatusCode::TOO_MANY_REQUESTS;
        let msg = "rate limited: too many requests, retry later";
        let mut resp = match self {
            Gw::Ttapi => tt_fail(s, msg),
            Gw::Acedata => ace_fail(s, "too_many_requests", msg),
            Gw::Vtrix => vt_fail(s, 429, msg),
        };
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        resp
    }

    /// The in-progress limit is reached: TTAPI 499, the others 429.
    pub fn busy(self, limit: usize) -> Response {
        let msg = format!("more than {limit} jobs in progress for this key; wait for one to finish");
        match self {
            Gw::Ttapi => tt_fail(StatusCode::from_u16(499).unwrap_or(StatusCode::TOO_MANY_REQUESTS), &msg),
            Gw::Acedata => ace_fail(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", &msg),
            Gw::Vtrix => vt_fail(StatusCode::TOO_MANY_REQUESTS, 429, &msg),
        }
    }

    /// A request body that could not be read or parsed, in this gateway's shape.
    fn bad_body(self, status: StatusCode, detail: &str) -> Response {
        let msg = invalid(&format!("request body: {detail}"));
        match self {
            Gw::Ttapi => tt_fail(status, &msg),
            Gw::Acedata => ace_fail(status, "bad_request", &msg),
            Gw::Vtrix => vt_fail(status, 400, &msg),
        }
    }

    /// Reads a JSON object body, or answers why it cannot.
    pub fn body(self, body: Result<Bytes, BytesRejection>) -> Result<Value, Response> {
        let bytes = body.map_err(|e| self.bad_body(e.status(), &e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v @ Value::Object(_)) => Ok(v),
            Ok(_) => Err(self.bad_body(StatusCode::BAD_REQUEST, "expected a JSON object")),
            Err(e) => Err(self.bad_body(StatusCode::BAD_REQUEST, &format!("not valid JSON ({e})"))),
        }
    }
}

/// A string field, trimmed; absent, null or empty reads as None.
pub(super) fn text<'a>(body: &'a Value, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// An integer field given as a number or a numeric string.
pub(super) fn int(body: &Value, field: &str) -> Option<Result<i64, String>> {
    match body.get(field)? {
        Value::Null => None,
        Value::Number(n) => Some(n.as_i64().ok_or_else(|| format!("{field} must be an integer"))),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.trim().parse().map_err(|_| format!("{field} must be an integer"))),
        _ => Some(Err(format!("{field} must be an integer"))),
    }
}
