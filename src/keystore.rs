//! Where the API key lives between runs: the OS keyring when there is one, else a private file.
//!
//! The keyring is reached through libsecret's `secret-tool` (attributes `service=mjdesk
//! provider=<name>`), with the key passed on stdin so it never shows in a process list.
//! Without a working keyring the key goes to `credentials.toml` in the config directory,
//! created with mode 0600; a file found readable by others is made private again and a
//! warning returned. Keys given on the command line or in the environment are not saved
//! here: callers decide that. No error text ever contains the key.

mod file;
mod secret_tool;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::job::Provider;
use crate::secret::ApiKey;

use secret_tool::SecretTool;

/// The file the key is kept in when there is no keyring.
pub const CREDENTIALS_FILE: &str = "credentials.toml";

/// Where a key was found or put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    Keyring,
    File(PathBuf),
}

impl std::fmt::Display for Where {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Where::Keyring => f.write_str("the system keyring"),
            Where::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A key as loaded, with where it came from and anything the designer should know.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub key: ApiKey,
    pub from: Where,
    /// Set when the credentials file had to be made private again.
    pub warning: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum KeyStoreError {
    #[error("the credentials file {} could not be read: {detail}", .path.display())]
    Read { path: PathBuf, detail: String },
    #[error("the key could not be saved in {}: {detail}", .path.display())]
    Write { path: PathBuf, detail: String },
    #[error(
        "the credentials file {} is damaged at line {line}; fix or delete that line, then enter the key again",
        .path.display()
    )]
    Damaged { path: PathBuf, line: usize },
    #[error("the system keyring could not {action} the key: {detail}")]
    Keyring { action: &'static str, detail: String },
    #[error("the API key is empty; paste the key your gateway gave you")]
    Empty,
}

/// The config directory: `MJDESK_CONFIG_DIR` when set, else the platform's (e.g.
/// `~/.config/mjdesk` on Linux).
pub fn config_dir() -> PathBuf {
    config_dir_from(std::env::var_os("MJDESK_CONFIG_DIR"))
}

fn config_dir_from(overridden: Option<OsString>) -> PathBuf {
    if let Some(dir) = overridden.filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match directories::ProjectDirs::from("io", "mjdesk", "mjdesk") {
        Some(dirs) => dirs.config_dir().to_path_buf(),
        None => PathBuf::from("mjdesk-config"),
    }
}

/// Saves, loads and forgets API keys, one per provider.
#[derive(Debug)]
pub struct KeyStore {
    dir: PathBuf,
    keyring: Option<SecretTool>,
}

impl Default for KeyStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyStore {
    /// The keyring through `secret-tool` if it is on PATH (it is tried on first use and
    /// skipped if it does not work), with the file in [`config_dir`] as the fallback.
    pub fn new() -> Self {
        Self { dir: config_dir(), keyring: SecretTool::on_path() }
    }

    /// Only the credentials file in `dir`, never the keyring.
    pub fn file_only(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), keyring: None }
    }

    /// A given `secret-tool` program, with the file in `dir` as the fallback.
    #[cfg(test)]
    fn with_secret_tool(dir: impl Into<PathBuf>, program: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), keyring: Some(SecretTool::new(program.into())) }
    }

    /// The fallback file (which may not exist).
    pub fn credentials_path(&self) -> PathBuf {
        self.dir.join(CREDENTIALS_FILE)
    }

    fn working_keyring(&self) -> Option<&SecretTool> {
        self.keyring.as_ref().filter(|k| k.works())
    }

    /// The saved key for `provider`, if any. A warning about the file's permissions is
    /// logged; use [`KeyStore::load_with_notes`] to show it.
    pub fn load(&self, provider: Provider) -> Result<Option<ApiKey>, KeyStoreError> {
        let loaded = self.load_with_notes(provider)?;
        if let Some(w) = loaded.as_ref().and_then(|l| l.warning.as_deref()) {
            tracing::warn!("{w}");
        }
        Ok(loaded.map(|l| l.key))
    }

    /// The saved key for `provider`, where it was, and any warning. The keyring is asked
    /// first; the file is read when the keyring has no key or cannot be used.
    pub fn load_with_notes(&self, provider: Provider) -> Result<Option<Loaded>, KeyStoreError> {
        if let Some(ring) = self.working_keyring() {
            match ring.lookup(provider) {
                Ok(Some(key)) => return Ok(Some(Loaded { key, from: Where::Keyring, warning: None })),
                Ok(None) => {}
                Err(e) => tracing::warn!("reading the keyring failed, trying the credentials file: {e}"),
            }
        }
        let path = self.credentials_path();
        let Some((entries, warning)) = file::read(&path)? else {
            return Ok(None);
        };
        Ok(entries
            .get(provider.as_str())
            .map(|k| ApiKey::new(k.as_str()))
            .filter(|k| !k.is_empty())
            .map(|key| Loaded { key, from: Where::File(path), warning }))
    }

    /// Saves `key` for `provider` in the keyring, or in the file when the keyring is not
    /// available or refuses. A key moved to the keyring is removed from the file.
    pub fn save(&self, provider: Provider, key: &ApiKey) -> Result<Where, KeyStoreError> {
        if key.is_empty() {
            return Err(KeyStoreError::Empty);
        }
        if let Some(ring) = self.working_keyring() {
            match ring.store(provider, key) {
                Ok(()) => {
                    self.remove_from_file(provider)?;
                    return Ok(Where::Keyring);
                }
                Err(e) => tracing::warn!("the keyring refused the key, using the credentials file: {e}"),
            }
        }
        let path = self.credentials_path();
        let mut entries = file::read(&path)?.map(|(e, _)| e).unwrap_or_default();
        entries.insert(provider.as_str().to_owned(), key.expose().to_owned());
        file::write(&self.dir, &path, &entries)?;
        Ok(Where::File(path))
    }

    /// Forgets the key for `provider` everywhere it may be.
    pub fn delete(&self, provider: Provider) -> Result<(), KeyStoreError> {
        if let Some(ring) = self.working_keyring() {
            ring.clear(provider)?;
        }
        self.remove_from_file(provider)
    }

    fn remove_from_file(&self, provider: Provider) -> Result<(), KeyStoreError> {
        let path = self.credentials_path();
        let Some((mut entries, _)) = file::read(&path)? else {
            return Ok(());
        };
        if entries.remove(provider.as_str()).is_none() {
            return Ok(());
        }
        if entries.is_empty() {
            std::fs::remove_file(&path).map_err(|e| KeyStoreError::Write { path: path.clone(), detail: e.to_string() })
        } else {
            file::write(&self.dir, &path, &entries)
        }
    }

    /// The directory holding the credentials file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
