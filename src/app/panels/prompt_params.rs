//! The prompt panel's logic, without egui: parameter helpers that edit the raw prompt text,
//! validation that says why Imagine is disabled, the history walked with Up/Down, and the
//! panel's own state.

use std::fmt;

use crate::app::panels::prompt_syntax::{Param, params, text_end};
use crate::app::submission::{Answer, Submission};
use crate::imageio::MAX_PROMPT_CHARS;
use crate::job::{Job, JobKind, JobStatus, Mode};

/// The `--ar` presets the panel offers.
pub const AR_PRESETS: [&str; 6] = ["1:1", "2:3", "3:2", "16:9", "9:16", "4:5"];

/// The prompt panel's own state.
#[derive(Debug, Clone, Default)]
pub struct PromptForm {
    /// What the prompt box holds.
    pub text: String,
    /// The Imagine in flight.
    pub submission: Submission,
    /// Fast / relax / turbo; `None` leaves it to the gateway's default.
    pub mode: Option<Mode>,
    pub history: PromptHistory,
    /// A refusal of the prompt as it was sent, shown next to it until the text changes.
    pub refusal: Option<Refusal>,
    /// The prompt last sent with Imagine, until the manager takes it (a job appears) or
    /// rejects it: a rejection meanwhile is this prompt's.
    pub awaiting: Option<String>,
    /// The custom `W:H` being typed in the aspect-ratio menu.
    pub custom_ar: String,
    /// The value being typed in a helper's field, per parameter.
    pub drafts: std::collections::BTreeMap<&'static str, String>,
    /// A result dropped on the prompt, waiting for the designer to say how to use it.
    pub dropped: Option<super::prompt_refs::DraggedImage>,
}

/// Why the gateway (or the manager) refused the prompt, and the text it refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub prompt: String,
    pub reason: String,
}

impl PromptForm {
    /// Records a refusal of `prompt`; it shows while the box still holds that text.
    pub fn refuse(&mut self, prompt: &str, reason: &str) {
        self.refusal = Some(Refusal { prompt: prompt.to_owned(), reason: reason.to_owned() });
    }

    /// The manager rejected a command: if an Imagine from the box is awaiting an answer, the
    /// rejection is its refusal.
    pub fn rejected(&mut self, reason: &str) {
        if let Some(prompt) = self.awaiting.take() {
            self.refuse(&prompt, reason);
        }
    }

    /// A job for `prompt` appeared: the Imagine awaiting an answer was taken.
    pub fn accepted(&mut self, prompt: &str) {
        if self.awaiting.as_deref().is_some_and(|p| p.trim() == prompt.trim()) {
            self.awaiting = None;
        }
    }

    /// The refusal to show for the box's text; a changed text clears it for good.
    pub fn refusal(&mut self) -> Option<&str> {
        let PromptForm { text, refusal, .. } = self;
        if refusal.as_ref().is_some_and(|r| r.prompt.trim() != text.trim()) {
            *refusal = None;
        }
        refusal.as_ref().map(|r| r.reason.as_str())
    }

    /// The manager's answer to the Imagine in flight.
    pub fn answered(&mut self, answer: &Answer) {
        match answer {
            Answer::Refused(why) => self.rejected(why),
            Answer::Accepted(job) => self.accepted(job.prompt.as_deref().unwrap_or_default()),
        }
    }

    /// Puts `prompt` into the box (a Describe result, one click).
    pub fn use_prompt(&mut self, prompt: &str) {
        self.text = prompt.trim().to_owned();
        self.history.reset();
    }

    /// Notes what a job's news means for the box: an Imagine refused at submit (no gateway
    /// id) shows its reason next to the prompt while the box still holds that text.
    pub fn observe(&mut self, job: &Job) {
        if job.kind == JobKind::Imagine
            && let Some(prompt) = &job.prompt
        {
            self.accepted(prompt);
        }
        if let (JobStatus::Failed { reason }, None, JobKind::Imagine, Some(prompt)) =
            (&job.status, &job.gateway_id, &job.kind, &job.prompt)
            && prompt.trim() == self.text.trim()
        {
            self.refuse(prompt, reason);
        }
    }
}

/// The canonical name of a parameter and its long spellings (`--aspect` is `--ar`).
pub fn canonical(name: &str) -> &str {
    match name {
        "aspect" => "ar",
        "stylize" => "s",
        "chaos" => "c",
        "weird" => "w",
        "version" => "v",
        "quality" => "q",
        "repeat" => "r",
        other => other,
    }
}

fn same_param(p: &Param<'_>, name: &str) -> bool {
    canonical(&p.name) == canonical(name)
}

/// Removes the byte ranges (sorted, disjoint) from `s`, with the white space before each.
fn cut(s: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(s[at..r.start].trim_end());
        at = r.end;
    }
    out.push_str(&s[at..]);
    out
}

/// Sets `--name value` (or a bare `--name` when `value` is empty): the first parameter of
/// that name (any spelling) is replaced in place and any repeats removed; otherwise it is
/// appended at the end.
pub fn set_param(prompt: &str, name: &str, value: &str) -> String {
    let name = name.trim_start_matches('-').to_ascii_lowercase();
    let written = if value.trim().is_empty() { format!("--{name}") } else { format!("--{name} {}", value.trim()) };
    let ps = params(prompt);
    let mut same = ps.iter().filter(|p| same_param(p, &name));
    match same.next() {
        Some(first) => {
            let repeats: Vec<_> = same.map(|p| p.range.clone()).collect();
            let head = &prompt[..first.range.start];
            let tail = cut(&prompt[first.range.end..], &shift(&repeats, first.range.end));
            format!("{head}{written}{tail}")
        }
        None => {
            let base = prompt.trim_end();
            if base.is_empty() { written } else { format!("{base} {written}") }
        }
    }
}

fn shift(ranges: &[std::ops::Range<usize>], by: usize) -> Vec<std::ops::Range<usize>> {
    ranges.iter().map(|r| r.start - by..r.end - by).collect()
}

/// Removes every parameter of that name (any spelling).
pub fn remove_param(prompt: &str, name: &str) -> String {
    let name = name.trim_start_matches('-').to_ascii_lowercase();
    let ranges: Vec<_> = params(prompt).iter().filter(|p| same_param(p, &name)).map(|p| p.range.clone()).collect();
    cut(prompt, &ranges).trim_start().to_owned()
}

/// The value of the first parameter of that name, if it is there.
pub fn get_param(prompt: &str, name: &str) -> Option<String> {
    params(prompt).iter().find(|p| same_param(p, name)).map(|p| p.value.to_owned())
}

/// Which model a prompt asks for: `--v N` and `--niji N` exclude each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Model {
    V(String),
    Niji(String),
}

/// Sets the model, removing the other family's parameter.
pub fn set_model(prompt: &str, model: &Model) -> String {
    match model {
        Model::V(v) => set_param(&remove_param(prompt, "niji"), "v", v),
        Model::Niji(v) => set_param(&remove_param(prompt, "v"), "niji", v),
    }
}

/// Puts an image URL in front of the prompt text (where Midjourney reads image prompts),
/// unless it is already there.
pub fn add_image_url(prompt: &str, url: &str) -> String {
    let url = url.trim();
    if url.is_empty() || prompt[..text_end(prompt)].split_whitespace().any(|w| w == url) {
        return prompt.to_owned();
    }
    if prompt.trim().is_empty() { url.to_owned() } else { format!("{url} {}", prompt.trim_start()) }
}

/// Why a prompt cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptProblem {
    Empty,
    TooLong {
        chars: usize,
    },
    /// Only parameters, no words to draw.
    NoText,
    BadParam {
        name: String,
        reason: String,
    },
}

impl fmt::Display for PromptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PromptProblem::Empty => write!(f, "Type a prompt first"),
            PromptProblem::TooLong { chars } => {
                write!(f, "The prompt is {chars} characters; Midjourney takes at most {MAX_PROMPT_CHARS}")
            }
            PromptProblem::NoText => write!(f, "The prompt has parameters but nothing to draw"),
            PromptProblem::BadParam { name, reason } => write!(f, "--{name}: {reason}"),
        }
    }
}

fn number_in(value: &str, lo: f64, hi: f64) -> Result<(), String> {
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() && (lo..=hi).contains(&n) => Ok(()),
        Ok(_) => Err(format!("must be between {lo} and {hi}")),
        Err(_) if value.is_empty() => Err("needs a number".into()),
        Err(_) => Err(format!("\"{value}\" is not a number")),
    }
}

fn whole_in(value: &str, lo: u64, hi: u64) -> Result<(), String> {
    match value.parse::<u64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(()),
        Ok(_) => Err(format!("must be a whole number from {lo} to {hi}")),
        Err(_) if value.is_empty() => Err("needs a number".into()),
        Err(_) => Err(format!("\"{value}\" is not a whole number")),
    }
}

/// Reads `W:H` with both sides positive whole numbers.
pub fn parse_ratio(value: &str) -> Option<(u32, u32)> {
    let (w, h) = value.trim().split_once(':')?;
    let (w, h) = (w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

fn check_param(name: &str, value: &str) -> Result<(), String> {
    match canonical(name) {
        "ar" => parse_ratio(value).map(|_| ()).ok_or_else(|| {
            if value.is_empty() {
                "needs a ratio like 3:2".into()
            } else {
                format!("\"{value}\" is not a ratio like 3:2")
            }
        }),
        "s" => whole_in(value, 0, 1000),
        "c" => whole_in(value, 0, 100),
        "w" => whole_in(value, 0, 3000),
        "seed" => whole_in(value, 0, u64::from(u32::MAX)),
        "stop" => whole_in(value, 10, 100),
        "r" => whole_in(value, 1, 40),
        "iw" => number_in(value, 0.0, 3.0),
        "q" => number_in(value, 0.0, 4.0),
        "v" => number_in(value, 1.0, 99.0),
        "niji" if value.is_empty() => Ok(()),
        "niji" => number_in(value, 1.0, 99.0),
        "no" | "sref" | "cref" | "oref" if value.is_empty() => Err("needs a value".into()),
        _ => Ok(()),
    }
}

/// Checks what can be checked without the gateway: not empty, within the length limit,
/// and the common parameters well formed. Unknown parameters pass (the gateway judges).
pub fn validate(prompt: &str) -> Result<(), PromptProblem> {
    let chars = prompt.chars().count();
    if prompt.trim().is_empty() {
        return Err(PromptProblem::Empty);
    }
    if chars > MAX_PROMPT_CHARS {
        return Err(PromptProblem::TooLong { chars });
    }
    if prompt[..text_end(prompt)].trim().is_empty() {
        return Err(PromptProblem::NoText);
    }
    for p in params(prompt) {
        check_param(&p.name, p.value).map_err(|reason| PromptProblem::BadParam { name: p.name.clone(), reason })?;
    }
    Ok(())
}

/// Earlier prompts, most recent first, walked with Up/Down while the box is empty or still
/// holds the prompt last recalled (so a designer's own typing is never overwritten).
#[derive(Debug, Clone, Default)]
pub struct PromptHistory {
    entries: Vec<String>,
    /// Index of the entry shown, while walking.
    cursor: Option<usize>,
}

impl PromptHistory {
    /// Most recent first; blanks and repeats dropped.
    pub fn new(entries: Vec<String>) -> Self {
        let mut h = Self::default();
        for e in entries.into_iter().rev() {
            h.push(&e);
        }
        h
    }

    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Whether Up/Down may replace `current`: it is empty or is the entry last recalled.
    fn may_replace(&self, current: &str) -> bool {
        current.trim().is_empty() || self.cursor.and_then(|c| self.entries.get(c)).is_some_and(|e| e == current)
    }

    /// Up: the next older prompt, if the box may be replaced and there is one.
    pub fn older(&mut self, current: &str) -> Option<&str> {
        if !self.may_replace(current) {
            return None;
        }
        if current.trim().is_empty() {
            self.cursor = None;
        }
        let next = self.cursor.map_or(0, |c| c + 1);
        let entry = self.entries.get(next)?;
        self.cursor = Some(next);
        Some(entry)
    }

    /// Down: the next newer prompt, or an empty box after the newest.
    pub fn newer(&mut self, current: &str) -> Option<&str> {
        if !self.may_replace(current) || current.trim().is_empty() {
            return None;
        }
        match self.cursor? {
            0 => {
                self.cursor = None;
                Some("")
            }
            c => {
                self.cursor = Some(c - 1);
                self.entries.get(c - 1).map(String::as_str)
            }
        }
    }

    /// A prompt was just sent: it becomes the most recent, once.
    pub fn push(&mut self, prompt: &str) {
        let prompt = prompt.trim();
        if prompt.is_empty() {
            return;
        }
        self.entries.retain(|e| e != prompt);
        self.entries.insert(0, prompt.to_owned());
        self.cursor = None;
    }

    /// Stops walking (the designer picked from the menu or typed).
    pub fn reset(&mut self) {
        self.cursor = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_a_parameter_appends_it_once_then_replaces_it() {
        let p = set_param("a red fox", "ar", "3:2");
        assert_eq!(p, "a red fox --ar 3:2");
        let p = set_param(&p, "ar", "16:9");
        assert_eq!(p, "a red fox --ar 16:9");
        assert_eq!(set_param("a red fox  ", "s", "250"), "a red fox --s 250");
        assert_eq!(set_param("", "seed", "42"), "--seed 42");
    }

    #[test]
    fn replacing_keeps_the_place_and_the_other_parameters() {
        assert_eq!(set_param("fox --ar 1:1 --s 50", "ar", "2:3"), "fox --ar 2:3 --s 50");
        assert_eq!(set_param("fox --aspect 1:1 --s 50", "ar", "2:3"), "fox --ar 2:3 --s 50");
        assert_eq!(set_param("fox --ar 1:1 --s 50 --ar 4:5", "ar", "9:16"), "fox --ar 9:16 --s 50");
        assert_eq!(set_param("fox --no cars, trees --s 5", "no", "people"), "fox --no people --s 5");
        assert_eq!(set_param("fox —ar 1:1", "ar", "3:2"), "fox --ar 3:2");
        assert_eq!(set_param("fox", "tile", ""), "fox --tile");
    }

    #[test]
    fn removing_and_reading_parameters() {
        assert_eq!(remove_param("fox --ar 1:1 --s 50", "ar"), "fox --s 50");
        assert_eq!(remove_param("fox --s 50 --stylize 3", "stylize"), "fox");
        assert_eq!(remove_param("--v 7 fox", "v"), "");
        assert_eq!(get_param("fox --Stylize 300", "s").as_deref(), Some("300"));
        assert_eq!(get_param("fox", "s"), None);
    }

    #[test]
    fn v_and_niji_exclude_each_other() {
        assert_eq!(set_model("fox --v 6.1 --s 5", &Model::Niji("6".into())), "fox --s 5 --niji 6");
        assert_eq!(set_model("fox --niji 6", &Model::V("7".into())), "fox --v 7");
        assert_eq!(set_model("fox --v 6", &Model::V("7".into())), "fox --v 7");
    }

    #[test]
    fn image_urls_go_in_front_once() {
        let url = "https://x.test/a.png";
        assert_eq!(add_image_url("fox --ar 1:1", url), format!("{url} fox --ar 1:1"));
        assert_eq!(add_image_url(&format!("{url} fox"), url), format!("{url} fox"));
        assert_eq!(add_image_url("", url), url);
        assert_eq!(add_image_url("fox", "  "), "fox");
    }

    #[test]
    fn validation_names_the_problem() {
        assert_eq!(validate("   "), Err(PromptProblem::Empty));
        assert_eq!(validate(&"a".repeat(MAX_PROMPT_CHARS + 1)), Err(PromptProblem::TooLong { chars: 8193 }));
        assert!(validate(&"a".repeat(MAX_PROMPT_CHARS)).is_ok());
        assert_eq!(validate("--ar 3:2"), Err(PromptProblem::NoText));
        let bad = |p: &str| match validate(p) {
            Err(PromptProblem::BadParam { name, reason }) => format!("--{name}: {reason}"),
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(bad("fox --ar"), "--ar: needs a ratio like 3:2");
        assert_eq!(bad("fox --ar wide"), "--ar: \"wide\" is not a ratio like 3:2");
        assert_eq!(bad("fox --ar 0:2"), "--ar: \"0:2\" is not a ratio like 3:2");
        assert_eq!(bad("fox --s lots"), "--s: \"lots\" is not a whole number");
        assert_eq!(bad("fox --s 1001"), "--s: must be a whole number from 0 to 1000");
        assert_eq!(bad("fox --c 101"), "--c: must be a whole number from 0 to 100");
        assert_eq!(bad("fox --seed -1"), "--seed: \"-1\" is not a whole number");
        assert_eq!(bad("fox --v seven"), "--v: \"seven\" is not a number");
        assert_eq!(bad("fox --no"), "--no: needs a value");
        assert!(validate("fox --ar 16:9 --s 250 --c 10 --w 100 --seed 4294967295 --v 6.1 --no cars").is_ok());
        assert!(validate("fox --niji --tile --style raw --unknownthing 5").is_ok());
        assert!(validate("a well--known place").is_ok());
    }

    #[test]
    fn problems_read_as_sentences() {
        assert_eq!(PromptProblem::Empty.to_string(), "Type a prompt first");
        assert!(PromptProblem::TooLong { chars: 9000 }.to_string().contains("8192"));
    }

    #[test]
    fn history_walks_back_and_forth_without_overwriting_typing() {
        let mut h = PromptHistory::new(vec!["newest".into(), "middle".into(), "newest".into(), "oldest".into()]);
        assert_eq!(h.entries(), ["newest", "middle", "oldest"]);
        assert_eq!(h.older(""), Some("newest"));
        assert_eq!(h.older("newest"), Some("middle"));
        assert_eq!(h.older("middle"), Some("oldest"));
        assert_eq!(h.older("oldest"), None, "nothing older");
        assert_eq!(h.newer("oldest"), Some("middle"));
        assert_eq!(h.newer("middle"), Some("newest"));
        assert_eq!(h.newer("newest"), Some(""), "past the newest is an empty box");
        assert_eq!(h.newer(""), None);
        assert_eq!(h.older("my own words"), None, "typing is never replaced");
        assert_eq!(h.older("middle"), None, "an entry typed by hand is not a walk");
        h.push("middle");
        assert_eq!(h.entries(), ["middle", "newest", "oldest"]);
        assert_eq!(h.older(""), Some("middle"));
    }

    #[test]
    fn a_refusal_shows_until_the_text_changes() {
        let mut f = PromptForm::default();
        f.refuse("fox --ar 3:2", "banned word");
        f.text = "fox --ar 3:2 ".into();
        assert_eq!(f.refusal(), Some("banned word"));
        f.text = "fox --ar 3:1".into();
        assert_eq!(f.refusal(), None);
        f.text = "fox --ar 3:2".into();
        assert_eq!(f.refusal(), None, "cleared for good");
    }

    #[test]
    fn a_rejection_belongs_to_the_imagine_awaiting_an_answer() {
        let mut f = PromptForm::default();
        f.rejected("not mine");
        assert_eq!(f.refusal, None, "nothing awaited: not the prompt's refusal");
        f.awaiting = Some("fox".into());
        f.accepted("fox");
        f.rejected("a later action's problem");
        assert_eq!(f.refusal, None);
        f.awaiting = Some("fox".into());
        f.rejected("the prompt is too long");
        f.text = "fox".into();
        assert_eq!(f.refusal(), Some("the prompt is too long"));
    }
}
