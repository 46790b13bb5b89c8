//! The one error type every gateway call returns.
//!
//! It keeps what the gateway said verbatim (HTTP status, its own error code and message, the
//! raw body, bounded to [`KEPT_BYTES`]) and offers a sentence a designer understands. Nothing
//! in here ever holds the key, and the sentences show gateway text only made safe and short
//! ([`crate::textsafe`]).

use std::time::Duration;

use crate::textsafe;

/// Raw gateway text kept with an error (a body, a message) is cut to this many bytes.
pub const KEPT_BYTES: usize = 4096;

/// The gateway's own words are cut to this many characters in a sentence.
const SAID_CHARS: usize = 200;

/// A failed call to a gateway (or to the simulator standing in for one).
#[derive(Debug, Clone, thiserror::Error)]
pub enum GatewayError {
    /// The gateway answered, and the answer says no: a non-2xx status, or a 2xx whose envelope
    /// reports failure (TTAPI's `"status": "FAILED"`, AceData's `"success": false`).
    #[error("{}", .0.user_message())]
    Api(ApiFailure),
    /// No answer within the request timeout. The request may have reached the gateway.
    #[error("the gateway did not answer within {}s; the request may still have been received", .0.as_secs())]
    Timeout(Duration),
    /// The connection could not be made, so nothing was received by the gateway.
    #[error("could not connect to {host}: {}", textsafe::line(.detail, SAID_CHARS))]
    Connect { host: String, detail: String },
    /// The connection broke after the request was sent (reset, closed mid-answer).
    #[error("the connection to {host} broke before the answer arrived: {}", textsafe::line(.detail, SAID_CHARS))]
    Dropped { host: String, detail: String },
    /// The answer stopped coming: nothing for the idle limit, or not complete within the
    /// call's time limit. Names the host (a gateway, or the host of an image).
    #[error("{host} stopped sending its answer: {detail}")]
    Stalled { host: String, detail: String },
    /// A redirect mjdesk does not follow: one that leaves the gateway's address (the key
    /// would go with it), one from https to plain http, or too many in a row.
    #[error("{host} answered with a redirect mjdesk did not follow: {}", textsafe::line(.reason, SAID_CHARS))]
    Redirected { host: String, status: Option<u16>, reason: String },
    /// The answer is larger than mjdesk reads (4 MB for the API, 50 MB for an image).
    #[error("{host} sent {what} larger than {} MB; mjdesk stopped reading it", .limit / (1024 * 1024))]
    TooLarge { host: String, what: &'static str, limit: u64 },
    /// The gateway answered with something that is not the documented JSON.
    #[error("the gateway sent an answer mjdesk could not read ({}); raw answer kept", textsafe::line(.reason, SAID_CHARS))]
    Malformed { status: u16, reason: String, body: String },
    /// Refused before anything was sent: bad input, or a flow this gateway does not offer.
    #[error("{0}")]
    Invalid(String),
    /// Refused before anything was sent: the gateway documents no video call (Vtrix).
    #[error("{gateway} has no video call; animate and extend work on TTAPI and AceData")]
    NoVideoCall { gateway: &'static str },
}

/// What a gateway said when it refused a call.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub status: u16,
    /// The gateway's own code (`invalid_token`, `004007003`, ...), verbatim.
    pub code: Option<String>,
    /// The gateway's own message, verbatim (at most [`KEPT_BYTES`]).
    pub message: Option<String>,
    /// The raw body, kept for the designer and for bug reports (at most [`KEPT_BYTES`], with
    /// a marker when cut).
    pub body: String,
    /// From a `Retry-After` header, when the gateway sent one.
    pub retry_after: Option<Duration>,
}

/// What kind of refusal an [`ApiFailure`] is, from its status (and code where status is vague).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    BadKey,
    NoBalance,
    RateLimited,
    QueueFull,
    GatewayTimeout,
    ServerError,
    NotFound,
    BadRequest,
}

impl ApiFailure {
    pub fn kind(&self) -> FailureKind {
        match self.status {
            401 | 403 if self.code.as_deref() != Some("token_mismatched") => FailureKind::BadKey,
            402 => FailureKind::NoBalance,
            429 => FailureKind::RateLimited,
            499 => FailureKind::QueueFull,
            504 => FailureKind::GatewayTimeout,
            404 | 410 => FailureKind::NotFound,
            s if s >= 500 => FailureKind::ServerError,
            _ => FailureKind::BadRequest,
        }
    }

    /// One sentence for the designer: what happened, and what to do about it, followed by
    /// the gateway's own words (on one line, control characters shown as escapes, cut to a
    /// readable length).
    pub fn user_message(&self) -> String {
        let plain = match self.kind() {
            FailureKind::BadKey => "the gateway refused the API key (check it in Settings or --api-key)",
            FailureKind::NoBalance => "the gateway account has no balance left (top it up with the gateway)",
            FailureKind::RateLimited => "the gateway is rate limiting this key; mjdesk waits and tries again",
            FailureKind::QueueFull => {
                "the gateway's queue for this key is full (10 jobs in progress); the job waits locally"
            }
            FailureKind::GatewayTimeout => "the gateway timed out",
            FailureKind::ServerError => "the gateway had an internal error",
            FailureKind::NotFound => "the gateway does not know that job or address",
            FailureKind::BadRequest => "the gateway rejected the request",
        };
        let said = match (&self.code, &self.message) {
            (Some(c), Some(m)) if !m.is_empty() => format!("{c}: {m}"),
            (None, Some(m)) if !m.is_empty() => m.clone(),
            (Some(c), _) => c.clone(),
            _ => String::new(),
        };
        let said = textsafe::line(&said, SAID_CHARS);
        if said.is_empty() {
            format!("{plain} (HTTP {})", self.status)
        } else {
            format!("{plain} (HTTP {}: {said})", self.status)
        }
    }
}

impl GatewayError {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Self::Invalid(msg.into())
    }

    pub fn api(&self) -> Option<&ApiFailure> {
        match self {
            Self::Api(f) => Some(f),
            _ => None,
        }
    }

    /// How long the gateway asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|f| f.retry_after)
    }

    /// Worth trying again for an idempotent call (fetch, download): server errors, rate
    /// limits, timeouts, broken connections and garbled answers.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api(f) => {
                matches!(f.kind(), FailureKind::RateLimited | FailureKind::ServerError | FailureKind::GatewayTimeout)
            }
            Self::Timeout(_)
            | Self::Connect { .. }
            | Self::Dropped { .. }
            | Self::Stalled { .. }
            | Self::Malformed { .. } => true,
            // A redirect or an oversized answer comes back the same way on every try.
            Self::Redirected { .. } | Self::TooLarge { .. } | Self::Invalid(_) | Self::NoVideoCall { .. } => false,
        }
    }

    /// True when a submit certainly created no job: the gateway refused it in so many words
    /// (any 4xx, including 429 and 499), or the connection never opened. Such a submit can be
    /// repeated without risk of paying twice. Anything else (timeouts, 5xx, broken or garbled
    /// answers) may have created a job, and must not be repeated silently.
    pub fn submit_not_received(&self) -> bool {
        match self {
            Self::Api(f) => f.status < 500,
            // A redirect answers the request instead of acting on it, except a 303 ("done, see
            // there"); a chain of followed ones ends in a refusal with no status.
            Self::Redirected { status, .. } => *status != Some(303),
            Self::Connect { .. } | Self::Invalid(_) | Self::NoVideoCall { .. } => true,
            Self::Timeout(_)
            | Self::Dropped { .. }
            | Self::Stalled { .. }
            | Self::TooLarge { .. }
            | Self::Malformed { .. } => false,
        }
    }

    /// A refusal that waiting will cure (429 / 499): the submit is retried on its own.
    pub fn is_busy(&self) -> bool {
        matches!(self.api().map(ApiFailure::kind), Some(FailureKind::RateLimited | FailureKind::QueueFull))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: u16, code: Option<&str>, message: Option<&str>) -> GatewayError {
        GatewayError::Api(ApiFailure {
            status,
            code: code.map(str::to_owned),
            message: message.map(str::to_owned),
            body: String::new(),
            retry_after: None,
        })
    }

    #[test]
    fn statuses_map_to_plain_sentences_with_the_gateway_words() {
        let e = failure(401, Some("invalid_token"), Some("token is invalid"));
        let text = e.to_string();
        assert!(text.contains("refused the API key"), "{text}");
        assert!(text.contains("invalid_token: token is invalid"), "{text}");
        assert!(failure(402, None, None).to_string().contains("no balance"));
        assert!(failure(429, None, None).to_string().contains("rate limiting"));
        assert!(failure(499, None, None).to_string().contains("queue"));
        assert!(failure(503, None, Some("down")).to_string().contains("internal error"));
        assert!(failure(504, None, None).to_string().contains("timed out"));
    }

    #[test]
    fn submit_safety_rules() {
        assert!(failure(429, None, None).submit_not_received());
        assert!(failure(499, None, None).is_busy());
        assert!(!failure(500, None, None).submit_not_received());
        assert!(!GatewayError::Timeout(Duration::from_secs(3)).submit_not_received());
        let dropped = GatewayError::Dropped { host: "h".into(), detail: "reset".into() };
        assert!(!dropped.submit_not_received());
        assert!(dropped.is_transient());
        assert!(!failure(400, None, None).is_transient());
    }
}
