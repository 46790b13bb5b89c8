//! Masks being painted, kept as drafts so that a crash or a kill does not lose them.
//!
//! A draft is named by a key (the flow and the job or file it is for, see
//! `app::editors::draft::DraftKey`), has the image's size, and holds the mask's tiles as
//! opaque bytes (`crate::mask::draft` encodes and checks them). A save writes only the tiles
//! that changed, over the ones written before, in one IMMEDIATE transaction with the time of
//! the save: a crash keeps the draft as of the last whole save. Nothing here reads the bytes,
//! so a damaged draft loads as it is and is refused by the decoder, not here.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};
use crate::job::now_ms;

/// A draft as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub width: u32,
    pub height: u32,
    /// When it was last saved, ms since the epoch.
    pub updated_at: i64,
    /// `(tile index, bytes)` in index order.
    pub tiles: Vec<(u32, Vec<u8>)>,
}

/// A stored number as a `u32`; one that does not fit (the file was damaged or written by
/// something else) becomes `u32::MAX`, which no mask tile or image side has, so the decoder
/// refuses the draft with a clear word instead of this read failing.
fn fit(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Store {
    /// Writes `tiles` (`(index, bytes)`) of the draft `key`, a `width` x `height` mask, over
    /// the tiles saved before, and marks the draft saved now; returns that time (ms since the
    /// epoch). A draft saved before at another size loses its old tiles: they were of another
    /// image.
    pub fn save_draft_tiles(
        &self,
        key: &str,
        width: u32,
        height: u32,
        tiles: &[(u32, Vec<u8>)],
    ) -> Result<i64, StoreError> {
        self.write_draft(key, width, height, tiles, false)
    }

    /// Like [`save_draft_tiles`](Self::save_draft_tiles), but the draft becomes exactly
    /// `tiles`: every tile saved before is dropped in the same transaction.
    pub fn replace_draft(
        &self,
        key: &str,
        width: u32,
        height: u32,
        tiles: &[(u32, Vec<u8>)],
    ) -> Result<i64, StoreError> {
        self.write_draft(key, width, height, tiles, true)
    }

    fn write_draft(
        &self,
        key: &str,
        width: u32,
        height: u32,
        tiles: &[(u32, Vec<u8>)],
        replace: bool,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let write = || -> rusqlite::Result<()> {
            let mut conn = self.conn();
            // IMMEDIATE: the write lock is taken (waiting as the busy timeout allows) before
            // the old size is read, so nobody writes between that read and this write.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let old: Option<(i64, i64)> = tx
                .query_row("SELECT width, height FROM mask_drafts WHERE key = ?1", [key], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if replace || old.is_some_and(|size| size != (i64::from(width), i64::from(height))) {
                tx.execute("DELETE FROM mask_draft_tiles WHERE key = ?1", [key])?;
            }
            tx.execute(
                "INSERT INTO mask_drafts (key, width, height, updated_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(key) DO UPDATE SET width = excluded.width, height = excluded.height, \
                 updated_at = excluded.updated_at",
                params![key, width, height, now],
            )?;
            {
                let mut put = tx.prepare_cached(
                    "INSERT INTO mask_draft_tiles (key, tile, bytes) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(key, tile) DO UPDATE SET bytes = excluded.bytes",
                )?;
                for (tile, bytes) in tiles {
                    put.execute(params![key, tile, bytes])?;
                }
            }
            tx.commit()
        };
        write().map_err(|e| self.err(e))?;
        Ok(now)
    }

    /// The draft `key` as last saved, or `None` when there is none.
    pub fn load_draft(&self, key: &str) -> Result<Option<StoredDraft>, StoreError> {
        let read = |conn: &mut Connection| -> rusqlite::Result<Option<StoredDraft>> {
            // One read transaction: the size and the tiles come from the same save, even with
            // another process writing.
            let tx = conn.transaction()?;
            let head: Option<(i64, i64, i64)> = tx
                .query_row("SELECT width, height, updated_at FROM mask_drafts WHERE key = ?1", [key], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let Some((width, height, updated_at)) = head else { return Ok(None) };
            let mut stmt =
                tx.prepare_cached("SELECT tile, bytes FROM mask_draft_tiles WHERE key = ?1 ORDER BY tile")?;
            let rows = stmt.query_map([key], |r| {
                // Whatever is stored where bytes belong goes to the decoder, which judges it.
                let bytes = match r.get_ref(1)? {
                    ValueRef::Blob(b) | ValueRef::Text(b) => b.to_vec(),
                    _ => Vec::new(),
                };
                Ok((fit(r.get(0)?), bytes))
            })?;
            let tiles = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Some(StoredDraft { width: fit(width), height: fit(height), updated_at, tiles }))
        };
        read(&mut self.conn()).map_err(|e| self.err(e))
    }

    /// Deletes the draft `key` and its tiles; true when there was one.
    pub fn discard_draft(&self, key: &str) -> Result<bool, StoreError> {
        let deleted = self.conn().execute("DELETE FROM mask_drafts WHERE key = ?1", [key]).map_err(|e| self.err(e))?;
        Ok(deleted > 0)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::store::DB_FILE;

    fn tiles(list: &[(u32, &[u8])]) -> Vec<(u32, Vec<u8>)> {
        list.iter().map(|(t, b)| (*t, b.to_vec())).collect()
    }

    fn tile_rows(store: &Store) -> i64 {
        store.conn().query_row("SELECT count(*) FROM mask_draft_tiles", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn saves_patch_earlier_tiles_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.load_draft("region:job-1").unwrap(), None);

        let first = store.save_draft_tiles("region:job-1", 300, 200, &tiles(&[(0, b"a"), (4, b"b")])).unwrap();
        let second = store.save_draft_tiles("region:job-1", 300, 200, &tiles(&[(4, b"B"), (9, b"c")])).unwrap();
        assert!(second >= first);
        // another key is another draft
        store.save_draft_tiles("edit:job-1", 300, 200, &tiles(&[(1, b"x")])).unwrap();

        let want = StoredDraft {
            width: 300,
            height: 200,
            updated_at: second,
            tiles: tiles(&[(0, b"a"), (4, b"B"), (9, b"c")]),
        };
        assert_eq!(store.load_draft("region:job-1").unwrap().as_ref(), Some(&want));
        drop(store);

        let reopened = Store::open(dir.path()).unwrap();
        assert_eq!(reopened.load_draft("region:job-1").unwrap(), Some(want));
        assert_eq!(reopened.load_draft("edit:job-1").unwrap().unwrap().tiles, tiles(&[(1, b"x")]));
    }

    #[test]
    fn replace_keeps_only_the_new_tiles_and_a_new_size_drops_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.save_draft_tiles("k", 128, 128, &tiles(&[(0, b"a"), (1, b"b"), (3, b"d")])).unwrap();
        store.replace_draft("k", 128, 128, &tiles(&[(1, b"B")])).unwrap();
        assert_eq!(store.load_draft("k").unwrap().unwrap().tiles, tiles(&[(1, b"B")]));
        // an empty replace leaves a draft with no tiles (the caller decides what that means)
        store.replace_draft("k", 128, 128, &[]).unwrap();
        assert_eq!(store.load_draft("k").unwrap().unwrap().tiles, []);

        store.save_draft_tiles("k", 128, 128, &tiles(&[(2, b"c")])).unwrap();
        store.save_draft_tiles("k", 64, 256, &tiles(&[(0, b"z")])).unwrap();
        let d = store.load_draft("k").unwrap().unwrap();
        assert_eq!((d.width, d.height, d.tiles), (64, 256, tiles(&[(0, b"z")])));
    }

    #[test]
    fn discard_removes_the_draft_and_its_tiles_and_only_that_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.save_draft_tiles("retexture:j", 64, 64, &tiles(&[(0, b"a")])).unwrap();
        store.save_draft_tiles("edit-file:/tmp/a b.png", 64, 64, &tiles(&[(0, b"b")])).unwrap();
        assert!(store.discard_draft("retexture:j").unwrap());
        assert!(!store.discard_draft("retexture:j").unwrap(), "nothing left to discard");
        assert_eq!(store.load_draft("retexture:j").unwrap(), None);
        assert_eq!(tile_rows(&store), 1, "the discarded draft's tiles went with it");
        drop(store);
        let reopened = Store::open(dir.path()).unwrap();
        assert_eq!(reopened.load_draft("retexture:j").unwrap(), None);
        assert!(reopened.load_draft("edit-file:/tmp/a b.png").unwrap().is_some());
    }

    #[test]
    fn a_batch_that_fails_half_way_leaves_the_draft_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let before = store.save_draft_tiles("k", 640, 640, &tiles(&[(0, b"a"), (1, b"b")])).unwrap();
        // refuse tile 7 on this connection only, after tiles 0 and 1 of the batch were written
        store
            .conn()
            .execute_batch(
                "CREATE TEMP TRIGGER refuse_7 BEFORE INSERT ON mask_draft_tiles WHEN new.tile = 7 \
                 BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;",
            )
            .unwrap();
        let err = store.replace_draft("k", 640, 640, &tiles(&[(0, b"A"), (1, b"B"), (7, b"C")])).unwrap_err();
        assert!(matches!(err, StoreError::Database { .. }), "{err:?}");
        let d = store.load_draft("k").unwrap().unwrap();
        assert_eq!((d.updated_at, d.tiles), (before, tiles(&[(0, b"a"), (1, b"b")])));
    }

    #[test]
    fn a_lock_held_by_another_program_is_a_busy_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with_timeout(dir.path(), Duration::from_millis(100)).unwrap();
        let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
        raw.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('theme', 'dark');").unwrap();
        let err = store.save_draft_tiles("k", 64, 64, &tiles(&[(0, b"a")])).unwrap_err();
        assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
        raw.execute_batch("COMMIT").unwrap();
        store.save_draft_tiles("k", 64, 64, &tiles(&[(0, b"a")])).unwrap();
    }

    #[test]
    fn rows_written_by_something_else_load_for_the_decoder_to_judge() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
        raw.execute_batch(
            "INSERT INTO mask_drafts VALUES ('k', -5, 99999999999, 7);
             INSERT INTO mask_draft_tiles VALUES ('k', -1, x'00ff'), ('k', 3, 'text');",
        )
        .unwrap();
        let d = store.load_draft("k").unwrap().unwrap();
        assert_eq!((d.width, d.height, d.updated_at), (u32::MAX, u32::MAX, 7));
        // the rows come in stored order: -1 first
        assert_eq!(d.tiles, tiles(&[(u32::MAX, &[0, 255]), (3, b"text")]));
    }
}
