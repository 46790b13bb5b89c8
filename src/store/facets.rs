//! What the library's filters read from a job besides its marks: its aspect ratio, model
//! version and mode, taken from the prompt.
//!
//! The store keeps these per job in `job_facets`, computed in SQL by triggers when a prompt is
//! written (schema step 5). [`PromptFacets::of_job`] reads a job the same way in Rust, for a
//! job held in memory (the window's list deciding whether a new job belongs under its filter)
//! and for export sidecars; a test holds the two equal over a set of awkward prompts.

use crate::job::{Dimensions, Job, JobRequest};

/// A job's aspect ratio, model version and mode, as the filters see them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PromptFacets {
    /// The first `--ar` (or `--aspect`) value as written (`16:9`); `1:1` for a prompt without
    /// one; a blend's from its dimensions; None for a job with no prompt (a describe).
    pub aspect: Option<String>,
    /// `7`, `6.1` for `--v`; `niji 6` (or `niji`) for `--niji`; None when the prompt names none.
    pub model: Option<String>,
    /// `--relax`, `--fast` or `--turbo` in the prompt, else the mode the job was sent with.
    pub mode: Option<String>,
}

impl PromptFacets {
    pub fn of_job(job: &Job) -> Self {
        let blend = match job.request.as_ref() {
            JobRequest::Blend { dimensions, .. } => Some(*dimensions),
            _ => None,
        };
        Self::read(job.prompt.as_deref(), job.options.mode.as_ref().map(|m| m.as_str()), blend)
    }

    /// `blend` is a blend's dimensions (Some(None): a blend with none given); None for any
    /// other job.
    pub fn read(prompt: Option<&str>, sent_mode: Option<&str>, blend: Option<Option<Dimensions>>) -> Self {
        let sent_mode = sent_mode.map(str::to_ascii_lowercase);
        let Some(prompt) = prompt else {
            let aspect = blend.map(|d| {
                match d {
                    Some(Dimensions::Portrait) => "2:3",
                    Some(Dimensions::Landscape) => "3:2",
                    _ => "1:1",
                }
                .to_owned()
            });
            return Self { aspect, model: None, mode: sent_mode };
        };
        let params = params_text(prompt);
        let aspect = match value_after(&params, " --ar ") {
            Some(v) if !v.is_empty() => v.to_owned(),
            _ => "1:1".to_owned(),
        };
        let starts_with_digit = |v: &str| v.as_bytes().first().is_some_and(u8::is_ascii_digit);
        let model = match (value_after(&params, " --niji "), value_after(&params, " --v ")) {
            (Some(n), _) if starts_with_digit(n) => Some(format!("niji {n}")),
            (Some(_), _) => Some("niji".to_owned()),
            (None, Some(v)) if starts_with_digit(v) => Some(v.to_owned()),
            _ => None,
        };
        let flag = ["relax", "fast", "turbo"].into_iter().find(|m| params.contains(&format!(" --{m} ")));
        let mode = flag.map(str::to_owned).or(sent_mode);
        Self { aspect: Some(aspect), model, mode }
    }
}

/// How a menu names a model version: `v7`, `niji 6`, or `default version` for none.
pub fn model_label(model: Option<&str>) -> String {
    match model {
        None => "default version".to_owned(),
        Some(m) if m.starts_with("niji") => m.to_owned(),
        Some(v) => format!("v{v}"),
    }
}

/// How a menu names a mode: as stored, or `default mode` for none.
pub fn mode_label(mode: Option<&str>) -> String {
    mode.map_or_else(|| "default mode".to_owned(), str::to_owned)
}

/// The prompt from its first ` --` on, as `job_facets.params` holds it: a space at each end,
/// ASCII lower case, tabs and line breaks as spaces, em and en dashes as `--`, `--aspect` as
/// `--ar`, `--version` as `--v`; a single space for a prompt with no parameters.
fn params_text(prompt: &str) -> String {
    let n = format!(" {} ", prompt.to_ascii_lowercase())
        .replace(['\t', '\n', '\r'], " ")
        .replace(['—', '–'], "--")
        .replace(" --aspect ", " --ar ")
        .replace(" --version ", " --v ");
    match n.find(" --") {
        Some(i) => n[i..].to_owned(),
        None => " ".to_owned(),
    }
}

/// The word after the first `key` (spaces skipped; empty when nothing follows), or None when
/// `key` is not there.
fn value_after<'a>(params: &'a str, key: &str) -> Option<&'a str> {
    let at = params.find(key)?;
    let rest = params[at + key.len()..].trim_start_matches(' ');
    Some(rest.find(' ').map_or("", |end| &rest[..end]))
}

/// The `--name value` parameters of a prompt as written (names in lower case without their
/// dashes, values trimmed, empty for a bare flag), in order. A parameter starts at `--` (or
/// the em or en dash a text field makes of it) at the start of a word, followed by a letter.
pub fn parameters(prompt: &str) -> Vec<(String, String)> {
    let mut starts = Vec::new();
    for (i, c) in prompt.char_indices() {
        let dashes = match c {
            '-' if prompt[i..].starts_with("--") => 2,
            '—' | '–' => c.len_utf8(),
            _ => continue,
        };
        let at_word_start = prompt[..i].chars().next_back().is_none_or(char::is_whitespace);
        let letter_follows = prompt[i + dashes..].chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if at_word_start && letter_follows {
            starts.push((i, dashes));
        }
    }
    let mut out = Vec::with_capacity(starts.len());
    for (n, &(start, dashes)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(prompt.len(), |&(next, _)| next);
        let body = &prompt[start + dashes..end];
        let name_len = body.find(char::is_whitespace).unwrap_or(body.len());
        out.push((body[..name_len].to_ascii_lowercase(), body[name_len..].trim().to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(prompt: &str) -> PromptFacets {
        PromptFacets::read(Some(prompt), None, None)
    }

    #[test]
    fn reads_aspect_model_and_mode_from_a_prompt() {
        let f = of("a red fox --ar 16:9 --v 6.1 --relax");
        assert_eq!(f.aspect.as_deref(), Some("16:9"));
        assert_eq!(f.model.as_deref(), Some("6.1"));
        assert_eq!(f.mode.as_deref(), Some("relax"));
        let f = of("a red fox");
        assert_eq!((f.aspect.as_deref(), f.model, f.mode), (Some("1:1"), None, None));
        assert_eq!(of("fox —aspect 2:3 --niji 6").aspect.as_deref(), Some("2:3"));
        assert_eq!(of("fox --niji 6").model.as_deref(), Some("niji 6"));
        assert_eq!(of("fox --niji --ar 3:2").model.as_deref(), Some("niji"));
        assert_eq!(of("fox --AR  21:9 --VERSION 7").aspect.as_deref(), Some("21:9"));
        assert_eq!(of("fox --AR  21:9 --VERSION 7").model.as_deref(), Some("7"));
        assert_eq!(of("fox --ar").aspect.as_deref(), Some("1:1"), "a missing value is the default");
        assert_eq!(of("fox --v raw").model, None, "not a version number");
        assert_eq!(PromptFacets::read(Some("fox"), Some("Turbo"), None).mode.as_deref(), Some("turbo"));
        assert_eq!(PromptFacets::read(Some("fox --fast"), Some("relax"), None).mode.as_deref(), Some("fast"));
    }

    #[test]
    fn a_job_without_a_prompt_has_no_aspect_unless_it_is_a_blend() {
        assert_eq!(PromptFacets::read(None, None, None).aspect, None);
        let blend = |d| PromptFacets::read(None, None, Some(d)).aspect;
        assert_eq!(blend(None).as_deref(), Some("1:1"));
        assert_eq!(blend(Some(Dimensions::Landscape)).as_deref(), Some("3:2"));
        assert_eq!(blend(Some(Dimensions::Portrait)).as_deref(), Some("2:3"));
    }

    #[test]
    fn parameters_are_split_as_written() {
        let p = parameters("https://x.test/a.png a fox — tail --AR 16:9 --no Cars, trees —tile --v 7");
        let want = [("ar", "16:9"), ("no", "Cars, trees"), ("tile", ""), ("v", "7")];
        assert_eq!(p, want.map(|(n, v)| (n.to_owned(), v.to_owned())));
        assert!(parameters("a fox-like cat --").is_empty());
    }

    #[test]
    fn labels_name_the_default_choices() {
        assert_eq!(model_label(Some("6.1")), "v6.1");
        assert_eq!(model_label(Some("niji 6")), "niji 6");
        assert_eq!(model_label(None), "default version");
        assert_eq!(mode_label(None), "default mode");
    }
}
