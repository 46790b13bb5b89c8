use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::Connection;

use super::*;
use crate::mask::brush::Segment;
use crate::store::DB_FILE;

fn repaints() -> (Arc<AtomicUsize>, Repaint) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    (
        count,
        Arc::new(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        }),
    )
}

/// A keeper with short delays, so real-time tests wait milliseconds, not seconds.
fn keeper(key: &DraftKey, size: (u32, u32), store: &Store) -> DraftKeeper {
    let mut k = DraftKeeper::new(key.clone(), size, store.clone(), Arc::new(|| {}));
    (k.settle, k.max_wait, k.retry) = (Duration::from_millis(20), Duration::from_millis(80), Duration::from_millis(30));
    k
}

fn stroke(mask: &mut Mask, from: (f32, f32), to: (f32, f32), radius: f32, on: bool) -> Rect {
    mask.stamp_segment(&Segment { from, to, radius }, on)
}

/// Drives the keeper as the editor would (each "frame": no new change) until `done`, for
/// at most 20 s.
fn run_until(k: &mut DraftKeeper, mask: &Mask, what: &str, done: impl Fn(&DraftKeeper) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(k) {
        assert!(Instant::now() < deadline, "waited 20 s for {what}; status {:?}", k.status());
        std::thread::sleep(Duration::from_millis(5));
        k.changed(mask, Rect::EMPTY, Instant::now());
    }
}

/// What a new keeper on `store` offers for `key`.
fn offered(key: &DraftKey, size: (u32, u32), store: &Store) -> Option<LoadedDraft> {
    let mut k = keeper(key, size, store);
    run_until(&mut k, &Mask::new(size.0, size.1), "the draft to load", DraftKeeper::is_idle);
    let offer = k.poll();
    assert!(k.poll().is_none(), "a draft is offered once");
    offer
}

#[test]
fn keys_name_the_flow_and_the_job_or_file() {
    assert_eq!(DraftKey::region("j-1").as_str(), "region:j-1");
    assert_eq!(DraftKey::edit("j-1").to_string(), "edit:j-1");
    assert_eq!(DraftKey::retexture("j-1").as_str(), "retexture:j-1");
    assert_eq!(DraftKey::edit_file(Path::new("/home/d/a b.png")).as_str(), "edit-file:/home/d/a b.png");
    assert_ne!(DraftKey::edit("j-1"), DraftKey::retexture("j-1"));
}

#[test]
fn a_4096_mask_is_kept_across_a_restart_restored_patched_and_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let key = DraftKey::region("job-7");
    let size = (4096, 4096);
    let (repainted, repaint) = repaints();
    let mut k = DraftKeeper::new(key.clone(), size, store.clone(), repaint);
    let mut mask = Mask::new(4096, 4096);
    run_until(&mut k, &mask, "the first load", DraftKeeper::is_idle);
    assert!(k.poll().is_none(), "nothing kept yet");
    assert!(repainted.load(Ordering::SeqCst) >= 1, "the load's answer asks for a repaint");
    assert_eq!(k.next_save_due(Instant::now()), None, "an idle editor repaints nothing");

    // paint two strokes, one frame each
    let t0 = Instant::now();
    let strokes = [((100.0, 100.0), (3900.0, 300.0), 40.0), ((2000.0, 0.0), (1900.0, 4096.0), 12.0)];
    for (i, (from, to, radius)) in strokes.into_iter().enumerate() {
        let r = stroke(&mut mask, from, to, radius, true);
        k.changed(&mask, r, t0 + Duration::from_millis(100 * i as u64));
    }
    assert!(matches!(k.status(), DraftStatus::Saving));
    assert_eq!(k.next_save_due(t0 + Duration::from_millis(100)), Some(SETTLE));
    // a later frame with no new change, past the pause: the save is handed off
    let started = Instant::now();
    k.changed(&mask, Rect::EMPTY, t0 + Duration::from_millis(100) + SETTLE);
    eprintln!("first save of a 4096x4096 mask (whole: a copy handed off) took {:?} here", started.elapsed());
    assert!(!k.is_idle());
    assert_eq!(k.next_save_due(Instant::now()), None, "the writer's answer wakes the window");
    run_until(&mut k, &mask, "the save", DraftKeeper::is_idle);
    let DraftStatus::Saved { at_ms } = *k.status() else { panic!("not saved: {:?}", k.status()) };

    // a later stroke: only its tiles are written
    let r = stroke(&mut mask, (300.0, 3000.0), (700.0, 3100.0), 30.0, true);
    let t1 = Instant::now();
    k.changed(&mask, r, t1);
    let started = Instant::now();
    k.changed(&mask, Rect::EMPTY, t1 + SETTLE);
    eprintln!(
        "a later stroke ({}x{} px) on the 4096x4096 mask: its tiles encoded in {:?}",
        r.w,
        r.h,
        started.elapsed()
    );
    run_until(&mut k, &mask, "the second save", DraftKeeper::is_idle);
    let kept = store.load_draft(key.as_str()).unwrap().unwrap();
    assert!(kept.tiles.len() < 4096 / 4, "painted tiles only: {}", kept.tiles.len());
    drop(k);
    drop(store);

    // the app restarts: a new keeper on the reopened file offers the mask as painted
    let store = Store::open(dir.path()).unwrap();
    let offer = offered(&key, size, &store).expect("the draft is offered after a restart");
    assert!(offer.mask == mask, "the offered mask differs: {:?} vs {mask:?}", offer.mask);
    assert!(offer.saved_at_ms >= at_ms);
    // another flow on the same job, or another size, offers nothing
    assert!(offered(&DraftKey::edit("job-7"), size, &store).is_none());
    assert!(offered(&key, (4096, 4095), &store).is_none());

    // restored (the editor replaces its mask: everything changed), then partly erased
    let mut k = keeper(&key, size, &store);
    run_until(&mut k, &mask, "the load", DraftKeeper::is_idle);
    let mut restored = k.poll().unwrap().mask;
    k.changed(&restored, restored.full_rect(), Instant::now());
    let r = stroke(&mut restored, (0.0, 200.0), (4096.0, 200.0), 25.0, false);
    k.changed(&restored, r, Instant::now());
    run_until(&mut k, &restored, "the save after restoring", DraftKeeper::is_idle);
    assert!(offered(&key, size, &store).unwrap().mask == restored);

    // the job was accepted: discarded, nothing left to offer
    k.discard();
    assert!(matches!(k.status(), DraftStatus::None));
    run_until(&mut k, &restored, "the discard", DraftKeeper::is_idle);
    assert_eq!(store.load_draft(key.as_str()).unwrap(), None);
    assert!(offered(&key, size, &store).is_none());
}

#[test]
fn saves_wait_for_a_pause_but_never_more_than_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut k = DraftKeeper::new(DraftKey::edit("j"), (640, 480), store.clone(), Arc::new(|| {}));
    let mut mask = Mask::new(640, 480);
    run_until(&mut k, &mask, "the load", DraftKeeper::is_idle);
    let t0 = Instant::now();
    let ms = |n: u64| t0 + Duration::from_millis(n);
    // a dab every 300 ms: each pushes the pause back, until two seconds after the first
    for (i, at) in [0, 300, 600, 900, 1200, 1500, 1800].into_iter().enumerate() {
        let r = stroke(&mut mask, (10.0 + 60.0 * i as f32, 50.0), (20.0 + 60.0 * i as f32, 60.0), 6.0, true);
        k.changed(&mask, r, ms(at));
        let want = if at + 500 <= 2000 { 500 } else { 2000 - at };
        assert_eq!(k.next_save_due(ms(at)), Some(Duration::from_millis(want)), "after the dab at {at} ms");
        assert!(!k.is_idle());
    }
    // frames with nothing new before the deadline save nothing
    k.changed(&mask, Rect::EMPTY, ms(1999));
    assert_eq!(k.next_save_due(ms(1999)), Some(Duration::from_millis(1)));
    assert_eq!(store.load_draft("edit:j").unwrap(), None);
    k.changed(&mask, Rect::EMPTY, ms(2000));
    assert_eq!(k.next_save_due(ms(2000)), None, "handed off");
    run_until(&mut k, &mask, "the save", DraftKeeper::is_idle);
    assert!(matches!(k.status(), DraftStatus::Saved { .. }), "{:?}", k.status());
    assert_eq!(k.next_save_due(Instant::now()), None);
    // a change outside the mask is no change
    k.changed(&mask, Rect::new(5000, 5000, 10, 10), Instant::now());
    assert!(k.is_idle());
}

#[test]
fn a_failed_save_is_shown_and_retried_with_the_whole_mask() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with_timeout(dir.path(), Duration::from_millis(100)).unwrap();
    let key = DraftKey::retexture("j-9");
    let mut k = keeper(&key, (300, 300), &store);
    let mut mask = Mask::new(300, 300);
    run_until(&mut k, &mask, "the load", DraftKeeper::is_idle);
    let r = stroke(&mut mask, (10.0, 10.0), (290.0, 20.0), 5.0, true);
    k.changed(&mask, r, Instant::now());
    run_until(&mut k, &mask, "the first save", DraftKeeper::is_idle);

    // another program holds the write lock: the next stroke's save fails
    let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    let r = stroke(&mut mask, (150.0, 100.0), (160.0, 280.0), 8.0, true);
    k.changed(&mask, r, Instant::now());
    run_until(&mut k, &mask, "the failure", |k| matches!(k.status(), DraftStatus::Failed(_)));
    let DraftStatus::Failed(e) = k.status() else { unreachable!() };
    assert!(matches!(e, DraftError::Save(StoreError::Busy { .. })), "{e:?}");
    let text = e.to_string();
    assert!(text.starts_with("the draft of this mask could not be saved"), "{text}");
    assert!(text.contains("locked by another program") && text.contains("tries again"), "{text}");
    assert!(k.next_save_due(Instant::now()).is_some_and(|d| d <= k.retry), "a retry is scheduled");

    // the lock goes away: the retry writes the whole mask, the failed stroke included
    raw.execute_batch("ROLLBACK").unwrap();
    run_until(&mut k, &mask, "the retry", |k| matches!(k.status(), DraftStatus::Saved { .. }));
    assert!(offered(&key, (300, 300), &store).unwrap().mask == mask);
}

#[test]
fn a_damaged_draft_is_reported_and_replaced_by_the_next_save() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let key = DraftKey::edit_file(Path::new("/pictures/cat.png"));
    store.save_draft_tiles(key.as_str(), 128, 128, &[(0, vec![255, 0, 16]), (3, vec![1, 2])]).unwrap();
    let mut k = keeper(&key, (128, 128), &store);
    let mut mask = Mask::new(128, 128);
    run_until(&mut k, &mask, "the load", DraftKeeper::is_idle);
    assert!(k.poll().is_none());
    let DraftStatus::Failed(e) = k.status() else { panic!("{:?}", k.status()) };
    assert!(matches!(e, DraftError::Damaged(TileError::Truncated { index: 3, len: 2 })), "{e:?}");
    assert!(e.to_string().contains("damaged and cannot be restored"), "{e}");

    let r = stroke(&mut mask, (70.0, 70.0), (80.0, 90.0), 4.0, true);
    k.changed(&mask, r, Instant::now());
    run_until(&mut k, &mask, "the save", |k| matches!(k.status(), DraftStatus::Saved { .. }));
    let kept = offered(&key, (128, 128), &store).unwrap();
    assert!(kept.mask == mask, "the damaged tiles are gone, not mixed in");
}

#[test]
fn a_discard_drops_work_in_flight_and_painting_after_it_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let key = DraftKey::edit("j-2");
    let mut k = keeper(&key, (200, 200), &store);
    let mut mask = Mask::new(200, 200);
    let first = stroke(&mut mask, (10.0, 10.0), (190.0, 10.0), 6.0, true);
    k.changed(&mask, first, Instant::now());
    k.flush(&mask);
    // discarded while the load and the save may still be running
    k.discard();
    run_until(&mut k, &mask, "the discard", DraftKeeper::is_idle);
    assert!(matches!(k.status(), DraftStatus::None), "{:?}", k.status());
    assert!(k.poll().is_none());
    assert_eq!(store.load_draft(key.as_str()).unwrap(), None);

    // painting goes on in the same editor: a new draft, with what is on the canvas
    let r = stroke(&mut mask, (100.0, 100.0), (120.0, 180.0), 6.0, true);
    k.changed(&mask, r, Instant::now());
    run_until(&mut k, &mask, "the new draft", DraftKeeper::is_idle);
    assert!(offered(&key, (200, 200), &store).unwrap().mask == mask);

    // a mask erased back to nothing leaves no draft to offer
    let mut k = keeper(&key, (200, 200), &store);
    run_until(&mut k, &mask, "the load", DraftKeeper::is_idle);
    let mut cleared = k.poll().unwrap().mask;
    let all = cleared.clear();
    k.changed(&cleared, all, Instant::now());
    run_until(&mut k, &cleared, "the save", DraftKeeper::is_idle);
    assert!(matches!(k.status(), DraftStatus::None), "{:?}", k.status());
    assert!(offered(&key, (200, 200), &store).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn on_the_runtime_the_store_is_used_from_its_blocking_pool() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let key = DraftKey::region("j-rt");
    let mut k = keeper(&key, (256, 256), &store);
    let mut mask = Mask::new(256, 256);
    let r = stroke(&mut mask, (0.0, 128.0), (256.0, 140.0), 10.0, true);
    k.changed(&mask, r, Instant::now());
    run_until(&mut k, &mask, "the save", DraftKeeper::is_idle);
    assert!(offered(&key, (256, 256), &store).unwrap().mask == mask);
}
