//! pcap and pcapng reading.
//!
//! Formats: classic pcap (magic `a1b2c3d4` µs / `a1b23c4d` ns, either byte
//! order; <https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html>) and
//! pcapng (SHB/IDB/EPB/SPB and the obsolete PB, `if_tsresol` and `if_tsoffset`;
//! <https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html>).

use std::io::{ErrorKind, Read};
use std::path::Path;

use crate::NetError;

/// Largest record (pcap) or block (pcapng) accepted; larger ones are corrupt.
pub const MAX_RECORD_LEN: u32 = 16 * 1024 * 1024;

/// Link-layer header type of a packet (LINKTYPE_* values, tcpdump.org/linktypes.html).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// 0: BSD loopback, 4-byte address family in the capturing host's byte order.
    Null,
    /// 1: Ethernet II.
    Ethernet,
    /// 101: raw IP, version from the first nibble.
    Raw,
    /// 108: OpenBSD loopback, address family in network byte order.
    Loop,
    /// 113: Linux cooked capture v1.
    LinuxSll,
    /// 228: raw IPv4.
    Ipv4,
    /// 229: raw IPv6.
    Ipv6,
    /// 276: Linux cooked capture v2.
    LinuxSll2,
    /// Any other link type (packets are kept but not decoded).
    Other(u32),
}

impl LinkType {
    pub fn from_code(code: u32) -> LinkType {
        match code {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            101 => LinkType::Raw,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            other => LinkType::Other(other),
        }
    }

    /// The LINKTYPE_ value.
    pub fn code(self) -> u32 {
        match self {
            LinkType::Null => 0,
            LinkType::Ethernet => 1,
            LinkType::Raw => 101,
            LinkType::Loop => 108,
            LinkType::LinuxSll => 113,
            LinkType::Ipv4 => 228,
            LinkType::Ipv6 => 229,
            LinkType::LinuxSll2 => 276,
            LinkType::Other(c) => c,
        }
    }

    /// Whether Prior decodes packets of this link type ([`crate::decode_packet`]). Packets of
    /// any other type are read but nothing can be extracted from them: callers must say
    /// "unsupported link type N" rather than count them as analysed.
    pub fn is_supported(self) -> bool {
        !matches!(self, LinkType::Other(_))
    }
}

/// Container format of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Classic pcap; `nanos` for the nanosecond variant.
    Pcap {
        nanos: bool,
        big_endian: bool,
    },
    PcapNg,
}

/// One captured packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// 0-based index among the packets of the file.
    pub index: usize,
    /// Capture timestamp, microseconds since the Unix epoch (sub-µs truncated).
    pub time_us: i64,
    pub link: LinkType,
    /// Captured bytes (may be shorter than `orig_len` because of the snap length).
    pub data: Vec<u8>,
    pub orig_len: u32,
}

/// All packets of a file, plus the error that stopped reading early, if any.
#[derive(Debug)]
pub struct Capture {
    pub format: CaptureFormat,
    pub packets: Vec<Packet>,
    /// A truncated or corrupt record after the last good packet.
    pub error: Option<NetError>,
}

/// Read a whole capture. Fails only if the file header is unreadable; later
/// errors are returned in [`Capture::error`] with the packets before them.
pub fn read_capture<R: Read>(r: R) -> Result<Capture, NetError> {
    let mut reader = CaptureReader::new(r)?;
    let mut packets = Vec::new();
    let mut error = None;
    for item in &mut reader {
        match item {
            Ok(p) => packets.push(p),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    Ok(Capture {
        format: reader.format(),
        packets,
        error,
    })
}

/// [`read_capture`] on a file.
pub fn read_capture_file(path: &Path) -> Result<Capture, NetError> {
    let file = std::fs::File::open(path).map_err(|source| NetError::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_capture(std::io::BufReader::new(file))
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    /// Timestamp resolution: `Dec(n)` = 10^-n s, `Bin(n)` = 2^-n s.
    res: Resol,
    offset_s: i64,
}

#[derive(Debug, Clone, Copy)]
enum Resol {
    Dec(u8),
    Bin(u8),
}

enum State {
    Pcap {
        nanos: bool,
        be: bool,
        link: LinkType,
    },
    PcapNg {
        be: bool,
        ifaces: Vec<Interface>,
    },
    Done,
}

/// Streaming reader: yields packets one by one; after an error it yields `None`.
pub struct CaptureReader<R> {
    r: R,
    pos: u64,
    format: CaptureFormat,
    state: State,
    next_index: usize,
}

/// Outcome of trying to read exactly `buf.len()` bytes.
enum Fill {
    Full,
    /// Clean end of input before the first byte.
    Eof,
    /// Ended after this many bytes.
    Short(usize),
}

fn fill<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<Fill, std::io::Error> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(if got == buf.len() {
        Fill::Full
    } else if got == 0 {
        Fill::Eof
    } else {
        Fill::Short(got)
    })
}

fn u16_at(b: &[u8], at: usize, be: bool) -> u16 {
    let a = [b[at], b[at + 1]];
    if be {
        u16::from_be_bytes(a)
    } else {
        u16::from_le_bytes(a)
    }
}

fn u32_at(b: &[u8], at: usize, be: bool) -> u32 {
    let a = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if be {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

fn io_err(source: std::io::Error) -> NetError {
    NetError::Io {
        path: "<stream>".into(),
        source,
    }
}

const PCAPNG_SHB: u32 = 0x0A0D_0D0A;

impl<R: Read> CaptureReader<R> {
    /// Read the file header and detect the format.
    pub fn new(mut r: R) -> Result<Self, NetError> {
        let mut magic = [0u8; 4];
        match fill(&mut r, &mut magic).map_err(io_err)? {
            Fill::Full => {}
            Fill::Eof => {
                return Err(NetError::Truncated {
                    offset: 0,
                    what: "file header",
                    needed: 4,
                    found: 0,
                });
            }
            Fill::Short(n) => {
                return Err(NetError::Truncated {
                    offset: 0,
                    what: "file header",
                    needed: 4,
                    found: n as u64,
                });
            }
        }
        let le = u32::from_le_bytes(magic);
        let be = u32::from_be_bytes(magic);
        let pcap = match (le, be) {
            (0xa1b2_c3d4, _) => Some((false, false)),
            (0xa1b2_3c4d, _) => Some((true, false)),
            (_, 0xa1b2_c3d4) => Some((false, true)),
            (_, 0xa1b2_3c4d) => Some((true, true)),
            _ => None,
        };
        if let Some((nanos, big)) = pcap {
            let mut hdr = [0u8; 20];
            match fill(&mut r, &mut hdr).map_err(io_err)? {
                Fill::Full => {}
                Fill::Eof => return Err(trunc(0, "pcap file header", 24, 4)),
                Fill::Short(n) => return Err(trunc(0, "pcap file header", 24, 4 + n as u64)),
            }
            let major = u16_at(&hdr, 0, big);
            if major != 2 {
                return Err(NetError::Corrupt {
                    offset: 4,
                    what: "pcap file header",
                    reason: format!("unsupported version {major}"),
                });
            }
            // The link type is the low 16 bits; the upper bits carry FCS info.
            let link = LinkType::from_code(u32_at(&hdr, 16, big) & 0xFFFF);
            return Ok(CaptureReader {
                r,
                pos: 24,
                format: CaptureFormat::Pcap {
                    nanos,
                    big_endian: big,
                },
                state: State::Pcap {
                    nanos,
                    be: big,
                    link,
                },
                next_index: 0,
            });
        }
        if le == PCAPNG_SHB {
            let mut reader = CaptureReader {
                r,
                pos: 0,
                format: CaptureFormat::PcapNg,
                state: State::PcapNg {
                    be: false,
                    ifaces: Vec::new(),
                },
                next_index: 0,
            };
            reader.read_shb_rest(0)?;
            return Ok(reader);
        }
        Err(NetError::UnknownFormat {
            magic: magic.to_vec(),
        })
    }

    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// Read an SHB whose 4-byte type (at `start`) has been consumed.
    fn read_shb_rest(&mut self, start: u64) -> Result<(), NetError> {
        let mut head = [0u8; 8];
        match fill(&mut self.r, &mut head).map_err(io_err)? {
            Fill::Full => {}
            Fill::Eof => return Err(trunc(start, "pcapng section header block", 12, 4)),
            Fill::Short(n) => {
                return Err(trunc(
                    start,
                    "pcapng section header block",
                    12,
                    4 + n as u64,
                ));
            }
        }
        let be = match u32::from_le_bytes([head[4], head[5], head[6], head[7]]) {
            0x1A2B_3C4D => false,
            0x4D3C_2B1A => true,
            _ => {
                return Err(NetError::Corrupt {
                    offset: start + 8,
                    what: "pcapng section header block",
                    reason: "bad byte-order magic".into(),
                });
            }
        };
        let total = u32_at(&head, 0, be);
        if total < 28 || !total.is_multiple_of(4) || total > MAX_RECORD_LEN {
            return Err(NetError::Corrupt {
                offset: start,
                what: "pcapng section header block",
                reason: format!("invalid block length {total}"),
            });
        }
        let rest_len = total as usize - 12;
        let mut rest = vec![0u8; rest_len];
        match fill(&mut self.r, &mut rest).map_err(io_err)? {
            Fill::Full => {}
            Fill::Eof => {
                return Err(trunc(
                    start,
                    "pcapng section header block",
                    total.into(),
                    12,
                ));
            }
            Fill::Short(n) => {
                return Err(trunc(
                    start,
                    "pcapng section header block",
                    total.into(),
                    12 + n as u64,
                ));
            }
        }
        check_trailer(&rest, total, be, start, "pcapng section header block")?;
        self.pos = start + u64::from(total);
        self.state = State::PcapNg {
            be,
            ifaces: Vec::new(),
        };
        Ok(())
    }

    fn next_pcap(
        &mut self,
        nanos: bool,
        be: bool,
        link: LinkType,
    ) -> Option<Result<Packet, NetError>> {
        let start = self.pos;
        let mut hdr = [0u8; 16];
        match fill(&mut self.r, &mut hdr) {
            Err(e) => return Some(Err(io_err(e))),
            Ok(Fill::Eof) => return None,
            Ok(Fill::Short(n)) => {
                return Some(Err(trunc(start, "pcap record header", 16, n as u64)));
            }
            Ok(Fill::Full) => {}
        }
        let sec = u32_at(&hdr, 0, be);
        let frac = u32_at(&hdr, 4, be);
        let incl = u32_at(&hdr, 8, be);
        let orig = u32_at(&hdr, 12, be);
        if incl > MAX_RECORD_LEN {
            return Some(Err(NetError::Corrupt {
                offset: start,
                what: "pcap record",
                reason: format!("captured length {incl} exceeds the {MAX_RECORD_LEN}-byte limit"),
            }));
        }
        let limit = if nanos { 1_000_000_000 } else { 1_000_000 };
        if frac >= limit {
            return Some(Err(NetError::Corrupt {
                offset: start + 4,
                what: "pcap record",
                reason: format!("sub-second timestamp {frac} out of range"),
            }));
        }
        let mut data = vec![0u8; incl as usize];
        match fill(&mut self.r, &mut data) {
            Err(e) => return Some(Err(io_err(e))),
            Ok(Fill::Full) => {}
            Ok(Fill::Eof) if incl == 0 => {}
            Ok(Fill::Eof) => {
                return Some(Err(trunc(start, "pcap record", 16 + u64::from(incl), 16)));
            }
            Ok(Fill::Short(n)) => {
                return Some(Err(trunc(
                    start,
                    "pcap record",
                    16 + u64::from(incl),
                    16 + n as u64,
                )));
            }
        }
        self.pos = start + 16 + u64::from(incl);
        let sub_us = if nanos { frac / 1000 } else { frac };
        let index = self.next_index;
        self.next_index += 1;
        Some(Ok(Packet {
            index,
            time_us: i64::from(sec) * 1_000_000 + i64::from(sub_us),
            link,
            data,
            orig_len: orig,
        }))
    }

    fn next_pcapng(&mut self) -> Option<Result<Packet, NetError>> {
        loop {
            let (be, _) = match &self.state {
                State::PcapNg { be, ifaces } => (*be, ifaces.len()),
                _ => return None,
            };
            let start = self.pos;
            let mut head = [0u8; 8];
            match fill(&mut self.r, &mut head) {
                Err(e) => return Some(Err(io_err(e))),
                Ok(Fill::Eof) => return None,
                Ok(Fill::Short(n)) => {
                    return Some(Err(trunc(start, "pcapng block header", 8, n as u64)));
                }
                Ok(Fill::Full) => {}
            }
            let btype = u32_at(&head, 0, be);
            if btype == PCAPNG_SHB {
                // New section: its byte order may differ. Re-read from the length.
                let mut tail = [0u8; 4];
                tail.copy_from_slice(&head[4..8]);
                let chained = std::io::Read::chain(&tail[..], &mut self.r);
                let mut sub = CaptureReader {
                    r: chained,
                    pos: start,
                    format: CaptureFormat::PcapNg,
                    state: State::Done,
                    next_index: 0,
                };
                if let Err(e) = sub.read_shb_rest(start) {
                    return Some(Err(e));
                }
                let (pos, state) = (sub.pos, sub.state);
                self.pos = pos;
                self.state = state;
                continue;
            }
            let total = u32_at(&head, 4, be);
            if total < 12 || !total.is_multiple_of(4) || total > MAX_RECORD_LEN {
                return Some(Err(NetError::Corrupt {
                    offset: start,
                    what: "pcapng block",
                    reason: format!("invalid block length {total}"),
                }));
            }
            let mut body = vec![0u8; total as usize - 8];
            match fill(&mut self.r, &mut body) {
                Err(e) => return Some(Err(io_err(e))),
                Ok(Fill::Full) => {}
                Ok(Fill::Eof) => return Some(Err(trunc(start, "pcapng block", total.into(), 8))),
                Ok(Fill::Short(n)) => {
                    return Some(Err(trunc(
                        start,
                        "pcapng block",
                        total.into(),
                        8 + n as u64,
                    )));
                }
            }
            if let Err(e) = check_trailer(&body, total, be, start, "pcapng block") {
                return Some(Err(e));
            }
            self.pos = start + u64::from(total);
            let body = &body[..body.len() - 4];
            let ifaces = match &mut self.state {
                State::PcapNg { ifaces, .. } => ifaces,
                _ => return None,
            };
            match btype {
                1 => match parse_idb(body, be, start) {
                    Ok(i) => ifaces.push(i),
                    Err(e) => return Some(Err(e)),
                },
                2 | 6 => {
                    // 6 = Enhanced Packet Block, 2 = obsolete Packet Block.
                    if body.len() < 20 {
                        return Some(Err(corrupt(
                            start,
                            "pcapng packet block",
                            "body shorter than 20 bytes",
                        )));
                    }
                    let if_id = if btype == 6 {
                        u32_at(body, 0, be)
                    } else {
                        u32::from(u16_at(body, 0, be))
                    };
                    let Some(iface) = ifaces.get(if_id as usize).copied() else {
                        return Some(Err(corrupt(
                            start,
                            "pcapng packet block",
                            &format!("refers to undeclared interface {if_id}"),
                        )));
                    };
                    let ts =
                        (u64::from(u32_at(body, 4, be)) << 32) | u64::from(u32_at(body, 8, be));
                    let cap = u32_at(body, 12, be);
                    let orig = u32_at(body, 16, be);
                    if cap as usize > body.len() - 20 {
                        return Some(Err(corrupt(
                            start,
                            "pcapng packet block",
                            &format!("captured length {cap} exceeds the block"),
                        )));
                    }
                    let data = body[20..20 + cap as usize].to_vec();
                    return Some(Ok(self.emit(iface, ts, data, orig)));
                }
                3 => {
                    // Simple Packet Block: interface 0, no timestamp.
                    let Some(iface) = ifaces.first().copied() else {
                        return Some(Err(corrupt(
                            start,
                            "pcapng simple packet block",
                            "no interface declared",
                        )));
                    };
                    if body.len() < 4 {
                        return Some(Err(corrupt(
                            start,
                            "pcapng simple packet block",
                            "body shorter than 4 bytes",
                        )));
                    }
                    let orig = u32_at(body, 0, be);
                    let mut cap = (body.len() - 4).min(orig as usize);
                    if iface.snaplen != 0 {
                        cap = cap.min(iface.snaplen as usize);
                    }
                    let data = body[4..4 + cap].to_vec();
                    // No timestamp in an SPB: reported as 0 (the epoch).
                    return Some(Ok(self.emit(iface, 0, data, orig)));
                }
                _ => {} // NRB, ISB, DSB, custom…: skipped.
            }
        }
    }

    fn emit(&mut self, iface: Interface, ticks: u64, data: Vec<u8>, orig: u32) -> Packet {
        let index = self.next_index;
        self.next_index += 1;
        let us =
            ticks_to_us(ticks, iface.res).saturating_add(iface.offset_s.saturating_mul(1_000_000));
        Packet {
            index,
            time_us: us,
            link: iface.link,
            data,
            orig_len: orig,
        }
    }
}

fn ticks_to_us(ticks: u64, res: Resol) -> i64 {
    let t = u128::from(ticks);
    let us: u128 = match res {
        Resol::Dec(n) if n <= 6 => t.saturating_mul(10u128.pow(u32::from(6 - n))),
        Resol::Dec(n) => {
            let d = 10u128.checked_pow(u32::from(n - 6)).unwrap_or(u128::MAX);
            t / d
        }
        Resol::Bin(n) => {
            let scaled = t.saturating_mul(1_000_000);
            if n >= 128 { 0 } else { scaled >> n }
        }
    };
    i64::try_from(us).unwrap_or(i64::MAX)
}

fn parse_idb(body: &[u8], be: bool, start: u64) -> Result<Interface, NetError> {
    if body.len() < 8 {
        return Err(corrupt(
            start,
            "pcapng interface description block",
            "body shorter than 8 bytes",
        ));
    }
    let link = LinkType::from_code(u32::from(u16_at(body, 0, be)));
    let snaplen = u32_at(body, 4, be);
    let mut iface = Interface {
        link,
        snaplen,
        res: Resol::Dec(6),
        offset_s: 0,
    };
    let mut at = 8;
    while at + 4 <= body.len() {
        let code = u16_at(body, at, be);
        let len = usize::from(u16_at(body, at + 2, be));
        let vstart = at + 4;
        if vstart + len > body.len() {
            return Err(corrupt(
                start + 8 + at as u64,
                "pcapng interface option",
                "value runs past the block",
            ));
        }
        let v = &body[vstart..vstart + len];
        match code {
            0 => break,
            9 if len == 1 => {
                iface.res = if v[0] & 0x80 == 0 {
                    Resol::Dec(v[0])
                } else {
                    Resol::Bin(v[0] & 0x7f)
                };
            }
            14 if len == 8 => {
                let a = [v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]];
                iface.offset_s = if be {
                    i64::from_be_bytes(a)
                } else {
                    i64::from_le_bytes(a)
                };
            }
            _ => {}
        }
        at = vstart + len.div_ceil(4) * 4;
    }
    Ok(iface)
}

fn check_trailer(
    rest: &[u8],
    total: u32,
    be: bool,
    start: u64,
    what: &'static str,
) -> Result<(), NetError> {
    let n = rest.len();
    if n < 4 || u32_at(rest, n - 4, be) != total {
        return Err(corrupt(
            start,
            what,
            "trailing block length does not match the leading one",
        ));
    }
    Ok(())
}

fn trunc(offset: u64, what: &'static str, needed: u64, found: u64) -> NetError {
    NetError::Truncated {
        offset,
        what,
        needed,
        found,
    }
}

fn corrupt(offset: u64, what: &'static str, reason: &str) -> NetError {
    NetError::Corrupt {
        offset,
        what,
        reason: reason.to_string(),
    }
}

impl<R: Read> Iterator for CaptureReader<R> {
    type Item = Result<Packet, NetError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match self.state {
            State::Pcap { nanos, be, link } => self.next_pcap(nanos, be, link),
            State::PcapNg { .. } => self.next_pcapng(),
            State::Done => None,
        };
        if matches!(item, Some(Err(_)) | None) {
            self.state = State::Done;
        }
        item
    }
}
