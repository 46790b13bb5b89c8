//! Another process's changes to the store reach this one: every `watch_interval` the store's
//! `data_version` is read (a pragma, no table is touched); when another connection has
//! committed, the jobs written since the last look are reported as [`Update::Job`]. A job
//! this process is driving is skipped (its own driver reports it). Idle, this costs one
//! pragma a second.

use std::sync::{Arc, Weak};

use super::{Inner, Update};

/// How many changed jobs are read per look; more wait for the next one.
const BATCH: u32 = 200;

pub(super) fn start(inner: Weak<Inner>) {
    tokio::spawn(async move {
        let Some(first) = inner.upgrade() else { return };
        let interval = first.config.watch_interval;
        let initial =
            first.blocking(|s| Ok::<_, crate::store::StoreError>((s.data_version()?, s.last_update()?))).await;
        let (mut version, mut since) = match initial {
            Ok(Ok(v)) => v,
            _ => return,
        };
        drop(first);
        loop {
            tokio::time::sleep(interval).await;
            let Some(inner) = inner.upgrade() else { return };
            if inner.updates.is_closed() {
                return;
            }
            let Ok(Ok(now)) = inner.blocking(|s| s.data_version()).await else { continue };
            if now == version {
                continue;
            }
            version = now;
            let from = since;
            let Ok(Ok(changed)) = inner.blocking(move |s| s.jobs_updated_since(from, BATCH)).await else { continue };
            if changed.len() as u32 == BATCH {
                // More than a batch changed at once: look again at once for the rest.
                version = version.wrapping_sub(1);
            }
            for (at, job) in changed {
                since = since.max(at);
                match job {
                    Ok(job) if !inner.is_live(&job.id) => inner.emit(Update::Job(Arc::new(job))),
                    Ok(_) => {}
                    Err(e) => inner.emit(Update::Notice(e.into())),
                }
            }
        }
    });
}
