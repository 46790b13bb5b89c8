//! The JSON written beside each exported image: what made it (prompt, parameters, gateway,
//! ids, parent, mask, dates) and how the designer marked it.

use serde_json::json;

use crate::dates::iso_utc;
use crate::job::{Job, JobRequest};
use crate::store::{Marks, PromptFacets, parameters};

/// What made an image: enough to find, redo or credit it without mjdesk.
pub(super) fn sidecar(job: &Job, marks: &Marks, number: usize, name: &str) -> serde_json::Value {
    let facets = PromptFacets::of_job(job);
    let params: serde_json::Map<String, serde_json::Value> =
        job.prompt.as_deref().map(parameters).unwrap_or_default().into_iter().map(|(n, v)| (n, json!(v))).collect();
    let parent_ref = match job.request.as_ref() {
        JobRequest::Action { parent, .. }
        | JobRequest::Seed { parent }
        | JobRequest::Inpaint { parent, .. }
        | JobRequest::CanvasEdit { parent, .. }
        | JobRequest::Remix { parent, .. }
        | JobRequest::Extend { parent, .. } => Some(parent),
        JobRequest::Animate { parent, .. } => parent.as_ref(),
        _ => None,
    };
    let parent = (job.parent_id.is_some() || parent_ref.is_some()).then(|| {
        json!({
            "job_id": job.parent_id,
            "gateway_job_id": parent_ref.map(|p| &p.job_id),
            "image_index": parent_ref.and_then(|p| p.image_index),
        })
    });
    let mask = job.request.sent_mask().map(|m| {
        let area = u64::from(m.width()) * u64::from(m.height());
        let painted = m.count() as u64;
        let share = if area == 0 { 0.0 } else { (painted as f64 * 1000.0 / area as f64).round() / 10.0 };
        json!({
            "note": "the mask sent with the request (its pixels are not exported)",
            "width": m.width(),
            "height": m.height(),
            "painted_pixels": painted,
            "painted_percent": share,
        })
    });
    let at = |ms: Option<i64>| ms.map(iso_utc);
    let image = &job.result_images()[number - 1];
    json!({
        "file": name,
        "image": number,
        "images_in_job": job.result_images().len(),
        "prompt": job.prompt,
        "parameters": params,
        "aspect_ratio": facets.aspect,
        "model": facets.model,
        "mode": facets.mode,
        "kind": job.kind,
        "gateway": {
            "provider": job.provider.as_str(),
            "name": job.provider.display_name(),
            "base_url": job.base_url,
        },
        "job_id": job.id,
        "gateway_job_id": job.gateway_id,
        "gateway_image_id": job.image_id,
        "parent": parent,
        "mask": mask,
        "seed": job.seed,
        "size": job.width.zip(job.height).map(|(w, h)| json!({ "width": w, "height": h })),
        "source_url": image.url,
        "liked": marks.liked,
        "rating": marks.rating,
        "collections": marks.collections.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        "created_at": iso_utc(job.created_at),
        "submitted_at": at(job.submitted_at),
        "finished_at": at(job.finished_at),
        "exported_at": iso_utc(crate::job::now_ms()),
    })
}
