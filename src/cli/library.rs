//! `mjdesk like`, `rate`, `collection` and the filters of `mjdesk jobs`: the library on the
//! command line. Every value is checked before anything is written, so a bad one is one clear
//! line and changes nothing.

use super::args::{CollectionAction, FilterArgs};
use crate::dates;
use crate::intent::find_job;
use crate::job::{Job, Provider, short_id};
use crate::store::{Collection, JobFilter, LibraryError, Store, check_collection_name, parse_rating};
use crate::textsafe::{self, line as safe};

/// The job `id` names (ours, the gateway's, or 8 characters of either), as other commands
/// find it.
pub fn resolve(store: &Store, id: &str) -> Result<Job, String> {
    find_job(store, Provider::Ttapi, id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no job '{}' here; `mjdesk jobs` lists them", safe(id, 80)))
}

fn describe(job: &Job) -> String {
    let prompt = job.prompt.as_deref().map(|p| format!("  {}", safe(p, 60))).unwrap_or_default();
    format!("{}{prompt}", short_id(&job.id))
}

fn refused(e: LibraryError) -> String {
    e.to_string()
}

pub fn like(store: &Store, id: &str, off: bool) -> Result<(), String> {
    let job = resolve(store, id)?;
    let liked = if off {
        store.set_liked(&job.id, false).map_err(refused)?;
        false
    } else {
        store.toggle_liked(&job.id).map_err(refused)?
    };
    outln!("{} {}", if liked { "liked" } else { "unliked" }, describe(&job));
    Ok(())
}

pub fn rate(store: &Store, id: &str, stars: Option<&str>, clear: bool) -> Result<(), String> {
    // The number is checked before the job is looked for: `mjdesk rate JOB 6` names the 6.
    let stars = match (stars, clear) {
        (_, true) => None,
        (Some(text), false) => Some(parse_rating(text).map_err(refused)?),
        (None, false) => return Err("give a rating from 1 to 5 stars, or --clear".into()),
    };
    let job = resolve(store, id)?;
    store.set_rating(&job.id, stars).map_err(refused)?;
    match stars {
        Some(n) => outln!("rated {n} of 5: {}", describe(&job)),
        None => outln!("rating taken back: {}", describe(&job)),
    }
    Ok(())
}

/// The collection `name` names, or the error saying there is none.
pub fn collection_named(store: &Store, name: &str) -> Result<Collection, String> {
    store
        .collection_named(name)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{}; `mjdesk collection list` shows them", LibraryError::NoSuchCollection(quote(name))))
}

/// A name as typed, made safe to print.
fn quote(name: &str) -> String {
    safe(name.trim(), 100)
}

fn resolve_all(store: &Store, ids: &[String]) -> Result<Vec<Job>, String> {
    ids.iter().map(|id| resolve(store, id)).collect()
}

pub fn collection(store: &Store, action: CollectionAction) -> Result<(), String> {
    match action {
        CollectionAction::List { json } => list(store, json),
        CollectionAction::Create { name } => {
            let made = store.create_collection(&name).map_err(refused)?;
            outln!("made the collection “{}”", quote(&made.name));
            Ok(())
        }
        CollectionAction::Add { name, jobs } => {
            check_collection_name(&name).map_err(refused)?;
            let jobs = resolve_all(store, &jobs)?;
            let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
            let done = store.add_to_collection_named(&name, &ids).map_err(refused)?;
            let made = if done.created { "made it and " } else { "" };
            outln!(
                "{made}added {} job(s) to “{}”; it holds {}",
                done.added,
                quote(&done.collection.name),
                done.collection.jobs
            );
            Ok(())
        }
        CollectionAction::Remove { name, jobs } => {
            let found = collection_named(store, &name)?;
            let jobs = resolve_all(store, &jobs)?;
            let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
            let removed = store.remove_from_collection(found.id, &ids).map_err(refused)?;
            let absent = ids.len() as u64 - removed.min(ids.len() as u64);
            let note = if absent > 0 { format!(" ({absent} were not in it)") } else { String::new() };
            outln!("took {removed} job(s) out of “{}”{note}", quote(&found.name));
            Ok(())
        }
        CollectionAction::Rename { old, new } => {
            let found = collection_named(store, &old)?;
            let renamed = store.rename_collection(found.id, &new).map_err(refused)?;
            outln!("renamed “{}” to “{}”", quote(&found.name), quote(&renamed.name));
            Ok(())
        }
        CollectionAction::Delete { name } => {
            let found = collection_named(store, &name)?;
            let held = store.delete_collection(found.id).map_err(refused)?;
            outln!("deleted “{}”; its {held} job(s) are kept", quote(&found.name));
            Ok(())
        }
    }
}

fn list(store: &Store, json: bool) -> Result<(), String> {
    let all = store.collections().map_err(|e| e.to_string())?;
    if json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|c| serde_json::json!({ "name": c.name, "jobs": c.jobs, "created_at": c.created_at }))
            .collect();
        let text = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
        outln!("{}", textsafe::json_text(&text));
    } else if all.is_empty() {
        outln!("no collections yet: try `mjdesk collection add NAME JOB`");
    } else {
        outln!("{:>5}  NAME", "JOBS");
        for c in &all {
            outln!("{:>5}  {}", c.jobs, quote(&c.name));
        }
    }
    Ok(())
}

/// The filter `mjdesk jobs` was given, every value checked.
pub fn filter_of(store: &Store, a: &FilterArgs) -> Result<JobFilter, String> {
    let mut f = JobFilter { text: a.search.clone().unwrap_or_default(), liked: a.liked, ..Default::default() };
    if let Some(n) = &a.rating {
        f.min_rating = Some(parse_rating(n).map_err(refused)?);
    }
    if let Some(name) = &a.collection {
        f.collection = Some(collection_named(store, name)?.id);
    }
    if let Some(ar) = &a.ar {
        f.aspect = Some(aspect(ar)?);
    }
    if let Some(m) = &a.model {
        f.model = Some(model(m)?);
    }
    if let Some(m) = &a.mode {
        f.mode = Some(match m.trim().to_ascii_lowercase().as_str() {
            "default" | "none" => None,
            word @ ("fast" | "relax" | "turbo") => Some(word.to_owned()),
            _ => return Err(format!("--mode is fast, relax, turbo or default, not “{}”", safe(m, 40))),
        });
    }
    if let Some(p) = &a.provider {
        f.provider = Some(Provider::parse(p.trim()).ok_or_else(|| {
            format!("--provider is ttapi, acedata or vtrix (the simulator's jobs are ttapi's), not “{}”", safe(p, 40))
        })?);
    }
    let day = |flag: &str, text: &str, read: fn(&str) -> Option<i64>| {
        read(text).ok_or_else(|| format!("{flag} takes a day like 2025-03-31, not “{}”", safe(text, 40)))
    };
    f.since = a.since.as_deref().map(|d| day("--since", d, dates::day_start)).transpose()?;
    f.until = a.until.as_deref().map(|d| day("--until", d, dates::day_end)).transpose()?;
    if let (Some(since), Some(until)) = (f.since, f.until)
        && until <= since
    {
        return Err("the --until day is before the --since day".into());
    }
    Ok(f)
}

/// `16:9` as prompts write it: two whole numbers above 0.
fn aspect(text: &str) -> Result<String, String> {
    let t = text.trim();
    let whole = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.bytes().any(|b| b != b'0');
    match t.split_once(':') {
        Some((w, h)) if whole(w) && whole(h) => Ok(t.to_owned()),
        _ => Err(format!("--ar takes a ratio like 16:9, not “{}”", safe(text, 40))),
    }
}

/// A model version as the store keeps it: `7`, `6.1` (a leading `v` is fine), `niji 6`,
/// `niji`; None for `default`.
fn model(text: &str) -> Result<Option<String>, String> {
    let t = text.trim().to_ascii_lowercase();
    let number = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    if t == "default" || t == "none" {
        return Ok(None);
    }
    if let Some(rest) = t.strip_prefix("niji") {
        let rest = rest.trim();
        if rest.is_empty() {
            return Ok(Some("niji".into()));
        }
        if number(rest) {
            return Ok(Some(format!("niji {rest}")));
        }
    }
    let v = t.strip_prefix('v').unwrap_or(&t).trim();
    if number(v) {
        return Ok(Some(v.to_owned()));
    }
    Err(format!("--model is a version like 7, 6.1, niji 6 or default, not “{}”", safe(text, 40)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_values_are_read_or_refused_in_one_line() {
        assert_eq!(aspect(" 16:9 ").unwrap(), "16:9");
        for bad in ["16x9", "0:1", "16:", ":9", "a:b"] {
            assert!(aspect(bad).unwrap_err().starts_with("--ar takes a ratio like 16:9"), "{bad}");
        }
        assert_eq!(model("v6.1").unwrap().as_deref(), Some("6.1"));
        assert_eq!(model("7").unwrap().as_deref(), Some("7"));
        assert_eq!(model("Niji6").unwrap().as_deref(), Some("niji 6"));
        assert_eq!(model("niji 6").unwrap().as_deref(), Some("niji 6"));
        assert_eq!(model("niji").unwrap().as_deref(), Some("niji"));
        assert_eq!(model("default").unwrap(), None);
        assert!(model("raw").is_err() && model("v").is_err() && model("niji x").is_err());
    }
}
