//! Bad input gets a clear message and nothing is sent.

use crate::imageio::{check_blend_count, check_prompt, dimensions};
use crate::job::{ImageInput, Job, JobRequest};

/// Checks a request before it is written or sent. `parent` is the job it continues, when
/// mjdesk knows it (its offered actions and image size are checked too).
pub fn validate_request(req: &JobRequest, parent: Option<&Job>) -> Result<(), String> {
    let s = |e: crate::imageio::InputError| e.to_string();
    match req {
        JobRequest::Imagine { prompt } => check_prompt(prompt).map_err(s),
        JobRequest::Blend { images, .. } => check_blend_count(images.len()).map_err(s),
        JobRequest::Describe { .. } | JobRequest::Seed { .. } => Ok(()),
        JobRequest::Action { action, .. } => {
            if action.trim().is_empty() {
                return Err("no action given".into());
            }
            match parent {
                Some(p) if !p.actions.is_empty() && !p.actions.iter().any(|a| a == action) => {
                    Err(format!("this job does not offer '{action}'; it offers: {}", p.actions.join(", ")))
                }
                _ => Ok(()),
            }
        }
        JobRequest::Inpaint { mask, prompt, .. } => {
            if let Some(p) = prompt
                && p.chars().count() > crate::imageio::MAX_PROMPT_CHARS
            {
                return check_prompt(p).map_err(s);
            }
            match parent.and_then(|p| Some((p.width?, p.height?))) {
                Some((w, h)) => mask.check_for(w, h).map_err(|e| e.to_string()),
                None => mask.check_for(mask.width(), mask.height()).map_err(|e| e.to_string()),
            }
        }
        JobRequest::Edit { image, mask, prompt, .. } => {
            check_prompt(prompt).map_err(s)?;
            if let (Some(mask), ImageInput::Bytes { bytes, .. }) = (mask, image) {
                let (w, h) = dimensions(bytes, "the image").map_err(s)?;
                mask.check_for(w, h).map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        JobRequest::CanvasEdit { prompt, .. } | JobRequest::Remix { prompt, .. } => check_prompt(prompt).map_err(s),
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
        let e = validate_request(&req, Some(&parent)).unwrap_err();
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
        assert!(e.contains("50x40") && e.contains("100x80"), "{e}");
    }
}
