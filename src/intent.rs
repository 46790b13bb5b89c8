//! What the designer asked for, turned into a checked [`JobRequest`]: one place for the CLI
//! and the window alike. Files are read and checked, masks loaded and sized against their
//! image, parents looked up and their own action spellings used. Nothing is sent from here.
//!
//! [`build`] reads files and the store: call it off the UI thread (the job manager runs it on
//! the blocking pool).

use std::path::{Path, PathBuf};

use crate::actions::{ActionKind, find_offered};
use crate::imageio::{
    CheckedImage, InputError, check_blend_count, check_image_bytes, check_prompt, image_mime, load_image_file,
    read_image_file,
};
use crate::job::{Canvas, Dimensions, ImageInput, Job, JobRequest, ParentRef, Provider, VideoOptions};
use crate::mask::{Mask, MaskError};
use crate::store::{Store, StoreError};

/// Where an input image comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageSource {
    File(PathBuf),
    /// Bytes from the clipboard or a drop, with a name to show in messages.
    Bytes {
        bytes: Vec<u8>,
        name: String,
    },
    /// A link the gateway fetches itself.
    Url(String),
}

mod video;

pub use video::FrameSource;

/// Where a mask comes from: a PNG file (white or transparent = change) or one painted here.
#[derive(Debug, Clone, PartialEq)]
pub enum MaskSource {
    File(PathBuf),
    Painted(Mask),
}

/// What the designer asked for. Jobs are named by our id, a gateway id, or a unique prefix.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    Imagine {
        prompt: String,
    },
    /// `U1`, `v3`, `reroll` or any string the parent offers; the parent's spelling wins.
    Action {
        parent: String,
        action: String,
    },
    Seed {
        parent: String,
    },
    Describe {
        image: ImageSource,
    },
    Blend {
        images: Vec<ImageSource>,
        dimensions: Option<Dimensions>,
    },
    /// Vary (Region) on an upscaled image.
    Inpaint {
        parent: String,
        mask: MaskSource,
        prompt: Option<String>,
    },
    Edit {
        image: ImageSource,
        mask: Option<MaskSource>,
        prompt: String,
        retexture: bool,
    },
    /// Vtrix: image `index` (0-3) of an earlier job on a canvas (its own size when `canvas`
    /// is None: an in-place edit).
    CanvasEdit {
        parent: String,
        index: u8,
        canvas: Option<Canvas>,
        mask: Option<MaskSource>,
        prompt: String,
    },
    /// Vtrix `midjourney_remix`: image `index` (0-3) of an earlier job redrawn with a changed
    /// prompt, strongly or subtly.
    Remix {
        parent: String,
        index: u8,
        prompt: String,
        strong: bool,
    },
    /// Video from a still: image `index` of job `parent` (the only image when it has one), or
    /// an outside image; `end` is the last frame.
    Animate {
        start: FrameSource,
        end: Option<FrameSource>,
        video: VideoOptions,
    },
    /// Clip `index` (0-3) of video job `parent`, ~4 s longer.
    Extend {
        parent: String,
        index: u8,
        video: VideoOptions,
    },
}

/// Why an intent could not become a request. Nothing was sent.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IntentError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{name}: {source}")]
    Mask { name: String, source: MaskError },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no job '{0}' here")]
    NoSuchJob(String),
    #[error("'{id}' matches {count} jobs; give more of the id")]
    Ambiguous { id: String, count: usize },
    #[error("job {0} has no gateway id yet (it was never accepted by the gateway)")]
    NotSubmitted(String),
    #[error("the size of image {index} of job {id} is not known yet (is the job finished?)")]
    SizeUnknown { id: String, index: u8 },
    #[error("Vtrix edits work on an image of an earlier job; pick one of its images")]
    NeedsParentImage,
    #[error("job {0} is a video; the gateways give seeds for image jobs only")]
    SeedOfVideo(String),
    #[error(transparent)]
    Video(#[from] video::VideoIntentError),
}

impl IntentError {
    fn mask(name: impl Into<String>, source: MaskError) -> Self {
        IntentError::Mask { name: name.into(), source }
    }
}

/// A request ready for the job manager, with the job it continues (when mjdesk knows it).
#[derive(Debug, Clone)]
pub struct Built {
    pub request: JobRequest,
    pub parent: Option<Job>,
}

/// Turns `intent` into a request for `provider`. Blocking: reads files and the store.
pub fn build(intent: Intent, provider: Provider, store: &Store) -> Result<Built, IntentError> {
    let plain = |request| Ok(Built { request, parent: None });
    match intent {
        Intent::Imagine { prompt } => {
            check_prompt(&prompt)?;
            plain(JobRequest::Imagine { prompt })
        }
        Intent::Action { parent: id, action } => {
            let parent = find_job(store, provider, &id)?;
            let action = action_string(parent.as_ref(), provider, &action);
            let index = ActionKind::parse(&action).image_index();
            let parent_ref = parent_ref(parent.as_ref(), &id, index)?;
            Ok(Built { request: JobRequest::Action { parent: parent_ref, action }, parent })
        }
        Intent::Seed { parent: id } => {
            let parent = find_job(store, provider, &id)?;
            if let Some(video) = parent.as_ref().filter(|p| p.kind.is_video()) {
                return Err(IntentError::SeedOfVideo(crate::job::short_id(&video.id).to_owned()));
            }
            Ok(Built { request: JobRequest::Seed { parent: parent_ref(parent.as_ref(), &id, None)? }, parent })
        }
        Intent::Describe { image } => plain(JobRequest::Describe { image: image_input(image)? }),
        Intent::Blend { images, dimensions } => {
            check_blend_count(images.len())?;
            let images = images.into_iter().map(image_input).collect::<Result<Vec<_>, _>>()?;
            plain(JobRequest::Blend { images, dimensions })
        }
        Intent::Inpaint { parent: id, mask, prompt } => {
            if let Some(p) = &prompt
                && !p.trim().is_empty()
            {
                check_prompt(p)?;
            }
            let (mask, name) = load_mask(mask)?;
            let parent = find_job(store, provider, &id)?;
            if let Some((w, h)) = parent.as_ref().and_then(|p| parent_image_size(p, None)) {
                mask.check_for(w, h).map_err(|e| IntentError::mask(&name, e))?;
            }
            let parent_ref = parent_ref(parent.as_ref(), &id, None)?;
            let prompt = prompt.filter(|p| !p.trim().is_empty());
            Ok(Built { request: JobRequest::Inpaint { parent: parent_ref, mask, prompt }, parent })
        }
        Intent::Edit { image, mask, prompt, retexture } => {
            check_prompt(&prompt)?;
            let checked = checked_image(image)?;
            let mask = match mask {
                Some(m) => {
                    let (mask, name) = load_mask(m)?;
                    mask.check_for(checked.width, checked.height).map_err(|e| IntentError::mask(name, e))?;
                    Some(mask)
                }
                None => None,
            };
            plain(JobRequest::Edit { image: checked.into_input(), mask, prompt, retexture })
        }
        Intent::CanvasEdit { parent: id, index, canvas, mask, prompt } => {
            check_prompt(&prompt)?;
            let parent = find_job(store, provider, &id)?.ok_or_else(|| IntentError::NoSuchJob(id.clone()))?;
            let (w, h) =
                parent_image_size(&parent, Some(index)).ok_or(IntentError::SizeUnknown { id: id.clone(), index })?;
            let mask = match mask {
                Some(m) => {
                    let (mask, name) = load_mask(m)?;
                    mask.check_for(w, h).map_err(|e| IntentError::mask(name, e))?;
                    Some(mask)
                }
                None => None,
            };
            let canvas = canvas.unwrap_or(Canvas { width: w, height: h, img_width: w, img_height: h, x: 0, y: 0 });
            let parent_ref = parent_ref(Some(&parent), &id, Some(index))?;
            Ok(Built {
                request: JobRequest::CanvasEdit { parent: parent_ref, canvas, prompt, mask },
                parent: Some(parent),
            })
        }
        Intent::Remix { parent: id, index, prompt, strong } => {
            check_prompt(&prompt)?;
            let parent = find_job(store, provider, &id)?;
            let parent_ref = parent_ref(parent.as_ref(), &id, Some(index))?;
            Ok(Built { request: JobRequest::Remix { parent: parent_ref, prompt, strong }, parent })
        }
        Intent::Animate { start, end, video } => video::animate(store, provider, start, end, video),
        Intent::Extend { parent, index, video } => video::extend(store, provider, &parent, index, video),
    }
}

/// A job named by our id, a gateway id, or the first characters of either (at least 6, as
/// `mjdesk jobs` shows them). An id mjdesk does not know is taken as the gateway id of a job
/// made elsewhere (None).
pub fn find_job(store: &Store, provider: Provider, id: &str) -> Result<Option<Job>, IntentError> {
    if let Some(job) = store.get_job(id)? {
        return Ok(Some(job));
    }
    if let Some(job) = store.find_by_gateway_id(provider, id)? {
        return Ok(Some(job));
    }
    if id.len() < 6 {
        return Ok(None);
    }
    let starts = |j: &Job| j.id.starts_with(id) || j.gateway_id.as_deref().is_some_and(|g| g.starts_with(id));
    let mut found: Vec<Job> = store.search(id, 50)?.into_iter().filter(starts).collect();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        count => Err(IntentError::Ambiguous { id: id.to_owned(), count }),
    }
}

/// How a follow-up names its parent: from the job when known, else the id as given.
pub fn parent_ref(parent: Option<&Job>, id: &str, index: Option<u8>) -> Result<ParentRef, IntentError> {
    match parent {
        Some(job) => job.parent_ref(index).ok_or_else(|| IntentError::NotSubmitted(id.to_owned())),
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

pub(crate) fn checked_image(source: ImageSource) -> Result<CheckedImage, IntentError> {
    Ok(match source {
        ImageSource::File(path) => load_image_file(&path)?,
        ImageSource::Bytes { bytes, name } => check_image_bytes(bytes, &name)?,
        ImageSource::Url(url) => return Err(InputError::NotAnImage { name: url }.into()),
    })
}

pub(crate) fn image_input(source: ImageSource) -> Result<ImageInput, IntentError> {
    match source {
        ImageSource::Url(url) => Ok(ImageInput::Url(url)),
        other => Ok(checked_image(other)?.into_input()),
    }
}

/// The mask, with a name for messages.
fn load_mask(source: MaskSource) -> Result<(Mask, String), IntentError> {
    match source {
        MaskSource::Painted(mask) => Ok((mask, "the painted mask".to_owned())),
        MaskSource::File(path) => Ok((load_mask_file(&path)?, path.display().to_string())),
    }
}

/// A mask PNG from disk, checked as any image is, then read as a mask.
///
/// Decoded once: [`Mask::from_png`] decodes under the same limits as any image (a grayscale
/// file straight into the mask), so the file is not decoded first just to be checked.
pub fn load_mask_file(path: &Path) -> Result<Mask, IntentError> {
    let name = path.display().to_string();
    let bytes = read_image_file(path)?;
    image_mime(&bytes, &name)?;
    Mask::from_png(&bytes).map_err(|e| IntentError::mask(name, e))
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
    crate::imageio::dimensions(&bytes, "parent").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobStatus, SubmitOptions};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, store)
    }

    fn finished_grid(store: &Store, provider: Provider, actions: &[&str]) -> Job {
        let mut job = Job::new(
            provider,
            "http://127.0.0.1:9",
            JobRequest::Imagine { prompt: "a fox".into() },
            SubmitOptions::default(),
        );
        job.gateway_id = Some("gw-1".into());
        job.status = JobStatus::Succeeded;
        job.actions = actions.iter().map(|s| s.to_string()).collect();
        job.image_id = Some("img-9".into());
        store.insert_job(&job).unwrap();
        job
    }

    #[test]
    fn u2_names_the_parents_own_spelling_on_each_gateway() {
        let (_d, store) = store();
        let tt = finished_grid(&store, Provider::Ttapi, &["upsample1", "upsample2", "variation2"]);
        let built =
            build(Intent::Action { parent: tt.id.clone(), action: "U2".into() }, Provider::Ttapi, &store).unwrap();
        match built.request {
            JobRequest::Action { parent, action } => {
                assert_eq!(action, "upsample2");
                assert_eq!(parent.job_id, "gw-1");
                assert_eq!(parent.image_index, Some(1));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(built.parent.unwrap().id, tt.id);
        let ace = finished_grid(&store, Provider::Acedata, &["upscale1", "upscale2"]);
        let built = build(Intent::Action { parent: ace.id, action: "u2".into() }, Provider::Acedata, &store).unwrap();
        assert!(
            matches!(built.request, JobRequest::Action { ref action, ref parent } if action == "upscale2" && parent.image_id.as_deref() == Some("img-9"))
        );
    }

    #[test]
    fn bad_input_is_refused_with_its_typed_cause() {
        let (dir, store) = store();
        let e = build(Intent::Imagine { prompt: "  ".into() }, Provider::Ttapi, &store).unwrap_err();
        assert!(matches!(e, IntentError::Input(InputError::EmptyPrompt)), "{e}");
        let e = build(
            Intent::Blend { images: vec![ImageSource::Url("https://x".into())], dimensions: None },
            Provider::Ttapi,
            &store,
        )
        .unwrap_err();
        assert!(matches!(e, IntentError::Input(InputError::BlendCount(1))), "{e}");
        let missing = dir.path().join("nope.png");
        let e = build(Intent::Describe { image: ImageSource::File(missing) }, Provider::Ttapi, &store).unwrap_err();
        assert!(matches!(e, IntentError::Input(InputError::NotFound { .. })), "{e}");
        let mut job = finished_grid(&store, Provider::Ttapi, &[]);
        job.gateway_id = None;
        store.save_job(&job).unwrap();
        let e = build(Intent::Seed { parent: job.id.clone() }, Provider::Ttapi, &store).unwrap_err();
        assert!(matches!(e, IntentError::NotSubmitted(_)), "{e}");
    }

    #[test]
    fn the_seed_of_a_video_job_is_refused_before_anything_is_sent() {
        let (_d, store) = store();
        let grid = finished_grid(&store, Provider::Ttapi, &[]);
        let req = JobRequest::Animate {
            image: ImageInput::Url("http://x/a.png".into()),
            parent: None,
            end: None,
            video: crate::job::VideoOptions::default(),
        };
        let mut video = Job::new(Provider::Ttapi, "http://x", req, SubmitOptions::default());
        video.gateway_id = Some("gw-video".into());
        video.status = JobStatus::Succeeded;
        video.parent_id = Some(grid.id.clone());
        store.save_job(&video).unwrap();
        let e = build(Intent::Seed { parent: video.id.clone() }, Provider::Ttapi, &store).unwrap_err();
        assert!(matches!(e, IntentError::SeedOfVideo(_)), "{e}");
        assert!(e.to_string().contains("is a video"), "{e}");
        assert!(
            build(Intent::Seed { parent: grid.id.clone() }, Provider::Ttapi, &store).is_ok(),
            "a grid's seed is asked"
        );
    }

    #[test]
    fn a_painted_mask_of_the_wrong_size_names_both_sizes() {
        let (_d, store) = store();
        let mut parent = finished_grid(&store, Provider::Ttapi, &[]);
        parent.width = Some(64);
        parent.height = Some(32);
        parent.images = vec![crate::job::JobImage { url: "https://x/1.png".into(), ..Default::default() }];
        store.save_job(&parent).unwrap();
        let intent = Intent::Inpaint { parent: parent.id, mask: MaskSource::Painted(Mask::new(10, 10)), prompt: None };
        let e = build(intent, Provider::Ttapi, &store).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, IntentError::Mask { source: MaskError::SizeMismatch { .. }, .. }), "{text}");
        assert!(text.contains("10x10") && text.contains("64x32"), "{text}");
    }
}
