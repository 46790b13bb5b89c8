//! Animate and extend, checked: the start and end frames found (an image of a finished job,
//! a file, a link), the clip to extend found and its length checked. Every refusal is one
//! line, and nothing is sent.

use crate::job::{ImageInput, Job, JobRequest, JobStatus, Provider, VideoOptions, short_id, video};

use crate::store::Store;

use super::{Built, ImageSource, IntentError, find_job, image_input, parent_ref};

/// Where a start or end frame comes from: an image (file, bytes, link), or image `index`
/// (0-3; None when the job has one image) of a job mjdesk knows.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameSource {
    Image(ImageSource),
    Job {
        id: String,
        index: Option<u8>,
    },
    /// As typed (the window's End frame field): a file, a link or a job id, told apart
    /// ([`FrameSource::parse_arg`]) when the request is built, off the UI thread.
    Typed(String),
}

impl FrameSource {
    /// `FILE`, `URL` or `JOB_ID` as the command line takes them: an existing file, an
    /// http(s) link, else a job id (with an optional `:N`, 1-4).
    pub fn parse_arg(arg: &str) -> Self {
        let path = std::path::Path::new(arg);
        if path.exists() {
            return FrameSource::Image(ImageSource::File(path.to_path_buf()));
        }
        let lower = arg.trim().to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return FrameSource::Image(ImageSource::Url(arg.trim().to_owned()));
        }
        match arg.rsplit_once(':').and_then(|(id, n)| Some((id, n.parse::<u8>().ok()?))) {
            Some((id, n)) if (1..=4).contains(&n) => FrameSource::Job { id: id.to_owned(), index: Some(n - 1) },
            _ => FrameSource::Job { id: arg.trim().to_owned(), index: None },
        }
    }
}

/// Why an animate or extend was refused. Nothing was sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VideoIntentError {
    #[error("{0} has no video call; animate and extend work on TTAPI and AceData")]
    NoVideoCall(&'static str),
    #[error("job {id} has no image to animate ({why})")]
    NoImage { id: String, why: String },
    #[error("job {id} is a grid of {count} images; say which one to animate (1 to {count})")]
    PickImage { id: String, count: usize },
    #[error("job {id} has {count} image(s); there is no image {}", .index + 1)]
    NoSuchImage { id: String, index: u8, count: usize },
    #[error("job {0} is a video; a start or end frame must be an image")]
    FrameIsVideo(String),
    #[error("job {0} is not a video; Extend works on a clip of an animate or extend job")]
    NotAVideo(String),
    #[error("job {id} has {count} clip(s); there is no clip {}", .index + 1)]
    NoSuchClip { id: String, index: u8, count: usize },
    #[error("job {id} has not finished ({status}); extend a clip once its video has succeeded")]
    NotFinished { id: String, status: String },
    #[error(
        "that clip is already {seconds} s long; an extend adds {} s and a clip stops at {} s",
        video::EXTEND_SECONDS,
        video::MAX_SECONDS
    )]
    TooLong { seconds: u32 },
    #[error("a video batch is 1, 2 or 4 clips, not {0}")]
    Batch(u8),
    #[error(
        "TTAPI's video takes the {0} as a link it can fetch, not a file; animate a finished job's image, or give a URL"
    )]
    NeedsLink(&'static str),
}

fn refuse_vtrix(provider: Provider) -> Result<(), IntentError> {
    match provider {
        Provider::Vtrix => Err(VideoIntentError::NoVideoCall("Vtrix").into()),
        _ => Ok(()),
    }
}

fn check_options(video: &VideoOptions) -> Result<(), IntentError> {
    if !VideoOptions::batch_ok(video.batch) {
        return Err(VideoIntentError::Batch(video.batch).into());
    }
    if let Some(p) = video.manual_prompt() {
        crate::imageio::check_prompt(p)?;
    }
    Ok(())
}

pub(super) fn animate(
    store: &Store,
    provider: Provider,
    start: FrameSource,
    end: Option<FrameSource>,
    video: VideoOptions,
) -> Result<Built, IntentError> {
    refuse_vtrix(provider)?;
    check_options(&video)?;
    let (image, parent) = frame(store, provider, start)?;
    let end = match end {
        Some(e) => Some(frame(store, provider, e)?.0),
        None => None,
    };
    // Checked here too (the client refuses it), so no job is written for it.
    if provider == Provider::Ttapi {
        for (input, what) in [(Some(&image), "start frame"), (end.as_ref(), "end frame")] {
            if matches!(input, Some(ImageInput::Bytes { .. })) {
                return Err(VideoIntentError::NeedsLink(what).into());
            }
        }
    }
    let parent_ref = match &parent {
        Some((job, index)) => Some(parent_ref(Some(job), &job.id, *index)?),
        None => None,
    };
    Ok(Built {
        request: JobRequest::Animate { image, parent: parent_ref, end, video },
        parent: parent.map(|(job, _)| job),
    })
}

/// The job a frame came from, and its image index when it has several.
type FromJob = (Job, Option<u8>);

/// A frame as the gateway takes it, with the job (and its image index) it came from.
fn frame(store: &Store, provider: Provider, source: FrameSource) -> Result<(ImageInput, Option<FromJob>), IntentError> {
    let (id, index) = match source {
        FrameSource::Image(image) => return Ok((image_input(image)?, None)),
        FrameSource::Job { id, index } => (id, index),
        FrameSource::Typed(text) => return frame(store, provider, FrameSource::parse_arg(&text)),
    };
    let job = find_job(store, provider, &id)?.ok_or_else(|| IntentError::NoSuchJob(id.clone()))?;
    let short = short_id(&job.id).to_owned();
    if job.kind.is_video() {
        return Err(VideoIntentError::FrameIsVideo(short).into());
    }
    let images = job.result_images();
    let why = match (&job.status, &job.kind) {
        (JobStatus::Succeeded, crate::job::JobKind::Describe | crate::job::JobKind::Seed { .. }) => {
            Some(format!("a {} job makes no image", job.kind.label()))
        }
        (JobStatus::Succeeded, _) if images.is_empty() => Some("it returned none".to_owned()),
        (JobStatus::Succeeded, _) => None,
        (status, _) => Some(format!("it has not succeeded: {}", status.label())),
    };
    if let Some(why) = why {
        return Err(VideoIntentError::NoImage { id: short, why }.into());
    }
    let count = images.len();
    let at = match index {
        None if count == 1 => 0,
        None => return Err(VideoIntentError::PickImage { id: short, count }.into()),
        Some(i) if usize::from(i) < count => i,
        Some(i) => return Err(VideoIntentError::NoSuchImage { id: short, index: i, count }.into()),
    };
    let url = images[usize::from(at)].url.clone();
    if url.trim().is_empty() {
        let why = "its image has no link the gateway could fetch".to_owned();
        return Err(VideoIntentError::NoImage { id: short, why }.into());
    }
    Ok((ImageInput::Url(url), Some((job, (count > 1).then_some(at)))))
}

pub(super) fn extend(
    store: &Store,
    provider: Provider,
    id: &str,
    index: u8,
    video: VideoOptions,
) -> Result<Built, IntentError> {
    refuse_vtrix(provider)?;
    check_options(&video)?;
    let parent = find_job(store, provider, id)?;
    let extends = match &parent {
        Some(job) => {
            let short = short_id(&job.id).to_owned();
            if !job.kind.is_video() {
                return Err(VideoIntentError::NotAVideo(short).into());
            }
            if job.status != JobStatus::Succeeded {
                return Err(VideoIntentError::NotFinished { id: short, status: job.status.label() }.into());
            }
            if usize::from(index) >= job.images.len() {
                return Err(VideoIntentError::NoSuchClip { id: short, index, count: job.images.len() }.into());
            }
            job.kind.extends() + 1
        }
        // A video made elsewhere: its length is the gateway's to check.
        None if index < 4 => 1,
        None => return Err(VideoIntentError::NoSuchClip { id: id.to_owned(), index, count: 4 }.into()),
    };
    if extends > video::MAX_EXTENDS {
        return Err(VideoIntentError::TooLong { seconds: video::clip_seconds(extends - 1) }.into());
    }
    let parent_ref = parent_ref(parent.as_ref(), id, Some(index))?;
    Ok(Built { request: JobRequest::Extend { parent: parent_ref, extends, video }, parent })
}

#[cfg(test)]
mod tests;
