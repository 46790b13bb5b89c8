//! The provider-neutral job model the rest of the app uses.
//!
//! Gateway clients translate their own payloads into [`JobSnapshot`] (what a fetch saw) and
//! take a [`JobRequest`] (what to submit); the store and the job manager keep [`Job`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::mask::Mask;

mod gateway;
mod kind;
mod snapshot;
pub mod video;

pub use gateway::{Dimensions, Mode, Provider};
pub use kind::JobKind;
pub use snapshot::{JobSnapshot, RemoteState, Submitted};
pub use video::{Motion, Resolution, VideoOptions};

/// An image handed to a gateway: its bytes (sent as base64) or a URL the gateway can reach.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageInput {
    Bytes {
        #[serde(with = "crate::b64")]
        bytes: Vec<u8>,
        mime: String,
    },
    Url(String),
}

impl std::fmt::Debug for ImageInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageInput::Bytes { bytes, mime } => write!(f, "Bytes({mime}, {} bytes)", bytes.len()),
            ImageInput::Url(u) => write!(f, "Url({u})"),
        }
    }
}

/// Which earlier job (and which of its images) a follow-up works on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentRef {
    /// The gateway's id of the parent job (TTAPI `jobId`, AceData `task_id`, Vtrix task id).
    pub job_id: String,
    /// AceData follow-ups name the parent's `image_id`, not its task id.
    pub image_id: Option<String>,
    /// 0-3 for a quadrant of a grid (Vtrix `imageNo`), when the flow needs one.
    pub image_index: Option<u8>,
}

impl ParentRef {
    pub fn job(job_id: impl Into<String>) -> Self {
        Self { job_id: job_id.into(), image_id: None, image_index: None }
    }
}

/// Everything a designer can ask a gateway to do, in provider-neutral form. Stored with the
/// job (so a job queued locally survives a restart, and an unknown one can be retried).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum JobRequest {
    Imagine {
        prompt: String,
    },
    /// `action` is one of the strings the parent's `components` / `actions` listed, sent back
    /// verbatim.
    Action {
        parent: ParentRef,
        action: String,
    },
    Blend {
        images: Vec<ImageInput>,
        dimensions: Option<Dimensions>,
    },
    Describe {
        image: ImageInput,
    },
    Seed {
        parent: ParentRef,
    },
    /// Vary (Region): `mask` is at the parent image's pixel size; set = repaint.
    Inpaint {
        parent: ParentRef,
        mask: Mask,
        prompt: Option<String>,
    },
    /// Edit or retexture an image. `mask` (set = change) is at the image's pixel size; without
    /// one, the image's own transparent area is what changes (TTAPI) or the whole image does.
    Edit {
        image: ImageInput,
        mask: Option<Mask>,
        prompt: String,
        retexture: bool,
    },
    /// Vtrix `midjourney_edit`: the parent's image placed on a canvas, with a new prompt.
    CanvasEdit {
        parent: ParentRef,
        canvas: Canvas,
        prompt: String,
        mask: Option<Mask>,
    },
    /// Vtrix `midjourney_remix`: `strong` = mode 0, subtle = mode 1.
    Remix {
        parent: ParentRef,
        prompt: String,
        strong: bool,
    },
    /// Video: `image` is the start frame (a link the gateway fetches, or the file's bytes);
    /// `parent` names the job it came from, when it did. `end` is the last frame.
    Animate {
        image: ImageInput,
        parent: Option<ParentRef>,
        end: Option<ImageInput>,
        video: VideoOptions,
    },
    /// Extends clip `parent.image_index` of a video job by ~4 s. `extends` counts this one
    /// (1 for an extend of a fresh clip), so its clip lasts [`video::clip_seconds`]`(extends)`.
    /// AceData names the parent's `video_id`, kept in `parent.image_id`.
    Extend {
        parent: ParentRef,
        extends: u8,
        video: VideoOptions,
    },
}

/// Vtrix canvas geometry: the canvas size and where the image sits on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub img_width: u32,
    pub img_height: u32,
    pub x: i32,
    pub y: i32,
}

/// Options common to every submit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmitOptions {
    pub mode: Option<Mode>,
    /// Gateway-side timeout in seconds (TTAPI `timeout`, AceData `timeout`).
    pub timeout_secs: Option<u32>,
    pub hook_url: Option<String>,
    /// TTAPI `getUImages`: also return the four quadrants as separate images.
    pub get_u_images: Option<bool>,
}

/// How the reason of a job mjdesk ended at its deadline begins (see [`Job::ended_by_deadline`]).
pub const TIMED_OUT: &str = "timed out: ";

/// Where a job stands, as the designer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for a free slot (at most N jobs in progress per gateway key).
    QueuedLocally,
    /// The submit call is in flight.
    Submitting,
    /// The submit may have reached the gateway but no answer came back. Never resubmitted
    /// without the designer's say-so: it may cost quota twice.
    Unknown {
        reason: String,
    },
    /// The gateway accepted it and gave an id.
    Submitted,
    /// In the gateway's queue.
    Waiting,
    Running {
        progress: u8,
    },
    Succeeded,
    /// The gateway's reason verbatim, or ours ("timed out", a refusal).
    Failed {
        reason: String,
    },
}

impl JobStatus {
    pub fn is_terminal(&self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed { .. })
    }

    /// Counts toward the gateway's in-progress limit.
    pub fn is_in_progress(&self) -> bool {
        matches!(self, JobStatus::Submitting | JobStatus::Submitted | JobStatus::Waiting | JobStatus::Running { .. })
    }

    pub fn progress(&self) -> Option<u8> {
        match self {
            JobStatus::Running { progress } => Some(*progress),
            JobStatus::Succeeded => Some(100),
            _ => None,
        }
    }

    /// One word for lists and the CLI.
    pub fn label(&self) -> String {
        match self {
            JobStatus::QueuedLocally => "queued locally".into(),
            JobStatus::Submitting => "submitting".into(),
            JobStatus::Unknown { .. } => "unknown, may have been submitted".into(),
            JobStatus::Submitted => "submitted".into(),
            JobStatus::Waiting => "waiting in queue".into(),
            JobStatus::Running { progress } => format!("running {progress}%"),
            JobStatus::Succeeded => "succeeded".into(),
            JobStatus::Failed { reason } => format!("failed: {reason}"),
        }
    }

    /// The local status a gateway snapshot implies.
    pub fn from_snapshot(s: &JobSnapshot) -> Self {
        match &s.state {
            RemoteState::Queued => JobStatus::Waiting,
            RemoteState::Running | RemoteState::Other(_) => {
                JobStatus::Running { progress: s.progress.unwrap_or(0).min(99) }
            }
            RemoteState::Succeeded => JobStatus::Succeeded,
            RemoteState::Failed => JobStatus::Failed {
                reason: s
                    .message
                    .clone()
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| format!("the gateway reported {}", s.raw_status)),
            },
        }
    }
}

/// One result image: where the gateway put it and where we keep our copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobImage {
    pub url: String,
    /// The downloaded copy in the image cache, once we have it.
    pub local_path: Option<std::path::PathBuf>,
    /// Why the copy could not be made (expired link ...), if it could not.
    pub error: Option<String>,
}

/// A job as mjdesk keeps it: the request, where it stands, and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Our own id, given before anything is sent.
    pub id: String,
    pub provider: Provider,
    /// The gateway endpoint it was sent to (a real gateway, a proxy, the simulator).
    pub base_url: String,
    /// The gateway's id, written the moment the submit answers.
    pub gateway_id: Option<String>,
    /// Our id of the job this one continues.
    pub parent_id: Option<String>,
    pub kind: JobKind,
    /// Shared: a job is cloned on every update, its request (which may hold megabytes of
    /// input images) never is.
    pub request: Arc<JobRequest>,
    pub options: SubmitOptions,
    pub prompt: Option<String>,
    pub status: JobStatus,
    /// The status word the gateway last used, verbatim.
    pub raw_status: Option<String>,
    pub images: Vec<JobImage>,
    pub grid_image: Option<JobImage>,
    /// Follow-up actions offered, verbatim.
    pub actions: Vec<String>,
    pub seed: Option<String>,
    pub quota: Option<String>,
    /// Describe results.
    pub prompts: Vec<String>,
    /// AceData: the id follow-ups name.
    pub image_id: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The raw text of the last answer mjdesk could not read, kept for the designer.
    pub last_raw: Option<String>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Past this (ms since epoch) an unfinished job fails with "timed out".
    pub deadline_at: Option<i64>,
}

impl Job {
    /// A new job, not yet sent: status "queued locally", a fresh local id.
    pub fn new(provider: Provider, base_url: &str, request: JobRequest, options: SubmitOptions) -> Self {
        let prompt = match &request {
            JobRequest::Imagine { prompt } => Some(prompt.clone()),
            JobRequest::Edit { prompt, .. }
            | JobRequest::CanvasEdit { prompt, .. }
            | JobRequest::Remix { prompt, .. } => Some(prompt.clone()),
            JobRequest::Inpaint { prompt, .. } => prompt.clone(),
            JobRequest::Animate { video, .. } | JobRequest::Extend { video, .. } => {
                video.manual_prompt().map(str::to_owned)
            }
            _ => None,
        };
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            provider,
            base_url: base_url.to_owned(),
            gateway_id: None,
            parent_id: None,
            kind: JobKind::of_request(&request),
            request: Arc::new(request),
            options,
            prompt,
            status: JobStatus::QueuedLocally,
            raw_status: None,
            images: Vec::new(),
            grid_image: None,
            actions: Vec::new(),
            seed: None,
            quota: None,
            prompts: Vec::new(),
            image_id: None,
            width: None,
            height: None,
            last_raw: None,
            created_at: now_ms(),
            submitted_at: None,
            finished_at: None,
            deadline_at: None,
        }
    }

    /// Takes in what a fetch saw. Images already downloaded keep their local copies.
    pub fn apply_snapshot(&mut self, snap: &JobSnapshot) {
        self.status = JobStatus::from_snapshot(snap);
        self.raw_status = Some(snap.raw_status.clone());
        if !snap.images.is_empty() && snap.images.iter().ne(self.images.iter().map(|i| &i.url)) {
            self.images = snap.images.iter().map(|u| JobImage { url: u.clone(), ..Default::default() }).collect();
        }
        if let Some(grid) = &snap.grid_image
            && self.grid_image.as_ref().map(|g| &g.url) != Some(grid)
        {
            self.grid_image = Some(JobImage { url: grid.clone(), ..Default::default() });
        }
        let keep = |mine: &mut Option<String>, theirs: &Option<String>| {
            if theirs.as_ref().is_some_and(|t| !t.is_empty()) {
                mine.clone_from(theirs);
            }
        };
        if self.prompt.is_none() {
            self.prompt.clone_from(&snap.prompt);
        }
        keep(&mut self.seed, &snap.seed);
        keep(&mut self.quota, &snap.quota);
        keep(&mut self.image_id, &snap.image_id);
        if !snap.actions.is_empty() {
            self.actions = snap.actions.clone();
        }
        if !snap.prompts.is_empty() {
            self.prompts = snap.prompts.clone();
        }
        self.width = snap.width.or(self.width);
        self.height = snap.height.or(self.height);
        if self.status.is_terminal() && self.finished_at.is_none() {
            self.finished_at = Some(now_ms());
        }
    }

    /// The images worth keeping locally: the separate images, or the grid when there are none.
    pub fn result_images(&self) -> Vec<&JobImage> {
        if self.images.is_empty() { self.grid_image.iter().collect() } else { self.images.iter().collect() }
    }

    /// True when mjdesk itself ended the job at its deadline while the gateway still had it
    /// (not the gateway's failure): asking the gateway again is free, and it may have
    /// finished the job since.
    pub fn ended_by_deadline(&self) -> bool {
        self.gateway_id.is_some()
            && matches!(&self.status, JobStatus::Failed { reason } if reason.starts_with(TIMED_OUT))
    }

    /// True once the job has ended and each result image has a local copy or a reason why not.
    pub fn settled(&self) -> bool {
        match &self.status {
            JobStatus::Succeeded => self.result_images().iter().all(|i| i.local_path.is_some() || i.error.is_some()),
            JobStatus::Failed { .. } | JobStatus::Unknown { .. } => true,
            _ => false,
        }
    }

    /// How this job is named when a follow-up continues from image `index`.
    pub fn parent_ref(&self, index: Option<u8>) -> Option<ParentRef> {
        Some(ParentRef { job_id: self.gateway_id.clone()?, image_id: self.image_id.clone(), image_index: index })
    }
}

/// The first eight characters of a job id, as lists and messages show it.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

impl JobRequest {
    /// The mask this request was sent with, if any.
    pub fn sent_mask(&self) -> Option<&crate::mask::Mask> {
        match self {
            JobRequest::Inpaint { mask, .. } => Some(mask),
            JobRequest::Edit { mask: Some(mask), .. } | JobRequest::CanvasEdit { mask: Some(mask), .. } => Some(mask),
            _ => None,
        }
    }

    /// The prompt a masked request was sent with (not the parent's, which a region edit
    /// without one is shown with).
    pub fn sent_prompt(&self) -> Option<&str> {
        match self {
            JobRequest::Inpaint { prompt, .. } => prompt.as_deref(),
            JobRequest::Edit { prompt, .. } | JobRequest::CanvasEdit { prompt, .. } => Some(prompt),
            _ => None,
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests;
