//! `am trace-ipc stop --dump-file F` dumps (`docs/device-formats.md` §4): per process, de-duplicated
//! Java stacks of outgoing binder calls with a count. No timestamps.
//!
//! For each trace the binder call is taken from the frame right after
//! `android.os.BinderProxy.transact` (the AIDL proxy or a hand-written proxy such as
//! `android.content.ContentProviderProxy`), see [`BinderCall`].
//!
//! Choices: the interface of `X$Stub$Proxy` (or `X$Proxy`) is `X`; any other proxy class
//! (hand-written or obfuscated) is kept as is. [`Trace::caller`] is the first frame after the
//! proxy frame whose class is not framework code ([`FRAMEWORK_PREFIXES`]: the brief's
//! `android.`/`java.`/`com.android.` plus `javax.`, `dalvik.`, `libcore.`, `sun.`); note that
//! `androidx.` and bundled SDKs count as the app. Frames printed before any
//! `Traces for process:` line are filed under a process with an empty name.

use crate::am::text;
pub use crate::am::text::{SkipLog, Skipped};
use serde::Serialize;

/// One `at class.method(file:line)` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// 1-based line number.
    pub line_no: u64,
    /// Fully-qualified class, inner classes with `$`.
    pub class: String,
    /// Method name.
    pub method: String,
    /// Source file, when printed (`Unknown Source` → `None`).
    pub file: Option<String>,
    /// Source line, when printed.
    pub line: Option<u32>,
    /// `(Native Method)`.
    pub native: bool,
}

impl Frame {
    /// `class.method`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.class, self.method)
    }

    /// True when the frame is framework/library code rather than app code: the class starts
    /// with `android.`, `java.`, `javax.`, `dalvik.`, `libcore.`, `sun.` or `com.android.`.
    pub fn is_framework(&self) -> bool {
        FRAMEWORK_PREFIXES.iter().any(|p| self.class.starts_with(p))
    }
}

/// Class prefixes treated as framework by [`Frame::is_framework`].
pub const FRAMEWORK_PREFIXES: &[&str] = &[
    "android.",
    "java.",
    "javax.",
    "dalvik.",
    "libcore.",
    "sun.",
    "com.android.",
];

/// The binder call a trace records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BinderCall {
    /// Index of the proxy frame in [`Trace::frames`].
    pub frame_index: usize,
    /// The interface: `android.location.ILocationManager` for
    /// `android.location.ILocationManager$Stub$Proxy`; the proxy class itself otherwise
    /// (`android.content.ContentProviderProxy`, obfuscated names).
    pub interface: String,
    /// Method name (`getLastLocation`).
    pub method: String,
    /// Simple interface name + method: `ILocationManager.getLastLocation`,
    /// `ContentProviderProxy.query`.
    pub short_name: String,
}

/// One de-duplicated stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// Line of `Count:` (or of `Trace:` when no count was printed).
    pub line_no: u64,
    /// `Count: N`.
    pub count: Option<u64>,
    /// Frames, innermost first.
    pub frames: Vec<Frame>,
    /// The binder call, when the stack starts at `BinderProxy.transact`.
    pub call: Option<BinderCall>,
}

impl Trace {
    /// The first app frame above the proxy frame (see [`Frame::is_framework`]).
    pub fn caller(&self) -> Option<&Frame> {
        let start = self.call.as_ref().map_or(0, |c| c.frame_index + 1);
        self.frames.iter().skip(start).find(|f| !f.is_framework())
    }

    /// The first frame whose class is `class` and method `method`.
    pub fn find_frame(&self, class: &str, method: &str) -> Option<&Frame> {
        self.frames
            .iter()
            .find(|f| f.class == class && f.method == method)
    }

    /// True when some frame has this class and method.
    pub fn has_frame(&self, class: &str, method: &str) -> bool {
        self.find_frame(class, method).is_some()
    }
}

/// The traces of one process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessTraces {
    /// Line of `Traces for process:` (0 for traces printed before any such line).
    pub line_no: u64,
    /// Process name as printed (empty for traces printed before any process line).
    pub process: String,
    /// Its traces in printed order.
    pub traces: Vec<Trace>,
}

/// A parsed dump.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IpcDump {
    /// Processes in printed order.
    pub processes: Vec<ProcessTraces>,
    /// Lines not understood.
    pub skipped: SkipLog,
}

impl IpcDump {
    /// Every trace with its process name.
    pub fn traces(&self) -> impl Iterator<Item = (&str, &Trace)> {
        self.processes
            .iter()
            .flat_map(|p| p.traces.iter().map(move |t| (p.process.as_str(), t)))
    }

    /// The traces of `process`.
    pub fn process(&self, process: &str) -> Option<&ProcessTraces> {
        self.processes.iter().find(|p| p.process == process)
    }
}

/// Parses a dump given as bytes (invalid UTF-8 replaced). Never fails.
pub fn parse_dump_bytes(bytes: &[u8]) -> IpcDump {
    parse_dump(&text::decode(bytes))
}

/// Parses a dump. Never fails.
///
/// Tolerates CRLF, spaces instead of the TAB before `at`, missing blank lines, frames
/// without a `Trace:` line and `Count:` lines without frames.
pub fn parse_dump(text: &str) -> IpcDump {
    let mut out = IpcDump::default();
    // The trace being filled (frames go here), if any.
    let mut open: Option<Trace> = None;
    for line in text::lines(text) {
        let t = line.text.trim();
        if line.overlong {
            out.skipped.push(line.no, t);
            continue;
        }
        if t.is_empty() || t == "Binder transaction traces for all processes." {
            continue;
        }
        if let Some(name) = t.strip_prefix("Traces for process:") {
            close(&mut out, &mut open);
            out.processes.push(ProcessTraces {
                line_no: line.no,
                process: name.trim().to_owned(),
                traces: Vec::new(),
            });
        } else if let Some(n) = t.strip_prefix("Count:") {
            close(&mut out, &mut open);
            match text::parse_u64(n.trim()) {
                Some(count) => open = Some(new_trace(line.no, Some(count))),
                None => out.skipped.push(line.no, t),
            }
        } else if t.starts_with("Trace:") {
            // `Trace: java.lang.Throwable` follows `Count:`; alone it starts a trace.
            let continues = open.as_ref().is_some_and(|tr| tr.frames.is_empty());
            if !continues {
                close(&mut out, &mut open);
                open = Some(new_trace(line.no, None));
            }
        } else if let Some(frame) = parse_frame(line.no, t) {
            open.get_or_insert_with(|| new_trace(line.no, None))
                .frames
                .push(frame);
        } else {
            out.skipped.push(line.no, t);
        }
    }
    close(&mut out, &mut open);
    out
}

fn new_trace(line_no: u64, count: Option<u64>) -> Trace {
    Trace {
        line_no,
        count,
        frames: Vec::new(),
        call: None,
    }
}

/// Finishes the open trace and files it under the last process.
fn close(out: &mut IpcDump, open: &mut Option<Trace>) {
    let Some(mut trace) = open.take() else { return };
    trace.call = binder_call(&trace.frames);
    if out.processes.is_empty() {
        out.processes.push(ProcessTraces {
            line_no: 0,
            process: String::new(),
            traces: Vec::new(),
        });
    }
    if let Some(p) = out.processes.last_mut() {
        p.traces.push(trace);
    }
}

/// The frame after the leading `android.os.BinderProxy` frames (`transactNative`,
/// `transact`) is the proxy.
fn binder_call(frames: &[Frame]) -> Option<BinderCall> {
    let leading = frames
        .iter()
        .take_while(|f| f.class == "android.os.BinderProxy")
        .count();
    if leading == 0 {
        return None;
    }
    let frame = frames.get(leading)?;
    let interface = frame
        .class
        .strip_suffix("$Stub$Proxy")
        .or_else(|| frame.class.strip_suffix("$Proxy"))
        .unwrap_or(&frame.class);
    let simple = interface.rsplit('.').next().unwrap_or(interface);
    Some(BinderCall {
        frame_index: leading,
        interface: interface.to_owned(),
        method: frame.method.clone(),
        short_name: format!("{simple}.{}", frame.method),
    })
}

/// Parses one frame line (`\tat a.b.C.m(C.java:12)`, any leading whitespace).
pub fn parse_frame(line_no: u64, line: &str) -> Option<Frame> {
    let t = line.trim();
    let rest = t.strip_prefix("at ")?.trim_start();
    let (qualified, location) = match rest.find('(') {
        Some(i) => {
            let loc = rest[i + 1..].strip_suffix(')')?;
            (&rest[..i], Some(loc))
        }
        None => (rest, None),
    };
    let (class, method) = qualified.rsplit_once('.')?;
    let ident_ok = |s: &str| {
        !s.is_empty()
            && !s.contains(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ':' | ','))
    };
    if !ident_ok(class) || !ident_ok(method) {
        return None;
    }
    let mut frame = Frame {
        line_no,
        class: class.to_owned(),
        method: method.to_owned(),
        file: None,
        line: None,
        native: false,
    };
    match location {
        Some("Native Method") => frame.native = true,
        Some("Unknown Source") | None => {}
        Some(loc) => {
            let (file, line) = match loc.rsplit_once(':') {
                Some((f, l)) => match text::parse_u64(l) {
                    Some(n) => (f, u32::try_from(n).ok()),
                    None => (loc, None),
                },
                None => (loc, None),
            };
            if file != "Unknown Source" && !file.is_empty() {
                frame.file = Some(file.to_owned());
            }
            frame.line = line;
        }
    }
    Some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const AOSP: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/ipc/ipc-trace-aosp-fixture-1.txt"
    ));

    /// App-side stacks written from `docs/device-formats.md` §4: an AIDL proxy, the ANDROID_ID read
    /// (`ContentProviderProxy.call` under `Settings$Secure.getStringForUser`), and an
    /// obfuscated proxy.
    const APP: &str = "Binder transaction traces for all processes.

Traces for process: com.leaky.shop
Count: 3
Trace: java.lang.Throwable
\tat android.os.BinderProxy.transact(BinderProxy.java:584)
\tat android.location.ILocationManager$Stub$Proxy.getLastLocation(ILocationManager.java:1234)
\tat android.location.LocationManager.getLastKnownLocation(LocationManager.java:2456)
\tat com.leaky.shop.ads.Tracker.collect(Tracker.java:42)
\tat com.leaky.shop.MainActivity.onCreate(MainActivity.java:17)
\tat android.app.Activity.performCreate(Activity.java:8000)

Count: 1
Trace: java.lang.Throwable
\tat android.os.BinderProxy.transact(BinderProxy.java:584)
\tat android.content.ContentProviderProxy.call(ContentProviderNative.java:732)
\tat android.provider.Settings$NameValueCache.getStringForUser(Settings.java:2912)
\tat android.provider.Settings$Secure.getStringForUser(Settings.java:5800)
\tat android.provider.Settings$Secure.getString(Settings.java:5780)
\tat com.leaky.shop.Ids.androidId(Unknown Source:4)
\tat com.leaky.shop.App.onCreate(App.java)

Count: 2
Trace: java.lang.Throwable
\tat android.os.BinderProxy.transact(BinderProxy.java:584)
\tat b.c.d.a(SourceFile:12)
\tat com.leaky.shop.x.y(SourceFile:3)

Traces for process: com.android.phone
";

    #[test]
    fn aosp_fixture() {
        let d = parse_dump(AOSP);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        let names: Vec<&str> = d.processes.iter().map(|p| p.process.as_str()).collect();
        assert_eq!(
            names,
            vec!["system", "com.breel.wallpapers18", "com.android.se"]
        );
        let sys = d.process("system").unwrap();
        assert_eq!(sys.line_no, 3);
        assert_eq!(sys.traces.len(), 2);
        let t0 = &sys.traces[0];
        assert_eq!((t0.line_no, t0.count, t0.frames.len()), (4, Some(2), 14));
        assert_eq!(t0.frames[0].qualified(), "android.os.BinderProxy.transact");
        assert_eq!(t0.frames[0].file.as_deref(), Some("BinderProxy.java"));
        assert_eq!(t0.frames[0].line, Some(486));
        assert_eq!(t0.frames[0].line_no, 6);
        let c0 = t0.call.as_ref().unwrap();
        assert_eq!(
            (c0.interface.as_str(), c0.short_name.as_str()),
            (
                "android.os.ServiceManagerProxy",
                "ServiceManagerProxy.getService"
            )
        );
        assert_eq!(t0.frames[7].class, "android.os.StrictMode$5");
        let t1 = &sys.traces[1];
        assert_eq!((t1.count, t1.frames.len()), (Some(18), 17));
        let c1 = t1.call.as_ref().unwrap();
        assert_eq!(c1.interface, "android.app.IApplicationThread");
        assert_eq!(c1.method, "scheduleBindService");
        assert_eq!(c1.short_name, "IApplicationThread.scheduleBindService");
        // Everything in system_server is framework code.
        assert!(t0.caller().is_none() && t1.caller().is_none());
        assert!(d.processes[1].traces.is_empty() && d.processes[2].traces.is_empty());
        assert_eq!(d.traces().count(), 2);
    }

    #[test]
    fn app_stacks_calls_and_callers() {
        let d = parse_dump(APP);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        let p = d.process("com.leaky.shop").unwrap();
        assert_eq!(p.traces.len(), 3);
        let loc = &p.traces[0];
        let call = loc.call.as_ref().unwrap();
        assert_eq!(call.interface, "android.location.ILocationManager");
        assert_eq!(call.short_name, "ILocationManager.getLastLocation");
        assert_eq!(call.frame_index, 1);
        assert_eq!(
            loc.caller().map(Frame::qualified).as_deref(),
            Some("com.leaky.shop.ads.Tracker.collect")
        );

        let id = &p.traces[1];
        assert_eq!(
            id.call.as_ref().unwrap().short_name,
            "ContentProviderProxy.call"
        );
        assert_eq!(
            id.call.as_ref().unwrap().interface,
            "android.content.ContentProviderProxy"
        );
        assert!(id.has_frame("android.provider.Settings$Secure", "getStringForUser"));
        assert!(!id.has_frame("android.provider.Settings$Global", "getStringForUser"));
        let caller = id.caller().unwrap();
        assert_eq!(
            (caller.class.as_str(), caller.method.as_str()),
            ("com.leaky.shop.Ids", "androidId")
        );
        assert_eq!((caller.file.as_deref(), caller.line), (None, Some(4)));
        let last = id.frames.last().unwrap();
        assert_eq!((last.file.as_deref(), last.line), (Some("App.java"), None));

        let obf = &p.traces[2];
        let c = obf.call.as_ref().unwrap();
        assert_eq!(
            (c.interface.as_str(), c.short_name.as_str()),
            ("b.c.d", "d.a")
        );
        // The obfuscated proxy itself is skipped; the caller is the next app frame.
        assert_eq!(obf.caller().unwrap().class, "com.leaky.shop.x");
        assert!(d.process("com.android.phone").unwrap().traces.is_empty());
    }

    #[test]
    fn crlf_spaces_and_missing_blank_lines() {
        let text = APP
            .replace('\t', "    ")
            .replace("\n\n", "\n")
            .replace('\n', "\r\n");
        let d = parse_dump(&text);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        let reference = parse_dump(APP);
        let calls = |d: &IpcDump| -> Vec<(String, Option<u64>, usize)> {
            d.traces()
                .map(|(_, t)| {
                    (
                        t.call.as_ref().unwrap().short_name.clone(),
                        t.count,
                        t.frames.len(),
                    )
                })
                .collect()
        };
        assert_eq!(calls(&d), calls(&reference));
    }

    #[test]
    fn variants_without_count_or_header_and_native_frames() {
        let text = "\tat android.os.BinderProxy.transactNative(Native Method)\n\tat android.os.BinderProxy.transact(BinderProxy.java:1)\n\tat android.net.wifi.IWifiManager$Stub$Proxy.getConnectionInfo(IWifiManager.java:9)\n\tat com.x.Y.z(Y.java:1)\ngarbage line\nTrace: java.lang.Throwable\n\tat com.x.Y.w(Y.java:2)\n";
        let d = parse_dump(text);
        assert_eq!(d.processes.len(), 1);
        assert_eq!(d.processes[0].process, "");
        let traces = &d.processes[0].traces;
        assert_eq!(traces.len(), 2);
        assert!(traces[0].frames[0].native);
        assert_eq!(traces[0].count, None);
        let c = traces[0].call.as_ref().unwrap();
        assert_eq!(
            (c.frame_index, c.short_name.as_str()),
            (2, "IWifiManager.getConnectionInfo")
        );
        // A stack that does not start at BinderProxy has no call.
        assert!(traces[1].call.is_none());
        assert_eq!(traces[1].line_no, 6);
        assert_eq!(
            d.skipped
                .lines
                .iter()
                .map(|s| s.line_no)
                .collect::<Vec<_>>(),
            vec![5]
        );
    }

    #[test]
    fn frames() {
        let f = parse_frame(7, "  at a.b.C$D.m(C.java:12)").unwrap();
        assert_eq!(
            (
                f.line_no,
                f.class.as_str(),
                f.method.as_str(),
                f.file.as_deref(),
                f.line
            ),
            (7, "a.b.C$D", "m", Some("C.java"), Some(12))
        );
        assert!(parse_frame(1, "at nodot(X.java:1)").is_none());
        assert!(parse_frame(1, "at a.b(X.java:1").is_none());
        assert!(parse_frame(1, "Count: 3").is_none());
        let f = parse_frame(1, "at a.b.<init>(X.java:notanumber)").unwrap();
        assert_eq!(
            (f.method.as_str(), f.file.as_deref(), f.line),
            ("<init>", Some("X.java:notanumber"), None)
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let d = parse_dump_bytes(&bytes);
            for (_, t) in d.traces() {
                if let Some(c) = &t.call {
                    prop_assert!(c.frame_index < t.frames.len());
                }
            }
        }

        #[test]
        fn mutated_dumps_never_panic(
            which in 0usize..2,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..24),
        ) {
            let base = [AOSP, APP][which];
            let d = parse_dump_bytes(&text::mutate(base.as_bytes(), &edits));
            for (_, t) in d.traces() {
                let _ = t.caller();
            }
        }
    }
}
