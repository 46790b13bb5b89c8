//! Bad input gets a clear message and nothing is sent.

use crate::imageio::{InputError, check_blend_count, check_prompt, dimensions};
use crate::job::{ImageInput, Job, JobRequest, VideoOptions, video};
use crate::mask::MaskError;

/// Why a request was refused before anything was written or sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidRequest {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Mask(#[from] MaskError),
    #[error("no action given")]
    NoAction,
    #[error("this job does not offer '{action}'; it offers: {}", .offered.join(", "))]
    NotOffered { action: String, offered: Vec<String> },
    #[error("a video batch is 1, 2 or 4 clips, not {0}")]
    Batch(u8),
    #[error(
        "that clip is already {seconds} s long; an extend adds {} s and a clip stops at {} s",
        video::EXTEND_SECONDS,
        video::MAX_SECONDS
    )]
    TooLong { seconds: u32 },
    #[error("job {0} is not a video; Extend works on a clip of an animate or extend job")]
    NotAVideo(String),
    #[error("job {id} has {count} clip(s); there is no clip {}", .index + 1)]
    NoSuchClip { id: String, index: u8, count: usize },
}

/// Checks a request before it is written or sent. `parent` is the job it continues, when
/// mjdesk knows it (its offered actions and image size are checked too).
pub fn validate_request(req: &JobRequest, parent: Option<&Job>) -> Result<(), InvalidRequest> {
    match req {
        JobRequest::Imagine { prompt } => Ok(check_prompt(prompt)?),
        JobRequest::Blend { images, .. } => Ok(check_blend_count(images.len())?),
        JobRequest::Describe { .. } | JobRequest::Seed { .. } => Ok(()),
        JobRequest::Action { action, .. } => {
            if action.trim().is_empty() {
                return Err(InvalidRequest::NoAction);
            }
            match parent {
                Some(p) if !p.actions.is_empty() && !p.actions.iter().any(|a| a == action) => {
                    Err(InvalidRequest::NotOffered { action: action.clone(), offered: p.actions.clone() })
                }
                _ => Ok(()),
            }
        }
        JobRequest::Inpaint { mask, prompt, .. } => {
            if let Some(p) = prompt
                && p.chars().count() > crate::imageio::MAX_PROMPT_CHARS
            {
                check_prompt(p)?;
            }
            match parent.and_then(|p| Some((p.width?, p.height?))) {
                Some((w, h)) => Ok(mask.check_for(w, h)?),
                None => Ok(mask.check_for(mask.width(), mask.height())?),
            }
        }
        JobRequest::Edit { image, mask, prompt, .. } => {
            check_prompt(prompt)?;
            if let (Some(mask), ImageInput::Bytes { bytes, .. }) = (mask, image) {
                let (w, h) = dimensions(bytes, "the image")?;
                mask.check_for(w, h)?;
            }
            Ok(())
        }
        JobRequest::CanvasEdit { prompt, .. } | JobRequest::Remix { prompt, .. } => Ok(check_prompt(prompt)?),
        JobRequest::Animate { video, .. } => check_video(video),
        JobRequest::Extend { parent: parent_ref, extends, video } => {
            check_video(video)?;
            if *extends == 0 || *extends > video::MAX_EXTENDS {
                return Err(InvalidRequest::TooLong { seconds: video::clip_seconds(extends.saturating_sub(1)) });
            }
            if let Some(p) = parent {
                if !p.kind.is_video() {
                    return Err(InvalidRequest::NotAVideo(crate::job::short_id(&p.id).to_owned()));
                }
                let index = parent_ref.image_index.unwrap_or(0);
                if !p.images.is_empty() && usize::from(index) >= p.images.len() {
                    let id = crate::job::short_id(&p.id).to_owned();
                    return Err(InvalidRequest::NoSuchClip { id, index, count: p.images.len() });
                }
            }
            Ok(())
        }
    }
}

fn check_video(video: &VideoOptions) -> Result<(), InvalidRequest> {
    if !VideoOptions::batch_ok(video.batch) {
        return Err(InvalidRequest::Batch(video.batch));
    }
    if let Some(p) = video.manual_prompt() {
        check_prompt(p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{ParentRef, Provider, SubmitOptions};
    use crate::mask::Mask;

    #[test]
    fn refuses_what_the_parent_does_not_offer() {
        let mut parent =
            Job::new(Provider::Ttapi, "http://x", JobRequest::Imagine { prompt: "p".into() }, SubmitOptions::default());
        parent.actions = vec!["upsample1".into(), "reroll".into()];
        let req = JobRequest::Action { parent: ParentRef::job("g"), action: "upsample9".into() };
        let e = validate_request(&req, Some(&parent)).unwrap_err().to_string();
        assert!(e.contains("upsample1, reroll"), "{e}");
        let ok = JobRequest::Action { parent: ParentRef::job("g"), action: "reroll".into() };
        assert!(validate_request(&ok, Some(&parent)).is_ok());
    }

    #[test]
    fn inpaint_mask_must_match_the_parent_image() {
        let mut parent =
            Job::new(Provider::Ttapi, "http://x", JobRequest::Imagine { prompt: "p".into() }, SubmitOptions::default());
        parent.width = Some(100);
        parent.height = Some(80);
        let mut mask = Mask::new(50, 40);
        mask.fill_rect(0, 0, 10, 10, true);
        let req = JobRequest::Inpaint { parent: ParentRef::job("g"), mask, prompt: None };
        let e = validate_request(&req, Some(&parent)).unwrap_err();
        assert!(matches!(e, InvalidRequest::Mask(MaskError::SizeMismatch { .. })), "{e}");
        let e = e.to_string();
        assert!(e.contains("50x40") && e.contains("100x80"), "{e}");
    }
}
