//! The content-addressed image cache: every downloaded result image, kept for good.
//!
//! Gateway links expire; our copy must not. A file is named by the SHA-256 of its bytes, so
//! the same image downloaded twice is stored once, and a name always means the same bytes.
//! Files are written to a temp file and renamed into place, so a crash or a second process
//! never leaves (or shows) a half-written image under a real name.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Extensions the cache writes, from the image's magic bytes.
const EXTENSIONS: [&str; 5] = ["png", "jpg", "webp", "gif", "bin"];

#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    #[error("the image cache folder {} could not be created: {detail}", .path.display())]
    CreateDir { path: PathBuf, detail: String },
    #[error("the image could not be saved in the cache as {}: {detail}", .path.display())]
    Write { path: PathBuf, detail: String },
}

/// A folder of images named `<sha256 hex>.<ext>`.
#[derive(Debug, Clone)]
pub struct ImageCache {
    dir: PathBuf,
}

/// The lowercase hex SHA-256 of `bytes`: the name an image gets in the cache.
pub fn hash_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The file extension for an image (or a clip), from its first bytes; `bin` when it is none
/// we know.
pub fn extension_for(bytes: &[u8]) -> &'static str {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => "png",
        [0xff, 0xd8, 0xff, ..] => "jpg",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "webp",
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => "gif",
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => "mp4",
        _ => "bin",
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl ImageCache {
    /// A cache in `dir` (normally `data_dir()/images`); the folder is made on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache in mjdesk's data directory.
    pub fn in_data_dir() -> Self {
        Self::new(crate::store::data_dir().join("images"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores `bytes` and returns where they are. The same bytes always give the same path,
    /// and a complete copy already there is not written again.
    pub fn put(&self, bytes: &[u8]) -> Result<PathBuf, CacheError> {
        let hash = hash_hex(bytes);
        let path = self.dir.join(format!("{hash}.{}", extension_for(bytes)));
        // A copy of the right size is the same image (the name is its hash); a short one is
        // a leftover of a damaged disk and is replaced.
        if fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
            return Ok(path);
        }
        fs::create_dir_all(&self.dir)
            .map_err(|e| CacheError::CreateDir { path: self.dir.clone(), detail: io_detail(&e) })?;
        let tmp = self.dir.join(format!(".{hash}.{}.{:016x}.tmp", std::process::id(), fastrand::u64(..)));
        let written = write_new(&tmp, bytes).and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(CacheError::Write { path, detail: io_detail(&e) });
        }
        sync_dir(&self.dir);
        Ok(path)
    }

    /// The cached file for a hash from [`hash_hex`], if the cache holds it.
    pub fn path_for(&self, hash: &str) -> Option<PathBuf> {
        if !is_hash(hash) {
            return None;
        }
        EXTENSIONS.iter().map(|ext| self.dir.join(format!("{hash}.{ext}"))).find(|p| p.is_file())
    }

    /// True when `path` is an image file this cache holds (a path kept in the job database
    /// may point at a cache that was moved or emptied since).
    pub fn contains(&self, path: &Path) -> bool {
        let named_by_hash = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split_once('.'))
            .is_some_and(|(stem, ext)| is_hash(stem) && EXTENSIONS.contains(&ext));
        named_by_hash && path.parent() == Some(self.dir.as_path()) && path.is_file()
    }
}

/// An I/O error in words: a full disk (or quota) says so plainly, since that is the one the
/// designer can fix at once; anything else keeps the system's own text.
pub fn io_detail(e: &std::io::Error) -> String {
    /// ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows; ENOSPC elsewhere.
    #[cfg(windows)]
    const FULL_CODES: &[i32] = &[112, 39];
    #[cfg(not(windows))]
    const FULL_CODES: &[i32] = &[28];
    let full = matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
        || e.raw_os_error().is_some_and(|c| FULL_CODES.contains(&c));
    if full { format!("the disk is full; free some space and try again ({e})") } else { e.to_string() }
}

/// Writes `bytes` to a file that must not exist yet, and flushes it to disk before the
/// rename makes it visible.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename itself durable. Best effort: not every platform can open a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(seed: u8, len: usize) -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        b.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
        b
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_full_disk_says_so() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(io_detail(&full).starts_with("the disk is full"), "{}", io_detail(&full));
        #[cfg(unix)]
        assert!(io_detail(&std::io::Error::from_raw_os_error(28)).starts_with("the disk is full"));
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(!io_detail(&other).contains("full"), "{}", io_detail(&other));
    }

    #[test]
    fn same_bytes_same_path_and_no_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path().join("images"));
        let bytes = png_bytes(1, 1000);
        let first = cache.put(&bytes).unwrap();
        assert_eq!(first, cache.dir().join(format!("{}.png", hash_hex(&bytes))));
        assert_eq!(fs::read(&first).unwrap(), bytes);
        let modified = fs::metadata(&first).unwrap().modified().unwrap();
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&fs::metadata(&first).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(cache.put(&bytes).unwrap(), first);
        assert_eq!(fs::metadata(&first).unwrap().modified().unwrap(), modified);
        #[cfg(unix)]
        assert_eq!(std::os::unix::fs::MetadataExt::ino(&fs::metadata(&first).unwrap()), inode);
        let other = cache.put(&png_bytes(2, 1000)).unwrap();
        assert_ne!(other, first);
        assert_eq!(entries(cache.dir()).len(), 2, "no temp files left behind");
    }

    #[test]
    fn a_truncated_copy_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path());
        let bytes = png_bytes(3, 500);
        let path = cache.put(&bytes).unwrap();
        fs::write(&path, &bytes[..100]).unwrap();
        assert_eq!(cache.put(&bytes).unwrap(), path);
        assert_eq!(fs::read(&path).unwrap(), bytes);
    }

    #[test]
    fn readers_never_see_a_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path());
        let bytes = std::sync::Arc::new(png_bytes(4, 4 << 20));
        let path = cache.dir().join(format!("{}.png", hash_hex(&bytes)));
        let reader = {
            let (path, bytes) = (path.clone(), bytes.clone());
            std::thread::spawn(move || {
                // Stops after 20 complete reads; the deadline only keeps a failed writer from
                // leaving this thread spinning.
                let (mut seen, give_up) = (0, std::time::Instant::now() + std::time::Duration::from_secs(30));
                while seen < 20 && std::time::Instant::now() < give_up {
                    if let Ok(got) = fs::read(&path) {
                        assert!(got.len() == bytes.len() && got == *bytes, "partial read of {} bytes", got.len());
                        seen += 1;
                    }
                }
            })
        };
        let writers: Vec<_> = (0..3)
            .map(|_| {
                let (cache, bytes) = (cache.clone(), bytes.clone());
                std::thread::spawn(move || cache.put(&bytes).unwrap())
            })
            .collect();
        for w in writers {
            assert_eq!(w.join().unwrap(), path);
        }
        reader.join().unwrap();
        assert_eq!(entries(cache.dir()).len(), 1);
    }

    #[test]
    fn extensions_come_from_magic_bytes() {
        assert_eq!(extension_for(&png_bytes(0, 4)), "png");
        assert_eq!(extension_for(&[0xff, 0xd8, 0xff, 0xe0, 0, 0]), "jpg");
        assert_eq!(extension_for(b"RIFF\x10\0\0\0WEBPVP8 "), "webp");
        assert_eq!(extension_for(b"GIF89a...."), "gif");
        assert_eq!(extension_for(b"GIF87a"), "gif");
        assert_eq!(extension_for(b"\0\0\0\x18ftypisom"), "mp4");
        assert_eq!(extension_for(b"RIFF\x10\0\0\0WAVEfmt "), "bin");
        assert_eq!(extension_for(b""), "bin");
        let dir = tempfile::tempdir().unwrap();
        let path = ImageCache::new(dir.path()).put(b"<html>expired</html>").unwrap();
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some("bin"));
    }

    #[test]
    fn lookups_by_hash_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path());
        let bytes = b"GIF89a-tiny".to_vec();
        let hash = hash_hex(&bytes);
        assert_eq!(cache.path_for(&hash), None);
        let path = cache.put(&bytes).unwrap();
        assert_eq!(cache.path_for(&hash), Some(path.clone()));
        assert_eq!(cache.path_for("../../etc/passwd"), None);
        assert_eq!(cache.path_for(&hash.to_uppercase()), None);
        assert!(cache.contains(&path));
        let stray = dir.path().join("notes.png");
        fs::write(&stray, b"x").unwrap();
        assert!(!cache.contains(&stray));
        let elsewhere = tempfile::tempdir().unwrap();
        let copy = elsewhere.path().join(path.file_name().unwrap());
        fs::copy(&path, &copy).unwrap();
        assert!(!cache.contains(&copy));
        fs::remove_file(&path).unwrap();
        assert!(!cache.contains(&path));
    }

    #[test]
    fn an_unusable_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("images");
        fs::write(&file, b"not a folder").unwrap();
        let err = ImageCache::new(&file).put(b"GIF89a").unwrap_err();
        assert!(matches!(err, CacheError::CreateDir { .. }), "{err:?}");
        assert!(err.to_string().contains("could not be created"), "{err}");
    }
}
