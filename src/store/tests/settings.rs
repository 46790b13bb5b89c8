//! Settings and prompt history.

use super::tmp;
use crate::store::settings::looks_secret;
use crate::store::{Store, StoreError};

#[test]
fn settings_set_replace_and_delete() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.get_setting("theme").unwrap(), None);
    store.set_setting("theme", "dark").unwrap();
    store.set_setting("theme", "light").unwrap();
    store.set_setting("provider", "ttapi").unwrap();
    assert_eq!(store.get_setting("theme").unwrap().as_deref(), Some("light"));
    store.delete_setting("theme").unwrap();
    assert_eq!(store.get_setting("theme").unwrap(), None);
    assert_eq!(store.get_setting("provider").unwrap().as_deref(), Some("ttapi"));
}

#[test]
fn settings_refuse_names_that_would_hold_a_secret() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    for name in
        ["api_key", "ttapi.api_key", "TTAPI_API_KEY", "apiKey", "api-key", "bearer_token", "client_secret", "vtrix.key"]
    {
        let err = store.set_setting(name, "sk-live-value").unwrap_err();
        assert!(matches!(err, StoreError::SecretSetting(_)), "{name}: {err:?}");
        assert!(!err.to_string().contains("sk-live-value"), "{err}");
        assert_eq!(store.get_setting(name).unwrap(), None);
    }
    let rows: i64 = store.conn().query_row("SELECT count(*) FROM settings", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn ordinary_names_are_not_mistaken_for_secrets() {
    for name in ["theme", "base_url", "provider", "hotkey_layout", "keymap", "last_mode", "monkey"] {
        assert!(!looks_secret(name), "{name}");
    }
}

#[test]
fn prompt_history_is_most_recent_first_without_repeats() {
    let dir = tmp();
    let store = Store::open(dir.path()).unwrap();
    for p in ["a cat", "a dog", "  a cat  ", "a fox", "a dog", "", "   "] {
        store.add_prompt(p).unwrap();
    }
    let history = store.prompt_history(10).unwrap();
    let order: Vec<(&str, u32)> = history.iter().map(|h| (h.prompt.as_str(), h.count)).collect();
    assert_eq!(order, [("a dog", 2), ("a fox", 1), ("a cat", 2)]);
    assert!(history.windows(2).all(|w| w[0].used_at > w[1].used_at));
    assert_eq!(store.prompt_history(1).unwrap()[0].prompt, "a dog");
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.prompt_history(10).unwrap(), history);
}
