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
use super::clock::{DeviceUs, TimeZone};
use super::fs::MemFs;
use super::logs::{LogId, LogStore, Priority};
use super::model::{AccessSpec, Action, AppModel, Crash};
use super::rng::{Rng, fnv};
use super::ui::{self, Node, Tap};

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

/// A network contact made by an app (written as packets while a capture runs:
/// [`crate::capture`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRecord {
    pub time_us: DeviceUs,
    pub pid: i32,
    pub uid: i32,
    pub package: String,
    pub host: String,
    pub port: u16,
    pub protocol: String,
}

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
    pub profile: super::profile::DeviceProfile,
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

/// Options for a new world.
#[derive(Debug, Clone)]
pub struct WorldSetup {
    pub seed: u64,
    pub tz: TimeZone,
    pub model_name: String,
    pub serial: String,
    pub locale: String,
    /// What kind of handset this is (API level, build type, vendor).
    pub profile: super::profile::DeviceProfile,
}

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
        };
        w.props = super::props::default_props(setup);
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

    // ---------------------------------------------------------------- processes

    /// A new pid (shared by apps and shell commands, as on Linux).
    pub fn alloc_pid(&mut self) -> i32 {
        self.next_pid += 1 + self.rng.range(0, 3) as i32;
        if self.next_pid > 32_000 {
            self.next_pid = 3100;
        }
        while self.procs.contains_key(&self.next_pid) {
            self.next_pid += 1;
        }
        self.next_pid
    }

    /// Registers a shell process (for `$$`, `ps`, `kill`).
    pub fn add_shell_proc(
        &mut self,
        name: &str,
        t: DeviceUs,
        flag: Arc<AtomicI32>,
        ppid: i32,
    ) -> i32 {
        let pid = self.alloc_pid();
        let mut p = Proc::new(pid, 2000, name, ProcKind::Shell, t);
        p.killed = Some(flag);
        p.ppid = ppid;
        self.procs.insert(pid, p);
        pid
    }

    /// The running app process of a package.
    pub fn app_pid(&self, pkg: &str) -> Option<i32> {
        self.procs
            .values()
            .find(|p| p.kind == ProcKind::App && p.name == pkg && !p.dying)
            .map(|p| p.pid)
    }

    fn model_of(&self, pkg: &str) -> Option<Arc<AppModel>> {
        self.models.get(pkg).cloned()
    }

    fn label_of(&self, pkg: &str) -> String {
        if let Some(l) = self.model_of(pkg).and_then(|m| m.label.clone()) {
            return l;
        }
        self.packages
            .get(pkg)
            .map(|p| p.label.clone())
            .unwrap_or_else(|| pkg.to_owned())
    }

    /// The uid-state an app is in for app-op keys.
    pub fn uid_state(&self, uid: i32) -> UidState {
        let top = self.windows.last();
        let on_top = top.is_some_and(|w| {
            w.pid
                .and_then(|p| self.procs.get(&p))
                .is_some_and(|p| p.uid == uid)
        });
        let launching = self
            .procs
            .values()
            .any(|p| p.uid == uid && p.kind == ProcKind::App && !p.created && !p.dying);
        if on_top || launching {
            UidState::Top
        } else {
            UidState::Cch
        }
    }

    /// `pkg/.Act` short form of a component.
    pub fn short_component(pkg: &str, cls: &str) -> String {
        match cls.strip_prefix(pkg) {
            Some(rest) if rest.starts_with('.') => format!("{pkg}/{rest}"),
            _ => format!("{pkg}/{cls}"),
        }
    }

    /// Starts an activity (am start, monkey, launcher tap). `cls` is fully qualified.
    pub fn start_activity(
        &mut self,
        t: DeviceUs,
        pkg: &str,
        cls: &str,
        intent: &str,
        caller_uid: i32,
    ) -> Result<LaunchOutcome, String> {
        let Some(package) = self.packages.get(pkg) else {
            return Err(format!("Activity class {{{pkg}/{cls}}} does not exist."));
        };
        if !package.activities.iter().any(|a| a == cls) {
            return Err(format!("Activity class {{{pkg}/{cls}}} does not exist."));
        }
        let uid = package.uid;
        let short = World::short_component(pkg, cls);
        self.sys(
            t,
            "ActivityTaskManager",
            Priority::Info,
            &format!("START u0 {{{intent}}} from uid {caller_uid}"),
        );
        if let Some(pid) = self.app_pid(pkg) {
            // bring the task to the front
            let mut moved: Vec<Window> = Vec::new();
            self.windows.retain(|w| {
                if w.pid == Some(pid) {
                    moved.push(w.clone());
                    false
                } else {
                    true
                }
            });
            let has_activity = moved.iter().any(|w| w.kind == WinKind::Activity);
            self.windows.extend(moved);
            if !has_activity {
                let root = self.first_page(pkg);
                self.windows.push(Window {
                    pkg: pkg.to_owned(),
                    pid: Some(pid),
                    kind: WinKind::Activity,
                    screen: None,
                    root,
                });
            }
            return Ok(LaunchOutcome {
                pid,
                state: if has_activity { "HOT" } else { "WARM" },
                start_us: t,
                displayed_us: t + 35_000 + self.rng.range(0, 20) * 1000,
                component_short: short,
                brought_to_front: has_activity,
            });
        }
        let pid = self.alloc_pid();
        let proc_start = t + (8 + self.rng.range(0, 12)) * 1000;
        let model = self.model_of(pkg);
        let launch_ms = model.as_ref().map_or(450, |m| m.launch.0 as i64);
        let jitter = self.rng.range(0, 40);
        let displayed = proc_start + (launch_ms + jitter) * 1000;
        let created = proc_start + ((launch_ms * 3) / 5).max(1) * 1000;
        let mut p = Proc::new(pid, uid, pkg, ProcKind::App, proc_start);
        p.bg_tid = pid + 17 + self.rng.range(0, 30) as i32;
        p.token = 100_000_000 + (self.rng.next_u64() % 150_000_000) as u32;
        p.component = Some(format!("{pkg}/{cls}"));
        p.tracking = self.ipc_tracing;
        self.procs.insert(pid, p);
        self.schedule(
            proc_start,
            Job::ProcStart {
                pid,
                launcher_uid: caller_uid,
            },
        );
        self.schedule(created, Job::ActivityCreated { pid });
        self.schedule(displayed, Job::Displayed { pid, start_us: t });
        if let Some(m) = model {
            for a in m.on_start.clone() {
                let jit = self.rng.range(0, m.jitter.0 as i64);
                self.schedule(
                    proc_start + (a.at.0 as i64 + jit) * 1000,
                    Job::Model {
                        pid,
                        action: Box::new(a),
                    },
                );
            }
        }
        Ok(LaunchOutcome {
            pid,
            state: "COLD",
            start_us: t,
            displayed_us: displayed,
            component_short: short,
            brought_to_front: false,
        })
    }

    fn job_proc_start(&mut self, t: DeviceUs, pid: i32, _caller: i32) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let (uid, name, comp) = (
            p.uid,
            p.name.clone(),
            p.component.clone().unwrap_or_default(),
        );
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_proc_start",
            &format!("[0,{pid},{uid},{name},pre-top-activity,{{{comp}}}]"),
        );
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!(
                "Start proc {pid}:{name}/{} for pre-top-activity {{{comp}}}",
                format_uid(uid)
            ),
        );
        if self.profile.vendor == super::profile::Vendor::Xiaomi {
            // MIUI's vendor app-op noted at every app start (UNVERIFIED: which op and when;
            // the issue only shows that `MIUIOP(10033) (allow):` blocks appear in the dump)
            self.appops.note_access(
                uid,
                &name,
                "MIUIOP(10033)",
                "allow",
                UidState::Top,
                OpFlag::SelfAccess,
                t,
                None,
            );
        }
    }

    fn first_page(&self, pkg: &str) -> Node {
        let label = self.label_of(pkg);
        let model = self.model_of(pkg);
        let screen = model
            .as_ref()
            .and_then(|m| m.first_screen.as_ref().and_then(|s| m.screens.get(s)));
        ui::page(pkg, &label, screen)
    }

    fn job_activity_created(&mut self, t: DeviceUs, pid: i32) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if p.dying {
            return;
        }
        p.created = true;
        let (uid, token, comp, pkg) = (
            p.uid,
            p.token,
            p.component.clone().unwrap_or_default(),
            p.name.clone(),
        );
        let dotted = comp
            .replace('/', ".")
            .replacen(&format!("{pkg}.{pkg}"), &pkg, 1);
        let cls = comp
            .split_once('/')
            .map(|(_, c)| c.to_owned())
            .unwrap_or(dotted);
        for (tag, reason) in [
            ("wm_on_create_called", "performCreate"),
            ("wm_on_start_called", "handleStartActivity"),
            ("wm_on_resume_called", "RESUME_ACTIVITY"),
            (
                "wm_on_top_resumed_gained_called",
                "topStateChangedWhenResumed",
            ),
        ] {
            self.event(t, pid, uid, tag, &format!("[{token},{cls},{reason}]"));
        }
        if !self
            .windows
            .iter()
            .any(|w| w.pid == Some(pid) && w.kind == WinKind::Activity)
        {
            let root = self.first_page(&pkg);
            let screen = self.model_of(&pkg).and_then(|m| m.first_screen.clone());
            // dialogs shown before the activity existed stay above it
            let pos = self
                .windows
                .iter()
                .position(|w| w.pid == Some(pid))
                .unwrap_or(self.windows.len());
            self.windows.insert(
                pos,
                Window {
                    pkg,
                    pid: Some(pid),
                    kind: WinKind::Activity,
                    screen,
                    root,
                },
            );
        }
    }

    fn job_displayed(&mut self, t: DeviceUs, pid: i32, start_us: DeviceUs) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if p.dying {
            return;
        }
        p.displayed = true;
        let (token, comp, pkg) = (
            p.token,
            p.component.clone().unwrap_or_default(),
            p.name.clone(),
        );
        let (_, cls) = comp.split_once('/').unwrap_or(("", ""));
        let short = World::short_component(&pkg, cls);
        let ms = (t - start_us) / 1000;
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "wm_activity_launch_time",
            &format!("[0,{token},{short},{ms}]"),
        );
        self.sys(
            t,
            "ActivityTaskManager",
            Priority::Info,
            &format!(
                "Displayed {short}: {}",
                super::clock::format_duration_ms(ms)
            ),
        );
    }

    /// Whether the process has drawn its first frame (or is gone).
    pub fn launch_settled(&self, pid: i32) -> bool {
        self.procs.get(&pid).is_none_or(|p| p.displayed)
    }

    /// Kills an app process now (force-stop, uninstall, clear).
    pub fn kill_app(&mut self, t: DeviceUs, pkg: &str, reason: &str, caller_pid: i32) {
        let Some(pid) = self.app_pid(pkg) else { return };
        let uid = self.procs.get(&pid).map_or(0, |p| p.uid);
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!("Force stopping {pkg} appid={uid} user=0: {reason}"),
        );
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!(
                "Killing {pid}:{pkg}/{} (adj 0): stop {pkg} due to from pid {caller_pid}",
                format_uid(uid)
            ),
        );
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_kill",
            &format!("[0,{pid},{pkg},0,stop {pkg} due to from pid {caller_pid}]"),
        );
        self.remove_proc(t, pid);
    }

    fn remove_proc(&mut self, t: DeviceUs, pid: i32) {
        let Some(p) = self.procs.remove(&pid) else {
            return;
        };
        self.windows.retain(|w| w.pid != Some(pid));
        self.appops.finish_all(p.uid);
        self.log_at(
            t,
            LogId::Main,
            PID_ZYGOTE,
            PID_ZYGOTE,
            0,
            Priority::Info,
            "Zygote",
            &format!("Process {pid} exited due to signal 9 (Killed)"),
        );
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_proc_died",
            &format!("[0,{pid},{},0,2]", p.name),
        );
    }

    fn die(&mut self, t: DeviceUs, pid: i32, reason: &str) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let name = p.name.clone();
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!("Process {name} (pid {pid}) has died: {reason}"),
        );
        self.remove_proc(t, pid);
    }

    /// Sends `sig` to a shell process (`kill PID`): records it for the process to see.
    pub fn signal_shell(&mut self, pid: i32, sig: i32) -> bool {
        match self.procs.get(&pid).and_then(|p| p.killed.as_ref()) {
            Some(f) => {
                if sig != 0 {
                    let _ = f.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
                }
                true
            }
            None => false,
        }
    }

    // ---------------------------------------------------------------- model actions

    fn start_phase(&mut self, t: DeviceUs, pid: i32, phase: &str) {
        let Some(pkg) = self.procs.get(&pid).map(|p| p.name.clone()) else {
            return;
        };
        let Some(m) = self.model_of(&pkg) else { return };
        let Some(list) = m.phases.get(phase) else {
            return;
        };
        for a in list.clone() {
            let jit = self.rng.range(0, m.jitter.0 as i64);
            // at least 1 ms after the trigger: a phase that starts itself cannot spin in zero
            // device time
            self.schedule(
                t + ((a.at.0 as i64 + jit) * 1000).max(1000),
                Job::Model {
                    pid,
                    action: Box::new(a),
                },
            );
        }
    }

    fn run_action(&mut self, t: DeviceUs, pid: i32, a: &Action) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        if p.dying {
            return;
        }
        let pkg = p.name.clone();
        let uid = p.uid;
        let flags = self
            .packages
            .get(&pkg)
            .map(|p| p.flags.clone())
            .unwrap_or_default();
        if a.when.as_ref().is_some_and(|f| !flags.contains(f))
            || a.unless.as_ref().is_some_and(|f| flags.contains(f))
        {
            return;
        }
        let model = self.model_of(&pkg);
        let default_tag = model
            .as_ref()
            .and_then(|m| m.log_tag.clone())
            .unwrap_or_else(|| short_tag(&pkg));
        if let Some(l) = &a.log {
            let prio = l
                .priority
                .as_ref()
                .and_then(|p| p.chars().next())
                .and_then(Priority::from_letter)
                .unwrap_or(Priority::Info);
            let buf = l
                .buffer
                .as_deref()
                .and_then(LogId::from_name)
                .unwrap_or(LogId::Main);
            let tag = l.tag.clone().unwrap_or(default_tag);
            self.log_at(t, buf, pid, pid, uid, prio, &tag, &l.text);
        } else if let Some(b) = &a.log_burst {
            let tag = b.tag.clone().unwrap_or(default_tag);
            let end = t + (b.duration.0 as DeviceUs) * 1000;
            self.schedule(
                t,
                Job::Burst {
                    pid,
                    tag,
                    text: b.text.clone(),
                    rate: b.rate,
                    start: t,
                    end,
                    emitted: 0,
                },
            );
        } else if let Some(acc) = &a.access {
            self.do_access(t, pid, acc, &default_tag);
        } else if let Some(s) = &a.show {
            self.show_screen(pid, s);
        } else if let Some(r) = &a.request_permission {
            self.request_permission(t, pid, &r.permission, r.on_grant.clone(), r.on_deny.clone());
        } else if let Some(g) = &a.goto {
            self.start_phase(t, pid, g);
        } else if let Some(c) = &a.contact {
            if self.net.len() >= MAX_NET_RECORDS {
                self.net.remove(0);
            }
            let rec = NetRecord {
                time_us: t,
                pid,
                uid,
                package: pkg,
                host: c.host.clone(),
                port: c.port,
                protocol: c.protocol.clone().unwrap_or_else(|| "tls".into()),
            };
            if let Some(cap) = self.capture.as_mut() {
                cap.record(&rec);
            }
            self.net.push(rec);
        } else if let Some(c) = &a.crash {
            self.crash(t, pid, c);
        } else if a.exit == Some(true) {
            self.exit_app(t, pid);
        } else if let Some(f) = &a.set
            && let Some(p) = self.packages.get_mut(&pkg)
        {
            p.flags.insert(f.clone());
        }
    }

    fn exit_app(&mut self, t: DeviceUs, pid: i32) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.dying = true;
        }
        self.windows.retain(|w| w.pid != Some(pid));
        self.schedule(
            t + 60_000,
            Job::Die {
                pid,
                reason: "cch+5 CEM".into(),
            },
        );
    }

    fn crash(&mut self, t: DeviceUs, pid: i32, c: &Crash) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        p.dying = true;
        let (uid, pkg, comp) = (
            p.uid,
            p.name.clone(),
            p.component.clone().unwrap_or_default(),
        );
        let msg = c.message.clone().unwrap_or_default();
        let head = if msg.is_empty() {
            c.exception.clone()
        } else {
            format!("{}: {msg}", c.exception)
        };
        let mut text = format!("FATAL EXCEPTION: main\nProcess: {pkg}, PID: {pid}\n{head}");
        for f in &c.stack {
            text.push_str(&format!("\n\tat {}", frame(f)));
        }
        self.log_at(
            t,
            LogId::Crash,
            pid,
            pid,
            uid,
            Priority::Error,
            "AndroidRuntime",
            &text,
        );
        let (file, line) = c
            .stack
            .first()
            .map(|f| file_line(&frame(f)))
            .unwrap_or(("Unknown Source".into(), 0));
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_crash",
            &format!(
                "[0,{pid},{pkg},952647236,{},{msg},{file},{line},0]",
                c.exception
            ),
        );
        let (_, cls) = comp.split_once('/').unwrap_or(("", ""));
        let short = World::short_component(&pkg, cls);
        self.sys(
            t,
            "ActivityTaskManager",
            Priority::Warn,
            &format!("  Force finishing activity {short}"),
        );
        self.log_at(
            t,
            LogId::Main,
            pid,
            pid,
            uid,
            Priority::Info,
            "Process",
            &format!("Sending signal. PID: {pid} SIG: 9"),
        );
        self.windows.retain(|w| w.pid != Some(pid));
        let delay = 40_000 + self.rng.range(0, 40) * 1000;
        self.schedule(
            t + delay,
            Job::Die {
                pid,
                reason: "fg  TOP".into(),
            },
        );
    }

    fn show_screen(&mut self, pid: i32, name: &str) {
        let Some(pkg) = self.procs.get(&pid).map(|p| p.name.clone()) else {
            return;
        };
        let Some(m) = self.model_of(&pkg) else { return };
        let Some(screen) = m.screens.get(name) else {
            return;
        };
        let label = self.label_of(&pkg);
        if screen.kind == "page" {
            let root = ui::page(&pkg, &label, Some(screen));
            self.windows
                .retain(|w| !(w.pid == Some(pid) && w.kind == WinKind::Dialog));
            if let Some(w) = self
                .windows
                .iter_mut()
                .find(|w| w.pid == Some(pid) && w.kind == WinKind::Activity)
            {
                w.root = root;
                w.screen = Some(name.to_owned());
            } else {
                self.windows.push(Window {
                    pkg,
                    pid: Some(pid),
                    kind: WinKind::Activity,
                    screen: Some(name.to_owned()),
                    root,
                });
            }
        } else {
            self.windows
                .retain(|w| !(w.pid == Some(pid) && w.kind == WinKind::Dialog));
            let root = ui::dialog(&pkg, screen);
            self.windows.push(Window {
                pkg,
                pid: Some(pid),
                kind: WinKind::Dialog,
                screen: Some(name.to_owned()),
                root,
            });
        }
    }

    fn request_permission(
        &mut self,
        t: DeviceUs,
        pid: i32,
        perm: &str,
        on_grant: Option<String>,
        on_deny: Option<String>,
    ) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let (uid, pkg) = (p.uid, p.name.clone());
        self.record_ipc(pid, &[
            "android.app.IActivityTaskManager$Stub$Proxy.startActivity(IActivityTaskManager.java:2293)",
            "android.app.Instrumentation.execStartActivity(Instrumentation.java:1758)",
            "android.app.Activity.startActivityForResult(Activity.java:5404)",
            "android.app.Activity.requestPermissions(Activity.java:5596)",
        ], &[], true);
        let (requested, granted) = self
            .packages
            .get(&pkg)
            .map(|p| {
                (
                    p.requested.iter().any(|r| r == perm),
                    p.granted.contains(perm),
                )
            })
            .unwrap_or((false, false));
        if granted || !requested {
            // no dialog: the answer comes back at once
            let next = if granted { on_grant } else { on_deny };
            if let Some(ph) = next {
                self.start_phase(t, pid, &ph);
            }
            return;
        }
        self.sys(t, "ActivityTaskManager", Priority::Info, &format!(
            "START u0 {{act=android.content.pm.action.REQUEST_PERMISSIONS pkg={PERMCTRL_PKG} cmp={PERMCTRL_PKG}/{GRANT_ACTIVITY} (has extras)}} from uid {uid}"
        ));
        let label = self.label_of(&pkg);
        self.windows.push(Window {
            pkg: PERMCTRL_PKG.to_owned(),
            pid: Some(pid),
            kind: WinKind::Permission {
                perm: perm.to_owned(),
                on_grant,
                on_deny,
            },
            screen: None,
            root: ui::permission_dialog(&label, perm),
        });
    }

    // ---------------------------------------------------------------- UI input

    /// The top window's content (the launcher's is built from the installed apps).
    pub fn top_root(&self) -> Node {
        match self.windows.last() {
            Some(w) => self.window_root(w),
            None => ui::launcher(&[]),
        }
    }

    /// A window's content.
    pub fn window_root(&self, w: &Window) -> Node {
        if w.kind == WinKind::Launcher {
            let apps: Vec<(String, String)> = self
                .packages
                .values()
                .filter(|p| !p.system && p.main_activity.is_some())
                .map(|p| (p.name.clone(), self.label_of(&p.name)))
                .collect();
            ui::launcher(&apps)
        } else {
            w.root.clone()
        }
    }

    /// `input tap X Y`.
    pub fn tap(&mut self, t: DeviceUs, x: i32, y: i32) {
        let Some(top) = self.windows.last().cloned() else {
            return;
        };
        let root = self.window_root(&top);
        let Some(action) = root.hit(x, y).cloned() else {
            return;
        };
        self.apply_tap(t, &top, action);
    }

    fn apply_tap(&mut self, t: DeviceUs, win: &Window, action: Tap) {
        let pid = win.pid.unwrap_or(0);
        let is_dialog = win.kind == WinKind::Dialog;
        match action {
            Tap::Nothing => {}
            Tap::Goto(phase) => {
                if is_dialog {
                    self.pop_window(win);
                }
                self.start_phase(t, pid, &phase);
            }
            Tap::Show(screen) => self.show_screen(pid, &screen),
            Tap::Exit => self.exit_app(t, pid),
            Tap::PermAllow | Tap::PermDeny => {
                let WinKind::Permission {
                    perm,
                    on_grant,
                    on_deny,
                } = &win.kind
                else {
                    return;
                };
                self.pop_window(win);
                let allow = action == Tap::PermAllow;
                let pkg = self.procs.get(&pid).map(|p| p.name.clone());
                if allow && let Some(pkg) = pkg {
                    self.grant(&pkg, perm);
                }
                let next = if allow {
                    on_grant.clone()
                } else {
                    on_deny.clone()
                };
                if let Some(ph) = next {
                    self.start_phase(t, pid, &ph);
                }
            }
            Tap::Launch(pkg) => {
                if let Some(cls) = self
                    .packages
                    .get(&pkg)
                    .and_then(|p| p.main_activity.clone())
                {
                    let intent = format!(
                        "act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 cmp={} bnds=[{},{}][{},{}]",
                        World::short_component(&pkg, &cls),
                        100,
                        400,
                        300,
                        660
                    );
                    let _ = self.start_activity(t, &pkg, &cls, &intent, 10_113);
                }
            }
        }
    }

    fn pop_window(&mut self, win: &Window) {
        if let Some(i) = self
            .windows
            .iter()
            .rposition(|w| w.pid == win.pid && w.kind == win.kind)
        {
            self.windows.remove(i);
        }
    }

    /// `input keyevent` BACK (4) / HOME (3).
    pub fn key(&mut self, t: DeviceUs, code: i32) {
        let Some(top) = self.windows.last().cloned() else {
            return;
        };
        match code {
            3 => {
                if let Some(i) = self
                    .windows
                    .iter()
                    .position(|w| w.kind == WinKind::Launcher)
                {
                    let l = self.windows.remove(i);
                    self.windows.push(l);
                }
            }
            4 => {
                let pid = top.pid.unwrap_or(0);
                let on_back = top.screen.as_ref().and_then(|s| {
                    let pkg = self.procs.get(&pid).map(|p| p.name.clone())?;
                    self.model_of(&pkg)?.screens.get(s)?.on_back.clone()
                });
                match &top.kind {
                    WinKind::Launcher => {}
                    WinKind::Permission { .. } => self.apply_tap(t, &top, Tap::PermDeny),
                    WinKind::Dialog => {
                        if let Some(ph) = on_back {
                            self.pop_window(&top);
                            self.start_phase(t, pid, &ph);
                        }
                    }
                    WinKind::Activity => {
                        if let Some(ph) = on_back {
                            self.start_phase(t, pid, &ph);
                        } else {
                            self.pop_window(&top);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    // ---------------------------------------------------------------- permissions

    /// Grants a runtime permission (no checks).
    pub fn grant(&mut self, pkg: &str, perm: &str) {
        let Some(p) = self.packages.get_mut(pkg) else {
            return;
        };
        p.granted.insert(perm.to_owned());
        let uid = p.uid;
        let ops = ops_of_permission(perm);
        self.appops.set_mode_for(uid, &ops, "allow");
    }

    /// Revokes a runtime permission; the app is killed (as Android does).
    pub fn revoke(&mut self, t: DeviceUs, pkg: &str, perm: &str) {
        let Some(p) = self.packages.get_mut(pkg) else {
            return;
        };
        let had = p.granted.remove(perm);
        let uid = p.uid;
        let ops = ops_of_permission(perm);
        self.appops.set_mode_for(uid, &ops, "ignore");
        if had && let Some(pid) = self.app_pid(pkg) {
            self.sys(
                t,
                "ActivityManager",
                Priority::Info,
                &format!(
                    "Killing {pid}:{pkg}/{} (adj 0): permissions revoked",
                    format_uid(uid)
                ),
            );
            self.remove_proc(t, pid);
        }
    }

    fn granted(&self, pkg: &str, perm: &str) -> bool {
        self.packages
            .get(pkg)
            .is_some_and(|p| p.granted.contains(perm))
    }

    // ---------------------------------------------------------------- IPC trace

    fn record_ipc(&mut self, pid: i32, api_frames: &[&str], model_frames: &[String], main: bool) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if !p.tracking {
            return;
        }
        let mut s = String::from("java.lang.Throwable\n");
        s.push_str(&format!("\tat {TRACE_HEAD}\n"));
        for f in api_frames {
            s.push_str(&format!("\tat {f}\n"));
        }
        for f in model_frames {
            s.push_str(&format!("\tat {}\n", frame(f)));
        }
        for f in if main { MAIN_TAIL } else { BG_TAIL } {
            s.push_str(&format!("\tat {f}\n"));
        }
        *p.ipc.entry(s).or_insert(0) += 1;
    }

    /// `am trace-ipc start`.
    pub fn ipc_start(&mut self) {
        self.ipc_tracing = true;
        for p in self.procs.values_mut() {
            if p.kind != ProcKind::Shell {
                p.tracking = true;
                p.ipc.clear();
            }
        }
    }

    /// `am trace-ipc stop`: the dump text, or `None` when tracing was off.
    pub fn ipc_stop(&mut self) -> Option<String> {
        if !self.ipc_tracing {
            return None;
        }
        self.ipc_tracing = false;
        let mut out = String::from("Binder transaction traces for all processes.\n\n");
        // AMS `processSanityChecksLPr`: a process is dumped only if
        // `Build.IS_DEBUGGABLE || process.isDebuggable()`; the others are skipped silently
        // (no `Traces for process:` line at all).
        let build_debuggable = self.profile.debuggable();
        let debuggable_apps: HashSet<String> = self
            .models
            .values()
            .filter(|m| m.debuggable)
            .map(|m| m.package.clone())
            .collect();
        let mut procs: Vec<&mut Proc> = self
            .procs
            .values_mut()
            .filter(|p| {
                p.kind != ProcKind::Shell
                    && (p.kind == ProcKind::App
                        || p.uid >= 1000
                            && p.name != "logd"
                            && p.name != "adbd"
                            && p.name != "cameraserver")
            })
            .filter(|p| {
                build_debuggable || p.kind == ProcKind::App && debuggable_apps.contains(&p.name)
            })
            .collect();
        procs.sort_by_key(|p| (p.kind == ProcKind::App, p.start_us, p.pid));
        for p in procs {
            out.push_str(&format!("Traces for process: {}\n", p.name));
            for (trace, count) in &p.ipc {
                out.push_str(&format!("Count: {count}\nTrace: {trace}\n\n"));
            }
            p.ipc.clear();
            p.tracking = false;
        }
        Some(out)
    }

    // ---------------------------------------------------------------- accesses

    fn do_access(&mut self, t: DeviceUs, pid: i32, spec: &AccessSpec, default_tag: &str) {
        let Some(api) = apis::lookup(&spec.api) else {
            return;
        };
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let (uid, pkg) = (p.uid, p.name.clone());
        let main = spec.thread.as_deref() != Some("background");
        let tid = if main { pid } else { p.bg_tid };
        let state = self.uid_state(uid);
        let cached = api.cached && p.cache.contains(api.name);
        let first_use = !api.first_use_frames.is_empty()
            && !p.cache.contains(&format!("provider:{}", api.name));
        let mut denied: Option<String> = None;
        match api.rule {
            Rule::Open => {
                if !cached {
                    self.record_ipc(pid, api.frames, &spec.stack, main);
                }
            }
            Rule::DeviceIdentifier { method, logger } => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                // TelephonyPermissions.checkReadDeviceIdentifiers notes this op from
                // Android 10 (API 29) on; older releases have no such op
                if self.profile.api >= 29 {
                    self.appops.note_reject(
                        uid,
                        &pkg,
                        "READ_DEVICE_IDENTIFIERS",
                        "default",
                        state,
                        t,
                    );
                }
                if self.reported_ids.insert((pkg.clone(), method.to_owned())) {
                    let (lp, lu) = match logger {
                        Logger::Phone => (PID_PHONE, 1001),
                        Logger::SystemServer => (PID_SYSTEM, 1000),
                    };
                    let line = format!(
                        "reportAccessDeniedToReadIdentifiers:{pkg}:{method}:{}",
                        if logger == Logger::Phone { "1" } else { "-1" }
                    );
                    self.log_at(
                        t,
                        LogId::Main,
                        lp,
                        lp + 30,
                        lu,
                        Priority::Warn,
                        "TelephonyPermissions",
                        &line,
                    );
                }
                denied = Some(format!(
                    "{method}: The user {uid} does not meet the requirements to access device identifiers."
                ));
            }
            Rule::Location { monitor } => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                let fine = self.granted(&pkg, "android.permission.ACCESS_FINE_LOCATION");
                let coarse = self.granted(&pkg, "android.permission.ACCESS_COARSE_LOCATION");
                if fine || coarse {
                    let op = if fine {
                        "FINE_LOCATION"
                    } else {
                        "COARSE_LOCATION"
                    };
                    self.appops.note_access(
                        uid,
                        &pkg,
                        op,
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                    if monitor {
                        self.appops
                            .start_op(uid, &pkg, "MONITOR_LOCATION", "allow", state, t);
                    }
                } else {
                    denied = Some(format!(
                        "uid {uid} does not have android.permission.ACCESS_COARSE_LOCATION or android.permission.ACCESS_FINE_LOCATION."
                    ));
                }
            }
            Rule::CellInfo => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if self.granted(&pkg, "android.permission.ACCESS_FINE_LOCATION") {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "FINE_LOCATION",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else {
                    denied = Some("Not allowed to access cell info".into());
                }
            }
            Rule::WifiInfo | Rule::WifiScan => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if self.granted(&pkg, "android.permission.ACCESS_FINE_LOCATION") {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "FINE_LOCATION",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "WIFI_SCAN",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else if api.rule == Rule::WifiScan {
                    self.sys(t, "WifiService", Priority::Warn, &format!(
                        "Permission violation - getScanResults not allowed for uid={uid}, packageName={pkg}, reason=java.lang.SecurityException: UID {uid} has no location permission"
                    ));
                }
            }
            Rule::Provider {
                permission,
                write_permission,
                op,
                provider_class,
                provider_pkg,
                refused_on_acquire,
                uri,
            } => {
                if first_use {
                    self.record_ipc(pid, api.first_use_frames, &spec.stack, main);
                }
                let ok = self.granted(&pkg, permission);
                let provider_uid = self.packages.get(provider_pkg).map_or(1000, |p| p.uid);
                if ok {
                    if let Some(p) = self.procs.get_mut(&pid) {
                        p.cache.insert(format!("provider:{}", api.name));
                    }
                    self.record_ipc(pid, api.frames, &spec.stack, main);
                    let proxy = format!(
                        "proxy[uid={provider_uid}, pkg={provider_pkg}, attributionTag=null]"
                    );
                    self.appops.note_access(
                        uid,
                        &pkg,
                        op,
                        "allow",
                        state,
                        OpFlag::TrustedProxied,
                        t,
                        Some(proxy),
                    );
                } else if refused_on_acquire {
                    let hash = format!("{:07x}", fnv(&format!("{pid}{pkg}")) & 0xfff_ffff);
                    let msg = format!(
                        "Permission Denial: opening provider {provider_class} from ProcessRecord{{{hash} {pid}:{pkg}/{}}} (pid={pid}, uid={uid}) requires {permission} or {write_permission}",
                        format_uid(uid)
                    );
                    self.sys(t, "ActivityManager", Priority::Warn, &msg);
                    denied = Some(msg);
                } else {
                    if let Some(p) = self.procs.get_mut(&pid) {
                        p.cache.insert(format!("provider:{}", api.name));
                    }
                    self.record_ipc(pid, api.frames, &spec.stack, main);
                    let msg = format!(
                        "Permission Denial: reading {provider_class} uri {uri} from pid={pid}, uid={uid} requires {permission}, or grantUriPermission()"
                    );
                    let text = format!(
                        "Writing exception to parcel\njava.lang.SecurityException: {msg}\n\tat android.content.ContentProvider.enforceReadPermissionInner(ContentProvider.java:1031)\n\tat android.content.ContentProvider$Transport.enforceReadPermission(ContentProvider.java:761)\n\tat android.content.ContentProvider$Transport.query(ContentProvider.java:267)\n\tat android.content.ContentProviderNative.onTransact(ContentProviderNative.java:107)\n\tat android.os.Binder.execTransactInternal(Binder.java:1285)\n\tat android.os.Binder.execTransact(Binder.java:1244)"
                    );
                    self.log_at(
                        t,
                        LogId::Main,
                        PID_PHONE,
                        PID_PHONE + 41,
                        1001,
                        Priority::Error,
                        "DatabaseUtils",
                        &text,
                    );
                    denied = Some(msg);
                }
            }
            Rule::Clipboard => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if state == UidState::Top {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "READ_CLIPBOARD",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else {
                    self.sys(t, "ClipboardService", Priority::Error, &format!("Denying clipboard access to {pkg}, application is not in focus nor is it a system service for user 0"));
                }
            }
            Rule::PhoneNumber => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                let ok = [
                    "android.permission.READ_PHONE_NUMBERS",
                    "android.permission.READ_SMS",
                ]
                .iter()
                .any(|p| self.granted(&pkg, p));
                if ok {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "READ_PHONE_NUMBERS",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else {
                    denied = Some(format!(
                        "getLine1NumberForDisplay: Neither user {uid} nor current process has android.permission.READ_PHONE_STATE, android.permission.READ_SMS, or android.permission.READ_PHONE_NUMBERS"
                    ));
                }
            }
            Rule::UsageStats => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                self.appops
                    .note_reject(uid, &pkg, "GET_USAGE_STATS", "default", state, t);
            }
            Rule::Camera => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if self.granted(&pkg, "android.permission.CAMERA") {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "CAMERA",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                    self.log_at(t, LogId::Main, PID_CAMERA, PID_CAMERA + 12, 1047, Priority::Info, "CameraService", &format!("CameraService::connect call (PID {pid} \"{pkg}\", camera ID 0) and Camera API version 2"));
                } else {
                    self.log_at(
                        t,
                        LogId::Main,
                        PID_CAMERA,
                        PID_CAMERA + 12,
                        1047,
                        Priority::Error,
                        "CameraService",
                        &format!("Permission Denial: can't use the camera pid={pid}, uid={uid}"),
                    );
                    denied = Some(format!(
                        "validateClientPermissionsLocked:1297: Caller \"{pkg}\" (PID {uid}, UID {pid}) cannot open camera \"0\" without camera permission"
                    ));
                }
            }
        }
        if api.cached
            && let Some(p) = self.procs.get_mut(&pid)
        {
            p.cache.insert(api.name.to_owned());
        }
        if let (Some(msg), true) = (denied, spec.log_exception) {
            let tag = spec
                .exception_tag
                .clone()
                .unwrap_or_else(|| default_tag.to_owned());
            let text = exception_text(api, &msg, &spec.stack);
            self.log_at(t, LogId::Main, pid, tid, uid, Priority::Warn, &tag, &text);
        }
    }

    // ---------------------------------------------------------------- views for commands

    /// `(uid, state)` pairs to dump, optionally for one package.
    pub fn appops_uids(&self, pkg: Option<&str>) -> Result<Vec<(i32, UidInfo)>, String> {
        match pkg {
            Some(p) => {
                let Some(package) = self.packages.get(p) else {
                    return Err(format!("Unknown package: {p}"));
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

/// Renders the display: the topmost full-screen window and everything above it.
pub fn render(w: &World, clock_text: &str) -> super::png::Canvas {
    use super::png::Canvas;
    let mut c = Canvas::new(
        ui::SCREEN_W as usize,
        ui::SCREEN_H as usize,
        [248, 249, 250],
    );
    let base = w
        .windows
        .iter()
        .rposition(|win| matches!(win.kind, WinKind::Launcher | WinKind::Activity))
        .unwrap_or(0);
    for (i, win) in w.windows.iter().enumerate().skip(base) {
        let root = w.window_root(win);
        if i > base {
            c.dim(0, 0, ui::SCREEN_W, ui::SCREEN_H, 110);
        } else if win.kind == WinKind::Launcher {
            c.fill(0, 0, ui::SCREEN_W, ui::SCREEN_H, [200, 215, 235]);
        }
        ui::draw(&mut c, &root);
    }
    c.fill(0, 0, ui::SCREEN_W, ui::STATUS_H, [20, 20, 24]);
    c.draw_text(48, 40, clock_text, 6, [255, 255, 255]);
    c.draw_text(
        ui::SCREEN_W - 48 - 6 * 6 * 9,
        40,
        "SIMULATED",
        6,
        [255, 196, 0],
    );
    c
}

/// The app-ops whose uid mode follows a runtime permission (granting sets them `allow`,
/// revoking `ignore`).
fn ops_of_permission(perm: &str) -> Vec<&'static str> {
    [
        "COARSE_LOCATION",
        "FINE_LOCATION",
        "MONITOR_LOCATION",
        "WIFI_SCAN",
        "READ_CONTACTS",
        "READ_CALL_LOG",
        "READ_CALENDAR",
        "READ_SMS",
        "CAMERA",
        "RECORD_AUDIO",
        "READ_PHONE_STATE",
        "READ_PHONE_NUMBERS",
    ]
    .into_iter()
    .filter(|op| apis::op_permission(op) == Some(perm))
    .collect()
}
