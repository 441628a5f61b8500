//! `dumpsys appops [--package P]` in the layouts of Android 7 to 15, and `appops get` lines
//! (`docs/device-formats.md` §3).
//!
//! Android 7.0–8.1 (API 24–27) know no dump options: `dumpsys appops --package P` prints the
//! single line `Unknown option: --package` and nothing else ([`reply_error`] recognises such
//! replies), and the plain dump prints `OPNAME: mode=<int>[; time=+<dur> ago][; rejectTime=
//! +<dur> ago][ (running) | ; duration=+<dur>]` under each `Package P:` — times only relative
//! to the dump ([`Layout::Relative`]; place them with [`OpAccess::device_us_at`]). Source: AOSP
//! `services/core/java/com/android/server/AppOpsService.java` `dump()` (frameworks/base commit
//! 069aa9dce464, 8.1-era; same argument loop in the API 25 and 26 SDK sources,
//! docs/device-behaviour.md (b)).
//!
//! Vendor builds add ops AOSP does not know; MIUI/HyperOS print them as `MIUIOP(10033)
//! (allow):` (UNVERIFIED beyond that header shape), AOSP itself prints an op code it has no
//! name for as `Unknown(123)` (`AppOpsManager.opToName`). Any such header starts its own op,
//! kept by its printed name and code ([`OpHeader::code`]); its `Access:` lines never belong to
//! the op printed above it.
//!
//! The dump is flattened into lists that each carry the context they were printed under
//! (uid, package, op, attribution tag) and their 1-based line number:
//! [`AppOpsDump::accesses`] (every `Access:`/`Reject:` time, current state and discrete
//! history), [`AppOpsDump::ops`] (op headers with their modes), [`AppOpsDump::running`]
//! (`Running start at:` / `startNesting=`), [`AppOpsDump::uids`] (uid state, capability and
//! uid-level modes). Unknown lines go to [`AppOpsDump::skipped`]; nothing is fatal.
//!
//! Times are device-local [`LocalTime`]s; convert them with the device's UTC offset
//! ([`OpAccess::device_us`]).
//!
//! Choices where the device output is ambiguous:
//! - Android 9 prints an op's last `duration=` on its own line, not per uid state; it is
//!   attached to the op's most recent `Access` entry.
//! - `Running start at: +D` is how long before the dump the op started
//!   ([`RunningOp::running_for_ms`]); `startNesting=` is attached to the preceding running
//!   entry of the same op, or recorded alone.
//! - The attribution tag `null` (the default tag) becomes `None`, as does `pkg=null` in a
//!   proxy.
//! - Discrete-history op names are kept as printed (`opToName`, upper case); a public name
//!   (`android:fine_location`) is upper-cased without its prefix.
//! - Discrete entries carry no mode and no relative time; their times are quantized by the
//!   device (1 min by default) and their durations rounded up to that quantum.

use crate::LocalTime;
use crate::am::text;
pub use crate::am::text::{Located, SkipLog, Skipped};
use serde::Serialize;

/// Whether an entry records an allowed access or a rejected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AccessKind {
    /// `Access:` — the op was noted/started and allowed.
    Access,
    /// `Reject:` — the op was noted/started and refused.
    Reject,
}

/// Where an entry was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AccessSource {
    /// The current op state (last access per uid state and flags).
    Current,
    /// The `Discrete accesses:` history section (Android 12+; times quantized to 1 min).
    Discrete,
}

/// Which dump layout a line was recognised in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Layout {
    /// Android ≤9: `Access: top   = <date> (<rel>)` with padded uid-state names.
    Legacy,
    /// Android 10: `Access: [fg-s] <date> (<rel>)` directly under the op.
    Keyed,
    /// Android 11+: keyed entries inside `tag=[ … ]` attribution blocks.
    Attributed,
    /// Android 7.0–8.1 (API 24–27): `OP: mode=N; time=+5s ago` — the time only relative to
    /// the dump ([`OpAccess::time`] is `None`; see [`OpAccess::device_us_at`]).
    Relative,
}

/// Op flags of an entry key (`flagsToString`: `s`, `tp`, `up`, `tpd`, `upd`, `|`-joined).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct OpFlags {
    /// `s`: the app itself.
    #[serde(rename = "self")]
    pub self_: bool,
    /// `tp`: a trusted proxy (the app noted it on behalf of another).
    pub trusted_proxy: bool,
    /// `up`: an untrusted proxy.
    pub untrusted_proxy: bool,
    /// `tpd`: proxied through a trusted proxy (the app's data was read via e.g. a provider).
    pub trusted_proxied: bool,
    /// `upd`: proxied through an untrusted proxy.
    pub untrusted_proxied: bool,
}

impl OpFlags {
    /// Parses `s`, `tp|tpd`, …; `None` if any part is unknown or the text is empty.
    pub fn parse(s: &str) -> Option<Self> {
        let mut f = OpFlags::default();
        if s.is_empty() {
            return None;
        }
        for part in s.split('|') {
            match part {
                "s" => f.self_ = true,
                "tp" => f.trusted_proxy = true,
                "up" => f.untrusted_proxy = true,
                "tpd" => f.trusted_proxied = true,
                "upd" => f.untrusted_proxied = true,
                _ => return None,
            }
        }
        Some(f)
    }

    /// True when the access was made on the app's behalf by a proxy (`tpd`/`upd`).
    pub fn is_proxied(&self) -> bool {
        self.trusted_proxied || self.untrusted_proxied
    }
}

/// `proxy[uid=…, pkg=…, attributionTag=…]` of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proxy {
    /// Proxy uid.
    pub uid: Option<u32>,
    /// Proxy package (`null` → `None`).
    pub package: Option<String>,
    /// Proxy attribution tag (`null` → `None`).
    pub attribution_tag: Option<String>,
}

/// One recorded access or rejection time of an op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpAccess {
    /// 1-based line number of the entry.
    pub line_no: u64,
    /// Current state or discrete history.
    pub source: AccessSource,
    /// Layout the entry was printed in.
    pub layout: Layout,
    /// Access or reject.
    pub kind: AccessKind,
    /// Op name as printed (`FINE_LOCATION`); discrete `android:fine_location` names are
    /// upper-cased without the prefix.
    pub op: String,
    /// Mode of the op header (`allow`, `ignore`, `deny`, `default`, `foreground`, or a number).
    pub mode: Option<String>,
    /// Package of the enclosing `Package P:` block.
    pub package: Option<String>,
    /// Uid of the enclosing `Uid …:` block.
    pub uid: Option<u32>,
    /// Attribution tag of the enclosing `tag=[` block; `None` for `null=[` or no block.
    pub attribution_tag: Option<String>,
    /// Uid state (`pers top fgsvcl fgsvc fg bg cch`, as printed, padding removed).
    pub uid_state: Option<String>,
    /// Op flags from the key (Android 10+); `None` on Android 9.
    pub flags: Option<OpFlags>,
    /// Device-local time of the access.
    pub time: Option<LocalTime>,
    /// The relative time printed next to it, ms (negative = before the dump).
    pub relative_ms: Option<i64>,
    /// `duration=+…` (or discrete `for N milliseconds`), ms.
    pub duration_ms: Option<i64>,
    /// `proxy[…]`, when printed.
    pub proxy: Option<Proxy>,
}

impl OpAccess {
    /// The access time in µs since the epoch, given the device's UTC offset (times in the
    /// dump are device-local). Alternatively, `dump_device_us + relative_ms * 1000` gives
    /// the same instant without the offset, to the dump's millisecond.
    pub fn device_us(&self, utc_offset_s: i32) -> Option<i64> {
        self.time?.to_epoch_us(1970, utc_offset_s)
    }

    /// The access time in µs since the epoch: from the printed date when there is one
    /// (`default_year` when it has none), else — Android 7–8's relative-only layout — from
    /// `dump_device_us`, the device time the dump was taken, plus [`OpAccess::relative_ms`].
    /// The recorder takes that time with `date` right before `dumpsys`, so a relative time
    /// can be early by the time `dumpsys` took to start (UNVERIFIED: typically milliseconds).
    pub fn device_us_at(
        &self,
        default_year: i32,
        utc_offset_s: i32,
        dump_device_us: Option<i64>,
    ) -> Option<i64> {
        match self.time {
            Some(t) => t.to_epoch_us(default_year, utc_offset_s),
            None => dump_device_us?.checked_add(self.relative_ms?.checked_mul(1000)?),
        }
    }
}

/// An op header `OPNAME (mode[ / switch SW=mode]):`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpHeader {
    /// 1-based line number.
    pub line_no: u64,
    /// Op name.
    pub op: String,
    /// Mode.
    pub mode: String,
    /// Switch op, when printed (`WIFI_SCAN (allow / switch COARSE_LOCATION=allow)`).
    pub switch_op: Option<String>,
    /// Mode of the switch op.
    pub switch_mode: Option<String>,
    /// Enclosing package.
    pub package: Option<String>,
    /// Enclosing uid.
    pub uid: Option<u32>,
    /// The op code printed with a name Prior does not know (`MIUIOP(10033)` → 10033,
    /// AOSP's `Unknown(123)` → 123); `None` for ordinary names.
    pub code: Option<u32>,
}

/// An op that was running when the dump was taken (`Running start at:`), and/or its
/// `startNesting=` counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunningOp {
    /// Line of `Running start at:` (or of `startNesting=` when alone).
    pub line_no: u64,
    /// Op name.
    pub op: String,
    /// Enclosing package.
    pub package: Option<String>,
    /// Enclosing uid.
    pub uid: Option<u32>,
    /// Enclosing attribution tag (`None` for `null`).
    pub attribution_tag: Option<String>,
    /// How long before the dump it started, ms (`Running start at: +27s669ms` → 27669).
    pub running_for_ms: Option<i64>,
    /// `startNesting=N`.
    pub start_nesting: Option<u32>,
}

/// A uid-level op mode (`COARSE_LOCATION: mode=foreground`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UidMode {
    /// 1-based line number.
    pub line_no: u64,
    /// Op name.
    pub op: String,
    /// Mode as printed.
    pub mode: String,
}

/// A `Uid …:` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UidBlock {
    /// Line of `Uid …:`.
    pub line_no: u64,
    /// Numeric uid (`u0a123` → 10123).
    pub uid: u32,
    /// `state=…`.
    pub state: Option<String>,
    /// `capability=…` (Android 11+), as printed.
    pub capability: Option<String>,
    /// `appWidgetVisible=…` (Android 12+).
    pub app_widget_visible: Option<bool>,
    /// Uid-level modes.
    pub modes: Vec<UidMode>,
}

/// A parsed `dumpsys appops` dump.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppOpsDump {
    /// Uid blocks in printed order.
    pub uids: Vec<UidBlock>,
    /// Op headers in printed order.
    pub ops: Vec<OpHeader>,
    /// Access/reject entries in printed order.
    pub accesses: Vec<OpAccess>,
    /// Running ops.
    pub running: Vec<RunningOp>,
    /// Lines not understood (inside the per-uid state; the settings/watchers sections are
    /// skipped silently).
    pub skipped: SkipLog,
}

impl AppOpsDump {
    /// Accesses (and rejects) of `package`.
    pub fn accesses_of<'a>(&'a self, package: &'a str) -> impl Iterator<Item = &'a OpAccess> + 'a {
        self.accesses
            .iter()
            .filter(move |a| a.package.as_deref() == Some(package))
    }
}

/// One line of `appops get <pkg|uid> [op]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetEntry {
    /// 1-based line number.
    pub line_no: u64,
    /// True for `Uid mode: OP: mode` lines.
    pub uid_mode: bool,
    /// Op name.
    pub op: String,
    /// Mode as printed.
    pub mode: String,
    /// `time=+5s ago` → 5000 (how long ago the last access was).
    pub time_ago_ms: Option<i64>,
    /// `rejectTime=+… ago`.
    pub reject_time_ago_ms: Option<i64>,
    /// `duration=+…`.
    pub duration_ms: Option<i64>,
    /// ` (running)`.
    pub running: bool,
}

/// Parsed `appops get` output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GetReply {
    /// Op lines.
    pub entries: Vec<GetEntry>,
    /// Line of `No operations.`.
    pub no_operations: Option<u64>,
    /// `Default mode: m` (printed with `No operations.` when an op was given).
    pub default_mode: Option<Located<String>>,
    /// Lines not understood.
    pub skipped: SkipLog,
}

/// Parses `dumpsys appops` output given as bytes (invalid UTF-8 replaced). Never fails.
pub fn parse_dump_bytes(bytes: &[u8]) -> AppOpsDump {
    parse_dump(&text::decode(bytes))
}

/// Parses `dumpsys appops` output. Never fails.
///
/// The parser follows the printed structure by content, not by indentation (which web
/// copies and diffs lose): `Uid …:` opens a uid, `Package …:` a package, `OP (mode):` an op,
/// `tag=[`…`]` an attribution block, `Discrete accesses:` the discrete history. Lines
/// before the first `Uid` line (settings) and the watcher/client/restriction sections are
/// ignored without being reported; an excerpt that starts at a `Package` line or an op
/// header (no `Uid` line) is parsed with `uid: None`.
pub fn parse_dump(text: &str) -> AppOpsDump {
    let mut p = DumpParser::default();
    for line in text::lines(text) {
        if line.overlong {
            p.out.skipped.push(line.no, line.text);
            continue;
        }
        p.line(line.no, line.text);
    }
    p.out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Section {
    /// Before the first uid block (header, settings).
    #[default]
    Preamble,
    /// Inside the per-uid state.
    Uids,
    /// Watchers, clients, restrictions…: ignored until the next `Uid` line.
    Other,
    /// The `Discrete accesses:` history.
    Discrete,
}

#[derive(Debug, Default)]
struct DumpParser {
    out: AppOpsDump,
    section: Section,
    uid: Option<u32>,
    package: Option<String>,
    /// Index into `out.ops` of the current op header.
    op: Option<usize>,
    /// Current attribution tag: `None` outside a block, `Some(None)` inside `null=[`.
    tag: Option<Option<String>>,
    /// Kind of the last Android 9 entry (continuation lines repeat it).
    legacy_kind: Option<AccessKind>,
    /// Index of the first access of the current op (for Android 9 `duration=`).
    op_first_access: usize,
    /// After `foregroundOps:` bare op names follow.
    in_foreground_ops: bool,
    /// Discrete history context.
    d_uid: Option<u32>,
    d_package: Option<String>,
    d_op: Option<String>,
    d_tag: Option<String>,
}

/// Section headers after which lines are ignored until the next `Uid` line.
const OTHER_SECTIONS: &[&str] = &[
    "Op mode watchers:",
    "Package mode watchers:",
    "All op mode watchers:",
    "All op active watchers:",
    "All op started watchers:",
    "All op noted watchers:",
    "All op asynced watchers:",
    "Clients:",
    "Profile owners:",
    "User restrictions for token",
    "AppOps policy",
];

impl DumpParser {
    fn line(&mut self, no: u64, raw: &str) {
        let t = raw.trim();
        if t.is_empty() {
            return;
        }
        if t.starts_with("Discrete accesses:") {
            self.section = Section::Discrete;
            self.d_uid = None;
            self.d_package = None;
            self.d_op = None;
            self.d_tag = None;
            return;
        }
        if let Some(uid) = uid_header(t) {
            self.open_uid(no, uid);
            return;
        }
        if self.section == Section::Preamble
            && (t.starts_with("Package ") || op_header(t).is_some())
        {
            // An excerpt without its `Uid` line: parse it without a uid.
            self.section = Section::Uids;
        }
        match self.section {
            Section::Preamble | Section::Other => {}
            Section::Discrete => self.discrete_line(no, t),
            Section::Uids => {
                if t == "AppOps Uid Op State" || t == "Current AppOps Service state:" {
                    return;
                }
                if OTHER_SECTIONS.iter().any(|h| t.starts_with(h)) && !t.contains("=[") {
                    self.section = Section::Other;
                    return;
                }
                if !self.uid_line(no, t) {
                    self.out.skipped.push(no, t);
                    // A header Prior cannot read: what follows is not the previous op's.
                    if t.ends_with(':') && !t.starts_with("Access") && !t.starts_with("Reject") {
                        self.op = None;
                        self.tag = None;
                    }
                }
            }
        }
    }

    fn open_uid(&mut self, no: u64, uid: u32) {
        self.section = Section::Uids;
        self.uid = Some(uid);
        self.package = None;
        self.op = None;
        self.tag = None;
        self.legacy_kind = None;
        self.in_foreground_ops = false;
        self.out.uids.push(UidBlock {
            line_no: no,
            uid,
            state: None,
            capability: None,
            app_widget_visible: None,
            modes: Vec::new(),
        });
    }

    /// Handles one line of the per-uid state; false if not understood.
    fn uid_line(&mut self, no: u64, t: &str) -> bool {
        let was_legacy = self.legacy_kind.take();
        let was_foreground_ops = std::mem::take(&mut self.in_foreground_ops);
        if let Some(rest) = t.strip_prefix("Access:") {
            return self.entry(no, AccessKind::Access, rest);
        }
        if let Some(rest) = t.strip_prefix("Reject:") {
            return self.entry(no, AccessKind::Reject, rest);
        }
        if let Some(kind) = was_legacy
            && let Some(e) = legacy_entry(t)
        {
            self.push_legacy(no, kind, e);
            return true;
        }
        if let Some(name) = t.strip_prefix("Package ").and_then(|r| r.strip_suffix(':')) {
            let name = name.trim();
            if !name.is_empty() && !name.contains(' ') {
                self.package = Some(name.to_owned());
                self.op = None;
                self.tag = None;
                return true;
            }
        }
        if let Some(h) = op_header(t) {
            self.open_op(no, h.op, h.mode, h.switch, op_code(h.op));
            return true;
        }
        if self.package.is_some()
            && let Some(r) = relative_line(t)
        {
            self.push_relative(no, r);
            return true;
        }
        if let Some(tag) = t.strip_suffix("=[")
            && self.op.is_some()
            && !tag.is_empty()
            && !tag.contains(' ')
        {
            self.tag = Some(if tag == "null" {
                None
            } else {
                Some(tag.to_owned())
            });
            return true;
        }
        if t == "]" && self.tag.is_some() {
            self.tag = None;
            return true;
        }
        if let Some(rest) = t.strip_prefix("Running start at:") {
            let Some(op) = self.op_name() else {
                return false;
            };
            self.out.running.push(RunningOp {
                line_no: no,
                op,
                package: self.package.clone(),
                uid: self.uid,
                attribution_tag: self.tag.clone().flatten(),
                running_for_ms: parse_duration_ms(rest.trim()),
                start_nesting: None,
            });
            return true;
        }
        if let Some(rest) = t.strip_prefix("startNesting=") {
            let n = text::parse_u64(rest.trim()).and_then(|n| u32::try_from(n).ok());
            let Some(op) = self.op_name() else {
                // Uid-level `startNesting=` (Android 10): not per op.
                return n.is_some();
            };
            let tag = self.tag.clone().flatten();
            match self.out.running.last_mut() {
                Some(r)
                    if r.op == op
                        && r.package == self.package
                        && r.uid == self.uid
                        && r.attribution_tag == tag =>
                {
                    r.start_nesting = n;
                }
                _ => self.out.running.push(RunningOp {
                    line_no: no,
                    op,
                    package: self.package.clone(),
                    uid: self.uid,
                    attribution_tag: tag,
                    running_for_ms: None,
                    start_nesting: n,
                }),
            }
            return true;
        }
        if let Some(rest) = t.strip_prefix("duration=") {
            // Android 9: the op's last duration on its own line. Attach it to the op's most
            // recent access printed so far.
            let d = parse_duration_ms(rest.trim());
            let first = self.op_first_access.min(self.out.accesses.len());
            let latest = self.out.accesses[first..]
                .iter_mut()
                .filter(|a| a.kind == AccessKind::Access && a.source == AccessSource::Current)
                .max_by_key(|a| a.time.map(time_key));
            return match latest {
                Some(a) if d.is_some() => {
                    a.duration_ms = d;
                    true
                }
                _ => false,
            };
        }
        if let Some((op, mode)) = uid_mode(t) {
            if let Some(block) = self.out.uids.last_mut() {
                block.modes.push(UidMode {
                    line_no: no,
                    op: op.to_owned(),
                    mode: mode.to_owned(),
                });
                return true;
            }
            return false;
        }
        if let Some((key, value)) = t.split_once('=')
            && self.package.is_none()
            && is_word(key)
        {
            {
                if let Some(block) = self.out.uids.last_mut() {
                    match key {
                        "state" => block.state = Some(value.trim().to_owned()),
                        "capability" => block.capability = Some(value.trim().to_owned()),
                        "appWidgetVisible" => block.app_widget_visible = value.trim().parse().ok(),
                        // pendingState, pendingStateCommitTime, pendingCapability,
                        // hasForegroundWatchers, … : uid bookkeeping, not needed.
                        _ => {}
                    }
                }
                return true;
            }
        }
        if t == "foregroundOps:" {
            self.in_foreground_ops = true;
            return true;
        }
        if was_foreground_ops && is_op_name(t.split(':').next().unwrap_or_default()) {
            self.in_foreground_ops = true;
            return true;
        }
        false
    }

    fn open_op(
        &mut self,
        no: u64,
        op: &str,
        mode: &str,
        switch: Option<(&str, &str)>,
        code: Option<u32>,
    ) {
        self.out.ops.push(OpHeader {
            line_no: no,
            op: op.to_owned(),
            mode: mode.to_owned(),
            switch_op: switch.map(|(s, _)| s.to_owned()),
            switch_mode: switch.map(|(_, m)| m.to_owned()),
            package: self.package.clone(),
            uid: self.uid,
            code,
        });
        self.op = Some(self.out.ops.len() - 1);
        self.tag = None;
        self.op_first_access = self.out.accesses.len();
    }

    /// Android 7–8: one line is the op, its mode and its last access/reject times.
    fn push_relative(&mut self, no: u64, (op, r): (&str, OpTail<'_>)) {
        self.open_op(no, op, r.mode, None, op_code(op));
        let times = [
            (AccessKind::Access, r.time_ago_ms),
            (AccessKind::Reject, r.reject_ago_ms),
        ];
        for (kind, ago) in times {
            let Some(ago) = ago else { continue };
            if let Some(mut a) = self.base_access(no, kind, Layout::Relative) {
                a.relative_ms = Some(-ago);
                if kind == AccessKind::Access {
                    a.duration_ms = r.duration_ms;
                }
                self.out.accesses.push(a);
            }
        }
        if r.running {
            self.out.running.push(RunningOp {
                line_no: no,
                op: op.to_owned(),
                package: self.package.clone(),
                uid: self.uid,
                attribution_tag: None,
                running_for_ms: None,
                start_nesting: None,
            });
        }
        // The op is complete on its line: nothing below belongs to it.
        self.op = None;
    }

    fn op_name(&self) -> Option<String> {
        self.op
            .and_then(|i| self.out.ops.get(i))
            .map(|h| h.op.clone())
    }

    fn base_access(&self, no: u64, kind: AccessKind, layout: Layout) -> Option<OpAccess> {
        let header = self.op.and_then(|i| self.out.ops.get(i))?;
        Some(OpAccess {
            line_no: no,
            source: AccessSource::Current,
            layout,
            kind,
            op: header.op.clone(),
            mode: Some(header.mode.clone()),
            package: self.package.clone(),
            uid: self.uid,
            attribution_tag: self.tag.clone().flatten(),
            uid_state: None,
            flags: None,
            time: None,
            relative_ms: None,
            duration_ms: None,
            proxy: None,
        })
    }

    /// `Access:`/`Reject:` line in any layout; `rest` follows the colon.
    fn entry(&mut self, no: u64, kind: AccessKind, rest: &str) -> bool {
        let rest = rest.trim_start();
        if rest.starts_with('[') {
            let Some(e) = keyed_entry(rest) else {
                return false;
            };
            let layout = if self.tag.is_some() {
                Layout::Attributed
            } else {
                Layout::Keyed
            };
            let Some(mut a) = self.base_access(no, kind, layout) else {
                return false;
            };
            a.uid_state = Some(e.state.to_owned());
            a.flags = e.flags;
            a.time = Some(e.time);
            a.relative_ms = e.relative_ms;
            a.duration_ms = e.duration_ms;
            a.proxy = e.proxy;
            self.out.accesses.push(a);
            true
        } else if let Some(e) = legacy_entry(rest) {
            self.push_legacy(no, kind, e)
        } else {
            false
        }
    }

    fn push_legacy(&mut self, no: u64, kind: AccessKind, e: LegacyEntry<'_>) -> bool {
        let Some(mut a) = self.base_access(no, kind, Layout::Legacy) else {
            return false;
        };
        a.uid_state = Some(e.state.to_owned());
        a.time = Some(e.time);
        a.relative_ms = e.relative_ms;
        self.out.accesses.push(a);
        self.legacy_kind = Some(kind);
        true
    }

    fn discrete_line(&mut self, no: u64, t: &str) {
        if let Some(rest) = t.strip_prefix("Uid:") {
            self.d_uid = parse_uid(rest.trim());
            self.d_package = None;
            self.d_op = None;
            self.d_tag = None;
            if self.d_uid.is_none() {
                self.out.skipped.push(no, t);
            }
        } else if let Some(rest) = t.strip_prefix("Package:") {
            self.d_package = Some(rest.trim().to_owned());
            self.d_op = None;
            self.d_tag = None;
        } else if let Some(rest) = t.strip_prefix("Attribution:") {
            let tag = rest.trim();
            self.d_tag = if tag == "null" || tag.is_empty() {
                None
            } else {
                Some(tag.to_owned())
            };
        } else if let Some(rest) = t
            .strip_prefix("Access [")
            .or_else(|| t.strip_prefix("Reject ["))
        {
            let kind = if t.starts_with("Reject") {
                AccessKind::Reject
            } else {
                AccessKind::Access
            };
            match (self.d_op.clone(), discrete_entry(rest)) {
                (Some(op), Some(e)) => self.out.accesses.push(OpAccess {
                    line_no: no,
                    source: AccessSource::Discrete,
                    layout: Layout::Attributed,
                    kind,
                    op,
                    mode: None,
                    package: self.d_package.clone(),
                    uid: self.d_uid,
                    attribution_tag: self.d_tag.clone(),
                    uid_state: Some(e.state.to_owned()),
                    flags: e.flags,
                    time: Some(e.time),
                    relative_ms: None,
                    duration_ms: e.duration_ms,
                    proxy: None,
                }),
                _ => self.out.skipped.push(no, t),
            }
        } else if let Some(op) = discrete_op_name(t) {
            self.d_op = Some(op);
            self.d_tag = None;
        } else {
            self.out.skipped.push(no, t);
        }
    }
}

/// Sort key of a local time (year, month, day, h, m, s, µs).
fn time_key(t: LocalTime) -> (i32, u32, u32, u32, u32, u32, u32) {
    (
        t.year.unwrap_or(0),
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.micros,
    )
}

/// `Uid u0a123:` / `Uid 10142:` → uid (not the discrete `Uid: N`).
fn uid_header(t: &str) -> Option<u32> {
    let rest = t.strip_prefix("Uid ")?;
    let rest = rest.strip_suffix(':')?;
    parse_uid(rest.trim())
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Op names as printed by `opToName`: upper-case letters, digits, `_`.
fn is_op_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && s.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
}

/// An op name AOSP's tables do not have, as printed: `NAME(CODE)` (`MIUIOP(10033)`,
/// `Unknown(123)`), or a bare token of letters, digits, `_`, `:`, `.`, `-`.
fn is_vendor_op_name(s: &str) -> bool {
    if op_code(s).is_some() {
        return true;
    }
    !s.is_empty()
        && s.len() <= 80
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-'))
}

/// `MIUIOP(10033)` → 10033: a name followed by a decimal code in parentheses.
fn op_code(s: &str) -> Option<u32> {
    let inner = s.strip_suffix(')')?;
    let (name, code) = inner.split_once('(')?;
    let name_ok = !name.is_empty()
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !name_ok {
        return None;
    }
    text::parse_u64(code).and_then(|n| u32::try_from(n).ok())
}

/// What follows the op name on an old-layout op line, shared by the Android 7–8 dump
/// (`mode=0; time=+5s12ms ago; …`) and `appops get` (`allow; time=+5s ago; …`): the mode,
/// then `time=`, `rejectTime=`, `duration=` parts, and an optional ` (running)` suffix.
struct OpTail<'a> {
    mode: &'a str,
    time_ago_ms: Option<i64>,
    reject_ago_ms: Option<i64>,
    duration_ms: Option<i64>,
    running: bool,
}

/// Parses an [`OpTail`]. `strict`: a time must end in ` ago` and every value must parse
/// (the dump); otherwise an unreadable value is left out (`appops get`, whose output varies
/// more between releases). An unknown part rejects the line either way.
fn op_tail(rest: &str, strict: bool) -> Option<OpTail<'_>> {
    let (rest, running) = match rest.strip_suffix(" (running)") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let mut parts = rest.split(';');
    let mode = parts.next()?.trim();
    if mode.is_empty() || mode.contains(' ') {
        return None;
    }
    let mut r = OpTail {
        mode,
        time_ago_ms: None,
        reject_ago_ms: None,
        duration_ms: None,
        running,
    };
    let ago = |v: &str| {
        if strict {
            parse_duration_ms(v.strip_suffix(" ago")?.trim())
        } else {
            parse_duration_ms(v.trim().strip_suffix("ago").unwrap_or(v).trim())
        }
    };
    let value = |parsed: Option<i64>| {
        if strict {
            parsed.map(Some)
        } else {
            Some(parsed)
        }
    };
    for part in parts {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("time=") {
            r.time_ago_ms = value(ago(v))?;
        } else if let Some(v) = part.strip_prefix("rejectTime=") {
            r.reject_ago_ms = value(ago(v))?;
        } else if let Some(v) = part.strip_prefix("duration=") {
            r.duration_ms = value(parse_duration_ms(v.trim()))?;
        } else {
            return None;
        }
    }
    Some(r)
}

/// Android 7–8 package op line: `OP: mode=0; time=+5s12ms ago; rejectTime=+1m0s0ms ago;
/// duration=+1s0ms` or `… (running)`. The op name may be a vendor one (`MIUIOP(10033)`).
fn relative_line(t: &str) -> Option<(&str, OpTail<'_>)> {
    let (op, rest) = t.split_once(": mode=")?;
    if !is_op_name(op) && !is_vendor_op_name(op) {
        return None;
    }
    Some((op, op_tail(rest, true)?))
}

/// Why a reply of `dumpsys appops …` is not a dump, or `None` when it is one: the device
/// refused the option (`Unknown option: --package` on API 24–27, `Unknown command: …`), the
/// shell may not dump (`Permission Denial: …`), the service is missing (`Can't find
/// service: appops`), or the reply is empty. The reason quotes the device's first line.
pub fn reply_error(text: &str) -> Option<String> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect::<String>());
    let Some(first) = first else {
        return Some("the device printed nothing".to_owned());
    };
    const ERRORS: &[&str] = &[
        "Unknown option",
        "Unknown command",
        "Permission Denial",
        "Can't find service",
        "Error:",
    ];
    ERRORS
        .iter()
        .any(|e| first.starts_with(e))
        .then(|| format!("the device answered `{first}`"))
}

/// A bare op name heading a discrete op (`FINE_LOCATION`, or `android:fine_location`).
fn discrete_op_name(t: &str) -> Option<String> {
    if is_op_name(t) {
        return Some(t.to_owned());
    }
    let public = t.strip_prefix("android:")?;
    let upper = public.to_ascii_uppercase();
    is_op_name(&upper).then_some(upper)
}

struct Header<'a> {
    op: &'a str,
    mode: &'a str,
    switch: Option<(&'a str, &'a str)>,
}

/// `OPNAME (mode):` / `OPNAME (mode / switch SW=mode): ` (trailing space optional). The
/// name may be one Prior does not know: `MIUIOP(10033)`, `Unknown(123)`, or any other token
/// without spaces (kept as printed).
fn op_header(t: &str) -> Option<Header<'_>> {
    let t = t.strip_suffix(':')?;
    let t = t.strip_suffix(')')?;
    let (op, inner) = t.split_once(" (")?;
    if !is_op_name(op) && !is_vendor_op_name(op) {
        return None;
    }
    let (mode, switch) = match inner.split_once(" / switch ") {
        Some((mode, sw)) => {
            let (sw_op, sw_mode) = sw.split_once('=')?;
            (mode, Some((sw_op.trim(), sw_mode.trim())))
        }
        None => (inner, None),
    };
    let mode = mode.trim();
    if mode.is_empty() || mode.contains(' ') {
        return None;
    }
    Some(Header { op, mode, switch })
}

/// `COARSE_LOCATION: mode=foreground`.
fn uid_mode(t: &str) -> Option<(&str, &str)> {
    let (op, rest) = t.split_once(": mode=")?;
    let mode = rest.trim();
    (is_op_name(op.trim()) && !mode.is_empty() && !mode.contains(' ')).then_some((op.trim(), mode))
}

struct KeyedEntry<'a> {
    state: &'a str,
    flags: Option<OpFlags>,
    time: LocalTime,
    relative_ms: Option<i64>,
    duration_ms: Option<i64>,
    proxy: Option<Proxy>,
}

/// `[top-s] 2023-01-01 12:00:00.123 (-5s12ms) duration=+1s0ms proxy[…]` (space after `]`
/// optional).
fn keyed_entry(s: &str) -> Option<KeyedEntry<'_>> {
    let s = s.strip_prefix('[')?;
    let (key, rest) = s.split_once(']')?;
    let (state, flags) = match key.split_once('-') {
        Some((state, flags)) => (state, OpFlags::parse(flags)),
        None => (key, None),
    };
    if state.is_empty() {
        return None;
    }
    let rest = rest.trim_start();
    let (time, rest) = parse_date_time(rest)?;
    let rest = rest.trim_start();
    let (relative_ms, rest) = match rest.strip_prefix('(') {
        Some(r) => {
            let (rel, after) = r.split_once(')')?;
            (parse_duration_ms(rel.trim()), after)
        }
        None => (None, rest),
    };
    let duration_ms = rest
        .split_once("duration=")
        .and_then(|(_, d)| parse_duration_ms(d.split_whitespace().next().unwrap_or_default()));
    let proxy = rest
        .split_once("proxy[")
        .map(|(_, p)| parse_proxy(p.split(']').next().unwrap_or_default()));
    Some(KeyedEntry {
        state,
        flags,
        time,
        relative_ms,
        duration_ms,
        proxy,
    })
}

struct LegacyEntry<'a> {
    state: &'a str,
    time: LocalTime,
    relative_ms: Option<i64>,
}

/// Android 9: `top   = 2026-08-03 14:29:54.943 (-2h23m0s107ms)`.
fn legacy_entry(s: &str) -> Option<LegacyEntry<'_>> {
    let (state, rest) = s.split_once('=')?;
    let state = state.trim();
    if state.is_empty() || !state.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let (time, rest) = parse_date_time(rest.trim_start())?;
    let relative_ms = rest
        .trim_start()
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .and_then(|(rel, _)| parse_duration_ms(rel.trim()));
    Some(LegacyEntry {
        state,
        time,
        relative_ms,
    })
}

struct DiscreteEntry<'a> {
    state: &'a str,
    flags: Option<OpFlags>,
    time: LocalTime,
    duration_ms: Option<i64>,
}

/// After `Access [`: `top-s] at 2023-01-01 12:00:00.000[ for 60000 milliseconds ]…`.
fn discrete_entry(s: &str) -> Option<DiscreteEntry<'_>> {
    let (key, rest) = s.split_once(']')?;
    let (state, flags) = match key.split_once('-') {
        Some((state, flags)) => (state, OpFlags::parse(flags)),
        None => (key, None),
    };
    let rest = rest.trim_start().strip_prefix("at")?.trim_start();
    let (time, rest) = parse_date_time(rest)?;
    let duration_ms = rest
        .trim_start()
        .strip_prefix("for ")
        .and_then(|r| r.split_whitespace().next())
        .and_then(text::parse_i64);
    Some(DiscreteEntry {
        state,
        flags,
        time,
        duration_ms,
    })
}

/// `uid=10070, pkg=com.x, attributionTag=null` (Android 10 has no attributionTag).
fn parse_proxy(s: &str) -> Proxy {
    let mut p = Proxy {
        uid: None,
        package: None,
        attribution_tag: None,
    };
    for part in s.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        let v = v.trim();
        let opt = || (v != "null" && !v.is_empty()).then(|| v.to_owned());
        match k {
            "uid" => p.uid = parse_uid(v),
            "pkg" => p.package = opt(),
            "attributionTag" => p.attribution_tag = opt(),
            _ => {}
        }
    }
    p
}

/// `yyyy-MM-dd HH:mm:ss.SSS` at the start of `s` → (time, rest).
pub fn parse_date_time(s: &str) -> Option<(LocalTime, &str)> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = s.get(from..from + len)?;
        text::parse_u64(part).and_then(|n| u32::try_from(n).ok())
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = i32::try_from(num(0, 4)?).ok()?;
    let (month, day, hour, minute, second) = (
        num(5, 2)?,
        num(8, 2)?,
        num(11, 2)?,
        num(14, 2)?,
        num(17, 2)?,
    );
    let mut end = 19;
    let mut micros = 0;
    if b.get(19) == Some(&b'.') {
        let digits = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let frac = &s[20..20 + digits];
        // Scale to microseconds: keep at most 6 digits, pad on the right.
        let kept = &frac[..digits.min(6)];
        let mut v = text::parse_u64(kept)? as u32;
        for _ in kept.len()..6 {
            v *= 10;
        }
        micros = v;
        end = 20 + digits;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let t = LocalTime {
        year: Some(year),
        month,
        day,
        hour,
        minute,
        second,
        micros,
        utc_offset_s: None,
    };
    Some((t, &s[end..]))
}

/// Parses `appops get` output given as bytes (invalid UTF-8 replaced). Never fails.
pub fn parse_get_bytes(bytes: &[u8]) -> GetReply {
    parse_get(&text::decode(bytes))
}

/// Parses `appops get` output. Never fails.
pub fn parse_get(text: &str) -> GetReply {
    let mut out = GetReply::default();
    for line in text::lines(text) {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if line.overlong {
            out.skipped.push(line.no, t);
        } else if t == "No operations." {
            out.no_operations = Some(line.no);
        } else if let Some(m) = t.strip_prefix("Default mode:") {
            out.default_mode = Some(Located::new(line.no, m.trim().to_owned()));
        } else if let Some(e) = get_entry(line.no, t) {
            out.entries.push(e);
        } else {
            out.skipped.push(line.no, t);
        }
    }
    out
}

fn get_entry(line_no: u64, t: &str) -> Option<GetEntry> {
    let (uid_mode, t) = match t.strip_prefix("Uid mode:") {
        Some(r) => (true, r.trim_start()),
        None => (false, t),
    };
    let (op, rest) = t.split_once(':')?;
    if !is_op_name(op) {
        return None;
    }
    let tail = op_tail(rest, false)?;
    Some(GetEntry {
        line_no,
        uid_mode,
        op: op.to_owned(),
        mode: tail.mode.to_owned(),
        time_ago_ms: tail.time_ago_ms,
        reject_time_ago_ms: tail.reject_ago_ms,
        duration_ms: tail.duration_ms,
        running: tail.running,
    })
}

/// Parses a `TimeUtils.formatDuration` string (`-3d23h15m43s642ms`, `+27s670ms`, `+5ms`,
/// `0`) into milliseconds. Units must appear in order `d h m s ms`, each at most once.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    if s == "0" {
        return Some(0);
    }
    let (neg, mut rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest.is_empty() {
        return None;
    }
    const UNITS: [(&str, i64); 5] = [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ];
    let mut total: i64 = 0;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 12 {
            return None;
        }
        let n = text::parse_i64(&rest[..digits])?;
        rest = &rest[digits..];
        let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        let unit = &rest[..letters];
        rest = &rest[letters..];
        let idx = UNITS.iter().position(|(u, _)| *u == unit)?;
        if idx < next_unit {
            return None;
        }
        next_unit = idx + 1;
        total = total.checked_add(n.checked_mul(UNITS[idx].1)?)?;
    }
    Some(if neg { -total } else { total })
}

/// Parses a uid as printed by `UserHandle.formatUid` (`u0a123` → 10123, `u10s1000`,
/// `u0i5`) or as a plain number (`10142`, `2000`).
pub fn parse_uid(s: &str) -> Option<u32> {
    if let Some(n) = text::parse_u64(s) {
        return u32::try_from(n).ok();
    }
    // Constants from android.os.Process / UserHandle.
    const PER_USER_RANGE: u64 = 100_000;
    const FIRST_APPLICATION_UID: u64 = 10_000;
    const FIRST_ISOLATED_UID: u64 = 99_000;
    let rest = s.strip_prefix('u')?;
    let split = rest.find(|c: char| !c.is_ascii_digit())?;
    let user = text::parse_u64(&rest[..split])?;
    let kind = rest[split..].chars().next()?;
    let app = text::parse_u64(&rest[split + kind.len_utf8()..])?;
    let app_id = match kind {
        'a' => app.checked_add(FIRST_APPLICATION_UID)?,
        'i' => app.checked_add(FIRST_ISOLATED_UID)?,
        's' => app,
        _ => return None,
    };
    if app_id >= PER_USER_RANGE {
        return None;
    }
    u32::try_from(user.checked_mul(PER_USER_RANGE)?.checked_add(app_id)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const AOSP_MD: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/appops/dumpsys-appops-aosp-appops-md-examples.txt"
    ));
    const MODERN: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/appops/dumpsys-appops-modern-1.txt"
    ));
    const ANDROID9_DIFF: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/appops/dumpsys-appops-android9-style-diff-excerpt-1.txt"
    ));

    /// Android 10 layout, written from `docs/device-formats.md` §3 (keyed entries directly under the op,
    /// 10-space indent, uid bookkeeping lines, `Reject:` without a space).
    const ANDROID10: &str = "\
Current AppOps Service state:
  Settings:
    top_state_settle_time=+30s0ms
    fg_service_state_settle_time=+10s0ms
    bg_state_settle_time=+1s0ms

  Uid u0a123:
    state=top
    startNesting=1
    foregroundOps:
      FINE_LOCATION
    hasForegroundWatchers=false
      COARSE_LOCATION: mode=foreground
    Package com.example.app:
      FINE_LOCATION (foreground): 
          Access: [top-s] 2019-11-02 10:00:00.123 (-5s12ms)
          Reject: [bg-s]2019-11-02 09:00:00.000 (-1h0m5s135ms)
      READ_DEVICE_IDENTIFIERS (default): 
          Reject: [top-s] 2019-11-02 10:00:01.000 (-4s135ms)
      READ_CONTACTS (allow): 
          Access: [fg-tpd] 2019-11-02 10:00:02.500 (-2s635ms) duration=+12ms proxy[uid=10070, pkg=com.android.providers.contacts]
      CAMERA (allow): 
          Access: [top-s] 2019-11-02 10:00:03.000 (-2s135ms)
          Running start at: +2s135ms
          startNesting=1
";

    /// Android 12–15 layout, written from `docs/device-formats.md` §3 and AOSP `DiscreteRegistry` dump code:
    /// watchers before the uid blocks, the optional `AppOps Uid Op State` header, letter
    /// capabilities, a non-null attribution tag, user restrictions after the uids, and the
    /// discrete history (trailing spaces kept).
    const ANDROID12: &str = "\
Current AppOps Service state:
  Settings:
    top_state_settle_time=+5s0ms

  Op mode watchers:
    Op COARSE_LOCATION:
      #0: ModeCallback{b8f1d2e watchinguid=-1 flags=0x1 from uid=1000 pid=1234}
AppOps Uid Op State
  Uid u0a201:
    state=top
    capability=LCMN-
    appWidgetVisible=false
    Package com.leaky.shop:
      FINE_LOCATION (allow): 
        null=[
          Access: [top-s] 2024-03-01 08:15:30.250 (-1m2s3ms)
        ]
      READ_PHONE_STATE (allow): 
        ads=[
          Access: [top-s|tp] 2024-03-01 08:15:29.000 (-1m3s253ms)
        ]
  User restrictions for token android.os.Binder@a1b2c3 userId=0:
      Restricted ops: [COARSE_LOCATION, FINE_LOCATION]
Discrete accesses: 
  Uid: 10201
    Package: com.leaky.shop
      FINE_LOCATION
        Attribution: null
          Access [top-s] at 2024-03-01 08:15:00.000
          Access [fg-s] at 2024-03-01 08:16:00.000 for 60000 milliseconds 
      CAMERA
        Attribution: camera
          Access [top-s] at 2024-03-01 08:16:00.000 for 120000 milliseconds  attribution flags=1 with chainId=5
";

    fn ms(d: i64, h: i64, m: i64, s: i64, milli: i64) -> i64 {
        (((d * 24 + h) * 60 + m) * 60 + s) * 1000 + milli
    }

    fn time(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, milli: u32) -> LocalTime {
        LocalTime {
            year: Some(y),
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
            micros: milli * 1000,
            utc_offset_s: None,
        }
    }

    /// Keeps the lines of one side of a unified diff (`old`: ` ` and `-`; else ` ` and `+`)
    /// without their prefix; `both` keeps all lines.
    fn diff_side(diff: &str, keep: &[char]) -> String {
        diff.lines()
            .filter_map(|l| {
                let mut chars = l.chars();
                let c = chars.next()?;
                keep.contains(&c).then(|| format!("{}\n", chars.as_str()))
            })
            .collect()
    }

    #[test]
    fn aosp_doc_examples_android11() {
        let d = parse_dump(AOSP_MD);
        // uid 2000 with its uid-level modes, uid u0a118 with state and int capability.
        assert_eq!(d.uids.len(), 2);
        assert_eq!(d.uids[0].uid, 2000);
        let modes: Vec<(&str, &str)> = d.uids[0]
            .modes
            .iter()
            .map(|m| (m.op.as_str(), m.mode.as_str()))
            .collect();
        assert_eq!(
            modes,
            vec![
                ("COARSE_LOCATION", "foreground"),
                ("START_FOREGROUND", "foreground"),
                ("LEGACY_STORAGE", "ignore")
            ]
        );
        assert_eq!(d.uids[0].modes[0].line_no, 4);
        assert_eq!(d.uids[1].uid, 10118);
        assert_eq!(d.uids[1].state.as_deref(), Some("fg"));
        assert_eq!(d.uids[1].capability.as_deref(), Some("6"));

        let gms: Vec<&OpAccess> = d.accesses_of("com.google.android.gms").collect();
        assert_eq!(gms.len(), 9);
        let first = gms[0];
        assert_eq!(first.line_no, 16);
        assert_eq!(first.op, "READ_CONTACTS");
        assert_eq!(first.mode.as_deref(), Some("allow"));
        assert_eq!(first.uid, Some(10118));
        assert_eq!(first.kind, AccessKind::Access);
        assert_eq!(first.layout, Layout::Attributed);
        assert_eq!(first.attribution_tag, None);
        assert_eq!(first.uid_state.as_deref(), Some("fgsvc"));
        assert_eq!(first.flags, OpFlags::parse("s"));
        assert_eq!(first.time, Some(time(2020, 2, 14, 14, 24, 10, 559)));
        assert_eq!(first.relative_ms, Some(-ms(3, 23, 15, 43, 642)));
        assert_eq!(gms[1].flags.map(|f| f.trusted_proxy), Some(true));
        assert_eq!(gms[2].attribution_tag.as_deref(), Some("apkappcontext"));

        let icing: Vec<&&OpAccess> = gms
            .iter()
            .filter(|a| a.attribution_tag.as_deref() == Some("com.google.android.gms.icing"))
            .collect();
        assert_eq!(icing.len(), 3);
        for a in &icing {
            assert!(a.flags.is_some_and(|f| f.is_proxied()));
            let p = a.proxy.as_ref().unwrap();
            assert_eq!(p.uid, Some(10070));
            assert_eq!(p.package.as_deref(), Some("com.android.providers.contacts"));
            assert_eq!(p.attribution_tag, None);
        }
        // `Reject: [fg-s]2020-…` (no space after `]`).
        let rejects: Vec<&&OpAccess> = gms
            .iter()
            .filter(|a| a.kind == AccessKind::Reject)
            .collect();
        assert_eq!(rejects.len(), 2);
        assert_eq!(rejects[0].op, "MANAGE_EXTERNAL_STORAGE");
        assert_eq!(rejects[0].mode.as_deref(), Some("default"));
        assert_eq!(rejects[0].time, Some(time(2020, 2, 18, 8, 0, 4, 444)));
        assert_eq!(rejects[1].relative_ms, Some(-ms(0, 5, 39, 49, 774)));

        // The running-op example (switch op, duration, running, nesting).
        let mon = d.ops.iter().find(|o| o.op == "MONITOR_LOCATION").unwrap();
        assert_eq!(mon.mode, "allow");
        assert_eq!(mon.switch_op.as_deref(), Some("COARSE_LOCATION"));
        assert_eq!(mon.switch_mode.as_deref(), Some("allow"));
        let a = d
            .accesses
            .iter()
            .find(|a| a.op == "MONITOR_LOCATION")
            .unwrap();
        assert_eq!(a.duration_ms, Some(27_670));
        assert_eq!(d.running.len(), 1);
        assert_eq!(d.running[0].op, "MONITOR_LOCATION");
        assert_eq!(d.running[0].running_for_ms, Some(27_669));
        assert_eq!(d.running[0].start_nesting, Some(2));
        // Only the doc's `[...]` elision inside the uid block is not understood.
        assert_eq!(d.skipped.total, 2, "{:?}", d.skipped);
        assert!(d.skipped.lines.iter().all(|s| s.text == "[...]"));
    }

    #[test]
    fn modern_android12_plus_block() {
        let d = parse_dump(MODERN);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        assert_eq!(d.uids.len(), 1);
        let u = &d.uids[0];
        assert_eq!(
            (u.uid, u.state.as_deref(), u.app_widget_visible),
            (10142, Some("cch"), Some(false))
        );
        assert_eq!(u.modes.len(), 1);
        assert_eq!(d.ops.len(), 2);
        assert!(
            d.ops
                .iter()
                .all(|o| o.op == "RECORD_AUDIO" && o.mode == "allow")
        );
        assert_eq!(d.accesses_of("com.android.chrome").count(), 2);
        let gpt: Vec<&OpAccess> = d.accesses_of("com.openai.chatgpt").collect();
        assert_eq!(gpt.len(), 4);
        assert_eq!(gpt[0].duration_ms, Some(2_282));
        assert_eq!(gpt[1].kind, AccessKind::Reject);
        assert_eq!(gpt[1].line_no, 16);
        assert_eq!(gpt[1].time, Some(time(2026, 6, 11, 14, 3, 37, 200)));
        assert_eq!(gpt[1].relative_ms, Some(-ms(94, 8, 42, 34, 716)));
        assert_eq!(gpt[2].uid_state.as_deref(), Some("fgsvc"));
        assert_eq!(gpt[3].duration_ms, None);
        // Device-local time → epoch with the device's offset (+08:00).
        let t = gpt[3].time.unwrap().to_epoch_us(1970, 8 * 3600).unwrap();
        let expected_utc = LocalTime {
            hour: 13,
            utc_offset_s: Some(0),
            ..gpt[3].time.unwrap()
        };
        assert_eq!(Some(t), expected_utc.to_epoch_us(1970, 0));
    }

    #[test]
    fn android9_diff_excerpt_old_side() {
        let old = diff_side(ANDROID9_DIFF, &[' ', '-']);
        let d = parse_dump(&old);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        let ops: Vec<&str> = d.ops.iter().map(|o| o.op.as_str()).collect();
        assert_eq!(
            ops,
            vec![
                "AUDIO_MEDIA_VOLUME",
                "WAKE_LOCK",
                "MONITOR_LOCATION",
                "GET_USAGE_STATS"
            ]
        );
        assert!(
            d.accesses
                .iter()
                .all(|a| a.layout == Layout::Legacy && a.flags.is_none() && a.uid.is_none())
        );
        let wake: Vec<&OpAccess> = d.accesses.iter().filter(|a| a.op == "WAKE_LOCK").collect();
        assert_eq!(wake.len(), 2);
        assert_eq!(wake[0].uid_state.as_deref(), Some("pers"));
        assert_eq!(wake[1].uid_state.as_deref(), Some("fg"));
        assert_eq!(wake[1].kind, AccessKind::Access);
        assert_eq!(wake[1].time, Some(time(2026, 4, 11, 3, 58, 41, 49)));
        assert_eq!(wake[1].relative_ms, Some(-ms(114, 12, 54, 5, 946)));
        // `duration=` goes to the op's most recent access.
        assert_eq!(wake[0].duration_ms, Some(24));
        assert_eq!(wake[1].duration_ms, None);
        let mon = d.ops.iter().find(|o| o.op == "MONITOR_LOCATION").unwrap();
        assert_eq!(mon.switch_op.as_deref(), Some("COARSE_LOCATION"));
        assert_eq!(d.running.len(), 1);
        assert_eq!(d.running[0].running_for_ms, Some(ms(0, 0, 39, 4, 372)));
        assert_eq!(d.running[0].start_nesting, Some(1));
        let rej: Vec<&OpAccess> = d
            .accesses
            .iter()
            .filter(|a| a.kind == AccessKind::Reject)
            .collect();
        assert_eq!(rej.len(), 1);
        assert_eq!(rej[0].op, "GET_USAGE_STATS");
        assert_eq!(rej[0].mode.as_deref(), Some("default"));
        assert_eq!(rej[0].relative_ms, Some(-28_958));
    }

    #[test]
    fn android9_diff_excerpt_new_side_and_both() {
        let new = diff_side(ANDROID9_DIFF, &[' ', '+']);
        let d = parse_dump(&new);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        assert_eq!(d.accesses.len(), 1);
        assert_eq!(d.accesses[0].op, "RECORD_AUDIO");
        assert_eq!(d.accesses[0].line_no, 2);
        // `startNesting=1` without `Running start at:` on this side.
        assert_eq!(d.running.len(), 1);
        assert_eq!(
            (d.running[0].running_for_ms, d.running[0].start_nesting),
            (None, Some(1))
        );
        // Stripping every prefix still gives parseable input.
        let both = diff_side(ANDROID9_DIFF, &[' ', '+', '-']);
        let d = parse_dump(&both);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        assert_eq!(d.accesses.len(), 7);
        // Unstripped, the diff is not a dump: nothing is taken from it.
        let raw = parse_dump(ANDROID9_DIFF);
        assert!(raw.accesses.is_empty());
    }

    #[test]
    fn android10_keyed_layout() {
        let d = parse_dump(ANDROID10);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        assert_eq!(d.uids.len(), 1);
        assert_eq!(d.uids[0].uid, 10123);
        assert_eq!(d.uids[0].state.as_deref(), Some("top"));
        assert_eq!(d.uids[0].modes.len(), 1);
        assert_eq!(d.accesses.len(), 5);
        assert!(d.accesses.iter().all(|a| a.layout == Layout::Keyed
            && a.package.as_deref() == Some("com.example.app")
            && a.uid == Some(10123)
            && a.attribution_tag.is_none()));
        let fine: Vec<&OpAccess> = d
            .accesses
            .iter()
            .filter(|a| a.op == "FINE_LOCATION")
            .collect();
        assert_eq!(fine[0].mode.as_deref(), Some("foreground"));
        assert_eq!(fine[1].kind, AccessKind::Reject);
        assert_eq!(fine[1].uid_state.as_deref(), Some("bg"));
        let ids = d
            .accesses
            .iter()
            .find(|a| a.op == "READ_DEVICE_IDENTIFIERS")
            .unwrap();
        assert_eq!((ids.kind, ids.line_no), (AccessKind::Reject, 19));
        let contacts = d.accesses.iter().find(|a| a.op == "READ_CONTACTS").unwrap();
        assert_eq!(contacts.duration_ms, Some(12));
        assert!(contacts.flags.unwrap().trusted_proxied);
        let p = contacts.proxy.as_ref().unwrap();
        assert_eq!(
            (p.uid, p.package.as_deref(), p.attribution_tag.as_deref()),
            (Some(10070), Some("com.android.providers.contacts"), None)
        );
        assert_eq!(d.running.len(), 1);
        assert_eq!(d.running[0].op, "CAMERA");
        assert_eq!(d.running[0].running_for_ms, Some(2_135));
        assert_eq!(d.running[0].start_nesting, Some(1));
    }

    #[test]
    fn android12_attribution_tags_sections_and_discrete_history() {
        let d = parse_dump(ANDROID12);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        assert_eq!(d.uids.len(), 1);
        assert_eq!(d.uids[0].capability.as_deref(), Some("LCMN-"));
        let current: Vec<&OpAccess> = d
            .accesses
            .iter()
            .filter(|a| a.source == AccessSource::Current)
            .collect();
        assert_eq!(current.len(), 2);
        assert_eq!(current[1].attribution_tag.as_deref(), Some("ads"));
        let f = current[1].flags.unwrap();
        assert!(f.self_ && f.trusted_proxy && !f.trusted_proxied);
        let discrete: Vec<&OpAccess> = d
            .accesses
            .iter()
            .filter(|a| a.source == AccessSource::Discrete)
            .collect();
        assert_eq!(discrete.len(), 3);
        for a in &discrete {
            assert_eq!(a.uid, Some(10201));
            assert_eq!(a.package.as_deref(), Some("com.leaky.shop"));
            assert_eq!(a.mode, None);
        }
        assert_eq!(discrete[0].op, "FINE_LOCATION");
        assert_eq!(discrete[0].time, Some(time(2024, 3, 1, 8, 15, 0, 0)));
        assert_eq!(discrete[0].duration_ms, None);
        assert_eq!(discrete[1].duration_ms, Some(60_000));
        assert_eq!(discrete[1].uid_state.as_deref(), Some("fg"));
        assert_eq!(discrete[2].op, "CAMERA");
        assert_eq!(discrete[2].attribution_tag.as_deref(), Some("camera"));
        assert_eq!(discrete[2].duration_ms, Some(120_000));
        assert_eq!(discrete[2].line_no, 33);
    }

    #[test]
    fn variants_without_indentation_or_trailing_space_and_crlf() {
        let text = "Uid u10a5:\r\nPackage com.x:\r\nCAMERA (ignore):\r\nnull=[\r\nReject: [bg-s]2024-01-02 03:04:05.006 (-1s)\r\n]\r\n";
        let d = parse_dump(text);
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        assert_eq!(d.accesses.len(), 1);
        let a = &d.accesses[0];
        assert_eq!(a.uid, Some(1_010_005));
        assert_eq!(a.mode.as_deref(), Some("ignore"));
        assert_eq!(a.relative_ms, Some(-1000));
        assert_eq!(a.time.map(|t| t.micros), Some(6000));
    }

    #[test]
    fn unknown_lines_are_reported_not_fatal() {
        let text = "Uid 10001:\n  Package p.q:\n    FINE_LOCATION (allow):\n      Access: [top-s] not a date\n      something new=[[\n      Access: [top-s] 2024-01-01 00:00:00.000 (-1s0ms)\n";
        let d = parse_dump(text);
        assert_eq!(d.accesses.len(), 1);
        assert_eq!(d.accesses[0].line_no, 6);
        let skipped: Vec<u64> = d.skipped.lines.iter().map(|s| s.line_no).collect();
        assert_eq!(skipped, vec![4, 5]);
    }

    #[test]
    fn entries_outside_an_op_are_skipped() {
        let d = parse_dump("Uid 10001:\n  Access: [top-s] 2024-01-01 00:00:00.000 (-1s0ms)\n");
        assert!(d.accesses.is_empty());
        assert_eq!(d.skipped.total, 1);
    }

    /// Android 7–8 plain `dumpsys appops`, written from AOSP `AppOpsService.dump()` at
    /// frameworks/base 069aa9dce464 (uid-level modes before the packages, `mode=` printed as
    /// a number, relative times only).
    const ANDROID8: &str = "\
Current AppOps Service state:
  Clients:
    android.os.Binder@1c2b3a:
      ClientState{mAppToken=android.os.Binder@1c2b3a, pid=1234}

  Uid 10080:
      COARSE_LOCATION: mode=4
    Package com.prior.demo.leakyshop:
      COARSE_LOCATION: mode=0; time=+5s12ms ago
      READ_CONTACTS: mode=0; time=+1m2s3ms ago; rejectTime=+10s0ms ago
      CAMERA: mode=0; time=+3s0ms ago; duration=+1s500ms
      RECORD_AUDIO: mode=0; time=+2s0ms ago (running)
      WAKE_LOCK: mode=0
  Uid 1000:
    Package android:
      FINE_LOCATION: mode=0; time=+1h0m0s0ms ago
";

    #[test]
    fn android_8_relative_layout() {
        let d = parse_dump(ANDROID8);
        assert_eq!(d.uids.len(), 2);
        assert_eq!(
            d.uids[0].modes.len(),
            1,
            "the uid-level mode stays a uid mode"
        );
        assert_eq!(d.uids[0].modes[0].op, "COARSE_LOCATION");
        let ops: Vec<(&str, &str)> = d
            .ops
            .iter()
            .map(|o| (o.op.as_str(), o.mode.as_str()))
            .collect();
        assert_eq!(
            ops,
            [
                ("COARSE_LOCATION", "0"),
                ("READ_CONTACTS", "0"),
                ("CAMERA", "0"),
                ("RECORD_AUDIO", "0"),
                ("WAKE_LOCK", "0"),
                ("FINE_LOCATION", "0")
            ]
        );
        let app: Vec<(&str, AccessKind, Option<i64>, Option<i64>)> = d
            .accesses_of("com.prior.demo.leakyshop")
            .map(|a| (a.op.as_str(), a.kind, a.relative_ms, a.duration_ms))
            .collect();
        assert_eq!(
            app,
            [
                ("COARSE_LOCATION", AccessKind::Access, Some(-5012), None),
                ("READ_CONTACTS", AccessKind::Access, Some(-62003), None),
                ("READ_CONTACTS", AccessKind::Reject, Some(-10000), None),
                ("CAMERA", AccessKind::Access, Some(-3000), Some(1500)),
                ("RECORD_AUDIO", AccessKind::Access, Some(-2000), None),
            ]
        );
        assert!(
            d.accesses
                .iter()
                .all(|a| a.layout == Layout::Relative && a.time.is_none())
        );
        assert_eq!(d.accesses[0].uid, Some(10080));
        assert_eq!(d.accesses[0].line_no, 9);
        assert_eq!(d.running.len(), 1);
        assert_eq!(d.running[0].op, "RECORD_AUDIO");
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
        // Placed on the device clock from the dump's own time.
        let dump_us = 1_700_000_000_000_000;
        assert_eq!(
            d.accesses[0].device_us_at(2023, 0, Some(dump_us)),
            Some(dump_us - 5_012_000)
        );
        assert_eq!(d.accesses[0].device_us_at(2023, 0, None), None);
    }

    #[test]
    fn a_refused_option_is_an_error_reply_not_an_empty_dump() {
        assert_eq!(
            reply_error("Unknown option: --package\n"),
            Some("the device answered `Unknown option: --package`".into())
        );
        assert!(reply_error("").is_some());
        assert!(reply_error("\n  \n").is_some());
        assert!(
            reply_error("Permission Denial: can't dump AppOps service from pid=1, uid=2\n")
                .is_some()
        );
        assert_eq!(reply_error(ANDROID8), None);
        assert_eq!(reply_error(MODERN), None);
        assert_eq!(reply_error(ANDROID10), None);
        // The refusal parses as nothing: only reply_error tells it apart from "no accesses".
        assert!(
            parse_dump("Unknown option: --package\n")
                .accesses
                .is_empty()
        );
    }

    #[test]
    fn vendor_op_headers_start_their_own_op() {
        let text = "\
  Uid u0a80:
    state=top
    Package com.x:
      COARSE_LOCATION (allow):
        null=[
          Access: [top-s] 2024-05-01 10:00:00.000 (-9s0ms)
        ]
      MIUIOP(10033) (allow):
        null=[
          Access: [top-s] 2024-05-01 10:00:05.000 (-4s0ms)
        ]
      Unknown(140) (ignore):
          Access: [fg-s] 2024-05-01 10:00:06.000 (-3s0ms)
      VENDOR_THING (allow / switch MIUIOP(10034)=allow):
          Reject: [bg-s]2024-05-01 10:00:07.000 (-2s0ms)
";
        let d = parse_dump(text);
        let ops: Vec<(&str, Option<u32>)> = d.ops.iter().map(|o| (o.op.as_str(), o.code)).collect();
        assert_eq!(
            ops,
            [
                ("COARSE_LOCATION", None),
                ("MIUIOP(10033)", Some(10033)),
                ("Unknown(140)", Some(140)),
                ("VENDOR_THING", None)
            ]
        );
        let acc: Vec<(&str, u64)> = d
            .accesses
            .iter()
            .map(|a| (a.op.as_str(), a.line_no))
            .collect();
        assert_eq!(
            acc,
            [
                ("COARSE_LOCATION", 6),
                ("MIUIOP(10033)", 10),
                ("Unknown(140)", 13),
                ("VENDOR_THING", 15)
            ]
        );
        assert_eq!(d.ops[3].switch_op.as_deref(), Some("MIUIOP(10034)"));
        assert_eq!(d.skipped.total, 0, "{:?}", d.skipped);
    }

    #[test]
    fn an_unreadable_header_ends_the_previous_op() {
        let text = "Uid 10001:\n  Package p.q:\n    FINE_LOCATION (allow):\n      Access: [top-s] 2024-01-01 00:00:00.000 (-1s0ms)\n    weird op header (with spaces) (allow):\n      Access: [top-s] 2024-01-01 00:00:01.000 (-0s500ms)\n";
        let d = parse_dump(text);
        assert_eq!(d.accesses.len(), 1, "{:?}", d.accesses);
        assert_eq!(d.accesses[0].op, "FINE_LOCATION");
        let skipped: Vec<u64> = d.skipped.lines.iter().map(|s| s.line_no).collect();
        assert_eq!(skipped, vec![5, 6]);
    }

    #[test]
    fn uid_formats() {
        assert_eq!(parse_uid("u0a123"), Some(10_123));
        assert_eq!(parse_uid("u10a5"), Some(1_010_005));
        assert_eq!(parse_uid("u0s1000"), Some(1000));
        assert_eq!(parse_uid("u0i5"), Some(99_005));
        assert_eq!(parse_uid("2000"), Some(2000));
        assert_eq!(parse_uid("u0a999999"), None);
        assert_eq!(parse_uid("u0x5"), None);
        assert_eq!(parse_uid("u99999999999a1"), None);
        assert_eq!(parse_uid("ua1"), None);
        // Found by proptest: a multi-byte character where the kind letter belongs.
        assert_eq!(parse_uid("u0\u{fffd}a123"), None);
        assert_eq!(parse_uid("u0é1"), None);
        assert_eq!(parse_uid(""), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("+5ms"), Some(5));
        assert_eq!(
            parse_duration_ms("-3d23h15m43s642ms"),
            Some(-ms(3, 23, 15, 43, 642))
        );
        assert_eq!(parse_duration_ms("+1m0s5ms"), Some(60_005));
        assert_eq!(parse_duration_ms("+3s"), Some(3000));
        assert_eq!(parse_duration_ms("0"), Some(0));
        for bad in [
            "",
            "+",
            "-",
            "5x",
            "1s1d",
            "+1ms2",
            "+1s1s",
            "+999999999999d",
            "1 s",
        ] {
            assert_eq!(parse_duration_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_times() {
        let (t, rest) = parse_date_time("2023-01-01 12:00:00.123 (x)").unwrap();
        assert_eq!(t, time(2023, 1, 1, 12, 0, 0, 123));
        assert_eq!(rest, " (x)");
        assert!(parse_date_time("2023-13-01 12:00:00.123").is_none());
        assert!(parse_date_time("2023-01-01T12:00:00.123").is_none());
        assert!(parse_date_time("2023-01-01 12:00:00.").is_none());
        assert_eq!(
            parse_date_time("2023-01-01 12:00:00").map(|(t, _)| t.micros),
            Some(0)
        );
    }

    #[test]
    fn appops_get_lines() {
        let text = "\
COARSE_LOCATION: allow; time=+5s12ms ago; rejectTime=+1h0m0s0ms ago
FINE_LOCATION: foreground; time=+2s ago; duration=+1s500ms
CAMERA: allow; time=+1s ago (running)
Uid mode: COARSE_LOCATION: foreground
READ_DEVICE_IDENTIFIERS: default; rejectTime=+10s ago
Error: Unknown operation string: FOO
";
        let g = parse_get(text);
        assert_eq!(g.entries.len(), 5);
        assert_eq!(g.entries[0].time_ago_ms, Some(5012));
        assert_eq!(g.entries[0].reject_time_ago_ms, Some(3_600_000));
        assert_eq!(g.entries[1].mode, "foreground");
        assert_eq!(g.entries[1].duration_ms, Some(1500));
        assert!(g.entries[2].running);
        assert_eq!(g.entries[2].time_ago_ms, Some(1000));
        assert!(g.entries[3].uid_mode);
        assert_eq!(
            (g.entries[3].op.as_str(), g.entries[3].mode.as_str()),
            ("COARSE_LOCATION", "foreground")
        );
        assert_eq!(g.entries[4].line_no, 5);
        assert_eq!(g.skipped.total, 1);
        assert_eq!(g.no_operations, None);

        let g = parse_get("No operations.\nDefault mode: allow\n");
        assert_eq!(g.no_operations, Some(1));
        assert_eq!(g.default_mode, Some(Located::new(2, "allow".to_owned())));
        assert!(g.entries.is_empty());
    }

    #[test]
    fn serializes_to_json() {
        let d = parse_dump(MODERN);
        let v = serde_json::to_value(&d.accesses[0]).unwrap();
        assert_eq!(v["op"], "RECORD_AUDIO");
        assert_eq!(v["flags"]["self"], true);
        assert_eq!(v["kind"], "Access");
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let d = parse_dump_bytes(&bytes);
            prop_assert!(d.skipped.lines.len() <= text::MAX_SKIPPED);
            let _ = parse_get_bytes(&bytes);
        }

        #[test]
        fn mutated_dumps_never_panic(
            which in 0usize..4,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..24),
        ) {
            let base = [AOSP_MD, MODERN, ANDROID10, ANDROID12][which];
            let bytes = text::mutate(base.as_bytes(), &edits);
            let d = parse_dump_bytes(&bytes);
            for a in &d.accesses {
                prop_assert!(a.line_no >= 1);
            }
            let _ = parse_get_bytes(&bytes);
        }

        #[test]
        fn random_text_lines_never_panic(lines in proptest::collection::vec("[ -~]{0,80}", 0..40)) {
            let text = lines.join("\n");
            let _ = parse_dump(&text);
            let _ = parse_get(&text);
            let _ = parse_duration_ms(&text);
            let _ = parse_uid(&text);
        }
    }
}
