//! What kind of work a job is, with its lineage (the gateway id of the job it continues).

use serde::{Deserialize, Serialize};

use super::JobRequest;

/// What kind of work a job is, with its lineage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobKind {
    Imagine,
    Action {
        parent: String,
        action: String,
        image_index: Option<u8>,
    },
    Blend,
    Describe,
    Seed {
        parent: String,
    },
    Inpaint {
        parent: String,
    },
    Edit,
    Retexture,
    CanvasEdit {
        parent: String,
    },
    Remix {
        parent: String,
    },
    /// Video from a still; `parent` is the image job's gateway id when it came from one.
    Animate {
        parent: Option<String>,
    },
    /// Clip `index` of video job `parent`, extended; `extends` as in [`JobRequest::Extend`].
    Extend {
        parent: String,
        index: u8,
        extends: u8,
    },
}

impl JobKind {
    pub fn label(&self) -> &'static str {
        match self {
            JobKind::Imagine => "imagine",
            JobKind::Action { .. } => "action",
            JobKind::Blend => "blend",
            JobKind::Describe => "describe",
            JobKind::Seed { .. } => "seed",
            JobKind::Inpaint { .. } => "inpaint",
            JobKind::Edit => "edit",
            JobKind::Retexture => "retexture",
            JobKind::CanvasEdit { .. } => "canvas-edit",
            JobKind::Remix { .. } => "remix",
            JobKind::Animate { .. } => "animate",
            JobKind::Extend { .. } => "extend",
        }
    }

    /// True when the job's results are clips (MP4), not images.
    pub fn is_video(&self) -> bool {
        matches!(self, JobKind::Animate { .. } | JobKind::Extend { .. })
    }

    /// How many times this job's clips have been extended (0 for a fresh animate).
    pub fn extends(&self) -> u8 {
        match self {
            JobKind::Extend { extends, .. } => *extends,
            _ => 0,
        }
    }

    /// The gateway id of the job this one continues, if any.
    pub fn parent(&self) -> Option<&str> {
        match self {
            JobKind::Action { parent, .. }
            | JobKind::Seed { parent }
            | JobKind::Inpaint { parent }
            | JobKind::CanvasEdit { parent }
            | JobKind::Remix { parent }
            | JobKind::Extend { parent, .. } => Some(parent),
            JobKind::Animate { parent } => parent.as_deref(),
            _ => None,
        }
    }

    pub fn of_request(req: &JobRequest) -> Self {
        match req {
            JobRequest::Imagine { .. } => JobKind::Imagine,
            JobRequest::Action { parent, action } => JobKind::Action {
                parent: parent.job_id.clone(),
                action: action.clone(),
                image_index: crate::actions::ActionKind::parse(action).image_index(),
            },
            JobRequest::Blend { .. } => JobKind::Blend,
            JobRequest::Describe { .. } => JobKind::Describe,
            JobRequest::Seed { parent } => JobKind::Seed { parent: parent.job_id.clone() },
            JobRequest::Inpaint { parent, .. } => JobKind::Inpaint { parent: parent.job_id.clone() },
            JobRequest::Edit { retexture: false, .. } => JobKind::Edit,
            JobRequest::Edit { retexture: true, .. } => JobKind::Retexture,
            JobRequest::CanvasEdit { parent, .. } => JobKind::CanvasEdit { parent: parent.job_id.clone() },
            JobRequest::Remix { parent, .. } => JobKind::Remix { parent: parent.job_id.clone() },
            JobRequest::Animate { parent, .. } => {
                JobKind::Animate { parent: parent.as_ref().map(|p| p.job_id.clone()) }
            }
            JobRequest::Extend { parent, extends, .. } => JobKind::Extend {
                parent: parent.job_id.clone(),
                index: parent.image_index.unwrap_or(0),
                extends: *extends,
            },
        }
    }
}
