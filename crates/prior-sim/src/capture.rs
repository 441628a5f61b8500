//! Network capture of the simulated handset: the emulator's `-tcpdump FILE` (and console
//! `network capture start FILE` / `network capture stop`) for the traffic the app models make.
//!
//! The handset has no network stack: an app model's `contact:` action only records a
//! [`NetRecord`]. While a capture runs, every such record is turned into the packets a real
//! guest would have sent and received, and appended to a **classic pcap** file at once (one
//! `write` per record, no buffering), so a crash leaves every record before it readable.
//!
//! Choices (the real emulator's capture details are UNVERIFIED; see `docs/sim-models.md`):
//! - **Link type 1 (Ethernet)**, microsecond timestamps, little-endian, version 2.4,
//!   snap length 65535. Frames go between the guest `52:54:00:12:34:56` (QEMU's default NIC
//!   address) and the user-mode network's gateway `52:55:0a:00:02:02` (QEMU slirp's virtual
//!   host address), as on the emulator's `10.0.2.0/24` network.
//! - Addresses: the guest is `10.0.2.15`, its DNS resolver `10.0.2.3` (the emulator's
//!   documented network layout); a contacted host gets a stable address in the documentation
//!   range `203.0.113.0/24` (RFC 5737) from a hash of its name ([`host_address`]). A host that
//!   is an IPv4 literal is used as is, with no DNS lookup.
//! - Per record, on the **host clock** (the record's device time minus the device clock's
//!   offset from the host, as the emulator's host-side tcpdump writes it):
//!   a DNS A query (UDP, guest port → `10.0.2.3:53`) at +0 µs and its answer at +900 µs; then
//!   for `tls` (the default, and any protocol other than `http`/`dns`) a TCP handshake to
//!   the host's port (SYN +1.5 ms, SYN-ACK +21.5 ms, ACK +21.6 ms) and a TLS 1.3 ClientHello
//!   carrying the SNI at +21.8 ms; for `http` the same handshake and a `GET /` request with a
//!   `Host:` header (with `:port` when the port is not 80); for `dns` only the lookup.
//!   No SNI is sent for an IP-literal host (RFC 6066 §3); hosts that are not valid DNS names
//!   get no lookup; IPv6 literals are not written at all (counted in
//!   [`CaptureStats::skipped`]).
//! - Every IPv4, UDP and TCP checksum is computed (RFC 791, 768, 793).
//! - The file is capped at [`MAX_CAPTURE_BYTES`]; records beyond it are counted, not written.
//!
//! Architecture invariant: this writer is Prior's simulator's own code; it shares nothing with
//! the capture reader (`prior-net`), so tests reading one with the other cross-check both.

use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use crate::device::rng::fnv;

/// A network contact made by an app (written as packets while a capture runs:
/// [`crate::capture`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRecord {
    pub time_us: crate::device::clock::DeviceUs,
    pub pid: i32,
    pub uid: i32,
    pub package: String,
    pub host: String,
    pub port: u16,
    pub protocol: String,
}

/// LINKTYPE_ETHERNET (tcpdump.org/linktypes.html).
pub const LINKTYPE_ETHERNET: u32 = 1;
/// Snap length written in the file header.
pub const SNAPLEN: u32 = 65_535;
/// The guest's address on the emulator's user-mode network.
pub const GUEST_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
/// The emulator's DNS resolver.
pub const RESOLVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 3);
/// The guest NIC's MAC address (QEMU's default).
pub const GUEST_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
/// The user-mode network's gateway MAC address (QEMU slirp: `52:55` + `10.0.2.2`).
pub const GATEWAY_MAC: [u8; 6] = [0x52, 0x55, 0x0a, 0x00, 0x02, 0x02];
/// Largest capture file written; later records are counted in [`CaptureStats::dropped`].
pub const MAX_CAPTURE_BYTES: u64 = 64 << 20;

/// Errors of a capture. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The file could not be created or its header written.
    #[error("start the network capture into {path}: {source}")]
    Create {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A capture is already running.
    #[error("start the network capture: one is already running into {0}")]
    AlreadyRunning(PathBuf),
    /// No capture is running.
    #[error("stop the network capture: none is running")]
    NotRunning,
    /// Writing a record failed; the capture stopped writing at that point.
    #[error("write the network capture {path}: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error, as text.
        message: String,
    },
}

/// What a capture wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureStats {
    /// The file.
    pub path: PathBuf,
    /// Network records turned into packets.
    pub records: u64,
    /// Packets written.
    pub packets: u64,
    /// Bytes of the file, header included.
    pub bytes: u64,
    /// Records that could not be represented (IPv6 literal hosts).
    pub skipped: u64,
    /// Records not written because the file reached [`MAX_CAPTURE_BYTES`].
    pub dropped: u64,
}

/// A stable address for a host name in `203.0.113.1`–`203.0.113.254` (TEST-NET-3, RFC 5737).
pub fn host_address(host: &str) -> Ipv4Addr {
    let h = fnv(&host.to_ascii_lowercase());
    Ipv4Addr::new(203, 0, 113, 1 + (h % 254) as u8)
}

/// The 24-byte classic pcap file header (little-endian, µs, Ethernet).
pub fn pcap_header() -> [u8; 24] {
    let mut h = [0u8; 24];
    h[0..4].copy_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    h[4..6].copy_from_slice(&2u16.to_le_bytes());
    h[6..8].copy_from_slice(&4u16.to_le_bytes());
    // thiszone (8..12) and sigfigs (12..16) are 0.
    h[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
    h[20..24].copy_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    h
}

/// Appends one pcap record (header + frame) with a host-clock timestamp.
pub fn push_record(out: &mut Vec<u8>, time_us: i64, frame: &[u8]) {
    let t = time_us.max(0);
    let sec = u32::try_from(t / 1_000_000).unwrap_or(u32::MAX);
    let usec = (t % 1_000_000) as u32;
    let len = frame.len().min(SNAPLEN as usize);
    out.extend_from_slice(&sec.to_le_bytes());
    out.extend_from_slice(&usec.to_le_bytes());
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    out.extend_from_slice(&frame[..len]);
}

/// The Internet checksum (RFC 1071) of `parts` concatenated.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &b in *part {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(u16::from_be_bytes([hi, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// One side of a conversation.
#[derive(Debug, Clone, Copy)]
struct End {
    ip: Ipv4Addr,
    port: u16,
}

const TCP_SYN: u8 = 0x02;
const TCP_PSH: u8 = 0x08;
const TCP_ACK: u8 = 0x10;

/// Builds Ethernet/IPv4 frames for one capture (the IP identification counter lives here).
#[derive(Debug)]
struct Framer {
    ip_id: u16,
}

impl Framer {
    fn frame(&mut self, from: End, to: End, proto: u8, l4: &[u8]) -> Vec<u8> {
        let outbound = from.ip == GUEST_IP;
        let mut f = Vec::with_capacity(14 + 20 + l4.len());
        // Ethernet II
        if outbound {
            f.extend_from_slice(&GATEWAY_MAC);
            f.extend_from_slice(&GUEST_MAC);
        } else {
            f.extend_from_slice(&GUEST_MAC);
            f.extend_from_slice(&GATEWAY_MAC);
        }
        f.extend_from_slice(&0x0800u16.to_be_bytes());
        // IPv4, no options
        self.ip_id = self.ip_id.wrapping_add(1);
        let total = (20 + l4.len()) as u16;
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        ip[4..6].copy_from_slice(&self.ip_id.to_be_bytes());
        ip[6] = 0x40; // don't fragment
        ip[8] = 64; // TTL
        ip[9] = proto;
        ip[12..16].copy_from_slice(&from.ip.octets());
        ip[16..20].copy_from_slice(&to.ip.octets());
        let c = checksum(&[&ip]);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        f.extend_from_slice(&ip);
        // Transport checksum over the pseudo-header.
        let mut l4 = l4.to_vec();
        let mut pseudo = [0u8; 12];
        pseudo[0..4].copy_from_slice(&from.ip.octets());
        pseudo[4..8].copy_from_slice(&to.ip.octets());
        pseudo[9] = proto;
        pseudo[10..12].copy_from_slice(&(l4.len() as u16).to_be_bytes());
        let at = if proto == 17 { 6 } else { 16 };
        l4[at] = 0;
        l4[at + 1] = 0;
        let mut c = checksum(&[&pseudo, &l4]);
        if proto == 17 && c == 0 {
            c = 0xffff; // RFC 768: a computed zero is sent as all ones
        }
        l4[at..at + 2].copy_from_slice(&c.to_be_bytes());
        f.extend_from_slice(&l4);
        f
    }

    fn udp(&mut self, from: End, to: End, payload: &[u8]) -> Vec<u8> {
        let mut u = Vec::with_capacity(8 + payload.len());
        u.extend_from_slice(&from.port.to_be_bytes());
        u.extend_from_slice(&to.port.to_be_bytes());
        u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        u.extend_from_slice(&[0, 0]);
        u.extend_from_slice(payload);
        self.frame(from, to, 17, &u)
    }

    fn tcp(
        &mut self,
        from: End,
        to: End,
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &[u8],
    ) -> Vec<u8> {
        // SYN segments carry the MSS option (kind 2, length 4, 1460) as Linux sends it.
        let opts: &[u8] = if flags & TCP_SYN != 0 {
            &[2, 4, 0x05, 0xb4]
        } else {
            &[]
        };
        let hlen = 20 + opts.len();
        let mut t = Vec::with_capacity(hlen + payload.len());
        t.extend_from_slice(&from.port.to_be_bytes());
        t.extend_from_slice(&to.port.to_be_bytes());
        t.extend_from_slice(&seq.to_be_bytes());
        t.extend_from_slice(&ack.to_be_bytes());
        t.push(((hlen / 4) as u8) << 4);
        t.push(flags);
        t.extend_from_slice(&65_535u16.to_be_bytes()); // window
        t.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
        t.extend_from_slice(opts);
        t.extend_from_slice(payload);
        self.frame(from, to, 6, &t)
    }
}

/// `name` as DNS wire labels, or `None` when it is not a valid DNS name (empty labels,
/// a label over 63 bytes, over 255 bytes in all, bytes outside printable ASCII).
fn dns_name(name: &str) -> Option<Vec<u8>> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    let mut out = Vec::with_capacity(name.len() + 2);
    for label in name.split('.') {
        if label.is_empty()
            || label.len() > 63
            || !label.bytes().all(|b| (0x21..=0x7e).contains(&b))
        {
            return None;
        }
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    Some(out)
}

fn dns_query(id: u16, qname: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(12 + qname.len() + 4);
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&0x0100u16.to_be_bytes()); // RD
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // QD=1
    m.extend_from_slice(qname);
    m.extend_from_slice(&[0, 1, 0, 1]); // A, IN
    m
}

fn dns_answer(id: u16, qname: &[u8], addr: Ipv4Addr) -> Vec<u8> {
    let mut m = Vec::with_capacity(12 + qname.len() + 4 + 16);
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&0x8180u16.to_be_bytes()); // QR, RD, RA, NOERROR
    m.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 0]); // QD=1, AN=1
    m.extend_from_slice(qname);
    m.extend_from_slice(&[0, 1, 0, 1]);
    m.extend_from_slice(&[0xc0, 0x0c]); // pointer to the question name
    m.extend_from_slice(&[0, 1, 0, 1]); // A, IN
    m.extend_from_slice(&300u32.to_be_bytes()); // TTL
    m.extend_from_slice(&4u16.to_be_bytes());
    m.extend_from_slice(&addr.octets());
    m
}

/// A TLS 1.3 ClientHello record (RFC 8446 §4.1.2) with an optional server_name extension
/// (RFC 6066 §3). `random` fills the random and legacy session id.
fn client_hello(sni: Option<&str>, random: u64) -> Vec<u8> {
    let mut ext = Vec::new();
    if let Some(name) = sni {
        let n = name.as_bytes();
        let list_len = 3 + n.len();
        ext.extend_from_slice(&0u16.to_be_bytes()); // server_name
        ext.extend_from_slice(&((2 + list_len) as u16).to_be_bytes());
        ext.extend_from_slice(&(list_len as u16).to_be_bytes());
        ext.push(0); // host_name
        ext.extend_from_slice(&(n.len() as u16).to_be_bytes());
        ext.extend_from_slice(n);
    }
    // supported_groups: x25519, secp256r1
    ext.extend_from_slice(&[0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17]);
    // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256
    ext.extend_from_slice(&[0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04]);
    // supported_versions: TLS 1.3, TLS 1.2
    ext.extend_from_slice(&[0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03]);
    let mut body = Vec::new();
    body.extend_from_slice(&[0x03, 0x03]); // legacy_version TLS 1.2
    let mut r = random;
    for _ in 0..4 {
        r = r.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17) ^ 0xA076_1D64_78BD_642F;
        body.extend_from_slice(&r.to_be_bytes());
    }
    body.push(32); // legacy_session_id
    for _ in 0..4 {
        r = r.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29) ^ 0xE703_7ED1_A0B4_28DB;
        body.extend_from_slice(&r.to_be_bytes());
    }
    let suites: [u16; 5] = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f];
    body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression methods: null
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut hs = Vec::with_capacity(4 + body.len());
    hs.push(1); // client_hello
    let l = body.len() as u32;
    hs.extend_from_slice(&l.to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = Vec::with_capacity(5 + hs.len());
    rec.extend_from_slice(&[22, 3, 1]); // handshake, legacy record version TLS 1.0
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

fn http_request(host: &str, port: u16) -> Vec<u8> {
    let host_header = if port == 80 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    format!(
        "GET / HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: Dalvik/2.1.0 (Linux; U; Android 13; SIMULATED Pixel 6 Build/TQ3A.230901.001)\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\n\r\n"
    )
    .into_bytes()
}

/// The packets of one network record: `(host-clock µs, frame)`, in time order. `n` numbers
/// the record within its capture (ports, DNS id and sequence numbers derive from it).
/// Empty for records that cannot be represented (IPv6 literal hosts).
pub fn record_frames(rec: &NetRecord, host_time_us: i64, n: u32) -> Vec<(i64, Vec<u8>)> {
    let mut framer = Framer {
        ip_id: (n as u16).wrapping_mul(97),
    };
    record_frames_with(&mut framer, rec, host_time_us, n)
}

fn record_frames_with(framer: &mut Framer, rec: &NetRecord, t: i64, n: u32) -> Vec<(i64, Vec<u8>)> {
    let host = rec.host.trim();
    if host.parse::<std::net::Ipv6Addr>().is_ok() || host.starts_with('[') {
        return Vec::new();
    }
    let literal = host.parse::<Ipv4Addr>().ok();
    let server_ip = literal.unwrap_or_else(|| host_address(host));
    let h = fnv(host) ^ u64::from(n).wrapping_mul(0x9E37_79B9);
    let mut out = Vec::new();
    // Linux's ephemeral range is 32768-60999; the DNS query and the connection use two ports.
    let dns_port = 32_768 + ((u64::from(n) * 2 * 7919 + (h & 0xff)) % 28_232) as u16;
    let conn_port = 32_768 + ((u64::from(n) * 2 * 7919 + 7919 + (h & 0xff)) % 28_232) as u16;
    let guest = |port| End { ip: GUEST_IP, port };
    if literal.is_none()
        && let Some(qname) = dns_name(host)
    {
        let id = (h >> 16) as u16;
        let resolver = End {
            ip: RESOLVER_IP,
            port: 53,
        };
        out.push((
            t,
            framer.udp(guest(dns_port), resolver, &dns_query(id, &qname)),
        ));
        out.push((
            t + 900,
            framer.udp(
                resolver,
                guest(dns_port),
                &dns_answer(id, &qname, server_ip),
            ),
        ));
    }
    let protocol = rec.protocol.to_ascii_lowercase();
    if protocol == "dns" {
        return out;
    }
    let c = guest(conn_port);
    let s = End {
        ip: server_ip,
        port: rec.port,
    };
    let cisn = (h >> 32) as u32;
    let sisn = h as u32 ^ 0x5bd1_e995;
    out.push((t + 1_500, framer.tcp(c, s, cisn, 0, TCP_SYN, &[])));
    out.push((
        t + 21_500,
        framer.tcp(s, c, sisn, cisn.wrapping_add(1), TCP_SYN | TCP_ACK, &[]),
    ));
    out.push((
        t + 21_600,
        framer.tcp(
            c,
            s,
            cisn.wrapping_add(1),
            sisn.wrapping_add(1),
            TCP_ACK,
            &[],
        ),
    ));
    let payload = if protocol == "http" {
        http_request(host, rec.port)
    } else {
        let sni = (literal.is_none() && dns_name(host).is_some()).then_some(host);
        client_hello(sni, h)
    };
    out.push((
        t + 21_800,
        framer.tcp(
            c,
            s,
            cisn.wrapping_add(1),
            sisn.wrapping_add(1),
            TCP_PSH | TCP_ACK,
            &payload,
        ),
    ));
    // The server's reply is not modelled: the capture ends with the guest's first segment.
    out
}

/// A running capture (kept by the simulated device while it runs).
#[derive(Debug)]
pub struct Capture {
    path: PathBuf,
    file: Option<std::fs::File>,
    /// Device clock minus host clock, µs: packets are stamped `device − offset`.
    device_minus_host_us: i64,
    framer: Framer,
    stats: CaptureStats,
    error: Option<String>,
    /// [`MAX_CAPTURE_BYTES`], lowered by tests.
    limit: u64,
}

impl Capture {
    /// Creates (truncating) `path` and writes the pcap header. Device times are converted to
    /// the host clock as `device − device_minus_host_us`.
    pub fn create(path: &Path, device_minus_host_us: i64) -> Result<Capture, CaptureError> {
        let err = |source| CaptureError::Create {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::create(path).map_err(err)?;
        file.write_all(&pcap_header()).map_err(err)?;
        file.flush().map_err(err)?;
        Ok(Capture {
            path: path.to_path_buf(),
            file: Some(file),
            device_minus_host_us,
            framer: Framer { ip_id: 0x2a00 },
            stats: CaptureStats {
                path: path.to_path_buf(),
                records: 0,
                packets: 0,
                bytes: 24,
                skipped: 0,
                dropped: 0,
            },
            error: None,
            limit: MAX_CAPTURE_BYTES,
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the packets of one record (one `write` call). After a write error the capture
    /// writes nothing more; [`Capture::finish`] reports the error.
    pub fn record(&mut self, rec: &NetRecord) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let n = u32::try_from(self.stats.records + self.stats.skipped + self.stats.dropped)
            .unwrap_or(u32::MAX);
        let host_t = rec.time_us.saturating_sub(self.device_minus_host_us);
        let frames = record_frames_with(&mut self.framer, rec, host_t, n);
        if frames.is_empty() {
            self.stats.skipped += 1;
            return;
        }
        let mut bytes = Vec::new();
        for (t, f) in &frames {
            push_record(&mut bytes, *t, f);
        }
        if self.stats.bytes + bytes.len() as u64 > self.limit {
            self.stats.dropped += 1;
            return;
        }
        match file.write_all(&bytes).and_then(|()| file.flush()) {
            Ok(()) => {
                self.stats.records += 1;
                self.stats.packets += frames.len() as u64;
                self.stats.bytes += bytes.len() as u64;
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.file = None;
            }
        }
    }

    /// What was written so far.
    pub fn stats(&self) -> &CaptureStats {
        &self.stats
    }

    /// Closes the file: what was written, or the write error that stopped it.
    pub fn finish(mut self) -> Result<CaptureStats, CaptureError> {
        if let Some(f) = self.file.take() {
            f.sync_all().map_err(|e| CaptureError::Write {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        }
        match self.error {
            Some(message) => Err(CaptureError::Write {
                path: self.path,
                message,
            }),
            None => Ok(self.stats),
        }
    }
}

#[cfg(test)]
mod tests;
