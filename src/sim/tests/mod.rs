//! End-to-end tests of the simulator: a real server on a loopback port, real HTTP with
//! reqwest, and pixel checks on the PNGs it serves.

mod acedata;
mod art;
mod faults;
mod ttapi;
mod ttapi_edits;
mod video;
mod vtrix;

use std::io::Cursor;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use image::{RgbaImage, imageops};
use serde_json::Value;

use super::{SimConfig, SimServer};

/// A started simulator and a client that talks to it.
pub(super) struct Harness {
    pub server: SimServer,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start(config: SimConfig) -> Self {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let server = SimServer::start(config, addr).await.expect("the simulator starts");
        let http = crate::gateway::http::client_builder().no_proxy().timeout(Duration::from_secs(20)).build().unwrap();
        Harness { server, http }
    }

    pub async fn instant() -> Self {
        Self::start(SimConfig::instant()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    async fn read(resp: reqwest::Response) -> (u16, Value) {
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("a complete answer");
        let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        (status, v)
    }

    /// POST JSON with TTAPI's key header.
    pub async fn tt(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self.http.post(self.url(path)).header("TT-API-KEY", self.server.api_key()).json(&body);
        Self::read(r.send().await.unwrap()).await
    }

    pub async fn tt_get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(self.url(path)).header("TT-API-KEY", self.server.api_key());
        Self::read(r.send().await.unwrap()).await
    }

    /// POST JSON with a Bearer token (AceData, Vtrix).
    pub async fn bearer(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self.http.post(self.url(path)).bearer_auth(self.server.api_key()).json(&body);
        Self::read(r.send().await.unwrap()).await
    }

    pub async fn bearer_get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(self.url(path)).bearer_auth(self.server.api_key());
        Self::read(r.send().await.unwrap()).await
    }

    pub async fn png(&self, url: &str) -> RgbaImage {
        let resp = self.http.get(url).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "downloading {url}");
        let bytes = resp.bytes().await.unwrap();
        image::load_from_memory(&bytes).expect("a PNG").to_rgba8()
    }

    /// Submits to a TTAPI endpoint and returns the job id.
    pub async fn tt_submit(&self, path: &str, body: Value) -> String {
        let (status, v) = self.tt(path, body).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["status"], "SUCCESS", "{v}");
        v["data"]["jobId"].as_str().expect("a jobId").to_owned()
    }

    /// Polls a TTAPI job until it ends; returns the final fetch answer.
    pub async fn tt_wait(&self, fetch_path: &str, id: &str) -> Value {
        for _ in 0..400 {
            let (status, v) = self.tt_get(&format!("{fetch_path}?jobId={id}")).await;
            assert_eq!(status, 200, "{v}");
            if v["status"] == "SUCCESS" || v["status"] == "FAILED" {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("job {id} did not finish");
    }

    /// Submit, wait, and insist on success: the fetch answer's `data`.
    pub async fn tt_ok(&self, path: &str, body: Value) -> Value {
        let id = self.tt_submit(path, body).await;
        let fetch = if path.contains("image-edits") { "/midjourney/image-edits/fetch" } else { "/midjourney/v1/fetch" };
        let v = self.tt_wait(fetch, &id).await;
        assert_eq!(v["status"], "SUCCESS", "{v}");
        v["data"].clone()
    }

    /// The images a TTAPI result lists, downloaded.
    pub async fn tt_images(&self, data: &Value) -> Vec<RgbaImage> {
        let mut out = Vec::new();
        for u in data["images"].as_array().expect("images") {
            out.push(self.png(u.as_str().unwrap()).await);
        }
        out
    }
}

pub(super) fn png_bytes(img: &RgbaImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub(super) fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub(super) fn mean(img: &RgbaImage) -> [f64; 3] {
    let mut s = [0.0; 3];
    for p in img.pixels() {
        for (sum, v) in s.iter_mut().zip(p.0) {
            *sum += f64::from(v);
        }
    }
    let n = f64::from(img.width() * img.height()).max(1.0);
    s.map(|v| v / n)
}

pub(super) fn colour_distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Mean absolute RGB difference of two same-size images, 0..255.
pub(super) fn mad(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 =
        a.pixels().zip(b.pixels()).map(|(p, q)| (0..3).map(|c| u64::from(p.0[c].abs_diff(q.0[c]))).sum::<u64>()).sum();
    total as f64 / (3.0 * f64::from(a.width() * a.height()))
}

pub(super) fn shrink(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    imageops::resize(img, w, h, imageops::FilterType::Triangle)
}

/// A smooth, busy test picture (so any regenerated pixel is unlikely to match by chance).
pub(super) fn test_picture(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, ((x * 7 + y * 13) % 256) as u8, 255])
    })
}

/// Checks a masked result: outside the mask every pixel is `base`'s RGB, opaque; inside, most
/// pixels changed.
pub(super) fn assert_mask_exact(base: &RgbaImage, out: &RgbaImage, changed: impl Fn(u32, u32) -> bool) {
    assert_eq!(base.dimensions(), out.dimensions());
    let (mut inside, mut differ) = (0u64, 0u64);
    for (x, y, p) in out.enumerate_pixels() {
        let b = base.get_pixel(x, y);
        if changed(x, y) {
            inside += 1;
            differ += u64::from(p.0[..3] != b.0[..3]);
        } else {
            assert_eq!(&p.0[..3], &b.0[..3], "pixel {x},{y} outside the mask changed");
            assert_eq!(p.0[3], 255, "pixel {x},{y} outside the mask is not opaque");
        }
    }
    assert!(inside > 0);
    assert!(differ * 10 >= inside * 9, "only {differ} of {inside} masked pixels changed");
}
