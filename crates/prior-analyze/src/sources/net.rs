//! `raw/net.pcap`: the host names the device contacted (DNS queries and answers, TLS
//! ClientHello SNI, plain-HTTP `Host:`), read with `prior-net`, as `net` events on the device
//! clock. A host of a catalogued tracker gets that tracker as its actor.
//!
//! - **Streaming and bounded**: one packet in memory at a time; at most
//!   [`MAX_NET_EVENTS`] events for tracker hosts (plus the first event of each tracker host
//!   first seen later, up to [`MAX_TRACKER_HOSTS`] hosts) and [`MAX_NET_EVENTS`] for other
//!   hosts. The rest are counted and the source is reported partial; dropped tracker events
//!   (a finding's event count may then be low) also make the report incomplete.
//! - **Clock**: capture timestamps are on the clock of whatever wrote the capture (the host,
//!   for the emulator's `-tcpdump` and the simulated handset); they are placed on the device
//!   clock as `capture + meta.device.clock_offset_us` (device − host, measured once when the
//!   recording started by bracketing a device `date` call with two host reads). The placement
//!   is therefore uncertain by that measurement's error (at most half its round trip, a few
//!   milliseconds over adb) plus any drift of the two clocks during the session. Without an
//!   offset in `meta.json`, capture times are taken as device times and the source note says
//!   so. A packet without a timestamp (pcapng Simple Packet Block) is counted, not placed.
//! - **Device-wide**: a capture has no uid; every host the device contacted is an event, and
//!   nothing ties it to the app but its timing and the host itself.
//! - **Evidence**: `raw/net.pcap` with `line` = the packet number (1-based, as Wireshark
//!   numbers frames); the text names the packet's byte offset in the file (classic pcap:
//!   `byte offset N`, where its record header starts; pcapng: `block ending at byte offset N`),
//!   then the kind (`dns-query`, `dns-answer`, `tls-sni`, `http-host`), host, DNS addresses
//!   and the flow, e.g. `byte offset 24: dns-query ulogs.umeng.com 10.0.2.15:32796 →
//!   10.0.2.3:53`.
//! - **Damage**: a truncated or corrupt record stops the reading; the events before it are
//!   kept and the error is returned (the analysis reports it as incomplete).

use super::EventSink;
use crate::AnalyzeError;
use crate::catalog::Catalog;
use prior_apk::SdkCatalog;
use prior_model::bundle::{Bundle, MAX_CLOCK_OFFSET_US};
use prior_model::{Actor, ActorKind, Event, EventKind, Evidence, Source, Timing};
use prior_net::{CaptureFormat, CaptureReader, ExtractOptions, NetError, NetKind, NetRecord};
use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

/// The capture's place in the bundle.
pub(crate) const NET_FILE: &str = "raw/net.pcap";
/// Events kept for tracker hosts, and again for other hosts.
pub(crate) const MAX_NET_EVENTS: usize = 5_000;
/// Distinct tracker hosts remembered: past [`MAX_NET_EVENTS`], the first event of a tracker
/// host not seen before is still kept (so every tracker host still gets its finding).
pub(crate) const MAX_TRACKER_HOSTS: usize = 1_000;

/// What the capture pass read.
#[derive(Debug, Default)]
pub(crate) struct NetResult {
    /// `raw/net.pcap` exists.
    pub present: bool,
    /// Packets read.
    pub packets: u64,
    /// Host records extracted (DNS, SNI, HTTP Host).
    pub records: u64,
    /// Events for tracker hosts.
    pub tracker_events: u64,
    /// Records not placed (no timestamp).
    pub untimed: u64,
    /// Tracker-host records over the event caps.
    pub dropped_trackers: u64,
    /// Other records over the event cap.
    pub dropped_others: u64,
    /// The reading stopped early: why (reads after "failed to").
    pub error: Option<String>,
    /// The offset used (device − capture clock), when `meta.json` had one.
    pub offset_us: Option<i64>,
    /// Packets of a link type Prior decodes.
    pub supported_packets: u64,
    /// Packets of link types Prior cannot decode, by LINKTYPE_ value.
    pub unsupported_links: std::collections::BTreeMap<u32, u64>,
    /// The capture was not read at all: why (reads after "failed to"). The source failed.
    pub unreadable: Option<String>,
}

/// Counts the bytes the capture reader consumed, to name packets' byte offsets.
struct Counting<R> {
    inner: R,
    pos: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos.set(self.pos.get() + n as u64);
        Ok(n)
    }
}

fn read_error(e: std::io::Error) -> AnalyzeError {
    AnalyzeError::Read {
        file: NET_FILE.to_string(),
        source: e,
    }
}

fn kind_label(k: NetKind) -> &'static str {
    match k {
        NetKind::DnsQuery => "DNS query for",
        NetKind::DnsAnswer => "DNS answer for",
        NetKind::TlsSni => "TLS ClientHello with SNI",
        NetKind::HttpHost => "HTTP request with Host",
    }
}

/// Reads the capture, if there is one, and emits one event per host record.
pub(crate) fn run(
    bundle: &Bundle,
    catalog: &Catalog,
    sdks: &SdkCatalog,
    clock_offset_us: Option<i64>,
    sink: &mut EventSink,
) -> Result<NetResult, AnalyzeError> {
    let mut out = NetResult {
        offset_us: clock_offset_us,
        ..NetResult::default()
    };
    let file = match bundle.open_file(NET_FILE) {
        Ok(Some((f, _))) => f,
        Ok(None) => return Ok(out),
        // Only with --allow-modified: the entry is reported, never read.
        Err(e @ prior_model::bundle::BundleError::NotRegular { .. }) => {
            out.present = true;
            out.unreadable = Some(e.to_string());
            return Ok(out);
        }
        Err(e) => return Err(AnalyzeError::Bundle(e)),
    };
    out.present = true;
    // Only with --allow-modified (Bundle::open reports it as implausible): an offset that
    // large is not applied, saturated or clamped; the capture is not placed at all.
    let offset = clock_offset_us.unwrap_or(0);
    if offset.checked_abs().is_none_or(|a| a > MAX_CLOCK_OFFSET_US) {
        out.unreadable = Some(format!(
            "place the capture on the device clock: meta.json's device.clock_offset_us \
             ({offset} µs) is more than a day"
        ));
        return Ok(out);
    }
    read(
        std::io::BufReader::with_capacity(1 << 16, file),
        catalog,
        sdks,
        offset,
        sink,
        &mut out,
    )?;
    Ok(out)
}

fn read<R: Read>(
    r: R,
    catalog: &Catalog,
    sdks: &SdkCatalog,
    offset_us: i64,
    sink: &mut EventSink,
    out: &mut NetResult,
) -> Result<(), AnalyzeError> {
    let pos = Rc::new(Cell::new(0u64));
    let counting = Counting {
        inner: r,
        pos: Rc::clone(&pos),
    };
    let reader = match CaptureReader::new(counting) {
        Ok(r) => r,
        Err(NetError::Io { source, .. }) => return Err(read_error(source)),
        Err(e) => {
            out.error = Some(e.to_string());
            return Ok(());
        }
    };
    let classic = matches!(reader.format(), CaptureFormat::Pcap { .. });
    let opts = ExtractOptions::default();
    let (mut trackers, mut others) = (0usize, 0usize);
    let mut tracker_hosts: std::collections::BTreeSet<String> = Default::default();
    for item in reader {
        let packet = match item {
            Ok(p) => p,
            Err(NetError::Io { source, .. }) => return Err(read_error(source)),
            Err(e) => {
                out.error = Some(e.to_string());
                break;
            }
        };
        out.packets += 1;
        if packet.link.is_supported() {
            out.supported_packets += 1;
        } else {
            *out.unsupported_links.entry(packet.link.code()).or_default() += 1;
            continue;
        }
        let records = prior_net::extract_records_with(std::slice::from_ref(&packet), &opts);
        if records.is_empty() {
            continue;
        }
        let end = pos.get();
        let place = if classic {
            let start = end.saturating_sub(16 + packet.data.len() as u64);
            format!("byte offset {start}")
        } else {
            format!("block ending at byte offset {end}")
        };
        for rec in records {
            out.records += 1;
            if rec.time_us == 0 {
                out.untimed += 1;
                continue;
            }
            let tracker = catalog.tracker_of_host(&rec.host);
            if tracker.is_some() {
                let new_host = !tracker_hosts.contains(&rec.host);
                if new_host && tracker_hosts.len() < MAX_TRACKER_HOSTS {
                    tracker_hosts.insert(rec.host.clone());
                }
                if trackers >= MAX_NET_EVENTS && !(new_host && tracker_hosts.contains(&rec.host)) {
                    out.dropped_trackers += 1;
                    continue;
                }
                trackers += 1;
                out.tracker_events += 1;
            } else {
                if others >= MAX_NET_EVENTS {
                    out.dropped_others += 1;
                    continue;
                }
                others += 1;
            }
            // The actor's name is the SDK catalogue's when it knows the host, so that an SDK
            // seen by its stack frames and by its hosts is one actor; else the tracker's.
            let sdk_name = tracker.and_then(|_| {
                sdks.sdk_of_host(&rec.host)
                    .map(|(sdk, _)| sdk.name.as_str())
            });
            sink.push(event(
                &rec,
                &place,
                sdk_name.or(tracker.map(|t| t.name.as_str())),
                offset_us,
            ));
        }
    }
    Ok(())
}

fn event(rec: &NetRecord, place: &str, tracker: Option<&str>, offset_us: i64) -> Event {
    let addrs = if rec.addrs.is_empty() {
        String::new()
    } else {
        let a: Vec<String> = rec.addrs.iter().map(|a| a.to_string()).collect();
        format!(" = {}", a.join(", "))
    };
    let number = rec.packet_index as u64 + 1;
    let flow = format!("{} → {}", rec.src, rec.dst);
    let of_tracker = tracker
        .map(|t| format!(", a host of the tracker {t}"))
        .unwrap_or_default();
    Event {
        source: Source::Net,
        kind: EventKind::NetworkContact,
        category: None,
        timing: Timing::instant(rec.time_us.saturating_add(offset_us)),
        api: Some(prior_model::Signal::Host(rec.host.clone())),
        outcome: None,
        pid: None,
        uid: None,
        actor: tracker.map(|t| Actor {
            kind: ActorKind::Sdk,
            name: t.to_string(),
            reason: Some(format!(
                "host {} (confidence medium: a host names the receiver, not the sender, and the capture is device-wide)",
                rec.host
            )),
        }),
        detail: format!(
            "{} {}{addrs} ({flow}){of_tracker}; device-wide capture, not tied to a uid",
            kind_label(rec.kind),
            rec.host
        ),
        evidence: Evidence {
            file: NET_FILE.to_string(),
            line: number,
            text: format!(
                "{place}: {} {}{addrs} {flow}",
                rec.kind.as_str(),
                rec.host
            ),
        },
    }
}

#[cfg(test)]
mod tests;
