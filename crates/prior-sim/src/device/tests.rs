//! Tests of the simulated device through its shell: output layouts against real samples
//! (`tests/data/sim/`), the sh interpreter, logcat options, model side effects, UI taps,
//! screenshots, streaming, and one run through the transport with Debian's real `adb`.
//!
//! Most tests use a manual clock (time moves only when a test or a simulated `sleep`/`am start
//! -W` moves it), so they are deterministic and fast.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use regex::Regex;

use super::clock::ClockMode;
use super::{CollectIo, SimConfig, SimDevice};
use crate::{DeviceHandler, ShellIo};

/// 2026-11-28 19:30:00 UTC.
const T0: i64 = 1_795_894_200_000_000;

const LEAKY: &str = "com.prior.demo.leakyshop";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/data/sim").join(name)).unwrap()
}

fn apk(name: &str) -> Vec<u8> {
    std::fs::read(repo().join(format!("scenarios/demo/apps/{name}.apk"))).unwrap()
}

fn device(seed: u64, clock: ClockMode) -> Arc<SimDevice> {
    SimDevice::new(SimConfig {
        seed,
        clock,
        model_dirs: vec![repo().join("scenarios/demo/models")],
        ..SimConfig::default()
    })
    .unwrap()
}

fn manual() -> Arc<SimDevice> {
    device(1, ClockMode::Manual { start_us: T0 })
}

fn out(d: &SimDevice, cmd: &str) -> String {
    let o = d.run(cmd);
    String::from_utf8(o.stdout).unwrap()
}

fn install(d: &SimDevice, name: &str) {
    assert_eq!(
        d.install(&["-r".into()], &apk(name)),
        "Success",
        "install {name}"
    );
}

fn later(d: &SimDevice, ms: u64) {
    d.clock().advance(Duration::from_millis(ms));
}

/// Centre of the first node whose text matches exactly, from a uiautomator dump.
fn center_of(xml: &str, text: &str) -> Option<(i32, i32)> {
    let re =
        Regex::new(r#"<node [^>]*?text="([^"]*)"[^>]*?bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]""#)
            .unwrap();
    re.captures_iter(xml).find(|c| &c[1] == text).map(|c| {
        let n = |i: usize| c[i].parse::<i32>().unwrap();
        ((n(2) + n(4)) / 2, (n(3) + n(5)) / 2)
    })
}

fn dump(d: &SimDevice) -> String {
    out(
        d,
        "uiautomator dump /sdcard/w.xml >/dev/null && cat /sdcard/w.xml",
    )
}

fn tap_text(d: &SimDevice, text: &str) {
    let xml = dump(d);
    let (x, y) = center_of(&xml, text).unwrap_or_else(|| panic!("no `{text}` on screen: {xml}"));
    let r = d.run(&format!("input tap {x} {y}"));
    assert_eq!(r.status, 0);
    assert!(r.stdout.is_empty());
}

fn launch(d: &SimDevice, component: &str) -> String {
    out(d, &format!("am start -W -n {component}"))
}

// =========================================================================== formats

const THREADTIME: &str =
    r"^(\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ([ \d]{5}) ([ \d]{5}) ([VDIWEF]) (.{8,}?): (.*)$";

#[test]
fn logcat_threadtime_layout_matches_the_real_samples() {
    let re = Regex::new(THREADTIME).unwrap();
    let mut checked = 0;
    for f in [
        "logcat-threadtime-displayed-android9-1.txt",
        "logcat-threadtime-displayed-for-user-1.txt",
        "logcat-events-launch-1.txt",
        "logcat-threadtime-startproc-android6-1.txt",
    ] {
        for line in fixture(f).lines() {
            if line.starts_with("--------- beginning of ")
                || line.contains(" wm_on_create_called:[")
            {
                // the one events line whose source lost the space after ':' is a copy artifact
                continue;
            }
            assert!(
                re.is_match(line),
                "sample {f} line does not fit the layout: {line:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 30);
    // ours
    let d = manual();
    install(&d, "leaky-shop");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    later(&d, 1500);
    let text = out(&d, "logcat -d -b all");
    let mut ours = 0;
    for line in text.lines() {
        if let Some(b) = line.strip_prefix("--------- beginning of ") {
            assert!(["main", "system", "crash", "events", "radio"].contains(&b));
            continue;
        }
        let c = re
            .captures(line)
            .unwrap_or_else(|| panic!("our line does not fit the layout: {line:?}"));
        let tag = &c[5];
        if tag.trim_end().len() < 8 {
            assert_eq!(tag.len(), 8, "short tags are padded to 8: {line:?}");
        }
        ours += 1;
    }
    assert!(ours > 20, "{text}");
}

#[test]
fn logcat_epoch_uid_usec_layout_is_the_bundle_layout() {
    let re = Regex::new(
        r"^ {9}\d{10}\.\d{6} ([ \d]{5}|[ a-z]{5}) ([ \d]{5}) ([ \d]{5}) ([VDIWEF]) (.{8,}?): ",
    )
    .unwrap();
    // the example of docs/bundle layout
    assert!(re.is_match("         1764358200.123456 10123  4567  4580 I MyTag   : msg"));
    let d = manual();
    install(&d, "leaky-shop");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    d.run("log -t prior 'marker one'");
    let text = out(
        &d,
        "export ANDROID_LOG_TAGS=\"''\"; exec logcat -b main,system,crash,events -v epoch,uid,usec,printable -d",
    );
    let mut radio = false;
    for line in text.lines().filter(|l| !l.starts_with("---------")) {
        let c = re.captures(line).unwrap_or_else(|| panic!("{line:?}"));
        radio |= &c[1] == "radio";
    }
    assert!(
        radio,
        "com.android.phone's uid 1001 prints as its passwd name: {text}"
    );
    assert!(
        text.contains(" shell "),
        "log from adb shell shows uid `shell`: {text}"
    );
    assert!(text.contains("I prior   : marker one\n"), "{text}");
}

#[test]
fn launch_lines_have_the_framework_shapes() {
    let start_proc = Regex::new(
        r"^Start proc (\d+):([\w.]+)/(u0a\d+) for pre-top-activity \{([\w.]+)/([\w.$]+)\}$",
    )
    .unwrap();
    let displayed = Regex::new(r"^Displayed ([\w.]+)/([\w.$]+): \+(\d+s)?\d+ms$").unwrap();
    let start = Regex::new(r"^START u0 \{.*cmp=[\w.]+/[\w.$]+.*\} from uid \d+").unwrap();
    let on_x = Regex::new(r"^\[(\d+),([\w.$]+),(\w+)\]$").unwrap();
    let launch_time = Regex::new(r"^\[0,(\d+),([\w.]+/[\w.$]+),(\d+)\]$").unwrap();
    let tt = Regex::new(THREADTIME).unwrap();
    let msg = |text: &str, tag: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| tt.captures(l))
            .filter(|c| c[5].trim_end() == tag)
            .map(|c| c[6].to_owned())
            .collect()
    };
    let sample = fixture("logcat-events-launch-1.txt");
    assert!(
        msg(&sample, "ActivityManager")
            .iter()
            .any(|m| start_proc.is_match(m))
    );
    for m in msg(&sample, "wm_on_resume_called")
        .iter()
        .chain(&msg(&sample, "wm_on_start_called"))
    {
        assert!(on_x.is_match(m), "{m}");
    }
    assert!(launch_time.is_match(&msg(&sample, "wm_activity_launch_time")[0]));
    for m in msg(
        &fixture("logcat-threadtime-displayed-android9-1.txt"),
        "ActivityManager",
    ) {
        assert!(displayed.is_match(&m), "{m}");
    }
    assert!(
        msg(
            &fixture("logcat-threadtime-startproc-android6-1.txt"),
            "ActivityManager"
        )
        .iter()
        .any(|m| start.is_match(m))
    );

    let d = manual();
    install(&d, "leaky-shop");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    let ours = out(&d, "logcat -d -b all");
    assert!(
        msg(&ours, "ActivityManager")
            .iter()
            .any(|m| start_proc.is_match(m)),
        "{ours}"
    );
    assert!(
        msg(&ours, "ActivityTaskManager")
            .iter()
            .any(|m| start.is_match(m)),
        "{ours}"
    );
    assert!(
        msg(&ours, "ActivityTaskManager")
            .iter()
            .any(|m| displayed.is_match(m)),
        "{ours}"
    );
    for tag in [
        "wm_on_create_called",
        "wm_on_start_called",
        "wm_on_resume_called",
        "wm_on_top_resumed_gained_called",
    ] {
        let m = msg(&ours, tag);
        assert_eq!(m.len(), 1, "{tag}");
        assert!(on_x.is_match(&m[0]), "{m:?}");
    }
    let lt = msg(&ours, "wm_activity_launch_time");
    assert!(launch_time.is_match(&lt[0]), "{lt:?}");
    let ps = msg(&ours, "am_proc_start");
    assert!(
        Regex::new(r"^\[0,\d+,10\d{3},[\w.]+,pre-top-activity,\{[\w.]+/[\w.$]+\}\]$")
            .unwrap()
            .is_match(&ps[0]),
        "{ps:?}"
    );
}

fn appops_kinds() -> Vec<Regex> {
    [
        r"^Current AppOps Service state:$",
        r"^  Settings:$",
        r"^    \w+_settle_time=\+\d+s\d+ms$",
        r"^$",
        r"^  Uid (u0a\d+|\d+):$",
        r"^    state=(pers|top|fgsvcl|fgsvc|fg|bg|cch)$",
        r"^    capability=[-LCMN]{4}$",
        r"^    appWidgetVisible=(true|false)$",
        r"^      [A-Z_]+: mode=\w+$",
        r"^    Package [\w.]+:$",
        r"^      [A-Z_]+ \((allow|ignore|deny|default|foreground)( / switch [A-Z_]+=\w+)?\): ?$",
        r"^        null=\[$",
        r"^          Access: \[\w+-\w+\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \(-(\d+[dhms])*\d+ms\)( duration=\+(\d+[dhms])*\d+ms)?( proxy\[uid=\d+, pkg=[\w.]+, attributionTag=\w+\])?$",
        r"^          Reject: \[\w+-\w+\]\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \(-(\d+[dhms])*\d+ms\)$",
        r"^        \]$",
        r"^          Running start at: \+(\d+[dhms])*\d+ms$",
        r"^          startNesting=\d+$",
    ]
    .iter()
    .map(|r| Regex::new(r).unwrap())
    .collect()
}

#[test]
fn appops_dump_layout_matches_the_real_sample() {
    let kinds = appops_kinds();
    for line in fixture("dumpsys-appops-modern-1.txt").lines() {
        assert!(
            kinds.iter().any(|k| k.is_match(line)),
            "sample line has no kind: {line:?}"
        );
    }
    // the AOSP doc's proxy line, re-indented to the dump's depth
    let md = fixture("dumpsys-appops-aosp-appops-md-examples.txt");
    let proxy = md.lines().find(|l| l.contains("proxy[")).unwrap();
    assert!(
        kinds
            .iter()
            .any(|k| k.is_match(&format!("          {}", proxy.trim_start()))),
        "{proxy}"
    );

    let d = manual();
    install(&d, "leaky-shop");
    install(&d, "reject-path");
    // a package that requests READ_CONTACTS (none of the demo manifests does): contacts are
    // read through the provider, a trusted proxy
    d.with(|w, _| {
        let p = w.packages.get_mut("com.prior.demo.rejectpath").unwrap();
        p.requested.push("android.permission.READ_CONTACTS".into());
    });
    d.add_model_yaml("package: com.prior.demo.rejectpath\non_start:\n  - access: { api: contacts }\n  - access: { api: imei }\n").unwrap();
    let r = d.run("pm grant com.prior.demo.rejectpath android.permission.ACCESS_FINE_LOCATION");
    assert_eq!(r.status, 255, "not requested by the manifest: {r:?}");
    assert_eq!(
        d.run("pm grant com.prior.demo.rejectpath android.permission.READ_CONTACTS")
            .status,
        0
    );
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    launch(&d, "com.prior.demo.rejectpath/.MainActivity");
    later(&d, 2000);
    let text = out(&d, "dumpsys appops");
    for line in text.lines() {
        assert!(
            kinds.iter().any(|k| k.is_match(line)),
            "our line has no kind: {line:?}\n{text}"
        );
    }
    // `docs/device-formats.md` §3: the op header keeps its trailing space; Reject has none after `]`
    assert!(
        text.contains("      READ_DEVICE_IDENTIFIERS (default): \n"),
        "{text}"
    );
    assert!(
        Regex::new(r"Reject: \[top-s\]2026-11-29 03:30:00\.\d{3} \(-")
            .unwrap()
            .is_match(&text),
        "{text}"
    );
    assert!(Regex::new(r"(?m)^          Access: \[top-tpd\] 2026-11-29 03:30:0\d\.\d{3} \(-\d+s\d+ms\) proxy\[uid=10102, pkg=com.android.providers.contacts, attributionTag=null\]$").unwrap().is_match(&text), "{text}");
    assert!(
        text.contains("  Uid u0a150:\n") && text.contains("  Uid u0a151:\n"),
        "{text}"
    );
}

#[test]
fn appops_records_proxy_and_running_entries() {
    let d = manual();
    install(&d, "permission-first");
    d.add_model_yaml(
        "package: com.prior.demo.permissionfirst\non_start:\n  - access: { api: contacts }\n  - access: { api: location_updates }\n",
    )
    .unwrap();
    assert_eq!(
        d.run("pm grant com.prior.demo.permissionfirst android.permission.ACCESS_FINE_LOCATION")
            .status,
        0
    );
    launch(&d, "com.prior.demo.permissionfirst/.MainActivity");
    later(&d, 3000);
    let text = out(
        &d,
        "dumpsys appops --package com.prior.demo.permissionfirst",
    );
    let kinds = appops_kinds();
    for line in text.lines() {
        assert!(kinds.iter().any(|k| k.is_match(line)), "{line:?}");
    }
    assert!(text.contains("      FINE_LOCATION (allow): \n"), "{text}");
    assert!(
        text.contains("      MONITOR_LOCATION (allow): \n"),
        "{text}"
    );
    assert!(text.contains("Running start at: +3s"), "{text}");
    assert!(
        !text.contains("READ_CONTACTS"),
        "contacts were never requested, so the acquire was refused: {text}"
    );
    let log = out(&d, "logcat -d -b system");
    assert!(log.contains("W ActivityManager: Permission Denial: opening provider com.android.providers.contacts.ContactsProvider2 from ProcessRecord{"), "{log}");
    assert!(
        log.contains(
            "requires android.permission.READ_CONTACTS or android.permission.WRITE_CONTACTS"
        ),
        "{log}"
    );
    let get = out(&d, "appops get com.prior.demo.permissionfirst");
    assert!(
        Regex::new(r"(?m)^FINE_LOCATION: allow; time=\+3s\d+ms ago$")
            .unwrap()
            .is_match(&get),
        "{get}"
    );
    assert!(
        get.contains("MONITOR_LOCATION: allow; time=+") && get.contains(" (running)"),
        "{get}"
    );
    assert_eq!(
        out(&d, "appops get com.prior.demo.permissionfirst CAMERA"),
        "No operations.\nDefault mode: default\n"
    );
    assert_eq!(
        out(&d, "dumpsys appops --package no.such.pkg"),
        "Unknown package: no.such.pkg\n"
    );
}

/// The grammar of a `TransactionTracker` dump; returns the number of traces.
fn ipc_grammar(text: &str) -> usize {
    let frame = Regex::new(
        r"^\tat [\w.$<>\-]+\((\w[\w.$]*:\d+|Native Method|Unknown Source(:\d+)?|[^)]*)\)$",
    )
    .unwrap();
    let mut lines = text.lines().peekable();
    assert_eq!(
        lines.next(),
        Some("Binder transaction traces for all processes.")
    );
    assert_eq!(lines.next(), Some(""));
    let mut traces = 0;
    let mut in_process = false;
    while let Some(l) = lines.next() {
        if l.starts_with("Traces for process: ") && l.len() > 20 {
            in_process = true;
        } else if let Some(n) = l.strip_prefix("Count: ") {
            assert!(in_process, "Count outside a process block");
            assert!(n.parse::<u64>().unwrap() > 0);
            assert_eq!(lines.next(), Some("Trace: java.lang.Throwable"));
            let mut frames = 0;
            while lines.peek().is_some_and(|l| l.starts_with('\t')) {
                let f = lines.next().unwrap();
                assert!(frame.is_match(f), "bad frame {f:?}");
                if frames == 0 {
                    assert!(
                        f.starts_with("\tat android.os.BinderProxy.transact(BinderProxy.java:"),
                        "{f}"
                    );
                }
                frames += 1;
            }
            assert!(frames >= 2);
            traces += 1;
        } else {
            assert_eq!(l, "", "unexpected line {l:?}");
        }
    }
    traces
}

#[test]
fn ipc_dump_has_the_transaction_tracker_grammar() {
    assert_eq!(ipc_grammar(&fixture("ipc-trace-aosp-fixture-1.txt")), 2);
    let d = manual();
    install(&d, "leaky-shop");
    assert_eq!(out(&d, "am trace-ipc start"), "Starting IPC tracing.\n");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    later(&d, 1000);
    let r = d.run("am trace-ipc stop --dump-file /data/local/tmp/ipc-1.txt");
    assert_eq!(
        r.text(),
        "Stopped IPC tracing. Dumping logs to: /data/local/tmp/ipc-1.txt\n"
    );
    let text = out(&d, "cat /data/local/tmp/ipc-1.txt");
    assert_eq!(ipc_grammar(&text), 4, "{text}");
    assert!(text.contains(&format!("Traces for process: {LEAKY}\n")));
    assert!(text.contains("Traces for process: system\n"));
    // the AIDL proxy is the second frame, SDK frames follow the framework frames
    for (proxy, sdk) in [
        (
            "\tat com.android.internal.telephony.ITelephony$Stub$Proxy.getImeiForSlot(",
            "\tat com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew(",
        ),
        (
            "\tat android.content.ContentProviderProxy.call(",
            "\tat com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidId(",
        ),
        (
            "\tat android.content.pm.IPackageManager$Stub$Proxy.getInstalledPackages(",
            "\tat com.prior.demo.leakyshop.risk.RiskScanner.scanInstalledApps(",
        ),
        (
            "\tat android.location.ILocationManager$Stub$Proxy.getLastLocation(",
            "\tat com.prior.demo.leakyshop.location.LbsHelper.lastKnown(",
        ),
    ] {
        let i = text
            .find(proxy)
            .unwrap_or_else(|| panic!("{proxy} missing"));
        let before = &text[..i];
        assert!(
            before.ends_with("\tat android.os.BinderProxy.transact(BinderProxy.java:584)\n"),
            "{proxy}"
        );
        assert!(text[i..].find(sdk).is_some_and(|j| j < 800), "{sdk}");
    }
    // stopping again fails; a stop without a file is an error
    assert_eq!(
        d.run("am trace-ipc stop --dump-file /data/local/tmp/x")
            .stderr,
        b"STOP TRACE FAILED.\n"
    );
    let r = d.run("am trace-ipc stop");
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.stderr).into_owned()),
        (255, "Error: Specify filename to dump logs to.\n".into())
    );
}

const ATTRS: [&str; 17] = [
    "index",
    "text",
    "resource-id",
    "class",
    "package",
    "content-desc",
    "checkable",
    "checked",
    "clickable",
    "enabled",
    "focusable",
    "focused",
    "scrollable",
    "long-clickable",
    "password",
    "selected",
    "bounds",
];

fn check_ui_layout(xml: &str) -> usize {
    assert!(xml.starts_with(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"><node "
    ));
    assert!(xml.ends_with("</hierarchy>"));
    assert!(!xml.contains('\n'), "one line");
    let node = Regex::new(r"<node ([^>]*?)\s?/?>").unwrap();
    let attr = Regex::new(r#"([\w-]+)="[^"]*""#).unwrap();
    let bounds = Regex::new(r#"bounds="\[\d+,\d+\]\[\d+,\d+\]""#).unwrap();
    let mut n = 0;
    for c in node.captures_iter(xml) {
        let mut names: Vec<&str> = attr
            .captures_iter(&c[1])
            .map(|a| a.get(1).unwrap().as_str())
            .collect();
        if names.first() == Some(&"NAF") {
            names.remove(0);
        }
        assert_eq!(names, ATTRS, "attribute order in {}", &c[1]);
        assert!(bounds.is_match(&c[1]));
        n += 1;
    }
    n
}

#[test]
fn uiautomator_dump_has_the_real_attribute_order_and_shape() {
    let sample = fixture("uiautomator-dump-talos-1.xml");
    assert!(check_ui_layout(sample.trim_end()) > 20);
    let d = manual();
    install(&d, "leaky-shop");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    later(&d, 1000);
    let r = d.run("uiautomator dump");
    assert_eq!(
        r.text(),
        "UI hierchary dumped to: /sdcard/window_dump.xml\n"
    );
    let xml = out(&d, "cat /storage/emulated/0/window_dump.xml");
    assert!(check_ui_layout(&xml) > 5);
    for t in [
        "用户协议与隐私政策",
        "《用户协议》和《隐私政策》",
        "同意",
        "不同意",
    ] {
        assert!(xml.contains(&format!("text=\"{t}\"")), "{t}");
    }
    // the 不同意 text sits in a non-clickable child of a clickable parent
    assert!(Regex::new(r#"resource-id="com.prior.demo.leakyshop:id/btn_disagree" class="android.widget.LinearLayout" [^>]*clickable="true"[^>]*><node index="0" text="不同意" [^>]*clickable="false""#).unwrap().is_match(&xml), "{xml}");
    // dumping to /dev/tty streams the XML then the status line
    let tty = out(&d, "uiautomator dump /dev/tty");
    assert!(
        tty.starts_with("<?xml") && tty.ends_with("</hierarchy>UI hierchary dumped to: /dev/tty\n")
    );
}

#[test]
fn am_start_w_output_has_the_shell_command_layout() {
    let d = manual();
    install(&d, "polite-news");
    let text = launch(&d, "com.prior.demo.politenews/.MainActivity");
    let re = Regex::new(r"^Starting: Intent \{ cmp=com.prior.demo.politenews/.MainActivity \}\nStatus: ok\nLaunchState: COLD\nActivity: com.prior.demo.politenews/.MainActivity\nTotalTime: (\d+)\nWaitTime: (\d+)\nComplete\n$").unwrap();
    let c = re.captures(&text).unwrap_or_else(|| panic!("{text}"));
    let (total, wait): (u64, u64) = (c[1].parse().unwrap(), c[2].parse().unwrap());
    assert!((430..700).contains(&total) && wait >= total, "{text}");
    // the Displayed line carries the same duration
    let log = out(&d, "logcat -d -b system");
    assert!(
        log.contains(&format!(
            "Displayed com.prior.demo.politenews/.MainActivity: +{total}ms"
        )),
        "{log}"
    );
    // a second start brings the task forward
    let again = launch(&d, "com.prior.demo.politenews/.MainActivity");
    assert!(
        again.contains(
            "Warning: Activity not started, its current task has been brought to the front\n"
        ) && again.contains("LaunchState: HOT\n"),
        "{again}"
    );
    let bad = d.run("am start -W -n com.prior.demo.politenews/.Nope");
    assert_eq!(bad.status, 255);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Error: Activity class {com.prior.demo.politenews/com.prior.demo.politenews.Nope} does not exist."));
}

#[test]
fn an_app_without_a_behaviour_model_is_installed_but_never_started() {
    // A real APK (tests/data/apks) that no model describes: installing works, starting it is
    // refused with an error naming the package and how to give a model; no process appears.
    let d = manual();
    let real = std::fs::read(repo().join("tests/data/apks/app-uiautomator.apk")).unwrap();
    assert!(!d.has_model("com.github.uiautomator"));
    assert_eq!(d.install(&["-r".into()], &real), "Success");
    let main = out(
        &d,
        "cmd package resolve-activity --brief com.github.uiautomator",
    );
    let component = main.lines().last().unwrap().trim().to_string();
    assert!(component.starts_with("com.github.uiautomator/"), "{main}");
    let r = d.run(&format!("am start -W -n {component}"));
    assert_eq!(r.status, 255);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.starts_with(
            "Error: SIMULATED handset: no behaviour model for package com.github.uiautomator, so it refuses to run it"
        ) && err.contains("prior sim --model DIR"),
        "{err}"
    );
    assert_eq!(out(&d, "pidof com.github.uiautomator"), "");
    // A package with a model still starts.
    install(&d, "polite-news");
    assert!(d.has_model("com.prior.demo.politenews"));
    assert!(launch(&d, "com.prior.demo.politenews/.MainActivity").contains("Status: ok"));
}

// =========================================================================== device state

#[test]
fn getprop_single_and_full_dump() {
    let d = manual();
    assert_eq!(out(&d, "getprop sys.boot_completed"), "1\n");
    assert_eq!(out(&d, "getprop ro.build.version.sdk"), "33\n");
    assert_eq!(out(&d, "getprop ro.build.version.release"), "13\n");
    assert_eq!(out(&d, "getprop ro.product.model"), "SIMULATED Pixel 6\n");
    assert_eq!(out(&d, "getprop ro.product.cpu.abi"), "x86_64\n");
    assert_eq!(out(&d, "getprop persist.sys.timezone"), "Asia/Shanghai\n");
    assert_eq!(out(&d, "getprop no.such.prop"), "\n");
    assert_eq!(out(&d, "getprop no.such.prop fallback"), "fallback\n");
    let all = out(&d, "getprop");
    let re = Regex::new(r"^\[[\w.\-]+\]: \[[^\]]*\]$").unwrap();
    let keys: Vec<&str> = all
        .lines()
        .map(|l| {
            assert!(re.is_match(l), "{l}");
            l.split("]: [").next().unwrap()
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(all.contains("[ro.build.fingerprint]: [google/sdk_gphone64_x86_64/emu64xa:13/"));
    assert_eq!(d.banner().model, "SIMULATED Pixel 6");
    assert_eq!(d.run("setprop ro.secure 0").status, 1);
    assert_eq!(d.run("setprop log.tag.Foo D").status, 0);
    assert_eq!(out(&d, "getprop log.tag.Foo"), "D\n");
}

#[test]
fn packages_install_list_resolve_uninstall() {
    let d = manual();
    install(&d, "leaky-shop");
    install(&d, "polite-news");
    assert_eq!(
        out(&d, "pm list packages -3"),
        "package:com.prior.demo.leakyshop\npackage:com.prior.demo.politenews\n"
    );
    assert_eq!(
        out(&d, "pm list packages -3 -U polite"),
        "package:com.prior.demo.politenews uid:10151\n"
    );
    assert!(
        out(&d, "pm list packages").contains("package:com.google.android.permissioncontroller\n")
    );
    assert_eq!(
        out(
            &d,
            "cmd package resolve-activity --brief -a android.intent.action.MAIN -c android.intent.category.LAUNCHER com.prior.demo.leakyshop"
        ),
        "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\ncom.prior.demo.leakyshop/.ui.SplashActivity\n"
    );
    assert_eq!(
        out(&d, "cmd package resolve-activity --brief no.such"),
        "No activity found\n"
    );
    let path = out(&d, "pm path com.prior.demo.leakyshop");
    assert!(
        Regex::new(
            r"^package:/data/app/~~[\w-]{22}==/com.prior.demo.leakyshop-[\w-]{22}==/base.apk\n$"
        )
        .unwrap()
        .is_match(&path),
        "{path}"
    );
    let stored = d
        .read_file(path.trim().trim_start_matches("package:"))
        .unwrap();
    assert_eq!(stored, apk("leaky-shop"));
    // install through the push path
    d.write_file("/data/local/tmp/x.apk", &apk("crashy"), 0o644, 0)
        .unwrap();
    assert_eq!(out(&d, "pm 'install' '/data/local/tmp/x.apk'"), "Success\n");
    assert_eq!(
        out(
            &d,
            "rm '/data/local/tmp/x.apk' </dev/null; ls /data/local/tmp"
        ),
        ""
    );
    assert_eq!(
        out(&d, "cmd package uninstall com.prior.demo.crashy"),
        "Success\n"
    );
    assert_eq!(
        out(&d, "pm 'uninstall' 'com.prior.demo.crashy'"),
        "Failure [not installed for 0]\n"
    );
    assert_eq!(out(&d, "pm clear com.prior.demo.leakyshop"), "Success\n");
    assert_eq!(out(&d, "pm clear no.such"), "Failed\n");
    // broken and unsigned APKs
    let r = d.install(&[], b"not an apk at all");
    assert!(
        r.starts_with("Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse /data/app/vmdl"),
        "{r}"
    );
    let unsigned = std::fs::read(repo().join("tests/data/sim/unsigned-demo.apk")).unwrap();
    let r = d.install(&[], &unsigned);
    assert!(
        r.starts_with("Failure [INSTALL_PARSE_FAILED_NO_CERTIFICATES: "),
        "{r}"
    );
}

#[test]
fn runtime_permissions_grant_and_revoke() {
    let d = manual();
    install(&d, "leaky-shop");
    let dumpperm = |d: &SimDevice| out(d, "dumpsys package com.prior.demo.leakyshop");
    assert!(
        dumpperm(&d).contains("android.permission.ACCESS_FINE_LOCATION: granted=false"),
        "nothing granted at install"
    );
    assert_eq!(
        d.run("pm grant com.prior.demo.leakyshop android.permission.ACCESS_FINE_LOCATION")
            .status,
        0
    );
    assert!(dumpperm(&d).contains("android.permission.ACCESS_FINE_LOCATION: granted=true"));
    let r = d.run("pm grant com.prior.demo.leakyshop android.permission.CAMERA");
    assert_eq!(r.status, 255);
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "Exception occurred while executing 'grant':\njava.lang.SecurityException: Package com.prior.demo.leakyshop has not requested permission android.permission.CAMERA\n"
    );
    let r = d.run("pm grant com.prior.demo.leakyshop android.permission.INTERNET");
    assert!(String::from_utf8_lossy(&r.stderr).contains("is not a changeable permission type"));
    let r = d.run("pm grant nope android.permission.CAMERA");
    assert!(
        String::from_utf8_lossy(&r.stderr)
            .contains("java.lang.IllegalArgumentException: Unknown package: nope")
    );
    assert_eq!(
        d.run("pm revoke com.prior.demo.leakyshop android.permission.ACCESS_FINE_LOCATION")
            .status,
        0
    );
    assert!(dumpperm(&d).contains("android.permission.ACCESS_FINE_LOCATION: granted=false"));
    // -g grants every requested runtime permission
    assert_eq!(
        d.install(&["-r".into(), "-g".into()], &apk("permission-first")),
        "Success"
    );
    assert!(
        out(&d, "dumpsys package com.prior.demo.permissionfirst")
            .contains("android.permission.ACCESS_COARSE_LOCATION: granted=true")
    );
}

// =========================================================================== models

#[test]
fn leaky_shop_without_permissions_shows_denials_before_its_dialog() {
    let d = manual();
    install(&d, "leaky-shop");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    // the dialog is not up yet at ~570 ms, but the SDK already ran
    assert!(!dump(&d).contains("用户协议与隐私政策"));
    let log = out(&d, "logcat -d -v uid");
    assert!(Regex::new(r"(?m)^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} radio  1003  \d+ W TelephonyPermissions: reportAccessDeniedToReadIdentifiers:com.prior.demo.leakyshop:getImeiForSlot:1$").unwrap().is_match(&log), "{log}");
    assert!(log.contains("W UMLog   : java.lang.SecurityException: getImeiForSlot: The user 10150 does not meet the requirements to access device identifiers."));
    assert!(log.contains("W LeakyShop: java.lang.SecurityException: uid 10150 does not have android.permission.ACCESS_COARSE_LOCATION or android.permission.ACCESS_FINE_LOCATION."));
    assert!(log.contains("I UMLog   : UMConfigure.init: appkey="));
    let ops = out(&d, "dumpsys appops --package com.prior.demo.leakyshop");
    assert!(ops.contains("Reject: [top-s]"), "{ops}");
    assert!(
        !ops.contains("FINE_LOCATION") && !ops.contains("Access:"),
        "no permission, no access entry: {ops}"
    );
    later(&d, 600);
    assert!(dump(&d).contains("用户协议与隐私政策"));
    let hosts: Vec<String> = d.network_records().into_iter().map(|r| r.host).collect();
    assert_eq!(hosts, ["ulogs.umeng.com", "alog.umeng.com"]);
}

#[test]
fn leaky_shop_with_location_granted_notes_an_access() {
    let d = manual();
    install(&d, "leaky-shop");
    assert_eq!(
        d.run("pm grant com.prior.demo.leakyshop android.permission.ACCESS_FINE_LOCATION")
            .status,
        0
    );
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    let ops = out(&d, "dumpsys appops --package com.prior.demo.leakyshop");
    assert!(ops.contains("      FINE_LOCATION (allow): \n        null=[\n          Access: [top-s] 2026-11-29 03:30:00."), "{ops}");
    assert!(
        !out(&d, "logcat -d").contains("does not have android.permission.ACCESS_COARSE_LOCATION")
    );
    // the device-identifier reject happens regardless
    assert!(ops.contains("READ_DEVICE_IDENTIFIERS (default): "));
}

#[test]
fn consent_taps_change_the_screen_and_are_remembered() {
    let d = manual();
    install(&d, "leaky-shop");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    later(&d, 1000);
    // the link opens the policy, whose back button returns to the dialog
    tap_text(&d, "《用户协议》和《隐私政策》");
    later(&d, 10);
    assert!(dump(&d).contains("text=\"隐私政策\""));
    tap_text(&d, "返回");
    tap_text(&d, "同意");
    later(&d, 300);
    let xml = dump(&d);
    assert!(xml.contains("今日特价") && !xml.contains("不同意"), "{xml}");
    assert!(out(&d, "logcat -d").contains("I LeakyShop: privacy consent accepted"));
    // consent is app data: a restart goes straight home; pm clear forgets it
    assert_eq!(d.run("am force-stop com.prior.demo.leakyshop").status, 0);
    assert_eq!(d.run("pidof com.prior.demo.leakyshop").status, 1);
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    later(&d, 1200);
    assert!(dump(&d).contains("今日特价"));
    out(&d, "pm clear com.prior.demo.leakyshop");
    launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
    later(&d, 1200);
    assert!(dump(&d).contains("用户协议与隐私政策"));
    // 不同意 sits in a child view; tapping it reaches the parent and the app exits
    tap_text(&d, "不同意");
    later(&d, 400);
    assert_eq!(d.run("pidof com.prior.demo.leakyshop").status, 1);
    assert!(dump(&d).contains("com.google.android.apps.nexuslauncher"));
    let log = out(&d, "logcat -d -b all");
    assert!(log.contains("I LeakyShop: privacy consent refused, finishing"));
    assert!(log.contains("I Zygote  : Process "));
}

#[test]
fn permission_first_asks_through_the_permission_controller() {
    let d = manual();
    install(&d, "permission-first");
    launch(&d, "com.prior.demo.permissionfirst/.MainActivity");
    later(&d, 300);
    let log = out(&d, "logcat -d -b system");
    assert!(log.contains("I ActivityTaskManager: START u0 {act=android.content.pm.action.REQUEST_PERMISSIONS pkg=com.google.android.permissioncontroller cmp=com.google.android.permissioncontroller/com.android.permissioncontroller.permission.ui.GrantPermissionsActivity (has extras)} from uid 10150\n"), "{log}");
    let xml = dump(&d);
    assert!(xml.contains("package=\"com.google.android.permissioncontroller\""));
    assert!(xml.contains("Allow Weather Now to access this device’s location?"));
    tap_text(&d, "While using the app");
    later(&d, 100);
    assert!(
        out(&d, "dumpsys package com.prior.demo.permissionfirst")
            .contains("android.permission.ACCESS_FINE_LOCATION: granted=true")
    );
    let ops = out(
        &d,
        "dumpsys appops --package com.prior.demo.permissionfirst",
    );
    assert!(
        ops.contains("FINE_LOCATION (allow): ") && ops.contains("Access: [top-s]"),
        "{ops}"
    );
    later(&d, 700);
    let xml = dump(&d);
    assert!(
        xml.contains("Privacy notice") && xml.contains("text=\"Agree\""),
        "{xml}"
    );
    tap_text(&d, "Agree");
    later(&d, 400);
    assert!(
        out(
            &d,
            "appops get com.prior.demo.permissionfirst MONITOR_LOCATION"
        )
        .contains("(running)")
    );

    // denying: no location access, the consent dialog comes anyway
    let d = manual();
    install(&d, "permission-first");
    launch(&d, "com.prior.demo.permissionfirst/.MainActivity");
    later(&d, 300);
    tap_text(&d, "Don’t allow");
    later(&d, 500);
    assert!(dump(&d).contains("Privacy notice"));
    assert!(
        !out(
            &d,
            "dumpsys appops --package com.prior.demo.permissionfirst"
        )
        .contains("FINE_LOCATION")
    );
    // BACK on the dialog does nothing (no on_back); HOME backgrounds the app
    assert_eq!(d.run("input keyevent KEYCODE_BACK").status, 0);
    assert!(dump(&d).contains("Privacy notice"));
    assert_eq!(d.run("input keyevent 3").status, 0);
    assert!(dump(&d).contains("nexuslauncher"));
}

#[test]
fn reject_path_keeps_collecting_after_disagree() {
    let d = manual();
    install(&d, "reject-path");
    assert_eq!(out(&d, "am trace-ipc start"), "Starting IPC tracing.\n");
    launch(&d, "com.prior.demo.rejectpath/.MainActivity");
    later(&d, 600);
    assert!(
        !out(&d, "dumpsys appops --package com.prior.demo.rejectpath").contains("Package "),
        "nothing before the answer"
    );
    tap_text(&d, "不同意");
    later(&d, 100);
    assert!(dump(&d).contains("Guest mode"));
    later(&d, 1000);
    assert!(
        out(&d, "dumpsys appops --package com.prior.demo.rejectpath")
            .contains("READ_DEVICE_IDENTIFIERS (default): ")
    );
    let ipc = {
        out(&d, "am trace-ipc stop --dump-file /data/local/tmp/r.txt");
        out(&d, "cat /data/local/tmp/r.txt")
    };
    assert!(
        ipc.contains("com.prior.demo.rejectpath.track.Tracker.apps(Tracker.java:58)"),
        "{ipc}"
    );
    assert_eq!(d.network_records().len(), 1);
}

#[test]
fn no_consent_game_never_asks() {
    let d = manual();
    install(&d, "no-consent-game");
    launch(&d, "com.prior.demo.noconsentgame/.GameActivity");
    later(&d, 5000);
    let xml = dump(&d);
    assert!(
        xml.contains("Tap the bubbles!") && !xml.contains("Accept"),
        "{xml}"
    );
    assert_eq!(d.network_records()[0].host, "ads.adnetwork.example");
    assert!(out(&d, "logcat -d").contains("I AdNetworkSDK: AdNetwork SDK 4.2.0 initialising"));
}

#[test]
fn crashy_dies_on_launch() {
    let d = manual();
    install(&d, "crashy");
    let am = launch(&d, "com.prior.demo.crashy/.MainActivity");
    assert!(am.contains("Status: ok\nLaunchState: UNKNOWN (0)\nActivity: com.prior.demo.crashy/.MainActivity\nWaitTime: "), "{am}");
    assert!(!am.contains("TotalTime"));
    let crash = out(&d, "logcat -d -b crash");
    let pid_re =
        Regex::new(r"E AndroidRuntime: Process: com.prior.demo.crashy, PID: (\d+)\n").unwrap();
    assert!(
        crash.starts_with("--------- beginning of crash\n") || !crash.contains("---------"),
        "{crash}"
    );
    assert!(
        crash.contains("E AndroidRuntime: FATAL EXCEPTION: main\n"),
        "{crash}"
    );
    assert!(pid_re.is_match(&crash), "{crash}");
    assert!(crash.contains(
        "E AndroidRuntime: java.lang.NullPointerException: Attempt to invoke virtual method"
    ));
    assert!(crash.contains(
        "E AndroidRuntime: \tat com.prior.demo.crashy.ConfigLoader.load(ConfigLoader.java:42)\n"
    ));
    let events = out(&d, "logcat -d -b events");
    assert!(Regex::new(r"I am_crash: \[0,\d+,com.prior.demo.crashy,\d+,java.lang.NullPointerException,Attempt to invoke virtual method .*,ConfigLoader.java,42,0\]").unwrap().is_match(&events), "{events}");
    assert!(events.contains("I am_proc_died: ["));
    assert_eq!(d.run("pidof com.prior.demo.crashy").status, 1);
    assert!(
        !events.contains("wm_on_create_called"),
        "it died before its activity was created"
    );
}

#[test]
fn jitter_is_seeded() {
    let run = |seed: u64| {
        let d = device(seed, ClockMode::Manual { start_us: T0 });
        install(&d, "leaky-shop");
        launch(&d, &format!("{LEAKY}/.ui.SplashActivity"));
        later(&d, 1500);
        out(&d, "logcat -d -b all -v epoch,usec")
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

// =========================================================================== shell

#[test]
fn sh_quotes_operators_status_and_redirects() {
    let d = manual();
    assert_eq!(
        out(&d, "echo \"a  b\" 'c $HOME' $HOME d\\ e"),
        "a  b c $HOME / d e\n"
    );
    assert_eq!(
        out(
            &d,
            "false; echo $?; true && echo yes || echo no; false || echo fallback"
        ),
        "1\nyes\nfallback\n"
    );
    assert_eq!(out(&d, "X=1; export Y=2; echo $X$Y ${X}"), "12 1\n");
    let r = d.run("nosuchcmd arg");
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.stderr).into_owned()),
        (
            127,
            "/system/bin/sh: nosuchcmd: inaccessible or not found\n".into()
        )
    );
    assert_eq!(d.run("nosuchcmd 2>/dev/null").stderr, b"");
    assert_eq!(d.run("exit 3; echo never").status, 3);
    assert_eq!(
        out(
            &d,
            "echo one > /sdcard/f.txt; echo two >> /sdcard/f.txt; cat /sdcard/f.txt"
        ),
        "one\ntwo\n"
    );
    assert_eq!(out(&d, "cat < /sdcard/f.txt | grep tw"), "two\n");
    let r = d.run("echo x > /system/x");
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.stderr).into_owned()),
        (
            1,
            "/system/bin/sh: can't create /system/x: Read-only file system\n".into()
        )
    );
    assert_eq!(
        out(&d, "sh -c 'echo inner $0; exit 4'; echo outer $?"),
        "inner /system/bin/sh\nouter 4\n"
    );
    assert_eq!(out(&d, "echo $(echo sub) `echo tick`"), "sub tick\n");
    assert_eq!(out(&d, "nosuch 2>&1 | wc -l"), "1\n");
    assert_eq!(
        out(&d, "cat /nope 2>/dev/null || echo missing"),
        "missing\n"
    );
    let pid = out(&d, "echo $$");
    assert!(pid.trim().parse::<i32>().unwrap() > 3000);
    let r = d.run("echo 'unterminated");
    assert_eq!(r.status, 1);
    assert!(String::from_utf8_lossy(&r.stderr).starts_with("/system/bin/sh: syntax error"));
    assert_eq!(
        out(
            &d,
            "[ -f /sdcard/f.txt ] && echo file; test 2 -gt 1 && echo gt"
        ),
        "file\ngt\n"
    );
    assert_eq!(
        out(&d, "id"),
        "uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),1078(ext_data_rw),1079(ext_obb_rw),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid),3012(readtracefs) context=u:r:shell:s0\n"
    );
    assert_eq!(
        out(
            &d,
            "rm /sdcard/f.txt && rm -f /sdcard/f.txt && ls /sdcard/f.txt 2>&1"
        ),
        "ls: /sdcard/f.txt: No such file or directory\n"
    );
    assert_eq!(out(&d, "settings get secure android_id").trim().len(), 16);
    assert_eq!(
        out(
            &d,
            "settings put global x 5; settings get global x; settings get global unset"
        ),
        "5\nnull\n"
    );
    assert_eq!(
        out(&d, "wm size; wm density"),
        "Physical size: 1080x2400\nPhysical density: 420\n"
    );
}

#[test]
fn date_follows_the_device_clock_and_zone() {
    let d = manual();
    assert_eq!(out(&d, "date +%s"), "1795894200\n");
    assert_eq!(out(&d, "date"), "Sun Nov 29 03:30:00 CST 2026\n");
    assert_eq!(
        out(&d, "date -u '+%Y-%m-%d %H:%M:%S %z'"),
        "2026-11-28 19:30:00 +0000\n"
    );
    later(&d, 1500);
    assert_eq!(out(&d, "date +%s%N"), "1795894201500000000\n");
    // sleep moves a manual clock
    d.run("sleep 2");
    assert_eq!(out(&d, "date +%s"), "1795894203\n");
}

// =========================================================================== logcat options

fn lines_with(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn logcat_buffers_clear_tail_and_filters() {
    let d = manual();
    for i in 0..5 {
        d.run(&format!("log -t T{i} 'message {i}'"));
        later(&d, 10);
    }
    d.run("log -p w -t prior warned");
    let main = out(&d, "logcat -d -b main");
    assert!(!main.contains("---------"), "one buffer: no dividers");
    assert_eq!(lines_with(&main, "message "), 5);
    assert!(main.contains(" W prior   : warned\n"));
    assert_eq!(out(&d, "logcat -t 2 -b main").lines().count(), 2);
    assert_eq!(out(&d, "logcat -d -s prior:W -b main").lines().count(), 1);
    assert_eq!(
        lines_with(&out(&d, "logcat -d '*:S' T1 -b main"), "message"),
        1
    );
    assert!(
        Regex::new(r"^I/T3      \( *\d+\): message 3\n$")
            .unwrap()
            .is_match(&out(&d, "logcat -d -b main -v brief -s T3"))
    );
    let events = out(&d, "logcat -d -b events");
    assert!(events.lines().all(|l| !l.contains("message")));
    let all = out(&d, "logcat -d -b all");
    assert!(
        all.contains("--------- beginning of events\n")
            && all.contains("--------- beginning of main\n")
    );
    let combo = out(&d, "logcat -d -b main,system -b crash");
    assert!(combo.contains("--------- beginning of main\n"));
    // --pid and --uid
    let pid_line = main.lines().find(|l| l.contains("message 2")).unwrap();
    let pid: i32 = pid_line.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert_eq!(
        out(&d, &format!("logcat -d --pid={pid}"))
            .lines()
            .filter(|l| !l.starts_with("---"))
            .count(),
        1
    );
    assert_eq!(
        lines_with(&out(&d, "logcat -d --uid 2000 -b all"), "message"),
        5
    );
    assert_eq!(
        lines_with(&out(&d, "logcat -d --uid=1000 -b all"), "message"),
        0
    );
    // -T time keeps following: bounded here by timeout
    let since = out(&d, "logcat -t '11-29 03:30:00.025' -b main");
    assert_eq!(lines_with(&since, "message"), 2, "{since}");
    // -c clears the selected buffers only
    assert_eq!(d.run("logcat -c").status, 0);
    assert_eq!(out(&d, "logcat -d -b main"), "");
    assert!(
        !out(&d, "logcat -d -b events").is_empty(),
        "events are not in the default set"
    );
    // sizes
    assert_eq!(d.run("logcat -G 1M -b main").status, 0);
    assert!(out(&d, "logcat -g -b main").starts_with("main: ring buffer is 1024 KiB ("));
    let r = d.run("logcat -b nope -d");
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.stderr).into_owned()),
        (1, "Unknown buffer 'nope' listed for -b.\n".into())
    );
    assert_eq!(d.run("logcat -d -v nonsense").status, 1);
    // other verbs
    d.run("log -t Fmt hello");
    assert!(out(&d, "logcat -d -v raw -b main").contains("hello\n"));
    assert!(out(&d, "logcat -d -v tag -b main").contains("I/Fmt     : hello\n"));
    assert!(
        Regex::new(r"(?m)^2026-11-29 03:30:00\.\d{6} \+0800  \d+  \d+ I Fmt     : hello$")
            .unwrap()
            .is_match(&out(&d, "logcat -d -v year,usec,zone -b main"))
    );
    assert!(
        Regex::new(r"(?m)^11-28 19:30:00\.\d{3} \+0000 ")
            .unwrap()
            .is_match(&out(&d, "logcat -d -v UTC -b main"))
    );
}

/// A ShellIo that collects output and closes itself after `close_after` stdout writes.
struct Stream {
    out: Arc<Mutex<Vec<u8>>>,
    writes: Arc<AtomicUsize>,
    closed: Arc<AtomicBool>,
}

impl ShellIo for Stream {
    fn stdout(&mut self, data: &[u8]) -> bool {
        if self.closed.load(Ordering::SeqCst) {
            return false;
        }
        self.out.lock().unwrap().extend_from_slice(data);
        self.writes.fetch_add(1, Ordering::SeqCst);
        true
    }
    fn stderr(&mut self, _data: &[u8]) -> bool {
        !self.closed.load(Ordering::SeqCst)
    }
    fn read_stdin(&mut self, _timeout: Duration) -> Option<Vec<u8>> {
        Some(Vec::new())
    }
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

#[test]
fn streaming_logcat_follows_new_lines_and_stops_when_closed() {
    let d = device(1, ClockMode::Real { offset_ms: 0 });
    let out_buf = Arc::new(Mutex::new(Vec::new()));
    let closed = Arc::new(AtomicBool::new(false));
    let mut io = Stream {
        out: Arc::clone(&out_buf),
        writes: Arc::new(AtomicUsize::new(0)),
        closed: Arc::clone(&closed),
    };
    let d2 = Arc::clone(&d);
    let h = std::thread::spawn(move || {
        d2.shell(
            "export ANDROID_LOG_TAGS=\"''\"; exec logcat -v epoch -b main",
            &mut io,
        )
    });
    std::thread::sleep(Duration::from_millis(150));
    d.run("log -t live 'first live line'");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !String::from_utf8_lossy(&out_buf.lock().unwrap()).contains("first live line") {
        assert!(
            Instant::now() < deadline,
            "the stream never delivered the new line"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    closed.store(true, Ordering::SeqCst);
    let t = Instant::now();
    h.join().unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "the stream ended {:?} after close",
        t.elapsed()
    );
}

#[test]
fn streaming_logcat_ends_on_kill_and_timeout() {
    let d = device(1, ClockMode::Real { offset_ms: 0 });
    let d2 = Arc::clone(&d);
    let h = std::thread::spawn(move || d2.run("echo $$; exec logcat -b main"));
    // find the shell's pid in the process table
    let deadline = Instant::now() + Duration::from_secs(5);
    let pid = loop {
        let ps = out(&d, "ps -A");
        if let Some(l) = ps.lines().find(|l| l.ends_with(" logcat")) {
            break l.split_whitespace().nth(1).unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "no logcat in ps: {ps}");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(d.run(&format!("kill {pid}")).status, 0);
    let r = h.join().unwrap();
    assert_eq!(r.status, 143);
    assert_eq!(r.text().lines().next().unwrap(), pid);
    assert_eq!(
        d.run("kill 531").status,
        1,
        "the shell may not kill system_server"
    );
    let t = Instant::now();
    let r = d.run("timeout 0.3 logcat -b main");
    assert_eq!(r.status, 124);
    assert!(t.elapsed() < Duration::from_secs(2));
}

// =========================================================================== screen

#[test]
fn screencap_is_a_decodable_png_of_the_screen() {
    let d = manual();
    install(&d, "polite-news");
    let home = d.run("screencap -p");
    assert_eq!(
        &home.stdout[..8],
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]
    );
    launch(&d, "com.prior.demo.politenews/.MainActivity");
    later(&d, 800);
    let shot = d.run("screencap -p").stdout;
    let decoder = png::Decoder::new(std::io::Cursor::new(shot.clone()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1080, 2400));
    assert_ne!(shot, home.stdout, "the dialog changes the picture");
    // the Accept button (primary) is drawn in the accent colour at its bounds' centre-left
    let (x, y) = center_of(&dump(&d), "Accept").unwrap();
    let px = |x: usize, y: usize| {
        [
            buf[(y * 1080 + x) * 3],
            buf[(y * 1080 + x) * 3 + 1],
            buf[(y * 1080 + x) * 3 + 2],
        ]
    };
    assert_eq!(px((x - 150) as usize, y as usize), [26, 115, 232]);
    // to a file
    assert_eq!(d.run("screencap -p /sdcard/s.png").status, 0);
    assert_eq!(
        d.read_file("/sdcard/s.png").unwrap()[..4],
        [0x89, b'P', b'N', b'G']
    );
}

/// The demo consent dialog's 同意/不同意 buttons are readable in the screenshot: each CJK
/// character is its own picture (the old renderer drew every one as the same hollow box).
#[test]
fn screencap_draws_the_consent_dialog_in_chinese() {
    let d = manual();
    install(&d, "leaky-shop");
    launch(&d, "com.prior.demo.leakyshop/.ui.SplashActivity");
    later(&d, 1500);
    let xml = dump(&d);
    assert!(xml.contains("不同意"), "the consent dialog is up: {xml}");
    let shot = d.run("screencap -p").stdout;
    let mut reader = png::Decoder::new(std::io::Cursor::new(shot))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    // the glyph cells of a button's text, centred on the button (BUTTON_SCALE 5: 55 px apart)
    let cells = |text: &str| -> Vec<Vec<[u8; 3]>> {
        let (cx, cy) = center_of(&xml, text).unwrap();
        let n = text.chars().count() as i32;
        let x0 = cx - n * 55 / 2;
        (0..n)
            .map(|i| {
                let mut px = Vec::new();
                for y in cy - 30..cy + 30 {
                    for x in x0 + i * 55..x0 + (i + 1) * 55 {
                        let o = (y as usize * 1080 + x as usize) * 3;
                        px.push([buf[o], buf[o + 1], buf[o + 2]]);
                    }
                }
                px
            })
            .collect()
    };
    let agree = cells("同意");
    let disagree = cells("不同意");
    assert_ne!(agree[0], agree[1], "同 and 意 are drawn differently");
    assert_ne!(disagree[0], disagree[1], "不 and 同 are drawn differently");
    for (text, cs) in [("同意", &agree), ("不同意", &disagree)] {
        for (i, c) in cs.iter().enumerate() {
            let bg = c[0];
            let ink = c.iter().filter(|p| **p != bg).count();
            assert!(ink > 150, "{text}[{i}] has ink ({ink} pixels)");
        }
    }
}

#[test]
fn monkey_launches_or_explains() {
    let d = manual();
    install(&d, "polite-news");
    let r = d.run("monkey -p com.prior.demo.politenews -c android.intent.category.LAUNCHER 1");
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.stderr).into_owned()),
        (
            251,
            "** SYS_KEYS has no physical keys but with factor 2.0%.\n".into()
        )
    );
    let r = d.run(
        "monkey -p com.prior.demo.politenews -c android.intent.category.LAUNCHER --pct-syskeys 0 1",
    );
    assert_eq!(r.status, 0);
    assert!(Regex::new(r"^Events injected: 1\n## Network stats: elapsed time=\d+ms \(0ms mobile, 0ms wifi, \d+ms not connected\)\n$").unwrap().is_match(&r.text()), "{}", r.text());
    assert!(out(&d, "logcat -d -b system").contains("START u0 {act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 cmp=com.prior.demo.politenews/.MainActivity} from uid 2000"));
    let r = d.run("monkey -p no.such --pct-syskeys 0 1");
    assert_eq!(r.status, 252);
}

// =========================================================================== transport API

#[test]
fn sync_calls_create_parents_and_report_errors() {
    let d = manual();
    d.write_file("/sdcard/Download/a/b/c.bin", &[1, 2, 3], 0o644, 42)
        .unwrap();
    let st = d.stat("/sdcard/Download/a/b/c.bin").unwrap();
    assert_eq!((st.mode, st.size, st.mtime), (0o100_644, 3, 42));
    assert!(d.stat("/sdcard/Download/a/b").unwrap().mode & 0o040_000 != 0);
    assert_eq!(
        d.list_dir("/sdcard/Download/a/b")
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>(),
        ["c.bin"]
    );
    assert_eq!(
        d.read_file("/sdcard/none").unwrap_err().to_string(),
        "No such file or directory"
    );
    assert_eq!(
        d.write_file("/system/bin/x", b"x", 0o755, 0)
            .unwrap_err()
            .to_string(),
        "Read-only file system"
    );
    assert!(d.stat("/nope").is_none());
    assert_eq!(
        d.abb_exec(&[
            "settings".into(),
            "get".into(),
            "global".into(),
            "enable_adb_incremental_install_default".into()
        ]),
        b"null\n"
    );
    let mut io = CollectIo {
        stdin: apk("crashy"),
        ..CollectIo::default()
    };
    let n = io.stdin.len();
    assert_eq!(
        d.shell(&format!("cmd package 'install' -S {n}"), &mut io),
        0
    );
    assert_eq!(io.out, b"Success\n");
}

// =========================================================================== real adb

fn free_port() -> u16 {
    loop {
        let p = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if p != 5037 && !(5554..=5585).contains(&p) {
            return p;
        }
    }
}

struct Adb {
    port: u16,
    home: PathBuf,
}

impl Adb {
    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut c = std::process::Command::new("adb");
        c.arg("-P").arg(self.port.to_string()).args(args);
        c.env("HOME", &self.home)
            .env("ANDROID_ADB_SERVER_PORT", self.port.to_string())
            .env_remove("ANDROID_SERIAL");
        c.stdin(std::process::Stdio::null());
        let child = c
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let id = child.id();
        let done = Arc::new(AtomicBool::new(false));
        let d2 = Arc::clone(&done);
        let args_s = args.join(" ");
        let watchdog = std::thread::spawn(move || {
            let t = Instant::now();
            while !d2.load(Ordering::SeqCst) {
                if t.elapsed() > Duration::from_secs(60) {
                    // only our own child, by its id
                    let _ = std::process::Command::new("kill")
                        .arg(id.to_string())
                        .status();
                    panic!("adb {args_s} hung");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let o = child.wait_with_output().unwrap();
        done.store(true, Ordering::SeqCst);
        let _ = watchdog.join();
        o
    }
}

impl Drop for Adb {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

#[test]
fn real_adb_drives_the_simulated_device() {
    prior_testkit::require_tool!("adb");
    let d = device(5, ClockMode::Real { offset_ms: 0 });
    let sim = crate::server::SimServer::start(
        Arc::clone(&d) as Arc<dyn DeviceHandler>,
        crate::server::SimOptions::default(),
    )
    .unwrap();
    let home = std::env::temp_dir().join(format!(
        "prior-sim-adb-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(home.join(".android")).unwrap();
    let adb = Adb {
        port: free_port(),
        home,
    };
    assert!(adb.run(&["start-server"]).status.success());
    let addr = sim.adbd_addr().to_string();
    let o = adb.run(&["connect", &addr]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("connected to {addr}")),
        "{o:?}"
    );
    let s = |args: &[&str]| {
        let mut v = vec!["-s", addr.as_str()];
        v.extend_from_slice(args);
        adb.run(&v)
    };
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        text(&s(&["shell", "getprop", "ro.product.model"])),
        "SIMULATED Pixel 6\n"
    );
    let apk_path = repo().join("scenarios/demo/apps/leaky-shop.apk");
    let o = s(&["install", apk_path.to_str().unwrap()]);
    assert!(text(&o).contains("Success"), "{o:?}");
    let o = s(&[
        "shell",
        "am",
        "start",
        "-W",
        "-n",
        "com.prior.demo.leakyshop/.ui.SplashActivity",
    ]);
    assert!(text(&o).contains("LaunchState: COLD"), "{o:?}");
    std::thread::sleep(Duration::from_millis(800));
    let log = text(&s(&["logcat", "-d", "-v", "epoch"]));
    assert!(log.contains("W TelephonyPermissions: reportAccessDeniedToReadIdentifiers:com.prior.demo.leakyshop:getImeiForSlot:1"), "{log}");
    assert!(s(&["shell", "uiautomator", "dump"]).status.success());
    let local = adb.home.join("window_dump.xml");
    assert!(
        s(&["pull", "/sdcard/window_dump.xml", local.to_str().unwrap()])
            .status
            .success()
    );
    let xml = std::fs::read_to_string(&local).unwrap();
    let (x, y) = center_of(&xml, "同意").unwrap();
    assert!(
        s(&["shell", "input", "tap", &x.to_string(), &y.to_string()])
            .status
            .success()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(text(&s(&["exec-out", "uiautomator", "dump", "/dev/tty"])).contains("今日特价"));
    let ops = text(&s(&[
        "shell",
        "dumpsys",
        "appops",
        "--package",
        "com.prior.demo.leakyshop",
    ]));
    assert!(
        ops.contains("READ_DEVICE_IDENTIFIERS (default): \n"),
        "{ops}"
    );
    let png_out = s(&["exec-out", "screencap", "-p"]);
    assert_eq!(
        &png_out.stdout[..8],
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]
    );
    let o = s(&["shell", "exit", "7"]);
    assert_eq!(o.status.code(), Some(7));
    let o = s(&["shell", "nosuchcmd"]);
    assert_eq!(o.status.code(), Some(127));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("/system/bin/sh: nosuchcmd: inaccessible or not found")
    );
    assert!(text(&s(&["uninstall", "com.prior.demo.leakyshop"])).contains("Success"));
}

// =========================================================================== demo + docs

#[test]
fn every_demo_apk_has_a_matching_model_and_runs() {
    let d = manual();
    let models: Vec<String> = d.with(|w, _| w.models.keys().cloned().collect());
    // The seven demo apps and Prior's canary (canary/prior-canary.apk, docs/selftest.md).
    assert_eq!(models.len(), 8, "{models:?}");
    let canary = std::fs::read(repo().join("canary/prior-canary.apk")).unwrap();
    let canary = super::packages::parse_apk(&canary).unwrap();
    let label = d.with(|w, _| w.models.get(&canary.package).and_then(|m| m.label.clone()));
    assert_eq!(label, canary.label, "canary: model label = manifest label");
    for name in [
        "leaky-shop",
        "polite-news",
        "no-consent-game",
        "permission-first",
        "reject-path",
        "crashy",
        "pinned-pay",
    ] {
        let facts = super::packages::parse_apk(&apk(name)).unwrap();
        assert!(facts.signed, "{name} is signed");
        let model_label = d.with(|w, _| w.models.get(&facts.package).and_then(|m| m.label.clone()));
        assert_eq!(
            model_label, facts.label,
            "{name}: model label = manifest label"
        );
        install(&d, name);
        let main = facts.main_activity.unwrap();
        let am = out(&d, &format!("am start -W -n {}/{main}", facts.package));
        assert!(am.contains("Status: ok\n"), "{name}: {am}");
        later(&d, 3000);
        assert_eq!(d.run(&format!("am force-stop {}", facts.package)).status, 0);
    }
    assert_eq!(
        d.run("pm list packages -3").text().lines().count(),
        7,
        "all seven installed side by side"
    );
}

#[test]
fn docs_list_every_catalog_api() {
    let doc = std::fs::read_to_string(repo().join("docs/sim-models.md")).unwrap();
    for api in super::apis::names() {
        assert!(
            doc.contains(&format!("| `{api}` |")),
            "docs/sim-models.md misses api `{api}`"
        );
    }
}

#[test]
fn logcat_tail_then_follow() {
    let d = device(1, ClockMode::Real { offset_ms: 0 });
    for i in 0..4 {
        d.run(&format!("log -t old 'old {i}'"));
    }
    let d2 = Arc::clone(&d);
    let h = std::thread::spawn(move || d2.run("timeout 1 logcat -b main -T 2"));
    std::thread::sleep(Duration::from_millis(300));
    d.run("log -t new 'fresh line'");
    let r = h.join().unwrap();
    assert_eq!(r.status, 124, "ended by its timeout");
    let text = r.text();
    assert_eq!(lines_with(&text, "I old     : old"), 2, "{text}");
    assert!(
        text.contains("I old     : old 3\n") && text.contains("I new     : fresh line\n"),
        "{text}"
    );
}

#[test]
fn a_self_looping_model_stays_bounded() {
    let d = manual();
    install(&d, "crashy");
    d.add_model_yaml(
        "package: com.prior.demo.crashy\non_start:\n  - goto: spin\nphases:\n  spin:\n    - log: { text: tick }\n    - contact: { host: a.example }\n    - goto: spin\n",
    )
    .unwrap();
    launch(&d, "com.prior.demo.crashy/.MainActivity");
    let t = Instant::now();
    later(&d, 20_000);
    assert_eq!(out(&d, "getprop sys.boot_completed"), "1\n");
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    let (cap, used) = d.with(|w, _| w.logs.usage(super::logs::LogId::Main));
    assert!(used <= cap);
    assert!(d.network_records().len() <= super::world::MAX_NET_RECORDS);
    assert!(lines_with(&out(&d, "logcat -d -b main"), "I crashy  : tick") > 1000);
}

#[test]
fn the_device_layers_wrapped_stream_survives_a_kill_of_its_inner_shell() {
    // prior-device runs every command as
    //   sh -c '<echo "TOKEN:pid:$$">; exec CMD'; r=$?; echo; echo "TOKEN:rc:$r"
    // and stops a stream with `kill PID` (then `pkill -P`/`kill -9`) over a second connection.
    let d = device(1, ClockMode::Real { offset_ms: 0 });
    let out_buf = Arc::new(Mutex::new(Vec::new()));
    let mut io = Stream {
        out: Arc::clone(&out_buf),
        writes: Arc::new(AtomicUsize::new(0)),
        closed: Arc::new(AtomicBool::new(false)),
    };
    let d2 = Arc::clone(&d);
    let line = "sh -c 'echo \"__prior_ab:pid:$$\"; exec logcat -b main -v epoch,uid,usec,printable'; r=$?; echo; echo \"__prior_ab:rc:$r\"";
    let h = std::thread::spawn(move || d2.shell(line, &mut io));
    let deadline = Instant::now() + Duration::from_secs(5);
    let pid = loop {
        let text = String::from_utf8_lossy(&out_buf.lock().unwrap()).into_owned();
        if let Some(l) = text.lines().find(|l| l.starts_with("__prior_ab:pid:")) {
            break l["__prior_ab:pid:".len()..].to_owned();
        }
        assert!(Instant::now() < deadline, "no pid line: {text}");
        std::thread::sleep(Duration::from_millis(10));
    };
    // the inner shell is a child with its own pid, exec'd into logcat
    let ps = out(&d, "ps -A");
    let row = ps
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(pid.as_str()))
        .unwrap();
    assert!(row.ends_with(" logcat"), "{row}");
    d.run("log -t prior 'during the stream'");
    assert_eq!(
        d.run(&format!("pkill -15 -P {pid}")).status,
        1,
        "logcat has no children"
    );
    assert_eq!(d.run(&format!("kill -15 {pid}")).status, 0);
    assert_eq!(h.join().unwrap(), 0, "the outer shell ends normally");
    let text = String::from_utf8_lossy(&out_buf.lock().unwrap()).into_owned();
    assert!(text.contains("I prior   : during the stream\n"), "{text}");
    assert!(text.ends_with("\n__prior_ab:rc:143\n"), "{text}");
    assert!(
        !out(&d, "ps -A").contains(&format!(" {pid} ")),
        "the child is gone"
    );
    // SIGKILL gives 137
    let d3 = Arc::clone(&d);
    let h = std::thread::spawn(move || d3.run("sh -c 'echo $$; exec sleep 30'; echo rc=$?"));
    let deadline = Instant::now() + Duration::from_secs(5);
    let pid = loop {
        if let Some(l) = out(&d, "ps -A").lines().find(|l| l.ends_with(" sleep")) {
            break l.split_whitespace().nth(1).unwrap().to_owned();
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(d.run(&format!("kill -KILL {pid}")).status, 0);
    assert!(h.join().unwrap().text().ends_with("rc=137\n"));
}

#[test]
fn boot_completed_props_are_unset_until_the_boot_delay_has_passed() {
    let d = SimDevice::new(SimConfig {
        boot_delay: Duration::from_millis(300),
        ..SimConfig::default()
    })
    .unwrap();
    assert_eq!(out(&d, "getprop sys.boot_completed"), "\n");
    assert_eq!(out(&d, "getprop dev.bootcomplete"), "\n");
    assert!(!out(&d, "getprop").contains("[sys.boot_completed]"));
    assert_eq!(out(&d, "getprop ro.product.model"), "SIMULATED Pixel 6\n");
    std::thread::sleep(Duration::from_millis(350));
    assert_eq!(out(&d, "getprop sys.boot_completed"), "1\n");
    assert_eq!(out(&d, "getprop dev.bootcomplete"), "1\n");
    assert!(out(&d, "getprop").contains("[sys.boot_completed]: [1]"));
    d.begin_boot(Duration::from_secs(60));
    assert_eq!(out(&d, "getprop sys.boot_completed"), "\n");
}

// --- H9 (issue 18): `send:` validation
#[test]
fn send_actions_are_validated_with_the_model() {
    let base = "package: com.x.y\non_start:\n  - at: 1ms\n    send: ";
    let ok = format!(
        "{base}{{ url: \"https://h.example/p?q={{{{imei|md5}}}}\", body: \"a={{{{lat|round2}}}}\" }}\n"
    );
    assert!(super::model::AppModel::from_yaml(&ok, "t").is_ok());
    for (bad, why) in [
        ("{ url: \"ftp://h/x\" }", "not an http"),
        ("{ url: \"https://h/{{imei|rot13}}\" }", "unknown encoding"),
        (
            "{ url: \"https://h/\", body: \"{{mood}}\" }",
            "no honey value",
        ),
        ("{ url: \"https://h/\", method: get }", "upper-case"),
        (
            "{ url: \"https://h/\", content_encoding: zip }",
            "content_encoding",
        ),
        (
            "{ url: \"https://h/\", headers: { \"X-A\": \"a\\r\\nB: c\" } }",
            "not a valid header",
        ),
    ] {
        let e = super::model::AppModel::from_yaml(&format!("{base}{bad}\n"), "t").unwrap_err();
        assert!(e.to_string().contains(why), "{bad}: {e}");
    }
}

// --- P4 (issue 17): the consent checkbox
const CHECKBOX_MODEL: &str = r#"package: com.prior.demo.politenews
on_start:
  - at: 100ms
    show: consent
phases:
  accepted:
    - log: { text: accepted }
  nudge:
    - log: { text: tick first }
screens:
  consent:
    kind: dialog
    title: 隐私政策
    checkbox: { text: 我已阅读并同意, flag: agreed, id: cb }
    buttons:
      - { text: 不同意, exit: true }
      - { text: 同意, requires: agreed, otherwise: nudge, goto: accepted }
"#;

#[test]
fn the_checkbox_is_toggled_by_taps_and_gates_the_accept_button() {
    let d = manual();
    install(&d, "polite-news");
    d.add_model_yaml(CHECKBOX_MODEL).unwrap();
    launch(&d, "com.prior.demo.politenews/.MainActivity");
    later(&d, 1000);
    let unticked = dump(&d);
    assert!(unticked.contains("text=\"我已阅读并同意\" resource-id=\"com.prior.demo.politenews:id/cb\" class=\"android.widget.CheckBox\" package=\"com.prior.demo.politenews\" content-desc=\"\" checkable=\"true\" checked=\"false\" clickable=\"true\""), "{unticked}");
    // Accept without the tick: the dialog stays, the `otherwise` phase runs.
    tap_text(&d, "同意");
    later(&d, 50);
    assert_eq!(dump(&d), unticked, "the dialog is unchanged");
    let log = out(&d, "logcat -d -b main");
    assert!(
        log.contains("tick first") && !log.contains(": accepted"),
        "{log}"
    );
    // Tick, untick, tick: the dump follows.
    tap_text(&d, "我已阅读并同意");
    assert!(dump(&d).contains("checkable=\"true\" checked=\"true\""));
    tap_text(&d, "我已阅读并同意");
    assert!(dump(&d).contains("checkable=\"true\" checked=\"false\""));
    tap_text(&d, "我已阅读并同意");
    tap_text(&d, "同意");
    later(&d, 50);
    assert!(
        !dump(&d).contains("android.widget.CheckBox"),
        "the dialog closed"
    );
    assert!(out(&d, "logcat -d -b main").contains(": accepted"));
}

#[test]
fn checkbox_fields_are_validated_with_the_model() {
    let base = "package: com.x.y\nphases: { p: [] }\nscreens:\n  c:\n    kind: dialog\n";
    for (bad, why) in [
        (
            "    buttons: [ { text: A, otherwise: p } ]\n",
            "`otherwise` needs `requires`",
        ),
        (
            "    buttons: [ { text: A, requires: f, otherwise: q } ]\n",
            "no phase named `q`",
        ),
        (
            "    checkbox: { text: T, flag: \"\" }\n",
            "checkbox `flag` is empty",
        ),
        (
            "    checkbox: { text: T, flag: f, id: \"a b\" }\n",
            "checkbox id",
        ),
        ("    checkbox: { text: T }\n", "flag"),
    ] {
        let e = super::model::AppModel::from_yaml(&format!("{base}{bad}"), "t").unwrap_err();
        assert!(e.to_string().contains(why), "{bad}: {e}");
    }
    let ok = format!(
        "{base}    checkbox: {{ text: T, flag: f }}\n    buttons: [ {{ text: A, requires: f, otherwise: p }} ]\n"
    );
    assert!(super::model::AppModel::from_yaml(&ok, "t").is_ok());
}
