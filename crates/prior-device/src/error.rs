//! The device layer's one error type. Messages read after "failed to …".

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong talking to a device.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// `ADB_SERVER_SOCKET` or `ANDROID_ADB_SERVER_PORT` could not be used.
    #[error("read the adb server address from {var}={value:?}: {why}")]
    BadServerAddress {
        /// The environment variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        why: String,
    },
    /// The adb server could not be reached.
    #[error("connect to the adb server at {addr}: {source}")]
    ServerUnreachable {
        /// Where it was expected.
        addr: std::net::SocketAddrV4,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
    /// The adb server is not running and could not be started.
    #[error("start the adb server at {addr}: {why}")]
    ServerStart {
        /// Where it was expected.
        addr: std::net::SocketAddrV4,
        /// What went wrong (e.g. `adb` is not installed).
        why: String,
    },
    /// The adb server answered `FAIL`.
    #[error("ask the adb server for `{request}`: {message}")]
    ServerFail {
        /// The request (without any payload).
        request: String,
        /// The server's reason, e.g. `device 'X' not found`.
        message: String,
    },
    /// The adb server sent something that is not the protocol.
    #[error("understand the adb server's reply to `{request}`: {why}")]
    Protocol {
        /// The request.
        request: String,
        /// What was wrong.
        why: String,
    },
    /// An I/O error on the adb server connection.
    #[error("talk to the adb server ({context}): {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// adb_client reported an error.
    #[error("{op} on {serial}: {message}")]
    Adb {
        /// The operation, e.g. `run a shell command`.
        op: &'static str,
        /// The device.
        serial: String,
        /// adb_client's message.
        message: String,
    },
    /// The command's output ended without Prior's exit marker: the device, adbd or the adb
    /// server went away mid-command.
    #[error(
        "run `{command}` on {serial}: the output was cut off (the device or the adb server went away)"
    )]
    CutOff {
        /// The device.
        serial: String,
        /// The command (shortened).
        command: String,
    },
    /// The command did not finish in time.
    #[error("run `{command}` on {serial}: no result after {after:?}")]
    Timeout {
        /// The device.
        serial: String,
        /// The command (shortened).
        command: String,
        /// The timeout.
        after: Duration,
    },
    /// A command exited with a non-zero status where success was required.
    #[error("run `{command}` on {serial}: exit status {exit}: {stderr}")]
    CommandFailed {
        /// The device.
        serial: String,
        /// The command (shortened).
        command: String,
        /// Its exit status.
        exit: i32,
        /// Its stderr (or stdout when stderr was empty), trimmed and shortened.
        stderr: String,
    },
    /// A value cannot be placed in a device shell command.
    #[error("place {what} {value:?} in a device shell command: {why}")]
    Unsafe {
        /// What the value is (e.g. `a package name`).
        what: &'static str,
        /// The value (debug-escaped).
        value: String,
        /// Why it is refused.
        why: &'static str,
    },
    /// `pm install` refused the APK.
    #[error("install {apk}: {code}: {message}")]
    InstallFailed {
        /// The APK.
        apk: PathBuf,
        /// The failure code, e.g. `INSTALL_FAILED_TEST_ONLY` (or `UNKNOWN`).
        code: String,
        /// The full reply line.
        message: String,
    },
    /// `pm uninstall` failed for a reason other than "not installed".
    #[error("uninstall {package}: {message}")]
    UninstallFailed {
        /// The package.
        package: String,
        /// The reply.
        message: String,
    },
    /// The device did not finish booting in time.
    #[error("wait for {serial} to boot: not booted after {after:?} ({why})")]
    NotBooted {
        /// The device.
        serial: String,
        /// The timeout.
        after: Duration,
        /// The last thing seen.
        why: String,
    },
    /// A device reply could not be understood.
    #[error("understand `{command}` output on {serial}: {why}")]
    BadOutput {
        /// The device.
        serial: String,
        /// The command.
        command: String,
        /// What was wrong.
        why: String,
    },
    /// A local file could not be read or written.
    #[error("{context} {path}: {source}")]
    File {
        /// What was being done, e.g. `read`.
        context: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// An Android tool (adb, emulator…) could not be run.
    #[error("run {tool}: {why}")]
    Tool {
        /// The tool.
        tool: String,
        /// What went wrong.
        why: String,
    },
}

/// Shortens a command for error messages (errors must stay readable).
pub(crate) fn short(cmd: &str) -> String {
    const MAX: usize = 160;
    if cmd.len() <= MAX {
        return cmd.to_owned();
    }
    let mut end = MAX;
    while !cmd.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &cmd[..end])
}
