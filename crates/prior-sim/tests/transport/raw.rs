//! The transport driven by a hand-written host: handshake, streams, flow control, and
//! hostile input.

use crate::common::*;
use crate::wire::{
    self, AUTH as A_AUTH, CLSE as A_CLSE, CNXN as A_CNXN, OKAY as A_OKAY, OPEN as A_OPEN,
    WRTE as A_WRTE,
};
use prior_sim::adbd::{AdbPublicKey, AuthPolicy, Limits, NewKeyPolicy};
use prior_sim::server::SimOptions;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const BANNER: &str = "device::ro.product.name=sim_test;ro.product.model=SIMULATED test;ro.product.device=simdev;features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,abb_exec";

#[test]
fn cnxn_reply_has_version_maxdata_banner_and_checksum() {
    let sim = start(TestDevice::new(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    let p = host.handshake(1 << 20);
    assert_eq!(p.name(), "CNXN");
    assert_eq!(p.arg0, 0x0100_0001);
    assert_eq!(p.arg1, 1 << 20);
    assert_eq!(String::from_utf8(p.data.clone()).unwrap(), BANNER);
    assert_eq!(p.check, wire::sum(&p.data));
    // Packets after the handshake carry no checksum (version 0x01000001 skips it).
    let remote = host.open(1, "shell,v2,raw:echo hi").unwrap();
    let w = host.recv().unwrap();
    assert_eq!(
        (w.name().as_str(), w.arg0, w.arg1, w.check),
        ("WRTE", remote, 1, 0)
    );
}

#[test]
fn shell_v2_v1_exec_and_refused_services() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);

    let (out, err, exit) = decode_v2(&host.run(1, "shell,v2,TERM=xterm,raw:echo hello world", &[]));
    assert_eq!(
        (out.as_slice(), err.as_slice(), exit),
        (&b"hello world\n"[..], &b""[..], Some(0))
    );
    let (out, err, exit) = decode_v2(&host.run(2, "shell,v2,raw:err boom", &[]));
    assert_eq!(
        (out.as_slice(), err.as_slice(), exit),
        (&b""[..], &b"boom\n"[..], Some(1))
    );
    let (_, _, exit) = decode_v2(&host.run(3, "shell,raw,v2:exit 300", &[]));
    assert_eq!(exit, Some(44), "exit status is the low byte (300 & 0xff)");
    let (_, err, exit) = decode_v2(&host.run(4, "shell,v2,raw:frobnicate", &[]));
    assert_eq!(exit, Some(127));
    assert_eq!(
        err,
        b"/system/bin/sh: frobnicate: inaccessible or not found\n"
    );

    // v1: stderr merged, no framing, no exit status.
    assert_eq!(host.run(5, "shell:err boom", &[]), b"boom\n");
    assert_eq!(host.run(6, "exec:echo 'a b'", &[]), b"a b\n");
    assert_eq!(host.run(7, "shell:big 100000", &[]), pattern(100_000));

    // Unknown service: CLSE(0, host id).
    let p = host.open(8, "reboot:bootloader").unwrap_err();
    assert_eq!((p.name().as_str(), p.arg0, p.arg1), ("CLSE", 0, 8));
    // OPEN with a delayed-ack window although delayed_ack was not advertised: refused.
    host.send(A_OPEN, 9, 4096, b"shell:echo x\0");
    let p = host.recv().unwrap();
    assert_eq!((p.name().as_str(), p.arg0, p.arg1), ("CLSE", 0, 9));
    // The connection still works.
    assert_eq!(
        decode_v2(&host.run(10, "shell,v2,raw:echo ok", &[])).0,
        b"ok\n"
    );
    assert_eq!(dev.commands.lock().unwrap()[0], "echo hello world");
}

#[test]
fn v2_stdin_coalesced_with_close_stdin_reaches_the_command() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    // As adb 29 sends piped stdin: `00 len data` + `04 00000000` in one WRTE, split here
    // across two WRTEs mid-header to exercise the byte-stream parser.
    let out = host.run(
        1,
        "shell,v2,raw:cat",
        &[b"\x00\x06\x00", b"\x00\x00piped\n\x04\x00\x00\x00\x00"],
    );
    let (stdout, _, exit) = decode_v2(&out);
    assert_eq!(stdout, b"piped\n");
    assert_eq!(exit, Some(0));
    assert!(dev.saw_stdin_eof.load(Ordering::SeqCst));
}

#[test]
fn never_sends_more_than_negotiated_and_keeps_one_wrte_in_flight() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    let p = host.handshake(4096);
    assert_eq!(p.arg1, 1 << 20, "the device offers its own maximum");
    let remote = host.open(1, "exec:big 300000").unwrap();

    // Without our OKAY the device must not send a second WRTE, and the command blocks.
    let first = host.recv().unwrap();
    assert_eq!(first.name(), "WRTE");
    assert!(first.data.len() <= 4096);
    assert!(
        host.recv_within(300).is_none(),
        "a second WRTE arrived before OKAY"
    );
    let produced = dev.produced.load(Ordering::SeqCst);
    assert!(
        produced <= 3 * 4096 + 10_000,
        "the command ran ahead of the host: {produced} bytes"
    );

    // Then drain with OKAYs: every WRTE ≤ 4096, all bytes in order.
    let mut got = first.data;
    host.send(A_OKAY, 1, remote, &[]);
    loop {
        let p = host.recv().unwrap();
        match p.name().as_str() {
            "WRTE" => {
                assert!(
                    p.data.len() <= 4096,
                    "WRTE of {} bytes over maxdata 4096",
                    p.data.len()
                );
                got.extend_from_slice(&p.data);
                host.send(A_OKAY, 1, remote, &[]);
            }
            "CLSE" => break,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(got, pattern(300_000));
}

#[test]
fn small_writes_coalesce_while_a_wrte_is_in_flight() {
    let sim = start(TestDevice::new(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    let remote = host.open(1, "shell:stream").unwrap();
    let first = host.recv().unwrap();
    assert_eq!(first.name(), "WRTE");
    std::thread::sleep(Duration::from_millis(200)); // ~40 lines produced meanwhile
    host.send(A_OKAY, 1, remote, &[]);
    let second = host.recv().unwrap();
    let lines = second.data.iter().filter(|&&b| b == b'\n').count();
    assert!(
        lines >= 10,
        "expected the backlog in one WRTE, got {lines} lines"
    );
    host.send(A_CLSE, 1, remote, &[]);
}

#[test]
fn host_close_stops_a_streaming_command_and_late_packets_are_ignored() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    let remote = host.open(1, "shell,v2,raw:stream").unwrap();
    for _ in 0..3 {
        let p = host.recv().unwrap();
        assert_eq!(p.name(), "WRTE");
        host.send(A_OKAY, 1, remote, &[]);
    }
    // Ctrl-C: the host sends CLSE; adbd answers with its own CLSE(local, remote) (after any
    // WRTE that was already in flight), and nothing else for that stream.
    host.send(A_CLSE, 1, remote, &[]);
    let reply = loop {
        let p = host.recv().unwrap();
        if p.name() != "WRTE" {
            break p;
        }
    };
    assert_eq!(
        (reply.name().as_str(), reply.arg0, reply.arg1),
        ("CLSE", remote, 1),
        "adbd answers a host CLSE with CLSE(device id, host id)"
    );
    assert!(
        wait_until(5, || dev.streams_closed.load(Ordering::SeqCst) == 1),
        "the command never saw the close"
    );
    assert!(wait_until(5, || sim.stats().services_running == 0));
    // Late and duplicate packets for the closed id, and for ids that never existed.
    host.send(A_CLSE, 1, remote, &[]);
    host.send(A_WRTE, 1, remote, b"late");
    host.send(A_OKAY, 1, remote, &[]);
    host.send(A_WRTE, 77, 12345, b"nobody");
    host.send(A_CLSE, 0, 999, &[]);
    // Late packets for a closed stream get no answer at all (no second CLSE either).
    if let Some(p) = host.recv_within(300) {
        panic!("unexpected reply to a late packet: {p:?}");
    }
    assert_eq!(
        decode_v2(&host.run(2, "shell,v2,raw:echo still here", &[])).0,
        b"still here\n"
    );
}

#[test]
fn many_streams_on_one_connection_interleave() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    let n = 20u32;
    let mut remotes = std::collections::HashMap::new();
    for local in 1..=n {
        remotes.insert(local, host.open(local, "shell,v2,raw:stream").unwrap());
    }
    let mut seen = std::collections::HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.len() < n as usize && Instant::now() < deadline {
        let p = host.recv().unwrap();
        assert_eq!(p.name(), "WRTE");
        *seen.entry(p.arg1).or_insert(0) += 1;
        host.send(A_OKAY, p.arg1, p.arg0, &[]);
    }
    assert_eq!(seen.len(), n as usize, "every stream produced output");
    assert_eq!(dev.streaming.load(Ordering::SeqCst), n as usize);
    for (local, remote) in &remotes {
        host.send(A_CLSE, *local, *remote, &[]);
    }
    assert!(wait_until(5, || dev.streams_closed.load(Ordering::SeqCst)
        == n as usize));
}

#[test]
fn disconnect_mid_stream_ends_the_command() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    {
        let mut host = RawHost::connect(sim.adbd_addr());
        host.handshake(1 << 20);
        host.open(1, "shell,v2,raw:stream").unwrap();
        assert_eq!(host.recv().unwrap().name(), "WRTE");
        // Dropped here without OKAY or CLSE: the command is blocked in a write.
    }
    assert!(wait_until(5, || dev.streams_closed.load(Ordering::SeqCst) == 1));
    assert!(wait_until(5, || sim.stats().connections == 0
        && sim.stats().services_running == 0));
}

/// Each case: what the peer sends after a good handshake; the connection must be dropped and
/// the simulator must go on serving others.
#[test]
fn malformed_packets_drop_only_that_connection() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut bad_magic = wire::encode(A_OPEN, 1, 0, b"shell:echo\0", false);
    bad_magic[20] ^= 0xff;
    let mut oversized = wire::encode(A_WRTE, 1, 1, b"", false);
    oversized[12..16].copy_from_slice(&((1u32 << 20) + 1).to_le_bytes());
    let unknown = wire::encode(0x5858_5858, 0, 0, b"", false);
    let garbage: Vec<u8> = (0..200u8).collect();
    let cases: [(&str, Vec<u8>); 4] = [
        ("bad magic", bad_magic),
        ("oversized", oversized),
        ("unknown command", unknown),
        ("garbage", garbage),
    ];
    for (what, bytes) in cases {
        let before = sim.stats().protocol_errors;
        let mut host = RawHost::connect(sim.adbd_addr());
        host.handshake(1 << 20);
        let _ = host.send_raw(&bytes);
        assert!(host.is_dropped_within(3000), "{what}: connection left open");
        assert!(sim.stats().protocol_errors > before, "{what}: not counted");
        let mut other = RawHost::connect(sim.adbd_addr());
        other.handshake(1 << 20);
        assert_eq!(
            decode_v2(&other.run(1, "shell,v2,raw:echo alive", &[])).0,
            b"alive\n",
            "{what}"
        );
    }
    // A WRTE over the maximum this peer itself negotiated (4096).
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(4096);
    let remote = host.open(1, "shell,v2,raw:cat").unwrap();
    host.send_raw(&wire::encode(A_WRTE, 1, remote, &[0u8; 4097], false))
        .unwrap();
    assert!(
        host.is_dropped_within(3000),
        "WRTE over the negotiated maximum accepted"
    );
    // A peer announcing a tiny max payload, and one that vanishes mid-packet.
    let mut host = RawHost::connect(sim.adbd_addr());
    host.send_raw(&wire::encode(
        A_CNXN,
        wire::VERSION_SKIP_CHECKSUM,
        16,
        b"host::",
        true,
    ))
    .unwrap();
    assert!(host.is_dropped_within(3000));
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    host.send_raw(&wire::encode(A_OPEN, 1, 0, b"shell:echo\0", false)[..30])
        .unwrap();
    drop(host);
    assert!(wait_until(5, || sim.stats().connections == 0));
}

#[test]
fn a_host_ignoring_flow_control_is_cut_off_with_bounded_memory() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    // `stream` never reads stdin, so nothing is OKAYed; a well-behaved host would wait.
    let remote = host.open(1, "shell,v2,raw:stream").unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut cut = false;
    for _ in 0..8 {
        if host
            .send_raw(&wire::encode(A_WRTE, 1, remote, &chunk, false))
            .is_err()
        {
            cut = true;
            break;
        }
    }
    assert!(
        cut || host.is_dropped_within(3000),
        "the simulator kept buffering"
    );
    assert!(wait_until(5, || dev.streams_closed.load(Ordering::SeqCst) == 1));
}

#[test]
fn unconsumed_data_across_streams_is_capped_per_connection() {
    let dev = TestDevice::new();
    let limits = Limits {
        max_buffered_per_connection: 3 << 20,
        ..Limits::default()
    };
    let sim = start(
        dev.clone(),
        SimOptions {
            limits,
            ..SimOptions::default()
        },
    );
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    let chunk = vec![0u8; 1 << 20];
    let mut cut = false;
    // One (legal) WRTE per stream, none consumed: the 4th MiB crosses the budget.
    for local in 1..=6u32 {
        let Ok(remote) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            host.open(local, "shell:stream")
        })) else {
            cut = true;
            break;
        };
        let remote = remote.unwrap();
        if host
            .send_raw(&wire::encode(A_WRTE, local, remote, &chunk, false))
            .is_err()
        {
            cut = true;
            break;
        }
    }
    assert!(
        cut || host.is_dropped_within(3000),
        "the simulator buffered more than its budget"
    );
    assert!(wait_until(5, || sim.stats().connections == 0
        && sim.stats().services_running == 0));
    assert_eq!(sim.stats().protocol_errors, 1);
}

#[test]
fn packets_before_cnxn_are_ignored_and_a_second_cnxn_resets() {
    let dev = TestDevice::new();
    let sim = start(dev.clone(), SimOptions::default());
    let mut host = RawHost::connect(sim.adbd_addr());
    host.send(A_OPEN, 1, 0, b"shell:echo early\0");
    assert!(
        host.recv_within(200).is_none(),
        "OPEN before CNXN was answered"
    );
    host.handshake(1 << 20);
    let remote = host.open(2, "shell,v2,raw:stream").unwrap();
    assert_eq!(host.recv().unwrap().name(), "WRTE");
    // Reconnect on the same socket: the old stream is gone.
    let p = host.handshake(1 << 20);
    assert_eq!(p.name(), "CNXN");
    assert!(wait_until(5, || dev.streams_closed.load(Ordering::SeqCst) == 1));
    host.send(A_OKAY, 2, remote, &[]); // late, ignored
    assert_eq!(
        decode_v2(&host.run(3, "shell,v2,raw:echo again", &[])).0,
        b"again\n"
    );
    assert!(
        !dev.commands
            .lock()
            .unwrap()
            .iter()
            .any(|c| c.contains("early"))
    );
}

#[test]
fn connection_limit_and_stream_limit_hold() {
    let limits = Limits {
        max_connections: 3,
        max_streams_per_connection: 2,
        ..Limits::default()
    };
    let sim = start(
        TestDevice::new(),
        SimOptions {
            limits,
            ..SimOptions::default()
        },
    );
    let mut hosts: Vec<RawHost> = (0..3).map(|_| RawHost::connect(sim.adbd_addr())).collect();
    for h in &mut hosts {
        h.handshake(1 << 20);
    }
    let mut extra = RawHost::connect(sim.adbd_addr());
    assert!(
        extra.is_dropped_within(3000),
        "a 4th connection was accepted"
    );
    let h = &mut hosts[0];
    h.open(1, "shell:stream").unwrap();
    h.open(2, "shell:stream")
        .unwrap_or_else(|p| panic!("{p:?}"));
    // Third stream refused; drain WRTEs of the first two while looking for the CLSE(0, 3).
    h.send(A_OPEN, 3, 0, b"shell:echo x\0");
    loop {
        let p = h.recv().unwrap();
        if p.name() == "CLSE" {
            assert_eq!((p.arg0, p.arg1), (0, 3));
            break;
        }
    }
}

#[test]
fn shutdown_on_drop_closes_connections_and_listener() {
    let dev = TestDevice::new();
    let sim = start(
        dev.clone(),
        SimOptions {
            smart_socket: true,
            ..SimOptions::default()
        },
    );
    let addr = sim.adbd_addr();
    let smart = sim.smart_socket_addr().unwrap();
    let mut host = RawHost::connect(addr);
    host.handshake(1 << 20);
    host.open(1, "shell:stream").unwrap();
    let t = Instant::now();
    drop(sim);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "drop took {:?}",
        t.elapsed()
    );
    assert!(host.is_dropped_within(2000));
    assert!(wait_until(5, || dev.streams_closed.load(Ordering::SeqCst) == 1));
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err());
    assert!(std::net::TcpStream::connect_timeout(&smart, Duration::from_millis(500)).is_err());
}

#[test]
fn refuses_non_loopback_addresses() {
    let options = SimOptions {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..SimOptions::default()
    };
    let err = prior_sim::server::SimServer::start(TestDevice::new(), options).unwrap_err();
    assert!(err.to_string().contains("loopback"), "{err}");
}

fn test_key() -> (AdbPublicKey, RsaPrivateKey) {
    let public =
        AdbPublicKey::parse(&std::fs::read_to_string(fixture("adbkey.pub")).unwrap()).unwrap();
    let private =
        RsaPrivateKey::from_pkcs8_pem(&std::fs::read_to_string(fixture("adbkey")).unwrap())
            .unwrap();
    (public, private)
}

fn sign(key: &RsaPrivateKey, token: &[u8]) -> Vec<u8> {
    key.sign(Pkcs1v15Sign::new::<sha1::Sha1>(), token).unwrap()
}

#[test]
fn rsa_auth_signature_path() {
    let (public, private) = test_key();
    let auth = AuthPolicy::Rsa {
        trusted_keys: vec![public],
        new_keys: NewKeyPolicy::Refuse,
    };
    let sim = start(
        TestDevice::new(),
        SimOptions {
            auth,
            ..SimOptions::default()
        },
    );
    let mut host = RawHost::connect(sim.adbd_addr());
    let p = host.handshake(1 << 20);
    assert_eq!((p.name().as_str(), p.arg0, p.data.len()), ("AUTH", 1, 20));
    assert_eq!(p.check, wire::sum(&p.data), "AUTH carries a real checksum");
    // OPEN before authentication is ignored.
    host.send(A_OPEN, 1, 0, b"shell:echo x\0");
    assert!(host.recv_within(200).is_none());
    // A wrong signature: a fresh token comes back.
    let mut bad = sign(&private, &p.data);
    bad[0] ^= 1;
    host.send(A_AUTH, 2, 0, &bad);
    let p2 = host.recv().unwrap();
    assert_eq!((p2.name().as_str(), p2.arg0), ("AUTH", 1));
    assert_ne!(
        p2.data, p.data,
        "the token must change after a failed signature"
    );
    // The signature of the old token does not work for the new one.
    host.send(A_AUTH, 2, 0, &sign(&private, &p.data));
    let p3 = host.recv().unwrap();
    assert_eq!(p3.name(), "AUTH");
    host.send(A_AUTH, 2, 0, &sign(&private, &p3.data));
    let p4 = host.recv().unwrap();
    assert_eq!(String::from_utf8(p4.data).unwrap(), BANNER);
    assert_eq!(sim.stats().auth_accepted, 1);
    assert_eq!(
        decode_v2(&host.run(5, "shell,v2,raw:echo authed", &[])).0,
        b"authed\n"
    );
}

#[test]
fn rsa_auth_public_key_refused_then_accepted() {
    let (public, private) = test_key();
    let key_text = std::fs::read_to_string(fixture("adbkey.pub")).unwrap();
    let mut key_payload = key_text.trim().as_bytes().to_vec();
    key_payload.push(0);

    // Refused: silence, the host stays unauthorized.
    let auth = AuthPolicy::Rsa {
        trusted_keys: vec![],
        new_keys: NewKeyPolicy::Refuse,
    };
    let sim = start(
        TestDevice::new(),
        SimOptions {
            auth,
            ..SimOptions::default()
        },
    );
    let mut host = RawHost::connect(sim.adbd_addr());
    let token = host.handshake(1 << 20);
    host.send(A_AUTH, 2, 0, &sign(&private, &token.data));
    assert_eq!(host.recv().unwrap().name(), "AUTH");
    host.send(A_AUTH, 3, 0, &key_payload);
    assert!(host.recv_within(500).is_none(), "refused key answered");
    assert_eq!(sim.stats().keys_refused, 1);
    drop(sim);

    // Accepted ("Always allow"): CNXN at once, and the key is trusted for the next connection.
    let auth = AuthPolicy::Rsa {
        trusted_keys: vec![],
        new_keys: NewKeyPolicy::Accept,
    };
    let sim = start(
        TestDevice::new(),
        SimOptions {
            auth,
            ..SimOptions::default()
        },
    );
    let mut host = RawHost::connect(sim.adbd_addr());
    host.handshake(1 << 20);
    host.send(A_AUTH, 3, 0, &key_payload);
    assert_eq!(host.recv().unwrap().name(), "CNXN");
    let mut again = RawHost::connect(sim.adbd_addr());
    let token = again.handshake(1 << 20);
    again.send(A_AUTH, 2, 0, &sign(&private, &token.data));
    assert_eq!(again.recv().unwrap().name(), "CNXN");
    assert_eq!(sim.stats().auth_accepted, 2);
    let _ = public;

    // A garbage key is not accepted even under Accept.
    let mut bad = RawHost::connect(sim.adbd_addr());
    bad.handshake(1 << 20);
    bad.send(A_AUTH, 3, 0, b"AAAA not a key\0");
    assert!(bad.recv_within(300).is_none());
}

/// 8 simulators, each with 8 concurrent raw clients running several commands.
#[test]
fn eight_simulators_eight_clients_each_in_parallel() {
    let sims: Vec<_> = (0..8)
        .map(|_| start(TestDevice::new(), SimOptions::default()))
        .collect();
    let addrs: Vec<_> = sims.iter().map(|s| s.adbd_addr()).collect();
    let t = Instant::now();
    let handles: Vec<_> = addrs
        .iter()
        .flat_map(|&addr| (0..8).map(move |c| (addr, c)))
        .map(|(addr, c)| {
            std::thread::spawn(move || {
                let mut host = RawHost::connect(addr);
                host.handshake(if c % 2 == 0 { 1 << 20 } else { 4096 });
                for i in 0..5u32 {
                    let (out, _, exit) = decode_v2(&host.run(
                        i + 1,
                        &format!("shell,v2,raw:exit {}", c * 10 + i),
                        &[],
                    ));
                    assert!(out.is_empty());
                    assert_eq!(exit, Some((c * 10 + i) as u8));
                }
                assert_eq!(host.run(9, "exec:big 200000", &[]), pattern(200_000));
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "took {:?}",
        t.elapsed()
    );
    for s in &sims {
        assert_eq!(s.stats().services_started, 8 * 6);
        assert!(wait_until(5, || s.stats().services_running == 0));
    }
}
