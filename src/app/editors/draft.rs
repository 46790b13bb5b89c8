//! Keeps the mask being painted as a draft in the store, so a crash or a kill loses at most
//! the last two seconds of painting, and offers it back when the editor is opened again.
//!
//! The editor owns one [`DraftKeeper`] per image it paints on, named by a [`DraftKey`] (the
//! flow and the job, or the file for an edit of a local file). Each frame it calls
//! [`DraftKeeper::changed`] with the rectangle the mask changed in since the last frame (empty
//! when nothing changed); once the painting settles (half a second without a change, and never
//! later than two seconds after the first unsaved change) the keeper encodes the touched
//! 64 x 64 tiles on the calling thread, which costs what the change covered and not the image,
//! and hands them to a background writer. The editor asks for a repaint after
//! [`DraftKeeper::next_save_due`]; an idle editor has nothing due and repaints nothing.
//!
//! Nothing here waits on the store: reads and writes run in order on the runtime's blocking
//! pool (or a thread when there is no runtime), one at a time per keeper, and their answers
//! come back over a channel drained by [`DraftKeeper::poll`] and [`DraftKeeper::changed`],
//! with a repaint asked for each. Work already handed off still runs when the keeper is
//! dropped, so a discard right before closing the editor is not lost.
//!
//! What is on disk always rebuilds to what was painted when the last save was made. The first
//! save of a keeper (and the first after a failed save or a discard) rewrites the draft whole,
//! since what is on disk may be an earlier session's and the mask may not have started empty:
//! the calling thread only copies the mask, and the writer keeps its painted tiles. Later
//! saves write the tiles changed since. A draft found when the keeper starts is offered once
//! by [`DraftKeeper::poll`]; if the designer paints without restoring it, the first save
//! replaces it with what they paint instead.

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::shell::spawn_blocking;
use crate::app::background::Repaint;
use crate::mask::draft::{self as tiles, TileError};
use crate::mask::{Mask, Rect};
use crate::store::{Store, StoreError};

/// How long painting must pause before a save.
pub const SETTLE: Duration = Duration::from_millis(500);
/// The longest a change waits to be saved while painting goes on.
pub const MAX_WAIT: Duration = Duration::from_secs(2);
/// How long after a failed save the keeper tries again (writing the draft whole).
pub const RETRY: Duration = Duration::from_secs(5);

/// Which draft: the flow and the job it is painted for, or the file for an edit of a local
/// file with no job. The editor picks it when it opens, from the flow it was opened as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DraftKey(String);

impl DraftKey {
    /// Vary (Region) on job `job_id`: `region:<job id>`.
    pub fn region(job_id: &str) -> Self {
        DraftKey(format!("region:{job_id}"))
    }

    /// Edit of job `job_id`'s image: `edit:<job id>`.
    pub fn edit(job_id: &str) -> Self {
        DraftKey(format!("edit:{job_id}"))
    }

    /// Retexture of job `job_id`'s image: `retexture:<job id>`.
    pub fn retexture(job_id: &str) -> Self {
        DraftKey(format!("retexture:{job_id}"))
    }

    /// An edit of a local file with no job: `edit-file:<path>`, the path as it was opened (a
    /// path that is not UTF-8 is keyed on its lossy spelling).
    pub fn edit_file(path: &Path) -> Self {
        DraftKey(format!("edit-file:{}", path.to_string_lossy()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DraftKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A draft found in the store, at the image's size and not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedDraft {
    pub mask: Mask,
    /// When it was last saved, ms since the epoch.
    pub saved_at_ms: i64,
}

/// What went wrong keeping the draft, in words for the line next to the canvas.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DraftError {
    #[error("the draft of this mask could not be saved (mjdesk tries again in a few seconds): {0}")]
    Save(StoreError),
    #[error("the kept draft of this mask could not be read: {0}")]
    Load(StoreError),
    #[error("the kept draft of this mask is damaged and cannot be restored: {0}")]
    Damaged(TileError),
    #[error("the draft of this mask could not be discarded: {0}")]
    Discard(StoreError),
}

/// Where the draft stands, for the line next to the canvas.
#[derive(Debug, Clone)]
pub enum DraftStatus {
    /// Nothing painted in this editor is waiting or kept (or the draft was discarded).
    None,
    /// Changes are waiting to be written, or being written.
    Saving,
    /// Everything painted is on disk, as of `at_ms` (ms since the epoch).
    Saved { at_ms: i64 },
    /// The last save, read or discard failed; a failed save is tried again.
    Failed(DraftError),
}

/// Work for the background writer.
enum Op {
    Load {
        size: (u32, u32),
    },
    /// The tiles changed since the last save, encoded, over the ones on disk.
    Patch {
        width: u32,
        height: u32,
        tiles: Vec<(u32, Vec<u8>)>,
    },
    /// The whole mask (a copy), encoded on the writer: it replaces the draft.
    Whole(Mask),
    Discard,
}

/// Its answer. `Saved(Ok(None))`: a whole save of an empty mask, which removes the draft.
enum Done {
    Loaded(Result<Option<LoadedDraft>, DraftError>),
    Saved(Result<Option<i64>, StoreError>),
    Discarded(Result<(), StoreError>),
}

/// Work waiting for the writer, and whether a writer is running.
#[derive(Default)]
struct Queue {
    work: VecDeque<(u64, Op)>,
    running: bool,
}

/// The background side: runs the queued work in order on one task at a time.
#[derive(Clone)]
struct Writer {
    store: Store,
    key: DraftKey,
    queue: Arc<Mutex<Queue>>,
    answers: Sender<(u64, Done)>,
    repaint: Repaint,
}

impl Writer {
    fn submit(&self, epoch: u64, op: Op) {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.work.push_back((epoch, op));
        if queue.running {
            return;
        }
        queue.running = true;
        drop(queue);
        let writer = self.clone();
        spawn_blocking(move || writer.drain());
    }

    fn drain(self) {
        loop {
            let next = {
                let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                let next = queue.work.pop_front();
                queue.running = next.is_some();
                next
            };
            let Some((epoch, op)) = next else { return };
            let done = self.run(op);
            // The keeper may be gone (the editor closed): the work was still done.
            let _ = self.answers.send((epoch, done));
            (self.repaint)();
        }
    }

    fn run(&self, op: Op) -> Done {
        let key = self.key.as_str();
        match op {
            Op::Load { size } => Done::Loaded(load(&self.store, key, size)),
            Op::Patch { width, height, tiles } => {
                Done::Saved(self.store.save_draft_tiles(key, width, height, &tiles).map(Some))
            }
            Op::Whole(mask) => {
                let tiles = tiles::encode_painted(&mask);
                Done::Saved(if tiles.is_empty() {
                    // nothing painted: no draft
                    self.store.discard_draft(key).map(|_| None)
                } else {
                    self.store.replace_draft(key, mask.width(), mask.height(), &tiles).map(Some)
                })
            }
            Op::Discard => Done::Discarded(self.store.discard_draft(key).map(|_| ())),
        }
    }
}

/// The draft `key` as a mask of `size`, if there is one worth offering: a draft of another
/// size (the file changed since) or with nothing painted is not.
fn load(store: &Store, key: &str, size: (u32, u32)) -> Result<Option<LoadedDraft>, DraftError> {
    let Some(draft) = store.load_draft(key).map_err(DraftError::Load)? else { return Ok(None) };
    if (draft.width, draft.height) != size {
        tracing::info!(key, stored = ?(draft.width, draft.height), image = ?size, "mask draft of another size ignored");
        return Ok(None);
    }
    let tiles = draft.tiles.iter().map(|(t, b)| (*t, b.as_slice()));
    let mask = tiles::rebuild(draft.width, draft.height, tiles).map_err(DraftError::Damaged)?;
    Ok((!mask.is_empty()).then_some(LoadedDraft { mask, saved_at_ms: draft.updated_at }))
}

/// Keeps one mask's draft: see the module documentation.
pub struct DraftKeeper {
    writer: Writer,
    answers: Receiver<(u64, Done)>,
    /// Bumped by a discard: answers to work handed off before it are ignored.
    epoch: u64,
    /// Work handed off and not answered yet (of any epoch).
    outstanding: usize,
    /// A draft found at the start, until [`poll`](Self::poll) hands it over.
    offer: Option<LoadedDraft>,
    /// The mask's size, as of the last change.
    size: (u32, u32),
    /// Tiles changed since the last save.
    dirty: BTreeSet<u32>,
    /// The first and last change not saved yet.
    first_change: Option<Instant>,
    last_change: Option<Instant>,
    /// The next save rewrites the draft whole (what is on disk is not known to be this
    /// mask's earlier state).
    whole: bool,
    /// When to try again after a failed save.
    retry_at: Option<Instant>,
    status: DraftStatus,
    settle: Duration,
    max_wait: Duration,
    retry: Duration,
}

impl DraftKeeper {
    /// A keeper for the draft `key` of a mask of `size` (the image's); starts reading any
    /// draft kept for it in the background. `repaint` is called whenever an answer arrives
    /// (the window's `request_repaint`).
    pub fn new(key: DraftKey, size: (u32, u32), store: Store, repaint: Repaint) -> Self {
        let (answers_tx, answers) = channel();
        let writer = Writer { store, key, queue: Arc::default(), answers: answers_tx, repaint };
        writer.submit(0, Op::Load { size });
        DraftKeeper {
            writer,
            answers,
            epoch: 0,
            outstanding: 1,
            offer: None,
            size,
            dirty: BTreeSet::new(),
            first_change: None,
            last_change: None,
            whole: true,
            retry_at: None,
            status: DraftStatus::None,
            settle: SETTLE,
            max_wait: MAX_WAIT,
            retry: RETRY,
        }
    }

    /// The draft found when the keeper started, once: not empty, at the keeper's size. Also
    /// takes in the writer's other answers (call it each frame, or rely on
    /// [`changed`](Self::changed) doing so).
    pub fn poll(&mut self) -> Option<LoadedDraft> {
        self.take_answers(Instant::now());
        self.offer.take()
    }

    /// Where the draft stands, for the line next to the canvas.
    pub fn status(&self) -> &DraftStatus {
        &self.status
    }

    /// True when nothing is waiting to be saved and the writer has answered everything.
    pub fn is_idle(&self) -> bool {
        self.outstanding == 0 && self.first_change.is_none() && self.retry_at.is_none()
    }

    /// Call each frame with `mask` and the rectangle it changed in since the last call (empty
    /// when nothing changed). Saves the changed tiles once painting has settled.
    pub fn changed(&mut self, mask: &Mask, dirty: Rect, now: Instant) {
        self.take_answers(now);
        let size = (mask.width(), mask.height());
        if size != self.size {
            // Another image: whatever was pending was for the old one; write this one whole.
            self.size = size;
            self.dirty.clear();
            self.whole = true;
            self.note_change(now);
        }
        let mut touched = false;
        for t in tiles::tiles_under(size.0, size.1, dirty) {
            self.dirty.insert(t);
            touched = true;
        }
        if touched {
            self.note_change(now);
        }
        if self.outstanding == 0 && self.due_at().is_some_and(|due| now >= due) {
            self.save(mask);
        }
    }

    /// Saves what is waiting now, without waiting for the painting to settle (the editor is
    /// closing, or switching images). Nothing happens when nothing waits.
    pub fn flush(&mut self, mask: &Mask) {
        if (self.first_change.is_some() || self.retry_at.is_some()) && (mask.width(), mask.height()) == self.size {
            self.save(mask);
        }
    }

    /// How long until a save is due, for `request_repaint_after`; `None` when nothing waits
    /// (or the writer is busy: its answer asks for the repaint).
    pub fn next_save_due(&self, now: Instant) -> Option<Duration> {
        if self.outstanding > 0 {
            return None;
        }
        self.due_at().map(|due| due.saturating_duration_since(now))
    }

    /// Deletes the draft in the background and drops what was waiting to be saved; an offer
    /// not taken yet is withdrawn. Painting after this starts a new draft, written whole.
    pub fn discard(&mut self) {
        self.epoch += 1;
        self.offer = None;
        self.dirty.clear();
        self.first_change = None;
        self.last_change = None;
        self.retry_at = None;
        self.whole = true;
        self.status = DraftStatus::None;
        self.submit(Op::Discard);
    }

    fn note_change(&mut self, now: Instant) {
        self.first_change.get_or_insert(now);
        self.last_change = Some(now);
        if !matches!(self.status, DraftStatus::Failed(_)) {
            self.status = DraftStatus::Saving;
        }
    }

    /// When the next save is due, if anything waits.
    fn due_at(&self) -> Option<Instant> {
        let settled = match (self.first_change, self.last_change) {
            (Some(first), Some(last)) => Some((last + self.settle).min(first + self.max_wait)),
            _ => None,
        };
        match (settled, self.retry_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Hands what waits to the writer: the changed tiles, encoded here (their cost, not the
    /// image's), or for a whole save a copy of the mask, which the writer reads through.
    fn save(&mut self, mask: &Mask) {
        let op = if self.whole {
            Op::Whole(mask.clone())
        } else {
            let tiles = self.dirty.iter().filter_map(|&t| Some((t, tiles::encode_tile(mask, t)?))).collect();
            Op::Patch { width: self.size.0, height: self.size.1, tiles }
        };
        self.dirty.clear();
        self.first_change = None;
        self.last_change = None;
        self.retry_at = None;
        self.whole = false;
        self.submit(op);
    }

    fn submit(&mut self, op: Op) {
        self.outstanding += 1;
        self.writer.submit(self.epoch, op);
    }

    fn take_answers(&mut self, now: Instant) {
        while let Ok((epoch, done)) = self.answers.try_recv() {
            self.outstanding = self.outstanding.saturating_sub(1);
            if epoch != self.epoch {
                continue; // work from before a discard
            }
            let waiting = self.first_change.is_some();
            match done {
                Done::Loaded(Ok(offer)) => self.offer = offer,
                Done::Loaded(Err(e)) => self.status = DraftStatus::Failed(e),
                // An earlier save failed (a flush can queue one behind it): the failure stands
                // until the retry writes the draft whole.
                Done::Saved(Ok(_)) if self.retry_at.is_some() => {}
                Done::Saved(Ok(_)) if waiting => self.status = DraftStatus::Saving,
                Done::Saved(Ok(at)) => {
                    self.status = at.map_or(DraftStatus::None, |at_ms| DraftStatus::Saved { at_ms });
                }
                Done::Saved(Err(e)) => {
                    tracing::warn!(key = %self.writer.key, error = %e, "mask draft not saved");
                    // Those tiles are not on disk: the next save writes the draft whole.
                    self.whole = true;
                    self.retry_at = Some(now + self.retry);
                    self.status = DraftStatus::Failed(DraftError::Save(e));
                }
                Done::Discarded(Ok(())) => {}
                Done::Discarded(Err(e)) => self.status = DraftStatus::Failed(DraftError::Discard(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests;
