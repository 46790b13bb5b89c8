//! The real binary against the hostile server: every command ends within a bound, prints
//! no control byte, and fails with one readable line that says what happened.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mjdesk::gateway::GatewayClient;
use mjdesk::job::{JobRequest, JobStatus, Provider, SubmitOptions};
use mjdesk::manager::{ClientResolver, JobManager, ManagerConfig};
use mjdesk::store::Store;
use serde_json::json;

use crate::client::{KEY, config, has_control};
use crate::server::{Hostile, Reply};

/// What a finished command left behind.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Neither stream holds a character a terminal would act on.
    pub fn assert_clean(&self) {
        assert!(!has_control(&self.stdout), "stdout: {:?}", self.stdout);
        assert!(!has_control(&self.stderr), "stderr: {:?}", self.stderr);
    }

    /// The one `mjdesk:` failure line.
    pub fn failure_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().filter(|l| l.starts_with("mjdesk: ")).collect();
        assert_eq!(lines.len(), 1, "one failure line: {:?}", self.stderr);
        lines[0]
    }
}

/// Runs `mjdesk ARGS --provider ttapi --base-url URL --api-key KEY` in its own data dir;
/// killed (and the test failed) if it is still running after 20 s.
fn run(home: &Path, base_url: &str, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--provider", "ttapi", "--base-url", base_url, "--api-key", KEY]);
    spawn(home, &all, env).finish(Duration::from_secs(20))
}

/// A running `mjdesk`.
pub struct Running {
    child: std::process::Child,
    args: Vec<String>,
    out: std::thread::JoinHandle<Vec<u8>>,
    err: std::thread::JoinHandle<Vec<u8>>,
}

impl Running {
    /// Waits for the command to end; killed (and the test failed) after `bound`.
    pub fn finish(mut self, bound: Duration) -> Ran {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if start.elapsed() > bound {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("mjdesk {:?} was still running after {bound:?}", self.args);
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let stdout = String::from_utf8(self.out.join().unwrap()).expect("stdout is UTF-8");
        let stderr = String::from_utf8(self.err.join().unwrap()).expect("stderr is UTF-8");
        Ran { code: status.code(), stdout, stderr }
    }
}

/// Starts `mjdesk ARGS` (exactly these arguments) in its own data dir under `home`.
pub fn spawn(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mjdesk"));
    cmd.args(args)
        .env("MJDESK_DATA_DIR", home.join("data"))
        .env("MJDESK_CONFIG_DIR", home.join("config"))
        .env("MJDESK_POLL_MS", "50")
        .env("MJDESK_READ_IDLE_MS", "300")
        .env_remove("TTAPI_API_KEY")
        .env_remove("MJDESK_LOG")
        .current_dir(home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    Running { child, args: args.iter().map(|a| a.to_string()).collect(), out, err }
}

pub async fn run_async(
    home: &Path,
    base_url: String,
    args: &'static [&'static str],
    env: &'static [(&str, &str)],
) -> Ran {
    let home = home.to_path_buf();
    tokio::task::spawn_blocking(move || run(&home, &base_url, args, env)).await.unwrap()
}

/// Escape sequences of every kind a terminal acts on.
const EVIL: &str = "\u{1b}[2J\u{1b}]0;owned\u{7}\r\u{9b}31mred\u{202e}txt.exe\u{1b}[0m";

pub fn submitted() -> Reply {
    Reply::json(200, json!({"status": "SUCCESS", "message": "success", "data": {"jobId": "j-1"}}))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_job_full_of_escape_sequences_ends_in_one_clean_line() {
    let long = format!("{EVIL} {}", "banned ".repeat(150_000));
    let gateway = Hostile::start(move |r| {
        if r.path.contains("/fetch") {
            Reply::json(200, json!({"status": "FAILED", "message": long, "data": {"jobId": "j-1", "prompt": EVIL}}))
        } else {
            submitted()
        }
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let ran = run_async(home.path(), gateway.base_url(), &["imagine", "a red fox", "--wait"], &[]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    ran.assert_clean();
    let line = ran.failure_line();
    assert!(line.contains("failed") && line.contains("\\x1b[2J"), "{line}");
    assert!(line.chars().count() <= 520, "{} characters", line.chars().count());
    assert!(ran.both().len() < 10_000, "a 1 MB message is not printed: {} bytes", ran.both().len());
}

#[tokio::test(flavor = "multi_thread")]
async fn fetch_prints_gateway_text_safely_in_text_and_json() {
    let gateway = Hostile::start(|_| {
        Reply::json(
            200,
            json!({"status": "ON_QUEUE", "message": EVIL, "data": {
                "jobId": format!("j{EVIL}"), "progress": "40", "prompt": EVIL,
                "components": [format!("upsample1{EVIL}")], "images": [format!("https://cdn.example/{EVIL}.png")]
            }}),
        )
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    for args in [&["fetch", "not-in-the-store"][..], &["fetch", "not-in-the-store", "--json"][..]] {
        let args: &'static [&'static str] = Box::leak(args.to_vec().into_boxed_slice());
        let ran = run_async(home.path(), gateway.base_url(), args, &[]).await;
        assert_eq!(ran.code, Some(0), "{}", ran.both());
        ran.assert_clean();
        assert!(ran.stdout.contains("owned"), "the text is shown, made safe: {}", ran.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirected_fetch_fails_naming_the_target_and_sends_it_nothing() {
    let other = Hostile::start(|_| Reply::json(200, json!({"status": "SUCCESS", "data": {"jobId": "x"}}))).await;
    let target = other.url("/steal");
    let gateway =
        Hostile::start(move |r| if r.path.contains("/fetch") { Reply::redirect(302, &target) } else { submitted() })
            .await;
    let home = tempfile::tempdir().unwrap();
    let ran = run_async(home.path(), gateway.base_url(), &["imagine", "a red fox", "--wait"], &[]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    ran.assert_clean();
    let line = ran.failure_line();
    assert!(line.contains(&other.host()) && line.contains("redirect"), "{line}");
    assert!(other.requests().is_empty(), "{:?}", other.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submit_whose_answer_stalls_is_unknown_and_the_hint_is_retry() {
    let gateway = Hostile::start(|_| Reply::Stall { content_length: 200, sent: b"{\"status\":\"SUC".to_vec() }).await;
    let home = tempfile::tempdir().unwrap();
    let ran = run_async(home.path(), gateway.base_url(), &["imagine", "a red fox"], &[]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    ran.assert_clean();
    assert!(ran.stdout.contains("mjdesk retry"), "{}", ran.stdout);
    assert!(!ran.stdout.contains("mjdesk fetch"), "{}", ran.stdout);
    assert!(ran.failure_line().contains("stopped sending"), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_image_downloads_end_quickly_and_name_the_image_host() {
    let cdn = Hostile::start(|_| Reply::Stall { content_length: 5000, sent: b"\x89PNG".to_vec() }).await;
    let images: Vec<String> = (1..=4).map(|i| cdn.url(&format!("/{i}.png"))).collect();
    let gateway = Hostile::start(move |r| {
        if r.path.contains("/fetch") {
            Reply::json(200, json!({"status": "SUCCESS", "data": {"jobId": "j-1", "images": images}}))
        } else {
            submitted()
        }
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let ran = run_async(home.path(), gateway.base_url(), &["imagine", "a red fox", "--wait"], &[]).await;
    ran.assert_clean();
    let all = ran.both();
    assert!(all.contains(&cdn.host()) && all.contains("stopped sending"), "{all}");
    // Two attempts per image at most, all four side by side.
    assert!(cdn.requests().len() <= 8, "{} requests", cdn.requests().len());
}

/// A job whose gateway keeps saying SUCCESS with no images is asked again until its
/// deadline, then fails saying what the gateway sent.
#[tokio::test(flavor = "multi_thread")]
async fn success_without_images_keeps_the_job_alive_until_its_deadline_says_why() {
    let gateway = Hostile::start(|r| {
        if r.path.contains("/fetch") {
            Reply::json(200, json!({"status": "SUCCESS", "data": {"jobId": "j-1", "images": []}}))
        } else {
            submitted()
        }
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(&home.path().join("data")).unwrap();
    let resolver: ClientResolver = Arc::new(|p: Provider, url: String| {
        let client = GatewayClient::new(config(p, &url)).map_err(Into::into);
        Box::pin(async move { client })
    });
    let (manager, _updates) = JobManager::start(store.clone(), ManagerConfig::fast(), resolver, None);
    let options = SubmitOptions { timeout_secs: Some(1), ..Default::default() };
    let request = JobRequest::Imagine { prompt: "a red fox".into() };
    let job = manager.submit(Provider::Ttapi, &gateway.base_url(), request, options, None).await.unwrap();
    let start = Instant::now();
    let job = loop {
        let now = store.get_job(&job.id).unwrap().unwrap();
        if now.status.is_terminal() {
            break now;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still {:?}", now.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    match &job.status {
        JobStatus::Failed { reason } => {
            assert!(reason.contains("timed out") && reason.contains("SUCCESS without images"), "{reason}");
            assert!(reason.contains("`data.images` is empty"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let fetches = gateway.requests().iter().filter(|r| r.path.contains("/fetch")).count();
    assert!(fetches > 1, "asked again after the empty success ({fetches} fetches)");
}
