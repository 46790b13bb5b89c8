//! Large payloads of a request (input images, masks) live in the content-addressed image
//! cache, not in the job's row: the row holds `{"$blob": "<sha256>"}` where the base64 text
//! was, so a 5-image blend writes a few hundred bytes to SQLite and each image once to disk.
//!
//! The rule works on the request's JSON, so every request kind (and any kind added later)
//! is covered without knowing its fields: a base64 string under a `bytes` or `data` key
//! longer than [`INLINE_MAX`] moves out. Reading puts the bytes back, checking that the file
//! still hashes to its name: a damaged or missing input is an error, never a silent change.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::cache::{ImageCache, hash_hex};

/// Payloads up to this many base64 characters stay in the row.
const INLINE_MAX: usize = 1024;

const BLOB_KEY: &str = "$blob";

/// Why a request could not be moved out to or read back from the cache.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BlobError {
    #[error("{0}")]
    Cache(#[from] crate::cache::CacheError),
    #[error("an input of this job ({hash:.12}…) is missing from the image cache at {dir}")]
    Missing { hash: String, dir: String },
    #[error(
        "an input of this job ({hash:.12}…) in the image cache is damaged (its content no longer matches its name)"
    )]
    Damaged { hash: String },
}

/// `value` with every large payload written to `cache` and replaced by a reference.
pub(super) fn externalize(mut value: Value, cache: &ImageCache) -> Result<Value, BlobError> {
    walk_out(&mut value, cache)?;
    Ok(value)
}

fn walk_out(value: &mut Value, cache: &ImageCache) -> Result<(), BlobError> {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if let Value::String(s) = v
                    && (key == "bytes" || key == "data")
                    && s.len() > INLINE_MAX
                    && let Ok(bytes) = STANDARD.decode(s.as_bytes())
                {
                    let hash = hash_hex(&bytes);
                    cache.put(&bytes)?;
                    *v = serde_json::json!({ BLOB_KEY: hash });
                } else {
                    walk_out(v, cache)?;
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                walk_out(v, cache)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// `value` with every reference replaced by its payload (base64), read from `cache`.
pub(super) fn internalize(mut value: Value, cache: &ImageCache) -> Result<Value, BlobError> {
    walk_in(&mut value, cache)?;
    Ok(value)
}

fn walk_in(value: &mut Value, cache: &ImageCache) -> Result<(), BlobError> {
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(Value::String(hash)) = map.get(BLOB_KEY)
            {
                let hash = hash.clone();
                let bytes = read_blob(&hash, cache)?;
                *value = Value::String(STANDARD.encode(bytes));
                return Ok(());
            }
            for v in map.values_mut() {
                walk_in(v, cache)?;
            }
        }
        Value::Array(items) => {
            for v in items {
                walk_in(v, cache)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn read_blob(hash: &str, cache: &ImageCache) -> Result<Vec<u8>, BlobError> {
    let missing = || BlobError::Missing { hash: hash.to_owned(), dir: cache.dir().display().to_string() };
    let path = cache.path_for(hash).ok_or_else(missing)?;
    let bytes = std::fs::read(&path).map_err(|_| missing())?;
    if hash_hex(&bytes) != hash {
        return Err(BlobError::Damaged { hash: hash.to_owned() });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{ImageInput, JobRequest};

    #[test]
    fn large_payloads_move_out_once_and_come_back_identical() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path().join("images"));
        let big: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let small = vec![1u8, 2, 3];
        let req = JobRequest::Blend {
            images: vec![
                ImageInput::Bytes { bytes: big.clone(), mime: "image/png".into() },
                ImageInput::Bytes { bytes: big.clone(), mime: "image/png".into() },
                ImageInput::Bytes { bytes: small, mime: "image/png".into() },
                ImageInput::Url("https://x/y.png".into()),
            ],
            dimensions: None,
        };
        let stored = externalize(serde_json::to_value(&req).unwrap(), &cache).unwrap();
        let text = stored.to_string();
        assert!(text.len() < 1000, "the row keeps references only: {} bytes", text.len());
        assert_eq!(text.matches(&hash_hex(&big)).count(), 2, "both references name the one copy");
        assert_eq!(std::fs::read_dir(cache.dir()).unwrap().count(), 1, "the same image is stored once");
        let back: JobRequest = serde_json::from_value(internalize(stored, &cache).unwrap()).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn a_missing_or_damaged_input_is_an_error_not_a_silent_change() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path().join("images"));
        let big = vec![9u8; 4000];
        let req = JobRequest::Describe { image: ImageInput::Bytes { bytes: big, mime: "image/png".into() } };
        let stored = externalize(serde_json::to_value(&req).unwrap(), &cache).unwrap();
        let file = std::fs::read_dir(cache.dir()).unwrap().next().unwrap().unwrap().path();
        std::fs::write(&file, b"not the same bytes").unwrap();
        assert!(matches!(internalize(stored.clone(), &cache), Err(BlobError::Damaged { .. })));
        std::fs::remove_file(&file).unwrap();
        let e = internalize(stored, &cache).unwrap_err();
        assert!(matches!(e, BlobError::Missing { .. }), "{e}");
    }
}
