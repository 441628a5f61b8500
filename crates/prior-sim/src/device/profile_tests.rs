//! Per-profile behaviour of the shell commands (see `profile.rs` and docs/sim-models.md,
//! "Device profiles"): props, `am trace-ipc` on user builds, `dumpsys package` flags,
//! `dumpsys appops`/`appops get` before Android 9, logcat lists on Android 7, the uid
//! column's names, `uiautomator dump` on a screen that never idles, Xiaomi vendor ops.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use regex::Regex;

use super::clock::ClockMode;
use super::logs::aid_short_name;
use super::profile::DeviceProfile;
use super::{SimConfig, SimDevice};

/// 2026-11-28 19:30:00 UTC.
const T0: i64 = 1_795_894_200_000_000;
const LEAKY: &str = "com.prior.demo.leakyshop";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn device(profile: &str) -> Arc<SimDevice> {
    SimDevice::new(SimConfig {
        clock: ClockMode::Manual { start_us: T0 },
        model_dirs: vec![repo().join("scenarios/demo/models")],
        profile: DeviceProfile::parse(profile).unwrap(),
        ..SimConfig::default()
    })
    .unwrap()
}

fn out(d: &SimDevice, cmd: &str) -> String {
    d.run(cmd).text()
}

/// Installs and launches Leaky Shop, then lets 1 s pass.
fn leaky(d: &SimDevice) {
    let apk = std::fs::read(repo().join("scenarios/demo/apps/leaky-shop.apk")).unwrap();
    assert_eq!(d.install(&["-r".into()], &apk), "Success");
    let r = d.run(&format!("am start -W -n {LEAKY}/.ui.SplashActivity"));
    assert_eq!(r.status, 0, "{r:?}");
    d.clock().advance(Duration::from_millis(1000));
}

use crate::DeviceHandler;

#[test]
fn props_follow_the_profile_and_the_default_is_unchanged() {
    let d = device("api33-userdebug");
    assert_eq!(
        out(&d, "getprop ro.build.fingerprint"),
        format!("{}\n", super::props::FINGERPRINT)
    );
    let d = device("api28-user");
    for (k, v) in [
        ("ro.build.version.sdk", "28"),
        ("ro.build.version.release", "9"),
        ("ro.build.type", "user"),
        ("ro.debuggable", "0"),
        ("ro.build.tags", "release-keys"),
        ("prior.sim.profile", "api28-user"),
        ("ro.product.model", "SIMULATED Pixel 6"),
    ] {
        assert_eq!(out(&d, &format!("getprop {k}")), format!("{v}\n"), "{k}");
    }
    assert!(
        out(&d, "getprop ro.build.fingerprint")
            .ends_with(":9/PSR1.180720.075/10940250:user/release-keys\n")
    );
    assert_eq!(
        out(&device("xiaomi-api30-user"), "getprop ro.product.brand"),
        "Xiaomi\n"
    );
}

fn ipc_dump(d: &SimDevice) -> String {
    assert_eq!(out(d, "am trace-ipc start"), "Starting IPC tracing.\n");
    leaky(d);
    let r = d.run("am trace-ipc stop --dump-file /data/local/tmp/ipc.txt");
    assert_eq!(
        r.text(),
        "Stopped IPC tracing. Dumping logs to: /data/local/tmp/ipc.txt\n"
    );
    out(d, "cat /data/local/tmp/ipc.txt")
}

#[test]
fn trace_ipc_on_a_user_build_dumps_only_debuggable_processes() {
    // userdebug: every process, system included
    let text = ipc_dump(&device("api30-userdebug"));
    assert!(
        text.contains(&format!("Traces for process: {LEAKY}\nCount: ")),
        "{text}"
    );
    assert!(text.contains("Traces for process: system\n"));
    // user build, release app: the header and nothing else
    let text = ipc_dump(&device("api30-user"));
    assert_eq!(text, "Binder transaction traces for all processes.\n\n");
    // user build, debuggable app: only the app
    let d = device("api34-user");
    let model = std::fs::read_to_string(repo().join("scenarios/demo/models/leaky-shop.model"))
        .unwrap()
        + "\ndebuggable: true\n";
    d.add_model_yaml(&model).unwrap();
    let text = ipc_dump(&d);
    assert!(
        text.contains(&format!("Traces for process: {LEAKY}\nCount: ")),
        "{text}"
    );
    assert!(!text.contains("Traces for process: system"), "{text}");
    assert!(text.contains("ILocationManager$Stub$Proxy.getLastLocation("));
}

#[test]
fn dumpsys_package_prints_the_debuggable_flag() {
    let d = device("api33-user");
    leaky(&d);
    let text = out(&d, &format!("dumpsys package {LEAKY}"));
    assert!(text.contains("\n    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n"), "{text}");
    let model = std::fs::read_to_string(repo().join("scenarios/demo/models/leaky-shop.model"))
        .unwrap()
        + "\ndebuggable: true\n";
    d.add_model_yaml(&model).unwrap();
    let text = out(&d, &format!("dumpsys package {LEAKY}"));
    assert!(
        text.contains("    flags=[ DEBUGGABLE HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n"),
        "{text}"
    );
}

#[test]
fn appops_before_android_9_has_no_options_and_the_old_layout() {
    let dump_line = Regex::new(
        r"^      [A-Z_]+: mode=\d(; time=\+\S+ ago)?(; rejectTime=\+\S+ ago)?( \(running\))?$",
    )
    .unwrap();
    let get_line = Regex::new(r"^[A-Z_]+: (allow|ignore|deny|default)(; time=\+\S+ ago)?(; rejectTime=\+\S+ ago)?( \(running\))?$").unwrap();
    for profile in ["api24-userdebug", "api26-user"] {
        let d = device(profile);
        let apk = std::fs::read(repo().join("scenarios/demo/apps/leaky-shop.apk")).unwrap();
        assert_eq!(d.install(&["-r".into()], &apk), "Success");
        let r = d.run(&format!(
            "pm grant {LEAKY} android.permission.ACCESS_FINE_LOCATION"
        ));
        assert_eq!(r.status, 0, "{r:?}");
        leaky(&d);
        // an option: one line, no dump
        let r = d.run(&format!("dumpsys appops --package {LEAKY}"));
        assert_eq!(
            (r.text().as_str(), r.status),
            ("Unknown option: --package\n", 0),
            "{profile}"
        );
        assert_eq!(
            out(&d, &format!("dumpsys appops {LEAKY}")),
            format!("Unknown command: {LEAKY}\n")
        );
        assert_eq!(
            out(&d, "dumpsys appops -h"),
            "AppOps service (appops) dump options:\n  none\n"
        );
        // the whole dump: uid blocks, numeric modes, relative times
        let text = out(&d, "dumpsys appops");
        assert!(
            text.starts_with("Current AppOps Service state:\n  Uid "),
            "{text}"
        );
        assert!(
            text.contains(&format!("  Uid u0a150:\n    Package {LEAKY}:\n")),
            "{text}"
        );
        let ops: Vec<&str> = text.lines().filter(|l| l.starts_with("      ")).collect();
        assert!(!ops.is_empty(), "{text}");
        for l in &ops {
            assert!(dump_line.is_match(l), "{profile}: {l:?}");
        }
        assert!(
            ops.iter()
                .any(|l| l.starts_with("      FINE_LOCATION: mode=0; time=+1s")),
            "{text}"
        );
        assert!(
            !text.contains("READ_DEVICE_IDENTIFIERS"),
            "an Android 10 op: {text}"
        );
        assert!(
            !text.contains("Access:") && !text.contains("null=["),
            "{text}"
        );
        // appops get: same lines without the indent, no `Default mode:`
        let get = out(&d, &format!("appops get {LEAKY}"));
        assert!(
            get.lines().count() > 0 && get.lines().all(|l| get_line.is_match(l)),
            "{get}"
        );
        let none = out(&d, &format!("appops get {LEAKY} CAMERA"));
        assert_eq!(none, "No operations.\n");
        let r = d.run("appops get com.example.missing");
        assert_eq!(
            String::from_utf8_lossy(&r.stderr),
            "Error: No UID for com.example.missing in user 0\n"
        );
    }
    // Android 9+: the option works and the modern layout is printed
    let d = device("api28-user");
    leaky(&d);
    let text = out(&d, &format!("dumpsys appops --package {LEAKY}"));
    assert!(
        text.starts_with("Current AppOps Service state:\n  Settings:\n"),
        "{text}"
    );
    assert!(text.contains("  Uid u0a150:\n    state="), "{text}");
    assert_eq!(
        out(&d, &format!("appops get {LEAKY} CAMERA")),
        "No operations.\nDefault mode: default\n"
    );
}

#[test]
fn logcat_on_android_7_takes_one_buffer_and_one_format_per_flag() {
    let d = device("api24-user");
    leaky(&d);
    let r = d.run("logcat -d -b main,system");
    assert_eq!(r.status, 1);
    assert!(r.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "Unable to open log device 'main,system'\n"
    );
    let r = d.run("logcat -d -v epoch,uid");
    assert_eq!(r.status, 1);
    assert!(r.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&r.stderr).starts_with(
            "Invalid parameter epoch,uid to -v\nUsage: logcat [options] [filterspecs]\n"
        )
    );
    let r = d.run("logcat -d -bmain -b system -b events -v epoch -v uid");
    assert_eq!(r.status, 0, "{r:?}");
    let text = r.text();
    assert!(
        Regex::new(r"(?m)^ +\d{10}\.\d{3}  1000 +\d+ +\d+ I ActivityManager: Start proc ")
            .unwrap()
            .is_match(&text),
        "{text}"
    );
    assert!(text.contains("--------- beginning of events\n"));
    // 8.0 takes both lists
    for profile in ["api26-user", "api33-userdebug"] {
        let d = device(profile);
        let r = d.run("logcat -d -b main,system -v epoch,uid");
        assert_eq!(r.status, 0, "{profile}: {r:?}");
    }
}

#[test]
fn the_uid_column_names_depend_on_the_api_level() {
    assert_eq!(aid_short_name(2000, 24), Some("shell"));
    assert_eq!(aid_short_name(1000, 34), None, "system is 6 characters");
    assert_eq!(aid_short_name(1051, 24), None);
    assert_eq!(aid_short_name(1051, 26), Some("dns"));
    assert_eq!(aid_short_name(1069, 28), None);
    assert_eq!(aid_short_name(1069, 29), Some("lmkd"));
    let d = device("api24-user");
    d.run("log -t PriorTest hello");
    let text = out(&d, "logcat -d -v uid -s PriorTest");
    assert!(
        Regex::new(r"(?m)^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} shell +\d+ +\d+ I PriorTest: hello$")
            .unwrap()
            .is_match(&text),
        "{text}"
    );
}

#[test]
fn uiautomator_fails_on_a_screen_that_never_idles() {
    let d = device("api33-never-idle");
    let r = d.run("uiautomator dump");
    assert_eq!(r.status, 0);
    assert!(r.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "ERROR: could not get idle state.\n"
    );
    assert!(
        d.stat("/sdcard/window_dump.xml").is_none(),
        "no file is written"
    );
    let d = device("api33-userdebug");
    assert_eq!(
        out(&d, "uiautomator dump"),
        "UI hierchary dumped to: /sdcard/window_dump.xml\n"
    );
    assert!(d.stat("/sdcard/window_dump.xml").is_some());
}

#[test]
fn xiaomi_dumps_vendor_ops_with_their_own_access_lines() {
    let d = device("xiaomi-api30-user");
    leaky(&d);
    let text = out(&d, &format!("dumpsys appops --package {LEAKY}"));
    assert!(
        text.contains("      MIUIOP(10033) (allow): \n        null=[\n          Access: [top-s] 2026-11-29 03:30:0"),
        "{text}"
    );
    let plain = out(
        &device("api30-user"),
        &format!("dumpsys appops --package {LEAKY}"),
    );
    assert!(!plain.contains("MIUIOP"), "{plain}");
}
