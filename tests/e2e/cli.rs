//! The CLI as a user runs it: the real binary against the simulator.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use image::RgbaImage;
use mjdesk::job::JobStatus;
use mjdesk::sim::SimConfig;
use mjdesk::store::Store;

use crate::common::*;
use crate::masks::assert_only_masked_changed;

/// A clean environment: its own data and config dirs, no keys from the developer's shell.
pub(crate) fn mjdesk(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mjdesk"));
    cmd.env("MJDESK_DATA_DIR", home.join("data"))
        .env("MJDESK_CONFIG_DIR", home.join("config"))
        .env("MJDESK_POLL_MS", "50")
        .env_remove("TTAPI_API_KEY")
        .env_remove("ACEDATA_API_KEY")
        .env_remove("VTRIX_API_KEY")
        .current_dir(home)
        .stdin(Stdio::null());
    cmd
}

pub(crate) fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn pngs_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[test]
fn a_new_user_gets_four_pngs_of_a_red_fox() {
    let home = tempfile::tempdir().unwrap();
    let out = mjdesk(home.path())
        .args(["imagine", "a red fox", "--provider", "sim", "--wait", "--out", "fox/"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let files = pngs_in(&home.path().join("fox"));
    assert_eq!(files.len(), 4, "{files:?}");
    for f in &files {
        assert_eq!(f.extension().unwrap(), "png");
        image::open(f).expect("a real PNG");
    }
    assert!(stdout.contains("succeeded"), "{stdout}");
}

#[test]
fn dry_run_prints_the_request_with_the_key_redacted_and_sends_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = mjdesk(home.path())
        .args([
            "imagine",
            "a red fox",
            "--provider",
            "ttapi",
            "--api-key",
            "tt-SECRET-777",
            "--mode",
            "relax",
            "--dry-run",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stdout.contains("tt-SECRET-777") && !stderr.contains("tt-SECRET-777"));
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(v["url"], "https://api.ttapi.io/midjourney/v1/imagine");
    assert_eq!(v["body"]["prompt"], "a red fox");
    assert_eq!(v["body"]["mode"], "relax");
    assert!(stdout.contains("TT-API-KEY") && stdout.contains("***"), "{stdout}");

    // Vtrix's unconfirmed submit path can be changed without a rebuild
    let out = mjdesk(home.path())
        .env("MJDESK_VTRIX_SUBMIT_PATH", "/v2/tasks")
        .args([
            "imagine",
            "a red fox",
            "--provider",
            "vtrix",
            "--api-key",
            "vx-SECRET-1",
            "--base-url",
            "https://vtrix.example",
            "--dry-run",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(v["url"], "https://vtrix.example/v2/tasks");
    assert!(stdout.contains("Bearer ***") && !stdout.contains("vx-SECRET-1"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_one_clear_line_and_nothing_is_sent() {
    let server = sim(SimConfig::instant()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let good = png(&RgbaImage::from_pixel(64, 48, image::Rgba([200, 30, 30, 255])));
    std::fs::write(h.join("good.png"), &good).unwrap();
    std::fs::write(h.join("notes.txt"), "just some words").unwrap();
    std::fs::write(h.join("cut.png"), &good[..good.len() / 2]).unwrap();
    std::fs::write(h.join("anim.gif"), b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    std::fs::write(h.join("wrong-size-mask.png"), png(&RgbaImage::from_pixel(10, 10, image::Rgba([255; 4])))).unwrap();
    std::fs::File::create(h.join("huge.png")).unwrap().set_len(51 * 1024 * 1024).unwrap();
    std::fs::write(h.join("bomb.png"), mjdesk::imageio::png_claiming_size(20_000, 20_000)).unwrap();
    let long = "x".repeat(8193);

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["describe", "notes.txt"], "not an image file"),
        (vec!["describe", "missing.png"], "no such file"),
        (vec!["describe", "cut.png"], "damaged or cut short"),
        (vec!["describe", "anim.gif"], "GIF images are not accepted"),
        (vec!["describe", "huge.png"], "over the 50 MB limit"),
        (vec!["describe", "bomb.png"], "64 megapixel"),
        (vec!["imagine", "   "], "prompt is empty"),
        (vec!["imagine", &long], "limit is 8192"),
        (vec!["blend", "good.png"], "2 to 5 images, not 1"),
        (vec!["blend", "good.png", "good.png", "good.png", "good.png", "good.png", "good.png"], "2 to 5 images, not 6"),
        (vec!["edit", "good.png", "--mask", "wrong-size-mask.png", "--prompt", "x"], "paint it at the image's size"),
        (vec!["edit", "good.png", "--prompt", ""], "prompt is empty"),
    ];
    let base = server.base_url();
    for (args, expected) in cases {
        let out = mjdesk(h).args(&args).args(["--provider", "ttapi", "--base-url", &base]).output().unwrap();
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?} should fail; stdout {stdout}");
        assert!(stderr.contains(expected), "{args:?}: expected '{expected}' in: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: one line, got: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(server.stats().requests, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn inpaint_from_a_mask_file_changes_only_the_painted_area() {
    let server = sim(SimConfig::instant()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let run_cli = |args: &[&str]| {
        let out = mjdesk(h)
            .args(args)
            .args(["--provider", "ttapi", "--base-url", &base, "--wait", "--json"])
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{args:?}: {stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).expect("job JSON")
    };
    let grid = run_cli(&["imagine", "a stone bridge"]);
    let up = run_cli(&["action", grid["id"].as_str().unwrap(), "U3"]);
    let before = image::open(up["images"][0]["local_path"].as_str().unwrap()).unwrap().to_rgba8();
    // the designer paints white on black
    let (w, h_px) = before.dimensions();
    let mask_img = RgbaImage::from_fn(w, h_px, |x, y| {
        if x > w / 3 && x < w * 2 / 3 && y > h_px / 4 {
            image::Rgba([255, 255, 255, 255])
        } else {
            image::Rgba([0, 0, 0, 255])
        }
    });
    std::fs::write(h.join("mask.png"), png(&mask_img)).unwrap();
    let mask = mjdesk::mask::Mask::from_png(&png(&mask_img)).unwrap();
    let result = run_cli(&["inpaint", up["id"].as_str().unwrap(), "--mask", "mask.png", "--prompt", "a swan"]);
    let images = result["images"].as_array().unwrap();
    assert_eq!(images.len(), 4);
    for img in images {
        let after = image::open(img["local_path"].as_str().unwrap()).unwrap().to_rgba8();
        assert_only_masked_changed(&before, &after, &mask);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_never_written_anywhere() {
    const KEY: &str = "sk-live-SECRET-4242";
    const WRONG: &str = "sk-wrong-SECRET-9999";
    let mut config = SimConfig::instant();
    config.api_key = KEY.into();
    let server = sim(config).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let mut printed = String::new();
    for (key, ok) in [(KEY, true), (WRONG, false)] {
        // with every log line on, from every crate
        let out = mjdesk(h)
            .env("MJDESK_LOG", "trace")
            .args(["imagine", "a kept secret", "--provider", "ttapi", "--base-url", &base, "--api-key", key, "--wait"])
            .output()
            .unwrap();
        assert_eq!(out.status.success(), ok, "{:?}", text(&out));
        let (o, e) = text(&out);
        printed.push_str(&o);
        printed.push_str(&e);
    }
    let out = mjdesk(h).env("TTAPI_API_KEY", KEY).args(["jobs", "--json"]).output().unwrap();
    printed.push_str(&text(&out).0);
    assert!(printed.contains("refused the API key"), "{printed}");
    assert!(printed.contains("TRACE") && printed.contains("submit accepted"), "the logs were on");
    assert!(!printed.contains("SECRET"), "a key was printed: {printed}");
    let mut files = 0;
    for entry in walk(h) {
        let bytes = std::fs::read(&entry).unwrap();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains("SECRET"), "the key is in {}", entry.display());
        files += 1;
    }
    assert!(files >= 2, "the store was written ({files} files)");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn after_sigkill_with_ten_jobs_in_flight_resume_finishes_all_without_resubmitting() {
    // Long enough that the first job is still running when the tenth is accepted, even with
    // ten processes starting at once on a busy two-core machine (3 s was not, in CI).
    let mut config = SimConfig::instant();
    config.run_time = Duration::from_secs(12);
    let server = sim(config).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let mut children: Vec<_> = (0..10)
        .map(|i| {
            mjdesk(h)
                .args(["imagine", &format!("crash test {i}"), "--provider", "ttapi", "--base-url", &base, "--wait"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // wait (bounded) until all ten were accepted and their ids written, then kill -9
    // (a read that meets a busy store keeps the last count instead of reading as none)
    let mut in_flight = 0;
    for _ in 0..500 {
        if let Ok(Ok(jobs)) = Store::open(&h.join("data")).map(|store| store.unfinished()) {
            in_flight = jobs.iter().filter(|j| j.gateway_id.is_some()).count();
        }
        if in_flight == 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(in_flight, 10, "ten jobs in flight before the kill");
    for c in &mut children {
        c.kill().unwrap(); // SIGKILL
        c.wait().unwrap();
    }
    let out = mjdesk(h).args(["resume"]).output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let store = Store::open(&h.join("data")).unwrap();
    let jobs = store.jobs_page(0, 100).unwrap();
    assert_eq!(jobs.len(), 10);
    for j in &jobs {
        assert_eq!(j.status, JobStatus::Succeeded, "{:?}", j.prompt);
        assert!(j.images.iter().all(|i| i.local_path.as_ref().is_some_and(|p| p.exists())));
    }
    let stats = server.stats();
    assert_eq!(stats.submits, 10, "none was submitted twice: {:?}", stats.submits_by_prompt);
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_lists_short_ids_name_jobs_and_an_unknown_id_fails_in_one_line() {
    let server = sim(SimConfig::instant()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let out = mjdesk(h).args(["imagine", "a tin robot", "--provider", "ttapi", "--base-url", &base]).output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let out = mjdesk(h).args(["jobs"]).output().unwrap();
    let (stdout, _) = text(&out);
    assert!(stdout.contains("a tin robot") && stdout.contains("imagine"), "{stdout}");
    // the short id the list shows names the job in later commands
    let short = stdout.lines().nth(1).and_then(|l| l.split_whitespace().next()).expect("a job row").to_owned();
    let out = mjdesk(h)
        .args(["action", &short, "U1", "--provider", "ttapi", "--base-url", &base, "--wait", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let up: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(up["kind"]["action"], "upsample1");
    assert_eq!(up["prompt"], "a tin robot", "a follow-up carries the prompt it continues");
    let out = mjdesk(h).args(["fetch", "no-such-job", "--provider", "ttapi", "--base-url", &base]).output().unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("does not know"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_follow_up_on_a_running_job_waits_for_it_instead_of_failing() {
    let mut config = SimConfig::instant();
    config.run_time = Duration::from_millis(1500);
    let server = sim(config).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let out = mjdesk(h)
        .args(["imagine", "a paper boat", "--provider", "ttapi", "--base-url", &base, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let parent: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_ne!(parent["status"]["status"], "succeeded", "the parent is still running");
    let id = parent["id"].as_str().unwrap().to_owned();
    let out = mjdesk(h)
        .args(["action", &id[..8], "V3", "--provider", "ttapi", "--base-url", &base, "--wait"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("waiting for job"), "{stderr}");
    assert!(stdout.contains("succeeded"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn remix_redraws_an_image_with_a_new_prompt_on_vtrix_and_is_refused_elsewhere() {
    let server = sim(SimConfig::instant()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let base = server.base_url();
    let key = server.api_key().to_owned();
    let on = |provider: &'static str, args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--provider", provider, "--base-url", &base, "--api-key", &key]);
        mjdesk(h).args(all).output().unwrap()
    };
    let vtrix = |args: &[&str]| on("vtrix", args);
    let out = vtrix(&["imagine", "a glass teapot", "--wait", "--json"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let grid: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    let id = grid["id"].as_str().unwrap().to_owned();
    let out = vtrix(&["remix", &id, "2", "--prompt", "a glass teapot in the snow", "--subtle", "--wait", "--json"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let remix: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(remix["kind"]["kind"], "remix");
    assert_eq!(remix["parent_id"], id.as_str());
    assert_eq!(remix["status"]["status"], "succeeded");
    let out = vtrix(&["remix", &id, "5", "--prompt", "x"]);
    assert!(!out.status.success(), "there is no fifth image");

    let submits = server.stats().submits;
    let out = on("ttapi", &["remix", &id, "1", "--prompt", "a teapot"]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("TTAPI's documents show no way"), "{stderr}");
    assert_eq!(server.stats().submits, submits, "nothing was sent");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(&home.path().join("data")).unwrap();
    for i in 0..50 {
        let req = mjdesk::job::JobRequest::Imagine { prompt: format!("a paper kite number {i}") };
        let job = mjdesk::job::Job::new(mjdesk::job::Provider::Ttapi, "http://x", req, Default::default());
        store.insert_job(&job).unwrap();
    }
    // `mjdesk jobs | head -1`: the reader is gone before the list is written
    let mut child = mjdesk(home.path()).args(["jobs"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
