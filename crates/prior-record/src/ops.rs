//! What the recorder needs from a device, as a trait.
//!
//! The production implementation wraps `prior_device::Device` (`adapter.rs`); tests can use a
//! scripted fake. Commands handed to [`DeviceOps::shell`] are complete shell lines whose
//! variable parts were quoted with `prior_device::quote` (or validated) by the caller.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Output of one shell command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShellOut {
    /// Standard output, raw bytes.
    pub stdout: Vec<u8>,
    /// Standard error, when the transport separates it (empty otherwise).
    pub stderr: Vec<u8>,
    /// Exit status.
    pub exit: i32,
}

impl ShellOut {
    /// stdout as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// A device failure, with a message that reads after "failed to …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeviceFailure(pub String);

/// A running streamed command (logcat).
pub trait StreamHandle: Send {
    /// Stops the remote command and waits (bounded) for the reader to end.
    fn stop(self: Box<Self>) -> Result<(), DeviceFailure>;
    /// Whether the stream has ended on its own (device gone, command exited).
    fn is_finished(&self) -> bool;
}

/// The device operations the recorder uses.
pub trait DeviceOps: Send + Sync {
    /// The adb serial.
    fn serial(&self) -> &str;
    /// Runs one shell command line with a timeout.
    fn shell(&self, cmd: &str, timeout: Duration) -> Result<ShellOut, DeviceFailure>;
    /// Starts a long-running command; its stdout goes to `sink` as it arrives.
    fn stream(&self, cmd: &str, sink: Box<dyn Write + Send>) -> Result<Box<dyn StreamHandle>, DeviceFailure>;
    /// Installs an APK without granting any permission.
    fn install(&self, apk: &Path) -> Result<(), DeviceFailure>;
    /// Uninstalls a package; `Ok(false)` when it was not installed.
    fn uninstall(&self, package: &str) -> Result<bool, DeviceFailure>;
}
