//! Typed decoders of the logcat lines that mark process and activity life.
//!
//! Entry point: [`decode`]`(tag, message)` dispatches on the tag (cheap byte comparison, so it
//! can be called on every line) to:
//! - events-buffer payloads, by tag name (or by number when logcat had no tag map and printed
//!   `[30014]`): `am_proc_start`, `am_proc_died`, `am_kill`, `am_crash`, `am_anr`,
//!   `wm_on_*_called` / `am_on_*_called`, `wm_activity_launch_time` / `am_activity_launch_time`,
//!   `wm_create_activity`, `wm_set_resumed_activity` (field lists from frameworks/base
//!   `EventLogTags.logtags` of `am`, `wm` and `android.app`, older layouts tolerated);
//! - `ActivityManager` / `ActivityTaskManager` text: `Start proc …`, `Displayed …`, `START u0 {…}`;
//! - `AndroidRuntime` text: `FATAL EXCEPTION: <thread>` and `Process: <name>, PID: <pid>`.
//!
//! The single-purpose parsers ([`proc_start_text`], [`displayed`], [`start_activity`],
//! [`fatal_exception`], [`crash_process`], [`event_payload`], [`split_list`]) are public too.
//!
//! Payload rules (liblog `android_log_printBinaryEvent`): a list prints as `[a,b,c]` with no
//! spaces and no quoting, so a string holding `,` splits; commas inside `{…}`/`[…]` are kept
//! together, and overflow fields are merged back into the field that is free text (hosting
//! name, reason, message, URI). A payload cut at the 1 KiB output buffer ends in `^` (or `!`
//! on a decode error) instead of `]`: fields are decoded as far as they go and `truncated` is
//! set. `-v descriptive` prints `Name=value` with units (`892ms`, `1.5s`): names are stripped
//! and units understood.
//!
//! These lines can be written by any app with any tag: callers that need to trust them must
//! check the writer (`uid` 1000 / the system_server pid for ActivityManager lines, the app's
//! own pid for `wm_on_*_called`).

use super::LogLine;
use serde::Serialize;

/// A decoded line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmEvent {
    /// `am_proc_start` or `Start proc …`.
    ProcStart(ProcStart),
    /// `am_proc_died`.
    ProcDied(ProcDied),
    /// `am_kill`.
    Kill(Kill),
    /// `am_crash`.
    Crash(Crash),
    /// `am_anr`.
    Anr(Anr),
    /// `wm_on_*_called` / `am_on_*_called` (logged by the app process itself).
    Lifecycle(Lifecycle),
    /// `wm_activity_launch_time` / `am_activity_launch_time`.
    LaunchTime(LaunchTime),
    /// `wm_create_activity` / `am_create_activity`.
    CreateActivity(CreateActivity),
    /// `wm_set_resumed_activity` / `am_set_resumed_activity`.
    SetResumedActivity(SetResumedActivity),
    /// `Displayed pkg/.Act: +1s71ms`.
    Displayed(Displayed),
    /// `START u0 {…} from uid N`.
    StartActivity(StartActivity),
    /// `FATAL EXCEPTION: main`.
    FatalException(FatalException),
    /// `Process: com.x, PID: 1234` (the line after `FATAL EXCEPTION`).
    CrashProcess(CrashProcess),
}

/// Where a [`ProcStart`] came from (both are logged for one start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The events buffer (`am_proc_start`).
    EventLog,
    /// ActivityManager text (`Start proc`).
    Text,
}

/// A process start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcStart {
    /// Events payload or text line.
    pub origin: Origin,
    /// Android user (`am_proc_start` only; derived from the uid for text lines).
    pub user: Option<u32>,
    /// New process id.
    pub pid: u32,
    /// Its uid (`u0a104` decoded to 10104).
    pub uid: u32,
    /// Process name (`com.x` or `com.x:remote`).
    pub process: String,
    /// Hosting type: `activity`, `pre-top-activity`, `service`, `content provider`, …
    pub hosting_type: String,
    /// Hosting name as printed (`{com.x/com.x.Main}`, `com.x/.Main`, a process name), if any.
    pub hosting: Option<String>,
    /// Isolated entry point (`Start proc … [entryPoint] for …`), if printed.
    pub entry_point: Option<String>,
    /// The payload was cut (`^`); later fields may be partial.
    pub truncated: bool,
}

impl ProcStart {
    /// The hosting component without `{}` (for `activity`-like hosting types).
    pub fn hosting_component(&self) -> Option<&str> {
        let h = self.hosting.as_deref()?;
        Some(
            h.strip_prefix('{')
                .and_then(|x| x.strip_suffix('}'))
                .unwrap_or(h),
        )
    }
}

/// `am_proc_died [User,PID,Process Name,OomAdj,ProcState]` (older: no OomAdj/ProcState).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcDied {
    /// User (absent in the oldest layout).
    pub user: Option<u32>,
    /// pid.
    pub pid: u32,
    /// Process name.
    pub process: String,
    /// oom_adj at death.
    pub oom_adj: Option<i32>,
    /// Process state at death.
    pub proc_state: Option<i32>,
    /// Payload cut.
    pub truncated: bool,
}

/// `am_kill [User,PID,Process Name,OomAdj,Reason,Rss]` (older: no Rss; oldest: no User).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kill {
    /// User.
    pub user: Option<u32>,
    /// pid.
    pub pid: u32,
    /// Process name.
    pub process: String,
    /// oom_adj.
    pub oom_adj: Option<i32>,
    /// Reason text.
    pub reason: String,
    /// RSS in KiB, when printed.
    pub rss_kb: Option<i64>,
    /// Payload cut.
    pub truncated: bool,
}

/// `am_crash [User,PID,Process Name,Flags,Exception,Message,File,Line,Recoverable]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crash {
    /// User.
    pub user: Option<u32>,
    /// pid.
    pub pid: u32,
    /// Process name.
    pub process: String,
    /// ApplicationInfo flags.
    pub flags: Option<i64>,
    /// Exception class.
    pub exception: Option<String>,
    /// Exception message (may contain commas).
    pub message: Option<String>,
    /// Source file of the throw site.
    pub file: Option<String>,
    /// Line of the throw site.
    pub line: Option<i64>,
    /// Recoverable (newer releases).
    pub recoverable: Option<bool>,
    /// Payload cut.
    pub truncated: bool,
}

/// `am_anr [User,pid,Package Name,Flags,reason]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anr {
    /// User.
    pub user: Option<u32>,
    /// pid.
    pub pid: u32,
    /// Package / process name.
    pub package: String,
    /// Flags.
    pub flags: Option<i64>,
    /// Reason text (may contain commas).
    pub reason: Option<String>,
    /// Payload cut.
    pub truncated: bool,
}

/// Which activity callback a lifecycle event reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// onCreate
    Create,
    /// onStart
    Start,
    /// onRestart
    Restart,
    /// onResume
    Resume,
    /// onPause
    Pause,
    /// onStop
    Stop,
    /// onDestroy
    Destroy,
    /// onTopResumedActivityChanged(true)
    TopResumedGained,
    /// onTopResumedActivityChanged(false)
    TopResumedLost,
    /// onActivityResult
    ActivityResult,
    /// Another `*_on_<x>_called` tag: `<x>`.
    Other(String),
}

/// `wm_on_<x>_called [Token,Component Name,Reason]` (Android 10+) or
/// `am_on_<x>_called [User,Component Name(,Reason)]` (older). Logged by the app process, so the
/// line's pid is the app's. The component is printed with `.` (`com.x.MainActivity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// The callback.
    pub phase: Phase,
    /// Activity token (`wm_` tags).
    pub token: Option<i64>,
    /// User (`am_` tags).
    pub user: Option<u32>,
    /// Activity class name.
    pub component: String,
    /// Reason (`performCreate`, `RESUME_ACTIVITY`, …).
    pub reason: Option<String>,
    /// Payload cut.
    pub truncated: bool,
}

/// `wm_activity_launch_time [User,Token,Component Name,time]` (Android ≤9:
/// `am_activity_launch_time [User,Token,Component Name,thisTime,totalTime]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaunchTime {
    /// User.
    pub user: Option<u32>,
    /// Activity token.
    pub token: Option<i64>,
    /// Component (`com.x/.Main`).
    pub component: String,
    /// `time` (or `thisTime`), ms.
    pub duration_ms: Option<i64>,
    /// `totalTime` (≤9 only), ms.
    pub total_ms: Option<i64>,
    /// Payload cut.
    pub truncated: bool,
}

/// `wm_create_activity [User,Token,Task ID,Component Name,Action,MIME Type,URI,Flags]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateActivity {
    /// User.
    pub user: Option<u32>,
    /// Activity token.
    pub token: Option<i64>,
    /// Task id.
    pub task_id: Option<i64>,
    /// Component (`com.x/.Main`).
    pub component: String,
    /// Intent action (`NULL` when none).
    pub action: Option<String>,
    /// MIME type.
    pub mime_type: Option<String>,
    /// Data URI.
    pub uri: Option<String>,
    /// Intent flags.
    pub flags: Option<i64>,
    /// Payload cut.
    pub truncated: bool,
}

/// `wm_set_resumed_activity [User,Component Name,Reason]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetResumedActivity {
    /// User.
    pub user: Option<u32>,
    /// Component (`com.x/.Main`).
    pub component: String,
    /// Reason.
    pub reason: Option<String>,
    /// Payload cut.
    pub truncated: bool,
}

/// `Displayed pkg/.Act: +1s71ms`, `Displayed pkg/.Act for user 0: +427ms`, optionally followed
/// by ` (total +2s5ms)` (≤9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Displayed {
    /// Component (`pkg/.Act`).
    pub component: String,
    /// `for user N`, when printed.
    pub user: Option<u32>,
    /// The launch duration, ms.
    pub duration_ms: i64,
    /// `(total +…)`, ms.
    pub total_ms: Option<i64>,
}

/// `START u0 {act=… cat=[…] flg=… pkg=… cmp=pkg/.Act …} from uid N …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StartActivity {
    /// The `uN` user.
    pub user: Option<u32>,
    /// The intent text between the braces.
    pub intent: String,
    /// `act=`.
    pub action: Option<String>,
    /// `cat=[…]`, split.
    pub categories: Vec<String>,
    /// `pkg=`.
    pub package: Option<String>,
    /// `cmp=`.
    pub component: Option<String>,
    /// `flg=0x…`.
    pub flags: Option<u32>,
    /// `from uid N`.
    pub from_uid: Option<u32>,
    /// `from pid N` (older releases).
    pub from_pid: Option<u32>,
    /// A runtime-permission prompt: `act=android.content.pm.action.REQUEST_PERMISSIONS` or a
    /// `…GrantPermissionsActivity` component.
    pub is_permission_request: bool,
}

/// `FATAL EXCEPTION: <thread>` (`FATAL EXCEPTION IN SYSTEM PROCESS: <thread>` for
/// system_server), logged by the crashing process under tag `AndroidRuntime`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FatalException {
    /// Thread name.
    pub thread: String,
    /// `IN SYSTEM PROCESS` variant.
    pub system_process: bool,
}

/// `Process: <name>, PID: <pid>` (the `AndroidRuntime` line after `FATAL EXCEPTION`). Both
/// lines are logged by the crashing process, so they pair up by the lines' pid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrashProcess {
    /// Process name.
    pub process: String,
    /// pid.
    pub pid: u32,
}

/// The action of a runtime-permission request intent.
pub const REQUEST_PERMISSIONS_ACTION: &str = "android.content.pm.action.REQUEST_PERMISSIONS";

/// Decodes a parsed line; see [`decode`].
pub fn decode_line(line: &LogLine<'_>) -> Option<AmEvent> {
    decode(line.tag, line.message)
}

/// Decodes `message` according to `tag` (event tag name or text tag). `None` for tags and
/// messages this module does not know.
pub fn decode(tag: &[u8], message: &[u8]) -> Option<AmEvent> {
    let kind = classify_tag(tag)?;
    let text = String::from_utf8_lossy(message);
    match kind {
        TagKind::Event(name) => event_payload(name, &text),
        TagKind::ActivityManager => {
            let t: &str = &text;
            if t.starts_with("Start proc ") {
                proc_start_text(t).map(AmEvent::ProcStart)
            } else if t.starts_with("Displayed ") {
                displayed(t).map(AmEvent::Displayed)
            } else if t.starts_with("START u") {
                start_activity(t).map(AmEvent::StartActivity)
            } else {
                None
            }
        }
        TagKind::AndroidRuntime => fatal_exception(&text)
            .map(AmEvent::FatalException)
            .or_else(|| crash_process(&text).map(AmEvent::CrashProcess)),
    }
}

enum TagKind<'a> {
    Event(&'a str),
    ActivityManager,
    AndroidRuntime,
}

fn classify_tag(tag: &[u8]) -> Option<TagKind<'_>> {
    match tag {
        b"ActivityManager" | b"ActivityTaskManager" => Some(TagKind::ActivityManager),
        b"AndroidRuntime" => Some(TagKind::AndroidRuntime),
        [b'a' | b'w', b'm', b'_', ..] => Some(TagKind::Event(std::str::from_utf8(tag).ok()?)),
        [b'[', b'3', b'0', .., b']'] => Some(TagKind::Event(event_name_of_number(tag)?)),
        _ => None,
    }
}

/// Names of the event tag numbers decoded here, for captures printed without a tag map
/// (frameworks/base `EventLogTags.logtags`; 30021/30022 were `am_on_*` before Android 10).
fn event_name_of_number(tag: &[u8]) -> Option<&'static str> {
    Some(match tag {
        b"[30005]" => "wm_create_activity",
        b"[30008]" => "am_anr",
        b"[30009]" => "wm_activity_launch_time",
        b"[30011]" => "am_proc_died",
        b"[30014]" => "am_proc_start",
        b"[30021]" => "wm_on_paused_called",
        b"[30022]" => "wm_on_resume_called",
        b"[30023]" => "am_kill",
        b"[30039]" => "am_crash",
        b"[30043]" => "wm_set_resumed_activity",
        b"[30049]" => "wm_on_stop_called",
        b"[30057]" => "wm_on_create_called",
        b"[30058]" => "wm_on_restart_called",
        b"[30059]" => "wm_on_start_called",
        b"[30060]" => "wm_on_destroy_called",
        b"[30062]" => "wm_on_activity_result_called",
        b"[30064]" => "wm_on_top_resumed_gained_called",
        b"[30065]" => "wm_on_top_resumed_lost_called",
        _ => return None,
    })
}

/// A list payload split into fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventList<'a> {
    /// Fields in order (not trimmed; empty strings kept).
    pub fields: Vec<&'a str>,
    /// The payload ended in `^`/`!` or had no closing `]`.
    pub truncated: bool,
}

/// Splits a list payload `[a,b,{c,d},[e,f]]` at top-level commas. `None` if it does not start
/// with `[`.
pub fn split_list(payload: &str) -> Option<EventList<'_>> {
    let (body, truncated) = list_body(payload)?;
    Some(EventList {
        fields: split_fields(body, true),
        truncated,
    })
}

fn list_body(payload: &str) -> Option<(&str, bool)> {
    let p = payload.trim_matches(|c| c == ' ' || c == '\t');
    let inner = p.strip_prefix('[')?;
    if let Some(b) = inner.strip_suffix(']') {
        Some((b, false))
    } else if let Some(b) = inner.strip_suffix('^').or_else(|| inner.strip_suffix('!')) {
        Some((b, true))
    } else {
        Some((inner, true))
    }
}

fn split_fields(body: &str, nesting: bool) -> Vec<&str> {
    let mut out = Vec::with_capacity(8);
    if body.is_empty() {
        return out;
    }
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in body.bytes().enumerate() {
        match c {
            b'[' | b'{' if nesting => depth += 1,
            b']' | b'}' if nesting => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&body[start..]);
    out
}

/// Fields of a payload with at least `min` of them: nesting-aware split first, plain split when
/// an unbalanced bracket swallowed commas.
fn fields(payload: &str, min: usize) -> Option<(Vec<&str>, bool)> {
    let (body, truncated) = list_body(payload)?;
    let f = split_fields(body, true);
    if f.len() >= min {
        return Some((f, truncated));
    }
    let plain = split_fields(body, false);
    Some((if plain.len() > f.len() { plain } else { f }, truncated))
}

/// Strips a `-v descriptive` `Name=` prefix when it is one of `names`.
fn undescribe<'a>(f: &'a str, names: &[&str]) -> &'a str {
    for n in names {
        if let Some(rest) = f.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
            return rest;
        }
    }
    f
}

fn int(f: &str) -> Option<i64> {
    let f = f.trim();
    let (neg, digits) = match f.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, f),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

fn int_u32(f: &str) -> Option<u32> {
    u32::try_from(int(f)?).ok()
}

fn int_i32(f: &str) -> Option<i32> {
    i32::try_from(int(f)?).ok()
}

/// A millisecond field: `892`, or with `-v descriptive` units `892ms`, `1.234s`, `2s`.
fn millis(f: &str) -> Option<i64> {
    let f = f.trim();
    if let Some(n) = f.strip_suffix("ms") {
        return int(n);
    }
    if let Some(s) = f.strip_suffix('s') {
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if frac.len() > 3 || !frac.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let w = int(whole)?;
        let mut fr: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        for _ in frac.len()..3 {
            fr *= 10;
        }
        return w
            .checked_mul(1000)?
            .checked_add(if w < 0 { -fr } else { fr });
    }
    int(f)
}

fn nonempty(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_owned())
    }
}

/// Field `i`, `Name=` stripped.
fn at<'a>(f: &[&'a str], i: usize, names: &[&str]) -> Option<&'a str> {
    f.get(i).map(|s| undescribe(s, names))
}

/// Fields `from..to` joined back with commas (free text that contained commas).
fn joined(f: &[&str], from: usize, to: usize, names: &[&str]) -> Option<String> {
    if from >= to || to > f.len() {
        return None;
    }
    let mut s = undescribe(f[from], names).to_owned();
    for x in &f[from + 1..to] {
        s.push(',');
        s.push_str(x);
    }
    Some(s)
}

const PROC_START: &[&str] = &["User", "PID", "UID", "Process Name", "Type", "Component"];
const PROC_DIED: &[&str] = &["User", "PID", "Process Name", "OomAdj", "ProcState"];
const KILL: &[&str] = &["User", "PID", "Process Name", "OomAdj", "Reason", "Rss"];
const CRASH: &[&str] = &[
    "User",
    "PID",
    "Process Name",
    "Flags",
    "Exception",
    "Message",
    "File",
    "Line",
    "Recoverable",
];
const ANR: &[&str] = &["User", "pid", "Package Name", "Flags", "reason"];
const LIFECYCLE: &[&str] = &["Token", "User", "Component Name", "Reason", "time"];
const LAUNCH: &[&str] = &[
    "User",
    "Token",
    "Component Name",
    "time",
    "thisTime",
    "totalTime",
];
const CREATE: &[&str] = &[
    "User",
    "Token",
    "Task ID",
    "Component Name",
    "Action",
    "MIME Type",
    "URI",
    "Flags",
];
const RESUMED: &[&str] = &["User", "Component Name", "Reason"];

/// Decodes an events-buffer payload given its tag name.
pub fn event_payload(tag: &str, payload: &str) -> Option<AmEvent> {
    match tag {
        "am_proc_start" => proc_start_event(payload).map(AmEvent::ProcStart),
        "am_proc_died" => proc_died(payload).map(AmEvent::ProcDied),
        "am_kill" => kill(payload).map(AmEvent::Kill),
        "am_crash" => crash(payload).map(AmEvent::Crash),
        "am_anr" => anr(payload).map(AmEvent::Anr),
        "wm_activity_launch_time" | "am_activity_launch_time" => {
            launch_time(payload).map(AmEvent::LaunchTime)
        }
        "wm_create_activity" | "am_create_activity" => {
            create_activity(payload).map(AmEvent::CreateActivity)
        }
        "wm_set_resumed_activity" | "am_set_resumed_activity" => {
            set_resumed(payload).map(AmEvent::SetResumedActivity)
        }
        _ => {
            let (am, rest) = if let Some(r) = tag.strip_prefix("wm_on_") {
                (false, r)
            } else {
                (true, tag.strip_prefix("am_on_")?)
            };
            let name = rest.strip_suffix("_called")?;
            lifecycle(phase_of(name), am, payload).map(AmEvent::Lifecycle)
        }
    }
}

fn phase_of(name: &str) -> Phase {
    match name {
        "create" => Phase::Create,
        "start" => Phase::Start,
        "restart" => Phase::Restart,
        "resume" => Phase::Resume,
        "paused" | "pause" => Phase::Pause,
        "stop" => Phase::Stop,
        "destroy" => Phase::Destroy,
        "top_resumed_gained" => Phase::TopResumedGained,
        "top_resumed_lost" => Phase::TopResumedLost,
        "activity_result" => Phase::ActivityResult,
        other => Phase::Other(other.to_owned()),
    }
}

/// Whether the layout has a leading `User` field: field 1 (PID) is a number where the
/// user-less layout has a name there.
fn has_user(f: &[&str], names: &[&str]) -> bool {
    at(f, 1, names).and_then(int).is_some()
}

fn proc_start_event(payload: &str) -> Option<ProcStart> {
    let (f, truncated) = fields(payload, 6)?;
    let n = PROC_START;
    // [User,PID,UID,Name,Type,Component]; before Android 4.2 no User.
    let with_user = at(&f, 2, n).and_then(int).is_some() && at(&f, 3, n).and_then(int).is_none();
    let o = usize::from(!with_user);
    let user = if o == 0 {
        at(&f, 0, n).and_then(int_u32)
    } else {
        None
    };
    let pid = at(&f, 1 - o, n).and_then(int_u32)?;
    let uid = at(&f, 2 - o, n).and_then(int_u32)?;
    let process = at(&f, 3 - o, n)?.to_owned();
    let hosting_type = at(&f, 4 - o, n).unwrap_or("").to_owned();
    let hosting = joined(&f, 5 - o, f.len(), n).and_then(|s| nonempty(&s));
    Some(ProcStart {
        origin: Origin::EventLog,
        user: user.or(Some(uid / 100_000)),
        pid,
        uid,
        process,
        hosting_type,
        hosting,
        entry_point: None,
        truncated,
    })
}

fn proc_died(payload: &str) -> Option<ProcDied> {
    let (f, truncated) = fields(payload, 3)?;
    let n = PROC_DIED;
    let o = usize::from(!has_user(&f, n));
    Some(ProcDied {
        user: if o == 0 {
            at(&f, 0, n).and_then(int_u32)
        } else {
            None
        },
        pid: at(&f, 1 - o, n).and_then(int_u32)?,
        process: at(&f, 2 - o, n)?.to_owned(),
        oom_adj: at(&f, 3 - o, n).and_then(int_i32),
        proc_state: at(&f, 4 - o, n).and_then(int_i32),
        truncated,
    })
}

fn kill(payload: &str) -> Option<Kill> {
    let (f, truncated) = fields(payload, 5)?;
    let n = KILL;
    let o = usize::from(!has_user(&f, n));
    let reason_at = 4 - o;
    // Rss (newer) is a trailing number after the reason.
    let (reason_end, rss_kb) = if o == 0 && f.len() > reason_at + 1 {
        match at(&f, f.len() - 1, n).and_then(int) {
            Some(r) => (f.len() - 1, Some(r)),
            None => (f.len(), None),
        }
    } else {
        (f.len(), None)
    };
    Some(Kill {
        user: if o == 0 {
            at(&f, 0, n).and_then(int_u32)
        } else {
            None
        },
        pid: at(&f, 1 - o, n).and_then(int_u32)?,
        process: at(&f, 2 - o, n)?.to_owned(),
        oom_adj: at(&f, 3 - o, n).and_then(int_i32),
        reason: joined(&f, reason_at, reason_end, n).unwrap_or_default(),
        rss_kb,
        truncated,
    })
}

fn crash(payload: &str) -> Option<Crash> {
    let (f, truncated) = fields(payload, 8)?;
    let n = CRASH;
    let o = usize::from(!has_user(&f, n));
    let msg_at = 5 - o;
    // Tail: Message…, File, Line[, Recoverable]; the message may hold commas.
    let len = f.len();
    let num = |i: usize| at(&f, i, n).and_then(int);
    let (msg_end, file, line, recoverable) =
        if len >= msg_at + 4 && num(len - 1).is_some() && num(len - 2).is_some() {
            (
                len - 3,
                at(&f, len - 3, n),
                num(len - 2),
                num(len - 1).map(|r| r != 0),
            )
        } else if len >= msg_at + 3 {
            (len - 2, at(&f, len - 2, n), num(len - 1), None)
        } else {
            (len.min(msg_at + 1), None, None, None)
        };
    Some(Crash {
        user: if o == 0 {
            at(&f, 0, n).and_then(int_u32)
        } else {
            None
        },
        pid: at(&f, 1 - o, n).and_then(int_u32)?,
        process: at(&f, 2 - o, n)?.to_owned(),
        flags: at(&f, 3 - o, n).and_then(int),
        exception: at(&f, 4 - o, n).map(str::to_owned),
        message: joined(&f, msg_at, msg_end, n),
        file: file.map(str::to_owned),
        line,
        recoverable,
        truncated,
    })
}

fn anr(payload: &str) -> Option<Anr> {
    let (f, truncated) = fields(payload, 5)?;
    let n = ANR;
    let o = usize::from(!has_user(&f, n));
    Some(Anr {
        user: if o == 0 {
            at(&f, 0, n).and_then(int_u32)
        } else {
            None
        },
        pid: at(&f, 1 - o, n).and_then(int_u32)?,
        package: at(&f, 2 - o, n)?.to_owned(),
        flags: at(&f, 3 - o, n).and_then(int),
        reason: joined(&f, 4 - o, f.len(), n),
        truncated,
    })
}

fn lifecycle(phase: Phase, am: bool, payload: &str) -> Option<Lifecycle> {
    let (f, truncated) = fields(payload, 2)?;
    let n = LIFECYCLE;
    let first = at(&f, 0, n).and_then(int)?;
    // Newer releases may append a `time` number after the reason.
    let end = match at(&f, f.len().saturating_sub(1), n).and_then(int) {
        Some(_) if f.len() > 3 => f.len() - 1,
        _ => f.len(),
    };
    Some(Lifecycle {
        phase,
        token: if am { None } else { Some(first) },
        user: if am { u32::try_from(first).ok() } else { None },
        component: at(&f, 1, n)?.to_owned(),
        reason: joined(&f, 2, end, n),
        truncated,
    })
}

fn launch_time(payload: &str) -> Option<LaunchTime> {
    let (f, truncated) = fields(payload, 4)?;
    let n = LAUNCH;
    Some(LaunchTime {
        user: at(&f, 0, n).and_then(int_u32),
        token: at(&f, 1, n).and_then(int),
        component: at(&f, 2, n)?.to_owned(),
        duration_ms: at(&f, 3, n).and_then(millis),
        total_ms: at(&f, 4, n).and_then(millis),
        truncated,
    })
}

fn null_or(s: Option<&str>) -> Option<String> {
    s.filter(|v| !v.is_empty() && *v != "NULL")
        .map(str::to_owned)
}

fn create_activity(payload: &str) -> Option<CreateActivity> {
    let (f, truncated) = fields(payload, 8)?;
    let n = CREATE;
    let len = f.len();
    // Flags is the trailing number; extra commas belong to the URI.
    let (uri_end, flags) = match len.checked_sub(1).and_then(|i| at(&f, i, n)).and_then(int) {
        Some(fl) if len >= 8 => (len - 1, Some(fl)),
        _ => (len, None),
    };
    Some(CreateActivity {
        user: at(&f, 0, n).and_then(int_u32),
        token: at(&f, 1, n).and_then(int),
        task_id: at(&f, 2, n).and_then(int),
        component: at(&f, 3, n)?.to_owned(),
        action: null_or(at(&f, 4, n)),
        mime_type: null_or(at(&f, 5, n)),
        uri: null_or(joined(&f, 6, uri_end, n).as_deref()),
        flags,
        truncated,
    })
}

fn set_resumed(payload: &str) -> Option<SetResumedActivity> {
    let (f, truncated) = fields(payload, 3)?;
    let n = RESUMED;
    Some(SetResumedActivity {
        user: at(&f, 0, n).and_then(int_u32),
        component: at(&f, 1, n)?.to_owned(),
        reason: joined(&f, 2, f.len(), n),
        truncated,
    })
}

/// Decodes `UserHandle.formatUid` text: `1000` (below 10000), `u0a104` (10104), `u10a5`
/// (1010005), `u0i3` (isolated 99003), `u0ai3` (app-zygote isolated 90003), `u0s1000`.
pub fn parse_formatted_uid(s: &str) -> Option<u32> {
    if let Some(n) = int(s) {
        return u32::try_from(n).ok();
    }
    let rest = s.strip_prefix('u')?;
    let ud = rest.bytes().take_while(u8::is_ascii_digit).count();
    let user: u32 = rest[..ud].parse().ok()?;
    let rest = &rest[ud..];
    let (base, num) = if let Some(n) = rest.strip_prefix("ai") {
        (90_000, n)
    } else if let Some(n) = rest.strip_prefix('a') {
        (10_000, n)
    } else if let Some(n) = rest.strip_prefix('i') {
        (99_000, n)
    } else if let Some(n) = rest.strip_prefix('s') {
        (0, n)
    } else {
        return None;
    };
    if num.is_empty() || !num.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let app: u32 = num.parse().ok()?;
    let app_id = base + app;
    if app_id >= 100_000 {
        return None;
    }
    user.checked_mul(100_000)?.checked_add(app_id)
}

/// Hosting types of more than one word (HostingRecord).
const MULTI_WORD_TYPES: &[&str] = &[
    "content provider",
    "added application",
    "link fail",
    "bind application",
];

fn split_hosting(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    for t in MULTI_WORD_TYPES {
        if let Some(rest) = s.strip_prefix(t)
            && (rest.is_empty() || rest.starts_with(' '))
        {
            return ((*t).to_owned(), nonempty(rest.trim()));
        }
    }
    match s.split_once(' ') {
        Some((t, h)) => (t.to_owned(), nonempty(h.trim())),
        None => (s.to_owned(), None),
    }
}

/// `Start proc <pid>:<process>/<uid>[ [entryPoint]] for <type>[ <hosting>]` (Android 6+,
/// ProcessList) or the older `Start proc <process> for <type> <hosting>: pid=N uid=N gids={…}…`.
pub fn proc_start_text(msg: &str) -> Option<ProcStart> {
    let rest = msg.strip_prefix("Start proc ")?;
    let pid_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if pid_len > 0 && rest.as_bytes().get(pid_len) == Some(&b':') {
        let pid: u32 = rest[..pid_len].parse().ok()?;
        let rest = &rest[pid_len + 1..];
        let for_at = rest.find(" for ")?;
        let head = &rest[..for_at];
        let (head, entry_point) = match head.find(" [") {
            Some(b) if head.ends_with(']') => {
                (&head[..b], Some(head[b + 2..head.len() - 1].to_owned()))
            }
            _ => (head, None),
        };
        let slash = head.rfind('/')?;
        let process = head[..slash].to_owned();
        let uid = parse_formatted_uid(&head[slash + 1..])?;
        let (hosting_type, hosting) = split_hosting(&rest[for_at + 5..]);
        return Some(ProcStart {
            origin: Origin::Text,
            user: Some(uid / 100_000),
            pid,
            uid,
            process,
            hosting_type,
            hosting,
            entry_point,
            truncated: false,
        });
    }
    // Older layout.
    let for_at = rest.find(" for ")?;
    let process = rest[..for_at].to_owned();
    let tail = &rest[for_at + 5..];
    let pid_at = tail.find(": pid=")?;
    let (hosting_type, hosting) = split_hosting(&tail[..pid_at]);
    let after = &tail[pid_at + 6..];
    let pid_len = after.bytes().take_while(u8::is_ascii_digit).count();
    let pid: u32 = after[..pid_len].parse().ok()?;
    let uid_at = after.find(" uid=")?;
    let u = &after[uid_at + 5..];
    let uid_len = u.bytes().take_while(u8::is_ascii_digit).count();
    let uid: u32 = u[..uid_len].parse().ok()?;
    Some(ProcStart {
        origin: Origin::Text,
        user: Some(uid / 100_000),
        pid,
        uid,
        process,
        hosting_type,
        hosting,
        entry_point: None,
        truncated: false,
    })
}

/// Parses a `TimeUtils.formatDuration` value: `+1s71ms`, `+427ms`, `+1m0s5ms`, `+1d2h3m4s5ms`,
/// `-5ms`, `0` → milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let (neg, mut rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut last_rank = 0u8;
    while !rest.is_empty() {
        let nd = rest.bytes().take_while(u8::is_ascii_digit).count();
        if nd == 0 || nd > 12 {
            return None;
        }
        let v: i64 = rest[..nd].parse().ok()?;
        rest = &rest[nd..];
        let (mult, rank, len) = if rest.starts_with("ms") {
            (1, 5, 2)
        } else {
            match rest.as_bytes().first()? {
                b'd' => (86_400_000, 1, 1),
                b'h' => (3_600_000, 2, 1),
                b'm' => (60_000, 3, 1),
                b's' => (1000, 4, 1),
                _ => return None,
            }
        };
        if rank <= last_rank {
            return None;
        }
        last_rank = rank;
        total = total.checked_add(v.checked_mul(mult)?)?;
        rest = &rest[len..];
    }
    Some(if neg { -total } else { total })
}

/// `Displayed <component>[ for user N]: <duration>[ (total <duration>)]`.
pub fn displayed(msg: &str) -> Option<Displayed> {
    let rest = msg.strip_prefix("Displayed ")?;
    let comp_end = rest.find([' ', ':'])?;
    let component = &rest[..comp_end];
    if component.is_empty() {
        return None;
    }
    let mut rest = &rest[comp_end..];
    let mut user = None;
    if let Some(r) = rest.strip_prefix(" for user ") {
        let nd = r.bytes().take_while(u8::is_ascii_digit).count();
        user = Some(r[..nd].parse().ok()?);
        rest = &r[nd..];
    }
    let rest = rest.strip_prefix(": ")?;
    let (dur, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let duration_ms = parse_duration_ms(dur)?;
    let total_ms = tail
        .trim()
        .strip_prefix("(total ")
        .and_then(|t| t.strip_suffix(')'))
        .and_then(parse_duration_ms);
    Some(Displayed {
        component: component.to_owned(),
        user,
        duration_ms,
        total_ms,
    })
}

/// Splits `s` at spaces outside `[]`/`{}`.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.bytes().enumerate() {
        match c {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b' ' if depth == 0 => {
                if i > start {
                    out.push(&s[start..i]);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// `START u<user> {<intent>} …from uid N…` (ActivityStarter / ActivityManager).
pub fn start_activity(msg: &str) -> Option<StartActivity> {
    let rest = msg.strip_prefix("START u")?;
    let nd = rest.bytes().take_while(u8::is_ascii_digit).count();
    let user = rest[..nd].parse().ok();
    let rest = rest[nd..].strip_prefix(" {")?;
    // The matching `}` (the intent may nest `sel={…}` / `clip={…}`).
    let mut depth = 1usize;
    let mut close = None;
    for (i, c) in rest.bytes().enumerate() {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let (intent, tail) = match close {
        Some(c) => (&rest[..c], &rest[c + 1..]),
        None => (rest, ""),
    };
    let mut s = StartActivity {
        user,
        intent: intent.to_owned(),
        action: None,
        categories: Vec::new(),
        package: None,
        component: None,
        flags: None,
        from_uid: None,
        from_pid: None,
        is_permission_request: false,
    };
    for t in tokens(intent) {
        if let Some(v) = t.strip_prefix("act=") {
            s.action = Some(v.to_owned());
        } else if let Some(v) = t.strip_prefix("cat=") {
            let v = v
                .strip_prefix('[')
                .and_then(|x| x.strip_suffix(']'))
                .unwrap_or(v);
            s.categories = v
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
        } else if let Some(v) = t.strip_prefix("pkg=") {
            s.package = Some(v.to_owned());
        } else if let Some(v) = t.strip_prefix("cmp=") {
            s.component = Some(v.to_owned());
        } else if let Some(v) = t.strip_prefix("flg=") {
            s.flags = u32::from_str_radix(v.strip_prefix("0x").unwrap_or(v), 16).ok();
        }
    }
    let num_after = |key: &str| -> Option<u32> {
        let at = tail.find(key)?;
        let r = &tail[at + key.len()..];
        let nd = r.bytes().take_while(u8::is_ascii_digit).count();
        r[..nd].parse().ok()
    };
    s.from_uid = num_after("from uid ");
    s.from_pid = num_after("from pid ");
    s.is_permission_request = s.action.as_deref() == Some(REQUEST_PERMISSIONS_ACTION)
        || s.component
            .as_deref()
            .is_some_and(|c| c.ends_with(".GrantPermissionsActivity"));
    Some(s)
}

/// `FATAL EXCEPTION: <thread>` / `FATAL EXCEPTION IN SYSTEM PROCESS: <thread>`.
pub fn fatal_exception(msg: &str) -> Option<FatalException> {
    if let Some(t) = msg.strip_prefix("FATAL EXCEPTION: ") {
        return Some(FatalException {
            thread: t.to_owned(),
            system_process: false,
        });
    }
    let t = msg.strip_prefix("FATAL EXCEPTION IN SYSTEM PROCESS: ")?;
    Some(FatalException {
        thread: t.to_owned(),
        system_process: true,
    })
}

/// `Process: <name>, PID: <pid>`.
pub fn crash_process(msg: &str) -> Option<CrashProcess> {
    let rest = msg.strip_prefix("Process: ")?;
    let at = rest.rfind(", PID: ")?;
    let pid_s = rest[at + 7..].trim_end();
    let nd = pid_s.bytes().take_while(u8::is_ascii_digit).count();
    if nd == 0 {
        return None;
    }
    Some(CrashProcess {
        process: rest[..at].to_owned(),
        pid: pid_s[..nd].parse().ok()?,
    })
}
