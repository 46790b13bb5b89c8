//! What the CLI prints, and waiting with a progress bar.
//!
//! Everything a gateway wrote (messages, prompts, seeds, action names, ids, links) is
//! printed through [`textsafe`]: one line, control characters shown as escapes, cut to a
//! readable length. `--json` output has the characters a terminal could act on escaped too.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::actions::ActionKind;
use crate::gateway::RequestPreview;
use crate::job::short_id;
use crate::job::{Job, JobSnapshot, JobStatus};
use crate::manager::{JobManager, Update, Updates};
use crate::store::{JobFilter, Store};
use crate::textsafe::{self, line as safe};

/// Prints JSON with every character a terminal could act on escaped.
fn print_json(text: &str) {
    outln!("{}", textsafe::json_text(text));
}

/// A note while waiting: above the bar when it shows, else straight to stderr (a hidden
/// bar drops what it is given to print).
fn note(pb: &ProgressBar, text: &str) {
    let text = format!("note: {}", textsafe::short_line(text));
    if pb.is_hidden() { eprintln!("{text}") } else { pb.println(text) }
}

fn bar(show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(100);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg:28} [{bar:30}] {pos:>3}% {elapsed}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// How often a waiter reads the job from the store when no update arrives: whichever
/// process drives the job, the store has its end.
const RECHECK: Duration = Duration::from_secs(1);

/// Follows one job until the gateway has it (or, with `settle`, until it has ended and its
/// images are downloaded), whichever process drives it. A job left queued locally at its
/// deadline (the gateway refused it as busy until then) ends the wait with an error.
pub async fn wait_for(
    manager: &JobManager,
    updates: &mut Updates,
    id: &str,
    settle: bool,
    show: bool,
) -> Result<Job, String> {
    let pb = bar(show && settle);
    let read = || -> Result<Job, String> {
        manager.store().get_job(id).map_err(|e| e.to_string())?.ok_or_else(|| "the job vanished from the store".into())
    };
    let mut job = read()?;
    let done = |j: &Job| {
        if settle {
            // A job still driven here may be about to download again what failed before.
            j.settled() && !manager.is_driving(id)
        } else {
            j.gateway_id.is_some() || j.status.is_terminal() || matches!(j.status, JobStatus::Unknown { .. })
        }
    };
    let mut said: Option<String> = None;
    loop {
        if let Some(why) = still_queued(&job, manager.is_driving(id)) {
            pb.finish_and_clear();
            return Err(why);
        }
        if done(&job) {
            break;
        }
        // A queued job's busy wait is said once per change, even with no bar.
        if job.status == JobStatus::QueuedLocally && job.raw_status.is_some() && job.raw_status != said {
            said.clone_from(&job.raw_status);
            note(&pb, &format!("job {}: {}", short_id(id), job.raw_status.as_deref().unwrap_or_default()));
        }
        match tokio::time::timeout(RECHECK, updates.recv()).await {
            Ok(Some(Update::Job(j))) if j.id == id => {
                job = (*j).clone();
                pb.set_position(job.status.progress().unwrap_or(0) as u64);
                let msg =
                    if job.status == JobStatus::Succeeded { "downloading".to_owned() } else { job.status.label() };
                pb.set_message(safe(&msg, 40));
            }
            Ok(Some(Update::Notice(n)) | Some(Update::Rejected { error: n, .. })) => note(&pb, &n.to_string()),
            Ok(Some(Update::KeyRefused { error, .. })) => note(&pb, &error.to_string()),
            Ok(Some(Update::Job(_) | Update::Accepted { .. } | Update::Account(_))) => {}
            Ok(None) => return Err("the job manager stopped".into()),
            Err(_) if !manager.is_driving(id) => {
                job = read()?;
                let past_deadline = job.deadline_at.is_some_and(|d| d < crate::job::now_ms());
                let orphaned = (job.status == JobStatus::Submitting && job.gateway_id.is_none())
                    || (job.status == JobStatus::Succeeded && !job.settled())
                    || (job.gateway_id.is_some() && !job.status.is_terminal() && past_deadline);
                if orphaned {
                    // Nobody seems to finish it (the process driving it may have died): a
                    // submit whose claim is abandoned becomes unknown, a job past its deadline
                    // is ended, missing images are downloaded here.
                    let _ = manager.follow(id).await;
                    job = read()?;
                }
            }
            Err(_) => {}
        }
    }
    pb.finish_and_clear();
    Ok(job)
}

/// The error for a job nobody here drives that was left queued locally at its deadline.
fn still_queued(job: &Job, driving: bool) -> Option<String> {
    let passed = job.deadline_at.is_some_and(|d| d <= crate::job::now_ms());
    if driving || job.status != JobStatus::QueuedLocally || !passed {
        return None;
    }
    Some(format!(
        "job {} is still queued locally: its deadline passed before the gateway took it; \
         nothing is lost, `mjdesk resume` sends it later",
        short_id(&job.id)
    ))
}

/// Follows every job the manager drives until none is left.
pub async fn wait_all(manager: &JobManager, updates: &mut Updates, json: bool) -> Result<(), String> {
    let mut failed = 0;
    // a job can be saved more than once as it settles; it is told (and counted) once
    let mut told = std::collections::HashSet::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(200), updates.recv()).await {
            Ok(Some(Update::Job(j))) if j.settled() && told.insert(j.id.clone()) => {
                if matches!(j.status, JobStatus::Failed { .. } | JobStatus::Unknown { .. }) {
                    failed += 1;
                }
                if json {
                    print_json(&serde_json::to_string(&j).unwrap_or_default());
                } else {
                    outln!("{}", line(&j));
                }
            }
            Ok(Some(Update::Notice(n))) => eprintln!("note: {}", textsafe::short_line(&n.to_string())),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) if manager.live_jobs() == 0 => break,
            Err(_) => {}
        }
    }
    if failed > 0 { Err(format!("{failed} job(s) did not succeed")) } else { Ok(()) }
}

fn line(j: &Job) -> String {
    let prompt = safe(j.prompt.as_deref().unwrap_or(""), 60);
    format!("{}  {:<10} {:<34} {}", short_id(&j.id), j.kind.label(), safe(&j.status.label(), 80), prompt)
}

/// The newest `limit` jobs `filter` admits; a liked or rated job's line ends with its marks.
pub fn list_jobs(store: &Store, filter: &JobFilter, limit: u32, json: bool) -> Result<(), String> {
    let page = store.summaries(filter, 0, limit).map_err(|e| e.to_string())?;
    let mut skipped = page.unreadable;
    let mut jobs = Vec::with_capacity(page.rows.len());
    let mut marks = Vec::with_capacity(page.rows.len());
    for row in &page.rows {
        match store.get_job(&row.id) {
            Ok(Some(job)) => {
                jobs.push(job);
                marks.push((row.liked, row.rating));
            }
            Ok(None) => {}
            Err(e) => skipped.push(e),
        }
    }
    for e in &skipped {
        eprintln!("note: skipped: {}", textsafe::short_line(&e.to_string()));
    }
    if json {
        print_json(&serde_json::to_string_pretty(&jobs).map_err(|e| e.to_string())?);
    } else if jobs.is_empty() && *filter == JobFilter::default() {
        outln!("no jobs yet: try `mjdesk imagine \"a red fox\" --wait`");
    } else if jobs.is_empty() {
        outln!("no job matches");
    } else {
        outln!("{:<8}  {:<10} {:<34} PROMPT", "ID", "KIND", "STATUS");
        for (j, (liked, rating)) in jobs.iter().zip(marks) {
            let heart = if liked { "  ♥" } else { "" };
            let stars = rating.map(|n| format!("  {}", "★".repeat(n.into()))).unwrap_or_default();
            outln!("{}{heart}{stars}", line(j));
        }
    }
    Ok(())
}

/// The exact request; with --json in full, otherwise long base64 strings are shortened.
///
/// Written straight from the preview: a body holding a base64 image (megabytes) is not
/// copied into another JSON tree first.
pub fn print_preview(mut p: RequestPreview, json: bool) -> Result<(), String> {
    if !json && let Some(body) = &mut p.body {
        shorten(body);
    }
    // written into a buffer sized up front: no regrowing (and copying) of megabytes
    let mut text = Vec::with_capacity(p.body.as_ref().map_or(0, text_len) + 4096);
    serde_json::to_writer_pretty(&mut text, &p).map_err(|e| e.to_string())?;
    print_json(&String::from_utf8(text).map_err(|e| e.to_string())?);
    Ok(())
}

/// The bytes of the strings in `v`: about the size of its JSON text when they dominate.
fn text_len(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) => s.len(),
        serde_json::Value::Array(a) => a.iter().map(text_len).sum(),
        serde_json::Value::Object(o) => o.iter().map(|(k, v)| k.len() + text_len(v)).sum(),
        _ => 0,
    }
}

fn shorten(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if s.len() > 200 => {
            *s = format!("{}… ({} characters; --json prints it whole)", &s[..60], s.len());
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(shorten),
        serde_json::Value::Object(o) => o.values_mut().for_each(shorten),
        _ => {}
    }
}

pub fn print_snapshot(s: &JobSnapshot, json: bool) -> Result<(), String> {
    if json {
        print_json(&serde_json::to_string_pretty(s).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let progress = s.progress.map(|p| format!(" {p}%")).unwrap_or_default();
    outln!("{}: {}{progress}", safe(&s.job_id, 80), safe(&s.raw_status, 120));
    if let Some(m) = s.message.as_deref().filter(|m| !m.is_empty()) {
        outln!("  message: {}", textsafe::short_line(m));
    }
    for (i, u) in s.images.iter().enumerate() {
        outln!("  image {}: {}", i + 1, textsafe::short_line(u));
    }
    if !s.actions.is_empty() {
        let actions: Vec<String> = s.actions.iter().map(|a| safe(a, 40)).collect();
        outln!("  actions: {}", textsafe::short_line(&actions.join(" ")));
    }
    Ok(())
}

/// Prints the outcome, copies images to --out, and turns a failed job into an error.
pub fn finish(job: &Job, out: Option<&std::path::Path>, json: bool) -> Result<(), String> {
    let copied = match out {
        Some(dir) if job.status == JobStatus::Succeeded => copy_out(job, dir)?,
        _ => Vec::new(),
    };
    if json {
        print_json(&serde_json::to_string_pretty(job).map_err(|e| e.to_string())?);
    } else {
        print_job(job, &copied);
    }
    match &job.status {
        JobStatus::Failed { reason } => {
            Err(format!("job {} failed: {}", short_id(&job.id), textsafe::short_line(reason)))
        }
        JobStatus::Unknown { reason } => Err(format!("job {}: {}", short_id(&job.id), textsafe::short_line(reason))),
        JobStatus::Succeeded => unsaved(job),
        _ => Ok(()),
    }
}

/// A succeeded job whose images could not all be kept is not a success on the command line:
/// the first reason, and how to try again.
fn unsaved(job: &Job) -> Result<(), String> {
    let images = job.result_images();
    let failed: Vec<&&crate::job::JobImage> =
        images.iter().filter(|i| i.local_path.as_ref().is_none_or(|p| !p.exists())).collect();
    let Some(first) = failed.first() else { return Ok(()) };
    let reason = first.error.as_deref().unwrap_or("it was not downloaded");
    Err(format!(
        "job {} succeeded but {} of {} image(s) could not be saved: {}; `mjdesk fetch {}` tries again",
        short_id(&job.id),
        failed.len(),
        images.len(),
        textsafe::short_line(reason),
        short_id(&job.id)
    ))
}

fn print_job(job: &Job, copied: &[std::path::PathBuf]) {
    let gateway = job.gateway_id.as_deref().map(|g| format!(" (gateway id {})", safe(g, 80))).unwrap_or_default();
    outln!("job {}{gateway}: {}", job.id, textsafe::short_line(&job.status.label()));
    if let Some(p) = &job.prompt {
        outln!("  prompt:  {}", textsafe::short_line(p));
    }
    for (i, img) in job.result_images().iter().enumerate() {
        let place = match (&img.local_path, &img.error) {
            (_, Some(e)) => format!("{} ({})", safe(&img.url, 120), safe(e, 200)),
            (Some(p), _) => p.display().to_string(),
            _ => safe(&img.url, 200),
        };
        let what = if job.kind.is_video() { "clip" } else { "image" };
        outln!("  {what} {}: {place}", i + 1);
    }
    for p in copied {
        outln!("  saved:   {}", p.display());
    }
    for (i, p) in job.prompts.iter().enumerate() {
        outln!("  prompt {}: {}", i + 1, textsafe::short_line(p));
    }
    if let Some(seed) = job.seed.as_deref().filter(|s| !s.is_empty()) {
        outln!("  seed:    {}", safe(seed, 80));
    }
    if !job.actions.is_empty() {
        let labels: Vec<String> =
            job.actions.iter().map(|a| format!("{} [{}]", ActionKind::parse(a).label(), safe(a, 40))).collect();
        outln!("  actions: {}", safe(&labels.join(", "), 600));
        outln!("  next:    mjdesk action {} {}", short_id(&job.id), shell_word(&job.actions[0]));
    } else if let JobStatus::Unknown { .. } = job.status {
        // Fetching cannot help: the gateway never gave an id for this job.
        outln!("  retry:   mjdesk retry {}   (sends it again; it may be charged twice)", short_id(&job.id));
    } else if !job.status.is_terminal() {
        outln!("  follow:  mjdesk fetch {} --wait", job.id);
    }
}

/// An action name as a word to paste into a shell: as it is when it is plain, quoted (and
/// made safe) otherwise.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')) {
        s.to_owned()
    } else {
        format!("'{}'", safe(s, 40).replace('\'', "'\\''"))
    }
}

fn copy_out(job: &Job, dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: could not create the folder ({e})", dir.display()))?;
    let mut out = Vec::new();
    for (i, img) in job.result_images().iter().enumerate() {
        let Some(src) = &img.local_path else { continue };
        let ext = src.extension().and_then(|e| e.to_str()).unwrap_or("png");
        let dest = dir.join(format!("{}_{}.{ext}", short_id(&job.id), i + 1));
        std::fs::copy(src, &dest).map_err(|e| format!("{}: could not write ({e})", dest.display()))?;
        out.push(dest);
    }
    Ok(out)
}
