//! The API key as a type that cannot leak by accident.
//!
//! `ApiKey` has no `Display`, its `Debug` prints `ApiKey(***)`, and it is not `Serialize`,
//! so it cannot end up in logs, the database or an error message unless code asks for the
//! raw text with [`ApiKey::expose`], which only the request builders do.

use secrecy::{ExposeSecret, SecretString};

#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into().trim().to_owned()))
    }

    /// The raw key, for the one place that writes the auth header.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }

    /// `text` with every occurrence of the key replaced by `***`: a last line of defence for
    /// text that came back from elsewhere (a gateway echoing the header, a URL a user pasted).
    pub fn redact(&self, text: &str) -> String {
        let key = self.expose();
        if key.len() < 4 {
            return text.to_owned();
        }
        text.replace(key, "***")
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::new("tt-super-secret-123");
        let shown = format!("{key:?} {:?}", Some(key.clone()));
        assert!(!shown.contains("super-secret"), "{shown}");
        assert_eq!(key.expose(), "tt-super-secret-123");
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let key = ApiKey::new("  abcd1234  ");
        assert_eq!(key.expose(), "abcd1234");
        assert_eq!(key.redact("k=abcd1234 and abcd1234"), "k=*** and ***");
    }
}
