//! Key store tests on real files in temp dirs.

use std::fs;
use std::path::{Path, PathBuf};

use super::file::{Entries, parse, render};
use super::{CREDENTIALS_FILE, KeyStore, KeyStoreError, Where, config_dir_from};
use crate::job::Provider;
use crate::secret::ApiKey;

const KEY: &str = "sk-live-7f3a9c1e5b2d4068";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every file under `root` whose bytes contain `needle`.
fn files_containing(root: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if fs::read(&path).unwrap().windows(needle.len()).any(|w| w == needle) {
                hits.push(path);
            }
        }
    }
    hits
}

#[test]
fn file_fallback_round_trips_with_a_private_file() {
    let root = tmp();
    let dir = root.path().join("config");
    let store = KeyStore::file_only(&dir);
    assert!(store.load(Provider::Ttapi).unwrap().is_none());
    let path = store.credentials_path();
    assert_eq!(store.save(Provider::Ttapi, &ApiKey::new(KEY)).unwrap(), Where::File(path.clone()));
    #[cfg(unix)]
    assert_eq!((mode(&path), mode(&dir)), (0o600, 0o700));
    store.save(Provider::Vtrix, &ApiKey::new("vt-\"quoted\\key\"")).unwrap();
    store.save(Provider::Ttapi, &ApiKey::new(format!("{KEY}-v2"))).unwrap();

    let again = KeyStore::file_only(&dir);
    let loaded = again.load_with_notes(Provider::Ttapi).unwrap().unwrap();
    assert_eq!(loaded.key.expose(), format!("{KEY}-v2"));
    assert_eq!((loaded.from, loaded.warning), (Where::File(path.clone()), None));
    assert_eq!(again.load(Provider::Vtrix).unwrap().unwrap().expose(), "vt-\"quoted\\key\"");
    assert!(again.load(Provider::Acedata).unwrap().is_none());
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600, "rewrites stay private");

    again.delete(Provider::Ttapi).unwrap();
    assert!(again.load(Provider::Ttapi).unwrap().is_none());
    assert!(again.load(Provider::Vtrix).unwrap().is_some());
    again.delete(Provider::Vtrix).unwrap();
    assert!(!path.exists(), "an empty credentials file is removed");
    again.delete(Provider::Vtrix).unwrap();
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "no temp files left behind");
}

#[cfg(unix)]
#[test]
fn a_readable_file_is_made_private_again_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let store = KeyStore::file_only(dir.path());
    store.save(Provider::Acedata, &ApiKey::new(KEY)).unwrap();
    let path = store.credentials_path();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let loaded = store.load_with_notes(Provider::Acedata).unwrap().unwrap();
    let warning = loaded.warning.expect("a warning");
    assert!(warning.contains("readable by other users") && warning.contains("644"), "{warning}");
    assert!(!warning.contains(KEY));
    assert_eq!(loaded.key.expose(), KEY);
    assert_eq!(mode(&path), 0o600);
    assert!(store.load_with_notes(Provider::Acedata).unwrap().unwrap().warning.is_none());
}

#[test]
fn the_key_lands_in_no_file_but_the_credentials_file() {
    let root = tmp();
    let (data, config) = (root.path().join("data"), root.path().join("config"));
    let keys = KeyStore::file_only(&config);
    let key = ApiKey::new(KEY);
    keys.save(Provider::Ttapi, &key).unwrap();

    // Everything else mjdesk writes in a session, next to it.
    let db = crate::store::Store::open(&data).unwrap();
    let mut job = crate::job::Job::new(
        Provider::Ttapi,
        "https://api.ttapi.io",
        crate::job::JobRequest::Imagine { prompt: "a lighthouse".into() },
        Default::default(),
    );
    db.insert_job(&job).unwrap();
    job.status = crate::job::JobStatus::Succeeded;
    db.save_job(&job).unwrap();
    db.set_setting("provider", "ttapi").unwrap();
    for name in ["api_key", "ttapi_token"] {
        let err = db.set_setting(name, key.expose()).unwrap_err();
        assert!(!err.to_string().contains(KEY), "{err}");
    }
    db.add_prompt("a lighthouse").unwrap();
    crate::cache::ImageCache::new(data.join("images")).put(b"GIF89a-result").unwrap();
    assert_eq!(keys.load(Provider::Ttapi).unwrap().unwrap().expose(), KEY);

    assert_eq!(files_containing(root.path(), KEY.as_bytes()), [config.join(CREDENTIALS_FILE)]);
    assert!(!files_containing(&data, b"a lighthouse").is_empty(), "the scan reads the database files");
}

#[test]
fn errors_never_show_the_key() {
    let dir = tmp();
    let not_a_dir = dir.path().join("file");
    fs::write(&not_a_dir, b"x").unwrap();
    let err = KeyStore::file_only(&not_a_dir).save(Provider::Ttapi, &ApiKey::new(KEY)).unwrap_err();
    assert!(matches!(err, KeyStoreError::Read { .. } | KeyStoreError::Write { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(KEY), "{err}");

    let store = KeyStore::file_only(dir.path().join("cfg"));
    fs::create_dir_all(store.dir()).unwrap();
    fs::write(store.credentials_path(), format!("# mine\nttapi \"{KEY}\"\n")).unwrap();
    let err = store.load(Provider::Ttapi).unwrap_err();
    assert!(matches!(err, KeyStoreError::Damaged { line: 2, .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(KEY), "{err}");
    // A damaged file is not overwritten (it may hold other keys the designer wants back).
    assert!(store.save(Provider::Vtrix, &ApiKey::new("vt-1")).is_err());
    assert!(fs::read_to_string(store.credentials_path()).unwrap().contains(KEY));
}

#[test]
fn an_empty_key_is_refused() {
    let dir = tmp();
    let err = KeyStore::file_only(dir.path()).save(Provider::Ttapi, &ApiKey::new("   ")).unwrap_err();
    assert!(matches!(err, KeyStoreError::Empty), "{err:?}");
    assert!(!dir.path().join(CREDENTIALS_FILE).exists());
}

#[test]
fn the_file_format_round_trips_and_rejects_junk() {
    let mut entries = Entries::new();
    entries.insert("ttapi".into(), "a\"b\\c\td".into());
    entries.insert("my-proxy_2".into(), "plain".into());
    assert_eq!(parse(&render(&entries)), Ok(entries));
    assert_eq!(parse("# c\n\n  acedata = \"k\"  \n").unwrap()["acedata"], "k");
    assert_eq!(parse("a = \"x\"\nb = x\n"), Err(2));
    assert_eq!(parse("a b = \"x\""), Err(1));
    assert_eq!(parse("a = \"x\\q\""), Err(1));
    assert_eq!(parse("a = \"x\"y\""), Err(1));
}

#[test]
fn config_dir_prefers_the_override() {
    assert_eq!(config_dir_from(Some("/etc/mj".into())), PathBuf::from("/etc/mj"));
    assert_eq!(config_dir_from(Some("".into())), config_dir_from(None));
}

#[cfg(unix)]
mod keyring {
    //! The keyring path, against a stand-in for `secret-tool`: libsecret and a secret
    //! service daemon are not installed here. The stand-in follows secret-tool's command
    //! line (store reads the secret from stdin; lookup prints it; exit 1 when not found)
    //! and logs its argv so the tests can check the key never appears there.

    use super::*;
    use std::sync::Mutex;

    /// Writing an executable while another test thread forks can make exec fail with
    /// "text file busy"; these tests take turns.
    static SPAWNING: Mutex<()> = Mutex::new(());

    const STAND_IN: &str = r#"#!/bin/sh
here=$(dirname "$0")
echo "$@" >> "$here/argv.log"
cmd=$1; shift
provider=
while [ $# -gt 0 ]; do
  case "$1" in
    provider) provider=$2; shift 2 ;;
    --label=*) shift ;;
    *) shift 2 ;;
  esac
done
mkdir -p "$here/ring"
case "$cmd" in
  store) cat > "$here/ring/$provider" ;;
  lookup) [ -f "$here/ring/$provider" ] || exit 1; cat "$here/ring/$provider" ;;
  clear) rm -f "$here/ring/$provider" ;;
esac
"#;

    const BROKEN: &str = "#!/bin/sh\necho 'secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY' >&2\nexit 1\n";

    fn script(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("secret-tool");
        fs::write(&path, body).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        path
    }

    #[test]
    fn a_working_keyring_holds_the_key_and_the_file_does_not() {
        let _turn = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
        let (tools, config) = (tmp(), tmp());
        let program = script(tools.path(), STAND_IN);
        // A key saved earlier without a keyring moves out of the file.
        KeyStore::file_only(config.path()).save(Provider::Ttapi, &ApiKey::new("old-file-key")).unwrap();
        KeyStore::file_only(config.path()).save(Provider::Vtrix, &ApiKey::new("vt-file-key")).unwrap();

        let store = KeyStore::with_secret_tool(config.path(), &program);
        assert_eq!(store.save(Provider::Ttapi, &ApiKey::new(KEY)).unwrap(), Where::Keyring);
        let loaded = store.load_with_notes(Provider::Ttapi).unwrap().unwrap();
        assert_eq!((loaded.key.expose(), loaded.from), (KEY, Where::Keyring));
        assert_eq!(fs::read(tools.path().join("ring/ttapi")).unwrap(), KEY.as_bytes(), "exact bytes, via stdin");
        let file = fs::read_to_string(store.credentials_path()).unwrap();
        assert!(!file.contains("old-file-key") && file.contains("vt-file-key"), "{file}");
        // Not in the keyring: the file is still read.
        assert_eq!(store.load(Provider::Vtrix).unwrap().unwrap().expose(), "vt-file-key");

        store.delete(Provider::Ttapi).unwrap();
        assert!(store.load(Provider::Ttapi).unwrap().is_none());
        let argv = fs::read_to_string(tools.path().join("argv.log")).unwrap();
        assert!(argv.contains("store --label=mjdesk API key (TTAPI) service mjdesk provider ttapi"), "{argv}");
        assert!(!argv.contains(KEY), "{argv}");
        assert_eq!(files_containing(config.path(), KEY.as_bytes()), Vec::<PathBuf>::new());
    }

    #[test]
    fn a_keyring_that_does_not_answer_falls_back_to_the_file() {
        let _turn = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
        let (tools, config) = (tmp(), tmp());
        let store = KeyStore::with_secret_tool(config.path(), script(tools.path(), BROKEN));
        let saved = store.save(Provider::Acedata, &ApiKey::new(KEY)).unwrap();
        assert_eq!(saved, Where::File(store.credentials_path()));
        assert_eq!(mode(&store.credentials_path()), 0o600);
        let loaded = store.load_with_notes(Provider::Acedata).unwrap().unwrap();
        assert_eq!((loaded.key.expose(), loaded.from), (KEY, saved));
        let missing = KeyStore::with_secret_tool(config.path(), tools.path().join("no-such-tool"));
        assert_eq!(missing.load(Provider::Acedata).unwrap().unwrap().expose(), KEY);
    }
}
