//! App-op snapshots (`dumpsys appops --package P`) named by harness `appops_snapshot` records.
//!
//! Each snapshot repeats what the previous one showed (the last access per op × uid state ×
//! flags × attribution tag), so entries are deduplicated across snapshots by that identity and
//! their time; the first snapshot that shows an entry is its evidence. Entries already present
//! in a `baseline` snapshot (taken before the launch) are not the session's doing and are left
//! out. Only entries of the app's package count; device-local times are converted with the
//! device's UTC offset. Discrete history entries (Android 12+) are quantized to the minute, so
//! they get a one-minute window.

use super::{EventSink, SmallFileError, evidence_text, read_small};
use crate::AnalyzeError;
use crate::catalog::Catalog;
use prior_model::bundle::Bundle;
use prior_model::{Event, EventKind, Evidence, Outcome, Source, Timing};
use prior_parse::appops::{AccessKind, AccessSource, OpAccess, parse_dump_bytes};
use std::collections::BTreeSet;

/// The label of the snapshot taken before launch.
pub(crate) const BASELINE_LABEL: &str = "baseline";

/// A snapshot named by the harness.
pub(crate) struct SnapshotRef {
    pub file: String,
    pub label: String,
    /// Device time of the snapshot: places Android 7–8's relative-only entries.
    pub device_us: i64,
}

/// What the app-op pass read.
#[derive(Debug, Default)]
pub(crate) struct AppopsResult {
    pub files: Vec<String>,
    /// Distinct entries of the app for catalog ops, after dedup and baseline.
    pub entries: u64,
    /// Entries left out because the baseline already had them.
    pub baseline_entries: u64,
    pub events: u64,
    pub missing: Vec<String>,
    pub notes: Vec<String>,
    /// Snapshots that hold an error reply instead of a dump: (file, the reply's first line).
    pub refused: Vec<(String, String)>,
    /// Snapshots that are empty (nothing but white space).
    pub empty: Vec<String>,
}

/// Replies a device prints instead of a dump: `dumpsys appops --package P` before Android 9
/// prints only `Unknown option: --package` (docs/device-behaviour.md (b)); dumpsys prints
/// `Can't find service: appops` for a service that is not there; a refused shell command
/// prints a `SecurityException` or `Permission Denial`.
const ERROR_REPLIES: [&str; 8] = [
    "Unknown option",
    "Unknown command",
    "Error:",
    "Exception",
    "java.lang.",
    "Can't find service",
    "Permission Denial",
    "Security exception",
];

/// The first line of an error reply, when `bytes` is one: the text parsed to nothing and
/// its first non-blank line is a known error.
fn error_reply(bytes: &[u8], dump: &prior_parse::appops::AppOpsDump) -> Option<String> {
    if !(dump.uids.is_empty() && dump.ops.is_empty() && dump.accesses.is_empty()) {
        return None;
    }
    let first = bytes
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|l| !l.is_empty())?;
    let text = String::from_utf8_lossy(first);
    ERROR_REPLIES
        .iter()
        .any(|e| text.starts_with(e))
        .then(|| evidence_text(first))
}

/// Reads every snapshot and emits one event per distinct app-op entry.
pub(crate) fn run(
    bundle: &Bundle,
    catalog: &Catalog,
    package: &str,
    utc_offset_s: i32,
    default_year: i32,
    snapshots: &[SnapshotRef],
    sink: &mut EventSink,
) -> Result<AppopsResult, AnalyzeError> {
    let mut out = AppopsResult::default();
    let mut baseline = BTreeSet::new();
    let mut seen = BTreeSet::new();
    // Baselines first, whatever their order in the harness.
    let ordered = snapshots
        .iter()
        .filter(|s| s.label == BASELINE_LABEL)
        .chain(snapshots.iter().filter(|s| s.label != BASELINE_LABEL));
    for snap in ordered {
        let bytes = match read_small(bundle, &snap.file) {
            Ok(Some(b)) => b,
            Ok(None) => {
                out.missing.push(snap.file.clone());
                continue;
            }
            Err(SmallFileError::Skipped(note)) => {
                out.notes.push(note);
                continue;
            }
            Err(SmallFileError::Read(e)) => return Err(e),
        };
        out.files.push(snap.file.clone());
        if bytes.trim_ascii().is_empty() {
            out.empty.push(snap.file.clone());
            continue;
        }
        let dump = parse_dump_bytes(&bytes);
        if let Some(reply) = error_reply(&bytes, &dump) {
            out.refused.push((snap.file.clone(), reply));
            continue;
        }
        let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        for a in dump.accesses_of(package) {
            let Some(entry) = catalog.appop(&a.op) else {
                continue;
            };
            // Android 7–8 print only "time=+5s ago": placed from the snapshot's time, and
            // matched within a second (two snapshots of one access differ by their latency).
            let placed = a.device_us_at(default_year, utc_offset_s, Some(snap.device_us));
            let keys = identity(a, placed);
            let key = keys[0].clone();
            let known = |set: &BTreeSet<String>| keys.iter().any(|k| set.contains(k));
            if snap.label == BASELINE_LABEL {
                baseline.insert(key);
                continue;
            }
            if known(&baseline) {
                if !known(&seen) && seen.insert(key) {
                    out.baseline_entries += 1;
                }
                continue;
            }
            if known(&seen) {
                continue;
            }
            seen.insert(key);
            let Some(t) = placed else { continue };
            let timing = match a.source {
                AccessSource::Current => Timing::instant(t),
                AccessSource::Discrete => Timing::window(t, t + 59_999_999),
            };
            let (outcome, word) = match a.kind {
                AccessKind::Access => (Outcome::Granted, "Access"),
                AccessKind::Reject => (Outcome::Denied, "Reject"),
            };
            let key_text = match (&a.uid_state, &a.flags) {
                (Some(s), Some(_)) => format!(" [{s}-{}]", flags_text(a)),
                (Some(s), None) => format!(" [{s}]"),
                _ => String::new(),
            };
            let discrete = if a.source == AccessSource::Discrete {
                " (discrete history, minute precision)"
            } else {
                ""
            };
            let text = lines
                .get((a.line_no as usize).wrapping_sub(1))
                .map_or(&b""[..], |l| l.strip_suffix(b"\r").unwrap_or(l));
            out.entries += 1;
            out.events += 1;
            sink.push(Event {
                source: Source::Appops,
                kind: EventKind::DataAccess,
                category: Some(entry.category),
                timing,
                api: Some(prior_model::Signal::AppOp(a.op.clone())),
                outcome: Some(outcome),
                pid: None,
                uid: a.uid,
                actor: None,
                detail: format!("app-op {} {word}{key_text}{discrete}: {}", a.op, entry.what),
                evidence: Evidence {
                    file: snap.file.clone(),
                    line: a.line_no,
                    text: evidence_text(text.trim_ascii()),
                },
            });
        }
    }
    Ok(out)
}

/// What makes two printed entries the same recorded access: the first key is the entry's,
/// the others (relative-only entries) are its neighbouring seconds, which match too.
fn identity(a: &OpAccess, placed: Option<i64>) -> Vec<String> {
    let base = format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        a.op, a.attribution_tag, a.kind, a.source, a.uid_state, a.flags, a.time, a.proxy
    );
    match (a.time, placed) {
        (None, Some(t)) => {
            let s = t.div_euclid(1_000_000);
            [s, s - 1, s + 1]
                .iter()
                .map(|s| format!("{base}|{s}"))
                .collect()
        }
        _ => vec![base],
    }
}

fn flags_text(a: &OpAccess) -> String {
    let Some(f) = a.flags else {
        return String::new();
    };
    let mut parts = Vec::new();
    for (on, name) in [
        (f.self_, "s"),
        (f.trusted_proxy, "tp"),
        (f.untrusted_proxy, "up"),
        (f.trusted_proxied, "tpd"),
        (f.untrusted_proxied, "upd"),
    ] {
        if on {
            parts.push(name);
        }
    }
    parts.join("|")
}
