//! The handset's state and the app-model runtime.
//!
//! Time is evaluated lazily: every entry point first calls [`World::advance`] with the
//! current device time, which runs every scheduled job that is due, in time order, each
//! at its own scheduled timestamp. Nothing is ever logged with a future timestamp, so
//! log order equals time order.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use super::apis::{self, Api, Logger, Rule};
use super::appops::{AppOps, OpFlag, UidInfo, UidState, format_uid};
use super::fs::MemFs;
use super::logs::{LogId, LogStore, Priority};
use super::model::{AccessSpec, Action, AppModel, Crash};
use super::rng::{Rng, fnv};
use super::ui::{self, Node, Tap};
use crate::device::clock::{DeviceUs, TimeZone};

pub use super::setup::WorldSetup;
pub use crate::capture::NetRecord;
pub use render::render;

mod access;
mod actions;
mod input;
mod ipc;
mod permission;
mod process;
mod render;

/// Pids of the system processes the simulator logs from.
pub const PID_INIT: i32 = 1;
pub const PID_ZYGOTE: i32 = 378;
pub const PID_SYSTEM: i32 = 531;
pub const PID_PHONE: i32 = 1003;
pub const PID_CAMERA: i32 = 560;
pub const PID_SYSTEMUI: i32 = 812;
pub const PID_LAUNCHER: i32 = 1318;
pub const PID_PERMCTRL: i32 = 1520;
pub const PID_ACORE: i32 = 1644;
pub const PID_ADBD: i32 = 402;

/// The launcher and the permission controller.
pub const LAUNCHER_PKG: &str = "com.google.android.apps.nexuslauncher";
pub const PERMCTRL_PKG: &str = "com.google.android.permissioncontroller";
pub const GRANT_ACTIVITY: &str =
    "com.android.permissioncontroller.permission.ui.GrantPermissionsActivity";

/// An installed package.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub uid: i32,
    pub version_code: i64,
    pub version_name: String,
    pub label: String,
    /// Fully qualified launcher activity.
    pub main_activity: Option<String>,
    /// All declared activities, fully qualified.
    pub activities: Vec<String>,
    /// Requested permissions (de-duplicated).
    pub requested: Vec<String>,
    /// Granted runtime permissions.
    pub granted: BTreeSet<String>,
    /// Path of base.apk.
    pub path: String,
    pub system: bool,
    pub target_sdk: u32,
    /// App-data flags set by the model (`set:`).
    pub flags: BTreeSet<String>,
}

/// What a process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcKind {
    System,
    App,
    Shell,
}

/// A process.
#[derive(Debug)]
pub struct Proc {
    pub pid: i32,
    pub uid: i32,
    pub name: String,
    pub kind: ProcKind,
    pub start_us: DeviceUs,
    /// The signal a `kill` sent to a shell process (0 = none); long-running commands poll it.
    pub killed: Option<Arc<AtomicI32>>,
    /// The parent process (shell processes started by `sh -c`).
    pub ppid: i32,
    /// IPC traces recorded while tracking: full stack text → count.
    pub ipc: BTreeMap<String, u64>,
    pub tracking: bool,
    /// Per-process caches (ANDROID_ID value, acquired providers).
    pub cache: HashSet<String>,
    /// The app's background thread id.
    pub bg_tid: i32,
    /// The launcher activity's window has been created.
    pub created: bool,
    /// `Displayed` has been logged (for `am start -W`).
    pub displayed: bool,
    /// Token of the activity record (events).
    pub token: u32,
    /// The activity being launched (`pkg/cls`).
    pub component: Option<String>,
    /// Process is dying (no more model actions).
    pub dying: bool,
}

/// Window kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WinKind {
    Launcher,
    Activity,
    Dialog,
    Permission {
        perm: String,
        on_grant: Option<String>,
        on_deny: Option<String>,
    },
}

/// A window on the display (the last one in [`World::windows`] is on top).
#[derive(Debug, Clone)]
pub struct Window {
    pub pkg: String,
    /// The app process that owns (or, for a permission dialog, requested) it.
    pub pid: Option<i32>,
    pub kind: WinKind,
    /// The model screen shown, if any.
    pub screen: Option<String>,
    pub root: Node,
}

/// Most network records kept (oldest dropped first).
pub const MAX_NET_RECORDS: usize = 10_000;

#[derive(Debug, Clone)]
enum Job {
    ProcStart {
        pid: i32,
        launcher_uid: i32,
    },
    ActivityCreated {
        pid: i32,
    },
    Displayed {
        pid: i32,
        start_us: DeviceUs,
    },
    Model {
        pid: i32,
        action: Box<Action>,
    },
    Die {
        pid: i32,
        reason: String,
    },
    /// A `log_burst` under way: lines `emitted` of `rate`/s from `start` to `end`.
    Burst {
        pid: i32,
        tag: String,
        text: String,
        rate: u32,
        start: DeviceUs,
        end: DeviceUs,
        emitted: u64,
    },
}

#[derive(Debug)]
struct Scheduled {
    due: DeviceUs,
    seq: u64,
    job: Job,
}

impl PartialEq for Scheduled {
    fn eq(&self, o: &Self) -> bool {
        (self.due, self.seq) == (o.due, o.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.due, self.seq).cmp(&(o.due, o.seq))
    }
}

/// The outcome of an activity start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchOutcome {
    pub pid: i32,
    /// `COLD`, `WARM`, `HOT`.
    pub state: &'static str,
    /// Device time the start was requested.
    pub start_us: DeviceUs,
    /// When the first frame is drawn (cold) or the task was brought forward.
    pub displayed_us: DeviceUs,
    /// `pkg/.Act`.
    pub component_short: String,
    /// The task was brought to the front instead of starting a process.
    pub brought_to_front: bool,
}

/// The whole device.
#[derive(Debug)]
pub struct World {
    pub tz: TimeZone,
    pub props: BTreeMap<String, String>,
    pub settings: BTreeMap<(String, String), String>,
    pub logs: LogStore,
    pub fs: MemFs,
    pub packages: BTreeMap<String, Package>,
    pub procs: BTreeMap<i32, Proc>,
    pub appops: AppOps,
    pub ipc_tracing: bool,
    pub windows: Vec<Window>,
    pub models: BTreeMap<String, Arc<AppModel>>,
    pub net: Vec<NetRecord>,
    /// The network capture running, if any (`SimDevice::start_capture`).
    pub capture: Option<crate::capture::Capture>,
    pub rng: Rng,
    queue: BinaryHeap<Reverse<Scheduled>>,
    seq: u64,
    next_pid: i32,
    pub(super) next_app_uid: i32,
    reported_ids: HashSet<(String, String)>,
    last_log_us: DeviceUs,
    pub boot_us: DeviceUs,
    /// The device profile (fixed at boot).
    pub profile: crate::device::profile::DeviceProfile,
    /// Identifiers, GPS fix and provider rows (the honey step's, `device/honey.rs`).
    pub honey: super::honey::Honey,
}

const SYSTEM_PACKAGES: &[(&str, i32, &str)] = &[
    ("android", 1000, "Android System"),
    ("com.android.phone", 1001, "Phone Services"),
    (
        "com.android.providers.telephony",
        1001,
        "Phone and Messaging Storage",
    ),
    ("com.android.shell", 2000, "Shell"),
    ("com.android.settings", 1000, "Settings"),
    ("com.android.providers.settings", 1000, "Settings Storage"),
    ("com.android.location.fused", 1000, "Fused Location"),
    ("com.android.server.telecom", 1000, "Call Management"),
    ("com.android.bluetooth", 1002, "Bluetooth"),
    ("com.android.providers.contacts", 10_102, "Contacts Storage"),
    ("com.android.providers.calendar", 10_104, "Calendar Storage"),
    ("com.android.systemui", 10_105, "System UI"),
    (
        "com.android.providers.media.module",
        10_106,
        "Media Storage",
    ),
    ("com.google.android.gms", 10_108, "Google Play services"),
    ("com.android.vending", 10_109, "Google Play Store"),
    ("com.android.chrome", 10_110, "Chrome"),
    (
        "com.google.android.webview",
        10_111,
        "Android System WebView",
    ),
    ("com.android.camera2", 10_112, "Camera"),
    (LAUNCHER_PKG, 10_113, "Pixel Launcher"),
    ("com.google.android.apps.messaging", 10_114, "Messages"),
    ("com.google.android.dialer", 10_115, "Phone"),
    ("com.google.android.contacts", 10_116, "Contacts"),
    (PERMCTRL_PKG, 10_117, "Permission controller"),
    ("com.google.android.inputmethod.latin", 10_118, "Gboard"),
];

const SYSTEM_PROCS: &[(i32, i32, &str)] = &[
    (PID_INIT, 0, "init"),
    (245, 1036, "logd"),
    (PID_ZYGOTE, 0, "zygote64"),
    (379, 0, "zygote"),
    (PID_ADBD, 2000, "adbd"),
    (PID_SYSTEM, 1000, "system"),
    (PID_CAMERA, 1047, "cameraserver"),
    (PID_SYSTEMUI, 10_105, "com.android.systemui"),
    (PID_PHONE, 1001, "com.android.phone"),
    (PID_LAUNCHER, 10_113, LAUNCHER_PKG),
    (PID_PERMCTRL, 10_117, PERMCTRL_PKG),
    (PID_ACORE, 10_102, "android.process.acore"),
];

const TRACE_HEAD: &str = "android.os.BinderProxy.transact(BinderProxy.java:584)";
const MAIN_TAIL: &[&str] = &[
    "android.os.Handler.handleCallback(Handler.java:942)",
    "android.os.Handler.dispatchMessage(Handler.java:99)",
    "android.os.Looper.loopOnce(Looper.java:201)",
    "android.os.Looper.loop(Looper.java:288)",
    "android.app.ActivityThread.main(ActivityThread.java:7918)",
    "java.lang.reflect.Method.invoke(Native Method)",
    "com.android.internal.os.RuntimeInit$MethodAndArgsCaller.run(RuntimeInit.java:548)",
    "com.android.internal.os.ZygoteInit.main(ZygoteInit.java:936)",
];
const BG_TAIL: &[&str] = &["java.lang.Thread.run(Thread.java:1012)"];

/// `am start` of an activity the package does not have (the text `am` prints after
/// `Error: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Activity class {{{package}/{class}}} does not exist.")]
pub struct NoSuchActivity {
    pub package: String,
    pub class: String,
}

/// Why the handset did not start an activity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartRefused {
    /// The package has no such activity (what a real device says).
    #[error(transparent)]
    NoSuchActivity(#[from] NoSuchActivity),
    /// The package is installed but the handset has no behaviour model for it: it would run
    /// an app that does nothing, and a session on it would prove nothing. Not an Android
    /// behaviour: the simulator's own refusal, worded as such.
    #[error(
        "SIMULATED handset: no behaviour model for package {0}, so it refuses to run it (the app \
         would do nothing and a clean result would mean nothing). Give the handset a model for \
         it: `prior sim --model DIR`, or `device: {{ simulated: {{ models: DIR }} }}` in the \
         scenario (docs/sim-models.md)."
    )]
    NoModel(String),
}

/// A package that is not installed (`dumpsys appops --package`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown package: {0}")]
pub struct UnknownPackage(pub String);

impl World {
    /// A freshly booted handset at device time `now`, booted at `boot_us`.
    pub fn new(setup: &WorldSetup, now: DeviceUs, boot_us: DeviceUs) -> World {
        let mut rng = Rng::new(setup.seed);
        let mut w = World {
            tz: setup.tz.clone(),
            props: BTreeMap::new(),
            settings: BTreeMap::new(),
            logs: LogStore::new(),
            fs: MemFs::new(boot_us / 1_000_000),
            packages: BTreeMap::new(),
            procs: BTreeMap::new(),
            appops: AppOps::default(),
            ipc_tracing: false,
            windows: Vec::new(),
            models: BTreeMap::new(),
            net: Vec::new(),
            capture: None,
            rng: Rng::new(setup.seed ^ 0xA5A5),
            queue: BinaryHeap::new(),
            seq: 0,
            next_pid: 3100 + rng.range(0, 400) as i32,
            next_app_uid: 10_150,
            reported_ids: HashSet::new(),
            last_log_us: 0,
            boot_us,
            profile: setup.profile,
            honey: super::honey::Honey::new(&mut Rng::new(setup.seed ^ 0x4E59)),
        };
        w.props = super::props::default_props(setup);
        // the Wi-Fi interface's MAC in sysfs (read-only, world-readable)
        let mac_dir = "/sys/class/net/wlan0";
        let _ = w.fs.mkdir(mac_dir, true, boot_us / 1_000_000, false);
        let mac = format!("{}\n", w.honey.wifi_mac).into_bytes();
        let _ = w.fs.write_system(
            &format!("{mac_dir}/address"),
            mac,
            0o444,
            boot_us / 1_000_000,
        );
        let android_id = rng.hex(16);
        for (ns, k, v) in [
            ("secure", "android_id", android_id.as_str()),
            ("global", "adb_enabled", "1"),
            ("global", "device_name", setup.model_name.as_str()),
            ("global", "development_settings_enabled", "1"),
            ("global", "window_animation_scale", "1.0"),
            ("global", "transition_animation_scale", "1.0"),
            ("global", "animator_duration_scale", "1.0"),
            ("secure", "location_mode", "3"),
            ("system", "screen_off_timeout", "1800000"),
            ("system", "time_12_24", "24"),
        ] {
            w.settings
                .insert((ns.to_owned(), k.to_owned()), v.to_owned());
        }
        for (name, uid, label) in SYSTEM_PACKAGES {
            let pkg = Package {
                name: (*name).to_owned(),
                uid: *uid,
                version_code: 33,
                version_name: "13".to_owned(),
                label: (*label).to_owned(),
                main_activity: None,
                activities: Vec::new(),
                requested: Vec::new(),
                granted: BTreeSet::new(),
                path: format!("/system/priv-app/{name}/{name}.apk"),
                system: true,
                target_sdk: 33,
                flags: BTreeSet::new(),
            };
            w.packages.insert((*name).to_owned(), pkg);
        }
        for (pid, uid, name) in SYSTEM_PROCS {
            let start = boot_us + i64::from(*pid) * 7_000;
            w.procs
                .insert(*pid, Proc::new(*pid, *uid, name, ProcKind::System, start));
        }
        w.windows.push(Window {
            pkg: LAUNCHER_PKG.to_owned(),
            pid: Some(PID_LAUNCHER),
            kind: WinKind::Launcher,
            screen: None,
            root: ui::launcher(&[]),
        });
        // a few boot-time lines so that a dump is never empty
        let b = |s: i64| boot_us + s;
        w.log_at(
            b(9_100_000),
            LogId::Events,
            PID_SYSTEM,
            PID_SYSTEM,
            1000,
            Priority::Info,
            "boot_progress_ams_ready",
            "9100",
        );
        w.log_at(
            b(9_200_000),
            LogId::System,
            PID_SYSTEM,
            PID_SYSTEM + 27,
            1000,
            Priority::Info,
            "ActivityManager",
            "System now ready",
        );
        w.log_at(
            b(14_050_000),
            LogId::Events,
            PID_SYSTEM,
            PID_SYSTEM + 41,
            1000,
            Priority::Info,
            "boot_progress_enable_screen",
            "14050",
        );
        w.log_at(
            b(14_300_000),
            LogId::Events,
            PID_SYSTEM,
            PID_SYSTEM + 41,
            1000,
            Priority::Info,
            "sf_stop_bootanim",
            "14300",
        );
        w.log_at(
            b(15_000_000),
            LogId::Main,
            PID_SYSTEMUI,
            PID_SYSTEMUI,
            10_105,
            Priority::Info,
            "SystemUIService",
            "Boot completed",
        );
        w.log_at(
            b(15_100_000),
            LogId::System,
            PID_SYSTEM,
            PID_SYSTEM + 14,
            1000,
            Priority::Info,
            "ActivityManager",
            "Finished processing BOOT_COMPLETED for u0",
        );
        let _ = now;
        w
    }

    // ---------------------------------------------------------------- logging

    /// Appends a log record; timestamps never go backwards within the simulator.
    #[expect(
        clippy::too_many_arguments,
        reason = "a log record has that many fields"
    )]
    pub fn log_at(
        &mut self,
        t: DeviceUs,
        buf: LogId,
        pid: i32,
        tid: i32,
        uid: i32,
        prio: Priority,
        tag: &str,
        msg: &str,
    ) {
        let t = t.max(self.last_log_us);
        self.last_log_us = t;
        self.logs.push(buf, t, pid, tid, uid, prio, tag, msg);
    }

    fn sys(&mut self, t: DeviceUs, tag: &str, prio: Priority, msg: &str) {
        let tid = PID_SYSTEM + 20 + (fnv(tag) % 60) as i32;
        self.log_at(t, LogId::System, PID_SYSTEM, tid, 1000, prio, tag, msg);
    }

    fn event(&mut self, t: DeviceUs, pid: i32, uid: i32, tag: &str, payload: &str) {
        let tid = if pid == PID_SYSTEM {
            PID_SYSTEM + 20 + (fnv(tag) % 60) as i32
        } else {
            pid
        };
        self.log_at(
            t,
            LogId::Events,
            pid,
            tid,
            uid,
            Priority::Info,
            tag,
            payload,
        );
    }

    // ---------------------------------------------------------------- scheduling

    fn schedule(&mut self, due: DeviceUs, job: Job) {
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            due,
            seq: self.seq,
            job,
        }));
    }

    /// The time of the next scheduled job.
    pub fn next_due(&self) -> Option<DeviceUs> {
        self.queue.peek().map(|Reverse(s)| s.due)
    }

    /// Runs every job due at or before `now`.
    pub fn advance(&mut self, now: DeviceUs) {
        let mut guard = 0;
        while let Some(Reverse(s)) = self.queue.peek() {
            if s.due > now || guard > 100_000 {
                break;
            }
            guard += 1;
            let Some(Reverse(s)) = self.queue.pop() else {
                break;
            };
            self.run_job(s.due, s.job);
        }
    }

    fn run_job(&mut self, t: DeviceUs, job: Job) {
        match job {
            Job::ProcStart { pid, launcher_uid } => self.job_proc_start(t, pid, launcher_uid),
            Job::ActivityCreated { pid } => self.job_activity_created(t, pid),
            Job::Displayed { pid, start_us } => self.job_displayed(t, pid, start_us),
            Job::Model { pid, action } => self.run_action(t, pid, &action),
            Job::Die { pid, reason } => self.die(t, pid, &reason),
            Job::Burst {
                pid,
                tag,
                text,
                rate,
                start,
                end,
                emitted,
            } => self.job_burst(t, pid, tag, text, rate, start, end, emitted),
        }
    }

    /// Emits the burst lines due by `t` (each at its own time), then reschedules itself.
    #[expect(clippy::too_many_arguments, reason = "the fields of one job")]
    fn job_burst(
        &mut self,
        t: DeviceUs,
        pid: i32,
        tag: String,
        text: String,
        rate: u32,
        start: DeviceUs,
        end: DeviceUs,
        mut emitted: u64,
    ) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        if p.dying {
            return;
        }
        let uid = p.uid;
        let upto = t.min(end);
        let due = ((upto - start).max(0) as u128 * rate as u128 / 1_000_000) as u64;
        while emitted < due {
            emitted += 1;
            let at = start + (emitted as u128 * 1_000_000 / rate as u128) as DeviceUs;
            let msg = text.replace("{n}", &emitted.to_string());
            self.log_at(at, LogId::Main, pid, pid, uid, Priority::Info, &tag, &msg);
        }
        if t < end {
            self.schedule(
                t + 10_000,
                Job::Burst {
                    pid,
                    tag,
                    text,
                    rate,
                    start,
                    end,
                    emitted,
                },
            );
        }
    }

    // ---------------------------------------------------------------- views for commands

    /// `(uid, state)` pairs to dump, optionally for one package.
    pub fn appops_uids(&self, pkg: Option<&str>) -> Result<Vec<(i32, UidInfo)>, UnknownPackage> {
        match pkg {
            Some(p) => {
                let Some(package) = self.packages.get(p) else {
                    return Err(UnknownPackage(p.to_owned()));
                };
                Ok(vec![(
                    package.uid,
                    UidInfo {
                        state: self.uid_state(package.uid),
                    },
                )])
            }
            None => Ok(self
                .appops
                .uids()
                .into_iter()
                .map(|u| {
                    (
                        u,
                        UidInfo {
                            state: self.uid_state(u),
                        },
                    )
                })
                .collect()),
        }
    }
}

impl Proc {
    fn new(pid: i32, uid: i32, name: &str, kind: ProcKind, start_us: DeviceUs) -> Proc {
        Proc {
            pid,
            uid,
            name: name.to_owned(),
            kind,
            start_us,
            killed: None,
            ppid: if kind == ProcKind::App {
                PID_ZYGOTE
            } else {
                PID_INIT
            },
            ipc: BTreeMap::new(),
            tracking: false,
            cache: HashSet::new(),
            bg_tid: pid + 1,
            created: false,
            displayed: false,
            token: 0,
            component: None,
            dying: false,
        }
    }
}

/// A frame as printed after `at `: the model's text, with `(Unknown Source:N)` added when
/// it has no source position.
pub fn frame(f: &str) -> String {
    let f = f.trim().trim_start_matches("at ").trim();
    if f.contains('(') {
        f.to_owned()
    } else {
        format!("{f}(Unknown Source:{})", fnv(f) % 200)
    }
}

fn file_line(frame: &str) -> (String, i64) {
    let inner = frame
        .rsplit_once('(')
        .map(|(_, r)| r.trim_end_matches(')'))
        .unwrap_or("");
    match inner.rsplit_once(':') {
        Some((file, line)) => (file.to_owned(), line.parse().unwrap_or(0)),
        None => (inner.to_owned(), 0),
    }
}

fn short_tag(pkg: &str) -> String {
    let last = pkg.rsplit('.').next().unwrap_or(pkg);
    last.chars().take(23).collect()
}

fn exception_text(api: &Api, msg: &str, model: &[String]) -> String {
    let mut s = format!("java.lang.SecurityException: {msg}");
    for f in [
        "android.os.Parcel.createExceptionOrNull(Parcel.java:3023)",
        "android.os.Parcel.createException(Parcel.java:3007)",
        "android.os.Parcel.readException(Parcel.java:2990)",
        "android.os.Parcel.readException(Parcel.java:2932)",
    ] {
        s.push_str(&format!("\n\tat {f}"));
    }
    for f in api.frames {
        s.push_str(&format!("\n\tat {f}"));
    }
    for f in model {
        s.push_str(&format!("\n\tat {}", frame(f)));
    }
    s
}
