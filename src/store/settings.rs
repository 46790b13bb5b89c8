//! Plain settings and the prompt history.
//!
//! Settings are for preferences (last provider, base URL, window layout). The API key must
//! never land here, so names that look like they would hold one are refused outright: a
//! mistake shows up as an error the first time, not as a key sitting in a database file.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::job::now_ms;

/// One remembered prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptUse {
    pub prompt: String,
    /// When it was last used, ms since the epoch (strictly increasing across uses, so the
    /// order is exact even within one millisecond).
    pub used_at: i64,
    /// How many times it was used.
    pub count: u32,
}

/// True for a setting name that suggests a secret: one containing `api_key`, `token`,
/// `secret`, `password` or `credential` in any case or spelling (`apiKey`, `api-key`), or a
/// name part that is just `key` (`ttapi.key`).
pub(crate) fn looks_secret(name: &str) -> bool {
    let squashed: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let words = ["apikey", "token", "secret", "password", "credential"];
    words.iter().any(|w| squashed.contains(w))
        || name.split(|c: char| !c.is_ascii_alphanumeric()).any(|part| part.eq_ignore_ascii_case("key"))
}

impl Store {
    pub fn get_setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Stores a preference. Refuses (with [`StoreError::SecretSetting`]) a name that looks
    /// like it would hold a key or token.
    pub fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        if looks_secret(name) {
            return Err(StoreError::SecretSetting(name.to_owned()));
        }
        self.conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![name, value],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn delete_setting(&self, name: &str) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM settings WHERE key = ?1", [name]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Remembers that `prompt` (trimmed) was just used. Blank prompts are not remembered.
    pub fn add_prompt(&self, prompt: &str) -> Result<(), StoreError> {
        let prompt = prompt.trim();
        if prompt.is_empty() {
            return Ok(());
        }
        self.conn()
            .execute(
                "INSERT INTO prompt_history (prompt, used_at, count) \
                 VALUES (?1, max(?2, (SELECT coalesce(max(used_at), 0) + 1 FROM prompt_history)), 1) \
                 ON CONFLICT(prompt) DO UPDATE SET used_at = excluded.used_at, count = count + 1",
                params![prompt, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The `limit` most recently used prompts, most recent first, each once.
    pub fn prompt_history(&self, limit: u32) -> Result<Vec<PromptUse>, StoreError> {
        let conn = self.conn();
        let read = || -> rusqlite::Result<Vec<PromptUse>> {
            let mut stmt = conn
                .prepare_cached("SELECT prompt, used_at, count FROM prompt_history ORDER BY used_at DESC LIMIT ?1")?;
            let rows = stmt.query_map([limit], |r| {
                let count: i64 = r.get(2)?;
                Ok(PromptUse { prompt: r.get(0)?, used_at: r.get(1)?, count: u32::try_from(count).unwrap_or(u32::MAX) })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.err(e))
    }
}
