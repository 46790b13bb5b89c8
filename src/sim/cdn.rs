//! The image store behind `/cdn/<name>.png` (and clips at `/cdn/<name>.mp4`): results kept in memory, served until their
//! TTL runs out, and readable as inputs when a client sends one of the simulator's own links
//! back (the only links it can read: it never fetches from the network).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;

/// One of a job's result images, as stored under `/cdn/<name>.png`.
#[derive(Debug, Clone)]
pub(super) struct ImgRef {
    pub name: String,
    pub width: u32,
    pub height: u32,
}

pub(super) enum CdnLookup {
    Found(Bytes),
    Expired,
    Missing,
}

struct CdnImage {
    png: Bytes,
    created: Instant,
}

pub(super) struct Cdn {
    base_url: String,
    ttl: Option<Duration>,
    images: Mutex<HashMap<String, CdnImage>>,
}

impl Cdn {
    pub fn new(base_url: String, ttl: Option<Duration>) -> Self {
        Self { base_url, ttl, images: Mutex::new(HashMap::new()) }
    }

    fn images(&self) -> MutexGuard<'_, HashMap<String, CdnImage>> {
        self.images.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn put(&self, name: String, png: Vec<u8>) {
        self.images().insert(name, CdnImage { png: Bytes::from(png), created: Instant::now() });
    }

    pub fn url(&self, img: &ImgRef) -> String {
        format!("{}/cdn/{}.png", self.base_url, img.name)
    }

    /// The link of a clip (stored like an image, served as `video/mp4`).
    pub fn clip_url(&self, clip: &ImgRef) -> String {
        format!("{}/cdn/{}.mp4", self.base_url, clip.name)
    }

    pub fn get(&self, name: &str) -> CdnLookup {
        match self.images().get(name) {
            None => CdnLookup::Missing,
            Some(img) if self.ttl.is_some_and(|ttl| img.created.elapsed() >= ttl) => CdnLookup::Expired,
            Some(img) => CdnLookup::Found(img.png.clone()),
        }
    }

    /// The PNG behind one of our own `/cdn` URLs, if `url` is one and has not expired.
    pub fn own_image(&self, url: &str) -> Option<Bytes> {
        let parsed = url::Url::parse(url.trim()).ok()?;
        let ours = url::Url::parse(&self.base_url).ok()?;
        let same_host = Some(parsed.host()?) == ours.host();
        let local = match parsed.host()? {
            url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => ip.is_loopback() || same_host,
            url::Host::Ipv6(ip) => ip.is_loopback() || same_host,
        };
        if !local || parsed.port_or_known_default() != ours.port_or_known_default() {
            return None;
        }
        let name = parsed.path().strip_prefix("/cdn/")?.strip_suffix(".png")?;
        match self.get(name) {
            CdnLookup::Found(png) => Some(png),
            _ => None,
        }
    }

    /// The stored PNG of one of our images (for follow-ups), whatever its TTL.
    pub fn png(&self, img: &ImgRef) -> Result<Bytes, String> {
        self.images()
            .get(&img.name)
            .map(|i| i.png.clone())
            .ok_or_else(|| "[Invalid parameter] the parent image is no longer stored".to_owned())
    }
}
