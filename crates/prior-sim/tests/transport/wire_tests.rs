//! The test host's own codec against bytes Debian's `adb` really sent, the simulator's
//! answers decoded with it, the stream life cycle's closing handshake, and hostile byte
//! sequences after the handshake.

use crate::common::*;
use crate::wire::{self, CLSE, CNXN, OKAY, OPEN, VERSION_SKIP_CHECKSUM, WRTE};
use prior_sim::server::SimOptions;
use proptest::prelude::*;
use std::path::PathBuf;

fn wire_fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/adb-wire")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Debian's adb (1.0.41) talking to the simulator: `adb connect`, `adb shell echo hi`,
/// `adb exec-out echo hi`, `adb disconnect`, as captured by a TCP proxy
/// (tests/data/adb-wire/PROVENANCE.md).
#[test]
fn our_codec_reproduces_debian_adb_bytes_exactly() {
    let bytes = wire_fixture("debian-adb-shell-exec-host-to-device.bin");
    let packets = wire::decode_stream(&bytes).expect("real adb bytes decode");
    let names: Vec<String> = packets.iter().map(|p| wire::name(p.0)).collect();
    assert_eq!(
        names,
        [
            "CNXN", "OPEN", "OKAY", "WRTE", "OKAY", "CLSE", "OPEN", "OKAY", "CLSE"
        ],
        "the conversation as adb sent it"
    );
    // CNXN: version 0x01000001, 1 MiB max payload, checksum filled in, host banner.
    let (cmd, a0, a1, check, data) = &packets[0];
    assert_eq!((*cmd, *a0, *a1), (CNXN, VERSION_SKIP_CHECKSUM, 1 << 20));
    assert_eq!(*check, wire::sum(data));
    assert!(data.starts_with(b"host::features="));
    // After the handshake adb leaves the checksum at 0.
    assert!(packets[1..].iter().all(|p| p.3 == 0));
    let (cmd, local, zero, _, name) = &packets[1];
    assert_eq!((*cmd, *local, *zero), (OPEN, 6, 0));
    assert_eq!(name.as_slice(), b"shell,v2,TERM=xterm,raw:echo hi\0");
    assert_eq!(packets[6].4.as_slice(), b"exec:echo 'hi'\0");
    // Re-encoding every packet with our encoder gives the very same bytes.
    let again: Vec<u8> = packets
        .iter()
        .flat_map(|(c, a0, a1, check, d)| wire::encode(*c, *a0, *a1, d, *check != 0))
        .collect();
    assert_eq!(again, bytes);
}

#[test]
fn the_simulator_answers_real_adb_bytes_as_adbd_does() {
    let sim = start(TestDevice::new(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    let bytes = wire_fixture("debian-adb-shell-exec-host-to-device.bin");
    let packets = wire::decode_stream(&bytes).expect("decode");
    // Replay adb's CNXN byte for byte.
    host.send_raw(&wire::encode(
        CNXN,
        packets[0].1,
        packets[0].2,
        &packets[0].4,
        true,
    ))
    .unwrap();
    let cnxn = host.recv().unwrap();
    assert_eq!((cnxn.command, cnxn.arg0), (CNXN, VERSION_SKIP_CHECKSUM));
    assert_eq!(
        cnxn.check,
        wire::sum(&cnxn.data),
        "CNXN carries its checksum"
    );
    // adb's OPEN, byte for byte: OKAY(device id, 6), then the shell's output and its CLSE.
    host.send_raw(&bytes[wire_offset(&packets, 1)..wire_offset(&packets, 2)])
        .unwrap();
    let okay = host.recv().unwrap();
    assert_eq!((okay.command, okay.arg1), (OKAY, 6));
    let mut out = Vec::new();
    loop {
        let p = host.recv().unwrap();
        match p.command {
            WRTE => {
                out.extend_from_slice(&p.data);
                host.send(OKAY, 6, okay.arg0, &[]);
            }
            CLSE => {
                assert_eq!((p.arg0, p.arg1), (okay.arg0, 6));
                break;
            }
            other => panic!("unexpected {}", wire::name(other)),
        }
    }
    assert_eq!(decode_v2(&out), (b"hi\n".to_vec(), Vec::new(), Some(0)));
    // adb echoes the CLSE; the stream is gone, so adbd answers nothing.
    host.send(CLSE, 6, okay.arg0, &[]);
    assert!(
        host.recv_within(300).is_none(),
        "no answer to the echoed CLSE"
    );
}

/// Offset of packet `i` in a decoded stream.
fn wire_offset(packets: &[wire::Decoded], i: usize) -> usize {
    packets[..i].iter().map(|p| 24 + p.4.len()).sum()
}

/// A client that closes a `sync:` stream (after a push, say) waits for adbd's CLSE; adbd sends
/// it from `local_socket_close` → `remote_socket_shutdown` (sockets.cpp).
#[test]
fn host_close_of_a_sync_stream_is_answered_with_clse() {
    let sim = start(TestDevice::new(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    let remote = host.open(3, "sync:").unwrap();
    host.send(CLSE, 3, remote, &[]);
    let p = host.recv_within(2000).expect("adbd answers CLSE with CLSE");
    assert_eq!((p.command, p.arg0, p.arg1), (CLSE, remote, 3));
    // The id is free again and nothing else arrives for it.
    assert!(host.recv_within(300).is_none());
    assert_eq!(
        decode_v2(&host.run(4, "shell,v2,raw:echo next", &[])).0,
        b"next\n"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Arbitrary bytes after a good handshake: the simulator never dies; that connection is
    /// either dropped or still usable, and a new connection always works.
    #[test]
    fn hostile_bytes_after_the_handshake_never_break_the_server(
        junk in proptest::collection::vec(any::<u8>(), 1..400),
    ) {
        let sim = start(TestDevice::new(), SimOptions::default());
        {
            let mut host = RawHost::connect(sim.adbd_addr());
            host.handshake(1 << 20);
            let _ = host.send_raw(&junk);
            let _ = host.is_dropped_within(100);
        }
        let mut fresh = RawHost::connect(sim.adbd_addr());
        fresh.handshake(1 << 20);
        prop_assert_eq!(decode_v2(&fresh.run(1, "shell,v2,raw:echo alive", &[])).0, b"alive\n".to_vec());
    }
}

/// 64 half-open connections used to lock every real client out: at the limit, a new
/// connection evicts the oldest one that never completed its handshake.
#[test]
fn half_open_connections_are_evicted_at_the_limit_and_time_out() {
    use prior_sim::adbd::Limits;
    use std::time::Duration;
    let limits = Limits {
        max_connections: 3,
        handshake_timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let sim = start(
        TestDevice::new(),
        SimOptions {
            limits,
            ..SimOptions::default()
        },
    );
    let mut silent: Vec<RawHost> = (0..3).map(|_| RawHost::connect(sim.adbd_addr())).collect();
    assert!(wait_until(5, || sim.stats().connections == 3));
    // A real client still gets in, and works; the oldest silent connection is gone.
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    assert_eq!(
        decode_v2(&host.run(1, "shell,v2,raw:echo in", &[])).0,
        b"in\n"
    );
    // Exactly one half-open connection made room (the first registered; the acceptor's
    // threads may register the three in any order).
    let dropped = silent
        .iter_mut()
        .map(|s| s.is_dropped_within(1000))
        .filter(|&d| d)
        .count();
    assert_eq!(
        dropped, 1,
        "one half-open connection was evicted, the others kept"
    );
    drop(silent);

    // With a short handshake timeout, a silent connection is closed by itself, an online one
    // is not.
    let limits = Limits {
        handshake_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let sim = start(
        TestDevice::new(),
        SimOptions {
            limits,
            ..SimOptions::default()
        },
    );
    let mut quiet = RawHost::connect(sim.adbd_addr());
    let mut online = RawHost::connect(sim.adbd_addr());
    online.handshake(1 << 20);
    assert!(
        quiet.is_dropped_within(3000),
        "a silent connection times out"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        decode_v2(&online.run(1, "shell,v2,raw:echo still", &[])).0,
        b"still\n"
    );
}
