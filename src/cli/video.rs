//! `mjdesk animate` and `mjdesk extend`: their values read here, each wrong one refused in
//! one line before anything is sent.

use super::args::VideoArgs;
use crate::intent::{FrameSource, ImageSource};
use crate::job::{Motion, Resolution, VideoOptions};

/// The options from the command line; `resolution` is None for an extend (the clip's own).
pub(super) fn options(v: &VideoArgs, resolution: Option<&str>, looped: bool) -> Result<VideoOptions, String> {
    let motion = Motion::parse(&v.motion).ok_or_else(|| format!("--motion '{}' is not low or high", v.motion))?;
    let resolution = match resolution {
        Some(r) => Resolution::parse(r).ok_or_else(|| format!("--resolution '{r}' is not sd or hd"))?,
        None => Resolution::default(),
    };
    let batch = v.batch.trim().parse::<u8>().ok().filter(|b| VideoOptions::batch_ok(*b));
    let batch = batch.ok_or_else(|| format!("--batch '{}' is not 1, 2 or 4", v.batch))?;
    let prompt = v.prompt.clone().filter(|p| !p.trim().is_empty());
    Ok(VideoOptions { motion, prompt, resolution, batch, looped })
}

/// N as the designer counts (1-4), as the index the gateways take (0-3).
pub(super) fn number(n: &str, what: &str) -> Result<u8, String> {
    match n.trim().parse::<u8>() {
        Ok(n @ 1..=4) => Ok(n - 1),
        _ => Err(format!("there is no {what} '{n}'; write 1 to 4")),
    }
}

/// `--image FILE|URL`: a link as it is, anything else as a file (missing files are refused
/// when the request is built).
pub(super) fn outside_image(arg: &str) -> FrameSource {
    let lower = arg.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        FrameSource::Image(ImageSource::Url(arg.trim().to_owned()))
    } else {
        FrameSource::Image(ImageSource::File(arg.into()))
    }
}
