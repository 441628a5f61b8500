//! The emulator lifecycle (`prior_emulator::lifecycle`) against the stand-in `emulator`
//! (tests/data/emulator/emulator), whose guest is `prior sim`, with a private Debian adb server
//! and a temporary SDK + HOME. Every test cleans up its processes through a Drop guard.

use crate::util::{Adb, data};
use prior_device::AdbServer;
use prior_emulator::lifecycle::{self, BootOptions, Reset, Running};
use prior_emulator::{EmulatorError, Sdk, SdkEnv};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A temporary SDK with the stand-in emulator, one AVD and a HOME; kills every emulator
/// process group it started on drop.
struct Lab {
    _dir: tempfile::TempDir,
    root: PathBuf,
    adb: Adb,
    pids: std::cell::RefCell<Vec<u32>>,
}

impl Lab {
    fn new(with_emulator: bool) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let sdk = root.join("sdk");
        std::fs::create_dir_all(sdk.join("emulator")).unwrap();
        if with_emulator {
            std::fs::copy(data("emulator/emulator"), sdk.join("emulator/emulator")).unwrap();
        }
        let avd = root.join("home/.android/avd");
        std::fs::create_dir_all(avd.join("p34.avd")).unwrap();
        std::fs::write(
            avd.join("p34.ini"),
            format!(
                "avd.ini.encoding=UTF-8\npath={}\npath.rel=avd/p34.avd\ntarget=android-34\n",
                avd.join("p34.avd").display()
            ),
        )
        .unwrap();
        std::fs::write(
            avd.join("p34.avd/config.ini"),
            "image.sysdir.1=system-images/android-34/google_apis/x86_64/\n",
        )
        .unwrap();
        Lab {
            _dir: dir,
            root,
            adb: Adb::start(),
            pids: Default::default(),
        }
    }

    fn sdk(&self) -> Sdk {
        Sdk::locate(SdkEnv {
            android_home: Some(self.root.join("sdk")),
            home: Some(self.root.join("home")),
            ..SdkEnv::default()
        })
    }

    fn server(&self) -> AdbServer {
        AdbServer::new(SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.adb.port))
    }

    fn boot(&self, opts: &BootOptions) -> Result<Running, EmulatorError> {
        self.boot_logged(opts).0
    }

    /// [`Lab::boot`], with the boot's log lines.
    fn boot_logged(&self, opts: &BootOptions) -> (Result<Running, EmulatorError>, Vec<String>) {
        let mut lines = Vec::new();
        let r = lifecycle::boot(&self.sdk(), &self.server(), "p34", opts, &mut |l| {
            lines.push(l.to_string())
        });
        if let Ok(run) = &r {
            self.pids.borrow_mut().extend(run.pid);
        }
        // The boot log names the pid even when the boot failed.
        for l in &lines {
            if let Some(pid) = l
                .strip_prefix("started emulator pid ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|p| p.parse().ok())
            {
                self.pids.borrow_mut().push(pid);
            }
        }
        // Every state file names a pid to clean up, even after a failure.
        for e in std::fs::read_dir(self.root.join("home/.android/prior"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(t) = std::fs::read_to_string(e.path())
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&t)
                && let Some(pid) = v["pid"].as_u64()
            {
                self.pids.borrow_mut().push(pid as u32);
            }
        }
        eprintln!("boot log:\n  {}", lines.join("\n  "));
        (r, lines)
    }

    fn adb_out(&self, args: &[&str]) -> String {
        let out = self
            .adb
            .cmd()
            .env("HOME", self.root.join("home"))
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for pid in self.pids.borrow().iter() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// The tests of this module share the emulator port range: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn opts(timeout: Duration) -> BootOptions {
    BootOptions {
        timeout,
        ..BootOptions::default()
    }
}

#[test]
fn emulator_lifecycle_end_to_end() {
    let _one = one_at_a_time();
    let lab = Lab::new(true);
    set_standin_env(&lab, "", 1.5);
    // Occupy the adb port of the first free pair: boot must skip that pair.
    let (held, busy_port) = hold_adb_port();
    let started = Instant::now();
    let run = lab.boot(&opts(Duration::from_secs(60))).unwrap();
    let boot_time = started.elapsed();
    eprintln!("booted {} in {boot_time:?}", run.serial);
    assert_ne!(run.console_port, busy_port);
    assert_eq!(run.adb_port, run.console_port + 1);
    assert!(
        boot_time >= Duration::from_millis(1500),
        "the boot delay was waited for: {boot_time:?}"
    );
    drop(held);

    // The device is usable through real adb, and the console speaks what `adb emu` expects.
    let model = lab.adb_out(&["-s", &run.serial, "shell", "getprop", "ro.product.model"]);
    assert!(model.contains("SIMULATED"), "{model}");
    let name = lab.adb_out(&["-s", &run.serial, "emu", "avd", "name"]);
    assert!(name.contains("p34"), "adb emu avd name: {name:?}");
    let anim = lab.adb_out(&[
        "-s",
        &run.serial,
        "shell",
        "settings",
        "get",
        "global",
        "animator_duration_scale",
    ]);
    assert_eq!(anim.trim(), "0", "animations are off");
    assert!(
        lab.root
            .join("home/.android/avd/p34.avd/snapshots/prior-clean")
            .is_dir(),
        "boot saved the clean snapshot"
    );

    // running / find / list.
    let sdk = lab.sdk();
    let server = lab.server();
    let found = lifecycle::find(&sdk, &server, "p34").unwrap().unwrap();
    assert_eq!(found.console_port, run.console_port);
    assert_eq!(found.pid, run.pid);
    let listed = lifecycle::list(&sdk, &server);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].image.as_deref(),
        Some("system-images;android-34;google_apis;x86_64")
    );
    assert_eq!(
        listed[0].running.as_ref().map(|r| r.console_port),
        Some(run.console_port)
    );

    // Reset via the snapshot: the guest restarts, anything set since is gone.
    lab.adb_out(&[
        "-s",
        &run.serial,
        "shell",
        "settings",
        "put",
        "global",
        "prior_mark",
        "1",
    ]);
    let started = Instant::now();
    let how = lifecycle::reset(
        &sdk,
        &server,
        &run,
        &opts(Duration::from_secs(60)),
        &mut |l| eprintln!("reset: {l}"),
    )
    .unwrap();
    eprintln!("reset in {:?}", started.elapsed());
    assert_eq!(how, Reset::Snapshot);
    let mark = lab.adb_out(&[
        "-s",
        &run.serial,
        "shell",
        "settings",
        "get",
        "global",
        "prior_mark",
    ]);
    assert_eq!(mark.trim(), "null", "the reset device is clean");

    // Kill through the console: process, console and adb device all gone.
    let started = Instant::now();
    lifecycle::kill(&sdk, &run, Duration::from_secs(20)).unwrap();
    eprintln!("killed in {:?}", started.elapsed());
    assert!(!lifecycle::process_alive(run.pid.unwrap()));
    wait_gone(&lab, &run.serial);
    assert!(lifecycle::find(&sdk, &server, "p34").unwrap().is_none());
    assert!(lifecycle::read_state(&sdk, run.console_port).is_none());
}

#[test]
fn reset_without_a_snapshot_wipes_and_reboots_and_kill_falls_back_to_the_group() {
    let _one = one_at_a_time();
    let lab = Lab::new(true);
    set_standin_env(&lab, "emulator-snapshot-missing,emulator-ignore-kill", 0.2);
    let run = lab.boot(&opts(Duration::from_secs(60))).unwrap();
    let sdk = lab.sdk();
    let server = lab.server();
    let mut lines = Vec::new();
    let how = lifecycle::reset(
        &sdk,
        &server,
        &run,
        &opts(Duration::from_secs(60)),
        &mut |l| lines.push(l.to_string()),
    )
    .unwrap();
    let Reset::WipedAndRebooted { why, running } = how else {
        panic!("expected a wipe: {how:?}");
    };
    lab.pids.borrow_mut().extend(running.pid);
    assert!(why.contains("not found"), "{why}");
    assert_eq!(running.console_port, run.console_port);
    assert_ne!(running.pid, run.pid);
    assert!(lines.iter().any(|l| l.contains("-wipe-data")), "{lines:?}");
    let log = std::fs::read_to_string(running.log.as_ref().unwrap()).unwrap();
    assert!(log.contains("wiping user data"), "{log}");
    // The console `kill` is ignored by this stand-in: the process group is signalled.
    lifecycle::kill(&sdk, &running, Duration::from_secs(10)).unwrap();
    assert!(!lifecycle::process_alive(running.pid.unwrap()));
    wait_gone(&lab, &running.serial);
}

/// Issue 11 §1.5: `-change-locale` makes the real emulator skip `-snapshot`
/// (android-qemu2-glue/main.cpp), and the stand-in does the same. The locale is applied at the
/// boot that saves the clean snapshot; a later boot loads the snapshot without it and checks
/// the snapshot's mark; a cold boot passed off as a snapshot boot is caught and wiped.
#[test]
fn a_snapshot_boot_never_changes_the_locale_and_a_cold_boot_is_caught() {
    let _one = one_at_a_time();
    let lab = Lab::new(true);
    set_standin_env(&lab, "", 0.2);
    let sdk = lab.sdk();
    let argv = |lines: &[String]| {
        lines
            .iter()
            .find(|l| l.starts_with("$ "))
            .cloned()
            .unwrap_or_default()
    };
    let with_locale = BootOptions {
        locale: Some("de-DE".into()),
        ..opts(Duration::from_secs(60))
    };

    // 1. The first boot applies the locale and saves the clean snapshot with its mark.
    let (first, lines) = lab.boot_logged(&with_locale);
    let first = first.unwrap();
    assert!(argv(&lines).contains("-change-locale de-DE"), "{lines:?}");
    assert!(
        lines.iter().any(|l| l == "saved snapshot prior-clean"),
        "{lines:?}"
    );
    let mark = lab.adb_out(&["-s", &first.serial, "shell", "getprop", "debug.prior.clean"]);
    assert_eq!(mark.trim(), "1");
    lifecycle::kill(&sdk, &first, Duration::from_secs(20)).unwrap();
    wait_gone(&lab, &first.serial);

    // 2. The next boot loads the snapshot, without -change-locale, and finds the mark.
    let (second, lines) = lab.boot_logged(&with_locale);
    let second = second.unwrap();
    let shown = argv(&lines);
    assert!(shown.contains("-snapshot prior-clean"), "{shown}");
    assert!(!shown.contains("-change-locale"), "{shown}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("booted from the clean snapshot")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains("-wipe-data")), "{lines:?}");
    lifecycle::kill(&sdk, &second, Duration::from_secs(20)).unwrap();
    wait_gone(&lab, &second.serial);

    // 3. The old bug: -change-locale beside -snapshot. The emulator cold-boots; Prior sees
    //    that the snapshot's mark is missing and wipes instead of recording on used userdata.
    let regressed = BootOptions {
        extra_args: vec!["-change-locale".into(), "de-DE".into()],
        ..opts(Duration::from_secs(60))
    };
    let (third, lines) = lab.boot_logged(&regressed);
    let third = third.unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("not in the clean snapshot's state")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("-wipe-data")), "{lines:?}");
    let log = std::fs::read_to_string(third.log.as_ref().unwrap()).unwrap();
    assert!(log.contains("wiping user data"), "{log}");
    lifecycle::kill(&sdk, &third, Duration::from_secs(20)).unwrap();
    wait_gone(&lab, &third.serial);
}

#[test]
fn boot_errors_are_clear() {
    let _one = one_at_a_time();
    let lab = Lab::new(true);
    let sdk = lab.sdk();
    let server = lab.server();
    let mut sink = |_: &str| {};

    // Unknown AVD: refused before anything starts.
    let err = lifecycle::boot(&sdk, &server, "nope", &BootOptions::default(), &mut sink)
        .unwrap_err()
        .to_string();
    assert!(err.contains("find AVD `nope`"), "{err}");

    // Crash on boot: the log tail is in the error.
    set_standin_env(&lab, "emulator-crash-on-boot", 0.0);
    let started = Instant::now();
    let err = lab.boot(&opts(Duration::from_secs(30))).unwrap_err();
    assert!(
        matches!(err, EmulatorError::EmulatorExited { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("/dev/kvm is not found"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // Never boots: timeout, and the emulator is killed.
    set_standin_env(&lab, "emulator-never-boots", 0.0);
    let err = lab.boot(&opts(Duration::from_secs(3))).unwrap_err();
    let EmulatorError::BootTimeout { why, serial, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(why.contains("sys.boot_completed"), "{err}");
    let pids = lab.pids.borrow().clone();
    assert!(!pids.is_empty());
    for pid in pids {
        assert!(!lifecycle::process_alive(pid), "pid {pid} was killed");
    }
    wait_gone(&lab, serial);

    // An explicit busy port.
    let (held, port) = hold_adb_port();
    set_standin_env(&lab, "", 0.0);
    let err = lab
        .boot(&BootOptions {
            port: Some(port),
            ..opts(Duration::from_secs(5))
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("in use"), "{err}");
    drop(held);
}

#[test]
fn a_missing_emulator_tool_is_named() {
    let _one = one_at_a_time();
    let lab = Lab::new(false);
    let err = lifecycle::boot(
        &lab.sdk(),
        &lab.server(),
        "p34",
        &BootOptions::default(),
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("find `emulator`"), "{err}");
    assert!(err.contains("sdkmanager emulator"), "{err}");
}

/// Writes the stand-in's settings where it reads them: a wrapper `emulator` script in the
/// lab SDK that sets the environment and execs the stand-in (tests share one process
/// environment, so nothing is set globally).
fn set_standin_env(lab: &Lab, fail: &str, boot_delay: f64) {
    let target = lab.root.join("sdk/emulator/emulator");
    let real = lab.root.join("sdk/emulator/standin.py");
    if !real.exists() {
        std::fs::copy(data("emulator/emulator"), &real).unwrap();
    }
    let prior = PathBuf::from(env!("CARGO_BIN_EXE_prior"));
    let models = data("../../scenarios/demo/models");
    let script = format!(
        "#!/bin/sh\nPRIOR_SIM_BIN={} STANDIN_MODELS={} STANDIN_BOOT_DELAY={boot_delay} STANDIN_FAIL={} exec python3 {} \"$@\"\n",
        sh_quote(&prior),
        sh_quote(&models),
        sh_quote(Path::new(fail)),
        sh_quote(&real)
    );
    std::fs::write(&target, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn sh_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// Holds the adb port of a free emulator pair; returns the listener and the console port.
fn hold_adb_port() -> (TcpListener, u16) {
    for port in (5554u16..=5584).step_by(2) {
        if lifecycle::pair_is_free(port)
            && let Ok(l) = TcpListener::bind(("127.0.0.1", port + 1))
        {
            return (l, port);
        }
    }
    panic!("no free emulator port pair");
}

fn wait_gone(lab: &Lab, serial: &str) {
    // Generous: on a loaded 2-core CI machine adb can take seconds to notice.
    for _ in 0..200 {
        if !lab.adb_out(&["devices"]).contains(serial) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{serial} is still listed: {}", lab.adb_out(&["devices"]));
}

/// `prior emulator create` (stand-in sdkmanager + avdmanager), then `prior run --device avd:NAME`
/// three times: a boot for the run (with `-tcpdump` into the bundle) that is stopped afterwards,
/// a `--keep-emulator` run, and a run that reuses the kept emulator (reset to its clean
/// snapshot, captured through the console); then `prior emulator list` and `kill`.
#[test]
fn prior_run_on_an_avd_boots_captures_resets_and_stops_it() {
    let _one = one_at_a_time();
    let lab = Lab::new(true);
    set_standin_env(&lab, "", 0.5);
    let bin = lab.root.join("sdk/cmdline-tools/latest/bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["sdkmanager", "avdmanager"] {
        std::fs::copy(data(&format!("emulator/{tool}")), bin.join(tool)).unwrap();
    }
    let runs = lab.root.join("runs");
    let prior = |args: &[&str]| {
        let mut c = crate::util::prior();
        c.env("ANDROID_HOME", lab.root.join("sdk"))
            .env_remove("ANDROID_SDK_ROOT")
            .env_remove("ANDROID_AVD_HOME")
            .env_remove("ANDROID_EMULATOR_HOME")
            .env("HOME", lab.root.join("home"))
            .env("ANDROID_ADB_SERVER_PORT", lab.adb.port.to_string())
            .current_dir(&lab.root)
            .args(args);
        let out = c.output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        eprintln!(
            "prior {args:?} → {:?}\n{}{}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        );
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };

    // Create: the image is installed by sdkmanager, the AVD by avdmanager.
    let (code, out, _) = prior(&[
        "emulator",
        "create",
        "shop",
        "--image",
        "api34-google-x86_64",
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("created shop"), "{out}");
    assert!(
        lab.root
            .join("sdk/system-images/android-34/google_apis/x86_64/source.properties")
            .is_file()
    );
    let (_, list, _) = prior(&["emulator", "list"]);
    assert!(list.contains("shop") && list.contains("stopped"), "{list}");

    let scenario = crate::util::root().join("scenarios/demo/leaky-shop.yaml");
    let scenario = scenario.to_str().unwrap();
    // Relative, as users write it: the emulator must still find its capture path.
    let runs_s = "runs";
    let bundles = || -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&runs)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        v.sort();
        v
    };

    // 1. Prior boots the AVD for the run and stops it afterwards.
    let (code, out, err) = prior(&["run", scenario, "--device", "avd:shop", "--out", runs_s]);
    assert_eq!(code, Some(1), "violations found");
    assert!(err.contains("booting shop"), "{err}");
    assert!(err.contains("stopped shop on emulator-"), "{err}");
    assert!(out.contains("Umeng"), "{out}");
    assert!(
        !out.contains("SIMULATED handset") || out.contains("emulator-"),
        "{out}"
    );
    let first = bundles().pop().unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("meta.json")).unwrap()).unwrap();
    assert!(
        meta["device"]["serial"]
            .as_str()
            .unwrap()
            .starts_with("emulator-"),
        "{meta}"
    );
    let manifest = std::fs::read_to_string(first.join("MANIFEST.sha256")).unwrap();
    assert!(manifest.contains("raw/net.pcap"), "{manifest}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("report.json")).unwrap()).unwrap();
    let tracker = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "tracker-contact-before-consent")
        .unwrap_or_else(|| panic!("a tracker contact from the -tcpdump capture: {report}"));
    assert!(tracker.to_string().contains("umeng"), "{tracker}");
    // No capture left beside the bundle, and the emulator is gone.
    assert!(
        std::fs::read_dir(&runs)
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".net.pcap"))
    );
    let (_, list, _) = prior(&["emulator", "list"]);
    assert!(list.contains("stopped"), "stopped after the run: {list}");

    // 2. Two scenarios in one run: the second reuses the emulator the first booted (reset to
    //    the clean snapshot), and --keep-emulator leaves it running afterwards.
    let (code, _, err) = prior(&[
        "run",
        scenario,
        scenario,
        "--device",
        "avd:shop",
        "--out",
        runs_s,
        "--keep-emulator",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(err.matches("booting shop").count(), 1, "{err}");
    // The clean snapshot the first run's boot saved is loaded at this boot, not saved again.
    assert!(err.contains("-snapshot prior-clean"), "{err}");
    assert!(err.contains("booted from the clean snapshot"), "{err}");
    assert_eq!(err.matches("already runs").count(), 1, "{err}");
    assert!(err.contains("kept shop running"), "{err}");
    assert!(!err.contains("Prior did not start it"), "{err}");
    let (_, list, _) = prior(&["emulator", "list"]);
    assert!(list.contains("running on emulator-"), "{list}");
    let r = lifecycle::find(&lab.sdk(), &lab.server(), "shop")
        .unwrap()
        .unwrap();
    lab.pids.borrow_mut().extend(r.pid);

    // 3. The next run reuses it: reset to the clean snapshot, capture through the console,
    //    and Prior leaves it running (it did not start it in this run).
    //    This time the scenario file names the AVD (`device: { avd: shop }`).
    let avd_scenario = lab.root.join("shop-on-avd.yaml");
    let original = std::fs::read_to_string(scenario).unwrap();
    let apk = crate::util::root().join("scenarios/demo/apps/leaky-shop.apk");
    let text = original
        .replace(
            "app: { apk: apps/leaky-shop.apk }",
            &format!("app: {{ apk: \"{}\" }}", apk.display()),
        )
        .replace(
            "device: { simulated: { models: models, seed: 1 } }",
            "device: { avd: shop }",
        );
    assert!(text.contains("avd: shop") && text.contains(&apk.display().to_string()));
    std::fs::write(&avd_scenario, text).unwrap();
    let (code, _, err) = prior(&["run", avd_scenario.to_str().unwrap(), "--out", runs_s]);
    assert_eq!(code, Some(1));
    assert!(err.contains("already runs"), "{err}");
    assert!(err.contains("left emulator-"), "{err}");
    let third = bundles().pop().unwrap();
    let harness = std::fs::read_to_string(third.join("harness.jsonl")).unwrap();
    assert!(harness.contains("network capture start"), "{harness}");
    assert!(
        std::fs::read_to_string(third.join("MANIFEST.sha256"))
            .unwrap()
            .contains("raw/net.pcap")
    );
    // The console capture is forwarded to the guest (`prior sim --control-stdin`): the
    // modelled tracker traffic is in it.
    let report = std::fs::read_to_string(third.join("report.json")).unwrap();
    assert!(
        report.contains("tracker-contact-before-consent") && report.contains("umeng"),
        "a tracker contact from the console capture: {report}"
    );

    let (code, out, _) = prior(&["emulator", "kill", "shop"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("stopped shop"), "{out}");
    wait_gone(&lab, &r.serial);
    let (code, _, err) = prior(&["emulator", "kill", "shop"]);
    assert_eq!(code, Some(3));
    assert!(err.contains("failed to find a running emulator"), "{err}");
}

/// Issue 11 §1.8: two recordings on one emulator booted for the run with `-tcpdump`, where the
/// second one's reset cannot load the snapshot (so the emulator is wiped and cold-booted): both
/// bundles get a capture with the modelled tracker traffic, and no capture file is left beside
/// the bundles (the rebooted emulator must not write to the first recording's, already handed
/// over, `-tcpdump` file).
#[test]
fn two_recordings_on_one_emulator_both_get_a_capture() {
    let _one = one_at_a_time();
    let lab = Lab::new(true);
    set_standin_env(&lab, "emulator-snapshot-missing", 0.3);
    let runs = lab.root.join("runs");
    let scenario = crate::util::root().join("scenarios/demo/leaky-shop.yaml");
    let scenario = scenario.to_str().unwrap();
    let mut c = crate::util::prior();
    c.env("ANDROID_HOME", lab.root.join("sdk"))
        .env_remove("ANDROID_SDK_ROOT")
        .env_remove("ANDROID_AVD_HOME")
        .env_remove("ANDROID_EMULATOR_HOME")
        .env("HOME", lab.root.join("home"))
        .env("ANDROID_ADB_SERVER_PORT", lab.adb.port.to_string())
        .current_dir(&lab.root)
        .args([
            "run", scenario, scenario, "--device", "avd:p34", "--out", "runs",
        ]);
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("{err}");
    for l in err.lines() {
        if let Some(pid) = l
            .trim()
            .strip_prefix("started emulator pid ")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|p| p.parse().ok())
        {
            lab.pids.borrow_mut().push(pid);
        }
    }
    assert_eq!(out.status.code(), Some(1), "violations found");
    assert!(err.contains("cannot be used (KO"), "{err}");
    let mut bundles: Vec<PathBuf> = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    bundles.sort();
    assert_eq!(bundles.len(), 2, "{bundles:?}");
    for b in &bundles {
        let manifest = std::fs::read_to_string(b.join("MANIFEST.sha256")).unwrap();
        assert!(
            manifest.contains("raw/net.pcap"),
            "{}: {manifest}",
            b.display()
        );
        let report = std::fs::read_to_string(b.join("report.json")).unwrap();
        assert!(
            report.contains("tracker-contact-before-consent") && report.contains("umeng"),
            "{}: a tracker contact from the capture: {report}",
            b.display()
        );
    }
    let strays: Vec<String> = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".net.pcap"))
        .collect();
    assert!(
        strays.is_empty(),
        "capture files left beside the bundles: {strays:?}"
    );
}

/// `prior campaign run --avd NAME --parallel 2` (issue 17): two emulators booted from one AVD
/// with `-read-only`, one per worker, each pair captured through the console; both stopped at
/// the end. The stand-in accepts `-read-only`; whether a real emulator shares the AVD this way is
/// what the flag's help text says (docs/campaigns.md).
#[test]
fn a_campaign_on_two_emulators_of_one_avd() {
    let _one = one_at_a_time();
    let lab = Lab::new(true);
    set_standin_env(&lab, "", 0.3);
    let root = crate::util::root();
    let camp = lab.root.join("camp.yaml");
    std::fs::write(
        &camp,
        format!(
            "name: AVD sweep\napps:\n  - apk: {}\n  - apk: {}\nscenarios:\n  - {}\n",
            root.join("scenarios/demo/apps/leaky-shop.apk").display(),
            root.join("scenarios/demo/apps/polite-news.apk").display(),
            root.join("tests/data/campaign/accept.yaml").display()
        ),
    )
    .unwrap();
    let out = crate::util::prior()
        .env("ANDROID_HOME", lab.root.join("sdk"))
        .env_remove("ANDROID_SDK_ROOT")
        .env_remove("ANDROID_AVD_HOME")
        .env_remove("ANDROID_EMULATOR_HOME")
        .env("HOME", lab.root.join("home"))
        .env("ANDROID_ADB_SERVER_PORT", lab.adb.port.to_string())
        .current_dir(&lab.root)
        .args([
            "campaign",
            "run",
            "camp.yaml",
            "--avd",
            "p34",
            "--parallel",
            "2",
        ])
        .args(["--out", "c"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("{err}");
    assert_eq!(out.status.code(), Some(1), "Leaky Shop violates: {err}");
    assert_eq!(err.matches("-read-only").count(), 2, "{err}");
    assert_eq!(
        err.matches("emulator: stopped p34 on emulator-").count(),
        2,
        "{err}"
    );
    let log = std::fs::read_to_string(lab.root.join("c/campaign.log.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    let mut serials = std::collections::BTreeSet::new();
    for l in &lines {
        assert_eq!(l["outcome"], "complete", "{l}");
        let bundle = lab.root.join("c").join(l["bundle"].as_str().unwrap());
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(bundle.join("meta.json")).unwrap())
                .unwrap();
        serials.insert(meta["device"]["serial"].as_str().unwrap().to_string());
        let manifest = std::fs::read_to_string(bundle.join("MANIFEST.sha256")).unwrap();
        assert!(manifest.contains("raw/net.pcap"), "{manifest}");
    }
    assert_eq!(serials.len(), 2, "two emulators: {serials:?}");
    assert!(
        serials.iter().all(|s| s.starts_with("emulator-")),
        "{serials:?}"
    );
}
