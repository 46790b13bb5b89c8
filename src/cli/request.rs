//! Turns command-line arguments into a checked [`JobRequest`]: files are read and checked,
//! masks converted, parents looked up in the store. Nothing is sent from here.

use std::path::Path;

use crate::actions::{ActionKind, find_offered};
use crate::imageio::{check_blend_count, check_prompt, decode_rgba, load_image_file};
use crate::job::{Canvas, Dimensions, ImageInput, Job, JobRequest, ParentRef, Provider};
use crate::mask::Mask;
use crate::store::Store;

/// A job named on the command line: our own id or a gateway id, or the first characters of
/// one (at least 6, as `mjdesk jobs` shows them). Unknown ids are taken as gateway ids of jobs
/// made elsewhere (None).
pub fn find_job(store: &Store, provider: Provider, id: &str) -> Result<Option<Job>, String> {
    let err = |e: crate::store::StoreError| e.to_string();
    if let Some(job) = store.get_job(id).map_err(err)? {
        return Ok(Some(job));
    }
    if let Some(job) = store.find_by_gateway_id(provider, id).map_err(err)? {
        return Ok(Some(job));
    }
    if id.len() < 6 {
        return Ok(None);
    }
    let starts = |j: &Job| j.id.starts_with(id) || j.gateway_id.as_deref().is_some_and(|g| g.starts_with(id));
    let mut found: Vec<Job> = store.search(id, 50).map_err(err)?.into_iter().filter(starts).collect();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        n => Err(format!("'{id}' matches {n} jobs; give more of the id")),
    }
}

pub fn parent_ref(parent: Option<&Job>, id: &str, index: Option<u8>) -> Result<ParentRef, String> {
    match parent {
        Some(job) => job
            .parent_ref(index)
            .ok_or_else(|| format!("job {id} has no gateway id yet (it was never accepted by the gateway)")),
        None => Ok(ParentRef { job_id: id.to_owned(), image_id: None, image_index: index }),
    }
}

/// `U1`, `v3`, `reroll` or a gateway string; the parent's own spelling wins when it offers it.
pub fn action_string(parent: Option<&Job>, provider: Provider, action: &str) -> String {
    let wanted = ActionKind::parse_shorthand(action);
    if let Some(job) = parent
        && let Some(offered) = find_offered(&job.actions, &wanted)
    {
        return offered.to_owned();
    }
    match wanted {
        ActionKind::Other(_) => action.to_owned(),
        known => known.to_gateway(provider),
    }
}

pub fn image_input(path: &Path) -> Result<ImageInput, String> {
    Ok(load_image_file(path).map_err(|e| e.to_string())?.to_input())
}

pub fn load_mask(path: &Path) -> Result<Mask, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: could not be read ({e})", path.display()))?;
    crate::imageio::check_image_bytes(bytes.clone(), &path.display().to_string()).map_err(|e| e.to_string())?;
    Mask::from_png(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn imagine(prompt: &str) -> Result<JobRequest, String> {
    check_prompt(prompt).map_err(|e| e.to_string())?;
    Ok(JobRequest::Imagine { prompt: prompt.to_owned() })
}

pub fn blend(paths: &[std::path::PathBuf], dimensions: Option<&str>) -> Result<JobRequest, String> {
    check_blend_count(paths.len()).map_err(|e| e.to_string())?;
    let dimensions = match dimensions {
        Some(d) => Some(Dimensions::parse(d).ok_or_else(|| format!("'{d}' is not PORTRAIT, SQUARE or LANDSCAPE"))?),
        None => None,
    };
    let images = paths.iter().map(|p| image_input(p)).collect::<Result<Vec<_>, _>>()?;
    Ok(JobRequest::Blend { images, dimensions })
}

/// An edit of an image file, with an optional mask at the image's size.
pub fn edit_file(image: &Path, mask: Option<&Path>, prompt: &str, retexture: bool) -> Result<JobRequest, String> {
    check_prompt(prompt).map_err(|e| e.to_string())?;
    let checked = load_image_file(image).map_err(|e| e.to_string())?;
    let mask = match mask {
        Some(m) => {
            let mask = load_mask(m)?;
            mask.check_for(checked.width, checked.height).map_err(|e| format!("{}: {e}", m.display()))?;
            Some(mask)
        }
        None => None,
    };
    Ok(JobRequest::Edit { image: checked.to_input(), mask, prompt: prompt.to_owned(), retexture })
}

/// Vtrix edits work on an image of an earlier job: `JOB_ID:N`. The canvas is the image's own
/// size (an in-place edit); the mask, if any, marks what to repaint.
pub fn canvas_edit(
    parent: ParentRef,
    size: (u32, u32),
    mask: Option<Mask>,
    prompt: &str,
) -> Result<JobRequest, String> {
    check_prompt(prompt).map_err(|e| e.to_string())?;
    let (w, h) = size;
    if let Some(m) = &mask {
        m.check_for(w, h).map_err(|e| e.to_string())?;
    }
    let canvas = Canvas { width: w, height: h, img_width: w, img_height: h, x: 0, y: 0 };
    Ok(JobRequest::CanvasEdit { parent, canvas, prompt: prompt.to_owned(), mask })
}

/// The pixel size of a parent job's image `index`: from the job's record, else from its
/// downloaded copy.
pub fn parent_image_size(parent: &Job, index: Option<u8>) -> Option<(u32, u32)> {
    let images = parent.result_images();
    let img = images.get(index.unwrap_or(0) as usize).or(images.first())?;
    if images.len() == 1
        && let (Some(w), Some(h)) = (parent.width, parent.height)
    {
        return Some((w, h));
    }
    let bytes = std::fs::read(img.local_path.as_ref()?).ok()?;
    decode_rgba(&bytes, "parent").ok().map(|i| i.dimensions())
}
