//! `prior-sim`: a simulated Android handset that speaks the adbd transport protocol.
//!
//! Two halves meet at the [`DeviceHandler`] trait below:
//! - `adbd` (the transport): TCP on loopback, CNXN/AUTH/OPEN/OKAY/WRTE/CLSE, shell v1/v2
//!   framing, `exec:`, `sync:`, streamed install — it decides *how* bytes move;
//! - `device` (the handset): state, the shell commands Prior uses, app behaviour models —
//!   it decides *what* the bytes are.
//!
//! [`capture`] is the handset's `-tcpdump`: a pcap of the models' network contacts.
//!
//! Architecture invariant: this crate shares no parsing or formatting code with
//! `prior-parse` or `prior-net` (and depends on neither; `prior-net` only reads its captures
//! back in tests), so a format bug cannot cancel itself out.

pub mod adbd;
pub mod capture;
pub mod device;
pub mod http;
pub mod server;

use std::time::Duration;

/// What the device side tells the transport for the CNXN banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// `ro.product.name`.
    pub product_name: String,
    /// `ro.product.model` (says SIMULATED for Prior's handset).
    pub model: String,
    /// `ro.product.device`.
    pub device: String,
}

/// One file's metadata for the sync protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// Unix mode bits including the file type (`0o100644` for a regular file).
    pub mode: u32,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
}

/// The shell session's view of its stream, given to [`DeviceHandler::shell`].
///
/// Writes return `false` once the host has closed the stream (that is how `adb logcat`
/// ends); a long-running command must then return promptly.
pub trait ShellIo {
    /// Sends bytes on stdout. Blocks while the host is not reading (flow control).
    fn stdout(&mut self, data: &[u8]) -> bool;
    /// Sends bytes on stderr (merged into stdout on shell v1 / exec).
    fn stderr(&mut self, data: &[u8]) -> bool;
    /// Waits up to `timeout` for stdin bytes. `Some(empty)` = stdin closed (EOF);
    /// `None` = nothing arrived in time.
    fn read_stdin(&mut self, timeout: Duration) -> Option<Vec<u8>>;
    /// Whether the host has closed the stream.
    fn is_closed(&self) -> bool;
}

/// Why a sync file operation failed: the bare `strerror` reason (`No such file or
/// directory`, `Read-only file system`). The transport adds adbd's prefix
/// (`open failed: …`, `couldn't create file: …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct FileError {
    pub reason: String,
}

impl From<&str> for FileError {
    fn from(reason: &str) -> Self {
        FileError {
            reason: reason.to_owned(),
        }
    }
}

impl From<String> for FileError {
    fn from(reason: String) -> Self {
        FileError { reason }
    }
}

/// The handset behind the transport. Every method may be called from many threads at once.
///
/// Contracts the transport relies on: `read_file`/`write_file` errors are the bare reason
/// ([`FileError`]), never adbd's prefix; `write_file` creates missing parent directories
/// (the banner advertises `fixed_push_mkdir`) and its `mode` always carries the file-type
/// bits.
pub trait DeviceHandler: Send + Sync + 'static {
    /// The CNXN banner facts.
    fn banner(&self) -> Banner;
    /// Runs one shell command line (`sh -c` semantics, as Android's `/system/bin/sh`), writing
    /// its output to `io`; returns the exit status. Blocking; each call has its own thread.
    fn shell(&self, command: &str, io: &mut dyn ShellIo) -> i32;
    /// A streamed install (`exec:cmd package install … -S N` or `abb_exec:package\0install…`):
    /// `args` are the arguments after `install` (without `-S N`), `apk` the N bytes.
    /// Returns the reply line without newline: `Success` or `Failure [INSTALL_…]`.
    fn install(&self, args: &[String], apk: &[u8]) -> String;
    /// `abb_exec:` services other than install (e.g. `settings\0get\0…`); returns raw output.
    fn abb_exec(&self, argv: &[String]) -> Vec<u8>;
    /// Sync STAT: `None` when the path does not exist.
    fn stat(&self, path: &str) -> Option<FileStat>;
    /// Sync RECV: the file's bytes, or the bare error reason (`No such file or directory`);
    /// the transport sends `open failed: <reason>` as adbd does.
    fn read_file(&self, path: &str) -> Result<Vec<u8>, FileError>;
    /// Sync SEND: stores a file, creating missing parent directories (the device advertises
    /// `fixed_push_mkdir`); `mode` includes the file type (`0o100644`; the transport adds the
    /// regular-file type when a client sent bare permission bits such as `0777`).
    /// On failure the bare reason (`Read-only file system`); the transport sends
    /// `couldn't create file: <reason>`.
    fn write_file(&self, path: &str, data: &[u8], mode: u32, mtime: i64) -> Result<(), FileError>;
    /// Sync LIST: entries of a directory (name, stat).
    fn list_dir(&self, path: &str) -> Vec<(String, FileStat)>;
}
