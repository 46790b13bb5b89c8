//! The library from the command line, as a designer uses it: likes, ratings, collections,
//! the `jobs` filters and `export`, with the real binary against the simulator.

use std::path::{Path, PathBuf};
use std::process::Output;

use image::RgbaImage;
use mjdesk::sim::SimConfig;
use mjdesk::store::Store;
use serde_json::Value;

use crate::cli::{mjdesk, text};
use crate::common::*;

/// Runs the CLI; the exit status, stdout and stderr.
fn run(home: &Path, args: &[&str]) -> (bool, String, String) {
    let out: Output = mjdesk(home).args(args).output().unwrap();
    let (o, e) = text(&out);
    assert!(!e.contains("panicked"), "{args:?}: {e}");
    (out.status.success(), o, e)
}

/// Runs the CLI and expects it to refuse in one line naming `expected`, with exit code 1.
fn refused(home: &Path, args: &[&str], expected: &str) {
    let out = mjdesk(home).args(args).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail; stdout {stdout}, stderr {stderr}");
    assert!(stderr.contains(expected), "{args:?}: expected '{expected}' in: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: one line, got: {stderr}");
}

/// A finished job made through the CLI: its JSON.
fn made(home: &Path, base: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--provider", "ttapi", "--base-url", base, "--wait", "--json"]);
    let (ok, stdout, stderr) = run(home, &all);
    assert!(ok, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).expect("job JSON")
}

fn id(job: &Value) -> String {
    job["id"].as_str().unwrap().to_owned()
}

/// The ids `mjdesk jobs ARGS --json` lists.
fn listed(home: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["jobs", "--json"];
    all.extend(args);
    let (ok, stdout, stderr) = run(home, &all);
    assert!(ok, "{args:?}: {stderr}");
    let jobs: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let mut ids: Vec<String> = jobs.iter().map(id).collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn today() -> String {
    let out = std::process::Command::new("date").args(["-u", "+%F"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn likes_ratings_collections_and_filters_from_the_command_line() {
    let server = sim(SimConfig::instant()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let fox = id(&made(h, &base, &["imagine", "a red fox --ar 16:9 --v 7"]));
    let whale = id(&made(h, &base, &["imagine", "a blue whale --ar 2:3 --niji 6 --relax"]));
    let forest = id(&made(h, &base, &["imagine", "a green forest"]));

    // Likes toggle; --off takes one back whatever it was.
    let (ok, out, _) = run(h, &["like", &fox[..8]]);
    assert!(ok && out.starts_with("liked") && out.contains("a red fox"), "{out}");
    assert!(run(h, &["like", &fox]).1.starts_with("unliked"));
    assert!(run(h, &["like", &fox]).1.starts_with("liked"));
    assert!(run(h, &["like", &whale, "--off"]).1.starts_with("unliked"));
    assert!(run(h, &["rate", &fox[..8], "5"]).0);
    assert!(run(h, &["rate", &whale, "3"]).0);
    for bad in ["0", "6", "-1", "lots"] {
        refused(h, &["rate", &whale, bad], "a rating is 1 to 5 stars");
    }
    refused(h, &["rate", "nosuchjob", "3"], "no job 'nosuchjob' here");
    refused(h, &["like", "nosuchjob"], "no job 'nosuchjob' here");
    let store = Store::open(&h.join("data")).unwrap();
    assert_eq!(store.marks(&whale).unwrap().rating, Some(3), "a refused rating changed nothing");
    drop(store);

    // Collections: made on first use, names compared ignoring case, one clear line for a bad one.
    assert!(run(h, &["collection", "add", "Mood board", &fox[..8], &whale]).1.contains("made it and added 2 job(s)"));
    assert!(
        run(h, &["collection", "add", "  mood BOARD ", &forest])
            .1
            .contains("added 1 job(s) to “Mood board”; it holds 3")
    );
    refused(h, &["collection", "add", "   ", &fox], "a collection needs a name");
    refused(h, &["collection", "add", &"n".repeat(101), &fox], "at most 100 characters; this one has 101");
    refused(h, &["collection", "add", "Sea", &fox, "nosuchjob"], "no job 'nosuchjob' here");
    refused(h, &["collection", "remove", "Nowhere", &fox], "there is no collection named “Nowhere”");
    assert!(run(h, &["collection", "create", "Sea"]).0);
    refused(h, &["collection", "create", "SEA"], "there is already a collection named “Sea”");
    refused(h, &["collection", "rename", "mood board", "sea"], "there is already a collection named “Sea”");
    assert!(run(h, &["collection", "rename", "mood board", "Birds"]).1.contains("renamed “Mood board” to “Birds”"));
    assert!(run(h, &["collection", "remove", "birds", &forest]).1.contains("took 1 job(s) out of “Birds”"));
    assert!(run(h, &["collection", "delete", "sea"]).1.contains("deleted “Sea”"));
    let (_, out, _) = run(h, &["collection", "list"]);
    assert!(out.contains("    2  Birds") && !out.contains("Sea") && !out.contains("Mood"), "{out}");
    let (_, out, _) = run(h, &["collection", "list", "--json"]);
    let list: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!((list.len(), list[0]["name"].as_str(), list[0]["jobs"].as_u64()), (1, Some("Birds"), Some(2)));

    // The filters of `jobs`, alone and combined.
    assert_eq!(listed(h, &["--liked"]), std::slice::from_ref(&fox));
    assert_eq!(listed(h, &["--ar", "16:9"]), std::slice::from_ref(&fox));
    assert_eq!(listed(h, &["--ar", "1:1"]), std::slice::from_ref(&forest));
    assert_eq!(listed(h, &["--collection", "BIRDS"]), sorted(&[&fox, &whale]));
    assert_eq!(listed(h, &["--rating", "4"]), std::slice::from_ref(&fox));
    assert_eq!(listed(h, &["--rating", "3", "--collection", "birds", "--ar", "2:3"]), std::slice::from_ref(&whale));
    assert_eq!(listed(h, &["--model", "niji 6"]), std::slice::from_ref(&whale));
    assert_eq!(listed(h, &["--model", "v7", "--liked"]), std::slice::from_ref(&fox));
    assert_eq!(listed(h, &["--model", "default"]), std::slice::from_ref(&forest));
    assert_eq!(listed(h, &["--mode", "relax"]), std::slice::from_ref(&whale));
    assert_eq!(listed(h, &["--search", "whale", "--provider", "ttapi"]), std::slice::from_ref(&whale));
    let day = today();
    assert_eq!(listed(h, &["--since", &day, "--until", &day]), sorted(&[&fox, &whale, &forest]));
    assert!(listed(h, &["--until", "2001-01-01"]).is_empty());
    assert!(listed(h, &["--provider", "vtrix"]).is_empty());
    let (_, out, _) = run(h, &["jobs", "--liked"]);
    assert!(out.contains("a red fox") && out.contains("♥  ★★★★★") && !out.contains("whale"), "{out}");
    for (args, expected) in [
        (vec!["jobs", "--rating", "0"], "a rating is 1 to 5 stars; 0 is not one"),
        (vec!["jobs", "--ar", "16x9"], "--ar takes a ratio like 16:9"),
        (vec!["jobs", "--since", "yesterday"], "--since takes a day like 2025-03-31"),
        (vec!["jobs", "--since", "2025-02-01", "--until", "2025-01-01"], "the --until day is before the --since day"),
        (vec!["jobs", "--collection", "nope"], "there is no collection named “nope”"),
        (vec!["jobs", "--provider", "sim"], "--provider is ttapi, acedata or vtrix"),
        (vec!["jobs", "--model", "raw"], "--model is a version like 7"),
        (vec!["jobs", "--mode", "slow"], "--mode is fast, relax, turbo or default"),
    ] {
        refused(h, &args, expected);
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

fn local_paths(job: &Value) -> Vec<PathBuf> {
    job["images"].as_array().unwrap().iter().map(|i| PathBuf::from(i["local_path"].as_str().unwrap())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn export_writes_each_image_with_a_sidecar_and_refuses_a_folder_it_cannot_write() {
    let server = sim(SimConfig::instant()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let grid = made(h, &base, &["imagine", "a stone bridge --ar 3:2 --v 6.1"]);
    let up = made(h, &base, &["action", grid["id"].as_str().unwrap(), "U2"]);
    let before = image::open(&local_paths(&up)[0]).unwrap();
    let (w, hgt) = (before.width(), before.height());
    let mask = RgbaImage::from_fn(w, hgt, |x, _| image::Rgba(if x < w / 4 { [255; 4] } else { [0, 0, 0, 255] }));
    std::fs::write(h.join("mask.png"), png(&mask)).unwrap();
    let edit = made(h, &base, &["inpaint", &id(&up), "--mask", "mask.png", "--prompt", "a swan --ar 3:2"]);
    assert!(run(h, &["like", &id(&edit)]).0);
    assert!(run(h, &["rate", &id(&edit), "4"]).0);
    assert!(run(h, &["collection", "add", "Bridges", &id(&edit), &id(&grid)]).0);

    let (ok, out, err) = run(h, &["export", "--liked", "--out", "liked"]);
    assert!(ok, "{err}");
    let sources = local_paths(&edit);
    assert!(out.contains(&format!("exported {} image(s) of 1 job(s)", sources.len())), "{out}");
    let files = files_in(&h.join("liked"));
    assert_eq!(files.len(), sources.len() * 2, "an image and a sidecar each: {files:?}");
    let short = &id(&edit)[..8];
    for (n, source) in sources.iter().enumerate() {
        let name = format!("a-swan_{short}_{}.png", n + 1);
        assert_eq!(std::fs::read(h.join("liked").join(&name)).unwrap(), std::fs::read(source).unwrap(), "{name}");
        let sidecar: Value =
            serde_json::from_slice(&std::fs::read(h.join("liked").join(name.replace(".png", ".json"))).unwrap())
                .unwrap();
        assert_eq!(sidecar["file"], name.as_str());
        assert_eq!(sidecar["prompt"], "a swan --ar 3:2");
        assert_eq!(sidecar["parameters"]["ar"], "3:2");
        assert_eq!(sidecar["aspect_ratio"], "3:2");
        assert_eq!(sidecar["gateway"]["provider"], "ttapi");
        assert_eq!(sidecar["job_id"], edit["id"]);
        assert_eq!(sidecar["gateway_job_id"], edit["gateway_id"]);
        assert_eq!(sidecar["parent"]["job_id"], up["id"], "the upscale it repainted");
        assert_eq!(sidecar["parent"]["gateway_job_id"], up["gateway_id"]);
        assert_eq!(
            (sidecar["mask"]["width"].as_u64(), sidecar["mask"]["height"].as_u64()),
            (Some(w.into()), Some(hgt.into()))
        );
        let painted = sidecar["mask"]["painted_pixels"].as_u64().unwrap();
        assert_eq!(painted, u64::from(w / 4) * u64::from(hgt), "the painted area, not the bytes");
        assert!(sidecar["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(sidecar["finished_at"].as_str().is_some());
        assert_eq!((sidecar["liked"].as_bool(), sidecar["rating"].as_u64()), (Some(true), Some(4)));
        assert_eq!(sidecar["collections"][0], "Bridges");
    }
    // Jobs named, and a collection; each job once.
    let (ok, out, err) = run(h, &["export", &id(&grid)[..8], "--collection", "bridges", "--out", "bridges"]);
    assert!(ok, "{err}");
    let images = local_paths(&grid).len() + sources.len();
    assert!(out.contains(&format!("exported {images} image(s) of 2 job(s)")), "{out}");
    assert_eq!(files_in(&h.join("bridges")).len(), images * 2);

    refused(h, &["export", "--out", "x"], "name the jobs to export, or choose them with --liked or --collection NAME");
    refused(h, &["export", "--liked"], "say where to write the images with --out DIR");
    refused(h, &["export", "--collection", "nope", "--out", "x"], "there is no collection named “nope”");
    refused(h, &["export", "nosuchjob", "--out", "x"], "no job 'nosuchjob' here");
    assert!(!h.join("x").exists(), "a refused export makes no folder");
    // A folder that cannot be made (a file is in the way), and, unless running as root (who may
    // write anywhere), one that may not be written.
    std::fs::write(h.join("notes.txt"), "mine").unwrap();
    refused(h, &["export", "--liked", "--out", "notes.txt/out"], "cannot write to the folder notes.txt/out");
    assert_eq!(std::fs::read_to_string(h.join("notes.txt")).unwrap(), "mine");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = h.join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(locked.join("probe"), "x").is_err() {
            refused(
                h,
                &["export", "--liked", "--out", "locked"],
                "cannot write to the folder locked: permission denied",
            );
            assert!(files_in(&locked).is_empty());
        }
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A limit on file size (with SIGXFSZ ignored, so writes fail instead of killing the process)
/// stands in for a disk filling up midway: the simulator's 3:1 images fit under it, its 1:1
/// images do not.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_write_failing_midway_stops_with_one_line_and_keeps_every_file_already_exported() {
    // Full-size grids: the limit must stay above what SQLite itself writes (its 32 KiB index).
    let server = sim(SimConfig { grid_size: 1024, ..SimConfig::instant() }).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let small = made(h, &base, &["imagine", "a tin robot --ar 3:1"]);
    let large = made(h, &base, &["imagine", "a tin robot --ar 1:1"]);
    let (small_files, large_files) = (local_paths(&small), local_paths(&large));
    let size = |f: &PathBuf| std::fs::metadata(f).unwrap().len();
    let biggest_small = small_files.iter().map(size).max().unwrap();
    let smallest_large = large_files.iter().map(size).min().unwrap();
    // bash counts -f in KiB; a limit halfway, with room for the sidecars under it.
    let limit_kib = (biggest_small + smallest_large) / 2 / 1024;
    assert!(
        limit_kib >= 64 && biggest_small + 4096 < limit_kib * 1024 && limit_kib * 1024 < smallest_large,
        "sizes {biggest_small} and {smallest_large}"
    );
    let script = format!("trap '' XFSZ; ulimit -f {limit_kib}; exec \"$MJDESK_BIN\" \"$@\"");
    let out = std::process::Command::new("bash")
        .args(["-c", &script, "bash", "export", &id(&small), &id(&large), "--out", "out"])
        .env("MJDESK_BIN", env!("CARGO_BIN_EXE_mjdesk"))
        .env("MJDESK_DATA_DIR", h.join("data"))
        .env("MJDESK_CONFIG_DIR", h.join("config"))
        .current_dir(h)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "stdout {stdout}, stderr {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not write") && stderr.contains(&id(&large)[..8]), "{stderr}");
    assert!(
        stderr.contains(&format!("the {} image(s) exported before it are complete", small_files.len())),
        "{stderr}"
    );
    let files = files_in(&h.join("out"));
    assert_eq!(files.len(), small_files.len() * 2, "the first job's images and sidecars, nothing else: {files:?}");
    assert!(files.iter().all(|f| f.contains(&id(&small)[..8]) && !f.ends_with(".part")), "{files:?}");
    for (n, source) in small_files.iter().enumerate() {
        let name = format!("a-tin-robot_{}_{}.png", &id(&small)[..8], n + 1);
        assert_eq!(std::fs::read(h.join("out").join(name)).unwrap(), std::fs::read(source).unwrap());
    }
}
