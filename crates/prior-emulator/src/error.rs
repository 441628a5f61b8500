//! The emulator layer's one error type. Messages read after "failed to …".

use std::path::PathBuf;

/// Everything that can go wrong driving the emulator and the SDK tools.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A tool of the SDK is not installed where it was looked for.
    #[error("find `{tool}`: looked in {}; {hint}", looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    ToolMissing {
        /// The tool's name (`emulator`, `sdkmanager`, …).
        tool: &'static str,
        /// Every place looked at, in order.
        looked: Vec<PathBuf>,
        /// The command or step that installs it.
        hint: String,
    },
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "create").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file of the SDK or an AVD is not in the expected format.
    #[error("read {}:{line}: {why}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when not about one line).
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// The image catalogue (built-in or `--images FILE`) is invalid.
    #[error("load the image catalogue {origin}:{line}: {why}")]
    Catalogue {
        /// `built-in` or the file's path.
        origin: String,
        /// 1-based line of the offending entry (0 when not about one line).
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// No catalogue image has this id.
    #[error("find image `{id}` in the catalogue {origin}; known ids: {}", known.join(", "))]
    UnknownImage {
        /// The id asked for.
        id: String,
        /// Where the catalogue came from.
        origin: String,
        /// Every id of the catalogue.
        known: Vec<String>,
    },
    /// An AVD name avdmanager would refuse.
    #[error("create AVD {name:?}: {why}")]
    BadAvdName {
        /// The name.
        name: String,
        /// Why it is refused.
        why: String,
    },
    /// The AVD exists and replacing it was not asked for.
    #[error("create AVD `{name}`: it already exists ({}); pass --force to replace it", ini.display())]
    AvdExists {
        /// The name.
        name: String,
        /// Its `NAME.ini`.
        ini: PathBuf,
    },
    /// An SDK tool failed, or exited 0 without doing what it was asked.
    #[error("run `{argv}`: {tool} {status}{}", if output_tail.is_empty() { String::new() } else { format!("; its last output:\n{output_tail}") })]
    ToolFailed {
        /// The tool's name.
        tool: &'static str,
        /// The command line, shell-quoted for display.
        argv: String,
        /// What happened (`exited with status 1`, `exited 0 but … does not exist`, `timed out after 600 s`).
        status: String,
        /// The last lines of its stderr (of its stdout when stderr was empty).
        output_tail: String,
    },
    /// The emulator console could not be reached or answered out of protocol.
    #[error("talk to the emulator console on 127.0.0.1:{port}: {why}")]
    Console {
        /// The console port.
        port: u16,
        /// What went wrong.
        why: String,
    },
    /// The console refused a command (`KO: …`).
    #[error("run console command `{command}` on 127.0.0.1:{port}: KO: {reason}")]
    ConsoleKo {
        /// The console port.
        port: u16,
        /// The command sent.
        command: String,
        /// The text after `KO:`.
        reason: String,
    },
    /// Console authentication failed or was impossible.
    #[error("authenticate to the emulator console on 127.0.0.1:{port} with {}: {why}", token_file.display())]
    ConsoleAuth {
        /// The console port.
        port: u16,
        /// The token file used.
        token_file: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// A value cannot be passed safely (to the console, or on a command line).
    #[error("use {what} {value:?}: {why}")]
    Unsafe {
        /// What it is ("a console command", "a snapshot name").
        what: &'static str,
        /// The value.
        value: String,
        /// Why it is refused.
        why: &'static str,
    },
    /// No AVD of that name exists.
    #[error("find AVD `{name}`: no {name}.ini in {}; create it with `prior emulator create {name}` (or `avdmanager create avd -n {name} …`)", avd_home.display())]
    UnknownAvd {
        /// The name asked for.
        name: String,
        /// Where it was looked for.
        avd_home: PathBuf,
    },
    /// No console/adb port pair is free, or the one asked for is busy.
    #[error("pick an emulator port: {why}")]
    Port {
        /// What was tried.
        why: String,
    },
    /// The adb server or the device failed.
    #[error("{action} on {serial}: {source}")]
    Device {
        /// What was being done.
        action: String,
        /// The serial.
        serial: String,
        /// The cause.
        #[source]
        source: Box<prior_device::DeviceError>,
    },
    /// A tool could not be started.
    #[error("start `{argv}`: {source}")]
    Spawn {
        /// The command line (for reproduction).
        argv: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The emulator exited before it finished booting.
    #[error("boot AVD `{name}`: the emulator exited ({status}) before the boot completed; {log}")]
    EmulatorExited {
        /// The AVD.
        name: String,
        /// Its exit status.
        status: String,
        /// Its log file and last lines.
        log: Box<LogTail>,
    },
    /// The emulator did not finish booting in time (it was killed).
    #[error(
        "boot AVD `{name}` as {serial}: not booted after {after:?} ({why}); the emulator was killed; {log}"
    )]
    BootTimeout {
        /// The AVD.
        name: String,
        /// The adb serial.
        serial: String,
        /// The time limit.
        after: std::time::Duration,
        /// The last state seen.
        why: String,
        /// Its log file and last lines.
        log: Box<LogTail>,
    },
    /// The emulator could not be stopped.
    #[error("kill emulator {serial}: {why}")]
    Kill {
        /// The adb serial.
        serial: String,
        /// What is still running.
        why: String,
    },
    /// Neither `ANDROID_HOME` nor `ANDROID_SDK_ROOT` names the SDK.
    #[error(
        "{action}: ANDROID_HOME (or ANDROID_SDK_ROOT) is not set; set it to the SDK directory (the one that holds cmdline-tools/)"
    )]
    NoSdkRoot {
        /// What needed the SDK (`install system image …`).
        action: String,
    },
}

/// A log file and its last lines (in boot errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTail {
    /// The log file.
    pub path: PathBuf,
    /// Its last lines.
    pub tail: String,
}

impl std::fmt::Display for LogTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "last lines of {}:\n{}", self.path.display(), self.tail)
    }
}

impl From<prior_tools::ToolMissing> for EmulatorError {
    fn from(e: prior_tools::ToolMissing) -> EmulatorError {
        EmulatorError::ToolMissing {
            tool: e.tool.name(),
            looked: e.looked,
            hint: e.hint,
        }
    }
}
