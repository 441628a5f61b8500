//! The models' `send:` action (issue 18, `docs/sim-models.md`, `docs/interception.md`): real
//! HTTP(S) requests through an interception proxy on the host.
//!
//! The handset has no network stack. Without a proxy a `send:` is only what a `contact:` is
//! (DNS and a TLS ClientHello or HTTP request in the handset's pcap). When Prior intercepts
//! ([`crate::device::SimDevice::set_http_proxy`]), every `send:` is also **really sent** on a
//! worker thread: to the proxy on loopback (`CONNECT host:port`, then TLS trusting only the
//! proxy's CA — or, for a model that pins the host's certificate, trusting nothing, so the
//! handshake fails as a pinned app's does), or as an absolute-form plain-HTTP request. The
//! body's `{{kind|encoding}}` placeholders take the handset's honey values ([`honey_value`]).
//!
//! Nothing here resolves a name or connects anywhere but the proxy's loopback address.

use crate::device::model::SendSpec;
use base64::Engine as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The interception proxy the handset's `send:` actions go through.
#[derive(Debug, Clone)]
pub struct HttpProxy {
    /// Where it listens (must be loopback).
    pub addr: SocketAddr,
    /// Its CA certificate (PEM): the handset trusts it for every host it does not pin.
    pub ca_pem: Vec<u8>,
}

/// One request as rendered from a `send:` action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// `GET`, `POST`, …
    pub method: String,
    /// `https` or `http`.
    pub scheme: String,
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path and query (`/x?y=1`).
    pub path: String,
    /// Headers (no `Host`, `Content-Length`, `Connection`: added on sending).
    pub headers: Vec<(String, String)>,
    /// The body before `content_encoding`.
    pub body: Vec<u8>,
    /// `gzip`, `deflate` or none.
    pub content_encoding: Option<String>,
    /// The app pins this host's certificate: the proxy's CA is not trusted.
    pub pinned: bool,
}

/// What became of one request (kept for tests and `prior sim`'s diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResult {
    /// `METHOD scheme://host:port/path`.
    pub request: String,
    /// The status the proxy (or its addon) answered, or why there was none.
    pub outcome: Result<u16, String>,
}

/// A URL split into what a request needs (`scheme://host[:port][/path]`). `None` for any other
/// shape: user info, a scheme other than http/https, an empty host.
pub fn split_url(url: &str) -> Option<(String, String, u16, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_owned()),
    };
    if authority.contains('@') || path.contains(['\r', '\n', ' ']) {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok().filter(|p| *p != 0)?),
        None => (authority, default_port),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    host_ok.then(|| (scheme, host.to_ascii_lowercase(), port, path))
}

/// The handset's honey value of a placeholder kind (the contract's kinds; `lat`/`lon` for the
/// location's parts), or `None` when the handset has no such value: the same values the
/// recorder's honey step reads and sets (`crate::device::honey`), so what an app sends is what
/// `raw/device/honey.json` records.
pub fn honey_value(world: &crate::device::world::World, kind: &str) -> Option<String> {
    match kind {
        "lat" => world.honey.location.map(|(la, _)| la.to_string()),
        "lon" => world.honey.location.map(|(_, lo)| lo.to_string()),
        _ => crate::device::honey::world_honey_value(
            world,
            prior_model::honey::HoneyKind::parse(kind)?,
        ),
    }
}

/// The encodings a placeholder may name (`{{imei|md5}}`); several apply left to right.
pub const ENCODINGS: &[&str] = &[
    "plain", "upper", "lower", "nosep", "url", "base64", "md5", "sha1", "sha256", "round2",
    "round3", "round4",
];

/// Applies one encoding.
pub fn encode(value: &str, encoding: &str) -> Option<String> {
    use sha2::Digest as _;
    Some(match encoding {
        "plain" => value.to_owned(),
        "upper" => value.to_uppercase(),
        "lower" => value.to_lowercase(),
        "nosep" => value
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | ' '))
            .collect(),
        "url" => url_encode(value),
        "base64" => base64::engine::general_purpose::STANDARD.encode(value),
        "md5" => {
            use md5::Digest as _;
            hex::encode(md5::Md5::digest(value.as_bytes()).as_slice())
        }
        "sha1" => hex::encode(sha1::Sha1::digest(value.as_bytes())),
        "sha256" => hex::encode(sha2::Sha256::digest(value.as_bytes())),
        r if r.starts_with("round") => {
            let places: usize = r
                .strip_prefix("round")?
                .parse()
                .ok()
                .filter(|p| (2..=4).contains(p))?;
            let v: f64 = value.parse().ok()?;
            format!("{v:.places$}")
        }
        _ => return None,
    })
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Replaces every `{{kind|enc|…}}` in `template` with `lookup(kind)` encoded. Errors name the
/// placeholder (an unknown kind, an unknown encoding, an unclosed `{{`).
pub fn render(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed placeholder `{{{{{after}`"))?;
        let inner = after[..end].trim();
        let mut parts = inner.split('|').map(str::trim);
        let kind = parts.next().unwrap_or("");
        let mut value = lookup(kind)
            .ok_or_else(|| format!("placeholder `{{{{{inner}}}}}`: no honey value `{kind}`"))?;
        for enc in parts {
            value = encode(&value, enc).ok_or_else(|| {
                format!(
                    "placeholder `{{{{{inner}}}}}`: unknown encoding `{enc}` (known: {})",
                    ENCODINGS.join(", ")
                )
            })?;
        }
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The placeholder kinds: the honey kinds of the issue-18 contract, and `lat`/`lon` for the
/// location's parts.
pub const KINDS: &[&str] = &[
    "imei",
    "serial",
    "phone_number",
    "sim_serial",
    "iccid",
    "imsi",
    "android_id",
    "advertising_id",
    "wifi_mac",
    "wifi_ssid",
    "bt_mac",
    "location",
    "contact_name",
    "contact_phone",
    "contact_email",
    "calendar_title",
    "clipboard",
    "lat",
    "lon",
];

/// Checks a `send:` action's placeholders and URL without values (model validation).
pub fn validate(spec: &SendSpec) -> Result<(), String> {
    let any = |k: &str| KINDS.contains(&k).then(|| "0".to_owned());
    let url = render(&spec.url, &any)?;
    split_url(&url).ok_or_else(|| format!("`{}` is not an http:// or https:// URL", spec.url))?;
    if let Some(b) = &spec.body {
        render(b, &any)?;
    }
    for v in spec.headers.values() {
        render(v, &any)?;
    }
    if !spec.method.bytes().all(|b| b.is_ascii_uppercase()) || spec.method.is_empty() {
        return Err(format!(
            "method `{}` must be an upper-case HTTP method",
            spec.method
        ));
    }
    for (k, v) in &spec.headers {
        if k.is_empty()
            || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || v.contains(['\r', '\n'])
        {
            return Err(format!("header `{k}` is not a valid header"));
        }
    }
    match spec.content_encoding.as_deref() {
        None | Some("gzip") | Some("deflate") | Some("identity") => Ok(()),
        Some(o) => Err(format!(
            "content_encoding `{o}`: use gzip, deflate or identity"
        )),
    }
}

/// Renders a `send:` action with the handset's values.
pub fn outgoing(
    spec: &SendSpec,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Outgoing, String> {
    let url = render(&spec.url, lookup)?;
    let (scheme, host, port, path) =
        split_url(&url).ok_or_else(|| format!("`{url}` is not an http:// or https:// URL"))?;
    let mut headers = Vec::new();
    for (k, v) in &spec.headers {
        let v = render(v, lookup)?;
        // a honey value (a clipboard text…) must not split the header block
        if v.contains(['\r', '\n']) {
            return Err(format!("header `{k}`: its value holds a line break"));
        }
        headers.push((k.clone(), v));
    }
    let body = match &spec.body {
        Some(b) => render(b, lookup)?.into_bytes(),
        None => Vec::new(),
    };
    Ok(Outgoing {
        method: spec.method.clone(),
        scheme,
        host,
        port,
        path,
        headers,
        body,
        content_encoding: spec.content_encoding.clone().filter(|e| e != "identity"),
        pinned: spec.pinned,
    })
}

/// The worker that sends the handset's requests, one at a time, in order.
#[derive(Debug)]
pub struct Sender {
    tx: Mutex<Option<mpsc::Sender<Outgoing>>>,
    pending: Arc<(Mutex<usize>, Condvar)>,
    results: Arc<Mutex<Vec<SendResult>>>,
    stop: Arc<AtomicBool>,
}

const MAX_RESULTS: usize = 10_000;

impl Sender {
    /// Starts the worker for `proxy`.
    pub fn start(proxy: HttpProxy) -> Result<Sender, String> {
        if !proxy.addr.ip().is_loopback() {
            return Err(format!("the proxy {} is not on loopback", proxy.addr));
        }
        let tls = TlsConfigs::new(&proxy.ca_pem)?;
        let (tx, rx) = mpsc::channel::<Outgoing>();
        let pending = Arc::new((Mutex::new(0usize), Condvar::new()));
        let results = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, r, s) = (
            Arc::clone(&pending),
            Arc::clone(&results),
            Arc::clone(&stop),
        );
        std::thread::Builder::new()
            .name("sim-http".into())
            .spawn(move || {
                for req in rx {
                    let outcome = if s.load(Ordering::Relaxed) {
                        Err("not sent: interception stopped".to_owned())
                    } else {
                        send(&proxy, &tls, &req)
                    };
                    tracing::debug!(host = %req.host, ?outcome, "sim send");
                    {
                        let mut r = r.lock().unwrap_or_else(|e| e.into_inner());
                        if r.len() < MAX_RESULTS {
                            r.push(SendResult {
                                request: format!(
                                    "{} {}://{}:{}{}",
                                    req.method, req.scheme, req.host, req.port, req.path
                                ),
                                outcome,
                            });
                        }
                    }
                    let (m, cv) = &*p;
                    let mut n = m.lock().unwrap_or_else(|e| e.into_inner());
                    *n = n.saturating_sub(1);
                    cv.notify_all();
                }
            })
            .map_err(|e| format!("start the sender thread: {e}"))?;
        Ok(Sender {
            tx: Mutex::new(Some(tx)),
            pending,
            results,
            stop,
        })
    }

    /// Queues a request (never blocks the device).
    pub fn queue(&self, req: Outgoing) {
        let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        let Some(tx) = tx.as_ref() else { return };
        {
            let (m, _) = &*self.pending;
            *m.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        }
        if tx.send(req).is_err() {
            let (m, _) = &*self.pending;
            let mut n = m.lock().unwrap_or_else(|e| e.into_inner());
            *n = n.saturating_sub(1);
        }
    }

    /// Waits until every queued request was sent (or failed), at most `timeout`; `true` when
    /// none is left.
    pub fn flush(&self, timeout: Duration) -> bool {
        let (m, cv) = &*self.pending;
        let n = m.lock().unwrap_or_else(|e| e.into_inner());
        let (n, _) = cv
            .wait_timeout_while(n, timeout, |n| *n > 0)
            .unwrap_or_else(|e| e.into_inner());
        *n == 0
    }

    /// What became of the requests so far.
    pub fn results(&self) -> Vec<SendResult> {
        self.results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops the worker after the queued requests (those still queued are not sent).
    pub fn close(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// Two client configurations: trusting the proxy's CA, and trusting nothing (a pinned host).
struct TlsConfigs {
    trusting: Arc<rustls::ClientConfig>,
    pinned: Arc<rustls::ClientConfig>,
}

impl TlsConfigs {
    fn new(ca_pem: &[u8]) -> Result<TlsConfigs, String> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject as _;
        let mut roots = rustls::RootCertStore::empty();
        let mut n = 0;
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            let cert = cert.map_err(|e| format!("read the proxy's CA: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("trust the proxy's CA: {e}"))?;
            n += 1;
        }
        if n == 0 {
            return Err("the proxy's CA file has no certificate".into());
        }
        let config = |roots: rustls::RootCertStore| -> Result<Arc<rustls::ClientConfig>, String> {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut c = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("set up TLS: {e}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            c.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(Arc::new(c))
        };
        Ok(TlsConfigs {
            trusting: config(roots)?,
            pinned: config(rustls::RootCertStore::empty())?,
        })
    }
}

impl std::fmt::Debug for TlsConfigs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsConfigs")
    }
}

const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends one request through the proxy; the status line's code.
fn send(proxy: &HttpProxy, tls: &TlsConfigs, req: &Outgoing) -> Result<u16, String> {
    let mut tcp = TcpStream::connect_timeout(&proxy.addr, IO_TIMEOUT)
        .map_err(|e| format!("connect to the proxy {}: {e}", proxy.addr))?;
    tcp.set_read_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let body = encode_body(&req.body, req.content_encoding.as_deref())?;
    if req.scheme == "https" {
        let authority = format!("{}:{}", req.host, req.port);
        tcp.write_all(
            format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes(),
        )
        .map_err(|e| format!("CONNECT: {e}"))?;
        let head = read_head(&mut tcp)?;
        if status_of(&head) != Some(200) {
            return Err(format!(
                "CONNECT {authority}: {}",
                String::from_utf8_lossy(head.split(|b| *b == b'\n').next().unwrap_or(&[])).trim()
            ));
        }
        let name = rustls::pki_types::ServerName::try_from(req.host.clone())
            .map_err(|e| format!("server name {}: {e}", req.host))?;
        let config = if req.pinned {
            &tls.pinned
        } else {
            &tls.trusting
        };
        let conn = rustls::ClientConnection::new(Arc::clone(config), name)
            .map_err(|e| format!("TLS: {e}"))?;
        let mut stream = rustls::StreamOwned::new(conn, tcp);
        let head = request_head(req, &req.path, body.len());
        stream
            .write_all(&head)
            .and_then(|()| stream.write_all(&body))
            .and_then(|()| stream.flush())
            .map_err(|e| format!("TLS to {authority}: {e}"))?;
        let head = read_head(&mut stream)?;
        status_of(&head).ok_or_else(|| "no HTTP status line in the reply".to_owned())
    } else {
        let target = format!("http://{}:{}{}", req.host, req.port, req.path);
        let head = request_head(req, &target, body.len());
        tcp.write_all(&head)
            .and_then(|()| tcp.write_all(&body))
            .map_err(|e| format!("send to the proxy: {e}"))?;
        let head = read_head(&mut tcp)?;
        status_of(&head).ok_or_else(|| "no HTTP status line in the reply".to_owned())
    }
}

fn request_head(req: &Outgoing, target: &str, len: usize) -> Vec<u8> {
    let mut h = format!("{} {target} HTTP/1.1\r\n", req.method);
    let host =
        if (req.scheme == "https" && req.port == 443) || (req.scheme == "http" && req.port == 80) {
            req.host.clone()
        } else {
            format!("{}:{}", req.host, req.port)
        };
    h.push_str(&format!("Host: {host}\r\n"));
    for (k, v) in &req.headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(e) = &req.content_encoding {
        h.push_str(&format!("Content-Encoding: {e}\r\n"));
    }
    h.push_str(&format!(
        "Content-Length: {len}\r\nConnection: close\r\n\r\n"
    ));
    h.into_bytes()
}

fn encode_body(body: &[u8], encoding: Option<&str>) -> Result<Vec<u8>, String> {
    use flate2::Compression;
    let err = |e: std::io::Error| format!("compress the body: {e}");
    match encoding {
        Some("gzip") => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(body).map_err(err)?;
            e.finish().map_err(err)
        }
        Some("deflate") => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(body).map_err(err)?;
            e.finish().map_err(err)
        }
        _ => Ok(body.to_vec()),
    }
}

/// Reads up to the end of the header block (at most 64 KiB).
fn read_head(r: &mut dyn Read) -> Result<Vec<u8>, String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match r.read(&mut byte) {
            Ok(0) if head.is_empty() => return Err("the connection closed without a reply".into()),
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(e) => return Err(format!("read the reply: {e}")),
        }
        if head.len() > 64 * 1024 {
            return Err("the reply's header is longer than 64 KiB".into());
        }
    }
    Ok(head)
}

fn status_of(head: &[u8]) -> Option<u16> {
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    parts.next().filter(|v| v.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_or_are_refused() {
        assert_eq!(
            split_url("https://alog.umeng.com/app_logs?x=1"),
            Some((
                "https".into(),
                "alog.umeng.com".into(),
                443,
                "/app_logs?x=1".into()
            ))
        );
        assert_eq!(
            split_url("http://h.example:8080?q"),
            Some(("http".into(), "h.example".into(), 8080, "/?q".into()))
        );
        assert_eq!(split_url("ftp://h/x"), None);
        assert_eq!(split_url("https://u@h/x"), None);
        assert_eq!(split_url("https:///x"), None);
        assert_eq!(split_url("https://h/x y"), None);
    }

    #[test]
    fn placeholders_take_values_and_encodings() {
        let look = |k: &str| match k {
            "imei" => Some("358240051111110".to_owned()),
            "lat" => Some("39.9042".to_owned()),
            "wifi_mac" => Some("02:00:00:44:55:66".to_owned()),
            _ => None,
        };
        assert_eq!(
            render("imei={{imei|md5}}&lat={{ lat | round3 }}", &look).as_deref(),
            Ok("imei=e5a3d00ab4ddb25258fc9633a76dd16d&lat=39.904")
        );
        assert_eq!(
            render("{{wifi_mac|nosep|upper}}", &look).as_deref(),
            Ok("020000445566")
        );
        assert_eq!(
            render("{{imei|base64}}", &look).as_deref(),
            Ok("MzU4MjQwMDUxMTExMTEw")
        );
        assert!(
            render("{{imei|rot13}}", &look)
                .unwrap_err()
                .contains("unknown encoding")
        );
        assert!(
            render("{{nothing}}", &look)
                .unwrap_err()
                .contains("no honey value")
        );
        assert!(render("{{imei", &look).unwrap_err().contains("unclosed"));
        assert_eq!(encode("a b/é", "url").as_deref(), Some("a%20b%2F%C3%A9"));
        assert_eq!(
            encode("abc", "sha1").as_deref(),
            Some("a9993e364706816aba3e25717850c26c9cd0d89d")
        );
    }

    #[test]
    fn a_value_with_a_line_break_cannot_split_the_header_block() {
        let spec = SendSpec {
            method: "POST".into(),
            url: "https://h.example/{{clipboard|url}}".into(),
            headers: [("X-Clip".to_owned(), "{{clipboard}}".to_owned())].into(),
            body: None,
            content_encoding: None,
            pinned: false,
            stack: Vec::new(),
        };
        let look = |_: &str| Some("a\r\nHost: evil".to_owned());
        assert!(outgoing(&spec, &look).unwrap_err().contains("line break"));
        let spec = SendSpec {
            headers: Default::default(),
            ..spec
        };
        let o = outgoing(&spec, &look).expect("url-encoded in the URL");
        assert_eq!(o.path, "/a%0D%0AHost%3A%20evil");
    }

    #[test]
    fn status_lines_are_read() {
        assert_eq!(status_of(b"HTTP/1.1 200 OK\r\n\r\n"), Some(200));
        assert_eq!(status_of(b"garbage 200\r\n"), None);
    }
}
