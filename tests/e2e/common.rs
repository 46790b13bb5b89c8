//! Shared set-up: a simulator, clients for it, polling to the end.

use std::net::SocketAddr;
use std::time::Duration;

use mjdesk::error::GatewayError;
use mjdesk::gateway::{GatewayClient, GatewayConfig};
use mjdesk::job::{JobKind, JobRequest, JobSnapshot, Provider, SubmitOptions};
use mjdesk::secret::ApiKey;
use mjdesk::sim::{SimConfig, SimServer};

pub async fn sim(config: SimConfig) -> SimServer {
    SimServer::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("simulator starts")
}

pub fn client(server: &SimServer, provider: Provider) -> GatewayClient {
    client_with_key(server, provider, server.api_key())
}

pub fn client_with_key(server: &SimServer, provider: Provider, key: &str) -> GatewayClient {
    GatewayClient::new(GatewayConfig::new(provider, server.base_url(), ApiKey::new(key))).expect("client")
}

/// Fetches until the job ends; bounded so a broken simulator fails the test instead of
/// hanging it.
pub async fn poll(client: &GatewayClient, id: &str, kind: &JobKind) -> JobSnapshot {
    for _ in 0..400 {
        match client.fetch(id, kind).await {
            Ok(s) if s.state.is_terminal() => return s,
            Ok(_) => {}
            Err(e) if e.is_transient() => {}
            Err(e) => panic!("fetch of {id} failed: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {id} did not finish");
}

/// Submits and polls to the end.
pub async fn run(client: &GatewayClient, req: JobRequest) -> JobSnapshot {
    let kind = JobKind::of_request(&req);
    let sub = client.submit(&req, &SubmitOptions::default()).await.unwrap_or_else(|e| panic!("submit {req:?}: {e}"));
    match sub.snapshot {
        Some(s) if s.state.is_terminal() => s,
        _ => poll(client, &sub.job_id, &kind).await,
    }
}

pub async fn download_rgba(client: &GatewayClient, url: &str) -> image::RgbaImage {
    let bytes = client.download(url).await.unwrap_or_else(|e| panic!("download {url}: {e}"));
    image::load_from_memory(&bytes).expect("a decodable image").to_rgba8()
}

pub fn png(img: &image::RgbaImage) -> Vec<u8> {
    mjdesk::imageio::encode_png(img)
}

pub fn api_status(e: &GatewayError) -> Option<u16> {
    e.api().map(|f| f.status)
}
