//! The adbd transport: how bytes move between a host and the simulated handset.
//!
//! Two front ends share one set of services:
//! - **adbd over TCP** (`transport.rs`): what an emulator's adbd speaks on port 5555 — the
//!   24-byte packet protocol with CNXN/AUTH/OPEN/OKAY/WRTE/CLSE. Debian's `adb connect
//!   127.0.0.1:PORT` talks to it, and so does anything that speaks adbd directly.
//! - **adb-server smart socket** (`smart.rs`): what `adb start-server` listens on (5037) —
//!   hex-length requests, `host:*` services, then a transport switch and a raw stream. It
//!   serves only this one simulated device, so Prior's device layer (adb_client's
//!   `ADBServerDevice`) can drive the simulator on a machine with no `adb` at all.
//!
//! Services (`services.rs`, `sync.rs`) are written once against [`stream::Stream`] and run on
//! their own thread per stream, calling the [`crate::DeviceHandler`].
//!
//! # Threads, not tokio
//! Every connection has one reader thread and every open stream one service thread; writes go
//! through a per-connection mutex. A service blocks in `send` while its one WRTE is in flight
//! and its buffer is full, so a slow host throttles the command producing output — the
//! behaviour a real pipe gives adbd. The handler API is blocking (`DeviceHandler::shell`
//! runs a whole command), so threads keep both sides simple; the number of threads is bounded
//! by [`Limits::max_connections`] × [`Limits::max_streams_per_connection`].
//!
//! # Advertised features
//! The CNXN banner advertises exactly [`FEATURES`]:
//! - `shell_v2` — shell protocol v2: separate stdout/stderr and exit codes (Prior needs them);
//! - `cmd` — makes `adb install` use the *streamed* install (`exec:cmd package install -S N`)
//!   instead of push + `pm install`, and `adb uninstall` use `cmd package uninstall`;
//! - `stat_v2`, `ls_v2` — `STA2`/`LST2` and `LIS2`/`DNT2` sync requests are implemented;
//! - `fixed_push_mkdir` — the device creates missing parent directories on `SEND` (the
//!   handler's `write_file` contract), so adb does not fall back to `shell:mkdir -p`;
//! - `abb_exec` — an Android 11+ device: `adb install` uses
//!   `abb_exec:package\0install\0…-S\0N`; other `abb_exec:` calls go to the handler.
//!
//! Deliberately **not** advertised: `delayed_ack` (it changes OPEN arg1 and OKAY payloads;
//! plain one-WRTE-in-flight flow control is what adb 29 uses), `sendrecv_v2*` (SND2/RCV2 with
//! compression are not implemented; without the feature adb keeps SEND/RECV), `abb` (the
//! shell-protocol binder bridge; `abb_exec` covers installs), `apex`, `remount_shell`,
//! `track_app`, `fixed_push_symlink_timestamp`, `openscreen_mdns`,
//! `devicetracker_proto_format` (nothing here implements them).
//!
//! # Robustness
//! A bad magic, a payload over the negotiated maximum, an unknown command, a host max-payload
//! below 256 bytes or a host that ignores flow control closes *that* connection; packets for
//! unknown or closed stream ids are ignored (adb sends late CLSE/WRTE). Memory is bounded:
//! per stream one outgoing buffer of the negotiated payload size and at most about two
//! unconsumed host packets, per connection [`Limits::max_buffered_per_connection`] of
//! unconsumed host data, and [`Limits::max_connections`] connections — plus whatever the
//! handler keeps (a pushed file or an APK is held whole, up to [`Limits::max_transfer`]).

pub mod auth;
pub mod packet;
pub mod services;
pub(crate) mod smart;
pub mod stream;
pub mod sync;
pub(crate) mod transport;

pub use auth::{AdbPublicKey, KeyError};

/// Feature list of the CNXN banner, in adbd's order (see the module docs for why these).
pub const FEATURES: &[&str] = &[
    "shell_v2",
    "cmd",
    "stat_v2",
    "ls_v2",
    "fixed_push_mkdir",
    "abb_exec",
];

/// The version the adb server reports for `host:version` (`ADB_SERVER_VERSION` 41 of
/// Debian's adb 29, which then does not try to restart "an old server").
pub const ADB_SERVER_VERSION: u32 = 41;

/// `features=` value of the banner.
pub fn features_csv() -> String {
    FEATURES.join(",")
}

/// What the device does when a host connects.
#[derive(Debug, Clone, Default)]
pub enum AuthPolicy {
    /// Reply CNXN at once, as an emulator or a `ro.adb.secure=0` build does.
    #[default]
    Skip,
    /// RSA authentication: send a 20-byte TOKEN; accept a SIGNATURE by one of `trusted_keys`;
    /// on a new RSAPUBLICKEY do what `new_keys` says.
    Rsa {
        /// Keys accepted without asking (adbd's `/data/misc/adb/adb_keys`).
        trusted_keys: Vec<AdbPublicKey>,
        /// What the simulated user does with the "Allow USB debugging?" prompt.
        new_keys: NewKeyPolicy,
    },
}

/// The simulated user's answer to the "Allow USB debugging?" prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NewKeyPolicy {
    /// Tap "Always allow": the key is trusted from now on (for every connection).
    Accept,
    /// Never answer: the host shows the device as `unauthorized`.
    #[default]
    Refuse,
}

/// Resource limits (the defaults suit tests and demos).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest payload this side receives and offers in CNXN (default 1 MiB, adb's maximum).
    pub max_payload: u32,
    /// Simultaneous connections, both front ends together (default 64). At the limit a new
    /// connection evicts the oldest one that has not completed the handshake (no CNXN yet
    /// first, then CNXN but not authenticated); when every connection is online, the new one
    /// is closed at once.
    pub max_connections: usize,
    /// How long a new adbd connection may take to send its first valid CNXN (default 10 s);
    /// a connection that sends nothing (half-open, a port scanner) is closed then. A host
    /// waiting for the user to allow its key is not timed out (adb keeps such a connection
    /// and shows `unauthorized`), but it is the first to be evicted at the limit.
    pub handshake_timeout: std::time::Duration,
    /// Open streams per adbd connection; more OPENs are refused with CLSE (default 256).
    pub max_streams_per_connection: usize,
    /// Host bytes received on one adbd connection and not yet consumed by its services;
    /// a host that sends more (ignoring flow control on many streams) is cut off
    /// (default 64 MiB).
    pub max_buffered_per_connection: usize,
    /// Largest APK (streamed install) or pushed file kept in memory (default 512 MiB).
    pub max_transfer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_payload: packet::MAX_PAYLOAD,
            max_connections: 64,
            handshake_timeout: std::time::Duration::from_secs(10),
            max_streams_per_connection: 256,
            max_buffered_per_connection: 64 * 1024 * 1024,
            max_transfer: 512 * 1024 * 1024,
        }
    }
}

/// Counters the tests and `prior sim` can read ([`crate::server::SimServer::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections open now (both front ends).
    pub connections: usize,
    /// Service threads running now (one per open stream).
    pub services_running: usize,
    /// Streams opened since start.
    pub services_started: u64,
    /// Connections closed because the peer broke the protocol.
    pub protocol_errors: u64,
    /// Successful RSA authentications (signature or accepted key).
    pub auth_accepted: u64,
    /// Public keys offered and refused.
    pub keys_refused: u64,
}
