//! Tolerant readers shared by the three gateway protocols.
//!
//! Gateways drift: the same field comes back as `jobId` or `job_id`, progress as `"45"`, `45`
//! or `"45%"`, ids as strings or numbers. These helpers accept every variant we have seen or
//! that the docs contradict each other on, and turn a body that is not JSON at all into
//! [`GatewayError::Malformed`] with the raw text kept, so nothing here can panic on input.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;

use crate::error::{GatewayError, KEPT_BYTES};
use crate::job::{JobKind, JobSnapshot, RemoteState};
use crate::mask::Mask;
use crate::textsafe;

/// The body as a JSON object, or `Malformed` with the raw text kept.
pub(super) fn object(status: u16, body: &str) -> Result<Value, GatewayError> {
    match serde_json::from_str::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(malformed(status, "the answer is JSON but not an object", body)),
        Err(_) if body.trim_start().starts_with('<') => Err(malformed(
            status,
            "the answer is a web page (HTML), not JSON: a proxy, a login or an error page stands in the way",
            body,
        )),
        Err(e) => Err(malformed(status, &format!("the answer is not JSON: {e}"), body)),
    }
}

/// The raw body is kept to [`KEPT_BYTES`].
pub(super) fn malformed(status: u16, reason: &str, body: &str) -> GatewayError {
    GatewayError::Malformed {
        status,
        reason: reason.to_owned(),
        body: textsafe::cap_bytes(body, KEPT_BYTES).into_owned(),
    }
}

/// Longest a status word is kept.
const STATUS_BYTES: usize = 200;
/// Longest a short field (seed, quota, ids, action names) is kept.
const FIELD_BYTES: usize = 512;
/// Longest a prompt is kept.
const PROMPT_BYTES: usize = 8 * 1024;
/// Longest image link kept; a longer one is not a link mjdesk will fetch.
const URL_BYTES: usize = 8 * 1024;
/// Most list items kept (images, actions, describe prompts).
const LIST_ITEMS: usize = 32;

/// Kinds of job whose result is images. Describe answers with prompts and seed with a
/// number; every other kind (an unknown action too) makes images.
pub(super) fn makes_images(kind: &JobKind) -> bool {
    !matches!(kind, JobKind::Describe | JobKind::Seed { .. })
}

/// What every read snapshot goes through before it leaves the gateway layer:
///
/// - a success with no image for a kind that makes images is not a result: it becomes
///   [`RemoteState::Other`] (still running) with a status saying what the gateway sent
///   (`SUCCESS without images (`data` is null)`), so the job is asked again;
/// - text fields are kept to a few kB each and lists to a few dozen items.
pub(super) fn settle_snapshot(snap: &mut JobSnapshot, kind: &JobKind, body: &str) {
    bound(snap);
    if snap.state == RemoteState::Succeeded && makes_images(kind) && snap.images.is_empty() && snap.grid_image.is_none()
    {
        let note = format!("{} without images ({})", textsafe::line(&snap.raw_status, 40), missing_images(body));
        snap.state = RemoteState::Other(note.clone());
        snap.raw_status = note;
        snap.progress = snap.progress.map(|p| p.min(99));
    }
}

/// Which part of an answer that says "success" lacks the images, in words.
fn missing_images(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else { return "no image links".into() };
    let container = ["data", "response"].into_iter().find_map(|k| v.get(k).map(|d| (k, d)));
    let (key, data) = match container {
        None => return "no `data` in the answer".into(),
        Some((k, Value::Null)) => return format!("`{k}` is null"),
        Some((k, d)) if !d.is_object() => return format!("`{k}` is not an object"),
        Some(found) => found,
    };
    let list = ["images", "sub_image_urls", "output"].into_iter().find_map(|k| data.get(k).map(|l| (k, l)));
    match list {
        Some((k, Value::Null)) => format!("`{key}.{k}` is null"),
        Some((k, Value::Array(items))) if items.is_empty() => format!("`{key}.{k}` is empty"),
        _ => format!("no image links in `{key}`"),
    }
}

/// Caps every text field and list of a snapshot.
fn bound(snap: &mut JobSnapshot) {
    let cap = |s: &mut String, max: usize| {
        if s.len() > max {
            *s = textsafe::cap_bytes(s, max).into_owned();
        }
    };
    let cap_opt = |s: &mut Option<String>, max: usize| {
        if let Some(s) = s {
            cap(s, max);
        }
    };
    cap(&mut snap.job_id, FIELD_BYTES);
    cap(&mut snap.raw_status, STATUS_BYTES);
    if let RemoteState::Other(word) = &mut snap.state {
        cap(word, STATUS_BYTES);
    }
    cap_opt(&mut snap.seed, FIELD_BYTES);
    cap_opt(&mut snap.quota, FIELD_BYTES);
    cap_opt(&mut snap.image_id, FIELD_BYTES);
    cap_opt(&mut snap.submit_time, FIELD_BYTES);
    cap_opt(&mut snap.finish_time, FIELD_BYTES);
    cap_opt(&mut snap.prompt, PROMPT_BYTES);
    cap_opt(&mut snap.message, KEPT_BYTES);
    snap.images.retain(|u| u.len() <= URL_BYTES);
    snap.images.truncate(LIST_ITEMS);
    snap.grid_image = snap.grid_image.take().filter(|u| u.len() <= URL_BYTES);
    snap.actions.retain(|a| a.len() <= FIELD_BYTES);
    snap.actions.truncate(LIST_ITEMS * 2);
    snap.prompts.truncate(LIST_ITEMS);
    for p in &mut snap.prompts {
        cap(p, PROMPT_BYTES);
    }
}

/// A refusal written inside a 2xx answer, read with the shared error-shape reader.
pub(super) fn refusal(status: u16, body: &str) -> GatewayError {
    GatewayError::Api(super::http::failure_from_body(status, body.to_owned(), None))
}

/// A string (not blank) or a number, as text. Strings are kept verbatim.
pub(super) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first of `keys` on `v` that holds text.
pub(super) fn first_text(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(v.get(*k)))
}

/// A job id under any of the names gateways use for it.
pub(super) fn job_id(v: &Value) -> Option<String> {
    first_text(v, &["jobId", "job_id", "task_id", "taskId", "id"])
}

/// Progress as 0-100 from `45`, `45.7`, `"45"`, `"45%"` or `" 45 % "`; anything else is None.
pub(super) fn progress(v: Option<&Value>) -> Option<u8> {
    let n = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then(|| n.clamp(0.0, 100.0) as u8)
}

/// A non-negative whole number from a number or a numeric string.
pub(super) fn uint(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The text items of an array (blank ones and non-text ones skipped); a lone string counts
/// as a one-item list.
pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
        Some(one) => text(Some(one)).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Splits a describe answer written as one text into its prompts: on the keycap markers
/// `1️⃣`..`9️⃣` (with or without the emoji variation selector) when there are any, else on
/// blank lines.
pub(super) fn split_describe(text: &str) -> Vec<String> {
    const KEYCAP: char = '\u{20E3}';
    if text.contains(KEYCAP) {
        let mut normal = text.replace("\u{FE0F}\u{20E3}", "\u{20E3}");
        for d in '0'..='9' {
            normal = normal.replace(&format!("{d}{KEYCAP}"), "\0");
        }
        return normal.split('\0').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    }
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n").trim().to_owned());
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    out
}

/// Percent-encodes `s` for a URL path segment or query value (only RFC 3986 unreserved
/// characters are left as they are).
pub(super) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A typed request as the JSON `Prepared` carries.
pub(super) fn to_body<T: Serialize>(req: &T) -> Result<Value, GatewayError> {
    serde_json::to_value(req).map_err(|e| GatewayError::invalid(format!("could not build the request: {e}")))
}

/// [`to_body`] plus one large text field moved in as it is (a base64 image: megabytes that
/// serialising would copy).
pub(super) fn to_body_with<T: Serialize>(req: &T, key: &str, text: String) -> Result<Value, GatewayError> {
    let mut body = to_body(req)?;
    match &mut body {
        Value::Object(fields) => {
            fields.insert(key.to_owned(), Value::String(text));
            Ok(body)
        }
        _ => Err(GatewayError::invalid("could not build the request: the body is not an object")),
    }
}

/// Plain base64, no `data:` prefix.
pub(super) fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Checks a mask against the image it will be applied to (`None`: the size is not known
/// here, only emptiness and fullness are checked).
pub(super) fn check_mask(mask: &Mask, size: Option<(u32, u32)>) -> Result<(), GatewayError> {
    let (w, h) = size.unwrap_or((mask.width(), mask.height()));
    mask.check_for(w, h).map_err(|e| GatewayError::invalid(e.to_string()))
}

/// The pixel size of an encoded image, read from its header.
pub(super) fn image_size(bytes: &[u8]) -> Result<(u32, u32), GatewayError> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable_image(&e.to_string()))?
        .into_dimensions()
        .map_err(|e| unreadable_image(&e.to_string()))
}

pub(super) fn unreadable_image(detail: &str) -> GatewayError {
    GatewayError::invalid(format!("the image could not be read (use a PNG, JPEG, WebP or BMP file): {detail}"))
}

/// A prompt that must not be blank.
pub(super) fn require_prompt<'a>(prompt: &'a str, what: &str) -> Result<&'a str, GatewayError> {
    if prompt.trim().is_empty() {
        Err(GatewayError::invalid(format!("{what} needs a prompt; write what you want to see")))
    } else {
        Ok(prompt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn progress_reads_every_spelling() {
        let cases = [
            (json!("45"), Some(45)),
            (json!(45), Some(45)),
            (json!("45%"), Some(45)),
            (json!(" 45 % "), Some(45)),
            (json!(45.7), Some(45)),
            (json!("100"), Some(100)),
            (json!(150), Some(100)),
            (json!(-3), Some(0)),
            (json!("abc"), None),
            (json!(""), None),
            (json!(null), None),
            (json!([1]), None),
        ];
        for (v, want) in cases {
            assert_eq!(progress(Some(&v)), want, "{v}");
        }
        assert_eq!(progress(None), None);
    }

    #[test]
    fn ids_under_any_name_and_as_numbers() {
        assert_eq!(job_id(&json!({"jobId": "a"})).as_deref(), Some("a"));
        assert_eq!(job_id(&json!({"job_id": "b"})).as_deref(), Some("b"));
        assert_eq!(job_id(&json!({"task_id": "c"})).as_deref(), Some("c"));
        assert_eq!(job_id(&json!({"id": 17})).as_deref(), Some("17"));
        assert_eq!(job_id(&json!({"jobId": "", "id": "d"})).as_deref(), Some("d"));
        assert_eq!(job_id(&json!({"other": "x"})), None);
    }

    #[test]
    fn describe_text_splits_on_markers_or_blank_lines() {
        let marked = "1️⃣ a red fox\n\n2️⃣ a fox, oil\n\n3\u{20E3} third\n4️⃣ fourth --ar 3:2";
        assert_eq!(split_describe(marked), ["a red fox", "a fox, oil", "third", "fourth --ar 3:2"]);
        let plain = "first\nstill first\n\n  \nsecond\n\nthird";
        assert_eq!(split_describe(plain), ["first\nstill first", "second", "third"]);
        assert!(split_describe("  ").is_empty());
    }

    #[test]
    fn encode_escapes_everything_but_unreserved() {
        assert_eq!(encode("a-b_c.d~9"), "a-b_c.d~9");
        assert_eq!(encode("a b/c?d&e=f"), "a%20b%2Fc%3Fd%26e%3Df");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn non_objects_are_malformed_with_the_raw_text_kept() {
        for body in ["<html>502</html>", "[1,2]", "", "\"ok\""] {
            match object(200, body) {
                Err(GatewayError::Malformed { status: 200, body: kept, .. }) => assert_eq!(kept, body),
                other => panic!("{body:?} gave {other:?}"),
            }
        }
        assert!(object(200, "{}").is_ok());
    }

    #[test]
    fn lists_skip_blanks_and_accept_a_lone_string() {
        assert_eq!(strings(Some(&json!(["a", "", 3, null]))), ["a", "3"]);
        assert_eq!(strings(Some(&json!("solo"))), ["solo"]);
        assert!(strings(None).is_empty());
        assert_eq!(uint(Some(&json!("960"))), Some(960));
        assert_eq!(uint(Some(&json!(-1))), None);
    }

    #[test]
    fn an_empty_success_stays_running_and_every_field_is_bounded() {
        let mut snap = JobSnapshot {
            state: RemoteState::Succeeded,
            raw_status: "SUCCESS".into(),
            progress: Some(100),
            message: Some("m".repeat(1 << 20)),
            prompt: Some("p".repeat(1 << 20)),
            images: vec!["x".repeat(9000)],
            actions: vec!["upsample1".into(); 500],
            ..Default::default()
        };
        settle_snapshot(&mut snap, &JobKind::Imagine, r#"{"status":"SUCCESS","data":{"images":["…"]}}"#);
        assert_eq!(snap.state, RemoteState::Other("SUCCESS without images (no image links in `data`)".into()));
        assert_eq!(
            (snap.raw_status.as_str(), snap.progress),
            ("SUCCESS without images (no image links in `data`)", Some(99))
        );
        assert!(snap.images.is_empty(), "a 9 kB link is not kept");
        assert!(snap.message.unwrap().len() <= KEPT_BYTES + 64);
        assert!(snap.prompt.unwrap().len() <= PROMPT_BYTES + 64);
        assert_eq!(snap.actions.len(), LIST_ITEMS * 2);

        let mut describe = JobSnapshot { state: RemoteState::Succeeded, ..Default::default() };
        settle_snapshot(&mut describe, &JobKind::Describe, "{}");
        assert_eq!(describe.state, RemoteState::Succeeded);
        let mut done = JobSnapshot {
            state: RemoteState::Succeeded,
            grid_image: Some("https://c/g.png".into()),
            ..Default::default()
        };
        settle_snapshot(&mut done, &JobKind::Imagine, "{}");
        assert_eq!(done.state, RemoteState::Succeeded, "a grid alone is a result");
    }

    #[test]
    fn images_that_cannot_be_read_are_refused_in_words() {
        let err = image_size(b"not an image").unwrap_err();
        assert!(err.to_string().contains("could not be read"), "{err}");
        let png = Mask::new(3, 2).to_bw_png();
        assert_eq!(image_size(&png).unwrap(), (3, 2));
    }
}
