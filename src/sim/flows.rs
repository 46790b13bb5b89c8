//! Follow-up rules shared by the gateways: which actions a finished job offers (in each
//! gateway's spelling), and what work an offered action asks for. Accepting both spellings
//! (`zoom_out_2` / `zoom_out_2x`, `low_variation` / `vary_subtle`) goes through the shared
//! [`ActionKind`] meaning.

use std::sync::Arc;

use super::inputs;
use super::masks;
use super::produce::{Extension, Pic, Work};
use super::prompt;
use super::reply::Gw;
use super::state::{Output, Shape, Sim, SimJob, Status};
use crate::actions::ActionKind;
use crate::mask::Mask;

/// What a follow-up submit will create.
pub(super) struct FollowUp {
    pub work: Work,
    pub seed: u64,
}

/// The actions a finished job offers, as `gw` spells them (Vtrix has none: it uses models).
pub(super) fn offered(gw: Gw, out: &Output) -> Vec<String> {
    let ace = gw == Gw::Acedata;
    let mut v: Vec<String> = Vec::new();
    match (gw, out.shape) {
        (Gw::Vtrix, _) | (_, Shape::Text | Shape::Video) => {}
        (_, Shape::Grid | Shape::Set) => {
            v.extend((1..=4).map(|i| if ace { format!("upscale{i}") } else { format!("upsample{i}") }));
            v.extend((1..=4).map(|i| format!("variation{i}")));
            if out.scene.is_some() {
                v.push("reroll".into());
            }
        }
        (_, Shape::Single) => {
            let (up, rest): (&[&str], &[&str]) = if ace {
                (
                    &["upscale_2x", "upscale_4x"],
                    &["variation_subtle", "variation_strong", "variation_region", "zoom_out_2x", "zoom_out_1_5x"],
                )
            } else {
                (
                    &["upscale_subtle", "upscale_creative"],
                    &["low_variation", "high_variation", "zoom_out_2", "zoom_out_1_5"],
                )
            };
            if out.upscalable {
                v.extend(up.iter().map(|s| s.to_string()));
            }
            v.extend(rest.iter().map(|s| s.to_string()));
            v.extend(["pan_left", "pan_right", "pan_up", "pan_down"].map(String::from));
            let square = out.images.first().is_none_or(|i| i.width == i.height);
            if !ace && !square {
                v.push("make_square".into());
            }
        }
    }
    v
}

/// The parent's results, or why it cannot be continued yet.
pub(super) async fn finished(sim: &Arc<Sim>, job: &Arc<SimJob>) -> Result<Arc<Output>, String> {
    match sim.status(job).await {
        Status::Succeeded(out) => Ok(out),
        Status::Failed(reason) => Err(format!("job {} failed ({reason}); there is nothing to continue from", job.id)),
        _ => Err(format!("job {} has not finished yet; wait for it to succeed", job.id)),
    }
}

/// The stored PNG of the parent's image `i`.
pub(super) fn image(sim: &Sim, out: &Output, i: usize) -> Result<Pic, String> {
    let img = out.images.get(i).ok_or_else(|| format!("the job has no image {}", i + 1))?;
    Ok(Pic::Png(sim.cdn.png(img)?))
}

/// What `action` on `parent` asks for, provided the parent offered it.
pub(super) fn follow_up(sim: &Sim, gw: Gw, parent: &SimJob, out: &Output, action: &str) -> Result<FollowUp, String> {
    let wanted = ActionKind::parse(action);
    let offers = offered(gw, out);
    if !offers.iter().any(|o| ActionKind::parse(o) == wanted) {
        let list = if offers.is_empty() { "nothing".to_owned() } else { offers.join(", ") };
        return Err(format!("action '{action}' is not offered by job {}; it offers: {list}", parent.id));
    }
    let seed = parent.seed.unwrap_or(0);
    let fresh = || sim.derive_seed(seed, action);
    let base_prompt = parent.prompt.clone();
    let vary = |strength: f32| -> Result<FollowUp, String> {
        let (i, seed) = (wanted.image_index().unwrap_or(0) as usize, fresh());
        Ok(FollowUp {
            work: Work::Vary { image: image(sim, out, i)?, prompt: base_prompt.clone(), seed, strength },
            seed,
        })
    };
    let extend = |how: Extension| -> Result<FollowUp, String> {
        let seed = fresh();
        Ok(FollowUp { work: Work::Extend { image: image(sim, out, 0)?, how, prompt: base_prompt.clone(), seed }, seed })
    };
    let enlarge = |factor: u32, creative: bool| -> Result<FollowUp, String> {
        Ok(FollowUp { work: Work::Enlarge { image: image(sim, out, 0)?, factor, creative }, seed })
    };
    match &wanted {
        ActionKind::Upscale(q) => {
            let scene = out.scene.clone().map(|(p, s)| (p, s, u32::from(*q)));
            Ok(FollowUp { work: Work::Upscale { quad: image(sim, out, usize::from(*q))?, scene }, seed })
        }
        ActionKind::Variation(_) => vary(0.6),
        ActionKind::VarySubtle => vary(0.35),
        ActionKind::VaryStrong => vary(1.0),
        ActionKind::Reroll => {
            let (p, s) = out.scene.clone().ok_or("this job cannot be rerolled")?;
            let seed = sim.derive_seed(s, "reroll");
            Ok(FollowUp { work: Work::Scenes { aspect: prompt::aspect(&p), prompt: p, seed }, seed })
        }
        ActionKind::ZoomOut(f) => extend(Extension::Zoom(f.parse().unwrap_or(2.0))),
        ActionKind::Pan(d) => extend(Extension::Pan(*d)),
        ActionKind::MakeSquare => extend(Extension::Square),
        ActionKind::UpscaleSubtle | ActionKind::Upscale2x => enlarge(2, false),
        ActionKind::UpscaleCreative => enlarge(2, true),
        ActionKind::Upscale4x => enlarge(4, false),
        ActionKind::VaryRegion => Err("vary region needs a mask: send `mask` (base64 PNG, white = regenerate)".into()),
        ActionKind::Other(_) => Err(format!("action '{action}' is not supported")),
    }
}

/// Vary (Region) on an upscaled image: `mask` (white = regenerate) at the image's size.
pub(super) fn region(
    sim: &Sim,
    parent: &SimJob,
    out: &Output,
    mask: Mask,
    prompt: Option<&str>,
) -> Result<FollowUp, String> {
    if out.shape != Shape::Single {
        return Err(format!("job {} is not an upscaled single image; upscale one first (U1-U4)", parent.id));
    }
    let img = out.images.first().ok_or("the job has no image")?;
    masks::fits(&mask, img.width, img.height)?;
    let seed = sim.derive_seed(parent.seed.unwrap_or(0), "region");
    let prompt = prompt.map_or_else(|| parent.prompt.clone(), str::to_owned);
    Ok(FollowUp { work: Work::Masked { base: Pic::Png(sim.cdn.png(img)?), mask, prompt, seed }, seed })
}

/// A black/white mask sent as base64 (or a data: URI), read off the runtime; it must mark
/// something.
pub(super) async fn bw_mask(text: &str) -> Result<Mask, String> {
    let text = text.to_owned();
    let read = move || -> Result<Mask, String> {
        let mask = masks::from_bw(&inputs::decode(&inputs::inline_bytes(&text)?)?);
        masks::not_empty(&mask)?;
        Ok(mask)
    };
    inputs::off_runtime(read).await?.map_err(|e| format!("mask: {e}"))
}

/// A seed for a job made from images (blend, edits): a hash of what was sent (each part's
/// length and first 64 KB, which is plenty to tell inputs apart and keeps big uploads cheap).
pub(super) fn seed_of_bytes(parts: &[&[u8]]) -> u64 {
    use super::style::{fnv, mix64};
    let fold = |acc: u64, p: &&[u8]| mix64(mix64(acc, p.len() as u64), fnv(&p[..p.len().min(65_536)]));
    parts.iter().fold(0x5eed, fold) % 4_294_967_296
}
