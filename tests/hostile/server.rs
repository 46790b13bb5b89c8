//! A deliberately hostile HTTP/1.1 server on loopback, written on plain tokio TCP so it can
//! do what a well-behaved framework would not: redirect anywhere, stall after its headers,
//! trickle one byte at a time, lie about its length, send escape sequences.
//!
//! Every connection is answered once and closed. Every stall is bounded by [`STALL_LIMIT`],
//! after which the connection is dropped, and the whole server stops when dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// No connection is held open longer than this.
pub const STALL_LIMIT: Duration = Duration::from_secs(8);

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A whole answer with a correct Content-Length.
    Full { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Headers declaring `content_length` bytes, then `sent`, then nothing.
    Stall { content_length: u64, sent: Vec<u8> },
    /// Headers declaring `len` bytes, then one byte every `every`.
    Trickle { len: u64, every: Duration },
    /// `actual` bytes of `fill` as fast as the client takes them; Content-Length `declared`
    /// when given, else the end of the connection ends the body.
    Big { status: u16, content_type: &'static str, declared: Option<u64>, actual: u64, fill: u8 },
    /// `then`, after waiting `after` (a slow gateway; bounded by [`STALL_LIMIT`] too).
    Delayed { after: Duration, then: Box<Reply> },
}

impl Reply {
    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Self::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Self {
        Self::Full { status, headers: vec![("Location".into(), location.into())], body: Vec::new() }
    }

    pub fn html(status: u16, text: &str) -> Self {
        Self::Full {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: text.as_bytes().to_vec(),
        }
    }

    /// 429 with a `Retry-After` of `secs` seconds.
    pub fn busy(secs: u64) -> Self {
        Self::Full {
            status: 429,
            headers: vec![("Content-Type".into(), "application/json".into()), ("Retry-After".into(), secs.to_string())],
            body: br#"{"status":"FAILED","message":"too many requests"}"#.to_vec(),
        }
    }

    pub fn png() -> Self {
        Self::Full { status: 200, headers: vec![("Content-Type".into(), "image/png".into())], body: png_bytes() }
    }
}

/// A small real PNG.
pub fn png_bytes() -> Vec<u8> {
    mjdesk::imageio::encode_png(&image::RgbaImage::from_pixel(4, 4, image::Rgba([200, 40, 20, 255])))
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running hostile server; stops when dropped.
pub struct Hostile {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Request>>>,
    task: JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let task = {
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (seen, handler) = (seen.clone(), handler.clone());
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(STALL_LIMIT, serve(stream, seen, handler)).await;
                    });
                }
            })
        };
        Self { addr, seen, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT`, as mjdesk names a host in its messages.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve(mut stream: TcpStream, seen: Arc<Mutex<Vec<Request>>>, handler: Handler) {
    let Some(request) = read_request(&mut stream).await else { return };
    seen.lock().unwrap().push(request.clone());
    let reply = handler(&request);
    let _ = write_reply(&mut stream, reply).await;
    let _ = stream.shutdown().await;
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request { method, path, headers, body })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Whatever",
    }
}

async fn head(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    length: Option<u64>,
) -> std::io::Result<()> {
    let mut text = format!("HTTP/1.1 {status} {}\r\nConnection: close\r\n", reason(status));
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    if let Some(len) = length {
        text.push_str(&format!("Content-Length: {len}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).await?;
    stream.flush().await
}

async fn write_reply(stream: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Delayed { after, then } => {
            tokio::time::sleep(after).await;
            Box::pin(write_reply(stream, *then)).await
        }
        Reply::Full { status, headers, body } => {
            head(stream, status, &headers, Some(body.len() as u64)).await?;
            stream.write_all(&body).await
        }
        Reply::Stall { content_length, sent } => {
            head(stream, 200, &[], Some(content_length)).await?;
            stream.write_all(&sent).await?;
            stream.flush().await?;
            tokio::time::sleep(STALL_LIMIT).await;
            Ok(())
        }
        Reply::Trickle { len, every } => {
            head(stream, 200, &[("Content-Type".into(), "application/json".into())], Some(len)).await?;
            for _ in 0..len {
                stream.write_all(b" ").await?;
                stream.flush().await?;
                tokio::time::sleep(every).await;
            }
            Ok(())
        }
        Reply::Big { status, content_type, declared, actual, fill } => {
            head(stream, status, &[("Content-Type".into(), content_type.into())], declared).await?;
            let block = vec![fill; 64 * 1024];
            let mut left = actual;
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                stream.write_all(&block[..n]).await?;
                left -= n as u64;
            }
            stream.flush().await
        }
    }
}
