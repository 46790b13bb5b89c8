//! Checking what a designer hands us before anything is sent.
//!
//! Every image is read fully and decoded under limits (size on disk, pixel count, decoder
//! memory) so a corrupt file, a format the gateways do not take, or a decompression bomb gets
//! a clear message here instead of a failed job (and spent quota) later.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbaImage};

/// Larger files are refused (the gateways' own upload limits are of this order).
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// Larger images are refused before decoding: 64 megapixels.
pub const MAX_PIXELS: u64 = 64 * 1024 * 1024;
/// Midjourney's prompt limit.
pub const MAX_PROMPT_CHARS: usize = 8192;

/// An image read and checked: its bytes as they are, and what they hold.
#[derive(Clone, PartialEq, Eq)]
pub struct CheckedImage {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for CheckedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckedImage({}, {}x{}, {} bytes)", self.mime, self.width, self.height, self.bytes.len())
    }
}

impl CheckedImage {
    pub fn to_input(&self) -> crate::job::ImageInput {
        crate::job::ImageInput::Bytes { bytes: self.bytes.clone(), mime: self.mime.to_owned() }
    }

    /// [`CheckedImage::to_input`] without copying the bytes.
    pub fn into_input(self) -> crate::job::ImageInput {
        crate::job::ImageInput::Bytes { bytes: self.bytes, mime: self.mime.to_owned() }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("{name}: no such file")]
    NotFound { name: String },
    #[error("{name}: could not be read ({detail})")]
    Unreadable { name: String, detail: String },
    #[error("{name}: the file is empty")]
    Empty { name: String },
    #[error("{name}: {mb:.1} MB is over the 50 MB limit; export it smaller")]
    TooLarge { name: String, mb: f64 },
    #[error("{name}: this is not an image file")]
    NotAnImage { name: String },
    #[error("{name}: {format} images are not accepted; use PNG, JPEG, WebP or BMP")]
    Unsupported { name: String, format: String },
    #[error("{name}: {width}x{height} is over the 64 megapixel limit; scale it down")]
    TooManyPixels { name: String, width: u32, height: u32 },
    #[error("{name}: the image is damaged or cut short ({detail})")]
    Corrupt { name: String, detail: String },
    #[error("the prompt is empty; describe what you want to see")]
    EmptyPrompt,
    #[error("the prompt is {chars} characters; the limit is 8192")]
    PromptTooLong { chars: usize },
    #[error("a blend takes 2 to 5 images, not {0}")]
    BlendCount(usize),
}

/// Reads and checks an image file.
pub fn load_image_file(path: &Path) -> Result<CheckedImage, InputError> {
    let name = path.display().to_string();
    check_image_bytes(read_image_file(path)?, &name)
}

/// Reads an image file's bytes, refusing a missing, unreadable or too large one (nothing is
/// decoded: see [`check_image_bytes`]).
pub fn read_image_file(path: &Path) -> Result<Vec<u8>, InputError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::NotFound { name: name.clone() },
        _ => InputError::Unreadable { name: name.clone(), detail: e.to_string() },
    })?;
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(InputError::TooLarge { name, mb: meta.len() as f64 / 1_048_576.0 });
    }
    std::fs::read(path).map_err(|e| InputError::Unreadable { name, detail: e.to_string() })
}

/// Checks image bytes from anywhere (a file, the clipboard, a download).
pub fn check_image_bytes(bytes: Vec<u8>, name: &str) -> Result<CheckedImage, InputError> {
    let mime = image_mime(&bytes, name)?;
    let img = decode(&bytes, name)?;
    Ok(CheckedImage { width: img.width(), height: img.height(), bytes, mime })
}

/// The MIME type of image bytes the gateways take, or why they are refused (empty, too
/// large, not an image, a format they do not take). Nothing is decoded.
pub fn image_mime(bytes: &[u8], name: &str) -> Result<&'static str, InputError> {
    let name = name.to_owned();
    if bytes.is_empty() {
        return Err(InputError::Empty { name });
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(InputError::TooLarge { name, mb: bytes.len() as f64 / 1_048_576.0 });
    }
    let format = image::guess_format(bytes).map_err(|_| InputError::NotAnImage { name: name.clone() })?;
    Ok(match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::WebP => "image/webp",
        ImageFormat::Bmp => "image/bmp",
        other => {
            return Err(InputError::Unsupported { name, format: format!("{other:?}").to_uppercase() });
        }
    })
}

/// Decodes under limits, into RGBA.
pub fn decode_rgba(bytes: &[u8], name: &str) -> Result<RgbaImage, InputError> {
    Ok(decode(bytes, name)?.into_rgba8())
}

/// Decodes under limits, in the file's own pixel layout (a JPEG stays RGB: no conversion
/// pass for a caller that only checks the file or converts on its own way). The header's
/// size is checked before any pixel buffer is allocated.
pub fn decode(bytes: &[u8], name: &str) -> Result<DynamicImage, InputError> {
    let corrupt = |e: &dyn std::fmt::Display| InputError::Corrupt { name: name.to_owned(), detail: e.to_string() };
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| corrupt(&e))?;
    let (width, height) = dimensions(bytes, name)?;
    if width as u64 * height as u64 > MAX_PIXELS {
        return Err(InputError::TooManyPixels { name: name.to_owned(), width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|e| corrupt(&e))
}

/// An image's size from its header alone (no pixels decoded).
pub fn dimensions(bytes: &[u8], name: &str) -> Result<(u32, u32), InputError> {
    let corrupt = |e: &dyn std::fmt::Display| InputError::Corrupt { name: name.to_owned(), detail: e.to_string() };
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| corrupt(&e))?
        .into_dimensions()
        .map_err(|e| corrupt(&e))
}

/// A prompt must say something and fit Midjourney's limit.
pub fn check_prompt(prompt: &str) -> Result<(), InputError> {
    let chars = prompt.chars().count();
    if prompt.trim().is_empty() {
        Err(InputError::EmptyPrompt)
    } else if chars > MAX_PROMPT_CHARS {
        Err(InputError::PromptTooLong { chars })
    } else {
        Ok(())
    }
}

pub fn check_blend_count(n: usize) -> Result<(), InputError> {
    if (2..=5).contains(&n) { Ok(()) } else { Err(InputError::BlendCount(n)) }
}

/// PNG bytes of an 8-bit image (RGBA, grey ...).
///
/// Written for speed: the fast deflate (fdeflate) with one fixed filter for every row instead
/// of trying all five per row ([`PNG_FILTER`]), straight into the output vector.
pub fn encode_png<P>(img: &image::ImageBuffer<P, Vec<u8>>) -> Vec<u8>
where
    P: image::Pixel<Subpixel = u8> + image::PixelWithColorType,
{
    encode_png_raw(img.as_raw(), img.width(), img.height(), P::COLOR_TYPE)
}

/// The row filter [`encode_png`] uses: `Up` costs one subtraction a byte and suits both
/// photographs and masks (a mask row equal to the one above becomes all zeros).
pub const PNG_FILTER: image::codecs::png::FilterType = image::codecs::png::FilterType::Up;

/// PNG bytes of raw 8-bit pixel rows (`data` holds exactly `width * height` pixels of
/// `color`, which must be an 8-bit type).
pub fn encode_png_raw(data: &[u8], width: u32, height: u32, color: image::ExtendedColorType) -> Vec<u8> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, PngEncoder};
    let mut out = Vec::with_capacity(data.len() / 8 + 1024);
    // Encoding 8-bit pixels of the right count into memory cannot fail.
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PNG_FILTER)
        .write_image(data, width, height, color)
        .expect("PNG encoding into memory");
    out
}

/// A tiny PNG whose header claims `width` x `height` (with a valid checksum) but holds one
/// pixel: what a decompression bomb looks like to a decoder. For tests of the limits.
pub fn png_claiming_size(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = encode_png(&RgbaImage::new(1, 1));
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    // IHDR's CRC-32 (reflected, polynomial 0xEDB88320) over its type and data.
    let mut crc = !0u32;
    for &b in &bytes[12..29] {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    bytes[29..33].copy_from_slice(&(!crc).to_be_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        encode_png(&RgbaImage::from_pixel(w, h, image::Rgba([1, 2, 3, 255])))
    }

    #[test]
    fn a_good_png_passes_with_its_size() {
        let ok = check_image_bytes(png(7, 5), "a.png").unwrap();
        assert_eq!((ok.width, ok.height, ok.mime), (7, 5, "image/png"));
    }

    #[test]
    fn bad_inputs_get_their_own_messages() {
        assert!(matches!(check_image_bytes(b"hello world".to_vec(), "t.txt"), Err(InputError::NotAnImage { .. })));
        assert!(matches!(check_image_bytes(Vec::new(), "e"), Err(InputError::Empty { .. })));
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
        let e = check_image_bytes(gif, "a.gif").unwrap_err();
        assert!(e.to_string().contains("GIF images are not accepted"), "{e}");
        let mut cut = png(64, 64);
        cut.truncate(cut.len() / 2);
        assert!(matches!(check_image_bytes(cut, "cut.png"), Err(InputError::Corrupt { .. })));
        assert!(matches!(check_image_bytes(vec![0u8; MAX_FILE_BYTES + 1], "big"), Err(InputError::TooLarge { .. })));
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // A valid PNG header claiming 20000 x 20000 pixels (400 MP): refused before decoding.
        let e = check_image_bytes(png_claiming_size(20000, 20000), "bomb.png").unwrap_err();
        assert!(matches!(e, InputError::TooManyPixels { width: 20000, height: 20000, .. }), "{e:?}");
    }

    #[test]
    fn prompts_and_blend_counts() {
        assert_eq!(check_prompt("  "), Err(InputError::EmptyPrompt));
        assert!(matches!(check_prompt(&"x".repeat(8193)), Err(InputError::PromptTooLong { chars: 8193 })));
        assert!(check_prompt("a red fox").is_ok());
        assert!(check_blend_count(1).is_err() && check_blend_count(6).is_err() && check_blend_count(5).is_ok());
    }

    #[test]
    fn missing_file_is_named() {
        let e = load_image_file(Path::new("/nonexistent/x.png")).unwrap_err();
        assert_eq!(e.to_string(), "/nonexistent/x.png: no such file");
    }
}
