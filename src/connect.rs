//! Which gateway to talk to, with which key: shared by the CLI and the app.
//!
//! The key comes from the command line, then the environment, then the key store (probed
//! once per process). A key given on the command line or in the environment is used, never
//! stored. With no key at all, mjdesk talks to its built-in simulator.
//!
//! Jobs on the built-in simulator are stored against the endpoint [`SIM_ENDPOINT`], not a
//! port: it is resolved, whenever a job needs it, to whichever simulator serves now (one
//! already listening on [`DEFAULT_SIM_PORT`], `mjdesk simulate`, or one started inside this
//! process). The simulator keeps its jobs in the data directory, so jobs, follow-ups and
//! resumes carry across restarts.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::error::GatewayError;
use crate::gateway::{GatewayClient, GatewayConfig};
use crate::job::Provider;
use crate::keystore::{KeyStore, KeyStoreError};
use crate::secret::ApiKey;
use crate::sim::{self, SimConfig, SimServer};

/// Where `mjdesk simulate` listens unless told otherwise.
pub const DEFAULT_SIM_PORT: u16 = 8787;

/// The stored endpoint of every job on the built-in simulator.
pub const SIM_ENDPOINT: &str = "sim://local";

/// Why mjdesk could not reach a gateway endpoint. Nothing was sent.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectError {
    #[error("'{url}' is not a valid base URL: {detail}")]
    BadUrl { url: String, detail: String },
    #[error(
        "'{0}' is plain http: the API key would travel unencrypted. Use https, or pass --allow-http if you mean it"
    )]
    PlainHttp(String),
    #[error("'{url}' uses {scheme}://; only http and https are supported")]
    Scheme { url: String, scheme: String },
    #[error("no {} API key: pass --api-key, set {}, or save one with `mjdesk key set {}`", .0.display_name(), .0.key_env(), .0.as_str())]
    NoKey(Provider),
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error("could not start the built-in simulator: {0}")]
    Simulator(String),
    #[error(transparent)]
    Client(#[from] GatewayError),
}

impl ConnectError {
    /// True when the designer must fix a key (Settings, `mjdesk key set`).
    pub fn is_key_problem(&self) -> bool {
        matches!(self, ConnectError::NoKey(_) | ConnectError::KeyStore(_))
    }
}

/// A gateway endpoint ready to use.
pub struct Connection {
    pub provider: Provider,
    /// What jobs store: the base URL, or [`SIM_ENDPOINT`] for the built-in simulator.
    pub endpoint: String,
    /// Where requests go now.
    pub base_url: String,
    pub key: ApiKey,
    /// Said to the user once: which gateway, and why.
    pub note: Option<String>,
}

impl Connection {
    pub fn is_simulator(&self) -> bool {
        self.endpoint == SIM_ENDPOINT
    }

    pub fn config(&self) -> GatewayConfig {
        GatewayConfig::new(self.provider, &self.base_url, self.key.clone()).with_env_overrides()
    }

    pub fn client(&self) -> Result<GatewayClient, ConnectError> {
        Ok(GatewayClient::new(self.config())?)
    }
}

/// A non-loopback base URL must be https unless the designer allows http explicitly: the
/// key travels in a header.
pub fn check_base_url(url: &str, allow_http: bool) -> Result<(), ConnectError> {
    let parsed =
        url::Url::parse(url).map_err(|e| ConnectError::BadUrl { url: url.to_owned(), detail: e.to_string() })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_http || crate::gateway::is_loopback_host(&parsed) => Ok(()),
        "http" => Err(ConnectError::PlainHttp(url.to_owned())),
        other => Err(ConnectError::Scheme { url: url.to_owned(), scheme: other.to_owned() }),
    }
}

fn is_loopback(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| crate::gateway::is_loopback_host(&u))
}

/// Keys found in the key store, once per provider per process (the keyring is a process
/// spawn; asking it on every job would be slow and noisy).
static STORED_KEYS: Mutex<Option<HashMap<Provider, Option<ApiKey>>>> = Mutex::new(None);

fn stored_key(provider: Provider) -> Result<Option<ApiKey>, ConnectError> {
    if let Some(found) = STORED_KEYS.lock().unwrap_or_else(|p| p.into_inner()).as_ref().and_then(|m| m.get(&provider)) {
        return Ok(found.clone());
    }
    // Looked up without holding the lock: two callers may both ask once; both get the same.
    let found = KeyStore::new().load(provider)?;
    STORED_KEYS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(provider, found.clone());
    Ok(found)
}

/// Forgets what the key store said (after a key is saved or removed in this process).
pub fn forget_stored_keys() {
    *STORED_KEYS.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// The key for `provider`: command line, then environment, then the key store.
pub fn find_key(provider: Provider, given: Option<&str>) -> Result<Option<ApiKey>, ConnectError> {
    if let Some(k) = given.filter(|k| !k.trim().is_empty()) {
        return Ok(Some(ApiKey::new(k)));
    }
    if let Ok(k) = std::env::var(provider.key_env())
        && !k.trim().is_empty()
    {
        return Ok(Some(ApiKey::new(k)));
    }
    stored_key(provider)
}

/// `provider = None` means the built-in simulator. With a `base_url`, that endpoint is used
/// as is. Blocking work (the key store) runs on the blocking pool.
pub async fn connect(
    provider: Option<Provider>,
    base_url: Option<String>,
    key: Option<String>,
    allow_http: bool,
) -> Result<Connection, ConnectError> {
    if let Some(url) = &base_url {
        check_base_url(url, allow_http)?;
    }
    let Some(provider) = provider else {
        return connect_sim(base_url, key).await;
    };
    let base_url = base_url.unwrap_or_else(|| provider.default_base_url().to_owned());
    let key = match find_key_async(provider, key).await? {
        Some(k) => k,
        None if is_loopback(&base_url) => ApiKey::new(sim::DEFAULT_KEY),
        None => return Err(ConnectError::NoKey(provider)),
    };
    Ok(Connection { provider, endpoint: base_url.clone(), base_url, key, note: None })
}

async fn find_key_async(provider: Provider, given: Option<String>) -> Result<Option<ApiKey>, ConnectError> {
    tokio::task::spawn_blocking(move || find_key(provider, given.as_deref()))
        .await
        .map_err(|e| ConnectError::Simulator(format!("the key lookup stopped: {e}")))?
}

async fn connect_sim(base_url: Option<String>, key: Option<String>) -> Result<Connection, ConnectError> {
    if let Some(url) = base_url {
        let key = ApiKey::new(key.unwrap_or_else(|| sim::DEFAULT_KEY.to_owned()));
        return Ok(Connection { provider: Provider::Ttapi, endpoint: url.clone(), base_url: url, key, note: None });
    }
    let local = local_simulator().await?;
    let note = if local.in_process {
        "using the built-in simulator (no API key is configured)".to_owned()
    } else {
        format!("using the simulator running at {}", local.base_url)
    };
    Ok(Connection {
        provider: Provider::Ttapi,
        endpoint: SIM_ENDPOINT.to_owned(),
        base_url: local.base_url.clone(),
        key: ApiKey::new(&local.key),
        note: Some(note),
    })
}

/// The simulator serving [`SIM_ENDPOINT`] for this process.
#[derive(Clone)]
pub struct LocalSim {
    pub base_url: String,
    key: String,
    /// True when it runs inside this process (it stops when the process ends; its jobs do not).
    pub in_process: bool,
}

struct Held {
    local: LocalSim,
    _server: Option<SimServer>,
}

static LOCAL_SIM: OnceCell<Held> = OnceCell::const_new();

/// Finds or starts the simulator behind [`SIM_ENDPOINT`], once per process: `mjdesk
/// simulate` on the default port if it answers, else one inside this process that keeps its
/// jobs in the data directory (so the next process sees them).
pub async fn local_simulator() -> Result<LocalSim, ConnectError> {
    let held = LOCAL_SIM
        .get_or_try_init(|| async {
            let running = format!("http://127.0.0.1:{DEFAULT_SIM_PORT}");
            if sim_answers(&running).await {
                let local = LocalSim { base_url: running, key: sim::DEFAULT_KEY.to_owned(), in_process: false };
                return Ok(Held { local, _server: None });
            }
            let config = SimConfig { state_dir: Some(sim::default_state_dir()), ..SimConfig::default() };
            let server = SimServer::start(config, SocketAddr::new(IpAddr::from([127, 0, 0, 1]), 0))
                .await
                .map_err(|e| ConnectError::Simulator(e.to_string()))?;
            let local = LocalSim { base_url: server.base_url(), key: server.api_key().to_owned(), in_process: true };
            Ok::<_, ConnectError>(Held { local, _server: Some(server) })
        })
        .await?;
    Ok(held.local.clone())
}

async fn sim_answers(base_url: &str) -> bool {
    let Ok(client) = crate::gateway::http::client_builder().no_proxy().timeout(Duration::from_millis(400)).build()
    else {
        return false;
    };
    matches!(client.get(format!("{base_url}/__sim/stats")).send().await, Ok(r) if r.status().is_success())
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Makes the client for a job's endpoint (with its key) the first time a job needs it.
pub type ClientResolver = Arc<dyn Fn(Provider, String) -> BoxFuture<Result<GatewayClient, ConnectError>> + Send + Sync>;

/// Builds clients for jobs the store holds (resume): the key is found as for a new call; the
/// built-in simulator's endpoint resolves to the simulator serving now; a loopback endpoint
/// with no key is taken to be a simulator.
pub fn resolver(given_key: Option<String>) -> ClientResolver {
    Arc::new(move |provider: Provider, endpoint: String| {
        let given_key = given_key.clone();
        Box::pin(async move {
            if endpoint == SIM_ENDPOINT {
                let local = local_simulator().await?;
                let config = GatewayConfig::new(provider, &local.base_url, ApiKey::new(&local.key));
                return Ok(GatewayClient::new(config.with_env_overrides())?);
            }
            let key = match find_key_async(provider, given_key).await? {
                Some(k) => k,
                None if is_loopback(&endpoint) => ApiKey::new(sim::DEFAULT_KEY),
                None => return Err(ConnectError::NoKey(provider)),
            };
            Ok(GatewayClient::new(GatewayConfig::new(provider, &endpoint, key).with_env_overrides())?)
        })
    })
}

/// [`resolver`], except that `conn`'s own endpoint uses `conn`'s key (a key given for this
/// command only).
pub fn resolver_for(conn: &Connection, given_key: Option<String>) -> ClientResolver {
    let (provider, endpoint, base_url, key) =
        (conn.provider, conn.endpoint.clone(), conn.base_url.clone(), conn.key.clone());
    let fallback = resolver(given_key);
    Arc::new(move |p: Provider, url: String| {
        if p == provider && url == endpoint {
            let config = GatewayConfig::new(p, &base_url, key.clone()).with_env_overrides();
            Box::pin(async move { Ok(GatewayClient::new(config)?) })
        } else {
            fallback(p, url)
        }
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
        assert!(matches!(e, ConnectError::PlainHttp(_)));
        assert!(e.to_string().contains("--allow-http"), "{e}");
        assert!(check_base_url("http://proxy.example.com", true).is_ok());
        assert!(matches!(check_base_url("ftp://x", true), Err(ConnectError::Scheme { .. })));
        assert!(matches!(check_base_url("not a url", true), Err(ConnectError::BadUrl { .. })));
    }

    #[test]
    fn a_missing_key_says_where_to_put_one() {
        let e = ConnectError::NoKey(Provider::Vtrix);
        assert!(e.is_key_problem());
        let text = e.to_string();
        assert!(text.contains("VTRIX_API_KEY") && text.contains("mjdesk key set vtrix"), "{text}");
        assert!(!ConnectError::Simulator("x".into()).is_key_problem());
    }
}
