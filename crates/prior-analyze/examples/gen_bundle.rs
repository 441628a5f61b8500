//! Writes a session bundle with a large synthetic logcat for the analyzer benchmark
//! (`benches/analyze-1gb.sh`).
//!
//! `cargo run --release -p prior-analyze --example gen_bundle -- OUT_DIR [SIZE_MB]`
//!
//! The logcat is in the recorder's layout (`-v epoch,uid,usec,printable` threadtime, buffer
//! dividers) with a realistic mix: system_server chatter, other apps, the app under test,
//! events-buffer lines, native daemons, and a small share of the lines Prior looks for
//! (identifier and clipboard denials, Wi-Fi scans, process starts, `Displayed`, permission
//! dialogs) about the app and about other apps. The consent markers sit 40% of the way in.
//! The output is deterministic (fixed-seed xorshift). The bundle is left unsealed (no
//! MANIFEST.sha256) so that the benchmark times the analysis, not the hashing.

use prior_model::bundle::{AppInfo, BundleWriter, ConsentAction, DeviceInfo, HarnessRecord, Meta};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

const PACKAGE: &str = "com.example.leakyshop";
const UID: u32 = 10123;
const PID: u32 = 4567;
const T0: i64 = 1_795_894_200_000_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const SYSTEM_TAGS: &[(&str, &str)] = &[
    (
        "ActivityManager",
        "Killing 3120:com.android.vending/u0a41 (adj 985): empty for 1803s",
    ),
    ("ActivityManager", "Changes in 10091 4 to 19, 0 to 0"),
    (
        "WindowManager",
        "Changing focus from Window{4f1c2a8 u0 NotificationShade} to null displayId=0",
    ),
    (
        "InputDispatcher",
        "Focus left window (0): 4f1c2a8 NotificationShade",
    ),
    (
        "PackageManager",
        "getPackageInfo: com.google.android.gms not visible to 10091",
    ),
    (
        "JobScheduler",
        "Job 7243 from com.google.android.gms/.chimera.GmsIntentOperationService is ready",
    ),
    (
        "ConnectivityService",
        "NetworkAgentInfo [WIFI () - 101] validation passed",
    ),
    (
        "BatteryStatsService",
        "In wakeup_callback: resumed from suspend",
    ),
    (
        "AlarmManager",
        "Alarm: com.google.android.gms ELAPSED_WAKEUP #1 at 1800000",
    ),
    (
        "PowerManagerService",
        "Acquiring suspend blocker \"PowerManagerService.Display\"",
    ),
    (
        "ActivityTaskManager",
        "Activity top resumed state loss timeout for ActivityRecord{8a1b2c u0 com.android.launcher3/.uioverrides.QuickstepLauncher t7}",
    ),
    (
        "NotificationService",
        "Suppressing notification from package com.google.android.apps.messaging by user request",
    ),
    ("UsageStatsService", "Time changed in by -1 seconds"),
    ("WifiService", "getWifiEnabledState uid=10091"),
    (
        "AppOps",
        "Noting op not finished: uid 10091 pkg com.google.android.gms code 41 time=1795894200000 duration=0",
    ),
    (
        "SurfaceFlinger",
        "Finished setting power mode 2 on display 4619827259835644672",
    ),
    (
        "WifiClientModeImpl",
        "L2ConnectedState: CMD_RSSI_POLL rssi=-50 linkspeed=1000",
    ),
    ("StorageManagerService", "Thermal status 0"),
    ("DeviceIdleController", "Motion detected; moving to ACTIVE"),
    ("BluetoothManagerService", "Bluetooth boot completed"),
];

const APP_TAGS: &[(&str, &str)] = &[
    (
        "OkHttp",
        "--> GET https://api.example-shop.cn/v2/catalog?page=3 http/1.1",
    ),
    (
        "OkHttp",
        "<-- 200 OK https://api.example-shop.cn/v2/catalog?page=3 (142ms, 18234-byte body)",
    ),
    (
        "Glide",
        "Load failed for https://img.example-shop.cn/p/88123.jpg with size [540x540]",
    ),
    ("ShopFeed", "bind position=17 sku=88123 price=¥129.00"),
    ("ShopFeed", "加载商品列表完成, 共 24 项"),
    (
        "Choreographer",
        "Skipped 31 frames!  The application may be doing too much work on its main thread.",
    ),
    ("ViewRootImpl", "ViewPostIme pointer 0"),
    ("ShopCart", "cart updated: 3 items"),
    (
        "chromium",
        "[INFO:CONSOLE(12)] \"tracking pixel loaded\", source: https://h5.example-shop.cn/promo (12)",
    ),
    (
        "ProfileInstaller",
        "Installing profile for com.example.leakyshop",
    ),
];

const OTHER_APP_TAGS: &[(&str, &str)] = &[
    (
        "GmsClient",
        "connect: bindService returned true for Intent { act=com.google.android.gms.location.reporting.service.START pkg=com.google.android.gms }",
    ),
    (
        "Finsky",
        "[2] VerifyApps: Verification complete: id=0, package_name=com.example.other",
    ),
    (
        "cr_ChildProcessConn",
        "onServiceConnected: Binding to process 4120",
    ),
    ("Gralloc4", "mapper 4.x is not supported"),
    (
        "TetheringManager",
        "registerTetheringEventCallback:com.google.android.gms",
    ),
    (
        "chatty",
        "uid=10091(com.google.android.gms) identical 4 lines",
    ),
    (
        "zygote64",
        "Background concurrent copying GC freed 108261(4701KB) AllocSpace objects, 31(1148KB) LOS objects, 49% free, 5432KB/10MB, paused 45us total 121.503ms",
    ),
    (
        "WM-WorkerWrapper",
        "Worker result SUCCESS for Work [ id=8f1e0e2c-2b0e-4a43-9a1d-6a0f0c0c1e2f, tags={ androidx.work.impl.workers.DiagnosticsWorker } ]",
    ),
];

const NATIVE: &[(&str, &str, &str)] = &[
    ("audio", "audioserver", "AudioFlinger: start output streams"),
    ("root", "vold", "Found stable ID 0 for /dev/block/vdc"),
    ("1000", "netd", "setNetworkForProcess(101) for uid 10091"),
    (
        "logd",
        "logd",
        "logdr: UID=2000 GID=2000 PID=7001 n tail=0 logMask=19 pid=0 start=0ns deadline=0ns",
    ),
    (
        "media",
        "cameraserver",
        "CameraProviderManager: Camera device device@3.2/internal/0 status is now PRESENT",
    ),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: gen_bundle OUT_DIR [SIZE_MB]");
        return ExitCode::from(2);
    };
    let size_mb: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1024);
    match generate(out, size_mb << 20) {
        Ok((bytes, lines)) => {
            println!("wrote {out}: raw/logcat.txt {bytes} bytes, {lines} lines");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: failed to write the bundle: {e}");
            ExitCode::from(2)
        }
    }
}

fn generate(out: &str, target: u64) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let meta = Meta::new(
        "0.1.0",
        T0 - 3_000_000,
        AppInfo {
            package: PACKAGE.into(),
            uid: Some(UID),
            ..AppInfo::default()
        },
        DeviceInfo {
            serial: "emulator-5554".into(),
            api_level: Some(34),
            timezone: Some("Asia/Shanghai".into()),
            utc_offset_s: 28_800,
            emulator: true,
            ..DeviceInfo::default()
        },
    );
    let mut w = BundleWriter::create(out, meta)?;
    w.record(
        T0,
        HarnessRecord::Launch {
            device_us: Some(T0),
            component: format!("{PACKAGE}/.MainActivity"),
        },
    )?;
    w.record(
        T0,
        HarnessRecord::ConsentTap {
            action: ConsentAction::Accept,
            begin_marker: "prior:consent:begin:0001".into(),
            end_marker: "prior:consent:end:0001".into(),
            x: 540,
            y: 1790,
        },
    )?;
    let file = w.append_raw("raw/logcat.txt")?;
    let mut o = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut t = T0;
    let mut bytes = 0u64;
    let mut lines = 0u64;
    let mut line = Vec::with_capacity(512);
    let mut markers_done = false;
    for d in ["main", "system", "events"] {
        writeln!(line, "--------- beginning of {d}")?;
    }
    while bytes < target {
        t += 200 + rng.below(600) as i64;
        let roll = rng.below(10_000);
        let uid_s;
        let (uid, pid, tid, prio, tag, msg): (&str, u32, u32, char, &str, String) =
            if !markers_done && bytes > target * 2 / 5 {
                markers_done = true;
                emit(
                    &mut line,
                    t,
                    "shell",
                    7001,
                    7001,
                    'I',
                    "prior",
                    "prior:consent:begin:0001",
                )?;
                t += 150_000;
                (
                    "shell",
                    7001,
                    7001,
                    'I',
                    "prior",
                    "prior:consent:end:0001".to_string(),
                )
            } else if roll < 5_500 {
                let (tag, msg) = SYSTEM_TAGS[rng.below(SYSTEM_TAGS.len() as u64) as usize];
                (
                    "1000",
                    1234,
                    1240 + rng.below(200) as u32,
                    *rng_prio(&mut rng),
                    tag,
                    msg.to_string(),
                )
            } else if roll < 7_500 {
                let (tag, msg) = OTHER_APP_TAGS[rng.below(OTHER_APP_TAGS.len() as u64) as usize];
                let u = 10_050 + rng.below(50) as u32;
                uid_s = u.to_string();
                (
                    uid_s.as_str(),
                    2000 + u - 10_000,
                    2000 + u - 10_000,
                    *rng_prio(&mut rng),
                    tag,
                    msg.to_string(),
                )
            } else if roll < 8_500 {
                let (tag, msg) = APP_TAGS[rng.below(APP_TAGS.len() as u64) as usize];
                (
                    "10123",
                    PID,
                    PID + rng.below(30) as u32,
                    *rng_prio(&mut rng),
                    tag,
                    msg.to_string(),
                )
            } else if roll < 9_300 {
                let token = rng.below(1 << 30);
                match rng.below(4) {
                0 => (
                    "10123",
                    PID,
                    PID,
                    'I',
                    "wm_on_resume_called",
                    format!("[{token},{PACKAGE}.MainActivity,RESUME_ACTIVITY]"),
                ),
                1 => (
                    "1000",
                    1234,
                    1300,
                    'I',
                    "am_pss",
                    format!(
                        "[{},10091,com.google.android.gms,48712704,39223296,0,219541504,0,17,5]",
                        2000 + rng.below(900)
                    ),
                ),
                2 => (
                    "1000",
                    1234,
                    1300,
                    'I',
                    "am_uid_running",
                    format!("{}", 10_050 + rng.below(50)),
                ),
                _ => (
                    "1000",
                    1234,
                    1300,
                    'I',
                    "wm_set_resumed_activity",
                    "[0,com.android.launcher3/.uioverrides.QuickstepLauncher,resumeTopActivity]"
                        .to_string(),
                ),
            }
            } else if roll < 9_990 {
                let (u, tag, msg) = NATIVE[rng.below(NATIVE.len() as u64) as usize];
                (
                    u,
                    300 + rng.below(400) as u32,
                    300 + rng.below(400) as u32,
                    'I',
                    tag,
                    msg.to_string(),
                )
            } else {
                interesting(&mut rng)
            };
        emit(&mut line, t, uid, pid, tid, prio, tag, &msg)?;
        lines += memchr_count(&line);
        bytes += line.len() as u64;
        o.write_all(&line)?;
        line.clear();
    }
    o.flush()?;
    Ok((bytes, lines))
}

fn rng_prio(rng: &mut Rng) -> &'static char {
    const P: [char; 8] = ['I', 'I', 'I', 'D', 'D', 'W', 'V', 'E'];
    &P[rng.below(8) as usize]
}

/// The lines of interest, about the app and about other apps (0.1% of lines).
fn interesting(rng: &mut Rng) -> (&'static str, u32, u32, char, &'static str, String) {
    let other = 10_050 + rng.below(50);
    let other_pkg = rng.pick(&[
        "com.example.other",
        "com.tencent.mm",
        "com.ss.android.ugc.aweme",
    ]);
    match rng.below(12) {
        0 => ("radio", 1580, 1601, 'W', "TelephonyPermissions", format!("reportAccessDeniedToReadIdentifiers:{PACKAGE}:getImeiForSlot:-1")),
        1 => ("radio", 1580, 1601, 'W', "TelephonyPermissions", format!("reportAccessDeniedToReadIdentifiers:{other_pkg}:getDeviceId:-1")),
        2 => ("1000", 1234, 1402, 'I', "WifiService", format!("startScan uid={UID}")),
        3 => ("1000", 1234, 1402, 'I', "WifiService", format!("startScan uid={other}")),
        4 => ("1000", 1234, 1455, 'E', "ClipboardService", format!("Denying clipboard access to {other_pkg}, application is not in focus nor is it a system service for user 0")),
        5 => ("10123", PID, PID, 'W', "System.err", format!("java.lang.SecurityException: getImeiForSlot: The user {UID} does not meet the requirements to access device identifiers.")),
        6 => ("1000", 1234, 1290, 'I', "ActivityManager", format!("Start proc {}:{other_pkg}/u0a{} for service {{{other_pkg}/.PushService}}", 3000 + rng.below(5000), other - 10_000)),
        7 => ("1000", 1234, 1301, 'I', "ActivityTaskManager", format!("Displayed {other_pkg}/.MainActivity for user 0: +{}ms", 200 + rng.below(900))),
        8 => ("1000", 1234, 1301, 'I', "ActivityTaskManager", format!("START u0 {{act=android.content.pm.action.REQUEST_PERMISSIONS pkg=com.google.android.permissioncontroller cmp=com.google.android.permissioncontroller/com.android.permissioncontroller.permission.ui.GrantPermissionsActivity (has extras)}} with LAUNCH_MULTIPLE from uid {other} result code=0")),
        9 => ("1000", 1234, 1290, 'I', "am_proc_start", format!("[0,{},{other},{other_pkg},service,{{{other_pkg}/.PushService}}]", 3000 + rng.below(5000))),
        10 => ("10123", PID, PID, 'W', "System.err", "java.lang.SecurityException: uid 10123 does not have android.permission.ACCESS_COARSE_LOCATION or android.permission.ACCESS_FINE_LOCATION.".to_string()),
        _ => ("1000", 1234, 1455, 'I', "CameraService", format!("CameraService::connect call (PID {} \"{other_pkg}\", camera ID 0) and Camera API version 2", 3000 + rng.below(5000))),
    }
}

#[expect(clippy::too_many_arguments, reason = "the fields of one logcat line")]
fn emit(
    line: &mut Vec<u8>,
    t: i64,
    uid: &str,
    pid: u32,
    tid: u32,
    prio: char,
    tag: &str,
    msg: &str,
) -> std::io::Result<()> {
    writeln!(
        line,
        "{:>19}.{:06} {uid:>5} {pid:>5} {tid:>5} {prio} {tag:<8}: {msg}",
        t / 1_000_000,
        t % 1_000_000
    )
}

fn memchr_count(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}
