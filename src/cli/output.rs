//! What the CLI prints, and waiting with a progress bar.
//!
//! Everything a gateway wrote (messages, prompts, seeds, action names, ids, links) is
//! printed through [`textsafe`]: one line, control characters shown as escapes, cut to a
//! readable length. `--json` output has the characters a terminal could act on escaped too.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::actions::ActionKind;
use crate::gateway::RequestPreview;
use crate::job::{Job, JobSnapshot, JobStatus};
use crate::manager::{JobManager, Update, Updates};
use crate::store::Store;
use crate::textsafe::{self, line as safe};

/// Prints JSON with every character a terminal could act on escaped.
fn print_json(text: &str) {
    println!("{}", textsafe::json_text(text));
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

/// Follows one job until the gateway has it (or, with `settle`, until it has ended and its
/// images are downloaded).
pub async fn wait_for(
    manager: &JobManager,
    updates: &mut Updates,
    id: &str,
    settle: bool,
    show: bool,
) -> Result<Job, String> {
    let pb = bar(show && settle);
    let mut job = manager.store().get_job(id).map_err(|e| e.to_string())?.ok_or("the job vanished from the store")?;
    let done = |j: &Job| {
        if settle {
            j.settled()
        } else {
            j.gateway_id.is_some() || j.status.is_terminal() || matches!(j.status, JobStatus::Unknown { .. })
        }
    };
    while !done(&job) {
        match updates.recv().await {
            Some(Update::Job(j)) if j.id == id => {
                job = (*j).clone();
                pb.set_position(job.status.progress().unwrap_or(0) as u64);
                let msg =
                    if job.status == JobStatus::Succeeded { "downloading".to_owned() } else { job.status.label() };
                pb.set_message(safe(&msg, 40));
            }
            Some(Update::Notice(n)) | Some(Update::Rejected { error: n, .. }) => note(&pb, &n.to_string()),
            Some(Update::KeyRefused { error, .. }) => note(&pb, &error.to_string()),
            Some(Update::Job(_) | Update::Accepted { .. }) => {}
            None => return Err("the job manager stopped".into()),
        }
    }
    pb.finish_and_clear();
    Ok(job)
}

/// Follows every job the manager drives until none is left.
pub async fn wait_all(manager: &JobManager, updates: &mut Updates, json: bool) -> Result<(), String> {
    let mut failed = 0;
    loop {
        match tokio::time::timeout(Duration::from_millis(200), updates.recv()).await {
            Ok(Some(Update::Job(j))) if j.settled() => {
                if matches!(j.status, JobStatus::Failed { .. } | JobStatus::Unknown { .. }) {
                    failed += 1;
                }
                if json {
                    print_json(&serde_json::to_string(&j).unwrap_or_default());
                } else {
                    println!("{}", line(&j));
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

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn line(j: &Job) -> String {
    let prompt = safe(j.prompt.as_deref().unwrap_or(""), 60);
    format!("{}  {:<10} {:<34} {}", short(&j.id), j.kind.label(), safe(&j.status.label(), 80), prompt)
}

pub fn list_jobs(store: &Store, limit: u32, json: bool) -> Result<(), String> {
    let jobs = store.jobs_page(0, limit).map_err(|e| e.to_string())?;
    if json {
        print_json(&serde_json::to_string_pretty(&jobs).map_err(|e| e.to_string())?);
    } else if jobs.is_empty() {
        println!("no jobs yet: try `mjdesk imagine \"a red fox\" --wait`");
    } else {
        println!("{:<8}  {:<10} {:<34} PROMPT", "ID", "KIND", "STATUS");
        for j in &jobs {
            println!("{}", line(j));
        }
    }
    Ok(())
}

/// The exact request; with --json in full, otherwise long base64 strings are shortened.
pub fn print_preview(p: &RequestPreview, json: bool) -> Result<(), String> {
    let mut value = serde_json::to_value(p).map_err(|e| e.to_string())?;
    if !json {
        shorten(&mut value);
    }
    print_json(&serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?);
    Ok(())
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
    println!("{}: {}{progress}", safe(&s.job_id, 80), safe(&s.raw_status, 120));
    if let Some(m) = s.message.as_deref().filter(|m| !m.is_empty()) {
        println!("  message: {}", textsafe::short_line(m));
    }
    for (i, u) in s.images.iter().enumerate() {
        println!("  image {}: {}", i + 1, textsafe::short_line(u));
    }
    if !s.actions.is_empty() {
        let actions: Vec<String> = s.actions.iter().map(|a| safe(a, 40)).collect();
        println!("  actions: {}", textsafe::short_line(&actions.join(" ")));
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
        JobStatus::Failed { reason } => Err(format!("job {} failed: {}", short(&job.id), textsafe::short_line(reason))),
        JobStatus::Unknown { reason } => Err(format!("job {}: {}", short(&job.id), textsafe::short_line(reason))),
        _ => Ok(()),
    }
}

fn print_job(job: &Job, copied: &[std::path::PathBuf]) {
    let gateway = job.gateway_id.as_deref().map(|g| format!(" (gateway id {})", safe(g, 80))).unwrap_or_default();
    println!("job {}{gateway}: {}", job.id, textsafe::short_line(&job.status.label()));
    if let Some(p) = &job.prompt {
        println!("  prompt:  {}", textsafe::short_line(p));
    }
    for (i, img) in job.result_images().iter().enumerate() {
        let place = match (&img.local_path, &img.error) {
            (_, Some(e)) => format!("{} ({})", safe(&img.url, 120), safe(e, 200)),
            (Some(p), _) => p.display().to_string(),
            _ => safe(&img.url, 200),
        };
        println!("  image {}: {place}", i + 1);
    }
    for p in copied {
        println!("  saved:   {}", p.display());
    }
    for (i, p) in job.prompts.iter().enumerate() {
        println!("  prompt {}: {}", i + 1, textsafe::short_line(p));
    }
    if let Some(seed) = job.seed.as_deref().filter(|s| !s.is_empty()) {
        println!("  seed:    {}", safe(seed, 80));
    }
    if !job.actions.is_empty() {
        let labels: Vec<String> =
            job.actions.iter().map(|a| format!("{} [{}]", ActionKind::parse(a).label(), safe(a, 40))).collect();
        println!("  actions: {}", safe(&labels.join(", "), 600));
        println!("  next:    mjdesk action {} {}", short(&job.id), shell_word(&job.actions[0]));
    } else if let JobStatus::Unknown { .. } = job.status {
        // Fetching cannot help: the gateway never gave an id for this job.
        println!("  retry:   mjdesk retry {}   (sends it again; it may be charged twice)", short(&job.id));
    } else if !job.status.is_terminal() {
        println!("  follow:  mjdesk fetch {} --wait", job.id);
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
        let dest = dir.join(format!("{}_{}.{ext}", short(&job.id), i + 1));
        std::fs::copy(src, &dest).map_err(|e| format!("{}: could not write ({e})", dest.display()))?;
        out.push(dest);
    }
    Ok(out)
}
