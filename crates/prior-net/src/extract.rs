//! Host-name extraction: DNS (RFC 1035), TLS ClientHello SNI (RFC 8446 §4.1.2,
//! RFC 6066 §3) and HTTP/1.x `Host:` (RFC 9112 §3.2).

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use crate::NetError;
use crate::capture::{Capture, CaptureReader, Packet};
use crate::decode::{Transport, decode_packet};

/// What a [`NetRecord`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetKind {
    DnsQuery,
    DnsAnswer,
    TlsSni,
    HttpHost,
}

impl NetKind {
    /// `dns-query`, `dns-answer`, `tls-sni`, `http-host`.
    pub fn as_str(self) -> &'static str {
        match self {
            NetKind::DnsQuery => "dns-query",
            NetKind::DnsAnswer => "dns-answer",
            NetKind::TlsSni => "tls-sni",
            NetKind::HttpHost => "http-host",
        }
    }
}

/// One host name seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRecord {
    /// Packet capture timestamp, µs since the Unix epoch.
    pub time_us: i64,
    pub kind: NetKind,
    /// Lower-cased host name (the question name for DNS answers).
    pub host: String,
    /// A/AAAA addresses of a DNS answer (empty for other kinds).
    pub addrs: Vec<IpAddr>,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Index of the packet in the capture.
    pub packet_index: usize,
}

/// Records of a capture, plus the error that stopped reading early, if any.
#[derive(Debug)]
pub struct Analysis {
    pub records: Vec<NetRecord>,
    pub packets: usize,
    pub error: Option<NetError>,
}

/// Read a capture file and extract its records, streaming: only one packet is
/// held in memory at a time (plus the records).
pub fn analyze_file(path: &Path, opts: &ExtractOptions) -> Result<Analysis, NetError> {
    let file = std::fs::File::open(path).map_err(|source| NetError::Io {
        path: path.display().to_string(),
        source,
    })?;
    analyze_reader(std::io::BufReader::new(file), opts)
}

/// [`analyze_file`] on any reader.
pub fn analyze_reader<R: Read>(r: R, opts: &ExtractOptions) -> Result<Analysis, NetError> {
    let mut records = Vec::new();
    let mut packets = 0;
    let mut error = None;
    for item in CaptureReader::new(r)? {
        match item {
            Ok(p) => {
                packets += 1;
                records.extend(extract_records_with(std::slice::from_ref(&p), opts));
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    Ok(Analysis {
        records,
        packets,
        error,
    })
}

/// Extract records from a capture already read.
pub fn analyze(c: Capture, opts: &ExtractOptions) -> Analysis {
    Analysis {
        records: extract_records_with(&c.packets, opts),
        packets: c.packets.len(),
        error: c.error,
    }
}

/// Extraction settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractOptions {
    /// UDP/TCP ports whose traffic is parsed as DNS (default: 53).
    pub dns_ports: Vec<u16>,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            dns_ports: vec![53],
        }
    }
}

/// Extract records from packets, in packet order, with default options.
pub fn extract_records(packets: &[Packet]) -> Vec<NetRecord> {
    extract_records_with(packets, &ExtractOptions::default())
}

/// Extract records from packets, in packet order.
pub fn extract_records_with(packets: &[Packet], opts: &ExtractOptions) -> Vec<NetRecord> {
    let mut out = Vec::new();
    for p in packets {
        let Some(seg) = decode_packet(p) else {
            continue;
        };
        let push = |out: &mut Vec<NetRecord>, kind, host: String, addrs| {
            out.push(NetRecord {
                time_us: p.time_us,
                kind,
                host,
                addrs,
                src: seg.src,
                dst: seg.dst,
                packet_index: p.index,
            })
        };
        let dns_port =
            opts.dns_ports.contains(&seg.src.port()) || opts.dns_ports.contains(&seg.dst.port());
        match seg.transport {
            Transport::Udp if dns_port => {
                if let Some(msg) = parse_dns(seg.payload) {
                    dns_records(msg, &mut |k, h, a| push(&mut out, k, h, a));
                }
            }
            Transport::Udp => {}
            Transport::Tcp => {
                if seg.payload.is_empty() {
                    continue;
                }
                if dns_port {
                    let len = seg
                        .payload
                        .get(0..2)
                        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
                    if let Some(m) = len.and_then(|l| seg.payload.get(2..2 + l))
                        && let Some(msg) = parse_dns(m)
                    {
                        dns_records(msg, &mut |k, h, a| push(&mut out, k, h, a));
                        continue;
                    }
                }
                if let Some(sni) = tls_sni(seg.payload) {
                    push(&mut out, NetKind::TlsSni, sni, Vec::new());
                } else if let Some(host) = http_host(seg.payload) {
                    push(&mut out, NetKind::HttpHost, host, Vec::new());
                }
            }
        }
    }
    out
}

fn dns_records(msg: DnsMessage, emit: &mut dyn FnMut(NetKind, String, Vec<IpAddr>)) {
    if msg.response {
        if let Some(q) = msg.questions.into_iter().next() {
            emit(NetKind::DnsAnswer, q, msg.addrs);
        }
    } else {
        for q in msg.questions {
            emit(NetKind::DnsQuery, q, Vec::new());
        }
    }
}

struct DnsMessage {
    response: bool,
    questions: Vec<String>,
    addrs: Vec<IpAddr>,
}

/// Most questions/answers read from one message (real ones carry a handful).
const MAX_DNS_ENTRIES: usize = 64;

fn parse_dns(m: &[u8]) -> Option<DnsMessage> {
    let be16 =
        |at: usize| -> Option<u16> { Some(u16::from_be_bytes([*m.get(at)?, *m.get(at + 1)?])) };
    let flags = be16(2)?;
    let qd = usize::from(be16(4)?);
    let an = usize::from(be16(6)?);
    let opcode = (flags >> 11) & 0xF;
    if opcode != 0 || qd == 0 || qd > MAX_DNS_ENTRIES {
        return None;
    }
    let mut at = 12;
    let mut questions = Vec::new();
    for _ in 0..qd {
        let (name, next) = read_name(m, at)?;
        at = next.checked_add(4)?; // QTYPE, QCLASS
        if at > m.len() {
            return None;
        }
        questions.push(name);
    }
    let mut addrs = Vec::new();
    for _ in 0..an.min(MAX_DNS_ENTRIES) {
        let Some((_, next)) = read_name(m, at) else {
            break;
        };
        let (Some(rtype), Some(rdlen)) = (be16(next), be16(next + 8)) else {
            break;
        };
        let rd_start = next + 10;
        let Some(rdata) = m.get(rd_start..rd_start + usize::from(rdlen)) else {
            break;
        };
        match (rtype, rdata.len()) {
            (1, 4) => addrs.push(IpAddr::V4(Ipv4Addr::new(
                rdata[0], rdata[1], rdata[2], rdata[3],
            ))),
            (28, 16) => {
                let mut a = [0u8; 16];
                a.copy_from_slice(rdata);
                addrs.push(IpAddr::V6(Ipv6Addr::from(a)));
            }
            _ => {}
        }
        at = rd_start + usize::from(rdlen);
    }
    Some(DnsMessage {
        response: flags & 0x8000 != 0,
        questions,
        addrs,
    })
}

/// Read a possibly compressed name at `at`; returns it and the offset after it
/// (after the first pointer, if any). Pointers must point strictly backwards
/// from the label they replace, so they cannot loop; the name is capped at 255
/// wire bytes (RFC 1035 §3.1).
fn read_name(m: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut wire_len = 0usize;
    let mut end: Option<usize> = None;
    let mut jumps = 0;
    loop {
        let len = *m.get(at)?;
        match len >> 6 {
            0 => {
                if len == 0 {
                    let after = end.unwrap_or(at + 1);
                    if name.is_empty() {
                        name.push('.');
                    }
                    return Some((name, after));
                }
                let label = m.get(at + 1..at + 1 + usize::from(len))?;
                wire_len += usize::from(len) + 1;
                if wire_len > 255 {
                    return None;
                }
                if !name.is_empty() {
                    name.push('.');
                }
                for &c in label {
                    match c {
                        b'.' | b'\\' => {
                            name.push('\\');
                            name.push(c as char);
                        }
                        0x21..=0x7e => name.push(c.to_ascii_lowercase() as char),
                        _ => name.push_str(&format!("\\{c:03}")),
                    }
                }
                at += 1 + usize::from(len);
            }
            3 => {
                let ptr = usize::from(u16::from_be_bytes([len, *m.get(at + 1)?]) & 0x3FFF);
                if ptr >= at {
                    return None;
                }
                jumps += 1;
                if jumps > 64 {
                    return None;
                }
                if end.is_none() {
                    end = Some(at + 2);
                }
                at = ptr;
            }
            _ => return None, // 0b01/0b10 label types are obsolete/reserved.
        }
    }
}

/// SNI host_name from a TCP payload starting with a TLS handshake record that
/// holds a ClientHello. Lenient about lengths running past the segment.
fn tls_sni(p: &[u8]) -> Option<String> {
    // Record: type 22, version 3.x, length.
    if *p.first()? != 22 || *p.get(1)? != 3 {
        return None;
    }
    let rec_len = usize::from(u16::from_be_bytes([*p.get(3)?, *p.get(4)?]));
    let rec = &p[5..p.len().min(5 + rec_len)];
    // Handshake: type 1 (ClientHello), 3-byte length.
    if *rec.first()? != 1 {
        return None;
    }
    let mut at = 4 + 2 + 32; // header, legacy_version, random
    let sid = usize::from(*rec.get(at)?);
    at += 1 + sid;
    let cs = usize::from(u16::from_be_bytes([*rec.get(at)?, *rec.get(at + 1)?]));
    at += 2 + cs;
    let comp = usize::from(*rec.get(at)?);
    at += 1 + comp;
    let ext_len = usize::from(u16::from_be_bytes([*rec.get(at)?, *rec.get(at + 1)?]));
    at += 2;
    let ext_end = rec.len().min(at + ext_len);
    while at + 4 <= ext_end {
        let ty = u16::from_be_bytes([rec[at], rec[at + 1]]);
        let len = usize::from(u16::from_be_bytes([rec[at + 2], rec[at + 3]]));
        let body = rec.get(at + 4..at + 4 + len)?;
        if ty == 0 {
            // server_name_list: 2-byte length, then (type, 2-byte len, name)*.
            let mut i = 2;
            while i + 3 <= body.len() {
                let nt = body[i];
                let nl = usize::from(u16::from_be_bytes([body[i + 1], body[i + 2]]));
                let name = body.get(i + 3..i + 3 + nl)?;
                if nt == 0 {
                    return host_text(name);
                }
                i += 3 + nl;
            }
            return None;
        }
        at += 4 + len;
    }
    None
}

const METHODS: &[&[u8]] = &[
    b"GET ",
    b"POST ",
    b"PUT ",
    b"HEAD ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
    b"CONNECT ",
    b"TRACE ",
];

/// `Host:` of an HTTP/1.x request starting at the beginning of the payload.
fn http_host(p: &[u8]) -> Option<String> {
    if !METHODS.iter().any(|m| p.starts_with(m)) {
        return None;
    }
    let mut lines = p.split(|&b| b == b'\n');
    let request = lines.next()?;
    let request = request.strip_suffix(b"\r").unwrap_or(request);
    if !(request.ends_with(b" HTTP/1.1") || request.ends_with(b" HTTP/1.0")) {
        return None;
    }
    for line in lines.take(200) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.len() > 5 && line[..5].eq_ignore_ascii_case(b"host:") {
            let v = line[5..].trim_ascii();
            let v = if let Some(rest) = v.strip_prefix(b"[") {
                rest.split(|&b| b == b']').next()?
            } else {
                v.split(|&b| b == b':').next()?
            };
            return host_text(v);
        }
    }
    None
}

/// Printable-ASCII host text, lower-cased; `None` for empty or binary names.
fn host_text(b: &[u8]) -> Option<String> {
    if b.is_empty() || b.len() > 255 || !b.iter().all(|c| (0x21..=0x7e).contains(c)) {
        return None;
    }
    Some(String::from_utf8_lossy(b).to_ascii_lowercase())
}

#[cfg(test)]
pub(crate) fn tls_sni_for_test(p: &[u8]) -> Option<String> {
    tls_sni(p)
}

#[cfg(test)]
pub(crate) fn http_host_for_test(p: &[u8]) -> Option<String> {
    http_host(p)
}
