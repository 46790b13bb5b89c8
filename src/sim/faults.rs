//! The layer every gateway call passes through: counts it, draws its fault from the seeded
//! RNG, checks the key, and garbles or cuts the answer when the fault says so.
//!
//! One uniform draw per call is split by the configured rates, so a given seed and sequence
//! of calls always gives the same faults.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::Faults;
use super::reply::Gw;
use super::state::Sim;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Error,
    RateLimit,
    Malformed,
    Drop,
}

fn pick(faults: &Faults, r: f64) -> Option<Fault> {
    let rates = [
        (faults.error_rate, Fault::Error),
        (faults.rate_limit_rate, Fault::RateLimit),
        (faults.malformed_rate, Fault::Malformed),
        (faults.drop_rate, Fault::Drop),
    ];
    let mut edge = 0.0;
    for (rate, fault) in rates {
        edge += if rate.is_finite() { rate.clamp(0.0, 1.0) } else { 0.0 };
        if r < edge {
            return Some(fault);
        }
    }
    None
}

/// The middleware in front of each gateway's routes.
pub(super) async fn guard(State((sim, gw)): State<(Arc<Sim>, Gw)>, req: Request, next: Next) -> Response {
    sim.count_request();
    let faults = sim.faults();
    let fault = pick(&faults, sim.draw());
    let resp = match fault {
        Some(Fault::Error) => gw.internal_error(),
        Some(Fault::RateLimit) => gw.rate_limited(faults.retry_after_secs),
        _ if !gw.authorized(req.headers(), &sim.config.api_key) => gw.unauthorized(),
        Some(Fault::Malformed) => garble(next.run(req).await).await,
        Some(Fault::Drop) => cut(next.run(req).await).await,
        None => next.run(req).await,
    };
    if faults.slow_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.slow_ms)).await;
    }
    resp
}

/// The first half of the real answer followed by junk: never valid JSON.
async fn garble(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let mut end = text.len() / 2;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let broken = format!("{}<<garbled by the mjdesk simulator>>", &text[..end]);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(broken))
}

/// Promises the whole answer (Content-Length) but sends only half of it; hyper then closes
/// the connection, so the client sees a broken answer at once rather than waiting.
async fn cut(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let promised = bytes.len() + 64;
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(promised));
    // A stream body has no known length, so hyper trusts the header and aborts at the end.
    let stream = Body::from(half).into_data_stream();
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_draw_is_split_by_the_rates_in_order() {
        let f =
            Faults { error_rate: 0.1, rate_limit_rate: 0.2, malformed_rate: 0.3, drop_rate: 0.1, ..Faults::default() };
        assert_eq!(pick(&f, 0.05), Some(Fault::Error));
        assert_eq!(pick(&f, 0.15), Some(Fault::RateLimit));
        assert_eq!(pick(&f, 0.45), Some(Fault::Malformed));
        assert_eq!(pick(&f, 0.65), Some(Fault::Drop));
        assert_eq!(pick(&f, 0.75), None);
        assert_eq!(pick(&Faults::default(), 0.0), None);
        let nan = Faults { error_rate: f64::NAN, drop_rate: 2.0, ..Faults::default() };
        assert_eq!(pick(&nan, 0.99), Some(Fault::Drop));
    }
}
