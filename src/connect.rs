//! Which gateway to talk to, with which key: shared by the CLI and the app.
//!
//! The key comes from the command line, then the environment, then the key store. A key
//! given on the command line or in the environment is used, never stored. With no key at
//! all, mjdesk talks to its simulator: one already serving on the default port, or one it
//! starts in-process.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::gateway::{GatewayClient, GatewayConfig};
use crate::job::Provider;
use crate::keystore::KeyStore;
use crate::manager::ClientResolver;
use crate::secret::ApiKey;
use crate::sim::{self, SimConfig, SimServer};

/// Where `mjdesk simulate` listens unless told otherwise.
pub const DEFAULT_SIM_PORT: u16 = 8787;

/// A gateway endpoint ready to use.
pub struct Connection {
    pub provider: Provider,
    pub base_url: String,
    pub key: ApiKey,
    /// The in-process simulator, when one was started (it stops when this is dropped).
    pub sim: Option<SimServer>,
    /// Said to the user once: which gateway, and why.
    pub note: Option<String>,
}

impl Connection {
    pub fn config(&self) -> GatewayConfig {
        GatewayConfig::new(self.provider, &self.base_url, self.key.clone()).with_env_overrides()
    }

    pub fn client(&self) -> Result<GatewayClient, String> {
        GatewayClient::new(self.config()).map_err(|e| e.to_string())
    }
}

/// A non-loopback base URL must be https unless the designer allows http explicitly: the
/// key travels in a header.
pub fn check_base_url(url: &str, allow_http: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("'{url}' is not a valid base URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(&parsed) => Ok(()),
        "http" => Err(format!(
            "'{url}' is plain http: the API key would travel unencrypted. Use https, or pass --allow-http if you mean it"
        )),
        other => Err(format!("'{url}' uses {other}://; only http and https are supported")),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    crate::gateway::is_loopback_host(url)
}

/// The key for `provider`: command line, then environment, then the key store.
pub fn find_key(provider: Provider, given: Option<&str>) -> Result<Option<ApiKey>, String> {
    if let Some(k) = given.filter(|k| !k.trim().is_empty()) {
        return Ok(Some(ApiKey::new(k)));
    }
    if let Ok(k) = std::env::var(provider.key_env())
        && !k.trim().is_empty()
    {
        return Ok(Some(ApiKey::new(k)));
    }
    KeyStore::new().load(provider).map_err(|e| e.to_string())
}

/// `provider = None` means the simulator. With a `base_url`, that endpoint is used as is.
pub async fn connect(
    provider: Option<Provider>,
    base_url: Option<String>,
    key: Option<String>,
    allow_http: bool,
) -> Result<Connection, String> {
    if let Some(url) = &base_url {
        check_base_url(url, allow_http)?;
    }
    let Some(provider) = provider else {
        return connect_sim(base_url, key).await;
    };
    let base_url = base_url.unwrap_or_else(|| provider.default_base_url().to_owned());
    let key = match find_key(provider, key.as_deref())? {
        Some(k) => k,
        None if is_loopback(&url::Url::parse(&base_url).map_err(|e| e.to_string())?) => ApiKey::new(sim::DEFAULT_KEY),
        None => {
            return Err(format!(
                "no {} API key: pass --api-key, set {}, or save one with `mjdesk key set {}`",
                provider.display_name(),
                provider.key_env(),
                provider.as_str()
            ));
        }
    };
    Ok(Connection { provider, base_url, key, sim: None, note: None })
}

async fn connect_sim(base_url: Option<String>, key: Option<String>) -> Result<Connection, String> {
    let key = ApiKey::new(key.unwrap_or_else(|| sim::DEFAULT_KEY.to_owned()));
    if let Some(url) = base_url {
        return Ok(Connection { provider: Provider::Ttapi, base_url: url, key, sim: None, note: None });
    }
    let running = format!("http://127.0.0.1:{DEFAULT_SIM_PORT}");
    if sim_answers(&running).await {
        let note = format!("using the simulator running at {running}");
        return Ok(Connection { provider: Provider::Ttapi, base_url: running, key, sim: None, note: Some(note) });
    }
    let server = SimServer::start(SimConfig::default(), SocketAddr::new(IpAddr::from([127, 0, 0, 1]), 0))
        .await
        .map_err(|e| format!("could not start the simulator: {e}"))?;
    let note =
        "using a simulator inside this command (it stops when the command ends; run `mjdesk simulate` to keep one)"
            .to_owned();
    Ok(Connection {
        provider: Provider::Ttapi,
        base_url: server.base_url(),
        key: ApiKey::new(server.api_key()),
        sim: Some(server),
        note: Some(note),
    })
}

async fn sim_answers(base_url: &str) -> bool {
    let Ok(client) = reqwest::Client::builder().timeout(Duration::from_millis(400)).build() else { return false };
    matches!(client.get(format!("{base_url}/__sim/stats")).send().await, Ok(r) if r.status().is_success())
}

/// Builds clients for jobs the store holds (resume): the key is found as for a new call;
/// a loopback endpoint with no key is taken to be the simulator.
pub fn resolver(given_key: Option<String>) -> ClientResolver {
    Arc::new(move |provider: Provider, base_url: &str| {
        let key = match find_key(provider, given_key.as_deref())? {
            Some(k) => k,
            None => {
                let url = url::Url::parse(base_url).map_err(|e| e.to_string())?;
                if !is_loopback(&url) {
                    return Err(format!("no {} API key to continue this job with", provider.display_name()));
                }
                ApiKey::new(sim::DEFAULT_KEY)
            }
        };
        GatewayClient::new(GatewayConfig::new(provider, base_url, key).with_env_overrides()).map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_off_loopback() {
        assert!(check_base_url("https://api.ttapi.io", false).is_ok());
        assert!(check_base_url("http://127.0.0.1:8787", false).is_ok());
        assert!(check_base_url("http://localhost:1", false).is_ok());
        let e = check_base_url("http://proxy.example.com", false).unwrap_err();
        assert!(e.contains("--allow-http"), "{e}");
        assert!(check_base_url("http://proxy.example.com", true).is_ok());
        assert!(check_base_url("ftp://x", true).is_err());
        assert!(check_base_url("not a url", true).is_err());
    }
}
