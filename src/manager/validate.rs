//! Bad input gets a clear message and nothing is sent.

use crate::imageio::{InputError, check_blend_count, check_prompt, dimensions};
use crate::job::{ImageInput, Job, JobRequest};
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
    }
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
