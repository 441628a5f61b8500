//! Network capture analysis for Prior.
//!
//! Reads the emulator's `-tcpdump` captures (classic pcap and pcapng; the link
//! type comes from the file header) and extracts the host names an app
//! contacted: DNS queries and answers, TLS ClientHello SNI and plain-HTTP
//! `Host:` headers, each with the packet's capture timestamp.
//!
//! Everything here is hand-written (no pcap/DNS/TLS crates), so every limit is
//! visible in this crate:
//! - a record or block larger than [`capture::MAX_RECORD_LEN`] is reported as
//!   corrupt rather than allocated, so memory stays bounded on hostile files;
//! - a truncated or corrupt record stops reading; the packets before it are kept
//!   and the error (naming the byte offset) is returned beside them in
//!   [`Capture::error`];
//! - nothing panics on hostile input (see the proptests).
//!
//! Choices where the brief is silent:
//! - host names are lower-cased (DNS is case-insensitive and resolvers randomise
//!   case); DNS label bytes outside printable ASCII, and `.`/`\` inside a label,
//!   are written as `\DDD` (DNS presentation format);
//! - a port in an HTTP `Host:` header is dropped (`example.com:8080` gives
//!   `example.com`; `[::1]:80` gives `::1`);
//! - DNS over TCP is read only when the whole length-prefixed message is in one
//!   segment; TLS SNI is read from any TCP segment that starts with a TLS
//!   handshake record holding a ClientHello (a ClientHello split over segments
//!   yields SNI only if the extension is in the first segment);
//! - IP fragments other than the first are ignored;
//! - a DNS answer gives one [`NetRecord`] whose `host` is the first question
//!   name and whose `addrs` are all A/AAAA records of the answer section (CNAME
//!   chains included); a DNS query gives one record per question; only opcode 0
//!   (QUERY) is read; DNS is recognised by port ([`ExtractOptions::dns_ports`],
//!   default 53), not by content;
//! - pcapng Simple Packet Blocks carry no timestamp: their packets get
//!   `time_us = 0`; `if_tsoffset` is added when present;
//! - the classic pcap header's `thiszone` is ignored (it is always 0 in practice).
//!
//! Entry points: [`analyze_file`] / [`analyze_reader`] (streaming, bounded
//! memory), or [`read_capture`] + [`extract_records_with`] when the packets are
//! wanted too. Times are capture timestamps (the host clock of whatever ran
//! tcpdump); mapping them onto the device clock is the caller's job.

pub mod capture;
pub mod decode;
pub mod extract;

pub use capture::{
    Capture, CaptureFormat, CaptureReader, LinkType, Packet, read_capture, read_capture_file,
};
pub use decode::{Segment, Transport, decode_packet};
pub use extract::{
    Analysis, ExtractOptions, NetKind, NetRecord, analyze, analyze_file, analyze_reader,
    extract_records, extract_records_with,
};

#[cfg(test)]
mod tests;

/// Errors from reading a capture. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("read capture {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "read capture: {what} at byte offset {offset} is truncated (needed {needed} bytes, found {found})"
    )]
    Truncated {
        offset: u64,
        what: &'static str,
        needed: u64,
        found: u64,
    },
    #[error("read capture: {what} at byte offset {offset} is corrupt: {reason}")]
    Corrupt {
        offset: u64,
        what: &'static str,
        reason: String,
    },
    #[error("read capture: not a pcap or pcapng file (magic {magic:02x?} at byte offset 0)")]
    UnknownFormat { magic: Vec<u8> },
}

impl NetError {
    /// Byte offset the error refers to, when it refers to one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            NetError::Truncated { offset, .. } | NetError::Corrupt { offset, .. } => Some(*offset),
            NetError::UnknownFormat { .. } => Some(0),
            NetError::Io { .. } => None,
        }
    }
}
