//! Replies of `am start -W` and `am trace-ipc start|stop` (`docs/device-formats.md` §4, §5–8).
//!
//! Both parsers accept stdout and stderr concatenated in any order; unknown lines are kept in
//! [`StartReply::skipped`] and never make the parse fail.

// Line handling shared by the text parsers of this crate (lives in `text.rs`; declared
// here because `lib.rs` belongs to another module's owner).
#[path = "text.rs"]
pub(crate) mod text;

pub use text::{Located, SkipLog, Skipped};

use serde::Serialize;

/// Parsed output of `am start -W …`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StartReply {
    /// `Starting: Intent { … }` — the text after `Starting: `.
    pub starting: Option<Located<String>>,
    /// `Status: ok` / `Status: timeout`.
    pub status: Option<Located<String>>,
    /// `LaunchState: COLD|WARM|HOT|RELAUNCH|UNKNOWN (n)` (Android 10+).
    pub launch_state: Option<Located<String>>,
    /// `Activity: pkg/.Act` — the activity that was resumed.
    pub activity: Option<Located<String>>,
    /// `ThisTime: N` (Android ≤9), ms.
    pub this_time_ms: Option<Located<u64>>,
    /// `TotalTime: N`, ms (omitted by the device when negative).
    pub total_time_ms: Option<Located<u64>>,
    /// `WaitTime: N`, ms.
    pub wait_time_ms: Option<Located<u64>>,
    /// Line number of `Complete`, when printed.
    pub complete: Option<u64>,
    /// `Warning: …` lines (text after `Warning: `).
    pub warnings: Vec<Located<String>>,
    /// `Error: …` / `Error type N` / exception lines (text as printed, trimmed).
    pub errors: Vec<Located<String>>,
    /// Lines not understood.
    pub skipped: SkipLog,
}

impl StartReply {
    /// True when the device reported the activity started (`Status: ok` and no error).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && self.status.as_ref().is_some_and(|s| s.value == "ok")
    }

    /// The component named by `Error: Activity class {pkg/cls} does not exist.`, if any.
    pub fn missing_activity(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| {
            let rest = e.value.strip_prefix("Error: Activity class {")?;
            rest.strip_suffix("} does not exist.")
        })
    }
}

/// Reply of `am trace-ipc start` or `am trace-ipc stop --dump-file F`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TraceIpcReply {
    /// `Starting IPC tracing.`
    Started {
        /// Line of the message.
        line_no: u64,
    },
    /// `Stopped IPC tracing. Dumping logs to: <file>`
    Stopped {
        /// Line of the message.
        line_no: u64,
        /// The dump file as printed.
        dump_file: String,
    },
    /// `Error: …`, `STOP TRACE FAILED.` or an exception line.
    Failed {
        /// Line of the first error line.
        line_no: u64,
        /// That line, trimmed.
        message: String,
    },
    /// Nothing recognisable (empty output included).
    Unrecognized,
}

/// Parses `am start -W` output. Never fails; see [`StartReply::skipped`].
pub fn parse_start(text: &str) -> StartReply {
    let mut out = StartReply::default();
    for line in text::lines(text) {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if line.overlong {
            out.skipped.push(line.no, t);
            continue;
        }
        let loc = |v: &str| Some(Located::new(line.no, v.trim().to_owned()));
        let num = |v: &str| text::parse_u64(v.trim()).map(|n| Located::new(line.no, n));
        if let Some(v) = t.strip_prefix("Starting:") {
            out.starting = loc(v);
        } else if let Some(v) = t.strip_prefix("Status:") {
            out.status = loc(v);
        } else if let Some(v) = t.strip_prefix("LaunchState:") {
            out.launch_state = loc(v);
        } else if let Some(v) = t.strip_prefix("Activity:") {
            out.activity = loc(v);
        } else if let Some(v) = t.strip_prefix("ThisTime:") {
            match num(v) {
                Some(n) => out.this_time_ms = Some(n),
                None => out.skipped.push(line.no, t),
            }
        } else if let Some(v) = t.strip_prefix("TotalTime:") {
            match num(v) {
                Some(n) => out.total_time_ms = Some(n),
                None => out.skipped.push(line.no, t),
            }
        } else if let Some(v) = t.strip_prefix("WaitTime:") {
            match num(v) {
                Some(n) => out.wait_time_ms = Some(n),
                None => out.skipped.push(line.no, t),
            }
        } else if t == "Complete" {
            out.complete = Some(line.no);
        } else if let Some(v) = t.strip_prefix("Warning:") {
            out.warnings
                .push(Located::new(line.no, v.trim().to_owned()));
        } else if is_error_line(t) {
            out.errors.push(Located::new(line.no, t.to_owned()));
        } else {
            out.skipped.push(line.no, t);
        }
    }
    out
}

/// Lines that report a failure of an `am` command.
fn is_error_line(t: &str) -> bool {
    t.starts_with("Error:")
        || t.starts_with("Error type ")
        || t.starts_with("Exception occurred while executing")
        || t.starts_with("java.lang.")
        || t.starts_with("android.") && (t.contains("Exception:") || t.ends_with("Exception"))
}

/// Parses the reply of `am trace-ipc start` / `am trace-ipc stop --dump-file F`.
pub fn parse_trace_ipc(text: &str) -> TraceIpcReply {
    let mut found = TraceIpcReply::Unrecognized;
    for line in text::lines(text) {
        let t = line.text.trim();
        if t.starts_with("Error:")
            || t == "STOP TRACE FAILED."
            || t.starts_with("Exception occurred")
        {
            // An error anywhere wins over a success message.
            return TraceIpcReply::Failed {
                line_no: line.no,
                message: t.to_owned(),
            };
        }
        if !matches!(found, TraceIpcReply::Unrecognized) {
            continue;
        }
        if t == "Starting IPC tracing." {
            found = TraceIpcReply::Started { line_no: line.no };
        } else if let Some(rest) = t.strip_prefix("Stopped IPC tracing.") {
            let dump_file = rest
                .trim()
                .strip_prefix("Dumping logs to:")
                .map(str::trim)
                .unwrap_or_default()
                .to_owned();
            found = TraceIpcReply::Stopped {
                line_no: line.no,
                dump_file,
            };
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn start_w_success_android10_plus() {
        let text = "Starting: Intent { cmp=com.leaky.shop/.MainActivity }\nStatus: ok\nLaunchState: COLD\nActivity: com.leaky.shop/.MainActivity\nTotalTime: 5308\nWaitTime: 5320\nComplete\n";
        let r = parse_start(text);
        assert!(r.is_ok());
        assert_eq!(
            r.starting.as_ref().map(|s| s.value.as_str()),
            Some("Intent { cmp=com.leaky.shop/.MainActivity }")
        );
        assert_eq!(r.launch_state, Some(Located::new(3, "COLD".to_owned())));
        assert_eq!(
            r.activity.as_ref().map(|a| (a.line_no, a.value.as_str())),
            Some((4, "com.leaky.shop/.MainActivity"))
        );
        assert_eq!(r.total_time_ms, Some(Located::new(5, 5308)));
        assert_eq!(r.wait_time_ms.as_ref().map(|w| w.value), Some(5320));
        assert_eq!(r.this_time_ms, None);
        assert_eq!(r.complete, Some(7));
        assert_eq!(r.skipped.total, 0);
        assert_eq!(r.missing_activity(), None);
    }

    #[test]
    fn start_w_android9_timeout_and_warnings_with_crlf() {
        let text = "Starting: Intent { act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] cmp=a.b/.C }\r\nWarning: Activity not started, its current task has been brought to the front\r\nStatus: timeout\r\nLaunchState: UNKNOWN (0)\r\nActivity: a.b/.C\r\nThisTime: 12\r\nWaitTime: 10001\r\nComplete\r\n";
        let r = parse_start(text);
        assert!(!r.is_ok());
        assert_eq!(r.status.as_ref().map(|s| s.value.as_str()), Some("timeout"));
        assert_eq!(
            r.launch_state.as_ref().map(|s| s.value.as_str()),
            Some("UNKNOWN (0)")
        );
        assert_eq!(r.this_time_ms.as_ref().map(|t| t.value), Some(12));
        assert_eq!(r.total_time_ms, None);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].line_no, 2);
        assert!(r.warnings[0].value.starts_with("Activity not started"));
    }

    #[test]
    fn start_w_errors() {
        let text = "Starting: Intent { cmp=a.b/.Missing }\nError type 3\nError: Activity class {a.b/a.b.Missing} does not exist.\n";
        let r = parse_start(text);
        assert!(!r.is_ok());
        assert_eq!(r.errors.len(), 2);
        assert_eq!(r.errors[1].line_no, 3);
        assert_eq!(r.missing_activity(), Some("a.b/a.b.Missing"));
        let r = parse_start(
            "Exception occurred while executing 'start':\njava.lang.SecurityException: Permission Denial: starting Intent\n\tat com.android.server.X.y(X.java:1)\nTotalTime: abc\n",
        );
        assert_eq!(r.errors.len(), 2);
        assert_eq!(
            r.skipped
                .lines
                .iter()
                .map(|s| s.line_no)
                .collect::<Vec<_>>(),
            vec![3, 4]
        );
    }

    #[test]
    fn trace_ipc_replies() {
        assert_eq!(
            parse_trace_ipc("Starting IPC tracing.\n"),
            TraceIpcReply::Started { line_no: 1 }
        );
        assert_eq!(
            parse_trace_ipc("Stopped IPC tracing. Dumping logs to: /data/local/tmp/ipc-1.txt\r\n"),
            TraceIpcReply::Stopped {
                line_no: 1,
                dump_file: "/data/local/tmp/ipc-1.txt".to_owned()
            }
        );
        assert_eq!(
            parse_trace_ipc("Error: Specify filename to dump logs to.\n"),
            TraceIpcReply::Failed {
                line_no: 1,
                message: "Error: Specify filename to dump logs to.".to_owned()
            }
        );
        assert!(matches!(
            parse_trace_ipc("Stopped IPC tracing. Dumping logs to: /x\nSTOP TRACE FAILED.\n"),
            TraceIpcReply::Failed { line_no: 2, .. }
        ));
        assert_eq!(parse_trace_ipc(""), TraceIpcReply::Unrecognized);
        assert_eq!(
            parse_trace_ipc("/system/bin/sh: am: not found"),
            TraceIpcReply::Unrecognized
        );
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let text = text::decode(&bytes);
            let r = parse_start(&text);
            prop_assert!(r.skipped.lines.len() <= text::MAX_SKIPPED);
            let _ = parse_trace_ipc(&text);
        }

        #[test]
        fn random_lines_never_panic(lines in proptest::collection::vec("(Status|TotalTime|WaitTime|Error|Warning|Stopped IPC tracing.)?[: ]{0,2}[ -~]{0,20}", 0..20)) {
            let text = lines.join("\n");
            let _ = parse_start(&text);
            let _ = parse_trace_ipc(&text);
        }
    }
}
