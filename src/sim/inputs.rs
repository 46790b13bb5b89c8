//! Images sent by clients: plain base64, `data:` URIs, or URLs (only the simulator's own
//! `/cdn` links can be read; anything else fails its job "[Invalid link!]", as a gateway that
//! cannot fetch a link would). Decoding is bounded so a decompression bomb cannot exhaust
//! memory: at most 50 MB of encoded bytes and 64 megapixels.

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use image::{ImageReader, Limits, RgbaImage};

use super::state::Sim;

pub(super) const MAX_BYTES: usize = 50 * 1024 * 1024;
pub(super) const MAX_PIXELS: u64 = 64 * 1024 * 1024;
/// The failure reason for a link the simulator cannot read.
pub(super) const INVALID_LINK: &str = "[Invalid link!]";

/// Runs CPU-heavy work (decoding, mask scans) on the blocking pool, off the async runtime.
pub(super) async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work).await.map_err(|_| "[Internal error] the image could not be processed".to_owned())
}

pub(super) fn is_url(t: &str) -> bool {
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The bytes of a `data:` URI or of plain base64.
pub(super) fn inline_bytes(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the image is empty".to_owned());
    }
    if t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:")) {
        let (meta, data) = t.split_once(',').ok_or("the data: URI has no ',' before its data")?;
        if !meta.to_ascii_lowercase().ends_with(";base64") {
            return Err("the data: URI must be base64 (data:image/png;base64,...)".to_owned());
        }
        return base64(data);
    }
    base64(t)
}

/// Decodes base64 (standard or URL-safe, padded or not, line breaks allowed), refusing more
/// than [`MAX_BYTES`] before decoding anything.
pub(super) fn base64(text: &str) -> Result<Vec<u8>, String> {
    let clean: std::borrow::Cow<'_, str> = if text.bytes().any(|b| b.is_ascii_whitespace()) {
        text.chars().filter(|c| !c.is_ascii_whitespace()).collect::<String>().into()
    } else {
        text.into()
    };
    let clean = clean.as_bytes();
    if clean.len() / 4 * 3 > MAX_BYTES + 3 {
        return Err(format!("the image is larger than {} MB", MAX_BYTES / (1024 * 1024)));
    }
    let bytes = STANDARD
        .decode(clean)
        .or_else(|_| STANDARD_NO_PAD.decode(clean))
        .or_else(|_| URL_SAFE.decode(clean))
        .or_else(|_| URL_SAFE_NO_PAD.decode(clean))
        .map_err(|_| "the image is not valid base64 (send plain base64, or a data: URI)".to_owned())?;
    if bytes.len() > MAX_BYTES {
        return Err(format!("the image is larger than {} MB", MAX_BYTES / (1024 * 1024)));
    }
    Ok(bytes)
}

/// Decodes PNG / JPEG / WebP / BMP into RGBA, within the size limits.
pub(super) fn decode(bytes: &[u8]) -> Result<RgbaImage, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!("the image is larger than {} MB", MAX_BYTES / (1024 * 1024)));
    }
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| format!("the image could not be read: {e}"))
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(MAX_PIXELS * 8);
    // the header alone says how big the picture is: nothing is allocated for it yet
    let probe = reader()?;
    if probe.format().is_none() {
        return Err("the data is not a PNG, JPEG, WebP or BMP image".to_owned());
    }
    let (w, h) = probe.into_dimensions().map_err(|e| format!("the image could not be read: {e}"))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("the image is {w}x{h}, more than {} megapixels", MAX_PIXELS / (1024 * 1024)));
    }
    if w == 0 || h == 0 {
        return Err("the image has no pixels".to_owned());
    }
    let mut full = reader()?;
    full.limits(limits);
    let img = full.decode().map_err(|e| format!("the image could not be decoded: {e}"))?;
    Ok(img.into_rgba8())
}

/// An image sent inline (`data:` URI or base64), decoded off the runtime.
pub(super) async fn load_inline(text: &str) -> Result<RgbaImage, String> {
    let text = text.to_owned();
    off_runtime(move || decode(&inline_bytes(&text)?)).await?
}

/// Reads an image given as a URL, a `data:` URI or base64: `Ok(None)` when it is a link the
/// simulator cannot read (anything but its own unexpired `/cdn` links).
pub(super) async fn load(sim: &Sim, text: &str) -> Result<Option<RgbaImage>, String> {
    let t = text.trim();
    if !is_url(t) {
        return load_inline(t).await.map(Some);
    }
    match sim.cdn.own_image(t) {
        Some(png) => off_runtime(move || decode(&png)).await?.map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        RgbaImage::new(w, h).write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn base64_variants_decode() {
        let raw = png(3, 2);
        let b64 = STANDARD.encode(&raw);
        assert_eq!(base64(&b64).unwrap(), raw);
        assert_eq!(base64(&URL_SAFE_NO_PAD.encode(&raw)).unwrap(), raw);
        let wrapped: String =
            b64.as_bytes().chunks(10).map(|c| format!("{}\n", std::str::from_utf8(c).unwrap())).collect();
        assert_eq!(base64(&wrapped).unwrap(), raw);
        assert!(base64("not base64 at all!").is_err());
        assert_eq!(decode(&raw).unwrap().dimensions(), (3, 2));
    }

    #[test]
    fn bombs_and_junk_are_refused_before_decoding() {
        // a 1x1 PNG whose header is rewritten to claim 20000x20000 (400 megapixels)
        let bytes = crate::imageio::png_claiming_size(20_000, 20_000);
        let err = decode(&bytes).unwrap_err();
        assert!(err.contains("20000x20000") && err.contains("megapixels"), "{err}");
        assert!(decode(b"GIF89a....").is_err());
        assert!(decode(&[0u8; 16]).unwrap_err().contains("not a PNG"));
        let huge = "A".repeat(MAX_BYTES / 3 * 4 + 400);
        assert!(base64(&huge).unwrap_err().contains("50 MB"));
    }
}
