//! What a gateway says of a job: the handle a submit answered ([`Submitted`]) and what one
//! fetch saw ([`JobSnapshot`], [`RemoteState`]). Each gateway client translates its own
//! payloads into these.

use serde::{Deserialize, Serialize};

/// What a submit answered: the handle to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub job_id: String,
    /// For gateways whose submit answers with the finished result (AceData without callback).
    pub snapshot: Option<JobSnapshot>,
}

/// The gateway's view of a job, as read by one fetch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobSnapshot {
    pub job_id: String,
    pub state: RemoteState,
    /// The status word exactly as the gateway wrote it.
    pub raw_status: String,
    pub progress: Option<u8>,
    /// The separate images (grid quadrants top-left, top-right, bottom-left, bottom-right; or
    /// the one upscaled image).
    pub images: Vec<String>,
    /// The composite grid image, when the gateway gives one (TTAPI `cdnImage`, AceData
    /// `image_url`).
    pub grid_image: Option<String>,
    /// The follow-up actions offered, verbatim (TTAPI `components`, AceData `actions`).
    pub actions: Vec<String>,
    pub seed: Option<String>,
    /// Cost, as the gateway reports it (TTAPI `quota`, Vtrix `usage.cost`).
    pub quota: Option<String>,
    pub prompt: Option<String>,
    /// Describe results: four prompts.
    pub prompts: Vec<String>,
    /// The failure reason, verbatim.
    pub message: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// AceData: the id follow-up actions must name.
    pub image_id: Option<String>,
    pub submit_time: Option<String>,
    pub finish_time: Option<String>,
}

/// Where a job stands at the gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteState {
    /// Accepted, waiting in the gateway's queue (TTAPI PENDING_QUEUE, and ON_QUEUE while progress
    /// is still 0; Vtrix pending).
    #[default]
    Queued,
    Running,
    Succeeded,
    Failed,
    /// A status word we do not know, kept as text; treated as still running.
    Other(String),
}

impl RemoteState {
    pub fn is_terminal(&self) -> bool {
        matches!(self, RemoteState::Succeeded | RemoteState::Failed)
    }
}
