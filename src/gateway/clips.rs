//! Checks every gateway's video calls share: the batch size and which clip an extend names.

use crate::error::GatewayError;
use crate::job::{ParentRef, VideoOptions};

pub(super) fn check_batch(batch: u8) -> Result<(), GatewayError> {
    if VideoOptions::batch_ok(batch) {
        Ok(())
    } else {
        Err(GatewayError::invalid(format!("a video batch is 1, 2 or 4 clips, not {batch}")))
    }
}

pub(super) fn clip_index(parent: &ParentRef) -> Result<u8, GatewayError> {
    match parent.image_index {
        Some(i) if i < 4 => Ok(i),
        Some(i) => Err(GatewayError::invalid(format!("a video job has clips 1 to 4, not {}", i as u32 + 1))),
        None => Err(GatewayError::invalid(format!("say which clip of video job {} to extend (1 to 4)", parent.job_id))),
    }
}
