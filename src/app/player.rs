//! Plays one clip on a thread of its own: the file is read and decoded there, never on the
//! UI thread. While playing it decodes the next frame when it is due, loops at the end, and
//! asks the window to repaint; paused (or never started) it waits on its channel and costs
//! nothing. A clip the window has stopped drawing (another panel took its place) pauses
//! itself within [`UNSEEN`]: nothing decodes for a clip that is not on screen. Dropping the
//! player stops its thread. No egui types: the panel turns the latest frame into a texture.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use image::RgbaImage;

use crate::video::Mp4Decoder;

/// A playing clip the window has not drawn for this long pauses itself.
pub const UNSEEN: Duration = Duration::from_millis(750);

/// How the thread asks the window to draw again.
pub type Repaint = Arc<dyn Fn() + Send + Sync>;

enum Cmd {
    Play,
    Pause,
    Seek(u32),
}

/// What the panel reads each pass.
#[derive(Debug, Clone, Default)]
pub struct PlayerView {
    /// The latest frame; `generation` says whether it changed since the panel last saw it.
    pub frame: Option<Arc<RgbaImage>>,
    pub generation: u64,
    /// The index of `frame`, and how many the clip has (0 until the header is read).
    pub index: u32,
    pub frames: u32,
    pub playing: bool,
    /// Why the clip cannot be played (unreadable file, damaged MP4 ...).
    pub error: Option<String>,
    /// When the panel last read this view (drew the clip).
    seen: Option<Instant>,
}

pub struct ClipPlayer {
    tx: Sender<Cmd>,
    shared: Arc<Mutex<PlayerView>>,
}

impl std::fmt::Debug for ClipPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClipPlayer").field("view", &self.view()).finish()
    }
}

fn lock(m: &Mutex<PlayerView>) -> MutexGuard<'_, PlayerView> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ClipPlayer {
    /// Starts playing the clip at `path` (read on the player's thread).
    pub fn start(path: PathBuf, repaint: Repaint) -> Self {
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(Mutex::new(PlayerView { playing: true, ..Default::default() }));
        let view = shared.clone();
        let spawned =
            std::thread::Builder::new().name("mjdesk-clip".into()).spawn(move || run(path, rx, &view, &repaint));
        if let Err(e) = spawned {
            lock(&shared).error = Some(format!("could not start the player: {e}"));
        }
        Self { tx, shared }
    }

    pub fn play(&self) {
        let mut v = lock(&self.shared);
        v.playing = true;
        v.seen = Some(Instant::now());
        drop(v);
        let _ = self.tx.send(Cmd::Play);
    }

    pub fn pause(&self) {
        lock(&self.shared).playing = false;
        let _ = self.tx.send(Cmd::Pause);
    }

    /// Shows frame `index` (playing on from there if playing).
    pub fn seek(&self, index: u32) {
        lock(&self.shared).index = index;
        let _ = self.tx.send(Cmd::Seek(index));
    }

    /// What to draw; reading it counts as the clip being on screen.
    pub fn view(&self) -> PlayerView {
        let mut v = lock(&self.shared);
        v.seen = Some(Instant::now());
        v.clone()
    }

    #[cfg(test)]
    fn peek(&self) -> PlayerView {
        lock(&self.shared).clone()
    }
}

fn run(path: PathBuf, rx: Receiver<Cmd>, view: &Mutex<PlayerView>, repaint: &Repaint) {
    let fail = |e: String| {
        let mut v = lock(view);
        v.error = Some(e);
        v.playing = false;
        drop(v);
        repaint();
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return fail(format!("could not read {}: {e}", path.display())),
    };
    let mut decoder = match Mp4Decoder::new(bytes) {
        Ok(d) => d,
        Err(e) => return fail(e.to_string()),
    };
    let info = decoder.info();
    lock(view).frames = info.frames;
    let step = Duration::from_secs_f64(1.0 / info.fps.clamp(1.0, 120.0));
    let mut playing = true;
    let mut due = Instant::now();
    loop {
        let cmd = if playing {
            match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(cmd) => Some(cmd),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(cmd) => Some(cmd),
                Err(_) => return,
            }
        };
        match cmd {
            Some(Cmd::Play) => {
                playing = true;
                due = Instant::now();
                continue;
            }
            Some(Cmd::Pause) => {
                playing = false;
                continue;
            }
            Some(Cmd::Seek(i)) => {
                if let Err(e) = decoder.seek(i) {
                    return fail(e.to_string());
                }
                due = Instant::now();
            }
            None => {}
        }
        if playing && cmd.is_none() && lock(view).seen.is_some_and(|t| t.elapsed() > UNSEEN) {
            // Not drawn for a while: off screen. Pause until the designer presses Play again.
            playing = false;
            lock(view).playing = false;
            continue;
        }
        // Due (or just positioned): the next frame, from the start again after the last.
        let index = decoder.position();
        let frame = match decoder.next_frame() {
            Ok(Some(f)) => (index, f),
            Ok(None) => match decoder.rewind().and_then(|()| decoder.next_frame()) {
                Ok(Some(f)) => (0, f),
                Ok(None) => return fail("the clip holds no frame".into()),
                Err(e) => return fail(e.to_string()),
            },
            Err(e) => return fail(e.to_string()),
        };
        let shown = {
            let mut v = lock(view);
            v.index = frame.0;
            v.generation += 1;
            v.frame.replace(Arc::new(frame.1))
        };
        // the frame before, once the window has copied it out, holds the next one
        if let Some(old) = shown.and_then(|old| Arc::try_unwrap(old).ok()) {
            decoder.recycle(old);
        }
        repaint();
        // The next tick of the clock every player shares (a slow machine skips the lost
        // ticks rather than racing to catch up).
        due = next_tick(Instant::now(), step);
    }
}

/// The first instant after `now` on a clock of period `step` that every player shares, so
/// clips of one frame rate show their frames together: the window draws once for all of
/// them, not once for each.
fn next_tick(now: Instant, step: Duration) -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    let step_ns = step.as_nanos().max(1);
    let ticks = now.saturating_duration_since(epoch).as_nanos() / step_ns + 1;
    epoch + Duration::from_nanos(u64::try_from(ticks * step_ns).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::{EncodeSettings, encode_mp4};

    fn wait_for(p: &ClipPlayer, what: &str, ok: impl Fn(&PlayerView) -> bool) -> PlayerView {
        for _ in 0..400 {
            let v = p.view();
            if ok(&v) {
                return v;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("{what}: {:?}", p.view());
    }

    #[test]
    fn plays_loops_pauses_without_decoding_and_seeks() {
        let dir = tempfile::tempdir().unwrap();
        let frames: Vec<RgbaImage> =
            (0..6).map(|t| RgbaImage::from_pixel(32, 16, image::Rgba([t * 40, 10, 200, 255]))).collect();
        let path = dir.path().join("c.mp4");
        std::fs::write(&path, encode_mp4(&frames, EncodeSettings::for_size(32, 16, 60)).unwrap()).unwrap();
        let repaints = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counter = repaints.clone();
        let p = ClipPlayer::start(
            path,
            Arc::new(move || {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }),
        );
        // 6 frames at 60 fps: past a dozen frames it has looped.
        let v = wait_for(&p, "loops", |v| v.generation > 12);
        assert_eq!(v.frames, 6);
        p.pause();
        std::thread::sleep(Duration::from_millis(50));
        let paused = p.view().generation;
        let before = repaints.load(std::sync::atomic::Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(p.view().generation, paused, "nothing decodes while paused");
        assert_eq!(repaints.load(std::sync::atomic::Ordering::SeqCst), before, "and nothing repaints");
        p.seek(4);
        let v = wait_for(&p, "seeks", |v| v.generation > paused);
        assert_eq!(v.index, 4);
        let red = v.frame.unwrap().get_pixel(5, 5).0[0];
        assert!((140..=180).contains(&red), "frame 4's red is 160, got {red}");
        assert!(!v.playing);
    }

    #[test]
    fn players_tick_on_one_shared_clock() {
        let step = Duration::from_millis(40);
        let now = Instant::now();
        let a = next_tick(now, step);
        let b = next_tick(now + Duration::from_millis(13), step);
        assert!(a > now && a - now <= step, "the next tick, within one step");
        // a later player lands on the same tick, or a whole number of steps on
        let apart = b.duration_since(a).as_nanos();
        assert_eq!(apart % step.as_nanos(), 0, "{apart} ns apart");
        assert_eq!(next_tick(a, step) - a, step, "from a tick, the next one is a step on");
    }

    #[test]
    fn a_clip_no_longer_drawn_pauses_itself() {
        let dir = tempfile::tempdir().unwrap();
        let frames: Vec<RgbaImage> =
            (0..4).map(|t| RgbaImage::from_pixel(32, 16, image::Rgba([t * 60, 0, 0, 255]))).collect();
        let path = dir.path().join("c.mp4");
        std::fs::write(&path, encode_mp4(&frames, EncodeSettings::for_size(32, 16, 60)).unwrap()).unwrap();
        let p = ClipPlayer::start(path, Arc::new(|| {}));
        wait_for(&p, "plays", |v| v.generation > 3);
        // From now on nobody draws it (peek does not count).
        let start = Instant::now();
        while p.peek().playing {
            assert!(start.elapsed() < Duration::from_secs(3), "kept playing unseen");
            std::thread::sleep(Duration::from_millis(20));
        }
        let stopped = p.peek().generation;
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(p.peek().generation, stopped, "nothing decodes once paused");
        p.play();
        wait_for(&p, "plays again", |v| v.generation > stopped);
    }

    #[test]
    fn a_damaged_clip_says_why_and_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.mp4");
        std::fs::write(&path, b"<html>not a video</html>").unwrap();
        let p = ClipPlayer::start(path, Arc::new(|| {}));
        let v = wait_for(&p, "fails", |v| v.error.is_some());
        assert!(v.error.unwrap().contains("not an MP4"), "says why");
        drop(p);
        let gone = ClipPlayer::start(dir.path().join("missing.mp4"), Arc::new(|| {}));
        assert!(wait_for(&gone, "fails", |v| v.error.is_some()).error.unwrap().contains("could not read"));
    }
}
