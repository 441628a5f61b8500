//! Hostile hosts (issue 12): random and garbled adbd packets against the transport's packet
//! reader and connection state machine. The simulator must never panic, never allocate what
//! a header merely claims (a 4 GiB payload is refused by the max-payload rule before anything
//! is read or allocated), close only the offending connection, and keep serving others.

use crate::common::*;
use crate::wire::{
    self, AUTH as A_AUTH, CLSE as A_CLSE, CNXN as A_CNXN, OKAY as A_OKAY, OPEN as A_OPEN,
    WRTE as A_WRTE,
};
use prior_sim::server::{SimOptions, SimServer};
use proptest::prelude::*;
use std::io::Write;
use std::net::Shutdown;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once, OnceLock};

/// Panics on the simulator's accept and connection threads (services run on threads of their
/// own, where a handler's panic is caught on purpose; those are not counted).
static TRANSPORT_PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_transport_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().map(str::to_string);
            if name.is_some_and(|n| {
                n.starts_with("sim-") && (n.ends_with("-conn") || n.ends_with("-accept"))
            }) {
                TRANSPORT_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

/// One simulator shared by every fuzz case (starting one per case would dominate the time).
fn sim() -> &'static (Arc<TestDevice>, SimServer) {
    static SIM: OnceLock<(Arc<TestDevice>, SimServer)> = OnceLock::new();
    SIM.get_or_init(|| {
        count_transport_panics();
        let dev = TestDevice::new();
        let server = start(dev.clone(), SimOptions::default());
        (dev, server)
    })
}

/// A header claiming `len` bytes of payload, with a correct magic, and no payload after it.
fn header_claiming(command: u32, len: u32) -> Vec<u8> {
    let mut h = wire::encode(command, 1, 0, b"", false);
    h[12..16].copy_from_slice(&len.to_le_bytes());
    h
}

/// The simulator still serves a well-behaved host.
fn still_serves(server: &SimServer) -> bool {
    let mut host = RawHost::connect(server.adbd_addr());
    host.handshake(1 << 20);
    decode_v2(&host.run(1, "shell,v2,raw:echo alive", &[])).0 == b"alive\n"
}

#[test]
fn a_header_claiming_a_4_gib_payload_is_refused_before_anything_is_read() {
    count_transport_panics();
    let dev = TestDevice::new();
    let server = start(dev, SimOptions::default());
    for (handshake, len) in [
        (false, u32::MAX),
        (true, u32::MAX),
        (true, 0x8000_0000),
        (true, (1 << 20) + 1),
    ] {
        for command in [A_CNXN, A_AUTH, A_OPEN, A_WRTE] {
            let before = server.stats().protocol_errors;
            let mut host = RawHost::connect(server.adbd_addr());
            if handshake {
                host.handshake(1 << 20);
            }
            // Only the header: a reader that believed it would wait for 4 GiB and hang.
            host.send_raw(&header_claiming(command, len)).unwrap();
            assert!(
                host.is_dropped_within(3000),
                "{len} bytes claimed by {} (after handshake: {handshake}) not refused",
                wire::name(command)
            );
            assert!(server.stats().protocol_errors > before, "not counted");
        }
    }
    assert!(still_serves(&server));
    assert!(wait_until(5, || server.stats().connections == 0));
    assert_eq!(TRANSPORT_PANICS.load(Ordering::SeqCst), 0);
}

/// What a fuzzing host sends, piece by piece.
#[derive(Debug, Clone)]
enum Piece {
    /// A well-formed packet with arbitrary fields.
    Packet {
        command: u32,
        arg0: u32,
        arg1: u32,
        data: Vec<u8>,
        checksum: bool,
    },
    /// A well-formed packet with one byte flipped (header or payload).
    Flipped {
        command: u32,
        data: Vec<u8>,
        at: usize,
        mask: u8,
    },
    /// A header claiming more than the maximum payload.
    Huge { command: u32, len: u32 },
    /// Random bytes.
    Garbage(Vec<u8>),
}

impl Piece {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Piece::Packet {
                command,
                arg0,
                arg1,
                data,
                checksum,
            } => wire::encode(*command, *arg0, *arg1, data, *checksum),
            Piece::Flipped {
                command,
                data,
                at,
                mask,
            } => {
                let mut b = wire::encode(*command, 1, 1, data, false);
                let i = at % b.len();
                b[i] ^= mask.max(&1);
                b
            }
            Piece::Huge { command, len } => header_claiming(*command, *len),
            Piece::Garbage(b) => b.clone(),
        }
    }
}

fn command() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(A_CNXN),
        Just(A_AUTH),
        Just(A_OPEN),
        Just(A_OKAY),
        Just(A_WRTE),
        Just(A_CLSE),
        any::<u32>(),
    ]
}

/// Stream ids and CNXN/AUTH arguments: mostly small (so packets hit live streams), sometimes
/// anything.
fn arg() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..4, Just(1 << 20), Just(4096), any::<u32>()]
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        prop::sample::select(vec![
            &b"shell,v2,raw:echo hi\0"[..],
            b"shell:cat\0",
            b"shell,v2,raw:stream\0",
            b"sync:\0",
            b"exec:cat\0",
            b"host::features=shell_v2,cmd\0",
            b"\0",
            b"",
        ])
        .prop_map(<[u8]>::to_vec),
    ]
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => (command(), arg(), arg(), payload(), any::<bool>()).prop_map(
            |(command, arg0, arg1, data, checksum)| Piece::Packet { command, arg0, arg1, data, checksum }
        ),
        2 => (command(), payload(), any::<usize>(), any::<u8>())
            .prop_map(|(command, data, at, mask)| Piece::Flipped { command, data, at, mask }),
        1 => (command(), (1u32 << 20) + 1..=u32::MAX).prop_map(|(command, len)| Piece::Huge { command, len }),
        1 => proptest::collection::vec(any::<u8>(), 0..96).prop_map(Piece::Garbage),
    ]
}

proptest! {
    // Each case is one TCP connection on loopback: 64 of them take well under a second.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever a host sends, with or without a proper handshake first: the simulator closes
    /// that connection once the host is done (or earlier), never panics, and still serves.
    #[test]
    fn random_and_garbled_packets_never_break_the_transport(
        handshake in any::<bool>(),
        pieces in proptest::collection::vec(piece(), 1..12),
    ) {
        let (_, server) = sim();
        let mut host = RawHost::connect(server.adbd_addr());
        if handshake {
            host.handshake(1 << 20);
        }
        for p in &pieces {
            if host.s.write_all(&p.bytes()).is_err() {
                break; // the simulator already dropped us
            }
        }
        let _ = host.s.shutdown(Shutdown::Write);
        prop_assert!(host.is_dropped_within(5000), "connection left open after {pieces:?}");
        prop_assert_eq!(TRANSPORT_PANICS.load(Ordering::SeqCst), 0);
        prop_assert!(still_serves(server), "no longer serving after {:?}", pieces);
    }

    /// Any length over the maximum, on any command, before or after the handshake: the connection is closed while the host still holds it open and
    /// sends nothing more (a reader that allocated and waited for the claimed bytes would
    /// hang here).
    #[test]
    fn any_claim_over_the_maximum_payload_is_refused_at_once(
        handshake in any::<bool>(),
        command in command(),
        len in prop_oneof![Just(u32::MAX), Just(0x8000_0000), (1u32 << 20) + 1..=u32::MAX],
    ) {
        let (_, server) = sim();
        let before = server.stats().protocol_errors;
        let mut host = RawHost::connect(server.adbd_addr());
        if handshake {
            host.handshake(1 << 20);
        }
        host.send_raw(&header_claiming(command, len)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(host.is_dropped_within(3000), "{} bytes claimed not refused", len);
        prop_assert!(server.stats().protocol_errors > before);
        prop_assert_eq!(TRANSPORT_PANICS.load(Ordering::SeqCst), 0);
    }
}
