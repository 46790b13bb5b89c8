//! What playing clips costs (issue 13: a 480p clip at its own frame rate under 15% of one
//! core; four clips open add under 150 MB; nothing decodes and the CPU stays at 0 when no
//! clip plays). A measurement, not a test: it prints figures.
//!
//! Encodes a 5 s 854x480 clip at 24 fps that pans (every block changes), then plays it
//! through [`ClipPlayer`] as the window does (each player on its own thread, decoding when a
//! frame is due and converting it to RGBA), first one clip, then four at once, then all
//! paused. CPU is this process's user + system time from /proc/self/stat over each stage;
//! memory is VmRSS from /proc/self/status. The window's texture upload is not included.
//!
//! Run: `cargo run --release --example clip_players`

use std::sync::Arc;
use std::time::{Duration, Instant};

use mjdesk::app::player::ClipPlayer;
use mjdesk::video::{EncodeSettings, encode_mp4};

const W: u32 = 854;
const H: u32 = 480;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// This process's CPU time so far, in seconds.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 =
        f.get(11).and_then(|u| u.parse().ok()).unwrap_or(0.0) + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn stage(what: &str, secs: u64, players: &[ClipPlayer]) {
    let (c0, t0) = (cpu_secs(), Instant::now());
    let before: u64 = players.iter().map(|p| p.view().generation).sum();
    std::thread::sleep(Duration::from_secs(secs));
    let cpu = (cpu_secs() - c0) / t0.elapsed().as_secs_f64() * 100.0;
    let frames: u64 = players.iter().map(|p| p.view().generation).sum::<u64>() - before;
    let fps = frames as f64 / t0.elapsed().as_secs_f64();
    println!("{what}: {cpu:.1}% of one core, {fps:.1} frames/s shown in all, RSS {:.1} MB", rss_mb());
}

fn main() {
    let frames: Vec<image::RgbaImage> = (0..120)
        .map(|t| {
            image::RgbaImage::from_fn(W, H, |x, y| {
                let (u, v) = (x + 6 * t, y + 2 * t);
                let ring = ((u as f32 * 0.05).sin() * (v as f32 * 0.07).cos() * 90.0 + 120.0) as u8;
                image::Rgba([ring, (u * 255 / (W + 800)) as u8, (v * 255 / (H + 300)) as u8, 255])
            })
        })
        .collect();
    let mp4 = encode_mp4(&frames, EncodeSettings::for_size(W, H, 24)).expect("encode");
    drop(frames);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, &mp4).expect("write");
    println!("clip: {W}x{H}, 120 frames at 24 fps, {} KB", mp4.len() / 1024);
    let base = rss_mb();
    println!("before any player: RSS {base:.1} MB");
    let repaint: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {});
    let one = vec![ClipPlayer::start(path.clone(), repaint.clone())];
    stage("one clip playing", 5, &one);
    let mut four = one;
    for _ in 0..3 {
        four.push(ClipPlayer::start(path.clone(), repaint.clone()));
    }
    stage("four clips playing", 5, &four);
    println!("four players add {:.1} MB", rss_mb() - base);
    for p in &four {
        p.pause();
    }
    std::thread::sleep(Duration::from_millis(200));
    stage("four clips paused", 3, &four);
    drop(four);
    std::thread::sleep(Duration::from_millis(200));
    stage("no player", 2, &[]);
}
