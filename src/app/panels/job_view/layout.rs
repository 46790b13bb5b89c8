//! The job view's view-model: where each of a job's actions goes, and which image (or part
//! of one) each grid quadrant shows. Plain data, tested without pixels.

use crate::actions::ActionKind;
use crate::job::{Job, JobKind, JobStatus};

/// The job's actions sorted into where they go. Every string comes from `job.actions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionLayout {
    /// Per quadrant: the U and V strings offered for it.
    pub quadrants: [(Option<String>, Option<String>); 4],
    pub reroll: Option<String>,
    /// Everything else, labelled, in the job's order.
    pub others: Vec<(String, String)>,
    /// One `Vary (Region)` for the job: it offers one, or it is a finished single image.
    pub vary_region: bool,
}

impl ActionLayout {
    pub fn of(job: &Job) -> Self {
        let mut layout = ActionLayout::default();
        for action in &job.actions {
            match ActionKind::parse(action) {
                ActionKind::Upscale(q) => layout.quadrants[usize::from(q)].0.get_or_insert_with(|| action.clone()),
                ActionKind::Variation(q) => layout.quadrants[usize::from(q)].1.get_or_insert_with(|| action.clone()),
                ActionKind::Reroll => layout.reroll.get_or_insert_with(|| action.clone()),
                ActionKind::VaryRegion => {
                    layout.vary_region = true;
                    continue;
                }
                kind => {
                    layout.others.push((kind.label(), action.clone()));
                    continue;
                }
            };
        }
        if !layout.is_grid() && job.status == JobStatus::Succeeded && job.result_images().len() == 1 {
            layout.vary_region = true;
        }
        layout
    }

    /// Whether any quadrant has a U or V: the images are shown as a 2x2 grid.
    pub fn is_grid(&self) -> bool {
        self.quadrants.iter().any(|(u, v)| u.is_some() || v.is_some())
    }

    /// Whether the job is one image of `image_count`, offering Edit, Retexture and its export.
    pub fn edits_single_image(&self, image_count: usize) -> bool {
        !self.is_grid() && image_count == 1
    }
}

/// Whether the job view offers `Seed` for `job`: a finished job that made images.
pub fn offers_seed(job: &Job) -> bool {
    // Not for video: TTAPI documents its seed call for "midjourney image", and other proxies
    // (useapi.net's jobs/seed) say outright that video jobs are not supported.
    job.status == JobStatus::Succeeded
        && !job.kind.is_video()
        && !matches!(job.kind, JobKind::Describe | JobKind::Seed { .. })
}

/// Whether the job view offers `Retry` for `job`: it failed, or may not have been submitted.
pub fn offers_retry(job: &Job) -> bool {
    matches!(job.status, JobStatus::Unknown { .. } | JobStatus::Failed { .. })
}

/// What a quadrant shows: which result image, and which part of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadrantImage {
    pub index: usize,
    /// `None`: the whole image; otherwise this quarter (min x, min y, max x, max y in 0..1)
    /// of a single grid picture.
    pub uv: Option<[f32; 4]>,
}

/// Quadrant `q` of a grid job: its own image when the gateway gave four, else a quarter of
/// the one grid picture.
pub fn quadrant_image(image_count: usize, q: usize) -> Option<QuadrantImage> {
    match image_count {
        0 => None,
        n if n >= 4 => Some(QuadrantImage { index: q, uv: None }),
        _ => {
            let (x, y) = ((q % 2) as f32 * 0.5, (q / 2) as f32 * 0.5);
            Some(QuadrantImage { index: 0, uv: Some([x, y, x + 0.5, y + 0.5]) })
        }
    }
}
