//! The transport in front of the real simulated handset (`prior_sim::device::SimDevice`),
//! driven by Debian's `adb`.

use crate::common::*;
use prior_sim::device::{SimConfig, SimDevice};
use prior_sim::server::{SimOptions, SimServer};
use std::io::Read;
use std::process::Stdio;

#[test]
fn debian_adb_drives_the_simulated_handset() {
    prior_testkit::require_tool!("adb");
    let device = SimDevice::new(SimConfig::default()).unwrap();
    let sim = SimServer::start(device, SimOptions::default()).unwrap();
    let adb = AdbServer::start();
    adb.connect(sim.adbd_addr());
    let serial = sim.adbd_addr().to_string();

    let r = adb.adb(&["devices", "-l"], 10);
    assert!(
        r.out().contains("device product:") && r.out().contains("model:SIMULATED_"),
        "{r:?}"
    );
    let r = adb.adb(&["-s", &serial, "shell", "getprop", "ro.product.model"], 10);
    assert!(r.out().starts_with("SIMULATED"), "{r:?}");
    let r = adb.adb(
        &["-s", &serial, "shell", "getprop", "sys.boot_completed"],
        10,
    );
    assert_eq!(r.out(), "1\n", "{r:?}");
    let r = adb.adb(&["-s", &serial, "shell", "nosuchcmd"], 10);
    assert_eq!(r.code, Some(127), "{r:?}");
    assert!(
        r.err().contains("nosuchcmd: inaccessible or not found"),
        "{r:?}"
    );

    // push / pull through the handset's file system.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("x.bin");
    std::fs::write(&local, pattern(1_000_000)).unwrap();
    let r = adb.adb(
        &[
            "-s",
            &serial,
            "push",
            local.to_str().unwrap(),
            "/data/local/tmp/x.bin",
        ],
        20,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let back = dir.path().join("back.bin");
    let r = adb.adb(
        &[
            "-s",
            &serial,
            "pull",
            "/data/local/tmp/x.bin",
            back.to_str().unwrap(),
        ],
        20,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(std::fs::read(&back).unwrap() == pattern(1_000_000));

    // A log line written through the shell shows up in `logcat -d`.
    let r = adb.adb(
        &[
            "-s",
            &serial,
            "shell",
            "log",
            "-t",
            "PriorTransport",
            "hello",
        ],
        10,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = adb.adb(&["-s", &serial, "logcat", "-d", "-v", "epoch"], 20);
    assert!(r.out().contains("PriorTransport: hello"), "{r:?}");

    // A streaming `adb logcat` killed by the user ends on the device too.
    let mut child = adb
        .command(&["-s", &serial, "logcat"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 256];
    assert!(stdout.read(&mut buf).unwrap() > 0, "logcat printed nothing");
    assert!(wait_until(5, || sim.stats().services_running == 1));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        wait_until(5, || sim.stats().services_running == 0),
        "logcat kept running on the device"
    );
}
