//! The device layer against the fake adb server (no emulator needed).

use crate::fake::{FakeAdb, FakeDeviceSpec};
use crate::*;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(20);

fn setup() -> (FakeAdb, AdbServer, Device) {
    let fake = FakeAdb::start().unwrap();
    fake.add_device(FakeDeviceSpec::new("emulator-5554"))
        .unwrap();
    let server = AdbServer::new(fake.addr());
    let dev = server.device("emulator-5554").unwrap();
    (fake, server, dev)
}

fn sh(cmd: &'static str) -> Cmd {
    Cmd::new("sh").raw("-c").arg(cmd).unwrap()
}

#[test]
fn version_and_tolerant_listing() {
    let (fake, server, _) = setup();
    fake.add_device(
        FakeDeviceSpec::new("127.0.0.1:5555")
            .prop("ro.product.model", "Prior SIMULATED handset")
            .prop("ro.kernel.qemu", "0"),
    )
    .unwrap();
    fake.add_device(
        FakeDeviceSpec::new("R58M123")
            .prop("ro.product.model", "SM-G991B")
            .prop("ro.kernel.qemu", "")
            .prop("ro.build.version.sdk", "33"),
    )
    .unwrap();
    fake.add_device(FakeDeviceSpec {
        state: "offline".into(),
        ..FakeDeviceSpec::new("emulator-5556")
    })
    .unwrap();
    fake.add_raw_line("ABC123                 no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html] usb:1-1 transport_id:9");
    fake.add_raw_line("XYZ                    unauthorized usb:3-2 transport_id:10");
    assert_eq!(server.version().unwrap(), 41);
    let list = server.list().unwrap();
    let row = |s: &str| {
        list.iter()
            .find(|d| d.entry.serial == s)
            .unwrap_or_else(|| panic!("{s} missing from {list:?}"))
    };
    assert_eq!(list.len(), 6);
    let emu = row("emulator-5554");
    assert_eq!(
        (emu.kind, emu.api_level, emu.model.as_deref()),
        (DeviceKind::Emulator, Some(34), Some("sdk_gphone64_x86_64"))
    );
    let sim = row("127.0.0.1:5555");
    assert_eq!(
        (sim.kind, sim.model.as_deref()),
        (DeviceKind::Simulated, Some("Prior SIMULATED handset"))
    );
    let phys = row("R58M123");
    assert_eq!(
        (phys.kind, phys.api_level),
        (DeviceKind::Physical, Some(33))
    );
    assert_eq!(row("emulator-5556").entry.state, DeviceState::Offline);
    assert_eq!(row("emulator-5556").api_level, None);
    assert!(matches!(
        row("ABC123").entry.state,
        DeviceState::NoPermissions(_)
    ));
    assert_eq!(row("XYZ").entry.state, DeviceState::Unauthorized);
    // More than one ready device: `only_device` refuses to guess.
    let e = server.only_device().unwrap_err();
    assert!(e.to_string().contains("more than one device"), "{e}");
}

#[test]
fn exit_codes_stdout_and_stderr() {
    let (_fake, _, dev) = setup();
    let out = dev.shell(&sh("echo out; echo err >&2; exit 7"), T).unwrap();
    assert_eq!(
        (
            out.stdout_text().as_str(),
            out.stderr_text().as_str(),
            out.exit
        ),
        ("out\n", "err\n", 7)
    );
    let out = dev
        .shell(&Cmd::new("printf").raw("'no newline'"), T)
        .unwrap();
    assert_eq!((out.stdout.as_slice(), out.exit), (&b"no newline"[..], 0));
    let out = dev.shell(&Cmd::new("true"), T).unwrap();
    assert_eq!((out.stdout.len(), out.exit), (0, 0));
    // `exit` in the command does not lose the status; a missing program gives 127.
    assert_eq!(dev.shell(&sh("exit 3"), T).unwrap().exit, 3);
    assert_eq!(
        dev.shell(&Cmd::new("no-such-program"), T).unwrap().exit,
        127
    );
    // binary output, byte for byte
    let out = dev
        .shell(&Cmd::new("printf").raw(r"'\000\001\377\n\n\r\n'"), T)
        .unwrap();
    assert_eq!(out.stdout, b"\x00\x01\xff\n\n\r\n");
    // shell_ok turns a failure into an error with stderr
    let e = dev.shell_ok(&sh("echo boom >&2; exit 2"), T).unwrap_err();
    assert!(
        matches!(&e, DeviceError::CommandFailed { exit: 2, stderr, .. } if stderr == "boom"),
        "{e}"
    );
}

#[test]
fn exit_codes_on_a_shell_v1_device() {
    let (fake, server, _) = setup();
    fake.add_device(FakeDeviceSpec::new("old-device").v1())
        .unwrap();
    let dev = server.device("old-device").unwrap();
    let out = dev.shell(&sh("echo hi; echo oops >&2; exit 5"), T).unwrap();
    assert_eq!(out.exit, 5);
    let text = out.stdout_text();
    assert!(
        text.contains("hi\n") && text.contains("oops\n"),
        "v1 merges stderr: {text:?}"
    );
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.starts_with("shell:sh -c ")),
        "v1 service used"
    );
}

#[test]
fn hostile_values_reach_the_device_unchanged() {
    let (_fake, _, dev) = setup();
    for h in crate::quote::tests::HOSTILE {
        let out = dev
            .shell(&Cmd::new("printf").raw("%s").arg(h).unwrap(), T)
            .unwrap();
        assert_eq!(out.stdout, h.as_bytes(), "{h:?}");
        assert_eq!(out.exit, 0);
        // and stays one argument
        let out = dev
            .shell(
                &Cmd::new("set")
                    .raw("--")
                    .arg(h)
                    .unwrap()
                    .then(Cmd::new("echo").raw("$#")),
                T,
            )
            .unwrap();
        assert_eq!(out.stdout_text(), "1\n", "{h:?}");
    }
    // A value cannot forge the exit marker either: the token is random per call.
    let out = dev
        .shell(
            &Cmd::new("echo")
                .arg("__prior_0000000000000000:rc:0")
                .unwrap()
                .then(Cmd::new("false")),
            T,
        )
        .unwrap();
    assert_eq!(out.exit, 1);
    assert_eq!(out.stdout_text(), "__prior_0000000000000000:rc:0\n");
}

#[test]
fn timeout_kills_the_remote_command() {
    let (fake, _, dev) = setup();
    let start = Instant::now();
    let e = dev
        .shell(&Cmd::new("sleep").raw("30"), Duration::from_millis(500))
        .unwrap_err();
    assert!(matches!(e, DeviceError::Timeout { .. }), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.contains("pkill -9 -P ") && r.contains("kill -9 ")),
        "the remote command was killed over a second connection"
    );
}

#[test]
fn device_dying_mid_command_is_cut_off() {
    let (fake, _, dev) = setup();
    let fake = std::sync::Arc::new(fake);
    let f2 = std::sync::Arc::clone(&fake);
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        f2.kill_device("emulator-5554");
    });
    let e = dev
        .shell(&sh("echo started; sleep 10; echo never"), T)
        .unwrap_err();
    killer.join().unwrap();
    assert!(matches!(e, DeviceError::CutOff { .. }), "{e}");
    // Now offline: commands fail with the server's reason.
    let e = dev.shell(&Cmd::new("true"), T).unwrap_err();
    assert!(e.to_string().contains("offline"), "{e}");
    assert_eq!(dev.state().unwrap(), DeviceState::Offline);
}

#[test]
fn stream_delivers_lines_and_stops() {
    let (fake, _, dev) = setup();
    let (tx, rx) = mpsc::sync_channel(16);
    let h = dev
        .shell_stream(
            &Cmd::new("logcat")
                .raw("-v epoch,uid,usec,printable")
                .raw("-b all"),
            Box::new(LineSender::new(tx)),
        )
        .unwrap();
    assert!(h.pid().is_some());
    let mut got = Vec::new();
    while got.len() < 20 {
        got.push(rx.recv_timeout(Duration::from_secs(5)).unwrap());
    }
    let expected: Vec<Vec<u8>> = (0..20).map(|i| format!("line {i}").into_bytes()).collect();
    assert_eq!(
        got, expected,
        "lines arrive in order, none lost, markers stripped"
    );
    let start = Instant::now();
    let report = h.stop(Duration::from_secs(3));
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "stop took {:?}",
        start.elapsed()
    );
    assert_eq!(
        report.end,
        StreamEnd::Stopped(Some(143)),
        "SIGTERM'd logcat; the rc marker still arrived"
    );
    // Everything after the stop is drained and then the channel closes.
    let rest: Vec<Vec<u8>> = rx.iter().collect();
    for (i, line) in rest.iter().enumerate() {
        assert_eq!(line, &format!("line {}", 20 + i).into_bytes());
    }
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.contains("exec logcat -v epoch,uid,usec,printable -b all"))
    );
}

#[test]
fn stream_cut_off_when_the_device_dies() {
    let (fake, _, dev) = setup();
    let (tx, rx) = mpsc::sync_channel(1024);
    let h = dev
        .shell_stream(&Cmd::new("logcat"), Box::new(LineSender::new(tx)))
        .unwrap();
    rx.recv_timeout(Duration::from_secs(5)).unwrap();
    fake.kill_device("emulator-5554");
    let report = h
        .wait_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("stream did not notice the device died"));
    assert!(
        matches!(report.end, StreamEnd::CutOff(_)),
        "{:?}",
        report.end
    );
    assert!(report.bytes > 0);
}

#[test]
fn stream_that_ends_by_itself() {
    let (_fake, _, dev) = setup();
    let mut sink = Vec::new();
    let (tx, rx) = mpsc::sync_channel(16);
    let h = dev
        .shell_stream(&Cmd::new("logcat").raw("-d"), Box::new(LineSender::new(tx)))
        .unwrap();
    let report = h.wait();
    sink.extend(rx.iter());
    assert_eq!(report.end, StreamEnd::Exited(0));
    assert_eq!(
        sink,
        vec![b"line 0".to_vec(), b"line 1".to_vec(), b"line 2".to_vec()]
    );
    assert_eq!(report.bytes, 21);
    // a failing stream reports its status and stderr
    let h = dev
        .shell_stream(
            &sh("echo bad buffer >&2; exit 1"),
            Box::new(std::io::sink()),
        )
        .unwrap();
    let report = h.wait();
    assert_eq!(report.end, StreamEnd::Exited(1));
    assert_eq!(report.stderr, b"bad buffer\n");
}

#[test]
fn stream_stops_when_its_receiver_goes_away() {
    let (_fake, _, dev) = setup();
    let (tx, rx) = mpsc::sync_channel(1);
    let h = dev
        .shell_stream(&Cmd::new("logcat"), Box::new(LineSender::new(tx)))
        .unwrap();
    rx.recv_timeout(Duration::from_secs(5)).unwrap();
    drop(rx);
    let report = h
        .wait_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("stream kept running"));
    assert!(
        matches!(report.end, StreamEnd::SinkFailed(_)),
        "{:?}",
        report.end
    );
}

#[test]
fn push_and_pull() {
    let (fake, _, dev) = setup();
    let data: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("in.bin");
    std::fs::write(&local, &data).unwrap();
    dev.push(&local, "/data/local/tmp/x.bin").unwrap();
    let root = fake.device_root("emulator-5554").unwrap();
    assert_eq!(
        std::fs::read(root.join("data/local/tmp/x.bin")).unwrap(),
        data
    );
    assert_eq!(dev.pull("/data/local/tmp/x.bin").unwrap(), data);
    let out = dir.path().join("out.bin");
    assert_eq!(
        dev.pull_to_file("/data/local/tmp/x.bin", &out).unwrap(),
        data.len() as u64
    );
    assert_eq!(std::fs::read(&out).unwrap(), data);
    dev.push_bytes(b"small".to_vec(), "/sdcard/y.txt").unwrap();
    assert_eq!(dev.pull("/sdcard/y.txt").unwrap(), b"small");
    let e = dev.pull("/data/local/tmp/missing").unwrap_err();
    assert!(e.to_string().contains("No such file"), "{e}");
    for bad in ["relative", "/data/../etc/passwd", "/tmp/a b", "/tmp/a,0777"] {
        assert!(
            matches!(
                dev.push_bytes(Vec::new(), bad),
                Err(DeviceError::Unsafe { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn install_without_granting_and_uninstall() {
    let (fake, _, dev) = setup();
    let dir = tempfile::tempdir().unwrap();
    let apk = dir.path().join("app.apk");
    std::fs::write(&apk, b"PKG:com.example.shop\nrest of a fake apk\n").unwrap();
    let pkg = PackageName::new("com.example.shop").unwrap();
    assert!(!dev.is_installed(&pkg).unwrap());
    dev.install_apk(&apk, T).unwrap();
    assert!(dev.is_installed(&pkg).unwrap());
    // What `pm` received, argument by argument: no `-g`, no `-r`, just the pushed copy.
    let root = fake.device_root("emulator-5554").unwrap();
    let pm_log = std::fs::read_to_string(root.join(".pm.log")).unwrap();
    let install = pm_log.lines().find(|l| l.starts_with("install")).unwrap();
    let args: Vec<&str> = install.split(' ').collect();
    assert_eq!(args.len(), 2, "{install}");
    assert!(
        args[1].starts_with("/data/local/tmp/prior-") && args[1].ends_with(".apk"),
        "{install}"
    );
    assert!(fake.requests().iter().any(|r| r.contains("rm -f")));
    let tmp = fake
        .device_root("emulator-5554")
        .unwrap()
        .join("data/local/tmp");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the pushed copy is removed"
    );
    assert_eq!(dev.uninstall(&pkg).unwrap(), Uninstalled::Removed);
    assert_eq!(dev.uninstall(&pkg).unwrap(), Uninstalled::NotInstalled);
    // A bad APK: the failure code is parsed, and the copy is still removed.
    std::fs::write(&apk, b"not an apk").unwrap();
    match dev.install_apk(&apk, T) {
        Err(DeviceError::InstallFailed { code, message, .. }) => {
            assert_eq!(code, "INSTALL_PARSE_FAILED_NOT_APK");
            assert!(message.starts_with("Failure [INSTALL_PARSE_FAILED_NOT_APK"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
fn props_facts_and_clock() {
    let (_fake, _, dev) = setup();
    assert_eq!(dev.getprop("ro.build.version.sdk").unwrap(), "34");
    assert_eq!(dev.getprop("no.such.prop").unwrap(), "");
    assert!(matches!(
        dev.getprop("x; reboot"),
        Err(DeviceError::Unsafe { .. })
    ));
    let f = dev.facts().unwrap();
    assert_eq!(f.api_level, Some(34));
    assert_eq!(f.kind, DeviceKind::Emulator);
    assert_eq!(f.locale.as_deref(), Some("zh-CN"));
    assert_eq!(f.timezone.as_deref(), Some("Asia/Shanghai"));
    assert_eq!(
        f.utc_offset_s,
        Some(0),
        "the fake's shell runs without TZ, so UTC"
    );
    assert!(f.qemu && f.boot_completed);
    assert!(
        f.fingerprint
            .as_deref()
            .is_some_and(|s| s.starts_with("google/"))
    );
    // The fake device shares the host clock, so the offset is tiny.
    let c = dev.clock_sample().unwrap();
    assert!(c.subsecond);
    assert!(c.offset_us().abs() < 500_000 + c.uncertainty_us(), "{c:?}");
    assert!(c.host_before_us <= c.host_after_us);
}

#[test]
fn wait_booted_polls_until_boot_completes() {
    let (fake, _, dev) = setup();
    fake.set_prop("emulator-5554", "sys.boot_completed", "");
    let e = dev.wait_booted(Duration::from_millis(700)).unwrap_err();
    assert!(
        matches!(&e, DeviceError::NotBooted { why, .. } if why.contains("sys.boot_completed")),
        "{e}"
    );
    let fake = std::sync::Arc::new(fake);
    let f2 = std::sync::Arc::clone(&fake);
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        f2.set_prop("emulator-5554", "sys.boot_completed", "1");
    });
    dev.wait_booted(Duration::from_secs(10)).unwrap();
    t.join().unwrap();
    fake.set_state("emulator-5554", "unauthorized");
    let e = dev.wait_booted(Duration::from_millis(300)).unwrap_err();
    assert!(e.to_string().contains("unauthorized"), "{e}");
}

#[test]
fn unknown_device_and_unreachable_server() {
    let (_fake, server, _) = setup();
    let e = server
        .device("emulator-9999")
        .unwrap()
        .shell(&Cmd::new("true"), T)
        .unwrap_err();
    assert!(
        e.to_string().contains("device 'emulator-9999' not found"),
        "{e}"
    );
    assert!(server.device("bad serial").is_err());
    // Nothing listens on this port (bound then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = AdbServer::new(std::net::SocketAddrV4::new(
        std::net::Ipv4Addr::LOCALHOST,
        port,
    ));
    assert!(matches!(
        dead.version(),
        Err(DeviceError::ServerUnreachable { .. })
    ));
    assert!(matches!(
        dead.devices(),
        Err(DeviceError::ServerUnreachable { .. })
    ));
}

/// Debian's real `adb`: `ensure_running` starts a server on a free port; the device list it
/// reads is checked twice — a fresh server lists only what the emulator port scan finds
/// (`emulator-NNNN`, none on a machine without emulators), and after `connect` the list holds
/// the simulated handset, ready, with its model.
#[test]
fn ensure_running_starts_adb_when_installed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = AdbServer::new(std::net::SocketAddrV4::new(
        std::net::Ipv4Addr::LOCALHOST,
        port,
    ));
    if tools::find_tool("adb").is_none() {
        // Without adb the start path says so, whatever the tool policy below decides.
        let e = server.ensure_running().unwrap_err();
        assert!(e.to_string().contains("not installed"), "{e}");
    }
    prior_testkit::require_tool!("adb");
    server.ensure_running().unwrap();
    let _kill = KillOnDrop(server.addr());
    assert_eq!(server.version().unwrap(), 41);
    let fresh = server.devices().unwrap();
    for d in &fresh {
        assert!(
            d.serial.starts_with("emulator-"),
            "a fresh server lists only emulators found by its port scan: {d:?}"
        );
    }

    let sim = prior_sim::server::SimServer::start(
        prior_sim::device::SimDevice::new(prior_sim::device::SimConfig::default()).unwrap(),
        prior_sim::server::SimOptions::default(),
    )
    .unwrap();
    let target = sim.adbd_addr().to_string();
    server.connect(&target).unwrap();
    let deadline = Instant::now() + T;
    let listed = loop {
        let list = server.devices().unwrap();
        let row = list.iter().find(|d| d.serial == target).cloned();
        if let Some(row) = row.filter(|r| r.state == DeviceState::Device) {
            break (list, row);
        }
        assert!(Instant::now() < deadline, "{target} never ready: {list:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let (list, row) = listed;
    assert_eq!(list.len(), fresh.len() + 1, "{list:?}");
    assert_eq!(
        list.iter().filter(|d| d.serial == target).count(),
        1,
        "{list:?}"
    );
    // adb shows ro.product.model with non-alphanumerics replaced by `_`.
    assert_eq!(row.model.as_deref(), Some("SIMULATED_Pixel_6"), "{row:?}");
}

/// Stops the adb server a test started (`host:kill`), whatever happens in the test.
struct KillOnDrop(std::net::SocketAddrV4);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(mut s) = std::net::TcpStream::connect(self.0) {
            let _ = std::io::Write::write_all(&mut s, b"0009host:kill");
        }
    }
}
