//! `mjdesk export`: the jobs named, liked or in a collection, exported into a folder by
//! [`crate::export::export_jobs`] (each image whole beside its sidecar), with a progress bar
//! on the terminal.

use std::sync::atomic::AtomicBool;

use indicatif::{ProgressBar, ProgressStyle};

use super::args::ExportArgs;
use super::library::{collection_named, resolve};
use crate::export::{Event, export_jobs, jobs_matching};
use crate::job::Job;
use crate::store::{JobFilter, Store};
use crate::textsafe::{self, line as safe};

pub fn export(store: &Store, args: ExportArgs) -> Result<(), String> {
    let dir = args.out.clone().ok_or("say where to write the images with --out DIR")?;
    let jobs = chosen(store, &args)?;
    let bar = progress(jobs.len());
    let never = AtomicBool::new(false);
    let result = export_jobs(store, &jobs, &dir, &never, |event| match event {
        Event::Progress(at) => bar.set_position(at.jobs as u64),
        Event::Note(text) => note(&bar, &text),
    });
    bar.finish_and_clear();
    let done = result.map_err(|e| e.to_string())?;
    outln!("exported {} image(s) of {} job(s) to {}", done.images, done.jobs, dir.display());
    Ok(())
}

/// The jobs named, then those --liked / --collection choose (newest first), each once.
fn chosen(store: &Store, args: &ExportArgs) -> Result<Vec<Job>, String> {
    if args.jobs.is_empty() && !args.liked && args.collection.is_none() {
        return Err("name the jobs to export, or choose them with --liked or --collection NAME".into());
    }
    let mut jobs = Vec::new();
    for id in &args.jobs {
        jobs.push(resolve(store, id)?);
    }
    if args.liked || args.collection.is_some() {
        let collection = match &args.collection {
            Some(name) => Some(collection_named(store, name)?.id),
            None => None,
        };
        let filter = JobFilter { liked: args.liked, collection, ..Default::default() };
        let (matching, skipped) = jobs_matching(store, &filter).map_err(|e| e.to_string())?;
        for line in skipped {
            eprintln!("note: skipped: {line}");
        }
        jobs.extend(matching);
    }
    let mut seen = std::collections::HashSet::new();
    jobs.retain(|j| seen.insert(j.id.clone()));
    if jobs.is_empty() {
        let what = match (args.liked, &args.collection) {
            (true, Some(c)) => format!("no liked job is in “{}”", safe(c.trim(), 100)),
            (true, None) => "no job is liked".to_owned(),
            (false, Some(c)) => format!("“{}” holds no job", safe(c.trim(), 100)),
            (false, None) => "no job chosen".to_owned(),
        };
        return Err(format!("nothing to export: {what}"));
    }
    Ok(jobs)
}

fn progress(jobs: usize) -> ProgressBar {
    if jobs < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(jobs as u64);
    if let Ok(style) = ProgressStyle::with_template("exporting {pos}/{len} jobs [{bar:30}] {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A note above the bar when it shows, else straight to stderr.
fn note(bar: &ProgressBar, text: &str) {
    let text = format!("note: {}", textsafe::short_line(text));
    if bar.is_hidden() { eprintln!("{text}") } else { bar.println(text) }
}
