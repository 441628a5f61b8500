//! The run lifecycle end to end (issue 13): SIGTERM / SIGHUP during `prior run` and
//! `prior selftest` (item 2), the manual consent timeout (item 5), no run without a behaviour
//! model on the simulated handset (item 6), reconnecting an offline network device (item 16).

use crate::util::{prior, root};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Writes a scenario for the polite-news demo app on the in-process simulated handset.
fn polite_scenario(dir: &Path, name: &str, consent: &str, steps: &str) -> PathBuf {
    let apk = root().join("scenarios/demo/apps/polite-news.apk");
    let models = root().join("scenarios/demo/models");
    let text = format!(
        "name: Polite News ({name})\n\
         app: {{ apk: {apk:?} }}\n\
         device: {{ simulated: {{ models: {models:?} }} }}\n\
         profile: gdpr\n\
         consent:\n{consent}  screen: {{ text: \"(?i)privacy\" }}\n  accept: {{ text: \"^Accept$\" }}\n  reject: {{ text: \"^Reject$\" }}\n\
         steps:\n{steps}"
    );
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).expect("write scenario");
    path
}

/// The one bundle directory under `out`, once it exists.
fn the_bundle(out: &Path) -> Option<PathBuf> {
    std::fs::read_dir(out)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.is_dir())
}

/// Waits (up to 60 s) until the bundle under `out` has a harness line containing `needle`.
fn wait_for_harness(out: &Path, needle: &str) -> PathBuf {
    let start = Instant::now();
    loop {
        if let Some(b) = the_bundle(out) {
            let h = std::fs::read_to_string(b.join("harness.jsonl")).unwrap_or_default();
            if h.lines().any(|l| l.contains(needle)) {
                return b;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no harness line with {needle} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `prior run SCENARIO --format json --out OUT`, stdout and stderr piped; stderr lines are
/// forwarded to the returned channel (and kept for failure messages).
fn spawn_run(scenario: &Path, out: &Path, extra: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .arg("run")
        .arg(scenario)
        .args(["--format", "json", "--out"])
        .arg(out)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn prior run");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Waits (up to 60 s) for a stderr line containing `needle`; returns every line read so far.
fn wait_for_stderr(rx: &mpsc::Receiver<String>, seen: &mut Vec<String>, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let hit = line.contains(needle);
                seen.push(line);
                if hit {
                    return;
                }
            }
            Err(_) => panic!("no stderr line with {needle:?}; stderr so far:\n{seen:#?}"),
        }
    }
}

/// Every stderr line still to come, once the process has exited (the reader thread ends at
/// end of file; waits at most 10 s).
fn drain(rx: &mpsc::Receiver<String>) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        lines.push(line);
    }
    lines
}

fn signal(child: &Child, sig: rustix::process::Signal) {
    rustix::process::kill_process(rustix::process::Pid::from_child(child), sig).expect("kill(2)");
}

/// Waits for the child (up to 120 s) and returns its exit code and stdout.
fn finish(mut child: Child) -> (Option<i32>, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stdout = String::new();
            if let Some(mut o) = child.stdout.take() {
                let _ = std::io::Read::read_to_string(&mut o, &mut stdout);
            }
            return (status.code(), stdout);
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("prior run did not exit within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `prior analyze BUNDLE --format json`: exit code and report.
fn analyze(bundle: &Path) -> (Option<i32>, Value) {
    let out = prior()
        .arg("analyze")
        .arg(bundle)
        .args(["--format", "json"])
        .output()
        .expect("prior analyze");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "prior analyze printed no JSON report ({e}); exit {:?}, stderr {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), r)
}

fn meta(bundle: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(bundle.join("meta.json")).expect("meta.json"))
        .expect("meta.json is JSON")
}

const WAITING: &str = "  - launch\n  - accept_consent\n  - wait: 90s\n";

#[test]
fn sigterm_seals_the_bundle_as_incomplete_and_exits_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = polite_scenario(dir.path(), "sigterm", "  mode: auto\n", WAITING);
    let out = dir.path().join("out");
    let started = Instant::now();
    let (child, rx) = spawn_run(&scenario, &out, &[]);
    // The session is in its 90 s wait once consent was tapped.
    wait_for_harness(&out, "\"type\":\"consent_tap\"");
    signal(&child, rustix::process::Signal::TERM);
    let mut seen = Vec::new();
    wait_for_stderr(&rx, &mut seen, "SIGTERM received");
    let (code, stdout) = finish(child);
    assert!(
        started.elapsed() < Duration::from_secs(80),
        "the run stopped early, not after its 90 s wait"
    );
    let seen: Vec<String> = seen.into_iter().chain(drain(&rx)).collect();
    assert_eq!(code, Some(4), "stderr:\n{seen:#?}\nstdout:\n{stdout}");
    let bundle = the_bundle(&out).expect("a bundle");
    assert!(
        bundle.join("MANIFEST.sha256").is_file(),
        "the bundle is sealed"
    );
    let m = meta(&bundle);
    assert_eq!(m["status"]["state"], "incomplete");
    assert_eq!(m["status"]["reason"], "stopped by SIGTERM");
    let report: Value = serde_json::from_str(&stdout).expect("prior run's JSON report");
    assert!(
        report["incomplete"]
            .to_string()
            .contains("stopped by SIGTERM"),
        "{}",
        report["incomplete"]
    );
    // The sealed bundle verifies and analyses on its own.
    let (code, r) = analyze(&bundle);
    assert_eq!(code, Some(4));
    assert_eq!(
        r["incomplete"][0], "stopped by SIGTERM",
        "{}",
        r["incomplete"]
    );
    assert_eq!(r["consent"]["outcome"], "accepted", "{}", r["consent"]);
}

#[test]
fn a_second_signal_exits_at_once_and_leaves_a_readable_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = polite_scenario(dir.path(), "second-signal", "  mode: auto\n", WAITING);
    let out = dir.path().join("out");
    let (child, rx) = spawn_run(&scenario, &out, &[]);
    wait_for_harness(&out, "\"type\":\"consent_tap\"");
    // SIGHUP first (a closed terminal), then SIGTERM once Prior said it is stopping.
    signal(&child, rustix::process::Signal::HUP);
    let mut seen = Vec::new();
    wait_for_stderr(&rx, &mut seen, "SIGHUP received");
    signal(&child, rustix::process::Signal::TERM);
    let (code, _) = finish(child);
    let seen: Vec<String> = seen.into_iter().chain(drain(&rx)).collect();
    assert_eq!(code, Some(128 + 15), "stderr:\n{seen:#?}");
    assert!(
        seen.iter()
            .any(|l| l.contains("SIGTERM received again: aborting now")),
        "{seen:#?}"
    );
    let bundle = the_bundle(&out).expect("a bundle");
    // The bundle was not sealed, yet it loads and says why it is incomplete.
    let (code, r) = analyze(&bundle);
    assert!(code == Some(4) || code == Some(1), "exit {code:?}");
    let incomplete = r["incomplete"].to_string();
    if bundle.join("MANIFEST.sha256").exists() {
        // The machine was slow enough for the seal to finish between the two signals.
        assert!(incomplete.contains("stopped by SIGHUP"), "{incomplete}");
    } else {
        assert_eq!(meta(&bundle)["status"]["state"], "recording");
        assert!(incomplete.contains("never finished"), "{incomplete}");
        assert!(incomplete.contains("was never sealed"), "{incomplete}");
    }
}

// ------------------------------------------------------------------ no model, no run (item 6)

/// A scenario for the real third-party APK of tests/data, which no behaviour model describes.
fn real_apk_scenario(dir: &Path) -> PathBuf {
    let apk = crate::util::data("apks/app-uiautomator.apk");
    let text = format!(
        "name: a real APK without a model\napp: {{ apk: {apk:?} }}\nprofile: cn-miit\n\
         steps:\n  - launch\n  - accept_consent\n  - wait: 1s\n"
    );
    let path = dir.join("real.yaml");
    std::fs::write(&path, text).expect("write scenario");
    path
}

#[test]
fn the_in_process_handset_refuses_an_app_it_has_no_model_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = real_apk_scenario(dir.path());
    let out = dir.path().join("out");
    let output = prior()
        .arg("run")
        .arg(&scenario)
        .args(["--device", "simulated", "--out"])
        .arg(&out)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("prior run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // miette wraps the message in a box: compare its words.
    let flat = stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("no behaviour model for com.github.uiautomator"),
        "{stderr}"
    );
    assert!(
        flat.contains("models: DIR"),
        "says how to give one: {stderr}"
    );
    assert!(the_bundle(&out).is_none(), "nothing was recorded");
    assert!(output.stdout.is_empty(), "no verdict is printed");
}

#[test]
fn prior_sim_through_debian_adb_refuses_to_start_an_app_without_a_model() {
    prior_testkit::require_tool!("adb");
    // Plain `prior sim` (its models are the demo apps'), Debian's adb, a real APK.
    let sim = crate::util::Sim::start(&root().join("scenarios/demo/models"));
    let adb = crate::util::Adb::start();
    adb.connect(&sim.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = real_apk_scenario(dir.path());
    let out = dir.path().join("out");
    let output = prior()
        .arg("run")
        .arg(&scenario)
        .args(["--device", &sim.addr, "--format", "json", "--out"])
        .arg(&out)
        .env("ANDROID_ADB_SERVER_PORT", adb.port.to_string())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("prior run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    let r: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    assert_eq!(r["verdict"], "inconclusive");
    assert_eq!(r["findings"], serde_json::json!([]), "never a finding");
    let why = r["incomplete"].to_string();
    assert!(
        why.contains("the app could not be launched")
            && why.contains("no behaviour model for package com.github.uiautomator")
            && why.contains("prior sim --model DIR"),
        "{why}"
    );
}

// ------------------------------------------------------- manual consent timeout (item 5)

/// The `adb -s SERIAL shell input tap X Y` words Prior printed for `what` (`accept`/`reject`).
fn printed_tap(lines: &[String], what: &str) -> Vec<String> {
    let needle = format!("{what}: adb -s ");
    let line = lines
        .iter()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no `{needle}` line in {lines:#?}"));
    let cmd = &line[line.find(&needle).expect("found") + what.len() + 2..];
    cmd.split_whitespace().map(str::to_string).collect()
}

#[test]
fn manual_consent_that_nobody_answers_ends_the_session_at_its_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = polite_scenario(
        dir.path(),
        "manual-timeout",
        "  mode: manual\n  timeout: 3s\n",
        "  - launch\n  - accept_consent\n  - wait: 1s\n",
    );
    let out = dir.path().join("out");
    let (child, rx) = spawn_run(&scenario, &out, &[]);
    let (code, stdout) = finish(child);
    let lines = drain(&rx);
    assert_eq!(code, Some(4), "{lines:#?}");
    // The operator was told how to answer without a screen.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Please ACCEPT the consent screen") && l.contains("up to 3s")),
        "{lines:#?}"
    );
    let accept = printed_tap(&lines, "accept");
    assert_eq!(
        accept[..5],
        ["adb", "-s", accept[2].as_str(), "shell", "input"]
    );
    assert_eq!(accept[5], "tap");
    assert!(accept[6].parse::<u32>().is_ok() && accept[7].parse::<u32>().is_ok());
    let reject = printed_tap(&lines, "reject");
    assert_ne!(accept[6..], reject[6..], "two different buttons");
    let bundle = the_bundle(&out).expect("a bundle");
    let reason =
        "the operator did not answer the consent screen within 3s (consent.timeout, manual mode)";
    assert_eq!(meta(&bundle)["status"]["reason"], reason);
    assert!(bundle.join("MANIFEST.sha256").is_file());
    let r: Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(r["verdict"], "inconclusive");
    assert!(
        r["incomplete"].to_string().contains(reason),
        "{}",
        r["incomplete"]
    );
}

#[test]
fn the_printed_adb_tap_answers_manual_consent_on_the_simulated_handset() {
    prior_testkit::require_tool!("adb");
    let adb = crate::util::Adb::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = polite_scenario(
        dir.path(),
        "manual-answered",
        "  mode: manual\n  timeout: 60s\n",
        "  - launch\n  - accept_consent\n  - wait: 1s\n",
    );
    let out = dir.path().join("out");
    let (child, rx) = spawn_run(&scenario, &out, &[]);
    let mut lines = Vec::new();
    wait_for_stderr(&rx, &mut lines, "reject: adb -s ");
    // Play the operator at a shell: exactly the printed commands, through Debian's adb.
    let connect = lines
        .iter()
        .find_map(|l| l.split("adb connect ").nth(1))
        .expect("an `adb connect` line for the in-process handset")
        .trim()
        .to_string();
    let said = adb
        .cmd()
        .args(["connect", &connect])
        .output()
        .expect("adb connect");
    assert!(
        String::from_utf8_lossy(&said.stdout).contains("connected to"),
        "{said:?}"
    );
    let accept = printed_tap(&lines, "accept");
    let tap = adb
        .cmd()
        .args(&accept[1..])
        .output()
        .expect("adb shell input tap");
    assert!(tap.status.success(), "{tap:?}");
    let (code, stdout) = finish(child);
    let rest = drain(&rx);
    let r: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("a JSON report ({e}); stderr {lines:#?} {rest:#?}"));
    assert_eq!(code, Some(0), "{rest:#?}");
    assert_eq!(r["consent"]["outcome"], "accepted", "{}", r["consent"]);
    assert_eq!(r["consent"]["method"], "ui_observation");
    assert_eq!(r["verdict"], "pass");
}

// ------------------------------------------- an offline network device is reconnected (item 16)

/// `prior sim --listen ADDR` with the demo models; killed on drop.
struct SimAt(Child);

impl SimAt {
    fn start(addr: &str) -> SimAt {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
                .args(["sim", "--listen", addr, "--model"])
                .arg(root().join("scenarios/demo/models"))
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn prior sim");
            let stdout = child.stdout.take().expect("stdout");
            let mut lines = BufReader::new(stdout).lines();
            match lines.next() {
                Some(Ok(first)) if first.contains("SIMULATED") => {
                    std::thread::spawn(move || for _ in lines {});
                    return SimAt(child);
                }
                // The port may still be held for a moment after the previous handset died.
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    assert!(
                        Instant::now() < deadline,
                        "prior sim never listened on {addr}"
                    );
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }
}

impl Drop for SimAt {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The state Debian's adb lists `serial` in.
fn adb_state(adb: &crate::util::Adb, serial: &str) -> Option<String> {
    let out = adb.cmd().arg("devices").output().expect("adb devices");
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
        let (s, state) = l.split_once('\t')?;
        (s == serial).then(|| state.trim().to_string())
    })
}

#[test]
fn a_network_device_left_offline_by_a_restarted_sim_is_reconnected_once() {
    prior_testkit::require_tool!("adb");
    let adb = crate::util::Adb::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let first = SimAt::start(&addr);
    adb.connect(&addr);
    drop(first);
    let second = SimAt::start(&addr);
    // Debian's adb keeps the restarted handset offline (it does not reconnect by itself).
    let deadline = Instant::now() + Duration::from_secs(10);
    while adb_state(&adb, &addr).as_deref() != Some("offline") {
        assert!(
            Instant::now() < deadline,
            "adb lists {addr} as {:?}, not offline",
            adb_state(&adb, &addr)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = prior()
        .arg("run")
        .arg(root().join("scenarios/demo/polite-news.yaml"))
        .args(["--device", &addr, "--format", "json", "--out"])
        .arg(tempfile::tempdir().expect("tempdir").path())
        .env("ANDROID_ADB_SERVER_PORT", adb.port.to_string())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("prior run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "device: the adb server listed {addr} as offline; disconnected and reconnected it once"
        )),
        "{stderr}"
    );
    let r: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    assert_eq!(r["verdict"], "pass");
    assert_eq!(r["device"]["serial"], addr.as_str());
    assert_eq!(adb_state(&adb, &addr).as_deref(), Some("device"));
    drop(second);
}

#[test]
fn a_network_device_that_stays_offline_fails_after_one_reconnect() {
    prior_testkit::require_tool!("adb");
    let adb = crate::util::Adb::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let first = SimAt::start(&addr);
    adb.connect(&addr);
    drop(first); // and no second handset: nothing listens there any more
    let deadline = Instant::now() + Duration::from_secs(10);
    while adb_state(&adb, &addr).as_deref() != Some("offline") {
        assert!(Instant::now() < deadline, "{addr} never went offline");
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = prior()
        .arg("run")
        .arg(root().join("scenarios/demo/polite-news.yaml"))
        .args(["--device", &addr, "--out"])
        .arg(tempfile::tempdir().expect("tempdir").path())
        .env("ANDROID_ADB_SERVER_PORT", adb.port.to_string())
        .timeout(Duration::from_secs(60))
        .output()
        .expect("prior run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let flat = stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains(&format!(
            "{addr} was offline; Prior disconnected it and tried to reconnect once, which failed"
        )),
        "{stderr}"
    );
}

#[test]
fn sigterm_during_selftest_seals_the_canary_bundle_and_is_inconclusive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .arg("selftest")
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn prior selftest");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    wait_for_harness(&out, "\"type\":\"launch\"");
    signal(&child, rustix::process::Signal::TERM);
    let mut seen = Vec::new();
    wait_for_stderr(&rx, &mut seen, "SIGTERM received");
    let (code, stdout) = finish(child);
    let seen: Vec<String> = seen.into_iter().chain(drain(&rx)).collect();
    assert_eq!(code, Some(4), "stderr {seen:#?}\nstdout {stdout}");
    assert!(
        seen.iter()
            .any(|l| l == "self-test inconclusive: the recording was stopped by SIGTERM"),
        "{seen:#?}"
    );
    let bundle = the_bundle(&out).expect("a bundle");
    assert!(bundle.join("MANIFEST.sha256").is_file());
    assert_eq!(meta(&bundle)["status"]["reason"], "stopped by SIGTERM");
}

#[test]
fn after_a_signal_the_remaining_scenarios_are_not_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = polite_scenario(dir.path(), "first-of-two", "  mode: auto\n", WAITING);
    let out = dir.path().join("out");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .arg("run")
        .arg(&scenario)
        .arg(root().join("scenarios/demo/leaky-shop.yaml"))
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn prior run");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    wait_for_harness(&out, "\"type\":\"consent_tap\"");
    signal(&child, rustix::process::Signal::TERM);
    let (code, _) = finish(child);
    let seen = drain(&rx);
    assert_eq!(code, Some(4), "{seen:#?}");
    assert!(
        seen.iter()
            .any(|l| l == "stopped by SIGTERM: the remaining 1 scenario(s) were not run"),
        "{seen:#?}"
    );
    let bundles = std::fs::read_dir(&out).expect("out").count();
    assert_eq!(bundles, 1, "leaky-shop was not recorded");
}
