//! End to end: Debian's real `adb` server, started by [`AdbServer::ensure_running`] on a free
//! port, connected to Prior's simulated handset (`prior-sim`, a dev-dependency only), driven
//! through this crate exactly as the recorder drives an emulator.

use crate::*;
use prior_sim::device::{SimConfig, SimDevice};
use prior_sim::server::{SimOptions, SimServer};
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

const T: Duration = Duration::from_secs(30);

/// Stops the adb server we started, whatever happens in the test.
struct KillServer(SocketAddrV4);

impl Drop for KillServer {
    fn drop(&mut self) {
        if let Ok(mut s) = TcpStream::connect(self.0) {
            let _ = std::io::Write::write_all(&mut s, b"0009host:kill");
        }
    }
}

#[test]
fn real_adb_server_and_simulated_handset() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = AdbServer::new(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    if tools::find_tool("adb").is_none() {
        // Without adb the start path says so, whatever the tool policy below decides.
        let e = server.ensure_running().unwrap_err();
        assert!(e.to_string().contains("not installed"), "{e}");
    }
    prior_testkit::require_tool!("adb");
    server.ensure_running().unwrap();
    let _guard = KillServer(server.addr());

    let device = SimDevice::new(SimConfig::default()).unwrap();
    let sim = SimServer::start(device, SimOptions::default()).unwrap();
    let target = sim.adbd_addr().to_string();
    let msg = server.connect(&target).unwrap();
    assert!(msg.contains(&target), "{msg}");

    let dev = server.device(&target).unwrap();
    dev.wait_booted(T).unwrap();
    let list = server.list().unwrap();
    let row = list.iter().find(|d| d.entry.serial == target).unwrap();
    assert_eq!(row.kind, DeviceKind::Simulated, "{row:?}");
    assert!(row.api_level.is_some(), "{row:?}");

    // Exit codes and quoting through the real server and the simulated shell.
    let out = dev
        .shell(&Cmd::new("getprop").raw("ro.product.model"), T)
        .unwrap();
    assert!(out.stdout_text().contains("SIMULATED"), "{out:?}");
    assert_eq!(out.exit, 0);
    for h in ["'; reboot; '", "$(id)", "`id`", "a\"b", "同意并继续"] {
        let out = dev.shell(&Cmd::new("echo").arg(h).unwrap(), T).unwrap();
        assert_eq!(out.stdout_text(), format!("{h}\n"), "{h:?}");
    }
    let facts = dev.facts().unwrap();
    assert_eq!(facts.kind, DeviceKind::Simulated);
    let clock = dev.clock_sample().unwrap();
    assert!(clock.offset_us().abs() < 2_000_000, "{clock:?}");

    // push / pull through the real server's sync service.
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    dev.push_bytes(data.clone(), "/data/local/tmp/prior-e2e.bin")
        .unwrap();
    assert_eq!(dev.pull("/data/local/tmp/prior-e2e.bin").unwrap(), data);

    // A logcat stream, stopped from the host.
    let (tx, rx) = mpsc::sync_channel(1024);
    let h = dev
        .shell_stream(
            &Cmd::new("logcat").raw("-v epoch,uid,usec,printable"),
            Box::new(LineSender::new(tx)),
        )
        .unwrap();
    dev.shell_ok(
        &Cmd::new("log").raw("-t prior").arg("e2e marker").unwrap(),
        T,
    )
    .unwrap();
    let mut seen = false;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
        if String::from_utf8_lossy(&line).contains("e2e marker") {
            seen = true;
            break;
        }
    }
    assert!(
        seen,
        "the marker logged after the stream started arrives on the stream"
    );
    let report = h.stop(Duration::from_secs(5));
    assert!(matches!(report.end, StreamEnd::Stopped(_)), "{report:?}");
}
