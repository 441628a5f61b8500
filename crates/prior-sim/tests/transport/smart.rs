//! The adb-server smart socket: adb_client (what Prior's device layer uses) and the `adb`
//! client binary talk to the simulator with no adb server in between.

use crate::common::*;
use adb_client::ADBDeviceExt;
use adb_client::server::ADBServer;
use adb_client::server_device::ADBServerDevice;
use prior_sim::server::{SimOptions, SimServer};
use std::io::{Read, Write};
use std::net::{SocketAddr, SocketAddrV4, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn v4(addr: SocketAddr) -> SocketAddrV4 {
    match addr {
        SocketAddr::V4(a) => a,
        SocketAddr::V6(_) => panic!("expected IPv4"),
    }
}

fn smart_sim(dev: &Arc<TestDevice>) -> (SimServer, SocketAddrV4) {
    let sim = start(
        dev.clone(),
        SimOptions {
            smart_socket: true,
            ..SimOptions::default()
        },
    );
    let addr = v4(sim.smart_socket_addr().expect("smart socket enabled"));
    (sim, addr)
}

/// One host query on a fresh connection: `OKAY`/`FAIL` plus the hex4-framed body; the server
/// must then close the socket, as adb's does.
fn ask(addr: SocketAddrV4, req: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let reply = query(&mut s, req);
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{req}: trailing bytes {rest:?}");
    reply
}

/// Sends one smart-socket request and reads `OKAY`/`FAIL` plus a hex4-framed body.
fn query(s: &mut TcpStream, req: &str) -> (String, String) {
    s.write_all(format!("{:04x}{req}", req.len()).as_bytes())
        .unwrap();
    let mut status = [0u8; 4];
    s.read_exact(&mut status).unwrap();
    let mut len = [0u8; 4];
    s.read_exact(&mut len).unwrap();
    let len = usize::from_str_radix(std::str::from_utf8(&len).unwrap(), 16).unwrap();
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    (
        String::from_utf8(status.to_vec()).unwrap(),
        String::from_utf8(body).unwrap(),
    )
}

#[test]
fn host_services_answer_like_an_adb_server() {
    let dev = TestDevice::new();
    let (sim, addr) = smart_sim(&dev);
    let serial = sim.serial().to_owned();
    assert_eq!(serial, sim.adbd_addr().to_string());
    assert_eq!(ask(addr, "host:version"), ("OKAY".into(), "0029".into()));
    assert_eq!(
        ask(addr, "host:devices"),
        ("OKAY".into(), format!("{serial}\tdevice\n"))
    );
    assert_eq!(
        ask(addr, "host:devices-l").1,
        format!(
            "{serial:<22} device product:sim_test model:SIMULATED_test device:simdev transport_id:1\n"
        )
    );
    let features = "shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,abb_exec";
    assert_eq!(ask(addr, "host:features").1, features);
    assert_eq!(
        ask(addr, &format!("host-serial:{serial}:features")).1,
        features
    );
    assert_eq!(
        ask(addr, &format!("host-serial:{serial}:get-state")).1,
        "device"
    );
    assert_eq!(ask(addr, "host-transport-id:1:get-serialno").1, serial);
    assert_eq!(
        ask(addr, "host-serial:emulator-5554:features"),
        ("FAIL".into(), "device 'emulator-5554' not found".into())
    );
    assert_eq!(
        ask(addr, "host:transport:emulator-5554"),
        ("FAIL".into(), "device 'emulator-5554' not found".into())
    );
    assert_eq!(ask(addr, "host:frobnicate").0, "FAIL");

    // tport: OKAY + 8-byte transport id, then a local service on the same socket.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!("host:tport:serial:{serial}");
    s.write_all(format!("{:04x}{req}", req.len()).as_bytes())
        .unwrap();
    let mut reply = [0u8; 12];
    s.read_exact(&mut reply).unwrap();
    assert_eq!(&reply[..4], b"OKAY");
    assert_eq!(u64::from_le_bytes(reply[4..].try_into().unwrap()), 1);
    let req = "shell,v2,raw:exit 5";
    s.write_all(format!("{:04x}{req}", req.len()).as_bytes())
        .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    assert_eq!(&out[..4], b"OKAY");
    assert_eq!(decode_v2(&out[4..]).2, Some(5));

    // Unknown local service after a switch: FAIL.
    let mut s = TcpStream::connect(addr).unwrap();
    let req = "host:transport-any";
    s.write_all(format!("{:04x}{req}", req.len()).as_bytes())
        .unwrap();
    let mut okay = [0u8; 4];
    s.read_exact(&mut okay).unwrap();
    assert_eq!(&okay, b"OKAY");
    let (status, msg) = query(&mut s, "reboot:");
    assert_eq!((status.as_str(), msg.as_str()), ("FAIL", "closed"));
    // Garbage instead of a hex length: the socket is closed, the server lives on.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"zzzzhost:version").unwrap();
    let mut buf = [0u8; 16];
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert!(matches!(s.read(&mut buf), Ok(0) | Err(_)));
    assert_eq!(ask(addr, "host:version").1, "0029");

    // After a switch, host queries are still answered on the same socket (adb_client).
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!("host:transport:{serial}");
    s.write_all(format!("{:04x}{req}", req.len()).as_bytes())
        .unwrap();
    s.read_exact(&mut okay).unwrap();
    assert_eq!(&okay, b"OKAY");
    assert_eq!(query(&mut s, "host:features").1, features);
}

#[test]
fn adb_client_drives_the_simulator_without_an_adb_server() {
    let dev = TestDevice::new();
    let (sim, addr) = smart_sim(&dev);
    let serial = sim.serial().to_owned();

    let mut server = ADBServer::new_from_path(addr, Some("true".into()));
    let devices = server.devices().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].identifier, serial);
    assert_eq!(devices[0].state.to_string(), "device");
    let long = server.devices_long().unwrap();
    assert_eq!(
        (
            long[0].model.as_str(),
            long[0].device.as_str(),
            long[0].transport_id
        ),
        ("SIMULATED_test", "simdev", 1)
    );

    let mut device = ADBServerDevice::new(serial.clone(), Some(addr));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    device
        .shell_command(&"echo via adb_client", Some(&mut out), Some(&mut err))
        .unwrap();
    assert_eq!(out, b"via adb_client\n");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    device
        .shell_command(&"err to stderr", Some(&mut out), Some(&mut err))
        .unwrap();
    assert_eq!(
        (out.as_slice(), err.as_slice()),
        (&b""[..], &b"to stderr\n"[..])
    );

    // push / stat / list / pull of 1 MB.
    let data = pattern(1_000_000);
    device
        .push(&mut data.as_slice(), "/data/local/tmp/c.bin")
        .unwrap();
    assert!(dev.file("/data/local/tmp/c.bin").unwrap() == data);
    assert_eq!(
        dev.files.lock().unwrap()["/data/local/tmp/c.bin"].1,
        0o100_777,
        "adb_client sends `,0777`"
    );
    let st = ADBDeviceExt::stat(&mut device, &"/data/local/tmp/c.bin").unwrap();
    assert_eq!((st.file_size, st.file_perm & 0o777), (1_000_000, 0o777));
    let entries = ADBDeviceExt::list(&mut device, &"/data/local/tmp").unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let mut back = Vec::new();
    device.pull(&"/data/local/tmp/c.bin", &mut back).unwrap();
    assert!(back == data, "pulled bytes differ");

    // Streamed install (exec:cmd package 'install' -S N).
    let dir = tempfile::tempdir().unwrap();
    let apk = dir.path().join("demo.apk");
    std::fs::write(&apk, pattern(123_456)).unwrap();
    device.install(&apk, None).unwrap();
    assert_eq!(dev.installs.lock().unwrap()[0].1, pattern(123_456));
    std::fs::write(&apk, b"BAD").unwrap();
    let e = device.install(&apk, None).unwrap_err();
    assert!(
        e.to_string().contains("INSTALL_PARSE_FAILED_NOT_APK"),
        "{e}"
    );
    assert!(wait_until(5, || sim.stats().services_running == 0));
}

/// A writer that fails after `n` lines, like a consumer that gives up on logcat.
struct GiveUpAfter(usize, Vec<u8>);
impl Write for GiveUpAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.1.extend_from_slice(buf);
        if self.1.iter().filter(|&&b| b == b'\n').count() >= self.0 {
            return Err(std::io::Error::other("enough"));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn adb_client_giving_up_on_a_stream_ends_the_command() {
    let dev = TestDevice::new();
    let (sim, addr) = smart_sim(&dev);
    let mut device = ADBServerDevice::new(sim.serial().to_owned(), Some(addr));
    let mut w = GiveUpAfter(5, Vec::new());
    assert!(device.shell_command(&"stream", Some(&mut w), None).is_err());
    drop(device);
    assert!(
        wait_until(5, || dev.streams_closed.load(Ordering::SeqCst) == 1),
        "the command kept running"
    );
    assert!(wait_until(5, || sim.stats().services_running == 0
        && sim.stats().connections == 0));
}

/// The `adb` client binary pointed at the smart socket (`-P`): no adb server involved.
#[test]
fn adb_client_binary_uses_the_smart_socket_directly() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let (sim, addr) = smart_sim(&dev);
    let serial = sim.serial().to_owned();
    let home = tempfile::tempdir().unwrap();
    let adb = |args: &[&str]| {
        let mut c = Command::new("adb");
        c.arg("-P")
            .arg(addr.port().to_string())
            .args(args)
            .env("HOME", home.path())
            .env_remove("ANDROID_SERIAL");
        run_with_deadline(c, 20)
    };
    let r = adb(&["devices"]);
    assert!(r.out().contains(&format!("{serial}\tdevice")), "{r:?}");
    let r = adb(&["-s", &serial, "shell", "echo", "no server"]);
    assert_eq!(
        (r.code, r.out().as_str()),
        (Some(0), "no server\n"),
        "{r:?}"
    );
    let r = adb(&["-s", &serial, "shell", "exit 9"]);
    assert_eq!(r.code, Some(9), "{r:?}");
    let r = adb(&["-s", &serial, "exec-out", "big", "70000"]);
    assert!(r.stdout == pattern(70_000));

    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("f.bin");
    std::fs::write(&local, pattern(2_000_000)).unwrap();
    let r = adb(&[
        "-s",
        &serial,
        "push",
        local.to_str().unwrap(),
        "/sdcard/f.bin",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(dev.file("/sdcard/f.bin").unwrap() == pattern(2_000_000));
    let back = dir.path().join("back.bin");
    let r = adb(&[
        "-s",
        &serial,
        "pull",
        "/sdcard/f.bin",
        back.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(std::fs::read(&back).unwrap() == pattern(2_000_000));
    let apk = dir.path().join("a.apk");
    std::fs::write(&apk, pattern(5000)).unwrap();
    let r = adb(&["-s", &serial, "install", apk.to_str().unwrap()]);
    assert!(r.out().contains("Success"), "{r:?}");
    assert_eq!(dev.installs.lock().unwrap().len(), 1);
}
