//! Writing into the export folder: the folder proved writable first, each image and its
//! sidecar written whole or not at all (hidden temporary files, flushed, then renamed), the
//! folder's entries flushed at the end, and failures said in words a designer can act on.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Makes the folder and proves a file can be written in it, before anything is copied.
pub(super) fn open_folder(dir: &Path) -> Result<(), String> {
    let refuse = |e: std::io::Error| format!("cannot write to the folder {}: {}", dir.display(), why(&e));
    std::fs::create_dir_all(dir).map_err(refuse)?;
    let probe = dir.join(format!(".mjdesk-export-check-{}", std::process::id()));
    let written = std::fs::File::create(&probe).and_then(|mut f| f.write_all(b"mjdesk"));
    let _ = std::fs::remove_file(&probe);
    written.map_err(refuse)?;
    remove_abandoned_parts(dir);
    Ok(())
}

/// Removes the hidden temporary files an export killed mid-write left (`.NAME.PID.part`
/// whose process is gone), so a folder is clean once exported into again. Another export
/// still running into the same folder keeps its own.
fn remove_abandoned_parts(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(pid) = part_pid(name) else { continue };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The process id in a temporary file's name `.NAME.PID.part`.
fn part_pid(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(".part")?;
    stem.rsplit_once('.')?.1.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true // not known elsewhere: leave the file
    }
}

/// Writes `name` and its `.json` sidecar into `dir`, each whole or not at all. On failure,
/// the path being written and why.
pub(super) fn write_pair(
    dir: &Path,
    name: &str,
    image: &[u8],
    sidecar: &[u8],
) -> Result<(), (PathBuf, std::io::Error)> {
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or(name);
    let files = [(dir.join(name), image), (dir.join(format!("{stem}.json")), sidecar)];
    let temp = |final_path: &Path| {
        let file = final_path.file_name().and_then(|n| n.to_str()).unwrap_or("export");
        dir.join(format!(".{file}.{}.part", std::process::id()))
    };
    let mut written: Vec<PathBuf> = Vec::new();
    for (path, bytes) in &files {
        let tmp = temp(path);
        let result = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
        written.push(tmp);
        if let Err(e) = result {
            for t in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err((path.clone(), e));
        }
    }
    for ((path, _), tmp) in files.iter().zip(&written) {
        if let Err(e) = std::fs::rename(tmp, path) {
            for t in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err((path.clone(), e));
        }
    }
    Ok(())
}

/// Flushes the folder's entries (the renames) to disk, where the system allows it.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Why a file operation failed, in words a designer can act on.
pub fn why(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match (e.kind(), e.raw_os_error()) {
        (ErrorKind::StorageFull, _) | (_, Some(28 | 122)) => "the disk is full".into(),
        (ErrorKind::FileTooLarge, _) | (_, Some(27)) => "the file is larger than that disk or the system allows".into(),
        (ErrorKind::PermissionDenied, _) => "permission denied".into(),
        (ErrorKind::ReadOnlyFilesystem, _) => "the disk is read-only".into(),
        (ErrorKind::NotADirectory, _) | (ErrorKind::AlreadyExists, _) => "a file is in the way of the folder".into(),
        (ErrorKind::NotFound, _) => "it does not exist".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_failures_are_said_plainly() {
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(why(&full), "the disk is full");
        assert_eq!(
            why(&std::io::Error::from_raw_os_error(27)),
            "the file is larger than that disk or the system allows"
        );
    }

    #[test]
    fn a_pair_is_written_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        write_pair(dir.path(), "fox_1a2b3c4d_1.png", b"png bytes", b"{}").unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["fox_1a2b3c4d_1.json", "fox_1a2b3c4d_1.png"]);
        assert_eq!(std::fs::read(dir.path().join("fox_1a2b3c4d_1.png")).unwrap(), b"png bytes");
        // A folder that is gone: the error names the file, nothing is left behind.
        let gone = dir.path().join("gone");
        let (path, _) = write_pair(&gone, "a.png", b"x", b"{}").unwrap_err();
        assert_eq!(path, gone.join("a.png"));
    }
}
