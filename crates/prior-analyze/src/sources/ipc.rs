//! `am trace-ipc` dumps named by harness `ipc_dump` records: the binder calls of the app's
//! processes, each placed in the record's `[from_us, to_us]` window (dumps have no times).

use super::{EventSink, SmallFileError, evidence_text, is_app_process, read_small};
use crate::AnalyzeError;
use crate::catalog::{BinderEntry, Catalog};
use prior_apk::SdkCatalog;
use prior_model::bundle::Bundle;
use prior_model::{Actor, Event, EventKind, Evidence, Outcome, Source, Timing};
use prior_parse::ipc::{Trace, parse_dump_bytes};

/// Frames kept in the evidence of one trace, from its `Count:` line.
const EVIDENCE_LINES: usize = 14;

/// A dump named by the harness.
pub(crate) struct DumpRef {
    pub file: String,
    pub from_us: i64,
    pub to_us: i64,
    pub label: String,
}

/// What the IPC pass read.
#[derive(Debug, Default)]
pub(crate) struct IpcResult {
    pub files: Vec<String>,
    /// Traces of the app's processes.
    pub traces: u64,
    pub events: u64,
    pub missing: Vec<String>,
    pub notes: Vec<String>,
    /// Dumps that have a section for one of the app's processes (it was traced).
    pub traced: u64,
    /// Dumps read that have no section for the app: (file, empty). On a user build
    /// `am trace-ipc` skips processes that are not debuggable, and a dump in which no process
    /// was traced is empty (docs/device-behaviour.md (a)): "not traced", never "no IPC".
    pub untraced: Vec<(String, bool)>,
}

/// Reads every dump and emits one event per trace whose call is in the catalog.
pub(crate) fn run(
    bundle: &Bundle,
    catalog: &Catalog,
    sdks: &SdkCatalog,
    package: &str,
    dumps: &[DumpRef],
    sink: &mut EventSink,
) -> Result<IpcResult, AnalyzeError> {
    let mut out = IpcResult::default();
    for d in dumps {
        let bytes = match read_small(bundle, &d.file) {
            Ok(Some(b)) => b,
            Ok(None) => {
                out.missing.push(d.file.clone());
                continue;
            }
            Err(SmallFileError::Skipped(note)) => {
                out.notes.push(note);
                continue;
            }
            Err(SmallFileError::Read(e)) => return Err(e),
        };
        out.files.push(d.file.clone());
        let dump = parse_dump_bytes(&bytes);
        if dump
            .processes
            .iter()
            .any(|p| is_app_process(package, &p.process))
        {
            out.traced += 1;
        } else {
            out.untraced
                .push((d.file.clone(), bytes.trim_ascii().is_empty()));
        }
        let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        for proc_traces in dump
            .processes
            .iter()
            .filter(|p| is_app_process(package, &p.process))
        {
            for trace in &proc_traces.traces {
                out.traces += 1;
                let Some(call) = &trace.call else { continue };
                let frames: Vec<String> = trace.frames.iter().map(|f| f.qualified()).collect();
                let Some(entry) = pick_entry(catalog, &call.short_name, &frames) else {
                    continue;
                };
                let count = trace.count.unwrap_or(1);
                let actor = actor_of(sdks, package, trace);
                let by = match &actor {
                    Some(a) => format!(" by {}", a.name),
                    None => String::new(),
                };
                out.events += 1;
                sink.push(Event {
                    source: Source::Ipc,
                    kind: EventKind::DataAccess,
                    category: Some(entry.category),
                    timing: Timing::window(d.from_us, d.to_us),
                    api: Some(prior_model::Signal::Api(call.short_name.clone())),
                    outcome: Some(Outcome::Unknown),
                    pid: None,
                    uid: None,
                    actor,
                    detail: format!(
                        "{}: {} called {count}× in process {}{by} (IPC trace {:?}, no timestamps: somewhere in its window)",
                        entry.what, call.short_name, proc_traces.process, d.label
                    ),
                    evidence: Evidence { file: d.file.clone(), line: trace.line_no, text: trace_text(&lines, trace) },
                });
            }
        }
    }
    Ok(out)
}

/// The catalog entry for a call: one whose frame condition the stack meets, preferring
/// entries with a condition (more specific) over those without.
fn pick_entry<'c>(
    catalog: &'c Catalog,
    short_name: &str,
    frames: &[String],
) -> Option<&'c BinderEntry> {
    let mut plain = None;
    for e in catalog.binder_entries(short_name) {
        if !e.frame_matches(frames.iter().map(String::as_str)) {
            continue;
        }
        if e.frame.is_some() {
            return Some(e);
        }
        plain = plain.or(Some(e));
    }
    plain
}

/// Who made the call: the innermost non-framework frame above the binder call that is the
/// app's or a catalogued SDK's (see [`crate::attribution`]).
fn actor_of(sdks: &SdkCatalog, package: &str, trace: &Trace) -> Option<Actor> {
    let start = trace.call.as_ref().map_or(0, |c| c.frame_index + 1);
    let frames: Vec<(&str, String)> = trace
        .frames
        .iter()
        .skip(start)
        .map(|f| (f.class.as_str(), f.qualified()))
        .collect();
    crate::attribution::Attributor::new(sdks, package)
        .from_frames(frames.iter().map(|(c, q)| (*c, q.as_str())))
        .map(|a| a.to_actor())
}

/// The trace's lines from its `Count:` line down to the calling frame (at most
/// [`EVIDENCE_LINES`]).
fn trace_text(lines: &[&[u8]], trace: &Trace) -> String {
    let first = trace.line_no.max(1) as usize;
    let caller_line = trace.caller().map_or(first, |f| f.line_no as usize);
    let last = caller_line.clamp(first, first + EVIDENCE_LINES - 1);
    let mut text = Vec::new();
    for (i, l) in lines.iter().enumerate().take(last).skip(first - 1) {
        if i + 1 > first {
            text.push(b'\n');
        }
        text.extend_from_slice(l.strip_suffix(b"\r").unwrap_or(l));
    }
    evidence_text(&text)
}
