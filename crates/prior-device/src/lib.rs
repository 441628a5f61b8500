//! Prior's device layer: the **only** crate that speaks ADB. Android tools (`adb
//! start-server`) are found and run by `prior-tools`.
//!
//! It talks to devices through the adb server with [`adb_client`] 3.2.3
//! ([`adb_client::server_device::ADBServerDevice`]), never with its direct-TCP device (which
//! spins at 100% CPU when a peer closes cleanly), and works around that crate's known bugs
//! (`docs/adb-client.md`):
//!
//! - **Exit codes.** adb_client returns `None` for the shell-v2 exit status, so every command
//!   runs inside a wrapper that prints an unguessable per-call marker with `$?`
//!   ([`Output::exit`]); output that ends without the marker was cut off
//!   ([`DeviceError::CutOff`]).
//! - **No cancellation, no read timeout.** Every call runs on its own thread with a deadline;
//!   streams ([`Device::shell_stream`]) print their remote pid first and are stopped with
//!   `kill PID` over a second connection ([`StreamHandle::stop`]); as a last resort the thread
//!   is given up.
//! - **Device listing.** adb_client fails the whole list on one odd line (`no permissions
//!   (…)`), so [`AdbServer::devices`] speaks `host:devices-l` itself and parses states with
//!   spaces ([`parse_devices`]).
//! - **Server address.** Read from `ADB_SERVER_SOCKET` (`tcp:HOST:PORT`) or
//!   `ANDROID_ADB_SERVER_PORT` ([`server_addr_from_env`]); adb_client ignores both.
//!   [`AdbServer::ensure_running`] starts `adb start-server` when nothing listens and adb is
//!   installed — through [`tools`], on top of `prior-tools`' one locator and runner.
//! - **Install.** adb_client's `install` decides success from one 1 KiB read and cannot take
//!   options; [`Device::install_apk`] pushes to `/data/local/tmp/prior-<random>.apk`, runs
//!   `pm install` **without `-g`** (nothing pre-granted), parses `Success` /
//!   `Failure [INSTALL_…]`, and removes the copy.
//! - **Injection.** adb_client passes command strings verbatim. Every value reaches a device
//!   shell through [`quote`] (single quotes, `'` → `'\''`) or as a validated name
//!   ([`PackageName`], [`Component`], [`PermissionName`], [`PropName`]); [`Cmd`] only accepts
//!   `&'static str` literals otherwise.
//!
//! - **Parsing.** Replies are kept raw ([`Output`], [`DeviceFacts::getprop_raw`]) and parsed
//!   by `prior-parse`, Prior's only parser of device output (`getprop`, `pm install` /
//!   `uninstall` / `path`, `date`).
//! - **Tracing.** Every device command is a `tracing` span (`adb`, with the service string)
//!   ending in an event with its exit code and duration.
//!
//! Known leftovers: adb_client sends the host's `TERM` in the shell-v2 service string, makes an
//! extra `host:features` round trip and opens a new TCP connection per call, and pushes files
//! with mode 0777. Shell v1 devices (Android < 7) get a PTY, so binary output (screenshots)
//! is not reliable there.
//!
//! Everything blocks; the recorder runs collectors on threads.

// Tests may unwrap (the workspace warns on `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod adb;
mod device;
mod error;
mod marker;
mod quote;
mod server;
mod stream;
pub mod tools;

#[cfg(test)]
mod e2e;
#[cfg(test)]
mod tests;

#[cfg(any(test, feature = "test-support"))]
pub mod fake;

pub use adb::{AdbServer, DeviceSummary};
pub use device::{
    ClockSample, Device, DeviceFacts, DeviceKind, MAX_COMMAND, MAX_OUTPUT, Output, Uninstalled,
    host_now_us,
};
pub use error::DeviceError;
pub use quote::{Cmd, Component, PackageName, PermissionName, PropName, quote};
pub use server::{
    DEFAULT_SERVER, DeviceEntry, DeviceState, parse_devices, server_addr_from, server_addr_from_env,
};
pub use stream::{LineSender, StreamEnd, StreamHandle, StreamReport};
