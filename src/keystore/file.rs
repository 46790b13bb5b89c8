//! The credentials file: `provider = "key"` lines (a TOML subset), private to the user.
//!
//! It is written whole to a temp file created with mode 0600 and renamed into place, so it
//! is never readable by others, not even for a moment, and never half-written. Errors name
//! the file and a line number, never a line's text (it may hold a key).

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::Path;

use super::KeyStoreError;

/// Keys by provider name.
pub(super) type Entries = BTreeMap<String, String>;

const HEADER: &str = "# mjdesk API keys, one line per gateway. Keep this file private (mode 0600).\n";

/// The entries in `path` and a warning if its permissions had to be fixed; `None` when there
/// is no file.
pub(super) fn read(path: &Path) -> Result<Option<(Entries, Option<String>)>, KeyStoreError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(KeyStoreError::Read { path: path.to_path_buf(), detail: e.to_string() }),
    };
    let warning = make_private(path);
    let entries = parse(&text).map_err(|line| KeyStoreError::Damaged { path: path.to_path_buf(), line })?;
    Ok(Some((entries, warning)))
}

/// Re-chmods a file others can read; says so if it had to.
#[cfg(unix)]
fn make_private(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).ok()?.permissions().mode();
    if mode & 0o077 == 0 {
        return None;
    }
    let shown = path.display();
    Some(match fs::set_permissions(path, fs::Permissions::from_mode(0o600)) {
        Ok(()) => format!(
            "the credentials file {shown} was readable by other users (mode {:o}); mjdesk made it private \
             (0600). If others could reach this machine, consider replacing the key",
            mode & 0o777
        ),
        Err(e) => format!(
            "the credentials file {shown} is readable by other users (mode {:o}) and could not be made \
             private: {e}",
            mode & 0o777
        ),
    })
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> Option<String> {
    None
}

/// The entries of a credentials file, or the number of the first line that is not one.
pub(super) fn parse(text: &str) -> Result<Entries, usize> {
    let mut entries = Entries::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line.split_once('=').ok_or(i + 1)?;
        let name = name.trim();
        let quoted = value.trim().strip_prefix('"').and_then(|v| v.strip_suffix('"')).ok_or(i + 1)?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(i + 1);
        }
        entries.insert(name.to_owned(), unescape(quoted).ok_or(i + 1)?);
    }
    Ok(entries)
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(match chars.next()? {
                '\\' => '\\',
                '"' => '"',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => return None,
            }),
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

pub(super) fn render(entries: &Entries) -> String {
    let mut text = HEADER.to_owned();
    for (name, key) in entries {
        text.push_str(&format!("{name} = \"{}\"\n", escape(key)));
    }
    text
}

/// Replaces the file at `path` (in `dir`, created 0700 if missing) with `entries`.
pub(super) fn write(dir: &Path, path: &Path, entries: &Entries) -> Result<(), KeyStoreError> {
    let fail = |e: std::io::Error| KeyStoreError::Write { path: path.to_path_buf(), detail: e.to_string() };
    create_private_dir(dir).map_err(fail)?;
    let tmp = dir.join(format!(".credentials.{}.{:016x}.tmp", std::process::id(), fastrand::u64(..)));
    let written = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(render(entries).as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
